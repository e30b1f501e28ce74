// Hooks, hook options, chain policies and rule verdicts.

#include <array>

#include <fmt/format.h>

#include "SemaInternal.h"
#include "Suggestions.h"
#include "bfc/IR/HookModel.h"

namespace bfc::sema {

namespace {

using ir::Hook;
using ir::HookFamily;

enum class HookOption { Ifindex, Cgpath, Priorities, Family };

struct HookOptionSpec {
  HookOption option;
  std::string_view name;
};

constexpr std::array<HookOptionSpec, 4> kHookOptions = {{
    {HookOption::Ifindex, "ifindex"},
    {HookOption::Cgpath, "cgpath"},
    {HookOption::Priorities, "priorities"},
    {HookOption::Family, "family"},
}};

/// The option a hook family needs to be attached: XDP and TC attach to an
/// interface, netfilter needs two priorities (the second for atomic
/// replacement), cgroup hooks a cgroup path.
HookOption requiredOption(HookFamily family) {
  switch (family) {
  case HookFamily::Xdp:
  case HookFamily::Tc:
    return HookOption::Ifindex;
  case HookFamily::Netfilter:
    return HookOption::Priorities;
  case HookFamily::CgroupSkb:
  case HookFamily::CgroupSockAddr:
    return HookOption::Cgpath;
  }
  return HookOption::Ifindex;
}

/// `family=` is deprecated and accepted everywhere; the others only where
/// they are the required option.
bool optionSupported(HookOption option, Hook hook) {
  return option == HookOption::Family ||
         option == requiredOption(ir::hookFamily(hook));
}

std::string_view optionName(HookOption option) {
  return kHookOptions[static_cast<unsigned>(option)].name;
}

std::vector<std::string> hookNames() {
  std::vector<std::string> names;
  for (unsigned i = 0; i < ir::kNumHooks; ++i)
    names.emplace_back(ir::hookName(static_cast<Hook>(i)));
  return names;
}

std::optional<ir::Verdict> verdictFromName(std::string_view name) {
  for (ir::Verdict v :
       {ir::Verdict::Accept, ir::Verdict::Drop, ir::Verdict::Continue,
        ir::Verdict::Next, ir::Verdict::Redirect})
    if (ir::verdictName(v) == name)
      return v;
  return std::nullopt;
}

} // namespace

std::optional<ir::Hook> checkHook(Context &ctx, const ast::Token &hook) {
  if (std::optional<Hook> h = ir::hookFromName(hook.text))
    return h;
  if (!hook.text.empty())
    ctx.error(hook.range,
              fmt::format("unknown hook '{}'{}", hook.text,
                          didYouMean(suggestName(hook.text, hookNames(),
                                                 /*ignoreCase=*/true))));
  return std::nullopt;
}

void lowerHookOptions(Context &ctx, const ast::Chain &chain,
                      std::optional<ir::Hook> hook, ir::Chain &out) {
  std::map<HookOption, const ast::HookOption *> seen;
  for (const ast::HookOption &opt : chain.options) {
    const HookOptionSpec *spec = nullptr;
    for (const HookOptionSpec &s : kHookOptions)
      if (s.name == opt.key.text)
        spec = &s;
    if (!spec) {
      std::vector<std::string> names;
      for (const HookOptionSpec &s : kHookOptions)
        names.emplace_back(s.name);
      ctx.error(opt.key.range,
                fmt::format("unknown hook option '{}' (expected ifindex, "
                            "cgpath, priorities or family){}",
                            opt.key.text,
                            didYouMean(suggestName(opt.key.text, names))));
      continue;
    }
    auto [it, inserted] = seen.emplace(spec->option, &opt);
    if (!inserted) {
      ctx.error(opt.key.range, fmt::format("hook option '{}' is given more "
                                           "than once",
                                           spec->name));
      ctx.note(it->second->key.range, "first given here");
      continue;
    }
    // bpfilter's lexer reads `KEY=VALUE` as one word.
    if (opt.key.range.end.isValid() && opt.value.range.isValid() &&
        opt.value.range.begin.offset != opt.key.range.end.offset + 1) {
      ctx.error(opt.range.isValid() ? opt.range : opt.key.range,
                fmt::format("write hook option '{}' as {}={} without spaces",
                            spec->name, spec->name, opt.value.text));
      continue;
    }
    if (hook && !optionSupported(spec->option, *hook))
      ctx.error(opt.key.range,
                fmt::format("hook option '{}' is not supported by {} "
                            "(expected {})",
                            spec->name, ir::hookName(*hook),
                            optionName(requiredOption(ir::hookFamily(*hook)))));
    if (!isValidHookOptionValue(opt.value.text)) {
      ctx.error(opt.value.range,
                fmt::format("invalid value '{}' for hook option '{}': only "
                            "letters, digits and '_', '-', '.', '/' are "
                            "allowed",
                            opt.value.text, spec->name));
      continue;
    }
    switch (spec->option) {
    case HookOption::Ifindex:
      if (auto v = parseHookIfindex(opt.value.text)) {
        out.options.ifindex = *v;
        if (*v == 0)
          ctx.warning(WarningID::IfindexZero, opt.value.range,
                      "ifindex=0 names no interface: the chain can only be "
                      "attached if the loader overrides it");
      } else {
        ctx.payloadError(opt.value, v.error());
      }
      break;
    case HookOption::Cgpath:
      out.options.cgpath = opt.value.text;
      break;
    case HookOption::Priorities:
      if (auto v = parseHookPriorities(opt.value.text))
        out.options.priorities = *v;
      else
        ctx.payloadError(opt.value, v.error());
      break;
    case HookOption::Family:
      if (auto v = parseHookFamily(opt.value.text)) {
        out.options.familyGiven = true;
        ctx.warning(WarningID::DeprecatedOption, opt.key.range,
                    "hook option 'family' is deprecated and ignored: "
                    "netfilter chains filter both IPv4 and IPv6");
      } else {
        ctx.payloadError(opt.value, v.error());
      }
      break;
    }
  }

  // Without options a chain is only loaded; with any option it is meant to
  // be attached, which needs the hook's required option.
  out.hasOptions = !chain.options.empty();
  if (!out.hasOptions || !hook)
    return;
  HookOption required = requiredOption(ir::hookFamily(*hook));
  if (!seen.count(required)) {
    ctx.error(chain.hook.range,
              fmt::format("hook {} needs option '{}' when hook options are "
                          "given",
                          ir::hookName(*hook), optionName(required)));
    ctx.note(chain.hook.range,
             "a chain without hook options is loaded but not attached");
  }
}

std::optional<ir::Verdict> checkPolicy(Context &ctx, const ast::Token &policy) {
  std::optional<ir::Verdict> v = verdictFromName(policy.text);
  if (v && (*v == ir::Verdict::Accept || *v == ir::Verdict::Drop ||
            *v == ir::Verdict::Next))
    return v;
  if (policy.text.empty())
    return std::nullopt;
  if (v)
    ctx.error(policy.range, fmt::format("'{}' is not a valid chain policy "
                                        "(expected ACCEPT, DROP or NEXT)",
                                        policy.text));
  else
    ctx.error(policy.range,
              fmt::format("unknown policy '{}' (expected ACCEPT, DROP or "
                          "NEXT){}",
                          policy.text,
                          didYouMean(suggestName(policy.text,
                                                 {"ACCEPT", "DROP", "NEXT"},
                                                 /*ignoreCase=*/true))));
  return std::nullopt;
}

void reportUnsupportedByHook(Context &ctx, const ChainScope &scope,
                             SourceRange at, const std::string &what,
                             const std::string &why) {
  ctx.error(at, fmt::format("{} is not supported by hook {}{}", what,
                            ir::hookName(*scope.hook),
                            why.empty() ? "" : " (" + why + ")"));
  if (scope.hookNoted)
    return;
  scope.hookNoted = true;
  ctx.note(scope.ast.hook.range,
           fmt::format("chain '{}' uses hook {} here", scope.ast.name.text,
                       ir::hookName(*scope.hook)));
}

void lowerRuleVerdict(Context &ctx, const ChainScope &scope,
                      const ast::Verdict &verdict, ir::Rule &rule) {
  std::optional<ir::Verdict> v = verdictFromName(verdict.name.text);
  if (!v) {
    if (!verdict.name.text.empty())
      ctx.error(
          verdict.name.range,
          fmt::format("unknown verdict '{}' (expected ACCEPT, DROP, "
                      "CONTINUE, NEXT or REDIRECT){}",
                      verdict.name.text,
                      didYouMean(suggestName(
                          verdict.name.text,
                          {"ACCEPT", "DROP", "CONTINUE", "NEXT", "REDIRECT"},
                          /*ignoreCase=*/true))));
    return;
  }
  rule.verdict = *v;
  if (*v != ir::Verdict::Redirect)
    return;

  if (!verdict.iface || !verdict.direction) {
    ctx.error(verdict.name.range, "REDIRECT needs an interface and a "
                                  "direction, e.g. REDIRECT eth1 out");
    return;
  }
  if (auto iface = parseIface(verdict.iface->text, /*allowUnderscore=*/true)) {
    if (iface->isIndex())
      rule.redirectIfindex = iface->index;
    else
      rule.redirectSlot = ctx.module.internIface(iface->name);
  } else {
    ctx.payloadError(*verdict.iface, iface.error());
  }

  const std::string &dir = verdict.direction->text;
  if (dir == "in") {
    rule.redirectDir = ir::RedirectDir::In;
  } else if (dir == "out") {
    rule.redirectDir = ir::RedirectDir::Out;
  } else {
    ctx.error(verdict.direction->range,
              fmt::format("invalid redirect direction '{}' (expected in or "
                          "out)",
                          dir));
    return;
  }

  if (!scope.hook)
    return;
  if (!ir::hookCanRedirect(*scope.hook, ir::RedirectDir::Out))
    reportUnsupportedByHook(ctx, scope, verdict.name.range, "verdict REDIRECT",
                            "only XDP and TC hooks can redirect");
  else if (!ir::hookCanRedirect(*scope.hook, rule.redirectDir))
    reportUnsupportedByHook(ctx, scope, verdict.direction->range,
                            "redirect direction 'in'",
                            "XDP can only redirect 'out'");
}

} // namespace bfc::sema
