// The exact partition of one shape's packet space: split a dimension into
// the classes of values on which every undecided condition is constant,
// until both chains decide.

#include <algorithm>
#include <map>
#include <set>

#include "DiffInternal.h"
#include "bfc/Transform/PredicateFacts.h"

namespace bfc::diff {

namespace {

using Classes = std::array<IntervalSet, kNumDims>;
using transform::Truth;

Truth truthOf(bool value) { return value ? Truth::True : Truth::False; }

constexpr unsigned kMarkDim = static_cast<unsigned>(ir::FieldId::MetaMark);

/// The truth of `c` on every packet of `classes`, where `markOverride`
/// replaces meta.mark once a rule has set it.
Truth evaluate(const Condition &c, const Classes &classes,
               const std::optional<uint32_t> &markOverride) {
  auto classOf = [&](unsigned dim) {
    if (markOverride && dim == kMarkDim)
      return IntervalSet::point(*markOverride);
    return classes[dim];
  };
  switch (c.kind) {
  case Condition::Kind::Constant:
    return truthOf(c.constant);
  case Condition::Kind::Values: {
    if (markOverride && c.dim == kMarkDim)
      return truthOf(c.values.contains(*markOverride));
    switch (c.values.relationOf(classes[c.dim])) {
    case IntervalSet::Relation::Disjoint:
      return Truth::False;
    case IntervalSet::Relation::Inside:
      return Truth::True;
    case IntervalSet::Relation::Overlapping:
      return Truth::Unknown;
    }
    return Truth::Unknown;
  }
  case Condition::Kind::Tuples: {
    std::vector<IntervalSet> dimClasses;
    bool allPoints = true;
    for (unsigned dim : c.dims) {
      dimClasses.push_back(classOf(dim));
      allPoints = allPoints && dimClasses.back().isPoint();
    }
    bool any = std::any_of(c.tuples.begin(), c.tuples.end(), [&](auto &t) {
      for (size_t i = 0; i < t.size(); ++i)
        if (!dimClasses[i].contains(t[i]))
          return false;
      return true;
    });
    if (!any)
      return truthOf(c.negate);
    return allPoints ? truthOf(!c.negate) : Truth::Unknown;
  }
  }
  return Truth::Unknown;
}

/// A dimension whose split makes progress on an undecided condition.
unsigned splitDim(const Condition &c, const Classes &classes) {
  if (c.kind == Condition::Kind::Values)
    return c.dim;
  for (unsigned dim : c.dims)
    if (!classes[dim].isPoint())
      return dim;
  return c.dims.front();
}

/// Where a chain's walk over a class ends: a fate, or a dimension to split.
struct Walk {
  std::optional<Fate> fate;
  unsigned dim = 0;
};

bool mentions(const Condition &c, unsigned dim) {
  return (c.kind == Condition::Kind::Values && c.dim == dim) ||
         (c.kind == Condition::Kind::Tuples &&
          std::find(c.dims.begin(), c.dims.end(), dim) != c.dims.end());
}

/// Runs the chain's rules over every packet of `classes`: the fate when it
/// is the same for all of them, else the dimension of the first undecided
/// condition. With `collect`, the walk goes on past undecided rules and
/// gathers their undecided conditions on `collectDim` instead: those of the
/// rules a packet may still reach and match, which a split must make
/// constant (rules already false, or after a rule that surely decides, would
/// only cut the class finer).
Walk walkChain(const ir::Module &module, const CompiledChain &compiled,
               const Classes &classes, unsigned collectDim = 0,
               std::vector<const Condition *> *collect = nullptr) {
  const ir::Chain &chain = *compiled.chain;
  std::optional<uint32_t> mark;
  for (size_t r = 0; r < chain.rules.size(); ++r) {
    const ir::Rule &rule = chain.rules[r];
    // A CONTINUE rule without a mark changes nothing a fate holds.
    if (rule.verdict == ir::Verdict::Continue && !rule.mark)
      continue;
    bool possible = true;
    const Condition *undecided = nullptr;
    std::vector<const Condition *> onDim;
    for (const Condition &c : compiled.rules[r]) {
      Truth t = evaluate(c, classes, mark);
      if (t == Truth::False) {
        possible = false;
        break;
      }
      if (t == Truth::Unknown) {
        undecided = undecided ? undecided : &c;
        if (collect && mentions(c, collectDim))
          onDim.push_back(&c);
      }
    }
    if (!possible)
      continue;
    if (undecided) {
      if (!collect)
        return Walk{std::nullopt, splitDim(*undecided, classes)};
      collect->insert(collect->end(), onDim.begin(), onDim.end());
      continue;
    }
    if (rule.mark)
      mark = rule.mark;
    if (rule.verdict == ir::Verdict::Continue)
      continue;
    Fate fate{rule.verdict, rule.index, mark, {}};
    if (rule.verdict == ir::Verdict::Redirect)
      fate.redirect = redirectTarget(module, rule);
    return Walk{fate, 0};
  }
  return Walk{Fate{chain.policy, std::nullopt, mark, {}}, 0};
}

/// Splits `values` into classes on which each condition is constant (for
/// tuples: the same tuples have their component in the class).
std::vector<IntervalSet> splitValues(const IntervalSet &values, unsigned dim,
                                     const std::vector<const Condition *> &by) {
  // The elementary intervals: cut at every boundary of every condition.
  std::set<Value> cuts; // a cut at v starts an interval at v
  auto cutAround = [&](Value lo, Value hi) {
    cuts.insert(lo);
    if (hi != ~Value(0))
      cuts.insert(hi + 1);
  };
  for (const Interval &i : values.intervals())
    cutAround(i.lo, i.hi);
  for (const Condition *c : by) {
    if (c->kind == Condition::Kind::Values) {
      for (const Interval &i : c->values.intervals())
        cutAround(i.lo, i.hi);
      continue;
    }
    for (size_t k = 0; k < c->dims.size(); ++k)
      if (c->dims[k] == dim)
        for (const auto &tuple : c->tuples)
          cutAround(tuple[k], tuple[k]);
  }
  // Tuples by their component in `dim`, per tuple condition.
  std::vector<std::multimap<Value, uint64_t>> tuplesAt(by.size());
  for (size_t n = 0; n < by.size(); ++n)
    if (by[n]->kind == Condition::Kind::Tuples)
      for (size_t k = 0; k < by[n]->dims.size(); ++k)
        if (by[n]->dims[k] == dim)
          for (size_t t = 0; t < by[n]->tuples.size(); ++t)
            tuplesAt[n].emplace(by[n]->tuples[t][k], t * 64 + k);
  // Group the elementary intervals by their signature: which conditions
  // hold, which tuples have their component there.
  std::map<std::vector<uint64_t>, std::vector<Interval>> groups;
  std::vector<std::vector<uint64_t>> order;
  for (const Interval &range : values.intervals()) {
    auto it = cuts.lower_bound(range.lo);
    while (it != cuts.end() && *it <= range.hi) {
      Value lo = *it;
      ++it;
      Value hi = (it == cuts.end() || *it > range.hi) ? range.hi : *it - 1;
      std::vector<uint64_t> signature;
      for (size_t n = 0; n < by.size(); ++n) {
        const Condition *c = by[n];
        if (c->kind == Condition::Kind::Values) {
          signature.push_back(c->values.contains(lo));
          continue;
        }
        auto [first, last] = tuplesAt[n].equal_range(lo);
        for (auto it = first; it != last; ++it)
          signature.push_back(it->second);
        signature.push_back(~uint64_t(0)); // end of this condition
      }
      auto [group, added] = groups.try_emplace(signature);
      if (added)
        order.push_back(signature);
      group->second.push_back({lo, hi});
    }
  }
  std::vector<IntervalSet> out;
  for (const auto &signature : order)
    out.push_back(IntervalSet::fromIntervals(std::move(groups[signature])));
  return out;
}

class Partitioner {
public:
  Partitioner(const Shape &shape, const ir::Module &beforeModule,
              const CompiledChain &before, const ir::Module &afterModule,
              const CompiledChain &after, const DiffOptions &options)
      : shape_(shape), beforeModule_(beforeModule), before_(before),
        afterModule_(afterModule), after_(after), options_(options) {}

