// The packet state: how header bytes are loaded into words, and the layout of
// the state the parser fills and the rules read. Wire-format constants come
// from Support's ProtocolFacts.h, byte operations from ByteOrder.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include <llvm/IR/Instructions.h>
#include <llvm/IR/Type.h>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::codegen::detail {

/// A load of `size` bytes at `offset` of a header, OR-ed into word
/// offset / 8 at bit (offset % 8) * 8. Fields never straddle two words.
struct Chunk {
  unsigned offset;
  unsigned size;
};
inline constexpr Chunk kEthChunks[] = {{0, 8}, {8, 4}, {12, 2}};
inline constexpr Chunk kIp4Chunks[] = {{0, 8}, {8, 8}, {16, 4}};
inline constexpr Chunk kIp6Chunks[] = {
    {0, 8}, {8, 8}, {16, 8}, {24, 8}, {32, 8}};
inline constexpr Chunk kTcpChunks[] = {{0, 8}, {8, 8}, {16, 4}};
inline constexpr Chunk kSmallL4Chunks[] = {{0, 8}};
inline constexpr unsigned kL2Words = 2, kIp4Words = 3, kIp6Words = 5,
                          kTcpWords = 3;
inline constexpr unsigned kScratchBytes = 40;

/// Header presence flags.
enum Presence : unsigned {
  kHasL2,
  kHasIp4,
  kHasIp6,
  kHasTcp,
  kHasUdp,
  kHasIcmp,
  kHasIcmpv6,
  kNumPresence
};

/// A per-packet variable: a local alloca of the current function, or bytes
/// `offset` of the packet state, which the program's main function fills and
/// rule-group subprograms read through a pointer.
struct Slot {
  llvm::Type *type = nullptr;
  llvm::AllocaInst *local = nullptr;
  unsigned offset = 0;
  int bit = -1; ///< >= 0: bits [bit, bit + width) of the i64 at `offset`
};

// Packet state layout (bytes). Every header has its own words, zero unless
// the header is present: a test that is false on zero needs no separate
// presence test. The small values share the first word, always written
// whole: the verifier tells an 8-byte store (a spilled register) from
// narrower ones (plain bytes), and paths that stored different flags must
// look alike to it.
inline constexpr unsigned kStateFlags = 0, kStateChainBits = 8, kStateL2 = 40,
                          kStateIp4 = 56, kStateIp6 = 80, kStateTcp = 120,
                          kStateUdp = 144, kStateIcmp = 152, kStateIcmpv6 = 160,
                          kStatePorts = 168, kStateSize = 176;
// Chains with CONTINUE candidates: their pending slots follow the state
// (u32 each, at most kMaxPending).
inline constexpr unsigned kStatePending = kStateSize, kMaxPending = 8;
// Bits of the flags word. Bits [40, 64): the lowest rule index the
// classifier tables found, kNoBestRule when none (docs/codegen.md,
// "Classification").
inline constexpr int kBitL3Proto = 0, kBitL4Proto = 16, kBitMalformed = 24,
                     kBitHas = 32, kBitBest = 40;
inline constexpr uint32_t kNoBestRule = 0xffffff;

/// A field's value as loaded from memory in network byte order into
/// little-endian words ("raw"): a 16-byte field is two i64 halves.
struct RawValue {
  llvm::Value *lo = nullptr;
  llvm::Value *hi = nullptr; ///< 16-byte fields only: bytes 8..15
};

} // namespace bfc::codegen::detail
