/* SPDX-License-Identifier: MIT */
/*
 * Building and tearing down enclaves: ECREATE, EADD, EEXTEND and EREMOVE
 * (SDM Vol. 3D, chapter 38). Each leaf checks its operands in the order of
 * the SDM's pseudocode, so the first fault or error reported is the one
 * hardware would report.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"
#include "vsgx/crypto.h"

/* XCR0 rules: components that only come in groups, and what they build on. */
static bool xfrm_is_legal(const struct hw_processor *p, uint64_t xfrm)
{
	if (xfrm & ~p->desc.xfrm)
		return false;
	if ((xfrm & SGX_XFRM_AVX) && !(xfrm & SGX_XFRM_SSE))
		return false;
	if ((xfrm & SGX_XFRM_MPX) && (xfrm & SGX_XFRM_MPX) != SGX_XFRM_MPX)
		return false;
	if ((xfrm & SGX_XFRM_AVX512) &&
	    ((xfrm & SGX_XFRM_AVX512) != SGX_XFRM_AVX512 || !(xfrm & SGX_XFRM_AVX)))
		return false;
	if ((xfrm & SGX_XFRM_AMX) && (xfrm & SGX_XFRM_AMX) != SGX_XFRM_AMX)
		return false;
	return true;
}

static bool secs_size_ok(const struct hw_processor *p, const struct sgx_secs *s)
{
	bool mode64 = s->attributes.flags & SGX_ATTR_MODE64BIT;
	unsigned int max = mode64 ? p->desc.max_enclave_size_64 : p->desc.max_enclave_size_32;

	if (max < 64 && s->size >= 1ULL << max)
		return false;
	if (s->size < 2 * SGX_PAGE_SIZE || (s->size & (s->size - 1)))
		return false;
	return !(s->base & (s->size - 1));
}

static bool secs_reserved_zero(const struct sgx_secs *s)
{
	return hw_is_zero(s->reserved2, sizeof(s->reserved2)) &&
	       hw_is_zero(s->reserved3, sizeof(s->reserved3)) &&
	       hw_is_zero(s->reserved4, sizeof(s->reserved4));
}

/* ECREATE's validation of the SECS image, in the SDM's order. */
static bool secs_is_valid(const struct hw_processor *p, const struct sgx_secs *s)
{
	const struct hw_desc *d = &p->desc;
	uint64_t misc_size = (s->miscselect & SGX_MISC_EXINFO) ? sizeof(struct sgx_exinfo) : 0;
	bool mode64 = s->attributes.flags & SGX_ATTR_MODE64BIT;

	if ((s->attributes.xfrm & SGX_XFRM_LEGACY) != SGX_XFRM_LEGACY)
		return false;
	if (!xfrm_is_legal(p, s->attributes.xfrm))
		return false;
	/* No CET in the model: its legacy-bitmap offset and attributes must be 0. */
	if (!hw_is_zero(s->reserved1, sizeof(s->reserved1)))
		return false;
	if (s->miscselect & ~d->miscselect)
		return false;
	if ((uint64_t)s->ssa_frame_size * SGX_PAGE_SIZE <
	    hw_xsave_size(s->attributes.xfrm) + sizeof(struct sgx_ssa_gpr) + misc_size)
		return false;
	if (mode64 ? !hw_is_canonical(s->base) : (s->base >> 32) != 0)
		return false;
	if (!secs_size_ok(p, s))
		return false;
	if (s->attributes.flags & ~d->attributes)
		return false;
	if (!secs_reserved_zero(s))
		return false;
	if (!(s->attributes.flags & SGX_ATTR_KSS) &&
	    (!hw_is_zero(s->config_id, sizeof(s->config_id)) || s->config_svn))
		return false;
	return true;
}

static int measure(struct hw_enclave *encl, const void *data, size_t len)
{
	if (crypto_sha256_update(encl->mrenclave, data, len))
		return -ENOMEM;
	encl->mr_blocks += len / 64;
	return 0;
}

/* MRENCLAVE's first block: "ECREATE", SSAFRAMESIZE and SIZE. */
static int measure_ecreate(struct hw_enclave *encl)
{
	uint8_t block[64] = "ECREATE";

	memcpy(block + 8, &encl->secs.ssa_frame_size, 4);
	memcpy(block + 12, &encl->secs.size, 8);
	return measure(encl, block, sizeof(block));
}

