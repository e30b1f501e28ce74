// Field matchers (`TYPE [not] [OP] PAYLOAD`) and rule options (log,
// counter, mark).

#include <fmt/format.h>

#include "SemaInternal.h"
#include "Suggestions.h"
#include "bfc/IR/HookModel.h"

namespace bfc::sema {

namespace {

ir::CmpOp cmpOpFor(MatcherOp op) {
  switch (op) {
  case MatcherOp::Range:
    return ir::CmpOp::Range;
  case MatcherOp::Any:
    return ir::CmpOp::AnyBits;
  case MatcherOp::All:
    return ir::CmpOp::AllBits;
  default:
    return ir::CmpOp::Eq;
  }
}

/// Fills `predicate` from a parsed payload: most matchers compare a field,
/// a few have a predicate kind of their own.
void buildPredicate(Context &ctx, const MatcherInfo &info, MatcherOp op,
                    PayloadValue value, ir::Predicate &predicate) {
  predicate.field = info.field;
  switch (info.type) {
  case MatcherType::MetaIface:
    predicate.kind = ir::Predicate::Kind::Iface;
    if (value.iface.isIndex())
      predicate.ifindex = value.iface.index;
    else
      predicate.hostSlot = ctx.module.internIface(value.iface.name);
    predicate.value = std::move(value.value);
    return;
  case MatcherType::MetaProbability:
  case MatcherType::MetaFlowProbability:
    predicate.kind = ir::Predicate::Kind::Probability;
    predicate.percent = value.percent;
    predicate.perFlow = info.type == MatcherType::MetaFlowProbability;
    return;
  case MatcherType::Ip6Nexthdr:
    // `ip6.nexthdr eq X` matches when X is any header of the IPv6 chain.
    predicate.kind = ir::Predicate::Kind::Ip6HeaderChain;
    predicate.protocol = value.value.at(0);
    predicate.value = std::move(value.value);
    return;
  default:
    predicate.kind = ir::Predicate::Kind::Field;
    predicate.op = cmpOpFor(op);
    predicate.value = std::move(value.value);
    predicate.high = std::move(value.high);
    predicate.prefixLen = value.prefixLen;
    return;
  }
}

} // namespace

std::optional<ir::Predicate> lowerFieldMatcher(Context &ctx, ChainScope &scope,
                                               const ast::Matcher &matcher) {
  if (matcher.types.empty())
    return std::nullopt; // the parser reported it
  const ast::Token &type = matcher.types.front();
  const MatcherInfo *info = findMatcher(type.text);
  if (!info) {
    ctx.error(type.range,
              fmt::format("unknown matcher '{}'{}", type.text,
                          didYouMean(suggestName(type.text, matcherNames()))));
    return std::nullopt;
  }

  bool ok = true;
  if (scope.hook && !supportsHook(*info, *scope.hook)) {
    reportUnsupportedByHook(ctx, scope, type.range,
                            fmt::format("matcher '{}'", info->name));
    ok = false;
  }

  MatcherOp op = MatcherOp::Eq;
  if (matcher.op) {
    std::optional<MatcherOp> parsed = opFromName(matcher.op->text);
    if (!parsed) {
      ctx.error(matcher.op->range,
                fmt::format("unknown operator '{}' (supported by '{}': {})",
                            matcher.op->text, info->name,
                            supportedOpsText(*info)));
      return std::nullopt;
    }
    op = *parsed;
    if (op == MatcherOp::In) {
      ctx.error(matcher.op->range,
                supportsOp(*info, MatcherOp::In)
                    ? fmt::format("operator 'in' is written with the set "
                                  "syntax: ({}) in {{ ... }}",
                                  info->name)
                    : fmt::format("operator 'in' is not supported by '{}' "
                                  "(supported: {})",
                                  info->name, supportedOpsText(*info)));
      return std::nullopt;
    }
    if (!supportsOp(*info, op)) {
      ctx.error(matcher.op->range,
                fmt::format("operator '{}' is not supported by '{}' "
                            "(supported: {})",
                            matcher.op->text, info->name,
                            supportedOpsText(*info)));
      return std::nullopt;
    }
  }

  if (matcher.payload.text.empty()) {
    ctx.error(matcher.payload.range.isValid() ? matcher.payload.range
                                              : matcher.range,
              fmt::format("missing payload for '{}'", info->name));
    return std::nullopt;
  }
  auto value = parsePayload(*info, op, matcher.payload.text);
  if (!value) {
    ctx.payloadError(matcher.payload, value.error());
    return std::nullopt;
  }
  if (!ok)
    return std::nullopt;

  ir::Predicate predicate;
  predicate.negate = matcher.negate.has_value();
  predicate.text = ctx.sourceText(matcher.range);
  predicate.range = matcher.range;
  buildPredicate(ctx, *info, op, std::move(*value), predicate);
  return predicate;
}

void lowerRuleOptions(Context &ctx, const ChainScope &scope,
                      const ast::Rule &rule, ir::Rule &out) {
  std::map<ast::RuleOption::Kind, const ast::RuleOption *> seen;
  for (const ast::RuleOption &opt : rule.options) {
    auto [it, inserted] = seen.emplace(opt.kind, &opt);
    if (!inserted) {
      ctx.error(opt.keyword.range,
                fmt::format("duplicate '{}' in rule", opt.keyword.text));
      ctx.note(it->second->keyword.range,
               fmt::format("first '{}' is here", opt.keyword.text));
      continue;
    }
    switch (opt.kind) {
    case ast::RuleOption::Kind::Counter:
      out.counter = true;
      break;
    case ast::RuleOption::Kind::Log: {
      out.log.enabled = true;
      // Bare `log` records every header.
      out.log.headers = opt.logHeaders.empty() ? ir::kLogAll : 0;
      for (const ast::Token &header : opt.logHeaders) {
        if (auto bit = parseLogHeader(header.text))
          out.log.headers |= *bit;
        else
          ctx.payloadError(header, bit.error());
      }
      if (!opt.logHeaders.empty() && scope.hook &&
          ir::hookFamily(*scope.hook) == ir::HookFamily::CgroupSockAddr)
        reportUnsupportedByHook(
            ctx, scope, spanOf(opt.logHeaders), "choosing log headers",
            "sock_addr hooks log the socket call, use a bare 'log'");
      if (opt.every) {
        if (auto rate = parseLogRate(opt.every->text))
          out.log.rateNs = *rate;
        else
          ctx.payloadError(*opt.every, rate.error());
      }
      break;
    }
    case ast::RuleOption::Kind::Mark: {
      if (auto mark = parseMark(opt.value.text))
        out.mark = *mark;
      else
        ctx.payloadError(opt.value, mark.error());
      if (scope.hook && !ir::hookCanSetMark(*scope.hook))
        reportUnsupportedByHook(ctx, scope, opt.keyword.range,
                                "setting the packet mark",
                                "only TC and cgroup_skb hooks can set it");
      break;
    }
    }
  }
}

} // namespace bfc::sema
