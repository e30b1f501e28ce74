// The BFIR reader (`bfc --from-bfir`): any text gives diagnostics or a
// module that passes the verifier, never a crash.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "bfc/IR/Printer.h"
#include "bfc/IR/Reader.h"
#include "bfc/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace bfc;
  SourceBuffer buffer("fuzz.bfir",
                      std::string(reinterpret_cast<const char *>(data), size));
  DiagnosticEngine diags(&buffer);
  diags.setErrorLimit(20);
  std::optional<ir::Module> module = ir::readModule(buffer, diags);
  std::ostringstream sink;
  diags.print(sink);
  if (!module)
    return 0;
  if (!ir::verifyModule(*module).empty())
    __builtin_trap();
  ir::printModule(*module, sink);
  return 0;
}
