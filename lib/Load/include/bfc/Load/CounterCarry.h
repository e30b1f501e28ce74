// Keeping counters across a chain replacement: rules of the new chain that
// are unchanged from the old one start from the old one's counts instead of
// zero (docs/bfload.md, "Counters across updates").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/Load/Loader.h"
#include "bfc/Object/Metadata.h"

namespace bfc::load {

/// A rule's source text with what the lexer ignores removed: comments
/// (`#` to the end of the line) and layout (runs of spaces and line breaks
/// become one space, none at the ends). In a set body (`{ ... }`) a line
/// break separates elements, so there it stays a line break.
std::string normaliseRuleText(std::string_view text);

/// One counter whose value moves from the old counter map to the new one.
struct CounterCarry {
  uint32_t from = 0; ///< index in the old chain's counter map
  uint32_t to = 0;   ///< index in the new chain's counter map

  friend bool operator==(const CounterCarry &, const CounterCarry &) = default;
};

/// The counters `now` inherits from `old`: each counting rule of `now` takes
/// the counter of the old counting rule with the same normalised text (the
/// k-th of identical rules takes the k-th old one, so duplicates pair in
/// order; a rule whose text changed in any way starts from zero); the policy
/// counter carries when the policy is the same, the error counter always.
/// Hooks and attach points are the caller's business.
std::vector<CounterCarry> matchCounters(const object::ChainInfo &old,
                                        const object::ChainInfo &now);

/// Copies the per-CPU counts the new chain inherits (matchCounters) from the
/// old chain's counter map, pinned in `oldDir`, into the counter map of
/// `loaded`, replacing what is there: on netfilter hooks the new program
/// already runs, and what it counted so far the old one counted too.
/// Returns the number of rule counters carried. Never fails the update: a
/// problem is a warning on stderr, and the counters start from zero.
size_t carryCounters(const std::string &oldDir, const object::ChainInfo &old,
                     const LoadedChain &loaded);

} // namespace bfc::load
