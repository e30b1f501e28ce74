#include "bfc/Transform/PredicateFacts.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

#include "ByteOps.h"
#include "bfc/IR/HookModel.h"
#include "bfc/Support/ProtocolFacts.h"

namespace bfc::transform {

using ir::Bytes;
using ir::FieldId;
using ir::Predicate;

namespace {

/// Header presence facts that always come with a header: its EtherType or
/// transport protocol (docs/semantics.md, "Headers and their presence").
struct HeaderValue {
  uint8_t header;
  FieldId field;
  uint16_t low, high;
};
constexpr HeaderValue kHeaderValues[] = {
    {kHeaderIp4, FieldId::MetaL3Proto, wire::kEtherTypeIp4,
     wire::kEtherTypeIp4},
    {kHeaderIp6, FieldId::MetaL3Proto, wire::kEtherTypeIp6,
     wire::kEtherTypeIp6},
    {kHeaderTcp, FieldId::MetaL4Proto, wire::kIpProtoTcp, wire::kIpProtoTcp},
    {kHeaderUdp, FieldId::MetaL4Proto, wire::kIpProtoUdp, wire::kIpProtoUdp},
    {kHeaderIcmp, FieldId::MetaL4Proto, wire::kIpProtoIcmp, wire::kIpProtoIcmp},
    {kHeaderIcmpv6, FieldId::MetaL4Proto, wire::kIpProtoIcmpv6,
     wire::kIpProtoIcmpv6},
    {kHeaderTcpOrUdp, FieldId::MetaL4Proto, wire::kIpProtoTcp,
     wire::kIpProtoUdp},
};

/// kHeaderValues' bounds as field bytes, built once.
const std::vector<std::pair<Bytes, Bytes>> &headerBounds() {
  static const std::vector<std::pair<Bytes, Bytes>> bounds = [] {
    std::vector<std::pair<Bytes, Bytes>> out;
    for (const HeaderValue &hv : kHeaderValues) {
      unsigned width = ir::fieldInfo(hv.field).width;
      out.emplace_back(toBigEndian(hv.low, width), toBigEndian(hv.high, width));
    }
    return out;
  }();
  return bounds;
}

/// Two fields that read the same bytes whenever `header` is present.
struct Alias {
  FieldId a, b;
  uint8_t header;
};
constexpr Alias kAliases[] = {
    {FieldId::Ip4Proto, FieldId::MetaL4Proto, kHeaderIp4},
    {FieldId::TcpSport, FieldId::L4Sport, kHeaderTcp},
    {FieldId::TcpDport, FieldId::L4Dport, kHeaderTcp},
    {FieldId::UdpSport, FieldId::L4Sport, kHeaderUdp},
    {FieldId::UdpDport, FieldId::L4Dport, kHeaderUdp},
};

Truth negateTruth(Truth t) {
  switch (t) {
  case Truth::True:
    return Truth::False;
  case Truth::False:
    return Truth::True;
  default:
    return Truth::Unknown;
  }
}

} // namespace

unsigned comparedBits(const Predicate &pred) {
  unsigned width = 8u * ir::fieldInfo(pred.field).width;
  return pred.prefixLen ? std::min<unsigned>(*pred.prefixLen, width) : width;
}

uint8_t headerBit(ir::Proto proto) {
  switch (proto) {
  case ir::Proto::None:
    return 0;
  case ir::Proto::Ip4:
    return kHeaderIp4;
  case ir::Proto::Ip6:
    return kHeaderIp6;
  case ir::Proto::Tcp:
    return kHeaderTcp;
  case ir::Proto::Udp:
    return kHeaderUdp;
  case ir::Proto::TcpOrUdp:
    return kHeaderTcpOrUdp;
  case ir::Proto::Icmp:
    return kHeaderIcmp;
  case ir::Proto::Icmpv6:
    return kHeaderIcmpv6;
  }
  return 0;
}

namespace {
/// Needs `headers`, unless the hook never has the value (docs/semantics.md,
/// last item of "Predicates"): then false, even negated.
Availability availability(ir::Visibility visibility, uint8_t headers) {
  if (visibility == ir::Visibility::Absent)
    return {true, 0};
  return {false, headers};
}
} // namespace

Availability fieldAvailability(FieldId field, ir::Hook hook) {
  return availability(ir::fieldVisibility(hook, field),
                      headerBit(ir::fieldInfo(field).proto));
}

Availability predicateAvailability(const Predicate &pred,
                                   const ir::Chain &chain) {
  switch (pred.kind) {
  case Predicate::Kind::Field:
    return fieldAvailability(pred.field, chain.hook);
  case Predicate::Kind::Iface:
    return availability(ir::ifaceVisibility(chain.hook), 0);
  case Predicate::Kind::Probability:
    if (!pred.perFlow)
      return {};
    return availability(ir::flowProbabilityVisibility(chain.hook),
                        kHeaderTcpOrUdp);
  case Predicate::Kind::Ip6HeaderChain:
    return availability(ir::ip6HeaderChainVisibility(chain.hook), kHeaderIp6);
  case Predicate::Kind::Set: {
    Availability all;
    if (pred.set >= chain.sets.size())
      return all;
    for (FieldId field : chain.sets[pred.set].key) {
      Availability one = fieldAvailability(field, chain.hook);
      all.never |= one.never;
      all.headers |= one.headers;
    }
    return all;
  }
  }
  return {};
}

namespace {
bool isLiteralIface(const Predicate &pred) {
  return pred.kind == Predicate::Kind::Iface && !pred.hostSlot;
}

/// Same predicate up to `negate`.
bool sameTest(const Predicate &a, const Predicate &b) {
  if (a.kind != b.kind)
    return false;
  switch (a.kind) {
  case Predicate::Kind::Field:
    if (a.field != b.field || a.op != b.op || a.value != b.value)
      return false;
    if (a.op == ir::CmpOp::Range)
      return a.high == b.high;
    if (a.op == ir::CmpOp::Eq)
      return comparedBits(a) == comparedBits(b);
    return true;
  case Predicate::Kind::Iface:
    return a.hostSlot == b.hostSlot && (a.hostSlot || a.ifindex == b.ifindex);
  case Predicate::Kind::Probability:
    return a.percent == b.percent && a.perFlow == b.perFlow;
  case Predicate::Kind::Ip6HeaderChain:
    return a.protocol == b.protocol;
  case Predicate::Kind::Set:
    return a.set == b.set;
  }
  return false;
}
} // namespace

bool samePredicate(const Predicate &a, const Predicate &b) {
  return a.negate == b.negate && sameTest(a, b);
}

Truth probabilityConstant(double percent) {
  // The threshold of docs/semantics.md: llround(P / 100 * 2^32).
  double threshold = std::llround(percent / 100.0 * 4294967296.0);
  if (threshold <= 0)
    return Truth::False;
  if (threshold >= 4294967296.0)
    return Truth::True;
  return Truth::Unknown;
}

bool isRandomProbability(const Predicate &pred) {
  return pred.kind == Predicate::Kind::Probability && !pred.perFlow &&
         probabilityConstant(pred.percent) == Truth::Unknown;
}

// ------------------------------------------------------------- facts ----

const PredicateFacts::FieldState &PredicateFacts::initialState(FieldId field) {
  static const std::array<FieldState, ir::kNumFields> initial = [] {
    std::array<FieldState, ir::kNumFields> out;
    for (unsigned i = 0; i < ir::kNumFields; ++i) {
      unsigned width = ir::fieldInfo(static_cast<FieldId>(i)).width;
      out[i] = {Bytes(width, 0), Bytes(width, 0), Bytes(width, 0),
                Bytes(width, 0xff)};
    }
    return out;
  }();
  return initial[static_cast<unsigned>(field)];
}

PredicateFacts::PredicateFacts(const ir::Chain &chain) : chain_(chain) {
  switch (ir::sockAddrFamily(chain.hook)) {
  case 4:
    markAbsent(kHeaderIp6 | kHeaderIcmp | kHeaderIcmpv6);
    markPresent(kHeaderIp4);
    break;
  case 6:
    markAbsent(kHeaderIp4 | kHeaderIcmp | kHeaderIcmpv6);
    markPresent(kHeaderIp6);
    break;
  default:
    break;
  }
  propagate();
}

void PredicateFacts::markPresent(uint8_t headers) {
  present_ |= headers;
  closeHeaders();
}

void PredicateFacts::markAbsent(uint8_t headers) {
  absent_ |= headers;
  closeHeaders();
}

void PredicateFacts::closeHeaders() {
  // At most one internet and one transport header; ICMP only over IPv4,
  // ICMPv6 only over IPv6; a transport header needs an internet header.
  constexpr uint8_t kTransport =
      kHeaderTcp | kHeaderUdp | kHeaderIcmp | kHeaderIcmpv6 | kHeaderTcpOrUdp;
  for (;;) {
    uint8_t present = present_, absent = absent_;
    if (present_ & (kHeaderTcp | kHeaderUdp))
      present_ |= kHeaderTcpOrUdp;
    if (present_ & kHeaderIcmp)
      present_ |= kHeaderIp4;
    if (present_ & kHeaderIcmpv6)
      present_ |= kHeaderIp6;
    if ((present_ & kHeaderTcpOrUdp) && (absent_ & kHeaderUdp))
      present_ |= kHeaderTcp;
    if ((present_ & kHeaderTcpOrUdp) && (absent_ & kHeaderTcp))
      present_ |= kHeaderUdp;
    if ((present_ & kTransport) && (absent_ & kHeaderIp4))
      present_ |= kHeaderIp6;
    if ((present_ & kTransport) && (absent_ & kHeaderIp6))
      present_ |= kHeaderIp4;

    if (present_ & kHeaderIp4)
      absent_ |= kHeaderIp6 | kHeaderIcmpv6;
    if (present_ & kHeaderIp6)
      absent_ |= kHeaderIp4 | kHeaderIcmp;
    if (present_ & kHeaderTcp)
      absent_ |= kHeaderUdp | kHeaderIcmp | kHeaderIcmpv6;
    if (present_ & kHeaderUdp)
      absent_ |= kHeaderTcp | kHeaderIcmp | kHeaderIcmpv6;
    if (present_ & kHeaderTcpOrUdp)
      absent_ |= kHeaderIcmp | kHeaderIcmpv6;
    if (present_ & kHeaderIcmp)
      absent_ |= kHeaderTcp | kHeaderUdp | kHeaderTcpOrUdp | kHeaderIcmpv6;
    if (present_ & kHeaderIcmpv6)
      absent_ |= kHeaderTcp | kHeaderUdp | kHeaderTcpOrUdp | kHeaderIcmp;
    if (absent_ & kHeaderTcpOrUdp)
      absent_ |= kHeaderTcp | kHeaderUdp;
    if ((absent_ & kHeaderTcp) && (absent_ & kHeaderUdp))
      absent_ |= kHeaderTcpOrUdp;
    if (absent_ & kHeaderIp4)
      absent_ |= kHeaderIcmp;
    if (absent_ & kHeaderIp6)
      absent_ |= kHeaderIcmpv6;
    if ((absent_ & kHeaderIp4) && (absent_ & kHeaderIp6))
      absent_ |= kTransport;

    if (present_ & absent_)
      contradictory_ = true;
    if (present == present_ && absent == absent_)
      return;
    ++changes_;
  }
}

void PredicateFacts::constrainEq(FieldId field, const Bytes &value,
                                 unsigned bits) {
  unsigned width = ir::fieldInfo(field).width;
  Bytes mask = bytes::prefixMask(width, bits);
  Bytes known = bytes::andOf(value, mask);
  constrainBits(field, mask, known);
  constrainRange(field, known, bytes::orOf(value, bytes::notOf(mask)));
}

void PredicateFacts::constrainBits(FieldId field, const Bytes &mask,
                                   const Bytes &bits) {
  FieldState &st = state(field);
  unsigned before = changes_;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (st.mask[i] & mask[i] & (st.bits[i] ^ bits[i])) {
      contradictory_ = true;
      return;
    }
    if (mask[i] & ~st.mask[i])
      ++changes_;
    st.mask[i] |= mask[i];
    st.bits[i] |= bits[i] & mask[i];
  }
  // The state was normal before: only new facts can denormalize it.
  if (changes_ != before)
    normalize(field);
}

