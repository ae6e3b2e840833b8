// SPDX-License-Identifier: MIT
/*
 * A vCPU's FEATURE_CONTROL and LE hash MSRs under KVM's rules and Xen's
 * lehash/lewr: reset values, what guest firmware locks, when the guest may
 * read and write, host-initiated accesses, per-vCPU state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm-fixture.h"
#include "vsgx/encls.h"

#define GP     HW_FAULT(X86_TRAP_GP)
#define FC_ALL (FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED)
#define QEMU_EPC                                                                                   \
	"-object memory-backend-epc,id=m0,size=64M -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 "
#define HASH_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const uint64_t intel[4] = { SGX_LEPUBKEYHASH_INTEL0, SGX_LEPUBKEYHASH_INTEL1,
				   SGX_LEPUBKEYHASH_INTEL2, SGX_LEPUBKEYHASH_INTEL3 };
static const uint64_t custom[4] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
				    0x1716151413121110ULL, 0x1f1e1d1c1b1a1918ULL };

struct msrfix {
	struct vm_msr_policy policy;
	struct vm_vcpu_msrs cpu[2];
};

static void boot(struct vmfix *f, struct msrfix *m, const char *config)
{
	vmf_vm(f, config);
	vm_msr_policy_init(&m->policy, &f->vm);
	vm_vcpu_msrs_reset(&m->cpu[0], &m->policy);
	vm_vcpu_msrs_reset(&m->cpu[1], &m->policy);
}

static uint64_t rd(const struct vm_vcpu_msrs *c, uint32_t msr, bool host)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ULL;

	assert_int_equal(vm_msr_read(c, msr, host, &v), 0);
	return v;
}

static void assert_hash(const struct vm_vcpu_msrs *c, const uint64_t want[4])
{
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(rd(c, MSR_IA32_SGXLEPUBKEYHASH0 + i, true), want[i]);
}

static void test_qemu_policy(void **state)
{
	struct msrfix m;

	boot(*state, &m, QEMU_EPC "-cpu host");
	assert_true(m.policy.sgx);
	assert_true(m.policy.sgx_lc);
	assert_int_equal(m.policy.firmware_fc, FC_ALL);
	assert_memory_equal(m.policy.lehash_reset, intel, sizeof(intel));
	/* Power-on: unlocked FEATURE_CONTROL, Intel's hash. */
	assert_int_equal(rd(&m.cpu[0], MSR_IA32_FEATURE_CONTROL, false), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(rd(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH0 + i, false), intel[i]);
}

/* Firmware locks FEATURE_CONTROL; with SGX_LC the guest OS writes the hash. */
static void test_firmware_lock_then_write(void **state)
{
	struct vm_vcpu_msrs *c;
	struct msrfix m;

	boot(*state, &m, QEMU_EPC "-cpu host");
	c = &m.cpu[0];
	assert_int_equal(vm_vcpu_msrs_firmware(c), 0);
	assert_int_equal(rd(c, MSR_IA32_FEATURE_CONTROL, false), FC_ALL);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(vm_msr_write(c, MSR_IA32_SGXLEPUBKEYHASH0 + i, false, custom[i]),
				 0);
	assert_hash(c, custom);
	/* Per vCPU: the other one still has Intel's. */
	assert_hash(&m.cpu[1], intel);
	/* Locked: the guest can no longer change FEATURE_CONTROL, even to the same value. */
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, false, FC_ALL), GP);
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, false, 0), GP);
	assert_int_equal(vm_vcpu_msrs_firmware(c), GP);
	assert_int_equal(rd(c, MSR_IA32_FEATURE_CONTROL, false), FC_ALL);
	/* The host (migration, reset) can. */
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, true, 0), 0);
	assert_int_equal(rd(c, MSR_IA32_FEATURE_CONTROL, true), 0);
	/* Reset brings back the reset values. */
	vm_vcpu_msrs_reset(c, &m.policy);
	assert_hash(c, intel);
}

