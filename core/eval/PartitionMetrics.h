#pragma once
// Quality of an over-segmentation (superpoints) against semantic ground truth.
//
// Oracle mIoU: every superpoint takes the majority ground-truth label of its points (ignored points do
// not vote; ties go to the smaller label id; a superpoint of ignored points only predicts the ignore
// label), then mIoU is computed as in SegmentationMetrics.h. It is the best mIoU any classifier that
// labels whole superpoints could reach.
//
// Boundary recall / precision (in the spirit of SPG, Landrieu & Simonovsky 2018, on points rather than
// edges), over a k-nearest-neighbour table of the cloud:
//  - a ground-truth boundary point is a point with a non-ignored label that has a kNN neighbour with a
//    different non-ignored label;
//  - a predicted boundary point is a point that has a kNN neighbour in a different superpoint;
//  - recall = share of ground-truth boundary points that are a predicted boundary point or have one
//    among their kNN neighbours (tolerance of one neighbour hop);
//  - precision = share of predicted boundary points with a non-ignored label that are a ground-truth
//    boundary point or have one among their kNN neighbours.
//  Both are 1 when their denominator is empty (nothing to find / nothing claimed).

#include "core/eval/SegmentationMetrics.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace s4 {

/// Per point: the majority ground-truth label of its superpoint (the oracle prediction).
/// Throws s4::InvalidArgument if the spans differ in length or a superpoint id is negative.
std::vector<std::int32_t> superpointMajorityLabels(std::span<const std::int32_t> superpoint,
                                                   std::span<const std::int32_t> truth,
                                                   std::int32_t ignoreLabel = 0);

struct BoundaryScores {
    double recall = 1.0;
    double precision = 1.0;
    std::uint64_t truthBoundaryPoints = 0;
    std::uint64_t predictedBoundaryPoints = 0;  ///< those with a non-ignored label (precision's denominator)
};

/// Boundary recall and precision. neighbours: N × k point indices (negative entries are skipped).
/// Throws s4::InvalidArgument for inconsistent sizes or an index out of range.
BoundaryScores boundaryScores(std::span<const std::int32_t> superpoint, std::span<const std::int32_t> truth,
                              std::span<const std::int32_t> neighbours, int k, std::int32_t ignoreLabel = 0);

struct PartitionScores {
    std::size_t superpointCount = 0;
    double meanSuperpointSize = 0.0;  ///< points per superpoint
    SegmentationScores
        oracle;  ///< scores of the majority-label prediction; oracle.meanIoU is the oracle mIoU
    BoundaryScores boundary;
};

/// Everything above for one partition (superpoint ids may be any non-negative integers).
PartitionScores evaluatePartition(std::span<const std::int32_t> superpoint,
                                  std::span<const std::int32_t> truth,
                                  std::span<const std::int32_t> neighbours, int k,
                                  std::int32_t ignoreLabel = 0);

}  // namespace s4
