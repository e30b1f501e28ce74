#include "bfc/Test/JUnit.h"

#include <fmt/format.h>

#include "bfc/Support/Text.h"

namespace bfc::rulesettest {

namespace {

size_t failedCases(const JUnitSuite &suite) {
  size_t n = 0;
  for (const JUnitCase &c : suite.cases)
    n += c.failures.empty() ? 0 : 1;
  return n;
}

} // namespace

std::string escapeXml(std::string_view text) {
  std::string out;
  // Controls and malformed bytes become `\xNN`, which XML can hold.
  for (char c : escapeForDisplay(text)) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

void writeJUnit(std::ostream &os, const std::vector<JUnitSuite> &suites) {
  size_t tests = 0, failures = 0;
  for (const JUnitSuite &suite : suites) {
    tests += suite.cases.size();
    failures += failedCases(suite);
  }
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << fmt::format("<testsuites name=\"bfc test\" tests=\"{}\" "
                    "failures=\"{}\">\n",
                    tests, failures);
  for (const JUnitSuite &suite : suites) {
    os << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" "
                      "errors=\"0\">\n",
                      escapeXml(suite.name), suite.cases.size(),
                      failedCases(suite));
    for (const JUnitCase &c : suite.cases) {
      os << fmt::format("    <testcase name=\"{}\" classname=\"{}\"",
                        escapeXml(c.name), escapeXml(c.className));
      if (c.failures.empty() && c.note.empty()) {
        os << "/>\n";
        continue;
      }
      os << ">\n";
      for (const std::string &failure : c.failures)
        os << fmt::format("      <failure message=\"{}\">{}</failure>\n",
                          escapeXml(failure), escapeXml(failure));
      // A case that passed in the interpreter but could not run in the
      // kernel passed: its note goes to the output, not to <skipped>.
      if (!c.note.empty())
        os << fmt::format("      <system-out>{}</system-out>\n",
                          escapeXml(c.note));
      os << "    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

} // namespace bfc::rulesettest
