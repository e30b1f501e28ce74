#include "bfc/Transform/Classify.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

using ir::FieldId;

namespace {

bool isAddressField(FieldId field) {
  return field == FieldId::Ip4Saddr || field == FieldId::Ip4Daddr ||
         field == FieldId::Ip6Saddr || field == FieldId::Ip6Daddr;
}

/// Compared bits of a classifiable predicate.
unsigned comparedBits(const ir::Predicate &pred) {
  unsigned width = ir::fieldInfo(pred.field).width * 8u;
  return pred.prefixLen ? std::min<unsigned>(*pred.prefixLen, width) : width;
}

/// The key of `rule` in a table of `shape` (its classifierShape).
ir::Bytes ruleKey(const ir::Rule &rule, const std::vector<TableField> &shape) {
  ir::Bytes key;
  for (const TableField &component : shape) {
    auto pred = std::find_if(
        rule.predicates.begin(), rule.predicates.end(),
        [&](const ir::Predicate &p) { return p.field == component.field; });
    ir::Bytes value = maskedPrefix(pred->value, component.bits);
    key.insert(key.end(), value.begin(), value.end());
  }
  return key;
}

/// A group of rules of one shape (or one LPM field), before budgeting.
struct Group {
  std::vector<TableField> fields;
  bool lpm = false;
  std::vector<uint32_t> rules;
};

ClassifierTable exactTable(const ir::Chain &chain, const Group &group) {
  ClassifierTable table;
  table.fields = group.fields;
  table.rules = group.rules;
  std::map<ir::Bytes, size_t> seen;
  for (uint32_t index : group.rules) {
    ir::Bytes key = ruleKey(chain.rules[index], group.fields);
    // Rules come in order: the first of a key is the lowest index.
    if (seen.emplace(key, table.entries.size()).second)
      table.entries.push_back({std::move(key), 0, index});
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

} // namespace

unsigned ClassifierTable::keySize() const {
  unsigned size = 0;
  for (const TableField &component : fields)
    size += ir::fieldInfo(component.field).width;
  return size;
}

ir::Bytes maskedPrefix(const ir::Bytes &value, unsigned bits) {
  ir::Bytes masked = value;
  for (size_t i = 0; i < masked.size(); ++i) {
    if (bits >= 8 * (i + 1))
      continue;
    unsigned kept = bits > 8 * i ? bits - 8 * i : 0;
    masked[i] &= static_cast<uint8_t>(0xff00u >> kept);
  }
  return masked;
}

std::vector<TableField> classifierShape(const ir::Chain &chain,
                                        const ir::Rule &rule) {
  if (ir::sockAddrFamily(chain.hook) != 0 ||
      rule.verdict == ir::Verdict::Continue || rule.predicates.empty())
    return {};
  std::vector<TableField> shape;
  for (const ir::Predicate &pred : rule.predicates) {
    if (pred.kind != ir::Predicate::Kind::Field || pred.negate ||
        pred.op != ir::CmpOp::Eq ||
        ir::fieldInfo(pred.field).proto == ir::Proto::None)
      return {};
    shape.push_back({pred.field, comparedBits(pred)});
  }
  std::sort(shape.begin(), shape.end());
  for (size_t i = 1; i < shape.size(); ++i)
    if (shape[i].field == shape[i - 1].field)
      return {}; // two tests of one field: not one key
  return shape;
}

ClassifierPlan planClassifier(const ir::Chain &chain,
                              const ClassifyOptions &options) {
  std::map<std::vector<TableField>, Group> exact;
  std::vector<bool> classified(chain.rules.size(), false);
  for (const ir::Rule &rule : chain.rules) {
    std::vector<TableField> shape = classifierShape(chain, rule);
    if (shape.empty())
      continue;
    Group &group = exact[shape];
    group.fields = shape;
    group.rules.push_back(rule.index);
  }
  // Prefixes of one address field in more lengths than hash lookups are
  // worth become one LPM trie.
  std::map<FieldId, Group> prefixes;
  std::map<FieldId, unsigned> lengths;
  for (const auto &[shape, group] : exact)
    if (shape.size() == 1 && isAddressField(shape[0].field))
      ++lengths[shape[0].field];
  std::vector<Group> groups;
  for (auto &[shape, group] : exact) {
    if (shape.size() != 1 ||
        lengths[shape[0].field] <= options.maxHashLengths) {
      groups.push_back(std::move(group));
      continue;
    }
    Group &merged = prefixes[shape[0].field];
    merged.rules.insert(merged.rules.end(), group.rules.begin(),
                        group.rules.end());
  }
  for (auto &[field, group] : prefixes) {
    std::sort(group.rules.begin(), group.rules.end());
    group.fields = {{field, ir::fieldInfo(field).width * 8u}};
    group.lpm = true;
    groups.push_back(std::move(group));
  }
  // Largest first; ties in a fixed order (the first rule) for determinism.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group &a, const Group &b) {
                     if (a.rules.size() != b.rules.size())
                       return a.rules.size() > b.rules.size();
                     return a.rules.front() < b.rules.front();
                   });

  ClassifierPlan plan;
  for (const Group &group : groups) {
    if (group.rules.size() < options.minRulesPerTable ||
        plan.tables.size() >= options.maxTables)
      break;
    ClassifierTable table =
        group.lpm ? lpmTable(chain, group) : exactTable(chain, group);
    for (const TableField &component : table.fields)
      table.headers |= fieldAvailability(component.field, chain.hook).headers;
    for (uint32_t index : table.rules)
      classified[index] = true;
    plan.tables.push_back(std::move(table));
  }
  for (const ir::Rule &rule : chain.rules)
    if (!classified[rule.index])
      plan.residual.push_back(rule.index);
  return plan;
}

} // namespace bfc::transform
