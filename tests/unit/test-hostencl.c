// SPDX-License-Identifier: MIT
/*
 * Host enclaves (/dev/sgx_enclave): create, add pages, init with the LE hash
 * MSRs, faults, destroy, group limits; and the reclaimer (EBLOCK, ETRACK,
 * EWB with VA pages and PCMDs, ELDU on fault).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host-fixture.h"
#include "vectors.h"
#include "vsgx/sigstruct.h"

#define TOTAL	 (HWF_EPC_SIZE / SGX_PAGE_SIZE)
#define TCS_PAGE 0
#define SSA_PAGE 1
#define NSSA	 2
#define DATA	 3
#define AEP	 0x7f0000001000ULL

/* A test on the default part that needs the signing key from the vectors. */
#define HF_VTEST(fn)                                                                               \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? hf_setup : NULL,         \
		    vectors_present() ? hf_teardown : NULL, NULL                                   \
	}

struct he {
	struct hf *hf;
	struct host_encl *e;
	struct sgx_secs secs;
	struct hwf_measure m;
	uint8_t mrenclave[32];
	uint8_t *page;
};

static uint64_t he_la(const struct he *t, unsigned int page)
{
	return t->secs.base + (uint64_t)page * SGX_PAGE_SIZE;
}

/* Add ELRANGE page (page) with (flags), measured here and by the model. */
static void he_add(struct he *t, unsigned int page, uint64_t flags)
{
	assert_int_equal(host_encl_add_pages(t->e, t->hf->kcpu, (uint64_t)page * SGX_PAGE_SIZE,
					     t->page, SGX_PAGE_SIZE, flags, true, NULL),
			 0);
	hwf_measure_eadd(&t->m, (uint64_t)page * SGX_PAGE_SIZE, flags);
	hwf_measure_page(&t->m, (uint64_t)page * SGX_PAGE_SIZE, t->page);
}

/* Create and fill the usual layout: TCS, two SSA frames, (nr_data) data pages. */
static struct he *he_build(struct hf *hf, struct host_owner *group, uint64_t size,
			   unsigned int nr_data)
{
	struct he *t = calloc(1, sizeof(*t));
	struct sgx_tcs *tcs;

	assert_non_null(t);
	t->hf = hf;
	t->page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	hwf_secs_init(&t->secs, 1ULL << 36, size, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG,
		      SGX_XFRM_LEGACY);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, group, &t->secs, &t->e, NULL), 0);
	hwf_measure_ecreate(&t->m, 1, size);
	tcs = (struct sgx_tcs *)t->page;
	tcs->ossa = SSA_PAGE * SGX_PAGE_SIZE;
	tcs->nssa = NSSA;
	tcs->oentry = DATA * SGX_PAGE_SIZE;
	he_add(t, TCS_PAGE, SECINFO_TCS);
	memset(t->page, 0, SGX_PAGE_SIZE);
	for (unsigned int i = 0; i < NSSA; i++)
		he_add(t, SSA_PAGE + i, SECINFO_RW);
	for (unsigned int i = 0; i < nr_data; i++) {
		memset(t->page, (int)(DATA + i), SGX_PAGE_SIZE);
		he_add(t, DATA + i, SECINFO_RW);
	}
	hwf_measure_final(&t->m, t->mrenclave);
	return t;
}

static void he_free(struct he *t)
{
	host_encl_destroy(t->e, t->hf->kcpu);
	free(t->page);
	free(t);
}

/* Sign (mrenclave) with the kselftest key into (sig); the signer's hash in (mrsigner). */
static void he_sign(const struct he *t, const uint8_t mrenclave[32], struct sgx_sigstruct *sig,
		    uint8_t mrsigner[32])
{
	struct crypto_rsa_key *key;
	struct sigstruct_params params;
	uint8_t modulus[CRYPTO_RSA3072_LEN];

	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &key, NULL, 0), 0);
	assert_int_equal(crypto_rsa_key_modulus(key, modulus), 0);
	assert_int_equal(crypto_sha256(modulus, sizeof(modulus), mrsigner), 0);
	sigstruct_params_init_default(&params);
	params.attributes = t->secs.attributes;
	assert_int_equal(sigstruct_sign(&params, mrenclave, key, sig), 0);
	crypto_rsa_key_free(key);
}

