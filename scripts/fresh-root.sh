#!/usr/bin/env bash
# Runs a command in a fresh minimal Debian 12 root holding a clean clone of
# this repository, as a newcomer's machine would be: nothing installed but
# `debootstrap --variant=minbase bookworm` and this machine's apt sources.
# A missing install step in scripts/ then fails here instead of passing on a
# developer's machine that happens to have the package.
#
#   scripts/fresh-root.sh [--keep] [--bind HOSTDIR] COMMAND...
#
# COMMAND runs in /src/bfc (the clone) inside the root, as root, with a clean
# environment (CI and BFC_ROOT_CACHE pass through).
# The pristine root is built once and cached as a tarball
# (${BFC_ROOT_CACHE:-/var/cache/bfc-ci}/bookworm-minbase.tar); each run
# unpacks a new copy and deletes it afterwards (--keep leaves it and prints
# its path). --bind HOSTDIR makes HOSTDIR visible at the same path inside.
# Needs root, debootstrap (installed when missing) and the Debian mirror.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${BFC_ROOT_CACHE:-/var/cache/bfc-ci}
tarball=$cache/bookworm-minbase.tar
mirror=${BFC_DEBIAN_MIRROR:-http://deb.debian.org/debian}

keep=0
binds=()
while [ $# -gt 0 ]; do
  case "$1" in
  --keep) keep=1; shift ;;
  --bind) binds+=("$2"); shift 2 ;;
  --) shift; break ;;
  *) break ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "usage: $0 [--keep] [--bind HOSTDIR] COMMAND..." >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-root: needs root (debootstrap, chroot, mounts)" >&2
  exit 2
fi

log() { printf '== fresh-root: %s\n' "$*"; }

# The apt configuration a newcomer's machine would have: the same sources
# and options as this one (some mirrors need e.g. Check-Valid-Until off).
copy_apt_config() {
  local dest=$1
  cp -a /etc/apt/sources.list.d/. "$dest/etc/apt/sources.list.d/"
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$dest/etc/apt/"
  for conf in /etc/apt/apt.conf.d/*; do
    [ -e "$dest/etc/apt/apt.conf.d/$(basename "$conf")" ] || cp "$conf" "$dest/etc/apt/apt.conf.d/"
  done
  mkdir -p "$dest/usr/share/keyrings"
  cp -n /usr/share/keyrings/*.gpg "$dest/usr/share/keyrings/" 2>/dev/null || true
}

build_pristine() {
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  mkdir -p "$cache"
  local tmp
  tmp=$(mktemp -d "$cache/pristine.XXXXXX")
  log "debootstrap --variant=minbase bookworm (cached afterwards in $tarball)"
  if ! debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    tail -n 30 "$tmp/debootstrap.log" >&2
    rm -rf --one-file-system "$tmp"
    echo "fresh-root: debootstrap failed (log above)" >&2
    exit 1
  fi
  copy_apt_config "$tmp/root"
  tar -C "$tmp/root" -cf "$tmp/root.tar" .
  mv "$tmp/root.tar" "$tarball"
  rm -rf --one-file-system "$tmp"
}

[ -f "$tarball" ] || build_pristine

root=$(mktemp -d /var/tmp/bfc-fresh-root.XXXXXX)
cleanup() {
  if [ "$keep" -eq 1 ]; then
    log "kept the root in $root"
  else
    rm -rf --one-file-system "$root"
  fi
}
trap cleanup EXIT

log "unpacking the pristine root into $root"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
log "cloning $repo (HEAD: $(git -C "$repo" rev-parse --short HEAD)) into /src/bfc"
git clone -q --no-hardlinks "$repo" "$root/src/bfc"
for dir in "${binds[@]}"; do
  mkdir -p "$root$dir"
done

# Mounts live in a private mount namespace: they vanish with it, even when
# the command is killed. `ip netns exec` remounts / and /sys, so the root is
# a mount point of its own; /sys and /dev come whole (bpffs, cgroup v2,
# tracefs) for the BPF and network-namespace tests.
{
  echo 'set -e'
  echo 'cd /src/bfc'
  printf 'exec'
  printf ' %q' "$@"
  echo
} >"$root/bfc-fresh-root-command.sh"
bind_cmds=""
for dir in "${binds[@]}"; do
  bind_cmds+="mount --rbind $(printf '%q' "$dir") $(printf '%q' "$root$dir"); "
done
set +e
unshare --mount --propagation private bash -euc "
  mount --bind '$root' '$root'
  mount -t proc proc '$root/proc'
  mount --rbind /sys '$root/sys'
  mount --rbind /dev '$root/dev'
  mount -t tmpfs tmpfs '$root/run'
  $bind_cmds
  exec chroot '$root' /usr/bin/env -i HOME=/root TERM=\${TERM:-dumb} \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CI=\${CI:-} BFC_ROOT_CACHE=\${BFC_ROOT_CACHE:-} bash /bfc-fresh-root-command.sh
"
rc=$?
set -e
log "command exited with $rc"
exit $rc
