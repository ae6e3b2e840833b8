/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: the guest's address space (its page tables, then the VM's RAM and
 * EPC sections, the model's EPT), and ENCLS/ENCLU as KVM runs them.
 *
 * KVM traps only ECREATE and EINIT. ECREATE, because the SECS must be
 * checked against what the guest's CPUID allows (MISCSELECT, ATTRIBUTES,
 * XFRM, size; PROVISIONKEY only when provisioning is allowed), which the
 * processor cannot know; EINIT, because the guest's IA32_SGXLEPUBKEYHASH
 * values live in the vCPU and reach the processor only right before EINIT
 * (writing them on every VM entry would be far too slow). Every other leaf
 * runs on the processor as the guest issued it, and its faults go to the
 * guest. An EPC page the guest touches first is allocated by the host's vEPC
 * fault handler, from inside the translation; when host enclaves hold the
 * EPC, the host's reclaimer writes some back on the vCPU's own CPU after the
 * leaf (vcpu_host_reclaim()); when the host has no free page,
 * oversubscribed VMs evict some for it after the leaf (vcpu_host_pressure());
 * when that fails the host has no EPC left, and the VM stops as QEMU does on
 * KVM_RUN's -EFAULT.
 *
 * A VM oversubscribed without the EPC Oversubscription Extensions is the
 * exception: its VMM traps every ENCLS (encls_run()), reads the operands
 * that say what a page becomes, and tracks the guest's enclaves from the
 * leaves that succeed (oversub-trap.c).
 */
#include <errno.h>
#include <string.h>

#include "vm-int.h"
#include "vsgx/vmm-cpuid.h"

#define HOST_TIMER_VECTOR 0x20
/* A leaf to run again after the VMM handled its EPT violation (never a guest's result). */
#define VCPU_RETRY (-EINPROGRESS)
/* EPT violations one guest operation may cause before the VMM gives up on it. */
#define VCPU_RETRIES 64
/* Pages the oversubscribed VMs are asked for when a fault finds the host with none free. */
#define VCPU_PRESSURE_BATCH 16

static bool vm_has(const struct vmm_vm *vm, enum vm_cpu_feature f)
{
	return vm->cfg.features & VM_CPU(f);
}

/* The EPC section holding guest-physical (gpa), or NULL. */
static struct vmm_section *epc_section(struct vmm_vm *vm, uint64_t gpa)
{
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		if (gpa - vm->sec[i].gpa < vm->sec[i].size)
			return &vm->sec[i];
	}
	return NULL;
}

/*
 * The EPT-violation handler for guest EPC: the host's vEPC fault. Guest EPC
 * is never reclaimed, but host enclaves' EPC is: while they hold some, the
 * host asks for a retry after its reclaimer ran (Linux's fault answers
 * VM_FAULT_RETRY and ksgxd runs before the vCPU's thread touches the page
 * again). The reclaimer cannot run here: this vCPU's CPU is in the middle
 * of its leaf, and another CPU is not this thread's to act as (two vCPU
 * threads would both drive CPU 0 at once). So the leaf comes out first
 * (vcpu_xlate()) and the reclaimer runs on the vCPU's own CPU, between two
 * runs of the leaf (vcpu_host_reclaim()).
 */
static int epc_fault(struct vmm_section *sec, uint64_t off, struct hw_xlate *ret)
{
	uint64_t pa;
	int r;

	r = host_vepc_fault(sec->vepc, off / SGX_PAGE_SIZE, &pa);
	if (r)
		return r;
	ret->kind = HW_XLATE_EPC;
	ret->pa = pa + (off & ~SGX_PAGE_MASK);
	ret->ram = NULL;
	return 0;
}

