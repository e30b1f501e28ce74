#include "bfc/Interp/Interpreter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bfc/IR/Verifier.h"
#include "bfc/Interp/PacketLayout.h"

namespace bfc::interp {

using ir::FieldId;
using ir::fromBigEndian;
using ir::Predicate;
using ir::Proto;
using ir::toBigEndian;
using packet::Bytes;

namespace {

uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

bool prefixEquals(const Bytes &a, const Bytes &b, unsigned bits) {
  for (unsigned i = 0; i < bits / 8; ++i)
    if (a[i] != b[i])
      return false;
  if (bits % 8 == 0)
    return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits % 8));
  return (a[bits / 8] & mask) == (b[bits / 8] & mask);
}

/// What one run sees: the input and the headers found in it.
class Frame {
public:
  Frame(const ir::Module &module, const ir::Chain &chain, const HostEnv &env,
        const packet::Input &input)
      : module_(module), chain_(chain), env_(env) {
    if (auto *pkt = std::get_if<packet::Packet>(&input)) {
      packet_ = pkt;
      layout_ = parseLayout(pkt->data.data(), pkt->data.size(), pkt->hasL2,
                            pkt->meta.l3Proto);
      mark_ = pkt->meta.mark;
    } else {
      sock_ = &std::get<packet::SockAddr>(input);
    }
  }

  const PacketLayout &layout() const { return layout_; }
  const packet::Packet *packet() const { return packet_; }
  const packet::SockAddr *sock() const { return sock_; }
  uint32_t mark() const { return mark_; }
  void setMark(uint32_t mark) { mark_ = mark; }

  /// Bytes counted for a packet (docs/semantics.md table).
  uint64_t countedBytes() const { return packet_ ? packet_->data.size() : 0; }

  /// The value of `field`, or nullopt when its header is absent.
  std::optional<Bytes> field(FieldId id) const {
    return sock_ ? sockField(id) : packetField(id);
  }

  /// A predicate's truth: false when its header is absent, whatever the
  /// negation.
  bool holds(const Predicate &pred) const {
    std::optional<bool> test = evaluate(pred);
    return test && (pred.negate != *test);
  }

  std::optional<uint32_t> hostIfindex(uint32_t slot) const {
    auto it = env_.ifindexByName.find(module_.hostSlots[slot].name);
    if (it == env_.ifindexByName.end())
      return std::nullopt;
    return it->second;
  }

private:
  std::optional<Bytes> packetField(FieldId id) const {
    const ir::FieldInfo &info = ir::fieldInfo(id);
    const packet::Metadata &meta = packet_->meta;
    switch (id) {
    case FieldId::MetaIfindex:
      return toBigEndian(meta.ifindex, 4);
    case FieldId::MetaMark:
      return toBigEndian(mark_, 4); // the current mark, as set by earlier rules
    case FieldId::MetaFlowHash:
      return toBigEndian(meta.hash, 4);
    case FieldId::MetaL3Proto:
      return toBigEndian(layout_.l3Proto, 2);
    case FieldId::MetaL4Proto:
      return toBigEndian(layout_.l4Proto, 1);
    default:
      break;
    }
    if (!layout_.has(info.proto))
      return std::nullopt;
    const uint8_t *at =
        packet_->data.data() + layout_.offsetOf(info.proto) + info.offset;
    if (info.mask == 0)
      return Bytes(at, at + info.width);
    uint64_t loaded = fromBigEndian(at, info.loadWidth);
    return toBigEndian((loaded & info.mask) >> info.shift, info.width);
  }

  std::optional<Bytes> sockField(FieldId id) const {
    bool v4 = sock_->family == 4;
    bool sendmsg = !ir::sockAddrIsConnect(chain_.hook);
    auto address = [&](const std::array<uint8_t, 16> &addr) {
      return Bytes(addr.begin(), addr.begin() + (v4 ? 4 : 16));
    };
    uint8_t proto = sock_->protocol;
    switch (id) {
    case FieldId::MetaL3Proto:
      return toBigEndian(v4 ? 0x0800 : 0x86DD, 2);
    case FieldId::MetaL4Proto:
      return toBigEndian(proto, 1);
    case FieldId::Ip4Proto:
      return v4 ? std::optional(toBigEndian(proto, 1)) : std::nullopt;
    case FieldId::Ip4Daddr:
    case FieldId::Ip6Daddr:
      if (v4 != (id == FieldId::Ip4Daddr))
        return std::nullopt;
      return address(sock_->dst);
    case FieldId::Ip4Saddr:
    case FieldId::Ip6Saddr:
      if (v4 != (id == FieldId::Ip4Saddr) || !sendmsg)
        return std::nullopt;
      return address(sock_->src);
    case FieldId::L4Dport:
      if (proto != 6 && proto != 17)
        return std::nullopt;
      return toBigEndian(sock_->dport, 2);
    case FieldId::TcpDport:
      return proto == 6 ? std::optional(toBigEndian(sock_->dport, 2))
                        : std::nullopt;
    case FieldId::UdpDport:
      return proto == 17 ? std::optional(toBigEndian(sock_->dport, 2))
                         : std::nullopt;
    default:
      return std::nullopt; // no packet, no interface, no mark
    }
  }

