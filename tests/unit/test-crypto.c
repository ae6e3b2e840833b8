/* SPDX-License-Identifier: MIT */
/*
 * The crypto primitives against published test vectors (FIPS 180-2 SHA-256,
 * RFC 4493 AES-CMAC, the GCM specification's test cases) and against the
 * real SIGSTRUCTs in the vectors folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "vsgx/arch.h"
#include "vsgx/crypto.h"

#include "vectors.h"

/* Helpers */

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static void read_vector(const char *name, void *buf, size_t len)
{
	const char *path = vector_path(name);
	FILE *f;

	if (!path)
		skip();
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
}

/* SHA-256 */

static void test_sha256_known(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(crypto_sha256("", 0, out), 0);
	assert_hex(out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(crypto_sha256("abc", 3, out), 0);
	assert_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_incremental(void **state)
{
	static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct crypto_sha256 *s = crypto_sha256_new();
	uint8_t out[32], again[32];

	(void)state;
	assert_non_null(s);
	assert_int_equal(crypto_sha256_update(s, msg, 10), 0);
	assert_int_equal(crypto_sha256_update(s, msg + 10, 0), 0);
	assert_int_equal(crypto_sha256_update(s, msg + 10, strlen(msg) - 10), 0);
	assert_int_equal(crypto_sha256_final(s, out), 0);
	assert_hex(out, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* Finalizing does not consume the state. */
	assert_int_equal(crypto_sha256_final(s, again), 0);
	assert_memory_equal(out, again, 32);
	crypto_sha256_free(s);
	crypto_sha256_free(NULL);
}

static void test_sha256_final_then_update(void **state)
{
	struct crypto_sha256 *s = crypto_sha256_new();
	uint8_t mid[32], end[32];

	(void)state;
	assert_non_null(s);
	assert_int_equal(crypto_sha256_update(s, "ab", 2), 0);
	assert_int_equal(crypto_sha256_final(s, mid), 0);
	assert_int_equal(crypto_sha256_update(s, "c", 1), 0);
	assert_int_equal(crypto_sha256_final(s, end), 0);
	assert_hex(mid, 32, "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603");
	assert_hex(end, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_free(s);
}

/* MRENCLAVE of synthetic.sgxs, fed one 64-byte block at a time as EINIT sees it. */
static void test_sha256_mrenclave_blocks(void **state)
{
	static uint8_t stream[15680];
	struct crypto_sha256 *s;
	uint8_t out[32];

	(void)state;
	read_vector("synthetic.sgxs", stream, sizeof(stream));
	s = crypto_sha256_new();
	assert_non_null(s);
	for (size_t off = 0; off < sizeof(stream); off += 64) {
		assert_int_equal(crypto_sha256_update(s, stream + off, 64), 0);
		if (off == 0) {
			assert_int_equal(crypto_sha256_final(s, out), 0);
			assert_hex(out, 32,
				   "1ae08d565db91bba3113eb03c476049ee802c1df05465ddf7cbebfd2"
				   "56e60114");
		}
		if (off == 64) {
			assert_int_equal(crypto_sha256_final(s, out), 0);
			assert_hex(out, 32,
				   "d3e8f27e36764f4d42a82f773913ba782e51d6ca840678e027e7bdc6"
				   "14e6b003");
		}
	}
	assert_int_equal(crypto_sha256_final(s, out), 0);
	assert_hex(out, 32, "b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd");
	crypto_sha256_free(s);
}

/* The algorithms are fetched once; many threads racing to be first must agree. */
static void *sha256_thread(void *arg)
{
	uint8_t *out = arg;

	crypto_sha256("abc", 3, out);
	return NULL;
}

static void test_sha256_threads(void **state)
{
	pthread_t t[8];
	uint8_t out[8][32];

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sha256_thread, out[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_hex(out[i], 32,
			   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
}

/* AES-128-CMAC: RFC 4493 section 4 */

static void test_cmac_rfc4493(void **state)
{
	static const char *msg = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
				 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const struct {
		size_t len;
		const char *mac;
	} cases[] = {
		{ 0, "bb1d6929e95937287fa37d129b756746" },
		{ 16, "070a16b46b4d4144f79bdd9dd04a287c" },
		{ 40, "dfa66747de9ae63030ca32611497c827" },
		{ 64, "51f0bebf7e3b9d92fc49741779363cfe" },
	};
	uint8_t key[16], data[64], mac[16];

	(void)state;
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key);
	unhex(msg, data);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(crypto_aes_cmac(key, data, cases[i].len, mac), 0);
		assert_hex(mac, 16, cases[i].mac);
	}
}

/*
 * The kept context gives RFC 4493's MACs for every message under one key,
 * in any order, and after a change of key and back: no state of one MAC
 * leaks into the next.
 */
static void test_cmac_kept_key(void **state)
{
	static const char *msg = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
				 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	uint8_t key[16], other[16], data[64], mac[16], want[16];
	struct crypto_cmac *c = crypto_cmac_new();

	(void)state;
	assert_non_null(c);
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key);
	unhex(msg, data);
	memset(other, 0x5a, sizeof(other));
	/* Unkeyed, a MAC is refused rather than made under no key. */
	assert_int_equal(crypto_cmac_mac(c, data, 16, mac), -ENOMEM);
	assert_int_equal(crypto_cmac_set_key(c, key), 0);
	assert_int_equal(crypto_cmac_mac(c, data, 64, mac), 0);
	assert_hex(mac, 16, "51f0bebf7e3b9d92fc49741779363cfe");
	assert_int_equal(crypto_cmac_mac(c, data, 16, mac), 0);
	assert_hex(mac, 16, "070a16b46b4d4144f79bdd9dd04a287c");
	assert_int_equal(crypto_cmac_set_key(c, other), 0);
	assert_int_equal(crypto_cmac_mac(c, data, 40, mac), 0);
	assert_int_equal(crypto_aes_cmac(other, data, 40, want), 0);
	assert_memory_equal(mac, want, 16);
	assert_int_equal(crypto_cmac_set_key(c, key), 0);
	assert_int_equal(crypto_cmac_mac(c, data, 0, mac), 0);
	assert_hex(mac, 16, "bb1d6929e95937287fa37d129b756746");
	crypto_cmac_free(c);
	crypto_cmac_free(NULL);
}

/*
 * The kept context against the one-shot CMAC for every shape of message:
 * empty, partial and whole last blocks, the 648 bytes of KEYDEPENDENCIES,
 * and messages longer than one chunk of the context's buffer (1 KiB), in
 * turn under one key and after a re-key: a MAC never depends on the one
 * before it.
 */
static void test_cmac_kept_lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 384, 648, 1008, 1023, 1024, 1025, 3000 };
	uint8_t key[16], key2[16], data[3000], mac[16], want[16];
	struct crypto_cmac *c = crypto_cmac_new();

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	memset(key, 0x3c, sizeof(key));
	memset(key2, 0xc3, sizeof(key2));
	assert_int_equal(crypto_cmac_set_key(c, key), 0);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			const uint8_t *k = pass ? key2 : key;

			if (pass)
				assert_int_equal(crypto_cmac_set_key(c, key2), 0);
			assert_int_equal(crypto_cmac_mac(c, data, lens[i], mac), 0);
			assert_int_equal(crypto_aes_cmac(k, data, lens[i], want), 0);
			assert_memory_equal(mac, want, 16);
		}
	}
	crypto_cmac_free(c);
}

