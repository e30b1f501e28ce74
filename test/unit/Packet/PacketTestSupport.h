// Helpers for tests that build packets from specs.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "bfc/Packet/Packet.h"

namespace bfc::packet::test {

/// The value parsed from `spec`; a spec error fails the test and gives a
/// default value.
template <typename T>
T valueOrFail(const Expected<T> &result, std::string_view spec) {
  EXPECT_TRUE(result.ok())
      << spec << ": "
      << (result.ok() ? "" : packet::describeSpecError(result.error(), spec));
  return result.ok() ? *result : T{};
}

inline Packet mustBuild(std::string_view spec) {
  return valueOrFail(buildPacket(spec), spec);
}

/// The input (packet and metadata) parsed from `spec`.
inline Input input(std::string_view spec) {
  return valueOrFail(parseInput(spec), spec);
}

} // namespace bfc::packet::test
