// The pieces of BFIR text the reader (Reader.cpp) is made of: a cursor over
// one line, and the conversions of field values. Internal to lib/IR.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "bfc/IR/BFIR.h"
#include "bfc/IR/Names.h"
#include "bfc/Support/Expected.h"

namespace bfc::ir::detail {

inline std::optional<Bytes> parseHex(std::string_view text) {
  if (text.size() % 2)
    return std::nullopt;
  Bytes bytes;
  for (size_t i = 0; i < text.size(); i += 2) {
    auto byte = parseNumber("0x" + std::string(text.substr(i, 2)), 0xff);
    if (!byte || !std::isxdigit(static_cast<unsigned char>(text[i])))
      return std::nullopt;
    bytes.push_back(static_cast<uint8_t>(*byte));
  }
  return bytes;
}

/// A name from `table` or a number up to `max`.
template <typename T>
std::optional<uint64_t> parseNamedNumber(std::string_view text, uint64_t max,
                                         std::span<const NamedValue<T>> table) {
  if (auto value = valueOfName(table, text))
    return *value;
  return parseNumber(text, max);
}

/// The bytes of a parsed address.
template <size_t N>
inline std::optional<Bytes>
addressBytes(const std::optional<std::array<uint8_t, N>> &addr) {
  if (!addr)
    return std::nullopt;
  return Bytes(addr->begin(), addr->end());
}

inline std::optional<uint64_t> parseTcpFlags(std::string_view text) {
  if (auto number = parseNumber(text, 0xff))
    return number;
  uint64_t flags = 0;
  while (true) {
    size_t bar = text.find('|');
    auto bit = tcpFlagFromName(text.substr(0, bar));
    if (!bit)
      return std::nullopt;
    flags |= *bit;
    if (bar == std::string_view::npos)
      return flags;
    text.remove_prefix(bar + 1);
  }
}

inline std::string_view trim(std::string_view text) {
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

/// A cursor over one line; errors carry buffer offsets. Like
/// llvm::DataExtractor::Cursor it latches the first error: the reader keeps
/// going after it, every later read is a no-op returning an empty value, and
/// the line's reader reports `error()`. So the reader checks `failed()`
/// before it records what the line said or indexes by a value it read.
class Cursor {
public:
  Cursor(std::string_view line, size_t lineOffset)
      : line_(line), lineOffset_(lineOffset) {}

  size_t offset() const { return lineOffset_ + pos_; }
  bool atEnd() {
    skipSpace();
    return pos_ == line_.size();
  }
  char peek() {
    skipSpace();
    return pos_ < line_.size() ? line_[pos_] : '\0';
  }

  /// Records an error at the cursor, or at buffer offset `at`, unless the
  /// line already has one (the first error is the one reported), and stops
  /// reading the line.
  void fail(std::string message) { failAt(offset(), std::move(message)); }
  void failAt(size_t at, std::string message) {
    if (!error_)
      error_ = Error{std::move(message), static_cast<uint32_t>(at)};
    pos_ = line_.size();
  }
  bool failed() const { return error_.has_value(); }
  const std::optional<Error> &error() const { return error_; }

  void skipSpace() {
    while (pos_ < line_.size() && line_[pos_] == ' ')
      ++pos_;
  }

  /// The next space-separated word (empty at the end of the line).
  std::string_view word() {
    skipSpace();
    size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] != ' ')
      ++pos_;
    return line_.substr(start, pos_ - start);
  }

  std::string_view expectWord(std::string_view what) {
    size_t at = (skipSpace(), offset());
    std::string_view w = word();
    if (w.empty())
      failAt(at, fmt::format("expected {}", what));
    return w;
  }

  void expect(std::string_view keyword) {
    size_t at = (skipSpace(), offset());
    std::string_view w = word();
    if (w != keyword)
      failAt(at, w.empty()
                     ? fmt::format("expected '{}'", keyword)
                     : fmt::format("expected '{}', found '{}'", keyword, w));
  }

  bool accept(std::string_view keyword) {
    size_t saved = pos_;
    if (word() == keyword)
      return true;
    pos_ = saved;
    return false;
  }

  /// The text up to (not including) `close`, which is consumed; quoted
  /// strings inside are skipped over.
  std::string_view until(char close) {
    size_t start = pos_;
    bool quoted = false;
    for (; pos_ < line_.size(); ++pos_) {
      char c = line_[pos_];
      if (quoted && c == '\\') {
        ++pos_;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == close) {
        std::string_view inside = line_.substr(start, pos_ - start);
        ++pos_;
        return inside;
      }
    }
    failAt(lineOffset_ + start, fmt::format("missing '{}'", close));
    return {};
  }

  void expectChar(char c) {
    skipSpace();
    if (pos_ >= line_.size() || line_[pos_] != c)
      return fail(fmt::format("expected '{}'", c));
    ++pos_;
  }

  std::string quoted() {
    skipSpace();
    if (pos_ >= line_.size() || line_[pos_] != '"') {
      fail("expected a quoted string");
      return {};
    }
    size_t start = pos_++;
    std::string out;
    while (pos_ < line_.size() && line_[pos_] != '"') {
      char c = line_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= line_.size())
        break;
      char e = line_[pos_++];
      if (e == 'n')
        out += '\n';
      else if (e == 't')
        out += '\t';
      else if (e == 'x') {
        auto byte =
            pos_ + 2 <= line_.size()
                ? parseNumber("0x" + std::string(line_.substr(pos_, 2)), 0xff)
                : std::nullopt;
        if (!byte) {
          fail("bad \\x escape");
          return {};
        }
        out += static_cast<char>(*byte);
        pos_ += 2;
      } else
        out += e;
    }
    if (pos_ >= line_.size()) {
      failAt(lineOffset_ + start, "unterminated string");
      return {};
    }
    ++pos_;
    return out;
  }

  /// A chain or set name: a bare word or a quoted string.
  std::string name() {
    if (peek() == '"')
      return quoted();
    return std::string(expectWord("a name"));
  }

  uint64_t number(std::string_view what, uint64_t max) {
    size_t at = (skipSpace(), offset());
    std::string_view w = word();
    auto value = parseNumber(w, max);
    if (!value) {
      failAt(at,
             fmt::format("expected {} (at most {}), found '{}'", what, max, w));
      return 0;
    }
    return *value;
  }

  /// The rest of the line.
  std::string_view rest() {
    std::string_view out = line_.substr(pos_);
    pos_ = line_.size();
    return out;
  }

  void expectEnd() {
    if (!atEnd())
      fail(fmt::format("unexpected '{}'", line_.substr(pos_)));
  }

private:
  std::string_view line_;
  size_t lineOffset_;
  size_t pos_ = 0;
  std::optional<Error> error_;
};

} // namespace bfc::ir::detail