/* AES-128-GCM: test cases 1, 2 and 4 of the GCM specification */

static void test_gcm_zero_key(void **state)
{
	uint8_t key[16] = { 0 }, iv[12] = { 0 }, in[16] = { 0 }, out[16], tag[16];

	(void)state;
	assert_int_equal(crypto_aes_gcm_encrypt(key, iv, NULL, 0, NULL, 0, NULL, tag), 0);
	assert_hex(tag, 16, "58e2fccefa7e3061367f1d57a4e7455a");
	assert_int_equal(crypto_aes_gcm_encrypt(key, iv, NULL, 0, in, 16, out, tag), 0);
	assert_hex(out, 16, "0388dace60b6a392f328c2b971b2fe78");
	assert_hex(tag, 16, "ab6e47d42cec13bdf53a67b21257bddf");
}

struct gcm_case4 {
	uint8_t key[16], iv[12], aad[20], plain[60], cipher[60], tag[16];
};

static void gcm_case4_init(struct gcm_case4 *c)
{
	unhex("feffe9928665731c6d6a8f9467308308", c->key);
	unhex("cafebabefacedbaddecaf888", c->iv);
	unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", c->aad);
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	      c->plain);
}

static void test_gcm_with_aad(void **state)
{
	struct gcm_case4 c;

	(void)state;
	gcm_case4_init(&c);
	assert_int_equal(crypto_aes_gcm_encrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.plain,
						sizeof(c.plain), c.cipher, c.tag),
			 0);
	assert_hex(c.cipher, sizeof(c.cipher),
		   "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091");
	assert_hex(c.tag, 16, "5bc94fbc3221a5db94fae95ae7121a47");
}

