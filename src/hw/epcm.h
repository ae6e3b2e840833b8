/* SPDX-License-Identifier: MIT */
/*
 * The EPCM: one 24-byte entry per EPC page, and the page contents behind it.
 *
 * Contents live in one anonymous mapping as large as the EPC, at the page's
 * EPCM index: the host backs a page only once a leaf writes something other
 * than zeros into it, so a processor costs memory in proportion to the pages
 * actually written, whatever its EPC size. A page keeps its host memory when
 * it leaves the EPC (hardware EPC does not vanish either), ready for reuse;
 * a reset gives all of it back.
 *
 * Concurrency follows the hardware: a leaf owns the entries it works on for
 * its duration by setting their busy bit, and a leaf that finds an entry
 * held by another leaf fails (#GP, or SGX_EPC_PAGE_CONFLICT for the leaves
 * that say so). Enclave-mode accesses and entry checks take the bit only for
 * the few loads they make, waiting for nothing meanwhile, and leaves wait
 * those out: enclave code touching a page never makes a leaf fail. Every
 * field of an entry, and the page's contents, are read and written only by
 * the holder of its busy bit (or, for contents, by a thread whose tracked
 * entry keeps the page from being written back), so the bit's acquire /
 * release ordering is the only synchronization they need.
 */
#ifndef VSGX_HW_EPCM_H
#define VSGX_HW_EPCM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsgx/arch.h"
#include "vsgx/processor.h"

struct hw_processor;
struct crypto_sha256;

/* EPCM flags. */
#define EPCM_VALID    (1u << 0)
#define EPCM_R	      (1u << 1)
#define EPCM_W	      (1u << 2)
#define EPCM_X	      (1u << 3)
#define EPCM_BLOCKED  (1u << 4)
#define EPCM_PENDING  (1u << 5)
#define EPCM_MODIFIED (1u << 6)
#define EPCM_PR	      (1u << 7)
#define EPCM_RWX      (EPCM_R | EPCM_W | EPCM_X)
/* Not architectural: host memory holds this page's contents. */
#define EPCM_HELD (1u << 8)

struct hw_epcm_entry {
	union {
		uint64_t linaddr;	 /* child pages: ENCLAVEADDRESS */
		struct hw_enclave *encl; /* SECS pages: the enclave's hidden state */
	};
	uint32_t secs;	/* ENCLAVESECS: EPCM index of the owning SECS */
	uint16_t flags; /* EPCM_* */
	uint8_t pt;	/* enum sgx_page_type */
	atomic_uchar busy;
	/*
	 * The enclave's epoch when EBLOCK, EMODPR or EMODT last changed the
	 * page: EWB and EACCEPT wait until that epoch has been tracked.
	 */
	uint64_t epoch;
};

_Static_assert(sizeof(struct hw_epcm_entry) == HW_EPCM_ENTRY_BYTES, "EPCM entry grew");

/*
 * The hidden state of an enclave, kept with its SECS page, and the SECS
 * itself: it is never software-readable once in the EPC, so the model keeps
 * it here rather than in the contents map.
 */
struct hw_enclave {
	struct sgx_secs secs;
	struct hw_enclave *next, *prev; /* the processor's live enclaves */
	uint64_t eid;
	struct crypto_sha256 *mrenclave; /* running measurement */
	uint64_t mr_blocks;		 /* MRENCLAVE update counter */
	uint8_t padding[352];		 /* PKCS#1 padding EINIT saved */
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
	/*
	 * ENCLAVECONTEXT: the SECS's address as ECREATE or ELD found it, or
	 * what ESETCONTEXT stored; ERDINFO reads it without holding the SECS.
	 */
	atomic_uint_fast64_t context;
	atomic_uint_fast64_t children;
	/* VIRTCHILDCNT: children a VMM evicted (EINCVIRTCHILD / EDECVIRTCHILD). */
	atomic_uint_fast64_t virtchildren;
	/* Set while the SECS is written back (EWB) and not yet reloaded. */
	bool evicted;

	/*
	 * Set by EINIT once the SECS's identity fields are final: entries read
	 * them after seeing it (acquire), without holding the SECS.
	 */
	atomic_bool initialized;

