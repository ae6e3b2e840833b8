// SPDX-License-Identifier: MIT
/*
 * EINIT (SDM Vol. 3D ch. 38, "EINIT"): every result in the order the
 * pseudocode produces it, launch control with and without an EINITTOKEN,
 * and the shared test vectors replayed on the model.
 *
 * Enclaves here are signed with the Linux selftest key from $VSGX_VECTORS;
 * without it the tests that need a signature skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "hw-fixture.h"
#include "keys.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

#define ELRANGE_BASE 0x10000000ULL
#define ELRANGE_SIZE 0x10000ULL

static struct crypto_rsa_key *g_key;
static uint8_t g_mrsigner[32];

struct efix {
	struct hwfix *f;
	struct sgx_sigstruct *sig;    /* 4 KiB aligned */
	struct sgx_einittoken *token; /* 512-byte aligned */
	struct sgx_secs secs;	      /* the image ECREATE was given */
	struct sigstruct_params params;
	uint8_t mrenclave[32];
};

#define SECS_PA(e)    hwf_epc((e)->f, 0)
#define PAGE_PA(e, i) hwf_epc((e)->f, 1 + (i))

static void hex_decode(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void assert_hash_hex(const uint8_t *got, const char *hex)
{
	uint8_t want[32];

	hex_decode(hex, want, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
}

/* --- fixture --- */

static int group_setup(void **state)
{
	char path[4096];
	struct crypto_rsa_key *key = NULL;
	uint8_t modulus[CRYPTO_RSA3072_LEN];

	(void)state;
	if (!hwf_getenv_path("sign_key.pem", path, sizeof(path)))
		return 0;
	if (crypto_rsa_key_load(path, &key, NULL, 0))
		return 0;
	if (crypto_rsa_key_modulus(key, modulus) ||
	    crypto_sha256(modulus, sizeof(modulus), g_mrsigner)) {
		crypto_rsa_key_free(key);
		return 0;
	}
	g_key = key;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	crypto_rsa_key_free(g_key);
	g_key = NULL;
	return 0;
}

static int setup(void **state)
{
	struct efix *e = calloc(1, sizeof(*e));
	struct hw_desc d;

	assert_non_null(e);
	hw_desc_init_default(&d);
	e->f = hwf_new(&d);
	e->sig = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*e->sig));
	e->token = hwf_zalloc(512, sizeof(*e->token));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct efix *e = *state;

	hwf_free(e->f);
	free(e->sig);
	free(e->token);
	free(e);
	return 0;
}

static void need_key(void)
{
	if (!g_key) {
		print_message("no signing key: set VSGX_VECTORS\n");
		skip();
	}
}

/* --- building and signing --- */

static void image(struct efix *e, uint64_t flags, uint64_t xfrm, uint32_t miscselect)
{
	hwf_secs_init(&e->secs, ELRANGE_BASE, ELRANGE_SIZE, flags, xfrm);
	e->secs.miscselect = miscselect;
}

/*
 * Build the test enclave from e->secs, measuring beside the model:
 * 0x0000 TCS (measured), 0x1000 RX 0xCC (measured), 0x2000 RW zeros
 * (measured), 0x3000 RW (EADD only). With (dirty_tcs), the TCS source has
 * the fields EADD must clear (STATE, DBGOPTIN, CSSA, AEP) set and asks for
 * R/W/X, which EADD must drop; the expected measurement has them cleared.
 */
static void build_tcs(struct efix *e, bool dirty_tcs)
{
	struct hwfix *f = e->f;
	struct hwf_measure m;
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;
	uint64_t tcs_flags = SECINFO_TCS;

	assert_int_equal(hwf_ecreate(f, &e->secs, SECS_PA(e)), SGX_SUCCESS);
	hwf_measure_ecreate(&m, e->secs.ssa_frame_size, e->secs.size);

	tcs->ossa = 0x2000;
	tcs->nssa = 1;
	tcs->oentry = 0x1000;
	if (dirty_tcs) {
		tcs->state = 1;
		tcs->flags = SGX_TCS_DBGOPTIN;
		tcs->cssa = 1;
		tcs->aep = 0xfeedface;
		tcs_flags |= SGX_SECINFO_PERM_MASK;
	}
	assert_int_equal(hwf_eadd(f, SECS_PA(e), PAGE_PA(e, 0), ELRANGE_BASE, tcs_flags, page), 0);
	assert_int_equal(hwf_eextend_page(f, SECS_PA(e), PAGE_PA(e, 0)), 0);
	tcs->state = 0;
	tcs->flags = 0;
	tcs->cssa = 0;
	tcs->aep = 0;
	hwf_measure_eadd(&m, 0, SECINFO_TCS);
	hwf_measure_page(&m, 0, page);

	memset(page, 0xcc, SGX_PAGE_SIZE);
	assert_int_equal(
	    hwf_eadd(f, SECS_PA(e), PAGE_PA(e, 1), ELRANGE_BASE + 0x1000, SECINFO_RX, page), 0);
	assert_int_equal(hwf_eextend_page(f, SECS_PA(e), PAGE_PA(e, 1)), 0);
	hwf_measure_eadd(&m, 0x1000, SECINFO_RX);
	hwf_measure_page(&m, 0x1000, page);

	memset(page, 0, SGX_PAGE_SIZE);
	assert_int_equal(
	    hwf_eadd(f, SECS_PA(e), PAGE_PA(e, 2), ELRANGE_BASE + 0x2000, SECINFO_RW, page), 0);
	assert_int_equal(hwf_eextend_page(f, SECS_PA(e), PAGE_PA(e, 2)), 0);
	hwf_measure_eadd(&m, 0x2000, SECINFO_RW);
	hwf_measure_page(&m, 0x2000, page);

	assert_int_equal(
	    hwf_eadd(f, SECS_PA(e), PAGE_PA(e, 3), ELRANGE_BASE + 0x3000, SECINFO_RW, page), 0);
	hwf_measure_eadd(&m, 0x3000, SECINFO_RW);

	assert_int_equal(hwf_enclave(f, SECS_PA(e)).measurement_blocks, m.blocks);
	hwf_measure_final(&m, e->mrenclave);
	free(page);
}

static void build(struct efix *e)
{
	build_tcs(e, false);
}

static void params_default(struct efix *e)
{
	sigstruct_params_init_default(&e->params);
	e->params.date = 0x20240101;
	e->params.isv_prod_id = 0x1234;
	e->params.isv_svn = 7;
}

static void sign(struct efix *e)
{
	need_key();
	assert_int_equal(sigstruct_sign(&e->params, e->mrenclave, g_key, e->sig), 0);
}

