#pragma once
// Shared plumbing of the --batch commands: argument parsing, error reporting, progress.

#include "core/common/Progress.h"
#include "core/io/SceneReader.h"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace s4::app {

/// Parses a command's arguments; returns the exit code when parsing ended the command (--help or an
/// error, already printed), or -1 to go on.
int parseCommandArgs(CLI::App& cli, std::vector<std::string> args);

/// Runs a command body; an s4::Error (or bad_alloc) becomes one "error: ..." line on stderr and exit 1.
int runReporting(const std::function<void()>& body);

/// Progress for a headless stage: shown on stderr when it is a terminal, logged at debug level otherwise.
Progress batchProgress(const std::string& stage);

/// A finite number in [lo, hi] (CLI11's own ranges let NaN through); a violation is a usage error.
CLI::Validator finiteIn(double lo, double hi);
/// A whole number in [lo, hi] (so that "-1" cannot wrap around in an unsigned option).
CLI::Validator wholeIn(long long lo, long long hi);

/// Prints one JSON value on a line of stdout. Strings that are not UTF-8 (a file or field name in
/// another encoding) are written with U+FFFD instead of aborting the command.
void printJson(const nlohmann::json& value);

/// How a command reads its input clouds: --format, --columns, --mesh-samples and --mesh-seed.
struct InputOptions {
    ReadOptions read;
    std::string format = "auto";
};
/// Adds the reading options (an unknown --format is a usage error). withSeedAlias: also accept --seed
/// for --mesh-seed (the info command, where --seed has no other meaning).
void addInputOptions(CLI::App& cli, InputOptions& options, bool withSeedAlias = false);
/// readScene with those options.
Scene readInput(const std::string& path, const InputOptions& options, const Progress& progress = {});

/// Tokenization commands (superpoints, tokenize, partition-quality); -1 if the name is not one of them.
int runTokenizeCommand(const std::string& command, const std::vector<std::string>& args);

/// CLIP commands (tokenize-text, embed-text, embed-image, label, classify, init-tokenizer); -1 if the
/// name is not one of them.
int runModelCommand(const std::string& command, const std::vector<std::string>& args);

} // namespace s4::app
