#!/usr/bin/env bash
# `chain update` under traffic drops nothing: a ping flood and a numbered
# UDP stream cross repeated updates (v1 <-> v2, both accept this traffic)
# on XDP and tcx (link update) and netfilter (second priority, then detach).
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair
UDPSTREAM="$BFC_E2E_DIR/Inputs/udpstream.py"
PACKETS=1500

# no_loss_across_updates CHAIN V1 V2 [SET-ARGS...]
no_loss_across_updates() {
  local chain=$1 v1=$2 v2=$3
  shift 3
  srv_bfload chain set "$v1" "$@"
  in_srv python3 "$UDPSTREAM" recv "$SRV_ADDR" 7000 8 >"$WORK/udp.count" &
  local receiver=$!
  sleep 0.3
  in_cli ping -q -i 0.002 -c $PACKETS -W 1 "$SRV_ADDR" >"$WORK/ping.out" &
  local pinger=$!
  in_cli python3 "$UDPSTREAM" send "$SRV_ADDR" 7000 $PACKETS 2 &
  local sender=$!
  local updates=0
  while kill -0 "$pinger" 2>/dev/null; do
    srv_bfload chain update "$v2"
    srv_bfload chain update "$v1"
    updates=$((updates + 2))
  done
  wait "$pinger" || true
  wait "$sender"
  wait "$receiver"
  log "$chain: $updates updates during the flood; $(grep -o '[0-9]* received' "$WORK/ping.out"), UDP $(cat "$WORK/udp.count")/$PACKETS"
  [ $updates -ge 4 ] || fail "only $updates updates happened during the flood"
  grep -q "$PACKETS packets transmitted, $PACKETS received" "$WORK/ping.out" ||
    fail "ping loss across updates: $(cat "$WORK/ping.out")"
  expect_eq "$(cat "$WORK/udp.count")" $PACKETS "UDP datagrams received across updates"
  bfload chain flush --name "$chain"
}

for hook in xdp tc_ingress; do
  mkobj "$WORK/$hook.v1.bpf.o" --chain "f_$hook:$hook:9999"
  mkobj "$WORK/$hook.v2.bpf.o" --chain "f_$hook:$hook:8888"
  no_loss_across_updates "f_$hook" "$WORK/$hook.v1.bpf.o" "$WORK/$hook.v2.bpf.o" \
    --option "ifindex=$SRV_IFACE"
done
mkobj "$WORK/nf.v1.bpf.o" --chain f_nf:nf_pre_routing:9999 --options 'f_nf={"priorities":[100,101]}'
mkobj "$WORK/nf.v2.bpf.o" --chain f_nf:nf_pre_routing:8888 --options 'f_nf={"priorities":[100,101]}'
no_loss_across_updates f_nf "$WORK/nf.v1.bpf.o" "$WORK/nf.v2.bpf.o"