static void he_init(struct he *t)
{
	struct sgx_sigstruct *sig = hwf_zalloc(8, sizeof(*sig));
	uint8_t mrsigner[32];

	he_sign(t, t->mrenclave, sig, mrsigner);
	assert_int_equal(host_encl_init(t->e, t->hf->kcpu, sig, NULL, NULL), 0);
	free(sig);
}

static struct host_encl_info he_info(struct he *t)
{
	struct host_encl_info info;

	memset(&info, 0xa5, sizeof(info));
	host_encl_query(t->e, &info);
	return info;
}

static void test_create_errors(void **state)
{
	struct hf *hf = *state;
	struct host_owner *vm;
	struct host_encl *e = NULL;
	struct sgx_secs s;
	int code = -1;

	hwf_secs_default(&s);
	s.size = 3 * SGX_PAGE_SIZE;
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, &code), -EINVAL);
	assert_int_equal(code, 0);
	s.size = SGX_PAGE_SIZE;
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, NULL), -EINVAL);
	hwf_secs_default(&s);
	assert_int_equal(host_owner_create(hf->h, HOST_OWNER_VM, 10, &vm), 0);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, vm, &s, &e, NULL), -EINVAL);
	assert_int_equal(host_owner_destroy(vm), 0);
	/* ELRANGE not naturally aligned: ECREATE raises #GP. */
	s.base = HWF_ENCL_BASE + SGX_PAGE_SIZE;
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, &code), -EIO);
	assert_int_equal(code, HW_FAULT(X86_TRAP_GP));
	assert_null(e);
	assert_epc(hf, TOTAL, 0, 0, 0);
	/*
	 * A SIZE over CPUID's MaxEnclaveSize_64 (2^36 here) or over the user
	 * address space is refused before a page table for it is allocated
	 * (2^63 bytes wanted 2^42 pointers). 32-bit enclaves stop at 2^31.
	 */
	hwf_secs_init(&s, 0, 1ULL << 37, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, &code), -EFBIG);
	s.size = 1ULL << 63;
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, &code), -EFBIG);
	hwf_secs_init(&s, 0, 1ULL << 32, 0, SGX_XFRM_LEGACY);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, &code), -EFBIG);
	assert_int_equal(code, 0);
	assert_null(e);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_add_pages(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 4);
	struct host_encl_info info = he_info(t);
	struct hw_epcm_info epcm;
	uint64_t pa;

	assert_int_equal(info.pages, 7);
	assert_int_equal(info.resident, 7);
	assert_int_equal(info.evicted, 0);
	assert_int_equal(info.va_pages, 1);
	assert_false(info.initialized);
	/* SECS + VA page + 7 pages. */
	assert_epc(hf, TOTAL - 9, 9, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 9);
	epcm = hwf_epcm(hf->f, info.secs_pa);
	assert_int_equal(epcm.pt, SGX_PT_SECS);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, DATA + 1) + 5, &pa, NULL), 0);
	assert_int_equal(pa & ~SGX_PAGE_MASK, 5);
	epcm = hwf_epcm(hf->f, pa & SGX_PAGE_MASK);
	assert_true(epcm.valid);
	assert_int_equal(epcm.pt, SGX_PT_REG);
	assert_int_equal(epcm.enclave_address, he_la(t, DATA + 1));
	assert_int_equal(epcm.secs_pa, info.secs_pa);
	assert_true(epcm.r && epcm.w && !epcm.x);
	epcm = hwf_epcm(hf->f, info.secs_pa + SGX_PAGE_SIZE); /* the VA page came first */
	assert_int_equal(epcm.pt, SGX_PT_VA);
	/* The measurement the model kept is the one computed beside it. */
	assert_int_equal(hwf_enclave(hf->f, info.secs_pa).measurement_blocks, t->m.blocks);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
}

