// Translation of an iptables-save (or ip6tables-save) dump of the `filter`
// table into a bfc ruleset (docs/bfc.md, "bfc import").
#pragma once

#include <string>

#include "bfc/Support/Diagnostics.h"

namespace bfc::import {

enum class Family { Ipv4, Ipv6 };

struct ImportOptions {
  Family family = Family::Ipv4;
  /// Turn what cannot be expressed exactly into comments plus warnings
  /// instead of errors.
  bool lossy = false;
};

/// The bfc source for `input`. Every problem is reported to `diags` at the
/// dump's line and column; the result is meaningful only without errors.
std::string importIptablesSave(const SourceBuffer &input,
                               const ImportOptions &options,
                               DiagnosticEngine &diags);

} // namespace bfc::import
