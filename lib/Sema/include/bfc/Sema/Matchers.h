// The matcher types of the language: their names, operators, the BFIR field
// they read, whether a hook can evaluate them (asked of the hook model), and
// how their payload is parsed into BFIR values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Sema/Payload.h"

namespace bfc::sema {

enum class MatcherType : uint8_t {
  MetaIface,
  MetaL3Proto,
  MetaL4Proto,
  MetaProbability,
  MetaSport,
  MetaDport,
  MetaMark,
  MetaFlowHash,
  MetaFlowProbability,
  Ip4Saddr,
  Ip4Snet,
  Ip4Daddr,
  Ip4Dnet,
  Ip4Proto,
  Ip4Dscp,
  Ip6Saddr,
  Ip6Snet,
  Ip6Daddr,
  Ip6Dnet,
  Ip6Nexthdr,
  Ip6Dscp,
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

enum class MatcherOp : uint8_t { Eq, Any, All, In, Range };

std::string_view opName(MatcherOp op);
std::optional<MatcherOp> opFromName(std::string_view name);

inline constexpr uint8_t opBit(MatcherOp op) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(op));
}

struct MatcherInfo {
  MatcherType type;
  std::string_view name; ///< "tcp.dport"
  /// The field read (the address field for networks; unused by the
  /// probabilities, which read no field).
  ir::FieldId field;
  uint8_t ops;          ///< opBit()s; `In` means usable as a set key
  bool network = false; ///< ip4/ip6 snet/dnet: prefix-length payload
};

const MatcherInfo *findMatcher(std::string_view name);
const MatcherInfo &matcherInfo(MatcherType type);
/// Every matcher name, for suggestions and documentation.
std::vector<std::string> matcherNames();

bool supportsOp(const MatcherInfo &info, MatcherOp op);
/// Whether `hook` sees what the matcher reads (ir::Visibility::Visible).
bool supportsHook(const MatcherInfo &info, ir::Hook hook);
/// "eq, range" (set syntax `in` excluded: it is written differently).
std::string supportedOpsText(const MatcherInfo &info);

/// A parsed payload, in BFIR terms.
struct PayloadValue {
  ir::Bytes value;                  ///< network order, the field's width
  ir::Bytes high;                   ///< Range only
  std::optional<uint8_t> prefixLen; ///< network matchers
  double percent = 0;               ///< probabilities
  IfaceRef iface;                   ///< meta.iface
};

/// Parses the payload of a `info` matcher used with `op` (for set element
/// components, op is `In` and ctx `SetElement`).
Expected<PayloadValue>
parsePayload(const MatcherInfo &info, MatcherOp op, std::string_view text,
             PayloadContext ctx = PayloadContext::Matcher);

} // namespace bfc::sema
