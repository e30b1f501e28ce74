// What bfc and its subcommands share on the command line: parsing with
// CLI11 and the "TOOL: error: ..." form of a usage error.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

#include <CLI/CLI.hpp>

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

} // namespace bfc::driver
