/* SPDX-License-Identifier: MIT */
/*
 * SGX virtual machines: their RAM and EPC sections, and their lifecycle.
 *
 * Each EPC section is a vEPC instance of the host driver, opened once at
 * creation and kept for the VM's whole life. A reset or a sleep state never
 * closes and reopens it (that would let anyone take the EPC in between, the
 * race the seed thread found in QEMU's first attempt): it EREMOVEs every page
 * with SGX_IOC_VEPC_REMOVE_ALL, twice if a pass left SECS pages whose
 * children sat in another section, and reports what went wrong instead of
 * ignoring it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm-int.h"
#include "vsgx/vmm-cpuid.h"

static const char *const state_names[] = {
	[VMM_VM_RUNNING] = "running", [VMM_VM_PAUSED] = "paused", [VMM_VM_SUSPENDED] = "suspended",
	[VMM_VM_OFF] = "off",	      [VMM_VM_ERROR] = "error",
};

const char *vmm_vm_state_name(enum vmm_vm_state s)
{
	return s <= VMM_VM_ERROR ? state_names[s] : "?";
}

void vmm_vm_fail(struct vmm_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->error, sizeof(vm->error), fmt, ap);
	va_end(ap);
	vm->state = VMM_VM_ERROR;
}

int vmm_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* ---------------------------------------------------------------------- */
/* Creation                                                               */
/* ---------------------------------------------------------------------- */

/* RAM below and above 4 GiB, as one lazily backed host mapping. */
static int vm_ram_alloc(struct vmm_vm *vm)
{
	vm->ram_len = vm->layout.below_4g + vm->layout.above_4g;
	vm->ram = mmap(NULL, vm->ram_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		return -ENOMEM;
	}
	vm->ram_touched = calloc((vm->ram_len >> VM_RAM_REGION_SHIFT) + 1, 1);
	return vm->ram_touched ? 0 : -ENOMEM;
}

/*
 * The host node a section's instance allocates from first: the first of
 * its host-nodes, else the node of the same number as its guest node if the
 * host has EPC there, else node 0.
 */
static unsigned int section_host_node(struct vmm *m, const struct vm_epc_section *s)
{
	struct host_epc_stats st;

	if (s->host_nodes)
		return (unsigned int)__builtin_ctzll(s->host_nodes);
	if (!host_node_stats(m->host, s->node, &st) && st.total)
		return s->node;
	return 0;
}

/* Fault in every page of a section now: prealloc=on. */
static int section_prealloc(struct vmm_vm *vm, unsigned int i, char *why, size_t why_len)
{
	const struct vm_epc_section *s = &vm->cfg.sections[i];
	uint64_t pages = s->size / SGX_PAGE_SIZE, pa;
	struct host_epc_stats st;

	for (uint64_t idx = 0; idx < pages; idx++) {
		int r =
		    vmm_balloon_is_out(vm, i, idx) ? 0 : host_vepc_fault(vm->sec[i].vepc, idx, &pa);

		if (r) {
			host_stats(vm->m->host, &st);
			return vmm_why(
			    why, why_len, r,
			    "cannot preallocate memory-backend-epc '%s': %llu of its %llu "
			    "EPC pages allocated, the host has %llu free; make the section "
			    "smaller or free host EPC",
			    s->memdev, (unsigned long long)idx, (unsigned long long)pages,
			    (unsigned long long)st.free);
		}
	}
	return 0;
}

static int vm_sections_open(struct vmm_vm *vm, char *why, size_t why_len)
{
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		const struct vm_epc_section *s = &vm->cfg.sections[i];
		struct vmm_section *sec = &vm->sec[i];
		int r;

		sec->host_node = section_host_node(vm->m, s);
		sec->gpa = vm->layout.sections[i].base;
		sec->size = s->size;
		r = host_vepc_open(vm->m->host, sec->host_node, vm->owner, &sec->vepc);
		if (!r)
			r = host_vepc_map(sec->vepc, s->size / SGX_PAGE_SIZE);
		if (r)
			return vmm_why(why, why_len, r, "cannot open /dev/sgx_vepc for '%s': %s",
				       s->memdev, strerror(-r));
		if (s->prealloc) {
			r = section_prealloc(vm, i, why, why_len);
			if (r)
				return r;
		}
	}
	return 0;
}

