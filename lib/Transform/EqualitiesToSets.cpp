// equalities-to-sets: runs of single-equality rules become one set lookup.

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "ByteOps.h"
#include "Internal.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/Passes.h"

namespace bfc::transform {

namespace {

bool isAddressField(ir::FieldId field) {
  return field == ir::FieldId::Ip4Saddr || field == ir::FieldId::Ip4Daddr ||
         field == ir::FieldId::Ip6Saddr || field == ir::FieldId::Ip6Daddr;
}

/// Fields a set key can hold: header bytes loaded as they are (no mask),
/// which code generation packs into keys on every hook that has them.
bool settable(ir::FieldId field) {
  const ir::FieldInfo &info = ir::fieldInfo(field);
  return info.proto != ir::Proto::None && info.mask == 0;
}

/// What rules must share to be merged: the key and everything the rule
/// does on a match.
struct RunKey {
  std::vector<ir::FieldId> key;
  ir::Verdict verdict;
  std::optional<uint32_t> redirectSlot;
  uint32_t redirectIfindex;
  ir::RedirectDir redirectDir;

  bool operator==(const RunKey &) const = default;
};

/// The run key of a rule that can join a run: exactly one predicate,
/// `FIELD eq V` or `(KEY) in <anonymous set>`, not negated, and a match
/// that only applies a terminal verdict (no counter, log or mark: they are
/// per rule and would change).
std::optional<RunKey> runKey(const ir::Chain &chain, const ir::Rule &rule) {
  if (rule.predicates.size() != 1 || rule.counter || rule.log.enabled ||
      rule.mark || rule.verdict == ir::Verdict::Continue ||
      isNeverMatching(rule))
    return std::nullopt;
  const ir::Predicate &pred = rule.predicates[0];
  if (pred.negate)
    return std::nullopt;
  RunKey key{{}, rule.verdict, std::nullopt, 0, ir::RedirectDir::Out};
  if (rule.verdict == ir::Verdict::Redirect) {
    key.redirectSlot = rule.redirectSlot;
    key.redirectIfindex = rule.redirectIfindex;
    key.redirectDir = rule.redirectDir;
  }
  if (pred.kind == ir::Predicate::Kind::Field && pred.op == ir::CmpOp::Eq &&
      settable(pred.field) &&
      pred.value.size() == ir::fieldInfo(pred.field).width &&
      (!pred.prefixLen || isAddressField(pred.field))) {
    key.key = {pred.field};
    return key;
  }
  if (pred.kind == ir::Predicate::Kind::Set && pred.set < chain.sets.size() &&
      chain.sets[pred.set].anonymous) {
    key.key = chain.sets[pred.set].key;
    return key;
  }
  return std::nullopt;
}

unsigned fullBits(const std::vector<ir::FieldId> &key) {
  unsigned bits = 0;
  for (ir::FieldId field : key)
    bits += 8u * ir::fieldInfo(field).width;
  return bits;
}

/// Builds the set that matches whenever one of the `members` rules would.
ir::Set buildSet(const ir::Chain &chain, const std::vector<size_t> &members,
                 const std::vector<ir::FieldId> &key) {
  ir::Set set;
  set.anonymous = true;
  set.key = key;
  set.range = chain.rules[members.front()].range;
  unsigned full = fullBits(key);
  for (size_t m : members) {
    const ir::Predicate &pred = chain.rules[m].predicates[0];
    if (pred.kind == ir::Predicate::Kind::Field)
      set.lpm |= pred.prefixLen && *pred.prefixLen < full;
    else
      set.lpm |= chain.sets[pred.set].lpm;
  }
  std::set<std::pair<ir::Bytes, unsigned>> seen;
  auto add = [&](ir::Bytes value, unsigned bits, SourceRange range) {
    if (set.lpm)
      value = bytes::andOf(value, bytes::prefixMask(value.size(), bits));
    else
      bits = full;
    if (!seen.insert({value, bits}).second)
      return;
    ir::SetElement element;
    element.key = std::move(value);
    element.prefixLen = set.lpm ? static_cast<uint8_t>(bits) : 0;
    element.range = range;
    set.elements.push_back(std::move(element));
  };
  for (size_t m : members) {
    const ir::Predicate &pred = chain.rules[m].predicates[0];
    if (pred.kind == ir::Predicate::Kind::Field) {
      add(pred.value, pred.prefixLen.value_or(full), pred.range);
      continue;
    }
    const ir::Set &source = chain.sets[pred.set];
    for (const ir::SetElement &element : source.elements)
      add(element.key, source.lpm ? element.prefixLen : full, element.range);
  }
  return set;
}

/// A run of rules worth one set lookup, and that set.
struct Run {
  std::vector<size_t> members;
  ir::Set set;
};

std::vector<Run> findRuns(const ir::Chain &chain,
                          const PipelineOptions &options) {
  std::vector<Run> runs;
  size_t i = 0;
  while (i < chain.rules.size()) {
    std::optional<RunKey> key = runKey(chain, chain.rules[i]);
    if (!key) {
      ++i;
      continue;
    }
    // The run: rules with the same key, skipping never-matching ones.
    std::vector<size_t> members{i};
    size_t next = i + 1;
    for (; next < chain.rules.size(); ++next) {
      const ir::Rule &rule = chain.rules[next];
      if (isNeverMatching(rule))
        continue;
      if (runKey(chain, rule) != key)
        break;
      members.push_back(next);
    }
    size_t setMembers = 0;
    for (size_t m : members)
      setMembers +=
          chain.rules[m].predicates[0].kind == ir::Predicate::Kind::Set;
    size_t eqMembers = members.size() - setMembers;
    if (members.size() >= 2 &&
        (setMembers > 0 || eqMembers >= options.minEqualitiesForSet)) {
      ir::Set set = buildSet(chain, members, key->key);
      runs.push_back({std::move(members), std::move(set)});
    }
    i = next;
  }
  return runs;
}

/// What sets cost in generated code: maps, and key bytes on the stack.
struct SetCost {
  int sets = 0;
  int keyBytes = 0;

