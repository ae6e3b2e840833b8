/* SPDX-License-Identifier: MIT */
/*
 * Virtual EPC: /dev/sgx_vepc. An instance is a range of pages a VM maps as
 * guest EPC; each page gets its EPC page on first touch and keeps it until
 * release. Guest EPC is never reclaimed: the host cannot write back pages
 * whose enclaves it knows nothing about. A balloon gives single pages back
 * (host_vepc_remove_page()), once the VM's guest has given them up.
 *
 * A guest reset must make the EPC architecturally clean again without ever
 * giving it back (another process could take it in between, as the QEMU
 * thread this project started from points out): remove-all EREMOVEs every
 * page in place.
 *
 * A VMM that oversubscribes a VM's EPC (its src/vmm/oversub.c) takes pages
 * out behind the guest's back: it unmaps a page (the slot becomes held: the
 * next fault on it answers -ENODATA instead of allocating), writes it back
 * with its own leaves, and gives the EPC page back; on the guest's next
 * access it takes a page again and reloads into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "host-int.h"

/* A slot whose page the VMM holds written back (or is writing back): not present. */
#define VEPC_HELD (HOST_PAGE_NONE - 1)

struct host_vepc {
	struct host *h;
	unsigned int node;
	struct host_owner *owner;
	pthread_mutex_t lock; /* first touches */
	uint64_t nr_pages;
	/*
	 * EPC page index + 1 of each page, 0 until touched: 4 bytes a guest
	 * frame, in an anonymous mapping, so the host backs only the 4 KiB
	 * stretches of it (1024 frames each) that hold a touched frame.
	 */
	_Atomic uint32_t *pages;
	size_t map_len;
	atomic_uint_fast64_t present, faults, failed_faults, held;
	/* Of the pages present, those on each node: a fault takes another node's when (node) has
	 * none. */
	atomic_uint_fast64_t present_on[HW_MAX_NODES];
};

int host_vepc_open(struct host *h, unsigned int node, struct host_owner *owner,
		   struct host_vepc **ret)
{
	struct host_vepc *v;

	if (node >= HW_MAX_NODES || (owner && owner->kind != HOST_OWNER_VM))
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->h = h;
	v->node = node;
	v->owner = owner;
	pthread_mutex_init(&v->lock, NULL);
	*ret = v;
	return 0;
}

/* The EPC page of frame (i), HOST_PAGE_NONE until touched (0 - 1 wraps to it). */
static uint32_t vepc_slot(struct host_vepc *v, uint64_t i)
{
	return atomic_load(&v->pages[i]) - 1;
}

static void vepc_slot_set(struct host_vepc *v, uint64_t i, uint32_t idx)
{
	atomic_store(&v->pages[i], idx + 1);
}

int host_vepc_map(struct host_vepc *v, uint64_t nr_pages)
{
	size_t len = nr_pages * sizeof(*v->pages);
	void *pages;

	if (!nr_pages || nr_pages > HOST_PAGE_NONE)
		return -EINVAL;
	/* Reads as zeros (nothing touched) and costs nothing until written. */
	pages = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (pages == MAP_FAILED)
		return -ENOMEM;
	pthread_mutex_lock(&v->lock);
	if (v->pages) {
		pthread_mutex_unlock(&v->lock);
		munmap(pages, len);
		return -EBUSY;
	}
	v->pages = pages;
	v->map_len = len;
	v->nr_pages = nr_pages;
	pthread_mutex_unlock(&v->lock);
	return 0;
}

