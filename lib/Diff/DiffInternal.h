// The pieces of the diff analysis: packet shapes, predicates compiled to
// conditions over dimensions, and the partition of a shape's space.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "bfc/Diff/Diff.h"

namespace bfc::diff {

/// Bits of a dimension's values (the field's value width; 32 for the random
/// draw and the flow hash).
unsigned dimBits(unsigned dim);

/// The shapes of the packets (or socket calls) a hook sees.
std::vector<std::unique_ptr<Shape>> shapesOfHook(ir::Hook hook);

/// A predicate on one shape: constant, a set of values of one dimension, or
/// membership of a tuple of dimensions in a set of tuples.
struct Condition {
  enum class Kind : uint8_t { Constant, Values, Tuples };
  Kind kind = Kind::Constant;
  bool constant = false;
  unsigned dim = 0;
  IntervalSet values; ///< Kind::Values: the values that make it true
  // Kind::Tuples: true when some tuple matches (xor negate).
  std::vector<unsigned> dims;
  std::vector<std::vector<Value>> tuples;
  bool negate = false;
};

/// The interface names of both modules mapped to ifindexes no rule uses.
using IfaceIndexes = std::map<std::string, uint32_t>;

/// One chain's rules compiled for one shape. Throws an Unsupported Error
/// (diffModules returns it).
struct CompiledChain {
  const ir::Chain *chain = nullptr;
  std::vector<std::vector<Condition>> rules; ///< per rule, ANDed
};
CompiledChain compileChain(const ir::Module &module, const ir::Chain &chain,
                           const Shape &shape, const IfaceIndexes &ifaces,
                           bool isAfter);

/// The redirect target of a REDIRECT rule, as Fate::redirect spells it.
std::string redirectTarget(const ir::Module &module, const ir::Rule &rule);

/// Every class of the shape's packets on which the two chains' fates differ
/// (by `options`), unmerged, in a deterministic order.
std::vector<ChangedClass>
partitionShape(const Shape &shape, const ir::Module &beforeModule,
               const CompiledChain &before, const ir::Module &afterModule,
               const CompiledChain &after, const DiffOptions &options);

/// Whether two fates differ, by `options`: verdict, the mark the packet
/// leaves with (`marks`: the class's input marks), redirect, and the
/// deciding rule's text with options.rules.
bool fatesDiffer(const Fate &a, const ir::Chain &chainA, const Fate &b,
                 const ir::Chain &chainB, const DiffOptions &options,
                 const IntervalSet *marks);

/// Merges classes with the same fates that differ in one dimension only.
void mergeClasses(std::vector<ChangedClass> &classes);

/// A witness packet spec for the class; empty when none can be built.
std::string buildWitness(const ChangedClass &cls, ir::Hook hook,
                         const IfaceIndexes &ifaces);

} // namespace bfc::diff
