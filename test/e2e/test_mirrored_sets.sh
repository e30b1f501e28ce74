#!/usr/bin/env bash
# A named set in front of a classifier table is mirrored in it
# (docs/codegen.md, "Mirrored sets"): the program looks the table up once,
# and `chain update-set` keeps the table's entries in step with the set, on
# real traffic: an added address is dropped at once; a removed one falls
# back to the table's own rule for it (or to no rule); replacing an element
# adds before it removes; `chain update` takes the new object's elements.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
{
  echo "chain mirror BF_HOOK_XDP{ifindex=$ifindex} ACCEPT"
  echo "    set blocked (ip4.saddr) in { $CLI_ADDR2 }"
  echo "    rule (ip4.saddr) in blocked counter DROP"
  echo "    rule ip4.saddr eq $CLI_ADDR2 counter ACCEPT"
  for i in $(seq 10 40); do
    echo "    rule ip4.saddr eq 10.200.3.$i counter DROP"
  done
} >"$WORK/mirror.bf"
"$BFC_BIN" --emit=obj -o "$WORK/mirror.bpf.o" "$WORK/mirror.bf"
llvm-objcopy-19 --dump-section ".bfc.meta=$WORK/meta.json" "$WORK/mirror.bpf.o"
python3 - "$WORK/meta.json" <<'PY' || fail "the set is not mirrored in the table"
import json, sys
meta = json.loads(open(sys.argv[1], "rb").read().rstrip(b"\0"))
tables = meta["chains"][0]["tables"]
assert meta["version"] == 2, meta["version"]
assert tables[0]["mirrors"] == [{"set": "blocked", "rule": 0}], tables
PY
in_srv "$BFLOAD" --bpffs-path "$BPFFS" chain set "$WORK/mirror.bpf.o"

log "the set's element is dropped by the set's rule"
expect_ping_dropped "$CLI_ADDR2"
expect_eq "$(rule_packets mirror 0)" 1 "packets of rule 0 (blocked)"

log "removed from the set: the table's own rule for it again"
bfload chain update-set --name mirror --set-name blocked --remove "$CLI_ADDR2"
expect_ping_ok "$CLI_ADDR2"
expect_eq "$(rule_packets mirror 1)" 1 "packets of rule 1 (its own entry)"
expect_eq "$(rule_packets mirror 0)" 1 "packets of rule 0, unchanged"

log "an address the table does not hold, added and removed"
expect_ping_ok "$CLI_ADDR"
bfload chain update-set --name mirror --set-name blocked --add "$CLI_ADDR"
expect_ping_dropped "$CLI_ADDR"
expect_eq "$(rule_packets mirror 0)" 2 "packets of rule 0 (blocked)"

log "replacing one element by another"
bfload chain update-set --name mirror --set-name blocked \
  --remove "$CLI_ADDR" --add "$CLI_ADDR2"
expect_ping_ok "$CLI_ADDR"
expect_ping_dropped "$CLI_ADDR2"
expect_eq "$(rule_packets mirror 0)" 3 "packets of rule 0 (blocked)"
expect_eq "$(rule_packets mirror 1)" 1 "packets of rule 1, unchanged"

log "a refused edit changes neither the set nor the table"
args=()
for i in $(seq 100 120); do args+=(--add "10.200.2.$i"); done
expect_fail_with "more than its capacity" \
  bfload chain update-set --name mirror --set-name blocked --add "$CLI_ADDR" "${args[@]}"
expect_ping_ok "$CLI_ADDR"

log "chain update: the new object's elements, in the set and the table"
bfload chain update-set --name mirror --set-name blocked --add "$CLI_ADDR" \
  --remove "$CLI_ADDR2"
bfload chain update "$WORK/mirror.bpf.o"
expect_ping_dropped "$CLI_ADDR2"
expect_ping_ok "$CLI_ADDR"
