# shellcheck shell=sh disable=SC2030,SC2031,SC2154
# (the helpers run in subshells; vsgx_tap_summary's variables come from eval)
# Helpers for test scripts that read a guest console log written by
# guest/run.sh. Source it: . tests/qemu/lib.sh
#
# guest/init frames each program's output as
#   VSGX-BEGIN NAME
#   ...TAP...
#   VSGX-END NAME rc=N
# on a serial console, so lines end in CR and kernel messages may be mixed
# in; every helper strips the CRs and ignores lines that are not TAP.
#
#   vsgx_section LOG NAME        the lines between NAME's markers; status 1
#                                if NAME never began
#   vsgx_section_rc LOG NAME     NAME's exit status from its END marker;
#                                status 1 (prints nothing) if it never ended
#   vsgx_tap_results LOG NAME    one "STATUS<TAB>TEST" line per TAP result,
#                                STATUS: pass, fail, skip or todo
#   vsgx_tap_status LOG NAME T   pass, fail, skip, todo, or missing for test T
#   vsgx_tap_counts LOG NAME     "planned=N passed=N failed=N skipped=N
#                                todo=N missing=N bailed=0|1 ended=0|1 rc=N"
#                                (eval-able; missing = planned - seen)
#   vsgx_tap_summary LOG NAME    "NAME: N passed, N failed, N skipped"; a
#                                missing test or a section that did not end
#                                counts as failed
#   vsgx_info LOG                init's VSGX-INFO lines, without the prefix
#   vsgx_reached LOG MARK        status 0 if a line starts with MARK
#                                (VSGX-INIT, VSGX-DONE)
# The helpers run in subshells and set no variables of the caller.
# TEST is the TAP description without "N - " and without a "# directive";
# for test_sgx that is e.g. "enclave.augment" (its skip lines carry no name:
# the name is taken from the harness's "#  RUN NAME ..." line before it).

vsgx_section() {
	awk -v n="$2" '
		function at_end(s, m,  i) { i = index(s, m); return i && substr(s, i) == m }
		{ sub(/\r+$/, "") }
		!on && at_end($0, "VSGX-BEGIN " n) { on = 1; found = 1; next }
		on && index($0, "VSGX-END " n " rc=") { exit }
		on { print }
		END { exit !found }' "$1"
}

vsgx_section_rc() {
	awk -v n="$2" '
		{ sub(/\r+$/, "") }
		i = index($0, "VSGX-END " n " rc=") {
			rc = substr($0, i + length("VSGX-END " n " rc="))
			if (rc ~ /^[0-9]+$/) { print rc; found = 1; exit }
		}
		END { exit !found }' "$1"
}

vsgx_tap_results() {
	vsgx_section "$1" "$2" | awk '
		# The 6.1 harness names a skipped test only in its "#  RUN" line.
		/^# +RUN +/ { run = $3 }
		/^(not )?ok [0-9]+/ {
			st = /^ok/ ? "pass" : "fail"
			s = $0
			sub(/^(not )?ok [0-9]+ */, "", s)
			sub(/^- */, "", s)
			if (match(s, / *# *[Ss][Kk][Ii][Pp]/)) { st = "skip"; s = substr(s, 1, RSTART - 1) }
			else if (match(s, / *# *[Tt][Oo][Dd][Oo]/)) { st = "todo"; s = substr(s, 1, RSTART - 1) }
			if (s == "") s = run
			run = ""
			printf "%s\t%s\n", st, s
		}'
}

vsgx_tap_status() {
	vsgx_tap_results "$1" "$2" | awk -F '\t' -v t="$3" '
		$2 == t { st = $1 }
		END { print (st == "" ? "missing" : st) }'
}

vsgx_tap_counts() (
	if rc=$(vsgx_section_rc "$1" "$2"); then ended=1; else ended=0 rc=-1; fi
	vsgx_section "$1" "$2" | awk -v ended="$ended" -v rc="$rc" '
		/^1\.\.[0-9]+/ { split($0, a, /[. #]+/); planned = a[2] + 0 }
		/^Bail out!/ { bailed = 1 }
		/^(not )?ok [0-9]+/ {
			seen++
			if (/ # *[Ss][Kk][Ii][Pp]/) skipped++
			else if (/ # *[Tt][Oo][Dd][Oo]/) todo++
			else if (/^ok/) passed++
			else failed++
		}
		END {
			missing = planned > seen ? planned - seen : 0
			printf "planned=%d passed=%d failed=%d skipped=%d todo=%d missing=%d bailed=%d ended=%d rc=%d\n",
				planned, passed, failed, skipped, todo, missing, bailed, ended, rc
		}'
)

vsgx_tap_summary() (
	eval "$(vsgx_tap_counts "$1" "$2")"
	failed=$((failed + missing + (ended ? 0 : 1) + bailed))
	echo "$2: $passed passed, $failed failed, $skipped skipped"
)

vsgx_info() {
	awk '{ sub(/\r+$/, "") } sub(/^VSGX-INFO /, "")' "$1"
}

vsgx_reached() {
	tr -d '\r' <"$1" | grep -q "^$2"
}