/*
 * Close every section, in order. A SECS whose children sit in a later
 * section cannot be EREMOVEd when its own section goes: the host keeps it
 * as a zombie and frees it when the children's section is released.
 */
static void vm_sections_release(struct vmm_vm *vm, struct vmm_vm_teardown *ret)
{
	struct hw_cpu *cpu = vmm_host_cpu(vm->m);
	struct host_vepc_info info;
	struct host_epc_stats st;

	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		if (vm->sec[i].vepc) {
			host_vepc_query(vm->sec[i].vepc, &info);
			ret->pages += info.present;
		}
		ret->zombies += host_vepc_release(vm->sec[i].vepc, cpu);
		vm->sec[i].vepc = NULL;
	}
	host_stats(vm->m->host, &st);
	ret->zombies_left = st.zombie;
}

static void vm_free(struct vmm_vm *vm, struct vmm_vm_teardown *ret)
{
	struct vmm_vm_teardown ignored;

	if (!ret)
		ret = &ignored;
	memset(ret, 0, sizeof(*ret));
	if (vm->vcpus) {
		vmm_forget_vcpus(vm->m, vm);
		for (unsigned int i = 0; i < vm->cfg.vcpus; i++)
			vmm_vcpu_thread_stop(&vm->vcpus[i]);
	}
	/* No host enclave's allocation may ask this VM to evict from here on. */
	if (vm->owner)
		host_owner_set_evict(vm->owner, NULL, NULL);
	vmm_oversub_free(vm);
	vm_sections_release(vm, ret);
	host_owner_destroy(vm->owner);
	vmm_balloon_free(vm);
	if (vm->ram)
		munmap(vm->ram, vm->ram_len);
	free((void *)vm->ram_touched);
	free(vm->vcpus);
	free(vm);
}

static int vm_check_new(struct vmm *m, const char *name, char *why, size_t why_len)
{
	if (!name || !*name || strlen(name) >= VM_NAME_MAX)
		return vmm_why(why, why_len, -EINVAL, "a VM needs a name of 1 to %d characters",
			       VM_NAME_MAX - 1);
	if (vmm_vm_find(m, name))
		return vmm_why(why, why_len, -EEXIST,
			       "a VM named '%s' exists already; destroy it or pick another name",
			       name);
	/* Room for it first: nothing after the VM is built may fail for lack of it. */
	if (m->nr_vms == m->cap_vms) {
		unsigned int cap = m->cap_vms ? 2 * m->cap_vms : 16;
		struct vmm_vm **vms = cap > m->cap_vms ? realloc(m->vms, cap * sizeof(*vms)) : NULL;

		if (!vms)
			return vmm_why(why, why_len, -ENOMEM, "no memory for another VM");
		m->vms = vms;
		m->cap_vms = cap;
	}
	return 0;
}

/*
 * The oversubscribing VMM's answer to a host enclave's allocation that found
 * an owner above the VM at its max: evict some of the VM's pages.
 */
static uint64_t vm_owner_evict(void *opaque, uint64_t nr)
{
	uint64_t done = 0;

	vmm_oversub_evict(opaque, nr, &done);
	return done;
}

/* The VM's own EPC owner, "vm:NAME", under the owner its config names (else the root). */
static int vm_owner_create(struct vmm_vm *vm, char *why, size_t why_len)
{
	struct host *h = vm->m->host;
	struct host_owner *parent = NULL;
	struct host_owner_info pi;
	char name[HOST_OWNER_NAME_MAX];
	int r;

	if (vm->cfg.epc_owner[0]) {
		parent = host_owner_find(h, vm->cfg.epc_owner);
		if (!parent)
			return vmm_why(
			    why, why_len, -ENOENT,
			    "epc_owner \"%s\": no EPC owner has that name; 'owner create "
			    "%s' first",
			    vm->cfg.epc_owner, vm->cfg.epc_owner);
		host_owner_query(parent, &pi);
		if (pi.kind != HOST_OWNER_ENCLAVES)
			return vmm_why(why, why_len, -EINVAL,
				       "epc_owner \"%s\" is a VM's own owner, which has no "
				       "children; name an owner made by 'owner create'",
				       vm->cfg.epc_owner);
	}
	snprintf(name, sizeof(name), "vm:%s", vm->name);
	r = host_owner_create_in(h, parent, name, HOST_OWNER_VM, HOST_NO_LIMIT, HOST_ON_MAX_REFUSE,
				 &vm->owner);
	if (r)
		return vmm_why(why, why_len, r, "the host driver cannot account the VM's EPC: %s",
			       strerror(-r));
	if (vm->cfg.epc_policy == VM_EPC_OVERSUBSCRIBE)
		host_owner_set_evict(vm->owner, vm_owner_evict, vm);
	return 0;
}

