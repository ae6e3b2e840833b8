/* SPDX-License-Identifier: MIT */
/* Internals of the host driver, shared by the files of src/host/ only. */
#ifndef VSGX_HOST_INT_H
#define VSGX_HOST_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "vsgx/host.h"

#define HOST_PAGE_NONE UINT32_MAX

enum host_page_state {
	HP_USED, /* a raw allocation (host_page_alloc) */
	HP_VEPC, /* a vEPC instance's page */
	HP_ENCL, /* a host enclave's page (SECS, child or VA) */
};

/*
 * The host keeps no array with an entry per EPC page (Linux's struct
 * sgx_epc_page): what it must know of a page is kept where the page is.
 * A free page is in its node's free pages (struct host_node); a vEPC page
 * is in its instance's table (4 bytes a guest frame); a host enclave's page
 * is in its struct host_encl_page, with the LRU links; a raw allocation
 * has a bit in a bitmap made per 32Ki pages on first use; zombies are on
 * the zombie array; bad pages are only counted, and poisoned ones listed on
 * their node (struct host_node's poison). A page's section and node
 * come from its index (host_page_section()).
 */
#define HOST_RAW_CHUNK_PAGES 32768u

struct host_section {
	uint64_t base, size;
	uint32_t first; /* index of its first page */
	uint32_t nr_pages;
	unsigned int node;
};

/* A growable array of page indices. */
struct host_idx_array {
	uint32_t *idx;
	uint64_t nr, cap;
};

/*
 * A node's free pages, in the order they are handed out: those given back
 * since boot, last given back first (back); then those boot sanitized and
 * nobody has had yet, in index order (fresh: a cursor over the node's
 * sections, stepping over the pages in skip); then those sanitization freed
 * only on its second pass, in index order (late). This is the order of one
 * free list built at boot and pushed to on free, without a link per page.
 * (back) has room for every page of the node from boot, in an anonymous
 * mapping backed only where written, so giving a page back never fails and
 * costs memory only for the pages given back.
 */
struct host_node {
	pthread_mutex_t lock;
	bool present;
	uint64_t total, free, used, zombie, bad;
	struct host_idx_array back; /* idx: a mapping of (total) slots */
	unsigned int fresh_sec;	    /* section of the next fresh page */
	uint32_t fresh_next;	    /* index of the next fresh page, in fresh_sec */
	struct host_idx_array skip; /* bad or late pages among the fresh, ascending */
	uint64_t skip_pos;
	struct host_idx_array late;
	uint64_t late_pos;
	/*
	 * Pages reported poisoned (host_memory_failure()), ascending: the
	 * node's poison list. Those that were free are counted bad already;
	 * the others go to bad when given back. Empty on a healthy node, so a
	 * free checks one count.
	 */
	struct host_idx_array poison;
};

struct host {
	struct hw_processor *p;
	unsigned int nr_sections;
	struct host_section sections[SGX_MAX_EPC_SECTIONS];
	uint64_t nr_pages;
	/* HP_USED pages: a bitmap per HOST_RAW_CHUNK_PAGES pages, made on first use. */
	pthread_mutex_t raw_lock;
	uint64_t **raw;
	unsigned int nr_nodes; /* highest present node + 1 */
	struct host_node nodes[HW_MAX_NODES];
	atomic_uint_fast64_t nr_free; /* sum of node free counts, for the watermarks */
	struct host_sanitize_stats sanitize;

	pthread_mutex_t zombie_lock;
	struct host_idx_array zombies;

	_Atomic uint64_t low_pages, high_pages;
	/* Pages on every LRU: what the reclaimer could free. */
	atomic_uint_fast64_t nr_reclaimable;
	/* Enclave pages EBLOCKed whose write-back waits for threads to leave. */
	atomic_uint_fast64_t nr_blocked;
	/* Pages on the zombie list; lets a driver call skip the retry cheaply. */
	atomic_uint_fast64_t nr_zombies;
	bool lc_flexible; /* write the LE hash MSRs before EINIT */

	/* Every owner in creation order, for the reclaimer's round robin and listings. */
	pthread_mutex_t owners_lock;
	struct host_owner *owners, **owners_tail;
	struct host_owner *root; /* the tree's root, and the group of enclaves made without one */
	/* Held while a VM owner's eviction hook runs or changes (host_owner_set_evict()). */
	pthread_mutex_t evict_lock;
	unsigned int reclaim_cursor;
	pthread_mutex_t reclaim_lock; /* one reclaimer pass at a time, as one ksgxd */
};

