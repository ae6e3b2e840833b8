#!/bin/sh
# SPDX-License-Identifier: MIT
# One reader, one set of rules: vm layout, cpuid, trace, run and the
# monitor's 'vm create NAME config=FILE' read their files alike (a NUL byte,
# bytes that are not UTF-8, /proc files, exactly 1 MiB and one byte more, a
# directory), the monitor's commands match whole words, and --host names
# the problem of a size beyond 2^64.
# Env: VSGX, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
echo "1..20"

# monitor TEXT: run TEXT through vsgx monitor, keeping stdout, stderr and the status.
monitor() {
	printf '%s\n' "$1" | "$VSGX" monitor >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# holds FILE TEXT: FILE holds the fixed string TEXT, or TEXT is empty.
holds() { [ -z "$2" ] || grep -qF -- "$2" "$1"; }

# said STATUS OUT ERR: the last run exited STATUS, stdout holds OUT and stderr ERR.
said() {
	if [ "$status" -eq "$1" ] && holds "$tmp/out" "$2" && holds "$tmp/err" "$3"; then
		return 0
	fi
	echo "# exit $status, stdout: $(cat "$tmp/out"), stderr: $(cat "$tmp/err")"
	return 1
}

cfg=$SRC/tests/vm/xl-sgx.cfg

# A NUL byte: the monitor used to read up to it and go on.
printf 'name = "a"\0junk\n' >"$tmp/nul.cfg"
nul="$tmp/nul.cfg:1:11: a NUL byte: a VM config is text"
run vm layout "$tmp/nul.cfg"
check "vm layout: a NUL byte: exit 2" expect 2 "vsgx: $nul"
run cpuid "$tmp/nul.cfg"
check "cpuid: a NUL byte: exit 2" expect 2 "vsgx: $nul"
monitor "vm create a config=$tmp/nul.cfg"
check "monitor: a NUL byte: the same reason" said 1 "-> EINVAL ($nul)" ""

# /proc files say they are empty and are not: both read them to the end.
syntax='line 1: syntax error: expected KEY = VALUE (a number, a "string" or a [list])'
run vm layout /proc/self/status
check "vm layout reads /proc/self/status" expect 2 "vsgx: /proc/self/status: $syntax"
monitor "vm create a config=/proc/self/status"
check "monitor reads /proc/self/status as vm layout does" said 1 "-> EINVAL ($syntax)" ""

# Exactly 1 MiB is accepted by both; one byte more is refused by both.
size=$(wc -c <"$cfg")
{
	cat "$cfg"
	head -c $((1048576 - size - 1)) /dev/zero | tr '\0' '#'
	echo
} >"$tmp/mib.cfg"
run vm layout "$tmp/mib.cfg"
check "vm layout: a config of exactly 1 MiB" expect_out 0 '^vm '
monitor "vm create a config=$tmp/mib.cfg"
check "monitor: a config of exactly 1 MiB" said 0 "vm create a config=$tmp/mib.cfg -> ok" ""
echo >>"$tmp/mib.cfg"
big="$tmp/mib.cfg: larger than 1 MiB, the most a VM config can be"
run vm layout "$tmp/mib.cfg"
check "vm layout: 1 MiB and one byte: exit 2" expect 2 "vsgx: $big"
monitor "vm create a config=$tmp/mib.cfg"
check "monitor: 1 MiB and one byte: the same reason" said 1 "-> EFBIG ($big)" ""

# Bytes that are not UTF-8 went into --json as they were: invalid JSON.
printf 'echo caf\303\251\necho \377 x\n' >"$tmp/latin.vsgx"
run run --json "$tmp/run.json" "$tmp/latin.vsgx"
check "run: a byte that is not UTF-8: exit 2" expect 2 \
	"vsgx: $tmp/latin.vsgx:2:6: byte 0xff is not UTF-8: a scenario is UTF-8 text"
printf 'echo caf\303\251\n' >"$tmp/utf8.vsgx"
run run --json "$tmp/run.json" "$tmp/utf8.vsgx"
check "run: UTF-8 text is read" expect_out 0 '^echo café -> ok$'
printf '# caf\303\251\nlist\nexpect \377\n' >"$tmp/latin.trace"
run trace "$tmp/latin.trace"
check "trace: a byte that is not UTF-8: exit 2" expect 2 \
	"vsgx: $tmp/latin.trace:3:8: byte 0xff is not UTF-8: a trace is UTF-8 text"

# A directory is a directory, not an input/output error.
mkdir "$tmp/dir"
run trace "$tmp/dir"
check "trace DIR: exit 2" expect 2 "vsgx: $tmp/dir: Is a directory"
run vm layout "$tmp/dir"
check "vm layout DIR: exit 2" expect 2 "vsgx: $tmp/dir: Is a directory"
monitor "vm create a config=$tmp/dir"
# (the monitor names only the errnos its expect lines know; EISDIR is not one)
check "monitor: config=DIR" said 1 "-> error ($tmp/dir: Is a directory)" ""

# quit is a word: quitx is an unknown command, and the lines after it run.
monitor "$(printf 'quitx\necho after')"
check "monitor: quitx does not quit" said 2 "echo after -> ok" "<stdin>:1:1: unknown command 'quitx'"
monitor "$(printf '  quit  # done\necho after')"
check "monitor: quit with a comment quits" said 0 "" ""
check "monitor: nothing after quit runs" sh -c "! grep -q after '$tmp/out'"

# 16E is 2^64: beyond the address space, not a misaligned size.
epc="host: epc=16E@0: the size is beyond the 52-bit physical address space, e.g. epc=128M@0"
run vm layout --host "epc=16E@0" "$cfg"
check "vm layout --host epc=16E@0: exit 2" expect 2 "vsgx: --host: $epc"
monitor "host epc=16E@0"
check "monitor: host epc=16E@0" said 1 "host epc=16E@0 -> EINVAL ($epc)" ""
