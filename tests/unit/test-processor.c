// SPDX-License-Identifier: MIT
/*
 * The processor model's description, lifecycle, CPUID leaves 7 and 0x12,
 * statistics, reset and the ENCLS register interface (SDM Vol. 3D ch. 38;
 * CPUID per SDM Vol. 2A "CPUID" leaf 12H).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/personality.h>
#include <time.h>
#include <unistd.h>

#include "hw-fixture.h"

static void check_rejected(const struct hw_desc *d)
{
	char why[128];

	why[0] = '\0';
	assert_int_equal(hw_desc_check(d, why, sizeof(why)), -EINVAL);
	assert_true(why[0] != '\0');
	assert_int_equal(hw_desc_check(d, NULL, 0), -EINVAL);
}

static void check_rejected_by_create(const struct hw_desc *d)
{
	struct hw_processor *p = NULL;

	check_rejected(d);
	assert_int_equal(hw_processor_create(d, &p), -EINVAL);
}

/* --- /desc --- */

static void test_desc_default_values(void **state)
{
	struct hw_desc d;

	(void)state;
	memset(&d, 0xa5, sizeof(d));
	hw_desc_init_default(&d);
	assert_int_equal(d.nr_sections, 1);
	assert_int_equal(d.sections[0].base, HWF_EPC_BASE);
	assert_int_equal(d.sections[0].size, HWF_EPC_SIZE);
	assert_int_equal(d.sections[0].node, 0);
	assert_int_equal(d.nr_cpus, 4);
	assert_true(d.sgx2);
	assert_true(d.flc);
	assert_int_equal(d.feature_control,
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
	assert_int_equal(d.miscselect, SGX_MISC_EXINFO);
	assert_int_equal(d.attributes, SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY |
					   SGX_ATTR_EINITTOKENKEY | SGX_ATTR_KSS |
					   SGX_ATTR_AEXNOTIFY);
	assert_int_equal(d.xfrm, SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_AVX512 | SGX_XFRM_PKRU);
	assert_int_equal(d.max_enclave_size_32, 31);
	assert_int_equal(d.max_enclave_size_64, 36);
}

static void test_desc_default_accepted(void **state)
{
	struct hw_desc d;
	char why[128] = "untouched";

	(void)state;
	hw_desc_init_default(&d);
	assert_int_equal(hw_desc_check(&d, why, sizeof(why)), 0);
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
}

static void test_desc_no_sections(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_sections = 0;
	check_rejected_by_create(&d);
}

static void test_desc_too_many_sections(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	for (unsigned int i = 0; i < SGX_MAX_EPC_SECTIONS; i++) {
		d.sections[i].base = 0x100000000ULL + i * 0x1000000ULL;
		d.sections[i].size = 0x1000000ULL;
		d.sections[i].node = 0;
	}
	d.nr_sections = SGX_MAX_EPC_SECTIONS;
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
	d.nr_sections = SGX_MAX_EPC_SECTIONS + 1;
	check_rejected_by_create(&d);
}

static void test_desc_zero_size(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.sections[0].size = 0;
	check_rejected_by_create(&d);
}

static void test_desc_unaligned_base(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.sections[0].base += 0x800;
	check_rejected_by_create(&d);
}

static void test_desc_unaligned_size(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.sections[0].size = 0x1800;
	check_rejected_by_create(&d);
}

static void test_desc_overlap(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[1].base = d.sections[0].base + d.sections[0].size - SGX_PAGE_SIZE;
	d.sections[1].size = 0x100000;
	d.sections[1].node = 0;
	check_rejected_by_create(&d);
}

static void test_desc_overlap_contained(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[1].base = 0x40000000;
	d.sections[1].size = 0x80000000; /* covers section 0 entirely */
	d.sections[1].node = 0;
	check_rejected_by_create(&d);
}

static void test_desc_duplicate(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[1] = d.sections[0];
	check_rejected_by_create(&d);
}

static void test_desc_adjacent_accepted(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[1].base = d.sections[0].base + d.sections[0].size;
	d.sections[1].size = 0x100000;
	d.sections[1].node = 1;
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
}

static void test_desc_wrapping(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.sections[0].base = 0xfffffffffffff000ULL;
	d.sections[0].size = 0x2000;
	check_rejected_by_create(&d);
}

static void test_desc_no_cpus(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_cpus = 0;
	check_rejected_by_create(&d);
}

static void test_desc_too_many_cpus(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_cpus = HW_MAX_CPUS;
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
	d.nr_cpus = HW_MAX_CPUS + 1;
	check_rejected_by_create(&d);
}

static void test_desc_node_range(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.sections[0].node = HW_MAX_NODES - 1;
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
	d.sections[0].node = HW_MAX_NODES;
	check_rejected_by_create(&d);
}

static void test_desc_xfrm_without_x87(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.xfrm &= ~SGX_XFRM_X87;
	check_rejected_by_create(&d);
}

static void test_desc_xfrm_without_sse(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.xfrm &= ~SGX_XFRM_SSE;
	check_rejected_by_create(&d);
}

/* CPUID.(12h,n) has 52 bits for an EPC section's base and size. */
static void test_desc_beyond_52bit(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.sections[0].base = 1ULL << 52;
	d.sections[0].size = 0x1000;
	check_rejected_by_create(&d);
	d.sections[0].base = (1ULL << 52) - 0x1000;
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
	d.sections[0].size = 0x2000;
	check_rejected_by_create(&d);
}

/* IA32_FEATURE_CONTROL.SGX_LC cannot be set on a part without FLC. */
static void test_desc_sgx_lc_without_flc(void **state)
{
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	d.flc = false;
	check_rejected_by_create(&d);
	d.feature_control &= ~FEAT_CTL_SGX_LC_ENABLED;
	assert_int_equal(hw_desc_check(&d, NULL, 0), 0);
}

/* --- /lifecycle --- */

static void test_lifecycle_destroy_null(void **state)
{
	(void)state;
	hw_processor_destroy(NULL);
}

static void test_lifecycle_accessors(void **state)
{
	struct hwfix *f = *state;
	const struct hw_desc *d = hw_processor_desc(f->p);

	assert_non_null(d);
	assert_int_equal(d->nr_sections, f->desc.nr_sections);
	assert_int_equal(d->sections[0].base, f->desc.sections[0].base);
	assert_int_equal(d->sections[0].size, f->desc.sections[0].size);
	assert_int_equal(d->nr_cpus, f->desc.nr_cpus);
	assert_int_equal(d->feature_control, f->desc.feature_control);
	assert_int_equal(d->seed, f->desc.seed);
	assert_memory_equal(d->cpusvn, f->desc.cpusvn, SGX_CPUSVN_SIZE);

	assert_int_equal(hw_processor_nr_cpus(f->p), 4);
	for (unsigned int i = 0; i < 4; i++) {
		struct hw_cpu *cpu = hw_processor_cpu(f->p, i);

		assert_non_null(cpu);
		assert_int_equal(hw_cpu_index(cpu), i);
		assert_ptr_equal(hw_cpu_processor(cpu), f->p);
		for (unsigned int j = 0; j < i; j++)
			assert_ptr_not_equal(hw_processor_cpu(f->p, j), cpu);
	}

	assert_int_equal(hw_processor_nr_sections(f->p), 1);
	assert_int_equal(hw_processor_section(f->p, 0)->base, HWF_EPC_BASE);
	assert_int_equal(hw_processor_section(f->p, 0)->size, HWF_EPC_SIZE);
	assert_int_equal(hw_processor_section(f->p, 0)->node, 0);
	assert_int_equal(hw_processor_nr_pages(f->p), HWF_EPC_SIZE / SGX_PAGE_SIZE);
}

static void test_lifecycle_desc_is_copied(void **state)
{
	struct hw_desc d;
	struct hw_processor *p = NULL;

	(void)state;
	hw_desc_init_default(&d);
	assert_int_equal(hw_processor_create(&d, &p), 0);
	d.nr_cpus = 7;
	d.sections[0].size = 0x1000;
	assert_int_equal(hw_processor_desc(p)->nr_cpus, 4);
	assert_int_equal(hw_processor_nr_pages(p), HWF_EPC_SIZE / SGX_PAGE_SIZE);
	hw_processor_destroy(p);
}

/* Design rule 5: EPCM metadata is reserved, not touched; no content until written. */
static void test_lifecycle_large_sections_cheap(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;
	struct timespec t0, t1;
	struct hw_stats st;
	double secs;

	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[0].base = 64ULL << 30;
	d.sections[0].size = 64ULL << 30;
	d.sections[0].node = 0;
	d.sections[1].base = 128ULL << 30;
	d.sections[1].size = 64ULL << 30;
	d.sections[1].node = 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	hwf_repower(f, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 2.0);

	assert_int_equal(hw_processor_nr_pages(f->p), 2 * ((64ULL << 30) / SGX_PAGE_SIZE));
	assert_int_equal(hw_processor_nr_sections(f->p), 2);
	assert_int_equal(hw_processor_section(f->p, 1)->node, 1);
	st = hwf_stats(f);
	assert_int_equal(st.nr_pages, 2 * ((64ULL << 30) / SGX_PAGE_SIZE));
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.materialized, 0);
	assert_int_equal(st.enclaves, 0);
	assert_true(st.epcm_entry_bytes > 0 && st.epcm_entry_bytes <= 32);
}

