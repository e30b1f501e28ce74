#include "bfc/Object/Metadata.h"

#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bfc/Support/ByteOrder.h"
#include "bfc/runtime/ObjectFormat.h"

namespace bfc::object {

using nlohmann::json;

namespace {

/// A JSON value and its path in the document ("chains[0].rules[2]"), so
/// every validation error says exactly which field is wrong.
class Node {
public:
  Node(const json &value, std::string path)
      : value_(value), path_(std::move(path)) {}

  const json &value() const { return value_; }
  const std::string &path() const { return path_; }

  [[noreturn]] void fail(std::string_view what) const {
    throw ObjectError(fmt::format("invalid metadata: {}: {}",
                                  path_.empty() ? "<document>" : path_, what));
  }

  Node member(std::string_view key) const {
    expectObject();
    auto it = value_.find(key);
    if (it == value_.end())
      fail(fmt::format("missing required field '{}'", key));
    return Node(*it, childPath(key));
  }

  std::optional<Node> optionalMember(std::string_view key) const {
    expectObject();
    auto it = value_.find(key);
    if (it == value_.end() || it->is_null())
      return std::nullopt;
    return Node(*it, childPath(key));
  }

  std::vector<Node> elements() const {
    if (!value_.is_array())
      fail("expected an array");
    std::vector<Node> nodes;
    for (size_t i = 0; i < value_.size(); ++i)
      nodes.emplace_back(value_[i], fmt::format("{}[{}]", path_, i));
    return nodes;
  }

  std::string string() const {
    if (!value_.is_string())
      fail("expected a string");
    return value_.get<std::string>();
  }

  bool boolean() const {
    if (!value_.is_boolean())
      fail("expected true or false");
    return value_.get<bool>();
  }

  template <typename T> T integer() const {
    if (!value_.is_number_integer())
      fail("expected an integer");
    if (value_.is_number_unsigned()) {
      auto v = value_.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        fail(fmt::format("{} is out of range", v));
      return static_cast<T>(v);
    }
    auto v = value_.get<int64_t>();
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (v > 0 && static_cast<uint64_t>(v) >
                      static_cast<uint64_t>(std::numeric_limits<T>::max())))
      fail(fmt::format("{} is out of range", v));
    return static_cast<T>(v);
  }

  /// The value as a T: string, bool or an integer type.
  template <typename T> T as() const {
    if constexpr (std::is_same_v<T, std::string>)
      return string();
    else if constexpr (std::is_same_v<T, bool>)
      return boolean();
    else
      return integer<T>();
  }

  /// Stores member `key` in `out` when it is present and not null.
  template <typename T> void readOptional(std::string_view key, T &out) const {
    if (auto n = optionalMember(key))
      out = n->as<T>();
  }
  template <typename T>
  void readOptional(std::string_view key, std::optional<T> &out) const {
    if (auto n = optionalMember(key))
      out = n->as<T>();
  }

  /// Member "index", which must equal `position` in the enclosing array.
  uint32_t index(std::string_view what, uint32_t position) const {
    Node index = member("index");
    auto value = index.integer<uint32_t>();
    if (value != position)
      index.fail(
          fmt::format("{} index {} at position {}", what, value, position));
    return value;
  }

private:
  void expectObject() const {
    if (!value_.is_object())
      fail("expected an object");
  }
  std::string childPath(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }

