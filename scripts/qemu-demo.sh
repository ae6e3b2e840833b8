#!/bin/sh
# make qemu-demo: an unmodified Debian 12 kernel boots on QEMU's software CPU
# with vsgx as its SGX unit, finds two EPC sections on two NUMA nodes,
# sanitizes them, and runs Linux's own SGX selftests and the abort-page
# check. Usage: scripts/qemu-demo.sh QEMU GUEST_OUT
set -u
qemu=$1 out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
log=$out/qemu-demo.log
cpu="Skylake-Client-v4,+sgx,+sgxlc,+sgx1,+sgx2,+sgx-exinfo,+sgx-debug,+sgx-mode64,+sgx-provisionkey,+sgx-tokenkey"
set -- -accel tcg,thread=multi -smp 2 -m 1G -cpu "$cpu" \
	-object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M \
	-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 \
	-object memory-backend-epc,id=epc0,size=32M -object memory-backend-epc,id=epc1,size=32M \
	-M q35,sgx-epc.0.memdev=epc0,sgx-epc.0.node=0,sgx-epc.1.memdev=epc1,sgx-epc.1.node=1
echo "A Debian 12 guest (linux-image-amd64, unmodified) on QEMU TCG with vsgx as the SGX unit:"
echo "  $qemu $*"
echo
QEMU=$qemu GUEST_QUIET=1 "$here/guest/run.sh" "$out" 900 "$log" -- "$@" 2>/dev/null
rc=$?
# What the guest kernel made of the EPC, then the tests' own TAP.
tr -d '\r' <"$log" | sed -n \
	-e 's/^VSGX-INFO dmesg: \[ *[0-9.]*\] /  kernel: /p' \
	-e 's/^VSGX-INFO \(node[0-9]*\/x86\/sgx_total_bytes.*\)/  sysfs:  \1/p' \
	-e 's/^VSGX-INFO \(\/dev\/sgx_.*\)/  device: \1/p' \
	-e 's/^VSGX-BEGIN selftests/\nLinux'"'"'s SGX selftests (tools\/testing\/selftests\/sgx, test_sgx):/p' \
	-e 's/^VSGX-BEGIN abort/\nAn enclave read and written from outside enclave mode (guest\/abort-page.c):/p' \
	-e 's/^\(not ok [0-9].*\)/  \1/p' -e 's/^\(ok [0-9].*\)/  \1/p' \
	-e 's/^# \(Totals:.*\)/  \1/p'
echo
if [ "$rc" != 0 ]; then
	echo "qemu-demo: the guest did not finish (see $log)"
	exit 1
fi
. "$here/tests/qemu/lib.sh"
vsgx_tap_summary "$log" selftests
vsgx_tap_summary "$log" abort
echo "console: $log"