  std::optional<bool> evaluate(const Predicate &pred) const {
    switch (pred.kind) {
    case Predicate::Kind::Field:
      return evaluateField(pred);
    case Predicate::Kind::Iface: {
      if (!packet_)
        return std::nullopt;
      uint32_t wanted = pred.hostSlot ? hostIfindex(*pred.hostSlot).value_or(0)
                                      : pred.ifindex;
      return packet_->meta.ifindex == wanted;
    }
    case Predicate::Kind::Probability: {
      uint64_t threshold = probabilityThreshold(pred.percent);
      if (!pred.perFlow)
        return (packet_ ? packet_->meta.random : sock_->meta.random) <
               threshold;
      std::optional<uint32_t> hash = flowHashOfPacket();
      if (!hash)
        return std::nullopt;
      return *hash < threshold;
    }
    case Predicate::Kind::Ip6HeaderChain: {
      if (!packet_ || !layout_.ip6Offset)
        return std::nullopt;
      const auto &chain = layout_.ip6HeaderChain;
      return std::find(chain.begin(), chain.end(), pred.protocol) !=
             chain.end();
    }
    case Predicate::Kind::Set:
      return evaluateSet(chain_.sets[pred.set]);
    }
    return std::nullopt;
  }

  std::optional<bool> evaluateField(const Predicate &pred) const {
    std::optional<Bytes> value = field(pred.field);
    if (!value)
      return std::nullopt;
    switch (pred.op) {
    case ir::CmpOp::Eq:
      if (pred.prefixLen)
        return prefixEquals(*value, pred.value, *pred.prefixLen);
      return *value == pred.value;
    case ir::CmpOp::Range:
      // Equal-width big-endian byte strings compare like the integers.
      return pred.value <= *value && *value <= pred.high;
    case ir::CmpOp::AnyBits:
      for (size_t i = 0; i < value->size(); ++i)
        if ((*value)[i] & pred.value[i])
          return true;
      return false;
    case ir::CmpOp::AllBits:
      for (size_t i = 0; i < value->size(); ++i)
        if (((*value)[i] & pred.value[i]) != pred.value[i])
          return false;
      return true;
    }
    return std::nullopt;
  }

  std::optional<bool> evaluateSet(const ir::Set &set) const {
    Bytes key;
    for (FieldId id : set.key) {
      std::optional<Bytes> value = field(id);
      if (!value)
        return std::nullopt;
      key.insert(key.end(), value->begin(), value->end());
    }
    for (const ir::SetElement &element : set.elements) {
      if (set.lpm ? prefixEquals(key, element.key, element.prefixLen)
                  : key == element.key)
        return true;
    }
    return false;
  }

  std::optional<uint32_t> flowHashOfPacket() const {
    if (!packet_ || !layout_.has(Proto::TcpOrUdp))
      return std::nullopt;
    const uint8_t *data = packet_->data.data();
    const uint8_t *l4 = data + *layout_.l4Offset;
    uint16_t sport = static_cast<uint16_t>(fromBigEndian(l4, 2));
    uint16_t dport = static_cast<uint16_t>(fromBigEndian(l4 + 2, 2));
    if (layout_.ip4Offset) {
      const uint8_t *ip = data + *layout_.ip4Offset;
      return flowHash(ip + 12, ip + 16, 4, sport, dport, layout_.l4Proto);
    }
    const uint8_t *ip = data + *layout_.ip6Offset;
    return flowHash(ip + 8, ip + 24, 16, sport, dport, layout_.l4Proto);
  }

