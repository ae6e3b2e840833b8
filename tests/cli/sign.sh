#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx sign: the synthetic vector signed byte for byte, the options, and how
# bad keys, values and paths are refused.
# Env: VSGX (the binary), VSGX_VECTORS (vectors folder). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"

# bytes FILE OFFSET COUNT: those bytes as hex, no spaces.
bytes() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

if [ -z "$V" ] || [ ! -r "$V/synthetic.sgxs" ] || [ ! -r "$V/sign_key.pem" ]; then
	echo "1..0 # SKIP no test vectors (set VSGX_VECTORS)"
	exit 0
fi
SGXS=$V/synthetic.sgxs
KEY=$V/sign_key.pem

# sign_synthetic OUT [ARGS...]: sign with the README's fields that are not defaults.
sign_synthetic() {
	out=$1
	shift
	run sign "$SGXS" --key "$KEY" -o "$out" --date 20240101 --isvprodid 0x1234 --isvsvn 1 "$@"
}

# The README's fields, spelled out even where they are the defaults.
run sign "$SGXS" --key "$KEY" -o "$tmp/synthetic.sig" --vendor 0 --date 20240101 \
	--attributes 0x4 --xfrm 0x3 --attributes-mask 0xfffffffffffffffd \
	--xfrm-mask 0xffffffffffffff1b --miscselect 0 --miscmask 0xffffffff \
	--isvprodid 0x1234 --isvsvn 1
