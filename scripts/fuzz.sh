#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, docs/fuzzing.md) with clang-19 and
# runs each for a fixed time on seed corpora made from the tests.
#
#   scripts/fuzz.sh [--time SECONDS] [--jobs N] [--only NAME] [--keep-corpus]
#
# --time: per harness (default 60; CI uses 30, a long run 3600 or more).
# The build goes to $FUZZ_BUILD_DIR (default build-fuzz); corpora grow in
# $FUZZ_BUILD_DIR/corpus/NAME, crashes land in $FUZZ_BUILD_DIR/crashes/NAME.
# Exits non-zero when a harness finds a crash (its input is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TIME=60
ONLY=
KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
  --time) TIME=$2; shift 2 ;;
  --only) ONLY=$2; shift 2 ;;
  --keep-corpus) KEEP=1; shift ;;
  *) echo "usage: $0 [--time SECONDS] [--only NAME] [--keep-corpus]" >&2; exit 2 ;;
  esac
done
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}

scripts/install-deps.sh
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang-19 CXX=clang++-19 cmake -S . -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBFC_FUZZ=ON \
    -DBFC_ENABLE_TESTS=OFF -DBFC_ENABLE_BENCH=OFF >/dev/null
fi
cmake --build "$BUILD" --target fuzzers

# Seed corpora: the rulesets of the examples, the tests and the benchmarks,
# their BFIR, the objects bfc writes, and a few packets of each kind.
seed() { mkdir -p "$BUILD/seeds/$1"; }
for name in ruleset bfir-reader object packet; do
  [ "$KEEP" = 1 ] || rm -rf "$BUILD/seeds/$name"
  seed "$name"
done
n=0
for f in examples/*.bf bench/rulesets/*.bf test/lit/*/*.bf test/lit/*/Inputs/*.bf \
  test/lit/*/*.test; do
  [ -f "$f" ] && cp "$f" "$BUILD/seeds/ruleset/$((n++)).bf"
done
# BFIR and objects come from a normal build's bfc, when there is one.
BFC=${BFC:-$ROOT/build/bin/bfc}
if [ -x "$BFC" ]; then
  for f in examples/*.bf bench/rulesets/*.bf; do
    base=$(basename "$f" .bf)
    "$BFC" --emit=bfir -w -o "$BUILD/seeds/bfir-reader/$base.bfir" "$f" 2>/dev/null || true
    "$BFC" -w -o "$BUILD/seeds/object/$base.bpf.o" "$f" 2>/dev/null || true
  done
fi
cp "$ROOT"/build/test/e2e/objects/*.bpf.o "$BUILD/seeds/object/" 2>/dev/null || true
python3 - "$BUILD/seeds/packet" <<'PY'
import struct, sys
out = sys.argv[1]
eth4 = bytes(12) + b"\x08\x00"
eth6 = bytes(12) + b"\x86\xdd"
def ip4(proto, payload):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64,
                       proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + payload
def ip6(nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       bytes(15) + b"\x01", bytes(15) + b"\x02") + payload
tcp = struct.pack("!HHIIBBHHH", 1234, 22, 0, 0, 5 << 4, 0x02, 1024, 0, 0)
udp = struct.pack("!HHHH", 53, 80, 8, 0)
icmp = struct.pack("!BBHI", 8, 0, 0, 0)
seeds = {
    "eth-ip4-tcp": b"\x00" + eth4 + ip4(6, tcp),
    "eth-ip4-udp": b"\x00" + eth4 + ip4(17, udp),
    "eth-ip4-icmp": b"\x00" + eth4 + ip4(1, icmp),
    "eth-ip6-tcp": b"\x00" + eth6 + ip6(6, tcp),
    "eth-ip6-icmp6": b"\x00" + eth6 + ip6(58, icmp),
    "eth-vlan": b"\x00" + bytes(12) + b"\x81\x00\x00\x01\x08\x00" + ip4(6, tcp),
    "l3-ip4-tcp": b"\x01" + ip4(6, tcp),
    "l3-ip6-udp": b"\x03" + ip6(17, udp),
    "l3-ip4-fragment": b"\x01" + ip4(6, tcp)[:6] + b"\x20\x10" + ip4(6, tcp)[8:],
    # Packet specs: the harness reads the same bytes as one.
    "spec-eth-ip4-tcp": b"eth(src=02:00:00:00:00:01)/ip4(dst=10.0.0.2,dscp=ef,"
                        b"flags=df,opts=0102)/tcp(dport=22,flags=syn|ack,opts=020405b4)",
    "spec-ip6-ext": b"meta(ifindex=3,mark=7,l3=ipv6)/ip6(dst=::1,tc=4)/hop/"
                    b"route(type=4,segleft=1)/frag(offset=0,more=1)/ah(len=4)/"
                    b"dst(len=1)/mh/udp(dport=53)/payload(len=10,fill=0xab)/truncate=50",
    "spec-vlan-icmp": b"eth/vlan(id=5,pcp=3)/ip4(ttl=1,ihl=6)/icmp(type=echo-request)",
    "spec-icmpv6-raw": b"ip6(hlim=1)/icmpv6(type=echo-request,id=1,seq=2)/raw(hex=0x0102)",
    "spec-sock4": b"meta(random=5)/sock4(proto=udp,dst=10.0.0.1,dport=53,src=10.0.0.2)",
    "spec-sock6": b"sock6(proto=tcp,dst=2001:db8::1,dport=80)",
}
for name, data in seeds.items():
    open(f"{out}/{name}", "wb").write(data)
PY

failed=()
for harness in ruleset bfir-reader object packet; do
  [ -z "$ONLY" ] || [ "$ONLY" = "$harness" ] || continue
  corpus=$BUILD/corpus/$harness
  crashes=$BUILD/crashes/$harness
  mkdir -p "$corpus" "$crashes"
  log=$BUILD/fuzz-$harness.log
  echo "== fuzz-$harness: $TIME s"
  set +e
  # -rss_limit_mb: the ANTLR parser on a large input is allowed its memory.
  "$BUILD/fuzz/fuzz-$harness" "$corpus" "$BUILD/seeds/$harness" \
    -max_total_time="$TIME" -print_final_stats=1 -rss_limit_mb=4096 \
    -timeout=25 -max_len=65536 -artifact_prefix="$crashes/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "   executions: ${execs:-?}, corpus: $(ls "$corpus" | wc -l) inputs, exit $rc"
  if [ "$rc" != 0 ]; then
    tail -40 "$log"
    failed+=("$harness")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in $BUILD/crashes/)" >&2
  exit 1
fi
echo "fuzz: no crash"
