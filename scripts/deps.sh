#!/bin/sh
# Checks that the Debian packages pargnn builds with are present; installs the missing
# ones when run as root (apt-get), otherwise prints the exact command and fails.
PKGS="cmake make gcc zlib1g-dev libopenblas-dev libmetis-dev libopenmpi-dev openmpi-bin pkg-config"
# `make fuzz` (sh scripts/deps.sh fuzz) also needs clang, its libFuzzer runtime and OpenMP.
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-14-dev libomp-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "pargnn: missing packages:$missing (no apt-get here: install them with your package manager)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "pargnn: missing packages:$missing" >&2
    echo "pargnn: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "pargnn: installing:$missing" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || {
    echo "pargnn: apt-get install failed for:$missing" >&2; exit 1; }
