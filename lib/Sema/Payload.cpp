// Payload parsers. Numbers go through the C library exactly as bpfilter
// does (strtoul/strtoll/strtod/inet_pton), so the accepted forms agree with
// it on every corner (bases, signs, leading zeros); the work done here is
// to say *why* a payload is wrong.

#include "bfc/Sema/Payload.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "PayloadLexing.h"
#include "Suggestions.h"
#include "bfc/Support/Text.h"

namespace bfc::sema {

using namespace detail;

namespace {

/// A `START-END` payload: `what` names it in messages.
struct RangeSpec {
  std::string_view what;     ///< "port range"
  std::string_view expected; ///< "START-END with decimal ports, e.g. ..."
  std::string_view bound;    ///< "decimal port in 0..65535"
  unsigned long max;
  std::optional<unsigned long> (*parseBound)(const std::string &);
};

/// The two bounds of a `START-END` payload, each in 0..max; their order is
/// the caller's to check (the messages differ).
Expected<std::pair<unsigned long, unsigned long>>
parseRangeBounds(std::string_view text, const RangeSpec &spec) {
  size_t dash = text.find('-');
  if (text.empty() || !isIntRangeShape(text) || !isDigit(text[0]) ||
      dash == std::string_view::npos || dash + 1 == text.size())
    return fail(fmt::format("invalid {} '{}': expected {}", spec.what, text,
                            spec.expected));
  struct Part {
    std::string_view name;
    size_t offset;
    std::string_view text;
  };
  const Part parts[] = {{"start", 0, text.substr(0, dash)},
                        {"end", dash + 1, text.substr(dash + 1)}};
  unsigned long bounds[2] = {};
  for (size_t i = 0; i < 2; ++i) {
    const Part &part = parts[i];
    auto v = spec.parseBound(std::string(part.text));
    if (!v || *v > spec.max)
      return fail(fmt::format("invalid {} '{}': {} '{}' is not a {}", spec.what,
                              text, part.name, part.text, spec.bound),
                  part.offset, part.text.size());
    bounds[i] = *v;
  }
  return std::pair(bounds[0], bounds[1]);
}

bool startsWithHexPrefix(std::string_view s) {
  if (!s.empty() && s[0] == '-')
    s.remove_prefix(1);
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/// A name from `table` or a number in 0..max (decimal or hexadecimal).
struct NamedNumberSpec {
  std::span<const ir::NamedValue<uint8_t>> table; ///< may be empty
  unsigned long max;
  std::string_view what;     ///< "protocol"
  std::string_view expected; ///< "a protocol name or a number in 0..255"
};

Expected<unsigned long> parseNamedNumber(std::string_view text,
                                         PayloadContext ctx,
                                         const NamedNumberSpec &spec) {
  if (text.empty())
    return fail(fmt::format("missing {}", spec.what));
  std::string s(text);
  if (ctx == PayloadContext::Matcher && !isNameShape(text))
    return fail(fmt::format("invalid {} '{}': expected {}", spec.what, text,
                            spec.expected));
  if (auto named = ir::valueOfName(spec.table, text))
    return static_cast<unsigned long>(*named);
  if (auto v = strtoulDecOrHex(s)) {
    if (*v <= spec.max)
      return *v;
    return fail(fmt::format("invalid {} '{}': must be in 0..{}", spec.what,
                            text, spec.max));
  }
  // Looks like a number (sign, digits, 0x): say it is not a valid one.
  if (isDigit(text[0]) || text[0] == '-' || spec.table.empty())
    return fail(fmt::format("invalid {} '{}': expected {}", spec.what, text,
                            spec.expected));
  return fail(fmt::format("unknown {} '{}' (expected {}){}", spec.what, text,
                          spec.expected,
                          didYouMean(suggestName(text, spec.table))));
}

/// parseNamedNumber() for the one-byte fields.
Expected<uint8_t> parseNamedByte(std::string_view text, PayloadContext ctx,
                                 const NamedNumberSpec &spec) {
  auto v = parseNamedNumber(text, ctx, spec);
  if (!v)
    return v.error();
  return static_cast<uint8_t>(*v);
}

// ------------------------------------------------------ address details --

/// Why `text` is not a dotted-quad IPv4 address (inet_pton rejected it): the
/// reason alone, the caller names the payload.
Error ipv4Problem(std::string_view text) {
  static constexpr std::string_view kExpected =
      "expected four decimal numbers in 0..255 separated by dots";
  if (text.find('/') != std::string_view::npos)
    return fail("a prefix length is not allowed here (use ip4.snet or "
                "ip4.dnet)");
  if (std::count(text.begin(), text.end(), '.') != 3)
    return fail(std::string(kExpected));
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    std::string_view part = text.substr(start, dot == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : dot - start);
    if (part.empty())
      return fail(std::string(kExpected));
    if (!allOf(part, isDigit))
      return fail(fmt::format("'{}' is not a decimal number in 0..255", part),
                  start, part.size());
    if (part.size() > 1 && part[0] == '0')
      return fail(fmt::format("'{}' has a leading zero", part), start,
                  part.size());
    if (part.size() > 3 || std::stoi(std::string(part)) > 255)
      return fail(fmt::format("'{}' is not in 0..255", part), start,
                  part.size());
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return fail(std::string(kExpected));
}

/// Why `text` is not an IPv6 address (inet_pton rejected it): the reason
/// alone, the caller names the payload.
Error ipv6Problem(std::string_view text, PayloadContext ctx) {
  static constexpr std::string_view kExpected =
      "expected up to eight groups of 1 to 4 hexadecimal digits separated by "
      "':', '::' standing for consecutive zero groups";
  if (text.find('/') != std::string_view::npos)
    return fail("a prefix length is not allowed here (use ip6.snet or "
                "ip6.dnet)");
  if (ctx == PayloadContext::Matcher &&
      text.find('.') != std::string_view::npos)
    return fail("embedded IPv4 notation is not supported, write the last 32 "
                "bits as two hexadecimal groups");
  for (size_t i = 0; i < text.size(); ++i)
    if (!isHexDigit(text[i]) && text[i] != ':' && text[i] != '.') {
      // Quote the whole character, not one byte of it.
      std::string_view character = firstCharacter(text.substr(i));
      return fail(fmt::format("'{}' is not a hexadecimal digit", character), i,
                  character.size());
    }
  size_t first = text.find("::");
  if (first != std::string_view::npos &&
      text.find("::", first + 1) != std::string_view::npos)
    return fail("'::' may appear only once");
  size_t start = 0;
  while (start <= text.size()) {
    size_t colon = text.find(':', start);
    size_t end = colon == std::string_view::npos ? text.size() : colon;
    if (end - start > 4 &&
        text.substr(start, end - start).find('.') == std::string_view::npos)
      return fail(fmt::format("group '{}' has more than 4 hexadecimal digits",
                              text.substr(start, end - start)),
                  start, end - start);
    if (colon == std::string_view::npos)
      break;
    start = colon + 1;
  }
  return fail(std::string(kExpected));
}

/// The prefix length after `slash` in network `text` (named `what`): a
/// decimal number in 0..maxLen, and `shapeOk` says the lexer took the text.
Expected<uint8_t> parsePrefixLength(std::string_view what,
                                    std::string_view text, size_t slash,
                                    unsigned maxLen, bool shapeOk) {
  std::string_view prefixText = text.substr(slash + 1);
  auto prefix = strtoulWhole(std::string(prefixText), 10);
  if (!shapeOk || !prefix || *prefix > maxLen)
    return fail(fmt::format("invalid {} '{}': prefix length '{}' is not a "
                            "decimal number in 0..{}",
                            what, text, prefixText, maxLen),
                slash + 1, prefixText.size());
  return static_cast<uint8_t>(*prefix);
}

/// `reason` about the payload `text`, named as `what`.
Error invalid(std::string_view what, std::string_view text, Error reason) {
  reason.message =
      fmt::format("invalid {} '{}': {}", what, text, reason.message);
  return reason;
}

} // namespace

// ---------------------------------------------------------------- ports --

Expected<uint16_t> parsePort(std::string_view text, PayloadContext ctx) {
  if (text.empty())
    return fail("missing port number");
  if (ctx == PayloadContext::Matcher && !isIntRangeShape(text))
    return fail(fmt::format(
        "invalid port '{}': expected a decimal number in 0..65535", text));
  if (auto v = strtoulWhole(std::string(text), 10)) {
    if (*v <= 65535)
      return static_cast<uint16_t>(*v);
    return fail(fmt::format("invalid port '{}': must be in 0..65535", text));
  }
  if (startsWithHexPrefix(text))
    return fail(fmt::format("invalid port '{}': ports are decimal, hexadecimal "
                            "is not accepted",
                            text));
  if (text.find('-', 1) != std::string_view::npos)
    return fail(fmt::format("invalid port '{}': a port range needs the 'range' "
                            "operator",
                            text));
  return fail(fmt::format(
      "invalid port '{}': expected a decimal number in 0..65535", text));
}

Expected<PortRange> parsePortRange(std::string_view text) {
  auto bounds = parseRangeBounds(
      text, {"port range", "START-END with decimal ports, e.g. 1024-65535",
             "decimal port in 0..65535", 65535,
             [](const std::string &s) { return strtoulWhole(s, 10); }});
  if (!bounds)
    return bounds.error();
  auto [low, high] = *bounds;
  if (high < low)
    return fail(fmt::format("invalid port range '{}': start {} is greater than "
                            "end {}",
                            text, low, high));
  return PortRange{static_cast<uint16_t>(low), static_cast<uint16_t>(high)};
}

// ------------------------------------------------------------ flow hash --

Expected<uint32_t> parseFlowHash(std::string_view text) {
  if (text.empty())
    return fail("missing flow hash value");
  if (!isIntRangeShape(text))
    return fail(fmt::format("invalid flow hash '{}': expected a decimal or "
                            "hexadecimal number in 0..0xffffffff",
                            text));
  if (auto v = strtoulDecOrHex(std::string(text))) {
    if (*v <= UINT32_MAX)
      return static_cast<uint32_t>(*v);
    return fail(
        fmt::format("invalid flow hash '{}': must be in 0..0xffffffff", text));
  }
  if (text.find('-', 1) != std::string_view::npos)
    return fail(fmt::format("invalid flow hash '{}': a range needs the 'range' "
                            "operator",
                            text));
  return fail(fmt::format("invalid flow hash '{}': expected a decimal or "
                          "hexadecimal number in 0..0xffffffff",
                          text));
}

Expected<U32Range> parseFlowHashRange(std::string_view text) {
  auto bounds = parseRangeBounds(
      text,
      {"flow hash range", "START-END with 32-bit decimal or hexadecimal values",
       "value in 0..0xffffffff", UINT32_MAX, strtoulDecOrHex});
  if (!bounds)
    return bounds.error();
  auto [low, high] = *bounds;
  if (high < low)
    return fail(fmt::format("invalid flow hash range '{}': start is greater "
                            "than end",
                            text));
  return U32Range{static_cast<uint32_t>(low), static_cast<uint32_t>(high)};
}

// ----------------------------------------------------------------- mark --

Expected<uint32_t> parseMark(std::string_view text) {
  if (text.empty())
    return fail("missing mark value");
  std::string s(text);
  char *end = nullptr;
  long long v = isIntShape(text) ? std::strtoll(s.c_str(), &end, 0) : 0;
  if (!isIntShape(text) || *end != '\0')
    return fail(fmt::format("invalid mark '{}': expected an integer (decimal, "
                            "0x hexadecimal or 0 octal)",
                            text));
  if (v < 0)
    return fail(fmt::format("invalid mark '{}': must not be negative", text));
  if (v > static_cast<long long>(UINT32_MAX))
    return fail(
        fmt::format("invalid mark '{}': must be at most 0xffffffff", text));
  return static_cast<uint32_t>(v);
}

// ---------------------------------------------------------- probability --

Expected<double> parseProbability(std::string_view text) {
  if (text.empty())
    return fail("missing probability");
  size_t n = matchDecimal(text);
  if (n == 0 || n + 1 != text.size() || text[n] != '%')
    return fail(fmt::format("invalid probability '{}': expected a percentage "
                            "such as 50% or 33.33%",
                            text));
  double v = std::strtod(std::string(text.substr(0, n)).c_str(), nullptr);
  if (!(v >= 0.0 && v <= 100.0))
    return fail(
        fmt::format("invalid probability '{}': must be in 0%..100%", text));
  return v;
}

// ------------------------------------------------------------ protocols --

Expected<uint16_t> parseL3Proto(std::string_view text, PayloadContext ctx) {
  if (auto type = ir::etherTypeFromName(text))
    return *type;
  // Names are handled above: the EtherType table feeds suggestions only.
  auto v = parseNamedNumber(text, ctx,
                            {{},
                             0xffff,
                             "network protocol",
                             "ipv4, ipv6 or an EtherType in 0..0xffff"});
  if (!v) {
    Error e = v.error();
    if (!text.empty() && !isDigit(text[0]) && text[0] != '-')
      e.message = fmt::format(
          "unknown network protocol '{}' (expected ipv4, "
          "ipv6 or an EtherType in 0..0xffff){}",
          text, didYouMean(suggestName(text, ir::etherTypeNames())));
    return e;
  }
  return static_cast<uint16_t>(*v);
}

Expected<uint8_t> parseL4Proto(std::string_view text, PayloadContext ctx) {
  return parseNamedByte(
      text, ctx,
      {ir::ipProtoNames(), 255, "protocol",
       "a protocol name such as tcp, udp, icmp, icmpv6, gre, or a number in "
       "0..255"});
}

Expected<uint8_t> parseDscp(std::string_view text, PayloadContext ctx) {
  return parseNamedByte(
      text, ctx,
      {ir::dscpNames(), 63, "DSCP value",
       "a class name (ef, be, le, nqb, voice-admit, cs0..cs7, af11..af43) or "
       "a number in 0..63"});
}

Expected<uint8_t> parseIcmpType(std::string_view text, PayloadContext ctx) {
  return parseNamedByte(
      text, ctx,
      {ir::icmpTypeNames(), 255, "ICMP type",
       "a type name such as echo-request, or a number in 0..255"});
}

Expected<uint8_t> parseIcmpv6Type(std::string_view text, PayloadContext ctx) {
  return parseNamedByte(
      text, ctx,
      {ir::icmpv6TypeNames(), 255, "ICMPv6 type",
       "a type name such as echo-request, or a number in 0..255"});
}

Expected<uint8_t> parseIcmpCode(std::string_view text, bool icmpv6,
                                PayloadContext ctx) {
  std::string_view what = icmpv6 ? "ICMPv6 code" : "ICMP code";
  if (ctx == PayloadContext::Matcher && !text.empty() && !isIntShape(text))
    return fail(fmt::format("invalid {} '{}': expected a decimal or "
                            "hexadecimal number in 0..255",
                            what, text));
  return parseNamedByte(
      text, ctx, {{}, 255, what, "a decimal or hexadecimal number in 0..255"});
}

Expected<uint8_t> parseTcpFlags(std::string_view text) {
  static constexpr std::string_view kExpected =
      "fin, syn, rst, psh, ack, urg, ece or cwr";
  if (text.empty())
    return fail("missing TCP flags");
  if (!isTcpFlagsShape(text)) {
    size_t empty = text.find(",,");
    if (text[0] == ',')
      empty = 0;
    if (empty != std::string_view::npos)
      return fail(
          fmt::format("invalid TCP flags '{}': empty flag in the list", text),
          empty, empty == 0 ? 1 : 2);
    return fail(fmt::format("invalid TCP flags '{}': expected a "
                            "comma-separated list of {}",
                            text, kExpected));
  }
  uint8_t flags = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    size_t end = comma == std::string_view::npos ? text.size() : comma;
    std::string_view name = text.substr(start, end - start);
    auto bit = ir::tcpFlagFromName(name);
    if (!bit)
      return fail(
          fmt::format("unknown TCP flag '{}' (expected {}){}", name, kExpected,
                      didYouMean(suggestName(name, ir::tcpFlagNames()))),
          start, name.size());
    flags |= *bit;
    start = end + 1;
  }
  return flags;
}

// ------------------------------------------------------------ addresses --

Expected<Ipv4Addr> parseIpv4Addr(std::string_view text, PayloadContext ctx) {
  if (text.empty())
    return fail("missing IPv4 address");
  Ipv4Addr addr{};
  if ((ctx == PayloadContext::SetElement || isIpv4Shape(text, false)) &&
      inet_pton(AF_INET, std::string(text).c_str(), addr.data()) == 1)
    return addr;
  return invalid("IPv4 address", text, ipv4Problem(text));
}

Expected<Ipv4Net> parseIpv4Net(std::string_view text, PayloadContext ctx) {
  if (text.empty())
    return fail("missing IPv4 network");
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash + 1 == text.size())
    return fail(fmt::format("invalid IPv4 network '{}': expected "
                            "ADDRESS/PREFIX with a prefix length in 0..32, "
                            "e.g. 10.0.0.0/8",
                            text));
  std::string_view addrText = text.substr(0, slash);
  Ipv4Net net;
  bool shapeOk = ctx == PayloadContext::SetElement || isIpv4Shape(text, true);
  if (!isDigit(text[0]) ||
      inet_pton(AF_INET, std::string(addrText).c_str(), net.addr.data()) != 1) {
    return invalid("IPv4 network", text, ipv4Problem(addrText));
  }
  auto prefix = parsePrefixLength("IPv4 network", text, slash, 32, shapeOk);
  if (!prefix)
    return prefix.error();
  net.prefixLen = *prefix;
  return net;
}

