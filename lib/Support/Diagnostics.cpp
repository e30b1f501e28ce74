#include "bfc/Support/Diagnostics.h"

#include <algorithm>

#include <fmt/format.h>

#include "bfc/Support/Text.h"

namespace bfc {

SourceBuffer::SourceBuffer(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  lineStarts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n')
      lineStarts_.push_back(i + 1);
}

std::string_view SourceBuffer::lineText(uint32_t line) const {
  if (line == 0 || line > lineStarts_.size())
    return {};
  uint32_t begin = lineStarts_[line - 1];
  uint32_t end = line < lineStarts_.size()
                     ? lineStarts_[line] - 1
                     : static_cast<uint32_t>(text_.size());
  std::string_view sv(text_.data() + begin, end - begin);
  if (!sv.empty() && sv.back() == '\r')
    sv.remove_suffix(1);
  return sv;
}

SourceLoc SourceBuffer::locForOffset(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, text_.size());
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - lineStarts_.begin());
  return {line, offset - lineStarts_[line - 1] + 1, offset};
}

SourceLoc SourceBuffer::advance(SourceLoc loc, uint32_t n) const {
  return locForOffset(loc.offset + n);
}

void DiagnosticEngine::error(SourceRange range, std::string message) {
  report(Severity::Error, range, std::move(message));
}
void DiagnosticEngine::warning(SourceRange range, std::string message) {
  report(Severity::Warning, range, std::move(message));
}
void DiagnosticEngine::note(SourceRange range, std::string message) {
  report(Severity::Note, range, std::move(message));
}

void DiagnosticEngine::report(Severity severity, SourceRange range,
                              std::string message) {
  // Notes belong to the diagnostic before them: they go when it goes
  // (ignored warning, error over the limit).
  if (severity == Severity::Note) {
    if (lastDropped_)
      return;
  } else {
    lastDropped_ = false;
  }
  if (severity == Severity::Warning) {
    if (ignoreWarnings_) {
      lastDropped_ = true;
      return;
    }
    if (werror_)
      severity = Severity::Error;
  }
  if (severity == Severity::Error) {
    if (errorLimit_ && errors_ >= errorLimit_) {
      ++suppressedErrors_;
      lastDropped_ = true;
      return;
    }
    ++errors_;
  } else if (severity == Severity::Warning) {
    ++warnings_;
  }
  diags_.push_back({severity, range, std::move(message)});
}

static const char *severityName(Severity s) {
  switch (s) {
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "error";
}

std::string DiagnosticEngine::format(const Diagnostic &diag, bool color) const {
  const char *bold = color ? "\033[1m" : "";
  const char *reset = color ? "\033[0m" : "";
  const char *sevColor = "";
  if (color)
    sevColor = diag.severity == Severity::Error     ? "\033[1;31m"
               : diag.severity == Severity::Warning ? "\033[1;35m"
                                                    : "\033[1;36m";
  std::string out;
  std::string file =
      escapeForDisplay(buffer_ ? buffer_->name() : std::string("bfc"));
  if (diag.range.isValid())
    out += fmt::format("{}{}:{}:{}: {}", bold, file, diag.range.begin.line,
                       diag.range.begin.column, reset);
  else
    out += fmt::format("{}{}: {}", bold, file, reset);
  out += fmt::format("{}{}:{} {}{}{}\n", sevColor, severityName(diag.severity),
                     reset, bold, escapeForDisplay(diag.message), reset);
  if (!buffer_ || !diag.range.isValid())
    return out;

  std::string_view line = buffer_->lineText(diag.range.begin.line);
  // The line is shown escaped (it is untrusted input): the caret counts the
  // columns each character takes once escaped, and keeps tabs so that it
  // lines up with the source as the terminal renders it.
  std::string caret;
  size_t col = std::min<size_t>(diag.range.begin.column - 1, line.size());
  for (size_t i = 0; i < col;) {
    std::string_view character = firstCharacter(line.substr(i));
    caret += character == "\t"
                 ? std::string("\t")
                 : std::string(displayWidth(character, true), ' ');
    i += character.size();
  }
  caret += '^';
  if (diag.range.end.isValid() &&
      diag.range.end.line == diag.range.begin.line &&
      diag.range.end.column > diag.range.begin.column + 1) {
    size_t endCol = std::min<size_t>(diag.range.end.column - 1, line.size());
    if (endCol > col) {
      size_t width = displayWidth(line.substr(col, endCol - col), true);
      if (width > 1)
        caret += std::string(width - 1, '~');
    }
  }
  out += fmt::format("{}\n{}{}{}\n", escapeForDisplay(line, true),
                     color ? "\033[1;32m" : "", caret, reset);
  return out;
}

void DiagnosticEngine::print(std::ostream &os, bool color) const {
  for (const Diagnostic &d : diags_)
    os << format(d, color);
  if (errors_ || warnings_) {
    std::string summary;
    if (warnings_)
      summary +=
          fmt::format("{} warning{}", warnings_, warnings_ == 1 ? "" : "s");
    if (errors_)
      summary += fmt::format("{}{} error{}", warnings_ ? " and " : "", errors_,
                             errors_ == 1 ? "" : "s");
    os << summary << " generated.\n";
  }
}

} // namespace bfc
