// Expected<T>: the one error type for recoverable errors.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bfc/Support/Expected.h"

using namespace bfc;

namespace {

Expected<int> half(int n) {
  if (n % 2 != 0)
    return Error{"odd", 3, 1};
  return n / 2;
}

Expected<int> quarter(int n) {
  Expected<int> h = half(n);
  if (!h)
    return h.error(); // an error passes through unchanged
  return half(*h);
}

Expected<void> checkPositive(int n) {
  if (n <= 0)
    return Error{"not positive"};
  return {};
}

} // namespace

TEST(Expected, HoldsAValue) {
  Expected<int> result = half(8);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(static_cast<bool>(result));
  EXPECT_EQ(*result, 4);
  EXPECT_EQ(result.value(), 4);
}

TEST(Expected, HoldsAnErrorWithItsPlace) {
  Expected<int> result = half(7);
  ASSERT_FALSE(result.ok());
  EXPECT_FALSE(static_cast<bool>(result));
  EXPECT_EQ(result.error().message, "odd");
  EXPECT_EQ(result.error().offset, 3u);
  EXPECT_EQ(result.error().length, 1u);
  EXPECT_FALSE(result.error().range.isValid());
}

TEST(Expected, PassesAnErrorOnToAnotherType) {
  EXPECT_EQ(*quarter(8), 2);
  Expected<int> result = quarter(6);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "odd");
}

TEST(Expected, CarriesASourceRange) {
  SourceRange range{{2, 5, 17}, {2, 9, 21}};
  Expected<std::string> result = Error{"bad token", 0, 0, range};
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().range.isValid());
  EXPECT_EQ(result.error().range.begin.line, 2u);
  EXPECT_EQ(result.error().range.begin.column, 5u);
  EXPECT_EQ(result.error().range.end.offset, 21u);
}

TEST(Expected, MovesOutMoveOnlyValues) {
  Expected<std::unique_ptr<int>> result = std::make_unique<int>(5);
  ASSERT_TRUE(result);
  std::unique_ptr<int> taken = std::move(result).value();
  EXPECT_EQ(*taken, 5);
}

TEST(Expected, VoidReportsSuccessOrError) {
  EXPECT_TRUE(checkPositive(1).ok());
  Expected<void> result = checkPositive(0);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "not positive");
}

TEST(Expected, SaysWhetherTheInputIsWrongOrBeyondBfc) {
  Error invalid{"bad"};
  EXPECT_EQ(invalid.kind, ErrorKind::Invalid);
  EXPECT_EQ(invalid.input, 0u);
  Expected<void> unsupported = Error{
      .message = "not modelled", .kind = ErrorKind::Unsupported, .input = 1};
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().kind, ErrorKind::Unsupported);
  EXPECT_EQ(unsupported.error().input, 1u);
}
