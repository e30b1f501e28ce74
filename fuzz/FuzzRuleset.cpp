// Ruleset source -> parse -> Sema -> BFIR -> verifier -> printer -> reader:
// any byte string must give diagnostics or a module, never a crash, and
// the diagnostics must print.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "bfc/IR/Printer.h"
#include "bfc/IR/Reader.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace bfc;
  SourceBuffer buffer("fuzz.bf",
                      std::string(reinterpret_cast<const char *>(data), size));
  DiagnosticEngine diags(&buffer);
  diags.setErrorLimit(20);
  ast::Ruleset ruleset;
  std::ostringstream sink;
  if (!parseRuleset(buffer, diags, ruleset)) {
    diags.print(sink);
    return 0;
  }
  std::optional<ir::Module> module = lowerToBFIR(ruleset, buffer, diags);
  diags.print(sink);
  if (!module)
    return 0;
  // Sema's output must be valid BFIR, and survive a print/read round trip.
  if (!ir::verifyModule(*module).empty())
    __builtin_trap();
  std::ostringstream text;
  ir::printModule(*module, text);
  SourceBuffer printed("fuzz.bfir", text.str());
  DiagnosticEngine readDiags(&printed);
  if (!ir::readModule(printed, readDiags))
    __builtin_trap();
  return 0;
}
