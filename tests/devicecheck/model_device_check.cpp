// s4modelcheck: does the model stack give the same answers on another device or precision as on the CPU in
// float32? The reference is always CPU fp32; the candidate is --device/--precision (default: cuda in its
// automatic fp16). Compared: text embeddings, an image embedding, and, through a whole open-vocabulary
// session on a synthetic two-plane scene, every point's prompt similarity and label. Without --model and
// --tokenizer it writes a tiny random CLIP (Hugging Face layout) and an untrained tokenizer checkpoint
// first, so it needs no files. Qt-free, so it builds with -DS4_MODEL_ONLY=ON on GPU machines that have a
// CUDA LibTorch but not the desktop stack (scripts/device/README.md).
//
// Prints one JSON object. Exit status: 0 agreement within the tolerances, 1 disagreement, 2 the candidate
// cannot run here (no CUDA, fp16 on the CPU) or bad arguments.

#include "core/common/Error.h"
#include "core/model/TorchRuntime.h"
#include "core/model/clip/RandomClipModel.h"
#include "core/model/encoder/RandomTokenizerCheckpoint.h"
#include "core/model/engine/ClipEngine.h"
#include "core/model/engine/OpenVocabSession.h"
#include "core/pipeline/TokenizationPipeline.h"
#include "core/scene/Scene.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Options {
    s4::ComputeOptions candidate{s4::ComputeDevice::Cuda, s4::ComputePrecision::Auto, 0};
    fs::path model, tokenizer, work;
};

const char* kUsage =
    "usage: s4modelcheck [--device cpu|cuda] [--precision auto|fp32|fp16|bf16] [--threads N]\n"
    "                    [--model CLIP --tokenizer CKPT] [--work DIR]\n"
    "Compares the candidate device/precision (default: cuda, auto = fp16) with CPU fp32.\n";

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw s4::InvalidArgument(a + " needs a value");
            return argv[++i];
        };
        if (a == "--device") o.candidate.device = s4::parseComputeDevice(value());
        else if (a == "--precision") o.candidate.precision = s4::parseComputePrecision(value());
        else if (a == "--threads") o.candidate.threads = std::stoi(value());
        else if (a == "--model") o.model = value();
        else if (a == "--tokenizer") o.tokenizer = value();
        else if (a == "--work") o.work = value();
        else if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else
            throw s4::InvalidArgument("unknown argument " + a);
    }
    if (o.model.empty() != o.tokenizer.empty())
        throw s4::InvalidArgument("give both --model and --tokenizer, or neither (tiny random models)");
    return o;
}

/// A floor and a wall of 40 × 40 points each: two superpoint families, enough for 64 patches of 16.
s4::Scene twoPlanes() {
    s4::Scene s;
    for (int i = 0; i < 40; ++i)
        for (int j = 0; j < 40; ++j) {
            s.positions.push_back({i * 0.05f, j * 0.05f, 0.0f});
            s.positions.push_back({i * 0.05f, 0.0f, 0.05f + j * 0.05f});
        }
    return s;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
    }
    return dot / std::sqrt(na * nb);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
        s4::resolveComputePrecision(o.candidate.device, o.candidate.precision);
        s4::requireComputeDevice(o.candidate.device);
    } catch (const std::exception& e) {
        std::cerr << "s4modelcheck: " << e.what() << '\n' << kUsage;
        return 2;
    }
    try {
        // Tiny random models unless real ones are given: the comparison is about arithmetic, not meaning.
        if (o.model.empty()) {
            const fs::path work = o.work.empty() ? fs::temp_directory_path() / "s4modelcheck" : o.work;
            fs::create_directories(work);
            o.model = work / "tiny-clip";
            o.tokenizer = work / "tokenizer";
            s4::clip::writeRandomClipHuggingFaceFolder(o.model, s4::clip::tinyClipConfig(), 11);
            s4::TokenizationParams params;
            params.sampling.count = 64;
            params.grouping.groupSize = 16;
            s4::writeRandomTokenizerCheckpoint(o.tokenizer, s4::clip::tinyClipConfig(), params, 3);
        }
        const s4::ComputeOptions reference{s4::ComputeDevice::Cpu, s4::ComputePrecision::Float32, o.candidate.threads};
        // One load per configuration: the sessions' CLIP models serve the text and image checks too.
        const s4::OpenVocabModelPaths paths{o.model, {}, o.tokenizer};
        s4::OpenVocabSession refSession(paths, reference), candSession(paths, o.candidate);
        const s4::ClipEngine& refClip = refSession.clip();
        const s4::ClipEngine& candClip = candSession.clip();

        json report{{"reference", refClip.description()}, {"candidate", candClip.description()}};
        bool pass = true;
        // fp16 keeps 11 mantissa bits, bf16 8: the bound on 1 − cosine follows the coarser one.
        const bool bf16 = candClip.precision() == s4::ComputePrecision::BFloat16;
        const double minCosine = bf16 ? 0.999 : 0.9995, maxHeatmapError = bf16 ? 0.03 : 0.01;

        const std::vector<std::string> texts{"a chair", "a wooden table", "a photo of a sofa in a living room"};
        const auto refText = refClip.embedText(texts, true), candText = candClip.embedText(texts, true);
        double worstText = 1.0;
        for (std::size_t i = 0; i < texts.size(); ++i) worstText = std::min(worstText, cosine(refText[i], candText[i]));
        report["text_min_cosine"] = worstText;
        pass &= worstText >= minCosine;

        const int size = refClip.config().vision.imageSize;
        std::vector<float> image(std::size_t(3 * size * size));
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (auto& v : image) v = normal(rng);
        const double imageCosine =
            cosine(refClip.embedImages({image}, true)[0], candClip.embedImages({image}, true)[0]);
        report["image_cosine"] = imageCosine;
        pass &= imageCosine >= minCosine;

        const s4::Scene scene = twoPlanes();
        refSession.encodeScene(scene);
        candSession.encodeScene(scene);
        const auto refHeat = refSession.heatmap("chair"), candHeat = candSession.heatmap("chair");
        if (refHeat.size() != candHeat.size())
            throw std::runtime_error("the heatmaps differ in size: " + std::to_string(refHeat.size()) + " vs " +
                                     std::to_string(candHeat.size()));
        double worstHeat = 0.0;
        for (std::size_t i = 0; i < refHeat.size(); ++i)
            worstHeat = std::max(worstHeat, double(std::abs(refHeat[i] - candHeat[i])));
        report["heatmap_max_abs_error"] = worstHeat;
        pass &= worstHeat <= maxHeatmapError;

        s4::OpenVocabQuery query;
        query.classNames = {"floor", "wall", "chair", "table"};
        const auto refLabels = refSession.segment(query), candLabels = candSession.segment(query);
        if (refLabels.label.size() != candLabels.label.size())
            throw std::runtime_error("the label lists differ in size");
        std::size_t same = 0;
        for (std::size_t i = 0; i < refLabels.label.size(); ++i) same += refLabels.label[i] == candLabels.label[i];
        // Reported, not judged: with random models near-ties flip under any rounding.
        report["label_agreement"] = double(same) / double(std::max<std::size_t>(1, refLabels.label.size()));
        report["points"] = refHeat.size();
        report["pass"] = pass;
        std::cout << report.dump(2) << '\n';
        return pass ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "s4modelcheck: " << e.what() << '\n';
        return 2;
    }
}
