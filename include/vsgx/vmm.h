/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor: a modelled SGX host machine (a processor and the host SGX
 * driver on it) running SGX virtual machines, as KVM + QEMU or Xen do.
 *
 * A VM is built from a struct vm_config (<vsgx/vmm-config.h>). Each of its
 * EPC sections is a virtual EPC instance of the host driver mapped into the
 * guest's physical address space right after RAM above 4 GiB (the layout of
 * <vsgx/vmm-layout.h>); a page is allocated on the guest's first touch, as
 * an EPT violation does, or all at creation with prealloc. A vCPU issues
 * ENCLS and ENCLU through the hypervisor: ECREATE and EINIT are intercepted
 * as KVM does (SECS checked against the guest's CPUID; the guest's virtual
 * LE hash written to the processor right before EINIT), the other leaves run
 * on the processor with the guest's address space, and faults come back as
 * faults injected into the guest.
 *
 * A vCPU runs on one logical CPU of the host, chosen when the VM is created.
 * When another vCPU needs that CPU while this one is inside an enclave, the
 * host preempts it: an interrupt, so an asynchronous exit (AEX), exactly as
 * a timer tick would on real hardware. The guest finds out from
 * vmm_vcpu_preempted() and resumes its thread with ERESUME.
 *
 * Lifecycle (the seed's conclusion, which QEMU's merged code falls short of):
 * a reset stops every vCPU (AEX for any inside an enclave), calls
 * SGX_IOC_VEPC_REMOVE_ALL on every section, then again on those that
 * returned nonzero, never closing and reopening an instance, and reports
 * -EBUSY and a nonzero second pass instead of ignoring them. S3, S4 and S5
 * lose the EPC the same way. Destroy releases the instances; SECS pages
 * pinned by children in another VM's instance become the host's zombies.
 *
 * Results are 0 or -errno, with a one-line message in (why) for the ones a
 * user can act on. A VM whose EPC fault fails at run time (host EPC
 * exhausted) stops with VMM_VM_ERROR and its reason, as KVM_RUN's -EFAULT
 * stops QEMU; nothing else is lost.
 */
#ifndef VSGX_VMM_H
#define VSGX_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/encls.h"
#include "vsgx/processor.h"
#include "vsgx/vmm-config.h"
#include "vsgx/vmm-layout.h"

struct host;
struct vmm;
struct vmm_vm;
struct vmm_vcpu;

/*
 * Power on a host machine described by (desc) and start its SGX driver
 * (which sanitizes the EPC). Return: 0, -EINVAL (a description no part
 * could have), -ENODEV (no SGX), -ENOMEM (EPC whose metadata is more than
 * this machine's memory, or an allocation failed); (why) always says why.
 */
int vmm_create(const struct hw_desc *desc, struct vmm **ret, char *why, size_t why_len);

/* Destroy every VM, stop the driver, power off. Accepts NULL. */
void vmm_destroy(struct vmm *m);

/*
 * Run each vCPU of the VMs created from now on on its own host thread (as
 * KVM and QEMU's multi-threaded TCG do): everything a vCPU does (its ENCLS
 * and ENCLU, enclave accesses, faults, MSRs, AEXes) runs there, handed over
 * by the vmm_vcpu_*() calls, which wait for it, so results are the same as
 * without threads; stopping and resetting a VM's vCPUs runs on all of their
 * threads at once. Threads start at vmm_vm_create() (which fails with the
 * reason when one cannot) and are joined at vmm_vm_destroy().
 */
void vmm_set_vcpu_threads(struct vmm *m, bool on);

struct hw_processor *vmm_processor(struct vmm *m);
struct host *vmm_host(struct vmm *m);

/* The CPU the hypervisor itself issues ENCLS on (driver calls, resets). */
struct hw_cpu *vmm_host_cpu(struct vmm *m);

enum vmm_vm_state {
	VMM_VM_RUNNING,	  /* created and running (a new VM starts running) */
	VMM_VM_PAUSED,	  /* stopped by the user; resumes where it was */
	VMM_VM_SUSPENDED, /* S3: RAM kept, EPC lost; wakes up with vmm_vm_wake() */
	VMM_VM_OFF,	  /* S4 / S5: powered off; vmm_vm_power_on() boots it again */
	VMM_VM_ERROR,	  /* stopped by an error it cannot survive (see its reason) */
};

