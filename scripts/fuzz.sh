#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every libFuzzer target of a build for a while.
#
#   scripts/fuzz.sh BUILD_DIR SECONDS
#
# Each BUILD_DIR/tests/fuzz/fuzz-* binary runs for SECONDS with a corpus
# seeded from the test vectors ($VECTORS, else ../shared/vectors beside the
# source tree). The corpus persists in BUILD_DIR/tests/fuzz/corpus-NAME, so
# later runs start where earlier ones stopped; crashes are saved as
# BUILD_DIR/tests/fuzz/crash-*. Exits nonzero if any target fails.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
seconds=$2
case $seconds in
'' | *[!0-9]*)
	echo "$0: SECONDS must be a whole number, not '$seconds'" >&2
	exit 2
	;;
esac

srcdir=$(cd "$(dirname "$0")/.." && pwd)
vectors=${VECTORS:-$srcdir/../shared/vectors}
fuzzdir=$build/tests/fuzz

# seed CORPUS: copy the vectors, traces and VM configs in, so fuzzing starts from real inputs.
seed() {
	mkdir -p "$1"
	[ -d "$vectors" ] || return 0
	for f in "$vectors"/*.sgxs "$vectors"/*.sig "$vectors"/*.bin "$srcdir"/tests/traces/*.trace \
		"$srcdir"/tests/vm/*.cfg "$srcdir"/examples/*.vsgx "$srcdir"/tests/fuzz/*.jsonl; do
		[ -f "$f" ] && cp -f "$f" "$1/"
	done
	return 0
}

found=0
failed=0
for bin in "$fuzzdir"/fuzz-*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		continue
	fi
	found=$((found + 1))
	name=$(basename "$bin")
	corpus=$fuzzdir/corpus-$name
	seed "$corpus"
	echo "== $name: $seconds s, corpus $corpus"
	if "$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$fuzzdir/" "$corpus" >"$fuzzdir/$name.log" 2>&1; then
		tail -n 3 "$fuzzdir/$name.log"
	else
		failed=$((failed + 1))
		echo "!! $name failed; the end of $fuzzdir/$name.log:"
		tail -n 40 "$fuzzdir/$name.log"
	fi
done

if [ "$found" -eq 0 ]; then
	echo "$0: no fuzz targets in $fuzzdir; set up the build with" \
		"'CC=clang meson setup $build -Dfuzz=true'" >&2
	exit 2
fi
echo "fuzz: $found targets, $failed failed"
[ "$failed" -eq 0 ]
