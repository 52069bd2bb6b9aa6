#include "app/BatchSupport.h"

#include "core/common/Error.h"
#include "core/common/Log.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

void printJson(const nlohmann::json& value) {
    std::cout << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void addInputOptions(CLI::App& cli, InputOptions& options, bool withSeedAlias) {
    // Checked by CLI11 so that a typo is a usage error (exit 2).
    cli.add_option("--format", options.format, "Force a reader: ply pcd text shapenetpart-pts s3dis off kitti mmdet-bin npy las")
        ->default_val("auto")
        ->check(CLI::IsMember(formatNames()));
    cli.add_option("--columns", options.read.columns, "Text files: column spec, e.g. \"x,y,z,r,g,b,label\"");
    cli.add_option("--mesh-samples", options.read.meshSamples, "Meshes: points sampled on the surface")
        ->default_val(options.read.meshSamples);
    cli.add_option(withSeedAlias ? "--mesh-seed,--seed" : "--mesh-seed", options.read.seed,
                   "Seed of the mesh surface sampling")
        ->default_val(options.read.seed);
}

Scene readInput(const std::string& path, const InputOptions& options, const Progress& progress) {
    ReadOptions read = options.read;
    read.format = parseFormatName(options.format);
    return readScene(path, read, progress);
}

CLI::Validator finiteIn(double lo, double hi) {
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < lo || v > hi)
                return "must be a number from " + CLI::detail::to_string(lo) + " to " + CLI::detail::to_string(hi) +
                       ", got '" + text + "'";
            return {};
        },
        "NUMBER in [" + CLI::detail::to_string(lo) + ", " + CLI::detail::to_string(hi) + "]");
}

CLI::Validator wholeIn(long long lo, long long hi) {
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            char* end = nullptr;
            errno = 0;
            const long long v = std::strtoll(text.c_str(), &end, 10);
            if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || v < lo || v > hi)
                return "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
                       text + "'";
            return {};
        },
        "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace s4::app
