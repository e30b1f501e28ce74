#!/usr/bin/env bash
# each-hook.sh RULESET PACKETS TMP HOOK...: for each hook, puts it in place of
# HOOK in RULESET and compares kernel and interpreter on PACKETS with
# $BFC_RUN (bfc-run, set by lit.cfg.py); stops at the first failure (bfc-run
# exits non-zero on any difference). $BFC_RUN_ARGS adds options (e.g.
# --iface lo=1).
set -euo pipefail
ruleset=$1 packets=$2 tmp=$3
shift 3
for hook in "$@"; do
  sed "s/HOOK/BF_HOOK_$hook/" "$ruleset" > "$tmp.$hook.bf"
  echo "== $hook"
  # shellcheck disable=SC2086
  "$BFC_RUN" --compare "$tmp.$hook.bf" -f "$packets" ${BFC_RUN_ARGS:-}
done
