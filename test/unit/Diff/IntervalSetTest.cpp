#include <gtest/gtest.h>

#include "bfc/Diff/IntervalSet.h"

using namespace bfc::diff;

namespace {

std::vector<Interval> parts(const IntervalSet &set) { return set.intervals(); }

TEST(IntervalSetTest, NormalizesOverlapsAndNeighbours) {
  IntervalSet set =
      IntervalSet::fromIntervals({{10, 20}, {5, 9}, {30, 40}, {15, 25}});
  EXPECT_EQ(parts(set), (std::vector<Interval>{{5, 25}, {30, 40}}));
}

TEST(IntervalSetTest, MinusCutsHolesAndEnds) {
  IntervalSet all = IntervalSet::all(8);
  IntervalSet out = all.minus(IntervalSet::fromIntervals({{0, 3}, {10, 10}}));
  EXPECT_EQ(parts(out), (std::vector<Interval>{{4, 9}, {11, 255}}));
  EXPECT_TRUE(all.minus(all).empty());
  EXPECT_EQ(IntervalSet::range(5, 9).minus(IntervalSet::range(7, 20)),
            IntervalSet::range(5, 6));
}

TEST(IntervalSetTest, IntersectUniteIncludes) {
  IntervalSet a = IntervalSet::fromIntervals({{0, 10}, {20, 30}});
  IntervalSet b = IntervalSet::range(5, 25);
  EXPECT_EQ(parts(a.intersect(b)), (std::vector<Interval>{{5, 10}, {20, 25}}));
  EXPECT_EQ(a.unite(b), IntervalSet::range(0, 30));
  EXPECT_TRUE(a.includes(IntervalSet::range(21, 22)));
  EXPECT_FALSE(a.includes(IntervalSet::range(9, 21)));
  EXPECT_TRUE(a.contains(30));
  EXPECT_FALSE(a.contains(15));
}

TEST(IntervalSetTest, PrefixesOf128Bits) {
  Value net = Value(0x20010db8) << 96;
  IntervalSet p = IntervalSet::prefix(net | 7, 32, 128);
  EXPECT_EQ(p.first(), net);
  EXPECT_EQ(p.intervals().back().hi, net | ((Value(1) << 96) - 1));
  EXPECT_EQ(IntervalSet::prefix(0x0a000001, 0, 32), IntervalSet::all(32));
  EXPECT_EQ(IntervalSet::all(128).intervals().back().hi, ~Value(0));
}

} // namespace
