#pragma once
// Headless commands behind `s4studio --batch <command> ...`. Each prints JSON to stdout, errors as one
// line on stderr, and returns the process exit code. They only parse arguments and call the core.

#include <string>
#include <vector>

namespace s4::app {

/// Names of the commands, for --help.
std::vector<std::string> batchCommandNames();

/// Runs one command; args excludes the program name, "--batch" and the command name.
int runBatchCommand(const std::string& command, const std::vector<std::string>& args);

} // namespace s4::app