  const json &value_;
  std::string path_;
};

std::optional<ir::Verdict> verdictFromName(std::string_view name) {
  for (auto v : {ir::Verdict::Accept, ir::Verdict::Drop, ir::Verdict::Continue,
                 ir::Verdict::Next, ir::Verdict::Redirect})
    if (ir::verdictName(v) == name)
      return v;
  return std::nullopt;
}

ir::Verdict parseVerdict(const Node &node) {
  std::string name = node.string();
  if (auto v = verdictFromName(name))
    return *v;
  node.fail(fmt::format("unknown verdict '{}'", name));
}

uint8_t parseLogHeaders(const Node &node) {
  uint8_t headers = 0;
  for (const Node &h : node.elements()) {
    std::string name = h.string();
    if (name == "link")
      headers |= ir::kLogLink;
    else if (name == "internet")
      headers |= ir::kLogInternet;
    else if (name == "transport")
      headers |= ir::kLogTransport;
    else
      h.fail(fmt::format("unknown log header '{}'", name));
  }
  return headers;
}

HookOptionsInfo parseOptions(const Node &node) {
  HookOptionsInfo options;
  node.readOptional("ifindex", options.ifindex);
  node.readOptional("cgpath", options.cgpath);
  if (auto n = node.optionalMember("priorities")) {
    auto pair = n->elements();
    if (pair.size() != 2)
      n->fail("expected two priorities");
    options.priorities = {pair[0].integer<int32_t>(),
                          pair[1].integer<int32_t>()};
  }
  return options;
}

RuleInfo parseRule(const Node &node, uint32_t position) {
  RuleInfo rule;
  rule.index = node.index("rule", position);
  rule.text = node.member("text").string();
  node.readOptional("line", rule.line);
  node.readOptional("column", rule.column);
  node.readOptional("counter", rule.counter);
  rule.verdict = parseVerdict(node.member("verdict"));
  if (rule.verdict != ir::Verdict::Redirect && node.optionalMember("redirect"))
    node.member("redirect").fail("only REDIRECT rules have a redirect");
  if (auto n = node.optionalMember("log")) {
    RuleLogInfo log;
    log.headers = parseLogHeaders(n->member("headers"));
    n->readOptional("every_ns", log.everyNs);
    rule.log = log;
  }
  node.readOptional("mark", rule.mark);
  if (auto n = node.optionalMember("redirect")) {
    RedirectInfo redirect;
    n->readOptional("slot", redirect.slot);
    n->readOptional("ifindex", redirect.ifindex);
    Node dir = n->member("dir");
    std::string dirName = dir.string();
    if (dirName == "in")
      redirect.dir = ir::RedirectDir::In;
    else if (dirName == "out")
      redirect.dir = ir::RedirectDir::Out;
    else
      dir.fail(fmt::format("expected 'in' or 'out', not '{}'", dirName));
    rule.redirect = redirect;
  } else if (rule.verdict == ir::Verdict::Redirect) {
    node.fail("a REDIRECT rule needs a 'redirect' object");
  }
  return rule;
}

/// `key_size` (which must be `width`, the key fields' total) and
/// `max_entries` (at least 1) of a set or table.
void readKeySizeAndCapacity(const Node &node, uint32_t width, uint32_t &keySize,
                            uint32_t &maxEntries) {
  Node keySizeNode = node.member("key_size");
  keySize = keySizeNode.integer<uint32_t>();
  if (keySize != width)
    keySizeNode.fail(
        fmt::format("{} does not match the key fields, which are {} bytes",
                    keySize, width));
  Node maxEntriesNode = node.member("max_entries");
  maxEntries = maxEntriesNode.integer<uint32_t>();
  if (maxEntries == 0)
    maxEntriesNode.fail("must be at least 1");
}

SetInfo parseSet(const Node &node, uint32_t position) {
  SetInfo set;
  set.index = node.index("set", position);
  set.name = node.member("name").string();
  node.readOptional("anonymous", set.anonymous);
  set.map = node.member("map").string();
  node.readOptional("map_id", set.mapId);
  Node key = node.member("key");
  uint32_t width = 0;
  for (const Node &component : key.elements()) {
    std::string name = component.string();
    auto field = ir::fieldFromName(name);
    if (!field)
      component.fail(fmt::format("unknown field '{}'", name));
    set.key.push_back(*field);
    width += ir::fieldInfo(*field).width;
  }
  if (set.key.empty())
    key.fail("a set key needs at least one field");
  set.lpm = node.member("lpm").boolean();
  if (set.lpm) {
    if (set.key.size() != 1 || (set.key[0] != ir::FieldId::Ip4Saddr &&
                                set.key[0] != ir::FieldId::Ip4Daddr &&
                                set.key[0] != ir::FieldId::Ip6Saddr &&
                                set.key[0] != ir::FieldId::Ip6Daddr))
      key.fail("an LPM set key is exactly one address field");
  }
  readKeySizeAndCapacity(node, width, set.keySize, set.maxEntries);
  return set;
}

TableInfo parseTable(const Node &node, uint32_t position) {
  TableInfo table;
  table.index = node.index("table", position);
  table.map = node.member("map").string();
  Node fields = node.member("fields");
  uint32_t width = 0;
  for (const Node &component : fields.elements()) {
    Node fieldNode = component.member("field");
    std::string name = fieldNode.string();
    auto field = ir::fieldFromName(name);
    if (!field || ir::fieldInfo(*field).proto == ir::Proto::None)
      fieldNode.fail(fmt::format("'{}' is not a header field", name));
    Node bits = component.member("bits");
    TableFieldInfo info{*field, bits.integer<uint32_t>()};
    if (info.bits > ir::fieldInfo(*field).width * 8u)
      bits.fail(fmt::format("more bits than '{}' has", name));
    table.fields.push_back(info);
    width += ir::fieldInfo(*field).width;
  }
  if (table.fields.empty())
    fields.fail("a table key needs at least one field");
  table.lpm = node.member("lpm").boolean();
  if (table.lpm && table.fields.size() != 1)
    fields.fail("an LPM table key is exactly one field");
  readKeySizeAndCapacity(node, width, table.keySize, table.maxEntries);
  return table;
}

/// A mirror of `table`: a named exact set of the chain keyed on the table's
/// one field (whole width), and a rule below the next mirror's.
TableMirrorInfo parseMirror(const Node &node, const ChainInfo &chain,
                            const TableInfo &table) {
  TableMirrorInfo mirror;
  Node setNode = node.member("set");
  mirror.set = setNode.string();
  const SetInfo *set = chain.findSet(mirror.set);
  if (!set || set->anonymous)
    setNode.fail(fmt::format("no named set '{}'", mirror.set));
  if (table.lpm || set->lpm || table.fields.size() != 1 ||
      set->key.size() != 1 || set->key[0] != table.fields[0].field ||
      table.fields[0].bits != ir::fieldInfo(set->key[0]).width * 8u)
    setNode.fail(fmt::format("set '{}' and table {} have different keys",
                             mirror.set, table.index));
  Node rule = node.member("rule");
  mirror.rule = rule.integer<uint32_t>();
  if (mirror.rule >= chain.rules.size())
    rule.fail(fmt::format("no rule {}", mirror.rule));
  if (!table.mirrors.empty() && mirror.rule <= table.mirrors.back().rule)
    rule.fail("mirrors must be in ascending rule order");
  return mirror;
}

ChainInfo parseChain(const Node &node, size_t hostSlotCount) {
  ChainInfo chain;
  chain.name = node.member("name").string();
  if (chain.name.empty())
    node.member("name").fail("empty chain name");
  Node hook = node.member("hook");
  std::string hookName = hook.string();
  auto parsedHook = ir::hookFromName(hookName);
  if (!parsedHook)
    hook.fail(fmt::format("unknown hook '{}'", hookName));
  chain.hook = *parsedHook;
  chain.program = node.member("program").string();
  if (chain.program.empty())
    node.member("program").fail("empty program name");
  chain.section = node.member("section").string();
  Node policy = node.member("policy");
  chain.policy = parseVerdict(policy);
  if (chain.policy == ir::Verdict::Continue ||
      chain.policy == ir::Verdict::Redirect)
    policy.fail(fmt::format("'{}' is not a chain policy",
                            ir::verdictName(chain.policy)));
  chain.attach = node.member("attach").boolean();
  if (auto options = node.optionalMember("options"))
    chain.options = parseOptions(*options);

  for (const Node &rule : node.member("rules").elements())
    chain.rules.push_back(parseRule(rule, chain.rules.size()));
  for (const RuleInfo &rule : chain.rules)
    if (rule.redirect && rule.redirect->slot &&
        *rule.redirect->slot >= hostSlotCount)
      node.fail(fmt::format("rule {} redirects to host slot {}, but there "
                            "are {} host slots",
                            rule.index, *rule.redirect->slot, hostSlotCount));

  Node counters = node.member("counters");
  chain.counters.map = counters.member("map").string();
  chain.counters.size = counters.member("size").integer<uint32_t>();
  chain.counters.policy = counters.member("policy").integer<uint32_t>();
  chain.counters.errors = counters.member("errors").integer<uint32_t>();
  uint32_t rules = chain.rules.size();
  if (chain.counters.size != rules + 2 ||
      chain.counters.policy != BFC_COUNTER_POLICY(rules) ||
      chain.counters.errors != BFC_COUNTER_ERRORS(rules))
    counters.fail(fmt::format("a chain of {} rules has {} counters, policy at "
                              "{} and errors at {}",
                              rules, rules + 2, BFC_COUNTER_POLICY(rules),
                              BFC_COUNTER_ERRORS(rules)));

  if (auto log = node.optionalMember("log")) {
    ChainLogInfo info;
    info.map = log->member("map").string();
    log->readOptional("rate_map", info.rateMap);
    chain.log = info;
  }
  for (const RuleInfo &rule : chain.rules)
    if (rule.log && !chain.log)
      node.fail(fmt::format("rule {} logs but the chain has no 'log' map",
                            rule.index));

  std::set<std::string> setNames;
  // Sets naming the same map: all with distinct ids and one key layout.
  std::map<std::string, const SetInfo *> firstOnMap;
  std::set<std::pair<std::string, uint32_t>> mapIds;
  if (auto sets = node.optionalMember("sets")) {
    std::vector<Node> setNodes = sets->elements();
    for (const Node &setNode : setNodes) {
      SetInfo set = parseSet(setNode, chain.sets.size());
      if (!setNames.insert(set.name).second)
        setNode.fail(fmt::format("duplicate set name '{}'", set.name));
      chain.sets.push_back(std::move(set));
    }
    for (size_t i = 0; i < chain.sets.size(); ++i) {
      const SetInfo &set = chain.sets[i];
      auto [first, isFirst] = firstOnMap.emplace(set.map, &set);
      if (isFirst)
        continue;
      const SetInfo &other = *first->second;
      if (!set.mapId || !other.mapId)
        setNodes[i].fail(
            fmt::format("sets '{}' and '{}' share map '{}' without a 'map_id'",
                        other.name, set.name, set.map));
      if (set.lpm != other.lpm || set.keySize != other.keySize)
        setNodes[i].fail(fmt::format("sets '{}' and '{}' share map '{}' but "
                                     "their keys differ",
                                     other.name, set.name, set.map));
    }
    for (size_t i = 0; i < chain.sets.size(); ++i) {
      const SetInfo &set = chain.sets[i];
      if (set.mapId && !mapIds.emplace(set.map, *set.mapId).second)
        setNodes[i].fail(fmt::format("map_id {} is used twice in map '{}'",
                                     *set.mapId, set.map));
    }
  }
  if (auto tables = node.optionalMember("tables"))
    for (const Node &tableNode : tables->elements()) {
      chain.tables.push_back(parseTable(tableNode, chain.tables.size()));
      if (auto mirrors = tableNode.optionalMember("mirrors"))
        for (const Node &mirror : mirrors->elements())
          chain.tables.back().mirrors.push_back(
              parseMirror(mirror, chain, chain.tables.back()));
    }
  return chain;
}

json optionsToJson(const HookOptionsInfo &options) {
  json j = json::object();
  if (options.ifindex)
    j["ifindex"] = *options.ifindex;
  if (options.cgpath)
    j["cgpath"] = *options.cgpath;
  if (options.priorities)
    j["priorities"] = {options.priorities->first, options.priorities->second};
  return j;
}

json logHeadersToJson(uint8_t headers) {
  json j = json::array();
  if (headers & ir::kLogLink)
    j.push_back("link");
  if (headers & ir::kLogInternet)
    j.push_back("internet");
  if (headers & ir::kLogTransport)
    j.push_back("transport");
  return j;
}

} // namespace

