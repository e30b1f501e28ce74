// BFIR text reader: line oriented, the indentation (0, 2 or 4 spaces) says
// what a line belongs to (module, chain, set or rule).
#include "bfc/IR/Reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "bfc/IR/Names.h"
#include "bfc/IR/Printer.h"
#include "bfc/IR/Verifier.h"

#include "ReaderCursor.h"

namespace bfc::ir {

using namespace detail;

namespace {

class Reader {
public:
  Reader(const SourceBuffer &buffer, DiagnosticEngine &diags)
      : buffer_(buffer), diags_(diags) {}

  std::optional<Module> read() {
    std::string_view text = buffer_.text();
    size_t lineStart = 0;
    while (lineStart <= text.size()) {
      size_t end = text.find('\n', lineStart);
      if (end == std::string_view::npos)
        end = text.size();
      std::string_view line = text.substr(lineStart, end - lineStart);
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      if (std::optional<Error> error = readLine(line, lineStart)) {
        report(error->offset, error->message);
        skipBody_ = true;
      }
      lineStart = end + 1;
    }
    finishRule();
    if (!sawHeader_)
      report(0, "expected 'bfir module \"NAME\"' at the start");
    if (diags_.hasErrors())
      return std::nullopt;
    // Structural problems are reported at the header of their chain.
    std::set<std::string> names;
    for (const Chain &chain : module_.chains) {
      if (!names.insert(chain.name).second)
        diags_.error(chain.range,
                     fmt::format("chain {}: defined twice", chain.name));
      for (const std::string &problem : verifyChain(module_, chain))
        diags_.error(chain.range, problem);
    }
    if (diags_.hasErrors())
      return std::nullopt;
    return std::move(module_);
  }

private:
  enum class Context { Module, Chain, Set, Rule };

  void report(size_t offset, const std::string &message) {
    SourceLoc loc = buffer_.locForOffset(static_cast<uint32_t>(offset));
    diags_.error({loc, loc}, message);
  }

  SourceRange rangeAt(size_t offset) const {
    SourceLoc loc = buffer_.locForOffset(static_cast<uint32_t>(offset));
    return {loc, loc};
  }

  /// The line's first error, if it has one.
  std::optional<Error> readLine(std::string_view line, size_t lineStart) {
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ')
      ++indent;
    if (indent == line.size() || line[indent] == '#')
      return std::nullopt;
    Cursor cur(line.substr(indent), lineStart + indent);
    readIndented(cur, indent);
    return cur.error();
  }

  void readIndented(Cursor &cur, size_t indent) {
    if (indent == 0) {
      finishRule();
      skipBody_ = false;
      context_ = Context::Module;
      return moduleLine(cur);
    }
    if (indent == 2) {
      if (context_ == Context::Module) {
        if (skipBody_)
          return;
        return cur.fail("expected a chain before sets and rules");
      }
      finishRule();
      skipBody_ = false;
      return chainLine(cur);
    }
    if (indent == 4) {
      if (skipBody_)
        return;
      if (context_ == Context::Set)
        return elementLine(cur);
      if (context_ == Context::Rule)
        return ruleBodyLine(cur);
      return cur.fail("expected a set or rule before this line");
    }
    return cur.fail(fmt::format("unexpected indentation ({} spaces)", indent));
  }

  // ------------------------------------------------------------ module ----

