// The metadata of a bfc object (the `.bfc.meta` JSON document), as C++
// structs. docs/object-format.md is the contract; this is its reader and
// writer. No LLVM, no libbpf: bfload and tests use it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bfc/IR/BFIR.h"

namespace bfc::object {

/// Anything wrong with an object: unreadable, foreign, truncated, corrupt,
/// incompatible. The message is meant for the user as is.
class ObjectError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct SourceInfo {
  std::string name;
  std::string sha256;
};

/// A value only the host knows (interface name -> ifindex), written by the
/// loader into `bfc_host_slots[index]`.
struct HostSlotInfo {
  uint32_t index = 0;
  std::string kind; ///< "ifindex"
  std::string name; ///< interface name
};

struct HookOptionsInfo {
  std::optional<uint32_t> ifindex;
  std::optional<std::string> cgpath;
  std::optional<std::pair<int32_t, int32_t>> priorities;

  bool empty() const { return !ifindex && !cgpath && !priorities; }
};

struct CountersInfo {
  std::string map;
  uint32_t size = 0;   ///< entries: rules + policy + errors
  uint32_t policy = 0; ///< index of the policy counter
  uint32_t errors = 0; ///< index of the error counter
};

struct ChainLogInfo {
  std::string map;                    ///< the ring buffer
  std::optional<std::string> rateMap; ///< `every` rate limiting state
};

struct RuleLogInfo {
  uint8_t headers = 0; ///< ir::LogHeaders bitmask
  uint64_t everyNs = 0;
};

struct RedirectInfo {
  std::optional<uint32_t> slot; ///< host slot of the interface, if named
  uint32_t ifindex = 0;         ///< literal index otherwise
  ir::RedirectDir dir = ir::RedirectDir::Out;
};

struct RuleInfo {
  uint32_t index = 0;
  std::string text;
  uint32_t line = 0;
  uint32_t column = 0;
  bool counter = false;
  ir::Verdict verdict = ir::Verdict::Accept;
  std::optional<RuleLogInfo> log;
  std::optional<uint32_t> mark;
  std::optional<RedirectInfo> redirect;
};

/// One element of a set: the packed key (components' values, network byte
/// order) and, for LPM sets, the prefix length.
struct SetElement {
  std::vector<uint8_t> key;
  uint32_t prefixLen = 0;

  friend bool operator==(const SetElement &, const SetElement &) = default;
};

struct SetInfo {
  uint32_t index = 0; ///< index in the chain
  std::string name;
  bool anonymous = false;
  std::string map;
  /// The set's id in a map shared by sets of one key layout: its keys
  /// start with this u32 (host order). Absent: the map holds this set only.
  std::optional<uint32_t> mapId;
  std::vector<ir::FieldId> key; ///< components, in key order
  bool lpm = false;
  uint32_t keySize = 0; ///< bytes of a packed key (sum of the widths)
  uint32_t maxEntries = 0;
  /// Initial elements, from `.bfc.sets` (empty when read from JSON only).
  std::vector<SetElement> elements;

  /// Bytes of a key in the BPF map: LPM keys start with a u32 prefix length,
  /// keys of a shared map with the u32 set id (after the prefix length).
  uint32_t mapKeySize() const {
    return (lpm ? 4 : 0) + (mapId ? 4 : 0) + keySize;
  }
  /// `element` as the set's map stores it.
  std::vector<uint8_t> mapKey(const SetElement &element) const;
  /// The element a key of the set's map stores; nullopt when the key is
  /// another set's (shared maps) or has the wrong size.
  std::optional<SetElement> elementOf(const std::vector<uint8_t> &key) const;
};

/// One component of a classifier table's key: a field compared on its
/// first `bits` bits (the whole width for LPM tables, whose entries carry
/// their own prefix lengths).
struct TableFieldInfo {
  ir::FieldId field = ir::FieldId::Ip4Saddr;
  uint32_t bits = 0;

  friend bool operator==(const TableFieldInfo &,
                         const TableFieldInfo &) = default;
};

/// One entry of a classifier table: the key (masked component values,
/// network byte order), its prefix length (LPM tables only) and the rule
/// index the lookup gives.
struct TableEntryInfo {
  std::vector<uint8_t> key;
  uint32_t prefixLen = 0;
  uint32_t rule = 0;

  friend bool operator==(const TableEntryInfo &,
                         const TableEntryInfo &) = default;
};

/// A named set mirrored in a table (format version 2): `rule` is `(field)
/// in set`, before every other rule of the table, and each element of the
/// set is a key of the table whose value gives `rule`. The loader writes
/// those entries, and `bfload chain update-set` keeps them in step with the
/// set.
struct TableMirrorInfo {
  std::string set;
  uint32_t rule = 0;

  friend bool operator==(const TableMirrorInfo &,
                         const TableMirrorInfo &) = default;
};

/// A classifier table (docs/codegen.md, "Classification"): a HASH map (or
/// an LPM_TRIE when `lpm`) from a key to the lowest index of a rule it
/// matches, as a u32 (a struct bfc_table_value when it mirrors sets).
/// Filled by the loader; only mirrored sets' entries change after.
struct TableInfo {
  uint32_t index = 0; ///< index in the chain (map `<prog>_table<index>`)
  std::string map;
  std::vector<TableFieldInfo> fields; ///< key components, in key order
  bool lpm = false;
  uint32_t keySize = 0; ///< bytes of a packed key (sum of the widths)
  uint32_t maxEntries = 0;
  /// The entries, from `.bfc.tables` (empty when read from JSON only).
  std::vector<TableEntryInfo> entries;
  /// Named sets mirrored in the table, ascending by rule.
  std::vector<TableMirrorInfo> mirrors;

  /// Bytes of a key in the BPF map: LPM keys start with a u32 prefix length.
  uint32_t mapKeySize() const { return lpm ? keySize + 4 : keySize; }
  /// Bytes of a value in the BPF map.
  uint32_t mapValueSize() const { return mirrors.empty() ? 4 : 8; }
};

struct ChainInfo {
  std::string name;
  ir::Hook hook = ir::Hook::Xdp;
  std::string program; ///< the program's function (and ELF symbol) name
  std::string section;
  ir::Verdict policy = ir::Verdict::Accept;
  bool attach = false; ///< the source gave hook options
  HookOptionsInfo options;
  CountersInfo counters;
  std::optional<ChainLogInfo> log;
  std::vector<RuleInfo> rules;
  std::vector<SetInfo> sets;
  std::vector<TableInfo> tables; ///< classifier tables (may be empty)

  const SetInfo *findSet(std::string_view name) const;
};

struct Metadata {
  std::string format = "bfc-object";
  uint32_t version = 0;
  std::string bfcVersion;
  SourceInfo source;
  std::vector<HostSlotInfo> hostSlots;
  std::vector<ChainInfo> chains;

  const ChainInfo *findChain(std::string_view name) const;
};

/// Parses and validates a metadata document: format name, version (newer
/// than this bfload knows is refused), every required field and its type,
/// and the consistency of indexes (rules, counters, sets, host slots).
/// Throws ObjectError naming the offending field.
Metadata parseMetadata(std::string_view json);
/// The same, on a parsed document (a record embeds the metadata).
Metadata parseMetadataDocument(const nlohmann::json &document);

/// The JSON document for `meta` (round-trips through parseMetadata; set
/// elements are not part of the JSON).
std::string serializeMetadata(const Metadata &meta);

/// Hook option text as in the source: "ifindex=2", "cgpath=/x",
/// "priorities=1-2", joined with ','.
std::string formatHookOptions(const HookOptionsInfo &options);

} // namespace bfc::object
