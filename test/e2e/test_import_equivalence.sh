#!/usr/bin/env bash
# `bfc import` against real iptables: each dump of Inputs/import/ is loaded
# with iptables-restore (ip6tables-restore for *.v6.rules) in namespaces,
# 1,000 generated packets per chain get their real verdicts, and the same
# packets run through the imported ruleset with bfc-run. No difference is
# allowed. Inputs/import_equivalence.py explains how verdicts are observed.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
BFC=${BFC_BIN:?}
BFC_RUN=${BFC_BUILD_DIR:?}/bin/bfc-run
# The reference is the kernel's x_tables, loaded by iptables-legacy-restore:
# Debian 12's iptables-nft (1.8.9) merges `! --sport A ! --dport B` into
# one negated compare of both ports, which is not what iptables means
# (IMPORT_BACKEND=nft tries it anyway).
backend=${IMPORT_BACKEND:-legacy}
command -v "iptables-$backend-restore" >/dev/null ||
  fail "iptables-$backend-restore is missing (scripts/install-deps.sh installs iptables)"

NS_IN="${TEST_ID}i"
NS_FWD="${TEST_ID}f"
for ns in "$NS_CLI" "$NS_IN" "$NS_FWD"; do
  ip netns add "$ns"
  CLEANUP_NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
done
# CLI's c0..c2 are IN's eth0..eth2, f0..f2 FWD's (MACs as in the script).
for i in 0 1 2; do
  ip -n "$NS_CLI" link add "c$i" address "02:00:00:00:00:1$i" type veth \
    peer name "eth$i" address "02:00:00:00:01:0$i" netns "$NS_IN"
  ip -n "$NS_CLI" link add "f$i" address "02:00:00:00:00:2$i" type veth \
    peer name "eth$i" address "02:00:00:00:02:0$i" netns "$NS_FWD"
  for dev in "c$i" "f$i"; do ip -n "$NS_CLI" link set "$dev" up; done
  ip -n "$NS_IN" link set "eth$i" up
  ip -n "$NS_FWD" link set "eth$i" up
done
# IN: every address is local, even as a source (the packets' sources are
# arbitrary); no reverse-path filter.
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ip -n "$NS_IN" route add local 0.0.0.0/0 dev lo table local
ip -n "$NS_IN" -6 route add local ::/0 dev lo table local
for ns in "$NS_IN" "$NS_FWD"; do
  for key in all default eth0 eth1 eth2; do
    in_ns "$ns" sysctl -qw "net.ipv4.conf.$key.rp_filter=0"
    in_ns "$ns" sysctl -qw "net.ipv4.conf.$key.accept_local=1"
  done
done
# FWD: forwards everything to `fwdout` (a veth without ARP, so packets
# leave at once); OUTPUT packets bound to eth0/eth1 leave through their
# default routes.
ip -n "$NS_FWD" link add fwdout type veth peer name sink netns "$NS_CLI"
ip -n "$NS_CLI" link set sink up
for dev in fwdout eth0 eth1; do
  ip -n "$NS_FWD" link set "$dev" arp off up
done
in_ns "$NS_FWD" sysctl -qw net.ipv4.ip_forward=1
in_ns "$NS_FWD" sysctl -qw net.ipv6.conf.all.forwarding=1
for family in -4 -6; do
  ip -n "$NS_FWD" "$family" route add default dev fwdout metric 1
  ip -n "$NS_FWD" "$family" route add default dev eth0 metric 100
  ip -n "$NS_FWD" "$family" route add default dev eth1 metric 101
done

dumps=("$BFC_E2E_DIR"/Inputs/import/*.rules)
[ ${#dumps[@]} -ge 5 ] || fail "expected at least 5 dumps, found ${#dumps[@]}"
for dump in "${dumps[@]}"; do
  name=$(basename "$dump" .rules)
  from=iptables-save restore=iptables-$backend-restore v6=()
  if [[ $name == *.v6 ]]; then
    from=ip6tables-save restore=ip6tables-$backend-restore v6=(--ipv6)
  fi
  log "$name: import, check, load"
  "$BFC" import --from="$from" "$dump" -o "$WORK/$name.bf"
  "$BFC" --check "$WORK/$name.bf"
  "$BFC" "$WORK/$name.bf" -o "$WORK/$name.bpf.o"
  "$BFC_RUN" --load-only "$WORK/$name.bpf.o" >/dev/null ||
    fail "$name: the imported netfilter chains do not load"
  for ns in "$NS_IN" "$NS_FWD"; do
    in_ns "$ns" "$restore" "$dump"
  done
  python3 "$BFC_E2E_DIR/Inputs/import_equivalence.py" --dump "$dump" \
    --imported "$WORK/$name.bf" --bfc-run "$BFC_RUN" --ns-in "$NS_IN" \
    --ns-fwd "$NS_FWD" --ns-cli "$NS_CLI" --work "$WORK" "${v6[@]}" ||
    fail "$name: bfc and iptables disagree"
done