static int vm_build(struct vmm_vm *vm, char *why, size_t why_len)
{
	int r;

	r = vm_layout_build(&vm->cfg, &vm->layout, why, why_len);
	if (r)
		return r;
	r = vm_ram_alloc(vm);
	if (r)
		return vmm_why(why, why_len, r, "cannot allocate %llu MiB of guest RAM",
			       (unsigned long long)(vm->cfg.memory >> 20));
	r = vm_owner_create(vm, why, why_len);
	if (r)
		return r;
	r = vmm_balloon_init(vm);
	if (r)
		return vmm_why(why, why_len, r, "out of memory for the VM's balloon");
	r = vmm_oversub_init(vm, why, why_len);
	if (r)
		return r;
	r = vm_sections_open(vm, why, why_len);
	if (r)
		return r;
	vm->vcpus = calloc(vm->cfg.vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return vmm_why(why, why_len, -ENOMEM, "out of memory for %u vCPUs", vm->cfg.vcpus);
	vm_msr_policy_init(&vm->msr_policy, &vm->cfg);
	for (unsigned int i = 0; i < vm->cfg.vcpus; i++)
		vmm_vcpu_init(&vm->vcpus[i], vm, i);
	for (unsigned int i = 0; vm->m->vcpu_threads && i < vm->cfg.vcpus; i++) {
		r = vmm_vcpu_thread_start(&vm->vcpus[i]);
		if (r)
			return vmm_why(why, why_len, r,
				       "cannot start a host thread for vCPU %u: %s", i,
				       strerror(-r));
	}
	return 0;
}

int vmm_vm_create(struct vmm *m, const char *name, const struct vm_config *cfg, struct vmm_vm **ret,
		  char *why, size_t why_len)
{
	struct vmm_vm *vm;
	int r;

	r = vm_check_new(m, name, why, why_len);
	if (r)
		return r;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return vmm_why(why, why_len, -ENOMEM, "out of memory for a VM");
	vm->m = m;
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->cfg = *cfg;
	r = vm_build(vm, why, why_len);
	if (r) {
		vm_free(vm, NULL);
		return r;
	}
	vm->state = VMM_VM_RUNNING;
	m->vms[m->nr_vms++] = vm;
	*ret = vm;
	return 0;
}

/*
 * Stop every vCPU: any inside an enclave takes an interrupt (AEX). Returns
 * how many did. With vCPU threads the interrupts go to all of them before
 * any is waited for, as a VMM kicks every vCPU thread and then waits.
 */
static unsigned int vm_stop_vcpus(struct vmm_vm *vm)
{
	struct vmm_vcpu *inside[HW_MAX_CPUS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < vm->cfg.vcpus; i++) {
		if (vm->vcpus[i].inside)
			inside[n++] = &vm->vcpus[i];
	}
	vmm_vcpus_kick(inside, n);
	return n;
}

void vmm_vm_destroy(struct vmm_vm *vm, struct vmm_vm_teardown *ret)
{
	struct vmm *m;

	if (!vm) {
		if (ret)
			memset(ret, 0, sizeof(*ret));
		return;
	}
	m = vm->m;
	vm_stop_vcpus(vm);
	for (unsigned int i = 0; i < m->nr_vms; i++) {
		if (m->vms[i] == vm) {
			m->vms[i] = m->vms[--m->nr_vms];
			break;
		}
	}
	vm_free(vm, ret);
}

/* ---------------------------------------------------------------------- */
/* Taking the EPC away: reset and sleep states                            */
/* ---------------------------------------------------------------------- */

/* One remove-all pass over (which) sections. Returns SECS pages left, or -EBUSY. */
static int64_t epc_pass(struct vmm_vm *vm, const bool *which, int64_t *res,
			struct vmm_epc_reset *rep)
{
	struct hw_cpu *cpu = vmm_host_cpu(vm->m);
	int64_t left = 0;
	bool busy = false;

	/* Every section gets its call, even after one answered -EBUSY: each cleans what it can. */
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		int code = 0;

		if (!which[i])
			continue;
		res[i] = host_vepc_remove_all(vm->sec[i].vepc, cpu, &code);
		if (res[i] < 0 && !busy) {
			busy = true;
			rep->busy_section = i;
			rep->busy_code = code;
		}
		if (res[i] > 0)
			left += res[i];
	}
	return busy ? -EBUSY : left;
}

