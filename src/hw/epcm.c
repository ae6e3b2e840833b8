/* SPDX-License-Identifier: MIT */
#include "epcm.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hw.h"
#include "vsgx/crypto.h"

bool epcm_index(const struct hw_processor *p, uint64_t pa, uint64_t *ret_idx)
{
	for (unsigned int i = 0; i < p->nr_sections; i++) {
		const struct hw_section *s = &p->sections[i];

		if (pa - s->base < s->size) {
			*ret_idx = s->first + ((pa - s->base) >> SGX_PAGE_SHIFT);
			return true;
		}
	}
	return false;
}

uint64_t epcm_pa(const struct hw_processor *p, uint64_t idx)
{
	for (unsigned int i = 0; i < p->nr_sections; i++) {
		const struct hw_section *s = &p->sections[i];

		if (idx - s->first < (s->size >> SGX_PAGE_SHIFT))
			return s->base + ((idx - s->first) << SGX_PAGE_SHIFT);
	}
	return 0;
}

/*
 * The busy byte also carries bits only the holder changes (EPCM_BUSY_VALID,
 * EPCM_BUSY_POISON, the epoch tag): a taker compares against the byte with its holder bits
 * clear, and the holder rewrites the byte with plain stores, as no taker can
 * succeed while it holds it.
 */
static bool busy_take(struct hw_epcm_entry *e, unsigned char as, unsigned char *held)
{
	unsigned char cur = atomic_load_explicit(&e->busy, memory_order_relaxed);

	*held = cur & EPCM_BUSY_HOLDER;
	if (*held)
		return false;
	return atomic_compare_exchange_weak_explicit(&e->busy, &cur, (unsigned char)(cur | as),
						     memory_order_acquire, memory_order_relaxed);
}

/* Rewrite the holder-owned bits (set) and (clear) of (e), held by the caller. */
static void busy_bits_set(struct hw_epcm_entry *e, unsigned char set, unsigned char clear)
{
	unsigned char cur = atomic_load_explicit(&e->busy, memory_order_relaxed);

	atomic_store_explicit(&e->busy, (unsigned char)((cur & ~clear) | set),
			      memory_order_relaxed);
}

bool epcm_trylock(struct hw_epcm_entry *e)
{
	unsigned char held;

	/*
	 * Only another leaf is a conflict. An enclave-mode access holds the
	 * entry for a few loads and waits for nothing meanwhile: wait it out,
	 * as hardware never fails a leaf because enclave code touched a page.
	 */
	while (!busy_take(e, EPCM_BUSY_LEAF, &held)) {
		if (held == EPCM_BUSY_LEAF)
			return false;
		if (held == EPCM_BUSY_ACCESS)
			sched_yield();
	}
	return true;
}

bool epcm_leaf_busy(const struct hw_epcm_entry *e)
{
	return (atomic_load_explicit(&((struct hw_epcm_entry *)e)->busy, memory_order_acquire) &
		EPCM_BUSY_HOLDER) == EPCM_BUSY_LEAF;
}

void epcm_access_lock(struct hw_epcm_entry *e)
{
	unsigned char held;

	while (!busy_take(e, EPCM_BUSY_ACCESS, &held)) {
		if (held)
			sched_yield();
	}
}

void epcm_unlock(struct hw_epcm_entry *e)
{
	unsigned char cur = atomic_load_explicit(&e->busy, memory_order_relaxed);

	atomic_store_explicit(&e->busy, (unsigned char)(cur & ~EPCM_BUSY_HOLDER),
			      memory_order_release);
}

void epcm_poison(struct hw_epcm_entry *e)
{
	busy_bits_set(e, EPCM_BUSY_POISON, 0);
}

void epcm_lock_wait(struct hw_epcm_entry *e)
{
	unsigned char held;

	while (!busy_take(e, EPCM_BUSY_LEAF, &held)) {
		if (held)
			sched_yield();
	}
}

/* ------------------------------------------------------------------ */
/* Epochs of blocked and modified pages.                               */

