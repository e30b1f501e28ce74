#!/usr/bin/env bash
# The man pages render with no warning from groff (-ww: all of them) nor from
# man (as lintian runs it). The checker is first shown a deliberately broken
# page, which it must reject, so a checker that sees nothing cannot pass.
#   test_manpages.sh PAGE...
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check_page PAGE: prints the warnings and fails when there are any.
check_page() {
  local out
  out=$({
    groff -man -ww -z "$1"
    LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
      man --warnings -E UTF-8 -l -Tutf8 -Z "$1" >/dev/null
  } 2>&1)
  if [ -n "$out" ]; then
    printf '%s\n' "$out"
    return 1
  fi
}

# A real page with an undefined macro and an unknown font in it.
sed -e '0,/^\.SH DESCRIPTION$/s//.SH DESCRIPTION\n.UNDEFINEDMACRO x\n\\fQbroken\\fR/' \
  "$1" >"$work/broken.${1##*.}"
if check_page "$work/broken.${1##*.}" >/dev/null; then
  echo "FAIL: the checker accepted a broken page" >&2
  exit 1
fi

status=0
for page in "$@"; do
  name=$(basename "$page")
  if ! check_page "$page"; then
    echo "FAIL: $name has warnings (above)" >&2
    status=1
    continue
  fi
  # It renders into a page that names the command it documents.
  MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME" ||
    { echo "FAIL: $name has no NAME section" >&2; status=1; continue; }
  MANWIDTH=80 man -l "$page" 2>/dev/null | grep -A1 "^NAME" | grep -q "${name%.*} - " ||
    { echo "FAIL: $name does not name ${name%.*}" >&2; status=1; continue; }
  echo "ok: $name"
done
exit $status
