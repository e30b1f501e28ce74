// Reading objects: a real BPF object (built by test/e2e/Inputs/mkobj.py)
// gives its metadata, set elements and host slot symbol; anything truncated,
// foreign or corrupt is an ObjectError, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "bfc/Object/ObjectFile.h"

using namespace bfc;
using namespace bfc::object;

namespace {

std::string testObject(const std::string &name) {
  return std::string(BFC_BINARY_DIR) + "/test/e2e/objects/" + name + ".bpf.o";
}

std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string errorOf(std::vector<uint8_t> bytes) {
  try {
    ObjectFile::fromMemory(std::move(bytes), "x.o");
  } catch (const ObjectError &e) {
    return e.what();
  }
  return "<no error>";
}

} // namespace

TEST(ObjectFile, ReadsMetadataSetsAndHostSlots) {
  ObjectFile object = ObjectFile::fromFile(testObject("xdp"));
  const Metadata &meta = object.metadata();
  ASSERT_EQ(meta.chains.size(), 1u);
  const ChainInfo &chain = meta.chains[0];
  EXPECT_EQ(chain.name, "xdp_filter");
  EXPECT_EQ(chain.hook, ir::Hook::Xdp);
  ASSERT_EQ(chain.sets.size(), 1u);
  ASSERT_EQ(chain.sets[0].elements.size(), 2u);
  EXPECT_EQ(chain.sets[0].elements[0].key,
            (std::vector<uint8_t>{10, 200, 1, 3}));
  EXPECT_EQ(chain.sets[0].elements[1].key,
            (std::vector<uint8_t>{10, 200, 1, 4}));
  ASSERT_TRUE(object.hostSlotsSymbol());
  EXPECT_EQ(object.hostSlotsSymbol()->section, ".rodata");
  EXPECT_GE(object.hostSlotsSymbol()->size, 4u);
  EXPECT_EQ(object.metadataText().find("\"format\""), 3u);
  EXPECT_EQ(object.bytes(), readBytes(testObject("xdp")));
}

TEST(ObjectFile, SetsOfSeveralChainsGoToTheirChains) {
  ObjectFile object = ObjectFile::fromFile(testObject("two_chains"));
  const Metadata &meta = object.metadata();
  ASSERT_EQ(meta.chains.size(), 2u);
  for (const ChainInfo &chain : meta.chains) {
    ASSERT_EQ(chain.sets.size(), 1u) << chain.name;
    ASSERT_EQ(chain.sets[0].elements.size(), 1u) << chain.name;
    EXPECT_EQ(chain.sets[0].elements[0].key,
              (std::vector<uint8_t>{192, 0, 2, 1}));
  }
  EXPECT_EQ(meta.chains[1].options.ifindex, 1u);
}

TEST(ObjectFile, RefusesNewerFormat) {
  try {
    ObjectFile::fromFile(testObject("newer_version"));
    FAIL() << "accepted a newer format";
  } catch (const ObjectError &e) {
    EXPECT_NE(std::string(e.what()).find("newer_version.bpf.o: object format "
                                         "version 99 is newer"),
              std::string::npos)
        << e.what();
  }
}

TEST(ObjectFile, RefusesMissingAndForeignFiles) {
  try {
    ObjectFile::fromFile("/nonexistent/x.bpf.o");
    FAIL();
  } catch (const ObjectError &e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
  EXPECT_NE(errorOf({}).find("not an ELF file"), std::string::npos);
  EXPECT_NE(errorOf({'c', 'h', 'a', 'i', 'n'}).find("not an ELF file"),
            std::string::npos);
  // The test binary itself: an ELF, but not for BPF.
  EXPECT_NE(errorOf(readBytes("/proc/self/exe")).find("not a BPF object"),
            std::string::npos);
}

TEST(ObjectFile, EveryTruncationIsAnError) {
  std::vector<uint8_t> bytes = readBytes(testObject("xdp"));
  ASSERT_GT(bytes.size(), 1000u);
  for (size_t length = 0; length < bytes.size(); length += 7) {
    std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + length);
    std::string error = errorOf(truncated);
    EXPECT_NE(error, "<no error>") << "accepted " << length << " bytes";
  }
}

