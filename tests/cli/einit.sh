#!/bin/sh
# End-to-end: `vsgx einit` on the shared vectors, with the launch-control
# cases the vectors README lists, and its bad-input exits. Prints TAP.
set -u
V=${VSGX_VECTORS:-}
n=0
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# expect DESC STATUS PATTERN -- CMD...: exit status and a line of output must match.
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

if [ -z "$V" ] || [ ! -f "$V/test_enclave.sgxs" ]; then
	echo "1..0 # SKIP vectors not found (set VSGX_VECTORS)"
	exit 0
fi
echo "1..12"

TE="$V/test_enclave.sgxs $V/test_enclave.sig"
SY="$V/synthetic.sgxs $V/synthetic.sig"
expect "test_enclave, power-on LE hash: SGX_INVALID_EINITTOKEN" 1 \
	'^EINIT: SGX_INVALID_EINITTOKEN \(16\)$' -- "$VSGX" einit $TE
expect "test_enclave MRENCLAVE" 1 \
	'^mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc$' -- "$VSGX" einit $TE
expect "test_enclave --flc: SGX_SUCCESS" 0 '^EINIT: SGX_SUCCESS \(0\)$' -- "$VSGX" einit $TE --flc
expect "test_enclave --flc MRSIGNER" 0 \
	'^mrsigner  fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542$' -- "$VSGX" einit $TE --flc
expect "test_enclave --lehash of its signer: SGX_SUCCESS" 0 '^EINIT: SGX_SUCCESS' -- \
	"$VSGX" einit $TE --lehash fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542
expect "test_enclave --lehash of another signer: SGX_INVALID_EINITTOKEN" 1 'SGX_INVALID_EINITTOKEN' -- \
	"$VSGX" einit $TE --lehash 2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4
expect "synthetic --flc: SGX_SUCCESS, MRENCLAVE" 0 \
	'^mrenclave b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd$' -- "$VSGX" einit $SY --flc
expect "synthetic with test_enclave's SIGSTRUCT: SGX_INVALID_MEASUREMENT" 1 \
	'^EINIT: SGX_INVALID_MEASUREMENT \(4\)$' -- "$VSGX" einit "$V/synthetic.sgxs" "$V/test_enclave.sig" --flc

head -c 1000 "$V/synthetic.sig" >"$tmp/short.sig"
expect "SIGSTRUCT of the wrong size: exit 2" 2 'short.sig: .*1000 bytes' -- "$VSGX" einit "$V/synthetic.sgxs" "$tmp/short.sig"
head -c 100 "$V/synthetic.sgxs" >"$tmp/trunc.sgxs"
expect "truncated SGXS: exit 2" 2 'trunc.sgxs: ' -- "$VSGX" einit "$tmp/trunc.sgxs" "$V/synthetic.sig"
expect "bad --lehash: exit 2" 2 'lehash takes 64 hex digits' -- "$VSGX" einit $SY --lehash 1234
expect "--flc with --lehash: exit 2" 2 'give one' -- \
	"$VSGX" einit $SY --flc --lehash 2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4
[ "$fails" -eq 0 ]
