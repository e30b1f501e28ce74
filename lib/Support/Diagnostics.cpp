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

void DiagnosticEngine::error(SourceRange range, std::string message,
                             std::string id) {
  report({Severity::Error, range, std::move(message), std::move(id)});
}
void DiagnosticEngine::warning(WarningID id, SourceRange range,
                               std::string message) {
  report(
      {Severity::Warning, range, std::move(message), warningInfo(id).name, id});
}
void DiagnosticEngine::note(SourceRange range, std::string message) {
  report(Severity::Note, range, std::move(message));
}
void DiagnosticEngine::report(Severity severity, SourceRange range,
                              std::string message) {
  report({severity, range, std::move(message)});
}

void DiagnosticEngine::report(Diagnostic diag) {
  // Notes belong to the diagnostic before them: they go when it goes
  // (ignored warning, error over the limit).
  if (diag.severity == Severity::Note) {
    if (lastDropped_)
      return;
    auto owner =
        std::find_if(diags_.rbegin(), diags_.rend(), [](const Diagnostic &d) {
          return d.severity != Severity::Note;
        });
    if (owner != diags_.rend())
      owner->notes.push_back({diag.range, std::move(diag.message)});
    else
      diags_.push_back(std::move(diag));
    return;
  }
  lastDropped_ = false;
  if (diag.severity == Severity::Warning) {
    bool enabled =
        diag.warning ? policy_.isEnabled(*diag.warning) : !policy_.ignoresAll();
    if (!enabled) {
      lastDropped_ = true;
      return;
    }
    if (diag.warning ? policy_.isError(*diag.warning)
                     : policy_.warningsAsErrors())
      diag.severity = Severity::Error;
  }
  if (diag.severity == Severity::Error) {
    if (errorLimit_ && errors_ >= errorLimit_) {
      ++suppressedErrors_;
      lastDropped_ = true;
      return;
    }
    ++errors_;
  } else {
    ++warnings_;
  }
  diags_.push_back(std::move(diag));
}

const char *severityName(Severity s) {
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
  std::string message = diag.message;
  // clang's suffix: which flag controls the warning.
  if (diag.warning)
    message +=
        fmt::format(" [{}-W{}]", diag.isPromotedWarning() ? "-Werror," : "",
                    warningInfo(*diag.warning).name);
  std::string out = formatOne(diag.severity, diag.range, message, color);
  for (const DiagnosticNote &note : diag.notes)
    out += formatOne(Severity::Note, note.range, note.message, color);
  return out;
}

std::string DiagnosticEngine::formatOne(Severity severity, SourceRange range,
                                        std::string_view message,
                                        bool color) const {
  const char *bold = color ? "\033[1m" : "";
  const char *reset = color ? "\033[0m" : "";
  const char *sevColor = "";
  if (color)
    sevColor = severity == Severity::Error     ? "\033[1;31m"
               : severity == Severity::Warning ? "\033[1;35m"
                                               : "\033[1;36m";
  std::string out;
  std::string file =
      escapeForDisplay(buffer_ ? buffer_->name() : std::string("bfc"));
  if (range.isValid())
    out += fmt::format("{}{}:{}:{}: {}", bold, file, range.begin.line,
                       range.begin.column, reset);
  else
    out += fmt::format("{}{}: {}", bold, file, reset);
  out += fmt::format("{}{}:{} {}{}{}\n", sevColor, severityName(severity),
                     reset, bold, escapeForDisplay(message), reset);
  if (!buffer_ || !range.isValid())
    return out;

  std::string_view line = buffer_->lineText(range.begin.line);
  // The line is shown escaped (it is untrusted input): the caret counts the
  // columns each character takes once escaped, and keeps tabs so that it
  // lines up with the source as the terminal renders it.
  std::string caret;
  size_t col = std::min<size_t>(range.begin.column - 1, line.size());
  for (size_t i = 0; i < col;) {
    std::string_view character = firstCharacter(line.substr(i));
    caret += character == "\t"
                 ? std::string("\t")
                 : std::string(displayWidth(character, true), ' ');
    i += character.size();
  }
  caret += '^';
  if (range.end.isValid() && range.end.line == range.begin.line &&
      range.end.column > range.begin.column + 1) {
    size_t endCol = std::min<size_t>(range.end.column - 1, line.size());
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

std::string DiagnosticEngine::summary() const {
  if (!errors_ && !warnings_)
    return {};
  std::string summary;
  if (warnings_)
    summary +=
        fmt::format("{} warning{}", warnings_, warnings_ == 1 ? "" : "s");
  if (errors_)
    summary += fmt::format("{}{} error{}", warnings_ ? " and " : "", errors_,
                           errors_ == 1 ? "" : "s");
  return summary + " generated.\n";
}

void DiagnosticEngine::print(std::ostream &os, bool color) const {
  for (const Diagnostic &d : diags_)
    os << format(d, color);
  os << summary();
}

} // namespace bfc
