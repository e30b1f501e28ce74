// Packet builder: byte-exact packets (expected bytes computed independently,
// checksums included), defaults, metadata, sock_addr specs and error paths.
#include <gtest/gtest.h>

#include <string>

#include "PacketTestSupport.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Support/ProtocolFacts.h"

using namespace bfc::packet;
using bfc::Error;
using bfc::Expected;
using namespace bfc::wire;
using bfc::packet::test::mustBuild;

namespace {

std::string toHex(const Bytes &bytes) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

Error mustFail(std::string_view spec) {
  Expected<Packet> result = buildPacket(spec);
  EXPECT_FALSE(result.ok()) << spec << " should not build";
  return result.ok() ? Error{} : result.error();
}

TEST(PacketBuilder, EthernetIpv4TcpIsByteExact) {
  Packet p = mustBuild("eth/ip4(src=10.0.0.1,dst=10.0.0.2)/"
                       "tcp(sport=1234,dport=22,flags=syn|ack)");
  EXPECT_TRUE(p.hasL2);
  EXPECT_EQ(toHex(p.data), "020000000002020000000001080045000028000000004006"
                           "66ce0a0000010a00000204d20016000000000000000050"
                           "12ffff96e80000");
}

TEST(PacketBuilder, Ipv6ExtensionHeadersFromL3AreByteExact) {
  Packet p = mustBuild("ip6(src=2001:db8::1,dst=::1)/hop/frag(offset=0)/"
                       "udp(dport=53)");
  EXPECT_FALSE(p.hasL2);
  EXPECT_EQ(p.meta.l3Proto, kEtherTypeIp6);
  EXPECT_EQ(toHex(p.data),
            "600000000018004020010db8000000000000000000000001"
            "00000000000000000000000000000001"
            "2c00010400000000" // hop: next frag, PadN
            "1100000000000000" // frag: next udp, offset 0
            "9c400035000835ae");
}

TEST(PacketBuilder, IcmpWithPayloadIsByteExact) {
  Packet p = mustBuild("ip4(src=192.168.0.1,dst=192.168.0.2,ttl=1)/"
                       "icmp(type=echo-request,code=0,id=7,seq=1)/"
                       "payload(len=4,fill=0xab)");
  EXPECT_EQ(p.meta.l3Proto, kEtherTypeIp4);
  EXPECT_EQ(toHex(p.data), "45000020000000000101388ac0a80001c0a80002"
                           "0800a0a000070001abababab");
}

TEST(PacketBuilder, Ipv4OptionsDscpAndFlagsAreByteExact) {
  Packet p = mustBuild("ip4(dscp=ef,ecn=1,id=0x1234,flags=df,ihl=6)/"
                       "udp(sport=1,dport=2)");
  EXPECT_EQ(toHex(p.data), "46b9002012344000401110dc0a0000010a000002"
                           "01010101"
                           "000100020008ebd8");
}

TEST(PacketBuilder, RawEthernetFrame) {
  Packet p = mustBuild("eth(src=aa:bb:cc:dd:ee:ff,dst=ff:ff:ff:ff:ff:ff,"
                       "type=0x0806)/raw(hex=00010800)");
  EXPECT_EQ(toHex(p.data), "ffffffffffffaabbccddeeff080600010800");
}

TEST(PacketBuilder, EtherTypeAndProtocolsFollowTheNextLayer) {
  Packet p = mustBuild("eth/vlan(id=5)/ip6/icmpv6(type=echo-reply)");
  ASSERT_GE(p.data.size(), 14u + 4 + 40 + 8);
  EXPECT_EQ(p.data[12], 0x81);
  EXPECT_EQ(p.data[13], 0x00);
  EXPECT_EQ(p.data[14], 0x00); // TCI
  EXPECT_EQ(p.data[15], 5);
  EXPECT_EQ(p.data[16], 0x86); // inner EtherType
  EXPECT_EQ(p.data[17], 0xdd);
  EXPECT_EQ(p.data[18 + 6], 58);   // IPv6 next header
  EXPECT_EQ(p.data[18 + 40], 129); // echo-reply
  // A valid ICMPv6 checksum sums (with the pseudo-header) to zero; just
  // check it was filled in.
  EXPECT_NE(p.data[18 + 42] | p.data[18 + 43], 0);
}

TEST(PacketBuilder, ExtensionHeaderSizes) {
  Packet p = mustBuild("ip6/hop(len=1)/route(segleft=2)/dst/ah/mh/tcp");
  // 40 + hop 16 + route 8 + dst 8 + ah 24 + mh 8 + tcp 20
  EXPECT_EQ(p.data.size(), 40u + 16 + 8 + 8 + 24 + 8 + 20);
  EXPECT_EQ(p.data[6], 0);      // fixed header -> hop
  EXPECT_EQ(p.data[40], 43);    // hop -> route
  EXPECT_EQ(p.data[56], 60);    // route -> dst
  EXPECT_EQ(p.data[56 + 3], 2); // segments left
  EXPECT_EQ(p.data[64], 51);    // dst -> ah
  EXPECT_EQ(p.data[72], 135);   // ah -> mh
  EXPECT_EQ(p.data[73], 4);     // AH length field
  EXPECT_EQ(p.data[96], 6);     // mh -> tcp
  EXPECT_EQ(p.data[4] << 8 | p.data[5], 16 + 8 + 8 + 24 + 8 + 20);
}

TEST(PacketBuilder, OverridesForMalformedPackets) {
  Packet p = mustBuild("ip4(ihl=4,ver=6,len=1000,csum=0xbeef,proto=6)");
  ASSERT_EQ(p.data.size(), 20u);
  EXPECT_EQ(p.data[0], 0x64);
  EXPECT_EQ(p.data[2] << 8 | p.data[3], 1000);
  EXPECT_EQ(p.data[10] << 8 | p.data[11], 0xbeef);
  EXPECT_EQ(p.data[9], 6);
}

TEST(PacketBuilder, TruncateCutsTheFinalPacket) {
  Packet full = mustBuild("eth/ip4/tcp");
  Packet cut = mustBuild("eth/ip4/tcp/truncate=40");
  ASSERT_EQ(cut.data.size(), 40u);
  EXPECT_TRUE(std::equal(cut.data.begin(), cut.data.end(), full.data.begin()));
  EXPECT_EQ(mustBuild("eth/ip4/tcp/truncate(len=14)").data.size(), 14u);
}

TEST(PacketBuilder, MetadataLayer) {
  Packet p = mustBuild("meta(ifindex=3,mark=0x10,hash=7,random=0xffffffff,"
                       "ts=1000)/ip4");
  EXPECT_EQ(p.meta.ifindex, 3u);
  EXPECT_EQ(p.meta.mark, 0x10u);
  EXPECT_EQ(p.meta.hash, 7u);
  EXPECT_EQ(p.meta.random, 0xffffffffu);
  EXPECT_EQ(p.meta.timestampNs, 1000u);
  EXPECT_EQ(p.meta.l3Proto, kEtherTypeIp4);
  Packet raw = mustBuild("meta(l3=ipv6)/raw(hex=6000)");
  EXPECT_EQ(raw.meta.l3Proto, kEtherTypeIp6);
  EXPECT_EQ(mustBuild("raw(hex=00)").meta.l3Proto, 0);
}

TEST(PacketBuilder, AdaptForHookAddsOrStripsEthernet) {
  Packet l3 = mustBuild("ip4/udp");
  Packet l2 = adaptForHook(l3, true);
  EXPECT_TRUE(l2.hasL2);
  EXPECT_EQ(l2.data.size(), l3.data.size() + 14);
  EXPECT_EQ(l2.data[12], 0x08);
  Packet back = adaptForHook(l2, false);
  EXPECT_FALSE(back.hasL2);
  EXPECT_EQ(back.data, l3.data);
  EXPECT_EQ(back.meta.l3Proto, kEtherTypeIp4);
  Packet frame = mustBuild("eth/ip6");
  EXPECT_EQ(adaptForHook(frame, false).meta.l3Proto, kEtherTypeIp6);
}

TEST(PacketBuilder, SockAddrSpecs) {
  Expected<SockAddr> v4 =
      parseSockAddr("sock4(proto=udp,dst=10.1.2.3,dport=53,src=10.0.0.9)");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->family, 4u);
  EXPECT_EQ(v4->protocol, 17);
  EXPECT_EQ(v4->dport, 53);
  EXPECT_EQ(v4->dst[0], 10);
  EXPECT_EQ(v4->dst[3], 3);
  EXPECT_EQ(v4->src[3], 9);