/* Guest linear -> guest physical -> RAM or EPC, faulting EPC in on first touch. */
static int vcpu_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct vmm_vcpu *vcpu = opaque;
	struct vmm_vm *vm = vcpu->vm;
	struct vmm_section *sec;
	uint64_t gpa = la;
	void *ram;
	int r;

	(void)write;
	if (vcpu->pt.walk && vcpu->pt.walk(vcpu->pt.opaque, la, &gpa))
		return -EFAULT;
	ram = vmm_vm_ram(vm, gpa, 1);
	if (ram) {
		ret->kind = HW_XLATE_RAM;
		ret->ram = ram;
		return 0;
	}
	sec = epc_section(vm, gpa);
	if (!sec)
		return -EFAULT;
	r = epc_fault(sec, gpa - sec->gpa, ret);
	if (r && vm->ov && (r == -ENODATA || r == -ENOMEM)) {
		/* The VMM's to handle once the leaf is out: a held frame, or one over the limit. */
		vcpu->ov_need = r == -ENODATA ? VCPU_OV_RELOAD : VCPU_OV_ROOM;
		vcpu->ov_gpa = gpa;
		return -EFAULT;
	}
	if (r == -EAGAIN) {
		/* The host reclaims on this vCPU's CPU once the leaf is out. */
		vcpu->ov_need = VCPU_OV_RECLAIM;
		vcpu->ov_gpa = gpa;
		return -EFAULT;
	}
	if (r == -ENOMEM && !host_owner_at_max(vm->owner)) {
		/*
		 * The host has no free page: oversubscribed VMs may give some
		 * back, but their VMMs take their EPT locks for that, and this
		 * leaf holds its own VM's. So once the leaf is out.
		 */
		vcpu->ov_need = VCPU_OV_PRESSURE;
		vcpu->ov_gpa = gpa;
		return -EFAULT;
	}
	if (r) {
		/* An EPT violation the host could not satisfy: not the guest's fault. */
		vm->epc_fault_failed = true;
		vm->epc_fault_gpa = gpa;
		return -EFAULT;
	}
	return 0;
}

static void vcpu_install(struct vmm_vcpu *vcpu, struct hw_cpu *cpu)
{
	struct hw_addr_space as = { vcpu_xlate, vcpu };

	hw_cpu_set_addr_space(cpu, &as);
	/*
	 * A guest oversubscribed with the extensions runs in non-root
	 * operation with EPC virtualization, so its leaves count the children
	 * the VMM evicted; one whose VMM traps ENCLS counts them in the VMM.
	 */
	if (vcpu->vm->ov && !vmm_oversub_traps(vcpu->vm))
		hw_cpu_set_vmx(cpu, HW_VMX_NONROOT, true);
	else
		hw_cpu_set_vmx(cpu, HW_VMX_OFF, false);
}

/* On the vCPU's thread: the interrupt arrives there, and its AEX runs there. */
static void vcpu_kick_here(struct vmm_vcpu *vcpu, void *arg)
{
	struct hw_cpu *cpu = hw_processor_cpu(vcpu->vm->m->proc, vcpu->hcpu);
	struct hw_aex why = { .vector = HOST_TIMER_VECTOR, .is_interrupt = true };
	struct sgx_ssa_gpr gpr;

	(void)arg;
	if (!vcpu->inside)
		return;
	memset(&gpr, 0, sizeof(gpr));
	hw_aex(cpu, &gpr, &why);
	vcpu->inside = false;
	vcpu->preempted = true;
	/* Several vCPUs of the VM may be stopped at once, each on its thread. */
	__atomic_fetch_add(&vcpu->vm->st.preemptions, 1, __ATOMIC_RELAXED);
}

void vmm_vcpu_kick_locked(struct vmm_vcpu *vcpu)
{
	vcpu_kick_here(vcpu, NULL);
}

void vmm_vcpu_kick(struct vmm_vcpu *vcpu)
{
	vmm_vcpu_call(vcpu, vcpu_kick_here, NULL);
}

void vmm_vcpus_kick(struct vmm_vcpu *const *vcpus, unsigned int n)
{
	vmm_vcpus_call(vcpus, n, vcpu_kick_here, NULL);
}

struct hw_cpu *vmm_vcpu_load(struct vmm_vcpu *vcpu)
{
	struct vmm *m = vcpu->vm->m;
	struct vmm_vcpu *owner = m->cpu_owner[vcpu->hcpu];
	struct hw_cpu *cpu = hw_processor_cpu(m->proc, vcpu->hcpu);

	if (owner && owner != vcpu && owner->inside)
		vmm_vcpu_kick(owner);
	m->cpu_owner[vcpu->hcpu] = vcpu;
	vcpu_install(vcpu, cpu);
	return cpu;
}

void vmm_vcpu_init(struct vmm_vcpu *vcpu, struct vmm_vm *vm, unsigned int index)
{
	struct vmm *m = vm->m;
	unsigned int n = hw_processor_nr_cpus(m->proc);

	vcpu->vm = vm;
	vcpu->index = index;
	/* CPU 0 is the host's own unless it is the only one. */
	vcpu->hcpu = n > 1 ? 1 + m->next_cpu++ % (n - 1) : 0;
	vmm_vcpu_reset(vcpu);
}

static void vcpu_reset_here(struct vmm_vcpu *vcpu, void *arg)
{
	(void)arg;
	vm_vcpu_msrs_reset(&vcpu->msrs, &vcpu->vm->msr_policy);
	vm_vcpu_msrs_firmware(&vcpu->msrs);
	vcpu->inside = false;
	vcpu->preempted = false;
	memset(&vcpu->fault, 0, sizeof(vcpu->fault));
}