/* Re-sign e->sig after its signed fields were edited by hand. */
static void resign(struct efix *e)
{
	uint8_t msg[SIGSTRUCT_MESSAGE_LEN];

	need_key();
	sigstruct_signed_message(e->sig, msg);
	assert_int_equal(crypto_rsa_sign(g_key, msg, sizeof(msg), e->sig->signature), 0);
	assert_int_equal(
	    crypto_rsa3072_q1q2(e->sig->modulus, e->sig->signature, e->sig->q1, e->sig->q2), 0);
}

/* The usual case: 64-bit production enclave, default signing parameters. */
static void ready(struct efix *e)
{
	need_key();
	image(e, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	build(e);
	params_default(e);
	sign(e);
}

static int einit_on(struct efix *e, struct hw_cpu *cpu)
{
	return hw_einit(cpu, hwf_la(e->sig), SECS_PA(e), hwf_la(e->token));
}

static int einit(struct efix *e)
{
	return einit_on(e, e->f->cpu);
}

static void lehash_write(struct hw_cpu *cpu, const uint8_t hash[32])
{
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v = 0;

		for (int b = 7; b >= 0; b--)
			v = (v << 8) | hash[8 * i + (uint32_t)b];
		assert_int_equal(hw_msr_write(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, v), 0);
	}
}

/* Flexible launch control: make our signer the launch-authorized one. */
static void trust_signer(struct efix *e, struct hw_cpu *cpu)
{
	lehash_write(cpu, g_mrsigner);
	(void)e;
}

static void token_mac(struct efix *e, struct hw_cpu *cpu)
{
	uint8_t key[16];

	assert_int_equal(hw_key_launch(cpu, e->token, key), 0);
	assert_int_equal(crypto_aes_cmac(key, e->token, SGX_EINITTOKEN_MACED_LEN, e->token->mac),
			 0);
}

/* An EINITTOKEN as a production launch enclave on (cpu) would issue it. */
static void mint(struct efix *e, struct hw_cpu *cpu)
{
	struct sgx_einittoken *t = e->token;

	memset(t, 0, sizeof(*t));
	t->valid = SGX_EINITTOKEN_VALID;
	t->attributes = e->secs.attributes;
	memcpy(t->mrenclave, e->mrenclave, 32);
	memcpy(t->mrsigner, g_mrsigner, 32);
	memcpy(t->cpusvn_le, hw_processor_desc(e->f->p)->cpusvn, SGX_CPUSVN_SIZE);
	t->isv_prod_id_le = 0x20;
	t->isv_svn_le = 7;
	t->masked_miscselect_le = 0;
	t->masked_attributes_le.flags = SGX_ATTR_MODE64BIT | SGX_ATTR_EINITTOKENKEY;
	t->masked_attributes_le.xfrm = SGX_XFRM_LEGACY;
	memset(t->keyid, 0x3c, sizeof(t->keyid));
	token_mac(e, cpu);
}

static void assert_not_initialized(struct efix *e)
{
	struct hw_enclave_info en = hwf_enclave(e->f, SECS_PA(e));

	assert_false(en.initialized);
	assert_int_equal(en.attributes.flags & SGX_ATTR_INIT, 0);
}

/* ====================================================================== */
/* success                                                                */
/* ====================================================================== */

static void test_success_flc(void **state)
{
	struct efix *e = *state;
	struct hw_enclave_info en;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	en = hwf_enclave(e->f, SECS_PA(e));
	assert_true(en.initialized);
	assert_memory_equal(en.mrenclave, e->mrenclave, 32);
	assert_memory_equal(en.mrsigner, g_mrsigner, 32);
	assert_int_equal(en.isv_prod_id, 0x1234);
	assert_int_equal(en.isv_svn, 7);
	assert_int_equal(en.attributes.flags, SGX_ATTR_INIT | SGX_ATTR_MODE64BIT);
	assert_int_equal(en.attributes.xfrm, SGX_XFRM_LEGACY);
	assert_int_equal(en.children, 4);
}

static void test_success_token(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_true(hwf_enclave(e->f, SECS_PA(e)).initialized);
	assert_memory_equal(hwf_enclave(e->f, SECS_PA(e)).mrsigner, g_mrsigner, 32);
}

static void test_success_vendor_intel(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	build(e);
	params_default(e);
	e->params.vendor = SGX_SIGSTRUCT_VENDOR_INTEL;
	sign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

/* The default ATTRIBUTEMASK leaves DEBUG free: a debug build of a production signature. */
static void test_success_debug_unmasked(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG, SGX_XFRM_LEGACY, 0);
	build(e);
	params_default(e);
	sign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(e->f, SECS_PA(e)).attributes.flags,
			 SGX_ATTR_INIT | SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG);
}

/* The LE hash MSRs are per CPU: only the CPU that holds our hash launches without a token. */
static void test_success_per_cpu_msr(void **state)
{
	struct efix *e = *state;
	struct hw_cpu *c1 = hw_processor_cpu(e->f->p, 1);
	struct hw_cpu *c2 = hw_processor_cpu(e->f->p, 2);

	ready(e);
	trust_signer(e, c2);
	assert_int_equal(einit_on(e, c1), SGX_INVALID_EINITTOKEN);
	assert_int_equal(einit_on(e, c2), SGX_SUCCESS);
}

static void test_success_regs(void **state)
{
	struct efix *e = *state;
	struct hw_regs regs = { 0 };

	ready(e);
	regs.rax = SGX_EINIT;
	regs.rbx = hwf_la(e->sig);
	regs.rcx = SECS_PA(e);
	regs.rdx = hwf_la(e->token);
	assert_int_equal(hw_encls(e->f->cpu, &regs), SGX_INVALID_EINITTOKEN);
	assert_int_equal(regs.rax, SGX_INVALID_EINITTOKEN);
	assert_int_equal(regs.rflags & HW_RFLAGS_ZF, HW_RFLAGS_ZF);
	trust_signer(e, e->f->cpu);
	regs.rax = SGX_EINIT;
	assert_int_equal(hw_encls(e->f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags & HW_RFLAGS_ZF, 0);
}

/* ====================================================================== */
/* operands                                                               */
/* ====================================================================== */

static void test_sigstruct_unaligned(void **state)
{
	struct efix *e = *state;
	uint8_t *buf = hwf_zalloc(SGX_PAGE_SIZE, 2 * SGX_PAGE_SIZE);

	ready(e);
	trust_signer(e, e->f->cpu);
	memcpy(buf + 0x800, e->sig, sizeof(*e->sig));
	assert_gp(e->f, hw_einit(e->f->cpu, hwf_la(buf + 0x800), SECS_PA(e), hwf_la(e->token)));
	memcpy(buf + 0x40, e->sig, sizeof(*e->sig));
	assert_gp(e->f, hw_einit(e->f->cpu, hwf_la(buf + 0x40), SECS_PA(e), hwf_la(e->token)));
	assert_not_initialized(e);
	free(buf);
}

static void test_secs_unaligned(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_gp(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), SECS_PA(e) + 0x800, hwf_la(e->token)));
	/* Alignment comes before the EPC check. */
	assert_gp(e->f,
		  hw_einit(e->f->cpu, hwf_la(e->sig), hwf_la(e->f->host) + 0x10, hwf_la(e->token)));
	assert_not_initialized(e);
}

