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

#include "Suggestions.h"
#include "bfc/Support/Text.h"

namespace bfc::sema {

namespace {

PayloadError fail(std::string message, size_t offset = 0, size_t length = 0) {
  return {std::move(message), static_cast<uint32_t>(offset),
          static_cast<uint32_t>(length)};
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isAlnum(char c) { return isDigit(c) || isAlpha(c); }
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool allOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!pred(c))
      return false;
  return true;
}

// ------------------------------------------------ bpfilter lexer shapes --
// bfcli's lexer only hands a payload to the parser when it has the shape of
// the matcher's payload class. The shapes below are those patterns, applied
// to the whole payload text.

/// `(-|0x)?[0-9a-zA-Z]+`; the `0x` form is covered by the second part.
size_t matchInt(std::string_view s, size_t i) {
  size_t start = i;
  if (i < s.size() && s[i] == '-')
    ++i;
  size_t digits = i;
  while (i < s.size() && isAlnum(s[i]))
    ++i;
  return i == digits ? start : i;
}

bool isIntShape(std::string_view s) {
  return !s.empty() && matchInt(s, 0) == s.size();
}

/// `{int}(-{int})?`
bool isIntRangeShape(std::string_view s) {
  size_t i = matchInt(s, 0);
  if (i == 0)
    return false;
  if (i == s.size())
    return true;
  if (s[i] != '-')
    return false;
  size_t j = matchInt(s, i + 1);
  return j != i + 1 && j == s.size();
}

/// `{int}|[0-9a-zA-Z-]+`: names, protocol numbers, DSCP, ICMP types.
bool isNameShape(std::string_view s) {
  return allOf(s, [](char c) { return isAlnum(c) || c == '-'; });
}

/// `{int}\.{int}\.{int}\.{int}`, optionally followed by `/{int}`.
bool isIpv4Shape(std::string_view s, bool withPrefix) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part) {
      if (i >= s.size() || s[i] != '.')
        return false;
      ++i;
    }
    size_t j = matchInt(s, i);
    if (j == i)
      return false;
    i = j;
  }
  if (!withPrefix)
    return i == s.size();
  if (i >= s.size() || s[i] != '/')
    return false;
  size_t j = matchInt(s, i + 1);
  return j != i + 1 && j == s.size();
}

bool isIpv6Shape(std::string_view s, bool withPrefix) {
  return allOf(
      s, withPrefix ? +[](char c) { return isAlnum(c) || c == ':' || c == '/'; }
                    : +[](char c) { return isAlnum(c) || c == ':'; });
}

/// Length of the `[0-9]+(\.[0-9]+)?` prefix of `s` (0: none).
size_t matchDecimal(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isDigit(s[i]))
    ++i;
  if (i == 0)
    return 0;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && isDigit(s[j]))
      ++j;
    if (j > i + 1)
      i = j;
  }
  return i;
}

/// `([a-zA-Z]+,?)+`
bool isTcpFlagsShape(std::string_view s) {
  size_t i = 0;
  if (s.empty())
    return false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && isAlpha(s[i]))
      ++i;
    if (i == start)
      return false;
    if (i < s.size() && s[i] == ',')
      ++i;
  }
  return true;
}

// ------------------------------------------------------ C-library numbers --

/// strtoul in `base` over the whole string (bpfilter's port parsing: no
/// ERANGE check, an overflow saturates and fails the bound check later).
std::optional<unsigned long> strtoulWhole(const std::string &s, int base) {
  if (s.empty())
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(s.c_str(), &end, base);
  if (*end != '\0')
    return std::nullopt;
  return v;
}

