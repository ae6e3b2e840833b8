/* SPDX-License-Identifier: MIT */
/*
 * Host enclaves: /dev/sgx_enclave. Create (ECREATE), add pages (EADD and
 * EEXTEND), init (EINIT, after the LE hash MSRs), the page-fault handler
 * that reloads evicted pages (ELDU), and destroy.
 *
 * Lock order: enclave lock, then an owner's LRU lock, then a node lock. No
 * path allocates EPC while holding an enclave lock, because allocation may
 * reclaim, and reclaim takes enclave locks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encl.h"
#include "vsgx/crypto.h"

#define EINIT_TRIES 20

static uint64_t encl_pa(const struct host_encl *e, uint32_t idx)
{
	return host_index_to_pa(e->h, idx);
}

/* The record of ELRANGE address (la), or NULL when none was ever made. */
struct host_encl_page *host_encl_page_get(struct host_encl *e, uint64_t la)
{
	uint64_t n = (la - e->base) / SGX_PAGE_SIZE;
	struct host_encl_page *leaf;

	if (la < e->base || la - e->base >= e->size)
		return NULL;
	leaf = atomic_load(&e->leaf[n / ENCL_LEAF_PAGES]);
	return leaf ? &leaf[n % ENCL_LEAF_PAGES] : NULL;
}

/* The record of (la), made on first use; encl lock held. */
static struct host_encl_page *encl_page_make(struct host_encl *e, uint64_t la)
{
	uint64_t n = (la - e->base) / SGX_PAGE_SIZE;
	struct host_encl_page *leaf = atomic_load(&e->leaf[n / ENCL_LEAF_PAGES]);

	if (!leaf) {
		leaf = calloc(ENCL_LEAF_PAGES, sizeof(*leaf));
		if (!leaf)
			return NULL;
		atomic_store(&e->leaf[n / ENCL_LEAF_PAGES], leaf);
	}
	return &leaf[n % ENCL_LEAF_PAGES];
}

void host_encl_free_epc(struct host_encl *e, uint32_t idx)
{
	host_epc_free(e->h, idx);
	host_owner_uncharge(e->group);
}

void host_encl_page_set(struct host_encl *e, struct host_encl_page *ep,
			enum host_encl_page_state state)
{
	if (ep->state == EP_BLOCKED)
		atomic_fetch_sub(&e->h->nr_blocked, 1);
	if (state == EP_BLOCKED)
		atomic_fetch_add(&e->h->nr_blocked, 1);
	ep->state = (uint8_t)state;
}

int host_encl_alloc_epc(struct host_encl *e, struct hw_cpu *cpu, uint32_t *ret_idx)
{
	struct host *h = e->h;
	uint32_t idx;

	/*
	 * At a max, the subtree of the owner at its max pays: one of its
	 * host-enclave pages, else a page an oversubscribing VMM evicts from a
	 * VM in it; otherwise the allocation fails (a stop owner has no VM to
	 * stop here: the enclave's allocation is refused). With no free page
	 * at all, the same order over the whole host.
	 */
	for (struct host_owner *full; (full = host_owner_try_charge(e->group));) {
		if (host_reclaim(h, cpu, full, 1))
			continue;
		if (!host_owner_evict_vms(full, 1))
			goto err_busy;
		/* The VMM used its own CPU; this one takes the kernel's mappings again. */
		host_kernel_enter(h, cpu);
	}
	host_reclaim_if_low(h, cpu);
	for (;;) {
		idx = host_epc_alloc(h, 0, HP_ENCL);
		if (idx != HOST_PAGE_NONE) {
			*ret_idx = idx;
			return 0;
		}
		if (host_reclaim(h, cpu, NULL, HOST_RECLAIM_BATCH))
			continue;
		if (!host_owner_evict_vms(h->root, HOST_RECLAIM_BATCH))
			break;
		host_kernel_enter(h, cpu);
	}
	host_owner_uncharge(e->group);
err_busy:
	/* Linux asks the fault to be retried while ksgxd can still make room. */
	return atomic_load(&h->nr_blocked) ? -EAGAIN : -ENOMEM;
}

