#include "bfc/Load/TestRun.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/KernelCompat.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::load {

namespace {

constexpr size_t kNfHookStateSize = 48;

std::string errnoText(int err) { return std::strerror(err < 0 ? -err : err); }

const object::ChainInfo &findChain(const object::ObjectFile &object,
                                   const std::string &name) {
  const object::Metadata &meta = object.metadata();
  if (meta.chains.empty())
    throw LoadError(fmt::format("{}: the object has no chain", object.name()));
  const object::ChainInfo *chain =
      name.empty() ? &meta.chains.front() : meta.findChain(name);
  if (!chain)
    throw LoadError(
        fmt::format("{}: no chain named '{}'", object.name(), name));
  return *chain;
}

/// The host slots' values: the interfaces the options name, 0 for others.
std::vector<uint32_t> hostSlotValues(const object::Metadata &meta,
                                     const TestRunOptions &options) {
  std::vector<uint32_t> values;
  for (const object::HostSlotInfo &slot : meta.hostSlots) {
    auto it = options.ifaces.find(slot.name);
    values.push_back(it == options.ifaces.end() ? 0 : it->second);
  }
  return values;
}

int mapFd(const LoadedChain &loaded, const std::string &name) {
  for (const auto &[mapName, fd] : loaded.maps)
    if (mapName == name)
      return fd.get();
  throw LoadError(
      fmt::format("chain '{}': no map '{}'", loaded.chain->name, name));
}

} // namespace

struct TestRunChain::LogReader {
  ring_buffer *ring = nullptr;
  std::vector<bfc_log_event> events;

  static int onEvent(void *self, void *data, size_t size) {
    auto *reader = static_cast<LogReader *>(self);
    bfc_log_event event{};
    std::memcpy(&event, data, std::min(size, sizeof(event)));
    reader->events.push_back(event);
    return 0;
  }
  ~LogReader() {
    if (ring)
      ring_buffer__free(ring);
  }
};

TestRunChain::TestRunChain(const object::ObjectFile &object,
                           const TestRunOptions &options) {
  if (options.verbose)
    verbosity().bpf = true;
  const object::ChainInfo &chain = findChain(object, options.chain);
  std::vector<LoadedChain> loaded =
      loadChains(object, {&chain}, hostSlotValues(object.metadata(), options));
  loaded_ = std::move(loaded.front());
  countersFd_ = mapFd(loaded_, chain.counters.map);
  if (chain.log) {
    log_ = std::make_unique<LogReader>();
    log_->ring = ring_buffer__new(mapFd(loaded_, chain.log->map),
                                  &LogReader::onEvent, log_.get(), nullptr);
  }
}

TestRunChain::~TestRunChain() {
  // The ring buffer reader first: it uses the log map.
  log_.reset();
}

std::optional<std::string> testRunProblem(ir::Hook hook,
                                          const packet::Packet &input) {
  switch (ir::hookFamily(hook)) {
  case ir::HookFamily::Xdp:
  case ir::HookFamily::Tc:
  case ir::HookFamily::CgroupSkb: {
    if (packet::adaptForHook(input, true).data.size() < 14)
      return std::string("BPF_PROG_TEST_RUN needs at least a 14-byte "
                         "Ethernet header");
    if (ir::hookFamily(hook) == ir::HookFamily::Xdp)
      return std::nullopt;
    // skb test runs pull the IP header of an IPv4/IPv6 frame.
    packet::Packet l3 = packet::adaptForHook(input, false);
    if ((l3.meta.l3Proto == wire::kEtherTypeIp4 && l3.data.size() < 20) ||
        (l3.meta.l3Proto == wire::kEtherTypeIp6 && l3.data.size() < 40))
      return std::string("skb test runs need the whole IPv4 (20 bytes) or "
                         "IPv6 (40 bytes) header of an IP frame");
    return std::nullopt;
  }
  case ir::HookFamily::Netfilter: {
    packet::Packet l3 = packet::adaptForHook(input, false);
    if (l3.meta.l3Proto == wire::kEtherTypeIp4 && l3.data.size() >= 20)
      return std::nullopt;
    if (l3.meta.l3Proto == wire::kEtherTypeIp6 && l3.data.size() >= 40)
      return std::nullopt;
    return std::string("netfilter test runs need a whole IPv4 (20 bytes) or "
                       "IPv6 (40 bytes) header");
  }
  case ir::HookFamily::CgroupSockAddr:
    return fmt::format("{} programs cannot be test-run (attach them to a "
                       "cgroup)",
                       ir::hookName(hook));
  }
  return std::nullopt;
}

