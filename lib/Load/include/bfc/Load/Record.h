// What a chain directory records about the chain: the object's metadata for
// this chain, the host values it was loaded with and how it was asked to be
// attached. Stored in the pinned `meta` map (an array map of 4 KiB chunks,
// frozen), so a later bfload can print and update the chain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bfc/Load/Fd.h"
#include "bfc/Object/Metadata.h"

namespace bfc::load {

/// The attachment actually requested (object defaults merged with
/// --option), fully resolved.
struct AttachSpec {
  std::optional<uint32_t> ifindex;                       ///< XDP, tcx
  std::optional<std::string> cgpath;                     ///< cgroup hooks
  std::optional<std::pair<int32_t, int32_t>> priorities; ///< netfilter
  std::optional<int32_t> activePriority; ///< netfilter: the one in use
  /// XDP, tcx, netfilter: the network namespace the links were made in
  /// (currentNetnsCookie). None in records of older bfloads.
  std::optional<uint64_t> netnsCookie;

  /// The options as the source would write them.
  object::HookOptionsInfo options() const;
};

struct ChainRecord {
  /// The object's metadata reduced to this chain (chains has one entry).
  object::Metadata metadata;
  /// bfc_host_slots as written at load time (ifindex per host slot).
  std::vector<uint32_t> hostSlotValues;
  /// How the chain is attached; nullopt when it is only loaded.
  std::optional<AttachSpec> attach;
  std::string objectName; ///< the object file it was loaded from
  std::string loadedAt;   ///< UTC, ISO 8601

  const object::ChainInfo &chain() const { return metadata.chains.at(0); }
};

std::string serializeRecord(const ChainRecord &record);
/// Throws LoadError when the record is not one bfload wrote.
ChainRecord parseRecord(const std::string &text);

/// Creates the frozen `meta` map holding `record`.
Fd createRecordMap(const ChainRecord &record);
/// Reads the record back from a `meta` map.
ChainRecord readRecordMap(int mapFd);

/// Current UTC time, ISO 8601.
std::string utcNow();

} // namespace bfc::load
