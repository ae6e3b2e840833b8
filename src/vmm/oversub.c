/* SPDX-License-Identifier: MIT */
/*
 * Oversubscription: the VMM gives a VM fewer host EPC pages than its EPC
 * and writes guest pages back behind the guest's back, reloading each on
 * the guest's next access to it (an EPT violation), so the guest runs as on
 * a host with enough EPC. Two ways (docs/POLICIES.md): with the EPC
 * Oversubscription Extensions (oversub-ext.c), or by trapping every ENCLS
 * of the guest and tracking its enclaves (oversub-trap.c). What they share
 * is here: the clock hand, the blobs, the VA slots, the EPT lock, reloading.
 *
 * Evicting frame F (a page of the VM's EPC), with the VM's vCPUs out of
 * every leaf (the EPT lock held for writing, as a VMM zaps an EPT entry and
 * shoots down the TLBs):
 *   1. unmap F from the VM's vEPC (its next access faults to the VMM);
 *   2. the way's own: what F is (ERDINFO, or what the VMM tracked) and its
 *      write-back (EBLOCK, ETRACKC or ETRACK, EWB) into the VMM's blob and
 *      F's own slot of the VMM's VA pages; an invalid page is just given
 *      back, a page that may not go stays;
 *   3. the EPC page goes back to the host.
 * Reloading F: its SECS first when the VMM holds that too (a stall of two
 * reloads), a host page (evicting another frame first when the VM is at its
 * limit or the host has none free), then the way's ELDUC or ELDU and what
 * follows it.
 *
 * The VMM's leaves run on CPU 0 in VMX root operation (one VMM thread at a
 * time there). A VM's blobs take at most its EPC size of VMM RAM plus 128
 * bytes of PCMD per page; its VA pages (one per 512 frames, each frame with
 * a slot of its own) are taken at creation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oversub-int.h"

/* One VMM thread at a time drives CPU 0 in root operation. */
static pthread_mutex_t ov_cpu_lock = PTHREAD_MUTEX_INITIALIZER;

bool vmm_oversub_enabled(const struct vmm_vm *vm)
{
	return vm->ov != NULL;
}

bool vmm_oversub_traps(const struct vmm_vm *vm)
{
	return vm->ov && vm->ov->mode == VM_OVERSUB_TRAP;
}
/* ---------------------------------------------------------------------- */
/* Frames, slots, blobs                                                   */
/* ---------------------------------------------------------------------- */

struct vmm_section *ov_frame_sec(struct vmm_vm *vm, uint64_t f, uint64_t *ret_index)
{
	*ret_index = 0;
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		uint64_t n = vm->sec[i].size / SGX_PAGE_SIZE;

		if (f < n) {
			*ret_index = f;
			return &vm->sec[i];
		}
		f -= n;
	}
	return NULL;
}

uint64_t ov_frame_gpa(struct vmm_vm *vm, uint64_t f)
{
	uint64_t index;
	struct vmm_section *sec = ov_frame_sec(vm, f, &index);

	return sec->gpa + index * SGX_PAGE_SIZE;
}

bool ov_gpa_frame(struct vmm_vm *vm, uint64_t gpa, uint64_t *ret)
{
	uint64_t base = 0;

	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		if (gpa - vm->sec[i].gpa < vm->sec[i].size) {
			*ret = base + (gpa - vm->sec[i].gpa) / SGX_PAGE_SIZE;
			return true;
		}
		base += vm->sec[i].size / SGX_PAGE_SIZE;
	}
	return false;
}

bool ov_frame_pa(struct vmm_vm *vm, uint64_t f, uint64_t *ret_pa)
{
	uint64_t index;
	struct vmm_section *sec = ov_frame_sec(vm, f, &index);

	return host_vepc_present(sec->vepc, index) && !host_vepc_fault(sec->vepc, index, ret_pa);
}

uint64_t ov_va_slot(const struct vmm_oversub *ov, uint64_t f)
{
	return ov->va_pa[f / OV_SLOTS_PER_VA] + (f % OV_SLOTS_PER_VA) * 8;
}

/* A blob, page-aligned for EWB's ciphertext (its size is no multiple of a page). */
struct vmm_blob *ov_blob_new(void)
{
	void *b;

