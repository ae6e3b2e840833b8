/* SPDX-License-Identifier: MIT */
/*
 * The reclaimer, Linux's ksgxd: host-enclave pages are written back to
 * ordinary memory when EPC runs short, oldest first, and reloaded on their
 * next access. Virtual EPC pages are never reclaimed.
 *
 * A pass takes a batch off an enclave group's LRU, giving accessed pages a
 * second chance; unmaps and EBLOCKs each; then EWBs each. The first EWB of
 * an enclave after EBLOCK finds the enclave not tracked (SGX_NOT_TRACKED):
 * ETRACK then makes every thread that entered before it count, and the EWB
 * is retried. Where Linux would then IPI the CPUs still inside, the model
 * has nobody to interrupt: the page stays blocked, back on the LRU, and the
 * next pass (or a fault on the page) finishes the write-back once those
 * threads have left.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encl.h"

static bool va_slot_find(struct host_encl *e, uint32_t *ret_va, uint16_t *ret_slot)
{
	for (uint32_t v = 0; v < e->nr_va; v++) {
		if (e->va[v].used == SGX_VA_SLOTS)
			continue;
		for (uint16_t s = 0; s < SGX_VA_SLOTS; s++) {
			if (!(e->va[v].bitmap[s / 64] & (1ULL << (s % 64)))) {
				*ret_va = v;
				*ret_slot = s;
				return true;
			}
		}
	}
	return false;
}

/* Memory for the encrypted page and its PCMD (Linux's shmem backing). */
static int encl_backing(struct host_encl_page *ep)
{
	if (!ep->backing)
		ep->backing = aligned_alloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	if (!ep->pcmd)
		ep->pcmd = aligned_alloc(128, sizeof(*ep->pcmd));
	return ep->backing && ep->pcmd ? 0 : -ENOMEM;
}

static int encl_ewb_leaf(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep,
			 uint64_t slot)
{
	_Alignas(32) struct sgx_pageinfo pi;

	memset(&pi, 0, sizeof(pi));
	pi.srcpge = (uint64_t)(uintptr_t)ep->backing;
	pi.secinfo = (uint64_t)(uintptr_t)ep->pcmd;
	return hw_ewb(cpu, (uint64_t)(uintptr_t)&pi, host_index_to_pa(e->h, ep->epc), slot);
}

static int encl_ewb_secs(struct host_encl *e, struct hw_cpu *cpu, uint64_t slot)
{
	_Alignas(32) struct sgx_pageinfo pi;

	memset(&pi, 0, sizeof(pi));
	pi.srcpge = (uint64_t)(uintptr_t)e->secs_page.backing;
	pi.secinfo = (uint64_t)(uintptr_t)e->secs_page.pcmd;
	return hw_ewb(cpu, (uint64_t)(uintptr_t)&pi, host_index_to_pa(e->h, e->secs), slot);
}

/*
 * The last child of an initialized enclave has left the EPC: write back its
 * SECS too, as Linux does, so an enclave nobody touches holds no EPC at all.
 * The SECS needs no EBLOCK (EWB checks only that it has no children). A
 * failure leaves it in the EPC, where it was; encl lock held.
 */
static void encl_secs_writeback(struct host_encl *e, struct hw_cpu *cpu)
{
	struct host_encl_page *sp = &e->secs_page;
	uint32_t va;
	uint16_t s;
	uint64_t slot;

	if (e->resident || !e->initialized || e->dead || e->secs_evicted)
		return;
	if (!va_slot_find(e, &va, &s) || encl_backing(sp))
		return;
	slot = host_index_to_pa(e->h, e->va[va].epc) + (uint64_t)s * 8;
	if (encl_ewb_secs(e, cpu, slot) != SGX_SUCCESS)
		return;
	e->va[va].bitmap[s / 64] |= 1ULL << (s % 64);
	e->va[va].used++;
	host_encl_free_epc(e, e->secs);
	e->secs = HOST_PAGE_NONE;
	sp->va = va;
	sp->va_slot = s;
	e->secs_evicted = true;
}