/*
 * What ECREATE would accept of SIZE, checked before the page table for the
 * whole ELRANGE is allocated: a power of two of two pages or more, no more
 * than CPUID's MaxEnclaveSize for the enclave's mode, and inside the user
 * half of the 48-bit address space (Linux maps ELRANGE into a process).
 */
static int secs_check(const struct host *h, const struct sgx_secs *secs)
{
	const struct hw_desc *d = hw_processor_desc(h->p);
	unsigned int max = secs->attributes.flags & SGX_ATTR_MODE64BIT ? d->max_enclave_size_64
								       : d->max_enclave_size_32;

	if (secs->size < 2 * SGX_PAGE_SIZE || (secs->size & (secs->size - 1)))
		return -EINVAL;
	if (max > HOST_ENCL_MAX_SIZE_LOG2)
		max = HOST_ENCL_MAX_SIZE_LOG2;
	if (secs->size > 1ULL << max)
		return -EFBIG;
	return 0;
}

static int encl_ecreate(struct host_encl *e, struct hw_cpu *cpu, const struct sgx_secs *secs)
{
	struct sgx_secs *image = aligned_alloc(SGX_PAGE_SIZE, sizeof(*image));
	_Alignas(64) struct sgx_secinfo secinfo;
	_Alignas(32) struct sgx_pageinfo pi;
	int r;

	if (!image)
		return -ENOMEM;
	memcpy(image, secs, sizeof(*image));
	memset(&secinfo, 0, sizeof(secinfo));
	memset(&pi, 0, sizeof(pi));
	pi.srcpge = (uint64_t)(uintptr_t)image;
	pi.secinfo = (uint64_t)(uintptr_t)&secinfo;
	r = hw_ecreate(cpu, (uint64_t)(uintptr_t)&pi, encl_pa(e, e->secs));
	free(image);
	return r;
}

int host_encl_create(struct host *h, struct hw_cpu *cpu, struct host_owner *group,
		     const struct sgx_secs *secs, struct host_encl **ret, int *ret_code)
{
	struct host_encl *e;
	int r;

	if (ret_code)
		*ret_code = 0;
	if (group && group->kind != HOST_OWNER_ENCLAVES)
		return -EINVAL;
	r = secs_check(h, secs);
	if (r)
		return r;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->h = h;
	e->group = group ? group : h->root;
	e->base = secs->base;
	e->size = secs->size;
	e->attributes = secs->attributes.flags;
	e->attributes_mask = HOST_ENCL_UNPRIV_ATTRS;
	e->secs = HOST_PAGE_NONE;
	atomic_init(&e->refs, 1);
	pthread_mutex_init(&e->lock, NULL);
	e->nr_leaves = (secs->size / SGX_PAGE_SIZE + ENCL_LEAF_PAGES - 1) / ENCL_LEAF_PAGES;
	e->leaf = calloc(e->nr_leaves, sizeof(*e->leaf));
	r = -ENOMEM;
	if (!e->leaf)
		goto err_free;
	host_kernel_enter(h, cpu);
	r = host_encl_alloc_epc(e, cpu, &e->secs);
	if (r)
		goto err_free;
	r = encl_ecreate(e, cpu, secs);
	if (r) {
		if (ret_code)
			*ret_code = r;
		host_encl_free_epc(e, e->secs);
		e->secs = HOST_PAGE_NONE;
		r = r == -ENOMEM ? -ENOMEM : -EIO;
		goto err_free;
	}
	host_owner_get(e->group);
	*ret = e;
	return 0;

err_free:
	pthread_mutex_destroy(&e->lock);
	free(e->leaf);
	free(e);
	return r;
}

/*
 * One VA page per SGX_VA_SLOTS enclave pages, made before the pages that
 * need it, as Linux does: the reclaimer must never need EPC to free EPC.
 */
