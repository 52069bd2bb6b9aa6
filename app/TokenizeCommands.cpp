// `--batch superpoints`, `--batch tokenize` and `--batch partition-quality`: argument parsing and JSON
// output around core/pipeline; no algorithm code here.
#include "app/BatchCommands.h"
#include "app/BatchSupport.h"
#include "core/common/AtomicFile.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/eval/PartitionMetrics.h"
#include "core/eval/PatchMetrics.h"
#include "core/geometry/NeighborSearch.h"
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "core/pipeline/TokenizationPipeline.h"
#include "core/tokenize/PatchAssignment.h"
#include "core/tokenize/PatchGrouping.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <climits>
#include <initializer_list>
#include <iostream>

namespace s4::app {
namespace {

using nlohmann::json;

void addSuperpointOptions(CLI::App& cli, SuperpointParams& p) {
    cli.add_option("--rho", p.regularization, "Cut pursuit regularisation ρ (S4TOKEN.md §1.3)")
        ->default_val(p.regularization)
        ->check(finiteIn(0.0, 1e6));
    cli.add_option("--graph-k", p.graphNeighbours, "Neighbours of the adjacency graph")
        ->default_val(p.graphNeighbours)
        ->check(wholeIn(1, 100));
    cli.add_option("--min-superpoint-size", p.minSuperpointSize, "Smaller components are merged into a neighbour")
        ->default_val(p.minSuperpointSize)
        ->check(wholeIn(1, 1'000'000));
    cli.add_option("--merge-penalty", p.planarMerge.penalty,
                   "Piecewise-planar merge λ: larger gives fewer, larger superpoints (0 = no merge)")
        ->default_val(p.planarMerge.penalty)
        ->check(finiteIn(0.0, 1e6));
    cli.add_option("--merge-feature-weight", p.planarMerge.featureWeight,
                   "Weight μ of the features against the plane fit in that merge")
        ->default_val(p.planarMerge.featureWeight)
        ->check(finiteIn(0.0, 1e6));
    cli.add_option("--normal-weight", p.normalWeight, "Weight of the normals in the partition feature")
        ->default_val(p.normalWeight)
        ->check(finiteIn(0.0, 1e6));
    cli.add_option("--geometry-weight", p.geometryWeight, "Weight of linearity/planarity/scattering")
        ->default_val(p.geometryWeight)
        ->check(finiteIn(0.0, 1e6));
    cli.add_option("--color-weight", p.colorWeight, "Weight of rgb (0 = unused)")
        ->default_val(p.colorWeight)
        ->check(finiteIn(0.0, 1e6));
    cli.add_flag("!--compute-superpoints", p.useDatasetSuperpoints,
                 "Ignore the cloud's own superpoints (a 'superpoint' field: ScanNet segs.json, an earlier "
                 "--batch superpoints output) and compute them");
}

// Those of `names` given on the command line (not left at their defaults), comma-separated.
std::string givenOptions(const CLI::App& cli, std::initializer_list<const char*> names) {
    std::string given;
    for (const char* name : names)
        if (cli.count(name) > 0) given += std::string(given.empty() ? "" : ", ") + name;
    return given;
}

// A cloud with its own superpoints uses them unless --compute-superpoints is given; options that shape
// computed superpoints would then do nothing, so say so rather than ignore them silently.
void warnIfSuperpointOptionsUnused(const CLI::App& cli, const SuperpointParams& p, const Scene& scene) {
    const AttributeArray* own = scene.find(attr::kSuperpoint);
    if (!p.useDatasetSuperpoints || own == nullptr || own->type() != ScalarType::Int32 || own->components() != 1)
        return;
    const std::string given =
        givenOptions(cli, {"--rho", "--graph-k", "--min-superpoint-size", "--merge-penalty", "--merge-feature-weight",
                           "--normal-weight", "--geometry-weight", "--color-weight"});
    if (!given.empty())
        logger("batch")->warn("the cloud has its own 'superpoint' field, which is used as it is: {} ignored "
                              "(add --compute-superpoints to compute superpoints with them)",
                              given);
}

json superpointJson(const SuperpointPartition& sp, std::size_t points) {
    return {{"count", sp.count},
            {"mean_size", sp.count ? double(points) / double(sp.count) : 0.0},
            {"from_dataset", sp.fromDataset},
            {"cut_pursuit_components", sp.cutPursuitComponents},
            {"minimum_size_components", sp.minimumSizeComponents},
            {"timings_ms",
             {{"features", 1000 * sp.timings.features},
              {"graph", 1000 * sp.timings.graph},
              {"cut_pursuit", 1000 * sp.timings.cutPursuit},
              {"merge", 1000 * sp.timings.merge},
              {"planar_merge", 1000 * sp.timings.planarMerge}}}};
}

int superpointsCommand(const std::vector<std::string>& args) {
    CLI::App cli("Compute superpoints (ℓ0 cut pursuit, S4TOKEN.md §1) and write them as a PLY field",
                 "s4studio --batch superpoints");
    std::string input, output;
    SuperpointParams params;
    cli.add_option("cloud", input, "Point cloud")->required();
    cli.add_option("--out", output, "Output PLY with a 'superpoint' field")->required();
    addSuperpointOptions(cli, params);
    InputOptions in;
    addInputOptions(cli, in);
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        checkWritableTarget(output);  // before the work, not after it
        Scene scene = readInput(input, in);
        warnIfSuperpointOptionsUnused(cli, params, scene);
        const auto start = std::chrono::steady_clock::now();
        SuperpointPartition sp = runSuperpointPartition(scene, params, batchProgress("superpoints"));
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        auto& attr = scene.add(attr::kSuperpoint, ScalarType::Int32, 1);
        std::copy(sp.labels.begin(), sp.labels.end(), attr.data<std::int32_t>());
        writePly(scene, output);
        json j = superpointJson(sp, scene.pointCount());
        j["file"] = input;
        j["out"] = output;
        j["points"] = scene.pointCount();
        j["dropped_non_finite"] = scene.source.droppedNonFinite;  // rows of the input not in the output
        j["total_ms"] = ms;
        printJson(j);
    });
}

