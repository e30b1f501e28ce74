#include "bfc/Transform/Classify.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "bfc/Support/ByteOrder.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

using ir::FieldId;

namespace {

bool isAddressField(FieldId field) {
  return field == FieldId::Ip4Saddr || field == FieldId::Ip4Daddr ||
         field == FieldId::Ip6Saddr || field == FieldId::Ip6Daddr;
}

/// A predicate that can be part of a table key.
bool isKeyPredicate(const ir::Predicate &pred) {
  return pred.kind == ir::Predicate::Kind::Field && !pred.negate &&
         pred.op == ir::CmpOp::Eq &&
         ir::fieldInfo(pred.field).proto != ir::Proto::None;
}

/// A predicate a candidate may have besides its key: tested after the
/// lookup, before the rules in front of it ran, so it must read nothing
/// they change (meta.mark) and draw nothing at random; fields of the
/// context stay in order too.
bool isGuardPredicate(const ir::Predicate &pred) {
  switch (pred.kind) {
  case ir::Predicate::Kind::Field:
    return pred.field != FieldId::MetaMark &&
           pred.field != FieldId::MetaIfindex &&
           pred.field != FieldId::MetaFlowHash;
  case ir::Predicate::Kind::Set:
  case ir::Predicate::Kind::Ip6HeaderChain:
    return true;
  default:
    return false;
  }
}

/// The key of `rule` in a table of `shape` (its classifierShape): the first
/// key predicate of each field.
ir::Bytes ruleKey(const ir::Rule &rule, const std::vector<TableField> &shape) {
  ir::Bytes key;
  for (const TableField &component : shape) {
    auto pred =
        std::find_if(rule.predicates.begin(), rule.predicates.end(),
                     [&](const ir::Predicate &p) {
                       return isKeyPredicate(p) && p.field == component.field;
                     });
    ir::Bytes value = maskedPrefix(pred->value, component.bits);
    key.insert(key.end(), value.begin(), value.end());
  }
  return key;
}

/// The set of a rule that is only `(field) in set` on one header field, an
/// exact set, and decides: each element is a key of the rule.
const ir::Set *membershipSet(const ir::Chain &chain, const ir::Rule &rule) {
  if (rule.predicates.size() != 1 || rule.verdict == ir::Verdict::Continue)
    return nullptr;
  const ir::Predicate &pred = rule.predicates.front();
  if (pred.kind != ir::Predicate::Kind::Set || pred.negate ||
      pred.set >= chain.sets.size())
    return nullptr;
  const ir::Set &set = chain.sets[pred.set];
  if (set.lpm || set.key.size() != 1 ||
      ir::fieldInfo(set.key.front()).proto == ir::Proto::None)
    return nullptr;
  return &set;
}

/// An anonymous membershipSet: its elements are fixed, so they are entries
/// of the plan.
const ir::Set *keySet(const ir::Chain &chain, const ir::Rule &rule) {
  const ir::Set *set = membershipSet(chain, rule);
  return set && set->anonymous && !set->elements.empty() ? set : nullptr;
}

/// A named membershipSet: it can be edited on the host (`bfload chain
/// update-set`), so it can only be mirrored (MirroredSet), its entries
/// written by the loader.
const ir::Set *mirrorableSet(const ir::Chain &chain, const ir::Rule &rule) {
  const ir::Set *set = membershipSet(chain, rule);
  return set && !set->anonymous ? set : nullptr;
}

/// Mirrors the named sets of `mirrorable` (rules ascending) in the exact
/// tables of their field's whole width whose rules all come after them:
/// then the set's rule closes the walk of each of its keys whatever the
/// table holds, and when an element leaves the set, its key's entry from
/// the plan (if any) is right again.
void mirrorSets(const ir::Chain &chain, const std::vector<uint32_t> &mirrorable,
                std::vector<ClassifierTable> &tables) {
  for (ClassifierTable &table : tables) {
    if (table.lpm || table.fields.size() != 1 || table.rules.empty())
      continue;
    FieldId field = table.fields.front().field;
    if (table.fields.front().bits != ir::fieldInfo(field).width * 8u)
      continue;
    uint32_t first = table.rules.front();
    std::vector<uint32_t> mirrored;
    for (uint32_t index : mirrorable) {
      if (index >= first)
        break;
      const ir::Predicate &pred = chain.rules[index].predicates.front();
      if (chain.sets[pred.set].key.front() != field)
        continue;
      table.mirrors.push_back({pred.set, index});
      mirrored.push_back(index);
    }
    table.rules.insert(table.rules.begin(), mirrored.begin(), mirrored.end());
  }
}

/// A group of rules of one shape (or one LPM field), before budgeting.
struct Group {
  std::vector<TableField> fields;
  bool lpm = false;
  std::vector<uint32_t> rules;
  /// Prefixes expanded to the group's length: the entries, already built.
  std::vector<TableEntry> expanded;
};

/// A hash table of `group`'s rules: each key's entry holds its lowest
/// candidate, which links the next ones in `plan.next`, at most
/// `options.maxChain` of them and `continueBudget` CONTINUE rules per key.
/// Rules after a plain rule of their key can never match (it decides
/// first); rules over the budgets stay residual.
ClassifierTable exactTable(const ir::Chain &chain, const Group &group,
                           ClassifierPlan &plan, const ClassifyOptions &options,
                           unsigned continueBudget) {
  ClassifierTable table;
  table.fields = group.fields;
  if (!group.expanded.empty()) {
    table.rules = group.rules;
    table.entries = group.expanded;
    return table;
  }
  struct Walk {
    uint32_t last;
    unsigned length, continues;
    bool closed; ///< ends with a plain rule
  };
  std::map<ir::Bytes, Walk> walks;
  for (uint32_t index : group.rules) {
    const ir::Rule &rule = chain.rules[index];
    if (const ir::Set *set = keySet(chain, rule)) {
      // A plain rule with many keys: it closes each key's walk, and takes
      // a place in all of them or in none.
      bool fits = std::all_of(
          set->elements.begin(), set->elements.end(), [&](const auto &e) {
            auto found = walks.find(e.key);
            return found == walks.end() || found->second.closed ||
                   found->second.length < options.maxChain;
          });
      if (!fits)
        continue; // stays residual
      for (const ir::SetElement &element : set->elements) {
        auto [found, fresh] =
            walks.try_emplace(element.key, Walk{index, 1, 0, true});
        if (fresh) {
          table.entries.push_back({element.key, 0, index});
        } else if (!found->second.closed) {
          plan.next[found->second.last] = index;
          found->second = {index, found->second.length + 1,
                           found->second.continues, true};
          table.longestChain =
              std::max(table.longestChain, found->second.length);
        }
      }
      table.rules.push_back(index);
      continue;
    }
    bool continues = rule.verdict == ir::Verdict::Continue;
    bool plain = !continues && plan.guards[index].empty();
    ir::Bytes key = ruleKey(rule, group.fields);
    auto found = walks.find(key);
    if (found != walks.end() && found->second.closed) {
      table.rules.push_back(index); // never matches
      continue;
    }
    unsigned length = found == walks.end() ? 0 : found->second.length;
    unsigned continuesBefore =
        found == walks.end() ? 0 : found->second.continues;
    if (length >= options.maxChain ||
        (continues && continuesBefore >= continueBudget))
      continue; // stays residual
    if (found == walks.end()) {
      table.entries.push_back({key, 0, index});
      found = walks.emplace(std::move(key), Walk{index, 0, 0, false}).first;
    } else {
      plan.next[found->second.last] = index;
    }
    Walk &walk = found->second;
    walk.last = index;
    walk.length++;
    walk.continues += continues;
    walk.closed = plain;
    table.longestChain = std::max(table.longestChain, walk.length);
    table.mostContinues = std::max(table.mostContinues, walk.continues);
    table.rules.push_back(index);
  }
  return table;
}

/// LPM: one entry per (prefix, address); each takes the lowest rule index of
/// itself and of its longest shorter prefix present (which already holds the
/// minimum of its own ancestors).
ClassifierTable lpmTable(const ir::Chain &chain, const Group &group) {
  ClassifierTable table;
  FieldId field = group.fields.front().field;
  table.fields = {{field, ir::fieldInfo(field).width * 8u}};
  table.lpm = true;
  table.rules = group.rules;
  std::vector<std::map<ir::Bytes, size_t>> byLength(table.fields[0].bits + 1);
  for (uint32_t index : group.rules) {
    const ir::Predicate &pred = chain.rules[index].predicates.front();
    unsigned bits = comparedBits(pred);
    ir::Bytes key = maskedPrefix(pred.value, bits);
    if (byLength[bits].emplace(key, table.entries.size()).second)
      table.entries.push_back(
          {std::move(key), static_cast<uint8_t>(bits), index});
  }
  std::vector<unsigned> lengths;
  for (unsigned bits = 0; bits < byLength.size(); ++bits)
    if (!byLength[bits].empty())
      lengths.push_back(bits);
  for (unsigned bits : lengths) {
    for (auto &[key, at] : byLength[bits]) {
      TableEntry &entry = table.entries[at];
      for (auto shorter = std::find(lengths.rbegin(), lengths.rend(), bits);
           ++shorter != lengths.rend();) {
        auto ancestor = byLength[*shorter].find(maskedPrefix(key, *shorter));
        if (ancestor != byLength[*shorter].end()) {
          entry.rule =
              std::min(entry.rule, table.entries[ancestor->second].rule);
          break;
        }
      }
    }
  }
  return table;
}

/// Entries of one address field's prefixes, by length: the rules and their
/// count.
using PrefixGroups = std::map<unsigned, const Group *>;

/// Expanding prefixes of `lengths` to `targets` (ascending, the longest
/// length last): how many entries that makes, each rule of length l taking
/// 2^(t - l) entries for the first target t >= l.
double expansionCost(const PrefixGroups &lengths,
                     const std::vector<unsigned> &targets) {
  double cost = 0;
  for (const auto &[bits, group] : lengths) {
    unsigned target = *std::lower_bound(targets.begin(), targets.end(), bits);
    cost += double(group->rules.size()) * std::ldexp(1.0, target - bits);
  }
  return cost;
}

/// The at most `count` target lengths (the longest length among them) that
/// make the fewest entries.
std::vector<unsigned> bestTargets(const PrefixGroups &lengths, unsigned count) {
  std::vector<unsigned> all;
  for (const auto &entry : lengths)
    all.push_back(entry.first);
  std::vector<unsigned> best = {all.back()};
  double bestCost = expansionCost(lengths, best);
  // Exhaustive over pairs of extra targets: at most 129 lengths (IPv6).
  for (size_t i = 0; i + 1 < all.size() && count >= 2; ++i) {
    for (size_t j = i; j + 1 < all.size(); ++j) {
      if (j != i && count < 3)
        break;
      std::vector<unsigned> targets = {all[i]};
      if (j != i)
        targets.push_back(all[j]);
      targets.push_back(all.back());
      double cost = expansionCost(lengths, targets);
      if (cost < bestCost) {
        bestCost = cost;
        best = targets;
      }
    }
  }
  return best;
}

/// The fewest target lengths, at most `maxCount`, whose expansion makes at
/// most `budget` entries (each target is one lookup per packet); empty when
/// none fits.
std::vector<unsigned> fewestTargets(const PrefixGroups &lengths,
                                    unsigned maxCount, double budget) {
  for (unsigned count = 1; count <= maxCount; ++count) {
    std::vector<unsigned> targets = bestTargets(lengths, count);
    if (expansionCost(lengths, targets) <= budget)
      return targets;
  }
  return {};
}

/// One exact group per target length, with every prefix of the lengths it
/// covers expanded to it. Each entry holds the lowest index of the rules of
/// that group containing it: a packet's block of the target length lies in
/// a rule's prefix exactly when it matches the rule.
std::vector<Group> expandPrefixes(const ir::Chain &chain, FieldId field,
                                  const PrefixGroups &lengths,
                                  const std::vector<unsigned> &targets) {
  std::vector<Group> out(targets.size());
  std::vector<std::map<ir::Bytes, size_t>> seen(targets.size());
  for (size_t t = 0; t < targets.size(); ++t)
    out[t].fields = {{field, targets[t]}};
  for (const auto &[bits, group] : lengths) {
    size_t t = std::lower_bound(targets.begin(), targets.end(), bits) -
               targets.begin();
    out[t].rules.insert(out[t].rules.end(), group->rules.begin(),
                        group->rules.end());
  }
  for (size_t t = 0; t < targets.size(); ++t) {
    Group &group = out[t];
    std::sort(group.rules.begin(), group.rules.end());
    for (uint32_t index : group.rules) {
      const ir::Predicate &pred = chain.rules[index].predicates.front();
      unsigned bits = comparedBits(pred);
      ir::Bytes base = maskedPrefix(pred.value, bits);
      uint64_t variants = uint64_t(1) << (targets[t] - bits);
      for (uint64_t v = 0; v < variants; ++v) {
        ir::Bytes key = base;
        for (unsigned j = 0; j < targets[t] - bits; ++j) {
          unsigned bit = bits + j;
          if ((v >> (targets[t] - bits - 1 - j)) & 1)
            key[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
        }
        // Rules come in order: the first of a key is the lowest index.
        if (seen[t].emplace(key, group.expanded.size()).second)
          group.expanded.push_back({std::move(key), 0, index});
      }
    }
  }
  return out;
}

} // namespace

unsigned ClassifierTable::keySize() const {
  unsigned size = 0;
  for (const TableField &component : fields)
    size += ir::fieldInfo(component.field).width;
  return size;
}

ir::Bytes maskedPrefix(const ir::Bytes &value, unsigned bits) {
  ir::Bytes masked = value;
  keepPrefix(masked, bits);
  return masked;
}

std::vector<TableField> classifierShape(const ir::Chain &chain,
                                        const ir::Rule &rule,
                                        std::vector<uint32_t> *guards,
                                        bool continues) {
  if (ir::sockAddrFamily(chain.hook) != 0 ||
      (rule.verdict == ir::Verdict::Continue && !continues))
    return {};
  std::vector<TableField> shape;
  std::vector<uint32_t> others;
  for (uint32_t i = 0; i < rule.predicates.size(); ++i) {
    const ir::Predicate &pred = rule.predicates[i];
    bool keyed =
        std::any_of(shape.begin(), shape.end(),
                    [&](const TableField &f) { return f.field == pred.field; });
    if (isKeyPredicate(pred) && !keyed) {
      shape.push_back({pred.field, comparedBits(pred)});
      continue;
    }
    // Without a guards list, only rules that are all key.
    if (!guards || !isGuardPredicate(pred))
      return {};
    others.push_back(i);
  }
  if (shape.empty())
    return {};
  std::sort(shape.begin(), shape.end());
  if (guards)
    *guards = std::move(others);
  return shape;
}

ClassifierPlan planClassifier(const ir::Chain &chain,
                              const ClassifyOptions &options) {
  ClassifierPlan plan;
  plan.next.assign(chain.rules.size(), kNoCandidate);
  plan.guards.resize(chain.rules.size());
  // A CONTINUE candidate's effects are applied late (when its turn comes
  // among the rules that run): its mark must not be read in between.
  bool readsMark = false;
  for (const ir::Rule &rule : chain.rules)
    for (const ir::Predicate &pred : rule.predicates)
      readsMark |= pred.kind == ir::Predicate::Kind::Field &&
                   pred.field == FieldId::MetaMark;
  std::map<std::vector<TableField>, Group> exact;
  std::vector<bool> classified(chain.rules.size(), false);
  std::vector<bool> setKeyed(chain.rules.size(), false);
  std::vector<uint32_t> mirrorable;
  for (const ir::Rule &rule : chain.rules) {
    if (ir::sockAddrFamily(chain.hook) == 0 && mirrorableSet(chain, rule)) {
      mirrorable.push_back(rule.index);
      continue;
    }
    std::vector<uint32_t> guards;
    std::vector<TableField> shape =
        classifierShape(chain, rule, &guards, options.maxPending > 0);
    const ir::Set *set = nullptr;
    if (shape.empty() && ir::sockAddrFamily(chain.hook) == 0 &&
        (set = keySet(chain, rule)) != nullptr) {
      FieldId field = set->key.front();
      shape = {{field, ir::fieldInfo(field).width * 8u}};
      setKeyed[rule.index] = true;
    }
    if (shape.empty() ||
        (rule.verdict == ir::Verdict::Continue && rule.mark && readsMark))
      continue;
    plan.guards[rule.index] = std::move(guards);
    Group &group = exact[shape];
    group.fields = shape;
    group.rules.push_back(rule.index);
  }
  // Rules with one key and no guards that decide: they can share merged
  // entries.
  auto plain = [&](uint32_t index) {
    return plan.guards[index].empty() && !setKeyed[index] &&
           chain.rules[index].verdict != ir::Verdict::Continue;
  };
  // Prefixes of one address field in more lengths than hash lookups are
  // worth: expanded to a few lengths, or one LPM trie when that would make
  // too many entries. Their entries merge several rules, so only plain rules
  // take part; the others stay residual.
  std::map<FieldId, PrefixGroups> prefixes;
  for (auto &[shape, group] : exact)
    if (shape.size() == 1 && isAddressField(shape[0].field) &&
        std::any_of(group.rules.begin(), group.rules.end(), plain))
      prefixes[shape[0].field][shape[0].bits] = &group;
  std::vector<Group> groups;
  std::set<const Group *> merged;
  for (auto &[field, lengths] : prefixes) {
    if (lengths.size() <= options.maxHashLengths)
      continue;
    size_t rules = 0;
    for (auto &entry : lengths) {
      Group &group = *const_cast<Group *>(entry.second);
      std::erase_if(group.rules, [&](uint32_t i) { return !plain(i); });
      rules += group.rules.size();
      merged.insert(&group);
    }
    std::vector<unsigned> targets =
        fewestTargets(lengths, options.maxHashLengths,
                      std::max(double(options.maxExpansion) * double(rules),
                               double(options.maxExpandedEntries)));
    if (!targets.empty()) {
      for (Group &group : expandPrefixes(chain, field, lengths, targets))
        groups.push_back(std::move(group));
      continue;
    }
    Group lpm;
    for (const auto &entry : lengths)
      lpm.rules.insert(lpm.rules.end(), entry.second->rules.begin(),
                       entry.second->rules.end());
    std::sort(lpm.rules.begin(), lpm.rules.end());
    lpm.fields = {{field, ir::fieldInfo(field).width * 8u}};
    lpm.lpm = true;
    groups.push_back(std::move(lpm));
  }
  for (auto &[shape, group] : exact)
    if (!merged.count(&group))
      groups.push_back(std::move(group));
  std::erase_if(groups, [](const Group &g) { return g.rules.empty(); });
  // Largest first; ties in a fixed order (the first rule) for determinism.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group &a, const Group &b) {
                     if (a.rules.size() != b.rules.size())
                       return a.rules.size() > b.rules.size();
                     return a.rules.front() < b.rules.front();
                   });

  unsigned pendingLeft = options.maxPending;
  for (const Group &group : groups) {
    if (group.rules.size() < options.minRulesPerTable ||
        plan.tables.size() >= options.maxTables)
      break;
    ClassifierTable table =
        group.lpm ? lpmTable(chain, group)
                  : exactTable(chain, group, plan, options, pendingLeft);
    pendingLeft -= table.mostContinues;
    for (const TableField &component : table.fields)
      table.headers |= fieldAvailability(component.field, chain.hook).headers;
    plan.tables.push_back(std::move(table));
  }
  mirrorSets(chain, mirrorable, plan.tables);
  for (const ClassifierTable &table : plan.tables)
    for (uint32_t index : table.rules)
      classified[index] = true;
  for (const ir::Rule &rule : chain.rules) {
    if (classified[rule.index])
      continue;
    plan.residual.push_back(rule.index);
    plan.guards[rule.index].clear();
  }
  return plan;
}

} // namespace bfc::transform
