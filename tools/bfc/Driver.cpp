#include "Driver.h"
#include "CommandLine.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "OutputFile.h"
#include "Subcommands.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/IR/Printer.h"
#include "bfc/IR/Reader.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Support/DiagnosticFormats.h"
#include "bfc/Support/Diagnostics.h"
#include "bfc/Support/Version.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PassManager.h"

namespace bfc::driver {
namespace {

/// How far the pipeline must run before an emit kind can produce its output.
enum class Stage {
  Parse, ///< the AST is enough
  Sema,  ///< needs the checked BFIR module
};

/// What the pipeline produced, handed to an emit function.
struct Compilation {
  const SourceBuffer &buffer;
  const ast::Ruleset &ast;
  const ir::Module *module; ///< set when the stage is Stage::Sema
  DiagnosticEngine &diags;
  unsigned optLevel; ///< -O0/-O1/-O2, for code generation
};

/// One `--emit=` kind. To add one, add a row to kEmitKinds: the option
/// values, the help text and the pipeline all come from this table.
struct EmitKind {
  const char *name;
  const char *help;
  Stage stage;
  /// Writes the output to `os`; returns false after reporting an error.
  bool (*emit)(const Compilation &, std::ostream &os);
};

bool emitAST(const Compilation &c, std::ostream &os) {
  dumpAST(c.ast, os);
  return true;
}

bool emitBFIR(const Compilation &c, std::ostream &os) {
  ir::printModule(*c.module, os);
  return true;
}

/// LLVM IR, BPF assembly or the BPF object, through lib/CodeGen.
bool emitCode(const Compilation &c, std::ostream &os, codegen::EmitKind kind) {
  codegen::CodeGenOptions options;
  options.optLevel = c.optLevel;
  options.sourceText = c.buffer.text();
  options.sourceName = c.buffer.name();
  std::optional<std::string> bytes =
      codegen::emit(*c.module, options, kind, c.diags);
  if (!bytes)
    return false;
  os.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  return true;
}

bool emitLLVM(const Compilation &c, std::ostream &os) {
  return emitCode(c, os, codegen::EmitKind::LLVMIR);
}
bool emitAsm(const Compilation &c, std::ostream &os) {
  return emitCode(c, os, codegen::EmitKind::Assembly);
}
bool emitObject(const Compilation &c, std::ostream &os) {
  return emitCode(c, os, codegen::EmitKind::Object);
}

constexpr std::array kEmitKinds = {
    EmitKind{"ast", "the syntax tree, after parsing only (no semantic checks)",
             Stage::Parse, emitAST},
    EmitKind{"bfir", "the checked BFIR module, as text", Stage::Sema, emitBFIR},
    EmitKind{"llvm", "LLVM IR of the BPF programs (after -O)", Stage::Sema,
             emitLLVM},
    EmitKind{"asm", "BPF assembly", Stage::Sema, emitAsm},
    EmitKind{"obj",
             "the BPF object; written to INPUT with .bpf.o unless -o is "
             "given (required for stdin and --from-str)",
             Stage::Sema, emitObject},
};
/// What bfc emits without --emit.
constexpr const char *kDefaultEmit = "obj";

const EmitKind *findEmitKind(const std::string &name) {
  for (const EmitKind &kind : kEmitKinds)
    if (name == kind.name)
      return &kind;
  return nullptr;
}

/// A subcommand: `bfc NAME ARGS...` runs `run` with argv starting at NAME.
/// To add one, add a row to kSubcommands and define its run function in its
/// own file (tools/bfc/<Name>Command.cpp), declared in Subcommands.h.
struct Subcommand {
  const char *name;
  const char *help;
  int (*run)(int argc, const char *const *argv, std::istream &in,
             std::ostream &out, std::ostream &err);
};

constexpr std::array kSubcommands = {
    Subcommand{"test", "run a ruleset's test cases (docs/bfc.md)",
               runTestCommand},
    Subcommand{"import",
               "translate an iptables-save dump into a ruleset (docs/bfc.md)",
               runImport},
    Subcommand{
        "diff",
        "which packets change their fate between two rulesets (docs/diff.md)",
        runDiff},
};

const Subcommand *findSubcommand(std::string_view name) {
  for (const Subcommand &command : kSubcommands)
    if (name == command.name)
      return &command;
  return nullptr;
}

struct Options {
  std::string input;
  std::optional<std::string> fromString;
  std::string inputFormat = "bf"; ///< or "bfir": BFIR text
  bool check = false;
  std::string emit = kDefaultEmit;
  std::string output;
  bool noWarnings = false;
  WarningPolicy warningPolicy; ///< from the -W flags and -w
  DiagnosticFormat diagnosticsFormat = DiagnosticFormat::Text;
  std::string color = "auto";
  unsigned errorLimit = 20;
  unsigned optLevel = 2;
  bool printAfterAll = false; ///< BFIR after every pass, on stderr
  bool optLevelGiven = false; ///< -O on the command line
};

/// Prints `bfc: error: MESSAGE` (errors outside of any source text).
void toolError(std::ostream &err, const std::string &message) {
  bfc::driver::toolError(err, "bfc", message);
}

bool useColor(const std::string &mode) {
  if (mode == "always")
    return true;
  if (mode == "never")
    return false;
  return isatty(STDERR_FILENO) != 0;
}

/// The warning IDs for --help.
std::string warningListHelp() {
  std::string help = "Warnings (-W<id>, -Wno-<id>, -Werror=<id>, "
                     "-Wno-error=<id>; all are on by default):";
  for (const WarningInfo &info : warnings())
    help += fmt::format("\n  {:<22}{}", info.name, info.description);
  return help;
}

/// Parses the command line into `opts`; returns an exit code when bfc must
/// stop right away (--help, --version, usage errors).
std::optional<int> parseCommandLine(int argc, const char *const *argv,
                                    Options &opts, std::ostream &out,
                                    std::ostream &err) {
  CLI::App app{"bfc: compiles a bpfilter ruleset (see docs/bfc.md)", "bfc"};
  std::string footer = warningListHelp();
  if (!kSubcommands.empty()) {
    footer += "\n\nSubcommands (bfc NAME --help for their options):";
    for (const Subcommand &command : kSubcommands)
      footer += fmt::format("\n  {:<8}{}", command.name, command.help);
  }
  app.footer(footer);
  app.set_version_flag("--version", fmt::format("bfc version {}", kVersion),
                       "Print the version and exit");

  std::vector<std::string> emitNames;
  std::string emitHelp = "What to produce:";
  for (const EmitKind &kind : kEmitKinds) {
    emitNames.push_back(kind.name);
    emitHelp += fmt::format("\n  {:<6}{}", kind.name, kind.help);
  }
  emitHelp += fmt::format("\n(default: {})", kDefaultEmit);

  CLI::Option *input =
      app.add_option("INPUT", opts.input, "Ruleset file, or - for stdin");
  CLI::Option *fromString =
      app.add_option("--from-str", opts.fromString,
                     "Compile TEXT instead of a file (named <string>)")
          ->type_name("TEXT");
  app.add_option("--input-format", opts.inputFormat,
                 "bf: a ruleset (default); bfir: BFIR text, as --emit=bfir "
                 "prints it")
      ->check(CLI::IsMember({"bf", "bfir"}))
      ->type_name("FORMAT");
  CLI::Option *check =
      app.add_flag("--check,--dry-run", opts.check,
                   "Parse and check only: print diagnostics, no output");
  CLI::Option *emit = app.add_option("--emit", opts.emit, emitHelp)
                          ->check(CLI::IsMember(emitNames))
                          ->type_name("KIND");
  CLI::Option *output =
      app.add_option("-o,--output", opts.output,
                     "Write the output to FILE (default: stdout)")
          ->type_name("FILE");
  std::vector<std::string> warningFlags;
  app.add_option("-W", warningFlags,
                 "-Werror: warnings are errors (-Wno-error: not); "
                 "-W<id>, -Wno-<id>: enable or disable a warning; "
                 "-Werror=<id>, -Wno-error=<id>: make one an error or not. "
                 "The last flag naming a warning wins (IDs below)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("FLAG");
  app.add_flag("-w", opts.noWarnings,
               "Do not report warnings, whatever the -W flags say");
  std::string diagnosticsFormat = "text";
  app.add_option("--diagnostics-format", diagnosticsFormat,
                 "How diagnostics are written to standard error: text, json "
                 "(one document of bfc's own) or sarif (SARIF 2.1.0); see "
                 "docs/bfc.md")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->type_name("FORMAT");
  app.add_option("--color", opts.color,
                 "Color diagnostics: auto (if stderr is a terminal), "
                 "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
  app.add_option("-O", opts.optLevel,
                 "Optimisation level of the generated code: -O0, -O1 or -O2 "
                 "(default: -O2)")
      ->check(CLI::Range(0u, 2u))
      ->type_name("LEVEL");
  app.add_flag("--print-after-all", opts.printAfterAll,
               "Print the BFIR module to standard error after every pass");
  app.add_option("--error-limit", opts.errorLimit,
                 "Stop reporting after N errors; 0 means no limit "
                 "(default: 20)")
      ->type_name("N");

  if (std::optional<int> code =
          parseArguments(app, argc, argv, out, err, "bfc"))
    return *code;
  opts.optLevelGiven = app.count("-O") != 0;
  // Checked here rather than with CLI11's excludes() for clearer messages.
  auto usageError = [&](std::string_view message) {
    toolError(err, std::string(message));
    err << "Run 'bfc --help' for usage.\n";
    return kExitUsage;
  };
  // In command-line order, so that the last flag naming a warning wins.
  for (const std::string &flag : warningFlags)
    if (std::optional<std::string> error = opts.warningPolicy.apply(flag))
      return usageError(*error);
  opts.warningPolicy.setIgnoreAll(opts.noWarnings);
  opts.diagnosticsFormat = *parseDiagnosticFormat(diagnosticsFormat);
  if (input->count() && fromString->count())
    return usageError("give either an INPUT file or --from-str, not both");
  if (!input->count() && !fromString->count())
    return usageError("no input: give a ruleset file, '-' for stdin, or "
                      "--from-str TEXT");
  if (opts.inputFormat == "bfir" && opts.emit == "ast")
    return usageError("--emit=ast needs a ruleset, not BFIR");
  if (check->count() && (emit->count() || output->count()))
    return usageError("--check produces no output: it cannot be combined "
                      "with --emit or -o");
  return std::nullopt;
}

} // namespace

int run(int argc, const char *const *argv, std::istream &in, std::ostream &out,
        std::ostream &err) {
  // A first argument naming a subcommand selects it; a ruleset file with
  // such a name is compiled as ./NAME.
  if (argc > 1)
    if (const Subcommand *command = findSubcommand(argv[1]))
      return command->run(argc - 1, argv + 1, in, out, err);
  Options opts;
  if (std::optional<int> code = parseCommandLine(argc, argv, opts, out, err))
    return *code;

  DiagnosticEngine diags;
  diags.setWarningPolicy(opts.warningPolicy);
  diags.setErrorLimit(opts.errorLimit);
  const bool color = useColor(opts.color);
  const DiagnosticSource source{!opts.fromString && opts.input != "-"};
  // Everything goes out once, at the end: json and sarif are one document.
  auto printDiagnostics = [&] {
    writeDiagnostics(opts.diagnosticsFormat, diags, source, color, err);
    if (opts.diagnosticsFormat != DiagnosticFormat::Text)
      return;
    if (unsigned hidden = diags.suppressedErrorCount())
      err << fmt::format("bfc: note: {} more error{} not shown; use "
                         "--error-limit=0 to see them all\n",
                         hidden, hidden == 1 ? "" : "s");
  };
  auto fail = [&] {
    printDiagnostics();
    return kExitError;
  };
  auto toolSuccess = [&] {
    printDiagnostics();
    return kExitSuccess;
  };
  // An error outside of the source text (files, options): `bfc: error:`
  // after the diagnostics, or one more diagnostic without a location.
  auto toolFailure = [&](const std::string &message, int code) {
    if (opts.diagnosticsFormat == DiagnosticFormat::Text) {
      printDiagnostics();
      toolError(err, message);
    } else {
      diags.report(Severity::Error, {}, message);
      printDiagnostics();
    }
    return code;
  };

  // Read the input.
  std::string name, text;
  if (opts.fromString) {
    name = "<string>";
    text = *opts.fromString;
  } else {
    name = opts.input == "-" ? "<stdin>" : opts.input;
    Expected<std::string> content = readInput(opts.input, in);
    if (!content)
      return toolFailure(fmt::format("cannot open '{}': {}", opts.input,
                                     content.error().message),
                         kExitError);
    text = std::move(*content);
  }
  // Source locations are 32-bit byte offsets.
  if (text.size() >= std::numeric_limits<uint32_t>::max())
    return toolFailure(fmt::format("'{}' is too large (4 GiB or more)", name),
                       kExitError);

  SourceBuffer buffer(name, std::move(text));
  diags.setBuffer(&buffer);

  const EmitKind *kind = opts.check ? nullptr : findEmitKind(opts.emit);
  const Stage stage = kind ? kind->stage : Stage::Sema;

  // Parse, then check and lower when the output needs it.
  ast::Ruleset ruleset;
  std::optional<ir::Module> module;
  if (opts.inputFormat == "bfir") {
    // The reader checks what Sema would have: ir::verifyModule.
    module = ir::readModule(buffer, diags);
    if (!module)
      return fail();
  } else if (!parseRuleset(buffer, diags, ruleset)) {
    return fail();
  }
  if (stage == Stage::Sema) {
    if (!module)
      module = lowerToBFIR(ruleset, buffer, diags,
                           transform::warnNeverMatchingRules);
    if (!module || diags.hasErrors())
      return fail();
    // BFIR passes: analyses (warnings) always, optimisations from -O1.
    // --emit=bfir shows Sema's BFIR unless -O is given; --check needs no
    // optimisation.
    transform::PipelineOptions passOptions;
    passOptions.optLevel = opts.optLevel;
    if (!kind || (kind->emit == emitBFIR && !opts.optLevelGiven))
      passOptions.optLevel = 0;
    if (opts.printAfterAll)
      passOptions.afterPass = [&](std::string_view pass, const ir::Module &m) {
        err << "; *** BFIR after " << pass << " ***\n";
        ir::printModule(m, err);
      };
    if (!transform::runDefaultPipeline(*module, diags, passOptions) ||
        diags.hasErrors())
      return fail();
  }
  if (!kind) // --check
    return toolSuccess();

  // Emit into memory first: nothing is written unless everything succeeded.
  std::ostringstream result;
  Compilation compilation{buffer, ruleset, module ? &*module : nullptr, diags,
                          opts.optLevel};
  if (!kind->emit(compilation, result) || diags.hasErrors())
    return fail();

  // An object goes to a file named after the input unless -o says where;
  // stdin and --from-str have no name to derive one from.
  if (opts.output.empty() && kind->emit == emitObject) {
    if (opts.fromString || opts.input == "-")
      return toolFailure("--emit=obj needs -o FILE when the ruleset comes "
                         "from standard input or --from-str (-o - writes to "
                         "stdout)",
                         kExitUsage);
    std::string base = opts.input;
    for (std::string_view extension : {".bf", ".bfir"})
      if (base.size() > extension.size() && base.ends_with(extension))
        base.resize(base.size() - extension.size());
    opts.output = base + ".bpf.o";
  }
  if (opts.output.empty() || opts.output == "-") {
    out << result.str();
    out.flush();
    if (!out)
      return toolFailure("cannot write to standard output", kExitError);
    return toolSuccess();
  }
  std::string error;
  if (!writeFileAtomically(opts.output, result.str(), error))
    return toolFailure(fmt::format("cannot write '{}': {}", opts.output, error),
                       kExitError);
  return toolSuccess();
}

} // namespace bfc::driver
