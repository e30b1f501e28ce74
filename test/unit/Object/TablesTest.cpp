// Classifier tables in the object format: the metadata's `tables` and the
// `.bfc.tables` records round-trip, and every inconsistency is an
// ObjectError.
#include <gtest/gtest.h>

#include "bfc/Object/Metadata.h"
#include "bfc/Object/ObjectFile.h"

using namespace bfc;
using namespace bfc::object;

namespace {

Metadata sampleWithTables() {
  Metadata meta;
  meta.version = 1;
  meta.bfcVersion = "test";
  ChainInfo chain;
  chain.name = "c";
  chain.program = "c";
  chain.section = "xdp";
  chain.counters = {"c_counters", 5, 3, 4};
  for (uint32_t i = 0; i < 3; ++i) {
    RuleInfo rule;
    rule.index = i;
    rule.text = "rule";
    chain.rules.push_back(rule);
  }
  TableInfo exact;
  exact.index = 0;
  exact.map = "c_table0";
  exact.fields = {{ir::FieldId::Ip4Saddr, 32}, {ir::FieldId::TcpDport, 16}};
  exact.keySize = 6;
  exact.maxEntries = 16;
  exact.entries = {{{10, 0, 0, 1, 0, 22}, 0, 2}, {{10, 0, 0, 2, 0, 80}, 0, 0}};
  TableInfo lpm;
  lpm.index = 1;
  lpm.map = "c_table1";
  lpm.fields = {{ir::FieldId::Ip4Daddr, 32}};
  lpm.lpm = true;
  lpm.keySize = 4;
  lpm.maxEntries = 16;
  lpm.entries = {{{10, 1, 0, 0}, 16, 1}};
  chain.tables = {exact, lpm};
  meta.chains.push_back(chain);
  return meta;
}

std::string decodeError(const std::vector<uint8_t> &section, Metadata meta) {
  for (ChainInfo &chain : meta.chains)
    for (TableInfo &table : chain.tables)
      table.entries.clear();
  try {
    decodeTablesSection(section, meta);
  } catch (const ObjectError &e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Tables, MetadataRoundTrips) {
  Metadata meta = sampleWithTables();
  std::string text = serializeMetadata(meta);
  Metadata again = parseMetadata(text);
  ASSERT_EQ(again.chains[0].tables.size(), 2u);
  const TableInfo &exact = again.chains[0].tables[0];
  EXPECT_EQ(exact.map, "c_table0");
  EXPECT_EQ(exact.fields, meta.chains[0].tables[0].fields);
  EXPECT_FALSE(exact.lpm);
  EXPECT_EQ(exact.keySize, 6u);
  EXPECT_EQ(exact.maxEntries, 16u);
  EXPECT_TRUE(again.chains[0].tables[1].lpm);
  EXPECT_EQ(again.chains[0].tables[1].mapKeySize(), 8u);
  EXPECT_EQ(serializeMetadata(again), text);
}

TEST(Tables, ChainsWithoutTablesKeepTheirDocument) {
  Metadata meta = sampleWithTables();
  meta.chains[0].tables.clear();
  EXPECT_EQ(serializeMetadata(meta).find("tables"), std::string::npos);
}

TEST(Tables, MetadataIsChecked) {
  Metadata meta = sampleWithTables();
  auto errorOf = [](const Metadata &m) -> std::string {
    try {
      parseMetadata(serializeMetadata(m));
    } catch (const ObjectError &e) {
      return e.what();
    }
    return "<no error>";
  };
  Metadata badSize = meta;
  badSize.chains[0].tables[0].keySize = 5;
  EXPECT_NE(errorOf(badSize).find("tables[0].key_size"), std::string::npos);
  Metadata metaField = meta;
  metaField.chains[0].tables[0].fields[0].field = ir::FieldId::MetaMark;
  EXPECT_NE(errorOf(metaField).find("is not a header field"),
            std::string::npos);
  Metadata tooManyBits = meta;
  tooManyBits.chains[0].tables[0].fields[1].bits = 17;
  EXPECT_NE(errorOf(tooManyBits).find("more bits than 'tcp.dport' has"),
            std::string::npos);
  Metadata lpmTwoFields = meta;
  lpmTwoFields.chains[0].tables[0].lpm = true;
  EXPECT_NE(errorOf(lpmTwoFields).find("exactly one field"), std::string::npos);
}

TEST(Tables, SectionRoundTripsAndIsChecked) {
  Metadata meta = sampleWithTables();
  std::vector<uint8_t> section = encodeTablesSection(meta);
  EXPECT_EQ(section.size(), 2u * (12 + 6) + (12 + 4));
  Metadata decoded = meta;
  for (TableInfo &table : decoded.chains[0].tables)
    table.entries.clear();
  decodeTablesSection(section, decoded);
  for (size_t t = 0; t < 2; ++t)
    EXPECT_EQ(decoded.chains[0].tables[t].entries,
              meta.chains[0].tables[t].entries);

  EXPECT_EQ(decodeError(section, meta), "<no error>");
  std::vector<uint8_t> truncated(section.begin(), section.end() - 1);
  EXPECT_NE(decodeError(truncated, meta).find("record 2: truncated"),
            std::string::npos);
  std::vector<uint8_t> badTable = section;
  badTable[0] = 7;
  EXPECT_NE(decodeError(badTable, meta)
                .find("record 0: names table 7, the object has 2 tables"),
            std::string::npos);
  std::vector<uint8_t> badRule = section;
  badRule[8] = 3;
  EXPECT_NE(decodeError(badRule, meta).find("rule 3 of a chain of 3 rules"),
            std::string::npos);
  std::vector<uint8_t> badPrefix = section;
  badPrefix[2 * 18 + 4] = 33;
  EXPECT_NE(decodeError(badPrefix, meta).find("prefix length 33"),
            std::string::npos);
  std::vector<uint8_t> many;
  for (int i = 0; i < 17; ++i)
    many.insert(many.end(), section.begin(), section.begin() + 18);
  EXPECT_NE(decodeError(many, meta).find("more entries than its max_entries"),
            std::string::npos);
}

} // namespace
