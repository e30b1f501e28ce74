// The diagnostic engine's warning IDs, -W policy and notes, and the JSON and
// SARIF documents written from it.
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bfc/Support/DiagnosticFormats.h"
#include "bfc/Support/Diagnostics.h"
#include "bfc/Support/Warnings.h"

using namespace bfc;
using nlohmann::json;

namespace {

/// A policy after applying `flags` in order (each without its -W).
WarningPolicy policyOf(std::initializer_list<std::string_view> flags) {
  WarningPolicy policy;
  for (std::string_view flag : flags)
    EXPECT_EQ(policy.apply(flag), std::nullopt) << flag;
  return policy;
}

/// "rule x DROP\nrule y DROP\n": two rules to point at.
struct TwoRules {
  SourceBuffer buffer{"two.bf", "rule x DROP\nrule y DROP\n"};
  SourceRange first{buffer.locForOffset(0), buffer.locForOffset(4)};
  SourceRange second{buffer.locForOffset(12), buffer.locForOffset(16)};
};

json parse(const std::string &text) { return json::parse(text); }

} // namespace

TEST(Warnings, IdsAreUniqueKebabCaseAndFound) {
  std::set<std::string> seen;
  for (const WarningInfo &info : warnings()) {
    std::string name = info.name;
    EXPECT_TRUE(seen.insert(name).second) << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-"),
              std::string::npos)
        << name;
    EXPECT_FALSE(name.starts_with("no-") || name.starts_with("error"))
        << name << " would read as a flag";
    EXPECT_EQ(findWarning(name), info.id);
    EXPECT_EQ(&warningInfo(info.id), &info);
  }
  EXPECT_EQ(findWarning("shadowed-rule"), WarningID::ShadowedRule);
  EXPECT_EQ(findWarning("shadowed"), std::nullopt);
}

TEST(WarningPolicy, EverythingIsOnAndAWarningByDefault) {
  WarningPolicy policy;
  for (const WarningInfo &info : warnings()) {
    EXPECT_TRUE(policy.isEnabled(info.id));
    EXPECT_FALSE(policy.isError(info.id));
  }
}

TEST(WarningPolicy, TheLastFlagNamingAWarningWins) {
  constexpr WarningID kShadowed = WarningID::ShadowedRule;
  EXPECT_FALSE(policyOf({"no-shadowed-rule"}).isEnabled(kShadowed));
  EXPECT_TRUE(
      policyOf({"no-shadowed-rule", "shadowed-rule"}).isEnabled(kShadowed));
  EXPECT_FALSE(
      policyOf({"shadowed-rule", "no-shadowed-rule"}).isEnabled(kShadowed));
  // -Werror=<id> enables the warning as well; -Wno-<id> after it disables.
  WarningPolicy promoted =
      policyOf({"no-shadowed-rule", "error=shadowed-rule"});
  EXPECT_TRUE(promoted.isEnabled(kShadowed));
  EXPECT_TRUE(promoted.isError(kShadowed));
  EXPECT_FALSE(policyOf({"error=shadowed-rule", "no-shadowed-rule"})
                   .isEnabled(kShadowed));
  EXPECT_FALSE(policyOf({"error=shadowed-rule", "no-error=shadowed-rule"})
                   .isError(kShadowed));
  EXPECT_TRUE(policyOf({"no-error=shadowed-rule", "error=shadowed-rule"})
                  .isError(kShadowed));
  // Other warnings keep their defaults.
  EXPECT_FALSE(promoted.isError(WarningID::EmptySet));
}

TEST(WarningPolicy, WerrorGivesWayToPerWarningFlags) {
  WarningPolicy policy = policyOf({"error", "no-error=empty-set"});
  EXPECT_TRUE(policy.isError(WarningID::ShadowedRule));
  EXPECT_FALSE(policy.isError(WarningID::EmptySet));
  // Whatever their order: -Werror does not name a warning.
  EXPECT_FALSE(
      policyOf({"no-error=empty-set", "error"}).isError(WarningID::EmptySet));
  EXPECT_FALSE(policyOf({"error", "no-error"}).isError(WarningID::EmptySet));
}

TEST(WarningPolicy, IgnoreAllSilencesEvenPromotedWarnings) {
  WarningPolicy policy = policyOf({"error=shadowed-rule", "shadowed-rule"});
  policy.setIgnoreAll(true);
  EXPECT_FALSE(policy.isEnabled(WarningID::ShadowedRule));
}

TEST(WarningPolicy, UnknownFlagsAreNamedWithASuggestion) {
  WarningPolicy policy;
  EXPECT_EQ(policy.apply("shadowd-rule"),
            "unknown warning option '-Wshadowd-rule'; did you mean "
            "'-Wshadowed-rule'?");
  EXPECT_EQ(policy.apply("no-error=empty-sets"),
            "unknown warning option '-Wno-error=empty-sets'; did you mean "
            "'-Wno-error=empty-set'?");
  EXPECT_EQ(policy.apply("all"), "unknown warning option '-Wall'");
  EXPECT_EQ(policy.apply(""), "unknown warning option '-W'");
  // A rejected flag changes nothing.
  EXPECT_TRUE(policy.isEnabled(WarningID::ShadowedRule));
}

