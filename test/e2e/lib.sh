# Shared helpers of the bfload end-to-end tests. Source it first thing:
#   . "$BFC_E2E_DIR/lib.sh"
# Every test gets its own bpffs mount, network namespaces and cgroups, all
# removed on exit (success, failure or signal). Addresses are private
# (10.200.1.0/24) and live only inside the test's namespaces.
set -euo pipefail

: "${BFLOAD:?BFLOAD must point to the bfload binary}"
: "${BFC_MKOBJ:?BFC_MKOBJ must point to mkobj.py}"

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the e2e tests need root"
  exit 77
fi

TEST_NAME=$(basename "$0" .sh)
TEST_ID="bfct$$"
WORK=$(mktemp -d "/tmp/bfc-e2e-$$-${TEST_NAME}.XXXXXX")
BPFFS="$WORK/bpffs"
NS_CLI="${TEST_ID}c"
NS_SRV="${TEST_ID}s"
CLI_ADDR=10.200.1.1
CLI_ADDR2=10.200.1.3 # a second client address, for source-based rules
SRV_ADDR=10.200.1.2
SRV_IFACE=bfc0 # the server's interface, named in the test objects
CGROUP_ROOT=/sys/fs/cgroup/unified
declare -a CLEANUP_NAMESPACES=() CLEANUP_MOUNTS=()
declare -a CLEANUP_PIDS=()

log() { echo "[$TEST_NAME] $*" >&2; }

fail() {
  echo "[$TEST_NAME] FAIL: $*" >&2
  exit 1
}