/*
 * EBLOCK, EMODPR and EMODT record the enclave's epoch in the page's entry
 * on hardware; a 64-bit field in each of the billions of entries that are
 * never blocked would cost more than the rest of the entry. Here the entry
 * keeps a 4-bit tag instead (EPCM_BUSY_TAG_SHIFT).
 *
 * Classes. Each enclave has EPCM_EPOCH_CLASSES words, each an epoch and the
 * number of the enclave's pages stamped with it. A stamp takes a class that
 * holds its epoch already or none (count 0), with one compare-and-swap, and
 * tags the page with it; dropping the stamp is one atomic decrement. While
 * a page counts in a class, the class keeps its epoch, so the tag names the
 * page's full epoch exactly. An enclave has few epochs outstanding at once:
 * the pages changed since the last ETRACK or two, and any a guest left
 * blocked or unaccepted for longer.
 *
 * The side table takes a stamp only when every class holds another epoch
 * (or its count or the epoch outgrow their bits): an open-addressed table
 * by EPCM index, striped so that leaves on different pages do not meet on
 * one lock, as large as twice its entries (or 16).
 */
#define CLASS_COUNT_BITS 24
#define CLASS_COUNT_MASK ((1ULL << CLASS_COUNT_BITS) - 1)
#define CLASS_EPOCH_MAX	 (UINT64_MAX >> CLASS_COUNT_BITS)

#define EPOCH_STRIPES 64
#define EPOCH_EMPTY   UINT32_MAX

struct epcm_epoch_stripe {
	/*
	 * A spinlock: held for a probe or two, by leaves that already hold the
	 * page's busy bit (EMODPR, EACCEPT...).
	 */
	atomic_flag lock;
	uint32_t *key; /* EPCM index, EPOCH_EMPTY in free slots */
	uint64_t *val;
	uint32_t cap, nr; /* cap: 0 or a power of two */
};

struct epcm_epochs {
	struct epcm_epoch_stripe stripe[EPOCH_STRIPES];
};

/*
 * Count a page in a class of (encl) for (epoch), starting at the class the
 * epoch hashes to so that stamps of one epoch meet in one word.
 * Return: the page's tag, or 0 when no class can take it.
 */
static unsigned int class_get(struct hw_enclave *encl, uint64_t epoch)
{
	if (epoch > CLASS_EPOCH_MAX)
		return 0;
	for (unsigned int k = 0, c = (unsigned int)(epoch % EPCM_EPOCH_CLASSES);
	     k < EPCM_EPOCH_CLASSES; k++, c = (c + 1) % EPCM_EPOCH_CLASSES) {
		_Atomic uint64_t *w = &encl->epoch_class[c];
		uint64_t cur = atomic_load_explicit(w, memory_order_relaxed);

		for (;;) {
			uint64_t n = cur & CLASS_COUNT_MASK;

			if (n && (cur >> CLASS_COUNT_BITS != epoch || n == CLASS_COUNT_MASK))
				break;
			if (atomic_compare_exchange_weak_explicit(
				w, &cur, epoch << CLASS_COUNT_BITS | (n + 1), memory_order_relaxed,
				memory_order_relaxed))
				return c + 1;
		}
	}
	return 0;
}

/*
 * Orders are relaxed: a class's epoch changes only at count 0, and the next
 * reader of a page's tag holds its busy bit, acquired after the stamp.
 */
static void class_put(struct hw_enclave *encl, unsigned int tag)
{
	atomic_fetch_sub_explicit(&encl->epoch_class[tag - 1], 1, memory_order_relaxed);
}

static void stripe_lock(struct epcm_epoch_stripe *s)
{
	while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire))
		sched_yield();
}

