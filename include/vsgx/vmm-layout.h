/* SPDX-License-Identifier: MIT */
/*
 * A guest's physical address map as QEMU's q35 machine builds it: RAM below
 * the PCI hole and above 4 GiB, the EPC sections back to back right after
 * high RAM, device memory from the next 1 GiB boundary; and the firmware
 * tables that describe it (e820, the ACPI EPC device, SRAT).
 */
#ifndef VSGX_VMM_LAYOUT_H
#define VSGX_VMM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "vsgx/vmm-config.h"

/* q35 keeps RAM below 2 GiB when there are 2.75 GiB or more, else below 2.75 GiB. */
#define VM_Q35_LOWMEM_SPLIT 0xb0000000ULL
#define VM_Q35_LOWMEM_BIG   0x80000000ULL
#define VM_4G		    (1ULL << 32)
/* KVM's TSS and identity map page, reserved in e820 by QEMU. */
#define VM_KVM_IDENTITY_BASE 0xfeffc000ULL
#define VM_KVM_IDENTITY_SIZE 0x4000ULL
/* CPUID 0x12 describes EPC with 52-bit addresses. */
#define VM_EPC_ADDR_LIMIT (1ULL << 52)

enum vm_e820_type {
	VM_E820_RAM = 1,
	VM_E820_RESERVED = 2,
};

struct vm_e820_entry {
	uint64_t addr, size;
	enum vm_e820_type type;
	const char *what; /* "ram", "kvm-identity", "epc" */
};

struct vm_layout_section {
	uint64_t base, size; /* guest physical */
	uint32_t node;	     /* guest NUMA node */
};

#define VM_E820_MAX 4

struct vm_layout {
	uint64_t below_4g; /* RAM bytes at 0 */
	uint64_t above_4g; /* RAM bytes at 4 GiB */
	uint64_t epc_base; /* 0x100000000 + above_4g */
	uint64_t epc_size; /* all sections */
	unsigned int nr_sections;
	struct vm_layout_section sections[VM_MAX_SECTIONS];
	uint64_t device_memory_base; /* ROUND_UP(end of EPC or RAM, 1 GiB) */
	unsigned int nr_e820;
	struct vm_e820_entry e820[VM_E820_MAX];
};

/*
 * Lay out (vm). The ACPI EPC device (_HID INT0E0C) covers
 * [epc_base, epc_base + epc_size); each section gets one SRAT memory
 * affinity entry with its node.
 * Return: 0, or -EINVAL when the EPC would wrap or end beyond 2^52.
 */
int vm_layout_build(const struct vm_config *vm, struct vm_layout *ret, char *why, size_t why_len);

#endif /* VSGX_VMM_LAYOUT_H */
