#!/usr/bin/env bash
# The bash completions, as installed, complete what the tools take:
#   test_completion.sh COMPLETIONS_DIR
# COMP_WORDS/COMP_CWORD are set as bash sets them (with '=' as a word
# breaker), the completion function is called, COMPREPLY is checked.
set -uo pipefail
dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

for tool in bfc bfload; do
  # shellcheck disable=SC1090
  . "$dir/$tool" || { echo "FAIL: sourcing $dir/$tool" >&2; exit 1; }
  complete -p "$tool" >/dev/null 2>&1 || { echo "FAIL: no completion for $tool" >&2; exit 1; }
done

# expect "WANTED WORDS" WORD... : completes the last WORD of the line.
expect() {
  local wanted=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  local func
  func=$(complete -p "$1" | sed -E 's/.*-F ([^ ]+).*/\1/')
  "$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
  wanted=$(printf '%s\n' $wanted | sort | xargs)
  if [ "$got" != "$wanted" ]; then
    echo "FAIL: '$*': got '$got', expected '$wanted'" >&2
    status=1
  else
    echo "ok: '$*' -> $got"
  fi
}

mkdir -p "$work/pins/bfc/edge" "$work/pins/bfc/input" "$work/pins/bfc/@tmp@edge" "$work/files/sub"
cd "$work/files"
touch fw.bf other.txt edge.bpf.o fw.bf.test

expect "--emit= --error-limit" bfc --e
expect "ast bfir llvm asm obj" bfc --emit = ""
expect "llvm" bfc --emit = ll
expect "auto always never" bfc --color = ""
expect "text json sarif" bfc --diagnostics-format = ""
expect "bf bfir" bfc --input-format = ""
expect "--diagnostics-format=" bfc --di
expect "fw.bf sub test diff import" bfc ""
expect "test" bfc te
expect "fw.bf fw.bf.test sub" bfc test ""
expect "--junit" bfc test --j
expect "auto always never" bfc test --color = ""
expect "fw.bf sub" bfc diff fw.bf ""
expect "--rules" bfc diff --r
expect "iptables-save ip6tables-save" bfc import --from = ""
expect "--lossy" bfc import --l
expect "edge.bpf.o fw.bf fw.bf.test other.txt sub" bfc import --from = iptables-save ""
expect "-O0 -O1 -O2" bfc -O
expect "edge.bpf.o fw.bf fw.bf.test other.txt sub" bfc fw.bf -o ""

expect "ruleset chain" bfload ""
expect "--bpffs-path" bfload --bp
expect "debug bpf bytecode" bfload --verbose ""
expect "set get flush" bfload ruleset ""
expect "set load attach update update-set get logs flush" bfload --json chain ""
expect "edge.bpf.o sub" bfload ruleset set ""
expect "edge input" bfload --bpffs-path ../pins chain get --name ""
expect "edge" bfload --bpffs-path ../pins chain flush --name ed
expect "--name --option --help" bfload chain set edge.bpf.o --
expect "--name --set-name --add --remove --help" bfload chain update-set --
expect "ifindex= priorities= cgpath=" bfload chain attach --option ""
expect "--no-set-content --format --help" bfload ruleset get --
expect "prometheus" bfload chain get --name edge --format pro
expect "text json prometheus openmetrics" bfload ruleset get --format = ""
expect "edge input" bfload --wait = 5 --bpffs-path ../pins chain flush --name ""
exit $status