  std::vector<ChangedClass> run() {
    Classes classes;
    for (unsigned dim = 0; dim < kNumDims; ++dim)
      if (shape_.domain[dim])
        classes[dim] = *shape_.domain[dim];
    visit(classes);
    return std::move(out_);
  }

private:
  void visit(Classes &classes) {
    Walk a = walkChain(beforeModule_, before_, classes);
    Walk b = a.fate ? walkChain(afterModule_, after_, classes) : Walk{};
    if (a.fate && b.fate) {
      // One version sets the mark a packet may already carry: split those
      // packets off, their mark does not change.
      if (a.fate->verdict == b.fate->verdict &&
          a.fate->redirect == b.fate->redirect)
        if (std::optional<IntervalSet> keeps =
                markKeptBySetting(*a.fate, *b.fate, classes[kMarkDim]))
          return splitAndVisit(classes, kMarkDim,
                               {*keeps, classes[kMarkDim].minus(*keeps)});
      const IntervalSet *marks =
          shape_.domain[kMarkDim] ? &classes[kMarkDim] : nullptr;
      if (fatesDiffer(*a.fate, *before_.chain, *b.fate, *after_.chain, options_,
                      marks))
        record(classes, *a.fate, *b.fate);
      return;
    }
    unsigned dim = a.fate ? b.dim : a.dim;
    std::vector<const Condition *> undecided;
    walkChain(beforeModule_, before_, classes, dim, &undecided);
    walkChain(afterModule_, after_, classes, dim, &undecided);
    splitAndVisit(classes, dim, splitValues(classes[dim], dim, undecided));
  }

