#!/bin/sh
# Build qemu-system-x86_64 with vsgx as the SGX unit of its TCG CPUs:
# fetch Debian's QEMU source, apply the series in qemu/patches/, configure
# x86_64-softmmu only against this tree's libvsgx (uninstalled), and build
# with ccache when present. A finished build is reused while the QEMU
# version, the series and the configuration stay the same.
# Usage: qemu/build.sh VSGX_BUILD_DIR CACHE_DIR
# Prints the path of the built qemu-system-x86_64.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vsgx_build=$(cd "${1:?usage: qemu/build.sh VSGX_BUILD_DIR CACHE_DIR}" && pwd)
cache=${2:?usage: qemu/build.sh VSGX_BUILD_DIR CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
series_dir="$here/patches/7.2"
series="$series_dir/series"
made_on=$(sed -n 's/^# made on Debian qemu //p' "$series")

if [ ! -f "$vsgx_build/meson-uninstalled/vsgx-uninstalled.pc" ]; then
	echo "qemu/build.sh: no libvsgx in $vsgx_build (build vsgx first: make build)" >&2
	exit 1
fi

src=$("$here/fetch.sh" "$cache")
version=$(basename "$(ls "$src"/.vsgx-fetched-* | head -1)" | sed 's/^\.vsgx-fetched-//')

# Apply the series on a pristine copy once; a changed series starts over.
# shellcheck disable=SC2046 # one word per patch file; their names have no spaces
key=$(cat "$series" $(sed -e '/^#/d' -e "s|^|$series_dir/|" "$series") | sha256sum | cut -c1-16)
work="$cache/qemu-$key"
if [ ! -f "$work/.vsgx-patched" ]; then
	rm -rf "$cache"/qemu-*/ 2>/dev/null || true
	cp -a "$src" "$work"
	for p in $(sed '/^#/d' "$series"); do
		if ! patch -d "$work" -p1 --forward --batch --quiet <"$series_dir/$p" >"$cache/patch.log" 2>&1; then
			echo "qemu/build.sh: $p does not apply to Debian qemu $version" >&2
			echo "qemu/build.sh: the series is for Debian qemu $made_on; see $cache/patch.log:" >&2
			tail -5 "$cache/patch.log" >&2
			rm -rf "$work"
			exit 1
		fi
	done
	touch "$work/.vsgx-patched"
fi

build="$cache/build-$key"
cc=gcc
command -v ccache >/dev/null 2>&1 && cc="ccache gcc"
if [ ! -f "$build/build.ninja" ]; then
	rm -rf "$cache"/build-*/ 2>/dev/null || true
	mkdir -p "$build"
	# The smallest QEMU that boots a Linux guest with SGX: one target, no
	# tools, docs or optional libraries; vsgx required, not guessed.
	if ! (cd "$build" && PKG_CONFIG_PATH="$vsgx_build/meson-uninstalled" \
		"$work/configure" --target-list=x86_64-softmmu \
		--without-default-features --enable-tcg --enable-vsgx \
		--disable-docs --disable-tools --disable-werror \
		--cc="$cc" --extra-ldflags="-Wl,-rpath,$cache/lib" \
		>"$cache/configure.log" 2>&1); then
		echo "qemu/build.sh: configure failed; the last lines of $cache/configure.log:" >&2
		tail -15 "$cache/configure.log" >&2
		rm -rf "$build"
		exit 1
	fi
fi
# QEMU loads libvsgx from its own copy, taken at every build, so that a
# rebuild of vsgx cannot pull the library from under a running guest.
mkdir -p "$cache/lib"
rm -f "$cache/lib/libvsgx.so"*
for f in "$vsgx_build"/src/lib/libvsgx.so*; do
	[ -d "$f" ] || cp -P "$f" "$cache/lib/"
done
if ! ninja -C "$build" qemu-system-x86_64 >"$cache/build.log" 2>&1; then
	echo "qemu/build.sh: the QEMU build failed; the errors in $cache/build.log:" >&2
	grep -E 'error|FAILED' "$cache/build.log" | head -20 >&2
	exit 1
fi
echo "$build/qemu-system-x86_64"
