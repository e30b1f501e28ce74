#!/usr/bin/env bash
# lintian accepts both packages: no error (E:). Warnings are printed; the ones
# we keep are listed in docs/packaging.md.   test_lintian.sh PACKAGES_DIR
set -uo pipefail
status=0
for deb in "$1"/bfc_*.deb "$1"/bfload_*.deb; do
  [ -f "$deb" ] || { echo "FAIL: no package $deb" >&2; exit 1; }
  out=$(lintian --allow-root --tag-display-limit 0 "$deb" 2>&1)
  rc=$?
  echo "== lintian $(basename "$deb") (exit $rc)"
  printf '%s\n' "$out"
  # lintian exits non-zero on errors (its --fail-on default) or when it fails.
  if [ $rc -ne 0 ] || grep -q '^E: ' <<<"$out"; then
    echo "FAIL: lintian errors on $(basename "$deb")" >&2
    status=1
  fi
done
exit $status
