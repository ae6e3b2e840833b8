/* SPDX-License-Identifier: MIT */
/*
 * The guest's own reclaimer, as Linux's ksgxd works inside a guest whose
 * EPC is full: EBLOCK a batch of pages, ETRACK, EWB each into a backing page
 * in guest RAM with its PCMD and a version in a VA slot, following the
 * SGX_NOT_TRACKED retry sequence (ETRACK again, then kick the threads still
 * inside with an interrupt); and ELDU on the next use. Slots are reserved
 * before EBLOCK, and VA pages are made (by evicting, when EPC is full) and
 * reclaimed like other EPC pages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest-int.h"

#define EVICT_BATCH 16
#define VA_RESERVE  64

/* ---------------------------------------------------------------------- */
/* VA slots and backing store                                             */
/* ---------------------------------------------------------------------- */

static unsigned int va_free_slots(const struct guest *g)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < g->nr_va; i++)
		n += GUEST_VA_SLOTS - g->va[i].nr_used;
	return n;
}

/* EPA a new VA page from a free EPC page; never reclaims for it. */
static int va_page_add(struct guest *g)
{
	struct gva_page *va;
	uint64_t epc;
	int r;

	if (!g->nr_free)
		return -ENOSPC;
	va = realloc(g->va, (g->nr_va + 1) * sizeof(*va));
	if (!va)
		return -ENOMEM;
	g->va = va;
	epc = g->free_epc[--g->nr_free];
	r = guest_encls(g, SGX_EPA, SGX_PT_VA, epc, 0);
	if (r) {
		guest_epc_free(g, epc);
		return r < 0 ? r : -EIO;
	}
	memset(&g->va[g->nr_va], 0, sizeof(g->va[0]));
	g->va[g->nr_va++].epc = epc;
	return 0;
}

int guest_va_reserve(struct guest *g)
{
	while (va_free_slots(g) < VA_RESERVE) {
		int r = va_page_add(g);

		if (r)
			return r;
	}
	return 0;
}

/* Take a free slot of a VA page that has one; there must be one. */
static uint64_t va_slot_take(struct guest *g)
{
	for (unsigned int i = 0; i < g->nr_va; i++) {
		struct gva_page *va = &g->va[i];

		for (unsigned int s = 0; va->nr_used < GUEST_VA_SLOTS && s < GUEST_VA_SLOTS; s++) {
			if (va->used[s / 64] & (1ULL << (s % 64)))
				continue;
			va->used[s / 64] |= 1ULL << (s % 64);
			va->nr_used++;
			return va->epc + 8ULL * s;
		}
	}
	return 0;
}

static void va_page_forget(struct guest *g, unsigned int i)
{
	memmove(&g->va[i], &g->va[i + 1], (g->nr_va - i - 1) * sizeof(g->va[0]));
	g->nr_va--;
}

int guest_va_page_reclaim(struct guest *g)
{
	uint64_t epc;

	for (unsigned int i = 0; i < g->nr_va; i++) {
		if (g->va[i].nr_used || va_free_slots(g) <= GUEST_VA_SLOTS)
			continue;
		epc = g->va[i].epc;
		va_page_forget(g, i);
		return guest_epc_remove(g, epc);
	}
	return -ENOSPC;
}

/* The VA page (index) a slot address lies in, or -1. */
static int va_page_of(const struct guest *g, uint64_t slot)
{
	for (unsigned int i = 0; i < g->nr_va; i++) {
		if (slot - g->va[i].epc < SGX_PAGE_SIZE)
			return (int)i;
	}
	return -1;
}

/* Forget an evicted page whose version is gone: its enclave cannot have it back. */
static void page_unrecoverable(struct guest *g, struct genclave *e, struct gpage *p)
{
	guest_backing_put(g, p->slot);
	p->state = GP_ABSENT;
	if (!e->lost)
		g->st.lost++;
	e->lost = true;
}

void guest_va_page_drop(struct guest *g, uint64_t slot)
{
	int i = va_page_of(g, slot);
	uint64_t epc;

	if (i < 0)
		return;
	epc = g->va[i].epc;
	for (unsigned int k = 0; k < g->nr_encl; k++) {
		struct genclave *e = g->encl[k];

		for (uint64_t n = 0; n < e->nr_pages; n++) {
			if (e->pages[n].state == GP_EVICTED && e->pages[n].va - epc < SGX_PAGE_SIZE)
				page_unrecoverable(g, e, &e->pages[n]);
		}
	}
	va_page_forget(g, (unsigned int)i);
	/* Whatever the page holds now (nothing, after the EPC went), EREMOVE leaves it free. */
	guest_epc_remove(g, epc);
}

