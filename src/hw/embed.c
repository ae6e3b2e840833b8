/* SPDX-License-Identifier: MIT */
/*
 * The SGX unit's interface to a CPU emulator (<vsgx/embed.h>): the leaves on
 * the emulator's register file, the state an enclave entry swaps in and an
 * exit swaps back, the SSA frame's XSAVE area, and the enclave-mode access
 * check the emulator makes at TLB fill.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"

#ifndef VSGX_VERSION
#define VSGX_VERSION "0.0.0"
#endif

const char *vsgx_version(void)
{
	return VSGX_VERSION;
}

void vsgx_processor_set_epc_written(struct hw_processor *p, vsgx_epc_written_fn *fn, void *opaque)
{
	p->epc_written = fn;
	p->epc_written_opaque = opaque;
}

void *vsgx_processor_section_contents(struct hw_processor *p, unsigned int index)
{
	return index < p->nr_sections ? p->sections[index].contents : NULL;
}

bool vsgx_cpu_enclave(const struct hw_cpu *cpu, struct vsgx_enclave_range *ret)
{
	const struct hw_enclave *encl;

	if (!cpu->inside)
		return false;
	if (ret) {
		encl = epcm_enclave(epcm_entry(cpu->proc, cpu->inside - 1));
		ret->base = encl->secs.base;
		ret->size = encl->secs.size;
	}
	return true;
}

/* Hand the entry checks the CPU's mode and control registers. */
static void cpu_ctl_load(struct hw_cpu *cpu, const struct vsgx_regs *regs)
{
	hw_cpu_set_control(cpu, (regs->efer & VSGX_EFER_LMA) && regs->cs_l, regs->cr0, regs->cr4,
			   regs->xcr0);
}

static void regs_to_hw(const struct vsgx_regs *regs, struct hw_regs *hr)
{
	hr->rax = regs->gpr[VSGX_RAX];
	hr->rbx = regs->gpr[VSGX_RBX];
	hr->rcx = regs->gpr[VSGX_RCX];
	hr->rdx = regs->gpr[VSGX_RDX];
	hr->rflags = regs->rflags;
}

static void regs_from_hw(struct vsgx_regs *regs, const struct hw_regs *hr)
{
	regs->gpr[VSGX_RAX] = hr->rax;
	regs->gpr[VSGX_RBX] = hr->rbx;
	regs->gpr[VSGX_RCX] = hr->rcx;
	regs->gpr[VSGX_RDX] = hr->rdx;
	regs->rflags = hr->rflags;
}

int vsgx_encls(struct hw_cpu *cpu, struct vsgx_regs *regs)
{
	struct hw_regs hr;
	int r;

	cpu_ctl_load(cpu, regs);
	r = hw_encls_check(cpu);
	if (r)
		return r;
	if (!(regs->cr0 & VSGX_CR0_PG))
		return hw_fault_gp(cpu);
	regs_to_hw(regs, &hr);
	r = hw_encls(cpu, &hr);
	if (hw_faulted(r) || r < 0)
		return r;
	regs_from_hw(regs, &hr);
	return 0;
}

static struct sgx_tcs *cpu_tcs(struct hw_cpu *cpu)
{
	return (struct sgx_tcs *)epcm_contents(cpu->proc, cpu->tcs - 1);
}

static struct sgx_ssa_gpr *cpu_gpr(struct hw_cpu *cpu)
{
	return (struct sgx_ssa_gpr *)(epcm_materialize(cpu->proc, cpu->gpr_idx) + SGX_PAGE_SIZE -
				      sizeof(struct sgx_ssa_gpr));
}

/*
 * FS and GS inside the enclave: bases from the TCS, 4 GiB-granular data
 * segments taking DS's writability, privilege and mode, selector 0x0B.
 * Outside 64-bit mode the TCS's limits apply.
 */
static void enclave_segment(struct vsgx_segment *seg, uint64_t base, uint32_t limit)
{
	const uint32_t type_data_rw_accessed = 3;

	seg->base = base;
	seg->limit = limit;
	seg->selector = 0x0b;
	seg->attrib = (type_data_rw_accessed << VSGX_SEG_TYPE_SHIFT) | VSGX_SEG_S |
		      (3u << VSGX_SEG_DPL_SHIFT) | VSGX_SEG_P | VSGX_SEG_DB | VSGX_SEG_G;
}

