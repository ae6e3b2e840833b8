#!/bin/sh
# SPDX-License-Identifier: MIT
# EPC owners through vsgx run: examples/owners.vsgx's report (the owners'
# table, their JSON array and Prometheus series), and bad input: each a
# clear outcome naming the problem, nothing changed, and a line that cannot
# be a command at all refused before anything runs (exit 2).
# Env: VSGX, VSGX_SRCDIR. Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}
echo "1..12"

ex=$SRC/examples/owners.vsgx
run run --audit "$ex"
check "owners.vsgx passes under --audit" expect_out 0 '^expect host used=0 -> ok$'
# has TEXT: the last run's stdout holds the fixed string TEXT.
has() {
	grep -qF -- "$1" "$tmp/out" && return 0
	echo "# stdout: $(cat "$tmp/out")"
	return 1
}
check "owners.vsgx: tenant's last resort stops vm2, naming tenant and its max" has \
	"EPC owner 'tenant' is at its max of 1200 pages (on-max=stop): the VMM stopped the VM"
check "owners.vsgx: the report's owners table" has "  tenant           0        1284         598"

run run --quiet --json - --metrics "$tmp/m.prom" "$ex"
check "--json: the closing owners array" has \
	'{"event":"owners","owners":[{"name":"root","parent":null,"current":0,"max":null,"events":0},{"name":"tenant","parent":"root","current":0,"max":1284,"events":598}]}'
if grep -qx 'sgx_epc_owner_current_pages{owner="root"} 0' "$tmp/m.prom" &&
	grep -qx 'sgx_epc_owner_max_pages{owner="tenant"} 1284' "$tmp/m.prom" &&
	! grep -q 'sgx_epc_owner_max_pages{owner="root"}' "$tmp/m.prom" &&
	grep -qx '# TYPE sgx_epc_owner_events_total counter' "$tmp/m.prom"; then
	ok "--metrics: the owners' series"
else
	not_ok "--metrics: the owners' series"
	sed 's/^/# /' "$tmp/m.prom"
fi

# bad LINE OUTCOME MESSAGE: the scenario's last line fails with OUTCOME and MESSAGE, exit 1.
bad() {
	printf '%s\n' "$1" >"$tmp/b.vsgx"
	run run "$tmp/b.vsgx"
	if [ "$status" -eq 1 ] && grep -qF -- "$2" "$tmp/err"; then
		return 0
	fi
	echo "# exit $status, stderr: $(cat "$tmp/err")"
	return 1
}
check "a max below what an owner holds: EBUSY, nothing changed" bad \
	"owner create t
enclave create e pages=10 owner=t
owner set t max=5
" "got EBUSY: owner 't' holds 12 pages, more than max=5 (5 pages): nothing changed; destroy or reclaim what it holds first, or set max to 12 pages or more"
check "an owner with members cannot go" bad "owner create t
owner create u parent=t
owner destroy t" "got EBUSY: owner 't' has 0 pages charged and 1 member (owners, VMs, host enclaves): destroy them first"
check "an unknown parent" bad "owner create t parent=nosuch" \
	"got ENOENT: no EPC owner named 'nosuch': 'owner create nosuch' first"
check "an unknown last resort" bad "owner create t on-max=explode" \
	"got EINVAL: on-max=explode: expected on-max=refuse or on-max=stop"
check "a max below zero" bad "owner create t max=-5" \
	"got EINVAL: max=-5: expected a size (64M, 16MiB), a number of 4 KiB pages, or unlimited"
check "a VM under an owner that does not exist" bad "vm create a memory=256 epc=4 epc_owner=nosuch" \
	"got ENOENT: epc_owner \"nosuch\": no EPC owner has that name; 'owner create nosuch' first"

printf 'owner create t frob=1\n' >"$tmp/s.vsgx"
run run "$tmp/s.vsgx"
check "an unknown option: exit 2 before anything runs" expect 2 \
	"$tmp/s.vsgx:1:16: 'frob=1' is no option of 'owner create NAME [parent=OWNER] [max=SIZE|unlimited] [on-max=refuse|stop]'"
