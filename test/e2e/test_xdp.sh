#!/usr/bin/env bash
# XDP end to end: set with --option, verdicts on real traffic, counters,
# update-set, logs, update, persistence across processes, load + attach,
# flush.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

mkobj "$WORK/v1.bpf.o" --chain xdp_filter:xdp:9999 --blocked "$CLI_ADDR2"
mkobj "$WORK/v2.bpf.o" --chain xdp_filter:xdp:8888

log "chain set: attach on $SRV_IFACE"
srv_bfload chain set "$WORK/v1.bpf.o" --option "ifindex=$SRV_IFACE"
ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
bfload chain get --name xdp_filter >"$WORK/get.txt"
grep -q "^chain xdp_filter BF_HOOK_XDP{ifindex=$ifindex} ACCEPT$" "$WORK/get.txt" ||
  fail "unexpected chain line: $(head -1 "$WORK/get.txt")"
ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "xdp" || fail "no XDP program on $SRV_IFACE"

log "verdicts"
expect_ping_ok
expect_ping_dropped "$CLI_ADDR2"
expect_udp_dropped 9999
expect_udp_ok 9998
expect_eq "$(rule_packets xdp_filter 0)" 1 "packets of rule 0 (blocked source)"
expect_eq "$(rule_packets xdp_filter 1)" 1 "packets of rule 1 (udp 9999)"
expect_eq "$(rule_packets xdp_filter 2)" 1 "packets of rule 2 (icmp)"
[ "$(policy_packets xdp_filter)" -ge 1 ] || fail "the policy counted no packet"
bfload chain get --name xdp_filter | grep -q "counters 1 packets 98 bytes" ||
  fail "text output lacks the ICMP rule's counters"

log "update-set"
bfload chain update-set --name xdp_filter --set-name blocked \
  --remove "$CLI_ADDR2" --add 10.200.1.200
expect_ping_ok "$CLI_ADDR2"
bfload --json chain get --name xdp_filter | json_get chains.0.sets.0.elements >"$WORK/elements"
grep -q '"10.200.1.200"' "$WORK/elements" || fail "added element missing: $(cat "$WORK/elements")"
! grep -q "\"$CLI_ADDR2\"" "$WORK/elements" || fail "removed element still present"
bfload chain update-set --name xdp_filter --set-name blocked --add "$CLI_ADDR2"
expect_ping_dropped "$CLI_ADDR2"
expect_fail_with "invalid ip4.saddr value 'not-an-address'" \
  bfload chain update-set --name xdp_filter --set-name blocked --add 10.0.0.9 --add not-an-address
bfload --json chain get --name xdp_filter | json_get chains.0.sets.0.size >"$WORK/size"
expect_eq "$(cat "$WORK/size")" 2 "set size after a rejected update (nothing may change)"
expect_fail_with "has no set 'nope'" \
  bfload chain update-set --name xdp_filter --set-name nope --add 10.0.0.9

log "logs"
"${BFLOAD_CMD[@]}" chain logs --name xdp_filter >"$WORK/logs.txt" 2>"$WORK/logs.err" &
logs_pid=$!
CLEANUP_PIDS+=("$logs_pid")
sleep 0.5
# The events already in the ring buffer come first; this one is new.
ping_from "$CLI_ADDR2" || true
wait_for_file "$WORK/logs.txt" "IPv4     : $CLI_ADDR2 -> $SRV_ADDR, proto icmp"
kill -INT "$logs_pid"
wait "$logs_pid" || fail "chain logs did not exit cleanly on SIGINT"
grep -q "rule 0 DROP, 98 bytes: rule (ip4.saddr) in blocked log counter DROP" "$WORK/logs.txt" ||
  fail "log line: $(cat "$WORK/logs.txt")"
grep -q "ICMP     : type 8 (echo-request), code 0" "$WORK/logs.txt" || fail "no ICMP header in the log"
"${BFLOAD_CMD[@]}" --json chain logs --name xdp_filter >"$WORK/logs.json" &
logs_pid=$!
CLEANUP_PIDS+=("$logs_pid")
sleep 0.5
ping_from "$CLI_ADDR2" || true
wait_for_file "$WORK/logs.json" '"verdict":"DROP"'
kill -INT "$logs_pid"
wait "$logs_pid" || true
head -1 "$WORK/logs.json" | json_get headers.ipv4.src | grep -q "$CLI_ADDR2" ||
  fail "JSON log event: $(head -1 "$WORK/logs.json")"