cleanup() {
  local rc=$?
  set +e
  for pid in "${CLEANUP_PIDS[@]}"; do
    kill -9 "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  # Unmounting a bpffs drops its pins: links are detached, programs freed.
  for m in "${CLEANUP_MOUNTS[@]}"; do
    umount "$m" 2>/dev/null
  done
  # new_cgroup runs in $(...): find its cgroups by name, not in an array.
  for cg in "$CGROUP_ROOT/${TEST_ID}"_*; do
    [ -d "$cg" ] || continue
    # Move leftover processes out before removing the cgroup.
    if [ -f "$cg/cgroup.procs" ]; then
      while read -r p; do
        echo "$p" >"$CGROUP_ROOT/cgroup.procs" 2>/dev/null
      done <"$cg/cgroup.procs"
    fi
    rmdir "$cg" 2>/dev/null
  done
  for ns in "${CLEANUP_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$WORK"
  if [ $rc -eq 0 ]; then
    echo "[$TEST_NAME] PASS"
  elif [ $rc -ne 77 ]; then
    echo "[$TEST_NAME] FAILED (exit $rc)" >&2
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of tests that were SIGKILLed (e.g. by a ctest timeout): their
# names carry the pid of a test that no longer runs.
sweep_stale() {
  local name pid m busy
  for name in $(ip netns list | awk '{print $1}' | grep -E '^bfct[0-9]+' || true); do
    pid=$(echo "$name" | sed -E 's/^bfct([0-9]+).*/\1/')
    kill -0 "$pid" 2>/dev/null || ip netns del "$name" 2>/dev/null || true
  done
  for name in /tmp/bfc-e2e-[0-9]*; do
    [ -d "$name" ] || continue
    pid=$(basename "$name" | sed -E 's/^bfc-e2e-([0-9]+)-.*/\1/')
    kill -0 "$pid" 2>/dev/null && continue
    busy=0
    for m in "$name"/bpffs*; do
      umount "$m" 2>/dev/null || true
      ! mountpoint -q "$m" || busy=1
    done
    # A bpffs still mounted (a process left behind holds it): never delete
    # through it, leave the directory.
    [ $busy -eq 0 ] || continue
    rm -rf "$name"
  done
  for name in "$CGROUP_ROOT"/bfct[0-9]*; do
    [ -d "$name" ] || continue
    pid=$(basename "$name" | sed -E 's/^bfct([0-9]+)_.*/\1/')
    kill -0 "$pid" 2>/dev/null || rmdir "$name" 2>/dev/null || true
  done
}
sweep_stale

# new_bpffs DIR: mounts a private bpffs at DIR.
new_bpffs() {
  mkdir -p "$1"
  mount -t bpf bpf "$1"
  CLEANUP_MOUNTS+=("$1")
}
new_bpffs "$BPFFS"

# bfload ARGS: bfload on the test's bpffs, in the current namespace. For
# background jobs use "${BFLOAD_CMD[@]}" so that $! is bfload itself.
BFLOAD_CMD=("$BFLOAD" --bpffs-path "$BPFFS")
bfload() { "${BFLOAD_CMD[@]}" "$@"; }
# srv_bfload ARGS: bfload inside the server namespace (interface names and
# host slots resolve there).
srv_bfload() { ip netns exec "$NS_SRV" "$BFLOAD" --bpffs-path "$BPFFS" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }
in_srv() { ip netns exec "$NS_SRV" "$@"; }

# mkobj OUTPUT ARGS: builds a test object (see Inputs/mkobj.py).
mkobj() {
  local out=$1
  shift
  # shellcheck disable=SC2086
  python3 "$BFC_MKOBJ" $BFC_MKOBJ_ARGS "$@" -o "$out"
}

# shellcheck disable=SC2086
log "test objects compiled by $(python3 "$BFC_MKOBJ" $BFC_MKOBJ_ARGS --print-compiler)"

# setup_pair [CLI SRV]: client and server namespaces (default $NS_CLI and
# $NS_SRV) joined by a veth pair:
#   client: veth "bfcc0", 10.200.1.1 and 10.200.1.3
#   server: veth "bfc0", 10.200.1.2
setup_pair() {
  local cli=${1:-$NS_CLI} srv=${2:-$NS_SRV}
  ip netns add "$cli"
  CLEANUP_NAMESPACES+=("$cli")
  ip netns add "$srv"
  CLEANUP_NAMESPACES+=("$srv")
  ip link add bfcc0 netns "$cli" type veth peer name "$SRV_IFACE" netns "$srv"
  ip -n "$cli" addr add "$CLI_ADDR/24" dev bfcc0
  ip -n "$cli" addr add "$CLI_ADDR2/24" dev bfcc0
  ip -n "$srv" addr add "$SRV_ADDR/24" dev "$SRV_IFACE"
  for ns in "$cli" "$srv"; do
    ip -n "$ns" link set lo up
  done
  ip -n "$cli" link set bfcc0 up
  ip -n "$srv" link set "$SRV_IFACE" up
  # Static neighbours: no ARP traffic to disturb verdicts and counters.
  local cli_mac srv_mac
  cli_mac=$(ip -n "$cli" -br link show bfcc0 | awk '{print $3}')
  srv_mac=$(ip -n "$srv" -br link show "$SRV_IFACE" | awk '{print $3}')
  ip -n "$cli" neigh replace "$SRV_ADDR" lladdr "$srv_mac" dev bfcc0 nud permanent
  ip -n "$srv" neigh replace "$CLI_ADDR" lladdr "$cli_mac" dev "$SRV_IFACE" nud permanent
  ip -n "$srv" neigh replace "$CLI_ADDR2" lladdr "$cli_mac" dev "$SRV_IFACE" nud permanent
  ip netns exec "$cli" ping -q -c1 -W2 "$SRV_ADDR" >/dev/null ||
    fail "no connectivity before any filter"
}

# add_ipv6: IPv6 addresses fd00:bfc::1 (client) and fd00:bfc::2 (server).
CLI_ADDR6=fd00:bfc::1
SRV_ADDR6=fd00:bfc::2
add_ipv6() {
  ip -n "$NS_CLI" addr add "$CLI_ADDR6/64" dev bfcc0 nodad
  ip -n "$NS_SRV" addr add "$SRV_ADDR6/64" dev "$SRV_IFACE" nodad
  in_cli ping -6 -q -c1 -W2 "$SRV_ADDR6" >/dev/null || fail "no IPv6 connectivity"
}

# in_ns_keep_sys NS CMD...: runs CMD in network namespace NS without
# remounting /sys (ip netns exec does), so /sys/fs/cgroup stays visible.
in_ns_keep_sys() {
  local ns=$1
  shift
  nsenter --net="/run/netns/$ns" "$@"
}

# require_cgroup2: skips the test when there is no cgroup v2 at $CGROUP_ROOT.
require_cgroup2() {
  [ -f "$CGROUP_ROOT/cgroup.procs" ] || {
    echo "SKIP: no cgroup v2 at $CGROUP_ROOT"
    exit 77
  }
}

# new_cgroup NAME: creates a child cgroup v2 and prints its path.
new_cgroup() {
  local cg="$CGROUP_ROOT/${TEST_ID}_$1"
  mkdir "$cg"
  echo "$cg"
}

# cg_udp_to PORT SRC CGROUP: a UDP receiver of the server, in CGROUP, gets
# a datagram from SRC (of the client).
cg_udp_to() {
  local port=$1 src=$2 cg=$3 out="$WORK/cgudp"
  rm -f "$out"
  in_ns_keep_sys "$NS_SRV" sh -c 'echo $$ > "$0/cgroup.procs" && exec timeout 1 socat -u "UDP-RECV:$1,bind=$2" "OPEN:$3,creat"' \
    "$cg" "$port" "$SRV_ADDR" "$out" &
  local listener=$!
  sleep 0.2
  echo datagram | in_cli socat -u - "UDP:$SRV_ADDR:$port,bind=$src" || true
  wait "$listener" 2>/dev/null || true
  grep -q datagram "$out" 2>/dev/null
}

# in_cgroup CG CMD...: runs CMD in cgroup CG.
in_cgroup() {
  local cg=$1
  shift
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

# ping_ok [SRC]: one ping from the client (from SRC if given) gets through.
ping_from() {
  local src=${1:-$CLI_ADDR}
  in_cli ping -q -c1 -W1 -I "$src" "$SRV_ADDR" >/dev/null 2>&1
}
expect_ping_ok() { ping_from "$@" || fail "ping from ${1:-$CLI_ADDR} was dropped, expected it to pass"; }
expect_ping_dropped() { ! ping_from "$@" || fail "ping from ${1:-$CLI_ADDR} passed, expected it to be dropped"; }

# udp_from PORT [SRC]: sends one datagram from the client to the server's
# PORT and succeeds when the server received it.
udp_from() {
  local port=$1 src=${2:-$CLI_ADDR}
  local out="$WORK/udp.$port"
  rm -f "$out"
  # The listener is ip -> timeout -> socat; timeout ends it, no kill needed.
  ip netns exec "$NS_SRV" timeout 1 socat -u \
    "UDP-RECV:$port,bind=$SRV_ADDR,reuseaddr" "OPEN:$out,creat,append" &
  local listener=$!
  sleep 0.2
  echo "datagram" | in_cli socat -u - "UDP:$SRV_ADDR:$port,bind=$src" || true
  wait "$listener" 2>/dev/null || true
  grep -q datagram "$out" 2>/dev/null
}
expect_udp_ok() { udp_from "$@" || fail "UDP to port $1 was dropped, expected it to pass"; }
expect_udp_dropped() { ! udp_from "$@" || fail "UDP to port $1 passed, expected it to be dropped"; }

# json_get JQ-LIKE-PATH: reads a value from JSON on stdin (python, no jq).
json_get() {
  python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1"
}

# rule_packets CHAIN RULE: packets counted by rule RULE of CHAIN.
rule_packets() {
  bfload --json chain get --name "$1" | json_get "chains.0.rules.$2.packets"
}
policy_packets() {
  bfload --json chain get --name "$1" | json_get "chains.0.counters.policy.packets"
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
  [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# expect_fail_with TEXT CMD...: CMD fails and its stderr contains TEXT.
expect_fail_with() {
  local text=$1
  shift
  local err="$WORK/stderr.$$"
  if "$@" 2>"$err" >/dev/null; then
    fail "'$*' succeeded, expected it to fail with: $text"
  fi
  grep -qF -- "$text" "$err" || fail "'$*' failed without '$text'; stderr: $(cat "$err")"
}

# pins_state: a listing of the pin root, to compare before/after.
pins_state() { (cd "$BPFFS" && find . | sort); }

# run_killed STEP ARGS: runs bfload ARGS in the server namespace, SIGKILLs
# it once paused at STEP.
run_killed() {
  local step=$1
  shift
  BFLOAD_DEBUG_PAUSE=$step ip netns exec "$NS_SRV" "${BFLOAD_CMD[@]}" "$@" \
    2>"$WORK/killed.err" &
  local pid=$!
  CLEANUP_PIDS+=("$pid")
  wait_for_file "$WORK/killed.err" "paused at $step"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
}

# wait_for_file FILE TEXT [SECONDS]: waits until FILE contains TEXT.
wait_for_file() {
  local file=$1 text=$2 deadline=$((SECONDS + ${3:-20}))
  until grep -qF -- "$text" "$file" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for '$text' in $file: $(cat "$file" 2>/dev/null)"
    sleep 0.05
  done
}