/* What EENTER and ERESUME save and load, once the entry checks have passed. */
static void entry_switch(struct hw_cpu *cpu, struct vsgx_regs *regs, const struct sgx_tcs *tcs)
{
	const struct sgx_secs *secs = &hw_cpu_enclave(cpu)->secs;

	struct sgx_ssa_gpr *gpr = cpu_gpr(cpu);

	/* The outside stack, which an AEX's synthetic state goes back to. */
	gpr->ursp = regs->gpr[VSGX_RSP];
	gpr->urbp = regs->gpr[VSGX_RBP];
	epcm_written(cpu->proc, cpu->gpr_idx);
	cpu->save_fs = regs->fs;
	cpu->save_gs = regs->gs;
	cpu->save_xcr0 = regs->xcr0;
	enclave_segment(&regs->fs, secs->base + tcs->ofsbase, tcs->fslimit);
	enclave_segment(&regs->gs, secs->base + tcs->ogsbase, tcs->gslimit);
	if (regs->cr4 & VSGX_CR4_OSXSAVE)
		regs->xcr0 = secs->attributes.xfrm;
	/* An opt-out entry (no DBGOPTIN) single-steps nothing inside. */
	cpu->save_tf = regs->rflags & VSGX_RFLAGS_TF;
	cpu->opted_in = tcs->flags & SGX_TCS_DBGOPTIN;
	if (!cpu->opted_in)
		regs->rflags &= ~VSGX_RFLAGS_TF;
}

/*
 * EEXIT and AEX: FS, GS and XCR0 as the entry found them; TF too after an
 * opt-out entry, while an opted-in thread's TF is the debugger's own.
 */
static void exit_switch(struct hw_cpu *cpu, struct vsgx_regs *regs)
{
	regs->fs = cpu->save_fs;
	regs->gs = cpu->save_gs;
	regs->xcr0 = cpu->save_xcr0;
	if (!cpu->opted_in)
		regs->rflags =
		    (regs->rflags & ~VSGX_RFLAGS_TF) | (cpu->save_tf ? VSGX_RFLAGS_TF : 0);
}

static int enclu_eenter(struct hw_cpu *cpu, struct vsgx_regs *regs, unsigned int *changed)
{
	const struct sgx_tcs *tcs;
	uint32_t cssa;
	int r;

	r = hw_eenter(cpu, regs->gpr[VSGX_RBX], regs->gpr[VSGX_RCX], &cssa);
	if (r)
		return r;
	tcs = cpu_tcs(cpu);
	entry_switch(cpu, regs, tcs);
	regs->gpr[VSGX_RCX] = regs->rip;
	regs->gpr[VSGX_RAX] = cssa;
	regs->rip = hw_cpu_enclave(cpu)->secs.base + tcs->oentry;
	*changed |= VSGX_ENTERED;
	return 0;
}

/* The frame's XSAVE area, which may span pages, as one image. */
static void frame_xsave_read(struct hw_cpu *cpu, uint8_t *img, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += SGX_PAGE_SIZE) {
		uint64_t n = size - off < SGX_PAGE_SIZE ? size - off : SGX_PAGE_SIZE;

		memcpy(img + off, epcm_contents(cpu->proc, cpu->xsave_idx[off / SGX_PAGE_SIZE]), n);
	}
}

static void frame_xsave_write(struct hw_cpu *cpu, const uint8_t *img, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += SGX_PAGE_SIZE) {
		uint64_t n = size - off < SGX_PAGE_SIZE ? size - off : SGX_PAGE_SIZE;
		uint64_t idx = cpu->xsave_idx[off / SGX_PAGE_SIZE];

		memcpy(epcm_materialize(cpu->proc, idx), img + off, n);
		epcm_written(cpu->proc, idx);
	}
}

/* The GPRs, RFLAGS, RIP, FS and GS bases an AEX saved, as ERESUME reloads them. */
static void frame_gpr_load(struct vsgx_regs *regs, const struct sgx_ssa_gpr *g)
{
	const uint64_t v[VSGX_NR_GPRS] = { g->rax, g->rcx, g->rdx, g->rbx, g->rsp, g->rbp,
					   g->rsi, g->rdi, g->r8,  g->r9,  g->r10, g->r11,
					   g->r12, g->r13, g->r14, g->r15 };

	memcpy(regs->gpr, v, sizeof(v));
	regs->rflags = g->rflags;
	regs->rip = g->rip;
	regs->fs.base = g->fsbase;
	regs->gs.base = g->gsbase;
}

