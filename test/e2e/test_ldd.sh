#!/usr/bin/env bash
# bfload must run on hosts with libbpf only: it never links LLVM or ANTLR.
set -euo pipefail
: "${BFLOAD:?}"
libs=$(ldd "$BFLOAD")
echo "$libs"
if echo "$libs" | grep -Eiq 'llvm|antlr|clang'; then
  echo "FAIL: bfload links LLVM, clang or ANTLR" >&2
  exit 1
fi
echo "$libs" | grep -q 'libbpf' || {
  echo "FAIL: bfload does not link libbpf?" >&2
  exit 1
}
