#include "bfc/Diff/IntervalSet.h"

#include <algorithm>

#include "bfc/IR/BFIR.h"
#include "bfc/Support/ByteOrder.h"

namespace bfc::diff {

namespace {
Value maxOfBits(unsigned bits) { return lowBitsMask<Value>(bits); }
} // namespace

IntervalSet IntervalSet::all(unsigned bits) {
  return range(0, maxOfBits(bits));
}

IntervalSet IntervalSet::range(Value lo, Value hi) {
  IntervalSet set;
  if (lo <= hi)
    set.intervals_.push_back({lo, hi});
  return set;
}

IntervalSet IntervalSet::prefix(Value value, unsigned prefixLen,
                                unsigned bits) {
  Value hostMask = maxOfBits(bits - std::min(prefixLen, bits));
  return range(value & ~hostMask & maxOfBits(bits),
               (value | hostMask) & maxOfBits(bits));
}

IntervalSet IntervalSet::fromIntervals(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval &a, const Interval &b) { return a.lo < b.lo; });
  IntervalSet set;
  for (const Interval &next : intervals) {
    if (next.lo > next.hi)
      continue;
    // Merge overlapping and adjacent intervals (hi + 1 cannot overflow when
    // it is compared: hi == max means nothing can follow).
    if (!set.intervals_.empty()) {
      Interval &last = set.intervals_.back();
      if (last.hi == ~Value(0) || next.lo <= last.hi + 1) {
        last.hi = std::max(last.hi, next.hi);
        continue;
      }
    }
    set.intervals_.push_back(next);
  }
  return set;
}

bool IntervalSet::contains(Value value) const {
  auto it = std::upper_bound(
      intervals_.begin(), intervals_.end(), value,
      [](Value v, const Interval &interval) { return v < interval.lo; });
  return it != intervals_.begin() && value <= std::prev(it)->hi;
}

namespace {

/// The first interval of `intervals` that ends at or after `value`.
std::vector<Interval>::const_iterator
firstEndingFrom(const std::vector<Interval> &intervals, Value value) {
  return std::lower_bound(
      intervals.begin(), intervals.end(), value,
      [](const Interval &interval, Value v) { return interval.hi < v; });
}

/// Some interval of `large` meets one of `small`.
bool meets(const std::vector<Interval> &small,
           const std::vector<Interval> &large) {
  for (const Interval &i : small) {
    auto it = firstEndingFrom(large, i.lo);
    if (it != large.end() && it->lo <= i.hi)
      return true;
  }
  return false;
}

} // namespace

bool IntervalSet::includes(const IntervalSet &other) const {
  for (const Interval &i : other.intervals_) {
    auto it = firstEndingFrom(intervals_, i.lo);
    if (it == intervals_.end() || it->lo > i.lo || it->hi < i.hi)
      return false;
  }
  return true;
}

bool IntervalSet::intersects(const IntervalSet &other) const {
  return intervals_.size() <= other.intervals_.size()
             ? meets(intervals_, other.intervals_)
             : meets(other.intervals_, intervals_);
}

IntervalSet::Relation IntervalSet::relationOf(const IntervalSet &other) const {
  if (!intersects(other))
    return Relation::Disjoint;
  return includes(other) ? Relation::Inside : Relation::Overlapping;
}

IntervalSet IntervalSet::intersect(const IntervalSet &other) const {
  IntervalSet out;
  size_t i = 0, j = 0;
  while (i < intervals_.size() && j < other.intervals_.size()) {
    const Interval &a = intervals_[i], &b = other.intervals_[j];
    Value lo = std::max(a.lo, b.lo), hi = std::min(a.hi, b.hi);
    if (lo <= hi)
      out.intervals_.push_back({lo, hi});
    (a.hi < b.hi ? i : j) += 1;
  }
  return out;
}

IntervalSet IntervalSet::unite(const IntervalSet &other) const {
  std::vector<Interval> all = intervals_;
  all.insert(all.end(), other.intervals_.begin(), other.intervals_.end());
  return fromIntervals(std::move(all));
}

IntervalSet IntervalSet::minus(const IntervalSet &other) const {
  IntervalSet out;
  size_t j = 0;
  for (Interval a : intervals_) {
    while (j < other.intervals_.size() && other.intervals_[j].hi < a.lo)
      ++j;
    bool whole = true;
    for (size_t k = j; k < other.intervals_.size(); ++k) {
      const Interval &b = other.intervals_[k];
      if (b.lo > a.hi)
        break;
      if (b.lo > a.lo)
        out.intervals_.push_back({a.lo, b.lo - 1});
      if (b.hi >= a.hi) {
        whole = false;
        break;
      }
      a.lo = b.hi + 1;
    }
    if (whole)
      out.intervals_.push_back(a);
  }
  return out;
}

Value valueOfBytes(const uint8_t *bytes, size_t size) {
  size_t high = size > 8 ? size - 8 : 0; // bytes above the low 64 bits
  return Value(ir::fromBigEndian(bytes, high)) << (8 * (size - high)) |
         ir::fromBigEndian(bytes + high, size - high);
}

} // namespace bfc::diff