namespace {
uint32_t readHostU32(const std::vector<uint8_t> &in, size_t at) {
  return loadHostU32(in.data() + at);
}
} // namespace

std::vector<uint8_t> SetInfo::mapKey(const SetElement &element) const {
  std::vector<uint8_t> key;
  key.reserve(mapKeySize());
  // In a shared LPM trie the id is the key's first 32 bits: always matched.
  if (lpm)
    appendHostU32(key, (mapId ? 32 : 0) + element.prefixLen);
  if (mapId)
    appendHostU32(key, *mapId);
  key.insert(key.end(), element.key.begin(), element.key.end());
  return key;
}

std::optional<SetElement>
SetInfo::elementOf(const std::vector<uint8_t> &key) const {
  if (key.size() != mapKeySize())
    return std::nullopt;
  SetElement element;
  size_t at = 0;
  if (lpm) {
    element.prefixLen = readHostU32(key, at);
    at += 4;
  }
  if (mapId) {
    if (readHostU32(key, at) != *mapId || (lpm && element.prefixLen < 32))
      return std::nullopt;
    if (lpm)
      element.prefixLen -= 32;
    at += 4;
  }
  element.key.assign(key.begin() + static_cast<ptrdiff_t>(at), key.end());
  return element;
}

const SetInfo *ChainInfo::findSet(std::string_view setName) const {
  for (const SetInfo &set : sets)
    if (set.name == setName)
      return &set;
  return nullptr;
}

