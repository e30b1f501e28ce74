// Names of protocol constants (IP protocols, EtherTypes, ICMP types, DSCP
// classes, TCP flags, log headers) and textual addresses: the one home of
// these tables, shared by Sema, the BFIR printer and reader, the packet
// builder and decoder, and anything that prints values. Name lookups are
// case-insensitive; every table follows bpfilter's.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bfc::ir {

/// Case-insensitive ASCII comparison.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

/// One entry of a name table. A value may have several names: the first
/// entry for it is the one printed, later ones are aliases.
template <typename T> struct NamedValue {
  T value;
  std::string_view name;
};

/// The name tables, for callers that need every name (suggestions, help).
std::span<const NamedValue<uint8_t>> ipProtoNames();
std::span<const NamedValue<uint16_t>> etherTypeNames();
std::span<const NamedValue<uint8_t>> icmpTypeNames();
std::span<const NamedValue<uint8_t>> icmpv6TypeNames();
std::span<const NamedValue<uint8_t>> dscpNames();
/// One entry a bit, in the order of the TCP flags byte.
std::span<const NamedValue<uint8_t>> tcpFlagNames();
/// `log` headers: one entry a LogHeaders bit (BFIR.h), link first.
std::span<const NamedValue<uint8_t>> logHeaderNames();

/// The value named `name` (any case) in `table`.
template <typename T>
std::optional<T> valueOfName(std::span<const NamedValue<T>> table,
                             std::string_view name) {
  for (const NamedValue<T> &entry : table)
    if (equalsIgnoreCase(entry.name, name))
      return entry.value;
  return std::nullopt;
}

/// The printed name of `value` in `table`.
template <typename T>
std::optional<std::string_view>
nameOfValue(std::span<const NamedValue<T>> table, T value) {
  for (const NamedValue<T> &entry : table)
    if (entry.value == value)
      return entry.name;
  return std::nullopt;
}

/// A number in decimal or 0x-hexadecimal, no larger than `max`; nullopt for
/// anything else (signs, blanks, empty text).
std::optional<uint64_t> parseNumber(std::string_view text, uint64_t max);

/// `name` when there is one, else `value` in decimal.
std::string nameOrNumber(std::optional<std::string_view> name, uint64_t value);

/// "tcp", "udp", "hop", "route", ...; nullopt for numbers without a name.
std::optional<std::string_view> ipProtoName(uint8_t proto);
/// Also accepts "routing" for 43 (bpfilter's spelling).
std::optional<uint8_t> ipProtoFromName(std::string_view name);

/// "ipv4" (0x0800), "ipv6" (0x86DD).
std::optional<std::string_view> etherTypeName(uint16_t type);
std::optional<uint16_t> etherTypeFromName(std::string_view name);

std::optional<std::string_view> icmpTypeName(uint8_t type);
std::optional<uint8_t> icmpTypeFromName(std::string_view name);
std::optional<std::string_view> icmpv6TypeName(uint8_t type);
std::optional<uint8_t> icmpv6TypeFromName(std::string_view name);

/// DSCP class names (`cs0`..`cs7`, `afXY`, `ef`, `le`, ...); `be` parses as 0
/// and 0 prints as `cs0`.
std::optional<std::string_view> dscpName(uint8_t dscp);
std::optional<uint8_t> dscpFromName(std::string_view name);

/// TCP flag bits, in the order of the flags byte: fin syn rst psh ack urg ece
/// cwr.
std::optional<uint8_t> tcpFlagFromName(std::string_view name);
/// The set flags joined by `separator` ("syn|ack"); "0" when none is set.
std::string tcpFlagsToString(uint8_t flags, char separator);

using Ip4Addr = std::array<uint8_t, 4>;
using Ip6Addr = std::array<uint8_t, 16>;
using MacAddr = std::array<uint8_t, 6>;

std::string formatIp4(const uint8_t *addr);
/// RFC 5952 compressed form.
std::string formatIp6(const uint8_t *addr);
std::string formatMac(const uint8_t *addr);
/// Two lower-case hex digits a byte, nothing between them ("0a1b").
std::string formatHex(const uint8_t *data, size_t size);
std::optional<Ip4Addr> parseIp4(std::string_view text);
std::optional<Ip6Addr> parseIp6(std::string_view text);
std::optional<MacAddr> parseMac(std::string_view text);

} // namespace bfc::ir
