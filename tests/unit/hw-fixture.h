/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the processor-model unit tests (test-processor,
 * test-msr, test-build, test-einit): a cmocka fixture that powers on a
 * processor, operand buffers with the alignment each leaf demands, wrappers
 * that build PAGEINFO/SECINFO for ECREATE/EADD, a running MRENCLAVE computed
 * independently of the model, an address space with holes for exact #PF
 * addresses, and fault assertions.
 *
 * Everything here is static inline, so each test includes only what it uses
 * and the Meson table needs no extra sources.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h>, <stdint.h> and <cmocka.h>.
 */
#ifndef VSGX_TESTS_HW_FIXTURE_H
#define VSGX_TESTS_HW_FIXTURE_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsgx/arch.h"
#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"

/* The default part's one EPC section (hw_desc_init_default()). */
#define HWF_EPC_BASE 0x80000000ULL
#define HWF_EPC_SIZE (128ULL << 20)

/* A 64-bit enclave's ELRANGE used by most tests. */
#define HWF_ENCL_BASE 0x10000000ULL
#define HWF_ENCL_SIZE 0x10000ULL

#define HWF_MAX_HOLES 8

struct hwf_holes {
	struct hw_processor *p;
	unsigned int nr;
	uint64_t page[HWF_MAX_HOLES];
};

struct hwfix {
	struct hw_desc desc;
	struct hw_processor *p;
	struct hw_cpu *cpu;
	/* Operands, each with the alignment its leaf checks. */
	struct sgx_pageinfo *pageinfo; /* 32 B */
	struct sgx_secinfo *secinfo;   /* 64 B */
	struct sgx_secs *secs;	       /* 4 KiB: ECREATE source */
	uint8_t *page;		       /* 4 KiB: EADD source */
	uint8_t *host;		       /* 4 KiB: a host page that is not EPC */
	struct hwf_holes holes;
};

static inline void *hwf_zalloc(size_t align, size_t size)
{
	size_t rounded = (size + align - 1) / align * align;
	void *ptr = aligned_alloc(align, rounded);

	assert_non_null(ptr);
	memset(ptr, 0, rounded);
	return ptr;
}

static inline uint64_t hwf_la(const void *ptr)
{
	return (uint64_t)(uintptr_t)ptr;
}

/* Physical (and, in the host address space, linear) address of EPC page (i). */
static inline uint64_t hwf_epc(const struct hwfix *f, uint64_t i)
{
	return f->desc.sections[0].base + i * SGX_PAGE_SIZE;
}

static inline struct hwfix *hwf_alloc(void)
{
	struct hwfix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pageinfo = hwf_zalloc(32, sizeof(*f->pageinfo));
	f->secinfo = hwf_zalloc(64, sizeof(*f->secinfo));
	f->secs = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*f->secs));
	f->page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	f->host = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	return f;
}

/* Power on a processor described by (d) into (f); fails the test on error. */
static inline void hwf_power_on(struct hwfix *f, const struct hw_desc *d)
{
	f->desc = *d;
	assert_int_equal(hw_processor_create(&f->desc, &f->p), 0);
	assert_non_null(f->p);
	f->cpu = hw_processor_cpu(f->p, 0);
	assert_non_null(f->cpu);
}

static inline struct hwfix *hwf_new(const struct hw_desc *d)
{
	struct hwfix *f = hwf_alloc();

	hwf_power_on(f, d);
	return f;
}

static inline void hwf_free(struct hwfix *f)
{
	if (!f)
		return;
	hw_processor_destroy(f->p);
	free(f->pageinfo);
	free(f->secinfo);
	free(f->secs);
	free(f->page);
	free(f->host);
	free(f);
}

/* Replace the processor of (f) with one built from (d). */
static inline void hwf_repower(struct hwfix *f, const struct hw_desc *d)
{
	hw_processor_destroy(f->p);
	f->p = NULL;
	f->cpu = NULL;
	hwf_power_on(f, d);
}

