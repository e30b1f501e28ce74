#include "KernelTestRun.h"

#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "Compare.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/Object/ObjectFile.h"
#include "bfc/Transform/PassManager.h"

namespace bfc::driver {

namespace {

using Ifaces = std::map<std::string, uint32_t>;

/// One loaded chain and its comparer (which keeps the interpreter's
/// counters in step with the kernel's).
struct LoadedForTest {
  std::unique_ptr<load::TestRunChain> kernel;
  std::unique_ptr<run::Comparer> comparer;
};

class KernelTestRunImpl : public KernelTestRun {
public:
  KernelTestRunImpl(const ir::Module &module, object::ObjectFile object)
      : module_(module), object_(std::move(object)) {}

  /// Loads every chain BPF_PROG_TEST_RUN can run, without interfaces
  /// (rulesets that name some get them per case, loaded when needed).
  /// Throws load::LoadError.
  void loadChains() {
    for (const ir::Chain &chain : module_.chains)
      if (ir::hookFamily(chain.hook) != ir::HookFamily::CgroupSockAddr)
        loaded(chain, {});
  }

  /// `chain` loaded with the host slots `ifaces` gives.
  LoadedForTest &loaded(const ir::Chain &chain, const Ifaces &ifaces) {
    LoadedForTest &entry = chains_[{&chain, ifaces}];
    if (!entry.kernel) {
      load::TestRunOptions options;
      options.chain = chain.name;
      options.ifaces = ifaces;
      entry.kernel = std::make_unique<load::TestRunChain>(object_, options);
      entry.comparer = std::make_unique<run::Comparer>(
          module_, chain, *entry.kernel, interp::HostEnv{ifaces});
    }
    return entry;
  }

  void check(const rulesettest::TestCase &test,
             rulesettest::CaseResult &result) override {
    const auto *pkt = std::get_if<packet::Packet>(&test.input);
    if (!pkt) {
      result.kernelNote = "not run in the kernel: sock_addr calls cannot be "
                          "test-run";
      return;
    }
    if (std::optional<std::string> problem =
            load::testRunProblem(test.chain->hook, *pkt)) {
      result.kernelNote = "not run in the kernel: " + *problem;
      return;
    }
    try {
      run::Comparison comparison =
          loaded(*test.chain, test.ifaces).comparer->run(*pkt);
      result.kernelRan = true;
      // The test run may give the program other metadata than the spec's
      // (netfilter runs have no mark); say so when that changes the outcome.
      const interp::Result &variant = comparison.interp;
      if (variant.verdict != result.actual.verdict ||
          variant.rule != result.actual.rule ||
          variant.mark != result.actual.mark) {
        const packet::Metadata &given = comparison.packet.interp.meta;
        result.kernelNote = fmt::format(
            "{} test runs cannot give this packet's metadata: the kernel ran "
            "it with mark {:#x} and interface {}, which the ruleset treats "
            "differently",
            ir::hookName(test.chain->hook), given.mark, given.ifindex);
      }
      if (!comparison.differences.empty()) {
        std::string text;
        for (const std::string &difference : comparison.differences)
          text += (text.empty() ? "" : "; ") + difference;
        result.failures.push_back(
            fmt::format("the kernel differs from the interpreter: {}", text));
      }
    } catch (const load::LoadError &e) {
      result.failures.push_back(
          fmt::format("the kernel test run failed: {}", e.what()));
    }
  }

private:
  const ir::Module &module_;
  object::ObjectFile object_;
  std::map<std::pair<const ir::Chain *, Ifaces>, LoadedForTest> chains_;
};

} // namespace

std::unique_ptr<KernelTestRun> KernelTestRun::create(const ir::Module &module,
                                                     const SourceBuffer &source,
                                                     std::string &problem) {
  // The program under test is the one `bfc RULESET` writes: after the BFIR
  // passes (which keep every counter, mark and verdict the interpreter
  // computes on the checked module, docs/architecture.md).
  DiagnosticEngine diags(&source);
  diags.setIgnoreWarnings(true);
  ir::Module optimised = module;
  transform::runDefaultPipeline(optimised, diags);
  codegen::CodeGenOptions options;
  options.sourceText = source.text();
  options.sourceName = source.name();
  std::optional<std::string> bytes =
      codegen::emit(optimised, options, codegen::EmitKind::Object, diags);
  if (!bytes || diags.hasErrors()) {
    std::ostringstream text;
    diags.print(text);
    problem = "--kernel: cannot compile the ruleset:\n" + text.str();
    return nullptr;
  }
  try {
    auto run = std::make_unique<KernelTestRunImpl>(
        module,
        object::ObjectFile::fromMemory(
            std::vector<uint8_t>(bytes->begin(), bytes->end()), source.name()));
    run->loadChains();
    return run;
  } catch (const std::exception &e) {
    // LoadError says what to do about missing privileges.
    problem = fmt::format("--kernel: {}", e.what());
    return nullptr;
  }
}

} // namespace bfc::driver
