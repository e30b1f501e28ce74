// The hook model, and the stages that ask it: Sema, the verifier, the
// passes' facts and the interpreter must agree with it on every hook and
// field.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "bfc/IR/HookModel.h"
#include "bfc/IR/Verifier.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Sema/Matchers.h"
#include "bfc/Transform/PredicateFacts.h"

#include "../Packet/PacketTestSupport.h"
#include "BfirBuilders.h"

namespace bfc::ir {
namespace {

using test::ChainBuilder;

constexpr Hook kAllHooks[] = {
    Hook::Xdp,
    Hook::TcIngress,
    Hook::TcEgress,
    Hook::NfPreRouting,
    Hook::NfLocalIn,
    Hook::NfForward,
    Hook::NfLocalOut,
    Hook::NfPostRouting,
    Hook::CgroupSkbIngress,
    Hook::CgroupSkbEgress,
    Hook::CgroupSockAddrConnect4,
    Hook::CgroupSockAddrConnect6,
    Hook::CgroupSockAddrSendmsg4,
    Hook::CgroupSockAddrSendmsg6,
};
static_assert(std::size(kAllHooks) == kNumHooks);

FieldId fieldAt(unsigned i) { return static_cast<FieldId>(i); }

std::set<std::string> visibleFields(Hook hook) {
  std::set<std::string> out;
  for (unsigned i = 0; i < kNumFields; ++i)
    if (fieldVisibility(hook, fieldAt(i)) == Visibility::Visible)
      out.insert(std::string(fieldInfo(fieldAt(i)).name));
  return out;
}

// docs/semantics.md, "Predicates" and the hook table.
TEST(HookModel, SockAddrHooksSeeTheSocketCall) {
  std::set<std::string> call = {"meta.l3_proto", "meta.l4_proto", "l4.dport",
                                "udp.dport"};
  auto with = [&](std::initializer_list<std::string> extra) {
    std::set<std::string> s = call;
    s.insert(extra);
    return s;
  };
  EXPECT_EQ(visibleFields(Hook::CgroupSockAddrConnect4),
            with({"ip4.daddr", "ip4.proto", "tcp.dport"}));
  EXPECT_EQ(visibleFields(Hook::CgroupSockAddrSendmsg4),
            with({"ip4.daddr", "ip4.proto", "ip4.saddr"}));
  EXPECT_EQ(visibleFields(Hook::CgroupSockAddrConnect6),
            with({"ip6.daddr", "tcp.dport"}));
  EXPECT_EQ(visibleFields(Hook::CgroupSockAddrSendmsg6),
            with({"ip6.daddr", "ip6.saddr"}));
  for (Hook hook :
       {Hook::CgroupSockAddrConnect4, Hook::CgroupSockAddrSendmsg6}) {
    // What the call does not carry is absent (false), never unsupported.
    EXPECT_EQ(fieldVisibility(hook, FieldId::TcpFlags), Visibility::Absent);
    EXPECT_EQ(ifaceVisibility(hook), Visibility::Absent);
    EXPECT_EQ(flowProbabilityVisibility(hook), Visibility::Absent);
    EXPECT_EQ(ip6HeaderChainVisibility(hook), Visibility::Absent);
  }
}

TEST(HookModel, PacketHooksLackOnlySkbFields) {
  std::set<std::string> all;
  for (unsigned i = 0; i < kNumFields; ++i)
    all.insert(std::string(fieldInfo(fieldAt(i)).name));
  auto without = [&](std::initializer_list<std::string> missing) {
    std::set<std::string> s = all;
    for (const std::string &name : missing)
      s.erase(name);
    return s;
  };
  EXPECT_EQ(visibleFields(Hook::Xdp), without({"meta.mark", "meta.flow_hash"}));
  EXPECT_EQ(visibleFields(Hook::TcIngress), all);
  EXPECT_EQ(visibleFields(Hook::NfLocalIn), without({"meta.flow_hash"}));
  EXPECT_EQ(visibleFields(Hook::CgroupSkbEgress), without({"meta.flow_hash"}));
  EXPECT_EQ(fieldVisibility(Hook::Xdp, FieldId::MetaMark),
            Visibility::Unsupported);
  EXPECT_EQ(flowProbabilityVisibility(Hook::NfForward),
            Visibility::Unsupported);
  EXPECT_EQ(flowProbabilityVisibility(Hook::Xdp), Visibility::Visible);
  for (Hook hook : {Hook::Xdp, Hook::TcEgress, Hook::NfPreRouting,
                    Hook::CgroupSkbIngress}) {
    EXPECT_EQ(ifaceVisibility(hook), Visibility::Visible);
    EXPECT_EQ(ip6HeaderChainVisibility(hook), Visibility::Visible);
  }
}

TEST(HookModel, ActionsPerHook) {
  for (Hook hook : kAllHooks) {
    SCOPED_TRACE(hookName(hook));
    HookFamily family = hookFamily(hook);
    EXPECT_EQ(hookCanSetMark(hook),
              family == HookFamily::Tc || family == HookFamily::CgroupSkb);
    EXPECT_EQ(hookCanRedirect(hook, RedirectDir::Out),
              family == HookFamily::Xdp || family == HookFamily::Tc);
    EXPECT_EQ(hookCanRedirect(hook, RedirectDir::In), family == HookFamily::Tc);
  }
}

TEST(HookModel, ReturnCodeNames) {
  // docs/semantics.md, "Return codes".
  EXPECT_EQ(
      returnCodeName(Hook::Xdp, *hookReturnCode(Hook::Xdp, Verdict::Accept)),
      "XDP_PASS");
  EXPECT_EQ(returnCodeName(Hook::TcIngress,
                           *hookReturnCode(Hook::TcIngress, Verdict::Next)),
            "TCX_NEXT");
  EXPECT_EQ(returnCodeName(Hook::NfLocalOut,
                           *hookReturnCode(Hook::NfLocalOut, Verdict::Drop)),
            "NF_DROP");
  EXPECT_EQ(returnCodeName(Hook::CgroupSkbIngress, 1), "allow");
  EXPECT_EQ(returnCodeName(Hook::Xdp, 3), "XDP_TX");
  EXPECT_EQ(returnCodeName(Hook::TcEgress, 7), "TCX_REDIRECT");
  EXPECT_EQ(returnCodeName(Hook::NfForward, 5), "5");
  // Every code a verdict produces has a name.
  for (Hook hook : kAllHooks) {
    for (Verdict v :
         {Verdict::Accept, Verdict::Drop, Verdict::Next, Verdict::Redirect}) {
      std::optional<int32_t> code = hookReturnCode(hook, v);
      if (code) {
        EXPECT_NE(returnCodeName(hook, *code), std::to_string(*code))
            << hookName(hook) << " " << verdictName(v);
      }
    }
  }
}

// ------------------------------------------- the stages agree with it ----

/// A predicate on `field` whose value has the field's width.
Predicate anyValue(FieldId field) {
  Predicate pred;
  pred.field = field;
  pred.value.assign(fieldInfo(field).width, 0);
  return pred;
}

TEST(HookModel, VerifierRejectsExactlyTheUnsupported) {
  for (Hook hook : kAllHooks)
    for (unsigned i = 0; i < kNumFields; ++i) {
      ChainBuilder b(hook);
      b.addRule({anyValue(fieldAt(i))});
      bool rejected = !verifyModule(b.module).empty();
      EXPECT_EQ(rejected,
                fieldVisibility(hook, fieldAt(i)) == Visibility::Unsupported)
          << hookName(hook) << " " << fieldInfo(fieldAt(i)).name;
    }
}

TEST(HookModel, VerifierMessages) {
  ChainBuilder xdp(Hook::Xdp);
  xdp.addRule({anyValue(FieldId::Ip4Saddr), anyValue(FieldId::MetaMark)});
  EXPECT_EQ(verifyModule(xdp.module),
            std::vector<std::string>{"chain test: rule 0, predicate 1: "
                                     "meta.mark is not available on "
                                     "BF_HOOK_XDP"});

  ChainBuilder nf(Hook::NfLocalIn);
  nf.addRule({test::probability(10, true)}).mark = 1;
  std::vector<std::string> problems = verifyModule(nf.module);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "chain test: rule 0, predicate 0: "
                         "meta.flow_probability is not available on "
                         "BF_HOOK_NF_LOCAL_IN");
  EXPECT_EQ(problems[1], "chain test: rule 0: mark is not supported on "
                         "BF_HOOK_NF_LOCAL_IN");

