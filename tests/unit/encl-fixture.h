/* SPDX-License-Identifier: MIT */
/*
 * A running enclave for the unit tests of the leaves that need one (ENCLU,
 * paging, SGX2, keys): built, signed with the Linux selftest key from
 * $VSGX_VECTORS and EINITed on the default part, with its ELRANGE mapped onto
 * EPC pages through an address space of its own, as an OS maps an enclave.
 *
 * ELRANGE (HWF_ENCL_BASE, 64 KiB) page by page:
 *   0       TCS: OSSA 0x1000, NSSA 2, OENTRY 0x3000
 *   1, 2    SSA frames (SSAFRAMESIZE 1), RW
 *   3 ..    data pages, RW, page i filled with byte i
 *   rest    unmapped, free for EAUG
 * The SECS is EPC page 0; ELRANGE page i is EPC page 1 + i.
 *
 * Register tests with vector_test() (see vectors.h): without the key they skip.
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h>, <stdint.h> and <cmocka.h>.
 */
#ifndef VSGX_TESTS_ENCL_FIXTURE_H
#define VSGX_TESTS_ENCL_FIXTURE_H

#include "hw-fixture.h"
#include "vectors.h"
#include "vsgx/sigstruct.h"

#define EF_PAGES 16
#define EF_TCS	 0
#define EF_SSA	 1
#define EF_NSSA	 2
#define EF_DATA	 3
#define EF_AEP	 0x7f0000001000ULL

struct efenv {
	struct hwfix *f;
	struct sgx_secs secs; /* the image ECREATE was given */
	uint64_t secs_pa;
	bool mapped[EF_PAGES]; /* ELRANGE page i maps EPC page 1 + i */
	struct sgx_sigstruct *sig;
	struct sgx_einittoken *token;
	struct crypto_rsa_key *key;
	uint8_t mrsigner[32];
	uint8_t mrenclave[32];
	unsigned int nr_data;
};

static inline uint64_t ef_la(const struct efenv *ef, unsigned int page)
{
	return ef->secs.base + (uint64_t)page * SGX_PAGE_SIZE;
}

static inline uint64_t ef_pa(const struct efenv *ef, unsigned int page)
{
	return hwf_epc(ef->f, 1 + page);
}

/* ELRANGE through the map; EPC identity-mapped; everything else a host pointer. */
static inline int ef_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct efenv *ef = opaque;
	uint64_t off = la - ef->secs.base;

	(void)write;
	memset(ret, 0, sizeof(*ret));
	if (off < ef->secs.size) {
		unsigned int page = (unsigned int)(off / SGX_PAGE_SIZE);

		if (page >= EF_PAGES || !ef->mapped[page])
			return -EFAULT;
		ret->kind = HW_XLATE_EPC;
		ret->pa = ef_pa(ef, page) + (la & ~SGX_PAGE_MASK);
		return 0;
	}
	if (la >= HWF_EPC_BASE && la - HWF_EPC_BASE < ef->f->desc.sections[0].size) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = la;
		return 0;
	}
	if (la < SGX_PAGE_SIZE)
		return -EFAULT;
	ret->kind = HW_XLATE_RAM;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

static inline void ef_use_addr_space(struct efenv *ef)
{
	struct hw_addr_space as = { .xlate = ef_xlate, .opaque = ef };

	for (unsigned int i = 0; i < hw_processor_nr_cpus(ef->f->p); i++)
		hw_cpu_set_addr_space(hw_processor_cpu(ef->f->p, i), &as);
}

static inline void ef_load_key(struct efenv *ef)
{
	uint8_t modulus[CRYPTO_RSA3072_LEN];

	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &ef->key, NULL, 0), 0);
	assert_int_equal(crypto_rsa_key_modulus(ef->key, modulus), 0);
	assert_int_equal(crypto_sha256(modulus, sizeof(modulus), ef->mrsigner), 0);
}

/* EADD page (page) of ELRANGE with (flags) and (content), measured beside the model. */
static inline void ef_add(struct efenv *ef, struct hwf_measure *m, unsigned int page,
			  uint64_t flags, const void *content)
{
	assert_int_equal(
	    hwf_eadd(ef->f, ef->secs_pa, ef_pa(ef, page), ef_la(ef, page), flags, content),
	    SGX_SUCCESS);
	hwf_measure_eadd(m, (uint64_t)page * SGX_PAGE_SIZE, flags);
	ef->mapped[page] = true;
}