Expected<Ipv6Addr> parseIpv6Addr(std::string_view text, PayloadContext ctx) {
  if (text.empty())
    return fail("missing IPv6 address");
  Ipv6Addr addr{};
  if ((ctx == PayloadContext::SetElement || isIpv6Shape(text, false)) &&
      inet_pton(AF_INET6, std::string(text).c_str(), addr.data()) == 1)
    return addr;
  return invalid("IPv6 address", text, ipv6Problem(text, ctx));
}

Expected<Ipv6Net> parseIpv6Net(std::string_view text, PayloadContext ctx) {
  if (text.empty())
    return fail("missing IPv6 network");
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash + 1 == text.size() || slash == 0)
    return fail(fmt::format("invalid IPv6 network '{}': expected "
                            "ADDRESS/PREFIX with a prefix length in 0..128, "
                            "e.g. 2001:db8::/32",
                            text));
  std::string_view addrText = text.substr(0, slash);
  Ipv6Net net;
  bool shapeOk = ctx == PayloadContext::SetElement || isIpv6Shape(text, true);
  if ((!shapeOk && addrText.find('.') != std::string_view::npos) ||
      inet_pton(AF_INET6, std::string(addrText).c_str(), net.addr.data()) !=
          1) {
    return invalid("IPv6 network", text, ipv6Problem(addrText, ctx));
  }
  auto prefix = parsePrefixLength("IPv6 network", text, slash, 128, shapeOk);
  if (!prefix)
    return prefix.error();
  net.prefixLen = *prefix;
  return net;
}

