// The `.bfc.meta` document and `.bfc.sets` records, written through
// lib/Object (the same code bfload reads them with), and the symbol names
// of every chain.
#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <set>

#include <fmt/format.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/SHA256.h>

#include "Internal.h"
#include "bfc/CodeGen/CodeGen.h"
#include "bfc/Object/Metadata.h"
#include "bfc/Object/ObjectFile.h"
#include "bfc/Support/Version.h"
#include "bfc/Transform/Classify.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::codegen {

namespace {

bool isCKeyword(std::string_view name) {
  static constexpr std::array<std::string_view, 44> kKeywords = {
      "auto",       "break",     "case",           "char",
      "const",      "continue",  "default",        "do",
      "double",     "else",      "enum",           "extern",
      "float",      "for",       "goto",           "if",
      "inline",     "int",       "long",           "register",
      "restrict",   "return",    "short",          "signed",
      "sizeof",     "static",    "struct",         "switch",
      "typedef",    "union",     "unsigned",       "void",
      "volatile",   "while",     "_Alignas",       "_Alignof",
      "_Atomic",    "_Bool",     "_Complex",       "_Generic",
      "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local"};
  return std::find(kKeywords.begin(), kKeywords.end(), name) != kKeywords.end();
}

bool isCIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return !isCKeyword(name);
}

std::string sanitize(std::string_view name) {
  std::string out = "bfc_";
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string sha256Hex(std::string_view text) {
  llvm::SHA256 hasher;
  hasher.update(llvm::StringRef(text.data(), text.size()));
  std::array<uint8_t, 32> digest = hasher.final();
  std::string hex;
  for (uint8_t byte : digest)
    hex += fmt::format("{:02x}", byte);
  return hex;
}

} // namespace

std::string hookSection(ir::Hook hook) {
  switch (hook) {
  case ir::Hook::Xdp:
    return "xdp";
  case ir::Hook::TcIngress:
  case ir::Hook::TcEgress:
    return "tc";
  case ir::Hook::NfPreRouting:
  case ir::Hook::NfLocalIn:
  case ir::Hook::NfForward:
  case ir::Hook::NfLocalOut:
  case ir::Hook::NfPostRouting:
    return "netfilter";
  case ir::Hook::CgroupSkbIngress:
    return "cgroup_skb/ingress";
  case ir::Hook::CgroupSkbEgress:
    return "cgroup_skb/egress";
  case ir::Hook::CgroupSockAddrConnect4:
    return "cgroup/connect4";
  case ir::Hook::CgroupSockAddrConnect6:
    return "cgroup/connect6";
  case ir::Hook::CgroupSockAddrSendmsg4:
    return "cgroup/sendmsg4";
  case ir::Hook::CgroupSockAddrSendmsg6:
    return "cgroup/sendmsg6";
  }
  return "unknown";
}

std::vector<ChainSymbols> chainSymbols(const ir::Module &module,
                                       const std::vector<size_t> &tableCounts) {
  // Every ELF symbol bfc defines must be unique: programs, maps and the
  // module-level globals.
  // Section names are symbols too: a chain named `xdp` in an XDP program
  // would clash with the `xdp` section symbol.
  std::set<std::string> taken = {BFC_HOST_SLOTS_SYMBOL,
                                 detail::kLicenseSymbol,
                                 detail::kMetaSymbol,
                                 detail::kSetsSymbol,
                                 detail::kTablesSymbol,
                                 "xdp",
                                 "tc",
                                 "netfilter",
                                 "license"};
  auto claim = [&](std::string name) {
    std::string unique = name;
    for (unsigned n = 1; taken.count(unique); ++n)
      unique = fmt::format("{}_{}", name, n);
    taken.insert(unique);
    return unique;
  };
  // Program names first, so a chain whose name is a valid identifier keeps
  // it even when another chain's sanitised name would collide with it.
  std::vector<ChainSymbols> symbols(module.chains.size());
  for (size_t i = 0; i < module.chains.size(); ++i) {
    const std::string &name = module.chains[i].name;
    if (isCIdentifier(name) && !taken.count(name))
      symbols[i].program = claim(name);
  }
  for (size_t i = 0; i < module.chains.size(); ++i) {
    const ir::Chain &chain = module.chains[i];
    ChainSymbols &s = symbols[i];
    if (s.program.empty())
      s.program = claim(sanitize(chain.name));
  }
  for (size_t i = 0; i < module.chains.size(); ++i) {
    const ir::Chain &chain = module.chains[i];
    ChainSymbols &s = symbols[i];
    s.section = hookSection(chain.hook);
    s.counters = claim(s.program + "_counters");
    bool logs = false, rateLimited = false;
    for (const ir::Rule &rule : chain.rules) {
      logs |= rule.log.enabled;
      rateLimited |= rule.log.enabled && rule.log.rateNs != 0;
    }
    if (logs)
      s.log = claim(s.program + "_log");
    if (rateLimited)
      s.rateMap = claim(s.program + "_logrl");
    SetMapPlan setMaps = planSetMaps(chain);
    for (size_t m = 0; m < setMaps.maps.size(); ++m) {
      // A private map keeps the name of its set.
      auto set = static_cast<size_t>(
          std::find(setMaps.mapOf.begin(), setMaps.mapOf.end(), m) -
          setMaps.mapOf.begin());
      s.setMaps.push_back(claim(setMaps.maps[m].shared
                                    ? fmt::format("{}_setmap{}", s.program, m)
                                    : fmt::format("{}_set{}", s.program, set)));
    }
    for (uint32_t map : setMaps.mapOf)
      s.sets.push_back(s.setMaps[map]);
    for (size_t t = 0; i < tableCounts.size() && t < tableCounts[i]; ++t)
      s.tables.push_back(claim(fmt::format("{}_table{}", s.program, t)));
  }
  return symbols;
}