/* "running", "paused", "suspended", "off", "error" */
const char *vmm_vm_state_name(enum vmm_vm_state s);

/*
 * Create a VM named (name) from (cfg): RAM (lazily backed), one vEPC
 * instance per EPC section on a host node the section's policy allows
 * (preferring the first node of its host-nodes, else the guest node when
 * the host has it, else node 0), charged to an EPC owner of its own, and
 * one MSR state per vCPU reset by the guest firmware. With prealloc every
 * page of that section is faulted in now, and a host that lacks them fails
 * the creation cleanly (everything given back).
 * Return: 0, -EEXIST (the name is taken), -ENOSPC (too many VMs), -ENOMEM
 * (host EPC or memory short; (why) says which), -EINVAL.
 */
int vmm_vm_create(struct vmm *m, const char *name, const struct vm_config *cfg, struct vmm_vm **ret,
		  char *why, size_t why_len);

/* What destroying a VM gave back to the host. */
struct vmm_vm_teardown {
	uint64_t pages;	       /* EPC pages its sections held */
	uint64_t zombies;      /* SECS pages a section's release had to leave as zombies */
	uint64_t zombies_left; /* zombies on the whole host once every section went */
};

/*
 * Destroy a VM: stop its vCPUs, release every vEPC instance in section
 * order. A SECS whose children live in another instance (a later section)
 * becomes a zombie when its own section goes and is freed when the
 * children's section is released. (ret), when not NULL, says what went
 * back. Accepts a NULL (vm).
 */
void vmm_vm_destroy(struct vmm_vm *vm, struct vmm_vm_teardown *ret);

struct vmm_vm *vmm_vm_find(struct vmm *m, const char *name);
unsigned int vmm_nr_vms(const struct vmm *m);
struct vmm_vm *vmm_vm_at(struct vmm *m, unsigned int index);

const char *vmm_vm_name(const struct vmm_vm *vm);
const struct vm_config *vmm_vm_config(const struct vmm_vm *vm);
const struct vm_layout *vmm_vm_layout(const struct vmm_vm *vm);
enum vmm_vm_state vmm_vm_state(const struct vmm_vm *vm);
/* Why the VM is in VMM_VM_ERROR, or "". */
const char *vmm_vm_error(const struct vmm_vm *vm);
struct vmm *vmm_vm_machine(struct vmm_vm *vm);

/*
 * The outcome of taking a VM's EPC away (reset, S3/S4/S5). Every call that
 * takes one zeroes it first; (ran) says whether the passes ran at all.
 */
struct vmm_epc_reset {
	bool ran;
	int result;		   /* 0, or -EBUSY from a pass, or -EIO for a nonzero second pass */
	unsigned int busy_section; /* the section that answered -EBUSY */
	int busy_code;		   /* its leaf's result (SGX_ENCLAVE_ACT, HW_FAULT(#GP)) */
	int64_t first[VM_MAX_SECTIONS];	 /* first pass: SECS pages left, or -errno */
	int64_t second[VM_MAX_SECTIONS]; /* second pass, for the sections that needed one */
	bool retried[VM_MAX_SECTIONS];
	unsigned int aex; /* vCPUs taken out of an enclave by the stop */
};

/*
 * System reset: stop every vCPU (an AEX for any inside an enclave unless
 * (keep_running) models a VMM that forgot to), remove-all on every section,
 * then once more on those that returned nonzero. Afterwards the VM runs
 * (a paused one stays paused, as QEMU keeps a stopped VM stopped) on EPC
 * that is still its own and holds nothing, unless a pass failed: then it is
 * VMM_VM_ERROR with the reason, and (rep) says what happened either way. A
 * VM in VMM_VM_ERROR may be reset again, which is how it recovers.
 * Return: 0, -EBUSY, -EIO (a second pass left SECS pages: a bug of the
 * driver or of the VMM), -EINVAL (the VM is off).
 */
