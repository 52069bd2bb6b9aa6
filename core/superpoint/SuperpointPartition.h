#pragma once
// The superpoint stage (S4TOKEN.md §1, paper §3.2 / App. A.1): scene positions (+ optional colour) →
// per-point superpoint labels 0..S-1.
//
//   1. features per point: sign-invariant PCA normal n (core/geometry/PointFeatures.h), the eigenvalue
//      shape features g = (linearity, planarity, scattering) over FPS anchors, optionally rgb/255;
//      each group is multiplied by its weight (so its share of the squared distance scales with w²);
//   2. graph: symmetrised kNN adjacency with distance-decreasing weights (KnnGraph.h);
//   3. ℓ0 cut pursuit on (graph, features) with regularisation ρ (CutPursuit.h);
//   4. minimum size: components smaller than minSuperpointSize are merged into a neighbour — by
//      default the one whose merge raises the energy least, optionally the one sharing the most edge
//      weight (SmallComponentMerge.h);
//   5. piecewise-planar merge: adjacent components are joined while that lowers a plane-fit + feature
//      energy with a per-superpoint penalty (PlanarMerge.h) [project addition]; labels renumbered by
//      smallest point index.
// If the scene carries dataset superpoints (attribute "superpoint", e.g. from ScanNet's segs.json) and
// useDatasetSuperpoints is set, those are used instead (§1.4), only renumbered.

#include "core/common/Progress.h"
#include "core/geometry/PointFeatures.h"
#include "core/scene/Scene.h"
#include "core/superpoint/CutPursuit.h"
#include "core/superpoint/KnnGraph.h"
#include "core/superpoint/PlanarMerge.h"
#include "core/superpoint/SmallComponentMerge.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// Defaults tuned on ScanNet scene0000_00 (81,369 points): ~3,970 superpoints of mean size ~20.5 points,
/// oracle mIoU ~0.903 (bench/README.md "Superpoints"; tests/superpoint/tst_superpointpartition.cpp).
/// The tuning numbers quoted below are oracle mIoU on that scene at a mean size of 20–25 points; those
/// marked "without the planar merge" were measured with the earlier steps only (ρ = 0.05, minimum
/// size 8: 0.889 at a mean size of 20.3).
struct SuperpointParams {
    bool useDatasetSuperpoints = true;  ///< §1.4: take the scene's "superpoint" attribute when present
    /// §1.2; sign: largest component positive [project choice]. k = 12 rather than the general default 30:
    /// normals from a smaller neighbourhood stay sharp up to object edges (with the former defaults
    /// geometryWeight 1, minimum size 10: 0.865 with k = 30, 0.871 with 20, 0.873 with 16, 0.876 with 12,
    /// 0.868 with 10). The normals reuse the graph's kNN query (the point and its k − 1 nearest others).
    NormalParams normals = [] {
        NormalParams p;
        p.k = 12;
        return p;
    }();
    EigenFeatureParams eigenFeatures;   ///< §1.1; anchors by FPS
    int graphNeighbours = 10;           ///< k of the adjacency graph (SPG uses 10)
    EdgeWeighting edgeWeighting = EdgeWeighting::InverseDistance;  ///< w = 1/(1 + d/d̄) as in SPG
    float normalWeight = 1.0f;    ///< weight of the normal group in the partition feature
    /// Weight of (linearity, planarity, scattering). 0.5: the shape features over FPS anchors vary
    /// smoothly across object boundaries and add crumbs more than they separate objects (without the
    /// planar merge, k = 12, minimum size 9: 0.876 with 1, 0.882 with 0.7 and 0.5, 0.881 with 0.3, 0.879
    /// with 0).
    float geometryWeight = 0.5f;
    /// Weight of rgb/255 (used only if the scene has "rgb"). The paper's feature is (n, g) only; on
    /// ScanNet colour separates flat objects on walls (pictures, windows, doors) [project choice].
    float colorWeight = 2.0f;
    /// ρ of the cut pursuit energy. Small, so that the cut pursuit keeps the fine structure (~43,000
    /// components on ScanNet; 19,178 with oracle mIoU 0.940 after the minimum size 2) and the planar merge
    /// decides what to join: with the merge brought to a mean size of 20, ρ = 0.015–0.03 give 0.900–0.905,
    /// 0.05 0.900, 0.08 0.893, 0.12 0.884.
    double regularization = 0.02;
    /// Iterations etc.; its regularization is overwritten by ρ above. Block size 256: the solver starts
    /// from breadth-first blocks of ≤ 256 points and solves its max-flows in batches of about 256 points,
    /// so no flow graph over the whole scene is ever built (whole tokenization heap peak on ScanNet
    /// 568 → 191 bytes per point with the other memory work; oracle mIoU 0.8893 → 0.8890 at a mean size
    /// of 20.7 → 20.3; block sizes 128–8192 gave 0.884–0.889, bench/README.md "Whole tokenization").
    CutPursuitParams cutPursuit = [] {
        CutPursuitParams p;
        p.tolerance = 1e-3;
        p.blockSize = 256;
        return p;
    }();
    /// Smaller components are merged into a neighbour before the planar merge. 2: single points are
    /// absorbed by the energy rule, whose feature term judges them better than a plane fit can (with
    /// the planar merge to a mean size of 20: 0.901 with 1, 0.903 with 2, 0.897 with 3). Without the
    /// planar merge the minimum size alone sets the mean size: 8 gave 20.3 and 0.889.
    std::size_t minSuperpointSize = 2;
    SmallMergeRule smallMergeRule = SmallMergeRule::Energy;  ///< which neighbour absorbs them
    /// Step 5; penalty 0 turns it off (the stage as it was before, used by version-1 checkpoints).
    PlanarMergeParams planarMerge;
    int threads = 0;                                         ///< 0 = all cores (normals, features, kNN)
};

/// Field-by-field equality (callers cache a partition per parameter set).
bool operator==(const SuperpointParams& a, const SuperpointParams& b);

/// Wall-clock seconds spent in each sub-stage (for the benchmark and the log).
struct SuperpointTimings {
    double features = 0.0;  ///< normals + eigen features + feature assembly
    double graph = 0.0;     ///< kNN + adjacency graph
    double cutPursuit = 0.0;
    double merge = 0.0;        ///< minimum-size merge + renumbering
    double planarMerge = 0.0;  ///< piecewise-planar merge + renumbering
};

struct SuperpointPartition {
    std::vector<std::int32_t> labels;  ///< per point, 0..count-1 numbered by smallest point index
    std::size_t count = 0;
    bool fromDataset = false;              ///< labels came from the scene's "superpoint" attribute
    std::size_t cutPursuitComponents = 0;  ///< components before the minimum-size merge
    std::size_t minimumSizeComponents = 0;  ///< components after it, before the planar merge
    std::vector<double> energyTrace;       ///< cut pursuit energy per iteration
    SuperpointTimings timings;
};

/// Runs the stage. Throws s4::InvalidArgument for invalid parameters or non-finite positions,
/// s4::Cancelled through progress.
SuperpointPartition runSuperpointPartition(const Scene& scene, const SuperpointParams& params,
                                           const Progress& progress = {});

/// The partition feature matrix (N × D row-major) of step 1 and its dimension D, from given normals,
/// shape features and optional colours (nullptr = none): [w_n·n, w_g·g, w_c·rgb/255].
std::vector<float> superpointFeatures(const std::vector<Eigen::Vector3f>& normals,
                                      const std::vector<Eigen::Vector3f>& shape, const std::uint8_t* rgb,
                                      const SuperpointParams& params, std::size_t& dim);

}  // namespace s4
