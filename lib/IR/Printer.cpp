#include "bfc/IR/Printer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <sstream>

#include "bfc/IR/Names.h"

namespace bfc::ir {

namespace {

std::string formatComponent(FieldId field, const uint8_t *bytes) {
  const FieldInfo &info = fieldInfo(field);
  uint64_t value = fromBigEndian(bytes, info.width);
  switch (field) {
  case FieldId::MetaMark:
  case FieldId::MetaFlowHash:
    return fmt::format("{:#x}", value);
  case FieldId::MetaL3Proto:
    if (auto name = etherTypeName(static_cast<uint16_t>(value)))
      return std::string(*name);
    return fmt::format("{:#06x}", value);
  case FieldId::MetaL4Proto:
  case FieldId::Ip4Proto:
  case FieldId::Ip6Nexthdr:
    return nameOrNumber(ipProtoName(static_cast<uint8_t>(value)), value);
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
    return formatIp4(bytes);
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    return formatIp6(bytes);
  case FieldId::Ip4Dscp:
  case FieldId::Ip6Dscp:
    return nameOrNumber(dscpName(static_cast<uint8_t>(value)), value);
  case FieldId::TcpFlags:
    return tcpFlagsToString(static_cast<uint8_t>(value), '|');
  case FieldId::IcmpType:
    return nameOrNumber(icmpTypeName(static_cast<uint8_t>(value)), value);
  case FieldId::Icmpv6Type:
    return nameOrNumber(icmpv6TypeName(static_cast<uint8_t>(value)), value);
  default:
    return std::to_string(value);
  }
}

// Chain and set names print bare when they are plain identifiers.
std::string formatName(std::string_view name) {
  bool plain = !name.empty();
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.')
      plain = false;
  return plain ? std::string(name) : quoteString(name);
}

std::string formatSlot(uint32_t slot, const Module &module) {
  if (slot < module.hostSlots.size())
    return fmt::format("slot {} {}", slot,
                       quoteString(module.hostSlots[slot].name));
  return fmt::format("slot {} <missing>", slot);
}

std::string formatHookOptions(const Chain &chain) {
  if (!chain.hasOptions)
    return "";
  std::vector<std::string> parts;
  const HookOptions &opts = chain.options;
  if (opts.ifindex)
    parts.push_back(fmt::format("ifindex={}", *opts.ifindex));
  if (opts.cgpath)
    parts.push_back("cgpath=" + quoteString(*opts.cgpath));
  if (opts.priorities)
    parts.push_back(fmt::format("priorities={}-{}", opts.priorities->first,
                                opts.priorities->second));
  if (opts.familyGiven)
    parts.push_back("family");
  return fmt::format(" {{{}}}", fmt::join(parts, ","));
}

std::string formatLogHeaders(uint8_t headers) {
  std::vector<std::string_view> names;
  for (const NamedValue<uint8_t> &header : logHeaderNames())
    if (headers & header.value)
      names.push_back(header.name);
  if (names.empty())
    return "none";
  return fmt::format("{}", fmt::join(names, ","));
}

void printRule(const Rule &rule, const Chain &chain, const Module &module,
               std::ostream &os) {
  os << "  rule " << rule.index;
  if (rule.range.isValid())
    os << " @" << rule.range.begin.line << ":" << rule.range.begin.column;
  if (!rule.text.empty())
    os << " " << quoteString(rule.text);
  os << "\n";
  if (rule.neverMatches)
    os << "    never\n";
  for (const Predicate &pred : rule.predicates)
    os << "    " << formatPredicate(pred, chain, module) << "\n";
  if (rule.counter)
    os << "    counter\n";
  if (rule.log.enabled) {
    os << "    log " << formatLogHeaders(rule.log.headers);
    if (rule.log.rateNs != 0)
      os << " every " << rule.log.rateNs << "ns";
    os << "\n";
  }
  if (rule.mark)
    os << fmt::format("    mark {:#x}\n", *rule.mark);
  os << "    verdict " << verdictName(rule.verdict);
  if (rule.verdict == Verdict::Redirect) {
    if (rule.redirectSlot)
      os << " " << formatSlot(*rule.redirectSlot, module);
    else
      os << " ifindex " << rule.redirectIfindex;
    os << (rule.redirectDir == RedirectDir::In ? " in" : " out");
  }
  os << "\n";
}

void printSet(uint32_t index, const Set &set, std::ostream &os) {
  std::vector<std::string_view> keyNames;
  for (FieldId field : set.key)
    keyNames.push_back(fieldInfo(field).name);
  os << fmt::format("  set {} {}{} ({}) {}\n", index, formatName(set.name),
                    set.anonymous ? " anonymous" : "",
                    fmt::join(keyNames, ", "), set.lpm ? "lpm" : "exact");
  for (const SetElement &element : set.elements)
    os << "    " << formatSetElement(set, element) << "\n";
}

} // namespace

std::string quoteString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (u < 0x20 || u == 0x7f)
        out += fmt::format("\\x{:02x}", u);
      else
        out += c;
    }
  }
  out += '"';
  return out;
}

