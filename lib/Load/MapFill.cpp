#include "bfc/Load/MapFill.h"

#include <bpf/bpf.h>
#include <cerrno>
#include <cstring>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/Error.h"
#include "bfc/Support/ByteOrder.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::load {

namespace {
/// Entries per BPF_MAP_UPDATE_BATCH call: large enough that the syscall cost
/// vanishes, small enough that a failure reports a bounded chunk.
constexpr uint32_t kBatchChunk = 16384;
/// The kernel's ENOTSUPP, which user-space errno.h does not define.
constexpr int kKernelEnotsupp = 524;

/// libbpf 1.1 returns -errno (and sets errno) for its wrappers.
int lastError(int ret) { return ret < -1 ? -ret : errno; }

/// A key as a table map wants it: LPM keys start with the prefix
/// length, a u32 in host order.
void appendMapKey(std::vector<uint8_t> &out, bool lpm, uint32_t prefixLen,
                  const std::vector<uint8_t> &key) {
  if (lpm)
    appendHostU32(out, prefixLen);
  out.insert(out.end(), key.begin(), key.end());
}

void updateOneByOne(int mapFd, const PackedEntries &entries, uint32_t from) {
  for (uint32_t i = from; i < entries.count; ++i) {
    int ret = bpf_map_update_elem(
        mapFd, entries.keys.data() + size_t(i) * entries.keySize,
        entries.values.data() + size_t(i) * entries.valueSize, BPF_ANY);
    if (ret < 0)
      throwErrno("cannot update map element", lastError(ret));
  }
}
} // namespace

PackedEntries setMapEntries(const object::SetInfo &set, uint32_t valueSize) {
  PackedEntries entries;
  entries.keySize = set.mapKeySize();
  entries.valueSize = valueSize;
  entries.count = static_cast<uint32_t>(set.elements.size());
  entries.keys.reserve(size_t(entries.count) * entries.keySize);
  for (const object::SetElement &element : set.elements) {
    std::vector<uint8_t> key = set.mapKey(element);
    entries.keys.insert(entries.keys.end(), key.begin(), key.end());
  }
  entries.values.assign(size_t(entries.count) * valueSize, 0);
  for (uint32_t i = 0; i < entries.count && valueSize > 0; ++i)
    entries.values[size_t(i) * valueSize] = 1;
  return entries;
}

PackedEntries tableMapEntries(const object::TableInfo &table,
                              const object::ChainInfo &chain) {
  PackedEntries entries;
  entries.keySize = table.mapKeySize();
  entries.valueSize = table.mapValueSize();
  if (table.mirrors.empty()) {
    entries.count = static_cast<uint32_t>(table.entries.size());
    entries.keys.reserve(size_t(entries.count) * entries.keySize);
    entries.values.reserve(size_t(entries.count) * entries.valueSize);
    for (const object::TableEntryInfo &entry : table.entries) {
      appendMapKey(entries.keys, table.lpm, entry.prefixLen, entry.key);
      appendHostU32(entries.values, entry.rule);
    }
    return entries;
  }
  // Mirrors are exact tables on one field: a key is the element's bytes.
  std::map<std::vector<uint8_t>, bfc_table_value> values;
  for (const object::TableEntryInfo &entry : table.entries)
    values[entry.key] = {entry.rule, entry.rule};
  // The lowest rule last: it wins.
  for (auto mirror = table.mirrors.rbegin(); mirror != table.mirrors.rend();
       ++mirror)
    if (const object::SetInfo *set = chain.findSet(mirror->set))
      for (const object::SetElement &element : set->elements)
        values.try_emplace(element.key, bfc_table_value{0, BFC_TABLE_NO_RULE})
            .first->second.rule = mirror->rule;
  entries.count = static_cast<uint32_t>(values.size());
  entries.keys.reserve(size_t(entries.count) * entries.keySize);
  entries.values.reserve(size_t(entries.count) * entries.valueSize);
  for (const auto &[key, value] : values) {
    appendMapKey(entries.keys, false, 0, key);
    appendHostU32(entries.values, value.rule);
    appendHostU32(entries.values, value.base);
  }
  return entries;
}

Fd openSetMap(const std::string &chainDir, const object::SetInfo &set) {
  return bpf::openPinnedMap(
      chainDir + "/" + set.map,
      {set.lpm ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH, set.mapKeySize(),
       bpf::kAnySize},
      fmt::format("the map of set '{}'", set.name));
}

void syncMirroredKeys(const std::string &chainDir,
                      const object::ChainInfo &chain,
                      const object::SetInfo &set,
                      const std::vector<object::SetElement> &elements) {
  for (const object::TableInfo &table : chain.tables) {
    if (std::none_of(table.mirrors.begin(), table.mirrors.end(),
                     [&](const object::TableMirrorInfo &m) {
                       return m.set == set.name;
                     }))
      continue;
    Fd tableMap = bpf::openPinnedMap(
        chainDir + "/" + table.map,
        {BPF_MAP_TYPE_HASH, table.mapKeySize(), sizeof(bfc_table_value)},
        fmt::format("the map of table {}", table.index));
    // The mirrored sets' maps, lowest rule first.
    std::vector<std::pair<const object::SetInfo *, Fd>> sets;
    size_t largestValue = 1;
    for (const object::TableMirrorInfo &mirror : table.mirrors) {
      const object::SetInfo *mirrored = chain.findSet(mirror.set);
      if (!mirrored)
        throw LoadError(fmt::format("table {} mirrors an unknown set '{}'",
                                    table.index, mirror.set));
      Fd map = openSetMap(chainDir, *mirrored);
      largestValue =
          std::max<size_t>(largestValue, bpf::mapInfo(map.get()).valueSize);
      sets.emplace_back(mirrored, std::move(map));
    }
    std::vector<uint8_t> setValue(largestValue);
    for (const object::SetElement &element : elements) {
      bfc_table_value value{BFC_TABLE_NO_RULE, BFC_TABLE_NO_RULE};
      bool present =
          bpf::lookupElem(tableMap.get(), element.key.data(), &value);
      uint32_t base = present ? value.base : BFC_TABLE_NO_RULE;
      uint32_t rule = base;
      for (size_t m = 0; m < sets.size(); ++m) {
        std::vector<uint8_t> key = sets[m].first->mapKey(element);
        if (bpf::lookupElem(sets[m].second.get(), key.data(),
                            setValue.data())) {
          rule = table.mirrors[m].rule;
          break;
        }
      }
      if (rule == BFC_TABLE_NO_RULE) {
        if (present)
          bpf::deleteElem(tableMap.get(), element.key.data());
        continue;
      }
      bfc_table_value updated{rule, base};
      bpf::updateElem(tableMap.get(), element.key.data(), &updated);
    }
  }
}

void updateEntries(int mapFd, const PackedEntries &entries) {
  uint32_t done = 0;
  while (done < entries.count) {
    uint32_t count = std::min(kBatchChunk, entries.count - done);
    LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
    int ret = bpf_map_update_batch(
        mapFd, entries.keys.data() + size_t(done) * entries.keySize,
        entries.values.data() + size_t(done) * entries.valueSize, &count,
        &opts);
    if (ret < 0) {
      int err = lastError(ret);
      // No batch operation for this map type (LPM tries): the kernel refuses
      // before writing, so go on one entry at a time from here.
      if ((err == EINVAL || err == kKernelEnotsupp || err == EOPNOTSUPP) &&
          count == 0)
        return updateOneByOne(mapFd, entries, done);
      throwErrno("cannot update map elements", err);
    }
    done += count;
  }
}

} // namespace bfc::load