static void test_gcm_decrypt(void **state)
{
	struct gcm_case4 c;
	uint8_t out[60];

	(void)state;
	gcm_case4_init(&c);
	assert_int_equal(crypto_aes_gcm_encrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.plain,
						sizeof(c.plain), c.cipher, c.tag),
			 0);
	assert_int_equal(crypto_aes_gcm_decrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.cipher,
						sizeof(c.cipher), out, c.tag),
			 0);
	assert_memory_equal(out, c.plain, sizeof(out));
}

static void test_gcm_tamper(void **state)
{
	struct gcm_case4 c;
	uint8_t out[60];

	(void)state;
	gcm_case4_init(&c);
	assert_int_equal(crypto_aes_gcm_encrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.plain,
						sizeof(c.plain), c.cipher, c.tag),
			 0);
	c.tag[15] ^= 1;
	assert_int_equal(crypto_aes_gcm_decrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.cipher,
						sizeof(c.cipher), out, c.tag),
			 -EBADMSG);
	c.tag[15] ^= 1;
	c.cipher[0] ^= 0x80;
	assert_int_equal(crypto_aes_gcm_decrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.cipher,
						sizeof(c.cipher), out, c.tag),
			 -EBADMSG);
	c.cipher[0] ^= 0x80;
	c.aad[19] ^= 1;
	assert_int_equal(crypto_aes_gcm_decrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.cipher,
						sizeof(c.cipher), out, c.tag),
			 -EBADMSG);
	c.aad[19] ^= 1;
	c.iv[0] ^= 1;
	assert_int_equal(crypto_aes_gcm_decrypt(c.key, c.iv, c.aad, sizeof(c.aad), c.cipher,
						sizeof(c.cipher), out, c.tag),
			 -EBADMSG);
}

/* PKCS#1 v1.5 and the e = 3 public operation */

static void test_pkcs1_encode(void **state)
{
	uint8_t digest[32], em[384];

	(void)state;
	for (int i = 0; i < 32; i++)
		digest[i] = (uint8_t)i;
	crypto_pkcs1_sha256_encode(digest, em);
	assert_int_equal(em[0], 0x00);
	assert_int_equal(em[1], 0x01);
	for (int i = 2; i < 332; i++)
		assert_int_equal(em[i], 0xff);
	assert_int_equal(em[332], 0x00);
	assert_hex(em + 333, 19, "3031300d060960864801650304020105000420");
	assert_memory_equal(em + 352, digest, 32);
	assert_int_equal(CRYPTO_PKCS1_PADDING_LEN, 352);
}

