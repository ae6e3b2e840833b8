/* SPDX-License-Identifier: MIT */
/*
 * The EPCM: one 12-byte entry per EPC page, and the page contents behind it.
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
 * release ordering is the only synchronization they need. Two looks take
 * no bit: EREMOVE's of an entry never looked up (epcm_untouched()) and of
 * an idle invalid one (epcm_idle_invalid()), each one atomic load, argued
 * linearizable in hw_eremove().
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

/*
 * One EPCM entry, packed into 12 bytes (HW_EPCM_ENTRY_BYTES), so that the
 * model's metadata of a terabyte of EPC fits in a few GiB:
 *
 *   bytes 0-3   child: ENCLAVEADDRESS bits 43:12     SECS: the hidden state's
 *   bytes 4-7   child: ENCLAVESECS (an EPCM index)   pointer, 64 bits
 *   bytes 8-9   flags (9 bits: EPCM_*), page type (3), ENCLAVEADDRESS 47:44
 *   byte  10    the busy byte: holder (2 bits), EPCM_VALID's mirror, poisoned
 *               (the page's memory, not the EPCM: see EPCM_BUSY_POISON), and
 *               the tag of the epoch of an EBLOCK, EMODPR or EMODT (4 bits)
 *   byte  11    ENCLAVEADDRESS bits 55:48
 *
 * ENCLAVEADDRESS keeps bits 55:12 and reads back sign-extended from bit 55:
 * every canonical address of 4-level paging, which is all the model has
 * (hw_is_canonical()), and the addresses inside an ELRANGE of up to 2^55
 * bytes; 5-level paging would need bit 56 too.
 *
 * The epoch a page was blocked or modified in is 64 bits on hardware; here
 * the entry keeps a 4-bit tag naming one of its enclave's epoch classes
 * (struct hw_enclave's epoch_class), which holds the full epoch shared by
 * all the pages tagged with it. Few epochs are outstanding in an enclave at
 * once (ETRACK refuses to run ahead of its threads), so a class is nearly
 * always found; when all are taken, the epoch goes to a side table
 * (epcm_epoch()). See epcm_set_epoch().
 *
 * Only the busy byte is atomic. VALID is mirrored into it by
 * epcm_validate() / epcm_invalidate(), under the busy bit, so that EREMOVE
 * can see an idle invalid entry with one load and no store
 * (epcm_idle_invalid()): sanitizing an untouched EPC reads zero pages.
 */
struct hw_epcm_entry {
	union {
		struct {
			uint32_t lpn_lo; /* ENCLAVEADDRESS bits 43:12 */
			uint32_t secs;	 /* ENCLAVESECS: EPCM index of the owning SECS */
		};
		uint32_t encl_word[2]; /* SECS pages: struct hw_enclave *, low half first */
	};
	uint16_t flags : 9;   /* EPCM_* */
	uint16_t pt : 3;      /* enum sgx_page_type */
	uint16_t lpn_top : 4; /* ENCLAVEADDRESS bits 47:44 */
	atomic_uchar busy;    /* EPCM_BUSY_* */
	uint8_t lpn_hi;	      /* ENCLAVEADDRESS bits 55:48 */
};

/* The busy byte: who holds the entry, and the bits only its holder changes. */
#define EPCM_BUSY_LEAF	 1u	   /* a leaf, for its duration */
#define EPCM_BUSY_ACCESS 2u	   /* an access, for a few loads */
#define EPCM_BUSY_HOLDER 3u	   /* either */
#define EPCM_BUSY_VALID	 (1u << 2) /* mirror of EPCM_VALID */
/*
 * Not EPCM state but the page's memory: an uncorrectable error was reported
 * in it (hw_epc_poison()). Kept here because the byte had bits to spare, so
 * poison costs no byte per page; set under the busy bit like the epoch tag,
 * and tested by a leaf that holds the entry with one load it makes anyway.
 */
#define EPCM_BUSY_POISON (1u << 3)
/*
 * The epoch tag: 0 when the page has nothing to track, 1 to
 * EPCM_EPOCH_CLASSES for the enclave's epoch class (tag - 1), or
 * EPCM_EPOCH_SIDE when the side table has the page's epoch.
 */
#define EPCM_BUSY_TAG_SHIFT 4
#define EPCM_EPOCH_CLASSES  14
#define EPCM_EPOCH_SIDE	    15

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
	 * CPUs that ever entered. ETRACK, and the tracked check when it must
	 * scan, take track_lock.
	 */
	struct hw_processor *proc;
	_Alignas(64) _Atomic uint64_t track_state; /* epoch's low bits, or in transition */
	_Atomic uint64_t cpus_seen[(HW_MAX_CPUS + 63) / 64];
	pthread_mutex_t track_lock;
	/* Written under track_lock; read without it by the tracked check's fast path. */
	_Atomic uint64_t epoch;	  /* ETRACKs so far */
	_Atomic uint64_t drained; /* the epoch at which the older generation was seen gone */

	/*
	 * Epoch classes (see epcm_set_epoch()): each packs an epoch (high 40
	 * bits) and how many of the enclave's pages are tagged with it (low
	 * 24). On lines of their own, as EMODPR and EACCEPT on any CPU write
	 * them while entries read track_state.
	 */
	_Alignas(64) _Atomic uint64_t epoch_class[EPCM_EPOCH_CLASSES];
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

/* The entry of page (idx): hw_epcm_entry() in hw.h, inline, as every leaf asks it. */
#define epcm_entry(p, idx) hw_epcm_entry(p, idx)
/*
 * Whether no entry near (idx) was ever looked up with epcm_entry() since
 * power-on or the last cold reset: then entry (idx) is invalid and idle, and
 * reading it would only make the host back zeros.
 */