bool guest_va_fault(struct guest *g, int r, uint64_t slot)
{
	const struct hw_fault *f = vmm_vcpu_fault(guest_kernel_vcpu(g));

	return r == HW_FAULT(X86_TRAP_PF) && (f->addr & SGX_PAGE_MASK) == (slot & SGX_PAGE_MASK);
}

void guest_va_put(struct guest *g, uint64_t slot)
{
	int i = va_page_of(g, slot);
	uint64_t s;

	if (i < 0)
		return;
	s = (slot - g->va[i].epc) / 8;
	g->va[i].used[s / 64] &= ~(1ULL << (s % 64));
	g->va[i].nr_used--;
}

/* Make room on the free stack for every slot taken so far: taking never outruns it. */
static int backing_reserve(struct guest *g)
{
	uint32_t cap;
	uint32_t *s;

	if (g->backing_next < g->cap_backing_free)
		return 0;
	cap = g->cap_backing_free ? 2 * g->cap_backing_free : 256;
	if (cap > g->nr_backing)
		cap = g->nr_backing;
	s = realloc(g->backing_free, (cap ? cap : 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	g->backing_free = s;
	g->cap_backing_free = cap;
	return 0;
}

/* Take and give back an evicted-page slot: O(1) whatever the number of slots. */
static int backing_get(struct guest *g, uint32_t *ret)
{
	if (g->nr_backing_free) {
		*ret = g->backing_free[--g->nr_backing_free];
		return 0;
	}
	if (g->backing_next == g->nr_backing)
		return -ENOSPC;
	if (backing_reserve(g))
		return -ENOMEM;
	*ret = g->backing_next++;
	return 0;
}

void guest_backing_put(struct guest *g, uint32_t slot)
{
	/*
	 * Room for every slot ever taken was made when it was taken (below),
	 * so giving one back never fails.
	 */
	g->backing_free[g->nr_backing_free++] = slot;
}

static uint64_t backing_page(uint32_t slot)
{
	return GUEST_BACKING_BASE + (uint64_t)slot * SGX_PAGE_SIZE;
}

static uint64_t backing_pcmd(const struct guest *g, uint32_t slot)
{
	return g->pcmd_base + (uint64_t)slot * sizeof(struct sgx_pcmd);
}

/* Fill the kernel's PAGEINFO for EWB (linaddr and secs 0) or ELDU. */
static uint64_t pageinfo(struct guest *g, uint32_t slot, uint64_t linaddr, uint64_t secs)
{
	struct sgx_pageinfo *pi = guest_ram(g, GUEST_OP_PAGEINFO, sizeof(*pi));

	pi->srcpge = backing_page(slot);
	pi->secinfo = backing_pcmd(g, slot);
	pi->linaddr = linaddr;
	pi->secs = secs;
	return GUEST_OP_PAGEINFO;
}

/* ---------------------------------------------------------------------- */
/* Eviction                                                               */
/* ---------------------------------------------------------------------- */

/* Pages the reclaimer may take: resident regular pages, from the clock on. */
/* The pages evict_pick() can choose from: resident, regular, not EAUG's. */
static bool evict_candidate(const struct gpage *p)
{
	return p->state == GP_RESIDENT && p->type == SGX_PT_REG && !p->dynamic;
}

static uint64_t evict_candidates(const struct genclave *e)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < e->nr_pages; p++)
		n += evict_candidate(&e->pages[p]);
	return n;
}

static unsigned int evict_pick(struct genclave *e, uint64_t nr, uint64_t *pick)
{
	unsigned int n = 0;

	for (uint64_t k = 0; k < e->nr_pages && n < nr && n < EVICT_BATCH; k++) {
		uint64_t p = (e->clock + k) % e->nr_pages;

		if (evict_candidate(&e->pages[p]))
			pick[n++] = p;
	}
	if (n)
		e->clock = (pick[n - 1] + 1) % e->nr_pages;
	return n;
}

void guest_enclave_kick(struct guest *g, struct genclave *e)
{
	struct sgx_ssa_gpr gpr;

	memset(&gpr, 0, sizeof(gpr));
	for (unsigned int t = 0; t < e->nr_threads; t++) {
		if (e->threads[t].inside)
			vmm_vcpu_interrupt(vmm_vm_vcpu(g->vm, e->threads[t].vcpu), &gpr, 0xf0);
	}
	guest_threads_sync(g);
}

