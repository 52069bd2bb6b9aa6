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
//      weight (SmallComponentMerge.h); labels renumbered by smallest point index.
// If the scene carries dataset superpoints (attribute "superpoint", e.g. from ScanNet's segs.json) and
// useDatasetSuperpoints is set, those are used instead (§1.4), only renumbered.

#include "core/common/Progress.h"
#include "core/geometry/PointFeatures.h"
#include "core/scene/Scene.h"
#include "core/superpoint/CutPursuit.h"
#include "core/superpoint/KnnGraph.h"
#include "core/superpoint/SmallComponentMerge.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s4 {

/// Defaults tuned on ScanNet scene0000_00 (81,369 points): ~3,500 superpoints of mean size ~23 points,
/// oracle mIoU ~0.865 (bench/README.md "Superpoints"; tests/superpoint/tst_superpointpartition.cpp).
struct SuperpointParams {
    bool useDatasetSuperpoints = true;  ///< §1.4: take the scene's "superpoint" attribute when present
    NormalParams normals;               ///< §1.2; sign: largest component positive [project choice]
    EigenFeatureParams eigenFeatures;   ///< §1.1; anchors by FPS
    int graphNeighbours = 10;           ///< k of the adjacency graph (SPG uses 10)
    EdgeWeighting edgeWeighting = EdgeWeighting::InverseDistance;  ///< w = 1/(1 + d/d̄) as in SPG
    float normalWeight = 1.0f;    ///< weight of the normal group in the partition feature
    float geometryWeight = 1.0f;  ///< weight of (linearity, planarity, scattering)
    /// Weight of rgb/255 (used only if the scene has "rgb"). The paper's feature is (n, g) only; on
    /// ScanNet colour separates flat objects on walls (pictures, windows, doors) [project choice].
    float colorWeight = 2.0f;
    double regularization = 0.05;       ///< ρ of the cut pursuit energy
    CutPursuitParams cutPursuit = [] {  ///< iterations etc.; its regularization is overwritten by ρ above
        CutPursuitParams p;
        p.tolerance = 1e-3;
        return p;
    }();
    std::size_t minSuperpointSize = 10;  ///< smaller components are merged into a neighbour
    SmallMergeRule smallMergeRule = SmallMergeRule::Energy;  ///< which neighbour absorbs them
    int threads = 0;                                         ///< 0 = all cores (normals, features, kNN)
};

/// Field-by-field equality (callers cache a partition per parameter set).
bool operator==(const SuperpointParams& a, const SuperpointParams& b);

/// Wall-clock seconds spent in each sub-stage (for the benchmark and the log).
struct SuperpointTimings {
    double features = 0.0;  ///< normals + eigen features + feature assembly
    double graph = 0.0;     ///< kNN + adjacency graph
    double cutPursuit = 0.0;
    double merge = 0.0;  ///< minimum-size merge + renumbering
};

struct SuperpointPartition {
    std::vector<std::int32_t> labels;  ///< per point, 0..count-1 numbered by smallest point index
    std::size_t count = 0;
    bool fromDataset = false;              ///< labels came from the scene's "superpoint" attribute
    std::size_t cutPursuitComponents = 0;  ///< components before the minimum-size merge
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
