// Rules that can never match: shadowed by an earlier catch-all rule,
// contradictory predicates, predicates on incompatible headers, a 0%
// probability, an empty set.

#include <algorithm>

#include <fmt/format.h>

#include "SemaInternal.h"

namespace bfc::sema {

namespace {

/// True when the first `bits` bits of `a` and `b` are equal.
bool equalPrefix(const ir::Bytes &a, const ir::Bytes &b, unsigned bits) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size() && bits; ++i) {
    unsigned n = std::min(bits, 8u);
    uint8_t mask = static_cast<uint8_t>(0xff00u >> n);
    if ((a[i] & mask) != (b[i] & mask))
      return false;
    bits -= n;
  }
  return true;
}

unsigned comparedBits(const ir::Predicate &p) {
  return p.prefixLen ? *p.prefixLen : 8u * ir::fieldInfo(p.field).width;
}

bool isEqField(const ir::Predicate &p) {
  return p.kind == ir::Predicate::Kind::Field && p.op == ir::CmpOp::Eq;
}

/// True when no packet satisfies both `a` and `b` (two equalities on the
/// same field, or on the same interface).
bool contradicts(const ir::Predicate &a, const ir::Predicate &b) {
  if (a.kind == ir::Predicate::Kind::Iface &&
      b.kind == ir::Predicate::Kind::Iface) {
    bool sameIface =
        a.hostSlot == b.hostSlot && (a.hostSlot || a.ifindex == b.ifindex);
    if (a.negate != b.negate)
      return sameIface;
    // Two literal indexes differ for sure; two names might be one interface.
    return !a.negate && !a.hostSlot && !b.hostSlot && a.ifindex != b.ifindex;
  }
  if (!isEqField(a) || !isEqField(b) || a.field != b.field)
    return false;
  if (!a.negate && !b.negate)
    return !equalPrefix(a.value, b.value,
                        std::min(comparedBits(a), comparedBits(b)));
  if (a.negate && b.negate)
    return false;
  // `X` and `not Y`: contradictory when Y covers X entirely.
  const ir::Predicate &pos = a.negate ? b : a;
  const ir::Predicate &neg = a.negate ? a : b;
  return comparedBits(neg) <= comparedBits(pos) &&
         equalPrefix(pos.value, neg.value, comparedBits(neg));
}

/// The internet (4, 6) and transport headers a predicate needs; a packet
/// missing any of them fails the predicate, negated or not.
struct HeaderNeeds {
  unsigned ip = 0;        ///< 0: any
  unsigned transport = 0; ///< bitmask of kTcp.. below, 0: any
};
constexpr unsigned kTcp = 1, kUdp = 2, kIcmp = 4, kIcmpv6 = 8;

HeaderNeeds needsOf(ir::Proto proto) {
  switch (proto) {
  case ir::Proto::Ip4:
    return {4, 0};
  case ir::Proto::Ip6:
    return {6, 0};
  case ir::Proto::Tcp:
    return {0, kTcp};
  case ir::Proto::Udp:
    return {0, kUdp};
  case ir::Proto::TcpOrUdp:
    return {0, kTcp | kUdp};
  case ir::Proto::Icmp:
    return {4, kIcmp}; // ICMP is only looked for over IPv4
  case ir::Proto::Icmpv6:
    return {6, kIcmpv6}; // and ICMPv6 over IPv6
  case ir::Proto::None:
    break;
  }
  return {};
}

HeaderNeeds needsOf(const ir::Predicate &p, const ir::Chain &chain) {
  switch (p.kind) {
  case ir::Predicate::Kind::Field:
    return needsOf(ir::fieldInfo(p.field).proto);
  case ir::Predicate::Kind::Ip6HeaderChain:
    return {6, 0};
  case ir::Predicate::Kind::Set: {
    // Conflicts inside the key itself are reported by neverMatchesAlone().
    HeaderNeeds all;
    for (ir::FieldId field : chain.sets[p.set].key) {
      HeaderNeeds n = needsOf(ir::fieldInfo(field).proto);
      if (n.ip)
        all.ip = n.ip;
      if (n.transport)
        all.transport =
            all.transport ? all.transport & n.transport : n.transport;
    }
    return all;
  }
  default:
    return {};
  }
}

bool incompatible(const HeaderNeeds &a, const HeaderNeeds &b) {
  if (a.ip && b.ip && a.ip != b.ip)
    return true;
  return a.transport && b.transport && !(a.transport & b.transport);
}

