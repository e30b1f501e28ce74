// The matches and targets of one iptables rule, translated to bfc matchers
// (docs/bfc.md, "bfc import", lists the mapping and its reasons).
#include "RuleArguments.h"

#include "IptablesNames.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <utility>

#include "bfc/Support/ByteOrder.h"

namespace bfc::import {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<unsigned> parseNumber(std::string_view text, unsigned max) {
  unsigned value = 0;
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || value > max ||
      text.empty())
    return std::nullopt;
  return value;
}

Conjunction one(std::string matcher, SourceRange range) {
  Atom atom;
  atom.matcher = std::move(matcher);
  atom.range = range;
  return {atom};
}

Term single(Conjunction conjunction) { return Term{{std::move(conjunction)}}; }
Term always() { return Term{{Conjunction{}}}; }
Term never() { return Term{}; }

struct PortRange {
  unsigned low, high;
};

/// Sorted, merged, so that no port is in two ranges.
std::vector<PortRange> disjoint(std::vector<PortRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](PortRange a, PortRange b) { return a.low < b.low; });
  std::vector<PortRange> out;
  for (PortRange r : ranges) {
    if (!out.empty() && r.low <= out.back().high + 1)
      out.back().high = std::max(out.back().high, r.high);
    else
      out.push_back(r);
  }
  return out;
}

class RuleReader {
public:
  RuleReader(const std::vector<Token> &args, const ImportOptions &options,
             const FilterTable &table, Rule &rule, std::vector<Error> &warnings)
      : args_(args), options_(options), table_(table), rule_(rule),
        warnings_(warnings) {}

  Expected<void> read() {
    while (pos_ < args_.size()) {
      bool negate = false;
      const Token *tok = &args_[pos_++];
      if (tok->text == "!") {
        negate = true;
        Expected<const Token *> negated = next("an option after '!'");
        if (!negated)
          return std::move(negated).error();
        tok = *negated;
      }
      if (Expected<void> applied = option(*tok, negate); !applied)
        return applied;
    }
    if (Expected<void> checked = checkModuleProtocols(); !checked)
      return checked;
    for (const std::string &module : moduleOrder_)
      if (!moduleHasAtom_.count(module))
        rule_.terms.push_back(headerPresent(module));
    return {};
  }

private:
  Expected<const Token *> next(std::string_view what) {
    if (pos_ >= args_.size())
      return malformed(args_.back(), fmt::format("expected {}", what));
    return &args_[pos_++];
  }

  /// `use` applied to the next argument, `what` the function expects.
  template <typename Use>
  Expected<void> withNext(std::string_view what, Use use) {
    Expected<const Token *> arg = next(what);
    if (!arg)
      return std::move(arg).error();
    return use(**arg);
  }

  // The first Error ends the reading of this rule; readRuleArguments
  // returns it.
  static Error unsupported(const Token &tok, std::string message) {
    return Error{.message = std::move(message),
                 .range = tok.range,
                 .kind = ErrorKind::Unsupported};
  }
  static Error malformed(const Token &tok, std::string message) {
    return Error{.message = std::move(message), .range = tok.range};
  }

  bool ip6() const { return options_.family == Family::Ipv6; }

