// Byte-string arithmetic on BFIR values: big-endian, fixed width, bit 0 is
// the most significant bit of the first byte (the first bit of a prefix).
#pragma once

#include <bit>
#include <cstdint>

#include "bfc/IR/BFIR.h"

namespace bfc::transform::bytes {

using ir::Bytes;

inline Bytes bigEndian(uint64_t value, unsigned width) {
  Bytes out(width, 0);
  for (unsigned i = width; i-- > 0; value >>= 8)
    out[i] = static_cast<uint8_t>(value);
  return out;
}

/// `width` bytes whose first `bits` bits are 1.
inline Bytes prefixMask(size_t width, unsigned bits) {
  Bytes mask(width, 0);
  for (size_t i = 0; i < width; ++i) {
    unsigned n = bits > 8 * i ? std::min<unsigned>(8, bits - 8 * i) : 0;
    mask[i] = static_cast<uint8_t>(0xff00u >> n);
  }
  return mask;
}

inline Bytes andOf(const Bytes &a, const Bytes &b) {
  Bytes out(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    out[i] = a[i] & b[i];
  return out;
}

inline Bytes orOf(const Bytes &a, const Bytes &b) {
  Bytes out(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    out[i] = a[i] | b[i];
  return out;
}

inline Bytes notOf(const Bytes &a) {
  Bytes out(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    out[i] = static_cast<uint8_t>(~a[i]);
  return out;
}

/// Adds one; false (and all zeros) on overflow.
inline bool increment(Bytes &value) {
  for (size_t i = value.size(); i-- > 0;)
    if (++value[i] != 0)
      return true;
  return false;
}

/// Subtracts one; false (and all ones) on underflow.
inline bool decrement(Bytes &value) {
  for (size_t i = value.size(); i-- > 0;)
    if (value[i]-- != 0)
      return true;
  return false;
}

inline unsigned leadingOnes(const Bytes &mask) {
  unsigned bits = 0;
  for (uint8_t byte : mask) {
    unsigned n = static_cast<unsigned>(std::countl_one(byte));
    bits += n;
    if (n < 8)
      break;
  }
  return bits;
}

/// Number of leading bits `a` and `b` share.
inline unsigned commonPrefixBits(const Bytes &a, const Bytes &b) {
  unsigned bits = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    uint8_t diff = a[i] ^ b[i];
    if (diff) {
      return bits + static_cast<unsigned>(std::countl_zero(diff));
    }
    bits += 8;
  }
  return bits;
}

inline unsigned popcount(const Bytes &value) {
  unsigned n = 0;
  for (uint8_t byte : value)
    n += static_cast<unsigned>(std::popcount(byte));
  return n;
}

/// The bits of `value` selected by `mask` agree with the known bits
/// (`knownMask`/`knownBits`).
inline bool compatible(const Bytes &knownMask, const Bytes &knownBits,
                       const Bytes &value, const Bytes &mask) {
  for (size_t i = 0; i < value.size(); ++i)
    if (knownMask[i] & mask[i] & (knownBits[i] ^ value[i]))
      return false;
  return true;
}

inline bool compatible(const Bytes &knownMask, const Bytes &knownBits,
                       const Bytes &value) {
  for (size_t i = 0; i < value.size(); ++i)
    if (knownMask[i] & (knownBits[i] ^ value[i]))
      return false;
  return true;
}

/// Every bit of `mask` is known.
inline bool covers(const Bytes &knownMask, const Bytes &mask) {
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i] & ~knownMask[i])
      return false;
  return true;
}

/// Byte `i` of prefixMask(width, bits).
inline uint8_t prefixMaskByte(size_t i, unsigned bits) {
  unsigned n = bits > 8 * i ? std::min<unsigned>(8, bits - 8 * i) : 0;
  return static_cast<uint8_t>(0xff00u >> n);
}

/// Compares `x` with the lowest (`upper` false) or highest value whose first
/// `bits` bits are those of `value`; <0, 0 or >0. No allocation: the passes
/// call it in their inner loops.
inline int compareWithPrefixBound(const Bytes &x, const Bytes &value,
                                  unsigned bits, bool upper) {
  for (size_t i = 0; i < x.size(); ++i) {
    uint8_t mask = prefixMaskByte(i, bits);
    uint8_t bound = upper ? static_cast<uint8_t>(value[i] | ~mask)
                          : static_cast<uint8_t>(value[i] & mask);
    if (x[i] != bound)
      return x[i] < bound ? -1 : 1;
  }
  return 0;
}

/// The first `bits` bits of `a` and `b` are equal.
inline bool prefixEquals(const Bytes &a, const Bytes &b, unsigned bits) {
  if (a.size() != b.size())
    return false;
  Bytes mask = prefixMask(a.size(), bits);
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] ^ b[i]) & mask[i])
      return false;
  return true;
}

} // namespace bfc::transform::bytes
