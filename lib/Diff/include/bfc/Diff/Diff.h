// `bfc diff`: which packets change their fate between two versions of a
// ruleset. The packet space of each chain is partitioned exactly (no
// sampling) into classes over the header fields the rules read
// (docs/diff.md); every class whose fate differs is reported with the
// field values that describe it and a witness packet, checked through the
// interpreter on both versions.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bfc/Diff/IntervalSet.h"
#include "bfc/IR/BFIR.h"
#include "bfc/Support/Diagnostics.h"
#include "bfc/Support/Expected.h"

namespace bfc::diff {

/// Dimensions of the packet space: every BFIR field (ir::FieldId values),
/// then the random draw of meta.probability and the flow hash of
/// meta.flow_probability.
inline constexpr unsigned kDimRandom = ir::kNumFields;
inline constexpr unsigned kDimFlowHash = ir::kNumFields + 1;
inline constexpr unsigned kNumDims = ir::kNumFields + 2;

/// The headers a class of packets has: the packets of one shape share which
/// predicates can be true at all.
struct Shape {
  enum class Network : uint8_t { Other, Ip4, Ip6, Sock4, Sock6 };
  Network network = Network::Other;
  ir::Proto transport = ir::Proto::None; ///< Tcp, Udp, Icmp, Icmpv6 or None
  /// IPv6: the one extension header between the fixed header and the
  /// transport, if any (its next-header number).
  std::optional<uint8_t> extension;
  /// The values each dimension can take; nullopt when the shape does not
  /// have it (its predicates are false).
  std::array<std::optional<IntervalSet>, kNumDims> domain;
  /// Fields that are another field in this shape (meta.dport is tcp.dport in
  /// a TCP packet): the dimension predicates on each field constrain.
  std::array<unsigned, ir::kNumFields> dimOfField{};

  /// "ip4, tcp", "ip6, no transport header", "ip6 with hop, udp",
  /// "non-IP", "sock4, udp".
  std::string describe() const;
};

/// What a chain does with a packet, as far as `bfc diff` compares it.
struct Fate {
  ir::Verdict verdict = ir::Verdict::Accept;
  /// The deciding rule (index in its chain); nullopt for the policy.
  std::optional<uint32_t> rule;
  /// The mark a rule set; nullopt when the packet keeps its own.
  std::optional<uint32_t> mark;
  /// REDIRECT: the target ("eth0" or "ifindex 3") and direction.
  std::string redirect;
};

/// One class of packets whose fate changed.
struct ChangedClass {
  const Shape *shape = nullptr;
  /// The values of each dimension in the class (the shape's domain when
  /// the class does not constrain it).
  std::array<IntervalSet, kNumDims> values;
  Fate before, after;
  /// The class is decided by a random draw or a flow hash: the fates are
  /// those of the draws in the class.
  bool dependsOnRandom = false;
  /// A packet of the class in lib/Packet spec syntax, checked on both
  /// versions through the interpreter; empty when none could be built (a
  /// flow hash class with no matching ports).
  std::string witness;
};

struct ChainDiff {
  enum class Status : uint8_t {
    Unchanged,
    Changed,
    Added,
    Removed,
    HookChanged
  };
  std::string name;
  Status status = Status::Unchanged;
  const ir::Chain *before = nullptr, *after = nullptr;
  std::vector<ChangedClass> classes;
};

struct DiffOptions {
  /// Also report packets whose verdict stays but whose deciding rule (by its
  /// source text) changes.
  bool rules = false;
};

struct ModuleDiff {
  std::vector<ChainDiff> chains;
  /// Shapes the classes point to.
  std::vector<std::unique_ptr<Shape>> shapes;
  /// Interface names the analysis gave an ifindex (witness packets use
  /// them): name -> ifindex.
  std::vector<std::pair<std::string, uint32_t>> ifaces;

  bool changed() const;
};

/// Compares every chain of `before` with the chain of the same name in
/// `after`. A matcher it cannot decide exactly is an Error of kind
/// Unsupported whose `range` points into the ruleset `input` says (0
/// `before`, 1 `after`). Throws std::logic_error when a witness does not
/// show the fates computed for its class (a bug).
Expected<ModuleDiff> diffModules(const ir::Module &before,
                                 const ir::Module &after,
                                 const DiffOptions &options = {});

} // namespace bfc::diff

namespace bfc::diff {

/// One constraint of a class, e.g. {"tcp.dport", "22"} or {"ip4.saddr",
/// "not in {10.0.0.0/8, 192.168.0.0/16}"}.
struct ClassPredicate {
  std::string field;
  std::string text;
};
/// The dimensions a class constrains, simplest form first (prefixes,
/// ranges, `not`).
std::vector<ClassPredicate> describeClass(const ChangedClass &cls,
                                          const ModuleDiff &diff);

/// The sources of the two rulesets, for rule locations.
struct DiffSources {
  const SourceBuffer &before;
  const SourceBuffer &after;
};

/// One line per changed chain status or class (and its witness); nothing
/// when nothing changed.
void printDiff(const ModuleDiff &diff, const DiffSources &sources,
               std::ostream &os);
/// The same data as a JSON document.
std::string diffToJson(const ModuleDiff &diff, const DiffSources &sources);

} // namespace bfc::diff
