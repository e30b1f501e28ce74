// Untrusted text made safe to print: UTF-8 decoding and escaping.
#include <gtest/gtest.h>

#include "bfc/Support/Diagnostics.h"
#include "bfc/Support/Text.h"

using namespace bfc;

namespace {

/// True when `text` is well-formed UTF-8 without C0/C1 controls or DEL.
bool isPrintableUtf8(std::string_view text, bool allowTabs = false) {
  for (size_t i = 0; i < text.size();) {
    size_t length;
    char32_t cp = decodeUtf8(text.substr(i), length);
    if ((cp == 0xFFFD && length == 1) || cp == 0x7F ||
        (cp >= 0x80 && cp < 0xA0) ||
        (cp < 0x20 && !(allowTabs && cp == '\t') && cp != '\n'))
      return false;
    i += length;
  }
  return true;
}

} // namespace

TEST(Text, DecodesUtf8) {
  size_t length;
  EXPECT_EQ(decodeUtf8("A", length), U'A');
  EXPECT_EQ(length, 1u);
  EXPECT_EQ(decodeUtf8("\xc3\x9d", length), U'\u00dd');
  EXPECT_EQ(length, 2u);
  EXPECT_EQ(decodeUtf8("\xf0\x9f\x94\xa5", length), U'\U0001F525');
  EXPECT_EQ(length, 4u);
  // Overlong, truncated, surrogate: one replacement per byte.
  EXPECT_EQ(decodeUtf8("\xc0\xaf", length), U'\uFFFD');
  EXPECT_EQ(length, 1u);
  EXPECT_EQ(decodeUtf8("\xe2\x82", length), U'\uFFFD');
  EXPECT_EQ(length, 1u);
  EXPECT_EQ(decodeUtf8("\xed\xa0\x80", length), U'\uFFFD');
  EXPECT_EQ(length, 1u);
}

TEST(Text, FirstCharacterIsWhole) {
  EXPECT_EQ(firstCharacter("\xc3\x9d"
                           "db8"),
            "\xc3\x9d");
  EXPECT_EQ(firstCharacter("\xc3"
                           "db8"),
            "\xc3");
  EXPECT_EQ(firstCharacter("x"), "x");
  EXPECT_EQ(firstCharacter(""), "");
}

TEST(Text, EscapesControlsAndBadBytes) {
  EXPECT_EQ(escapeForDisplay("plain text, caf\xc3\xa9"),
            "plain text, caf\xc3\xa9");
  EXPECT_EQ(escapeForDisplay("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(escapeForDisplay("a\tb\nc"), "a\\x09b\\x0ac");
  EXPECT_EQ(escapeForDisplay("a\tb", true), "a\tb");
  EXPECT_EQ(escapeForDisplay("\x7f"), "\\x7f");
  EXPECT_EQ(escapeForDisplay("\xc2\x9b"
                             "2J"),
            "\\xc2\\x9b2J"); // C1 CSI
  EXPECT_EQ(escapeForDisplay("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escapeForDisplay("\xc3"), "\\xc3");
  // Trojan Source: a right-to-left override.
  EXPECT_EQ(escapeForDisplay("x\xe2\x80\xaey"), "x\\u{202E}y");
}

TEST(Text, EveryByteStringEscapesToPrintableUtf8) {
  // All strings of up to two bytes, and runs of each byte.
  for (unsigned a = 0; a < 256; ++a) {
    std::string one(1, static_cast<char>(a));
    ASSERT_TRUE(isPrintableUtf8(escapeForDisplay(one))) << a;
    ASSERT_EQ(displayWidth(one), escapeForDisplay(one).size() == 1
                                     ? 1u
                                     : escapeForDisplay(one).size());
    for (unsigned b = 0; b < 256; ++b) {
      std::string two = one + static_cast<char>(b);
      ASSERT_TRUE(isPrintableUtf8(escapeForDisplay(two))) << a << " " << b;
    }
  }
}

TEST(Text, DiagnosticsAreEscapedAndCaretsLineUp) {
  SourceBuffer buffer("in\x1b.bf", "rule \x1b[2J \xc3\x9d bad\n");
  DiagnosticEngine diags(&buffer);
  // "bad" starts at byte 13 (column 14).
  diags.error({buffer.locForOffset(13), buffer.locForOffset(16)},
              "'\x1b]0;owned\x07' here");
  std::string out = diags.format(diags.diagnostics().front());
  EXPECT_TRUE(isPrintableUtf8(out)) << out;
  EXPECT_NE(out.find("in\\x1b.bf:1:14: error: '\\x1b]0;owned\\x07' here"),
            std::string::npos)
      << out;
  // The line is shown escaped and the caret sits under "bad": the escape
  // takes 4 columns, the two-byte character one.
  EXPECT_NE(out.find("rule \\x1b[2J \xc3\x9d bad\n"
                     "               ^~~\n"),
            std::string::npos)
      << out;
}