uint32_t setMaxEntries(const ir::Set &set) {
  // Room to grow (bfload chain update-set) without resizing: a quarter more
  // than the initial elements, rounded up to a power of two, at least 16.
  uint64_t wanted = set.elements.size() + set.elements.size() / 4 + 1;
  return static_cast<uint32_t>(std::max<uint64_t>(
      16, std::bit_ceil(std::min<uint64_t>(wanted, 1u << 30))));
}

SetMapPlan planSetMaps(const ir::Chain &chain) {
  SetMapPlan plan;
  std::map<std::pair<bool, uint32_t>, uint32_t> mapOfLayout;
  std::map<std::pair<bool, uint32_t>, unsigned> setsOfLayout;
  size_t lpmSets = 0;
  for (const ir::Set &set : chain.sets) {
    ++setsOfLayout[{set.lpm, set.keySize()}];
    lpmSets += set.lpm;
  }
  // Measured (docs/codegen.md): the id costs a hash lookup nothing
  // visible, but a miss in a shared trie walks the id's levels first.
  size_t hashMaps = 0;
  for (const auto &[layout, sets] : setsOfLayout)
    hashMaps += !layout.first;
  const bool shareLpm = hashMaps + lpmSets > kPrivateSetMapsUpTo;
  for (uint32_t i = 0; i < chain.sets.size(); ++i) {
    const ir::Set &set = chain.sets[i];
    std::pair<bool, uint32_t> layout = {set.lpm, set.keySize()};
    bool shared = (!set.lpm || shareLpm) && setsOfLayout[layout] > 1;
    auto next = static_cast<uint32_t>(plan.maps.size());
    uint32_t mapIndex =
        shared ? mapOfLayout.try_emplace(layout, next).first->second : next;
    if (mapIndex == next)
      plan.maps.push_back({set.lpm, set.keySize(), shared, 0});
    // Each set keeps the room it would have alone.
    SetMapPlan::Map &map = plan.maps[mapIndex];
    map.maxEntries = static_cast<uint32_t>(std::min<uint64_t>(
        uint64_t{map.maxEntries} + setMaxEntries(set), UINT32_MAX));
    plan.mapOf.push_back(mapIndex);
    plan.idOf.push_back(shared ? std::optional<uint32_t>(i) : std::nullopt);
  }
  return plan;
}

