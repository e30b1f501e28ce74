#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test, then
# says how many root-only tests ran and how many were skipped.
# Extra arguments go to cmake; CTEST_ARGS (e.g. "-L frontend") to ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/build.sh" "$@"
cd "$build"
# Reports of an earlier run must not count in this run's summary.
rm -rf test/lit/results.json test/unit-results Testing/junit.xml
rc=0
# shellcheck disable=SC2086
ctest --output-on-failure -j"$(nproc)" --output-junit "$build/Testing/junit.xml" \
  ${CTEST_ARGS:-} || rc=$?
ctest --show-only=json-v1 > Testing/tests.json
python3 "$root/scripts/root-only-summary.py" \
  --lit-json test/lit/results.json --gtest-xml-dir test/unit-results \
  --ctest-junit Testing/junit.xml --ctest-tests Testing/tests.json
exit $rc
