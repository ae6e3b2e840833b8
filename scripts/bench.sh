#!/bin/sh
# make bench: run every benchmark of a release build. Usage: scripts/bench.sh BUILD
set -eu
b=$1
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$b/bench/bench-measure" 16384 5
"$b/bench/bench-measure" 16384 5 2
"$b/bench/bench-paging" 16384 5
"$b/bench/bench-paging" 16384 5 16 host
"$b/bench/bench-paging" 16384 5 16 guest
"$b/bench/bench-vepc" 262144 3
"$b/bench/bench-reboot" 4096 20
"$b/bench/bench-leaves" 50000 11 tests/vectors/sign_key.pem
