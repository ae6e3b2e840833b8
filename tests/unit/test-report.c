// SPDX-License-Identifier: MIT
/*
 * EREPORT and EGETKEY (SDM Vol. 3D ch. 38): every fault of their operands in
 * the pseudocode's order, every return code of EGETKEY, and the properties
 * the keys exist for, checked end to end on enclaves built, signed and
 * EINITed on one processor:
 *   - a REPORT MACed for enclave B verifies with the REPORT key B gets from
 *     EGETKEY, and with no other enclave's;
 *   - a launch enclave's EINITTOKEN key mints tokens EINIT accepts;
 *   - seal keys bind what their KEYPOLICY names, survive a reset, and
 *     refuse SVNs beyond the enclave's and the CPU's.
 *
 * Each enclave k has its own 64 KiB ELRANGE at RK_BASE + k * 16 MiB and its
 * EPC pages at 32 * k (SECS) and 32 * k + 1 + i (ELRANGE page i). Signed
 * with the Linux selftest key from $VSGX_VECTORS (tests skip without it) or
 * with a second key of this file's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "epcm.h"
#include "hw-fixture.h"
#include "hw.h"
#include "vectors.h"
#include "vsgx/sigstruct.h"

#define RK_MAX	  4
#define RK_BASE	  0x10000000ULL
#define RK_PAGES  16
#define RK_AEP	  0x7f0000001000ULL
#define PG_TCS	  0
#define PG_SSA	  1 /* two frames */
#define PG_DATA	  3 /* RW pages 3..8 */
#define PG_NDATA  6
#define PG_RO	  9  /* R only */
#define PG_HOLE	  10 /* in ELRANGE, not mapped */
#define PG_ALIEN  11 /* mapped to the next enclave's first data page */
#define PG_NOTEPC 12 /* mapped to ordinary memory */
#define PF_R	  (X86_PF_PROT | X86_PF_SGX)
#define PF_W	  (X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE)

/* A second RSA-3072 signing key (e = 3), generated for these tests. */
static const char key2_pem[] = "-----BEGIN PRIVATE KEY-----\n"
			       "MIIG/QIBADANBgkqhkiG9w0BAQEFAASCBucwggbjAgEAAoIBgQDGsT9c4pk76TQ3\n"
			       "EqyZN1fIi9wfV9JV2bok0ARJxkyd8nn+3mkhEPhLUn7rMrzpR0BQNBoj/NS03pvr\n"
			       "nvn6D0EJi6X/pOQ3qchzMiQBHK9tBLxpIwm3QVaOTfnBM3Swo+2887ZwqRu3o0Bx\n"
			       "Sz+9HD1zQ5j5b45lVQMAFodnIKiq7PiUxQdyyZyzVqqeB5t9ibXLmOyH/xIpqY1I\n"
			       "Gl2IcLbEPLrgb0KoNBzUIvbRia+3YLA1ASk3J281zNn8C5vbX84gaRGrwbHeIQHg\n"
			       "RjM/iAEi+PC1JgqUYrc0e/BjXZ6vlIaokAedFJZRV46GOLDQacmMUqRrPM4Kjsr0\n"
			       "//xZ91UhWWLKOCfWtm53oD/uA5565JalpphSqfRG2qMNyFJxszL3resOSSqyzkQv\n"
			       "EtBOmeHmcER9k4X90q9jzrAqTux/hYAH2sJDAY4gO1p9x2tZVpqJd4eAjelvtiN1\n"
			       "uFlvmpVybiI7Xc0L19UuXat+S5HMmeeJX5alZC9rMcJ/EjfpjZ8CAQMCggGBAIR2\n"
			       "Kj3sZifwzXoMcxDPj9sH6BTlNuPmfBiKrYaEMxP2+/8+8MC1+tzhqfIh00YvgDV4\n"
			       "EW1TOHiUZ/Jp+/wKK1uybqpt7XpxMEzMGAC9ykit0vDCBnorjwmJUSt3oyBtSSii\n"
			       "eaBwvSUXgEuHf9NoKPeCZfuftEOOAgAPBO9rGxyd+w3Yr6Hbvczkcb6vvP5bzoe7\n"
			       "SFqqDBvGXjARk7BLJILTJ0BKLHAiveLB+eEGdSTrICNWG3oaSiPd5qgHvTzqiD20\n"
			       "FsiT7cTwSn1IKqU9BMyV8N5Atcm0tpuWuxkhMMSeUXC2wZ9AG3nDQuLjFd/xYvJz\n"
			       "mWDnV6yA/FbGYgZlgDPHPMWrXCjPbljXs3xn+L5dsj/yvQoixOytfGx66/SBORMY\n"
			       "hSDj/LBhtFX/6kbxUgiYVD8fVMDOGLAI+5vWarOQWmq8X2CuLhtPEVtU2+or7vEQ\n"
			       "Q/hSREkyDidZA383Ivq2dlwFwA8VZECEBBDoi9jlfcQ2N3k/DOSlr9c+18qtKwKB\n"
			       "wQDvRUlN+LSFxx0V9IaaORW3auZoKeaydsgfh0cZcaM4HiP3mxSauMVA01wPzpjS\n"
			       "ezibpxj3F2am9MRlJJobgYe79fxHwPvdYDi5wxYTMEngGjEq/qViKqYHJgFBg05z\n"
			       "/LM0a96iG93ROyn6JNUvVuiz28oUOxqu7iMpUigLCPl1EVRXL1t4n6EFsBFHDKHu\n"
			       "TpdechTwm39fIT5z8aHCBsjauLZKOSVA1cMLV18T/+lEpthAqoFzuC3SNbofR7N7\n"
			       "z78CgcEA1JWmMOsYsPF1DmVsrXNkOK0g/5sTM1zdK5KQpDoyUIjoh+LQk3un2d9O\n"
			       "IhV3LgR8hP4lYspj4NiMDbHPNN2NF7iLWfYhvB8QOJmcoDdffT3aGrvXYUsm3LBn\n"
			       "KYyiDvSqJp1EutdR2QCLs+4btNj+Ja/8CqlsLa9nMm8OtYRS/RukEJDXuVyn8ZSv\n"
			       "Lbt/i8YcwW0Mm3cDosnPxsEybsEYH6O6ZxwHtGH7wkBGUO7WwprSomPB+81uQgOA\n"
			       "nOxAvbohAoHBAJ+DhjP7IwPaE2P4WbwmDnpHREVxRHb52r+vhLuhF3q+wqUSDbx7\n"
			       "Lis3krU0ZeGnexJvZfoPmcSjLZjDEWerr9Kj/YUrUpOVeyaCDrd1hpVmy3H/GOwc\n"
			       "bq9uq4ECNE1TIiLylGwSk+DSG/wYjh+PRc09MWLSEcn0F3DhcAdbUPi2ODofklBq\n"
			       "a1kgC4SzFp7fD5RMDfW8/5TA1E1LwSwEheclztwmGNXj11zk6g1VRi3EkCscVk0l\n"
			       "c+F5Jr+FIlKKfwKBwQCNuRl18hB19k4JmPMeTO17HhX/vLd3kz4dDGBtfCGLBfBa\n"
			       "lzW3p8U76jQWuPoerahYqW5B3EKV5bKzy994k7NlJbI7+WvSv2Alu73AJOpTfpFn\n"
			       "J+Trh289yu9xCGwJ+HFvE4MnOjaQqwfNSWfN5f7DyqgHG51zykTMSgnOWDdTZ8K1\n"
			       "teUmPcVLuHTJJ6pdLr3WSLMST1fB29/Z1iGfK2VqbSbvaAUi6/0sKtmLSeSBvIxs\n"
			       "QoFSiPQsAlW98tXT0WsCgcBE1BM2gbFxbdzISUU8HSe/2pbGb7NNig88IqiS7gwe\n"
			       "Cu6IwBJK3d+WMrXayCHKjajPYGkt57BCBmIGqpTeOizQiSNLLrDKKeZ/3i/nKFZ8\n"
			       "hL+yy2R6IrEX21iSaLbjPgrvLSS9hQ3TXkjyPaJlxxxRTFvj2CFXYnmLf4t1sES2\n"
			       "/JJYy2TTPr+ItJZzlKXzaxwYxgHQhE+Gx8UPhWYVFMcPvZ2J+/u5reiEoKNXCca1\n"
			       "AF8VoQbqg8RB+93qzk9sNis=\n"
			       "-----END PRIVATE KEY-----\n";

struct rk_encl {
	struct sgx_secs secs; /* the image ECREATE was given */
	uint64_t secs_pa;
	unsigned int epc0;
	bool built;
	bool mapped[RK_PAGES];
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
};

struct rk {
	struct hwfix *f;
	struct rk_encl e[RK_MAX];
	struct crypto_rsa_key *key, *key2;
	struct sgx_sigstruct *sig;
	struct sgx_einittoken *token;
	uint8_t *ram; /* a host page an alien mapping may point at */
};