static int encl_grow_va(struct host_encl *e, struct hw_cpu *cpu)
{
	struct host_va_page *va;
	uint32_t idx;
	int r;

	if (e->nr_pages < (uint64_t)e->nr_va * SGX_VA_SLOTS)
		return 0;
	r = host_encl_alloc_epc(e, cpu, &idx);
	if (r)
		return r;
	pthread_mutex_lock(&e->lock);
	va = realloc(e->va, (e->nr_va + 1) * sizeof(*va));
	if (!va) {
		r = -ENOMEM;
		goto err_unlock;
	}
	e->va = va;
	r = hw_epa(cpu, SGX_PT_VA, encl_pa(e, idx));
	if (r) {
		r = -EIO;
		goto err_unlock;
	}
	memset(&va[e->nr_va], 0, sizeof(*va));
	va[e->nr_va++].epc = idx;
	pthread_mutex_unlock(&e->lock);
	return 0;

err_unlock:
	pthread_mutex_unlock(&e->lock);
	host_encl_free_epc(e, idx);
	return r;
}

static int secinfo_check(uint64_t flags)
{
	unsigned int pt = SGX_SECINFO_TO_PT(flags);

	if (flags & (SGX_SECINFO_RESERVED_MASK | SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED |
		     SGX_SECINFO_PR))
		return -EINVAL;
	if (pt == SGX_PT_TCS)
		return (flags & SGX_SECINFO_PERM_MASK) ? -EINVAL : 0;
	if (pt != SGX_PT_REG)
		return -EINVAL;
	if ((flags & SGX_SECINFO_W) && !(flags & SGX_SECINFO_R))
		return -EINVAL;
	return 0;
}

/* EADD (and EEXTEND) one page from (src) into EPC page (idx); encl lock held. */
static int encl_eadd(struct host_encl *e, struct hw_cpu *cpu, uint64_t la, uint32_t idx,
		     const void *src, uint64_t flags, bool measure)
{
	_Alignas(64) struct sgx_secinfo secinfo;
	_Alignas(32) struct sgx_pageinfo pi;
	uint8_t *page = aligned_alloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	uint64_t pa = encl_pa(e, idx);
	int r;

	if (!page)
		return -ENOMEM;
	memcpy(page, src, SGX_PAGE_SIZE);
	memset(&secinfo, 0, sizeof(secinfo));
	secinfo.flags = flags;
	pi.linaddr = la;
	pi.srcpge = (uint64_t)(uintptr_t)page;
	pi.secinfo = (uint64_t)(uintptr_t)&secinfo;
	pi.secs = encl_pa(e, e->secs);
	r = hw_eadd(cpu, (uint64_t)(uintptr_t)&pi, pa);
	free(page);
	for (uint64_t off = 0; !r && measure && off < SGX_PAGE_SIZE; off += SGX_EEXTEND_CHUNK)
		r = hw_eextend(cpu, pi.secs, pa + off);
	return r;
}

static int encl_add_page(struct host_encl *e, struct hw_cpu *cpu, uint64_t la, const void *src,
			 uint64_t flags, bool measure, int *ret_code)
{
	struct host_encl_page *ep;
	uint32_t idx;
	int r;

	r = encl_grow_va(e, cpu);
	if (r)
		return r;
	r = host_encl_alloc_epc(e, cpu, &idx);
	if (r)
		return r;
	pthread_mutex_lock(&e->lock);
	r = -EINVAL;
	if (e->initialized || e->dead)
		goto err_unlock;
	r = -ENOMEM;
	ep = encl_page_make(e, la);
	if (!ep)
		goto err_unlock;
	r = -EEXIST;
	if (ep->state != EP_NONE)
		goto err_unlock;
	r = encl_eadd(e, cpu, la, idx, src, flags, measure);
	if (r) {
		if (ret_code)
			*ret_code = r;
		/* An EADD that failed left the page free; an EEXTEND that failed did not. */
		hw_eremove(cpu, encl_pa(e, idx));
		r = r == -ENOMEM ? -ENOMEM : -EIO;
		goto err_unlock;
	}
	ep->encl = e;
	ep->la = la;
	ep->epc = idx;
	host_encl_page_set(e, ep, EP_RESIDENT);
	atomic_store(&ep->pte, encl_pa(e, idx));
	e->nr_pages++;
	e->resident++;
	host_lru_add(e->group, ep);
	pthread_mutex_unlock(&e->lock);
	return 0;

err_unlock:
	pthread_mutex_unlock(&e->lock);
	host_encl_free_epc(e, idx);
	return r;
}

