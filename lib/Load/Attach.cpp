#include "bfc/Load/Attach.h"

#include <bpf/bpf.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <fmt/format.h>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/KernelCompat.h"
#include "bfc/Load/PinStore.h"

namespace bfc::load {

namespace {

constexpr long kCgroup2Magic = 0x63677270;

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::pair<int32_t, int32_t> parsePriorities(const std::string &text) {
  // "A-B"; A may be negative, so split at the '-' after the first char.
  size_t dash = text.find('-', 1);
  auto fail = [&]() -> LoadError {
    return LoadError(fmt::format("invalid priorities '{}': expected two "
                                 "distinct non-zero integers, A-B",
                                 text));
  };
  if (dash == std::string::npos)
    throw fail();
  auto a = parseInteger(std::string_view(text).substr(0, dash));
  auto b = parseInteger(std::string_view(text).substr(dash + 1));
  if (!a || !b || *a == 0 || *b == 0 || *a == *b || *a < INT32_MIN + 1 ||
      *a > INT32_MAX - 1 || *b < INT32_MIN + 1 || *b > INT32_MAX - 1)
    throw fail();
  return {static_cast<int32_t>(*a), static_cast<int32_t>(*b)};
}

uint32_t resolveIfindex(const std::string &text) {
  if (auto n = parseInteger(text)) {
    char name[IF_NAMESIZE];
    if (*n <= 0 || *n > UINT32_MAX ||
        !if_indextoname(static_cast<unsigned>(*n), name))
      throw LoadError(fmt::format("no interface has index {} (in this "
                                  "network namespace)",
                                  text));
    return static_cast<uint32_t>(*n);
  }
  unsigned ifindex = if_nametoindex(text.c_str());
  if (ifindex == 0)
    throw LoadError(fmt::format("interface '{}' does not exist (in this "
                                "network namespace)",
                                text));
  return ifindex;
}

/// XDP and TC programs read packets from an Ethernet header (bfc's parser
/// and the interpreter both do): on an L3-only device (tun, WireGuard, IP
/// tunnels) byte 0 is the IP header, and no IP rule would ever match.
void checkEthernetDevice(const object::ChainInfo &chain, uint32_t ifindex) {
  char name[IF_NAMESIZE] = {};
  if (!if_indextoname(ifindex, name))
    return; // resolveIfindex just found it; a race at worst
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    throwErrno("cannot open a socket to query an interface", errno);
  Fd guard(sock);
  ifreq request = {};
  std::memcpy(request.ifr_name, name, sizeof(request.ifr_name) - 1);
  if (ioctl(sock, SIOCGIFHWADDR, &request) != 0)
    throwErrno(fmt::format("cannot query interface '{}'", name), errno);
  unsigned type = request.ifr_hwaddr.sa_family;
  if (type == ARPHRD_ETHER || type == ARPHRD_LOOPBACK)
    return;
  throw LoadError(fmt::format(
      "chain '{}': interface '{}' (index {}) has no Ethernet header (link "
      "type {}): {} programs parse packets from an Ethernet header, so no IP "
      "rule would ever match; attach to an Ethernet device, or use a "
      "netfilter or cgroup chain",
      chain.name, name, ifindex, type, ir::hookName(chain.hook)));
}

void checkCgroup(const std::string &path) {
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0)
    throwErrno(fmt::format("cgroup {}", path), errno);
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      static_cast<long>(fs.f_type) != kCgroup2Magic)
    throw LoadError(fmt::format("{} is not a cgroup v2 directory", path));
}

bool isCgroup2(const std::string &path) {
  struct statfs fs;
  return statfs(path.c_str(), &fs) == 0 &&
         static_cast<long>(fs.f_type) == kCgroup2Magic;
}

std::string parentPath(const std::string &path) {
  std::string parent = path;
  while (parent.size() > 1 && parent.back() == '/')
    parent.pop_back();
  size_t slash = parent.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : parent.substr(0, slash);
}

uint32_t cgroupAttachType(ir::Hook hook) {
  switch (hook) {
  case ir::Hook::CgroupSkbIngress:
    return BPF_CGROUP_INET_INGRESS;
  case ir::Hook::CgroupSkbEgress:
    return BPF_CGROUP_INET_EGRESS;
  case ir::Hook::CgroupSockAddrConnect4:
    return BPF_CGROUP_INET4_CONNECT;
  case ir::Hook::CgroupSockAddrConnect6:
    return BPF_CGROUP_INET6_CONNECT;
  case ir::Hook::CgroupSockAddrSendmsg4:
    return BPF_CGROUP_UDP4_SENDMSG;
  default:
    return BPF_CGROUP_UDP6_SENDMSG;
  }
}

} // namespace

