// The tokenization pipeline's stage cache: a run recomputes exactly the stages whose parameters or
// inputs changed, and every result stays consistent with a fresh pipeline given the same parameters.
#include "core/common/Error.h"
#include "core/pipeline/TokenizationPipeline.h"

#include <QtTest>

#include <random>
#include <set>

using namespace s4;

namespace {

/// A floor and a wall (two planes meeting at an edge), with a little noise, labelled 1 and 2.
std::shared_ptr<Scene> floorAndWall() {
    auto scene = std::make_shared<Scene>();
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 0.002f);
    std::vector<std::int32_t> labels;
    for (int i = 0; i < 40; ++i)
        for (int j = 0; j < 40; ++j) {
            scene->positions.push_back({i * 0.05f, j * 0.05f, noise(rng)});
            labels.push_back(1);
            scene->positions.push_back({i * 0.05f, noise(rng), 0.05f + j * 0.05f});
            labels.push_back(2);
        }
    auto& l = scene->add(attr::kLabel, ScalarType::Int32, 1);
    std::copy(labels.begin(), labels.end(), l.data<std::int32_t>());
    return scene;
}

TokenizationParams smallParams() {
    TokenizationParams p;
    p.sampling.count = 64;
    p.sampling.gamma = 0.2;
    p.grouping.groupSize = 16;
    p.superpoints.minSuperpointSize = 10;
    return p;
}

} // namespace

class TestTokenizationPipeline : public QObject {
    Q_OBJECT
private slots:
    void recomputesOnlyWhatChanged() {
        TokenizationPipeline pipeline;
        pipeline.setScene(floorAndWall());
        TokenizationParams p = smallParams();

        auto first = pipeline.run(p);
        QVERIFY(first.superpointsRecomputed && first.samplingRecomputed && first.groupingRecomputed);
        QCOMPARE(first.anchors->indices.size(), std::size_t(64));
        QCOMPARE(first.patches->count, std::size_t(64));
        QVERIFY(first.superpoints->count >= 2);

        auto same = pipeline.run(p);
        QVERIFY(!same.superpointsRecomputed && !same.samplingRecomputed && !same.groupingRecomputed);
        QCOMPARE(same.patches.get(), first.patches.get());

        p.sampling.gamma = 0.7;  // the γ slider: sampling and grouping only
        auto gamma = pipeline.run(p);
        QVERIFY(!gamma.superpointsRecomputed && gamma.samplingRecomputed && gamma.groupingRecomputed);
        QCOMPARE(gamma.superpoints.get(), first.superpoints.get());
        QCOMPARE(gamma.timings.superpointsMs, 0.0);

        p.grouping.groupSize = 24;  // M: grouping only
        auto m = pipeline.run(p);
        QVERIFY(!m.superpointsRecomputed && !m.samplingRecomputed && m.groupingRecomputed);
        QCOMPARE(m.patches->groupSize, 24);

        p.superpoints.regularization *= 4;  // ρ: everything downstream
        auto rho = pipeline.run(p);
        QVERIFY(rho.superpointsRecomputed && rho.samplingRecomputed && rho.groupingRecomputed);
    }

    void cachedResultsEqualFreshOnes() {
        TokenizationPipeline cached;
        auto scene = floorAndWall();
        cached.setScene(scene);
        TokenizationParams p = smallParams();
        cached.run(p);
        p.sampling.gamma = 0.9;
        p.grouping.alpha = 1.5;
        auto viaCache = cached.run(p);

        TokenizationPipeline fresh;
        fresh.setScene(scene);
        auto direct = fresh.run(p);
        QCOMPARE(viaCache.anchors->indices, direct.anchors->indices);
        QCOMPARE(viaCache.patches->members, direct.patches->members);
        QCOMPARE(viaCache.patches->radius, direct.patches->radius);
        QCOMPARE(viaCache.superpoints->labels, direct.superpoints->labels);
    }

    void baselinesUseFpsAndNoSuperpoints() {
        TokenizationPipeline pipeline;
        pipeline.setScene(floorAndWall());
        TokenizationParams p = smallParams();
        p.tokenizer = TokenizerKind::Knn;
        auto knn = pipeline.run(p);
        QVERIFY(!knn.superpoints);
        QVERIFY(!knn.superpointsRecomputed);
        // γ does not matter for the FPS baselines: changing it must not resample.
        p.sampling.gamma = 0.8;
        auto again = pipeline.run(p);
        QVERIFY(!again.samplingRecomputed);
        // Ball shares the FPS anchors; only grouping reruns.
        p.tokenizer = TokenizerKind::Ball;
        auto ball = pipeline.run(p);
        QVERIFY(!ball.samplingRecomputed && ball.groupingRecomputed);
        QCOMPARE(ball.anchors->indices, knn.anchors->indices);
        // With superpoints requested for display they are computed but do not change the FPS anchors.
        auto shown = pipeline.run(p, {}, /*withSuperpoints=*/true);
        QVERIFY(shown.superpoints);
        QCOMPARE(shown.anchors->indices, knn.anchors->indices);
    }

    void anchorsAreDistinctAndPatchesStayInTheirSuperpoint() {
        TokenizationPipeline pipeline;
        pipeline.setScene(floorAndWall());
        auto r = pipeline.run(smallParams());
        std::set<std::int32_t> distinct(r.anchors->indices.begin(), r.anchors->indices.end());
        QCOMPARE(distinct.size(), r.anchors->indices.size());
        const auto& sp = r.superpoints->labels;
        const std::size_t m = std::size_t(r.patches->groupSize);
        for (std::size_t t = 0; t < r.patches->count; ++t)
            for (std::size_t s = 0; s < m; ++s)
                if (r.patches->valid[t * m + s])
                    QCOMPARE(sp[std::size_t(r.patches->members[t * m + s])], sp[std::size_t(r.patches->centres[t])]);
    }

    void setSceneDropsTheCacheAndNoSceneIsAnError() {
        TokenizationPipeline pipeline;
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, pipeline.run(smallParams()));
        pipeline.setScene(floorAndWall());
        pipeline.run(smallParams());
        pipeline.setScene(floorAndWall());
        auto r = pipeline.run(smallParams());
        QVERIFY(r.superpointsRecomputed && r.samplingRecomputed && r.groupingRecomputed);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, parseTokenizerName("pointnet"));
        QCOMPARE(parseTokenizerName("ball"), TokenizerKind::Ball);
    }

    void cancellationThrowsAndLeavesThePipelineUsable() {
        TokenizationPipeline pipeline;
        pipeline.setScene(floorAndWall());
        CancelFlag flag;
        flag.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, pipeline.run(smallParams(), Progress({}, flag.asCallback())));
        auto r = pipeline.run(smallParams());
        QCOMPARE(r.anchors->indices.size(), std::size_t(64));
    }
};

QTEST_GUILESS_MAIN(TestTokenizationPipeline)
#include "tst_tokenizationpipeline.moc"
