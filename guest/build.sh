#!/bin/sh
# Turn the .deb files guest/fetch.sh put in CACHE_DIR into a bootable guest:
#   OUT_DIR/vmlinuz    Debian's kernel, as packaged
#   OUT_DIR/initrd.gz  busybox-static, guest/init, the kernel's SGX selftests
#                      (test_sgx static, test_encl.elf), guest/abort-page and
#                      guest/bench-enclave
#   OUT_DIR/stamp      what they were built from; a rerun with the same inputs
#                      does nothing
# Usage: guest/build.sh CACHE_DIR OUT_DIR
# Nothing of Linux is kept in the repository: the selftests are extracted from
# linux-source-6.1 into OUT_DIR/work at build time.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 CACHE_DIR OUT_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cache=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
work=$out/work
export LC_ALL=C

die() { echo "guest/build: $*" >&2; exit 1; }

[ -f "$cache/manifest" ] || die "no $cache/manifest: run guest/fetch.sh $1 first"
deb() {
	f=$(awk -v p="$1" '$1 ~ p { print $2; exit }' "$cache/manifest")
	{ [ -n "$f" ] && [ -f "$cache/$f" ]; } || die "package $1: not in $cache (run guest/fetch.sh $1)"
	echo "$cache/$f"
}
kdeb=$(deb '^linux-image-')
sdeb=$(deb '^linux-source-')
bdeb=$(deb '^busybox-static$')

# Tools, each with the Debian package that has it.
for t in gcc:gcc make:make cpio:cpio gzip:gzip xz:xz-utils dpkg-deb:dpkg; do
	command -v "${t%%:*}" >/dev/null 2>&1 || die "missing ${t%%:*}: install package ${t#*:}"
done
libcrypto=$(gcc -print-file-name=libcrypto.a)
[ -f "$libcrypto" ] || die "missing libcrypto.a: install package libssl-dev"