struct host_owner {
	struct host *h;
	enum host_owner_kind kind;
	struct host_owner *parent; /* NULL for the root; fixed for the owner's life */
	char name[HOST_OWNER_NAME_MAX];
	_Atomic int on_max;	     /* enum host_owner_on_max */
	_Atomic uint64_t limit;	     /* max */
	_Atomic uint64_t usage;	     /* current: this owner's and its descendants' pages */
	_Atomic uint64_t limit_hits; /* events */
	_Atomic uint64_t members;    /* child owners and host enclaves */
	struct host_owner *next;     /* h->owners */
	/* A VM owner's eviction (evict_lock). */
	uint64_t (*evict)(void *opaque, uint64_t nr);
	void *evict_opaque;
	/* The LRU of this group's reclaimable pages (enclave groups only). */
	pthread_mutex_t lru_lock;
	struct host_encl_page *lru_head, *lru_tail;
	uint64_t lru_count;
};

/* epc.c */
uint32_t host_pa_to_index(const struct host *h, uint64_t pa);
uint64_t host_index_to_pa(const struct host *h, uint32_t idx);
/* The section holding page (idx); its node is the page's. */
const struct host_section *host_page_section(const struct host *h, uint32_t idx);
/* Take a free page, (node) first; HOST_PAGE_NONE when the EPC is exhausted. */
uint32_t host_epc_alloc(struct host *h, unsigned int node, enum host_page_state state);
/* Give back a page the caller has EREMOVEd or EWB'd. */
void host_epc_free(struct host *h, uint32_t idx);
/*
 * Pages to give back together, one node lock per node rather than per page
 * (release frees millions). The batch is a few pages long and flushes
 * itself when full.
 */
#define HOST_BATCH_PAGES 256
struct host_free_batch {
	uint32_t idx[HOST_BATCH_PAGES];
	uint64_t nr;
};
void host_batch_init(struct host_free_batch *b);
void host_batch_add(struct host *h, struct host_free_batch *b, uint32_t idx);
void host_batch_flush(struct host *h, struct host_free_batch *b);
/*
 * The start of a driver call on (cpu): the CPU takes the kernel's mappings
 * and, when there are zombies, retries them, so one pinned by a thread that
 * was inside its enclave at release is freed by the first call after the
 * thread left. (Linux retries only at the next release, which may never
 * come; the model must not keep EPC for good.)
 */
void host_kernel_enter(struct host *h, struct hw_cpu *cpu);

/* A used page whose EREMOVE failed: to the zombie list. */
void host_epc_zombie(struct host *h, uint32_t idx);
/* EREMOVE on (cpu) with the host address space: the leaf's result. */
int host_eremove(struct host *h, struct hw_cpu *cpu, uint32_t idx);
void host_cpu_enter(struct hw_cpu *cpu);

/* owner.c */
struct host_encl_page;
/*
 * Charge one page to (o) and its ancestors (o NULL: nothing). Return: NULL,
 * or the nearest owner that was at its max (its events counted; nothing
 * is left charged).
 */
struct host_owner *host_owner_try_charge(struct host_owner *o);
void host_owner_uncharge(struct host_owner *o);
/* Whether (o) is (top) or one of its descendants. */
bool host_owner_in(const struct host_owner *o, const struct host_owner *top);
/* Pages on the LRUs of (top)'s subtree. */
uint64_t host_owner_subtree_reclaimable(struct host_owner *top);
/* A host enclave joins or leaves (o). */
void host_owner_get(struct host_owner *o);
void host_owner_put(struct host_owner *o);
/* Free the root at host_destroy(). */
void host_owner_destroy_root(struct host *h);
void host_lru_add(struct host_owner *o, struct host_encl_page *ep);
/* Take (ep) off the LRU unless the reclaimer holds it; false if it does. */
bool host_lru_del(struct host_owner *o, struct host_encl_page *ep);
/* With the owner's lru_lock held: append at the tail, unlink. */
void host_lru_append(struct host_owner *o, struct host_encl_page *ep);
void host_lru_unlink(struct host_owner *o, struct host_encl_page *ep);

/* reclaim.c */
/* Before an enclave allocation: reclaim below the low watermark. */
void host_reclaim_if_low(struct host *h, struct hw_cpu *cpu);

#endif /* VSGX_HOST_INT_H */
