/* SPDX-License-Identifier: MIT */
/*
 * Checking an enclave's memory from inside it, after its pages went through
 * eviction (by the guest's reclaimer or its balloon driver) and reload:
 * every byte EEXTEND measured at build must read back the same.
 */
#include <errno.h>
#include <string.h>

#include "guest-int.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL
#define CHUNK	   256
/* A page whose every byte EEXTEND measured. */
#define PAGE_CHUNKS  (SGX_PAGE_SIZE / CHUNK)
#define VERIFY_TRIES 4

/* FNV-1a over the chunk's offset and bytes; pages XOR their chunks', so order does not matter. */
uint64_t guest_chunk_digest(uint64_t offset, const uint8_t *data)
{
	uint64_t h = FNV_OFFSET;

	for (unsigned int i = 0; i < 8; i++)
		h = (h ^ ((offset >> (8 * i)) & 0xff)) * FNV_PRIME;
	for (unsigned int i = 0; i < CHUNK; i++)
		h = (h ^ data[i]) * FNV_PRIME;
	return h;
}

static uint64_t page_digest(uint64_t offset, const uint8_t *page)
{
	uint64_t d = 0;

	for (unsigned int c = 0; c < PAGE_CHUNKS; c++)
		d ^= guest_chunk_digest(offset + c * CHUNK, page + c * CHUNK);
	return d;
}

/* Pages whose contents nobody but their builder wrote (the enclave's own writes aside). */
static bool page_checkable(const struct genclave *e, uint64_t i)
{
	const struct gpage *p = &e->pages[i];

	return p->state != GP_ABSENT && p->type == SGX_PT_REG && (p->perm & SGX_SECINFO_R) &&
	       p->chunks == PAGE_CHUNKS && !p->ssa && !p->dynamic && !p->written;
}

/*
 * Read page (i) from inside with thread (t): a #PF on a page the guest
 * evicted is an exception in enclave mode (an AEX), the kernel reloads the
 * page, the thread resumes and reads again.
 */
static int page_read(struct guest *g, struct genclave *e, unsigned int t, uint64_t i, uint8_t *buf,
		     char *why, size_t why_len)
{
	struct vmm_vcpu *vcpu = vmm_vm_vcpu(g->vm, e->threads[t].vcpu);
	uint64_t la = e->base + i * SGX_PAGE_SIZE;
	struct sgx_ssa_gpr gpr;
	int r = 0;

	for (int tries = 0; tries < VERIFY_TRIES; tries++) {
		r = guest_thread_run(g, e, t, e->threads[t].vcpu, why, why_len);
		if (!r)
			r = vmm_vcpu_enclave_read(vcpu, la, buf, SGX_PAGE_SIZE);
		if (r != HW_FAULT(X86_TRAP_PF))
			break;
		memset(&gpr, 0, sizeof(gpr));
		gpr.rip = la;
		vmm_vcpu_interrupt(vcpu, &gpr, X86_TRAP_PF);
		guest_threads_sync(g);
		r = guest_page_load(g, e, i, why, why_len);
		if (r)
			return r;
		r = HW_FAULT(X86_TRAP_PF);
	}
	if (r > 0 || r == HW_FAULT(X86_TRAP_PF))
		return guest_why(why, why_len, -EIO, "thread %u of '%s' cannot read page %llu", t,
				 e->name, (unsigned long long)i);
	return r;
}

static int verify_pages(struct guest *g, struct genclave *e, uint64_t *ret_pages, char *why,
			size_t why_len)
{
	uint8_t buf[SGX_PAGE_SIZE];
	int r;

	for (uint64_t i = 0; i < e->nr_pages; i++) {
		if (!page_checkable(e, i))
			continue;
		r = page_read(g, e, 0, i, buf, why, why_len);
		if (r)
			return r;
		if (page_digest(i * SGX_PAGE_SIZE, buf) != e->pages[i].digest)
			return guest_why(why, why_len, -EIO,
					 "page %llu of '%s' does not read back what was measured",
					 (unsigned long long)i, e->name);
		(*ret_pages)++;
	}
	return 0;
}

int guest_enclave_verify(struct guest *g, const char *name, uint64_t *ret_pages, char *why,
			 size_t why_len)
{
	struct genclave *e = NULL;
	uint64_t pages = 0;
	bool inside;
	int r;

	if (ret_pages)
		*ret_pages = 0;
	r = guest_enclave_get(g, name, &e, why, why_len);
	if (r)
		return r;
	if (e->lost)
		return guest_why(why, why_len, -EIO,
				 "enclave '%s' was lost; destroy and rebuild it", name);
	if (!e->nr_threads)
		return guest_why(why, why_len, -EINVAL, "'%s' has no thread to read it with", name);
	guest_threads_sync(g);
	inside = guest_thread_inside(g, e, 0);
	r = verify_pages(g, e, &pages, why, why_len);
	if (ret_pages)
		*ret_pages = pages;
	return guest_thread_restore(g, e, 0, inside, r, why, why_len);
}
