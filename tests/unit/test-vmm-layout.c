// SPDX-License-Identifier: MIT
/*
 * Guest physical layout as QEMU's q35 builds it: the RAM split at the PCI
 * hole, EPC right after high RAM, device memory at the next 1 GiB, the e820
 * table, and the refusals for EPC that would wrap or leave 52-bit space.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm-fixture.h"

static void assert_e820(const struct vm_layout *l, unsigned int i, uint64_t addr, uint64_t size,
			enum vm_e820_type type, const char *what)
{
	assert_true(i < l->nr_e820);
	assert_int_equal(l->e820[i].addr, addr);
	assert_int_equal(l->e820[i].size, size);
	assert_int_equal(l->e820[i].type, type);
	assert_string_equal(l->e820[i].what, what);
}

static void test_small_no_epc(void **state)
{
	struct vmfix *f = *state;
	const struct vm_layout *l = &f->layout;

	vmf_vm(f, "name = \"small\"\n");
	assert_int_equal(l->below_4g, 128 * MIB);
	assert_int_equal(l->above_4g, 0);
	assert_int_equal(l->epc_base, 0x100000000ULL);
	assert_int_equal(l->epc_size, 0);
	assert_int_equal(l->nr_sections, 0);
	assert_int_equal(l->device_memory_base, 0x100000000ULL);
	assert_int_equal(l->nr_e820, 2);
	assert_e820(l, 0, 0, 128 * MIB, VM_E820_RAM, "ram");
	assert_e820(l, 1, 0xfeffc000ULL, 0x4000, VM_E820_RESERVED, "kvm-identity");
}

/* q35: under 2.75 GiB all RAM is low; from 2.75 GiB on only 2 GiB is. */
static void test_q35_split(void **state)
{
	struct vmfix *f = *state;
	const struct vm_layout *l = &f->layout;

	vmf_vm(f, "name = \"a\"\ntype = \"hvm\"\nmemory = 2815\nepc = 64\n");
	assert_int_equal(l->below_4g, 2815 * MIB);
	assert_int_equal(l->above_4g, 0);
	assert_int_equal(l->epc_base, 0x100000000ULL);
	assert_int_equal(l->device_memory_base, 0x140000000ULL);

	vmf_vm(f, "name = \"a\"\ntype = \"hvm\"\nmemory = 2816\nepc = 64\n");
	assert_int_equal(l->below_4g, 2048 * MIB);
	assert_int_equal(l->above_4g, 768 * MIB);
	assert_int_equal(l->epc_base, 0x130000000ULL);
	assert_int_equal(l->epc_size, 64 * MIB);
	assert_int_equal(l->nr_sections, 1);
	assert_int_equal(l->sections[0].base, 0x130000000ULL);
	assert_int_equal(l->sections[0].size, 64 * MIB);
	assert_int_equal(l->sections[0].node, 0);
	assert_int_equal(l->device_memory_base, 0x140000000ULL);
	assert_int_equal(l->nr_e820, 4);
	assert_e820(l, 0, 0, 2048 * MIB, VM_E820_RAM, "ram");
	assert_e820(l, 1, 0xfeffc000ULL, 0x4000, VM_E820_RESERVED, "kvm-identity");
	assert_e820(l, 2, 0x100000000ULL, 768 * MIB, VM_E820_RAM, "ram");
	assert_e820(l, 3, 0x130000000ULL, 64 * MIB, VM_E820_RESERVED, "epc");
}

/* Sections back to back in sgx-epc.N order, each at a page boundary. */
static void test_sections_back_to_back(void **state)
{
	struct vmfix *f = *state;
	const struct vm_layout *l = &f->layout;

	vmf_vm(f, "-m 8G -numa node -numa node -numa node\n"
		  "-object memory-backend-epc,id=a,size=6000\n"
		  "-object memory-backend-epc,id=b,size=64M\n"
		  "-object memory-backend-epc,id=c,size=1M\n"
		  "-M sgx-epc.0.memdev=a,sgx-epc.0.node=2,sgx-epc.1.memdev=b,sgx-epc.1.node=0\n"
		  "-M sgx-epc.2.memdev=c,sgx-epc.2.node=1\n");
	assert_int_equal(l->below_4g, 2 * GIB);
	assert_int_equal(l->above_4g, 6 * GIB);
	assert_int_equal(l->epc_base, 0x280000000ULL);
	assert_int_equal(l->epc_size, 8192 + 65 * MIB);
	assert_int_equal(l->nr_sections, 3);
	assert_int_equal(l->sections[0].base, 0x280000000ULL);
	assert_int_equal(l->sections[0].size, 8192);
	assert_int_equal(l->sections[0].node, 2);
	assert_int_equal(l->sections[1].base, 0x280002000ULL);
	assert_int_equal(l->sections[1].size, 64 * MIB);
	assert_int_equal(l->sections[1].node, 0);
	assert_int_equal(l->sections[2].base, 0x284002000ULL);
	assert_int_equal(l->sections[2].size, 1 * MIB);
	assert_int_equal(l->sections[2].node, 1);
	assert_int_equal(l->device_memory_base, 0x2c0000000ULL);
	assert_e820(l, 3, 0x280000000ULL, 8192 + 65 * MIB, VM_E820_RESERVED, "epc");
}

