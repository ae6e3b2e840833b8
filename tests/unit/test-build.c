// SPDX-License-Identifier: MIT
/*
 * The SGX1 build and teardown leaves: ECREATE, EADD, EEXTEND and EREMOVE.
 * Every check of the SDM pseudocode (Vol. 3D ch. 38) has a test that trips
 * it alone and asserts the exact fault (and #PF address) or return code;
 * a few tests trip two checks at once to pin down the order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw-fixture.h"

/* The enclave most tests build: SECS in EPC page 0, children from page 1. */
#define SECS(f)	   hwf_epc(f, 0)
#define PAGE(f, i) hwf_epc(f, 1 + (i))
#define LIN(i)	   (HWF_ENCL_BASE + (uint64_t)(i)*SGX_PAGE_SIZE)

static void make_enclave(struct hwfix *f)
{
	hwf_ecreate_ok(f, SECS(f));
}

static int eadd(struct hwfix *f, uint64_t epc, uint64_t linaddr, uint64_t flags)
{
	return hwf_eadd(f, SECS(f), epc, linaddr, flags, NULL);
}

static void eadd_ok(struct hwfix *f, uint64_t epc, uint64_t linaddr, uint64_t flags)
{
	assert_int_equal(eadd(f, epc, linaddr, flags), SGX_SUCCESS);
}

/* A version-array page made through the register interface. */
static void epa_ok(struct hwfix *f, uint64_t epc)
{
	struct hw_regs regs = { .rax = SGX_EPA, .rbx = SGX_PT_VA, .rcx = epc };

	assert_int_equal(hw_encls(f->cpu, &regs), SGX_SUCCESS);
	/* EPA returns no code: RAX keeps the leaf number. */
	assert_int_equal(regs.rax, SGX_EPA);
	assert_int_equal(hwf_epcm(f, epc).pt, SGX_PT_VA);
}

/* ECREATE of f->secs must #GP and leave the target page invalid. */
static void assert_ecreate_gp(struct hwfix *f)
{
	uint64_t epc = hwf_epc(f, 7);
	struct hw_stats st;

	assert_gp(f, hwf_ecreate_image(f, epc));
	assert_false(hwf_epcm(f, epc).valid);
	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.enclaves, 0);
}

static void assert_ecreate_ok(struct hwfix *f)
{
	uint64_t epc = hwf_epc(f, 7);

	assert_int_equal(hwf_ecreate_image(f, epc), SGX_SUCCESS);
	assert_true(hwf_epcm(f, epc).valid);
	assert_int_equal(hw_eremove(f->cpu, epc), 0);
}

/* ====================================================================== */
/* ECREATE                                                                */
/* ====================================================================== */

static void test_ecreate_success(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_info e;
	struct hw_enclave_info en;
	struct hw_stats st;

	hwf_secs_init(f->secs, HWF_ENCL_BASE, HWF_ENCL_SIZE, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG,
		      SGX_XFRM_LEGACY | SGX_XFRM_AVX);
	f->secs->miscselect = SGX_MISC_EXINFO;
	assert_int_equal(hwf_ecreate_image(f, SECS(f)), SGX_SUCCESS);

	e = hwf_epcm(f, SECS(f));
	assert_true(e.valid);
	assert_int_equal(e.pt, SGX_PT_SECS);
	assert_false(e.r);
	assert_false(e.w);
	assert_false(e.x);
	assert_false(e.blocked);
	assert_false(e.pending);
	assert_false(e.modified);
	assert_false(e.pr);
	assert_int_equal(e.enclave_address, 0);

	en = hwf_enclave(f, SECS(f));
	assert_false(en.initialized);
	assert_int_equal(en.children, 0);
	assert_int_equal(en.threads_inside, 0);
	assert_int_equal(en.measurement_blocks, 1);
	assert_int_equal(en.attributes.flags, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG);
	assert_int_equal(en.attributes.xfrm, SGX_XFRM_LEGACY | SGX_XFRM_AVX);
	assert_int_equal(en.isv_prod_id, 0);
	assert_int_equal(en.isv_svn, 0);

	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 1);
	assert_int_equal(st.enclaves, 1);
	assert_int_equal(st.materialized, 1);
}

static void test_ecreate_eid_distinct(void **state)
{
	struct hwfix *f = *state;
	uint64_t eid[4];

	for (int i = 0; i < 3; i++) {
		hwf_ecreate_ok(f, hwf_epc(f, 10 + i));
		eid[i] = hwf_enclave(f, hwf_epc(f, 10 + i)).eid;
		for (int j = 0; j < i; j++)
			assert_int_not_equal(eid[i], eid[j]);
	}
	/* A new enclave in a recycled SECS page gets a new EID. */
	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 10)), 0);
	hwf_ecreate_ok(f, hwf_epc(f, 10));
	eid[3] = hwf_enclave(f, hwf_epc(f, 10)).eid;
	for (int j = 0; j < 3; j++)
		assert_int_not_equal(eid[3], eid[j]);
}

static void test_ecreate_isv_fields_cleared(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	f->secs->isv_prod_id = 7;
	f->secs->isv_svn = 9;
	assert_int_equal(hwf_ecreate_image(f, SECS(f)), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(f, SECS(f)).isv_prod_id, 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).isv_svn, 0);
}

static void test_ecreate_pageinfo_unaligned(void **state)
{
	struct hwfix *f = *state;
	struct sgx_pageinfo *pi = (struct sgx_pageinfo *)(f->host + 16);

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	*pi = *f->pageinfo;
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(pi), SECS(f)));
	/* Alignment comes before the EPC check of RCX. */
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(pi), hwf_la(f->page)));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_rcx_unaligned(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f) + 0x800));
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f) + 8));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_rcx_not_epc(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), hwf_la(f->host)), hwf_la(f->host));
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), HWF_EPC_BASE + HWF_EPC_SIZE),
		  HWF_EPC_BASE + HWF_EPC_SIZE);
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), HWF_EPC_BASE - SGX_PAGE_SIZE),
		  HWF_EPC_BASE - SGX_PAGE_SIZE);
	/* RCX is checked before PAGEINFO's contents are looked at. */
	f->pageinfo->linaddr = 0x1000;
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), hwf_la(f->host)), hwf_la(f->host));
}

