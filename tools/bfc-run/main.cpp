// bfc-run: runs packets through a compiled chain in the kernel
// (BPF_PROG_TEST_RUN) and, with --compare, through the reference
// interpreter too, and reports any difference. See docs/codegen.md.
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "Compare.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/IR/HookModel.h"
#include "bfc/Load/TestRun.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Support/Diagnostics.h"
#include "bfc/Transform/Analysis.h"

namespace {

using namespace bfc;

enum ExitCode : int { kExitOk = 0, kExitFailed = 1, kExitUsage = 2 };

struct Options {
  std::string input;
  std::optional<std::string> fromString;
  std::string source;
  std::string chain;
  std::vector<std::string> ifaces;
  std::vector<std::string> specs;
  std::vector<std::string> packetFiles;
  bool compare = false;
  bool loadOnly = false;
  unsigned repeat = 1;
  unsigned optLevel = 2;
  bool quiet = false;
  bool verbose = false;
};

void toolError(const std::string &message) {
  std::cerr << "bfc-run: error: " << message << '\n';
}

std::optional<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return text.str();
}

bool isElf(const std::string &bytes) {
  return bytes.size() >= 4 && bytes.compare(0, 4,
                                            "\x7f"
                                            "ELF") == 0;
}

/// A ruleset compiled in-process: its BFIR (for the interpreter) and object.
struct Compiled {
  std::unique_ptr<SourceBuffer> buffer;
  std::optional<ir::Module> module;
  std::string object;
};

/// Parses and checks a ruleset; with `codegen`, compiles it to an object.
std::optional<Compiled> compile(const std::string &name, std::string text,
                                unsigned optLevel, bool codegen = true) {
  Compiled out;
  out.buffer = std::make_unique<SourceBuffer>(name, std::move(text));
  DiagnosticEngine diags(out.buffer.get());
  ast::Ruleset ruleset;
  if (parseRuleset(*out.buffer, diags, ruleset))
    out.module = lowerToBFIR(ruleset, *out.buffer, diags,
                             transform::warnNeverMatchingRules);
  if (!out.module || diags.hasErrors()) {
    diags.print(std::cerr);
    return std::nullopt;
  }
  if (!codegen)
    return out;
  codegen::CodeGenOptions options;
  options.optLevel = optLevel;
  options.sourceText = out.buffer->text();
  options.sourceName = name;
  std::optional<std::string> object =
      codegen::emit(*out.module, options, codegen::EmitKind::Object, diags);
  diags.print(std::cerr);
  if (!object)
    return std::nullopt;
  out.object = std::move(*object);
  return out;
}

/// Packet specs from the command line and --packets files, with where each
/// came from for messages.
struct Spec {
  std::string text;
  std::string origin;
};

std::optional<std::vector<Spec>> collectSpecs(const Options &opts) {
  std::vector<Spec> specs;
  for (size_t i = 0; i < opts.specs.size(); ++i)
    specs.push_back({opts.specs[i], fmt::format("argument {}", i + 1)});
  for (const std::string &path : opts.packetFiles) {
    std::optional<std::string> text = readFile(path);
    if (!text) {
      toolError(fmt::format("cannot read '{}'", path));
      return std::nullopt;
    }
    std::istringstream lines(*text);
    std::string line;
    for (unsigned n = 1; std::getline(lines, line); ++n) {
      size_t begin = line.find_first_not_of(" \t\r");
      if (begin == std::string::npos || line[begin] == '#')
        continue;
      size_t end = line.find_last_not_of(" \t\r");
      specs.push_back(
          {line.substr(begin, end - begin + 1), fmt::format("{}:{}", path, n)});
    }
  }
  return specs;
}

std::string verdictText(ir::Hook hook, int32_t code) {
  return fmt::format("{} ({})", ir::returnCodeName(hook, code), code);
}

void printCounters(const object::ChainInfo &chain,
                   const std::vector<bfc_counter> &counters) {
  std::cout << "counters:\n";
  for (size_t i = 0; i < counters.size(); ++i) {
    std::string name, text;
    if (i < chain.rules.size()) {
      name = fmt::format("rule {}", i);
      text = chain.rules[i].text;
      if (!chain.rules[i].counter)
        continue;
    } else {
      name = i == chain.rules.size() ? "policy" : "errors";
    }
    std::cout << fmt::format("  {:<8} {} packets, {} bytes{}\n", name + ":",
                             counters[i].packets, counters[i].bytes,
                             text.empty() ? "" : "  # " + text);
  }
}

