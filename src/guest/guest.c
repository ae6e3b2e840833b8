/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel: booting (CPUID discovery, firmware MSRs, EPC
 * sanitization), its EPC free list, the ENCLS it issues, its page tables,
 * and reboots.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-int.h"

int guest_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *guest_result_text(int r, struct vmm_vcpu *vcpu, char *buf, size_t len)
{
	const struct hw_fault *f = vmm_vcpu_fault(vcpu);

	if (r == -EFAULT && vmm_vm_error(vmm_vcpu_vm(vcpu))[0])
		snprintf(buf, len, "%s", vmm_vm_error(vmm_vcpu_vm(vcpu)));
	else if (r == -EAGAIN)
		snprintf(buf, len, "EAGAIN: the VM is %s, no guest code runs",
			 vmm_vm_state_name(vmm_vm_state(vmm_vcpu_vm(vcpu))));
	else if (r < 0)
		snprintf(buf, len, "%s", strerror(-r));
	else if (hw_faulted(r) && f->vector == X86_TRAP_PF)
		snprintf(buf, len, "#PF at 0x%llx (error code 0x%x)", (unsigned long long)f->addr,
			 f->error_code);
	else if (hw_faulted(r))
		snprintf(buf, len, "%s", hw_vector_name(f->vector));
	else
		snprintf(buf, len, "%s", hw_code_name(r) ? hw_code_name(r) : "an unknown code");
	return buf;
}

/* ---------------------------------------------------------------------- */
/* The kernel's vCPU and ENCLS                                            */
/* ---------------------------------------------------------------------- */

unsigned int guest_idle_vcpu(struct guest *g)
{
	unsigned int n = vmm_vm_nr_vcpus(g->vm);

	for (unsigned int i = 0; i < n; i++) {
		if (!vmm_vcpu_inside(vmm_vm_vcpu(g->vm, i)))
			return i;
	}
	return 0;
}

/* A vCPU with no enclave thread on it, or vCPU 0 (whose thread then takes an interrupt). */
struct vmm_vcpu *guest_kernel_vcpu(struct guest *g)
{
	return vmm_vm_vcpu(g->vm, guest_idle_vcpu(g));
}

int guest_encls(struct guest *g, unsigned int leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx)
{
	struct hw_regs regs = { .rax = leaf, .rbx = rbx, .rcx = rcx, .rdx = rdx };
	struct vmm_vcpu *vcpu = guest_kernel_vcpu(g);
	int r = vmm_vcpu_encls(vcpu, &regs);

	/* The leaf fails as it did; the handler has run before its caller looks. */
	if (r == HW_FAULT(X86_TRAP_MC))
		guest_machine_check(g, vmm_vcpu_fault(vcpu)->addr, NULL, 0);
	return r;
}

static bool epc_poisoned(const struct guest *g, uint64_t epc)
{
	for (uint64_t i = 0; i < g->nr_poisoned; i++) {
		if (g->poisoned[i] == epc)
			return true;
	}
	return false;
}

/* Whether (e) used guest-physical EPC page (gpa). */
static bool enclave_uses(const struct genclave *e, uint64_t gpa)
{
	if (e->secs == gpa)
		return true;
	for (uint64_t p = 0; p < e->nr_pages; p++) {
		const struct gpage *pg = &e->pages[p];

		if ((pg->state == GP_RESIDENT && pg->epc == gpa) ||
		    (pg->state == GP_EVICTED && (pg->va & SGX_PAGE_MASK) == gpa))
			return true;
	}
	return false;
}