static void test_add_pages_errors(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 0);
	uint8_t *src = t->page;
	int code = -1;

	assert_int_equal(
	    host_encl_add_pages(t->e, hf->kcpu, 8, src, SGX_PAGE_SIZE, SECINFO_RW, true, &code),
	    -EINVAL);
	assert_int_equal(
	    host_encl_add_pages(t->e, hf->kcpu, 0x4000, src, 0, SECINFO_RW, true, NULL), -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x10000, src, SGX_PAGE_SIZE,
					     SECINFO_RW, true, NULL),
			 -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0xf000, src, 2 * SGX_PAGE_SIZE,
					     SECINFO_RW, true, NULL),
			 -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x4000, src, SGX_PAGE_SIZE,
					     SECINFO_TCS | SGX_SECINFO_R, true, NULL),
			 -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x4000, src, SGX_PAGE_SIZE,
					     SECINFO_REG(SGX_SECINFO_W), true, NULL),
			 -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x4000, src, SGX_PAGE_SIZE,
					     SGX_SECINFO_PT(SGX_PT_SECS), true, NULL),
			 -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x4000, src, SGX_PAGE_SIZE,
					     SECINFO_RW | SGX_SECINFO_PENDING, true, NULL),
			 -EINVAL);
	assert_int_equal(
	    host_encl_add_pages(t->e, hf->kcpu, 0, src, SGX_PAGE_SIZE, SECINFO_RW, true, &code),
	    -EEXIST);
	assert_int_equal(code, 0);
	assert_int_equal(he_info(t).pages, 3);
	assert_epc(hf, TOTAL - 5, 5, 0, 0);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_fault_errors(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 1);
	uint64_t pa;

	assert_int_equal(host_encl_fault(t->e, hf->kcpu, t->secs.base - 1, &pa, NULL), -EFAULT);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, t->secs.base + 0x10000, &pa, NULL),
			 -EFAULT);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, 9), &pa, NULL), -EFAULT);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, 600), &pa, NULL), -EFAULT);
	he_free(t);
}

/* A VA page for every SGX_VA_SLOTS pages, made before the pages that need it. */
static void test_va_pages(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 1ULL << 22, 0);
	uint8_t *src = hwf_zalloc(SGX_PAGE_SIZE, 600 * SGX_PAGE_SIZE);

	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x10000, src, 509 * SGX_PAGE_SIZE,
					     SECINFO_RW, false, NULL),
			 0);
	assert_int_equal(he_info(t).pages, 512);
	assert_int_equal(he_info(t).va_pages, 1);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x300000, src, SGX_PAGE_SIZE,
					     SECINFO_RW, false, NULL),
			 0);
	assert_int_equal(he_info(t).va_pages, 2);
	assert_epc(hf, TOTAL - 516, 516, 0, 0);
	free(src);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_init(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 2);
	struct sgx_sigstruct *sig = hwf_zalloc(8, sizeof(*sig));
	uint8_t mrsigner[32], bad[32];
	int code = -1;

	/* A wrong MRENCLAVE: EINIT's measurement check. */
	memcpy(bad, t->mrenclave, 32);
	bad[0] ^= 1;
	he_sign(t, bad, sig, mrsigner);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EPERM);
	assert_int_equal(code, SGX_INVALID_MEASUREMENT);
	/* Linux's launch policy: the signer becomes the launch key on this CPU. */
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v = 0, want = 0;

		for (int b = 7; b >= 0; b--)
			want = (want << 8) | mrsigner[8 * i + (uint32_t)b];
		assert_int_equal(hw_msr_read(hf->kcpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, &v), 0);
		assert_int_equal(v, want);
	}
	he_sign(t, t->mrenclave, sig, mrsigner);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), 0);
	assert_int_equal(code, SGX_SUCCESS);
	assert_true(he_info(t).initialized);
	assert_true(hwf_enclave(hf->f, he_info(t).secs_pa).initialized);
	assert_memory_equal(hwf_enclave(hf->f, he_info(t).secs_pa).mrsigner, mrsigner, 32);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EINVAL);
	assert_int_equal(host_encl_add_pages(t->e, hf->kcpu, 0x8000, t->page, SGX_PAGE_SIZE,
					     SECINFO_RW, true, NULL),
			 -EINVAL);
	free(sig);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/*
 * The driver's own checks before EINIT, as Linux's ENCLAVE_INIT makes them:
 * each refuses without running EINIT (the leaf's code stays 0), and none
 * costs the enclave its chance to initialize afterwards.
 */