// γ, the minimum candidate size, N, M and α, shared by tokenize and partition-quality.
void addGroupingOptions(CLI::App& cli, TokenizationParams& p) {
    cli.add_option("--min-candidate-size", p.sampling.minSuperpointSize,
                   "Superpoints smaller than this hold no centre (§2)")
        ->default_val(p.sampling.minSuperpointSize)
        ->check(wholeIn(0, 1'000'000'000));
    cli.add_option("--gamma", p.sampling.gamma, "WFPS γ in [0, 1] (§2)")
        ->default_val(p.sampling.gamma)
        ->check(finiteIn(0.0, 1.0));
    cli.add_option("--num-tokens", p.sampling.count, "N centres")
        ->default_val(p.sampling.count)
        ->check(wholeIn(1, 1 << 24));
    cli.add_option("--patch-size", p.grouping.groupSize, "M points per patch")
        ->default_val(p.grouping.groupSize)
        ->check(wholeIn(1, kMaxGroupSize));
    cli.add_option("--alpha", p.grouping.alpha, "r = α·s, α ≥ 1 (§3)")
        ->default_val(p.grouping.alpha)
        ->check(finiteIn(1.0, 1000.0));
}

void addSeedOption(CLI::App& cli, std::uint64_t& seed) {
    cli.add_option("--seed", seed, "Seed of every random choice")->default_val(0)->check(wholeIn(0, LLONG_MAX));
}

void addTokenizationOptions(CLI::App& cli, TokenizationParams& p, std::string& tokenizer, std::string& convention) {
    cli.add_option("--tokenizer", tokenizer, "knn, ball or s4token (S4TOKEN.md Tab. 1)")
        ->default_val("s4token")
        ->check(CLI::IsMember({"knn", "ball", "s4token"}));
    cli.add_flag("--rpn,!--no-rpn", p.grouping.relativeNormalisation, "Relative position normalisation (§3)")
        ->default_val(true);
    addGroupingOptions(cli, p);
    cli.add_option("--convention", convention, "WFPS exponent: described (w^+γ) or printed (w^-γ)")
        ->default_val("described")
        ->check(CLI::IsMember({"described", "printed"}));
}

void applySeed(TokenizationParams& p, std::uint64_t seed) {
    p.sampling.seed = seed;
    p.grouping.seed = seed;
    p.superpoints.eigenFeatures.seed = seed;
}

ExponentConvention parseConvention(const std::string& name) {
    if (name == "described") return ExponentConvention::Described;
    if (name == "printed") return ExponentConvention::Printed;
    throw InvalidArgument("unknown --convention '" + name + "' (use described or printed)");
}

int tokenizeCommand(const std::vector<std::string>& args) {
    CLI::App cli("Tokenize a cloud (superpoints → WFPS anchors → patches) and write anchor, patch and superpoint "
                 "fields",
                 "s4studio --batch tokenize");
    std::string input, output, tokenizer, convention;
    std::uint64_t seed = 0;
    TokenizationParams params;
    cli.add_option("cloud", input, "Point cloud")->required();
    cli.add_option("--out", output, "Output PLY with 'anchor', 'patch' and 'superpoint' fields")->required();
    addSeedOption(cli, seed);
    addTokenizationOptions(cli, params, tokenizer, convention);
    addSuperpointOptions(cli, params.superpoints);
    InputOptions in;
    addInputOptions(cli, in);
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        params.tokenizer = parseTokenizerName(tokenizer);
        params.sampling.convention = parseConvention(convention);
        applySeed(params, seed);
        checkWritableTarget(output);  // before the work, not after it
        const auto readStart = std::chrono::steady_clock::now();
        auto scene = std::make_shared<Scene>(readInput(input, in));
        const double readMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - readStart).count();
        warnIfSuperpointOptionsUnused(cli, params.superpoints, *scene);  // written out for every tokenizer
        if (params.tokenizer != TokenizerKind::S4Token) {
            const std::string given = givenOptions(cli, {"--gamma", "--convention", "--min-candidate-size"});
            if (!given.empty())
                logger("batch")->warn("{}: options of WFPS, which the {} tokenizer does not use (it samples plain FPS): ignored", given,
                                      tokenizer);
        }
        TokenizationPipeline pipeline;
        pipeline.setScene(scene);
        TokenizationResult r = pipeline.run(params, batchProgress("tokenize"), /*withSuperpoints=*/true);

        auto& anchor = scene->add("anchor", ScalarType::UInt8, 1);
        for (auto i : r.anchors->indices) anchor.data<std::uint8_t>()[i] = 1;
        const auto owner = assignPointsToPatches(scene->positions, *r.patches);
        auto& patch = scene->add("patch", ScalarType::Int32, 1);
        std::copy(owner.begin(), owner.end(), patch.data<std::int32_t>());
        auto& sp = scene->add(attr::kSuperpoint, ScalarType::Int32, 1);
        std::copy(r.superpoints->labels.begin(), r.superpoints->labels.end(), sp.data<std::int32_t>());
        writePly(*scene, output);

        std::size_t assigned = 0;
        for (auto o : owner) assigned += o >= 0;
        double meanValid = 0;
        for (auto c : r.patches->validCounts) meanValid += c;
        if (r.patches->count) meanValid /= double(r.patches->count);
        json j;
        j["file"] = input;
        j["out"] = output;
        j["points"] = scene->pointCount();
        j["dropped_non_finite"] = scene->source.droppedNonFinite;  // rows of the input not in the output
        j["parameters"] = {{"tokenizer", tokenizerName(params.tokenizer)},
                           {"rpn", params.grouping.relativeNormalisation},
                           {"gamma", params.tokenizer == TokenizerKind::S4Token ? params.sampling.gamma : 0.0},
                           {"convention", convention},
                           {"num_tokens", params.sampling.count},
                           {"patch_size", params.grouping.groupSize},
                           {"alpha", params.grouping.alpha},
                           {"seed", seed},
                           {"rho", params.superpoints.regularization},
                           {"merge_penalty", params.superpoints.planarMerge.penalty}};
        j["counts"] = {{"superpoints", r.superpoints->count},
                       {"anchors", r.anchors->indices.size()},
                       {"patches", r.patches->count},
                       {"mean_valid_members", meanValid},
                       {"points_in_a_patch", assigned}};
        j["spacing"] = r.patches->spacing;
        j["r"] = r.patches->radius;
        j["timings_ms"] = {{"read", readMs},
                           {"superpoints", r.timings.superpointsMs},
                           {"sampling", r.timings.samplingMs},
                           {"grouping", r.timings.groupingMs}};
        printJson(j);
    });
}

