// The report of a diff: class descriptions, text lines and JSON.

#include <array>
#include <ostream>
#include <span>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "DiffInternal.h"
#include "bfc/IR/Names.h"

namespace bfc::diff {

namespace {

using ir::FieldId;

/// Pieces of a set past which the text says "and N more" (JSON has all).
constexpr size_t kMaxPiecesShown = 8;

std::string percent(Value value) {
  return fmt::format("{:.6g}%",
                     static_cast<double>(value) / 4294967296.0 * 100.0);
}

class ValueFormatter {
public:
  ValueFormatter(unsigned dim, const ModuleDiff &diff)
      : dim_(dim), diff_(diff) {}

  /// The pieces of `set`: CIDR prefixes for addresses, ranges otherwise.
  std::vector<std::string> pieces(const IntervalSet &set) const {
    if (fieldOrNone() == FieldId::TcpFlags && dim_ < ir::kNumFields)
      return flagCubes(set);
    std::vector<std::string> out;
    for (const Interval &i : set.intervals()) {
      // Interface names are points; a few neighbours print one by one.
      if (fieldOrNone() == FieldId::MetaIfindex && i.hi - i.lo < 8) {
        for (Value v = i.lo; v <= i.hi; ++v)
          out.push_back(one(v));
        continue;
      }
      if (isAddress()) {
        addPrefixes(i, out);
      } else if (dim_ == kDimRandom || dim_ == kDimFlowHash) {
        out.push_back(fmt::format("{}-{}", percent(i.lo), percent(i.hi + 1)));
      } else if (i.lo == i.hi) {
        out.push_back(one(i.lo));
      } else {
        out.push_back(fmt::format("{}-{}", one(i.lo), one(i.hi)));
      }
    }
    return out;
  }

  std::string one(Value v) const {
    uint64_t n = static_cast<uint64_t>(v);
    switch (fieldOrNone()) {
    case FieldId::Ip4Proto:
    case FieldId::Ip6Nexthdr:
    case FieldId::MetaL4Proto:
      return ir::nameOrNumber(ir::ipProtoName(static_cast<uint8_t>(n)), n);
    case FieldId::MetaL3Proto:
      if (auto name = ir::etherTypeName(static_cast<uint16_t>(n)))
        return std::string(*name);
      return fmt::format("{:#06x}", n);
    case FieldId::TcpFlags:
      return ir::tcpFlagsToString(static_cast<uint8_t>(n), '|');
    case FieldId::IcmpType:
      return ir::nameOrNumber(ir::icmpTypeName(static_cast<uint8_t>(n)), n);
    case FieldId::Icmpv6Type:
      return ir::nameOrNumber(ir::icmpv6TypeName(static_cast<uint8_t>(n)), n);
    case FieldId::MetaMark:
    case FieldId::MetaFlowHash:
      return fmt::format("{:#x}", n);
    case FieldId::MetaIfindex:
      for (const auto &[name, index] : diff_.ifaces)
        if (index == n)
          return name;
      return std::to_string(n);
    default:
      return std::to_string(n);
    }
  }

  /// The smallest prefix (addresses) or range holding every value; flags
  /// have none.
  IntervalSet hull(const IntervalSet &set) const {
    Value lo = set.first(), hi = set.intervals().back().hi;
    if (fieldOrNone() == FieldId::TcpFlags)
      return IntervalSet::all(dimBits(dim_));
    if (!isAddress())
      return IntervalSet::range(lo, hi);
    unsigned bits = dimBits(dim_), common = 0;
    while (common < bits && ((lo ^ hi) >> (bits - 1 - common) & 1) == 0)
      ++common;
    return IntervalSet::prefix(lo, common, bits);
  }

private:
  FieldId fieldOrNone() const {
    return dim_ < ir::kNumFields ? static_cast<FieldId>(dim_)
                                 : FieldId::MetaFlowHash;
  }
  bool isAddress() const {
    switch (fieldOrNone()) {
    case FieldId::Ip4Saddr:
    case FieldId::Ip4Daddr:
    case FieldId::Ip6Saddr:
    case FieldId::Ip6Daddr:
      return dim_ < ir::kNumFields;
    default:
      return false;
    }
  }
  /// Flag sets as few "these flags set, those clear" patterns as a greedy
  /// cover finds: "syn&!ack" is every value with syn set and ack clear.
  static std::vector<std::string> flagCubes(const IntervalSet &set) {
    std::array<bool, 256> in{}, covered{};
    for (const Interval &i : set.intervals())
      for (Value v = i.lo; v <= i.hi; ++v)
        in[static_cast<size_t>(v)] = true;
    auto members = [](unsigned mask, unsigned bits, auto &&visit) {
      for (unsigned v = 0; v < 256; ++v)
        if ((v & mask) == bits)
          visit(v);
    };
    std::vector<std::string> out;
    for (;;) {
      unsigned bestMask = 0, bestBits = 0, bestGain = 0;
      for (unsigned mask = 0; mask < 256; ++mask)
        for (unsigned bits = mask;; bits = (bits - 1) & mask) {
          bool inside = true;
          unsigned gain = 0;
          members(mask, bits, [&](unsigned v) {
            inside = inside && in[v];
            gain += !covered[v];
          });
          if (inside && gain > bestGain)
            bestMask = mask, bestBits = bits, bestGain = gain;
          if (bits == 0)
            break;
        }
      if (bestGain == 0)
        return out;
      members(bestMask, bestBits, [&](unsigned v) { covered[v] = true; });
      std::vector<std::string> terms;
      std::span<const ir::NamedValue<uint8_t>> names = ir::tcpFlagNames();
      for (unsigned bit = 0; bit < names.size(); ++bit) {
        uint8_t flag = names[bit].value;
        if (bestMask & flag)
          terms.push_back(std::string(bestBits & flag ? "" : "!") +
                          std::string(names[bit].name));
      }
      out.push_back(fmt::format("{}", fmt::join(terms, "&")));
    }
  }

