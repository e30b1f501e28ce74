// The kernel-vs-interpreter comparison must see every planted mismatch: a
// comparison that cannot fail would let every differential test pass.
#include <gtest/gtest.h>

#include <cstring>

#include "Compare.h"

using namespace bfc;
using namespace bfc::run;

namespace {

/// Two rules on XDP, with the interpreter's and the kernel's view of one
/// packet that rule 1 dropped and logged; they agree until a test plants a
/// difference.
struct Agreeing {
  ir::Chain chain;
  load::RunOutput kernel;
  std::vector<bfc_counter> deltas;
  std::vector<bfc_log_event> logs;
  interp::Result interp;

  Agreeing() {
    chain.hook = ir::Hook::Xdp;
    chain.rules.resize(2);
    kernel.retval = 1; // XDP_DROP
    interp.returnCode = 1;
    interp.verdict = ir::Verdict::Drop;
    interp.rule = 1;
    deltas.assign(4, bfc_counter{});
    deltas[1] = {1, 60};
    interp.counterDeltas.assign(4, interp::Counter{});
    interp.counterDeltas[1] = {1, 60};
    bfc_log_event event = {};
    event.rule = 1;
    event.verdict = BFC_VERDICT_DROP;
    event.kind = BFC_LOG_PACKET;
    event.l3_proto = 0x0800;
    event.l4_proto = 6;
    event.pkt_len = 60;
    event.l4_len = 2;
    event.l4[0] = 0x12;
    event.l4[1] = 0x34;
    logs.push_back(event);
    interp::LogEvent log;
    log.rule = 1;
    log.verdict = ir::Verdict::Drop;
    log.l3Proto = 0x0800;
    log.l4Proto = 6;
    log.packetLength = 60;
    log.l4 = {0x12, 0x34};
    interp.logs.push_back(log);
  }

  std::vector<std::string> differences() const {
    return findDifferences(chain, kernel, deltas, logs, interp);
  }
};

/// The single difference found, or a failure when there is not exactly one.
std::string onlyDifference(const Agreeing &run) {
  std::vector<std::string> diffs = run.differences();
  EXPECT_EQ(diffs.size(), 1u);
  return diffs.empty() ? "" : diffs.front();
}

} // namespace

TEST(Compare, AgreeingRunsHaveNoDifference) {
  EXPECT_TRUE(Agreeing().differences().empty());
}

TEST(Compare, SeesAReturnCode) {
  Agreeing run;
  run.kernel.retval = 2;
  EXPECT_NE(onlyDifference(run).find("return code"), std::string::npos);
}

TEST(Compare, SeesACounterOfAnyRulePolicyAndErrors) {
  for (size_t i = 0; i < 4; ++i) {
    Agreeing run;
    run.deltas[i].bytes += 1;
    EXPECT_NE(onlyDifference(run).find(i == 2   ? "policy counter"
                                       : i == 3 ? "errors counter"
                                                : "rule"),
              std::string::npos)
        << i;
  }
}

TEST(Compare, SeesMissingCountersOnEitherSide) {
  Agreeing kernelShort;
  kernelShort.deltas.pop_back();
  EXPECT_NE(onlyDifference(kernelShort).find("counters: kernel has 3"),
            std::string::npos);
  Agreeing interpShort;
  interpShort.interp.counterDeltas.resize(2);
  EXPECT_NE(onlyDifference(interpShort).find("interpreter 2"),
            std::string::npos);
}

TEST(Compare, SeesAMarkWhenTheHookGivesItBack) {
  Agreeing run;
  run.kernel.markKnown = true;
  run.kernel.mark = 7;
  EXPECT_NE(onlyDifference(run).find("mark"), std::string::npos);
  // XDP gives no mark back: nothing to compare.
  run.kernel.markKnown = false;
  EXPECT_TRUE(run.differences().empty());
}

TEST(Compare, SeesLogEvents) {
  Agreeing extra;
  extra.logs.push_back(extra.logs.front());
  EXPECT_NE(onlyDifference(extra).find("log events: kernel 2"),
            std::string::npos);
  Agreeing rule;
  rule.logs[0].rule = 0;
  EXPECT_NE(onlyDifference(rule).find("log event 0 rule"), std::string::npos);
  Agreeing header;
  header.logs[0].l4[1] = 0x35;
  EXPECT_NE(onlyDifference(header).find("transport header"), std::string::npos);
  Agreeing sock;
  sock.chain.hook = ir::Hook::CgroupSockAddrConnect4;
  sock.logs[0].kind = BFC_LOG_SOCK_ADDR;
  sock.interp.logs[0].sockAddr = true;
  sock.logs[0].dport = 443;
  sock.interp.logs[0].dport = 80;
  EXPECT_NE(onlyDifference(sock).find("dport"), std::string::npos);
}