static void test_token_unaligned(void **state)
{
	struct efix *e = *state;
	uint8_t *buf = hwf_zalloc(512, 1024);

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_gp(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), SECS_PA(e), hwf_la(buf + 256)));
	assert_gp(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), SECS_PA(e), hwf_la(buf + 8)));
	assert_not_initialized(e);
	/* 512-byte alignment is enough. */
	assert_int_equal(hw_einit(e->f->cpu, hwf_la(e->sig), SECS_PA(e), hwf_la(buf + 512)),
			 SGX_SUCCESS);
	free(buf);
}

static void test_secs_not_epc(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_pf(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), hwf_la(e->f->host), hwf_la(e->token)),
		  hwf_la(e->f->host));
	/* Before anything in the SIGSTRUCT is judged. */
	e->sig->header[0] ^= 1;
	assert_pf(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), hwf_la(e->f->host), hwf_la(e->token)),
		  hwf_la(e->f->host));
}

static void test_sigstruct_unmapped(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	hwf_unmap(e->f, hwf_la(e->sig));
	assert_pf(e->f, einit(e), hwf_la(e->sig));
	assert_not_initialized(e);
}

static void test_token_unmapped(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->sig->vendor = 1; /* the token is read before the SIGSTRUCT is checked */
	hwf_unmap(e->f, hwf_la(e->token));
	assert_pf(e->f, einit(e), hwf_la(e->token));
	assert_not_initialized(e);
}

/* ====================================================================== */
/* SGX_INVALID_SIG_STRUCT                                                 */
/* ====================================================================== */

/* Corrupt one byte at (off); EINIT must answer SGX_INVALID_SIG_STRUCT and change nothing. */
static void check_sig_struct_byte(struct efix *e, size_t off, uint8_t xor)
{
	uint8_t *b = (uint8_t *)e->sig;

	b[off] ^= xor;
	assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
	assert_not_initialized(e);
	b[off] ^= xor;
}

static void test_sig_struct_header(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	for (size_t i = 0; i < sizeof(e->sig->header); i++)
		check_sig_struct_byte(e, offsetof(struct sgx_sigstruct, header) + i, 0x01);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_sig_struct_vendor(void **state)
{
	struct efix *e = *state;
	static const uint32_t bad[] = { 1, 0x8087, 0x80860000u, 0xffffffffu };

	ready(e);
	trust_signer(e, e->f->cpu);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e->sig->vendor = bad[i];
		assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
	}
	assert_not_initialized(e);
}

static void test_sig_struct_header2(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	for (size_t i = 0; i < sizeof(e->sig->header2); i++)
		check_sig_struct_byte(e, offsetof(struct sgx_sigstruct, header2) + i, 0x80);
}

static void test_sig_struct_exponent(void **state)
{
	struct efix *e = *state;
	static const uint32_t bad[] = { 0, 1, 2, 65537, 0x03000000u };

	ready(e);
	trust_signer(e, e->f->cpu);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e->sig->exponent = bad[i];
		assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
	}
	assert_not_initialized(e);
}

