#!/usr/bin/env bash
# Sets of one key layout share a map (docs/codegen.md, "Set maps"): editing
# one set with `chain update-set` changes what it matches, on real traffic,
# and leaves the other sets of its map as they were; `chain update` refills
# the shared map from the new object.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
cat >"$WORK/shared.bf" <<EOF2
chain shared BF_HOOK_XDP{ifindex=$ifindex} ACCEPT
    set blocked (ip4.saddr) in { $CLI_ADDR2 }
    set others (ip4.saddr) in { 10.200.1.50; 10.200.1.51 }
    set quiet (ip4.saddr) in { $CLI_ADDR }
    rule (ip4.saddr) in blocked counter DROP
    rule (ip4.saddr) in others counter DROP
    rule (ip4.saddr) in quiet udp.dport eq 9999 counter DROP
EOF2
"$BFC_BIN" --emit=obj -o "$WORK/shared.bpf.o" "$WORK/shared.bf"
in_srv "$BFLOAD" --bpffs-path "$BPFFS" chain set "$WORK/shared.bpf.o"

log "one map for the three sets"
maps=$(cd "$BPFFS/bfc/shared" && ls | grep set || true)
expect_eq "$maps" "shared_setmap0" "set maps pinned"

# sets_of NAME: the elements of set NAME, one per line, sorted.
sets_of() {
  bfload --json chain get --name shared | python3 -c '
import json, sys
chain = json.load(sys.stdin)["chains"][0]
for s in chain["sets"]:
    if s["name"] == sys.argv[1]:
        print("\n".join(sorted(s["elements"])))' "$1"
}
expect_eq "$(sets_of others | tr '\n' ' ')" "10.200.1.50 10.200.1.51 " "others"

log "verdicts before the edit"
expect_ping_dropped "$CLI_ADDR2"
expect_ping_ok "$CLI_ADDR"
expect_udp_dropped 9999 "$CLI_ADDR"
expect_eq "$(rule_packets shared 0)" 1 "packets of rule 0 (blocked)"

log "update-set on a shared map"
# 10.200.1.50 is in 'others', not in 'blocked': removing it from 'blocked'
# is a note and changes nothing.
bfload chain update-set --name shared --set-name blocked \
  --remove "$CLI_ADDR2" --remove 10.200.1.50 --add 10.200.1.60 2>"$WORK/notes"
grep -q "10.200.1.50" "$WORK/notes" || fail "no note about 10.200.1.50: $(cat "$WORK/notes")"
expect_ping_ok "$CLI_ADDR2"
expect_udp_dropped 9999 "$CLI_ADDR"
expect_eq "$(sets_of blocked | tr '\n' ' ')" "10.200.1.60 " "blocked after the edit"
expect_eq "$(sets_of others | tr '\n' ' ')" "10.200.1.50 10.200.1.51 " "others after the edit"
expect_eq "$(sets_of quiet | tr '\n' ' ')" "$CLI_ADDR " "quiet after the edit"

log "the address moves to another set of the same map"
bfload chain update-set --name shared --set-name others --add "$CLI_ADDR2"
expect_ping_dropped "$CLI_ADDR2"
expect_eq "$(rule_packets shared 1)" 1 "packets of rule 1 (others)"
expect_eq "$(rule_packets shared 0)" 1 "packets of rule 0 (blocked), unchanged"

log "each set keeps its own share of the map"
args=()
for i in $(seq 100 115); do args+=(--add "10.200.2.$i"); done
expect_fail_with "more than its capacity of 16" \
  bfload chain update-set --name shared --set-name quiet "${args[@]}"
expect_eq "$(sets_of quiet | tr '\n' ' ')" "$CLI_ADDR " "quiet after a refused edit"

log "chain update: the sets take the new object's contents"
bfload chain update "$WORK/shared.bpf.o"
expect_eq "$(sets_of blocked | tr '\n' ' ')" "$CLI_ADDR2 " "blocked after chain update"
expect_eq "$(sets_of others | tr '\n' ' ')" "10.200.1.50 10.200.1.51 " "others after chain update"
expect_ping_dropped "$CLI_ADDR2"
expect_eq "$(rule_packets shared 0)" 2 "packets of rule 0 (blocked), carried over"
