// BFIR: bfc's intermediate representation of a ruleset.
//
// A Module holds chains; a chain holds sets and an ordered list of rules; a
// rule is a conjunction of typed predicates over packet fields plus options
// and a verdict. Predicates name *fields* (header, offset, width, mask), not
// matcher keywords, so passes, the interpreter and code generation share one
// description of where every value lives in a packet.
//
// Values are byte strings in network byte order, `width` bytes long, exactly
// as the field appears on the wire (metadata fields: big-endian encoding of
// the host integer). This makes set keys the plain concatenation of their
// components.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::ir {

using Bytes = std::vector<uint8_t>;

// Values are encoded with Support's byte operations; ir:: names them too,
// since the encoding is part of BFIR's definition.
using bfc::fromBigEndian;
using bfc::toBigEndian;

// ---------------------------------------------------------------- hooks ----

enum class Hook : uint8_t {
  Xdp,
  TcIngress,
  TcEgress,
  NfPreRouting,
  NfLocalIn,
  NfForward,
  NfLocalOut,
  NfPostRouting,
  CgroupSkbIngress,
  CgroupSkbEgress,
  CgroupSockAddrConnect4,
  CgroupSockAddrConnect6,
  CgroupSockAddrSendmsg4,
  CgroupSockAddrSendmsg6,
};
inline constexpr unsigned kNumHooks = 14;

enum class HookFamily : uint8_t {
  Xdp,
  Tc,
  Netfilter,
  CgroupSkb,
  CgroupSockAddr
};

/// "BF_HOOK_XDP", ...
std::string_view hookName(Hook hook);
std::optional<Hook> hookFromName(std::string_view name);
// The hook facts below are rows of the hook model's table (HookModel.cpp).
HookFamily hookFamily(Hook hook);
/// True for hooks whose packets start with an Ethernet header (XDP, TC).
bool hookHasL2(Hook hook);
/// True for egress-side hooks (meta.iface is then the output interface).
bool hookIsEgress(Hook hook);
/// sock_addr hooks: the address family they see (4 or 6), 0 otherwise.
unsigned sockAddrFamily(Hook hook);
/// sock_addr hooks: connect (true) or sendmsg (false).
bool sockAddrIsConnect(Hook hook);
/// Netfilter hooks: the kernel's hook number (NF_INET_PRE_ROUTING = 0 to
/// NF_INET_POST_ROUTING = 4), as bpf_link attaches and test runs need it.
/// Other hooks give POST_ROUTING's number.
unsigned netfilterHookNumber(Hook hook);

/// Hook options as written in the source: defaults stored in the object, the
/// loader may override them.
struct HookOptions {
  std::optional<uint32_t> ifindex;
  std::optional<std::string> cgpath;
  std::optional<std::pair<int32_t, int32_t>> priorities;
  bool familyGiven = false; ///< deprecated `family=`, accepted and ignored
};

// ------------------------------------------------------------- verdicts ----

enum class Verdict : uint8_t { Accept, Drop, Continue, Next, Redirect };
enum class RedirectDir : uint8_t { In, Out };

std::string_view verdictName(Verdict v); ///< "ACCEPT", ...

// ----------------------------------------------------- protocols/fields ----

/// A header a predicate needs. `TcpOrUdp` is the meta.sport/dport case.
enum class Proto : uint8_t {
  None, ///< metadata, always available
  Ip4,
  Ip6,
  Tcp,
  Udp,
  TcpOrUdp,
  Icmp,
  Icmpv6,
};
std::string_view protoName(Proto p);

enum class FieldId : uint8_t {
  // Metadata (Proto::None).
  MetaIfindex,  ///< input interface (output on egress hooks), 4 bytes
  MetaMark,     ///< skb mark, 4 bytes
  MetaFlowHash, ///< skb hash, 4 bytes
  MetaL3Proto,  ///< EtherType, 2 bytes
  MetaL4Proto,  ///< transport protocol after IPv6 extension headers, 1 byte;
                ///< 0 when the packet has no IPv4/IPv6 header
  // TCP or UDP ports (meta.sport / meta.dport).
  L4Sport,
  L4Dport,
  // IPv4.
  Ip4Saddr,
  Ip4Daddr,
  Ip4Proto,
  Ip4Dscp,
  // IPv6.
  Ip6Saddr,
  Ip6Daddr,
  Ip6Nexthdr, ///< next header of the fixed IPv6 header
  Ip6Dscp,
  // Transport.
  TcpSport,
  TcpDport,
  TcpFlags,
  UdpSport,
  UdpDport,
  IcmpType,
  IcmpCode,
  Icmpv6Type,
  Icmpv6Code,
};
inline constexpr unsigned kNumFields = 24;

/// Where a field lives: in header `proto` at byte `offset`, `width` bytes;
/// the value is `(load(offset, width) & mask) >> shift` for masked fields
/// (mask == 0 means the whole field).
struct FieldInfo {
  FieldId id;
  std::string_view name; ///< stable name used in BFIR text, e.g. "ip4.saddr"
  Proto proto;
  uint16_t offset;
  uint8_t width; ///< bytes of the *value* (after mask/shift)
  uint32_t mask; ///< applied to the big-endian load of `loadWidth` bytes
  uint8_t shift;
  uint8_t loadWidth; ///< bytes loaded from the header
};
const FieldInfo &fieldInfo(FieldId id);
std::optional<FieldId> fieldFromName(std::string_view name);

