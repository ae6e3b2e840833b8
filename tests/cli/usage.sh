#!/bin/sh
# SPDX-License-Identifier: MIT
# The vsgx command line itself: exit statuses of help and of bad usage.
# Env: VSGX (the binary). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"

# expect_help TEXT: exited 0, TEXT on stdout, nothing on stderr.
expect_help() {
	if [ "$status" -eq 0 ] && grep -qF -- "$1" "$tmp/out" && [ ! -s "$tmp/err" ]; then
		return 0
	fi
	echo "# exit $status, stderr: $(cat "$tmp/err")"
	return 1
}

run
check "no command: exit 2, usage on stderr" expect 2 "usage: vsgx <command>"

run frobnicate
check "an unknown command: exit 2, named" expect 2 "vsgx: unknown command 'frobnicate'"

run --help
check "--help: exit 0, usage on stdout" expect_help "usage: vsgx <command>"

run --help
check "--help lists measure and sign" \
	[ -n "$(grep '^  measure ' "$tmp/out")" -a -n "$(grep '^  sign ' "$tmp/out")" ]

run -h
check "-h: exit 0" expect_help "usage: vsgx <command>"

run measure --help
check "measure --help: exit 0" expect_help "usage: vsgx measure [--json] FILE.sgxs"

run sign --help
check "sign --help: exit 0" expect_help "usage: vsgx sign FILE.sgxs --key KEY.pem -o OUT.sig"

run measure --frobnicate x.sgxs
check "measure --frobnicate: exit 2" expect 2 "measure: unknown option '--frobnicate'"

run measure -x x.sgxs
check "measure -x: exit 2" expect 2 "measure: unknown option '-x'"

run sign --frobnicate x.sgxs
check "sign --frobnicate: exit 2" expect 2 "sign: unknown option '--frobnicate'"

run sign -x x.sgxs
check "sign -x: exit 2" expect 2 "sign: unknown option '-x'"

run sign --vendor
check "sign --vendor without a value: exit 2" expect 2 "option '--vendor' needs a value"

run measure
check "measure without a file: exit 2" expect 2 "see 'vsgx measure --help'"

run sign
check "sign without arguments: exit 2" expect 2 "see 'vsgx sign --help'"

# The version: meson's project version, and the commit when built from a clone.
want=$(sed -n "s/^  version: '\\(.*\\)',\$/\\1/p" "${VSGX_SRCDIR:-.}/meson.build")
run --version
check "--version: vsgx and the project's version on stdout" expect_out 0 "^vsgx $want( \\(git [0-9a-z.-]+\\))?\$"
cp "$tmp/out" "$tmp/version"
run version
check "version: the same line" cmp -s "$tmp/out" "$tmp/version"
run version now
check "version with an argument: exit 2" expect 2 "version takes no arguments"

echo "1..$n"
