// parseRuleset: runs the generated ANTLR lexer/parser over a SourceBuffer and
// turns the parse tree into the AST of bfc/AST/AST.h.
#include "bfc/Parse/ParseRuleset.h"

#include <fmt/format.h>

#include "BfcLexer.h"
#include "BfcParser.h"
#include "CodePointStream.h"
#include "SyntaxErrors.h"

namespace bfc {
namespace {

using grammar::BfcLexer;
using grammar::BfcParser;
using parse::ErrorSink;
using parse::quoteSource;
using parse::TokenLocator;

/// The lexer has a catch-all rule in every mode, so this only fires if the
/// grammar ever loses one; it still turns the problem into a diagnostic.
class LexerErrorListener : public antlr4::BaseErrorListener {
public:
  LexerErrorListener(const SourceBuffer &buffer,
                     const parse::CodePointStream &stream, ErrorSink &errors)
      : buffer_(buffer), stream_(stream), errors_(errors) {}

  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *, size_t,
                   size_t, const std::string &, std::exception_ptr) override {
    auto *lexer = dynamic_cast<antlr4::Lexer *>(recognizer);
    uint32_t offset =
        lexer ? stream_.byteOffset(lexer->tokenStartCharIndex) : 0;
    SourceLoc loc = buffer_.locForOffset(offset);
    errors_.error({loc, buffer_.advance(loc, 1)}, "unrecognized input");
  }

private:
  const SourceBuffer &buffer_;
  const parse::CodePointStream &stream_;
  ErrorSink &errors_;
};

/// True when `ctx` or anything under it failed to parse; such statements are
/// kept in the AST as far as they go but get no further checks (their
/// syntax error was already reported).
bool hasSyntaxError(antlr4::tree::ParseTree *tree) {
  if (auto *ctx = dynamic_cast<antlr4::ParserRuleContext *>(tree)) {
    if (ctx->exception)
      return true;
    for (antlr4::tree::ParseTree *child : ctx->children)
      if (hasSyntaxError(child))
        return true;
    return false;
  }
  return dynamic_cast<antlr4::tree::ErrorNode *>(tree) != nullptr;
}

class ASTBuilder {
public:
  ASTBuilder(const TokenLocator &locator, ErrorSink &errors)
      : locator_(locator), errors_(errors) {}

  ast::Ruleset build(BfcParser::RulesetContext *tree);

private:
  ast::Token token(antlr4::tree::TerminalNode *node) const {
    return node ? locator_.astToken(node->getSymbol()) : ast::Token{};
  }
  std::optional<ast::Token>
  optionalToken(antlr4::tree::TerminalNode *node) const {
    if (!node)
      return std::nullopt;
    return token(node);
  }
  /// From the first to the last token of `ctx`.
  SourceRange span(antlr4::ParserRuleContext *ctx) const;
  static SourceRange join(SourceRange first, SourceRange last) {
    return {first.begin, last.isValid() ? last.end : first.end};
  }

  ast::Chain buildChain(BfcParser::ChainHeaderContext *ctx, bool broken);
  ast::SetDecl buildSetDecl(BfcParser::SetDeclContext *ctx, bool broken);
  ast::Rule buildRule(BfcParser::RuleDeclContext *ctx, bool broken);
  ast::Matcher buildFieldMatcher(BfcParser::FieldMatcherContext *ctx,
                                 bool broken);
  ast::Matcher buildSetMatcher(BfcParser::SetMatcherContext *ctx);
  ast::RuleOption buildOption(BfcParser::RuleOptionContext *ctx);
  ast::Verdict buildVerdict(BfcParser::VerdictContext *ctx, bool broken);
  std::vector<ast::Token> buildKey(BfcParser::SetKeyContext *ctx);
  std::vector<ast::SetElement> buildElements(BfcParser::SetBodyContext *ctx,
                                             bool broken);

