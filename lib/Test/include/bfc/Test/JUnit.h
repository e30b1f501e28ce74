// JUnit XML for `bfc test --junit FILE`: the report CI systems (GitLab,
// Jenkins, GitHub actions) show.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace bfc::rulesettest {

struct JUnitCase {
  std::string name;
  std::string className; ///< the test file and chain: "x.bf.test.chain"
  std::vector<std::string> failures; ///< empty: passed
  std::string note;                  ///< e.g. why it did not run in the kernel
};

struct JUnitSuite {
  std::string name; ///< the test file
  std::vector<JUnitCase> cases;
};

/// `text` as XML character data or an attribute value: markup characters
/// become entities, and characters XML 1.0 cannot hold (controls, malformed
/// UTF-8) become visible `\xNN` escapes.
std::string escapeXml(std::string_view text);

/// Writes one <testsuites> document, a <testsuite> per suite.
void writeJUnit(std::ostream &os, const std::vector<JUnitSuite> &suites);

} // namespace bfc::rulesettest
