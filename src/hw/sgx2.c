/* SPDX-License-Identifier: MIT */
/*
 * SGX2 dynamic memory (SDM Vol. 3D, chapter 38): the OS adds pages to a
 * running enclave (EAUG), restricts their permissions (EMODPR) and changes
 * their type (EMODT); the enclave takes each change on (EACCEPT, EACCEPTCOPY)
 * or extends permissions itself (EMODPE).
 *
 * EAUG leaves a page PENDING, EMODPR leaves it PR and EMODT MODIFIED; enclave
 * code cannot use a PENDING or MODIFIED page until it accepts it. A
 * restriction or a new type is safe only once no thread can still use a
 * translation made before it, so EACCEPT of a PR or MODIFIED page also needs
 * an ETRACK after the change whose threads have all left (else
 * SGX_NOT_TRACKED). A PENDING page was never accessible: it needs none.
 *
 * Every leaf checks in the order of the SDM's pseudocode. The ENCLU leaves
 * read their operands' contents (the SECINFO, EACCEPTCOPY's source) as
 * enclave data accesses right after checking them, before taking any busy
 * bit; they check their target once while holding no busy bit (waiting for
 * it, as enclave accesses do) and again once they own it.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"

static bool secinfo_reserved_ok(const struct sgx_secinfo *si)
{
	return !(si->flags & SGX_SECINFO_RESERVED_MASK) &&
	       hw_is_zero(si->reserved, sizeof(si->reserved));
}

/* W without R is no permission set the EPCM can hold. */
static bool secinfo_w_without_r(uint64_t flags)
{
	return (flags & SGX_SECINFO_W) && !(flags & SGX_SECINFO_R);
}

static uint16_t secinfo_perms(uint64_t flags)
{
	return (uint16_t)(((flags & SGX_SECINFO_R) ? EPCM_R : 0) |
			  ((flags & SGX_SECINFO_W) ? EPCM_W : 0) |
			  ((flags & SGX_SECINFO_X) ? EPCM_X : 0));
}

/* SGX2 leaves are unsupported leaves on a part without SGX2: #GP(0). */
static int sgx2_encls_check(struct hw_cpu *cpu)
{
	if (!cpu->proc->desc.sgx2)
		return hw_leaf_unsupported(cpu);
	return hw_encls_check(cpu);
}

/* The ENCLU leaves of SGX2 run inside an enclave only (else #GP(0)). */
static int sgx2_enclu_check(struct hw_cpu *cpu, struct hw_enclave **ret_encl)
{
	int r;

	r = sgx2_encls_check(cpu);
	if (r)
		return r;
	*ret_encl = hw_cpu_enclave(cpu);
	return *ret_encl ? 0 : hw_fault_gp(cpu);
}

/*
 * EMODPR and EMODT do not take the SECS (the SDM lists no SECS access for
 * them). INIT is set once by EINIT and never cleared while the enclave has a
 * page, so reading it while holding one of its pages is enough.
 */
static bool enclave_initialized(const struct hw_enclave *encl)
{
	return encl->secs.attributes.flags & SGX_ATTR_INIT;
}

struct eaug_args {
	struct sgx_pageinfo pi;
	uint64_t idx;  /* target page */
	uint64_t sidx; /* PAGEINFO.SECS */
};

