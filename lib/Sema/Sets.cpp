// Sets: keys, elements, named declarations and `in` matchers.

#include <set>

#include <fmt/format.h>

#include "SemaInternal.h"
#include "Suggestions.h"

namespace bfc::sema {

namespace {

/// bpfilter's limit on the components of a set key.
constexpr size_t kMaxKeyComponents = 8;

std::string setKeyTypesText() {
  std::string text;
  for (const std::string &name : matcherNames()) {
    const MatcherInfo *info = findMatcher(name);
    if (!supportsOp(*info, MatcherOp::In))
      continue;
    if (!text.empty())
      text += ", ";
    text += name;
  }
  return text;
}

/// The key bytes an LPM element is compared on: the first `prefixLen` bits.
ir::Bytes maskedKey(const ir::Bytes &key, uint8_t prefixLen) {
  ir::Bytes out = key;
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned bits = prefixLen > 8 * i ? prefixLen - 8 * i : 0;
    if (bits < 8)
      out[i] &= static_cast<uint8_t>(0xff00u >> bits);
  }
  return out;
}

/// Parses `elements` against `key` into `set`. Duplicates (same key, or for
/// LPM sets same network) are dropped with a warning, as a map would keep
/// only one of them.
void lowerElements(Context &ctx, const std::vector<const MatcherInfo *> &key,
                   const std::vector<ast::Token> &keyTokens,
                   const std::vector<ast::SetElement> &elements, ir::Set &set) {
  std::set<std::pair<ir::Bytes, uint8_t>> seen;
  for (const ast::SetElement &element : elements) {
    if (element.components.size() != key.size()) {
      SourceRange at = element.range;
      if (element.components.size() > key.size())
        at = element.components[key.size()].range;
      ctx.error(at, fmt::format("set element has {} component{}, but the key "
                                "{} has {}",
                                element.components.size(),
                                element.components.size() == 1 ? "" : "s",
                                keyText(keyTokens), key.size()));
      continue;
    }
    ir::SetElement out;
    out.range = element.range;
    bool ok = true;
    for (size_t i = 0; i < key.size(); ++i) {
      const ast::Token &component = element.components[i];
      if (component.text.empty()) {
        ctx.error(component.range,
                  fmt::format("empty component in set element (expected a "
                              "'{}' value)",
                              key[i]->name));
        ok = false;
        continue;
      }
      auto value = parsePayload(*key[i], MatcherOp::In, component.text,
                                PayloadContext::SetElement);
      if (!value) {
        ctx.payloadError(component, value.error());
        ok = false;
        continue;
      }
      out.key.insert(out.key.end(), value->value.begin(), value->value.end());
      if (value->prefixLen)
        out.prefixLen = *value->prefixLen;
    }
    if (!ok)
      continue;
    ir::Bytes identity = set.lpm ? maskedKey(out.key, out.prefixLen) : out.key;
    if (!seen.emplace(identity, out.prefixLen).second) {
      ctx.warning(WarningID::DuplicateSetElement, element.range,
                  "duplicate set element ignored");
      continue;
    }
    set.elements.push_back(std::move(out));
  }
}

/// Builds an ir::Set for `key` (already checked) and `elements`.
ir::Set makeSet(Context &ctx, const std::vector<const MatcherInfo *> &key,
                const std::vector<ast::Token> &keyTokens,
                const std::vector<ast::SetElement> &elements) {
  ir::Set set;
  for (const MatcherInfo *info : key)
    set.key.push_back(info->field);
  set.lpm = key.size() == 1 && key[0]->network;
  lowerElements(ctx, key, keyTokens, elements, set);
  return set;
}

/// Each key component must be usable on the chain's hook.
bool checkKeyHooks(Context &ctx, const ChainScope &scope,
                   const std::vector<const MatcherInfo *> &key,
                   const std::vector<ast::Token> &keyTokens) {
  if (!scope.hook)
    return true;
  bool ok = true;
  for (size_t i = 0; i < key.size(); ++i) {
    if (supportsHook(*key[i], *scope.hook))
      continue;
    reportUnsupportedByHook(ctx, scope, keyTokens[i].range,
                            fmt::format("matcher '{}'", key[i]->name));
    ok = false;
  }
  return ok;
}

} // namespace

