// The warnings about rules that can never match on their own (their
// predicates contradict each other or need headers a packet cannot have
// together, a 0% probability, an empty set) and about rules after one that
// matches every packet. The reasoning is PredicateFacts'.

#include <fmt/format.h>

#include "Internal.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

namespace {

/// Diagnostics quote matcher texts; an inline set can be very long.
std::string shortText(const std::string &text) {
  constexpr size_t kMax = 48;
  return text.size() <= kMax ? text : text.substr(0, kMax - 3) + "...";
}

/// No packet (or sock_addr call) of the chain's hook has every header of
/// both `a` and `b` (HeaderBit masks).
bool headersConflict(const ir::Chain &chain, uint8_t a, uint8_t b) {
  PredicateFacts facts(chain);
  facts.assumeHeaders(a | b);
  return facts.contradictory();
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
    Truth test = probabilityConstant(p.percent);
    if (!p.negate && test == Truth::False)
      return {kNever, "rule can never match: its probability is 0%"};
    if (p.negate && test == Truth::True)
      return {kNever, "rule can never match: 'not' of a 100% probability"};
  }
  if (p.kind == ir::Predicate::Kind::Set) {
    const ir::Set &set = chain.sets[p.set];
    auto headers = [&](size_t i) {
      return fieldAvailability(set.key[i], chain.hook).headers;
    };
    for (size_t j = 0; j < set.key.size(); ++j)
      for (size_t i = 0; i < j; ++i)
        if (headersConflict(chain, headers(i), headers(j)))
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

/// Warns about two predicates of `rule` that no packet satisfies together
/// (the first such pair by the later one, then the earlier one), at the
/// later one with a note at the earlier one.
void warnContradiction(const ir::Chain &chain, const ir::Rule &rule,
                       DiagnosticEngine &diags) {
  const auto &preds = rule.predicates;
  // The facts of the first predicates tell where the first contradiction
  // can end (most rules have none): no pair ends before it.
  PredicateFacts all(chain);
  size_t first = 0;
  while (first < preds.size() && !all.contradictory())
    all.assume(preds[first++]);
  if (!all.contradictory())
    return;
  for (size_t j = first - 1; j < preds.size(); ++j) {
    const ir::Predicate &b = preds[j];
    for (size_t i = 0; i < j; ++i) {
      const ir::Predicate &a = preds[i];
      PredicateFacts pair(chain);
      pair.assume(a);
      pair.assume(b);
      if (!pair.contradictory())
        continue;
      bool headers =
          headersConflict(chain, predicateAvailability(a, chain).headers,
                          predicateAvailability(b, chain).headers);
      diags.warning(
          WarningID::NeverMatchingRule, b.range,
          headers ? fmt::format("rule can never match: '{}' and '{}' need "
                                "different protocol headers",
                                shortText(a.text), shortText(b.text))
                  : fmt::format("rule can never match: '{}' contradicts '{}'",
                                shortText(b.text), shortText(a.text)));
      diags.note(a.range, fmt::format("'{}' is here", shortText(a.text)));
      return;
    }
  }
  // Only three or more predicates together contradict: no pair to name
  // (simplify-predicates still makes the rule never-matching).
}

void checkRule(const ir::Chain &chain, const ir::Rule &rule,
               DiagnosticEngine &diags) {
  for (const ir::Predicate &p : rule.predicates) {
    auto [id, why] = neverMatchesAlone(p, chain);
    if (!why.empty()) {
      diags.warning(id, p.range, why);
      if (why.starts_with("rule can never match"))
        return;
    }
  }
  warnContradiction(chain, rule, diags);
}

} // namespace

void warnNeverMatchingRules(const ir::Chain &chain,
                            const std::vector<bool> &lowered,
                            DiagnosticEngine &diags) {
  for (size_t i = 0; i < chain.rules.size(); ++i)
    if (lowered[i])
      checkRule(chain, chain.rules[i], diags);

  // A rule without predicates and with a terminal verdict decides for every
  // packet: nothing after it runs.
  for (size_t i = 0; i + 1 < chain.rules.size(); ++i) {
    const ir::Rule &rule = chain.rules[i];
    if (!lowered[i] || !rule.predicates.empty() || rule.neverMatches ||
        rule.verdict == ir::Verdict::Continue)
      continue;
    size_t after = chain.rules.size() - i - 2;
    diags.warning(WarningID::UnreachableRule,
                  detail::ruleKeywordRange(chain.rules[i + 1]),
                  fmt::format("rule can never match: an earlier rule matches "
                              "every packet{}",
                              after ? fmt::format(" (neither can the {} "
                                                  "rule{} after it)",
                                                  after, after == 1 ? "" : "s")
                                    : ""));
    diags.note(detail::ruleKeywordRange(rule),
               fmt::format("this rule has no matchers and ends the chain with "
                           "{}",
                           ir::verdictName(rule.verdict)));
    break;
  }
}

} // namespace bfc::transform
