/* SPDX-License-Identifier: MIT */
/*
 * Enclaves in the guest: loading an SGXS stream with its SIGSTRUCT as
 * Linux's driver and a user-space loader together do (ECREATE, EADD +
 * EEXTEND per record, the LE hash MSRs, EINIT), building synthetic ones
 * (generated as an SGXS stream, measured and signed the same way), tearing
 * them down, and what the guest knows of them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-int.h"
#include "vsgx/crypto.h"
#include "vsgx/loader.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

struct genclave *guest_enclave_find(struct guest *g, const char *name)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		if (!strcmp(g->encl[i]->name, name))
			return g->encl[i];
	}
	return NULL;
}

int64_t guest_enclave_rw_page(const struct genclave *e)
{
	for (uint64_t p = 0; p < e->nr_pages; p++) {
		const struct gpage *pg = &e->pages[p];

		if (pg->state != GP_ABSENT && pg->type == SGX_PT_REG && !pg->dynamic && !pg->ssa &&
		    (pg->perm & SGX_SECINFO_W))
			return (int64_t)p;
	}
	return -1;
}

int guest_enclave_get(struct guest *g, const char *name, struct genclave **ret, char *why,
		      size_t why_len)
{
	int r = guest_ready(g, why, why_len);

	if (r)
		return r;
	*ret = guest_enclave_find(g, name);
	if (!*ret)
		return guest_why(why, why_len, -ENOENT, "the guest has no enclave '%s'", name);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Teardown                                                               */
/* ---------------------------------------------------------------------- */

static void enclave_unlink(struct guest *g, struct genclave *e)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		if (g->encl[i] == e) {
			memmove(&g->encl[i], &g->encl[i + 1], (g->nr_encl - i - 1) * sizeof(e));
			g->nr_encl--;
			break;
		}
	}
	free(e->pages);
	free(e);
}

/* Give back the VA slot and backing store of an evicted page. */
static void page_forget_backing(struct guest *g, struct gpage *p)
{
	guest_va_put(g, p->va);
	guest_backing_put(g, p->slot);
}

int guest_epc_remove(struct guest *g, uint64_t epc)
{
	int r = guest_encls(g, SGX_EREMOVE, 0, epc, 0);

	if (r < 0)
		return r;
	if (r)
		g->st.leaked++;
	else
		guest_epc_free(g, epc);
	return 0;
}

int guest_enclave_teardown(struct guest *g, struct genclave *e)
{
	int r;

	for (uint64_t i = 0; i < e->nr_pages; i++) {
		struct gpage *p = &e->pages[i];

		if (p->state == GP_RESIDENT) {
			r = guest_epc_remove(g, p->epc);
			if (r)
				return r;
		} else if (p->state == GP_EVICTED) {
			page_forget_backing(g, p);
		}
		p->state = GP_ABSENT;
	}
	/* The SECS goes last: its children pin it until then. */
	r = guest_epc_remove(g, e->secs);
	if (r)
		return r;
	enclave_unlink(g, e);
	return 0;
}