check "synthetic.sgxs signs to exit 0" [ "$status" -eq 0 -a ! -s "$tmp/err" ]
check "the file is byte-identical to synthetic.sig" cmp -s "$tmp/synthetic.sig" "$V/synthetic.sig"
check "stdout names MRENCLAVE and MRSIGNER" [ "$(cat "$tmp/out")" = "mrenclave b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd
mrsigner f7d65583760159be9fd56547cffd35bb981899ad502135346af34b4ad41c613c" ]

run sign "$SGXS" -k "$KEY" --output "$tmp/short.sig" --date 20240101 --isvprodid 0x1234 --isvsvn 1
check "defaults, short options and decimal/hex give the same file" \
	cmp -s "$tmp/short.sig" "$V/synthetic.sig"

run sign "$SGXS" --key "$KEY" -o "$tmp/dec.sig" --date 20240101 --isvprodid 4660 --isvsvn 0x1
check "decimal 4660 is 0x1234" cmp -s "$tmp/dec.sig" "$V/synthetic.sig"

run sign "$SGXS" --key "$KEY" -o "$tmp/today.sig"
today=$(date +%Y%m%d)
want=$(echo "$today" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')
check "without --date, DATE is today as BCD" [ "$status" -eq 0 -a "$(bytes "$tmp/today.sig" 20 4)" = "$want" ]

run sign "$SGXS" --key "$KEY" -o "$tmp/intel.sig" --vendor 0x8086 --swdefined 7 \
	--miscselect 1 --miscmask 0xfffffffe --attributes 0x6 --xfrm 0xe7 --isvsvn 65535
check "vendor, swdefined, misc, attributes and isvsvn land in their fields" \
	[ "$(bytes "$tmp/intel.sig" 16 4)" = 86800000 -a \
	"$(bytes "$tmp/intel.sig" 40 4)" = 07000000 -a \
	"$(bytes "$tmp/intel.sig" 900 8)" = 01000000feffffff -a \
	"$(bytes "$tmp/intel.sig" 928 16)" = 0600000000000000e700000000000000 -a \
	"$(bytes "$tmp/intel.sig" 1026 2)" = ffff ]

umask 022
sign_synthetic "$tmp/mode.sig"
check "the file is readable by all (umask 022 gives 644)" \
	[ "$(stat -c %a "$tmp/mode.sig")" = 644 ]

echo stale >"$tmp/over.sig"
sign_synthetic "$tmp/over.sig"
check "an existing OUT.sig is replaced" cmp -s "$tmp/over.sig" "$V/synthetic.sig"

# Values out of range or malformed.
mkdir "$tmp/bad"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --vendor 1
check "--vendor 1: exit 2" expect 2 "--vendor 1: EINIT accepts only 0 or 0x8086 (Intel)"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --isvsvn 65536
check "--isvsvn 65536: exit 2" expect 2 "--isvsvn 65536 is too large; the maximum is 0xffff"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --isvprodid 0x10000
check "--isvprodid 0x10000: exit 2" expect 2 "--isvprodid 0x10000 is too large"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --miscselect 0x100000000
check "--miscselect over 32 bits: exit 2" expect 2 "the maximum is 0xffffffff"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --attributes 0x10000000000000000
check "--attributes over 64 bits: exit 2" expect 2 "--attributes 0x10000000000000000 is too large"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --isvsvn -1
check "--isvsvn -1: exit 2" expect 2 "--isvsvn '-1' is not a number"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --xfrm 3x
check "--xfrm 3x: exit 2" expect 2 "--xfrm '3x' is not a number; give decimal or 0x-prefixed hex"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --date 20230229
check "--date 20230229: exit 2" expect 2 "--date '20230229' is not a real date written YYYYMMDD"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --date 2024-01-01
check "--date 2024-01-01: exit 2" expect 2 "is not a real date"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --date 0x20240101
check "--date in hex: exit 2" expect 2 "is not a real date"

# Missing pieces and bad paths.
run sign "$SGXS" -o "$tmp/bad/x.sig"
check "no --key: exit 2" expect 2 "missing --key KEY.pem"
run sign "$SGXS" --key "$KEY"
check "no -o: exit 2" expect 2 "missing -o OUT.sig"
run sign --key "$KEY" -o "$tmp/bad/x.sig"
check "no FILE.sgxs: exit 2" expect 2 "expected one FILE.sgxs, got none"
run sign "$SGXS" -o "$tmp/bad/x.sig" --key
check "--key without a value: exit 2" expect 2 "option '--key' needs a value"
run sign "$SGXS" --key "$KEY" -o "$tmp/bad/x.sig" --frobnicate
check "an unknown option: exit 2" expect 2 "unknown option '--frobnicate'"
run sign "$SGXS" --key "$tmp/none.pem" -o "$tmp/bad/x.sig"
check "a missing key file: exit 2" expect 2 "$tmp/none.pem: cannot open the key: No such file"
run sign "$SGXS" --key "$SGXS" -o "$tmp/bad/x.sig"
check "a key file that is not PEM: exit 2" expect 2 "no PEM private key found"
run sign "$tmp/none.sgxs" --key "$KEY" -o "$tmp/bad/x.sig"
check "a missing SGXS file: exit 2" expect 2 "$tmp/none.sgxs: No such file or directory"
head -c 100 "$SGXS" >"$tmp/short.sgxs"
run sign "$tmp/short.sgxs" --key "$KEY" -o "$tmp/bad/x.sig"
check "a malformed SGXS file: exit 2" expect 2 "$tmp/short.sgxs: stream is 100 bytes"
sign_synthetic "$tmp/nodir/x.sig"
check "OUT.sig in a missing folder: exit 2" expect 2 "$tmp/nodir/x.sig: cannot write: No such file"

# Keys SGX cannot use, made here.
if command -v openssl >/dev/null 2>&1 &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 \
		-out "$tmp/rsa2048.pem" 2>/dev/null &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 \
		-pkeyopt rsa_keygen_pubexp:65537 -out "$tmp/rsa3072-f4.pem" 2>/dev/null &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$tmp/ec.pem" 2>/dev/null; then
	run sign "$SGXS" --key "$tmp/rsa2048.pem" -o "$tmp/bad/x.sig"
	check "a 2048-bit key: exit 2, says what SGX needs" expect 2 \
		"$tmp/rsa2048.pem: RSA key is 2048 bits; SGX needs a 3072-bit RSA key with public exponent 3"
	run sign "$SGXS" --key "$tmp/rsa3072-f4.pem" -o "$tmp/bad/x.sig"
	check "a 3072-bit key with e=65537: exit 2" expect 2 \
		"$tmp/rsa3072-f4.pem: RSA public exponent is 65537; SGX needs"
	run sign "$SGXS" --key "$tmp/ec.pem" -o "$tmp/bad/x.sig"
	check "an EC key: exit 2" expect 2 "$tmp/ec.pem: key is EC, not RSA"
else
	skip "a 2048-bit key: exit 2, says what SGX needs" "openssl cannot make keys"
	skip "a 3072-bit key with e=65537: exit 2" "openssl cannot make keys"
	skip "an EC key: exit 2" "openssl cannot make keys"
fi

check "failed runs left no OUT.sig and no temporary files" [ -z "$(ls -A "$tmp/bad")" ]

# Users' files: what -o names is written, never replaced by something else.
mkdir "$tmp/files"
: >"$tmp/files/target.sig"
ln -s target.sig "$tmp/files/link.sig"
sign_synthetic "$tmp/files/link.sig"
check "-o a symlink: it stays a link, its target gets the SIGSTRUCT" \
	[ "$status" -eq 0 -a -L "$tmp/files/link.sig" ] && cmp -s "$tmp/files/target.sig" "$V/synthetic.sig"
mkfifo "$tmp/files/fifo"
timeout 20 cat "$tmp/files/fifo" >"$tmp/files/from-fifo" &
reader=$!
sign_synthetic "$tmp/files/fifo"
wait "$reader"
check "-o a FIFO: written through, still a FIFO" \
	[ "$status" -eq 0 -a -p "$tmp/files/fifo" ] && cmp -s "$tmp/files/from-fifo" "$V/synthetic.sig"
ln -s /dev/full "$tmp/files/full"
sign_synthetic "$tmp/files/full"
check "-o a device (a link to /dev/full): written through, the write error said, exit 2" \
	expect 2 "$tmp/files/full: cannot write: No space left on device"
check "the link to the device is still a link" [ -L "$tmp/files/full" ]
cp "$SGXS" "$tmp/files/in.sgxs"
run sign "$tmp/files/in.sgxs" --key "$KEY" -o "$tmp/files/in.sgxs"
check "-o the SGXS input: refused, the input kept" \
	expect 2 "$tmp/files/in.sgxs: -o names an input ($tmp/files/in.sgxs)"
check "the input is unchanged" cmp -s "$tmp/files/in.sgxs" "$SGXS"
"$VSGX" sign "$SGXS" --key "$KEY" -o "$tmp/files/target.sig" >/dev/full 2>"$tmp/err"
status=$?
check "stdout on a full device: exit 2, said" [ "$status" -eq 2 ] &&
	grep -qF "vsgx: standard output: cannot write: No space left on device" "$tmp/err"

run sign --help
check "--help: usage on stdout, exit 0" \
	[ "$status" -eq 0 -a ! -s "$tmp/err" -a -n "$(grep 'usage: vsgx sign' "$tmp/out")" ]

echo "1..$n"