void vmm_vcpu_reset(struct vmm_vcpu *vcpu)
{
	vmm_vcpu_call(vcpu, vcpu_reset_here, NULL);
}

void vmm_vcpus_reset(struct vmm_vcpu *const *vcpus, unsigned int n)
{
	vmm_vcpus_call(vcpus, n, vcpu_reset_here, NULL);
}

void vmm_vcpu_set_page_tables(struct vmm_vcpu *vcpu, const struct vmm_guest_pt *pt)
{
	if (pt)
		vcpu->pt = *pt;
	else
		memset(&vcpu->pt, 0, sizeof(vcpu->pt));
}

struct vmm_vm *vmm_vcpu_vm(struct vmm_vcpu *vcpu)
{
	return vcpu->vm;
}

unsigned int vmm_vcpu_index(const struct vmm_vcpu *vcpu)
{
	return vcpu->index;
}

const struct hw_fault *vmm_vcpu_fault(const struct vmm_vcpu *vcpu)
{
	return &vcpu->fault;
}

bool vmm_vcpu_inside(const struct vmm_vcpu *vcpu)
{
	return vcpu->inside;
}

bool vmm_vcpu_preempted(struct vmm_vcpu *vcpu)
{
	bool p = vcpu->preempted;

	vcpu->preempted = false;
	return p;
}

/* ---------------------------------------------------------------------- */
/* Faults and exits                                                       */
/* ---------------------------------------------------------------------- */

static int inject(struct vmm_vcpu *vcpu, uint8_t vector, uint32_t error_code, uint64_t addr)
{
	struct vmm_vm_stats *st = &vcpu->vm->st;

	vcpu->fault.vector = vector;
	vcpu->fault.error_code = error_code;
	vcpu->fault.addr = addr;
	if (vector == X86_TRAP_GP)
		st->injected_gp++;
	else if (vector == X86_TRAP_PF)
		st->injected_pf++;
	else if (vector == X86_TRAP_UD)
		st->injected_ud++;
	else if (vector == X86_TRAP_MC)
		st->injected_mc++;
	return HW_FAULT(vector);
}

/*
 * A leaf or an access of the guest consumed poison: the processor's #MC
 * exits to the host, whose memory-failure handler records the page and
 * sends the VMM its SIGBUS (BUS_MCEERR_AR) for the vEPC page. The VMM does
 * what QEMU's kvm_arch_on_sigbus_vcpu() does: finds the guest-physical
 * address of that page and injects a machine check (SRAR) with it, so the
 * guest kernel kills only what used the page. A page the VMM cannot place
 * in its guest stops the VM, as QEMU exits on a memory error it cannot
 * hand to the guest.
 */
static int vcpu_machine_check(struct vmm_vcpu *vcpu, uint64_t pa)
{
	struct vmm_vm *vm = vcpu->vm;
	uint64_t index;

	host_memory_failure(vm->m->host, pa, HOST_MF_ACTION_REQUIRED);
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		if (!host_vepc_find(vm->sec[i].vepc, pa, &index))
			return inject(vcpu, X86_TRAP_MC, 0, vm->sec[i].gpa + index * SGX_PAGE_SIZE);
	}
	vmm_vm_fail(vm,
		    "hardware memory error at host-physical 0x%llx (vCPU %u), outside the "
		    "guest's EPC; the VM is stopped",
		    (unsigned long long)pa, vcpu->index);
	return -EIO;
}

/*
 * A vEPC fault the host could not satisfy. An EPC owner at its max refused
 * it (the VM's own or one above it): with on-max=stop the VMM stops the VM
 * naming that owner; with on-max=refuse the fault fails as KVM_RUN's -EFAULT,
 * on which QEMU stops the VM too. Otherwise the host's EPC is exhausted.
 */
static void vcpu_epc_fail(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	struct host_owner *full = host_owner_at_max(vm->owner);
	struct host_owner_info oi;
	unsigned long long gpa = (unsigned long long)vm->epc_fault_gpa;

	if (!full) {
		vmm_vm_fail(vm,
			    "KVM_RUN failed: EFAULT: the host has no EPC left for guest-physical "
			    "0x%llx (vCPU %u); the VM is stopped",
			    gpa, vcpu->index);
		return;
	}
	host_owner_query(full, &oi);
	if (oi.on_max == HOST_ON_MAX_STOP)
		vmm_vm_fail(vm,
			    "EPC owner '%s' is at its max of %llu pages (on-max=stop): the VMM "
			    "stopped the VM at guest-physical 0x%llx (vCPU %u); raise the owner's "
			    "max or free EPC under it",
			    oi.name, (unsigned long long)oi.limit, gpa, vcpu->index);
	else
		vmm_vm_fail(vm,
			    "KVM_RUN failed: EFAULT: EPC owner '%s' is at its max of %llu pages "
			    "and refused guest-physical 0x%llx (vCPU %u); the VM is stopped",
			    oi.name, (unsigned long long)oi.limit, gpa, vcpu->index);
}