TEST(DiagnosticEngine, NotesBelongToTheDiagnosticBeforeThem) {
  TwoRules src;
  DiagnosticEngine diags(&src.buffer);
  diags.warning(WarningID::ShadowedRule, src.second, "shadowed");
  diags.note(src.first, "by this");
  diags.note(src.first, "and this");
  diags.error(src.first, "bad", "some-error");
  ASSERT_EQ(diags.diagnostics().size(), 2u);
  const Diagnostic &warning = diags.diagnostics()[0];
  EXPECT_EQ(warning.severity, Severity::Warning);
  EXPECT_EQ(warning.id, "shadowed-rule");
  EXPECT_EQ(warning.message, "shadowed");
  ASSERT_EQ(warning.notes.size(), 2u);
  EXPECT_EQ(warning.notes[0].message, "by this");
  EXPECT_EQ(warning.notes[1].range.begin.offset, 0u);
  EXPECT_EQ(diags.diagnostics()[1].id, "some-error");
  EXPECT_FALSE(diags.diagnostics()[1].warning);
  EXPECT_EQ(diags.warningCount(), 1u);
  EXPECT_EQ(diags.errorCount(), 1u);

  EXPECT_EQ(diags.format(warning), "two.bf:2:1: warning: shadowed "
                                   "[-Wshadowed-rule]\n"
                                   "rule y DROP\n"
                                   "^~~~\n"
                                   "two.bf:1:1: note: by this\n"
                                   "rule x DROP\n"
                                   "^~~~\n"
                                   "two.bf:1:1: note: and this\n"
                                   "rule x DROP\n"
                                   "^~~~\n");
}

TEST(DiagnosticEngine, DisabledWarningsGoWithTheirNotes) {
  TwoRules src;
  DiagnosticEngine diags(&src.buffer);
  diags.setWarningPolicy(policyOf({"no-shadowed-rule"}));
  diags.warning(WarningID::ShadowedRule, src.second, "shadowed");
  diags.note(src.first, "by this");
  diags.warning(WarningID::EmptySet, src.second, "empty");
  EXPECT_EQ(diags.warningCount(), 1u);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].id, "empty-set");
  EXPECT_TRUE(diags.diagnostics()[0].notes.empty());
}

TEST(DiagnosticEngine, PromotedWarningsAreErrorsThatKeepTheirId) {
  TwoRules src;
  DiagnosticEngine diags(&src.buffer);
  diags.setWarningPolicy(policyOf({"error=empty-set"}));
  diags.warning(WarningID::EmptySet, src.first, "empty");
  diags.warning(WarningID::ShadowedRule, src.second, "shadowed");
  EXPECT_EQ(diags.errorCount(), 1u);
  EXPECT_EQ(diags.warningCount(), 1u);
  const Diagnostic &promoted = diags.diagnostics()[0];
  EXPECT_EQ(promoted.severity, Severity::Error);
  EXPECT_TRUE(promoted.isPromotedWarning());
  EXPECT_EQ(promoted.id, "empty-set");
  EXPECT_FALSE(diags.diagnostics()[1].isPromotedWarning());
  EXPECT_TRUE(diags.format(promoted).starts_with(
      "two.bf:1:1: error: empty [-Werror,-Wempty-set]\n"))
      << diags.format(promoted);
  EXPECT_EQ(diags.summary(), "1 warning and 1 error generated.\n");
}

TEST(DiagnosticFormats, Utf16ColumnsCountCodeUnits) {
  EXPECT_EQ(utf16Column("abc", 1), 1u);
  EXPECT_EQ(utf16Column("abc", 3), 3u);
  // é is two bytes and one UTF-16 unit; U+1F600 four bytes and two units.
  EXPECT_EQ(utf16Column("\xc3\xa9x", 3), 2u);
  EXPECT_EQ(utf16Column("\xf0\x9f\x98\x80x", 5), 3u);
  // A malformed byte is one U+FFFD.
  EXPECT_EQ(utf16Column("\xff\xfex", 3), 3u);
  // Past the end of the line (the newline, end of input).
  EXPECT_EQ(utf16Column("\xc3\xa9", 4), 3u);
}

TEST(DiagnosticFormats, PathsBecomeUriReferences) {
  EXPECT_EQ(pathToUri("rules/web.bf"), "rules/web.bf");
  EXPECT_EQ(pathToUri("/etc/bfc/a b#1%.bf"), "file:///etc/bfc/a%20b%231%25.bf");
  EXPECT_EQ(pathToUri("caf\xc3\xa9.bf"), "caf%C3%A9.bf");
}

