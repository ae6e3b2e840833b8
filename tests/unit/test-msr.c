// SPDX-License-Identifier: MIT
/*
 * IA32_FEATURE_CONTROL and IA32_SGXLEPUBKEYHASH0..3 (SDM Vol. 4 MSR tables;
 * Vol. 3D "Launch control"): power-on values, lock semantics, when the LE
 * hash MSRs exist and are writable, per-CPU scope, reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw-fixture.h"

static const uint64_t intel_hash[4] = {
	SGX_LEPUBKEYHASH_INTEL0,
	SGX_LEPUBKEYHASH_INTEL1,
	SGX_LEPUBKEYHASH_INTEL2,
	SGX_LEPUBKEYHASH_INTEL3,
};

static const uint64_t other_hash[4] = {
	0x0123456789abcdefULL,
	0xfedcba9876543210ULL,
	0x1111111111111111ULL,
	0x8000000000000001ULL,
};

static uint64_t rdmsr(struct hw_cpu *cpu, uint32_t msr)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ULL;

	assert_int_equal(hw_msr_read(cpu, msr, &v), 0);
	return v;
}

static void assert_hash(struct hw_cpu *cpu, const uint64_t want[4])
{
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(rdmsr(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i), want[i]);
}

static void write_hash(struct hw_cpu *cpu, const uint64_t val[4])
{
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(hw_msr_write(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, val[i]), 0);
}

/* Every LE hash MSR write on (f->cpu) must #GP and leave the value alone. */
static void assert_hash_read_only(struct hwfix *f)
{
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t msr = MSR_IA32_SGXLEPUBKEYHASH0 + i;

		assert_gp(f, hw_msr_write(f->cpu, msr, other_hash[i]));
		assert_int_equal(rdmsr(f->cpu, msr), intel_hash[i]);
	}
}

static void repower(struct hwfix *f, bool flc, uint64_t feature_control)
{
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.flc = flc;
	d.feature_control = feature_control;
	hwf_repower(f, &d);
}

/* --- /feature_control --- */

static void test_fc_read_default(void **state)
{
	struct hwfix *f = *state;

	for (unsigned int i = 0; i < hw_processor_nr_cpus(f->p); i++)
		assert_int_equal(rdmsr(hw_processor_cpu(f->p, i), MSR_IA32_FEATURE_CONTROL),
				 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
}

static void test_fc_write_locked_gp(void **state)
{
	struct hwfix *f = *state;
	uint64_t v = FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED;

	assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_LOCKED));
	assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, v));
	assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, 0));
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL), v);
}

static void test_fc_unlocked_writable(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, 0);
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL), 0);
	assert_int_equal(hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_SGX_ENABLED), 0);
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL), FEAT_CTL_SGX_ENABLED);
	assert_int_equal(hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL,
				      FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED),
			 0);
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL),
			 FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
	/* Setting LOCK freezes it. */
	assert_int_equal(
	    hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL,
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED),
	    0);
	assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_LOCKED));
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL),
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
}

static void test_fc_reserved_bits_gp(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, FEAT_CTL_SGX_ENABLED);
	/* Bits 16 and 19 and 63 are reserved in every SDM revision. */
	assert_gp(
	    f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_SGX_ENABLED | (1ULL << 16)));
	assert_gp(
	    f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_SGX_ENABLED | (1ULL << 19)));
	assert_gp(
	    f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_SGX_ENABLED | (1ULL << 63)));
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL), FEAT_CTL_SGX_ENABLED);
}

static void test_fc_sgx_lc_needs_flc(void **state)
{
	struct hwfix *f = *state;

	repower(f, false, FEAT_CTL_SGX_ENABLED);
	assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL,
				  FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED));
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL), FEAT_CTL_SGX_ENABLED);
	assert_int_equal(
	    hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED),
	    0);
}

/* ENCLS needs LOCK and SGX_ENABLE; locking them on at runtime enables it. */
static void test_fc_lock_enables_encls(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, FEAT_CTL_SGX_ENABLED);
	hwf_secs_default(f->secs);
	assert_gp(f, hwf_ecreate_image(f, hwf_epc(f, 0)));
	assert_false(hwf_epcm(f, hwf_epc(f, 0)).valid);
	assert_int_equal(
	    hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED),
	    0);
	assert_int_equal(hwf_ecreate_image(f, hwf_epc(f, 0)), SGX_SUCCESS);
}

static void test_fc_locked_without_sgx_gp(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, 0);
	assert_int_equal(hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, FEAT_CTL_LOCKED), 0);
	assert_gp(f, hw_eremove(f->cpu, hwf_epc(f, 0)));
	assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL,
				  FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED));
	assert_gp(f, hw_eremove(f->cpu, hwf_epc(f, 0)));
}

static void test_fc_reset_restores_firmware_value(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, FEAT_CTL_SGX_ENABLED);
	assert_int_equal(
	    hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL,
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED),
	    0);
	hw_processor_reset(f->p);
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_FEATURE_CONTROL), FEAT_CTL_SGX_ENABLED);
	assert_int_equal(hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL, 0), 0);
}

/* --- /lehash --- */

static void test_lehash_power_on(void **state)
{
	struct hwfix *f = *state;

	for (unsigned int i = 0; i < hw_processor_nr_cpus(f->p); i++)
		assert_hash(hw_processor_cpu(f->p, i), intel_hash);
}

