// GPU kernels against plain reference loops written here (not the production CPU code): same FPS/WFPS
// indices, same ball-query members, propagation equal within float tolerance. Skipped, with the reason,
// where the build has no CUDA or the machine no GPU.
#include "core/common/Error.h"
#include "core/cuda/CudaKernels.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace s4;

namespace {

struct Cloud {
    std::vector<float> xyz;
    std::vector<std::int32_t> superpoint;
};

Cloud randomCloud(std::size_t n, int superpoints, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    Cloud c;
    for (std::size_t i = 0; i < 3 * n; ++i) c.xyz.push_back(u(rng));
    // Superpoints as slabs along x so they are spatially coherent, like real ones.
    for (std::size_t i = 0; i < n; ++i)
        c.superpoint.push_back(std::min(superpoints - 1, int(c.xyz[3 * i] * float(superpoints))));
    return c;
}

float sq(const Cloud& c, std::size_t a, std::size_t b) {
    const float dx = c.xyz[3 * a] - c.xyz[3 * b], dy = c.xyz[3 * a + 1] - c.xyz[3 * b + 1],
                dz = c.xyz[3 * a + 2] - c.xyz[3 * b + 2];
    return dx * dx + dy * dy + dz * dz;
}

std::vector<std::int32_t> referenceFps(const Cloud& c, const std::vector<float>* factor, int first, std::size_t k) {
    const std::size_t n = c.xyz.size() / 3;
    std::vector<float> dist(n, std::numeric_limits<float>::infinity());
    std::vector<std::int32_t> out{first};
    while (out.size() < k) {
        float best = -std::numeric_limits<float>::infinity();
        std::int32_t bestIndex = -1;
        for (std::size_t i = 0; i < n; ++i) {
            dist[i] = std::min(dist[i], sq(c, i, std::size_t(out.back())));
            const float f = factor ? (*factor)[i] : 1.0f;
            if (f < 0) continue;
            if (dist[i] * f > best) {
                best = dist[i] * f;
                bestIndex = std::int32_t(i);
            }
        }
        out.push_back(bestIndex);
    }
    return out;
}

} // namespace

class TestCudaParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (!cuda::available()) QSKIP(qPrintable("no GPU path here: " + QString::fromStdString(cuda::describe())));
    }

    void fpsAndWfpsMatchReference() {
        Cloud c = randomCloud(20000, 40, 1);
        QCOMPARE(cuda::farthestPointSample(c.xyz.data(), 20000, nullptr, 17, 256), referenceFps(c, nullptr, 17, 256));
        std::vector<float> factor(20000);
        std::vector<int> size(40, 0);
        for (auto s : c.superpoint) ++size[std::size_t(s)];
        for (std::size_t i = 0; i < factor.size(); ++i)
            factor[i] = size[std::size_t(c.superpoint[i])] < 300 ? -1.0f : std::pow(1.0f / float(size[std::size_t(c.superpoint[i])]), 0.5f);
        QCOMPARE(cuda::farthestPointSample(c.xyz.data(), 20000, factor.data(), 3, 256), referenceFps(c, &factor, 3, 256));
    }

    void ballQueryMatchesSequentialScan() {
        Cloud c = randomCloud(5000, 10, 2);
        std::vector<std::int32_t> centres{0, 10, 200, 4999};
        const int M = 16;
        const float r = 0.1f;
        for (bool constrained : {false, true}) {
            std::vector<std::int32_t> members(centres.size() * M), counts(centres.size());
            cuda::ballQuery(c.xyz.data(), 5000, constrained ? c.superpoint.data() : nullptr, centres.data(),
                            centres.size(), r, M, members.data(), counts.data());
            for (std::size_t k = 0; k < centres.size(); ++k) {
                std::vector<std::int32_t> expect;
                for (std::size_t i = 0; i < 5000; ++i)
                    if (sq(c, i, std::size_t(centres[k])) <= r * r &&
                        (!constrained || c.superpoint[i] == c.superpoint[std::size_t(centres[k])]))
                        expect.push_back(std::int32_t(i));
                QCOMPARE(counts[k], std::int32_t(expect.size()));
                for (int s = 0; s < M; ++s)
                    QCOMPARE(members[k * M + std::size_t(s)], s < int(expect.size()) ? expect[std::size_t(s)] : centres[k]);
            }
        }
    }

    void propagationMatchesReference() {
        Cloud c = randomCloud(3000, 8, 3);
        std::vector<std::int32_t> centres;
        for (std::int32_t i = 0; i < 3000; i += 97)
            if (c.superpoint[std::size_t(i)] != 5) centres.push_back(i);  // superpoint 5 has no centre: fallback
        const int dim = 4;
        std::vector<float> feat(centres.size() * dim);
        for (std::size_t i = 0; i < feat.size(); ++i) feat[i] = float(i % 13) - 6.0f;
        std::vector<float> out(3000 * dim);
        cuda::propagateFeatures(c.xyz.data(), 3000, c.superpoint.data(), centres.data(), centres.size(), feat.data(),
                                dim, 1e-8f, out.data());
        for (std::size_t i = 0; i < 3000; ++i) {
            std::vector<std::pair<double, std::size_t>> near;
            for (std::size_t k = 0; k < centres.size(); ++k)
                if (c.superpoint[std::size_t(centres[k])] == c.superpoint[i])
                    near.push_back({std::sqrt(double(sq(c, i, std::size_t(centres[k])))) + 1e-8, k});
            if (near.empty()) {
                for (std::size_t k = 0; k < centres.size(); ++k)
                    near.push_back({std::sqrt(double(sq(c, i, std::size_t(centres[k])))) + 1e-8, k});
                std::sort(near.begin(), near.end());
                near.resize(3);
            }
            double total = 0;
            for (auto& [d, k] : near) total += 1.0 / d;
            for (int d = 0; d < dim; ++d) {
                double expect = 0;
                for (auto& [dd, k] : near) expect += (1.0 / dd) / total * feat[k * dim + std::size_t(d)];
                QVERIFY(std::abs(expect - out[i * dim + std::size_t(d)]) < 1e-3);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCudaParity)
#include "tst_cuda_parity.moc"
