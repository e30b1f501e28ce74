// Reading a bfc object (a BPF ELF written by `bfc`): the metadata section and
// the initial set elements, validated. libelf only; libbpf is for loading.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bfc/Object/Metadata.h"

namespace bfc::object {

/// Where a global variable lives in the object.
struct SymbolLocation {
  std::string section; ///< e.g. ".rodata"
  uint64_t offset = 0; ///< from the start of the section
  uint64_t size = 0;
};

/// A validated bfc object held in memory. The bytes are kept so the loader
/// can hand them to libbpf without reading the file twice.
class ObjectFile {
public:
  /// Reads and validates `path`. Throws ObjectError (with the path in the
  /// message) on I/O errors and on any invalid content.
  static ObjectFile fromFile(const std::string &path);
  /// Validates an object in memory; `name` is used in messages.
  static ObjectFile fromMemory(std::vector<uint8_t> bytes, std::string name);

  const std::string &name() const { return name_; }
  const std::vector<uint8_t> &bytes() const { return bytes_; }
  /// The metadata, with every set's initial elements filled in from
  /// `.bfc.sets` and every table's entries from `.bfc.tables`.
  const Metadata &metadata() const { return metadata_; }
  /// The raw `.bfc.meta` text (without the terminating NUL).
  const std::string &metadataText() const { return metadataText_; }
  /// The `bfc_host_slots` array, when the object has one (it must when the
  /// metadata lists host slots; checked).
  const std::optional<SymbolLocation> &hostSlotsSymbol() const {
    return hostSlots_;
  }

private:
  std::string name_;
  std::vector<uint8_t> bytes_;
  std::string metadataText_;
  Metadata metadata_;
  std::optional<SymbolLocation> hostSlots_;
};

/// Decodes a `.bfc.sets` section and distributes its records to `meta`'s
/// sets. A record's set index counts the sets of every chain in metadata
/// order (chain 0's sets first). Throws ObjectError on a truncated record, an
/// unknown set index, a bad prefix length or more elements than the set's
/// max_entries.
void decodeSetsSection(std::span<const uint8_t> section, Metadata &meta);

/// Encodes the sets' elements of `meta` as a `.bfc.sets` section (the
/// inverse of decodeSetsSection; tests and tools that write objects use it).
std::vector<uint8_t> encodeSetsSection(const Metadata &meta);

/// Decodes a `.bfc.tables` section (records `u32 table_index, u32
/// prefixlen, u32 rule, key bytes`, little endian; the table index counts
/// the tables of every chain in metadata order) into `meta`'s tables.
/// Throws ObjectError on a truncated record, an unknown table, a bad prefix
/// length, a rule the chain does not have or more entries than max_entries.
void decodeTablesSection(std::span<const uint8_t> section, Metadata &meta);

/// Encodes the tables' entries of `meta` (the inverse of
/// decodeTablesSection).
std::vector<uint8_t> encodeTablesSection(const Metadata &meta);

} // namespace bfc::object
