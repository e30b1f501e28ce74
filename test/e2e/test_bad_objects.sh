#!/usr/bin/env bash
# Bad input never changes anything: truncated, foreign, corrupt and newer
# objects, a program the verifier refuses, bad hook options, a missing or
# wrong bpffs, no privileges. Each is a clear error and a non-zero exit, and
# the chain already loaded keeps working with the same pins.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

mkobj "$WORK/good.bpf.o" --chain keep:xdp:9999
mkobj "$WORK/other.bpf.o" --chain other:xdp:9999
srv_bfload chain set "$WORK/good.bpf.o" --option "ifindex=$SRV_IFACE"
before=$(pins_state)
# The identity of what runs (counters move with background traffic).
identity() {
  bfload --json ruleset get | python3 -c 'import json,sys
print([(c["name"], c["program_id"], [l["id"] for l in c["links"]]) for c in json.load(sys.stdin)["chains"]])'
}
state_before=$(identity)

# rejected TEXT ARGS: bfload ARGS fails with TEXT, exit status 1, and
# nothing changed.
rejected() {
  local text=$1
  shift
  expect_fail_with "$text" srv_bfload "$@"
  set +e
  srv_bfload "$@" >/dev/null 2>&1
  local rc=$?
  set -e
  expect_eq "$rc" 1 "exit status of: $*"
  expect_eq "$(pins_state)" "$before" "pins after: $*"
  expect_eq "$(identity)" "$state_before" "chains after: $*"
}

log "not an ELF file"
echo "chain x BF_HOOK_XDP ACCEPT" >"$WORK/text.bf"
rejected "not an ELF file" chain set "$WORK/text.bf"
log "empty file"
: >"$WORK/empty.o"
rejected "not an ELF file" chain set "$WORK/empty.o"
log "foreign ELF"
rejected "not a BPF object" chain set /bin/true
log "truncated object"
head -c 3000 "$WORK/other.bpf.o" >"$WORK/truncated.bpf.o"
rejected "truncated" chain set "$WORK/truncated.bpf.o"
log "a BPF object without metadata"
llvm_objcopy=$(echo "$BFC_MKOBJ_ARGS" | sed -n 's/.*--objcopy \([^ ]*\).*/\1/p')
"$llvm_objcopy" --remove-section=.bfc.meta "$WORK/other.bpf.o" "$WORK/nometa.bpf.o"
rejected "no '.bfc.meta' section: not an object written by bfc" chain set "$WORK/nometa.bpf.o"
log "corrupt metadata"
printf '{"format": "bfc-object", "version": 1, "chains": [' >"$WORK/broken.json"
"$llvm_objcopy" --update-section=.bfc.meta="$WORK/broken.json" "$WORK/other.bpf.o" "$WORK/corrupt.bpf.o"
rejected "invalid metadata: not JSON" chain set "$WORK/corrupt.bpf.o"
printf '{"format": "bfc-object", "version": 1, "bfc_version": "x", "chains": [{"name": "other"}]}' >"$WORK/partial.json"
"$llvm_objcopy" --update-section=.bfc.meta="$WORK/partial.json" "$WORK/other.bpf.o" "$WORK/partial.bpf.o"
rejected "invalid metadata: chains[0]: missing required field 'hook'" chain set "$WORK/partial.bpf.o"
printf '{"format": "elf-notes", "version": 1}' >"$WORK/foreign.json"
"$llvm_objcopy" --update-section=.bfc.meta="$WORK/foreign.json" "$WORK/other.bpf.o" "$WORK/foreign.bpf.o"
rejected "not a bfc object: metadata format is 'elf-notes'" chain set "$WORK/foreign.bpf.o"
log "crafted host slot offset (wraps around the section size)"
mkobj "$WORK/slots.bpf.o" --chain other:xdp:9999 --iface bfc0
python3 "$BFC_E2E_DIR/Inputs/patch_symbol.py" "$WORK/slots.bpf.o" \
  "$WORK/wrap.bpf.o" bfc_host_slots 0xfffffffffffffffc
