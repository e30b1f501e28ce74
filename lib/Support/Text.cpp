#include "bfc/Support/Text.h"

#include <fmt/format.h>

namespace bfc {

char32_t decodeUtf8(std::string_view bytes, size_t &length) {
  constexpr char32_t kReplacement = 0xFFFD;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned char lead = byte(0);
  length = 1;
  if (lead < 0x80)
    return lead;

  size_t count;
  char32_t value;
  // The valid range of the second byte depends on the lead byte: this rules
  // out overlong forms, surrogates and values above U+10FFFF.
  unsigned char secondMin = 0x80, secondMax = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    count = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    count = 3;
    value = lead & 0x0F;
    if (lead == 0xE0)
      secondMin = 0xA0;
    else if (lead == 0xED)
      secondMax = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    count = 4;
    value = lead & 0x07;
    if (lead == 0xF0)
      secondMin = 0x90;
    else if (lead == 0xF4)
      secondMax = 0x8F;
  } else {
    return kReplacement;
  }
  if (bytes.size() < count)
    return kReplacement;
  for (size_t i = 1; i < count; ++i) {
    const unsigned char b = byte(i);
    const unsigned char min = i == 1 ? secondMin : 0x80;
    const unsigned char max = i == 1 ? secondMax : 0xBF;
    if (b < min || b > max)
      return kReplacement;
    value = (value << 6) | (b & 0x3F);
  }
  length = count;
  return value;
}

std::string_view firstCharacter(std::string_view text) {
  if (text.empty())
    return text;
  size_t length;
  decodeUtf8(text, length);
  return text.substr(0, length);
}

namespace {

enum class Shown { AsIs, Bytes, CodePoint };

Shown howShown(char32_t cp, size_t length, bool keepTabs) {
  if ((cp == 0xFFFD && length == 1) || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
    return Shown::Bytes;
  if (cp < 0x20)
    return cp == '\t' && keepTabs ? Shown::AsIs : Shown::Bytes;
  // Text that a terminal or editor would reorder or break: "Trojan Source".
  if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
      cp == 0x2028 || cp == 0x2029 || cp == 0x200E || cp == 0x200F ||
      cp == 0x061C)
    return Shown::CodePoint;
  return Shown::AsIs;
}

/// Calls `emit(piece)` for each shown piece of `text`.
template <typename Emit>
void forEachShown(std::string_view text, bool keepTabs, Emit &&emit) {
  for (size_t i = 0; i < text.size();) {
    size_t length;
    char32_t cp = decodeUtf8(text.substr(i), length);
    switch (howShown(cp, length, keepTabs)) {
    case Shown::AsIs:
      emit(text.substr(i, length), true);
      break;
    case Shown::Bytes:
      for (size_t b = 0; b < length; ++b)
        emit(fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i + b])),
             false);
      break;
    case Shown::CodePoint:
      emit(fmt::format("\\u{{{:04X}}}", static_cast<uint32_t>(cp)), false);
      break;
    }
    i += length;
  }
}

} // namespace

std::string escapeForDisplay(std::string_view text, bool keepTabs) {
  std::string out;
  out.reserve(text.size());
  forEachShown(text, keepTabs,
               [&](std::string_view piece, bool) { out.append(piece); });
  return out;
}

size_t displayWidth(std::string_view text, bool keepTabs) {
  size_t width = 0;
  forEachShown(text, keepTabs, [&](std::string_view piece, bool asIs) {
    width += asIs ? 1 : piece.size();
  });
  return width;
}

} // namespace bfc
