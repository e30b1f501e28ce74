// Shared state and entry points of the Sema implementation files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/AST/AST.h"
#include "bfc/IR/BFIR.h"
#include "bfc/Sema/Matchers.h"
#include "bfc/Sema/Payload.h"
#include "bfc/Support/Diagnostics.h"

namespace bfc::sema {

/// Diagnostics, source access and the module being built.
class Context {
public:
  Context(const SourceBuffer &buffer, DiagnosticEngine &diags)
      : buffer_(buffer), diags_(diags) {}

  ir::Module module;
  /// Set name -> the chains declaring it, to explain "unknown set" errors
  /// (sets are local to their chain).
  std::map<std::string, std::vector<std::string>> setOwners;

  void error(SourceRange range, std::string message);
  void warning(WarningID id, SourceRange range, std::string message);
  void note(SourceRange range, std::string message);
  /// Reports a payload error on `token`, narrowing the caret to the part of
  /// the payload the error names.
  void payloadError(const ast::Token &token, const Error &error);

  bool hadErrors() const { return errors_ != 0; }
  /// Errors reported through this context (the engine may stop counting at
  /// its error limit; this does not).
  unsigned errorCount() const { return errors_; }

  /// The bytes [offset, offset + length) of `token`'s text, when the token's
  /// range covers exactly its text; else the whole token.
  SourceRange subRange(const ast::Token &token, uint32_t offset,
                       uint32_t length) const;
  /// The source text of `range`, comments dropped and whitespace collapsed
  /// to single spaces (empty when the range is not valid).
  std::string sourceText(SourceRange range) const;

private:
  const SourceBuffer &buffer_;
  DiagnosticEngine &diags_;
  unsigned errors_ = 0;
};

/// A named set as declared in a chain.
struct NamedSet {
  const ast::SetDecl *decl = nullptr;
  /// Index in ir::Chain::sets; nullopt when the declaration is invalid (its
  /// uses are then not reported again).
  std::optional<uint32_t> index;
  std::vector<const MatcherInfo *> key;
};

/// The chain being lowered.
struct ChainScope {
  const ast::Chain &ast;
  ir::Chain &chain;
  std::optional<ir::Hook> hook; ///< nullopt when the hook name is invalid
  std::map<std::string, NamedSet> namedSets;
  unsigned anonymousSets = 0;
  /// The note pointing at the chain's hook is given once per chain.
  mutable bool hookNoted = false;
};

/// "(ip4.saddr, ip4.proto)"
std::string keyText(const std::vector<ast::Token> &key);
/// The range from the first to the last token.
SourceRange spanOf(const std::vector<ast::Token> &tokens);

// Hooks.cpp
std::optional<ir::Hook> checkHook(Context &ctx, const ast::Token &hook);
void lowerHookOptions(Context &ctx, const ast::Chain &chain,
                      std::optional<ir::Hook> hook, ir::Chain &out);
std::optional<ir::Verdict> checkPolicy(Context &ctx, const ast::Token &policy);
void lowerRuleVerdict(Context &ctx, const ChainScope &scope,
                      const ast::Verdict &verdict, ir::Rule &rule);
/// Reports that `what` (at `at`) is not supported by the chain's hook,
/// `why` explaining it (may be empty); adds a note at the chain's hook.
void reportUnsupportedByHook(Context &ctx, const ChainScope &scope,
                             SourceRange at, const std::string &what,
                             const std::string &why = "");

// Sets.cpp
/// Checks a set key; returns its matchers when every component is valid.
std::optional<std::vector<const MatcherInfo *>>
checkSetKey(Context &ctx, const std::vector<ast::Token> &key);
void lowerSetDecl(Context &ctx, ChainScope &scope, const ast::SetDecl &decl);
std::optional<ir::Predicate> lowerSetMatcher(Context &ctx, ChainScope &scope,
                                             const ast::Matcher &matcher);

// Rules.cpp
std::optional<ir::Predicate> lowerFieldMatcher(Context &ctx, ChainScope &scope,
                                               const ast::Matcher &matcher);
void lowerRuleOptions(Context &ctx, const ChainScope &scope,
                      const ast::Rule &rule, ir::Rule &out);

} // namespace bfc::sema
