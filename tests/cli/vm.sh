#!/bin/sh
# SPDX-License-Identifier: MIT
# vsgx vm layout and vsgx cpuid: exact output for an xl config and for QEMU
# options, and refusals of bad configs and bad usage.
# Env: VSGX (the binary), VSGX_SRCDIR (the source tree). Prints TAP.
set -u

. "$(dirname "$0")/lib.sh"
SRC=${VSGX_SRCDIR:-$(dirname "$0")/../..}

# same FILE: stdout of the last run is exactly FILE, stderr empty, exit 0.
same() {
	if [ "$status" -eq 0 ] && cmp -s "$tmp/out" "$1" && [ ! -s "$tmp/err" ]; then
		return 0
	fi
	echo "# exit $status, stderr: $(cat "$tmp/err")"
	diff "$1" "$tmp/out" | sed 's/^/# /'
	return 1
}

cat >"$tmp/xl.cfg" <<'CFG'
# Xen style, as xl.cfg(5) allows it: ';' between settings, hex numbers,
# lists over several lines with comments and a trailing ','.
name = "vm1"; type = "hvm"
memory = 0x1000 # 4096 MiB
vcpus = 2
disk = [ 'file:/img,xvda,w',  # root
         'file:/data.img,xvdb,r',
       ]
sgx = "epc=64,lewr=0"
CFG

cat >"$tmp/qemu.cfg" <<'CFG'
# QEMU style: two sections, one per guest node
-name vm2 -m 2G -smp 2
-numa node,nodeid=0 -numa node,nodeid=1
-object memory-backend-epc,id=m0,size=64M,prealloc=on,host-nodes=0,policy=bind
-object memory-backend-epc,id=m1,size=28M
-M q35,sgx-epc.0.memdev=m0,sgx-epc.0.node=0,sgx-epc.1.memdev=m1,sgx-epc.1.node=1
-cpu host,-sgx-provisionkey,-sgx2
CFG

cat >"$tmp/xl.layout" <<'OUT'
vm vm1: memory 4096 MiB, vcpus 2, numa nodes 1, machine q35
memory map:
  ram-below-4g   0x0000000000000000-0x000000007fffffff 2048 MiB
  ram-above-4g   0x0000000100000000-0x000000017fffffff 2048 MiB
  epc            0x0000000180000000-0x0000000183ffffff 64 MiB
  epc.0          0x0000000180000000-0x0000000183ffffff 64 MiB
                 node 0, memdev epc0, policy default, host-nodes 0x0, prealloc off
  device-memory  0x00000001c0000000
e820:
  0x0000000000000000-0x000000007fffffff ram      ram
  0x00000000feffc000-0x00000000feffffff reserved kvm-identity
  0x0000000100000000-0x000000017fffffff ram      ram
  0x0000000180000000-0x0000000183ffffff reserved epc
acpi:
  device EPC _HID INT0E0C _STR "Enclave Page Cache 1.0" _CRS 0x0000000180000000-0x0000000183ffffff
srat:
  memory 0x0000000180000000-0x0000000183ffffff proximity 0 enabled
OUT

cat >"$tmp/xl.cpuid" <<'OUT'
0x00000007 0x00: eax=0x00000000 ebx=0x00000004 ecx=0x40000000 edx=0x00000000
0x00000012 0x00: eax=0x00000803 ebx=0x00000001 ecx=0x00000000 edx=0x0000241f
0x00000012 0x01: eax=0x000004a6 ebx=0x00000000 ecx=0x000002e7 edx=0x00000000
0x00000012 0x02: eax=0x80000001 ebx=0x00000001 ecx=0x04000001 edx=0x00000000
0x00000012 0x03: eax=0x00000000 ebx=0x00000000 ecx=0x00000000 edx=0x00000000
OUT

