// Constants of the kernel's BPF ABI used by the generated code: map types,
// helper ids and context offsets (values from the UAPI headers, stable).
// Return codes are the hook model's (bfc/IR/HookModel.h).
#pragma once

#include <cstdint>

namespace bfc::codegen::detail {

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

inline constexpr uint64_t kBpfFIngress = 1;

// Context offsets (UAPI structs, stable).
inline constexpr unsigned kXdpData = 0, kXdpDataEnd = 4,
                          kXdpIngressIfindex = 12;
inline constexpr unsigned kSkbLen = 0, kSkbMark = 8, kSkbProtocol = 16,
                          kSkbIfindex = 40, kSkbData = 76, kSkbDataEnd = 80;
inline constexpr unsigned kNfCtxState = 0, kNfCtxSkb = 8;
inline constexpr unsigned kSockUserIp4 = 4, kSockUserIp6 = 8,
                          kSockUserPort = 24, kSockProtocol = 36,
                          kSockMsgSrcIp4 = 40, kSockMsgSrcIp6 = 44;

} // namespace bfc::codegen::detail
