#!/bin/sh
# SPDX-License-Identifier: MIT
# The real-input corpus (tests/vm/corpus): QEMU, libvirt, cloud-hypervisor
# and Xen inputs copied from their docs, tests and mailing lists, each
# with its source in a comment, run unmodified through 'vsgx vm layout'.
# Each must be accepted, and print exactly its .out (stderr, then stdout).
# A "# vsgx-host: DESC" line gives the host an input needs.
# Env: VSGX (the binary), VSGX_SRCDIR (the source tree). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
cd "$SRC/tests/vm/corpus" || exit 1

total=0
works=0
for f in *.args *.xml ../xl-epc.cfg ../xl-sgx.cfg; do
	total=$((total + 1))
	host=$(sed -n 's/^# vsgx-host: //p' "$f")
	if [ -n "$host" ]; then run vm layout --host "$host" "$f"; else run vm layout "$f"; fi
	want="$f.out"
	[ -f "$want" ] || want=/dev/null
	cat "$tmp/err" "$tmp/out" >"$tmp/all"
	if [ "$status" -eq 0 ] && { [ "$want" = /dev/null ] || cmp -s "$tmp/all" "$want"; }; then
		works=$((works + 1))
		ok "$f works unmodified"
	else
		echo "# exit $status"
		diff "$want" "$tmp/all" | sed 's/^/# /'
		not_ok "$f works unmodified"
	fi
done
echo "# $works of $total real inputs work unmodified"
echo "1..$n"