void PredicateFacts::constrainRange(FieldId field, const Bytes &lo,
                                    const Bytes &hi) {
  FieldState &st = state(field);
  unsigned before = changes_;
  if (st.lo < lo) {
    st.lo = lo;
    ++changes_;
  }
  if (hi < st.hi) {
    st.hi = hi;
    ++changes_;
  }
  if (changes_ != before)
    normalize(field);
}

void PredicateFacts::exclude(FieldId field, const Bytes &lo, const Bytes &hi) {
  // Only an excluded range at an end of the known interval narrows it.
  FieldState &st = state(field);
  if (hi < lo)
    return;
  if (lo <= st.lo && st.hi <= hi) {
    contradictory_ = true;
    return;
  }
  ++changes_;
  if (lo <= st.lo && st.lo <= hi) {
    st.lo = hi;
    bytes::increment(st.lo); // hi < st.hi here: no overflow
  } else if (lo <= st.hi && st.hi <= hi) {
    st.hi = lo;
    bytes::decrement(st.hi); // lo > st.lo here: no underflow
  } else {
    --changes_; // strictly inside: nothing learnt
  }
  normalize(field);
}

void PredicateFacts::normalize(FieldId field) {
  FieldState &st = state(field);
  unsigned width = ir::fieldInfo(field).width;
  // Each round only narrows; a few rounds reach the fixpoint.
  // No allocation here: this runs for every fact learnt.
  auto maximumByte = [&](size_t i) {
    return static_cast<uint8_t>(st.bits[i] | ~st.mask[i]);
  };
  for (int round = 0; round < 8 && !contradictory_; ++round) {
    unsigned before = changes_;
    // Known bits bound the value: unknown bits all 0 (the minimum, `bits`)
    // or all 1 (the maximum).
    if (st.lo < st.bits) {
      st.lo = st.bits;
      ++changes_;
    }
    for (size_t i = 0; i < width; ++i) {
      if (maximumByte(i) == st.hi[i])
        continue;
      if (maximumByte(i) < st.hi[i]) {
        for (size_t j = i; j < width; ++j)
          st.hi[j] = maximumByte(j);
        ++changes_;
      }
      break;
    }
    if (st.hi < st.lo) {
      contradictory_ = true;
      return;
    }
    // Every value of [lo, hi] has the leading bits lo and hi share.
    unsigned commonBits = bytes::commonPrefixBits(st.lo, st.hi);
    for (size_t i = 0; i < width; ++i) {
      uint8_t common = bytes::prefixMaskByte(i, commonBits);
      if (st.mask[i] & common & (st.bits[i] ^ st.lo[i])) {
        contradictory_ = true;
        return;
      }
      if (common & ~st.mask[i])
        ++changes_;
      st.mask[i] |= common;
      st.bits[i] |= st.lo[i] & common;
    }
    if (before == changes_)
      return;
  }
}

