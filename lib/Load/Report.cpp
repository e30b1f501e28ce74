#include "bfc/Load/Report.h"

#include <cstring>
#include <ctime>
#include <sstream>

#include <fmt/format.h>

#include "bfc/IR/Names.h"
#include "bfc/Load/Error.h"
#include "bfc/Object/SetElements.h"
#include "bfc/Support/ByteOrder.h"
#include "bfc/Support/ProtocolFacts.h"
#include "bfc/Support/Text.h"

namespace bfc::load {

using nlohmann::json;

namespace {

std::string verdictText(uint8_t verdict) {
  switch (verdict) {
  case BFC_VERDICT_ACCEPT:
    return "ACCEPT";
  case BFC_VERDICT_DROP:
    return "DROP";
  case BFC_VERDICT_CONTINUE:
    return "CONTINUE";
  case BFC_VERDICT_NEXT:
    return "NEXT";
  case BFC_VERDICT_REDIRECT:
    return "REDIRECT";
  }
  return fmt::format("verdict {}", verdict);
}

std::string trim(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos)
    return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

std::string protoText(uint8_t proto) {
  if (auto name = ir::ipProtoName(proto))
    return std::string(*name);
  return std::to_string(proto);
}

json countersJson(const CounterValue &value) {
  return {{"packets", value.packets}, {"bytes", value.bytes}};
}

CounterValue counterAt(const ChainState &state, uint32_t index) {
  return index < state.counters.size() ? state.counters[index] : CounterValue{};
}

/// Decoded headers of a packet event, as (label, text) lines, and JSON.
struct DecodedHeaders {
  std::vector<std::pair<std::string, std::string>> lines;
  json object = json::object();
};

DecodedHeaders decodeHeaders(const bfc_log_event &event) {
  DecodedHeaders out;
  uint8_t l2Len = std::min<uint8_t>(event.l2_len, BFC_LOG_MAX_L2);
  uint8_t l3Len = std::min<uint8_t>(event.l3_len, BFC_LOG_MAX_L3);
  uint8_t l4Len = std::min<uint8_t>(event.l4_len, BFC_LOG_MAX_L4);
  if (l2Len >= wire::kEthernetHeaderSize) {
    const uint8_t *eth = event.l2;
    uint16_t type = loadBe16(eth + 12);
    std::string typeText = ir::etherTypeName(type)
                               ? std::string(*ir::etherTypeName(type))
                               : fmt::format("0x{:04x}", type);
    out.lines.push_back(
        {"Ethernet", fmt::format("{} -> {}, type {}", ir::formatMac(eth + 6),
                                 ir::formatMac(eth), typeText)});
    out.object["ethernet"] = {{"src", ir::formatMac(eth + 6)},
                              {"dst", ir::formatMac(eth)},
                              {"type", type}};
  }
  if (event.l3_proto == wire::kEtherTypeIp4 &&
      l3Len >= wire::kIp4MinHeaderSize) {
    const uint8_t *ip = event.l3;
    out.lines.push_back(
        {"IPv4", fmt::format("{} -> {}, proto {}, ttl {}, length {}",
                             ir::formatIp4(ip + 12), ir::formatIp4(ip + 16),
                             protoText(ip[9]), ip[8], loadBe16(ip + 2))});
    out.object["ipv4"] = {{"src", ir::formatIp4(ip + 12)},
                          {"dst", ir::formatIp4(ip + 16)},
                          {"proto", ip[9]},
                          {"ttl", ip[8]},
                          {"length", loadBe16(ip + 2)}};
  } else if (event.l3_proto == wire::kEtherTypeIp6 &&
             l3Len >= wire::kIp6HeaderSize) {
    const uint8_t *ip = event.l3;
    out.lines.push_back(
        {"IPv6",
         fmt::format("{} -> {}, next header {}, hop limit {}, payload {}",
                     ir::formatIp6(ip + 8), ir::formatIp6(ip + 24),
                     protoText(ip[6]), ip[7], loadBe16(ip + 4))});
    out.object["ipv6"] = {{"src", ir::formatIp6(ip + 8)},
                          {"dst", ir::formatIp6(ip + 24)},
                          {"next_header", ip[6]},
                          {"hop_limit", ip[7]},
                          {"payload_length", loadBe16(ip + 4)}};
  }
  const uint8_t *l4 = event.l4;
  switch (event.l4_proto) {
  case wire::kIpProtoTcp:
    if (l4Len >= 20) {
      out.lines.push_back(
          {"TCP",
           fmt::format("{} -> {} [{}] seq={} ack={} win={}", loadBe16(l4),
                       loadBe16(l4 + 2), ir::tcpFlagsToString(l4[13], ','),
                       loadBe32(l4 + 4), loadBe32(l4 + 8), loadBe16(l4 + 14))});
      out.object["tcp"] = {
          {"sport", loadBe16(l4)},   {"dport", loadBe16(l4 + 2)},
          {"flags", l4[13]},         {"seq", loadBe32(l4 + 4)},
          {"ack", loadBe32(l4 + 8)}, {"window", loadBe16(l4 + 14)}};
    }
    break;
  case wire::kIpProtoUdp:
    if (l4Len >= 8) {
      out.lines.push_back(
          {"UDP", fmt::format("{} -> {}, length {}", loadBe16(l4),
                              loadBe16(l4 + 2), loadBe16(l4 + 4))});
      out.object["udp"] = {{"sport", loadBe16(l4)},
                           {"dport", loadBe16(l4 + 2)},
                           {"length", loadBe16(l4 + 4)}};
    }
    break;
  case wire::kIpProtoIcmp:
  case wire::kIpProtoIcmpv6:
    if (l4Len >= 4) {
      bool v6 = event.l4_proto == wire::kIpProtoIcmpv6;
      auto name = v6 ? ir::icmpv6TypeName(l4[0]) : ir::icmpTypeName(l4[0]);
      out.lines.push_back(
          {v6 ? "ICMPv6" : "ICMP",
           fmt::format("type {}{}, code {}", l4[0],
                       name ? fmt::format(" ({})", *name) : "", l4[1])});
      out.object[v6 ? "icmpv6" : "icmp"] = {{"type", l4[0]}, {"code", l4[1]}};
    }
    break;
  default:
    break;
  }
  return out;
}

/// The process name of a sock_addr event: any process picks its own, so it
/// is escaped before it reaches a terminal or a JSON document.
std::string processName(const bfc_log_event &event) {
  return escapeForDisplay(
      std::string_view(event.comm, strnlen(event.comm, sizeof(event.comm))));
}

std::string sockAddrText(const ChainRecord &record,
                         const bfc_log_event &event) {
  ir::Hook hook = record.chain().hook;
  bool v6 = ir::sockAddrFamily(hook) == 6;
  std::string address = v6 ? fmt::format("[{}]", ir::formatIp6(event.daddr))
                           : ir::formatIp4(event.daddr);
  return fmt::format("pid {} ({}) {} to {}:{}, proto {}", event.pid,
                     processName(event),
                     ir::sockAddrIsConnect(hook) ? "connect" : "sendmsg",
                     address, event.dport, protoText(event.l4_proto));
}

std::string ruleText(const ChainRecord &record, uint32_t rule) {
  const auto &rules = record.chain().rules;
  if (rule >= rules.size())
    return "(unknown rule)";
  // One line: the source text may span several.
  std::string text;
  std::istringstream in(rules[rule].text);
  for (std::string line; std::getline(in, line);) {
    std::string t = trim(line);
    if (t.empty())
      continue;
    if (!text.empty())
      text += ' ';
    text += t;
  }
  // The text comes from the object, which bfload does not trust.
  return escapeForDisplay(text);
}

std::string clockText(uint64_t realtimeNs) {
  std::time_t seconds = static_cast<std::time_t>(realtimeNs / 1000000000);
  std::tm tm;
  localtime_r(&seconds, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof(buffer), "%H:%M:%S", &tm);
  return fmt::format("{}.{:06}", buffer, (realtimeNs / 1000) % 1000000);
}

} // namespace

std::string formatHook(const ChainState &state) {
  std::string hook(ir::hookName(state.record.chain().hook));
  if (!state.record.attach)
    return hook;
  return fmt::format("{}{{{}}}", hook,
                     object::formatHookOptions(state.record.attach->options()));
}

void printChain(std::ostream &out, const ChainState &state, bool setContent) {
  const object::ChainInfo &chain = state.record.chain();
  out << fmt::format("chain {} {} {}\n", state.name, formatHook(state),
                     ir::verdictName(chain.policy));
  if (state.severed)
    out << fmt::format("    attached: severed ({}); 'chain set' attaches it "
                       "again\n",
                       escapeForDisplay(*state.severed));
  CounterValue policy = counterAt(state, chain.counters.policy);
  CounterValue errors = counterAt(state, chain.counters.errors);
  out << fmt::format("    counters policy {} packets {} bytes; error {} "
                     "packets {} bytes\n",
                     policy.packets, policy.bytes, errors.packets,
                     errors.bytes);
  for (const SetState &set : state.sets) {
    std::string key = object::formatSetKey(set.set);
    if (!setContent) {
      out << fmt::format("    set {} {} in {{ /* {} elements, content elided "
                         "*/ }}\n",
                         set.set.name, key, set.elements.size());
      continue;
    }
    if (set.elements.empty()) {
      out << fmt::format("    set {} {} in {{ }}\n",
                         escapeForDisplay(set.set.name), key);
      continue;
    }
    out << fmt::format("    set {} {} in {{\n", escapeForDisplay(set.set.name),
                       key);
    for (const object::SetElement &element : set.elements)
      out << "        " << object::formatSetElement(set.set, element) << "\n";
    out << "    }\n";
  }
  for (const object::RuleInfo &rule : chain.rules) {
    std::istringstream in(rule.text);
    bool first = true;
    for (std::string line; std::getline(in, line);) {
      std::string text = trim(line);
      if (text.empty())
        continue;
      out << (first ? "    " : "        ") << escapeForDisplay(text) << "\n";
      first = false;
    }
    if (rule.counter) {
      CounterValue value = counterAt(state, rule.index);
      out << fmt::format("        counters {} packets {} bytes\n",
                         value.packets, value.bytes);
    }
  }
}

json chainToJson(const ChainState &state, bool setContent) {
  const ChainRecord &record = state.record;
  const object::ChainInfo &chain = record.chain();
  json j;
  j["name"] = state.name;
  j["hook"] = ir::hookName(chain.hook);
  j["policy"] = ir::verdictName(chain.policy);
  j["attached"] = state.attached();
  j["severed"] = state.severed ? json(*state.severed) : json(nullptr);
  json options = json::object();
  if (record.attach) {
    object::HookOptionsInfo info = record.attach->options();
    if (info.ifindex)
      options["ifindex"] = *info.ifindex;
    if (info.cgpath)
      options["cgpath"] = *info.cgpath;
    if (info.priorities)
      options["priorities"] = {info.priorities->first, info.priorities->second};
    if (record.attach->activePriority)
      j["active_priority"] = *record.attach->activePriority;
  }
  j["options"] = options;
  j["program_id"] = state.progId;
  j["links"] = json::array();
  for (const LinkState &link : state.links)
    j["links"].push_back({{"pin", link.pin},
                          {"id", link.info.id},
                          {"program_id", link.info.progId}});
  j["object"] = record.objectName;
  j["source"] = {{"name", record.metadata.source.name},
                 {"sha256", record.metadata.source.sha256}};
  j["bfc_version"] = record.metadata.bfcVersion;
  j["loaded_at"] = record.loadedAt;
  j["host_slots"] = json::array();
  for (size_t i = 0; i < record.metadata.hostSlots.size(); ++i)
    j["host_slots"].push_back(
        {{"name", record.metadata.hostSlots[i].name},
         {"ifindex",
          i < record.hostSlotValues.size() ? record.hostSlotValues[i] : 0}});
  j["counters"] = {
      {"policy", countersJson(counterAt(state, chain.counters.policy))},
      {"errors", countersJson(counterAt(state, chain.counters.errors))}};
  j["rules"] = json::array();
  for (const object::RuleInfo &rule : chain.rules) {
    json r = {{"index", rule.index},
              {"text", rule.text},
              {"verdict", ir::verdictName(rule.verdict)},
              {"counter", rule.counter}};
    if (rule.counter) {
      CounterValue value = counterAt(state, rule.index);
      r["packets"] = value.packets;
      r["bytes"] = value.bytes;
    }
    j["rules"].push_back(std::move(r));
  }
  j["sets"] = json::array();
  for (const SetState &set : state.sets) {
    json key = json::array();
    for (ir::FieldId field : set.set.key)
      key.push_back(ir::fieldInfo(field).name);
    json s = {{"name", set.set.name},
              {"key", key},
              {"lpm", set.set.lpm},
              {"max_entries", set.set.maxEntries},
              {"size", set.elements.size()}};
    if (setContent) {
      s["elements"] = json::array();
      for (const object::SetElement &element : set.elements)
        s["elements"].push_back(object::formatSetElement(set.set, element));
    }
    j["sets"].push_back(std::move(s));
  }
  return j;
}

TimeBase::TimeBase() {
  timespec mono, real;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &real);
  offsetNs_ = (int64_t(real.tv_sec) - mono.tv_sec) * 1000000000 +
              (int64_t(real.tv_nsec) - mono.tv_nsec);
}

