// What a conjunction of predicates guarantees about a packet, and what that
// says about another predicate: the reasoning behind predicate
// simplification, never-matching rules and shadowed rules.
//
// Everything here follows docs/semantics.md: a predicate on a header the
// packet does not have is false whatever its negation, so assuming a
// predicate (negated or not) tells that its header is present. The facts are
// sound but not complete: `evaluate` answers True or False only when that
// follows from the assumptions, Unknown otherwise.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "bfc/IR/BFIR.h"

namespace bfc::transform {

enum class Truth : uint8_t { False, True, Unknown };

/// Headers, as bits of a mask. `TcpOrUdp` is "a TCP or a UDP header".
enum HeaderBit : uint8_t {
  kHeaderIp4 = 1 << 0,
  kHeaderIp6 = 1 << 1,
  kHeaderTcp = 1 << 2,
  kHeaderUdp = 1 << 3,
  kHeaderIcmp = 1 << 4,
  kHeaderIcmpv6 = 1 << 5,
  kHeaderTcpOrUdp = 1 << 6,
};

/// The header bit of `proto` (0 for Proto::None).
uint8_t headerBit(ir::Proto proto);

/// What a field or predicate needs on a hook: every header of `headers`
/// present, or nothing at all when `never` (the hook never provides it, e.g.
/// TCP flags on a sock_addr hook).
struct Availability {
  bool never = false;
  uint8_t headers = 0;
};
Availability fieldAvailability(ir::FieldId field, ir::Hook hook);
Availability predicateAvailability(const ir::Predicate &pred,
                                   const ir::Chain &chain);

/// The leading bits of its field an `eq` compares: its prefix length, at
/// most the field's width, or the whole field.
unsigned comparedBits(const ir::Predicate &pred);

/// Structural equality of two predicates (source text and range ignored).
bool samePredicate(const ir::Predicate &a, const ir::Predicate &b);

/// A `meta.probability` whose outcome depends on the random draw (neither 0%
/// nor 100%). Two of them are never assumed equal: the kernel may draw a new
/// number for each.
bool isRandomProbability(const ir::Predicate &pred);

/// The outcome of a probability predicate's test when it does not depend on
/// the draw: False for a threshold of 0, True for 2^32, Unknown otherwise.
Truth probabilityConstant(double percent);

/// Facts about one packet (or sock_addr call) on the chain's hook, learnt
/// from predicates assumed true.
class PredicateFacts {
public:
  /// `chain` gives the hook and the sets; it must outlive the facts, and so
  /// must every predicate passed to assume().
  explicit PredicateFacts(const ir::Chain &chain);

  /// Adds `pred` as known to hold.
  void assume(const ir::Predicate &pred);
  /// Adds that every header of `headers` (a HeaderBit mask) is present.
  void assumeHeaders(uint8_t headers);
  /// Records that no packet satisfies the assumptions (a rule marked
  /// never-matching).
  void assumeNever() { contradictory_ = true; }
  /// No packet satisfies every assumed predicate.
  bool contradictory() const { return contradictory_; }

  /// The value of `pred` on every packet that satisfies the assumptions
  /// (True when the assumptions are contradictory).
  Truth evaluate(const ir::Predicate &pred) const;

  /// Headers known present / absent (HeaderBit masks).
  uint8_t presentHeaders() const { return present_; }
  uint8_t absentHeaders() const { return absent_; }

  /// Number of leading bits of `field` known, and their values (the other
  /// bits of the returned bytes are 0).
  unsigned knownLeadingBits(ir::FieldId field) const;
  ir::Bytes knownBits(ir::FieldId field) const;
  /// The predicates assumed so far, in order.
  const std::vector<const ir::Predicate *> &assumed() const { return assumed_; }

private:
  /// What is known of one field's value, when its header is present: the
  /// bits in `mask` are `bits`, and the value lies in [lo, hi].
  struct FieldState {
    ir::Bytes mask, bits, lo, hi;
  };

  /// Fields nothing was learnt about share one default state (nothing
  /// known): most rules test a few of the fields, and the passes build
  /// facts for every rule several times. Writing materializes the state.
  static const FieldState &initialState(ir::FieldId field);
  FieldState &state(ir::FieldId field) {
    FieldState &st = fields_[static_cast<unsigned>(field)];
    if (st.mask.empty())
      st = initialState(field);
    return st;
  }
  const FieldState &state(ir::FieldId field) const {
    const FieldState &st = fields_[static_cast<unsigned>(field)];
    return st.mask.empty() ? initialState(field) : st;
  }

  void markPresent(uint8_t headers);
  void markAbsent(uint8_t headers);
  void closeHeaders();
  void constrainEq(ir::FieldId field, const ir::Bytes &value, unsigned bits);
  void constrainBits(ir::FieldId field, const ir::Bytes &mask,
                     const ir::Bytes &bits);
  void constrainRange(ir::FieldId field, const ir::Bytes &lo,
                      const ir::Bytes &hi);
  void exclude(ir::FieldId field, const ir::Bytes &lo, const ir::Bytes &hi);
  void normalize(ir::FieldId field);
  void propagate();
  void applyTest(const ir::Predicate &pred);

  Truth headerTruth(const Availability &availability) const;
  Truth fieldTest(const ir::Predicate &pred) const;
  Truth setTest(const ir::Predicate &pred) const;
  Truth ip6ChainTest(const ir::Predicate &pred) const;
  bool fullyKnown(ir::FieldId field) const;

  const ir::Chain &chain_;
  bool contradictory_ = false;
  unsigned changes_ = 0; ///< bumped whenever a fact is learnt
  uint8_t present_ = 0;
  uint8_t absent_ = 0;
  /// The interface, when a literal `meta.iface eq` was assumed.
  std::optional<uint32_t> ifindex_;
  std::array<FieldState, ir::kNumFields> fields_; ///< empty: initialState
  std::vector<const ir::Predicate *> assumed_;
};

/// Facts from every predicate of `rule`.
PredicateFacts factsOfRule(const ir::Chain &chain, const ir::Rule &rule);

} // namespace bfc::transform