const ChainInfo *Metadata::findChain(std::string_view chainName) const {
  for (const ChainInfo &chain : chains)
    if (chain.name == chainName)
      return &chain;
  return nullptr;
}

Metadata parseMetadata(std::string_view text) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error &e) {
    // nlohmann's message starts with "[json.exception.parse_error.101]".
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos)
      what = what.substr(pos + 2);
    throw ObjectError(fmt::format("invalid metadata: not JSON: {}", what));
  }
  return parseMetadataDocument(document);
}

Metadata parseMetadataDocument(const json &document) {
  Node root(document, "");
  if (!document.is_object())
    root.fail("expected a JSON object");

  Metadata meta;
  // Format and version first: a newer or foreign document may be laid out
  // differently, so nothing else is checked before these two.
  meta.format = root.member("format").string();
  if (meta.format != "bfc-object")
    throw ObjectError(fmt::format(
        "not a bfc object: metadata format is '{}', expected 'bfc-object'",
        meta.format));
  Node version = root.member("version");
  meta.version = version.integer<uint32_t>();
  if (meta.version == 0)
    version.fail("version 0 does not exist");
  if (meta.version > BFC_OBJECT_FORMAT_VERSION)
    throw ObjectError(fmt::format(
        "object format version {} is newer than this bfload supports ({}); "
        "use a bfload at least as recent as the bfc that wrote it",
        meta.version, BFC_OBJECT_FORMAT_VERSION));

  meta.bfcVersion = root.member("bfc_version").string();
  if (auto source = root.optionalMember("source")) {
    meta.source.name = source->member("name").string();
    source->readOptional("sha256", meta.source.sha256);
  }
  if (auto slots = root.optionalMember("host_slots")) {
    for (const Node &slotNode : slots->elements()) {
      HostSlotInfo slot;
      slot.index = slotNode.member("index").integer<uint32_t>();
      if (slot.index != meta.hostSlots.size())
        slotNode.member("index").fail(fmt::format(
            "host slot {} at position {}", slot.index, meta.hostSlots.size()));
      slot.kind = slotNode.member("kind").string();
      if (slot.kind != "ifindex")
        slotNode.member("kind").fail(
            fmt::format("unknown host slot kind '{}'", slot.kind));
      slot.name = slotNode.member("name").string();
      if (slot.name.empty())
        slotNode.member("name").fail("empty interface name");
      meta.hostSlots.push_back(std::move(slot));
    }
  }

  std::set<std::string> chainNames, programNames;
  for (const Node &chainNode : root.member("chains").elements()) {
    ChainInfo chain = parseChain(chainNode, meta.hostSlots.size());
    if (!chainNames.insert(chain.name).second)
      chainNode.fail(fmt::format("duplicate chain name '{}'", chain.name));
    if (!programNames.insert(chain.program).second)
      chainNode.fail(fmt::format("duplicate program '{}'", chain.program));
    meta.chains.push_back(std::move(chain));
  }
  return meta;
}

