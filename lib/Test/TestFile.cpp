#include "bfc/Test/TestFile.h"

#include <algorithm>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "bfc/IR/Names.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Support/Text.h"

namespace bfc::rulesettest {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/// A word of a test-file line and where it starts in the buffer.
struct Token {
  std::string_view text;
  uint32_t offset = 0;
};

/// A decimal or 0x-prefixed hexadecimal 32-bit number.
std::optional<uint32_t> parseNumber(std::string_view text) {
  if (std::optional<uint64_t> value = ir::parseNumber(text, UINT32_MAX))
    return static_cast<uint32_t>(*value);
  return std::nullopt;
}

std::optional<ir::Verdict> parseVerdict(std::string_view text) {
  for (ir::Verdict v : {ir::Verdict::Accept, ir::Verdict::Drop,
                        ir::Verdict::Next, ir::Verdict::Redirect}) {
    std::string_view name = ir::verdictName(v);
    if (text.size() == name.size() &&
        std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        }))
      return v;
  }
  return std::nullopt;
}

class Parser {
public:
  Parser(const SourceBuffer &buffer, const ir::Module &module,
         DiagnosticEngine &diags)
      : buffer_(buffer), module_(module), diags_(diags) {}

  TestFile parse() {
    TestFile file;
    file.path = buffer_.name();
    if (module_.chains.size() == 1)
      chain_ = &module_.chains.front();
    const std::string &text = buffer_.text();
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos)
        end = text.size();
      parseLine(static_cast<uint32_t>(start),
                std::string_view(text).substr(start, end - start), file);
      start = end + 1;
    }
    return file;
  }

