// Ruleset test files (docs/bfc.md, "bfc test"): one case per line, each a
// named packet spec (lib/Packet syntax, sock_addr calls included) and what
// the ruleset must do with it:
//
//   # comment
//   chain host_ingress
//   iface eth0=2
//   ssh-admin: ip4(src=10.20.0.1)/tcp(dport=22) -> ACCEPT rule=2 counters=2
//   partner:   ip4(src=100.64.0.9)/tcp(dport=8443) -> ACCEPT mark=0x10
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::rulesettest {

/// One case: an input for one chain and the expected outcome.
struct TestCase {
  std::string name;
  const ir::Chain *chain = nullptr;
  std::string spec; ///< the packet spec as written
  packet::Input input;
  ir::Verdict verdict = ir::Verdict::Accept;
  /// `rule=`: the index of the deciding rule; `rule=policy` is the
  /// chain's size (the policy's counter slot).
  std::optional<uint32_t> rule;
  /// `counters=`: every counter slot the case moves (rules 0..n-1, then
  /// the policy and the error counter), sorted.
  std::optional<std::vector<uint32_t>> counters;
  std::optional<uint32_t> mark;
  /// `iface NAME=INDEX` lines before the case: the host's interfaces, for
  /// rulesets that name them (meta.iface, REDIRECT).
  std::map<std::string, uint32_t> ifaces;
  uint32_t line = 0; ///< in the test file
};

struct TestFile {
  std::string path;
  std::vector<TestCase> cases;
};

/// Parses `buffer` against the checked ruleset `module`: chain names, rule
/// and counter indices and inputs are checked against it. Reports every
/// problem to `diags` (file:line:col: error:); nullopt when there was one.
std::optional<TestFile> parseTestFile(const SourceBuffer &buffer,
                                      const ir::Module &module,
                                      DiagnosticEngine &diags);

/// `input` as `chain`'s hook sees it: an Ethernet frame or an L3 packet.
packet::Input inputForHook(const packet::Input &input, const ir::Chain &chain);

/// Counter slot `slot` of `chain` as `counters=` writes it: "3", "policy" or
/// "errors".
std::string counterSlotName(const ir::Chain &chain, uint32_t slot);

} // namespace bfc::rulesettest