static void secs_start(struct hw_processor *p, struct hw_enclave *encl, uint64_t pa)
{
	encl->secs.attributes.flags &= ~SGX_ATTR_INIT;
	encl->secs.isv_svn = 0;
	encl->secs.isv_prod_id = 0;
	memset(encl->secs.mrenclave, 0, sizeof(encl->secs.mrenclave));
	memset(encl->secs.mrsigner, 0, sizeof(encl->secs.mrsigner));
	encl->eid = atomic_fetch_add(&p->next_eid, 1);
	/* VIRTCHILDCNT := 0; ENCLAVECONTEXT := the SECS's address out of paging. */
	atomic_store(&encl->virtchildren, 0);
	encl->context = pa;
}

/* Operand checks of ECREATE up to the target's EPCM state; returns the SECINFO-checked PAGEINFO. */
static int ecreate_operands(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc,
			    struct sgx_pageinfo *pi, uint64_t *idx)
{
	struct sgx_secinfo si;
	int r;

	if ((pageinfo & 31) || (epc & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, epc, true, idx);
	if (!r)
		r = hw_op_read(cpu, pageinfo, pi, sizeof(*pi));
	if (r)
		return r;
	if ((pi->srcpge & ~SGX_PAGE_MASK) || (pi->secinfo & 63))
		return hw_fault_gp(cpu);
	if (pi->linaddr || pi->secs)
		return hw_fault_gp(cpu);
	r = hw_op_read(cpu, pi->secinfo, &si, sizeof(si));
	if (r)
		return r;
	if ((si.flags & SGX_SECINFO_RESERVED_MASK) ||
	    !hw_is_zero(si.reserved, sizeof(si.reserved)) ||
	    SGX_SECINFO_TO_PT(si.flags) != SGX_PT_SECS)
		return hw_fault_gp(cpu);
	return 0;
}

static int ecreate_locked(struct hw_cpu *cpu, const struct sgx_pageinfo *pi, uint64_t epc,
			  uint64_t idx)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *e = epcm_entry(p, idx);
	struct hw_enclave *encl;
	int r;

	if (e->flags & EPCM_VALID)
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	r = hw_poison_check(cpu, e, idx);
	if (r)
		return r;
	encl = epcm_enclave_alloc();
	if (!encl)
		return -ENOMEM;
	r = hw_op_read(cpu, pi->srcpge, &encl->secs, sizeof(encl->secs));
	if (!r && !secs_is_valid(p, &encl->secs))
		r = hw_fault_gp(cpu);
	if (r)
		goto err_free;
	secs_start(p, encl, epcm_pa(p, idx));
	r = measure_ecreate(encl);
	if (r)
		goto err_free;
	epcm_set_enclave(e, encl);
	epcm_validate(p, e, SGX_PT_SECS, 0);
	epcm_enclave_link(p, encl);
	return 0;

err_free:
	epcm_enclave_free(p, encl);
	return r;
}

