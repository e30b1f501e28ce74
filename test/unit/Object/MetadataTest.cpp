// .bfc.meta parsing: a valid document gives the expected structs and
// round-trips; every kind of bad document is refused with a message that
// names the offending field.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>

#include <nlohmann/json.hpp>

#include "bfc/Object/Metadata.h"

using namespace bfc;
using namespace bfc::object;
using nlohmann::json;

namespace {

json validDocument() {
  return json::parse(R"({
    "format": "bfc-object", "version": 1, "bfc_version": "0.1.0",
    "source": {"name": "r.bf", "sha256": "00"},
    "host_slots": [{"index": 0, "kind": "ifindex", "name": "eth0"}],
    "chains": [{
      "name": "c", "hook": "BF_HOOK_TC_INGRESS", "program": "c",
      "section": "tc", "policy": "DROP", "attach": true,
      "options": {"ifindex": 3},
      "counters": {"map": "c_counters", "size": 4, "policy": 2, "errors": 3},
      "log": {"map": "c_log", "rate_map": "c_logrl"},
      "rules": [
        {"index": 0, "text": "rule ip4.saddr eq 1.2.3.4 log every 1s DROP",
         "line": 2, "column": 5, "counter": false, "verdict": "DROP",
         "log": {"headers": ["internet", "transport"], "every_ns": 1000000000}},
        {"index": 1, "text": "rule REDIRECT eth0 in", "verdict": "REDIRECT",
         "counter": true, "mark": 7,
         "redirect": {"slot": 0, "ifindex": 0, "dir": "in"}}
      ],
      "sets": [
        {"index": 0, "name": "pairs", "anonymous": false, "map": "c_set0",
         "key": ["ip4.saddr", "tcp.dport"], "lpm": false, "key_size": 6,
         "max_entries": 16},
        {"index": 1, "name": "__anon1", "anonymous": true, "map": "c_set1",
         "key": ["ip6.daddr"], "lpm": true, "key_size": 16, "max_entries": 4}
      ]
    }]
  })");
}

std::string errorOf(const json &document) {
  try {
    parseMetadata(document.dump());
  } catch (const ObjectError &e) {
    return e.what();
  }
  return "<no error>";
}

} // namespace

TEST(Metadata, ParsesEveryField) {
  Metadata meta = parseMetadata(validDocument().dump());
  EXPECT_EQ(meta.version, 1u);
  EXPECT_EQ(meta.source.name, "r.bf");
  ASSERT_EQ(meta.hostSlots.size(), 1u);
  EXPECT_EQ(meta.hostSlots[0].name, "eth0");
  ASSERT_EQ(meta.chains.size(), 1u);
  const ChainInfo &chain = meta.chains[0];
  EXPECT_EQ(chain.hook, ir::Hook::TcIngress);
  EXPECT_EQ(chain.policy, ir::Verdict::Drop);
  EXPECT_TRUE(chain.attach);
  EXPECT_EQ(chain.options.ifindex, 3u);
  EXPECT_FALSE(chain.options.cgpath);
  EXPECT_EQ(chain.counters.size, 4u);
  ASSERT_TRUE(chain.log);
  EXPECT_EQ(chain.log->rateMap, "c_logrl");
  ASSERT_EQ(chain.rules.size(), 2u);
  ASSERT_TRUE(chain.rules[0].log);
  EXPECT_EQ(chain.rules[0].log->headers, ir::kLogInternet | ir::kLogTransport);
  EXPECT_EQ(chain.rules[0].log->everyNs, 1000000000u);
  EXPECT_EQ(chain.rules[1].mark, 7u);
  ASSERT_TRUE(chain.rules[1].redirect);
  EXPECT_EQ(chain.rules[1].redirect->slot, 0u);
  EXPECT_EQ(chain.rules[1].redirect->dir, ir::RedirectDir::In);
  ASSERT_EQ(chain.sets.size(), 2u);
  EXPECT_EQ(
      chain.sets[0].key,
      (std::vector<ir::FieldId>{ir::FieldId::Ip4Saddr, ir::FieldId::TcpDport}));
  EXPECT_EQ(chain.sets[0].mapKeySize(), 6u);
  EXPECT_TRUE(chain.sets[1].lpm);
  EXPECT_EQ(chain.sets[1].mapKeySize(), 20u); // u32 prefix + 16 bytes
  EXPECT_EQ(chain.findSet("pairs"), &chain.sets[0]);
  EXPECT_EQ(chain.findSet("nope"), nullptr);
  EXPECT_EQ(meta.findChain("c"), &meta.chains[0]);
}

