// Classification: which rules of a chain can be found with table lookups
// instead of being tested one after the other (docs/codegen.md,
// "Classification").
//
// A rule is a *candidate* of a table when it has at least one non-negated
// equality, possibly on a prefix, on a header field (not metadata: meta.mark
// changes while the chain runs): those equalities, one per field, are its
// key; its other predicates are its *guards*, tested after the lookup; its
// verdict may be CONTINUE. A *plain* rule has no guards and decides. Its
// *shape* is the list of (field, compared bits); rules of one shape share a
// table, as in tuple space search: the key is the packet's fields masked to
// the shape, the value the lowest rule index with that key, and the plan
// links each candidate to the next one with the same key (a bounded chain).
// Single-field prefixes of one address field in more lengths than hash tables
// are worth are expanded to a few lengths (controlled prefix expansion), or,
// when that makes too many entries, share one LPM trie whose entries hold the
// lowest index among themselves and every shorter prefix containing them (the
// longest match of a packet implies all its ancestors). The other rules are
// *residual*: they run in order, each only while its index is below the
// best the tables gave, and the rule with that best index decides after
// them.
#pragma once

#include <cstdint>
#include <vector>

#include "bfc/IR/BFIR.h"

namespace bfc::transform {

/// One component of a table key.
struct TableField {
  ir::FieldId field;
  /// Leading bits compared (the field's whole width for exact tables; the
  /// LPM trie of a table with `lpm` set holds every length).
  unsigned bits = 0;

  friend bool operator==(const TableField &, const TableField &) = default;
  friend auto operator<=>(const TableField &, const TableField &) = default;
};

struct TableEntry {
  /// The components' values masked to their bits, concatenated (network
  /// byte order); an LPM entry's address with the bits past `prefixLen`
  /// cleared.
  ir::Bytes key;
  uint8_t prefixLen = 0; ///< LPM entries only
  /// The lowest index of a rule that matches every packet this entry
  /// matches (LPM: the entry's rule and the rules of its shorter prefixes).
  uint32_t rule = 0;
};

/// A named set mirrored in a table: `rule` is `(field) in set` and decides,
/// before every other rule of the table, so each element of the set is a key
/// whose entry gives `rule`. Its elements change on the host (`bfload chain
/// update-set`), so the loader writes those entries, not the plan: the
/// lookup of the set's own map is saved.
struct MirroredSet {
  uint32_t set = 0;
  uint32_t rule = 0;

  friend bool operator==(const MirroredSet &, const MirroredSet &) = default;
};

struct ClassifierTable {
  std::vector<TableField> fields;
  /// A longest-prefix-match trie on one address field (`fields` has one
  /// element, `bits` its full width).
  bool lpm = false;
  /// HeaderBit mask: look the table up only when every one is present
  /// (absent headers would read as zero and could match a zero key).
  uint8_t headers = 0;
  /// The rules it covers, ascending.
  std::vector<uint32_t> rules;
  /// One entry per distinct key (per prefix for LPM), in rule order.
  std::vector<TableEntry> entries;
  /// Named sets whose elements are entries too, ascending by rule (their
  /// rules are in `rules`, below every other).
  std::vector<MirroredSet> mirrors;
  /// The most candidates of one key (ClassifierPlan::next), and the most
  /// CONTINUE candidates among them: the bounds of the walk.
  unsigned longestChain = 1, mostContinues = 0;

  /// Bytes of the key (without the LPM prefix length word).
  unsigned keySize() const;
};

/// Limits of the plan. Each table costs one map lookup per packet and one of
/// the program's 64 maps, so small shapes stay as compares.
struct ClassifyOptions {
  /// A shape with fewer rules stays residual.
  unsigned minRulesPerTable = 16;
  /// At most this many tables (the shapes with the most rules win).
  unsigned maxTables = 8;
  /// Single-field prefixes of one address field get at most this many hash
  /// tables, one per length; more lengths are expanded to at most that many
  /// lengths (controlled prefix expansion). A hash lookup costs ~7 ns, a
  /// kernel LPM trie lookup 50-100 ns (docs/codegen.md, "Classification").
  unsigned maxHashLengths = 3;
  /// Expansion may make at most this many entries per rule, or
  /// `maxExpandedEntries` in all if that is more; beyond, the prefixes share
  /// one LPM trie instead.
  unsigned maxExpansion = 4;
  /// Entries expansion may always make, whatever the rule count: an LPM
  /// trie costs 50-100 ns per packet more than a few hash lookups, while
  /// each entry costs about 2 us of load time (bench/: 219,000 entries load
  /// in 0.6 s, 55,000 in 0.2 s). 1,000 prefixes of every length from /8 to
  /// /32 fit in 2 tables of 53,000 entries, 10,000 in 3 of 55,000.
  unsigned maxExpandedEntries = 1u << 16;
  /// Candidates linked per key; later ones with that key stay residual.
  unsigned maxChain = 8;
  /// Matched CONTINUE candidates held until their turn, over all tables
  /// (the sum of the tables' mostContinues); 0 keeps CONTINUE rules
  /// residual.
  unsigned maxPending = 8;
};

inline constexpr uint32_t kNoCandidate = 0xffffffff;

struct ClassifierPlan {
  std::vector<ClassifierTable> tables;
  /// Rules tested in order, ascending (every rule in no table).
  std::vector<uint32_t> residual;
  /// Per rule index: the next candidate with the same key in the same table
  /// (ascending), kNoCandidate after the last; kNoCandidate for rules in no
  /// table's chain.
  std::vector<uint32_t> next;
  /// Per rule index: a candidate's guards, the indexes of its predicates
  /// that are not part of its key (empty for plain rules).
  std::vector<std::vector<uint32_t>> guards;

  bool empty() const { return tables.empty(); }
};

/// The table shape of `rule` on `chain`'s hook; empty when the rule is not
/// a candidate. `guards`, when given, receives its guard predicates' indexes.
/// CONTINUE rules are candidates only with `continues`.
std::vector<TableField> classifierShape(const ir::Chain &chain,
                                        const ir::Rule &rule,
                                        std::vector<uint32_t> *guards = nullptr,
                                        bool continues = false);

/// Plans `chain`: tables for the shapes worth one, the rest residual.
ClassifierPlan planClassifier(const ir::Chain &chain,
                              const ClassifyOptions &options = {});

/// `value` (a field's bytes) with every bit past the first `bits` cleared.
ir::Bytes maskedPrefix(const ir::Bytes &value, unsigned bits);

} // namespace bfc::transform
