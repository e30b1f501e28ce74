#include "bfc/IR/Names.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstring>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::ir {

namespace {

// Tables follow bpfilter's names. `route` prints for 43; `routing` is
// bpfilter's spelling and parses too.
constexpr NamedValue<uint8_t> kIpProtos[] = {
    {0, "hop"},     {1, "icmp"},     {2, "igmp"},  {6, "tcp"},  {17, "udp"},
    {43, "route"},  {43, "routing"}, {44, "frag"}, {47, "gre"}, {51, "ah"},
    {58, "icmpv6"}, {60, "dst"},     {135, "mh"},
};

constexpr NamedValue<uint16_t> kEtherTypes[] = {
    {wire::kEtherTypeIp4, "ipv4"},
    {wire::kEtherTypeIp6, "ipv6"},
};

constexpr NamedValue<uint8_t> kIcmpTypes[] = {
    {0, "echo-reply"},           {3, "destination-unreachable"},
    {4, "source-quench"},        {5, "redirect"},
    {8, "echo-request"},         {9, "router-advertisement"},
    {10, "router-solicitation"}, {11, "time-exceeded"},
    {12, "parameter-problem"},   {13, "timestamp-request"},
    {14, "timestamp-reply"},     {15, "info-request"},
    {16, "info-reply"},          {17, "address-mask-request"},
    {18, "address-mask-reply"},
};

constexpr NamedValue<uint8_t> kIcmpv6Types[] = {
    {1, "destination-unreachable"},
    {2, "packet-too-big"},
    {3, "time-exceeded"},
    {4, "parameter-problem"},
    {128, "echo-request"},
    {129, "echo-reply"},
    {130, "mld-listener-query"},
    {131, "mld-listener-report"},
    {132, "mld-listener-reduction"},
    {133, "nd-router-solicit"},
    {134, "nd-router-advert"},
    {135, "nd-neighbor-solicit"},
    {136, "nd-neighbor-advert"},
    {143, "mld2-listener-report"},
};

// DSCP classes from the IANA registry; `be` is an alias of cs0.
constexpr NamedValue<uint8_t> kDscpClasses[] = {
    {0, "cs0"},   {8, "cs1"},          {16, "cs2"},  {24, "cs3"},  {32, "cs4"},
    {40, "cs5"},  {48, "cs6"},         {56, "cs7"},  {10, "af11"}, {12, "af12"},
    {14, "af13"}, {18, "af21"},        {20, "af22"}, {22, "af23"}, {26, "af31"},
    {28, "af32"}, {30, "af33"},        {34, "af41"}, {36, "af42"}, {38, "af43"},
    {46, "ef"},   {44, "voice-admit"}, {1, "le"},    {45, "nqb"},  {0, "be"},
};

// Bits as they sit in byte 13 of the TCP header.
constexpr NamedValue<uint8_t> kTcpFlags[] = {
    {0x01, "fin"}, {0x02, "syn"}, {0x04, "rst"}, {0x08, "psh"},
    {0x10, "ack"}, {0x20, "urg"}, {0x40, "ece"}, {0x80, "cwr"},
};

constexpr NamedValue<uint8_t> kLogHeaders[] = {
    {kLogLink, "link"},
    {kLogInternet, "internet"},
    {kLogTransport, "transport"},
};

} // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::span<const NamedValue<uint8_t>> ipProtoNames() { return kIpProtos; }
std::span<const NamedValue<uint16_t>> etherTypeNames() { return kEtherTypes; }
std::span<const NamedValue<uint8_t>> icmpTypeNames() { return kIcmpTypes; }
std::span<const NamedValue<uint8_t>> icmpv6TypeNames() { return kIcmpv6Types; }
std::span<const NamedValue<uint8_t>> dscpNames() { return kDscpClasses; }
std::span<const NamedValue<uint8_t>> tcpFlagNames() { return kTcpFlags; }
std::span<const NamedValue<uint8_t>> logHeaderNames() { return kLogHeaders; }