  SetCost &operator+=(const SetCost &other) {
    sets += other.sets;
    keyBytes += other.keyBytes;
    return *this;
  }
  SetCost &operator-=(const SetCost &other) {
    sets -= other.sets;
    keyBytes -= other.keyBytes;
    return *this;
  }
};

SetCost costOf(const ir::Set &set) {
  unsigned bytes = (set.lpm ? 4 : 0) + set.keySize();
  return {1, static_cast<int>((bytes + 7) / 8 * 8)};
}

/// Keeps the chain's sets within the budget: runs are taken largest first
/// (they save the most rule tests per map); a run that does not fit stays
/// rules, unless its set replaces at least what it costs.
std::vector<bool> runsWithinBudget(const ir::Chain &chain,
                                   const std::vector<Run> &runs,
                                   const PipelineOptions &options) {
  std::vector<unsigned> uses(chain.sets.size(), 0);
  for (const ir::Rule &rule : chain.rules)
    for (const ir::Predicate &pred : rule.predicates)
      if (pred.kind == ir::Predicate::Kind::Set && pred.set < uses.size())
        ++uses[pred.set];
  // Named sets stay even when unused (the loader may fill them).
  SetCost used;
  for (size_t s = 0; s < chain.sets.size(); ++s)
    if (uses[s] || !chain.sets[s].anonymous)
      used += costOf(chain.sets[s]);

  std::vector<size_t> order(runs.size());
  for (size_t r = 0; r < runs.size(); ++r)
    order[r] = r;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return runs[a].members.size() > runs[b].members.size();
  });
  std::vector<bool> taken(runs.size(), false);
  for (size_t r : order) {
    const Run &run = runs[r];
    SetCost delta;
    if (!run.set.elements.empty())
      delta = costOf(run.set);
    // Anonymous sets only this run uses go away (prune-sets).
    std::map<uint32_t, unsigned> usesInRun;
    for (size_t m : run.members) {
      const ir::Predicate &pred = chain.rules[m].predicates[0];
      if (pred.kind == ir::Predicate::Kind::Set)
        ++usesInRun[pred.set];
    }
    for (auto [set, count] : usesInRun)
      if (uses[set] == count)
        delta -= costOf(chain.sets[set]);
    bool shrinks = delta.sets <= 0 && delta.keyBytes <= 0;
    bool fits =
        used.sets + delta.sets <= static_cast<int>(options.maxSetsPerChain) &&
        used.keyBytes + delta.keyBytes <=
            static_cast<int>(options.maxSetKeyBytes);
    if (!shrinks && !fits)
      continue;
    used += delta;
    taken[r] = true;
  }
  return taken;
}

bool equalitiesToSets(ir::Chain &chain, const PipelineOptions &options) {
  std::vector<Run> runs = findRuns(chain, options);
  std::vector<bool> taken = runsWithinBudget(chain, runs, options);
  bool changed = false;
  for (size_t r = 0; r < runs.size(); ++r) {
    if (!taken[r])
      continue;
    Run &run = runs[r];
    size_t first = run.members.front();
    if (run.set.elements.empty()) {
      // Only empty anonymous sets: no member can match.
      for (size_t m : run.members)
        makeNeverMatching(chain.rules[m]);
      changed = true;
      continue;
    }
    ir::Predicate lookup;
    lookup.kind = ir::Predicate::Kind::Set;
    lookup.set = static_cast<uint32_t>(chain.sets.size());
    lookup.range = chain.rules[first].predicates[0].range;
    lookup.text = fmt::format("in a set of {} values from {} rules",
                              run.set.elements.size(), run.members.size());
    run.set.name = detail::newAnonymousSetName(chain);
    chain.sets.push_back(std::move(run.set));
    chain.rules[first].predicates.assign(1, std::move(lookup));
    for (size_t m = 1; m < run.members.size(); ++m)
      makeNeverMatching(chain.rules[run.members[m]]);
    changed = true;
  }
  return changed;
}

} // namespace

std::unique_ptr<Pass> createEqualitiesToSetsPass() {
  return detail::makeChainPass(
      "equalities-to-sets", Pass::Kind::Optimization,
      [](ir::Module &, ir::Chain &chain, PassContext &context) {
        return equalitiesToSets(chain, context.options);
      });
}

} // namespace bfc::transform