int guest_machine_check(struct guest *g, uint64_t gpa, char *why, size_t why_len)
{
	uint64_t *n;
	int killed = -1;

	gpa &= SGX_PAGE_MASK;
	g->st.machine_checks++;
	if (!epc_poisoned(g, gpa)) {
		n = realloc(g->poisoned, (g->nr_poisoned + 1) * sizeof(*n));
		/* No memory to remember it: the page may be handed out and fail again. */
		if (n) {
			g->poisoned = n;
			g->poisoned[g->nr_poisoned++] = gpa;
		}
	}
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		struct genclave *e = g->encl[i];

		if (!enclave_uses(e, gpa))
			continue;
		if (!e->lost)
			g->st.lost++;
		e->lost = true;
		if (killed < 0)
			killed = (int)i;
	}
	if (killed < 0)
		return guest_why(why, why_len, -EIO,
				 "machine check: memory error in guest-physical EPC page 0x%llx, "
				 "which no enclave used; the page is kept out of use",
				 (unsigned long long)gpa);
	return guest_why(why, why_len, -EIO,
			 "enclave '%s' is lost: a machine check (memory error) in its EPC page at "
			 "guest-physical 0x%llx; the page is kept out of use",
			 g->encl[killed]->name, (unsigned long long)gpa);
}

void *guest_ram(struct guest *g, uint64_t gpa, uint64_t len)
{
	return vmm_vm_ram(g->vm, gpa, len);
}

/* ---------------------------------------------------------------------- */
/* Page tables                                                            */
/* ---------------------------------------------------------------------- */

/* ELRANGE pages map their EPC page while resident; everything else is the direct map. */
int guest_pt_walk(void *opaque, uint64_t gla, uint64_t *ret_gpa)
{
	struct guest *g = opaque;

	for (unsigned int i = 0; i < g->nr_encl; i++) {
		struct genclave *e = g->encl[i];
		struct gpage *p;

		if (gla - e->base >= e->size)
			continue;
		p = &e->pages[(gla - e->base) / SGX_PAGE_SIZE];
		if (p->state != GP_RESIDENT)
			return -EFAULT;
		*ret_gpa = p->epc + (gla & ~SGX_PAGE_MASK);
		return 0;
	}
	*ret_gpa = gla;
	return 0;
}

static void guest_install_pt(struct guest *g)
{
	struct vmm_guest_pt pt = { guest_pt_walk, g };

	for (unsigned int i = 0; i < vmm_vm_nr_vcpus(g->vm); i++)
		vmm_vcpu_set_page_tables(vmm_vm_vcpu(g->vm, i), &pt);
}

/* ---------------------------------------------------------------------- */
/* EPC                                                                    */
/* ---------------------------------------------------------------------- */

void guest_epc_free(struct guest *g, uint64_t epc)
{
	/* A page a machine check named stays out, as Linux's poison list keeps it. */
	if (g->nr_poisoned && epc_poisoned(g, epc))
		return;
	g->free_epc[g->nr_free++] = epc;
}

/*
 * Free one EPC page a lost enclave still has a frame for. Its contents went
 * with the EPC (a reset, a sleep state, a migration), so there is nothing to
 * write back: EREMOVE it and take the frame, as Linux's reclaimer frees a
 * page whose EWB failed. The enclave stays lost, its SECS held until it is
 * destroyed. A page EREMOVE refuses (a thread still inside) is left alone.
 */
static int epc_shed_one(struct guest *g, struct genclave *e)
{
	for (uint64_t i = e->nr_pages; i-- > 0;) {
		struct gpage *p = &e->pages[i];
		int r;

		if (p->state != GP_RESIDENT)
			continue;
		r = guest_encls(g, SGX_EREMOVE, 0, p->epc, 0);
		if (r)
			return r < 0 ? r : -ENOSPC;
		guest_epc_free(g, p->epc);
		p->state = GP_ABSENT;
		return 0;
	}
	return -ENOSPC;
}

/*
 * Make one EPC page free: a lost enclave's first, for it holds nothing,
 * else by evicting a page of the enclave the reclaimer's clock reaches
 * first; one found lost on the way gives a page up instead.
 */