  ChainBuilder set(Hook::NfForward);
  uint32_t s =
      set.addSet({FieldId::Ip4Saddr, FieldId::MetaFlowHash}, false, {});
  set.addRule({test::inSet(s)});
  EXPECT_EQ(verifyModule(set.module),
            std::vector<std::string>{"chain test: rule 0, predicate 0: "
                                     "meta.flow_hash is not available on "
                                     "BF_HOOK_NF_FORWARD"});

  ChainBuilder redirect(Hook::Xdp);
  redirect.addRule({}, Verdict::Redirect).redirectDir = RedirectDir::In;
  EXPECT_EQ(verifyModule(redirect.module),
            std::vector<std::string>{
                "chain test: rule 0: REDIRECT in is not supported on "
                "BF_HOOK_XDP"});
}

TEST(HookModel, SemaAcceptsExactlyTheVisible) {
  for (const std::string &name : sema::matcherNames()) {
    const sema::MatcherInfo &info = *sema::findMatcher(name);
    for (Hook hook : kAllHooks) {
      Visibility v = fieldVisibility(hook, info.field);
      if (info.type == sema::MatcherType::MetaIface)
        v = ifaceVisibility(hook);
      else if (info.type == sema::MatcherType::MetaFlowProbability)
        v = flowProbabilityVisibility(hook);
      else if (info.type == sema::MatcherType::MetaProbability)
        v = Visibility::Visible;
      EXPECT_EQ(sema::supportsHook(info, hook), v == Visibility::Visible)
          << name << " on " << hookName(hook);
    }
  }
}

TEST(HookModel, AbsentIsFalseForFactsAndInterpreter) {
  const char *calls[] = {"sock4(proto=tcp,dst=10.0.0.1,src=10.0.0.2,dport=80)",
                         "sock6(proto=tcp,dst=::1,src=::2,dport=80)",
                         "sock4(proto=udp,dst=10.0.0.1,src=10.0.0.2,dport=53)",
                         "sock6(proto=udp,dst=::1,src=::2,dport=53)"};
  const Hook hooks[] = {
      Hook::CgroupSockAddrConnect4, Hook::CgroupSockAddrConnect6,
      Hook::CgroupSockAddrSendmsg4, Hook::CgroupSockAddrSendmsg6};
  for (size_t h = 0; h < std::size(hooks); ++h)
    for (unsigned i = 0; i < kNumFields; ++i) {
      FieldId field = fieldAt(i);
      bool absent = fieldVisibility(hooks[h], field) == Visibility::Absent;
      SCOPED_TRACE(std::string(hookName(hooks[h])) + " " +
                   std::string(fieldInfo(field).name));
      EXPECT_EQ(transform::fieldAvailability(field, hooks[h]).never, absent);
      if (!absent)
        continue;
      // Negated or not, an absent field's predicate never holds.
      ChainBuilder b(hooks[h], Verdict::Accept);
      b.addRule({test::negated(anyValue(field))});
      interp::Interpreter interp(b.module, b.chain(), {});
      ASSERT_TRUE(interp.checkChain().empty());
      interp::InterpreterState state(b.chain());
      interp::Result r = *interp.run(packet::test::input(calls[h]), state);
      EXPECT_FALSE(r.rule.has_value());
    }
}

} // namespace
} // namespace bfc::ir
