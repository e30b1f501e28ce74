#include "bfc/Load/MapFill.h"

#include <bpf/bpf.h>
#include <cerrno>
#include <cstring>

#include <algorithm>

#include "bfc/Load/Error.h"

namespace bfc::load {

namespace {
/// Entries per BPF_MAP_UPDATE_BATCH call: large enough that the syscall cost
/// vanishes, small enough that a failure reports a bounded chunk.
constexpr uint32_t kBatchChunk = 16384;
/// The kernel's ENOTSUPP, which user-space errno.h does not define.
constexpr int kKernelEnotsupp = 524;

/// libbpf 1.1 returns -errno (and sets errno) for its wrappers.
int lastError(int ret) { return ret < -1 ? -ret : errno; }

void appendHostU32(std::vector<uint8_t> &out, uint32_t value) {
  const auto *bytes = reinterpret_cast<const uint8_t *>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(value));
}

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

PackedEntries tableMapEntries(const object::TableInfo &table) {
  PackedEntries entries;
  entries.keySize = table.mapKeySize();
  entries.valueSize = sizeof(uint32_t);
  entries.count = static_cast<uint32_t>(table.entries.size());
  entries.keys.reserve(size_t(entries.count) * entries.keySize);
  entries.values.reserve(size_t(entries.count) * entries.valueSize);
  for (const object::TableEntryInfo &entry : table.entries) {
    appendMapKey(entries.keys, table.lpm, entry.prefixLen, entry.key);
    appendHostU32(entries.values, entry.rule);
  }
  return entries;
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
