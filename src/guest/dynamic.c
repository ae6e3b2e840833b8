/* SPDX-License-Identifier: MIT */
/*
 * SGX2 dynamic memory in the guest, the sequences Linux drives: growing an
 * enclave is EAUG by the kernel then EACCEPT by the enclave; trimming is
 * EMODT to TRIM, ETRACK, EACCEPT by the enclave, then EREMOVE. EACCEPT runs
 * inside the enclave, so a thread (the enclave's first) is entered for it,
 * and its SECINFO is stored in one of the enclave's writable pages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest-int.h"

/*
 * Reload what EACCEPT uses that the guest evicted: the page holding its
 * SECINFO and the first thread's TCS and SSA frames. Done before any change,
 * so a reload that finds no EPC refuses the command with nothing to undo,
 * but after every check that can refuse it: a reload may evict another
 * enclave's pages and interrupt its threads, which a refusal must not do.
 * Later reloads (for other enclaves' work) never evict from (e).
 */
static int dyn_load(struct guest *g, struct genclave *e, char *why, size_t why_len)
{
	int r = guest_page_load(g, e, (uint64_t)guest_enclave_rw_page(e), why, why_len);

	if (!r)
		r = guest_page_load(g, e, e->threads[0].tcs, why, why_len);
	for (uint64_t p = 0; !r && p < e->nr_pages; p++) {
		if (e->pages[p].ssa)
			r = guest_page_load(g, e, p, why, why_len);
	}
	return r;
}

static int dyn_check(struct guest *g, const char *name, struct genclave **ret, char *why,
		     size_t why_len)
{
	int r = guest_enclave_get(g, name, ret, why, why_len);

	if (r)
		return r;
	if (!g->sgx2)
		return guest_why(why, why_len, -EOPNOTSUPP,
				 "the guest's CPUID offers no SGX2: no dynamic enclave memory");
	if ((*ret)->lost)
		return guest_why(why, why_len, -EIO,
				 "enclave '%s' was lost; destroy and rebuild it", name);
	if (!(*ret)->nr_threads || guest_enclave_rw_page(*ret) < 0)
		return guest_why(why, why_len, -EINVAL,
				 "enclave '%s' has no thread or no writable page to EACCEPT from",
				 name);
	return 0;
}

/* Pages of (e)'s ELRANGE with nothing in them: what grow can add. */
static uint64_t dyn_room(const struct genclave *e)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < e->nr_pages; p++)
		n += e->pages[p].state == GP_ABSENT;
	return n;
}

/* The enclave's first thread runs EACCEPT with (flags) on page (page): 0 or an error. */
static int dyn_accept(struct guest *g, struct genclave *e, uint64_t page, uint64_t flags, char *why,
		      size_t why_len)
{
	struct gthread *th = &e->threads[0];
	uint64_t si_la = e->base + (uint64_t)guest_enclave_rw_page(e) * SGX_PAGE_SIZE;
	struct sgx_secinfo si;
	struct hw_regs regs;
	char text[256];
	int r;

	r = guest_thread_run(g, e, 0, th->inside || th->interrupted ? th->vcpu : guest_idle_vcpu(g),
			     why, why_len);
	if (r)
		return r;
	memset(&si, 0, sizeof(si));
	si.flags = flags;
	r = vmm_vcpu_enclave_write(vmm_vm_vcpu(g->vm, th->vcpu), si_la, &si, sizeof(si));
	if (!r) {
		/* Its SECINFO is the enclave's own data now: verify skips the page. */
		e->pages[guest_enclave_rw_page(e)].written = true;
		regs = (struct hw_regs){ .rax = SGX_EACCEPT,
					 .rbx = si_la,
					 .rcx = e->base + page * SGX_PAGE_SIZE };
		r = vmm_vcpu_enclu(vmm_vm_vcpu(g->vm, th->vcpu), &regs);
	}
	if (r)
		return guest_why(
		    why, why_len, r < 0 ? r : -EIO, "EACCEPT in '%s' gave %s", e->name,
		    guest_result_text(r, vmm_vm_vcpu(g->vm, th->vcpu), text, sizeof(text)));
	return 0;
}

