#include "bfc/Transform/Analysis.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::transform {

namespace {

void addField(ChainRequirements &req, ir::FieldId field) {
  req.fields.set(static_cast<unsigned>(field));
  uint8_t bit = headerBit(ir::fieldInfo(field).proto);
  if (bit == kHeaderTcpOrUdp)
    bit |= kHeaderTcp | kHeaderUdp;
  req.headers |= bit;
}

} // namespace

bool ChainRequirements::needs(ir::Proto proto) const {
  switch (proto) {
  case ir::Proto::None:
    return true;
  case ir::Proto::TcpOrUdp:
    return headers & (kHeaderTcp | kHeaderUdp | kHeaderTcpOrUdp);
  default:
    return headers & headerBit(proto);
  }
}

ChainRequirements requiredHeaders(const ir::Chain &chain) {
  ChainRequirements req;
  for (const ir::Rule &rule : chain.rules) {
    if (isNeverMatching(rule))
      continue;
    for (const ir::Predicate &pred : rule.predicates) {
      switch (pred.kind) {
      case ir::Predicate::Kind::Field:
        addField(req, pred.field);
        break;
      case ir::Predicate::Kind::Iface:
        req.iface = true;
        break;
      case ir::Predicate::Kind::Probability:
        if (pred.perFlow) {
          // The hash reads both addresses, both ports and the protocol.
          req.flowHash = true;
          req.headers |= kHeaderTcp | kHeaderUdp | kHeaderTcpOrUdp |
                         kHeaderIp4 | kHeaderIp6;
        } else {
          req.random = true;
        }
        break;
      case ir::Predicate::Kind::Ip6HeaderChain:
        req.ip6HeaderChain = true;
        req.headers |= kHeaderIp6;
        break;
      case ir::Predicate::Kind::Set:
        req.sets = true;
        if (pred.set < chain.sets.size())
          for (ir::FieldId field : chain.sets[pred.set].key)
            addField(req, field);
        break;
      }
    }
    if (rule.log.enabled) {
      req.log = true;
      req.logHeaders |= rule.log.headers;
      req.logRate |= rule.log.rateNs != 0;
    }
    req.setsMark |= rule.mark.has_value();
    req.redirects |= rule.verdict == ir::Verdict::Redirect;
  }
  return req;
}

} // namespace bfc::transform