TEST(DiagnosticFormats, JsonHasIdsRangesAndNotes) {
  TwoRules src;
  DiagnosticEngine diags(&src.buffer);
  diags.warning(WarningID::ShadowedRule, src.second, "shadowed");
  diags.note(src.first, "by this");
  diags.error({}, "no location");
  std::ostringstream os;
  writeDiagnosticsJson(diags, os);
  json doc = parse(os.str());
  EXPECT_EQ(doc["format"], "bfc-diagnostics");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["warningCount"], 1);
  EXPECT_EQ(doc["errorCount"], 1);
  ASSERT_EQ(doc["diagnostics"].size(), 2u);
  const json &warning = doc["diagnostics"][0];
  EXPECT_EQ(warning["severity"], "warning");
  EXPECT_EQ(warning["id"], "shadowed-rule");
  EXPECT_EQ(warning["option"], "-Wshadowed-rule");
  EXPECT_EQ(warning["message"], "shadowed");
  EXPECT_EQ(warning["file"], "two.bf");
  EXPECT_EQ(warning["line"], 2);
  EXPECT_EQ(warning["column"], 1);
  EXPECT_EQ(warning["range"]["begin"]["offset"], 12);
  EXPECT_EQ(warning["range"]["end"]["offset"], 16);
  EXPECT_EQ(warning["range"]["end"]["column"], 5);
  ASSERT_EQ(warning["notes"].size(), 1u);
  EXPECT_EQ(warning["notes"][0]["message"], "by this");
  EXPECT_EQ(warning["notes"][0]["range"]["begin"]["offset"], 0);
  const json &error = doc["diagnostics"][1];
  EXPECT_TRUE(error["id"].is_null());
  EXPECT_FALSE(error.contains("line"));
  EXPECT_FALSE(error.contains("option"));
}

TEST(DiagnosticFormats, SarifResultsPointAtTheirRules) {
  SourceBuffer buffer("dir/x y.bf", "# \xf0\x9f\x98\x80\nrule x DROP\n");
  DiagnosticEngine diags(&buffer);
  diags.setWarningPolicy(policyOf({"error=empty-set"}));
  diags.warning(WarningID::EmptySet,
                {buffer.locForOffset(2), buffer.locForOffset(6)}, "emoji");
  diags.note({buffer.locForOffset(12), buffer.locForOffset(16)}, "rule");
  diags.error({buffer.locForOffset(12), buffer.locForOffset(13)}, "bad");
  std::ostringstream os;
  writeDiagnosticsSarif(diags, DiagnosticSource{true}, os);
  json doc = parse(os.str());
  EXPECT_EQ(doc["version"], "2.1.0");
  const json &run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "bfc");
  const json &rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(run["results"].size(), 2u);
  for (const json &result : run["results"])
    EXPECT_EQ(rules[result["ruleIndex"].get<size_t>()]["id"], result["ruleId"]);
  const json &promoted = run["results"][0];
  EXPECT_EQ(promoted["ruleId"], "empty-set");
  EXPECT_EQ(promoted["level"], "error");
  const json &location = promoted["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "dir/x%20y.bf");
  EXPECT_EQ(location["region"]["startLine"], 1);
  EXPECT_EQ(location["region"]["startColumn"], 3);
  EXPECT_EQ(location["region"]["endColumn"], 5); // the emoji: 2 units
  EXPECT_EQ(location["region"]["byteOffset"], 2);
  EXPECT_EQ(location["region"]["byteLength"], 4);
  const json &related = promoted["relatedLocations"][0];
  EXPECT_EQ(related["message"]["text"], "rule");
  EXPECT_EQ(related["physicalLocation"]["region"]["startLine"], 2);
  // An error without an ID of its own has the rule `error`.
  EXPECT_EQ(run["results"][1]["ruleId"], "error");
  EXPECT_EQ(run["results"][1]["level"], "error");
  EXPECT_EQ(run["artifacts"][0]["location"]["uri"], "dir/x%20y.bf");
}

TEST(DiagnosticFormats, SarifCarriesTheSourceOfStdin) {
  SourceBuffer buffer("<stdin>", "rule x DROP\n");
  DiagnosticEngine diags(&buffer);
  diags.error({buffer.locForOffset(5), buffer.locForOffset(6)}, "bad");
  std::ostringstream os;
  writeDiagnosticsSarif(diags, DiagnosticSource{false}, os);
  json doc = parse(os.str());
  const json &run = doc["runs"][0];
  const json &artifact =
      run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(artifact["index"], 0);
  EXPECT_FALSE(artifact.contains("uri"));
  EXPECT_EQ(run["artifacts"][0]["contents"]["text"], "rule x DROP\n");
  EXPECT_EQ(run["artifacts"][0]["description"]["text"], "<stdin>");
}
