#include "bfc/Load/Debug.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace bfc::load {

Verbosity &verbosity() {
  static Verbosity v;
  return v;
}

void debugPause(std::string_view step) {
  debugLog("step {}", step);
  const char *wanted = std::getenv(kDebugPauseEnv);
  if (!wanted || step != wanted)
    return;
  fmt::print(stderr, "bfload: paused at {} (pid {})\n", step, getpid());
  std::fflush(stderr);
  while (true)
    pause();
}

} // namespace bfc::load