uint64_t TimeBase::toRealtimeNs(uint64_t monotonicNs) const {
  return static_cast<uint64_t>(static_cast<int64_t>(monotonicNs) + offsetNs_);
}

bfc_log_event decodeLogEvent(const void *data, size_t size) {
  if (size < sizeof(bfc_log_event))
    throw LoadError(fmt::format("log event of {} bytes, expected {}", size,
                                sizeof(bfc_log_event)));
  bfc_log_event event;
  std::memcpy(&event, data, sizeof(event));
  return event;
}

std::string formatLogEvent(const ChainRecord &record,
                           const bfc_log_event &event, const TimeBase &time) {
  std::string out = fmt::format(
      "[{}] rule {} {}", clockText(time.toRealtimeNs(event.timestamp_ns)),
      event.rule, verdictText(event.verdict));
  if (event.kind == BFC_LOG_PACKET)
    out += fmt::format(", {} bytes", event.pkt_len);
  out += fmt::format(": {}\n", ruleText(record, event.rule));
  if (event.kind == BFC_LOG_SOCK_ADDR) {
    out += fmt::format("  {:<9}: {}\n", "Socket", sockAddrText(record, event));
    return out;
  }
  for (const auto &[label, text] : decodeHeaders(event).lines)
    out += fmt::format("  {:<9}: {}\n", label, text);
  return out;
}

json logEventToJson(const ChainRecord &record, const bfc_log_event &event,
                    const TimeBase &time) {
  json j = {{"timestamp_ns", time.toRealtimeNs(event.timestamp_ns)},
            {"rule", event.rule},
            {"rule_text", ruleText(record, event.rule)},
            {"verdict", verdictText(event.verdict)}};
  if (event.kind == BFC_LOG_SOCK_ADDR) {
    ir::Hook hook = record.chain().hook;
    bool v6 = ir::sockAddrFamily(hook) == 6;
    j["kind"] = "sock_addr";
    j["pid"] = event.pid;
    j["comm"] = processName(event);
    j["daddr"] = v6 ? ir::formatIp6(event.daddr) : ir::formatIp4(event.daddr);
    j["dport"] = event.dport;
    j["l4_proto"] = event.l4_proto;
    return j;
  }
  j["kind"] = "packet";
  j["length"] = event.pkt_len;
  j["headers"] = decodeHeaders(event).object;
  return j;
}

std::string jsonText(const json &value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

} // namespace bfc::load