  /// When exactly one fate sets a mark X and `marks` holds X with other
  /// values, the packets that carry X already: {X}.
  static std::optional<IntervalSet>
  markKeptBySetting(const Fate &a, const Fate &b, const IntervalSet &marks) {
    if (a.mark.has_value() == b.mark.has_value() || marks.isPoint())
      return std::nullopt;
    Value set = a.mark ? *a.mark : *b.mark;
    if (!marks.contains(set))
      return std::nullopt;
    return IntervalSet::point(set);
  }

  void splitAndVisit(Classes &classes, unsigned dim,
                     std::vector<IntervalSet> parts) {
    if (parts.size() < 2)
      internalError("bfc diff: a split made no progress");
    IntervalSet whole = std::move(classes[dim]);
    for (IntervalSet &part : parts) {
      classes[dim] = std::move(part);
      visit(classes);
    }
    classes[dim] = std::move(whole);
  }

  void record(const Classes &classes, const Fate &before, const Fate &after) {
    ChangedClass cls;
    cls.shape = &shape_;
    cls.values = classes;
    cls.before = before;
    cls.after = after;
    for (unsigned dim : {kDimRandom, kDimFlowHash})
      if (shape_.domain[dim] && classes[dim] != *shape_.domain[dim])
        cls.dependsOnRandom = true;
    out_.push_back(std::move(cls));
  }

  const Shape &shape_;
  const ir::Module &beforeModule_;
  const CompiledChain &before_;
  const ir::Module &afterModule_;
  const CompiledChain &after_;
  const DiffOptions &options_;
  std::vector<ChangedClass> out_;
};

bool sameFate(const Fate &a, const Fate &b) {
  return a.verdict == b.verdict && a.mark == b.mark && a.redirect == b.redirect;
}

/// The packet leaves with the same mark: both set the same one, or one sets
/// the mark every packet of the class already carries.
bool sameMarkAfter(const Fate &a, const Fate &b, const IntervalSet *marks) {
  if (a.mark == b.mark)
    return true;
  if (a.mark && b.mark)
    return false;
  return marks && marks->isPoint() &&
         marks->first() == (a.mark ? *a.mark : *b.mark);
}

} // namespace

bool fatesDiffer(const Fate &a, const ir::Chain &chainA, const Fate &b,
                 const ir::Chain &chainB, const DiffOptions &options,
                 const IntervalSet *marks) {
  if (a.verdict != b.verdict || a.redirect != b.redirect ||
      !sameMarkAfter(a, b, marks))
    return true;
  if (!options.rules || a.rule.has_value() != b.rule.has_value())
    return options.rules;
  return a.rule && chainA.rules[*a.rule].text != chainB.rules[*b.rule].text;
}

std::vector<ChangedClass>
partitionShape(const Shape &shape, const ir::Module &beforeModule,
               const CompiledChain &before, const ir::Module &afterModule,
               const CompiledChain &after, const DiffOptions &options) {
  return Partitioner(shape, beforeModule, before, afterModule, after, options)
      .run();
}

void mergeClasses(std::vector<ChangedClass> &classes) {
  // Quadratic: past a few thousand classes, report them unmerged.
  constexpr size_t kMaxMerged = 4000;
  if (classes.size() > kMaxMerged)
    return;
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t i = 0; i < classes.size(); ++i)
      for (size_t j = i + 1; j < classes.size(); ++j) {
        ChangedClass &a = classes[i], &b = classes[j];
        if (a.shape != b.shape || !sameFate(a.before, b.before) ||
            !sameFate(a.after, b.after) || a.before.rule != b.before.rule ||
            a.after.rule != b.after.rule)
          continue;
        int differing = -1;
        for (unsigned dim = 0; dim < kNumDims; ++dim)
          if (a.values[dim] != b.values[dim]) {
            if (differing >= 0) {
              differing = -2;
              break;
            }
            differing = static_cast<int>(dim);
          }
        if (differing < 0)
          continue;
        a.values[differing] = a.values[differing].unite(b.values[differing]);
        a.dependsOnRandom = a.dependsOnRandom || b.dependsOnRandom;
        classes.erase(classes.begin() + static_cast<long>(j));
        merged = true;
        --j;
      }
  }
}

} // namespace bfc::diff