  void moduleLine(Cursor &cur) {
    size_t at = cur.offset();
    std::string_view keyword = cur.word();
    if (!sawHeader_) {
      if (keyword != "bfir")
        return cur.failAt(at, "expected 'bfir module \"NAME\"' at the start");
      cur.expect("module");
      module_.sourceName = cur.quoted();
      cur.expectEnd();
      if (!cur.failed())
        sawHeader_ = true;
      return;
    }
    if (keyword == "host_slot") {
      size_t indexAt = (cur.skipSpace(), cur.offset());
      uint64_t index = cur.number("a slot index", UINT32_MAX);
      if (cur.failed())
        return;
      if (index != module_.hostSlots.size())
        return cur.failAt(indexAt,
                          fmt::format("host slot {} out of order (expected {})",
                                      index, module_.hostSlots.size()));
      cur.expect("iface");
      std::string name = cur.quoted();
      if (cur.failed())
        return;
      module_.hostSlots.push_back({HostSlot::Kind::IfaceIndex, name});
      return cur.expectEnd();
    }
    if (keyword == "chain")
      return chainHeader(cur, at);
    return cur.failAt(
        at,
        fmt::format("expected 'host_slot' or 'chain', found '{}'", keyword));
  }

  void chainHeader(Cursor &cur, size_t at) {
    Chain chain;
    chain.range = rangeAt(at);
    chain.name = cur.name();
    size_t hookAt = (cur.skipSpace(), cur.offset());
    std::string_view hook = cur.expectWord("a hook");
    auto parsedHook = hookFromName(hook);
    if (!parsedHook)
      return cur.failAt(hookAt, fmt::format("unknown hook '{}'", hook));
    chain.hook = *parsedHook;
    if (cur.peek() == '{') {
      cur.expectChar('{');
      size_t optionsAt = cur.offset();
      chain.hasOptions = true;
      hookOptions(cur, cur.until('}'), optionsAt, chain.options);
    }
    cur.expect("policy");
    chain.policy = verdict(cur);
    cur.expectEnd();
    if (cur.failed())
      return;
    module_.chains.push_back(std::move(chain));
    context_ = Context::Chain;
  }

  void hookOptions(Cursor &cur, std::string_view text, size_t at,
                   HookOptions &options) {
    size_t pos = 0;
    while (pos < text.size() && !cur.failed()) {
      size_t keyEnd = std::min(text.find_first_of("=,", pos), text.size());
      std::string_view key = trim(text.substr(pos, keyEnd - pos));
      size_t keyAt = at + pos;
      if (key == "family") {
        options.familyGiven = true;
        pos = keyEnd;
      } else {
        if (keyEnd == text.size() || text[keyEnd] != '=')
          return cur.failAt(
              keyAt, fmt::format("expected OPTION=VALUE, found '{}'", key));
        size_t valueAt = keyEnd + 1;
        if (key == "cgpath") {
          Cursor value(text.substr(valueAt), at + valueAt);
          options.cgpath = value.quoted();
          if (const std::optional<Error> &error = value.error())
            return cur.failAt(error->offset, error->message);
          pos = value.offset() - at;
        } else {
          size_t valueEnd = std::min(text.find(',', valueAt), text.size());
          std::string_view value = text.substr(valueAt, valueEnd - valueAt);
          if (key == "ifindex") {
            auto ifindex = parseNumber(value, UINT32_MAX);
            if (!ifindex)
              return cur.failAt(at + valueAt,
                                fmt::format("bad ifindex '{}'", value));
            options.ifindex = static_cast<uint32_t>(*ifindex);
          } else if (key == "priorities") {
            options.priorities = priorities(cur, value, at + valueAt);
          } else {
            return cur.failAt(keyAt,
                              fmt::format("unknown hook option '{}'", key));
          }
          pos = valueEnd;
        }
      }
      if (pos < text.size()) {
        if (text[pos] != ',')
          return cur.failAt(at + pos, "expected ',' between hook options");
        ++pos;
      }
    }
  }

  std::pair<int32_t, int32_t> priorities(Cursor &cur, std::string_view text,
                                         size_t at) {
    // A-B where both may be negative: the separator is the first '-' that
    // is not a sign.
    for (size_t dash = 1; dash < text.size(); ++dash) {
      if (text[dash] != '-')
        continue;
      auto a = parseSigned(text.substr(0, dash));
      auto b = parseSigned(text.substr(dash + 1));
      if (a && b)
        return {*a, *b};
    }
    cur.failAt(at, fmt::format("expected priorities=A-B, found '{}'", text));
    return {};
  }

