/* SPDX-License-Identifier: MIT */
/*
 * The EPC Oversubscription Extensions (SDM Vol. 3D, "Intel SGX
 * Oversubscription" and the leaf pages of "SGX instruction references"):
 * ENCLV's EDECVIRTCHILD, EINCVIRTCHILD and ESETCONTEXT, which only a VMM in
 * VMX root operation issues, and the ENCLS leaves ERDINFO and ETRACKC
 * (ELDBC/ELDUC are ELDB/ELDU in paging.c with conflicts reported as a code).
 *
 * With them a VMM can evict a guest's EPC page behind the guest's back: it
 * counts the page as a virtual child of the SECS (EINCVIRTCHILD) so that the
 * guest's own EREMOVE or EWB of that SECS still finds a child, tracks the
 * enclave through any of its pages (ETRACKC: the VMM need not know which
 * guest page is the SECS), learns what a page is (ERDINFO), and reloads on
 * the guest's next access without faulting on a guest leaf racing with it
 * (ELDBC/ELDUC), then uncounts it (EDECVIRTCHILD).
 *
 * Every leaf checks in the order of its pseudocode. Where the SDM gives a
 * page "shared" access (ERDINFO, ETRACKC, the ENCLV leaves), the model holds
 * the page's busy bit as every other leaf does, so two such leaves on one
 * page at the same instant conflict where hardware might let both run; the
 * outcome is one the SDM allows a conflict to have.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"

void hw_cpu_set_vmx(struct hw_cpu *cpu, enum hw_vmx_mode mode, bool epc_virt)
{
	cpu->vmx = (uint8_t)mode;
	cpu->epc_virt = mode == HW_VMX_NONROOT && epc_virt;
}

/* The ENCLS leaves of the extensions are unsupported where CPUID.(12h,0):EAX[6] is 0. */
static int oversub_check(struct hw_cpu *cpu)
{
	if (!cpu->proc->desc.oversub)
		return hw_leaf_unsupported(cpu);
	return hw_encls_check(cpu);
}

/* ERDINFO */

static uint64_t rdinfo_flags(const struct hw_epcm_entry *e)
{
	uint64_t f = SGX_SECINFO_PT(e->pt);

	f |= e->flags & EPCM_R ? SGX_SECINFO_R : 0;
	f |= e->flags & EPCM_W ? SGX_SECINFO_W : 0;
	f |= e->flags & EPCM_X ? SGX_SECINFO_X : 0;
	f |= e->flags & EPCM_PENDING ? SGX_SECINFO_PENDING : 0;
	f |= e->flags & EPCM_MODIFIED ? SGX_SECINFO_MODIFIED : 0;
	f |= e->flags & EPCM_PR ? SGX_SECINFO_PR : 0;
	f |= e->flags & EPCM_BLOCKED ? SGX_RDINFO_BLOCKED : 0;
	return f;
}

/* STATUS and ENCLAVECONTEXT of a SECS, as its caller's VMX operation lets it see them. */
static void rdinfo_secs(struct hw_cpu *cpu, const struct hw_epcm_entry *e, struct sgx_rdinfo *ri)
{
	struct hw_enclave *encl = epcm_enclave(e);
	bool children = atomic_load(&encl->children) != 0;
	bool virt = atomic_load(&encl->virtchildren) != 0;

	if (hw_cpu_virtchild_visible(cpu)) {
		/* A guest cannot tell a VMM-evicted child from a resident one. */
		ri->status = children || virt ? SGX_RDINFO_CHILDPRESENT : 0;
		return;
	}
	ri->status =
	    (children ? SGX_RDINFO_CHILDPRESENT : 0) | (virt ? SGX_RDINFO_VIRTCHILDPRESENT : 0);
	ri->enclave_context = atomic_load(&encl->context);
}

static int erdinfo_locked(struct hw_cpu *cpu, uint64_t rdinfo, const struct hw_epcm_entry *e)
{
	struct sgx_rdinfo ri = { 0 };
	struct hw_xlate x;
	int r;

	if (!(e->flags & EPCM_VALID))
		return SGX_PG_INVLD;
	ri.flags = rdinfo_flags(e);
	if (epcm_is_child_type(e->pt))
		ri.enclave_context = atomic_load(&epcm_child_enclave(cpu->proc, e)->context);
	else if (e->pt == SGX_PT_SECS)
		rdinfo_secs(cpu, e, &ri);
	r = hw_xlate(cpu, rdinfo, true, &x);
	if (r)
		return r;
	/* A non-enclave write that lands in the EPC is dropped (abort page). */
	if (x.kind == HW_XLATE_RAM)
		memcpy(x.ram, &ri, sizeof(ri));
	return SGX_SUCCESS;
}

