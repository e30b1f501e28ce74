// Verbosity (`--verbose debug|bpf|bytecode`) and the test hook that pauses
// bfload at a named step so tests can SIGKILL it there.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace bfc::load {

struct Verbosity {
  bool debug = false;    ///< bfload's own steps
  bool bpf = false;      ///< libbpf's messages, verifier logs included
  bool bytecode = false; ///< the loaded programs' instructions
};

/// Process-wide verbosity, set once by the tool.
Verbosity &verbosity();

/// Prints "bfload: debug: ..." to stderr when debug verbosity is on.
template <typename... Args>
void debugLog(fmt::format_string<Args...> format, Args &&...args) {
  if (verbosity().debug)
    fmt::print(stderr, "bfload: debug: {}\n",
               fmt::format(format, std::forward<Args>(args)...));
}

/// Environment variable naming a step to stop at (tests only).
inline constexpr const char *kDebugPauseEnv = "BFLOAD_DEBUG_PAUSE";

/// When BFLOAD_DEBUG_PAUSE equals `step`, prints
/// "bfload: paused at <step> (pid N)" to stderr and sleeps until killed.
/// Steps are named where a crash must leave a consistent state.
void debugPause(std::string_view step);

} // namespace bfc::load
