#!/usr/bin/env bash
# Counters for monitoring and across updates, with real traffic:
# - `chain get` / `ruleset get --format=prometheus|openmetrics`, read back
#   with Debian's python3-prometheus-client parsers;
# - `chain update` and `ruleset set` keep the counts of unchanged rules
#   (matched by text, wherever they moved); new and edited rules start at 0.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
# shellcheck disable=SC2086
if [ "$(python3 "$BFC_MKOBJ" $BFC_MKOBJ_ARGS --print-compiler)" != bfc ]; then
  echo "SKIP: bfc does not write objects yet"
  exit 77
fi
# Debian's parser lives in the system python (scripts/install-deps.sh).
PROM_PYTHON=
for py in /usr/bin/python3 python3; do
  if "$py" -c 'import prometheus_client' 2>/dev/null; then
    PROM_PYTHON=$py
    break
  fi
done
[ -n "$PROM_PYTHON" ] || fail "python3-prometheus-client is missing: run scripts/install-deps.sh"
READ_METRICS="$BFC_E2E_DIR/Inputs/read_metrics.py"
setup_pair
IFX=$(ip -n "$NS_SRV" -o link show "$SRV_IFACE" | awk -F: '{print $1}')

# v1 and v2 of the ruleset. v2's `ctr`: one rule added in front, the ICMP and
# 7002 rules unchanged (but moved, and spread over lines with a comment),
# the 7001 rule edited (verdict). `side` is the same in both.
cat >"$WORK/v1.bf" <<EOF2
chain ctr BF_HOOK_XDP{ifindex=$IFX} ACCEPT
    rule ip4.proto eq icmp counter ACCEPT
    rule udp.dport eq 7001 counter ACCEPT
    rule udp.dport eq 7002 counter ACCEPT
chain side BF_HOOK_TC_INGRESS{ifindex=$IFX} ACCEPT
    rule udp.dport eq 7002 counter ACCEPT
EOF2
cat >"$WORK/v2.bf" <<EOF2
chain ctr BF_HOOK_XDP{ifindex=$IFX} ACCEPT
    rule udp.dport eq 7003 counter ACCEPT
    rule ip4.proto eq icmp counter ACCEPT
    rule udp.dport eq 7001 counter DROP
    rule udp.dport eq 7002   # the same rule, laid out differently
        counter ACCEPT
chain side BF_HOOK_TC_INGRESS{ifindex=$IFX} ACCEPT
    rule udp.dport eq 7002 counter ACCEPT
EOF2
for v in v1 v2; do
  "$BFC_BIN" --emit=obj -o "$WORK/$v.bpf.o" "$WORK/$v.bf"
done

# send_udp PORT COUNT: COUNT datagrams of 10 bytes from the client.
send_udp() {
  in_cli python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[3])):
    s.sendto(b"0123456789", (sys.argv[1], int(sys.argv[2])))' "$SRV_ADDR" "$1" "$2"
}
send_ping() { in_cli ping -q -c "$1" -i 0.01 -W 1 "$SRV_ADDR" >/dev/null; }

