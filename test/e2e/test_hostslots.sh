#!/usr/bin/env bash
# Host slots: one object naming interface "bfc0" loaded in two network
# namespaces where bfc0 has different interface indexes. Each bfload writes
# its own index into bfc_host_slots, so the `meta.iface eq bfc0` rule
# matches in both. An interface the host lacks is a clear error.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"

NS_CLI1="${TEST_ID}c1" NS_SRV1="${TEST_ID}s1"
NS_CLI2="${TEST_ID}c2" NS_SRV2="${TEST_ID}s2"
# The first pair is built by hand: its server namespace gets two padding
# interfaces before the veth, which shifts bfc0's index.
ip netns add "$NS_SRV1"
CLEANUP_NAMESPACES+=("$NS_SRV1")
ip -n "$NS_SRV1" link add pad0 type veth peer name pad1
ip netns add "$NS_CLI1"
CLEANUP_NAMESPACES+=("$NS_CLI1")
ip link add bfcc0 netns "$NS_CLI1" type veth peer name bfc0 netns "$NS_SRV1"
ip -n "$NS_CLI1" addr add "$CLI_ADDR/24" dev bfcc0
ip -n "$NS_SRV1" addr add "$SRV_ADDR/24" dev bfc0
for ns in "$NS_CLI1" "$NS_SRV1"; do ip -n "$ns" link set lo up; done
ip -n "$NS_CLI1" link set bfcc0 up
ip -n "$NS_SRV1" link set bfc0 up
setup_pair "$NS_CLI2" "$NS_SRV2"

index1=$(ip netns exec "$NS_SRV1" cat /sys/class/net/bfc0/ifindex)
index2=$(ip netns exec "$NS_SRV2" cat /sys/class/net/bfc0/ifindex)
log "bfc0 is ifindex $index1 in $NS_SRV1 and $index2 in $NS_SRV2"
[ "$index1" != "$index2" ] || fail "the two bfc0 have the same index"

BPFFS2="$WORK/bpffs2"
new_bpffs "$BPFFS2"
mkobj "$WORK/chain.bpf.o" --chain slots:xdp:9999 --iface bfc0

ip netns exec "$NS_SRV1" "$BFLOAD" --bpffs-path "$BPFFS" chain set "$WORK/chain.bpf.o" --option ifindex=bfc0
ip netns exec "$NS_SRV2" "$BFLOAD" --bpffs-path "$BPFFS2" chain set "$WORK/chain.bpf.o" --option ifindex=bfc0

expect_slot() {
  local bpffs=$1 want=$2
  "$BFLOAD" --bpffs-path "$bpffs" --json chain get --name slots | json_get chains.0.host_slots.0.ifindex |
    grep -qx "$want" || fail "host slot in $bpffs is not $want"
}
expect_slot "$BPFFS" "$index1"
expect_slot "$BPFFS2" "$index2"

for pair in 1 2; do
  NS_CLI=$(eval echo "\$NS_CLI$pair")
  NS_SRV=$(eval echo "\$NS_SRV$pair")
  log "pair $pair: udp 9999 dropped through the host slot, 9998 passes"
  expect_udp_dropped 9999
  expect_udp_ok 9998
done
expect_eq "$("$BFLOAD" --bpffs-path "$BPFFS" --json chain get --name slots | json_get chains.0.rules.1.packets)" 1 "pair 1 rule 1"
expect_eq "$("$BFLOAD" --bpffs-path "$BPFFS2" --json chain get --name slots | json_get chains.0.rules.1.packets)" 1 "pair 2 rule 1"

log "an interface the host lacks"
mkobj "$WORK/missing.bpf.o" --chain other:xdp:9999 --iface nosuch0
expect_fail_with "host slot 0: interface 'nosuch0' does not exist on this host" \
  ip netns exec "$NS_SRV2" "$BFLOAD" --bpffs-path "$BPFFS2" chain set "$WORK/missing.bpf.o"