int vmm_vm_reset(struct vmm_vm *vm, bool keep_running, struct vmm_epc_reset *rep);

/* Pause and resume (vCPUs stop and go on; the EPC is untouched). -EINVAL in the wrong state. */
int vmm_vm_pause(struct vmm_vm *vm);
int vmm_vm_resume(struct vmm_vm *vm);

/*
 * Sleep states: S3 (suspend to RAM: the platform's EPC is lost, RAM kept),
 * S4 (hibernate) and S5 (power off): the EPC goes the reset's way, and the
 * VM is VMM_VM_SUSPENDED (S3) or VMM_VM_OFF (S4, S5). vmm_vm_wake() brings
 * a suspended VM back; vmm_vm_power_on() boots one that is off.
 * Return: as vmm_vm_reset(), or -EINVAL in the wrong state.
 */
int vmm_vm_sleep(struct vmm_vm *vm, unsigned int sleep_state, struct vmm_epc_reset *rep);
int vmm_vm_wake(struct vmm_vm *vm);
int vmm_vm_power_on(struct vmm_vm *vm);

/*
 * Migrate (vm) to a new VM named (name) on the same host, as QEMU does
 * (it does not block migrating SGX VMs): RAM and vCPU state, including the
 * LE hash MSRs, go across; EPC contents cannot, as the EPCM and the keys
 * that protect evicted pages are bound to the platform, so the new VM's EPC
 * starts empty and its guest finds its enclaves lost on their next use. The
 * source is left as it was, stopped; the caller destroys it once the guest
 * runs on the new VM (guest_moved()).
 * Return: 0, or vmm_vm_create()'s errors, -EINVAL when (vm) is not running.
 */
int vmm_vm_migrate(struct vmm_vm *vm, const char *name, struct vmm_vm **ret, char *why,
		   size_t why_len);

/* Counters over a VM's life, for reports. */
struct vmm_vm_stats {
	uint64_t epc_configured; /* pages */
	uint64_t epc_held;	 /* pages faulted in (allocated from the host) */
	uint64_t resets;	 /* resets and sleeps that removed the EPC */
	uint64_t reset_failures;
	uint64_t epc_faults; /* guest first touches that allocated a page */
	uint64_t epc_fault_failures;
	uint64_t injected_gp, injected_pf, injected_ud;
	uint64_t injected_mc;	  /* machine checks on poisoned EPC, passed on as QEMU does */
	uint64_t ecreate_refused; /* ECREATEs KVM's checks turned into #GP */
	uint64_t preemptions;	  /* AEXes the host forced */
	uint64_t limit_hits;	  /* from the VM's EPC owner */
};
void vmm_vm_stats(struct vmm_vm *vm, struct vmm_vm_stats *ret);
/*
 * Oversubscription (epc_policy "oversubscribe"): what the VMM evicted behind
 * the guest's back and reloaded on its next access. All zero for another
 * policy.
 */
struct vmm_oversub_info {
	enum vm_epc_oversub mode; /* with the extensions, or by trapping ENCLS */
	uint64_t host_max;	  /* host EPC pages the VM may hold (epc_max) */
	uint64_t evicted;	  /* pages written back (EWB) by the VMM */
	uint64_t reloaded;	  /* pages loaded again (ELDUC, ELDU) on the guest's access */
	uint64_t freed;		  /* invalid pages given back without a write-back */
	uint64_t blobs;		  /* pages the VMM holds written back now */
	uint64_t blob_bytes;	  /* VMM RAM they take */
	uint64_t worst_stall;	  /* the most reloads one guest access waited for */
	uint64_t va_pages;	  /* host EPC pages of the VMM's VA slots */
	uint64_t trapped;	  /* trap mode: guest ENCLS leaves the VMM trapped */
};
void vmm_oversub_query(struct vmm_vm *vm, struct vmm_oversub_info *ret);
/*
 * The EPC pages of the VMM's VA slots for the VM on each host NUMA node:
 * (ret) indexed by node; all zero for a VM that is not oversubscribed.
 */
void vmm_oversub_va_per_node(struct vmm_vm *vm, uint64_t ret[HW_MAX_NODES]);

