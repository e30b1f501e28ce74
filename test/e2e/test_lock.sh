#!/usr/bin/env bash
# Two bfload at once: the second fails at once naming the holder's pid, or
# waits with --wait[=SECONDS]; a holder killed with SIGKILL releases the
# lock, and the next bfload rolls its half-done change back.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"

mkobj "$WORK/chain.bpf.o" --chain locked:xdp:9999 --iface lo

# start_holder STEP: a bfload paused at STEP with the lock held.
start_holder() {
  BFLOAD_DEBUG_PAUSE=$1 "${BFLOAD_CMD[@]}" chain load "$WORK/chain.bpf.o" \
    2>"$WORK/holder.err" &
  holder=$!
  CLEANUP_PIDS+=("$holder")
  wait_for_file "$WORK/holder.err" "paused at $1 (pid $holder)"
}

log "contention fails at once with the holder's pid"
start_holder loaded
start=$(date +%s%N)
expect_fail_with "$BPFFS/bfc is locked by another bfload (pid $holder)" bfload ruleset get
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -lt 1000 ] || fail "contention took ${elapsed_ms} ms to report"
expect_fail_with "is locked by another bfload (pid $holder)" bfload chain flush --name locked

log "a bad --wait value is a command-line error (exit 2), before the lock"
for bad in abc -1 nan inf 1e999; do
  status=0
  "${BFLOAD_CMD[@]}" --wait="$bad" ruleset get 2>"$WORK/wait.err" >/dev/null || status=$?
  [ "$status" -eq 2 ] || fail "--wait=$bad exited $status, expected 2"
  grep -qF "expected a number of seconds, found '$bad'" "$WORK/wait.err" ||
    fail "--wait=$bad: $(cat "$WORK/wait.err")"
done

log "--wait=1 gives up after a second"
start=$(date +%s%N)
expect_fail_with "gave up after waiting 1 s" bfload --wait=1 ruleset get
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -ge 1000 ] || fail "--wait=1 gave up after ${elapsed_ms} ms"

log "--wait waits for the holder"
"${BFLOAD_CMD[@]}" --wait ruleset get >"$WORK/waiter.out" 2>"$WORK/waiter.err" &
waiter=$!
CLEANUP_PIDS+=("$waiter")
sleep 0.5
kill -0 "$waiter" 2>/dev/null || fail "--wait did not wait: $(cat "$WORK/waiter.err")"
kill -9 "$holder"
wait "$holder" 2>/dev/null || true
wait "$waiter" || fail "--wait failed after the holder died: $(cat "$WORK/waiter.err")"
[ ! -s "$WORK/waiter.out" ] || fail "a chain appeared from a killed load: $(cat "$WORK/waiter.out")"

log "a holder killed mid-change is rolled back by the next bfload"
start_holder staged
[ -d "$BPFFS/bfc/@tmp@locked" ] || fail "no staging directory while paused at 'staged'"
kill -9 "$holder"
wait "$holder" 2>/dev/null || true
bfload ruleset get >"$WORK/get.out" 2>"$WORK/get.err"
grep -q "rolling back an interrupted change of chain 'locked'" "$WORK/get.err" ||
  fail "no rollback notice: $(cat "$WORK/get.err")"
[ ! -s "$WORK/get.out" ] || fail "half-loaded chain visible: $(cat "$WORK/get.out")"
[ "$(ls "$BPFFS/bfc")" = "@owner" ] || fail "leftover pins: $(ls "$BPFFS/bfc")"

log "after a clean exit the lock is free and the pid cleared"
bfload chain load "$WORK/chain.bpf.o"
bfload chain get --name locked >/dev/null
"${BFLOAD_CMD[@]}" ruleset flush
