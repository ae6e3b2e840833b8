#!/bin/sh
# SPDX-License-Identifier: MIT
# make stress, last part: 1 TiB of EPC (512 GiB on each of two nodes), a VM
# holding all of it with every EPCM entry written, in at most 16 bytes of
# resident memory a page (4 GiB in all, under the 8 GiB the issue allows)
# and a boot (sanitization of every page) within 10 s, in a release build.
#   scripts/lean.sh RELEASE_BUILD [GIB_PER_NODE]
set -u
build=$1
gib=${2:-512}
case $gib in
'' | *[!0-9]*)
	echo "$0: GIB_PER_NODE must be a whole number, not '$gib'" >&2
	exit 2
	;;
esac
if ! "$build/bench/bench-memory" "$gib" 2 touch check 16 boot 10; then
	echo "lean: $gib GiB x 2 of EPC held by a VM: over 16 bytes a page or a 10 s boot" >&2
	exit 1
fi
echo "lean: $gib GiB x 2 of EPC held by a VM: within 16 bytes a page and a 10 s boot"