static void test_init_driver_checks(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 2);
	struct sgx_sigstruct *sig = hwf_zalloc(8, sizeof(*sig));
	uint8_t mrsigner[32];
	int code = -1;

	he_sign(t, t->mrenclave, sig, mrsigner);
	/* VENDOR is neither 0 nor 0x8086. */
	sig->vendor = 0x1234;
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EINVAL);
	assert_int_equal(code, 0);
	sig->vendor = SGX_SIGSTRUCT_VENDOR_INTEL;
	/* Enforced reserved ATTRIBUTES bit 3; MISCSELECT bit 1 (Linux holds it reserved). */
	sig->attributes.flags |= 1ULL << 3;
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EINVAL);
	sig->attributes.flags &= ~(1ULL << 3);
	sig->miscselect = 2;
	sig->miscmask = 2;
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EINVAL);
	/* Not enforced by the mask: no objection from the driver. */
	sig->miscmask = 0;
	/* XFRM bit 62 is beyond what CPUID.(12h,1) enumerates. */
	sig->attributes.xfrm |= 1ULL << 62;
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EINVAL);
	assert_int_equal(code, 0);
	assert_false(he_info(t).initialized);
	/* The edits broke the signature: a fresh one initializes. */
	he_sign(t, t->mrenclave, sig, mrsigner);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), 0);
	assert_int_equal(code, SGX_SUCCESS);
	free(sig);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* Build the usual layout with (attrs) and try to initialize it. */
static int he_try_attrs(struct hf *hf, uint64_t attrs, bool provision, int *ret_code)
{
	struct he *t = calloc(1, sizeof(*t));
	struct sgx_sigstruct *sig = hwf_zalloc(8, sizeof(*sig));
	struct sgx_tcs *tcs;
	uint8_t mrsigner[32];
	int r;

	assert_non_null(t);
	t->hf = hf;
	t->page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	hwf_secs_init(&t->secs, 1ULL << 36, 0x10000, attrs, SGX_XFRM_LEGACY);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &t->secs, &t->e, NULL), 0);
	hwf_measure_ecreate(&t->m, 1, 0x10000);
	tcs = (struct sgx_tcs *)t->page;
	tcs->ossa = SSA_PAGE * SGX_PAGE_SIZE;
	tcs->nssa = NSSA;
	tcs->oentry = DATA * SGX_PAGE_SIZE;
	he_add(t, TCS_PAGE, SECINFO_TCS);
	hwf_measure_final(&t->m, t->mrenclave);
	he_sign(t, t->mrenclave, sig, mrsigner);
	if (provision)
		host_encl_provision(t->e);
	r = host_encl_init(t->e, hf->kcpu, sig, NULL, ret_code);
	free(sig);
	he_free(t);
	return r;
}

/*
 * PROVISIONKEY only with the /dev/sgx_provision grant; EINITTOKENKEY (a
 * launch enclave) never, grant or not: -EACCES before EINIT runs.
 */
static void test_init_provision(void **state)
{
	struct hf *hf = *state;
	uint64_t base = SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG;
	int code = -1;

	assert_int_equal(he_try_attrs(hf, base | SGX_ATTR_PROVISIONKEY, false, &code), -EACCES);
	assert_int_equal(code, 0);
	assert_int_equal(he_try_attrs(hf, base | SGX_ATTR_PROVISIONKEY, true, &code), 0);
	assert_int_equal(code, SGX_SUCCESS);
	code = -1;
	assert_int_equal(he_try_attrs(hf, base | SGX_ATTR_EINITTOKENKEY, true, &code), -EACCES);
	assert_int_equal(code, 0);
	assert_int_equal(he_try_attrs(hf, base | SGX_ATTR_KSS, false, &code), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* An interrupt that never clears: EINIT is retried, then the call gives up. */
static void test_init_pending_event(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 1);
	struct sgx_sigstruct *sig = hwf_zalloc(8, sizeof(*sig));
	uint8_t mrsigner[32];
	int code = -1;

	he_sign(t, t->mrenclave, sig, mrsigner);
	hw_cpu_set_pending_event(hf->kcpu, true);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EBUSY);
	assert_int_equal(code, SGX_UNMASKED_EVENT);
	assert_false(he_info(t).initialized);
	hw_cpu_set_pending_event(hf->kcpu, false);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), 0);
	assert_true(he_info(t).initialized);
	free(sig);
	he_free(t);
}

