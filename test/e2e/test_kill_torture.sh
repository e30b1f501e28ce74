#!/usr/bin/env bash
# SIGKILL at random points (BFC_TORTURE_ROUNDS, default 100): a random
# operation (chain set, update, load + attach, update-set, flush, ruleset
# set) on a random chain of four hooks (XDP, tcx, netfilter, cgroup_skb) is
# killed at a random pause step of bfload or after a random delay. After
# each kill, the next bfload must find the old state or the new one,
# complete: the chain's version, its link running its program, its set's
# elements, no leftover directory, no kernel program or link leaked (counted
# with bpftool), and traffic filtered as that state says. The seed is
# printed (BFC_TORTURE_SEED replays a run).
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

SEED=${BFC_TORTURE_SEED:-$(date +%s)}
ROUNDS=${BFC_TORTURE_ROUNDS:-100}
RANDOM=$SEED
# Chain (and program) names: k<pid>_HOOK, so that the kernel-wide program
# count below sees only this run's programs, whatever else runs beside it.
P=$(printf 'k%04x_' $(($$ & 0xffff)))
export P
log "seed $SEED, $ROUNDS rounds"

HAVE_CGROUP=false
[ -f "$CGROUP_ROOT/cgroup.procs" ] && HAVE_CGROUP=true # else: no cgroup chain
HOOKS=(xdp tcx nf)
$HAVE_CGROUP && HOOKS+=(cg) && CG=$(new_cgroup torture)

# Per hook: the bfc hook, its options, and the UDP ports v1 and v2 drop
# (distinct per hook, so each chain's verdicts can be told apart).
declare -A HOOK_NAME=([xdp]=BF_HOOK_XDP [tcx]=BF_HOOK_TC_INGRESS
  [nf]=BF_HOOK_NF_LOCAL_IN [cg]=BF_HOOK_CGROUP_SKB_INGRESS)
declare -A PORT_BASE=([xdp]=9100 [tcx]=9200 [nf]=9300 [cg]=9400)
SRV_IFINDEX=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
options() {
  case $1 in
  xdp | tcx) echo "ifindex=$SRV_IFINDEX" ;;
  nf) echo "priorities=10-20" ;;
  cg) echo "cgpath=$CG" ;;
  esac
}

# chain_source HOOK VERSION: the chain ${P}HOOK, which drops UDP to port
# base+VERSION and sources in its named set.
chain_source() {
  local hook=$1 version=$2
  cat <<EOF2
chain ${P}$hook ${HOOK_NAME[$hook]}{$(options "$hook")} ACCEPT
    set blocked (ip4.saddr) in { 10.200.9.1 }
    rule (ip4.saddr) in blocked counter DROP
    rule udp.dport eq $((PORT_BASE[$hook] + version)) counter DROP
EOF2
}
for hook in "${HOOKS[@]}"; do
  for version in 1 2; do
    chain_source "$hook" "$version" >"$WORK/$hook.v$version.bf"
    "$BFC_BIN" -o "$WORK/$hook.v$version.bpf.o" "$WORK/$hook.v$version.bf"
  done
done
# Rulesets: every hook, all at v1 or all at v2.
for version in 1 2; do
  for hook in "${HOOKS[@]}"; do chain_source "$hook" "$version"; done >"$WORK/all.v$version.bf"
  "$BFC_BIN" -o "$WORK/all.v$version.bpf.o" "$WORK/all.v$version.bf"
done

# bfload in the server's network namespace, /sys kept (cgroup paths).
tb() { in_ns_keep_sys "$NS_SRV" "${BFLOAD_CMD[@]}" "$@"; }

