// `bfc test RULESET [TESTS...]`: runs a ruleset's test files through the
// reference interpreter (and, with --kernel, the compiled program) and
// reports failing cases (docs/bfc.md, "bfc test"). The logic lives in
// lib/Test; this file is the command line and the output.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "CommandLine.h"
#include "Driver.h"
#include "KernelTestRun.h"
#include "OutputFile.h"
#include "Subcommands.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Support/Diagnostics.h"
#include "bfc/Support/Text.h"
#include "bfc/Test/JUnit.h"
#include "bfc/Test/TestRunner.h"
#include "bfc/Transform/Analysis.h"

namespace bfc::driver {

namespace {

using namespace bfc::rulesettest;

struct TestOptions {
  std::string ruleset;
  std::vector<std::string> testFiles;
  std::string junit;
  bool kernel = false;
  bool verbose = false;
  std::string color = "auto";
};

void testError(std::ostream &err, const std::string &message) {
  toolError(err, "bfc test", message);
}

bool fileExists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::optional<int> parseTestCommandLine(int argc, const char *const *argv,
                                        TestOptions &opts, std::ostream &out,
                                        std::ostream &err) {
  CLI::App app{"bfc test: runs a ruleset's test cases through the reference "
               "interpreter (see docs/bfc.md, \"bfc test\")",
               "bfc test"};
  app.add_option("RULESET", opts.ruleset, "The ruleset (.bf) under test")
      ->required();
  app.add_option("TESTS", opts.testFiles,
                 "Test files (default: RULESET.test, e.g. fw.bf.test)");
  app.add_option("--junit", opts.junit,
                 "Also write the results as JUnit XML to FILE")
      ->type_name("FILE");
  app.add_flag("--kernel", opts.kernel,
               "Also run every case through the compiled program with "
               "BPF_PROG_TEST_RUN (root) and fail on any difference from "
               "the interpreter");
  app.add_flag("-v,--verbose", opts.verbose, "Print passing cases too");
  app.add_option("--color", opts.color,
                 "Color diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
  if (std::optional<int> code =
          parseArguments(app, argc, argv, out, err, "bfc test"))
    return *code;
  return std::nullopt;
}

/// The ruleset, parsed and checked; diagnostics printed.
struct CheckedRuleset {
  std::unique_ptr<SourceBuffer> buffer;
  std::optional<ir::Module> module;
};

std::optional<CheckedRuleset> checkRuleset(const std::string &path, bool color,
                                           std::ostream &err) {
  Expected<std::string> text = readFile(path);
  if (!text) {
    testError(err,
              fmt::format("cannot open '{}': {}", path, text.error().message));
    return std::nullopt;
  }
  CheckedRuleset out;
  out.buffer = std::make_unique<SourceBuffer>(path, std::move(*text));
  DiagnosticEngine diags(out.buffer.get());
  ast::Ruleset ast;
  if (parseRuleset(*out.buffer, diags, ast))
    out.module =
        lowerToBFIR(ast, *out.buffer, diags, transform::warnNeverMatchingRules);
  diags.print(err, color);
  if (!out.module || diags.hasErrors())
    return std::nullopt;
  return out;
}

/// Counts over every test file, for the summary line.
struct Totals {
  size_t passed = 0, failed = 0, badFiles = 0, inKernel = 0;
};

/// Runs the cases of the test file `path`, prints their failures (and with
/// -v their passes), and returns its JUnit suite. A file that cannot be
/// read or has errors is one failed case of its suite.
JUnitSuite runTestFile(const std::string &path, const CheckedRuleset &ruleset,
                       KernelTestRun *kernel, const TestOptions &opts,
                       bool color, Totals &totals, std::ostream &out,
                       std::ostream &err) {
  JUnitSuite suite{path, {}};
  auto fileFailed = [&](const std::string &message) {
    ++totals.badFiles;
    suite.cases.push_back({"(test file)", path, {message}, {}});
    return suite;
  };
  Expected<std::string> text = readFile(path);
  if (!text) {
    std::string message =
        fmt::format("cannot open '{}': {}", path, text.error().message);
    testError(err, message);
    return fileFailed(message);
  }
  SourceBuffer buffer(path, std::move(*text));
  DiagnosticEngine diags(&buffer);
  std::optional<TestFile> file = parseTestFile(buffer, *ruleset.module, diags);
  diags.print(err, color);
  if (!file)
    return fileFailed("the test file has errors (see bfc test's standard "
                      "error)");

  for (const TestCase &test : file->cases) {
    CaseResult result = runCase(*ruleset.module, test, ruleset.buffer->name());
    if (kernel)
      kernel->check(test, result);
    totals.inKernel += result.kernelRan ? 1 : 0;
    for (const std::string &failure : result.failures)
      out << failureLine(path, test, failure) << '\n';
    if (result.passed()) {
      ++totals.passed;
      if (opts.verbose)
        out << escapeForDisplay(fmt::format(
                   "{}:{}: PASS: {}{}", path, test.line, test.name,
                   result.kernelNote.empty() ? ""
                                             : " (" + result.kernelNote + ")"))
            << '\n';
    } else {
      ++totals.failed;
    }
    suite.cases.push_back({test.name,
                           fmt::format("{}.{}", path, test.chain->name),
                           result.failures, result.kernelNote});
  }
  return suite;
}

} // namespace

int runTestCommand(int argc, const char *const *argv, std::istream &,
                   std::ostream &out, std::ostream &err) {
  TestOptions opts;
  if (std::optional<int> code =
          parseTestCommandLine(argc, argv, opts, out, err))
    return *code;
  const bool color = opts.color == "always" ||
                     (opts.color == "auto" && isatty(STDERR_FILENO) != 0);

  if (opts.testFiles.empty()) {
    std::string discovered = opts.ruleset + ".test";
    if (!fileExists(discovered)) {
      testError(err, fmt::format("no test files given and '{}' does not "
                                 "exist",
                                 discovered));
      return kExitError;
    }
    opts.testFiles.push_back(discovered);
  }

  std::optional<CheckedRuleset> ruleset =
      checkRuleset(opts.ruleset, color, err);
  if (!ruleset)
    return kExitError;
  const ir::Module &module = *ruleset->module;

  std::unique_ptr<KernelTestRun> kernel;
  if (opts.kernel) {
    std::string problem;
    kernel = KernelTestRun::create(module, *ruleset->buffer, problem);
    if (!kernel) {
      testError(err, problem);
      return kExitError;
    }
  }

  Totals totals;
  std::vector<JUnitSuite> suites;
  for (const std::string &path : opts.testFiles)
    suites.push_back(runTestFile(path, *ruleset, kernel.get(), opts, color,
                                 totals, out, err));

  std::string summary =
      fmt::format("{} passed, {} failed", totals.passed, totals.failed);
  if (totals.badFiles)
    summary += fmt::format(", {} test file{} with errors", totals.badFiles,
                           totals.badFiles == 1 ? "" : "s");
  if (kernel)
    summary += fmt::format(" ({} of {} also run in the kernel)",
                           totals.inKernel, totals.passed + totals.failed);
  out << summary << '\n';

  if (!opts.junit.empty()) {
    std::ostringstream xml;
    writeJUnit(xml, suites);
    std::string error;
    if (!writeFileAtomically(opts.junit, xml.str(), error)) {
      testError(err, fmt::format("cannot write '{}': {}", opts.junit, error));
      return kExitError;
    }
  }
  return totals.failed || totals.badFiles ? kExitError : kExitSuccess;
}

} // namespace bfc::driver