int hw_ecreate(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc)
{
	struct sgx_pageinfo pi;
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = hw_encls_check(cpu);
	if (!r)
		r = ecreate_operands(cpu, pageinfo, epc, &pi, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = ecreate_locked(cpu, &pi, epc, idx);
	epcm_unlock(e);
	return r;
}

struct eadd_args {
	struct sgx_pageinfo pi;
	struct sgx_secinfo si;
	uint64_t idx;  /* target page */
	uint64_t sidx; /* its SECS */
};

static bool eadd_type_ok(uint64_t flags)
{
	unsigned int pt = SGX_SECINFO_TO_PT(flags);

	/* Shadow-stack pages need CET, which the model does not implement. */
	return pt == SGX_PT_REG || pt == SGX_PT_TCS;
}

static int eadd_operands(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, struct eadd_args *a)
{
	int r;

	if ((pageinfo & 31) || (epc & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, epc, true, &a->idx);
	if (!r)
		r = hw_op_read(cpu, pageinfo, &a->pi, sizeof(a->pi));
	if (r)
		return r;
	if (((a->pi.srcpge | a->pi.secs | a->pi.linaddr) & ~SGX_PAGE_MASK) || (a->pi.secinfo & 63))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, a->pi.secs, true, &a->sidx);
	if (!r)
		r = hw_op_read(cpu, a->pi.secinfo, &a->si, sizeof(a->si));
	if (r)
		return r;
	if ((a->si.flags & SGX_SECINFO_RESERVED_MASK) ||
	    !hw_is_zero(a->si.reserved, sizeof(a->si.reserved)) || !eadd_type_ok(a->si.flags))
		return hw_fault_gp(cpu);
	return 0;
}

/* EADD's checks of the copied page, by type. */
static bool eadd_page_ok(const struct sgx_secs *secs, uint64_t flags, const uint8_t *page)
{
	const struct sgx_tcs *tcs = (const struct sgx_tcs *)page;

	if (SGX_SECINFO_TO_PT(flags) == SGX_PT_REG)
		return !((flags & SGX_SECINFO_W) && !(flags & SGX_SECINFO_R));
	if (!hw_is_zero(tcs->reserved, sizeof(tcs->reserved)))
		return false;
	if (!(secs->attributes.flags & SGX_ATTR_MODE64BIT) &&
	    ((tcs->fslimit & 0xfff) != 0xfff || (tcs->gslimit & 0xfff) != 0xfff))
		return false;
	return true;
}

/* A TCS enters the EPC inactive, without debug opt-in and with no RWX. */
static void eadd_tcs_scrub(struct sgx_secinfo *si, uint8_t *page)
{
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;

	si->flags &= ~SGX_SECINFO_PERM_MASK;
	tcs->flags &= ~SGX_TCS_DBGOPTIN;
	tcs->cssa = 0;
	tcs->aep = 0;
	tcs->state = 0;
}

static int measure_eadd(struct hw_enclave *encl, uint64_t offset, const struct sgx_secinfo *si)
{
	uint8_t block[64] = "EADD";

	memcpy(block + 8, &offset, 8);
	memcpy(block + 16, si, 48);
	return measure(encl, block, sizeof(block));
}

static uint16_t secinfo_to_epcm(uint64_t flags)
{
	return (uint16_t)(((flags & SGX_SECINFO_R) ? EPCM_R : 0) |
			  ((flags & SGX_SECINFO_W) ? EPCM_W : 0) |
			  ((flags & SGX_SECINFO_X) ? EPCM_X : 0));
}

static void eadd_commit(struct hw_processor *p, struct eadd_args *a, struct hw_enclave *encl)
{
	struct hw_epcm_entry *e = epcm_entry(p, a->idx);

	epcm_set_linaddr(e, a->pi.linaddr);
	e->secs = (uint32_t)a->sidx;
	epcm_validate(p, e, SGX_SECINFO_TO_PT(a->si.flags), secinfo_to_epcm(a->si.flags));
	atomic_fetch_add(&encl->children, 1);
}

/* Copy the source page in: an EPC source reads as all ones (abort page). */
static int eadd_copy(struct hw_cpu *cpu, struct eadd_args *a)
{
	static const uint8_t ones[SGX_PAGE_SIZE] = { [0 ... SGX_PAGE_SIZE - 1] = 0xff };
	const void *src;
	int r;

	r = hw_op_map(cpu, a->pi.srcpge, &src);
	if (r)
		return r;
	epcm_set_contents(cpu->proc, a->idx, src ? src : ones);
	return 0;
}

static int eadd_locked(struct hw_cpu *cpu, struct eadd_args *a)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *s = epcm_entry(p, a->sidx);
	struct hw_enclave *encl;
	uint8_t *page;
	int r;

	if (!(s->flags & EPCM_VALID) || s->pt != SGX_PT_SECS)
		return hw_fault_pf(cpu, a->pi.secs, hw_pf_epcm(true));
	encl = epcm_enclave(s);
	/* EADD reads the SECS and writes the target: either poisoned is a machine check. */
	r = hw_poison_check(cpu, s, a->sidx);
	if (!r)
		r = hw_poison_check(cpu, epcm_entry(p, a->idx), a->idx);
	if (r)
		return r;
	/* Like hardware, copy first: the target is invalid and ours until we commit. */
	r = eadd_copy(cpu, a);
	if (r)
		return r;
	page = epcm_contents(p, a->idx);
	if (!eadd_page_ok(&encl->secs, a->si.flags, page))
		return hw_fault_gp(cpu);
	if (a->pi.linaddr - encl->secs.base >= encl->secs.size)
		return hw_fault_gp(cpu);
	if (encl->secs.attributes.flags & SGX_ATTR_INIT)
		return hw_fault_gp(cpu);
	if (SGX_SECINFO_TO_PT(a->si.flags) == SGX_PT_TCS) {
		eadd_tcs_scrub(&a->si, epcm_materialize(p, a->idx));
		epcm_written(p, a->idx);
	}
	r = measure_eadd(encl, a->pi.linaddr - encl->secs.base, &a->si);
	if (r)
		return r;
	eadd_commit(p, a, encl);
	return 0;
}

