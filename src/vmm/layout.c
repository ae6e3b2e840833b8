/* SPDX-License-Identifier: MIT */
/*
 * Guest physical layout, following QEMU's q35 machine (hw/i386/pc_q35.c,
 * pc.c, sgx.c): RAM split around the PCI hole, EPC right after high RAM,
 * device memory from the next 1 GiB boundary.
 */
#include "vsgx/vmm-layout.h"

#include <errno.h>
#include <string.h>

#include "vmm-int.h"

static void layout_ram(const struct vm_config *vm, struct vm_layout *l)
{
	/*
	 * q35 puts at most 2.75 GiB below 4 GiB (MMCONFIG sits at 2.75 GiB);
	 * a guest that does not fit keeps only 2 GiB low, so the 32-bit PCI
	 * hole stays large.
	 */
	uint64_t lowmem =
	    vm->memory >= VM_Q35_LOWMEM_SPLIT ? VM_Q35_LOWMEM_BIG : VM_Q35_LOWMEM_SPLIT;

	l->below_4g = vm->memory < lowmem ? vm->memory : lowmem;
	l->above_4g = vm->memory - l->below_4g;
}

static int layout_epc(const struct vm_config *vm, struct vm_layout *l, char *why, size_t len)
{
	bool wrapped = false;
	uint64_t addr;

	if (__builtin_add_overflow(VM_4G, l->above_4g, &l->epc_base))
		return vm_why(why, len,
			      "RAM above 4 GiB (0x%llx bytes) wraps the address space; "
			      "give the guest less memory",
			      (unsigned long long)l->above_4g);
	for (unsigned int i = 0; i < vm->nr_sections; i++)
		wrapped |= __builtin_add_overflow(l->epc_size, vm->sections[i].size, &l->epc_size);
	if (wrapped || __builtin_add_overflow(l->epc_base, l->epc_size, &addr))
		return vm_why(why, len,
			      "Size of all 'sgx-epc' =0x%llx causes EPC to wrap; make the "
			      "guest's RAM or EPC smaller",
			      (unsigned long long)l->epc_size);
	if (!vm->nr_sections && l->epc_base > VM_EPC_ADDR_LIMIT)
		return vm_why(why, len,
			      "RAM ends at 0x%llx, beyond the 52-bit guest physical address "
			      "space; give the guest less memory",
			      (unsigned long long)l->epc_base);
	if (l->epc_base + l->epc_size > VM_EPC_ADDR_LIMIT)
		return vm_why(why, len,
			      "EPC ends at 0x%llx, beyond the 52-bit guest physical "
			      "addresses CPUID 0x12 can describe; make the guest's RAM "
			      "or EPC smaller",
			      (unsigned long long)(l->epc_base + l->epc_size));
	/* Back to back: each section's size is already a multiple of 4 KiB. */
	addr = l->epc_base;
	l->nr_sections = vm->nr_sections;
	for (unsigned int i = 0; i < vm->nr_sections; i++) {
		l->sections[i].base = addr;
		l->sections[i].size = vm->sections[i].size;
		l->sections[i].node = vm->sections[i].node;
		addr += vm->sections[i].size;
	}
	return 0;
}

static void layout_e820_add(struct vm_layout *l, uint64_t addr, uint64_t size,
			    enum vm_e820_type type, const char *what)
{
	if (!size)
		return;
	l->e820[l->nr_e820].addr = addr;
	l->e820[l->nr_e820].size = size;
	l->e820[l->nr_e820].type = type;
	l->e820[l->nr_e820].what = what;
	l->nr_e820++;
}

/* QEMU's etc/e820 table, in address order: RAM, KVM's identity map, high RAM, EPC. */
static void layout_e820(struct vm_layout *l)
{
	layout_e820_add(l, 0, l->below_4g, VM_E820_RAM, "ram");
	layout_e820_add(l, VM_KVM_IDENTITY_BASE, VM_KVM_IDENTITY_SIZE, VM_E820_RESERVED,
			"kvm-identity");
	layout_e820_add(l, VM_4G, l->above_4g, VM_E820_RAM, "ram");
	layout_e820_add(l, l->epc_base, l->epc_size, VM_E820_RESERVED, "epc");
}

int vm_layout_build(const struct vm_config *vm, struct vm_layout *ret, char *why, size_t why_len)
{
	struct vm_layout l;
	uint64_t end;
	int r;

	memset(&l, 0, sizeof(l));
	layout_ram(vm, &l);
	r = layout_epc(vm, &l, why, why_len);
	if (r)
		return r;
	layout_e820(&l);
	/* Device memory and the 64-bit PCI hole start at the next 1 GiB boundary. */
	end = l.epc_base + l.epc_size;
	l.device_memory_base = (end + VM_GIB - 1) & ~(VM_GIB - 1);
	*ret = l;
	return 0;
}