int host_encl_ewb(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep)
{
	uint32_t va;
	uint16_t s;
	uint64_t slot;
	int r;

	if (!va_slot_find(e, &va, &s) || encl_backing(ep))
		return -ENOMEM;
	slot = host_index_to_pa(e->h, e->va[va].epc) + (uint64_t)s * 8;
	r = encl_ewb_leaf(e, cpu, ep, slot);
	if (r == SGX_NOT_TRACKED) {
		hw_etrack(cpu, host_index_to_pa(e->h, e->secs));
		r = encl_ewb_leaf(e, cpu, ep, slot);
	}
	if (r == SGX_NOT_TRACKED)
		return -EAGAIN;
	if (r == HW_FAULT(X86_TRAP_MC)) {
		/*
		 * The page's memory is poisoned: it can never be written back.
		 * Record it (it goes to bad once the enclave frees it) and
		 * tell the caller to leave it alone, as Linux takes a poisoned
		 * page off the reclaimer's list.
		 */
		host_memory_failure(e->h, host_index_to_pa(e->h, ep->epc), 0);
		return -EHWPOISON;
	}
	if (r)
		return r == -ENOMEM ? -ENOMEM : -EIO;
	e->va[va].bitmap[s / 64] |= 1ULL << (s % 64);
	e->va[va].used++;
	host_encl_free_epc(e, ep->epc);
	ep->epc = HOST_PAGE_NONE;
	ep->va = va;
	ep->va_slot = s;
	host_encl_page_set(e, ep, EP_EVICTED);
	e->resident--;
	e->evicted++;
	e->ewb++;
	encl_secs_writeback(e, cpu);
	return 0;
}

/*
 * Isolate up to (max) pages from (o)'s LRU into (batch), each with a hold
 * on its enclave. A page on an LRU belongs to a live enclave: destroy takes
 * pages off the LRU before it drops its hold.
 */
static unsigned int reclaim_isolate(struct host_owner *o, struct host_encl_page **batch,
				    unsigned int max)
{
	unsigned int n = 0;
	uint64_t scan;

	pthread_mutex_lock(&o->lru_lock);
	for (scan = o->lru_count; n < max && scan && o->lru_head; scan--) {
		struct host_encl_page *ep = o->lru_head;

		host_lru_unlink(o, ep);
		if (atomic_exchange(&ep->accessed, false)) {
			host_lru_append(o, ep); /* young: a second chance */
			continue;
		}
		ep->lru_flags = HPF_ISOLATED;
		atomic_fetch_add(&ep->encl->refs, 1);
		batch[n++] = ep;
	}
	pthread_mutex_unlock(&o->lru_lock);
	return n;
}

/* Back on the LRU after a pass that could not finish; encl lock held. */
static void reclaim_putback(struct host_encl *e, struct host_encl_page *ep,
			    enum host_encl_page_state state)
{
	host_encl_page_set(e, ep, state);
	if (state == EP_RESIDENT)
		atomic_store(&ep->pte, host_index_to_pa(e->h, ep->epc));
	host_lru_add(e->group, ep);
}

/* A page whose enclave died while isolated: ours to free. encl lock held. */
static void reclaim_drop_dead(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep)
{
	host_encl_remove_epc(e, cpu, ep->epc);
	ep->epc = HOST_PAGE_NONE;
	host_encl_page_set(e, ep, EP_NONE);
}

/* Unmap and EBLOCK; true when the page is ready for EWB. */
static bool reclaim_block(struct hw_cpu *cpu, struct host_encl_page *ep)
{
	struct host_encl *e = ep->encl;
	bool ok = false;
	int r;

	pthread_mutex_lock(&e->lock);
	if (e->dead) {
		reclaim_drop_dead(e, cpu, ep);
	} else if (ep->state == EP_BLOCKED) {
		host_encl_page_set(e, ep, EP_RECLAIMING);
		ok = true;
	} else {
		/* Zap the PTE first, so no new access can start on the page. */
		atomic_store(&ep->pte, 0);
		host_encl_page_set(e, ep, EP_RECLAIMING);
		r = hw_eblock(cpu, host_index_to_pa(e->h, ep->epc));
		ok = r == SGX_SUCCESS || r == SGX_BLKSTATE;
		if (!ok)
			reclaim_putback(e, ep, EP_RESIDENT);
	}
	pthread_mutex_unlock(&e->lock);
	return ok;
}

