/* SPDX-License-Identifier: MIT */
/*
 * SIGSTRUCTs: reading the three real ones in the vectors folder and checking
 * their signatures and MRSIGNERs, signing synthetic.sgxs into a file
 * byte-identical to synthetic.sig, dates, and every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsgx/arch.h"
#include "vsgx/crypto.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

#include "vectors.h"

/* Helpers */

static void load_vector(const char *name, struct sgx_sigstruct *sig)
{
	char why[256];

	assert_int_equal(sigstruct_load(vector_path(name), sig, why, sizeof(why)), 0);
}

static void assert_verify_fails(const struct sgx_sigstruct *sig, int err, const char *msg)
{
	char why[256] = "";

	assert_int_equal(sigstruct_verify(sig, why, sizeof(why)), err);
	if (!strstr(why, msg))
		fail_msg("reason \"%s\" lacks \"%s\"", why, msg);
}

/* The real SIGSTRUCTs */

static void test_le_prod(void **state)
{
	struct sgx_sigstruct sig;
	uint8_t mrsigner[32];

	(void)state;
	load_vector("le_prod_css.bin", &sig);
	assert_int_equal(sigstruct_verify(&sig, NULL, 0), 0);
	assert_int_equal(sigstruct_mrsigner(&sig, mrsigner), 0);
	assert_hex(mrsigner, 32,
		   "acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4");
	assert_hex(sig.enclave_hash, 32,
		   "7881af9f9def547da9908c008f29cde9bd78064e36ac7e14c83c294ca4806150");
	assert_int_equal(sig.vendor, 0x8086);
	assert_int_equal(sig.date, 0x20240811);
	assert_int_equal(sig.swdefined, 0x10);
	assert_int_equal(sig.exponent, 3);
	assert_int_equal(sig.attributes.flags, 0x24);
	assert_int_equal(sig.attributes.xfrm, 0x3);
	assert_int_equal(sig.attributes_mask.flags, 0xff00ffffffffffffull);
	assert_int_equal(sig.attributes_mask.xfrm, 0xffffffffffffff1bull);
	assert_int_equal(sig.miscmask, 0xffffffff);
	assert_int_equal(sig.isv_prod_id, 32);
	assert_int_equal(sig.isv_svn, 7);
}

static void test_test_enclave(void **state)
{
	struct sgx_sigstruct sig;
	uint8_t mrsigner[32];

	(void)state;
	load_vector("test_enclave.sig", &sig);
	assert_int_equal(sigstruct_verify(&sig, NULL, 0), 0);
	assert_int_equal(sigstruct_mrsigner(&sig, mrsigner), 0);
	assert_hex(mrsigner, 32,
		   "68fe2d3fdbae0b5fba72861f9b8bdb04cd5bc720211a5223b043a331b3698371");
	assert_hex(sig.enclave_hash, 32,
		   "f14a95c99924122d3d31c5cbe42bdd55e7d0bffd8dcb8f72825cc802fbd78d21");
	assert_int_equal(sig.vendor, 0);
	assert_int_equal(sig.attributes.flags, 0x4);
	assert_int_equal(sig.attributes.xfrm, 0x3);
	assert_int_equal(sig.attributes_mask.flags, 0xfffffffffffffffdull);
	assert_int_equal(sig.attributes_mask.xfrm, 0xffffffffffffff1bull);
	assert_int_equal(sig.isv_prod_id, 65535);
	assert_int_equal(sig.isv_svn, 0);
}

static void test_synthetic_sig(void **state)
{
	struct sgx_sigstruct sig;
	uint8_t mrsigner[32];

	(void)state;
	load_vector("synthetic.sig", &sig);
	assert_int_equal(sigstruct_verify(&sig, NULL, 0), 0);
	assert_int_equal(sigstruct_mrsigner(&sig, mrsigner), 0);
	assert_hex(mrsigner, 32,
		   "f7d65583760159be9fd56547cffd35bb981899ad502135346af34b4ad41c613c");
}

/* Signing */

static void synthetic_params(struct sigstruct_params *p)
{
	sigstruct_params_init_default(p);
	p->date = 0x20240101;
	p->isv_prod_id = 0x1234;
	p->isv_svn = 1;
}

