// Writing the bfc ruleset: one netfilter chain per built-in chain, with the
// user chains inlined where they are called.
//
// Inlining keeps bfc's first-match semantics exact without negating any
// condition (a negated bfc matcher is false when its header is absent, so
// "not (A and B)" has no exact bfc form):
// - `-j USER` with condition C: USER's rules follow, each also guarded by C;
//   packets that fall off USER's end go on with the caller's next rule, as
//   every rule after the call is emitted anyway.
// - `RETURN` with condition R inside USER: the returned packets (guard and
//   R) must skip the rest of USER. The rest of every caller, guarded by R,
//   is emitted right there, then `R -> policy` ends them (the built-in
//   chain's end is its policy), so the rest of USER needs no guard. A
//   RETURN without condition just ends USER; one at USER's end costs
//   nothing.
// - `-g USER` is a call whose return skips the rest of the current chain:
//   the same continuation scheme.
// Continuations copy rules, so the output is bounded (kMaxRules); a loop of
// jumps is an error, as in iptables.
#include <fmt/format.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>

#include "Model.h"
#include "bfc/Support/ByteOrder.h"

namespace bfc::import {
namespace {

constexpr size_t kMaxRules = 20000;

struct Hook {
  std::string_view chain;
  std::string_view bfcHook;
  bool hasIn;
  bool hasOut;
  bool outVisible; ///< bfc's meta.iface is the output device
};

constexpr std::array<Hook, 3> kHooks = {{
    {"INPUT", "BF_HOOK_NF_LOCAL_IN", true, false, false},
    {"FORWARD", "BF_HOOK_NF_FORWARD", true, true, false},
    {"OUTPUT", "BF_HOOK_NF_LOCAL_OUT", false, true, true},
}};

struct Frame {
  const Chain *chain;
  size_t next = 0;
  std::vector<Term> guard;           ///< the calls' conditions
  std::vector<const Chain *> called; ///< chains entered on the way here
};

std::vector<Term> joined(const std::vector<Term> &a,
                         const std::vector<Term> &b) {
  std::vector<Term> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::string termKey(const Term &term) {
  std::string key;
  for (const Conjunction &alternative : term.alternatives) {
    key += '|';
    for (const Atom &atom : alternative)
      key +=
          fmt::format("{}{}{}{};", atom.matcher, static_cast<int>(atom.iface),
                      atom.negate ? "!" : "", atom.ifaceName);
  }
  return key;
}

/// Whether every term of `terms` is one of `given`'s: a rule guarded by
/// `terms` then matches every packet that `given` lets through.
bool implied(const std::vector<Term> &terms, const std::vector<Term> &given) {
  std::set<std::string> keys;
  for (const Term &term : given)
    keys.insert(termKey(term));
  return std::all_of(terms.begin(), terms.end(), [&](const Term &term) {
    return keys.count(termKey(term)) != 0;
  });
}

/// Comment text safe for bfc's lexer: printable ASCII.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text)
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

/// The positive address and interface matchers of one rule, to leave out
/// rules that can never match: an inlined call from `-i eth0 -s 10.1.0.0/16`
/// around `-i eth1` or `-s 192.0.2.0/24`.
class PositivePrefixes {
public:
  /// False when `matcher` contradicts an earlier one.
  bool add(std::string_view matcher) {
    size_t space = matcher.find(' ');
    if (space == std::string_view::npos)
      return true;
    std::string field(matcher.substr(0, space));
    std::string value(matcher.substr(space + 1));
    if (value.starts_with("not "))
      return true;
    if (field == "meta.iface")
      return values_.emplace(field, value).first->second == value;
    bool v6 = field.starts_with("ip6.");
    if (!v6 && !field.starts_with("ip4."))
      return true;
    char direction = field[4]; // 's' or 'd'
    Prefix p{direction, {}, v6 ? 128u : 32u};
    if (size_t slash = value.find('/'); slash != std::string::npos) {
      p.length = static_cast<unsigned>(std::stoul(value.substr(slash + 1)));
      value.resize(slash);
    }
    if (inet_pton(v6 ? AF_INET6 : AF_INET, value.c_str(), p.bytes.data()) != 1)
      return true;
    for (const Prefix &q : prefixes_)
      if (q.direction == p.direction &&
          !prefixEquals(p.bytes, q.bytes, std::min(p.length, q.length)))
        return false;
    prefixes_.push_back(p);
    return true;
  }

private:
  struct Prefix {
    char direction;
    std::array<uint8_t, 16> bytes;
    unsigned length;
  };
  std::map<std::string, std::string> values_;
  std::vector<Prefix> prefixes_;
};

class Writer {
public:
  Writer(const FilterTable &table, const SourceBuffer &input,
         const ImportOptions &options, DiagnosticEngine &diags)
      : table_(table), input_(input), options_(options), diags_(diags) {}

  std::string write() {
    bool ip6 = options_.family == Family::Ipv6;
    out_ << fmt::format("# Imported by `bfc import --from={}` from {}: the "
                        "filter table.\n# User chains are inlined "
                        "(docs/bfc.md, \"bfc import\").\n",
                        ip6 ? "ip6tables-save" : "iptables-save",
                        printable(input_.name()));
    for (const Hook &hook : kHooks) {
      const Chain *chain = table_.find(std::string(hook.chain));
      if (!chain || aborted_)
        continue;
      hook_ = &hook;
      emitted_ = 0;
      policy_ = chain->policy;
      out_ << fmt::format("\nchain {}{} {}{{priorities=100-101}} {}\n",
                          hook.chain, ip6 ? "6" : "", hook.bfcHook,
                          chain->policy);
      out_ << fmt::format("    rule meta.l3_proto not {} ACCEPT  # {} "
                          "traffic is not {}'s\n",
                          ip6 ? "ipv6" : "ipv4", ip6 ? "IPv4" : "IPv6",
                          ip6 ? "ip6tables" : "iptables");
      walk({Frame{chain, 0, {}, {chain}}}, {});
    }
    return out_.str();
  }

private:
  /// Emits the rules of `stack`'s frames, innermost first, each also
  /// guarded by `extra`. True when a rule without condition ended them all
  /// (what follows is unreachable for these packets).
  bool walk(std::vector<Frame> stack, const std::vector<Term> &extra) {
    while (!stack.empty() && !aborted_) {
      Frame &frame = stack.back();
      if (frame.next >= frame.chain->rules.size()) {
        stack.pop_back();
        continue;
      }
      const Rule &rule = frame.chain->rules[frame.next++];
      std::vector<Term> callGuard = joined(frame.guard, rule.terms);
      std::vector<Term> condition = joined(extra, callGuard);
      switch (rule.target) {
      case Target::Skipped:
        out_ << fmt::format("    # not imported ({}): {}\n",
                            printable(rule.skippedReason),
                            printable(rule.text));
        break;
      case Target::Accept:
      case Target::Drop:
        emit(rule, condition,
             rule.target == Target::Accept ? "ACCEPT" : "DROP");
        if (implied(callGuard, extra))
          return true;
        break;
      case Target::Log:
        emit(rule, condition, "log CONTINUE");
        break;
      case Target::Count:
        emit(rule, condition, "counter CONTINUE");
        break;
      case Target::Return:
        if (stack.size() == 1) {
          emit(rule, condition, policy_);
          if (implied(callGuard, extra))
            return true;
        } else if (rule.terms.empty()) {
          comment(rule, "returns: the rest of this chain is skipped");
          stack.pop_back();
        } else if (frame.next == frame.chain->rules.size()) {
          comment(rule, "returns at the chain's end: nothing to do");
        } else {
          comment(rule, "returns: the callers' rest, for these packets");
          std::vector<Frame> callers(stack.begin(), stack.end() - 1);
          if (!walk(callers, condition))
            emit(rule, condition, policy_);
        }
        break;
      case Target::Jump:
      case Target::Goto: {
        const Chain *to = table_.find(rule.jumpChain);
        if (!to || to->builtin)
          break; // reported by the parser
        if (std::find(frame.called.begin(), frame.called.end(), to) !=
            frame.called.end()) {
          diags_.error(
              rule.targetRange,
              fmt::format("chain '{}' is called in a loop", rule.jumpChain));
          aborted_ = true;
          return true;
        }
        comment(rule, rule.target == Target::Jump ? "calls" : "goes to");
        Frame callee{to, 0, callGuard, frame.called};
        callee.called.push_back(to);
        if (rule.target == Target::Jump) {
          stack.push_back(std::move(callee));
        } else if (rule.terms.empty()) {
          stack.back() = std::move(callee);
        } else {
          std::vector<Frame> diverted = stack;
          diverted.back() = std::move(callee);
          if (!walk(diverted, condition))
            emit(rule, condition, policy_);
        }
        break;
      }
      }
    }
    return aborted_;
  }

  void comment(const Rule &rule, std::string_view what) {
    out_ << fmt::format("    # line {} {}: {}\n", rule.line, what,
                        printable(rule.text));
  }

  /// One bfc rule per combination of the terms' alternatives.
  void emit(const Rule &rule, const std::vector<Term> &condition,
            std::string_view action) {
    std::vector<Conjunction> combinations = {{}};
    for (const Term &term : condition) {
      std::vector<Conjunction> next;
      for (const Conjunction &prefix : combinations)
        for (const Conjunction &alternative : term.alternatives) {
          Conjunction c = prefix;
          c.insert(c.end(), alternative.begin(), alternative.end());
          next.push_back(std::move(c));
        }
      combinations = std::move(next);
      if (combinations.size() > kMaxRules)
        break;
    }
    std::vector<std::string> lines;
    for (const Conjunction &c : combinations) {
      Rendered matchers = render(c);
      if (matchers.kind == Rendered::Unexpressible)
        return unexpressible(rule);
      if (matchers.kind == Rendered::Matchers)
        lines.push_back(fmt::format("    rule {}{}\n", matchers.text, action));
    }
    emitted_ += lines.size();
    if (emitted_ > kMaxRules) {
      diags_.error(rule.targetRange.isValid() ? rule.targetRange
                                              : lineRange(rule),
                   fmt::format("the imported chain {} would exceed {} rules "
                               "(inlined user chains are copied for each "
                               "RETURN and goto)",
                               hook_->chain, kMaxRules));
      aborted_ = true;
      return;
    }
    out_ << fmt::format("    # line {}: {}\n", rule.line, printable(rule.text));
    for (const std::string &text : rule.comments)
      out_ << fmt::format("    # {}\n", printable(text));
    if (lines.empty())
      out_ << fmt::format("    # never matches here\n");
    for (const std::string &line : lines)
      out_ << line;
  }

  SourceRange lineRange(const Rule &rule) const {
    SourceLoc begin{rule.line, 1, 0};
    return {begin, begin};
  }

  struct Rendered {
    enum Kind { Matchers, Never, Unexpressible } kind = Matchers;
    std::string text; ///< each matcher followed by a space
  };

  /// The bfc matchers of `c` on the current hook. Combinations that need
  /// two transport protocols at once (an inlined `-p tcp` call around a
  /// `-p udp` rule) never match: they are left out.
  Rendered render(const Conjunction &c) {
    Rendered out;
    std::set<std::string> seen;
    PositivePrefixes prefixes;
    std::string protocol; // from a positive meta.l4_proto or a tcp.* matcher
    auto needs = [&](std::string_view needed) {
      if (!protocol.empty() && protocol != needed)
        return false;
      protocol = needed;
      return true;
    };
    for (const Atom &atom : c) {
      std::string text = atom.matcher;
      if (atom.iface != Atom::Iface::None) {
        bool in = atom.iface == Atom::Iface::In;
        if (!(in ? hook_->hasIn : hook_->hasOut)) { // no such device here
          if (atom.negate)
            continue;
          return {Rendered::Never, ""};
        }
        if (!in && !hook_->outVisible) {
          badIface_ = &atom;
          return {Rendered::Unexpressible, ""};
        }
        text = fmt::format("meta.iface {}{}", atom.negate ? "not " : "",
                           atom.ifaceName);
      }
      std::string_view matcher = text;
      if (matcher.front() == '(')
        matcher.remove_prefix(1);
      std::string_view head = matcher.substr(0, matcher.find('.'));
      bool ok = true;
      if (matcher.starts_with("meta.l4_proto ") &&
          !matcher.starts_with("meta.l4_proto not "))
        ok = needs(matcher.substr(14));
      else if (head == "tcp" || head == "udp" || head == "icmp" ||
               head == "icmpv6")
        ok = needs(head);
      if (!ok || !prefixes.add(text))
        return {Rendered::Never, ""};
      if (seen.insert(text).second)
        out.text += text + " ";
    }
    return out;
  }

  void unexpressible(const Rule &rule) {
    std::string message =
        fmt::format("'-o' on {} cannot be expressed in bfc: its netfilter "
                    "FORWARD chain sees the input interface only",
                    hook_->chain);
    // Once per `-o`: a call's `-o` reaches every rule of the callee.
    bool fresh = reported_.insert(badIface_->range.begin.offset).second;
    if (!options_.lossy) {
      if (fresh)
        diags_.error(badIface_->range, message);
      return;
    }
    if (fresh)
      diags_.warning(WarningID::LossyImport, badIface_->range,
                     message + "; the rule is a comment (--lossy)");
    out_ << fmt::format("    # not imported ({}): {}\n", message,
                        printable(rule.text));
  }

  const FilterTable &table_;
  const SourceBuffer &input_;
  const ImportOptions &options_;
  DiagnosticEngine &diags_;
  std::ostringstream out_;
  const Hook *hook_ = nullptr;
  std::string policy_;
  size_t emitted_ = 0;
  bool aborted_ = false;
  const Atom *badIface_ = nullptr;
  std::set<uint32_t> reported_;
};

} // namespace

std::string writeRuleset(const FilterTable &table, const SourceBuffer &input,
                         const ImportOptions &options,
                         DiagnosticEngine &diags) {
  return Writer(table, input, options, diags).write();
}

std::string importIptablesSave(const SourceBuffer &input,
                               const ImportOptions &options,
                               DiagnosticEngine &diags) {
  FilterTable table = parseIptablesSave(input, options, diags);
  if (diags.hasErrors())
    return {};
  return writeRuleset(table, input, options, diags);
}

} // namespace bfc::import
