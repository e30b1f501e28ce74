// The entry points of bfc's subcommands (`bfc NAME ...`), listed in
// Driver.cpp's kSubcommands. Each takes argv starting at its own name.
#pragma once

#include <istream>
#include <ostream>

namespace bfc::driver {

/// `bfc diff OLD NEW`: tools/bfc/DiffCommand.cpp.
int runDiff(int argc, const char *const *argv, std::istream &in,
            std::ostream &out, std::ostream &err);

} // namespace bfc::driver
