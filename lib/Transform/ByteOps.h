// Byte-string arithmetic on BFIR values: big-endian, fixed width, bit 0 is
// the most significant bit of the first byte (the first bit of a prefix).
// Loads, stores and prefix masks come from Support's ByteOrder.h.
#pragma once

#include <bit>
#include <cstdint>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/ByteOrder.h"

namespace bfc::transform::bytes {

using ir::Bytes;

// The byte operations every stage shares, under the names the passes use.
using bfc::leadingOnes;
using bfc::prefixEquals;
using bfc::prefixMask;
using bfc::prefixMaskByte;

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

} // namespace bfc::transform::bytes