  static std::optional<int32_t> parseSigned(std::string_view text) {
    bool negative = !text.empty() && text[0] == '-';
    auto magnitude = parseNumber(negative ? text.substr(1) : text,
                                 negative ? 0x80000000ull : 0x7fffffffull);
    if (!magnitude)
      return std::nullopt;
    return static_cast<int32_t>(negative ? -static_cast<int64_t>(*magnitude)
                                         : static_cast<int64_t>(*magnitude));
  }

  Verdict verdict(Cursor &cur) {
    size_t at = (cur.skipSpace(), cur.offset());
    std::string_view name = cur.expectWord("a verdict");
    for (Verdict v : {Verdict::Accept, Verdict::Drop, Verdict::Continue,
                      Verdict::Next, Verdict::Redirect})
      if (verdictName(v) == name)
        return v;
    cur.failAt(at, fmt::format("unknown verdict '{}'", name));
    return Verdict::Drop;
  }

  // ------------------------------------------------------- chain body ----

  Chain &chain() { return module_.chains.back(); }

  void chainLine(Cursor &cur) {
    size_t at = cur.offset();
    std::string_view keyword = cur.word();
    if (keyword == "set")
      return setHeader(cur, at);
    if (keyword == "rule")
      return ruleHeader(cur, at);
    return cur.failAt(
        at, fmt::format("expected 'set' or 'rule', found '{}'", keyword));
  }

  /// The fields named in `text`; empty after an error.
  std::vector<FieldId> fieldList(Cursor &cur, std::string_view text,
                                 size_t at) {
    std::vector<FieldId> fields;
    size_t start = 0;
    while (true) {
      size_t comma = text.find(',', start);
      std::string_view part = text.substr(start, comma - start);
      std::string_view name = trim(part);
      auto field = fieldFromName(name);
      if (!field) {
        // An empty name is pointed at where it is missing.
        size_t lead = std::min(part.find_first_not_of(' '), part.size());
        cur.failAt(at + start + lead, fmt::format("unknown field '{}'", name));
        return {};
      }
      fields.push_back(*field);
      if (comma == std::string_view::npos)
        return fields;
      start = comma + 1;
    }
  }

  void setHeader(Cursor &cur, size_t at) {
    Set set;
    set.range = rangeAt(at);
    size_t indexAt = (cur.skipSpace(), cur.offset());
    uint64_t index = cur.number("a set index", UINT32_MAX);
    if (cur.failed())
      return;
    if (index != chain().sets.size())
      return cur.failAt(indexAt,
                        fmt::format("set {} out of order (expected {})", index,
                                    chain().sets.size()));
    if (!chain().rules.empty())
      return cur.failAt(at, "sets come before the rules of their chain");
    set.name = cur.name();
    set.anonymous = cur.accept("anonymous");
    cur.expectChar('(');
    size_t keyAt = cur.offset();
    set.key = fieldList(cur, cur.until(')'), keyAt);
    size_t kindAt = (cur.skipSpace(), cur.offset());
    std::string_view kind = cur.word();
    if (kind != "exact" && kind != "lpm")
      return cur.failAt(kindAt, "expected 'exact' or 'lpm'");
    set.lpm = kind == "lpm";
    cur.expectEnd();
    if (cur.failed())
      return;
    chain().sets.push_back(std::move(set));
    context_ = Context::Set;
  }

