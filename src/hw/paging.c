/* SPDX-License-Identifier: MIT */
/*
 * Paging: EBLOCK, ETRACK, EWB, ELDB and ELDU (SDM Vol. 3D chapter 38;
 * sections 4, 4.3 and 10 of the reference). Each leaf checks its operands in
 * the order of the SDM's pseudocode; nothing is committed before the last
 * check that can fail.
 *
 * EWB encrypts a page with AES-128-GCM under the processor's per-boot key,
 * with a fresh version as nonce, and authenticates a 128-byte header that
 * binds the page to its enclave (EID), its linear address and its EPCM
 * state; the version goes to a VA slot. ELD rebuilds the header from what
 * software hands back and decrypts with the version in the slot, so a stale,
 * moved, altered or foreign blob, or one from before a reset, fails the MAC.
 *
 * SECS pages: the model keeps an enclave's hidden state in struct hw_enclave,
 * not in the SECS page. EWB of a SECS encrypts the SECS image with the EID
 * and a handle on the hw_enclave inside it and leaves the hw_enclave on the
 * processor's list, marked evicted; ELDU takes it back through the handle
 * once the MAC has verified, without a search. This
 * is the model's one deviation: on hardware the hidden state travels in the
 * blob, so dropping a SECS blob frees it, while here an evicted enclave's
 * hidden state stays in host memory until the next reset.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"
#include "vsgx/crypto.h"

/*
 * The header EWB authenticates and ELD rebuilds. Its layout is internal to
 * the CPU (nobody else can compute the MAC); only EWB and ELD must agree.
 */
struct mac_header {
	struct sgx_secinfo secinfo; /* PCMD.SECINFO: FLAGS with PT, RWX, PENDING, MODIFIED, PR */
	uint64_t eid;		    /* the owning enclave; 0 for SECS and VA pages */
	uint64_t linaddr;	    /* EPCM.ENCLAVEADDRESS */
	uint8_t reserved[40];	    /* PCMD.RESERVED */
	uint8_t zero[8];
};

_Static_assert(sizeof(struct mac_header) == 128, "MAC header is 128 bytes");

/*
 * Where the encrypted SECS image carries its EID, and the model's handle on
 * the hidden state it left behind, in reserved bytes of the SECS. The blob
 * is authenticated under this boot's key, and an evicted enclave lives until
 * the next reset, which changes the key: a handle that verifies is valid.
 */
#define SECS_EID_OFFSET	   (SGX_PAGE_SIZE - sizeof(uint64_t))
#define SECS_HANDLE_OFFSET (SECS_EID_OFFSET - sizeof(uintptr_t))

/* SECINFO.FLAGS bits and EPCM bits, both ways. */
static const struct {
	uint64_t secinfo;
	uint16_t epcm;
} flag_map[] = {
	{ SGX_SECINFO_R, EPCM_R },
	{ SGX_SECINFO_W, EPCM_W },
	{ SGX_SECINFO_X, EPCM_X },
	{ SGX_SECINFO_PENDING, EPCM_PENDING },
	{ SGX_SECINFO_MODIFIED, EPCM_MODIFIED },
	{ SGX_SECINFO_PR, EPCM_PR },
};

#define NR_FLAGS (sizeof(flag_map) / sizeof(flag_map[0]))

static uint64_t epcm_to_secinfo(const struct hw_epcm_entry *e)
{
	uint64_t flags = SGX_SECINFO_PT(e->pt);

	for (size_t i = 0; i < NR_FLAGS; i++)
		if (e->flags & flag_map[i].epcm)
			flags |= flag_map[i].secinfo;
	return flags;
}

static uint16_t secinfo_to_epcm(uint64_t flags)
{
	uint16_t epcm = 0;

	for (size_t i = 0; i < NR_FLAGS; i++)
		if (flags & flag_map[i].secinfo)
			epcm |= flag_map[i].epcm;
	return epcm;
}