static void le_number(uint8_t out[384], uint64_t v)
{
	memset(out, 0, 384);
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

/* 7^3 mod 55 = 13; 7^2 = 0 * 55 + 49; 7 * 49 = 6 * 55 + 13. */
static void test_e3_small(void **state)
{
	uint8_t n[384], s[384], q1[384], q2[384], em[384], want[384];
	int q_ok = -1;

	(void)state;
	le_number(n, 55);
	le_number(s, 7);
	assert_int_equal(crypto_rsa3072_q1q2(n, s, q1, q2), 0);
	le_number(want, 0);
	assert_memory_equal(q1, want, 384);
	le_number(want, 6);
	assert_memory_equal(q2, want, 384);
	assert_int_equal(crypto_rsa3072_e3_public(n, s, q1, q2, em, &q_ok), 0);
	assert_int_equal(q_ok, 1);
	memset(want, 0, sizeof(want));
	want[383] = 13; /* big-endian */
	assert_memory_equal(em, want, 384);
	q2[0] = 5;
	assert_int_equal(crypto_rsa3072_e3_public(n, s, q1, q2, em, &q_ok), 0);
	assert_int_equal(q_ok, 0);
	assert_int_equal(crypto_rsa3072_e3_public(n, s, NULL, NULL, em, NULL), 0);
}

static void test_e3_rejects(void **state)
{
	uint8_t n[384], s[384], q1[384] = { 0 }, q2[384] = { 0 }, em[384];
	int q_ok;

	(void)state;
	le_number(n, 55);
	le_number(s, 55); /* sig == modulus */
	assert_int_equal(crypto_rsa3072_e3_public(n, s, q1, q2, em, &q_ok), -EINVAL);
	assert_int_equal(crypto_rsa3072_q1q2(n, s, q1, q2), -EINVAL);
	le_number(n, 56); /* even */
	le_number(s, 7);
	assert_int_equal(crypto_rsa3072_e3_public(n, s, q1, q2, em, &q_ok), -EINVAL);
	le_number(n, 0);
	le_number(s, 0);
	assert_int_equal(crypto_rsa3072_e3_public(n, s, q1, q2, em, &q_ok), -EINVAL);
	assert_int_equal(crypto_rsa3072_q1q2(n, s, q1, q2), -EINVAL);
}

/* A real SIGSTRUCT verifies: S^3 mod N is the encoding of SHA-256(header || body). */
static void check_sigstruct_file(const char *name)
{
	struct sgx_sigstruct sig;
	uint8_t msg[256], digest[32], em[384], want[384], q1[384], q2[384];
	int q_ok = 0;

	read_vector(name, &sig, sizeof(sig));
	memcpy(msg, &sig, 128);
	memcpy(msg + 128, (uint8_t *)&sig + 900, 128);
	assert_int_equal(crypto_sha256(msg, sizeof(msg), digest), 0);
	crypto_pkcs1_sha256_encode(digest, want);
	assert_int_equal(
	    crypto_rsa3072_e3_public(sig.modulus, sig.signature, sig.q1, sig.q2, em, &q_ok), 0);
	assert_memory_equal(em, want, 384);
	assert_int_equal(q_ok, 1);
	assert_int_equal(crypto_rsa3072_q1q2(sig.modulus, sig.signature, q1, q2), 0);
	assert_memory_equal(q1, sig.q1, 384);
	assert_memory_equal(q2, sig.q2, 384);
	/* One flipped bit of Q1 is caught. */
	sig.q1[100] ^= 4;
	assert_int_equal(
	    crypto_rsa3072_e3_public(sig.modulus, sig.signature, sig.q1, sig.q2, em, &q_ok), 0);
	assert_int_equal(q_ok, 0);
}

static void test_e3_le_prod(void **state)
{
	(void)state;
	check_sigstruct_file("le_prod_css.bin");
}

static void test_e3_test_enclave(void **state)
{
	(void)state;
	check_sigstruct_file("test_enclave.sig");
}

static void test_e3_synthetic(void **state)
{
	(void)state;
	check_sigstruct_file("synthetic.sig");
}

/* RSA keys */

static void test_key_load_and_sign(void **state)
{
	const char *path = vector_path("sign_key.pem");
	struct crypto_rsa_key *key = NULL;
	struct sgx_sigstruct ref;
	uint8_t modulus[384], sig[384], sig2[384], digest[32], em[384], want[384];
	char why[256];

	(void)state;
	if (!path)
		skip();
	assert_int_equal(crypto_rsa_key_load(path, &key, why, sizeof(why)), 0);
	assert_int_equal(crypto_rsa_key_modulus(key, modulus), 0);
	read_vector("synthetic.sig", &ref, sizeof(ref));
	assert_memory_equal(modulus, ref.modulus, 384);
	assert_int_equal(crypto_rsa_sign(key, "hello", 5, sig), 0);
	assert_int_equal(crypto_rsa_sign(key, "hello", 5, sig2), 0);
	assert_memory_equal(sig, sig2, 384); /* deterministic */
	assert_int_equal(crypto_rsa3072_e3_public(modulus, sig, NULL, NULL, em, NULL), 0);
	assert_int_equal(crypto_sha256("hello", 5, digest), 0);
	crypto_pkcs1_sha256_encode(digest, want);
	assert_memory_equal(em, want, 384);
	crypto_rsa_key_free(key);
	crypto_rsa_key_free(NULL);
}

/* Temporary files for keys SGX must refuse. */
struct keyfile {
	char path[64];
};

static void keyfile_write(struct keyfile *k, EVP_PKEY *pkey, const EVP_CIPHER *enc)
{
	FILE *f;
	int fd;

	strcpy(k->path, "/tmp/vsgx-test-key-XXXXXX");
	fd = mkstemp(k->path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, pkey, enc, enc ? (unsigned char *)"secret" : NULL,
					      enc ? 6 : 0, NULL, NULL),
			 1);
	fclose(f);
	EVP_PKEY_free(pkey);
}

