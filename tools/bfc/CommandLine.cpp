#include "CommandLine.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "Driver.h"

namespace bfc::driver {

void toolError(std::ostream &err, std::string_view tool,
               std::string_view message) {
  err << tool << ": error: " << message << '\n';
}

std::optional<int> parseArguments(CLI::App &app, int argc,
                                  const char *const *argv, std::ostream &out,
                                  std::ostream &err, std::string_view tool) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e, out, err);
      return kExitSuccess;
    }
    toolError(err, tool, e.what());
    err << "Run '" << tool << " --help' for usage.\n";
    return kExitUsage;
  }
  return std::nullopt;
}

Expected<std::string> readFile(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error{.message = std::strerror(errno)};
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return Error{.message = std::strerror(EISDIR)};
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      Error error{.message = std::strerror(errno)};
      close(fd);
      return error;
    }
    if (n == 0)
      break;
    text.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

Expected<std::string> readInput(const std::string &path, std::istream &in) {
  if (path != "-")
    return readFile(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace bfc::driver