TEST(ObjectFile, CorruptBytesNeverCrash) {
  std::vector<uint8_t> bytes = readBytes(testObject("xdp"));
  std::mt19937 random(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> corrupt = bytes;
    for (int i = 0; i < 8; ++i)
      corrupt[random() % corrupt.size()] = uint8_t(random());
    try {
      ObjectFile::fromMemory(corrupt, "corrupt.o");
    } catch (const ObjectError &) {
      // Refused: fine. Accepted: the damage missed what we read.
    }
  }
}

// Found by fuzz-object under UBSan: a NOBITS section's offset, which the
// file need not hold, must not be added to the buffer's address (the
// sanitized build, .ci/run's second stage, aborts on the overflow). And a
// metadata section with no bytes is refused, not read as empty.
TEST(ObjectFile, NobitsSectionsFarPastTheEndAreNeverAddressed) {
  std::vector<uint8_t> bytes = readBytes(testObject("xdp"));
  ASSERT_GT(bytes.size(), 64u);
  auto field = [&](size_t at, size_t size) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i)
      value |= uint64_t(bytes.at(at + i)) << (8 * i);
    return value;
  };
  uint64_t shoff = field(0x28, 8), shentsize = field(0x3a, 2),
           shnum = field(0x3c, 2);
  ASSERT_GT(shnum, 1u);
  constexpr uint32_t kNobits = 8; // SHT_NOBITS
  size_t refused = 0;
  // Far offsets as clang's check sees them (an unsigned add that wraps)
  // and as GCC's does (a negative one past the address space's start).
  for (uint64_t offset : {~uint64_t(0) << 24, uint64_t(1) << 63})
    for (uint64_t i = 1; i < shnum; ++i) {
      std::vector<uint8_t> changed = bytes;
      size_t header = shoff + i * shentsize;
      for (size_t b = 0; b < 4; ++b)
        changed.at(header + 4 + b) = uint8_t(kNobits >> (8 * b));
      for (size_t b = 0; b < 8; ++b)
        changed.at(header + 24 + b) = uint8_t(offset >> (8 * b));
      refused += errorOf(changed) != "<no error>";
    }
  EXPECT_GE(refused, 1u) << "a NOBITS metadata section was accepted";
}

TEST(ObjectFile, SetsSectionRoundTripsAndIsChecked) {
  ObjectFile object = ObjectFile::fromFile(testObject("two_chains"));
  Metadata meta = object.metadata();
  std::vector<uint8_t> section = encodeSetsSection(meta);
  EXPECT_EQ(section.size(), 2u * (8 + 4));

  Metadata empty = meta;
  for (ChainInfo &chain : empty.chains)
    chain.sets[0].elements.clear();
  decodeSetsSection(section, empty);
  EXPECT_EQ(empty.chains[1].sets[0].elements, meta.chains[1].sets[0].elements);

  auto errorOf = [&](std::vector<uint8_t> data) -> std::string {
    Metadata target = empty;
    for (ChainInfo &chain : target.chains)
      chain.sets[0].elements.clear();
    try {
      decodeSetsSection(data, target);
    } catch (const ObjectError &e) {
      return e.what();
    }
    return "<no error>";
  };
  std::vector<uint8_t> truncated(section.begin(), section.end() - 1);
  EXPECT_NE(errorOf(truncated).find("record 1 is truncated"),
            std::string::npos);
  std::vector<uint8_t> badIndex = section;
  badIndex[0] = 9;
  EXPECT_NE(errorOf(badIndex).find("names set 9, the object has 2 sets"),
            std::string::npos);
  std::vector<uint8_t> many;
  for (int i = 0; i < 17; ++i)
    many.insert(many.end(), section.begin(), section.begin() + 12);
  EXPECT_NE(errorOf(many).find("more elements than its max_entries (16)"),
            std::string::npos);

  // LPM: the prefix length is kept and bounded.
  Metadata lpm = empty;
  for (ChainInfo &chain : lpm.chains)
    chain.sets[0].elements.clear();
  lpm.chains[0].sets[0].lpm = true;
  std::vector<uint8_t> record = {0, 0, 0, 0, 24, 0, 0, 0, 10, 1, 2, 0};
  decodeSetsSection(record, lpm);
  EXPECT_EQ(lpm.chains[0].sets[0].elements[0].prefixLen, 24u);
  record[4] = 33;
  lpm.chains[0].sets[0].elements.clear();
  EXPECT_THROW(decodeSetsSection(record, lpm), ObjectError);
}