void PredicateFacts::propagate() {
  // Facts feed each other (a header fixes l3/l4_proto, l4_proto fixes
  // ip4.proto, impossible values rule headers out): iterate to a fixpoint.
  for (int round = 0; round < 8 && !contradictory_; ++round) {
    unsigned before = changes_;
    for (size_t h = 0; h < std::size(kHeaderValues); ++h) {
      const HeaderValue &hv = kHeaderValues[h];
      if (present_ & hv.header)
        constrainRange(hv.field, headerBounds()[h].first,
                       headerBounds()[h].second);
    }
    for (const Alias &alias : kAliases) {
      if (!(present_ & alias.header))
        continue;
      // Distinct fields: each reads the other's state in place. `b` then
      // learns from `a` as narrowed by `b`, which is the same intersection.
      const FieldState &a = state(alias.a), &b = state(alias.b);
      constrainBits(alias.a, b.mask, b.bits);
      constrainRange(alias.a, b.lo, b.hi);
      constrainBits(alias.b, a.mask, a.bits);
      constrainRange(alias.b, a.lo, a.hi);
    }
    // A value the facts exclude rules its header out.
    for (size_t h = 0; h < std::size(kHeaderValues); ++h) {
      const HeaderValue &hv = kHeaderValues[h];
      if ((present_ | absent_) & hv.header)
        continue;
      const FieldState &st = std::as_const(*this).state(hv.field);
      const auto &[low, high] = headerBounds()[h];
      if (st.hi < low || high < st.lo ||
          (hv.low == hv.high && !bytes::compatible(st.mask, st.bits, low)))
        markAbsent(hv.header);
    }
    if (before == changes_)
      return;
  }
}

