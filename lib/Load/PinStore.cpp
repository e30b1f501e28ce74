#include "bfc/Load/PinStore.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include <bpf/bpf.h>
#include <set>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/Support/Text.h"

namespace bfc::load {

namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;
constexpr const char *kStagingPrefix = "@tmp@";
constexpr const char *kReadyPrefix = "@ready@";
constexpr const char *kRetiredPrefix = "@old@";
// A ruleset change: the list of chains it installs and removes, staged then
// renamed into place. '@' is not allowed in chain names, and bpffs refuses
// '.' in any name: no clash with a chain's directories.
constexpr const char *kRulesetStaging = "@ruleset@staging";
constexpr const char *kRulesetCommitted = "@ruleset@commit";
constexpr const char *kInstallEntry = "install@";
constexpr const char *kRemoveEntry = "remove@";

bool startsWith(const std::string &s, const std::string &prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool exists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void renamePath(const std::string &from, const std::string &to) {
  if (rename(from.c_str(), to.c_str()) != 0)
    throwErrno(fmt::format("cannot rename {} to {}", from, to), errno);
}

/// A bpffs mounted without options is world-writable (mode 1777): another
/// user could have made <bpffs>/bfc first and filled it. Everything bfload
/// finds there is trusted, so the directory must be ours alone.
void checkTrustedDirectory(const std::string &path) {
  int raw = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) {
    int err = errno;
    if (err == ELOOP || err == ENOTDIR)
      throw LoadError(fmt::format("{} is not a directory (a symbolic link or "
                                  "a file): refusing to use it; remove it",
                                  path));
    throwErrno(fmt::format("cannot open {}", path), err);
  }
  Fd fd(raw);
  struct stat st;
  if (fstat(fd.get(), &st) != 0)
    throwErrno(fmt::format("cannot stat {}", path), errno);
  if (st.st_uid != geteuid())
    throw LoadError(fmt::format("{} belongs to uid {}, not to this user (uid "
                                "{}): another user may have planted it; "
                                "refusing to use it; check it and remove it",
                                path, st.st_uid, geteuid()));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw LoadError(fmt::format("{} is writable by other users (mode {:04o}): "
                                "refusing to use it; check it, then chmod "
                                "0700 it",
                                path, st.st_mode & 07777));
}

/// A pinned object bfload made: bpffs shows them as regular files. A
/// symbolic link could point at an object of another bpffs.
bool isPinnedObject(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// The lock holder's pid map, checked: a map of another shape is not ours.
std::optional<Fd> openOwnerMap(const PinRoot &root) {
  std::string path = root.path() + "/" + kOwnerPin;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0)
    return std::nullopt;
  if (!S_ISREG(st.st_mode))
    throw LoadError(fmt::format("{} is not bfload's pinned owner map; remove "
                                "it",
                                path));
  std::optional<Fd> fd = bpf::openPinnedIfExists(path);
  if (!fd)
    return fd;
  bpf::MapInfo info = bpf::mapInfo(fd->get());
  if (info.type != BPF_MAP_TYPE_ARRAY || info.keySize != sizeof(uint32_t) ||
      info.valueSize != sizeof(uint32_t) || info.maxEntries != 1)
    throw LoadError(fmt::format("{} is not bfload's owner map (an array of "
                                "one 4-byte value); remove it",
                                path));
  return fd;
}

/// The pid recorded by the current lock holder, 0 when unknown.
uint32_t readOwner(const PinRoot &root) {
  try {
    auto fd = openOwnerMap(root);
    if (!fd)
      return 0;
    uint32_t key = 0, pid = 0;
    if (!bpf::lookupElem(fd->get(), &key, &pid))
      return 0;
    return pid;
  } catch (const LoadError &) {
    return 0;
  }
}

/// "another bfload (pid N)": pids are per pid namespace, and a holder
/// killed with SIGKILL leaves its pid behind, so say when N is not running
/// here.
std::string holderText(uint32_t pid) {
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
    return fmt::format("another bfload (recorded pid {}, which is not running "
                       "in this pid namespace: the holder runs in another one, "
                       "or it was killed and a new holder has not yet recorded "
                       "its pid)",
                       pid);
  return fmt::format("another bfload (pid {})", pid);
}

void writeOwner(const PinRoot &root, uint32_t pid) {
  std::string path = root.path() + "/" + kOwnerPin;
  std::optional<Fd> fd = openOwnerMap(root);
  if (!fd) {
    fd = bpf::createArrayMap("bfc_owner", sizeof(uint32_t), 1);
    bpf::pin(fd->get(), path);
  }
  uint32_t key = 0;
  bpf::updateElem(fd->get(), &key, &pid);
}

/// Links of a chain directory, by pin name.
std::vector<std::string> linkPins(const std::string &dir) {
  std::vector<std::string> pins;
  for (const char *name : {kLinkPin, kLinkIp4Pin, kLinkIp6Pin}) {
    std::string path = dir + "/" + name;
    if (!exists(path))
      continue;
    if (!isPinnedObject(path))
      throw LoadError(fmt::format("{} is not a pinned link (a symbolic link or "
                                  "a directory): refusing to use it",
                                  path));
    pins.push_back(name);
  }
  return pins;
}

/// Ids of the links pinned in `dir` (none when it does not exist).
std::set<uint32_t> linkIds(const std::string &dir) {
  std::set<uint32_t> ids;
  for (const std::string &name : linkPins(dir))
    if (auto fd = bpf::openPinnedIfExists(dir + "/" + name))
      ids.insert(bpf::linkInfo(fd->get()).id);
  return ids;
}

/// Ids of the links pinned by every committed chain: a staging directory
/// may hold links it took over from any of them (same place, another name).
std::set<uint32_t> liveLinkIds(const PinRoot &root) {
  std::set<uint32_t> ids;
  for (const std::string &chain : root.chainNames())
    for (uint32_t id : linkIds(root.chainDir(chain)))
      ids.insert(id);
  return ids;
}

/// Removes a chain directory, detaching its links first unless another
/// directory still pins them (`keep`). Unpinning alone would detach them
/// too, but only once the kernel gets to free them (after an RCU grace
/// period, from a workqueue): meanwhile the hook stays busy (XDP) or the
/// priority taken (netfilter), and the next attach would fail.
void retireChainDir(const std::string &dir, const std::set<uint32_t> &keep) {
  for (const std::string &name : linkPins(dir)) {
    auto fd = bpf::openPinnedIfExists(dir + "/" + name);
    if (!fd)
      continue;
    kernel::LinkInfo info = bpf::linkInfo(fd->get());
    if (keep.count(info.id))
      continue;
    debugLog("detaching link {} (id {}) of {}", name, info.id, dir);
    if (bpf_link_detach(fd->get()) != 0 && errno != ENOLINK)
      fmt::print(stderr, "bfload: warning: cannot detach link {} of {}: {}\n",
                 name, dir, std::strerror(errno));
  }
  removeTree(dir);
}

} // namespace

