#include "bfc/Load/Loader.h"

#include <algorithm>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fcntl.h>
#include <linux/bpf.h>
#include <map>
#include <net/if.h>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "LibbpfCompat.h"
#include "bfc/Load/Bpf.h"
#include "bfc/Load/Debug.h"
#include "bfc/Load/Error.h"
#include "bfc/Load/KernelCompat.h"
#include "bfc/Load/MapFill.h"
#include "bfc/Load/PinStore.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::load {

namespace {

/// libbpf's messages go to stderr with --verbose bpf, and are kept for the
/// error message otherwise (the verifier log is one of them).
std::string &capturedLibbpfOutput() {
  static std::string text;
  return text;
}

int libbpfPrint(enum libbpf_print_level level, const char *format,
                va_list args) {
  char buffer[4096];
  va_list copy;
  va_copy(copy, args);
  int length = vsnprintf(buffer, sizeof(buffer), format, copy);
  va_end(copy);
  std::string message;
  if (length >= static_cast<int>(sizeof(buffer))) {
    // The verifier log is one long message: format it again, whole.
    message.resize(length + 1);
    vsnprintf(message.data(), message.size(), format, args);
    message.resize(length);
  } else if (length > 0) {
    message.assign(buffer, length);
  }
  if (verbosity().bpf) {
    fmt::print(stderr, "{}", message);
  } else if (level != LIBBPF_DEBUG) {
    capturedLibbpfOutput() += message;
  }
  return 0;
}

struct ProgramType {
  uint32_t type; ///< enum bpf_prog_type, possibly newer than the headers
  uint32_t expectedAttachType;
};

ProgramType programTypeFor(ir::Hook hook) {
  using ir::Hook;
  switch (hook) {
  case Hook::Xdp:
    return {BPF_PROG_TYPE_XDP, BPF_XDP};
  case Hook::TcIngress:
    return {BPF_PROG_TYPE_SCHED_CLS, kernel::kAttachTcxIngress};
  case Hook::TcEgress:
    return {BPF_PROG_TYPE_SCHED_CLS, kernel::kAttachTcxEgress};
  case Hook::NfPreRouting:
  case Hook::NfLocalIn:
  case Hook::NfForward:
  case Hook::NfLocalOut:
  case Hook::NfPostRouting:
    return {kernel::kProgTypeNetfilter, kernel::kAttachNetfilter};
  case Hook::CgroupSkbIngress:
    return {BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS};
  case Hook::CgroupSkbEgress:
    return {BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS};
  case Hook::CgroupSockAddrConnect4:
    return {BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT};
  case Hook::CgroupSockAddrConnect6:
    return {BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT};
  case Hook::CgroupSockAddrSendmsg4:
    return {BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG};
  case Hook::CgroupSockAddrSendmsg6:
    return {BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG};
  }
  throw LoadError("unknown hook");
}

/// Closes the bpf_object (and its fds: what we keep is dup'ed).
struct ObjectCloser {
  void operator()(bpf_object *obj) const { bpf_object__close(obj); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;

Fd duplicate(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0)
    throwErrno("cannot duplicate a file descriptor", errno);
  return Fd(copy);
}

std::vector<std::string> chainMapNames(const object::ChainInfo &chain) {
  std::vector<std::string> names = {chain.counters.map};
  if (chain.log) {
    names.push_back(chain.log->map);
    if (chain.log->rateMap)
      names.push_back(*chain.log->rateMap);
  }
  for (const object::SetInfo &set : chain.sets)
    if (std::find(names.begin(), names.end(), set.map) == names.end())
      names.push_back(set.map); // sets may share a map
  for (const object::TableInfo &table : chain.tables)
    names.push_back(table.map);
  return names;
}

bpf_map *findMap(bpf_object *obj, const std::string &name,
                 const object::ChainInfo &chain) {
  bpf_map *map = bpf_object__find_map_by_name(obj, name.c_str());
  if (!map)
    throw LoadError(fmt::format("chain '{}': the object has no map '{}' "
                                "(the metadata names it)",
                                chain.name, name));
  return map;
}

/// A set's or table's map: hash or LPM trie, key size, room for `entries`.
void checkKeyedMap(bpf_object *obj, const object::ChainInfo &chain,
                   const std::string &name, bool lpm, uint32_t keySize,
                   size_t entries, const std::string &what) {
  bpf_map *map = findMap(obj, name, chain);
  bpf_map_type expected = lpm ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH;
  if (bpf_map__type(map) != expected || bpf_map__key_size(map) != keySize)
    throw LoadError(fmt::format(
        "chain '{}': map '{}' of {} is not a {} with {}-byte keys", chain.name,
        name, what, lpm ? "LPM trie" : "hash map", keySize));
  if (bpf_map__max_entries(map) < entries)
    throw LoadError(fmt::format("chain '{}': {} has {} entries but its map "
                                "holds {}",
                                chain.name, what, entries,
                                bpf_map__max_entries(map)));
}

/// A table's map: besides its key, its values (struct bfc_table_value when
/// it mirrors sets) and room for its entries and every mirrored set's.
void checkTableMap(bpf_object *obj, const object::ChainInfo &chain,
                   const object::TableInfo &table) {
  std::string what = fmt::format("table {}", table.index);
  size_t entries = table.entries.size();
  for (const object::TableMirrorInfo &mirror : table.mirrors)
    entries += chain.findSet(mirror.set)->maxEntries;
  checkKeyedMap(obj, chain, table.map, table.lpm, table.mapKeySize(), entries,
                what +
                    (table.mirrors.empty() ? "" : " (with its mirrored sets)"));
  bpf_map *map = findMap(obj, table.map, chain);
  if (bpf_map__value_size(map) != table.mapValueSize())
    throw LoadError(fmt::format("chain '{}': map '{}' of {} does not have "
                                "{}-byte values",
                                chain.name, table.map, what,
                                table.mapValueSize()));
}

/// The maps must be what the metadata says before anything relies on it.
void checkMapLayout(bpf_object *obj, const object::ChainInfo &chain) {
  // Maps are pinned by these names next to the program and links.
  for (const std::string &name : chainMapNames(chain))
    validateMapName(chain.name, name);
  bpf_map *counters = findMap(obj, chain.counters.map, chain);
  if (bpf_map__type(counters) != BPF_MAP_TYPE_PERCPU_ARRAY ||
      bpf_map__value_size(counters) != 16 ||
      bpf_map__max_entries(counters) != chain.counters.size)
    throw LoadError(fmt::format(
        "chain '{}': map '{}' is not a per-CPU array of {} counters",
        chain.name, chain.counters.map, chain.counters.size));
  if (chain.log) {
    bpf_map *log = findMap(obj, chain.log->map, chain);
    if (bpf_map__type(log) != BPF_MAP_TYPE_RINGBUF)
      throw LoadError(fmt::format("chain '{}': map '{}' is not a ring buffer",
                                  chain.name, chain.log->map));
  }
  // A shared map must hold the elements of all its sets.
  std::map<std::string, size_t> elementsOnMap;
  for (const object::SetInfo &set : chain.sets)
    elementsOnMap[set.map] += set.elements.size();
  for (const object::SetInfo &set : chain.sets)
    checkKeyedMap(
        obj, chain, set.map, set.lpm, set.mapKeySize(), elementsOnMap[set.map],
        fmt::format("set '{}'{}", set.name,
                    set.mapId ? " (with the sets sharing its map)" : ""));
  for (const object::TableInfo &table : chain.tables)
    checkTableMap(obj, chain, table);
}

void writeHostSlots(bpf_object *obj, const object::ObjectFile &object,
                    const std::vector<uint32_t> &values) {
  if (values.empty())
    return;
  const object::SymbolLocation &symbol = *object.hostSlotsSymbol();
  bpf_map *map = bpf_object__find_map_by_name(obj, symbol.section.c_str());
  if (!map)
    throw LoadError(fmt::format("the object's section '{}' holding {} is not "
                                "a global data section",
                                symbol.section, BFC_HOST_SLOTS_SYMBOL));
  size_t size = 0;
  const void *initial = bpf_map__initial_value(map, &size);
  // Both checks: a crafted symbol offset must not wrap the sum around.
  if (!initial || symbol.offset > size ||
      values.size() * sizeof(uint32_t) > size - symbol.offset)
    throw LoadError(fmt::format("{} lies outside section '{}'",
                                BFC_HOST_SLOTS_SYMBOL, symbol.section));
  std::vector<uint8_t> data(static_cast<const uint8_t *>(initial),
                            static_cast<const uint8_t *>(initial) + size);
  std::memcpy(data.data() + symbol.offset, values.data(),
              values.size() * sizeof(uint32_t));
  if (int err = bpf_map__set_initial_value(map, data.data(), data.size()))
    throwErrno("cannot write the host slots", -err);
}

void fillSets(bpf_object *obj, const object::ChainInfo &chain) {
  for (const object::SetInfo &set : chain.sets) {
    bpf_map *map = findMap(obj, set.map, chain);
    try {
      updateEntries(bpf_map__fd(map),
                    setMapEntries(set, bpf_map__value_size(map)));
    } catch (const LoadError &e) {
      throw LoadError(fmt::format("chain '{}': cannot fill set '{}': {}",
                                  chain.name, set.name, e.what()));
    }
    debugLog("chain '{}': set '{}' filled with {} elements", chain.name,
             set.name, set.elements.size());
  }
  for (const object::TableInfo &table : chain.tables) {
    bpf_map *map = findMap(obj, table.map, chain);
    try {
      updateEntries(bpf_map__fd(map), tableMapEntries(table, chain));
    } catch (const LoadError &e) {
      throw LoadError(fmt::format("chain '{}': cannot fill table {}: {}",
                                  chain.name, table.index, e.what()));
    }
    debugLog("chain '{}': table {} filled with {} entries", chain.name,
             table.index, table.entries.size());
  }
}

} // namespace

std::vector<uint32_t> resolveHostSlots(const object::Metadata &meta) {
  std::vector<uint32_t> values;
  for (const object::HostSlotInfo &slot : meta.hostSlots) {
    unsigned ifindex = if_nametoindex(slot.name.c_str());
    if (ifindex == 0)
      throw LoadError(fmt::format(
          "host slot {}: interface '{}' does not exist on this host (in this "
          "network namespace)",
          slot.index, slot.name));
    debugLog("host slot {}: {} is ifindex {}", slot.index, slot.name, ifindex);
    values.push_back(ifindex);
  }
  return values;
}

std::string verifierLogTail(const std::string &text, size_t maxLines) {
  const std::string begin = "-- BEGIN PROG LOAD LOG --";
  const std::string end = "-- END PROG LOAD LOG --";
  size_t start = text.rfind(begin);
  if (start == std::string::npos)
    return "";
  start = text.find('\n', start);
  if (start == std::string::npos)
    return "";
  size_t stop = text.find(end, start);
  std::string log =
      text.substr(start + 1, stop == std::string::npos ? std::string::npos
                                                       : stop - start - 1);
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  size_t first = lines.size() > maxLines ? lines.size() - maxLines : 0;
  std::string tail;
  for (size_t i = first; i < lines.size(); ++i)
    tail += "  " + lines[i] + "\n";
  return tail;
}

std::string formatInstructions(const std::vector<uint64_t> &insns) {
  std::string out;
  for (size_t i = 0; i < insns.size(); ++i) {
    struct bpf_insn insn;
    std::memcpy(&insn, &insns[i], sizeof(insn));
    out += fmt::format("{:5}: code=0x{:02x} dst=r{} src=r{} off={} imm={}\n", i,
                       insn.code, unsigned(insn.dst_reg),
                       unsigned(insn.src_reg), insn.off, insn.imm);
  }
  return out;
}

std::vector<LoadedChain>
loadChains(const object::ObjectFile &object,
           const std::vector<const object::ChainInfo *> &chains,
           const std::vector<uint32_t> &hostSlotValues) {
  static bool printerInstalled = false;
  if (!printerInstalled) {
    libbpf_set_print(libbpfPrint);
    printerInstalled = true;
  }
  capturedLibbpfOutput().clear();

  std::string objectName = object.name();
  if (size_t slash = objectName.rfind('/'); slash != std::string::npos)
    objectName = objectName.substr(slash + 1);
  if (size_t dot = objectName.find('.'); dot != std::string::npos)
    objectName = objectName.substr(0, dot);
  LIBBPF_OPTS(bpf_object_open_opts, openOpts,
              .object_name = objectName.c_str());
  ObjectPtr obj(bpf_object__open_mem(object.bytes().data(),
                                     object.bytes().size(), &openOpts));
  if (!obj) {
    int err = errno;
    throw LoadError(fmt::format("{}: libbpf cannot open the object: {}\n{}",
                                object.name(), std::strerror(err),
                                capturedLibbpfOutput()));
  }

  std::set<std::string> wantedPrograms, wantedMaps, otherMaps;
  for (const object::ChainInfo *chain : chains) {
    wantedPrograms.insert(chain->program);
    for (const std::string &name : chainMapNames(*chain))
      wantedMaps.insert(name);
  }
  for (const object::ChainInfo &chain : object.metadata().chains)
    for (const std::string &name : chainMapNames(chain))
      if (!wantedMaps.count(name))
        otherMaps.insert(name);

  // Only the wanted programs, with the types their hooks need (libbpf 1.1
  // does not know the netfilter and tcx sections).
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj.get()) {
    bpf_program__set_autoload(prog,
                              wantedPrograms.count(bpf_program__name(prog)));
  }
  for (const object::ChainInfo *chain : chains) {
    prog = bpf_object__find_program_by_name(obj.get(), chain->program.c_str());
    if (!prog)
      throw LoadError(fmt::format("{}: chain '{}': the object has no program "
                                  "'{}'",
                                  object.name(), chain->name, chain->program));
    ProgramType type = programTypeFor(chain->hook);
    if (int err =
            bfc_program_set_types(prog, type.type, type.expectedAttachType))
      throwErrno(
          fmt::format("chain '{}': cannot set the program type", chain->name),
          -err);
    checkMapLayout(obj.get(), *chain);
  }
  bpf_map *map;
  bpf_object__for_each_map(map, obj.get()) {
    if (otherMaps.count(bpf_map__name(map)))
      bpf_map__set_autocreate(map, false);
  }
  writeHostSlots(obj.get(), object, hostSlotValues);