static void test_sig_struct_reserved(void **state)
{
	struct efix *e = *state;
	static const size_t offs[] = {
		offsetof(struct sgx_sigstruct, reserved1),
		offsetof(struct sgx_sigstruct, reserved1) + 83,
		offsetof(struct sgx_sigstruct, cet_attributes), /* reserved without CET */
		offsetof(struct sgx_sigstruct, cet_attributes) + 3,
		offsetof(struct sgx_sigstruct, reserved3),
		offsetof(struct sgx_sigstruct, reserved3) + 15,
		offsetof(struct sgx_sigstruct, reserved4),
		offsetof(struct sgx_sigstruct, reserved4) + 11,
	};

	ready(e);
	trust_signer(e, e->f->cpu);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		check_sig_struct_byte(e, offs[i], 0x10);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

/* Correctly signed but with reserved bytes set: the structure check still wins. */
static void test_sig_struct_reserved_signed(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->sig->reserved3[0] = 1;
	resign(e);
	assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
	assert_not_initialized(e);
}

static void test_sig_struct_before_event(void **state)
{
	struct efix *e = *state;

	ready(e);
	hw_cpu_set_pending_event(e->f->cpu, true);
	e->sig->header2[4] = 0;
	assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
}

/* ====================================================================== */
/* SGX_UNMASKED_EVENT                                                     */
/* ====================================================================== */

static void test_unmasked_event(void **state)
{
	struct efix *e = *state;
	struct hw_cpu *c3 = hw_processor_cpu(e->f->p, 3);

	ready(e);
	trust_signer(e, e->f->cpu);
	hw_cpu_set_pending_event(e->f->cpu, true);
	assert_int_equal(einit(e), SGX_UNMASKED_EVENT);
	assert_int_equal(einit(e), SGX_UNMASKED_EVENT);
	assert_not_initialized(e);
	/* An event pending on another CPU does not matter. */
	hw_cpu_set_pending_event(e->f->cpu, false);
	hw_cpu_set_pending_event(c3, true);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_event_before_signature(void **state)
{
	struct efix *e = *state;

	ready(e);
	e->sig->signature[10] ^= 0x55;
	hw_cpu_set_pending_event(e->f->cpu, true);
	assert_int_equal(einit(e), SGX_UNMASKED_EVENT);
	hw_cpu_set_pending_event(e->f->cpu, false);
	assert_int_equal(einit(e), SGX_INVALID_SIGNATURE);
}

/* ====================================================================== */
/* SGX_INVALID_SIGNATURE                                                  */
/* ====================================================================== */

static void check_bad_signature(struct efix *e, size_t off, uint8_t xor)
{
	uint8_t *b = (uint8_t *)e->sig;

	b[off] ^= xor;
	assert_int_equal(einit(e), SGX_INVALID_SIGNATURE);
	assert_not_initialized(e);
	b[off] ^= xor;
}

static void test_signature_corrupt(void **state)
{
	struct efix *e = *state;
	size_t sig = offsetof(struct sgx_sigstruct, signature);

	ready(e);
	trust_signer(e, e->f->cpu);
	check_bad_signature(e, sig, 0x01);
	check_bad_signature(e, sig + 191, 0x80);
	check_bad_signature(e, sig + 383, 0x01); /* may exceed the modulus */
	check_bad_signature(e, sig + 383, 0xff);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_signature_signed_bytes(void **state)
{
	struct efix *e = *state;
	static const size_t offs[] = {
		offsetof(struct sgx_sigstruct, date),
		offsetof(struct sgx_sigstruct, swdefined),
		offsetof(struct sgx_sigstruct, miscmask),
		offsetof(struct sgx_sigstruct, attributes_mask),
		offsetof(struct sgx_sigstruct, enclave_hash),
		offsetof(struct sgx_sigstruct, enclave_hash) + 31,
		offsetof(struct sgx_sigstruct, isv_ext_prod_id),
		offsetof(struct sgx_sigstruct, isv_prod_id),
		offsetof(struct sgx_sigstruct, isv_svn) + 1,
	};

	ready(e);
	trust_signer(e, e->f->cpu);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		check_bad_signature(e, offs[i], 0x04);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_signature_modulus(void **state)
{
	struct efix *e = *state;
	size_t mod = offsetof(struct sgx_sigstruct, modulus);

	ready(e);
	trust_signer(e, e->f->cpu);
	check_bad_signature(e, mod, 0x02); /* stays odd */
	check_bad_signature(e, mod + 200, 0x10);
	check_bad_signature(e, mod + 383, 0x40);
}

static void test_signature_q1_q2(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	check_bad_signature(e, offsetof(struct sgx_sigstruct, q1), 0x01);
	check_bad_signature(e, offsetof(struct sgx_sigstruct, q1) + 383, 0x01);
	check_bad_signature(e, offsetof(struct sgx_sigstruct, q2), 0x01);
	check_bad_signature(e, offsetof(struct sgx_sigstruct, q2) + 200, 0x20);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_signature_all_zero(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	memset(e->sig->signature, 0, sizeof(e->sig->signature));
	memset(e->sig->q1, 0, sizeof(e->sig->q1));
	memset(e->sig->q2, 0, sizeof(e->sig->q2));
	assert_int_equal(einit(e), SGX_INVALID_SIGNATURE);
	memset(e->sig->modulus, 0, sizeof(e->sig->modulus));
	assert_int_equal(einit(e), SGX_INVALID_SIGNATURE);
	assert_not_initialized(e);
}

static void test_signature_before_secs(void **state)
{
	struct efix *e = *state;
	uint64_t free_page = hwf_epc(e->f, 100);

	ready(e);
	e->sig->signature[0] ^= 1;
	assert_int_equal(hw_einit(e->f->cpu, hwf_la(e->sig), free_page, hwf_la(e->token)),
			 SGX_INVALID_SIGNATURE);
}

/* ====================================================================== */
/* The SECS operand                                                       */
/* ====================================================================== */

static void test_secs_invalid(void **state)
{
	struct efix *e = *state;
	uint64_t free_page = hwf_epc(e->f, 100);

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_pf(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), free_page, hwf_la(e->token)),
		  free_page);
}

static void test_secs_wrong_type(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_pf(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), PAGE_PA(e, 0), hwf_la(e->token)),
		  PAGE_PA(e, 0));
	assert_pf(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), PAGE_PA(e, 1), hwf_la(e->token)),
		  PAGE_PA(e, 1));
	assert_not_initialized(e);
}

static void test_secs_before_isvfamilyid(void **state)
{
	struct efix *e = *state;
	uint64_t free_page = hwf_epc(e->f, 100);

	ready(e);
	e->sig->isv_family_id[0] = 1;
	resign(e);
	assert_pf(e->f, hw_einit(e->f->cpu, hwf_la(e->sig), free_page, hwf_la(e->token)),
		  free_page);
}

static void test_already_initialized(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_gp(e->f, einit(e));
	assert_true(hwf_enclave(e->f, SECS_PA(e)).initialized);
}

/* ====================================================================== */
/* ISVFAMILYID, MRENCLAVE                                                 */
/* ====================================================================== */

static void test_isvfamilyid_without_kss(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->sig->isv_family_id[15] = 1;
	resign(e);
	assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
	assert_not_initialized(e);
	/* That check comes before the measurement is compared. */
	memset(e->sig->enclave_hash, 0, 32);
	resign(e);
	assert_int_equal(einit(e), SGX_INVALID_SIG_STRUCT);
}

static void test_isvfamilyid_with_kss(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT | SGX_ATTR_KSS, SGX_XFRM_LEGACY, 0);
	build(e);
	params_default(e);
	e->params.attributes.flags |= SGX_ATTR_KSS;
	sign(e);
	e->sig->isv_family_id[0] = 0x42;
	resign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_measurement_mismatch(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->mrenclave[0] ^= 1;
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
	assert_not_initialized(e);
}

static void test_measurement_extra_eextend(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(hw_eextend(e->f->cpu, SECS_PA(e), PAGE_PA(e, 3)), 0);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
	/* EINIT failed, so the enclave can still be built; it still does not match. */
	assert_int_equal(hw_eextend(e->f->cpu, SECS_PA(e), PAGE_PA(e, 3) + 0x100), 0);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
}

