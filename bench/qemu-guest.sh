#!/bin/bash
# Benchmarks of a real guest on QEMU TCG with vsgx as its SGX unit, each a
# ratio to a floor measured in the same guest run (docs/PERFORMANCE.md, "A real
# guest on QEMU TCG with vsgx"):
#   EENTER + EEXIT through the vDSO   vs  a getpid() system call
#   ADD_PAGES with SGX_PAGE_MEASURE   vs  SHA-256 of the same bytes
#   boot to init with SGX             vs  the same machine without SGX
# Boots the guest BOOTS times each three ways, in turn, so that load from
# elsewhere on the host falls on all alike, and prints best and median over
# the boots:
#   sgx    the SGX machine of tests/qemu/guest.sh, vsgx.run=bench
#   nosgx  the same machine without EPC and SGX CPU features (the same bench:
#          its enclave figures skip)
#   nomit  sgx with mitigations=off on the guest's command line: with page
#          table isolation every system call writes CR3 twice, and TCG
#          flushes its whole software TLB at each write, which is most of a
#          getpid() on TCG; EENTER through the vDSO never enters the kernel
# Usage: bench/qemu-guest.sh QEMU GUEST_OUT LOG_DIR [BOOTS]
# Environment: BENCH_ARGS  bench-enclave's arguments, comma-separated
#              (default -n,20000,-k,4096,-r,5: 20,000 calls, 16 MiB, 5 rounds)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
qemu=${1:?usage: qemu-guest.sh QEMU GUEST_OUT LOG_DIR [BOOTS]}
out=${2:?usage: qemu-guest.sh QEMU GUEST_OUT LOG_DIR [BOOTS]}
logs=${3:?usage: qemu-guest.sh QEMU GUEST_OUT LOG_DIR [BOOTS]}
boots=${4:-5}
args=${BENCH_ARGS:--n,20000,-k,4096,-r,5}
mkdir -p "$logs"
# shellcheck source=tests/qemu/lib.sh
. "$root/tests/qemu/lib.sh"

# The machine of tests/qemu/guest.sh (two vCPUs on two NUMA nodes, 32 MiB of
# EPC on each); without SGX it is the same minus the EPC and the CPU features.
sgx_cpu="+sgx,+sgxlc,+sgx1,+sgx2,+sgx-exinfo,+sgx-debug,+sgx-mode64,+sgx-provisionkey,+sgx-tokenkey"
machine() { # sgx|nosgx|nomit
	local cpu=Skylake-Client-v4 epc="" m=q35
	if [ "$1" != nosgx ]; then
		cpu=$cpu,$sgx_cpu
		epc="-object memory-backend-epc,id=epc0,size=32M -object memory-backend-epc,id=epc1,size=32M"
		m=$m,sgx-epc.0.memdev=epc0,sgx-epc.0.node=0,sgx-epc.1.memdev=epc1,sgx-epc.1.node=1
	fi
	echo "-accel tcg,thread=multi -smp 2 -m 1G -cpu $cpu"
	echo "-object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M"
	echo "-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 $epc -M $m"
}

# One boot; appends "KIND N NAME VALUE" lines to $logs/raw (VALUE: the
# guest's best of its rounds, ns; boot_wall and boot_uptime in s).
boot() { # sgx|nosgx|nomit N
	local kind=$1 name=$1-$2 append="vsgx.bench=$args"
	[ "$kind" = nomit ] && append="$append mitigations=off"
	# shellcheck disable=SC2046
	QEMU=$qemu GUEST_QUIET=1 GUEST_RUN=bench GUEST_APPEND=$append \
		"$root/guest/run.sh" "$out" 900 "$logs/$name.log" -- $(machine "$kind") \
		>/dev/null 2>"$logs/$name.err" || { echo "qemu-guest: boot $name failed (see $logs/$name.err)" >&2; return 1; }
	[ "$(vsgx_section_rc "$logs/$name.log" bench)" = 0 ] ||
		echo "qemu-guest: bench-enclave failed in $name (see $logs/$name.log)" >&2
	{
		sed -n 's/^guest\/run: init reached after \([0-9.]*\) s$/boot_wall \1/p' "$logs/$name.err"
		tr -d '\r' <"$logs/$name.log" | sed -n 's/^VSGX-INIT uptime=\([0-9.]*\)$/boot_uptime \1/p'
		vsgx_section "$logs/$name.log" bench | awk '$1 == "bench" && $4 ~ /^best=/ {
			print $2, substr($4, 6) }'
	} | sed "s/^/$kind $2 /" >>"$logs/raw"
}

