#!/usr/bin/env bash
# The bfload .deb on a host that never saw a compiler: a fresh minimal
# Debian 12 root (the pristine root scripts/fresh-root.sh caches) installs it
# with apt, which fetches its dependencies from the Debian mirror; no LLVM,
# clang or ANTLR package comes with it. Inside that root, bfload loads an
# object bfc compiled out here, attaches it to a veth in a network namespace
# and filters traffic. Then the bfc package goes into the same root and
# compiles and test-runs the example it ships.
# Skipped (77) without the cached root; .ci/run binds the cache into its own
# fresh root so that CI runs this test.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
: "${BFC_BUILD_DIR:?}"
tarball=${BFC_ROOT_CACHE:-/var/cache/bfc-ci}/bookworm-minbase.tar
if [ ! -f "$tarball" ]; then
  echo "SKIP: no cached minimal root $tarball (scripts/fresh-root.sh true builds it)"
  exit 77
fi
deb=$(ls "$BFC_BUILD_DIR"/packages/bfload_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no bfload package in $BFC_BUILD_DIR/packages (dist.build-packages builds it)"
setup_pair

root="$WORK/root"
mkdir "$root"
log "unpacking $tarball"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/srv"
cp "$deb" "$root/srv/"
chmod 644 "$root/srv/$(basename "$deb")"

# The object is compiled here, outside the root.
"$BFC_BIN" --from-str 'chain edge BF_HOOK_XDP ACCEPT
  rule udp.dport eq 9999 counter DROP' -o "$root/srv/edge.bpf.o"

# in_root CMD...: CMD in the root, in a private mount namespace holding its
# mounts (as scripts/fresh-root.sh does); the test's bpffs is bound at
# /run/bpffs so the pins outlive the command.
cat >"$WORK/in_root.sh" <<'EOT'
set -euo pipefail
root=$1 bpffs=$2
shift 2
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$root/run/bpffs"
mount --bind "$bpffs" "$root/run/bpffs"
exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
EOT
in_root() { unshare --mount --propagation private bash "$WORK/in_root.sh" "$root" "$BPFFS" "$@"; }
in_root_srv() {
  nsenter --net="/run/netns/$NS_SRV" unshare --mount --propagation private \
    bash "$WORK/in_root.sh" "$root" "$BPFFS" "$@"
}

for tool in bfc bfc-run clang clang-19 gcc cc; do
  ! in_root sh -c "command -v $tool" >/dev/null || fail "the fresh root has $tool"
done

log "apt-get install ./$(basename "$deb") in the fresh root"
in_root apt-get update -qq >"$WORK/apt.log" 2>&1 || fail "apt-get update: $(tail "$WORK/apt.log")"
in_root apt-get install -y -q --no-install-recommends "/srv/$(basename "$deb")" >>"$WORK/apt.log" 2>&1 ||
  fail "apt-get install: $(tail -n 30 "$WORK/apt.log")"
in_root dpkg-query -W -f='${Package}\n' >"$WORK/installed"
heavy=$(grep -Ei 'llvm|clang|antlr' "$WORK/installed" || true)
[ -z "$heavy" ] || fail "installing bfload brought $heavy"
for tool in bfc bfc-run; do
  ! in_root sh -c "command -v $tool" >/dev/null || fail "the bfload package installed $tool"
done
in_root test -f /usr/lib/systemd/system/bfload-ruleset.service || fail "no unit installed"
log "installed: bfload $(in_root bfload --version)"

log "load and attach in the server namespace"
in_root_srv bfload --bpffs-path /run/bpffs chain set /srv/edge.bpf.o --option "ifindex=$SRV_IFACE"
ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "prog/xdp" || fail "no XDP program on $SRV_IFACE"
expect_udp_dropped 9999
expect_udp_ok 8888
expect_eq "$(in_root bfload --bpffs-path /run/bpffs --json chain get --name edge | json_get chains.0.rules.0.packets)" 1 "rule counter"
in_root bfload --bpffs-path /run/bpffs ruleset flush >/dev/null
expect_udp_ok 9999

# The bfc package, as a CI machine installs it: into the same root, with apt
# again, after the loader checks above. It compiles the example it ships and
# its bfc-run checks the kernel's verdicts against the interpreter.
debc=$(ls "$BFC_BUILD_DIR"/packages/bfc_*.deb 2>/dev/null | head -n1)
[ -n "$debc" ] || fail "no bfc package in $BFC_BUILD_DIR/packages"
cp "$debc" "$root/srv/"
chmod 644 "$root/srv/$(basename "$debc")"
log "apt-get install ./$(basename "$debc") in the same root"
in_root apt-get install -y -q --no-install-recommends "/srv/$(basename "$debc")" >>"$WORK/apt.log" 2>&1 ||
  fail "apt-get install bfc: $(tail -n 30 "$WORK/apt.log")"
example=/usr/share/doc/bfc/examples/host-firewall.bf
in_root bfc "$example" -o /srv/host-firewall.bpf.o || fail "the installed bfc cannot compile $example"
in_root bfc-run /srv/host-firewall.bpf.o --source "$example" --compare \
  'eth/ip4(src=192.0.2.77,dst=10.0.0.2)/tcp(dport=22,flags=syn)' \
  'eth/ip4(src=192.0.2.77,dst=10.0.0.2)/udp(sport=5000,dport=9999)' >"$WORK/run.out" ||
  fail "installed bfc-run --compare: $(cat "$WORK/run.out")"
grep -q '2 packets compared, 0 skipped, 0 differences' "$WORK/run.out" ||
  fail "bfc-run said: $(cat "$WORK/run.out")"
log "installed bfc compiles and runs $example: $(tail -n1 "$WORK/run.out")"
