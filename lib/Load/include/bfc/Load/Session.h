// bfload's commands as a library: every operation on pinned chains, run
// while holding the pin root's lock (taken by the Session's constructor,
// released by its destructor). No state outside bpffs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bfc/Load/Attach.h"
#include "bfc/Load/Fd.h"
#include "bfc/Load/KernelCompat.h"
#include "bfc/Load/Loader.h"
#include "bfc/Load/PinStore.h"
#include "bfc/Load/Record.h"
#include "bfc/Object/ObjectFile.h"

namespace bfc::load {

struct CounterValue {
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

struct LinkState {
  std::string pin;
  kernel::LinkInfo info;
};

struct SetState {
  object::SetInfo set;
  std::vector<object::SetElement> elements; ///< sorted
};

/// A pinned chain as a fresh process sees it.
struct ChainState {
  std::string name;
  ChainRecord record;
  uint32_t progId = 0;
  std::vector<LinkState> links;       ///< empty when not attached
  std::vector<CounterValue> counters; ///< by counter index, all CPUs summed
  std::vector<SetState> sets;         ///< named sets, read from their maps
  /// Why the chain, attached when it was set, no longer filters there (read
  /// from its live links, see linkSevered); nullopt when it does or was
  /// never attached. Not read by getChainProgram.
  std::optional<std::string> severed;

  /// Its links filter where the record says.
  bool attached() const { return !links.empty() && !severed; }
};

struct SetUpdateResult {
  size_t added = 0;
  size_t removed = 0;
  size_t size = 0; ///< elements after the update
  std::vector<std::string> alreadyPresent;
  std::vector<std::string> notPresent;
};

struct SessionOptions {
  std::string bpffsPath = "/sys/fs/bpf";
  WaitPolicy wait;
};

/// The chain of `object` named `name`, or its only chain when `name` is
/// empty. Throws LoadError otherwise.
const object::ChainInfo &selectChain(const object::ObjectFile &object,
                                     const std::optional<std::string> &name);

class Session {
public:
  /// Opens the pin root, takes its lock, then finishes or undoes whatever a
  /// killed bfload left behind.
  explicit Session(const SessionOptions &options);

  const PinRoot &root() const { return root_; }

  /// Replaces every chain with the object's (attaching those with hook
  /// options). Returns the chains set.
  std::vector<std::string> setRuleset(const object::ObjectFile &object);
  std::vector<ChainState> getRuleset(bool readSets);
  /// Returns the chains removed.
  std::vector<std::string> flushRuleset();

  /// Loads the chain and attaches it when it has hook options (from the
  /// object or `overrides`), replacing any chain of the same name.
  void setChain(const object::ObjectFile &object,
                const object::ChainInfo &chain,
                const OptionOverrides &overrides);
  /// Loads and pins without attaching. The chain must not exist.
  void loadChain(const object::ObjectFile &object,
                 const object::ChainInfo &chain);
  /// Attaches a loaded, unattached chain.
  void attachChain(const std::string &name, const OptionOverrides &overrides);
  /// Atomically replaces the program behind an existing chain's links; the
  /// object's hook options are ignored, the hook must be the same.
  void updateChain(const object::ObjectFile &object,
                   const object::ChainInfo &chain);
  /// Adds and removes elements of a named set. All elements are parsed and
  /// checked before the set changes; a failure midway undoes what was done.
  SetUpdateResult updateSet(const std::string &chain,
                            const std::string &setName,
                            const std::vector<std::string> &add,
                            const std::vector<std::string> &remove);
  ChainState getChain(const std::string &name, bool readSets);
  /// The chain's program id and links only (no record, counters or sets):
  /// cheap whatever the number of rules.
  ChainState getChainProgram(const std::string &name);
  void flushChain(const std::string &name);

  /// The chain's log ring buffer, opened so it outlives the lock.
  struct LogSource {
    ChainRecord record;
    Fd ringBuffer;
  };
  LogSource openLogs(const std::string &name);

private:
  void requireChain(const std::string &name) const;
  ChainState readChain(const std::string &name, bool readSets) const;
  /// Pins `loaded` as the new version of its chain and commits it,
  /// attaching it as `attach` says (reusing the old chain's links when the
  /// kernel can switch them atomically).
  void installChain(const object::ObjectFile &object, LoadedChain &loaded,
                    const std::vector<uint32_t> &hostSlotValues,
                    std::optional<AttachSpec> attach);
  /// installChain up to the commit point: the staged chain, attached, its
  /// transaction not committed. `predecessor` is the chain it replaces
  /// where it runs (its own name, or a chain a ruleset change removes).
  std::unique_ptr<ChainTransaction>
  stageChain(const object::ObjectFile &object, LoadedChain &loaded,
             const std::vector<uint32_t> &hostSlotValues,
             std::optional<AttachSpec> attach, const std::string &predecessor);
  /// For `ruleset set`: the chain `chain` replaces where it runs, taken out
  /// of `removable` when it is one of them.
  std::string predecessorOf(const object::ChainInfo &chain,
                            const std::optional<AttachSpec> &attach,
                            std::vector<std::string> &removable);

  PinRoot root_;
  RootLock lock_;
};

/// A chain's state from a directory on bpffs (committed or not).
ChainState readChainDir(const std::string &dir, const std::string &name,
                        bool readSets);

} // namespace bfc::load
