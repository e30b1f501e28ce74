// The entry points of bfc's subcommands (`bfc NAME ...`), listed in
// Driver.cpp's kSubcommands. Each takes argv starting at its own name.
#pragma once

#include <istream>
#include <ostream>

namespace bfc::driver {

/// `bfc test RULESET [TESTS...]` (TestCommand.cpp, docs/bfc.md).
int runTestCommand(int argc, const char *const *argv, std::istream &in,
                   std::ostream &out, std::ostream &err);
/// `bfc import`: an iptables-save dump as a bfc ruleset.
int runImport(int argc, const char *const *argv, std::istream &in,
              std::ostream &out, std::ostream &err);
/// `bfc diff OLD NEW`: tools/bfc/DiffCommand.cpp.
int runDiff(int argc, const char *const *argv, std::istream &in,
            std::ostream &out, std::ostream &err);

} // namespace bfc::driver
