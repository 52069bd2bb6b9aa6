// The tokenization pipeline's stage cache: a run recomputes exactly the stages whose parameters or
// inputs changed, and every result stays consistent with a fresh pipeline given the same parameters.
// Replacing the scene with an edited copy keeps exactly the stages whose inputs are unchanged.
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

/// The scene with an "rgb" attribute: floor brown, wall white (what superpoints use besides geometry).
std::shared_ptr<Scene> withColours(std::shared_ptr<Scene> scene) {
    auto* rgb = scene->add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>();
    const std::int32_t* label = scene->find(attr::kLabel)->data<std::int32_t>();
    for (std::size_t i = 0; i < scene->pointCount(); ++i) {
        const bool floor = label[i] == 1;
        rgb[3 * i] = floor ? 140 : 240;
        rgb[3 * i + 1] = floor ? 90 : 240;
        rgb[3 * i + 2] = floor ? 40 : 235;
    }
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

    void replacingWithAnAddedLabelKeepsEveryStage() {
        TokenizationPipeline pipeline;
        auto original = withColours(floorAndWall());
        pipeline.setScene(original);
        const auto first = pipeline.run(smallParams());

        // The prompt panel's copy: same points and colours, new "label" values and a "confidence" field.
        auto edited = std::make_shared<Scene>(*original);
        std::int32_t* label = edited->find(attr::kLabel)->data<std::int32_t>();
        for (std::size_t i = 0; i < edited->pointCount(); ++i) label[i] = std::int32_t(i % 3) - 1;
        edited->add("confidence", ScalarType::Float32, 1);
        QCOMPARE(pipeline.replaceSceneKeepingStages(edited), TokenizationPipeline::StageReuse::All);
        QCOMPARE(pipeline.scene().get(), edited.get());

        const auto again = pipeline.run(smallParams());
        QVERIFY(!again.superpointsRecomputed && !again.samplingRecomputed && !again.groupingRecomputed);
        QCOMPARE(again.superpoints.get(), first.superpoints.get());
        QCOMPARE(again.patches.get(), first.patches.get());
    }

    void replacingWithOtherColoursDropsSuperpointsOnly() {
        TokenizationPipeline pipeline;
        auto original = withColours(floorAndWall());
        pipeline.setScene(original);
        TokenizationParams knn = smallParams();
        knn.tokenizer = TokenizerKind::Knn;
        const auto first = pipeline.run(knn, {}, /*withSuperpoints=*/true);

        auto recoloured = std::make_shared<Scene>(*original);
        recoloured->find(attr::kColor)->data<std::uint8_t>()[7] ^= 0xff;  // one channel of one point
        QCOMPARE(pipeline.replaceSceneKeepingStages(recoloured),
                 TokenizationPipeline::StageReuse::AllButSuperpoints);
        // kNN anchors and patches do not depend on superpoints: only the superpoints are computed again.
        const auto knnAgain = pipeline.run(knn, {}, true);
        QVERIFY(knnAgain.superpointsRecomputed && !knnAgain.samplingRecomputed &&
                !knnAgain.groupingRecomputed);
        QVERIFY(knnAgain.superpoints.get() != first.superpoints.get());
        QCOMPARE(knnAgain.anchors.get(), first.anchors.get());

        // Removing the colours, or adding dataset superpoints, also changes what superpoints read.
        pipeline.run(smallParams());
        auto grey = std::make_shared<Scene>(*recoloured);
        grey->remove(attr::kColor);
        QCOMPARE(pipeline.replaceSceneKeepingStages(grey),
                 TokenizationPipeline::StageReuse::AllButSuperpoints);
        const auto s4 = pipeline.run(smallParams());
        // WFPS and superpoint-constrained grouping read the partition, so they follow it.
        QVERIFY(s4.superpointsRecomputed && s4.samplingRecomputed && s4.groupingRecomputed);
        auto withDatasetSuperpoints = std::make_shared<Scene>(*grey);
        withDatasetSuperpoints->add(attr::kSuperpoint, ScalarType::Int32, 1);
        QCOMPARE(pipeline.replaceSceneKeepingStages(withDatasetSuperpoints),
                 TokenizationPipeline::StageReuse::AllButSuperpoints);
    }

    void replacingWithOtherPositionsDropsEverything() {
        TokenizationPipeline pipeline;
        auto original = withColours(floorAndWall());
        pipeline.setScene(original);
        pipeline.run(smallParams());

        auto moved = std::make_shared<Scene>(*original);
        moved->positions[123].z() += 0.01f;
        QCOMPARE(pipeline.replaceSceneKeepingStages(moved), TokenizationPipeline::StageReuse::None);
        const auto afterMove = pipeline.run(smallParams());
        QVERIFY(afterMove.superpointsRecomputed && afterMove.samplingRecomputed &&
                afterMove.groupingRecomputed);

        auto fewer = std::make_shared<Scene>(*moved);
        fewer->resize(moved->pointCount() - 1);
        QCOMPARE(pipeline.replaceSceneKeepingStages(fewer), TokenizationPipeline::StageReuse::None);
        QCOMPARE(pipeline.scene().get(), fewer.get());
        const auto afterResize = pipeline.run(smallParams());
        QVERIFY(afterResize.superpointsRecomputed && afterResize.samplingRecomputed);
        QCOMPARE(afterResize.superpoints->labels.size(), fewer->pointCount());

        // Without a scene before, replacing is setting.
        TokenizationPipeline empty;
        QCOMPARE(empty.replaceSceneKeepingStages(original), TokenizationPipeline::StageReuse::None);
        QCOMPARE(empty.scene().get(), original.get());
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