TEST(Metadata, RoundTrips) {
  Metadata meta = parseMetadata(validDocument().dump());
  Metadata again = parseMetadata(serializeMetadata(meta));
  EXPECT_EQ(serializeMetadata(again), serializeMetadata(meta));
  EXPECT_EQ(again.chains[0].rules[1].redirect->dir, ir::RedirectDir::In);
  EXPECT_EQ(again.chains[0].sets[1].lpm, true);
  EXPECT_EQ(again.chains[0].options.ifindex, 3u);
}

TEST(Metadata, AcceptsMinimalChain) {
  json doc = validDocument();
  json &chain = doc["chains"][0];
  chain.erase("log");
  chain.erase("sets");
  chain.erase("options");
  chain["rules"] = json::array();
  chain["counters"] = {{"map", "m"}, {"size", 2}, {"policy", 0}, {"errors", 1}};
  doc.erase("host_slots");
  Metadata meta = parseMetadata(doc.dump());
  EXPECT_TRUE(meta.chains[0].options.empty());
  EXPECT_TRUE(meta.chains[0].sets.empty());
}

TEST(Metadata, RefusesForeignAndNewerDocuments) {
  EXPECT_NE(errorOf(json::array()).find("expected a JSON object"),
            std::string::npos);
  json doc = validDocument();
  doc["format"] = "something-else";
  EXPECT_NE(errorOf(doc).find("not a bfc object: metadata format is "
                              "'something-else'"),
            std::string::npos);
  doc = validDocument();
  doc["version"] = 3;
  EXPECT_NE(errorOf(doc).find("object format version 3 is newer than this "
                              "bfload supports (2)"),
            std::string::npos);
  doc = validDocument();
  doc["version"] = 0;
  EXPECT_NE(errorOf(doc).find("version 0 does not exist"), std::string::npos);
  // A newer document is refused before its other fields are looked at.
  doc = json{{"format", "bfc-object"}, {"version", 7}};
  EXPECT_NE(errorOf(doc).find("newer"), std::string::npos);
  try {
    parseMetadata("{\"format\": ");
    FAIL() << "truncated JSON accepted";
  } catch (const ObjectError &e) {
    EXPECT_NE(std::string(e.what()).find("invalid metadata: not JSON"),
              std::string::npos);
  }
}

TEST(Metadata, NamesTheBadField) {
  struct Case {
    std::function<void(json &)> mutate;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](json &d) { d["chains"][0].erase("hook"); },
       "chains[0]: missing required field 'hook'"},
      {[](json &d) { d["chains"][0]["hook"] = "BF_HOOK_NOPE"; },
       "chains[0].hook: unknown hook 'BF_HOOK_NOPE'"},
      {[](json &d) { d["chains"][0]["name"] = 5; },
       "chains[0].name: expected a string"},
      {[](json &d) { d["chains"][0]["policy"] = "CONTINUE"; },
       "'CONTINUE' is not a chain policy"},
      {[](json &d) { d["chains"][0]["rules"][0]["verdict"] = "MAYBE"; },
       "chains[0].rules[0].verdict: unknown verdict 'MAYBE'"},
      {[](json &d) { d["chains"][0]["rules"][1]["index"] = 5; },
       "rule index 5 at position 1"},
      {[](json &d) { d["chains"][0]["counters"]["size"] = 3; },
       "a chain of 2 rules has 4 counters"},
      {[](json &d) { d["chains"][0].erase("log"); },
       "rule 0 logs but the chain has no 'log' map"},
      {[](json &d) { d["chains"][0]["rules"][1]["redirect"]["slot"] = 4; },
       "redirects to host slot 4, but there are 1 host slots"},
      {[](json &d) { d["chains"][0]["rules"][1].erase("redirect"); },
       "a REDIRECT rule needs a 'redirect' object"},
      {[](json &d) { d["chains"][0]["sets"][0]["key"] = {"ip4.nope"}; },
       "unknown field 'ip4.nope'"},
      {[](json &d) { d["chains"][0]["sets"][0]["key_size"] = 5; },
       "5 does not match the key fields, which are 6 bytes"},
      {[](json &d) {
         d["chains"][0]["sets"][1]["key"] = {"ip6.daddr", "tcp.dport"};
       },
       "an LPM set key is exactly one address field"},
      {[](json &d) { d["chains"][0]["sets"][1]["name"] = "pairs"; },
       "duplicate set name 'pairs'"},
      {[](json &d) { d["chains"][0]["sets"][0]["max_entries"] = 0; },
       "max_entries: must be at least 1"},
      {[](json &d) { d["chains"].push_back(d["chains"][0]); },
       "duplicate chain name 'c'"},
      {[](json &d) { d["host_slots"][0]["kind"] = "mac"; },
       "unknown host slot kind 'mac'"},
      {[](json &d) { d["chains"][0]["options"]["priorities"] = {1}; },
       "expected two priorities"},
      {[](json &d) { d["chains"][0]["options"]["ifindex"] = -1; },
       "-1 is out of range"},
      {[](json &d) { d["chains"][0]["rules"][0]["log"]["headers"] = {"x"}; },
       "unknown log header 'x'"},
      {[](json &d) { d["chains"] = json::object(); },
       "chains: expected an array"},
  };
  for (const Case &c : cases) {
    json doc = validDocument();
    c.mutate(doc);
    std::string error = errorOf(doc);
    EXPECT_NE(error.find(c.message), std::string::npos)
        << "expected '" << c.message << "' in '" << error << "'";
  }
}

