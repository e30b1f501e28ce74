// Kernel interfaces newer than the build's UAPI headers (Debian 12: 6.1) and
// libbpf (1.1): netfilter and tcx links, and the matching link info. Values
// and layouts are the kernel's ABI (include/uapi/linux/bpf.h), stable since
// the kernels that introduced them (netfilter links 6.4, tcx 6.6).
#pragma once

#include <cstdint>

namespace bfc::load::kernel {

// enum bpf_prog_type
inline constexpr uint32_t kProgTypeNetfilter = 32;
// enum bpf_attach_type
inline constexpr uint32_t kAttachNetfilter = 45;
inline constexpr uint32_t kAttachTcxIngress = 46;
inline constexpr uint32_t kAttachTcxEgress = 47;
// enum bpf_link_type
inline constexpr uint32_t kLinkTypeCgroup = 3;
inline constexpr uint32_t kLinkTypeXdp = 6;
inline constexpr uint32_t kLinkTypeNetfilter = 10;
inline constexpr uint32_t kLinkTypeTcx = 11;
// netfilter families (NFPROTO_*) and hooks (NF_INET_*)
inline constexpr uint32_t kNfProtoIpv4 = 2;
inline constexpr uint32_t kNfProtoIpv6 = 10;

/// A netfilter link's hook, as both link_create and link_info carry it.
struct NetfilterLink {
  uint32_t pf; ///< kNfProtoIpv4 or kNfProtoIpv6
  uint32_t hooknum;
  int32_t priority;
  uint32_t flags;
};

/// The BPF_LINK_CREATE part of union bpf_attr, with the netfilter and tcx
/// members the 6.1 headers lack.
struct LinkCreateAttr {
  uint32_t progFd;
  uint32_t target; ///< target_fd or target_ifindex
  uint32_t attachType;
  uint32_t flags;
  union {
    NetfilterLink netfilter;
    struct {
      uint32_t relativeFdOrId;
      uint32_t pad;
      uint64_t expectedRevision;
    } tcx;
    uint64_t reserve[6]; ///< keeps the tail zeroed for the kernel's check
  };
};
static_assert(sizeof(LinkCreateAttr) == 64);

/// struct bpf_link_info, with the netfilter and tcx members.
struct LinkInfo {
  uint32_t type;
  uint32_t id;
  uint32_t progId;
  uint32_t pad;
  union {
    struct {
      uint64_t cgroupId;
      uint32_t attachType;
    } cgroup;
    struct {
      uint32_t ifindex;
    } xdp;
    NetfilterLink netfilter;
    struct {
      uint32_t ifindex;
      uint32_t attachType;
    } tcx;
    uint64_t reserve[8];
  };
};

} // namespace bfc::load::kernel
