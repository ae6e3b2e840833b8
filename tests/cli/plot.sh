#!/bin/sh
# SPDX-License-Identifier: MIT
# Operator reports end to end: the closing matrix of EPC pages per VM and
# node, the EPC usage every --json command line carries, vsgx run/monitor
# --metrics (Prometheus text), vsgx plot (the SVG in the docs is what the
# quickstart run draws, byte for byte), and their bad inputs and outputs.
# Env: VSGX, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
echo "1..27"

# The quickstart, from the source tree as the docs run it: relative names in the JSON.
(cd "$SRC" && "$VSGX" run --json "$tmp/q.jsonl" --metrics "$tmp/q.prom" examples/quickstart.vsgx) \
	>"$tmp/out" 2>"$tmp/err"
status=$?
check "quickstart with --json and --metrics runs" expect_out 0 '^== report'
cat >"$tmp/want" <<'W'
EPC pages by holder and NUMA node (4 KiB pages):
                        node 0           node 1        all nodes
vm1              8192 (32 MiB)        0 (0 MiB)    8192 (32 MiB)
host enclaves        0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
used             8192 (32 MiB)        0 (0 MiB)    8192 (32 MiB)
free             8192 (32 MiB)   16384 (64 MiB)   24576 (96 MiB)
zombie               0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
bad                  0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
total           16384 (64 MiB)   16384 (64 MiB)  32768 (128 MiB)
W
tail -9 "$tmp/out" >"$tmp/got"
check "the report closes with the matrix of pages per holder and node, MiB beside pages" \
	diff "$tmp/want" "$tmp/got"

# Usage after every command: line 17 boots vm1 (node 0), 18 vm2 (node 1), 45 destroys vm2.
check "--json: each command carries its EPC usage; the curve is the run's" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
cmds = [e for e in ev if e["event"] == "command"]
assert all("epc" in e for e in cmds), "a command without epc"
at = {e["line"]: e["epc"] for e in cmds}
assert at[13]["used"] == [0, 0] and at[13]["vms"] == {"vm1": [0, 0]}, at[13]
assert at[17]["used"] == [8192, 0] and at[17]["vms"]["vm1"] == [8192, 0], at[17]
assert at[18]["used"] == [8192, 4096] and at[18]["vms"]["vm2"] == [0, 4096], at[18]
assert at[45]["vms"] == {"vm1": [8192, 0]} and at[45]["free"] == [8192, 16384], at[45]
for e in cmds:
    p = e["epc"]
    for i in range(len(p["nodes"])):
        assert p["free"][i] + p["used"][i] + p["zombie"][i] + p["bad"][i] == p["total"][i]
rep = [e for e in ev if e["event"] == "epc"]
assert len(rep) == 1 and ev[-1] is rep[0], "the epc report closes the lines"
assert rep[0]["host"] == [0, 0] and rep[0]["totals"]["vms"] == {"vm1": 8192}, rep[0]
assert rep[0]["totals"]["free"] == 24576 and rep[0]["totals"]["total"] == 32768, rep[0]
' "$tmp/q.jsonl"
check "--json: the first command event is compact and in a fixed order" grep -qF \
	'"epc":{"nodes":[0,1],"total":[16384,16384],"free":[16384,16384],"used":[0,0],"zombie":[0,0],"bad":[0,0],"vms":{}}}' \
	"$tmp/q.jsonl"

cat >"$tmp/want" <<'W'
# HELP sgx_epc_total_pages EPC pages (4 KiB) of the NUMA node.
# TYPE sgx_epc_total_pages gauge
sgx_epc_total_pages{node="0"} 16384
sgx_epc_total_pages{node="1"} 16384
# HELP sgx_epc_pages EPC pages (4 KiB) of the NUMA node by state: used by the VM named by vm, or without vm by the host (its enclaves); free; zombie (released, waiting for children in another section); bad (never handed out). A node's series add up to sgx_epc_total_pages.
# TYPE sgx_epc_pages gauge
sgx_epc_pages{node="0",vm="vm1",state="used"} 8192
sgx_epc_pages{node="0",state="used"} 0
sgx_epc_pages{node="0",state="free"} 8192
sgx_epc_pages{node="0",state="zombie"} 0
sgx_epc_pages{node="0",state="bad"} 0
sgx_epc_pages{node="1",vm="vm1",state="used"} 0
sgx_epc_pages{node="1",state="used"} 0
sgx_epc_pages{node="1",state="free"} 16384
sgx_epc_pages{node="1",state="zombie"} 0
sgx_epc_pages{node="1",state="bad"} 0
W
check "--metrics: the closing usage in Prometheus's text format" diff "$tmp/want" "$tmp/q.prom"

# vsgx plot: the image in the docs is this run's.
run plot "$tmp/q.jsonl" -o "$tmp/q.svg"
check "plot writes the SVG, nothing on standard output" test "$status" -eq 0 -a ! -s "$tmp/out"
check "the quickstart's SVG in the docs is what this run draws (make plot remakes it)" \
	cmp "$SRC/docs/img/quickstart-usage.svg" "$tmp/q.svg"
check "the SVG is well-formed XML: a panel per node, the layers where the run put them" python3 -c '
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
panels = [g.get("id") for g in root.iter(ns + "g") if g.get("class") == "panel"]
assert panels == ["node0", "node1"], panels
cols = [r for r in root.iter(ns + "rect") if r.get("class") == "col"]
assert len(cols) == 26, len(cols)
assert cols[3].find(ns + "title").text == "command 4, line 17: guest vm1 boot"
# 26 columns of 720/26 pixels from x=80; a panel is 180 pixels for 16384 pages.
# vm1: 8192 pages on node 0 (up to y=174) from command 4 (x=163.08) to the end;
# vm2: 4096 on node 1 (y=443) from command 5 (x=190.77) until command 24 (x=716.92).
paths = {g.get("id"): [p.get("d") for p in g.iter(ns + "path")]
         for g in root.iter(ns + "g") if g.get("class") == "panel"}
