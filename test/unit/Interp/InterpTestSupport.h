// Helpers for interpreter tests: BFIR built by hand (Sema is not needed) and
// inputs built from packet specs.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "bfc/IR/BFIR.h"
#include "bfc/IR/Names.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Packet/Packet.h"

#include "../Packet/PacketTestSupport.h"

namespace bfc::interp::test {

using ir::toBigEndian;

/// `field op value` with an integer value of the field's width.
inline ir::Predicate fieldIs(ir::FieldId field, uint64_t value,
                             ir::CmpOp op = ir::CmpOp::Eq) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Field;
  pred.field = field;
  pred.op = op;
  pred.value = toBigEndian(value, ir::fieldInfo(field).width);
  return pred;
}

inline ir::Predicate fieldBytes(ir::FieldId field, ir::Bytes value) {
  ir::Predicate pred;
  pred.field = field;
  pred.value = std::move(value);
  return pred;
}

/// The bytes of an address parsed by `parse`; a bad address fails the test.
template <size_t N>
ir::Bytes
addressBytes(std::string_view text,
             std::optional<std::array<uint8_t, N>> (*parse)(std::string_view)) {
  auto addr = parse(text);
  EXPECT_TRUE(addr) << text;
  return addr ? ir::Bytes(addr->begin(), addr->end()) : ir::Bytes(N);
}

inline ir::Bytes ip4(std::string_view text) {
  return addressBytes(text, ir::parseIp4);
}

inline ir::Bytes ip6(std::string_view text) {
  return addressBytes(text, ir::parseIp6);
}

inline ir::Predicate prefix(ir::FieldId field, ir::Bytes addr, uint8_t len) {
  ir::Predicate pred = fieldBytes(field, std::move(addr));
  pred.prefixLen = len;
  return pred;
}

inline ir::Predicate rangeOf(ir::FieldId field, uint64_t low, uint64_t high) {
  ir::Predicate pred = fieldIs(field, low, ir::CmpOp::Range);
  pred.high = toBigEndian(high, ir::fieldInfo(field).width);
  return pred;
}

inline ir::Predicate negated(ir::Predicate pred) {
  pred.negate = !pred.negate;
  return pred;
}

inline ir::Predicate ifaceSlot(uint32_t slot) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Iface;
  pred.hostSlot = slot;
  return pred;
}

inline ir::Predicate ifaceIndex(uint32_t ifindex) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Iface;
  pred.ifindex = ifindex;
  return pred;
}

inline ir::Predicate probability(double percent, bool perFlow) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Probability;
  pred.percent = percent;
  pred.perFlow = perFlow;
  return pred;
}

inline ir::Predicate ip6Chain(uint8_t protocol) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Ip6HeaderChain;
  pred.protocol = protocol;
  return pred;
}

inline ir::Predicate inSet(uint32_t set) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Set;
  pred.set = set;
  return pred;
}

inline packet::Input input(std::string_view spec) {
  return packet::test::valueOrFail(packet::parseInput(spec), spec);
}

/// One chain in a module, rules added one by one, run on specs with a state
/// that persists across runs.
class ChainHarness {
public:
  explicit ChainHarness(ir::Hook hook,
                        ir::Verdict policy = ir::Verdict::Accept) {
    ir::Chain chain;
    chain.name = "test";
    chain.hook = hook;
    chain.policy = policy;
    module.chains.push_back(std::move(chain));
  }

  ir::Chain &chain() { return module.chains.front(); }

  ir::Rule &addRule(std::vector<ir::Predicate> predicates,
                    ir::Verdict verdict = ir::Verdict::Drop) {
    ir::Rule rule;
    rule.index = static_cast<uint32_t>(chain().rules.size());
    rule.predicates = std::move(predicates);
    rule.verdict = verdict;
    chain().rules.push_back(std::move(rule));
    state_.reset();
    return chain().rules.back();
  }

  uint32_t addSet(std::vector<ir::FieldId> key, bool lpm,
                  std::vector<ir::SetElement> elements) {
    ir::Set set;
    set.name = "s" + std::to_string(chain().sets.size());
    set.key = std::move(key);
    set.lpm = lpm;
    set.elements = std::move(elements);
    chain().sets.push_back(std::move(set));
    return static_cast<uint32_t>(chain().sets.size() - 1);
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
    return interp.run(in, state());
  }

  Result run(std::string_view spec) { return run(input(spec)); }

  /// Whether rule 0 decided on `spec`.
  bool firstRuleMatches(std::string_view spec) {
    Result r = run(spec);
    return r.rule == std::optional<uint32_t>(0);
  }

  ir::Module module;
  HostEnv env;

private:
  std::unique_ptr<InterpreterState> state_;
};

} // namespace bfc::interp::test