# observe_all: a line "HOOK VERSION ATTACHED ELEMENTS" per chain ${P}HOOK
# (or "HOOK none"), from one `ruleset get`; a chain whose links run another
# program is "mixed".
observe_all() {
  tb --json ruleset get | python3 -c '
import json, os, sys
chains = {c["name"]: c for c in json.load(sys.stdin)["chains"]}
for hook in sys.argv[1:]:
    c = chains.get(os.environ["P"] + hook)
    if c is None:
        print(hook, "none"); continue
    port = int(c["rules"][1]["text"].split("eq ")[1].split()[0])
    if any(l.get("program_id") != c["program_id"] for l in c.get("links", [])):
        print(hook, "mixed: a link runs another program"); continue
    sets = [s for s in c["sets"] if s["name"] == "blocked"]
    print(hook, f"v{port % 100}", "attached" if c["attached"] else "detached",
          ",".join(sorted(sets[0]["elements"])) if sets else "?")' "${HOOKS[@]}"
}
# observe HOOK: that chain's state.
observe() { observe_all | sed -n "s/^$1 //p"; }

# Kernel objects of this test: programs named ${P}*, and links running them.
kernel_objects() {
  local ids
  ids=$(bpftool -j prog show | python3 -c '
import json, os, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin)
               if p.get("name", "").startswith(os.environ["P"])))')
  local links
  links=$(bpftool -j link show | python3 -c '
import json, sys
ids = set(sys.argv[1].split())
print(sum(1 for l in json.load(sys.stdin) if str(l.get("prog_id")) in ids))' "$ids")
  echo "$(wc -w <<<"$ids") programs, $links links"
}

# expected_objects: what the surviving chains account for (a program
# each; a link when attached, two for netfilter: IPv4 and IPv6).
expected_objects() {
  observe_all | awk '$2 != "none" { programs++ }
    $3 == "attached" { links += ($1 == "nf") ? 2 : 1 }
    END { printf "%d programs, %d links\n", programs, links }'
}

# udp_to HOOK PORT: a datagram to PORT reaches the server (through the
# cgroup's socket for the cgroup hook).
udp_to() {
  if [ "$1" = cg ]; then
    cg_udp_to "$2" "$CLI_ADDR" "$CG"
  else
    udp_from "$2"
  fi
}

# check HOOK OLD NEW: the chain is in state OLD or NEW (observe's format,
# "*" in the elements for any), complete, filtering as it says; nothing
# left over or leaked.
check() {
  local hook=$1 old=$2 new=$3 state
  state=$(observe "$hook")
  # shellcheck disable=SC2053
  [[ $state == $old || $state == $new ]] ||
    fail "round $round ($what): ${P}$hook is '$state', expected '$old' or '$new'"
  [ "$(ls "$BPFFS/bfc" | grep -c '^@')" = 1 ] ||
    fail "round $round ($what): leftover directories: $(ls "$BPFFS/bfc")"
  local want got
  want=$(expected_objects)
  for _ in 1 2 3 4 5 6 7 8 9 10; do # programs of a killed process go after an RCU grace period
    got=$(kernel_objects)
    [ "$got" = "$want" ] && break
    sleep 0.2
  done
  [ "$got" = "$want" ] || fail "round $round ($what): kernel has $got, the pinned chains account for $want"
  local base=${PORT_BASE[$hook]}
  case "$state" in
  "v1 attached"*) ! udp_to "$hook" $((base + 1)) || fail "round $round ($what): v1 attached but port $((base + 1)) passes" ;;
  "v2 attached"*) ! udp_to "$hook" $((base + 2)) || fail "round $round ($what): v2 attached but port $((base + 2)) passes" ;;
  *) udp_to "$hook" $((base + 1)) || fail "round $round ($what): ${P}$hook is '$state' but port $((base + 1)) is dropped" ;;
  esac
}

# killed_run ARGS: runs bfload ARGS and SIGKILLs it at a random pause step
# it reaches, or after a random delay (then it may also have finished).
STEPS=(loaded attached staged committed links-updated old-retired renamed
  flush-retired ruleset-chain-installed ruleset-chain-removed ruleset-staged
  ruleset-committed)