static const char *code_text(int code, char *buf, size_t len)
{
	const char *name =
	    hw_faulted(code) ? hw_vector_name((unsigned int)hw_trapnr(code)) : hw_code_name(code);

	snprintf(buf, len, "%s", name ? name : "?");
	return buf;
}

/*
 * The documented protocol: every section once, then again those that
 * answered nonzero; a nonzero second answer is a bug, -EBUSY a vCPU that
 * was not stopped or a concurrent EREMOVE.
 */
static int vm_epc_remove(struct vmm_vm *vm, struct vmm_epc_reset *rep)
{
	bool all[VM_MAX_SECTIONS], again[VM_MAX_SECTIONS] = { false };
	unsigned int n = vm->cfg.nr_sections;
	char code[32];
	int64_t left;

	for (unsigned int i = 0; i < n; i++)
		all[i] = true;
	/* What the VMM holds written back was the guest's enclaves: gone with them. */
	vmm_oversub_discard(vm);
	left = epc_pass(vm, all, rep->first, rep);
	if (left < 0)
		goto err_busy;
	if (!left)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		again[i] = rep->retried[i] = rep->first[i] > 0;
	left = epc_pass(vm, again, rep->second, rep);
	if (left < 0)
		goto err_busy;
	if (!left)
		return 0;
	rep->result = -EIO;
	vmm_vm_fail(vm,
		    "reset failed: the second SGX_IOC_VEPC_REMOVE_ALL pass left %lld SECS "
		    "pages: a bug in the host driver or the VMM",
		    (long long)left);
	return -EIO;

err_busy:
	rep->result = -EBUSY;
	vmm_vm_fail(vm,
		    "reset failed: SGX_IOC_VEPC_REMOVE_ALL on EPC section %u returned EBUSY "
		    "(%s): a vCPU was still inside an enclave",
		    rep->busy_section, code_text(rep->busy_code, code, sizeof(code)));
	return -EBUSY;
}

static int vm_take_epc(struct vmm_vm *vm, bool keep_running, struct vmm_epc_reset *rep)
{
	struct vmm_vcpu *all[HW_MAX_CPUS];
	struct vmm_epc_reset local;
	int r;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if (vm->state == VMM_VM_OFF)
		return -EINVAL;
	rep->ran = true;
	if (!keep_running)
		rep->aex = vm_stop_vcpus(vm);
	r = vm_epc_remove(vm, rep);
	vm->st.resets++;
	if (r) {
		vm->st.reset_failures++;
		return r;
	}
	for (unsigned int i = 0; i < vm->cfg.vcpus; i++)
		all[i] = &vm->vcpus[i];
	/* INIT reaches every vCPU at once; each resets its own state. */
	vmm_vcpus_reset(all, vm->cfg.vcpus);
	return 0;
}

int vmm_vm_reset(struct vmm_vm *vm, bool keep_running, struct vmm_epc_reset *rep)
{
	bool paused = vm->state == VMM_VM_PAUSED;
	int r = vm_take_epc(vm, keep_running, rep);

	if (r)
		return r;
	/* As QEMU's system_reset: a stopped VM stays stopped; a failed one runs again. */
	vm->state = paused ? VMM_VM_PAUSED : VMM_VM_RUNNING;
	vm->error[0] = '\0';
	return 0;
}

int vmm_vm_sleep(struct vmm_vm *vm, unsigned int sleep_state, struct vmm_epc_reset *rep)
{
	int r;

	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (sleep_state < 3 || sleep_state > 5 || vm->state != VMM_VM_RUNNING)
		return -EINVAL;
	r = vm_take_epc(vm, false, rep);
	if (!r)
		vm->state = sleep_state == 3 ? VMM_VM_SUSPENDED : VMM_VM_OFF;
	return r;
}

static int vm_move(struct vmm_vm *vm, enum vmm_vm_state from, enum vmm_vm_state to)
{
	if (vm->state != from)
		return -EINVAL;
	vm->state = to;
	return 0;
}