log "update: the new program takes over the same link"
link_before=$(bfload --json chain get --name xdp_filter | json_get chains.0.links.0.id)
srv_bfload chain update "$WORK/v2.bpf.o"
state=$(bfload --json chain get --name xdp_filter)
expect_eq "$(echo "$state" | json_get chains.0.links.0.id)" "$link_before" "link id after update"
expect_eq "$(echo "$state" | json_get chains.0.links.0.program_id)" \
  "$(echo "$state" | json_get chains.0.program_id)" "program behind the link"
expect_eq "$(rule_packets xdp_filter 1)" 0 "counters after update (they restart)"
expect_udp_ok 9999
expect_udp_dropped 8888
expect_ping_ok "$CLI_ADDR2" # v2 has an empty 'blocked' set
expect_fail_with "has no chain 'nope' (it has: xdp_filter)" \
  srv_bfload chain update "$WORK/v1.bpf.o" --name nope
mkobj "$WORK/tc.bpf.o" --chain xdp_filter:tc_ingress:9999
expect_fail_with "'chain update' keeps the hook" srv_bfload chain update "$WORK/tc.bpf.o"
expect_udp_dropped 8888 # still the v2 program

log "logs follow the chain across an update and end when it is flushed"
"${BFLOAD_CMD[@]}" chain logs --name xdp_filter >"$WORK/follow.txt" 2>"$WORK/follow.err" &
follow=$!
CLEANUP_PIDS+=("$follow")
sleep 0.5
srv_bfload chain update "$WORK/v1.bpf.o" # v1 blocks (and logs) $CLI_ADDR2
sleep 1.5                                # the stream looks again every second
ping_from "$CLI_ADDR2" || true
wait_for_file "$WORK/follow.txt" "IPv4     : $CLI_ADDR2 -> $SRV_ADDR"
srv_bfload chain update "$WORK/v2.bpf.o"

log "persistence: a fresh process sees the chain, the lock is free"
"$BFLOAD" --bpffs-path "$BPFFS" ruleset get | grep -q "rule meta.iface eq bfc0 udp.dport eq 8888 counter DROP" ||
  fail "ruleset get from a new process lacks the updated chain"

log "flush"
bfload chain flush --name xdp_filter
timeout 5 tail --pid="$follow" -f /dev/null || fail "chain logs still running after flush"
grep -q "chain 'xdp_filter' was flushed" "$WORK/follow.err" || fail "logs: $(cat "$WORK/follow.err")"
! ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "prog/xdp" || fail "XDP program still attached after flush"
expect_udp_ok 8888
[ -z "$(bfload ruleset get)" ] || fail "ruleset not empty after flush"
expect_fail_with "chain 'xdp_filter' does not exist" bfload chain get --name xdp_filter
[ "$(ls "$BPFFS/bfc")" = "@owner" ] || fail "leftover pins: $(ls "$BPFFS/bfc")"

log "load, then attach"
srv_bfload chain load "$WORK/v1.bpf.o"
bfload chain get --name xdp_filter | grep -q "^chain xdp_filter BF_HOOK_XDP ACCEPT$" ||
  fail "a loaded chain is printed without hook options"
expect_ping_ok "$CLI_ADDR2"
expect_fail_with "already exists" srv_bfload chain load "$WORK/v1.bpf.o"
expect_fail_with "has no hook options: give them with --option" srv_bfload chain attach --name xdp_filter
srv_bfload chain attach --name xdp_filter --option "ifindex=$ifindex"
expect_ping_dropped "$CLI_ADDR2"
expect_fail_with "already attached" srv_bfload chain attach --name xdp_filter --option "ifindex=$ifindex"

log "set replaces a chain of the same name"
srv_bfload chain set "$WORK/v2.bpf.o" --option "ifindex=$SRV_IFACE"
expect_ping_ok "$CLI_ADDR2"
expect_udp_dropped 8888
bfload ruleset flush
expect_udp_ok 8888