static void test_lifecycle_one_tib(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;
	struct hw_stats st;

	hw_desc_init_default(&d);
	d.sections[0].base = 1ULL << 40;
	d.sections[0].size = 1ULL << 40;
	hwf_repower(f, &d);
	st = hwf_stats(f);
	assert_int_equal(st.nr_pages, (1ULL << 40) / SGX_PAGE_SIZE);
	assert_int_equal(st.materialized, 0);
	/* A page at the far end works like any other. */
	assert_int_equal(hw_eremove(f->cpu, (2ULL << 40) - SGX_PAGE_SIZE), SGX_SUCCESS);
	hwf_ecreate_ok(f, (2ULL << 40) - SGX_PAGE_SIZE);
	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 1);
	assert_int_equal(st.enclaves, 1);
}

static void test_lifecycle_second_section_usable(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;
	uint64_t secs, page;

	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[1].base = 0x100000000ULL;
	d.sections[1].size = 0x200000;
	d.sections[1].node = 1;
	hwf_repower(f, &d);

	/* An enclave may span sections: SECS in one, a page in the other. */
	secs = d.sections[1].base + d.sections[1].size - SGX_PAGE_SIZE;
	page = d.sections[0].base;
	hwf_ecreate_ok(f, secs);
	assert_int_equal(hwf_eadd(f, secs, page, HWF_ENCL_BASE, SECINFO_RW, NULL), 0);
	assert_int_equal(hwf_epcm(f, page).secs_pa, secs);
	assert_int_equal(hwf_enclave(f, secs).children, 1);
	/* Just past the second section is not EPC. */
	assert_pf(f, hw_eremove(f->cpu, d.sections[1].base + d.sections[1].size),
		  d.sections[1].base + d.sections[1].size);
	assert_int_equal(hw_processor_nr_pages(f->p), (HWF_EPC_SIZE + 0x200000) / SGX_PAGE_SIZE);
}

/* --- /cpuid --- */

static struct hw_cpuid_regs cpuid(struct hwfix *f, uint32_t leaf, uint32_t subleaf)
{
	struct hw_cpuid_regs r;

	memset(&r, 0xa5, sizeof(r));
	hw_cpuid(f->p, leaf, subleaf, &r);
	return r;
}

static void assert_regs(struct hw_cpuid_regs r, uint32_t eax, uint32_t ebx, uint32_t ecx,
			uint32_t edx)
{
	assert_int_equal(r.eax, eax);
	assert_int_equal(r.ebx, ebx);
	assert_int_equal(r.ecx, ecx);
	assert_int_equal(r.edx, edx);
}