TEST(Metadata, FormatsHookOptions) {
  HookOptionsInfo options;
  EXPECT_EQ(formatHookOptions(options), "");
  options.ifindex = 2;
  EXPECT_EQ(formatHookOptions(options), "ifindex=2");
  options.ifindex.reset();
  options.cgpath = "/sys/fs/cgroup/a";
  options.priorities = {{-5, 10}};
  EXPECT_EQ(formatHookOptions(options),
            "cgpath=/sys/fs/cgroup/a,priorities=-5-10");
}

TEST(Metadata, MangledDocumentsAreObjectErrorsOnly) {
  // Random edits of a valid document: accepted or refused with an
  // ObjectError, never another exception, never a crash.
  const std::string valid = validDocument().dump();
  std::mt19937 random(7);
  const std::string alphabet = "{}[]\":,0123456789-.abcdefnulltrue ";
  for (int round = 0; round < 3000; ++round) {
    std::string text = valid;
    for (int edits = 1 + random() % 4; edits > 0; --edits) {
      size_t at = random() % text.size();
      switch (random() % 3) {
      case 0:
        text[at] = alphabet[random() % alphabet.size()];
        break;
      case 1:
        text.erase(at, 1 + random() % 8);
        break;
      default:
        text.insert(at, 1, alphabet[random() % alphabet.size()]);
        break;
      }
    }
    try {
      parseMetadata(text);
    } catch (const ObjectError &) {
    } catch (const std::exception &e) {
      ADD_FAILURE() << "unexpected " << e.what() << " for: " << text;
    }
  }
}

TEST(Metadata, SharedSetMaps) {
  json doc = validDocument();
  json &sets = doc["chains"][0]["sets"];
  sets.push_back({{"index", 2},
                  {"name", "more"},
                  {"anonymous", false},
                  {"map", "c_setmap0"},
                  {"map_id", 2},
                  {"key", {"ip4.daddr", "udp.sport"}},
                  {"lpm", false},
                  {"key_size", 6},
                  {"max_entries", 16}});
  sets[0]["map"] = "c_setmap0";
  sets[0]["map_id"] = 0;
  Metadata meta = parseMetadata(doc.dump());
  const std::vector<SetInfo> &parsed = meta.chains[0].sets;
  EXPECT_EQ(parsed[0].mapId, 0u);
  EXPECT_EQ(parsed[1].mapId, std::nullopt);
  EXPECT_EQ(parsed[2].mapId, 2u);
  EXPECT_EQ(parseMetadata(serializeMetadata(meta)).chains[0].sets[2].mapId, 2u);

  json noId = doc;
  noId["chains"][0]["sets"][0].erase("map_id");
  EXPECT_NE(errorOf(noId).find("share map 'c_setmap0' without a 'map_id'"),
            std::string::npos)
      << errorOf(noId);
  json sameId = doc;
  sameId["chains"][0]["sets"][2]["map_id"] = 0;
  EXPECT_NE(errorOf(sameId).find("map_id 0 is used twice in map 'c_setmap0'"),
            std::string::npos)
      << errorOf(sameId);
  json otherLayout = doc;
  otherLayout["chains"][0]["sets"][2]["key"] = {"ip4.daddr"};
  otherLayout["chains"][0]["sets"][2]["key_size"] = 4;
  EXPECT_NE(errorOf(otherLayout).find("their keys differ"), std::string::npos)
      << errorOf(otherLayout);
}