/*
 * Evict up to (nr) of the VM's pages now, as host pressure would (the pages
 * the VMM may not evict stay). Return: 0 with the count in *ret_done;
 * -EPERM when the VM is not oversubscribed; -EIO, -ENOMEM.
 */
int vmm_oversub_evict(struct vmm_vm *vm, uint64_t nr, uint64_t *ret_done);

/* The EPC pages the VM holds on each host NUMA node: (ret) indexed by node. */
void vmm_vm_epc_per_node(struct vmm_vm *vm, uint64_t ret[HW_MAX_NODES]);

/* Guest-visible state. */
void vmm_vm_cpuid(struct vmm_vm *vm, uint32_t leaf, uint32_t subleaf, struct hw_cpuid_regs *ret);

/*
 * Guest RAM at guest-physical (gpa), (len) bytes that must not leave the
 * RAM range they start in: a host pointer, or NULL outside RAM.
 */
void *vmm_vm_ram(struct vmm_vm *vm, uint64_t gpa, uint64_t len);

unsigned int vmm_vm_nr_vcpus(const struct vmm_vm *vm);
struct vmm_vcpu *vmm_vm_vcpu(struct vmm_vm *vm, unsigned int index);

/* ------------------------------------------------------------------ */
/* vCPUs                                                               */

/*
 * The guest's page tables: (walk) turns a guest linear address into a
 * guest-physical one and returns 0, or -EFAULT when nothing is mapped there
 * (a #PF for the guest). Without one, linear == physical.
 */
struct vmm_guest_pt {
	int (*walk)(void *opaque, uint64_t gla, uint64_t *ret_gpa);
	void *opaque;
};
void vmm_vcpu_set_page_tables(struct vmm_vcpu *vcpu, const struct vmm_guest_pt *pt);

struct vmm_vm *vmm_vcpu_vm(struct vmm_vcpu *vcpu);
unsigned int vmm_vcpu_index(const struct vmm_vcpu *vcpu);

/*
 * ENCLS and ENCLU as the guest executes them, with the architectural
 * register interface of hw_encls()/hw_enclu(). The result is what the guest
 * sees: an SGX code, or HW_FAULT(vector) injected into it, the details in
 * vmm_vcpu_fault(). A VM that is not running gets -EAGAIN; a VM exit the
 * VMM cannot handle stops the VM (VMM_VM_ERROR) and returns -EFAULT.
 */
int vmm_vcpu_encls(struct vmm_vcpu *vcpu, struct hw_regs *regs);
int vmm_vcpu_enclu(struct vmm_vcpu *vcpu, struct hw_regs *regs);
const struct hw_fault *vmm_vcpu_fault(const struct vmm_vcpu *vcpu);

/*
 * An interrupt for a guest thread inside an enclave (the guest's own timer,
 * or its kick before EWB): an AEX with the registers in (gpr).
 * Return: 0, -EINVAL when the vCPU is not inside an enclave, -EAGAIN.
 */
int vmm_vcpu_interrupt(struct vmm_vcpu *vcpu, const struct sgx_ssa_gpr *gpr, uint8_t vector);

/* The enclave code's own loads and stores (hw_enclave_read/write) on the vCPU. */
int vmm_vcpu_enclave_read(struct vmm_vcpu *vcpu, uint64_t gla, void *buf, size_t len);
int vmm_vcpu_enclave_write(struct vmm_vcpu *vcpu, uint64_t gla, const void *buf, size_t len);

/* Inside an enclave right now, and whether the host preempted it since the last call. */
bool vmm_vcpu_inside(const struct vmm_vcpu *vcpu);
bool vmm_vcpu_preempted(struct vmm_vcpu *vcpu);

/* RDMSR/WRMSR by the guest: 0, or HW_FAULT(X86_TRAP_GP) injected. */
int vmm_vcpu_rdmsr(struct vmm_vcpu *vcpu, uint32_t msr, uint64_t *ret);
int vmm_vcpu_wrmsr(struct vmm_vcpu *vcpu, uint32_t msr, uint64_t val);

#endif /* VSGX_VMM_H */