static void test_cpuid_leaf7(void **state)
{
	struct hwfix *f = *state;

	assert_regs(cpuid(f, 7, 0), 0, CPUID_7_EBX_SGX, CPUID_7_ECX_SGX_LC, 0);
}

static void test_cpuid_leaf7_no_flc(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.flc = false;
	d.feature_control = FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED;
	hwf_repower(f, &d);
	assert_regs(cpuid(f, 7, 0), 0, CPUID_7_EBX_SGX, 0, 0);
}

static void test_cpuid_leaf12_0(void **state)
{
	struct hwfix *f = *state;

	/* The default part has AEX-Notify, so EDECCSSA is enumerated with it. */
	assert_regs(cpuid(f, SGX_CPUID, 0),
		    CPUID_12_EAX_SGX1 | CPUID_12_EAX_SGX2 | CPUID_12_EAX_EDECCSSA, SGX_MISC_EXINFO,
		    0, 31 | (36 << 8));
}

static void test_cpuid_leaf12_0_sgx1_only(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.sgx2 = false;
	d.miscselect = 0;
	d.attributes &= ~SGX_ATTR_AEXNOTIFY;
	d.max_enclave_size_32 = 30;
	d.max_enclave_size_64 = 40;
	hwf_repower(f, &d);
	/* Without AEX-Notify there is no EDECCSSA either. */
	assert_regs(cpuid(f, SGX_CPUID, 0), CPUID_12_EAX_SGX1, 0, 0, 30 | (40 << 8));
}

static void test_cpuid_leaf12_1(void **state)
{
	struct hwfix *f = *state;
	uint64_t a = f->desc.attributes, x = f->desc.xfrm;

	assert_regs(cpuid(f, SGX_CPUID, 1), (uint32_t)a, (uint32_t)(a >> 32), (uint32_t)x,
		    (uint32_t)(x >> 32));
}

static void test_cpuid_leaf12_1_amx(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.xfrm |= SGX_XFRM_AMX;
	hwf_repower(f, &d);
	assert_int_equal(cpuid(f, SGX_CPUID, 1).ecx, (uint32_t)d.xfrm);
	assert_int_equal(cpuid(f, SGX_CPUID, 1).ecx & SGX_XFRM_AMX, SGX_XFRM_AMX);
}

static void test_cpuid_leaf12_epc_default(void **state)
{
	struct hwfix *f = *state;

	assert_regs(cpuid(f, SGX_CPUID, 2), 0x80000000u | SGX_CPUID_EPC_SECTION, 0,
		    0x08000000u | SGX_CPUID_EPC_CONF_INTEGRITY, 0);
	assert_regs(cpuid(f, SGX_CPUID, 3), 0, 0, 0, 0);
	assert_regs(cpuid(f, SGX_CPUID, 9), 0, 0, 0, 0);
	assert_regs(cpuid(f, SGX_CPUID, 0xffffffff), 0, 0, 0, 0);
}

static void test_cpuid_leaf12_epc_multi(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.nr_sections = 3;
	d.sections[1].base = 0x1000000000ULL; /* 64 GiB */
	d.sections[1].size = 0x1000000000ULL; /* 64 GiB */
	d.sections[1].node = 1;
	d.sections[2].base = 0x8dcba98765000ULL; /* bits 51:32 of base in EBX */
	d.sections[2].size = 0x1234567000ULL;
	d.sections[2].node = 2;
	hwf_repower(f, &d);

	assert_int_equal(hw_processor_nr_sections(f->p), 3);
	for (unsigned int i = 0; i < 3; i++) {
		const struct hw_epc_section_desc *s = hw_processor_section(f->p, i);
		struct hw_cpuid_regs r = cpuid(f, SGX_CPUID, SGX_CPUID_EPC + i);
		uint64_t base = ((uint64_t)(r.ebx & 0xfffff) << 32) | (r.eax & 0xfffff000u);
		uint64_t size = ((uint64_t)(r.edx & 0xfffff) << 32) | (r.ecx & 0xfffff000u);

		assert_int_equal(r.eax & SGX_CPUID_EPC_TYPE_MASK, SGX_CPUID_EPC_SECTION);
		assert_int_equal(r.ecx & 0xf, SGX_CPUID_EPC_CONF_INTEGRITY);
		assert_int_equal(base, s->base);
		assert_int_equal(size, s->size);
	}
	/* Exact encodings of the two large sections, wherever they are listed. */
	for (unsigned int i = 0; i < 3; i++) {
		struct hw_cpuid_regs r = cpuid(f, SGX_CPUID, SGX_CPUID_EPC + i);

		if (r.ebx == 0x10)
			assert_regs(r, 1, 0x10, 1, 0x10);
		else if (r.ebx == 0x8dcba)
			assert_regs(r, 0x98765001u, 0x8dcba, 0x34567001u, 0x12);
		else
			assert_regs(r, 0x80000001u, 0, 0x08000001u, 0);
	}
	assert_regs(cpuid(f, SGX_CPUID, SGX_CPUID_EPC + 3), 0, 0, 0, 0);
}

static void test_cpuid_other_leaves_zero(void **state)
{
	struct hwfix *f = *state;

	assert_regs(cpuid(f, 0, 0), 0, 0, 0, 0);
	assert_regs(cpuid(f, 1, 0), 0, 0, 0, 0);
	assert_regs(cpuid(f, 7, 1), 0, 0, 0, 0);
	assert_regs(cpuid(f, 0x13, 0), 0, 0, 0, 0);
	assert_regs(cpuid(f, 0x80000000u, 0), 0, 0, 0, 0);
}

static void test_cpuid_sgx_disabled(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.feature_control = FEAT_CTL_LOCKED;
	hwf_repower(f, &d);
	/* Leaf 7 reports the part; leaf 0x12 is empty without SGX_ENABLE. */
	assert_int_equal(cpuid(f, 7, 0).ebx & CPUID_7_EBX_SGX, CPUID_7_EBX_SGX);
	for (uint32_t sub = 0; sub < 4; sub++)
		assert_regs(cpuid(f, SGX_CPUID, sub), 0, 0, 0, 0);
}

