// A hand-built module that uses every BFIR construct, for the printer and
// reader tests.
#pragma once

#include "bfc/IR/BFIR.h"
#include "bfc/IR/Names.h"

namespace bfc::ir::test {

inline Bytes v4(const char *text) {
  auto a = parseIp4(text);
  return Bytes(a->begin(), a->end());
}

inline Bytes v6(const char *text) {
  auto a = parseIp6(text);
  return Bytes(a->begin(), a->end());
}

inline Predicate field(FieldId id, Bytes value, CmpOp op = CmpOp::Eq,
                       bool negate = false) {
  Predicate p;
  p.field = id;
  p.value = std::move(value);
  p.op = op;
  p.negate = negate;
  return p;
}

inline Predicate other(Predicate::Kind kind, bool negate = false) {
  Predicate p;
  p.kind = kind;
  p.negate = negate;
  return p;
}

inline Module sampleModule() {
  Module m;
  m.sourceName = "sample.bf";
  uint32_t eth0 = m.internIface("eth0");
  uint32_t odd = m.internIface("odd \"name\"");

  Chain xdp;
  xdp.name = "xdp_main";
  xdp.hook = Hook::Xdp;
  xdp.hasOptions = true;
  xdp.options.ifindex = 2;
  xdp.policy = Verdict::Drop;
  Set blocked;
  blocked.name = "blocked";
  blocked.key = {FieldId::Ip4Saddr, FieldId::Ip4Proto};
  blocked.elements.push_back({Bytes{192, 168, 1, 1, 6}, 0, {}});
  blocked.elements.push_back({Bytes{192, 168, 1, 2, 17}, 0, {}});
  xdp.sets.push_back(blocked);
  Set nets;
  nets.name = "__anon1";
  nets.anonymous = true;
  nets.lpm = true;
  nets.key = {FieldId::Ip4Daddr};
  nets.elements.push_back({v4("10.0.0.0"), 8, {}});
  nets.elements.push_back({v4("192.168.0.0"), 16, {}});
  xdp.sets.push_back(nets);
  Set empty;
  empty.name = "ports";
  empty.key = {FieldId::TcpDport, FieldId::Icmpv6Type, FieldId::Ip6Saddr};
  empty.elements.push_back({[] {
                              Bytes k = toBigEndian(22, 2);
                              k.push_back(128);
                              Bytes a = v6("fe80::1");
                              k.insert(k.end(), a.begin(), a.end());
                              return k;
                            }(),
                            0,
                            {}});
  xdp.sets.push_back(empty);

  Rule r0;
  r0.index = 0;
  r0.predicates.push_back(field(FieldId::Ip4Saddr, v4("10.0.0.1")));
  r0.counter = true;
  r0.verdict = Verdict::Drop;
  r0.text = "rule ip4.saddr eq 10.0.0.1 counter DROP";
  r0.range.begin = {3, 5, 40};
  xdp.rules.push_back(r0);

  Rule r1;
  r1.index = 1;
  Predicate range =
      field(FieldId::TcpDport, toBigEndian(1000, 2), CmpOp::Range, true);
  range.high = toBigEndian(2000, 2);
  r1.predicates.push_back(range);
  r1.predicates.push_back(
      field(FieldId::TcpFlags, toBigEndian(0x12, 1), CmpOp::AnyBits));
  r1.predicates.push_back(field(FieldId::Ip4Dscp, toBigEndian(46, 1)));
  r1.predicates.push_back(field(FieldId::L4Sport, toBigEndian(53, 2)));
  r1.log = {true, kLogLink | kLogInternet, 1500000000};
  r1.verdict = Verdict::Continue;
  r1.text = "rule\n  tcp.dport not range 1000-2000\tCONTINUE";
  xdp.rules.push_back(r1);

  Rule r2;
  r2.index = 2;
  Predicate inBlocked = other(Predicate::Kind::Set);
  inBlocked.set = 0;
  Predicate notInNets = other(Predicate::Kind::Set, true);
  notInNets.set = 1;
  r2.predicates = {inBlocked, notInNets};
  r2.verdict = Verdict::Accept;
  xdp.rules.push_back(r2);

  Rule r3;
  r3.index = 3;
  Predicate iface = other(Predicate::Kind::Iface);
  iface.hostSlot = eth0;
  r3.predicates.push_back(iface);
  r3.verdict = Verdict::Redirect;
  r3.redirectSlot = odd;
  xdp.rules.push_back(r3);
  m.chains.push_back(xdp);

  Chain tc;
  tc.name = "tc chain";
  tc.hook = Hook::TcIngress;
  tc.policy = Verdict::Next;
  Rule t0;
  t0.index = 0;
  Predicate net6 = field(FieldId::Ip6Saddr, v6("2001:db8::"));
  net6.prefixLen = 32;
  t0.predicates.push_back(net6);
  Predicate hop = other(Predicate::Kind::Ip6HeaderChain);
  hop.protocol = 0;
  t0.predicates.push_back(hop);
  Predicate chance = other(Predicate::Kind::Probability);
  chance.percent = 12.5;
  t0.predicates.push_back(chance);
  Predicate flow = other(Predicate::Kind::Probability, true);
  flow.percent = 0.001;
  flow.perFlow = true;
  t0.predicates.push_back(flow);
  t0.predicates.push_back(field(FieldId::MetaL3Proto, toBigEndian(0x86DD, 2)));
  t0.predicates.push_back(field(FieldId::MetaMark, toBigEndian(0x12, 4)));
  Predicate hash =
      field(FieldId::MetaFlowHash, toBigEndian(0x10, 4), CmpOp::Range);
  hash.high = toBigEndian(0xffffffff, 4);
  t0.predicates.push_back(hash);
  t0.predicates.push_back(field(FieldId::Icmpv6Type, toBigEndian(128, 1)));
  t0.predicates.push_back(
      field(FieldId::IcmpType, toBigEndian(200, 1), CmpOp::Eq, true));
  t0.predicates.push_back(
      field(FieldId::TcpFlags, toBigEndian(0, 1), CmpOp::AllBits));
  Predicate literal = other(Predicate::Kind::Iface, true);
  literal.ifindex = 4;
  t0.predicates.push_back(literal);
  t0.mark = 0x10;
  t0.log = {true, 0, 0};
  t0.verdict = Verdict::Redirect;
  t0.redirectIfindex = 7;
  t0.redirectDir = RedirectDir::In;
  tc.rules.push_back(t0);
  m.chains.push_back(tc);

  Chain nf;
  nf.name = "nf";
  nf.hook = Hook::NfLocalIn;
  nf.hasOptions = true;
  nf.options.priorities = {{-1, 2}};
  nf.options.familyGiven = true;
  m.chains.push_back(nf);

  Chain cg;
  cg.name = "cg";
  cg.hook = Hook::CgroupSockAddrSendmsg6;
  cg.hasOptions = true;
  cg.options.cgpath = "/sys/fs/cgroup/a b,c}";
  Rule c0;
  c0.index = 0;
  c0.predicates.push_back(field(FieldId::MetaL4Proto, toBigEndian(17, 1)));
  c0.predicates.push_back(field(FieldId::Ip6Nexthdr, toBigEndian(250, 1)));
  c0.verdict = Verdict::Drop;
  cg.rules.push_back(c0);
  m.chains.push_back(cg);
  return m;
}

} // namespace bfc::ir::test
