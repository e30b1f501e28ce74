// Structural checks of BFIR: what every consumer (passes, interpreter, code
// generator) may assume of a module that passes them.
#pragma once

#include <string>
#include <vector>

#include "bfc/IR/BFIR.h"

namespace bfc::ir {

/// Problems in `chain`, one message each ("chain c, rule 2: ..."); empty
/// when the chain is well formed: rule indices match positions, the policy
/// is ACCEPT/DROP/NEXT, predicate values have their field's width, prefix
/// lengths fit, set and host slot references exist, set elements have the
/// key's size, LPM sets have one address component, probabilities are in
/// [0, 100]; and the hook model (HookModel.h):
/// no predicate reads what the hook cannot (Visibility::Unsupported), the
/// mark option and REDIRECT appear only on hooks that can take them.
std::vector<std::string> verifyChain(const Module &module, const Chain &chain);
/// verifyChain over every chain, plus unique chain names.
std::vector<std::string> verifyModule(const Module &module);

} // namespace bfc::ir
