// BFIR built by hand for the unit tests of the stages after Sema (IR,
// interpreter, passes, code generation): predicates, set elements and a
// module of one chain, built rule by rule.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/IR/HookModel.h"
#include "bfc/IR/Names.h"

namespace bfc::ir::test {

using ir::toBigEndian;

/// `field op value` with an integer value of the field's width.
inline Predicate fieldIs(FieldId field, uint64_t value, CmpOp op = CmpOp::Eq) {
  Predicate pred;
  pred.kind = Predicate::Kind::Field;
  pred.field = field;
  pred.op = op;
  pred.value = toBigEndian(value, fieldInfo(field).width);
  return pred;
}

/// `field eq value`, or `field eq value/prefixLen`.
inline Predicate fieldBytes(FieldId field, Bytes value,
                            std::optional<uint8_t> prefixLen = {}) {
  Predicate pred;
  pred.kind = Predicate::Kind::Field;
  pred.field = field;
  pred.value = std::move(value);
  pred.prefixLen = prefixLen;
  return pred;
}

/// The bytes of an address parsed by `parse`; a bad address fails the test.
template <size_t N>
Bytes addressBytes(
    std::string_view text,
    std::optional<std::array<uint8_t, N>> (*parse)(std::string_view)) {
  auto addr = parse(text);
  EXPECT_TRUE(addr) << text;
  return addr ? Bytes(addr->begin(), addr->end()) : Bytes(N);
}

inline Bytes ip4(std::string_view text) { return addressBytes(text, parseIp4); }

inline Bytes ip6(std::string_view text) { return addressBytes(text, parseIp6); }

inline Predicate prefix(FieldId field, Bytes addr, uint8_t len) {
  return fieldBytes(field, std::move(addr), len);
}

inline Predicate rangeOf(FieldId field, uint64_t low, uint64_t high) {
  Predicate pred = fieldIs(field, low, CmpOp::Range);
  pred.high = toBigEndian(high, fieldInfo(field).width);
  return pred;
}

inline Predicate negated(Predicate pred) {
  pred.negate = !pred.negate;
  return pred;
}

inline Predicate ifaceSlot(uint32_t slot) {
  Predicate pred;
  pred.kind = Predicate::Kind::Iface;
  pred.hostSlot = slot;
  return pred;
}

inline Predicate ifaceIndex(uint32_t ifindex) {
  Predicate pred;
  pred.kind = Predicate::Kind::Iface;
  pred.ifindex = ifindex;
  return pred;
}

inline Predicate probability(double percent, bool perFlow = false) {
  Predicate pred;
  pred.kind = Predicate::Kind::Probability;
  pred.percent = percent;
  pred.perFlow = perFlow;
  return pred;
}

inline Predicate ip6Chain(uint8_t protocol) {
  Predicate pred;
  pred.kind = Predicate::Kind::Ip6HeaderChain;
  pred.protocol = protocol;
  return pred;
}

inline Predicate inSet(uint32_t set) {
  Predicate pred;
  pred.kind = Predicate::Kind::Set;
  pred.set = set;
  return pred;
}

inline SetElement element(Bytes key, uint8_t prefixLen = 0) {
  SetElement e;
  e.key = std::move(key);
  e.prefixLen = prefixLen;
  return e;
}

/// Rewrites what the chain's hook cannot read or do (the hook model) so
/// that ir::verifyModule accepts it, keeping the rules' shapes: compares of
/// the skb's mark or hash become compares of meta.ifindex, per-flow
/// probabilities random ones; other unsupported predicates and the mark
/// option where the hook cannot set it are dropped. Random generators draw
/// from all of BFIR.
inline void conformToHook(Chain &chain) {
  auto unsupported = [&](const Predicate &pred) {
    return predicateVisibility(chain.hook, pred, chain) ==
           Visibility::Unsupported;
  };
  for (Rule &rule : chain.rules) {
    for (Predicate &pred : rule.predicates) {
      if (!unsupported(pred))
        continue;
      if (pred.kind == Predicate::Kind::Probability)
        pred.perFlow = false;
      else if (pred.kind == Predicate::Kind::Field &&
               fieldInfo(pred.field).width == 4 &&
               fieldInfo(pred.field).proto == Proto::None)
        pred.field = FieldId::MetaIfindex;
    }
    std::erase_if(rule.predicates, unsupported);
    if (!hookCanSetMark(chain.hook))
      rule.mark.reset();
  }
}

/// A module with one chain named "test", built rule by rule.
struct ChainBuilder {
  explicit ChainBuilder(Hook hook, Verdict policy = Verdict::Accept) {
    Chain chain;
    chain.name = "test";
    chain.hook = hook;
    chain.policy = policy;
    module.chains.push_back(std::move(chain));
  }

  Chain &chain() { return module.chains.front(); }

  Rule &addRule(std::vector<Predicate> predicates,
                Verdict verdict = Verdict::Drop) {
    Rule rule;
    rule.index = static_cast<uint32_t>(chain().rules.size());
    rule.predicates = std::move(predicates);
    rule.verdict = verdict;
    chain().rules.push_back(std::move(rule));
    return chain().rules.back();
  }

  /// Appends `set`; returns its index.
  uint32_t addSet(Set set) {
    chain().sets.push_back(std::move(set));
    return static_cast<uint32_t>(chain().sets.size() - 1);
  }

  /// A named set "s<index>".
  uint32_t addSet(std::vector<FieldId> key, bool lpm,
                  std::vector<SetElement> elements) {
    Set set;
    set.name = "s" + std::to_string(chain().sets.size());
    set.key = std::move(key);
    set.lpm = lpm;
    set.elements = std::move(elements);
    return addSet(std::move(set));
  }

  Module module;
};

} // namespace bfc::ir::test
