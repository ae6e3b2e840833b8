#!/bin/sh
# SPDX-License-Identifier: MIT
# libvsgx.so as an emulator's build sees it: it exports exactly the functions
# the public headers processor.h, encls.h and embed.h declare (by gen-map.py,
# and by the compiler's own list of the declarations), nothing internal; and
# pkg-config finds it uninstalled, so that a small program compiles, links
# and runs against it.
# Usage: libvsgx.sh LIBVSGX_SO BUILD_DIR. Env: VSGX_SRCDIR (the source tree).
# Prints TAP.
set -u

lib=${1:?usage: libvsgx.sh LIBVSGX_SO BUILD_DIR}
build=${2:?usage: libvsgx.sh LIBVSGX_SO BUILD_DIR}
src=${VSGX_SRCDIR:?set VSGX_SRCDIR to the source tree}
# The TAP helpers (ok, not_ok, skip, check) and a temporary folder.
. "$src/tests/cli/lib.sh"
have() { command -v "$1" >/dev/null 2>&1; }

inc="$src/include/vsgx"
cc=${CC:-cc}

# Every symbol the library defines for others, without its version.
nm -D --defined-only "$lib" | awk '$3 != "" { sub(/@.*/, "", $3); print $3 }' |
	grep -vx 'VSGX_0' | sort >"$tmp/exported"

# The version script gen-map.py writes for the three headers: the global names.
python3 "$src/src/lib/gen-map.py" "$tmp/map" "$inc/processor.h" "$inc/encls.h" "$inc/embed.h"
sed -n 's/^    \([a-z_0-9]*\);$/\1/p' "$tmp/map" | sort >"$tmp/mapped"

# The compiler's list of the functions the headers declare, static inline ones aside.
printf '#include "vsgx/embed.h"\n' >"$tmp/all.c"
"$cc" -std=c11 -I"$src/include" -fsyntax-only -aux-info "$tmp/aux" "$tmp/all.c" 2>"$tmp/err"
grep -E 'include/vsgx/(processor|encls|embed)\.h:[0-9]+:NC \*/ extern ' "$tmp/aux" |
	sed 's/ (.*//; s/.*[ *]//' | sort -u >"$tmp/declared"

same() {
	if cmp -s "$1" "$2"; then
		return 0
	fi
	diff "$1" "$2" | sed 's/^/# /'
	return 1
}

check "gen-map.py lists functions of the three headers" [ -s "$tmp/mapped" ]
check "the compiler sees the same functions declared as gen-map.py" same "$tmp/declared" "$tmp/mapped"
check "libvsgx exports exactly what the headers declare" same "$tmp/mapped" "$tmp/exported"
for f in vsgx_encls vsgx_enclu vsgx_aex vsgx_enclave_access vsgx_cpu_enclave \
	vsgx_processor_set_epc_written vsgx_processor_section_contents hw_processor_create \
	hw_cpu_set_addr_space hw_cpu_fault; do
	check "exports $f" grep -qx "$f" "$tmp/exported"
done
absent() { ! grep -qx "$1" "$tmp/exported"; }
for f in hw_enter hw_xsave_merge hw_fault_gp epcm_contents crypto_sha256_new; do
	check "does not export $f" absent "$f"
done
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
check "SONAME is libvsgx.so.0" [ "$soname" = libvsgx.so.0 ]

if ! have pkg-config || ! have "$cc"; then
	skip "pkg-config finds vsgx uninstalled" "no pkg-config or $cc"
	skip "a program builds and runs against libvsgx" "no pkg-config or $cc"
	skip "an internal symbol does not link" "no pkg-config or $cc"
	echo "1..$n"
	exit 0
fi

export PKG_CONFIG_PATH="$build/meson-uninstalled"
flags=$(pkg-config --cflags --libs vsgx 2>"$tmp/err")
# A library built with sanitizers needs their runtimes in the program too.
san=
nm -D "$lib" 2>/dev/null | grep -q ' U __asan_init' && san="$san -fsanitize=address"
nm -D "$lib" 2>/dev/null | grep -q ' U __ubsan_handle' && san="$san -fsanitize=undefined"
nm -D "$lib" 2>/dev/null | grep -q ' U __tsan_init' && san="$san -fsanitize=thread"
flags="$flags$san"
flags_ok() { echo "$flags" | grep -q -- '-I.*-lvsgx'; }
check "pkg-config --cflags --libs vsgx works uninstalled" flags_ok

cat >"$tmp/prog.c" <<'EOF'
#include <stdio.h>
#include <string.h>

#include <vsgx/embed.h>

int main(void)
{
	struct hw_processor *p;
	struct hw_desc d;
	struct vsgx_regs r;
	uint64_t epa;

	hw_desc_init_default(&d);
	if (hw_processor_create(&d, &p))
		return 1;
	epa = hw_processor_section(p, 0)->base;
	memset(&r, 0, sizeof(r));
	r.gpr[VSGX_RAX] = SGX_EPA;
	r.gpr[VSGX_RBX] = SGX_PT_VA;
	r.gpr[VSGX_RCX] = epa;
	r.rflags = 2 | HW_RFLAGS_ZF;
	r.cr0 = VSGX_CR0_PE | VSGX_CR0_NE | VSGX_CR0_PG;
	/* EPA returns no code and affects no flag. */
	if (vsgx_encls(hw_processor_cpu(p, 0), &r) || r.gpr[VSGX_RAX] != SGX_EPA ||
	    r.rflags != (2 | HW_RFLAGS_ZF))
		return 2;
	/* EREMOVE returns its code in RAX and clears ZF. */
	r.gpr[VSGX_RAX] = SGX_EREMOVE;
	if (vsgx_encls(hw_processor_cpu(p, 0), &r) || r.gpr[VSGX_RAX] || r.rflags != 2)
		return 2;
	if (!vsgx_processor_section_contents(p, 0) || vsgx_cpu_enclave(hw_processor_cpu(p, 0), NULL))
		return 3;
	printf("vsgx %s\n", vsgx_version());
	hw_processor_destroy(p);
	return 0;
}
EOF
# shellcheck disable=SC2086 # pkg-config's flags are words
if "$cc" -std=c11 -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $flags 2>"$tmp/err" &&
	LD_LIBRARY_PATH="$(dirname "$lib")" "$tmp/prog" >"$tmp/out" 2>>"$tmp/err" &&
	grep -qE '^vsgx [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out"; then
	ok "a program builds and runs against libvsgx through pkg-config"
else
	sed 's/^/# /' "$tmp/err"
	not_ok "a program builds and runs against libvsgx through pkg-config"
fi

# An internal function the model has but the library hides does not link.
cat >"$tmp/internal.c" <<'EOF'
#include <vsgx/embed.h>

int hw_fault_gp(struct hw_cpu *cpu);

int main(void)
{
	return hw_fault_gp(NULL);
}
EOF
# shellcheck disable=SC2086
if "$cc" -std=c11 -o "$tmp/internal" "$tmp/internal.c" $flags 2>"$tmp/err"; then
	not_ok "an internal symbol (hw_fault_gp) does not link"
else
	check "an internal symbol (hw_fault_gp) does not link" \
		grep -q "undefined reference to .hw_fault_gp" "$tmp/err"
fi

echo "1..$n"
