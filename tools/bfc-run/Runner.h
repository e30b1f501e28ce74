// Loads one chain of a bfc object with libbpf and runs packets through it
// with BPF_PROG_TEST_RUN: the kernel half of bfc-run, the differential tests
// and the benchmarks. No LLVM.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bfc/Object/ObjectFile.h"
#include "bfc/Packet/Packet.h"
#include "bfc/runtime/ObjectFormat.h"

struct bpf_object;
struct bpf_program;

namespace bfc::run {

/// Anything that goes wrong opening, loading or running (the message is for
/// the user, with the verifier's log tail when loading failed).
class RunError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct LoadOptions {
  std::string chain; ///< empty: the first chain
  /// Host slots: interface name -> ifindex. Unnamed slots are 0.
  std::map<std::string, uint32_t> ifaces;
  /// Print libbpf's informational messages (warnings always print).
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

class LoadedChain {
public:
  /// Opens `object` (validated through lib/Object), loads the chain's
  /// program (the other programs are not loaded), fills the host slots and
  /// the sets' initial elements. Throws RunError.
  LoadedChain(const object::ObjectFile &object, const LoadOptions &options);
  ~LoadedChain();
  LoadedChain(const LoadedChain &) = delete;
  LoadedChain &operator=(const LoadedChain &) = delete;

  const object::ChainInfo &chain() const { return *chain_; }
  int programFd() const { return progFd_; }

  /// Prepares `input` for this chain's hook (Ethernet frame or L3 packet,
  /// context struct). Throws RunError for inputs the hook cannot test-run
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
  struct ObjectCloser {
    void operator()(bpf_object *obj) const;
  };
  const object::ChainInfo *chain_ = nullptr;
  /// Closed even when the constructor throws half-way.
  std::unique_ptr<bpf_object, ObjectCloser> obj_;
  int progFd_ = -1;
  int countersFd_ = -1;
  struct LogReader;
  std::unique_ptr<LogReader> log_;
};

/// Why BPF_PROG_TEST_RUN cannot run `input` on `hook` (the kernel's own
/// limits: a full Ethernet header, netfilter wants a whole IPv4 or IPv6
/// header, sock_addr programs cannot be test-run); nullopt when it can.
std::optional<std::string> testRunProblem(ir::Hook hook,
                                          const packet::Packet &input);

/// "XDP_PASS", "TCX_NEXT", "NF_ACCEPT", ... for a hook's return code.
std::string returnCodeName(ir::Hook hook, int32_t code);

} // namespace bfc::run