/* EPC ending exactly at a 1 GiB boundary: device memory starts right there. */
static void test_device_memory_boundary(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f, "-m 3G -object memory-backend-epc,id=a,size=128M "
		  "-object memory-backend-epc,id=b,size=128M "
		  "-M sgx-epc.0.memdev=a,sgx-epc.0.node=0,sgx-epc.1.memdev=b,sgx-epc.1.node=0");
	assert_int_equal(f->layout.epc_base, 0x140000000ULL);
	assert_int_equal(f->layout.epc_size, 256 * MIB);
	assert_int_equal(f->layout.device_memory_base, 0x180000000ULL);
}

static void assert_layout_refused(struct vmfix *f, const char *why)
{
	struct vm_layout l;

	memset(&l, 0x5a, sizeof(l));
	assert_int_equal(vm_layout_build(&f->vm, &l, f->why, sizeof(f->why)), -EINVAL);
	assert_string_equal(f->why, why);
	assert_int_equal(l.nr_e820, 0x5a5a5a5a); /* untouched */
}

static void test_wrap(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f,
	       "-object memory-backend-epc,id=a,size=128M -M sgx-epc.0.memdev=a,sgx-epc.0.node=0");
	/* High RAM itself past 2^64. */
	f->vm.memory = 0xfffffffffffff000ULL;
	assert_layout_refused(f, "RAM above 4 GiB (0xffffffff7ffff000 bytes) wraps the address "
				 "space; give the guest less memory");
	/* EPC base 64 MiB below 2^64, 128 MiB of EPC. */
	f->vm.memory = 0xfffffffffc000000ULL - 2 * GIB;
	assert_layout_refused(f, "Size of all 'sgx-epc' =0x8000000 causes EPC to wrap; make the "
				 "guest's RAM or EPC smaller");
	/* The sizes themselves overflow. */
	f->vm.memory = 1 * GIB;
	f->vm.nr_sections = 2;
	f->vm.sections[0].size = 1ULL << 63;
	f->vm.sections[1].size = 1ULL << 63;
	assert_layout_refused(f, "Size of all 'sgx-epc' =0x0 causes EPC to wrap; make the guest's "
				 "RAM or EPC smaller");
}

static void test_52_bit_limit(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f, "-object memory-backend-epc,id=a,size=4K -M sgx-epc.0.memdev=a,sgx-epc.0.node=0");
	f->vm.memory = (1ULL << 52) - 2 * GIB;
	assert_layout_refused(f, "EPC ends at 0x10000000001000, beyond the 52-bit guest physical "
				 "addresses CPUID 0x12 can describe; make the guest's RAM or EPC "
				 "smaller");
	/* Ending exactly at 2^52 is fine. */
	f->vm.memory -= 4096;
	assert_int_equal(vm_layout_build(&f->vm, &f->layout, f->why, sizeof(f->why)), 0);
	assert_int_equal(f->layout.epc_base, (1ULL << 52) - 4096);
	assert_int_equal(f->layout.device_memory_base, 1ULL << 52);
	/* Without EPC the limit is the RAM's, and the message says so. */
	vmf_vm(f, "-m 1G");
	f->vm.memory = (1ULL << 52) - 1 * GIB;
	assert_layout_refused(f, "RAM ends at 0x10000040000000, beyond the 52-bit guest physical "
				 "address space; give the guest less memory");
}

/* The wrap is also what the QEMU parser + layout say for a huge -m. */
static void test_huge_ram_from_options(void **state)
{
	struct vmfix *f = *state;

	assert_int_equal(vm_config_parse(f->host,
					 "-m 16777215T -object memory-backend-epc,id=a,size=4K "
					 "-M sgx-epc.0.memdev=a,sgx-epc.0.node=0",
					 &f->vm, f->why, sizeof(f->why)),
			 0);
	assert_int_equal(vm_layout_build(&f->vm, &f->layout, f->why, sizeof(f->why)), -EINVAL);
	assert_string_equal(f->why, "EPC ends at 0xffffff0080001000, beyond the 52-bit guest "
				    "physical addresses CPUID 0x12 can describe; make the guest's "
				    "RAM or EPC smaller");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		VMF_TEST("/vmm/layout/small_no_epc", test_small_no_epc),
		VMF_TEST("/vmm/layout/q35_split", test_q35_split),
		VMF_TEST("/vmm/layout/sections_back_to_back", test_sections_back_to_back),
		VMF_TEST("/vmm/layout/device_memory_boundary", test_device_memory_boundary),
		VMF_TEST("/vmm/layout/wrap", test_wrap),
		VMF_TEST("/vmm/layout/52_bit_limit", test_52_bit_limit),
		VMF_TEST("/vmm/layout/huge_ram_from_options", test_huge_ram_from_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