/* What an enclave is built with. */
struct rk_params {
	uint64_t flags;
	uint32_t miscselect;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t config_id;   /* every CONFIGID byte; KSS only */
	uint8_t family_id;   /* every ISVFAMILYID byte; KSS only */
	uint8_t ext_prod_id; /* every ISVEXTPRODID byte */
	uint8_t fill;	     /* data page i holds bytes fill + i */
	bool second_key;
};

static uint64_t la_of(unsigned int k, unsigned int page)
{
	return RK_BASE + k * 0x1000000ULL + (uint64_t)page * SGX_PAGE_SIZE;
}

static uint64_t pa_of(struct rk *t, unsigned int k, unsigned int page)
{
	return hwf_epc(t->f, t->e[k].epc0 + 1 + page);
}

static int rk_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct rk *t = opaque;

	(void)write;
	memset(ret, 0, sizeof(*ret));
	for (unsigned int k = 0; k < RK_MAX; k++) {
		uint64_t off = la - la_of(k, 0);
		unsigned int page = (unsigned int)(off / SGX_PAGE_SIZE);

		if (!t->e[k].built || off >= RK_PAGES * SGX_PAGE_SIZE)
			continue;
		if (page == PG_NOTEPC) {
			ret->kind = HW_XLATE_RAM;
			ret->ram = t->ram + (la & ~SGX_PAGE_MASK);
			return 0;
		}
		if (page == PG_ALIEN) {
			ret->kind = HW_XLATE_EPC;
			ret->pa = pa_of(t, (k + 1) % RK_MAX, PG_DATA) + (la & ~SGX_PAGE_MASK);
			return 0;
		}
		if (!t->e[k].mapped[page])
			return -EFAULT;
		ret->kind = HW_XLATE_EPC;
		ret->pa = pa_of(t, k, page) + (la & ~SGX_PAGE_MASK);
		return 0;
	}
	if (la >= HWF_EPC_BASE && la - HWF_EPC_BASE < HWF_EPC_SIZE) {
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

static void rk_use_addr_space(struct rk *t)
{
	struct hw_addr_space as = { .xlate = rk_xlate, .opaque = t };

	for (unsigned int i = 0; i < hw_processor_nr_cpus(t->f->p); i++)
		hw_cpu_set_addr_space(hw_processor_cpu(t->f->p, i), &as);
}

static struct crypto_rsa_key *load_key2(void)
{
	char path[] = "/tmp/vsgx-test-report-XXXXXX";
	struct crypto_rsa_key *key = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, key2_pem, sizeof(key2_pem) - 1), (ssize_t)sizeof(key2_pem) - 1);
	close(fd);
	assert_int_equal(crypto_rsa_key_load(path, &key, NULL, 0), 0);
	unlink(path);
	return key;
}

static void mrsigner_of(const struct crypto_rsa_key *key, uint8_t out[32])
{
	uint8_t modulus[CRYPTO_RSA3072_LEN];

	assert_int_equal(crypto_rsa_key_modulus(key, modulus), 0);
	assert_int_equal(crypto_sha256(modulus, sizeof(modulus), out), 0);
}

/* Make (mrsigner) the launch-authorized signer on every CPU. */
static void rk_trust(struct rk *t, const uint8_t mrsigner[32])
{
	for (unsigned int c = 0; c < hw_processor_nr_cpus(t->f->p); c++) {
		for (uint32_t i = 0; i < 4; i++) {
			uint64_t v;

			memcpy(&v, mrsigner + 8 * i, 8);
			assert_int_equal(hw_msr_write(hw_processor_cpu(t->f->p, c),
						      MSR_IA32_SGXLEPUBKEYHASH0 + i, v),
					 0);
		}
	}
}

static void rk_params_default(struct rk_params *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->flags = SGX_ATTR_DEBUG;
	pp->miscselect = SGX_MISC_EXINFO;
	pp->isv_prod_id = 0x1234;
	pp->isv_svn = 7;
	pp->fill = 0x30;
}

static void rk_add(struct rk *t, unsigned int k, struct hwf_measure *m, unsigned int page,
		   uint64_t flags, const void *content)
{
	struct rk_encl *e = &t->e[k];

	assert_int_equal(
	    hwf_eadd(t->f, e->secs_pa, pa_of(t, k, page), la_of(k, page), flags, content),
	    SGX_SUCCESS);
	hwf_measure_eadd(m, (uint64_t)page * SGX_PAGE_SIZE, flags);
	e->mapped[page] = true;
}

/* ECREATE and EADD enclave (k) as (pp) says; MRENCLAVE computed beside the model. */
static void rk_create(struct rk *t, unsigned int k, const struct rk_params *pp)
{
	struct rk_encl *e = &t->e[k];
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;
	struct hwf_measure m;

	memset(e, 0, sizeof(*e));
	e->epc0 = 32 * k;
	e->secs_pa = hwf_epc(t->f, e->epc0);
	hwf_secs_init(&e->secs, la_of(k, 0), RK_PAGES * SGX_PAGE_SIZE,
		      SGX_ATTR_MODE64BIT | pp->flags, SGX_XFRM_LEGACY);
	e->secs.miscselect = pp->miscselect;
	if (pp->flags & SGX_ATTR_KSS) {
		memset(e->secs.config_id, pp->config_id, sizeof(e->secs.config_id));
		e->secs.config_svn = pp->config_svn;
	}
	e->built = true;
	assert_int_equal(hwf_ecreate(t->f, &e->secs, e->secs_pa), SGX_SUCCESS);
	hwf_measure_ecreate(&m, e->secs.ssa_frame_size, e->secs.size);
	tcs->ossa = (uint64_t)PG_SSA * SGX_PAGE_SIZE;
	tcs->nssa = 2;
	tcs->oentry = (uint64_t)PG_DATA * SGX_PAGE_SIZE;
	rk_add(t, k, &m, PG_TCS, SECINFO_TCS, page);
	memset(page, 0, SGX_PAGE_SIZE);
	rk_add(t, k, &m, PG_SSA, SECINFO_RW, page);
	rk_add(t, k, &m, PG_SSA + 1, SECINFO_RW, page);
	for (unsigned int i = 0; i < PG_NDATA; i++) {
		memset(page, pp->fill + i, SGX_PAGE_SIZE);
		rk_add(t, k, &m, PG_DATA + i, SECINFO_RW, page);
	}
	/* Measure the first data page's contents: enclaves of other fills differ. */
	memset(page, pp->fill, SGX_PAGE_SIZE);
	assert_int_equal(hwf_eextend_page(t->f, e->secs_pa, pa_of(t, k, PG_DATA)), 0);
	hwf_measure_page(&m, (uint64_t)PG_DATA * SGX_PAGE_SIZE, page);
	memset(page, 0x77, SGX_PAGE_SIZE);
	rk_add(t, k, &m, PG_RO, SECINFO_R, page);
	hwf_measure_final(&m, e->mrenclave);
	free(page);
}

/* SIGSTRUCT for enclave (k) in t->sig, re-signed when it carries KSS identities. */
static void rk_sign(struct rk *t, unsigned int k, const struct rk_params *pp)
{
	struct rk_encl *e = &t->e[k];
	const struct crypto_rsa_key *key = pp->second_key ? t->key2 : t->key;
	struct sigstruct_params sp;
	uint8_t msg[SIGSTRUCT_MESSAGE_LEN];

	sigstruct_params_init_default(&sp);
	sp.date = 0x20240101;
	sp.isv_prod_id = pp->isv_prod_id;
	sp.isv_svn = pp->isv_svn;
	sp.attributes = e->secs.attributes;
	sp.miscselect = e->secs.miscselect;
	assert_int_equal(sigstruct_sign(&sp, e->mrenclave, key, t->sig), 0);
	if (pp->family_id || pp->ext_prod_id) {
		memset(t->sig->isv_family_id, pp->family_id, sizeof(t->sig->isv_family_id));
		memset(t->sig->isv_ext_prod_id, pp->ext_prod_id, sizeof(t->sig->isv_ext_prod_id));
		sigstruct_signed_message(t->sig, msg);
		assert_int_equal(crypto_rsa_sign(key, msg, sizeof(msg), t->sig->signature), 0);
		assert_int_equal(
		    crypto_rsa3072_q1q2(t->sig->modulus, t->sig->signature, t->sig->q1, t->sig->q2),
		    0);
	}
	mrsigner_of(key, e->mrsigner);
}

static int rk_einit(struct rk *t, unsigned int k)
{
	return hw_einit(t->f->cpu, hwf_la(t->sig), t->e[k].secs_pa, hwf_la(t->token));
}

/* A running enclave (k), its signer trusted through the LE hash MSRs (no token). */
static void rk_build(struct rk *t, unsigned int k, const struct rk_params *pp)
{
	rk_create(t, k, pp);
	rk_sign(t, k, pp);
	rk_trust(t, t->e[k].mrsigner);
	memset(t->token, 0, sizeof(*t->token));
	assert_int_equal(rk_einit(t, k), SGX_SUCCESS);
}

