#!/bin/sh
# SPDX-License-Identifier: MIT
# Every file vsgx reads can be '-' (standard input), and vm layout, cpuid,
# measure and trace write JSON with --json: the same values as their text.
# Env: VSGX (the binary), VSGX_VECTORS (the repository's vectors), VSGX_SRCDIR.
# Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"

SRC=${VSGX_SRCDIR:?set VSGX_SRCDIR to the source tree}
SY_MRENCLAVE=b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd
SY_SIGNER=f7d65583760159be9fd56547cffd35bb981899ad502135346af34b4ad41c613c

# json EXPR: evaluate the Python expression EXPR on the JSON in $tmp/out (as j).
json() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$tmp/out" "$1" || { echo "# stdout: $(cat "$tmp/out"), stderr: $(cat "$tmp/err")"; return 1; }
}

# jsonl EXPR: as json, with j the list of JSON lines in $tmp/out.
jsonl() {
	python3 -c 'import json, sys; j = [json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$tmp/out" "$1" || { echo "# stdout: $(cat "$tmp/out"), stderr: $(cat "$tmp/err")"; return 1; }
}

# --- measure ---------------------------------------------------------------
run measure - <"$V/synthetic.sgxs"
check "measure -: MRENCLAVE of standard input" expect_out 0 "^$SY_MRENCLAVE\$"
run measure - </dev/null
check "measure - of nothing: exit 2, named <stdin>" expect 2 "<stdin>: "
run measure --json "$V/synthetic.sgxs"
check "measure --json: MRENCLAVE, SIZE, SSAFRAMESIZE and record counts" \
	json "j == {'file': '$V/synthetic.sgxs', 'mrenclave': '$SY_MRENCLAVE', 'size': 16384, 'ssa_frame_size': 1, 'eadd': 4, 'eextend': 48, 'stream_bytes': 15680}"

# --- sign and einit ----------------------------------------------------------
run sign - --key "$V/sign_key.pem" -o "$tmp/s.sig" --date 20240101 --isvprodid 0x1234 \
	--isvsvn 1 <"$V/synthetic.sgxs"
check "sign -: signs standard input as the file" cmp -s "$tmp/s.sig" "$V/synthetic.sig"
run einit - "$V/synthetic.sig" --flc <"$V/synthetic.sgxs"
check "einit - FILE.sig: the SGXS from standard input" expect_out 0 '^EINIT: SGX_SUCCESS \(0\)$'
run einit "$V/synthetic.sgxs" - --flc <"$V/synthetic.sig"
check "einit FILE.sgxs -: the SIGSTRUCT from standard input" expect_out 0 "^mrsigner  $SY_SIGNER\$"
run einit - - </dev/null
check "einit - -: refused, exit 2" expect 2 "standard input ('-') can be FILE.sgxs or FILE.sig, not both"
run einit "$V/synthetic.sgxs" - </dev/null
check "einit with an empty SIGSTRUCT on stdin: exit 2, named <stdin>" expect 2 "<stdin>: "

# --- vm layout and cpuid -------------------------------------------------------
run vm layout - <"$SRC/tests/vm/qemu-numa.cfg"
cp "$tmp/out" "$tmp/layout.txt"
run vm layout "$SRC/tests/vm/qemu-numa.cfg"
check "vm layout -: the same layout as from the file" cmp -s "$tmp/out" "$tmp/layout.txt"
run vm layout --json "$SRC/tests/vm/qemu-numa.cfg"
check "vm layout --json: the VM" \
	json "j['vm'] == {'name': 'vm3', 'memory_bytes': 8 << 30, 'vcpus': 4, 'numa_nodes': 2, 'machine': 'q35'}"
check "vm layout --json: two EPC sections with their nodes and bounds" \
	json "[(s['index'], s['node'], s['start'], s['bytes'], s['host_nodes'], s['prealloc']) for s in j['epc_sections']] == [(0, 0, 0x280000000, 64 << 20, [0], True), (1, 1, 0x284000000, 28 << 20, [1], True)]"
