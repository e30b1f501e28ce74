// What bfc and its subcommands share on the command line: parsing with
// CLI11, the "TOOL: error: ..." form of a usage error, and reading an input
// file (or standard input).
#pragma once

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "bfc/Support/Expected.h"

namespace bfc::driver {

/// Prints "`tool`: error: `message`" (tool is "bfc" or "bfc NAME").
void toolError(std::ostream &err, std::string_view tool,
               std::string_view message);

/// Parses argv into `app`. Returns the exit code to stop with: 0 after
/// --help (printed to `out`), 2 after a usage error (printed to `err` with a
/// pointer to `tool --help`); nothing when the command goes on.
std::optional<int> parseArguments(CLI::App &app, int argc,
                                  const char *const *argv, std::ostream &out,
                                  std::ostream &err, std::string_view tool);

/// The whole file `path`; on failure, strerror's text ("Is a directory" for a
/// directory, which a stream would read as empty).
Expected<std::string> readFile(const std::string &path);
/// readFile(path), or all of `in` when `path` is "-".
Expected<std::string> readInput(const std::string &path, std::istream &in);

} // namespace bfc::driver