  Expected<void> option(const Token &tok, bool negate) {
    const std::string &o = tok.text;
    if (o == "-s" || o == "--source" || o == "--src")
      return withNext("an address", [&](const Token &arg) {
        return address(arg, negate, "s");
      });
    if (o == "-d" || o == "--destination" || o == "--dst")
      return withNext("an address", [&](const Token &arg) {
        return address(arg, negate, "d");
      });
    if (o == "-p" || o == "--protocol")
      return withNext("a protocol",
                      [&](const Token &arg) { return protocol(arg, negate); });
    if (o == "-i" || o == "--in-interface")
      return withNext("an interface", [&](const Token &arg) {
        return iface(arg, negate, Atom::Iface::In);
      });
    if (o == "-o" || o == "--out-interface")
      return withNext("an interface", [&](const Token &arg) {
        return iface(arg, negate, Atom::Iface::Out);
      });
    if (o == "-f" || o == "--fragment")
      return unsupported(tok, "'-f' (fragments) cannot be expressed in bfc");
    if (o == "-c" || o == "--set-counters") {
      // Counters are the dump's state, not its rules: ignored.
      for (std::string_view what : {"packet count", "byte count"})
        if (Expected<const Token *> count = next(what); !count)
          return std::move(count).error();
      return {};
    }
    if (negate && (o == "-m" || o == "-j" || o == "-g"))
      return malformed(tok, fmt::format("'!' cannot precede '{}'", o));
    if (o == "-m" || o == "--match")
      return withNext("a match name",
                      [&](const Token &arg) { return match(arg); });
    if (o == "-j" || o == "--jump")
      return withNext("a target",
                      [&](const Token &arg) { return target(arg, false); });
    if (o == "-g" || o == "--goto")
      return withNext("a chain",
                      [&](const Token &arg) { return target(arg, true); });
    if (o.rfind("--", 0) == 0)
      return moduleOption(tok, negate);
    return malformed(tok, fmt::format("unknown option '{}'", o));
  }

  Expected<void> address(const Token &tok, bool negate, std::string_view dir) {
    std::string text = tok.text;
    if (text.find(',') != std::string::npos)
      return unsupported(tok,
                         "address lists cannot be imported; write one rule per "
                         "address");
    std::string mask;
    if (size_t slash = text.find('/'); slash != std::string::npos) {
      mask = text.substr(slash + 1);
      text.resize(slash);
    }
    int af = ip6() ? AF_INET6 : AF_INET;
    unsigned bits = ip6() ? 128 : 32;
    std::array<uint8_t, 16> addr{};
    if (inet_pton(af, text.c_str(), addr.data()) != 1)
      return malformed(tok, fmt::format("'{}' is not an {} address", text,
                                        ip6() ? "IPv6" : "IPv4"));
    unsigned prefix = bits;
    if (!mask.empty()) {
      if (auto n = parseNumber(mask, bits)) {
        prefix = *n;
      } else {
        std::array<uint8_t, 16> m{};
        if (inet_pton(af, mask.c_str(), m.data()) != 1)
          return malformed(tok, fmt::format("bad mask '{}'", mask));
        std::span<const uint8_t> maskBytes(m.data(), bits / 8);
        prefix = leadingOnes(maskBytes);
        if (!std::ranges::equal(maskBytes, prefixMask(bits / 8, prefix)))
          return unsupported(tok,
                             fmt::format("non-contiguous mask '{}'", mask));
      }
    }
    if (prefix == 0) { // every address
      rule_.terms.push_back(negate ? never() : always());
      return {};
    }
    keepPrefix(addr, prefix);
    char buffer[INET6_ADDRSTRLEN];
    inet_ntop(af, addr.data(), buffer, sizeof(buffer));
    std::string family = ip6() ? "ip6" : "ip4";
    std::string matcher =
        prefix == bits ? fmt::format("{}.{}addr {}{}", family, dir,
                                     negate ? "not " : "", buffer)
                       : fmt::format("{}.{}net {}{}/{}", family, dir,
                                     negate ? "not " : "", buffer, prefix);
    rule_.terms.push_back(single(one(matcher, tok.range)));
    return {};
  }

  Expected<void> protocol(const Token &tok, bool negate) {
    std::string name = lower(tok.text);
    std::optional<unsigned> number = parseNumber(name, 255);
    for (const NamedNumber &p : kProtocols)
      if (p.name == name)
        number = p.number;
    if (!number)
      return malformed(tok, fmt::format("unknown protocol '{}'", tok.text));
    protocol_ = *number;
    if (*number == 0) { // all
      rule_.terms.push_back(negate ? never() : always());
      return {};
    }
    if (negate)
      protocol_ = 0; // no module options after `! -p tcp`
    std::string shown;
    for (std::string_view known : {"tcp", "udp", "icmp", "icmpv6", "gre"})
      for (const NamedNumber &p : kProtocols)
        if (p.name == known && p.number == *number)
          shown = known;
    if (shown.empty())
      shown = std::to_string(*number);
    rule_.terms.push_back(single(
        one(fmt::format("meta.l4_proto {}{}", negate ? "not " : "", shown),
            tok.range)));
    return {};
  }