namespace detail {

std::vector<transform::ClassifierPlan>
classifierPlans(const ir::Module &module, const CodeGenOptions &options) {
  std::vector<transform::ClassifierPlan> plans(module.chains.size());
  // -O0 keeps every rule a compare: the unclassified code to compare with.
  if (options.optLevel == 0)
    return plans;
  for (size_t c = 0; c < module.chains.size(); ++c) {
    const ir::Chain &chain = module.chains[c];
    // The best rule index shares the flags word of the packet state.
    if (chain.rules.size() < kNoBestRule)
      plans[c] = transform::planClassifier(chain);
  }
  return plans;
}

uint32_t tableMaxEntries(const ir::Chain &chain,
                         const transform::ClassifierTable &table) {
  uint64_t room = table.entries.size();
  for (const transform::MirroredSet &mirror : table.mirrors)
    room += setMaxEntries(chain.sets[mirror.set]);
  return static_cast<uint32_t>(std::clamp<uint64_t>(room, 1, UINT32_MAX));
}

object::Metadata
buildMetadata(const ir::Module &module, const CodeGenOptions &options,
              const std::vector<transform::ClassifierPlan> &plans) {
  object::Metadata meta;
  meta.bfcVersion = kVersion;
  meta.source.name =
      options.sourceName.empty() ? module.sourceName : options.sourceName;
  meta.source.sha256 = sha256Hex(options.sourceText);
  for (uint32_t i = 0; i < module.hostSlots.size(); ++i)
    meta.hostSlots.push_back({i, "ifindex", module.hostSlots[i].name});

  std::vector<size_t> tableCounts;
  for (const transform::ClassifierPlan &plan : plans)
    tableCounts.push_back(plan.tables.size());
  std::vector<ChainSymbols> symbols = chainSymbols(module, tableCounts);
  for (size_t c = 0; c < module.chains.size(); ++c) {
    const ir::Chain &chain = module.chains[c];
    const ChainSymbols &sym = symbols[c];
    object::ChainInfo info;
    info.name = chain.name;
    info.hook = chain.hook;
    info.program = sym.program;
    info.section = sym.section;
    info.policy = chain.policy;
    info.attach = chain.hasOptions;
    info.options.ifindex = chain.options.ifindex;
    info.options.cgpath = chain.options.cgpath;
    info.options.priorities = chain.options.priorities;
    uint32_t rules = static_cast<uint32_t>(chain.rules.size());
    info.counters = {sym.counters, rules + 2, BFC_COUNTER_POLICY(rules),
                     BFC_COUNTER_ERRORS(rules)};
    if (!sym.log.empty()) {
      info.log.emplace();
      info.log->map = sym.log;
      if (!sym.rateMap.empty())
        info.log->rateMap = sym.rateMap;
    }
    for (const ir::Rule &rule : chain.rules) {
      object::RuleInfo r;
      r.index = rule.index;
      r.text = rule.text;
      r.line = rule.range.begin.line;
      r.column = rule.range.begin.column;
      r.counter = rule.counter;
      r.verdict = rule.verdict;
      if (rule.log.enabled)
        r.log = object::RuleLogInfo{rule.log.headers, rule.log.rateNs};
      r.mark = rule.mark;
      if (rule.verdict == ir::Verdict::Redirect) {
        object::RedirectInfo redirect;
        redirect.slot = rule.redirectSlot;
        redirect.ifindex = rule.redirectSlot ? 0 : rule.redirectIfindex;
        redirect.dir = rule.redirectDir;
        r.redirect = redirect;
      }
      info.rules.push_back(std::move(r));
    }
    SetMapPlan setMaps = planSetMaps(chain);
    for (uint32_t s = 0; s < chain.sets.size(); ++s) {
      const ir::Set &set = chain.sets[s];
      object::SetInfo si;
      si.index = s;
      si.name = set.name;
      si.anonymous = set.anonymous;
      si.map = sym.sets[s];
      si.mapId = setMaps.idOf[s];
      si.key = set.key;
      si.lpm = set.lpm;
      si.keySize = set.keySize();
      si.maxEntries = setMaxEntries(set);
      for (const ir::SetElement &element : set.elements)
        si.elements.push_back(
            {element.key, set.lpm ? element.prefixLen : uint32_t{0}});
      info.sets.push_back(std::move(si));
    }
    const std::vector<transform::ClassifierTable> &tables = plans[c].tables;
    for (uint32_t t = 0; t < tables.size(); ++t) {
      const transform::ClassifierTable &table = tables[t];
      object::TableInfo ti;
      ti.index = t;
      ti.map = sym.tables[t];
      for (const transform::TableField &field : table.fields)
        ti.fields.push_back({field.field, field.bits});
      ti.lpm = table.lpm;
      ti.keySize = table.keySize();
      ti.maxEntries = tableMaxEntries(chain, table);
      for (const transform::TableEntry &entry : table.entries)
        ti.entries.push_back({entry.key, entry.prefixLen, entry.rule});
      for (const transform::MirroredSet &mirror : table.mirrors)
        ti.mirrors.push_back({chain.sets[mirror.set].name, mirror.rule});
      info.tables.push_back(std::move(ti));
    }
    meta.chains.push_back(std::move(info));
  }
  // The lowest version that describes the object: older loaders keep
  // reading objects without mirrors, and refuse the others.
  meta.version = 1;
  for (const object::ChainInfo &chain : meta.chains)
    for (const object::TableInfo &table : chain.tables)
      if (!table.mirrors.empty())
        meta.version = BFC_OBJECT_FORMAT_VERSION_MIRRORS;
  return meta;
}

} // namespace detail

std::string metadataJSON(const ir::Module &module,
                         const CodeGenOptions &options) {
  return object::serializeMetadata(detail::buildMetadata(
      module, options, detail::classifierPlans(module, options)));
}

std::vector<uint8_t> setsSection(const ir::Module &module) {
  CodeGenOptions options;
  return object::encodeSetsSection(detail::buildMetadata(
      module, options, detail::classifierPlans(module, options)));
}

} // namespace bfc::codegen
