/* SPDX-License-Identifier: MIT */
/*
 * Enclave threads in the guest: EENTER through a TCS, ERESUME after an
 * asynchronous exit, EEXIT, and the guest's #PF handler for enclave pages it
 * evicted. A page fault inside an enclave is itself an exception, so the
 * thread takes an AEX, the kernel reloads the page (ELDU) and the thread
 * resumes, as on hardware. A #PF with the SGX bit on a page the guest thinks
 * resident means the EPC went away under it (a reset or a sleep state): the
 * enclave is lost.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest-int.h"

#define FAULT_RETRIES 64

void guest_threads_sync(struct guest *g)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		struct genclave *e = g->encl[i];

		for (unsigned int t = 0; t < e->nr_threads; t++) {
			struct gthread *th = &e->threads[t];

			if (th->inside && !vmm_vcpu_inside(vmm_vm_vcpu(g->vm, th->vcpu))) {
				th->inside = false;
				th->interrupted = true;
			}
		}
	}
}

/* The ELRANGE page of (la) in (e), or -1. */
static int64_t elrange_page(const struct genclave *e, uint64_t la)
{
	return la - e->base < e->size ? (int64_t)((la - e->base) / SGX_PAGE_SIZE) : -1;
}

/*
 * The guest's #PF handler for an enclave address: reload an evicted page,
 * or find the enclave lost. Return: 0 to retry, or an error.
 */
static int enclave_fault(struct guest *g, struct genclave *e, uint64_t addr, char *why,
			 size_t why_len)
{
	int64_t page = elrange_page(e, addr);

	char how[64];

	if (page >= 0 && e->pages[page].state == GP_EVICTED)
		return guest_reload_page(g, e, (uint64_t)page, why, why_len);
	snprintf(how, sizeof(how), "#PF at 0x%llx on a page the guest had in EPC",
		 (unsigned long long)addr);
	return guest_enclave_lost(g, e, how, why, why_len);
}

int guest_enclave_lost(struct guest *g, struct genclave *e, const char *how, char *why,
		       size_t why_len)
{
	if (!e->lost)
		g->st.lost++;
	e->lost = true;
	return guest_why(why, why_len, -EIO,
			 "enclave '%s' is lost: %s (its EPC was taken away: a reset, a sleep "
			 "state or a migration)",
			 e->name, how);
}

static int thread_enter_once(struct genclave *e, struct gthread *th, struct vmm_vcpu *vcpu)
{
	struct hw_regs regs = { .rax = th->interrupted ? SGX_ERESUME : SGX_EENTER,
				.rbx = e->base + (uint64_t)th->tcs * SGX_PAGE_SIZE,
				.rcx = 0x7f0000001000ULL };

	return vmm_vcpu_enclu(vcpu, &regs);
}

int guest_thread_run(struct guest *g, struct genclave *e, unsigned int t, unsigned int vcpu_idx,
		     char *why, size_t why_len)
{
	struct gthread *th = &e->threads[t];
	struct vmm_vcpu *vcpu = vmm_vm_vcpu(g->vm, vcpu_idx);
	char text[256];

	guest_threads_sync(g);
	if (th->inside)
		return 0;
	/* A vCPU runs one thread: the kernel switches out the one inside (an interrupt: an AEX). */
	if (vmm_vcpu_inside(vcpu)) {
		struct sgx_ssa_gpr gpr;

		memset(&gpr, 0, sizeof(gpr));
		vmm_vcpu_interrupt(vcpu, &gpr, 0xef);
		guest_threads_sync(g);
	}
	for (int tries = 0; tries < FAULT_RETRIES; tries++) {
		int r = thread_enter_once(e, th, vcpu);

		if (r == 0) {
			th->inside = true;
			th->interrupted = false;
			th->vcpu = vcpu_idx;
			return 0;
		}
		if (r == HW_FAULT(X86_TRAP_PF)) {
			r = enclave_fault(g, e, vmm_vcpu_fault(vcpu)->addr, why, why_len);
			if (r)
				return r;
			continue;
		}
		/* The entry read a poisoned TCS, SSA or SECS. */
		if (r == HW_FAULT(X86_TRAP_MC))
			return guest_machine_check(g, vmm_vcpu_fault(vcpu)->addr, why, why_len);
		return guest_why(why, why_len, r < 0 ? r : -EIO, "%s of thread %u of '%s' gave %s",
				 th->interrupted ? "ERESUME" : "EENTER", t, e->name,
				 guest_result_text(r, vcpu, text, sizeof(text)));
	}
	return guest_why(why, why_len, -EIO, "thread %u of '%s' keeps faulting", t, e->name);
}

