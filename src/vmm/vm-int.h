/* SPDX-License-Identifier: MIT */
/* The hypervisor's machine, VMs and vCPUs: shared by machine.c, vm.c and vcpu.c only. */
#ifndef VSGX_VMM_VM_INT_H
#define VSGX_VMM_VM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsgx/host.h"
#include "vsgx/vmm-msr.h"
#include "vsgx/vmm.h"

/* Migration's unit of "touched" RAM: 2 MiB, one page of the page map. */
#define VM_RAM_REGION_SHIFT 21

struct vmm {
	struct hw_processor *proc;
	struct host *host;
	struct vmm_vm **vms; /* as many as memory allows */
	unsigned int nr_vms, cap_vms;
	/* The vCPU that last ran on each logical CPU, which may still be inside an enclave. */
	struct vmm_vcpu *cpu_owner[HW_MAX_CPUS];
	unsigned int next_cpu; /* round robin over the CPUs vCPUs run on */
	/*
	 * The host kernel has SGX_LC (the LE hash MSRs are writable): it traps
	 * every guest's EINIT to load that vCPU's virtual hash first.
	 */
	bool host_lc;
	bool vcpu_threads; /* VMs created from now on run each vCPU on its own thread */
};

struct vmm_vcpu_thread;

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned int index;
	unsigned int hcpu; /* the logical CPU it runs on */
	struct vm_vcpu_msrs msrs;
	struct vmm_guest_pt pt;
	struct hw_fault fault;		/* the last fault injected */
	bool inside;			/* in an enclave on hcpu */
	bool preempted;			/* the host forced an AEX since the guest last asked */
	struct vmm_vcpu_thread *thread; /* its host thread (vcpu-thread.c), or NULL */
	/*
	 * An EPT violation met in the last leaf, the VMM's to handle once it is
	 * out: an oversubscribed VM's frame the VMM holds (reload) or first
	 * touch over its limit (room); any VM's first touch on a host with no
	 * free EPC page (pressure: oversubscribed VMs evict for it); a first
	 * touch the host asked to retry (reclaim: the host writes back
	 * host-enclave pages on the vCPU's own CPU once the leaf left it).
	 */
	enum {
		VCPU_OV_NONE,
		VCPU_OV_RELOAD,
		VCPU_OV_ROOM,
		VCPU_OV_PRESSURE,
		VCPU_OV_RECLAIM
	} ov_need;
	uint64_t ov_gpa;
	uint64_t tcs, aep; /* of the last EENTER or ERESUME: what the AEP resumes */
};

struct vmm_section {
	struct host_vepc *vepc;
	uint64_t gpa, size;
	unsigned int host_node;
};

/* A ballooning VM's reservation (balloon.c). */
struct vmm_balloon {
	/* Hypercalls from several vCPU threads and the user's target: (out) and the counts. */
	pthread_mutex_t lock;
	uint64_t max, current, target; /* pages */
	uint64_t decreased, increased;
	uint8_t *out; /* one byte per frame, in section order: 1 = ballooned out */
};

struct vmm_vm {
	struct vmm *m;
	char name[VM_NAME_MAX];
	struct vm_config cfg;
	struct vm_layout layout;
	struct vm_msr_policy msr_policy;
	enum vmm_vm_state state;
	char error[200];
	uint8_t *ram;
	uint64_t ram_len;
	/*
	 * One flag per VM_RAM_REGION of RAM: set once a pointer into it was
	 * handed out (vmm_vm_ram()), so migration looks only at RAM the VM
	 * touched, not at every page of its configured size.
	 */
	atomic_uchar *ram_touched;
	struct vmm_section sec[VM_MAX_SECTIONS];
	struct host_owner *owner;
	struct vmm_vcpu *vcpus;
	struct vmm_vm_stats st; /* the counters the VMM keeps itself */
	/* Set by a vCPU's translation when a vEPC fault failed (KVM_RUN's -EFAULT). */
	bool epc_fault_failed;
	uint64_t epc_fault_gpa;
	struct vmm_balloon balloon;
	struct vmm_oversub *ov; /* epc_policy "oversubscribe" (oversub*.c), else NULL */
};

/*
 * Make (vcpu) the one running on its logical CPU: the vCPU that ran there
 * last is preempted out of any enclave (an AEX), and the CPU gets (vcpu)'s
 * address space. Returns the CPU.
 */
struct hw_cpu *vmm_vcpu_load(struct vmm_vcpu *vcpu);

/* Take (vcpu) out of its enclave with an interrupt: an AEX, as a host timer tick. */
void vmm_vcpu_kick(struct vmm_vcpu *vcpu);
/* The same for (n) vCPUs at once, each on its own thread when it has one. */
void vmm_vcpus_kick(struct vmm_vcpu *const *vcpus, unsigned int n);

