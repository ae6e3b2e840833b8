/* SPDX-License-Identifier: MIT */
#include "epcm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hw.h"
#include "vsgx/crypto.h"

static const uint8_t zero_page[SGX_PAGE_SIZE];

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

bool epcm_trylock(struct hw_epcm_entry *e)
{
	return !atomic_exchange_explicit(&e->busy, 1, memory_order_acquire);
}

void epcm_unlock(struct hw_epcm_entry *e)
{
	atomic_store_explicit(&e->busy, 0, memory_order_release);
}

int epcm_create(struct hw_processor *p)
{
	size_t len = p->nr_pages * sizeof(struct hw_epcm_entry);
	void *map;

	/*
	 * Anonymous memory reads as zeros (an invalid, idle entry) and is
	 * backed by the host only where written, so a terabyte of EPC costs
	 * nothing until its pages are used.
	 */
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (map == MAP_FAILED)
		return -ENOMEM;
	p->epcm = map;
	p->epcm_map_len = len;
	return 0;
}

static void epcm_free_contents(struct hw_processor *p, struct hw_epcm_entry *e)
{
	if (!e->data)
		return;
	if ((e->flags & EPCM_VALID) && e->pt == SGX_PT_SECS)
		epcm_enclave_free(p, e->data);
	else
		epcm_drop_contents(p, e);
	e->data = NULL;
}

void epcm_clear(struct hw_processor *p)
{
	/* Untouched parts of the map need no walk: nothing was ever held there. */
	if (atomic_load(&p->valid_pages) || atomic_load(&p->materialized)) {
		for (uint64_t i = 0; i < p->nr_pages; i++) {
			struct hw_epcm_entry *e = &p->epcm[i];

			if (e->data || e->flags)
				epcm_free_contents(p, e);
		}
	}
	if (p->epcm)
		madvise(p->epcm, p->epcm_map_len, MADV_DONTNEED);
	atomic_store(&p->valid_pages, 0);
	atomic_store(&p->materialized, 0);
	atomic_store(&p->enclaves, 0);
}

void epcm_destroy(struct hw_processor *p)
{
	if (!p->epcm)
		return;
	epcm_clear(p);
	munmap(p->epcm, p->epcm_map_len);
	p->epcm = NULL;
}

int epcm_set_contents(struct hw_processor *p, struct hw_epcm_entry *e, const void *src)
{
	if (!memcmp(src, zero_page, SGX_PAGE_SIZE)) {
		epcm_drop_contents(p, e);
		return 0;
	}
	if (!epcm_materialize(p, e))
		return -ENOMEM;
	memcpy(e->data, src, SGX_PAGE_SIZE);
	return 0;
}

uint8_t *epcm_materialize(struct hw_processor *p, struct hw_epcm_entry *e)
{
	if (!e->data) {
		e->data = calloc(1, SGX_PAGE_SIZE);
		if (!e->data)
			return NULL;
		atomic_fetch_add(&p->materialized, 1);
	}
	return e->data;
}

void epcm_drop_contents(struct hw_processor *p, struct hw_epcm_entry *e)
{
	if (!e->data)
		return;
	free(e->data);
	e->data = NULL;
	atomic_fetch_sub(&p->materialized, 1);
}

void epcm_validate(struct hw_processor *p, struct hw_epcm_entry *e, unsigned int pt, uint16_t flags)
{
	if (!(e->flags & EPCM_VALID))
		atomic_fetch_add(&p->valid_pages, 1);
	e->pt = (uint8_t)pt;
	e->flags = flags | EPCM_VALID;
}

void epcm_invalidate(struct hw_processor *p, struct hw_epcm_entry *e)
{
	if (e->flags & EPCM_VALID)
		atomic_fetch_sub(&p->valid_pages, 1);
	e->flags = 0;
}

struct hw_enclave *epcm_enclave_alloc(struct hw_processor *p)
{
	struct hw_enclave *encl = calloc(1, sizeof(*encl));

	if (!encl)
		return NULL;
	encl->mrenclave = crypto_sha256_new();
	if (!encl->mrenclave) {
		free(encl);
		return NULL;
	}
	atomic_fetch_add(&p->materialized, 1);
	return encl;
}

void epcm_enclave_free(struct hw_processor *p, struct hw_enclave *encl)
{
	if (!encl)
		return;
	crypto_sha256_free(encl->mrenclave);
	free(encl);
	atomic_fetch_sub(&p->materialized, 1);
}