int hw_eadd(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc)
{
	struct hw_epcm_entry *e, *s;
	struct eadd_args a;
	int r;

	r = hw_encls_check(cpu);
	if (!r)
		r = eadd_operands(cpu, pageinfo, epc, &a);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, a.idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	if (e->flags & EPCM_VALID) {
		r = hw_fault_pf(cpu, epc, hw_pf_epcm(true));
		goto out_unlock;
	}
	/*
	 * The SECS is held for the whole leaf: EADD owns the measurement. A
	 * PAGEINFO.SECS naming the (invalid) target itself is held already.
	 */
	s = epcm_entry(cpu->proc, a.sidx);
	if (s != e && !epcm_trylock(s)) {
		r = hw_fault_gp(cpu);
		goto out_unlock;
	}
	r = eadd_locked(cpu, &a);
	if (s != e)
		epcm_unlock(s);
out_unlock:
	epcm_unlock(e);
	return r;
}

static int eextend_operands(struct hw_cpu *cpu, uint64_t secs, uint64_t chunk, uint64_t *sidx,
			    uint64_t *idx)
{
	int r;

	if (secs & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, secs, false, sidx);
	if (r)
		return r;
	if (chunk & (SGX_EEXTEND_CHUNK - 1))
		return hw_fault_gp(cpu);
	return hw_op_epc(cpu, chunk, false, idx);
}

static int measure_eextend(struct hw_enclave *encl, uint64_t offset, const uint8_t *data)
{
	uint8_t block[64] = "EEXTEND";

	memcpy(block + 8, &offset, 8);
	if (measure(encl, block, sizeof(block)))
		return -ENOMEM;
	return measure(encl, data, SGX_EEXTEND_CHUNK);
}

static int eextend_locked(struct hw_cpu *cpu, uint64_t chunk, uint64_t sidx, uint64_t idx)
{
	struct hw_epcm_entry *e = epcm_entry(cpu->proc, idx);
	struct hw_epcm_entry *s = epcm_entry(cpu->proc, sidx);
	const uint8_t *bytes = epcm_contents(cpu->proc, idx);
	struct hw_enclave *encl;
	uint64_t in_page = chunk & ~SGX_PAGE_MASK;
	int r;

	if (!(e->flags & EPCM_VALID))
		return hw_fault_pf(cpu, chunk, hw_pf_epcm(false));
	if (e->pt != SGX_PT_REG && e->pt != SGX_PT_TCS && e->pt != SGX_PT_SS_FIRST &&
	    e->pt != SGX_PT_SS_REST)
		return hw_fault_pf(cpu, chunk, hw_pf_epcm(false));
	if (e->secs != sidx)
		return hw_fault_gp(cpu);
	if (!epcm_trylock(s))
		return hw_fault_gp(cpu);
	encl = epcm_enclave(s);
	/* EEXTEND reads the SECS (its measurement) and the chunk. */
	r = hw_poison_check(cpu, s, sidx);
	if (!r)
		r = hw_poison_check(cpu, e, idx);
	if (!r && (encl->secs.attributes.flags & SGX_ATTR_INIT))
		r = hw_fault_gp(cpu);
	if (!r)
		r = measure_eextend(encl, epcm_linaddr(e) - encl->secs.base + in_page,
				    bytes + in_page);
	epcm_unlock(s);
	return r;
}

