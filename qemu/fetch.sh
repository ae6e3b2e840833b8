#!/bin/sh
# Fetch Debian's QEMU source (the release the series in patches/ is for)
# through a private apt configuration, and unpack it with Debian's own
# patches applied. Nothing of QEMU is committed to this repository.
# Usage: qemu/fetch.sh CACHE_DIR   (prints the unpacked source folder)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: qemu/fetch.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

. "$here/../scripts/apt-private.sh"
if ! apt_private_init "$cache/apt" >"$cache/apt.log" 2>&1; then
	echo "qemu/fetch.sh: cannot read Debian's package lists (see $cache/apt.log)" >&2
	exit 1
fi

# The newest qemu source of the release; the series names the one it was made on.
version=$(apt_private source --print-uris qemu 2>/dev/null | sed -n "s/^'.*' qemu_\(.*\)\.dsc .*/\1/p")
if [ -z "$version" ]; then
	echo "qemu/fetch.sh: Debian has no 'qemu' source package in bookworm (see $cache/apt.log)" >&2
	exit 1
fi
upstream=${version%%-*}
src="$cache/src/qemu-$upstream"
if [ -f "$src/.vsgx-fetched-$version" ]; then
	echo "$src"
	exit 0
fi
rm -rf "$cache/src"
mkdir -p "$cache/src"
if ! (cd "$cache/src" && apt_private source "qemu=1:$version" >"$cache/source.log" 2>&1); then
	echo "qemu/fetch.sh: apt-get source qemu=1:$version failed (see $cache/source.log)" >&2
	exit 1
fi
if [ ! -d "$src" ]; then
	echo "qemu/fetch.sh: qemu 1:$version did not unpack to $src" >&2
	exit 1
fi
touch "$src/.vsgx-fetched-$version"
echo "$src"
