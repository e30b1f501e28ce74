// The entry points of bfc's subcommands (`bfc NAME ...`), listed in
// Driver.cpp's kSubcommands. Each takes argv starting at its own name.
#pragma once

#include <istream>
#include <ostream>

namespace bfc::driver {} // namespace bfc::driver
