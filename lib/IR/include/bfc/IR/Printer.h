// BFIR textual form (bfc --emit=bfir).
#pragma once

#include <ostream>
#include <string>

#include "bfc/IR/BFIR.h"

namespace bfc::ir {

/// Prints `module` in BFIR's stable textual form.
void printModule(const Module &module, std::ostream &os);
std::string toString(const Module &module);

} // namespace bfc::ir
