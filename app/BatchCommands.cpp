#include "app/BatchCommands.h"
#include "app/BatchSupport.h"

#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "core/scene/SceneSummary.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace s4::app {
namespace {

void addReadOptions(CLI::App& cli, ReadOptions& options, std::string& formatName) {
    cli.add_option("--format", formatName, "Force a reader: ply pcd text shapenetpart-pts s3dis off kitti mmdet-bin npy las")
        ->default_val("auto");
    cli.add_option("--columns", options.columns, "Text files: column spec, e.g. \"x,y,z,r,g,b,label\"");
    cli.add_option("--mesh-samples", options.meshSamples, "Meshes: points sampled on the surface")
        ->default_val(options.meshSamples);
    cli.add_option("--seed", options.seed, "Seed for random choices (mesh sampling)")->default_val(0);
}

int infoCommand(const std::vector<std::string>& args) {
    CLI::App cli("Print one JSON object per file: format, point count, fields, bounding box, label histogram",
                 "s4studio --batch info");
    std::vector<std::string> files;
    ReadOptions options;
    std::string format;
    cli.add_option("files", files, "Point-cloud files or S3DIS room folders")->required();
    addReadOptions(cli, options, format);
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;

    int status = 0;
    for (const auto& file : files) {
        try {
            options.format = parseFormatName(format);
            Scene scene = readScene(file, options);
            std::cout << summarizeScene(scene).dump() << std::endl;
        } catch (const Error& e) {
            std::cerr << "error: " << e.what() << std::endl;
            status = 1;
        } catch (const std::bad_alloc&) {
            std::cerr << "error: " << file << ": out of memory while reading" << std::endl;
            status = 1;
        }
    }
    return status;
}

} // namespace

std::vector<std::string> batchCommandNames() {
    return {"info",      "superpoints", "tokenize",    "partition-quality", "tokenize-text",
            "embed-text", "embed-image", "label",       "classify",          "init-tokenizer"};
}

int runBatchCommand(const std::string& command, const std::vector<std::string>& args) {
    if (command == "info") return infoCommand(args);
    if (int rc = runTokenizeCommand(command, args); rc >= 0) return rc;
    if (int rc = runModelCommand(command, args); rc >= 0) return rc;
    std::cerr << "error: unknown batch command '" << command << "' (available:";
    for (const auto& name : batchCommandNames()) std::cerr << ' ' << name;
    std::cerr << ")" << std::endl;
    return 2;
}

} // namespace s4::app