check "vm layout --json: the ACPI device spans both sections" \
	json "j['acpi_epc'] == {'start': 0x280000000, 'end': 0x285bfffff, 'bytes': 92 << 20, 'hid': 'INT0E0C', 'str': 'Enclave Page Cache 1.0'}"
check "vm layout --json: one SRAT entry per section" \
	json "[(s['start'], s['proximity']) for s in j['srat']] == [(0x280000000, 0), (0x284000000, 1)]"
check "vm layout --json: the text's 0x... ranges, as numbers" \
	grep -q "epc            0x0000000280000000-0x0000000285bfffff 92 MiB" "$tmp/layout.txt"
printf 'name = "w"\nmemory = 256\nvcpus = 1\ntype = "hvm"\nepc = 8\nvcpu = 2\n' >"$tmp/w.cfg"
run vm layout --json "$tmp/w.cfg"
check "vm layout --json: a warning is in diagnostics" \
	json "[d['kind'] for d in j['diagnostics']] == ['warning'] and 'vcpu' in j['diagnostics'][0]['text']"
check "vm layout --json: and still on stderr" grep -q "warning: " "$tmp/err"
run cpuid --json - <"$SRC/tests/vm/xl-epc.cfg"
check "cpuid --json -: leaf 7 and the 0x12 sub-leaves up to the invalid one" \
	json "[(l['leaf'], l['subleaf']) for l in j['leaves']] == [(7, 0), (0x12, 0), (0x12, 1), (0x12, 2), (0x12, 3)]"
check "cpuid --json: the section's sub-leaf says type 1, valid EPC" \
	json "j['leaves'][3]['eax'] & 0xf == 1 and j['leaves'][4]['eax'] & 0xf == 0"
cp "$tmp/out" "$tmp/cpuid.json"
run cpuid "$SRC/tests/vm/xl-epc.cfg"
python3 -c 'import json, sys
for l in json.load(open(sys.argv[1]))["leaves"]:
    print("0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x" % (l["leaf"], l["subleaf"], l["eax"], l["ebx"], l["ecx"], l["edx"]))' \
	"$tmp/cpuid.json" >"$tmp/cpuid.txt"
check "cpuid --json: the same registers as the text" cmp -s "$tmp/cpuid.txt" "$tmp/out"
run vm layout - </dev/null
check "vm layout - of nothing: exit 2, named <stdin>" expect 2 "<stdin>: Domain name must be specified"

# --- trace ----------------------------------------------------------------------
run trace --json - "$SRC/tests/traces/build.trace"
check "trace --json -: JSON lines alone on stdout, one per command and a summary" \
	jsonl "len(j) == 31 and all(e['event'] == 'command' for e in j[:-1]) and j[-1] == {'event': 'summary', 'file': '$SRC/tests/traces/build.trace', 'commands': 30, 'checks': 65, 'result': 'ok'}"
check "trace --json -: the text went to stderr" grep -q "30 commands, 65 checks passed" "$tmp/err"
printf 'processor cpus=1\necreate 0x1000 => #GP\n' >"$tmp/bad.trace"
run trace --json "$tmp/bad.jsonl" - <"$tmp/bad.trace"
status_bad=$status
cp "$tmp/bad.jsonl" "$tmp/out" 2>/dev/null || : >"$tmp/out"
check "trace - --json FILE: a mismatch is an event with its message, then the summary" \
	jsonl "$status_bad == 1 and j[0]['line'] == 2 and j[0]['outcome'] == '#PF(0x1000)' and j[0]['expected'] == '#GP' and j[0]['message'] == 'expected #GP, got #PF(0x1000)' and j[-1]['result'] == 'mismatch'"
run trace --explain "$SRC/tests/traces/build.trace"
check "trace --explain: refused, it is run's" expect 2 "--explain is run's"

echo "1..$n"