static bool reclaim_write(struct hw_cpu *cpu, struct host_encl_page *ep)
{
	struct host_encl *e = ep->encl;
	bool done = false;
	int r = 0;

	pthread_mutex_lock(&e->lock);
	if (e->dead)
		reclaim_drop_dead(e, cpu, ep);
	else if (!(r = host_encl_ewb(e, cpu, ep)))
		done = true;
	else
		reclaim_putback(e, ep, EP_BLOCKED);
	/* A poisoned page stays blocked and off the LRU until its enclave goes. */
	if (r == -EHWPOISON)
		host_lru_del(e->group, ep);
	pthread_mutex_unlock(&e->lock);
	return done;
}

static uint64_t reclaim_batch(struct hw_cpu *cpu, struct host_encl_page **batch, unsigned int n)
{
	bool ready[HOST_RECLAIM_BATCH];
	uint64_t done = 0;

	for (unsigned int i = 0; i < n; i++)
		ready[i] = reclaim_block(cpu, batch[i]);
	for (unsigned int i = 0; i < n; i++)
		if (ready[i] && reclaim_write(cpu, batch[i]))
			done++;
	for (unsigned int i = 0; i < n; i++)
		host_encl_put(batch[i]->encl, cpu);
	return done;
}

/*
 * Isolate from (top)'s subtree: its own LRU first, then its descendants' in
 * the order they were made (the sgx_epc controller's "the cgroup, then its
 * descendants"); owners_lock held.
 */
static unsigned int reclaim_isolate_subtree(struct host *h, struct host_owner *top,
					    struct host_encl_page **batch, unsigned int max)
{
	unsigned int n = reclaim_isolate(top, batch, max);

	for (struct host_owner *o = h->owners; o && n < max; o = o->next)
		if (o != top && o->kind == HOST_OWNER_ENCLAVES && host_owner_in(o, top))
			n += reclaim_isolate(o, batch + n, max - n);
	return n;
}

/* Isolate from (owner)'s subtree, or from the groups in turn; owners_lock keeps them alive. */
static unsigned int reclaim_isolate_from(struct host *h, struct host_owner *owner,
					 struct host_encl_page **batch, unsigned int max)
{
	unsigned int n = 0, nr = 0, i = 0;
	struct host_owner *o;

	pthread_mutex_lock(&h->owners_lock);
	if (owner) {
		n = reclaim_isolate_subtree(h, owner, batch, max);
		pthread_mutex_unlock(&h->owners_lock);
		return n;
	}
	for (o = h->owners; o; o = o->next)
		nr++;
	for (unsigned int k = 0; k < nr && !n; k++) {
		unsigned int want = (h->reclaim_cursor + k) % nr;

		for (o = h->owners, i = 0; i < want; i++)
			o = o->next;
		if (o->kind == HOST_OWNER_ENCLAVES)
			n = reclaim_isolate(o, batch, max);
		if (n)
			h->reclaim_cursor = want + 1;
	}
	pthread_mutex_unlock(&h->owners_lock);
	return n;
}

uint64_t host_reclaim(struct host *h, struct hw_cpu *cpu, struct host_owner *owner, uint64_t nr)
{
	struct host_encl_page *batch[HOST_RECLAIM_BATCH];
	uint64_t done = 0;
	unsigned int idle = 0;

	host_kernel_enter(h, cpu);
	pthread_mutex_lock(&h->reclaim_lock);
	/* Two passes with nothing written back: everything left is stuck or young. */
	while (done < nr && idle < 2) {
		uint64_t want = nr - done < HOST_RECLAIM_BATCH ? nr - done : HOST_RECLAIM_BATCH;
		unsigned int n = reclaim_isolate_from(h, owner, batch, (unsigned int)want);
		uint64_t got = n ? reclaim_batch(cpu, batch, n) : 0;

		done += got;
		idle = got ? 0 : idle + 1;
	}
	pthread_mutex_unlock(&h->reclaim_lock);
	return done;
}

void host_reclaim_if_low(struct host *h, struct hw_cpu *cpu)
{
	uint64_t free_pages = atomic_load(&h->nr_free);
	uint64_t low = atomic_load(&h->low_pages), high = atomic_load(&h->high_pages);

	if (free_pages < low)
		host_reclaim(h, cpu, NULL, high - free_pages);
}
