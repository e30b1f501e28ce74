// Set elements as text: each field's syntax, LPM prefixes, component
// counts, and printing back what parsing reads.
#include <gtest/gtest.h>

#include "bfc/Object/SetElements.h"

using namespace bfc;
using namespace bfc::object;
using ir::FieldId;

namespace {

SetInfo makeSet(std::vector<FieldId> key, bool lpm = false) {
  SetInfo set;
  set.name = "s";
  set.key = std::move(key);
  set.lpm = lpm;
  for (FieldId f : set.key)
    set.keySize += ir::fieldInfo(f).width;
  set.maxEntries = 16;
  return set;
}

using Bytes = std::vector<uint8_t>;

std::string errorOf(FieldId field, std::string_view text) {
  try {
    parseFieldValue(field, text);
  } catch (const ObjectError &e) {
    return e.what();
  }
  return "<no error>";
}

} // namespace

TEST(SetElements, ParsesEachFieldKind) {
  EXPECT_EQ(parseFieldValue(FieldId::Ip4Saddr, "192.0.2.1"),
            (Bytes{192, 0, 2, 1}));
  Bytes v6 = parseFieldValue(FieldId::Ip6Daddr, "2001:db8::1");
  ASSERT_EQ(v6.size(), 16u);
  EXPECT_EQ(v6[0], 0x20);
  EXPECT_EQ(v6[1], 0x01);
  EXPECT_EQ(v6[15], 1);
  EXPECT_EQ(parseFieldValue(FieldId::TcpDport, "443"), (Bytes{1, 187}));
  EXPECT_EQ(parseFieldValue(FieldId::UdpSport, "0x35"), (Bytes{0, 53}));
  EXPECT_EQ(parseFieldValue(FieldId::Ip4Proto, "tcp"), (Bytes{6}));
  EXPECT_EQ(parseFieldValue(FieldId::Ip4Proto, "UDP"), (Bytes{17}));
  EXPECT_EQ(parseFieldValue(FieldId::Ip4Proto, "47"), (Bytes{47}));
  EXPECT_EQ(parseFieldValue(FieldId::Ip6Nexthdr, "frag"), (Bytes{44}));
  EXPECT_EQ(parseFieldValue(FieldId::MetaL3Proto, "ipv6"), (Bytes{0x86, 0xdd}));
  EXPECT_EQ(parseFieldValue(FieldId::Ip4Dscp, "ef"), (Bytes{46}));
  EXPECT_EQ(parseFieldValue(FieldId::Ip6Dscp, "af11"), (Bytes{10}));
  EXPECT_EQ(parseFieldValue(FieldId::IcmpType, "echo-request"), (Bytes{8}));
  EXPECT_EQ(parseFieldValue(FieldId::Icmpv6Type, "echo-request"), (Bytes{128}));
  EXPECT_EQ(parseFieldValue(FieldId::IcmpCode, "3"), (Bytes{3}));
  EXPECT_EQ(parseFieldValue(FieldId::TcpFlags, "syn|ack"), (Bytes{0x12}));
  EXPECT_EQ(parseFieldValue(FieldId::MetaMark, "0xdeadbeef"),
            (Bytes{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(parseFieldValue(FieldId::MetaIfindex, " 7 "), (Bytes{0, 0, 0, 7}));
}

TEST(SetElements, RefusesBadValues) {
  EXPECT_NE(
      errorOf(FieldId::Ip4Saddr, "1.2.3")
          .find("invalid ip4.saddr value '1.2.3': expected an IPv4 address"),
      std::string::npos);
  EXPECT_NE(errorOf(FieldId::Ip6Saddr, "2001:::1").find("IPv6"),
            std::string::npos);
  EXPECT_NE(errorOf(FieldId::TcpDport, "65536").find("a port number 0-65535"),
            std::string::npos);
  EXPECT_NE(errorOf(FieldId::TcpDport, "-1").find("port"), std::string::npos);
  EXPECT_NE(errorOf(FieldId::Ip4Proto, "tcpp").find("protocol name"),
            std::string::npos);
  EXPECT_NE(errorOf(FieldId::Ip4Dscp, "64").find("DSCP"), std::string::npos);
  EXPECT_NE(errorOf(FieldId::IcmpCode, "256").find("a number 0-255"),
            std::string::npos);
  EXPECT_NE(errorOf(FieldId::MetaMark, "").find("meta.mark"),
            std::string::npos);
  EXPECT_NE(errorOf(FieldId::TcpFlags, "syn|nope").find("TCP flags"),
            std::string::npos);
}

TEST(SetElements, ParsesCompositeElements) {
  SetInfo set = makeSet({FieldId::Ip4Saddr, FieldId::Ip4Proto});
  SetElement e = parseSetElement(set, "192.168.1.1, tcp");
  EXPECT_EQ(e.key, (Bytes{192, 168, 1, 1, 6}));
  EXPECT_EQ(e.prefixLen, 0u);
  EXPECT_EQ(formatSetElement(set, e), "192.168.1.1, tcp");
  EXPECT_EQ(formatSetKey(set), "(ip4.saddr, ip4.proto)");
  try {
    parseSetElement(set, "192.168.1.1");
    FAIL();
  } catch (const ObjectError &error) {
    EXPECT_NE(std::string(error.what())
                  .find("element '192.168.1.1' has 1 component, set 's' "
                        "(ip4.saddr, ip4.proto) has 2"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(parseSetElement(set, "1.1.1.1, tcp, 3"), ObjectError);
}

TEST(SetElements, LpmElementsCarryAMaskedPrefix) {
  SetInfo set = makeSet({FieldId::Ip4Daddr}, true);
  SetElement e = parseSetElement(set, "10.1.2.3/8");
  EXPECT_EQ(e.prefixLen, 8u);
  EXPECT_EQ(e.key, (Bytes{10, 0, 0, 0})); // host bits cleared
  EXPECT_EQ(formatSetElement(set, e), "10.0.0.0/8");
  EXPECT_EQ(parseSetElement(set, "10.1.2.3").prefixLen, 32u);
  EXPECT_EQ(parseSetElement(set, "10.1.2.3/0").key, (Bytes{0, 0, 0, 0}));
  EXPECT_THROW(parseSetElement(set, "10.0.0.0/33"), ObjectError);
  EXPECT_THROW(parseSetElement(set, "10.0.0.0/x"), ObjectError);
  EXPECT_EQ(formatSetKey(set), "(ip4.dnet)");

  SetInfo v6 = makeSet({FieldId::Ip6Saddr}, true);
  SetElement n = parseSetElement(v6, "2001:db8:ffff::1/33");
  EXPECT_EQ(n.prefixLen, 33u);
  EXPECT_EQ(formatSetElement(v6, n), "2001:db8:8000::/33");
  EXPECT_EQ(formatSetKey(v6), "(ip6.snet)");
}

TEST(SetElements, FormatsNamesWhenTheyExist) {
  uint8_t proto = 250;
  EXPECT_EQ(formatFieldValue(FieldId::Ip4Proto, &proto), "250");
  proto = 58;
  EXPECT_EQ(formatFieldValue(FieldId::MetaL4Proto, &proto), "icmpv6");
  uint8_t port[2] = {0x1f, 0x90};
  EXPECT_EQ(formatFieldValue(FieldId::TcpSport, port), "8080");
  uint8_t type[2] = {0x08, 0x00};
  EXPECT_EQ(formatFieldValue(FieldId::MetaL3Proto, type), "ipv4");
  uint8_t flags = 0x02;
  EXPECT_EQ(formatFieldValue(FieldId::TcpFlags, &flags), "syn");
  // Every field round-trips through its own text.
  for (unsigned i = 0; i < ir::kNumFields; ++i) {
    auto field = static_cast<FieldId>(i);
    std::vector<uint8_t> value(ir::fieldInfo(field).width, 0);
    value.back() = 1;
    std::string text = formatFieldValue(field, value.data());
    EXPECT_EQ(parseFieldValue(field, text), value)
        << ir::fieldInfo(field).name << " printed as '" << text << "'";
  }
}
