#include "CommandLine.h"

#include "Driver.h"

namespace bfc::driver {

void toolError(std::ostream &err, std::string_view tool,
               std::string_view message) {
  err << tool << ": error: " << message << '\n';
}

std::optional<int> parseArguments(CLI::App &app, int argc,
                                  const char *const *argv, std::ostream &out,
                                  std::ostream &err, std::string_view tool) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e, out, err);
      return kExitSuccess;
    }
    toolError(err, tool, e.what());
    err << "Run '" << tool << " --help' for usage.\n";
    return kExitUsage;
  }
  return std::nullopt;
}

} // namespace bfc::driver
