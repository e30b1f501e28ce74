// Entry point of the semantic analysis: walks the chains, checks names and
// hands each construct to the file that owns it (Hooks.cpp, Sets.cpp,
// Rules.cpp; payloads in Payload.cpp), then hands each chain to the
// caller's analysis (the never-matching warnings of lib/Transform).
//
// What is accepted mirrors bpfilter's bfcli (its lexer's payload shapes and
// its parsers); the deliberate differences (rules without matchers,
// interface names resolved by the loader, duplicate names, REDIRECT hooks,
// strict hook option numbers, ...) are listed in docs/language.md,
// "Differences from bpfilter".

#include "bfc/Sema/Sema.h"

#include <cctype>

#include <fmt/format.h>

#include "SemaInternal.h"

namespace bfc {

namespace sema {

void Context::error(SourceRange range, std::string message) {
  ++errors_;
  diags_.error(range, std::move(message));
}

void Context::warning(WarningID id, SourceRange range, std::string message) {
  diags_.warning(id, range, std::move(message));
}

void Context::note(SourceRange range, std::string message) {
  diags_.note(range, std::move(message));
}

void Context::payloadError(const ast::Token &token, const Error &error) {
  SourceRange range = token.range;
  if (error.length)
    range = subRange(token, error.offset, error.length);
  this->error(range, error.message);
}

SourceRange Context::subRange(const ast::Token &token, uint32_t offset,
                              uint32_t length) const {
  const SourceRange &r = token.range;
  if (!r.isValid() || !r.end.isValid() || r.end.offset < r.begin.offset ||
      r.end.offset > buffer_.text().size() ||
      r.end.offset - r.begin.offset != token.text.size() ||
      offset + length > token.text.size() ||
      buffer_.text().compare(r.begin.offset, token.text.size(), token.text) !=
          0)
    return r;
  return {buffer_.advance(r.begin, offset),
          buffer_.advance(r.begin, offset + length)};
}

std::string Context::sourceText(SourceRange range) const {
  if (!range.isValid() || !range.end.isValid() ||
      range.end.offset < range.begin.offset ||
      range.end.offset > buffer_.text().size())
    return {};
  std::string_view text(buffer_.text());
  text = text.substr(range.begin.offset, range.end.offset - range.begin.offset);
  std::string out;
  bool inComment = false;
  bool pendingSpace = false;
  bool pendingNewline = false; // a newline, i.e. an element separator in sets
  int braceDepth = 0;
  for (char c : text) {
    if (inComment && c != '\n')
      continue;
    inComment = false;
    if (c == '#') {
      inComment = true;
      pendingSpace = true;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      pendingSpace = true;
      pendingNewline |= c == '\n';
      continue;
    }
    if (pendingSpace && !out.empty()) {
      // Inside a set body a newline separates elements: keep it visible.
      bool separator =
          pendingNewline && braceDepth > 0 &&
          std::string_view(";,{").find(out.back()) == std::string_view::npos &&
          std::string_view(";,}").find(c) == std::string_view::npos;
      out += separator ? "; " : " ";
    }
    pendingSpace = pendingNewline = false;
    braceDepth += c == '{' ? 1 : c == '}' ? -1 : 0;
    out += c;
  }
  return out;
}

std::string keyText(const std::vector<ast::Token> &key) {
  std::string text = "(";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i)
      text += ", ";
    text += key[i].text;
  }
  return text + ")";
}

SourceRange spanOf(const std::vector<ast::Token> &tokens) {
  if (tokens.empty())
    return {};
  return {tokens.front().range.begin, tokens.back().range.end};
}

namespace {

/// Chain and set names become bpffs paths and map names: bpfilter's lexer
/// limits them to `[a-zA-Z0-9_]+`.
bool isValidName(std::string_view name) {
  if (name.empty())
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

void checkName(Context &ctx, const ast::Token &name, std::string_view what) {
  if (!name.text.empty() && !isValidName(name.text))
    ctx.error(name.range,
              fmt::format("invalid {} name '{}': only letters, digits and '_' "
                          "are allowed",
                          what, name.text));
}

void lowerRule(Context &ctx, ChainScope &scope, const ast::Rule &rule,
               uint32_t index) {
  ir::Rule out;
  out.index = index;
  out.range = rule.range;
  out.text = ctx.sourceText(rule.range);
  for (const ast::Matcher &matcher : rule.matchers) {
    std::optional<ir::Predicate> predicate =
        matcher.kind == ast::Matcher::Kind::Field
            ? lowerFieldMatcher(ctx, scope, matcher)
            : lowerSetMatcher(ctx, scope, matcher);
    if (predicate)
      out.predicates.push_back(std::move(*predicate));
  }
  lowerRuleOptions(ctx, scope, rule, out);
  lowerRuleVerdict(ctx, scope, rule.verdict, out);
  scope.chain.rules.push_back(std::move(out));
}

void lowerChain(Context &ctx, const ast::Chain &chain,
                const ChainAnalysis &analyzeChain, DiagnosticEngine &diags) {
  ir::Chain out;
  out.name = chain.name.text;
  out.range = chain.range;
  checkName(ctx, chain.name, "chain");

  std::optional<ir::Hook> hook = checkHook(ctx, chain.hook);
  if (hook)
    out.hook = *hook;
  lowerHookOptions(ctx, chain, hook, out);
  if (std::optional<ir::Verdict> policy = checkPolicy(ctx, chain.policy))
    out.policy = *policy;

  ChainScope scope{chain, out, hook, {}, 0, false};
  for (const ast::SetDecl &set : chain.sets) {
    checkName(ctx, set.name, "set");
    lowerSetDecl(ctx, scope, set);
  }

  std::vector<bool> valid;
  for (const ast::Rule &rule : chain.rules) {
    unsigned errorsBefore = ctx.errorCount();
    lowerRule(ctx, scope, rule, static_cast<uint32_t>(valid.size()));
    valid.push_back(ctx.errorCount() == errorsBefore);
  }
  if (analyzeChain)
    analyzeChain(out, valid, diags);
  ctx.module.chains.push_back(std::move(out));
}

} // namespace
} // namespace sema

std::optional<ir::Module> lowerToBFIR(const ast::Ruleset &ruleset,
                                      const SourceBuffer &buffer,
                                      DiagnosticEngine &diags,
                                      const ChainAnalysis &analyzeChain) {
  sema::Context ctx(buffer, diags);
  ctx.module.sourceName = buffer.name();

  for (const ast::Chain &chain : ruleset.chains)
    for (const ast::SetDecl &set : chain.sets)
      ctx.setOwners[set.name.text].push_back(chain.name.text);

  std::map<std::string, const ast::Chain *> chainsByName;
  for (const ast::Chain &chain : ruleset.chains) {
    auto [it, inserted] = chainsByName.emplace(chain.name.text, &chain);
    if (!inserted && !chain.name.text.empty()) {
      ctx.error(chain.name.range,
                fmt::format("duplicate chain name '{}'", chain.name.text));
      ctx.note(it->second->name.range, "previous definition is here");
    }
    sema::lowerChain(ctx, chain, analyzeChain, diags);
  }

  if (ctx.hadErrors())
    return std::nullopt;
  return std::move(ctx.module);
}

} // namespace bfc
