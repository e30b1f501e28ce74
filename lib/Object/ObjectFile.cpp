#include "bfc/Object/ObjectFile.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include "bfc/Support/ByteOrder.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::object {

namespace {

constexpr char kSetsSection[] = ".bfc.sets";
constexpr unsigned kEmBpf = 247; // EM_BPF, missing from older elf.h

/// Owns an Elf handle over a memory buffer.
class ElfHandle {
public:
  explicit ElfHandle(std::vector<uint8_t> &bytes) {
    if (elf_version(EV_CURRENT) == EV_NONE)
      throw ObjectError("libelf is unusable");
    elf_ = elf_memory(reinterpret_cast<char *>(bytes.data()), bytes.size());
  }
  ~ElfHandle() {
    if (elf_)
      elf_end(elf_);
  }
  ElfHandle(const ElfHandle &) = delete;
  ElfHandle &operator=(const ElfHandle &) = delete;
  Elf *get() const { return elf_; }

private:
  Elf *elf_ = nullptr;
};

/// The bytes of every named section we need, bounds-checked against the
/// file: libelf trusts section headers, a truncated file must not.
struct Sections {
  std::optional<std::span<const uint8_t>> meta;
  std::optional<std::span<const uint8_t>> sets;
  std::optional<std::span<const uint8_t>> tables;
  std::optional<SymbolLocation> hostSlots;
};

/// Finds BFC_HOST_SLOTS_SYMBOL in the symbol table `symtab`.
std::optional<SymbolLocation> findHostSlots(Elf *elf, Elf_Scn *symtab,
                                            const GElf_Shdr &symtabHeader,
                                            size_t shstrndx) {
  Elf_Data *data = elf_getdata(symtab, nullptr);
  if (!data || symtabHeader.sh_entsize == 0)
    return std::nullopt;
  size_t count = symtabHeader.sh_size / symtabHeader.sh_entsize;
  for (size_t i = 0; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, i, &sym))
      break;
    const char *name = elf_strptr(elf, symtabHeader.sh_link, sym.st_name);
    if (!name || std::strcmp(name, BFC_HOST_SLOTS_SYMBOL) != 0)
      continue;
    Elf_Scn *section = elf_getscn(elf, sym.st_shndx);
    GElf_Shdr sectionHeader;
    if (!section || !gelf_getshdr(section, &sectionHeader))
      return std::nullopt;
    const char *sectionName = elf_strptr(elf, shstrndx, sectionHeader.sh_name);
    if (!sectionName)
      return std::nullopt;
    return SymbolLocation{sectionName, sym.st_value, sym.st_size};
  }
  return std::nullopt;
}

Sections findSections(const std::string &name, std::vector<uint8_t> &bytes) {
  auto fail = [&](std::string_view what) -> ObjectError {
    return ObjectError(fmt::format("{}: {}", name, what));
  };
  if (bytes.size() < 4 || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    throw fail("not an ELF file (is it a bfc object?)");
  ElfHandle elf(bytes);
  if (!elf.get() || elf_kind(elf.get()) != ELF_K_ELF)
    throw fail("not an ELF file (is it a bfc object?)");

  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf.get(), &ehdr))
    throw fail("truncated or corrupt ELF header");
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
      ehdr.e_ident[EI_DATA] != ELFDATA2LSB || ehdr.e_machine != kEmBpf)
    throw fail(fmt::format("not a BPF object (ELF machine {}, class {}); bfc "
                           "objects are 64-bit little-endian EM_BPF",
                           ehdr.e_machine, ehdr.e_ident[EI_CLASS]));
  if (ehdr.e_shoff == 0 || ehdr.e_shoff > bytes.size() ||
      ehdr.e_shnum * uint64_t(ehdr.e_shentsize) > bytes.size() - ehdr.e_shoff)
    throw fail("truncated object: the section header table is past the end "
               "of the file");

  size_t shstrndx;
  if (elf_getshdrstrndx(elf.get(), &shstrndx) != 0)
    throw fail("corrupt ELF: no section name table");

  Sections found;
  for (Elf_Scn *scn = elf_nextscn(elf.get(), nullptr); scn;
       scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr))
      throw fail("corrupt ELF section header");
    const char *sectionName = elf_strptr(elf.get(), shstrndx, shdr.sh_name);
    if (!sectionName)
      throw fail("corrupt ELF: bad section name");
    if (shdr.sh_type != SHT_NOBITS &&
        (shdr.sh_offset > bytes.size() ||
         shdr.sh_size > bytes.size() - shdr.sh_offset))
      throw fail(fmt::format("truncated object: section '{}' ends past the "
                             "end of the file",
                             sectionName));
    // A NOBITS section has no bytes in the file: its sh_offset is not
    // checked, so no pointer is formed from it.
    std::span<const uint8_t> data;
    if (shdr.sh_type != SHT_NOBITS)
      data =
          std::span<const uint8_t>(bytes.data() + shdr.sh_offset, shdr.sh_size);
    if (std::strcmp(sectionName, BFC_META_SECTION) == 0)
      found.meta = data;
    else if (std::strcmp(sectionName, kSetsSection) == 0)
      found.sets = data;
    else if (std::strcmp(sectionName, BFC_TABLES_SECTION) == 0)
      found.tables = data;
    else if (shdr.sh_type == SHT_SYMTAB && !found.hostSlots)
      found.hostSlots = findHostSlots(elf.get(), scn, shdr, shstrndx);
  }
  return found;
}

} // namespace

