// Reading the arguments of one `-A CHAIN ...` line. Internal to lib/Import.
#pragma once

#include <string>
#include <vector>

#include "Model.h"

namespace bfc::import {

struct Token {
  std::string text;
  SourceRange range;
};

/// A problem with one argument. `unsupported`: valid iptables that bfc
/// cannot express exactly (--lossy turns the rule into a comment); else
/// the argument is malformed.
struct ArgumentError {
  SourceRange range;
  std::string message;
  bool unsupported = false;
};

/// Fills `rule`'s terms, target and comments from `args` (everything after
/// the chain name); a target that is not built in must be one of `table`'s
/// chains. Throws ArgumentError; adds to `warnings` what --lossy
/// let through.
void readRuleArguments(const std::vector<Token> &args,
                       const ImportOptions &options, const FilterTable &table,
                       Rule &rule, std::vector<ArgumentError> &warnings);

} // namespace bfc::import
