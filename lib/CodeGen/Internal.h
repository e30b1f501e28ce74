// Declarations shared by the CodeGen sources (not installed).
#pragma once

#include <cstdint>

#include "bfc/IR/BFIR.h"

namespace bfc::codegen::detail {

// Module-level symbols besides programs and maps.
inline constexpr const char *kLicenseSymbol = "_license";
inline constexpr const char *kMetaSymbol = "bfc_meta";
inline constexpr const char *kSetsSymbol = "bfc_sets";
inline constexpr const char *kSetsSection = ".bfc.sets";

/// CO-RE type names carry `___bfc` and 8 hex digits (a libbpf flavor, see
/// Lowering.cpp); outputs show them as `___bfc00000000`.
inline constexpr const char *kCoreFlavorPrefix = "___bfc";
inline constexpr size_t kCoreFlavorDigits = 8;

// Program types / map types / helpers of the kernel UAPI used by the
// generated code (values from linux/bpf.h, stable ABI).
enum MapType : uint32_t {
  kMapHash = 1,
  kMapArray = 2,
  kMapPercpuArray = 6,
  kMapLpmTrie = 11,
  kMapRingbuf = 27,
};
inline constexpr uint32_t kMapFlagNoPrealloc = 1;
inline constexpr uint32_t kRingbufBytes = 256 * 1024;

enum Helper : uint64_t {
  kHelperMapLookupElem = 1,
  kHelperKtimeGetNs = 5,
  kHelperGetPrandomU32 = 7,
  kHelperGetCurrentPidTgid = 14,
  kHelperGetCurrentComm = 16,
  kHelperRedirect = 23,
  kHelperSkbLoadBytes = 26,
  kHelperGetHashRecalc = 34,
  kHelperRingbufReserve = 131,
  kHelperRingbufSubmit = 132,
};

} // namespace bfc::codegen::detail