  Expected<void> iface(const Token &tok, bool negate, Atom::Iface direction) {
    if (tok.text.empty() || tok.text.size() > 15)
      return malformed(tok, fmt::format("bad interface name '{}'", tok.text));
    if (tok.text.back() == '+')
      return unsupported(tok, fmt::format("interface wildcard '{}' cannot be "
                                          "expressed in bfc (it matches one "
                                          "interface by index)",
                                          tok.text));
    // bfc reads interface names of letters, digits and '-', and a number
    // as an interface index.
    bool digitsOnly =
        std::all_of(tok.text.begin(), tok.text.end(),
                    [](unsigned char c) { return std::isdigit(c); });
    bool bfcName =
        std::all_of(tok.text.begin(), tok.text.end(), [](unsigned char c) {
          return std::isalnum(c) || c == '-';
        });
    if (digitsOnly || !bfcName)
      return unsupported(tok,
                         fmt::format("interface name '{}' cannot be written in "
                                     "bfc (letters, digits and '-', not only "
                                     "digits)",
                                     tok.text));
    Atom atom;
    atom.iface = direction;
    atom.ifaceName = tok.text;
    atom.negate = negate;
    atom.range = tok.range;
    rule_.terms.push_back(single({atom}));
    return {};
  }

  Expected<void> match(const Token &tok) {
    static const std::set<std::string> known = {"tcp",   "udp",    "icmp",
                                                "icmp6", "icmpv6", "multiport",
                                                "mark",  "comment"};
    std::string name = lower(tok.text);
    if (!known.count(name))
      return unsupported(
          tok,
          fmt::format("match '-m {}' cannot be expressed in bfc", tok.text));
    if (name == "icmpv6")
      name = "icmp6";
    module_ = name;
    if (name == "tcp" || name == "udp" || name == "icmp" || name == "icmp6")
      useModule(tok, name);
    return {};
  }

  /// The transport module `name`; -p must select its protocol, before or
  /// after (checked at the end of the rule).
  void useModule(const Token &tok, const std::string &name) {
    if (usedModules_.emplace(name, tok).second)
      moduleOrder_.push_back(name);
  }

  Expected<void> checkModuleProtocols() {
    for (const std::string &name : moduleOrder_) {
      unsigned wanted = name == "tcp"    ? 6
                        : name == "udp"  ? 17
                        : name == "icmp" ? 1
                                         : 58;
      if (protocol_ != wanted)
        return malformed(usedModules_.at(name),
                         fmt::format("'-m {}' needs '-p {}'", name,
                                     name == "icmp6" ? "icmpv6" : name));
    }
    return {};
  }

  /// A matcher true exactly when the module's header is present, for a
  /// module without options (iptables' tcp match is false on non-first
  /// fragments, like bfc's tcp.* matchers).
  Term headerPresent(const std::string &module) {
    SourceRange none;
    if (module == "tcp" || module == "udp")
      return single(one(module + ".sport range 0-65535", none));
    std::string type = module == "icmp" ? "icmp.type" : "icmpv6.type";
    return Term{{one(type + " 0", none), one(type + " not 0", none)}};
  }

