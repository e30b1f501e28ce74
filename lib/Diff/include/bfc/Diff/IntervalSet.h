// Sets of unsigned integers up to 128 bits (the widest field is an IPv6
// address) as sorted, disjoint, non-adjacent closed intervals: the values of
// one header field that a class of packets may take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bfc::diff {

using Value = unsigned __int128;

struct Interval {
  Value lo = 0, hi = 0; ///< inclusive
  friend bool operator==(const Interval &, const Interval &) = default;
};

class IntervalSet {
public:
  IntervalSet() = default;
  /// Every value of `bits` bits.
  static IntervalSet all(unsigned bits);
  static IntervalSet point(Value value) { return range(value, value); }
  static IntervalSet range(Value lo, Value hi);
  /// The values whose first `prefixLen` of `bits` bits are those of `value`.
  static IntervalSet prefix(Value value, unsigned prefixLen, unsigned bits);
  /// Builds from intervals in any order, overlapping or not.
  static IntervalSet fromIntervals(std::vector<Interval> intervals);

  const std::vector<Interval> &intervals() const { return intervals_; }
  bool empty() const { return intervals_.empty(); }
  bool isPoint() const {
    return intervals_.size() == 1 && intervals_[0].lo == intervals_[0].hi;
  }
  Value first() const { return intervals_.front().lo; }
  bool contains(Value value) const;
  /// Every value of `other` is in this set.
  bool includes(const IntervalSet &other) const;
  bool intersects(const IntervalSet &other) const;
  /// How `other` lies against this set, in O(min * log max) for the
  /// common cases (one of the sets small).
  enum class Relation : uint8_t { Disjoint, Inside, Overlapping };
  Relation relationOf(const IntervalSet &other) const;

  IntervalSet intersect(const IntervalSet &other) const;
  IntervalSet unite(const IntervalSet &other) const;
  /// The values of this set that are not in `other`.
  IntervalSet minus(const IntervalSet &other) const;

  friend bool operator==(const IntervalSet &, const IntervalSet &) = default;

private:
  std::vector<Interval> intervals_;
};

/// The big-endian integer of `size` (at most 16) bytes.
Value valueOfBytes(const uint8_t *bytes, size_t size);

} // namespace bfc::diff
