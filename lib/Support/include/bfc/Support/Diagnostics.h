// Source buffers, locations and clang-style diagnostics shared by every stage.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/Support/Warnings.h"

namespace bfc {

/// A position in a source buffer. Lines and columns are 1-based; a default
/// location (line 0) means "no location" (e.g. command-line input errors).
struct SourceLoc {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t offset = 0; ///< byte offset in the buffer

  bool isValid() const { return line != 0; }
  friend bool operator==(const SourceLoc &, const SourceLoc &) = default;
};

/// A half-open byte range [begin, end) within one buffer.
struct SourceRange {
  SourceLoc begin;
  SourceLoc end;

  bool isValid() const { return begin.isValid(); }
};

/// One input file (or stdin / --from-str) held in memory.
class SourceBuffer {
public:
  SourceBuffer(std::string name, std::string text);

  const std::string &name() const { return name_; }
  const std::string &text() const { return text_; }

  /// The text of line `line` (1-based) without its newline.
  std::string_view lineText(uint32_t line) const;
  /// The location of byte `offset` in the buffer.
  SourceLoc locForOffset(uint32_t offset) const;
  /// The location `n` bytes after `loc` (same line assumed unless a newline
  /// is crossed: computed from the offset).
  SourceLoc advance(SourceLoc loc, uint32_t n) const;

private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> lineStarts_;
};

enum class Severity { Note, Warning, Error };

/// "note", "warning" or "error", as diagnostics print it.
const char *severityName(Severity severity);

/// A note attached to a diagnostic: more context, at its own place.
struct DiagnosticNote {
  SourceRange range;
  std::string message;
};

struct Diagnostic {
  Severity severity;
  SourceRange range;
  std::string message;
  /// Stable kebab-case ID: a warning's name (even when -Werror made it an
  /// error), or an error's when it has one; empty otherwise.
  std::string id = {};
  /// The warning this is, when it is one (an error when promoted).
  std::optional<WarningID> warning = {};
  std::vector<DiagnosticNote> notes = {};

  /// A warning that -Werror or -Werror=<id> made an error.
  bool isPromotedWarning() const {
    return warning && severity == Severity::Error;
  }
};

/// Collects diagnostics and prints them clang-style:
///   file:line:col: error: message
///     <source line>
///     ^~~~
class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceBuffer *buffer = nullptr)
      : buffer_(buffer) {}

  void setBuffer(const SourceBuffer *buffer) { buffer_ = buffer; }
  const SourceBuffer *buffer() const { return buffer_; }

  /// An error; `id` names it when it has a stable ID.
  void error(SourceRange range, std::string message, std::string id = {});
  /// A warning, which the WarningPolicy may drop or make an error.
  void warning(WarningID id, SourceRange range, std::string message);
  /// A note: it belongs to the diagnostic reported before it, and goes
  /// when that one is dropped.
  void note(SourceRange range, std::string message);
  void report(Diagnostic diag);
  void report(Severity severity, SourceRange range, std::string message);

  unsigned errorCount() const { return errors_; }
  unsigned warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ != 0; }
  /// Errors dropped because the error limit was reached.
  unsigned suppressedErrorCount() const { return suppressedErrors_; }
  const std::vector<Diagnostic> &diagnostics() const { return diags_; }

  /// Which warnings are reported, and which as errors (-W flags, -w).
  void setWarningPolicy(const WarningPolicy &policy) { policy_ = policy; }
  /// Treat warnings as errors (-Werror).
  void setWarningsAsErrors(bool on) { policy_.setWarningsAsErrors(on); }
  /// Silence warnings (-w).
  void setIgnoreWarnings(bool on) { policy_.setIgnoreAll(on); }
  /// Stop recording after this many errors (0 = unlimited).
  void setErrorLimit(unsigned limit) { errorLimit_ = limit; }

  /// Print every recorded diagnostic, in order, to `os`.
  void print(std::ostream &os, bool color = false) const;
  /// Format a single diagnostic and its notes.
  std::string format(const Diagnostic &diag, bool color = false) const;
  /// "N warnings and M errors generated.\n", or "" when there are none.
  std::string summary() const;

private:
  std::string formatOne(Severity severity, SourceRange range,
                        std::string_view message, bool color) const;

  const SourceBuffer *buffer_;
  std::vector<Diagnostic> diags_;
  unsigned errors_ = 0;
  unsigned warnings_ = 0;
  unsigned errorLimit_ = 0;
  unsigned suppressedErrors_ = 0;
  bool lastDropped_ = false; ///< the last non-note was not recorded
  WarningPolicy policy_;
};

} // namespace bfc