static void rk_build_default(struct rk *t, unsigned int k, uint8_t fill)
{
	struct rk_params pp;

	rk_params_default(&pp);
	pp.fill = fill;
	rk_build(t, k, &pp);
}

static int rk_setup(void **state)
{
	struct rk *t = calloc(1, sizeof(*t));
	struct hw_desc d;

	assert_non_null(t);
	hw_desc_init_default(&d);
	for (int i = 0; i < SGX_CPUSVN_SIZE; i++)
		d.cpusvn[i] = (uint8_t)(0x10 + i);
	t->f = hwf_new(&d);
	t->sig = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*t->sig));
	t->token = hwf_zalloc(512, sizeof(*t->token));
	t->ram = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &t->key, NULL, 0), 0);
	t->key2 = load_key2();
	rk_use_addr_space(t);
	rk_build_default(t, 0, 0x30);
	*state = t;
	return 0;
}

static int rk_teardown(void **state)
{
	struct rk *t = *state;

	if (t) {
		hwf_free(t->f);
		free(t->sig);
		free(t->token);
		free(t->ram);
		crypto_rsa_key_free(t->key);
		crypto_rsa_key_free(t->key2);
		free(t);
	}
	*state = NULL;
	return 0;
}

#define RK_TEST(fn)                                                                                \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? rk_setup : NULL,         \
		    vectors_present() ? rk_teardown : NULL, NULL                                   \
	}

/* ---------------------------------------------------------------------- */
/* inside an enclave                                                      */
/* ---------------------------------------------------------------------- */

/* Operand places inside every enclave: aligned as the leaves demand. */
#define TI_LA(k)  (la_of(k, PG_DATA))
#define RD_LA(k)  (la_of(k, PG_DATA) + 0x200)
#define OUT_LA(k) (la_of(k, PG_DATA) + 0x400)
#define KR_LA(k)  (la_of(k, PG_DATA + 1))
#define KEY_LA(k) (la_of(k, PG_DATA + 1) + 0x200)

static void rk_enter(struct rk *t, unsigned int k)
{
	uint32_t cssa = 0xdead;

	assert_int_equal(hw_eenter(t->f->cpu, la_of(k, PG_TCS), RK_AEP, &cssa), 0);
	assert_int_equal(cssa, 0);
}

static void rk_exit(struct rk *t)
{
	uint64_t aep = 0;

	assert_int_equal(hw_eexit(t->f->cpu, 0x400000, &aep), 0);
	assert_int_equal(aep, RK_AEP);
}

static void put(struct rk *t, uint64_t la, const void *buf, size_t len)
{
	assert_int_equal(hw_enclave_write(t->f->cpu, la, buf, len), 0);
}

static void get(struct rk *t, uint64_t la, void *buf, size_t len)
{
	assert_int_equal(hw_enclave_read(t->f->cpu, la, buf, len), 0);
}

/* TARGETINFO naming enclave (k) as the model knows it. */
static void ti_of(struct rk *t, unsigned int k, struct sgx_targetinfo *ti)
{
	struct hw_enclave_info en = hwf_enclave(t->f, t->e[k].secs_pa);

	memset(ti, 0, sizeof(*ti));
	memcpy(ti->mrenclave, en.mrenclave, sizeof(ti->mrenclave));
	ti->attributes = en.attributes;
	ti->miscselect = t->e[k].secs.miscselect;
	memcpy(ti->config_id, t->e[k].secs.config_id, sizeof(ti->config_id));
	ti->config_svn = t->e[k].secs.config_svn;
}

/* EREPORT inside enclave (k) with the usual operand places; the output read back. */
static int do_report(struct rk *t, unsigned int k, const struct sgx_targetinfo *ti,
		     const uint8_t rd[64], struct sgx_report *out)
{
	int r;

	put(t, TI_LA(k), ti, sizeof(*ti));
	put(t, RD_LA(k), rd, 64);
	r = hw_ereport(t->f->cpu, TI_LA(k), RD_LA(k), OUT_LA(k));
	get(t, OUT_LA(k), out, sizeof(*out));
	return r;
}

static void kr_init(struct sgx_keyrequest *kr, uint16_t name, uint16_t policy)
{
	memset(kr, 0, sizeof(*kr));
	kr->key_name = name;
	kr->key_policy = policy;
}

/* EGETKEY inside enclave (k); the output place starts as 0xee bytes. */
static int do_getkey(struct rk *t, unsigned int k, const struct sgx_keyrequest *kr, uint8_t key[16])
{
	uint8_t poison[16];
	int r;

	memset(poison, 0xee, sizeof(poison));
	put(t, KR_LA(k), kr, sizeof(*kr));
	put(t, KEY_LA(k), poison, sizeof(poison));
	r = hw_egetkey(t->f->cpu, KR_LA(k), KEY_LA(k));
	get(t, KEY_LA(k), key, 16);
	return r;
}

/* EGETKEY that must succeed, entering and leaving enclave (k) around it. */
static void key_of(struct rk *t, unsigned int k, const struct sgx_keyrequest *kr, uint8_t key[16])
{
	rk_enter(t, k);
	assert_int_equal(do_getkey(t, k, kr, key), SGX_SUCCESS);
	rk_exit(t);
}

static void seal_key(struct rk *t, unsigned int k, uint16_t policy, uint8_t key[16])
{
	struct sgx_keyrequest kr;

	kr_init(&kr, SGX_KEY_SEAL, policy);
	key_of(t, k, &kr, key);
}

static void assert_poison(const uint8_t key[16])
{
	for (int i = 0; i < 16; i++)
		assert_int_equal(key[i], 0xee);
}

static void report_data_init(uint8_t rd[64])
{
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(0xa0 + i);
}

/* Whether (rep) verifies with the REPORT key enclave (k) obtains for its KEYID. */
static bool verifies_in(struct rk *t, unsigned int k, const struct sgx_report *rep)
{
	struct sgx_keyrequest kr;
	uint8_t key[16], mac[16];

	kr_init(&kr, SGX_KEY_REPORT, 0);
	memcpy(kr.keyid, rep->keyid, sizeof(kr.keyid));
	key_of(t, k, &kr, key);
	assert_int_equal(crypto_aes_cmac(key, &rep->body, sizeof(rep->body), mac), 0);
	return !memcmp(mac, rep->mac, sizeof(mac));
}

/* A REPORT of enclave (from) for (ti); asserts success. */
static void report_for(struct rk *t, unsigned int from, const struct sgx_targetinfo *ti,
		       struct sgx_report *rep)
{
	uint8_t rd[64];

	report_data_init(rd);
	rk_enter(t, from);
	assert_int_equal(do_report(t, from, ti, rd, rep), SGX_SUCCESS);
	rk_exit(t);
}

/* ---------------------------------------------------------------------- */
/* EREPORT: contents and MAC                                              */
/* ---------------------------------------------------------------------- */

static void test_report_body(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	struct sgx_report rep;
	uint8_t rd[64], zero[64] = { 0 };
	const struct hw_desc *d = hw_processor_desc(t->f->p);

	ti_of(t, 0, &ti);
	report_data_init(rd);
	rk_enter(t, 0);
	assert_int_equal(do_report(t, 0, &ti, rd, &rep), SGX_SUCCESS);
	rk_exit(t);
	assert_memory_equal(rep.body.cpusvn, d->cpusvn, SGX_CPUSVN_SIZE);
	assert_int_equal(rep.body.miscselect, SGX_MISC_EXINFO);
	assert_int_equal(rep.body.attributes.flags,
			 SGX_ATTR_INIT | SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT);
	assert_int_equal(rep.body.attributes.xfrm, SGX_XFRM_LEGACY);
	assert_memory_equal(rep.body.mrenclave, t->e[0].mrenclave, 32);
	assert_memory_equal(rep.body.mrsigner, t->e[0].mrsigner, 32);
	assert_int_equal(rep.body.isv_prod_id, 0x1234);
	assert_int_equal(rep.body.isv_svn, 7);
	assert_int_equal(rep.body.config_svn, 0);
	assert_memory_equal(rep.body.report_data, rd, 64);
	assert_memory_equal(rep.body.config_id, zero, 64);
	assert_memory_equal(rep.body.isv_family_id, zero, 16);
	assert_memory_equal(rep.body.isv_ext_prod_id, zero, 16);
	assert_memory_equal(rep.body.reserved1, zero, sizeof(rep.body.reserved1));
	assert_memory_equal(rep.body.reserved2, zero, sizeof(rep.body.reserved2));
	assert_memory_equal(rep.body.reserved3, zero, sizeof(rep.body.reserved3));
	assert_memory_equal(rep.body.reserved4, zero, sizeof(rep.body.reserved4));
	assert_memory_not_equal(rep.keyid, zero, 32);
}