/*
 * After a leaf: a failed vEPC fault stops the VM (whatever the leaf made of
 * it); otherwise a fault is the guest's, injected as the processor raised it.
 */
static int vcpu_exit(struct vmm_vcpu *vcpu, struct hw_cpu *cpu, int r)
{
	struct vmm_vm *vm = vcpu->vm;

	/* An EPT violation the VMM handles: the leaf runs again, the guest sees nothing. */
	if (vcpu->ov_need != VCPU_OV_NONE)
		return VCPU_RETRY;
	if (vm->epc_fault_failed) {
		vm->epc_fault_failed = false;
		vcpu_epc_fail(vcpu);
		return -EFAULT;
	}
	if (hw_faulted(r)) {
		const struct hw_fault *f = hw_cpu_fault(cpu);

		if (f->vector == X86_TRAP_MC)
			return vcpu_machine_check(vcpu, f->addr);
		return inject(vcpu, f->vector, f->error_code, f->addr);
	}
	return r;
}

/* The vCPU runs guest code: the VM must be running, and a thread inside was interrupted. */
static int vcpu_enter_guest(struct vmm_vcpu *vcpu, struct hw_cpu **ret_cpu)
{
	if (vcpu->vm->state != VMM_VM_RUNNING)
		return -EAGAIN;
	*ret_cpu = vmm_vcpu_load(vcpu);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* ENCLS                                                                  */
/* ---------------------------------------------------------------------- */

/* Copy (len) bytes of guest memory at linear (gla), or inject the #PF a walk gives. */
static int guest_read(struct vmm_vcpu *vcpu, uint64_t gla, void *buf, size_t len)
{
	struct hw_xlate x;

	if (vcpu_xlate(vcpu, gla, false, &x) || x.kind != HW_XLATE_RAM ||
	    (gla & ~SGX_PAGE_MASK) + len > SGX_PAGE_SIZE) {
		/* Not an operand the VMM reads from EPC: no EPT violation to handle. */
		vcpu->ov_need = VCPU_OV_NONE;
		return inject(vcpu, X86_TRAP_PF, 0, gla);
	}
	memcpy(buf, x.ram, len);
	return 0;
}

/* Guest linear (gla) -> guest physical, as the leaf's own walk does; false when that faults. */
static bool vcpu_gpa(struct vmm_vcpu *vcpu, uint64_t gla, uint64_t *ret)
{
	*ret = gla;
	return !vcpu->pt.walk || !vcpu->pt.walk(vcpu->pt.opaque, gla, ret);
}

/* Guest RAM at linear (gla), without a fault: the leaf itself will raise it. */
static bool vcpu_peek(struct vmm_vcpu *vcpu, uint64_t gla, void *buf, size_t len)
{
	uint64_t gpa;
	void *ram;

	if (!vcpu_gpa(vcpu, gla, &gpa) || (gla & ~SGX_PAGE_MASK) + len > SGX_PAGE_SIZE)
		return false;
	ram = vmm_vm_ram(vcpu->vm, gpa, len);
	if (!ram)
		return false;
	memcpy(buf, ram, len);
	return true;
}

/*
 * The operands a VMM that traps ENCLS reads to track the guest's enclaves:
 * the page (RCX), and for a page that joins an enclave its SECS and type.
 * What it cannot read, the leaf itself faults on, and a failed leaf
 * changes nothing the VMM tracks.
 */
static void trap_decode(struct vmm_vcpu *vcpu, const struct hw_regs *regs, struct vmm_trap_leaf *t)
{
	struct sgx_pageinfo pi;
	struct sgx_pcmd pcmd;

	memset(t, 0, sizeof(*t));
	t->leaf = (uint32_t)regs->rax;
	t->page_ok = vcpu_gpa(vcpu, regs->rcx, &t->page_gpa);
	if (t->leaf != SGX_EADD && t->leaf != SGX_EAUG && t->leaf != SGX_ELDB &&
	    t->leaf != SGX_ELDU)
		return;
	if (!vcpu_peek(vcpu, regs->rbx, &pi, sizeof(pi)))
		return;
	t->secs_ok = pi.secs && vcpu_gpa(vcpu, pi.secs, &t->secs_gpa);
	if (t->leaf == SGX_EAUG)
		t->pt = SGX_PT_REG;
	else if (vcpu_peek(vcpu, pi.secinfo, &pcmd,
			   t->leaf == SGX_EADD ? sizeof(pcmd.secinfo) : sizeof(pcmd)))
		t->pt = SGX_SECINFO_TO_PT(pcmd.secinfo.flags);
}

/* A guest leaf runs: through the VMM's tracking when it traps ENCLS. */
static int encls_run(struct vmm_vcpu *vcpu, struct hw_cpu *cpu, struct hw_regs *regs)
{
	struct vmm_trap_leaf t;
	int r;

	if (!vmm_oversub_traps(vcpu->vm))
		return vcpu_exit(vcpu, cpu, hw_encls(cpu, regs));
	trap_decode(vcpu, regs, &t);
	if (vmm_oversub_trap_before(vcpu, &t))
		return VCPU_RETRY;
	r = vcpu_exit(vcpu, cpu, hw_encls(cpu, regs));
	if (r != VCPU_RETRY)
		vmm_oversub_trap_after(vcpu->vm, &t, r);
	return r;
}

static bool bits_within(uint64_t bits, uint32_t lo, uint32_t hi)
{
	return !(bits & ~((uint64_t)hi << 32 | lo));
}

/* KVM's ECREATE checks of the SECS against the guest's CPUID leaf 0x12. */
static bool secs_allowed(struct vmm_vcpu *vcpu, const struct sgx_secs *secs)
{
	struct vmm_vm *vm = vcpu->vm;
	struct hw_cpuid_regs l0, l1;
	unsigned int max_size;

	vmm_vm_cpuid(vm, SGX_CPUID, 0, &l0);
	vmm_vm_cpuid(vm, SGX_CPUID, 1, &l1);
	if ((secs->attributes.flags & SGX_ATTR_PROVISIONKEY) && !vm->cfg.provision)
		return false;
	if (secs->miscselect & ~l0.ebx)
		return false;
	if (!bits_within(secs->attributes.flags, l1.eax, l1.ebx) ||
	    !bits_within(secs->attributes.xfrm, l1.ecx, l1.edx))
		return false;
	/* FP and SSE must be set in XFRM even where XSAVE is not. */
	if ((secs->attributes.xfrm & SGX_XFRM_LEGACY) != SGX_XFRM_LEGACY)
		return false;
	max_size =
	    (secs->attributes.flags & SGX_ATTR_MODE64BIT) ? (l0.edx >> 8) & 0xff : l0.edx & 0xff;
	return max_size >= 64 || secs->size < (1ULL << max_size);
}

static int encls_ecreate(struct vmm_vcpu *vcpu, struct hw_cpu *cpu, struct hw_regs *regs)
{
	struct sgx_pageinfo pi;
	struct sgx_secs secs;
	int r;

	if ((regs->rbx & 31) || (regs->rcx & ~SGX_PAGE_MASK))
		return inject(vcpu, X86_TRAP_GP, 0, 0);
	r = guest_read(vcpu, regs->rbx, &pi, sizeof(pi));
	if (!r && (pi.srcpge & ~SGX_PAGE_MASK))
		return inject(vcpu, X86_TRAP_GP, 0, 0);
	if (!r)
		r = guest_read(vcpu, pi.srcpge, &secs, sizeof(secs));
	if (r)
		return r;
	if (!secs_allowed(vcpu, &secs)) {
		vcpu->vm->st.ecreate_refused++;
		return inject(vcpu, X86_TRAP_GP, 0, 0);
	}
	return encls_run(vcpu, cpu, regs);
}

/* The guest's launch policy reaches the processor right before its EINIT. */
/*
 * On a host with SGX_LC the MSRs hold whatever the last EINIT on this CPU
 * left (another VM's hash, the host driver's), so KVM loads the vCPU's
 * virtual hash before every guest EINIT, whether or not the guest has
 * SGX_LC: one without it keeps the reset value (Intel's, or Xen's lehash).
 */
static int encls_einit(struct vmm_vcpu *vcpu, struct hw_cpu *cpu, struct hw_regs *regs)
{
	if (vcpu->vm->m->host_lc) {
		for (uint32_t i = 0; i < 4; i++) {
			if (hw_msr_write(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, vcpu->msrs.lehash[i]))
				return inject(vcpu, X86_TRAP_GP, 0, 0);
		}
	}
	return encls_run(vcpu, cpu, regs);
}

static bool encls_leaf_is_sgx2(unsigned int leaf)
{
	return leaf == SGX_EAUG || leaf == SGX_EMODPR || leaf == SGX_EMODT;
}

/* What KVM's handle_encls() refuses before any leaf runs. */
static int encls_guest_check(struct vmm_vcpu *vcpu, unsigned int leaf)
{
	struct vmm_vm *vm = vcpu->vm;
	uint64_t fc = vcpu->msrs.feature_control;

	/*
	 * A leaf the guest's CPUID does not enumerate is #UD, whatever the
	 * host part has: KVM sets ENCLS exiting for it and injects #UD, where
	 * the SDM would have #GP(0) (which the processor model gives when it
	 * itself lacks the leaf). KVM enables ECREATE..ETRACK with SGX1 and
	 * EAUG..EMODT with SGX2, nothing else.
	 */
	if (!vm_has(vm, VM_CPU_SGX) || !vm_has(vm, VM_CPU_SGX1))
		return inject(vcpu, X86_TRAP_UD, 0, 0);
	if (encls_leaf_is_sgx2(leaf) ? !vm_has(vm, VM_CPU_SGX2) : leaf > SGX_ETRACK)
		return inject(vcpu, X86_TRAP_UD, 0, 0);
	if (!(fc & FEAT_CTL_LOCKED) || !(fc & FEAT_CTL_SGX_ENABLED))
		return inject(vcpu, X86_TRAP_GP, 0, 0);
	return 0;
}

static int vcpu_encls_here(struct vmm_vcpu *vcpu, struct hw_regs *regs)
{
	unsigned int leaf = (uint32_t)regs->rax;
	struct hw_cpu *cpu;
	int r;

	r = vcpu_enter_guest(vcpu, &cpu);
	if (r)
		return r;
	/* The guest kernel runs here: a thread of it that was inside took an interrupt. */
	vmm_vcpu_kick(vcpu);
	r = encls_guest_check(vcpu, leaf);
	if (r)
		return r;
	switch (leaf) {
	case SGX_ECREATE:
		return encls_ecreate(vcpu, cpu, regs);
	case SGX_EINIT:
		return encls_einit(vcpu, cpu, regs);
	default:
		return encls_run(vcpu, cpu, regs);
	}
}

/* ---------------------------------------------------------------------- */
/* ENCLU, enclave memory, interrupts, MSRs                                */
/* ---------------------------------------------------------------------- */

static int vcpu_enclu_here(struct vmm_vcpu *vcpu, struct hw_regs *regs)
{
	unsigned int leaf = (uint32_t)regs->rax;
	struct hw_cpu *cpu;
	uint64_t tcs, aep;
	int r;

	r = vcpu_enter_guest(vcpu, &cpu);
	if (r)
		return r;
	if (!vm_has(vcpu->vm, VM_CPU_SGX))
		return inject(vcpu, X86_TRAP_UD, 0, 0);
	tcs = regs->rbx;
	aep = regs->rcx;
	r = vcpu_exit(vcpu, cpu, hw_enclu(cpu, regs));
	if (r == 0 && (leaf == SGX_EENTER || leaf == SGX_ERESUME)) {
		vcpu->inside = true;
		vcpu->tcs = tcs;
		vcpu->aep = aep;
	} else if (r == 0 && leaf == SGX_EEXIT)
		vcpu->inside = false;
	return r;
}

static int vcpu_interrupt_here(struct vmm_vcpu *vcpu, const struct sgx_ssa_gpr *gpr, uint8_t vector)
{
	struct hw_aex why = { .vector = vector, .is_interrupt = vector >= 32 };
	struct hw_cpu *cpu;
	int r;

	if (vcpu->vm->state != VMM_VM_RUNNING)
		return -EAGAIN;
	if (!vcpu->inside)
		return -EINVAL;
	cpu = vmm_vcpu_load(vcpu);
	r = hw_aex(cpu, gpr, &why);
	if (!r)
		vcpu->inside = false;
	return r;
}

static int enclave_access(struct vmm_vcpu *vcpu, uint64_t gla, void *buf, size_t len, bool write)
{
	struct hw_cpu *cpu;
	int r;

	r = vcpu_enter_guest(vcpu, &cpu);
	if (r)
		return r;
	if (!vcpu->inside)
		return -EINVAL;
	r = write ? hw_enclave_write(cpu, gla, buf, len) : hw_enclave_read(cpu, gla, buf, len);
	return vcpu_exit(vcpu, cpu, r);
}

static int vcpu_msr_here(struct vmm_vcpu *vcpu, uint32_t msr, bool write, uint64_t *val)
{
	int r = write ? vm_msr_write(&vcpu->msrs, msr, false, *val)
		      : vm_msr_read(&vcpu->msrs, msr, false, val);

	return r ? inject(vcpu, X86_TRAP_GP, 0, 0) : 0;
}

/* ---------------------------------------------------------------------- */
/* What the guest asks of a vCPU, run on the vCPU's thread                */
/* ---------------------------------------------------------------------- */

enum vcpu_op_kind { OP_ENCLS, OP_ENCLU, OP_INTERRUPT, OP_ACCESS, OP_MSR };

/* One request to a vCPU, handed to its thread (vcpu-thread.c) with its result. */
struct vcpu_op {
	enum vcpu_op_kind kind;
	struct hw_regs *regs;
	const struct sgx_ssa_gpr *gpr;
	uint8_t vector;
	uint64_t gla;
	void *buf;
	size_t len;
	bool write;
	uint32_t msr;
	uint64_t *val;
	int r;
};

static void vcpu_op_run(struct vmm_vcpu *vcpu, struct vcpu_op *op)
{
	switch (op->kind) {
	case OP_ENCLS:
		op->r = vcpu_encls_here(vcpu, op->regs);
		break;
	case OP_ENCLU:
		op->r = vcpu_enclu_here(vcpu, op->regs);
		break;
	case OP_INTERRUPT:
		op->r = vcpu_interrupt_here(vcpu, op->gpr, op->vector);
		break;
	case OP_ACCESS:
		op->r = enclave_access(vcpu, op->gla, op->buf, op->len, op->write);
		break;
	case OP_MSR:
		op->r = vcpu_msr_here(vcpu, op->msr, op->write, op->val);
		break;
	}
}

/*
 * A first touch that found the host with no free EPC page, between two runs
 * of the leaf (no EPT lock held): the host asks every oversubscribed VM's
 * VMM to evict a few pages, as its reclaimer would, and the leaf runs again.
 * When none can, the VM stops as on any fault the host cannot satisfy.
 */
static int vcpu_host_pressure(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;

	vcpu->ov_need = VCPU_OV_NONE;
	if (host_owner_evict_vms(host_owner_root(vm->m->host), VCPU_PRESSURE_BATCH))
		return 0;
	vm->epc_fault_gpa = vcpu->ov_gpa;
	vcpu_epc_fail(vcpu);
	return -EFAULT;
}

/*
 * The vCPU's CPU, out of guest mode, for the host kernel to run on: as a
 * VM exit leaves the CPU to the host, whatever enclave the vCPU that last
 * ran there is inside takes an AEX first (an interrupt would cause one),
 * and the CPU leaves VMX non-root operation. The next leaf loads the vCPU
 * again (vmm_vcpu_load()).
 */
static struct hw_cpu *vcpu_exit_to_host(struct vmm_vcpu *vcpu)
{
	struct vmm *m = vcpu->vm->m;
	struct vmm_vcpu *owner = m->cpu_owner[vcpu->hcpu];
	struct hw_cpu *cpu = hw_processor_cpu(m->proc, vcpu->hcpu);

	if (owner && owner->inside)
		vmm_vcpu_kick(owner);
	m->cpu_owner[vcpu->hcpu] = NULL;
	hw_cpu_set_vmx(cpu, HW_VMX_OFF, false);
	return cpu;
}

/*
 * A first touch the host asked to retry, with the leaf out: the host's
 * reclaimer writes back host-enclave pages on the vCPU's own CPU, which
 * this thread is (a kernel path runs on the CPU of the thread that entered
 * it; Linux's ksgxd would be scheduled on a CPU that is free), and the leaf
 * runs again. Never on another CPU: two vCPU threads retrying at once would
 * both act as that CPU. Nothing written back: the VM stops as on any fault
 * the host cannot satisfy.
 */
static int vcpu_host_reclaim(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	struct vmm_section *sec = epc_section(vm, vcpu->ov_gpa);

	vcpu->ov_need = VCPU_OV_NONE;
	if (sec && host_vepc_reclaim(sec->vepc, vcpu_exit_to_host(vcpu)))
		return 0;
	vm->epc_fault_gpa = vcpu->ov_gpa;
	vcpu_epc_fail(vcpu);
	return -EFAULT;
}

/*
 * The VMM's half of an oversubscribed VM's EPT violation, between two runs
 * of the leaf: reload the frame, or make room for its first touch. When it
 * cannot, the VM stops as on any EPT violation the host cannot satisfy.
 */
static int vcpu_ept_violation(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	bool room = vcpu->ov_need == VCPU_OV_ROOM;
	int r;

	if (vcpu->ov_need == VCPU_OV_PRESSURE)
		return vcpu_host_pressure(vcpu);
	if (vcpu->ov_need == VCPU_OV_RECLAIM)
		return vcpu_host_reclaim(vcpu);
	vcpu->ov_need = VCPU_OV_NONE;
	r = vmm_oversub_fault(vcpu, vcpu->ov_gpa, room);
	/* Nothing of its own to give: a host with no free page may find some elsewhere. */
	if (r == -ENOSPC && room && !host_owner_at_max(vm->owner))
		return vcpu_host_pressure(vcpu);
	if (r && vm->state == VMM_VM_RUNNING)
		vmm_vm_fail(vm,
			    "KVM_RUN failed: the VMM could not %s guest-physical 0x%llx (vCPU "
			    "%u): %s; the VM is stopped",
			    room ? "make room for" : "reload", (unsigned long long)vcpu->ov_gpa,
			    vcpu->index,
			    r == -ENOSPC ? "every page it holds is pinned" : strerror(-r));
	return r ? -EFAULT : 0;
}

/*
 * An EPT violation in enclave mode is an AEX before the exit: the guest
 * re-enters at its AEP, whose ERESUME the model runs here, so that an
 * operation of a thread inside goes on inside. Return: 0, VCPU_RETRY, or
 * what ERESUME gave.
 */
static int vcpu_aep_resume(struct vmm_vcpu *vcpu)
{
	struct hw_regs regs = { .rax = SGX_ERESUME, .rbx = vcpu->tcs, .rcx = vcpu->aep };
	int r = vcpu_enclu_here(vcpu, &regs);

	/* The guest's kernel never saw this exit. */
	if (!r)
		vcpu->preempted = false;
	return r;
}

static void vcpu_op_here(struct vmm_vcpu *vcpu, void *arg)
{
	struct vcpu_op *op = arg;
	bool inside = vcpu->inside;

	for (int tries = 0; tries < VCPU_RETRIES; tries++) {
		vmm_oversub_leaf_begin(vcpu->vm);
		if (inside && !vcpu->inside) {
			op->r = vcpu_aep_resume(vcpu);
			if (!op->r)
				op->r = VCPU_RETRY;
		} else {
			vcpu_op_run(vcpu, op);
		}
		vmm_oversub_leaf_end(vcpu->vm);
		if (op->r != VCPU_RETRY)
			return;
		if (vcpu->ov_need == VCPU_OV_NONE)
			continue;
		op->r = vcpu_ept_violation(vcpu);
		if (op->r)
			return;
	}
	vmm_vm_fail(vcpu->vm, "vCPU %u keeps faulting on guest-physical 0x%llx; the VM is stopped",
		    vcpu->index, (unsigned long long)vcpu->ov_gpa);
	op->r = -EFAULT;
}

static int vcpu_op(struct vmm_vcpu *vcpu, struct vcpu_op *op)
{
	vmm_vcpu_call(vcpu, vcpu_op_here, op);
	return op->r;
}

int vmm_vcpu_encls(struct vmm_vcpu *vcpu, struct hw_regs *regs)
{
	struct vcpu_op op = { .kind = OP_ENCLS, .regs = regs };

	return vcpu_op(vcpu, &op);
}

int vmm_vcpu_enclu(struct vmm_vcpu *vcpu, struct hw_regs *regs)
{
	struct vcpu_op op = { .kind = OP_ENCLU, .regs = regs };

	return vcpu_op(vcpu, &op);
}

int vmm_vcpu_interrupt(struct vmm_vcpu *vcpu, const struct sgx_ssa_gpr *gpr, uint8_t vector)
{
	struct vcpu_op op = { .kind = OP_INTERRUPT, .gpr = gpr, .vector = vector };

	return vcpu_op(vcpu, &op);
}

int vmm_vcpu_enclave_read(struct vmm_vcpu *vcpu, uint64_t gla, void *buf, size_t len)
{
	struct vcpu_op op = { .kind = OP_ACCESS, .gla = gla, .buf = buf, .len = len };

	return vcpu_op(vcpu, &op);
}

int vmm_vcpu_enclave_write(struct vmm_vcpu *vcpu, uint64_t gla, const void *buf, size_t len)
{
	struct vcpu_op op = {
		.kind = OP_ACCESS, .gla = gla, .buf = (void *)buf, .len = len, .write = true
	};

	return vcpu_op(vcpu, &op);
}

int vmm_vcpu_rdmsr(struct vmm_vcpu *vcpu, uint32_t msr, uint64_t *ret)
{
	struct vcpu_op op = { .kind = OP_MSR, .msr = msr, .val = ret };

	return vcpu_op(vcpu, &op);
}

int vmm_vcpu_wrmsr(struct vmm_vcpu *vcpu, uint32_t msr, uint64_t val)
{
	struct vcpu_op op = { .kind = OP_MSR, .msr = msr, .val = &val, .write = true };

	return vcpu_op(vcpu, &op);
}