int runChain(const Options &opts, const object::ObjectFile &object,
             const ir::Module *module, const std::vector<Spec> &specs) {
  load::TestRunOptions load;
  load.chain = opts.chain;
  load.verbose = opts.verbose;
  for (const std::string &iface : opts.ifaces) {
    size_t eq = iface.find('=');
    load.ifaces[iface.substr(0, eq)] =
        static_cast<uint32_t>(std::stoul(iface.substr(eq + 1)));
  }
  load::TestRunChain kernel(object, load);
  const object::ChainInfo &chainInfo = kernel.chain();

  std::optional<run::Comparer> comparer;
  if (opts.compare) {
    const ir::Chain *chain = nullptr;
    for (const ir::Chain &c : module->chains)
      if (c.name == chainInfo.name)
        chain = &c;
    if (!chain) {
      toolError(fmt::format("the source has no chain '{}'", chainInfo.name));
      return kExitFailed;
    }
    interp::HostEnv env;
    env.ifindexByName = load.ifaces;
    comparer.emplace(*module, *chain, kernel, env);
    if (std::vector<std::string> problems = comparer->check();
        !problems.empty()) {
      for (const std::string &p : problems)
        toolError(
            fmt::format("cannot interpret chain '{}': {}", chainInfo.name, p));
      return kExitFailed;
    }
  } else {
    kernel.resetCounters();
  }

  unsigned failures = 0, differences = 0, compared = 0, skipped = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec &spec = specs[i];
    Expected<packet::Input> input = packet::parseInput(spec.text);
    if (!input) {
      toolError(
          fmt::format("{}: bad packet spec: {}", spec.origin,
                      packet::describeSpecError(input.error(), spec.text)));
      ++failures;
      continue;
    }
    const auto *pkt = std::get_if<packet::Packet>(&*input);
    if (!pkt) {
      toolError(fmt::format("{}: sock_addr calls cannot be test-run (attach "
                            "the program to a cgroup, see bfload)",
                            spec.origin));
      ++failures;
      continue;
    }
    // Packets the kernel cannot test-run on this hook (e.g. ARP on
    // netfilter) are skipped, so one packet file serves every hook.
    if (std::optional<std::string> problem =
            load::testRunProblem(chainInfo.hook, *pkt)) {
      ++skipped;
      if (!opts.quiet)
        std::cout << fmt::format("[{}] {}: skipped: {}\n", i, spec.text,
                                 *problem);
      continue;
    }
    try {
      ++compared;
      if (comparer) {
        run::Comparison c = comparer->run(*pkt);
        std::string by = c.interp.rule ? fmt::format("rule {}", *c.interp.rule)
                                       : std::string("policy");
        bool same = c.differences.empty();
        differences += same ? 0 : 1;
        if (!opts.quiet || !same)
          std::cout << fmt::format("[{}] {}: {} by {}, {}{}\n", i, spec.text,
                                   ir::verdictName(c.interp.verdict), by,
                                   verdictText(chainInfo.hook, c.kernel.retval),
                                   same ? "" : "  MISMATCH");
        for (const std::string &d : c.differences)
          std::cout << "    " << d << '\n';
      } else {
        load::PreparedPacket prepared = kernel.prepare(*pkt);
        load::RunOutput out = kernel.run(prepared, opts.repeat);
        if (!opts.quiet) {
          std::cout << fmt::format("[{}] {}: {}", i, spec.text,
                                   verdictText(chainInfo.hook, out.retval));
          if (out.markKnown && out.mark != prepared.interp.meta.mark)
            std::cout << fmt::format(", mark {:#x}", out.mark);
          if (opts.repeat > 1)
            std::cout << fmt::format(", {} ns", out.durationNs);
          std::cout << '\n';
        }
      }
    } catch (const load::LoadError &e) {
      toolError(fmt::format("{}: {}", spec.origin, e.what()));
      ++failures;
    }
  }
  if (!specs.empty() && opts.repeat <= 1)
    printCounters(chainInfo, kernel.counters());
  if (comparer)
    std::cout << fmt::format("{} packets compared, {} skipped, {} "
                             "differences\n",
                             compared, skipped, differences);
  return failures || differences ? kExitFailed : kExitOk;
}

