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
#include "bfc/IR/Names.h"
#include "bfc/IR/Printer.h"
#include "bfc/Interp/Interpreter.h"
#include "bfc/Packet/Packet.h"
#include "bfc/Parse/ParseRuleset.h"
#include "bfc/Sema/Sema.h"
#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PassManager.h"
#include "bfc/Transform/Passes.h"

/// EXPECT_EQ of a container with the listed elements.
#define EXPECT_ELEMENTS(actual, ...)                                           \
  EXPECT_EQ(actual, (std::remove_cvref_t<decltype(actual)>{__VA_ARGS__}))
/// The string `text` contains `part`.
#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "'" << (part) << "' not found in:\n"                                  \
      << (text)

namespace bfc::transform::test {

inline ir::Bytes bigEndian(uint64_t value, unsigned width) {
  ir::Bytes bytes(width);
  for (unsigned i = width; i-- > 0; value >>= 8)
    bytes[i] = static_cast<uint8_t>(value);
  return bytes;
}

inline ir::Bytes ip4(std::string_view text) {
  auto addr = ir::parseIp4(text);
  EXPECT_TRUE(addr) << text;
  return addr ? ir::Bytes(addr->begin(), addr->end()) : ir::Bytes(4);
}

inline ir::Bytes ip6(std::string_view text) {
  auto addr = ir::parseIp6(text);
  EXPECT_TRUE(addr) << text;
  return addr ? ir::Bytes(addr->begin(), addr->end()) : ir::Bytes(16);
}

/// `field op value`, an integer value of the field's width.
inline ir::Predicate fieldIs(ir::FieldId field, uint64_t value,
                             ir::CmpOp op = ir::CmpOp::Eq) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Field;
  pred.field = field;
  pred.op = op;
  pred.value = bigEndian(value, ir::fieldInfo(field).width);
  return pred;
}

inline ir::Predicate fieldBytes(ir::FieldId field, ir::Bytes value,
                                std::optional<uint8_t> prefixLen = {}) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Field;
  pred.field = field;
  pred.value = std::move(value);
  pred.prefixLen = prefixLen;
  return pred;
}

inline ir::Predicate rangeOf(ir::FieldId field, uint64_t low, uint64_t high) {
  ir::Predicate pred = fieldIs(field, low, ir::CmpOp::Range);
  pred.high = bigEndian(high, ir::fieldInfo(field).width);
  return pred;
}

inline ir::Predicate negated(ir::Predicate pred) {
  pred.negate = !pred.negate;
  return pred;
}

inline ir::Predicate probability(double percent, bool perFlow = false) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Probability;
  pred.percent = percent;
  pred.perFlow = perFlow;
  return pred;
}

inline ir::Predicate ip6Chain(uint8_t protocol) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Ip6HeaderChain;
  pred.protocol = protocol;
  return pred;
}

inline ir::Predicate inSet(uint32_t set) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Set;
  pred.set = set;
  return pred;
}

inline ir::Predicate ifaceSlot(uint32_t slot) {
  ir::Predicate pred;
  pred.kind = ir::Predicate::Kind::Iface;
  pred.hostSlot = slot;
  return pred;
}

inline ir::SetElement element(ir::Bytes key, uint8_t prefixLen = 0) {
  ir::SetElement e;
  e.key = std::move(key);
  e.prefixLen = prefixLen;
  return e;
}

/// A module with one chain, built rule by rule.
struct ChainBuilder {
  explicit ChainBuilder(ir::Hook hook,
                        ir::Verdict policy = ir::Verdict::Accept) {
    ir::Chain chain;
    chain.name = "test";
    chain.hook = hook;
    chain.policy = policy;
    module.chains.push_back(std::move(chain));
  }

  ir::Chain &chain() { return module.chains.front(); }

  ir::Rule &addRule(std::vector<ir::Predicate> predicates,
                    ir::Verdict verdict = ir::Verdict::Drop) {
    ir::Rule rule;
    rule.index = static_cast<uint32_t>(chain().rules.size());
    rule.predicates = std::move(predicates);
    rule.verdict = verdict;
    chain().rules.push_back(std::move(rule));
    return chain().rules.back();
  }

  uint32_t addSet(std::vector<ir::FieldId> key, bool lpm,
                  std::vector<ir::SetElement> elements, bool anonymous = true) {
    ir::Set set;
    set.name = anonymous ? "__anon" + std::to_string(chain().sets.size())
                         : "named" + std::to_string(chain().sets.size());
    set.anonymous = anonymous;
    set.key = std::move(key);
    set.lpm = lpm;
    set.elements = std::move(elements);
    chain().sets.push_back(std::move(set));
    return static_cast<uint32_t>(chain().sets.size() - 1);
  }

  ir::Module module;
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
  for (const ir::Predicate &pred : rule.predicates)
    out.push_back(printed(module, chain, pred));
  return out;
}

inline packet::Input input(std::string_view spec) {
  packet::SpecResult<packet::Input> result = packet::parseInput(spec);
  EXPECT_TRUE(result.ok()) << (result.ok() ? ""
                                           : result.error().describe(spec));
  return result.ok() ? *result : packet::Input(packet::Packet{});
}

} // namespace bfc::transform::test
