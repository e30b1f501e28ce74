# Prints a JUnit XML report in a line format FileCheck can check; fails on
# XML that does not parse.
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
print(f"testsuites tests={root.get('tests')} failures={root.get('failures')}")
for suite in root.findall("testsuite"):
    cases = suite.findall("testcase")
    failed = sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == failed
    print(f"suite {suite.get('name')} tests={len(cases)} failures={failed}")
    for case in cases:
        print(f"  case {case.get('classname')} {case.get('name')}")
        for failure in case.findall("failure"):
            assert failure.text == failure.get("message")
            print(f"    failure: {failure.get('message')}")
