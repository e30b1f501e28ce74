#!/usr/bin/env bash
# The two Debian packages: control fields (dpkg-deb -f, as dpkg-shlibdeps and
# CPack wrote them), contents, and the bfload package's dependency closure,
# which must hold no LLVM, clang or ANTLR package: hosts get the loader only.
#   test_deb.sh PACKAGES_DIR VERSION
# The closure comes from `apt-cache depends --recurse` on the package's
# Depends: the same resolution apt does on a host, without installing
# anything here (e2e.deb_fresh_root installs it into a fresh root).
set -uo pipefail
dir=$1 version=$2
status=0
fail() {
  echo "FAIL: $*" >&2
  status=1
}

bfc_deb=$(ls "$dir"/bfc_*.deb 2>/dev/null)
bfload_deb=$(ls "$dir"/bfload_*.deb 2>/dev/null)
[ -f "$bfc_deb" ] && [ -f "$bfload_deb" ] || { echo "FAIL: no bfc/bfload .deb in $dir" >&2; exit 1; }
dpkg-deb -I "$bfload_deb"

for deb in "$bfc_deb" "$bfload_deb"; do
  name=$(basename "$deb" | cut -d_ -f1)
  [ "$(dpkg-deb -f "$deb" Package)" = "$name" ] || fail "$deb: Package is not $name"
  [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "$deb: Version $(dpkg-deb -f "$deb" Version), project $version"
  for field in Maintainer Description Section Priority Architecture Depends; do
    [ -n "$(dpkg-deb -f "$deb" "$field")" ] || fail "$deb: no $field"
  done
  dpkg-deb -f "$deb" Depends | grep -q 'libc6 (>=' || fail "$deb: Depends has no versioned libc6: shlibdeps did not run"
done

# package_deps DEB: the package names its Depends lists (alternatives too).
package_deps() {
  dpkg-deb -f "$1" Depends | tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/:any//; s/ //g' | grep -v '^$'
}
package_deps "$bfc_deb" | grep -q '^libllvm19$' || fail "bfc does not depend on libllvm19"
package_deps "$bfc_deb" | grep -q '^libantlr4-runtime' || fail "bfc does not depend on the ANTLR runtime"
package_deps "$bfload_deb" | grep -q '^libbpf1$' || fail "bfload does not depend on libbpf1"

forbidden='llvm|clang|antlr'
direct=$(package_deps "$bfload_deb" | grep -Ei "$forbidden")
[ -z "$direct" ] || fail "bfload depends directly on $direct"
# shellcheck disable=SC2046
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances $(package_deps "$bfload_deb") 2>&1 |
  grep -v '^ ' | sort -u)
grep -q '^libbpf1$' <<<"$closure" || fail "apt-cache knows no libbpf1 (run apt-get update): $closure"
echo "bfload's dependency closure: $(xargs <<<"$closure")"
bad=$(grep -Ei "$forbidden" <<<"$closure")
[ -z "$bad" ] || fail "bfload's dependency closure holds $(xargs <<<"$bad")"

# Contents: each package holds its own tools and nothing of the other's.
contents() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|'; }
for path in /usr/bin/bfload /usr/share/man/man8/bfload.8.gz \
  /usr/share/bash-completion/completions/bfload \
  /usr/lib/systemd/system/bfload-ruleset.service \
  /usr/share/doc/bfload/copyright /usr/share/doc/bfload/changelog.gz; do
  contents "$bfload_deb" | grep -qx "$path" || fail "bfload lacks $path"
done
for path in /usr/bin/bfc /usr/bin/bfc-run /usr/share/man/man1/bfc.1.gz \
  /usr/share/man/man1/bfc-run.1.gz /usr/share/bash-completion/completions/bfc \
  /usr/share/doc/bfc/copyright /usr/share/doc/bfc/changelog.gz \
  /usr/share/doc/bfc/examples/host-firewall.bf /usr/share/doc/bfc/docs/language.md; do
  contents "$bfc_deb" | grep -qx "$path" || fail "bfc lacks $path"
done
extra=$(contents "$bfload_deb" | grep -E '/bin/bfc|bfc-run|/man1/|examples' )
[ -z "$extra" ] || fail "bfload holds the compiler's files: $extra"
extra=$(contents "$bfc_deb" | grep -E '/bin/bfload|bfload\.8|completions/bfload|systemd')
[ -z "$extra" ] || fail "bfc holds the loader's files: $extra"

# The loader binary itself links no LLVM or ANTLR library.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$bfload_deb" "$work"
needed=$(readelf -d "$work/usr/bin/bfload" | grep NEEDED)
echo "bfload NEEDED: $(grep -o '\[.*\]' <<<"$needed" | xargs)"
! grep -Eqi "$forbidden" <<<"$needed" || fail "bfload links $needed"
exit $status
