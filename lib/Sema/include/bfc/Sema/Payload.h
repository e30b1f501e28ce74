// Payload parsers: the text of a matcher's payload (or of a set element
// component, a rule option, a hook option) -> a typed value, or an error
// saying what was expected.
//
// The accepted syntax mirrors bpfilter's bfcli: its lexer restricts the
// *shape* of a matcher payload (e.g. ports are `-?[0-9a-zA-Z]+(-...)?`) and
// its payload parsers then decide with the C library (strtoul, strtod,
// inet_pton). Set element components skip the lexer (bpfilter reads the set
// body as one raw string), so their shape is not checked: pass
// `PayloadContext::SetElement` for them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bfc/Support/Expected.h"

namespace bfc::sema {

/// Where a payload is written: a matcher payload is lexed by shape first, a
/// set element component is not.
enum class PayloadContext { Matcher, SetElement };

using Ipv4Addr = std::array<uint8_t, 4>;
using Ipv6Addr = std::array<uint8_t, 16>;

struct PortRange {
  uint16_t low = 0;
  uint16_t high = 0;
};

struct U32Range {
  uint32_t low = 0;
  uint32_t high = 0;
};

struct Ipv4Net {
  Ipv4Addr addr{};
  uint8_t prefixLen = 0;
};

struct Ipv6Net {
  Ipv6Addr addr{};
  uint8_t prefixLen = 0;
};

/// An interface named by the user: a name (resolved by the loader) or a
/// literal index.
struct IfaceRef {
  std::string name; ///< empty when `index` is used
  uint32_t index = 0;

  bool isIndex() const { return name.empty(); }
};

/// Longest interface name Linux accepts (IFNAMSIZ - 1).
inline constexpr size_t kMaxIfaceNameLen = 15;

// ------------------------------------------------------------ numbers ----

/// A decimal port, 0..65535 (hexadecimal is rejected, as in bpfilter).
Expected<uint16_t> parsePort(std::string_view text,
                             PayloadContext ctx = PayloadContext::Matcher);
/// `START-END`, decimal ports, START <= END.
Expected<PortRange> parsePortRange(std::string_view text);
/// meta.flow_hash: a 32-bit decimal or hexadecimal value.
Expected<uint32_t> parseFlowHash(std::string_view text);
/// meta.flow_hash range: `START-END`, 32-bit values, START <= END.
Expected<U32Range> parseFlowHashRange(std::string_view text);
/// `mark` option and meta.mark: an integer (decimal, 0x hex, 0 octal) in
/// 0..0xffffffff.
Expected<uint32_t> parseMark(std::string_view text);
/// `P%` with P a decimal number in [0, 100].
Expected<double> parseProbability(std::string_view text);

// ---------------------------------------------------- protocols, names ----

/// meta.l3_proto: `ipv4`, `ipv6` (any case) or an EtherType 0..0xffff.
Expected<uint16_t> parseL3Proto(std::string_view text,
                                PayloadContext ctx = PayloadContext::Matcher);
/// meta.l4_proto, ip4.proto, ip6.nexthdr: a protocol name (any case) or a
/// number 0..255.
Expected<uint8_t> parseL4Proto(std::string_view text,
                               PayloadContext ctx = PayloadContext::Matcher);
/// ip4.dscp, ip6.dscp: a class name (any case) or 0..63.
Expected<uint8_t> parseDscp(std::string_view text,
                            PayloadContext ctx = PayloadContext::Matcher);
/// icmp.type: a type name (any case) or 0..255.
Expected<uint8_t> parseIcmpType(std::string_view text,
                                PayloadContext ctx = PayloadContext::Matcher);
/// icmpv6.type: a type name (any case) or 0..255.
Expected<uint8_t> parseIcmpv6Type(std::string_view text,
                                  PayloadContext ctx = PayloadContext::Matcher);
/// icmp.code, icmpv6.code: 0..255, decimal or hexadecimal.
Expected<uint8_t> parseIcmpCode(std::string_view text, bool icmpv6,
                                PayloadContext ctx = PayloadContext::Matcher);
/// tcp.flags: comma-separated flag names (any case); returns the flag bits
/// as in the TCP header (fin = 0x01 ... cwr = 0x80).
Expected<uint8_t> parseTcpFlags(std::string_view text);

// ---------------------------------------------------------- addresses ----

Expected<Ipv4Addr> parseIpv4Addr(std::string_view text,
                                 PayloadContext ctx = PayloadContext::Matcher);
Expected<Ipv4Net> parseIpv4Net(std::string_view text,
                               PayloadContext ctx = PayloadContext::Matcher);
Expected<Ipv6Addr> parseIpv6Addr(std::string_view text,
                                 PayloadContext ctx = PayloadContext::Matcher);
Expected<Ipv6Net> parseIpv6Net(std::string_view text,
                               PayloadContext ctx = PayloadContext::Matcher);

// --------------------------------------------------------- interfaces ----

/// meta.iface payload and REDIRECT target: a decimal index 1..0xffffffff or
/// an interface name (at most 15 characters of `[0-9a-zA-Z-]`, plus `_` for
/// REDIRECT targets).
Expected<IfaceRef> parseIface(std::string_view text, bool allowUnderscore);

// ------------------------------------------------------- rule options ----

/// `every FREQ`: a positive decimal number and a unit (ns, us, ms, s);
/// returns nanoseconds (rounded, must not round to 0).
Expected<uint64_t> parseLogRate(std::string_view text);
/// One `log` header name (any case): returns the ir::LogHeaders bit.
Expected<uint8_t> parseLogHeader(std::string_view text);

// ------------------------------------------------------- hook options ----

/// `ifindex=N`: an integer (decimal, 0x hex, 0 octal) in 0..INT_MAX.
Expected<uint32_t> parseHookIfindex(std::string_view text);
/// `priorities=A-B`: two distinct non-zero integers in 1..INT_MAX.
Expected<std::pair<int32_t, int32_t>>
parseHookPriorities(std::string_view text);
/// `family=inet4|inet6` (deprecated, ignored).
Expected<bool> parseHookFamily(std::string_view text);
/// Characters bpfilter's lexer accepts in a hook option value.
bool isValidHookOptionValue(std::string_view text);

} // namespace bfc::sema
