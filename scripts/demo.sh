#!/bin/sh
# make demo: the main job. A modelled SGX host with two NUMA nodes runs two
# SGX VMs whose guests load enclaves from the shared vectors; one reboots
# uncleanly, one is destroyed, and every EPC page is accounted for at the
# end (examples/quickstart.vsgx). Usage: scripts/demo.sh VSGX VECTORS
set -u
vsgx=$1 v=$2
if [ ! -d "$v" ]; then
	echo "vsgx: no vectors at $v; pass VECTORS=/path/to/vectors to make" >&2
	exit 2
fi
here=$(dirname "$0")/..
printf '$ %s run --vectors %s examples/quickstart.vsgx\n\n' "$vsgx" "$v"
exec "$vsgx" run --vectors "$v" "$here/examples/quickstart.vsgx"
