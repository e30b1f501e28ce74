#include "CodePointStream.h"

namespace bfc::parse {

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

CodePointStream::CodePointStream(std::string_view bytes,
                                 std::string sourceName) {
  _data.reserve(bytes.size());
  byteOffsets_.reserve(bytes.size() + 1);
  // A UTF-8 byte order mark is not part of the text; positions still count
  // its bytes, like every other byte of the file.
  size_t offset = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (offset < bytes.size()) {
    size_t length;
    char32_t cp = decodeUtf8(bytes.substr(offset), length);
    byteOffsets_.push_back(static_cast<uint32_t>(offset));
    _data.push_back(cp);
    offset += length;
  }
  byteOffsets_.push_back(static_cast<uint32_t>(bytes.size()));
  name = std::move(sourceName);
  reset();
}

uint32_t CodePointStream::byteOffset(size_t index) const {
  if (index >= byteOffsets_.size())
    return byteOffsets_.back();
  return byteOffsets_[index];
}

} // namespace bfc::parse