/* cmocka fixture: the default part. */
static inline int hwf_setup(void **state)
{
	struct hw_desc d;

	hw_desc_init_default(&d);
	*state = hwf_new(&d);
	return 0;
}

static inline int hwf_teardown(void **state)
{
	hwf_free(*state);
	*state = NULL;
	return 0;
}

#define HWF_TEST(name, fn)                                                                         \
	{                                                                                          \
		name, fn, hwf_setup, hwf_teardown, NULL                                            \
	}

/*
 * Fault assertions. Macros, so cmocka reports the caller's line. For #PF the
 * exact faulting linear address is part of the contract.
 */
#define assert_gp(f, r)                                                                            \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		assert_int_equal(r_, HW_FAULT(X86_TRAP_GP));                                       \
		assert_int_equal(hw_cpu_fault((f)->cpu)->vector, X86_TRAP_GP);                     \
		assert_int_equal(hw_cpu_fault((f)->cpu)->error_code, 0);                           \
	} while (0)

#define assert_pf(f, r, address)                                                                   \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		assert_int_equal(r_, HW_FAULT(X86_TRAP_PF));                                       \
		assert_int_equal(hw_cpu_fault((f)->cpu)->vector, X86_TRAP_PF);                     \
		assert_int_equal(hw_cpu_fault((f)->cpu)->addr, (address));                         \
	} while (0)

#define assert_ud(f, r)                                                                            \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		assert_int_equal(r_, HW_FAULT(X86_TRAP_UD));                                       \
		assert_int_equal(hw_cpu_fault((f)->cpu)->vector, X86_TRAP_UD);                     \
	} while (0)

/* A machine check (vector 18) on the poisoned EPC page at physical address (pa). */
#define assert_mc(f, r, pa)                                                                        \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		assert_int_equal(r_, HW_FAULT(X86_TRAP_MC));                                       \
		assert_int_equal(hw_cpu_fault((f)->cpu)->vector, 18);                              \
		assert_int_equal(hw_cpu_fault((f)->cpu)->error_code, 0);                           \
		assert_int_equal(hw_cpu_fault((f)->cpu)->addr, (pa));                              \
	} while (0)

/* A SECS image for ECREATE: (ssa) frames of one page, nothing else set. */
static inline void hwf_secs_init(struct sgx_secs *s, uint64_t base, uint64_t size, uint64_t flags,
				 uint64_t xfrm)
{
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->size = size;
	s->ssa_frame_size = 1;
	s->attributes.flags = flags;
	s->attributes.xfrm = xfrm;
}