static void test_ecreate_srcpge_unaligned(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	f->pageinfo->srcpge += 64;
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_secinfo_unaligned(void **state)
{
	struct hwfix *f = *state;
	struct sgx_secinfo *si = (struct sgx_secinfo *)(f->host + 32);

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	*si = *f->secinfo;
	f->pageinfo->secinfo = hwf_la(si);
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_linaddr_nonzero(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	f->pageinfo->linaddr = HWF_ENCL_BASE;
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_secs_nonzero(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	f->pageinfo->secs = hwf_epc(f, 5);
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_secinfo_reserved(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { 1ULL << 6, 1ULL << 7, 1ULL << 16, 1ULL << 40, 1ULL << 63 };

	hwf_secs_default(f->secs);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_ecreate_operands(f);
		f->secinfo->flags |= bad[i];
		assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	}
	hwf_ecreate_operands(f);
	f->secinfo->reserved[0] = 1;
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	hwf_ecreate_operands(f);
	f->secinfo->reserved[55] = 0x80;
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_secinfo_not_secs(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	for (unsigned int pt = SGX_PT_TCS; pt <= 0xff; pt++) {
		hwf_ecreate_operands(f);
		f->secinfo->flags = SGX_SECINFO_PT(pt);
		assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
	}
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

/* SECINFO's R/W/X are not reserved bits; ECREATE ignores them and sets EPCM RWX to 0. */
static void test_ecreate_secinfo_rwx_ignored(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_info e;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	f->secinfo->flags |= SGX_SECINFO_PERM_MASK;
	assert_int_equal(hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)), SGX_SUCCESS);
	e = hwf_epcm(f, SECS(f));
	assert_false(e.r || e.w || e.x);
}

static void test_ecreate_page_valid(void **state)
{
	struct hwfix *f = *state;
	uint64_t eid;

	make_enclave(f);
	eid = hwf_enclave(f, SECS(f)).eid;
	assert_pf(f, hwf_ecreate_image(f, SECS(f)), SECS(f));
	/* The first enclave is untouched. */
	assert_int_equal(hwf_enclave(f, SECS(f)).eid, eid);
	/* A REG page is just as occupied. */
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	hwf_secs_default(f->secs);
	assert_pf(f, hwf_ecreate_image(f, PAGE(f, 0)), PAGE(f, 0));
	assert_int_equal(hwf_epcm(f, PAGE(f, 0)).pt, SGX_PT_REG);
}

static void test_ecreate_order_secinfo_before_valid(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	hwf_ecreate_operands(f);
	f->secinfo->flags = SGX_SECINFO_PT(SGX_PT_REG);
	assert_gp(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)));
}

static void test_ecreate_order_valid_before_image(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	hwf_secs_default(f->secs);
	f->secs->size = 0x3000; /* bad image, but the page is taken first */
	assert_pf(f, hwf_ecreate_image(f, SECS(f)), SECS(f));
}

static void test_ecreate_pageinfo_unmapped(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	memcpy(f->host, f->pageinfo, sizeof(*f->pageinfo));
	hwf_unmap(f, hwf_la(f->host));
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->host), SECS(f)), hwf_la(f->host));
	/* Address 0 is never mapped in the host address space either. */
	hw_cpu_set_addr_space(f->cpu, NULL);
	assert_pf(f, hw_ecreate(f->cpu, 0, SECS(f)), 0);
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_secinfo_unmapped(void **state)
{
	struct hwfix *f = *state;
	struct sgx_secinfo *si = (struct sgx_secinfo *)(f->host + 0x40);

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	*si = *f->secinfo;
	f->pageinfo->secinfo = hwf_la(si);
	hwf_unmap(f, hwf_la(f->host));
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)), hwf_la(si));
	assert_false(hwf_epcm(f, SECS(f)).valid);
}

static void test_ecreate_srcpge_unmapped(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	hwf_ecreate_operands(f);
	hwf_unmap(f, hwf_la(f->secs));
	assert_pf(f, hw_ecreate(f->cpu, hwf_la(f->pageinfo), SECS(f)), hwf_la(f->secs));
	assert_false(hwf_epcm(f, SECS(f)).valid);
	assert_int_equal(hwf_stats(f).valid_pages, 0);
}

/* --- ECREATE: the SECS image --- */

