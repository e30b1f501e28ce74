// Maps and stack property: every random ruleset that loads at -O0 (no BFIR
// optimisations, LLVM at O0) also loads at -O2 (the default pipeline, then
// LLVM's O2), and both programs agree with the interpreter on the original
// ruleset: verdicts, return codes, marks, every counter and log event. The
// rulesets stress what optimisations add: many sets (every set is a map and
// a key buffer on the stack), many runs of equality rules for
// equalities-to-sets, IPv6 and LPM keys, long chains split into
// subprograms. Needs root (skips otherwise).
//
// BFC_PROPERTY_SEED=N replays one ruleset; BFC_PROPERTY_DUMP=FILE writes
// its BFIR there (bfc reads it back with --emit).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "../unit/CodeGen/RandomChains.h"
#include "bfc/IR/Printer.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Transform/PassManager.h"

using namespace bfc;
using namespace bfc::codegen;
using namespace bfc::codegen::test;

namespace {

constexpr unsigned kRulesets = 500;
constexpr unsigned kPacketsPerRuleset = 20;

/// A chain of runs of equality rules mixed with the differential test's
/// random rules (which bring named sets). Every third chain is nearly all
/// runs on IPv6 addresses: more than the budget without it. Every 25th is
/// long enough to be split into subprograms.
ir::Module stressModule(Random &r, unsigned seed) {
  ir::Module module = randomModule(r, seed);
  Generator gen{r, module.chains.front().hook, module};
  std::vector<ir::Rule> &rules = module.chains.front().rules;
  bool wide = seed % 3 == 0;
  // Sets cost stack at -O0 too: few of them, or -O0 rejects the chain.
  gen.anonymousSetChance = wide ? 0.0 : 0.05;
  size_t size = seed % 25 == 0 ? 260 + r.below(100)
                : wide         ? 160 + r.below(120)
                               : 40 + r.below(160);
  while (rules.size() < size) {
    auto index = static_cast<uint32_t>(rules.size());
    if (wide || r.chance(0.8))
      for (ir::Rule &rule : gen.equalityRun(index, wide))
        rules.push_back(std::move(rule));
    else
      rules.push_back(gen.makeRule(index));
  }
  return module;
}

/// The object for `module`, or the diagnostics that stopped it. Compiled
/// in a child process: codegen::emit installs no LLVM diagnostic handler,
/// and LLVM's default one exits the process on an error such as the BPF
/// backend's "stack limit is exceeded".
std::optional<std::string> compileQuietly(const ir::Module &module,
                                          unsigned optLevel,
                                          std::string &problem) {
  int out[2];
  FILE *errors = std::tmpfile();
  if (!errors || pipe(out) != 0) {
    problem = "no pipe";
    return std::nullopt;
  }
  pid_t child = fork();
  if (child == 0) {
    close(out[0]);
    dup2(fileno(errors), STDERR_FILENO);
    CodeGenOptions options;
    options.optLevel = optLevel;
    options.sourceText = "# random\n";
    DiagnosticEngine diags;
    std::optional<std::string> object =
        emit(module, options, EmitKind::Object, diags);
    diags.print(std::cerr);
    if (!object || diags.hasErrors())
      _exit(1);
    for (size_t done = 0; done < object->size();) {
      ssize_t n = write(out[1], object->data() + done, object->size() - done);
      if (n <= 0)
        _exit(2);
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(out[1]);
  std::string bytes;
  char buffer[65536];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;)
    bytes.append(buffer, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(child, &status, 0);
  std::rewind(errors);
  problem.clear();
  for (int c; (c = std::fgetc(errors)) != EOF;)
    problem += static_cast<char>(c);
  std::fclose(errors);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::nullopt;
  return bytes;
}

/// Compiles and loads; nullptr and `problem` when either fails.
std::unique_ptr<Loaded> tryLoad(const ir::Module &module, unsigned optLevel,
                                std::string &problem) {
  std::optional<std::string> bytes = compileQuietly(module, optLevel, problem);
  if (!bytes)
    return nullptr;
  auto loaded = std::make_unique<Loaded>(Loaded{objectFile(*bytes), nullptr});
  load::TestRunOptions options;
  options.ifaces = kIfaces;
  try {
    loaded->chain =
        std::make_unique<load::TestRunChain>(loaded->object, options);
  } catch (const load::LoadError &e) {
    problem = e.what();
    return nullptr;
  }
  return loaded;
}

/// Anonymous sets after the default pipeline with `options`.
size_t anonymousSets(const ir::Module &module) {
  size_t n = 0;
  for (const ir::Set &set : module.chains.front().sets)
    n += set.anonymous;
  return n;
}

TEST(MapsStackProperty, LoadsAtO0ThenLoadsAtO2AndAgrees) {
  BFC_REQUIRE_ROOT();
  unsigned first = 1, last = kRulesets;
  if (const char *only = std::getenv("BFC_PROPERTY_SEED"))
    first = last = static_cast<unsigned>(std::atoi(only));
  unsigned loadedBoth = 0, rejectedAtO0 = 0, overBudget = 0, packets = 0;
  size_t mostSets = 0;
  for (unsigned seed = first; seed <= last; ++seed) {
    Random r(seed);
    ir::Module module = stressModule(r, seed);
    std::vector<std::string> problems =
        ir::verifyChain(module, module.chains.front());
    ASSERT_TRUE(problems.empty()) << "seed " << seed << ": " << problems[0];
    if (const char *dump = std::getenv("BFC_PROPERTY_DUMP")) {
      std::ofstream out(dump);
      ir::printModule(module, out);
    }
    std::string why;
    std::unique_ptr<Loaded> o0 = tryLoad(module, 0, why);
    if (!o0) {
      ++rejectedAtO0;
      if (std::getenv("BFC_PROPERTY_VERBOSE"))
        std::cout << "seed " << seed << ": does not load at -O0: "
                  << why.substr(why.size() > 300 ? why.size() - 300 : 0)
                  << "\n";
      continue;
    }

    ir::Module optimized = module;
    transform::PipelineOptions passOptions;
    passOptions.verifyEach = true;
    DiagnosticEngine diags;
    ASSERT_TRUE(transform::runDefaultPipeline(optimized, diags, passOptions))
        << "seed " << seed;
    // Does the budget decide anything here? (the same passes without it)
    ir::Module unbounded = module;
    transform::PipelineOptions noBudget = passOptions;
    noBudget.maxSetsPerChain = noBudget.maxSetKeyBytes = 1u << 30;
    transform::runDefaultPipeline(unbounded, diags, noBudget);
    overBudget += anonymousSets(unbounded) > anonymousSets(optimized);
    mostSets = std::max(mostSets, optimized.chains.front().sets.size());

    std::unique_ptr<Loaded> o2 = tryLoad(optimized, 2, why);
    ASSERT_TRUE(o2) << "seed " << seed << " ("
                    << ir::hookName(module.chains.front().hook) << ", "
                    << module.chains.front().rules.size() << " rules, "
                    << optimized.chains.front().sets.size()
                    << " sets) loads at -O0, not at -O2: " << why;
    ++loadedBoth;

    interp::HostEnv env;
    env.ifindexByName = kIfaces;
    const ir::Chain &chain = module.chains.front();
    run::Comparer atO0(module, chain, *o0->chain, env);
    run::Comparer atO2(module, chain, *o2->chain, env);
    unsigned failures = 0;
    for (unsigned i = 0; i < kPacketsPerRuleset; ++i) {
      std::string spec = randomPacket(r);
      Expected<packet::Packet> pkt = packet::buildPacket(spec);
      ASSERT_TRUE(pkt.ok()) << spec;
      maybeTruncate(r, *pkt, spec);
      if (load::testRunProblem(chain.hook, *pkt))
        continue;
      ++packets;
      for (auto [level, comparer] : {std::pair{"-O0", &atO0}, {"-O2", &atO2}}) {
        run::Comparison c = comparer->run(*pkt);
        if (!c.differences.empty() && failures++ < 5)
          ADD_FAILURE() << "seed " << seed << " at " << level << " ("
                        << ir::hookName(chain.hook) << "), packet " << spec
                        << ": " << c.differences.front();
      }
    }
  }
  std::cout << fmt::format("[ maps/stack ] {} rulesets load at -O0 and -O2 "
                           "({} over the pass budget, up to {} sets), {} do "
                           "not load at -O0; {} packets compared twice\n",
                           loadedBoth, overBudget, mostSets, rejectedAtO0,
                           packets);
  if (first != 1 || last != kRulesets)
    return;
  EXPECT_GE(loadedBoth, kRulesets * 9 / 10);
  EXPECT_GE(overBudget, 25u) << "rulesets where the budget decides";
  EXPECT_GE(packets, loadedBoth * kPacketsPerRuleset / 2);
}

} // namespace
