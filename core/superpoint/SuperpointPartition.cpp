#include "core/superpoint/SuperpointPartition.h"

#include "core/common/Error.h"
#include "core/common/FreedMemory.h"
#include "core/common/Log.h"
#include "core/geometry/NeighborSearch.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace s4 {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool operator==(const SuperpointParams& a, const SuperpointParams& b) {
    return a.useDatasetSuperpoints == b.useDatasetSuperpoints && a.normals.k == b.normals.k &&
           a.normals.sign == b.normals.sign && a.normals.threads == b.normals.threads &&
           a.eigenFeatures.anchorCount == b.eigenFeatures.anchorCount &&
           a.eigenFeatures.anchorRatio == b.eigenFeatures.anchorRatio &&
           a.eigenFeatures.k == b.eigenFeatures.k && a.eigenFeatures.seed == b.eigenFeatures.seed &&
           a.eigenFeatures.threads == b.eigenFeatures.threads && a.graphNeighbours == b.graphNeighbours &&
           a.edgeWeighting == b.edgeWeighting && a.normalWeight == b.normalWeight &&
           a.geometryWeight == b.geometryWeight && a.colorWeight == b.colorWeight &&
           a.regularization == b.regularization && a.cutPursuit == b.cutPursuit &&
           a.minSuperpointSize == b.minSuperpointSize && a.smallMergeRule == b.smallMergeRule &&
           a.planarMerge == b.planarMerge && a.threads == b.threads;
}

std::vector<float> superpointFeatures(const std::vector<Eigen::Vector3f>& normals,
                                      const std::vector<Eigen::Vector3f>& shape, const std::uint8_t* rgb,
                                      const SuperpointParams& params, std::size_t& dim) {
    const std::size_t n = normals.size();
    if (shape.size() != n)
        throw InvalidArgument("superpoint features: normals and shape features differ in count");
    const bool useColor = rgb != nullptr && params.colorWeight > 0.0f;
    dim = useColor ? 9 : 6;
    std::vector<float> f(n * dim);
    for (std::size_t i = 0; i < n; ++i) {
        float* row = f.data() + i * dim;
        for (int k = 0; k < 3; ++k) {
            row[k] = params.normalWeight * normals[i][k];
            row[3 + k] = params.geometryWeight * shape[i][k];
        }
        if (useColor)
            for (int k = 0; k < 3; ++k)
                row[6 + k] = params.colorWeight * float(rgb[i * 3 + std::size_t(k)]) / 255.0f;
    }
    return f;
}

