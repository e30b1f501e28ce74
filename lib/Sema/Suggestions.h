// "Did you mean" suggestions for misspelt names (hooks, matchers, options,
// and the protocol constants of bfc/IR/Names.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bfc/IR/Names.h"
#include "bfc/Support/Suggestions.h"

namespace bfc::sema {

using bfc::didYouMean;
using bfc::suggestName;

/// The closest name of a table (names compare in any case, as they parse).
template <typename T>
std::optional<std::string>
suggestName(std::string_view word, std::span<const ir::NamedValue<T>> table) {
  std::vector<std::string> names;
  for (const ir::NamedValue<T> &entry : table)
    names.emplace_back(entry.name);
  return suggestName(word, names, /*ignoreCase=*/true);
}

} // namespace bfc::sema