static void test_ecreate_xfrm_legacy_bits(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { 0, SGX_XFRM_X87, SGX_XFRM_SSE, SGX_XFRM_X87 | SGX_XFRM_AVX,
					SGX_XFRM_SSE | SGX_XFRM_AVX };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->attributes.xfrm = bad[i];
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_xfrm_illegal_combination(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = {
		SGX_XFRM_LEGACY | SGX_XFRM_AVX512,		     /* AVX-512 without AVX */
		SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_OPMASK,    /* partial AVX-512 */
		SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_ZMM_HI256, /* partial AVX-512 */
		SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_OPMASK | SGX_XFRM_HI16_ZMM,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->attributes.xfrm = bad[i];
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_xfrm_not_supported(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = {
		SGX_XFRM_LEGACY | SGX_XFRM_MPX, SGX_XFRM_LEGACY | SGX_XFRM_BNDREGS,
		SGX_XFRM_LEGACY | SGX_XFRM_AMX, SGX_XFRM_LEGACY | (1ULL << 8),
		SGX_XFRM_LEGACY | (1ULL << 63),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->attributes.xfrm = bad[i];
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_xfrm_supported(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t good[] = {
		SGX_XFRM_LEGACY,
		SGX_XFRM_LEGACY | SGX_XFRM_AVX,
		SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_AVX512,
		SGX_XFRM_LEGACY | SGX_XFRM_PKRU,
		SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_AVX512 | SGX_XFRM_PKRU,
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->attributes.xfrm = good[i];
		f->secs->miscselect = SGX_MISC_EXINFO;
		assert_ecreate_ok(f);
	}
}

static void test_ecreate_miscselect_unsupported(void **state)
{
	struct hwfix *f = *state;
	static const uint32_t bad[] = { SGX_MISC_CPINFO, SGX_MISC_EXINFO | SGX_MISC_CPINFO,
					1u << 31, 1u << 2 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->miscselect = bad[i];
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_miscselect_none_supported(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.miscselect = 0;
	hwf_repower(f, &d);
	hwf_secs_default(f->secs);
	f->secs->miscselect = SGX_MISC_EXINFO;
	assert_ecreate_gp(f);
	f->secs->miscselect = 0;
	assert_ecreate_ok(f);
}

static void test_ecreate_ssaframesize_zero(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	f->secs->ssa_frame_size = 0;
	assert_ecreate_gp(f);
	hwf_secs_default(f->secs);
	f->secs->attributes.xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_AVX512;
	f->secs->ssa_frame_size = 0;
	assert_ecreate_gp(f);
}

/* XSAVE of x87|SSE|AMX alone is over 8 KiB (TILEDATA is 8192 bytes). */
static void test_ecreate_ssaframesize_amx(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.xfrm |= SGX_XFRM_AMX;
	hwf_repower(f, &d);
	hwf_secs_default(f->secs);
	f->secs->attributes.xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_AMX;
	f->secs->ssa_frame_size = 1;
	assert_ecreate_gp(f);
	f->secs->ssa_frame_size = 2;
	assert_ecreate_gp(f);
	f->secs->ssa_frame_size = 3;
	assert_ecreate_ok(f);
	/* Only one of the two tile components is illegal. */
	f->secs->attributes.xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_TILEDATA;
	assert_ecreate_gp(f);
}

static void test_ecreate_ssaframesize_large_ok(void **state)
{
	struct hwfix *f = *state;
	static const uint32_t good[] = { 16, 0x00100000u, 0x80000000u, 0xffffffffu };

	/* SSAFRAMESIZE * 4096 is a 44-bit product: no wrap may make it look small. */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->ssa_frame_size = good[i];
		assert_ecreate_ok(f);
	}
}

static void test_ecreate_base_noncanonical(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { 0x4000000000000000ULL, 0x8000000000000000ULL,
					0x7fff000000000000ULL };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_init(f->secs, bad[i], 0x2000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
		assert_ecreate_gp(f);
	}
	/* Canonical high half is fine. */
	hwf_secs_init(f->secs, 0xffffffffffffe000ULL, 0x2000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_ok(f);
}

static void test_ecreate_32bit_base_above_4g(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_init(f->secs, 0x100000000ULL, 0x2000, 0, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, 0xffffffffffffe000ULL, 0x2000, 0, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, 0xffffe000ULL, 0x2000, 0, SGX_XFRM_LEGACY);
	assert_ecreate_ok(f);
}

static void test_ecreate_size_max_64(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_init(f->secs, 0, 1ULL << 36, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, 0, 1ULL << 40, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, 1ULL << 35, 1ULL << 35, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_ok(f);
}

static void test_ecreate_size_max_32(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_init(f->secs, 0, 1ULL << 31, 0, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, 1ULL << 30, 1ULL << 30, 0, SGX_XFRM_LEGACY);
	assert_ecreate_ok(f);
}

static void test_ecreate_size_too_small(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_init(f->secs, HWF_ENCL_BASE, 0x1000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, HWF_ENCL_BASE, 0, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, HWF_ENCL_BASE, 0x2000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_ecreate_ok(f);
}

static void test_ecreate_size_not_pow2(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { 0x3000, 0x6000, 0x10001000, 0x7ffff000 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_init(f->secs, 0, bad[i], SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_base_unaligned(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_init(f->secs, HWF_ENCL_BASE + 0x1000, HWF_ENCL_SIZE, SGX_ATTR_MODE64BIT,
		      SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, HWF_ENCL_BASE + HWF_ENCL_SIZE / 2, HWF_ENCL_SIZE, SGX_ATTR_MODE64BIT,
		      SGX_XFRM_LEGACY);
	assert_ecreate_gp(f);
	hwf_secs_init(f->secs, HWF_ENCL_BASE + HWF_ENCL_SIZE, HWF_ENCL_SIZE, SGX_ATTR_MODE64BIT,
		      SGX_XFRM_LEGACY);
	assert_ecreate_ok(f);
}

static void test_ecreate_attributes_unsupported(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { SGX_ATTR_INIT, 1ULL << 3,  SGX_ATTR_CET, 1ULL << 8,
					1ULL << 9,     1ULL << 11, 1ULL << 63 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwf_secs_default(f->secs);
		f->secs->attributes.flags |= bad[i];
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_attributes_not_in_cpuid(void **state)
{
	struct hwfix *f = *state;
	struct hw_desc d;

	hw_desc_init_default(&d);
	d.attributes &= ~(SGX_ATTR_KSS | SGX_ATTR_PROVISIONKEY);
	hwf_repower(f, &d);
	hwf_secs_default(f->secs);
	f->secs->attributes.flags |= SGX_ATTR_KSS;
	assert_ecreate_gp(f);
	hwf_secs_default(f->secs);
	f->secs->attributes.flags |= SGX_ATTR_PROVISIONKEY;
	assert_ecreate_gp(f);
	hwf_secs_default(f->secs);
	f->secs->attributes.flags |= SGX_ATTR_DEBUG | SGX_ATTR_EINITTOKENKEY | SGX_ATTR_AEXNOTIFY;
	assert_ecreate_ok(f);
}

static void test_ecreate_attributes_all_supported(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	f->secs->attributes.flags = f->desc.attributes;
	assert_ecreate_ok(f);
}

static void test_ecreate_reserved_fields(void **state)
{
	struct hwfix *f = *state;
	static const size_t offs[] = {
		offsetof(struct sgx_secs, reserved1),
		offsetof(struct sgx_secs, reserved1) + 8, /* CET_ATTRIBUTES without CET */
		offsetof(struct sgx_secs, reserved1) + 23,
		offsetof(struct sgx_secs, reserved2),
		offsetof(struct sgx_secs, reserved2) + 31,
		offsetof(struct sgx_secs, reserved3),
		offsetof(struct sgx_secs, reserved3) + 31,
		offsetof(struct sgx_secs, reserved4),
		offsetof(struct sgx_secs, reserved4) + 100,
		sizeof(struct sgx_secs) - 1,
	};

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		hwf_secs_default(f->secs);
		((uint8_t *)f->secs)[offs[i]] = 1;
		assert_ecreate_gp(f);
	}
}

static void test_ecreate_configid_without_kss(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	f->secs->config_id[0] = 1;
	assert_ecreate_gp(f);
	hwf_secs_default(f->secs);
	f->secs->config_id[63] = 0x80;
	assert_ecreate_gp(f);
	hwf_secs_default(f->secs);
	f->secs->config_svn = 1;
	assert_ecreate_gp(f);
}

static void test_ecreate_configid_with_kss(void **state)
{
	struct hwfix *f = *state;

	hwf_secs_default(f->secs);
	f->secs->attributes.flags |= SGX_ATTR_KSS;
	f->secs->config_id[0] = 1;
	f->secs->config_id[63] = 0xff;
	f->secs->config_svn = 0x1234;
	assert_ecreate_ok(f);
}

/* ====================================================================== */
/* EADD                                                                   */
/* ====================================================================== */

static void test_eadd_success(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_info e;
	struct hw_enclave_info en;
	uint64_t m0;

	make_enclave(f);
	m0 = hwf_stats(f).materialized;
	memset(f->page, 0x42, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(3), SECINFO_RW);

	e = hwf_epcm(f, PAGE(f, 0));
	assert_true(e.valid);
	assert_int_equal(e.pt, SGX_PT_REG);
	assert_true(e.r);
	assert_true(e.w);
	assert_false(e.x);
	assert_false(e.blocked);
	assert_false(e.pending);
	assert_false(e.modified);
	assert_false(e.pr);
	assert_int_equal(e.enclave_address, LIN(3));
	assert_int_equal(e.secs_pa, SECS(f));

	en = hwf_enclave(f, SECS(f));
	assert_int_equal(en.children, 1);
	assert_int_equal(en.measurement_blocks, 2);
	assert_false(en.initialized);
	assert_int_equal(hwf_stats(f).valid_pages, 2);
	assert_int_equal(hwf_stats(f).materialized, m0 + 1);
}

static void test_eadd_permissions(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t perms[] = {
		0,
		SGX_SECINFO_R,
		SGX_SECINFO_R | SGX_SECINFO_W,
		SGX_SECINFO_R | SGX_SECINFO_X,
		SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_X,
		SGX_SECINFO_X, /* execute-only is legal */
	};

	make_enclave(f);
	for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
		struct hw_epcm_info e;

		eadd_ok(f, PAGE(f, i), LIN(i), SECINFO_REG(perms[i]));
		e = hwf_epcm(f, PAGE(f, i));
		assert_int_equal(e.r, !!(perms[i] & SGX_SECINFO_R));
		assert_int_equal(e.w, !!(perms[i] & SGX_SECINFO_W));
		assert_int_equal(e.x, !!(perms[i] & SGX_SECINFO_X));
	}
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 6);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 7);
}

static void test_eadd_tcs(void **state)
{
	struct hwfix *f = *state;
	struct sgx_tcs *tcs = (struct sgx_tcs *)f->page;
	struct hw_epcm_info e;

	make_enclave(f);
	memset(f->page, 0, SGX_PAGE_SIZE);
	tcs->state = 1;
	tcs->flags = SGX_TCS_DBGOPTIN;
	tcs->ossa = 0x2000;
	tcs->cssa = 3;
	tcs->nssa = 2;
	tcs->oentry = 0x1000;
	tcs->aep = 0xdeadbeef;
	/* R/W/X in a TCS SECINFO are forced to 0. */
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_TCS | SGX_SECINFO_PERM_MASK);
	e = hwf_epcm(f, PAGE(f, 0));
	assert_true(e.valid);
	assert_int_equal(e.pt, SGX_PT_TCS);
	assert_false(e.r || e.w || e.x);
	assert_int_equal(e.enclave_address, LIN(0));
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 1);
}

static void test_eadd_last_page_of_elrange(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), HWF_ENCL_BASE + HWF_ENCL_SIZE - SGX_PAGE_SIZE, SECINFO_R);
	eadd_ok(f, PAGE(f, 1), HWF_ENCL_BASE, SECINFO_R);
}

static void test_eadd_pageinfo_unaligned(void **state)
{
	struct hwfix *f = *state;
	struct sgx_pageinfo *pi = (struct sgx_pageinfo *)(f->host + 8);

	make_enclave(f);
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	*pi = *f->pageinfo;
	assert_gp(f, hw_eadd(f->cpu, hwf_la(pi), PAGE(f, 0)));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_rcx_unaligned(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0) + 0x100));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_rcx_not_epc(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	assert_pf(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), hwf_la(f->host)), hwf_la(f->host));
	/* RCX before the SECS operand. */
	f->pageinfo->secs = hwf_la(f->page);
	assert_pf(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), hwf_la(f->host)), hwf_la(f->host));
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
}

static void test_eadd_operand_unaligned(void **state)
{
	struct hwfix *f = *state;
	struct sgx_secinfo *si = (struct sgx_secinfo *)(f->host + 32);

	make_enclave(f);

	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	f->pageinfo->srcpge += 0x800;
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));

	hwf_eadd_operands(f, SECS(f) + 0x800, LIN(0), SECINFO_R, NULL);
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));

	hwf_eadd_operands(f, SECS(f), LIN(0) + 0x10, SECINFO_R, NULL);
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));

	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	*si = *f->secinfo;
	f->pageinfo->secinfo = hwf_la(si);
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));

	/* Unaligned SECS that is not EPC: alignment is checked first. */
	hwf_eadd_operands(f, hwf_la(f->host) + 0x100, LIN(0), SECINFO_R, NULL);
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));

	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
}