private:
  void error(uint32_t offset, size_t length, std::string message) {
    SourceLoc begin = buffer_.locForOffset(offset);
    diags_.error(
        {begin, buffer_.advance(
                    begin, static_cast<uint32_t>(std::max<size_t>(length, 1)))},
        std::move(message));
  }
  void error(const Token &token, std::string message) {
    error(token.offset, token.text.size(), std::move(message));
  }

  /// Splits `line` (at buffer offset `base`) into whitespace-separated
  /// words, up to a `#` comment.
  static std::vector<Token> words(std::string_view line, uint32_t base) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && isSpace(line[i]))
        ++i;
      if (i == line.size() || line[i] == '#')
        break;
      size_t begin = i;
      while (i < line.size() && !isSpace(line[i]))
        ++i;
      out.push_back(
          {line.substr(begin, i - begin), base + static_cast<uint32_t>(begin)});
    }
    return out;
  }

  void parseLine(uint32_t base, std::string_view line, TestFile &file) {
    std::vector<Token> tokens = words(line, base);
    if (tokens.empty())
      return;
    if (tokens[0].text == "chain") {
      parseChainDirective(tokens);
      return;
    }
    if (tokens[0].text == "iface") {
      parseIfaceDirective(tokens);
      return;
    }
    parseCase(tokens, buffer_.locForOffset(base).line, file);
  }

  void parseChainDirective(const std::vector<Token> &tokens) {
    if (tokens.size() != 2) {
      error(tokens.size() < 2 ? tokens[0] : tokens[2],
            "expected 'chain NAME' on a line of its own");
      return;
    }
    for (const ir::Chain &chain : module_.chains)
      if (chain.name == tokens[1].text) {
        chain_ = &chain;
        return;
      }
    std::string known;
    for (const ir::Chain &chain : module_.chains)
      known += (known.empty() ? "" : ", ") + chain.name;
    error(tokens[1], fmt::format("the ruleset has no chain '{}' (its chains: "
                                 "{})",
                                 escapeForDisplay(tokens[1].text), known));
    chain_ = nullptr;
    chainError_ = true;
  }

  /// `iface NAME=INDEX`: the interface a ruleset's name stands for in the
  /// cases that follow.
  void parseIfaceDirective(const std::vector<Token> &tokens) {
    if (tokens.size() != 2) {
      error(tokens.size() < 2 ? tokens[0] : tokens[2],
            "expected 'iface NAME=INDEX' on a line of its own");
      return;
    }
    std::string_view text = tokens[1].text;
    size_t eq = text.find('=');
    std::optional<uint32_t> index = eq == std::string_view::npos
                                        ? std::nullopt
                                        : parseNumber(text.substr(eq + 1));
    if (eq == 0 || !index || *index == 0) {
      error(tokens[1], "expected 'iface NAME=INDEX' (INDEX an interface "
                       "index, 1 or more)");
      return;
    }
    ifaces_[std::string(text.substr(0, eq))] = *index;
    reported_.clear();
  }

  void parseCase(const std::vector<Token> &tokens, uint32_t line,
                 TestFile &file) {
    const Token &first = tokens[0];
    if (first.text.size() < 2 || first.text.back() != ':' ||
        first.text.find(':') != first.text.size() - 1) {
      error(first, "expected a case 'NAME: PACKET -> VERDICT' or "
                   "'chain NAME'");
      return;
    }
    TestCase test;
    test.line = line;
    test.name = std::string(first.text.substr(0, first.text.size() - 1));
    auto arrow = std::find_if(tokens.begin() + 1, tokens.end(),
                              [](const Token &t) { return t.text == "->"; });
    if (arrow == tokens.begin() + 1) {
      error(tokens.size() > 1 ? tokens[1] : first,
            "expected a packet spec after the case name");
      return;
    }
    if (arrow == tokens.end()) {
      const Token &last = tokens.back();
      error(last.offset + static_cast<uint32_t>(last.text.size()), 1,
            "expected '-> VERDICT' after the packet spec");
      return;
    }
    // The spec runs from its first word to its last, as written.
    const Token &specBegin = tokens[1];
    const Token &specEnd = *(arrow - 1);
    test.spec = std::string(buffer_.text().substr(
        specBegin.offset,
        specEnd.offset + specEnd.text.size() - specBegin.offset));
    if (arrow + 1 == tokens.end()) {
      error(*arrow, "expected a verdict (ACCEPT, DROP, NEXT or REDIRECT) "
                    "after '->'");
      return;
    }
    bool ok = true;
    if (std::optional<ir::Verdict> verdict = parseVerdict((arrow + 1)->text))
      test.verdict = *verdict;
    else {
      error(*(arrow + 1), fmt::format("unknown verdict '{}' (expected ACCEPT, "
                                      "DROP, NEXT or REDIRECT)",
                                      escapeForDisplay((arrow + 1)->text)));
      ok = false;
    }
    if (!chain_) {
      if (!chainError_)
        error(first, fmt::format("which chain? The ruleset has {} chains: put "
                                 "'chain NAME' before the cases",
                                 module_.chains.size()));
      chainError_ = true;
      return;
    }
    test.chain = chain_;
    test.ifaces = ifaces_;
    for (auto it = arrow + 2; it != tokens.end(); ++it)
      ok &= parseExpectation(*it, test);
    ok &= parseInput(specBegin.offset, test);
    if (!names_.insert(test.name).second) {
      error(first.offset, first.text.size() - 1,
            fmt::format("a case named '{}' already exists in this file",
                        escapeForDisplay(test.name)));
      ok = false;
    }
    if (ok)
      file.cases.push_back(std::move(test));
  }

  /// A counter slot: a rule index, `policy` or `errors`.
  std::optional<uint32_t> parseSlot(std::string_view text,
                                    const ir::Chain &chain, bool allowErrors) {
    uint32_t rules = static_cast<uint32_t>(chain.rules.size());
    if (text == "policy")
      return rules;
    if (text == "errors" && allowErrors)
      return rules + 1;
    std::optional<uint32_t> index = parseNumber(text);
    if (index && *index < rules)
      return index;
    return std::nullopt;
  }

  std::string slotHelp(const ir::Chain &chain, bool allowErrors) {
    std::string rules =
        chain.rules.empty()
            ? std::string("it has no rules")
            : fmt::format("rules are 0 to {}", chain.rules.size() - 1);
    return fmt::format("chain '{}': {}, or policy{}", chain.name, rules,
                       allowErrors ? " or errors" : "");
  }

  bool parseExpectation(const Token &token, TestCase &test) {
    size_t eq = token.text.find('=');
    std::string_view key = token.text.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? "" : token.text.substr(eq + 1);
    Token valueToken{value, token.offset + static_cast<uint32_t>(eq + 1)};
    const ir::Chain &chain = *test.chain;
    if (eq == std::string_view::npos ||
        (key != "rule" && key != "counters" && key != "mark")) {
      error(token, fmt::format("unknown expectation '{}' (expected rule=, "
                               "counters= or mark=)",
                               escapeForDisplay(token.text)));
      return false;
    }
    auto duplicate = [&](bool given) {
      if (given)
        error(token, fmt::format("'{}=' is given twice", key));
      return given;
    };
    if (key == "rule") {
      if (duplicate(test.rule.has_value()))
        return false;
      test.rule = parseSlot(value, chain, false);
      if (!test.rule)
        error(valueToken,
              fmt::format("bad rule '{}' ({})", escapeForDisplay(value),
                          slotHelp(chain, false)));
      return test.rule.has_value();
    }
    if (key == "mark") {
      if (duplicate(test.mark.has_value()))
        return false;
      test.mark = parseNumber(value);
      if (!test.mark)
        error(valueToken, fmt::format("bad mark '{}' (expected a 32-bit "
                                      "number, e.g. 42 or 0x2a)",
                                      escapeForDisplay(value)));
      return test.mark.has_value();
    }
    if (duplicate(test.counters.has_value()))
      return false;
    std::vector<uint32_t> slots;
    if (value != "none") {
      size_t pos = 0;
      while (true) {
        size_t comma = value.find(',', pos);
        std::string_view item = value.substr(pos, comma - pos);
        std::optional<uint32_t> slot = parseSlot(item, chain, true);
        if (!slot) {
          error({item, valueToken.offset + static_cast<uint32_t>(pos)},
                fmt::format("bad counter '{}' ({}; 'counters=none' when none "
                            "moves)",
                            escapeForDisplay(item), slotHelp(chain, true)));
          return false;
        }
        slots.push_back(*slot);
        if (comma == std::string_view::npos)
          break;
        pos = comma + 1;
      }
    }
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    test.counters = std::move(slots);
    return true;
  }

  /// Parses the spec with lib/Packet and checks the chain's hook takes it.
  bool parseInput(uint32_t specOffset, TestCase &test) {
    Expected<packet::Input> input = packet::parseInput(test.spec);
    if (!input) {
      const Error &e = input.error();
      error(specOffset + static_cast<uint32_t>(
                             std::min<size_t>(e.offset, test.spec.size())),
            1, fmt::format("bad packet spec: {}", e.message));
      return false;
    }
    test.input = std::move(*input);
    interp::Interpreter interpreter(module_, *test.chain, {test.ifaces});
    std::vector<std::string> problems = interpreter.checkChain();
    if (!problems.empty()) {
      if (reported_.insert(test.chain).second)
        error(
            specOffset, test.spec.size(),
            fmt::format("chain '{}' cannot run: {}{}", test.chain->name,
                        problems.front(),
                        problems.front().find("interface") != std::string::npos
                            ? " (say which with 'iface NAME=INDEX')"
                            : ""));
      return false;
    }
    if (std::optional<std::string> problem =
            interpreter.checkInput(inputForHook(test.input, *test.chain))) {
      error(specOffset, test.spec.size(),
            fmt::format("chain '{}' ({}) cannot take this input: {}",
                        test.chain->name, ir::hookName(test.chain->hook),
                        *problem));
      return false;
    }
    return true;
  }

  const SourceBuffer &buffer_;
  const ir::Module &module_;
  DiagnosticEngine &diags_;
  const ir::Chain *chain_ = nullptr;
  bool chainError_ = false; ///< reported once; cases without a chain skip
  std::map<std::string, uint32_t> ifaces_;
  /// Chains that cannot run with ifaces_, reported once.
  std::set<const ir::Chain *> reported_;
  std::set<std::string> names_; ///< of every case, good or not
};

} // namespace

packet::Input inputForHook(const packet::Input &input, const ir::Chain &chain) {
  if (const auto *pkt = std::get_if<packet::Packet>(&input))
    return packet::adaptForHook(*pkt, ir::hookHasL2(chain.hook));
  return input;
}

std::optional<TestFile> parseTestFile(const SourceBuffer &buffer,
                                      const ir::Module &module,
                                      DiagnosticEngine &diags) {
  unsigned errorsBefore = diags.errorCount();
  TestFile file = Parser(buffer, module, diags).parse();
  if (diags.errorCount() != errorsBefore)
    return std::nullopt;
  return file;
}

std::string counterSlotName(const ir::Chain &chain, uint32_t slot) {
  if (slot < chain.rules.size())
    return fmt::format("{}", slot);
  return slot == chain.rules.size() ? "policy" : "errors";
}

} // namespace bfc::rulesettest
