// The Prometheus / OpenMetrics output: escaping, hostile rule texts, and
// what real parsers (Debian's python3-prometheus-client) read back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bfc/Load/Metrics.h"

using namespace bfc;
using namespace bfc::load;

namespace {

/// Rule texts an object may carry: the metadata is not to be trusted.
const std::vector<std::string> kHostileTexts = {
    "rule tcp.dport eq 22 counter ACCEPT",
    "rule \"quoted\" \\back\\slash\\ counter DROP",
    "rule\n  line\nbreaks\r\n counter # comment \" \\\n DROP",
    "rule \"} 999\nfake_metric{x=\"1\"} 1\n# EOF\n counter DROP",
    "rule bad utf8 \xff\xfe overlong \xC0\xAF surrogate \xED\xA0\x80 "
    "cut \xE2\x82 counter DROP",
    "rule control \x01\x1b[31m\x7f chars counter DROP",
    "rule caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5 counter ACCEPT",
    "rule " + std::string(200, 'x') + " counter DROP",
    // The cap falls inside a 4-byte character.
    "rule " + std::string(89, 'y') + "\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5 counter",
    "",
};

ChainState hostileState() {
  ChainState state;
  state.name = "edge";
  object::ChainInfo chain;
  chain.name = "edge";
  chain.hook = ir::Hook::TcIngress;
  chain.policy = ir::Verdict::Drop;
  for (const std::string &text : kHostileTexts) {
    object::RuleInfo rule;
    rule.index = static_cast<uint32_t>(chain.rules.size());
    rule.text = text;
    rule.counter = true;
    chain.rules.push_back(rule);
  }
  object::RuleInfo quiet; // no counter: no sample
  quiet.index = static_cast<uint32_t>(chain.rules.size());
  quiet.text = "rule udp.dport eq 53 ACCEPT";
  chain.rules.push_back(quiet);
  const uint32_t n = static_cast<uint32_t>(chain.rules.size());
  chain.counters = {"edge_counters", n + 2, n, n + 1};
  state.record.metadata.chains.push_back(chain);
  for (uint32_t i = 0; i < n + 2; ++i)
    state.counters.push_back({i + 1, (i + 1) * 100});
  return state;
}

std::string metrics(const std::vector<ChainState> &chains,
                    MetricsFormat format) {
  std::ostringstream out;
  printMetrics(out, chains, format);
  return out.str();
}

std::string tempFile(const std::string &content) {
  char path[] = "/tmp/bfc-metrics-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

/// Runs the Python parser of `format` (Debian's prometheus_client) on
/// `text`; prints one line per sample: name, labels as compact JSON with
/// sorted keys, value, separated by tabs. None when it is not installed.
std::optional<std::string> parseWithPython(const std::string &text,
                                           MetricsFormat format) {
  if (std::system("/usr/bin/python3 -c 'import prometheus_client' "
                  "2>/dev/null") != 0)
    return std::nullopt;
  std::string module = format == MetricsFormat::OpenMetrics
                           ? "prometheus_client.openmetrics.parser"
                           : "prometheus_client.parser";
  std::string script =
      tempFile("import json, sys, " + module +
               " as p\n"
               "text = open(sys.argv[1], encoding='utf-8').read()\n"
               "for f in p.text_string_to_metric_families(text):\n"
               "    assert f.type == 'counter', f\n"
               "    for s in f.samples:\n"
               "        print(s.name, json.dumps(s.labels, sort_keys=True, "
               "ensure_ascii=False, separators=(',', ':')), int(s.value), "
               "sep='\\t')\n");
  std::string input = tempFile(text);
  FILE *pipe = popen(("PYTHONIOENCODING=utf-8 /usr/bin/python3 " + script +
                      " " + input + " 2>&1")
                         .c_str(),
                     "r");
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output.append(buffer, n);
  int status = pclose(pipe);
  std::remove(script.c_str());
  std::remove(input.c_str());
  EXPECT_EQ(status, 0) << output;
  return output;
}

} // namespace

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escapeLabelValue("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(Metrics, ShortRuleTextIsOneValidLine) {
  EXPECT_EQ(shortRuleText("rule\n  tcp.dport eq 22 # ssh\n  counter ACCEPT"),
            "rule tcp.dport eq 22 counter ACCEPT");
  EXPECT_EQ(shortRuleText("a \xff\xC0\xAF b"), "a \xEF\xBF\xBD\xEF\xBF\xBD"
                                               "\xEF\xBF\xBD b");
  EXPECT_EQ(shortRuleText("a\x01\x1b\x7f b"), "a b");
  EXPECT_EQ(shortRuleText("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD"
                                           "\xEF\xBF\xBD");
  EXPECT_EQ(shortRuleText("abcdefghij", 8), "abcde...");
  // Never cut inside a character: "é" is two bytes.
  EXPECT_EQ(shortRuleText("ab\xC3\xA9\xC3\xA9xyz", 6), "ab...");
  EXPECT_EQ(shortRuleText("ab\xC3\xA9\xC3\xA9xyz", 7), "ab\xC3\xA9...");
  EXPECT_EQ(shortRuleText("abc\xC3\xA9\xC3\xA9xyz", 7), "abc...");
  EXPECT_EQ(shortRuleText(std::string(200, 'x')).size(), kMaxRuleTextLabel);
}

TEST(Metrics, PrometheusText) {
  ChainState state = hostileState();
  state.record.metadata.chains[0].rules.resize(1);
  state.record.metadata.chains[0].counters = {"edge_counters", 3, 1, 2};
  state.counters = {{5, 500}, {7, 700}, {1, 60}};
  EXPECT_EQ(
      metrics({state}, MetricsFormat::Prometheus),
      "# HELP bfc_rule_packets_total Packets matched by a rule with "
      "'counter'.\n"
      "# TYPE bfc_rule_packets_total counter\n"
      "bfc_rule_packets_total{chain=\"edge\",rule=\"0\",text=\"rule tcp.dport "
      "eq 22 counter ACCEPT\"} 5\n"
      "# HELP bfc_rule_bytes_total Bytes matched by a rule with 'counter'.\n"
      "# TYPE bfc_rule_bytes_total counter\n"
      "bfc_rule_bytes_total{chain=\"edge\",rule=\"0\",text=\"rule tcp.dport "
      "eq 22 counter ACCEPT\"} 500\n"
      "# HELP bfc_chain_policy_packets_total Packets no rule decided on, "
      "given the chain's policy verdict.\n"
      "# TYPE bfc_chain_policy_packets_total counter\n"
      "bfc_chain_policy_packets_total{chain=\"edge\",hook=\"BF_HOOK_TC_"
      "INGRESS\",policy=\"DROP\"} 7\n"
      "# HELP bfc_chain_policy_bytes_total Bytes no rule decided on, given "
      "the chain's policy verdict.\n"
      "# TYPE bfc_chain_policy_bytes_total counter\n"
      "bfc_chain_policy_bytes_total{chain=\"edge\",hook=\"BF_HOOK_TC_"
      "INGRESS\",policy=\"DROP\"} 700\n"
      "# HELP bfc_chain_error_packets_total Packets the chain could not "
      "parse safely (truncated headers).\n"
      "# TYPE bfc_chain_error_packets_total counter\n"
      "bfc_chain_error_packets_total{chain=\"edge\",hook=\"BF_HOOK_TC_"
      "INGRESS\"} 1\n"
      "# HELP bfc_chain_error_bytes_total Bytes of packets the chain could "
      "not parse safely.\n"
      "# TYPE bfc_chain_error_bytes_total counter\n"
      "bfc_chain_error_bytes_total{chain=\"edge\",hook=\"BF_HOOK_TC_"
      "INGRESS\"} 60\n");
  std::string open = metrics({state}, MetricsFormat::OpenMetrics);
  EXPECT_NE(open.find("# TYPE bfc_rule_packets counter\n"), std::string::npos);
  EXPECT_NE(open.find("\nbfc_rule_packets_total{"), std::string::npos);
  EXPECT_EQ(open.substr(open.size() - 6), "# EOF\n");
}

TEST(Metrics, HostileTextsStayInTheirLabel) {
  ChainState first = hostileState();
  ChainState second = hostileState();
  second.name = "edge\"2\\\n";
  for (MetricsFormat format :
       {MetricsFormat::Prometheus, MetricsFormat::OpenMetrics}) {
    std::string text = metrics({first, second}, format);
    // One line per HELP, TYPE and sample: nothing broke out of a label.
    const size_t rules = kHostileTexts.size();
    const size_t lines = 6 * 2 + 2 * (2 * rules) + 4 * 2 +
                         (format == MetricsFormat::OpenMetrics ? 1 : 0);
    EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')),
              lines)
        << text;
    std::optional<std::string> parsed = parseWithPython(text, format);
    if (!parsed)
      GTEST_SKIP() << "python3-prometheus-client is not installed";
    std::istringstream in(*parsed);
    std::vector<std::string> samples;
    for (std::string line; std::getline(in, line);)
      samples.push_back(line);
    // Every sample, none invented; labels read back as formatted.
    ASSERT_EQ(samples.size(), 2 * 2 * rules + 2 * 2 * 2) << *parsed;
    for (size_t i = 0; i < rules; ++i) {
      nlohmann::json labels = {{"chain", "edge"},
                               {"rule", std::to_string(i)},
                               {"text", shortRuleText(kHostileTexts[i])}};
      EXPECT_EQ(samples[i], fmt::format("bfc_rule_packets_total\t{}\t{}",
                                        labels.dump(), i + 1));
      labels["chain"] = second.name;
      EXPECT_EQ(
          samples[rules + i],
          fmt::format("bfc_rule_packets_total\t{}\t{}", labels.dump(), i + 1));
    }
  }
}
