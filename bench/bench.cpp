// bfc-bench: what compiling and running a ruleset costs. For each ruleset:
// compile time (parse, check, lower, optimise, emit; median of several),
// object size, the program's size after the verifier's rewrite (xlated
// instructions), the instructions the verifier processed, and the time per
// packet measured with BPF_PROG_TEST_RUN (median of several runs of a large
// repeat count) for a packet that matches no rule. Needs root. Not a test:
// docs/benchmarks.md records its output.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bfc/CodeGen/CodeGen.h"
#include "bfc/Load/TestRun.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Transform/Analysis.h"

namespace {

using namespace bfc;

struct Case {
  std::string name;
  std::function<std::string()> source;
  std::string packet; ///< matches no rule of the ruleset
};

constexpr const char *kPacket =
    "eth/ip4(src=192.0.2.200,dst=10.0.0.2)/tcp(sport=40000,dport=9999,"
    "flags=syn)";

std::string addrRules(unsigned n) {
  std::string s = "chain bench BF_HOOK_XDP ACCEPT\n";
  for (unsigned i = 0; i < n; ++i)
    s += fmt::format("  rule ip4.saddr eq 10.{}.{}.{} counter DROP\n",
                     (i >> 16) & 255, (i >> 8) & 255, i & 255);
  return s;
}

std::string portRules(unsigned n) {
  std::string s = "chain bench BF_HOOK_XDP ACCEPT\n";
  for (unsigned i = 0; i < n; ++i)
    s += fmt::format("  rule tcp.dport eq {} counter DROP\n", 1000 + i);
  return s;
}

std::string bigSet(unsigned n) {
  std::string s =
      "chain bench BF_HOOK_XDP ACCEPT\n  set blocked (ip4.saddr) in {\n";
  for (unsigned i = 0; i < n; ++i)
    s += fmt::format("    172.{}.{}.{}\n", 16 + (i >> 16), (i >> 8) & 255,
                     i & 255);
  return s + "  }\n  rule (ip4.saddr) in blocked counter DROP\n";
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename T> T median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Result {
  double compileMs = 0;
  size_t objectBytes = 0;
  load::ProgramStats stats;
  double nsPerPacket = 0;
};

std::optional<Result> measure(const Case &c, unsigned compiles, unsigned runs,
                              unsigned repeat) {
  std::string text = c.source();
  Result result;
  std::vector<double> times;
  std::string object;
  for (unsigned i = 0; i < compiles; ++i) {
    auto start = std::chrono::steady_clock::now();
    SourceBuffer buffer(c.name + ".bf", text);
    DiagnosticEngine diags(&buffer);
    diags.setIgnoreWarnings(true);
    ast::Ruleset ruleset;
    std::optional<ir::Module> module;
    if (parseRuleset(buffer, diags, ruleset))
      module = lowerToBFIR(ruleset, buffer, diags,
                           transform::warnNeverMatchingRules);
    std::optional<std::string> bytes;
    if (module && !diags.hasErrors()) {
      codegen::CodeGenOptions options;
      options.sourceText = text;
      bytes = codegen::emit(*module, options, codegen::EmitKind::Object, diags);
    }
    if (!bytes) {
      diags.print(std::cerr);
      return std::nullopt;
    }
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
    object = std::move(*bytes);
  }
  result.compileMs = median(times);
  result.objectBytes = object.size();

  object::ObjectFile file = object::ObjectFile::fromMemory(
      std::vector<uint8_t>(object.begin(), object.end()), c.name);
  load::TestRunChain chain(file, load::TestRunOptions{});
  result.stats = chain.stats();
  Expected<packet::Packet> pkt = packet::buildPacket(c.packet);
  if (!pkt) {
    std::cerr << packet::describeSpecError(pkt.error(), c.packet) << '\n';
    return std::nullopt;
  }
  load::PreparedPacket prepared = chain.prepare(*pkt);
  std::vector<double> ns;
  for (unsigned i = 0; i < runs; ++i)
    ns.push_back(static_cast<double>(chain.run(prepared, repeat).durationNs));
  result.nsPerPacket = median(ns);
  // The packet must not have matched a rule: only the policy counted it.
  std::vector<bfc_counter> counters = chain.counters();
  for (size_t r = 0; r + 2 < counters.size(); ++r)
    if (counters[r].packets) {
      std::cerr << c.name << ": the packet matched rule " << r << '\n';
      return std::nullopt;
    }
  return result;
}

/// ns/packet of BPF_PROG_TEST_RUN itself: an XDP program of two
/// instructions (r0 = XDP_PASS; exit).
double harnessNs(unsigned runs, unsigned repeat) {
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[0].dst_reg = BPF_REG_0;
  insns[0].imm = XDP_PASS;
  insns[1].code = BPF_JMP | BPF_EXIT;
  int fd =
      bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_pass", "GPL", insns, 2, nullptr);
  if (fd < 0)
    return -1;
  packet::Packet pkt = *packet::buildPacket(kPacket);
  std::vector<double> ns;
  for (unsigned i = 0; i < runs; ++i) {
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = pkt.data.data();
    opts.data_size_in = static_cast<uint32_t>(pkt.data.size());
    opts.repeat = static_cast<int>(repeat);
    if (bpf_prog_test_run_opts(fd, &opts) == 0)
      ns.push_back(opts.duration);
  }
  close(fd);
  return ns.empty() ? -1 : median(ns);
}

std::string machine() {
  utsname u{};
  uname(&u);
  std::string cpu;
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  return fmt::format("{} ({} CPUs), Linux {} {}", cpu,
                     sysconf(_SC_NPROCESSORS_ONLN), u.release, u.machine);
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"bfc-bench: compile and run cost of rulesets", "bfc-bench"};
  unsigned compiles = 3, runs = 5, repeat = 200000;
  std::string filter;
  std::string firewall = BFC_BENCH_DIR "/rulesets/host-firewall.bf";
  app.add_option("--compiles", compiles, "Compilations per ruleset (median)");
  app.add_option("--runs", runs, "Test runs per ruleset (median)");
  app.add_option("--repeat", repeat, "Packets per test run");
  app.add_option("--filter", filter, "Only rulesets whose name contains it");
  CLI11_PARSE(app, argc, argv);
  if (geteuid() != 0) {
    std::cerr << "bfc-bench: loading BPF programs needs root\n";
    return 1;
  }

  std::vector<Case> cases = {
      {"empty chain",
       [] { return std::string("chain bench BF_HOOK_XDP ACCEPT\n"); },
       kPacket}};
  for (unsigned n : {1u, 10u, 100u, 1000u, 10000u})
    cases.push_back({fmt::format("{} x ip4.saddr eq", n),
                     [n] { return addrRules(n); }, kPacket});
  cases.push_back(
      {"100 x tcp.dport eq", [] { return portRules(100); }, kPacket});
  cases.push_back(
      {"set of 100000 ip4.saddr", [] { return bigSet(100000); }, kPacket});
  cases.push_back({"host firewall (30 rules)",
                   [&] { return readFile(firewall); }, kPacket});

  std::cout << "Machine: " << machine() << "\n";
  std::cout << fmt::format("Packet: {} (matches no rule); {} runs of {} "
                           "packets, median\n\n",
                           kPacket, runs, repeat);
  std::cout << "| ruleset | compile (ms) | object (bytes) | xlated insns | "
               "verifier insns | ns/packet |\n";
  std::cout << "|---|---:|---:|---:|---:|---:|\n";
  std::cout << fmt::format("| test-run harness (`r0 = XDP_PASS; exit`) | - | "
                           "- | 2 | 2 | {:.1f} |\n",
                           harnessNs(runs, repeat));
  int status = 0;
  for (const Case &c : cases) {
    if (!filter.empty() && c.name.find(filter) == std::string::npos)
      continue;
    try {
      std::optional<Result> r = measure(c, compiles, runs, repeat);
      if (!r) {
        status = 1;
        continue;
      }
      std::cout << fmt::format("| {} | {:.1f} | {} | {} | {} | {:.1f} |\n",
                               c.name, r->compileMs, r->objectBytes,
                               r->stats.xlatedInsns, r->stats.verifiedInsns,
                               r->nsPerPacket);
      std::cout.flush();
    } catch (const std::exception &e) {
      std::cerr << c.name << ": " << e.what() << '\n';
      status = 1;
    }
  }
  return status;
}