int vmm_vm_wake(struct vmm_vm *vm)
{
	return vm_move(vm, VMM_VM_SUSPENDED, VMM_VM_RUNNING);
}

int vmm_vm_power_on(struct vmm_vm *vm)
{
	return vm_move(vm, VMM_VM_OFF, VMM_VM_RUNNING);
}

int vmm_vm_pause(struct vmm_vm *vm)
{
	if (vm->state != VMM_VM_RUNNING)
		return -EINVAL;
	/* A paused vCPU is out of guest mode: out of any enclave too. */
	vm_stop_vcpus(vm);
	vm->state = VMM_VM_PAUSED;
	return 0;
}

int vmm_vm_resume(struct vmm_vm *vm)
{
	return vm_move(vm, VMM_VM_PAUSED, VMM_VM_RUNNING);
}

/* ---------------------------------------------------------------------- */
/* Migration                                                              */
/* ---------------------------------------------------------------------- */

static bool page_is_zero(const uint8_t *p)
{
	for (size_t i = 0; i < SGX_PAGE_SIZE; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, sizeof(v));
		if (v)
			return false;
	}
	return true;
}

/*
 * Pages of the host mapping at (addr) that have memory behind them, resident
 * or swapped out, from /proc/self/pagemap (bits 63 and 62 of each 8-byte
 * entry; the flags need no privilege). Return: 0, or -1 when it cannot tell.
 */
static int ram_backed(int pagemap, const uint8_t *addr, uint64_t pages, uint64_t *map)
{
	off_t off = (off_t)((uintptr_t)addr / SGX_PAGE_SIZE * sizeof(*map));
	size_t len = pages * sizeof(*map);

	if (pagemap < 0 || pread(pagemap, map, len, off) != (ssize_t)len)
		return -1;
	for (uint64_t i = 0; i < pages; i++)
		map[i] = map[i] >> 62 & 3;
	return 0;
}

#define REGION_PAGES ((1ULL << VM_RAM_REGION_SHIFT) / SGX_PAGE_SIZE)

/* Copy the pages of one touched region that have memory and are not zeros. */
static void migrate_region(struct vmm_vm *dst, const struct vmm_vm *src, int pagemap,
			   uint64_t region)
{
	uint64_t map[REGION_PAGES], first = region * REGION_PAGES;
	uint64_t n = src->ram_len / SGX_PAGE_SIZE - first;
	bool known;

	n = n < REGION_PAGES ? n : REGION_PAGES;
	known = !ram_backed(pagemap, src->ram + first * SGX_PAGE_SIZE, n, map);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t off = (first + i) * SGX_PAGE_SIZE;

		if ((!known || map[i]) && !page_is_zero(src->ram + off))
			memcpy(dst->ram + off, src->ram + off, SGX_PAGE_SIZE);
	}
	atomic_store_explicit(&dst->ram_touched[region], 1, memory_order_relaxed);
}

/*
 * Copy the RAM the guest wrote: only regions it was handed pointers into
 * (as a migration's dirty log would tell), and in them only pages with host
 * memory behind them, which the page map tells. A large, mostly idle guest
 * moves in time proportional to what it used, not to its configured RAM
 * (32 TiB took 38 s of page-map reads). Where the page map cannot be read,
 * every page of a touched region is looked at.
 */
static void migrate_ram(struct vmm_vm *dst, const struct vmm_vm *src)
{
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t regions = (src->ram_len + REGION_PAGES * SGX_PAGE_SIZE - 1) >> VM_RAM_REGION_SHIFT;

	for (uint64_t r = 0; r < regions; r++) {
		if (atomic_load_explicit(&src->ram_touched[r], memory_order_relaxed))
			migrate_region(dst, src, pagemap, r);
	}
	if (pagemap >= 0)
		close(pagemap);
}

