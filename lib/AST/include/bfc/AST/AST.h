// The abstract syntax tree built by lib/Parse from a ruleset source. It stays
// close to the text: payloads are raw strings with their source ranges, and
// lib/Sema gives them meaning. Every node carries its source range.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bfc/Support/Diagnostics.h"

namespace bfc::ast {

/// A token's text and where it came from.
struct Token {
  std::string text;
  SourceRange range;
};

/// `KEY=VALUE` inside `HOOK{...}`.
struct HookOption {
  Token key;
  Token value;
  SourceRange range;
};

/// One element of a set: its comma-separated components.
struct SetElement {
  std::vector<Token> components;
  SourceRange range;
};

/// A matcher inside a rule.
///   Field:     TYPE [not] [OP] PAYLOAD
///   SetInline: (TYPE[, TYPE...]) [not] in { ELEMENTS }
///   SetNamed:  (TYPE[, TYPE...]) [not] in NAME
struct Matcher {
  enum class Kind { Field, SetInline, SetNamed };
  Kind kind = Kind::Field;
  std::vector<Token> types; ///< one for Field, the key for sets
  std::optional<Token> negate;
  std::optional<Token> op; ///< absent means `eq`
  Token payload;           ///< Field: raw payload; SetNamed: the set name
  std::vector<SetElement> elements; ///< SetInline only
  SourceRange range;
};

/// `set NAME (KEY, ...) in { ELEMENTS }` declared in a chain.
struct SetDecl {
  Token name;
  std::vector<Token> key;
  Token op; ///< must be `in`, checked by Sema
  std::vector<SetElement> elements;
  SourceRange range;
};

/// `log [HEADERS] [every FREQ]`, `counter` or `mark VALUE`, in source order so
/// Sema can report duplicates.
struct RuleOption {
  enum class Kind { Log, Counter, Mark };
  Kind kind;
  Token keyword;
  std::vector<Token> logHeaders; ///< Log: possibly empty
  std::optional<Token> every;    ///< Log: the frequency text (e.g. `1.5s`)
  Token value;                   ///< Mark: the raw value
  SourceRange range;
};

/// ACCEPT, DROP, CONTINUE, NEXT or `REDIRECT IFACE DIR`.
struct Verdict {
  Token name;
  std::optional<Token> iface;     ///< REDIRECT only
  std::optional<Token> direction; ///< REDIRECT only
  SourceRange range;
};

struct Rule {
  Token keyword; ///< the `rule` token
  std::vector<Matcher> matchers;
  std::vector<RuleOption> options;
  Verdict verdict;
  SourceRange range;
};

struct Chain {
  Token name;
  Token hook;
  bool hasOptionBlock = false; ///< `{...}` present, possibly empty
  std::vector<HookOption> options;
  Token policy;
  std::vector<SetDecl> sets;
  std::vector<Rule> rules;
  SourceRange range;
};

struct Ruleset {
  std::vector<Chain> chains;
};

} // namespace bfc::ast
