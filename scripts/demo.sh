#!/bin/sh
# make demo: the main job. A modelled SGX host with two NUMA nodes runs two
# SGX VMs whose guests load enclaves from the repository's vectors
# (tests/vectors); one reboots uncleanly, one is destroyed, and every EPC page
# is accounted for at the end (examples/quickstart.vsgx). vsgx finds the
# vectors itself. Usage: scripts/demo.sh VSGX
set -u
vsgx=$1
here=$(dirname "$0")/..
printf '$ %s run examples/quickstart.vsgx\n\n' "$vsgx"
exec "$vsgx" run "$here/examples/quickstart.vsgx"
