// Reading the arguments of one `-A CHAIN ...` line. Internal to lib/Import.
#pragma once

#include <string>
#include <vector>

#include "Model.h"
#include "bfc/Support/Expected.h"

namespace bfc::import {

struct Token {
  std::string text;
  SourceRange range;
};

/// Fills `rule`'s terms, target and comments from `args` (everything after
/// the chain name); a target that is not built in must be one of `table`'s
/// chains. The Error of a bad argument has its token's range and kind
/// Unsupported for valid iptables that bfc cannot express exactly (--lossy
/// turns the rule into a comment), Invalid for a malformed argument; adds to
/// `warnings` what --lossy let through.
Expected<void> readRuleArguments(const std::vector<Token> &args,
                                 const ImportOptions &options,
                                 const FilterTable &table, Rule &rule,
                                 std::vector<Error> &warnings);

} // namespace bfc::import
