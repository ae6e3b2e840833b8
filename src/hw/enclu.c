/* SPDX-License-Identifier: MIT */
/*
 * Enclave threads: EENTER, ERESUME, EEXIT and asynchronous exits, the
 * operand rules of the leaves that run inside an enclave, and the ENCLU
 * register interface.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"

struct hw_enclave *hw_cpu_enclave(struct hw_cpu *cpu)
{
	if (!cpu->inside)
		return NULL;
	return epcm_enclave(epcm_entry(cpu->proc, cpu->inside - 1));
}

static bool in_elrange(const struct hw_enclave *encl, uint64_t la)
{
	return la - encl->secs.base < encl->secs.size;
}

/* Translate (la) for the current enclave; the entry is checked with its busy bit held. */
static int encl_page_lookup(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx)
{
	struct hw_xlate x;
	int r = hw_xlate(cpu, la, write, &x);

	if (r)
		return r;
	if (x.kind != HW_XLATE_EPC || !epcm_index(cpu->proc, x.pa, ret_idx))
		return hw_fault_pf(cpu, la, hw_pf_epcm(write));
	return 0;
}

static bool encl_entry_owned(const struct hw_cpu *cpu, const struct hw_epcm_entry *e, uint64_t la)
{
	return (e->flags & EPCM_VALID) && epcm_is_child_type(e->pt) && e->secs == cpu->inside - 1 &&
	       epcm_linaddr(e) == (la & SGX_PAGE_MASK);
}

/* The checks of an ordinary enclave access to a regular page. */
static bool encl_entry_accessible(const struct hw_epcm_entry *e, bool write)
{
	if (e->pt != SGX_PT_REG || (e->flags & (EPCM_BLOCKED | EPCM_PENDING | EPCM_MODIFIED)))
		return false;
	return (e->flags & EPCM_R) && (!write || (e->flags & EPCM_W));
}

static int op_encl(struct hw_cpu *cpu, uint64_t la, bool write, bool access, uint64_t *ret_idx)
{
	struct hw_epcm_entry *e;
	bool ok;
	int r;

	if (!in_elrange(hw_cpu_enclave(cpu), la))
		return hw_fault_gp(cpu);
	r = encl_page_lookup(cpu, la, write, ret_idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, *ret_idx);
	epcm_access_lock(e);
	ok = encl_entry_owned(cpu, e, la) && (!access || encl_entry_accessible(e, write));
	epcm_unlock(e);
	return ok ? 0 : hw_fault_pf(cpu, la, hw_pf_epcm(write));
}

int hw_op_encl_page(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx)
{
	return op_encl(cpu, la, write, false, ret_idx);
}

int hw_op_encl(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx)
{
	return op_encl(cpu, la, write, true, ret_idx);
}

/* An entry in progress: the TCS and SECS it holds, and where its SSA frame lies. */
struct entry {
	uint64_t tcs_la;
	uint64_t tidx, sidx;
	struct sgx_tcs *tcs;
	struct hw_enclave *encl;
	uint64_t gpr_idx; /* EPCM index of the page holding the frame's GPR area */
	uint64_t xsave_idx[HW_XSAVE_PAGES];
};

#define GPR_OFFSET (SGX_PAGE_SIZE - sizeof(struct sgx_ssa_gpr))

static struct sgx_ssa_gpr *frame_gpr(struct hw_processor *p, uint64_t gpr_idx)
{
	return (struct sgx_ssa_gpr *)(epcm_materialize(p, gpr_idx) + GPR_OFFSET);
}

