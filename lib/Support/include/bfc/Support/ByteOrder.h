// Byte operations on wire values: big-endian (network order) loads and
// stores, the little-endian and host-order u32s of the object format and
// map keys, and prefix masks. A prefix counts from the most significant bit
// of the first byte, as in addresses: bit 0 is 0x80 of byte 0.
#pragma once

#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace bfc {

// ------------------------------------------------------------ big-endian ----

/// The unsigned integer that `width` (at most 8) network-order bytes encode.
constexpr uint64_t fromBigEndian(const uint8_t *bytes, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value = value << 8 | bytes[i];
  return value;
}
constexpr uint64_t fromBigEndian(std::span<const uint8_t> bytes) {
  return fromBigEndian(bytes.data(), bytes.size());
}
constexpr uint16_t loadBe16(const uint8_t *bytes) {
  return static_cast<uint16_t>(fromBigEndian(bytes, 2));
}
constexpr uint32_t loadBe32(const uint8_t *bytes) {
  return static_cast<uint32_t>(fromBigEndian(bytes, 4));
}

/// The low `width` bytes of `value`, in network order.
inline std::vector<uint8_t> toBigEndian(uint64_t value, unsigned width) {
  std::vector<uint8_t> bytes(width);
  for (unsigned i = width; i-- > 0; value >>= 8)
    bytes[i] = static_cast<uint8_t>(value);
  return bytes;
}
inline void appendBe16(std::vector<uint8_t> &out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}
inline void appendBe32(std::vector<uint8_t> &out, uint32_t value) {
  appendBe16(out, static_cast<uint16_t>(value >> 16));
  appendBe16(out, static_cast<uint16_t>(value));
}

// --------------------------------------------- little-endian, host order ----

/// The unsigned integer that `width` (at most 8) little-endian bytes encode.
constexpr uint64_t fromLittleEndian(const uint8_t *bytes, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= uint64_t(bytes[i]) << (8 * i);
  return value;
}
constexpr uint32_t loadLe32(const uint8_t *bytes) {
  return static_cast<uint32_t>(fromLittleEndian(bytes, 4));
}
inline void appendLe32(std::vector<uint8_t> &out, uint32_t value) {
  for (unsigned i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

/// A u32 in the host's order, as BPF map keys and values hold it (LPM
/// prefix lengths, rule indexes).
inline void appendHostU32(std::vector<uint8_t> &out, uint32_t value) {
  uint8_t bytes[sizeof(value)];
  std::memcpy(bytes, &value, sizeof(value));
  out.insert(out.end(), bytes, bytes + sizeof(value));
}
inline uint32_t loadHostU32(const uint8_t *bytes) {
  uint32_t value = 0;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

// --------------------------------------------------------------- prefixes ----

/// Byte `i` of a mask whose first `bits` bits are 1.
constexpr uint8_t prefixMaskByte(size_t i, unsigned bits) {
  unsigned ones = bits > 8 * i ? (bits - 8 * i < 8 ? bits - 8 * i : 8) : 0;
  return static_cast<uint8_t>(0xff00u >> ones);
}

/// `width` bytes whose first `bits` bits are 1 (all of them when `bits`
/// is `8 * width` or more).
inline std::vector<uint8_t> prefixMask(size_t width, unsigned bits) {
  std::vector<uint8_t> mask(width);
  for (size_t i = 0; i < width; ++i)
    mask[i] = prefixMaskByte(i, bits);
  return mask;
}

/// Clears every bit of `bytes` after the first `bits`.
constexpr void keepPrefix(std::span<uint8_t> bytes, unsigned bits) {
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] &= prefixMaskByte(i, bits);
}

/// `a` and `b` have the same size and the same first `bits` bits.
constexpr bool prefixEquals(std::span<const uint8_t> a,
                            std::span<const uint8_t> b, unsigned bits) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size() && 8 * i < bits; ++i)
    if ((a[i] ^ b[i]) & prefixMaskByte(i, bits))
      return false;
  return true;
}

/// The number of leading one bits: the prefix length of a contiguous mask.
constexpr unsigned leadingOnes(std::span<const uint8_t> mask) {
  unsigned bits = 0;
  for (uint8_t byte : mask) {
    unsigned ones = static_cast<unsigned>(std::countl_one(byte));
    bits += ones;
    if (ones < 8)
      break;
  }
  return bits;
}

/// The integer whose low `bits` bits are 1, for any unsigned integer type
/// (128-bit ones too): all ones when `bits` covers the whole type.
template <typename Unsigned> constexpr Unsigned lowBitsMask(unsigned bits) {
  return bits >= sizeof(Unsigned) * CHAR_BIT ? ~Unsigned(0)
                                             : (Unsigned(1) << bits) - 1;
}

} // namespace bfc