static EVP_PKEY *rsa_keygen(unsigned int bits, unsigned int e)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn_e = BN_new();

	assert_non_null(ctx);
	assert_non_null(bn_e);
	assert_true(BN_set_word(bn_e, e));
	assert_true(EVP_PKEY_keygen_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) > 0);
	assert_true(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn_e) > 0);
	assert_true(EVP_PKEY_keygen(ctx, &pkey) > 0);
	BN_free(bn_e);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static void assert_key_refused(const char *path, int err, const char *msg)
{
	struct crypto_rsa_key *key = NULL;
	char why[256] = "";

	assert_int_equal(crypto_rsa_key_load(path, &key, why, sizeof(why)), err);
	assert_null(key);
	if (!strstr(why, msg))
		fail_msg("reason \"%s\" lacks \"%s\"", why, msg);
}

static void test_key_wrong_size(void **state)
{
	struct keyfile k;

	(void)state;
	keyfile_write(&k, rsa_keygen(2048, 3), NULL);
	assert_key_refused(k.path, -EKEYREJECTED,
			   "RSA key is 2048 bits; SGX needs a 3072-bit RSA key with public "
			   "exponent 3");
	unlink(k.path);
}

static void test_key_wrong_exponent(void **state)
{
	struct keyfile k;

	(void)state;
	keyfile_write(&k, rsa_keygen(3072, 65537), NULL);
	assert_key_refused(k.path, -EKEYREJECTED, "RSA public exponent is 65537; SGX needs");
	unlink(k.path);
}

static void test_key_not_rsa(void **state)
{
	struct keyfile k;

	(void)state;
	keyfile_write(&k, EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), NULL);
	assert_key_refused(k.path, -EKEYREJECTED, "key is EC, not RSA");
	unlink(k.path);
}

static void test_key_encrypted(void **state)
{
	struct keyfile k;

	(void)state;
	keyfile_write(&k, rsa_keygen(2048, 3), EVP_aes_128_cbc());
	assert_key_refused(k.path, -EINVAL, "no PEM private key found (or it is encrypted)");
	unlink(k.path);
}

static void test_key_not_pem(void **state)
{
	char path[] = "/tmp/vsgx-test-key-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a key\n", 10), 10);
	close(fd);
	assert_key_refused(path, -EINVAL, "no PEM private key found");
	unlink(path);
	assert_key_refused("/nonexistent/key.pem", -ENOENT, "cannot open the key: ");
	assert_int_equal(crypto_rsa_key_load("/nonexistent/key.pem",
					     &(struct crypto_rsa_key *){ NULL }, NULL, 0),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known),
		cmocka_unit_test(test_sha256_incremental),
		cmocka_unit_test(test_sha256_final_then_update),
		vector_test(test_sha256_mrenclave_blocks),
		cmocka_unit_test(test_sha256_threads),
		cmocka_unit_test(test_cmac_rfc4493),
		cmocka_unit_test(test_cmac_kept_key),
		cmocka_unit_test(test_cmac_kept_lengths),
		cmocka_unit_test(test_gcm_zero_key),
		cmocka_unit_test(test_gcm_with_aad),
		cmocka_unit_test(test_gcm_decrypt),
		cmocka_unit_test(test_gcm_tamper),
		cmocka_unit_test(test_pkcs1_encode),
		cmocka_unit_test(test_e3_small),
		cmocka_unit_test(test_e3_rejects),
		extra_vector_test(test_e3_le_prod, "le_prod_css.bin"),
		vector_test(test_e3_test_enclave),
		vector_test(test_e3_synthetic),
		vector_test(test_key_load_and_sign),
		cmocka_unit_test(test_key_wrong_size),
		cmocka_unit_test(test_key_wrong_exponent),
		cmocka_unit_test(test_key_not_rsa),
		cmocka_unit_test(test_key_encrypted),
		cmocka_unit_test(test_key_not_pem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
