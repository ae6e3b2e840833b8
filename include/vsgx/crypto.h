/* SPDX-License-Identifier: MIT */
/*
 * The few cryptographic primitives SGX is built from, over OpenSSL 3's
 * libcrypto: SHA-256 (MRENCLAVE, MRSIGNER), RSA-3072 with e = 3 (SIGSTRUCT),
 * AES-128-CMAC (key derivation, EINITTOKEN and REPORT MACs) and AES-128-GCM
 * (EWB/ELD page encryption).
 *
 * Big numbers in SGX structures are stored little-endian; every function here
 * that takes or returns a modulus, signature, Q1 or Q2 uses that byte order.
 *
 * Functions return 0 on success or a negative errno value: -ENOMEM when
 * libcrypto cannot allocate, -EINVAL for malformed input.
 */
#ifndef VSGX_CRYPTO_H
#define VSGX_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN     32
#define CRYPTO_RSA3072_LEN    384
#define CRYPTO_AES128_KEY_LEN 16
#define CRYPTO_CMAC_LEN	      16
#define CRYPTO_GCM_TAG_LEN    16
#define CRYPTO_GCM_IV_LEN     12

/* Length of the PKCS#1 v1.5 padding EINIT keeps: EM without the digest. */
#define CRYPTO_PKCS1_PADDING_LEN (CRYPTO_RSA3072_LEN - CRYPTO_SHA256_LEN)

struct crypto_sha256;

/* One-shot SHA-256 of (len) bytes at (data) into (out). */
int crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN]);

/*
 * Incremental SHA-256, for running measurements such as MRENCLAVE.
 * crypto_sha256_new() returns NULL when out of memory.
 * crypto_sha256_free() accepts NULL.
 * crypto_sha256_final() does not consume the state: the running hash can be
 * finalized (and updated) again.
 */
struct crypto_sha256 *crypto_sha256_new(void);
void crypto_sha256_free(struct crypto_sha256 *s);
int crypto_sha256_update(struct crypto_sha256 *s, const void *data, size_t len);
int crypto_sha256_final(const struct crypto_sha256 *s, uint8_t out[CRYPTO_SHA256_LEN]);

/* AES-128-CMAC of (len) bytes at (data) under (key). */
int crypto_aes_cmac(const uint8_t key[CRYPTO_AES128_KEY_LEN], const void *data, size_t len,
		    uint8_t out[CRYPTO_CMAC_LEN]);

/*
 * AES-128-CMAC with a kept key schedule, as a logical CPU keeps it for the
 * keys it derives: keyed once (crypto_cmac_set_key(), which may be called
 * again with another key, reusing the context), then each MAC costs only
 * its data. crypto_cmac_new() returns NULL when out of memory;
 * crypto_cmac_free() accepts NULL. Return: 0 or -ENOMEM.
 */
struct crypto_cmac;
struct crypto_cmac *crypto_cmac_new(void);
void crypto_cmac_free(struct crypto_cmac *c);
int crypto_cmac_set_key(struct crypto_cmac *c, const uint8_t key[CRYPTO_AES128_KEY_LEN]);
int crypto_cmac_mac(struct crypto_cmac *c, const void *data, size_t len,
		    uint8_t out[CRYPTO_CMAC_LEN]);

/*
 * AES-128-GCM over (len) bytes, with additional authenticated data (aad).
 * crypto_aes_gcm_decrypt() returns -EBADMSG when the tag does not verify, and
 * then leaves (out) unspecified: callers must not commit it.
 */
int crypto_aes_gcm_encrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			   const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad, size_t aad_len,
			   const void *in, size_t len, void *out, uint8_t tag[CRYPTO_GCM_TAG_LEN]);
int crypto_aes_gcm_decrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			   const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad, size_t aad_len,
			   const void *in, size_t len, void *out,
			   const uint8_t tag[CRYPTO_GCM_TAG_LEN]);

