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

/// max_entries of a set's map.
uint32_t setMaxEntries(const ir::Set &set);

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