int hw_eextend(struct hw_cpu *cpu, uint64_t secs, uint64_t chunk)
{
	struct hw_epcm_entry *e;
	uint64_t sidx, idx;
	int r;

	r = hw_encls_check(cpu);
	if (!r)
		r = eextend_operands(cpu, secs, chunk, &sidx, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = eextend_locked(cpu, chunk, sidx, idx);
	epcm_unlock(e);
	return r;
}

static int eremove_secs(struct hw_cpu *cpu, struct hw_epcm_entry *e)
{
	struct hw_processor *p = cpu->proc;
	struct hw_enclave *encl = epcm_enclave(e);

	if (atomic_load(&encl->children))
		return SGX_CHILD_PRESENT;
	/* A guest sees the pages its VMM evicted as children still there. */
	if (hw_cpu_virtchild_visible(cpu) && atomic_load(&encl->virtchildren))
		return SGX_CHILD_PRESENT;
	epcm_invalidate(p, e);
	epcm_set_enclave(e, NULL);
	epcm_enclave_free(p, encl);
	return SGX_SUCCESS;
}

static void eremove_child(struct hw_processor *p, struct hw_epcm_entry *e)
{
	struct hw_enclave *encl = epcm_child_enclave(p, e);

	epcm_invalidate(p, e);
	/* Last: once the count drops, the SECS may be removed on another CPU. */
	atomic_fetch_sub(&encl->children, 1);
}

static int eremove_locked(struct hw_cpu *cpu, struct hw_epcm_entry *e)
{
	struct hw_processor *p = cpu->proc;

	if (!(e->flags & EPCM_VALID))
		return SGX_SUCCESS;
	switch (e->pt) {
	case SGX_PT_VA:
		epcm_invalidate(p, e);
		return SGX_SUCCESS;
	case SGX_PT_SECS:
		return eremove_secs(cpu, e);
	case SGX_PT_TRIM:
		/*
		 * An accepted TRIM page goes even while threads run: that is
		 * how an OS finishes trimming a live enclave. (The SDM's
		 * pseudocode skips clearing VALID here; the OS then reuses the
		 * page, so the model frees it.)
		 */
		if (!(e->flags & EPCM_MODIFIED)) {
			eremove_child(p, e);
			return SGX_SUCCESS;
		}
		break;
	default:
		break;
	}
	if (hw_track_inside(epcm_child_enclave(p, e)))
		return SGX_ENCLAVE_ACT;
	eremove_child(p, e);
	return SGX_SUCCESS;
}

int hw_eremove(struct hw_cpu *cpu, uint64_t epc)
{
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = hw_op_epc_page(cpu, epc, &idx);
	if (r)
		return r;
	/*
	 * Never looked up since power-on: invalid and idle, as below, without
	 * even a load of it. Linearizable at the load of its touched bit: a leaf
	 * that finds the entry later sets the bit first (epcm_entry()), so
	 * whatever it does comes after this EREMOVE.
	 */
	if (epcm_untouched(cpu->proc, idx))
		return SGX_SUCCESS;
	e = epcm_entry(cpu->proc, idx);
	/*
	 * An invalid entry that nothing holds: taking its busy bit would find
	 * it invalid and give the bit back, changing nothing, so one load
	 * answers without a store, and sanitizing an EPC nobody used writes
	 * (and makes the host back) none of its EPCM. Linearizable at that
	 * load: VALID changes only under the busy bit, and its mirror in the
	 * busy byte is released with the bit, so an acquire load that sees no
	 * holder sees the last holder's VALID; a leaf that takes the entry
	 * after the load runs after this EREMOVE, as if this one had held the
	 * bit and given it back first. An entry held by a leaf or an access,
	 * or valid, takes the full path below: the same #GP as ever.
	 */
	if (epcm_idle_invalid(e))
		return SGX_SUCCESS;
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = eremove_locked(cpu, e);
	epcm_unlock(e);
	return r;
}

int hw_epa(struct hw_cpu *cpu, uint64_t pt, uint64_t epc)
{
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = hw_encls_check(cpu);
	if (r)
		return r;
	if (pt != SGX_PT_VA || (epc & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, epc, true, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	if (e->flags & EPCM_VALID) {
		epcm_unlock(e);
		return hw_fault_pf(cpu, epc, hw_pf_epcm(true));
	}
	r = hw_poison_check(cpu, e, idx);
	if (r) {
		epcm_unlock(e);
		return r;
	}
	/* A fresh VA page: 512 empty version slots. */
	if (e->flags & EPCM_HELD) {
		memset(epcm_contents(cpu->proc, idx), 0, SGX_PAGE_SIZE);
		epcm_written(cpu->proc, idx);
	}
	epcm_set_linaddr(e, 0);
	epcm_validate(cpu->proc, e, SGX_PT_VA, 0);
	epcm_unlock(e);
	return SGX_SUCCESS;
}
