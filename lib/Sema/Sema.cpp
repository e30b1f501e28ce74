#include "bfc/Sema/Sema.h"

namespace bfc {

// Placeholder until the semantic analysis lands: lowers nothing.
std::optional<ir::Module> lowerToBFIR(const ast::Ruleset &ruleset,
                                      const SourceBuffer &buffer,
                                      DiagnosticEngine &diags) {
  ir::Module module;
  module.sourceName = buffer.name();
  return module;
}

} // namespace bfc
