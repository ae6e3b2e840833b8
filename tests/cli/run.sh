#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx run and vsgx monitor end to end: every example scenario (their own
# expect lines make them self-checking), the report's page counts, --json
# output that parses, failed expectations (exit 1), scenarios the monitor
# cannot read (exit 2, nothing run), and the interactive monitor.
# Env: VSGX, VSGX_VECTORS, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
examples=$(ls "$SRC"/examples/*.vsgx)
nr=$(echo "$examples" | grep -c .)
echo "1..$((nr + 41))"

for f in $examples; do
	name=$(basename "$f")
	if ! have_vectors; then
		skip "example $name" "no test vectors (set VSGX_VECTORS)"
		continue
	fi
	run run --quiet --audit --vectors "$V" "$f"
	check "example $name runs, every expectation and the audit hold" expect_out 0 '^== report'
done

if ! have_vectors; then
	for i in $(seq 35); do skip "run $i" "no test vectors"; done
	exit 0
fi

# The quickstart's closing report: exact counts per VM and node.
run run --vectors "$V" "$SRC/examples/quickstart.vsgx"
cp "$tmp/out" "$tmp/quick"
check "quickstart: vm1 holds its 32 MiB after the unclean reboot" expect_out 0 \
	'^vm vm1: running, EPC 32 MiB configured, 8192 pages held, 1 enclave, 1 reset \(0 failed\), 0 faults injected, 1 preemption$'
check "quickstart: node 1 has all its pages back" expect_out 0 \
	'^node 1: EPC 16384 pages total, 16384 free, 0 used, 0 zombie, 0 bad$'
check "quickstart: the reset stopped the vCPU inside" expect_out 0 \
	'^guest vm1 reboot unclean -> ok \(remove-all pass 1: epc.0 left 2 SECS pages; pass 2: epc.0 left 0; 1 vCPU stopped inside an enclave\)$'
check "quickstart: query-sgx in QEMU's schema" expect_out 0 \
	'"return":\{"sgx":true,"sgx1":true,"sgx2":true,"flc":true,"sections":\[\{"node":0,"size":33554432\}\]\}'

# The Windows reboot: the second pass, and EBUSY reported.
run run --vectors "$V" "$SRC/examples/windows-reboot.vsgx"
check "windows-reboot: SECS left by pass 1, removed by pass 2" expect_out 0 \
	'remove-all pass 1: epc.0 left 2 SECS pages, epc.1 left 0; pass 2: epc.0 left 0; 1 vCPU stopped inside an enclave'
check "windows-reboot: a reset without stopping vCPUs reports EBUSY" expect_out 0 \
	'returned EBUSY \(SGX_ENCLAVE_ACT\): a vCPU was still inside an enclave'
check "windows-reboot: destroy keeps the pinned SECS as a zombie until section 1 goes" expect_out 0 \
	"^vm destroy win2 -> ok \(2048 EPC pages back to the host; 1 SECS page kept as a zombie until its children's section went, 0 zombie pages left on the host\)\$"
check "quickstart-like destroy: only the page count" grep -q '^vm destroy vm2 -> ok (4096 EPC pages back to the host)$' "$tmp/quick"
# A poisoned page the VM held goes to bad, and the destroy says so.
run run --vectors "$V" "$SRC/examples/memory-errors.vsgx"
check "memory-errors: destroy counts the poisoned page it gave to bad" expect_out 0 \
	'^vm destroy vm1 -> ok \(4096 EPC pages back to the host, 1 of them poisoned and counted bad\)$'

# --json: every line is JSON, with commands, VMs and nodes.
run run --json - --vectors "$V" "$SRC/examples/quickstart.vsgx"
cp "$tmp/out" "$tmp/json"
check "--json -: standard output is JSON lines only, every one parses" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = {e["event"] for e in ev}
assert {"command", "vm", "node"} <= kinds, kinds
q = [e for e in ev if e.get("qmp")]
assert q[0]["qmp"]["return"]["sections"][0]["size"] == 33554432
assert [e for e in ev if e["event"] == "node"][1]["free"] == 16384
' "$tmp/json"

# A failed expectation stops the run with exit 1 and says where.
cat >"$tmp/bad.vsgx" <<'S'
vm create a memory=128 epc=8
expect vm a epc-held=5
vm destroy a
S
run run "$tmp/bad.vsgx"
check "a failed expectation: exit 1, FILE:LINE and the difference" expect_out 1 '^== report'
check "the message says expected and got" grep -qF "bad.vsgx:2: expected epc-held=5, got epc-held=0" "$tmp/err"

# A command that fails without '=>' fails the run.
printf 'vm create a memory=128 epc=100000\n' >"$tmp/big.vsgx"
run run "$tmp/big.vsgx"
check "more EPC than the host: exit 1 with the config's message" grep -qE "^.*big.vsgx:1: expected ok, got EINVAL: " "$tmp/err"

# A guest evicts as many pages as its RAM below 4 GiB has slots for: six
# 2000-page enclaves in 2048 EPC pages evict 9978 (once capped at 8192).
cat >"$tmp/evict.vsgx" <<'EOF2'
host epc=64M@0 cpus=2
vm create vm1 memory=512 vcpus=1 epc=8
guest vm1 boot
guest vm1 build e1 pages=2000
guest vm1 build e2 pages=2000
guest vm1 build e3 pages=2000
guest vm1 build e4 pages=2000
guest vm1 build e5 pages=2000
guest vm1 build e6 pages=2000
expect guest vm1 evicted=9978
guest vm1 verify e1
guest vm1 verify e6
EOF2
run run "$tmp/evict.vsgx"
check "a guest evicts more than 8192 pages, and its enclaves verify" expect_out 0 '^== report: 12 commands, 1 check$'

# No cap on VMs per host (once 64): 300 booted, half destroyed.
{
	echo 'host epc=512M@0 cpus=2'
	i=0; while [ $i -lt 300 ]; do echo "vm create v$i memory=64 vcpus=1 epc=1"; i=$((i + 1)); done
	i=0; while [ $i -lt 300 ]; do echo "guest v$i boot"; i=$((i + 1)); done
	echo 'expect node 0 used=76800'
	i=0; while [ $i -lt 300 ]; do echo "vm destroy v$i"; i=$((i + 2)); done
	echo 'expect node 0 used=38400'
} >"$tmp/many.vsgx"
run run --quiet "$tmp/many.vsgx"
check "300 VMs on one host, 150 destroyed: every page accounted for" expect_out 0 \
	'^== report: 753 commands, 2 checks$'

# Lines the monitor cannot read: exit 2 before anything runs.
printf 'vm create a memory=128 epc=8\nvm frobnicate a\n' >"$tmp/syntax.vsgx"
run run "$tmp/syntax.vsgx"
check "an unknown subcommand: exit 2, nothing run" expect 2 "syntax.vsgx:2:4: unknown vm subcommand 'frobnicate': 'help vm' lists them"
printf 'guest a enter e1 thred=1\n' >"$tmp/opt.vsgx"
run run "$tmp/opt.vsgx"
check "an unknown option: exit 2 naming it" expect 2 "opt.vsgx:1:18: 'thred=1' is no option of 'guest NAME enter"
printf 'vm destroy a => EMAYBE\n' >"$tmp/out.vsgx"
run run "$tmp/out.vsgx"
check "an unknown outcome: exit 2" expect 2 "out.vsgx:1:17: unknown outcome 'EMAYBE'"
run run "$tmp/missing.vsgx"
check "a missing file: exit 2" expect 2 "missing.vsgx: No such file or directory"
printf 'vm create qemu qemu -m 512M -name qemu -object memory-backend-epc,id=m0,size=8M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 -cpu host\n' >"$tmp/q.vsgx"
run run "$tmp/q.vsgx"
check "vm create ... qemu: the options start after the first 'qemu'" expect_out 0 '-> ok \(512 MiB RAM, 1 vCPU, 8 MiB EPC in 1 section\)$'
printf 'vm create a qemu -object memory-backend-epc,id=m0,size=8M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0\nguest a boot => ENODEV\n' >"$tmp/nocpu.vsgx"
run run "$tmp/nocpu.vsgx"
check "vm create without -cpu: QEMU's default model has no SGX, and the detail says how to fix it" expect_out 0 'its CPU has no SGX \(QEMU.s default model has none\): add -cpu host\)$'
printf 'vm create a memory=128 epc 8\n' >"$tmp/w.vsgx"
run run "$tmp/w.vsgx"
check "vm create: a word that is no KEY=VALUE is refused, not dropped" grep -qF "w.vsgx:1: expected ok, got EINVAL: 'epc': vm create takes xl KEY=VALUE words" "$tmp/err"
printf 'vm create a memory=128 epc=0\n' >"$tmp/z.vsgx"
run run "$tmp/z.vsgx"
check "vm create: xl's message without a line of a text nobody wrote" grep -qF "z.vsgx:1: expected ok, got EINVAL: epc = 0: expected a number of MiB" "$tmp/err"
# An SGXS whose SIZE is over the guest's CPUID limit: the file, the field, the limit; nothing kept.
{ printf 'ECREATE\000\001\000\000\000\000\000\000\000\000\040\000\000'; head -c 44 /dev/zero
  printf 'EADD\000\000\000\000'; head -c 8 /dev/zero; printf '\003\002'; head -c 46 /dev/zero; } >"$tmp/huge.sgxs"
printf 'vm create a memory=256 epc=4\nguest a boot\nguest a load x sgxs=huge.sgxs sig=$VECTORS/test_enclave.sig => EFBIG\nexpect guest a epc-free=1024 enclaves=0\n' >"$tmp/huge.vsgx"
run run --vectors "$V" "$tmp/huge.vsgx"
check "guest load: SIZE 2^45 refused naming the file, the field and the limit" expect_out 0 \
	"-> EFBIG \(.*/huge\.sgxs: ECREATE SIZE 0x200000000000 is more than 0x1000000000 \(2\^36\), the largest 64-bit enclave the guest's CPUID allows \(leaf 0x12, EDX\)\)$"
# Users' files: the JSON output never replaces the scenario; output that is lost fails the run.
printf 'vm create a memory=128 epc=8\n' >"$tmp/self.vsgx"
cp "$tmp/self.vsgx" "$tmp/self.orig"
run run --json "$tmp/self.vsgx" "$tmp/self.vsgx"
check "--json SCENARIO SCENARIO: refused, exit 2" expect 2 \
	"$tmp/self.vsgx: --json would overwrite the scenario itself; write to another file"
check "the scenario is unchanged" cmp -s "$tmp/self.vsgx" "$tmp/self.orig"
run run --json /dev/full "$tmp/self.vsgx"
check "--json /dev/full: exit 2, the write error said" grep -qF \
	"vsgx: /dev/full: cannot write: No space left on device" "$tmp/err"
check "--json /dev/full: exit status 2" [ "$status" -eq 2 ]
# A host that cannot be powered on: the reason is one that was written.
printf 'host epc=64G@0\n' >"$tmp/h64.vsgx"
if ldd "$VSGX" 2>/dev/null | grep -q 'lib[at]san'; then
	skip "a processor model without memory: its reason" "sanitizers reserve more address space than the limit"
else
	(ulimit -v 3000000; "$VSGX" run "$tmp/h64.vsgx" >"$tmp/out" 2>"$tmp/err")
	check "a processor model without memory: its reason" grep -qxF \
		"$tmp/h64.vsgx:1: expected ok, got ENOMEM: the processor model cannot be powered on: Cannot allocate memory" "$tmp/err"
fi
# EPC whose metadata this machine cannot hold is refused up front, naming the memory needed.
printf 'host epc=16T@0\n' >"$tmp/h16t.vsgx"
if [ "$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" -ge $((64 * 1024 * 1024)) ]; then
	skip "host epc=16T: the memory it needs" "this machine has 64 GiB or more"
else
	run run "$tmp/h16t.vsgx"
	check "host epc=16T: refused up front with the memory it needs" grep -qF \
		"h16t.vsgx:1: expected ok, got ENOMEM: 16384 GiB of EPC (4294967296 pages) needs 65536 MiB of this machine's memory for the model's metadata (16 bytes a page); it has " "$tmp/err"
fi
# Migration costs what the guest used, not its configured RAM (32 TiB once
# took 38 s, a page-map read per 4 KiB). Not a timed test: the timeout only
# keeps a regression from hanging the suite; the cost is the benchmarks'.
printf 'vm create a qemu -m 32T -object memory-backend-epc,id=m0,size=8M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 -cpu host\nguest a boot\nvm migrate a b\nexpect vm b state=running\n' >"$tmp/m32t.vsgx"
timeout 240 "$VSGX" run "$tmp/m32t.vsgx" >"$tmp/out" 2>"$tmp/err"
status=$?
check "an idle -m 32T guest migrates" expect_out 0 '^vm migrate a b -> ok'
mkdir "$tmp/dir.vsgx"
run run "$tmp/dir.vsgx"
check "a directory: exit 2" expect 2 "dir.vsgx: Is a directory"
# A line longer than the language takes is refused whole, never run in pieces.
{ echo 'vm create victim memory=128 epc=8'
  printf '%04096d vm destroy victim\n' 0
  echo 'expect vm victim state=running'; } >"$tmp/long.vsgx"
run run "$tmp/long.vsgx"
check "run: a line over 4095 bytes is a syntax error" expect 2 "long.vsgx:2:1: the line is longer than 4095 bytes"
"$VSGX" monitor <"$tmp/long.vsgx" >"$tmp/out" 2>"$tmp/err"
status=$?
check "monitor: the long line does nothing, the VM survives" expect_out 2 '^expect vm victim state=running -> ok$'
run run
check "no scenario: exit 2 with usage" expect 2 "run needs exactly one SCENARIO file"
run run --help
check "run --help: exit 0, usage on stdout" expect_out 0 '^usage: vsgx run \[--json FILE\]'
run monitor --frob
check "monitor with a bad option: exit 2" expect 2 "unrecognized option '--frob'"

# The interactive monitor: the same commands on standard input, going on after a failure.
printf 'vm create a memory=128 epc=8\nvm destroy b\ninfo sgx a\nquit\n' | "$VSGX" monitor >"$tmp/out" 2>"$tmp/err"
status=$?
check "monitor: commands run one by one, the report at the end" expect_out 1 '^FLC support: enabled$'

# --explain: the comment block right above a command comes before it; a block
# followed by a blank line, and a comment after the last command, do not.
printf '# opening words\n\n# the host\n# has one section\nhost epc=8M@0 cpus=1\n\n# lone\n\n  # a VM\nvm create a memory=64 epc=4\necho done\n# trailing\n' >"$tmp/explain.vsgx"
run run --explain "$tmp/explain.vsgx"
printf '# the host\n# has one section\nhost epc=8M@0 cpus=1 -> ok (1 EPC section, 1 CPU)\n  # a VM\nvm create a memory=64 epc=4 -> ok (64 MiB RAM, 1 vCPU, 4 MiB EPC in 1 section)\necho done -> ok\n' >"$tmp/explain.want"
sed -n '1,/^echo done -> ok$/p' "$tmp/out" >"$tmp/explain.got"
check "run --explain: each comment block above its command" diff "$tmp/explain.want" "$tmp/explain.got"
run run "$tmp/explain.vsgx"
check "run without --explain: no comments" [ "$(grep -c '^ *#' "$tmp/out")" -eq 0 ]
run monitor --explain
check "monitor --explain: refused, it is run's" expect 2 "--explain is run's"
