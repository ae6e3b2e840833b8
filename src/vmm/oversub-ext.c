/* SPDX-License-Identifier: MIT */
/*
 * Oversubscription with the EPC Oversubscription Extensions: the processor
 * tells the VMM what a page is (ERDINFO) and counts the pages the VMM took
 * as children of their SECS still (VIRTCHILDCNT), so the guest's leaves run
 * untrapped.
 *
 * Evicting frame F, unmapped at host address PA:
 *   - ERDINFO: an invalid page is just given back (nothing to keep); a VA
 *     page, a blocked or pending page, a SECS with resident children, or a
 *     page of an enclave a thread is inside, stays;
 *   - a child: EINCVIRTCHILD (child, its SECS) first, which also proves the
 *     VMM found the right SECS (#GP otherwise), so the guest's EREMOVE or
 *     EWB of that SECS still finds a child; then EBLOCK, ETRACKC on the page
 *     (conflicts are codes, not faults), EWB;
 *   - a SECS: EWB (its VIRTCHILDCNT travels with it).
 * Reloading: ELDUC (ELDBC is not needed: pages go out unblocked), then
 * EDECVIRTCHILD for a child, or ESETCONTEXT for a SECS (its guest-physical
 * address: the ENCLAVECONTEXT by which the VMM finds an enclave's SECS from
 * any of its children).
 *
 * Guest vCPUs run in non-root operation with EPC virtualization, so they
 * see the virtual children.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oversub-int.h"

/*
 * The frame of the SECS whose ENCLAVECONTEXT is (context): a guest-physical
 * address the VMM set (ESETCONTEXT at reload), else the host physical
 * address ECREATE or the guest's own ELDB/ELDU stored.
 */
static bool context_frame(struct vmm_vm *vm, uint64_t context, uint64_t *ret)
{
	uint64_t pa;

	if (ov_gpa_frame(vm, context, ret))
		return true;
	for (uint64_t f = 0; f < vm->ov->nr_frames; f++) {
		if (ov_frame_pa(vm, f, &pa) && pa == context) {
			*ret = f;
			return true;
		}
	}
	return false;
}

/* EBLOCK, ETRACKC, EWB of a child whose EINCVIRTCHILD is done. */
static int evict_write_back(struct vmm_vm *vm, struct hw_cpu *cpu, struct vmm_blob *b, uint64_t f,
			    uint64_t pa)
{
	int r = SGX_EPC_PAGE_CONFLICT;

	for (int i = 0; i < OV_CONFLICT_RETRIES && r == SGX_EPC_PAGE_CONFLICT; i++)
		r = hw_eblock(cpu, pa);
	if (r != SGX_SUCCESS)
		return r;
	r = SGX_EPC_PAGE_CONFLICT;
	for (int i = 0; i < OV_CONFLICT_RETRIES && r == SGX_EPC_PAGE_CONFLICT; i++)
		r = hw_etrackc(cpu, pa);
	/* A tracking cycle another leaf started (the guest's ETRACK) serves as well. */
	if (r != SGX_SUCCESS && r != SGX_PREV_TRK_INCMPL)
		return r;
	return ov_ewb(vm, cpu, b, f, pa);
}

/* Child frame (f) at (pa), of the enclave with ENCLAVECONTEXT (context). 0, 1 (stays), -errno. */
static int evict_child(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa,
		       uint64_t context)
{
	struct vmm_oversub *ov = vm->ov;
	struct vmm_blob *b;
	uint64_t sf, secs_pa;
	int r;

	if (!context_frame(vm, context, &sf) || !ov_frame_pa(vm, sf, &secs_pa))
		return 1;
	if (ov_threads_inside(vm, secs_pa))
		return 1;
	b = ov_blob_new();
	if (!b)
		return -ENOMEM;
	r = hw_eincvirtchild(cpu, pa, secs_pa);
	if (r != SGX_SUCCESS) {
		free(b);
		return 1;
	}
	r = evict_write_back(vm, cpu, b, f, pa);
	if (r != SGX_SUCCESS) {
		hw_edecvirtchild(cpu, pa, secs_pa);
		return ov_write_back_failed(vm, b, f, r);
	}
	ov_blob_keep(ov, f, b, sf);
	return 0;
}

int ov_ext_evict_page(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa)
{
	_Alignas(32) struct sgx_rdinfo ri;
	uint64_t bad = SGX_RDINFO_BLOCKED | SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED;
	unsigned int pt;
	int r;

	memset(&ri, 0, sizeof(ri));
	r = hw_erdinfo(cpu, (uint64_t)(uintptr_t)&ri, pa);
	if (r == SGX_PG_INVLD)
		return 2;
	if (r != SGX_SUCCESS || (ri.flags & bad))
		return 1;
	pt = (unsigned int)((ri.flags & SGX_SECINFO_PT_MASK) >> SGX_SECINFO_PT_SHIFT);
	if (pt == SGX_PT_REG || pt == SGX_PT_TCS)
		return evict_child(vm, cpu, f, pa, ri.enclave_context);
	if (pt == SGX_PT_SECS && !(ri.status & SGX_RDINFO_CHILDPRESENT))
		return ov_evict_secs(vm, cpu, f, pa);
	return 1;
}

int ov_ext_reload(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa, uint64_t secs_pa)
{
	struct vmm_oversub *ov = vm->ov;
	struct vmm_blob *b = ov->blob[f];
	_Alignas(32) struct sgx_pageinfo pi;
	uint64_t gpa;
	int r = SGX_EPC_PAGE_CONFLICT;

	memset(&pi, 0, sizeof(pi));
	pi.linaddr = b->linaddr;
	pi.srcpge = (uint64_t)(uintptr_t)b->data;
	pi.secinfo = (uint64_t)(uintptr_t)&b->pcmd;
	pi.secs = secs_pa;
	for (int i = 0; i < OV_CONFLICT_RETRIES && r == SGX_EPC_PAGE_CONFLICT; i++)
		r = hw_elduc(cpu, (uint64_t)(uintptr_t)&pi, pa, ov_va_slot(ov, f));
	if (r != SGX_SUCCESS)
		return -EIO;
	if (b->pt == SGX_PT_SECS) {
		gpa = ov_frame_gpa(vm, f);
		r = hw_esetcontext(cpu, pa, (uint64_t)(uintptr_t)&gpa);
	} else {
		r = hw_edecvirtchild(cpu, pa, secs_pa);
	}
	return r == SGX_SUCCESS ? 0 : 1;
}