/* First touch of (index); v->lock held. */
static int vepc_fault_locked(struct host_vepc *v, uint64_t index, uint32_t *ret_idx)
{
	uint32_t idx = vepc_slot(v, index);
	struct host_owner *full;

	if (idx == VEPC_HELD)
		return -ENODATA;
	if (idx != HOST_PAGE_NONE)
		goto out;
	full = host_owner_try_charge(v->owner);
	if (full)
		/* Only that owner's subtree may pay, and only with host-enclave pages. */
		return host_owner_subtree_reclaimable(full) ? -EAGAIN : -ENOMEM;
	idx = host_epc_alloc(v->h, v->node, HP_VEPC);
	if (idx == HOST_PAGE_NONE) {
		host_owner_uncharge(v->owner);
		/* As Linux's fault asks for a retry once ksgxd has been woken. */
		return atomic_load(&v->h->nr_reclaimable) ? -EAGAIN : -ENOMEM;
	}
	vepc_slot_set(v, index, idx);
	atomic_fetch_add(&v->present, 1);
	atomic_fetch_add(&v->present_on[host_page_section(v->h, idx)->node], 1);
	atomic_fetch_add(&v->faults, 1);
out:
	*ret_idx = idx;
	return 0;
}

int host_vepc_fault(struct host_vepc *v, uint64_t index, uint64_t *ret_pa)
{
	uint32_t idx;
	int r = 0;

	if (!v->pages || index >= v->nr_pages)
		return -EINVAL;
	/* Touched pages never change until release: no lock on this path. */
	idx = vepc_slot(v, index);
	if (idx == HOST_PAGE_NONE || idx == VEPC_HELD) {
		pthread_mutex_lock(&v->lock);
		r = vepc_fault_locked(v, index, &idx);
		pthread_mutex_unlock(&v->lock);
		/* A held page is the VMM's to reload, not a failure. */
		if (r == -ENODATA)
			return r;
		if (r) {
			atomic_fetch_add(&v->failed_faults, 1);
			return r;
		}
	}
	*ret_pa = host_index_to_pa(v->h, idx);
	return 0;
}

/*
 * A scan of the instance's table, not a lookup: the host keeps nothing per
 * EPC page that names its vEPC frame (the EPCM entry is the processor's,
 * the table is indexed by frame), and a reverse table would cost 4 more
 * bytes per page a VM holds, past the 16 the model allows. Only a machine
 * check asks, once per poisoned page.
 */
int host_vepc_find(struct host_vepc *v, uint64_t pa, uint64_t *ret_index)
{
	uint32_t idx = host_pa_to_index(v->h, pa);

	if (idx == HOST_PAGE_NONE || !v->pages || !atomic_load(&v->present))
		return -ENOENT;
	for (uint64_t i = 0; i < v->nr_pages; i++) {
		if (vepc_slot(v, i) == idx) {
			*ret_index = i;
			return 0;
		}
	}
	return -ENOENT;
}

uint64_t host_vepc_reclaim(struct host_vepc *v, struct hw_cpu *cpu)
{
	struct host_owner *full = host_owner_at_max(v->owner);

	return host_reclaim(v->h, cpu, full, full ? 1 : HOST_RECLAIM_BATCH);
}

int host_vepc_xlate(struct host_vepc *v, uint64_t offset, struct hw_xlate *ret)
{
	uint64_t pa;

	if (host_vepc_fault(v, offset / SGX_PAGE_SIZE, &pa))
		return -EFAULT;
	ret->kind = HW_XLATE_EPC;
	ret->pa = pa + (offset & ~SGX_PAGE_MASK);
	ret->ram = NULL;
	return 0;
}

/* A growable list of page slots to retry. */
struct retry_list {
	uint64_t *slot;
	uint64_t nr, cap;
};

