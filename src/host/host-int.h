/* SPDX-License-Identifier: MIT */
/* Internals of the host driver, shared by the files of src/host/ only. */
#ifndef VSGX_HOST_INT_H
#define VSGX_HOST_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "vsgx/host.h"

#define HOST_PAGE_NONE UINT32_MAX

enum host_page_state {
	HP_DIRTY,  /* found at boot, not yet sanitized */
	HP_FREE,   /* on its node's free list */
	HP_USED,   /* a raw allocation (host_page_alloc) */
	HP_VEPC,   /* a vEPC instance's page */
	HP_ENCL,   /* a host enclave's page (SECS, child or VA) */
	HP_ZOMBIE, /* on the zombie list */
	HP_BAD,	   /* EREMOVE failed at boot */
};

/* HP_ENCL page flags. */
#define HPF_LRU	     (1u << 0) /* on its owner's LRU */
#define HPF_ISOLATED (1u << 1) /* taken off the LRU by the reclaimer */

/*
 * Host metadata of one EPC page (HOST_EPC_PAGE_BYTES). Fields other than
 * (owner) change only under the locks noted.
 */
struct host_epc_page {
	void *owner;   /* HP_ENCL child pages: their struct host_encl_page */
	uint32_t next; /* free list (node lock), LRU (owner lock), zombies */
	uint32_t prev; /* LRU only */
	uint8_t state; /* enum host_page_state; node lock */
	uint8_t flags; /* HPF_*; owner LRU lock */
	uint8_t section;
	uint8_t node;
};

_Static_assert(sizeof(struct host_epc_page) == HOST_EPC_PAGE_BYTES, "host EPC page grew");

struct host_section {
	uint64_t base, size;
	uint32_t first; /* index of its first page */
	uint32_t nr_pages;
	unsigned int node;
};

struct host_node {
	pthread_mutex_t lock;
	bool present;
	uint32_t free_head;
	uint64_t total, free, used, zombie, bad;
};

struct host {
	struct hw_processor *p;
	unsigned int nr_sections;
	struct host_section sections[SGX_MAX_EPC_SECTIONS];
	uint64_t nr_pages;
	struct host_epc_page *pages;
	unsigned int nr_nodes; /* highest present node + 1 */
	struct host_node nodes[HW_MAX_NODES];
	atomic_uint_fast64_t nr_free; /* sum of node free counts, for the watermarks */
	struct host_sanitize_stats sanitize;

	pthread_mutex_t zombie_lock;
	uint32_t zombie_head;

	_Atomic uint64_t low_pages, high_pages;
	/* Pages on every LRU: what the reclaimer could free. */
	atomic_uint_fast64_t nr_reclaimable;
	/* Enclave pages EBLOCKed whose write-back waits for threads to leave. */
	atomic_uint_fast64_t nr_blocked;
	/* Pages on the zombie list; lets a driver call skip the retry cheaply. */
	atomic_uint_fast64_t nr_zombies;
	bool lc_flexible; /* write the LE hash MSRs before EINIT */

	/* Owners with an LRU, for the reclaimer's round robin. */
	pthread_mutex_t owners_lock;
	struct host_owner *owners;
	struct host_owner *root; /* the group of enclaves created without one */
	unsigned int reclaim_cursor;
	pthread_mutex_t reclaim_lock; /* one reclaimer pass at a time, as one ksgxd */
};

struct host_owner {
	struct host *h;
	enum host_owner_kind kind;
	_Atomic uint64_t limit;
	_Atomic uint64_t usage;
	_Atomic uint64_t limit_hits;
	struct host_owner *next; /* h->owners */
	/* The LRU of this group's reclaimable pages (enclave groups only). */
	pthread_mutex_t lru_lock;
	uint32_t lru_head, lru_tail;
	uint64_t lru_count;
};

/* epc.c */
uint32_t host_pa_to_index(const struct host *h, uint64_t pa);
uint64_t host_index_to_pa(const struct host *h, uint32_t idx);
/* Take a free page, (node) first; HOST_PAGE_NONE when the EPC is exhausted. */
uint32_t host_epc_alloc(struct host *h, unsigned int node, enum host_page_state state);
/* Give back a page the caller has EREMOVEd or EWB'd. */
void host_epc_free(struct host *h, uint32_t idx);
/*
 * Pages to give back together, one node lock per node rather than per page
 * (release frees millions). Pages on a batch are chained through their
 * (next) field; the caller still owns them until the flush.
 */
struct host_free_batch {
	uint32_t head[HW_MAX_NODES];
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
/* Charge one page to (o) (NULL: nothing); false at the limit (counted). */
bool host_owner_charge(struct host_owner *o);
void host_owner_uncharge(struct host_owner *o);
void host_lru_add(struct host_owner *o, uint32_t idx);
/* Take (idx) off the LRU unless the reclaimer holds it; false if it does. */
bool host_lru_del(struct host_owner *o, uint32_t idx);
/* With the owner's lru_lock held: append at the tail, unlink. */
void host_lru_append(struct host_owner *o, uint32_t idx);
void host_lru_unlink(struct host_owner *o, uint32_t idx);

/* reclaim.c */
/* Before an enclave allocation: reclaim below the low watermark. */
void host_reclaim_if_low(struct host *h, struct hw_cpu *cpu);

#endif /* VSGX_HOST_INT_H */