# metric FORMAT COMMAND-ARGS -- NAME LABEL=VALUE...: one sample's value.
metric() {
  local format=$1
  shift
  local args=()
  while [ "$1" != -- ]; do
    args+=("$1")
    shift
  done
  shift
  bfload "${args[@]}" --format="$format" | "$PROM_PYTHON" "$READ_METRICS" "$format" "$@"
}
rule_count() { # CHAIN RULE KIND(packets|bytes) [TEXT]
  local text=()
  [ $# -lt 4 ] || text=("text=$4")
  metric prometheus chain get --name "$1" -- "bfc_rule_$3_total" \
    chain="$1" rule="$2" "${text[@]}"
}

srv_bfload ruleset set "$WORK/v1.bpf.o"
send_ping 5
send_udp 7001 3
send_udp 7002 2
sleep 0.2

log "exposition formats, parsed"
for format in prometheus openmetrics; do
  bfload ruleset get --format=$format >"$WORK/all.$format"
  "$PROM_PYTHON" "$READ_METRICS" $format <"$WORK/all.$format" >"$WORK/samples.$format" ||
    fail "$format output does not parse: $(cat "$WORK/all.$format")"
  # 4 rules and 2 chains, packets and bytes, policy and errors.
  expect_eq "$(wc -l <"$WORK/samples.$format")" $((2 * 4 + 2 * 2 * 2)) "$format samples"
  for what in "ruleset get" "chain get --name ctr"; do
    # shellcheck disable=SC2086
    expect_eq "$(metric $format $what -- bfc_rule_packets_total chain=ctr rule=0 \
      text="rule ip4.proto eq icmp counter ACCEPT")" 5 "$format ($what): ICMP rule"
  done
  # shellcheck disable=SC2086
  expect_eq "$(metric $format ruleset get -- bfc_rule_packets_total chain=side rule=0)" 2 \
    "$format: side chain rule"
done
tail -n1 "$WORK/all.openmetrics" | grep -qx '# EOF' || fail "OpenMetrics output without '# EOF'"
! grep -q '# EOF' "$WORK/all.prometheus" || fail "'# EOF' in the Prometheus text format"
expect_eq "$(rule_count ctr 0 bytes)" $((5 * 98)) "ICMP rule bytes (5 x 98-byte frames)"
expect_eq "$(rule_count ctr 1 packets "rule udp.dport eq 7001 counter ACCEPT")" 3 "7001 rule"
expect_eq "$(rule_count ctr 2 packets)" 2 "7002 rule"
udp_bytes=$(rule_count ctr 1 bytes)
expect_eq "$(bfload --json chain get --name ctr | json_get chains.0.rules.1.bytes)" "$udp_bytes" \
  "bytes in JSON and in the exposition"
policy_before=$(metric prometheus chain get --name ctr -- bfc_chain_policy_packets_total \
  chain=ctr hook=BF_HOOK_XDP policy=ACCEPT)
metric prometheus chain get --name ctr -- bfc_chain_error_packets_total chain=ctr hook=BF_HOOK_XDP >/dev/null

log "chain update: v1 -> v2"
srv_bfload chain update "$WORK/v2.bpf.o" --name ctr
expect_eq "$(rule_count ctr 0 packets "rule udp.dport eq 7003 counter ACCEPT")" 0 "new rule"
expect_eq "$(rule_count ctr 1 packets "rule ip4.proto eq icmp counter ACCEPT")" 5 "moved ICMP rule"
expect_eq "$(rule_count ctr 1 bytes)" $((5 * 98)) "moved ICMP rule bytes"
expect_eq "$(rule_count ctr 2 packets "rule udp.dport eq 7001 counter DROP")" 0 "edited rule"
expect_eq "$(rule_count ctr 3 packets "rule udp.dport eq 7002 counter ACCEPT")" 2 "relaid 7002 rule"
policy_after=$(metric prometheus chain get --name ctr -- bfc_chain_policy_packets_total \
  chain=ctr hook=BF_HOOK_XDP policy=ACCEPT)
[ "$policy_after" -ge "$policy_before" ] ||
  fail "policy counter went from $policy_before down to $policy_after"
expect_eq "$(rule_count side 0 packets)" 2 "side chain, not updated"

log "the new program counts on top of the carried counts"
send_ping 2
send_udp 7001 1
sleep 0.2
expect_eq "$(rule_count ctr 1 packets)" 7 "ICMP rule after more pings"
expect_eq "$(rule_count ctr 2 packets)" 1 "edited rule after one datagram"

log "ruleset set: v2 -> v1 replaces both chains"
srv_bfload ruleset set "$WORK/v1.bpf.o"
expect_eq "$(rule_count ctr 0 packets "rule ip4.proto eq icmp counter ACCEPT")" 7 "ICMP rule back in v1"
expect_eq "$(rule_count ctr 1 packets "rule udp.dport eq 7001 counter ACCEPT")" 0 \
  "7001 ACCEPT rule (v2 had 7001 DROP)"
expect_eq "$(rule_count ctr 2 packets)" 2 "7002 rule back in v1"
expect_eq "$(rule_count side 0 packets)" 2 "side chain, replaced unchanged"

log "chain set elsewhere starts from zero"
srv_bfload chain set "$WORK/v1.bpf.o" --name ctr --option ifindex=lo
expect_eq "$(rule_count ctr 0 packets)" 0 "ICMP rule on another interface"

log "under a ping flood: counts carried across repeated updates, never doubled"
# XDP switches with one link update; netfilter attaches the new program at
# the other priority before the copy (both count until the old one goes).
cat >"$WORK/nf1.bf" <<EOF2
chain ctr BF_HOOK_NF_LOCAL_IN{priorities=101-102} ACCEPT
    rule ip4.proto eq icmp counter ACCEPT
EOF2
sed 's/^    rule ip4.proto/    rule udp.dport eq 7003 counter ACCEPT\n&/' "$WORK/nf1.bf" >"$WORK/nf2.bf"
for v in nf1 nf2; do
  "$BFC_BIN" --emit=obj -o "$WORK/$v.bpf.o" "$WORK/$v.bf"
done
FLOOD=1000
flood_across_updates() { # V1 V2 SET-ARGS...
  local v1=$1 v2=$2
  shift 2
  srv_bfload chain set "$v1" --name ctr "$@"
  in_cli ping -q -i 0.002 -c $FLOOD -W 1 "$SRV_ADDR" >"$WORK/flood.out" &
  local pinger=$! updates=0
  while kill -0 $pinger 2>/dev/null; do
    srv_bfload chain update "$v2" --name ctr
    srv_bfload chain update "$v1" --name ctr
    updates=$((updates + 2))
  done
  wait $pinger || true
  grep -q "$FLOOD packets transmitted, $FLOOD received" "$WORK/flood.out" ||
    fail "ping flood lost packets: $(cat "$WORK/flood.out")"
  local counted
  counted=$(rule_count ctr 0 packets "rule ip4.proto eq icmp counter ACCEPT")
  log "$(bfload --json chain get --name ctr | json_get chains.0.hook): $counted of $FLOOD echo requests counted across $updates updates"
  [ $updates -ge 4 ] || fail "only $updates updates during the flood"
  # Only what the old program counts between the copy and the switch is
  # lost: a packet now and then, never a reset, never a double count.
  [ "$counted" -le $FLOOD ] || fail "$counted echo requests counted, $FLOOD sent"
  [ "$counted" -ge $((FLOOD - 3 * updates)) ] ||
    fail "only $counted of $FLOOD echo requests counted across $updates updates"
}
flood_across_updates "$WORK/v1.bpf.o" "$WORK/v1.bpf.o" --option "ifindex=$SRV_IFACE"
bfload chain flush --name ctr
flood_across_updates "$WORK/nf1.bpf.o" "$WORK/nf2.bpf.o"