/// Diagnostics quote matcher texts; an inline set can be very long.
std::string shortText(const std::string &text) {
  constexpr size_t kMax = 48;
  return text.size() <= kMax ? text : text.substr(0, kMax - 3) + "...";
}

/// A warning about one predicate: which, and why.
struct PredicateWarning {
  WarningID id;
  std::string why; ///< empty: nothing to warn about
};

/// Why `p` alone never matches (or, for 'not in' an empty set, always
/// does); `why` is empty when it is fine.
PredicateWarning neverMatchesAlone(const ir::Predicate &p,
                                   const ir::Chain &chain) {
  constexpr WarningID kNever = WarningID::NeverMatchingRule;
  if (p.kind == ir::Predicate::Kind::Probability) {
    if (!p.negate && p.percent == 0)
      return {kNever, "rule can never match: its probability is 0%"};
    if (p.negate && p.percent == 100)
      return {kNever, "rule can never match: 'not' of a 100% probability"};
  }
  if (p.kind == ir::Predicate::Kind::Set) {
    const ir::Set &set = chain.sets[p.set];
    for (size_t j = 0; j < set.key.size(); ++j)
      for (size_t i = 0; i < j; ++i)
        if (incompatible(needsOf(ir::fieldInfo(set.key[i]).proto),
                         needsOf(ir::fieldInfo(set.key[j]).proto)))
          return {kNever,
                  fmt::format("rule can never match: set key components "
                              "'{}' and '{}' need different protocol headers",
                              ir::fieldInfo(set.key[i]).name,
                              ir::fieldInfo(set.key[j]).name)};
    if (set.elements.empty()) {
      std::string name = set.anonymous ? "the set" : "set '" + set.name + "'";
      return {WarningID::EmptySet,
              p.negate
                  ? fmt::format("{} is empty: 'not in' matches every "
                                "packet that has the key's headers",
                                name)
                  : fmt::format("rule can never match: {} is empty", name)};
    }
  }
  return {};
}

void checkRule(Context &ctx, const ir::Chain &chain, const ir::Rule &rule) {
  const auto &preds = rule.predicates;
  for (const ir::Predicate &p : preds) {
    auto [id, why] = neverMatchesAlone(p, chain);
    if (!why.empty()) {
      ctx.warning(id, p.range, why);
      if (why.starts_with("rule can never match"))
        return;
    }
  }
  for (size_t j = 0; j < preds.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const ir::Predicate &a = preds[i];
      const ir::Predicate &b = preds[j];
      std::string why;
      if (contradicts(a, b))
        why = fmt::format("rule can never match: '{}' contradicts '{}'",
                          shortText(b.text), shortText(a.text));
      else if (incompatible(needsOf(a, chain), needsOf(b, chain)))
        why = fmt::format("rule can never match: '{}' and '{}' need "
                          "different protocol headers",
                          shortText(a.text), shortText(b.text));
      if (why.empty())
        continue;
      ctx.warning(WarningID::NeverMatchingRule, b.range, why);
      ctx.note(a.range, fmt::format("'{}' is here", shortText(a.text)));
      return;
    }
  }
}

} // namespace

void warnNeverMatching(Context &ctx, const ChainScope &scope,
                       const std::vector<bool> &valid) {
  const ir::Chain &chain = scope.chain;
  for (size_t i = 0; i < chain.rules.size(); ++i)
    if (valid[i])
      checkRule(ctx, chain, chain.rules[i]);

  // A rule without predicates and with a terminal verdict decides for every
  // packet: nothing after it runs.
  for (size_t i = 0; i + 1 < chain.rules.size(); ++i) {
    const ir::Rule &rule = chain.rules[i];
    if (!valid[i] || !rule.predicates.empty() ||
        rule.verdict == ir::Verdict::Continue)
      continue;
    size_t after = chain.rules.size() - i - 2;
    ctx.warning(WarningID::UnreachableRule,
                scope.ast.rules[i + 1].keyword.range.isValid()
                    ? scope.ast.rules[i + 1].keyword.range
                    : chain.rules[i + 1].range,
                fmt::format("rule can never match: an earlier rule matches "
                            "every packet{}",
                            after ? fmt::format(" (neither can the {} "
                                                "rule{} after it)",
                                                after, after == 1 ? "" : "s")
                                  : ""));
    ctx.note(scope.ast.rules[i].keyword.range.isValid()
                 ? scope.ast.rules[i].keyword.range
                 : rule.range,
             fmt::format("this rule has no matchers and ends the chain with "
                         "{}",
                         ir::verdictName(rule.verdict)));
    break;
  }
}

} // namespace bfc::sema