/* ELD's child types: shadow-stack pages only where CET is enumerated, never in the model. */
static bool eld_is_child_type(unsigned int pt)
{
	return pt == SGX_PT_REG || pt == SGX_PT_TCS || pt == SGX_PT_TRIM;
}

/* The GCM nonce: TMP_VER << 32 as a 96-bit counter block. */
static void version_iv(uint64_t version, uint8_t iv[CRYPTO_GCM_IV_LEN])
{
	memset(iv, 0, 4);
	memcpy(iv + 4, &version, sizeof(version));
}

/* This CPU's context keyed with the current boot's key (CR_BASE_PK). */
static struct crypto_gcm *cpu_gcm(struct hw_cpu *cpu)
{
	struct hw_processor *p = cpu->proc;

	if (!cpu->gcm) {
		cpu->gcm = crypto_gcm_new();
		if (!cpu->gcm)
			return NULL;
		cpu->gcm_boot = 0;
	}
	if (cpu->gcm_boot != p->boot) {
		if (crypto_gcm_set_key(cpu->gcm, p->boot_key))
			return NULL;
		cpu->gcm_boot = p->boot;
	}
	return cpu->gcm;
}

/*
 * Resolve ordinary memory the leaf writes, up to its page end. *ret is NULL
 * when it lands in the EPC: a non-enclave write there is dropped (abort page).
 */
static int op_map_write(struct hw_cpu *cpu, uint64_t la, void **ret)
{
	struct hw_xlate x;
	int r = hw_xlate(cpu, la, true, &x);

	if (r)
		return r;
	*ret = x.kind == HW_XLATE_EPC ? NULL : x.ram;
	return 0;
}

/* EBLOCK */

static int eblock_locked(struct hw_processor *p, struct hw_epcm_entry *e)
{
	struct hw_enclave *encl;

	if (!(e->flags & EPCM_VALID))
		return SGX_PG_INVLD;
	if (!epcm_is_child_type(e->pt))
		return e->pt == SGX_PT_SECS ? SGX_PG_IS_SECS : SGX_NOTBLOCKABLE;
	if (e->flags & EPCM_BLOCKED)
		return SGX_BLKSTATE;
	/*
	 * EBLOCK reads the enclave's entry epoch from its SECS, shared with
	 * other EBLOCKs; a leaf that has the SECS to itself (ETRACK starting a
	 * new epoch, or any other) locks the epoch: SGX_ENTRYEPOCH_LOCKED.
	 */
	if (epcm_leaf_busy(epcm_entry(p, e->secs)))
		return SGX_ENTRYEPOCH_LOCKED;
	/* EWB will wait until the epoch of the block has been tracked. */
	encl = epcm_child_enclave(p, e);
	if (epcm_set_epoch(p, encl, e, hw_track_epoch(encl)))
		return -ENOMEM;
	e->flags |= EPCM_BLOCKED;
	return SGX_SUCCESS;
}

int hw_eblock(struct hw_cpu *cpu, uint64_t epc)
{
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = hw_op_epc_page(cpu, epc, &idx);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, idx);
	/* EBLOCK is the one paging leaf that reports a busy page as a code. */
	if (!epcm_trylock(e))
		return SGX_EPC_PAGE_CONFLICT;
	r = eblock_locked(cpu->proc, e);
	epcm_unlock(e);
	return r;
}

/* ETRACK */

int hw_etrack(struct hw_cpu *cpu, uint64_t secs)
{
	struct hw_epcm_entry *s;
	uint64_t idx;
	int r;

	r = hw_op_epc_page(cpu, secs, &idx);
	if (r)
		return r;
	/* The tracking resource is the SECS: another leaf holding it is #GP. */
	s = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(s))
		return hw_fault_gp(cpu);
	if (!(s->flags & EPCM_VALID) || s->pt != SGX_PT_SECS)
		r = hw_fault_pf(cpu, secs, hw_pf_epcm(true));
	else
		r = hw_track_start(epcm_enclave(s));
	epcm_unlock(s);
	return r;
}

