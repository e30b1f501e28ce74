// findShadowedRules and the shadowed-rules warning pass.

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "ByteOps.h"
#include "Internal.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/Passes.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

namespace {

/// Bounds the pairwise checks of one chain (each is a few predicate
/// evaluations): past it, later rules are not analysed. Only warnings and
/// placeholders are lost, never correctness.
constexpr size_t kMaxPairChecks = 4'000'000;

bool readsMark(const ir::Chain &chain, const ir::Rule &rule) {
  for (const ir::Predicate &pred : rule.predicates) {
    if (pred.kind == ir::Predicate::Kind::Field &&
        pred.field == ir::FieldId::MetaMark)
      return true;
    if (pred.kind == ir::Predicate::Kind::Set && pred.set < chain.sets.size()) {
      const auto &key = chain.sets[pred.set].key;
      if (std::find(key.begin(), key.end(), ir::FieldId::MetaMark) != key.end())
        return true;
    }
  }
  return false;
}

/// Earlier rules that may shadow later ones, indexed so that a later rule
/// only checks the earlier rules it can possibly imply. An earlier rule is
/// filed under its first non-negated `eq` (a later rule implies it only if
/// it knows those leading bits of that field), else its first non-negated
/// set (only the same set predicate implies it), else in `generic`.
class ShadowIndex {
public:
  void add(const ir::Rule &rule) {
    for (const ir::Predicate &pred : rule.predicates) {
      if (pred.kind == ir::Predicate::Kind::Field && !pred.negate &&
          pred.op == ir::CmpOp::Eq && comparedBits(pred) > 0 &&
          pred.value.size() == ir::fieldInfo(pred.field).width) {
        unsigned bits = comparedBits(pred);
        eq_[static_cast<unsigned>(pred.field)][bits]
           [bytes::andOf(pred.value,
                         bytes::prefixMask(pred.value.size(), bits))]
               .push_back(rule.index);
        return;
      }
    }
    for (const ir::Predicate &pred : rule.predicates) {
      if (pred.kind == ir::Predicate::Kind::Set && !pred.negate) {
        sets_[pred.set].push_back(rule.index);
        return;
      }
    }
    generic_.push_back(rule.index);
  }

  /// Earlier rules that a rule with `facts` and `predicates` may imply, in
  /// increasing order.
  std::vector<uint32_t> candidates(const PredicateFacts &facts,
                                   const ir::Rule &rule) const {
    std::vector<uint32_t> out = generic_;
    for (unsigned f = 0; f < ir::kNumFields; ++f) {
      if (eq_[f].empty())
        continue;
      auto field = static_cast<ir::FieldId>(f);
      unsigned known = facts.knownLeadingBits(field);
      if (known == 0 || eq_[f].begin()->first > known)
        continue;
      ir::Bytes value = facts.knownBits(field);
      // Only the lengths some earlier rule compares: one or a few.
      for (const auto &[bits, rules] : eq_[f]) {
        if (bits > known)
          break;
        auto it = rules.find(
            bytes::andOf(value, bytes::prefixMask(value.size(), bits)));
        if (it != rules.end())
          out.insert(out.end(), it->second.begin(), it->second.end());
      }
    }
    for (const ir::Predicate &pred : rule.predicates) {
      if (pred.kind != ir::Predicate::Kind::Set || pred.negate)
        continue;
      auto it = sets_.find(pred.set);
      if (it != sets_.end())
        out.insert(out.end(), it->second.begin(), it->second.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

private:
  /// By field, then compared bits, then the value's leading bits.
  std::array<std::map<unsigned, std::map<ir::Bytes, std::vector<uint32_t>>>,
             ir::kNumFields>
      eq_;
  std::map<uint32_t, std::vector<uint32_t>> sets_;
  std::vector<uint32_t> generic_;
};

} // namespace

std::vector<ShadowedRule> findShadowedRules(const ir::Chain &chain) {
  std::vector<ShadowedRule> shadowed;
  const auto &rules = chain.rules;
  // marksBefore[k]: CONTINUE rules that set a mark among rules [0, k).
  std::vector<size_t> marksBefore(rules.size() + 1, 0);
  for (size_t k = 0; k < rules.size(); ++k)
    marksBefore[k + 1] =
        marksBefore[k] + (rules[k].mark &&
                          rules[k].verdict == ir::Verdict::Continue &&
                          !isNeverMatching(rules[k]));
  std::vector<bool> markReader(rules.size());
  for (size_t k = 0; k < rules.size(); ++k)
    markReader[k] = readsMark(chain, rules[k]);

  ShadowIndex index;
  size_t checks = 0;
  for (size_t j = 0; j < rules.size() && checks < kMaxPairChecks; ++j) {
    const ir::Rule &later = rules[j];
    if (later.index != j || isNeverMatching(later))
      continue;
    PredicateFacts facts = factsOfRule(chain, later);
    if (facts.contradictory())
      continue;
    for (uint32_t i : index.candidates(facts, later)) {
      ++checks;
      const ir::Rule &earlier = rules[i];
      // A mark set in between changes what meta.mark reads.
      if (markReader[i] && marksBefore[j] != marksBefore[i + 1])
        continue;
      bool implied =
          std::all_of(earlier.predicates.begin(), earlier.predicates.end(),
                      [&](const ir::Predicate &p) {
                        return facts.evaluate(p) == Truth::True;
                      });
      if (implied) {
        shadowed.push_back({static_cast<uint32_t>(j), i});
        break;
      }
    }
    if (later.verdict != ir::Verdict::Continue)
      index.add(later);
  }
  return shadowed;
}

std::unique_ptr<Pass> createShadowedRulesPass() {
  return detail::makeChainPass(
      "shadowed-rules", Pass::Kind::Analysis,
      [](ir::Module &, ir::Chain &chain, PassContext &context) {
        // -Wunreachable-rule reports the rules after the first rule without
        // predicates that ends the chain. A rule whose predicates always hold
        // (say `meta.probability eq 100%`) is the same case: stop at the first
        // such rule rather than flag every later rule.
        size_t catchAll = chain.rules.size();
        PredicateFacts nothingKnown(chain);
        for (size_t i = 0; i < chain.rules.size(); ++i) {
          const ir::Rule &rule = chain.rules[i];
          if (rule.verdict != ir::Verdict::Continue && !rule.neverMatches &&
              std::all_of(rule.predicates.begin(), rule.predicates.end(),
                          [&](const ir::Predicate &p) {
                            return nothingKnown.evaluate(p) == Truth::True;
                          })) {
            catchAll = i;
            break;
          }
        }
        for (const ShadowedRule &s : findShadowedRules(chain)) {
          if (s.rule > catchAll)
            break;
          const ir::Rule &rule = chain.rules[s.rule];
          const ir::Rule &by = chain.rules[s.by];
          context.diags.warning(WarningID::ShadowedRule,
                                detail::ruleKeywordRange(rule),
                                "rule can never match: it is shadowed by an "
                                "earlier rule");
          context.diags.note(
              detail::ruleKeywordRange(by),
              fmt::format("every packet the shadowed rule would match is "
                          "matched here first, ending the chain with {}",
                          ir::verdictName(by.verdict)));
        }
        return false;
      });
}

} // namespace bfc::transform
