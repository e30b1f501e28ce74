// The pinned state under <bpffs>/bfc: the only state bfload has.
//
//   <bpffs>/bfc/                 flock(LOCK_EX) target for every command
//   <bpffs>/bfc/@owner           array map: pid of the lock holder
//   <bpffs>/bfc/<chain>/         a committed chain (prog, meta, maps, links)
//   <bpffs>/bfc/@tmp@<chain>/    a chain being built (rolled back if found)
//   <bpffs>/bfc/@ready@<chain>/  a complete chain committed to replace
//                                <chain> (rolled forward if found)
//   <bpffs>/bfc/@old@<chain>/    a replaced chain being removed
//
// bpffs refuses names with '.', and chain names never contain '@', so these
// names cannot collide. A change to a chain builds the new directory under
// @tmp@, renames it to @ready@ (the commit point), makes the kernel match it
// (link update), then swaps the directories. Whoever takes the lock next
// finishes or undoes an interrupted change first, so a SIGKILL at any point
// leaves either the old chain or the new one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bfc/Load/Fd.h"

namespace bfc::load {

/// Names of the pins inside a chain directory.
inline constexpr const char *kProgPin = "prog";
inline constexpr const char *kMetaPin = "meta";
inline constexpr const char *kLinkPin = "link";        ///< XDP, tcx, cgroup
inline constexpr const char *kLinkIp4Pin = "link_ip4"; ///< netfilter, IPv4
inline constexpr const char *kLinkIp6Pin = "link_ip6"; ///< netfilter, IPv6
inline constexpr const char *kOwnerPin = "@owner";

/// Chain names bfload accepts: [A-Za-z0-9_-]{1,200} (they become directory
/// names on bpffs). Throws LoadError otherwise.
void validateChainName(const std::string &name);

/// Map names an object may use, pinned next to bfload's own pins in a chain
/// directory: [A-Za-z0-9_]{1,200}, none of the pin names above. Throws
/// LoadError otherwise.
void validateMapName(const std::string &chain, const std::string &name);

/// The pin root, <bpffs>/bfc.
class PinRoot {
public:
  /// Checks that `bpffsPath` is a mounted BPF filesystem and creates the
  /// `bfc` directory in it when missing. Throws LoadError.
  explicit PinRoot(const std::string &bpffsPath);

  const std::string &path() const { return path_; }
  std::string chainDir(const std::string &chain) const;
  std::string stagingDir(const std::string &chain) const;
  std::string readyDir(const std::string &chain) const;
  std::string retiredDir(const std::string &chain) const;

  /// Committed chains, sorted by name.
  std::vector<std::string> chainNames() const;
  bool chainExists(const std::string &chain) const;

private:
  std::string path_;
};

struct WaitPolicy {
  bool wait = false;                 ///< --wait given
  std::optional<double> timeoutSecs; ///< --wait=SECONDS; none: forever
};

/// An exclusive flock on the pin root, held until destruction. The holder's
/// pid is written to the @owner map so contenders can name it.
class RootLock {
public:
  /// Throws LoadError("<path> is locked by another bfload (pid N)") when the
  /// lock is taken and `wait` does not allow (or outlasts) waiting.
  static RootLock acquire(const PinRoot &root, const WaitPolicy &wait);

  RootLock(RootLock &&) = default;
  RootLock &operator=(RootLock &&) = default;
  /// Clears the recorded pid, then releases the lock.
  ~RootLock();

private:
  RootLock(Fd fd, std::string ownerPath)
      : fd_(std::move(fd)), ownerPath_(std::move(ownerPath)) {}
  Fd fd_;
  std::string ownerPath_;
};

/// Removes a directory and the pins in it (recursively). Missing is fine.
void removeTree(const std::string &path);

/// The pins of a directory (names only, sorted).
std::vector<std::string> listDir(const std::string &path);

/// Finishes or undoes every change a killed bfload left behind. Call with
/// the lock held, before reading any chain.
void recoverInterrupted(const PinRoot &root);

/// Completes a committed change of `chain` (its @ready@ directory exists):
/// points its links at its program, retires the old directory, renames
/// @ready@ into place and removes the old one. Returns why links could not
/// be pointed at the new program (they are left detached, still pinned);
/// empty when all were.
std::vector<std::string> rollForward(const PinRoot &root,
                                     const std::string &chain);

/// Removes a committed chain: the directory is first renamed away (so it is
/// gone at once for everyone), then its pins are removed, which detaches
/// its links and frees its program and maps once nothing else uses them.
void removeChain(const PinRoot &root, const std::string &chain);

class ChainTransaction;

/// Commits several staged chains and removes `removed` as one change (what
/// `ruleset set` does): a marker directory listing them is renamed into
/// place (the commit point), then each chain is rolled forward and each
/// removed chain retired. A bfload killed before the commit point leaves
/// the old ruleset (recovery drops the staging directories), one killed
/// after it leaves the new ruleset (recovery completes the marker's list).
void commitRuleset(const PinRoot &root,
                   const std::vector<ChainTransaction *> &staged,
                   const std::vector<std::string> &removed);

/// Builds a chain directory and commits it atomically.
class ChainTransaction {
public:
  /// Creates the staging directory (removing a stale one).
  ChainTransaction(const PinRoot &root, std::string chain);
  /// Not committed: removes the staging directory and everything pinned in
  /// it, which drops links created for it.
  ~ChainTransaction();
  ChainTransaction(const ChainTransaction &) = delete;
  ChainTransaction &operator=(const ChainTransaction &) = delete;

  const std::string &stagingPath() const { return staging_; }
  /// Pins `fd` as `name` in the staging directory.
  void pin(const std::string &name, int fd);
  /// The commit point: staging becomes @ready@, then rollForward. Throws
  /// LoadError, once the change is complete, when a link could not be
  /// switched to the new program (the chain is left detached).
  void commit();
  const std::string &chain() const { return chain_; }
  /// commitRuleset owns the staging directory from now on.
  void handOver() { committed_ = true; }

private:
  const PinRoot &root_;
  std::string chain_;
  std::string staging_;
  bool committed_ = false;
};

} // namespace bfc::load
