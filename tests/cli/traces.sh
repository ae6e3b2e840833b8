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
echo "1..$((nr + 10))"

for f in $traces; do
	name=$(basename "$f")
	if grep -q '\$VECTORS' "$f" && ! have_vectors; then
		skip "$name" "vectors not found (set VSGX_VECTORS)"
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
expect "\$VECTORS unset: exit 2, says how to set it" 2 \
	'vec\.trace:1:9: \$VECTORS is not set' -- env -u VSGX_VECTORS "$VSGX" trace "$tmp/vec.trace"

printf 'ecreate secs => ok\n' | "$VSGX" trace --quiet - >"$tmp/out" 2>&1
if [ $? -eq 0 ] && [ ! -s "$tmp/out" ]; then ok "stdin, --quiet: exit 0, silent"; else no "stdin, --quiet"; fi

expect "--help: exit 0" 0 '^usage: vsgx trace' -- "$VSGX" trace --help
[ "$fails" -eq 0 ]
