// Batched map fills against the kernel: every set element and table entry
// lands in its map (hash and LPM trie), and errors are LoadErrors.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include "LoadTestSupport.h"
#include "bfc/Load/Fd.h"
#include "bfc/Load/MapFill.h"

using namespace bfc;
using namespace bfc::load;

namespace {

constexpr uint32_t kEntries = 40000; // more than two batch chunks

Fd createMap(bpf_map_type type, uint32_t keySize, uint32_t valueSize,
             uint32_t maxEntries) {
  LIBBPF_OPTS(bpf_map_create_opts, opts);
  if (type == BPF_MAP_TYPE_LPM_TRIE)
    opts.map_flags = BPF_F_NO_PREALLOC;
  int fd = bpf_map_create(type, "bfc_fill_test", keySize, valueSize, maxEntries,
                          &opts);
  EXPECT_GE(fd, 0);
  return Fd(fd);
}

object::TableInfo sampleTable(bool lpm) {
  object::TableInfo table;
  table.fields = {{ir::FieldId::Ip4Saddr, 32}};
  table.lpm = lpm;
  table.keySize = 4;
  table.maxEntries = kEntries;
  for (uint32_t i = 0; i < kEntries; ++i) {
    object::TableEntryInfo entry;
    entry.key = ir::toBigEndian(0x0a000000u + (i << 8), 4);
    entry.prefixLen = lpm ? 24 : 0;
    entry.rule = i * 3;
    table.entries.push_back(entry);
  }
  return table;
}

#define REQUIRE_ROOT()                                                         \
  if (geteuid() != 0)                                                          \
  GTEST_SKIP() << "needs root (bpf())"

TEST(MapFill, TablesLandInHashAndLpmMaps) {
  REQUIRE_ROOT();
  for (bool lpm : {false, true}) {
    SCOPED_TRACE(lpm ? "lpm" : "hash");
    object::TableInfo table = sampleTable(lpm);
    Fd map = createMap(lpm ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH,
                       table.mapKeySize(), 4, kEntries);
    PackedEntries entries = tableMapEntries(table);
    EXPECT_EQ(entries.count, kEntries);
    EXPECT_EQ(entries.keys.size(), size_t(kEntries) * table.mapKeySize());
    updateEntries(map.get(), entries);
    for (uint32_t i : {0u, 1u, 16383u, 16384u, kEntries - 1}) {
      // An address inside entry i's network (LPM) or the entry's key.
      std::vector<uint8_t> key;
      if (lpm)
        key = {32, 0, 0, 0};
      std::vector<uint8_t> addr = ir::toBigEndian(0x0a000000u + (i << 8), 4);
      if (lpm)
        addr[3] = 77;
      key.insert(key.end(), addr.begin(), addr.end());
      uint32_t rule = UINT32_MAX;
      ASSERT_EQ(bpf_map_lookup_elem(map.get(), key.data(), &rule), 0) << i;
      EXPECT_EQ(rule, i * 3);
    }
  }
}

TEST(MapFill, SetElementsGetValueOne) {
  REQUIRE_ROOT();
  object::SetInfo set;
  set.key = {ir::FieldId::TcpDport};
  set.keySize = 2;
  for (uint32_t port = 1; port <= 1000; ++port)
    set.elements.push_back({ir::toBigEndian(port, 2), 0});
  Fd map = createMap(BPF_MAP_TYPE_HASH, 2, 1, 1000);
  updateEntries(map.get(), setMapEntries(set, 1));
  uint8_t key[2] = {0x03, 0xe8}, value = 0; // port 1000
  ASSERT_EQ(bpf_map_lookup_elem(map.get(), key, &value), 0);
  EXPECT_EQ(value, 1);
}

TEST(MapFill, AFullMapIsALoadError) {
  REQUIRE_ROOT();
  object::TableInfo table = sampleTable(false);
  Fd map = createMap(BPF_MAP_TYPE_HASH, 4, 4, 100);
  EXPECT_NE(test::errorOf([&] {
              updateEntries(map.get(), tableMapEntries(table));
            }).find("cannot update map elements"),
            std::string::npos);
}

} // namespace