assert paths["node0"] == ["M80 264H163.08V174H800V264H80Z"], paths
assert paths["node1"] == ["M80 488H190.77V443H716.92V488H800H80Z"], paths
' "$tmp/q.svg"
"$VSGX" plot - <"$tmp/q.jsonl" >"$tmp/stdin.svg" 2>"$tmp/err"
check "plot - reads standard input and writes standard output" cmp "$tmp/q.svg" "$tmp/stdin.svg"
run plot --title 'EPC & friends' "$tmp/q.jsonl"
check "--title, escaped for XML" expect_out 0 'class="title">EPC &amp; friends</text>'

# Bad inputs: exit 2, the line named, no image left behind.
: >"$tmp/empty.jsonl"
run plot "$tmp/empty.jsonl" -o "$tmp/bad.svg"
check "plot: an empty file" expect 2 'empty.jsonl: empty; vsgx plot reads the JSON lines'
{ head -2 "$tmp/q.jsonl"; sed -n 3p "$tmp/q.jsonl" | head -c 100; } >"$tmp/cut.jsonl"
run plot "$tmp/cut.jsonl" -o "$tmp/bad.svg"
check "plot: JSON cut short names its line" expect 2 \
	'cut.jsonl:3: the JSON object is cut short (a run that was stopped while writing?)'
{ head -2 "$tmp/q.jsonl"; echo '{"name":"vm1","state":"running"}'; } >"$tmp/noev.jsonl"
run plot "$tmp/noev.jsonl" -o "$tmp/bad.svg"
check "plot: a JSON line that is not an event" expect 2 \
	'noev.jsonl:3: a JSON object that is not an event (no "event" string)'
printf 'vm create a\n' >"$tmp/text.jsonl"
run plot "$tmp/text.jsonl" -o "$tmp/bad.svg"
check "plot: a line that is not JSON" expect 2 'text.jsonl:1: not a JSON object'
sed '4s/"free":\[8192,16384\]/"free":[8191,16384]/' "$tmp/q.jsonl" >"$tmp/sum.jsonl"
run plot "$tmp/sum.jsonl" -o "$tmp/bad.svg"
check "plot: pages that do not add up" expect 2 \
	'sum.jsonl:4: "epc": node 0: free 8191 + used 8192 + zombie 0 + bad 0 is not its total 16384'
grep -v '"epc"' "$tmp/q.jsonl" >"$tmp/noepc.jsonl"
run plot "$tmp/noepc.jsonl" -o "$tmp/bad.svg"
check "plot: JSON lines without EPC usage" expect 2 \
	'noepc.jsonl: no command event carries EPC usage ("epc")'
check "plot: no image is left after bad input" test ! -e "$tmp/bad.svg"
run plot "$tmp/q.jsonl" -o "$tmp/no/such/dir/u.svg"
check "plot: an output that cannot be created" expect 2 'u.svg: No such file or directory'
if [ -w /dev/full ]; then
	run plot "$tmp/q.jsonl" -o /dev/full
	check "plot: an output that cannot be written (/dev/full), and it is not removed" sh -c \
		'[ "$1" -eq 2 ] && grep -qF "/dev/full: cannot write" "$2" && [ -c /dev/full ]' sh \
		"$status" "$tmp/err"
else
	skip "plot: /dev/full" "no writable /dev/full"
fi
run plot
check "plot: no file" expect 2 'plot needs exactly one JSONL file'
run plot --help
check "plot --help" expect_out 0 '^usage: vsgx plot \[-o FILE\] \[--title TEXT\] JSONL'
run --help
check "vsgx --help lists plot" expect_out 0 '^  plot +'

# --metrics: refused before anything runs, removed when nothing ran, in the monitor too.
run run --metrics "$tmp/no/such/dir/m.prom" "$SRC/examples/quickstart.vsgx"
check "--metrics: a file that cannot be created stops the run before it starts" expect 2 \
	'm.prom: No such file or directory'
run run --metrics - "$SRC/examples/quickstart.vsgx"
check "--metrics -: refused, the metrics need a file of their own" expect 2 \
	'--metrics -: the metrics need a file of their own'
printf 'vm create a epc=8\nvm frobnicate a\n' >"$tmp/typo.vsgx"
run run --metrics "$tmp/typo.prom" "$tmp/typo.vsgx"
check "--metrics: a scenario that never ran leaves no metrics file" test "$status" -eq 2 -a \
	! -e "$tmp/typo.prom"
printf 'vm create a memory=128 epc=8\n' | "$VSGX" monitor --metrics "$tmp/mon.prom" >/dev/null 2>&1
check "monitor --metrics: written when the session ends" grep -qx \
	'sgx_epc_pages{node="0",vm="a",state="used"} 0' "$tmp/mon.prom"
if [ -w /dev/full ]; then
	run run --metrics /dev/full "$SRC/examples/quickstart.vsgx"
	check "--metrics /dev/full: the run fails with exit 2" sh -c \
		'[ "$1" -eq 2 ] && grep -qF "/dev/full: cannot write" "$2" && [ -c /dev/full ]' sh \
		"$status" "$tmp/err"
else
	skip "--metrics /dev/full" "no writable /dev/full"
fi