/* Operands shared by EWB and ELD. */
struct page_args {
	uint64_t pageinfo_la, epc_la, va_la;
	struct sgx_pageinfo pi;
	uint64_t idx, va_idx;
	struct hw_epcm_entry *e, *va;
};

/* The operand checks EWB and ELD share, in the SDM's order, up to the busy bits. */
static int page_operands(struct hw_cpu *cpu, struct page_args *a, bool ewb)
{
	int r;

	if ((a->pageinfo_la & 31) || (a->epc_la & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, a->epc_la, true, &a->idx);
	if (r)
		return r;
	if (a->va_la & 7)
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, a->va_la, true, &a->va_idx);
	if (r)
		return r;
	if (ewb && a->idx == a->va_idx)
		return hw_fault_gp(cpu);
	r = hw_op_read(cpu, a->pageinfo_la, &a->pi, sizeof(a->pi));
	if (r)
		return r;
	if (ewb && (a->pi.linaddr || a->pi.secs))
		return hw_fault_gp(cpu);
	if ((a->pi.secinfo & 127) || (a->pi.srcpge & ~SGX_PAGE_MASK))
		return hw_fault_gp(cpu);
	return 0;
}

/* A busy page: #GP, or for ELDBC/ELDUC (conflict) SGX_EPC_PAGE_CONFLICT. */
static int page_busy(struct hw_cpu *cpu, bool conflict)
{
	return conflict ? SGX_EPC_PAGE_CONFLICT : hw_fault_gp(cpu);
}

/* Take the page and the VA page, both exclusively; either busy is page_busy(). */
static int page_lock(struct hw_cpu *cpu, struct page_args *a, bool conflict)
{
	a->e = epcm_entry(cpu->proc, a->idx);
	a->va = epcm_entry(cpu->proc, a->va_idx);
	if (!epcm_trylock(a->e))
		return page_busy(cpu, conflict);
	if (a->va != a->e && !epcm_trylock(a->va)) {
		epcm_unlock(a->e);
		return page_busy(cpu, conflict);
	}
	return 0;
}

static void page_unlock(struct page_args *a)
{
	if (a->va != a->e)
		epcm_unlock(a->va);
	epcm_unlock(a->e);
}

static bool va_ok(const struct hw_epcm_entry *va)
{
	return (va->flags & EPCM_VALID) && va->pt == SGX_PT_VA;
}

static uint64_t va_slot_read(struct hw_processor *p, const struct page_args *a)
{
	uint64_t v;

	memcpy(&v, epcm_contents(p, a->va_idx) + (a->va_la & ~SGX_PAGE_MASK), sizeof(v));
	return v;
}

static void va_slot_write(struct hw_processor *p, const struct page_args *a, uint64_t v)
{
	/* A VA page host memory never held reads as empty slots already. */
	if (!v && !(a->va->flags & EPCM_HELD))
		return;
	memcpy(epcm_materialize(p, a->va_idx) + (a->va_la & ~SGX_PAGE_MASK), &v, sizeof(v));
	epcm_written(p, a->va_idx);
}

/* EWB */

struct ewb_out {
	void *srcpge;		 /* NULL: the EPC, where the write is dropped */
	struct sgx_pcmd *pcmd;	 /* NULL likewise */
	struct sgx_pageinfo *pi; /* NULL likewise */
};