: >"$logs/raw"
echo "qemu-guest: $boots boots each with SGX, without SGX, and with SGX and mitigations=off, in turn (logs in $logs)"
echo "  with SGX: $qemu $(machine sgx | tr '\n' ' ')"
echo "  bench-enclave ${args//,/ }"
# QEMU finds libvsgx through its RUNPATH (or LD_LIBRARY_PATH): say which.
echo "  libvsgx: $(ldd "$qemu" | awk '/libvsgx/ { print $3; exit }')"
for i in $(seq 1 "$boots"); do
	for kind in sgx nosgx nomit; do
		boot "$kind" "$i" || exit 1
	done
done

# Each figure: best (the least) and median over the boots. Each ratio is
# taken within one boot (in-guest figures) or one turn (boot times: the SGX
# boot and the boot without SGX that follows it), so that both sides saw the
# same load on the host; then the median and the range over the boots.
awk '
	{ v[$1 " " $3] = v[$1 " " $3] " " $4; x[$1 " " $2 " " $3] = $4; if ($2 > nb) nb = $2 }
	function sort(s, a,  n, i, j, t) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n
	}
	function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function row(what, k, unit,  a, n) {
		if ((n = sort(v[k], a)))
			printf "%-44s %10.1f %10.1f  %s\n", what, a[1], med(a, n), unit
	}
	function ratio(what, kn, num, kd, den,  i, s, a, n) {
		s = ""
		for (i = 1; i <= nb; i++)
			if ((kn " " i " " num) in x && (kd " " i " " den) in x && x[kd " " i " " den] > 0)
				s = s " " x[kn " " i " " num] / x[kd " " i " " den]
		if ((n = sort(s, a)))
			printf "%-44s %10.2f %6.2f-%.2f  %d\n", what, med(a, n), a[1], a[n], n
	}
	END {
		printf "%-44s %10s %10s\n", "figure (in the guest unless noted)", "best", "median"
		row("getpid() round trip", "sgx getpid", "ns")
		row("EENTER + EEXIT round trip (vDSO, NOP op)", "sgx eenter", "ns")
		row("ADD_PAGES + MEASURE, per page", "sgx add_measured", "ns")
		row("ADD_PAGES without MEASURE, per page", "sgx add_unmeasured", "ns")
		row("SHA-256 of the page bytes, per page", "sgx sha256_page", "ns")
		row("SHA-256 of the measurement stream, per page", "sgx sha256_stream", "ns")
		row("getpid() round trip, mitigations=off", "nomit getpid", "ns")
		row("EENTER + EEXIT round trip, mitigations=off", "nomit eenter", "ns")
		row("getpid() round trip, without SGX", "nosgx getpid", "ns")
		row("SHA-256 of the page bytes, without SGX", "nosgx sha256_page", "ns")
		row("boot to init, wall (host), with SGX", "sgx boot_wall", "s")
		row("boot to init, wall (host), without SGX", "nosgx boot_wall", "s")
		row("boot to init, guest uptime, with SGX", "sgx boot_uptime", "s")
		row("boot to init, guest uptime, without SGX", "nosgx boot_uptime", "s")
		print ""
		printf "%-44s %10s %10s  %s\n", "ratio (per boot)", "median", "range", "boots"
		ratio("EENTER+EEXIT / getpid", "sgx", "eenter", "sgx", "getpid")
		ratio("EENTER+EEXIT / getpid, mitigations=off", "nomit", "eenter", "nomit", "getpid")
		ratio("ADD_PAGES+MEASURE / SHA-256 of the pages", "sgx", "add_measured", "sgx", "sha256_page")
		ratio("ADD_PAGES+MEASURE / SHA-256 of the stream", "sgx", "add_measured", "sgx", "sha256_stream")
		ratio("ADD_PAGES+MEASURE / ADD_PAGES alone", "sgx", "add_measured", "sgx", "add_unmeasured")
		ratio("boot to init with / without SGX, wall", "sgx", "boot_wall", "nosgx", "boot_wall")
		ratio("boot to init with / without SGX, uptime", "sgx", "boot_uptime", "nosgx", "boot_uptime")
	}' "$logs/raw" | tee "$logs/summary.txt"