int loadOnly(const Options &opts, const object::ObjectFile &object) {
  std::vector<std::string> chains;
  if (!opts.chain.empty())
    chains.push_back(opts.chain);
  else
    for (const object::ChainInfo &c : object.metadata().chains)
      chains.push_back(c.name);
  for (const std::string &name : chains) {
    load::TestRunOptions load;
    load.chain = name;
    load.verbose = opts.verbose;
    load::TestRunChain kernel(object, load);
    load::ProgramStats stats = kernel.stats();
    std::cout << fmt::format("{}: loaded ({} xlated instructions, {} "
                             "processed by the verifier)\n",
                             name, stats.xlatedInsns, stats.verifiedInsns);
  }
  return kExitOk;
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  CLI::App app{"bfc-run: runs packets through a compiled bfc chain "
               "(BPF_PROG_TEST_RUN) and compares with the interpreter",
               "bfc-run"};
  app.add_option("INPUT", opts.input,
                 "A .bpf.o object, or a .bf ruleset compiled here");
  app.add_option("SPEC", opts.specs, "Packet specs (lib/Packet syntax)");
  app.add_option("--from-str", opts.fromString,
                 "Ruleset text to compile instead of INPUT")
      ->type_name("TEXT");
  app.add_option("--source", opts.source,
                 "The ruleset an object was compiled from (for --compare)")
      ->type_name("FILE");
  app.add_option("-c,--chain", opts.chain, "Chain to run (default: the first)")
      ->type_name("NAME");
  app.add_option("--iface", opts.ifaces,
                 "Host interface index for a named interface")
      ->type_name("NAME=IDX")
      ->allow_extra_args(false)
      ->check([](const std::string &v) -> std::string {
        size_t eq = v.find('=');
        if (eq == 0 || eq == std::string::npos || eq + 1 == v.size() ||
            v.find_first_not_of("0123456789", eq + 1) != std::string::npos ||
            v.size() - eq > 11 || std::stoull(v.substr(eq + 1)) > 0xffffffffull)
          return "expected NAME=IDX (IDX a 32-bit interface index)";
        return {};
      });
  app.add_option("-f,--packets", opts.packetFiles,
                 "File of packet specs, one per line ('#' comments)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_flag("--compare", opts.compare,
               "Also run the interpreter; exit 1 on any difference");
  app.add_flag("--load-only", opts.loadOnly,
               "Only load (verify) the chain, or every chain");
  app.add_option("--repeat", opts.repeat,
                 "Test-run each packet N times and print the time")
      ->check(CLI::Range(1u, 100000000u));
  app.add_option("-O", opts.optLevel, "Optimisation level when compiling")
      ->check(CLI::Range(0u, 2u));
  app.add_flag("-q,--quiet", opts.quiet, "Print only differences and totals");
  app.add_flag("-v,--verbose", opts.verbose, "Show libbpf's messages");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  // With --from-str, the first positional is a packet spec.
  if (opts.fromString && !opts.input.empty()) {
    opts.specs.insert(opts.specs.begin(), opts.input);
    opts.input.clear();
  }
  if (opts.input.empty() && !opts.fromString) {
    toolError("no input: give an object or ruleset, or --from-str TEXT");
    return kExitUsage;
  }

  std::optional<Compiled> compiled;
  std::string objectBytes, objectName;
  if (opts.fromString) {
    compiled = compile("<string>", *opts.fromString, opts.optLevel);
    if (!compiled)
      return kExitFailed;
  } else {
    std::optional<std::string> bytes = readFile(opts.input);
    if (!bytes) {
      toolError(fmt::format("cannot read '{}'", opts.input));
      return kExitFailed;
    }
    if (isElf(*bytes)) {
      objectBytes = std::move(*bytes);
      objectName = opts.input;
    } else {
      compiled = compile(opts.input, std::move(*bytes), opts.optLevel);
      if (!compiled)
        return kExitFailed;
    }
  }
  if (compiled) {
    objectBytes = compiled->object;
    objectName = compiled->buffer->name();
  } else if (opts.compare) {
    if (opts.source.empty()) {
      toolError("--compare needs the ruleset: give --source FILE or run a "
                ".bf file");
      return kExitUsage;
    }
    std::optional<std::string> text = readFile(opts.source);
    if (!text) {
      toolError(fmt::format("cannot read '{}'", opts.source));
      return kExitFailed;
    }
    // Only the BFIR is needed; the object under test stays the given one.
    compiled = compile(opts.source, std::move(*text), opts.optLevel, false);
    if (!compiled)
      return kExitFailed;
  }

  std::optional<std::vector<Spec>> specs = collectSpecs(opts);
  if (!specs)
    return kExitFailed;
  try {
    object::ObjectFile object = object::ObjectFile::fromMemory(
        std::vector<uint8_t>(objectBytes.begin(), objectBytes.end()),
        objectName);
    if (opts.loadOnly)
      return loadOnly(opts, object);
    return runChain(opts, object, compiled ? &*compiled->module : nullptr,
                    *specs);
  } catch (const object::ObjectError &e) {
    toolError(e.what());
  } catch (const load::LoadError &e) {
    toolError(e.what());
  } catch (const std::exception &e) {
    toolError(e.what());
  }
  return kExitFailed;
}