/* EWB's page-type checks, and the EIDs of its header and PCMD. */
static int ewb_type_check(struct hw_cpu *cpu, struct hw_epcm_entry *e, uint64_t *hdr_eid,
			  uint64_t *pcmd_eid)
{
	struct hw_processor *p = cpu->proc;
	struct hw_enclave *encl;

	*hdr_eid = *pcmd_eid = 0;
	if (epcm_is_child_type(e->pt)) {
		/* EID is fixed at ECREATE: no need to hold the SECS to read it. */
		encl = epcm_child_enclave(p, e);
		if (!(e->flags & EPCM_BLOCKED))
			return SGX_PAGE_NOT_BLOCKED;
		if (!hw_track_done(encl, epcm_epoch(p, encl, e)))
			return SGX_NOT_TRACKED;
		*hdr_eid = *pcmd_eid = encl->eid;
	} else if (e->pt == SGX_PT_SECS) {
		encl = epcm_enclave(e);
		/*
		 * A thread inside holds a TCS, a child on hardware; only a raw
		 * entry (hw_cpu_enclave_enter_raw) can be inside without one.
		 */
		if (atomic_load(&encl->children) || hw_track_inside(encl))
			return SGX_CHILD_PRESENT;
		/* A guest sees the pages its VMM evicted as children still there. */
		if (hw_cpu_virtchild_visible(cpu) && atomic_load(&encl->virtchildren))
			return SGX_CHILD_PRESENT;
		*pcmd_eid = encl->eid;
	}
	return SGX_SUCCESS;
}

/* Resolve the outputs before anything changes, so a #PF leaves no trace. */
static int ewb_map_out(struct hw_cpu *cpu, const struct page_args *a, struct ewb_out *out)
{
	void *pcmd = NULL, *pi = NULL;
	int r;

	r = op_map_write(cpu, a->pi.srcpge, &out->srcpge);
	if (!r)
		r = op_map_write(cpu, a->pi.secinfo, &pcmd);
	if (!r)
		r = op_map_write(cpu, a->pageinfo_la, &pi);
	out->pcmd = pcmd;
	out->pi = pi;
	return r;
}

/* The plaintext of a SECS page: its image, with the EID hardware keeps in it. */
static const uint8_t *ewb_secs_image(const struct hw_enclave *encl, uint8_t *buf)
{
	uintptr_t handle = (uintptr_t)encl;

	memcpy(buf, &encl->secs, SGX_PAGE_SIZE);
	memcpy(buf + SECS_EID_OFFSET, &encl->eid, sizeof(encl->eid));
	memcpy(buf + SECS_HANDLE_OFFSET, &handle, sizeof(handle));
	return buf;
}

static int ewb_encrypt(struct hw_cpu *cpu, const struct page_args *a, const struct mac_header *h,
		       uint64_t version, const struct ewb_out *out, uint8_t mac[CRYPTO_GCM_TAG_LEN])
{
	struct crypto_gcm *g = cpu_gcm(cpu);
	uint8_t iv[CRYPTO_GCM_IV_LEN], secs_buf[SGX_PAGE_SIZE], dropped[SGX_PAGE_SIZE];
	const uint8_t *plain;

	if (!g)
		return -ENOMEM;
	if (a->e->pt == SGX_PT_SECS)
		plain = ewb_secs_image(epcm_enclave(a->e), secs_buf);
	else
		plain = epcm_contents(cpu->proc, a->idx);
	version_iv(version, iv);
	return crypto_gcm_seal(g, iv, h, sizeof(*h), plain, SGX_PAGE_SIZE,
			       out->srcpge ? out->srcpge : dropped, mac);
}

static void ewb_write_pcmd(struct sgx_pcmd *pcmd, const struct mac_header *h, uint64_t eid,
			   const uint8_t mac[CRYPTO_GCM_TAG_LEN])
{
	if (!pcmd)
		return;
	memset(pcmd, 0, sizeof(*pcmd));
	pcmd->secinfo.flags = h->secinfo.flags;
	pcmd->enclave_id = eid;
	memcpy(pcmd->mac, mac, CRYPTO_GCM_TAG_LEN);
}

/* The page leaves the EPC; the enclave loses a child last, as EREMOVE does. */
static void ewb_release(struct hw_processor *p, struct hw_epcm_entry *e)
{
	struct hw_enclave *encl;

	if (epcm_is_child_type(e->pt)) {
		encl = epcm_child_enclave(p, e);
		epcm_invalidate(p, e);
		atomic_fetch_sub(&encl->children, 1);
	} else if (e->pt == SGX_PT_SECS) {
		encl = epcm_enclave(e);
		pthread_mutex_lock(&p->enclaves_lock);
		encl->evicted = true;
		pthread_mutex_unlock(&p->enclaves_lock);
		epcm_invalidate(p, e);
		epcm_set_enclave(e, NULL);
		/* Not a live SECS page any more; its hidden state stays in host memory. */
		atomic_fetch_sub(&p->enclaves, 1);
	} else {
		epcm_invalidate(p, e);
	}
}

