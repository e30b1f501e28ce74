// Byte operations on wire values (ByteOrder.h): big-endian, little-endian
// and host-order loads and stores, prefix masks at their edges (/0, /32,
// /128, lengths past the width), and unaligned loads.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "bfc/Support/ByteOrder.h"

using namespace bfc;
using Bytes = std::vector<uint8_t>;

namespace {

TEST(ByteOrder, BigEndianLoadsReadNetworkOrder) {
  const uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
  EXPECT_EQ(loadBe16(bytes), 0x1234);
  EXPECT_EQ(loadBe32(bytes), 0x12345678u);
  EXPECT_EQ(fromBigEndian(bytes, 8), 0x123456789abcdef0u);
  EXPECT_EQ(fromBigEndian(bytes, 1), 0x12u);
  EXPECT_EQ(fromBigEndian(bytes, 0), 0u);
  EXPECT_EQ(fromBigEndian(Bytes{0x86, 0xdd}), 0x86ddu);
}

TEST(ByteOrder, UnalignedLoads) {
  // Every offset of a buffer, so most loads start off a 2/4-byte boundary.
  const uint8_t bytes[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
  for (size_t at = 0; at + 4 <= sizeof(bytes); ++at) {
    uint32_t expected = 0;
    for (size_t i = 0; i < 4; ++i)
      expected = expected << 8 | bytes[at + i];
    EXPECT_EQ(loadBe32(bytes + at), expected) << "offset " << at;
    EXPECT_EQ(loadBe16(bytes + at), expected >> 16) << "offset " << at;
    EXPECT_EQ(loadLe32(bytes + at), __builtin_bswap32(expected))
        << "offset " << at;
    uint32_t host;
    std::memcpy(&host, bytes + at, sizeof(host));
    EXPECT_EQ(loadHostU32(bytes + at), host) << "offset " << at;
  }
}

TEST(ByteOrder, BigEndianStoresRoundTrip) {
  EXPECT_EQ(toBigEndian(0x86dd, 2), (Bytes{0x86, 0xdd}));
  // Only the low `width` bytes are kept.
  EXPECT_EQ(toBigEndian(0x12345678, 2), (Bytes{0x56, 0x78}));
  EXPECT_EQ(toBigEndian(1, 4), (Bytes{0, 0, 0, 1}));
  EXPECT_TRUE(toBigEndian(0xff, 0).empty());
  for (uint64_t value : {0ull, 1ull, 0x0102030405060708ull, ~0ull})
    EXPECT_EQ(fromBigEndian(toBigEndian(value, 8)), value);

  Bytes out{0xaa};
  appendBe16(out, 0x0800);
  appendBe32(out, 0xdeadbeef);
  EXPECT_EQ(out, (Bytes{0xaa, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef}));
}

TEST(ByteOrder, LittleEndianAndHostOrder) {
  Bytes out;
  appendLe32(out, 0x11223344);
  EXPECT_EQ(out, (Bytes{0x44, 0x33, 0x22, 0x11}));
  EXPECT_EQ(loadLe32(out.data()), 0x11223344u);
  EXPECT_EQ(fromLittleEndian(out.data(), 2), 0x3344u);

  Bytes host;
  appendHostU32(host, 0x01020304);
  ASSERT_EQ(host.size(), 4u);
  uint32_t back;
  std::memcpy(&back, host.data(), sizeof(back));
  EXPECT_EQ(back, 0x01020304u);
  EXPECT_EQ(loadHostU32(host.data()), 0x01020304u);
}

TEST(ByteOrder, PrefixMaskEdges) {
  EXPECT_EQ(prefixMask(4, 0), (Bytes{0, 0, 0, 0}));
  EXPECT_EQ(prefixMask(4, 32), (Bytes{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(prefixMask(4, 8), (Bytes{0xff, 0, 0, 0}));
  EXPECT_EQ(prefixMask(4, 9), (Bytes{0xff, 0x80, 0, 0}));
  EXPECT_EQ(prefixMask(4, 31), (Bytes{0xff, 0xff, 0xff, 0xfe}));
  // Lengths past the width select the whole value.
  EXPECT_EQ(prefixMask(2, 40), (Bytes{0xff, 0xff}));
  EXPECT_EQ(prefixMask(16, 128), Bytes(16, 0xff));
  EXPECT_EQ(prefixMask(16, 0), Bytes(16, 0));
  Bytes slash33(16, 0);
  slash33[0] = slash33[1] = slash33[2] = slash33[3] = 0xff;
  slash33[4] = 0x80;
  EXPECT_EQ(prefixMask(16, 33), slash33);
  EXPECT_EQ(prefixMask(16, 127).back(), 0xfe);
  for (unsigned bits = 0; bits <= 128; ++bits)
    EXPECT_EQ(leadingOnes(prefixMask(16, bits)), bits) << "/" << bits;
  static_assert(prefixMaskByte(0, 0) == 0x00);
  static_assert(prefixMaskByte(0, 3) == 0xe0);
  static_assert(prefixMaskByte(1, 12) == 0xf0);
  static_assert(prefixMaskByte(3, 128) == 0xff);
}

TEST(ByteOrder, KeepPrefixClearsHostBits) {
  Bytes addr{10, 1, 2, 3};
  keepPrefix(addr, 8);
  EXPECT_EQ(addr, (Bytes{10, 0, 0, 0}));
  addr = {192, 168, 255, 255};
  keepPrefix(addr, 20);
  EXPECT_EQ(addr, (Bytes{192, 168, 0xf0, 0}));
  addr = {1, 2, 3, 4};
  keepPrefix(addr, 0);
  EXPECT_EQ(addr, (Bytes{0, 0, 0, 0}));
  Bytes ip6(16, 0xff);
  keepPrefix(ip6, 128);
  EXPECT_EQ(ip6, Bytes(16, 0xff));
  keepPrefix(ip6, 65);
  EXPECT_EQ(ip6, prefixMask(16, 65));
}

TEST(ByteOrder, PrefixEquals) {
  Bytes a{10, 0, 0, 1}, b{10, 0, 0, 2}, c{11, 0, 0, 1};
  EXPECT_TRUE(prefixEquals(a, b, 0));
  EXPECT_TRUE(prefixEquals(a, c, 0));
  EXPECT_TRUE(prefixEquals(a, b, 30));
  EXPECT_FALSE(prefixEquals(a, b, 31)); // ...01 vs ...10: bit 30 differs
  EXPECT_FALSE(prefixEquals(a, b, 32));
  EXPECT_TRUE(prefixEquals(a, a, 32));
  EXPECT_TRUE(prefixEquals(a, c, 7)); // 10 = 0000101|0, 11 = 0000101|1
  EXPECT_FALSE(prefixEquals(a, c, 8));
  EXPECT_FALSE(prefixEquals(a, Bytes{10, 0, 0}, 8)); // different sizes
  Bytes x(16, 0x20), y(16, 0x20);
  y[15] = 0x21;
  EXPECT_TRUE(prefixEquals(x, y, 127));
  EXPECT_FALSE(prefixEquals(x, y, 128));
}

TEST(ByteOrder, LeadingOnesStopsAtTheFirstZero) {
  EXPECT_EQ(leadingOnes(Bytes{0xff, 0xff, 0xff, 0x00}), 24u);
  EXPECT_EQ(leadingOnes(Bytes{0xff, 0xfe}), 15u);
  EXPECT_EQ(leadingOnes(Bytes{0xff, 0x0f}), 8u); // not a contiguous mask
  EXPECT_EQ(leadingOnes(Bytes{}), 0u);
}

TEST(ByteOrder, LowBitsMaskCoversWholeTypes) {
  static_assert(lowBitsMask<uint32_t>(0) == 0);
  static_assert(lowBitsMask<uint32_t>(8) == 0xff);
  static_assert(lowBitsMask<uint32_t>(32) == 0xffffffffu);
  static_assert(lowBitsMask<uint32_t>(40) == 0xffffffffu);
  using U128 = unsigned __int128;
  static_assert(lowBitsMask<U128>(128) == ~U128(0));
  static_assert(lowBitsMask<U128>(64) == U128(~uint64_t(0)));
  EXPECT_EQ(uint64_t(lowBitsMask<U128>(127) >> 64), ~uint64_t(0) >> 1);
}

} // namespace