int vmm_vm_migrate(struct vmm_vm *vm, const char *name, struct vmm_vm **ret, char *why,
		   size_t why_len)
{
	struct vmm_vm *dst;
	int r;

	if (vm->state != VMM_VM_RUNNING)
		return vmm_why(why, why_len, -EINVAL, "VM '%s' is %s; only a running VM migrates",
			       vm->name, vmm_vm_state_name(vm->state));
	r = vmm_vm_create(vm->m, name, &vm->cfg, &dst, why, why_len);
	if (r)
		return r;
	/* The source stops: a vCPU inside an enclave takes an interrupt first. */
	vm_stop_vcpus(vm);
	vm->state = VMM_VM_PAUSED;
	migrate_ram(dst, vm);
	/* Frames the guest gave away stay given away: its balloon driver remembers them. */
	vmm_balloon_copy(dst, vm);
	for (unsigned int i = 0; i < vm->cfg.vcpus; i++) {
		dst->vcpus[i].msrs.feature_control = vm->vcpus[i].msrs.feature_control;
		memcpy(dst->vcpus[i].msrs.lehash, vm->vcpus[i].msrs.lehash,
		       sizeof(dst->vcpus[i].msrs.lehash));
	}
	*ret = dst;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */
/* ---------------------------------------------------------------------- */

const char *vmm_vm_name(const struct vmm_vm *vm)
{
	return vm->name;
}

const struct vm_config *vmm_vm_config(const struct vmm_vm *vm)
{
	return &vm->cfg;
}

const struct vm_layout *vmm_vm_layout(const struct vmm_vm *vm)
{
	return &vm->layout;
}

enum vmm_vm_state vmm_vm_state(const struct vmm_vm *vm)
{
	return vm->state;
}

const char *vmm_vm_error(const struct vmm_vm *vm)
{
	return vm->error;
}

struct vmm *vmm_vm_machine(struct vmm_vm *vm)
{
	return vm->m;
}

unsigned int vmm_vm_nr_vcpus(const struct vmm_vm *vm)
{
	return vm->cfg.vcpus;
}

struct vmm_vcpu *vmm_vm_vcpu(struct vmm_vm *vm, unsigned int index)
{
	return index < vm->cfg.vcpus ? &vm->vcpus[index] : NULL;
}

void vmm_vm_stats(struct vmm_vm *vm, struct vmm_vm_stats *ret)
{
	struct host_owner_info owner;

	*ret = vm->st;
	ret->epc_configured = vm_config_epc_size(&vm->cfg) / SGX_PAGE_SIZE;
	ret->epc_held = ret->epc_faults = ret->epc_fault_failures = 0;
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		struct host_vepc_info v;

		host_vepc_query(vm->sec[i].vepc, &v);
		ret->epc_held += v.present;
		ret->epc_faults += v.faults;
		ret->epc_fault_failures += v.failed_faults;
	}
	host_owner_query(vm->owner, &owner);
	ret->limit_hits = owner.limit_hits;
}

void vmm_vm_epc_per_node(struct vmm_vm *vm, uint64_t ret[HW_MAX_NODES])
{
	uint64_t on[HW_MAX_NODES];

	memset(ret, 0, HW_MAX_NODES * sizeof(*ret));
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		host_vepc_query_nodes(vm->sec[i].vepc, on);
		for (unsigned int n = 0; n < HW_MAX_NODES; n++)
			ret[n] += on[n];
	}
}

void vmm_vm_cpuid(struct vmm_vm *vm, uint32_t leaf, uint32_t subleaf, struct hw_cpuid_regs *ret)
{
	vm_cpuid(vm->m->proc, &vm->cfg, &vm->layout, leaf, subleaf, ret);
}

/* Note the regions of [off, off + len) of RAM as touched, for migration. */
static void *ram_touch(struct vmm_vm *vm, uint64_t off, uint64_t len)
{
	uint64_t last = (off + (len ? len - 1 : 0)) >> VM_RAM_REGION_SHIFT;

	for (uint64_t r = off >> VM_RAM_REGION_SHIFT; r <= last; r++) {
		if (!atomic_load_explicit(&vm->ram_touched[r], memory_order_relaxed))
			atomic_store_explicit(&vm->ram_touched[r], 1, memory_order_relaxed);
	}
	return vm->ram + off;
}

void *vmm_vm_ram(struct vmm_vm *vm, uint64_t gpa, uint64_t len)
{
	const struct vm_layout *l = &vm->layout;

	if (gpa < l->below_4g && len <= l->below_4g - gpa)
		return ram_touch(vm, gpa, len);
	if (gpa >= VM_4G && gpa - VM_4G < l->above_4g && len <= l->above_4g - (gpa - VM_4G))
		return ram_touch(vm, l->below_4g + (gpa - VM_4G), len);
	return NULL;
}
