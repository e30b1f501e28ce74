#!/usr/bin/env bash
# Builds the Debian packages with CPack into BUILD/packages (the fixture of
# the package tests).   build_packages.sh BUILD
set -euo pipefail
build=$1
rm -rf "$build/packages"
cd "$build"
cpack --config "$build/CPackConfig.cmake" -G DEB
ls "$build"/packages/*.deb
