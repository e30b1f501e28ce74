// Errors of the host side. Messages are meant for the user as they are.
#pragma once

#include <stdexcept>
#include <string>

namespace bfc::load {

class LoadError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// "what: strerror(err)" plus a hint for the errors users can fix (EPERM:
/// privileges). `err` is a positive errno value.
std::string describeErrno(const std::string &what, int err);

/// Throws LoadError(describeErrno(what, err)).
[[noreturn]] void throwErrno(const std::string &what, int err);

} // namespace bfc::load
