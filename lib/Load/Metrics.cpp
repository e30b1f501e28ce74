#include "bfc/Load/Metrics.h"

#include <fmt/format.h>

#include "bfc/IR/Names.h"
#include "bfc/Load/CounterCarry.h"

namespace bfc::load {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

/// The length of the well-formed UTF-8 sequence at the start of `text`
/// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), or
/// 0 when it is not one.
size_t utf8SequenceLength(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80)
    return 1;
  size_t length = 0;
  unsigned char secondMin = 0x80, secondMax = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0)
      secondMin = 0xA0; // overlong
    if (lead == 0xED)
      secondMax = 0x9F; // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0)
      secondMin = 0x90; // overlong
    if (lead == 0xF4)
      secondMax = 0x8F; // past U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < secondMin || byte(1) > secondMax)
    return 0;
  for (size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF)
      return 0;
  return length;
}

/// Well-formed UTF-8 with no control characters but line feeds.
std::string sanitise(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t length = utf8SequenceLength(text);
    if (length == 0) {
      out += kReplacement;
      text.remove_prefix(1);
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[0]);
    if (length == 1 && c != '\n' && (c < 0x20 || c == 0x7F))
      out += ' ';
    else
      out += text.substr(0, length);
    text.remove_prefix(length);
  }
  return out;
}

struct Sample {
  std::string labels; ///< `name="value",...`, escaped
  uint64_t value = 0;
};

struct Family {
  std::string name; ///< without the `_total` suffix
  std::string help;
  std::vector<Sample> samples;
};

std::string label(std::string_view name, std::string_view value) {
  return fmt::format("{}=\"{}\"", name, escapeLabelValue(value));
}

CounterValue counterOf(const ChainState &state, uint32_t index) {
  if (index >= state.counters.size())
    return {};
  return state.counters[index];
}

void printFamily(std::ostream &out, const Family &family,
                 MetricsFormat format) {
  // Prometheus 0.0.4 names the family as its samples; OpenMetrics names
  // counters without `_total`.
  const std::string total = family.name + "_total";
  const std::string &familyName =
      format == MetricsFormat::OpenMetrics ? family.name : total;
  out << fmt::format("# HELP {} {}\n# TYPE {} counter\n", familyName,
                     family.help, familyName);
  for (const Sample &sample : family.samples)
    out << fmt::format("{}{{{}}} {}\n", total, sample.labels, sample.value);
}

} // namespace

std::string shortRuleText(std::string_view text, size_t maxBytes) {
  std::string line = normaliseRuleText(sanitise(text));
  for (char &c : line)
    if (c == '\n')
      c = ' ';
  if (line.size() <= maxBytes)
    return line;
  const std::string_view ellipsis = "...";
  size_t keep = maxBytes > ellipsis.size() ? maxBytes - ellipsis.size() : 0;
  // Back up to the start of a character (sanitise made it valid UTF-8).
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xC0) == 0x80)
    --keep;
  line.resize(keep);
  if (!line.empty() && line.back() == ' ')
    line.pop_back();
  return line + std::string(ellipsis.substr(0, maxBytes - line.size()));
}

std::string escapeLabelValue(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void printMetrics(std::ostream &out, const std::vector<ChainState> &chains,
                  MetricsFormat format) {
  Family rulePackets{
      "bfc_rule_packets", "Packets matched by a rule with 'counter'.", {}};
  Family ruleBytes{
      "bfc_rule_bytes", "Bytes matched by a rule with 'counter'.", {}};
  Family policyPackets{
      "bfc_chain_policy_packets",
      "Packets no rule decided on, given the chain's policy verdict.",
      {}};
  Family policyBytes{
      "bfc_chain_policy_bytes",
      "Bytes no rule decided on, given the chain's policy verdict.",
      {}};
  Family errorPackets{
      "bfc_chain_error_packets",
      "Packets the chain could not parse safely (truncated headers).",
      {}};
  Family errorBytes{"bfc_chain_error_bytes",
                    "Bytes of packets the chain could not parse safely.",
                    {}};

  for (const ChainState &state : chains) {
    const object::ChainInfo &chain = state.record.chain();
    const std::string chainLabel = label("chain", state.name);
    for (const object::RuleInfo &rule : chain.rules) {
      if (!rule.counter)
        continue;
      std::string labels = fmt::format(
          "{},{},{}", chainLabel, label("rule", std::to_string(rule.index)),
          label("text", shortRuleText(rule.text)));
      CounterValue value = counterOf(state, rule.index);
      rulePackets.samples.push_back({labels, value.packets});
      ruleBytes.samples.push_back({labels, value.bytes});
    }
    const std::string hookLabel = fmt::format(
        "{},{}", chainLabel, label("hook", ir::hookName(chain.hook)));
    const std::string policyLabels = fmt::format(
        "{},{}", hookLabel, label("policy", ir::verdictName(chain.policy)));
    CounterValue policy = counterOf(state, chain.counters.policy);
    policyPackets.samples.push_back({policyLabels, policy.packets});
    policyBytes.samples.push_back({policyLabels, policy.bytes});
    CounterValue errors = counterOf(state, chain.counters.errors);
    errorPackets.samples.push_back({hookLabel, errors.packets});
    errorBytes.samples.push_back({hookLabel, errors.bytes});
  }
  for (const Family *family : {&rulePackets, &ruleBytes, &policyPackets,
                               &policyBytes, &errorPackets, &errorBytes})
    printFamily(out, *family, format);
  if (format == MetricsFormat::OpenMetrics)
    out << "# EOF\n";
}

} // namespace bfc::load
