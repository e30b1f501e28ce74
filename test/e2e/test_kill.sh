#!/usr/bin/env bash
# SIGKILL in the middle of `chain set`, `chain update` and `chain flush`, at
# every step: the next bfload finds either the old chain or the new one,
# complete (its links run its program, traffic follows its rules), never a
# mix, and no leftover staging directory.
set -euo pipefail
. "${BFC_E2E_DIR:?run the e2e tests through ctest}/lib.sh"
setup_pair

mkobj "$WORK/v1.bpf.o" --chain guarded:xdp:9999
mkobj "$WORK/v2.bpf.o" --chain guarded:xdp:8888

# expect_version none|v1|v2: what the pinned state and the traffic show.
expect_version() {
  local want=$1 state version=none
  state=$(bfload --json ruleset get)
  if [ "$(ls "$BPFFS/bfc" | grep -c '^@' || true)" != 1 ]; then
    fail "leftover directories after recovery: $(ls "$BPFFS/bfc")"
  fi
  if [ "$(echo "$state" | json_get chains)" != "[]" ]; then
    case "$(echo "$state" | json_get chains.0.rules.1.text)" in
    *9999*) version=v1 ;;
    *8888*) version=v2 ;;
    esac
    expect_eq "$(echo "$state" | json_get chains.0.attached)" True "attached"
    expect_eq "$(echo "$state" | json_get chains.0.links.0.program_id)" \
      "$(echo "$state" | json_get chains.0.program_id)" "program behind the link"
  fi
  expect_eq "$version" "$want" "chain version"
  case $want in
  none)
    expect_udp_ok 9999
    ! ip -n "$NS_SRV" link show "$SRV_IFACE" | grep -q "prog/xdp" || fail "XDP attached without a chain"
    ;;
  v1) expect_udp_dropped 9999 && expect_udp_ok 8888 ;;
  v2) expect_udp_dropped 8888 && expect_udp_ok 9999 ;;
  esac
}

opt="--option=ifindex=$SRV_IFACE"

log "chain set on an empty bpffs"
for step in loaded attached staged; do
  run_killed $step chain set "$WORK/v1.bpf.o" "$opt"
  expect_version none
done
for step in committed links-updated renamed; do
  run_killed $step chain set "$WORK/v1.bpf.o" "$opt"
  expect_version v1
  bfload chain flush --name guarded
done

log "chain update v1 -> v2"
srv_bfload chain set "$WORK/v1.bpf.o" "$opt"
for step in loaded staged; do
  run_killed $step chain update "$WORK/v2.bpf.o"
  expect_version v1
done
for step in committed links-updated old-retired renamed; do
  run_killed $step chain update "$WORK/v2.bpf.o"
  expect_version v2
  srv_bfload chain update "$WORK/v1.bpf.o"
  expect_version v1
done

log "chain set replacing an attached chain"
for step in loaded staged; do
  run_killed $step chain set "$WORK/v2.bpf.o" "$opt"
  expect_version v1
done
for step in committed links-updated old-retired renamed; do
  run_killed $step chain set "$WORK/v2.bpf.o" "$opt"
  expect_version v2
  srv_bfload chain set "$WORK/v1.bpf.o" "$opt"
done

log "chain flush"
run_killed flush-retired chain flush --name guarded
expect_version none
