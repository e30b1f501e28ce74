// --option parsing and the merge of object defaults with overrides,
// checked against each hook's needs.
#include <gtest/gtest.h>

#include <functional>

#include "LoadTestSupport.h"
#include "bfc/Load/Attach.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/PinStore.h"

using namespace bfc;
using namespace bfc::load;
using bfc::load::test::errorOf;

namespace {

object::ChainInfo chainOn(ir::Hook hook) {
  object::ChainInfo chain;
  chain.name = "c";
  chain.hook = hook;
  return chain;
}

} // namespace

TEST(AttachOptions, ParsesOverrides) {
  OptionOverrides o = parseOptionOverrides(
      {"ifindex=eth0", "cgpath=/sys/fs/cgroup/x", "priorities=-5-10"});
  EXPECT_EQ(o.ifindex, "eth0");
  EXPECT_EQ(o.cgpath, "/sys/fs/cgroup/x");
  ASSERT_TRUE(o.priorities);
  EXPECT_EQ(o.priorities->first, -5);
  EXPECT_EQ(o.priorities->second, 10);
  EXPECT_TRUE(parseOptionOverrides({}).empty());
  EXPECT_TRUE(parseOptionOverrides({"family=inet4"}).empty());
}

TEST(AttachOptions, RefusesBadOverrides) {
  EXPECT_NE(errorOf([] {
              parseOptionOverrides({"ifname=eth0"});
            }).find("unknown hook option 'ifname'"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parseOptionOverrides({"ifindex=1", "ifindex=2"});
            }).find("option 'ifindex' given twice"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parseOptionOverrides({"ifindex"});
            }).find("expected KEY=VALUE"),
            std::string::npos);
  for (const char *bad : {"priorities=1-1", "priorities=0-1", "priorities=5",
                          "priorities=a-b", "priorities=1-2147483647"})
    EXPECT_NE(errorOf([&] {
                parseOptionOverrides({bad});
              }).find("two distinct non-zero integers"),
              std::string::npos)
        << bad;
}

TEST(AttachOptions, NoOptionsMeansLoadOnly) {
  EXPECT_FALSE(resolveAttach(chainOn(ir::Hook::Xdp), {}));
}

TEST(AttachOptions, MergesDefaultsAndOverrides) {
  object::ChainInfo chain = chainOn(ir::Hook::NfLocalIn);
  chain.attach = true;
  chain.options.priorities = {{101, 102}};
  std::optional<AttachSpec> spec = resolveAttach(chain, {});
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->priorities, std::make_pair(101, 102));
  EXPECT_EQ(spec->activePriority, 101);
  OptionOverrides o;
  o.priorities = {{7, 8}};
  spec = resolveAttach(chain, o);
  EXPECT_EQ(spec->activePriority, 7);

  object::ChainInfo xdp = chainOn(ir::Hook::Xdp);
  OptionOverrides byName;
  byName.ifindex = "lo";
  spec = resolveAttach(xdp, byName);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->ifindex, 1u);
  EXPECT_EQ(object::formatHookOptions(spec->options()), "ifindex=1");
}

TEST(AttachOptions, ChecksOptionsAgainstTheHook) {
  OptionOverrides cgpath;
  cgpath.cgpath = "/sys/fs/cgroup";
  EXPECT_NE(errorOf([&] {
              resolveAttach(chainOn(ir::Hook::Xdp), cgpath);
            }).find("option cgpath does not apply to BF_HOOK_XDP"),
            std::string::npos);
  OptionOverrides ifindex;
  ifindex.ifindex = "1";
  EXPECT_NE(errorOf([&] {
              resolveAttach(chainOn(ir::Hook::CgroupSkbEgress), ifindex);
            }).find("option ifindex does not apply"),
            std::string::npos);
  object::ChainInfo tc = chainOn(ir::Hook::TcEgress);
  tc.attach = true;
  tc.options.cgpath = "/x"; // not used by tc: the missing ifindex is the error
  EXPECT_NE(errorOf([&] {
              resolveAttach(tc, {});
            }).find("BF_HOOK_TC_EGRESS needs the ifindex option"),
            std::string::npos);
  ifindex.ifindex = "nosuchiface0";
  EXPECT_NE(errorOf([&] {
              resolveAttach(chainOn(ir::Hook::Xdp), ifindex);
            }).find("interface 'nosuchiface0' does not exist"),
            std::string::npos);
  ifindex.ifindex = "99999";
  EXPECT_NE(errorOf([&] {
              resolveAttach(chainOn(ir::Hook::Xdp), ifindex);
            }).find("no interface has index 99999"),
            std::string::npos);
  OptionOverrides notCgroup;
  notCgroup.cgpath = "/tmp";
  EXPECT_NE(errorOf([&] {
              resolveAttach(chainOn(ir::Hook::CgroupSockAddrConnect4),
                            notCgroup);
            }).find("/tmp is not a cgroup v2 directory"),
            std::string::npos);
}