SuperpointPartition runSuperpointPartition(const Scene& scene, const SuperpointParams& params,
                                           const Progress& progress) {
    if (params.graphNeighbours < 1)
        throw InvalidArgument("superpoints: the graph needs at least 1 neighbour per point");
    if (!(params.regularization >= 0.0))
        throw InvalidArgument("superpoints: the regularization ρ must be ≥ 0");
    checkPlanarMergeParams(params.planarMerge);  // before the work whose result it would throw away
    SuperpointPartition out;
    const std::size_t n = scene.pointCount();
    auto log = logger("superpoint");

    if (params.useDatasetSuperpoints) {
        if (const AttributeArray* given = scene.find(attr::kSuperpoint);
            given != nullptr && given->type() == ScalarType::Int32 && given->components() == 1) {
            out.labels.assign(given->data<std::int32_t>(), given->data<std::int32_t>() + n);
            out.count = relabelByFirstVertex(out.labels);
            out.fromDataset = true;
            log->info("superpoints: using the {} dataset superpoints of the scene", out.count);
            progress.report(1.0);
            return out;
        }
    }
    if (n == 0) return out;

    // One kNN query serves the normals (the point and its k − 1 nearest others) and the adjacency graph
    // (the first graphNeighbours columns); it is counted in the graph time. Every intermediate is released
    // as soon as its consumer is done, and the order keeps few of them alive at once: the kNN table is
    // consumed by the graph build before the shape features and the feature matrix are computed.
    auto start = std::chrono::steady_clock::now();
    NeighborLists nb = knnAll(scene.positions, std::max(params.normals.k - 1, params.graphNeighbours),
                              SelfMatch::Exclude, params.threads, progress);
    out.timings.graph = secondsSince(start);
    releaseFreedMemory();  // the kd-tree; each step below starts from released memory (FreedMemory.h)
    start = std::chrono::steady_clock::now();
    std::vector<Eigen::Vector3f> normals;
    {
        NormalParams normalParams = params.normals;
        normalParams.threads = params.threads;
        normals = normalsFromNeighbours(scene.positions, nb, normalParams, progress.sub(0.0, 0.15));
    }
    out.timings.features = secondsSince(start);

    progress.check();
    start = std::chrono::steady_clock::now();
    double meanEdgeLength = 0.0;  // the planar merge's length scale
    WeightedGraph graph = buildKnnGraph(std::move(nb), params.graphNeighbours, params.edgeWeighting,
                                        &meanEdgeLength);  // releases nb
    out.timings.graph += secondsSince(start);
    releaseFreedMemory();  // the kNN table
    progress.report(0.2);

    start = std::chrono::steady_clock::now();
    std::size_t dim = 0;
    std::vector<float> features;
    {
        EigenFeatureParams eigenParams = params.eigenFeatures;
        eigenParams.threads = params.threads;
        const auto shape = runEigenFeatures(scene.positions, eigenParams, progress.sub(0.2, 0.4));
        const AttributeArray* color = scene.find(attr::kColor);
        const std::uint8_t* rgb =
            color != nullptr && color->type() == ScalarType::UInt8 && color->components() == 3
                ? color->data<std::uint8_t>()
                : nullptr;
        features = superpointFeatures(normals, shape.values, rgb, params, dim);
        std::vector<Eigen::Vector3f>().swap(normals);
    }
    out.timings.features += secondsSince(start);
    releaseFreedMemory();  // normals and shape features
    progress.report(0.4);

    start = std::chrono::steady_clock::now();
    CutPursuitParams cp = params.cutPursuit;
    cp.regularization = params.regularization;
    cp.threads = params.threads;
    CutPursuitResult result = cutPursuit(graph, features, dim, {}, cp, progress.sub(0.4, 0.95));
    out.timings.cutPursuit = secondsSince(start);
    out.cutPursuitComponents = result.componentCount;
    out.energyTrace = std::move(result.energyTrace);
    std::vector<float>().swap(result.values);  // unused here
    releaseFreedMemory();

    start = std::chrono::steady_clock::now();
    out.labels = std::move(result.component);
    const SmallMergeEnergy energy{features, dim, params.regularization};
    out.count =
        mergeSmallComponents(graph, out.labels, params.minSuperpointSize, params.smallMergeRule, &energy);
    out.minimumSizeComponents = out.count;
    out.timings.merge = secondsSince(start);
    progress.report(0.98);

    start = std::chrono::steady_clock::now();
    // A graph whose edges all have length 0 (every point repeated) has nothing to fit planes to.
    if (params.planarMerge.penalty > 0.0 && meanEdgeLength > 0.0) {
        // The merge works on a per-component summary only: the graph and the features are consumed (each
        // released once read), so the merge's own lists never add to them and the stage's memory peak
        // stays in the cut pursuit.
        PlanarMergeInput input = summarisePlanarMergeInput(std::move(graph), std::move(features), dim, scene.positions,
                                                           meanEdgeLength, out.labels);
        releaseFreedMemory();
        out.count = mergePiecewisePlanar(std::move(input), out.labels, params.planarMerge, progress.sub(0.98, 1.0));
    }
    out.timings.planarMerge = secondsSince(start);
    releaseFreedMemory();  // before the next stage allocates
    progress.report(1.0);
    log->info(
        "superpoints: {} points → {} cut-pursuit components → {} (min size {}) → {} superpoints (planar "
        "merge λ {}); {:.2f} s features, {:.2f} s graph, {:.2f} s cut pursuit, {:.2f} s merge, {:.2f} s "
        "planar merge",
        n, out.cutPursuitComponents, out.minimumSizeComponents, params.minSuperpointSize, out.count,
        params.planarMerge.penalty, out.timings.features, out.timings.graph, out.timings.cutPursuit,
        out.timings.merge, out.timings.planarMerge);
    return out;
}

}  // namespace s4
