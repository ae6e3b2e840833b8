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

struct hw_epcm_entry *epcm_entry(struct hw_processor *p, uint64_t idx)
{
	return &p->epcm[idx];
}

/* Who holds an entry: a leaf (for its duration) or an access (for a few loads). */
#define BUSY_LEAF   1
#define BUSY_ACCESS 2

static bool busy_take(struct hw_epcm_entry *e, unsigned char as, unsigned char *held)
{
	*held = 0;
	return atomic_compare_exchange_weak_explicit(&e->busy, held, as, memory_order_acquire,
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
	while (!busy_take(e, BUSY_LEAF, &held)) {
		if (held == BUSY_LEAF)
			return false;
		if (held == BUSY_ACCESS)
			sched_yield();
	}
	return true;
}

bool epcm_leaf_busy(const struct hw_epcm_entry *e)
{
	return atomic_load_explicit(&((struct hw_epcm_entry *)e)->busy, memory_order_acquire) ==
	       BUSY_LEAF;
}

void epcm_access_lock(struct hw_epcm_entry *e)
{
	unsigned char held;

	while (!busy_take(e, BUSY_ACCESS, &held)) {
		if (held)
			sched_yield();
	}
}

void epcm_unlock(struct hw_epcm_entry *e)
{
	atomic_store_explicit(&e->busy, 0, memory_order_release);
}

void epcm_lock_wait(struct hw_epcm_entry *e)
{
	unsigned char held;

	while (!busy_take(e, BUSY_LEAF, &held)) {
		if (held)
			sched_yield();
	}
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
	if (!p->epcm || !p->contents) {
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
		if (p->epcm[s->first + i].flags & EPCM_HELD) {
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
}

void epcm_invalidate(struct hw_processor *p, struct hw_epcm_entry *e)
{
	if (e->flags & EPCM_VALID)
		atomic_fetch_sub_explicit(&p->valid_pages, 1, memory_order_relaxed);
	e->flags &= EPCM_HELD;
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