#define epcm_untouched(p, idx) hw_epcm_untouched(p, idx)

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

/* The enclave of a valid child entry (e); its children pin the SECS. */
#define epcm_child_enclave(p, e) epcm_enclave(epcm_entry(p, (e)->secs))

/* Hidden state of the enclave whose SECS is entry (e). */
static inline struct hw_enclave *epcm_enclave(const struct hw_epcm_entry *e)
{
	return (struct hw_enclave *)(uintptr_t)((uint64_t)e->encl_word[1] << 32 | e->encl_word[0]);
}

static inline void epcm_set_enclave(struct hw_epcm_entry *e, struct hw_enclave *encl)
{
	uint64_t v = (uint64_t)(uintptr_t)encl;

	e->encl_word[0] = (uint32_t)v;
	e->encl_word[1] = (uint32_t)(v >> 32);
}

/* ENCLAVEADDRESS of a child page (0 for SECS and VA pages). */
static inline uint64_t epcm_linaddr(const struct hw_epcm_entry *e)
{
	uint64_t lpn = (uint64_t)e->lpn_hi << 36 | (uint64_t)e->lpn_top << 32 | e->lpn_lo;

	/* Bits 63:56 copy bit 55, as the canonical addresses stored have them. */
	return (uint64_t)((int64_t)(lpn << 20) >> 8);
}

static inline void epcm_set_linaddr(struct hw_epcm_entry *e, uint64_t la)
{
	uint64_t lpn = la >> SGX_PAGE_SHIFT;

	e->lpn_lo = (uint32_t)lpn;
	e->lpn_top = (uint16_t)((lpn >> 32) & 0xf);
	e->lpn_hi = (uint8_t)(lpn >> 36);
}

/* The stamp of a page with nothing to track, in any epoch. */
#define HW_EPOCH_TRACKED UINT64_MAX

/*
 * The epoch of enclave (encl) when EBLOCK, EMODPR or EMODT last changed its
 * child page (e): EWB and EACCEPT wait until it has been tracked.
 * HW_EPOCH_TRACKED when none is kept. Only the holder of (e)'s busy bit sets
 * or reads it. Setting it returns -ENOMEM when the side table cannot grow
 * (the leaf then fails before changing anything); HW_EPOCH_TRACKED always
 * succeeds.
 */
static inline unsigned int epcm_epoch_tag(const struct hw_epcm_entry *e)
{
	return atomic_load_explicit(&((struct hw_epcm_entry *)e)->busy, memory_order_relaxed) >>
	       EPCM_BUSY_TAG_SHIFT;
}

uint64_t epcm_epoch_side(struct hw_processor *p, const struct hw_epcm_entry *e);

static inline uint64_t epcm_epoch(struct hw_processor *p, const struct hw_enclave *encl,
				  const struct hw_epcm_entry *e)
{
	unsigned int tag = epcm_epoch_tag(e);

	if (!tag)
		return HW_EPOCH_TRACKED;
	if (tag == EPCM_EPOCH_SIDE)
		return epcm_epoch_side(p, e);
	/* Stable: the class cannot change epoch while this page counts in it. */
	return atomic_load_explicit(&((struct hw_enclave *)encl)->epoch_class[tag - 1],
				    memory_order_relaxed) >>
	       24;
}

int epcm_set_epoch(struct hw_processor *p, struct hw_enclave *encl, struct hw_epcm_entry *e,
		   uint64_t epoch);

/* Drop (e)'s epoch once tracked: a load when it has none, as after EAUG. */
static inline void epcm_drop_epoch(struct hw_processor *p, struct hw_enclave *encl,
				   struct hw_epcm_entry *e)
{
	if (epcm_epoch_tag(e))
		epcm_set_epoch(p, encl, e, HW_EPOCH_TRACKED);
}

/*
 * Whether (e) is invalid and no leaf nor access holds it, from one load:
 * EREMOVE's answer for such a page needs no store (see hw_eremove()).
 */
static inline bool epcm_idle_invalid(const struct hw_epcm_entry *e)
{
	unsigned char b =
	    atomic_load_explicit(&((struct hw_epcm_entry *)e)->busy, memory_order_acquire);

	return !(b & (EPCM_BUSY_HOLDER | EPCM_BUSY_VALID));
}

/*
 * Whether page (e)'s memory is poisoned. The leaves that read or write a
 * page's contents ask it once, holding the entry, right before the first
 * touch: a machine check then stops the leaf before it changed anything.
 */
static inline bool epcm_poisoned(const struct hw_epcm_entry *e)
{
	return atomic_load_explicit(&((struct hw_epcm_entry *)e)->busy, memory_order_relaxed) &
	       EPCM_BUSY_POISON;
}

/* Mark (e)'s page poisoned; the caller holds (e). */
void epcm_poison(struct hw_epcm_entry *e);

/* Whether anything (a leaf or an access) holds (e) at this moment. */
static inline bool epcm_is_held(const struct hw_epcm_entry *e)
{
	return atomic_load_explicit(&((struct hw_epcm_entry *)e)->busy, memory_order_acquire) &
	       EPCM_BUSY_HOLDER;
}

/*
 * Allocate an enclave's hidden state, and link it into (p)'s live enclaves
 * once it is valid; unlink and free it. Free accepts NULL.
 */
struct hw_enclave *epcm_enclave_alloc(void);
void epcm_enclave_link(struct hw_processor *p, struct hw_enclave *encl);
void epcm_enclave_free(struct hw_processor *p, struct hw_enclave *encl);

#endif /* VSGX_HW_EPCM_H */
