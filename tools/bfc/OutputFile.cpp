#include "OutputFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bfc::driver {

bool writeFileAtomically(const std::string &path, std::string_view data,
                         std::string &error) {
  // Same directory as the target so rename() cannot cross file systems.
  std::string tempPath = path + ".tmp.XXXXXX";
  int fd = mkstemp(tempPath.data());
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  auto fail = [&](int err) {
    error = std::strerror(err);
    if (fd >= 0)
      close(fd);
    unlink(tempPath.c_str());
    return false;
  };

  // mkstemp creates the file 0600; give it the usual 0666 & ~umask.
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0)
    return fail(errno);

  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return fail(errno);
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0)
    return fail(errno);
  int closed = close(fd);
  fd = -1;
  if (closed != 0)
    return fail(errno);
  if (rename(tempPath.c_str(), path.c_str()) != 0)
    return fail(errno);
  return true;
}

} // namespace bfc::driver