static void test_lehash_write_read(void **state)
{
	struct hwfix *f = *state;

	write_hash(f->cpu, other_hash);
	assert_hash(f->cpu, other_hash);
	/* Writing Intel's value back is allowed too. */
	write_hash(f->cpu, intel_hash);
	assert_hash(f->cpu, intel_hash);
}

static void test_lehash_per_cpu(void **state)
{
	struct hwfix *f = *state;
	struct hw_cpu *c1 = hw_processor_cpu(f->p, 1);
	struct hw_cpu *c3 = hw_processor_cpu(f->p, 3);

	write_hash(f->cpu, other_hash);
	assert_hash(f->cpu, other_hash);
	assert_hash(c1, intel_hash);
	assert_hash(c3, intel_hash);
	assert_int_equal(hw_msr_write(c3, MSR_IA32_SGXLEPUBKEYHASH2, 42), 0);
	assert_int_equal(rdmsr(c3, MSR_IA32_SGXLEPUBKEYHASH2), 42);
	assert_int_equal(rdmsr(f->cpu, MSR_IA32_SGXLEPUBKEYHASH2), other_hash[2]);
	assert_int_equal(rdmsr(c1, MSR_IA32_SGXLEPUBKEYHASH2), intel_hash[2]);
}

/* SDM: the LE hash MSRs exist only when CPUID.(7,0):ECX[30] (SGX_LC) is 1. */
static void test_lehash_no_flc(void **state)
{
	struct hwfix *f = *state;
	uint64_t v = 0x5a5a;

	repower(f, false, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	for (uint32_t i = 0; i < 4; i++) {
		assert_gp(f, hw_msr_read(f->cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, &v));
		assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, other_hash[i]));
	}
}

static void test_lehash_no_sgx_lc(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	assert_hash(f->cpu, intel_hash);
	assert_hash_read_only(f);
}

static void test_lehash_unlocked(void **state)
{
	struct hwfix *f = *state;

	repower(f, true, FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
	assert_hash(f->cpu, intel_hash);
	assert_hash_read_only(f);
	/* Once firmware locks SGX_LC on, they become writable. */
	assert_int_equal(
	    hw_msr_write(f->cpu, MSR_IA32_FEATURE_CONTROL,
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED),
	    0);
	write_hash(f->cpu, other_hash);
	assert_hash(f->cpu, other_hash);
}

/* The SDM's MSR table: both accesses need SGX1 enumerated, i.e. SGX enabled. */
static void test_lehash_sgx_disabled(void **state)
{
	struct hwfix *f = *state;
	uint64_t v = 0x5a5a;

	repower(f, true, FEAT_CTL_LOCKED | FEAT_CTL_SGX_LC_ENABLED);
	for (uint32_t i = 0; i < 4; i++) {
		assert_gp(f, hw_msr_read(f->cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, &v));
		assert_gp(f, hw_msr_write(f->cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, other_hash[i]));
	}
	assert_int_equal(v, 0x5a5a);
}

static void test_lehash_reset_restores(void **state)
{
	struct hwfix *f = *state;
	struct hw_cpu *c2 = hw_processor_cpu(f->p, 2);

	write_hash(f->cpu, other_hash);
	write_hash(c2, other_hash);
	hw_processor_reset(f->p);
	for (unsigned int i = 0; i < hw_processor_nr_cpus(f->p); i++)
		assert_hash(hw_processor_cpu(f->p, i), intel_hash);
}

/* --- /unknown --- */

static void test_unknown_msr(void **state)
{
	struct hwfix *f = *state;
	static const uint32_t msrs[] = { 0x0,  0x10,  0x3b,	   0x8b,
					 0x90, 0x1a0, 0xc0000080u, 0xffffffffu };
	uint64_t v;

	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		assert_gp(f, hw_msr_read(f->cpu, msrs[i], &v));
		assert_gp(f, hw_msr_write(f->cpu, msrs[i], 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HWF_TEST("/msr/feature_control/read_default", test_fc_read_default),
		HWF_TEST("/msr/feature_control/write_locked_gp", test_fc_write_locked_gp),
		HWF_TEST("/msr/feature_control/unlocked_writable", test_fc_unlocked_writable),
		HWF_TEST("/msr/feature_control/reserved_bits_gp", test_fc_reserved_bits_gp),
		HWF_TEST("/msr/feature_control/sgx_lc_needs_flc", test_fc_sgx_lc_needs_flc),
		HWF_TEST("/msr/feature_control/lock_enables_encls", test_fc_lock_enables_encls),
		HWF_TEST("/msr/feature_control/locked_without_sgx_gp",
			 test_fc_locked_without_sgx_gp),
		HWF_TEST("/msr/feature_control/reset_restores_firmware_value",
			 test_fc_reset_restores_firmware_value),
		HWF_TEST("/msr/lehash/power_on", test_lehash_power_on),
		HWF_TEST("/msr/lehash/write_read", test_lehash_write_read),
		HWF_TEST("/msr/lehash/per_cpu", test_lehash_per_cpu),
		HWF_TEST("/msr/lehash/no_flc", test_lehash_no_flc),
		HWF_TEST("/msr/lehash/no_sgx_lc", test_lehash_no_sgx_lc),
		HWF_TEST("/msr/lehash/unlocked", test_lehash_unlocked),
		HWF_TEST("/msr/lehash/sgx_disabled", test_lehash_sgx_disabled),
		HWF_TEST("/msr/lehash/reset_restores", test_lehash_reset_restores),
		HWF_TEST("/msr/unknown", test_unknown_msr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