  /// The transport module an option such as --dport belongs to: the last
  /// -m, or the one -p loads implicitly.
  Expected<std::string> transportModule(const Token &tok) {
    if (module_ == "tcp" || module_ == "udp" || module_ == "icmp" ||
        module_ == "icmp6")
      return module_;
    std::string implicit = protocol_ == 6    ? "tcp"
                           : protocol_ == 17 ? "udp"
                           : protocol_ == 1  ? "icmp"
                           : protocol_ == 58 ? "icmp6"
                                             : "";
    if (implicit.empty())
      return malformed(
          tok, fmt::format("'{}' needs '-p tcp' or '-p udp'", tok.text));
    useModule(tok, implicit);
    return implicit;
  }

  Expected<void> moduleOption(const Token &tok, bool negate) {
    const std::string &o = tok.text;
    if (module_ == "target")
      return targetOption(tok, negate);
    if (module_ == "multiport")
      return multiport(tok, negate);
    if (module_ == "mark" && o == "--mark")
      return withNext("a mark",
                      [&](const Token &arg) { return mark(arg, negate); });
    if (module_ == "comment" && o == "--comment") {
      return withNext("a comment", [&](const Token &arg) -> Expected<void> {
        rule_.comments.push_back(arg.text);
        return {};
      });
    }
    Expected<std::string> transport = transportModule(tok);
    if (!transport)
      return std::move(transport).error();
    const std::string &module = *transport;
    moduleHasAtom_.insert(module);
    if ((module == "tcp" || module == "udp") &&
        (o == "--sport" || o == "--source-port" || o == "--dport" ||
         o == "--destination-port")) {
      std::string field =
          o == "--sport" || o == "--source-port" ? "sport" : "dport";
      Expected<const Token *> arg = next("a port");
      if (!arg)
        return std::move(arg).error();
      Expected<PortRange> range = portRange(**arg);
      if (!range)
        return std::move(range).error();
      PortRange r = *range;
      std::string op = r.low == r.high
                           ? std::to_string(r.low)
                           : fmt::format("range {}-{}", r.low, r.high);
      rule_.terms.push_back(single(one(
          fmt::format("{}.{} {}{}", module, field, negate ? "not " : "", op),
          tok.range)));
      return {};
    }
    if (module == "tcp" && o == "--tcp-flags") {
      unsigned flags[2] = {};
      std::string_view whats[2] = {"a flag mask", "flags"};
      for (int i = 0; i < 2; ++i) {
        Expected<const Token *> arg = next(whats[i]);
        if (!arg)
          return std::move(arg).error();
        Expected<unsigned> bits = tcpFlags(**arg);
        if (!bits)
          return std::move(bits).error();
        flags[i] = *bits;
      }
      return tcpFlagsTerm(tok, flags[0], flags[1], negate);
    }
    if (module == "tcp" && o == "--syn")
      return tcpFlagsTerm(tok, 0x17, 0x02, negate);
    if (module == "tcp" && o == "--tcp-option")
      return unsupported(tok, "'--tcp-option' cannot be expressed in bfc");
    if ((module == "icmp" && o == "--icmp-type") ||
        (module == "icmp6" && o == "--icmpv6-type"))
      return withNext("an ICMP type", [&](const Token &arg) {
        return icmpType(arg, module, negate);
      });
    return malformed(tok, fmt::format("unknown option '{}'", o));
  }