static void stripe_unlock(struct epcm_epoch_stripe *s)
{
	atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

static uint32_t epoch_hash(uint32_t idx, uint32_t cap)
{
	return (uint32_t)((idx / EPOCH_STRIPES) * 2654435761u) & (cap - 1);
}

/* Slot of (idx) in (s), or of the empty slot where it would go. */
static uint32_t epoch_slot(const struct epcm_epoch_stripe *s, uint32_t idx)
{
	uint32_t i = epoch_hash(idx, s->cap);

	while (s->key[i] != EPOCH_EMPTY && s->key[i] != idx)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int epoch_grow(struct epcm_epoch_stripe *s)
{
	uint32_t cap = s->cap ? 2 * s->cap : 16;
	struct epcm_epoch_stripe n = { .cap = cap };

	n.key = malloc(cap * sizeof(*n.key));
	n.val = malloc(cap * sizeof(*n.val));
	if (!n.key || !n.val || cap < s->cap) {
		free(n.key);
		free(n.val);
		return -ENOMEM;
	}
	memset(n.key, 0xff, cap * sizeof(*n.key));
	for (uint32_t i = 0; i < s->cap; i++) {
		if (s->key[i] != EPOCH_EMPTY) {
			uint32_t k = epoch_slot(&n, s->key[i]);

			n.key[k] = s->key[i];
			n.val[k] = s->val[i];
		}
	}
	free(s->key);
	free(s->val);
	s->key = n.key;
	s->val = n.val;
	s->cap = cap;
	return 0;
}

/* Delete slot (i), moving later entries of its run back (no tombstones). */
static void epoch_delete(struct epcm_epoch_stripe *s, uint32_t i)
{
	uint32_t j = i;

	s->key[i] = EPOCH_EMPTY;
	s->nr--;
	for (;;) {
		uint32_t home;

		j = (j + 1) & (s->cap - 1);
		if (s->key[j] == EPOCH_EMPTY)
			return;
		home = epoch_hash(s->key[j], s->cap);
		/* Move (j) to the hole (i) unless its home lies cyclically in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			s->key[i] = s->key[j];
			s->val[i] = s->val[j];
			s->key[j] = EPOCH_EMPTY;
			i = j;
		}
	}
}

static uint32_t entry_index(const struct hw_processor *p, const struct hw_epcm_entry *e)
{
	return (uint32_t)(e - p->epcm);
}

static struct epcm_epoch_stripe *entry_stripe(struct hw_processor *p, uint32_t idx)
{
	return &p->epochs->stripe[idx % EPOCH_STRIPES];
}

uint64_t epcm_epoch_side(struct hw_processor *p, const struct hw_epcm_entry *e)
{
	uint32_t idx = entry_index(p, e);
	struct epcm_epoch_stripe *s = entry_stripe(p, idx);
	uint64_t epoch;

	stripe_lock(s);
	epoch = s->val[epoch_slot(s, idx)];
	stripe_unlock(s);
	return epoch;
}

/* Record (idx)'s epoch in the side table, in place if it is there already. */
static int side_put(struct hw_processor *p, uint32_t idx, bool kept, uint64_t epoch)
{
	struct epcm_epoch_stripe *s = entry_stripe(p, idx);
	uint32_t i;
	int r = 0;

	stripe_lock(s);
	/* At most half full, so that probes stay short. */
	if (!kept && 2 * (s->nr + 1) > s->cap) {
		r = epoch_grow(s);
		if (r)
			goto out;
	}
	i = epoch_slot(s, idx);
	if (!kept) {
		s->key[i] = idx;
		s->nr++;
	}
	s->val[i] = epoch;
out:
	stripe_unlock(s);
	return r;
}

static void side_drop(struct hw_processor *p, uint32_t idx)
{
	struct epcm_epoch_stripe *s = entry_stripe(p, idx);

	stripe_lock(s);
	epoch_delete(s, epoch_slot(s, idx));
	stripe_unlock(s);
}

static void tag_set(struct hw_epcm_entry *e, unsigned int tag)
{
	busy_bits_set(e, (unsigned char)(tag << EPCM_BUSY_TAG_SHIFT),
		      (unsigned char)(0xfu << EPCM_BUSY_TAG_SHIFT));
}

/*
 * The new stamp is taken before the old one is dropped, so that a failure
 * (the side table cannot grow) leaves the page as it was.
 */
int epcm_set_epoch(struct hw_processor *p, struct hw_enclave *encl, struct hw_epcm_entry *e,
		   uint64_t epoch)
{
	unsigned int old = epcm_epoch_tag(e), tag;
	uint32_t idx = entry_index(p, e);
	int r;

	if (epoch == HW_EPOCH_TRACKED) {
		tag = 0;
	} else if (old == EPCM_EPOCH_SIDE) {
		return side_put(p, idx, true, epoch);
	} else {
		tag = class_get(encl, epoch);
		if (!tag) {
			r = side_put(p, idx, false, epoch);
			if (r)
				return r;
			tag = EPCM_EPOCH_SIDE;
		}
	}
	if (old == EPCM_EPOCH_SIDE)
		side_drop(p, idx);
	else if (old)
		class_put(encl, old);
	if (tag != old)
		tag_set(e, tag);
	return 0;
}

static int epochs_create(struct hw_processor *p)
{
	p->epochs = calloc(1, sizeof(*p->epochs));
	if (!p->epochs)
		return -ENOMEM;
	for (unsigned int i = 0; i < EPOCH_STRIPES; i++)
		atomic_flag_clear(&p->epochs->stripe[i].lock);
	return 0;
}

/* Forget every epoch in the side table (the entries' tags go with the EPCM, the classes with their
 * enclaves). */
static void epochs_clear(struct hw_processor *p)
{
	for (unsigned int i = 0; p->epochs && i < EPOCH_STRIPES; i++) {
		struct epcm_epoch_stripe *s = &p->epochs->stripe[i];

		free(s->key);
		free(s->val);
		s->key = NULL;
		s->val = NULL;
		s->cap = s->nr = 0;
	}
}

static void epochs_destroy(struct hw_processor *p)
{
	if (!p->epochs)
		return;
	epochs_clear(p);
	free(p->epochs);
	p->epochs = NULL;
}

/*
 * Anonymous memory reads as zeros (for the EPCM: invalid, idle entries) and
 * the host backs it only where written, so a terabyte of EPC costs nothing
 * until its pages are used.
 */
static void *map_lazy(size_t len)
{
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return map == MAP_FAILED ? NULL : map;
}

int epcm_create(struct hw_processor *p)
{
	p->epcm_map_len = p->nr_pages * sizeof(struct hw_epcm_entry);
	p->contents_map_len = p->nr_pages * SGX_PAGE_SIZE;
	p->epcm = map_lazy(p->epcm_map_len);
	p->contents = map_lazy(p->contents_map_len);
	p->epcm_touched =
	    calloc((p->nr_pages >> (HW_EPCM_TOUCHED_SHIFT + 6)) + 1, sizeof(*p->epcm_touched));
	if (!p->epcm || !p->contents || !p->epcm_touched || epochs_create(p)) {
		epcm_destroy(p);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < p->nr_sections; i++) {
		struct hw_section *s = &p->sections[i];
		void *caller = p->desc.sections[i].contents;

		s->caller_contents = caller != NULL;
		s->contents = caller ? caller : p->contents + s->first * SGX_PAGE_SIZE;
	}
	pthread_mutex_init(&p->enclaves_lock, NULL);
	return 0;
}

/*
 * Our own contents go back to the host at once. The caller's may be shared
 * memory, where dropping pages would not zero them: zero what was written.
 */
static void section_clear(struct hw_processor *p, struct hw_section *s)
{
	if (!s->caller_contents) {
		madvise(s->contents, s->pages * SGX_PAGE_SIZE, MADV_DONTNEED);
		return;
	}
	for (uint64_t i = 0; i < s->pages; i++) {
		if (!epcm_untouched(p, s->first + i) && (p->epcm[s->first + i].flags & EPCM_HELD)) {
			memset(s->contents + i * SGX_PAGE_SIZE, 0, SGX_PAGE_SIZE);
			epcm_written(p, s->first + i);
		}
	}
}

void epcm_clear(struct hw_processor *p)
{
	while (p->enclave_list)
		epcm_enclave_free(p, p->enclave_list);
	for (unsigned int i = 0; i < p->nr_sections; i++)
		section_clear(p, &p->sections[i]);
	/* Dropping the pages gives them back to the host and reads zeros again. */
	madvise(p->epcm, p->epcm_map_len, MADV_DONTNEED);
	memset((void *)p->epcm_touched, 0,
	       ((p->nr_pages >> (HW_EPCM_TOUCHED_SHIFT + 6)) + 1) * sizeof(*p->epcm_touched));
	epochs_clear(p);
	atomic_store(&p->valid_pages, 0);
	atomic_store(&p->materialized, 0);
	atomic_store(&p->enclaves, 0);
}

void epcm_destroy(struct hw_processor *p)
{
	if (p->epcm && p->contents)
		epcm_clear(p);
	if (p->epcm)
		munmap(p->epcm, p->epcm_map_len);
	if (p->contents)
		munmap(p->contents, p->contents_map_len);
	p->epcm = NULL;
	p->contents = NULL;
	free((void *)p->epcm_touched);
	p->epcm_touched = NULL;
	epochs_destroy(p);
}

uint8_t *epcm_contents(struct hw_processor *p, uint64_t idx)
{
	const struct hw_section *s = p->sections;

	while (idx - s->first >= s->pages)
		s++;
	return s->contents + (idx - s->first) * SGX_PAGE_SIZE;
}

void epcm_written(struct hw_processor *p, uint64_t idx)
{
	if (p->epc_written)
		p->epc_written(p->epc_written_opaque, epcm_pa(p, idx), SGX_PAGE_SIZE);
}

static bool page_is_zero(const uint8_t *b)
{
	uint64_t acc = 0;

	/* Nearly every page with contents differs early; zero pages are read once. */
	for (size_t i = 0; i < SGX_PAGE_SIZE; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, sizeof(w));
		acc |= w;
		if (acc)
			return false;
	}
	return true;
}

uint8_t *epcm_materialize(struct hw_processor *p, uint64_t idx)
{
	struct hw_epcm_entry *e = epcm_entry(p, idx);

	if (!(e->flags & EPCM_HELD)) {
		e->flags |= EPCM_HELD;
		atomic_fetch_add_explicit(&p->materialized, 1, memory_order_relaxed);
	}
	return epcm_contents(p, idx);
}

void epcm_set_contents(struct hw_processor *p, uint64_t idx, const void *src)
{
	struct hw_epcm_entry *e = epcm_entry(p, idx);

	if (page_is_zero(src)) {
		if (e->flags & EPCM_HELD)
			memset(epcm_contents(p, idx), 0, SGX_PAGE_SIZE);
	} else {
		memcpy(epcm_materialize(p, idx), src, SGX_PAGE_SIZE);
	}
	epcm_written(p, idx);
}

void epcm_validate(struct hw_processor *p, struct hw_epcm_entry *e, unsigned int pt, uint16_t flags)
{
	if (!(e->flags & EPCM_VALID))
		atomic_fetch_add_explicit(&p->valid_pages, 1, memory_order_relaxed);
	e->pt = (uint8_t)pt;
	e->flags = (uint16_t)(flags | EPCM_VALID | (e->flags & EPCM_HELD));
	busy_bits_set(e, EPCM_BUSY_VALID, 0);
}

void epcm_invalidate(struct hw_processor *p, struct hw_epcm_entry *e)
{
	if (e->flags & EPCM_VALID)
		atomic_fetch_sub_explicit(&p->valid_pages, 1, memory_order_relaxed);
	e->flags &= EPCM_HELD;
	/* Only stamped children have a tag; dropping it never fails. */
	if (epcm_epoch_tag(e))
		epcm_drop_epoch(p, epcm_child_enclave(p, e), e);
	busy_bits_set(e, 0, EPCM_BUSY_VALID);
}

struct hw_enclave *epcm_enclave_alloc(void)
{
	/* Aligned for the tracking word's cache line (a size is a multiple of its alignment). */
	struct hw_enclave *encl = aligned_alloc(_Alignof(struct hw_enclave), sizeof(*encl));

	if (!encl)
		return NULL;
	memset(encl, 0, sizeof(*encl));
	encl->mrenclave = crypto_sha256_new();
	if (!encl->mrenclave) {
		free(encl);
		return NULL;
	}
	pthread_mutex_init(&encl->track_lock, NULL);
	return encl;
}

void epcm_enclave_link(struct hw_processor *p, struct hw_enclave *encl)
{
	encl->proc = p;
	pthread_mutex_lock(&p->enclaves_lock);
	encl->next = p->enclave_list;
	if (encl->next)
		encl->next->prev = encl;
	p->enclave_list = encl;
	pthread_mutex_unlock(&p->enclaves_lock);
	atomic_fetch_add(&p->enclaves, 1);
	/* The SECS page's contents are held in host memory, with the enclave. */
	atomic_fetch_add(&p->materialized, 1);
}

static void enclave_unlink(struct hw_processor *p, struct hw_enclave *encl)
{
	pthread_mutex_lock(&p->enclaves_lock);
	if (encl->prev)
		encl->prev->next = encl->next;
	else if (p->enclave_list == encl)
		p->enclave_list = encl->next;
	else
		goto out; /* never linked */
	if (encl->next)
		encl->next->prev = encl->prev;
	atomic_fetch_sub(&p->enclaves, 1);
	atomic_fetch_sub(&p->materialized, 1);
out:
	pthread_mutex_unlock(&p->enclaves_lock);
}

void epcm_enclave_free(struct hw_processor *p, struct hw_enclave *encl)
{
	if (!encl)
		return;
	enclave_unlink(p, encl);
	crypto_sha256_free(encl->mrenclave);
	pthread_mutex_destroy(&encl->track_lock);
	free(encl);
}
