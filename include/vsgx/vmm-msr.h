/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's SGX MSRs: IA32_FEATURE_CONTROL as the guest's firmware locks it
 * and IA32_SGXLEPUBKEYHASH0..3 with KVM's access rules and Xen's
 * lehash/lewr policy. Accesses from the guest (RDMSR/WRMSR exits) and from
 * the host (state save/restore, migration) differ only in the checks.
 */
#ifndef VSGX_VMM_MSR_H
#define VSGX_VMM_MSR_H

#include <stdbool.h>
#include <stdint.h>

struct vm_config;

/* What a VM's configuration decides for every vCPU's MSRs. */
struct vm_msr_policy {
	bool sgx;		  /* guest CPUID has SGX */
	bool sgx_lc;		  /* guest CPUID has SGX_LC */
	uint64_t firmware_fc;	  /* FEATURE_CONTROL the guest's firmware writes */
	uint64_t lehash_reset[4]; /* LE hash after reset */
};

struct vm_vcpu_msrs {
	const struct vm_msr_policy *policy;
	uint64_t feature_control;
	uint64_t lehash[4];
};

/*
 * Firmware locks FEATURE_CONTROL with SGX_ENABLE when the guest has SGX, and
 * SGX_LC when the guest has SGX_LC and may write the LE hash (lewr; QEMU's
 * etc/msr_feature_control does the same).
 */
void vm_msr_policy_init(struct vm_msr_policy *ret, const struct vm_config *vm);

/* Power-on/INIT: FEATURE_CONTROL 0 (unlocked), LE hash at its reset value. */
void vm_vcpu_msrs_reset(struct vm_vcpu_msrs *m, const struct vm_msr_policy *policy);

/* What guest firmware does at boot: write and lock FEATURE_CONTROL. Return: 0 or #GP. */
int vm_vcpu_msrs_firmware(struct vm_vcpu_msrs *m);

/*
 * RDMSR/WRMSR of IA32_FEATURE_CONTROL and IA32_SGXLEPUBKEYHASH0..3.
 * FEATURE_CONTROL: always readable; the guest may write bits it has
 * (LOCK, SGX_ENABLE with SGX, SGX_LC with SGX_LC) until LOCK is set.
 * LE hash: readable when the guest has SGX_LC; the guest may write it when
 * it has SGX_LC and FEATURE_CONTROL is unlocked or has SGX_LC.
 * (host_initiated) accesses skip the guest checks (KVM's host_initiated).
 * Return: 0, or HW_FAULT(X86_TRAP_GP) (<vsgx/encls.h>) for the guest to take,
 * also for any other MSR.
 */
int vm_msr_read(const struct vm_vcpu_msrs *m, uint32_t msr, bool host_initiated, uint64_t *ret);
int vm_msr_write(struct vm_vcpu_msrs *m, uint32_t msr, bool host_initiated, uint64_t val);

#endif /* VSGX_VMM_MSR_H */