static void test_report_kss_identity(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	struct sgx_targetinfo ti;
	struct sgx_report rep;
	uint8_t cid[64], fam[16], ext[16];

	rk_params_default(&pp);
	pp.flags |= SGX_ATTR_KSS;
	pp.config_id = 0xc1;
	pp.config_svn = 3;
	pp.family_id = 0xf4;
	pp.ext_prod_id = 0xe5;
	pp.fill = 0x50;
	rk_build(t, 1, &pp);
	ti_of(t, 0, &ti);
	report_for(t, 1, &ti, &rep);
	memset(cid, 0xc1, sizeof(cid));
	memset(fam, 0xf4, sizeof(fam));
	memset(ext, 0xe5, sizeof(ext));
	assert_memory_equal(rep.body.config_id, cid, 64);
	assert_int_equal(rep.body.config_svn, 3);
	assert_memory_equal(rep.body.isv_family_id, fam, 16);
	assert_memory_equal(rep.body.isv_ext_prod_id, ext, 16);
	assert_int_equal(rep.body.attributes.flags,
			 SGX_ATTR_INIT | SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_KSS);
	assert_true(verifies_in(t, 0, &rep));
}

static void test_report_verifies_in_self(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	struct sgx_report rep;

	ti_of(t, 0, &ti);
	report_for(t, 0, &ti, &rep);
	assert_true(verifies_in(t, 0, &rep));
}

static void test_report_verifies_in_target_only(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	struct sgx_report rep;

	rk_build_default(t, 1, 0x40);
	assert_memory_not_equal(t->e[0].mrenclave, t->e[1].mrenclave, 32);
	/* Enclave 0 reports to enclave 1: only 1 can verify it. */
	ti_of(t, 1, &ti);
	report_for(t, 0, &ti, &rep);
	assert_memory_equal(rep.body.mrenclave, t->e[0].mrenclave, 32);
	assert_true(verifies_in(t, 1, &rep));
	assert_false(verifies_in(t, 0, &rep));
	/* And the other way round. */
	ti_of(t, 0, &ti);
	report_for(t, 1, &ti, &rep);
	assert_true(verifies_in(t, 0, &rep));
	assert_false(verifies_in(t, 1, &rep));
}

static void test_report_tampered_body(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	struct sgx_report rep;

	ti_of(t, 0, &ti);
	report_for(t, 0, &ti, &rep);
	rep.body.report_data[5] ^= 1;
	assert_false(verifies_in(t, 0, &rep));
	rep.body.report_data[5] ^= 1;
	rep.body.isv_svn++;
	assert_false(verifies_in(t, 0, &rep));
}

static void test_report_target_fields_bind(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti, good;
	struct sgx_report rep, ref;

	ti_of(t, 0, &good);
	report_for(t, 0, &good, &ref);
	/* MEASUREMENT, ATTRIBUTES and MISCSELECT of the target are all in the key. */
	ti = good;
	ti.mrenclave[0] ^= 0x80;
	report_for(t, 0, &ti, &rep);
	assert_memory_equal(&rep.body, &ref.body, sizeof(rep.body));
	assert_memory_not_equal(rep.mac, ref.mac, 16);
	assert_false(verifies_in(t, 0, &rep));
	ti = good;
	ti.attributes.flags &= ~SGX_ATTR_INIT;
	report_for(t, 0, &ti, &rep);
	assert_false(verifies_in(t, 0, &rep));
	ti = good;
	ti.miscselect = 0;
	report_for(t, 0, &ti, &rep);
	assert_false(verifies_in(t, 0, &rep));
	/* The same TARGETINFO gives the same MAC. */
	report_for(t, 0, &good, &rep);
	assert_memory_equal(rep.mac, ref.mac, 16);
}

static void test_report_keyid_per_boot(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	struct sgx_report before, again, after;
	struct sgx_keyrequest kr;
	uint8_t k_before[16], k_after[16];

	ti_of(t, 0, &ti);
	report_for(t, 0, &ti, &before);
	report_for(t, 0, &ti, &again);
	assert_memory_equal(before.keyid, again.keyid, 32);
	kr_init(&kr, SGX_KEY_REPORT, 0);
	memcpy(kr.keyid, before.keyid, 32);
	key_of(t, 0, &kr, k_before);

	hw_processor_reset(t->f->p);
	rk_build_default(t, 0, 0x30);
	report_for(t, 0, &ti, &after);
	/* A new boot, a new KEYID: the REPORT and its MAC change... */
	assert_memory_not_equal(before.keyid, after.keyid, 32);
	assert_memory_equal(&before.body, &after.body, sizeof(before.body));
	assert_memory_not_equal(before.mac, after.mac, 16);
	assert_true(verifies_in(t, 0, &after));
	/* ...while a key for a given KEYID is a function of the fused secrets only. */
	key_of(t, 0, &kr, k_after);
	assert_memory_equal(k_before, k_after, 16);
	assert_true(verifies_in(t, 0, &before));
}

static void test_report_register_interface(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	struct sgx_report rep;
	struct hw_regs regs = { .rax = SGX_EREPORT, .rflags = HW_RFLAGS_ZF };
	uint8_t rd[64];

	ti_of(t, 0, &ti);
	report_data_init(rd);
	/* Outside an enclave, EREPORT is #GP. */
	regs.rbx = TI_LA(0), regs.rcx = RD_LA(0), regs.rdx = OUT_LA(0);
	assert_gp(t->f, hw_enclu(t->f->cpu, &regs));
	rk_enter(t, 0);
	put(t, TI_LA(0), &ti, sizeof(ti));
	put(t, RD_LA(0), rd, sizeof(rd));
	assert_int_equal(hw_enclu(t->f->cpu, &regs), SGX_SUCCESS);
	/* EREPORT affects no flags and leaves RAX alone (SDM: "Flags Affected: None"). */
	assert_int_equal(regs.rax, SGX_EREPORT);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	get(t, OUT_LA(0), &rep, sizeof(rep));
	rk_exit(t);
	assert_memory_equal(rep.body.report_data, rd, 64);
	assert_true(verifies_in(t, 0, &rep));
}

/* ---------------------------------------------------------------------- */
/* EREPORT: faults in the pseudocode's order                              */
/* ---------------------------------------------------------------------- */

static void assert_pf_code(struct rk *t, int r, uint64_t addr, uint32_t code)
{
	assert_pf(t->f, r, addr);
	assert_int_equal(hw_cpu_fault(t->f->cpu)->error_code, code);
}

/* EREPORT with raw operand addresses, inside enclave 0 with a valid TARGETINFO in place. */
static int report_raw(struct rk *t, uint64_t ti, uint64_t rd, uint64_t out)
{
	return hw_ereport(t->f->cpu, ti, rd, out);
}

static void report_prepare(struct rk *t)
{
	struct sgx_targetinfo ti;
	uint8_t rd[64], fill[512];

	ti_of(t, 0, &ti);
	report_data_init(rd);
	memset(fill, 0xcc, sizeof(fill));
	rk_enter(t, 0);
	put(t, TI_LA(0), &ti, sizeof(ti));
	put(t, RD_LA(0), rd, sizeof(rd));
	put(t, OUT_LA(0), fill, sizeof(fill));
}

/* The output place still holds what report_prepare() left. */
static void assert_report_untouched(struct rk *t)
{
	uint8_t buf[512];

	get(t, OUT_LA(0), buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xcc);
}

static void test_report_writes_432_bytes(void **state)
{
	struct rk *t = *state;
	uint8_t buf[512];
	struct sgx_report rep;

	report_prepare(t);
	assert_int_equal(report_raw(t, TI_LA(0), RD_LA(0), OUT_LA(0)), SGX_SUCCESS);
	get(t, OUT_LA(0), buf, sizeof(buf));
	rk_exit(t);
	/* REPORT is 432 bytes: the rest of its 512-byte slot is left alone. */
	for (size_t i = sizeof(rep); i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xcc);
	memcpy(&rep, buf, sizeof(rep));
	assert_memory_equal(rep.body.mrenclave, t->e[0].mrenclave, 32);
	assert_true(verifies_in(t, 0, &rep));
}

static void test_report_outside(void **state)
{
	struct rk *t = *state;

	assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0), OUT_LA(0)));
	rk_enter(t, 0);
	rk_exit(t);
	assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0), OUT_LA(0)));
}

static void test_report_misaligned(void **state)
{
	struct rk *t = *state;

	report_prepare(t);
	assert_gp(t->f, report_raw(t, TI_LA(0) + 256, RD_LA(0), OUT_LA(0)));
	assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0) + 64, OUT_LA(0)));
	assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0), OUT_LA(0) + 128));
	assert_report_untouched(t);
	rk_exit(t);
}