std::optional<uint64_t> parseNumber(std::string_view text, uint64_t max) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value > max)
    return std::nullopt;
  return value;
}

std::string nameOrNumber(std::optional<std::string_view> name, uint64_t value) {
  return name ? std::string(*name) : std::to_string(value);
}

std::optional<std::string_view> ipProtoName(uint8_t proto) {
  return nameOfValue(ipProtoNames(), proto);
}
std::optional<uint8_t> ipProtoFromName(std::string_view name) {
  return valueOfName(ipProtoNames(), name);
}
std::optional<std::string_view> etherTypeName(uint16_t type) {
  return nameOfValue(etherTypeNames(), type);
}
std::optional<uint16_t> etherTypeFromName(std::string_view name) {
  return valueOfName(etherTypeNames(), name);
}
std::optional<std::string_view> icmpTypeName(uint8_t type) {
  return nameOfValue(icmpTypeNames(), type);
}
std::optional<uint8_t> icmpTypeFromName(std::string_view name) {
  return valueOfName(icmpTypeNames(), name);
}
std::optional<std::string_view> icmpv6TypeName(uint8_t type) {
  return nameOfValue(icmpv6TypeNames(), type);
}
std::optional<uint8_t> icmpv6TypeFromName(std::string_view name) {
  return valueOfName(icmpv6TypeNames(), name);
}
std::optional<std::string_view> dscpName(uint8_t dscp) {
  return nameOfValue(dscpNames(), dscp);
}
std::optional<uint8_t> dscpFromName(std::string_view name) {
  return valueOfName(dscpNames(), name);
}
std::optional<uint8_t> tcpFlagFromName(std::string_view name) {
  return valueOfName(tcpFlagNames(), name);
}

std::string tcpFlagsToString(uint8_t flags, char separator) {
  if (flags == 0)
    return "0";
  std::string out;
  for (const NamedValue<uint8_t> &flag : kTcpFlags) {
    if (!(flags & flag.value))
      continue;
    if (!out.empty())
      out += separator;
    out += flag.name;
  }
  return out;
}

std::string formatIp4(const uint8_t *addr) {
  return fmt::format("{}.{}.{}.{}", addr[0], addr[1], addr[2], addr[3]);
}

std::string formatIp6(const uint8_t *addr) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, addr, buf, sizeof(buf));
  return buf;
}

std::string formatMac(const uint8_t *addr) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", addr[0],
                     addr[1], addr[2], addr[3], addr[4], addr[5]);
}

std::string formatHex(const uint8_t *data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i)
    out += fmt::format("{:02x}", data[i]);
  return out;
}

std::optional<Ip4Addr> parseIp4(std::string_view text) {
  // inet_pton needs a NUL-terminated string and accepts only dotted quads.
  if (text.size() >= INET_ADDRSTRLEN)
    return std::nullopt;
  std::string copy(text);
  Ip4Addr addr;
  if (inet_pton(AF_INET, copy.c_str(), addr.data()) != 1)
    return std::nullopt;
  return addr;
}

std::optional<Ip6Addr> parseIp6(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN)
    return std::nullopt;
  std::string copy(text);
  Ip6Addr addr;
  if (inet_pton(AF_INET6, copy.c_str(), addr.data()) != 1)
    return std::nullopt;
  return addr;
}

std::optional<MacAddr> parseMac(std::string_view text) {
  // Six groups of exactly two hex digits separated by ':'.
  if (text.size() != 17)
    return std::nullopt;
  MacAddr mac;
  for (unsigned i = 0; i < 6; ++i) {
    if (i != 0 && text[i * 3 - 1] != ':')
      return std::nullopt;
    unsigned value = 0;
    for (unsigned j = 0; j < 2; ++j) {
      char c = text[i * 3 + j];
      if (!std::isxdigit(static_cast<unsigned char>(c)))
        return std::nullopt;
      value = value * 16 +
              (std::isdigit(static_cast<unsigned char>(c))
                   ? c - '0'
                   : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    }
    mac[i] = static_cast<uint8_t>(value);
  }
  return mac;
}

} // namespace bfc::ir