/// bpfilter's `_bf_strtoul`: decimal, or failing that hexadecimal (with or
/// without `0x`), over the whole string, without overflow.
std::optional<unsigned long> strtoulDecOrHex(const std::string &s) {
  if (s.empty())
    return std::nullopt;
  for (int base : {10, 16}) {
    char *end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(s.c_str(), &end, base);
    if (*end == '\0' && errno != ERANGE)
      return v;
  }
  return std::nullopt;
}

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
PayloadError ipv4Problem(std::string_view text) {
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
PayloadError ipv6Problem(std::string_view text, PayloadContext ctx) {
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
PayloadError invalid(std::string_view what, std::string_view text,
                     PayloadError reason) {
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
    PayloadError e = v.error();
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

// --------------------------------------------------------- rule options --

Expected<uint64_t> parseLogRate(std::string_view text) {
  static constexpr std::string_view kExpected =
      "expected a positive number followed by ns, us, ms or s, e.g. 500ms";
  if (text.empty())
    return fail("missing log rate");
  size_t n = matchDecimal(text);
  bool unitOk = n > 0 && n < text.size();
  for (size_t i = n; unitOk && i < text.size(); ++i)
    unitOk = text[i] >= 'a' && text[i] <= 'z';
  if (!unitOk)
    return fail(fmt::format("invalid log rate '{}': {}", text, kExpected));
  double value = std::strtod(std::string(text.substr(0, n)).c_str(), nullptr);
  std::string_view unit = text.substr(n);
  double multiplier = 0;
  if (unit == "ns")
    multiplier = 1.0;
  else if (unit == "us")
    multiplier = 1e3;
  else if (unit == "ms")
    multiplier = 1e6;
  else if (unit == "s")
    multiplier = 1e9;
  else
    return fail(fmt::format("invalid log rate '{}': unknown unit '{}' "
                            "(expected ns, us, ms or s)",
                            text, unit),
                n, unit.size());
  if (value <= 0.0)
    return fail(fmt::format("invalid log rate '{}': must be positive", text));
  if (!std::isfinite(value) ||
      value > static_cast<double>(UINT64_MAX) / multiplier)
    return fail(fmt::format("invalid log rate '{}': too large", text));
  auto ns = static_cast<uint64_t>(value * multiplier + 0.5);
  if (ns == 0)
    return fail(fmt::format("invalid log rate '{}': rounds down to 0ns", text));
  return ns;
}

Expected<uint8_t> parseLogHeader(std::string_view text) {
  if (text.empty())
    return fail("missing log header (expected link, internet or transport)");
  if (auto bit = ir::valueOfName(ir::logHeaderNames(), text))
    return *bit;
  return fail(fmt::format(
      "unknown log header '{}' (expected link, internet or transport){}", text,
      didYouMean(suggestName(text, ir::logHeaderNames()))));
}

// --------------------------------------------------------- hook options --

bool isValidHookOptionValue(std::string_view text) {
  return allOf(text, [](char c) {
    return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
  });
}

namespace {
/// A non-negative integer in base 0 (decimal, 0x hex, 0 octal) in
/// 0..INT_MAX, the whole string.
std::optional<unsigned long> parseHookInt(std::string_view text) {
  if (text.empty() || !isDigit(text[0]))
    return std::nullopt;
  auto v = strtoulWhole(std::string(text), 0);
  if (!v || errno == ERANGE || *v > INT_MAX)
    return std::nullopt;
  return v;
}
} // namespace

Expected<uint32_t> parseHookIfindex(std::string_view text) {
  auto v = parseHookInt(text);
  if (!v)
    return fail(fmt::format("invalid interface index '{}': expected an "
                            "integer in 0..{}",
                            text, INT_MAX));
  return static_cast<uint32_t>(*v);
}

Expected<std::pair<int32_t, int32_t>>
parseHookPriorities(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos)
    return fail(fmt::format("invalid priorities '{}': expected two integers "
                            "as FIRST-SECOND, e.g. 100-200",
                            text));
  std::string_view first = text.substr(0, dash);
  std::string_view second = text.substr(dash + 1);
  auto a = parseHookInt(first);
  if (!a)
    return fail(fmt::format("invalid priorities '{}': '{}' is not an integer "
                            "in 1..{}",
                            text, first, INT_MAX),
                0, first.size());
  auto b = parseHookInt(second);
  if (!b)
    return fail(fmt::format("invalid priorities '{}': '{}' is not an integer "
                            "in 1..{}",
                            text, second, INT_MAX),
                dash + 1, second.size());
  if (*a == 0 || *b == 0)
    return fail(
        fmt::format("invalid priorities '{}': priorities can't be 0", text));
  if (*a == *b)
    return fail(fmt::format("invalid priorities '{}': the two priorities must "
                            "be different (the second one is used to replace "
                            "the chain atomically)",
                            text));
  return std::pair<int32_t, int32_t>(static_cast<int32_t>(*a),
                                     static_cast<int32_t>(*b));
}

Expected<bool> parseHookFamily(std::string_view text) {
  if (text == "inet4" || text == "inet6")
    return true;
  return fail(
      fmt::format("unknown family '{}' (expected inet4 or inet6)", text));
}

} // namespace bfc::sema
