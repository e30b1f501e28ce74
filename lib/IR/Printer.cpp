#include "bfc/IR/Printer.h"

#include <sstream>

namespace bfc::ir {

// Placeholder until the printer lands.
void printModule(const Module &module, std::ostream &os) {
  for (const Chain &chain : module.chains)
    os << "chain " << chain.name << "\n";
}

std::string toString(const Module &module) {
  std::ostringstream os;
  printModule(module, os);
  return os.str();
}

} // namespace bfc::ir
