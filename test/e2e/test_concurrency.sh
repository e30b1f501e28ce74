#!/usr/bin/env bash
# Concurrency: 8 bfload processes with --wait run 1,000 mixed operations on
# 4 chains at once. The lock must serialise them: no update is lost (every
# set element added and not removed is there, every removed one is gone),
# every read sees a complete state, nothing is left half-done, and no
# program or map outlives its chain.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"

WORKERS=8
# Chain (and program) names: c<pid>_N, so that the kernel-wide program count
# below sees only this run's programs, whatever else runs beside it.
P=$(printf 'c%04x_' $(($$ & 0xffff)))
OPS_PER_WORKER=125
# Room for the elements added: a set holds max(16, next power of two >=
# elements + room) (docs/object-format.md).
initial=()
for i in $(seq 1 300); do initial+=(--blocked "10.250.$((i / 256)).$((i % 256))"); done
for c in 0 1 2 3; do
  mkobj "$WORK/$P$c.bpf.o" --chain "$P$c:xdp:$((9000 + c))" --iface lo "${initial[@]}"
  mkobj "$WORK/$P$c-v2.bpf.o" --chain "$P$c:xdp:$((9100 + c))" --iface lo "${initial[@]}"
  bfload chain load "$WORK/$P$c.bpf.o"
done
programs_named() { bpftool prog show 2>/dev/null | grep -cE " name ${P}[0-3] " || true; }
log "programs before: $(programs_named)"

# worker W: random operations, its own elements 10.W.x.y on chains ${P}0,
# ${P}1 (set chains); program updates on ${P}2, ${P}3 (update chains); reads
# on all.
worker() {
  local w=$1 n=0 added=() removed=() i op chain element
  RANDOM=$((w * 7919))
  for i in $(seq 1 "$OPS_PER_WORKER"); do
    op=$((RANDOM % 10))
    case $op in
    0 | 1 | 2 | 3)
      chain=$P$((RANDOM % 2))
      element="10.$w.$((i / 200)).$((i % 200 + 1))"
      bfload --wait chain update-set --name "$chain" --set-name blocked --add "$element" \
        >/dev/null 2>>"$WORK/w$w.err"
      added+=("$chain $element")
      ;;
    4)
      if [ ${#added[@]} -gt 0 ]; then
        local pick=${added[$((RANDOM % ${#added[@]}))]}
        bfload --wait chain update-set --name "${pick%% *}" --set-name blocked \
          --remove "${pick#* }" >/dev/null 2>>"$WORK/w$w.err"
        removed+=("$pick")
      fi
      ;;
    5 | 6)
      chain=$P$((2 + RANDOM % 2))
      if [ $((RANDOM % 2)) = 0 ]; then
        bfload --wait chain update "$WORK/$chain-v2.bpf.o" >/dev/null 2>>"$WORK/w$w.err"
      else
        bfload --wait chain update "$WORK/$chain.bpf.o" >/dev/null 2>>"$WORK/w$w.err"
      fi
      ;;
    7 | 8)
      bfload --wait --json chain get --name "$P$((RANDOM % 4))" |
        python3 -c 'import json,sys; c=json.load(sys.stdin)["chains"][0]; assert c["program_id"] > 0' \
          2>>"$WORK/w$w.err"
      ;;
    9)
      bfload --wait --json ruleset get |
        python3 -c 'import json,sys; n=len(json.load(sys.stdin)["chains"]); assert n == 4, n' \
          2>>"$WORK/w$w.err"
      ;;
    esac
    n=$((n + 1))
  done
  printf '%s\n' "${added[@]}" >"$WORK/w$w.added"
  printf '%s\n' "${removed[@]}" >"$WORK/w$w.removed"
  echo "$n" >"$WORK/w$w.done"
}

log "$WORKERS workers x $OPS_PER_WORKER operations"
pids=()
for w in $(seq 1 "$WORKERS"); do
  worker "$w" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for w in $(seq 1 "$WORKERS"); do
  # Removing an element twice is a note, not an error: show the rest.
  if grep -v "note: .* is not in set" "$WORK/w$w.err" >"$WORK/w$w.problems"; then
    log "worker $w:"
    cat "$WORK/w$w.problems" >&2
  fi
done
expect_eq "$status" 0 "every worker's operations succeeded"
total=0
for w in $(seq 1 "$WORKERS"); do total=$((total + $(cat "$WORK/w$w.done"))); done
expect_eq "$total" $((WORKERS * OPS_PER_WORKER)) "operations run"

log "no lost update: each set holds exactly its initial and surviving elements"
for c in 0 1; do
  # Each element is added once (its worker and operation number make it
  # unique), so what survives is what was added and never removed.
  want=$(cat "$WORK"/w*.added | awk -v c="$P$c" '$1 == c {print $2}' | sort -u |
    grep -vxF -f <(cat "$WORK"/w*.removed | awk -v c="$P$c" '$1 == c {print $2}' | sort -u) ||
    true)
  got=$(bfload --json chain get --name "$P$c" | python3 -c '
import json, sys
chain = json.load(sys.stdin)["chains"][0]
for s in chain["sets"]:
    if s["name"] == "blocked":
        for e in s["elements"]:
            if not e.startswith("10.250."):
                print(e)' | sort -u)
  expect_eq "$got" "$want" "elements of $P$c added by the workers"
  expect_eq "$(bfload --json chain get --name "$P$c" | python3 -c '
import json, sys
s = [s for s in json.load(sys.stdin)["chains"][0]["sets"] if s["name"] == "blocked"][0]
print(sum(e.startswith("10.250.") for e in s["elements"]))')" 300 "initial elements of $P$c"
done

log "nothing half-done, nothing leaked"
leftovers=$(ls -A "$BPFFS/bfc" | grep '^@' | grep -v '^@owner$' || true)
expect_eq "$leftovers" "" "staging, ready or retired directories left"
expect_eq "$(programs_named)" 4 "programs of the 4 chains"
bfload ruleset flush >/dev/null
expect_eq "$(programs_named)" 0 "programs after the flush"
log "ok"
