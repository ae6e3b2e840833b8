#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx einit: the vectors' launch-control results, and how bad input is refused.
# Env: VSGX (the binary), VSGX_VECTORS (vectors folder). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"

TE_SIGNER=68fe2d3fdbae0b5fba72861f9b8bdb04cd5bc720211a5223b043a331b3698371
SY_SIGNER=f7d65583760159be9fd56547cffd35bb981899ad502135346af34b4ad41c613c

# einit DESC STATUS PATTERN ARGS...: run 'vsgx einit ARGS' and match a stdout line.
einit() {
	desc=$1 want=$2 pat=$3
	shift 3
	if ! have_vectors; then
		skip "$desc" "vectors not found (set VSGX_VECTORS)"
		return
	fi
	run einit "$@"
	check "$desc" expect_out "$want" "$pat"
}

# einit_bad DESC TEXT ARGS...: exit 2 with TEXT on stderr.
einit_bad() {
	desc=$1 text=$2
	shift 2
	run einit "$@"
	check "$desc" expect 2 "$text"
}

TE="$V/test_enclave.sgxs $V/test_enclave.sig"
SY="$V/synthetic.sgxs $V/synthetic.sig"
# shellcheck disable=SC2086 # $TE and $SY are two paths each.
{
einit "test_enclave, power-on LE hash: SGX_INVALID_EINITTOKEN" 1 \
	'^EINIT: SGX_INVALID_EINITTOKEN \(16\)$' $TE
einit "test_enclave MRENCLAVE" 1 \
	'^mrenclave f14a95c99924122d3d31c5cbe42bdd55e7d0bffd8dcb8f72825cc802fbd78d21$' $TE
einit "test_enclave --flc: SGX_SUCCESS" 0 '^EINIT: SGX_SUCCESS \(0\)$' $TE --flc
einit "test_enclave --flc MRSIGNER" 0 "^mrsigner  $TE_SIGNER\$" $TE --flc
einit "test_enclave --lehash of its signer: SGX_SUCCESS" 0 '^EINIT: SGX_SUCCESS' $TE \
	--lehash "$TE_SIGNER"
einit "test_enclave --lehash of another signer: SGX_INVALID_EINITTOKEN" 1 \
	'^EINIT: SGX_INVALID_EINITTOKEN' $TE --lehash "$SY_SIGNER"
einit "synthetic --flc: SGX_SUCCESS, MRENCLAVE" 0 \
	'^mrenclave b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd$' $SY --flc
einit "synthetic with test_enclave's SIGSTRUCT: SGX_INVALID_MEASUREMENT" 1 \
	'^EINIT: SGX_INVALID_MEASUREMENT \(4\)$' "$V/synthetic.sgxs" "$V/test_enclave.sig" --flc
}

if have_vectors; then
	head -c 1000 "$V/synthetic.sig" >"$tmp/short.sig"
	head -c 100 "$V/synthetic.sgxs" >"$tmp/trunc.sgxs"
	einit_bad "SIGSTRUCT of the wrong size: exit 2" "short.sig: " "$V/synthetic.sgxs" \
		"$tmp/short.sig"
	einit_bad "truncated SGXS: exit 2" "trunc.sgxs: " "$tmp/trunc.sgxs" "$V/synthetic.sig"
	# shellcheck disable=SC2086
	einit_bad "bad --lehash: exit 2" "lehash takes 64 hex digits" $SY --lehash 1234
	# shellcheck disable=SC2086
	einit_bad "--flc with --lehash: exit 2" "give one" $SY --flc --lehash "$SY_SIGNER"
fi
einit_bad "missing files: exit 2" "einit takes an SGXS file and a SIGSTRUCT file"
einit_bad "unreadable SGXS: exit 2" "$tmp/none.sgxs: " "$tmp/none.sgxs" "$tmp/none.sig"

echo "1..$n"
