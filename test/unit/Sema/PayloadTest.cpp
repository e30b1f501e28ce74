// Payload parsers: every class of valid and invalid input, with the
// boundaries, checked against what bpfilter's bfcli accepts.

#include "bfc/Sema/Payload.h"

#include <gtest/gtest.h>

namespace bfc::sema {
namespace {

template <typename T> T ok(const Expected<T> &e) {
  EXPECT_TRUE(e) << "unexpected error: " << e.error().message;
  return e ? *e : T{};
}

template <typename T> std::string err(const Expected<T> &e) {
  EXPECT_FALSE(e) << "expected an error";
  return e ? std::string() : e.error().message;
}

// --------------------------------------------------------------- ports ----

TEST(SemaPayloadPort, AcceptsDecimalBounds) {
  EXPECT_EQ(ok(parsePort("0")), 0);
  EXPECT_EQ(ok(parsePort("40")), 40);
  EXPECT_EQ(ok(parsePort("65535")), 65535);
  EXPECT_EQ(ok(parsePort("00080")), 80); // strtoul: leading zeros are decimal
}

TEST(SemaPayloadPort, RejectsOutOfRange) {
  EXPECT_EQ(err(parsePort("65536")),
            "invalid port '65536': must be in 0..65535");
  EXPECT_EQ(err(parsePort("75000")),
            "invalid port '75000': must be in 0..65535");
  EXPECT_EQ(err(parsePort("-40")), "invalid port '-40': must be in 0..65535");
}

TEST(SemaPayloadPort, RejectsHexAndWords) {
  EXPECT_EQ(err(parsePort("0x40")),
            "invalid port '0x40': ports are decimal, hexadecimal is not "
            "accepted");
  EXPECT_EQ(err(parsePort("-0x00")),
            "invalid port '-0x00': ports are decimal, hexadecimal is not "
            "accepted");
  EXPECT_EQ(err(parsePort("0xffffff")),
            "invalid port '0xffffff': ports are decimal, hexadecimal is not "
            "accepted");
  EXPECT_EQ(err(parsePort("not_a_port")),
            "invalid port 'not_a_port': expected a decimal number in 0..65535");
  EXPECT_EQ(err(parsePort("80-90")),
            "invalid port '80-90': a port range needs the 'range' operator");
  EXPECT_FALSE(parsePort(""));
}

TEST(SemaPayloadPort, ShapeOnlyAppliesToMatchers) {
  // strtoul takes a '+' sign; bpfilter's lexer does not, but set elements
  // never go through the lexer.
  EXPECT_FALSE(parsePort("+80"));
  EXPECT_EQ(ok(parsePort("+80", PayloadContext::SetElement)), 80);
  EXPECT_FALSE(parsePort("0x50", PayloadContext::SetElement));
}

TEST(SemaPayloadPortRange, AcceptsInclusiveRanges) {
  PortRange r = ok(parsePortRange("0-0"));
  EXPECT_EQ(r.low, 0);
  EXPECT_EQ(r.high, 0);
  r = ok(parsePortRange("0-65535"));
  EXPECT_EQ(r.high, 65535);
  r = ok(parsePortRange("17-30"));
  EXPECT_EQ(r.low, 17);
  EXPECT_EQ(r.high, 30);
}

TEST(SemaPayloadPortRange, RejectsMalformed) {
  for (const char *text : {"0", "10-20-30", "-1-4", "-1--4", "not-port",
                           "notport", "0x20", "10-", ""})
    EXPECT_FALSE(parsePortRange(text)) << text;
  EXPECT_EQ(err(parsePortRange("20-10")),
            "invalid port range '20-10': start 20 is greater than end 10");
  Expected<PortRange> bad = parsePortRange("10-75000");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "invalid port range '10-75000': end '75000' "
                                 "is not a decimal port in 0..65535");
  EXPECT_EQ(bad.error().offset, 3u);
  EXPECT_EQ(bad.error().length, 5u);
  EXPECT_FALSE(parsePortRange("0x20-0x30"));
  EXPECT_FALSE(parsePortRange("10000000-1000000"));
}

// ----------------------------------------------------------- flow hash ----

TEST(SemaPayloadFlowHash, AcceptsDecimalAndHex) {
  EXPECT_EQ(ok(parseFlowHash("0")), 0u);
  EXPECT_EQ(ok(parseFlowHash("4294967295")), 4294967295u);
  EXPECT_EQ(ok(parseFlowHash("0x0")), 0u);
  EXPECT_EQ(ok(parseFlowHash("0xffffffff")), 0xffffffffu);
  EXPECT_EQ(ok(parseFlowHash("0xeff")), 0xeffu);
  // bpfilter falls back to base 16 without a prefix.
  EXPECT_EQ(ok(parseFlowHash("ff")), 0xffu);
}

TEST(SemaPayloadFlowHash, RejectsInvalid) {
  for (const char *text :
       {"-1", "0xfffffffff", "1qw", "qw", "0x", "4294967296"})
    EXPECT_FALSE(parseFlowHash(text)) << text;
  EXPECT_EQ(err(parseFlowHash("4294967296")),
            "invalid flow hash '4294967296': must be in 0..0xffffffff");
}

TEST(SemaPayloadFlowHash, Ranges) {
  U32Range r = ok(parseFlowHashRange("0x01-0xfffffffe"));
  EXPECT_EQ(r.low, 1u);
  EXPECT_EQ(r.high, 0xfffffffeu);
  r = ok(parseFlowHashRange("4294967295-4294967295"));
  EXPECT_EQ(r.low, 4294967295u);
  for (const char *text : {"1-0x00", "0x01-0x00", "0x-0x", "0", "x-1"})
    EXPECT_FALSE(parseFlowHashRange(text)) << text;
}

// ---------------------------------------------------------------- mark ----

TEST(SemaPayloadMark, StrtollBaseZero) {
  EXPECT_EQ(ok(parseMark("0")), 0u);
  EXPECT_EQ(ok(parseMark("15")), 15u);
  EXPECT_EQ(ok(parseMark("0x14")), 0x14u);
  EXPECT_EQ(ok(parseMark("0xffffffff")), 0xffffffffu);
  EXPECT_EQ(ok(parseMark("010")), 8u); // octal, as strtoll base 0
}

TEST(SemaPayloadMark, RejectsInvalid) {
  EXPECT_EQ(err(parseMark("-1")), "invalid mark '-1': must not be negative");
  EXPECT_EQ(err(parseMark("0xffffffffff")),
            "invalid mark '0xffffffffff': must be at most 0xffffffff");
  EXPECT_EQ(err(parseMark("4294967296")),
            "invalid mark '4294967296': must be at most 0xffffffff");
  EXPECT_EQ(err(parseMark("0x14aw")),
            "invalid mark '0x14aw': expected an integer (decimal, 0x "
            "hexadecimal or 0 octal)");
  EXPECT_FALSE(parseMark("qw"));
  EXPECT_FALSE(parseMark("08"));
  EXPECT_FALSE(parseMark("+1"));
  EXPECT_FALSE(parseMark(""));
}

// --------------------------------------------------------- probability ----

TEST(SemaPayloadProbability, AcceptsPercentages) {
  EXPECT_DOUBLE_EQ(ok(parseProbability("0%")), 0.0);
  EXPECT_DOUBLE_EQ(ok(parseProbability("50%")), 50.0);
  EXPECT_DOUBLE_EQ(ok(parseProbability("100%")), 100.0);
  EXPECT_DOUBLE_EQ(ok(parseProbability("33.33%")), 33.33);
  EXPECT_DOUBLE_EQ(ok(parseProbability("0.00%")), 0.0);
  EXPECT_DOUBLE_EQ(ok(parseProbability("100.00%")), 100.0);
}

TEST(SemaPayloadProbability, RejectsInvalid) {
  EXPECT_EQ(err(parseProbability("100.01%")),
            "invalid probability '100.01%': must be in 0%..100%");
  EXPECT_EQ(err(parseProbability("1000%")),
            "invalid probability '1000%': must be in 0%..100%");
  EXPECT_EQ(err(parseProbability("50")),
            "invalid probability '50': expected a percentage such as 50% or "
            "33.33%");
  for (const char *text :
       {"-10%", "teapot", "1e1%", ".5%", "5.%", "0x10%", "50%%", ""})
    EXPECT_FALSE(parseProbability(text)) << text;
}

// ----------------------------------------------------------- protocols ----

TEST(SemaPayloadL3Proto, NamesAndNumbers) {
  EXPECT_EQ(ok(parseL3Proto("ipv4")), 0x0800);
  EXPECT_EQ(ok(parseL3Proto("IPv6")), 0x86dd);
  EXPECT_EQ(ok(parseL3Proto("0")), 0);
  EXPECT_EQ(ok(parseL3Proto("65535")), 0xffff);
  EXPECT_EQ(ok(parseL3Proto("0x0600")), 0x600);
  EXPECT_EQ(ok(parseL3Proto("1024")), 1024);
  EXPECT_FALSE(parseL3Proto("0xffffff"));
  EXPECT_FALSE(parseL3Proto("-154252"));
  EXPECT_FALSE(parseL3Proto("thisiswaytolongforaprotocolname"));
  EXPECT_EQ(err(parseL3Proto("ipv65")),
            "unknown network protocol 'ipv65' (expected ipv4, ipv6 or an "
            "EtherType in 0..0xffff); did you mean 'ipv6'?");
}

TEST(SemaPayloadL4Proto, NamesAndNumbers) {
  EXPECT_EQ(ok(parseL4Proto("icmp")), 1);
  EXPECT_EQ(ok(parseL4Proto("ICMPv6")), 58);
  EXPECT_EQ(ok(parseL4Proto("tcp")), 6);
  EXPECT_EQ(ok(parseL4Proto("gre")), 47);
  EXPECT_EQ(ok(parseL4Proto("HOP")), 0);
  EXPECT_EQ(ok(parseL4Proto("routing")), 43);
  EXPECT_EQ(ok(parseL4Proto("route")), 43);
  EXPECT_EQ(ok(parseL4Proto("frag")), 44);
  EXPECT_EQ(ok(parseL4Proto("ah")), 51);
  EXPECT_EQ(ok(parseL4Proto("dst")), 60);
  EXPECT_EQ(ok(parseL4Proto("mh")), 135);
  EXPECT_EQ(ok(parseL4Proto("255")), 255);
  EXPECT_EQ(ok(parseL4Proto("0x11")), 17);
  EXPECT_EQ(ok(parseL4Proto("-0x00")), 0); // strtoul base 16 takes the sign
}

TEST(SemaPayloadL4Proto, RejectsInvalid) {
  EXPECT_EQ(err(parseL4Proto("256")),
            "invalid protocol '256': must be in 0..255");
  EXPECT_EQ(err(parseL4Proto("-18")),
            "invalid protocol '-18': must be in 0..255");
  EXPECT_EQ(err(parseL4Proto("0x342")),
            "invalid protocol '0x342': must be in 0..255");
  EXPECT_EQ(err(parseL4Proto("imcp")),
            "unknown protocol 'imcp' (expected a protocol name such as tcp, "
            "udp, icmp, icmpv6, gre, or a number in 0..255); did you mean "
            "'icmp'?");
  EXPECT_FALSE(parseL4Proto("ipv4"));
  EXPECT_FALSE(parseL4Proto("0x100"));
  EXPECT_FALSE(parseL4Proto("tcp_"));
}

TEST(SemaPayloadDscp, ClassesAndNumbers) {
  EXPECT_EQ(ok(parseDscp("0")), 0);
  EXPECT_EQ(ok(parseDscp("63")), 63);
  EXPECT_EQ(ok(parseDscp("0x3f")), 63);
  EXPECT_EQ(ok(parseDscp("ef")), 46);
  EXPECT_EQ(ok(parseDscp("AF21")), 18);
  EXPECT_EQ(ok(parseDscp("BE")), 0);
  EXPECT_EQ(ok(parseDscp("cs7")), 56);
  EXPECT_EQ(ok(parseDscp("voice-admit")), 44);
  EXPECT_EQ(err(parseDscp("64")), "invalid DSCP value '64': must be in 0..63");
  for (const char *text :
       {"255", "-1", "invalid", "0x40", "cs8", "AF14", "abc", "-0x01"})
    EXPECT_FALSE(parseDscp(text)) << text;
}

TEST(SemaPayloadIcmp, TypesAndCodes) {
  EXPECT_EQ(ok(parseIcmpType("echo-reply")), 0);
  EXPECT_EQ(ok(parseIcmpType("ECHO-REQUEST")), 8);
  EXPECT_EQ(ok(parseIcmpType("router-advertisement")), 9);
  EXPECT_EQ(ok(parseIcmpType("0x23")), 0x23);
  EXPECT_EQ(ok(parseIcmpType("14")), 14);
  EXPECT_EQ(err(parseIcmpType("echo-repl")),
            "unknown ICMP type 'echo-repl' (expected a type name such as "
            "echo-request, or a number in 0..255); did you mean "
            "'echo-reply'?");
  for (const char *text : {"r", "0xf23", "-14", "45574614"})
    EXPECT_FALSE(parseIcmpType(text)) << text;

  EXPECT_EQ(ok(parseIcmpv6Type("mld-listener-report")), 131);
  EXPECT_EQ(ok(parseIcmpv6Type("echo-request")), 128);
  EXPECT_EQ(ok(parseIcmpv6Type("nd-neighbor-advert")), 136);
  EXPECT_FALSE(parseIcmpv6Type("router-advertisement")); // ICMPv4 name

  for (bool v6 : {false, true}) {
    EXPECT_EQ(ok(parseIcmpCode("0", v6)), 0);
    EXPECT_EQ(ok(parseIcmpCode("255", v6)), 255);
    EXPECT_EQ(ok(parseIcmpCode("0x17", v6)), 0x17);
    for (const char *text :
         {"auf", "-1", "257", "-0x01", "-0xff", "echo-reply"})
      EXPECT_FALSE(parseIcmpCode(text, v6)) << text;
  }
  EXPECT_EQ(err(parseIcmpCode("257", true)),
            "invalid ICMPv6 code '257': must be in 0..255");
}

TEST(SemaPayloadTcpFlags, ListsOfNames) {
  EXPECT_EQ(ok(parseTcpFlags("fin")), 0x01);
  EXPECT_EQ(ok(parseTcpFlags("SYN,ack")), 0x12);
  EXPECT_EQ(ok(parseTcpFlags("fin,syn,rst,psh,ack,urg,ece,cwr")), 0xff);
  EXPECT_EQ(ok(parseTcpFlags("fin,fin,syn")), 0x03);
  EXPECT_EQ(ok(parseTcpFlags("syn,")), 0x02); // bpfilter's lexer allows it

  Expected<uint8_t> bad = parseTcpFlags("fin,invalid");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "unknown TCP flag 'invalid' (expected fin, syn, rst, psh, ack, "
            "urg, ece or cwr)");
  EXPECT_EQ(bad.error().offset, 4u);
  EXPECT_EQ(bad.error().length, 7u);

