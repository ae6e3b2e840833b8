// SPDX-License-Identifier: MIT
/*
 * Guest CPUID 7 and 0x12: the host's offer (KVM's masks), restricted to the
 * configured CPU, PROVISIONKEY only when provisioning is allowed, and EPC
 * sub-leaves from the guest's own sections.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm-fixture.h"

#define ATTRS_ALL 0x4b6u /* DEBUG|MODE64BIT|PROVISIONKEY|EINITTOKENKEY|KSS|AEXNOTIFY */
#define XFRM_HOST 0x2e7u /* x87|SSE|AVX|AVX-512|PKRU */

static void assert_regs(const struct hw_cpuid_regs *r, uint32_t eax, uint32_t ebx, uint32_t ecx,
			uint32_t edx)
{
	assert_int_equal(r->eax, eax);
	assert_int_equal(r->ebx, ebx);
	assert_int_equal(r->ecx, ecx);
	assert_int_equal(r->edx, edx);
}

static void guest(struct vmfix *f, uint32_t leaf, uint32_t sub, uint32_t eax, uint32_t ebx,
		  uint32_t ecx, uint32_t edx)
{
	struct hw_cpuid_regs r;

	memset(&r, 0xa5, sizeof(r));
	vm_cpuid(f->host, &f->vm, &f->layout, leaf, sub, &r);
	assert_regs(&r, eax, ebx, ecx, edx);
}

static void host(struct vmfix *f, uint32_t leaf, uint32_t sub, uint32_t eax, uint32_t ebx,
		 uint32_t ecx, uint32_t edx)
{
	struct hw_cpuid_regs r;

	memset(&r, 0xa5, sizeof(r));
	vm_cpuid_host(f->host, leaf, sub, &r);
	assert_regs(&r, eax, ebx, ecx, edx);
}

static void test_host_offer(void **state)
{
	struct vmfix *f = *state;

	host(f, 7, 0, 0, CPUID_7_EBX_SGX, CPUID_7_ECX_SGX_LC, 0);
	host(f, SGX_CPUID, 0, CPUID_12_EAX_SGX1 | CPUID_12_EAX_SGX2 | CPUID_12_EAX_EDECCSSA,
	     SGX_MISC_EXINFO, 0, 0x241f);
	host(f, SGX_CPUID, 1, ATTRS_ALL, 0, XFRM_HOST, 0);
	/* EPC sections are the guest's business: KVM reports none. */
	host(f, SGX_CPUID, 2, 0, 0, 0, 0);
	host(f, 1, 0, 0, 0, 0, 0);
	host(f, 7, 1, 0, 0, 0, 0);
	/* AEX-Notify comes with EDECCSSA: the host offers every feature. */
	assert_int_equal(vm_cpuid_host_features(f->host), (1u << VM_CPU_FEATURE_MAX) - 1);
	/* Locked LE hash: the host kernel hides SGX_LC, so guests cannot have it. */
	vmf_host(f, "lehash-locked=1 sgx2=0");
	host(f, 7, 0, 0, CPUID_7_EBX_SGX, 0, 0);
	host(f, SGX_CPUID, 0, CPUID_12_EAX_SGX1 | CPUID_12_EAX_EDECCSSA, SGX_MISC_EXINFO, 0,
	     0x241f);
	vmf_host(f, "flc=0");
	host(f, 7, 0, 0, CPUID_7_EBX_SGX, 0, 0);
}

static void test_feature_bits(void **state)
{
	struct vm_cpuid_bit b;

	(void)state;
	assert_int_equal(vm_cpuid_feature_bit(VM_CPU_SGXLC, &b), 0);
	assert_int_equal(b.leaf, 7);
	assert_int_equal(b.subleaf, 0);
	assert_int_equal(b.reg, 2);
	assert_int_equal(b.bit, 30);
	assert_int_equal(vm_cpuid_feature_bit(VM_CPU_SGX_PROVISIONKEY, &b), 0);
	assert_int_equal(b.leaf, SGX_CPUID);
	assert_int_equal(b.subleaf, 1);
	assert_int_equal(b.reg, 0);
	assert_int_equal(b.bit, 4);
	assert_int_equal(vm_cpuid_feature_bit(VM_CPU_FEATURE_MAX, &b), -EINVAL);
}

static void test_guest_full(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f, "-m 2G -numa node -numa node\n"
		  "-object memory-backend-epc,id=m0,size=64M\n"
		  "-object memory-backend-epc,id=m1,size=28M\n"
		  "-M sgx-epc.0.memdev=m0,sgx-epc.0.node=0,sgx-epc.1.memdev=m1,sgx-epc.1.node=1\n"
		  "-cpu host");
	guest(f, 7, 0, 0, CPUID_7_EBX_SGX, CPUID_7_ECX_SGX_LC, 0);
	guest(f, SGX_CPUID, 0, CPUID_12_EAX_SGX1 | CPUID_12_EAX_SGX2 | CPUID_12_EAX_EDECCSSA,
	      SGX_MISC_EXINFO, 0, 0x241f);
	guest(f, SGX_CPUID, 1, ATTRS_ALL, 0, XFRM_HOST, 0);
	guest(f, SGX_CPUID, 2, 0x00000001, 0x1, 0x04000001, 0);
	guest(f, SGX_CPUID, 3, 0x04000001, 0x1, 0x01c00001, 0);
	guest(f, SGX_CPUID, 4, 0, 0, 0, 0);
	guest(f, SGX_CPUID, 0xffffffff, 0, 0, 0, 0);
	guest(f, 1, 0, 0, 0, 0, 0);
	guest(f, 7, 1, 0, 0, 0, 0);
}

