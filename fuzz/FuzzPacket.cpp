// The packet decoder: the interpreter's header parsing (the reference the
// kernel is compared with) and the dump bfc-run and bfload print, on any
// bytes. The first byte picks Ethernet or L3-only, and for L3-only
// IPv4/IPv6/other; the chains below test every header the language reads.
// The same bytes are also read as a packet spec (bfc-run, bfc test): a
// packet, a socket call, or an Error pointing into the spec.
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "bfc/Interp/Interpreter.h"
#include "bfc/Interp/PacketLayout.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Support/ProtocolFacts.h"

using namespace bfc;

namespace {

constexpr const char *kRuleset = R"(
chain l2 BF_HOOK_XDP ACCEPT
  set pairs (ip4.saddr, tcp.dport) in { 10.0.0.1, 22; 10.0.0.2, 80 }
  set nets (ip6.snet) in { 2001:db8::/32; fe80::/10 }
  rule (ip4.saddr, tcp.dport) in pairs log link,internet,transport counter CONTINUE
  rule (ip6.snet) in nets counter CONTINUE
  rule ip4.snet eq 192.168.0.0/16 ip4.proto eq udp udp.dport range 1-1023 counter DROP
  rule tcp.flags any syn,fin tcp.sport not 1024 counter DROP
  rule icmp.type eq echo-request counter DROP
  rule icmpv6.type eq echo-request ip6.daddr eq ::1 counter DROP
  rule meta.l3_proto eq ipv6 meta.l4_proto eq tcp meta.dport range 1-100 log internet counter DROP
  rule ip4.dscp eq 46 ip4.daddr not 10.0.0.1 counter ACCEPT
chain l3 BF_HOOK_NF_LOCAL_IN{priorities=101-102} ACCEPT
  rule ip4.proto eq tcp tcp.dport eq 22 log transport counter DROP
  rule ip6.saddr eq 2001:db8::1 udp.sport eq 53 counter DROP
  rule meta.probability eq 50% counter CONTINUE
  rule icmp.code eq 0 counter DROP
)";

struct Chains {
  ir::Module module;
  Chains() {
    SourceBuffer buffer("fuzz-packet.bf", kRuleset);
    DiagnosticEngine diags(&buffer);
    ast::Ruleset ruleset;
    std::optional<ir::Module> lowered;
    if (parseRuleset(buffer, diags, ruleset))
      lowered = lowerToBFIR(ruleset, buffer, diags);
    if (!lowered) {
      diags.print(std::cerr);
      __builtin_trap();
    }
    module = std::move(*lowered);
  }
};

void readSpec(std::string_view spec) {
  auto input = packet::parseInput(spec);
  if (!input) {
    if (input.error().offset > spec.size())
      __builtin_trap();
    (void)packet::describeSpecError(input.error(), spec);
  } else if (auto *built = std::get_if<packet::Packet>(&*input)) {
    (void)packet::describePacket(*built);
  } else {
    (void)packet::describeSockAddr(std::get<packet::SockAddr>(*input));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Chains chains;
  readSpec(std::string_view(reinterpret_cast<const char *>(data), size));
  if (size < 1)
    return 0;
  const uint8_t selector = data[0];
  packet::Packet input;
  input.data.assign(data + 1, data + size);
  input.hasL2 = !(selector & 1);
  static constexpr uint16_t kL3Protos[] = {
      wire::kEtherTypeIp4, wire::kEtherTypeIp6, 0x0806, wire::kEtherTypeVlan};
  input.meta.l3Proto = kL3Protos[(selector >> 1) & 3];
  input.meta.random = selector;
  (void)interp::parseLayout(input.data.data(), input.data.size(), input.hasL2,
                            input.meta.l3Proto);
  (void)packet::describePacket(input.data.data(), input.data.size(),
                               input.hasL2, input.meta.l3Proto);
  // Each chain sees the packet as its hook would.
  for (const ir::Chain &chain : chains.module.chains) {
    if (chain.hook == ir::Hook::Xdp) {
      if (!input.hasL2)
        continue;
    } else if (input.hasL2) {
      continue;
    }
    interp::Interpreter interpreter(chains.module, chain);
    interp::InterpreterState state(chain);
    (void)interpreter.run(input, state);
  }
  return 0;
}
