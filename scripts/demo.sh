#!/bin/sh
# make demo: load the shared SGX vectors into a modelled processor and show
# what the hardware says about each. Usage: scripts/demo.sh VSGX VECTORS
set -u
vsgx=$1 v=$2
if [ ! -d "$v" ]; then
	echo "vsgx: no vectors at $v; pass VECTORS=/path/to/vectors to make" >&2
	exit 2
fi
step() { printf '\n$ %s\n' "$*"; "$@"; }

echo "vsgx demo: real and synthetic signed enclaves on the modelled SGX processor"
for e in synthetic test_enclave report; do
	step "$vsgx" measure "$v/$e.sgxs" || exit 2
done
echo
echo "# Launch control: a third-party enclave with the power-on (Intel) LE hash"
step "$vsgx" einit "$v/test_enclave.sgxs" "$v/test_enclave.sig"
echo
echo "# ...and with flexible launch control, the kernel writing its signer's hash"
step "$vsgx" einit "$v/test_enclave.sgxs" "$v/test_enclave.sig" --flc || exit 1
step "$vsgx" einit "$v/synthetic.sgxs" "$v/synthetic.sig" --flc || exit 1
echo
echo "# Re-signing synthetic.sgxs with the kselftest key gives a byte-identical SIGSTRUCT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step "$vsgx" sign "$v/synthetic.sgxs" --key "$v/kselftest_sign_key.pem" -o "$tmp/synthetic.sig" \
	--vendor 0 --date 20240101 --attributes 0x4 --xfrm 0x3 \
	--attributes-mask 0xfffffffffffffffd --xfrm-mask 0xffffffffffffff1b \
	--miscselect 0 --miscmask 0xffffffff --isvprodid 0x1234 --isvsvn 1 || exit 1
if cmp -s "$tmp/synthetic.sig" "$v/synthetic.sig"; then
	echo "identical to $v/synthetic.sig"
else
	echo "DIFFERS from $v/synthetic.sig" >&2
	exit 1
fi
