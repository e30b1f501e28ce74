#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3
  llvm-19-dev clang-19 llvm-19-tools libclang-rt-19-dev
  antlr4 libantlr4-runtime-dev uuid-dev default-jre-headless
  libbpf-dev libelf-dev zlib1g-dev libzstd-dev bpftool
  libcli11-dev nlohmann-json3-dev libfmt-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  iproute2 iputils-ping socat clang-format
  # bfc import's equivalence test loads its dumps with real iptables
  iptables
  python3-prometheus-client
  # the SARIF schema test (test/lit/Diagnostics)
  python3-jsonschema
  # packaging and its tests: CPack's DEB generator (dpkg-shlibdeps, file),
  # lintian, man page rendering, bash completion, systemd-analyze verify
  dpkg-dev file lintian man-db groff-base bash-completion systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
