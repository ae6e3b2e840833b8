#!/bin/sh
# SPDX-License-Identifier: MIT
# meson install into a temporary DESTDIR: every file is where a user looks for
# it, and the installed vsgx runs and finds its own data without --vectors.
# Args: MESON BUILD_DIR. Env: VSGX (the build's binary). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"

MESON=$1
BUILD=$2
dest=$tmp/dest

"$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$dest" >"$tmp/install.log" 2>&1
check "meson install --destdir: exit 0" [ $? -eq 0 ]
[ -s "$tmp/install.log" ] && sed 's/^/# /' "$tmp/install.log"

# installed NAME: the one installed file called NAME (under any prefix and libdir).
installed() {
	find "$dest" -path "*/$1" | head -n 1
}

bin=$(installed bin/vsgx)
check "the binary: PREFIX/bin/vsgx" [ -x "$bin" ]
prefix=${bin%/bin/vsgx}
for f in share/man/man1/vsgx.1 share/man/man5/vsgx-scenario.5 \
	share/bash-completion/completions/vsgx include/vsgx/embed.h \
	share/vsgx/vectors/synthetic.sgxs share/vsgx/vectors/test_enclave.sig \
	share/vsgx/vectors/sign_key.pem share/vsgx/examples/quickstart.vsgx; do
	check "installed: PREFIX/$f" [ -s "$prefix/$f" ]
done
check "installed: libvsgx.so and vsgx.pc in the libdir" \
	[ -n "$(installed 'libvsgx.so')" -a -n "$(installed 'pkgconfig/vsgx.pc')" ]

# The installed binary runs.
"$bin" --version >"$tmp/v.inst" 2>&1
"$VSGX" --version >"$tmp/v.build" 2>&1
check "the installed vsgx runs: --version as the build's" cmp -s "$tmp/v.inst" "$tmp/v.build"

# ... and finds its data without --vectors or VSGX_VECTORS: the vectors
# installed beside it (a missing file's path says where it looked).
printf 'guest vm1 load e sgxs=$VECTORS/absent.sgxs sig=$VECTORS/absent.sig => ENOENT\n' >"$tmp/where.vsgx"
printf 'vm create vm1 memory=256 epc=8\nguest vm1 boot\n' | cat - "$tmp/where.vsgx" >"$tmp/w.vsgx"
env -u VSGX_VECTORS "$bin" run "$tmp/w.vsgx" >"$tmp/out" 2>"$tmp/err"
check "the installed vsgx: \$VECTORS is its own share/vsgx/vectors" \
	grep -qF "$(cd "$prefix" && pwd -P)/share/vsgx/vectors/absent.sig:" "$tmp/out"
env -u VSGX_VECTORS "$bin" run "$prefix/share/vsgx/examples/quickstart.vsgx" >"$tmp/out" 2>"$tmp/err"
status=$?
check "the installed vsgx runs the installed quickstart without --vectors" \
	expect_out 0 '^node 1: EPC 16384 pages total, 16384 free, 0 used, 0 zombie, 0 bad$'
VSGX_VECTORS=$tmp/elsewhere "$bin" run "$tmp/w.vsgx" >"$tmp/out" 2>"$tmp/err"
check "VSGX_VECTORS still comes first" grep -qF "$tmp/elsewhere/absent.sig:" "$tmp/out"

# The man pages format without a warning.
if command -v groff >/dev/null 2>&1; then
	for m in man1/vsgx.1 man5/vsgx-scenario.5; do
		LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$prefix/share/man/$m" >"$tmp/groff" 2>&1
		check "man $m: groff -ww says nothing" [ ! -s "$tmp/groff" ]
	done
else
	skip "man pages format" "no groff"
	skip "man pages format" "no groff"
fi

# Bash completion: verbs, a verb's options.
if command -v bash >/dev/null 2>&1; then
	comp=$prefix/share/bash-completion/completions/vsgx
	got=$(bash -c '. "$1"; COMP_WORDS=(vsgx m); COMP_CWORD=1; _vsgx; echo "${COMPREPLY[*]}"' sh "$comp")
	check "completion: 'vsgx m' -> measure monitor" [ "$got" = "monitor measure" ]
	got=$(bash -c '. "$1"; COMP_WORDS=(vsgx vm layout --j); COMP_CWORD=3; _vsgx; echo "${COMPREPLY[*]}"' sh "$comp")
	check "completion: 'vsgx vm layout --j' -> --json" [ "$got" = "--json" ]
else
	skip "completion" "no bash"
	skip "completion" "no bash"
fi

echo "1..$n"