static void test_eadd_secs_not_epc(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_pf(f, hwf_eadd(f, hwf_la(f->host), PAGE(f, 0), LIN(0), SECINFO_R, NULL),
		  hwf_la(f->host));
	/* The SECS EPC check comes before the SECINFO checks. */
	assert_pf(f,
		  hwf_eadd(f, hwf_la(f->host), PAGE(f, 0), LIN(0), SGX_SECINFO_PT(SGX_PT_VA), NULL),
		  hwf_la(f->host));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_secinfo_reserved(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { 1ULL << 6, 1ULL << 7, 1ULL << 16, 1ULL << 32, 1ULL << 63 };

	make_enclave(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_gp(f, eadd(f, PAGE(f, 0), LIN(0), SECINFO_R | bad[i]));
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	f->secinfo->reserved[10] = 1;
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	f->secinfo->reserved[55] = 1;
	assert_gp(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_secinfo_bad_type(void **state)
{
	struct hwfix *f = *state;
	static const unsigned int bad[] = { SGX_PT_SECS,    SGX_PT_VA,
					    SGX_PT_TRIM,    SGX_PT_SS_FIRST,
					    SGX_PT_SS_REST, SGX_PT_MAX,
					    0x80,	    0xff };

	make_enclave(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_gp(f, eadd(f, PAGE(f, 0), LIN(0),
				  SGX_SECINFO_PT(bad[i]) | SGX_SECINFO_R | SGX_SECINFO_W));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
}

static void test_eadd_target_valid(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_R);
	assert_pf(f, eadd(f, PAGE(f, 0), LIN(1), SECINFO_R), PAGE(f, 0));
	/* The SECS page itself is valid too. */
	assert_pf(f, eadd(f, SECS(f), LIN(1), SECINFO_R), SECS(f));
	assert_int_equal(hwf_epcm(f, PAGE(f, 0)).enclave_address, LIN(0));
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 1);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2);
}

static void test_eadd_secs_invalid(void **state)
{
	struct hwfix *f = *state;
	uint64_t nosecs = hwf_epc(f, 50);

	make_enclave(f);
	assert_pf(f, hwf_eadd(f, nosecs, PAGE(f, 0), LIN(0), SECINFO_R, NULL), nosecs);
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_secs_wrong_type(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	eadd_ok(f, PAGE(f, 1), LIN(1), SECINFO_TCS);
	assert_pf(f, hwf_eadd(f, PAGE(f, 0), PAGE(f, 2), LIN(2), SECINFO_R, NULL), PAGE(f, 0));
	assert_pf(f, hwf_eadd(f, PAGE(f, 1), PAGE(f, 2), LIN(2), SECINFO_R, NULL), PAGE(f, 1));
	assert_false(hwf_epcm(f, PAGE(f, 2)).valid);
}

static void test_eadd_secs_is_va(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	epa_ok(f, PAGE(f, 3));
	assert_pf(f, hwf_eadd(f, PAGE(f, 3), PAGE(f, 2), LIN(2), SECINFO_R, NULL), PAGE(f, 3));
	assert_false(hwf_epcm(f, PAGE(f, 2)).valid);
}

static void test_eadd_order_secinfo_before_target(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_R);
	assert_gp(f, eadd(f, PAGE(f, 0), LIN(1), SGX_SECINFO_PT(SGX_PT_VA)));
}

static void test_eadd_order_target_before_secs(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_R);
	/* Target valid and SECS not a SECS: the target is reported. */
	assert_pf(f, hwf_eadd(f, hwf_epc(f, 50), PAGE(f, 0), LIN(1), SECINFO_R, NULL), PAGE(f, 0));
}

static void test_eadd_order_secs_before_content(void **state)
{
	struct hwfix *f = *state;
	uint64_t nosecs = hwf_epc(f, 50);

	make_enclave(f);
	/* W without R and out of ELRANGE, but the SECS is checked first. */
	assert_pf(f, hwf_eadd(f, nosecs, PAGE(f, 0), 0, SECINFO_REG(SGX_SECINFO_W), NULL), nosecs);
}

static void test_eadd_tcs_reserved(void **state)
{
	struct hwfix *f = *state;
	struct sgx_tcs *tcs = (struct sgx_tcs *)f->page;
	static const size_t offs[] = { 0, 1, 100, 4023 };

	make_enclave(f);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memset(f->page, 0, SGX_PAGE_SIZE);
		tcs->nssa = 1;
		tcs->reserved[offs[i]] = 1;
		assert_gp(f, eadd(f, PAGE(f, 0), LIN(0), SECINFO_TCS));
	}
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
	memset(f->page, 0, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_TCS);
}

static void test_eadd_tcs_32bit_limits(void **state)
{
	struct hwfix *f = *state;
	struct sgx_tcs *tcs = (struct sgx_tcs *)f->page;

	hwf_secs_init(f->secs, 0x40000000, 0x10000, 0, SGX_XFRM_LEGACY);
	assert_int_equal(hwf_ecreate_image(f, SECS(f)), SGX_SUCCESS);

	memset(f->page, 0, SGX_PAGE_SIZE);
	assert_gp(f, hwf_eadd(f, SECS(f), PAGE(f, 0), 0x40000000, SECINFO_TCS, NULL));
	tcs->fslimit = 0xfff;
	assert_gp(f, hwf_eadd(f, SECS(f), PAGE(f, 0), 0x40000000, SECINFO_TCS, NULL));
	tcs->fslimit = 0;
	tcs->gslimit = 0xfff;
	assert_gp(f, hwf_eadd(f, SECS(f), PAGE(f, 0), 0x40000000, SECINFO_TCS, NULL));
	tcs->fslimit = 0x1fff;
	tcs->gslimit = 0xffffffff;
	assert_int_equal(hwf_eadd(f, SECS(f), PAGE(f, 0), 0x40000000, SECINFO_TCS, NULL),
			 SGX_SUCCESS);
}

static void test_eadd_tcs_64bit_limits_ignored(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	memset(f->page, 0, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_TCS);
}

