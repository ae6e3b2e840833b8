/* SPDX-License-Identifier: MIT */
/*
 * The guest's EPC balloon driver, as Xen's balloon driver works for RAM:
 * it reads the target the hypervisor set and gives EPC frames back with
 * the memory_op hypercall's decrease_reservation, or takes them again with
 * increase_reservation (<vsgx/vmm-balloon.h>). A frame it gives must be
 * unused: free frames are EREMOVEd already; past those, unused VA pages are
 * EREMOVEd, and past those its own enclave pages are evicted (EBLOCK,
 * ETRACK, EWB to its RAM) so their frames are free. Every frame is gathered
 * before the first hypercall: a target it cannot reach gives nothing away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest-int.h"
#include "vsgx/vmm-balloon.h"

/* The hypercall with (n) frames of (frames) (NULL: the list is the VMM's to write). */
static int64_t balloon_call(struct guest *g, uint64_t cmd, const uint64_t *frames, uint64_t n,
			    uint64_t first)
{
	struct vmm_epc_reservation a = {
		.extent_start = GUEST_BALLOON_LIST,
		.nr_extents = n,
		.mem_flags = VMM_MEMF_EPC,
		.domid = VMM_DOMID_SELF,
		.first_frame = first,
	};
	void *arg = guest_ram(g, GUEST_BALLOON_ARG, sizeof(a));
	void *list = guest_ram(g, GUEST_BALLOON_LIST, GUEST_BALLOON_BATCH * sizeof(uint64_t));

	if (!arg || !list || n > GUEST_BALLOON_BATCH)
		return -EFAULT;
	memcpy(arg, &a, sizeof(a));
	if (frames)
		memcpy(list, frames, n * sizeof(uint64_t));
	return vmm_vcpu_hypercall(guest_kernel_vcpu(g), VMM_HYPERCALL_MEMORY_OP, cmd,
				  GUEST_BALLOON_ARG);
}

static int frame_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keep the ballooned frames (sorted) off the free list. */
static void free_list_drop(struct guest *g)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < g->nr_free; i++) {
		if (!bsearch(&g->free_epc[i], g->balloon, g->nr_balloon, sizeof(uint64_t),
			     frame_cmp))
			g->free_epc[n++] = g->free_epc[i];
	}
	g->nr_free = n;
}

int guest_balloon_boot(struct guest *g)
{
	const uint64_t *list = guest_ram(g, GUEST_BALLOON_LIST, GUEST_BALLOON_BATCH * 8);
	uint64_t first = 0;
	int64_t n;

	g->nr_balloon = 0;
	if (!list)
		return 0;
	/* The VMM lists them in address order, a page of them per call. */
	do {
		n = balloon_call(g, VMM_EPCMEM_BALLOONED_FRAMES, NULL, GUEST_BALLOON_BATCH, first);
		for (int64_t i = 0; i < n && g->nr_balloon < g->nr_epc; i++)
			g->balloon[g->nr_balloon++] = list[i];
		if (n > 0)
			first = list[n - 1] + SGX_PAGE_SIZE;
	} while (n == GUEST_BALLOON_BATCH);
	free_list_drop(g);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Giving frames back                                                     */
/* ---------------------------------------------------------------------- */

/* What pins the guest's EPC: the pages no balloon can take. */
struct pinned {
	uint64_t evictable, secs, tcs, eaug, lost;
};

static void pinned_count(const struct guest *g, struct pinned *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		const struct genclave *e = g->encl[i];

		ret->secs++;
		for (uint64_t k = 0; k < e->nr_pages; k++) {
			const struct gpage *p = &e->pages[k];

			if (p->state != GP_RESIDENT)
				continue;
			if (e->lost)
				ret->lost++;
			else if (p->type == SGX_PT_TCS)
				ret->tcs++;
			else if (p->dynamic)
				ret->eaug++;
			else
				ret->evictable++;
		}
	}
}

static int balloon_short(struct guest *g, uint64_t can, uint64_t need, char *why, size_t why_len)
{
	struct pinned p;

	pinned_count(g, &p);
	return guest_why(
	    why, why_len, -ENOSPC,
	    "the guest can give at most %llu of the %llu EPC pages asked: %llu are "
	    "pinned (%llu SECS, %llu TCS, %llu added by EAUG, %llu VA, %llu of lost "
	    "enclaves, %llu leaked) and it has room to evict %u more pages to its "
	    "RAM; destroy or trim enclaves, or ask for less",
	    (unsigned long long)can, (unsigned long long)need,
	    (unsigned long long)(p.secs + p.tcs + p.eaug + g->nr_va + p.lost + g->st.leaked),
	    (unsigned long long)p.secs, (unsigned long long)p.tcs, (unsigned long long)p.eaug,
	    (unsigned long long)g->nr_va, (unsigned long long)p.lost,
	    (unsigned long long)g->st.leaked,
	    guest_backing_free(g) ? guest_backing_free(g) - 1 : 0);
}

/* The most the guest could give: free frames and the enclave pages it has room to evict. */
static uint64_t balloon_upper(const struct guest *g)
{
	unsigned int backing = guest_backing_free(g);
	struct pinned p;

	pinned_count(g, &p);
	/* The reclaimer keeps one backing page for making room for a VA page. */
	backing = backing ? backing - 1 : 0;
	/* VA pages hold the versions of evicted pages: none is counted on. */
	return g->nr_free + (p.evictable < backing ? p.evictable : backing);
}