int host_encl_add_pages(struct host_encl *e, struct hw_cpu *cpu, uint64_t offset, const void *src,
			uint64_t len, uint64_t flags, bool measure, int *ret_code)
{
	const uint8_t *bytes = src;

	if (ret_code)
		*ret_code = 0;
	if ((offset | len) & ~SGX_PAGE_MASK || !len || offset >= e->size ||
	    len > e->size - offset || secinfo_check(flags))
		return -EINVAL;
	host_kernel_enter(e->h, cpu);
	for (uint64_t done = 0; done < len; done += SGX_PAGE_SIZE) {
		int r = encl_add_page(e, cpu, e->base + offset + done, bytes + done, flags, measure,
				      ret_code);

		if (r)
			return r;
	}
	return 0;
}

/* IA32_SGXLEPUBKEYHASH := SHA-256 of the signer's modulus, on (cpu). */
static int encl_set_lehash(struct hw_cpu *cpu, const struct sgx_sigstruct *sig)
{
	uint8_t hash[CRYPTO_SHA256_LEN];

	if (crypto_sha256(sig->modulus, sizeof(sig->modulus), hash))
		return -ENOMEM;
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v = 0;

		for (int b = 7; b >= 0; b--)
			v = (v << 8) | hash[8 * i + (uint32_t)b];
		if (hw_msr_write(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, v))
			return -EIO;
	}
	return 0;
}

static int encl_einit(struct host_encl *e, struct hw_cpu *cpu, const struct sgx_sigstruct *sig,
		      const struct sgx_einittoken *token, int *ret_code)
{
	int r = SGX_UNMASKED_EVENT;

	for (int i = 0; i < EINIT_TRIES && r == SGX_UNMASKED_EVENT; i++) {
		/* Linux rewrites the hash before every EINIT: no launch policy at all. */
		if (e->h->lc_flexible && encl_set_lehash(cpu, sig))
			return -EIO;
		r = hw_einit(cpu, (uint64_t)(uintptr_t)sig, encl_pa(e, e->secs),
			     (uint64_t)(uintptr_t)token);
	}
	if (ret_code)
		*ret_code = r;
	if (hw_faulted(r))
		return -EIO;
	if (r == SGX_UNMASKED_EVENT)
		return -EBUSY;
	return r ? -EPERM : 0;
}

void host_encl_provision(struct host_encl *e)
{
	pthread_mutex_lock(&e->lock);
	e->attributes_mask |= SGX_ATTR_PROVISIONKEY;
	pthread_mutex_unlock(&e->lock);
}

/*
 * Bits of SIGSTRUCT's ATTRIBUTES, MISCSELECT and XFRM that no enclave on
 * this processor may have, as Linux reckons them: what CPUID leaf 0x12 does
 * not enumerate, and the bits Linux itself holds reserved.
 */
static bool encl_sig_reserved(const struct host *h, const struct sgx_sigstruct *sig)
{
	const struct hw_desc *d = hw_processor_desc(h->p);
	uint64_t attrs = ~d->attributes | HOST_ENCL_RESERVED_ATTRS;
	uint32_t misc = ~d->miscselect | ~(uint32_t)SGX_MISC_EXINFO;

	return (sig->attributes.flags & sig->attributes_mask.flags & attrs) ||
	       (sig->miscselect & sig->miscmask & misc) ||
	       (sig->attributes.xfrm & sig->attributes_mask.xfrm & ~d->xfrm);
}

