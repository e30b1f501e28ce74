// Writing an output file without ever leaving a partial one behind.
#pragma once

#include <string>
#include <string_view>

namespace bfc::driver {

/// Writes `data` to `path` atomically: into a temporary file in the same
/// directory, then renamed over `path`. On failure nothing is left behind
/// (an existing `path` is untouched), `error` says why (strerror text) and
/// false is returned. A `path` that exists and is not a regular file
/// (`/dev/null`, a FIFO) is written to directly.
bool writeFileAtomically(const std::string &path, std::string_view data,
                         std::string &error);

} // namespace bfc::driver
