#include "bfc/Load/Error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace bfc::load {

std::string describeErrno(const std::string &what, int err) {
  std::string message = fmt::format("{}: {}", what, std::strerror(err));
  if (err == EPERM || err == EACCES)
    message += " (bfload needs CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN: run "
               "it as root)";
  else if (err == EBUSY)
    message += " (another program already holds this hook)";
  return message;
}

void throwErrno(const std::string &what, int err) {
  throw LoadError(describeErrno(what, err));
}

} // namespace bfc::load
