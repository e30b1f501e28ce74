// What bfload prints: chains with counters (text and JSON), log events,
// verifier log tails, records.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <sstream>

#include "bfc/Load/Error.h"
#include "bfc/Load/Loader.h"
#include "bfc/Load/Report.h"

using namespace bfc;
using namespace bfc::load;

namespace {

ChainState sampleState(bool attached) {
  ChainState state;
  state.name = "edge";
  state.progId = 42;
  object::Metadata &meta = state.record.metadata;
  meta.version = 1;
  meta.bfcVersion = "0.1.0";
  meta.source.name = "r.bf";
  object::ChainInfo chain;
  chain.name = "edge";
  chain.hook = ir::Hook::Xdp;
  chain.program = "edge";
  chain.section = "xdp";
  chain.counters = {"edge_counters", 4, 2, 3};
  object::RuleInfo r0;
  r0.index = 0;
  r0.text =
      "rule\n        ip4.saddr eq 10.0.0.1\n        counter\n        DROP";
  r0.counter = true;
  r0.verdict = ir::Verdict::Drop;
  object::RuleInfo r1;
  r1.index = 1;
  r1.text = "rule tcp.dport eq 22 ACCEPT";
  chain.rules = {r0, r1};
  object::SetInfo set;
  set.name = "blocked";
  set.map = "edge_set0";
  set.key = {ir::FieldId::Ip4Saddr, ir::FieldId::Ip4Proto};
  set.keySize = 5;
  set.maxEntries = 16;
  chain.sets.push_back(set);
  meta.chains.push_back(chain);
  state.record.hostSlotValues = {};
  state.record.objectName = "r.bpf.o";
  state.record.loadedAt = "2024-01-01T00:00:00Z";
  if (attached) {
    AttachSpec spec;
    spec.ifindex = 2;
    state.record.attach = spec;
    kernel::LinkInfo info = {};
    info.id = 7;
    info.progId = 42;
    state.links.push_back({"link", info});
  }
  state.counters = {{3, 300}, {0, 0}, {10, 1000}, {1, 60}};
  state.sets.push_back({set, {{{10, 0, 0, 1, 6}, 0}, {{10, 0, 0, 2, 17}, 0}}});
  return state;
}

std::string text(const ChainState &state, bool sets) {
  std::ostringstream out;
  printChain(out, state, sets);
  return out.str();
}

} // namespace

TEST(Report, PrintsChainsLikeTheSource) {
  EXPECT_EQ(text(sampleState(true), true),
            "chain edge BF_HOOK_XDP{ifindex=2} ACCEPT\n"
            "    counters policy 10 packets 1000 bytes; error 1 packets 60 "
            "bytes\n"
            "    set blocked (ip4.saddr, ip4.proto) in {\n"
            "        10.0.0.1, tcp\n"
            "        10.0.0.2, udp\n"
            "    }\n"
            "    rule\n"
            "        ip4.saddr eq 10.0.0.1\n"
            "        counter\n"
            "        DROP\n"
            "        counters 3 packets 300 bytes\n"
            "    rule tcp.dport eq 22 ACCEPT\n");
  std::string unattached = text(sampleState(false), false);
  EXPECT_EQ(unattached.substr(0, unattached.find('\n')),
            "chain edge BF_HOOK_XDP ACCEPT");
  EXPECT_NE(unattached.find("set blocked (ip4.saddr, ip4.proto) in { /* 2 "
                            "elements, content elided */ }"),
            std::string::npos);
}

TEST(Report, ChainJson) {
  nlohmann::json j = chainToJson(sampleState(true), true);
  EXPECT_EQ(j["name"], "edge");
  EXPECT_EQ(j["attached"], true);
  EXPECT_EQ(j["options"]["ifindex"], 2);
  EXPECT_EQ(j["program_id"], 42);
  EXPECT_EQ(j["links"][0]["id"], 7);
  EXPECT_EQ(j["counters"]["policy"]["packets"], 10);
  EXPECT_EQ(j["rules"][0]["packets"], 3);
  EXPECT_FALSE(j["rules"][1].contains("packets")); // no counter on rule 1
  EXPECT_EQ(j["sets"][0]["elements"][1], "10.0.0.2, udp");
  EXPECT_EQ(j["sets"][0]["size"], 2);
  EXPECT_FALSE(
      chainToJson(sampleState(true), false)["sets"][0].contains("elements"));
}