/* Launch control not flexible: no MSR writes, and only Intel's signer launches. */
static void test_init_locked_lc(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct he *t;
	struct sgx_sigstruct *sig = hwf_zalloc(8, sizeof(*sig));
	uint8_t mrsigner[32];
	int code = -1;

	(void)state;
	hw_desc_init_default(&d);
	d.feature_control &= ~FEAT_CTL_SGX_LC_ENABLED;
	hf = hf_new(&d);
	t = he_build(hf, NULL, 0x10000, 1);
	he_sign(t, t->mrenclave, sig, mrsigner);
	assert_int_equal(host_encl_init(t->e, hf->kcpu, sig, NULL, &code), -EPERM);
	assert_int_equal(code, SGX_INVALID_EINITTOKEN);
	free(sig);
	he_free(t);
	hf_free(hf);
}

/* Run the enclave through the driver's mapping: EENTER, read its data, EEXIT. */
static void test_run(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 3);
	struct hw_addr_space as;
	uint8_t b[4];
	uint64_t aep;

	he_init(t);
	host_encl_addr_space(t->e, &as);
	hw_cpu_set_addr_space(hf->guest, &as);
	assert_int_equal(hw_eenter(hf->guest, he_la(t, TCS_PAGE), AEP, NULL), 0);
	assert_int_equal(hw_enclave_read(hf->guest, he_la(t, DATA + 2) + 100, b, 4), 0);
	assert_int_equal(b[3], DATA + 2);
	/* A page the enclave never added is not mapped. */
	assert_int_equal(hw_enclave_read(hf->guest, he_la(t, 12), b, 4), HW_FAULT(X86_TRAP_PF));
	assert_int_equal(hw_cpu_fault(hf->guest)->addr, he_la(t, 12));
	assert_int_equal(hw_eexit(hf->guest, 0x400000, &aep), 0);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* Destroy with a thread inside: the pages wait as zombies. */
static void test_destroy_thread_inside(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 1);
	struct hw_cpu *inside = hw_processor_cpu(hf->f->p, 2);

	assert_int_equal(hw_cpu_enclave_enter_raw(inside, he_info(t).secs_pa), 0);
	he_free(t);
	/* 4 children + SECS fail; the VA page goes. */
	assert_epc(hf, TOTAL - 5, 0, 5, 0);
	assert_int_equal(hw_cpu_enclave_exit_raw(inside), 0);
	assert_int_equal(host_zombie_retry(hf->h, hf->kcpu), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_exhausted(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct he *t;
	int r;

	(void)state;
	hf_desc_small(&d, 8);
	hf = hf_new(&d);
	/* No background reclaim: only an allocation that fails makes room. */
	assert_int_equal(host_set_watermarks(hf->h, 0, 0), 0);
	t = he_build(hf, NULL, 0x10000, 3); /* SECS, VA, 6 pages: all of it */
	assert_epc(hf, 0, 8, 0, 0);
	r = host_encl_add_pages(t->e, hf->kcpu, 0xa000, t->page, SGX_PAGE_SIZE, SECINFO_RW, true,
				NULL);
	assert_int_equal(r, 0); /* the reclaimer made room */
	assert_true(he_info(t).evicted >= 1);
	he_free(t);
	assert_epc(hf, 8, 0, 0, 0);
	hf_free(hf);
}

/* Guest EPC is never reclaimed: with it holding the rest, enclaves get -ENOMEM. */
static void test_no_epc_left(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_vepc *v;
	struct host_encl *e, *e2 = NULL;
	struct sgx_secs s;
	uint8_t *src = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	uint64_t pa;

	(void)state;
	hf_desc_small(&d, 8);
	hf = hf_new(&d);
	v = hf_vepc(hf, 6, HF_VAS_X);
	for (uint64_t i = 0; i < 6; i++)
		assert_int_equal(host_vepc_fault(v, i, &pa), 0);
	hwf_secs_default(&s);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, NULL), 0);
	/* The VA page takes the last page; the page itself finds nothing to reclaim. */
	assert_int_equal(
	    host_encl_add_pages(e, hf->kcpu, 0, src, SGX_PAGE_SIZE, SECINFO_RW, true, NULL),
	    -ENOMEM);
	assert_epc(hf, 0, 8, 0, 0);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e2, NULL), -ENOMEM);
	assert_null(e2);
	host_encl_destroy(e, hf->kcpu);
	host_vepc_release(v, hf->kcpu);
	assert_epc(hf, 8, 0, 0, 0);
	free(src);
	hf_free(hf);
}

