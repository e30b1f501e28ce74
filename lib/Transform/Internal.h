// Helpers shared by the pass implementations.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "bfc/Transform/PassManager.h"

namespace bfc::transform::detail {

/// A pass that runs a function on every chain of the module.
class ChainPass : public Pass {
public:
  using Function =
      std::function<bool(ir::Module &, ir::Chain &, PassContext &)>;

  ChainPass(std::string name, Kind kind, Function function)
      : name_(std::move(name)), kind_(kind), function_(std::move(function)) {}

  std::string_view name() const override { return name_; }
  Kind kind() const override { return kind_; }
  bool run(ir::Module &module, PassContext &context) override {
    bool changed = false;
    for (ir::Chain &chain : module.chains)
      changed |= function_(module, chain, context);
    return changed;
  }

private:
  std::string name_;
  Kind kind_;
  Function function_;
};

inline std::unique_ptr<Pass> makeChainPass(std::string name, Pass::Kind kind,
                                           ChainPass::Function function) {
  return std::make_unique<ChainPass>(std::move(name), kind,
                                     std::move(function));
}

/// Where a rule's warnings point: its `rule` keyword, which begins its
/// range (an invalid range stays invalid).
inline SourceRange ruleKeywordRange(const ir::Rule &rule) {
  SourceRange range = rule.range;
  if (range.begin.isValid()) {
    range.end = range.begin;
    range.end.column += 4;
    range.end.offset += 4;
  }
  return range;
}

/// A name for a new anonymous set of `chain`: `__anon<N>` with N above every
/// number in use.
std::string newAnonymousSetName(const ir::Chain &chain);

} // namespace bfc::transform::detail