TEST(Report, DecodesPacketEvents) {
  ChainState state = sampleState(true);
  bfc_log_event event = {};
  event.timestamp_ns = 1000;
  event.rule = 0;
  event.kind = BFC_LOG_PACKET;
  event.verdict = BFC_VERDICT_DROP;
  event.l3_proto = 0x0800;
  event.pkt_len = 42;
  event.l4_proto = 17;
  const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
  std::memcpy(event.l2, eth, 14);
  event.l2_len = 14;
  const uint8_t ip[20] = {0x45, 0, 0,  28, 0, 0, 0,  0, 64, 17,
                          0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
  std::memcpy(event.l3, ip, 20);
  event.l3_len = 20;
  const uint8_t udp[8] = {0x30, 0x39, 0, 53, 0, 8, 0, 0};
  std::memcpy(event.l4, udp, 8);
  event.l4_len = 8;

  TimeBase time;
  std::string out = formatLogEvent(state.record, event, time);
  EXPECT_NE(out.find("] rule 0 DROP, 42 bytes: rule ip4.saddr eq 10.0.0.1 "
                     "counter DROP\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Ethernet : 02:00:00:00:00:01 -> 02:00:00:00:00:02, "
                     "type ipv4"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("IPv4     : 10.0.0.1 -> 10.0.0.2, proto udp, ttl 64, "
                     "length 28"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("UDP      : 12345 -> 53, length 8"), std::string::npos)
      << out;
  nlohmann::json j = logEventToJson(state.record, event, time);
  EXPECT_EQ(j["kind"], "packet");
  EXPECT_EQ(j["headers"]["udp"]["dport"], 53);
  EXPECT_EQ(j["headers"]["ipv4"]["src"], "10.0.0.1");

  // A length larger than the buffer is clamped, not trusted.
  event.l3_len = 255;
  EXPECT_NO_THROW(formatLogEvent(state.record, event, time));
  event.rule = 99;
  EXPECT_NE(formatLogEvent(state.record, event, time).find("(unknown rule)"),
            std::string::npos);
  EXPECT_THROW(decodeLogEvent(&event, sizeof(event) - 1), LoadError);
  EXPECT_EQ(decodeLogEvent(&event, sizeof(event)).rule, 99u);
}

TEST(Report, DecodesSockAddrEvents) {
  ChainState state = sampleState(true);
  state.record.metadata.chains[0].hook = ir::Hook::CgroupSockAddrConnect4;
  bfc_log_event event = {};
  event.kind = BFC_LOG_SOCK_ADDR;
  event.verdict = BFC_VERDICT_DROP;
  event.pid = 1234;
  std::strcpy(event.comm, "curl");
  const uint8_t addr[4] = {192, 0, 2, 7};
  std::memcpy(event.daddr, addr, 4);
  event.dport = 443;
  event.l4_proto = 6;
  std::string out = formatLogEvent(state.record, event, TimeBase());
  EXPECT_NE(out.find("Socket   : pid 1234 (curl) connect to 192.0.2.7:443, "
                     "proto tcp"),
            std::string::npos)
      << out;
  EXPECT_EQ(logEventToJson(state.record, event, TimeBase())["daddr"],
            "192.0.2.7");
}

TEST(Report, EscapesProcessNamesAndRuleTexts) {
  ChainState state = sampleState(true);
  state.record.metadata.chains[0].hook = ir::Hook::CgroupSockAddrConnect4;
  state.record.metadata.chains[0].rules[0].text = "rule \x1b[2J counter DROP";
  bfc_log_event event = {};
  event.kind = BFC_LOG_SOCK_ADDR;
  event.verdict = BFC_VERDICT_DROP;
  // Any process names itself: a terminal escape and a byte that is not
  // UTF-8, filling the whole field (no terminating zero).
  std::memcpy(event.comm,
              "\x1b]0;pwn\x07\xff\xfe"
              "0123456",
              sizeof(event.comm));
  std::string out = formatLogEvent(state.record, event, TimeBase());
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("(\\x1b]0;pwn\\x07\\xff\\xfe012345)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("rule \\x1b[2J counter DROP"), std::string::npos) << out;
  // JSON: valid UTF-8 text, no exception.
  std::string json = jsonText(logEventToJson(state.record, event, TimeBase()));
  EXPECT_EQ(json.find('\xff'), std::string::npos) << json;
  EXPECT_NE(json.find("\\\\xff"), std::string::npos) << json;
  // The safety net alone: a raw invalid string is replaced, not thrown.
  EXPECT_NO_THROW(jsonText(nlohmann::json{{"comm", "\xff"}}));
}

TEST(Report, TimeBaseMapsMonotonicToWallClock) {
  TimeBase time;
  timespec mono, real;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &real);
  uint64_t monoNs = uint64_t(mono.tv_sec) * 1000000000 + mono.tv_nsec;
  uint64_t realNs = uint64_t(real.tv_sec) * 1000000000 + real.tv_nsec;
  uint64_t mapped = time.toRealtimeNs(monoNs);
  EXPECT_LT(mapped > realNs ? mapped - realNs : realNs - mapped, 10000000u);
}

TEST(Report, VerifierLogTail) {
  std::string libbpf =
      "libbpf: prog 'x': BPF program load failed: Permission denied\n"
      "libbpf: prog 'x': -- BEGIN PROG LOAD LOG --\n"
      "0: R1=ctx() R10=fp0\n1: (b7) r0 = 0\n2: (61) r2 = *(u32 *)(r0 +0)\n"
      "R0 invalid mem access 'scalar'\n"
      "processed 3 insns\n"
      "-- END PROG LOAD LOG --\n"
      "libbpf: failed to load object\n";
  EXPECT_EQ(verifierLogTail(libbpf, 2),
            "  R0 invalid mem access 'scalar'\n  processed 3 insns\n");
  EXPECT_NE(verifierLogTail(libbpf, 100).find("  0: R1=ctx() R10=fp0\n"),
            std::string::npos);
  EXPECT_EQ(verifierLogTail("no log here", 5), "");
}

TEST(Report, FormatsInstructions) {
  // r0 = 2 (BPF_ALU64 | BPF_MOV | BPF_K), exit
  std::vector<uint64_t> insns = {0x00000002000000b7ull, 0x95};
  EXPECT_EQ(formatInstructions(insns),
            "    0: code=0xb7 dst=r0 src=r0 off=0 imm=2\n"
            "    1: code=0x95 dst=r0 src=r0 off=0 imm=0\n");
}

TEST(Report, RecordsRoundTrip) {
  ChainState state = sampleState(true);
  state.record.attach->activePriority = 5;
  state.record.hostSlotValues = {3, 4};
  ChainRecord back = parseRecord(serializeRecord(state.record));
  EXPECT_EQ(back.chain().name, "edge");
  EXPECT_EQ(back.hostSlotValues, (std::vector<uint32_t>{3, 4}));
  ASSERT_TRUE(back.attach);
  EXPECT_EQ(back.attach->ifindex, 2u);
  EXPECT_EQ(back.attach->activePriority, 5);
  EXPECT_EQ(back.objectName, "r.bpf.o");
  EXPECT_FALSE(back.attach->netnsCookie);
  state.record.attach->netnsCookie = 0x1234567890ull;
  back = parseRecord(serializeRecord(state.record));
  EXPECT_EQ(back.attach->netnsCookie, 0x1234567890ull);
  EXPECT_THROW(parseRecord("{}"), LoadError);
  EXPECT_THROW(parseRecord("not json"), LoadError);
}

TEST(Report, SeveredChain) {
  ChainState state = sampleState(true);
  state.severed = "its cgroup /x was removed";
  EXPECT_FALSE(state.attached());
  std::string out = text(state, false);
  EXPECT_NE(out.find("chain edge BF_HOOK_XDP{ifindex=2} ACCEPT\n    attached: "
                     "severed (its cgroup /x was removed)"),
            std::string::npos)
      << out;
  nlohmann::json j = chainToJson(state, false);
  EXPECT_EQ(j["attached"], false);
  EXPECT_EQ(j["severed"], "its cgroup /x was removed");
  EXPECT_EQ(j["options"]["ifindex"], 2) << "where it was attached";
  EXPECT_TRUE(chainToJson(sampleState(true), false)["severed"].is_null());
  EXPECT_EQ(text(sampleState(true), false).find("severed"), std::string::npos);
}
