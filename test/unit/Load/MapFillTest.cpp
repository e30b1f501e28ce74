// Batched map fills against the kernel: every set element and table entry
// lands in its map (hash and LPM trie), and errors are LoadErrors. Tables
// mirroring named sets hold the sets' elements, and follow them when an
// element comes or goes.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include "LoadTestSupport.h"
#include "bfc/Load/Bpf.h"
#include "bfc/Load/Fd.h"
#include "bfc/Load/MapFill.h"
#include "bfc/runtime/ObjectFormat.h"

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

TEST(MapFill, TablesLandInHashAndLpmMaps) {
  BFC_REQUIRE_ROOT();
  for (bool lpm : {false, true}) {
    SCOPED_TRACE(lpm ? "lpm" : "hash");
    object::TableInfo table = sampleTable(lpm);
    Fd map = createMap(lpm ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH,
                       table.mapKeySize(), 4, kEntries);
    PackedEntries entries = tableMapEntries(table, object::ChainInfo{});
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
  BFC_REQUIRE_ROOT();
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
  BFC_REQUIRE_ROOT();
  object::TableInfo table = sampleTable(false);
  Fd map = createMap(BPF_MAP_TYPE_HASH, 4, 4, 100);
  EXPECT_NE(test::errorOf([&] {
              updateEntries(map.get(),
                            tableMapEntries(table, object::ChainInfo{}));
            }).find("cannot update map elements"),
            std::string::npos);
}

/// Rules 0 and 1 are `(ip4.saddr) in low` and `... in high`; the table's
/// own entries are rules 5 (10.0.0.1) and 6 (10.0.0.9).
object::ChainInfo mirroringChain() {
  object::ChainInfo chain;
  chain.rules.resize(8);
  for (const char *name : {"low", "high"}) {
    object::SetInfo set;
    set.name = name;
    set.map = std::string("set_") + name;
    set.key = {ir::FieldId::Ip4Saddr};
    set.keySize = 4;
    set.maxEntries = 16;
    chain.sets.push_back(set);
  }
  chain.sets[0].elements = {{{10, 0, 0, 1}, 0}, {{10, 0, 0, 2}, 0}};
  chain.sets[1].elements = {{{10, 0, 0, 2}, 0}, {{10, 0, 0, 3}, 0}};
  object::TableInfo table;
  table.map = "table0";
  table.fields = {{ir::FieldId::Ip4Saddr, 32}};
  table.keySize = 4;
  table.maxEntries = 34;
  table.entries = {{{10, 0, 0, 1}, 0, 5}, {{10, 0, 0, 9}, 0, 6}};
  table.mirrors = {{"low", 0}, {"high", 1}};
  chain.tables.push_back(table);
  return chain;
}

/// Key (as "a.b.c.d") -> (rule, base) of a packed or mapped table.
using TableValues = std::map<std::string, std::pair<uint32_t, uint32_t>>;

std::string dotted(const uint8_t *key) {
  return std::to_string(key[0]) + "." + std::to_string(key[1]) + "." +
         std::to_string(key[2]) + "." + std::to_string(key[3]);
}

constexpr uint32_t kNone = BFC_TABLE_NO_RULE;

TEST(MapFill, MirroredSetsGiveTheirLowestRuleOverTheTable) {
  object::ChainInfo chain = mirroringChain();
  PackedEntries entries = tableMapEntries(chain.tables[0], chain);
  ASSERT_EQ(entries.valueSize, sizeof(bfc_table_value));
  TableValues values;
  for (uint32_t i = 0; i < entries.count; ++i) {
    bfc_table_value v;
    std::memcpy(&v, entries.values.data() + i * sizeof(v), sizeof(v));
    values[dotted(entries.keys.data() + i * 4)] = {v.rule, v.base};
  }
  EXPECT_EQ(values, (TableValues{{"10.0.0.1", {0, 5}},
                                 {"10.0.0.2", {0, kNone}},
                                 {"10.0.0.3", {1, kNone}},
                                 {"10.0.0.9", {6, 6}}}));
}

class MirrorSync : public test::Bpffs {};

TEST_F(MirrorSync, ATableFollowsItsSetsElementByElement) {
  if (dir_.empty())
    return;
  object::ChainInfo chain = mirroringChain();
  std::map<std::string, Fd> maps;
  for (const object::SetInfo &set : chain.sets) {
    maps.emplace(set.map, createMap(BPF_MAP_TYPE_HASH, 4, 1, 16));
    updateEntries(maps.at(set.map).get(), setMapEntries(set, 1));
  }
  const object::TableInfo &table = chain.tables[0];
  maps.emplace(table.map, createMap(BPF_MAP_TYPE_HASH, 4, 8, 34));
  updateEntries(maps.at(table.map).get(), tableMapEntries(table, chain));
  for (const auto &[name, fd] : maps)
    bpf::pin(fd.get(), dir_ + "/" + name);
  auto tableNow = [&] {
    TableValues values;
    for (const auto &key :
         bpf::mapKeys(maps.at(table.map).get(), table.mapKeySize())) {
      bfc_table_value v;
      EXPECT_TRUE(bpf::lookupElem(maps.at(table.map).get(), key.data(), &v));
      values[dotted(key.data())] = {v.rule, v.base};
    }
    return values;
  };
  auto edit = [&](const char *set, bool add, std::vector<uint8_t> element) {
    const object::SetInfo &info = *chain.findSet(set);
    uint8_t one = 1;
    if (add)
      bpf::updateElem(maps.at(info.map).get(), element.data(), &one);
    else
      bpf::deleteElem(maps.at(info.map).get(), element.data());
    syncMirroredKeys(dir_, chain, info, {{element, 0}});
  };
  // Out of 'low': the table's own rule 5 again; out of 'high' too: gone.
  edit("low", false, {10, 0, 0, 1});
  edit("high", false, {10, 0, 0, 3});
  // Out of 'low' but still in 'high': rule 1.
  edit("low", false, {10, 0, 0, 2});
  // Into 'high' over the table's own entry: rule 1, which goes back to 6.
  edit("high", true, {10, 0, 0, 9});
  EXPECT_EQ(tableNow(), (TableValues{{"10.0.0.1", {5, 5}},
                                     {"10.0.0.2", {1, kNone}},
                                     {"10.0.0.9", {1, 6}}}));
  edit("high", false, {10, 0, 0, 9});
  edit("low", true, {10, 0, 0, 7});
  EXPECT_EQ(tableNow(), (TableValues{{"10.0.0.1", {5, 5}},
                                     {"10.0.0.2", {1, kNone}},
                                     {"10.0.0.7", {0, kNone}},
                                     {"10.0.0.9", {6, 6}}}));
}

TEST_F(MirrorSync, RefusesATableMapOfAnotherValueSize) {
  if (dir_.empty())
    return;
  object::ChainInfo chain = mirroringChain();
  for (const object::SetInfo &set : chain.sets) {
    Fd fd = createMap(BPF_MAP_TYPE_HASH, 4, 1, 16);
    bpf::pin(fd.get(), dir_ + "/" + set.map);
  }
  // A planted table whose values are larger than struct bfc_table_value.
  Fd table = createMap(BPF_MAP_TYPE_HASH, 4, 64, 34);
  bpf::pin(table.get(), dir_ + "/table0");
  EXPECT_NE(
      test::errorOf([&] {
        syncMirroredKeys(dir_, chain, chain.sets[0], {{{10, 0, 0, 1}, 0}});
      }).find("8-byte values"),
      std::string::npos);
}

} // namespace