  Expected<Input> v6 = parseInput("meta(random=5)/sock6(dst=::1,dport=443)");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  auto *sock = std::get_if<SockAddr>(&*v6);
  ASSERT_NE(sock, nullptr);
  EXPECT_EQ(sock->family, 6u);
  EXPECT_EQ(sock->protocol, 6); // tcp by default
  EXPECT_EQ(sock->dst[15], 1);
  EXPECT_EQ(sock->meta.random, 5u);

  Expected<Input> pkt = parseInput("eth/ip4");
  ASSERT_TRUE(pkt.ok());
  EXPECT_TRUE(std::holds_alternative<Packet>(*pkt));
}

struct ErrorCase {
  const char *spec;
  size_t offset;
  const char *messagePart;
};

void expectError(const Error &error, const ErrorCase &c) {
  EXPECT_NE(error.message.find(c.messagePart), std::string::npos)
      << c.spec << " -> " << error.message;
  EXPECT_EQ(error.offset, c.offset) << c.spec << " -> " << error.message;
}

TEST(PacketBuilder, BadSpecsGiveClearErrors) {
  const ErrorCase cases[] = {
      {"", 0, "empty packet spec"},
      {"eth/tpc", 4, "unknown layer 'tpc'"},
      {"ip4(srcc=1.2.3.4)", 4, "unknown field 'srcc' for ip4"},
      {"ip4(src=1.2.3)", 8, "expects an IPv4 address"},
      {"ip6(dst=2001:::1)", 8, "expects an IPv6 address"},
      {"eth(src=aa:bb)", 8, "expects a MAC address"},
      {"ip4/tcp(dport=70000)", 14, "out of range"},
      {"ip4/tcp(dport=http)", 14, "expects a number"},
      {"ip4/tcp(flags=syn|foo)", 18, "unknown TCP flag 'foo'"},
      {"ip4(ttl=1,ttl=2)", 10, "given twice"},
      {"ip4(ttl=1", 3, "unclosed '('"},
      {"ip4(ttl)", 7, "expected '=' after 'ttl'"},
      {"ip4(ttl=)", 8, "missing value for 'ttl'"},
      {"ip4 tcp", 4, "expected '/' between layers"},
      {"ip4/truncate=10/tcp", 4, "truncate must be the last layer"},
      {"ip4/truncate=100", 13, "longer than the packet (20 bytes)"},
      {"ip4/payload(hex=abc)", 16, "even number of hex digits"},
      {"ip4/payload(hex=zz)", 16, "expects hex digits"},
      {"ip4/payload", 4, "needs len=N or hex="},
      {"ip4(dscp=cs9)", 9, "expects a DSCP class"},
      {"ip4(dscp=64)", 9, "out of range"},
      {"ip4(proto=foo)", 10, "expects a protocol name"},
      {"ip4(tos=4,dscp=ef)", 0, "tos= excludes dscp="},
      {"eth=5", 0, "only valid for truncate"},
      {"meta(mark=1)/meta(mark=2)/ip4", 13, "meta(...) given twice"},
      {"meta(mark=1)", 0, "no packet layer"},
      {"eth/sock4", 4, "describes a socket call"},
      {"icmp(type=bogus)", 10, "expects an ICMP type name"},
      {"ip4/", 4, "expected a layer name at the end of the spec"},
      {"ip4(,)", 4, "expected a field name, found ','"},
      {"ip4(ttl=1 ttl=2)", 10, "expected ',' or ')', found 't'"},
      {"ip4/truncate(foo=1)", 4, "truncate expects a length"},
      {"ip4/truncate=abc", 13, "truncate= expects a number, not 'abc'"},
      {"ip4/payload(hex=00,len=1)", 4, "payload: hex= excludes len= and fill="},
      {"ip4/payload(len=x)", 16, "len= expects a number, not 'x'"},
      {"ip4(ver=16)", 8, "ver= is at most 15"},
      {"ip4(ihl=5,opts=01)", 8, "ihl=5 leaves no room for 4 option bytes"},
      {"ip6/ah(len=0)", 11, "ah: len= is at least 1"},
      {"ip4/tcp(doff=5,opts=0204)", 13,
       "doff=5 leaves no room for 4 option bytes"},
  };
  for (const ErrorCase &c : cases)
    expectError(mustFail(c.spec), c);
}