  const ir::Module &module_;
  const ir::Chain &chain_;
  const HostEnv &env_;
  const packet::Packet *packet_ = nullptr;
  const packet::SockAddr *sock_ = nullptr;
  PacketLayout layout_;
  uint32_t mark_ = 0;
};

/// Copies the requested headers that are present into `event`.
void fillLogHeaders(const Frame &frame, LogEvent &event) {
  if (const packet::SockAddr *sock = frame.sock()) {
    event.sockAddr = true;
    event.l3Proto = sock->family == 4 ? 0x0800 : 0x86DD;
    event.l4Proto = sock->protocol;
    event.daddr = sock->dst;
    event.dport = sock->dport;
    return;
  }
  const PacketLayout &layout = frame.layout();
  const Bytes &data = frame.packet()->data;
  event.l3Proto = layout.l3Proto;
  event.l4Proto = layout.l4Proto;
  event.packetLength = static_cast<uint32_t>(data.size());
  auto copy = [&](size_t offset, size_t size) {
    return Bytes(data.begin() + offset, data.begin() + offset + size);
  };
  if ((event.headers & ir::kLogLink) && layout.l2Offset)
    event.l2 = copy(*layout.l2Offset, 14);
  if (event.headers & ir::kLogInternet) {
    if (layout.ip4Offset)
      event.l3 = copy(*layout.ip4Offset, 20);
    else if (layout.ip6Offset)
      event.l3 = copy(*layout.ip6Offset, 40);
  }
  if ((event.headers & ir::kLogTransport) && layout.l4Offset)
    event.l4 = copy(*layout.l4Offset, transportHeaderSize(layout.l4Header));
}

} // namespace

InterpreterState::InterpreterState(const ir::Chain &chain)
    : counters(chain.rules.size() + 2), lastLogNs(chain.rules.size()) {}

std::optional<int32_t> hookReturnCode(ir::Hook hook, ir::Verdict verdict) {
  using ir::Verdict;
  if (verdict == Verdict::Continue)
    return std::nullopt;
  switch (ir::hookFamily(hook)) {
  case ir::HookFamily::Xdp:
    switch (verdict) {
    case Verdict::Drop:
      return 1; // XDP_DROP
    case Verdict::Redirect:
      return 4; // XDP_REDIRECT
    default:
      return 2; // XDP_PASS
    }
  case ir::HookFamily::Tc:
    switch (verdict) {
    case Verdict::Accept:
      return 0; // TCX_PASS
    case Verdict::Drop:
      return 2; // TCX_DROP
    case Verdict::Next:
      return -1; // TCX_NEXT
    default:
      return 7; // TCX_REDIRECT
    }
  case ir::HookFamily::Netfilter:
  case ir::HookFamily::CgroupSkb:
  case ir::HookFamily::CgroupSockAddr:
    // NF_ACCEPT (1) / NF_DROP (0) coincide with cgroup allow/deny.
    if (verdict == Verdict::Redirect)
      return std::nullopt;
    return verdict == Verdict::Drop ? 0 : 1;
  }
  return std::nullopt;
}

uint32_t flowHash(const uint8_t *saddr, const uint8_t *daddr, size_t addrSize,
                  uint16_t sport, uint16_t dport, uint8_t protocol) {
  uint32_t h = 0;
  for (size_t i = 0; i < addrSize; i += 4)
    h = fmix32(h ^ static_cast<uint32_t>(fromBigEndian(saddr + i, 4)));
  for (size_t i = 0; i < addrSize; i += 4)
    h = fmix32(h ^ static_cast<uint32_t>(fromBigEndian(daddr + i, 4)));
  h = fmix32(h ^ (uint32_t(sport) << 16 | dport));
  h = fmix32(h ^ protocol);
  return h;
}

uint64_t probabilityThreshold(double percent) {
  return static_cast<uint64_t>(std::llround(percent / 100.0 * 4294967296.0));
}

Interpreter::Interpreter(const ir::Module &module, const ir::Chain &chain,
                         HostEnv env)
    : module_(module), chain_(chain), env_(std::move(env)) {}

std::vector<std::string> Interpreter::checkChain() const {
  std::vector<std::string> problems = ir::verifyChain(module_, chain_);
  if (!problems.empty())
    return problems;
  std::vector<uint32_t> slots;
  for (const ir::Rule &rule : chain_.rules) {
    for (const Predicate &pred : rule.predicates)
      if (pred.kind == Predicate::Kind::Iface && pred.hostSlot)
        slots.push_back(*pred.hostSlot);
    if (rule.verdict == ir::Verdict::Redirect && rule.redirectSlot)
      slots.push_back(*rule.redirectSlot);
  }
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  for (uint32_t slot : slots) {
    const std::string &name = module_.hostSlots[slot].name;
    if (!env_.ifindexByName.count(name))
      problems.push_back(fmt::format(
          "interface '{}' (host slot {}) is not in the host environment", name,
          slot));
  }
  return problems;
}