rejected "bfc_host_slots lies outside section" chain set "$WORK/wrap.bpf.o"
log "a map named like one of bfload's pins"
"$llvm_objcopy" --dump-section=.bfc.meta="$WORK/meta.json" "$WORK/other.bpf.o"
python3 - "$WORK/meta.json" <<'PY'
import json, sys
meta = json.loads(open(sys.argv[1]).read().rstrip("\0"))  # NUL-padded
meta["chains"][0]["counters"]["map"] = "link"
json.dump(meta, open(sys.argv[1], "w"))
PY
"$llvm_objcopy" --update-section=.bfc.meta="$WORK/meta.json" "$WORK/other.bpf.o" "$WORK/reserved.bpf.o"
rejected "the metadata names a map 'link', which is reserved" chain set "$WORK/reserved.bpf.o"
log "newer format version"
mkobj "$WORK/newer.bpf.o" --chain other:xdp:9999 --version 99
rejected "object format version 99 is newer than this bfload supports (2)" chain set "$WORK/newer.bpf.o"
log "verifier rejection"
mkobj "$WORK/bad.bpf.o" --chain other:xdp:9999 --bad-program
rejected "the kernel refused to load the object" chain set "$WORK/bad.bpf.o"
srv_bfload chain set "$WORK/bad.bpf.o" 2>"$WORK/verifier.err" || true
grep -q "verifier log (last lines):" "$WORK/verifier.err" || fail "no verifier log: $(cat "$WORK/verifier.err")"
grep -q "invalid mem access 'map_value_or_null'" "$WORK/verifier.err" ||
  fail "the verifier log lacks the reason: $(cat "$WORK/verifier.err")"
[ "$(wc -l <"$WORK/verifier.err")" -lt 40 ] || fail "verifier output not trimmed to its tail"
log "update with a chain name the object lacks, update of a missing chain"
rejected "has no chain 'keep'" chain update "$WORK/other.bpf.o" --name keep
rejected "chain 'other' does not exist" chain update "$WORK/other.bpf.o"
log "bad hook options"
rejected "unknown hook option 'ifname'" chain set "$WORK/other.bpf.o" --option ifname=bfc0
rejected "option cgpath does not apply to BF_HOOK_XDP" chain set "$WORK/other.bpf.o" --option cgpath=/sys/fs/cgroup
rejected "interface 'nosuch0' does not exist" chain set "$WORK/other.bpf.o" --option ifindex=nosuch0
rejected "no interface has index 999" chain set "$WORK/other.bpf.o" --option ifindex=999
rejected "invalid option 'ifindex'" chain set "$WORK/other.bpf.o" --option ifindex
log "an L3-only device (tun): no Ethernet header for XDP or TC to parse"
in_srv ip tuntap add dev bfctun0 mode tun
rejected "interface 'bfctun0' (index $(in_srv cat /sys/class/net/bfctun0/ifindex)) has no Ethernet header (link type 65534)" \
  chain set "$WORK/other.bpf.o" --option ifindex=bfctun0
mkobj "$WORK/tc.bpf.o" --chain tcl3:tc_ingress:9999
rejected "has no Ethernet header" chain set "$WORK/tc.bpf.o" --option ifindex=bfctun0
in_srv ip link del bfctun0
log "the hook is taken"
rejected "Device or resource busy" chain set "$WORK/other.bpf.o" --option "ifindex=$SRV_IFACE"
log "unknown chain and set names"
rejected "chain 'nope' does not exist" chain flush --name nope
rejected "invalid chain name '../x'" chain get --name ../x
rejected "set 'blocked' would hold" chain update-set --name keep --set-name blocked \
  $(for i in $(seq 1 17); do echo "--add 10.9.0.$i"; done)
# Removing a missing element is a note, not an error.
srv_bfload chain update-set --name keep --set-name blocked --remove 1.2.3.4 2>"$WORK/note.err"
grep -q "note: 1.2.3.4 is not in set 'blocked'" "$WORK/note.err" || fail "no note for a missing element"

log "bpffs problems"
mkdir -p "$WORK/plain"
expect_fail_with "$WORK/plain is not a BPF filesystem" "$BFLOAD" --bpffs-path "$WORK/plain" ruleset get
expect_fail_with "BPF filesystem $WORK/nothing does not exist" "$BFLOAD" --bpffs-path "$WORK/nothing" ruleset get
log "no privileges"
chmod 755 "$WORK" # the object is readable; bpf() is what is refused
expect_fail_with "run it as root" setpriv --reuid=65534 --regid=65534 --clear-groups \
  "$BFLOAD" --bpffs-path "$BPFFS" chain set "$WORK/other.bpf.o"
expect_fail_with "run it as root" setpriv --reuid=65534 --regid=65534 --clear-groups \
  "$BFLOAD" --bpffs-path "$BPFFS" ruleset get
expect_eq "$(pins_state)" "$before" "pins after unprivileged runs"

log "usage errors"
set +e
"$BFLOAD" chain set >/dev/null 2>&1
expect_eq "$?" 2 "exit status of a usage error"
"$BFLOAD" --verbose chatty ruleset get >/dev/null 2>&1
expect_eq "$?" 2 "exit status of an unknown --verbose value"
set -e
"$BFLOAD" --version | grep -q "^bfload " || fail "--version"

log "the loaded chain still filters"
expect_udp_dropped 9999
expect_udp_ok 9998
