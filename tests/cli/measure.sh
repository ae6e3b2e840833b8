#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx measure: MRENCLAVEs of the vectors, and how bad input is reported.
# Env: VSGX (the binary), VSGX_VECTORS (vectors folder). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"


# measure_vector NAME MRENCLAVE
measure_vector() {
	if ! have_vectors; then
		skip "$1 MRENCLAVE" "no test vectors"
		return
	fi
	run measure "$V/$1"
	check "$1 MRENCLAVE" [ "$status" -eq 0 -a "$(cat "$tmp/out")" = "$2" ]
}

measure_vector synthetic.sgxs b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd
measure_vector test_enclave.sgxs f14a95c99924122d3d31c5cbe42bdd55e7d0bffd8dcb8f72825cc802fbd78d21
# The outside folder's real enclaves (make VECTORS=DIR), when it is there.
X=${VSGX_EXTRA_VECTORS:-}
for e in test_enclave.sgxs:784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc \
	report.sgxs:a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290; do
	if [ -z "$X" ] || [ ! -r "$X/${e%%:*}" ]; then
		skip "outside ${e%%:*} MRENCLAVE" "needs an outside vectors folder (make VECTORS=DIR)"
		continue
	fi
	run measure "$X/${e%%:*}"
	check "outside ${e%%:*} MRENCLAVE" [ "$status" -eq 0 -a "$(cat "$tmp/out")" = "${e#*:}" ]
done

if have_vectors; then
	run measure "$V/synthetic.sgxs"
	check "output is 64 hex digits and a newline, nothing on stderr" \
		[ "$(wc -c <"$tmp/out")" -eq 65 -a ! -s "$tmp/err" ]
else
	skip "output is 64 hex digits and a newline, nothing on stderr" "no test vectors"
fi

# A stream built here: ECREATE(SSAFRAMESIZE 1, SIZE 0x2000), no pages.
zeros() { head -c "$1" /dev/zero; }
ecreate() { printf 'ECREATE\000\001\000\000\000\000\040\000\000\000\000\000\000'; zeros 44; }

ecreate >"$tmp/empty-enclave.sgxs"
run measure "$tmp/empty-enclave.sgxs"
check "an ECREATE-only stream measures to SHA-256 of its one record" \
	[ "$status" -eq 0 -a "$(cat "$tmp/out")" = \
	"$(sha256sum <"$tmp/empty-enclave.sgxs" | cut -d' ' -f1)" ]

run measure "$tmp/missing.sgxs"
check "a missing file: exit 2 and the system's reason" \
	expect 2 "vsgx: $tmp/missing.sgxs: No such file or directory"

: >"$tmp/empty.sgxs"
run measure "$tmp/empty.sgxs"
check "an empty file: exit 2, 'empty stream'" expect 2 "vsgx: $tmp/empty.sgxs: empty stream"

{ ecreate; zeros 36; } >"$tmp/odd.sgxs"
run measure "$tmp/odd.sgxs"
check "a length that is not a multiple of 64: exit 2" \
	expect 2 "stream is 100 bytes, not a multiple of the 64-byte record size"

{ ecreate; printf 'EEXTEND\000'; zeros 56; zeros 256; } >"$tmp/orphan.sgxs"
run measure "$tmp/orphan.sgxs"
check "EEXTEND of a page no EADD added: record and byte named" \
	expect 2 "record 1 at byte 64: EEXTEND offset 0x0 is in a page no EADD added"

{ ecreate; printf 'EEXTEND\000'; zeros 56; } >"$tmp/cut.sgxs"
run measure "$tmp/cut.sgxs"
check "an EEXTEND without its data: exit 2" expect 2 "record 1 at byte 64: EEXTEND is cut short"

{ printf 'EADD\000\000\000\000'; zeros 56; } >"$tmp/noecreate.sgxs"
run measure "$tmp/noecreate.sgxs"
check "a stream that does not start with ECREATE: exit 2" expect 2 "not ECREATE"

# Sizes from the file are checked before anything is read or allocated for them.
run measure /dev/zero
check "/dev/zero: refused at its first record" expect 2 \
	'vsgx: /dev/zero: record 0 at byte 0: the stream starts with "\x00\x00'
{ ecreate; cat /dev/zero; } | timeout 20 "$VSGX" measure /dev/stdin >"$tmp/out" 2>"$tmp/err"
status=$?
check "an endless stream after a valid ECREATE: read only as far as SIZE 0x2000 allows" \
	expect 2 "stream is longer than the 10432 bytes an enclave of SIZE 0x2000 can need"
{ printf 'ECREATE\000\001\000\000\000\000\000\000\000\000\000\001\000'; zeros 44; } >"$tmp/huge.sgxs"
run measure "$tmp/huge.sgxs"
check "ECREATE SIZE 2^48: the file, the field and the limit" expect 2 \
	"vsgx: $tmp/huge.sgxs: record 0 at byte 0: ECREATE SIZE 0x1000000000000 is larger than 0x800000000000 (2^47)"

run measure
check "no file: exit 2 with a usage hint" expect 2 "see 'vsgx measure --help'"

run measure "$tmp/empty-enclave.sgxs" "$tmp/empty-enclave.sgxs"
check "two files: exit 2" expect 2 "expected one FILE.sgxs"

run measure --frobnicate "$tmp/empty-enclave.sgxs"
check "an unknown option: exit 2" expect 2 "unknown option '--frobnicate'"

# expect_help VERB: the last run printed VERB's usage on stdout and exited 0.
expect_help() {
	[ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] && grep -q "usage: vsgx $1" "$tmp/out"
}

run measure --help
check "--help: usage on stdout, exit 0" expect_help measure

echo "1..$n"
