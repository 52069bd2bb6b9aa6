#pragma once
// Segmentation scores. Scenes (ScanNet, S3DIS): per-class IoU, mIoU, per-class accuracy, mAcc and overall
// accuracy from a confusion matrix, with an ignore label. Parts (ShapeNetPart): per-shape IoU over the
// parts of the shape's category, averaged per shape (mIoU_I) and per category (mIoU_C), S4TOKEN.md §8.
//
// Scene conventions (the usual ScanNet / S3DIS ones; §8 only says mAcc is the mean per-class accuracy):
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

/// One labelled shape of a part-segmentation benchmark and the parts its category has.
struct PartShape {
    std::int32_t category = 0;
    std::span<const std::int32_t> truth;
    std::span<const std::int32_t> prediction;
    std::span<const std::int32_t> categoryParts;  ///< the part ids of the category (ShapeNetPart: 2–6)
};

struct PartSegmentationScores {
    std::vector<double> shapeIoU;      ///< per shape: mean IoU over its category's parts
    std::map<std::int32_t, double> categoryIoU;  ///< per category: mean shape IoU
    double instanceMeanIoU = 0.0;      ///< mIoU_I: mean over shapes
    double categoryMeanIoU = 0.0;      ///< mIoU_C: mean over categories
};

/// ShapeNetPart's protocol (§8): for each shape and each part p of its category, IoU_p = TP / (TP + FP +
/// FN) over the shape's points, and 1 when p is neither in the truth nor in the prediction; a predicted
/// id that is not one of the category's parts is a miss for the true part. Throws s4::InvalidArgument
/// for a shape whose label spans differ in length, that has no points, or whose category has no parts.
PartSegmentationScores evaluatePartSegmentation(std::span<const PartShape> shapes);

}  // namespace s4
