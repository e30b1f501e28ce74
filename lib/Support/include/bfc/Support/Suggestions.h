// "Did you mean" suggestions for misspelt names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bfc {

/// The candidate closest to `word` when it is close enough to be a likely
/// typo, else nullopt.
std::optional<std::string>
suggestName(std::string_view word, const std::vector<std::string> &candidates,
            bool ignoreCase = false);

/// "; did you mean 'x'?" or "".
std::string didYouMean(const std::optional<std::string> &suggestion);

} // namespace bfc