/* --- /encls --- */

static void test_encls_sgx_disabled_gp(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.feature_control = FEAT_CTL_LOCKED;
	hwf_repower(f, &d);
	/* #GP(0) comes before any operand check. */
	assert_gp(f, hw_eremove(f->cpu, hwf_epc(f, 0)));
	assert_gp(f, hw_eremove(f->cpu, hwf_la(f->host)));
	hwf_secs_default(f->secs);
	assert_gp(f, hwf_ecreate_image(f, hwf_epc(f, 0)));
	assert_false(hwf_epcm(f, hwf_epc(f, 0)).valid);
}

static void test_encls_unlocked_gp(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.feature_control = FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED;
	hwf_repower(f, &d);
	assert_gp(f, hw_eremove(f->cpu, hwf_epc(f, 0)));
}

static void test_encls_regs_success(void **state)
{
	struct hwfix *f = *state;
	struct hw_regs regs = {
		.rax = SGX_EREMOVE,
		.rcx = hwf_epc(f, 5),
		.rflags = HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF |
			  HW_RFLAGS_OF,
	};

	assert_int_equal(hw_encls(f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, SGX_SUCCESS);
	assert_int_equal(regs.rflags & (HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF |
					HW_RFLAGS_SF | HW_RFLAGS_OF),
			 0);
}

static void test_encls_regs_error_sets_zf(void **state)
{
	struct hwfix *f = *state;
	struct hw_regs regs = { 0 };

	hwf_ecreate_ok(f, hwf_epc(f, 0));
	assert_int_equal(hwf_eadd(f, hwf_epc(f, 0), hwf_epc(f, 1), HWF_ENCL_BASE, SECINFO_R, NULL),
			 0);
	regs.rax = SGX_EREMOVE;
	regs.rcx = hwf_epc(f, 0);
	regs.rflags = HW_RFLAGS_CF | HW_RFLAGS_SF;
	assert_int_equal(hw_encls(f->cpu, &regs), SGX_CHILD_PRESENT);
	assert_int_equal(regs.rax, SGX_CHILD_PRESENT);
	assert_int_equal(regs.rflags & HW_RFLAGS_ZF, HW_RFLAGS_ZF);
	assert_int_equal(regs.rflags & (HW_RFLAGS_CF | HW_RFLAGS_SF), 0);
}

static void test_encls_regs_ecreate(void **state)
{
	struct hwfix *f = *state;
	struct hw_regs regs = { 0 };

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	regs.rax = SGX_ECREATE;
	regs.rbx = hwf_la(f->pageinfo);
	regs.rcx = hwf_epc(f, 3);
	regs.rflags = 0x2 | HW_RFLAGS_ZF | HW_RFLAGS_CF | HW_RFLAGS_OF;
	assert_int_equal(hw_encls(f->cpu, &regs), SGX_SUCCESS);
	/* "Flags Affected: None", and no code: RAX and RFLAGS as they were. */
	assert_int_equal(regs.rax, SGX_ECREATE);
	assert_int_equal(regs.rflags, 0x2 | HW_RFLAGS_ZF | HW_RFLAGS_CF | HW_RFLAGS_OF);
	assert_true(hwf_epcm(f, hwf_epc(f, 3)).valid);
	/* Same operands again: EPCM.VALID → #PF(RCX) through the register interface too. */
	regs.rax = SGX_ECREATE;
	assert_pf(
	    f, hw_encls(f->cpu, &regs),
	    hwf_epc(f,
		    3)); /* EPA likewise; EREMOVE returns its code and clears CF, PF, AF, OF, SF. */
	regs.rax = SGX_EPA;
	regs.rbx = SGX_PT_VA;
	regs.rcx = hwf_epc(f, 4);
	assert_int_equal(hw_encls(f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, SGX_EPA);
	assert_int_equal(regs.rflags, 0x2 | HW_RFLAGS_ZF | HW_RFLAGS_CF | HW_RFLAGS_OF);
	regs.rax = SGX_EREMOVE;
	assert_int_equal(hw_encls(f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags, 0x2);
}

static void test_encls_rax_upper_ignored(void **state)
{
	struct hwfix *f = *state;
	struct hw_regs regs = { 0 };

	regs.rax = 0xdead000000000000ULL | SGX_EREMOVE;
	regs.rcx = hwf_epc(f, 0);
	assert_int_equal(hw_encls(f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
}

static void test_encls_unknown_leaf(void **state)
{
	struct hwfix *f = *state;
	struct hw_regs regs = { 0 };

	regs.rax = SGX_ENCLS_LEAF_MAX;
	regs.rcx = hwf_epc(f, 0);
	assert_gp(f, hw_encls(f->cpu, &regs));
	regs.rax = 0xff;
	assert_gp(f, hw_encls(f->cpu, &regs));
}

/* SGX2's ENCLS leaves on a part without SGX2: unsupported leaves, #GP(0) as the SDM says. */
static void test_encls_sgx2_leaf_without_sgx2(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;
	struct hw_regs regs = { 0 };

	hw_desc_init_default(&d);
	d.sgx2 = false;
	hwf_repower(f, &d);
	regs.rax = SGX_EAUG;
	regs.rbx = hwf_la(f->pageinfo);
	regs.rcx = hwf_epc(f, 0);
	assert_gp(f, hw_encls(f->cpu, &regs));
	regs.rax = SGX_EMODPR;
	assert_gp(f, hw_encls(f->cpu, &regs));
	regs.rax = SGX_EMODT;
	assert_gp(f, hw_encls(f->cpu, &regs));
}

static void test_encls_names(void **state)
{
	(void)state;
	assert_string_equal(hw_code_name(SGX_INVALID_SIGNATURE), "SGX_INVALID_SIGNATURE");
	assert_string_equal(hw_code_name(SGX_CHILD_PRESENT), "SGX_CHILD_PRESENT");
	assert_string_equal(hw_code_name(SGX_UNMASKED_EVENT), "SGX_UNMASKED_EVENT");
	assert_string_equal(hw_code_name(SGX_INVALID_EINITTOKEN), "SGX_INVALID_EINITTOKEN");
	assert_null(hw_code_name(22));
	assert_null(hw_code_name(-1));
	assert_null(hw_code_name(1000));
	assert_string_equal(hw_encls_leaf_name(SGX_ECREATE), "ECREATE");
	assert_string_equal(hw_encls_leaf_name(SGX_EREMOVE), "EREMOVE");
	assert_string_equal(hw_encls_leaf_name(SGX_ELDUC), "ELDUC");
	assert_null(hw_encls_leaf_name(SGX_ENCLS_LEAF_MAX));
	assert_string_equal(hw_vector_name(X86_TRAP_GP), "#GP");
	assert_string_equal(hw_vector_name(X86_TRAP_PF), "#PF");
	assert_string_equal(hw_vector_name(X86_TRAP_UD), "#UD");
}

/* --- /stats, /query, /reset --- */

static void test_stats_default(void **state)
{
	struct hwfix *f = *state;
	struct hw_stats st = hwf_stats(f);

	assert_int_equal(st.nr_pages, HWF_EPC_SIZE / SGX_PAGE_SIZE);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.materialized, 0);
	assert_int_equal(st.enclaves, 0);
	assert_true(st.epcm_entry_bytes > 0 && st.epcm_entry_bytes <= 32);
}

static void test_stats_counts_pages(void **state)
{
	struct hwfix *f = *state;
	uint64_t secs = hwf_epc(f, 10);
	struct hw_stats st;
	uint64_t m0;

	hwf_ecreate_ok(f, secs);
	hwf_ecreate_ok(f, hwf_epc(f, 20));
	m0 = hwf_stats(f).materialized;
	memset(f->page, 0x5a, SGX_PAGE_SIZE);
	assert_int_equal(hwf_eadd(f, secs, hwf_epc(f, 11), HWF_ENCL_BASE, SECINFO_RW, NULL), 0);
	assert_int_equal(hwf_eadd(f, secs, hwf_epc(f, 12), HWF_ENCL_BASE + 0x1000, SECINFO_R, NULL),
			 0);
	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 4);
	assert_int_equal(st.enclaves, 2);
	/* Two more pages with contents other than zeros. */
	assert_int_equal(st.materialized, m0 + 2);

	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 11)), 0);
	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 12)), 0);
	assert_int_equal(hw_eremove(f->cpu, secs), 0);
	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 20)), 0);
	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.enclaves, 0);
	/*
	 * The two pages keep their memory after EREMOVE (only a reset gives it
	 * back); the two removed SECS pages give theirs back with their enclaves.
	 */
	assert_int_equal(st.materialized, m0);
	hw_processor_reset(f->p);
	assert_int_equal(hwf_stats(f).materialized, 0);
}

