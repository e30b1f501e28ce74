#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test.
# Extra arguments go to cmake; CTEST_ARGS (e.g. "-L frontend") to ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/build.sh" "$@"
cd "$build"
# shellcheck disable=SC2086
ctest --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
