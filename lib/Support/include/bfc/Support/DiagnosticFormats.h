// Machine-readable diagnostics: a JSON document of bfc's own and SARIF 2.1.0
// (what code-scanning tools read). Both are described in docs/bfc.md.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "bfc/Support/Diagnostics.h"

namespace bfc {

enum class DiagnosticFormat { Text, Json, Sarif };

/// "text", "json" or "sarif".
std::optional<DiagnosticFormat> parseDiagnosticFormat(std::string_view name);

/// Where the diagnostics' source came from, for the documents.
struct DiagnosticSource {
  /// The buffer is a file named by its name (not stdin or --from-str).
  bool isFile = true;
};

/// Every diagnostic of `diags`, its notes and the counts, as one JSON
/// document (ending with a newline).
void writeDiagnosticsJson(const DiagnosticEngine &diags, std::ostream &os);

/// The same as a SARIF 2.1.0 log with one run of bfc: every warning ID (and
/// `error`, the rule of errors without an ID of their own) is a rule.
void writeDiagnosticsSarif(const DiagnosticEngine &diags,
                           const DiagnosticSource &source, std::ostream &os);

/// Writes `diags` in `format`: text as DiagnosticEngine::print does.
void writeDiagnostics(DiagnosticFormat format, const DiagnosticEngine &diags,
                      const DiagnosticSource &source, bool color,
                      std::ostream &os);

/// SARIF's default column: UTF-16 code units from the start of the line,
/// 1-based, up to the byte column `byteColumn` of `line` (malformed bytes
/// count one each, as the U+FFFD they decode to).
uint32_t utf16Column(std::string_view line, uint32_t byteColumn);

/// `path` as a URI reference: percent-encoded, `file://` when absolute.
std::string pathToUri(std::string_view path);

} // namespace bfc
