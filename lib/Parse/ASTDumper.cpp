// dumpAST: the `--emit=ast` form. One node per line, indented by depth, with
// the node's `<line:col>`; raw source text is quoted so payloads, names and
// values stand out from keywords. The format is stable: lit tests match it.
#include <string>

#include <fmt/format.h>

#include "SyntaxErrors.h"
#include "bfc/Parse/ParseRuleset.h"

namespace bfc {
namespace {

class ASTDumper {
public:
  explicit ASTDumper(std::ostream &os) : os_(os) {}

  void dump(const ast::Ruleset &ruleset) {
    line(0, "Ruleset");
    for (const ast::Chain &chain : ruleset.chains)
      dumpChain(chain);
  }

private:
  static std::string loc(const SourceRange &range) {
    return fmt::format("<{}:{}>", range.begin.line, range.begin.column);
  }
  static std::string quoted(const ast::Token &token) {
    return parse::quoteSource(token.text);
  }
  static std::string key(const std::vector<ast::Token> &types) {
    std::string out = "(";
    for (size_t i = 0; i < types.size(); ++i)
      out += (i ? ", " : "") + types[i].text;
    return out + ")";
  }
  void line(unsigned depth, const std::string &text) {
    os_ << std::string(2 * depth, ' ') << text << '\n';
  }

  void dumpChain(const ast::Chain &chain) {
    line(1,
         fmt::format("Chain {} name={} hook={} policy={}", loc(chain.range),
                     quoted(chain.name), chain.hook.text, chain.policy.text));
    if (chain.hasOptionBlock) {
      line(2, fmt::format("HookOptions count={}", chain.options.size()));
      for (const ast::HookOption &option : chain.options)
        line(3, fmt::format("HookOption {} {}={}", loc(option.range),
                            option.key.text, quoted(option.value)));
    }
    for (const ast::SetDecl &set : chain.sets) {
      line(2, fmt::format("Set {} name={} key={} op={} elements={}",
                          loc(set.range), quoted(set.name), key(set.key),
                          set.op.text, set.elements.size()));
      dumpElements(3, set.elements);
    }
    for (const ast::Rule &rule : chain.rules)
      dumpRule(rule);
  }

  void dumpElements(unsigned depth,
                    const std::vector<ast::SetElement> &elements) {
    for (const ast::SetElement &element : elements) {
      std::string text = fmt::format("Element {}", loc(element.range));
      for (size_t i = 0; i < element.components.size(); ++i)
        text += (i ? ", " : " ") + quoted(element.components[i]);
      line(depth, text);
    }
  }

  void dumpMatcher(const ast::Matcher &matcher) {
    std::string text;
    switch (matcher.kind) {
    case ast::Matcher::Kind::Field:
      text = fmt::format("Matcher {} type={}", loc(matcher.range),
                         matcher.types.empty() ? "" : matcher.types[0].text);
      break;
    case ast::Matcher::Kind::SetInline:
    case ast::Matcher::Kind::SetNamed:
      text = fmt::format("SetMatcher {} key={}", loc(matcher.range),
                         key(matcher.types));
      break;
    }
    if (matcher.negate)
      text += " not";
    if (matcher.op)
      text += " op=" + matcher.op->text;
    switch (matcher.kind) {
    case ast::Matcher::Kind::Field:
      text += " payload=" + quoted(matcher.payload);
      break;
    case ast::Matcher::Kind::SetNamed:
      text += " set=" + quoted(matcher.payload);
      break;
    case ast::Matcher::Kind::SetInline:
      text += fmt::format(" elements={}", matcher.elements.size());
      break;
    }
    line(3, text);
    dumpElements(4, matcher.elements);
  }

  void dumpOption(const ast::RuleOption &option) {
    switch (option.kind) {
    case ast::RuleOption::Kind::Log: {
      std::string text = "Log " + loc(option.range);
      if (!option.logHeaders.empty()) {
        text += " headers=";
        for (size_t i = 0; i < option.logHeaders.size(); ++i)
          text += (i ? "," : "") + option.logHeaders[i].text;
      }
      if (option.every)
        text += " every=" + quoted(*option.every);
      line(3, text);
      break;
    }
    case ast::RuleOption::Kind::Counter:
      line(3, "Counter " + loc(option.range));
      break;
    case ast::RuleOption::Kind::Mark:
      line(3, fmt::format("Mark {} value={}", loc(option.range),
                          quoted(option.value)));
      break;
    }
  }

  void dumpRule(const ast::Rule &rule) {
    line(2, "Rule " + loc(rule.range));
    for (const ast::Matcher &matcher : rule.matchers)
      dumpMatcher(matcher);
    for (const ast::RuleOption &option : rule.options)
      dumpOption(option);
    const ast::Verdict &verdict = rule.verdict;
    std::string text =
        fmt::format("Verdict {} {}", loc(verdict.range), verdict.name.text);
    if (verdict.iface)
      text += " iface=" + quoted(*verdict.iface);
    if (verdict.direction)
      text += " dir=" + verdict.direction->text;
    line(3, text);
  }

  std::ostream &os_;
};

} // namespace

void dumpAST(const ast::Ruleset &ruleset, std::ostream &os) {
  ASTDumper(os).dump(ruleset);
}

} // namespace bfc