TEST(AttachOptions, ChainNames) {
  EXPECT_NO_THROW(validateChainName("my_chain-2"));
  for (const char *bad : {"", "a.b", "../x", "a/b", "@tmp@x", "a b"})
    EXPECT_THROW(validateChainName(bad), LoadError) << bad;
  EXPECT_THROW(validateChainName(std::string(201, 'a')), LoadError);
}

TEST(AttachOptions, LinkKinds) {
  EXPECT_TRUE(linksUpdatable(ir::Hook::Xdp));
  EXPECT_TRUE(linksUpdatable(ir::Hook::TcIngress));
  EXPECT_TRUE(linksUpdatable(ir::Hook::CgroupSockAddrSendmsg6));
  EXPECT_FALSE(linksUpdatable(ir::Hook::NfForward));
  AttachSpec a, b;
  a.ifindex = 2;
  b.ifindex = 2;
  EXPECT_TRUE(sameAttachTarget(a, b));
  b.ifindex = 3;
  EXPECT_FALSE(sameAttachTarget(a, b));
  // The same index in another network namespace is another device; a
  // record of an older bfload (no namespace) is taken as the caller's.
  b.ifindex = 2;
  a.netnsCookie = 1;
  EXPECT_TRUE(sameAttachTarget(a, b));
  b.netnsCookie = 2;
  EXPECT_FALSE(sameAttachTarget(a, b));
  b.netnsCookie = 1;
  EXPECT_TRUE(sameAttachTarget(a, b));
}

TEST(AttachOptions, ResolvesInTheCallersNetns) {
  OptionOverrides lo;
  lo.ifindex = "lo";
  std::optional<AttachSpec> spec = resolveAttach(chainOn(ir::Hook::Xdp), lo);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->netnsCookie, currentNetnsCookie());
  EXPECT_NE(currentNetnsCookie(), 0u);
}

TEST(AttachOptions, SeveredLinks) {
  AttachSpec onTwo;
  onTwo.ifindex = 2;
  kernel::LinkInfo link = {};
  link.xdp.ifindex = 2;
  EXPECT_FALSE(linkSevered(ir::Hook::Xdp, link, onTwo));
  link.xdp.ifindex = 0;
  EXPECT_NE(linkSevered(ir::Hook::Xdp, link, onTwo)
                .value_or("")
                .find("interface was removed"),
            std::string::npos);
  link.tcx.ifindex = 5;
  EXPECT_NE(linkSevered(ir::Hook::TcEgress, link, onTwo)
                .value_or("")
                .find("now has index 5"),
            std::string::npos);

  // A cgroup link: alive on the cgroup its path names now, severed once
  // the cgroup goes (id 0, or the id of a cgroup no path names).
  AttachSpec onRoot;
  uint64_t rootId = 0;
  for (const char *path : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"})
    if (!rootId && (rootId = cgroupIdOf(path)))
      onRoot.cgpath = path;
  if (rootId == 0)
    GTEST_SKIP() << "no cgroup v2 at /sys/fs/cgroup(/unified)";
  link = {};
  link.cgroup.cgroupId = rootId;
  EXPECT_FALSE(linkSevered(ir::Hook::CgroupSkbIngress, link, onRoot));
  link.cgroup.cgroupId = rootId + 1000000;
  EXPECT_NE(linkSevered(ir::Hook::CgroupSkbIngress, link, onRoot)
                .value_or("")
                .find("the cgroup now at that path is another one"),
            std::string::npos);
  link.cgroup.cgroupId = 0;
  EXPECT_TRUE(linkSevered(ir::Hook::CgroupSockAddrConnect4, link, onRoot));
  AttachSpec gone;
  gone.cgpath = *onRoot.cgpath + "/no-such-cgroup-bfc";
  link.cgroup.cgroupId = rootId;
  EXPECT_NE(linkSevered(ir::Hook::CgroupSkbEgress, link, gone)
                .value_or("")
                .find("is gone"),
            std::string::npos);
  // From where the hierarchy is not mounted nothing can be told: the link
  // is taken as alive.
  AttachSpec unseen;
  unseen.cgpath = "/tmp/bfc-no-cgroup-here/svc";
  EXPECT_FALSE(linkSevered(ir::Hook::CgroupSkbEgress, link, unseen));
  EXPECT_FALSE(linkSevered(ir::Hook::NfLocalIn, {}, {}));
}