static int enclu_eresume(struct hw_cpu *cpu, struct vsgx_regs *regs, struct vsgx_xsave *xsave,
			 unsigned int *changed)
{
	struct sgx_ssa_gpr gpr;
	uint8_t img[HW_XSAVE_PAGES * SGX_PAGE_SIZE];
	const struct sgx_secs *secs;
	uint64_t xfrm, size;
	uint32_t cssa;
	bool pop;
	int r;

	r = hw_enter(cpu, regs->gpr[VSGX_RBX], regs->gpr[VSGX_RCX], true, &gpr, &cssa, &pop);
	if (r)
		return r;
	secs = &hw_cpu_enclave(cpu)->secs;
	xfrm = secs->attributes.xfrm;
	size = hw_xsave_size(xfrm);
	entry_switch(cpu, regs, cpu_tcs(cpu));
	*changed |= VSGX_ENTERED;
	if (pop) {
		/* Resumed from the frame: its registers and XSAVE state come back. */
		frame_gpr_load(regs, &gpr);
		if (xsave && xsave->size >= size) {
			frame_xsave_read(cpu, img, size);
			hw_xsave_merge(xsave->area, img, xfrm);
			*changed |= VSGX_XSAVE_CHANGED;
		}
		return 0;
	}
	/* AEX-Notify: a fresh entry at OENTRY, the frame left for EDECCSSA. */
	regs->gpr[VSGX_RCX] = regs->rip;
	regs->gpr[VSGX_RAX] = cssa;
	regs->rip = secs->base + cpu_tcs(cpu)->oentry;
	return 0;
}

static int enclu_eexit(struct hw_cpu *cpu, struct vsgx_regs *regs, unsigned int *changed)
{
	uint64_t aep;
	int r;

	r = hw_eexit(cpu, regs->gpr[VSGX_RBX], &aep);
	if (r)
		return r;
	regs->rip = regs->gpr[VSGX_RBX];
	regs->gpr[VSGX_RCX] = aep;
	exit_switch(cpu, regs);
	*changed |= VSGX_EXITED;
	return 0;
}

int vsgx_enclu(struct hw_cpu *cpu, struct vsgx_regs *regs, struct vsgx_xsave *xsave,
	       unsigned int *ret_changed)
{
	unsigned int leaf = (uint32_t)regs->gpr[VSGX_RAX], changed = 0;
	struct hw_regs hr;
	int r;

	if (ret_changed)
		*ret_changed = 0;
	cpu_ctl_load(cpu, regs);
	if (!(regs->cr0 & VSGX_CR0_PG) || !(regs->cr0 & VSGX_CR0_NE))
		return hw_fault_gp(cpu);
	switch (leaf) {
	case SGX_EENTER:
	case SGX_ERESUME:
	case SGX_EEXIT:
		r = hw_encls_check(cpu);
		if (r)
			return r;
		if (leaf == SGX_EENTER)
			r = enclu_eenter(cpu, regs, &changed);
		else if (leaf == SGX_ERESUME)
			r = enclu_eresume(cpu, regs, xsave, &changed);
		else
			r = enclu_eexit(cpu, regs, &changed);
		break;
	default:
		regs_to_hw(regs, &hr);
		r = hw_enclu(cpu, &hr);
		if (!r || (!hw_faulted(r) && r > 0))
			regs_from_hw(regs, &hr);
		if (r > 0 && !hw_faulted(r))
			r = 0;
		break;
	}
	if (ret_changed)
		*ret_changed = r ? 0 : changed;
	return r;
}

/* Where the legacy region of an XSAVE image holds MXCSR_MASK. */
#define XSAVE_MXCSR_MASK 28

/* RFLAGS of the synthetic state: the arithmetic flags and RF cleared, TF as at entry. */
#define AEX_RFLAGS_CLEAR                                                                           \
	(HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF | HW_RFLAGS_OF | \
	 (1ull << 16))

