#!/usr/bin/env bash
# Quick start: install what is missing, build, and run bfc on the bundled
# example ruleset.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
example=$root/examples/host-firewall.bf

"$root/scripts/build.sh" >/dev/null
bfc=$build/bin/bfc

echo "== bfc --check $example"
"$bfc" --check "$example"
echo "ok"
echo
echo "== bfc --emit=bfir (first lines)"
"$bfc" --emit=bfir "$example" | head -n 40
