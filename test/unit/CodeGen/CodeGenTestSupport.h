// Helpers for the code generation tests: BFIR built by hand, compiled to an
// object in memory, loaded with libbpf and run with BPF_PROG_TEST_RUN (the
// kernel tests need root; they skip otherwise).
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "../IR/BfirBuilders.h"
#include "../RequireRoot.h"
#include "Compare.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/IR/BFIR.h"
#include "bfc/Load/TestRun.h"
#include "bfc/Object/ObjectFile.h"
#include "bfc/Packet/Packet.h"

namespace bfc::codegen::test {

inline ir::Bytes ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {a, b, c, d};
}
inline ir::Bytes be16(uint16_t v) { return {uint8_t(v >> 8), uint8_t(v)}; }
inline ir::Bytes be32(uint32_t v) {
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

inline ir::Predicate field(ir::FieldId id, ir::Bytes value,
                           bool negate = false) {
  ir::Predicate p;
  p.kind = ir::Predicate::Kind::Field;
  p.field = id;
  p.value = std::move(value);
  p.negate = negate;
  p.text = std::string(ir::fieldInfo(id).name);
  return p;
}

inline ir::Predicate range(ir::FieldId id, ir::Bytes low, ir::Bytes high) {
  ir::Predicate p = field(id, std::move(low));
  p.op = ir::CmpOp::Range;
  p.high = std::move(high);
  return p;
}

inline ir::Rule rule(std::vector<ir::Predicate> predicates, ir::Verdict verdict,
                     bool counter = true) {
  ir::Rule r;
  r.predicates = std::move(predicates);
  r.verdict = verdict;
  r.counter = counter;
  return r;
}

/// A module of one chain, rule indexes and texts filled in.
struct ModuleBuilder : ir::test::ChainBuilder {
  explicit ModuleBuilder(ir::Hook hook,
                         ir::Verdict policy = ir::Verdict::Accept)
      : ChainBuilder(hook, policy) {
    module.sourceName = "test.bf";
  }

  ModuleBuilder &add(ir::Rule r) {
    r.index = static_cast<uint32_t>(chain().rules.size());
    if (r.text.empty())
      r.text = "rule " + std::to_string(r.index);
    chain().rules.push_back(std::move(r));
    return *this;
  }
};

/// Compiles `module`; fails the test (and returns nullopt) on diagnostics.
inline std::optional<std::string> compile(const ir::Module &module,
                                          EmitKind kind = EmitKind::Object,
                                          unsigned optLevel = 2) {
  CodeGenOptions options;
  options.optLevel = optLevel;
  options.sourceText = "# test\n";
  DiagnosticEngine diags;
  std::optional<std::string> out = emit(module, options, kind, diags);
  std::ostringstream printed;
  diags.print(printed);
  EXPECT_TRUE(out.has_value()) << printed.str();
  EXPECT_EQ(diags.errorCount(), 0u) << printed.str();
  return out;
}

inline object::ObjectFile objectFile(const std::string &bytes) {
  return object::ObjectFile::fromMemory(
      std::vector<uint8_t>(bytes.begin(), bytes.end()), "test.bpf.o");
}

/// Compiles and loads the first chain of `module`.
struct Loaded {
  object::ObjectFile object;
  std::unique_ptr<load::TestRunChain> chain;
};

inline std::unique_ptr<Loaded> loadForTestRun(const ir::Module &module,
                                              load::TestRunOptions options = {},
                                              unsigned optLevel = 2) {
  std::optional<std::string> bytes =
      compile(module, EmitKind::Object, optLevel);
  if (!bytes)
    return nullptr;
  auto loaded = std::make_unique<Loaded>(Loaded{objectFile(*bytes), nullptr});
  loaded->chain = std::make_unique<load::TestRunChain>(loaded->object, options);
  return loaded;
}

inline packet::Packet packetOf(const std::string &spec) {
  Expected<packet::Packet> p = packet::buildPacket(spec);
  EXPECT_TRUE(p.ok()) << (p.ok() ? ""
                                 : packet::describeSpecError(p.error(), spec));
  return p.ok() ? *p : packet::Packet{};
}

/// Runs every spec through the kernel and the interpreter; returns the
/// differences, prefixed with the spec.
inline std::vector<std::string>
compareAll(const ir::Module &module, const std::vector<std::string> &specs,
           const std::map<std::string, uint32_t> &ifaces = {},
           unsigned optLevel = 2) {
  load::TestRunOptions options;
  options.ifaces = ifaces;
  std::unique_ptr<Loaded> loaded = loadForTestRun(module, options, optLevel);
  if (!loaded)
    return {"compile failed"};
  interp::HostEnv env;
  env.ifindexByName = ifaces;
  run::Comparer comparer(module, module.chains.front(), *loaded->chain, env);
  std::vector<std::string> diffs;
  for (const std::string &spec : specs) {
    run::Comparison c = comparer.run(packetOf(spec));
    for (const std::string &d : c.differences)
      diffs.push_back(spec + ": " + d);
  }
  return diffs;
}

} // namespace bfc::codegen::test