	return posix_memalign(&b, SGX_PAGE_SIZE, sizeof(struct vmm_blob)) ? NULL : b;
}

/* ---------------------------------------------------------------------- */
/* Setup                                                                  */
/* ---------------------------------------------------------------------- */

static int oversub_host_check(struct vmm_vm *vm, char *why, size_t why_len)
{
	if (vm->cfg.epc_oversub == VM_OVERSUB_EXTENSIONS &&
	    !hw_processor_desc(vm->m->proc)->oversub)
		return vmm_why(why, why_len, -EOPNOTSUPP,
			       "epc_policy \"oversubscribe\" needs the EPC Oversubscription "
			       "Extensions, which this host's processor lacks (host oversub=1); "
			       "or trap ENCLS instead (epc_oversub \"trap\")");
	if (hw_processor_nr_cpus(vm->m->proc) < 2)
		return vmm_why(why, why_len, -EOPNOTSUPP,
			       "epc_policy \"oversubscribe\" needs a host CPU for the VMM beside "
			       "the vCPUs' (cpus=2 or more)");
	return 0;
}

/* The VMM's VA pages, from the host: one slot for each frame of the VM. */
static int oversub_va_pages(struct vmm_vm *vm, char *why, size_t why_len)
{
	struct vmm_oversub *ov = vm->ov;
	struct hw_cpu *cpu = vmm_host_cpu(vm->m);
	int r;

	hw_cpu_set_addr_space(cpu, NULL);
	for (unsigned int i = 0; i < ov->nr_va; i++) {
		r = host_page_alloc(vm->m->host, 0, &ov->va_pa[i]);
		if (!r && hw_epa(cpu, SGX_PT_VA, ov->va_pa[i]) != SGX_SUCCESS) {
			host_page_free(vm->m->host, ov->va_pa[i]);
			r = -EIO;
		}
		if (r) {
			ov->va_pa[i] = 0;
			return vmm_why(why, why_len, r == -EIO ? r : -ENOMEM,
				       "the VMM needs %u EPC pages for the VA slots of the VM's "
				       "evicted pages and the host has only %u free; free host EPC",
				       ov->nr_va, i);
		}
	}
	return 0;
}

int vmm_oversub_init(struct vmm_vm *vm, char *why, size_t why_len)
{
	struct vmm_oversub *ov;
	uint64_t limit = vm->cfg.epc_host_max / SGX_PAGE_SIZE;
	int r;

	if (vm->cfg.epc_policy != VM_EPC_OVERSUBSCRIBE)
		return 0;
	r = oversub_host_check(vm, why, why_len);
	if (r)
		return r;
	ov = calloc(1, sizeof(*ov));
	if (!ov)
		return vmm_why(why, why_len, -ENOMEM, "out of memory for oversubscription");
	vm->ov = ov;
	ov->mode = vm->cfg.epc_oversub;
	pthread_rwlock_init(&ov->ept, NULL);
	pthread_mutex_init(&ov->trk_lock, NULL);
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++)
		ov->nr_frames += vm->cfg.sections[i].size / SGX_PAGE_SIZE;
	ov->nr_va = (unsigned int)((ov->nr_frames + OV_SLOTS_PER_VA - 1) / OV_SLOTS_PER_VA);
	ov->blob = calloc(ov->nr_frames, sizeof(*ov->blob));
	ov->va_pa = calloc(ov->nr_va, sizeof(*ov->va_pa));
	if (!ov->blob || !ov->va_pa || (ov->mode == VM_OVERSUB_TRAP && ov_trap_init(ov)))
		return vmm_why(why, why_len, -ENOMEM, "out of memory for oversubscription");
	if (limit)
		host_owner_set_limit(vm->owner, limit);
	return oversub_va_pages(vm, why, why_len);
}

/* Every blob dropped and its frame untouched again: the guest's EPC is reset. */
void vmm_oversub_discard(struct vmm_vm *vm)
{
	struct vmm_oversub *ov = vm->ov;
	struct vmm_section *sec;
	uint64_t index = 0;

	if (!ov)
		return;
	for (uint64_t f = 0; f < ov->nr_frames; f++) {
		if (!ov->blob[f])
			continue;
		sec = ov_frame_sec(vm, f, &index);
		host_vepc_forget(sec->vepc, index);
		free(ov->blob[f]);
		ov->blob[f] = NULL;
		atomic_fetch_sub(&ov->blobs, 1);
	}
	if (ov->trk)
		ov_trap_reset(ov);
}

