#pragma once
// Shared plumbing of the --batch commands: argument parsing, error reporting, progress.

#include "core/common/Progress.h"

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace s4::app {

/// Parses a command's arguments; returns the exit code when parsing ended the command (--help or an
/// error, already printed), or -1 to go on.
int parseCommandArgs(CLI::App& cli, std::vector<std::string> args);

/// Runs a command body; an s4::Error (or bad_alloc) becomes one "error: ..." line on stderr and exit 1.
int runReporting(const std::function<void()>& body);

/// Progress for a headless stage: shown on stderr when it is a terminal, logged at debug level otherwise.
Progress batchProgress(const std::string& stage);

/// Tokenization commands (superpoints, tokenize, partition-quality); -1 if the name is not one of them.
int runTokenizeCommand(const std::string& command, const std::vector<std::string>& args);

/// CLIP commands (tokenize-text, embed-text, embed-image, label, classify, init-tokenizer); -1 if the
/// name is not one of them.
int runModelCommand(const std::string& command, const std::vector<std::string>& args);

} // namespace s4::app
