#!/bin/sh
# SPDX-License-Identifier: MIT
# make stress, second half: the concurrency tests again and again under
# ThreadSanitizer, where a rare interleaving gets many chances to show.
#   scripts/soak.sh TSAN_BUILD ROUNDS
set -u
build=$1
rounds=$2
case $rounds in
'' | *[!0-9]*)
	echo "$0: ROUNDS must be a whole number, not '$rounds'" >&2
	exit 2
	;;
esac
fails=0
for i in $(seq "$rounds"); do
	if ! meson test -C "$build" --suite concurrency --num-processes 2 >/dev/null 2>&1; then
		fails=$((fails + 1))
		echo "soak: round $i failed; see $build/meson-logs/testlog.txt" >&2
		break
	fi
done
echo "soak: $rounds rounds of the concurrency tests under ThreadSanitizer, $fails failed"
[ "$fails" -eq 0 ]