int vsgx_aex(struct hw_cpu *cpu, struct vsgx_regs *regs, struct vsgx_xsave *xsave,
	     const struct hw_aex *why, unsigned int *ret_changed)
{
	const uint64_t *g = regs->gpr;
	struct sgx_ssa_gpr gpr, *frame;
	uint64_t xfrm, size, tcs_la, aep;
	int r;

	if (ret_changed)
		*ret_changed = 0;
	if (!cpu->tcs)
		return -EINVAL;
	xfrm = hw_cpu_enclave(cpu)->secs.attributes.xfrm;
	size = hw_xsave_size(xfrm);
	frame = cpu_gpr(cpu);
	gpr = (struct sgx_ssa_gpr){
		.rax = g[VSGX_RAX],
		.rcx = g[VSGX_RCX],
		.rdx = g[VSGX_RDX],
		.rbx = g[VSGX_RBX],
		.rsp = g[VSGX_RSP],
		.rbp = g[VSGX_RBP],
		.rsi = g[VSGX_RSI],
		.rdi = g[VSGX_RDI],
		.r8 = g[VSGX_R8],
		.r9 = g[VSGX_R9],
		.r10 = g[VSGX_R10],
		.r11 = g[VSGX_R11],
		.r12 = g[VSGX_R12],
		.r13 = g[VSGX_R13],
		.r14 = g[VSGX_R14],
		.r15 = g[VSGX_R15],
		.rflags = regs->rflags,
		.rip = regs->rip,
		.ursp = frame->ursp,
		.urbp = frame->urbp,
		.fsbase = regs->fs.base,
		.gsbase = regs->gs.base,
	};
	if (xsave && xsave->size >= size) {
		uint8_t img[HW_XSAVE_PAGES * SGX_PAGE_SIZE];

		/*
		 * The frame holds the enclave's components only, in XSAVE's form:
		 * with SSE state XSAVE also stores the CPU's MXCSR_MASK.
		 */
		memset(img, 0, size);
		memcpy(img + XSAVE_MXCSR_MASK, (const uint8_t *)xsave->area + XSAVE_MXCSR_MASK, 4);
		hw_xsave_merge(img, xsave->area, xfrm);
		frame_xsave_write(cpu, img, size);
	}
	tcs_la = cpu->tcs_la;
	aep = cpu->aep;
	r = hw_aex(cpu, &gpr, why);
	if (r)
		return r;
	memset(regs->gpr, 0, sizeof(regs->gpr));
	regs->gpr[VSGX_RAX] = SGX_ERESUME;
	regs->gpr[VSGX_RBX] = tcs_la;
	regs->gpr[VSGX_RCX] = aep;
	regs->gpr[VSGX_RSP] = gpr.ursp;
	regs->gpr[VSGX_RBP] = gpr.urbp;
	regs->rip = aep;
	regs->rflags &= ~AEX_RFLAGS_CLEAR;
	exit_switch(cpu, regs);
	if (ret_changed)
		*ret_changed = VSGX_EXITED;
	if (xsave && xsave->size >= size) {
		hw_xsave_init(xsave->area, xfrm);
		if (ret_changed)
			*ret_changed |= VSGX_XSAVE_CHANGED;
	}
	return 0;
}

static uint32_t access_pfec(enum vsgx_access access)
{
	uint32_t pfec = X86_PF_PROT | X86_PF_USER | X86_PF_SGX;

	if (access == VSGX_ACCESS_WRITE)
		pfec |= X86_PF_WRITE;
	if (access == VSGX_ACCESS_FETCH)
		pfec |= X86_PF_INSTR;
	return pfec;
}

static unsigned int epcm_prot(const struct hw_epcm_entry *e)
{
	return ((e->flags & EPCM_R) ? VSGX_PROT_READ : 0) |
	       ((e->flags & EPCM_W) ? VSGX_PROT_WRITE : 0) |
	       ((e->flags & EPCM_X) ? VSGX_PROT_EXEC : 0);
}

static bool access_allowed(unsigned int prot, enum vsgx_access access)
{
	switch (access) {
	case VSGX_ACCESS_READ:
		return prot & VSGX_PROT_READ;
	case VSGX_ACCESS_WRITE:
		return prot & VSGX_PROT_WRITE;
	default:
		return prot & VSGX_PROT_EXEC;
	}
}

int vsgx_enclave_access(struct hw_cpu *cpu, uint64_t la, uint64_t pa, enum vsgx_access access,
			unsigned int *ret_prot, void **ret_host)
{
	uint16_t bad = EPCM_BLOCKED | EPCM_PENDING | EPCM_MODIFIED;
	struct vsgx_enclave_range range;
	struct hw_epcm_entry *e;
	unsigned int prot = 0;
	uint64_t idx;
	bool ok;

	if (!vsgx_cpu_enclave(cpu, &range))
		return -EINVAL;
	if (la - range.base >= range.size)
		return access == VSGX_ACCESS_FETCH ? hw_fault_gp(cpu) : 1;
	if (!epcm_index(cpu->proc, pa, &idx))
		return hw_fault_pf(cpu, la, access_pfec(access));
	e = epcm_entry(cpu->proc, idx);
	epcm_access_lock(e);
	ok = (e->flags & EPCM_VALID) && e->pt == SGX_PT_REG && !(e->flags & bad) &&
	     e->secs == cpu->inside - 1 && epcm_linaddr(e) == (la & SGX_PAGE_MASK);
	if (ok) {
		prot = epcm_prot(e);
		ok = access_allowed(prot, access);
	}
	/*
	 * Write rights only for a write: the emulator comes back at the first
	 * store, and the page is then known to hold data a reset must zero.
	 */
	if (ok && access == VSGX_ACCESS_WRITE)
		epcm_materialize(cpu->proc, idx);
	else
		prot &= ~VSGX_PROT_WRITE;
	epcm_unlock(e);
	if (!ok)
		return hw_fault_pf(cpu, la, access_pfec(access));
	*ret_prot = prot;
	*ret_host = epcm_contents(cpu->proc, idx);
	return 0;
}