/* Host enclaves hold the EPC: a vEPC fault asks for the reclaimer and a retry. */
static void test_vepc_fault_needs_reclaim(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_vepc *v;
	struct host_vepc_info vi;
	struct he *t;
	uint64_t pa;

	(void)state;
	hf_desc_small(&d, 8);
	hf = hf_new(&d);
	assert_int_equal(host_set_watermarks(hf->h, 0, 0), 0);
	t = he_build(hf, NULL, 0x10000, 3); /* all 8 pages */
	v = hf_vepc(hf, 4, HF_VAS_X);
	assert_int_equal(host_vepc_fault(v, 0, &pa), -EAGAIN);
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 2), 2);
	assert_int_equal(host_vepc_fault(v, 0, &pa), 0);
	assert_int_equal(host_vepc_fault(v, 1, &pa), 0);
	host_vepc_query(v, &vi);
	assert_int_equal(vi.failed_faults, 1);
	assert_epc(hf, 0, 8, 0, 0);
	he_free(t);
	/* Nothing reclaimable left: exhaustion is final. */
	host_vepc_release(v, hf->kcpu);
	v = hf_vepc(hf, 16, HF_VAS_Y);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(host_vepc_fault(v, i, &pa), 0);
	assert_int_equal(host_vepc_fault(v, 8, &pa), -ENOMEM);
	host_vepc_release(v, hf->kcpu);
	assert_epc(hf, 8, 0, 0, 0);
	hf_free(hf);
}

static void test_group_limit(void **state)
{
	struct hf *hf = *state;
	struct host_owner *grp;
	struct host_owner_info oi;
	struct he *t;
	int r;

	assert_int_equal(host_owner_create(hf->h, HOST_OWNER_ENCLAVES, 6, &grp), 0);
	t = he_build(hf, grp, 0x10000, 1); /* SECS, VA, 4 pages */
	host_owner_query(grp, &oi);
	assert_int_equal(oi.usage, 6);
	assert_int_equal(oi.limit_hits, 0);
	assert_int_equal(oi.reclaimable, 4);
	r = host_encl_add_pages(t->e, hf->kcpu, 0x8000, t->page, SGX_PAGE_SIZE, SECINFO_RW, true,
				NULL);
	host_owner_query(grp, &oi);
	assert_true(oi.limit_hits >= 1);
	assert_int_equal(r, 0); /* paid with one of its own pages */
	assert_int_equal(oi.usage, 6);
	assert_int_equal(he_info(t).evicted, 1);
	/* The rest of the EPC stayed free for others. */
	assert_int_equal(hf_stats(hf).free, TOTAL - 6);
	assert_int_equal(host_owner_destroy(grp), -EBUSY);
	he_free(t);
	host_owner_query(grp, &oi);
	assert_int_equal(oi.usage, 0);
	assert_int_equal(host_owner_destroy(grp), 0);
}

static void test_reclaim_and_reload(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 4);
	struct host_encl_info info;
	struct hw_epcm_info epcm;
	uint64_t pa, old_pa;

	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, TCS_PAGE), &old_pa, NULL), 0);
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 2), 2);
	info = he_info(t);
	assert_int_equal(info.evicted, 2);
	assert_int_equal(info.resident, 5);
	assert_int_equal(info.ewb, 2);
	assert_epc(hf, TOTAL - 7, 7, 0, 0);
	/* Oldest first: the TCS went, and its EPCM entry with it. */
	assert_false(hf_valid(hf, old_pa));
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, TCS_PAGE) + 8, &pa, NULL), 0);
	epcm = hwf_epcm(hf->f, pa & SGX_PAGE_MASK);
	assert_true(epcm.valid);
	assert_int_equal(epcm.pt, SGX_PT_TCS);
	assert_int_equal(epcm.enclave_address, he_la(t, TCS_PAGE));
	info = he_info(t);
	assert_int_equal(info.eldu, 1);
	assert_int_equal(info.evicted, 1);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
}

