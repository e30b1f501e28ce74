// Runs packets through one chain of a bfc object with BPF_PROG_TEST_RUN,
// loaded by loadChains (the loader bfload uses), and reads its counters and
// log events back: the kernel half of `bfc test --kernel`, bfc-run, the
// differential tests and the benchmarks. No LLVM.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bfc/Load/Error.h"
#include "bfc/Load/Loader.h"
#include "bfc/Object/ObjectFile.h"
#include "bfc/Packet/Packet.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::load {

struct TestRunOptions {
  std::string chain; ///< empty: the first chain
  /// Host slots: interface name -> ifindex. Unnamed slots are 0.
  std::map<std::string, uint32_t> ifaces;
  /// Print libbpf's messages (verbosity().bpf).
  bool verbose = false;
};

/// What one test run returned.
struct RunOutput {
  int32_t retval = 0;
  uint32_t mark = 0;       ///< skb->mark after the run (skb hooks)
  bool markKnown = false;  ///< the hook gives skb->mark back
  uint64_t durationNs = 0; ///< average per repetition
};

struct ProgramStats {
  uint32_t xlatedInsns = 0;
  uint32_t jitedBytes = 0;
  uint32_t verifiedInsns = 0; ///< instructions the verifier processed
};

/// The kernel's view of a test packet: the bytes and context a hook's test
/// run gets, and the metadata the interpreter must use to see the same
/// packet (devices the kernel fills in, e.g. loopback).
struct PreparedPacket {
  packet::Packet interp; ///< for the interpreter (as the program sees it)
  std::vector<uint8_t> data;
  std::vector<uint8_t> ctx;
};

/// One chain of an object, loaded (not pinned, not attached) for test runs.
class TestRunChain {
public:
  /// Loads the chain's program with loadChains (the other programs are not
  /// loaded): host slots, sets and tables filled. Throws LoadError.
  TestRunChain(const object::ObjectFile &object, const TestRunOptions &options);
  ~TestRunChain();
  TestRunChain(const TestRunChain &) = delete;
  TestRunChain &operator=(const TestRunChain &) = delete;

  const object::ChainInfo &chain() const { return *loaded_.chain; }
  int programFd() const { return loaded_.prog.get(); }

  /// Prepares `input` for this chain's hook (Ethernet frame or L3 packet,
  /// context struct). Throws LoadError for inputs the hook cannot test-run
  /// (sock_addr calls, wrong family).
  PreparedPacket prepare(const packet::Packet &input) const;
  RunOutput run(const PreparedPacket &packet, unsigned repeat = 1) const;

  /// Counters summed over CPUs (rules, policy, errors).
  std::vector<bfc_counter> counters() const;
  void resetCounters() const;
  ProgramStats stats() const;

  /// Log events emitted since the last call.
  std::vector<bfc_log_event> drainLog();

private:
  LoadedChain loaded_;
  int countersFd_ = -1;
  struct LogReader;
  std::unique_ptr<LogReader> log_;
};

/// Why BPF_PROG_TEST_RUN cannot run `input` on `hook` (the kernel's own
/// limits: a full Ethernet header, netfilter wants a whole IPv4 or IPv6
/// header, sock_addr programs cannot be test-run); nullopt when it can.
std::optional<std::string> testRunProblem(ir::Hook hook,
                                          const packet::Packet &input);

} // namespace bfc::load