static void test_eadd_reg_w_without_r(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_gp(f, eadd(f, PAGE(f, 0), LIN(0), SECINFO_REG(SGX_SECINFO_W)));
	assert_gp(f, eadd(f, PAGE(f, 0), LIN(0), SECINFO_REG(SGX_SECINFO_W | SGX_SECINFO_X)));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_linaddr_outside(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = {
		HWF_ENCL_BASE - SGX_PAGE_SIZE,
		HWF_ENCL_BASE + HWF_ENCL_SIZE,
		HWF_ENCL_BASE + 2 * HWF_ENCL_SIZE,
		0,
		0xfffffffffffff000ULL,
	};

	make_enclave(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_gp(f, eadd(f, PAGE(f, 0), bad[i], SECINFO_R));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
}

/* ELRANGE at the very top of the address space: BASEADDR + SIZE wraps to 0. */
static void test_eadd_elrange_top(void **state)
{
	struct hwfix *f = *state;
	const uint64_t base = 0xffffffffffff0000ULL;

	hwf_secs_init(f->secs, base, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_int_equal(hwf_ecreate_image(f, SECS(f)), SGX_SUCCESS);
	assert_int_equal(eadd(f, PAGE(f, 0), base, SECINFO_R), SGX_SUCCESS);
	assert_int_equal(eadd(f, PAGE(f, 1), 0xfffffffffffff000ULL, SECINFO_R), SGX_SUCCESS);
	assert_gp(f, eadd(f, PAGE(f, 2), 0, SECINFO_R));
	assert_gp(f, eadd(f, PAGE(f, 2), base - SGX_PAGE_SIZE, SECINFO_R));
	assert_int_equal(hw_eextend(f->cpu, SECS(f), PAGE(f, 1) + 0xf00), SGX_SUCCESS);
}

/* The W-without-R rule is for PT_REG; a TCS's permissions are simply dropped. */
static void test_eadd_tcs_w_without_r(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	memset(f->page, 0, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_TCS | SGX_SECINFO_W);
	assert_false(hwf_epcm(f, PAGE(f, 0)).w);
}

static void test_eadd_srcpge_unmapped(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	hwf_unmap(f, hwf_la(f->page));
	assert_pf(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)), hwf_la(f->page));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
}

static void test_eadd_secinfo_unmapped(void **state)
{
	struct hwfix *f = *state;
	struct sgx_secinfo *si = (struct sgx_secinfo *)(f->host + 0x100);

	make_enclave(f);
	hwf_eadd_operands(f, SECS(f), LIN(0), SECINFO_R, NULL);
	*si = *f->secinfo;
	f->pageinfo->secinfo = hwf_la(si);
	hwf_unmap(f, hwf_la(si));
	assert_pf(f, hw_eadd(f->cpu, hwf_la(f->pageinfo), PAGE(f, 0)), hwf_la(si));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
}

static void test_eadd_other_enclave(void **state)
{
	struct hwfix *f = *state;
	uint64_t secs2 = hwf_epc(f, 60);
	struct sgx_secs s;

	make_enclave(f);
	hwf_secs_init(&s, 0x20000000, 0x2000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_int_equal(hwf_ecreate(f, &s, secs2), 0);
	/* In the first enclave's range: outside the second's. */
	assert_gp(f, hwf_eadd(f, secs2, PAGE(f, 0), LIN(0), SECINFO_R, NULL));
	assert_int_equal(hwf_eadd(f, secs2, PAGE(f, 0), 0x20001000, SECINFO_R, NULL), 0);
	assert_int_equal(hwf_epcm(f, PAGE(f, 0)).secs_pa, secs2);
	assert_int_equal(hwf_enclave(f, secs2).children, 1);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
}

/* ====================================================================== */
/* EEXTEND                                                                */
/* ====================================================================== */

static void test_eextend_success(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_int_equal(hw_eextend(f->cpu, SECS(f), PAGE(f, 0)), 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2 + 5);
	assert_int_equal(hw_eextend(f->cpu, SECS(f), PAGE(f, 0) + 0xf00), 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2 + 10);
	/* Measuring the same chunk twice is legal. */
	assert_int_equal(hw_eextend(f->cpu, SECS(f), PAGE(f, 0)), 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2 + 15);
}

static void test_eextend_tcs(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	memset(f->page, 0, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_TCS);
	assert_int_equal(hwf_eextend_page(f, SECS(f), PAGE(f, 0)), 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2 + 16 * 5);
}

static void test_eextend_rbx_unaligned(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_gp(f, hw_eextend(f->cpu, SECS(f) + 0x100, PAGE(f, 0)));
	/* RBX alignment before RCX's EPC check. */
	assert_gp(f, hw_eextend(f->cpu, SECS(f) + 8, hwf_la(f->host)));
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2);
}

static void test_eextend_rbx_not_epc(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_pf(f, hw_eextend(f->cpu, hwf_la(f->host), PAGE(f, 0)), hwf_la(f->host));
	/* RBX is checked before RCX's alignment. */
	assert_pf(f, hw_eextend(f->cpu, hwf_la(f->host), PAGE(f, 0) + 0x80), hwf_la(f->host));
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2);
}

static void test_eextend_rcx_unaligned(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_gp(f, hw_eextend(f->cpu, SECS(f), PAGE(f, 0) + 0x80));
	assert_gp(f, hw_eextend(f->cpu, SECS(f), PAGE(f, 0) + 1));
	assert_gp(f, hw_eextend(f->cpu, SECS(f), hwf_la(f->host) + 0x40));
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 2);
}

static void test_eextend_rcx_not_epc(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_pf(f, hw_eextend(f->cpu, SECS(f), hwf_la(f->host) + 0x200), hwf_la(f->host) + 0x200);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
}

static void test_eextend_target_invalid(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_pf(f, hw_eextend(f->cpu, SECS(f), PAGE(f, 0) + 0x300), PAGE(f, 0) + 0x300);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
}

static void test_eextend_target_secs(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_pf(f, hw_eextend(f->cpu, SECS(f), SECS(f)), SECS(f));
	assert_pf(f, hw_eextend(f->cpu, SECS(f), SECS(f) + 0x100), SECS(f) + 0x100);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
}

static void test_eextend_target_va(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	epa_ok(f, PAGE(f, 0));
	assert_pf(f, hw_eextend(f->cpu, SECS(f), PAGE(f, 0) + 0x400), PAGE(f, 0) + 0x400);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
}

static void test_eextend_wrong_secs(void **state)
{
	struct hwfix *f = *state;
	uint64_t secs2 = hwf_epc(f, 60);

	make_enclave(f);
	hwf_ecreate_ok(f, secs2);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	eadd_ok(f, PAGE(f, 1), LIN(1), SECINFO_RW);
	/* Another enclave's SECS. */
	assert_gp(f, hw_eextend(f->cpu, secs2, PAGE(f, 0)));
	/* A page of the enclave, not its SECS. */
	assert_gp(f, hw_eextend(f->cpu, PAGE(f, 1), PAGE(f, 0)));
	/* A free EPC page. */
	assert_gp(f, hw_eextend(f->cpu, hwf_epc(f, 70), PAGE(f, 0)));
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 3);
	assert_int_equal(hwf_enclave(f, secs2).measurement_blocks, 1);
}

static void test_eextend_order_target_before_secs(void **state)
{
	struct hwfix *f = *state;
	uint64_t secs2 = hwf_epc(f, 60);

	make_enclave(f);
	hwf_ecreate_ok(f, secs2);
	/* Invalid target with a mismatched SECS: #PF on the target wins. */
	assert_pf(f, hw_eextend(f->cpu, secs2, PAGE(f, 0) + 0x100), PAGE(f, 0) + 0x100);
}

/* ====================================================================== */
/* EREMOVE                                                                */
/* ====================================================================== */