OptionOverrides parseOptionOverrides(const std::vector<std::string> &options) {
  OptionOverrides result;
  for (const std::string &option : options) {
    size_t equal = option.find('=');
    if (equal == std::string::npos || equal == 0 || equal + 1 == option.size())
      throw LoadError(fmt::format("invalid option '{}': expected KEY=VALUE "
                                  "(ifindex=, cgpath=, priorities=)",
                                  option));
    std::string key = option.substr(0, equal);
    std::string value = option.substr(equal + 1);
    auto once = [&](bool given) {
      if (given)
        throw LoadError(fmt::format("option '{}' given twice", key));
    };
    if (key == "ifindex") {
      once(result.ifindex.has_value());
      result.ifindex = value;
    } else if (key == "cgpath") {
      once(result.cgpath.has_value());
      result.cgpath = value;
    } else if (key == "priorities") {
      once(result.priorities.has_value());
      result.priorities = parsePriorities(value);
    } else if (key == "family") {
      // Deprecated in the language and ignored; accepted for symmetry.
    } else {
      throw LoadError(fmt::format("unknown hook option '{}' (expected "
                                  "ifindex, cgpath or priorities)",
                                  key));
    }
  }
  return result;
}

std::optional<AttachSpec> resolveAttach(const object::ChainInfo &chain,
                                        const OptionOverrides &overrides) {
  if (!chain.attach && overrides.empty())
    return std::nullopt;
  const ir::HookFamily family = ir::hookFamily(chain.hook);
  const std::string hook(ir::hookName(chain.hook));
  auto notFor = [&](const char *option) -> LoadError {
    return LoadError(fmt::format("chain '{}': option {} does not apply to {}",
                                 chain.name, option, hook));
  };
  auto missing = [&](const char *option, const char *example) -> LoadError {
    return LoadError(fmt::format("chain '{}': {} needs the {} option to be "
                                 "attached (e.g. --option {})",
                                 chain.name, hook, option, example));
  };

  AttachSpec spec;
  switch (family) {
  case ir::HookFamily::Xdp:
  case ir::HookFamily::Tc:
    if (overrides.cgpath)
      throw notFor("cgpath");
    if (overrides.priorities)
      throw notFor("priorities");
    if (overrides.ifindex)
      spec.ifindex = resolveIfindex(*overrides.ifindex);
    else if (chain.options.ifindex)
      spec.ifindex = resolveIfindex(std::to_string(*chain.options.ifindex));
    else
      throw missing("ifindex", "ifindex=2");
    checkEthernetDevice(chain, *spec.ifindex);
    // An index names a device in one network namespace only.
    spec.netnsCookie = currentNetnsCookie();
    break;
  case ir::HookFamily::Netfilter:
    if (overrides.cgpath)
      throw notFor("cgpath");
    if (overrides.ifindex)
      throw notFor("ifindex");
    if (overrides.priorities)
      spec.priorities = overrides.priorities;
    else if (chain.options.priorities)
      spec.priorities = chain.options.priorities;
    else
      throw missing("priorities", "priorities=101-102");
    if (spec.priorities->first == spec.priorities->second ||
        spec.priorities->first == 0 || spec.priorities->second == 0)
      throw LoadError(fmt::format("chain '{}': priorities must be two distinct "
                                  "non-zero integers",
                                  chain.name));
    spec.activePriority = spec.priorities->first;
    spec.netnsCookie = currentNetnsCookie(); // netfilter hooks are per netns
    break;
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr:
    if (overrides.ifindex)
      throw notFor("ifindex");
    if (overrides.priorities)
      throw notFor("priorities");
    if (overrides.cgpath)
      spec.cgpath = overrides.cgpath;
    else if (chain.options.cgpath)
      spec.cgpath = chain.options.cgpath;
    else
      throw missing("cgpath", "cgpath=/sys/fs/cgroup/unified/my.slice");
    checkCgroup(*spec.cgpath);
    break;
  }
  return spec;
}

std::vector<CreatedLink> attachProgram(const std::string &chainName,
                                       ir::Hook hook, int progFd,
                                       const AttachSpec &spec) {
  std::vector<CreatedLink> links;
  const std::string what = fmt::format("cannot attach chain '{}' to {}",
                                       chainName, ir::hookName(hook));
  kernel::LinkCreateAttr attr = {};
  attr.progFd = static_cast<uint32_t>(progFd);
  switch (ir::hookFamily(hook)) {
  case ir::HookFamily::Xdp:
    attr.target = *spec.ifindex;
    attr.attachType = BPF_XDP;
    links.push_back(
        {kLinkPin, bpf::linkCreate(attr, fmt::format("{} on ifindex {}", what,
                                                     *spec.ifindex))});
    break;
  case ir::HookFamily::Tc:
    attr.target = *spec.ifindex;
    attr.attachType = hook == ir::Hook::TcIngress ? kernel::kAttachTcxIngress
                                                  : kernel::kAttachTcxEgress;
    links.push_back(
        {kLinkPin, bpf::linkCreate(attr, fmt::format("{} on ifindex {}", what,
                                                     *spec.ifindex))});
    break;
  case ir::HookFamily::Netfilter:
    attr.attachType = kernel::kAttachNetfilter;
    attr.netfilter.hooknum = ir::netfilterHookNumber(hook);
    attr.netfilter.priority = *spec.activePriority;
    for (auto [pf, pin] : {std::pair{kernel::kNfProtoIpv4, kLinkIp4Pin},
                           std::pair{kernel::kNfProtoIpv6, kLinkIp6Pin}}) {
      attr.netfilter.pf = pf;
      links.push_back(
          {pin,
           bpf::linkCreate(
               attr, fmt::format("{} ({}, priority {})", what,
                                 pf == kernel::kNfProtoIpv4 ? "IPv4" : "IPv6",
                                 *spec.activePriority))});
    }
    break;
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr: {
    int cgroup = open(spec.cgpath->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup < 0)
      throwErrno(fmt::format("{}: cannot open {}", what, *spec.cgpath), errno);
    Fd cgroupFd(cgroup);
    attr.target = static_cast<uint32_t>(cgroupFd.get());
    attr.attachType = cgroupAttachType(hook);
    links.push_back(
        {kLinkPin,
         bpf::linkCreate(attr, fmt::format("{} on {}", what, *spec.cgpath))});
    break;
  }
  }
  for (const CreatedLink &link : links)
    debugLog("chain '{}': attached, link {} id {}", chainName, link.pin,
             bpf::linkInfo(link.fd.get()).id);
  return links;
}

