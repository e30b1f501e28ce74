// Counters for monitoring systems: the Prometheus text exposition format
// (what node_exporter's textfile collector reads) and OpenMetrics 1.0.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/Load/Session.h"

namespace bfc::load {

enum class MetricsFormat {
  /// Prometheus text format 0.0.4: `# TYPE bfc_rule_packets_total counter`.
  Prometheus,
  /// OpenMetrics 1.0: `# TYPE bfc_rule_packets counter`, samples with
  /// `_total`, and a final `# EOF`.
  OpenMetrics,
};

/// Longest rule text label, in bytes (before escaping).
inline constexpr size_t kMaxRuleTextLabel = 96;

/// A rule's text as a one-line label value: comments and repeated spaces
/// dropped (normaliseRuleText), lines joined by a space, control characters
/// turned into spaces, bytes that are not UTF-8 replaced by U+FFFD, and cut
/// at a character boundary to at most `maxBytes` (ending in "..." when cut).
std::string shortRuleText(std::string_view text,
                          size_t maxBytes = kMaxRuleTextLabel);

/// `text` escaped for a label value between double quotes: backslash,
/// double quote and line feed.
std::string escapeLabelValue(std::string_view text);

/// Every counter of `chains`: per rule with `counter` (labels chain, rule,
/// text), the policy counter (chain, hook, policy) and the error counter
/// (chain, hook), packets and bytes, each metric family once.
void printMetrics(std::ostream &out, const std::vector<ChainState> &chains,
                  MetricsFormat format);

} // namespace bfc::load
