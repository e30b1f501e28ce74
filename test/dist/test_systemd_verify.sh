#!/usr/bin/env bash
# `systemd-analyze verify` accepts bfload-ruleset.service as the bfload
# component installs it (cmake --install into a staged root with prefix /usr).
# Verify resolves the unit's executables and its man: documentation inside
# --root, so the root gets the staged files, /bin/sh (ExecStartPre) and the
# staged man pages on MANPATH. Any message fails the test.
#   test_systemd_verify.sh BUILD
set -euo pipefail
build=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
DESTDIR="$root" cmake --install "$build" --prefix /usr --component bfload >/dev/null
mkdir -p "$root/bin"
cp "$(readlink -f /bin/sh)" "$root/bin/sh"
unit=bfload-ruleset.service
[ -f "$root/usr/lib/systemd/system/$unit" ] || { echo "FAIL: $unit not installed" >&2; exit 1; }
cat "$root/usr/lib/systemd/system/$unit"
out=$(MANPATH="$root/usr/share/man" systemd-analyze verify --root="$root" "$unit" 2>&1) || {
  printf '%s\n' "$out"
  echo "FAIL: systemd-analyze verify failed" >&2
  exit 1
}
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  echo "FAIL: systemd-analyze verify has remarks" >&2
  exit 1
fi
echo "ok: systemd-analyze verify accepts $unit"
