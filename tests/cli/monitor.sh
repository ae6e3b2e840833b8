#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx monitor as people use it: help and HMP names on standard input, a
# typo that keeps the closing report, no prompt in --json -, and a session
# at a terminal (tests/cli/monitor-pty.py) with Tab, history, Ctrl-C and Ctrl-D.
# Env: VSGX. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
echo "1..10"

# A typo says what was meant, runs nothing, and the report still closes the session.
printf 'vm create a memory=128 epc=8\nsytem_reset\nsystem_reset\ninfo status\n' |
	"$VSGX" monitor >"$tmp/out" 2>"$tmp/err"
status=$?
cat >"$tmp/want" <<'W'
vm create a memory=128 epc=8 -> ok (128 MiB RAM, 1 vCPU, 8 MiB EPC in 1 section)
system_reset -> ok (remove-all pass 1: epc.0 left 0)
info status -> ok
VM status: running
== report: 3 commands, 0 checks
vm a: running, EPC 8 MiB configured, 0 pages held, 0 enclaves, 1 reset (0 failed), 0 faults injected, 0 preemptions
node 0: EPC 32768 pages total, 32768 free, 0 used, 0 zombie, 0 bad
node 1: EPC 32768 pages total, 32768 free, 0 used, 0 zombie, 0 bad
EPC pages by holder and NUMA node (4 KiB pages):
                        node 0           node 1        all nodes
a                    0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
host enclaves        0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
used                 0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
free           32768 (128 MiB)  32768 (128 MiB)  65536 (256 MiB)
zombie               0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
bad                  0 (0 MiB)        0 (0 MiB)        0 (0 MiB)
total          32768 (128 MiB)  32768 (128 MiB)  65536 (256 MiB)
W
check "a typo: the session goes on and the report closes it" diff "$tmp/want" "$tmp/out"
check "a typo: exit 2" [ "$status" -eq 2 ]
check "a typo: did you mean" grep -qxF "<stdin>:2:1: unknown command 'sytem_reset': did you mean 'system_reset'?" "$tmp/err"

# --json -: standard output carries JSON lines only, whatever is typed.
printf 'help\nfrob\ninfo vms\nquit\n' | "$VSGX" monitor --json - >"$tmp/out" 2>"$tmp/err"
check "--json -: every stdout line is JSON" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert [e["command"][0] for e in ev if e["event"] == "command"] == ["help", "info", "quit"], ev
' "$tmp/out"
check "--json -: help went to stderr" grep -q "^help -> ok$" "$tmp/err"

# At a terminal: Tab, a listing, Ctrl-C, up-arrow, Ctrl-D, the history saved.
if ! python3 -c 'import pty' 2>/dev/null; then
	for t in 1 2 3 4 5; do skip "terminal $t" "no python3 pty"; done
	exit 0
fi
python3 "$(dirname "$0")/monitor-pty.py" "$VSGX" "$tmp/state" >"$tmp/pty" 2>&1
check "terminal: Tab completes 'vm cr' to 'vm create'" \
	grep -qx "vm create a memory=128 epc=8 -> ok (.*)" "$tmp/pty"
check "terminal: a double Tab lists the choices" grep -qx "reset  *resume *" "$tmp/pty"
check "terminal: Ctrl-C drops the line, up-arrow recalls the last one" \
	sh -c "grep -c '^VM status: running\$' '$tmp/pty' | grep -qx 2"
check "terminal: Ctrl-D prints the report and exits 0" \
	sh -c "grep -q '^vm a: paused, EPC 8 MiB' '$tmp/pty' && tail -n 1 '$tmp/pty' | grep -qx 'exit 0'"
printf '%s\n' '_HiStOrY_V2_' 'vm\040create\040a\040memory=128\040epc=8' 'info\040status\040' \
	'info\040status' 'stop' >"$tmp/hist"
check "terminal: the history is in \$XDG_STATE_HOME/vsgx/history" diff "$tmp/hist" "$tmp/state/vsgx/history"
