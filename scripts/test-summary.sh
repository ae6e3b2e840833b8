#!/bin/sh
# Count the test cases of every build's last meson run (TAP subtests included)
# and print one closing line: "tests: N passed, N failed, N skipped".
set -u
pass=0 fail=0 skip=0
for dir in "$@"; do
	log="$dir/meson-logs/testlog.txt"
	[ -f "$log" ] || continue
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	s=$(grep -cE '^ok [0-9]+.*# *(SKIP|skip)' "$log")
	pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
done
echo "tests: $pass passed, $fail failed, $skip skipped"