/* Stop the VM on an exit it cannot survive, with its reason. */
void vmm_vm_fail(struct vmm_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write a reason to (why) when it is not NULL, and return (err). */
int vmm_why(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Put a new vCPU of (vm) on the next logical CPU; set up its MSRs as firmware leaves them. */
void vmm_vcpu_init(struct vmm_vcpu *vcpu, struct vmm_vm *vm, unsigned int index);
void vmm_vcpu_reset(struct vmm_vcpu *vcpu);
void vmm_vcpus_reset(struct vmm_vcpu *const *vcpus, unsigned int n);

/*
 * vCPU threads (vcpu-thread.c). Start (vcpu)'s thread: 0 or -errno. Stop
 * and join it; accepts a vCPU without one.
 */
int vmm_vcpu_thread_start(struct vmm_vcpu *vcpu);
void vmm_vcpu_thread_stop(struct vmm_vcpu *vcpu);

typedef void (*vmm_vcpu_fn)(struct vmm_vcpu *vcpu, void *arg);
/* Run fn(vcpu, arg) on (vcpu)'s thread and wait for it; here when it has none or this is it. */
void vmm_vcpu_call(struct vmm_vcpu *vcpu, vmm_vcpu_fn fn, void *arg);
/* The same on (n) vCPUs at once: handed to all of them, then waited for. */
void vmm_vcpus_call(struct vmm_vcpu *const *vcpus, unsigned int n, vmm_vcpu_fn fn, void *arg);

/* Forget a destroyed VM's vCPUs as owners of their CPUs. */
void vmm_forget_vcpus(struct vmm *m, struct vmm_vm *vm);

/*
 * balloon.c: the reservation of a ballooning VM, set up before its sections
 * open (cfg.epc_start says how much it starts with) and limiting its EPC
 * owner; a copy of another VM's, for migration. 0 or -ENOMEM.
 */
int vmm_balloon_init(struct vmm_vm *vm);
int vmm_balloon_copy(struct vmm_vm *dst, const struct vmm_vm *src);
void vmm_balloon_free(struct vmm_vm *vm);
/* Whether page (index) of section (sec) is ballooned out: prealloc skips it. */
bool vmm_balloon_is_out(const struct vmm_vm *vm, unsigned int sec, uint64_t index);

/*
 * oversub.c: oversubscription, with the EPC Oversubscription Extensions
 * (oversub-ext.c) or by trapping ENCLS (oversub-trap.c). init takes the
 * VMM's VA pages and sets the owner's limit (before the sections open);
 * discard drops every blob (a reset: the guest's EPC is clean); free also
 * gives the VA pages back. Accept a VM of another policy.
 */
int vmm_oversub_init(struct vmm_vm *vm, char *why, size_t why_len);
void vmm_oversub_discard(struct vmm_vm *vm);
void vmm_oversub_free(struct vmm_vm *vm);
bool vmm_oversub_enabled(const struct vmm_vm *vm);
/* Oversubscribed by trapping ENCLS: every guest leaf goes through the two hooks below. */
bool vmm_oversub_traps(const struct vmm_vm *vm);

/* A guest ENCLS leaf as the trapping VMM decoded it, before it runs. */
struct vmm_trap_leaf {
	unsigned int leaf;
	bool page_ok;	   /* RCX's page translated: page_gpa */
	bool secs_ok;	   /* PAGEINFO.SECS read and translated: secs_gpa */
	uint64_t page_gpa; /* the EPC page the leaf works on */
	uint64_t secs_gpa; /* EADD, EAUG, ELDB, ELDU of a child: its SECS */
	unsigned int pt;   /* EADD: SECINFO's page type; ELDB, ELDU: the PCMD's */
};
/*
 * Before the leaf runs (the EPT lock held for reading): true when the VMM
 * must reload a frame first (vcpu->ov_need and ov_gpa set: the guest's
 * EREMOVE or EWB of a SECS whose children the VMM holds must find one).
 */
bool vmm_oversub_trap_before(struct vmm_vcpu *vcpu, const struct vmm_trap_leaf *t);
/* After it ran to (r), a code or a fault: what it made of its frames, and the count. */
void vmm_oversub_trap_after(struct vmm_vm *vm, const struct vmm_trap_leaf *t, int r);
/* Around every leaf a vCPU runs: the EPT lock, for reading. */
void vmm_oversub_leaf_begin(struct vmm_vm *vm);
void vmm_oversub_leaf_end(struct vmm_vm *vm);
/*
 * The VMM's half of an EPT violation at (gpa), outside any leaf: reload the
 * frame (and its SECS first), or make room for a first touch.
 * Return: 0 (retry the leaf), -ENOSPC (nothing the VMM may evict), -EIO, -ENOMEM.
 */
int vmm_oversub_fault(struct vmm_vcpu *vcpu, uint64_t gpa, bool first_touch);

/* The AEX of a vCPU inside, run by a thread holding its VM's EPT lock for writing. */
void vmm_vcpu_kick_locked(struct vmm_vcpu *vcpu);

#endif /* VSGX_VMM_VM_INT_H */
