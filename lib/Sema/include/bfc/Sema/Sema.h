// AST -> BFIR: names, payloads, matcher/operator/hook compatibility, sets.
#pragma once

#include <optional>

#include "bfc/AST/AST.h"
#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc {

/// Checks `ruleset` and lowers it to BFIR. Every problem found is reported to
/// `diags` (errors and warnings, as many as possible in one run); returns
/// nullopt when any error was reported.
std::optional<ir::Module> lowerToBFIR(const ast::Ruleset &ruleset,
                                      const SourceBuffer &buffer,
                                      DiagnosticEngine &diags);

} // namespace bfc