  if (int err = bpf_object__load(obj.get())) {
    std::string message = describeErrno(
        fmt::format("{}: the kernel refused to load the object", object.name()),
        -err);
    std::string tail = verifierLogTail(capturedLibbpfOutput(), 25);
    if (!tail.empty())
      message += "\nverifier log (last lines):\n" + tail;
    else if (!capturedLibbpfOutput().empty())
      message += "\n" + capturedLibbpfOutput();
    throw LoadError(message);
  }

  std::vector<LoadedChain> loaded;
  for (const object::ChainInfo *chain : chains) {
    prog = bpf_object__find_program_by_name(obj.get(), chain->program.c_str());
    fillSets(obj.get(), *chain);
    LoadedChain result;
    result.chain = chain;
    result.prog = duplicate(bpf_program__fd(prog));
    for (const std::string &name : chainMapNames(*chain))
      result.maps.emplace_back(
          name, duplicate(bpf_map__fd(findMap(obj.get(), name, *chain))));
    debugLog("chain '{}': program '{}' loaded (id {})", chain->name,
             chain->program, bpf::progInfo(result.prog.get()).id);
    if (verbosity().bytecode)
      fmt::print(stderr, "bfload: chain '{}' bytecode:\n{}", chain->name,
                 formatInstructions(bpf::progXlatedInsns(result.prog.get())));
    loaded.push_back(std::move(result));
  }
  return loaded;
}

} // namespace bfc::load