/*
 * Once the last child of an initialized enclave is written back, so is its
 * SECS, and the enclave holds no EPC but its VA page; the next fault brings
 * the SECS back before the page, with the enclave's identity intact.
 */
static void test_reclaim_secs(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 2);
	struct host_encl_info info;
	uint64_t pa, v = 0;

	he_init(t);
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 4), 4);
	info = he_info(t);
	assert_false(info.secs_evicted);
	assert_int_equal(info.resident, 1);
	/* The fifth page goes, and the SECS after it: only the VA page is left. */
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 1), 1);
	info = he_info(t);
	assert_true(info.secs_evicted);
	assert_int_equal(info.secs_pa, 0);
	assert_int_equal(info.resident, 0);
	assert_int_equal(info.evicted, 5);
	assert_int_equal(info.ewb, 5);
	assert_epc(hf, TOTAL - 1, 1, 0, 0);
	/* Nothing is left to reclaim. */
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 1), 0);
	/* A fault reloads the SECS first, then the data page, which reads back. */
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, DATA + 1), &pa, NULL), 0);
	info = he_info(t);
	assert_false(info.secs_evicted);
	assert_int_not_equal(info.secs_pa, 0);
	assert_int_equal(info.resident, 1);
	assert_int_equal(info.eldu, 1);
	assert_epc(hf, TOTAL - 3, 3, 0, 0);
	assert_true(hwf_enclave(hf->f, info.secs_pa).initialized);
	assert_memory_equal(hwf_enclave(hf->f, info.secs_pa).mrenclave, t->mrenclave, 32);
	assert_int_equal(hw_edbgrd(hf->kcpu, pa, &v), SGX_SUCCESS);
	assert_int_equal(v, 0x0404040404040404ULL);
	/* Destroyed while its SECS is out again: the blob is dropped, nothing leaks. */
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 1), 1);
	assert_true(he_info(t).secs_evicted);
	he_free(t);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
}

/* Pages accessed since the last pass get a second chance. */
static void test_reclaim_aging(void **state)
{
	struct hf *hf = *state;
	struct he *t = he_build(hf, NULL, 0x10000, 2);
	struct hw_addr_space as;
	struct hw_xlate x;
	uint64_t pa;

	host_encl_addr_space(t->e, &as);
	/* Touch the TCS (the LRU's head) through the mapping. */
	assert_int_equal(as.xlate(as.opaque, he_la(t, TCS_PAGE), false, &x), 0);
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 1), 1);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, TCS_PAGE), &pa, NULL), 0);
	assert_int_equal(he_info(t).eldu, 0); /* still resident */
	assert_int_equal(as.xlate(as.opaque, he_la(t, SSA_PAGE), false, &x), -EFAULT);
	he_free(t);
}

/*
 * A thread inside since before the ETRACK: EWB stays SGX_NOT_TRACKED, the
 * page stays blocked, and a fault on it must wait (-EAGAIN) until the thread
 * leaves; then the write-back finishes and the page comes back.
 */