/* The usual test enclave: 64-bit, 64 KiB at 0x10000000, XFRM x87|SSE. */
static inline void hwf_secs_default(struct sgx_secs *s)
{
	hwf_secs_init(s, HWF_ENCL_BASE, HWF_ENCL_SIZE, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
}

/* Fill the fixture's PAGEINFO and SECINFO for ECREATE of f->secs. */
static inline void hwf_ecreate_operands(struct hwfix *f)
{
	memset(f->pageinfo, 0, sizeof(*f->pageinfo));
	memset(f->secinfo, 0, sizeof(*f->secinfo));
	f->secinfo->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	f->pageinfo->srcpge = hwf_la(f->secs);
	f->pageinfo->secinfo = hwf_la(f->secinfo);
}

/* ECREATE of the SECS image in f->secs at EPC address (epc). */
static inline int hwf_ecreate_image(struct hwfix *f, uint64_t epc)
{
	hwf_ecreate_operands(f);
	return hw_ecreate(f->cpu, hwf_la(f->pageinfo), epc);
}

/* ECREATE of (secs) at (epc). */
static inline int hwf_ecreate(struct hwfix *f, const struct sgx_secs *secs, uint64_t epc)
{
	*f->secs = *secs;
	return hwf_ecreate_image(f, epc);
}

/* ECREATE of the usual test enclave at (epc); asserts success. */
static inline void hwf_ecreate_ok(struct hwfix *f, uint64_t epc)
{
	struct sgx_secs s;

	hwf_secs_default(&s);
	assert_int_equal(hwf_ecreate(f, &s, epc), SGX_SUCCESS);
}

/* Fill PAGEINFO/SECINFO for EADD; (content) NULL means f->page as it is. */
static inline void hwf_eadd_operands(struct hwfix *f, uint64_t secs, uint64_t linaddr,
				     uint64_t flags, const void *content)
{
	memset(f->pageinfo, 0, sizeof(*f->pageinfo));
	memset(f->secinfo, 0, sizeof(*f->secinfo));
	if (content && content != f->page)
		memcpy(f->page, content, SGX_PAGE_SIZE);
	f->secinfo->flags = flags;
	f->pageinfo->linaddr = linaddr;
	f->pageinfo->srcpge = hwf_la(f->page);
	f->pageinfo->secinfo = hwf_la(f->secinfo);
	f->pageinfo->secs = secs;
}

static inline int hwf_eadd(struct hwfix *f, uint64_t secs, uint64_t epc, uint64_t linaddr,
			   uint64_t flags, const void *content)
{
	hwf_eadd_operands(f, secs, linaddr, flags, content);
	return hw_eadd(f->cpu, hwf_la(f->pageinfo), epc);
}

/* EEXTEND all sixteen chunks of (epc); returns the first nonzero result. */
static inline int hwf_eextend_page(struct hwfix *f, uint64_t secs, uint64_t epc)
{
	for (uint64_t off = 0; off < SGX_PAGE_SIZE; off += SGX_EEXTEND_CHUNK) {
		int r = hw_eextend(f->cpu, secs, epc + off);

		if (r)
			return r;
	}
	return 0;
}

#define SECINFO_REG(perm) (SGX_SECINFO_PT(SGX_PT_REG) | (perm))
#define SECINFO_TCS	  SGX_SECINFO_PT(SGX_PT_TCS)
#define SECINFO_R	  SECINFO_REG(SGX_SECINFO_R)
#define SECINFO_RW	  SECINFO_REG(SGX_SECINFO_R | SGX_SECINFO_W)
#define SECINFO_RX	  SECINFO_REG(SGX_SECINFO_R | SGX_SECINFO_X)
#define SECINFO_RWX	  SECINFO_REG(SGX_SECINFO_PERM_MASK)

static inline struct hw_epcm_info hwf_epcm(struct hwfix *f, uint64_t pa)
{
	struct hw_epcm_info info;

	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(hw_epcm_query(f->p, pa, &info), 0);
	return info;
}

static inline struct hw_enclave_info hwf_enclave(struct hwfix *f, uint64_t secs_pa)
{
	struct hw_enclave_info info;

	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(hw_enclave_query(f->p, secs_pa, &info), 0);
	return info;
}

static inline struct hw_stats hwf_stats(struct hwfix *f)
{
	struct hw_stats st;

	memset(&st, 0xa5, sizeof(st));
	hw_processor_stats(f->p, &st);
	return st;
}

/*
 * MRENCLAVE computed beside the model, block by block as the SDM defines the
 * ECREATE, EADD and EEXTEND updates (the SGXS record layout).
 */
struct hwf_measure {
	struct crypto_sha256 *h;
	uint64_t blocks;
};

static inline void hwf_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void hwf_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void hwf_measure_block(struct hwf_measure *m, const uint8_t block[64])
{
	assert_int_equal(crypto_sha256_update(m->h, block, 64), 0);
	m->blocks++;
}

static inline void hwf_measure_ecreate(struct hwf_measure *m, uint32_t ssa_frame_size,
				       uint64_t size)
{
	uint8_t b[64] = { 0 };

	m->h = crypto_sha256_new();
	assert_non_null(m->h);
	m->blocks = 0;
	memcpy(b, "ECREATE", 8);
	hwf_put_u32(b + 8, ssa_frame_size);
	hwf_put_u64(b + 12, size);
	hwf_measure_block(m, b);
}

static inline void hwf_measure_eadd(struct hwf_measure *m, uint64_t offset, uint64_t flags)
{
	uint8_t b[64] = { 0 };

	memcpy(b, "EADD\0\0\0", 8);
	hwf_put_u64(b + 8, offset);
	hwf_put_u64(b + 16, flags);
	hwf_measure_block(m, b);
}

static inline void hwf_measure_eextend(struct hwf_measure *m, uint64_t offset,
				       const uint8_t data[SGX_EEXTEND_CHUNK])
{
	uint8_t b[64] = { 0 };

	memcpy(b, "EEXTEND", 8);
	hwf_put_u64(b + 8, offset);
	hwf_measure_block(m, b);
	for (int i = 0; i < SGX_EEXTEND_CHUNK; i += 64)
		hwf_measure_block(m, data + i);
}

static inline void hwf_measure_page(struct hwf_measure *m, uint64_t offset, const uint8_t *page)
{
	for (uint64_t c = 0; c < SGX_PAGE_SIZE; c += SGX_EEXTEND_CHUNK)
		hwf_measure_eextend(m, offset + c, page + c);
}

static inline void hwf_measure_final(struct hwf_measure *m, uint8_t out[32])
{
	assert_int_equal(crypto_sha256_final(m->h, out), 0);
	crypto_sha256_free(m->h);
	m->h = NULL;
}

/*
 * An address space like the host's (EPC sections identity-mapped, everything
 * else a host pointer, page 0 unmapped) but with chosen pages unmapped, so a
 * test can make one operand fault at an exact address.
 */
static inline int hwf_holes_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct hwf_holes *h = opaque;
	unsigned int n = hw_processor_nr_sections(h->p);

	(void)write;
	for (unsigned int i = 0; i < n; i++) {
		const struct hw_epc_section_desc *s = hw_processor_section(h->p, i);

		if (la >= s->base && la - s->base < s->size) {
			ret->kind = HW_XLATE_EPC;
			ret->pa = la;
			ret->ram = NULL;
			return 0;
		}
	}
	if (la < SGX_PAGE_SIZE)
		return -EFAULT;
	for (unsigned int i = 0; i < h->nr; i++)
		if ((la & SGX_PAGE_MASK) == h->page[i])
			return -EFAULT;
	ret->kind = HW_XLATE_RAM;
	ret->pa = 0;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

/* Install the holey address space on f->cpu with the page of (la) unmapped. */
static inline void hwf_unmap(struct hwfix *f, uint64_t la)
{
	struct hw_addr_space as = { .xlate = hwf_holes_xlate, .opaque = &f->holes };

	assert_true(f->holes.nr < HWF_MAX_HOLES);
	f->holes.p = f->p;
	f->holes.page[f->holes.nr++] = la & SGX_PAGE_MASK;
	hw_cpu_set_addr_space(f->cpu, &as);
}

/*
 * (file) in the repository's vectors ($VSGX_VECTORS), else in the optional
 * outside folder ($VSGX_EXTRA_VECTORS); false when neither has it.
 */
static inline bool hwf_getenv_path(const char *file, char *buf, size_t len)
{
	static const char *const vars[] = { "VSGX_VECTORS", "VSGX_EXTRA_VECTORS" };

	for (size_t i = 0; i < 2; i++) {
		const char *dir = getenv(vars[i]);

		if (!dir || !*dir || (size_t)snprintf(buf, len, "%s/%s", dir, file) >= len)
			continue;
		if (access(buf, R_OK) == 0)
			return true;
	}
	return false;
}

/* Has one of the vectors folders (file)? For tests of outside-only vectors. */
static inline bool hwf_have_vector(const char *file)
{
	char path[4096];

	return hwf_getenv_path(file, path, sizeof(path));
}

#endif /* VSGX_TESTS_HW_FIXTURE_H */
