#include "bfc/Load/CounterCarry.h"

#include <algorithm>
#include <deque>
#include <linux/bpf.h>
#include <map>

#include <fmt/format.h>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::load {

namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

std::string normaliseRuleText(std::string_view text) {
  std::string out;
  bool inSetBody = false;
  char pending = 0; // separator owed before the next token character
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '#') { // no token contains '#': a comment, up to the line end
      size_t end = text.find('\n', i);
      i = (end == std::string_view::npos ? text.size() : end) - 1;
    } else if (c == '\n' && inSetBody) {
      pending = '\n';
    } else if (c == '\n' || isBlank(c)) {
      pending = pending ? pending : ' ';
    } else {
      if (pending && !out.empty())
        out += pending;
      pending = 0;
      out += c;
      if (c == '{')
        inSetBody = true;
      else if (c == '}')
        inSetBody = false;
    }
  }
  return out;
}

std::vector<CounterCarry> matchCounters(const object::ChainInfo &old,
                                        const object::ChainInfo &now) {
  // Old counting rules by text, in rule order: identical rules pair in order.
  std::map<std::string, std::deque<uint32_t>> oldByText;
  for (const object::RuleInfo &rule : old.rules)
    if (rule.counter && rule.index < old.counters.size)
      oldByText[normaliseRuleText(rule.text)].push_back(rule.index);

  std::vector<CounterCarry> carries;
  for (const object::RuleInfo &rule : now.rules) {
    if (!rule.counter || rule.index >= now.counters.size)
      continue;
    auto found = oldByText.find(normaliseRuleText(rule.text));
    if (found == oldByText.end() || found->second.empty())
      continue;
    carries.push_back({found->second.front(), rule.index});
    found->second.pop_front();
  }
  // The policy counter counts what fell through to the policy: the same
  // counter only while the policy's verdict is the same.
  if (old.policy == now.policy && old.counters.policy < old.counters.size &&
      now.counters.policy < now.counters.size)
    carries.push_back({old.counters.policy, now.counters.policy});
  if (old.counters.errors < old.counters.size &&
      now.counters.errors < now.counters.size)
    carries.push_back({old.counters.errors, now.counters.errors});
  return carries;
}

namespace {

void setCounters(int oldMapFd, int newMapFd,
                 const std::vector<CounterCarry> &carries) {
  std::vector<bfc_counter> perCpu(bpf::possibleCpus());
  for (const CounterCarry &carry : carries)
    if (bpf::lookupElem(oldMapFd, &carry.from, perCpu.data()))
      bpf::updateElem(newMapFd, &carry.to, perCpu.data());
}

} // namespace

namespace {

/// Throws unless `mapFd` is a per-CPU array of bfc_counter with an entry
/// for every index of `carries` (`to` or `from`, as `side` says).
void checkCounterMap(int mapFd, const std::vector<CounterCarry> &carries,
                     uint32_t CounterCarry::*side) {
  bpf::MapInfo info = bpf::mapInfo(mapFd);
  if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
      info.valueSize != sizeof(bfc_counter))
    throw LoadError(
        fmt::format("map '{}' is not a per-CPU array of counters", info.name));
  for (const CounterCarry &carry : carries)
    if (carry.*side >= info.maxEntries)
      throw LoadError(
          fmt::format("map '{}' has no counter {}", info.name, carry.*side));
}

} // namespace

size_t carryCounters(const std::string &oldDir, const object::ChainInfo &old,
                     const LoadedChain &loaded) {
  const object::ChainInfo &now = *loaded.chain;
  try {
    auto newMap = std::find_if(
        loaded.maps.begin(), loaded.maps.end(),
        [&](const auto &map) { return map.first == now.counters.map; });
    if (newMap == loaded.maps.end())
      throw LoadError(fmt::format("no counter map '{}'", now.counters.map));
    std::vector<CounterCarry> carries = matchCounters(old, now);
    Fd oldMap = bpf::openPinned(oldDir + "/" + old.counters.map);
    // The lookups write a value per CPU: check the sizes before trusting
    // the old chain's map.
    checkCounterMap(oldMap.get(), carries, &CounterCarry::from);
    checkCounterMap(newMap->second.get(), carries, &CounterCarry::to);
    setCounters(oldMap.get(), newMap->second.get(), carries);
    size_t rules = std::count_if(carries.begin(), carries.end(),
                                 [&](const CounterCarry &carry) {
                                   return carry.to != now.counters.policy &&
                                          carry.to != now.counters.errors;
                                 });
    debugLog("chain '{}': {} of {} rules keep their counters", now.name, rules,
             now.rules.size());
    return rules;
  } catch (const LoadError &e) {
    fmt::print(stderr,
               "bfload: warning: chain '{}': counters restart from zero: "
               "{}\n",
               now.name, e.what());
    return 0;
  }
}

} // namespace bfc::load