/* EWB with the tracking retries: NOT_TRACKED -> ETRACK -> EWB -> kick -> EWB. */
static int evict_ewb(struct guest *g, struct genclave *e, struct gpage *p, uint32_t slot,
		     uint64_t va)
{
	int r = guest_encls(g, SGX_EWB, pageinfo(g, slot, 0, 0), p->epc, va);

	if (r == SGX_NOT_TRACKED) {
		guest_encls(g, SGX_ETRACK, 0, e->secs, 0);
		r = guest_encls(g, SGX_EWB, pageinfo(g, slot, 0, 0), p->epc, va);
	}
	if (r == SGX_NOT_TRACKED) {
		guest_enclave_kick(g, e);
		r = guest_encls(g, SGX_EWB, pageinfo(g, slot, 0, 0), p->epc, va);
	}
	return r == SGX_VA_SLOT_OCCUPIED ? 0 : r;
}

static unsigned int backing_free(const struct guest *g)
{
	return g->nr_backing_free + (g->nr_backing - g->backing_next);
}

unsigned int guest_backing_free(const struct guest *g)
{
	return backing_free(g);
}

/*
 * A VA slot after the one reserved for a page was dropped with its VA page:
 * one still free, or a new VA page from a free EPC page.
 */
static int va_slot_again(struct guest *g, uint64_t *ret)
{
	if (!va_free_slots(g) && va_page_add(g))
		return -ENOSPC;
	*ret = va_slot_take(g);
	return 0;
}

/*
 * EWB a blocked page and free its EPC page; its VA slot and backing page
 * were reserved before it was blocked. A VA page EWB faults on is gone (the
 * hypervisor took the EPC under the guest: a reset, S3/S4, a migration);
 * the guest drops it and tries another slot. Returns 0, -errno, or the
 * leaf's result.
 */
static int evict_write(struct guest *g, struct genclave *e, uint64_t page)
{
	struct gpage *p = &e->pages[page];
	uint64_t va = va_slot_take(g);
	uint32_t slot;
	int r;

	r = backing_get(g, &slot);
	if (r) {
		guest_va_put(g, va);
		return r;
	}
	for (;;) {
		r = evict_ewb(g, e, p, slot, va);
		if (!guest_va_fault(g, r, va))
			break;
		guest_va_page_drop(g, va);
		r = va_slot_again(g, &va);
		if (r) {
			guest_backing_put(g, slot);
			return r;
		}
	}
	if (r) {
		guest_va_put(g, va);
		guest_backing_put(g, slot);
		return r;
	}
	guest_epc_free(g, p->epc);
	p->state = GP_EVICTED;
	p->slot = slot;
	p->va = va;
	g->st.evictions++;
	return 0;
}

