/* SPDX-License-Identifier: MIT */
/*
 * Shared by the tests that drive a modelled VM (test-vmm.c,
 * test-oversub-trap.c): the guest-physical address of an EPC frame, and a
 * pointer into guest RAM that the test fails without. Include after
 * <cmocka.h>.
 */
#ifndef VSGX_TEST_VM_RAM_H
#define VSGX_TEST_VM_RAM_H

#include <stdint.h>

#include "vsgx/arch.h"
#include "vsgx/vmm.h"

/* Guest-physical address of frame (n) of (vm)'s first EPC section. */
static inline uint64_t vmt_epc_gpa(struct vmm_vm *vm, uint64_t n)
{
	return vmm_vm_layout(vm)->sections[0].base + n * SGX_PAGE_SIZE;
}

/* (len) bytes of (vm)'s RAM at (gpa); asserts they are RAM. */
static inline void *vmt_ram(struct vmm_vm *vm, uint64_t gpa, uint64_t len)
{
	void *p = vmm_vm_ram(vm, gpa, len);

	assert_non_null(p);
	return p;
}

#endif