TEST(PacketBuilder, OptionsLongerThanFortyBytesAreRejected) {
  std::string tooLong(82, '0'); // 41 bytes, padded to 44
  Error ip4 = mustFail("ip4(opts=" + tooLong + ")");
  EXPECT_EQ(ip4.message, "opts= is longer than 40 bytes");
  EXPECT_EQ(ip4.offset, 9u);
  Error tcp = mustFail("ip4/tcp(opts=" + tooLong + ")");
  EXPECT_EQ(tcp.message, "opts= is longer than 40 bytes");
  EXPECT_EQ(tcp.offset, 13u);
}

// A layer's fields are read, and checked, in the builder's order (not the
// spec's); the first bad one is reported, not a later one, nor a check that
// would act on a value that was not read.
TEST(PacketBuilder, TheFirstErrorWins) {
  const ErrorCase cases[] = {
      {"ip4(src=1.2.3,ttl=300)", 8, "expects an IPv4 address"},
      {"ip4(srcc=1,ttl=300)", 4, "unknown field 'srcc'"},
      {"ip4(src=1.2.3.4,dst=x,ttl=300)", 20,
       "expects an IPv4 address, not 'x'"},
      {"ip4(ttl=300,tos=1,dscp=ef)", 0, "tos= excludes dscp="},
      {"ip4(tos=1,dscp=ef,ttl=300)", 0, "tos= excludes dscp="},
      {"ip4(dscp=zz,opts=00000000000000000000000000000000000000000000000000"
       "00000000000000000000000000000000)",
       9, "expects a DSCP class"},
      {"ip4(ver=x,ihl=1)", 8, "ver= expects a number"},
      {"ip4(flags=foo|df,frag=99999)", 10, "'foo' in flags="},
      {"ip6/ah(nh=zz,len=0)", 17, "ah: len= is at least 1"},
      {"ip4/tcp(opts=zz,doff=1)", 13, "opts= expects hex digits"},
      {"eth=5/tpc", 0, "only valid for truncate"},
      {"eth(src=x)/ip4(ttl=300)", 8, "expects a MAC address"},
      {"meta(mark=x,l3=foo)/ip4", 10, "mark= expects a number"},
      {"ip4(ttl=300)/truncate=1", 8, "ttl=300 is out of range"},
      {"payload(fill=x,len=y)", 19, "len= expects a number"},
  };
  for (const ErrorCase &c : cases)
    expectError(mustFail(c.spec), c);
}

