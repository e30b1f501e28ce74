#include <gtest/gtest.h>

#include <linux/netfilter.h>

#include "bfc/IR/BFIR.h"

namespace bfc::ir {
namespace {

// bfload attaches and bfc-run test-runs with these numbers: they must be the
// kernel's.
TEST(HookTest, NetfilterHookNumbersAreTheKernels) {
  EXPECT_EQ(netfilterHookNumber(Hook::NfPreRouting), NF_INET_PRE_ROUTING);
  EXPECT_EQ(netfilterHookNumber(Hook::NfLocalIn), NF_INET_LOCAL_IN);
  EXPECT_EQ(netfilterHookNumber(Hook::NfForward), NF_INET_FORWARD);
  EXPECT_EQ(netfilterHookNumber(Hook::NfLocalOut), NF_INET_LOCAL_OUT);
  EXPECT_EQ(netfilterHookNumber(Hook::NfPostRouting), NF_INET_POST_ROUTING);
}

} // namespace
} // namespace bfc::ir
