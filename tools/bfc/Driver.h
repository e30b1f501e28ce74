// The bfc command line: options, the compile pipeline and the emit kinds.
#pragma once

#include <istream>
#include <ostream>

namespace bfc::driver {

/// Process exit codes of bfc.
enum ExitCode : int {
  kExitSuccess = 0, ///< done; warnings may have been printed
  kExitError = 1,   ///< the input has errors, or input/output failed
  kExitUsage = 2,   ///< the command line itself is wrong
};

/// Runs bfc as if invoked with `argv`. Reads stdin from `in`, writes textual
/// output that goes to stdout to `out`, diagnostics to `err`. Returns the
/// process exit code.
int run(int argc, const char *const *argv, std::istream &in, std::ostream &out,
        std::ostream &err);

} // namespace bfc::driver
