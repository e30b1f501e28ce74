// Filling maps with many entries: set maps (and classifier tables) can hold
// 100,000 entries, and one bpf() call per entry costs seconds. bfload and
// bfc-run both fill through here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bfc/Load/Fd.h"
#include "bfc/Object/Metadata.h"

namespace bfc::load {

/// Entries packed for one batched update: `count` keys of `keySize` bytes
/// each in `keys`, and as many values of `valueSize` bytes in `values`.
struct PackedEntries {
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t count = 0;
  std::vector<uint8_t> keys;
  std::vector<uint8_t> values;
};

/// The initial elements of `set` as its map stores them (LPM keys: a u32
/// prefix length in host order, then the address), each with the value 1
/// padded to `valueSize` bytes.
PackedEntries setMapEntries(const object::SetInfo &set, uint32_t valueSize);

/// The entries of a classifier table of `chain` as its map stores them
/// (keys as for sets, values the u32 rule index; in a table that mirrors
/// sets, a struct bfc_table_value, the elements of the mirrored sets giving
/// their rule).
PackedEntries tableMapEntries(const object::TableInfo &table,
                              const object::ChainInfo &chain);

/// The map of `set` pinned in `chainDir`, checked to be a map of its
/// kind and key size. Throws LoadError.
Fd openSetMap(const std::string &chainDir, const object::SetInfo &set);

/// After `elements` of `set` were added to or removed from its map: the
/// entries of those keys in every table of `chain` that mirrors `set`, made
/// to agree with the sets' maps pinned in `chainDir` (the lowest rule of a
/// mirrored set holding the key, else the table's own entry, else none).
/// Throws LoadError.
void syncMirroredKeys(const std::string &chainDir,
                      const object::ChainInfo &chain,
                      const object::SetInfo &set,
                      const std::vector<object::SetElement> &elements);

/// Writes every entry into the map `mapFd`: BPF_MAP_UPDATE_BATCH in chunks,
/// or one update per entry for map types that have no batch operation (the
/// kernel answers EINVAL/ENOTSUPP before writing anything). Throws LoadError.
void updateEntries(int mapFd, const PackedEntries &entries);

} // namespace bfc::load
