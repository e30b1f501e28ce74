// Payload parsers of rule options (log rate and headers) and hook options
// (interface index, netfilter priorities, family), as bpfilter reads them.

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "PayloadLexing.h"
#include "Suggestions.h"
#include "bfc/Sema/Payload.h"

namespace bfc::sema {

using namespace detail;

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
