#include "Runner.h"

#include <cerrno>
#include <cstring>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include "bfc/Load/Error.h"
#include "bfc/Load/MapFill.h"

namespace bfc::run {

namespace {

// UAPI values newer than Debian's 6.1 headers / libbpf 1.1.
constexpr uint32_t kProgTypeNetfilter = 32;
constexpr uint32_t kAttachNetfilter = 45;
constexpr uint8_t kNfProtoIpv4 = 2, kNfProtoIpv6 = 10;
constexpr size_t kNfHookStateSize = 48;
constexpr size_t kVerifierLogSize = 4 << 20;

bool gVerbose = false;

int printLibbpf(enum libbpf_print_level level, const char *format,
                va_list args) {
  // libbpf tells about every section it does not use (.bfc.meta): keep that
  // for --verbose.
  if (level != LIBBPF_WARN && !gVerbose)
    return 0;
  return vfprintf(stderr, format, args);
}

std::string errnoText(int err) { return std::strerror(err < 0 ? -err : err); }

/// The last `lines` lines of a verifier log.
std::string logTail(const std::string &log, size_t lines) {
  size_t end = log.find_last_not_of("\n\0 ");
  if (end == std::string::npos)
    return {};
  size_t pos = end + 1;
  for (size_t n = 0; n < lines && pos > 0; ++n) {
    size_t nl = log.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    pos = nl;
  }
  return log.substr(pos == 0 ? 0 : pos + 1, end + 1 - (pos == 0 ? 0 : pos + 1));
}

} // namespace

struct LoadedChain::LogReader {
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

LoadedChain::LoadedChain(const object::ObjectFile &object,
                         const LoadOptions &options) {
  gVerbose = options.verbose;
  libbpf_set_print(printLibbpf);
  const object::Metadata &meta = object.metadata();
  if (meta.chains.empty())
    throw RunError(fmt::format("{}: the object has no chain", object.name()));
  chain_ = options.chain.empty() ? &meta.chains.front()
                                 : meta.findChain(options.chain);
  if (!chain_)
    throw RunError(
        fmt::format("{}: no chain named '{}'", object.name(), options.chain));

  LIBBPF_OPTS(bpf_object_open_opts, openOpts,
              .object_name = chain_->program.c_str());
  obj_.reset(bpf_object__open_mem(object.bytes().data(), object.bytes().size(),
                                  &openOpts));
  if (!obj_) {
    int err = errno;
    throw RunError(fmt::format("{}: libbpf cannot open the object: {}",
                               object.name(), errnoText(err)));
  }

  std::string verifierLog(kVerifierLogSize, '\0');
  bpf_program *program = nullptr;
  bpf_program *p = nullptr;
  bpf_object__for_each_program(p, obj_.get()) {
    bool mine = chain_->program == bpf_program__name(p);
    bpf_program__set_autoload(p, mine);
    if (!mine)
      continue;
    program = p;
    if (ir::hookFamily(chain_->hook) == ir::HookFamily::Netfilter) {
      // libbpf 1.1 does not know the `netfilter` section.
      bpf_program__set_type(p, static_cast<bpf_prog_type>(kProgTypeNetfilter));
      bpf_program__set_expected_attach_type(
          p, static_cast<bpf_attach_type>(kAttachNetfilter));
    }
    bpf_program__set_log_buf(p, verifierLog.data(), verifierLog.size());
  }
  if (!program)
    throw RunError(fmt::format("{}: no program '{}' in the object",
                               object.name(), chain_->program));

  // Host slots live in .rodata: write them before loading.
  bpf_map *map = nullptr;
  bpf_object__for_each_map(map, obj_.get()) {
    std::string_view name = bpf_map__name(map);
    if (!bpf_map__is_internal(map) || !name.ends_with(".rodata"))
      continue;
    const btf *btf = bpf_object__btf(obj_.get());
    int sec =
        btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
    if (sec < 0)
      continue;
    const btf_type *datasec = btf__type_by_id(btf, sec);
    const btf_var_secinfo *vars = btf_var_secinfos(datasec);
    for (unsigned i = 0; i < btf_vlen(datasec); ++i) {
      const btf_type *var = btf__type_by_id(btf, vars[i].type);
      if (std::string_view(btf__name_by_offset(btf, var->name_off)) !=
          BFC_HOST_SLOTS_SYMBOL)
        continue;
      size_t size = 0;
      const void *initial = bpf_map__initial_value(map, &size);
      std::vector<uint8_t> data(static_cast<const uint8_t *>(initial),
                                static_cast<const uint8_t *>(initial) + size);
      for (const object::HostSlotInfo &slot : meta.hostSlots) {
        auto it = options.ifaces.find(slot.name);
        uint32_t ifindex = it == options.ifaces.end() ? 0 : it->second;
        size_t at = vars[i].offset + slot.index * sizeof(uint32_t);
        if (at + sizeof(uint32_t) <= data.size())
          std::memcpy(data.data() + at, &ifindex, sizeof(ifindex));
      }
      bpf_map__set_initial_value(map, data.data(), data.size());
    }
  }

  if (int err = bpf_object__load(obj_.get())) {
    std::string tail = logTail(verifierLog.c_str(), 25);
    throw RunError(fmt::format(
        "{}: loading chain '{}' failed: {}{}{}", object.name(), chain_->name,
        errnoText(err), tail.empty() ? "" : "\nverifier log (tail):\n", tail));
  }
  progFd_ = bpf_program__fd(program);
  countersFd_ =
      bpf_object__find_map_fd_by_name(obj_.get(), chain_->counters.map.c_str());
  if (countersFd_ < 0)
    throw RunError(fmt::format("{}: no counters map '{}'", object.name(),
                               chain_->counters.map));

  auto fill = [&](const std::string &mapName, const std::string &what,
                  const auto &packEntries) {
    int fd = bpf_object__find_map_fd_by_name(obj_.get(), mapName.c_str());
    if (fd < 0)
      throw RunError(
          fmt::format("{}: no map '{}' for {}", object.name(), mapName, what));
    try {
      load::updateEntries(fd, packEntries());
    } catch (const load::LoadError &e) {
      throw RunError(
          fmt::format("{}: filling {}: {}", object.name(), what, e.what()));
    }
  };
  for (const object::SetInfo &set : chain_->sets)
    fill(set.map, fmt::format("set '{}'", set.name),
         [&] { return load::setMapEntries(set, sizeof(uint8_t)); });
  for (const object::TableInfo &table : chain_->tables)
    fill(table.map, fmt::format("table {}", table.index),
         [&] { return load::tableMapEntries(table, *chain_); });

  if (chain_->log) {
    int fd =
        bpf_object__find_map_fd_by_name(obj_.get(), chain_->log->map.c_str());
    if (fd >= 0) {
      log_ = std::make_unique<LogReader>();
      log_->ring =
          ring_buffer__new(fd, &LogReader::onEvent, log_.get(), nullptr);
    }
  }
}

void LoadedChain::ObjectCloser::operator()(bpf_object *obj) const {
  bpf_object__close(obj);
}

LoadedChain::~LoadedChain() {
  // The ring buffer reader first: it uses the object's map.
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
    if ((l3.meta.l3Proto == packet::kEtherTypeIp4 && l3.data.size() < 20) ||
        (l3.meta.l3Proto == packet::kEtherTypeIp6 && l3.data.size() < 40))
      return std::string("skb test runs need the whole IPv4 (20 bytes) or "
                         "IPv6 (40 bytes) header of an IP frame");
    return std::nullopt;
  }
  case ir::HookFamily::Netfilter: {
    packet::Packet l3 = packet::adaptForHook(input, false);
    if (l3.meta.l3Proto == packet::kEtherTypeIp4 && l3.data.size() >= 20)
      return std::nullopt;
    if (l3.meta.l3Proto == packet::kEtherTypeIp6 && l3.data.size() >= 40)
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

PreparedPacket LoadedChain::prepare(const packet::Packet &input) const {
  if (std::optional<std::string> problem = testRunProblem(chain_->hook, input))
    throw RunError(*problem);
  PreparedPacket out;
  ir::HookFamily family = ir::hookFamily(chain_->hook);
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
    out.interp.meta.ifindex = ir::hookIsEgress(chain_->hook) ? 1 : 0;
    out.interp.meta.mark = 0;
    uint8_t pf = 0;
    if (out.interp.meta.l3Proto == packet::kEtherTypeIp4)
      pf = kNfProtoIpv4;
    else if (out.interp.meta.l3Proto == packet::kEtherTypeIp6)
      pf = kNfProtoIpv6;
    else
      throw RunError("netfilter test runs need an IPv4 or IPv6 packet");
    // LOCAL_OUT takes the L3 packet, the other hooks an Ethernet frame.
    out.data = chain_->hook == ir::Hook::NfLocalOut
                   ? out.interp.data
                   : packet::adaptForHook(out.interp, true).data;
    out.ctx.assign(kNfHookStateSize, 0);
    out.ctx[0] = static_cast<uint8_t>(ir::netfilterHookNumber(chain_->hook));
    out.ctx[1] = pf;
    break;
  }
  case ir::HookFamily::CgroupSockAddr:
    throw RunError(
        fmt::format("{} programs cannot be test-run (attach them to a cgroup)",
                    ir::hookName(chain_->hook)));
  }
  return out;
}

RunOutput LoadedChain::run(const PreparedPacket &packet,
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
    ir::HookFamily family = ir::hookFamily(chain_->hook);
    if (family == ir::HookFamily::Tc || family == ir::HookFamily::CgroupSkb) {
      opts.ctx_out = ctxOut.data();
      opts.ctx_size_out = static_cast<uint32_t>(ctxOut.size());
    }
  }
  opts.repeat = static_cast<int>(repeat);
  if (bpf_prog_test_run_opts(progFd_, &opts)) {
    int err = errno;
    throw RunError(fmt::format("BPF_PROG_TEST_RUN failed: {}", errnoText(err)));
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

std::vector<bfc_counter> LoadedChain::counters() const {
  int cpus = libbpf_num_possible_cpus();
  std::vector<bfc_counter> out(chain_->counters.size);
  std::vector<bfc_counter> perCpu(cpus > 0 ? cpus : 1);
  for (uint32_t i = 0; i < out.size(); ++i) {
    if (bpf_map_lookup_elem(countersFd_, &i, perCpu.data()))
      throw RunError(
          fmt::format("reading counter {}: {}", i, errnoText(errno)));
    for (const bfc_counter &c : perCpu) {
      out[i].packets += c.packets;
      out[i].bytes += c.bytes;
    }
  }
  return out;
}

void LoadedChain::resetCounters() const {
  int cpus = libbpf_num_possible_cpus();
  std::vector<bfc_counter> zero(cpus > 0 ? cpus : 1);
  for (uint32_t i = 0; i < chain_->counters.size; ++i)
    if (bpf_map_update_elem(countersFd_, &i, zero.data(), BPF_ANY))
      throw RunError(
          fmt::format("resetting counter {}: {}", i, errnoText(errno)));
}

ProgramStats LoadedChain::stats() const {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(progFd_, &info, &len))
    throw RunError(fmt::format("reading program info: {}", errnoText(errno)));
  return {info.xlated_prog_len / 8, info.jited_prog_len, info.verified_insns};
}

std::vector<bfc_log_event> LoadedChain::drainLog() {
  if (!log_ || !log_->ring)
    return {};
  ring_buffer__consume(log_->ring);
  return std::exchange(log_->events, {});
}

std::string returnCodeName(ir::Hook hook, int32_t code) {
  switch (ir::hookFamily(hook)) {
  case ir::HookFamily::Xdp:
    switch (code) {
    case 0:
      return "XDP_ABORTED";
    case 1:
      return "XDP_DROP";
    case 2:
      return "XDP_PASS";
    case 3:
      return "XDP_TX";
    case 4:
      return "XDP_REDIRECT";
    }
    break;
  case ir::HookFamily::Tc:
    switch (code) {
    case -1:
      return "TCX_NEXT";
    case 0:
      return "TCX_PASS";
    case 2:
      return "TCX_DROP";
    case 7:
      return "TCX_REDIRECT";
    }
    break;
  case ir::HookFamily::Netfilter:
    if (code == 0)
      return "NF_DROP";
    if (code == 1)
      return "NF_ACCEPT";
    break;
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr:
    if (code == 0)
      return "deny";
    if (code == 1)
      return "allow";
    break;
  }
  return fmt::format("{}", code);
}

} // namespace bfc::run
