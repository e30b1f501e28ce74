#include "Compare.h"

#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "bfc/IR/HookModel.h"

namespace bfc::run {

namespace {

uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

std::string hex(const uint8_t *data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i)
    out += fmt::format("{:02x}", data[i]);
  return out;
}

std::string counterName(const ir::Chain &chain, size_t index) {
  if (index < chain.rules.size())
    return fmt::format("rule {}", index);
  return index == chain.rules.size() ? "policy" : "errors";
}

void compareLogs(const std::vector<bfc_log_event> &kernel,
                 const std::vector<interp::LogEvent> &interp,
                 std::vector<std::string> &diffs) {
  if (kernel.size() != interp.size()) {
    diffs.push_back(fmt::format("log events: kernel {}, interpreter {}",
                                kernel.size(), interp.size()));
    return;
  }
  for (size_t i = 0; i < kernel.size(); ++i) {
    const bfc_log_event &k = kernel[i];
    const interp::LogEvent &e = interp[i];
    auto differ = [&](std::string_view what, auto kv, auto iv) {
      if (kv != iv)
        diffs.push_back(fmt::format("log event {} {}: kernel {}, interpreter "
                                    "{}",
                                    i, what, kv, iv));
    };
    differ("rule", k.rule, e.rule);
    differ("verdict", unsigned(k.verdict), unsigned(e.verdict));
    differ("kind", unsigned(k.kind),
           unsigned(e.sockAddr ? BFC_LOG_SOCK_ADDR : BFC_LOG_PACKET));
    differ("l3_proto", k.l3_proto, e.l3Proto);
    differ("l4_proto", unsigned(k.l4_proto), unsigned(e.l4Proto));
    differ("pkt_len", k.pkt_len, e.packetLength);
    auto bytes = [&](std::string_view what, const uint8_t *data, uint8_t len,
                     const packet::Bytes &want) {
      std::string kb = hex(data, len), ib = hex(want.data(), want.size());
      if (kb != ib)
        diffs.push_back(fmt::format("log event {} {}: kernel [{}], "
                                    "interpreter [{}]",
                                    i, what, kb, ib));
    };
    if (e.sockAddr) {
      differ("dport", k.dport, e.dport);
      bytes("destination address", k.daddr, sizeof(k.daddr),
            packet::Bytes(e.daddr.begin(), e.daddr.end()));
    }
    bytes("link header", k.l2, k.l2_len, e.l2);
    bytes("internet header", k.l3, k.l3_len, e.l3);
    bytes("transport header", k.l4, k.l4_len, e.l4);
  }
}

} // namespace

std::vector<std::string>
findDifferences(const ir::Chain &chain, const load::RunOutput &kernel,
                const std::vector<bfc_counter> &kernelDeltas,
                const std::vector<bfc_log_event> &kernelLogs,
                const interp::Result &interp) {
  std::vector<std::string> diffs;
  if (kernel.retval != interp.returnCode)
    diffs.push_back(fmt::format(
        "return code: kernel {} ({}), interpreter {} ({}, {})", kernel.retval,
        ir::returnCodeName(chain.hook, kernel.retval), interp.returnCode,
        ir::returnCodeName(chain.hook, interp.returnCode),
        ir::verdictName(interp.verdict)));
  // One counter per rule, then policy and errors: a missing one on either
  // side is a difference too, not a shorter comparison.
  const size_t expected = chain.rules.size() + 2;
  if (kernelDeltas.size() != expected ||
      interp.counterDeltas.size() != expected)
    diffs.push_back(fmt::format("counters: kernel has {}, interpreter {}, the "
                                "chain needs {}",
                                kernelDeltas.size(),
                                interp.counterDeltas.size(), expected));
  for (size_t i = 0; i < kernelDeltas.size() && i < interp.counterDeltas.size();
       ++i) {
    const bfc_counter &k = kernelDeltas[i];
    const interp::Counter &e = interp.counterDeltas[i];
    if (k.packets != e.packets || k.bytes != e.bytes)
      diffs.push_back(fmt::format(
          "{} counter: kernel +{} packets +{} bytes, interpreter +{} packets "
          "+{} bytes",
          counterName(chain, i), k.packets, k.bytes, e.packets, e.bytes));
  }
  // XDP and the socket hooks have no mark to read back.
  if (kernel.markKnown && kernel.mark != interp.mark)
    diffs.push_back(fmt::format("mark: kernel {:#x}, interpreter {:#x}",
                                kernel.mark, interp.mark));
  compareLogs(kernelLogs, interp.logs, diffs);
  return diffs;
}

Comparer::Comparer(const ir::Module &module, const ir::Chain &chain,
                   load::TestRunChain &kernel, interp::HostEnv env)
    : chain_(chain), kernel_(kernel),
      interpreter_(module, chain, std::move(env)), state_(chain) {
  kernel_.resetCounters();
  kernel_.drainLog();
  last_ = kernel_.counters();
}

std::vector<std::string> Comparer::check() const {
  return interpreter_.checkChain();
}

Comparison Comparer::run(const packet::Packet &input) {
  Comparison c;
  c.packet = kernel_.prepare(input);
  // Rate limiting compares times: give the interpreter the kernel's clock.
  state_.now = monotonicNs();
  c.kernel = kernel_.run(c.packet);
  std::vector<bfc_counter> now = kernel_.counters();
  c.kernelDeltas.resize(now.size());
  for (size_t i = 0; i < now.size(); ++i) {
    c.kernelDeltas[i].packets = now[i].packets - last_[i].packets;
    c.kernelDeltas[i].bytes = now[i].bytes - last_[i].bytes;
  }
  last_ = std::move(now);
  c.kernelLogs = kernel_.drainLog();

  // bfc-run checked the chain (check()) and the packet fits the hook.
  c.interp = *interpreter_.run(c.packet.interp, state_);
  c.differences =
      findDifferences(chain_, c.kernel, c.kernelDeltas, c.kernelLogs, c.interp);
  return c;
}

} // namespace bfc::run