void PredicateFacts::applyTest(const Predicate &pred) {
  FieldId field = pred.field;
  unsigned width = ir::fieldInfo(field).width;
  if (pred.value.size() != width ||
      (pred.op == ir::CmpOp::Range && pred.high.size() != width))
    return; // not well formed: learn nothing
  Bytes zero(width, 0);
  unsigned ones = bytes::popcount(pred.value);
  if (!pred.negate) {
    switch (pred.op) {
    case ir::CmpOp::Eq:
      constrainEq(field, pred.value, comparedBits(pred));
      break;
    case ir::CmpOp::Range:
      constrainRange(field, pred.value, pred.high);
      break;
    case ir::CmpOp::AllBits:
      constrainBits(field, pred.value, pred.value);
      break;
    case ir::CmpOp::AnyBits:
      if (ones == 1)
        constrainBits(field, pred.value, pred.value);
      break;
    }
    return;
  }
  switch (pred.op) {
  case ir::CmpOp::Eq: {
    Bytes mask = bytes::prefixMask(width, comparedBits(pred));
    exclude(field, bytes::andOf(pred.value, mask),
            bytes::orOf(pred.value, bytes::notOf(mask)));
    break;
  }
  case ir::CmpOp::Range:
    exclude(field, pred.value, pred.high);
    break;
  case ir::CmpOp::AnyBits:
    constrainBits(field, pred.value, zero);
    break;
  case ir::CmpOp::AllBits:
    if (ones == 1)
      constrainBits(field, pred.value, zero);
    break;
  }
}

