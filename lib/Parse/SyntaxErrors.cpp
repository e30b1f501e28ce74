#include "SyntaxErrors.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "BfcParser.h"

namespace bfc::parse {

using antlr4::Token;
using grammar::BfcParser;

SourceRange TokenLocator::range(const Token *token) const {
  if (!token)
    return {};
  if (token->getType() == Token::EOF) {
    const Token *prev = previous(token);
    uint32_t offset = prev ? stream_.byteOffset(prev->getStopIndex() + 1) : 0;
    SourceLoc loc = buffer_.locForOffset(offset);
    return {loc, loc};
  }
  const size_t start = token->getStartIndex();
  const size_t stop = token->getStopIndex();
  if (start == INVALID_INDEX || stop == INVALID_INDEX)
    return {};
  return {buffer_.locForOffset(stream_.byteOffset(start)),
          buffer_.locForOffset(stream_.byteOffset(stop + 1))};
}

std::string TokenLocator::text(const Token *token) const {
  SourceRange r = range(token);
  if (!r.isValid())
    return {};
  return buffer_.text().substr(r.begin.offset, r.end.offset - r.begin.offset);
}

ast::Token TokenLocator::astToken(const Token *token) const {
  return {text(token), range(token)};
}

const Token *TokenLocator::previous(const Token *token) const {
  const size_t index = token->getTokenIndex();
  if (index == INVALID_INDEX || index == 0 || index > tokens_.size())
    return nullptr;
  return tokens_.get(index - 1);
}

void ErrorSink::flush() {
  std::stable_sort(
      groups_.begin(), groups_.end(),
      [](const std::vector<Diagnostic> &a, const std::vector<Diagnostic> &b) {
        return a.front().range.begin.offset < b.front().range.begin.offset;
      });
  for (std::vector<Diagnostic> &group : groups_)
    for (Diagnostic &diag : group)
      diags_.report(diag.severity, diag.range, std::move(diag.message));
  groups_.clear();
}

std::string quoteSource(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  size_t shown = 0;
  for (size_t i = 0; i < text.size();) {
    if (shown >= kMaxShown) {
      out += "...";
      break;
    }
    std::string_view character = firstCharacter(text.substr(i));
    out += escapeForDisplay(character);
    i += character.size();
    ++shown;
  }
  return out + "'";
}

std::string describeToken(const TokenLocator &locator, const Token *token) {
  if (!token || token->getType() == Token::EOF)
    return "end of input";
  if (token->getType() == BfcParser::NEWLINE)
    return "a newline";
  return quoteSource(locator.text(token));
}

namespace {

/// Tokens that end a payload-like lexer mode (see BfcLexer.g4): meeting one
/// where a `}` or `)` is still expected means the block was never closed.
bool endsBlock(const Token *token) {
  switch (token->getType()) {
  case Token::EOF:
  case BfcParser::CHAIN:
  case BfcParser::RULE:
  case BfcParser::SET:
  case BfcParser::COUNTER:
  case BfcParser::LOG:
  case BfcParser::MARK:
  case BfcParser::EVERY:
  case BfcParser::ACCEPT:
  case BfcParser::DROP:
  case BfcParser::CONTINUE:
  case BfcParser::NEXT:
  case BfcParser::REDIRECT:
  case BfcParser::HOOK:
    return true;
  default:
    return false;
  }
}

bool isStatementStart(size_t type) {
  return type == BfcParser::CHAIN || type == BfcParser::SET ||
         type == BfcParser::RULE || type == Token::EOF;
}

antlr4::misc::IntervalSet statementStarts() {
  return antlr4::misc::IntervalSet::of(BfcParser::CHAIN)
      .Or(antlr4::misc::IntervalSet::of(BfcParser::SET))
      .Or(antlr4::misc::IntervalSet::of(BfcParser::RULE))
      .Or(antlr4::misc::IntervalSet::of(Token::EOF));
}

/// Generic description of an expected token, for contexts without a
/// dedicated message.
std::string describeExpectedType(antlr4::Parser *parser, size_t type) {
  switch (type) {
  case Token::EOF:
    return "end of input";
  case BfcParser::NAME:
    return "a name";
  case BfcParser::HOOK:
    return "a hook";
  case BfcParser::MATCHER_TYPE:
    return "a matcher type";
  case BfcParser::PAYLOAD:
    return "a payload";
  case BfcParser::ELEMENT:
    return "a set element";
  case BfcParser::OPT_WORD:
    return "a hook option";
  case BfcParser::VALUE:
    return "a value";
  case BfcParser::IFACE:
    return "an interface";
  case BfcParser::DIRECTION:
    return "a direction";
  case BfcParser::OP:
    return "an operator";
  case BfcParser::NEWLINE:
    return "a newline";
  default:
    break;
  }
  std::string literal{parser->getVocabulary().getLiteralName(type)};
  if (!literal.empty())
    return literal;
  return fmt::format("'{}'", parser->getVocabulary().getSymbolicName(type));
}

std::string joinAlternatives(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i)
      out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

} // namespace

void SyntaxErrorStrategy::reportError(antlr4::Parser *parser,
                                      const antlr4::RecognitionException &e) {
  Token *found = e.getOffendingToken();
  if (!found)
    found = parser->getCurrentToken();
  reportSyntaxError(parser, found);
}

void SyntaxErrorStrategy::reportSyntaxError(antlr4::Parser *parser,
                                            Token *found) {
  // One diagnostic per error: stay silent until a token matches again.
  if (inErrorRecoveryMode(parser))
    return;
  beginErrorCondition(parser);
  SourceRange where = locator_.range(found);
  std::string message = expectation(parser, found, where);
  errors_.error(where, std::move(message));
  noteOperatorTypo(parser, found);
}

std::string SyntaxErrorStrategy::expectation(antlr4::Parser *parser,
                                             Token *found, SourceRange &where) {
  antlr4::ParserRuleContext *ctx = parser->getContext();
  const antlr4::misc::IntervalSet expected = parser->getExpectedTokens();
  const std::string foundText = describeToken(locator_, found);
  auto expects = [&](size_t type) { return expected.contains(type); };
  auto butFound = [&](std::string what) {
    return fmt::format("expected {} but found {}", what, foundText);
  };
  // The text of the first token of `c` (e.g. the matcher type).
  auto startText = [&](antlr4::ParserRuleContext *c) {
    return quoteSource(locator_.text(c->getStart()));
  };
  auto unterminated = [&](antlr4::ParserRuleContext *block,
                          std::string_view what, std::string_view brace) {
    where = locator_.range(block->getStart());
    return fmt::format("unterminated {} '{}'", what, brace);
  };

  if (found->getType() == BfcParser::NOT &&
      (ctx->getRuleIndex() == BfcParser::RuleFieldMatcher ||
       ctx->getRuleIndex() == BfcParser::RuleSetMatcher))
    return "'not' goes before the operator: write 'TYPE not OP PAYLOAD'";

  switch (ctx->getRuleIndex()) {
  case BfcParser::RuleRuleset:
  case BfcParser::RuleStatement:
    return butFound("'chain', 'set' or 'rule'");
  case BfcParser::RuleChainHeader:
    if (expects(BfcParser::NAME))
      return butFound("a chain name after 'chain'");
    if (expects(BfcParser::HOOK))
      return butFound("a hook (e.g. BF_HOOK_XDP) after the chain name");
    break;
  case BfcParser::RulePolicy:
    return butFound("chain policy (ACCEPT, DROP, NEXT)");
  case BfcParser::RuleHookOptions:
    if (endsBlock(found))
      return unterminated(ctx, "hook options", "{");
    return butFound("a hook option KEY=VALUE, ',' or '}'");
  case BfcParser::RuleHookOption:
    if (endsBlock(found))
      return unterminated(
          dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent),
          "hook options", "{");
    if (expects(BfcParser::EQUALS))
      return butFound(fmt::format("'=' after hook option {}", startText(ctx)));
    return butFound(
        fmt::format("a value after hook option {}", startText(ctx)));
  case BfcParser::RuleSetDecl:
    if (expects(BfcParser::NAME))
      return butFound("a set name after 'set'");
    if (expects(BfcParser::LPAREN))
      return butFound("the set key in parentheses, e.g. (ip4.saddr),");
    if (expects(BfcParser::OP))
      return butFound("'in' after the set key");
    if (expects(BfcParser::LBRACE))
      return butFound("'{' after 'in'");
    break;
  case BfcParser::RuleSetKey:
    if (expects(BfcParser::LPAREN))
      return butFound("the set key in parentheses, e.g. (ip4.saddr),");
    if (expects(BfcParser::MATCHER_TYPE)) {
      if (found->getType() == Token::EOF)
        return unterminated(ctx, "set key", "(");
      return butFound("a matcher type in the set key");
    }
    if (endsBlock(found))
      return unterminated(ctx, "set key", "(");
    return butFound("',' or ')' in the set key");
  case BfcParser::RuleSetBody:
    if (expects(BfcParser::LBRACE))
      return butFound("'{' after 'in'");
    if (endsBlock(found))
      return unterminated(ctx, "set", "{");
    return butFound("a set element, ';', a newline or '}'");
  case BfcParser::RuleSetElement:
    if (endsBlock(found))
      return unterminated(
          dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent), "set", "{");
    return butFound("a set element after ','");
  case BfcParser::RuleRuleDecl:
  case BfcParser::RuleVerdict:
    if (expects(BfcParser::IFACE))
      return butFound("an interface name or index after 'REDIRECT'");
    if (expects(BfcParser::DIRECTION))
      return butFound("a direction ('in' or 'out') after the interface");
    if (found->getType() == BfcParser::EVERY)
      return "'every' must follow 'log': write 'log [HEADERS] every FREQ'";
    if (found->getType() == BfcParser::NAME && locator_.text(found) == "not")
      return "'not' goes after the matcher type: write 'TYPE not PAYLOAD'";
    return butFound("a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT)");
  case BfcParser::RuleFieldMatcher:
    return butFound(fmt::format("a payload for {}", startText(ctx)));
  case BfcParser::RuleSetMatcher:
    if (expects(BfcParser::OP))
      return butFound("'in' after the set key");
    return butFound("a set '{ ... }' or a set name after 'in'");
  case BfcParser::RuleLogOption:
    if (expects(BfcParser::VALUE))
      return butFound("a frequency after 'every' (e.g. 1s, 500ms)");
    return butFound("a log header (link, internet, transport) after ','");
  case BfcParser::RuleMarkOption:
    return butFound("a mark value after 'mark'");
  default:
    break;
  }

  std::vector<std::string> items;
  for (ssize_t type : expected.toList())
    items.push_back(describeExpectedType(parser, static_cast<size_t>(type)));
  if (items.empty())
    return fmt::format("unexpected {}", foundText);
  return butFound(joinAlternatives(items));
}

