#!/bin/sh
# SPDX-License-Identifier: MIT
# The defects tests/prop/scengen.py found, each as the smallest scenario
# that failed before its fix: run with --audit, every expectation must hold.
# Env: VSGX, VSGX_VECTORS, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/../cli/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
files=$(ls "$SRC"/tests/prop/regress/*.vsgx)
echo "1..$(echo "$files" | grep -c .)"
for f in $files; do
	name=$(basename "$f" .vsgx)
	if ! have_vectors; then
		skip "regression $name" "no test vectors (set VSGX_VECTORS)"
		continue
	fi
	run run --quiet --audit --vectors "$V" "$f"
	check "regression $name: every expectation and the audit hold" expect_out 0 '^== report'
done