static void test_query_bounds(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_info e;
	struct hw_enclave_info en;

	assert_int_equal(hw_epcm_query(f->p, HWF_EPC_BASE - SGX_PAGE_SIZE, &e), -EINVAL);
	assert_int_equal(hw_epcm_query(f->p, HWF_EPC_BASE + HWF_EPC_SIZE, &e), -EINVAL);
	assert_int_equal(hw_epcm_query(f->p, 0, &e), -EINVAL);
	e = hwf_epcm(f, HWF_EPC_BASE + HWF_EPC_SIZE - SGX_PAGE_SIZE);
	assert_false(e.valid);
	e = hwf_epcm(f, HWF_EPC_BASE);
	assert_false(e.valid);

	/* hw_enclave_query() wants a valid SECS. */
	assert_int_equal(hw_enclave_query(f->p, hwf_epc(f, 0), &en), -EINVAL);
	assert_int_equal(hw_enclave_query(f->p, hwf_la(f->host), &en), -EINVAL);
	hwf_ecreate_ok(f, hwf_epc(f, 0));
	assert_int_equal(hwf_eadd(f, hwf_epc(f, 0), hwf_epc(f, 1), HWF_ENCL_BASE, SECINFO_R, NULL),
			 0);
	assert_int_equal(hw_enclave_query(f->p, hwf_epc(f, 0), &en), 0);
	assert_int_equal(hw_enclave_query(f->p, hwf_epc(f, 1), &en), -EINVAL);
}

static void test_reset_clears_epcm(void **state)
{
	struct hwfix *f = *state;
	uint64_t secs = hwf_epc(f, 0);
	struct hw_enclave_info en;
	struct hw_stats st;

	hwf_ecreate_ok(f, secs);
	memset(f->page, 0x11, SGX_PAGE_SIZE);
	assert_int_equal(hwf_eadd(f, secs, hwf_epc(f, 1), HWF_ENCL_BASE, SECINFO_RW, NULL), 0);
	assert_int_equal(hw_cpu_enclave_enter_raw(hw_processor_cpu(f->p, 2), secs), 0);

	hw_processor_reset(f->p);

	st = hwf_stats(f);
	assert_int_equal(st.nr_pages, HWF_EPC_SIZE / SGX_PAGE_SIZE);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.materialized, 0);
	assert_int_equal(st.enclaves, 0);
	assert_false(hwf_epcm(f, secs).valid);
	assert_false(hwf_epcm(f, hwf_epc(f, 1)).valid);
	assert_int_equal(hw_enclave_query(f->p, secs, &en), -EINVAL);
	assert_int_equal(hw_cpu_enclave_exit_raw(hw_processor_cpu(f->p, 2)), -ENOENT);
	/* The description survives; the pages are usable again, no CPU is inside. */
	assert_int_equal(hw_processor_desc(f->p)->nr_cpus, 4);
	hwf_ecreate_ok(f, secs);
	assert_int_equal(hwf_enclave(f, secs).threads_inside, 0);
	assert_int_equal(hwf_eadd(f, secs, hwf_epc(f, 1), HWF_ENCL_BASE, SECINFO_RW, NULL), 0);
	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 1)), 0);
}