static int eaug_operands(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, struct eaug_args *a)
{
	int r;

	if ((pageinfo & 31) || (epc & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, epc, true, &a->idx);
	if (!r)
		r = hw_op_read(cpu, pageinfo, &a->pi, sizeof(a->pi));
	if (r)
		return r;
	if (a->pi.secinfo & 63)
		return hw_fault_gp(cpu);
	if ((a->pi.secs | a->pi.linaddr) & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	if (a->pi.srcpge)
		return hw_fault_gp(cpu);
	return hw_op_epc(cpu, a->pi.secs, true, &a->sidx);
}

/*
 * EAUG's SECINFO. None (0) asks for a regular RW page. The current SDM takes
 * a SECINFO only for CET shadow-stack pages, which the model does not
 * implement (CPUID.(12h,1):EAX[6] = 0); earlier revisions required one with
 * PT_REG. Both are accepted: a PT_REG SECINFO must ask for exactly RW, the
 * only permissions an EAUG'd page gets.
 */
static int eaug_secinfo(struct hw_cpu *cpu, uint64_t secinfo)
{
	struct sgx_secinfo si;
	int r;

	if (!secinfo)
		return 0;
	r = hw_op_read(cpu, secinfo, &si, sizeof(si));
	if (r)
		return r;
	if (!secinfo_reserved_ok(&si) || SGX_SECINFO_TO_PT(si.flags) != SGX_PT_REG ||
	    (si.flags & SGX_SECINFO_PERM_MASK) != (SGX_SECINFO_R | SGX_SECINFO_W))
		return hw_fault_gp(cpu);
	return 0;
}

static int eaug_locked(struct hw_cpu *cpu, const struct eaug_args *a, uint64_t epc)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *e = epcm_entry(p, a->idx);
	struct hw_epcm_entry *s = epcm_entry(p, a->sidx);
	struct hw_enclave *encl;
	int r;

	if (e->flags & EPCM_VALID)
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	r = eaug_secinfo(cpu, a->pi.secinfo);
	if (r)
		return r;
	/* A PAGEINFO.SECS naming the (invalid) target lands here too. */
	if (!(s->flags & EPCM_VALID) || s->pt != SGX_PT_SECS)
		return hw_fault_pf(cpu, a->pi.secs, hw_pf_epcm(true));
	encl = epcm_enclave(s);
	if (!enclave_initialized(encl))
		return hw_fault_gp(cpu);
	if (a->pi.linaddr - encl->secs.base >= encl->secs.size)
		return hw_fault_gp(cpu);
	r = hw_poison_check(cpu, e, a->idx);
	if (r)
		return r;
	if (e->flags & EPCM_HELD) {
		memset(epcm_contents(p, a->idx), 0, SGX_PAGE_SIZE);
		epcm_written(p, a->idx);
	}
	epcm_set_linaddr(e, a->pi.linaddr);
	e->secs = (uint32_t)a->sidx;
	epcm_validate(p, e, SGX_PT_REG, EPCM_R | EPCM_W | EPCM_PENDING);
	atomic_fetch_add(&encl->children, 1);
	return SGX_SUCCESS;
}

int hw_eaug(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc)
{
	struct hw_epcm_entry *e, *s;
	struct eaug_args a;
	int r;

	r = sgx2_encls_check(cpu);
	if (!r)
		r = eaug_operands(cpu, pageinfo, epc, &a);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, a.idx);
	s = epcm_entry(cpu->proc, a.sidx);
	/*
	 * EAUG shares the SECS with other EAUGs and with enclave entries, which
	 * hold it only for a moment: wait for it first, while this leaf holds
	 * nothing, rather than fail. The target is exclusive (#GP when busy).
	 */
	if (s != e)
		epcm_lock_wait(s);
	if (epcm_trylock(e)) {
		r = eaug_locked(cpu, &a, epc);
		epcm_unlock(e);
	} else {
		r = hw_fault_gp(cpu);
	}
	if (s != e)
		epcm_unlock(s);
	return r;
}

