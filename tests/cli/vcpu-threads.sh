#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx run/monitor --vcpu-threads: each vCPU on its own host thread gives
# the same outcomes, messages, JSON lines and exit status as one thread,
# byte for byte, for the scenario SCENARIO (a path under VSGX_SRCDIR). In
# the ThreadSanitizer build (suite 'concurrency') the threaded runs are also
# the race check: a report changes stderr and the exit status.
#   sh vcpu-threads.sh SCENARIO
set -u
. "$(dirname "$0")/lib.sh"
: "${VSGX_SRCDIR:?set VSGX_SRCDIR to the source tree}"
scenario=$VSGX_SRCDIR/$1
dir=$(dirname "$scenario")
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"

# both NAME ARGS...: run vsgx ARGS... with and without --vcpu-threads (after
# the verb); stdin from $stdin. Leaves $tmp/NAME.{0,1}.{out,err,status}.
both() {
	name=$1
	verb=$2
	shift 2
	for t in 0 1; do
		opt=
		[ "$t" = 1 ] && opt=--vcpu-threads
		# shellcheck disable=SC2086 # $opt is one word or none
		(cd "$dir" && "$VSGX" "$verb" $opt "$@" <"$stdin" \
			>"$tmp/$name.$t.out" 2>"$tmp/$name.$t.err")
		echo $? >"$tmp/$name.$t.status"
	done
}

# same NAME DESC: the two runs of NAME agree byte for byte, and the scenario passed.
same() {
	for f in out err status; do
		if ! cmp -s "$tmp/$1.0.$f" "$tmp/$1.1.$f"; then
			echo "# $2: $f differs:"
			diff "$tmp/$1.0.$f" "$tmp/$1.1.$f" | sed 's/^/# /' | head -20
			not_ok "$2"
			return
		fi
	done
	if [ "$(cat "$tmp/$1.1.status")" != 0 ]; then
		echo "# $2: exit $(cat "$tmp/$1.1.status"):"
		sed 's/^/# /' "$tmp/$1.1.err" | head -20
		not_ok "$2"
		return
	fi
	ok "$2"
}

echo "1..3"
stdin=/dev/null
both text run "$scenario"
same text "$1: run --vcpu-threads prints what run prints"
both json run --json - "$scenario"
same json "$1: run --vcpu-threads --json - writes the same JSON lines"
stdin=$scenario
both monitor monitor --json -
same monitor "$1: monitor --vcpu-threads answers the same on standard input"