int hw_erdinfo(struct hw_cpu *cpu, uint64_t rdinfo, uint64_t epc)
{
	struct hw_epcm_entry *e;
	struct hw_xlate x;
	uint64_t idx;
	int r;

	r = oversub_check(cpu);
	if (r)
		return r;
	if ((rdinfo & 31) || (epc & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	/* Not an error but an answer: the page is not in the EPC (CF=1). */
	r = hw_xlate(cpu, epc, false, &x);
	if (r)
		return r;
	if (x.kind != HW_XLATE_EPC || !epcm_index(cpu->proc, x.pa, &idx))
		return SGX_PG_NONEPC;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return SGX_EPC_PAGE_CONFLICT;
	r = erdinfo_locked(cpu, rdinfo, e);
	epcm_unlock(e);
	return r;
}

/* ETRACKC */

/* The SECS whose tracking an ETRACKC on entry (e), index (idx), starts. */
static int etrackc_secs(const struct hw_epcm_entry *e, uint64_t idx, uint64_t *ret_sidx)
{
	if (!(e->flags & EPCM_VALID))
		return SGX_PG_INVLD;
	if (epcm_is_child_type(e->pt))
		*ret_sidx = e->secs;
	else if (e->pt == SGX_PT_SECS)
		*ret_sidx = idx;
	else
		return SGX_TRACK_NOT_REQUIRED; /* a VA page belongs to no enclave */
	return SGX_SUCCESS;
}

static int etrackc_locked(struct hw_cpu *cpu, struct hw_epcm_entry *e, uint64_t idx)
{
	struct hw_epcm_entry *s;
	uint64_t sidx;
	int r;

	r = etrackc_secs(e, idx, &sidx);
	if (r)
		return r;
	s = epcm_entry(cpu->proc, sidx);
	/*
	 * The tracking resource is the SECS, as for ETRACK; another leaf on
	 * it is a conflict to report. A child held here pins its SECS.
	 */
	if (s != e && !epcm_trylock(s))
		return SGX_EPC_PAGE_CONFLICT;
	r = hw_track_start(epcm_enclave(s));
	if (s != e)
		epcm_unlock(s);
	return r;
}

int hw_etrackc(struct hw_cpu *cpu, uint64_t epc)
{
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	if (!cpu->proc->desc.oversub)
		return hw_leaf_unsupported(cpu);
	r = hw_op_epc_page(cpu, epc, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return SGX_EPC_PAGE_CONFLICT;
	r = etrackc_locked(cpu, e, idx);
	epcm_unlock(e);
	return r;
}

/* ELDBC, ELDUC */

int hw_eldbc(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	if (!cpu->proc->desc.oversub)
		return hw_leaf_unsupported(cpu);
	return hw_eld(cpu, pageinfo, epc, va_slot, true, true);
}

int hw_elduc(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	if (!cpu->proc->desc.oversub)
		return hw_leaf_unsupported(cpu);
	return hw_eld(cpu, pageinfo, epc, va_slot, false, true);
}

/* ENCLV */

/*
 * What ENCLV checks before its leaf: #UD unless CPUID.(12h,0):EAX[5] and
 * VMX root operation (the model's VMM never enables ENCLV in a guest, so in
 * non-root operation it is #UD as with "enable ENCLV exiting" clear), then
 * #GP(0) unless FEATURE_CONTROL enables SGX.
 */
static int enclv_check(struct hw_cpu *cpu)
{
	if (!cpu->proc->desc.oversub || cpu->vmx != HW_VMX_ROOT)
		return hw_fault_ud(cpu);
	return hw_encls_check(cpu);
}

/*
 * EINCVIRTCHILD / EDECVIRTCHILD up to the count: RBX a page of an enclave,
 * RCX that enclave's SECS. Holds RBX's entry on success (*ret_e).
 */
static int virtchild_operands(struct hw_cpu *cpu, uint64_t page, uint64_t secs,
			      struct hw_epcm_entry **ret_e, struct hw_enclave **ret_encl)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *e;
	struct hw_xlate xs;
	uint64_t idx, sidx, tmp;
	int r;

	if (page & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, page, true, &idx);
	if (r)
		return r;
	/* RCX is read for its physical address only; it need not be aligned. */
	r = hw_xlate(cpu, secs, false, &xs);
	if (r)
		return r;
	if (xs.kind != HW_XLATE_EPC || !epcm_index(p, xs.pa, &tmp))
		return hw_fault_pf(cpu, secs, hw_pf_epcm(false));
	e = epcm_entry(p, idx);
	if (!epcm_trylock(e))
		return SGX_EPC_PAGE_CONFLICT;
	r = hw_fault_pf(cpu, page, hw_pf_epcm(true));
	if (!(e->flags & EPCM_VALID) || (!epcm_is_child_type(e->pt) && e->pt != SGX_PT_SECS))
		goto err_unlock;
	sidx = e->pt == SGX_PT_SECS ? idx : e->secs;
	/* The page's SECS must be the very address RCX translates to. */
	r = hw_fault_gp(cpu);
	if (epcm_pa(p, sidx) != xs.pa)
		goto err_unlock;
	*ret_e = e;
	*ret_encl = epcm_enclave(epcm_entry(p, sidx));
	return 0;
err_unlock:
	epcm_unlock(e);
	return r;
}

static int virtchild(struct hw_cpu *cpu, uint64_t page, uint64_t secs, bool inc)
{
	struct hw_epcm_entry *e = NULL;
	struct hw_enclave *encl = NULL;
	uint_fast64_t n;
	int r;

	r = virtchild_operands(cpu, page, secs, &e, &encl);
	if (r)
		return r;
	if (inc) {
		atomic_fetch_add(&encl->virtchildren, 1);
	} else {
		/* A locked decrement that undoes itself on underflow, as one CAS. */
		n = atomic_load(&encl->virtchildren);
		do {
			if (!n) {
				r = SGX_INVALID_COUNTER;
				break;
			}
		} while (!atomic_compare_exchange_weak(&encl->virtchildren, &n, n - 1));
	}
	epcm_unlock(e);
	return r;
}

static int esetcontext(struct hw_cpu *cpu, uint64_t secs, uint64_t context)
{
	struct hw_epcm_entry *s;
	uint64_t idx, value;
	int r;

	if (secs & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, secs, false, &idx);
	if (r)
		return r;
	if (context & 7)
		return hw_fault_gp(cpu);
	r = hw_op_read(cpu, context, &value, sizeof(value));
	if (r)
		return r;
	s = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(s))
		return SGX_EPC_PAGE_CONFLICT;
	if (!(s->flags & EPCM_VALID) || s->pt != SGX_PT_SECS)
		r = hw_fault_pf(cpu, secs, hw_pf_epcm(false));
	else
		atomic_store(&epcm_enclave(s)->context, value);
	epcm_unlock(s);
	return r;
}

int hw_eincvirtchild(struct hw_cpu *cpu, uint64_t page, uint64_t secs)
{
	int r = enclv_check(cpu);

	return r ? r : virtchild(cpu, page, secs, true);
}

int hw_edecvirtchild(struct hw_cpu *cpu, uint64_t page, uint64_t secs)
{
	int r = enclv_check(cpu);

	return r ? r : virtchild(cpu, page, secs, false);
}

int hw_esetcontext(struct hw_cpu *cpu, uint64_t secs, uint64_t context)
{
	int r = enclv_check(cpu);

	return r ? r : esetcontext(cpu, secs, context);
}

int hw_enclv(struct hw_cpu *cpu, struct hw_regs *regs)
{
	/* Only EAX[31:0] selects the leaf. */
	unsigned int leaf = (uint32_t)regs->rax;
	int r;

	r = enclv_check(cpu);
	if (r)
		return r;
	switch (leaf) {
	case SGX_EDECVIRTCHILD:
		r = virtchild(cpu, regs->rbx, regs->rcx, false);
		break;
	case SGX_EINCVIRTCHILD:
		r = virtchild(cpu, regs->rbx, regs->rcx, true);
		break;
	case SGX_ESETCONTEXT:
		r = esetcontext(cpu, regs->rcx, regs->rdx);
		break;
	default:
		return hw_fault_gp(cpu);
	}
	if (hw_faulted(r) || r < 0)
		return r;
	regs->rax = (uint64_t)r;
	/* ZF on any error; CF, PF, AF, OF and SF always cleared. */
	regs->rflags &= ~(HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF |
			  HW_RFLAGS_OF);
	if (r != SGX_SUCCESS)
		regs->rflags |= HW_RFLAGS_ZF;
	return r;
}

const char *hw_enclv_leaf_name(unsigned int leaf)
{
	static const char *const names[SGX_ENCLV_LEAF_MAX] = {
		[SGX_EDECVIRTCHILD] = "EDECVIRTCHILD",
		[SGX_EINCVIRTCHILD] = "EINCVIRTCHILD",
		[SGX_ESETCONTEXT] = "ESETCONTEXT",
	};

	return leaf < SGX_ENCLV_LEAF_MAX ? names[leaf] : NULL;
}

int hw_epcm_hold(struct hw_processor *p, uint64_t pa, bool hold)
{
	struct hw_epcm_entry *e;
	uint64_t idx;

	if (!epcm_index(p, pa, &idx))
		return -EINVAL;
	e = epcm_entry(p, idx);
	if (hold)
		return epcm_trylock(e) ? 0 : -EBUSY;
	if (!epcm_is_held(e))
		return -ENOENT;
	epcm_unlock(e);
	return 0;
}
