#!/bin/bash
# Boot the guest guest/build.sh made, under a time limit, with the console
# copied to a log file.
# Usage: QEMU=path guest/run.sh OUT_DIR TIMEOUT_SECONDS LOG_FILE -- [qemu args...]
# Environment:
#   QEMU           the qemu-system-x86_64 to run (default: qemu-system-x86_64)
#   GUEST_RUN      what init runs (vsgx.run=...; default all)
#   GUEST_TESTS    selftests to run, comma-separated (vsgx.tests=...; default all)
#   GUEST_APPEND   more kernel command line (e.g. loglevel=7 to undo quiet)
#   QEMU_FIRMWARE  firmware folders passed with -L (default
#                  "/usr/share/seabios /usr/share/qemu": a QEMU built from
#                  Debian's dfsg tarball ships no BIOS of its own)
#   GUEST_QUIET=1  do not copy the console to stdout
#   GUEST_REBOOT=1 let a reset reboot the guest (no -no-reboot): for tests
#                  that reset the machine over QMP
# The qemu args come after run.sh's defaults (-m 1G -smp 2), so they override
# them; everything else (machine, -cpu, -accel, EPC) is the caller's.
# Exit: 0 when init ran and reported VSGX-DONE (whatever the tests said: parse
# the log with tests/qemu/lib.sh); 124 on timeout; 1 otherwise.
set -eu

usage() { echo "usage: QEMU=path $0 OUT_DIR TIMEOUT_SECONDS LOG_FILE -- [qemu args...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
out=$1 limit=$2 log=$3
shift 3
if [ $# -gt 0 ]; then
	[ "$1" = "--" ] || usage
	shift
fi
case $limit in '' | *[!0-9]*) usage ;; esac

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 || { echo "guest/run: no QEMU at '$qemu' (set QEMU=path)" >&2; exit 1; }
for f in vmlinuz initrd.gz; do
	[ -f "$out/$f" ] || { echo "guest/run: no $out/$f: run guest/build.sh first" >&2; exit 1; }
done

fw=()
bios=no
for d in ${QEMU_FIRMWARE-/usr/share/seabios /usr/share/qemu}; do
	[ -d "$d" ] && fw+=(-L "$d")
	[ -f "$d/bios-256k.bin" ] && bios=yes
done
[ "$bios" = yes ] || [ -n "${QEMU_FIRMWARE+set}" ] ||
	{ echo "guest/run: no bios-256k.bin in /usr/share/seabios or /usr/share/qemu: install packages seabios and qemu-system-data" >&2; exit 1; }

# quiet keeps the boot short on a slow serial line; init prints the kernel's
# SGX lines itself. panic=-1 + -no-reboot turns a panic into a QEMU exit.
append="console=ttyS0 quiet panic=-1 vsgx.run=${GUEST_RUN:-all}"
[ -n "${GUEST_TESTS:-}" ] && append="$append vsgx.tests=$GUEST_TESTS"
[ -n "${GUEST_APPEND:-}" ] && append="$append $GUEST_APPEND"

# -nodefaults: no VGA, NIC or disks, so no option ROMs to find and a faster
# boot; the serial port is the only console and goes to stdout.
reboot=(-no-reboot)
[ "${GUEST_REBOOT:-0}" = 1 ] && reboot=()
cmd=("$qemu" "${fw[@]}" "${reboot[@]}" -nodefaults -no-user-config -display none
	-serial stdio -monitor none -m 1G -smp 2
	-kernel "$out/vmlinuz" -initrd "$out/initrd.gz" -append "$append" "$@")

show_failure() {
	echo "guest/run: $1" >&2
	echo "guest/run: last 40 lines of $log:" >&2
	tail -n 40 "$log" | tr -d '\r' | sed 's/^/  | /' >&2
	echo "guest/run: command line:" >&2
	printf ' %q' "${cmd[@]}" >&2
	echo >&2
}

now() { date +%s.%N; }
start=$(now)
: >"$log"
init_at=$log.init-at
rm -f "$init_at"
# Copy the console line by line, to note the wall time init was reached.
set +e
timeout -k 5 "$limit" "${cmd[@]}" </dev/null 2>&1 | {
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line" >>"$log"
		[ "${GUEST_QUIET:-0}" = 1 ] || printf '%s\n' "$line"
		case $line in VSGX-INIT*) [ -f "$init_at" ] || now >"$init_at" ;; esac
	done
}
rc=${PIPESTATUS[0]}
set -e
secs=$(echo "$start $(now)" | awk '{ printf "%.1f", $2 - $1 }')
if [ -f "$init_at" ]; then
	echo "guest/run: init reached after $(echo "$start $(cat "$init_at")" | awk '{ printf "%.1f", $2 - $1 }') s" >&2
	rm -f "$init_at"
fi

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	show_failure "timed out after $limit s"
	exit 124
fi
if ! grep -q '^VSGX-INIT' "$log"; then
	show_failure "the guest never reached /init (QEMU exit status $rc, $secs s)"
	exit 1
fi
if ! grep -q '^VSGX-DONE' "$log"; then
	show_failure "init started but did not finish (QEMU exit status $rc, $secs s)"
	exit 1
fi
echo "guest/run: done in $secs s (QEMU exit status $rc), log: $log" >&2