static int dyn_eaug(struct guest *g, struct genclave *e, uint64_t page, char *why, size_t why_len)
{
	struct sgx_pageinfo *pi = guest_ram(g, GUEST_OP_PAGEINFO, sizeof(*pi));
	struct gpage *p = &e->pages[page];
	uint64_t epc;
	char text[256];
	int r;

	r = guest_epc_alloc(g, e, &epc);
	if (r)
		return guest_why(why, why_len, r, "the guest's EPC is full");
	memset(pi, 0, sizeof(*pi));
	pi->linaddr = e->base + page * SGX_PAGE_SIZE;
	pi->secs = e->secs;
	r = guest_encls(g, SGX_EAUG, GUEST_OP_PAGEINFO, epc, 0);
	if (r) {
		guest_epc_free(g, epc);
		guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text));
		/* Its SECS is gone: the EPC went away under the guest. */
		if (r == HW_FAULT(X86_TRAP_PF) &&
		    (vmm_vcpu_fault(guest_kernel_vcpu(g))->addr & SGX_PAGE_MASK) == e->secs)
			return guest_enclave_lost(g, e, "EAUG faulted on its SECS", why, why_len);
		return guest_why(why, why_len, r < 0 ? r : -EIO, "EAUG in '%s' gave %s", e->name,
				 text);
	}
	p->state = GP_RESIDENT;
	p->type = SGX_PT_REG;
	p->perm = SGX_SECINFO_R | SGX_SECINFO_W;
	p->dynamic = true;
	p->epc = epc;
	return 0;
}

/*
 * Take a dynamic page off the enclave. A page the enclave did not accept
 * (pending, or TRIM not yet accepted) goes only with no thread inside, so
 * those threads take an interrupt first (they resume later). Return: 0, or
 * -errno when the VM stopped (it stays).
 */
static int dyn_drop(struct guest *g, struct genclave *e, uint64_t page, bool accepted)
{
	struct gpage *p = &e->pages[page];
	int r;

	if (!accepted)
		guest_enclave_kick(g, e);
	r = guest_epc_remove(g, p->epc);

	if (r)
		return r;
	p->state = GP_ABSENT;
	p->type = SGX_PT_REG;
	p->dynamic = false;
	return 0;
}

int guest_enclave_grow(struct guest *g, const char *name, uint64_t pages, char *why, size_t why_len)
{
	uint64_t flags =
	    SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_PENDING;
	struct genclave *e = NULL;
	uint64_t added = 0, pending = UINT64_MAX;
	bool was_inside;
	int r;

	r = dyn_check(g, name, &e, why, why_len);
	if (r)
		return r;
	if (dyn_room(e) < pages)
		return guest_why(why, why_len, -ENOSPC,
				 "'%s' has room for %llu more pages, not %llu", name,
				 (unsigned long long)dyn_room(e), (unsigned long long)pages);
	r = dyn_load(g, e, why, why_len);
	if (r)
		return r;
	was_inside = guest_thread_inside(g, e, 0);
	for (uint64_t p = e->nr_pages; !r && added < pages && p-- > 0;) {
		if (e->pages[p].state != GP_ABSENT)
			continue;
		r = dyn_eaug(g, e, p, why, why_len);
		if (!r) {
			r = dyn_accept(g, e, p, flags, why, why_len);
			if (r)
				pending = p;
		}
		added += !r;
	}
	r = guest_thread_restore(g, e, 0, was_inside, r, why, why_len);
	/* A page EAUG added but the enclave did not accept is no use to it: take it back. */
	if (pending != UINT64_MAX)
		dyn_drop(g, e, pending, false);
	if (!r && added < pages)
		return guest_why(
		    why, why_len, -ENOSPC, "'%s' has room for %llu more page%s, not %llu", name,
		    (unsigned long long)added, added == 1 ? "" : "s", (unsigned long long)pages);
	return r;
}