  const TokenLocator &locator_;
  ErrorSink &errors_;
};

SourceRange ASTBuilder::span(antlr4::ParserRuleContext *ctx) const {
  if (!ctx)
    return {};
  SourceRange first = locator_.range(ctx->getStart());
  antlr4::Token *stop = ctx->getStop();
  // An empty context has its stop token before its start token.
  if (!stop || stop->getTokenIndex() < ctx->getStart()->getTokenIndex() ||
      stop->getType() == antlr4::Token::EOF)
    return first;
  return join(first, locator_.range(stop));
}

ast::Ruleset ASTBuilder::build(BfcParser::RulesetContext *tree) {
  ast::Ruleset ruleset;
  bool reportedOrphan = false;
  // Index in ruleset.chains of the chain that statements belong to.
  std::optional<size_t> current;

  for (BfcParser::StatementContext *statement : tree->statement()) {
    const bool broken = hasSyntaxError(statement);
    auto orphan = [&](antlr4::ParserRuleContext *ctx, std::string_view what) {
      if (!reportedOrphan && !broken)
        errors_.error(locator_.range(ctx->getStart()),
                      fmt::format("{} outside of a chain: a ruleset starts "
                                  "with 'chain NAME HOOK POLICY'",
                                  what));
      reportedOrphan = true;
    };

    if (auto *header = statement->chainHeader()) {
      ruleset.chains.push_back(buildChain(header, broken));
      current = ruleset.chains.size() - 1;
      continue;
    }

    if (auto *setCtx = statement->setDecl()) {
      if (!current) {
        orphan(setCtx, "set");
        continue;
      }
      ast::Chain &chain = ruleset.chains[*current];
      ast::SetDecl set = buildSetDecl(setCtx, broken);
      if (!chain.rules.empty() && !broken)
        errors_.error(set.name.range.isValid() ? set.name.range : set.range,
                      fmt::format("set {} must be declared before the rules "
                                  "of chain {}",
                                  quoteSource(set.name.text),
                                  quoteSource(chain.name.text)));
      chain.range = join(chain.range, set.range);
      chain.sets.push_back(std::move(set));
      continue;
    }

    if (auto *ruleCtx = statement->ruleDecl()) {
      if (!current) {
        orphan(ruleCtx, "rule");
        continue;
      }
      ast::Chain &chain = ruleset.chains[*current];
      ast::Rule rule = buildRule(ruleCtx, broken);
      chain.range = join(chain.range, rule.range);
      chain.rules.push_back(std::move(rule));
    }
  }
  return ruleset;
}

ast::Chain ASTBuilder::buildChain(BfcParser::ChainHeaderContext *ctx,
                                  bool broken) {
  ast::Chain chain;
  chain.name = token(ctx->NAME());
  chain.hook = token(ctx->HOOK());
  if (auto *options = ctx->hookOptions()) {
    chain.hasOptionBlock = true;
    for (BfcParser::HookOptionContext *option : options->hookOption()) {
      ast::HookOption hookOption;
      hookOption.key = token(option->OPT_WORD(0));
      hookOption.value = token(option->OPT_WORD(1));
      hookOption.range = span(option);
      chain.options.push_back(std::move(hookOption));
    }
  }
  if (auto *policy = ctx->policy();
      policy && !policy->exception && !policy->children.empty())
    if (auto *node = dynamic_cast<antlr4::tree::TerminalNode *>(
            policy->children.front()))
      chain.policy = token(node);
  chain.range = span(ctx);

  if (!broken &&
      (chain.policy.text == "CONTINUE" || chain.policy.text == "REDIRECT"))
    errors_.error(chain.policy.range,
                  fmt::format("{} is not a valid chain policy: use ACCEPT, "
                              "DROP or NEXT",
                              quoteSource(chain.policy.text)));
  return chain;
}

std::vector<ast::Token> ASTBuilder::buildKey(BfcParser::SetKeyContext *ctx) {
  std::vector<ast::Token> key;
  if (!ctx)
    return key;
  for (antlr4::tree::TerminalNode *type : ctx->MATCHER_TYPE())
    key.push_back(token(type));
  return key;
}

std::vector<ast::SetElement>
ASTBuilder::buildElements(BfcParser::SetBodyContext *ctx, bool broken) {
  std::vector<ast::SetElement> elements;
  if (!ctx)
    return elements;
  bool separated = true;
  for (antlr4::tree::ParseTree *child : ctx->children) {
    if (dynamic_cast<BfcParser::SetSeparatorContext *>(child)) {
      separated = true;
      continue;
    }
    auto *elementCtx = dynamic_cast<BfcParser::SetElementContext *>(child);
    if (!elementCtx)
      continue;
    ast::SetElement element;
    for (antlr4::tree::TerminalNode *component : elementCtx->ELEMENT())
      element.components.push_back(token(component));
    element.range = span(elementCtx);
    if (!separated && !broken)
      errors_.error(element.range,
                    fmt::format("expected ';' or a newline between set "
                                "elements but found {}",
                                quoteSource(element.components.empty()
                                                ? std::string()
                                                : element.components[0].text)));
    separated = false;
    elements.push_back(std::move(element));
  }
  return elements;
}

ast::SetDecl ASTBuilder::buildSetDecl(BfcParser::SetDeclContext *ctx,
                                      bool broken) {
  ast::SetDecl set;
  set.name = token(ctx->NAME());
  set.key = buildKey(ctx->setKey());
  set.op = token(ctx->OP());
  set.elements = buildElements(ctx->setBody(), broken);
  set.range = span(ctx);
  return set;
}

ast::Matcher ASTBuilder::buildFieldMatcher(BfcParser::FieldMatcherContext *ctx,
                                           bool broken) {
  ast::Matcher matcher;
  matcher.kind = ast::Matcher::Kind::Field;
  matcher.types.push_back(token(ctx->MATCHER_TYPE()));
  matcher.negate = optionalToken(ctx->NOT());
  matcher.op = optionalToken(ctx->OP());
  matcher.payload = token(ctx->PAYLOAD());
  matcher.range = span(ctx);
  if (broken)
    return matcher;

  const std::string &type = matcher.types.front().text;
  const bool isIn = matcher.op && matcher.op->text == "in";
  if (ctx->setBody() || isIn) {
    // Only the parenthesised form takes a set; bpfilter has the same rule.
    SourceRange where = matcher.op ? matcher.op->range : matcher.range;
    const std::string form =
        fmt::format("({}) {}in", type, matcher.negate ? "not " : "");
    if (ctx->setBody())
      errors_.error(where, fmt::format("a set needs its key in parentheses: "
                                       "write '{} {{ ... }}'",
                                       form));
    else
      errors_.error(where, fmt::format("'in' takes a set, with the key in "
                                       "parentheses: write '{} {{ ... }}' or "
                                       "'{} SET_NAME'",
                                       form, form));
  }
  return matcher;
}

ast::Matcher ASTBuilder::buildSetMatcher(BfcParser::SetMatcherContext *ctx) {
  ast::Matcher matcher;
  matcher.types = buildKey(ctx->setKey());
  matcher.negate = optionalToken(ctx->NOT());
  matcher.op = optionalToken(ctx->OP());
  if (auto *body = ctx->setBody()) {
    matcher.kind = ast::Matcher::Kind::SetInline;
    matcher.elements = buildElements(body, hasSyntaxError(ctx));
  } else {
    matcher.kind = ast::Matcher::Kind::SetNamed;
    matcher.payload = token(ctx->NAME());
  }
  matcher.range = span(ctx);
  return matcher;
}

ast::RuleOption ASTBuilder::buildOption(BfcParser::RuleOptionContext *ctx) {
  ast::RuleOption option;
  option.range = span(ctx);
  if (auto *log = ctx->logOption()) {
    option.kind = ast::RuleOption::Kind::Log;
    option.keyword = token(log->LOG());
    for (antlr4::tree::TerminalNode *header : log->NAME())
      option.logHeaders.push_back(token(header));
    if (log->EVERY())
      option.every = token(log->VALUE());
  } else if (auto *mark = ctx->markOption()) {
    option.kind = ast::RuleOption::Kind::Mark;
    option.keyword = token(mark->MARK());
    option.value = token(mark->VALUE());
  } else {
    option.kind = ast::RuleOption::Kind::Counter;
    option.keyword = locator_.astToken(ctx->getStart());
  }
  return option;
}

ast::Verdict ASTBuilder::buildVerdict(BfcParser::VerdictContext *ctx,
                                      bool broken) {
  ast::Verdict verdict;
  if (!ctx || ctx->exception || ctx->children.empty())
    return verdict;
  if (auto *node =
          dynamic_cast<antlr4::tree::TerminalNode *>(ctx->children.front()))
    verdict.name = token(node);
  if (ctx->REDIRECT()) {
    verdict.iface = optionalToken(ctx->IFACE());
    verdict.direction = optionalToken(ctx->DIRECTION());
    if (!broken && verdict.direction && verdict.direction->text != "in" &&
        verdict.direction->text != "out")
      errors_.error(verdict.direction->range,
                    fmt::format("expected a direction ('in' or 'out') after "
                                "the interface but found {}",
                                quoteSource(verdict.direction->text)));
  }
  verdict.range = span(ctx);
  return verdict;
}

ast::Rule ASTBuilder::buildRule(BfcParser::RuleDeclContext *ctx, bool broken) {
  ast::Rule rule;
  rule.keyword = token(ctx->RULE());
  for (antlr4::tree::ParseTree *child : ctx->children) {
    if (auto *matcherCtx = dynamic_cast<BfcParser::MatcherContext *>(child)) {
      ast::Matcher matcher =
          matcherCtx->setMatcher()
              ? buildSetMatcher(matcherCtx->setMatcher())
              : buildFieldMatcher(matcherCtx->fieldMatcher(), broken);
      if (!rule.options.empty() && !broken)
        errors_.error(
            matcher.range,
            fmt::format("matchers come before the rule options: move this "
                        "matcher before {}",
                        quoteSource(rule.options.front().keyword.text)));
      rule.matchers.push_back(std::move(matcher));
    } else if (auto *optionCtx =
                   dynamic_cast<BfcParser::RuleOptionContext *>(child)) {
      rule.options.push_back(buildOption(optionCtx));
    }
  }
  rule.verdict = buildVerdict(ctx->verdict(), broken);
  rule.range = span(ctx);
  return rule;
}

} // namespace

bool parseRuleset(const SourceBuffer &buffer, DiagnosticEngine &diags,
                  ast::Ruleset &out) {
  ErrorSink errors(diags);
  try {
    parse::CodePointStream input(buffer.text(), buffer.name());
    BfcLexer lexer(&input);
    LexerErrorListener lexerErrors(buffer, input, errors);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&lexerErrors);

    antlr4::CommonTokenStream tokens(&lexer);
    BfcParser parser(&tokens);
    parser.removeErrorListeners();
    TokenLocator locator(buffer, input, tokens);
    parser.setErrorHandler(
        std::make_shared<parse::SyntaxErrorStrategy>(locator, errors));

    BfcParser::RulesetContext *tree = parser.ruleset();
    out = ASTBuilder(locator, errors).build(tree);
  } catch (const std::exception &e) {
    // Never expected; a diagnostic is still better than a crash.
    errors.error({}, fmt::format("internal error while parsing: {}", e.what()));
  }
  const bool ok = !errors.failed();
  errors.flush();
  return ok;
}

} // namespace bfc
