/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's IA32_FEATURE_CONTROL and IA32_SGXLEPUBKEYHASH0..3, with KVM's
 * rules (arch/x86/kvm/vmx: vmx_get_msr/vmx_set_msr) and Xen's lehash/lewr.
 * The hash is only state here: hardware gets it when the hypervisor runs a
 * trapped EINIT for the guest, which is why KVM traps EINIT on FLC hosts.
 */
#include "vsgx/vmm-msr.h"

#include <string.h>

#include "vsgx/encls.h"
#include "vsgx/vmm-config.h"

#define MSR_GP HW_FAULT(X86_TRAP_GP)

void vm_msr_policy_init(struct vm_msr_policy *ret, const struct vm_config *vm)
{
	memset(ret, 0, sizeof(*ret));
	ret->sgx = vm->features & VM_CPU(VM_CPU_SGX);
	ret->sgx_lc = vm->features & VM_CPU(VM_CPU_SGXLC);
	ret->firmware_fc = FEAT_CTL_LOCKED;
	if (ret->sgx)
		ret->firmware_fc |= FEAT_CTL_SGX_ENABLED;
	/* lewr=0: firmware leaves SGX_LC clear, so the hash is read-only once locked. */
	if (ret->sgx_lc && vm->lewr)
		ret->firmware_fc |= FEAT_CTL_SGX_LC_ENABLED;
	memcpy(ret->lehash_reset, vm->lehash, sizeof(ret->lehash_reset));
}

void vm_vcpu_msrs_reset(struct vm_vcpu_msrs *m, const struct vm_msr_policy *policy)
{
	m->policy = policy;
	m->feature_control = 0;
	memcpy(m->lehash, policy->lehash_reset, sizeof(m->lehash));
}

int vm_vcpu_msrs_firmware(struct vm_vcpu_msrs *m)
{
	return vm_msr_write(m, MSR_IA32_FEATURE_CONTROL, false, m->policy->firmware_fc);
}

static bool msr_is_lehash(uint32_t msr)
{
	return msr >= MSR_IA32_SGXLEPUBKEYHASH0 && msr <= MSR_IA32_SGXLEPUBKEYHASH3;
}

/* FEATURE_CONTROL bits this guest may set: those of the features it has. */
static uint64_t msr_fc_valid(const struct vm_msr_policy *p)
{
	uint64_t valid = FEAT_CTL_LOCKED;

	if (p->sgx)
		valid |= FEAT_CTL_SGX_ENABLED;
	if (p->sgx_lc)
		valid |= FEAT_CTL_SGX_LC_ENABLED;
	return valid;
}

int vm_msr_read(const struct vm_vcpu_msrs *m, uint32_t msr, bool host_initiated, uint64_t *ret)
{
	if (msr == MSR_IA32_FEATURE_CONTROL) {
		*ret = m->feature_control;
		return 0;
	}
	if (!msr_is_lehash(msr) || (!host_initiated && !m->policy->sgx_lc))
		return MSR_GP;
	*ret = m->lehash[msr - MSR_IA32_SGXLEPUBKEYHASH0];
	return 0;
}

static int msr_write_fc(struct vm_vcpu_msrs *m, bool host_initiated, uint64_t val)
{
	if (val & ~msr_fc_valid(m->policy))
		return MSR_GP;
	if (!host_initiated && (m->feature_control & FEAT_CTL_LOCKED))
		return MSR_GP;
	m->feature_control = val;
	return 0;
}

static bool msr_lehash_writable(const struct vm_vcpu_msrs *m)
{
	uint64_t fc = m->feature_control;

	/* Until firmware locks FEATURE_CONTROL, or when it locked it with SGX_LC. */
	return m->policy->sgx_lc && (!(fc & FEAT_CTL_LOCKED) || (fc & FEAT_CTL_SGX_LC_ENABLED));
}

int vm_msr_write(struct vm_vcpu_msrs *m, uint32_t msr, bool host_initiated, uint64_t val)
{
	if (msr == MSR_IA32_FEATURE_CONTROL)
		return msr_write_fc(m, host_initiated, val);
	if (!msr_is_lehash(msr) || (!host_initiated && !msr_lehash_writable(m)))
		return MSR_GP;
	m->lehash[msr - MSR_IA32_SGXLEPUBKEYHASH0] = val;
	return 0;
}