std::optional<std::vector<const MatcherInfo *>>
checkSetKey(Context &ctx, const std::vector<ast::Token> &key) {
  if (key.empty())
    return std::nullopt; // the parser reported it
  bool ok = true;
  if (key.size() > kMaxKeyComponents) {
    ctx.error(
        key[kMaxKeyComponents].range,
        fmt::format("a set key has at most {} components", kMaxKeyComponents));
    ok = false;
  }
  std::vector<const MatcherInfo *> infos;
  const ast::Token *network = nullptr;
  for (const ast::Token &token : key) {
    const MatcherInfo *info = findMatcher(token.text);
    if (!info) {
      ctx.error(
          token.range,
          fmt::format("unknown matcher '{}'{}", token.text,
                      didYouMean(suggestName(token.text, matcherNames()))));
      ok = false;
      continue;
    }
    if (!supportsOp(*info, MatcherOp::In)) {
      ctx.error(token.range,
                fmt::format("matcher '{}' cannot be used in a set key "
                            "(allowed: {})",
                            token.text, setKeyTypesText()));
      ok = false;
      continue;
    }
    if (info->network && !network)
      network = &token;
    infos.push_back(info);
  }
  if (network && key.size() > 1) {
    ctx.error(network->range,
              fmt::format("network matcher '{}' must be the only component of "
                          "a set key (its set is a longest-prefix-match table)",
                          network->text));
    ok = false;
  }
  if (!ok)
    return std::nullopt;
  return infos;
}

void lowerSetDecl(Context &ctx, ChainScope &scope, const ast::SetDecl &decl) {
  const std::string &name = decl.name.text;
  if (!decl.op.text.empty() && decl.op.text != "in")
    ctx.error(decl.op.range,
              fmt::format("invalid operator '{}' in set declaration: sets are "
                          "declared with 'in', e.g. set {} {} in {{ ... }}",
                          decl.op.text, name.empty() ? "NAME" : name,
                          keyText(decl.key)));

  auto it = scope.namedSets.find(name);
  if (it != scope.namedSets.end()) {
    ctx.error(decl.name.range,
              fmt::format("duplicate set name '{}' in chain '{}'", name,
                          scope.ast.name.text));
    ctx.note(it->second.decl->name.range, "previous definition is here");
    return;
  }

  NamedSet &entry = scope.namedSets[name];
  entry.decl = &decl;
  auto key = checkSetKey(ctx, decl.key);
  if (!key)
    return;
  entry.key = *key;
  ir::Set set = makeSet(ctx, *key, decl.key, decl.elements);
  set.name = name;
  set.range = decl.range;
  entry.index = static_cast<uint32_t>(scope.chain.sets.size());
  scope.chain.sets.push_back(std::move(set));
}

std::optional<ir::Predicate> lowerSetMatcher(Context &ctx, ChainScope &scope,
                                             const ast::Matcher &matcher) {
  if (matcher.op && matcher.op->text != "in") {
    ctx.error(matcher.op->range,
              fmt::format("invalid operator '{}' for a set: only 'in' is "
                          "supported, e.g. {} in {{ ... }}",
                          matcher.op->text, keyText(matcher.types)));
    return std::nullopt;
  }
  auto key = checkSetKey(ctx, matcher.types);
  if (!key)
    return std::nullopt;
  bool hooksOk = checkKeyHooks(ctx, scope, *key, matcher.types);

  ir::Predicate predicate;
  predicate.kind = ir::Predicate::Kind::Set;
  predicate.negate = matcher.negate.has_value();
  predicate.text = ctx.sourceText(matcher.range);
  predicate.range = matcher.range;

  if (matcher.kind == ast::Matcher::Kind::SetInline) {
    ir::Set set = makeSet(ctx, *key, matcher.types, matcher.elements);
    set.name = fmt::format("__anon{}", scope.anonymousSets++);
    set.anonymous = true;
    set.range = matcher.range;
    predicate.set = static_cast<uint32_t>(scope.chain.sets.size());
    scope.chain.sets.push_back(std::move(set));
    return hooksOk ? std::optional(predicate) : std::nullopt;
  }

  const ast::Token &name = matcher.payload;
  auto it = scope.namedSets.find(name.text);
  if (it == scope.namedSets.end()) {
    std::vector<std::string> names;
    for (const auto &[n, entry] : scope.namedSets)
      names.push_back(n);
    ctx.error(name.range,
              fmt::format("unknown set '{}'{}", name.text,
                          didYouMean(suggestName(name.text, names))));
    auto owners = ctx.setOwners.find(name.text);
    if (owners != ctx.setOwners.end() && !owners->second.empty())
      ctx.note(name.range,
               fmt::format("a set '{}' is declared in chain '{}': sets are "
                           "local to the chain that declares them",
                           name.text, owners->second.front()));
    return std::nullopt;
  }
  const NamedSet &set = it->second;
  if (!set.index)
    return std::nullopt; // its declaration was reported
  if (set.key != *key) {
    ctx.error(spanOf(matcher.types),
              fmt::format("set '{}' has key {}, but the rule uses {}",
                          name.text, keyText(set.decl->key),
                          keyText(matcher.types)));
    ctx.note(set.decl->name.range,
             fmt::format("set '{}' is declared here", name.text));
    return std::nullopt;
  }
  predicate.set = *set.index;
  return hooksOk ? std::optional(predicate) : std::nullopt;
}

} // namespace bfc::sema
