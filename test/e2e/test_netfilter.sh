#!/usr/bin/env bash
# Netfilter links (IPv4 and IPv6, one link per family): verdicts, counters,
# update by attaching at the other priority then detaching the old links,
# flush.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair
add_ipv6

mkobj "$WORK/v1.bpf.o" --chain nf_in:nf_local_in:9999 --blocked "$CLI_ADDR2" \
  --options 'nf_in={"priorities":[101,102]}'
mkobj "$WORK/v2.bpf.o" --chain nf_in:nf_local_in:8888 \
  --options 'nf_in={"priorities":[101,102]}'
mkobj "$WORK/out.bpf.o" --chain nf_out:nf_local_out:9999 --blocked "$SRV_ADDR"

log "local_in with the object's priorities"
srv_bfload chain set "$WORK/v1.bpf.o"
state=$(bfload --json chain get --name nf_in)
expect_eq "$(echo "$state" | json_get chains.0.active_priority)" 101 "active priority"
expect_eq "$(echo "$state" | json_get chains.0.links.0.pin)" link_ip4 "first link"
expect_eq "$(echo "$state" | json_get chains.0.links.1.pin)" link_ip6 "second link"
bfload chain get --name nf_in | head -1 |
  grep -q "^chain nf_in BF_HOOK_NF_LOCAL_IN{priorities=101-102} ACCEPT$" ||
  fail "hook line: $(bfload chain get --name nf_in | head -1)"
expect_ping_ok
expect_ping_dropped "$CLI_ADDR2"
expect_udp_dropped 9999
expect_udp_ok 9998
expect_eq "$(rule_packets nf_in 0)" 1 "blocked-source packets"
expect_eq "$(rule_packets nf_in 1)" 1 "udp 9999 packets"

log "IPv6 goes through the IPv6 link (policy)"
before=$(policy_packets nf_in)
in_cli ping -6 -q -c1 -W1 "$SRV_ADDR6" >/dev/null || fail "IPv6 ping dropped"
after=$(policy_packets nf_in)
[ "$after" -gt "$before" ] || fail "IPv6 packets did not reach the chain"

log "update flips the priority"
srv_bfload chain update "$WORK/v2.bpf.o"
expect_eq "$(bfload --json chain get --name nf_in | json_get chains.0.active_priority)" 102 "priority after update"
expect_udp_ok 9999
expect_udp_dropped 8888
expect_ping_ok "$CLI_ADDR2"
srv_bfload chain update "$WORK/v1.bpf.o"
expect_eq "$(bfload --json chain get --name nf_in | json_get chains.0.active_priority)" 101 "priority after a second update"
expect_udp_dropped 9999
expect_udp_ok 8888 # the v2 links are gone

log "--option priorities overrides the object"
srv_bfload chain set "$WORK/v2.bpf.o" --option priorities=-50-60
expect_eq "$(bfload --json chain get --name nf_in | json_get chains.0.active_priority)" -50 "overridden priority"
expect_udp_dropped 8888
expect_udp_ok 9999

log "local_out"
srv_bfload chain set "$WORK/out.bpf.o" # no hook options: loaded only
expect_eq "$(bfload --json chain get --name nf_out | json_get chains.0.attached)" False "attached without options"
expect_ping_ok
srv_bfload chain set "$WORK/out.bpf.o" --option priorities=10-20
expect_ping_dropped
bfload chain flush --name nf_out
expect_ping_ok

log "flush"
bfload ruleset flush
expect_udp_ok 8888
expect_ping_ok "$CLI_ADDR2"