/* EMODPR's and EMODT's operands, up to the SECINFO's reserved fields. */
static int emod_operands(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc, struct sgx_secinfo *si,
			 uint64_t *idx)
{
	int r;

	if ((secinfo & 63) || (epc & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, epc, true, idx);
	if (!r)
		r = hw_op_read(cpu, secinfo, si, sizeof(*si));
	if (r)
		return r;
	return secinfo_reserved_ok(si) ? 0 : hw_fault_gp(cpu);
}

static int emodpr_locked(struct hw_cpu *cpu, uint64_t flags, uint64_t epc, struct hw_epcm_entry *e)
{
	struct hw_enclave *encl;
	uint16_t keep;

	if (!(e->flags & EPCM_VALID))
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	if (e->flags & (EPCM_PENDING | EPCM_MODIFIED))
		return SGX_PAGE_NOT_MODIFIABLE;
	if (e->pt != SGX_PT_REG)
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	encl = epcm_child_enclave(cpu->proc, e);
	if (!enclave_initialized(encl))
		return hw_fault_gp(cpu);
	/* The SECINFO's RWX is a mask: permissions only go. */
	keep = (uint16_t)(~EPCM_RWX | secinfo_perms(flags));
	if (epcm_set_epoch(cpu->proc, encl, e, hw_track_epoch(encl)))
		return -ENOMEM;
	e->flags = (uint16_t)((e->flags & keep) | EPCM_PR);
	return SGX_SUCCESS;
}

int hw_emodpr(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc)
{
	struct sgx_secinfo si;
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = sgx2_encls_check(cpu);
	if (!r)
		r = emod_operands(cpu, secinfo, epc, &si, &idx);
	if (r)
		return r;
	if (secinfo_w_without_r(si.flags))
		return hw_fault_gp(cpu);
	/*
	 * A page another leaf holds is a conflict the OS can retry. The model
	 * cannot tell an SGX1 holder (#GP in the SDM) from an SGX2 one.
	 */
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return SGX_EPC_PAGE_CONFLICT;
	r = emodpr_locked(cpu, si.flags, epc, e);
	epcm_unlock(e);
	return r;
}

/* REG becomes TCS or TRIM; TCS and shadow-stack pages can only be trimmed. */
static bool emodt_allowed(unsigned int from, unsigned int to)
{
	if (from == SGX_PT_REG)
		return true;
	return (from == SGX_PT_TCS || from == SGX_PT_SS_FIRST || from == SGX_PT_SS_REST) &&
	       to == SGX_PT_TRIM;
}

static int emodt_locked(struct hw_cpu *cpu, unsigned int pt, uint64_t epc, struct hw_epcm_entry *e)
{
	struct hw_enclave *encl;

	if (!(e->flags & EPCM_VALID))
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	if (!emodt_allowed(e->pt, pt))
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	if (e->flags & (EPCM_PENDING | EPCM_MODIFIED))
		return SGX_PAGE_NOT_MODIFIABLE;
	encl = epcm_child_enclave(cpu->proc, e);
	if (!enclave_initialized(encl))
		return hw_fault_gp(cpu);
	if (epcm_set_epoch(cpu->proc, encl, e, hw_track_epoch(encl)))
		return -ENOMEM;
	e->pt = (uint8_t)pt;
	e->flags = (uint16_t)((e->flags & ~(EPCM_RWX | EPCM_PR)) | EPCM_MODIFIED);
	return SGX_SUCCESS;
}

int hw_emodt(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc)
{
	struct sgx_secinfo si;
	struct hw_epcm_entry *e;
	unsigned int pt;
	uint64_t idx;
	int r;

	r = sgx2_encls_check(cpu);
	if (!r)
		r = emod_operands(cpu, secinfo, epc, &si, &idx);
	if (r)
		return r;
	pt = SGX_SECINFO_TO_PT(si.flags);
	if (pt != SGX_PT_TCS && pt != SGX_PT_TRIM)
		return hw_fault_gp(cpu);
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return SGX_EPC_PAGE_CONFLICT;
	r = emodt_locked(cpu, pt, epc, e);
	epcm_unlock(e);
	return r;
}

static bool encl_contains(const struct hw_enclave *encl, uint64_t la)
{
	return la - encl->secs.base < encl->secs.size;
}

/*
 * Read an operand that is ordinary enclave data (a SECINFO, EACCEPTCOPY's
 * source): the checks of an enclave load, then the bytes, read without the
 * page's busy bit as enclave loads are (see enclu.c). Within one page.
 */
static int encl_read(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len)
{
	uint64_t idx;
	int r;

	r = hw_op_encl(cpu, la, false, &idx);
	if (!r)
		r = hw_poison_check(cpu, epcm_entry(cpu->proc, idx), idx);
	if (r)
		return r;
	memcpy(buf, epcm_contents(cpu->proc, idx) + (la & ~SGX_PAGE_MASK), len);
	return 0;
}

/* What a leaf checks of its target before it takes the target's busy bit. */
struct entry_state {
	uint64_t linaddr;
	uint32_t secs;
	uint16_t flags;
	uint8_t pt;
};

/* Waits for the entry's busy bit: the caller must hold none. */
static struct entry_state entry_snapshot(struct hw_processor *p, uint64_t idx)
{
	struct hw_epcm_entry *e = epcm_entry(p, idx);
	struct entry_state st;

	epcm_access_lock(e);
	st.linaddr = epcm_linaddr(e);
	st.secs = e->secs;
	st.flags = e->flags;
	st.pt = e->pt;
	epcm_unlock(e);
	return st;
}

/* VALID, a child page, and of the enclave (cpu) runs in. */
static bool in_current_enclave(const struct hw_cpu *cpu, uint16_t flags, unsigned int pt,
			       uint32_t secs)
{
	return (flags & EPCM_VALID) && epcm_is_child_type(pt) && secs == cpu->inside - 1;
}

/*
 * The PT/PENDING/MODIFIED/PR combinations EACCEPT accepts. Without CET
 * (CPUID.(12h,1):EAX[6] = 0) shadow-stack pages cannot be requested.
 */
static bool eaccept_request_ok(uint64_t flags)
{
	unsigned int pt = SGX_SECINFO_TO_PT(flags);
	bool pending = flags & SGX_SECINFO_PENDING;
	bool modified = flags & SGX_SECINFO_MODIFIED;
	bool pr = flags & SGX_SECINFO_PR;

	if (pt == SGX_PT_REG)
		return (pr || pending) && !modified;
	if (pt == SGX_PT_TCS || pt == SGX_PT_TRIM)
		return !pr && !pending && modified;
	return false;
}

/* The page is what the enclave expects: address, PENDING, MODIFIED, RWX and type. */
static bool eaccept_matches(const struct hw_epcm_entry *e, uint64_t page, uint64_t flags)
{
	uint16_t mask = EPCM_RWX | EPCM_PENDING | EPCM_MODIFIED;
	uint16_t want =
	    (uint16_t)(secinfo_perms(flags) | ((flags & SGX_SECINFO_PENDING) ? EPCM_PENDING : 0) |
		       ((flags & SGX_SECINFO_MODIFIED) ? EPCM_MODIFIED : 0));

	return epcm_linaddr(e) == page && (e->flags & mask) == want &&
	       e->pt == SGX_SECINFO_TO_PT(flags);
}

/* A page that becomes a TCS must look like one no thread has used. */
static int eaccept_tcs_check(struct hw_cpu *cpu, const struct hw_enclave *encl, uint64_t idx)
{
	const struct sgx_tcs *tcs = (const struct sgx_tcs *)epcm_contents(cpu->proc, idx);

	if (!hw_is_zero(tcs->reserved, sizeof(tcs->reserved)))
		return hw_fault_gp(cpu);
	if ((tcs->flags & SGX_TCS_DBGOPTIN) || tcs->cssa >= tcs->nssa || tcs->aep || tcs->state)
		return hw_fault_gp(cpu);
	if (!(encl->secs.attributes.flags & SGX_ATTR_MODE64BIT) &&
	    ((tcs->fslimit & 0xfff) != 0xfff || (tcs->gslimit & 0xfff) != 0xfff))
		return hw_fault_gp(cpu);
	return 0;
}

static int eaccept_locked(struct hw_cpu *cpu, struct hw_enclave *encl, uint64_t flags,
			  uint64_t page, uint64_t idx)
{
	struct hw_epcm_entry *e = epcm_entry(cpu->proc, idx);
	int r;

	if (!in_current_enclave(cpu, e->flags, e->pt, e->secs))
		return hw_fault_pf(cpu, page, hw_pf_epcm(false));
	if (!eaccept_matches(e, page, flags))
		return SGX_PAGE_ATTRIBUTES_MISMATCH;
	/* Restricted or retyped pages wait for tracking; EAUG'd ones were never mapped. */
	if ((e->flags & (EPCM_PR | EPCM_MODIFIED)) &&
	    !hw_track_done(encl, epcm_epoch(cpu->proc, encl, e)))
		return SGX_NOT_TRACKED;
	if (SGX_SECINFO_TO_PT(flags) == SGX_PT_TCS) {
		r = eaccept_tcs_check(cpu, encl, idx);
		if (r)
			return r;
	}
	e->flags &= (uint16_t) ~(EPCM_PENDING | EPCM_MODIFIED | EPCM_PR);
	epcm_drop_epoch(cpu->proc, encl, e);
	return SGX_SUCCESS;
}

/* EACCEPT's checks up to its target's EPCM entry; *si is the SECINFO read. */
static int eaccept_operands(struct hw_cpu *cpu, struct hw_enclave *encl, uint64_t secinfo,
			    uint64_t page, struct sgx_secinfo *si, uint64_t *idx)
{
	struct entry_state st;
	int r;

	if (secinfo & 63)
		return hw_fault_gp(cpu);
	r = encl_read(cpu, secinfo, si, sizeof(*si));
	if (r)
		return r;
	if (!secinfo_reserved_ok(si))
		return hw_fault_gp(cpu);
	if ((page & ~SGX_PAGE_MASK) || !encl_contains(encl, page))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, page, false, idx);
	if (r)
		return r;
	if (!eaccept_request_ok(si->flags))
		return hw_fault_gp(cpu);
	st = entry_snapshot(cpu->proc, *idx);
	if (!in_current_enclave(cpu, st.flags, st.pt, st.secs) || (st.flags & EPCM_BLOCKED))
		return hw_fault_pf(cpu, page, hw_pf_epcm(false));
	return 0;
}