	/*
	 * TLB tracking (see track.c). Threads enter and leave on many CPUs at
	 * once without owning the SECS and without writing anything shared:
	 * each CPU records its own entry (struct hw_cpu's track_slot). Entries
	 * read track_state, which only ETRACK writes; a CPU sets its bit in
	 * cpus_seen at its first entry only, so ETRACK and the checks scan the
	 * CPUs that ever entered. ETRACK and the tracked check take track_lock.
	 */
	struct hw_processor *proc;
	_Alignas(64) _Atomic uint64_t track_state; /* epoch's low bits, or in transition */
	_Atomic uint64_t cpus_seen[(HW_MAX_CPUS + 63) / 64];
	pthread_mutex_t track_lock;
	uint64_t epoch;	  /* ETRACKs so far */
	uint64_t drained; /* the epoch at which the older generation was seen gone */
};

static inline bool epcm_is_child_type(unsigned int pt)
{
	return pt == SGX_PT_REG || pt == SGX_PT_TCS || pt == SGX_PT_TRIM || pt == SGX_PT_SS_FIRST ||
	       pt == SGX_PT_SS_REST;
}

/*
 * EPCM index of the page holding physical address (pa).
 * Return: true, or false when (pa) is outside every EPC section.
 */
bool epcm_index(const struct hw_processor *p, uint64_t pa, uint64_t *ret_idx);

/* Physical address of the page with EPCM index (idx). */
uint64_t epcm_pa(const struct hw_processor *p, uint64_t idx);

struct hw_epcm_entry *epcm_entry(struct hw_processor *p, uint64_t idx);

/*
 * Take (true) or fail to take (false) the entry's busy bit for a leaf; give
 * it back. Only another leaf holding it makes trylock fail: an access holding
 * it (below) is waited out.
 */
bool epcm_trylock(struct hw_epcm_entry *e);
/*
 * Whether another leaf holds (e) at this moment (an access holding it does
 * not count). A look, not a lock: for leaves that only report the conflict.
 */
bool epcm_leaf_busy(const struct hw_epcm_entry *e);
void epcm_unlock(struct hw_epcm_entry *e);

/*
 * Hold an entry for a moment to read it (and its page's contents) the way an
 * enclave-mode access or an entry check does: waits for any holder, and
 * must wait for nothing, nor take another entry, while holding it. Give it
 * back with epcm_unlock().
 */
void epcm_access_lock(struct hw_epcm_entry *e);

/*
 * Wait for an entry's busy bit. Enclave entries and enclave-mode accesses do
 * not fail when a leaf holds a page for a moment: hardware serializes them
 * internally. Never wait while holding another entry that a waiter could
 * hold too; leaves with a defined conflict outcome use epcm_trylock().
 */
void epcm_lock_wait(struct hw_epcm_entry *e);

/* Map and unmap the EPCM and contents of (p); maps read as zeros until written. */
int epcm_create(struct hw_processor *p);
void epcm_destroy(struct hw_processor *p);

/* Invalidate every entry, free every enclave and give back all contents (cold reset). */
void epcm_clear(struct hw_processor *p);

/* Contents of page (idx): zeros until written. */
uint8_t *epcm_contents(struct hw_processor *p, uint64_t idx);

/*
 * Tell the emulator embedding the model, if any, that the model wrote page
 * (idx)'s contents, so that it drops code it translated from the old bytes.
 * Every writer calls it once its bytes are in place.
 */
void epcm_written(struct hw_processor *p, uint64_t idx);

/*
 * Give page (idx) new contents, 4 KiB at (src), and tell the emulator. A page of zeros that host
 * memory never held stays unbacked.
 */
void epcm_set_contents(struct hw_processor *p, uint64_t idx, const void *src);

/* Writable contents of page (idx), to be written. */
uint8_t *epcm_materialize(struct hw_processor *p, uint64_t idx);

/* Make (e) valid with (flags) and (pt), or invalid; keeps the page counts. */
void epcm_validate(struct hw_processor *p, struct hw_epcm_entry *e, unsigned int pt,
		   uint16_t flags);
void epcm_invalidate(struct hw_processor *p, struct hw_epcm_entry *e);

/* Hidden state of the enclave whose SECS is entry (e). */
static inline struct hw_enclave *epcm_enclave(const struct hw_epcm_entry *e)
{
	return e->encl;
}

/*
 * Allocate an enclave's hidden state, and link it into (p)'s live enclaves
 * once it is valid; unlink and free it. Free accepts NULL.
 */
struct hw_enclave *epcm_enclave_alloc(void);
void epcm_enclave_link(struct hw_processor *p, struct hw_enclave *encl);
void epcm_enclave_free(struct hw_processor *p, struct hw_enclave *encl);

#endif /* VSGX_HW_EPCM_H */