/* EMODT every page in (pick) to TRIM, then one ETRACK, as Linux's ioctl does. */
static int dyn_emodt(struct guest *g, struct genclave *e, const uint64_t *pick, uint64_t n,
		     char *why, size_t why_len)
{
	struct sgx_secinfo *si = guest_ram(g, GUEST_OP_SECINFO, sizeof(*si));
	char text[256];

	for (uint64_t i = 0; i < n; i++) {
		int r;

		memset(si, 0, sizeof(*si));
		si->flags = SGX_SECINFO_PT(SGX_PT_TRIM);
		r = guest_encls(g, SGX_EMODT, GUEST_OP_SECINFO, e->pages[pick[i]].epc, 0);
		if (r)
			return guest_why(
			    why, why_len, r < 0 ? r : -EIO, "EMODT in '%s' gave %s", e->name,
			    guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
		/* No use to the enclave from now on, whatever happens next. */
		e->pages[pick[i]].type = SGX_PT_TRIM;
	}
	guest_encls(g, SGX_ETRACK, 0, e->secs, 0);
	return 0;
}

/*
 * The enclave accepts each trimmed page; threads that were inside at the
 * ETRACK must leave first, which the kernel forces with an interrupt.
 */
static int dyn_accept_trim(struct guest *g, struct genclave *e, const uint64_t *pick, uint64_t n,
			   char *why, size_t why_len)
{
	uint64_t flags = SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_MODIFIED;

	guest_enclave_kick(g, e);
	for (uint64_t i = 0; i < n; i++) {
		int r = dyn_accept(g, e, pick[i], flags, why, why_len);

		if (r)
			return r;
	}
	return 0;
}

int guest_enclave_trim(struct guest *g, const char *name, uint64_t pages, char *why, size_t why_len)
{
	struct genclave *e = NULL;
	uint64_t *pick, n = 0;
	bool was_inside;
	char text[256];
	int r;

	r = dyn_check(g, name, &e, why, why_len);
	if (r)
		return r;
	pick = calloc(pages ? pages : 1, sizeof(*pick));
	if (!pick)
		return -ENOMEM;
	/* Dynamic pages are never evicted: the count holds across dyn_load(). */
	for (uint64_t p = e->nr_pages; n < pages && p-- > 0;) {
		if (e->pages[p].dynamic && e->pages[p].state == GP_RESIDENT)
			pick[n++] = p;
	}
	if (n < pages) {
		free(pick);
		return guest_why(
		    why, why_len, -ENOSPC, "'%s' has %llu page%s added by EAUG to trim, not %llu",
		    name, (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)pages);
	}
	r = dyn_load(g, e, why, why_len);
	if (r) {
		free(pick);
		return r;
	}
	was_inside = guest_thread_inside(g, e, 0);
	r = dyn_emodt(g, e, pick, n, why, why_len);
	if (!r)
		r = dyn_accept_trim(g, e, pick, n, why, why_len);
	r = guest_thread_restore(g, e, 0, was_inside, r, why, why_len);
	/*
	 * Every page EMODT made TRIM goes, also after a failed step: one left
	 * behind would fault the enclave's next touch of it.
	 */
	for (uint64_t i = 0; i < n; i++) {
		int d;

		if (e->pages[pick[i]].type != SGX_PT_TRIM)
			continue;
		d = dyn_drop(g, e, pick[i], !r);
		if (d && !r)
			r = guest_why(
			    why, why_len, d, "removing trimmed pages of '%s' stopped: %s", name,
			    guest_result_text(d, guest_kernel_vcpu(g), text, sizeof(text)));
		if (d)
			break;
	}
	free(pick);
	return r;
}
