// UTF-8 decoding and escaping of untrusted text (ruleset sources, process
// names, object metadata) before it reaches a terminal or a JSON document.
#pragma once

#include <string>
#include <string_view>

namespace bfc {

/// Decodes one UTF-8 sequence at the start of `bytes`. Returns the code point
/// and sets `length` to the bytes consumed; malformed input (overlong forms,
/// surrogates, truncated sequences, values above U+10FFFF) gives U+FFFD with
/// `length == 1`. `bytes` must not be empty.
char32_t decodeUtf8(std::string_view bytes, size_t &length);

/// The bytes of the character at the start of `text`: a whole UTF-8
/// sequence, or one byte when it is malformed. Empty for empty text.
std::string_view firstCharacter(std::string_view text);

/// `text` safe to print: valid UTF-8 without terminal controls. Malformed
/// bytes and control characters (C0, DEL, C1) become `\xNN`, one per byte;
/// characters that reorder or hide text (bidirectional overrides and
/// isolates, line and paragraph separators) become `\u{XXXX}`. Tabs are
/// kept when `keepTabs` (a source line shown with a caret under it).
std::string escapeForDisplay(std::string_view text, bool keepTabs = false);

/// The columns `text` takes once escaped by escapeForDisplay: one per
/// character shown as is (tabs included), the escape's length otherwise.
size_t displayWidth(std::string_view text, bool keepTabs = false);

} // namespace bfc
