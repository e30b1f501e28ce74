// Reading an iptables-save dump: tables, chain headers, `-A` rules, COMMIT.
// Only the filter table is imported (docs/bfc.md, "bfc import").
#include <fmt/format.h>

#include <set>
#include <string_view>

#include "Model.h"
#include "RuleArguments.h"

namespace bfc::import {
namespace {

bool isBuiltinChain(std::string_view name) {
  return name == "INPUT" || name == "FORWARD" || name == "OUTPUT";
}

class DumpParser {
public:
  DumpParser(const SourceBuffer &input, const ImportOptions &options,
             DiagnosticEngine &diags)
      : input_(input), options_(options), diags_(diags) {}

  FilterTable parse() {
    std::string_view text = input_.text();
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos)
        end = text.size();
      line(static_cast<uint32_t>(start), text.substr(start, end - start));
      start = end + 1;
    }
    SourceRange atEnd = rangeOf(static_cast<uint32_t>(text.size()), 0);
    if (inTable_)
      diags_.error(tableRange_,
                   fmt::format("table '{}' has no COMMIT", tableName_));
    else if (!sawFilter_)
      diags_.error(atEnd, "the dump has no filter table ('*filter')");
    checkJumps();
    return std::move(table_);
  }

private:
  SourceRange rangeOf(uint32_t offset, uint32_t size) const {
    return {input_.locForOffset(offset), input_.locForOffset(offset + size)};
  }