static void test_reset_keeps_cpuid(void **state)
{
	struct hwfix *f = *state;
	struct hw_cpuid_regs before[4], after[4];

	for (uint32_t i = 0; i < 4; i++)
		before[i] = cpuid(f, SGX_CPUID, i);
	hw_processor_reset(f->p);
	for (uint32_t i = 0; i < 4; i++) {
		after[i] = cpuid(f, SGX_CPUID, i);
		assert_memory_equal(&before[i], &after[i], sizeof(before[i]));
	}
	assert_int_equal(hw_processor_nr_cpus(f->p), 4);
}

/* --- /raw enter/exit --- */

static void test_raw_enter_exit(void **state)
{
	struct hwfix *f = *state;
	uint64_t secs = hwf_epc(f, 0);
	struct hw_cpu *c1 = hw_processor_cpu(f->p, 1);
	struct hw_cpu *c2 = hw_processor_cpu(f->p, 2);

	assert_int_equal(hw_cpu_enclave_enter_raw(c1, secs), -EINVAL);
	assert_int_equal(hw_cpu_enclave_exit_raw(c1), -ENOENT);
	hwf_ecreate_ok(f, secs);
	/* An enclave without pages cannot be running. */
	assert_int_equal(hw_cpu_enclave_enter_raw(c1, secs), -EINVAL);
	assert_int_equal(hwf_eadd(f, secs, hwf_epc(f, 1), HWF_ENCL_BASE, SECINFO_R, NULL), 0);
	assert_int_equal(hw_cpu_enclave_enter_raw(c1, secs), 0);
	assert_int_equal(hw_cpu_enclave_enter_raw(c1, secs), -EBUSY);
	assert_int_equal(hw_cpu_enclave_enter_raw(c2, secs), 0);
	assert_int_equal(hwf_enclave(f, secs).threads_inside, 2);
	assert_int_equal(hw_cpu_enclave_exit_raw(c1), 0);
	assert_int_equal(hwf_enclave(f, secs).threads_inside, 1);
	assert_int_equal(hw_cpu_enclave_exit_raw(c1), -ENOENT);
	assert_int_equal(hw_cpu_enclave_exit_raw(c2), 0);
	assert_int_equal(hwf_enclave(f, secs).threads_inside, 0);
	/* A page that is not a SECS cannot be entered. */
	assert_int_equal(hw_cpu_enclave_enter_raw(c1, hwf_epc(f, 1)), -EINVAL);
}

/* --- /threads: design rule 6, one thread per logical CPU --- */

#define THR_ENCLAVES 8
#define THR_PAGES    4

struct thr_ops {
	struct sgx_pageinfo *pageinfo;
	struct sgx_secinfo *secinfo;
	struct sgx_secs *secs;
	uint8_t *page;
};

static void thr_ops_alloc(struct thr_ops *o)
{
	o->pageinfo = hwf_zalloc(32, sizeof(*o->pageinfo));
	o->secinfo = hwf_zalloc(64, sizeof(*o->secinfo));
	o->secs = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*o->secs));
	o->page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
}

static void thr_ops_free(struct thr_ops *o)
{
	free(o->pageinfo);
	free(o->secinfo);
	free(o->secs);
	free(o->page);
}

/* No cmocka asserts off the main thread: workers count what went wrong. */
static int thr_ecreate(struct hw_cpu *cpu, struct thr_ops *o, uint64_t epc)
{
	memset(o->secs, 0, sizeof(*o->secs));
	o->secs->base = HWF_ENCL_BASE;
	o->secs->size = HWF_ENCL_SIZE;
	o->secs->ssa_frame_size = 1;
	o->secs->attributes.flags = SGX_ATTR_MODE64BIT;
	o->secs->attributes.xfrm = SGX_XFRM_LEGACY;
	memset(o->pageinfo, 0, sizeof(*o->pageinfo));
	memset(o->secinfo, 0, sizeof(*o->secinfo));
	o->secinfo->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	o->pageinfo->srcpge = hwf_la(o->secs);
	o->pageinfo->secinfo = hwf_la(o->secinfo);
	return hw_ecreate(cpu, hwf_la(o->pageinfo), epc);
}

static int thr_eadd(struct hw_cpu *cpu, struct thr_ops *o, uint64_t secs, uint64_t epc,
		    uint64_t linaddr)
{
	memset(o->pageinfo, 0, sizeof(*o->pageinfo));
	memset(o->secinfo, 0, sizeof(*o->secinfo));
	o->secinfo->flags = SECINFO_RW;
	o->pageinfo->linaddr = linaddr;
	o->pageinfo->srcpge = hwf_la(o->page);
	o->pageinfo->secinfo = hwf_la(o->secinfo);
	o->pageinfo->secs = secs;
	return hw_eadd(cpu, hwf_la(o->pageinfo), epc);
}

struct thr_builder {
	struct hw_processor *p;
	unsigned int cpu;
	uint64_t first; /* physical address of this worker's first EPC page */
	uint64_t eid[THR_ENCLAVES];
	uint64_t blocks[THR_ENCLAVES];
	int errors;
};

