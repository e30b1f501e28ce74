#!/usr/bin/env bash
# An existing link is reused only when the live link (its info read from the
# kernel) still runs at the place asked for:
# - a cgroup removed and made again at the same path (a service restart):
#   'chain get' shows the chain severed, 'chain update' refuses it, 'chain
#   set' with the same cgpath (or 'chain attach') filters the new cgroup; a
#   link that cannot be switched past the commit point is left severed;
# - one bpffs shared by two network namespaces whose devices have the same
#   ifindex: 'chain set' in the second namespace attaches there and does
#   not switch the first namespace's link; a netfilter chain is updated
#   only from its namespace (its new links are made in the caller's).
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
require_cgroup2
setup_pair

# severed_of CHAIN: the chain's "severed" field in 'chain get --json'.
severed_of() { bfload --json chain get --name "$1" | json_get chains.0.severed; }

log "cgroup removed and made again at the same path"
mkobj "$WORK/cg.bpf.o" --chain cg_in:cgskb_ingress:9999
cg=$(new_cgroup svc)
in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" chain set "$WORK/cg.bpf.o" --option "cgpath=$cg"
expect_eq "$(severed_of cg_in)" None "severed, freshly attached"
! cg_udp_to 9999 "$CLI_ADDR" "$cg" || fail "UDP 9999 reached the cgroup"
cg_udp_to 9998 "$CLI_ADDR" "$cg" || fail "UDP 9998 dropped"
rmdir "$cg"
bfload chain get --name cg_in >"$WORK/get.txt"
grep -q "^    attached: severed (its cgroup " "$WORK/get.txt" ||
  fail "chain get does not show the removed cgroup: $(cat "$WORK/get.txt")"
mkdir "$cg"
bfload --json chain get --name cg_in >"$WORK/get.json"
expect_eq "$(json_get chains.0.attached <"$WORK/get.json")" False "attached, cgroup made again"
json_get chains.0.severed <"$WORK/get.json" | grep -q "its cgroup" ||
  fail "no severed reason: $(cat "$WORK/get.json")"
cg_udp_to 9999 "$CLI_ADDR" "$cg" || fail "the new cgroup is filtered before any command"

# 'chain update' switches the running links: there are none to switch.
expect_fail_with "chain 'cg_in' is severed" \
  in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" chain update "$WORK/cg.bpf.o"
expect_eq "$(bfload --json chain get --name cg_in | json_get chains.0.attached)" False \
  "attached after a refused update"

in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" chain set "$WORK/cg.bpf.o" \
  --option "cgpath=$cg" 2>"$WORK/set.err" || fail "chain set failed: $(cat "$WORK/set.err")"
! grep -q . "$WORK/set.err" || fail "chain set warned: $(cat "$WORK/set.err")"
expect_eq "$(severed_of cg_in)" None "severed after chain set"
# 'ip netns exec' mounts a sysfs without the cgroup hierarchy: the path
# cannot be seen there, which says nothing about the cgroup.
expect_eq "$(srv_bfload --json chain get --name cg_in | json_get chains.0.severed)" None \
  "severed, seen without the cgroup hierarchy"
! cg_udp_to 9999 "$CLI_ADDR" "$cg" || fail "UDP 9999 reached the new cgroup"
cg_udp_to 9998 "$CLI_ADDR" "$cg" || fail "UDP 9998 dropped in the new cgroup"
expect_eq "$(rule_packets cg_in 1)" 1 "udp 9999 packets counted on the new cgroup"

log "a link the kernel refuses to switch past the commit point"
# Killed once committed, before its link is switched; the cgroup goes; the
# next bfload completes the change and cannot switch the link.
link=$(bfload --json chain get --name cg_in | json_get chains.0.links.0.id)
BFLOAD_DEBUG_PAUSE=committed exec nsenter --net="/run/netns/$NS_SRV" \
  "${BFLOAD_CMD[@]}" chain update "$WORK/cg.bpf.o" 2>"$WORK/killed.err" &
pid=$!
CLEANUP_PIDS+=("$pid")
wait_for_file "$WORK/killed.err" "paused at committed"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
rmdir "$cg"
# The kernel lets go of a removed cgroup's links a moment later.
deadline=$((SECONDS + 10))
until bpftool link show id "$link" | grep -q "cgroup_id 0"; do
  [ $SECONDS -lt $deadline ] || fail "link $link still on its removed cgroup"
  sleep 0.1
