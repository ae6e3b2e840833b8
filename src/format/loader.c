/* SPDX-License-Identifier: MIT */
#include "vsgx/loader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/encls.h"
#include "vsgx/sgxs.h"

/* Scratch layout: a source page, a SECS/SIGSTRUCT page, then small operands. */
#define SCRATCH_SRC	 0
#define SCRATCH_BIG	 SGX_PAGE_SIZE
#define SCRATCH_PAGEINFO (2 * SGX_PAGE_SIZE)
#define SCRATCH_SECINFO	 (SCRATCH_PAGEINFO + 64)
#define SCRATCH_TOKEN	 (SCRATCH_PAGEINFO + 512)

/* A 64-bit enclave sits at 1 TiB, or its own size if larger. */
#define LOADER_BASE_64 (1ULL << 40)

struct loader_page {
	uint64_t offset;
	uint64_t pa;
	uint8_t bytes[SGX_PAGE_SIZE];
};

/* The pages of an enclave being built, with the contents its stream measures. */
struct loader_pages {
	struct loader_page *v;
	size_t n;
};

uint64_t loader_default_base(uint64_t size, bool mode64)
{
	if (!mode64)
		return size;
	return size > LOADER_BASE_64 ? size : LOADER_BASE_64;
}

void loader_secs_init(struct sgx_secs *secs, const struct sgxs *s, const struct sgx_sigstruct *sig,
		      uint64_t base)
{
	memset(secs, 0, sizeof(*secs));
	secs->size = s->size;
	secs->base = base;
	secs->ssa_frame_size = s->ssa_frame_size;
	secs->miscselect = sig->miscselect;
	secs->attributes.flags = sig->attributes.flags & ~SGX_ATTR_INIT;
	secs->attributes.xfrm = sig->attributes.xfrm;
}

static int issue(const struct loader_env *env, unsigned int leaf, uint64_t rbx, uint64_t rcx,
		 uint64_t rdx)
{
	struct hw_regs regs = { .rax = leaf, .rbx = rbx, .rcx = rcx, .rdx = rdx };

	return env->encls(env->leaf_opaque, &regs);
}

static uint8_t *scratch(const struct loader_env *env, size_t off)
{
	return (uint8_t *)env->scratch + off;
}

static int page_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct loader_page *)a)->offset;
	uint64_t y = ((const struct loader_page *)b)->offset;

	return x < y ? -1 : x > y;
}

static struct loader_page *pages_find(const struct loader_pages *pages, uint64_t offset)
{
	struct loader_page key = { .offset = offset };

	return bsearch(&key, pages->v, pages->n, sizeof(*pages->v), page_cmp);
}

/*
 * Collect each added page and the bytes its EEXTENDs show it holds: EADD
 * must copy in what the stream later measures.
 */
static int pages_collect(const struct sgxs *s, struct loader_pages *pages)
{
	struct sgxs_record rec;
	size_t pos = 0;

	pages->v = calloc(s->nr_eadd ? s->nr_eadd : 1, sizeof(*pages->v));
	if (!pages->v)
		return -ENOMEM;
	pages->n = 0;
	while (sgxs_next(s, &pos, &rec) == 1) {
		if (rec.type == SGXS_EADD)
			pages->v[pages->n++].offset = rec.offset;
	}
	qsort(pages->v, pages->n, sizeof(*pages->v), page_cmp);
	for (pos = 0; sgxs_next(s, &pos, &rec) == 1;) {
		struct loader_page *pg;

		if (rec.type != SGXS_EEXTEND)
			continue;
		pg = pages_find(pages, rec.offset & SGX_PAGE_MASK);
		memcpy(pg->bytes + (rec.offset & ~SGX_PAGE_MASK), rec.data, SGX_EEXTEND_CHUNK);
	}
	return 0;
}

static int build_ecreate(const struct loader_env *env, const struct sgx_secs *secs,
			 struct loader_result *ret)
{
	struct sgx_pageinfo *pi = (void *)scratch(env, SCRATCH_PAGEINFO);
	struct sgx_secinfo *si = (void *)scratch(env, SCRATCH_SECINFO);
	int r;