static void *thr_build(void *arg)
{
	struct thr_builder *w = arg;
	struct hw_cpu *cpu = hw_processor_cpu(w->p, w->cpu);
	struct thr_ops o;

	thr_ops_alloc(&o);
	memset(o.page, (int)(w->cpu + 1), SGX_PAGE_SIZE);
	for (int e = 0; e < THR_ENCLAVES; e++) {
		uint64_t secs = w->first + (uint64_t)e * (THR_PAGES + 1) * SGX_PAGE_SIZE;
		struct hw_enclave_info info;

		w->errors += thr_ecreate(cpu, &o, secs) != 0;
		for (int i = 0; i < THR_PAGES; i++) {
			uint64_t epc = secs + (uint64_t)(i + 1) * SGX_PAGE_SIZE;

			w->errors += thr_eadd(cpu, &o, secs, epc, HWF_ENCL_BASE + i * 0x1000) != 0;
			for (int c = 0; c < 16; c++)
				w->errors += hw_eextend(cpu, secs, epc + c * 256ULL) != 0;
		}
		w->errors += hw_enclave_query(w->p, secs, &info) != 0;
		w->eid[e] = info.eid;
		w->blocks[e] = info.measurement_blocks;
	}
	for (int e = 0; e < THR_ENCLAVES; e += 2) {
		uint64_t secs = w->first + (uint64_t)e * (THR_PAGES + 1) * SGX_PAGE_SIZE;

		w->errors += hw_eremove(cpu, secs) != SGX_CHILD_PRESENT;
		for (int i = 1; i <= THR_PAGES; i++)
			w->errors += hw_eremove(cpu, secs + (uint64_t)i * SGX_PAGE_SIZE) != 0;
		w->errors += hw_eremove(cpu, secs) != 0;
	}
	thr_ops_free(&o);
	return NULL;
}

static void test_threads_parallel_builds(void **state)
{
	struct hwfix *f = *state;
	unsigned int n = hw_processor_nr_cpus(f->p);
	struct thr_builder w[4];
	pthread_t t[4];
	struct hw_stats st;

	assert_int_equal(n, 4);
	for (unsigned int i = 0; i < n; i++) {
		w[i] = (struct thr_builder){ .p = f->p, .cpu = i };
		w[i].first = hwf_epc(f, 1000 * i);
		assert_int_equal(pthread_create(&t[i], NULL, thr_build, &w[i]), 0);
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);

	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(w[i].errors, 0);
		for (int e = 0; e < THR_ENCLAVES; e++) {
			assert_int_equal(w[i].blocks[e], 1 + THR_PAGES * (1 + 16 * 5));
			/* EIDs are unique across all CPUs. */
			for (unsigned int j = 0; j <= i; j++)
				for (int k = 0; k < (j == i ? e : THR_ENCLAVES); k++)
					assert_int_not_equal(w[i].eid[e], w[j].eid[k]);
		}
	}
	st = hwf_stats(f);
	assert_int_equal(st.enclaves, n * THR_ENCLAVES / 2);
	assert_int_equal(st.valid_pages, n * THR_ENCLAVES / 2 * (THR_PAGES + 1));
}

#define THR_ROUNDS 200

struct thr_racer {
	struct hw_processor *p;
	unsigned int cpu;
	pthread_barrier_t *barrier;
	uint64_t secs, target;
	bool ecreate; /* race ECREATE on (target) instead of EADD */
	int result[THR_ROUNDS];
	struct hw_fault fault[THR_ROUNDS];
};

static void *thr_race(void *arg)
{
	struct thr_racer *r = arg;
	struct hw_cpu *cpu = hw_processor_cpu(r->p, r->cpu);
	struct thr_ops o;

	thr_ops_alloc(&o);
	for (int i = 0; i < THR_ROUNDS; i++) {
		pthread_barrier_wait(r->barrier);
		if (r->ecreate)
			r->result[i] = thr_ecreate(cpu, &o, r->target);
		else
			r->result[i] = thr_eadd(cpu, &o, r->secs, r->target, HWF_ENCL_BASE);
		r->fault[i] = *hw_cpu_fault(cpu);
		pthread_barrier_wait(r->barrier);
		/* The main thread removes the winner's page between rounds. */
		pthread_barrier_wait(r->barrier);
	}
	thr_ops_free(&o);
	return NULL;
}

/* Two CPUs on one page: exactly one wins; the loser faults as the SDM says. */
static void race(struct hwfix *f, bool ecreate)
{
	pthread_barrier_t barrier;
	struct thr_racer r[2];
	pthread_t t[2];
	uint64_t target = hwf_epc(f, 7);

	if (!ecreate)
		hwf_ecreate_ok(f, hwf_epc(f, 0));
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 3), 0);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct thr_racer){ .p = f->p, .cpu = 1 + (unsigned int)i };
		r[i].barrier = &barrier;
		r[i].secs = hwf_epc(f, 0);
		r[i].target = target;
		r[i].ecreate = ecreate;
		assert_int_equal(pthread_create(&t[i], NULL, thr_race, &r[i]), 0);
	}
	for (int round = 0; round < THR_ROUNDS; round++) {
		pthread_barrier_wait(&barrier);
		pthread_barrier_wait(&barrier);
		for (int i = 0; i < 2; i++) {
			const struct thr_racer *me = &r[i], *other = &r[1 - i];

			if (me->result[round] != 0)
				continue;
			assert_int_equal(other->result[round] & HW_FAULT_FLAG, HW_FAULT_FLAG);
			if (other->result[round] == HW_FAULT(X86_TRAP_PF))
				assert_int_equal(other->fault[round].addr, target);
			else
				assert_int_equal(other->result[round], HW_FAULT(X86_TRAP_GP));
		}
		assert_true(r[0].result[round] == 0 || r[1].result[round] == 0);
		assert_int_equal(hw_eremove(f->cpu, target), 0);
		pthread_barrier_wait(&barrier);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&barrier);
	assert_false(hwf_epcm(f, target).valid);
	if (!ecreate)
		assert_int_equal(hwf_enclave(f, hwf_epc(f, 0)).children, 0);
}

static void test_threads_eadd_conflict(void **state)
{
	race(*state, false);
}

static void test_threads_ecreate_conflict(void **state)
{
	race(*state, true);
	assert_int_equal(hwf_stats(*state).enclaves, 0);
}

#if defined(__SANITIZE_THREAD__)
#define TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEST_TSAN 1
#endif
#endif

