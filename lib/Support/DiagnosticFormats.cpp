#include "bfc/Support/DiagnosticFormats.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bfc/Support/Text.h"
#include "bfc/Support/Version.h"

namespace bfc {

using nlohmann::json;

namespace {

/// Untrusted text (names, messages, source) may hold malformed UTF-8: it
/// becomes U+FFFD rather than an exception.
void dump(const json &document, std::ostream &os) {
  os << document.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

/// The byte offset of a line and byte column. Backend diagnostics carry a
/// line and column only, so offsets are derived from those everywhere.
std::optional<uint32_t> offsetOf(const SourceBuffer &buffer, SourceLoc loc) {
  std::string_view line = buffer.lineText(loc.line);
  if (!line.data() || loc.column == 0)
    return std::nullopt; // no such line
  size_t offset =
      static_cast<size_t>(line.data() - buffer.text().data()) + loc.column - 1;
  return static_cast<uint32_t>(std::min(offset, buffer.text().size()));
}

json jsonLoc(const SourceBuffer *buffer, SourceLoc loc) {
  json out = {{"line", loc.line}, {"column", loc.column}};
  if (buffer)
    if (std::optional<uint32_t> offset = offsetOf(*buffer, loc))
      out["offset"] = *offset;
  return out;
}

/// "file", "line", "column" and "range" of a JSON diagnostic or note.
void addJsonLocation(json &out, const SourceBuffer *buffer, SourceRange range) {
  out["file"] = buffer ? json(buffer->name()) : json(nullptr);
  if (!range.isValid())
    return;
  out["line"] = range.begin.line;
  out["column"] = range.begin.column;
  json jsonRange = {{"begin", jsonLoc(buffer, range.begin)}};
  if (range.end.isValid())
    jsonRange["end"] = jsonLoc(buffer, range.end);
  out["range"] = std::move(jsonRange);
}

/// The rule of errors that have no ID of their own.
constexpr const char *kErrorRule = "error";

std::string ruleOf(const Diagnostic &diag) {
  return diag.id.empty() ? kErrorRule : diag.id;
}

json sarifRegion(const SourceBuffer &buffer, SourceRange range) {
  std::string_view line = buffer.lineText(range.begin.line);
  json region = {
      {"startLine", range.begin.line},
      {"startColumn", utf16Column(line, range.begin.column)},
  };
  if (range.end.isValid()) {
    region["endLine"] = range.end.line;
    region["endColumn"] =
        utf16Column(buffer.lineText(range.end.line), range.end.column);
  }
  if (std::optional<uint32_t> begin = offsetOf(buffer, range.begin)) {
    region["byteOffset"] = *begin;
    std::optional<uint32_t> end;
    if (range.end.isValid())
      end = offsetOf(buffer, range.end);
    if (end.value_or(0) >= *begin)
      region["byteLength"] = end.value_or(0) - *begin;
  }
  return region;
}

/// A location in the one artifact (index 0): a file's URI, or the index
/// alone for stdin and --from-str.
json sarifLocation(const SourceBuffer *buffer, const DiagnosticSource &source,
                   SourceRange range) {
  json artifact = {{"index", 0}};
  if (source.isFile)
    artifact["uri"] = pathToUri(buffer->name());
  json physical = {{"artifactLocation", std::move(artifact)}};
  if (range.isValid())
    physical["region"] = sarifRegion(*buffer, range);
  return {{"physicalLocation", std::move(physical)}};
}

json sarifArtifact(const SourceBuffer &buffer, const DiagnosticSource &source) {
  if (source.isFile)
    return {{"location", {{"uri", pathToUri(buffer.name())}}},
            {"sourceLanguage", "bpfilter"}};
  // The source exists nowhere else: the log carries it.
  return {{"description", {{"text", buffer.name()}}},
          {"contents", {{"text", buffer.text()}}},
          {"sourceLanguage", "bpfilter"}};
}

} // namespace

std::optional<DiagnosticFormat> parseDiagnosticFormat(std::string_view name) {
  if (name == "text")
    return DiagnosticFormat::Text;
  if (name == "json")
    return DiagnosticFormat::Json;
  if (name == "sarif")
    return DiagnosticFormat::Sarif;
  return std::nullopt;
}

uint32_t utf16Column(std::string_view line, uint32_t byteColumn) {
  size_t bytes = std::min<size_t>(byteColumn ? byteColumn - 1 : 0, line.size());
  uint32_t units = 0;
  for (size_t i = 0; i < bytes;) {
    size_t length;
    char32_t c = decodeUtf8(line.substr(i, bytes - i), length);
    units += c >= 0x10000 ? 2 : 1;
    i += length;
  }
  // A column past the end of the line (the newline, end of input).
  if (byteColumn > line.size() + 1)
    units += byteColumn - 1 - line.size();
  return units + 1;
}

std::string pathToUri(std::string_view path) {
  std::string out = path.starts_with('/') ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

void writeDiagnosticsJson(const DiagnosticEngine &diags, std::ostream &os) {
  const SourceBuffer *buffer = diags.buffer();
  json list = json::array();
  for (const Diagnostic &diag : diags.diagnostics()) {
    json entry = {
        {"severity", severityName(diag.severity)},
        {"id", diag.id.empty() ? json(nullptr) : json(diag.id)},
        {"message", diag.message},
    };
    if (diag.warning)
      entry["option"] = fmt::format("-W{}", diag.id);
    addJsonLocation(entry, buffer, diag.range);
    json notes = json::array();
    for (const DiagnosticNote &note : diag.notes) {
      json jsonNote = {{"message", note.message}};
      addJsonLocation(jsonNote, buffer, note.range);
      notes.push_back(std::move(jsonNote));
    }
    entry["notes"] = std::move(notes);
    list.push_back(std::move(entry));
  }
  dump({{"format", "bfc-diagnostics"},
        {"version", 1},
        {"diagnostics", std::move(list)},
        {"errorCount", diags.errorCount()},
        {"warningCount", diags.warningCount()},
        {"suppressedErrorCount", diags.suppressedErrorCount()}},
       os);
}

void writeDiagnosticsSarif(const DiagnosticEngine &diags,
                           const DiagnosticSource &source, std::ostream &os) {
  const SourceBuffer *buffer = diags.buffer();
  json rules = json::array();
  for (const WarningInfo &info : warnings())
    rules.push_back({{"id", info.name},
                     {"shortDescription", {{"text", info.description}}},
                     {"defaultConfiguration", {{"level", "warning"}}}});
  rules.push_back({{"id", kErrorRule},
                   {"shortDescription",
                    {{"text", "an error in the ruleset (syntax, semantics, "
                              "limits): it cannot be compiled"}}},
                   {"defaultConfiguration", {{"level", "error"}}}});
  auto ruleIndex = [&](const std::string &id) -> std::optional<size_t> {
    for (size_t i = 0; i < rules.size(); ++i)
      if (rules[i]["id"] == id)
        return i;
    return std::nullopt;
  };

  json results = json::array();
  for (const Diagnostic &diag : diags.diagnostics()) {
    std::string rule = ruleOf(diag);
    json result = {{"ruleId", rule},
                   // SARIF's levels are named as bfc's severities.
                   {"level", severityName(diag.severity)},
                   {"message", {{"text", diag.message}}}};
    if (std::optional<size_t> index = ruleIndex(rule))
      result["ruleIndex"] = *index;
    if (buffer)
      result["locations"] =
          json::array({sarifLocation(buffer, source, diag.range)});
    json related = json::array();
    for (const DiagnosticNote &note : diag.notes) {
      json location =
          buffer ? sarifLocation(buffer, source, note.range) : json::object();
      location["id"] = related.size();
      location["message"] = {{"text", note.message}};
      related.push_back(std::move(location));
    }
    if (!related.empty())
      result["relatedLocations"] = std::move(related);
    results.push_back(std::move(result));
  }

  json run = {
      {"tool",
       {{"driver",
         {{"name", "bfc"},
          {"version", kVersion},
          {"rules", std::move(rules)}}}}},
      {"columnKind", "utf16CodeUnits"},
      {"results", std::move(results)},
      {"properties", {{"suppressedErrorCount", diags.suppressedErrorCount()}}},
  };
  if (buffer)
    run["artifacts"] = json::array({sarifArtifact(*buffer, source)});
  dump({{"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/"
                    "os/schemas/sarif-schema-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs", json::array({std::move(run)})}},
       os);
}

void writeDiagnostics(DiagnosticFormat format, const DiagnosticEngine &diags,
                      const DiagnosticSource &source, bool color,
                      std::ostream &os) {
  switch (format) {
  case DiagnosticFormat::Text:
    diags.print(os, color);
    return;
  case DiagnosticFormat::Json:
    writeDiagnosticsJson(diags, os);
    return;
  case DiagnosticFormat::Sarif:
    writeDiagnosticsSarif(diags, source, os);
    return;
  }
}

} // namespace bfc
