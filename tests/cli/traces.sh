#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: `vsgx trace` on every conformance trace in tests/traces/, then
# its failure exits: a wrong expectation (1), a syntax error (2), a missing
# file (2). Env: VSGX, VSGX_SRCDIR, VSGX_VECTORS. Prints TAP.
set -u
V=${VSGX_VECTORS:-}
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# expect DESC STATUS PATTERN -- CMD...: exit status, and a line of output matching PATTERN.
expect() {
	desc=$1 want=$2 pat=$3
	shift 4
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -eq "$want" ] && grep -qE -- "$pat" "$tmp/out"; then
		ok "$desc"
	else
		no "$desc (exit $got, want $want; output:)"
		sed 's/^/# /' "$tmp/out"
	fi
}

have_vectors() { [ -n "$V" ] && [ -f "$V/test_enclave.sgxs" ]; }

traces=$(ls "$SRC"/tests/traces/*.trace 2>/dev/null)
nr=$(echo "$traces" | grep -c .)
echo "1..$((nr + 12))"

for f in $traces; do
	name=$(basename "$f")
	if grep -q '\$VECTORS' "$f" && ! have_vectors; then
		skip "$name" "vectors not found (set VSGX_VECTORS)"
		continue
	fi
	# Intel's launch enclave SIGSTRUCT is in the outside folder only.
	if grep -q 'le_prod_css' "$f"; then
		X=${VSGX_EXTRA_VECTORS:-}
		if [ -z "$X" ] || [ ! -r "$X/le_prod_css.bin" ]; then
			skip "$name" "needs le_prod_css.bin from an outside vectors folder (make VECTORS=DIR)"
			continue
		fi
		expect "$name" 0 ' checks passed$' -- "$VSGX" trace --vectors "$X" "$f"
		continue
	fi
	expect "$name" 0 ' checks passed$' -- "$VSGX" trace "$f"
done

cat >"$tmp/wrong.trace" <<'EOF'
# The second line expects the wrong thing.
ecreate secs                     => ok
eadd p1 secs=secs linaddr=0x40000000 perm=rw => #GP
eremove p1                       => ok
EOF
expect "wrong expectation: exit 1, FILE:LINE: expected X, got Y" 1 \
	'wrong\.trace:3: expected #GP, got ok$' -- "$VSGX" trace "$tmp/wrong.trace"
expect "wrong expectation: the run stops there" 1 \
	'^eadd p1 secs=secs linaddr=0x40000000 perm=rw -> ok$' -- "$VSGX" trace "$tmp/wrong.trace"
"$VSGX" trace "$tmp/wrong.trace" >"$tmp/out" 2>/dev/null
if grep -q '^eremove' "$tmp/out"; then no "nothing runs after a mismatch"; else ok "nothing runs after a mismatch"; fi

printf 'ecreate secs => ok\nexpect enclave secs children=1\n' >"$tmp/field.trace"
expect "wrong expect field: exit 1, names the field" 1 \
	'field\.trace:2: expected children=1, got children=0$' -- "$VSGX" trace "$tmp/field.trace"

printf 'ecreate secs => ok\neadd p1 secs=secs linaddr=0x40000000 prem=rw\n' >"$tmp/syntax.trace"
expect "syntax error: exit 2, FILE:LINE:COL" 2 \
	"syntax\.trace:2:38: eadd has no option 'prem'" -- "$VSGX" trace "$tmp/syntax.trace"
"$VSGX" trace "$tmp/syntax.trace" >"$tmp/out" 2>/dev/null
if [ -s "$tmp/out" ]; then no "a syntax error runs nothing"; else ok "a syntax error runs nothing"; fi

expect "missing file: exit 2" 2 'missing\.trace: No such file' -- \
	"$VSGX" trace "$tmp/missing.trace"

printf 'sgxs e1 $VECTORS/synthetic.sgxs\n' >"$tmp/vec.trace"
expect "\$VECTORS unset: the vectors of the tree vsgx was built from" 0 \
	' checks passed$' -- env -u VSGX_VECTORS "$VSGX" trace "$tmp/vec.trace"

printf 'ecreate secs => ok\n' | "$VSGX" trace --quiet - >"$tmp/out" 2>&1
if [ $? -eq 0 ] && [ ! -s "$tmp/out" ]; then ok "stdin, --quiet: exit 0, silent"; else no "stdin, --quiet"; fi

# SGXS sizes over what the architecture allows: refused before anything is allocated for them.
# sgxs_file LOG2: ECREATE(SIZE 2^LOG2) and one EADD at 0, as ./bigLOG2.sgxs.
sgxs_file() {
	python3 -c 'import struct, sys
e = int(sys.argv[1])
sys.stdout.buffer.write(b"ECREATE\0" + struct.pack("<IQ", 1, 1 << e) + bytes(44)
    + b"EADD" + bytes(4) + struct.pack("<QQ", 0, 0x203) + bytes(40))' "$1" >"$tmp/big$1.sgxs"
}
if have_vectors; then
	sgxs_file 45
	sgxs_file 63
	printf 'host start => ok\nencl load e1 big45.sgxs sig=%s => EFBIG\nhost stats used=0\n' \
		"$V/test_enclave.sig" >"$tmp/big45.trace"
	expect "encl load: SIZE 2^45 over MaxEnclaveSize_64 is EFBIG, nothing kept" 0 \
		' checks passed$' -- "$VSGX" trace "$tmp/big45.trace"
	printf 'host start => ok\nencl load e1 big63.sgxs sig=%s => EFBIG\n' \
		"$V/test_enclave.sig" >"$tmp/big63.trace"
	expect "SIZE 2^63: exit 2 naming the file, the field and the limit" 2 \
		'big63\.trace:2:14: .*big63\.sgxs: record 0 at byte 0: ECREATE SIZE 0x8000000000000000 is larger than 0x800000000000 \(2\^47\)' -- \
		"$VSGX" trace "$tmp/big63.trace"
else
	skip "encl load: SIZE 2^45" "vectors not found (set VSGX_VECTORS)"
	skip "SIZE 2^63" "vectors not found (set VSGX_VECTORS)"
fi

expect "--help: exit 0" 0 '^usage: vsgx trace' -- "$VSGX" trace --help
[ "$fails" -eq 0 ]