ObjectFile ObjectFile::fromFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ObjectError(
        fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad())
    throw ObjectError(fmt::format("{}: read error", path));
  return fromMemory(std::move(bytes), path);
}

ObjectFile ObjectFile::fromMemory(std::vector<uint8_t> bytes,
                                  std::string name) {
  ObjectFile object;
  object.name_ = std::move(name);
  object.bytes_ = std::move(bytes);
  Sections sections = findSections(object.name_, object.bytes_);
  if (!sections.meta)
    throw ObjectError(
        fmt::format("{}: no '{}' section: not an object written by bfc",
                    object.name_, BFC_META_SECTION));

  // The document ends at its NUL terminator; tolerate a missing one.
  std::span<const uint8_t> meta = *sections.meta;
  size_t length = 0;
  while (length < meta.size() && meta[length] != 0)
    ++length;
  object.metadataText_.assign(reinterpret_cast<const char *>(meta.data()),
                              length);
  try {
    object.metadata_ = parseMetadata(object.metadataText_);
    if (sections.sets)
      decodeSetsSection(*sections.sets, object.metadata_);
    if (sections.tables)
      decodeTablesSection(*sections.tables, object.metadata_);
    const size_t slots = object.metadata_.hostSlots.size();
    if (slots != 0) {
      if (!sections.hostSlots)
        throw ObjectError(fmt::format(
            "the metadata lists {} host slots but the object has no '{}' "
            "symbol",
            slots, BFC_HOST_SLOTS_SYMBOL));
      if (sections.hostSlots->size < slots * sizeof(uint32_t))
        throw ObjectError(fmt::format(
            "'{}' holds {} bytes, too small for {} host slots",
            BFC_HOST_SLOTS_SYMBOL, sections.hostSlots->size, slots));
    }
    object.hostSlots_ = sections.hostSlots;
  } catch (const ObjectError &e) {
    throw ObjectError(fmt::format("{}: {}", object.name_, e.what()));
  }
  return object;
}

