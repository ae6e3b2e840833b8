#!/bin/sh
# Install what building and testing vsgx needs on Debian, or say how to.
# Usage: scripts/install-deps.sh [extra Debian packages...]
set -eu

missing=""
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_pc() {
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$1"; then
		missing="$missing $2"
	fi
}

need_cmd cc gcc
need_cmd meson meson
need_cmd ninja ninja-build
need_cmd pkg-config pkg-config
need_pc libcrypto libssl-dev
need_pc cmocka libcmocka-dev
need_pc json-c libjson-c-dev
need_pc libxml-2.0 libxml2-dev
need_pc libedit libedit-dev
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

[ -z "$missing" ] && exit 0
missing=$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "vsgx: installing missing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
	exit 0
fi
echo "vsgx: missing packages:$missing" >&2
echo "vsgx: install them with:  sudo apt-get install -y$missing" >&2
exit 1
