#!/usr/bin/env bash
# Quick start: install what is missing, build, compile the bundled example
# ruleset, load it with bfload into a private bpffs on a throwaway network
# namespace, send traffic through it and print the counters that moved.
# Needs root (loading BPF programs, network namespaces). Leaves nothing behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
example=$root/examples/host-firewall.bf

# The build's whole output goes to a log; the terminal gets the package
# installation, a progress line every 10% and, on failure, the log's tail.
mkdir -p "$build"
build_log=$build/demo-build.log
echo "== building (scripts/build.sh; full log in $build_log)"
if ! "$root/scripts/build.sh" 2>&1 | tee "$build_log" | awk '
    /^install-deps:/ { print "   " $0; fflush(); next }
    match($0, /^\[[0-9]+\/[0-9]+\]/) {
      split(substr($0, 2, RLENGTH - 2), n, "/")
      step = int(n[1] * 10 / n[2])
      if (step > shown) { shown = step; printf "   %3d%% (%s/%s)\n", step * 10, n[1], n[2]; fflush() }
    }'; then
  echo "demo: the build failed; the end of $build_log:" >&2
  tail -n 40 "$build_log" >&2
  exit 1
fi
bfc=$build/bin/bfc
bfload=$build/bin/bfload

work=$(mktemp -d /tmp/bfc-demo.XXXXXX)
client=bfc-demo-client-$$
server=bfc-demo-server-$$
cleanup() {
  set +e
  [ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
  ip netns exec "$server" "$bfload" --bpffs-path "$work/bpffs" ruleset flush >/dev/null 2>&1
  umount "$work/bpffs" 2>/dev/null
  ip netns del "$client" 2>/dev/null
  ip netns del "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo
echo "== compile (what CI does): bfc $example -o host-firewall.bpf.o"
"$bfc" "$example" -o "$work/host-firewall.bpf.o"
ls -l "$work/host-firewall.bpf.o" | awk '{print $5 " bytes"}'

echo
echo "== run crafted packets through it in the kernel (BPF_PROG_TEST_RUN), checked against the interpreter"
"$build/bin/bfc-run" "$work/host-firewall.bpf.o" --source "$example" --compare \
  'eth/ip4(src=10.20.1.1,dst=10.0.0.2)/tcp(dport=22,flags=syn)' \
  'eth/ip4(src=192.0.2.77,dst=10.0.0.2)/tcp(dport=22,flags=syn)' \
  'eth/ip4(src=198.51.100.7,dst=10.0.0.2)/tcp(dport=443,flags=syn)' \
  'eth/ip4(src=192.0.2.77,dst=10.0.0.2)/tcp(dport=443,flags=syn)' \
  'eth/ip4(src=192.0.2.77,dst=10.0.0.2)/udp(sport=5000,dport=9999)' \
  'eth/ip6(src=2001:db8::1,dst=2001:db8::2)/icmpv6(type=echo-request)' |
  grep -v '^  rule'

echo
echo "== a throwaway network: $client (10.203.0.1) <-veth-> $server (10.203.0.2)"
ip netns add "$client"
ip netns add "$server"
ip link add demo-c type veth peer name demo-s
ip link set demo-c netns "$client"
ip link set demo-s netns "$server"
ip -n "$client" addr add 10.203.0.1/24 dev demo-c
ip -n "$server" addr add 10.203.0.2/24 dev demo-s
for ns in "$client" "$server"; do
  ip -n "$ns" link set lo up
done
ip -n "$client" link set demo-c up
ip -n "$server" link set demo-s up
ifindex=$(ip netns exec "$server" cat /sys/class/net/demo-s/ifindex)

echo
echo "== load (what the host does): bfload chain set ... --option ifindex=$ifindex"
mkdir -p "$work/bpffs"
mount -t bpf bpf "$work/bpffs"
ip netns exec "$server" "$bfload" --bpffs-path "$work/bpffs" \
  chain set "$work/host-firewall.bpf.o" --option "ifindex=$ifindex"

echo
echo "== traffic from the client"
ip netns exec "$server" socat -T2 TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello' &
listener=$!
sleep 0.5
printf 'ping 10.203.0.2 (ICMP echo, allowed): '
ip netns exec "$client" ping -c 3 -i 0.2 -W 1 10.203.0.2 >/dev/null && echo "3 replies"
printf 'TCP to port 80 (allowed):               '
ip netns exec "$client" socat -T2 - TCP:10.203.0.2:80,connect-timeout=2 </dev/null || echo "failed"
printf 'TCP to port 22 (not from an admin net): '
if ip netns exec "$client" socat -T1 - TCP:10.203.0.2:22,connect-timeout=1 </dev/null 2>/dev/null; then
  echo "connected?!"
else
  echo "dropped"
fi
printf 'UDP to port 9999 (policy DROP):         '
ip netns exec "$client" socat -T1 - UDP:10.203.0.2:9999 <<<"x" >/dev/null 2>&1; echo "sent, dropped"

echo
echo "== bfload chain get --name host_ingress"
ip netns exec "$server" "$bfload" --bpffs-path "$work/bpffs" chain get --name host_ingress
