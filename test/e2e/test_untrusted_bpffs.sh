#!/usr/bin/env bash
# A bpffs mounted without options is writable by every user (mode 1777).
# An unprivileged user who gets there first, or who tries to tamper with
# what root pinned, must neither steer nor break root's bfload.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 755 "$WORK"
chmod 1777 "$BPFFS"
mkobj "$WORK/keep.bpf.o" --chain keep:xdp:9999

log "attack 1: another user made <bpffs>/bfc first"
as_nobody mkdir "$BPFFS/bfc"
as_nobody mkdir "$BPFFS/bfc/@tmp@keep"
as_nobody ln -s /sys/fs/bpf "$BPFFS/bfc/@tmp@keep/link"
planted=$(pins_state)
expect_fail_with "$BPFFS/bfc belongs to uid 65534" \
  srv_bfload chain set "$WORK/keep.bpf.o" --option "ifindex=$SRV_IFACE"
expect_fail_with "$BPFFS/bfc belongs to uid 65534" srv_bfload ruleset get
expect_eq "$(pins_state)" "$planted" "nothing followed or removed in the planted directory"
rm -rf "$BPFFS/bfc"

log "root's pin root: 0700, owned by root"
srv_bfload chain set "$WORK/keep.bpf.o" --option "ifindex=$SRV_IFACE"
expect_eq "$(stat -c '%u %a' "$BPFFS/bfc")" "0 700" "owner and mode of the pin root"
expect_udp_dropped 9999
loaded=$(pins_state)

log "attacks 2 and 3: tampering with root's pins as another user"
for attempt in \
  "mv $BPFFS/bfc/keep $BPFFS/bfc/@tmp@keep" \
  "mkdir $BPFFS/bfc/@tmp@evil" \
  "ln -s /sys/fs/bpf $BPFFS/bfc/@tmp@evil" \
  "mkdir $BPFFS/bfc/@owner-new" \
  "rm -rf $BPFFS/bfc/keep"; do
  if as_nobody sh -c "$attempt" 2>/dev/null; then
    fail "as another user, '$attempt' succeeded"
  fi
done
expect_eq "$(pins_state)" "$loaded" "pins after the attempts"
srv_bfload ruleset get >/dev/null
expect_eq "$(pins_state)" "$loaded" "pins after root's next command"
expect_udp_dropped 9999
expect_udp_ok 9998

log "a pin root opened to others is refused"
chmod 0777 "$BPFFS/bfc"
expect_fail_with "is writable by other users (mode 0777)" srv_bfload ruleset get
chmod 0700 "$BPFFS/bfc"
srv_bfload ruleset get >/dev/null
log "ok"