bool linksUpdatable(ir::Hook hook) {
  return ir::hookFamily(hook) != ir::HookFamily::Netfilter;
}

bool sameAttachTarget(const AttachSpec &a, const AttachSpec &b) {
  // Records written before bfload recorded the namespace carry none: the
  // caller's is assumed, as those bfloads did.
  const bool sameNetns =
      !a.netnsCookie || !b.netnsCookie || *a.netnsCookie == *b.netnsCookie;
  return a.ifindex == b.ifindex && a.cgpath == b.cgpath && sameNetns;
}

uint64_t currentNetnsCookie() {
  int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    throwErrno("cannot open a socket to identify the network namespace", errno);
  Fd guard(sock);
  uint64_t cookie = 0;
  socklen_t length = sizeof(cookie);
  if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &length) != 0)
    throwErrno("cannot identify the network namespace (SO_NETNS_COOKIE)",
               errno);
  return cookie;
}

uint64_t cgroupIdOf(const std::string &path) {
  // cgroup v2 file handles are the 8-byte cgroup id (kernfs node id), the
  // one cgroup link info reports.
  alignas(file_handle) unsigned char
      buffer[sizeof(file_handle) + sizeof(uint64_t)] = {};
  auto *handle = reinterpret_cast<file_handle *>(buffer);
  handle->handle_bytes = sizeof(uint64_t);
  int mountId = 0;
  if (name_to_handle_at(AT_FDCWD, path.c_str(), handle, &mountId, 0) != 0 ||
      handle->handle_bytes != sizeof(uint64_t))
    return 0;
  uint64_t id = 0;
  std::memcpy(&id, handle->f_handle, sizeof(id));
  return id;
}

std::optional<std::string> linkSevered(ir::Hook hook,
                                       const kernel::LinkInfo &link,
                                       const AttachSpec &attached) {
  switch (ir::hookFamily(hook)) {
  case ir::HookFamily::Xdp:
  case ir::HookFamily::Tc: {
    // The kernel clears a link's device when the device goes (its network
    // namespace too) or the link is detached.
    uint32_t ifindex = ir::hookFamily(hook) == ir::HookFamily::Xdp
                           ? link.xdp.ifindex
                           : link.tcx.ifindex;
    if (ifindex == 0)
      return std::string("its interface was removed, or its link detached");
    if (attached.ifindex && ifindex != *attached.ifindex)
      return fmt::format("its interface now has index {}, not {}", ifindex,
                         *attached.ifindex);
    return std::nullopt;
  }
  case ir::HookFamily::Netfilter:
    return std::nullopt; // a netfilter link lives as long as its namespace
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr: {
    // A removed cgroup keeps its links until it is freed (its id shows
    // until then, 0 after); a cgroup made again at the same path is
    // another cgroup, with another id.
    if (link.cgroup.cgroupId == 0)
      return std::string("its cgroup was removed, or its link detached");
    if (!attached.cgpath)
      return std::nullopt;
    uint64_t now = cgroupIdOf(*attached.cgpath);
    if (now == link.cgroup.cgroupId)
      return std::nullopt;
    // Seen from a mount namespace without the hierarchy (`ip netns exec`
    // remounts /sys), a missing path says nothing about the cgroup.
    if (now == 0 && !isCgroup2(parentPath(*attached.cgpath)))
      return std::nullopt;
    return now == 0 ? fmt::format("its cgroup {} is gone (no cgroup there "
                                  "now)",
                                  *attached.cgpath)
                    : fmt::format("its cgroup {} was removed; the cgroup now "
                                  "at that path is another one",
                                  *attached.cgpath);
  }
  }
  return std::nullopt;
}

} // namespace bfc::load
