#!/bin/sh
# SPDX-License-Identifier: MIT
# Run one libFuzzer target a fixed number of times, from the inputs that
# scripts/fuzz.sh seeds its corpora with, and keep nothing: make fuzz-build
# (part of make test) proves that the targets build and run; make stress is
# where they look for bugs.
#
#   tests/fuzz/smoke.sh FUZZER RUNS SRCDIR VECTORS ARTIFACT_DIR
set -eu

if [ $# -ne 5 ]; then
	echo "usage: $0 FUZZER RUNS SRCDIR VECTORS ARTIFACT_DIR" >&2
	exit 2
fi
fuzzer=$1
runs=$2
srcdir=$3
vectors=$4
artifacts=$5

seeds=
for f in "$vectors"/*.sgxs "$vectors"/*.sig "$vectors"/*.bin "$srcdir"/tests/traces/*.trace \
	"$srcdir"/tests/vm/*.cfg "$srcdir"/examples/*.vsgx "$srcdir"/tests/fuzz/*.jsonl; do
	if [ -f "$f" ]; then
		seeds=${seeds:+$seeds,}$f
	fi
done
# One TAP test per target, so the closing summary of make test counts it. A
# fixed seed makes the same runs every time: a failure here is reproducible.
echo "1..1"
if "$fuzzer" -runs="$runs" -seed=1 -artifact_prefix="$artifacts/" \
	${seeds:+-seed_inputs="$seeds"} >&2; then
	echo "ok 1 - $(basename "$fuzzer"): $runs runs"
else
	echo "not ok 1 - $(basename "$fuzzer"): failed; a crash input is in $artifacts"
	exit 1
fi
