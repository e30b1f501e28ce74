#include "OutputFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bfc::driver {

namespace {

bool writeAll(int fd, std::string_view data) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

} // namespace

bool writeFileAtomically(const std::string &path, std::string_view data,
                         std::string &error) {
  // `-o /dev/null`, a FIFO, a terminal: written to, never renamed over (a
  // rename would replace the device node with a regular file).
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || !writeAll(fd, data)) {
      error = std::strerror(errno);
      if (fd >= 0)
        close(fd);
      return false;
    }
    if (close(fd) != 0) {
      error = std::strerror(errno);
      return false;
    }
    return true;
  }
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

  if (!writeAll(fd, data))
    return fail(errno);
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