/*
 * The driver's own checks before EINIT, in Linux's order: the legacy
 * vendor field, attributes the file was not granted, reserved bits the
 * signer asks to enforce. Return: 0, -EINVAL or -EACCES.
 */
static int encl_init_check(const struct host_encl *e, const struct sgx_sigstruct *sig)
{
	if (sig->vendor != 0 && sig->vendor != SGX_SIGSTRUCT_VENDOR_INTEL)
		return -EINVAL;
	/* PROVISIONKEY needs /dev/sgx_provision; EINITTOKENKEY is never granted. */
	if (e->attributes & ~e->attributes_mask)
		return -EACCES;
	if (encl_sig_reserved(e->h, sig))
		return -EINVAL;
	return 0;
}

int host_encl_init(struct host_encl *e, struct hw_cpu *cpu, const struct sgx_sigstruct *sigstruct,
		   const struct sgx_einittoken *token, int *ret_code)
{
	struct sgx_sigstruct *sig = aligned_alloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct sgx_einittoken *tok = aligned_alloc(512, 512);
	int r = -ENOMEM;

	if (ret_code)
		*ret_code = 0;
	if (!sig || !tok)
		goto out;
	/* Copies with the alignment EINIT demands, as Linux's kmalloc'd page. */
	memcpy(sig, sigstruct, sizeof(*sig));
	if (token)
		memcpy(tok, token, sizeof(*tok));
	else
		memset(tok, 0, sizeof(*tok));
	host_kernel_enter(e->h, cpu);
	pthread_mutex_lock(&e->lock);
	r = -EINVAL;
	if (!e->initialized && !e->dead)
		r = encl_init_check(e, sig);
	if (!r) {
		r = encl_einit(e, cpu, sig, tok, ret_code);
		if (!r)
			e->initialized = true;
	}
	pthread_mutex_unlock(&e->lock);
out:
	free(sig);
	free(tok);
	return r;
}

/* ------------------------------------------------------------------ */
/* Faults: reload with ELDU.                                           */

static void va_slot_put(struct host_encl *e, uint32_t va, uint16_t slot)
{
	e->va[va].bitmap[slot / 64] &= ~(1ULL << (slot % 64));
	e->va[va].used--;
}

/* ELDU (ep) into EPC page (idx); encl lock held. The leaf's result. */
static int encl_eldu(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep,
		     uint32_t idx)
{
	_Alignas(32) struct sgx_pageinfo pi;
	uint64_t slot = encl_pa(e, e->va[ep->va].epc) + (uint64_t)ep->va_slot * 8;

	pi.linaddr = ep->la;
	pi.srcpge = (uint64_t)(uintptr_t)ep->backing;
	pi.secinfo = (uint64_t)(uintptr_t)ep->pcmd;
	pi.secs = encl_pa(e, e->secs);
	return hw_eldu(cpu, (uint64_t)(uintptr_t)&pi, encl_pa(e, idx), slot);
}

/* ELDU the written-back SECS into EPC page (idx); encl lock held. */
static int encl_secs_reload(struct host_encl *e, struct hw_cpu *cpu, uint32_t idx, int *ret_code)
{
	struct host_encl_page *sp = &e->secs_page;
	_Alignas(32) struct sgx_pageinfo pi;
	uint64_t slot = encl_pa(e, e->va[sp->va].epc) + (uint64_t)sp->va_slot * 8;
	int r;

	memset(&pi, 0, sizeof(pi));
	pi.srcpge = (uint64_t)(uintptr_t)sp->backing;
	pi.secinfo = (uint64_t)(uintptr_t)sp->pcmd;
	r = hw_eldu(cpu, (uint64_t)(uintptr_t)&pi, encl_pa(e, idx), slot);
	if (r) {
		if (ret_code)
			*ret_code = r;
		return r == -ENOMEM ? -ENOMEM : -EIO;
	}
	va_slot_put(e, sp->va, sp->va_slot);
	e->secs = idx;
	e->secs_evicted = false;
	return 0;
}