TEST(Metadata, TablesMirroringNamedSets) {
  json doc = validDocument();
  doc["version"] = 2;
  json &chain = doc["chains"][0];
  chain["sets"].push_back({{"index", 2},
                           {"name", "blocked"},
                           {"anonymous", false},
                           {"map", "c_set2"},
                           {"key", {"ip4.saddr"}},
                           {"lpm", false},
                           {"key_size", 4},
                           {"max_entries", 16}});
  chain["tables"] =
      json::array({{{"index", 0},
                    {"map", "c_table0"},
                    {"fields", {{{"field", "ip4.saddr"}, {"bits", 32}}}},
                    {"lpm", false},
                    {"key_size", 4},
                    {"max_entries", 20},
                    {"mirrors", {{{"set", "blocked"}, {"rule", 0}}}}}});
  Metadata meta = parseMetadata(doc.dump());
  const TableInfo &table = meta.chains[0].tables[0];
  ASSERT_EQ(table.mirrors.size(), 1u);
  EXPECT_EQ(table.mirrors[0], (TableMirrorInfo{"blocked", 0}));
  EXPECT_EQ(table.mapValueSize(), 8u);
  EXPECT_EQ(parseMetadata(serializeMetadata(meta)).chains[0].tables[0].mirrors,
            table.mirrors);

  auto refused = [&](const char *what, auto change) {
    json bad = doc;
    change(bad["chains"][0]["tables"][0]);
    EXPECT_NE(errorOf(bad).find(what), std::string::npos) << errorOf(bad);
  };
  refused("no named set 'nope'",
          [](json &t) { t["mirrors"][0]["set"] = "nope"; });
  refused("no named set '__anon1'",
          [](json &t) { t["mirrors"][0]["set"] = "__anon1"; });
  refused("set 'pairs' and table 0 have different keys",
          [](json &t) { t["mirrors"][0]["set"] = "pairs"; });
  refused("set 'blocked' and table 0 have different keys",
          [](json &t) { t["fields"][0]["bits"] = 24; });
  refused("no rule 2", [](json &t) { t["mirrors"][0]["rule"] = 2; });
  refused("ascending rule order", [](json &t) {
    t["mirrors"].push_back({{"set", "blocked"}, {"rule", 0}});
  });
}

TEST(Metadata, SetMapKeys) {
  SetInfo exact;
  exact.key = {ir::FieldId::Ip4Saddr};
  exact.keySize = 4;
  SetElement element{{10, 0, 0, 1}, 0};
  EXPECT_EQ(exact.mapKey(element), (std::vector<uint8_t>{10, 0, 0, 1}));
  // Shared: the id first, a u32 in host order.
  exact.mapId = 0x01020304;
  std::vector<uint8_t> key = exact.mapKey(element);
  uint32_t id = 0;
  std::memcpy(&id, key.data(), 4);
  EXPECT_EQ(id, 0x01020304u);
  EXPECT_EQ(key.size(), exact.mapKeySize());
  EXPECT_EQ(exact.elementOf(key), element);
  SetInfo other = exact;
  other.mapId = 7;
  EXPECT_EQ(other.elementOf(key), std::nullopt); // another set's key

  // Shared LPM: prefix length 32 + the element's, then the id, then the
  // address.
  SetInfo lpm;
  lpm.key = {ir::FieldId::Ip4Saddr};
  lpm.keySize = 4;
  lpm.lpm = true;
  lpm.mapId = 3;
  SetElement net{{10, 1, 0, 0}, 16};
  key = lpm.mapKey(net);
  EXPECT_EQ(key, (std::vector<uint8_t>{48, 0, 0, 0, 3, 0, 0, 0, 10, 1, 0, 0}));
  EXPECT_EQ(lpm.elementOf(key), net);
  lpm.mapId.reset();
  EXPECT_EQ(lpm.mapKey(net), (std::vector<uint8_t>{16, 0, 0, 0, 10, 1, 0, 0}));
  EXPECT_EQ(lpm.elementOf(key), std::nullopt); // wrong size
}
