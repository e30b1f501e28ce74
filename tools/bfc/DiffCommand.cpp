// `bfc diff OLD NEW`: which packets change their fate (docs/diff.md). Exit
// codes follow diff(1): 0 same, 1 different, 2 trouble (usage, unreadable or
// invalid input, a matcher the analysis cannot decide).

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "CommandLine.h"
#include "Subcommands.h"
#include "bfc/Diff/Diff.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::driver {

namespace {

enum DiffExit : int { kSame = 0, kDifferent = 1, kTrouble = 2 };

void diffError(std::ostream &err, const std::string &message) {
  toolError(err, "bfc diff", message);
}

/// A ruleset, checked: its source buffer and Sema's BFIR (no passes: the
/// comparison is of the semantics, which every pass keeps).
struct Checked {
  std::unique_ptr<SourceBuffer> buffer;
  std::optional<ir::Module> module;
};

std::optional<Checked> check(const std::string &path, std::istream &in,
                             std::ostream &err) {
  Expected<std::string> text = readInput(path, in);
  if (!text) {
    diffError(err,
              fmt::format("cannot read '{}': {}", path, text.error().message));
    return std::nullopt;
  }
  Checked out;
  out.buffer = std::make_unique<SourceBuffer>(path == "-" ? "<stdin>" : path,
                                              std::move(*text));
  DiagnosticEngine diags(out.buffer.get());
  diags.setIgnoreWarnings(true);
  ast::Ruleset ruleset;
  if (parseRuleset(*out.buffer, diags, ruleset))
    out.module = lowerToBFIR(ruleset, *out.buffer, diags);
  if (!out.module || diags.hasErrors()) {
    diags.print(err, false);
    return std::nullopt;
  }
  return out;
}

} // namespace

int runDiff(int argc, const char *const *argv, std::istream &in,
            std::ostream &out, std::ostream &err) {
  CLI::App app{"Report the packets whose fate differs between two versions "
               "of a ruleset: one line per class of packets, with a witness "
               "packet.\nExit status: 0 no difference, 1 differences, 2 "
               "trouble.",
               "bfc diff"};
  std::string beforePath, afterPath;
  diff::DiffOptions options;
  bool json = false;
  app.add_option("OLD", beforePath, "The old ruleset (- for stdin)")
      ->required();
  app.add_option("NEW", afterPath, "The new ruleset (- for stdin)")->required();
  app.add_flag("--rules", options.rules,
               "Also report packets whose verdict stays but whose deciding "
               "rule changes");
  app.add_flag("--json", json, "Print the result as JSON");
  if (std::optional<int> code =
          parseArguments(app, argc, argv, out, err, "bfc diff"))
    return *code;
  if (beforePath == "-" && afterPath == "-") {
    diffError(err, "only one of OLD and NEW can be standard input");
    return kTrouble;
  }

  std::optional<Checked> before = check(beforePath, in, err);
  std::optional<Checked> after = check(afterPath, in, err);
  if (!before || !after)
    return kTrouble;
  Expected<diff::ModuleDiff> diffed =
      diff::diffModules(*before->module, *after->module, options);
  if (!diffed) {
    const Error &e = diffed.error();
    DiagnosticEngine diags(e.input == 1 ? after->buffer.get()
                                        : before->buffer.get());
    diags.error(e.range, e.message);
    diags.print(err, false);
    return kTrouble;
  }
  const diff::ModuleDiff &result = *diffed;
  diff::DiffSources sources{*before->buffer, *after->buffer};
  if (json)
    out << diff::diffToJson(result, sources);
  else
    diff::printDiff(result, sources, out);
  return result.changed() ? kDifferent : kSame;
}

} // namespace bfc::driver
