#include "bfc/Load/Bpf.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bfc/Load/Error.h"

namespace bfc::load::bpf {

namespace {
/// libbpf 1.1 returns -errno and sets errno; raw syscalls return -1.
int lastError(int ret) { return ret < -1 ? -ret : errno; }

/// bpf_obj_get_info_by_fd into `info`, which the caller may have pointed at
/// extra buffers (instructions).
template <typename Info>
void objectInfo(int fd, Info &info, std::string_view what) {
  uint32_t length = sizeof(info);
  int ret = bpf_obj_get_info_by_fd(fd, &info, &length);
  if (ret < 0)
    throwErrno(fmt::format("cannot read {}", what), lastError(ret));
}

} // namespace

Fd openPinned(const std::string &path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0)
    throwErrno(fmt::format("cannot open pinned object {}", path),
               lastError(fd));
  return Fd(fd);
}

namespace {
std::string mapTypeName(uint32_t type) {
  switch (type) {
  case BPF_MAP_TYPE_HASH:
    return "hash map";
  case BPF_MAP_TYPE_ARRAY:
    return "array";
  case BPF_MAP_TYPE_PERCPU_ARRAY:
    return "per-CPU array";
  case BPF_MAP_TYPE_LPM_TRIE:
    return "LPM trie";
  case BPF_MAP_TYPE_RINGBUF:
    return "ring buffer";
  default:
    return fmt::format("map of type {}", type);
  }
}
} // namespace

Fd openPinnedMap(const std::string &path, const MapShape &shape,
                 const std::string &what) {
  Fd fd = openPinned(path);
  struct bpf_map_info info = {};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &length) != 0)
    throw LoadError(fmt::format("{} ({}) is not a map", what, path));
  auto fits = [](uint32_t expected, uint32_t actual) {
    return expected == kAnySize || expected == actual;
  };
  if (info.type != shape.type || !fits(shape.keySize, info.key_size) ||
      !fits(shape.valueSize, info.value_size))
    throw LoadError(fmt::format(
        "{} ({}) is not the map the chain record describes: a {} with "
        "{}-byte keys and {}-byte values, expected a {}{}{}",
        what, path, mapTypeName(info.type), info.key_size, info.value_size,
        mapTypeName(shape.type),
        shape.keySize == kAnySize
            ? ""
            : fmt::format(", {}-byte keys", shape.keySize),
        shape.valueSize == kAnySize
            ? ""
            : fmt::format(", {}-byte values", shape.valueSize)));
  return fd;
}

std::optional<Fd> openPinnedIfExists(const std::string &path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) {
    int err = lastError(fd);
    if (err == ENOENT)
      return std::nullopt;
    throwErrno(fmt::format("cannot open pinned object {}", path), err);
  }
  return Fd(fd);
}

void pin(int fd, const std::string &path) {
  int ret = bpf_obj_pin(fd, path.c_str());
  if (ret < 0)
    throwErrno(fmt::format("cannot pin {}", path), lastError(ret));
}

Fd createArrayMap(const std::string &name, uint32_t valueSize,
                  uint32_t maxEntries) {
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name.c_str(), sizeof(uint32_t),
                          valueSize, maxEntries, nullptr);
  if (fd < 0)
    throwErrno(fmt::format("cannot create map {}", name), lastError(fd));
  return Fd(fd);
}

void updateElem(int mapFd, const void *key, const void *value, uint64_t flags) {
  int ret = bpf_map_update_elem(mapFd, key, value, flags);
  if (ret < 0)
    throwErrno("cannot update map element", lastError(ret));
}

bool lookupElem(int mapFd, const void *key, void *value) {
  int ret = bpf_map_lookup_elem(mapFd, key, value);
  if (ret < 0) {
    int err = lastError(ret);
    if (err == ENOENT)
      return false;
    throwErrno("cannot read map element", err);
  }
  return true;
}

bool deleteElem(int mapFd, const void *key) {
  int ret = bpf_map_delete_elem(mapFd, key);
  if (ret < 0) {
    int err = lastError(ret);
    if (err == ENOENT)
      return false;
    throwErrno("cannot delete map element", err);
  }
  return true;
}

std::vector<std::vector<uint8_t>> mapKeys(int mapFd, uint32_t keySize) {
  std::vector<std::vector<uint8_t>> keys;
  std::vector<uint8_t> key(keySize), next(keySize);
  const void *previous = nullptr; // first call: no previous key
  while (true) {
    int ret = bpf_map_get_next_key(mapFd, previous, next.data());
    if (ret < 0) {
      int err = lastError(ret);
      if (err == ENOENT)
        break;
      throwErrno("cannot iterate map keys", err);
    }
    keys.push_back(next);
    key = next;
    previous = key.data();
  }
  return keys;
}

void freezeMap(int mapFd) {
  int ret = bpf_map_freeze(mapFd);
  if (ret < 0)
    throwErrno("cannot freeze map", lastError(ret));
}

ProgInfo progInfo(int progFd) {
  bpf_prog_info info = {};
  objectInfo(progFd, info, "program info");
  ProgInfo result;
  result.id = info.id;
  result.type = info.type;
  result.name = info.name;
  result.runTimeNs = info.run_time_ns;
  result.runCount = info.run_cnt;
  return result;
}

std::vector<uint64_t> progXlatedInsns(int progFd) {
  bpf_prog_info info = {};
  objectInfo(progFd, info, "program info");
  std::vector<uint64_t> insns(info.xlated_prog_len / sizeof(uint64_t));
  if (insns.empty())
    return insns;
  bpf_prog_info withInsns = {};
  withInsns.xlated_prog_len = insns.size() * sizeof(uint64_t);
  withInsns.xlated_prog_insns = reinterpret_cast<uint64_t>(insns.data());
  objectInfo(progFd, withInsns, "program instructions");
  return insns;
}

MapInfo mapInfo(int mapFd) {
  bpf_map_info info = {};
  objectInfo(mapFd, info, "map info");
  MapInfo result;
  result.id = info.id;
  result.type = info.type;
  result.keySize = info.key_size;
  result.valueSize = info.value_size;
  result.maxEntries = info.max_entries;
  result.flags = info.map_flags;
  result.name = info.name;
  return result;
}

kernel::LinkInfo linkInfo(int linkFd) {
  kernel::LinkInfo info = {};
  objectInfo(linkFd, info, "link info");
  return info;
}

Fd linkCreate(const kernel::LinkCreateAttr &attr, const std::string &what) {
  // The kernel reads at most sizeof(union bpf_attr) and wants any extra
  // bytes zeroed: copy into a full, zeroed attribute.
  union bpf_attr full;
  std::memset(&full, 0, sizeof(full));
  static_assert(sizeof(full) >= sizeof(attr));
  std::memcpy(&full, &attr, sizeof(attr));
  long fd = syscall(__NR_bpf, BPF_LINK_CREATE, &full, sizeof(full));
  if (fd < 0)
    throwErrno(what, errno);
  return Fd(static_cast<int>(fd));
}

void linkUpdate(int linkFd, int progFd, const std::string &what) {
  int ret = bpf_link_update(linkFd, progFd, nullptr);
  if (ret < 0)
    throwErrno(what, lastError(ret));
}

unsigned possibleCpus() {
  int n = libbpf_num_possible_cpus();
  if (n <= 0)
    throwErrno("cannot count the possible CPUs", n < 0 ? -n : EINVAL);
  return static_cast<unsigned>(n);
}

} // namespace bfc::load::bpf
