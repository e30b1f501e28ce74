// Packet decoder: prints headers in spec syntax; building what it prints
// gives the same bytes back.
#include <gtest/gtest.h>

#include "PacketTestSupport.h"
#include "bfc/Packet/Packet.h"

using namespace bfc::packet;
using bfc::Expected;
using bfc::packet::test::mustBuild;

namespace {

TEST(PacketDecoder, PrintsOnlyWhatDiffersFromDefaults) {
  EXPECT_EQ(describePacket(
                mustBuild("eth/ip4(src=10.1.1.1)/tcp(dport=22,flags=syn|ack)")),
            "eth/ip4(src=10.1.1.1)/tcp(dport=22,flags=syn|ack)");
  EXPECT_EQ(describePacket(mustBuild(
                "ip6(dst=::1,dscp=ef)/hop/frag(offset=0)/udp(dport=53)")),
            "ip6(dst=::1,dscp=ef)/hop/frag/udp(dport=53)");
  EXPECT_EQ(
      describePacket(mustBuild("ip4/icmp(type=echo-reply)/payload(len=3)")),
      "ip4/icmp(type=echo-reply)/payload(len=3)");
}

TEST(PacketDecoder, ShowsBrokenFields) {
  EXPECT_EQ(describePacket(mustBuild("ip4(csum=0x1234,len=99)/udp(csum=0)")),
            "ip4(len=99,csum=0x1234)/udp(csum=0x0000)");
  // A cut-off TCP header is not a TCP header.
  EXPECT_EQ(describePacket(mustBuild("ip4/tcp/truncate=30")),
            "ip4(len=40,proto=tcp)/payload(hex=9c400050000000000000)");
}

TEST(PacketDecoder, RoundTripsThroughTheBuilder) {
  const char *specs[] = {
      "eth/ip4/tcp",
      "eth(src=aa:bb:cc:dd:ee:ff,type=0x0806)/raw(hex=0001080006040001)",
      "eth/vlan(id=100,pcp=3)/ip4(ttl=1,id=7,flags=df|mf,frag=0)/"
      "udp(sport=1,dport=2)/payload(len=5,fill=1)",
      "ip4(frag=3,proto=tcp)/payload(len=8)",
      "ip4(ihl=7,dscp=af41,ecn=2)/"
      "tcp(doff=6,seq=5,ack=6,win=100,urg=1,flags=fin|psh|cwr)",
      "ip6(flow=0x12345,hlim=3)/route(len=1,type=4)/dst(len=2)/ah(spi=9,seq=1)/"
      "mh(type=2)/tcp",
      "ip6/frag(offset=10,more=1,id=99,nh=udp)/payload(len=8)",
      "ip6/icmpv6(type=nd-neighbor-solicit,code=0,id=1,seq=2)",
      "ip4/icmp(type=3,code=4)",
      "meta(ifindex=4,mark=0x9,hash=0x5,random=0x77,ts=12)/ip4/udp",
      "meta(l3=ipv6)/raw(hex=0102)",
      "ip4/ip6/udp",
      "eth/ip4(proto=58)/payload(len=8)",
      "ip4/truncate=0",
  };
  for (const char *spec : specs) {
    Packet original = mustBuild(spec);
    std::string text = describePacket(original);
    Expected<Packet> rebuilt = buildPacket(text);
    ASSERT_TRUE(rebuilt.ok()) << spec << " -> " << text << ": "
                              << describeSpecError(rebuilt.error(), text);
    EXPECT_EQ(rebuilt->data, original.data) << spec << " -> " << text;
    EXPECT_EQ(rebuilt->hasL2, original.hasL2) << spec;
    EXPECT_EQ(rebuilt->meta.l3Proto, original.meta.l3Proto) << spec;
    EXPECT_EQ(rebuilt->meta.mark, original.meta.mark) << spec;
  }
}

TEST(PacketDecoder, LoneHeadersForLogEvents) {
  Packet p = mustBuild("eth/ip4(src=1.2.3.4)/tcp(dport=443,flags=ack)");
  EXPECT_EQ(describeEthernet(p.data.data(), 14), "eth(type=0x0800)");
  EXPECT_EQ(describeL3(0x0800, p.data.data() + 14, 20),
            "ip4(src=1.2.3.4,proto=tcp)");
  EXPECT_EQ(describeL4(6, p.data.data() + 34, 20), "tcp(dport=443,flags=ack)");
  EXPECT_EQ(describeL4(17, p.data.data() + 34, 0), "");
}

TEST(PacketDecoder, SockAddr) {
  Expected<SockAddr> sock =
      parseSockAddr("sock6(proto=udp,dst=::1,dport=53,src=fe80::1)");
  ASSERT_TRUE(sock.ok());
  EXPECT_EQ(describeSockAddr(*sock),
            "sock6(proto=udp,dst=::1,dport=53,src=fe80::1)");
}

} // namespace