key=$(cat "$cache/manifest" "$here/build.sh" "$here/init" "$here/abort-page.c" "$here/select-tests.c" "$here/bench-enclave.c" "$here/vdso.h" |
	cat - "$libcrypto" | sha256sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$key" ] &&
	[ -f "$out/vmlinuz" ] && [ -f "$out/initrd.gz" ]; then
	echo "guest/build: $out is up to date"
	exit 0
fi
rm -f "$out/stamp"
mkdir -p "$work"

# Kernel: only ./boot of the package (the modules are not needed: the guest
# uses built-in drivers only).
echo "guest/build: kernel from $(basename "$kdeb")"
rm -rf "$work/kernel"
mkdir -p "$work/kernel"
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work/kernel" ./boot
set -- "$work"/kernel/boot/vmlinuz-*
[ -f "$1" ] || die "$(basename "$kdeb") has no /boot/vmlinuz-*"
kver=${1##*/vmlinuz-}
grep -qx 'CONFIG_X86_SGX=y' "$work/kernel/boot/config-$kver" ||
	die "kernel $kver is not built with CONFIG_X86_SGX=y"
# The vDSO lives inside the compressed kernel: look for its SGX entry point
# in the xz stream (Debian compresses with xz).
off=$(grep -obUaP '\xfd7zXZ\x00' "$1" | head -n 1 | cut -d: -f1)
if [ -n "$off" ] && tail -c +$((off + 1)) "$1" | xz -dc --single-stream 2>/dev/null |
	grep -qa __vdso_sgx_enter_enclave; then
	echo "guest/build: kernel $kver: CONFIG_X86_SGX=y, vDSO has __vdso_sgx_enter_enclave"
else
	die "kernel $kver: no __vdso_sgx_enter_enclave found in its image"
fi
cp "$1" "$out/vmlinuz.new"

# Selftests: only the SGX folder, the harness, the headers they include, and
# what the Makefile runs. Extracting from the 138 MB tarball takes ~15 s, so
# it is kept while the source package is the same.
src=$work/src
if [ "$(cat "$src/.from" 2>/dev/null)" != "$(basename "$sdeb")" ]; then
	echo "guest/build: selftests from $(basename "$sdeb")"
	rm -rf "$src"
	mkdir -p "$src"
	tarball=$(dpkg-deb -c "$sdeb" | awk '/\/usr\/src\/linux-source-.*\.tar\.xz$/ { print $NF; exit }')
	[ -n "$tarball" ] || die "$(basename "$sdeb") has no /usr/src/linux-source-*.tar.xz"
	top=$(basename "$tarball" .tar.xz)
	st=$top/tools/testing/selftests
	dpkg-deb --fsys-tarfile "$sdeb" | tar -xO "$tarball" | nice xz -dc |
		tar -x -C "$src" --strip-components=1 \
			"$st/sgx" "$st/lib.mk" "$st/kselftest.h" "$st/kselftest_harness.h" \
			"$st/x86/check_cc.sh" "$st/x86/trivial_64bit_program.c" \
			"$top/tools/include" "$top/arch/x86/include/asm/sgx.h" \
			"$top/arch/x86/include/asm/enclu.h" "$top/arch/x86/include/uapi/asm/sgx.h" ||
		die "extracting the selftests from $tarball failed"
	basename "$sdeb" >"$src/.from"
fi

obj=$work/sgx
rm -rf "$obj"
mkdir -p "$obj"
sgx=$src/tools/testing/selftests/sgx
echo "guest/build: building the SGX selftests"
nice make -s -C "$sgx" OUTPUT="$obj" >"$work/make.log" 2>&1 ||
	{ tail -n 30 "$work/make.log" >&2; die "make in tools/testing/selftests/sgx failed (log: $work/make.log)"; }
{ [ -f "$obj/test_encl.elf" ] && [ -f "$obj/main.o" ]; } || die "the selftests Makefile built nothing (log: $work/make.log)"
# The guest has no libc: relink test_sgx statically. OpenSSL 3's libcrypto.a
# needs libdl and pthreads; glibc warns about getaddrinfo/dlopen, unused here.
static() {
	nice gcc -static -s -z noexecstack -o "$@" -lcrypto -ldl -pthread >>"$work/link.log" 2>&1 ||
		{ tail -n 30 "$work/link.log" >&2; die "static link of $1 failed (log: $work/link.log)"; }
}
: >"$work/link.log"
cc_ours() {
	nice gcc -std=gnu11 -O2 -g -Wall -fmacro-prefix-map="$sgx/"= \
		-I"$src/tools/include" -I"$sgx" -c "$here/$1.c" -o "$obj/$1.o" ||
		die "compiling guest/$1.c failed"
}
# select-tests.o (our main, with -t) replaces the selftests' main.o.
cc_ours select-tests
static "$obj/test_sgx" "$obj/select-tests.o" "$obj/load.o" "$obj/sigstruct.o" "$obj/call.o" "$obj/sign_key.o"
cc_ours abort-page
static "$obj/abort-page" "$obj/abort-page.o" "$obj/load.o" "$obj/sigstruct.o" "$obj/sign_key.o"
cc_ours bench-enclave
static "$obj/bench-enclave" "$obj/bench-enclave.o" "$obj/load.o" "$obj/sigstruct.o" "$obj/sign_key.o"

# Busybox: one static binary; init makes its applet links at boot.
rm -rf "$work/busybox"
mkdir -p "$work/busybox"
dpkg-deb -x "$bdeb" "$work/busybox"
[ -x "$work/busybox/bin/busybox" ] || die "$(basename "$bdeb") has no /bin/busybox"

root=$work/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/sgx"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "$obj/test_sgx" "$obj/test_encl.elf" "$obj/abort-page" "$obj/bench-enclave" "$root/sgx/"
# The kernel's built-in initramfs already has /dev/console; a node of our own
# also covers kernels without it (needs root, so it is optional).
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

echo "guest/build: initramfs"
(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	gzip -9n >"$out/initrd.gz.new"
mv "$out/vmlinuz.new" "$out/vmlinuz"
mv "$out/initrd.gz.new" "$out/initrd.gz"
echo "$key" >"$out/stamp"
echo "guest/build: $out/vmlinuz ($kver), $out/initrd.gz ($(stat -c %s "$out/initrd.gz") bytes)"