static int retry_add(struct retry_list *l, uint64_t slot)
{
	if (l->nr == l->cap) {
		uint64_t cap = l->cap ? 2 * l->cap : 64;
		uint64_t *s = realloc(l->slot, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		l->slot = s;
		l->cap = cap;
	}
	l->slot[l->nr++] = slot;
	return 0;
}

/*
 * EREMOVE page (i) of the instance for remove-all. Return 0 (done or no
 * page), 1 (SGX_CHILD_PRESENT), or -EBUSY for anything else: a thread inside
 * the enclave (SGX_ENCLAVE_ACT) or a concurrent leaf on the page (#GP). Both
 * are the caller's doing, so they are reported, not warned about.
 */
static int vepc_remove_one(struct host_vepc *v, struct hw_cpu *cpu, uint64_t i, int *ret_code)
{
	uint32_t idx = vepc_slot(v, i);
	int r;

	if (idx == HOST_PAGE_NONE || idx == VEPC_HELD)
		return 0;
	r = host_eremove(v->h, cpu, idx);
	if (r == SGX_SUCCESS)
		return 0;
	if (r == SGX_CHILD_PRESENT)
		return 1;
	if (ret_code)
		*ret_code = r;
	return -EBUSY;
}

int64_t host_vepc_remove_all(struct host_vepc *v, struct hw_cpu *cpu, int *ret_code)
{
	int64_t failures = 0;
	int r = 0;

	if (ret_code)
		*ret_code = 0;
	host_kernel_enter(v->h, cpu);
	/*
	 * One pass in page order, as Linux's: a SECS whose children come later
	 * (here or in another instance) is counted, and userspace calls again.
	 */
	for (uint64_t i = 0; i < v->nr_pages && r >= 0; i++) {
		r = vepc_remove_one(v, cpu, i, ret_code);
		if (r == 1) {
			if (ret_code)
				*ret_code = SGX_CHILD_PRESENT;
			failures++;
		}
	}
	return r < 0 ? r : failures;
}

int host_vepc_remove_page(struct host_vepc *v, struct hw_cpu *cpu, uint64_t index, int *ret_code)
{
	uint32_t idx;
	int r;

	if (ret_code)
		*ret_code = 0;
	if (!v->pages || index >= v->nr_pages)
		return -EINVAL;
	host_kernel_enter(v->h, cpu);
	pthread_mutex_lock(&v->lock);
	idx = vepc_slot(v, index);
	if (idx == HOST_PAGE_NONE || idx == VEPC_HELD) {
		pthread_mutex_unlock(&v->lock);
		return 1;
	}
	/* The page must be invalid before anyone else may have it, as at release. */
	r = host_eremove(v->h, cpu, idx);
	if (r != SGX_SUCCESS) {
		pthread_mutex_unlock(&v->lock);
		if (ret_code)
			*ret_code = r;
		return -EBUSY;
	}
	vepc_slot_set(v, index, HOST_PAGE_NONE);
	atomic_fetch_sub(&v->present, 1);
	atomic_fetch_sub(&v->present_on[host_page_section(v->h, idx)->node], 1);
	pthread_mutex_unlock(&v->lock);
	host_owner_uncharge(v->owner);
	host_epc_free(v->h, idx);
	return 0;
}

bool host_vepc_present(struct host_vepc *v, uint64_t index)
{
	uint32_t idx;

	if (!v->pages || index >= v->nr_pages)
		return false;
	idx = vepc_slot(v, index);
	return idx != HOST_PAGE_NONE && idx != VEPC_HELD;
}

/* ------------------------------------------------------------------ */
/* Pages an oversubscribing VMM takes out and puts back.               */

int host_vepc_unmap(struct host_vepc *v, uint64_t index, uint64_t *ret_pa)
{
	uint32_t idx;

	if (!v->pages || index >= v->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	idx = vepc_slot(v, index);
	if (idx == HOST_PAGE_NONE || idx == VEPC_HELD) {
		pthread_mutex_unlock(&v->lock);
		return -ENOENT;
	}
	vepc_slot_set(v, index, VEPC_HELD);
	pthread_mutex_unlock(&v->lock);
	*ret_pa = host_index_to_pa(v->h, idx);
	return 0;
}

/* Give (pa), made invalid by the VMM, back to its node. */
static void vepc_give_back(struct host_vepc *v, uint32_t idx)
{
	atomic_fetch_sub(&v->present, 1);
	atomic_fetch_sub(&v->present_on[host_page_section(v->h, idx)->node], 1);
	host_owner_uncharge(v->owner);
	host_epc_free(v->h, idx);
}

int host_vepc_unmap_finish(struct host_vepc *v, uint64_t index, uint64_t pa,
			   enum host_vepc_unmap how)
{
	uint32_t idx = host_pa_to_index(v->h, pa);

	if (!v->pages || index >= v->nr_pages || idx == HOST_PAGE_NONE ||
	    vepc_slot(v, index) != VEPC_HELD)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	switch (how) {
	case HOST_VEPC_REMAP:
		vepc_slot_set(v, index, idx);
		break;
	case HOST_VEPC_EVICTED:
		atomic_fetch_add(&v->held, 1);
		vepc_give_back(v, idx);
		break;
	case HOST_VEPC_FREED:
		vepc_slot_set(v, index, HOST_PAGE_NONE);
		vepc_give_back(v, idx);
		break;
	}
	pthread_mutex_unlock(&v->lock);
	return 0;
}

int host_vepc_reload_begin(struct host_vepc *v, uint64_t index, uint64_t *ret_pa)
{
	uint32_t idx;
	int r = 0;

	if (!v->pages || index >= v->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (vepc_slot(v, index) != VEPC_HELD) {
		r = -ENOENT;
		goto out;
	}
	/* A reload at a max: the VMM makes room by evicting another of the VM's pages. */
	if (host_owner_try_charge(v->owner)) {
		r = -ENOMEM;
		goto out;
	}
	idx = host_epc_alloc(v->h, v->node, HP_VEPC);
	if (idx == HOST_PAGE_NONE) {
		host_owner_uncharge(v->owner);
		r = atomic_load(&v->h->nr_reclaimable) ? -EAGAIN : -ENOMEM;
		goto out;
	}
	atomic_fetch_add(&v->present, 1);
	atomic_fetch_add(&v->present_on[host_page_section(v->h, idx)->node], 1);
	*ret_pa = host_index_to_pa(v->h, idx);
out:
	pthread_mutex_unlock(&v->lock);
	return r;
}

int host_vepc_reload_finish(struct host_vepc *v, uint64_t index, uint64_t pa, bool loaded)
{
	uint32_t idx = host_pa_to_index(v->h, pa);

	if (!v->pages || index >= v->nr_pages || idx == HOST_PAGE_NONE ||
	    vepc_slot(v, index) != VEPC_HELD)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (loaded) {
		atomic_fetch_sub(&v->held, 1);
		vepc_slot_set(v, index, idx);
	} else {
		vepc_give_back(v, idx);
	}
	pthread_mutex_unlock(&v->lock);
	return 0;
}

int host_vepc_forget(struct host_vepc *v, uint64_t index)
{
	if (!v->pages || index >= v->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (vepc_slot(v, index) != VEPC_HELD) {
		pthread_mutex_unlock(&v->lock);
		return -ENOENT;
	}
	vepc_slot_set(v, index, HOST_PAGE_NONE);
	atomic_fetch_sub(&v->held, 1);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

/* Batch page (i) for freeing if EREMOVE frees it; false if the page stays valid. */
static bool vepc_free_one(struct host_vepc *v, struct hw_cpu *cpu, uint64_t i,
			  struct host_free_batch *batch)
{
	uint32_t idx = vepc_slot(v, i);

	if (host_eremove(v->h, cpu, idx) != SGX_SUCCESS)
		return false;
	host_batch_add(v->h, batch, idx);
	host_owner_uncharge(v->owner);
	return true;
}

uint64_t host_vepc_release(struct host_vepc *v, struct hw_cpu *cpu)
{
	struct retry_list again = { 0 };
	struct host_free_batch batch;
	uint64_t zombies = 0;

	if (!v)
		return 0;
	host_batch_init(&batch);
	host_cpu_enter(cpu);
	for (uint64_t i = 0; i < v->nr_pages; i++) {
		uint32_t idx = vepc_slot(v, i);

		if (idx == HOST_PAGE_NONE || idx == VEPC_HELD || vepc_free_one(v, cpu, i, &batch))
			continue;
		if (retry_add(&again, i)) {
			/* No memory for the list: the page goes straight to the zombies. */
			host_owner_uncharge(v->owner);
			host_epc_zombie(v->h, vepc_slot(v, i));
			zombies++;
		}
	}
	/*
	 * Second pass: SECS pages whose children came after them. What still
	 * fails has children in another instance (or a thread inside): it
	 * becomes a zombie, retried whenever any instance is released.
	 */
	for (uint64_t k = 0; k < again.nr; k++) {
		uint64_t i = again.slot[k];

		if (vepc_free_one(v, cpu, i, &batch))
			continue;
		host_owner_uncharge(v->owner);
		host_epc_zombie(v->h, vepc_slot(v, i));
		zombies++;
	}
	host_batch_flush(v->h, &batch);
	free(again.slot);
	host_zombie_retry(v->h, cpu);
	pthread_mutex_destroy(&v->lock);
	if (v->pages)
		munmap((void *)v->pages, v->map_len);
	free(v);
	return zombies;
}

void host_vepc_query(struct host_vepc *v, struct host_vepc_info *ret)
{
	ret->node = v->node;
	ret->nr_pages = v->nr_pages;
	ret->present = atomic_load(&v->present);
	ret->faults = atomic_load(&v->faults);
	ret->failed_faults = atomic_load(&v->failed_faults);
	ret->held = atomic_load(&v->held);
}

void host_vepc_query_nodes(struct host_vepc *v, uint64_t ret[HW_MAX_NODES])
{
	for (unsigned int n = 0; n < HW_MAX_NODES; n++)
		ret[n] = atomic_load(&v->present_on[n]);
}

/* ------------------------------------------------------------------ */
/* A guest-like address space over vEPC instances.                     */

void host_vas_init(struct host_vas *vas)
{
	vas->nr = 0;
}

int host_vas_add(struct host_vas *vas, struct host_vepc *v, uint64_t base)
{
	uint64_t size = v->nr_pages * SGX_PAGE_SIZE;

	if (!v->pages || (base & ~SGX_PAGE_MASK) || base < SGX_PAGE_SIZE || base + size < base)
		return -EINVAL;
	for (unsigned int i = 0; i < vas->nr; i++)
		if (base < vas->map[i].base + vas->map[i].size && vas->map[i].base < base + size)
			return -EINVAL;
	if (vas->nr == HOST_VAS_MAX)
		return -ENOSPC;
	vas->map[vas->nr].base = base;
	vas->map[vas->nr].size = size;
	vas->map[vas->nr].v = v;
	vas->nr++;
	return 0;
}

static int host_vas_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct host_vas *vas = opaque;

	(void)write;
	for (unsigned int i = 0; i < vas->nr; i++)
		if (la >= vas->map[i].base && la - vas->map[i].base < vas->map[i].size)
			return host_vepc_xlate(vas->map[i].v, la - vas->map[i].base, ret);
	if (la < SGX_PAGE_SIZE)
		return -EFAULT;
	ret->kind = HW_XLATE_RAM;
	ret->pa = 0;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

void host_vas_addr_space(struct host_vas *vas, struct hw_addr_space *ret)
{
	ret->xlate = host_vas_xlate;
	ret->opaque = vas;
}

int64_t host_vepc_ioctl(struct host_vepc *v, struct hw_cpu *cpu, unsigned int cmd,
			unsigned long arg, int *ret_code)
{
	if (ret_code)
		*ret_code = 0;
	if (cmd != SGX_IOC_VEPC_REMOVE_ALL)
		return -ENOTTY;
	if (arg)
		return -EINVAL;
	return host_vepc_remove_all(v, cpu, ret_code);
}

int host_vepc_mmap(struct host_vepc *v, uint64_t nr_pages, bool shared)
{
	if (!shared)
		return -EINVAL;
	return host_vepc_map(v, nr_pages);
}