static void test_guest_restricted(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f,
	       "-object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 "
	       "-cpu host,-sgxlc,-sgx2,-sgx-exinfo,-sgx-provisionkey,-sgx-kss,-sgx-debug");
	guest(f, 7, 0, 0, CPUID_7_EBX_SGX, 0, 0);
	guest(f, SGX_CPUID, 0, CPUID_12_EAX_SGX1 | CPUID_12_EAX_EDECCSSA, 0, 0, 0x241f);
	guest(f, SGX_CPUID, 1,
	      (uint32_t)(SGX_ATTR_MODE64BIT | SGX_ATTR_EINITTOKENKEY | SGX_ATTR_AEXNOTIFY), 0,
	      XFRM_HOST, 0);
	guest(f, SGX_CPUID, 2, 0x00000001, 0x1, 0x04000001, 0);
}

/* A host without PROVISIONKEY: -cpu host has none, and +sgx-provisionkey cannot add it. */
static void test_host_without_provisionkey(void **state)
{
	struct vmfix *f = *state;
	struct hw_desc d;

	vm_host_default(&d);
	d.attributes &= ~SGX_ATTR_PROVISIONKEY;
	hw_processor_destroy(f->host);
	assert_int_equal(hw_processor_create(&d, &f->host), 0);
	vmf_vm(f,
	       "-object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 "
	       "-cpu host");
	guest(f, SGX_CPUID, 1, ATTRS_ALL & ~(uint32_t)SGX_ATTR_PROVISIONKEY, 0, XFRM_HOST, 0);
	assert_int_equal(vm_config_parse(f->host,
					 "-object memory-backend-epc,id=m0,size=64M -M "
					 "sgx-epc.0.memdev=m0,sgx-epc.0.node=0 "
					 "-cpu host,+sgx-provisionkey",
					 &f->vm, f->why, sizeof(f->why)),
			 -EINVAL);
	assert_string_equal(f->why, "-cpu host,+sgx-provisionkey: host doesn't support requested "
				    "feature: CPUID[eax=12h,ecx=01h].EAX.sgx-provisionkey [bit 4]; "
				    "features can only be removed from the host's, so drop "
				    "+sgx-provisionkey");
}

/* xl: PROVISIONKEY is advertised only with provision=1. */
static void test_guest_provisioning(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f, "name = \"a\"\ntype = \"hvm\"\nepc = 16\n");
	guest(f, SGX_CPUID, 1, ATTRS_ALL & ~(uint32_t)SGX_ATTR_PROVISIONKEY, 0, XFRM_HOST, 0);
	vmf_vm(f, "name = \"a\"\ntype = \"hvm\"\nsgx = \"epc=16,provision=1\"\n");
	guest(f, SGX_CPUID, 1, ATTRS_ALL, 0, XFRM_HOST, 0);
	guest(f, SGX_CPUID, 2, 0x00000001, 0x1, 0x01000001, 0);
}

/* No EPC or -sgx: the guest sees no SGX at all. */
static void test_guest_without_sgx(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f, "-m 1G -cpu host");
	guest(f, 7, 0, 0, 0, 0, 0);
	guest(f, SGX_CPUID, 0, 0, 0, 0, 0);
	guest(f, SGX_CPUID, 1, 0, 0, 0, 0);
	vmf_vm(f,
	       "-object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 "
	       "-cpu host,sgx=off");
	guest(f, 7, 0, 0, 0, 0, 0);
	guest(f, SGX_CPUID, 2, 0, 0, 0, 0);
}

/* Sections above 4 GiB and larger than 4 GiB use EBX and EDX. */
/* Without -cpu, QEMU's default model (qemu64) has no SGX: the EPC is there, unusable. */
static void test_guest_default_cpu(void **state)
{
	struct vmfix *f = *state;

	vmf_vm(f, "-m 1G -object memory-backend-epc,id=m0,size=64M "
		  "-M sgx-epc.0.memdev=m0,sgx-epc.0.node=0");
	assert_int_equal(f->vm.features, 0);
	assert_int_equal(f->layout.nr_sections, 1);
	guest(f, 7, 0, 0, 0, 0, 0);
	guest(f, SGX_CPUID, 0, 0, 0, 0, 0);
	guest(f, SGX_CPUID, 2, 0, 0, 0, 0);
}

static void test_guest_big_section(void **state)
{
	struct vmfix *f = *state;

	vmf_host(f, "epc=8G@0");
	vmf_vm(f, "-m 16G -object memory-backend-epc,id=m0,size=5G "
		  "-M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 -cpu host");
	assert_int_equal(f->layout.epc_base, 0x480000000ULL);
	guest(f, SGX_CPUID, 2, 0x80000001, 0x4, 0x40000001, 0x1);
	guest(f, SGX_CPUID, 3, 0, 0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		VMF_TEST("/vmm/cpuid/host_offer", test_host_offer),
		VMF_PLAIN("/vmm/cpuid/feature_bits", test_feature_bits),
		VMF_TEST("/vmm/cpuid/guest_full", test_guest_full),
		VMF_TEST("/vmm/cpuid/guest_restricted", test_guest_restricted),
		VMF_TEST("/vmm/cpuid/host_without_provisionkey", test_host_without_provisionkey),
		VMF_TEST("/vmm/cpuid/guest_provisioning", test_guest_provisioning),
		VMF_TEST("/vmm/cpuid/guest_without_sgx", test_guest_without_sgx),
		VMF_TEST("/vmm/cpuid/guest_default_cpu", test_guest_default_cpu),
		VMF_TEST("/vmm/cpuid/guest_big_section", test_guest_big_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