static void test_report_outside_elrange(void **state)
{
	struct rk *t = *state;
	uint64_t host = hwf_la(t->f->host);

	report_prepare(t);
	assert_gp(t->f, report_raw(t, host, RD_LA(0), OUT_LA(0)));
	assert_gp(t->f, report_raw(t, TI_LA(0), host + 128, OUT_LA(0)));
	assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0), host + 512));
	/* Another enclave's ELRANGE is outside this one's. */
	assert_gp(t->f, report_raw(t, la_of(1, PG_DATA), RD_LA(0), OUT_LA(0)));
	assert_report_untouched(t);
	rk_exit(t);
}

static void test_report_page_faults(void **state)
{
	struct rk *t = *state;
	uint64_t hole = la_of(0, PG_HOLE), tcs = la_of(0, PG_TCS), ram = la_of(0, PG_NOTEPC);

	report_prepare(t);
	/* Not mapped: a plain not-present #PF. */
	assert_pf_code(t, report_raw(t, hole, RD_LA(0), OUT_LA(0)), hole, 0);
	assert_pf_code(t, report_raw(t, TI_LA(0), hole + 128, OUT_LA(0)), hole + 128, 0);
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), hole + 512), hole + 512, X86_PF_WRITE);
	/* Mapped outside the EPC, or to an EPC page that is not one of ours. */
	assert_pf_code(t, report_raw(t, ram, RD_LA(0), OUT_LA(0)), ram, PF_R);
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), ram + 512), ram + 512, PF_W);
	assert_pf_code(t, report_raw(t, tcs, RD_LA(0), OUT_LA(0)), tcs, PF_R);
	assert_pf_code(t, report_raw(t, TI_LA(0), tcs + 128, OUT_LA(0)), tcs + 128, PF_R);
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), tcs + 512), tcs + 512, PF_W);
	assert_report_untouched(t);
	rk_exit(t);
}

static void test_report_alien_page(void **state)
{
	struct rk *t = *state;
	uint64_t alien = la_of(0, PG_ALIEN);
	uint8_t b[8];

	/* ELRANGE page mapped to a page of enclave 1: ENCLAVESECS differs. */
	rk_build_default(t, 1, 0x40);
	report_prepare(t);
	assert_pf_code(t, report_raw(t, alien, RD_LA(0), OUT_LA(0)), alien, PF_R);
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), alien), alien, PF_W);
	rk_exit(t);
	/* Enclave 1's page was not written. */
	rk_enter(t, 1);
	get(t, la_of(1, PG_DATA), b, sizeof(b));
	rk_exit(t);
	assert_int_equal(b[0], 0x40);
}

static void test_report_output_read_only(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	uint64_t ro = la_of(0, PG_RO);

	/* A readable page serves as input, not as output. */
	ti_of(t, 0, &ti);
	report_prepare(t);
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), ro), ro, PF_W);
	assert_int_equal(report_raw(t, TI_LA(0), ro + 128, OUT_LA(0)), SGX_SUCCESS);
	rk_exit(t);
}

static void test_report_pending_operand(void **state)
{
	struct rk *t = *state;
	uint64_t idx, d2 = la_of(0, PG_DATA + 2);
	struct hw_epcm_entry *e;

	/* As EAUG leaves a page: PENDING until the enclave accepts it. */
	assert_true(epcm_index(t->f->p, pa_of(t, 0, PG_DATA + 2), &idx));
	e = epcm_entry(t->f->p, idx);
	assert_true(epcm_trylock(e));
	e->flags |= EPCM_PENDING;
	epcm_unlock(e);
	report_prepare(t);
	assert_pf_code(t, report_raw(t, d2, RD_LA(0), OUT_LA(0)), d2, PF_R);
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), d2), d2, PF_W);
	rk_exit(t);
}

static void test_report_targetinfo_reserved(void **state)
{
	struct rk *t = *state;
	struct sgx_targetinfo ti;
	static const size_t offs[] = { 48, 49, 56, 63, 128, 511 };

	report_prepare(t);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		ti_of(t, 0, &ti);
		((uint8_t *)&ti)[offs[i]] = 1;
		put(t, TI_LA(0), &ti, sizeof(ti));
		assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0), OUT_LA(0)));
	}
	/* Checked right after TARGETINFO's page: before REPORTDATA's faults. */
	assert_gp(t->f, report_raw(t, TI_LA(0), la_of(0, PG_HOLE), OUT_LA(0)));
	assert_report_untouched(t);
	rk_exit(t);
}

static void test_report_operand_order(void **state)
{
	struct rk *t = *state;
	uint64_t hole = la_of(0, PG_HOLE), tcs = la_of(0, PG_TCS);

	report_prepare(t);
	/* TARGETINFO, then REPORTDATA, then the output, each fully checked first. */
	assert_pf_code(t, report_raw(t, hole, RD_LA(0) + 1, OUT_LA(0) + 1), hole, 0);
	assert_pf_code(t, report_raw(t, TI_LA(0), tcs, OUT_LA(0) + 1), tcs, PF_R);
	assert_gp(t->f, report_raw(t, TI_LA(0), RD_LA(0) + 8, hole));
	assert_pf_code(t, report_raw(t, TI_LA(0), RD_LA(0), hole), hole, X86_PF_WRITE);
	assert_report_untouched(t);
	rk_exit(t);
}

/* ---------------------------------------------------------------------- */
/* EGETKEY: faults                                                        */
/* ---------------------------------------------------------------------- */

static void getkey_prepare(struct rk *t, const struct sgx_keyrequest *kr)
{
	uint8_t poison[16];

	memset(poison, 0xee, sizeof(poison));
	rk_enter(t, 0);
	put(t, KR_LA(0), kr, sizeof(*kr));
	put(t, KEY_LA(0), poison, sizeof(poison));
}

static void getkey_finish_untouched(struct rk *t)
{
	uint8_t key[16];

	get(t, KEY_LA(0), key, sizeof(key));
	rk_exit(t);
	assert_poison(key);
}

static void test_getkey_outside(void **state)
{
	struct rk *t = *state;
	struct hw_regs regs = { .rax = SGX_EGETKEY, .rbx = KR_LA(0), .rcx = KEY_LA(0) };

	assert_gp(t->f, hw_egetkey(t->f->cpu, KR_LA(0), KEY_LA(0)));
	assert_gp(t->f, hw_enclu(t->f->cpu, &regs));
}

static void test_getkey_operand_faults(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint64_t hole = la_of(0, PG_HOLE), ro = la_of(0, PG_RO), tcs = la_of(0, PG_TCS);
	uint64_t host = hwf_la(t->f->host);
	struct hw_cpu *c;

	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
	getkey_prepare(t, &kr);
	c = t->f->cpu;
	assert_gp(t->f, hw_egetkey(c, KR_LA(0) + 256, KEY_LA(0)));
	assert_gp(t->f, hw_egetkey(c, KR_LA(0), KEY_LA(0) + 8));
	assert_gp(t->f, hw_egetkey(c, host, KEY_LA(0)));
	assert_gp(t->f, hw_egetkey(c, KR_LA(0), host + 16));
	assert_pf_code(t, hw_egetkey(c, hole, KEY_LA(0)), hole, 0);
	assert_pf_code(t, hw_egetkey(c, tcs, KEY_LA(0)), tcs, PF_R);
	assert_pf_code(t, hw_egetkey(c, KR_LA(0), hole + 16), hole + 16, X86_PF_WRITE);
	assert_pf_code(t, hw_egetkey(c, KR_LA(0), ro + 16), ro + 16, PF_W);
	assert_pf_code(t, hw_egetkey(c, KR_LA(0), tcs), tcs, PF_W);
	/* KEYREQUEST's faults come before the output's. */
	assert_pf_code(t, hw_egetkey(c, hole, KEY_LA(0) + 1), hole, 0);
	/*
	 * A read-only page passes as KEYREQUEST: its 0x77 bytes then fail the
	 * reserved-field check.
	 */
	assert_gp(t->f, hw_egetkey(c, ro, KEY_LA(0)));
	getkey_finish_untouched(t);
}

static void test_getkey_reserved(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	static const size_t offs[] = { 6, 7, 78, 300, 511 };

	kr_init(&kr, SGX_KEY_SEAL, 0);
	getkey_prepare(t, &kr);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
		((uint8_t *)&kr)[offs[i]] = 0x10;
		put(t, KR_LA(0), &kr, sizeof(kr));
		assert_gp(t->f, hw_egetkey(t->f->cpu, KR_LA(0), KEY_LA(0)));
	}
	/* KEYPOLICY bits 15:6 are reserved. */
	for (unsigned int bit = 6; bit < 16; bit++) {
		kr_init(&kr, SGX_KEY_SEAL, (uint16_t)(1u << bit));
		put(t, KR_LA(0), &kr, sizeof(kr));
		assert_gp(t->f, hw_egetkey(t->f->cpu, KR_LA(0), KEY_LA(0)));
	}
	/* Checked after the output operand's faults. */
	assert_pf_code(t, hw_egetkey(t->f->cpu, KR_LA(0), la_of(0, PG_HOLE)), la_of(0, PG_HOLE),
		       X86_PF_WRITE);
	getkey_finish_untouched(t);
}

