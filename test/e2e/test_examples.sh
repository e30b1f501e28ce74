#!/usr/bin/env bash
# Every ruleset of examples/, compiled by bfc, loads, attaches (inside a
# private network namespace and cgroup), prints, updates and flushes: real
# objects with LPM and anonymous sets, logs, marks and many rules.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
# shellcheck disable=SC2086
if [ "$(python3 "$BFC_MKOBJ" $BFC_MKOBJ_ARGS --print-compiler)" != bfc ]; then
  echo "SKIP: bfc does not write objects yet"
  exit 77
fi

ip netns add "$NS_SRV"
CLEANUP_NAMESPACES+=("$NS_SRV")
ip -n "$NS_SRV" link set lo up
cg=$(new_cgroup examples)
# bfload in the namespace, keeping /sys/fs/cgroup visible.
ns_bfload() { in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" "$@"; }

for source in "$BFC_SOURCE_DIR"/examples/*.bf; do
  name=$(basename "$source" .bf)
  log "$name"
  "$BFC_BIN" -w --emit=obj -o "$WORK/$name.bpf.o" "$source"
  for chain in $(sed -n 's/^chain \([A-Za-z0-9_-]*\) .*/\1/p' "$source"); do
    ns_bfload chain load "$WORK/$name.bpf.o" --name "$chain"
    hook=$(bfload --json chain get --name "$chain" | json_get chains.0.hook)
    case $hook in
    BF_HOOK_XDP | BF_HOOK_TC_*) option="ifindex=lo" ;;
    BF_HOOK_NF_*) option="priorities=200-201" ;;
    *) option="cgpath=$cg" ;;
    esac
    ns_bfload chain attach --name "$chain" --option "$option"
    expect_eq "$(bfload --json chain get --name "$chain" | json_get chains.0.attached)" True "$chain attached"
    # Named sets can be edited live.
    sets=$(bfload --json chain get --name "$chain" | python3 -c 'import json,sys
print(" ".join(s["name"] + ":" + ",".join(s["key"]) for s in json.load(sys.stdin)["chains"][0]["sets"]))')
    for set in $sets; do
      set_name=${set%%:*}
      case ${set#*:} in
      ip4.saddr) element=192.0.2.200 ;;
      ip4.saddr,ip4.proto) element="192.0.2.200, udp" ;;
      *) continue ;;
      esac
      ns_bfload chain update-set --name "$chain" --set-name "$set_name" --add "$element"
      bfload chain get --name "$chain" | grep -qF "        $element" ||
        fail "$chain: '$element' not in set $set_name"
    done
    # An update swaps the program behind the same link(s).
    links=$(bfload --json chain get --name "$chain" | json_get chains.0.links)
    ns_bfload chain update "$WORK/$name.bpf.o" --name "$chain"
    state=$(bfload --json chain get --name "$chain")
    case $hook in
    BF_HOOK_NF_*) ;; # netfilter: new links at the other priority
    *) expect_eq "$(echo "$state" | json_get chains.0.links.0.id)" \
      "$(echo "$links" | json_get 0.id)" "$chain link after update" ;;
    esac
    expect_eq "$(echo "$state" | json_get chains.0.links.0.program_id)" \
      "$(echo "$state" | json_get chains.0.program_id)" "$chain program behind its link"
  done
  bfload ruleset get >"$WORK/$name.txt"
  [ "$(grep -c '^chain ' "$WORK/$name.txt")" = "$(grep -c '^chain ' "$source")" ] ||
    fail "$name: not every chain is printed: $(cat "$WORK/$name.txt")"
  bfload ruleset flush
done
