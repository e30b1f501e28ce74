// Loading a bfc object's chains into the kernel with libbpf: program types
// the section names do not give, host slots, set contents. Nothing is pinned
// or attached here.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bfc/Load/Fd.h"
#include "bfc/Object/ObjectFile.h"

namespace bfc::load {

/// A loaded chain: its program and maps, owned by this process until
/// pinned.
struct LoadedChain {
  const object::ChainInfo *chain = nullptr;
  Fd prog;
  /// Every map of the chain, by the name the metadata gives it.
  std::vector<std::pair<std::string, Fd>> maps;
};

/// The ifindex of every host slot on this host (in this network namespace).
/// Throws LoadError naming the slot when an interface does not exist.
std::vector<uint32_t> resolveHostSlots(const object::Metadata &meta);

/// Loads the programs of `chains` (other programs of the object and their
/// maps are skipped), after writing `hostSlotValues` into bfc_host_slots;
/// fills the set maps from the object. Throws LoadError with the useful tail
/// of the verifier log when the kernel rejects a program.
std::vector<LoadedChain>
loadChains(const object::ObjectFile &object,
           const std::vector<const object::ChainInfo *> &chains,
           const std::vector<uint32_t> &hostSlotValues);

/// The last `maxLines` lines of the verifier log in libbpf output `text`
/// (between its BEGIN/END PROG LOAD LOG markers); empty when there is none.
std::string verifierLogTail(const std::string &text, size_t maxLines);

/// One instruction per line, for --verbose bytecode.
std::string formatInstructions(const std::vector<uint64_t> &insns);

} // namespace bfc::load