static int epc_reclaim_one(struct guest *g, const struct genclave *busy)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		if (g->encl[i] != busy && g->encl[i]->lost && !epc_shed_one(g, g->encl[i]))
			return 0;
	}
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		struct genclave *e = g->encl[i];
		uint64_t done = 0;

		if (e == busy || e->lost)
			continue;
		if (!guest_evict_pages(g, e, 1, &done, NULL, 0) && done)
			return 0;
		if (e->lost && !epc_shed_one(g, e))
			return 0;
	}
	return -ENOSPC;
}

int guest_epc_alloc(struct guest *g, const struct genclave *busy, uint64_t *ret)
{
	/* VA pages no evicted page needs any more go first, then enclave pages. */
	if (!g->nr_free)
		guest_va_page_reclaim(g);
	if (!g->nr_free) {
		int r = epc_reclaim_one(g, busy);

		if (r)
			return r;
	}
	*ret = g->free_epc[--g->nr_free];
	return 0;
}

/* CPUID leaf 0x12 sub-leaves 2..: the guest's EPC sections. */
static void guest_find_sections(struct guest *g)
{
	g->nr_sections = 0;
	for (uint32_t sub = 2; g->nr_sections < GUEST_MAX_SECTIONS; sub++) {
		struct hw_cpuid_regs c;

		vmm_vm_cpuid(g->vm, SGX_CPUID, sub, &c);
		if ((c.eax & 0xf) != 1)
			break;
		g->sec[g->nr_sections].base =
		    (c.eax & 0xfffff000ULL) | ((uint64_t)(c.ebx & 0xfffff) << 32);
		g->sec[g->nr_sections].size =
		    (c.ecx & 0xfffff000ULL) | ((uint64_t)(c.edx & 0xfffff) << 32);
		g->nr_sections++;
	}
}

/* What CPUID and the firmware's FEATURE_CONTROL offer, as Linux's sgx_init() reads them. */
static void guest_features(struct guest *g)
{
	struct vmm_vcpu *cpu0 = vmm_vm_vcpu(g->vm, 0);
	struct hw_cpuid_regs l7, l12;
	uint64_t fc = 0;

	vmm_vm_cpuid(g->vm, 7, 0, &l7);
	vmm_vm_cpuid(g->vm, SGX_CPUID, 0, &l12);
	vmm_vcpu_rdmsr(cpu0, MSR_IA32_FEATURE_CONTROL, &fc);
	g->sgx = (l7.ebx & CPUID_7_EBX_SGX) && (l12.eax & CPUID_12_EAX_SGX1) &&
		 (fc & FEAT_CTL_LOCKED) && (fc & FEAT_CTL_SGX_ENABLED);
	g->sgx2 = g->sgx && (l12.eax & CPUID_12_EAX_SGX2);
	g->flc = g->sgx && (l7.ecx & CPUID_7_ECX_SGX_LC) && (fc & FEAT_CTL_SGX_LC_ENABLED);
	g->max_size32 = l12.edx & 0xff;
	g->max_size64 = (l12.edx >> 8) & 0xff;
}

static int guest_epc_init(struct guest *g)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < g->nr_sections; i++)
		n += g->sec[i].size / SGX_PAGE_SIZE;
	free(g->free_epc);
	free(g->balloon);
	g->free_epc = calloc(n ? n : 1, sizeof(*g->free_epc));
	g->balloon = calloc(n ? n : 1, sizeof(*g->balloon));
	g->nr_balloon = 0;
	if (!g->free_epc || !g->balloon)
		return -ENOMEM;
	g->nr_epc = n;
	g->nr_free = 0;
	/* A kernel that boots knows of no memory error yet. */
	free(g->poisoned);
	g->poisoned = NULL;
	g->nr_poisoned = 0;
	/* Hand out the first section's first page first: push in reverse. */
	for (unsigned int i = g->nr_sections; i-- > 0;) {
		for (uint64_t off = g->sec[i].size; off; off -= SGX_PAGE_SIZE)
			guest_epc_free(g, g->sec[i].base + off - SGX_PAGE_SIZE);
	}
	return 0;
}