/* EBLOCK every page of (pick), one ETRACK, then EWB each; (*done) counts what went out. */
static int evict_batch(struct guest *g, struct genclave *e, const uint64_t *pick, unsigned int n,
		       uint64_t *done, char *why, size_t why_len)
{
	char text[256];
	int r = 0;

	for (unsigned int i = 0; i < n; i++) {
		int b = guest_encls(g, SGX_EBLOCK, 0, e->pages[pick[i]].epc, 0);

		/* A page it had resident is gone: the EPC went away under the guest. */
		if (b == SGX_PG_INVLD)
			return guest_enclave_lost(g, e, "EBLOCK found a page of it invalid", why,
						  why_len);
		if (b < 0)
			return guest_why(
			    why, why_len, b, "EBLOCK in '%s' gave %s", e->name,
			    guest_result_text(b, guest_kernel_vcpu(g), text, sizeof(text)));
	}
	/* One ETRACK for the batch, as Linux does. */
	guest_encls(g, SGX_ETRACK, 0, e->secs, 0);
	for (unsigned int i = 0; i < n && !r; i++) {
		r = evict_write(g, e, pick[i]);
		*done += !r;
	}
	if (r)
		return guest_why(why, why_len, r < 0 ? r : -EIO, "EWB of a page of '%s' gave %s",
				 e->name,
				 guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
	return 0;
}

/*
 * No EPC page is free for a new VA page: write one page of (e) out into the
 * last free VA slot, and make its EPC page the VA page.
 */
static int va_make_room(struct guest *g, struct genclave *e)
{
	uint64_t page, done = 0;
	int r;

	if (evict_pick(e, 1, &page) != 1)
		return -ENOSPC;
	r = evict_batch(g, e, &page, 1, &done, NULL, 0);
	return r ? r : va_page_add(g);
}

/*
 * Reserve VA slots and backing pages for up to (want) evictions from (e)
 * before any page is blocked, as Linux's reclaimer has a VA slot for a page
 * before it blocks it: a page blocked and never written back faults on its
 * enclave's next entry. The last free VA slot is kept for making room when
 * no EPC page is free for a new VA page. Return: how many (0 to want).
 */
static unsigned int evict_reserve(struct guest *g, struct genclave *e, unsigned int want)
{
	unsigned int slots, backing = backing_free(g);

	/* Making room takes a backing page of its own. */
	if (want + 1 > backing)
		want = backing ? backing - 1 : 0;
	while (want && va_free_slots(g) < want + 1) {
		if (g->nr_free ? va_page_add(g) : va_free_slots(g) ? va_make_room(g, e) : -ENOSPC)
			break;
	}
	slots = va_free_slots(g);
	slots = slots ? slots - 1 : 0;
	return want < slots ? want : slots;
}

int guest_evict_pages(struct guest *g, struct genclave *e, uint64_t nr, uint64_t *ret_done,
		      char *why, size_t why_len)
{
	uint64_t pick[EVICT_BATCH];
	int r = 0;

	*ret_done = 0;
	guest_threads_sync(g);
	while (*ret_done < nr && !r) {
		uint64_t left = nr - *ret_done;
		unsigned int n = evict_reserve(g, e, left < EVICT_BATCH ? left : EVICT_BATCH);

		/* Making room for a VA page may have found the enclave's EPC gone. */
		if (e->lost)
			return guest_enclave_lost(g, e, "EBLOCK found a page of it invalid", why,
						  why_len);
		n = n ? evict_pick(e, n, pick) : 0;
		if (!n)
			break;
		r = evict_batch(g, e, pick, n, ret_done, why, why_len);
	}
	return r;
}

int guest_page_load(struct guest *g, struct genclave *e, uint64_t page, char *why, size_t why_len)
{
	if (e->pages[page].state != GP_EVICTED)
		return 0;
	return guest_reload_page(g, e, page, why, why_len);
}

int guest_enclave_evict(struct guest *g, const char *name, uint64_t pages, char *why,
			size_t why_len)
{
	struct genclave *e = NULL;
	uint64_t done;
	int r;

	r = guest_enclave_get(g, name, &e, why, why_len);
	if (r)
		return r;
	if (e->lost)
		return guest_why(why, why_len, -EIO,
				 "enclave '%s' was lost; destroy and rebuild it", name);
	/* Refuse what cannot be done before doing any of it: a failed evict evicts nothing. */
	done = evict_candidates(e);
	if (done < pages)
		return guest_why(why, why_len, -ENOSPC,
				 "'%s' has only %llu pages the guest can evict, not %llu; nothing "
				 "was evicted",
				 name, (unsigned long long)done, (unsigned long long)pages);
	r = guest_evict_pages(g, e, pages, &done, why, why_len);
	if (!r && done < pages)
		return guest_why(why, why_len, -ENOSPC,
				 "'%s' had only %llu page%s the guest could evict, not %llu", name,
				 (unsigned long long)done, done == 1 ? "" : "s",
				 (unsigned long long)pages);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Reload                                                                 */
/* ---------------------------------------------------------------------- */

int guest_reload_page(struct guest *g, struct genclave *e, uint64_t page, char *why, size_t why_len)
{
	struct gpage *p = &e->pages[page];
	uint64_t epc, info;
	char text[256];
	int r;

	r = guest_epc_alloc(g, e, &epc);
	/*
	 * An enclave larger than the guest's EPC (after its balloon gave frames
	 * away, say) pages against itself, as Linux's reclaimer takes any
	 * enclave's pages: its threads take an interrupt and resume.
	 */
	if (r == -ENOSPC)
		r = guest_epc_alloc(g, NULL, &epc);
	if (r)
		return guest_why(why, why_len, r, "no EPC to reload a page of '%s' into", e->name);
	info = pageinfo(g, p->slot, e->base + page * SGX_PAGE_SIZE, e->secs);
	r = guest_encls(g, SGX_ELDU, info, epc, p->va);
	if (r) {
		guest_epc_free(g, epc);
		guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text));
		if (guest_va_fault(g, r, p->va)) {
			/* Its version went with the EPC: the page, and so the enclave, is lost. */
			guest_va_page_drop(g, p->va);
			return guest_why(why, why_len, -EIO,
					 "enclave '%s' is lost: ELDU gave %s on its VA page "
					 "(its EPC was taken away: a reset, a sleep state or a "
					 "migration)",
					 e->name, text);
		}
		return guest_why(why, why_len, r < 0 ? r : -EIO, "ELDU of a page of '%s' gave %s",
				 e->name, text);
	}
	guest_backing_put(g, p->slot);
	guest_va_put(g, p->va);
	p->state = GP_RESIDENT;
	p->epc = epc;
	g->st.reloads++;
	return 0;
}