void validateChainName(const std::string &name) {
  bool valid = !name.empty() && name.size() <= 200 &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
               });
  if (!valid)
    throw LoadError(fmt::format("invalid chain name '{}': chain names are 1 "
                                "to 200 letters, digits, '_' or '-'",
                                escapeForDisplay(name)));
}

void validateMapName(const std::string &chain, const std::string &name) {
  bool valid = !name.empty() && name.size() <= 200 &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_';
               });
  if (!valid)
    throw LoadError(fmt::format("chain '{}': invalid map name '{}' in the "
                                "metadata: map names are 1 to 200 letters, "
                                "digits or '_'",
                                chain, escapeForDisplay(name)));
  for (const char *pin :
       {kProgPin, kMetaPin, kLinkPin, kLinkIp4Pin, kLinkIp6Pin, kOwnerPin})
    if (name == pin)
      throw LoadError(fmt::format("chain '{}': the metadata names a map '{}', "
                                  "which is reserved for bfload's own pins",
                                  chain, name));
}

PinRoot::PinRoot(const std::string &bpffsPath) {
  struct statfs fs;
  if (statfs(bpffsPath.c_str(), &fs) != 0) {
    int err = errno;
    if (err == ENOENT)
      throw LoadError(fmt::format("BPF filesystem {} does not exist (mount "
                                  "one with: mount -t bpf bpf {})",
                                  bpffsPath, bpffsPath));
    throwErrno(fmt::format("cannot access {}", bpffsPath), err);
  }
  if (static_cast<long>(fs.f_type) != kBpfFsMagic)
    throw LoadError(fmt::format("{} is not a BPF filesystem (mount one with: "
                                "mount -t bpf bpf {}, or pass --bpffs-path)",
                                bpffsPath, bpffsPath));
  path_ = bpffsPath;
  while (path_.size() > 1 && path_.back() == '/')
    path_.pop_back();
  path_ += "/bfc";
  if (mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST)
    throwErrno(fmt::format("cannot create {}", path_), errno);
  checkTrustedDirectory(path_);
}

