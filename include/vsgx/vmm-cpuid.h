/* SPDX-License-Identifier: MIT */
/*
 * Guest CPUID leaves 7 and 0x12, as KVM and QEMU build them together: KVM
 * reports what the host can give a guest (its supported CPUID), QEMU
 * restricts that to the configured CPU and fills the EPC sub-leaves from the
 * guest's own sections.
 */
#ifndef VSGX_VMM_CPUID_H
#define VSGX_VMM_CPUID_H

#include <stdint.h>

#include "vsgx/processor.h"

struct vm_config;
struct vm_layout;

/*
 * 0x12.1:EAX bits KVM lets a guest see: the unprivileged attributes plus
 * PROVISIONKEY and EINITTOKENKEY, whose use KVM checks at ECREATE/EINIT.
 */
#define VM_SGX_ATTR_ALLOWED                                                                        \
	(SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY | SGX_ATTR_EINITTOKENKEY |    \
	 SGX_ATTR_KSS | SGX_ATTR_AEXNOTIFY)

/*
 * What the host offers guests (KVM_GET_SUPPORTED_CPUID) for leaf 7.0 and 0x12
 * sub-leaves 0 and 1: the processor's answer (hw_cpuid()) masked as KVM does.
 * SGX_LC is offered only when firmware enabled it in FEATURE_CONTROL (with
 * the LE hash locked, the host kernel drops SGX_LC). Sub-leaves 2+ read as 0.
 */
void vm_cpuid_host(struct hw_processor *host, uint32_t leaf, uint32_t subleaf,
		   struct hw_cpuid_regs *ret);

/* VM_CPU() bits of every feature the host offers. */
uint32_t vm_cpuid_host_features(struct hw_processor *host);

/*
 * Where a feature lives: leaf, sub-leaf, register (0 EAX .. 3 EDX) and bit.
 * Return: 0, or -EINVAL for an unknown feature.
 */
struct vm_cpuid_bit {
	uint32_t leaf, subleaf;
	unsigned int reg, bit;
};
int vm_cpuid_feature_bit(unsigned int feature, struct vm_cpuid_bit *ret);

/*
 * The guest's CPUID: leaf 7.0 with SGX and SGX_LC as configured; 0x12 zero
 * unless the guest has SGX; 0x12.0 and 0x12.1 the host's restricted to the
 * guest's features (PROVISIONKEY only when provisioning is allowed);
 * 0x12.2+ one per guest EPC section at its guest-physical address, then a
 * zero sub-leaf. Every other leaf reads as zero.
 */
void vm_cpuid(struct hw_processor *host, const struct vm_config *vm, const struct vm_layout *layout,
	      uint32_t leaf, uint32_t subleaf, struct hw_cpuid_regs *ret);

#endif /* VSGX_VMM_CPUID_H */