static inline void ef_build(struct efenv *ef)
{
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;
	struct hwf_measure m;

	assert_int_equal(hwf_ecreate(ef->f, &ef->secs, ef->secs_pa), SGX_SUCCESS);
	hwf_measure_ecreate(&m, ef->secs.ssa_frame_size, ef->secs.size);
	tcs->ossa = (uint64_t)EF_SSA * SGX_PAGE_SIZE;
	tcs->nssa = EF_NSSA;
	tcs->oentry = (uint64_t)EF_DATA * SGX_PAGE_SIZE;
	if (ef->secs.attributes.flags & SGX_ATTR_AEXNOTIFY)
		tcs->flags = SGX_TCS_AEXNOTIFY;
	ef_add(ef, &m, EF_TCS, SECINFO_TCS, page);
	memset(page, 0, SGX_PAGE_SIZE);
	for (unsigned int i = 0; i < EF_NSSA; i++)
		ef_add(ef, &m, EF_SSA + i, SECINFO_RW, page);
	for (unsigned int i = 0; i < ef->nr_data; i++) {
		memset(page, EF_DATA + i, SGX_PAGE_SIZE);
		ef_add(ef, &m, EF_DATA + i, SECINFO_RW, page);
	}
	hwf_measure_final(&m, ef->mrenclave);
	free(page);
}

/* Make the enclave's signer the launch-authorized one on every CPU (FLC). */
static inline void ef_trust_signer(struct efenv *ef)
{
	for (unsigned int c = 0; c < hw_processor_nr_cpus(ef->f->p); c++) {
		for (uint32_t i = 0; i < 4; i++) {
			uint64_t v = 0;

			for (int b = 7; b >= 0; b--)
				v = (v << 8) | ef->mrsigner[8 * i + (uint32_t)b];
			assert_int_equal(hw_msr_write(hw_processor_cpu(ef->f->p, c),
						      MSR_IA32_SGXLEPUBKEYHASH0 + i, v),
					 0);
		}
	}
}

static inline void ef_sign_and_init(struct efenv *ef)
{
	struct sigstruct_params params;

	sigstruct_params_init_default(&params);
	params.date = 0x20240101;
	params.isv_prod_id = 0x1234;
	params.isv_svn = 7;
	params.attributes = ef->secs.attributes;
	params.miscselect = ef->secs.miscselect;
	assert_int_equal(sigstruct_sign(&params, ef->mrenclave, ef->key, ef->sig), 0);
	ef_trust_signer(ef);
	assert_int_equal(hw_einit(ef->f->cpu, hwf_la(ef->sig), ef->secs_pa, hwf_la(ef->token)),
			 SGX_SUCCESS);
}

/*
 * A running enclave on a part described by (d) (NULL: the default part),
 * 64-bit with ATTRIBUTES (flags) | MODE64BIT, MISCSELECT (miscselect) and
 * (nr_data) data pages (at most EF_PAGES - EF_DATA).
 */
static inline struct efenv *ef_new(const struct hw_desc *d, uint64_t flags, uint32_t miscselect,
				   unsigned int nr_data)
{
	struct efenv *ef = calloc(1, sizeof(*ef));
	struct hw_desc def;

	assert_non_null(ef);
	assert_true(nr_data <= EF_PAGES - EF_DATA);
	if (!d) {
		hw_desc_init_default(&def);
		d = &def;
	}
	ef->f = hwf_new(d);
	ef->sig = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*ef->sig));
	ef->token = hwf_zalloc(512, sizeof(*ef->token));
	ef->nr_data = nr_data;
	hwf_secs_default(&ef->secs);
	ef->secs.attributes.flags |= flags;
	ef->secs.miscselect = miscselect;
	ef->secs_pa = hwf_epc(ef->f, 0);
	ef_use_addr_space(ef);
	ef_load_key(ef);
	ef_build(ef);
	ef_sign_and_init(ef);
	return ef;
}

static inline void ef_free(struct efenv *ef)
{
	if (!ef)
		return;
	hwf_free(ef->f);
	free(ef->sig);
	free(ef->token);
	crypto_rsa_key_free(ef->key);
	free(ef);
}

/* cmocka fixture: the default part, a debug enclave with EXINFO and 4 data pages. */
static inline int ef_setup(void **state)
{
	*state = ef_new(NULL, SGX_ATTR_DEBUG, SGX_MISC_EXINFO, 4);
	return 0;
}

static inline int ef_teardown(void **state)
{
	ef_free(*state);
	*state = NULL;
	return 0;
}

#define EF_TEST(fn)                                                                                \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? ef_setup : NULL,         \
		    vectors_present() ? ef_teardown : NULL, NULL                                   \
	}

/* EENTER on (cpu) through the TCS; asserts success and returns CSSA. */
static inline uint32_t ef_enter(struct efenv *ef, struct hw_cpu *cpu)
{
	uint32_t cssa = 0xdead;

	assert_int_equal(hw_eenter(cpu, ef_la(ef, EF_TCS), EF_AEP, &cssa), 0);
	return cssa;
}

static inline void ef_exit(struct efenv *ef, struct hw_cpu *cpu)
{
	uint64_t aep = 0;

	(void)ef;
	assert_int_equal(hw_eexit(cpu, 0x400000, &aep), 0);
	assert_int_equal(aep, EF_AEP);
}

#endif /* VSGX_TESTS_ENCL_FIXTURE_H */