int hw_eaccept(struct hw_cpu *cpu, uint64_t secinfo, uint64_t page)
{
	struct hw_enclave *encl;
	struct sgx_secinfo si;
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = sgx2_enclu_check(cpu, &encl);
	if (!r)
		r = eaccept_operands(cpu, encl, secinfo, page, &si, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = eaccept_locked(cpu, encl, si.flags, page, idx);
	epcm_unlock(e);
	return r;
}

/* EMODPE's target: an accepted regular page of this enclave. */
static bool emodpe_target_ok(const struct hw_cpu *cpu, uint16_t flags, unsigned int pt,
			     uint32_t secs)
{
	return in_current_enclave(cpu, flags, pt, secs) && pt == SGX_PT_REG &&
	       !(flags & (EPCM_PENDING | EPCM_MODIFIED));
}

static int emodpe_operands(struct hw_cpu *cpu, struct hw_enclave *encl, uint64_t secinfo,
			   uint64_t page, struct sgx_secinfo *si, uint64_t *idx)
{
	struct entry_state st;
	uint64_t sidx;
	int r;

	if ((secinfo & 63) || (page & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	if (!encl_contains(encl, secinfo) || !encl_contains(encl, page))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, secinfo, false, &sidx);
	if (!r)
		r = hw_op_epc(cpu, page, false, idx);
	if (!r)
		r = encl_read(cpu, secinfo, si, sizeof(*si));
	if (r)
		return r;
	if (!secinfo_reserved_ok(si))
		return hw_fault_gp(cpu);
	st = entry_snapshot(cpu->proc, *idx);
	if (!emodpe_target_ok(cpu, st.flags, st.pt, st.secs) || (st.flags & EPCM_BLOCKED))
		return hw_fault_pf(cpu, page, hw_pf_epcm(false));
	return 0;
}

int hw_emodpe(struct hw_cpu *cpu, uint64_t secinfo, uint64_t page)
{
	struct hw_enclave *encl;
	struct sgx_secinfo si;
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = sgx2_enclu_check(cpu, &encl);
	if (!r)
		r = emodpe_operands(cpu, encl, secinfo, page, &si, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	if (!emodpe_target_ok(cpu, e->flags, e->pt, e->secs) || epcm_linaddr(e) != page)
		r = hw_fault_pf(cpu, page, hw_pf_epcm(false));
	else if (!(e->flags & EPCM_R) && secinfo_w_without_r(si.flags))
		r = hw_fault_gp(cpu);
	else
		e->flags |= secinfo_perms(si.flags); /* the SECINFO's RWX is a mask: only adds */
	epcm_unlock(e);
	return r;
}

/* EACCEPTCOPY's destination: a PENDING regular RW page of this enclave, as EAUG left it. */
static bool eacceptcopy_dest_ok(const struct hw_cpu *cpu, uint16_t flags, unsigned int pt,
				uint32_t secs)
{
	return in_current_enclave(cpu, flags, pt, secs) && pt == SGX_PT_REG &&
	       (flags & (EPCM_PENDING | EPCM_MODIFIED)) == EPCM_PENDING;
}

/* EACCEPTCOPY's checks up to the destination's EPCM entry; copies the source to (buf). */
static int eacceptcopy_operands(struct hw_cpu *cpu, struct hw_enclave *encl, uint64_t secinfo,
				uint64_t dst, uint64_t src, struct sgx_secinfo *si, uint8_t *buf,
				uint64_t *didx)
{
	uint64_t idx;
	int r;

	if ((secinfo & 63) || ((dst | src) & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	if (!encl_contains(encl, secinfo) || !encl_contains(encl, dst) || !encl_contains(encl, src))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, secinfo, false, &idx);
	if (!r)
		r = hw_op_epc(cpu, dst, true, didx);
	if (!r)
		r = hw_op_epc(cpu, src, false, &idx);
	if (!r)
		r = encl_read(cpu, secinfo, si, sizeof(*si));
	if (r)
		return r;
	if (!secinfo_reserved_ok(si) || secinfo_w_without_r(si->flags) ||
	    SGX_SECINFO_TO_PT(si->flags) != SGX_PT_REG)
		return hw_fault_gp(cpu);
	return encl_read(cpu, src, buf, SGX_PAGE_SIZE);
}

int hw_eacceptcopy(struct hw_cpu *cpu, uint64_t secinfo, uint64_t dst, uint64_t src)
{
	uint16_t rw = EPCM_R | EPCM_W;
	uint8_t buf[SGX_PAGE_SIZE];
	struct hw_enclave *encl;
	struct sgx_secinfo si;
	struct hw_epcm_entry *e;
	struct entry_state st;
	uint64_t idx;
	int r;

	r = sgx2_enclu_check(cpu, &encl);
	if (!r)
		r = eacceptcopy_operands(cpu, encl, secinfo, dst, src, &si, buf, &idx);
	if (r)
		return r;
	st = entry_snapshot(cpu->proc, idx);
	if (!eacceptcopy_dest_ok(cpu, st.flags, st.pt, st.secs) || (st.flags & EPCM_BLOCKED))
		return SGX_PAGE_ATTRIBUTES_MISMATCH;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	if (!eacceptcopy_dest_ok(cpu, e->flags, e->pt, e->secs) || (e->flags & EPCM_RWX) != rw ||
	    epcm_linaddr(e) != dst) {
		r = SGX_PAGE_ATTRIBUTES_MISMATCH;
	} else if (epcm_poisoned(e)) {
		r = hw_fault_mc(cpu, idx);
	} else {
		epcm_set_contents(cpu->proc, idx, buf);
		e->flags =
		    (uint16_t)((e->flags & ~(EPCM_RWX | EPCM_PENDING)) | secinfo_perms(si.flags));
		r = SGX_SUCCESS;
	}
	epcm_unlock(e);
	return r;
}
