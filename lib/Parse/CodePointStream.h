// The character stream the ANTLR lexer reads, built from raw source bytes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "antlr4-runtime.h"
#include "bfc/Support/Text.h"

namespace bfc::parse {

/// ANTLR indexes code points, diagnostics use bytes. This stream decodes the
/// source as UTF-8 itself (ANTLR's own decoder throws on malformed input) and
/// remembers where each code point starts, so token positions map back to
/// exact byte offsets. Every malformed byte decodes to one U+FFFD, which keeps
/// a one-to-one mapping and lets the lexer report it like any other
/// unexpected character. A leading UTF-8 byte order mark is skipped.
class CodePointStream : public antlr4::ANTLRInputStream {
public:
  CodePointStream(std::string_view bytes, std::string sourceName);

  /// Byte offset where code point `index` starts; `index == size()` (and
  /// anything past it) gives the end of the input.
  uint32_t byteOffset(size_t index) const;

private:
  std::vector<uint32_t> byteOffsets_;
};

using bfc::decodeUtf8;

} // namespace bfc::parse
