#!/usr/bin/env python3
"""Prints how many root-only tests ran and how many were skipped, from the
reports of the last test run (scripts/test.sh calls it after ctest):

- lit's JSON report: tests with `REQUIRES: root` carry the metric
  requires_root (test/lit/lit.cfg.py);
- GoogleTest's XML reports of bfc-unittests, one per test: tests that call
  BFC_REQUIRE_ROOT() carry the property requires=root;
- ctest's JUnit report, for the tests labelled root (e2e tests, property
  tests), whose labels come from `ctest --show-only=json-v1`.

A report that is missing means that suite did not run. Failed tests ran."""

import argparse
import glob
import json
import os
import xml.etree.ElementTree as ET


def lit_counts(path):
    with open(path) as f:
        tests = json.load(f)["tests"]
    root_only = [t for t in tests if "requires_root" in t.get("metrics", {})]
    skipped = sum(t["code"] == "UNSUPPORTED" for t in root_only)
    return len(root_only) - skipped, skipped


def gtest_requires_root(case):
    if case.get("requires") == "root":
        return True
    return any(
        p.get("name") == "requires" and p.get("value") == "root"
        for p in case.iter("property")
    )


def gtest_counts(directory):
    ran = skipped = 0
    for path in glob.glob(os.path.join(directory, "*.xml")):
        for case in ET.parse(path).iter("testcase"):
            if not gtest_requires_root(case):
                continue
            if case.get("result") == "skipped" or case.find("skipped") is not None:
                skipped += 1
            else:
                ran += 1
    return ran, skipped


def ctest_counts(junit_path, tests_json_path):
    with open(tests_json_path) as f:
        tests = json.load(f)["tests"]
    root_only = set()
    for test in tests:
        for prop in test.get("properties", []):
            if prop["name"] == "LABELS" and "root" in prop["value"]:
                root_only.add(test["name"])
    ran = skipped = 0
    for case in ET.parse(junit_path).iter("testcase"):
        if case.get("name") not in root_only:
            continue
        if case.get("status") in ("run", "fail"):
            ran += 1
        else:
            skipped += 1
    return ran, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lit-json", required=True)
    parser.add_argument("--gtest-xml-dir", required=True)
    parser.add_argument("--ctest-junit", required=True)
    parser.add_argument("--ctest-tests", required=True)
    args = parser.parse_args()

    inputs_exist = lambda *paths: all(os.path.exists(p) for p in paths)
    suites = [
        ("lit",
         inputs_exist(args.lit_json) and lit_counts(args.lit_json)),
        ("bfc-unittests",
         bool(glob.glob(os.path.join(args.gtest_xml_dir, "*.xml")))
         and gtest_counts(args.gtest_xml_dir)),
        ("ctest label root (e2e, property tests)",
         inputs_exist(args.ctest_junit, args.ctest_tests)
         and ctest_counts(args.ctest_junit, args.ctest_tests)),
    ]
    ran = sum(c[0] for _, c in suites if c)
    skipped = sum(c[1] for _, c in suites if c)
    print(f"root-only tests: {ran} ran, {skipped} skipped")
    for name, counts in suites:
        if counts:
            print(f"  {name}: {counts[0]} ran, {counts[1]} skipped")
        else:
            print(f"  {name}: not run")


if __name__ == "__main__":
    main()
