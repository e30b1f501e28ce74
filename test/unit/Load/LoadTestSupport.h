// Helpers shared by the lib/Load unit tests.
#pragma once

#include <functional>
#include <string>

#include "bfc/Load/Error.h"

namespace bfc::load::test {

/// The message of the LoadError `f` throws, or "<no error>".
inline std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const LoadError &e) {
    return e.what();
  }
  return "<no error>";
}

} // namespace bfc::load::test
