#!/usr/bin/env bash
# tcx ingress and egress: verdicts, counters, the host slot on skb->ifindex,
# update through the same link (tcx links switch programs atomically),
# update-set, flush.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

mkobj "$WORK/in1.bpf.o" --chain tc_in:tc_ingress:9999 --blocked "$CLI_ADDR2"
mkobj "$WORK/in2.bpf.o" --chain tc_in:tc_ingress:8888
mkobj "$WORK/out.bpf.o" --chain tc_out:tc_egress:9999 --blocked "$SRV_ADDR"

log "ingress"
srv_bfload chain set "$WORK/in1.bpf.o" --option "ifindex=$SRV_IFACE"
expect_ping_ok
expect_ping_dropped "$CLI_ADDR2"
expect_udp_dropped 9999
expect_udp_ok 9998
expect_eq "$(rule_packets tc_in 0)" 1 "blocked-source packets"
expect_eq "$(rule_packets tc_in 1)" 1 "udp 9999 packets"
expect_eq "$(rule_packets tc_in 2)" 1 "icmp packets"
bfload chain get --name tc_in | head -1 | grep -q "BF_HOOK_TC_INGRESS{ifindex=" ||
  fail "hook line: $(bfload chain get --name tc_in | head -1)"

log "ingress update keeps the link"
link=$(bfload --json chain get --name tc_in | json_get chains.0.links.0.id)
srv_bfload chain update "$WORK/in2.bpf.o"
expect_eq "$(bfload --json chain get --name tc_in | json_get chains.0.links.0.id)" "$link" "tcx link after update"
expect_udp_ok 9999
expect_udp_dropped 8888
expect_ping_ok "$CLI_ADDR2"

log "egress: the server's own packets"
srv_bfload chain set "$WORK/out.bpf.o" --option "ifindex=$SRV_IFACE"
expect_ping_dropped # the reply leaves from $SRV_ADDR, which is blocked
[ "$(rule_packets tc_out 0)" -ge 1 ] || fail "egress rule 0 counted nothing"
bfload chain update-set --name tc_out --set-name blocked --remove "$SRV_ADDR"
expect_ping_ok

log "flush"
bfload ruleset flush
expect_udp_ok 8888
expect_ping_ok "$CLI_ADDR2"