cat >"$tmp/qemu.layout" <<'OUT'
vm vm2: memory 2048 MiB, vcpus 2, numa nodes 2, machine q35
memory map:
  ram-below-4g   0x0000000000000000-0x000000007fffffff 2048 MiB
  epc            0x0000000100000000-0x0000000105bfffff 92 MiB
  epc.0          0x0000000100000000-0x0000000103ffffff 64 MiB
                 node 0, memdev m0, policy bind, host-nodes 0x1, prealloc on
  epc.1          0x0000000104000000-0x0000000105bfffff 28 MiB
                 node 1, memdev m1, policy default, host-nodes 0x0, prealloc off
  device-memory  0x0000000140000000
e820:
  0x0000000000000000-0x000000007fffffff ram      ram
  0x00000000feffc000-0x00000000feffffff reserved kvm-identity
  0x0000000100000000-0x0000000105bfffff reserved epc
acpi:
  device EPC _HID INT0E0C _STR "Enclave Page Cache 1.0" _CRS 0x0000000100000000-0x0000000105bfffff
srat:
  memory 0x0000000100000000-0x0000000103ffffff proximity 0 enabled
  memory 0x0000000104000000-0x0000000105bfffff proximity 1 enabled
OUT

cat >"$tmp/qemu.cpuid" <<'OUT'
0x00000007 0x00: eax=0x00000000 ebx=0x00000004 ecx=0x40000000 edx=0x00000000
0x00000012 0x00: eax=0x00000801 ebx=0x00000001 ecx=0x00000000 edx=0x0000241f
0x00000012 0x01: eax=0x000004a6 ebx=0x00000000 ecx=0x000002e7 edx=0x00000000
0x00000012 0x02: eax=0x00000001 ebx=0x00000001 ecx=0x04000001 edx=0x00000000
0x00000012 0x03: eax=0x04000001 ebx=0x00000001 ecx=0x01c00001 edx=0x00000000
0x00000012 0x04: eax=0x00000000 ebx=0x00000000 ecx=0x00000000 edx=0x00000000
OUT

run vm layout "$tmp/xl.cfg"
check "vm layout of an xl config" same "$tmp/xl.layout"
run cpuid "$tmp/xl.cfg"
check "cpuid of an xl config" same "$tmp/xl.cpuid"
run vm layout "$tmp/qemu.cfg"
check "vm layout of QEMU options" same "$tmp/qemu.layout"
run cpuid "$tmp/qemu.cfg"
check "cpuid of QEMU options" same "$tmp/qemu.cpuid"

# No name, sizes that are not whole MiB.
printf -- '-m 10000b -object memory-backend-epc,id=m0,size=6000\n-M sgx-epc.0.memdev=m0,sgx-epc.0.node=0\n' >"$tmp/kib.cfg"
run vm layout "$tmp/kib.cfg"
check "unnamed VM, KiB sizes" expect_out 0 '^vm \(unnamed\): memory 16 KiB, vcpus 1, numa nodes 1, machine q35$'
check "an 8 KiB section" grep -qx '  epc.0          0x0000000100000000-0x0000000100001fff 8 KiB' "$tmp/out"

# A host with its LE hash locked by firmware: no SGX_LC for the guest.
run cpuid --host "epc=64M lehash-locked=1" "$tmp/xl.cfg"
check "cpuid on a locked host" expect_out 0 '^0x00000007 0x00: eax=0x00000000 ebx=0x00000004 ecx=0x00000000 edx=0x00000000$'

# Refusals: exit 2, the file named, the message as the library words it.
printf 'name = "a"\ntype = "hvm"\nepc = 512\n' >"$tmp/big.cfg"
run vm layout "$tmp/big.cfg"
check "more EPC than the host: exit 2" expect 2 "vsgx: $tmp/big.cfg: not enough EPC on the host: the guest needs 512 MiB, the host has 256 MiB; make epc smaller"

# xl's default type on x86 is "pv", and SGX is HVM-only.
printf 'name = "a"\nepc = 8\n' >"$tmp/pv.cfg"
run vm layout "$tmp/pv.cfg"
check "EPC without type = \"hvm\": exit 2" expect 2 "vsgx: $tmp/pv.cfg: epc: SGX is only supported for HVM guests and xl's default type is \"pv\"; set type = \"hvm\""