// ----------------------------------------------------------- predicates ----

enum class CmpOp : uint8_t {
  Eq,      ///< field == value (on the first `prefixLen` bits if set)
  Range,   ///< value <= field <= high, as unsigned integers
  AnyBits, ///< (field & value) != 0
  AllBits, ///< (field & value) == value
};
std::string_view cmpOpName(CmpOp op);

/// One condition of a rule. A predicate whose header is absent from the
/// packet is false, *whatever* `negate` says; otherwise its value is
/// `negate XOR test`.
struct Predicate {
  enum class Kind : uint8_t {
    Field,          ///< compare a packet/metadata field with a constant
    Iface,          ///< meta.iface against a host slot or a literal ifindex
    Probability,    ///< random per packet, or per flow (5-tuple hash)
    Ip6HeaderChain, ///< any header of the IPv6 chain (fixed nexthdr, ext
                    ///< headers, transport) is `proto`
    Set,            ///< key built from the set's fields is in the set
  };
  Kind kind = Kind::Field;
  bool negate = false;

  // Field
  FieldId field = FieldId::MetaMark;
  CmpOp op = CmpOp::Eq;
  Bytes value; ///< Eq/AnyBits/AllBits operand, Range low bound
  Bytes high;  ///< Range high bound
  /// Eq on address fields: number of leading bits compared (network
  /// matchers); nullopt compares the whole field.
  std::optional<uint8_t> prefixLen;

  // Iface
  std::optional<uint32_t> hostSlot; ///< index in Module::hostSlots
  uint32_t ifindex = 0;             ///< literal index when no host slot

  // Probability
  double percent = 0; ///< [0, 100]
  bool perFlow = false;

  // Ip6HeaderChain
  uint8_t protocol = 0;

  // Set
  uint32_t set = 0; ///< index in Chain::sets

  /// The matcher text and where it came from.
  std::string text;
  SourceRange range;
};

// ----------------------------------------------------------------- sets ----

struct SetElement {
  Bytes key;             ///< concatenation of the components' values
  uint8_t prefixLen = 0; ///< LPM sets: the network prefix length
  SourceRange range;
};

struct Set {
  std::string name; ///< user name, or "__anon<N>" for inline sets
  bool anonymous = false;
  std::vector<FieldId> key; ///< component fields, in key order
  /// Longest-prefix-match set: exactly one address component (ip4/ip6
  /// snet/dnet in the source); elements carry a prefix length.
  bool lpm = false;
  std::vector<SetElement> elements;
  SourceRange range;

  /// Bytes of a packed key (sum of the components' widths).
  unsigned keySize() const;
};

// ---------------------------------------------------------------- rules ----

/// `log` header selection (bitmask).
enum LogHeaders : uint8_t {
  kLogLink = 1 << 0,
  kLogInternet = 1 << 1,
  kLogTransport = 1 << 2,
  kLogAll = kLogLink | kLogInternet | kLogTransport,
};

struct LogSpec {
  bool enabled = false;
  uint8_t headers = 0; ///< LogHeaders bitmask
  uint64_t rateNs = 0; ///< `every FREQ`; 0 = every match
};

struct Rule {
  uint32_t index = 0; ///< position in the chain, 0-based, also its counter slot
  std::vector<Predicate> predicates; ///< ANDed
  /// No packet matches the rule (a pass proved it): it has no predicates,
  /// keeps its index, counter slot and options, and generated code tests
  /// nothing for it. Printed as a `never` line.
  bool neverMatches = false;
  LogSpec log;
  bool counter = false;
  std::optional<uint32_t> mark;
  Verdict verdict = Verdict::Accept;
  // Redirect
  std::optional<uint32_t> redirectSlot; ///< host slot of the interface name
  uint32_t redirectIfindex = 0;         ///< literal index when no slot
  RedirectDir redirectDir = RedirectDir::Out;

  std::string text; ///< the rule's source text, for dumps and metadata
  SourceRange range;
};

struct Chain {
  std::string name;
  Hook hook = Hook::Xdp;
  bool hasOptions = false; ///< without options, loaded but not attached
  HookOptions options;
  Verdict policy = Verdict::Accept;
  std::vector<Set> sets;
  std::vector<Rule> rules;
  SourceRange range;
};

/// A value only the host knows, filled in by the loader: for now interface
/// names, resolved to an ifindex.
struct HostSlot {
  enum class Kind : uint8_t { IfaceIndex };
  Kind kind = Kind::IfaceIndex;
  std::string name; ///< interface name
};

struct Module {
  std::string sourceName;
  std::vector<Chain> chains;
  std::vector<HostSlot> hostSlots;

  /// The slot for interface `name`, added on first use.
  uint32_t internIface(const std::string &name);
};

} // namespace bfc::ir
