#include "bfc/Transform/PassManager.h"

#include <fmt/format.h>

#include "bfc/IR/Verifier.h"
#include "bfc/Transform/Passes.h"

namespace bfc::transform {

namespace {

/// Reports every verifier problem; false when there is one.
bool verify(const ir::Module &module, DiagnosticEngine &diags,
            std::string_view when) {
  std::vector<std::string> problems = ir::verifyModule(module);
  for (const std::string &problem : problems)
    diags.error(
        {}, fmt::format("internal error: invalid BFIR {}: {}", when, problem));
  return problems.empty();
}

} // namespace

PassPipeline &PassPipeline::add(std::unique_ptr<Pass> pass) {
  passes_.push_back(std::move(pass));
  return *this;
}

std::vector<std::string> PassPipeline::passNames() const {
  std::vector<std::string> names;
  for (const auto &pass : passes_)
    names.emplace_back(pass->name());
  return names;
}

bool PassPipeline::run(ir::Module &module, DiagnosticEngine &diags,
                       const PipelineOptions &options) const {
  if (options.verifyEach && !verify(module, diags, "before the passes"))
    return false;
  PassContext context{diags, options};
  for (const auto &pass : passes_) {
    if (pass->kind() == Pass::Kind::Optimization && options.optLevel == 0)
      continue;
    pass->run(module, context);
    if (options.verifyEach &&
        !verify(module, diags, fmt::format("after pass '{}'", pass->name())))
      return false;
    if (options.afterPass)
      options.afterPass(pass->name(), module);
  }
  return true;
}

PassPipeline createDefaultPipeline() {
  PassPipeline pipeline;
  pipeline.add(createShadowedRulesPass())
      .add(createSimplifyPredicatesPass())
      .add(createDeadRulesPass())
      .add(createMergeRuleSetsPass())
      .add(createEqualitiesToSetsPass())
      .add(createPruneSetsPass())
      .add(createOrderPredicatesPass());
  return pipeline;
}

bool runDefaultPipeline(ir::Module &module, DiagnosticEngine &diags,
                        const PipelineOptions &options) {
  return createDefaultPipeline().run(module, diags, options);
}

} // namespace bfc::transform
