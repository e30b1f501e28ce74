#include "bfc/Test/TestRunner.h"

#include <fmt/format.h>

#include "bfc/Support/Text.h"

namespace bfc::rulesettest {

namespace {

std::vector<uint32_t> movedCounters(const interp::Result &result) {
  std::vector<uint32_t> slots;
  for (uint32_t i = 0; i < result.counterDeltas.size(); ++i)
    if (result.counterDeltas[i].packets != 0)
      slots.push_back(i);
  return slots;
}

std::string slotList(const ir::Chain &chain,
                     const std::vector<uint32_t> &slots) {
  if (slots.empty())
    return "none";
  std::string out;
  for (uint32_t slot : slots)
    out += (out.empty() ? "" : ",") + counterSlotName(chain, slot);
  return out;
}

/// The counters and mark parts both descriptions share.
std::string extras(const TestCase &test, const std::vector<uint32_t> &counters,
                   uint32_t mark) {
  std::string out;
  if (test.counters)
    out += fmt::format(", counters {}", slotList(*test.chain, counters));
  if (test.mark)
    out += fmt::format(", mark {:#x}", mark);
  return out;
}

} // namespace

CaseResult runCase(const ir::Module &module, const TestCase &test,
                   const std::string &rulesetName) {
  CaseResult result;
  result.test = &test;
  interp::Interpreter interpreter(module, *test.chain, {test.ifaces});
  interp::InterpreterState state(*test.chain);
  // The test file's reader checked the chain and the input already.
  result.actual =
      *interpreter.run(inputForHook(test.input, *test.chain), state);
  const interp::Result &actual = result.actual;
  uint32_t policySlot = static_cast<uint32_t>(test.chain->rules.size());
  bool ok = actual.verdict == test.verdict;
  if (test.rule)
    ok &= actual.rule.value_or(policySlot) == *test.rule;
  if (test.counters)
    ok &= movedCounters(actual) == *test.counters;
  if (test.mark)
    ok &= actual.mark == *test.mark;
  if (!ok)
    result.failures.push_back(
        fmt::format("expected {}, got {}", describeExpected(test),
                    describeActual(test, actual, rulesetName)));
  return result;
}

std::string describeExpected(const TestCase &test) {
  std::string fields;
  if (test.rule)
    fields = *test.rule == test.chain->rules.size()
                 ? std::string("policy")
                 : fmt::format("rule {}", *test.rule);
  fields += extras(test, test.counters.value_or(std::vector<uint32_t>{}),
                   test.mark.value_or(0));
  if (fields.starts_with(", "))
    fields.erase(0, 2);
  std::string verdict(ir::verdictName(test.verdict));
  return fields.empty() ? verdict : fmt::format("{} ({})", verdict, fields);
}

std::string describeActual(const TestCase &test, const interp::Result &actual,
                           const std::string &rulesetName) {
  const ir::Chain &chain = *test.chain;
  std::string decider =
      actual.rule ? fmt::format("rule {} at {}:{}", *actual.rule, rulesetName,
                                chain.rules[*actual.rule].range.begin.line)
                  : fmt::format("policy of chain '{}' at {}:{}", chain.name,
                                rulesetName, chain.range.begin.line);
  return fmt::format("{} ({}{})", ir::verdictName(actual.verdict), decider,
                     extras(test, movedCounters(actual), actual.mark));
}

std::string failureLine(const std::string &testFile, const TestCase &test,
                        const std::string &message) {
  return escapeForDisplay(fmt::format("{}:{}: FAIL: {}: {}: {}", testFile,
                                      test.line, test.name, test.spec,
                                      message));
}

} // namespace bfc::rulesettest