void vmm_oversub_free(struct vmm_vm *vm)
{
	struct vmm_oversub *ov = vm->ov;
	struct hw_cpu *cpu;

	if (!ov)
		return;
	vmm_oversub_discard(vm);
	cpu = vmm_host_cpu(vm->m);
	hw_cpu_set_addr_space(cpu, NULL);
	for (unsigned int i = 0; ov->va_pa && i < ov->nr_va; i++) {
		/* A VA page's slots hold nothing once the blobs are gone. */
		if (ov->va_pa[i] && hw_eremove(cpu, ov->va_pa[i]) == SGX_SUCCESS)
			host_page_free(vm->m->host, ov->va_pa[i]);
	}
	pthread_rwlock_destroy(&ov->ept);
	pthread_mutex_destroy(&ov->trk_lock);
	ov_trap_free(ov);
	free(ov->va_pa);
	free(ov->blob);
	free(ov);
	vm->ov = NULL;
}

void vmm_oversub_query(struct vmm_vm *vm, struct vmm_oversub_info *ret)
{
	struct vmm_oversub *ov = vm->ov;

	memset(ret, 0, sizeof(*ret));
	if (!ov)
		return;
	ret->mode = ov->mode;
	ret->evicted = atomic_load(&ov->evicted);
	ret->reloaded = atomic_load(&ov->reloaded);
	ret->freed = atomic_load(&ov->freed);
	ret->blobs = atomic_load(&ov->blobs);
	ret->blob_bytes = ret->blobs * sizeof(struct vmm_blob);
	ret->worst_stall = atomic_load(&ov->worst_stall);
	ret->trapped = atomic_load(&ov->trapped);
	ret->va_pages = ov->nr_va;
	ret->host_max = vm->cfg.epc_host_max / SGX_PAGE_SIZE;
}

void vmm_oversub_va_per_node(struct vmm_vm *vm, uint64_t ret[HW_MAX_NODES])
{
	const struct hw_desc *d = hw_processor_desc(vm->m->proc);
	struct vmm_oversub *ov = vm->ov;

	memset(ret, 0, HW_MAX_NODES * sizeof(*ret));
	for (unsigned int i = 0; ov && ov->va_pa && i < ov->nr_va; i++) {
		/* host_page_alloc() takes node 0 first, another node when it has none. */
		for (unsigned int s = 0; ov->va_pa[i] && s < d->nr_sections; s++) {
			if (ov->va_pa[i] - d->sections[s].base < d->sections[s].size)
				ret[d->sections[s].node]++;
		}
	}
}

/* ---------------------------------------------------------------------- */
/* The EPT lock                                                           */
/* ---------------------------------------------------------------------- */

void vmm_oversub_leaf_begin(struct vmm_vm *vm)
{
	if (vm->ov)
		pthread_rwlock_rdlock(&vm->ov->ept);
}

void vmm_oversub_leaf_end(struct vmm_vm *vm)
{
	if (vm->ov)
		pthread_rwlock_unlock(&vm->ov->ept);
}

/* ---------------------------------------------------------------------- */
/* Eviction                                                               */
/* ---------------------------------------------------------------------- */

/*
 * After an interrupt to every vCPU inside: the others' threads wait for the
 * EPT lock we hold and take their AEX as a host IPI's; the faulting vCPU's
 * own took it with the EPT violation, as on hardware, and vcpu.c resumes it
 * (the AEP's ERESUME).
 */
uint32_t ov_threads_inside(struct vmm_vm *vm, uint64_t secs_pa)
{
	struct hw_enclave_info ei;

	if (hw_enclave_query(vm->m->proc, secs_pa, &ei) || !ei.threads_inside)
		return 0;
	for (unsigned int i = 0; i < vm->cfg.vcpus; i++)
		if (vm->vcpus[i].inside)
			vmm_vcpu_kick_locked(&vm->vcpus[i]);
	if (hw_enclave_query(vm->m->proc, secs_pa, &ei))
		return 0;
	return ei.threads_inside;
}