  std::string address(Value v) const {
    unsigned bytes = dimBits(dim_) / 8;
    uint8_t raw[16];
    for (unsigned i = 0; i < bytes; ++i)
      raw[bytes - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
    return bytes == 4 ? ir::formatIp4(raw) : ir::formatIp6(raw);
  }
  /// The shortest list of prefixes covering [lo, hi].
  void addPrefixes(Interval i, std::vector<std::string> &out) const {
    unsigned bits = dimBits(dim_);
    for (;;) {
      unsigned host = 0;
      // The largest aligned block starting at lo that fits in [lo, hi].
      while (host < bits) {
        // A block of 2^128 addresses is the whole IPv6 space: no shift by
        // the type's width.
        Value mask = host + 1 >= 128 ? ~Value(0) : (Value(1) << (host + 1)) - 1;
        if ((i.lo & mask) != 0 || i.lo + mask > i.hi || i.lo + mask < i.lo)
          break;
        ++host;
      }
      out.push_back(host == 0
                        ? address(i.lo)
                        : fmt::format("{}/{}", address(i.lo), bits - host));
      Value last = host >= 128 ? ~Value(0) : i.lo + ((Value(1) << host) - 1);
      if (last >= i.hi)
        return;
      i.lo = last + 1;
    }
  }

  unsigned dim_;
  const ModuleDiff &diff_;
};

std::string joinPieces(const std::vector<std::string> &pieces) {
  if (pieces.size() == 1)
    return pieces[0];
  if (pieces.empty())
    return "in {}";
  std::vector<std::string> shown(
      pieces.begin(), pieces.begin() + static_cast<long>(std::min(
                                           pieces.size(), kMaxPiecesShown)));
  if (pieces.size() > kMaxPiecesShown)
    shown.push_back(
        fmt::format("and {} more", pieces.size() - kMaxPiecesShown));
  return fmt::format("in {{{}}}", fmt::join(shown, ", "));
}

/// The shortest of: the values; `not` the others; the smallest prefix (or
/// range) holding them `except` the others in it.
std::string describeValues(const ValueFormatter &format,
                           const IntervalSet &values,
                           const IntervalSet &domain) {
  std::vector<std::string> in = format.pieces(values);
  std::vector<std::string> notIn = format.pieces(domain.minus(values));
  IntervalSet hull = format.hull(values);
  std::vector<std::string> hullPieces = format.pieces(hull);
  std::vector<std::string> except = format.pieces(hull.minus(values));
  size_t hullCost = hullPieces.size() + except.size();
  if (hullPieces.size() == 1 && hull != domain && hullCost < in.size() &&
      hullCost < notIn.size() + 1)
    return joinPieces(hullPieces) + " except " + joinPieces(except);
  if (notIn.size() < in.size())
    return "not " + joinPieces(notIn);
  return joinPieces(in);
}

std::string dimName(unsigned dim) {
  if (dim == kDimRandom)
    return "probability draw";
  if (dim == kDimFlowHash)
    return "flow probability hash";
  return std::string(ir::fieldInfo(static_cast<FieldId>(dim)).name);
}

std::string location(const SourceBuffer &buffer, const SourceRange &range) {
  return fmt::format("{}:{}", buffer.name(), range.begin.line);
}

std::string fateText(const Fate &fate) {
  std::string text(ir::verdictName(fate.verdict));
  if (!fate.redirect.empty())
    text += " " + fate.redirect;
  if (fate.mark)
    text += fmt::format(", mark {:#x}", *fate.mark);
  return text;
}

std::string decider(const Fate &fate, const ir::Chain &chain,
                    const SourceBuffer &buffer) {
  if (!fate.rule)
    return "policy";
  return fmt::format("rule {} at {}", *fate.rule,
                     location(buffer, chain.rules[*fate.rule].range));
}

nlohmann::json fateJson(const Fate &fate, const ir::Chain &chain,
                        const SourceBuffer &buffer) {
  nlohmann::json j;
  j["verdict"] = std::string(ir::verdictName(fate.verdict));
  if (fate.rule) {
    j["rule"] = *fate.rule;
    j["location"] = location(buffer, chain.rules[*fate.rule].range);
    j["text"] = chain.rules[*fate.rule].text;
  } else {
    j["rule"] = nullptr;
  }
  if (fate.mark)
    j["mark"] = *fate.mark;
  if (!fate.redirect.empty())
    j["redirect"] = fate.redirect;
  return j;
}

std::string statusName(ChainDiff::Status status) {
  switch (status) {
  case ChainDiff::Status::Unchanged:
    return "unchanged";
  case ChainDiff::Status::Changed:
    return "changed";
  case ChainDiff::Status::Added:
    return "added";
  case ChainDiff::Status::Removed:
    return "removed";
  case ChainDiff::Status::HookChanged:
    return "hook-changed";
  }
  return "unchanged";
}

} // namespace

std::vector<ClassPredicate> describeClass(const ChangedClass &cls,
                                          const ModuleDiff &diff) {
  std::vector<ClassPredicate> out;
  for (unsigned dim = 0; dim < kNumDims; ++dim) {
    const std::optional<IntervalSet> &domain = cls.shape->domain[dim];
    if (!domain || cls.values[dim] == *domain)
      continue;
    out.push_back({dimName(dim), describeValues(ValueFormatter(dim, diff),
                                                cls.values[dim], *domain)});
  }
  return out;
}

void printDiff(const ModuleDiff &diff, const DiffSources &sources,
               std::ostream &os) {
  for (const ChainDiff &chain : diff.chains) {
    switch (chain.status) {
    case ChainDiff::Status::Unchanged:
      continue;
    case ChainDiff::Status::Added:
      os << fmt::format("chain {}: added ({}, policy {})\n", chain.name,
                        ir::hookName(chain.after->hook),
                        ir::verdictName(chain.after->policy));
      continue;
    case ChainDiff::Status::Removed:
      os << fmt::format("chain {}: removed\n", chain.name);
      continue;
    case ChainDiff::Status::HookChanged:
      os << fmt::format("chain {}: hook {} -> {}\n", chain.name,
                        ir::hookName(chain.before->hook),
                        ir::hookName(chain.after->hook));
      continue;
    case ChainDiff::Status::Changed:
      break;
    }
    for (const ChangedClass &cls : chain.classes) {
      std::vector<std::string> parts{cls.shape->describe()};
      for (const ClassPredicate &pred : describeClass(cls, diff))
        parts.push_back(pred.field + " " + pred.text);
      os << fmt::format("chain {}: {}: {} -> {} ({} -> {}){}\n", chain.name,
                        fmt::join(parts, ", "), fateText(cls.before),
                        fateText(cls.after),
                        decider(cls.before, *chain.before, sources.before),
                        decider(cls.after, *chain.after, sources.after),
                        cls.dependsOnRandom ? " [depends on random]" : "");
      os << "  witness: " << (cls.witness.empty() ? "none found" : cls.witness)
         << '\n';
    }
  }
}

std::string diffToJson(const ModuleDiff &diff, const DiffSources &sources) {
  nlohmann::json chains = nlohmann::json::array();
  for (const ChainDiff &chain : diff.chains) {
    nlohmann::json j;
    j["name"] = chain.name;
    j["status"] = statusName(chain.status);
    if (chain.before)
      j["hook_before"] = std::string(ir::hookName(chain.before->hook));
    if (chain.after)
      j["hook_after"] = std::string(ir::hookName(chain.after->hook));
    nlohmann::json classes = nlohmann::json::array();
    for (const ChangedClass &cls : chain.classes) {
      nlohmann::json c;
      c["shape"] = cls.shape->describe();
      nlohmann::json preds = nlohmann::json::array();
      for (const ClassPredicate &pred : describeClass(cls, diff))
        preds.push_back({{"field", pred.field}, {"text", pred.text}});
      c["predicates"] = std::move(preds);
      c["before"] = fateJson(cls.before, *chain.before, sources.before);
      c["after"] = fateJson(cls.after, *chain.after, sources.after);
      c["depends_on_random"] = cls.dependsOnRandom;
      c["witness"] = cls.witness.empty() ? nlohmann::json(nullptr)
                                         : nlohmann::json(cls.witness);
      classes.push_back(std::move(c));
    }
    j["classes"] = std::move(classes);
    chains.push_back(std::move(j));
  }
  nlohmann::json ifaces = nlohmann::json::object();
  for (const auto &[name, index] : diff.ifaces)
    ifaces[name] = index;
  nlohmann::json doc{{"changed", diff.changed()},
                     {"chains", std::move(chains)},
                     {"ifindexes", std::move(ifaces)}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

} // namespace bfc::diff