  void elementLine(Cursor &cur) {
    Set &set = chain().sets.back();
    size_t at = (cur.skipSpace(), cur.offset());
    std::string_view text = trim(cur.rest());
    SetElement element;
    element.range = rangeAt(at);
    if (text.starts_with("bytes:")) {
      auto bytes = parseHex(text.substr(6));
      if (!bytes)
        return cur.failAt(at, "bad hex bytes");
      element.key = *bytes;
    } else if (set.lpm) {
      size_t slash = text.rfind('/');
      auto len = slash == std::string_view::npos
                     ? std::nullopt
                     : parseNumber(text.substr(slash + 1), 255);
      if (!len)
        return cur.failAt(at, "expected ADDRESS/PREFIXLEN in an LPM set");
      auto addr = parseFieldValue(set.key.front(), text.substr(0, slash));
      if (!addr)
        return cur.failAt(
            at, fmt::format("bad address '{}'", text.substr(0, slash)));
      element.key = *addr;
      element.prefixLen = static_cast<uint8_t>(*len);
    } else {
      size_t start = 0;
      for (size_t i = 0; i < set.key.size(); ++i) {
        size_t comma = text.find(',', start);
        bool last = i + 1 == set.key.size();
        if (last != (comma == std::string_view::npos))
          return cur.failAt(at,
                            fmt::format("expected {} comma-separated values",
                                        set.key.size()));
        std::string_view part = trim(text.substr(start, comma - start));
        auto value = parseFieldValue(set.key[i], part);
        if (!value)
          return cur.failAt(at + start,
                            fmt::format("bad value '{}' for {}", part,
                                        fieldInfo(set.key[i]).name));
        element.key.insert(element.key.end(), value->begin(), value->end());
        start = comma + 1;
      }
    }
    set.elements.push_back(std::move(element));
  }

  void ruleHeader(Cursor &cur, size_t at) {
    Rule rule;
    size_t indexAt = (cur.skipSpace(), cur.offset());
    uint64_t index = cur.number("a rule index", UINT32_MAX);
    if (cur.failed())
      return;
    if (index != chain().rules.size())
      return cur.failAt(indexAt,
                        fmt::format("rule {} out of order (expected {})", index,
                                    chain().rules.size()));
    rule.index = static_cast<uint32_t>(index);
    if (cur.peek() == '@') {
      size_t locAt = cur.offset();
      std::string_view loc = cur.word().substr(1);
      size_t colon = loc.find(':');
      auto line = parseNumber(loc.substr(0, colon), UINT32_MAX);
      auto column = colon == std::string_view::npos
                        ? std::nullopt
                        : parseNumber(loc.substr(colon + 1), UINT32_MAX);
      if (!line || !column || *line == 0)
        return cur.failAt(locAt, "expected @LINE:COLUMN");
      rule.range.begin = {static_cast<uint32_t>(*line),
                          static_cast<uint32_t>(*column), 0};
    }
    if (cur.peek() == '"')
      rule.text = cur.quoted();
    cur.expectEnd();
    if (cur.failed())
      return;
    chain().rules.push_back(std::move(rule));
    context_ = Context::Rule;
    ruleAt_ = at;
    verdictSeen_ = false;
  }

  /// A rule ends at the next line of lower indentation: it needs a verdict.
  void finishRule() {
    if (context_ != Context::Rule)
      return;
    context_ = Context::Chain;
    if (!verdictSeen_ && !skipBody_)
      report(ruleAt_, "rule without a verdict line");
  }

  void ruleBodyLine(Cursor &cur) {
    Rule &rule = chain().rules.back();
    size_t at = cur.offset();
    if (verdictSeen_)
      return cur.fail("nothing may follow the verdict of a rule");
    std::string_view keyword = cur.peek() == '(' ? "(" : cur.word();
    // `never` stands for all of the rule's predicates.
    bool option = keyword == "counter" || keyword == "log" ||
                  keyword == "mark" || keyword == "verdict";
    if (!option &&
        (rule.neverMatches || (keyword == "never" && !rule.predicates.empty())))
      return cur.failAt(at, "a 'never' rule has no predicates");
    if (keyword == "never") {
      rule.neverMatches = true;
      return cur.expectEnd();
    }
    if (keyword == "(")
      return setPredicate(cur, rule);
    if (keyword == "counter") {
      rule.counter = true;
      return cur.expectEnd();
    }
    if (keyword == "log")
      return logLine(cur, rule);
    if (keyword == "mark") {
      rule.mark = static_cast<uint32_t>(cur.number("a mark", UINT32_MAX));
      return cur.expectEnd();
    }
    if (keyword == "verdict")
      return verdictLine(cur, rule);
    if (keyword == "meta.iface")
      return ifacePredicate(cur, rule);
    if (keyword == "meta.probability" || keyword == "meta.flow_probability")
      return probabilityPredicate(cur, rule,
                                  keyword == "meta.flow_probability");
    if (keyword == "ip6.chain")
      return chainPredicate(cur, rule);
    auto field = fieldFromName(keyword);
    if (!field)
      return cur.failAt(
          at, fmt::format("unknown field or rule option '{}'", keyword));
    fieldPredicate(cur, rule, *field);
  }

