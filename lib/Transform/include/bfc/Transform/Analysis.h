// Analyses of BFIR chains, for the passes and for code generation
// (docs/architecture.md, "Passes").
#pragma once

#include <bitset>
#include <cstdint>
#include <vector>

#include "bfc/IR/BFIR.h"

namespace bfc::transform {

// ------------------------------------------------------ never-matching ----
//
// A rule that can never match keeps its index and counter slot (counters,
// logs and metadata are indexed by rule). Its predicates are replaced by the
// single predicate `meta.l3_proto range 0xffff-0x0000` (not negated): an
// empty range, false on every packet and every hook for the interpreter,
// the printer and the reader without any special case, and a comparison
// LLVM folds to false (unlike `meta.probability eq 0%`, which would still
// call bpf_get_prandom_u32). Code generation should still test
// isNeverMatching() and emit nothing for such a rule.

/// The never-true predicate: `meta.l3_proto range 0xffff-0x0000`.
ir::Predicate neverPredicate();
/// `pred` is false on every packet by its form alone: a non-negated range
/// whose low bound is above its high bound, or a non-negated, not-per-flow
/// probability whose threshold is 0.
bool isNeverPredicate(const ir::Predicate &pred);
/// Some predicate of `rule` is never true, so the rule never matches.
bool isNeverMatching(const ir::Rule &rule);
/// Replaces the rule's predicates by neverPredicate(); keeps everything else.
void makeNeverMatching(ir::Rule &rule);

/// The rule's predicates can never all hold (contradictory values, headers
/// a packet cannot have together, 0% probability, ...), by the reasoning of
/// PredicateFacts. Includes isNeverMatching().
bool canNeverMatch(const ir::Chain &chain, const ir::Rule &rule);

// ------------------------------------------------------ shadowed rules ----

struct ShadowedRule {
  uint32_t rule; ///< the rule that can never be reached
  uint32_t by;   ///< the first earlier rule that takes all of its packets
};

/// Rules that never decide because an earlier rule with a terminal verdict
/// (not CONTINUE) matches every packet they would match: every predicate of
/// the earlier rule is implied by the later rule's predicates (structurally
/// equal, or implied by values and headers). Rules that can never match on
/// their own are left out, and so is a pair when a rule between them sets a
/// mark and the earlier rule reads meta.mark. In rule order.
std::vector<ShadowedRule> findShadowedRules(const ir::Chain &chain);

// ------------------------------------------------- header requirements ----

/// What the rules of a chain that can match read from a packet, for code
/// generation: which headers it must locate and load, and which optional
/// machinery it needs. Malformed-packet detection (the error counter,
/// docs/semantics.md) still needs the whole header walk: what these
/// requirements allow to skip is loading bytes no rule reads and building
/// state nothing uses.
struct ChainRequirements {
  /// HeaderBit mask (PredicateFacts.h) of the headers whose presence or
  /// bytes some predicate or set key tests. `TcpOrUdp` fields set both
  /// kHeaderTcp and kHeaderUdp (and kHeaderTcpOrUdp).
  uint8_t headers = 0;
  /// Fields read by predicates or set keys.
  std::bitset<ir::kNumFields> fields;
  /// Some predicate tests the IPv6 header chain (ip6.nexthdr eq/not).
  bool ip6HeaderChain = false;
  /// Some predicate needs bpf_get_prandom_u32 (meta.probability).
  bool random = false;
  /// Some predicate needs the flow hash (meta.flow_probability).
  bool flowHash = false;
  /// Some predicate compares meta.iface.
  bool iface = false;
  /// Some predicate looks a set up.
  bool sets = false;
  /// Union of the `log` header selections (ir::LogHeaders) of the rules
  /// that log; `log` when any rule logs, `logRate` when one uses `every`.
  uint8_t logHeaders = 0;
  bool log = false;
  bool logRate = false;
  /// Some rule sets a mark / redirects.
  bool setsMark = false;
  bool redirects = false;

  /// Whether a predicate needs header `proto` (Proto::None: always true).
  bool needs(ir::Proto proto) const;
};

/// The requirements of `chain`, ignoring rules that are isNeverMatching().
ChainRequirements requiredHeaders(const ir::Chain &chain);

} // namespace bfc::transform