// ----------------------------------------------------------- interfaces --

Expected<IfaceRef> parseIface(std::string_view text, bool allowUnderscore) {
  if (text.empty())
    return fail("missing interface name or index");
  if (allOf(text, isDigit)) {
    auto v = strtoulWhole(std::string(text), 10);
    if (!v || errno == ERANGE || *v == 0 || *v > UINT32_MAX)
      return fail(fmt::format("invalid interface index '{}': must be in "
                              "1..4294967295",
                              text));
    return IfaceRef{"", static_cast<uint32_t>(*v)};
  }
  if (text[0] == '-' && allOf(text.substr(1), isDigit))
    return fail(fmt::format(
        "invalid interface index '{}': must be in 1..4294967295", text));
  if (isDigit(text[0]) || text[0] == '-')
    return fail(fmt::format("invalid interface '{}': expected an interface "
                            "name or a decimal index",
                            text));
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!isAlnum(c) && c != '-' && !(allowUnderscore && c == '_')) {
      std::string_view character = firstCharacter(text.substr(i));
      return fail(fmt::format("invalid interface name '{}': '{}' is not "
                              "allowed (letters, digits and '-'{})",
                              text, character, allowUnderscore ? ", '_'" : ""),
                  i, character.size());
    }
  }
  if (text.size() > kMaxIfaceNameLen)
    return fail(fmt::format("invalid interface name '{}': longer than {} "
                            "characters",
                            text, kMaxIfaceNameLen));
  return IfaceRef{std::string(text), 0};
}

} // namespace bfc::sema
