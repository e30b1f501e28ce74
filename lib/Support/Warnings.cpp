#include "bfc/Support/Warnings.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "bfc/Support/Suggestions.h"

namespace bfc {

namespace {

constexpr std::array kWarnings = {
    WarningInfo{WarningID::ShadowedRule, "shadowed-rule",
                "a rule never matches: earlier rules with a final verdict "
                "take every packet it would match"},
    WarningInfo{WarningID::UnreachableRule, "unreachable-rule",
                "a rule never runs: an earlier rule without matchers ends "
                "the chain for every packet"},
    WarningInfo{WarningID::NeverMatchingRule, "never-matching-rule",
                "a rule's matchers can never all hold (contradictory "
                "matchers, different protocol headers, 0% probability)"},
    WarningInfo{WarningID::EmptySet, "empty-set",
                "a rule matches against a set that has no elements in the "
                "source (it may still be filled at run time)"},
    WarningInfo{WarningID::DuplicateSetElement, "duplicate-set-element",
                "a set element is given more than once"},
    WarningInfo{WarningID::IfindexZero, "ifindex-zero",
                "a hook option ifindex=0 names no interface"},
    WarningInfo{WarningID::DeprecatedOption, "deprecated-option",
                "a hook option is deprecated and ignored"},
    WarningInfo{WarningID::Backend, "backend",
                "a warning from LLVM's BPF backend"},
    WarningInfo{WarningID::LossyImport, "lossy-import",
                "bfc import --lossy left out or changed something it cannot "
                "translate exactly (kept as a comment)"},
};

static_assert(kWarnings.size() == kWarningCount);
static_assert([] {
  for (size_t i = 0; i < kWarnings.size(); ++i)
    if (static_cast<size_t>(kWarnings[i].id) != i)
      return false;
  return true;
}());

} // namespace

std::span<const WarningInfo> warnings() { return kWarnings; }

const WarningInfo &warningInfo(WarningID id) {
  return kWarnings[static_cast<size_t>(id)];
}

std::optional<WarningID> findWarning(std::string_view name) {
  for (const WarningInfo &info : kWarnings)
    if (name == info.name)
      return info.id;
  return std::nullopt;
}

std::optional<std::string> WarningPolicy::apply(std::string_view flag) {
  if (flag == "error" || flag == "no-error") {
    allAsErrors_ = flag == "error";
    return std::nullopt;
  }
  std::string_view name = flag;
  std::optional<bool> asError;
  bool enable = true;
  if (name.starts_with("error=")) {
    name.remove_prefix(6);
    asError = true;
  } else if (name.starts_with("no-error=")) {
    name.remove_prefix(9);
    asError = false;
  } else if (name.starts_with("no-")) {
    name.remove_prefix(3);
    enable = false;
  }
  std::optional<WarningID> id = findWarning(name);
  if (!id) {
    std::vector<std::string> names;
    for (const WarningInfo &info : kWarnings)
      names.emplace_back(info.name);
    std::string prefix(flag.substr(0, flag.size() - name.size()));
    std::optional<std::string> suggestion = suggestName(name, names);
    return fmt::format("unknown warning option '-W{}'{}", flag,
                       suggestion ? fmt::format("; did you mean '-W{}{}'?",
                                                prefix, *suggestion)
                                  : std::string());
  }
  State &state = states_[static_cast<size_t>(*id)];
  if (asError) {
    state.asError = asError;
    // -Werror=<id> also enables the warning; -Wno-error=<id> leaves it be.
    if (*asError)
      state.enabled = true;
  } else {
    state.enabled = enable;
  }
  return std::nullopt;
}

bool WarningPolicy::isEnabled(WarningID id) const {
  return !ignoreAll_ && states_[static_cast<size_t>(id)].enabled;
}

bool WarningPolicy::isError(WarningID id) const {
  return states_[static_cast<size_t>(id)].asError.value_or(allAsErrors_);
}

} // namespace bfc
