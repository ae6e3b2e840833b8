#!/bin/bash
# The guest tests: an unmodified Debian 12 kernel on QEMU's software CPU with
# vsgx as its SGX unit. Boots the guest of guest/build.sh several ways and
# prints TAP, one line per check, with exact expectations.
# Usage: tests/qemu/guest.sh QEMU GUEST_OUT LOG_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
qemu=${1:?usage: guest.sh QEMU GUEST_OUT LOG_DIR}
out=${2:?usage: guest.sh QEMU GUEST_OUT LOG_DIR}
logs=${3:?usage: guest.sh QEMU GUEST_OUT LOG_DIR}
limit=${GUEST_TIMEOUT:-600}
mkdir -p "$logs"
# shellcheck source=tests/qemu/lib.sh
. "$here/lib.sh"

n=0
failed=0
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=$((failed + 1))
	fi
}
has() { tr -d '\r' <"$1" | grep -qF -- "$2"; }
lacks() { ! has "$@"; }
count_is() { [ "$(tr -d '\r' <"$1" | grep -cF -- "$2")" = "$3" ]; }
info_is() { vsgx_info "$1" | grep -qxF -- "$2"; }
status_is() { [ "$(vsgx_tap_status "$1" "$2" "$3")" = "$4" ]; }

# Two vCPUs on two NUMA nodes, each node with 512 MiB of RAM and a 32 MiB EPC
# section: the guest's EPC (64 MiB) is smaller than the oversubscription
# tests' enclaves, so the kernel's reclaimer runs (EBLOCK, ETRACK, EWB, ELDU).
cpu_sgx="+sgx,+sgxlc,+sgx1,+sgx2,+sgx-exinfo,+sgx-debug,+sgx-mode64,+sgx-provisionkey,+sgx-tokenkey"
machine() { # EXTRA-CPU-FEATURES EXTRA-MACHINE-PROPERTIES
	echo "-accel tcg,thread=multi -smp 2 -m 1G -cpu Skylake-Client-v4,$cpu_sgx$1"
	echo "-object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M"
	echo "-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1"
	echo "-object memory-backend-epc,id=epc0,size=32M -object memory-backend-epc,id=epc1,size=32M"
	echo "-M q35,sgx-epc.0.memdev=epc0,sgx-epc.0.node=0,sgx-epc.1.memdev=epc1,sgx-epc.1.node=1$2"
}

boot() { # NAME RUN TESTS EXTRA-CPU EXTRA-MACHINE [more qemu args]
	local name=$1 run=$2 tests=$3 cpu=$4 mach=$5
	shift 5
	# shellcheck disable=SC2046
	QEMU=$qemu GUEST_QUIET=1 GUEST_RUN=$run GUEST_TESTS=$tests \
		"$root/guest/run.sh" "$out" "$limit" "$logs/$name.log" -- \
		$(machine "$cpu" "$mach") "$@" 2>"$logs/$name.err" >/dev/null
}

selftests=(unclobbered_vdso unclobbered_vdso_oversubscribed unclobbered_vdso_oversubscribed_remove
	clobbered_vdso clobbered_vdso_and_user_function tcs_entry pte_permissions tcs_permissions
	epcm_permissions augment augment_via_eaccept tcs_create remove_added_page_no_eaccept
	remove_added_page_invalid_access remove_added_page_invalid_access_after_eaccept
	remove_untouched_page)
# The tests that need SGX2 (EAUG, EMODPR, EMODT, EACCEPT) and skip without it.
sgx2_only=" unclobbered_vdso_oversubscribed_remove tcs_permissions epcm_permissions augment"
sgx2_only+=" augment_via_eaccept tcs_create remove_added_page_no_eaccept remove_added_page_invalid_access"
sgx2_only+=" remove_added_page_invalid_access_after_eaccept remove_untouched_page "

expect_boot() { # LOG: the guest found both EPC sections on both nodes
	local log=$1 name=$2
	check "$name: the guest reaches its init and finishes" vsgx_reached "$log" VSGX-DONE
	check "$name: EPC section 0 at 0x100000000-0x101ffffff" has "$log" "sgx: EPC section 0x100000000-0x101ffffff"
	check "$name: EPC section 1 at 0x102000000-0x103ffffff" has "$log" "sgx: EPC section 0x102000000-0x103ffffff"
	check "$name: node 0 has 33554432 bytes of EPC" info_is "$log" "node0/x86/sgx_total_bytes: 33554432"
	check "$name: node 1 has 33554432 bytes of EPC" info_is "$log" "node1/x86/sgx_total_bytes: 33554432"
	check "$name: /dev/sgx_enclave is there" info_is "$log" "/dev/sgx_enclave: present"
	check "$name: /dev/sgx_provision is there" info_is "$log" "/dev/sgx_provision: present"
	check "$name: no /dev/sgx_vepc (TCG has no VMX)" info_is "$log" "/dev/sgx_vepc: absent"
}

expect_selftests() { # LOG NAME SGX2(yes|no)
	local log=$1 name=$2 sgx2=$3 t want
	for t in "${selftests[@]}"; do
		want=pass
		[ "$sgx2" = no ] && [[ $sgx2_only == *" $t "* ]] && want=skip
		check "$name: test_sgx enclave.$t: $want" status_is "$log" selftests "enclave.$t" "$want"
	done
	check "$name: test_sgx exits 0" [ "$(vsgx_section_rc "$log" selftests)" = 0 ]
}

# 1. SGX2: all 16 selftests, and the abort page.
boot sgx2 all "" "" ""
expect_boot "$logs/sgx2.log" sgx2
expect_selftests "$logs/sgx2.log" sgx2 yes
for t in "the vDSO exports __vdso_sgx_enter_enclave" "build an enclave through /dev/sgx_enclave"; do
	check "sgx2: abort-page: $t" status_is "$logs/sgx2.log" abort "$t" pass
