#include "core/eval/SegmentationMetrics.h"

#include "core/common/Error.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>

namespace s4 {

void ConfusionMatrix::add(std::span<const std::int32_t> truth, std::span<const std::int32_t> prediction) {
    if (truth.size() != prediction.size())
        throw InvalidArgument("segmentation metrics: " + std::to_string(truth.size()) +
                              " ground-truth labels but " + std::to_string(prediction.size()) +
                              " predictions");
    // Run-length accumulation: neighbouring points often share both labels.
    std::pair<std::int32_t, std::int32_t> last{0, 0};
    std::uint64_t run = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i] == ignore_) continue;
        const std::pair<std::int32_t, std::int32_t> key{truth[i], prediction[i]};
        if (run > 0 && key == last) {
            ++run;
            continue;
        }
        if (run > 0) counts_[last] += run;
        last = key;
        run = 1;
    }
    if (run > 0) counts_[last] += run;
}

std::uint64_t ConfusionMatrix::count(std::int32_t truth, std::int32_t prediction) const {
    const auto it = counts_.find({truth, prediction});
    return it == counts_.end() ? 0 : it->second;
}

SegmentationScores ConfusionMatrix::scores() const {
    SegmentationScores s;
    std::set<std::int32_t> classes;
    std::map<std::int32_t, std::uint64_t> tp, truthTotal, predTotal;
    std::uint64_t correct = 0;
    for (const auto& [key, n] : counts_) {
        const auto [t, p] = key;
        classes.insert(t);
        truthTotal[t] += n;
        if (p != ignore_) {
            classes.insert(p);
            predTotal[p] += n;
        }
        if (t == p) {
            tp[t] += n;
            correct += n;
        }
        s.countedPoints += n;
    }
    if (s.countedPoints == 0) return s;
    double iouSum = 0.0, accSum = 0.0;
    std::size_t accCount = 0;
    for (const std::int32_t c : classes) {
        const double t = double(tp[c]);
        const double fn = double(truthTotal[c]) - t;
        const double fp = double(predTotal[c]) - t;
        const double iou = t / (t + fp + fn);  // > 0 denominator: c was seen as truth or prediction
        s.classes.push_back(c);
        s.iou.push_back(iou);
        iouSum += iou;
        if (truthTotal[c] > 0) {
            const double acc = t / double(truthTotal[c]);
            s.accuracy.push_back(acc);
            accSum += acc;
            ++accCount;
        } else {
            s.accuracy.push_back(std::numeric_limits<double>::quiet_NaN());
        }
    }
    s.meanIoU = iouSum / double(s.classes.size());
    s.meanAccuracy = accCount > 0 ? accSum / double(accCount) : 0.0;
    s.overallAccuracy = double(correct) / double(s.countedPoints);
    return s;
}

SegmentationScores evaluateSegmentation(std::span<const std::int32_t> truth,
                                        std::span<const std::int32_t> prediction, std::int32_t ignoreLabel) {
    ConfusionMatrix m(ignoreLabel);
    m.add(truth, prediction);
    return m.scores();
}

PartSegmentationScores evaluatePartSegmentation(std::span<const PartShape> shapes) {
    PartSegmentationScores s;
    std::map<std::int32_t, std::pair<double, std::size_t>> byCategory;  // sum of shape IoUs, shapes
    for (std::size_t k = 0; k < shapes.size(); ++k) {
        const PartShape& shape = shapes[k];
        const std::string which = "part segmentation: shape " + std::to_string(k);
        if (shape.truth.size() != shape.prediction.size())
            throw InvalidArgument(which + " has " + std::to_string(shape.truth.size()) + " ground-truth labels but " +
                                  std::to_string(shape.prediction.size()) + " predictions");
        if (shape.truth.empty()) throw InvalidArgument(which + " has no points");
        if (shape.categoryParts.empty()) throw InvalidArgument(which + ": its category has no parts");
        double sum = 0.0;
        for (const std::int32_t part : shape.categoryParts) {
            std::uint64_t tp = 0, fp = 0, fn = 0;
            for (std::size_t i = 0; i < shape.truth.size(); ++i) {
                const bool isTrue = shape.truth[i] == part, isPredicted = shape.prediction[i] == part;
                tp += isTrue && isPredicted;
                fp += !isTrue && isPredicted;
                fn += isTrue && !isPredicted;
            }
            const std::uint64_t denominator = tp + fp + fn;
            sum += denominator == 0 ? 1.0 : double(tp) / double(denominator);
        }
        const double iou = sum / double(shape.categoryParts.size());
        s.shapeIoU.push_back(iou);
        auto& [categorySum, count] = byCategory[shape.category];
        categorySum += iou;
        ++count;
    }
    if (shapes.empty()) return s;
    double instanceSum = 0.0;
    for (const double iou : s.shapeIoU) instanceSum += iou;
    s.instanceMeanIoU = instanceSum / double(s.shapeIoU.size());
    double categorySum = 0.0;
    for (const auto& [category, entry] : byCategory) {
        s.categoryIoU[category] = entry.first / double(entry.second);
        categorySum += s.categoryIoU[category];
    }
    s.categoryMeanIoU = categorySum / double(byCategory.size());
    return s;
}

}  // namespace s4