printf 'name = "a"\ntype = "hvm"\nepc = 8\ndisk = [ '"'"'a'"'"',\n  '"'"'b'"'"'\n' >"$tmp/open.cfg"
run vm layout "$tmp/open.cfg"
check "an unterminated list: exit 2, its line" expect 2 "vsgx: $tmp/open.cfg: line 4: unterminated list: disk = [ has no closing ']'"

# A whole domain config from tests/vm.
run vm layout "$SRC/tests/vm/xl-full.cfg"
check "vm layout of a full xl domain config" expect_out 0 '^vm web1: memory 2048 MiB, vcpus 2, numa nodes 1, machine q35$'
check "its EPC" grep -qx '  epc            0x0000000100000000-0x0000000101ffffff 32 MiB' "$tmp/out"

printf -- '-object memory-backend-epc,id=m0,size=0\n' >"$tmp/zero.cfg"
run cpuid "$tmp/zero.cfg"
check "size 0: exit 2" expect 2 "vsgx: $tmp/zero.cfg: -object memory-backend-epc,id=m0,size=0: can't create backend with size 0; give it a size, e.g. size=64M"

printf -- '-object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.node=0\n' >"$tmp/nomemdev.cfg"
run vm layout "$tmp/nomemdev.cfg"
check "missing memdev: exit 2" expect 2 "sgx-epc.0: 'memdev' property is not set"

printf -- '-object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0,sgx-epc.1.memdev=m0,sgx-epc.1.node=0\n' >"$tmp/busy.cfg"
run vm layout "$tmp/busy.cfg"
check "busy memdev: exit 2" expect 2 "sgx-epc.1: can't use already busy memdev: m0"

printf -- '-m 16777215T -object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0\n' >"$tmp/wrap.cfg"
run vm layout "$tmp/wrap.cfg"
check "EPC beyond 52 bits: exit 2" expect 2 "EPC ends at 0xffffff0084000000, beyond the 52-bit guest physical addresses"

run vm layout --host "epc=1M@0 numa=2" "$tmp/xl.cfg"
check "bad --host: exit 2" expect 2 "vsgx: --host: host: unknown key 'numa'"

run vm layout "$tmp/missing.cfg"
check "missing file: exit 2" expect 2 "vsgx: $tmp/missing.cfg: No such file or directory"

printf 'name = "a"\0' >"$tmp/binary.cfg"
run cpuid "$tmp/binary.cfg"
check "binary file: exit 2" expect 2 "vsgx: $tmp/binary.cfg:1:11: a NUL byte: a VM config is text"

# Usage.
run vm
check "vm without a subcommand: exit 2" expect 2 "vm: expected a subcommand: 'vsgx vm layout CONFIG'"
run vm frob x
check "vm with an unknown subcommand: exit 2" expect 2 "vm: expected a subcommand"
run vm layout
check "vm layout without CONFIG: exit 2" expect 2 "vsgx: vm layout: expected one CONFIG, got none; see 'vsgx vm layout --help'"
run cpuid a b
check "cpuid with two CONFIGs: exit 2" expect 2 "vsgx: cpuid: expected one CONFIG, got more"
run cpuid --frob x
check "cpuid --frob: exit 2" expect 2 "vsgx: cpuid: unknown option '--frob'"
run cpuid --host
check "cpuid --host without a value: exit 2" expect 2 "vsgx: cpuid: option '--host' needs a value"
run cpuid --help
check "cpuid --help: exit 0" expect_out 0 '^usage: vsgx cpuid \[--host DESC\] \[--strict\] \[--json\] CONFIG$'
run vm layout --help
check "vm layout --help: exit 0" expect_out 0 '^usage: vsgx vm layout \[--host DESC\] \[--strict\] \[--json\] CONFIG$'
run vm --help
check "vm --help: exit 0" expect_out 0 '^usage: vsgx vm layout \[--host DESC\] \[--strict\] \[--json\] CONFIG$'

echo "1..$n"