/* The TCS checks of EENTER and ERESUME, up to its contents. */
static int entry_tcs_check(struct hw_cpu *cpu, struct entry *en)
{
	struct hw_epcm_entry *te = epcm_entry(cpu->proc, en->tidx);
	uint16_t bad = EPCM_BLOCKED | EPCM_PENDING | EPCM_MODIFIED;

	if (!(te->flags & EPCM_VALID) || (te->flags & bad) || epcm_linaddr(te) != en->tcs_la ||
	    te->pt != SGX_PT_TCS)
		return hw_fault_pf(cpu, en->tcs_la, hw_pf_epcm(true));
	if (epcm_poisoned(te))
		return hw_fault_mc(cpu, en->tidx);
	en->tcs = (struct sgx_tcs *)epcm_materialize(cpu->proc, en->tidx);
	if ((en->tcs->ossa | en->tcs->ofsbase | en->tcs->ogsbase) & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	en->sidx = te->secs;
	return 0;
}

/* A page of the SSA frame: one of this enclave's regular pages, readable and writable. */
static int entry_ssa_page(struct hw_cpu *cpu, const struct entry *en, uint64_t la,
			  uint64_t *ret_idx)
{
	struct hw_epcm_entry *e;
	bool ok;
	int r;

	r = encl_page_lookup(cpu, la, true, ret_idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, *ret_idx);
	epcm_access_lock(e);
	ok = (e->flags & EPCM_VALID) && e->secs == en->sidx &&
	     epcm_linaddr(e) == (la & SGX_PAGE_MASK) && encl_entry_accessible(e, true);
	epcm_unlock(e);
	if (!ok)
		return hw_fault_pf(cpu, la, hw_pf_epcm(true));
	/* The frame is read (ERESUME) or written (an AEX) through this page. */
	return epcm_poisoned(e) ? hw_fault_mc(cpu, *ret_idx) : 0;
}

/* Check every page of SSA frame (frame) as EENTER does, finding its GPR area. */
static int entry_ssa_check(struct hw_cpu *cpu, struct entry *en, uint32_t frame)
{
	const struct sgx_secs *secs = &en->encl->secs;
	uint64_t frame_size = (uint64_t)secs->ssa_frame_size * SGX_PAGE_SIZE;
	uint64_t ssa = secs->base + en->tcs->ossa + frame * frame_size;
	uint64_t xsize = hw_xsave_size(secs->attributes.xfrm);
	uint64_t idx;
	int r;

	for (uint64_t off = 0; off < xsize; off += SGX_PAGE_SIZE) {
		r = entry_ssa_page(cpu, en, ssa + off, &idx);
		if (r)
			return r;
		en->xsave_idx[off / SGX_PAGE_SIZE] = idx;
	}
	return entry_ssa_page(cpu, en, ssa + frame_size - sizeof(struct sgx_ssa_gpr), &en->gpr_idx);
}

/*
 * The CPU's mode must be the one the enclave was built for, with OSFXSR
 * set and XFRM within XCR0 (exactly x87 and SSE without OSXSAVE). A CPU
 * whose emulator said nothing of its state passes.
 */
static bool entry_mode_ok(const struct hw_cpu *cpu, const struct sgx_secs *secs)
{
	uint64_t xfrm = secs->attributes.xfrm;

	if (!cpu->ctl_set)
		return true;
	if (cpu->mode64 != !!(secs->attributes.flags & SGX_ATTR_MODE64BIT))
		return false;
	if (!(cpu->cr4 & VSGX_CR4_OSFXSR))
		return false;
	if (cpu->cr4 & VSGX_CR4_OSXSAVE)
		return (xfrm & ~cpu->xcr0) == 0;
	return xfrm == SGX_XFRM_LEGACY;
}

/*
 * The SECS checks of an entry. INIT is read first, with acquire: EINIT
 * publishes it last, so every SECS field an entry reads is final once it is
 * seen (nothing changes them after EINIT while a TCS pins the SECS), and
 * they are read without holding the SECS.
 */
static int entry_secs_check(struct hw_cpu *cpu, struct entry *en)
{
	const struct sgx_tcs *tcs = en->tcs;
	uint64_t attrs;

	if (tcs->flags & SGX_TCS_RESERVED_MASK)
		return hw_fault_gp(cpu);
	if (!atomic_load_explicit(&en->encl->initialized, memory_order_acquire))
		return hw_fault_gp(cpu);
	attrs = en->encl->secs.attributes.flags;
	if (!entry_mode_ok(cpu, &en->encl->secs))
		return hw_fault_gp(cpu);
	if (!(tcs->flags & SGX_TCS_DBGOPTIN) &&
	    !(tcs->flags & SGX_TCS_AEXNOTIFY) != !(attrs & SGX_ATTR_AEXNOTIFY))
		return hw_fault_gp(cpu);
	return 0;
}

/*
 * ERESUME resumes from the frame below CSSA, unless the thread opted into
 * AEX-Notify and the frame says an exit was taken: then it enters afresh
 * at OENTRY, leaving the frame for the enclave to pop (EDECCSSA).
 */
static bool resume_notifies(struct hw_processor *p, const struct entry *en)
{
	return (en->tcs->flags & SGX_TCS_AEXNOTIFY) && (frame_gpr(p, en->gpr_idx)->aexnotify & 1);
}

static int entry_frame(struct hw_cpu *cpu, struct entry *en, bool resume, bool *ret_pop)
{
	const struct sgx_tcs *tcs = en->tcs;
	int r;

	*ret_pop = false;
	if (!resume) {
		if (tcs->cssa >= tcs->nssa)
			return hw_fault_gp(cpu);
		return entry_ssa_check(cpu, en, tcs->cssa);
	}
	if (tcs->cssa == 0)
		return hw_fault_gp(cpu);
	r = entry_ssa_check(cpu, en, tcs->cssa - 1);
	if (r || !resume_notifies(cpu->proc, en)) {
		*ret_pop = true;
		/* Resuming loads the frame's XSAVE image: XRSTOR's faults come first. */
		if (!r && !hw_xsave_valid(epcm_contents(cpu->proc, en->xsave_idx[0]),
					  en->encl->secs.attributes.xfrm))
			r = hw_fault_gp(cpu);
		return r;
	}
	/* An AEX-Notify entry needs a free frame, as EENTER does. */
	if (tcs->cssa >= tcs->nssa)
		return hw_fault_gp(cpu);
	return entry_ssa_check(cpu, en, tcs->cssa);
}

static int entry_locked(struct hw_cpu *cpu, struct entry *en, bool resume, uint64_t aep,
			struct sgx_ssa_gpr *ret_gpr, bool *ret_pop)
{
	struct hw_processor *p = cpu->proc;
	bool pop;
	int r;

	r = entry_frame(cpu, en, resume, &pop);
	if (r)
		return r;
	if (!hw_is_canonical(en->encl->secs.base + en->tcs->oentry) ||
	    !hw_is_canonical(en->encl->secs.base + en->tcs->ofsbase) ||
	    !hw_is_canonical(en->encl->secs.base + en->tcs->ogsbase))
		return hw_fault_gp(cpu);
	if (en->tcs->state)
		return hw_fault_gp(cpu);
	if (pop) {
		if (ret_gpr)
			*ret_gpr = *frame_gpr(p, en->gpr_idx);
		en->tcs->cssa--;
	}
	*ret_pop = pop;
	en->tcs->state = 1;
	en->tcs->aep = aep;
	cpu->aep = aep;
	cpu->gpr_idx = en->gpr_idx;
	memcpy(cpu->xsave_idx, en->xsave_idx, sizeof(cpu->xsave_idx));
	cpu->tcs_la = en->tcs_la;
	cpu->inside = (uint32_t)en->sidx + 1;
	cpu->tcs = (uint32_t)en->tidx + 1;
	hw_track_enter(en->encl, cpu);
	return 0;
}

/*
 * EENTER and ERESUME. (ret_pop) says whether ERESUME resumed from a frame
 * (its GPRs then in *ret_gpr) or, with AEX-Notify, entered afresh.
 */
int hw_enter(struct hw_cpu *cpu, uint64_t tcs, uint64_t aep, bool resume,
	     struct sgx_ssa_gpr *ret_gpr, uint32_t *ret_cssa, bool *ret_pop)
{
	struct entry en = { .tcs_la = tcs };
	struct hw_epcm_entry *te, *se;
	int r;

	r = hw_encls_check(cpu);
	if (r)
		return r;
	if (cpu->inside || (tcs & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, tcs, true, &en.tidx);
	if (r)
		return r;
	if (!hw_is_canonical(aep))
		return hw_fault_gp(cpu);
	te = epcm_entry(cpu->proc, en.tidx);
	if (!epcm_trylock(te))
		return hw_fault_gp(cpu);
	r = entry_tcs_check(cpu, &en);
	if (r)
		goto out_tcs;
	/*
	 * The TCS's SECS cannot go while the TCS is valid: its child count pins
	 * it, and the hidden state it points at is fixed at ECREATE. Entries do
	 * not take the SECS's busy bit, as hardware's EENTER takes no
	 * enclave-wide lock: threads entering on several CPUs share nothing
	 * written but the tracking word, and never make an ENCLS leaf on the
	 * SECS (ETRACK, EADD) fail.
	 */
	se = epcm_entry(cpu->proc, en.sidx);
	en.encl = epcm_enclave(se);
	r = epcm_poisoned(se) ? hw_fault_mc(cpu, en.sidx) : entry_secs_check(cpu, &en);
	if (!r)
		r = entry_locked(cpu, &en, resume, aep, ret_gpr, ret_pop);
	if (!r && ret_cssa)
		*ret_cssa = en.tcs->cssa;
out_tcs:
	epcm_unlock(te);
	return r;
}

int hw_eenter(struct hw_cpu *cpu, uint64_t tcs, uint64_t aep, uint32_t *ret_cssa)
{
	bool pop;

	return hw_enter(cpu, tcs, aep, false, NULL, ret_cssa, &pop);
}

int hw_eresume(struct hw_cpu *cpu, uint64_t tcs, uint64_t aep, struct sgx_ssa_gpr *ret_gpr)
{
	bool pop;

	return hw_enter(cpu, tcs, aep, true, ret_gpr, NULL, &pop);
}

/* Leave enclave mode: the TCS becomes available again and tracking learns of the exit. */
static void leave(struct hw_cpu *cpu, struct sgx_tcs *tcs)
{
	tcs->state = 0;
	hw_track_leave(hw_cpu_enclave(cpu), cpu);
	cpu->inside = 0;
	cpu->tcs = 0;
}

/* The TCS of a thread inside: it stays valid while its enclave has a thread inside. */
static struct sgx_tcs *cpu_tcs(struct hw_cpu *cpu)
{
	return (struct sgx_tcs *)epcm_materialize(cpu->proc, cpu->tcs - 1);
}

int hw_eexit(struct hw_cpu *cpu, uint64_t target, uint64_t *ret_aep)
{
	struct hw_epcm_entry *te;
	int r;

	r = hw_encls_check(cpu);
	if (r)
		return r;
	if (!cpu->tcs || !hw_is_canonical(target))
		return hw_fault_gp(cpu);
	te = epcm_entry(cpu->proc, cpu->tcs - 1);
	epcm_lock_wait(te);
	if (ret_aep)
		*ret_aep = cpu->aep;
	leave(cpu, cpu_tcs(cpu));
	epcm_unlock(te);
	return 0;
}

/* EXITINFO: vector, type (3 hardware exception, 6 software exception), valid. */
#define EXITINFO_VALID	  (1u << 31)
#define EXITINFO_HW_EXC	  (3u << 8)
#define EXITINFO_SOFT_EXC (6u << 8)

static uint32_t aex_exitinfo(const struct hw_enclave *encl, const struct hw_aex *why)
{
	bool exinfo = encl->secs.miscselect & SGX_MISC_EXINFO;

	if (why->is_interrupt)
		return 0;
	switch (why->vector) {
	case X86_TRAP_PF:
	case X86_TRAP_GP:
		/* Page and protection faults are reported only to enclaves that ask. */
		if (!exinfo)
			return 0;
		return EXITINFO_VALID | EXITINFO_HW_EXC | why->vector;
	case X86_TRAP_BP:
		return EXITINFO_VALID | EXITINFO_SOFT_EXC | why->vector;
	case X86_TRAP_DE:
	case X86_TRAP_DB:
	case X86_TRAP_BR:
	case X86_TRAP_UD:
	case X86_TRAP_MF:
	case X86_TRAP_AC:
	case X86_TRAP_XF:
		return EXITINFO_VALID | EXITINFO_HW_EXC | why->vector;
	default:
		return 0;
	}
}

/* Write the frame the exit saves into: GPRs, EXITINFO, and MISC.EXINFO before them. */
static void aex_save(struct hw_cpu *cpu, const struct sgx_ssa_gpr *gpr, const struct hw_aex *why,
		     uint64_t gpr_idx)
{
	struct hw_enclave *encl = hw_cpu_enclave(cpu);
	struct sgx_ssa_gpr *frame = frame_gpr(cpu->proc, gpr_idx);
	uint32_t exitinfo = aex_exitinfo(encl, why);

	*frame = *gpr;
	frame->exitinfo = exitinfo;
	memset(frame->reserved, 0, sizeof(frame->reserved));
	frame->aexnotify = (cpu_tcs(cpu)->flags & SGX_TCS_AEXNOTIFY) ? 1 : 0;
	if ((exitinfo & EXITINFO_VALID) &&
	    (why->vector == X86_TRAP_PF || why->vector == X86_TRAP_GP)) {
		struct sgx_exinfo *ex = (struct sgx_exinfo *)frame - 1;

		ex->maddr = why->vector == X86_TRAP_PF ? why->addr : 0;
		ex->errcd = why->error_code;
		ex->reserved = 0;
	}
}

int hw_aex(struct hw_cpu *cpu, const struct sgx_ssa_gpr *gpr, const struct hw_aex *why)
{
	struct hw_epcm_entry *te;
	struct sgx_tcs *tcs;

	if (!cpu->tcs)
		return -EINVAL;
	te = epcm_entry(cpu->proc, cpu->tcs - 1);
	epcm_lock_wait(te);
	tcs = cpu_tcs(cpu);
	/*
	 * The frame is the one the entry checked; its GPR page cannot have
	 * left the EPC since, as EWB of a page needs this thread out first.
	 */
	aex_save(cpu, gpr, why, cpu->gpr_idx);
	epcm_written(cpu->proc, cpu->gpr_idx);
	tcs->cssa++;
	leave(cpu, tcs);
	epcm_unlock(te);
	return 0;
}

/* One access of enclave code within one page. */
static int access_page(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len, bool write)
{
	struct hw_xlate x;
	uint64_t idx;
	int r;

	if (in_elrange(hw_cpu_enclave(cpu), la)) {
		r = hw_op_encl(cpu, la, write, &idx);
		if (!r)
			r = hw_poison_check(cpu, epcm_entry(cpu->proc, idx), idx);
		if (r)
			return r;
		if (write) {
			memcpy(epcm_materialize(cpu->proc, idx) + (la & ~SGX_PAGE_MASK), buf, len);
			epcm_written(cpu->proc, idx);
		} else
			memcpy(buf, epcm_contents(cpu->proc, idx) + (la & ~SGX_PAGE_MASK), len);
		return 0;
	}
	r = hw_xlate(cpu, la, write, &x);
	if (r)
		return r;
	/* Outside ELRANGE the EPC is an abort page, as for any other software. */
	if (x.kind == HW_XLATE_EPC) {
		if (!write)
			memset(buf, 0xff, len);
	} else if (write) {
		memcpy(x.ram, buf, len);
	} else {
		memcpy(buf, x.ram, len);
	}
	return 0;
}

static int enclave_access(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;

	if (!cpu->inside)
		return -EINVAL;
	while (len) {
		size_t n = SGX_PAGE_SIZE - (la & ~SGX_PAGE_MASK);
		int r;

		if (n > len)
			n = len;
		r = access_page(cpu, la, b, n, write);
		if (r)
			return r;
		la += n;
		b += n;
		len -= n;
	}
	return 0;
}

int hw_enclave_read(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len)
{
	return enclave_access(cpu, la, buf, len, false);
}

int hw_enclave_write(struct hw_cpu *cpu, uint64_t la, const void *buf, size_t len)
{
	return enclave_access(cpu, la, (void *)buf, len, true);
}

static bool enclu_leaf_is_sgx2(unsigned int leaf)
{
	return leaf == SGX_EACCEPT || leaf == SGX_EMODPE || leaf == SGX_EACCEPTCOPY;
}

/* ERESUME restores the frame's registers, or enters afresh like EENTER (AEX-Notify). */
static int enclu_resume(struct hw_cpu *cpu, struct hw_regs *regs)
{
	struct sgx_ssa_gpr gpr;
	uint32_t cssa;
	bool pop;
	int r;

	r = hw_enter(cpu, regs->rbx, regs->rcx, true, &gpr, &cssa, &pop);
	if (r)
		return r;
	if (!pop) {
		regs->rax = cssa;
		return 0;
	}
	regs->rax = gpr.rax;
	regs->rbx = gpr.rbx;
	regs->rcx = gpr.rcx;
	regs->rdx = gpr.rdx;
	regs->rflags = gpr.rflags;
	return 0;
}

/*
 * EDECCSSA: the enclave pops the frame an AEX left (after an AEX-Notify
 * entry), as ERESUME would have, without resuming from it. The frame below
 * becomes the current one, checked as an entry checks its frame.
 */
static int enclu_edeccssa(struct hw_cpu *cpu)
{
	struct entry en = { .tcs_la = cpu->tcs_la };
	struct hw_epcm_entry *te;
	int r;

	if (!cpu->tcs)
		return hw_fault_gp(cpu);
	en.tidx = cpu->tcs - 1;
	en.sidx = cpu->inside - 1;
	en.encl = hw_cpu_enclave(cpu);
	te = epcm_entry(cpu->proc, en.tidx);
	epcm_lock_wait(te);
	en.tcs = cpu_tcs(cpu);
	if (en.tcs->cssa == 0) {
		r = hw_fault_gp(cpu);
	} else {
		r = entry_ssa_check(cpu, &en, en.tcs->cssa - 1);
		if (!r) {
			en.tcs->cssa--;
			cpu->gpr_idx = en.gpr_idx;
			memcpy(cpu->xsave_idx, en.xsave_idx, sizeof(cpu->xsave_idx));
			epcm_written(cpu->proc, en.tidx);
		}
	}
	epcm_unlock(te);
	return r;
}

/* EGETKEY, EACCEPT and EACCEPTCOPY return a code in RAX, with ZF set on error. */
static int enclu_coded(int r, struct hw_regs *regs)
{
	if (hw_faulted(r) || r < 0)
		return r;
	regs->rax = (uint64_t)r;
	regs->rflags &= ~(HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF |
			  HW_RFLAGS_OF);
	if (r != SGX_SUCCESS)
		regs->rflags |= HW_RFLAGS_ZF;
	return r;
}

/* The leaves issued inside an enclave. EREPORT and EMODPE write no register and no flag. */
static int enclu_inside(struct hw_cpu *cpu, unsigned int leaf, struct hw_regs *regs)
{
	switch (leaf) {
	case SGX_EREPORT:
		return hw_ereport(cpu, regs->rbx, regs->rcx, regs->rdx);
	case SGX_EMODPE:
		return hw_emodpe(cpu, regs->rbx, regs->rcx);
	case SGX_EGETKEY:
		return enclu_coded(hw_egetkey(cpu, regs->rbx, regs->rcx), regs);
	case SGX_EACCEPT:
		return enclu_coded(hw_eaccept(cpu, regs->rbx, regs->rcx), regs);
	case SGX_EACCEPTCOPY:
		return enclu_coded(hw_eacceptcopy(cpu, regs->rbx, regs->rcx, regs->rdx), regs);
	case SGX_EDECCSSA:
		if (!(cpu->proc->desc.attributes & SGX_ATTR_AEXNOTIFY))
			return hw_fault_gp(cpu);
		return enclu_edeccssa(cpu);
	default:
		/* EVERIFYREPORT2 is not enumerated by the model. */
		return hw_fault_gp(cpu);
	}
}

int hw_enclu(struct hw_cpu *cpu, struct hw_regs *regs)
{
	/* Only EAX[31:0] selects the leaf. */
	unsigned int leaf = (uint32_t)regs->rax;
	uint32_t cssa;
	int r;

	if (enclu_leaf_is_sgx2(leaf) && !cpu->proc->desc.sgx2)
		return hw_leaf_unsupported(cpu);
	r = hw_encls_check(cpu);
	if (r)
		return r;
	switch (leaf) {
	case SGX_EENTER:
		r = hw_eenter(cpu, regs->rbx, regs->rcx, &cssa);
		if (!r)
			regs->rax = cssa;
		return r;
	case SGX_ERESUME:
		return enclu_resume(cpu, regs);
	case SGX_EEXIT:
		return hw_eexit(cpu, regs->rbx, &regs->rcx);
	default:
		if (!cpu->inside)
			return hw_fault_gp(cpu);
		return enclu_inside(cpu, leaf, regs);
	}
}

static const char *const leaf_names[SGX_ENCLU_LEAF_MAX] = {
	[SGX_EREPORT] = "EREPORT",
	[SGX_EGETKEY] = "EGETKEY",
	[SGX_EENTER] = "EENTER",
	[SGX_ERESUME] = "ERESUME",
	[SGX_EEXIT] = "EEXIT",
	[SGX_EACCEPT] = "EACCEPT",
	[SGX_EMODPE] = "EMODPE",
	[SGX_EACCEPTCOPY] = "EACCEPTCOPY",
	[SGX_EVERIFYREPORT2] = "EVERIFYREPORT2",
	[SGX_EDECCSSA] = "EDECCSSA",
};

const char *hw_enclu_leaf_name(unsigned int leaf)
{
	return leaf < SGX_ENCLU_LEAF_MAX ? leaf_names[leaf] : NULL;
}
