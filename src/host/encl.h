/* SPDX-License-Identifier: MIT */
/* Host enclaves, shared by encl.c (the driver) and reclaim.c only. */
#ifndef VSGX_HOST_ENCL_H
#define VSGX_HOST_ENCL_H

#include "host-int.h"

enum host_encl_page_state {
	EP_NONE,       /* no page at this address */
	EP_RESIDENT,   /* in the EPC, mapped */
	EP_RECLAIMING, /* unmapped, the reclaimer is blocking or writing it back */
	EP_BLOCKED,    /* EBLOCKed but not written back (tracking never completed) */
	EP_EVICTED,    /* written back: contents in (backing), VA slot in use */
};

/* host_encl_page.lru_flags. */
#define HPF_LRU	     (1u << 0) /* on its group's LRU */
#define HPF_ISOLATED (1u << 1) /* taken off the LRU by the reclaimer */

/*
 * A page of a host enclave. Its LRU links live here, not in an array over
 * every EPC page: only host enclaves' child pages are ever reclaimed.
 */
struct host_encl_page {
	/* Physical address while mapped, 0 when not: the page table entry. */
	_Atomic uint64_t pte;
	atomic_bool accessed; /* the PTE's A bit, for the reclaimer's aging */
	uint8_t state;	      /* enum host_encl_page_state; encl lock */
	uint16_t va_slot;
	uint32_t va;	   /* VA page (index into encl->va) while evicted */
	uint32_t epc;	   /* EPC page index while in the EPC */
	uint8_t lru_flags; /* HPF_*; the group's lru_lock */
	struct host_encl_page *lru_next, *lru_prev; /* the group's lru_lock */
	uint64_t la;
	struct host_encl *encl;
	void *backing;	       /* 4 KiB: the encrypted contents */
	struct sgx_pcmd *pcmd; /* its PCMD */
};

#define ENCL_LEAF_PAGES 512

struct host_va_page {
	uint32_t epc;
	uint32_t used;
	uint64_t bitmap[SGX_VA_SLOTS / 64];
};

struct host_encl {
	struct host *h;
	struct host_owner *group;
	pthread_mutex_t lock;
	atomic_int refs; /* the file, plus the reclaimer's holds */
	bool dead;
	bool initialized;
	uint32_t secs; /* EPC page index of the SECS; HOST_PAGE_NONE while written back */
	/*
	 * The SECS while written back: once its last child page has left the
	 * EPC, the reclaimer writes back the SECS too (as Linux does), and
	 * the next fault reloads it before the child.
	 */
	struct host_encl_page secs_page;
	bool secs_evicted;
	/* SECS.ATTRIBUTES.FLAGS, and those the file may have (Linux's attributes_mask). */
	uint64_t attributes, attributes_mask;
	uint64_t base, size;
	/* Enclave pages by ELRANGE page number: leaves of ENCL_LEAF_PAGES. */
	uint64_t nr_leaves;
	_Atomic(struct host_encl_page *) *leaf;
	struct host_va_page *va;
	uint32_t nr_va;
	uint64_t nr_pages, resident, evicted, ewb, eldu;
};

struct host_encl_page *host_encl_page_get(struct host_encl *e, uint64_t la);
/* Drop a hold; the last frees the VA pages, the SECS and the enclave. */
void host_encl_put(struct host_encl *e, struct hw_cpu *cpu);
/*
 * Take an EPC page for (e), charged to its group, reclaiming when needed.
 * Return: 0 with the page in *ret_idx; -ENOMEM; -EAGAIN when the only pages
 * left to reclaim wait for threads to leave their enclaves.
 */
int host_encl_alloc_epc(struct host_encl *e, struct hw_cpu *cpu, uint32_t *ret_idx);
/* Move (ep) to (state), keeping the host's count of blocked pages; encl lock held. */
void host_encl_page_set(struct host_encl *e, struct host_encl_page *ep,
			enum host_encl_page_state state);
/* Give back a child's EPC page the caller has removed or written back. */
void host_encl_free_epc(struct host_encl *e, uint32_t idx);
/* EREMOVE and free a page of (e); one that will not go becomes a zombie. */
void host_encl_remove_epc(struct host_encl *e, struct hw_cpu *cpu, uint32_t idx);
/*
 * Finish writing back page (ep), EBLOCKed already: EWB, with ETRACK and one
 * retry on SGX_NOT_TRACKED. encl lock held. Return: 0; -EAGAIN when threads
 * that entered before the ETRACK are still inside; -ENOMEM; -EIO.
 */
int host_encl_ewb(struct host_encl *e, struct hw_cpu *cpu, struct host_encl_page *ep);
/*
 * Reload the written-back SECS of (e), if it is, into a new EPC page. encl
 * lock held; may drop and retake it to allocate. Return: 0; -ENOMEM;
 * -EAGAIN; -EIO.
 */
int host_encl_secs_load(struct host_encl *e, struct hw_cpu *cpu, int *ret_code);

#endif /* VSGX_HOST_ENCL_H */