static void test_eremove_unaligned(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_gp(f, hw_eremove(f->cpu, SECS(f) + 0x800));
	assert_gp(f, hw_eremove(f->cpu, SECS(f) + 1));
	assert_gp(f, hw_eremove(f->cpu, hwf_la(f->host) + 0x10));
	assert_true(hwf_epcm(f, SECS(f)).valid);
}

static void test_eremove_not_epc(void **state)
{
	struct hwfix *f = *state;

	assert_pf(f, hw_eremove(f->cpu, hwf_la(f->host)), hwf_la(f->host));
	assert_pf(f, hw_eremove(f->cpu, 0), 0);
	assert_pf(f, hw_eremove(f->cpu, HWF_EPC_BASE + HWF_EPC_SIZE), HWF_EPC_BASE + HWF_EPC_SIZE);
}

static void test_eremove_invalid_noop(void **state)
{
	struct hwfix *f = *state;

	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 0)), SGX_SUCCESS);
	assert_int_equal(hw_eremove(f->cpu, HWF_EPC_BASE + HWF_EPC_SIZE - SGX_PAGE_SIZE),
			 SGX_SUCCESS);
	assert_int_equal(hwf_stats(f).valid_pages, 0);
}

static void test_eremove_child_present(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	eadd_ok(f, PAGE(f, 1), LIN(1), SECINFO_TCS);
	assert_int_equal(hw_eremove(f->cpu, SECS(f)), SGX_CHILD_PRESENT);
	assert_true(hwf_epcm(f, SECS(f)).valid);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 1);
	assert_int_equal(hw_eremove(f->cpu, SECS(f)), SGX_CHILD_PRESENT);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 1)), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
	assert_int_equal(hw_eremove(f->cpu, SECS(f)), SGX_SUCCESS);
	assert_false(hwf_epcm(f, SECS(f)).valid);
	assert_int_equal(hwf_stats(f).enclaves, 0);
	assert_int_equal(hwf_stats(f).valid_pages, 0);
}

static void test_eremove_enclave_active(void **state)
{
	struct hwfix *f = *state;
	struct hw_cpu *c1 = hw_processor_cpu(f->p, 1);

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_int_equal(hw_cpu_enclave_enter_raw(c1, SECS(f)), 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).threads_inside, 1);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), SGX_ENCLAVE_ACT);
	assert_true(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 1);
	/* The SECS still has a child: that check is what answers for it. */
	assert_int_equal(hw_eremove(f->cpu, SECS(f)), SGX_CHILD_PRESENT);
	assert_int_equal(hw_cpu_enclave_exit_raw(c1), 0);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), SGX_SUCCESS);
	assert_int_equal(hw_eremove(f->cpu, SECS(f)), SGX_SUCCESS);
}

static void test_eremove_other_enclave_active(void **state)
{
	struct hwfix *f = *state;
	struct hw_cpu *c1 = hw_processor_cpu(f->p, 1);
	uint64_t secs2 = hwf_epc(f, 60);

	make_enclave(f);
	hwf_ecreate_ok(f, secs2);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_int_equal(hwf_eadd(f, secs2, PAGE(f, 1), LIN(0), SECINFO_RW, NULL), 0);
	assert_int_equal(hw_cpu_enclave_enter_raw(c1, secs2), 0);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), SGX_SUCCESS);
	assert_int_equal(hw_cpu_enclave_exit_raw(c1), 0);
}

static void test_eremove_active_from_inside_cpu(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	/* Any logical processor inside counts, not only the caller. */
	assert_int_equal(hw_cpu_enclave_enter_raw(f->cpu, SECS(f)), 0);
	assert_int_equal(hw_eremove(hw_processor_cpu(f->p, 3), PAGE(f, 0)), SGX_ENCLAVE_ACT);
	assert_int_equal(hw_cpu_enclave_exit_raw(f->cpu), 0);
	assert_int_equal(hw_eremove(hw_processor_cpu(f->p, 3), PAGE(f, 0)), SGX_SUCCESS);
}

/* Contents stay materialized after EREMOVE (reused, as EPC is); a reset frees them. */
static void test_eremove_keeps_content_memory(void **state)
{
	struct hwfix *f = *state;
	struct hw_stats st;
	uint64_t m0;

	make_enclave(f);
	m0 = hwf_stats(f).materialized;
	memset(f->page, 0x77, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	st = hwf_stats(f);
	assert_int_equal(st.materialized, m0 + 1);
	assert_int_equal(st.valid_pages, 2);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), 0);
	st = hwf_stats(f);
	assert_int_equal(st.materialized, m0 + 1);
	assert_int_equal(st.valid_pages, 1);
	/* Reusing the page costs nothing more. */
	eadd_ok(f, PAGE(f, 0), LIN(1), SECINFO_RW);
	assert_int_equal(hwf_stats(f).materialized, m0 + 1);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), 0);
	assert_int_equal(hw_eremove(f->cpu, SECS(f)), 0);
	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 0);
	/* The page keeps its memory; the removed SECS gives its own back. */
	assert_int_equal(st.materialized, m0);
	hw_processor_reset(f->p);
	assert_int_equal(hwf_stats(f).materialized, 0);
}

/* Only content other than zeros needs host memory. */
static void test_eadd_zero_page_not_materialized(void **state)
{
	struct hwfix *f = *state;
	uint64_t m0;

	make_enclave(f);
	m0 = hwf_stats(f).materialized;
	memset(f->page, 0, SGX_PAGE_SIZE);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	eadd_ok(f, PAGE(f, 1), LIN(1), SECINFO_RW);
	assert_int_equal(hwf_stats(f).valid_pages, 3);
	assert_int_equal(hwf_stats(f).materialized, m0);
	f->page[4095] = 1;
	eadd_ok(f, PAGE(f, 2), LIN(2), SECINFO_RW);
	assert_int_equal(hwf_stats(f).materialized, m0 + 1);
}

static void test_eremove_va(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	epa_ok(f, hwf_epc(f, 9));
	assert_true(hwf_epcm(f, hwf_epc(f, 9)).valid);
	/* A VA page belongs to no enclave: a CPU inside one does not matter. */
	assert_int_equal(hw_cpu_enclave_enter_raw(hw_processor_cpu(f->p, 1), SECS(f)), 0);
	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 9)), SGX_SUCCESS);
	assert_false(hwf_epcm(f, hwf_epc(f, 9)).valid);
	assert_int_equal(hw_cpu_enclave_exit_raw(hw_processor_cpu(f->p, 1)), 0);
}

static void test_eremove_then_reuse(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_info e;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), 0);
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	eadd_ok(f, PAGE(f, 0), LIN(5), SECINFO_RX);
	e = hwf_epcm(f, PAGE(f, 0));
	assert_int_equal(e.enclave_address, LIN(5));
	assert_true(e.x);
	assert_false(e.w);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 1);
	/* Removing does not touch the measurement. */
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 3);
}

/* ====================================================================== */
/* EPA                                                                    */
/* ====================================================================== */

static void test_epa_success(void **state)
{
	struct hwfix *f = *state;
	uint64_t va = hwf_epc(f, 30);
	struct hw_epcm_info e;
	struct hw_stats st;

	make_enclave(f);
	assert_int_equal(hw_epa(f->cpu, SGX_PT_VA, va), SGX_SUCCESS);
	e = hwf_epcm(f, va);
	assert_true(e.valid);
	assert_int_equal(e.pt, SGX_PT_VA);
	assert_false(e.r || e.w || e.x);
	assert_false(e.blocked || e.pending || e.modified || e.pr);
	assert_int_equal(e.enclave_address, 0);
	st = hwf_stats(f);
	assert_int_equal(st.valid_pages, 2);
	assert_int_equal(st.enclaves, 1);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
	/* A VA page carries no enclave state. */
	assert_int_equal(hw_enclave_query(f->p, va, &(struct hw_enclave_info){ 0 }), -EINVAL);
}

