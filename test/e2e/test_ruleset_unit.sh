#!/usr/bin/env bash
# bfload-ruleset.service, as installed: its ExecStartPre/ExecStart, ExecReload
# and ExecStop command lines (read from the unit by run_unit.py) mount a
# bpffs when needed, load and attach the ruleset, reload a new one and flush
# it, with the paths moved by the environment file to a private bpffs and a
# temporary ruleset.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
: "${BFC_BUILD_DIR:?}"
setup_pair

stage="$WORK/stage"
DESTDIR="$stage" cmake --install "$BFC_BUILD_DIR" --prefix /usr --component bfload >/dev/null
unit="$stage/usr/lib/systemd/system/bfload-ruleset.service"
[ -f "$unit" ] || fail "the bfload component installs no $unit"
grep -qx 'EnvironmentFile=-/etc/default/bfload-ruleset' "$unit" ||
  fail "the unit does not read /etc/default/bfload-ruleset"

unit_bpffs="$WORK/unit-bpffs" # not mounted yet: ExecStartPre must mount it
CLEANUP_MOUNTS+=("$unit_bpffs")
ruleset="$WORK/etc-bfc/ruleset.bpf.o"
mkdir -p "$(dirname "$ruleset")"
cat >"$WORK/default" <<EOT
# what /etc/default/bfload-ruleset would hold
BFLOAD_BPFFS=$unit_bpffs
BFLOAD_RULESET=$ruleset
EOT
# unit ACTION: the unit's commands for ACTION, in the server's network
# namespace but this mount namespace (so its bpffs mount stays visible).
unit() {
  in_ns_keep_sys "$NS_SRV" python3 "$BFC_SOURCE_DIR/test/dist/run_unit.py" \
    "$unit" "$1" --root "$stage" --env-file "$WORK/default"
}
unit_bfload() { "$BFLOAD" --bpffs-path "$unit_bpffs" "$@"; }
bpffs_mounts() { awk -v m="$unit_bpffs" '$5 == m && $9 == "bpf"' /proc/self/mountinfo | wc -l; }

ifindex=$(in_srv cat "/sys/class/net/$SRV_IFACE/ifindex")
compile() { # compile PORT OUT: an XDP chain dropping UDP to PORT
  "$BFC_BIN" --from-str "chain edge BF_HOOK_XDP{ifindex=$ifindex} ACCEPT
    rule udp.dport eq $1 counter DROP" -o "$2"
}
compile 9999 "$ruleset"

log "start: mounts the bpffs, loads and attaches the ruleset"
unit start
expect_eq "$(bpffs_mounts)" 1 "bpffs mounts at $unit_bpffs after start"
[ -d "$unit_bpffs/bfc/edge" ] || fail "chain edge not pinned: $(ls -R "$unit_bpffs")"
expect_eq "$(unit_bfload --json chain get --name edge | json_get chains.0.attached)" True "edge attached"
ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "prog/xdp" || fail "no XDP program on $SRV_IFACE"
expect_udp_dropped 9999
expect_udp_ok 8888
expect_eq "$(unit_bfload --json chain get --name edge | json_get chains.0.rules.0.packets)" 1 "rule counter"

log "reload: takes the new object"
compile 8888 "$WORK/new.bpf.o"
mv "$WORK/new.bpf.o" "$ruleset"
unit reload
unit_bfload chain get --name edge | grep -q "rule udp.dport eq 8888 counter DROP" ||
  fail "reload did not load the new ruleset: $(unit_bfload chain get --name edge)"
expect_udp_dropped 8888
expect_udp_ok 9999

log "start again (e.g. after a restart): no second bpffs mount"
unit start
expect_eq "$(bpffs_mounts)" 1 "bpffs mounts after a second start"

log "stop: flushes"
unit stop
[ -z "$(unit_bfload ruleset get)" ] || fail "chains left after stop: $(unit_bfload ruleset get)"
! ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "prog/xdp" || fail "XDP still attached after stop"
expect_udp_ok 8888

log "start fails, and says why, when the ruleset is missing"
rm "$ruleset"
! unit start 2>"$WORK/err" || fail "start succeeded without a ruleset"
grep -q "ruleset.bpf.o" "$WORK/err" || fail "no useful message: $(cat "$WORK/err")"
