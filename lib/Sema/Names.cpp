#include "Names.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace bfc::sema {

namespace {

// IP protocol numbers with a name, as bpfilter names them. `route` is an
// alias of bpfilter's `routing` (both spellings appear in rulesets).
constexpr std::array<NamedValue, 13> kIpProtocols = {{
    {"hop", 0},
    {"icmp", 1},
    {"igmp", 2},
    {"tcp", 6},
    {"udp", 17},
    {"routing", 43},
    {"route", 43},
    {"frag", 44},
    {"gre", 47},
    {"ah", 51},
    {"icmpv6", 58},
    {"dst", 60},
    {"mh", 135},
}};

constexpr std::array<NamedValue, 15> kIcmpTypes = {{
    {"echo-reply", 0},
    {"destination-unreachable", 3},
    {"source-quench", 4},
    {"redirect", 5},
    {"echo-request", 8},
    {"router-advertisement", 9},
    {"router-solicitation", 10},
    {"time-exceeded", 11},
    {"parameter-problem", 12},
    {"timestamp-request", 13},
    {"timestamp-reply", 14},
    {"info-request", 15},
    {"info-reply", 16},
    {"address-mask-request", 17},
    {"address-mask-reply", 18},
}};

constexpr std::array<NamedValue, 14> kIcmpv6Types = {{
    {"destination-unreachable", 1},
    {"packet-too-big", 2},
    {"time-exceeded", 3},
    {"parameter-problem", 4},
    {"echo-request", 128},
    {"echo-reply", 129},
    {"mld-listener-query", 130},
    {"mld-listener-report", 131},
    {"mld-listener-reduction", 132},
    {"nd-router-solicit", 133},
    {"nd-router-advert", 134},
    {"nd-neighbor-solicit", 135},
    {"nd-neighbor-advert", 136},
    {"mld2-listener-report", 143},
}};

// DSCP classes from the IANA registry; `be` is an alias of cs0.
constexpr std::array<NamedValue, 25> kDscpClasses = {{
    {"cs0", 0},   {"cs1", 8},          {"cs2", 16},  {"cs3", 24},  {"cs4", 32},
    {"cs5", 40},  {"cs6", 48},         {"cs7", 56},  {"af11", 10}, {"af12", 12},
    {"af13", 14}, {"af21", 18},        {"af22", 20}, {"af23", 22}, {"af31", 26},
    {"af32", 28}, {"af33", 30},        {"af41", 34}, {"af42", 36}, {"af43", 38},
    {"ef", 46},   {"voice-admit", 44}, {"le", 1},    {"nqb", 45},  {"be", 0},
}};

// Bits as they sit in byte 13 of the TCP header.
constexpr std::array<NamedValue, 8> kTcpFlags = {{
    {"fin", 0x01},
    {"syn", 0x02},
    {"rst", 0x04},
    {"psh", 0x08},
    {"ack", 0x10},
    {"urg", 0x20},
    {"ece", 0x40},
    {"cwr", 0x80},
}};

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

/// Edit distance counting a swap of two neighbours as one edit (`imcp` is
/// one typo away from `icmp`).
size_t editDistance(std::string_view a, std::string_view b, bool ignoreCase) {
  auto same = [&](char x, char y) {
    return ignoreCase ? lower(x) == lower(y) : x == y;
  };
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + !same(a[i - 1], b[j - 1])});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
          same(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

std::span<const NamedValue> ipProtocolNames() { return kIpProtocols; }
std::span<const NamedValue> icmpTypeNames() { return kIcmpTypes; }
std::span<const NamedValue> icmpv6TypeNames() { return kIcmpv6Types; }
std::span<const NamedValue> dscpClassNames() { return kDscpClasses; }
std::span<const NamedValue> tcpFlagNames() { return kTcpFlags; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<uint8_t> lookupName(std::span<const NamedValue> table,
                                  std::string_view name) {
  for (const NamedValue &entry : table)
    if (equalsIgnoreCase(entry.name, name))
      return entry.value;
  return std::nullopt;
}

std::optional<std::string>
suggestName(std::string_view word, const std::vector<std::string> &candidates,
            bool ignoreCase) {
  // Allow roughly one typo per three characters, at least one.
  size_t best = std::max<size_t>(1, word.size() / 3) + 1;
  std::optional<std::string> result;
  for (const std::string &candidate : candidates) {
    size_t d = editDistance(word, candidate, ignoreCase);
    if (d < best) {
      best = d;
      result = candidate;
    }
  }
  // An exact match is not a suggestion; a match that differs only by case
  // is (e.g. `accept` -> `ACCEPT`).
  if (result && *result == word)
    return std::nullopt;
  return result;
}

std::optional<std::string> suggestName(std::string_view word,
                                       std::span<const NamedValue> table) {
  std::vector<std::string> names;
  for (const NamedValue &entry : table)
    names.emplace_back(entry.name);
  return suggestName(word, names, /*ignoreCase=*/true);
}

std::string didYouMean(const std::optional<std::string> &suggestion) {
  return suggestion ? "; did you mean '" + *suggestion + "'?" : std::string();
}

} // namespace bfc::sema
