#!/usr/bin/env bash
# ruleset set / get / flush: every chain of an object at once; chains with
# hook options are attached, the others only loaded; a second `ruleset set`
# removes the chains its object lacks.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
mkobj "$WORK/both.bpf.o" --chain edge:xdp:9999 --chain input:nf_local_in:8888 \
  --options "edge={\"ifindex\":$ifindex}" --options 'input={"priorities":[5,6]}' \
  --blocked "$CLI_ADDR2"
mkobj "$WORK/one.bpf.o" --chain input:nf_local_in:7777 \
  --options 'input={"priorities":[5,6]}'
mkobj "$WORK/loaded.bpf.o" --chain spare:tc_ingress:9999

srv_bfload ruleset set "$WORK/both.bpf.o"
bfload ruleset get >"$WORK/get.txt"
grep -q "^chain edge BF_HOOK_XDP{ifindex=$ifindex} ACCEPT$" "$WORK/get.txt" || fail "edge: $(cat "$WORK/get.txt")"
grep -q "^chain input BF_HOOK_NF_LOCAL_IN{priorities=5-6} ACCEPT$" "$WORK/get.txt" || fail "input: $(cat "$WORK/get.txt")"
expect_udp_dropped 9999 # edge (XDP)
expect_udp_dropped 8888 # input (netfilter)
expect_ping_dropped "$CLI_ADDR2"
expect_eq "$(bfload --json ruleset get | json_get chains.0.name)" edge "first chain"
bfload ruleset get --no-set-content | grep -q "set blocked (ip4.saddr) in { /\* 1 elements, content elided \*/ }" ||
  fail "--no-set-content"

log "a chain without hook options is only loaded"
srv_bfload chain set "$WORK/loaded.bpf.o"
expect_eq "$(bfload --json chain get --name spare | json_get chains.0.attached)" False "spare attached"

log "ruleset set replaces everything"
srv_bfload ruleset set "$WORK/one.bpf.o"
expect_eq "$(bfload --json ruleset get | python3 -c 'import json,sys; print([c["name"] for c in json.load(sys.stdin)["chains"]])')" \
  "['input']" "chains after the second ruleset set"
expect_udp_ok 9999
expect_udp_ok 8888
expect_udp_dropped 7777
expect_ping_ok "$CLI_ADDR2"
! ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "prog/xdp" || fail "XDP still attached"

log "ruleset flush"
bfload --json ruleset flush | grep -q '"input"' || fail "flush did not report the chain"
[ -z "$(bfload ruleset get)" ] || fail "chains left after flush"
expect_udp_ok 7777