/// `tcp.dport gt 80`: `gt` is taken as the payload and the error shows up at
/// `80`. Point at the word the user probably meant as an operator.
void SyntaxErrorStrategy::noteOperatorTypo(antlr4::Parser *parser,
                                           Token *found) {
  if (found->getType() == Token::EOF || endsBlock(found))
    return;
  const Token *payload = locator_.previous(found);
  if (!payload || payload->getType() != BfcParser::PAYLOAD)
    return;
  const Token *type = locator_.previous(payload);
  if (!type || type->getType() != BfcParser::MATCHER_TYPE)
    return;
  const std::string word = locator_.text(payload);
  if (word.empty() || word.size() > 8 ||
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
    return;
  // Only when what follows looks like the real payload (a number or an
  // address): `meta.l4_proto tcp foo` has nothing to do with operators.
  const std::string next = locator_.text(found);
  if (next.empty() ||
      (!std::isdigit(static_cast<unsigned char>(next[0])) && next[0] != ':'))
    return;
  SourceRange payloadRange = locator_.range(payload);
  if (payloadRange.begin.line != locator_.range(found).begin.line)
    return;
  errors_.note(payloadRange,
               fmt::format("{} was read as the payload of {}; the operators "
                           "are eq, any, all, range and in",
                           quoteSource(word),
                           quoteSource(locator_.text(type))));
}

void SyntaxErrorStrategy::recover(antlr4::Parser *parser,
                                  std::exception_ptr e) {
  const size_t index = parser->getInputStream()->index();
  if (index == lastRecoverIndex_) {
    // Each enclosing rule recovers once at the same token; more than that
    // would mean no progress, so skip the token.
    if (++recoversAtSameIndex_ > 16 &&
        parser->getInputStream()->LA(1) != Token::EOF) {
      parser->consume();
      recoversAtSameIndex_ = 0;
    }
  } else {
    lastRecoverIndex_ = index;
    recoversAtSameIndex_ = 0;
  }
  consumeUntil(parser, statementStarts());
}

Token *SyntaxErrorStrategy::recoverInline(antlr4::Parser *parser) {
  throw antlr4::InputMismatchException(parser);
}

void SyntaxErrorStrategy::sync(antlr4::Parser *parser) {
  if (parser->getContext()->getRuleIndex() != BfcParser::RuleRuleset)
    return;
  Token *current = parser->getCurrentToken();
  if (isStatementStart(current->getType()))
    return;
  reportSyntaxError(parser, current);
  consumeUntil(parser, statementStarts());
}

} // namespace bfc::parse