  Expected<PortRange> portRange(const Token &tok) {
    std::string_view text = tok.text;
    auto port = [&](std::string_view part,
                    unsigned fallback) -> Expected<unsigned> {
      if (part.empty())
        return fallback;
      auto n = parseNumber(part, 65535);
      if (!n)
        return malformed(tok, fmt::format("bad port '{}' (ports are numbers "
                                          "in 0..65535; service names are "
                                          "not imported)",
                                          part));
      return *n;
    };
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
      Expected<unsigned> p = port(text, 0);
      if (!p)
        return std::move(p).error();
      if (text.empty())
        return malformed(tok, "empty port");
      return PortRange{*p, *p};
    }
    Expected<unsigned> low = port(text.substr(0, colon), 0);
    if (!low)
      return std::move(low).error();
    Expected<unsigned> high = port(text.substr(colon + 1), 65535);
    if (!high)
      return std::move(high).error();
    PortRange r{*low, *high};
    if (r.low > r.high)
      return malformed(tok, fmt::format("empty port range '{}'", text));
    return r;
  }

  Expected<unsigned> tcpFlags(const Token &tok) {
    unsigned bits = 0;
    std::string_view text = tok.text;
    while (!text.empty()) {
      size_t comma = text.find(',');
      std::string name(text.substr(0, comma));
      bool found = false;
      for (const NamedNumber &f : kTcpFlags)
        if (lower(f.name) == lower(name)) {
          bits |= f.number;
          found = true;
        }
      if (!found)
        return malformed(tok, fmt::format("unknown TCP flag '{}'", name));
      text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    }
    return bits;
  }

  static std::string flagList(unsigned bits) {
    std::vector<std::string> names;
    for (const NamedNumber &f : kTcpFlags)
      if (f.number && (f.number & (f.number - 1)) == 0 && (bits & f.number))
        names.push_back(lower(f.name));
    return fmt::format("{}", fmt::join(names, ","));
  }

  /// (flags & mask) == compare, as `all compare` and `not any (mask minus
  /// compare)`; its negation as two exclusive alternatives.
  Expected<void> tcpFlagsTerm(const Token &tok, unsigned mask, unsigned compare,
                              bool negate) {
    SourceRange at = tok.range;
    unsigned clear = mask & ~compare;
    std::string set = compare ? "tcp.flags all " + flagList(compare) : "";
    if (compare & ~mask) { // never equal
      rule_.terms.push_back(negate ? headerPresent("tcp") : never());
      return {};
    }
    if (!negate) {
      Conjunction c;
      if (compare)
        c.push_back(one(set, at)[0]);
      if (clear)
        c.push_back(one("tcp.flags not any " + flagList(clear), at)[0]);
      rule_.terms.push_back(c.empty() ? headerPresent("tcp") : single(c));
      return {};
    }
    Term term;
    if (compare)
      term.alternatives.push_back(
          one("tcp.flags not all " + flagList(compare), at));
    if (clear) {
      Conjunction c;
      if (compare)
        c.push_back(one(set, at)[0]);
      c.push_back(one("tcp.flags any " + flagList(clear), at)[0]);
      term.alternatives.push_back(c);
    }
    rule_.terms.push_back(term);
    return {};
  }

  Expected<void> icmpType(const Token &tok, const std::string &module,
                          bool negate) {
    std::string field = module == "icmp" ? "icmp" : "icmpv6";
    std::string text = tok.text;
    int type = -1, code = -1;
    if (text == "any") {
      rule_.terms.push_back(negate ? never() : headerPresent(module));
      return {};
    }
    auto names =
        module == "icmp"
            ? std::vector<IcmpName>(kIcmpNames.begin(), kIcmpNames.end())
            : std::vector<IcmpName>(kIcmpv6Names.begin(), kIcmpv6Names.end());
    for (const IcmpName &n : names)
      if (lower(n.name) == lower(text)) {
        type = static_cast<int>(n.type);
        code = n.code;
      }
    if (type < 0) {
      size_t slash = text.find('/');
      auto t = parseNumber(std::string_view(text).substr(0, slash), 255);
      std::optional<unsigned> c;
      if (slash != std::string::npos)
        c = parseNumber(std::string_view(text).substr(slash + 1), 255);
      if (!t || (slash != std::string::npos && !c))
        return malformed(tok, fmt::format("unknown ICMP type '{}'", text));
      type = static_cast<int>(*t);
      code = c ? static_cast<int>(*c) : -1;
    }
    if (module == "icmp" && type == 255) { // iptables' "any"
      rule_.terms.push_back(negate ? never() : headerPresent(module));
      return {};
    }
    SourceRange at = tok.range;
    std::string typeEq = fmt::format("{}.type {}", field, type);
    if (!negate) {
      Conjunction c = one(typeEq, at);
      if (code >= 0)
        c.push_back(one(fmt::format("{}.code {}", field, code), at)[0]);
      rule_.terms.push_back(single(c));
      return {};
    }
    Term term{{one(fmt::format("{}.type not {}", field, type), at)}};
    if (code >= 0) {
      Conjunction c = one(typeEq, at);
      c.push_back(one(fmt::format("{}.code not {}", field, code), at)[0]);
      term.alternatives.push_back(c);
    }
    rule_.terms.push_back(term);
    return {};
  }

  Expected<void> multiport(const Token &tok, bool negate) {
    const std::string &o = tok.text;
    std::vector<std::string> fields;
    if (o == "--sports" || o == "--source-ports")
      fields = {"sport"};
    else if (o == "--dports" || o == "--destination-ports")
      fields = {"dport"};
    else if (o == "--ports")
      fields = {"sport", "dport"};
    else
      return malformed(tok, fmt::format("unknown multiport option '{}'", o));
    std::string proto = protocol_ == 6 ? "tcp" : protocol_ == 17 ? "udp" : "";
    if (proto.empty())
      return unsupported(tok,
                         "'-m multiport' is imported with '-p tcp' or '-p udp' "
                         "only");
    Expected<const Token *> listArg = next("a port list");
    if (!listArg)
      return std::move(listArg).error();
    const Token &list = **listArg;
    std::vector<PortRange> ranges;
    std::string_view text = list.text;
    while (true) {
      size_t comma = text.find(',');
      Token part{std::string(text.substr(0, comma)), list.range};
      Expected<PortRange> range = portRange(part);
      if (!range)
        return std::move(range).error();
      ranges.push_back(*range);
      if (comma == std::string_view::npos)
        break;
      text.remove_prefix(comma + 1);
    }
    ranges = disjoint(ranges);
    SourceRange at = tok.range;
    // In one of the ranges, as exclusive alternatives: one set of the single
    // ports, one alternative per wider range.
    auto inAny = [&](const std::string &field) {
      std::vector<Conjunction> alternatives;
      std::vector<std::string> singles;
      for (PortRange r : ranges)
        if (r.low == r.high)
          singles.push_back(std::to_string(r.low));
        else
          alternatives.push_back(
              one(fmt::format("{}.{} range {}-{}", proto, field, r.low, r.high),
                  at));
      if (singles.size() == 1)
        alternatives.push_back(
            one(fmt::format("{}.{} {}", proto, field, singles[0]), at));
      else if (!singles.empty())
        alternatives.push_back(one(fmt::format("({}.{}) in {{{}}}", proto,
                                               field, fmt::join(singles, "; ")),
                                   at));
      return alternatives;
    };
    auto inNone = [&](const std::string &field) {
      Conjunction c;
      std::vector<std::string> singles;
      for (PortRange r : ranges)
        if (r.low == r.high)
          singles.push_back(std::to_string(r.low));
        else
          c.push_back(one(
              fmt::format("{}.{} not range {}-{}", proto, field, r.low, r.high),
              at)[0]);
      if (!singles.empty())
        c.push_back(one(fmt::format("({}.{}) not in {{{}}}", proto, field,
                                    fmt::join(singles, "; ")),
                        at)[0]);
      return c;
    };
    if (negate) {
      Conjunction c;
      for (const std::string &field : fields)
        for (Atom &a : inNone(field))
          c.push_back(a);
      rule_.terms.push_back(single(c));
      return {};
    }
    Term term{inAny(fields[0])};
    if (fields.size() == 2) // source in the list, or else destination in it
      for (Conjunction c : inAny("dport")) {
        Conjunction notSource = inNone("sport");
        c.insert(c.begin(), notSource.begin(), notSource.end());
        term.alternatives.push_back(c);
      }
    rule_.terms.push_back(term);
    return {};
  }

  Expected<void> mark(const Token &tok, bool negate) {
    std::string_view text = tok.text;
    size_t slash = text.find('/');
    auto value = parseNumber(text.substr(0, slash), 0xffffffffu);
    std::optional<unsigned> mask = 0xffffffffu;
    if (slash != std::string_view::npos)
      mask = parseNumber(text.substr(slash + 1), 0xffffffffu);
    if (!value || !mask)
      return malformed(tok, fmt::format("bad mark '{}'", text));
    if (*mask != 0xffffffffu)
      return unsupported(tok,
                         fmt::format("masked mark '{}' cannot be expressed in "
                                     "bfc (meta.mark compares all 32 bits)",
                                     text));
    rule_.terms.push_back(single(
        one(fmt::format("meta.mark {}{:#x}", negate ? "not " : "", *value),
            tok.range)));
    return {};
  }

  Expected<void> target(const Token &tok, bool isGoto) {
    if (targetSeen_)
      return malformed(tok, "a rule has one target");
    targetSeen_ = true;
    rule_.targetRange = tok.range;
    module_ = "target";
    targetName_ = tok.text;
    const std::string &t = tok.text;
    if (isGoto) {
      rule_.target = Target::Goto;
      rule_.jumpChain = t;
    } else if (t == "ACCEPT") {
      rule_.target = Target::Accept;
    } else if (t == "DROP") {
      rule_.target = Target::Drop;
    } else if (t == "RETURN") {
      rule_.target = Target::Return;
    } else if (t == "LOG") {
      rule_.target = Target::Log;
    } else if (t == "REJECT") {
      if (!options_.lossy)
        return unsupported(tok, "REJECT answers the sender, bfc cannot: use "
                                "--lossy to import it as DROP");
      rule_.target = Target::Drop;
      rule_.comments.push_back("REJECT imported as DROP (--lossy)");
      warnings_.push_back({.message = "REJECT imported as DROP",
                           .range = tok.range,
                           .kind = ErrorKind::Unsupported});
    } else if (table_.find(t)) {
      rule_.target = Target::Jump; // a user chain, checked by the parser
      rule_.jumpChain = t;
    } else {
      return unsupported(
          tok, fmt::format("target '{}' cannot be expressed in bfc", t));
    }
    return {};
  }

  Expected<void> targetOption(const Token &tok, bool negate) {
    const std::string &o = tok.text;
    if (negate)
      return malformed(tok, fmt::format("'!' cannot precede '{}'", o));
    if (targetName_ == "LOG") {
      if (o == "--log-prefix") {
        return withNext("a prefix", [&](const Token &arg) -> Expected<void> {
          rule_.comments.push_back(fmt::format("LOG prefix \"{}\"", arg.text));
          return {};
        });
      }
      if (o == "--log-level") {
        return withNext("a level",
                        [](const Token &) -> Expected<void> { return {}; });
      }
      if (o == "--log-tcp-sequence" || o == "--log-tcp-options" ||
          o == "--log-ip-options" || o == "--log-uid" || o == "--log-macdecode")
        return {};
    }
    if (targetName_ == "REJECT" && o == "--reject-with") {
      return withNext("a reject type",
                      [](const Token &) -> Expected<void> { return {}; });
    }
    return malformed(tok, fmt::format("unknown option '{}' for target '{}'", o,
                                      targetName_));
  }

  const std::vector<Token> &args_;
  const ImportOptions &options_;
  const FilterTable &table_;
  Rule &rule_;
  std::vector<Error> &warnings_;
  size_t pos_ = 0;
  unsigned protocol_ = 0;
  std::string module_;
  std::string targetName_;
  bool targetSeen_ = false;
  std::map<std::string, Token> usedModules_;
  std::vector<std::string> moduleOrder_;
  std::set<std::string> moduleHasAtom_;
};

} // namespace

Expected<void> readRuleArguments(const std::vector<Token> &args,
                                 const ImportOptions &options,
                                 const FilterTable &table, Rule &rule,
                                 std::vector<Error> &warnings) {
  return RuleReader(args, options, table, rule, warnings).read();
}

} // namespace bfc::import
