/* SPDX-License-Identifier: MIT */
/*
 * The SGX MSRs: IA32_FEATURE_CONTROL and the launch-enclave key hash
 * IA32_SGXLEPUBKEYHASH0..3 (SDM Vol. 4, and Vol. 3D 38.1.4 "Launch Control").
 */
#include <string.h>

#include "hw.h"

/* FEATURE_CONTROL bits a write may set: lock, VMX, SENTER, SGX, LMCE. */
#define FEAT_CTL_WRITABLE                                                                          \
	(FEAT_CTL_LOCKED | (1ULL << 1) | (1ULL << 2) | (0x7fULL << 8) | (1ULL << 15) |             \
	 FEAT_CTL_SGX_LC_ENABLED | FEAT_CTL_SGX_ENABLED | (1ULL << 20))

static const uint64_t intel_lehash[4] = {
	SGX_LEPUBKEYHASH_INTEL0,
	SGX_LEPUBKEYHASH_INTEL1,
	SGX_LEPUBKEYHASH_INTEL2,
	SGX_LEPUBKEYHASH_INTEL3,
};

void hw_msr_power_on(struct hw_cpu *cpu)
{
	memcpy(cpu->lehash, intel_lehash, sizeof(cpu->lehash));
}

static bool msr_is_lehash(uint32_t msr)
{
	return msr >= MSR_IA32_SGXLEPUBKEYHASH0 && msr <= MSR_IA32_SGXLEPUBKEYHASH3;
}

/*
 * SGX1 is enumerated (CPUID.(12h,0):EAX[0]) only while firmware enabled SGX;
 * both access rules of the LE hash MSRs start from it.
 */
static bool sgx1_enumerated(const struct hw_cpu *cpu)
{
	return atomic_load(&((struct hw_cpu *)cpu)->feature_control) & FEAT_CTL_SGX_ENABLED;
}

/* Reads need SGX1 and FLC; writes need SGX1 and launch control locked open. */
static bool lehash_readable(const struct hw_cpu *cpu)
{
	return sgx1_enumerated(cpu) && cpu->proc->desc.flc;
}

static bool lehash_writable(const struct hw_cpu *cpu)
{
	uint64_t fc = atomic_load(&((struct hw_cpu *)cpu)->feature_control);

	return sgx1_enumerated(cpu) && cpu->proc->desc.flc && (fc & FEAT_CTL_LOCKED) &&
	       (fc & FEAT_CTL_SGX_LC_ENABLED);
}

int hw_msr_read(struct hw_cpu *cpu, uint32_t msr, uint64_t *ret)
{
	if (msr == MSR_IA32_FEATURE_CONTROL) {
		*ret = atomic_load(&cpu->feature_control);
		return 0;
	}
	if (msr_is_lehash(msr) && lehash_readable(cpu)) {
		*ret = cpu->lehash[msr - MSR_IA32_SGXLEPUBKEYHASH0];
		return 0;
	}
	return hw_fault_gp(cpu);
}

static int feature_control_write(struct hw_cpu *cpu, uint64_t val)
{
	const struct hw_processor *p = cpu->proc;

	if (atomic_load(&cpu->feature_control) & FEAT_CTL_LOCKED)
		return hw_fault_gp(cpu);
	if (val & ~FEAT_CTL_WRITABLE)
		return hw_fault_gp(cpu);
	if ((val & FEAT_CTL_SGX_LC_ENABLED) && !p->desc.flc)
		return hw_fault_gp(cpu);
	atomic_store(&cpu->feature_control, val);
	return 0;
}

int hw_msr_write(struct hw_cpu *cpu, uint32_t msr, uint64_t val)
{
	if (msr == MSR_IA32_FEATURE_CONTROL)
		return feature_control_write(cpu, val);
	if (msr_is_lehash(msr) && lehash_writable(cpu)) {
		cpu->lehash[msr - MSR_IA32_SGXLEPUBKEYHASH0] = val;
		return 0;
	}
	return hw_fault_gp(cpu);
}
