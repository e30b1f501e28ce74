// Syntax-error reporting and recovery for the generated ANTLR parser.
#pragma once

#include <string>
#include <string_view>

#include "antlr4-runtime.h"

#include "CodePointStream.h"
#include "bfc/AST/AST.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::parse {

/// Maps ANTLR tokens (code-point positions) back to the source buffer (byte
/// positions, lines, columns).
class TokenLocator {
public:
  TokenLocator(const SourceBuffer &buffer, const CodePointStream &stream,
               antlr4::TokenStream &tokens)
      : buffer_(buffer), stream_(stream), tokens_(tokens) {}

  /// The token's byte range. EOF gets an empty range right after the last
  /// real token: that is where the missing text was expected.
  SourceRange range(const antlr4::Token *token) const;
  /// The token's exact source bytes (empty for EOF).
  std::string text(const antlr4::Token *token) const;
  ast::Token astToken(const antlr4::Token *token) const;
  /// The token before `token` in the stream, or null.
  const antlr4::Token *previous(const antlr4::Token *token) const;

  const SourceBuffer &buffer() const { return buffer_; }

private:
  const SourceBuffer &buffer_;
  const CodePointStream &stream_;
  antlr4::TokenStream &tokens_;
};

/// Collects the parser's diagnostics and remembers whether any error was
/// reported. Syntax errors are found during parsing and structural ones
/// afterwards, so flush() hands them to the engine in source order, each
/// error followed by its notes.
class ErrorSink {
public:
  explicit ErrorSink(DiagnosticEngine &diags) : diags_(diags) {}

  void error(SourceRange range, std::string message) {
    groups_.push_back({{Severity::Error, range, std::move(message)}});
  }
  /// A note on the error reported last.
  void note(SourceRange range, std::string message) {
    if (!groups_.empty())
      groups_.back().push_back({Severity::Note, range, std::move(message)});
  }
  bool failed() const { return !groups_.empty(); }
  void flush();

private:
  DiagnosticEngine &diags_;
  std::vector<std::vector<Diagnostic>> groups_;
};

/// Quotes source text for a message: control characters and malformed UTF-8
/// bytes are escaped as \xNN and long text is shortened.
std::string quoteSource(std::string_view text);

/// "end of input", "a newline" or the quoted token text.
std::string describeToken(const TokenLocator &locator,
                          const antlr4::Token *token);

/// Turns ANTLR's errors into messages about the ruleset language and
/// recovers at statement granularity: after an error the parser skips to the
/// next `chain`, `set` or `rule` keyword, and stays silent until it has
/// matched a token again, so one mistake gives one diagnostic.
class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  SyntaxErrorStrategy(const TokenLocator &locator, ErrorSink &errors)
      : locator_(locator), errors_(errors) {}

  void reportError(antlr4::Parser *parser,
                   const antlr4::RecognitionException &e) override;
  void recover(antlr4::Parser *parser, std::exception_ptr e) override;
  /// No single-token insertion or deletion: guessing a token keeps a broken
  /// statement alive and tends to produce follow-up errors.
  antlr4::Token *recoverInline(antlr4::Parser *parser) override;
  /// Only the top-level statement loop resynchronises here (skipping stray
  /// tokens between statements); elsewhere the error is left to the rule.
  void sync(antlr4::Parser *parser) override;

private:
  void reportSyntaxError(antlr4::Parser *parser, antlr4::Token *found);
  std::string expectation(antlr4::Parser *parser, antlr4::Token *found,
                          SourceRange &where);
  void noteOperatorTypo(antlr4::Parser *parser, antlr4::Token *found);

  const TokenLocator &locator_;
  ErrorSink &errors_;
  size_t lastRecoverIndex_ = static_cast<size_t>(-1);
  unsigned recoversAtSameIndex_ = 0;
};

} // namespace bfc::parse