	r = env->epc_alloc(env->opaque, &ret->secs_pa);
	if (r)
		return r;
	memcpy(scratch(env, SCRATCH_BIG), secs, sizeof(*secs));
	memset(pi, 0, sizeof(*pi));
	memset(si, 0, sizeof(*si));
	pi->srcpge = env->scratch_la + SCRATCH_BIG;
	pi->secinfo = env->scratch_la + SCRATCH_SECINFO;
	si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	ret->base = secs->base;
	ret->nr_pages = 1;
	return issue(env, SGX_ECREATE, env->scratch_la + SCRATCH_PAGEINFO, ret->secs_pa, 0);
}

static int build_eadd(const struct loader_env *env, const struct sgxs_record *rec,
		      struct loader_page *pg, struct loader_result *ret)
{
	struct sgx_pageinfo *pi = (void *)scratch(env, SCRATCH_PAGEINFO);
	struct sgx_secinfo *si = (void *)scratch(env, SCRATCH_SECINFO);
	int r;

	r = env->epc_alloc(env->opaque, &pg->pa);
	if (r)
		return r;
	ret->nr_pages++;
	memcpy(scratch(env, SCRATCH_SRC), pg->bytes, SGX_PAGE_SIZE);
	memset(si, 0, sizeof(*si));
	si->flags = rec->secinfo_flags;
	pi->linaddr = ret->base + rec->offset;
	pi->srcpge = env->scratch_la + SCRATCH_SRC;
	pi->secinfo = env->scratch_la + SCRATCH_SECINFO;
	pi->secs = ret->secs_pa;
	return issue(env, SGX_EADD, env->scratch_la + SCRATCH_PAGEINFO, pg->pa, 0);
}

static int build_record(const struct loader_env *env, const struct sgxs_record *rec,
			const struct loader_pages *pages, struct loader_result *ret)
{
	struct loader_page *pg = pages_find(pages, rec->offset & SGX_PAGE_MASK);

	if (rec->type == SGXS_EADD) {
		ret->leaf = "EADD";
		return build_eadd(env, rec, pg, ret);
	}
	ret->leaf = "EEXTEND";
	return issue(env, SGX_EEXTEND, ret->secs_pa, pg->pa + (rec->offset & ~SGX_PAGE_MASK), 0);
}

static int build_replay(const struct loader_env *env, const struct sgxs *s,
			const struct sgx_secs *secs, const struct loader_pages *pages,
			struct loader_result *ret)
{
	struct sgxs_record rec;
	size_t pos = 0;
	int r;

	ret->leaf = "ECREATE";
	ret->record = 0;
	r = build_ecreate(env, secs, ret);
	for (size_t i = 1; r == 0 && sgxs_next(s, &pos, &rec) == 1; i++) {
		if (rec.type == SGXS_ECREATE)
			continue;
		ret->record = i - 1;
		r = build_record(env, &rec, pages, ret);
	}
	return r;
}

int loader_build(const struct loader_env *env, const struct sgxs *s, const struct sgx_secs *secs,
		 struct loader_result *ret)
{
	struct loader_pages pages;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = pages_collect(s, &pages);
	if (r)
		return r;
	r = build_replay(env, s, secs, &pages, ret);
	free(pages.v);
	if (r < 0)
		return r;
	ret->result = r;
	if (!r)
		ret->leaf = NULL;
	return r ? 1 : 0;
}

int loader_einit(const struct loader_env *env, uint64_t secs_pa, const struct sgx_sigstruct *sig,
		 const struct sgx_einittoken *token)
{
	memcpy(scratch(env, SCRATCH_BIG), sig, sizeof(*sig));
	memcpy(scratch(env, SCRATCH_TOKEN), token, sizeof(*token));
	return issue(env, SGX_EINIT, env->scratch_la + SCRATCH_BIG, secs_pa,
		     env->scratch_la + SCRATCH_TOKEN);
}