static void test_sign_synthetic(void **state)
{
	struct sgx_sigstruct sig, ref;
	struct sigstruct_params p;
	struct crypto_rsa_key *key;
	struct sgxs *s;
	uint8_t mr[32], file_hash[32];
	char why[256];

	(void)state;
	assert_int_equal(sgxs_load(vector_path("synthetic.sgxs"), &s, why, sizeof(why)), 0);
	assert_int_equal(sgxs_measure(s, mr), 0);
	sgxs_free(s);
	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &key, why, sizeof(why)),
			 0);
	synthetic_params(&p);
	assert_int_equal(sigstruct_sign(&p, mr, key, &sig), 0);
	crypto_rsa_key_free(key);
	load_vector("synthetic.sig", &ref);
	assert_memory_equal(&sig, &ref, sizeof(sig));
	assert_int_equal(crypto_sha256(&sig, sizeof(sig), file_hash), 0);
	assert_hex(file_hash, 32,
		   "6de3693136cd331e167ca121fbbdb564bd72068728daf7b05cf849176272bb41");
}

/* Every field the signer sets lands where EINIT reads it, and is signed. */
static void test_sign_fields(void **state)
{
	struct sigstruct_params p = {
		.vendor = 0x8086,
		.date = 0x20251231,
		.swdefined = 0xdeadbeef,
		.attributes = { 0x6, 0xe7 },
		.attributes_mask = { 0x11, 0x22 },
		.miscselect = 1,
		.miscmask = 0xfffffffe,
		.isv_prod_id = 0xbeef,
		.isv_svn = 0xcafe,
	};
	struct crypto_rsa_key *key;
	struct sgx_sigstruct sig;
	uint8_t mr[32], zero[84] = { 0 };
	const uint8_t *b = (const uint8_t *)&sig;

	(void)state;
	memset(mr, 0xab, sizeof(mr));
	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &key, NULL, 0), 0);
	assert_int_equal(sigstruct_sign(&p, mr, key, &sig), 0);
	crypto_rsa_key_free(key);
	assert_hex(b, 16, "06000000e10000000000010000000000");
	assert_hex(b + 16, 8, "8680000031122520");
	assert_hex(b + 24, 16, "01010000600000006000000001000000");
	assert_hex(b + 40, 4, "efbeadde");
	assert_memory_equal(b + 44, zero, 84);
	assert_hex(b + 512, 4, "03000000");
	assert_hex(b + 900, 12, "01000000feffffff00000000");
	assert_hex(b + 928, 32, "0600000000000000e70000000000000011000000000000002200000000000000");
	assert_memory_equal(b + 960, mr, 32);
	assert_hex(b + 1024, 4, "efbefeca");
	assert_memory_equal(b + 1028, zero, 12);
	assert_int_equal(sigstruct_verify(&sig, NULL, 0), 0);
}

static void test_signed_message(void **state)
{
	struct sgx_sigstruct sig;
	uint8_t msg[SIGSTRUCT_MESSAGE_LEN], *b = (uint8_t *)&sig;

	(void)state;
	assert_int_equal(SIGSTRUCT_MESSAGE_LEN, 256);
	for (size_t i = 0; i < sizeof(sig); i++)
		b[i] = (uint8_t)(i * 7);
	sigstruct_signed_message(&sig, msg);
	assert_memory_equal(msg, b, 128);
	assert_memory_equal(msg + 128, b + 900, 128);
}

/* Verification failures */

static void test_verify_failures(void **state)
{
	struct sgx_sigstruct sig, good;

	(void)state;
	load_vector("synthetic.sig", &good);
	sig = good;
	sig.isv_svn ^= 1; /* a signed body field */
	assert_verify_fails(&sig, -EBADMSG, "SIGNATURE does not verify under MODULUS");
	sig = good;
	sig.header2[0] ^= 1; /* a signed header field */
	assert_verify_fails(&sig, -EBADMSG, "SIGNATURE does not verify");
	sig = good;
	sig.q2[0] ^= 1;
	assert_verify_fails(&sig, -EBADMSG, "Q1 or Q2 is wrong for SIGNATURE");
	sig = good;
	sig.exponent = 65537;
	assert_verify_fails(&sig, -EINVAL, "EXPONENT is 65537; SGX requires 3");
	sig = good;
	memcpy(sig.signature, sig.modulus, sizeof(sig.signature));
	assert_verify_fails(&sig, -EINVAL, "SIGNATURE is not below it");
	sig = good;
	sig.modulus[0] &= 0xfe;
	assert_verify_fails(&sig, -EINVAL, "MODULUS is even or zero");
}

/* Unsigned regions do not affect the signature (EINIT checks them elsewhere). */
static void test_verify_ignores_unsigned(void **state)
{
	struct sgx_sigstruct sig;

	(void)state;
	load_vector("synthetic.sig", &sig);
	sig.reserved4[0] = 1;
	assert_int_equal(sigstruct_verify(&sig, NULL, 0), 0);
}

/* Loading */