/*
 * The same AES-128-GCM with the key schedule kept between messages, for hot
 * paths (EWB/ELD): crypto_gcm_set_key() once, then any number of
 * crypto_gcm_seal() / crypto_gcm_open() calls, which behave as
 * crypto_aes_gcm_encrypt() / crypto_aes_gcm_decrypt() under that key. A
 * context is not thread-safe: use one per thread. crypto_gcm_new() returns
 * NULL when out of memory; crypto_gcm_free() accepts NULL.
 */
struct crypto_gcm;
struct crypto_gcm *crypto_gcm_new(void);
void crypto_gcm_free(struct crypto_gcm *g);
int crypto_gcm_set_key(struct crypto_gcm *g, const uint8_t key[CRYPTO_AES128_KEY_LEN]);
int crypto_gcm_seal(struct crypto_gcm *g, const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad,
		    size_t aad_len, const void *in, size_t len, void *out,
		    uint8_t tag[CRYPTO_GCM_TAG_LEN]);
int crypto_gcm_open(struct crypto_gcm *g, const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad,
		    size_t aad_len, const void *in, size_t len, void *out,
		    const uint8_t tag[CRYPTO_GCM_TAG_LEN]);

/*
 * The EMSA-PKCS1-v1_5 encoding of a SHA-256 digest in a 3072-bit modulus,
 * big-endian as RSA defines it: 00 01 FF..FF 00 DigestInfo digest.
 */
void crypto_pkcs1_sha256_encode(const uint8_t digest[CRYPTO_SHA256_LEN],
				uint8_t em[CRYPTO_RSA3072_LEN]);

/*
 * The public operation of an e = 3 key: em = sig^3 mod modulus, with (sig)
 * and (modulus) little-endian and (em) big-endian (ready to compare with
 * crypto_pkcs1_sha256_encode()). Also checks the Q1/Q2 values a SIGSTRUCT
 * carries for division-free verification, and sets *ret_q_ok to 1 when both
 * are exact. Returns -EINVAL when sig >= modulus or the modulus is even or zero.
 */
int crypto_rsa3072_e3_public(const uint8_t modulus[CRYPTO_RSA3072_LEN],
			     const uint8_t sig[CRYPTO_RSA3072_LEN],
			     const uint8_t q1[CRYPTO_RSA3072_LEN],
			     const uint8_t q2[CRYPTO_RSA3072_LEN], uint8_t em[CRYPTO_RSA3072_LEN],
			     int *ret_q_ok);

/* Q1 = floor(S^2 / N) and Q2 = floor(S * (S^2 mod N) / N), little-endian. */
int crypto_rsa3072_q1q2(const uint8_t modulus[CRYPTO_RSA3072_LEN],
			const uint8_t sig[CRYPTO_RSA3072_LEN], uint8_t q1[CRYPTO_RSA3072_LEN],
			uint8_t q2[CRYPTO_RSA3072_LEN]);

struct crypto_rsa_key;

/*
 * Load an RSA private key from a PEM file. Returns -ENOENT/-EACCES (any
 * -errno) for a file that cannot be read, -EINVAL if it holds no unencrypted
 * PEM private key, and -EKEYREJECTED for a key SGX cannot use: not RSA, or
 * not 3072 bits with public exponent 3. (why) receives a one-line reason that
 * says what to fix, if not NULL; it does not repeat (path), so callers print
 * "<path>: <why>".
 */
int crypto_rsa_key_load(const char *path, struct crypto_rsa_key **ret, char *why, size_t why_len);
void crypto_rsa_key_free(struct crypto_rsa_key *key);

/* The key's modulus, little-endian. */
int crypto_rsa_key_modulus(const struct crypto_rsa_key *key, uint8_t out[CRYPTO_RSA3072_LEN]);

/*
 * RSASSA-PKCS1-v1_5 with SHA-256 over (len) bytes of (msg); the signature is
 * written little-endian, as a SIGSTRUCT stores it. Deterministic.
 */
int crypto_rsa_sign(const struct crypto_rsa_key *key, const void *msg, size_t len,
		    uint8_t sig[CRYPTO_RSA3072_LEN]);

#endif /* VSGX_CRYPTO_H */