std::string formatFieldValue(FieldId field, const Bytes &value,
                             std::optional<uint8_t> prefixLen) {
  if (value.size() != fieldInfo(field).width)
    return "bytes:" + formatHex(value.data(), value.size());
  std::string text = formatComponent(field, value.data());
  if (prefixLen)
    text += fmt::format("/{}", *prefixLen);
  return text;
}

std::string formatFieldLocation(FieldId field) {
  const FieldInfo &info = fieldInfo(field);
  if (info.proto == Proto::None)
    return "[meta]";
  std::string loc = fmt::format("[{}+{}:{}", protoName(info.proto), info.offset,
                                info.loadWidth);
  if (info.mask != 0)
    loc += fmt::format("&{:#x}>>{}", info.mask, info.shift);
  return loc + "]";
}

std::string formatPredicate(const Predicate &pred, const Chain &chain,
                            const Module &module) {
  std::string_view notText = pred.negate ? "not " : "";
  switch (pred.kind) {
  case Predicate::Kind::Field: {
    std::string head = fmt::format("{} {} {}{}", fieldInfo(pred.field).name,
                                   formatFieldLocation(pred.field), notText,
                                   cmpOpName(pred.op));
    if (pred.op == CmpOp::Range)
      return fmt::format("{} {}-{}", head,
                         formatFieldValue(pred.field, pred.value),
                         formatFieldValue(pred.field, pred.high));
    return fmt::format(
        "{} {}", head,
        formatFieldValue(pred.field, pred.value, pred.prefixLen));
  }
  case Predicate::Kind::Iface:
    if (pred.hostSlot)
      return fmt::format("meta.iface {}eq {}", notText,
                         formatSlot(*pred.hostSlot, module));
    return fmt::format("meta.iface {}eq ifindex {}", notText, pred.ifindex);
  case Predicate::Kind::Probability:
    return fmt::format("{} {}eq {}%",
                       pred.perFlow ? "meta.flow_probability"
                                    : "meta.probability",
                       notText, pred.percent);
  case Predicate::Kind::Ip6HeaderChain: {
    return fmt::format("ip6.chain [ip6] {}eq {}", notText,
                       nameOrNumber(ipProtoName(pred.protocol), pred.protocol));
  }
  case Predicate::Kind::Set: {
    if (pred.set >= chain.sets.size())
      return fmt::format("(?) {}in set {} <missing>", notText, pred.set);
    const Set &set = chain.sets[pred.set];
    std::vector<std::string_view> keyNames;
    for (FieldId field : set.key)
      keyNames.push_back(fieldInfo(field).name);
    return fmt::format("({}) {}in set {} {}", fmt::join(keyNames, ", "),
                       notText, pred.set, formatName(set.name));
  }
  }
  return "?";
}

std::string formatSetElement(const Set &set, const SetElement &element) {
  if (element.key.size() != set.keySize())
    return "bytes:" + formatHex(element.key.data(), element.key.size());
  if (set.lpm && set.key.size() == 1)
    return fmt::format("{}/{}", formatComponent(set.key[0], element.key.data()),
                       element.prefixLen);
  std::vector<std::string> parts;
  size_t offset = 0;
  for (FieldId field : set.key) {
    parts.push_back(formatComponent(field, element.key.data() + offset));
    offset += fieldInfo(field).width;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

void printModule(const Module &module, std::ostream &os) {
  os << "bfir module " << quoteString(module.sourceName) << "\n";
  for (uint32_t i = 0; i < module.hostSlots.size(); ++i)
    os << "host_slot " << i << " iface "
       << quoteString(module.hostSlots[i].name) << "\n";
  for (const Chain &chain : module.chains) {
    os << "\nchain " << formatName(chain.name) << " " << hookName(chain.hook)
       << formatHookOptions(chain) << " policy " << verdictName(chain.policy)
       << "\n";
    for (uint32_t i = 0; i < chain.sets.size(); ++i)
      printSet(i, chain.sets[i], os);
    for (const Rule &rule : chain.rules)
      printRule(rule, chain, module, os);
  }
}

std::string toString(const Module &module) {
  std::ostringstream os;
  printModule(module, os);
  return os.str();
}

} // namespace bfc::ir