static int encl_reload(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep,
		       uint32_t idx, int *ret_code)
{
	int r = encl_eldu(e, cpu, ep, idx);

	if (r) {
		if (ret_code)
			*ret_code = r;
		return r == -ENOMEM ? -ENOMEM : -EIO;
	}
	va_slot_put(e, ep->va, ep->va_slot);
	ep->epc = idx;
	host_encl_page_set(e, ep, EP_RESIDENT);
	e->evicted--;
	e->resident++;
	e->eldu++;
	atomic_store(&ep->accessed, true);
	atomic_store(&ep->pte, encl_pa(e, idx));
	host_lru_add(e->group, ep);
	return 0;
}

/*
 * Finish the write-back the reclaimer could not (threads were inside), so
 * the page can be reloaded; encl lock held. The page leaves its LRU first,
 * unless the reclaimer holds it right now.
 */
static int encl_finish_ewb(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep)
{
	int r;

	if (!host_lru_del(e->group, ep))
		return -EAGAIN;
	r = host_encl_ewb(e, cpu, ep);
	/* A poisoned page stays off the LRU: the enclave cannot have it back. */
	if (r && r != -EHWPOISON)
		host_lru_add(e->group, ep);
	return r;
}

int host_encl_fault(struct host_encl *e, struct hw_cpu *cpu, uint64_t addr, uint64_t *ret_pa,
		    int *ret_code)
{
	struct host_encl_page *ep = host_encl_page_get(e, addr & SGX_PAGE_MASK);
	uint32_t idx = HOST_PAGE_NONE;
	int r = 0;

	if (ret_code)
		*ret_code = 0;
	if (!ep)
		return -EFAULT;
	host_kernel_enter(e->h, cpu);
	for (;;) {
		pthread_mutex_lock(&e->lock);
		if (e->dead || ep->state == EP_NONE) {
			r = -EFAULT;
			break;
		}
		if (ep->state == EP_RECLAIMING) {
			r = -EAGAIN;
			break;
		}
		if (ep->state == EP_BLOCKED) {
			r = encl_finish_ewb(e, cpu, ep);
			if (r)
				break;
		}
		if (ep->state == EP_RESIDENT)
			break;
		/* ELDU of a child needs its SECS in the EPC: the SECS comes back first. */
		if (idx != HOST_PAGE_NONE && e->secs_evicted) {
			r = encl_secs_reload(e, cpu, idx, ret_code);
			if (r)
				break;
			idx = HOST_PAGE_NONE;
		}
		if (idx != HOST_PAGE_NONE) {
			r = encl_reload(e, cpu, ep, idx, ret_code);
			if (!r)
				idx = HOST_PAGE_NONE;
			break;
		}
		/* Allocation may reclaim, which takes enclave locks: not under ours. */
		pthread_mutex_unlock(&e->lock);
		r = host_encl_alloc_epc(e, cpu, &idx);
		if (r)
			return r;
	}
	if (!r)
		*ret_pa = encl_pa(e, ep->epc) + (addr & ~SGX_PAGE_MASK);
	pthread_mutex_unlock(&e->lock);
	if (idx != HOST_PAGE_NONE)
		host_encl_free_epc(e, idx);
	return r;
}

static int encl_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct host_encl *e = opaque;
	struct host_encl_page *ep;
	uint64_t pte;

	(void)write;
	/* A failed walk leaves ret->pfec 0: a not-present fault. */
	if (la >= e->base && la - e->base < e->size) {
		ep = host_encl_page_get(e, la & SGX_PAGE_MASK);
		pte = ep ? atomic_load(&ep->pte) : 0;
		if (!pte)
			return -EFAULT;
		atomic_store(&ep->accessed, true);
		ret->kind = HW_XLATE_EPC;
		ret->pa = pte + (la & ~SGX_PAGE_MASK);
		return 0;
	}
	if (host_pa_to_index(e->h, la) != HOST_PAGE_NONE) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = la;
		return 0;
	}
	if (la < SGX_PAGE_SIZE)
		return -EFAULT;
	ret->kind = HW_XLATE_RAM;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

