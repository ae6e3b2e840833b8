/* SPDX-License-Identifier: MIT */
/*
 * Guest CPUID 7 and 0x12. KVM decides what a guest may see at all (its
 * supported CPUID, masked from the host's); QEMU restricts that to the
 * configured CPU and writes the EPC sub-leaves from the guest's layout.
 */
#include "vsgx/vmm-cpuid.h"

#include <errno.h>
#include <string.h>

#include "vsgx/vmm-config.h"
#include "vsgx/vmm-layout.h"

enum { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

struct cpuid_feature {
	const char *name; /* QEMU's */
	struct vm_cpuid_bit bit;
};

static const struct cpuid_feature cpuid_features[VM_CPU_FEATURE_MAX] = {
	[VM_CPU_SGX] = { "sgx", { 7, 0, REG_EBX, 2 } },
	[VM_CPU_SGXLC] = { "sgxlc", { 7, 0, REG_ECX, 30 } },
	[VM_CPU_SGX1] = { "sgx1", { SGX_CPUID, 0, REG_EAX, 0 } },
	[VM_CPU_SGX2] = { "sgx2", { SGX_CPUID, 0, REG_EAX, 1 } },
	[VM_CPU_SGX_EDECCSSA] = { "sgx-edeccssa", { SGX_CPUID, 0, REG_EAX, 11 } },
	[VM_CPU_SGX_EXINFO] = { "sgx-exinfo", { SGX_CPUID, 0, REG_EBX, 0 } },
	[VM_CPU_SGX_DEBUG] = { "sgx-debug", { SGX_CPUID, 1, REG_EAX, 1 } },
	[VM_CPU_SGX_MODE64] = { "sgx-mode64", { SGX_CPUID, 1, REG_EAX, 2 } },
	[VM_CPU_SGX_PROVISIONKEY] = { "sgx-provisionkey", { SGX_CPUID, 1, REG_EAX, 4 } },
	[VM_CPU_SGX_TOKENKEY] = { "sgx-tokenkey", { SGX_CPUID, 1, REG_EAX, 5 } },
	[VM_CPU_SGX_KSS] = { "sgx-kss", { SGX_CPUID, 1, REG_EAX, 7 } },
	[VM_CPU_SGX_AEXNOTIFY] = { "sgx-aex-notify", { SGX_CPUID, 1, REG_EAX, 10 } },
};

const char *vm_cpu_feature_name(enum vm_cpu_feature f)
{
	return (unsigned int)f < VM_CPU_FEATURE_MAX ? cpuid_features[f].name : NULL;
}

int vm_cpuid_feature_bit(unsigned int feature, struct vm_cpuid_bit *ret)
{
	if (feature >= VM_CPU_FEATURE_MAX)
		return -EINVAL;
	*ret = cpuid_features[feature].bit;
	return 0;
}

static uint32_t *cpuid_reg(struct hw_cpuid_regs *r, unsigned int reg)
{
	uint32_t *regs[] = { &r->eax, &r->ebx, &r->ecx, &r->edx };

	return regs[reg];
}

void vm_cpuid_host(struct hw_processor *host, uint32_t leaf, uint32_t subleaf,
		   struct hw_cpuid_regs *ret)
{
	const struct hw_desc *d = hw_processor_desc(host);

	hw_cpuid(host, leaf, subleaf, ret);
	if (leaf == 7 && subleaf == 0) {
		ret->ebx &= CPUID_7_EBX_SGX;
		/* Firmware locked the LE hash: the host kernel hides SGX_LC. */
		if (!(d->feature_control & FEAT_CTL_SGX_LC_ENABLED))
			ret->ecx &= ~CPUID_7_ECX_SGX_LC;
		ret->ecx &= CPUID_7_ECX_SGX_LC;
		ret->eax = ret->edx = 0;
	} else if (leaf == SGX_CPUID && subleaf == 0) {
		ret->eax &= CPUID_12_EAX_SGX1 | CPUID_12_EAX_SGX2 | CPUID_12_EAX_EDECCSSA;
		ret->ebx &= SGX_MISC_EXINFO;
		ret->ecx = 0;
	} else if (leaf == SGX_CPUID && subleaf == 1) {
		ret->eax &= (uint32_t)VM_SGX_ATTR_ALLOWED;
		ret->ebx = 0;
	} else {
		memset(ret, 0, sizeof(*ret));
	}
}

uint32_t vm_cpuid_host_features(struct hw_processor *host)
{
	struct hw_cpuid_regs r;
	uint32_t mask = 0;

	for (unsigned int f = 0; f < VM_CPU_FEATURE_MAX; f++) {
		const struct vm_cpuid_bit *b = &cpuid_features[f].bit;

		vm_cpuid_host(host, b->leaf, b->subleaf, &r);
		if (*cpuid_reg(&r, b->reg) >> b->bit & 1)
			mask |= VM_CPU(f);
	}
	return mask;
}

/* Clear the bits of every feature of (leaf, subleaf) the guest lacks. */
static void cpuid_restrict(uint32_t features, uint32_t leaf, uint32_t subleaf,
			   struct hw_cpuid_regs *r)
{
	for (unsigned int f = 0; f < VM_CPU_FEATURE_MAX; f++) {
		const struct vm_cpuid_bit *b = &cpuid_features[f].bit;

		if (b->leaf == leaf && b->subleaf == subleaf && !(features & VM_CPU(f)))
			*cpuid_reg(r, b->reg) &= ~(1u << b->bit);
	}
}

/* Sub-leaf 2+: the guest's section at its guest-physical address. */
static void cpuid_epc_section(struct hw_processor *host, const struct vm_layout_section *s,
			      struct hw_cpuid_regs *r)
{
	struct hw_cpuid_regs h;

	/* The EPC's protection (confidentiality/integrity) is the host's. */
	hw_cpuid(host, SGX_CPUID, SGX_CPUID_EPC, &h);
	r->eax = (uint32_t)(s->base & 0xfffff000u) | SGX_CPUID_EPC_SECTION;
	r->ebx = (uint32_t)(s->base >> 32) & 0xfffffu;
	r->ecx = (uint32_t)(s->size & 0xfffff000u) | (h.ecx & SGX_CPUID_EPC_TYPE_MASK);
	r->edx = (uint32_t)(s->size >> 32) & 0xfffffu;
}

void vm_cpuid(struct hw_processor *host, const struct vm_config *vm, const struct vm_layout *layout,
	      uint32_t leaf, uint32_t subleaf, struct hw_cpuid_regs *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!(vm->features & VM_CPU(VM_CPU_SGX)))
		return;
	if ((leaf == 7 && subleaf == 0) || (leaf == SGX_CPUID && subleaf < SGX_CPUID_EPC)) {
		vm_cpuid_host(host, leaf, subleaf, ret);
		cpuid_restrict(vm->features, leaf, subleaf, ret);
		if (leaf == SGX_CPUID && subleaf == 1)
			ret->ecx |= (uint32_t)SGX_XFRM_LEGACY; /* FP and SSE are always allowed */
	} else if (leaf == SGX_CPUID && subleaf - SGX_CPUID_EPC < layout->nr_sections) {
		cpuid_epc_section(host, &layout->sections[subleaf - SGX_CPUID_EPC], ret);
	}
}
