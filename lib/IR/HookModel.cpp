#include "bfc/IR/HookModel.h"

#include <array>
#include <initializer_list>
#include <span>
#include <utility>

#include <fmt/format.h>

namespace bfc::ir {

namespace {

using FieldMask = uint32_t;
static_assert(kNumFields <= 32);

constexpr FieldMask fields(std::initializer_list<FieldId> list) {
  FieldMask mask = 0;
  for (FieldId f : list)
    mask |= FieldMask{1} << static_cast<unsigned>(f);
  return mask;
}

constexpr FieldMask kAllFields = (FieldMask{1} << kNumFields) - 1;
// skb fields: XDP has no skb; only TC computes the flow hash
// (bpf_get_hash_recalc is not offered to the other program types).
constexpr FieldMask kSkbFields =
    fields({FieldId::MetaMark, FieldId::MetaFlowHash});
constexpr FieldMask kFlowHash = fields({FieldId::MetaFlowHash});

// sock_addr hooks see the socket call: its family and protocol, the
// destination address and port, and the source address on sendmsg. The
// sendmsg hooks run for UDP sockets only (the kernel's UDP4/UDP6_SENDMSG
// attach types): no TCP destination port.
constexpr FieldMask kSockCall =
    fields({FieldId::MetaL3Proto, FieldId::MetaL4Proto, FieldId::L4Dport,
            FieldId::UdpDport});
constexpr FieldMask kConnect4 =
    kSockCall |
    fields({FieldId::Ip4Daddr, FieldId::Ip4Proto, FieldId::TcpDport});
constexpr FieldMask kSendmsg4 =
    kSockCall |
    fields({FieldId::Ip4Daddr, FieldId::Ip4Proto, FieldId::Ip4Saddr});
constexpr FieldMask kConnect6 =
    kSockCall | fields({FieldId::Ip6Daddr, FieldId::TcpDport});
constexpr FieldMask kSendmsg6 =
    kSockCall | fields({FieldId::Ip6Daddr, FieldId::Ip6Saddr});

/// Return codes per hook family (docs/semantics.md, "Return codes").
struct CodeName {
  int32_t code;
  std::string_view name;
};
struct ReturnCodes {
  int32_t accept, drop, next;
  /// What bpf_redirect() returns on success; none without redirects.
  std::optional<int32_t> redirect;
  std::span<const CodeName> names;
};

constexpr CodeName kXdpNames[] = {{0, "XDP_ABORTED"},
                                  {1, "XDP_DROP"},
                                  {2, "XDP_PASS"},
                                  {3, "XDP_TX"},
                                  {4, "XDP_REDIRECT"}};
constexpr CodeName kTcxNames[] = {
    {-1, "TCX_NEXT"}, {0, "TCX_PASS"}, {2, "TCX_DROP"}, {7, "TCX_REDIRECT"}};
constexpr CodeName kNetfilterNames[] = {{0, "NF_DROP"}, {1, "NF_ACCEPT"}};
constexpr CodeName kCgroupNames[] = {{0, "deny"}, {1, "allow"}};

constexpr ReturnCodes kXdpCodes = {
    .accept = 2, .drop = 1, .next = 2, .redirect = 4, .names = kXdpNames};
constexpr ReturnCodes kTcxCodes = {
    .accept = 0, .drop = 2, .next = -1, .redirect = 7, .names = kTcxNames};
// NF_ACCEPT (1) / NF_DROP (0) coincide with cgroup allow/deny.
constexpr ReturnCodes kNetfilterCodes = {
    .accept = 1, .drop = 0, .next = 1, .names = kNetfilterNames};
constexpr ReturnCodes kCgroupCodes = {
    .accept = 1, .drop = 0, .next = 1, .names = kCgroupNames};

/// What the hooks of one family share.
struct FamilyFacts {
  HookFamily family;
  const ReturnCodes &codes;
  bool l2 = false;         ///< packets start with Ethernet
  bool socketCall = false; ///< no packet: what the call lacks is Absent
  /// meta.flow_probability; netfilter: the language rejects it (bpfilter).
  bool flowProbability = false;
  /// netfilter reads skb->mark through BTF, cannot write it.
  bool setsMark = false;
  /// bpf_redirect(); XDP's has no ingress.
  bool redirectsOut = false, redirectsIn = false;
};

constexpr FamilyFacts kXdp = {.family = HookFamily::Xdp,
                              .codes = kXdpCodes,
                              .l2 = true,
                              .flowProbability = true,
                              .redirectsOut = true};
constexpr FamilyFacts kTc = {.family = HookFamily::Tc,
                             .codes = kTcxCodes,
                             .l2 = true,
                             .flowProbability = true,
                             .setsMark = true,
                             .redirectsOut = true,
                             .redirectsIn = true};
constexpr FamilyFacts kNetfilter = {.family = HookFamily::Netfilter,
                                    .codes = kNetfilterCodes};
constexpr FamilyFacts kCgroupSkb = {.family = HookFamily::CgroupSkb,
                                    .codes = kCgroupCodes,
                                    .flowProbability = true,
                                    .setsMark = true};
constexpr FamilyFacts kSockAddr = {.family = HookFamily::CgroupSockAddr,
                                   .codes = kCgroupCodes,
                                   .socketCall = true};

/// One row per hook, in Hook order.
struct HookFacts {
  const FamilyFacts &shared;
  FieldMask visibleFields;
  bool egress;          ///< meta.iface is the output interface
  unsigned nfHook;      ///< NF_INET_*; POST_ROUTING's for other hooks
  unsigned sockFamily;  ///< sock_addr: 4 or 6; 0 for other hooks
  bool connect = false; ///< sock_addr: connect, else sendmsg
};

constexpr FieldMask kNoFlowHash = kAllFields & ~kFlowHash;
constexpr std::array<HookFacts, kNumHooks> kHooks = {{
    {kXdp, kAllFields & ~kSkbFields, false, 4, 0}, // XDP
    {kTc, kAllFields, false, 4, 0},                // TC_INGRESS
    {kTc, kAllFields, true, 4, 0},                 // TC_EGRESS
    {kNetfilter, kNoFlowHash, false, 0, 0},        // NF_PRE_ROUTING
    {kNetfilter, kNoFlowHash, false, 1, 0},        // NF_LOCAL_IN
    {kNetfilter, kNoFlowHash, false, 2, 0},        // NF_FORWARD
    {kNetfilter, kNoFlowHash, true, 3, 0},         // NF_LOCAL_OUT
    {kNetfilter, kNoFlowHash, true, 4, 0},         // NF_POST_ROUTING
    {kCgroupSkb, kNoFlowHash, false, 4, 0},        // CGROUP_SKB_INGRESS
    {kCgroupSkb, kNoFlowHash, true, 4, 0},         // CGROUP_SKB_EGRESS
    {kSockAddr, kConnect4, false, 4, 4, true},     // CONNECT4
    {kSockAddr, kConnect6, false, 4, 6, true},     // CONNECT6
    {kSockAddr, kSendmsg4, false, 4, 4},           // SENDMSG4
    {kSockAddr, kSendmsg6, false, 4, 6},           // SENDMSG6
}};

const HookFacts &facts(Hook hook) {
  return kHooks[static_cast<unsigned>(hook)];
}

Visibility visibility(Hook hook, bool visible) {
  if (visible)
    return Visibility::Visible;
  return facts(hook).shared.socketCall ? Visibility::Absent
                                       : Visibility::Unsupported;
}

} // namespace

HookFamily hookFamily(Hook hook) { return facts(hook).shared.family; }

bool hookHasL2(Hook hook) { return facts(hook).shared.l2; }

bool hookIsEgress(Hook hook) { return facts(hook).egress; }

unsigned sockAddrFamily(Hook hook) { return facts(hook).sockFamily; }

bool sockAddrIsConnect(Hook hook) { return facts(hook).connect; }

unsigned netfilterHookNumber(Hook hook) { return facts(hook).nfHook; }

Visibility fieldVisibility(Hook hook, FieldId field) {
  return visibility(hook, facts(hook).visibleFields &
                              (FieldMask{1} << static_cast<unsigned>(field)));
}

Visibility ifaceVisibility(Hook hook) {
  return visibility(hook, !facts(hook).shared.socketCall);
}

Visibility flowProbabilityVisibility(Hook hook) {
  return visibility(hook, facts(hook).shared.flowProbability);
}

Visibility ip6HeaderChainVisibility(Hook hook) {
  return visibility(hook, !facts(hook).shared.socketCall);
}

Visibility predicateVisibility(Hook hook, const Predicate &pred,
                               const Chain &chain, std::string_view *what) {
  auto named = [&](Visibility v, std::string_view name) {
    if (what)
      *what = name;
    return v;
  };
  switch (pred.kind) {
  case Predicate::Kind::Field:
    return named(fieldVisibility(hook, pred.field), fieldInfo(pred.field).name);
  case Predicate::Kind::Iface:
    return named(ifaceVisibility(hook), "meta.iface");
  case Predicate::Kind::Probability:
    if (!pred.perFlow)
      return named(Visibility::Visible, "meta.probability");
    return named(flowProbabilityVisibility(hook), "meta.flow_probability");
  case Predicate::Kind::Ip6HeaderChain:
    return named(ip6HeaderChainVisibility(hook), "ip6.nexthdr");
  case Predicate::Kind::Set:
    break;
  }
  Visibility worst = Visibility::Visible;
  if (pred.set >= chain.sets.size())
    return worst;
  for (FieldId field : chain.sets[pred.set].key) {
    Visibility v = fieldVisibility(hook, field);
    if (static_cast<uint8_t>(v) > static_cast<uint8_t>(worst))
      worst = named(v, fieldInfo(field).name);
  }
  return worst;
}

std::string notAvailableMessage(std::string_view what, Hook hook) {
  return fmt::format("{} is not available on {}", what, hookName(hook));
}

bool hookCanSetMark(Hook hook) { return facts(hook).shared.setsMark; }

bool hookCanRedirect(Hook hook, RedirectDir dir) {
  const FamilyFacts &shared = facts(hook).shared;
  return dir == RedirectDir::In ? shared.redirectsIn : shared.redirectsOut;
}

std::optional<int32_t> hookReturnCode(Hook hook, Verdict verdict) {
  const ReturnCodes &codes = facts(hook).shared.codes;
  switch (verdict) {
  case Verdict::Accept:
    return codes.accept;
  case Verdict::Drop:
    return codes.drop;
  case Verdict::Next:
    return codes.next;
  case Verdict::Redirect:
    return codes.redirect;
  case Verdict::Continue:
    break;
  }
  return std::nullopt;
}

std::string returnCodeName(Hook hook, int32_t code) {
  for (const auto &[value, name] : facts(hook).shared.codes.names)
    if (value == code)
      return std::string(name);
  return fmt::format("{}", code);
}

} // namespace bfc::ir