  Expected<uint8_t> empty = parseTcpFlags("fin,,syn");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message,
            "invalid TCP flags 'fin,,syn': empty flag in the list");
  EXPECT_EQ(empty.error().offset, 3u);
  EXPECT_EQ(err(parseTcpFlags("sin")),
            "unknown TCP flag 'sin' (expected fin, syn, rst, psh, ack, urg, "
            "ece or cwr); did you mean 'fin'?");
  EXPECT_FALSE(parseTcpFlags(",fin"));
  EXPECT_FALSE(parseTcpFlags("fin|syn"));
}

// ----------------------------------------------------------- addresses ----

TEST(SemaPayloadIpv4, Addresses) {
  EXPECT_EQ(ok(parseIpv4Addr("1.1.1.1")), (Ipv4Addr{1, 1, 1, 1}));
  EXPECT_EQ(ok(parseIpv4Addr("255.255.255.255")),
            (Ipv4Addr{255, 255, 255, 255}));
  EXPECT_EQ(ok(parseIpv4Addr("0.0.0.0")), (Ipv4Addr{0, 0, 0, 0}));
  EXPECT_EQ(err(parseIpv4Addr("1.1.1.1/24")),
            "invalid IPv4 address '1.1.1.1/24': a prefix length is not "
            "allowed here (use ip4.snet or ip4.dnet)");
  EXPECT_EQ(err(parseIpv4Addr("1.1.1.256")),
            "invalid IPv4 address '1.1.1.256': '256' is not in 0..255");
  EXPECT_EQ(err(parseIpv4Addr("01.1.1.1")),
            "invalid IPv4 address '01.1.1.1': '01' has a leading zero");
  EXPECT_EQ(err(parseIpv4Addr("1.1.1.1.1")),
            "invalid IPv4 address '1.1.1.1.1': expected four decimal numbers "
            "in 0..255 separated by dots");
  Expected<Ipv4Addr> bad = parseIpv4Addr("-1.1.1.1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().length, 2u);
  for (const char *text : {"notanip", "1.1.1", "1.1.1.", "1..1.1", ""})
    EXPECT_FALSE(parseIpv4Addr(text)) << text;
}

TEST(SemaPayloadIpv4, Networks) {
  Ipv4Net net = ok(parseIpv4Net("10.0.0.0/8"));
  EXPECT_EQ(net.addr, (Ipv4Addr{10, 0, 0, 0}));
  EXPECT_EQ(net.prefixLen, 8);
  EXPECT_EQ(ok(parseIpv4Net("1.1.1.1/0")).prefixLen, 0);
  EXPECT_EQ(ok(parseIpv4Net("255.255.255.255/32")).prefixLen, 32);
  EXPECT_EQ(err(parseIpv4Net("1.1.1.1/75")),
            "invalid IPv4 network '1.1.1.1/75': prefix length '75' is not a "
            "decimal number in 0..32");
  EXPECT_EQ(err(parseIpv4Net("1.1.1.1")),
            "invalid IPv4 network '1.1.1.1': expected ADDRESS/PREFIX with a "
            "prefix length in 0..32, e.g. 10.0.0.0/8");
  for (const char *text :
       {"notanip", "1.1.1.1.1", "1.1.1.1.1/", "1.1.1.1/-10", "1.1.1.1/0x75",
        "-1.1.1.1", "-1.1.1.1/1", "1.1.1.1//24", "1.1.1.1/33"})
    EXPECT_FALSE(parseIpv4Net(text)) << text;
  EXPECT_FALSE(parseIpv4Net("1.1.1.1/+8"));
  EXPECT_EQ(
      ok(parseIpv4Net("1.1.1.1/+8", PayloadContext::SetElement)).prefixLen, 8);
}

TEST(SemaPayloadIpv6, Addresses) {
  Ipv6Addr one{};
  one[15] = 1;
  EXPECT_EQ(ok(parseIpv6Addr("::1")), one);
  EXPECT_EQ(ok(parseIpv6Addr("0:0:0:0:0:0:0:1")), one);
  for (const char *text :
       {"2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8::1",
        "::", "2001:db8:85a3:0:0:8a2e:370::", "fe80::202:b3ff:fe1e:8329",
        "::1:0:0:0:0:0:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "FE80::1"})
    EXPECT_TRUE(parseIpv6Addr(text)) << text;
  for (const char *text : {"notanip", "1.1.1.1", "2001::db8::1",
                           "2001:0db8:85a3:0000:0000:8a2e:0370:7334:1234",
                           "2001:0db8:85g3::8a2e:370:7334", "2001:db8:12345::1",
                           ":2001:db8::1", "2001::db8::", "2001:db8::1:", ""})
    EXPECT_FALSE(parseIpv6Addr(text)) << text;
  EXPECT_EQ(err(parseIpv6Addr("2001:db8::192.168.1.1")),
            "invalid IPv6 address '2001:db8::192.168.1.1': embedded IPv4 "
            "notation is not supported, write the last 32 bits as two "
            "hexadecimal groups");
  EXPECT_EQ(err(parseIpv6Addr("2001::db8::1")),
            "invalid IPv6 address '2001::db8::1': '::' may appear only once");
  Expected<Ipv6Addr> bad = parseIpv6Addr("2001:0db8:85g3::1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "invalid IPv6 address '2001:0db8:85g3::1': "
                                 "'g' is not a hexadecimal digit");
  EXPECT_EQ(bad.error().offset, 12u);
  // Set elements skip bpfilter's lexer, so inet_pton alone decides.
  EXPECT_TRUE(parseIpv6Addr("::ffff:1.2.3.4", PayloadContext::SetElement));
}

TEST(SemaPayloadIpv6, Networks) {
  Ipv6Net net = ok(parseIpv6Net("2001:db8::/32"));
  EXPECT_EQ(net.prefixLen, 32);
  EXPECT_EQ(net.addr[0], 0x20);
  EXPECT_EQ(net.addr[1], 0x01);
  EXPECT_EQ(ok(parseIpv6Net("::/0")).prefixLen, 0);
  EXPECT_EQ(ok(parseIpv6Net("::1/128")).prefixLen, 128);
  EXPECT_EQ(err(parseIpv6Net("2001:db8::/129")),
            "invalid IPv6 network '2001:db8::/129': prefix length '129' is "
            "not a decimal number in 0..128");
  for (const char *text :
       {"notanip", "1.1.1.1", "2001:db8::/256", "2001:db8::/-1",
        "::ffff:192.168.0.0/96", "2001:0db81:85a3::8a2e:370:7334/48",
        "2001:xyz8::1/32", "gggg::1/128", "2001:db8:://32", "2001:db8::/32/",
        "2001:db8::/32/48", "2001:db8::/3g", "2001:db8::/xx", "/64",
        "2001:db8::1/", "/128/", "/2001:db8::/32"})
    EXPECT_FALSE(parseIpv6Net(text)) << text;
  EXPECT_EQ(err(parseIpv6Net("::ffff:192.168.0.0/96")),
            "invalid IPv6 network '::ffff:192.168.0.0/96': embedded IPv4 "
            "notation is not supported, write the last 32 bits as two "
            "hexadecimal groups");
}

// ---------------------------------------------------------- interfaces ----

TEST(SemaPayloadIface, IndexesAndNames) {
  IfaceRef ref = ok(parseIface("1", false));
  EXPECT_TRUE(ref.isIndex());
  EXPECT_EQ(ref.index, 1u);
  EXPECT_EQ(ok(parseIface("01", false)).index, 1u);
  EXPECT_EQ(ok(parseIface("4294967294", false)).index, 4294967294u);
  ref = ok(parseIface("eth0", false));
  EXPECT_FALSE(ref.isIndex());
  EXPECT_EQ(ref.name, "eth0");
  EXPECT_EQ(ok(parseIface("veth-a1", false)).name, "veth-a1");
  EXPECT_EQ(ok(parseIface("veth_a1", true)).name, "veth_a1");
}

TEST(SemaPayloadIface, RejectsInvalid) {
  EXPECT_EQ(err(parseIface("0", false)),
            "invalid interface index '0': must be in 1..4294967295");
  EXPECT_EQ(err(parseIface("-1", false)),
            "invalid interface index '-1': must be in 1..4294967295");
  EXPECT_EQ(err(parseIface("42949672941", false)),
            "invalid interface index '42949672941': must be in 1..4294967295");
  EXPECT_EQ(err(parseIface("0x10", false)),
            "invalid interface '0x10': expected an interface name or a "
            "decimal index");
  EXPECT_EQ(err(parseIface("iface_name", false)),
            "invalid interface name 'iface_name': '_' is not allowed "
            "(letters, digits and '-')");
  EXPECT_EQ(err(parseIface("abcdefghijklmnop", true)),
            "invalid interface name 'abcdefghijklmnop': longer than 15 "
            "characters");
  EXPECT_FALSE(parseIface("-2147483646", false));
  EXPECT_FALSE(parseIface("eth0.100", false));
  EXPECT_FALSE(parseIface("", true));
}

// -------------------------------------------------------- rule options ----

TEST(SemaPayloadLogRate, UnitsAndRounding) {
  EXPECT_EQ(ok(parseLogRate("1s")), 1'000'000'000u);
  EXPECT_EQ(ok(parseLogRate("500ms")), 500'000'000u);
  EXPECT_EQ(ok(parseLogRate("1.5s")), 1'500'000'000u);
  EXPECT_EQ(ok(parseLogRate("0.5ms")), 500'000u);
  EXPECT_EQ(ok(parseLogRate("10us")), 10'000u);
  EXPECT_EQ(ok(parseLogRate("1ns")), 1u);
  EXPECT_EQ(ok(parseLogRate("0.5ns")), 1u); // rounded to nearest
  EXPECT_EQ(err(parseLogRate("0s")), "invalid log rate '0s': must be positive");
  EXPECT_EQ(err(parseLogRate("0.4ns")),
            "invalid log rate '0.4ns': rounds down to 0ns");
  Expected<uint64_t> unit = parseLogRate("1year");
  ASSERT_FALSE(unit);
  EXPECT_EQ(unit.error().message, "invalid log rate '1year': unknown unit "
                                  "'year' (expected ns, us, ms or s)");
  EXPECT_EQ(unit.error().offset, 1u);
  for (const char *text : {"1", "s", "1S", "1e3s", ".5s", "-1s", "1.s", ""})
    EXPECT_FALSE(parseLogRate(text)) << text;
}

TEST(SemaPayloadLogHeader, Names) {
  EXPECT_EQ(ok(parseLogHeader("link")), 1);
  EXPECT_EQ(ok(parseLogHeader("Internet")), 2);
  EXPECT_EQ(ok(parseLogHeader("transport")), 4);
  EXPECT_EQ(err(parseLogHeader("ip")),
            "unknown log header 'ip' (expected link, internet or transport)");
  EXPECT_EQ(err(parseLogHeader("lnk")),
            "unknown log header 'lnk' (expected link, internet or "
            "transport); did you mean 'link'?");
}

// -------------------------------------------------------- hook options ----

TEST(SemaPayloadHookOptions, Ifindex) {
  EXPECT_EQ(ok(parseHookIfindex("2")), 2u);
  EXPECT_EQ(ok(parseHookIfindex("0x10")), 16u);
  EXPECT_EQ(ok(parseHookIfindex("0")), 0u);
  EXPECT_EQ(ok(parseHookIfindex("2147483647")), 2147483647u);
  for (const char *text : {"2147483648", "-1", "abc", "1a", ""})
    EXPECT_FALSE(parseHookIfindex(text)) << text;
}

TEST(SemaPayloadHookOptions, Priorities) {
  auto p = ok(parseHookPriorities("100-200"));
  EXPECT_EQ(p.first, 100);
  EXPECT_EQ(p.second, 200);
  EXPECT_EQ(ok(parseHookPriorities("0x10-2")).first, 16);
  EXPECT_EQ(err(parseHookPriorities("1-1")),
            "invalid priorities '1-1': the two priorities must be different "
            "(the second one is used to replace the chain atomically)");
  EXPECT_EQ(err(parseHookPriorities("0-1")),
            "invalid priorities '0-1': priorities can't be 0");
  for (const char *text : {"1", "1-", "-1", "a-b", "1-2-3", "2147483648-1"})
    EXPECT_FALSE(parseHookPriorities(text)) << text;
}

TEST(SemaPayloadHookOptions, FamilyAndValues) {
  EXPECT_TRUE(parseHookFamily("inet4"));
  EXPECT_TRUE(parseHookFamily("inet6"));
  EXPECT_EQ(err(parseHookFamily("inet")),
            "unknown family 'inet' (expected inet4 or inet6)");
  EXPECT_TRUE(isValidHookOptionValue("/sys/fs/cgroup/my-app.slice_1"));
  EXPECT_FALSE(isValidHookOptionValue("/sys/fs/cgroup/a b"));
  EXPECT_FALSE(isValidHookOptionValue("a:b"));
  EXPECT_FALSE(isValidHookOptionValue(""));
}

} // namespace
} // namespace bfc::sema