killed_run() {
  local err="$WORK/killed.err"
  : >"$err"
  if [ $((RANDOM % 2)) = 0 ]; then
    local step=${STEPS[RANDOM % ${#STEPS[@]}]}
    what="$what, killed at $step"
    # A simple command in the background: $! is bfload itself (nsenter
    # execs it), which the kill must reach.
    BFLOAD_DEBUG_PAUSE=$step nsenter --net="/run/netns/$NS_SRV" \
      "${BFLOAD_CMD[@]}" "$@" 2>"$err" &
    local pid=$!
    CLEANUP_PIDS+=("$pid")
    # Steps the command never reaches: it ends by itself.
    for _ in $(seq 1 200); do
      grep -q "paused at $step" "$err" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  else
    local delay=$((RANDOM % 400))
    what="$what, killed after ${delay} ms"
    nsenter --net="/run/netns/$NS_SRV" "${BFLOAD_CMD[@]}" "$@" 2>"$err" &
    local pid=$!
    CLEANUP_PIDS+=("$pid")
    sleep "$(printf '0.%03d' "$delay")"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

for round in $(seq 1 "$ROUNDS"); do
  hook=${HOOKS[RANDOM % ${#HOOKS[@]}]}
  before=$(observe "$hook")
  version=$((RANDOM % 2 + 1))
  obj="$WORK/$hook.v$version.bpf.o"
  case $((RANDOM % 6)) in
  0)
    what="chain set ${P}$hook v$version"
    killed_run chain set "$obj"
    check "$hook" "$before" "v$version attached 10.200.9.1"
    ;;
  1)
    if [ "$before" = none ]; then
      tb chain set "$obj"
      continue
    fi
    what="chain update ${P}$hook v$version"
    killed_run chain update "$obj"
    # The hook's attachment stays; the set takes the object's elements.
    check "$hook" "$before" "v$version $(cut -d' ' -f2 <<<"$before") 10.200.9.1"
    ;;
  2)
    [ "$before" = none ] || tb chain flush --name "${P}$hook"
    tb chain load "$obj"
    what="chain attach ${P}$hook v$version"
    killed_run chain attach --name "${P}$hook"
    check "$hook" "v$version detached 10.200.9.1" "v$version attached 10.200.9.1"
    ;;
  3)
    [ "$before" = none ] && continue
    elements=${before##* }
    if [[ $elements == *10.200.9.7* ]]; then
      what="update-set ${P}$hook --remove"
      killed_run chain update-set --name "${P}$hook" --set-name blocked --remove 10.200.9.7
      after=$(python3 -c 'import sys; print(",".join(sorted(set(sys.argv[1].split(",")) - {"10.200.9.7"})))' "$elements")
    else
      what="update-set ${P}$hook --add"
      killed_run chain update-set --name "${P}$hook" --set-name blocked --add 10.200.9.7
      after=$(python3 -c 'import sys; print(",".join(sorted(set(sys.argv[1].split(",")) | {"10.200.9.7"})))' "$elements")
    fi
    check "$hook" "$before" "${before% *} $after"
    ;;
  4)
    [ "$before" = none ] && continue
    what="chain flush ${P}$hook"
    killed_run chain flush --name "${P}$hook"
    check "$hook" "$before" none
    ;;
  5)
    was=$(observe_all)
    new=$(for h in "${HOOKS[@]}"; do echo "$h v$version attached 10.200.9.1"; done)
    what="ruleset set v$version"
    killed_run ruleset set "$WORK/all.v$version.bpf.o"
    # Every chain old, or every chain new.
    now=$(observe_all)
    [ "$now" = "$was" ] || [ "$now" = "$new" ] ||
      fail "round $round ($what): chains are $now, expected all of $was or all of $new"
    for h in "${HOOKS[@]}"; do
      state=$(sed -n "s/^$h //p" <<<"$now")
      check "$h" "$state" "$state"
    done
    ;;
  esac
done
log "$ROUNDS rounds: every kill left the old or the new state"