static int ewb_locked(struct hw_cpu *cpu, struct page_args *a)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *e = a->e;
	uint8_t mac[CRYPTO_GCM_TAG_LEN];
	struct mac_header h;
	struct ewb_out out;
	uint64_t pcmd_eid, version;
	int r;

	if (!(e->flags & EPCM_VALID))
		return hw_fault_pf(cpu, a->epc_la, hw_pf_epcm(true));
	if (!va_ok(a->va))
		return hw_fault_pf(cpu, a->va_la, hw_pf_epcm(true));
	memset(&h, 0, sizeof(h));
	r = ewb_type_check(cpu, e, &h.eid, &pcmd_eid);
	/* EWB reads the page and reads and writes the VA slot. */
	if (!r)
		r = hw_poison_check(cpu, e, a->idx);
	if (!r)
		r = hw_poison_check(cpu, a->va, a->va_idx);
	if (r)
		return r;
	h.linaddr = epcm_is_child_type(e->pt) ? epcm_linaddr(e) : 0;
	h.secinfo.flags = epcm_to_secinfo(e);
	r = ewb_map_out(cpu, a, &out);
	if (r)
		return r;
	version = atomic_fetch_add(&p->next_version, 1);
	r = ewb_encrypt(cpu, a, &h, version, &out, mac);
	if (r)
		return r;
	ewb_write_pcmd(out.pcmd, &h, pcmd_eid, mac);
	if (out.pi)
		out.pi->linaddr = h.linaddr;
	r = va_slot_read(p, a) ? SGX_VA_SLOT_OCCUPIED : SGX_SUCCESS;
	va_slot_write(p, a, version);
	ewb_release(p, e);
	return r;
}

int hw_ewb(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	struct page_args a = { .pageinfo_la = pageinfo, .epc_la = epc, .va_la = va_slot };
	int r;

	r = hw_encls_check(cpu);
	if (!r)
		r = page_operands(cpu, &a, true);
	if (!r)
		r = page_lock(cpu, &a, false);
	if (r)
		return r;
	r = ewb_locked(cpu, &a);
	page_unlock(&a);
	return r;
}

/* ELDB / ELDU */

struct eld_args {
	struct page_args pg;
	bool blocked;  /* ELDB, ELDBC */
	bool conflict; /* ELDBC, ELDUC: a busy page is SGX_EPC_PAGE_CONFLICT */
	struct sgx_pcmd pcmd;
	struct mac_header h;
	uint64_t sidx;
	struct hw_epcm_entry *s; /* the SECS of a child page, held */
	struct hw_enclave *encl; /* its enclave; for a SECS page, the one it brings back */
};

/* A child's SECS: aligned (#GP), in the EPC (#PF), free (page_busy()), a valid SECS (#PF). */
static int eld_secs(struct hw_cpu *cpu, struct eld_args *a)
{
	uint64_t secs = a->pg.pi.secs;
	int r;

	if (secs & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, secs, true, &a->sidx);
	if (r)
		return r;
	a->s = epcm_entry(cpu->proc, a->sidx);
	/* A SECS that is the target or the VA page is held already, and fails below. */
	if (a->s != a->pg.e && a->s != a->pg.va && !epcm_trylock(a->s)) {
		a->s = NULL;
		return page_busy(cpu, a->conflict);
	}
	if (!(a->s->flags & EPCM_VALID) || a->s->pt != SGX_PT_SECS)
		return hw_fault_pf(cpu, secs, hw_pf_epcm(true));
	/* The SECS's EID goes into the MAC header: a read of the SECS. */
	if (epcm_poisoned(a->s))
		return hw_fault_mc(cpu, a->sidx);
	a->encl = epcm_enclave(a->s);
	a->h.eid = a->encl->eid;
	return 0;
}