int guest_enclave_destroy(struct guest *g, const char *name, char *why, size_t why_len)
{
	struct genclave *e = NULL;
	char text[256];
	int r;

	r = guest_enclave_get(g, name, &e, why, why_len);
	if (r)
		return r;
	guest_threads_sync(g);
	for (unsigned int t = 0; t < e->nr_threads; t++) {
		if (e->threads[t].inside)
			return guest_why(why, why_len, -EBUSY,
					 "thread %u of enclave '%s' is inside it; exit it first", t,
					 name);
	}
	r = guest_enclave_teardown(g, e);
	if (r)
		return guest_why(why, why_len, r,
				 "tearing '%s' down stopped part way (the rest stays): %s", name,
				 guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Loading an SGXS stream                                                 */
/* ---------------------------------------------------------------------- */

/* The loader's EPC pages, recorded in the order it takes them (SECS, then each EADD). */
struct load_ctx {
	struct guest *g;
	struct genclave *e;
	uint64_t *epc;
	size_t nr, cap;
	int alloc_err;
};

static int load_epc_alloc(void *opaque, uint64_t *ret_pa)
{
	struct load_ctx *c = opaque;
	int r;

	if (c->nr == c->cap)
		return -ENOSPC;
	r = guest_epc_alloc(c->g, c->e, ret_pa);
	if (r) {
		c->alloc_err = r;
		return -ENOSPC;
	}
	c->epc[c->nr++] = *ret_pa;
	return 0;
}

static int load_encls(void *opaque, struct hw_regs *regs)
{
	struct load_ctx *c = opaque;

	return vmm_vcpu_encls(guest_kernel_vcpu(c->g), regs);
}

/* An ELRANGE for (size) bytes, aligned to its size, after every other enclave's. */
static uint64_t enclave_base(struct guest *g, uint64_t size)
{
	uint64_t end = GUEST_ELRANGE_BASE;

	for (unsigned int i = 0; i < g->nr_encl; i++) {
		if (g->encl[i]->base + g->encl[i]->size > end)
			end = g->encl[i]->base + g->encl[i]->size;
	}
	return (end + size - 1) / size * size;
}

/*
 * SIZE comes from a file: check it against what ECREATE would accept (the
 * MaxEnclaveSize in the guest's CPUID) and against the room left in the
 * user half of the address space before the guest allocates a record for
 * each page of it.
 */
static int enclave_size_check(struct guest *g, uint64_t size, const struct sgx_sigstruct *sig,
			      char *why, size_t why_len)
{
	bool mode64 = sig->attributes.flags & SGX_ATTR_MODE64BIT;
	unsigned int max = mode64 ? g->max_size64 : g->max_size32;

	if (max < 64 && size > 1ULL << max)
		return guest_why(why, why_len, -EFBIG,
				 "ECREATE SIZE 0x%llx is more than 0x%llx (2^%u), the largest "
				 "%s-bit enclave the guest's CPUID allows (leaf 0x12, EDX)",
				 (unsigned long long)size, 1ULL << max, max, mode64 ? "64" : "32");
	if (enclave_base(g, size) + size > GUEST_ELRANGE_END)
		return guest_why(why, why_len, -ENOSPC,
				 "ECREATE SIZE 0x%llx does not fit in the guest's address space "
				 "after its other enclaves (ELRANGEs end at 0x%llx)",
				 (unsigned long long)size, GUEST_ELRANGE_END);
	return 0;
}

static struct genclave *enclave_new(struct guest *g, const char *name, uint64_t size)
{
	struct genclave *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->size = size;
	e->base = enclave_base(g, size);
	e->nr_pages = size / SGX_PAGE_SIZE;
	e->pages = calloc(e->nr_pages, sizeof(*e->pages));
	if (!e->pages) {
		free(e);
		return NULL;
	}
	return e;
}

/* A TCS's first measured chunk names its SSA frames: mark them as the processor's. */
static void load_mark_ssa(struct genclave *e, const struct sgxs *s, const struct sgxs_record *rec)
{
	uint64_t ossa, first, nr;
	uint32_t nssa;

	if (rec->offset % SGX_PAGE_SIZE || e->pages[rec->offset / SGX_PAGE_SIZE].type != SGX_PT_TCS)
		return;
	/* The stream's bytes carry no alignment: copy the fields out. */
	memcpy(&ossa, rec->data + offsetof(struct sgx_tcs, ossa), sizeof(ossa));
	memcpy(&nssa, rec->data + offsetof(struct sgx_tcs, nssa), sizeof(nssa));
	first = ossa / SGX_PAGE_SIZE;
	nr = (uint64_t)nssa * s->ssa_frame_size;
	for (uint64_t p = first; p < e->nr_pages && p - first < nr; p++)
		e->pages[p].ssa = true;
}

/* Fold a measured chunk into its page's digest, for guest_enclave_verify(). */
static void load_note_chunk(struct genclave *e, const struct sgxs_record *rec)
{
	struct gpage *p = &e->pages[rec->offset / SGX_PAGE_SIZE];

	p->digest ^= guest_chunk_digest(rec->offset, rec->data);
	p->chunks++;
}

/* Map each EADDed page where the loader put it; note the TCSs as threads and their SSAs. */
static void load_map_pages(struct load_ctx *c, const struct sgxs *s)
{
	struct genclave *e = c->e;
	struct sgxs_record rec;
	size_t pos = 0, k = 1;

	e->secs = c->epc[0];
	while (sgxs_next(s, &pos, &rec) == 1) {
		struct gpage *p;

		if (rec.type == SGXS_EEXTEND) {
			load_mark_ssa(e, s, &rec);
			load_note_chunk(e, &rec);
		}
		if (rec.type != SGXS_EADD || k >= c->nr)
			continue;
		p = &e->pages[rec.offset / SGX_PAGE_SIZE];
		p->state = GP_RESIDENT;
		p->epc = c->epc[k++];
		p->type = SGX_SECINFO_TO_PT(rec.secinfo_flags);
		p->perm = rec.secinfo_flags & SGX_SECINFO_PERM_MASK;
		if (p->type == SGX_PT_TCS && e->nr_threads < GUEST_MAX_THREADS)
			e->threads[e->nr_threads++].tcs =
			    (unsigned int)(rec.offset / SGX_PAGE_SIZE);
	}
}

/* Give back what a failed build took; the pages EREMOVE cleans whatever they hold. */
static void load_undo(struct load_ctx *c)
{
	for (size_t i = c->nr; i-- > 0;) {
		guest_encls(c->g, SGX_EREMOVE, 0, c->epc[i], 0);
		guest_epc_free(c->g, c->epc[i]);
	}
}

/*
 * With flexible launch control the kernel makes (mrsigner) the trusted
 * signer: the enclave's own, or the launch enclave's whose token it carries.
 */
static int load_lehash(struct guest *g, const uint8_t mrsigner[32])
{
	struct vmm_vcpu *vcpu = guest_kernel_vcpu(g);

	if (!g->flc)
		return 0;
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v;
		int r;

		memcpy(&v, mrsigner + 8 * i, 8);
		r = vmm_vcpu_wrmsr(vcpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, v);
		if (r)
			return r;
	}
	return 0;
}

/* EINIT, with a token from (le) when there is one. */
static int load_einit(struct guest *g, const struct loader_env *env, struct genclave *e,
		      const struct sgx_sigstruct *sig, struct genclave *le, char *why,
		      size_t why_len)
{
	struct sgx_einittoken token;
	uint8_t signer[32];
	char text[256];
	int r;

	memset(&token, 0, sizeof(token));
	if (le) {
		struct sgx_attributes attr = { .flags = e->attributes,
					       .xfrm = sig->attributes.xfrm };

		r = guest_le_mint(g, le, sig, &attr, &token, why, why_len);
		if (r)
			return r;
		memcpy(signer, le->mrsigner, sizeof(signer));
	} else if (sigstruct_mrsigner(sig, signer)) {
		return -ENOMEM;
	}
	r = load_lehash(g, signer);
	if (!r)
		r = loader_einit(env, e->secs, sig, &token);
	if (!r)
		return 0;
	return guest_why(why, why_len, r < 0 ? r : -EIO, "EINIT of '%s'%s%s%s gave %s", e->name,
			 le ? " with a token from '" : "", le ? le->name : "", le ? "'" : "",
			 guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
}

static int load_build(struct guest *g, struct load_ctx *c, const struct sgxs *s,
		      const struct sgx_sigstruct *sig, struct genclave *le, char *why,
		      size_t why_len)
{
	void *scratch = guest_ram(g, GUEST_SCRATCH, LOADER_SCRATCH_PAGES * SGX_PAGE_SIZE);
	struct loader_env env = { load_encls, c, scratch, GUEST_SCRATCH, load_epc_alloc, c };
	struct loader_result lr;
	struct sgx_secs secs;
	char text[256];
	int r;

	if (!scratch)
		return guest_why(why, why_len, -ENOMEM, "the guest has too little RAM");
	loader_secs_init(&secs, s, sig, c->e->base);
	c->e->attributes = secs.attributes.flags;
	r = loader_build(&env, s, &secs, &lr);
	if (r == -ENOSPC && c->alloc_err)
		return guest_why(why, why_len, c->alloc_err,
				 "the guest's EPC is full and nothing can be evicted");
	if (r < 0)
		return guest_why(why, why_len, r, "building '%s' failed: %s", c->e->name,
				 guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
	if (r)
		return guest_why(
		    why, why_len, lr.result < 0 ? lr.result : -EIO,
		    "%s of '%s' (SGXS record %zu) gave %s", lr.leaf, c->e->name, lr.record,
		    guest_result_text(lr.result, guest_kernel_vcpu(g), text, sizeof(text)));
	load_map_pages(c, s);
	return load_einit(g, &env, c->e, sig, le, why, why_len);
}

static int enclave_load(struct guest *g, const char *name, const struct sgxs *s,
			const struct sgx_sigstruct *sig, const struct guest_launch *how, char *why,
			size_t why_len)
{
	struct load_ctx c = { .g = g };
	struct genclave *le = NULL;
	int r;

	r = guest_ready(g, why, why_len);
	if (r)
		return r;
	if (strlen(name) >= GUEST_ENCLAVE_NAME_MAX)
		return guest_why(why, why_len, -EINVAL,
				 "an enclave's name has at most %d characters, not %zu",
				 GUEST_ENCLAVE_NAME_MAX - 1, strlen(name));
	if (guest_enclave_find(g, name))
		return guest_why(why, why_len, -EEXIST, "the guest has an enclave '%s' already",
				 name);
	if (g->nr_encl == GUEST_MAX_ENCLAVES)
		return guest_why(why, why_len, -ENOSPC, "the guest runs %d enclaves, its most",
				 GUEST_MAX_ENCLAVES);
	if (how && how->le) {
		le = guest_enclave_find(g, how->le);
		if (!le)
			return guest_why(why, why_len, -ENOENT,
					 "the guest has no launch enclave '%s'", how->le);
	}
	r = enclave_size_check(g, s->size, sig, why, why_len);
	if (r)
		return r;
	c.e = enclave_new(g, name, s->size);
	c.cap = s->nr_eadd + 1;
	c.epc = calloc(c.cap, sizeof(*c.epc));
	if (!c.e || !c.epc) {
		r = -ENOMEM;
		goto out;
	}
	r = load_build(g, &c, s, sig, le, why, why_len);
	if (r) {
		load_undo(&c);
		goto out;
	}
	memcpy(c.e->mrenclave, sig->enclave_hash, sizeof(c.e->mrenclave));
	guest_va_reserve(g);
	sigstruct_mrsigner(sig, c.e->mrsigner);
	g->encl[g->nr_encl++] = c.e;
	c.e = NULL;
out:
	if (c.e) {
		free(c.e->pages);
		free(c.e);
	}
	free(c.epc);
	return r;
}

int guest_enclave_load(struct guest *g, const char *name, const struct sgxs *sgxs,
		       const struct sgx_sigstruct *sig, const struct guest_launch *how, char *why,
		       size_t why_len)
{
	return enclave_load(g, name, sgxs, sig, how, why, why_len);
}

/* ---------------------------------------------------------------------- */
/* Synthetic enclaves                                                     */
/* ---------------------------------------------------------------------- */

#define REC_LEN	  64
#define CHUNK_LEN 256
#define SYN_NSSA  2
/* Per thread: its TCS and NSSA one-page SSA frames. */
#define SYN_THREAD_PAGES (1 + SYN_NSSA)

struct synth {
	uint8_t *buf;
	size_t len, cap;
};

static uint8_t *synth_record(struct synth *s, const char *tag, size_t len)
{
	uint8_t *rec = s->buf + s->len;

	memset(rec, 0, len);
	memcpy(rec, tag, strlen(tag));
	s->len += len;
	return rec;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* EADD of one page at (offset) and EEXTENDs of all of it. */
static void synth_page(struct synth *s, uint64_t offset, uint64_t flags, const uint8_t *page)
{
	uint8_t *rec = synth_record(s, "EADD", REC_LEN);

	put64(rec + 8, offset);
	put64(rec + 16, flags);
	for (uint64_t c = 0; c < SGX_PAGE_SIZE; c += CHUNK_LEN) {
		rec = synth_record(s, "EEXTEND", REC_LEN + CHUNK_LEN);
		put64(rec + 8, offset + c);
		memcpy(rec + REC_LEN, page + c, CHUNK_LEN);
	}
}

static void synth_tcs(struct synth *s, unsigned int t, uint64_t code_page, uint8_t *page)
{
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;
	uint64_t first = (uint64_t)t * SYN_THREAD_PAGES;

	memset(page, 0, SGX_PAGE_SIZE);
	tcs->ossa = (first + 1) * SGX_PAGE_SIZE;
	tcs->nssa = SYN_NSSA;
	tcs->oentry = code_page * SGX_PAGE_SIZE;
	synth_page(s, first * SGX_PAGE_SIZE, SGX_SECINFO_PT(SGX_PT_TCS), page);
	memset(page, 0, SGX_PAGE_SIZE);
	for (unsigned int f = 0; f < SYN_NSSA; f++)
		synth_page(s, (first + 1 + f) * SGX_PAGE_SIZE,
			   SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W, page);
}

/*
 * The stream of a synthetic enclave: per thread a TCS and its SSA frames,
 * one code page (RX, 0xcc), then RW data pages, each filled with its index.
 */
static int synth_stream(struct synth *s, uint64_t pages, unsigned int threads, uint64_t size)
{
	uint64_t code = (uint64_t)threads * SYN_THREAD_PAGES;
	uint8_t page[SGX_PAGE_SIZE];
	uint8_t *rec;

	s->cap = REC_LEN + pages * (REC_LEN + 16 * (REC_LEN + CHUNK_LEN));
	s->buf = malloc(s->cap);
	if (!s->buf)
		return -ENOMEM;
	rec = synth_record(s, "ECREATE", REC_LEN);
	memcpy(rec + 8, &(uint32_t){ 1 }, 4);
	put64(rec + 12, size);
	for (unsigned int t = 0; t < threads; t++)
		synth_tcs(s, t, code, page);
	memset(page, 0xcc, sizeof(page));
	synth_page(s, code * SGX_PAGE_SIZE,
		   SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_X, page);
	for (uint64_t i = code + 1; i < pages; i++) {
		memset(page, (int)(i & 0xff), sizeof(page));
		synth_page(s, i * SGX_PAGE_SIZE,
			   SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W, page);
	}
	return 0;
}

/* ELRANGE twice the pages, rounded up to a power of two: room for SGX2 growth. */
static uint64_t synth_size(uint64_t pages)
{
	uint64_t size = 2 * SGX_PAGE_SIZE;

	while (size < 2 * pages * SGX_PAGE_SIZE)
		size <<= 1;
	return size;
}

static int synth_sign(const struct sgxs *sx, const struct crypto_rsa_key *key,
		      const struct guest_launch *how, struct sgx_sigstruct *sig)
{
	struct sigstruct_params params;
	uint8_t mrenclave[32];

	if (sgxs_measure(sx, mrenclave))
		return -ENOMEM;
	sigstruct_params_init_default(&params);
	params.date = 0x20260101;
	if (how && how->debug)
		params.attributes.flags |= SGX_ATTR_DEBUG;
	if (how && how->launch_key)
		params.attributes.flags |= SGX_ATTR_EINITTOKENKEY;
	return sigstruct_sign(&params, mrenclave, key, sig) ? -ENOMEM : 0;
}

int guest_enclave_build(struct guest *g, const char *name, uint64_t pages, unsigned int threads,
			const struct crypto_rsa_key *key, const struct guest_launch *how, char *why,
			size_t why_len)
{
	struct synth s = { 0 };
	struct sgx_sigstruct sig;
	struct sgxs sx;
	int r;

	r = guest_ready(g, why, why_len);
	if (r)
		return r;
	if (!threads || threads > GUEST_MAX_THREADS ||
	    pages < (uint64_t)threads * SYN_THREAD_PAGES + 1 || pages > (1ULL << 24))
		return guest_why(
		    why, why_len, -EINVAL,
		    "a synthetic enclave has 1 to %d threads and 3 pages per thread and "
		    "one of code at least (%u thread%s: %llu pages or more)",
		    GUEST_MAX_THREADS, threads, threads == 1 ? "" : "s",
		    (unsigned long long)threads * SYN_THREAD_PAGES + 1);
	if (how && how->launch_key && pages < (uint64_t)threads * SYN_THREAD_PAGES + 2)
		return guest_why(
		    why, why_len, -EINVAL,
		    "a launch enclave needs a data page to work in: %llu pages or more",
		    (unsigned long long)threads * SYN_THREAD_PAGES + 2);
	/*
	 * The guest does not evict an enclave it is still building, so one
	 * larger than its EPC can never finish: say so before generating a
	 * stream of some 5 KiB per page.
	 */
	if (pages + 1 > g->nr_epc)
		return guest_why(why, why_len, -ENOSPC,
				 "an enclave of %llu pages and its SECS cannot fit in the guest's "
				 "%llu EPC pages",
				 (unsigned long long)pages, (unsigned long long)g->nr_epc);
	r = synth_stream(&s, pages, threads, synth_size(pages));
	if (!r)
		r = sgxs_parse(s.buf, s.len, &sx, why, why_len);
	if (!r)
		r = synth_sign(&sx, key, how, &sig);
	if (!r)
		r = enclave_load(g, name, &sx, &sig, how, why, why_len);
	free(s.buf);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */
/* ---------------------------------------------------------------------- */

int guest_enclave_query(struct guest *g, const char *name, struct guest_enclave_info *ret)
{
	struct genclave *e = guest_enclave_find(g, name);

	if (!e)
		return -ENOENT;
	guest_threads_sync(g);
	memset(ret, 0, sizeof(*ret));
	ret->state = e->lost ? GUEST_ENCLAVE_LOST : GUEST_ENCLAVE_ALIVE;
	ret->base = e->base;
	ret->size = e->size;
	ret->threads = e->nr_threads;
	ret->pages = 1;
	ret->resident = 1;
	for (uint64_t i = 0; i < e->nr_pages; i++) {
		ret->pages += e->pages[i].state != GP_ABSENT;
		ret->resident += e->pages[i].state == GP_RESIDENT;
		ret->evicted += e->pages[i].state == GP_EVICTED;
	}
	for (unsigned int t = 0; t < e->nr_threads; t++)
		ret->inside += e->threads[t].inside;
	memcpy(ret->mrenclave, e->mrenclave, sizeof(ret->mrenclave));
	memcpy(ret->mrsigner, e->mrsigner, sizeof(ret->mrsigner));
	return 0;
}
