// The small model an iptables-save dump is read into: chains of rules whose
// conditions are already bfc matchers. Internal to lib/Import.
#pragma once

#include <string>
#include <vector>

#include "bfc/Import/Iptables.h"

namespace bfc::import {

/// One bfc matcher, e.g. `tcp.dport range 1-1023`. Interface matchers stay
/// symbolic: what `-i`/`-o` mean depends on the hook the rule ends up in.
struct Atom {
  enum class Iface { None, In, Out };
  std::string matcher;
  Iface iface = Iface::None;
  std::string ifaceName;
  bool negate = false;
  SourceRange range;
};

using Conjunction = std::vector<Atom>;

/// A disjunction of mutually exclusive conjunctions, so that expanding it
/// into one bfc rule per alternative matches each packet at most once (a
/// LOG rule logs once). No alternative: never true; one empty: always.
struct Term {
  std::vector<Conjunction> alternatives;
};

enum class Target { Accept, Drop, Log, Count, Return, Jump, Goto, Skipped };

struct Rule {
  uint32_t line = 0;
  std::string text; ///< the dump's line, for the comment above the rule
  std::vector<Term> terms;
  Target target = Target::Count;
  std::string jumpChain; ///< Jump, Goto
  SourceRange targetRange;
  std::vector<std::string> comments; ///< -m comment, LOG prefix, REJECT note
  std::string skippedReason;         ///< Skipped (--lossy)
};

struct Chain {
  std::string name;
  bool builtin = false;
  std::string policy; ///< ACCEPT or DROP for built-in chains
  SourceRange range;
  std::vector<Rule> rules;
};

struct FilterTable {
  std::vector<Chain> chains;
  const Chain *find(const std::string &name) const {
    for (const Chain &chain : chains)
      if (chain.name == name)
        return &chain;
    return nullptr;
  }
};

/// The filter table of the dump; errors and warnings go to `diags`.
FilterTable parseIptablesSave(const SourceBuffer &input,
                              const ImportOptions &options,
                              DiagnosticEngine &diags);

/// The bfc source for `table`: built-in chains become netfilter chains,
/// user chains are inlined (RulesetWriter.cpp explains how).
std::string writeRuleset(const FilterTable &table, const SourceBuffer &input,
                         const ImportOptions &options, DiagnosticEngine &diags);

} // namespace bfc::import
