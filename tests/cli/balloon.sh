#!/bin/sh
# SPDX-License-Identifier: MIT
# EPC ballooning end to end: examples/balloon.vsgx's report (exact page
# counts, the guest's evicted pages), its JSON, and bad input: a target
# below zero or not a size (exit 2, nothing run), xl configs with an
# epc_policy vsgx refuses (exit 2), run-time refusals (exit 1, nothing moved).
# Env: VSGX, VSGX_VECTORS, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
echo "1..12"

# Bad input the monitor reads before anything runs: exit 2.
printf 'vm create a memory=256 epc=8 epc_policy=balloon\nvm balloon a -4M\n' >"$tmp/neg.vsgx"
run run "$tmp/neg.vsgx"
check "a target below zero: exit 2, nothing run" expect 2 "neg.vsgx:2:14: '-4M': a balloon target cannot be below zero"
printf 'vm balloon a 3K\n' >"$tmp/odd.vsgx"
run run "$tmp/odd.vsgx"
check "a target of no whole page: exit 2" expect 2 "odd.vsgx:1:14: '3K': a balloon target is a size"
printf 'name = "a"\ntype = "hvm"\nepc = 8\nepc_policy = "oversubscribe"\n' >"$tmp/over.cfg"
run vm layout "$tmp/over.cfg"
check "epc_policy oversubscribe on a part without the extensions: exit 2" expect 2 'epc_policy = "oversubscribe" needs the EPC Oversubscription Extensions'
printf 'name = "a"\ntype = "hvm"\nepc = 8\nepc_max = 16\n' >"$tmp/max.cfg"
run vm layout "$tmp/max.cfg"
check "epc_max without balloon: exit 2" expect 2 'epc_max: only a ballooning or oversubscribed VM has an EPC maximum'
printf 'name = "a"\ntype = "hvm"\nepc = 16\nepc_max = 8\nepc_policy = "balloon"\n' >"$tmp/below.cfg"
run vm layout "$tmp/below.cfg"
check "epc_max below epc: exit 2" expect 2 'epc_max is below epc'

if ! have_vectors; then
	for i in $(seq 7); do skip "balloon $i" "no test vectors (set VSGX_VECTORS)"; done
	exit 0
fi

# A run-time refusal changes nothing: exit 1, the target as it was.
printf 'host epc=64M@0\nvm create a memory=256 epc=8\nguest a boot\nvm balloon a 4M\n' >"$tmp/static.vsgx"
run run "$tmp/static.vsgx"
check "balloon on a static VM: exit 1, EPERM with the fix" grep -qF "expected ok, got EPERM: VM 'a' has epc_policy \"static\"" "$tmp/err"

run run --vectors "$V" "$SRC/examples/balloon.vsgx"
check "balloon.vsgx: vm1 gave 4096 frames, evicting 1909 of its pages" expect_out 0 \
	'^vm balloon vm1 16M -> ok \(target 4096 pages: 4096 given back \(1909 evicted from enclaves first\), 0 taken again; 4096 of 12288 pages reserved\)$'
check "balloon.vsgx: vm2 took them from the host" expect_out 0 \
	'^vm balloon vm2 8192 -> ok \(target 8192 pages: 0 given back \(0 evicted from enclaves first\), 4096 taken again; 8192 of 12288 pages reserved\)$'
check "balloon.vsgx: vm1's enclave reads back as built" expect_out 0 \
	'^guest vm1 verify app -> ok \(5994 pages read back from inside as measured\)$'
check "balloon.vsgx: the report's balloon target and current" expect_out 0 \
	'^vm vm1: running, EPC 48 MiB configured, 12288 pages held, .*, balloon target 12288 current 12288 pages, guest evicted 0 pages$'
check "balloon.vsgx: every page of the host accounted for" expect_out 0 \
	'^node 0: EPC 16384 pages total, 0 free, 16384 used, 0 zombie, 0 bad$'

run run --quiet --json - --vectors "$V" "$SRC/examples/balloon.vsgx"
check "balloon.vsgx --json: the VM's policy, target, reservation and evicted pages" expect_out 0 \
	'"event":"vm","name":"vm1".*"epc-policy":"balloon","balloon-target-pages":12288,"balloon-current-pages":12288,"guest-ballooned-pages":0,"guest-evicted-pages":0'
