// Wire facts (ProtocolFacts.h): the IPv6 extension-header set and the size
// of each kind of extension header.
#include <gtest/gtest.h>

#include "bfc/Support/ProtocolFacts.h"

using namespace bfc::wire;

namespace {

TEST(ProtocolFacts, Ip6ExtensionHeaderSet) {
  for (uint8_t type : {0, 43, 44, 51, 60, 135})
    EXPECT_TRUE(isIp6ExtensionHeader(type)) << int(type);
  // Transports, ICMP, "no next header", IP-in-IPv6 and ESP end the walk.
  for (uint8_t type : {1, 4, 6, 17, 41, 50, 58, 59, 255})
    EXPECT_FALSE(isIp6ExtensionHeader(type)) << int(type);
  unsigned count = 0;
  for (unsigned type = 0; type < 256; ++type)
    count += isIp6ExtensionHeader(static_cast<uint8_t>(type));
  EXPECT_EQ(count, kIp6ExtensionHeaders.size());
}

TEST(ProtocolFacts, Ip6ExtensionHeaderSizes) {
  // Fragment headers are 8 bytes whatever their reserved byte holds.
  EXPECT_EQ(ip6ExtensionHeaderSize(kIpProtoFragment, 0), 8u);
  EXPECT_EQ(ip6ExtensionHeaderSize(kIpProtoFragment, 9), 8u);
  // AH: 4-byte units after the first two.
  EXPECT_EQ(ip6ExtensionHeaderSize(kIpProtoAh, 1), 12u);
  EXPECT_EQ(ip6ExtensionHeaderSize(kIpProtoAh, 4), 24u);
  // The others: 8-byte units after the first.
  for (uint8_t type : {kIpProtoHopByHop, kIpProtoRouting, kIpProtoDestOptions,
                       kIpProtoMobility}) {
    EXPECT_EQ(ip6ExtensionHeaderSize(type, 0), 8u) << int(type);
    EXPECT_EQ(ip6ExtensionHeaderSize(type, 255), 2048u) << int(type);
  }
}

} // namespace
