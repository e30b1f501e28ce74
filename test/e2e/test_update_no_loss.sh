#!/usr/bin/env bash
# `chain update` under traffic leaves no unfiltered window and drops nothing
# it should pass, on XDP and tcx (link update) and netfilter (second
# priority, then detach). v1 and v2 differ (each blocks another address) but
# both drop a numbered UDP stream and accept ICMP: while they replace each
# other under a ping flood and the stream, every ping must come back and no
# datagram may reach the receiver. A control run with the chain flushed shows
# the receiver does see the stream, so a leak could not go unnoticed.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair
UDPSTREAM="$BFC_E2E_DIR/Inputs/udpstream.py"
PACKETS=1500
PORT=7000

start_receiver() {
  rm -f "$WORK/udp.stop"
  in_srv python3 "$UDPSTREAM" recv "$SRV_ADDR" $PORT "$WORK/udp.stop" >"$WORK/udp.count" &
  receiver=$!
  sleep 0.3
}
# Sets $received (not a $(...) subshell: the receiver is this shell's child).
stop_receiver() {
  touch "$WORK/udp.stop"
  wait "$receiver"
  received=$(cat "$WORK/udp.count")
}

# no_leak_across_updates CHAIN V1 V2 [SET-ARGS...]
no_leak_across_updates() {
  local chain=$1 v1=$2 v2=$3
  shift 3
  srv_bfload chain set "$v1" "$@"
  start_receiver
  in_cli ping -q -i 0.002 -c $PACKETS -W 1 "$SRV_ADDR" >"$WORK/ping.out" &
  local pinger=$!
  in_cli python3 "$UDPSTREAM" send "$SRV_ADDR" $PORT $PACKETS 2 &
  local sender=$!
  local updates=0
  while kill -0 "$pinger" 2>/dev/null || kill -0 "$sender" 2>/dev/null; do
    srv_bfload chain update "$v2"
    srv_bfload chain update "$v1"
    updates=$((updates + 2))
  done
  wait "$pinger" || true
  wait "$sender"
  stop_receiver
  local leaked=$received
  log "$chain: $updates updates during the flood; $(grep -o '[0-9]* received' "$WORK/ping.out"), UDP leaked $leaked/$PACKETS"
  [ $updates -ge 4 ] || fail "only $updates updates happened during the flood"
  grep -q "$PACKETS packets transmitted, $PACKETS received" "$WORK/ping.out" ||
    fail "ping loss across updates: $(cat "$WORK/ping.out")"
  expect_eq "$leaked" 0 "UDP datagrams (dropped by v1 and v2) that got through during updates"

  bfload chain flush --name "$chain"
  start_receiver
  in_cli python3 "$UDPSTREAM" send "$SRV_ADDR" $PORT 200 1
  stop_receiver
  local control=$received
  log "$chain: control without the chain: UDP $control/200 received"
  [ "$control" -gt 0 ] || fail "control: no datagram arrived without the chain, so leaks could not be seen"
}

for hook in xdp tc_ingress; do
  mkobj "$WORK/$hook.v1.bpf.o" --chain "f_$hook:$hook:$PORT" --blocked 192.0.2.1
  mkobj "$WORK/$hook.v2.bpf.o" --chain "f_$hook:$hook:$PORT" --blocked 192.0.2.2
  no_leak_across_updates "f_$hook" "$WORK/$hook.v1.bpf.o" "$WORK/$hook.v2.bpf.o" \
    --option "ifindex=$SRV_IFACE"
done
mkobj "$WORK/nf.v1.bpf.o" --chain f_nf:nf_pre_routing:$PORT --blocked 192.0.2.1 \
  --options 'f_nf={"priorities":[100,101]}'
mkobj "$WORK/nf.v2.bpf.o" --chain f_nf:nf_pre_routing:$PORT --blocked 192.0.2.2 \
  --options 'f_nf={"priorities":[100,101]}'
no_leak_across_updates f_nf "$WORK/nf.v1.bpf.o" "$WORK/nf.v2.bpf.o"