TEST(PacketBuilder, SockAddrErrors) {
  auto error = [](std::string_view spec) {
    Expected<SockAddr> r = parseSockAddr(spec);
    EXPECT_FALSE(r.ok()) << spec;
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_NE(error("sock4(dst=::1)").find("IPv4 address"), std::string::npos);
  EXPECT_NE(error("eth/sock4").find("cannot be combined"), std::string::npos);
  EXPECT_NE(error("sock4/sock6").find("one sock4/sock6"), std::string::npos);
  EXPECT_NE(error("ip4").find("cannot be combined"), std::string::npos);
  EXPECT_NE(error("sock4(ifindex=2)").find("unknown field"), std::string::npos);
}

TEST(PacketBuilder, SockAddrErrorsPointAtTheirPlace) {
  const ErrorCase cases[] = {
      {"sock4/meta(mark=1)", 6, "meta(...) must come first"},
      {"meta(mark=1)", 0, "expected sock4(...) or sock6(...)"},
      {"sock4/sock6", 6, "a socket call spec has one sock4/sock6 layer"},
      {"sock4(dport=x)", 12, "dport= expects a number"},
      {"sock4(proto=foo,dport=x)", 12, "proto= expects a protocol name"},
      {"meta(mark=x)/sock4(dport=x)", 10, "mark= expects a number"},
      {"sock6(dst=1.2.3.4)", 10, "expects an IPv6 address"},
      {"sock4(dport=1", 5, "unclosed '(' in sock4"},
  };
  for (const ErrorCase &c : cases) {
    Expected<SockAddr> sock = parseSockAddr(c.spec);
    ASSERT_FALSE(sock.ok()) << c.spec;
    expectError(sock.error(), c);
    if (std::string_view(c.spec).find("sock") == std::string_view::npos)
      continue; // parseInput reads it as a packet
    Expected<Input> input = parseInput(c.spec);
    ASSERT_FALSE(input.ok()) << c.spec;
    EXPECT_EQ(input.error().message, sock.error().message);
  }
}

TEST(PacketBuilder, ErrorDescriptionPointsAtTheOffset) {
  std::string spec = "eth/tpc";
  Error error = mustFail(spec);
  EXPECT_EQ(describeSpecError(error, spec)
                .substr(describeSpecError(error, spec).rfind('\n') + 1),
            "      ^");
}

} // namespace
