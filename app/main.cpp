// s4studio: the studio window by default, `--batch <command> ...` for headless jobs.

#include "app/BatchCommands.h"
#include "core/common/Error.h"
#include "core/common/Log.h"

#ifdef S4_HAVE_GUI
#include "gui/StudioLauncher.h"
#endif

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

std::string batchHelp() {
    std::string text = "Headless commands (s4studio --batch COMMAND --help for each):";
    for (const auto& name : s4::app::batchCommandNames()) text += "\n  " + name;
    return text;
}

} // namespace

int main(int argc, char** argv) {
    // Everything after "--batch COMMAND" belongs to the command's own parser.
    std::vector<std::string> globalArgs, commandArgs;
    std::string batchCommand;
    bool inBatch = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (inBatch) {
            commandArgs.push_back(arg);
        } else if (arg == "--batch") {
            if (i + 1 >= argc) {
                std::cerr << "error: --batch needs a command\n" << batchHelp() << std::endl;
                return 2;
            }
            batchCommand = argv[++i];
            inBatch = true;
        } else {
            globalArgs.push_back(arg);
        }
    }

    CLI::App cli("S4Studio: superpoint-aware 3D tokenization and open-vocabulary labelling with CLIP", "s4studio");
    cli.footer(batchHelp());
    cli.set_version_flag("--version", std::string("s4studio ") + S4_VERSION);
    std::string logLevel = "info";
    cli.add_option("--log-level", logLevel, "trace, debug, info, warn, error, critical or off")->default_val("info");
#ifdef S4_HAVE_GUI
    s4::gui::StudioOptions studio;
    cli.add_option("file", studio.openFile, "Point cloud to open in the studio window");
    cli.add_option("--open", studio.openFile, "Point cloud to open (same as FILE)");
    cli.add_option("--view", studio.view,
                   "Initial view: rgb, height, superpoints, anchors, patches, labels, sweep (gamma sweep window) or prompts (Prompts panel)");
    cli.add_option("--screenshot", studio.screenshot, "Save a PNG of the window once the scene is shown");
    cli.add_flag("--exit", studio.exitAfterScreenshot, "Quit after the screenshot");
    cli.add_option("--gamma", studio.gamma, "WFPS γ in [0, 1] of the tokenization panel");
    cli.add_option("--tokenizer", studio.tokenizer, "Tokenizer of the tokenization panel: knn, ball or s4token");
#endif
    std::vector<std::string> reversed(globalArgs.rbegin(), globalArgs.rend());
    try {
        cli.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e) == 0 ? 0 : 2;  // as every batch command: usage errors exit with 2
    }

    try {
        s4::configureLogging(logLevel, s4::userStateDirectory() / "s4studio.log");
    } catch (const s4::Error& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 2;
    }

    if (inBatch) return s4::app::runBatchCommand(batchCommand, commandArgs);

#ifdef S4_HAVE_GUI
    return s4::gui::runStudio(argc, argv, studio);
#else
    std::cerr << "error: this build has no GUI (S4_BUILD_GUI=OFF); use --batch" << std::endl;
    return 2;
#endif
}
