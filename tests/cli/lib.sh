# SPDX-License-Identifier: MIT
# Shared by the tests/cli scripts: TAP test points and running vsgx.
# Source it after 'set -u'; env: VSGX (the binary), VSGX_VECTORS (vectors).

: "${VSGX:?set VSGX to the vsgx binary}"
V=${VSGX_VECTORS:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# check DESC CMD...: one test point from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run ARGS...: run vsgx, keeping stdout, stderr and the exit status.
run() {
	"$VSGX" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# expect STATUS TEXT: the last run exited STATUS, said TEXT on stderr and nothing on stdout.
expect() {
	if [ "$status" -eq "$1" ] && grep -qF -- "$2" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		return 0
	fi
	echo "# exit $status, stderr: $(cat "$tmp/err")"
	return 1
}

# expect_out STATUS PATTERN: the last run exited STATUS and a stdout line matches PATTERN (ERE).
expect_out() {
	if [ "$status" -eq "$1" ] && grep -qE -- "$2" "$tmp/out"; then
		return 0
	fi
	echo "# exit $status, stdout: $(cat "$tmp/out"), stderr: $(cat "$tmp/err")"
	return 1
}

have_vectors() { [ -n "$V" ] && [ -r "$V/synthetic.sgxs" ]; }
