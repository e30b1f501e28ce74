#include "bfc/Support/Suggestions.h"

#include <algorithm>
#include <cctype>

namespace bfc {

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

/// Edit distance counting a swap of two neighbours as one edit (`imcp` is
/// one typo away from `icmp`).
size_t editDistance(std::string_view a, std::string_view b, bool ignoreCase) {
  auto same = [&](char x, char y) {
    return ignoreCase ? lower(x) == lower(y) : x == y;
  };
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + !same(a[i - 1], b[j - 1])});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
          same(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

} // namespace

std::optional<std::string>
suggestName(std::string_view word, const std::vector<std::string> &candidates,
            bool ignoreCase) {
  // Allow roughly one typo per three characters, at least one.
  size_t best = std::max<size_t>(1, word.size() / 3) + 1;
  std::optional<std::string> result;
  for (const std::string &candidate : candidates) {
    size_t d = editDistance(word, candidate, ignoreCase);
    if (d < best) {
      best = d;
      result = candidate;
    }
  }
  // An exact match is not a suggestion; a match that differs only by case
  // is (e.g. `accept` -> `ACCEPT`).
  if (result && *result == word)
    return std::nullopt;
  return result;
}

std::string didYouMean(const std::optional<std::string> &suggestion) {
  return suggestion ? "; did you mean '" + *suggestion + "'?" : std::string();
}

} // namespace bfc