int ov_ewb(struct vmm_vm *vm, struct hw_cpu *cpu, struct vmm_blob *b, uint64_t f, uint64_t pa)
{
	_Alignas(32) struct sgx_pageinfo pi;
	int r;

	memset(&pi, 0, sizeof(pi));
	pi.srcpge = (uint64_t)(uintptr_t)b->data;
	pi.secinfo = (uint64_t)(uintptr_t)&b->pcmd;
	r = hw_ewb(cpu, (uint64_t)(uintptr_t)&pi, pa, ov_va_slot(vm->ov, f));
	b->linaddr = pi.linaddr;
	/*
	 * The page went out either way: an occupied slot held the version of a
	 * blob a guest reset dropped, and nothing will load that one again.
	 */
	return r == SGX_VA_SLOT_OCCUPIED ? SGX_SUCCESS : r;
}

void ov_blob_keep(struct vmm_oversub *ov, uint64_t f, struct vmm_blob *b, uint64_t sf)
{
	b->secs_frame = sf;
	b->pt = SGX_PT_REG;
	ov->blob[f] = b;
}

int ov_write_back_failed(struct vmm_vm *vm, struct vmm_blob *b, uint64_t f, int r)
{
	free(b);
	vmm_vm_fail(vm, "the VMM could not write back guest-physical 0x%llx: %s; the VM is stopped",
		    (unsigned long long)ov_frame_gpa(vm, f),
		    hw_code_name(r) ? hw_code_name(r) : "a fault");
	return -EIO;
}

int ov_evict_secs(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa)
{
	struct vmm_blob *b = ov_blob_new();

	if (!b)
		return -ENOMEM;
	if (ov_ewb(vm, cpu, b, f, pa) != SGX_SUCCESS) {
		/* A SECS is written back unblocked: one that will not go simply stays. */
		free(b);
		return 1;
	}
	b->linaddr = 0;
	b->pt = SGX_PT_SECS;
	vm->ov->blob[f] = b;
	return 0;
}

/* Evict frame (f) if it can go. 0 done, 1 it stays, -errno. */
static int evict_frame(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f)
{
	struct vmm_oversub *ov = vm->ov;
	struct vmm_section *sec;
	uint64_t index, pa;
	int r;

	sec = ov_frame_sec(vm, f, &index);
	if (host_vepc_unmap(sec->vepc, index, &pa))
		return 1;
	if (ov->mode == VM_OVERSUB_TRAP)
		r = ov_trap_evict_page(vm, cpu, f, pa);
	else
		r = ov_ext_evict_page(vm, cpu, f, pa);
	if (r == 2) {
		/* Invalid: nothing to keep, and the next touch gets a fresh page, as a first one.
		 */
		host_vepc_unmap_finish(sec->vepc, index, pa, HOST_VEPC_FREED);
		atomic_fetch_add(&ov->freed, 1);
		return 0;
	}
	if (r) {
		host_vepc_unmap_finish(sec->vepc, index, pa, HOST_VEPC_REMAP);
		return r;
	}
	host_vepc_unmap_finish(sec->vepc, index, pa, HOST_VEPC_EVICTED);
	atomic_fetch_add(&ov->evicted, 1);
	atomic_fetch_add(&ov->blobs, 1);
	return 0;
}

/* Evict one frame other than (keep1) and (keep2), from the clock hand on. */
static int evict_one(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t keep1, uint64_t keep2)
{
	struct vmm_oversub *ov = vm->ov;

	for (uint64_t n = 0; n < ov->nr_frames; n++) {
		uint64_t f = ov->hand;
		int r;

		ov->hand = (ov->hand + 1) % ov->nr_frames;
		if (f == keep1 || f == keep2 || ov->blob[f])
			continue;
		r = evict_frame(vm, cpu, f);
		if (r <= 0)
			return r;
	}
	return -ENOSPC;
}

/* ---------------------------------------------------------------------- */
/* Reload                                                                 */
/* ---------------------------------------------------------------------- */