int partitionQualityCommand(const std::vector<std::string>& args) {
    CLI::App cli("Superpoint and patch quality against the cloud's semantic labels", "s4studio --batch partition-quality");
    std::string input;
    std::uint64_t seed = 0;
    int ignore = 0, boundaryK = 10;
    TokenizationParams params;
    std::string unusedTokenizer, convention;
    cli.add_option("cloud", input, "Point cloud with a 'label' field")->required();
    addSeedOption(cli, seed);
    cli.add_option("--ignore-label", ignore, "Label id that means unannotated")->default_val(0);
    cli.add_option("--boundary-k", boundaryK, "Neighbours defining a boundary")->default_val(10)->check(wholeIn(1, 100));
    addGroupingOptions(cli, params);
    addSuperpointOptions(cli, params.superpoints);
    InputOptions in;
    addInputOptions(cli, in);
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;
    return runReporting([&] {
        applySeed(params, seed);
        auto scene = std::make_shared<Scene>(readInput(input, in));
        warnIfSuperpointOptionsUnused(cli, params.superpoints, *scene);
        const AttributeArray* label = scene->find(attr::kLabel);
        if (!label || label->components() != 1 || label->type() != ScalarType::Int32)
            throw IoError(input, "has no integer 'label' field to measure against");
        std::span<const std::int32_t> truth(label->data<std::int32_t>(), label->size());
        if (std::none_of(truth.begin(), truth.end(), [&](std::int32_t l) { return l != ignore; }))
            throw InvalidArgument("no point of " + input + " carries a label other than the ignore label " +
                                  std::to_string(ignore) + ": nothing to measure against (see --ignore-label)");

        TokenizationPipeline pipeline;
        pipeline.setScene(scene);
        const auto sp = pipeline.superpoints(params.superpoints, batchProgress("superpoints"));
        const NeighborLists knn = knnAll(scene->positions, boundaryK, SelfMatch::Exclude);
        const PartitionScores ps = evaluatePartition(sp->labels, truth, knn.indices, knn.k, ignore);

        json j;
        j["file"] = input;
        j["points"] = scene->pointCount();
        j["superpoints"] = superpointJson(*sp, scene->pointCount());
        j["oracle_miou"] = ps.oracle.meanIoU;
        j["oracle_macc"] = ps.oracle.meanAccuracy;
        // A score whose denominator is empty is reported as null, not as a perfect 1 (a cloud without
        // label boundaries has nothing to recall); the counts say why.
        j["boundary_recall"] = ps.boundary.truthBoundaryPoints > 0 ? json(ps.boundary.recall) : json(nullptr);
        j["boundary_precision"] = ps.boundary.predictedBoundaryPoints > 0 ? json(ps.boundary.precision) : json(nullptr);
        j["truth_boundary_points"] = ps.boundary.truthBoundaryPoints;
        j["predicted_boundary_points"] = ps.boundary.predictedBoundaryPoints;
        j["num_tokens"] = params.sampling.count;
        j["patch_size"] = params.grouping.groupSize;
        json patches = json::object();
        for (auto kind : {TokenizerKind::Knn, TokenizerKind::Ball, TokenizerKind::S4Token}) {
            params.tokenizer = kind;
            TokenizationResult r = pipeline.run(params, batchProgress(tokenizerName(kind)));
            const PatchScores s = evaluatePatches(r.patches->members, r.patches->valid,
                                                  std::size_t(r.patches->groupSize), truth, ignore);
            const bool any = s.evaluatedPatches > 0;  // patches of ignored points only are not scored
            patches[tokenizerName(kind)] = {{"mean_purity", any ? json(s.meanPurity) : json(nullptr)},
                                            {"boundary_crossing_share", any ? json(s.crossingShare) : json(nullptr)},
                                            {"evaluated_patches", s.evaluatedPatches},
                                            {"r", r.patches->radius}};
        }
        j["patches"] = patches;
        printJson(j);
    });
}

} // namespace

int runTokenizeCommand(const std::string& command, const std::vector<std::string>& args) {
    if (command == "superpoints") return superpointsCommand(args);
    if (command == "tokenize") return tokenizeCommand(args);
    if (command == "partition-quality") return partitionQualityCommand(args);
    return -1;
}

} // namespace s4::app
