// What the payload parsers share (Payload.cpp, PayloadOptions.cpp): the
// shapes bpfilter's lexer accepts, and the C library's number parsing as
// bpfilter calls it. Internal to lib/Sema.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "bfc/Sema/Payload.h"

namespace bfc::sema::detail {

inline Error fail(std::string message, size_t offset = 0, size_t length = 0) {
  return {std::move(message), static_cast<uint32_t>(offset),
          static_cast<uint32_t>(length)};
}

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool isAlnum(char c) { return isDigit(c) || isAlpha(c); }
inline bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline bool allOf(std::string_view s, bool (*pred)(char)) {
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
inline size_t matchInt(std::string_view s, size_t i) {
  size_t start = i;
  if (i < s.size() && s[i] == '-')
    ++i;
  size_t digits = i;
  while (i < s.size() && isAlnum(s[i]))
    ++i;
  return i == digits ? start : i;
}

inline bool isIntShape(std::string_view s) {
  return !s.empty() && matchInt(s, 0) == s.size();
}

/// `{int}(-{int})?`
inline bool isIntRangeShape(std::string_view s) {
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
inline bool isNameShape(std::string_view s) {
  return allOf(s, [](char c) { return isAlnum(c) || c == '-'; });
}

/// `{int}\.{int}\.{int}\.{int}`, optionally followed by `/{int}`.
inline bool isIpv4Shape(std::string_view s, bool withPrefix) {
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

inline bool isIpv6Shape(std::string_view s, bool withPrefix) {
  return allOf(
      s, withPrefix ? +[](char c) { return isAlnum(c) || c == ':' || c == '/'; }
                    : +[](char c) { return isAlnum(c) || c == ':'; });
}

/// Length of the `[0-9]+(\.[0-9]+)?` prefix of `s` (0: none).
inline size_t matchDecimal(std::string_view s) {
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
inline bool isTcpFlagsShape(std::string_view s) {
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
inline std::optional<unsigned long> strtoulWhole(const std::string &s,
                                                 int base) {
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
inline std::optional<unsigned long> strtoulDecOrHex(const std::string &s) {
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

} // namespace bfc::sema::detail
