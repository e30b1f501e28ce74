// Name tables of the language (protocols, ICMP types, DSCP classes, TCP
// flags, log headers) and "did you mean" suggestions. The tables hold the
// same names as bpfilter so rulesets written for it keep their meaning.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bfc::sema {

struct NamedValue {
  std::string_view name;
  uint8_t value;
};

std::span<const NamedValue> ipProtocolNames();
std::span<const NamedValue> icmpTypeNames();
std::span<const NamedValue> icmpv6TypeNames();
std::span<const NamedValue> dscpClassNames();
std::span<const NamedValue> tcpFlagNames();

/// Case-insensitive lookup in a table.
std::optional<uint8_t> lookupName(std::span<const NamedValue> table,
                                  std::string_view name);

/// ASCII case-insensitive equality.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a likely
/// typo, else nullopt.
std::optional<std::string>
suggestName(std::string_view word, const std::vector<std::string> &candidates,
            bool ignoreCase = false);
std::optional<std::string> suggestName(std::string_view word,
                                       std::span<const NamedValue> table);

/// "; did you mean 'x'?" or "".
std::string didYouMean(const std::optional<std::string> &suggestion);

} // namespace bfc::sema