done
bfload chain get --name cg_in >"$WORK/get.txt" 2>"$WORK/get.err"
grep -q "warning: .*chain 'cg_in' is left detached" "$WORK/get.err" ||
  fail "no warning from the completing bfload: $(cat "$WORK/get.err")"
grep -q "^    attached: severed (its cgroup " "$WORK/get.txt" ||
  fail "chain get does not show the chain severed: $(cat "$WORK/get.txt")"
# A severed chain is not attached: 'chain attach' attaches it again.
mkdir "$cg"
in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" chain attach --name cg_in --option "cgpath=$cg"
expect_eq "$(severed_of cg_in)" None "severed after chain attach"
! cg_udp_to 9999 "$CLI_ADDR" "$cg" || fail "UDP 9999 reached the cgroup attached again"
bfload chain flush --name cg_in

log "two network namespaces, one bpffs, the same ifindex"
NS_CLI2="${TEST_ID}c2"
NS_SRV2="${TEST_ID}s2"
setup_pair "$NS_CLI2" "$NS_SRV2"
ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
ifindex2=$(ip netns exec "$NS_SRV2" cat "/sys/class/net/$SRV_IFACE/ifindex")
expect_eq "$ifindex2" "$ifindex" "ifindex of $SRV_IFACE in the second namespace"
# in_pair2 FUNCTION ARGS: a traffic helper run on the second pair.
in_pair2() { NS_CLI=$NS_CLI2 NS_SRV=$NS_SRV2 "$@"; }

mkobj "$WORK/v1.bpf.o" --chain edge:xdp:9999
mkobj "$WORK/v2.bpf.o" --chain edge:xdp:8888
srv_bfload chain set "$WORK/v1.bpf.o" --option "ifindex=$ifindex"
link1=$(bfload --json chain get --name edge | json_get chains.0.links.0.id)
expect_udp_dropped 9999
in_pair2 expect_udp_ok 9999

ip netns exec "$NS_SRV2" "${BFLOAD_CMD[@]}" chain set "$WORK/v2.bpf.o" --option "ifindex=$ifindex"
prog2=$(bfload --json chain get --name edge | json_get chains.0.program_id)
link2=$(bfload --json chain get --name edge | json_get chains.0.links.0.id)
[ "$link2" != "$link1" ] || fail "the first namespace's link $link1 was reused"
ip -n "$NS_SRV2" link show "$SRV_IFACE" | grep -q "xdp" ||
  fail "no XDP program on $SRV_IFACE of the second namespace"
in_pair2 expect_udp_dropped 8888
in_pair2 expect_udp_ok 9999
# The first namespace's link never ran the new program: the chain moved.
bpftool link show id "$link1" 2>/dev/null | grep -q "prog $prog2" &&
  fail "link $link1 of the first namespace runs the new program"
expect_udp_ok 8888

log "the device of this namespace is taken: a clear failure, nothing changes"
new_bpffs "$WORK/bpffs2"
ip netns exec "$NS_SRV" "$BFLOAD" --bpffs-path "$WORK/bpffs2" chain set \
  "$WORK/v1.bpf.o" --option "ifindex=$ifindex"
expect_fail_with "cannot attach chain 'edge'" \
  srv_bfload chain set "$WORK/v2.bpf.o" --option "ifindex=$ifindex"
expect_eq "$(bfload --json chain get --name edge | json_get chains.0.links.0.id)" "$link2" \
  "the chain's link after a refused move"
in_pair2 expect_udp_dropped 8888

log "netfilter: 'chain update' from another network namespace"
"$BFLOAD" --bpffs-path "$WORK/bpffs2" ruleset flush
expect_udp_ok 9999
mkobj "$WORK/nf.bpf.o" --chain nf_in:nf_local_in:9999 \
  --options 'nf_in={"priorities":[101,102]}'
srv_bfload chain set "$WORK/nf.bpf.o"
expect_fail_with "chain 'nf_in' runs in another network namespace" \
  ip netns exec "$NS_SRV2" "${BFLOAD_CMD[@]}" chain update "$WORK/nf.bpf.o"
expect_udp_dropped 9999
srv_bfload chain update "$WORK/nf.bpf.o"
expect_udp_dropped 9999
in_pair2 expect_udp_ok 9999
