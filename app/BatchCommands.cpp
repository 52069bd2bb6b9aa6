#include "app/BatchCommands.h"
#include "app/BatchSupport.h"

#include "core/common/Error.h"
#include "core/io/SceneReader.h"
#include "core/scene/SceneSummary.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace s4::app {
namespace {

int infoCommand(const std::vector<std::string>& args) {
    CLI::App cli("Print one JSON object per file: format, point count, fields, bounding box, label histogram",
                 "s4studio --batch info");
    std::vector<std::string> files;
    InputOptions input;
    cli.add_option("files", files, "Point-cloud files or S3DIS room folders")->required();
    addInputOptions(cli, input, /*withSeedAlias=*/true);
    if (int rc = parseCommandArgs(cli, args); rc >= 0) return rc;

    int status = 0;
    for (const auto& file : files) {
        try {
            printJson(summarizeScene(readInput(file, input)));
        } catch (const std::bad_alloc&) {
            std::cerr << "error: " << file << ": out of memory while reading" << std::endl;
            status = 1;
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << std::endl;
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
