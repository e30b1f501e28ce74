#!/usr/bin/env bash
# cgroup v2 hooks: cgroup_skb ingress and egress filter the packets of the
# cgroup's sockets; cgroup sock_addr connect4 filters connect() calls and
# logs the caller. Processes are moved into child cgroups of the test.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
require_cgroup2
setup_pair

mkobj "$WORK/ingress.bpf.o" --chain cg_in:cgskb_ingress:9999 --blocked "$CLI_ADDR2"
mkobj "$WORK/egress.bpf.o" --chain cg_out:cgskb_egress:9999 --blocked "$SRV_ADDR"
mkobj "$WORK/connect.bpf.o" --chain cg_conn:connect4:9999 --blocked 10.200.1.77 --iface lo
mkobj "$WORK/connect2.bpf.o" --chain cg_conn:connect4:9998 --blocked 10.200.1.77 --iface lo

log "cgroup_skb ingress"
cg_in=$(new_cgroup in)
in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" chain set "$WORK/ingress.bpf.o" --option "cgpath=$cg_in"
bfload chain get --name cg_in | head -1 | grep -q "BF_HOOK_CGROUP_SKB_INGRESS{cgpath=$cg_in}" ||
  fail "hook line: $(bfload chain get --name cg_in | head -1)"
cg_udp_to 9998 "$CLI_ADDR" "$cg_in" || fail "allowed UDP dropped"
! cg_udp_to 9999 "$CLI_ADDR" "$cg_in" || fail "UDP 9999 reached a socket of the cgroup"
! cg_udp_to 9998 "$CLI_ADDR2" "$cg_in" || fail "UDP from a blocked source reached the cgroup"
expect_udp_ok 9999 # sockets outside the cgroup are not filtered
expect_eq "$(rule_packets cg_in 1)" 1 "udp 9999 packets"
expect_eq "$(rule_packets cg_in 0)" 1 "blocked-source packets"
bfload chain flush --name cg_in
cg_udp_to 9999 "$CLI_ADDR" "$cg_in" || fail "UDP dropped after flush"

log "cgroup_skb egress"
cg_out=$(new_cgroup out)
in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" chain set "$WORK/egress.bpf.o" --option "cgpath=$cg_out"
out="$WORK/egress.recv"
in_cli timeout 1 socat -u "UDP-RECV:7000,bind=$CLI_ADDR" "OPEN:$out,creat" &
listener=$!
sleep 0.2
echo datagram | in_ns_keep_sys "$NS_SRV" sh -c 'echo $$ > "$0/cgroup.procs" && exec socat -u - "UDP:$1:7000"' "$cg_out" "$CLI_ADDR" || true
wait "$listener" || true
! grep -q datagram "$out" 2>/dev/null || fail "a packet of the cgroup left through a DROP rule"
[ "$(rule_packets cg_out 0)" -ge 1 ] || fail "egress rule counted nothing"

log "sock_addr connect4"
cg_conn=$(new_cgroup conn)
srv_listen() {
  ip netns exec "$NS_SRV" timeout 3 socat -u "TCP-LISTEN:$1,bind=$SRV_ADDR,reuseaddr,fork" /dev/null &
}
srv_listen 9999
srv_listen 9998
sleep 0.3
# connect_from_cgroup ADDR PORT: connect() from a process of the cgroup.
connect_from_cgroup() {
  in_ns_keep_sys "$NS_CLI" sh -c 'echo $$ > "$0/cgroup.procs" && exec socat -u /dev/null "TCP:$1:$2,connect-timeout=1"' \
    "$cg_conn" "$1" "$2" 2>"$WORK/connect.err"
}
in_ns_keep_sys "$NS_CLI" "${BFLOAD_CMD[@]}" chain set "$WORK/connect.bpf.o" --option "cgpath=$cg_conn"
"${BFLOAD_CMD[@]}" chain logs --name cg_conn >"$WORK/logs.txt" 2>&1 &
logs=$!
CLEANUP_PIDS+=("$logs")
connect_from_cgroup "$SRV_ADDR" 9998 || fail "allowed connect() refused: $(cat "$WORK/connect.err")"
! connect_from_cgroup "$SRV_ADDR" 9999 || fail "connect() to port 9999 allowed"
grep -q "Operation not permitted" "$WORK/connect.err" || fail "connect() not refused by the hook: $(cat "$WORK/connect.err")"
! connect_from_cgroup 10.200.1.77 80 || fail "connect() to a blocked address allowed"
wait_for_file "$WORK/logs.txt" "(socat) connect to 10.200.1.77:80, proto tcp"
kill -INT "$logs"
wait "$logs" || true
expect_eq "$(rule_packets cg_conn 1)" 1 "connect() calls to 9999"
expect_eq "$(policy_packets cg_conn)" 1 "allowed connect() calls"

log "sock_addr update through the cgroup link"
in_ns_keep_sys "$NS_CLI" "${BFLOAD_CMD[@]}" chain update "$WORK/connect2.bpf.o"
connect_from_cgroup "$SRV_ADDR" 9999 || fail "connect() to 9999 refused after update"
! connect_from_cgroup "$SRV_ADDR" 9998 || fail "connect() to 9998 allowed after update"

bfload ruleset flush
connect_from_cgroup "$SRV_ADDR" 9998 || fail "connect() refused after flush"