/*
 * Linux's sanitization: EREMOVE every page; a SECS whose children come
 * later answers SGX_CHILD_PRESENT and goes again in a second pass. Touching
 * each page faults it in from the host, as a real guest's boot does.
 */
static int guest_sanitize(struct guest *g, char *why, size_t why_len)
{
	uint64_t *again = calloc(g->nr_epc ? g->nr_epc : 1, sizeof(*again)), n = 0;
	char text[256];
	int r = 0;

	if (!again)
		return -ENOMEM;
	for (uint64_t i = 0; i < g->nr_free && !r; i++) {
		r = guest_encls(g, SGX_EREMOVE, 0, g->free_epc[i], 0);
		if (r == SGX_CHILD_PRESENT) {
			again[n++] = g->free_epc[i];
			r = 0;
		}
	}
	for (uint64_t i = 0; i < n && !r; i++)
		r = guest_encls(g, SGX_EREMOVE, 0, again[i], 0);
	free(again);
	g->st.sanitized = n;
	if (r)
		return guest_why(why, why_len, r < 0 ? r : -EIO,
				 "EPC sanitization failed: EREMOVE gave %s",
				 guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
	return 0;
}

static void guest_forget_enclaves(struct guest *g)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		free(g->encl[i]->pages);
		free(g->encl[i]);
	}
	g->nr_encl = 0;
	free(g->va);
	g->va = NULL;
	g->nr_va = 0;
	/* Every slot free again. */
	g->backing_next = 0;
	g->nr_backing_free = 0;
}

/*
 * The evicted-page slots of RAM below 4 GiB (below): a page and a PCMD
 * each, as many as fit from GUEST_BACKING_BASE, all free and none touched.
 */
static void guest_backing_init(struct guest *g, uint64_t below)
{
	uint64_t n = below > GUEST_BACKING_BASE
			 ? (below - GUEST_BACKING_BASE) / (SGX_PAGE_SIZE + sizeof(struct sgx_pcmd))
			 : 0;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	/* Less RAM than at the last boot: the free stack's room must not pass the slots. */
	if (n < g->cap_backing_free)
		g->cap_backing_free = (uint32_t)n;
	g->nr_backing = (uint32_t)n;
	g->pcmd_base = GUEST_BACKING_BASE + n * SGX_PAGE_SIZE;
	g->backing_next = 0;
	g->nr_backing_free = 0;
}

static int guest_start(struct guest *g, char *why, size_t why_len)
{
	uint64_t below = vmm_vm_layout(g->vm)->below_4g;
	int r;

	guest_forget_enclaves(g);
	memset(&g->st, 0, sizeof(g->st));
	guest_features(g);
	guest_backing_init(g, below);
	guest_find_sections(g);
	if (!g->sgx)
		g->nr_sections = 0;
	r = guest_epc_init(g);
	if (!r && g->sgx)
		r = guest_balloon_boot(g);
	if (r)
		return r;
	guest_install_pt(g);
	if (g->sgx) {
		r = guest_sanitize(g, why, why_len);
		if (r)
			return r;
	}
	g->st.sgx = g->sgx;
	g->st.sgx2 = g->sgx2;
	g->st.flc = g->flc;
	return g->sgx ? 0 : -ENODEV;
}

/* Guest code runs only in a running VM: -EFAULT after an error, -EAGAIN otherwise. */
static int vm_runs(struct vmm_vm *vm, char *why, size_t why_len)
{
	enum vmm_vm_state st = vmm_vm_state(vm);

	if (st == VMM_VM_ERROR)
		return guest_why(why, why_len, -EFAULT, "VM '%s' stopped: %s", vmm_vm_name(vm),
				 vmm_vm_error(vm));
	if (st != VMM_VM_RUNNING)
		return guest_why(why, why_len, -EAGAIN, "the VM is %s, no guest code runs",
				 vmm_vm_state_name(st));
	return 0;
}