static void test_epa_rbx_not_va(void **state)
{
	struct hwfix *f = *state;
	static const uint64_t bad[] = { SGX_PT_SECS, SGX_PT_TCS, SGX_PT_REG,
					SGX_PT_TRIM, 0x103,	 1ULL << 32 | SGX_PT_VA };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_gp(f, hw_epa(f->cpu, bad[i], hwf_epc(f, 30)));
	/* RBX is judged before RCX is resolved. */
	assert_gp(f, hw_epa(f->cpu, SGX_PT_REG, hwf_la(f->host)));
	assert_false(hwf_epcm(f, hwf_epc(f, 30)).valid);
}

static void test_epa_rcx_unaligned(void **state)
{
	struct hwfix *f = *state;

	assert_gp(f, hw_epa(f->cpu, SGX_PT_VA, hwf_epc(f, 30) + 8));
	assert_gp(f, hw_epa(f->cpu, SGX_PT_VA, hwf_la(f->host) + 0x800));
	assert_false(hwf_epcm(f, hwf_epc(f, 30)).valid);
}

static void test_epa_rcx_not_epc(void **state)
{
	struct hwfix *f = *state;

	assert_pf(f, hw_epa(f->cpu, SGX_PT_VA, hwf_la(f->host)), hwf_la(f->host));
	assert_pf(f, hw_epa(f->cpu, SGX_PT_VA, HWF_EPC_BASE + HWF_EPC_SIZE),
		  HWF_EPC_BASE + HWF_EPC_SIZE);
}

static void test_epa_page_valid(void **state)
{
	struct hwfix *f = *state;
	uint64_t va = hwf_epc(f, 30);

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_int_equal(hw_epa(f->cpu, SGX_PT_VA, va), SGX_SUCCESS);
	assert_pf(f, hw_epa(f->cpu, SGX_PT_VA, va), va);
	assert_pf(f, hw_epa(f->cpu, SGX_PT_VA, SECS(f)), SECS(f));
	assert_pf(f, hw_epa(f->cpu, SGX_PT_VA, PAGE(f, 0)), PAGE(f, 0));
	assert_int_equal(hwf_epcm(f, SECS(f)).pt, SGX_PT_SECS);
	assert_int_equal(hwf_epcm(f, PAGE(f, 0)).pt, SGX_PT_REG);
	/* And a VA page is as occupied for ECREATE and EADD. */
	hwf_secs_default(f->secs);
	assert_pf(f, hwf_ecreate_image(f, va), va);
	assert_pf(f, eadd(f, va, LIN(1), SECINFO_RW), va);
}

#define T(name, fn) HWF_TEST("/build/" name, fn)

/* ====================================================================== */
/* Poisoned pages: a machine check, and nothing changed                   */
/* ====================================================================== */

static void test_poison_api(void **state)
{
	struct hwfix *f = *state;

	assert_int_equal(hw_epc_poison(f->p, 0x1000), -EINVAL);
	assert_false(hwf_epcm(f, PAGE(f, 0)).poisoned);
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 0) + 0x123), 0);
	assert_true(hwf_epcm(f, PAGE(f, 0)).poisoned);
	assert_false(hwf_epcm(f, PAGE(f, 1)).poisoned);
	/* A page another leaf holds is reported again later. */
	assert_int_equal(hw_epcm_hold(f->p, PAGE(f, 1), true), 0);
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 1)), -EBUSY);
	assert_int_equal(hw_epcm_hold(f->p, PAGE(f, 1), false), 0);
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 1)), 0);
	assert_true(hwf_epcm(f, PAGE(f, 1)).poisoned);
}

static void test_poison_ecreate(void **state)
{
	struct hwfix *f = *state;
	struct sgx_secs s;

	assert_int_equal(hw_epc_poison(f->p, SECS(f)), 0);
	hwf_secs_default(&s);
	assert_mc(f, hwf_ecreate(f, &s, SECS(f)), SECS(f));
	assert_false(hwf_epcm(f, SECS(f)).valid);
	assert_int_equal(hwf_stats(f).enclaves, 0);
	assert_int_equal(hwf_stats(f).valid_pages, 0);
	/* EPCM checks come first: a valid target is still #PF. */
	hwf_ecreate_ok(f, PAGE(f, 0));
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 0)), 0);
	assert_pf(f, hwf_ecreate(f, &s, PAGE(f, 0)), PAGE(f, 0));
}

static void test_poison_eadd(void **state)
{
	struct hwfix *f = *state;

	make_enclave(f);
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 0)), 0);
	assert_mc(f, eadd(f, PAGE(f, 0), LIN(0), SECINFO_RW), PAGE(f, 0));
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 0);
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, 1);
	/* Another page of the same enclave is added as usual. */
	eadd_ok(f, PAGE(f, 1), LIN(0), SECINFO_RW);
	/* A poisoned SECS: EADD reads it first. */
	assert_int_equal(hw_epc_poison(f->p, SECS(f)), 0);
	assert_mc(f, eadd(f, PAGE(f, 2), LIN(1), SECINFO_RW), SECS(f));
	assert_false(hwf_epcm(f, PAGE(f, 2)).valid);
	assert_int_equal(hwf_enclave(f, SECS(f)).children, 1);
}

static void test_poison_eextend(void **state)
{
	struct hwfix *f = *state;
	uint64_t blocks;

	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	blocks = hwf_enclave(f, SECS(f)).measurement_blocks;
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 0)), 0);
	assert_mc(f, hw_eextend(f->cpu, SECS(f), PAGE(f, 0) + 256), PAGE(f, 0));
	assert_int_equal(hwf_enclave(f, SECS(f)).measurement_blocks, blocks);
	/* EPCM checks first: the wrong SECS is #GP even on a poisoned page. */
	hwf_ecreate_ok(f, PAGE(f, 5));
	assert_gp(f, hw_eextend(f->cpu, PAGE(f, 5), PAGE(f, 0)));
}