/* A host page for held frame (f), evicting others of the VM while it is at its limit. */
static int reload_page(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t keep,
		       uint64_t *ret_pa)
{
	uint64_t index;
	struct vmm_section *sec = ov_frame_sec(vm, f, &index);
	int r;

	for (;;) {
		r = host_vepc_reload_begin(sec->vepc, index, ret_pa);
		if (r != -ENOMEM && r != -EAGAIN)
			return r;
		if (r == -EAGAIN)
			host_reclaim(vm->m->host, cpu, NULL, HOST_RECLAIM_BATCH);
		else if ((r = evict_one(vm, cpu, f, keep)))
			return r;
	}
}

static int reload_frame(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, unsigned int *stall)
{
	struct vmm_oversub *ov = vm->ov;
	struct vmm_blob *b = ov->blob[f];
	uint64_t index, pa, secs_pa = 0;
	struct vmm_section *sec = ov_frame_sec(vm, f, &index);
	int r;

	if (!b)
		return 0; /* another vCPU's fault reloaded it first */
	if (b->pt != SGX_PT_SECS) {
		/* The child's SECS must be in the EPC for ELDU: bring it first. */
		r = ov->blob[b->secs_frame] ? reload_frame(vm, cpu, b->secs_frame, stall) : 0;
		if (r)
			return r;
		if (!ov_frame_pa(vm, b->secs_frame, &secs_pa))
			return -EIO;
	}
	r = reload_page(vm, cpu, f, b->pt == SGX_PT_SECS ? f : b->secs_frame, &pa);
	if (r)
		return r;
	if (ov->mode == VM_OVERSUB_TRAP)
		r = ov_trap_reload(vm, cpu, f, pa, secs_pa);
	else
		r = ov_ext_reload(vm, cpu, f, pa, secs_pa);
	host_vepc_reload_finish(sec->vepc, index, pa, r >= 0);
	if (r < 0)
		return r;
	free(b);
	ov->blob[f] = NULL;
	atomic_fetch_sub(&ov->blobs, 1);
	atomic_fetch_add(&ov->reloaded, 1);
	(*stall)++;
	return r ? -EIO : 0;
}

/* Enter VMX root operation on the VMM's CPU, with the EPT lock held for writing. */
static struct hw_cpu *vmm_enter(struct vmm_vm *vm)
{
	struct hw_cpu *cpu = hw_processor_cpu(vm->m->proc, 0);

	pthread_rwlock_wrlock(&vm->ov->ept);
	pthread_mutex_lock(&ov_cpu_lock);
	hw_cpu_set_addr_space(cpu, NULL);
	hw_cpu_set_vmx(cpu, HW_VMX_ROOT, false);
	return cpu;
}

static void vmm_leave(struct vmm_vm *vm, struct hw_cpu *cpu)
{
	hw_cpu_set_vmx(cpu, HW_VMX_OFF, false);
	pthread_mutex_unlock(&ov_cpu_lock);
	pthread_rwlock_unlock(&vm->ov->ept);
}

int vmm_oversub_fault(struct vmm_vcpu *vcpu, uint64_t gpa, bool first_touch)
{
	struct vmm_vm *vm = vcpu->vm;
	struct vmm_oversub *ov = vm->ov;
	struct hw_cpu *cpu;
	unsigned int stall = 0;
	uint64_t f, old;
	int r;

	if (!ov || !ov_gpa_frame(vm, gpa, &f))
		return -EFAULT;
	cpu = vmm_enter(vm);
	if (first_touch)
		r = ov->blob[f] ? 0 : evict_one(vm, cpu, f, f);
	else
		r = reload_frame(vm, cpu, f, &stall);
	vmm_leave(vm, cpu);
	old = atomic_load(&ov->worst_stall);
	while (stall > old && !atomic_compare_exchange_weak(&ov->worst_stall, &old, stall))
		;
	return r;
}

int vmm_oversub_evict(struct vmm_vm *vm, uint64_t nr, uint64_t *ret_done)
{
	struct hw_cpu *cpu;
	uint64_t done = 0;
	int r = 0;

	if (!vm->ov)
		return -EPERM;
	cpu = vmm_enter(vm);
	while (done < nr && !(r = evict_one(vm, cpu, UINT64_MAX, UINT64_MAX)))
		done++;
	vmm_leave(vm, cpu);
	*ret_done = done;
	return r == -ENOSPC ? 0 : r;
}