void decodeSetsSection(std::span<const uint8_t> section, Metadata &meta) {
  std::vector<SetInfo *> sets;
  for (ChainInfo &chain : meta.chains)
    for (SetInfo &set : chain.sets)
      sets.push_back(&set);

  size_t offset = 0;
  size_t record = 0;
  while (offset < section.size()) {
    if (section.size() - offset < 8)
      throw ObjectError(fmt::format(
          "corrupt .bfc.sets: record {} is truncated (header)", record));
    uint32_t setIndex = loadLe32(section.data() + offset);
    uint32_t prefixLen = loadLe32(section.data() + offset + 4);
    if (setIndex >= sets.size())
      throw ObjectError(fmt::format(
          "corrupt .bfc.sets: record {} names set {}, the object has {} sets",
          record, setIndex, sets.size()));
    SetInfo &set = *sets[setIndex];
    offset += 8;
    if (section.size() - offset < set.keySize)
      throw ObjectError(fmt::format(
          "corrupt .bfc.sets: record {} is truncated (key of set '{}')", record,
          set.name));
    SetElement element;
    element.key.assign(section.data() + offset,
                       section.data() + offset + set.keySize);
    element.prefixLen = set.lpm ? prefixLen : 0;
    if (set.lpm && prefixLen > set.keySize * 8)
      throw ObjectError(fmt::format(
          "corrupt .bfc.sets: record {}: prefix length {} in set '{}' of "
          "{}-bit addresses",
          record, prefixLen, set.name, set.keySize * 8));
    offset += set.keySize;
    set.elements.push_back(std::move(element));
    if (set.elements.size() > set.maxEntries)
      throw ObjectError(fmt::format("corrupt .bfc.sets: set '{}' has more "
                                    "elements than its max_entries ({})",
                                    set.name, set.maxEntries));
    ++record;
  }
}

std::vector<uint8_t> encodeSetsSection(const Metadata &meta) {
  std::vector<uint8_t> out;
  uint32_t globalIndex = 0;
  for (const ChainInfo &chain : meta.chains) {
    for (const SetInfo &set : chain.sets) {
      for (const SetElement &element : set.elements) {
        appendLe32(out, globalIndex);
        appendLe32(out, set.lpm ? element.prefixLen : 0);
        out.insert(out.end(), element.key.begin(), element.key.end());
      }
      ++globalIndex;
    }
  }
  return out;
}

void decodeTablesSection(std::span<const uint8_t> section, Metadata &meta) {
  std::vector<std::pair<TableInfo *, const ChainInfo *>> tables;
  for (ChainInfo &chain : meta.chains)
    for (TableInfo &table : chain.tables)
      tables.emplace_back(&table, &chain);

  size_t offset = 0;
  for (size_t record = 0; offset < section.size(); ++record) {
    auto fail = [&](const std::string &what) {
      return ObjectError(
          fmt::format("corrupt .bfc.tables: record {}: {}", record, what));
    };
    if (section.size() - offset < 12)
      throw fail("truncated (header)");
    uint32_t tableIndex = loadLe32(section.data() + offset);
    TableEntryInfo entry;
    entry.prefixLen = loadLe32(section.data() + offset + 4);
    entry.rule = loadLe32(section.data() + offset + 8);
    if (tableIndex >= tables.size())
      throw fail(fmt::format("names table {}, the object has {} tables",
                             tableIndex, tables.size()));
    auto [table, chain] = tables[tableIndex];
    offset += 12;
    if (section.size() - offset < table->keySize)
      throw fail(fmt::format("truncated (key of table {})", table->index));
    entry.key.assign(section.data() + offset,
                     section.data() + offset + table->keySize);
    offset += table->keySize;
    if (!table->lpm)
      entry.prefixLen = 0;
    else if (entry.prefixLen > table->keySize * 8)
      throw fail(fmt::format("prefix length {} of {}-bit addresses",
                             entry.prefixLen, table->keySize * 8));
    if (entry.rule >= chain->rules.size())
      throw fail(fmt::format("rule {} of a chain of {} rules", entry.rule,
                             chain->rules.size()));
    table->entries.push_back(std::move(entry));
    if (table->entries.size() > table->maxEntries)
      throw fail(fmt::format("table {} of chain '{}' has more entries than "
                             "its max_entries ({})",
                             table->index, chain->name, table->maxEntries));
  }
}

std::vector<uint8_t> encodeTablesSection(const Metadata &meta) {
  std::vector<uint8_t> out;
  uint32_t globalIndex = 0;
  for (const ChainInfo &chain : meta.chains) {
    for (const TableInfo &table : chain.tables) {
      for (const TableEntryInfo &entry : table.entries) {
        appendLe32(out, globalIndex);
        appendLe32(out, table.lpm ? entry.prefixLen : 0);
        appendLe32(out, entry.rule);
        out.insert(out.end(), entry.key.begin(), entry.key.end());
      }
      ++globalIndex;
    }
  }
  return out;
}

} // namespace bfc::object