static void test_reclaim_not_tracked(void **state)
{
	struct hf *hf = *state;
	struct host_owner *grp;
	struct host_owner_info oi;
	struct hw_addr_space as;
	uint64_t aep, pa;
	struct he *t;

	assert_int_equal(host_owner_create(hf->h, HOST_OWNER_ENCLAVES, HOST_NO_LIMIT, &grp), 0);
	t = he_build(hf, grp, 0x10000, 2);

	he_init(t);
	host_encl_addr_space(t->e, &as);
	hw_cpu_set_addr_space(hf->guest, &as);
	assert_int_equal(hw_eenter(hf->guest, he_la(t, TCS_PAGE), AEP, NULL), 0);
	/* TCS and SSA pages are busy with the thread: age them out of the way. */
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 1), 0);
	assert_int_equal(he_info(t).ewb, 0);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, DATA), &pa, NULL), -EAGAIN);
	/* Blocked pages wait on the LRU: all five are still there. */
	host_owner_query(grp, &oi);
	assert_int_equal(oi.reclaimable, 5);
	assert_int_equal(hw_eexit(hf->guest, 0x400000, &aep), 0);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, he_la(t, DATA), &pa, NULL), 0);
	assert_int_equal(he_info(t).ewb, 1);
	assert_int_equal(he_info(t).eldu, 1);
	assert_true(hf_valid(hf, pa & SGX_PAGE_MASK));
	host_owner_query(grp, &oi);
	assert_int_equal(oi.reclaimable, 5);
	assert_int_equal(oi.usage, 7);
	he_free(t);
	assert_int_equal(host_owner_destroy(grp), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/*
 * A #PF inside the enclave, as hardware delivers it: an AEX, the driver's
 * fault handler (which may find the reclaimer's work to finish), ERESUME
 * (which may fault on the TCS or SSA in turn).
 */
static void he_pf_inside(struct he *t)
{
	struct hf *hf = t->hf;
	const struct hw_fault *f = hw_cpu_fault(hf->guest);
	struct hw_aex why = { .vector = X86_TRAP_PF, .error_code = f->error_code, .addr = f->addr };
	struct sgx_ssa_gpr gpr;
	uint64_t pa;
	int r;

	memset(&gpr, 0, sizeof(gpr));
	assert_int_equal(hw_aex(hf->guest, &gpr, &why), 0);
	assert_int_equal(host_encl_fault(t->e, hf->kcpu, why.addr, &pa, NULL), 0);
	while ((r = hw_eresume(hf->guest, he_la(t, TCS_PAGE), AEP, NULL)) == HW_FAULT(X86_TRAP_PF))
		assert_int_equal(
		    host_encl_fault(t->e, hf->kcpu, hw_cpu_fault(hf->guest)->addr, &pa, NULL), 0);
	assert_int_equal(r, 0);
}

/* More enclave than EPC: every page is still there, through evictions and reloads. */
static void test_oversubscribe(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct he *t;
	struct hw_addr_space as;
	uint64_t aep, pa;
	uint8_t b;

	(void)state;
	hf_desc_small(&d, 32);
	hf = hf_new(&d);
	assert_int_equal(host_set_watermarks(hf->h, 2, 4), 0);
	t = he_build(hf, NULL, 0x100000, 60);
	assert_true(he_info(t).evicted >= 33);
	he_init(t);
	host_encl_addr_space(t->e, &as);
	hw_cpu_set_addr_space(hf->guest, &as);
	for (;;) {
		int r = hw_eenter(hf->guest, he_la(t, TCS_PAGE), AEP, NULL);

		if (r != HW_FAULT(X86_TRAP_PF))
			break;
		assert_int_equal(
		    host_encl_fault(t->e, hf->kcpu, hw_cpu_fault(hf->guest)->addr, &pa, NULL), 0);
	}
	for (unsigned int i = 0; i < 60; i++) {
		int r;

		while ((r = hw_enclave_read(hf->guest, he_la(t, DATA + i), &b, 1)) ==
		       HW_FAULT(X86_TRAP_PF))
			he_pf_inside(t);
		assert_int_equal(r, 0);
		assert_int_equal(b, (uint8_t)(DATA + i));
	}
	assert_int_equal(hw_eexit(hf->guest, 0x400000, &aep), 0);
	assert_true(he_info(t).eldu > 0);
	he_free(t);
	assert_epc(hf, 32, 0, 0, 0);
	hf_free(hf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HF_TEST(test_create_errors),
		HF_TEST(test_add_pages),
		HF_TEST(test_add_pages_errors),
		HF_TEST(test_fault_errors),
		HF_TEST(test_va_pages),
		HF_VTEST(test_init),
		HF_VTEST(test_init_driver_checks),
		HF_VTEST(test_init_provision),
		HF_VTEST(test_init_pending_event),
		vector_test(test_init_locked_lc),
		HF_VTEST(test_run),
		HF_TEST(test_destroy_thread_inside),
		cmocka_unit_test(test_exhausted),
		cmocka_unit_test(test_no_epc_left),
		cmocka_unit_test(test_vepc_fault_needs_reclaim),
		HF_TEST(test_group_limit),
		HF_TEST(test_reclaim_and_reload),
		HF_VTEST(test_reclaim_secs),
		HF_TEST(test_reclaim_aging),
		HF_VTEST(test_reclaim_not_tracked),
		vector_test(test_oversubscribe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