void host_encl_addr_space(struct host_encl *e, struct hw_addr_space *ret)
{
	ret->xlate = encl_xlate;
	ret->opaque = e;
}

/* ------------------------------------------------------------------ */
/* Teardown.                                                           */

void host_encl_remove_epc(struct host_encl *e, struct hw_cpu *cpu, uint32_t idx)
{
	if (host_eremove(e->h, cpu, idx) == SGX_SUCCESS) {
		host_encl_free_epc(e, idx);
		return;
	}
	host_owner_uncharge(e->group);
	host_epc_zombie(e->h, idx);
}

/* Free the child pages the reclaimer does not hold; encl lock held. */
static void encl_remove_children(struct host_encl *e, struct hw_cpu *cpu)
{
	for (uint64_t l = 0; l < e->nr_leaves; l++) {
		struct host_encl_page *leaf = atomic_load(&e->leaf[l]);

		for (unsigned int i = 0; leaf && i < ENCL_LEAF_PAGES; i++) {
			struct host_encl_page *ep = &leaf[i];

			if (ep->state == EP_EVICTED) {
				va_slot_put(e, ep->va, ep->va_slot);
				host_encl_page_set(e, ep, EP_NONE);
				continue;
			}
			if (ep->state != EP_RESIDENT && ep->state != EP_BLOCKED)
				continue;
			atomic_store(&ep->pte, 0);
			/* Pages the reclaimer has isolated are its to free (it sees dead). */
			if (!host_lru_del(e->group, ep))
				continue;
			host_encl_remove_epc(e, cpu, ep->epc);
			host_encl_page_set(e, ep, EP_NONE);
		}
	}
}

static void encl_free(struct host_encl *e, struct hw_cpu *cpu)
{
	host_cpu_enter(cpu);
	for (uint32_t i = 0; i < e->nr_va; i++)
		host_encl_remove_epc(e, cpu, e->va[i].epc);
	/* Last: EREMOVE of a SECS fails while it has children. A written-back one is dropped. */
	if (!e->secs_evicted)
		host_encl_remove_epc(e, cpu, e->secs);
	free(e->secs_page.backing);
	free(e->secs_page.pcmd);
	host_zombie_retry(e->h, cpu);
	for (uint64_t l = 0; l < e->nr_leaves; l++) {
		struct host_encl_page *leaf = atomic_load(&e->leaf[l]);

		for (unsigned int i = 0; leaf && i < ENCL_LEAF_PAGES; i++) {
			free(leaf[i].backing);
			free(leaf[i].pcmd);
		}
		free(leaf);
	}
	pthread_mutex_destroy(&e->lock);
	host_owner_put(e->group);
	free(e->leaf);
	free(e->va);
	free(e);
}

void host_encl_put(struct host_encl *e, struct hw_cpu *cpu)
{
	if (atomic_fetch_sub(&e->refs, 1) == 1)
		encl_free(e, cpu);
}

void host_encl_destroy(struct host_encl *e, struct hw_cpu *cpu)
{
	if (!e)
		return;
	host_cpu_enter(cpu);
	pthread_mutex_lock(&e->lock);
	e->dead = true;
	encl_remove_children(e, cpu);
	pthread_mutex_unlock(&e->lock);
	host_encl_put(e, cpu);
}

void host_encl_query(struct host_encl *e, struct host_encl_info *ret)
{
	pthread_mutex_lock(&e->lock);
	ret->secs_pa = e->secs_evicted ? 0 : encl_pa(e, e->secs);
	ret->secs_evicted = e->secs_evicted;
	ret->initialized = e->initialized;
	ret->pages = e->nr_pages;
	ret->resident = e->resident;
	ret->evicted = e->evicted;
	ret->va_pages = e->nr_va;
	ret->ewb = e->ewb;
	ret->eldu = e->eldu;
	pthread_mutex_unlock(&e->lock);
}
