// Attaching a loaded program to its hook with BPF links: XDP, tcx,
// netfilter (one link per family), cgroup_skb and cgroup sock_addr.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bfc/IR/BFIR.h"
#include "bfc/Load/Fd.h"
#include "bfc/Load/KernelCompat.h"
#include "bfc/Load/Record.h"
#include "bfc/Object/Metadata.h"

namespace bfc::load {

/// Hook options given on the command line (`--option K=V`); they override
/// the object's defaults.
struct OptionOverrides {
  std::optional<std::string> ifindex; ///< a number or an interface name
  std::optional<std::string> cgpath;
  std::optional<std::pair<int32_t, int32_t>> priorities;

  bool empty() const { return !ifindex && !cgpath && !priorities; }
};

/// Parses `ifindex=N|NAME`, `cgpath=PATH`, `priorities=A-B`. Throws
/// LoadError on an unknown key, a repeated key or a bad value.
OptionOverrides parseOptionOverrides(const std::vector<std::string> &options);

/// The attachment of `chain`: object defaults merged with `overrides`,
/// checked against the hook (an option the hook does not use is an error,
/// a missing required one too) and resolved on this host (interface names,
/// cgroup paths). nullopt when there is nothing to attach: the chain has no
/// options and none were given.
std::optional<AttachSpec> resolveAttach(const object::ChainInfo &chain,
                                        const OptionOverrides &overrides);

/// A link just created, with the name it is pinned under.
struct CreatedLink {
  std::string pin;
  Fd fd;
};

/// Attaches `progFd` as `spec` says. Netfilter: one link per family at
/// spec.activePriority. Throws LoadError (nothing stays attached then).
std::vector<CreatedLink> attachProgram(const std::string &chainName,
                                       ir::Hook hook, int progFd,
                                       const AttachSpec &spec);

/// Links of this hook can switch programs atomically (BPF_LINK_UPDATE);
/// netfilter links cannot (a second link at the other priority is used).
bool linksUpdatable(ir::Hook hook);

/// Both specs attach to the same place: the same interface of the same
/// network namespace, or the same cgroup path.
bool sameAttachTarget(const AttachSpec &a, const AttachSpec &b);

/// The calling process's network namespace, by its cookie (unique for the
/// boot, unlike a namespace's inode number, which is reused).
uint64_t currentNetnsCookie();

/// The id of the cgroup v2 directory at `path` now (the id cgroup link info
/// reports); 0 when there is none.
uint64_t cgroupIdOf(const std::string &path);

/// Why `link`, a link of a chain on `hook` attached as `attached` says, no
/// longer filters there (read from the live link: its interface or cgroup
/// went, or it was detached); nullopt when it still does. A severed link
/// cannot be updated, and another link may be made at the same place.
std::optional<std::string> linkSevered(ir::Hook hook,
                                       const kernel::LinkInfo &link,
                                       const AttachSpec &attached);

} // namespace bfc::load