static void eld_unlock_secs(struct eld_args *a)
{
	if (a->s && a->s != a->pg.e && a->s != a->pg.va)
		epcm_unlock(a->s);
	a->s = NULL;
}

/* Rebuild the MAC header from the PCMD, PAGEINFO.LINADDR and the SECS's EID. */
static int eld_header(struct hw_cpu *cpu, struct eld_args *a)
{
	int r;

	r = hw_op_read(cpu, a->pg.pi.secinfo, &a->pcmd, sizeof(a->pcmd));
	if (r)
		return r;
	memset(&a->h, 0, sizeof(a->h));
	a->h.secinfo = a->pcmd.secinfo;
	memcpy(a->h.reserved, a->pcmd.reserved, sizeof(a->h.reserved));
	a->h.linaddr = a->pg.pi.linaddr;
	if (eld_is_child_type(SGX_SECINFO_TO_PT(a->h.secinfo.flags)))
		return eld_secs(cpu, a);
	/* SECS and VA pages have no parent, hence no EID binding. */
	if (a->pg.pi.secs)
		return hw_fault_gp(cpu);
	return 0;
}

/*
 * Claim the evicted enclave a verified SECS image names by its handle and
 * EID; NULL if it is not evicted (any more). No search: the cost of a SECS
 * reload does not grow with the number of enclaves.
 */
static struct hw_enclave *eld_claim_evicted(struct hw_processor *p, struct hw_enclave *encl,
					    uint64_t eid)
{
	pthread_mutex_lock(&p->enclaves_lock);
	if (encl && encl->evicted && encl->eid == eid)
		encl->evicted = false;
	else
		encl = NULL;
	pthread_mutex_unlock(&p->enclaves_lock);
	return encl;
}

/*
 * Decrypt into (dst), where the page goes: a child or VA page straight into
 * the target's contents when host memory holds them (the target is invalid
 * and ours, and the SDM too decrypts in place), else into (buf).
 */
static int eld_decrypt(struct hw_cpu *cpu, struct eld_args *a, uint8_t *buf, uint8_t **ret_dst)
{
	static const uint8_t ones[SGX_PAGE_SIZE] = { [0 ... SGX_PAGE_SIZE - 1] = 0xff };
	struct crypto_gcm *g = cpu_gcm(cpu);
	uint8_t iv[CRYPTO_GCM_IV_LEN], *dst = buf;
	const void *src;
	int r;

	if (!g)
		return -ENOMEM;
	r = hw_op_map(cpu, a->pg.pi.srcpge, &src);
	if (r)
		return r;
	if (SGX_SECINFO_TO_PT(a->h.secinfo.flags) != SGX_PT_SECS && (a->pg.e->flags & EPCM_HELD))
		dst = epcm_contents(cpu->proc, a->pg.idx);
	version_iv(va_slot_read(cpu->proc, &a->pg), iv);
	/* An EPC source reads as all ones: it cannot verify. */
	r = crypto_gcm_open(g, iv, &a->h, sizeof(a->h), src ? src : ones, SGX_PAGE_SIZE, dst,
			    a->pcmd.mac);
	if (r == -EBADMSG)
		return SGX_MAC_COMPARE_FAIL;
	*ret_dst = dst;
	return r;
}

/* A SECS comes back: re-attach the hidden state its authenticated handle and EID name. */
static int eld_secs_attach(struct hw_processor *p, struct eld_args *a, uint8_t *image)
{
	uint64_t eid;
	uintptr_t handle;

	memcpy(&eid, image + SECS_EID_OFFSET, sizeof(eid));
	memcpy(&handle, image + SECS_HANDLE_OFFSET, sizeof(handle));
	a->encl = eld_claim_evicted(p, (struct hw_enclave *)handle, eid);
	/*
	 * Only a reset frees an evicted enclave, and a reset changes the key,
	 * so a blob that verified always finds its enclave; be safe anyway.
	 */
	if (!a->encl)
		return SGX_MAC_COMPARE_FAIL;
	memset(image + SECS_HANDLE_OFFSET, 0, sizeof(handle) + sizeof(eid));
	memcpy(&a->encl->secs, image, SGX_PAGE_SIZE);
	return 0;
}