static void test_getkey_kss_bits_need_kss(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	static const uint16_t bits[] = { SGX_KEYPOLICY_NOISVPRODID, SGX_KEYPOLICY_CONFIGID,
					 SGX_KEYPOLICY_ISVFAMILYID, SGX_KEYPOLICY_ISVEXTPRODID };

	kr_init(&kr, SGX_KEY_SEAL, 0);
	getkey_prepare(t, &kr);
	for (size_t i = 0; i < 4; i++) {
		kr_init(&kr, SGX_KEY_SEAL, bits[i]);
		put(t, KR_LA(0), &kr, sizeof(kr));
		assert_gp(t->f, hw_egetkey(t->f->cpu, KR_LA(0), KEY_LA(0)));
	}
	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
	kr.config_svn = 1;
	put(t, KR_LA(0), &kr, sizeof(kr));
	assert_gp(t->f, hw_egetkey(t->f->cpu, KR_LA(0), KEY_LA(0)));
	/* Before the key name is looked at. */
	kr.key_name = 77;
	put(t, KR_LA(0), &kr, sizeof(kr));
	assert_gp(t->f, hw_egetkey(t->f->cpu, KR_LA(0), KEY_LA(0)));
	getkey_finish_untouched(t);
}

/* ---------------------------------------------------------------------- */
/* EGETKEY: return codes                                                  */
/* ---------------------------------------------------------------------- */

static void test_getkey_writes_16_bytes(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t buf[48], want[16];

	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, want);
	/* Past the KEYREQUEST: its own reserved bytes must stay zero. */
	memset(buf, 0xcc, sizeof(buf));
	rk_enter(t, 0);
	put(t, KR_LA(0), &kr, sizeof(kr));
	put(t, KR_LA(0) + 0x3f0, buf, sizeof(buf));
	assert_int_equal(hw_egetkey(t->f->cpu, KR_LA(0), KR_LA(0) + 0x400), SGX_SUCCESS);
	get(t, KR_LA(0) + 0x3f0, buf, sizeof(buf));
	rk_exit(t);
	assert_memory_equal(buf + 16, want, 16);
	for (size_t i = 0; i < 16; i++) {
		assert_int_equal(buf[i], 0xcc);
		assert_int_equal(buf[32 + i], 0xcc);
	}
}

static void test_getkey_invalid_keyname(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t key[16];
	static const uint16_t names[] = { 5, 6, 0x100, 0xffff };

	rk_enter(t, 0);
	for (size_t i = 0; i < 4; i++) {
		kr_init(&kr, names[i], 0);
		assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_KEYNAME);
		assert_poison(key);
	}
	rk_exit(t);
}

static void test_getkey_register_interface(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	struct hw_regs regs = { .rax = SGX_EGETKEY, .rbx = KR_LA(0), .rcx = KEY_LA(0) };
	uint8_t key[16], want[16];

	kr_init(&kr, 9, 0);
	getkey_prepare(t, &kr);
	assert_int_equal(hw_enclu(t->f->cpu, &regs), SGX_INVALID_KEYNAME);
	assert_int_equal(regs.rax, SGX_INVALID_KEYNAME);
	assert_int_equal(regs.rflags & HW_RFLAGS_ZF, HW_RFLAGS_ZF);
	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRSIGNER);
	put(t, KR_LA(0), &kr, sizeof(kr));
	regs.rax = SGX_EGETKEY;
	assert_int_equal(hw_enclu(t->f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags & HW_RFLAGS_ZF, 0);
	get(t, KEY_LA(0), key, 16);
	rk_exit(t);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, want);
	assert_memory_equal(key, want, 16);
}

static void test_seal_isvsvn(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t k7[16], k3[16], key[16];

	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRSIGNER);
	kr.isv_svn = 7;
	key_of(t, 0, &kr, k7);
	kr.isv_svn = 3;
	key_of(t, 0, &kr, k3);
	assert_memory_not_equal(k7, k3, 16);
	rk_enter(t, 0);
	kr.isv_svn = 8;
	assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_ISVSVN);
	assert_poison(key);
	kr.isv_svn = 0xffff;
	assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_ISVSVN);
	assert_poison(key);
	rk_exit(t);
}

static void test_seal_cpusvn(void **state)
{
	struct rk *t = *state;
	const struct hw_desc *d = hw_processor_desc(t->f->p);
	struct sgx_keyrequest kr;
	uint8_t cur[16], older[16], key[16];

	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
	memcpy(kr.cpusvn, d->cpusvn, 16);
	key_of(t, 0, &kr, cur);
	kr.cpusvn[15]--;
	key_of(t, 0, &kr, older);
	assert_memory_not_equal(cur, older, 16);
	rk_enter(t, 0);
	/* One newer component is enough, even with the others older. */
	memset(kr.cpusvn, 0, 16);
	kr.cpusvn[4] = (uint8_t)(d->cpusvn[4] + 1);
	assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_CPUSVN);
	assert_poison(key);
	/* CPUSVN is checked before ISVSVN. */
	kr.isv_svn = 100;
	assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_CPUSVN);
	rk_exit(t);
}

static const char *hex16(const uint8_t *b)
{
	static char out[33];

	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return out;
}

static void test_seal_same_enclave_same_key(void **state)
{
	struct rk *t = *state;
	struct hw_cpu *cpu0 = t->f->cpu;
	uint8_t a[16], b[16], s[16], zero[16] = { 0 };

	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, a);
	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, b);
	assert_memory_equal(a, b, 16);
	assert_memory_not_equal(a, zero, 16);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, s);
	assert_memory_not_equal(a, s, 16);
	/* Another CPU of the same package derives the same key. */
	t->f->cpu = hw_processor_cpu(t->f->p, 2);
	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, b);
	t->f->cpu = cpu0;
	assert_memory_equal(a, b, 16);
}

/*
 * The key's exact bytes on the fixture's part: the derivation (KEYDEPENDENCIES
 * packed, CMAC under the fuse key) is the model's contract with every sealed
 * blob and token it made, so a faster CMAC must give the same 16 bytes. The
 * values were taken from the implementation on OpenSSL's EVP CMAC.
 */
static void test_seal_key_value(void **state)
{
	struct rk *t = *state;
	uint8_t key[16];

	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, key);
	assert_string_equal(hex16(key), "e4dbaee69795a22a1563a0ce5bc047ad");
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, key);
	assert_string_equal(hex16(key), "ada16c7e5c10a4abfad9d83e780b685d");
}

static void test_seal_policy_between_enclaves(void **state)
{
	struct rk *t = *state;
	uint8_t e0[16], e1[16], s0[16], s1[16];

	rk_build_default(t, 1, 0x40);
	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, e0);
	seal_key(t, 1, SGX_KEYPOLICY_MRENCLAVE, e1);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, s0);
	seal_key(t, 1, SGX_KEYPOLICY_MRSIGNER, s1);
	/* Same signer, product and SVN: MRSIGNER keys are shared, MRENCLAVE keys not. */
	assert_memory_equal(s0, s1, 16);
	assert_memory_not_equal(e0, e1, 16);
}

static void test_seal_other_signer(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	uint8_t s0[16], s1[16];

	rk_params_default(&pp);
	pp.second_key = true;
	rk_build(t, 1, &pp);
	/* Same contents, another signer. */
	assert_memory_equal(t->e[0].mrenclave, t->e[1].mrenclave, 32);
	assert_memory_not_equal(t->e[0].mrsigner, t->e[1].mrsigner, 32);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, s0);
	seal_key(t, 1, SGX_KEYPOLICY_MRSIGNER, s1);
	assert_memory_not_equal(s0, s1, 16);
}

static void test_seal_other_product(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	uint8_t s0[16], s1[16];

	rk_params_default(&pp);
	pp.isv_prod_id = 0x4321;
	pp.fill = 0x40;
	rk_build(t, 1, &pp);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, s0);
	seal_key(t, 1, SGX_KEYPOLICY_MRSIGNER, s1);
	assert_memory_not_equal(s0, s1, 16);
}

static void test_seal_survives_reset(void **state)
{
	struct rk *t = *state;
	uint8_t before[16], after[16], sig_before[16], sig_after[16];

	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, before);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, sig_before);
	hw_processor_reset(t->f->p);
	rk_build_default(t, 0, 0x30);
	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, after);
	seal_key(t, 0, SGX_KEYPOLICY_MRSIGNER, sig_after);
	assert_memory_equal(before, after, 16);
	assert_memory_equal(sig_before, sig_after, 16);
}