/* Before firmware locks it, the hash is writable (KVM: FEAT_CTL not locked). */
static void test_write_before_lock(void **state)
{
	struct msrfix m;

	boot(*state, &m, QEMU_EPC "-cpu host");
	assert_int_equal(vm_msr_write(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH2, false, 42), 0);
	assert_int_equal(rd(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH2, false), 42);
	/* Locked without SGX_LC by a firmware of its own: read-only from then on. */
	assert_int_equal(vm_msr_write(&m.cpu[0], MSR_IA32_FEATURE_CONTROL, false,
				      FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED),
			 0);
	assert_int_equal(vm_msr_write(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH2, false, 43), GP);
	assert_int_equal(rd(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH2, false), 42);
}

static void test_feature_control_bits(void **state)
{
	struct vm_vcpu_msrs *c;
	struct msrfix m;

	boot(*state, &m, QEMU_EPC "-cpu host,-sgxlc");
	c = &m.cpu[0];
	assert_int_equal(m.policy.firmware_fc, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	/* Bits of features the guest lacks, and any other bit, are reserved. */
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, false, FEAT_CTL_SGX_LC_ENABLED),
			 GP);
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, true, FEAT_CTL_SGX_LC_ENABLED),
			 GP);
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, false, 1ULL << 2), GP);
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, false, 1ULL << 63), GP);
	assert_int_equal(rd(c, MSR_IA32_FEATURE_CONTROL, false), 0);
	assert_int_equal(vm_msr_write(c, MSR_IA32_FEATURE_CONTROL, false, FEAT_CTL_SGX_ENABLED), 0);
	assert_int_equal(rd(c, MSR_IA32_FEATURE_CONTROL, false), FEAT_CTL_SGX_ENABLED);
	/* No SGX_LC in CPUID: the hash MSRs do not exist for the guest. */
	assert_int_equal(vm_msr_write(c, MSR_IA32_SGXLEPUBKEYHASH0, false, 1), GP);
	uint64_t v = 7;
	assert_int_equal(vm_msr_read(c, MSR_IA32_SGXLEPUBKEYHASH0, false, &v), GP);
	assert_int_equal(v, 7);
	/* The host still sees and sets them. */
	assert_int_equal(rd(c, MSR_IA32_SGXLEPUBKEYHASH3, true), SGX_LEPUBKEYHASH_INTEL3);
	assert_int_equal(vm_msr_write(c, MSR_IA32_SGXLEPUBKEYHASH3, true, 5), 0);
	assert_int_equal(rd(c, MSR_IA32_SGXLEPUBKEYHASH3, true), 5);
}

static void test_no_sgx(void **state)
{
	struct msrfix m;

	boot(*state, &m, "-m 1G");
	assert_false(m.policy.sgx);
	assert_false(m.policy.sgx_lc);
	assert_int_equal(m.policy.firmware_fc, FEAT_CTL_LOCKED);
	assert_int_equal(
	    vm_msr_write(&m.cpu[0], MSR_IA32_FEATURE_CONTROL, false, FEAT_CTL_SGX_ENABLED), GP);
	assert_int_equal(vm_vcpu_msrs_firmware(&m.cpu[0]), 0);
	assert_int_equal(rd(&m.cpu[0], MSR_IA32_FEATURE_CONTROL, false), FEAT_CTL_LOCKED);
}

/* Xen lewr=0: the configured hash, read-only for the guest once firmware is done. */
static void test_xen_lehash_read_only(void **state)
{
	struct vm_vcpu_msrs *c;
	struct msrfix m;

	boot(*state, &m,
	     "name = \"x\"\ntype = \"hvm\"\nsgx = \"epc=64,lehash=" HASH_HEX ",lewr=0\"");
	c = &m.cpu[0];
	assert_int_equal(m.policy.firmware_fc, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	assert_memory_equal(m.policy.lehash_reset, custom, sizeof(custom));
	assert_int_equal(vm_vcpu_msrs_firmware(c), 0);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(rd(c, MSR_IA32_SGXLEPUBKEYHASH0 + i, false), custom[i]);
		assert_int_equal(vm_msr_write(c, MSR_IA32_SGXLEPUBKEYHASH0 + i, false, intel[i]),
				 GP);
	}
	assert_hash(c, custom);
}

