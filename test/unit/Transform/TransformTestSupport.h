// Helpers for the pass tests: rulesets compiled from source (parser + Sema),
// BFIR built by hand, one pass run at a time with verification, and an
// interpreter comparison of two versions of a chain.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/IR/Printer.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PassManager.h"
#include "bfc/Transform/Passes.h"

#include "../IR/BfirBuilders.h"
#include "../Packet/PacketTestSupport.h"

/// EXPECT_EQ of a container with the listed elements.
#define EXPECT_ELEMENTS(actual, ...)                                           \
  EXPECT_EQ(actual, (std::remove_cvref_t<decltype(actual)>{__VA_ARGS__}))
/// The string `text` contains `part`.
#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "'" << (part) << "' not found in:\n"                                  \
      << (text)

namespace bfc::transform::test {

// Not a using-directive: ir::test::ChainBuilder would clash with ours.
using ir::toBigEndian;
using ir::test::element;
using ir::test::fieldBytes;
using ir::test::fieldIs;
using ir::test::ifaceIndex;
using ir::test::ifaceSlot;
using ir::test::inSet;
using ir::test::ip4;
using ir::test::ip6;
using ir::test::ip6Chain;
using ir::test::negated;
using ir::test::probability;
using ir::test::rangeOf;
using packet::test::input;

/// A module with one chain, built rule by rule; sets are anonymous (named
/// "__anon<index>" as Sema names them) unless told otherwise.
struct ChainBuilder : ir::test::ChainBuilder {
  using ir::test::ChainBuilder::ChainBuilder;

  uint32_t addSet(std::vector<ir::FieldId> key, bool lpm,
                  std::vector<ir::SetElement> elements, bool anonymous = true) {
    ir::Set set;
    set.name = anonymous ? "__anon" + std::to_string(chain().sets.size())
                         : "named" + std::to_string(chain().sets.size());
    set.anonymous = anonymous;
    set.key = std::move(key);
    set.lpm = lpm;
    set.elements = std::move(elements);
    return ir::test::ChainBuilder::addSet(std::move(set));
  }
};

/// A compiled ruleset and the buffer its source ranges point into.
struct Compiled {
  std::unique_ptr<SourceBuffer> buffer;
  ir::Module module;
};

/// Parses and checks `source` (named "test.bf"); throws on errors.
inline Compiled compile(std::string source) {
  Compiled out;
  out.buffer = std::make_unique<SourceBuffer>("test.bf", std::move(source));
  DiagnosticEngine diags(out.buffer.get());
  ast::Ruleset ruleset;
  std::optional<ir::Module> module;
  if (parseRuleset(*out.buffer, diags, ruleset))
    module = lowerToBFIR(ruleset, *out.buffer, diags);
  if (!module || diags.hasErrors()) {
    std::ostringstream text;
    diags.print(text);
    // Thrown rather than returned: callers index the module's chains, and
    // GoogleTest reports the exception as this test's failure.
    throw std::runtime_error("the ruleset does not compile:\n" + text.str());
  }
  out.module = std::move(*module);
  return out;
}

/// Runs `passes` with verification after each; fails the test when the
/// pipeline fails. Returns the printed diagnostics.
inline std::string runPasses(ir::Module &module,
                             std::vector<std::unique_ptr<Pass>> passes,
                             const SourceBuffer *buffer = nullptr,
                             PipelineOptions options = {}) {
  PassPipeline pipeline;
  for (auto &pass : passes)
    pipeline.add(std::move(pass));
  options.verifyEach = true;
  DiagnosticEngine diags(buffer);
  EXPECT_TRUE(pipeline.run(module, diags, options));
  std::ostringstream text;
  diags.print(text);
  return text.str();
}

inline std::string runPass(ir::Module &module, std::unique_ptr<Pass> pass,
                           const SourceBuffer *buffer = nullptr,
                           PipelineOptions options = {}) {
  std::vector<std::unique_ptr<Pass>> passes;
  passes.push_back(std::move(pass));
  return runPasses(module, std::move(passes), buffer, options);
}

/// The whole default pipeline, verified after each pass.
inline std::string optimize(ir::Module &module,
                            const SourceBuffer *buffer = nullptr,
                            PipelineOptions options = {}) {
  options.verifyEach = true;
  DiagnosticEngine diags(buffer);
  EXPECT_TRUE(runDefaultPipeline(module, diags, options));
  std::ostringstream text;
  diags.print(text);
  return text.str();
}

/// One predicate as the printer shows it.
inline std::string printed(const ir::Module &module, const ir::Chain &chain,
                           const ir::Predicate &pred) {
  return ir::formatPredicate(pred, chain, module);
}

/// Every predicate of a rule, printed, one per element.
inline std::vector<std::string> printedRule(const ir::Module &module,
                                            const ir::Chain &chain,
                                            const ir::Rule &rule) {
  std::vector<std::string> out;
  if (rule.neverMatches)
    out.push_back("never");
  for (const ir::Predicate &pred : rule.predicates)
    out.push_back(printed(module, chain, pred));
  return out;
}

} // namespace bfc::transform::test