static void test_seal_other_part(void **state)
{
	struct rk *t = *state;
	struct hw_desc d = *hw_processor_desc(t->f->p);
	uint8_t a[16], b[16];

	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, a);
	/* Another part (other fused secrets) seals the same enclave differently. */
	d.seed ^= 0x5a5a;
	hwf_repower(t->f, &d);
	rk_use_addr_space(t);
	rk_build_default(t, 0, 0x30);
	seal_key(t, 0, SGX_KEYPOLICY_MRENCLAVE, b);
	assert_memory_not_equal(a, b, 16);
}

static void test_seal_attribute_mask(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t none[16], debug[16], mode64[16], xfrm[16];

	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
	key_of(t, 0, &kr, none);
	/* INIT and DEBUG are always bound: asking for them changes only the mask field. */
	kr.attribute_mask.flags = SGX_ATTR_DEBUG;
	key_of(t, 0, &kr, debug);
	assert_memory_not_equal(none, debug, 16);
	kr.attribute_mask.flags = SGX_ATTR_MODE64BIT;
	key_of(t, 0, &kr, mode64);
	assert_memory_not_equal(none, mode64, 16);
	assert_memory_not_equal(debug, mode64, 16);
	kr.attribute_mask.flags = 0;
	kr.attribute_mask.xfrm = SGX_XFRM_LEGACY;
	key_of(t, 0, &kr, xfrm);
	assert_memory_not_equal(none, xfrm, 16);
}

static void test_seal_debug_bound(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	struct sgx_keyrequest kr;
	uint8_t dbg[16], prod[16];

	/* The same enclave built without DEBUG cannot unseal its debug twin's data. */
	rk_params_default(&pp);
	pp.flags = 0;
	rk_build(t, 1, &pp);
	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRSIGNER);
	key_of(t, 0, &kr, dbg);
	key_of(t, 1, &kr, prod);
	assert_memory_not_equal(dbg, prod, 16);
}

static void test_seal_misc_and_keyid(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t base[16], misc[16], keyid[16], again[16];

	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRENCLAVE);
	key_of(t, 0, &kr, base);
	kr.misc_mask = SGX_MISC_EXINFO;
	key_of(t, 0, &kr, misc);
	assert_memory_not_equal(base, misc, 16);
	kr.misc_mask = 0;
	kr.keyid[31] = 1;
	key_of(t, 0, &kr, keyid);
	assert_memory_not_equal(base, keyid, 16);
	kr.keyid[31] = 0;
	key_of(t, 0, &kr, again);
	assert_memory_equal(base, again, 16);
}

static void test_seal_miscmask_bound(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	struct sgx_keyrequest kr;
	uint8_t a[16], b[16];

	/* MISCSELECT 0: the masked MISCSELECT is 0 either way, yet MISCMASK is in the key. */
	rk_params_default(&pp);
	pp.miscselect = 0;
	pp.fill = 0x40;
	rk_build(t, 1, &pp);
	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRSIGNER);
	key_of(t, 1, &kr, a);
	kr.misc_mask = SGX_MISC_EXINFO;
	key_of(t, 1, &kr, b);
	assert_memory_not_equal(a, b, 16);
}

/* ---------------------------------------------------------------------- */
/* KSS                                                                    */
/* ---------------------------------------------------------------------- */

static void build_kss(struct rk *t, unsigned int k, uint8_t family)
{
	struct rk_params pp;

	rk_params_default(&pp);
	pp.flags |= SGX_ATTR_KSS;
	pp.config_id = 0xc1;
	pp.config_svn = 3;
	pp.family_id = family;
	pp.ext_prod_id = 0xe5;
	pp.fill = (uint8_t)(0x50 + k);
	rk_build(t, k, &pp);
}

static void test_kss_config_svn(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t k3[16], k2[16], key[16];

	build_kss(t, 1, 0xf4);
	kr_init(&kr, SGX_KEY_SEAL, SGX_KEYPOLICY_MRSIGNER | SGX_KEYPOLICY_CONFIGID);
	kr.config_svn = 3;
	key_of(t, 1, &kr, k3);
	kr.config_svn = 2;
	key_of(t, 1, &kr, k2);
	assert_memory_not_equal(k3, k2, 16);
	rk_enter(t, 1);
	kr.config_svn = 4;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_ISVSVN);
	assert_poison(key);
	/* Even when CONFIGID is not part of the key. */
	kr.key_policy = SGX_KEYPOLICY_MRSIGNER;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_ISVSVN);
	rk_exit(t);
}

static void test_kss_policies(void **state)
{
	struct rk *t = *state;
	static const uint16_t kss[] = { SGX_KEYPOLICY_NOISVPRODID, SGX_KEYPOLICY_CONFIGID,
					SGX_KEYPOLICY_ISVFAMILYID, SGX_KEYPOLICY_ISVEXTPRODID };
	uint8_t base[16], key[4][16];

	build_kss(t, 1, 0xf4);
	seal_key(t, 1, SGX_KEYPOLICY_MRSIGNER, base);
	for (size_t i = 0; i < 4; i++) {
		seal_key(t, 1, SGX_KEYPOLICY_MRSIGNER | kss[i], key[i]);
		assert_memory_not_equal(base, key[i], 16);
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(key[i], key[j], 16);
	}
}

static void test_kss_family_shared(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	uint16_t pol =
	    SGX_KEYPOLICY_MRSIGNER | SGX_KEYPOLICY_ISVFAMILYID | SGX_KEYPOLICY_NOISVPRODID;
	uint8_t a[16], b[16], c[16];

	/* Two products of one family share ISVFAMILYID keys when ISVPRODID is left out. */
	build_kss(t, 1, 0xf4);
	rk_params_default(&pp);
	pp.flags |= SGX_ATTR_KSS;
	pp.config_id = 0xc1;
	pp.config_svn = 3;
	pp.family_id = 0xf4;
	pp.ext_prod_id = 0xe5;
	pp.isv_prod_id = 0x9999;
	pp.fill = 0x60;
	rk_build(t, 2, &pp);
	seal_key(t, 1, pol, a);
	seal_key(t, 2, pol, b);
	assert_memory_equal(a, b, 16);
	seal_key(t, 1, SGX_KEYPOLICY_MRSIGNER | SGX_KEYPOLICY_ISVFAMILYID, a);
	seal_key(t, 2, SGX_KEYPOLICY_MRSIGNER | SGX_KEYPOLICY_ISVFAMILYID, c);
	assert_memory_not_equal(a, c, 16);
	/* Another family: the same policy gives another key. */
	pp.family_id = 0xf5;
	rk_build(t, 3, &pp);
	seal_key(t, 3, pol, c);
	assert_memory_not_equal(b, c, 16);
}

/* ---------------------------------------------------------------------- */
/* provisioning and launch keys                                           */
/* ---------------------------------------------------------------------- */

static void test_privileged_keys_need_attributes(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t key[16];
	static const uint16_t names[] = { SGX_KEY_EINITTOKEN, SGX_KEY_PROVISION,
					  SGX_KEY_PROVISION_SEAL };

	rk_enter(t, 0);
	for (size_t i = 0; i < 3; i++) {
		kr_init(&kr, names[i], 0);
		assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_ATTRIBUTE);
		assert_poison(key);
		/* The attribute check comes before the SVN checks. */
		kr.isv_svn = 100;
		memset(kr.cpusvn, 0xff, 16);
		assert_int_equal(do_getkey(t, 0, &kr, key), SGX_INVALID_ATTRIBUTE);
		assert_poison(key);
	}
	rk_exit(t);
}

static void build_provisioner(struct rk *t, unsigned int k, uint8_t fill)
{
	struct rk_params pp;

	rk_params_default(&pp);
	pp.flags |= SGX_ATTR_PROVISIONKEY;
	pp.fill = fill;
	rk_build(t, k, &pp);
}

static void test_provision_keys(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t p1[16], p2[16], ps1[16], ps2[16], key[16];

	build_provisioner(t, 1, 0x40);
	build_provisioner(t, 2, 0x41);
	/* Bound to the signer, not to MRENCLAVE nor to KEYID. */
	kr_init(&kr, SGX_KEY_PROVISION, 0);
	key_of(t, 1, &kr, p1);
	kr.keyid[0] = 9;
	key_of(t, 2, &kr, p2);
	assert_memory_equal(p1, p2, 16);
	kr_init(&kr, SGX_KEY_PROVISION_SEAL, 0);
	key_of(t, 1, &kr, ps1);
	key_of(t, 2, &kr, ps2);
	assert_memory_equal(ps1, ps2, 16);
	assert_memory_not_equal(p1, ps1, 16);
	rk_enter(t, 1);
	kr_init(&kr, SGX_KEY_PROVISION, 0);
	kr.isv_svn = 8;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_ISVSVN);
	kr.isv_svn = 0;
	kr.cpusvn[0] = 0xff;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_CPUSVN);
	kr_init(&kr, SGX_KEY_PROVISION_SEAL, 0);
	kr.isv_svn = 8;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_ISVSVN);
	assert_poison(key);
	rk_exit(t);
}