  bool negation(Cursor &cur) { return cur.accept("not"); }

  void fieldPredicate(Cursor &cur, Rule &rule, FieldId field) {
    Predicate pred;
    pred.kind = Predicate::Kind::Field;
    pred.field = field;
    size_t locAt = (cur.skipSpace(), cur.offset());
    std::string_view loc = cur.word();
    if (loc != formatFieldLocation(field))
      return cur.failAt(locAt, fmt::format("{} lives at {}, not {}",
                                           fieldInfo(field).name,
                                           formatFieldLocation(field), loc));
    pred.negate = negation(cur);
    size_t opAt = (cur.skipSpace(), cur.offset());
    std::string_view op = cur.expectWord("an operator");
    bool known = false;
    for (CmpOp candidate :
         {CmpOp::Eq, CmpOp::Range, CmpOp::AnyBits, CmpOp::AllBits})
      if (cmpOpName(candidate) == op) {
        pred.op = candidate;
        known = true;
      }
    if (!known)
      return cur.failAt(opAt, fmt::format("unknown operator '{}'", op));
    size_t valueAt = (cur.skipSpace(), cur.offset());
    std::string_view text = cur.expectWord("a value");
    cur.expectEnd();
    if (cur.failed())
      return;
    if (pred.op == CmpOp::Range) {
      // Names may contain '-': take the first split where both sides parse.
      bool parsed = false;
      for (size_t dash = text.find('-');
           dash != std::string_view::npos && !parsed;
           dash = text.find('-', dash + 1)) {
        auto low = parseFieldValue(field, text.substr(0, dash));
        auto high = parseFieldValue(field, text.substr(dash + 1));
        if (low && high) {
          pred.value = *low;
          pred.high = *high;
          parsed = true;
        }
      }
      if (!parsed)
        return cur.failAt(
            valueAt, fmt::format("expected LOW-HIGH values of {}, found '{}'",
                                 fieldInfo(field).name, text));
    } else {
      size_t slash = text.find('/');
      if (slash != std::string_view::npos) {
        auto len = parseNumber(text.substr(slash + 1), 255);
        if (!len)
          return cur.failAt(valueAt + slash + 1, "bad prefix length");
        pred.prefixLen = static_cast<uint8_t>(*len);
        text = text.substr(0, slash);
      }
      auto value = parseFieldValue(field, text);
      if (!value)
        return cur.failAt(valueAt, fmt::format("bad value '{}' for {}", text,
                                               fieldInfo(field).name));
      pred.value = *value;
    }
    rule.predicates.push_back(std::move(pred));
  }

  void ifacePredicate(Cursor &cur, Rule &rule) {
    Predicate pred;
    pred.kind = Predicate::Kind::Iface;
    pred.negate = negation(cur);
    cur.expect("eq");
    target(cur, pred.hostSlot, pred.ifindex);
    cur.expectEnd();
    rule.predicates.push_back(std::move(pred));
  }