void PredicateFacts::assumeHeaders(uint8_t headers) {
  markPresent(headers);
  propagate();
}

void PredicateFacts::assume(const Predicate &pred) {
  if (contradictory_)
    return;
  if (evaluate(pred) == Truth::False) {
    contradictory_ = true;
    return;
  }
  Availability availability = predicateAvailability(pred, chain_);
  markPresent(availability.headers);
  if (pred.kind == Predicate::Kind::Field && !contradictory_)
    applyTest(pred);
  if (isLiteralIface(pred) && !pred.negate)
    ifindex_ = pred.ifindex;
  assumed_.push_back(&pred);
  propagate();
}

Truth PredicateFacts::headerTruth(const Availability &availability) const {
  if (availability.never || (availability.headers & absent_))
    return Truth::False;
  if ((availability.headers & ~present_) == 0)
    return Truth::True;
  return Truth::Unknown;
}

bool PredicateFacts::fullyKnown(FieldId field) const {
  const Bytes &mask = state(field).mask;
  return std::all_of(mask.begin(), mask.end(),
                     [](uint8_t b) { return b == 0xff; });
}

Truth PredicateFacts::fieldTest(const Predicate &pred) const {
  const FieldState &st = state(pred.field);
  unsigned width = ir::fieldInfo(pred.field).width;
  if (pred.value.size() != width ||
      (pred.op == ir::CmpOp::Range && pred.high.size() != width))
    return Truth::Unknown;
  // normalize() keeps [lo, hi] within what the known bits allow; it is an
  // over-approximation in any case, which is all soundness needs.
  const Bytes &lo = st.lo, &hi = st.hi;
  switch (pred.op) {
  case ir::CmpOp::Eq: {
    unsigned bits = comparedBits(pred);
    for (size_t i = 0; i < width; ++i)
      if (st.mask[i] & bytes::prefixMaskByte(i, bits) &
          (st.bits[i] ^ pred.value[i]))
        return Truth::False; // a known bit differs
    if (bytes::compareWithPrefixBound(hi, pred.value, bits, false) < 0 ||
        bytes::compareWithPrefixBound(lo, pred.value, bits, true) > 0)
      return Truth::False; // the interval misses the prefix
    if (bytes::leadingOnes(st.mask) >= bits ||
        (bytes::compareWithPrefixBound(lo, pred.value, bits, false) >= 0 &&
         bytes::compareWithPrefixBound(hi, pred.value, bits, true) <= 0))
      return Truth::True;
    return Truth::Unknown;
  }
  case ir::CmpOp::Range:
    if (pred.high < pred.value || hi < pred.value || pred.high < lo)
      return Truth::False;
    if (pred.value <= lo && hi <= pred.high)
      return Truth::True;
    return Truth::Unknown;
  case ir::CmpOp::AllBits:
    if (!bytes::compatible(st.mask, st.bits, pred.value, pred.value))
      return Truth::False;
    if (bytes::covers(st.mask, pred.value))
      return Truth::True;
    return Truth::Unknown;
  case ir::CmpOp::AnyBits:
    for (size_t i = 0; i < width; ++i)
      if (pred.value[i] & st.mask[i] & st.bits[i])
        return Truth::True;
    if (bytes::covers(st.mask, pred.value))
      return Truth::False; // every tested bit is known to be 0
    return Truth::Unknown;
  }
  return Truth::Unknown;
}

