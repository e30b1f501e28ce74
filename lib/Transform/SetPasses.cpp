// merge-rule-sets and prune-sets.

#include <algorithm>
#include <charconv>
#include <set>

#include "ByteOps.h"
#include "Internal.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/Passes.h"

namespace bfc::transform {

std::string detail::newAnonymousSetName(const ir::Chain &chain) {
  unsigned next = 0;
  for (const ir::Set &set : chain.sets) {
    std::string_view name = set.name;
    if (!name.starts_with("__anon"))
      continue;
    name.remove_prefix(6);
    unsigned n = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc() && end == name.data() + name.size())
      next = std::max(next, n + 1);
  }
  return "__anon" + std::to_string(next);
}

namespace {

bool mergeable(const ir::Chain &chain, const ir::Predicate &a,
               const ir::Predicate &b) {
  if (a.kind != ir::Predicate::Kind::Set ||
      b.kind != ir::Predicate::Kind::Set || a.negate != b.negate ||
      a.set >= chain.sets.size() || b.set >= chain.sets.size())
    return false;
  const ir::Set &sa = chain.sets[a.set];
  const ir::Set &sb = chain.sets[b.set];
  if (!sa.anonymous || !sb.anonymous || sa.key != sb.key || sa.lpm != sb.lpm)
    return false;
  // `in A and in B` is `in A∩B` for exact sets; LPM intersections are not
  // sets of prefixes one can list simply.
  return a.negate || !sa.lpm;
}

/// `not in A and not in B` = `not in A∪B`; `in A and in B` = `in A∩B`.
ir::Set combine(const ir::Set &a, const ir::Set &b, bool unite) {
  ir::Set out;
  out.anonymous = true;
  out.key = a.key;
  out.lpm = a.lpm;
  out.range = a.range;
  // LPM elements are networks: bits past the prefix do not count.
  auto id = [&](const ir::SetElement &e) {
    if (!a.lpm)
      return std::make_pair(e.key, uint8_t(0));
    return std::make_pair(
        bytes::andOf(e.key, bytes::prefixMask(e.key.size(), e.prefixLen)),
        e.prefixLen);
  };
  std::set<std::pair<ir::Bytes, uint8_t>> inB;
  for (const ir::SetElement &e : b.elements)
    inB.insert(id(e));
  std::set<std::pair<ir::Bytes, uint8_t>> seen;
  for (const ir::SetElement &e : a.elements)
    if ((unite || inB.count(id(e))) && seen.insert(id(e)).second)
      out.elements.push_back(e);
  if (unite)
    for (const ir::SetElement &e : b.elements)
      if (seen.insert(id(e)).second)
        out.elements.push_back(e);
  return out;
}

bool mergeRuleSets(ir::Chain &chain, ir::Rule &rule) {
  bool changed = false;
  for (size_t i = 0; i < rule.predicates.size(); ++i) {
    for (size_t j = i + 1; j < rule.predicates.size();) {
      ir::Predicate &first = rule.predicates[i];
      const ir::Predicate &second = rule.predicates[j];
      if (!mergeable(chain, first, second)) {
        ++j;
        continue;
      }
      ir::Set merged =
          combine(chain.sets[first.set], chain.sets[second.set], first.negate);
      if (!first.negate && merged.elements.empty()) {
        // An empty `in` never matches (and would make an empty map).
        makeNeverMatching(rule);
        return true;
      }
      merged.name = detail::newAnonymousSetName(chain);
      chain.sets.push_back(std::move(merged));
      first.set = static_cast<uint32_t>(chain.sets.size() - 1);
      first.text += " and " + second.text;
      rule.predicates.erase(rule.predicates.begin() + j);
      changed = true;
    }
  }
  return changed;
}

bool pruneSets(ir::Chain &chain) {
  std::vector<bool> used(chain.sets.size(), false);
  for (const ir::Rule &rule : chain.rules)
    for (const ir::Predicate &pred : rule.predicates)
      if (pred.kind == ir::Predicate::Kind::Set && pred.set < used.size())
        used[pred.set] = true;
  std::vector<uint32_t> newIndex(chain.sets.size());
  std::vector<ir::Set> kept;
  for (size_t i = 0; i < chain.sets.size(); ++i) {
    newIndex[i] = static_cast<uint32_t>(kept.size());
    if (used[i] || !chain.sets[i].anonymous)
      kept.push_back(std::move(chain.sets[i]));
  }
  if (kept.size() == chain.sets.size()) {
    chain.sets = std::move(kept);
    return false;
  }
  chain.sets = std::move(kept);
  for (ir::Rule &rule : chain.rules)
    for (ir::Predicate &pred : rule.predicates)
      if (pred.kind == ir::Predicate::Kind::Set && pred.set < newIndex.size())
        pred.set = newIndex[pred.set];
  return true;
}

} // namespace

std::unique_ptr<Pass> createMergeRuleSetsPass() {
  return detail::makeChainPass(
      "merge-rule-sets", Pass::Kind::Optimization,
      [](ir::Module &, ir::Chain &chain, PassContext &) {
        bool changed = false;
        for (ir::Rule &rule : chain.rules)
          changed |= mergeRuleSets(chain, rule);
        return changed;
      });
}

std::unique_ptr<Pass> createPruneSetsPass() {
  return detail::makeChainPass("prune-sets", Pass::Kind::Optimization,
                               [](ir::Module &, ir::Chain &chain,
                                  PassContext &) { return pruneSets(chain); });
}

} // namespace bfc::transform
