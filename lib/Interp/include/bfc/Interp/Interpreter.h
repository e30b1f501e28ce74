// The reference interpreter: the executable semantics of BFIR
// (docs/semantics.md). Given a chain and one input (a packet as its hook sees
// it, or a sock_addr call), it computes what the generated program must do:
// verdict, return code, redirect, mark, counters and log events.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/IR/HookModel.h"
#include "bfc/Packet/Packet.h"

namespace bfc::interp {

/// Values the loader fills in on a host: interface names -> ifindex.
struct HostEnv {
  std::map<std::string, uint32_t> ifindexByName;
};

struct Counter {
  uint64_t packets = 0;
  uint64_t bytes = 0;

  friend bool operator==(const Counter &, const Counter &) = default;
};

/// One log event, with the fields of `struct bfc_log_event`.
struct LogEvent {
  uint32_t rule = 0;
  ir::Verdict verdict = ir::Verdict::Accept; ///< the rule's verdict
  uint8_t headers = 0;                       ///< ir::LogHeaders requested
  uint64_t timestampNs = 0;
  bool sockAddr = false;
  uint16_t l3Proto = 0;
  uint8_t l4Proto = 0;
  uint32_t packetLength = 0; ///< 0 for sock_addr events
  /// Copies of the requested headers that are present (docs/semantics.md,
  /// "Log events"); empty otherwise.
  packet::Bytes l2, l3, l4;
  /// sock_addr events: destination address (IPv4 in the first 4 bytes) and
  /// port.
  std::array<uint8_t, 16> daddr{};
  uint16_t dport = 0;
};

/// Counters and `every` rate-limiting state of one chain, kept across runs.
class InterpreterState {
public:
  explicit InterpreterState(const ir::Chain &chain);

  /// The current time (ns): rate limiting and event timestamps use it.
  uint64_t now = 0;
  /// Rules 0..n-1, then the policy, then the error counter (the layout of
  /// the counters map).
  std::vector<Counter> counters;
  /// Per rule: when its last log event was emitted.
  std::vector<std::optional<uint64_t>> lastLogNs;

  const Counter &policyCounter() const { return counters[counters.size() - 2]; }
  const Counter &errorCounter() const { return counters.back(); }
};

struct Result {
  /// ACCEPT, DROP, NEXT or REDIRECT (never CONTINUE).
  ir::Verdict verdict = ir::Verdict::Accept;
  /// The rule that decided; nullopt when the policy did.
  std::optional<uint32_t> rule;
  /// What the program returns (docs/semantics.md, "Return codes").
  int32_t returnCode = 0;
  /// REDIRECT: the target interface and direction.
  std::optional<uint32_t> redirectIfindex;
  ir::RedirectDir redirectDir = ir::RedirectDir::Out;
  /// skb->mark after the run (the input's mark unless a rule set one).
  uint32_t mark = 0;
  bool markSet = false;
  /// The packet was malformed (the error counter was bumped).
  bool malformed = false;
  /// Every rule that matched, in order: CONTINUE rules, then the deciding one.
  std::vector<uint32_t> matchedRules;
  /// What this run added to each counter (same layout as
  /// InterpreterState::counters).
  std::vector<Counter> counterDeltas;
  std::vector<LogEvent> logs;
};

/// Return codes are the hook model's.
using ir::hookReturnCode;

/// The flow hash of meta.flow_probability over IPv4 (4-byte addresses) or
/// IPv6 (16-byte addresses).
uint32_t flowHash(const uint8_t *saddr, const uint8_t *daddr, size_t addrSize,
                  uint16_t sport, uint16_t dport, uint8_t protocol);
/// `llround(percent / 100 * 2^32)`: a random or hash value below it matches.
uint64_t probabilityThreshold(double percent);

class Interpreter {
public:
  /// `module` and `chain` must outlive the interpreter.
  Interpreter(const ir::Module &module, const ir::Chain &chain,
              HostEnv env = {});

  /// Why the chain cannot run in this environment: IR problems
  /// (ir::verifyChain) and interfaces missing from the host environment.
  std::vector<std::string> checkChain() const;
  /// Why `input` cannot be given to the chain's hook (a packet to a sock_addr
  /// hook or back, the wrong address family, an L3 packet on an L2 hook or
  /// back); nullopt when it can.
  std::optional<std::string> checkInput(const packet::Input &input) const;

  /// Runs the chain on `input`, updating `state`; the Error is the first
  /// problem checkChain() or checkInput() reports, or a `state` made for
  /// another chain.
  Expected<Result> run(const packet::Input &input,
                       InterpreterState &state) const;

private:
  const ir::Module &module_;
  const ir::Chain &chain_;
  HostEnv env_;
};

} // namespace bfc::interp
