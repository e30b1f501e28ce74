#!/usr/bin/env bash
# `ruleset set` is all or nothing, like `nft -f`: when one chain of the new
# ruleset cannot be attached, the old ruleset stays exactly as it was; a
# SIGKILL at any step leaves the old ruleset or the new one, complete; a
# chain renamed in place takes over its predecessor's hook.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
xdp() { echo "--options $1={\"ifindex\":$ifindex}"; }
# old: edge (XDP, drops 9999) and input (netfilter, drops 8888).
mkobj "$WORK/old.bpf.o" --chain edge:xdp:9999 --chain input:nf_local_in:8888 \
  $(xdp edge) --options 'input={"priorities":[5,6]}'
# new: ingress (tc, drops 7777) and guard (XDP, drops 6666), no input.
mkobj "$WORK/new.bpf.o" --chain ingress:tc_ingress:7777 --chain guard:xdp:6666 \
  --options "ingress={\"ifindex\":$ifindex}" $(xdp guard)
# new-busy: ingress as above, then an XDP chain on a hook another bpffs holds.
mkobj "$WORK/busy.bpf.o" --chain ingress:tc_ingress:7777 --chain other:xdp:6666 \
  --options "ingress={\"ifindex\":$ifindex}" $(xdp other)

# identity: chain names, program ids and link ids, and the links' owners.
identity() {
  bfload --json ruleset get | python3 -c 'import json,sys
print(sorted((c["name"], c["program_id"], sorted(l["id"] for l in c["links"])) for c in json.load(sys.stdin)["chains"]))'
}
# links_to NAME: kernel links whose program is named NAME. Links freed
# after a detach go away asynchronously: wait up to 3 s for the count.
links_to() {
  local count i
  for i in $(seq 1 30); do
    count=$(python3 - "$1" <<'PY'
import json, subprocess, sys
progs = {p["id"] for p in json.loads(subprocess.check_output(["bpftool", "-j", "prog", "show"]))
         if p.get("name") == sys.argv[1]}
links = json.loads(subprocess.check_output(["bpftool", "-j", "link", "show"]))
print(sum(1 for l in links if l.get("prog_id") in progs))
PY
)
    [ "$count" = "${2:-$count}" ] && break
    sleep 0.1
  done
  echo "$count"
}
expect_old() {
  expect_eq "$(bfload --json ruleset get | python3 -c 'import json,sys; print(sorted(c["name"] for c in json.load(sys.stdin)["chains"]))')" \
    "['edge', 'input']" "chains"
  expect_udp_dropped 9999 && expect_udp_dropped 8888 && expect_udp_ok 7777 && expect_udp_ok 6666
}
expect_new() {
  expect_eq "$(bfload --json ruleset get | python3 -c 'import json,sys; print(sorted(c["name"] for c in json.load(sys.stdin)["chains"]))')" \
    "['guard', 'ingress']" "chains"
  expect_udp_dropped 7777 && expect_udp_dropped 6666 && expect_udp_ok 9999 && expect_udp_ok 8888
}
no_leftovers() {
  local extra
  extra=$(ls -A "$BPFFS/bfc" | grep '^@' | grep -v '^@owner$' || true)
  expect_eq "$extra" "" "directories left in the pin root"
}

log "a hook taken midway: the old ruleset stays as it was"
srv_bfload ruleset set "$WORK/old.bpf.o"
expect_old
# The XDP hook of 'other' belongs to a chain of another bpffs.
new_bpffs "$WORK/bpffs2"
mkobj "$WORK/blocker.bpf.o" --chain blocker:xdp:5555 $(xdp blocker)
srv_bfload chain flush --name edge # the blocker needs the hook first
ip netns exec "$NS_SRV" "$BFLOAD" --bpffs-path "$WORK/bpffs2" chain set "$WORK/blocker.bpf.o"
srv_bfload ruleset set "$WORK/old.bpf.o" 2>/dev/null && fail "edge attached over the blocker"
# Now: input alone here, the blocker on XDP from the other bpffs.
srv_bfload chain set "$WORK/old.bpf.o" --name input >/dev/null
before=$(identity)
expect_fail_with "Device or resource busy" srv_bfload ruleset set "$WORK/busy.bpf.o"
expect_eq "$(identity)" "$before" "chains, programs and links after the failed ruleset set"
expect_eq "$(links_to ingress 0)" 0 "kernel links left by the staged chain 'ingress'"
no_leftovers
expect_udp_dropped 8888 && expect_udp_dropped 5555 && expect_udp_ok 7777
ip netns exec "$NS_SRV" "$BFLOAD" --bpffs-path "$WORK/bpffs2" ruleset flush

log "SIGKILL at each step of ruleset set old -> new"
for step in attached ruleset-staged; do
  srv_bfload ruleset set "$WORK/old.bpf.o"
  run_killed "$step" ruleset set "$WORK/new.bpf.o"
  bfload ruleset get >/dev/null # recovers
  no_leftovers
  expect_old
done
for step in ruleset-committed links-updated ruleset-chain-installed ruleset-chain-removed; do
  srv_bfload ruleset set "$WORK/old.bpf.o"
  run_killed "$step" ruleset set "$WORK/new.bpf.o"
  bfload ruleset get >/dev/null
  no_leftovers
  expect_new
done

log "a chain renamed in place takes over the hook"
mkobj "$WORK/renamed.bpf.o" --chain edge2:xdp:9999 --chain input:nf_local_in:8888 \
  $(xdp edge2) --options 'input={"priorities":[5,6]}'
srv_bfload ruleset set "$WORK/old.bpf.o"
link_id=$(bfload --json chain get --name edge | json_get chains.0.links.0.id)
srv_bfload ruleset set "$WORK/renamed.bpf.o"
expect_eq "$(bfload --json chain get --name edge2 | json_get chains.0.links.0.id)" "$link_id" \
  "edge2 runs on edge's link"
expect_eq "$(bfload --json chain get --name edge2 | json_get chains.0.links.0.program_id)" \
  "$(bfload --json chain get --name edge2 | json_get chains.0.program_id)" "the link runs edge2's program"
expect_udp_dropped 9999
no_leftovers
log "ok"