Truth PredicateFacts::setTest(const Predicate &pred) const {
  if (pred.set >= chain_.sets.size())
    return Truth::Unknown;
  const ir::Set &set = chain_.sets[pred.set];
  // Named sets can be updated after loading: only anonymous ones are
  // constants.
  if (!set.anonymous)
    return Truth::Unknown;
  Bytes keyMask, keyBits;
  for (FieldId field : set.key) {
    const FieldState &st = state(field);
    keyMask.insert(keyMask.end(), st.mask.begin(), st.mask.end());
    keyBits.insert(keyBits.end(), st.bits.begin(), st.bits.end());
  }
  bool allExcluded = true;
  for (const ir::SetElement &element : set.elements) {
    if (element.key.size() != keyMask.size())
      return Truth::Unknown;
    unsigned bits = set.lpm ? element.prefixLen : 8u * keyMask.size();
    Bytes mask = bytes::prefixMask(keyMask.size(), bits);
    if (!bytes::compatible(keyMask, keyBits, element.key, mask))
      continue;
    allExcluded = false;
    if (bytes::covers(keyMask, mask))
      return Truth::True;
  }
  return allExcluded ? Truth::False : Truth::Unknown;
}

Truth PredicateFacts::ip6ChainTest(const Predicate &pred) const {
  // The fixed header's next header and meta.l4_proto (the last next header
  // the walk read) are both in the IPv6 header chain.
  for (FieldId field : {FieldId::Ip6Nexthdr, FieldId::MetaL4Proto})
    if (fullyKnown(field) && state(field).bits[0] == pred.protocol)
      return Truth::True;
  return Truth::Unknown;
}

Truth PredicateFacts::evaluate(const Predicate &pred) const {
  if (contradictory_)
    return Truth::True;
  Truth header = headerTruth(predicateAvailability(pred, chain_));
  if (header == Truth::False)
    return Truth::False;
  Truth test = Truth::Unknown;
  switch (pred.kind) {
  case Predicate::Kind::Field:
    test = fieldTest(pred);
    break;
  case Predicate::Kind::Iface:
    // Two literal indexes differ for sure; two names may be one interface.
    if (isLiteralIface(pred) && ifindex_)
      test = pred.ifindex == *ifindex_ ? Truth::True : Truth::False;
    break;
  case Predicate::Kind::Probability:
    test = probabilityConstant(pred.percent);
    break;
  case Predicate::Kind::Ip6HeaderChain:
    test = ip6ChainTest(pred);
    break;
  case Predicate::Kind::Set:
    test = setTest(pred);
    break;
  }
  Truth value = pred.negate ? negateTruth(test) : test;
  if (value == Truth::False)
    return Truth::False; // false with the header, false without it
  if (value == Truth::True && header == Truth::True)
    return Truth::True;
  if (isRandomProbability(pred))
    return Truth::Unknown;
  // An assumed predicate, or its negation (which needs the same header).
  for (const Predicate *known : assumed_)
    if (sameTest(*known, pred))
      return known->negate == pred.negate ? Truth::True : Truth::False;
  return Truth::Unknown;
}

unsigned PredicateFacts::knownLeadingBits(FieldId field) const {
  return bytes::leadingOnes(state(field).mask);
}

Bytes PredicateFacts::knownBits(FieldId field) const {
  const FieldState &st = state(field);
  return bytes::andOf(
      st.bits, bytes::prefixMask(st.mask.size(), knownLeadingBits(field)));
}

PredicateFacts factsOfRule(const ir::Chain &chain, const ir::Rule &rule) {
  PredicateFacts facts(chain);
  if (rule.neverMatches)
    facts.assumeNever();
  for (const Predicate &pred : rule.predicates)
    facts.assume(pred);
  return facts;
}

} // namespace bfc::transform
