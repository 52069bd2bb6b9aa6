#pragma once
// Semantic segmentation scores from a confusion matrix: per-class IoU, mIoU, per-class accuracy, mAcc
// and overall accuracy, with an ignore label.
//
// Conventions (S4TOKEN.md §8):
//  - points whose ground truth is the ignore label are not counted at all;
//  - a prediction equal to the ignore label on a counted point is a miss for the true class (a false
//    negative) and a false positive of no class;
//  - the evaluated classes are those present in the ground truth or in the predictions of counted
//    points; a class absent from both cannot be scored and is left out of every mean;
//  - IoU_c = TP / (TP + FP + FN); a class that is only predicted has IoU 0 and counts in mIoU;
//  - accuracy_c = TP / (TP + FN) is defined for classes present in the ground truth only, and mAcc
//    averages those;
//  - overall accuracy = correct counted points / counted points.

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

namespace s4 {

struct SegmentationScores {
    std::vector<std::int32_t> classes;  ///< evaluated class ids, ascending
    std::vector<double> iou;            ///< per evaluated class
    std::vector<double> accuracy;       ///< per evaluated class; NaN for classes absent from the ground truth
    double meanIoU = 0.0;
    double meanAccuracy = 0.0;
    double overallAccuracy = 0.0;
    std::uint64_t countedPoints = 0;  ///< points whose ground truth is not the ignore label
};

/// Counts (truth, prediction) pairs; can accumulate several scenes before scoring.
class ConfusionMatrix {
public:
    explicit ConfusionMatrix(std::int32_t ignoreLabel = 0) : ignore_(ignoreLabel) {}

    /// Adds one scene. Throws s4::InvalidArgument if the spans differ in length.
    void add(std::span<const std::int32_t> truth, std::span<const std::int32_t> prediction);
    /// Number of counted points with this truth and prediction.
    std::uint64_t count(std::int32_t truth, std::int32_t prediction) const;
    /// Scores of everything added so far (all zero when nothing was counted).
    SegmentationScores scores() const;

private:
    std::int32_t ignore_;
    std::map<std::pair<std::int32_t, std::int32_t>, std::uint64_t> counts_;
};

/// Scores of one scene (a ConfusionMatrix with one add()).
SegmentationScores evaluateSegmentation(std::span<const std::int32_t> truth,
                                        std::span<const std::int32_t> prediction,
                                        std::int32_t ignoreLabel = 0);

}  // namespace s4
