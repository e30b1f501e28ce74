#include "bfc/Interp/Interpreter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "bfc/IR/Verifier.h"
#include "bfc/Interp/Frame.h"
#include "bfc/Interp/PacketLayout.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::interp {

using ir::fromBigEndian;
using ir::Predicate;
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

/// Copies the requested headers that are present into `event`.
void fillLogHeaders(const Frame &frame, LogEvent &event) {
  if (const packet::SockAddr *sock = frame.sock()) {
    event.sockAddr = true;
    event.l3Proto =
        sock->family == 4 ? wire::kEtherTypeIp4 : wire::kEtherTypeIp6;
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

Expected<Result> Interpreter::run(const packet::Input &input,
                                  InterpreterState &state) const {
  if (std::vector<std::string> problems = checkChain(); !problems.empty())
    return Error{problems.front()};
  if (std::optional<std::string> problem = checkInput(input))
    return Error{*problem};
  if (state.counters.size() != chain_.rules.size() + 2)
    return Error{"interpreter state made for another chain"};

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
        !rule.neverMatches &&
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
  result.returnCode = *ir::hookReturnCode(chain_.hook, result.verdict);
  result.mark = frame.mark();

  for (size_t i = 0; i < state.counters.size(); ++i) {
    state.counters[i].packets += result.counterDeltas[i].packets;
    state.counters[i].bytes += result.counterDeltas[i].bytes;
  }
  return result;
}

} // namespace bfc::interp