done
check "sgx2: an enclave page read from outside enclave mode is all ones" \
	has "$logs/sgx2.log" "enclave pages read as 0xff outside enclave mode (10 pages, 0 bytes differ)"
check "sgx2: a write from outside enclave mode is dropped" \
	has "$logs/sgx2.log" "writes outside enclave mode are dropped (0 bytes differ after writing zeroes)"

# 2. SGX1 only (-sgx2): the SGX2 tests skip as on SGX1 hardware.
boot sgx1 selftests "" ",-sgx2" ""
expect_boot "$logs/sgx1.log" sgx1
expect_selftests "$logs/sgx1.log" sgx1 no

# 3. No flexible launch control: the driver declines /dev/sgx_enclave.
boot no-sgxlc none "" ",-sgxlc" ""
check "no-sgxlc: the kernel says launch control is missing" has "$logs/no-sgxlc.log" \
	"SGX disabled: SGX launch control CPU feature is not available, /dev/sgx_enclave disabled."
check "no-sgxlc: no /dev/sgx_enclave" info_is "$logs/no-sgxlc.log" "/dev/sgx_enclave: absent"

# 4. Firmware leaves IA32_FEATURE_CONTROL unlocked: the kernel locks it with
#    SGX enabled (ENCLS would #GP otherwise) and enclaves run.
boot fc-unlocked selftests unclobbered_vdso "" ",x-sgx-feature-control=0"
check "fc-unlocked: /dev/sgx_enclave is there" info_is "$logs/fc-unlocked.log" "/dev/sgx_enclave: present"
check "fc-unlocked: test_sgx enclave.unclobbered_vdso passes" \
	status_is "$logs/fc-unlocked.log" selftests enclave.unclobbered_vdso pass

# 5. Firmware locked IA32_FEATURE_CONTROL without SGX_ENABLE.
boot fc-disabled none "" "" ",x-sgx-feature-control=1"
check "fc-disabled: the kernel says SGX is disabled by BIOS" has "$logs/fc-disabled.log" "SGX disabled by BIOS."
check "fc-disabled: no /dev/sgx_enclave" info_is "$logs/fc-disabled.log" "/dev/sgx_enclave: absent"

# 6. system_reset over QMP with an enclave alive: the guest boots again,
#    sanitizes its EPC again, and the selftests pass again.
sock=$logs/reset.qmp
rm -f "$sock"
log=$logs/reset.log
GUEST_REBOOT=1 boot reset selftests,hold "" "" "" -qmp "unix:$sock,server=on,wait=off" &
pid=$!
qmp=("$here/qmp.py" "$sock")
check "reset: an enclave is alive after the first boot's selftests" "${qmp[@]}" wait-log "$log" VSGX-HOLD 1 "$limit"
"${qmp[@]}" query-sgx >"$logs/reset.query-sgx" 2>&1
check "reset: query-sgx reports the model's SGX1, SGX2, FLC and both sections" grep -qxF \
	'{"flc": true, "section-size": 67108864, "sections": [{"node": 1, "size": 33554432}, {"node": 0, "size": 33554432}], "sgx": true, "sgx1": true, "sgx2": true}' \
	"$logs/reset.query-sgx"
check "reset: system_reset is accepted" "${qmp[@]}" system_reset
check "reset: the guest boots again and holds an enclave again" "${qmp[@]}" wait-log "$log" VSGX-HOLD 2 "$limit"
"${qmp[@]}" quit >/dev/null 2>&1
wait "$pid"
check "reset: two boots reached init" count_is "$log" VSGX-INIT 2
check "reset: EPC section 0 sanitized on both boots" count_is "$log" "sgx: EPC section 0x100000000-0x101ffffff" 2
check "reset: EPC section 1 sanitized on both boots" count_is "$log" "sgx: EPC section 0x102000000-0x103ffffff" 2
awk '/VSGX-INIT/ { boot++ } boot >= 2' "$log" >"$logs/reset-boot2.log"
expect_selftests "$logs/reset-boot2.log" "reset (second boot)" yes

# 7. Failures are clear and bounded. An EPC vsgx cannot model (nine sections;
#    CPUID 0x12 has room for eight) stops QEMU at once with the reason.
args=() mach=q35
for i in 0 1 2 3 4 5 6 7 8; do
	args+=(-object "memory-backend-epc,id=e$i,size=1M")
	mach+=",sgx-epc.$i.memdev=e$i,sgx-epc.$i.node=0"
done
timeout 60 "$qemu" -nodefaults -display none -monitor none -serial none -accel tcg -m 256M \
	-cpu Skylake-Client-v4,+sgx,+sgx1 "${args[@]}" -M "$mach" -S >"$logs/nine.log" 2>&1
rc=$?
check "nine EPC sections: QEMU exits with status 1" [ "$rc" = 1 ]
check "nine EPC sections: it says why" has "$logs/nine.log" "vsgx: 9 EPC sections; 1 to 8 are supported"

#    A guest that does not reach its init in time: run.sh gives up with 124,
#    the console's tail and the QEMU command line.
QEMU=$qemu GUEST_QUIET=1 "$root/guest/run.sh" "$out" 1 "$logs/late.log" -- \
	-accel tcg -cpu Skylake-Client-v4 >/dev/null 2>"$logs/late.err"
rc=$?
check "a guest late for its init: run.sh exits 124" [ "$rc" = 124 ]
check "a guest late for its init: the console's tail is shown" has "$logs/late.err" "last 40 lines of"
check "a guest late for its init: the QEMU command line is shown" has "$logs/late.err" "command line:"

echo "1..$n"
[ "$failed" = 0 ]