static void eld_commit(struct hw_processor *p, struct eld_args *a, const uint8_t *plain)
{
	struct hw_epcm_entry *e = a->pg.e;
	unsigned int pt = SGX_SECINFO_TO_PT(a->h.secinfo.flags);
	uint16_t flags = secinfo_to_epcm(a->h.secinfo.flags);

	va_slot_write(p, &a->pg, 0);
	/*
	 * A written-back page was tracked before EWB let it go, so whatever
	 * EBLOCK, EMODPR or EMODT had changed is known to no TLB: a reloaded
	 * page starts with nothing left to track, as the invalid entry it
	 * lands in has no epoch (epcm_invalidate() dropped it).
	 */
	if (pt == SGX_PT_SECS) {
		a->encl->context = epcm_pa(p, a->pg.idx);
		epcm_set_enclave(e, a->encl);
		epcm_validate(p, e, pt, flags);
		atomic_fetch_add(&p->enclaves, 1);
		return;
	}
	/* Decrypted in place or not, the page's bytes are new. */
	if (plain != epcm_contents(p, a->pg.idx))
		epcm_set_contents(p, a->pg.idx, plain);
	else
		epcm_written(p, a->pg.idx);
	if (pt == SGX_PT_VA) {
		epcm_set_linaddr(e, 0);
		epcm_validate(p, e, pt, flags);
		return;
	}
	epcm_set_linaddr(e, a->h.linaddr);
	e->secs = (uint32_t)a->sidx;
	epcm_validate(p, e, pt, flags | (a->blocked ? EPCM_BLOCKED : 0));
	atomic_fetch_add(&a->encl->children, 1);
}

static int eld_locked(struct hw_cpu *cpu, struct eld_args *a)
{
	uint8_t buf[SGX_PAGE_SIZE], *plain = NULL;
	int r;

	if (a->pg.e->flags & EPCM_VALID)
		return hw_fault_pf(cpu, a->pg.epc_la, hw_pf_epcm(true));
	if (!va_ok(a->pg.va))
		return hw_fault_pf(cpu, a->pg.va_la, hw_pf_epcm(true));
	r = eld_header(cpu, a);
	/* Before the VA slot is read and the page written. */
	if (!r)
		r = hw_poison_check(cpu, a->pg.va, a->pg.va_idx);
	if (!r)
		r = hw_poison_check(cpu, a->pg.e, a->pg.idx);
	if (!r)
		r = eld_decrypt(cpu, a, buf, &plain);
	if (!r && SGX_SECINFO_TO_PT(a->h.secinfo.flags) == SGX_PT_SECS)
		r = eld_secs_attach(cpu->proc, a, plain);
	if (!r)
		eld_commit(cpu->proc, a, plain);
	eld_unlock_secs(a);
	return r;
}

int hw_eld(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot, bool blocked,
	   bool conflict)
{
	struct eld_args a = {
		.pg = { .pageinfo_la = pageinfo, .epc_la = epc, .va_la = va_slot },
		.blocked = blocked,
		.conflict = conflict,
	};
	int r;

	r = hw_encls_check(cpu);
	if (!r)
		r = page_operands(cpu, &a.pg, false);
	if (!r)
		r = page_lock(cpu, &a.pg, conflict);
	if (r)
		return r;
	r = eld_locked(cpu, &a);
	page_unlock(&a.pg);
	return r;
}

int hw_eldb(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	return hw_eld(cpu, pageinfo, epc, va_slot, true, false);
}

int hw_eldu(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	return hw_eld(cpu, pageinfo, epc, va_slot, false, false);
}
