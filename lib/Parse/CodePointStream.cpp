#include "CodePointStream.h"

namespace bfc::parse {

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
