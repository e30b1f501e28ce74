// Helpers for interpreter tests: BFIR built by hand (Sema is not needed),
// inputs built from packet specs and a chain run with a persistent state.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "bfc/IR/BFIR.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Packet/Packet.h"

#include "../IR/BfirBuilders.h"
#include "../Packet/PacketTestSupport.h"

namespace bfc::interp::test {

using namespace ir::test;
using packet::test::input;

/// One chain in a module, rules added one by one, run on specs with a state
/// that persists across runs.
class ChainHarness : public ir::test::ChainBuilder {
public:
  using ChainBuilder::ChainBuilder;

  /// Adds a rule; the next run starts from a fresh state.
  ir::Rule &addRule(std::vector<ir::Predicate> predicates,
                    ir::Verdict verdict = ir::Verdict::Drop) {
    ir::Rule &rule = ChainBuilder::addRule(std::move(predicates), verdict);
    state_.reset();
    return rule;
  }

  InterpreterState &state() {
    if (!state_)
      state_ = std::make_unique<InterpreterState>(chain());
    return *state_;
  }

  Result run(const packet::Input &in) {
    Interpreter interp(module, chain(), env);
    for (const std::string &problem : interp.checkChain())
      ADD_FAILURE() << problem;
    if (auto problem = interp.checkInput(in)) {
      ADD_FAILURE() << *problem;
      return {};
    }
    Expected<Result> result = interp.run(in, state());
    if (!result) {
      ADD_FAILURE() << result.error().message;
      return {};
    }
    return std::move(result).value();
  }

  Result run(std::string_view spec) { return run(input(spec)); }

  /// Whether rule 0 decided on `spec`.
  bool firstRuleMatches(std::string_view spec) {
    Result r = run(spec);
    return r.rule == std::optional<uint32_t>(0);
  }

  HostEnv env;

private:
  std::unique_ptr<InterpreterState> state_;
};

} // namespace bfc::interp::test
