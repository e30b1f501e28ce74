// Thin, throwing wrappers over the bpf() system call (through libbpf where
// it has the command, raw otherwise). Every failure is a LoadError naming the
// operation and the object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bfc/Load/Fd.h"
#include "bfc/Load/KernelCompat.h"

namespace bfc::load::bpf {

/// Opens a pinned object. Throws when it does not exist.
Fd openPinned(const std::string &path);
/// Opens a pinned object, nullopt when nothing is pinned at `path`.
std::optional<Fd> openPinnedIfExists(const std::string &path);
/// What a pinned map must be before bfload reads or writes it: the kernel
/// copies whole keys and values into bfload's buffers, so a map of other
/// sizes (planted in bpffs, or left by another version) would overflow them.
/// A size of kAnySize is not checked (the caller sizes its buffer from the
/// map's info).
inline constexpr uint32_t kAnySize = UINT32_MAX;
struct MapShape {
  uint32_t type = 0;
  uint32_t keySize = kAnySize;
  uint32_t valueSize = kAnySize;
};
/// Opens the map pinned at `path` (`what` names it in errors) and checks its
/// shape. Throws LoadError.
Fd openPinnedMap(const std::string &path, const MapShape &shape,
                 const std::string &what);
/// Pins `fd` at `path` (which must not exist).
void pin(int fd, const std::string &path);

/// A BPF_MAP_TYPE_ARRAY with u32 keys.
Fd createArrayMap(const std::string &name, uint32_t valueSize,
                  uint32_t maxEntries);
void updateElem(int mapFd, const void *key, const void *value,
                uint64_t flags = 0);
/// False when the key is absent.
bool lookupElem(int mapFd, const void *key, void *value);
/// False when the key was absent.
bool deleteElem(int mapFd, const void *key);
/// Every key of a hash-like map, in the kernel's iteration order.
std::vector<std::vector<uint8_t>> mapKeys(int mapFd, uint32_t keySize);
/// Makes a map read-only from user space.
void freezeMap(int mapFd);

struct ProgInfo {
  uint32_t id = 0;
  uint32_t type = 0;
  std::string name;
  uint64_t runTimeNs = 0;
  uint64_t runCount = 0;
};
ProgInfo progInfo(int progFd);
/// The program as the verifier rewrote it (8-byte instructions).
std::vector<uint64_t> progXlatedInsns(int progFd);

struct MapInfo {
  uint32_t id = 0;
  uint32_t type = 0;
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t maxEntries = 0;
  uint32_t flags = 0;
  std::string name;
};
MapInfo mapInfo(int mapFd);

kernel::LinkInfo linkInfo(int linkFd);

/// BPF_LINK_CREATE with the raw attribute (netfilter, tcx, and the rest).
Fd linkCreate(const kernel::LinkCreateAttr &attr, const std::string &what);
/// BPF_LINK_UPDATE: the link runs `progFd` from now on, atomically.
void linkUpdate(int linkFd, int progFd, const std::string &what);

/// Number of possible CPUs (per-CPU map values have one slot each).
unsigned possibleCpus();

} // namespace bfc::load::bpf