std::optional<std::string>
Interpreter::checkInput(const packet::Input &input) const {
  std::string_view hook = ir::hookName(chain_.hook);
  unsigned family = ir::sockAddrFamily(chain_.hook);
  if (auto *sock = std::get_if<packet::SockAddr>(&input)) {
    if (family == 0)
      return fmt::format("{} sees packets, not socket calls", hook);
    if (sock->family != family)
      return fmt::format("{} sees IPv{} socket calls, not sock{}", hook, family,
                         sock->family);
    return std::nullopt;
  }
  if (family != 0)
    return fmt::format("{} sees socket calls (sock{}(...)), not packets", hook,
                       family);
  const auto &pkt = std::get<packet::Packet>(input);
  if (ir::hookHasL2(chain_.hook) && !pkt.hasL2)
    return fmt::format("{} sees Ethernet frames; the packet starts at L3",
                       hook);
  if (!ir::hookHasL2(chain_.hook) && pkt.hasL2)
    return fmt::format("{} sees L3 packets; the packet starts with Ethernet",
                       hook);
  return std::nullopt;
}

Result Interpreter::run(const packet::Input &input,
                        InterpreterState &state) const {
  if (std::vector<std::string> problems = checkChain(); !problems.empty())
    throw std::invalid_argument(problems.front());
  if (std::optional<std::string> problem = checkInput(input))
    throw std::invalid_argument(*problem);
  if (state.counters.size() != chain_.rules.size() + 2)
    throw std::invalid_argument("interpreter state made for another chain");

  Frame frame(module_, chain_, env_, input);
  Result result;
  result.counterDeltas.resize(chain_.rules.size() + 2);
  uint64_t bytes = frame.countedBytes();
  auto bump = [&](size_t index) {
    result.counterDeltas[index].packets += 1;
    result.counterDeltas[index].bytes += bytes;
  };

  result.malformed = frame.layout().malformed;
  if (result.malformed)
    bump(chain_.rules.size() + 1);

  const ir::Rule *decided = nullptr;
  for (const ir::Rule &rule : chain_.rules) {
    bool matches =
        std::all_of(rule.predicates.begin(), rule.predicates.end(),
                    [&](const Predicate &pred) { return frame.holds(pred); });
    if (!matches)
      continue;
    result.matchedRules.push_back(rule.index);
    if (rule.counter)
      bump(rule.index);
    if (rule.log.enabled) {
      std::optional<uint64_t> &last = state.lastLogNs[rule.index];
      // Unsigned difference: a clock that goes back still logs.
      if (!last || rule.log.rateNs == 0 ||
          state.now - *last >= rule.log.rateNs) {
        last = state.now;
        LogEvent event;
        event.rule = rule.index;
        event.verdict = rule.verdict;
        event.headers = rule.log.headers;
        event.timestampNs = state.now;
        fillLogHeaders(frame, event);
        result.logs.push_back(std::move(event));
      }
    }
    if (rule.mark) {
      frame.setMark(*rule.mark);
      result.markSet = true;
    }
    if (rule.verdict != ir::Verdict::Continue) {
      decided = &rule;
      break;
    }
  }

  if (decided) {
    const ir::Rule &rule = *decided;
    result.rule = rule.index;
    result.verdict = rule.verdict;
    if (rule.verdict == ir::Verdict::Redirect) {
      result.redirectIfindex = rule.redirectSlot
                                   ? *frame.hostIfindex(*rule.redirectSlot)
                                   : rule.redirectIfindex;
      result.redirectDir = rule.redirectDir;
    }
  } else {
    result.verdict = chain_.policy;
    bump(chain_.rules.size());
  }
  result.returnCode = *hookReturnCode(chain_.hook, result.verdict);
  result.mark = frame.mark();

  for (size_t i = 0; i < state.counters.size(); ++i) {
    state.counters[i].packets += result.counterDeltas[i].packets;
    state.counters[i].bytes += result.counterDeltas[i].bytes;
  }
  return result;
}

} // namespace bfc::interp