std::string PinRoot::chainDir(const std::string &chain) const {
  return path_ + "/" + chain;
}
std::string PinRoot::stagingDir(const std::string &chain) const {
  return path_ + "/" + kStagingPrefix + chain;
}
std::string PinRoot::readyDir(const std::string &chain) const {
  return path_ + "/" + kReadyPrefix + chain;
}
std::string PinRoot::retiredDir(const std::string &chain) const {
  return path_ + "/" + kRetiredPrefix + chain;
}

std::vector<std::string> PinRoot::chainNames() const {
  std::vector<std::string> names;
  for (const std::string &name : listDir(path_))
    if (name[0] != '@' && isDirectory(path_ + "/" + name))
      names.push_back(name);
  return names;
}

bool PinRoot::chainExists(const std::string &chain) const {
  return isDirectory(chainDir(chain));
}

RootLock RootLock::acquire(const PinRoot &root, const WaitPolicy &wait) {
  int raw = open(root.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0)
    throwErrno(fmt::format("cannot open {}", root.path()), errno);
  Fd fd(raw);
  auto start = std::chrono::steady_clock::now();
  bool announced = false;
  while (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      throwErrno(fmt::format("cannot lock {}", root.path()), errno);
    uint32_t owner = readOwner(root);
    std::string holder =
        owner ? holderText(owner) : std::string("another bfload");
    double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    // Pid 0: the holder is releasing the lock or has not written its pid
    // yet; either way, the answer comes within milliseconds.
    bool settling = owner == 0 && waited < 0.2;
    if (!wait.wait && !settling)
      throw LoadError(fmt::format("{} is locked by {}; retry later or pass "
                                  "--wait[=SECONDS]",
                                  root.path(), holder));
    if (wait.timeoutSecs && waited >= *wait.timeoutSecs)
      throw LoadError(fmt::format("{} is locked by {}; gave up after waiting "
                                  "{:g} s",
                                  root.path(), holder, *wait.timeoutSecs));
    if (!announced)
      debugLog("{} is locked by {}, waiting", root.path(), holder);
    announced = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  writeOwner(root, static_cast<uint32_t>(getpid()));
  debugLog("locked {}", root.path());
  return RootLock(std::move(fd), root.path() + "/" + kOwnerPin);
}

RootLock::~RootLock() {
  if (!fd_.valid())
    return;
  // A contender that reads 0 knows the lock is being released and retries.
  try {
    if (auto owner = bpf::openPinnedIfExists(ownerPath_)) {
      uint32_t key = 0, none = 0;
      bpf::updateElem(owner->get(), &key, &none);
    }
  } catch (const LoadError &) {
  }
}

std::vector<std::string> listDir(const std::string &path) {
  std::vector<std::string> names;
  DIR *dir = opendir(path.c_str());
  if (!dir) {
    if (errno == ENOENT)
      return names;
    throwErrno(fmt::format("cannot list {}", path), errno);
  }
  while (struct dirent *entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

void removeTree(const std::string &path) {
  if (!exists(path))
    return;
  for (const std::string &name : listDir(path)) {
    std::string child = path + "/" + name;
    if (isDirectory(child))
      removeTree(child);
    else if (unlink(child.c_str()) != 0 && errno != ENOENT)
      throwErrno(fmt::format("cannot remove {}", child), errno);
  }
  if (rmdir(path.c_str()) != 0 && errno != ENOENT)
    throwErrno(fmt::format("cannot remove {}", path), errno);
}

std::vector<std::string> rollForward(const PinRoot &root,
                                     const std::string &chain) {
  const std::string ready = root.readyDir(chain);
  const std::string current = root.chainDir(chain);
  const std::string retired = root.retiredDir(chain);

  // Links carried over from the old chain still run the old program: point
  // them at the new one (atomic per link; a no-op when already done).
  Fd prog = bpf::openPinned(ready + "/" + kProgPin);
  uint32_t progId = bpf::progInfo(prog.get()).id;
  std::vector<std::string> unswitched;
  for (const std::string &name : linkPins(ready)) {
    Fd link = bpf::openPinned(ready + "/" + name);
    kernel::LinkInfo info = bpf::linkInfo(link.get());
    if (info.progId == progId)
      continue;
    debugLog("link {} (id {}): program {} -> {}", name, info.id, info.progId,
             progId);
    try {
      bpf::linkUpdate(link.get(), prog.get(),
                      fmt::format("cannot switch the link of chain '{}' to "
                                  "the new program",
                                  chain));
    } catch (const LoadError &e) {
      // Past the commit point there is no way back: keep the new chain,
      // its link detached (the old program must not run under the new
      // chain's name) but pinned, so 'chain get' shows it severed and
      // 'chain set' makes a new one. The caller reports the failure.
      if (bpf_link_detach(link.get()) != 0 && errno != ENOLINK)
        debugLog("cannot detach link {} of {}: {}", name, ready,
                 std::strerror(errno));
      unswitched.push_back(
          fmt::format("{}; chain '{}' is left detached", e.what(), chain));
    }
  }
  debugPause("links-updated");

  if (isDirectory(current)) {
    retireChainDir(retired, linkIds(ready));
    renamePath(current, retired);
    debugPause("old-retired");
  }
  renamePath(ready, current);
  debugPause("renamed");
  retireChainDir(retired, linkIds(current));
  debugLog("chain '{}' committed", chain);
  return unswitched;
}

namespace {

/// Removes `chain`, keeping the links another chain took over.
void retireRemovedChain(const PinRoot &root, const std::string &chain) {
  const std::string retired = root.retiredDir(chain);
  retireChainDir(retired, liveLinkIds(root));
  renamePath(root.chainDir(chain), retired);
  retireChainDir(retired, liveLinkIds(root));
}

/// Carries out a committed ruleset change: its chains' staging directories
/// become ready and roll forward, then the chains it drops go. Each step is
/// idempotent, so a bfload killed here is completed by the next one.
std::vector<std::string> completeRuleset(const PinRoot &root) {
  const std::string marker = root.path() + "/" + kRulesetCommitted;
  std::vector<std::string> entries = listDir(marker);
  std::vector<std::string> unswitched;
  for (const std::string &entry : entries) {
    if (!startsWith(entry, kInstallEntry))
      continue;
    std::string chain = entry.substr(std::strlen(kInstallEntry));
    if (isDirectory(root.stagingDir(chain))) {
      retireChainDir(root.readyDir(chain), liveLinkIds(root));
      renamePath(root.stagingDir(chain), root.readyDir(chain));
    }
    if (isDirectory(root.readyDir(chain)))
      for (std::string &failure : rollForward(root, chain))
        unswitched.push_back(std::move(failure));
    debugPause("ruleset-chain-installed");
  }
  for (const std::string &entry : entries) {
    if (!startsWith(entry, kRemoveEntry))
      continue;
    std::string chain = entry.substr(std::strlen(kRemoveEntry));
    if (root.chainExists(chain))
      retireRemovedChain(root, chain);
    debugPause("ruleset-chain-removed");
  }
  removeTree(marker);
  return unswitched;
}

/// A change committed by a bfload that was killed is completed by the next
/// one, whatever it was asked to do: links it could not switch are
/// reported, and 'chain get' shows the chain severed.
void warnUnswitched(const std::vector<std::string> &unswitched) {
  for (const std::string &failure : unswitched)
    fmt::print(stderr, "bfload: warning: {}\n", failure);
}

[[noreturn]] void throwUnswitched(const std::vector<std::string> &unswitched) {
  throw LoadError(fmt::format("{}", fmt::join(unswitched, "; ")));
}

} // namespace

void commitRuleset(const PinRoot &root,
                   const std::vector<ChainTransaction *> &staged,
                   const std::vector<std::string> &removed) {
  debugPause("ruleset-staged");
  const std::string draft = root.path() + "/" + kRulesetStaging;
  removeTree(draft);
  if (mkdir(draft.c_str(), 0700) != 0)
    throwErrno(fmt::format("cannot create {}", draft), errno);
  auto entry = [&](const char *kind, const std::string &chain) {
    std::string path = draft + "/" + kind + chain;
    if (mkdir(path.c_str(), 0700) != 0)
      throwErrno(fmt::format("cannot create {}", path), errno);
  };
  for (const ChainTransaction *txn : staged)
    entry(kInstallEntry, txn->chain());
  for (const std::string &chain : removed)
    entry(kRemoveEntry, chain);
  renamePath(draft, root.path() + "/" + kRulesetCommitted);
  for (ChainTransaction *txn : staged)
    txn->handOver();
  debugPause("ruleset-committed");
  if (std::vector<std::string> unswitched = completeRuleset(root);
      !unswitched.empty())
    throwUnswitched(unswitched);
}

void recoverInterrupted(const PinRoot &root) {
  // A committed ruleset change first: its staging directories are part of
  // it, not work to drop. An uncommitted one's list is simply dropped.
  if (isDirectory(root.path() + "/" + kRulesetCommitted)) {
    fmt::print(stderr, "bfload: completing an interrupted ruleset change\n");
    warnUnswitched(completeRuleset(root));
  }
  removeTree(root.path() + "/" + kRulesetStaging);
  std::vector<std::string> names = listDir(root.path());
  auto chainOf = [](const std::string &name, const char *prefix) {
    return name.substr(std::strlen(prefix));
  };
  // Uncommitted work is dropped first: it may hold links that would
  // conflict with rolling a committed change forward.
  for (const std::string &name : names)
    if (startsWith(name, kStagingPrefix)) {
      std::string chain = chainOf(name, kStagingPrefix);
      fmt::print(stderr,
                 "bfload: rolling back an interrupted change of "
                 "chain '{}'\n",
                 chain);
      retireChainDir(root.path() + "/" + name, liveLinkIds(root));
    }
  for (const std::string &name : names)
    if (startsWith(name, kReadyPrefix)) {
      std::string chain = chainOf(name, kReadyPrefix);
      fmt::print(stderr,
                 "bfload: completing an interrupted change of chain "
                 "'{}'\n",
                 chain);
      warnUnswitched(rollForward(root, chain));
    }
  for (const std::string &name : names)
    if (startsWith(name, kRetiredPrefix))
      retireChainDir(root.path() + "/" + name, liveLinkIds(root));
}

void removeChain(const PinRoot &root, const std::string &chain) {
  const std::string retired = root.retiredDir(chain);
  retireChainDir(retired, linkIds(root.chainDir(chain)));
  renamePath(root.chainDir(chain), retired);
  debugPause("flush-retired");
  retireChainDir(retired, {});
}

ChainTransaction::ChainTransaction(const PinRoot &root, std::string chain)
    : root_(root), chain_(std::move(chain)), staging_(root.stagingDir(chain_)) {
  retireChainDir(staging_, liveLinkIds(root));
  if (mkdir(staging_.c_str(), 0700) != 0)
    throwErrno(fmt::format("cannot create {}", staging_), errno);
}

ChainTransaction::~ChainTransaction() {
  if (committed_)
    return;
  try {
    retireChainDir(staging_, liveLinkIds(root_));
  } catch (const LoadError &e) {
    fmt::print(stderr, "bfload: warning: {}\n", e.what());
  }
}

void ChainTransaction::pin(const std::string &name, int fd) {
  bpf::pin(fd, staging_ + "/" + name);
}

void ChainTransaction::commit() {
  debugPause("staged");
  retireChainDir(root_.readyDir(chain_), liveLinkIds(root_));
  renamePath(staging_, root_.readyDir(chain_));
  committed_ = true;
  debugPause("committed");
  if (std::vector<std::string> unswitched = rollForward(root_, chain_);
      !unswitched.empty())
    throwUnswitched(unswitched);
}

} // namespace bfc::load
