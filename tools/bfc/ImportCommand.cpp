// `bfc import --from=iptables-save FILE`: an iptables-save dump of the
// filter table as a bfc ruleset (docs/bfc.md, "bfc import").
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "CommandLine.h"
#include "Driver.h"
#include "OutputFile.h"
#include "Subcommands.h"
#include "bfc/Import/Iptables.h"

namespace bfc::driver {

int runImport(int argc, const char *const *argv, std::istream &in,
              std::ostream &out, std::ostream &err) {
  CLI::App app{"bfc import: translates a firewall dump into a bfc ruleset",
               "bfc import"};
  std::string from, input, output;
  bool lossy = false;
  app.add_option("--from", from, "Format of the input")
      ->check(CLI::IsMember({"iptables-save", "ip6tables-save"}))
      ->required()
      ->type_name("iptables-save|ip6tables-save");
  app.add_option("INPUT", input, "The dump, '-' for standard input")
      ->required();
  app.add_option("-o,--output", output,
                 "Write the ruleset to FILE, atomically (default: standard "
                 "output)")
      ->type_name("FILE");
  app.add_flag("--lossy", lossy,
               "Import what bfc cannot express exactly as comments and "
               "warnings (REJECT as DROP) instead of failing");
  if (std::optional<int> code =
          parseArguments(app, argc, argv, out, err, "bfc import"))
    return *code;

  std::string name = input == "-" ? "<stdin>" : input;
  Expected<std::string> text = readInput(input, in);
  if (!text) {
    err << fmt::format("bfc import: error: cannot read '{}': {}\n", input,
                       text.error().message);
    return kExitError;
  }
  if (text->size() >= std::numeric_limits<uint32_t>::max()) {
    err << fmt::format("bfc import: error: '{}' is too large\n", name);
    return kExitError;
  }

  SourceBuffer buffer(name, std::move(*text));
  DiagnosticEngine diags(&buffer);
  import::ImportOptions options;
  options.family =
      from == "ip6tables-save" ? import::Family::Ipv6 : import::Family::Ipv4;
  options.lossy = lossy;
  std::string ruleset = import::importIptablesSave(buffer, options, diags);
  diags.print(err);
  if (diags.hasErrors())
    return kExitError;
  if (output.empty() || output == "-") {
    out << ruleset;
    out.flush();
    return out ? kExitSuccess : kExitError;
  }
  std::string error;
  if (!writeFileAtomically(output, ruleset, error)) {
    err << fmt::format("bfc import: error: cannot write '{}': {}\n", output,
                       error);
    return kExitError;
  }
  return kExitSuccess;
}

} // namespace bfc::driver