/* Xen lewr=1 with a lehash: that hash at reset, and the guest may change it. */
static void test_xen_lehash_writable(void **state)
{
	struct vm_vcpu_msrs *c;
	struct msrfix m;

	boot(*state, &m,
	     "name = \"x\"\ntype = \"hvm\"\nsgx = \"epc=64,lehash=" HASH_HEX ",lewr=1\"");
	c = &m.cpu[1];
	assert_int_equal(m.policy.firmware_fc, FC_ALL);
	assert_int_equal(vm_vcpu_msrs_firmware(c), 0);
	assert_hash(c, custom);
	assert_int_equal(vm_msr_write(c, MSR_IA32_SGXLEPUBKEYHASH1, false, 99), 0);
	assert_int_equal(rd(c, MSR_IA32_SGXLEPUBKEYHASH1, false), 99);
}

/*
 * A host whose firmware locked the LE hash: KVM hides SGX_LC, so a QEMU
 * guest gets none; its firmware locks FEATURE_CONTROL without SGX_LC, and
 * the guest can neither read nor write the hash (KVM's rules need SGX_LC);
 * the VMM still can, and it reads Intel's value.
 */
static void test_locked_host_qemu_guest(void **state)
{
	struct vmfix *f = *state;
	struct msrfix m;
	uint64_t v;

	vmf_host(f, "epc=128M@0 lehash-locked=1");
	boot(f, &m, QEMU_EPC "-cpu host");
	assert_false(m.policy.sgx_lc);
	assert_int_equal(m.policy.firmware_fc, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	assert_int_equal(vm_vcpu_msrs_firmware(&m.cpu[0]), 0);
	assert_int_equal(rd(&m.cpu[0], MSR_IA32_FEATURE_CONTROL, false),
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	assert_int_equal(vm_msr_read(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH0, false, &v), GP);
	assert_int_equal(vm_msr_write(&m.cpu[0], MSR_IA32_SGXLEPUBKEYHASH0, false, 1), GP);
	/* Setting SGX_LC in FEATURE_CONTROL is refused too: the guest has no SGX_LC. */
	assert_int_equal(vm_msr_write(&m.cpu[1], MSR_IA32_FEATURE_CONTROL, false, FC_ALL), GP);
	assert_hash(&m.cpu[0], intel);
}

static void test_unknown_msrs(void **state)
{
	static const uint32_t msrs[] = { 0x8b, 0x90, 0x3b, 0xc0000080 };
	struct msrfix m;
	uint64_t v;

	boot(*state, &m, QEMU_EPC "-cpu host");
	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		assert_int_equal(vm_msr_read(&m.cpu[0], msrs[i], false, &v), GP);
		assert_int_equal(vm_msr_read(&m.cpu[0], msrs[i], true, &v), GP);
		assert_int_equal(vm_msr_write(&m.cpu[0], msrs[i], false, 0), GP);
		assert_int_equal(vm_msr_write(&m.cpu[0], msrs[i], true, 0), GP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		VMF_TEST("/vmm/msr/qemu_policy", test_qemu_policy),
		VMF_TEST("/vmm/msr/firmware_lock_then_write", test_firmware_lock_then_write),
		VMF_TEST("/vmm/msr/write_before_lock", test_write_before_lock),
		VMF_TEST("/vmm/msr/feature_control_bits", test_feature_control_bits),
		VMF_TEST("/vmm/msr/no_sgx", test_no_sgx),
		VMF_TEST("/vmm/msr/xen_lehash_read_only", test_xen_lehash_read_only),
		VMF_TEST("/vmm/msr/xen_lehash_writable", test_xen_lehash_writable),
		VMF_TEST("/vmm/msr/locked_host_qemu_guest", test_locked_host_qemu_guest),
		VMF_TEST("/vmm/msr/unknown", test_unknown_msrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