/*
 * ThreadSanitizer keeps the program's mappings in fixed ranges of the
 * address space; the kernel places large ones top-down from a randomized
 * base, inside the highest range (1.5 TiB), so with address randomization
 * the room left there for one_tib's 1 TiB of EPC contents varied from run to
 * run and the processor's reservation failed with -ENOMEM in about one run
 * in four. Run the tests again without randomization, which leaves the
 * whole range, so one_tib tests the model and not where ASLR put libc.
 */
static void test_tsan_no_aslr(char **argv)
{
#ifdef TEST_TSAN
	int pers = personality(0xffffffff);

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE))
		return;
	if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	execv("/proc/self/exe", argv);
	/* Could not run again: go on, and one_tib says what it finds. */
#else
	(void)argv;
#endif
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		HWF_TEST("/processor/desc/default_values", test_desc_default_values),
		HWF_TEST("/processor/desc/default_accepted", test_desc_default_accepted),
		HWF_TEST("/processor/desc/reject/no_sections", test_desc_no_sections),
		HWF_TEST("/processor/desc/reject/too_many_sections", test_desc_too_many_sections),
		HWF_TEST("/processor/desc/reject/zero_size", test_desc_zero_size),
		HWF_TEST("/processor/desc/reject/unaligned_base", test_desc_unaligned_base),
		HWF_TEST("/processor/desc/reject/unaligned_size", test_desc_unaligned_size),
		HWF_TEST("/processor/desc/reject/overlap", test_desc_overlap),
		HWF_TEST("/processor/desc/reject/overlap_contained", test_desc_overlap_contained),
		HWF_TEST("/processor/desc/reject/duplicate", test_desc_duplicate),
		HWF_TEST("/processor/desc/adjacent_accepted", test_desc_adjacent_accepted),
		HWF_TEST("/processor/desc/reject/wrapping", test_desc_wrapping),
		HWF_TEST("/processor/desc/reject/no_cpus", test_desc_no_cpus),
		HWF_TEST("/processor/desc/reject/too_many_cpus", test_desc_too_many_cpus),
		HWF_TEST("/processor/desc/reject/node_range", test_desc_node_range),
		HWF_TEST("/processor/desc/reject/xfrm_without_x87", test_desc_xfrm_without_x87),
		HWF_TEST("/processor/desc/reject/xfrm_without_sse", test_desc_xfrm_without_sse),
		HWF_TEST("/processor/desc/reject/beyond_52bit", test_desc_beyond_52bit),
		HWF_TEST("/processor/desc/reject/sgx_lc_without_flc", test_desc_sgx_lc_without_flc),
		HWF_TEST("/processor/lifecycle/destroy_null", test_lifecycle_destroy_null),
		HWF_TEST("/processor/lifecycle/accessors", test_lifecycle_accessors),
		HWF_TEST("/processor/lifecycle/desc_is_copied", test_lifecycle_desc_is_copied),
		HWF_TEST("/processor/lifecycle/large_sections_cheap",
			 test_lifecycle_large_sections_cheap),
		HWF_TEST("/processor/lifecycle/one_tib", test_lifecycle_one_tib),
		HWF_TEST("/processor/lifecycle/second_section_usable",
			 test_lifecycle_second_section_usable),
		HWF_TEST("/processor/cpuid/7", test_cpuid_leaf7),
		HWF_TEST("/processor/cpuid/7/no_flc", test_cpuid_leaf7_no_flc),
		HWF_TEST("/processor/cpuid/12.0", test_cpuid_leaf12_0),
		HWF_TEST("/processor/cpuid/12.0/sgx1_only", test_cpuid_leaf12_0_sgx1_only),
		HWF_TEST("/processor/cpuid/12.1", test_cpuid_leaf12_1),
		HWF_TEST("/processor/cpuid/12.1/amx", test_cpuid_leaf12_1_amx),
		HWF_TEST("/processor/cpuid/12.epc/default", test_cpuid_leaf12_epc_default),
		HWF_TEST("/processor/cpuid/12.epc/multi", test_cpuid_leaf12_epc_multi),
		HWF_TEST("/processor/cpuid/other_leaves_zero", test_cpuid_other_leaves_zero),
		HWF_TEST("/processor/cpuid/sgx_disabled", test_cpuid_sgx_disabled),
		HWF_TEST("/processor/encls/sgx_disabled_gp", test_encls_sgx_disabled_gp),
		HWF_TEST("/processor/encls/unlocked_gp", test_encls_unlocked_gp),
		HWF_TEST("/processor/encls/regs/success", test_encls_regs_success),
		HWF_TEST("/processor/encls/regs/error_sets_zf", test_encls_regs_error_sets_zf),
		HWF_TEST("/processor/encls/regs/ecreate", test_encls_regs_ecreate),
		HWF_TEST("/processor/encls/regs/rax_upper_ignored", test_encls_rax_upper_ignored),
		HWF_TEST("/processor/encls/regs/unknown_leaf", test_encls_unknown_leaf),
		HWF_TEST("/processor/encls/regs/sgx2_leaf_without_sgx2",
			 test_encls_sgx2_leaf_without_sgx2),
		HWF_TEST("/processor/encls/names", test_encls_names),
		HWF_TEST("/processor/stats/default", test_stats_default),
		HWF_TEST("/processor/stats/counts_pages", test_stats_counts_pages),
		HWF_TEST("/processor/query/bounds", test_query_bounds),
		HWF_TEST("/processor/reset/clears_epcm", test_reset_clears_epcm),
		HWF_TEST("/processor/reset/keeps_cpuid", test_reset_keeps_cpuid),
		HWF_TEST("/processor/raw/enter_exit", test_raw_enter_exit),
		HWF_TEST("/processor/threads/parallel_builds", test_threads_parallel_builds),
		HWF_TEST("/processor/threads/eadd_conflict", test_threads_eadd_conflict),
		HWF_TEST("/processor/threads/ecreate_conflict", test_threads_ecreate_conflict),
	};

	(void)argc;
	test_tsan_no_aslr(argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