static void test_measurement_order_matters(void **state)
{
	struct efix *e = *state;
	struct hwf_measure m;
	uint8_t zero[SGX_EEXTEND_CHUNK] = { 0 };

	need_key();
	image(e, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(hwf_ecreate(e->f, &e->secs, SECS_PA(e)), 0);
	memset(e->f->page, 0, SGX_PAGE_SIZE);
	assert_int_equal(
	    hwf_eadd(e->f, SECS_PA(e), PAGE_PA(e, 0), ELRANGE_BASE + 0x5000, SECINFO_RW, NULL), 0);
	/* Chunks measured in descending order, only two of them. */
	assert_int_equal(hw_eextend(e->f->cpu, SECS_PA(e), PAGE_PA(e, 0) + 0xf00), 0);
	assert_int_equal(hw_eextend(e->f->cpu, SECS_PA(e), PAGE_PA(e, 0) + 0x200), 0);
	hwf_measure_ecreate(&m, 1, ELRANGE_SIZE);
	hwf_measure_eadd(&m, 0x5000, SECINFO_RW);
	hwf_measure_eextend(&m, 0x5f00, zero);
	hwf_measure_eextend(&m, 0x5200, zero);
	hwf_measure_final(&m, e->mrenclave);
	params_default(e);
	sign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_memory_equal(hwf_enclave(e->f, SECS_PA(e)).mrenclave, e->mrenclave, 32);
}

/* EADD clears TCS.STATE/FLAGS.DBGOPTIN/CSSA/AEP and SECINFO R/W/X before measuring. */
static void test_measurement_tcs_scrubbed(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	build_tcs(e, true);
	params_default(e);
	sign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_memory_equal(hwf_enclave(e->f, SECS_PA(e)).mrenclave, e->mrenclave, 32);
}

/* ====================================================================== */
/* SGX_INVALID_ATTRIBUTE                                                  */
/* ====================================================================== */

static void test_attr_einittokenkey_foreign_signer(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT | SGX_ATTR_EINITTOKENKEY, SGX_XFRM_LEGACY, 0);
	build(e);
	params_default(e);
	e->params.attributes.flags |= SGX_ATTR_EINITTOKENKEY;
	sign(e);
	/* Power-on MSRs hold Intel's hash, not ours. */
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	/* A token does not help: the controlled attribute check comes first. */
	mint(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	assert_not_initialized(e);
	/* Authorized signer: a launch enclave may be built. */
	memset(e->token, 0, sizeof(*e->token));
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_attr_mask_mismatch_flags(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->params.attributes.flags |= SGX_ATTR_PROVISIONKEY;
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	e->params.attributes.flags &= ~(SGX_ATTR_PROVISIONKEY | SGX_ATTR_MODE64BIT);
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	assert_not_initialized(e);
}

/* SECS.INIT is still 0 when EINIT compares: a SIGSTRUCT requiring INIT=1 never matches. */
static void test_attr_mask_init_bit(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->params.attributes.flags |= SGX_ATTR_INIT;
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
}

static void test_attr_mask_mismatch_xfrm(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->params.attributes.xfrm = SGX_XFRM_LEGACY | SGX_XFRM_BNDREGS; /* bit 3 is masked */
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	/* AVX (bit 2) is not in the default XFRM mask 0x...1b. */
	e->params.attributes.xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX;
	sign(e);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_attr_mask_zero(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->params.attributes.flags = SGX_ATTR_KSS | SGX_ATTR_DEBUG;
	e->params.attributes.xfrm = 0xff;
	memset(&e->params.attributes_mask, 0, sizeof(e->params.attributes_mask));
	sign(e);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_attr_miscselect_mismatch(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, SGX_MISC_EXINFO);
	build(e);
	params_default(e);
	sign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	e->params.miscmask = ~SGX_MISC_EXINFO;
	sign(e);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_attr_miscselect_required(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->params.miscselect = SGX_MISC_EXINFO;
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
}

static void test_attr_after_measurement(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	e->params.attributes.flags |= SGX_ATTR_PROVISIONKEY;
	e->mrenclave[5] ^= 0x20;
	sign(e);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
}

static void test_attr_before_token(void **state)
{
	struct efix *e = *state;

	ready(e);
	e->params.miscselect = SGX_MISC_EXINFO;
	sign(e);
	/* Foreign signer and no token, but the attributes are judged first. */
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
}

/* ====================================================================== */
/* SGX_INVALID_EINITTOKEN and the token path                              */
/* ====================================================================== */

static void test_token_none_foreign_signer(void **state)
{
	struct efix *e = *state;

	ready(e);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	assert_not_initialized(e);
}

/* With VALID = 0 nothing else in the token is looked at. */
static void test_token_invalid_contents_ignored(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	memset(e->token, 0xff, sizeof(*e->token));
	e->token->valid = 0xfffffffe;
	assert_int_equal(einit(e), SGX_SUCCESS);
}

/* VALID = 1 sends EINIT down the token path even for the authorized signer. */
static void test_token_checked_for_le_signer(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	mint(e, e->f->cpu);
	e->token->mac[3] ^= 1;
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	e->token->mac[3] ^= 1;
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_token_debug_le_production_enclave(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->masked_attributes_le.flags |= SGX_ATTR_DEBUG;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	assert_not_initialized(e);
}

static void test_token_debug_le_debug_enclave(void **state)
{
	struct efix *e = *state;

	need_key();
	image(e, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG, SGX_XFRM_LEGACY, 0);
	build(e);
	params_default(e);
	sign(e);
	mint(e, e->f->cpu);
	e->token->masked_attributes_le.flags |= SGX_ATTR_DEBUG;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_token_reserved(void **state)
{
	struct efix *e = *state;
	static const size_t offs[] = {
		offsetof(struct sgx_einittoken, valid) + 1, /* upper VALID bits */
		offsetof(struct sgx_einittoken, valid) + 3,
		offsetof(struct sgx_einittoken, reserved1),
		offsetof(struct sgx_einittoken, reserved1) + 43,
		offsetof(struct sgx_einittoken, reserved2),
		offsetof(struct sgx_einittoken, reserved2) + 31,
		offsetof(struct sgx_einittoken, reserved3),
		offsetof(struct sgx_einittoken, reserved3) + 31,
		offsetof(struct sgx_einittoken, reserved4),
		offsetof(struct sgx_einittoken, reserved4) + 23,
	};

	ready(e);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		mint(e, e->f->cpu);
		((uint8_t *)e->token)[offs[i]] |= 0x02;
		token_mac(e, e->f->cpu);
		assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	}
	assert_not_initialized(e);
	mint(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_token_cpusvn_beyond(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	memset(e->token->cpusvn_le, 0xff, SGX_CPUSVN_SIZE);
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_CPUSVN);
	/* Judged before the MAC. */
	e->token->mac[0] ^= 1;
	assert_int_equal(einit(e), SGX_INVALID_CPUSVN);
	assert_not_initialized(e);
}

static void test_token_cpusvn_older(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	memset(e->token->cpusvn_le, 0, SGX_CPUSVN_SIZE);
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
}

static void test_token_order_reserved_before_cpusvn(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	memset(e->token->cpusvn_le, 0xff, SGX_CPUSVN_SIZE);
	e->token->reserved1[0] = 1;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
}

static void test_token_order_debug_before_cpusvn(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	memset(e->token->cpusvn_le, 0xff, SGX_CPUSVN_SIZE);
	e->token->masked_attributes_le.flags |= SGX_ATTR_DEBUG;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
}

static void test_token_bad_mac(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->mac[15] ^= 0x80;
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	/* Any MACed field changed after minting. */
	mint(e, e->f->cpu);
	e->token->isv_svn_le++;
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	/* Fields outside the MAC still select the launch key. */
	mint(e, e->f->cpu);
	e->token->keyid[0] ^= 1;
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	mint(e, e->f->cpu);
	e->token->masked_attributes_le.xfrm |= SGX_XFRM_AVX;
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	assert_not_initialized(e);
}

static void test_token_other_processor(void **state)
{
	struct efix *e = *state;
	struct hw_desc d;
	struct hwfix *other;

	ready(e);
	hw_desc_init_default(&d);
	d.seed ^= 0x1234;
	other = hwf_new(&d);
	mint(e, other->cpu);
	hwf_free(other);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
}

/* The launch key follows the LE hash MSRs of the CPU that runs EINIT. */
static void test_token_msr_changed(void **state)
{
	struct efix *e = *state;
	uint8_t other[32];

	ready(e);
	mint(e, e->f->cpu);
	memset(other, 0x5a, sizeof(other));
	lehash_write(e->f->cpu, other);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	/* Another CPU still holds the hash the token was minted under. */
	assert_int_equal(einit_on(e, hw_processor_cpu(e->f->p, 1)), SGX_SUCCESS);
}

static void test_token_mrenclave_mismatch(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->mrenclave[31] ^= 1;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
	assert_not_initialized(e);
}

static void test_token_mrsigner_mismatch(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->mrsigner[0] ^= 1;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
	assert_not_initialized(e);
}

static void test_token_attributes_mismatch(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->attributes.flags |= SGX_ATTR_DEBUG;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	mint(e, e->f->cpu);
	e->token->attributes.xfrm |= SGX_XFRM_AVX;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	/* The SECS is still uninitialized when compared: INIT must be clear. */
	mint(e, e->f->cpu);
	e->token->attributes.flags |= SGX_ATTR_INIT;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_ATTRIBUTE);
	assert_not_initialized(e);
}

static void test_token_order_mac_before_measurement(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->mrenclave[0] ^= 1; /* not re-MACed */
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
}

static void test_token_order_measurement_before_attributes(void **state)
{
	struct efix *e = *state;

	ready(e);
	mint(e, e->f->cpu);
	e->token->mrsigner[31] ^= 1;
	e->token->attributes.flags |= SGX_ATTR_DEBUG;
	token_mac(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_INVALID_MEASUREMENT);
}

/* ====================================================================== */
/* After EINIT                                                            */
/* ====================================================================== */

static void test_after_build_leaves_gp(void **state)
{
	struct efix *e = *state;
	struct hwfix *f;
	uint64_t blocks;

	ready(e);
	f = e->f;
	trust_signer(e, f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	blocks = hwf_enclave(f, SECS_PA(e)).measurement_blocks;
	assert_gp(f,
		  hwf_eadd(f, SECS_PA(e), PAGE_PA(e, 10), ELRANGE_BASE + 0x8000, SECINFO_RW, NULL));
	assert_false(hwf_epcm(f, PAGE_PA(e, 10)).valid);
	assert_gp(f, hw_eextend(f->cpu, SECS_PA(e), PAGE_PA(e, 3)));
	assert_int_equal(hwf_enclave(f, SECS_PA(e)).measurement_blocks, blocks);
	assert_int_equal(hwf_enclave(f, SECS_PA(e)).children, 4);
	assert_memory_equal(hwf_enclave(f, SECS_PA(e)).mrenclave, e->mrenclave, 32);
}

static void test_after_teardown(void **state)
{
	struct efix *e = *state;

	ready(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_int_equal(hw_eremove(e->f->cpu, SECS_PA(e)), SGX_CHILD_PRESENT);
	for (int i = 0; i < 4; i++)
		assert_int_equal(hw_eremove(e->f->cpu, PAGE_PA(e, i)), SGX_SUCCESS);
	assert_int_equal(hw_eremove(e->f->cpu, SECS_PA(e)), SGX_SUCCESS);
	assert_int_equal(hwf_stats(e->f).valid_pages, 0);
}

static void test_failure_keeps_building(void **state)
{
	struct efix *e = *state;

	ready(e);
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	assert_int_equal(
	    hwf_eadd(e->f, SECS_PA(e), PAGE_PA(e, 10), ELRANGE_BASE + 0x8000, SECINFO_RW, NULL),
	    SGX_SUCCESS);
	assert_not_initialized(e);
}

/* ====================================================================== */
/* Vectors                                                                */
/* ====================================================================== */

struct vec {
	struct sgxs *sgxs;
	struct sgx_sigstruct sig;
	bool has_sig;
};

static void vec_load(struct vec *v, const char *name, bool with_sig)
{
	char path[4096], sgxs_name[256], why[256];

	memset(v, 0, sizeof(*v));
	snprintf(sgxs_name, sizeof(sgxs_name), "%s.sgxs", name);
	if (!hwf_getenv_path(sgxs_name, path, sizeof(path))) {
		print_message("VSGX_VECTORS is not set\n");
		skip();
	}
	assert_int_equal(sgxs_load(path, &v->sgxs, why, sizeof(why)), 0);
	if (with_sig) {
		snprintf(sgxs_name, sizeof(sgxs_name), "%s.sig", name);
		assert_true(hwf_getenv_path(sgxs_name, path, sizeof(path)));
		assert_int_equal(sigstruct_load(path, &v->sig, why, sizeof(why)), 0);
		v->has_sig = true;
	}
}

/*
 * Replay an SGXS stream as ECREATE/EADD/EEXTEND on the model, at ELRANGE
 * base 0x40000000, one EPC page per EADD in stream order. A page's contents
 * are gathered from the stream's EEXTEND records before its EADD.
 */
static void vec_replay(struct efix *e, const struct vec *v, uint64_t flags, uint64_t xfrm)
{
	const struct sgxs *s = v->sgxs;
	const uint64_t base = 0x40000000;
	uint64_t npages = s->size / SGX_PAGE_SIZE;
	uint8_t *contents = hwf_zalloc(SGX_PAGE_SIZE, npages * SGX_PAGE_SIZE);
	uint64_t *epc = calloc(npages, sizeof(*epc));
	uint64_t next = 1;
	struct sgxs_record rec;
	size_t pos = 0;

	assert_non_null(epc);
	hwf_secs_init(&e->secs, base, s->size, flags, xfrm);
	e->secs.ssa_frame_size = s->ssa_frame_size;
	assert_int_equal(hwf_ecreate(e->f, &e->secs, SECS_PA(e)), SGX_SUCCESS);

	while (sgxs_next(s, &pos, &rec))
		if (rec.type == SGXS_EEXTEND)
			memcpy(contents + rec.offset, rec.data, SGX_EEXTEND_CHUNK);
	pos = 0;
	while (sgxs_next(s, &pos, &rec)) {
		uint64_t page = rec.offset / SGX_PAGE_SIZE;

		switch (rec.type) {
		case SGXS_ECREATE:
			break;
		case SGXS_EADD:
			epc[page] = hwf_epc(e->f, next++);
			assert_int_equal(hwf_eadd(e->f, SECS_PA(e), epc[page], base + rec.offset,
						  rec.secinfo_flags,
						  contents + page * SGX_PAGE_SIZE),
					 SGX_SUCCESS);
			break;
		case SGXS_EEXTEND:
			assert_int_equal(hw_eextend(e->f->cpu, SECS_PA(e),
						    epc[page] + (rec.offset % SGX_PAGE_SIZE)),
					 SGX_SUCCESS);
			break;
		}
	}
	assert_int_equal(hwf_enclave(e->f, SECS_PA(e)).measurement_blocks,
			 s->len / SGXS_RECORD_LEN);
	assert_int_equal(sgxs_measure(s, e->mrenclave), 0);
	free(epc);
	free(contents);
}

static void vec_free(struct vec *v)
{
	sgxs_free(v->sgxs);
}

static int einit_sig(struct efix *e, const struct sgx_sigstruct *sig)
{
	*e->sig = *sig;
	return einit(e);
}

#define TEST_ENCLAVE_MRENCLAVE "f14a95c99924122d3d31c5cbe42bdd55e7d0bffd8dcb8f72825cc802fbd78d21"
#define TEST_ENCLAVE_MRSIGNER  "68fe2d3fdbae0b5fba72861f9b8bdb04cd5bc720211a5223b043a331b3698371"
#define SYNTHETIC_MRENCLAVE    "b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd"
#define SYNTHETIC_MRSIGNER     "f7d65583760159be9fd56547cffd35bb981899ad502135346af34b4ad41c613c"
#define REPORT_MRENCLAVE       "a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290"
#define LE_MRSIGNER	       "acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4"

static void test_vec_test_enclave_default_msrs(void **state)
{
	struct efix *e = *state;
	struct vec v;

	vec_load(&v, "test_enclave", true);
	vec_replay(e, &v, v.sig.attributes.flags, v.sig.attributes.xfrm);
	assert_int_equal(einit_sig(e, &v.sig), SGX_INVALID_EINITTOKEN);
	assert_not_initialized(e);
	vec_free(&v);
}

static void test_vec_test_enclave_flc(void **state)
{
	struct efix *e = *state;
	struct vec v;
	uint8_t mrsigner[32];
	struct hw_enclave_info en;

	vec_load(&v, "test_enclave", true);
	vec_replay(e, &v, v.sig.attributes.flags, v.sig.attributes.xfrm);
	assert_hash_hex(e->mrenclave, TEST_ENCLAVE_MRENCLAVE);
	assert_int_equal(sigstruct_mrsigner(&v.sig, mrsigner), 0);
	assert_hash_hex(mrsigner, TEST_ENCLAVE_MRSIGNER);
	lehash_write(e->f->cpu, mrsigner);
	assert_int_equal(einit_sig(e, &v.sig), SGX_SUCCESS);
	en = hwf_enclave(e->f, SECS_PA(e));
	assert_true(en.initialized);
	assert_hash_hex(en.mrenclave, TEST_ENCLAVE_MRENCLAVE);
	assert_hash_hex(en.mrsigner, TEST_ENCLAVE_MRSIGNER);
	assert_int_equal(en.isv_prod_id, 65535);
	assert_int_equal(en.isv_svn, 0);
	vec_free(&v);
}

static void test_vec_synthetic_flc(void **state)
{
	struct efix *e = *state;
	struct vec v;
	uint8_t mrsigner[32];
	struct hw_enclave_info en;

	vec_load(&v, "synthetic", true);
	vec_replay(e, &v, v.sig.attributes.flags, v.sig.attributes.xfrm);
	assert_hash_hex(e->mrenclave, SYNTHETIC_MRENCLAVE);
	assert_int_equal(sigstruct_mrsigner(&v.sig, mrsigner), 0);
	lehash_write(e->f->cpu, mrsigner);
	assert_int_equal(einit_sig(e, &v.sig), SGX_SUCCESS);
	en = hwf_enclave(e->f, SECS_PA(e));
	assert_hash_hex(en.mrenclave, SYNTHETIC_MRENCLAVE);
	assert_hash_hex(en.mrsigner, SYNTHETIC_MRSIGNER);
	assert_int_equal(en.isv_prod_id, 0x1234);
	assert_int_equal(en.isv_svn, 1);
	vec_free(&v);
}

static void test_vec_synthetic_token(void **state)
{
	struct efix *e = *state;
	struct vec v;

	need_key();
	vec_load(&v, "synthetic", true);
	vec_replay(e, &v, v.sig.attributes.flags, v.sig.attributes.xfrm);
	*e->sig = v.sig;
	assert_int_equal(einit(e), SGX_INVALID_EINITTOKEN);
	/* synthetic.sig is signed with the selftest key: g_mrsigner is its MRSIGNER. */
	mint(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	vec_free(&v);
}

static void test_vec_selftest_key_mrsigner(void **state)
{
	(void)state;
	need_key();
	assert_hash_hex(g_mrsigner, SYNTHETIC_MRSIGNER);
}

static void test_vec_report_resigned(void **state)
{
	struct efix *e = *state;
	struct vec v;

	need_key();
	vec_load(&v, "report", false);
	vec_replay(e, &v, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_hash_hex(e->mrenclave, REPORT_MRENCLAVE);
	params_default(e);
	sign(e);
	trust_signer(e, e->f->cpu);
	assert_int_equal(einit(e), SGX_SUCCESS);
	assert_hash_hex(hwf_enclave(e->f, SECS_PA(e)).mrenclave, REPORT_MRENCLAVE);
	vec_free(&v);
}

static void le_load(struct sgx_sigstruct *sig)
{
	char path[4096], why[256];

	if (!hwf_getenv_path("le_prod_css.bin", path, sizeof(path))) {
		print_message("VSGX_VECTORS is not set\n");
		skip();
	}
	assert_int_equal(sigstruct_load(path, sig, why, sizeof(why)), 0);
}

static void test_vec_le_mrsigner_is_power_on_hash(void **state)
{
	struct efix *e = *state;
	struct sgx_sigstruct sig;
	uint8_t mrsigner[32];

	le_load(&sig);
	assert_int_equal(sigstruct_mrsigner(&sig, mrsigner), 0);
	assert_hash_hex(mrsigner, LE_MRSIGNER);
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v = 0;

		for (int b = 7; b >= 0; b--)
			v = (v << 8) | mrsigner[8 * i + (uint32_t)b];
		for (unsigned int c = 0; c < hw_processor_nr_cpus(e->f->p); c++) {
			uint64_t msr;

			assert_int_equal(hw_msr_read(hw_processor_cpu(e->f->p, c),
						     MSR_IA32_SGXLEPUBKEYHASH0 + i, &msr),
					 0);
			assert_int_equal(msr, v);
		}
	}
}

/*
 * Intel's launch enclave SIGSTRUCT passes every check up to the measurement
 * (its pages are not public): a real signature, header and reserved fields.
 */
static void test_vec_le_signature_verifies(void **state)
{
	struct efix *e = *state;
	struct sgx_sigstruct sig;

	le_load(&sig);
	image(e, SGX_ATTR_MODE64BIT | SGX_ATTR_EINITTOKENKEY, SGX_XFRM_LEGACY, 0);
	assert_int_equal(hwf_ecreate(e->f, &e->secs, SECS_PA(e)), SGX_SUCCESS);
	assert_int_equal(einit_sig(e, &sig), SGX_INVALID_MEASUREMENT);
	e->sig->signature[100] ^= 1;
	assert_int_equal(einit(e), SGX_INVALID_SIGNATURE);
}

#define T(name, fn)                                                                                \
	{                                                                                          \
		"/einit/" name, fn, setup, teardown, NULL                                          \
	}

static void skipped(void **state)
{
	(void)state;
}

/* A test of a file only an outside vectors folder has: "# SKIP" without it. */
#define TX(name, fn, file)                                                                         \
	{                                                                                          \
		hwf_have_vector(file) ? "/einit/" name                                             \
				      : "/einit/" name " # SKIP needs " file                       \
					" from an outside vectors folder (make VECTORS=DIR)",      \
		    hwf_have_vector(file) ? fn : skipped, setup, teardown, NULL                    \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T("success/flc", test_success_flc),
		T("success/token", test_success_token),
		T("success/vendor_intel", test_success_vendor_intel),
		T("success/debug_unmasked", test_success_debug_unmasked),
		T("success/per_cpu_msr", test_success_per_cpu_msr),
		T("success/regs", test_success_regs),
		T("operands/sigstruct_unaligned", test_sigstruct_unaligned),
		T("operands/secs_unaligned", test_secs_unaligned),
		T("operands/token_unaligned", test_token_unaligned),
		T("operands/secs_not_epc", test_secs_not_epc),
		T("operands/sigstruct_unmapped", test_sigstruct_unmapped),
		T("operands/token_unmapped", test_token_unmapped),
		T("sig_struct/header", test_sig_struct_header),
		T("sig_struct/vendor", test_sig_struct_vendor),
		T("sig_struct/header2", test_sig_struct_header2),
		T("sig_struct/exponent", test_sig_struct_exponent),
		T("sig_struct/reserved", test_sig_struct_reserved),
		T("sig_struct/reserved_signed", test_sig_struct_reserved_signed),
		T("sig_struct/before_event", test_sig_struct_before_event),
		T("event/unmasked", test_unmasked_event),
		T("event/before_signature", test_event_before_signature),
		T("signature/corrupt", test_signature_corrupt),
		T("signature/signed_bytes", test_signature_signed_bytes),
		T("signature/modulus", test_signature_modulus),
		T("signature/q1_q2", test_signature_q1_q2),
		T("signature/all_zero", test_signature_all_zero),
		T("signature/before_secs", test_signature_before_secs),
		T("secs/invalid", test_secs_invalid),
		T("secs/wrong_type", test_secs_wrong_type),
		T("secs/before_isvfamilyid", test_secs_before_isvfamilyid),
		T("secs/already_initialized", test_already_initialized),
		T("isvfamilyid/without_kss", test_isvfamilyid_without_kss),
		T("isvfamilyid/with_kss", test_isvfamilyid_with_kss),
		T("measurement/mismatch", test_measurement_mismatch),
		T("measurement/extra_eextend", test_measurement_extra_eextend),
		T("measurement/order_matters", test_measurement_order_matters),
		T("measurement/tcs_scrubbed", test_measurement_tcs_scrubbed),
		T("attributes/einittokenkey_foreign_signer",
		  test_attr_einittokenkey_foreign_signer),
		T("attributes/mask_mismatch_flags", test_attr_mask_mismatch_flags),
		T("attributes/mask_init_bit", test_attr_mask_init_bit),
		T("attributes/mask_mismatch_xfrm", test_attr_mask_mismatch_xfrm),
		T("attributes/mask_zero", test_attr_mask_zero),
		T("attributes/miscselect_mismatch", test_attr_miscselect_mismatch),
		T("attributes/miscselect_required", test_attr_miscselect_required),
		T("attributes/after_measurement", test_attr_after_measurement),
		T("attributes/before_token", test_attr_before_token),
		T("token/none_foreign_signer", test_token_none_foreign_signer),
		T("token/invalid_contents_ignored", test_token_invalid_contents_ignored),
		T("token/checked_for_le_signer", test_token_checked_for_le_signer),
		T("token/debug_le_production_enclave", test_token_debug_le_production_enclave),
		T("token/debug_le_debug_enclave", test_token_debug_le_debug_enclave),
		T("token/reserved", test_token_reserved),
		T("token/cpusvn_beyond", test_token_cpusvn_beyond),
		T("token/cpusvn_older", test_token_cpusvn_older),
		T("token/order/reserved_before_cpusvn", test_token_order_reserved_before_cpusvn),
		T("token/order/debug_before_cpusvn", test_token_order_debug_before_cpusvn),
		T("token/bad_mac", test_token_bad_mac),
		T("token/order/mac_before_measurement", test_token_order_mac_before_measurement),
		T("token/order/measurement_before_attributes",
		  test_token_order_measurement_before_attributes),
		T("token/other_processor", test_token_other_processor),
		T("token/msr_changed", test_token_msr_changed),
		T("token/mrenclave_mismatch", test_token_mrenclave_mismatch),
		T("token/mrsigner_mismatch", test_token_mrsigner_mismatch),
		T("token/attributes_mismatch", test_token_attributes_mismatch),
		T("after/build_leaves_gp", test_after_build_leaves_gp),
		T("after/teardown", test_after_teardown),
		T("failure/keeps_building", test_failure_keeps_building),
		T("vectors/test_enclave/default_msrs", test_vec_test_enclave_default_msrs),
		T("vectors/test_enclave/flc", test_vec_test_enclave_flc),
		T("vectors/synthetic/flc", test_vec_synthetic_flc),
		T("vectors/synthetic/token", test_vec_synthetic_token),
		T("vectors/selftest_key_mrsigner", test_vec_selftest_key_mrsigner),
		TX("vectors/report/resigned", test_vec_report_resigned, "report.sgxs"),
		TX("vectors/le_prod/mrsigner_is_power_on_hash",
		   test_vec_le_mrsigner_is_power_on_hash, "le_prod_css.bin"),
		TX("vectors/le_prod/signature_verifies", test_vec_le_signature_verifies,
		   "le_prod_css.bin"),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