  /// `slot N "name"` or `ifindex N`.
  void target(Cursor &cur, std::optional<uint32_t> &slot, uint32_t &ifindex) {
    size_t at = (cur.skipSpace(), cur.offset());
    std::string_view kind = cur.word();
    if (kind == "ifindex") {
      ifindex = static_cast<uint32_t>(cur.number("an ifindex", UINT32_MAX));
      return;
    }
    if (kind != "slot")
      return cur.failAt(at, "expected 'slot N \"NAME\"' or 'ifindex N'");
    size_t slotAt = (cur.skipSpace(), cur.offset());
    slot = static_cast<uint32_t>(cur.number("a host slot", UINT32_MAX));
    std::string name = cur.quoted();
    if (cur.failed())
      return;
    if (*slot >= module_.hostSlots.size() ||
        module_.hostSlots[*slot].name != name)
      return cur.failAt(slotAt,
                        fmt::format("no host slot {} for \"{}\"", *slot, name));
  }

  void probabilityPredicate(Cursor &cur, Rule &rule, bool perFlow) {
    Predicate pred;
    pred.kind = Predicate::Kind::Probability;
    pred.perFlow = perFlow;
    pred.negate = negation(cur);
    cur.expect("eq");
    size_t at = (cur.skipSpace(), cur.offset());
    std::string_view text = cur.word();
    double percent = 0;
    bool ok = !text.empty() && text.back() == '%';
    if (ok) {
      auto [end, ec] =
          std::from_chars(text.data(), text.data() + text.size() - 1, percent);
      ok = ec == std::errc() && end == text.data() + text.size() - 1;
    }
    if (!ok)
      return cur.failAt(at,
                        fmt::format("expected a percentage, found '{}'", text));
    pred.percent = percent;
    cur.expectEnd();
    rule.predicates.push_back(std::move(pred));
  }

  void chainPredicate(Cursor &cur, Rule &rule) {
    Predicate pred;
    pred.kind = Predicate::Kind::Ip6HeaderChain;
    cur.expect("[ip6]");
    pred.negate = negation(cur);
    cur.expect("eq");
    size_t at = (cur.skipSpace(), cur.offset());
    std::string_view text = cur.word();
    auto proto = parseNamedNumber(text, 255, ipProtoNames());
    if (!proto)
      return cur.failAt(at,
                        fmt::format("expected a protocol, found '{}'", text));
    pred.protocol = static_cast<uint8_t>(*proto);
    cur.expectEnd();
    rule.predicates.push_back(std::move(pred));
  }

  void setPredicate(Cursor &cur, Rule &rule) {
    Predicate pred;
    pred.kind = Predicate::Kind::Set;
    cur.expectChar('(');
    size_t keyAt = cur.offset();
    std::vector<FieldId> key = fieldList(cur, cur.until(')'), keyAt);
    pred.negate = negation(cur);
    cur.expect("in");
    cur.expect("set");
    size_t indexAt = (cur.skipSpace(), cur.offset());
    pred.set = static_cast<uint32_t>(cur.number("a set index", UINT32_MAX));
    std::string name = cur.name();
    cur.expectEnd();
    if (cur.failed())
      return;
    if (pred.set >= chain().sets.size())
      return cur.failAt(indexAt,
                        fmt::format("set {} does not exist", pred.set));
    const Set &set = chain().sets[pred.set];
    if (set.name != name)
      return cur.failAt(indexAt, fmt::format("set {} is '{}', not '{}'",
                                             pred.set, set.name, name));
    if (set.key != key)
      return cur.failAt(keyAt,
                        fmt::format("the key of set '{}' differs", set.name));
    rule.predicates.push_back(std::move(pred));
  }