static void write_file(char *path, size_t len)
{
	static uint8_t zeros[4096];
	int fd;

	strcpy(path, "/tmp/vsgx-test-sig-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, zeros, len), (ssize_t)len);
	close(fd);
}

static void assert_load_fails(const char *path, int err, const char *msg)
{
	struct sgx_sigstruct sig;
	char why[256] = "";

	assert_int_equal(sigstruct_load(path, &sig, why, sizeof(why)), err);
	if (!strstr(why, msg))
		fail_msg("reason \"%s\" lacks \"%s\"", why, msg);
}

static void test_load_sizes(void **state)
{
	static const struct {
		size_t len;
		const char *msg;
	} cases[] = {
		{ 0, "0 bytes; a SIGSTRUCT is exactly 1808 bytes" },
		{ 1000, "1000 bytes; a SIGSTRUCT is exactly 1808 bytes" },
		{ 1807, "1807 bytes; a SIGSTRUCT is exactly 1808 bytes" },
		{ 1809, "1809 bytes; a SIGSTRUCT is exactly 1808 bytes" },
		{ 4096, "4096 bytes; a SIGSTRUCT is exactly 1808 bytes" },
	};
	struct sgx_sigstruct sig;
	char path[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(path, cases[i].len);
		assert_load_fails(path, -EINVAL, cases[i].msg);
		unlink(path);
	}
	write_file(path, 1808);
	assert_int_equal(sigstruct_load(path, &sig, NULL, 0), 0);
	assert_int_equal(sig.exponent, 0);
	unlink(path);
}

static void test_load_errors(void **state)
{
	(void)state;
	assert_load_fails("/nonexistent/x.sig", -ENOENT, "No such file or directory");
	assert_load_fails("/", -EISDIR, "Is a directory");
}

static void test_parse(void **state)
{
	static uint8_t buf[1809];
	struct sgx_sigstruct sig;
	char why[128];

	(void)state;
	buf[512] = 3;
	assert_int_equal(sigstruct_parse(buf, 1808, &sig, why, sizeof(why)), 0);
	assert_int_equal(sig.exponent, 3);
	assert_int_equal(sigstruct_parse(buf, 1809, &sig, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "1809 bytes; a SIGSTRUCT is exactly 1808 bytes");
	assert_int_equal(sigstruct_parse(buf, 0, &sig, NULL, 0), -EINVAL);
}

/* Parameters and dates */

static void test_defaults(void **state)
{
	struct sigstruct_params p;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	sigstruct_params_init_default(&p);
	assert_int_equal(p.vendor, 0);
	assert_int_equal(p.date, 0);
	assert_int_equal(p.swdefined, 0);
	assert_int_equal(p.attributes.flags, SGX_ATTR_MODE64BIT);
	assert_int_equal(p.attributes.xfrm, 0x3);
	assert_int_equal(p.attributes_mask.flags, 0xfffffffffffffffdull);
	assert_int_equal(p.attributes_mask.xfrm, 0xffffffffffffff1bull);
	assert_int_equal(p.miscselect, 0);
	assert_int_equal(p.miscmask, 0xffffffff);
	assert_int_equal(p.isv_prod_id, 0);
	assert_int_equal(p.isv_svn, 0);
}

static void test_date_valid(void **state)
{
	static const uint32_t good[][2] = {
		{ 20240101, 0x20240101 }, { 20240229, 0x20240229 }, { 20000229, 0x20000229 },
		{ 19991231, 0x19991231 }, { 10000101, 0x10000101 }, { 99991231, 0x99991231 },
		{ 20230430, 0x20230430 }, { 20230131, 0x20230131 },
	};
	uint32_t bcd;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bcd = 0;
		assert_int_equal(sigstruct_date_bcd(good[i][0], &bcd), 0);
		assert_int_equal(bcd, good[i][1]);
	}
}

static void test_date_invalid(void **state)
{
	static const uint32_t bad[] = {
		20230229, /* not a leap year */
		19000229, /* century, not a leap year */
		20240230,   20240431, 20240631, 20240931, 20241131, 20240132,
		20240001,   20241301, 20240100, 0,	  9991231, /* year 999 */
		100000101,					   /* year 10000 */
		UINT32_MAX,
	};
	uint32_t bcd = 0x77;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sigstruct_date_bcd(bad[i], &bcd), -EINVAL);
		assert_int_equal(bcd, 0x77);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		extra_vector_test(test_le_prod, "le_prod_css.bin"),
		vector_test(test_test_enclave),
		vector_test(test_synthetic_sig),
		vector_test(test_sign_synthetic),
		vector_test(test_sign_fields),
		cmocka_unit_test(test_signed_message),
		vector_test(test_verify_failures),
		vector_test(test_verify_ignores_unsigned),
		cmocka_unit_test(test_load_sizes),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
