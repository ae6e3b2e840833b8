#!/bin/sh
# For developers of the series: write the commits of a QEMU git tree since
# BASE (the unpatched Debian source) into qemu/patches/7.2, each with the
# licence note, and rewrite the series file.
# Usage: qemu/export.sh QEMU_GIT_TREE BASE
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: qemu/export.sh QEMU_GIT_TREE BASE}
base=${2:?usage: qemu/export.sh QEMU_GIT_TREE BASE}
out="$here/patches/7.2"
made_on=$(sed -n 's/^# made on Debian qemu //p' "$out/series")
rm -f "$out"/*.patch
git -C "$tree" format-patch -q --no-signature -o "$out" "$base..HEAD"
for p in "$out"/*.patch; do
	# No commit ids (they change with every rebase); the licence in the
	# notes, which git am and patch ignore.
	awk 'NR == 1 && /^From [0-9a-f]+ / { next }
		!done && $0 == "---" {
			print
			print "License: GPL-2.0-or-later, as QEMU: this patch is a derivative work of QEMU"
			print "(see qemu/README.md in vsgx)."
			done = 1
			next
		}
		{ print }' "$p" >"$p.tmp"
	mv "$p.tmp" "$p"
done
{
	echo "# QEMU patch series for vsgx, applied in this order with patch -p1"
	echo "# made on Debian qemu $made_on"
	(cd "$out" && ls ./*.patch | sed 's|^\./||')
} >"$out/series.tmp"
mv "$out/series.tmp" "$out/series"