  /// Splits a line into words; `"..."` quotes, with `\"` and `\\` inside.
  bool tokenize(uint32_t offset, std::string_view line,
                std::vector<Token> &out) {
    size_t i = 0;
    while (i < line.size()) {
      if (line[i] == ' ' || line[i] == '\t') {
        ++i;
        continue;
      }
      size_t begin = i;
      std::string word;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
        if (line[i] != '"') {
          word += line[i++];
          continue;
        }
        size_t quote = i++;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size())
            ++i;
          word += line[i++];
        }
        if (i >= line.size()) {
          diags_.error(rangeOf(offset + static_cast<uint32_t>(quote), 1),
                       "unterminated quote");
          return false;
        }
        ++i;
      }
      out.push_back({word, rangeOf(offset + static_cast<uint32_t>(begin),
                                   static_cast<uint32_t>(i - begin))});
    }
    return true;
  }

  void line(uint32_t offset, std::string_view text) {
    if (!text.empty() && text.back() == '\r')
      text.remove_suffix(1);
    std::vector<Token> words;
    if (!tokenize(offset, text, words) || words.empty() ||
        words[0].text[0] == '#')
      return;
    const Token &first = words[0];
    if (first.text[0] == '*')
      return tableStart(first);
    if (!inTable_) {
      diags_.error(first.range, "expected a table ('*filter') first");
      return;
    }
    if (first.text == "COMMIT") {
      inTable_ = false;
      return;
    }
    if (skipping_)
      return;
    if (first.text[0] == ':')
      return chainHeader(words);
    // `iptables-save -c` puts the rule's [packets:bytes] first: the dump's
    // state, not its rules, so it is ignored.
    size_t at = first.text.front() == '[' && first.text.back() == ']' ? 1 : 0;
    if (at < words.size() &&
        (words[at].text == "-A" || words[at].text == "--append"))
      return ruleLine(words, at, text);
    const Token &bad = at < words.size() ? words[at] : first;
    diags_.error(bad.range,
                 fmt::format("unexpected '{}' (an iptables-save dump has "
                             "chains ':NAME', rules '-A' and COMMIT)",
                             bad.text));
  }

  void tableStart(const Token &tok) {
    if (inTable_) {
      diags_.error(tok.range, fmt::format("table '{}' has no COMMIT before "
                                          "this table",
                                          tableName_));
    }
    inTable_ = true;
    tableName_ = tok.text.substr(1);
    tableRange_ = tok.range;
    skipping_ = tableName_ != "filter";
    if (!skipping_) {
      if (sawFilter_)
        diags_.error(tok.range, "a second filter table");
      sawFilter_ = true;
      return;
    }
    std::string message = fmt::format(
        "table '{}' cannot be imported: bfc imports the filter table only",
        tableName_);
    if (options_.lossy)
      diags_.warning(WarningID::LossyImport, tok.range,
                     message + "; skipped (--lossy)");
    else
      diags_.error(tok.range, message + " (--lossy skips it)");
  }

  void chainHeader(const std::vector<Token> &words) {
    const Token &first = words[0];
    Chain chain;
    chain.name = first.text.substr(1);
    chain.range = first.range;
    chain.builtin = isBuiltinChain(chain.name);
    if (chain.name.empty()) {
      diags_.error(first.range, "a chain needs a name");
      return;
    }
    if (table_.find(chain.name)) {
      diags_.error(first.range,
                   fmt::format("chain '{}' is declared twice", chain.name));
      return;
    }
    if (words.size() < 2) {
      diags_.error(first.range, "a chain header needs a policy");
      return;
    }
    const Token &policy = words[1];
    if (chain.builtin) {
      if (policy.text != "ACCEPT" && policy.text != "DROP") {
        diags_.error(
            policy.range,
            fmt::format("policy '{}' (expected ACCEPT or DROP)", policy.text));
        return;
      }
      chain.policy = policy.text;
    } else if (policy.text != "-") {
      diags_.error(policy.range, fmt::format("user chain '{}' has policy '{}' "
                                             "(expected '-')",
                                             chain.name, policy.text));
    }
    table_.chains.push_back(std::move(chain));
  }

  void ruleLine(const std::vector<Token> &words, size_t at,
                std::string_view text) {
    if (at + 1 >= words.size()) {
      diags_.error(words[at].range, "'-A' needs a chain");
      return;
    }
    const Token &chainName = words[at + 1];
    Chain *chain = nullptr;
    for (Chain &c : table_.chains)
      if (c.name == chainName.text)
        chain = &c;
    if (!chain) {
      diags_.error(chainName.range,
                   fmt::format("unknown chain '{}'", chainName.text));
      return;
    }
    Rule rule;
    rule.line = words[at].range.begin.line;
    rule.text = std::string(text.substr(words[at].range.begin.offset -
                                        words[0].range.begin.offset));
    std::vector<Token> args(words.begin() + static_cast<long>(at) + 2,
                            words.end());
    std::vector<Error> warnings;
    if (Expected<void> read =
            readRuleArguments(args, options_, table_, rule, warnings);
        !read) {
      const Error &e = read.error();
      bool unsupported = e.kind == ErrorKind::Unsupported;
      if (!unsupported || !options_.lossy) {
        bool saysLossy = e.message.find("--lossy") != std::string::npos;
        std::string hint = unsupported && !saysLossy
                               ? " (--lossy imports the rule as a comment)"
                               : "";
        diags_.error(e.range, e.message + hint);
        return;
      }
      diags_.warning(WarningID::LossyImport, e.range,
                     e.message + "; the rule is a comment (--lossy)");
      Rule skipped;
      skipped.line = rule.line;
      skipped.text = rule.text;
      rule = std::move(skipped);
      rule.target = Target::Skipped;
      rule.skippedReason = e.message;
    }
    for (const Error &w : warnings)
      diags_.warning(WarningID::LossyImport, w.range, w.message + " (--lossy)");
    chain->rules.push_back(std::move(rule));
  }

  /// Jumps name existing user chains (iptables-restore checks it too).
  void checkJumps() {
    for (const Chain &chain : table_.chains)
      for (const Rule &rule : chain.rules) {
        if (rule.target != Target::Jump && rule.target != Target::Goto)
          continue;
        const Chain *to = table_.find(rule.jumpChain);
        if (!to)
          diags_.error(rule.targetRange,
                       fmt::format("unknown chain '{}'", rule.jumpChain));
        else if (to->builtin)
          diags_.error(rule.targetRange,
                       fmt::format("cannot jump to built-in chain '{}'",
                                   rule.jumpChain));
      }
  }

  const SourceBuffer &input_;
  const ImportOptions &options_;
  DiagnosticEngine &diags_;
  FilterTable table_;
  bool inTable_ = false;
  bool skipping_ = false;
  bool sawFilter_ = false;
  std::string tableName_;
  SourceRange tableRange_;
};

} // namespace

FilterTable parseIptablesSave(const SourceBuffer &input,
                              const ImportOptions &options,
                              DiagnosticEngine &diags) {
  return DumpParser(input, options, diags).parse();
}

} // namespace bfc::import