PreparedPacket TestRunChain::prepare(const packet::Packet &input) const {
  if (std::optional<std::string> problem =
          testRunProblem(loaded_.chain->hook, input))
    throw LoadError(*problem);
  PreparedPacket out;
  ir::HookFamily family = ir::hookFamily(loaded_.chain->hook);
  auto skbContext = [&](const packet::Metadata &meta) {
    __sk_buff skb{};
    skb.mark = meta.mark;
    // The test run's device is loopback unless told otherwise.
    if (meta.ifindex > 1)
      skb.ifindex = meta.ifindex;
    out.ctx.resize(sizeof(skb));
    std::memcpy(out.ctx.data(), &skb, sizeof(skb));
  };
  switch (family) {
  case ir::HookFamily::Xdp:
  case ir::HookFamily::Tc: {
    out.interp = packet::adaptForHook(input, true);
    out.data = out.interp.data;
    if (out.interp.meta.ifindex < 1)
      out.interp.meta.ifindex = 1;
    if (family == ir::HookFamily::Tc) {
      skbContext(out.interp.meta);
    } else if (out.interp.meta.ifindex != 1) {
      xdp_md md{};
      md.data_end = static_cast<uint32_t>(out.data.size());
      md.ingress_ifindex = out.interp.meta.ifindex;
      out.ctx.resize(sizeof(md));
      std::memcpy(out.ctx.data(), &md, sizeof(md));
    }
    break;
  }
  case ir::HookFamily::CgroupSkb: {
    // The test run takes a frame and strips its Ethernet header.
    packet::Packet frame = packet::adaptForHook(input, true);
    out.data = frame.data;
    out.interp = packet::adaptForHook(input, false);
    if (out.interp.meta.ifindex < 1)
      out.interp.meta.ifindex = 1;
    skbContext(out.interp.meta);
    break;
  }
  case ir::HookFamily::Netfilter: {
    out.interp = packet::adaptForHook(input, false);
    // Test runs have no input device (state->in is NULL), loopback as the
    // output device, and take no skb fields: the mark is 0.
    out.interp.meta.ifindex = ir::hookIsEgress(loaded_.chain->hook) ? 1 : 0;
    out.interp.meta.mark = 0;
    uint8_t pf = 0;
    if (out.interp.meta.l3Proto == wire::kEtherTypeIp4)
      pf = kernel::kNfProtoIpv4;
    else if (out.interp.meta.l3Proto == wire::kEtherTypeIp6)
      pf = kernel::kNfProtoIpv6;
    else
      throw LoadError("netfilter test runs need an IPv4 or IPv6 packet");
    // LOCAL_OUT takes the L3 packet, the other hooks an Ethernet frame.
    out.data = loaded_.chain->hook == ir::Hook::NfLocalOut
                   ? out.interp.data
                   : packet::adaptForHook(out.interp, true).data;
    out.ctx.assign(kNfHookStateSize, 0);
    out.ctx[0] =
        static_cast<uint8_t>(ir::netfilterHookNumber(loaded_.chain->hook));
    out.ctx[1] = pf;
    break;
  }
  case ir::HookFamily::CgroupSockAddr:
    throw LoadError(
        fmt::format("{} programs cannot be test-run (attach them to a cgroup)",
                    ir::hookName(loaded_.chain->hook)));
  }
  return out;
}

RunOutput TestRunChain::run(const PreparedPacket &packet,
                            unsigned repeat) const {
  std::vector<uint8_t> ctxOut(packet.ctx.size());
  std::vector<uint8_t> dataOut(packet.data.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = packet.data.data();
  opts.data_size_in = static_cast<uint32_t>(packet.data.size());
  opts.data_out = dataOut.data();
  opts.data_size_out = static_cast<uint32_t>(dataOut.size());
  if (!packet.ctx.empty()) {
    opts.ctx_in = packet.ctx.data();
    opts.ctx_size_in = static_cast<uint32_t>(packet.ctx.size());
    ir::HookFamily family = ir::hookFamily(loaded_.chain->hook);
    if (family == ir::HookFamily::Tc || family == ir::HookFamily::CgroupSkb) {
      opts.ctx_out = ctxOut.data();
      opts.ctx_size_out = static_cast<uint32_t>(ctxOut.size());
    }
  }
  opts.repeat = static_cast<int>(repeat);
  if (bpf_prog_test_run_opts(loaded_.prog.get(), &opts)) {
    int err = errno;
    throw LoadError(
        fmt::format("BPF_PROG_TEST_RUN failed: {}", errnoText(err)));
  }
  RunOutput out;
  out.retval = static_cast<int32_t>(opts.retval);
  out.durationNs = opts.duration;
  if (opts.ctx_out && opts.ctx_size_out >= sizeof(__sk_buff)) {
    __sk_buff skb;
    std::memcpy(&skb, ctxOut.data(), sizeof(skb));
    out.mark = skb.mark;
    out.markKnown = true;
  }
  return out;
}

std::vector<bfc_counter> TestRunChain::counters() const {
  int cpus = libbpf_num_possible_cpus();
  std::vector<bfc_counter> out(loaded_.chain->counters.size);
  std::vector<bfc_counter> perCpu(cpus > 0 ? cpus : 1);
  for (uint32_t i = 0; i < out.size(); ++i) {
    if (bpf_map_lookup_elem(countersFd_, &i, perCpu.data()))
      throw LoadError(
          fmt::format("reading counter {}: {}", i, errnoText(errno)));
    for (const bfc_counter &c : perCpu) {
      out[i].packets += c.packets;
      out[i].bytes += c.bytes;
    }
  }
  return out;
}

void TestRunChain::resetCounters() const {
  int cpus = libbpf_num_possible_cpus();
  std::vector<bfc_counter> zero(cpus > 0 ? cpus : 1);
  for (uint32_t i = 0; i < loaded_.chain->counters.size; ++i)
    if (bpf_map_update_elem(countersFd_, &i, zero.data(), BPF_ANY))
      throw LoadError(
          fmt::format("resetting counter {}: {}", i, errnoText(errno)));
}

ProgramStats TestRunChain::stats() const {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(loaded_.prog.get(), &info, &len))
    throw LoadError(fmt::format("reading program info: {}", errnoText(errno)));
  return {info.xlated_prog_len / 8, info.jited_prog_len, info.verified_insns};
}

std::vector<bfc_log_event> TestRunChain::drainLog() {
  if (!log_ || !log_->ring)
    return {};
  ring_buffer__consume(log_->ring);
  return std::exchange(log_->events, {});
}

} // namespace bfc::load