static void test_provision_seal_config_svn(void **state)
{
	struct rk *t = *state;
	struct rk_params pp;
	struct sgx_keyrequest kr;
	uint8_t key[16];

	rk_params_default(&pp);
	pp.flags |= SGX_ATTR_PROVISIONKEY | SGX_ATTR_KSS;
	pp.config_svn = 3;
	pp.fill = 0x40;
	rk_build(t, 1, &pp);
	rk_enter(t, 1);
	kr_init(&kr, SGX_KEY_PROVISION_SEAL, SGX_KEYPOLICY_CONFIGID);
	kr.config_svn = 3;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_SUCCESS);
	kr.config_svn = 4;
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_ISVSVN);
	assert_poison(key);
	rk_exit(t);
}

/* A launch enclave (k): EINITTOKENKEY, signed by the trusted LE key, production. */
static void build_le(struct rk *t, unsigned int k)
{
	struct rk_params pp;

	rk_params_default(&pp);
	pp.flags = SGX_ATTR_EINITTOKENKEY;
	pp.miscselect = 0;
	pp.isv_prod_id = 0x20;
	pp.isv_svn = 2;
	pp.fill = 0x70;
	rk_build(t, k, &pp);
}

/* The token the LE (le) issues for enclave (k): it asks EGETKEY for the key it MACs with. */
static void le_mint(struct rk *t, unsigned int le, unsigned int k, const uint8_t keyid[32])
{
	const struct hw_desc *d = hw_processor_desc(t->f->p);
	struct hw_enclave_info li = hwf_enclave(t->f, t->e[le].secs_pa);
	struct sgx_einittoken *tok = t->token;
	struct sgx_keyrequest kr;
	uint8_t key[16];

	kr_init(&kr, SGX_KEY_EINITTOKEN, 0);
	memcpy(kr.cpusvn, d->cpusvn, 16);
	kr.isv_svn = 1;
	kr.attribute_mask.flags = ~0ULL;
	kr.attribute_mask.xfrm = ~0ULL;
	kr.misc_mask = ~0u;
	memcpy(kr.keyid, keyid, 32);
	key_of(t, le, &kr, key);

	memset(tok, 0, sizeof(*tok));
	tok->valid = SGX_EINITTOKEN_VALID;
	tok->attributes = t->e[k].secs.attributes;
	memcpy(tok->mrenclave, t->e[k].mrenclave, 32);
	memcpy(tok->mrsigner, t->e[k].mrsigner, 32);
	memcpy(tok->cpusvn_le, d->cpusvn, 16);
	tok->isv_prod_id_le = li.isv_prod_id;
	tok->isv_svn_le = 1;
	tok->masked_miscselect_le = t->e[le].secs.miscselect;
	tok->masked_attributes_le = li.attributes;
	memcpy(tok->keyid, keyid, 32);
	assert_int_equal(crypto_aes_cmac(key, tok, SGX_EINITTOKEN_MACED_LEN, tok->mac), 0);
}

/* Enclave (k), signed by the second key, ready for EINIT: the LE hash MSRs stay the LE's. */
static void create_launchee(struct rk *t, unsigned int k)
{
	struct rk_params pp;

	rk_params_default(&pp);
	pp.flags = 0;
	pp.second_key = true;
	pp.fill = 0x10;
	rk_create(t, k, &pp);
	rk_sign(t, k, &pp);
}

static void test_le_token_accepted(void **state)
{
	struct rk *t = *state;
	uint8_t keyid[32];
	struct sgx_targetinfo ti;
	struct sgx_report rep;

	build_le(t, 1);
	create_launchee(t, 2);
	/* Without a token, a signer other than the LE hash is refused. */
	memset(t->token, 0, sizeof(*t->token));
	assert_int_equal(rk_einit(t, 2), SGX_INVALID_EINITTOKEN);
	memset(keyid, 0x3c, sizeof(keyid));
	le_mint(t, 1, 2, keyid);
	assert_int_equal(rk_einit(t, 2), SGX_SUCCESS);
	assert_true(hwf_enclave(t->f, t->e[2].secs_pa).initialized);
	/* And it runs: it can report to the LE. */
	ti_of(t, 1, &ti);
	report_for(t, 2, &ti, &rep);
	assert_memory_equal(rep.body.mrsigner, t->e[2].mrsigner, 32);
	assert_true(verifies_in(t, 1, &rep));
}

static void test_le_token_wrong_keyid(void **state)
{
	struct rk *t = *state;
	uint8_t keyid[32];

	build_le(t, 1);
	create_launchee(t, 2);
	memset(keyid, 0x3c, sizeof(keyid));
	le_mint(t, 1, 2, keyid);
	/* The KEYID in the token is not the one the key was derived for. */
	t->token->keyid[0] ^= 1;
	assert_int_equal(rk_einit(t, 2), SGX_INVALID_EINITTOKEN);
	t->token->keyid[0] ^= 1;
	assert_int_equal(rk_einit(t, 2), SGX_SUCCESS);
}

static void test_le_key_needs_le_signer(void **state)
{
	struct rk *t = *state;
	uint8_t keyid[32] = { 0 }, other[32];

	build_le(t, 1);
	create_launchee(t, 2);
	le_mint(t, 1, 2, keyid);
	/*
	 * The EINITTOKEN key binds the LE's MRSIGNER, EINIT checks with the
	 * LE hash MSRs: once they name another signer, the LE's tokens fail.
	 */
	memset(other, 0x99, sizeof(other));
	rk_trust(t, other);
	assert_int_equal(rk_einit(t, 2), SGX_INVALID_EINITTOKEN);
	rk_trust(t, t->e[1].mrsigner);
	assert_int_equal(rk_einit(t, 2), SGX_SUCCESS);
}

static void test_einittoken_key_svns(void **state)
{
	struct rk *t = *state;
	struct sgx_keyrequest kr;
	uint8_t key[16], a[16], b[16];

	build_le(t, 1);
	kr_init(&kr, SGX_KEY_EINITTOKEN, 0);
	key_of(t, 1, &kr, a);
	kr.keyid[3] = 1;
	key_of(t, 1, &kr, b);
	assert_memory_not_equal(a, b, 16);
	rk_enter(t, 1);
	kr.isv_svn = 3; /* the LE is ISVSVN 2 */
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_ISVSVN);
	kr.isv_svn = 2;
	kr.cpusvn[15] = 0x20; /* the CPU's is 0x1f */
	assert_int_equal(do_getkey(t, 1, &kr, key), SGX_INVALID_CPUSVN);
	assert_poison(key);
	rk_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RK_TEST(test_report_body),
		RK_TEST(test_report_kss_identity),
		RK_TEST(test_report_verifies_in_self),
		RK_TEST(test_report_verifies_in_target_only),
		RK_TEST(test_report_tampered_body),
		RK_TEST(test_report_target_fields_bind),
		RK_TEST(test_report_keyid_per_boot),
		RK_TEST(test_report_register_interface),
		RK_TEST(test_report_writes_432_bytes),
		RK_TEST(test_report_outside),
		RK_TEST(test_report_misaligned),
		RK_TEST(test_report_outside_elrange),
		RK_TEST(test_report_page_faults),
		RK_TEST(test_report_alien_page),
		RK_TEST(test_report_output_read_only),
		RK_TEST(test_report_pending_operand),
		RK_TEST(test_report_targetinfo_reserved),
		RK_TEST(test_report_operand_order),
		RK_TEST(test_getkey_outside),
		RK_TEST(test_getkey_operand_faults),
		RK_TEST(test_getkey_reserved),
		RK_TEST(test_getkey_kss_bits_need_kss),
		RK_TEST(test_getkey_writes_16_bytes),
		RK_TEST(test_getkey_invalid_keyname),
		RK_TEST(test_getkey_register_interface),
		RK_TEST(test_seal_isvsvn),
		RK_TEST(test_seal_cpusvn),
		RK_TEST(test_seal_same_enclave_same_key),
		RK_TEST(test_seal_key_value),
		RK_TEST(test_seal_policy_between_enclaves),
		RK_TEST(test_seal_other_signer),
		RK_TEST(test_seal_other_product),
		RK_TEST(test_seal_survives_reset),
		RK_TEST(test_seal_other_part),
		RK_TEST(test_seal_attribute_mask),
		RK_TEST(test_seal_debug_bound),
		RK_TEST(test_seal_misc_and_keyid),
		RK_TEST(test_seal_miscmask_bound),
		RK_TEST(test_kss_config_svn),
		RK_TEST(test_kss_policies),
		RK_TEST(test_kss_family_shared),
		RK_TEST(test_privileged_keys_need_attributes),
		RK_TEST(test_provision_keys),
		RK_TEST(test_provision_seal_config_svn),
		RK_TEST(test_le_token_accepted),
		RK_TEST(test_le_token_wrong_keyid),
		RK_TEST(test_le_key_needs_le_signer),
		RK_TEST(test_einittoken_key_svns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