/* Evict up to (nr) enclave pages so their frames are free. 0 when any went, -ENOSPC. */
static int balloon_evict(struct guest *g, uint64_t nr, uint64_t *evicted)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		struct genclave *e = g->encl[i];
		uint64_t done = 0;

		if (e->lost)
			continue;
		guest_evict_pages(g, e, nr, &done, NULL, 0);
		*evicted += done;
		if (done)
			return 0;
	}
	return -ENOSPC;
}

/* Gather (need) unused frames into (got): free ones, then VA pages, then evicted ones. */
static uint64_t balloon_gather(struct guest *g, uint64_t *got, uint64_t need, uint64_t *evicted)
{
	uint64_t n = 0;

	while (n < need) {
		if (g->nr_free) {
			got[n++] = g->free_epc[--g->nr_free];
			continue;
		}
		/* Unused VA pages, then enclave pages; their frames land on the free list. */
		if (!guest_va_page_reclaim(g) || !balloon_evict(g, need - n, evicted))
			continue;
		break;
	}
	return n;
}

/* Give (got)'s (n) frames to the hypervisor, a batch per call. Returns how many went. */
static uint64_t balloon_give(struct guest *g, const uint64_t *got, uint64_t n, int64_t *ret_err)
{
	uint64_t done = 0;

	*ret_err = 0;
	while (done < n) {
		uint64_t k = n - done < GUEST_BALLOON_BATCH ? n - done : GUEST_BALLOON_BATCH;
		int64_t r = balloon_call(g, VMM_EPCMEM_DECREASE_RESERVATION, got + done, k, 0);

		for (int64_t i = 0; i < r; i++)
			g->balloon[g->nr_balloon++] = got[done + (uint64_t)i];
		done += r > 0 ? (uint64_t)r : 0;
		if (r < (int64_t)k) {
			*ret_err = r < 0 ? r : -EIO;
			break;
		}
	}
	return done;
}

static int balloon_inflate(struct guest *g, uint64_t need, struct guest_balloon_result *res,
			   char *why, size_t why_len)
{
	uint64_t *got, n, given;
	int64_t err;

	/* What no eviction can free is known before anything moves. */
	if (balloon_upper(g) < need)
		return balloon_short(g, balloon_upper(g), need, why, why_len);
	got = malloc(need * sizeof(*got));
	if (!got)
		return -ENOMEM;
	n = balloon_gather(g, got, need, &res->evicted);
	if (n < need) {
		/* Nothing was given: the frames go back; evicted pages reload on use. */
		for (uint64_t i = n; i > 0; i--)
			guest_epc_free(g, got[i - 1]);
		free(got);
		return balloon_short(g, n, need, why, why_len);
	}
	given = balloon_give(g, got, n, &err);
	res->given = given;
	for (uint64_t i = given; i < n; i++)
		guest_epc_free(g, got[i]);
	free(got);
	if (err)
		return guest_why(why, why_len, -EIO,
				 "the hypervisor took %llu of the %llu EPC frames given (%s); the "
				 "rest stay the guest's",
				 (unsigned long long)given, (unsigned long long)n,
				 strerror((int)-err));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Taking frames again                                                    */
/* ---------------------------------------------------------------------- */

static int balloon_deflate(struct guest *g, uint64_t need, struct guest_balloon_result *res,
			   char *why, size_t why_len)
{
	while (res->taken < need) {
		uint64_t left = need - res->taken;
		uint64_t k = left < GUEST_BALLOON_BATCH ? left : GUEST_BALLOON_BATCH;
		const uint64_t *frames = g->balloon + g->nr_balloon - k;
		int64_t r = balloon_call(g, VMM_EPCMEM_INCREASE_RESERVATION, frames, k, 0);

		/* The hypervisor populated the first r: fresh, EREMOVEd pages for the free list. */
		for (int64_t i = 0; i < r; i++)
			guest_epc_free(g, frames[i]);
		if (r > 0) {
			memmove(g->balloon + g->nr_balloon - k, frames + r,
				(k - (uint64_t)r) * sizeof(uint64_t));
			g->nr_balloon -= (uint64_t)r;
			res->taken += (uint64_t)r;
		}
		if (r < (int64_t)k)
			return guest_why(why, why_len, r < 0 ? (int)r : -ENOMEM,
					 "the hypervisor gave back %llu of the %llu EPC frames "
					 "asked: the host has no free EPC page for the rest",
					 (unsigned long long)res->taken, (unsigned long long)need);
	}
	return 0;
}

int guest_balloon_update(struct guest *g, struct guest_balloon_result *res, char *why,
			 size_t why_len)
{
	struct guest_balloon_result local;
	struct vmm_balloon_info info;
	uint64_t held;
	int r;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	r = guest_ready(g, why, why_len);
	if (r)
		return r;
	vmm_vm_balloon_query(g->vm, &info);
	if (info.policy != VM_EPC_BALLOON)
		return guest_why(why, why_len, -EPERM, "VM '%s' does not balloon its EPC",
				 vmm_vm_name(g->vm));
	held = g->nr_epc - g->nr_balloon;
	if (info.target < held)
		return balloon_inflate(g, held - info.target, res, why, why_len);
	if (info.target > held)
		return balloon_deflate(g, info.target - held, res, why, why_len);
	return 0;
}