static void test_poison_epa_eremove(void **state)
{
	struct hwfix *f = *state;

	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 3)), 0);
	assert_mc(f, hw_epa(f->cpu, SGX_PT_VA, PAGE(f, 3)), PAGE(f, 3));
	assert_false(hwf_epcm(f, PAGE(f, 3)).valid);
	/* EREMOVE touches the EPCM only: it works on a poisoned page. */
	make_enclave(f);
	eadd_ok(f, PAGE(f, 0), LIN(0), SECINFO_RW);
	assert_int_equal(hw_epc_poison(f->p, PAGE(f, 0)), 0);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 0)), SGX_SUCCESS);
	assert_false(hwf_epcm(f, PAGE(f, 0)).valid);
	assert_true(hwf_epcm(f, PAGE(f, 0)).poisoned);
	assert_int_equal(hw_eremove(f->cpu, PAGE(f, 3)), SGX_SUCCESS);
	/* A cold reset forgets the error. */
	hw_processor_reset(f->p);
	assert_false(hwf_epcm(f, PAGE(f, 0)).poisoned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T("ecreate/success", test_ecreate_success),
		T("ecreate/eid_distinct", test_ecreate_eid_distinct),
		T("ecreate/isv_fields_cleared", test_ecreate_isv_fields_cleared),
		T("ecreate/pageinfo_unaligned", test_ecreate_pageinfo_unaligned),
		T("ecreate/rcx_unaligned", test_ecreate_rcx_unaligned),
		T("ecreate/rcx_not_epc", test_ecreate_rcx_not_epc),
		T("ecreate/srcpge_unaligned", test_ecreate_srcpge_unaligned),
		T("ecreate/secinfo_unaligned", test_ecreate_secinfo_unaligned),
		T("ecreate/linaddr_nonzero", test_ecreate_linaddr_nonzero),
		T("ecreate/secs_nonzero", test_ecreate_secs_nonzero),
		T("ecreate/secinfo_reserved", test_ecreate_secinfo_reserved),
		T("ecreate/secinfo_not_secs", test_ecreate_secinfo_not_secs),
		T("ecreate/secinfo_rwx_ignored", test_ecreate_secinfo_rwx_ignored),
		T("ecreate/page_valid", test_ecreate_page_valid),
		T("ecreate/order/secinfo_before_valid", test_ecreate_order_secinfo_before_valid),
		T("ecreate/order/valid_before_image", test_ecreate_order_valid_before_image),
		T("ecreate/pageinfo_unmapped", test_ecreate_pageinfo_unmapped),
		T("ecreate/secinfo_unmapped", test_ecreate_secinfo_unmapped),
		T("ecreate/srcpge_unmapped", test_ecreate_srcpge_unmapped),
		T("ecreate/secs/xfrm_legacy_bits", test_ecreate_xfrm_legacy_bits),
		T("ecreate/secs/xfrm_illegal_combination", test_ecreate_xfrm_illegal_combination),
		T("ecreate/secs/xfrm_not_supported", test_ecreate_xfrm_not_supported),
		T("ecreate/secs/xfrm_supported", test_ecreate_xfrm_supported),
		T("ecreate/secs/miscselect_unsupported", test_ecreate_miscselect_unsupported),
		T("ecreate/secs/miscselect_none_supported", test_ecreate_miscselect_none_supported),
		T("ecreate/secs/ssaframesize_zero", test_ecreate_ssaframesize_zero),
		T("ecreate/secs/ssaframesize_amx", test_ecreate_ssaframesize_amx),
		T("ecreate/secs/ssaframesize_large_ok", test_ecreate_ssaframesize_large_ok),
		T("ecreate/secs/base_noncanonical", test_ecreate_base_noncanonical),
		T("ecreate/secs/32bit_base_above_4g", test_ecreate_32bit_base_above_4g),
		T("ecreate/secs/size_max_64", test_ecreate_size_max_64),
		T("ecreate/secs/size_max_32", test_ecreate_size_max_32),
		T("ecreate/secs/size_too_small", test_ecreate_size_too_small),
		T("ecreate/secs/size_not_pow2", test_ecreate_size_not_pow2),
		T("ecreate/secs/base_unaligned", test_ecreate_base_unaligned),
		T("ecreate/secs/attributes_unsupported", test_ecreate_attributes_unsupported),
		T("ecreate/secs/attributes_not_in_cpuid", test_ecreate_attributes_not_in_cpuid),
		T("ecreate/secs/attributes_all_supported", test_ecreate_attributes_all_supported),
		T("ecreate/secs/reserved_fields", test_ecreate_reserved_fields),
		T("ecreate/secs/configid_without_kss", test_ecreate_configid_without_kss),
		T("ecreate/secs/configid_with_kss", test_ecreate_configid_with_kss),
		T("eadd/success", test_eadd_success),
		T("eadd/permissions", test_eadd_permissions),
		T("eadd/tcs", test_eadd_tcs),
		T("eadd/first_and_last_page", test_eadd_last_page_of_elrange),
		T("eadd/pageinfo_unaligned", test_eadd_pageinfo_unaligned),
		T("eadd/rcx_unaligned", test_eadd_rcx_unaligned),
		T("eadd/rcx_not_epc", test_eadd_rcx_not_epc),
		T("eadd/operand_unaligned", test_eadd_operand_unaligned),
		T("eadd/secs_not_epc", test_eadd_secs_not_epc),
		T("eadd/secinfo_reserved", test_eadd_secinfo_reserved),
		T("eadd/secinfo_bad_type", test_eadd_secinfo_bad_type),
		T("eadd/target_valid", test_eadd_target_valid),
		T("eadd/secs_invalid", test_eadd_secs_invalid),
		T("eadd/secs_wrong_type", test_eadd_secs_wrong_type),
		T("eadd/secs_is_va", test_eadd_secs_is_va),
		T("eadd/order/secinfo_before_target", test_eadd_order_secinfo_before_target),
		T("eadd/order/target_before_secs", test_eadd_order_target_before_secs),
		T("eadd/order/secs_before_content", test_eadd_order_secs_before_content),
		T("eadd/tcs_reserved", test_eadd_tcs_reserved),
		T("eadd/tcs_32bit_limits", test_eadd_tcs_32bit_limits),
		T("eadd/tcs_64bit_limits_ignored", test_eadd_tcs_64bit_limits_ignored),
		T("eadd/reg_w_without_r", test_eadd_reg_w_without_r),
		T("eadd/linaddr_outside", test_eadd_linaddr_outside),
		T("eadd/elrange_top", test_eadd_elrange_top),
		T("eadd/tcs_w_without_r", test_eadd_tcs_w_without_r),
		T("eadd/srcpge_unmapped", test_eadd_srcpge_unmapped),
		T("eadd/secinfo_unmapped", test_eadd_secinfo_unmapped),
		T("eadd/other_enclave", test_eadd_other_enclave),
		T("eadd/zero_page_not_materialized", test_eadd_zero_page_not_materialized),
		T("eextend/success", test_eextend_success),
		T("eextend/tcs", test_eextend_tcs),
		T("eextend/rbx_unaligned", test_eextend_rbx_unaligned),
		T("eextend/rbx_not_epc", test_eextend_rbx_not_epc),
		T("eextend/rcx_unaligned", test_eextend_rcx_unaligned),
		T("eextend/rcx_not_epc", test_eextend_rcx_not_epc),
		T("eextend/target_invalid", test_eextend_target_invalid),
		T("eextend/target_secs", test_eextend_target_secs),
		T("eextend/target_va", test_eextend_target_va),
		T("eextend/wrong_secs", test_eextend_wrong_secs),
		T("eextend/order/target_before_secs", test_eextend_order_target_before_secs),
		T("eremove/unaligned", test_eremove_unaligned),
		T("eremove/not_epc", test_eremove_not_epc),
		T("eremove/invalid_noop", test_eremove_invalid_noop),
		T("eremove/child_present", test_eremove_child_present),
		T("eremove/enclave_active", test_eremove_enclave_active),
		T("eremove/other_enclave_active", test_eremove_other_enclave_active),
		T("eremove/active_from_inside_cpu", test_eremove_active_from_inside_cpu),
		T("eremove/keeps_content_memory", test_eremove_keeps_content_memory),
		T("eremove/va", test_eremove_va),
		T("epa/success", test_epa_success),
		T("epa/rbx_not_va", test_epa_rbx_not_va),
		T("epa/rcx_unaligned", test_epa_rcx_unaligned),
		T("epa/rcx_not_epc", test_epa_rcx_not_epc),
		T("epa/page_valid", test_epa_page_valid),
		T("eremove/then_reuse", test_eremove_then_reuse),
		T("poison/api", test_poison_api),
		T("poison/ecreate", test_poison_ecreate),
		T("poison/eadd", test_poison_eadd),
		T("poison/eextend", test_poison_eextend),
		T("poison/epa_eremove", test_poison_epa_eremove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
