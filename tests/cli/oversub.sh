#!/bin/sh
# SPDX-License-Identifier: MIT
# EPC oversubscription, both ways, through the vsgx command: bad input in
# xl configs and QEMU's memory-backend-epc options (exit 2, the problem and
# the fix named), a trapping VM on a host without the extensions, and
# examples/oversubscribe-trap.vsgx's counts in its report and JSON, and the
# VMM's VA pages counted as their VM's in the report's matrix.
# Env: VSGX, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
echo "1..13"

xl() {
	printf 'name = "a"\ntype = "hvm"\nepc = 16\n%s\n' "$1" >"$tmp/a.cfg"
	run vm layout --host "epc=64M@0 cpus=4" "$tmp/a.cfg"
}

xl 'epc_policy = "oversubscribe"'
check "the extensions on a part without them: exit 2, trap named as the fix" expect 2 'which this host'"'"'s processor lacks; use a host with oversub=1, or epc_oversub = "trap"'
xl 'epc_oversub = "traps"'
check "epc_oversub neither extensions nor trap: exit 2, did you mean trap" expect 2 'epc_oversub = traps: expected "extensions" or "trap" (did you mean '"'"'trap'"'"'?)'
xl 'epc_policy = "balloon"
epc_oversub = "trap"'
check "epc_oversub on a ballooning VM: exit 2" expect 2 'epc_oversub: only an oversubscribed VM has a way of evicting'
xl 'epc_max = 4
epc_oversub = "trap"'
check "epc_oversub = trap alone oversubscribes, on any SGX host: exit 0" expect_out 0 '^vm a: memory'

qemu() {
	printf 'qemu-system-x86_64 -m 256M -cpu host -object memory-backend-epc,id=mem1,size=16M,%s -M sgx-epc.0.memdev=mem1,sgx-epc.0.node=0\n' "$1" >"$tmp/q.args"
	run vm layout --host "epc=64M@0 cpus=4" "$tmp/q.args"
}

qemu 'oversubscribe=tarp'
check "oversubscribe=tarp: exit 2, did you mean trap" expect 2 "Parameter 'oversubscribe' does not accept value 'tarp' (did you mean 'trap'?)"
qemu 'oversubscribe=trap,max-resident=32M'
check "max-resident above size: exit 2" expect 2 'max-resident (32768 KiB) is above size (16384 KiB)'
qemu 'max-resident=4M'
check "max-resident without oversubscribe: exit 2" expect 2 'max-resident: only an oversubscribed backend holds less than its size; add oversubscribe='
qemu 'oversubscribe=trap,max-resident=1M'
check "size more than 8 times max-resident: exit 2" expect 2 'raise max-resident to at least 2M'
qemu 'oversubscribe=extensions'
check "oversubscribe=extensions without them: exit 2" expect 2 'oversubscribe=extensions needs the EPC Oversubscription Extensions'

# The example: exact counts in the report and the JSON.
run run "$SRC/examples/oversubscribe-trap.vsgx"
check "oversubscribe-trap.vsgx runs to success" test "$status" -eq 0
printf 'host epc=64M@0 cpus=4\nvm create v memory=256 epc=16 epc_max=4 epc_oversub=trap\nguest v boot\nguest v build e pages=2000\n' >"$tmp/t.vsgx"
run run --json - "$tmp/t.vsgx"
check "JSON: oversub-mode trap, vmm-trapped-leaves, vmm-evicted-pages" \
	sh -c 'grep -q "\"oversub-mode\": *\"trap\"" "$1" && grep -q "\"vmm-trapped-leaves\": *38099" "$1" &&
		grep -q "\"vmm-evicted-pages\": *978" "$1"' _ "$tmp/out"

# A 16 MiB VM oversubscribed needs 8 VA pages (512 frames each): its own, not the host's.
printf 'host epc=64M@0 epc=64M@1 cpus=4\nvm create v memory=256 epc=16 epc_max=4 epc_oversub=trap\n' >"$tmp/va.vsgx"
run run --json "$tmp/va.jsonl" "$tmp/va.vsgx"
check "matrix: the VMM's 8 VA pages in the VM's row, none under host enclaves" \
	sh -c 'grep -qE "^v +8 \(32 KiB\) +0 \(0 MiB\) +8 \(32 KiB\)$" "$1" &&
		grep -qE "^host enclaves +0 \(0 MiB\) +0 \(0 MiB\) +0 \(0 MiB\)$" "$1"' _ "$tmp/out"
check "JSON: the VA pages in vms, host 0" grep -qF \
	'"vms":{"v":[8,0]},"host":[0,0],"totals":{"total":32768,"free":32760,"used":8,"zombie":0,"bad":0,"host":0,"vms":{"v":8}}}' \
	"$tmp/va.jsonl"
