#include "core/geometry/PointFeatures.h"

#include "core/common/Error.h"
#include "core/geometry/FarthestPointSampling.h"
#include "core/geometry/NeighborSearch.h"
#include "core/geometry/ParallelFor.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <string>

namespace s4 {

namespace {

// Processes points in blocks so that cancellation is noticed and progress reported between blocks.
template <typename Fn>
void blockedParallel(std::size_t n, int threads, const Progress& progress, Fn&& perPoint) {
    constexpr std::size_t kBlock = 1 << 15;
    for (std::size_t b = 0; b < n; b += kBlock) {
        progress.check();
        progress.report(static_cast<double>(b) / static_cast<double>(n));
        const std::size_t e = std::min(n, b + kBlock);
        parallelFor(e - b, threads, [&](std::size_t lo, std::size_t hi) {
            for (std::size_t i = b + lo; i < b + hi; ++i) perPoint(i);
        }, 512);
    }
    progress.report(1.0);
}

} // namespace

Eigen::Vector3f signInvariantNormal(const Eigen::Vector3f& n, NormalSign sign) {
    if (sign == NormalSign::AbsoluteValue) return n.cwiseAbs();
    int axis = 0;
    for (int a = 1; a < 3; ++a)
        if (std::abs(n[a]) > std::abs(n[axis])) axis = a;
    return n[axis] < 0.0f ? Eigen::Vector3f(-n) : n;
}

std::vector<Eigen::Vector3f> runNormalEstimation(const std::vector<Eigen::Vector3f>& points,
                                                 const NormalParams& params, const Progress& progress) {
    if (params.k < 1)
        throw InvalidArgument("normal estimation: k must be at least 1 (got " + std::to_string(params.k) + ")");
    std::vector<Eigen::Vector3f> normals(points.size(), Eigen::Vector3f::UnitZ());
    if (points.empty()) return normals;
    const NeighborLists nb = knnAll(points, params.k, SelfMatch::Include, params.threads, progress);
    blockedParallel(points.size(), params.threads, progress, [&](std::size_t i) {
        const std::int32_t* idx = nb.indicesOf(i);
        if (nb.k < 3) return;
        // Covariance about the neighbourhood mean, in double (Open3D does the same), then the
        // eigenvector of the smallest eigenvalue.
        Eigen::Vector3d mean = Eigen::Vector3d::Zero();
        for (int j = 0; j < nb.k; ++j) mean += points[static_cast<std::size_t>(idx[j])].cast<double>();
        mean /= nb.k;
        Eigen::Matrix3d c = Eigen::Matrix3d::Zero();
        for (int j = 0; j < nb.k; ++j) {
            const Eigen::Vector3d d = points[static_cast<std::size_t>(idx[j])].cast<double>() - mean;
            c += d * d.transpose();
        }
        c /= nb.k;
        if (c.trace() <= 0.0) return;
        Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(c);
        const Eigen::Vector3f n = solver.eigenvectors().col(0).cast<float>().normalized();  // ascending order
        normals[i] = signInvariantNormal(n, params.sign);
    });
    return normals;
}

std::vector<Eigen::Vector3f> normalsFromNeighbours(const std::vector<Eigen::Vector3f>& points,
                                                   const NeighborLists& nb, const NormalParams& params,
                                                   const Progress& progress) {
    if (params.k < 1)
        throw InvalidArgument("normal estimation: k must be at least 1 (got " + std::to_string(params.k) +
                              ")");
    if (nb.queries != points.size() ||
        nb.k < std::min<std::int64_t>(params.k - 1, std::int64_t(points.size()) - 1))
        throw InvalidArgument("normal estimation: the neighbour table does not have one row per point and "
                              "at least k − 1 columns");
    std::vector<Eigen::Vector3f> normals(points.size(), Eigen::Vector3f::UnitZ());
    const int others = std::min(params.k - 1, nb.k);
    if (others + 1 < 3) return normals;
    blockedParallel(points.size(), params.threads, progress, [&](std::size_t i) {
        const std::int32_t* idx = nb.indicesOf(i);
        // Same computation as runNormalEstimation, with the point itself as the first neighbour.
        auto at = [&](int j) {
            return (j == 0 ? points[i] : points[static_cast<std::size_t>(idx[j - 1])]).cast<double>();
        };
        const int count = others + 1;
        Eigen::Vector3d mean = Eigen::Vector3d::Zero();
        for (int j = 0; j < count; ++j) mean += at(j);
        mean /= count;
        Eigen::Matrix3d c = Eigen::Matrix3d::Zero();
        for (int j = 0; j < count; ++j) {
            const Eigen::Vector3d d = at(j) - mean;
            c += d * d.transpose();
        }
        c /= count;
        if (c.trace() <= 0.0) return;
        Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(c);
        const Eigen::Vector3f n = solver.eigenvectors().col(0).cast<float>().normalized();
        normals[i] = signInvariantNormal(n, params.sign);
    });
    return normals;
}

Eigen::Vector3d neighbourhoodEigenvalues(const Eigen::Vector3f& p, const std::vector<Eigen::Vector3f>& neighbours) {
    if (neighbours.empty()) return Eigen::Vector3d::Zero();
    // C = (1/K) M Mᵀ with M = [q_1 − p ... q_K − p] (App. A.1): second moments about p, not about the mean.
    Eigen::Matrix3d c = Eigen::Matrix3d::Zero();
    for (const auto& q : neighbours) {
        const Eigen::Vector3d d = (q - p).cast<double>();
        c += d * d.transpose();
    }
    c /= static_cast<double>(neighbours.size());
    const Eigen::Vector3d ascending = Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d>(c, Eigen::EigenvaluesOnly).eigenvalues();
    return Eigen::Vector3d(std::max(0.0, ascending[2]), std::max(0.0, ascending[1]), std::max(0.0, ascending[0]));
}

Eigen::Vector3f shapeFeatures(const Eigen::Vector3d& l) {
    if (!(l[0] > 0.0)) return Eigen::Vector3f::Zero();
    return Eigen::Vector3f(static_cast<float>((l[0] - l[1]) / l[0]), static_cast<float>((l[1] - l[2]) / l[0]),
                           static_cast<float>(l[2] / l[0]));
}

EigenFeatures runEigenFeatures(const std::vector<Eigen::Vector3f>& points, const EigenFeatureParams& params,
                               const Progress& progress) {
    if (params.k < 1)
        throw InvalidArgument("eigen features: K must be at least 1 (got " + std::to_string(params.k) + ")");
    if (params.anchorCount == 0 && !(params.anchorRatio > 0.0 && params.anchorRatio <= 1.0))
        throw InvalidArgument("eigen features: the anchor ratio must be in (0, 1] (got " +
                              std::to_string(params.anchorRatio) + ")");
    EigenFeatures out;
    out.values.assign(points.size(), Eigen::Vector3f::Zero());
    if (points.empty()) return out;

    std::size_t anchors = params.anchorCount;
    if (anchors == 0) anchors = static_cast<std::size_t>(std::llround(params.anchorRatio * static_cast<double>(points.size())));
    anchors = std::min(points.size(), std::max(anchors, static_cast<std::size_t>(params.k)));

    FarthestPointParams fps;
    fps.count = anchors;
    fps.seed = params.seed;
    fps.threads = params.threads;
    out.anchors = runFarthestPointSampling(points, fps, progress.sub(0.0, 0.4)).indices;

    std::vector<Eigen::Vector3f> anchorPositions;
    anchorPositions.reserve(out.anchors.size());
    for (const std::int32_t a : out.anchors) anchorPositions.push_back(points[static_cast<std::size_t>(a)]);
    const KdTree tree(anchorPositions);
    // Each point queries its K anchors itself instead of reading a precomputed N × K table: the table
    // (K = 16: 128 bytes per point) was the memory peak of the whole superpoint stage.
    // The sampling above has rejected non-finite points, so every query is valid.
    const int k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(params.k), tree.size()));
    progress.check();
    blockedParallel(points.size(), params.threads, progress.sub(0.4, 1.0), [&](std::size_t i) {
        thread_local std::vector<Eigen::Vector3f> q;
        thread_local std::vector<std::int32_t> idx;
        thread_local std::vector<float> sq;
        idx.resize(static_cast<std::size_t>(k));
        sq.resize(static_cast<std::size_t>(k));
        tree.knn(points[i], k, idx.data(), sq.data());
        q.clear();
        for (int j = 0; j < k; ++j) q.push_back(anchorPositions[static_cast<std::size_t>(idx[static_cast<std::size_t>(j)])]);
        out.values[i] = shapeFeatures(neighbourhoodEigenvalues(points[i], q));
    });
    return out;
}

} // namespace s4
