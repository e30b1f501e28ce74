#include "bfc/Load/Session.h"

#include <algorithm>
#include <cstring>
#include <linux/bpf.h>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/CounterCarry.h"
#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/Loader.h"
#include "bfc/Load/MapFill.h"
#include "bfc/Object/SetElements.h"

namespace bfc::load {

namespace {

const char *const kLinkPins[] = {kLinkPin, kLinkIp4Pin, kLinkIp6Pin};

bool isLinkPin(const std::string &name) {
  return std::any_of(std::begin(kLinkPins), std::end(kLinkPins),
                     [&](const char *pin) { return name == pin; });
}

/// The chain's metadata alone, as a record stores it.
object::Metadata metadataFor(const object::Metadata &meta,
                             const object::ChainInfo &chain) {
  object::Metadata reduced = meta;
  reduced.chains.clear();
  reduced.chains.push_back(chain);
  for (object::SetInfo &set : reduced.chains[0].sets)
    set.elements.clear(); // the maps hold the elements, not the record
  return reduced;
}

/// The elements of `set` among `keys`, the keys of its map (which other
/// sets may share), sorted.
std::vector<object::SetElement>
setElementsAmong(const object::SetInfo &set,
                 const std::vector<std::vector<uint8_t>> &keys) {
  std::vector<object::SetElement> elements;
  for (const std::vector<uint8_t> &key : keys)
    if (std::optional<object::SetElement> element = set.elementOf(key))
      elements.push_back(std::move(*element));
  std::sort(elements.begin(), elements.end(),
            [](const object::SetElement &a, const object::SetElement &b) {
              return std::tie(a.key, a.prefixLen) <
                     std::tie(b.key, b.prefixLen);
            });
  return elements;
}

/// True when a chain on `hook` attached as `attach` sees the traffic the
/// `old` chain saw: same hook, same interface or cgroup (or neither
/// attached).
bool countsSamePlace(const ChainState &old, ir::Hook hook,
                     const std::optional<AttachSpec> &attach) {
  if (old.record.chain().hook != hook)
    return false;
  const std::optional<AttachSpec> &before =
      old.attached() ? old.record.attach : std::nullopt;
  if (!before || !attach)
    return !before && !attach;
  return sameAttachTarget(*before, *attach);
}

} // namespace

const object::ChainInfo &selectChain(const object::ObjectFile &object,
                                     const std::optional<std::string> &name) {
  const object::Metadata &meta = object.metadata();
  if (name) {
    if (const object::ChainInfo *chain = meta.findChain(*name))
      return *chain;
    std::vector<std::string> names;
    for (const object::ChainInfo &chain : meta.chains)
      names.push_back(chain.name);
    throw LoadError(fmt::format(
        "{} has no chain '{}' (it has: {})", object.name(), *name,
        names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
  }
  if (meta.chains.size() != 1) {
    std::vector<std::string> names;
    for (const object::ChainInfo &chain : meta.chains)
      names.push_back(chain.name);
    throw LoadError(
        meta.chains.empty()
            ? fmt::format("{} has no chain", object.name())
            : fmt::format("{} has {} chains ({}): choose one with --name",
                          object.name(), meta.chains.size(),
                          fmt::join(names, ", ")));
  }
  return meta.chains[0];
}

namespace {
void readProgramAndLinks(const std::string &dir, ChainState &state) {
  Fd prog = bpf::openPinned(dir + "/" + kProgPin);
  state.progId = bpf::progInfo(prog.get()).id;
  for (const char *pin : kLinkPins)
    if (auto link = bpf::openPinnedIfExists(dir + "/" + pin))
      state.links.push_back({pin, bpf::linkInfo(link->get())});
}

/// Why the chain of `state` no longer filters where its record says it
/// was attached, from its live links.
std::optional<std::string> severedReason(const ChainState &state) {
  if (!state.record.attach)
    return std::nullopt;
  if (state.links.empty())
    return std::string("its links are gone");
  for (const LinkState &link : state.links)
    if (std::optional<std::string> why = linkSevered(
            state.record.chain().hook, link.info, *state.record.attach))
      return why;
  return std::nullopt;
}
} // namespace

ChainState readChainDir(const std::string &dir, const std::string &name,
                        bool readSets) {
  ChainState state;
  state.name = name;
  {
    Fd meta = bpf::openPinned(dir + "/" + kMetaPin);
    state.record = readRecordMap(meta.get());
  }
  readProgramAndLinks(dir, state);
  state.severed = severedReason(state);

  const object::ChainInfo &chain = state.record.chain();
  state.counters.resize(chain.counters.size);
  // A counters map of another shape is not read (it would overflow the
  // buffers), but the chain stays usable: `chain update` or `chain set`
  // replaces it, and its counters restart from zero.
  std::optional<Fd> counters;
  try {
    counters = bpf::openPinnedMap(
        dir + "/" + chain.counters.map,
        {BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t), sizeof(CounterValue)},
        "the counters");
  } catch (const LoadError &e) {
    fmt::print(stderr,
               "bfload: warning: chain '{}': {}; its counters read as "
               "zero\n",
               name, e.what());
  }
  const unsigned cpus = bpf::possibleCpus();
  std::vector<CounterValue> perCpu(cpus);
  for (uint32_t i = 0; counters && i < chain.counters.size; ++i) {
    if (!bpf::lookupElem(counters->get(), &i, perCpu.data()))
      continue;
    for (const CounterValue &value : perCpu) {
      state.counters[i].packets += value.packets;
      state.counters[i].bytes += value.bytes;
    }
  }
  if (readSets) {
    // Each map read once, however many sets share it.
    std::map<std::string, std::vector<std::vector<uint8_t>>> mapKeys;
    for (const object::SetInfo &set : chain.sets) {
      if (set.anonymous)
        continue;
      auto [keys, unread] = mapKeys.try_emplace(set.map);
      if (unread) {
        Fd map = openSetMap(dir, set);
        keys->second = bpf::mapKeys(map.get(), set.mapKeySize());
      }
      state.sets.push_back({set, setElementsAmong(set, keys->second)});
    }
  }
  return state;
}

Session::Session(const SessionOptions &options)
    : root_(options.bpffsPath), lock_(RootLock::acquire(root_, options.wait)) {
  recoverInterrupted(root_);
}

void Session::requireChain(const std::string &name) const {
  validateChainName(name);
  if (!root_.chainExists(name))
    throw LoadError(fmt::format("chain '{}' does not exist", name));
}

ChainState Session::readChain(const std::string &name, bool readSets) const {
  return readChainDir(root_.chainDir(name), name, readSets);
}

std::unique_ptr<ChainTransaction>
Session::stageChain(const object::ObjectFile &object, LoadedChain &loaded,
                    const std::vector<uint32_t> &hostSlotValues,
                    std::optional<AttachSpec> attach,
                    const std::string &predecessor) {
  const object::ChainInfo &chain = *loaded.chain;
  // The chain this one replaces where it runs: the one of its name, or in a
  // ruleset change one going away from the same place.
  std::optional<ChainState> old;
  if (root_.chainExists(predecessor))
    old = readChain(predecessor, false);
  const bool sameName = predecessor == chain.name;

  auto txn = std::make_unique<ChainTransaction>(root_, chain.name);
  txn->pin(kProgPin, loaded.prog.get());
  for (auto &[name, fd] : loaded.maps)
    txn->pin(name, fd.get());

  if (attach) {
    // attached(): the old links are alive where the record says (read from
    // the kernel, not the record; see linkSevered), and sameAttachTarget
    // adds the requested place, resolved in the caller's namespace.
    const bool oldOnSameHook = old && old->attached() &&
                               old->record.chain().hook == chain.hook &&
                               old->record.attach;
    if (oldOnSameHook && linksUpdatable(chain.hook) &&
        sameAttachTarget(*old->record.attach, *attach)) {
      // Same hook, same place: keep the old links and switch their program
      // after the commit point (rollForward), atomically for the traffic.
      for (const LinkState &link : old->links) {
        Fd fd = bpf::openPinned(root_.chainDir(predecessor) + "/" + link.pin);
        txn->pin(link.pin, fd.get());
      }
      debugLog("chain '{}': the new program takes over the links of chain "
               "'{}'",
               chain.name, predecessor);
    } else {
      if (oldOnSameHook &&
          ir::hookFamily(chain.hook) == ir::HookFamily::Netfilter) {
        // Netfilter links cannot switch programs: attach the new program at
        // the priority the old one does not use; the old links go when the
        // old directory is removed.
        int32_t inUse = old->record.attach->activePriority.value_or(0);
        attach->activePriority = attach->priorities->first != inUse
                                     ? attach->priorities->first
                                     : attach->priorities->second;
      }
      for (CreatedLink &link :
           attachProgram(chain.name, chain.hook, loaded.prog.get(), *attach))
        txn->pin(link.pin, link.fd.get());
      debugPause("attached");
    }
  }

  ChainRecord record;
  record.metadata = metadataFor(object.metadata(), chain);
  record.hostSlotValues = hostSlotValues;
  record.attach = attach;
  record.objectName = object.name();
  record.loadedAt = utcNow();
  Fd meta = createRecordMap(record);
  txn->pin(kMetaPin, meta.get());
  // Unchanged rules keep their counts when the chain stays where it counts.
  // Copied last, so that only what the old program counts between here and
  // the link update is lost.
  if (old && sameName && countsSamePlace(*old, chain.hook, attach))
    carryCounters(root_.chainDir(chain.name), old->record.chain(), loaded);
  return txn;
}

void Session::installChain(const object::ObjectFile &object,
                           LoadedChain &loaded,
                           const std::vector<uint32_t> &hostSlotValues,
                           std::optional<AttachSpec> attach) {
  stageChain(object, loaded, hostSlotValues, std::move(attach),
             loaded.chain->name)
      ->commit();
}

std::string Session::predecessorOf(const object::ChainInfo &chain,
                                   const std::optional<AttachSpec> &attach,
                                   std::vector<std::string> &removable) {
  if (root_.chainExists(chain.name) || !attach)
    return chain.name;
  // A renamed chain: take over from a chain that goes away and runs on the
  // same hook at the same place, or its hook would still be busy.
  // Each is taken over once.
  for (auto it = removable.begin(); it != removable.end(); ++it) {
    ChainState old = readChain(*it, false);
    if (old.attached() && old.record.attach &&
        old.record.chain().hook == chain.hook &&
        sameAttachTarget(*old.record.attach, *attach)) {
      std::string name = *it;
      removable.erase(it);
      return name;
    }
  }
  return chain.name;
}

std::vector<std::string> Session::setRuleset(const object::ObjectFile &object) {
  const object::Metadata &meta = object.metadata();
  std::vector<const object::ChainInfo *> chains;
  std::vector<std::optional<AttachSpec>> attaches;
  for (const object::ChainInfo &chain : meta.chains) {
    validateChainName(chain.name);
    chains.push_back(&chain);
    attaches.push_back(resolveAttach(chain, {}));
  }
  // Everything that can fail without touching the pinned state first: host
  // values, hook options, the verifier.
  std::vector<uint32_t> hostValues = resolveHostSlots(meta);
  std::vector<LoadedChain> loaded = loadChains(object, chains, hostValues);

  std::set<std::string> wanted;
  for (const object::ChainInfo &chain : meta.chains)
    wanted.insert(chain.name);
  std::vector<std::string> removed;
  for (const std::string &name : root_.chainNames())
    if (!wanted.count(name))
      removed.push_back(name);

  // All or nothing, like `nft -f`: every chain is staged (and attached)
  // before anything is committed; a failure drops what was staged and the
  // old ruleset stays as it was. The commit is one rename (commitRuleset).
  std::vector<std::unique_ptr<ChainTransaction>> staged;
  std::vector<std::string> names;
  std::vector<std::string> removable = removed;
  for (size_t i = 0; i < loaded.size(); ++i) {
    const object::ChainInfo &chain = *loaded[i].chain;
    staged.push_back(stageChain(object, loaded[i], hostValues, attaches[i],
                                predecessorOf(chain, attaches[i], removable)));
    names.push_back(chain.name);
  }
  std::vector<ChainTransaction *> txns;
  for (auto &txn : staged)
    txns.push_back(txn.get());
  for (const std::string &name : removed)
    debugLog("ruleset set: removing chain '{}'", name);
  commitRuleset(root_, txns, removed);
  return names;
}

std::vector<ChainState> Session::getRuleset(bool readSets) {
  std::vector<ChainState> states;
  for (const std::string &name : root_.chainNames())
    states.push_back(readChain(name, readSets));
  return states;
}

std::vector<std::string> Session::flushRuleset() {
  std::vector<std::string> names = root_.chainNames();
  for (const std::string &name : names)
    removeChain(root_, name);
  return names;
}

void Session::setChain(const object::ObjectFile &object,
                       const object::ChainInfo &chain,
                       const OptionOverrides &overrides) {
  validateChainName(chain.name);
  std::optional<AttachSpec> attach = resolveAttach(chain, overrides);
  std::vector<uint32_t> hostValues = resolveHostSlots(object.metadata());
  std::vector<LoadedChain> loaded = loadChains(object, {&chain}, hostValues);
  debugPause("loaded");
  installChain(object, loaded[0], hostValues, attach);
}

void Session::loadChain(const object::ObjectFile &object,
                        const object::ChainInfo &chain) {
  validateChainName(chain.name);
  if (root_.chainExists(chain.name))
    throw LoadError(fmt::format("chain '{}' already exists; use 'chain set' "
                                "or 'chain update' to replace it",
                                chain.name));
  std::vector<uint32_t> hostValues = resolveHostSlots(object.metadata());
  std::vector<LoadedChain> loaded = loadChains(object, {&chain}, hostValues);
  debugPause("loaded");
  installChain(object, loaded[0], hostValues, std::nullopt);
}

void Session::attachChain(const std::string &name,
                          const OptionOverrides &overrides) {
  requireChain(name);
  ChainState state = readChain(name, false);
  if (state.attached())
    throw LoadError(fmt::format("chain '{}' is already attached; use 'chain "
                                "set' to attach it elsewhere",
                                name));
  const object::ChainInfo &chain = state.record.chain();
  std::optional<AttachSpec> attach = resolveAttach(chain, overrides);
  if (!attach)
    throw LoadError(fmt::format("chain '{}' has no hook options: give them "
                                "with --option",
                                name));

  const std::string dir = root_.chainDir(name);
  Fd prog = bpf::openPinned(dir + "/" + kProgPin);
  ChainTransaction txn(root_, name);
  for (const std::string &pin : listDir(dir))
    if (pin != kMetaPin && !isLinkPin(pin)) {
      Fd fd = bpf::openPinned(dir + "/" + pin);
      txn.pin(pin, fd.get());
    }
  for (CreatedLink &link : attachProgram(name, chain.hook, prog.get(), *attach))
    txn.pin(link.pin, link.fd.get());
  debugPause("attached");
  ChainRecord record = state.record;
  record.attach = attach;
  Fd meta = createRecordMap(record);
  txn.pin(kMetaPin, meta.get());
  txn.commit();
}

void Session::updateChain(const object::ObjectFile &object,
                          const object::ChainInfo &chain) {
  requireChain(chain.name);
  ChainState old = readChain(chain.name, false);
  if (old.record.chain().hook != chain.hook)
    throw LoadError(fmt::format(
        "chain '{}' is on {}, the new one is on {}: 'chain update' keeps the "
        "hook, use 'chain set' to move a chain",
        chain.name, ir::hookName(old.record.chain().hook),
        ir::hookName(chain.hook)));
  // The new program takes over the running links; a severed chain has none
  // to take over, and attaching it elsewhere is 'chain set''s job.
  if (old.severed)
    throw LoadError(fmt::format(
        "chain '{}' is severed: {}; 'chain update' keeps the place a chain "
        "filters, attach it again with 'chain set' (or 'chain attach')",
        chain.name, *old.severed));
  // Netfilter links cannot switch programs: new ones are made, in the
  // caller's network namespace.
  if (old.attached() && !linksUpdatable(chain.hook) &&
      old.record.attach->netnsCookie &&
      *old.record.attach->netnsCookie != currentNetnsCookie())
    throw LoadError(fmt::format("chain '{}' runs in another network "
                                "namespace: run 'chain update' there",
                                chain.name));
  std::vector<uint32_t> hostValues = resolveHostSlots(object.metadata());
  std::vector<LoadedChain> loaded = loadChains(object, {&chain}, hostValues);
  debugPause("loaded");
  // The hook options stay those of the running chain.
  std::optional<AttachSpec> attach =
      old.attached() ? old.record.attach : std::nullopt;
  installChain(object, loaded[0], hostValues, attach);
}

SetUpdateResult Session::updateSet(const std::string &chainName,
                                   const std::string &setName,
                                   const std::vector<std::string> &add,
                                   const std::vector<std::string> &remove) {
  requireChain(chainName);
  if (add.empty() && remove.empty())
    throw LoadError("nothing to do: give --add and/or --remove");
  ChainState state = readChain(chainName, false);
  const object::ChainInfo &chain = state.record.chain();
  const object::SetInfo *set = chain.findSet(setName);
  if (!set) {
    std::vector<std::string> names;
    for (const object::SetInfo &s : chain.sets)
      if (!s.anonymous)
        names.push_back(s.name);
    throw LoadError(fmt::format(
        "chain '{}' has no set '{}' (named sets: {})", chainName, setName,
        names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
  }
  if (set->anonymous)
    throw LoadError(
        fmt::format("set '{}' is anonymous and cannot be updated", setName));

  // Parse everything before touching the map: a typo changes nothing.
  std::vector<object::SetElement> toAdd, toRemove;
  for (const std::string &text : add)
    toAdd.push_back(object::parseSetElement(*set, text));
  for (const std::string &text : remove)
    toRemove.push_back(object::parseSetElement(*set, text));

  Fd map = openSetMap(root_.chainDir(chainName), *set);
  std::set<std::vector<uint8_t>> present;
  for (const object::SetElement &e :
       setElementsAmong(*set, bpf::mapKeys(map.get(), set->mapKeySize())))
    present.insert(set->mapKey(e));

  SetUpdateResult result;
  std::vector<object::SetElement> removed, added;
  std::set<std::vector<uint8_t>> afterRemoval = present;
  for (const object::SetElement &e : toRemove) {
    if (!afterRemoval.erase(set->mapKey(e)))
      result.notPresent.push_back(object::formatSetElement(*set, e));
    else
      removed.push_back(e);
  }
  std::set<std::vector<uint8_t>> after = afterRemoval;
  for (const object::SetElement &e : toAdd) {
    if (!after.insert(set->mapKey(e)).second)
      result.alreadyPresent.push_back(object::formatSetElement(*set, e));
    else
      added.push_back(e);
  }
  // Removed and added again: it stays, nothing to do.
  std::erase_if(removed, [&](const object::SetElement &e) {
    return after.count(set->mapKey(e)) != 0;
  });
  std::erase_if(added, [&](const object::SetElement &e) {
    return present.count(set->mapKey(e)) != 0;
  });
  // A set sharing its map has its own share of it (the map's size is the
  // sum of its sets'), so it never takes another set's room.
  const uint32_t capacity =
      set->mapId ? set->maxEntries : bpf::mapInfo(map.get()).maxEntries;
  if (after.size() > capacity)
    throw LoadError(fmt::format("set '{}' would hold {} elements, more than "
                                "its capacity of {}",
                                setName, after.size(), capacity));

  // Additions first: replacing A by B never leaves a moment with neither
  // (an open door in a blocklist), unless the set is too full for both.
  const bool addFirst = present.size() + added.size() <= capacity;
  std::vector<uint8_t> value(bpf::mapInfo(map.get()).valueSize, 0);
  value[0] = 1;
  std::vector<object::SetElement> removedSoFar, addedSoFar;
  auto addAll = [&] {
    for (const object::SetElement &e : added) {
      bpf::updateElem(map.get(), set->mapKey(e).data(), value.data(),
                      BPF_NOEXIST);
      addedSoFar.push_back(e);
    }
  };
  auto removeAll = [&] {
    for (const object::SetElement &e : removed) {
      bpf::deleteElem(map.get(), set->mapKey(e).data());
      removedSoFar.push_back(e);
    }
  };
  const std::string chainDir = root_.chainDir(chainName);
  try {
    if (addFirst) {
      addAll();
      removeAll();
    } else {
      removeAll();
      addAll();
    }
    // Tables mirroring the set follow it (docs/codegen.md, "Mirrored sets").
    std::vector<object::SetElement> changed = added;
    changed.insert(changed.end(), removed.begin(), removed.end());
    syncMirroredKeys(chainDir, chain, *set, changed);
  } catch (const LoadError &e) {
    // Undo, so the set and its mirrors are as they were.
    for (const object::SetElement &key : addedSoFar)
      bpf::deleteElem(map.get(), set->mapKey(key).data());
    for (const object::SetElement &key : removedSoFar)
      bpf::updateElem(map.get(), set->mapKey(key).data(), value.data());
    std::vector<object::SetElement> touched = addedSoFar;
    touched.insert(touched.end(), removedSoFar.begin(), removedSoFar.end());
    try {
      syncMirroredKeys(chainDir, chain, *set, touched);
    } catch (const LoadError &) {
      // Already failing: the first error says why.
    }
    throw LoadError(fmt::format("cannot update set '{}' (unchanged): {}",
                                setName, e.what()));
  }
  result.added = added.size();
  result.removed = removed.size();
  result.size = after.size();
  return result;
}

ChainState Session::getChain(const std::string &name, bool readSets) {
  requireChain(name);
  return readChain(name, readSets);
}

ChainState Session::getChainProgram(const std::string &name) {
  requireChain(name);
  ChainState state;
  state.name = name;
  readProgramAndLinks(root_.chainDir(name), state);
  return state;
}

void Session::flushChain(const std::string &name) {
  requireChain(name);
  removeChain(root_, name);
}

Session::LogSource Session::openLogs(const std::string &name) {
  requireChain(name);
  LogSource source;
  source.record = readChain(name, false).record;
  const object::ChainInfo &chain = source.record.chain();
  if (!chain.log)
    throw LoadError(fmt::format("chain '{}' has no rule with 'log': there "
                                "is nothing to stream",
                                name));
  source.ringBuffer =
      bpf::openPinnedMap(root_.chainDir(name) + "/" + chain.log->map,
                         {BPF_MAP_TYPE_RINGBUF, 0, 0}, "the log ring buffer");
  return source;
}

} // namespace bfc::load