int guest_ready(struct guest *g, char *why, size_t why_len)
{
	int r = vm_runs(g->vm, why, why_len);

	if (r)
		return r;
	if (!g->sgx)
		return guest_why(why, why_len, -ENODEV, "the guest has no SGX");
	return 0;
}

int guest_boot(struct vmm_vm *vm, struct guest **ret, char *why, size_t why_len)
{
	struct guest *g;
	int r;

	r = vm_runs(vm, why, why_len);
	if (r)
		return r;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->vm = vm;
	r = guest_start(g, why, why_len);
	if (r && r != -ENODEV) {
		guest_free(g);
		return r;
	}
	if (r == -ENODEV)
		guest_why(why, why_len, r, "the guest's CPU has no SGX (CPUID or firmware)");
	*ret = g;
	return r;
}

void guest_free(struct guest *g)
{
	if (!g)
		return;
	guest_forget_enclaves(g);
	for (unsigned int i = 0; i < vmm_vm_nr_vcpus(g->vm); i++)
		vmm_vcpu_set_page_tables(vmm_vm_vcpu(g->vm, i), NULL);
	free(g->free_epc);
	free(g->balloon);
	free(g->backing_free);
	free(g->poisoned);
	free(g);
}

int guest_restart(struct guest *g, char *why, size_t why_len)
{
	int r = guest_start(g, why, why_len);

	return r == -ENODEV ? 0 : r;
}

/* A clean reboot's first half: every enclave torn down, the last first. */
static int guest_teardown_all(struct guest *g, char *why, size_t why_len)
{
	char text[256];
	int r;

	guest_threads_sync(g);
	for (unsigned int i = g->nr_encl; i-- > 0;) {
		r = guest_enclave_teardown(g, g->encl[i]);
		if (r)
			return guest_why(
			    why, why_len, r, "the guest stopped tearing its enclaves down: %s",
			    guest_result_text(r, guest_kernel_vcpu(g), text, sizeof(text)));
	}
	return 0;
}

int guest_reboot(struct guest *g, bool clean, struct vmm_epc_reset *rep, char *why, size_t why_len)
{
	int r;

	/* A guest reboots itself: it must be running (a paused VM is reset by 'vm reset'). */
	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (vmm_vm_state(g->vm) != VMM_VM_RUNNING)
		return guest_ready(g, why, why_len);
	if (clean) {
		r = guest_teardown_all(g, why, why_len);
		if (r)
			return r;
	}
	r = vmm_vm_reset(g->vm, false, rep);
	if (r)
		return guest_why(why, why_len, r, "%s", vmm_vm_error(g->vm));
	return guest_restart(g, why, why_len);
}

void guest_moved(struct guest *g, struct vmm_vm *vm)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		for (unsigned int t = 0; t < g->encl[i]->nr_threads; t++) {
			struct gthread *th = &g->encl[i]->threads[t];

			th->interrupted |= th->inside;
			th->inside = false;
		}
	}
	g->vm = vm;
	guest_install_pt(g);
}

void guest_epc_lost(struct guest *g)
{
	for (unsigned int i = 0; i < g->nr_encl; i++) {
		if (!g->encl[i]->lost)
			g->st.lost++;
		g->encl[i]->lost = true;
	}
	while (g->nr_va)
		guest_va_page_drop(g, g->va[0].epc);
}

void guest_stats(struct guest *g, struct guest_stats *ret)
{
	*ret = g->st;
	ret->epc_pages = g->nr_epc;
	ret->epc_free = g->nr_free;
	ret->ballooned = g->nr_balloon;
	ret->evicted = g->nr_backing - guest_backing_free(g);
	ret->bad = g->nr_poisoned;
}

unsigned int guest_nr_enclaves(const struct guest *g)
{
	return g->nr_encl;
}

const char *guest_enclave_name(const struct guest *g, unsigned int index)
{
	return index < g->nr_encl ? g->encl[index]->name : NULL;
}
