#include "bfc/IR/Verifier.h"

#include "bfc/IR/HookModel.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace bfc::ir {

namespace {

bool isAddressField(FieldId field) {
  return field == FieldId::Ip4Saddr || field == FieldId::Ip4Daddr ||
         field == FieldId::Ip6Saddr || field == FieldId::Ip6Daddr;
}

class ChainVerifier {
public:
  ChainVerifier(const Module &module, const Chain &chain,
                std::vector<std::string> &problems)
      : module_(module), chain_(chain), problems_(problems) {}

  void run() {
    if (chain_.policy != Verdict::Accept && chain_.policy != Verdict::Drop &&
        chain_.policy != Verdict::Next)
      report(fmt::format("policy {} is not ACCEPT, DROP or NEXT",
                         verdictName(chain_.policy)));
    for (size_t i = 0; i < chain_.sets.size(); ++i)
      verifySet(i, chain_.sets[i]);
    for (size_t i = 0; i < chain_.rules.size(); ++i)
      verifyRule(i, chain_.rules[i]);
  }

private:
  void report(std::string message) {
    problems_.push_back(fmt::format("chain {}: {}", chain_.name, message));
  }

  void verifySet(size_t index, const Set &set) {
    std::string where = fmt::format("set {} ({})", index, set.name);
    if (set.key.empty())
      report(where + ": empty key");
    if (set.lpm && (set.key.size() != 1 || !isAddressField(set.key[0])))
      report(where + ": an LPM set has exactly one address component");
    unsigned size = set.keySize();
    for (size_t i = 0; i < set.elements.size(); ++i) {
      const SetElement &element = set.elements[i];
      if (element.key.size() != size)
        report(fmt::format("{}: element {} is {} bytes, the key is {}", where,
                           i, element.key.size(), size));
      if (set.lpm && element.prefixLen > size * 8)
        report(fmt::format("{}: element {} has prefix length {} > {}", where, i,
                           element.prefixLen, size * 8));
    }
  }

  void verifyRule(size_t position, const Rule &rule) {
    std::string where = fmt::format("rule {}", position);
    if (rule.index != position)
      report(fmt::format("{}: index is {}", where, rule.index));
    if (rule.neverMatches && !rule.predicates.empty())
      report(where + ": a never-matching rule has predicates");
    for (size_t i = 0; i < rule.predicates.size(); ++i)
      verifyPredicate(fmt::format("{}, predicate {}", where, i),
                      rule.predicates[i]);
    if (rule.mark && !hookCanSetMark(chain_.hook))
      report(fmt::format("{}: mark is not supported on {}", where,
                         hookName(chain_.hook)));
    if (rule.verdict == Verdict::Redirect) {
      if (!hookCanRedirect(chain_.hook, RedirectDir::Out))
        report(fmt::format("{}: REDIRECT is not supported on {}", where,
                           hookName(chain_.hook)));
      else if (!hookCanRedirect(chain_.hook, rule.redirectDir))
        report(fmt::format("{}: REDIRECT in is not supported on {}", where,
                           hookName(chain_.hook)));
      if (rule.redirectSlot && *rule.redirectSlot >= module_.hostSlots.size())
        report(fmt::format("{}: host slot {} does not exist", where,
                           *rule.redirectSlot));
    }
  }

  void verifyPredicate(const std::string &where, const Predicate &pred) {
    // Absent fields are valid: false on sock_addr hooks (HookModel.h).
    std::string_view what;
    if (predicateVisibility(chain_.hook, pred, chain_, &what) ==
        Visibility::Unsupported)
      report(
          fmt::format("{}: {}", where, notAvailableMessage(what, chain_.hook)));
    switch (pred.kind) {
    case Predicate::Kind::Field: {
      unsigned width = fieldInfo(pred.field).width;
      if (pred.value.size() != width)
        report(fmt::format("{}: {} value is {} bytes, the field is {}", where,
                           fieldInfo(pred.field).name, pred.value.size(),
                           width));
      if (pred.op == CmpOp::Range && pred.high.size() != width)
        report(fmt::format("{}: range high bound is {} bytes, the field is {}",
                           where, pred.high.size(), width));
      if (pred.prefixLen) {
        if (pred.op != CmpOp::Eq)
          report(where + ": a prefix length needs the eq operator");
        if (*pred.prefixLen > width * 8)
          report(fmt::format("{}: prefix length {} > {}", where,
                             *pred.prefixLen, width * 8));
      }
      break;
    }
    case Predicate::Kind::Iface:
      if (pred.hostSlot && *pred.hostSlot >= module_.hostSlots.size())
        report(fmt::format("{}: host slot {} does not exist", where,
                           *pred.hostSlot));
      break;
    case Predicate::Kind::Probability:
      if (!(pred.percent >= 0 && pred.percent <= 100))
        report(fmt::format("{}: probability {}% is not in [0, 100]", where,
                           pred.percent));
      break;
    case Predicate::Kind::Ip6HeaderChain:
      break;
    case Predicate::Kind::Set:
      if (pred.set >= chain_.sets.size())
        report(fmt::format("{}: set {} does not exist", where, pred.set));
      break;
    }
  }

  const Module &module_;
  const Chain &chain_;
  std::vector<std::string> &problems_;
};

} // namespace

std::vector<std::string> verifyChain(const Module &module, const Chain &chain) {
  std::vector<std::string> problems;
  ChainVerifier(module, chain, problems).run();
  return problems;
}

std::vector<std::string> verifyModule(const Module &module) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  for (const Chain &chain : module.chains) {
    if (!names.insert(chain.name).second)
      problems.push_back(fmt::format("chain {}: defined twice", chain.name));
    ChainVerifier(module, chain, problems).run();
  }
  return problems;
}

} // namespace bfc::ir
