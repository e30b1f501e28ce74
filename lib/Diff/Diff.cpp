// Chains matched by name, each shape of their hook partitioned, witnesses
// checked through the interpreter.

#include <fmt/format.h>

#include "DiffInternal.h"
#include "bfc/Interp/Interpreter.h"

namespace bfc::diff {

namespace {

const ir::Chain *findChain(const ir::Module &module, const std::string &name) {
  for (const ir::Chain &chain : module.chains)
    if (chain.name == name)
      return &chain;
  return nullptr;
}

/// Interface names get ifindexes far above the literal ones rules use.
IfaceIndexes assignIfaces(const ir::Module &before, const ir::Module &after) {
  constexpr uint32_t kFirstSyntheticIfindex = 1000000;
  IfaceIndexes ifaces;
  for (const ir::Module *module : {&before, &after})
    for (const ir::HostSlot &slot : module->hostSlots)
      ifaces.emplace(slot.name, 0);
  uint32_t next = kFirstSyntheticIfindex;
  for (auto &[name, index] : ifaces)
    index = next++;
  return ifaces;
}

Fate fateOfRun(const ir::Module &module, const ir::Chain &chain,
               const interp::Result &result) {
  Fate fate;
  fate.verdict = result.verdict;
  fate.rule = result.rule;
  if (result.markSet)
    fate.mark = result.mark;
  if (result.verdict == ir::Verdict::Redirect && result.rule)
    fate.redirect = redirectTarget(module, chain.rules[*result.rule]);
  return fate;
}

std::string fateText(const Fate &fate) {
  return fmt::format("{} by {}{}", ir::verdictName(fate.verdict),
                     fate.rule ? fmt::format("rule {}", *fate.rule) : "policy",
                     fate.mark ? fmt::format(", mark {:#x}", *fate.mark) : "");
}

/// Runs the witness on one version: it must meet the class's fate.
void checkWitness(const ir::Module &module, const ir::Chain &chain,
                  const interp::HostEnv &env, const std::string &spec,
                  const Fate &expected) {
  Expected<packet::Input> input = packet::parseInput(spec);
  if (!input)
    throw std::logic_error("bfc diff: witness '" + spec + "' does not parse");
  interp::Interpreter interpreter(module, chain, env);
  interp::InterpreterState state(chain);
  Expected<interp::Result> ran = interpreter.run(*input, state);
  if (!ran)
    throw std::logic_error("bfc diff: witness '" + spec +
                           "' does not run: " + ran.error().message);
  const interp::Result &result = *ran;
  Fate actual = fateOfRun(module, chain, result);
  if (actual.verdict != expected.verdict || actual.rule != expected.rule ||
      actual.mark != expected.mark || actual.redirect != expected.redirect)
    throw std::logic_error(fmt::format(
        "bfc diff: internal error: witness '{}' of chain {} gives {} in the "
        "interpreter, the analysis says {}",
        spec, chain.name, fateText(actual), fateText(expected)));
}

void diffChain(const ir::Module &beforeModule, const ir::Module &afterModule,
               const IfaceIndexes &ifaces, const DiffOptions &options,
               ModuleDiff &out, ChainDiff &chain) {
  interp::HostEnv env;
  for (const auto &[name, index] : ifaces)
    env.ifindexByName[name] = index;
  for (std::unique_ptr<Shape> &shape : shapesOfHook(chain.before->hook)) {
    CompiledChain before =
        compileChain(beforeModule, *chain.before, *shape, ifaces, false);
    CompiledChain after =
        compileChain(afterModule, *chain.after, *shape, ifaces, true);
    std::vector<ChangedClass> classes = partitionShape(
        *shape, beforeModule, before, afterModule, after, options);
    mergeClasses(classes);
    for (ChangedClass &cls : classes) {
      cls.witness = buildWitness(cls, chain.before->hook, ifaces);
      if (!cls.witness.empty()) {
        checkWitness(beforeModule, *chain.before, env, cls.witness, cls.before);
        checkWitness(afterModule, *chain.after, env, cls.witness, cls.after);
      }
      chain.classes.push_back(std::move(cls));
    }
    out.shapes.push_back(std::move(shape));
  }
  if (!chain.classes.empty())
    chain.status = ChainDiff::Status::Changed;
}

} // namespace

bool ModuleDiff::changed() const {
  for (const ChainDiff &chain : chains)
    if (chain.status != ChainDiff::Status::Unchanged)
      return true;
  return false;
}

namespace {

ModuleDiff diffAll(const ir::Module &before, const ir::Module &after,
                   const DiffOptions &options) {
  ModuleDiff out;
  IfaceIndexes ifaces = assignIfaces(before, after);
  out.ifaces.assign(ifaces.begin(), ifaces.end());
  for (const ir::Chain &chain : before.chains) {
    ChainDiff diff;
    diff.name = chain.name;
    diff.before = &chain;
    diff.after = findChain(after, chain.name);
    if (!diff.after)
      diff.status = ChainDiff::Status::Removed;
    else if (diff.after->hook != chain.hook)
      diff.status = ChainDiff::Status::HookChanged;
    else
      diffChain(before, after, ifaces, options, out, diff);
    out.chains.push_back(std::move(diff));
  }
  for (const ir::Chain &chain : after.chains)
    if (!findChain(before, chain.name)) {
      ChainDiff diff;
      diff.name = chain.name;
      diff.after = &chain;
      diff.status = ChainDiff::Status::Added;
      out.chains.push_back(std::move(diff));
    }
  return out;
}

} // namespace

Expected<ModuleDiff> diffModules(const ir::Module &before,
                                 const ir::Module &after,
                                 const DiffOptions &options) {
  try {
    return diffAll(before, after, options);
  } catch (Error &unsupported) { // thrown where a matcher is compiled
    return std::move(unsupported);
  }
}

} // namespace bfc::diff
