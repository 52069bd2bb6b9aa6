#include "app/BatchSupport.h"

#include "core/common/Error.h"
#include "core/common/Log.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace s4::app {

int parseCommandArgs(CLI::App& cli, std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 consumes a reversed vector
    try {
        cli.parse(args);
    } catch (const CLI::ParseError& e) {
        // --help prints and succeeds; every usage error exits with 2 (CLI11's own codes are 100+ and
        // differ by error kind, which scripts should not have to know), runtime errors with 1.
        return cli.exit(e) == 0 ? 0 : 2;
    }
    return -1;
}

int runReporting(const std::function<void()>& body) {
    try {
        body();
        return 0;
    } catch (const Error& e) {
        std::cerr << "error: " << e.what() << std::endl;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory" << std::endl;
    } catch (const std::exception& e) {
        // Not one of ours (a LibTorch or library error that slipped past a check): still a message and
        // exit status 1, never an abort.
        std::cerr << "error: " << e.what() << std::endl;
    }
    return 1;
}

Progress batchProgress(const std::string& stage) {
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    auto lastPercent = std::make_shared<int>(-1);
    return Progress([stage, terminal, lastPercent](double fraction) {
        const int percent = static_cast<int>(fraction * 100.0);
        if (percent == *lastPercent) return;
        *lastPercent = percent;
        if (terminal) {
            std::fprintf(stderr, "\r%s: %3d%%%s", stage.c_str(), percent, percent >= 100 ? "\n" : "");
            std::fflush(stderr);
        } else {
            logger("batch")->debug("{}: {}%", stage, percent);
        }
    });
}

} // namespace s4::app