  void logLine(Cursor &cur, Rule &rule) {
    rule.log.enabled = true;
    size_t at = (cur.skipSpace(), cur.offset());
    std::string_view headers = cur.expectWord("log headers or 'none'");
    if (!cur.failed() && headers != "none") {
      size_t start = 0;
      while (true) {
        size_t comma = headers.find(',', start);
        std::string_view name = headers.substr(start, comma - start);
        // As printed: lower case only.
        auto names = logHeaderNames();
        auto header = std::find_if(names.begin(), names.end(),
                                   [&](const NamedValue<uint8_t> &entry) {
                                     return entry.name == name;
                                   });
        if (header == names.end())
          return cur.failAt(at + start,
                            fmt::format("unknown log header '{}'", name));
        rule.log.headers |= header->value;
        if (comma == std::string_view::npos)
          break;
        start = comma + 1;
      }
    }
    if (cur.accept("every")) {
      size_t rateAt = (cur.skipSpace(), cur.offset());
      std::string_view rate = cur.word();
      auto ns = rate.size() > 2 && rate.ends_with("ns")
                    ? parseNumber(rate.substr(0, rate.size() - 2), UINT64_MAX)
                    : std::nullopt;
      if (!ns || *ns == 0)
        return cur.failAt(rateAt,
                          fmt::format("expected every Nns, found '{}'", rate));
      rule.log.rateNs = *ns;
    }
    cur.expectEnd();
  }

  void verdictLine(Cursor &cur, Rule &rule) {
    rule.verdict = verdict(cur);
    if (rule.verdict == Verdict::Redirect) {
      target(cur, rule.redirectSlot, rule.redirectIfindex);
      size_t at = (cur.skipSpace(), cur.offset());
      std::string_view dir = cur.word();
      if (dir != "in" && dir != "out")
        return cur.failAt(at, "expected 'in' or 'out'");
      rule.redirectDir = dir == "in" ? RedirectDir::In : RedirectDir::Out;
    }
    cur.expectEnd();
    if (!cur.failed())
      verdictSeen_ = true;
  }

  const SourceBuffer &buffer_;
  DiagnosticEngine &diags_;
  Module module_;
  Context context_ = Context::Module;
  bool sawHeader_ = false;
  bool skipBody_ = false; ///< the enclosing line had an error
  bool verdictSeen_ = false;
  size_t ruleAt_ = 0;
};

} // namespace

std::optional<uint64_t> parseFieldNumber(FieldId field, std::string_view text,
                                         uint64_t max) {
  switch (field) {
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    return std::nullopt;
  case FieldId::MetaL3Proto:
    return parseNamedNumber(text, max, etherTypeNames());
  case FieldId::MetaL4Proto:
  case FieldId::Ip4Proto:
  case FieldId::Ip6Nexthdr:
    return parseNamedNumber(text, max, ipProtoNames());
  case FieldId::Ip4Dscp:
  case FieldId::Ip6Dscp:
    return parseNamedNumber(text, max, dscpNames());
  case FieldId::TcpFlags:
    // Flag names can add up past a small `max`.
    if (auto flags = parseTcpFlags(text); flags && *flags <= max)
      return flags;
    return std::nullopt;
  case FieldId::IcmpType:
    return parseNamedNumber(text, max, icmpTypeNames());
  case FieldId::Icmpv6Type:
    return parseNamedNumber(text, max, icmpv6TypeNames());
  default:
    return parseNumber(text, max);
  }
}

std::optional<Bytes> parseFieldValue(FieldId field, std::string_view text) {
  if (text.starts_with("bytes:"))
    return parseHex(text.substr(6));
  switch (field) {
  case FieldId::Ip4Saddr:
  case FieldId::Ip4Daddr:
    return addressBytes(parseIp4(text));
  case FieldId::Ip6Saddr:
  case FieldId::Ip6Daddr:
    return addressBytes(parseIp6(text));
  default:
    break;
  }
  const unsigned width = fieldInfo(field).width;
  const uint64_t max =
      width >= 8 ? UINT64_MAX : (uint64_t(1) << (width * 8)) - 1;
  if (auto value = parseFieldNumber(field, text, max))
    return toBigEndian(*value, width);
  return std::nullopt;
}

std::optional<Module> readModule(const SourceBuffer &buffer,
                                 DiagnosticEngine &diags) {
  return Reader(buffer, diags).read();
}

} // namespace bfc::ir