/* A thread touches one byte of an enclave page: #PF, AEX, reload, ERESUME, retry. */
static int thread_touch(struct guest *g, struct genclave *e, unsigned int t, uint64_t page,
			char *why, size_t why_len)
{
	struct gthread *th = &e->threads[t];
	struct vmm_vcpu *vcpu = vmm_vm_vcpu(g->vm, th->vcpu);
	uint64_t la = e->base + page * SGX_PAGE_SIZE;
	struct sgx_ssa_gpr gpr;
	uint8_t b;

	for (int tries = 0; tries < FAULT_RETRIES; tries++) {
		int r = guest_thread_run(g, e, t, th->vcpu, why, why_len);

		if (!r)
			r = vmm_vcpu_enclave_read(vcpu, la, &b, 1);
		if (r == HW_FAULT(X86_TRAP_MC)) {
			/* An exception in enclave mode: an AEX, then the kernel's handler. */
			uint64_t gpa = vmm_vcpu_fault(vcpu)->addr;

			memset(&gpr, 0, sizeof(gpr));
			gpr.rip = la;
			vmm_vcpu_interrupt(vcpu, &gpr, X86_TRAP_MC);
			guest_threads_sync(g);
			return guest_machine_check(g, gpa, why, why_len);
		}
		if (r != HW_FAULT(X86_TRAP_PF))
			return r;
		/* The fault is an exception in enclave mode: the thread exits to the kernel. */
		memset(&gpr, 0, sizeof(gpr));
		gpr.rip = la;
		vmm_vcpu_interrupt(vcpu, &gpr, X86_TRAP_PF);
		guest_threads_sync(g);
		r = enclave_fault(g, e, la, why, why_len);
		if (r)
			return r;
	}
	return guest_why(why, why_len, -EIO, "thread %u of '%s' keeps faulting on 0x%llx", t,
			 e->name, (unsigned long long)la);
}

int guest_thread_stop(struct guest *g, struct genclave *e, unsigned int t, char *why,
		      size_t why_len)
{
	struct gthread *th = &e->threads[t];
	struct hw_regs regs = { .rax = SGX_EEXIT, .rbx = 0x400000 };
	char text[256];
	int r;

	guest_threads_sync(g);
	if (!th->inside && !th->interrupted)
		return guest_why(why, why_len, -EINVAL, "thread %u of '%s' is not inside", t,
				 e->name);
	r = guest_thread_run(g, e, t, th->vcpu, why, why_len);
	if (r)
		return r;
	r = vmm_vcpu_enclu(vmm_vm_vcpu(g->vm, th->vcpu), &regs);
	if (r)
		return guest_why(
		    why, why_len, r < 0 ? r : -EIO, "EEXIT of thread %u of '%s' gave %s", t,
		    e->name,
		    guest_result_text(r, vmm_vm_vcpu(g->vm, th->vcpu), text, sizeof(text)));
	th->inside = false;
	return 0;
}

bool guest_thread_inside(struct guest *g, struct genclave *e, unsigned int t)
{
	guest_threads_sync(g);
	return e->threads[t].inside || e->threads[t].interrupted;
}

int guest_thread_restore(struct guest *g, struct genclave *e, unsigned int t, bool was_inside,
			 int r, char *why, size_t why_len)
{
	char stop_why[256];
	int r2;

	if (was_inside || !guest_thread_inside(g, e, t))
		return r;
	r2 = guest_thread_stop(g, e, t, stop_why, sizeof(stop_why));
	if (!r && r2)
		r = guest_why(why, why_len, r2, "%s", stop_why);
	return r;
}

static int thread_lookup(struct guest *g, const char *name, unsigned int t, struct genclave **ret,
			 char *why, size_t why_len)
{
	int r = guest_enclave_get(g, name, ret, why, why_len);

	if (r)
		return r;
	if (t >= (*ret)->nr_threads)
		return guest_why(why, why_len, -ENOENT, "enclave '%s' has %u thread%s, not %u",
				 name, (*ret)->nr_threads, (*ret)->nr_threads == 1 ? "" : "s",
				 t + 1);
	return 0;
}

int guest_thread_enter(struct guest *g, const char *name, unsigned int thread, unsigned int vcpu,
		       char *why, size_t why_len)
{
	struct genclave *e = NULL;
	int r;

	r = thread_lookup(g, name, thread, &e, why, why_len);
	if (r)
		return r;
	if (vcpu >= vmm_vm_nr_vcpus(g->vm))
		return guest_why(why, why_len, -EINVAL, "the VM has %u vCPU%s, not %u",
				 vmm_vm_nr_vcpus(g->vm), vmm_vm_nr_vcpus(g->vm) == 1 ? "" : "s",
				 vcpu + 1);
	guest_threads_sync(g);
	if (e->threads[thread].inside)
		return guest_why(why, why_len, -EBUSY, "thread %u of '%s' is inside already",
				 thread, name);
	r = guest_thread_run(g, e, thread, vcpu, why, why_len);
	/* The thread uses its memory: every regular page it has. */
	for (uint64_t p = 0; !r && p < e->nr_pages; p++) {
		if (e->pages[p].state != GP_ABSENT && e->pages[p].type == SGX_PT_REG &&
		    (e->pages[p].perm & SGX_SECINFO_R))
			r = thread_touch(g, e, thread, p, why, why_len);
	}
	return r;
}

int guest_thread_exit(struct guest *g, const char *name, unsigned int thread, char *why,
		      size_t why_len)
{
	struct genclave *e = NULL;
	int r;

	r = thread_lookup(g, name, thread, &e, why, why_len);
	if (r)
		return r;
	return guest_thread_stop(g, e, thread, why, why_len);
}
