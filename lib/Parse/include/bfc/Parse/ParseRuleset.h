// Source text -> AST, through the ANTLR4 grammar in grammar/.
#pragma once

#include <ostream>

#include "bfc/AST/AST.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc {

/// Parses `buffer` into `out`. Syntax errors are reported to `diags` (several
/// per run: the parser recovers); returns false when any was reported.
bool parseRuleset(const SourceBuffer &buffer, DiagnosticEngine &diags,
                  ast::Ruleset &out);

/// Prints the AST as an indented tree with source locations (--emit=ast).
void dumpAST(const ast::Ruleset &ruleset, std::ostream &os);

} // namespace bfc