std::string serializeMetadata(const Metadata &meta) {
  json document;
  document["format"] = meta.format;
  document["version"] = meta.version;
  document["bfc_version"] = meta.bfcVersion;
  document["source"] = {{"name", meta.source.name},
                        {"sha256", meta.source.sha256}};
  document["host_slots"] = json::array();
  for (const HostSlotInfo &slot : meta.hostSlots)
    document["host_slots"].push_back(
        {{"index", slot.index}, {"kind", slot.kind}, {"name", slot.name}});
  document["chains"] = json::array();
  for (const ChainInfo &chain : meta.chains) {
    json c;
    c["name"] = chain.name;
    c["hook"] = ir::hookName(chain.hook);
    c["program"] = chain.program;
    c["section"] = chain.section;
    c["policy"] = ir::verdictName(chain.policy);
    c["attach"] = chain.attach;
    c["options"] = optionsToJson(chain.options);
    c["counters"] = {{"map", chain.counters.map},
                     {"size", chain.counters.size},
                     {"policy", chain.counters.policy},
                     {"errors", chain.counters.errors}};
    if (chain.log) {
      c["log"] = {{"map", chain.log->map}};
      if (chain.log->rateMap)
        c["log"]["rate_map"] = *chain.log->rateMap;
    }
    c["rules"] = json::array();
    for (const RuleInfo &rule : chain.rules) {
      json r = {{"index", rule.index},
                {"text", rule.text},
                {"line", rule.line},
                {"column", rule.column},
                {"counter", rule.counter},
                {"verdict", ir::verdictName(rule.verdict)}};
      if (rule.log)
        r["log"] = {{"headers", logHeadersToJson(rule.log->headers)},
                    {"every_ns", rule.log->everyNs}};
      if (rule.mark)
        r["mark"] = *rule.mark;
      if (rule.redirect) {
        json redirect = {
            {"ifindex", rule.redirect->ifindex},
            {"dir", rule.redirect->dir == ir::RedirectDir::In ? "in" : "out"}};
        if (rule.redirect->slot)
          redirect["slot"] = *rule.redirect->slot;
        r["redirect"] = redirect;
      }
      c["rules"].push_back(std::move(r));
    }
    c["sets"] = json::array();
    for (const SetInfo &set : chain.sets) {
      json key = json::array();
      for (ir::FieldId field : set.key)
        key.push_back(ir::fieldInfo(field).name);
      c["sets"].push_back({{"index", set.index},
                           {"name", set.name},
                           {"anonymous", set.anonymous},
                           {"map", set.map},
                           {"key", key},
                           {"lpm", set.lpm},
                           {"key_size", set.keySize},
                           {"max_entries", set.maxEntries}});
      if (set.mapId)
        c["sets"].back()["map_id"] = *set.mapId;
    }
    // Only when there are tables: objects without keep their documents.
    for (const TableInfo &table : chain.tables) {
      json fields = json::array();
      for (const TableFieldInfo &component : table.fields)
        fields.push_back({{"field", ir::fieldInfo(component.field).name},
                          {"bits", component.bits}});
      c["tables"].push_back({{"index", table.index},
                             {"map", table.map},
                             {"fields", fields},
                             {"lpm", table.lpm},
                             {"key_size", table.keySize},
                             {"max_entries", table.maxEntries}});
      for (const TableMirrorInfo &mirror : table.mirrors)
        c["tables"].back()["mirrors"].push_back(
            {{"set", mirror.set}, {"rule", mirror.rule}});
    }
    document["chains"].push_back(std::move(c));
  }
  return document.dump(2);
}

std::string formatHookOptions(const HookOptionsInfo &options) {
  std::vector<std::string> parts;
  if (options.ifindex)
    parts.push_back(fmt::format("ifindex={}", *options.ifindex));
  if (options.cgpath)
    parts.push_back(fmt::format("cgpath={}", *options.cgpath));
  if (options.priorities)
    parts.push_back(fmt::format("priorities={}-{}", options.priorities->first,
                                options.priorities->second));
  return fmt::format("{}", fmt::join(parts, ","));
}

} // namespace bfc::object
