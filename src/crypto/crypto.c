/* SPDX-License-Identifier: MIT */
#include "vsgx/crypto.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

/*
 * Algorithms are fetched once: an implicit fetch on every EVP call costs a
 * lock and a provider lookup, which would dominate the 64-byte updates
 * MRENCLAVE is made of. The fetched objects live until exit.
 */
static EVP_MD *crypto_md_sha256;
static EVP_MAC *crypto_mac_cmac;
static EVP_CIPHER *crypto_cipher_gcm;
static EVP_CIPHER *crypto_cipher_cbc;
static pthread_once_t crypto_fetch_once = PTHREAD_ONCE_INIT;

static void crypto_fetch_all(void)
{
	crypto_md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	crypto_mac_cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	crypto_cipher_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	crypto_cipher_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
}

static const EVP_MD *crypto_sha256_md(void)
{
	pthread_once(&crypto_fetch_once, crypto_fetch_all);
	return crypto_md_sha256;
}

static EVP_MAC *crypto_cmac_alg(void)
{
	pthread_once(&crypto_fetch_once, crypto_fetch_all);
	return crypto_mac_cmac;
}

static const EVP_CIPHER *crypto_gcm_cipher(void)
{
	pthread_once(&crypto_fetch_once, crypto_fetch_all);
	return crypto_cipher_gcm;
}

/* SHA-256 */

int crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
	const EVP_MD *md = crypto_sha256_md();

	if (!md || !EVP_Digest(data, len, out, NULL, md, NULL))
		return -ENOMEM;
	return 0;
}

struct crypto_sha256 {
	EVP_MD_CTX *ctx;
};

struct crypto_sha256 *crypto_sha256_new(void)
{
	const EVP_MD *md = crypto_sha256_md();
	struct crypto_sha256 *s;

	if (!md)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx)
		goto err_free;
	if (!EVP_DigestInit_ex2(s->ctx, md, NULL))
		goto err_ctx;
	return s;

err_ctx:
	EVP_MD_CTX_free(s->ctx);
err_free:
	free(s);
	return NULL;
}

void crypto_sha256_free(struct crypto_sha256 *s)
{
	if (!s)
		return;
	EVP_MD_CTX_free(s->ctx);
	free(s);
}

int crypto_sha256_update(struct crypto_sha256 *s, const void *data, size_t len)
{
	return EVP_DigestUpdate(s->ctx, data, len) ? 0 : -ENOMEM;
}

/* Finalize a copy, so the running hash can go on (EINIT reads MRENCLAVE). */
int crypto_sha256_final(const struct crypto_sha256 *s, uint8_t out[CRYPTO_SHA256_LEN])
{
	EVP_MD_CTX *tmp = EVP_MD_CTX_new();
	int ret = -ENOMEM;

	if (!tmp)
		return -ENOMEM;
	if (EVP_MD_CTX_copy_ex(tmp, s->ctx) && EVP_DigestFinal_ex(tmp, out, NULL))
		ret = 0;
	EVP_MD_CTX_free(tmp);
	return ret;
}

/* AES-128-CMAC */

int crypto_aes_cmac(const uint8_t key[CRYPTO_AES128_KEY_LEN], const void *data, size_t len,
		    uint8_t out[CRYPTO_CMAC_LEN])
{
	EVP_MAC *mac = crypto_cmac_alg();
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx;
	size_t out_len;
	int ret = -ENOMEM;

	if (!mac)
		return -ENOMEM;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		return -ENOMEM;
	if (EVP_MAC_init(ctx, key, CRYPTO_AES128_KEY_LEN, params) &&
	    EVP_MAC_update(ctx, data, len) && EVP_MAC_final(ctx, out, &out_len, CRYPTO_CMAC_LEN))
		ret = 0;
	EVP_MAC_CTX_free(ctx);
	return ret;
}

/*
 * The kept CMAC context, computed as RFC 4493 defines CMAC: AES-128-CBC of
 * the message with a zero IV, its last block first XORed with a subkey (K1
 * when whole, K2 after 10* padding), the last ciphertext block being the
 * MAC. OpenSSL's CMAC feeds the cipher one block per call and restarts it
 * through the provider for every message; here one CBC context keyed once
 * encrypts a whole message in one call, and is never restarted: its IV runs
 * on from the last block of the previous message (chain), so the message's
 * first block is XORed with that block first, which is CBC from a zero IV.
 */
#define CMAC_BLOCK	  16
#define CMAC_CHUNK_BLOCKS 64

struct crypto_cmac {
	EVP_CIPHER_CTX *ctx; /* AES-128-CBC, encrypting, no padding */
	uint8_t k1[CMAC_BLOCK], k2[CMAC_BLOCK];
	uint8_t chain[CMAC_BLOCK]; /* the context's IV now: the last block it encrypted */
	bool cipher_set;	   /* the cipher is named (once) */
	bool keyed;
};

struct crypto_cmac *crypto_cmac_new(void)
{
	struct crypto_cmac *c;

	pthread_once(&crypto_fetch_once, crypto_fetch_all);
	if (!crypto_cipher_cbc)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ctx = EVP_CIPHER_CTX_new();
	if (!c->ctx) {
		free(c);
		return NULL;
	}
	return c;
}

void crypto_cmac_free(struct crypto_cmac *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ctx);
	OPENSSL_cleanse(c->k1, sizeof(c->k1));
	OPENSSL_cleanse(c->k2, sizeof(c->k2));
	free(c);
}

/* RFC 4493's doubling in GF(2^128): shift left by one, reduce by 0x87. */
static void cmac_double(const uint8_t in[CMAC_BLOCK], uint8_t out[CMAC_BLOCK])
{
	uint8_t carry = in[0] >> 7;

	for (int i = 0; i < CMAC_BLOCK - 1; i++)
		out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
	out[CMAC_BLOCK - 1] = (uint8_t)(in[CMAC_BLOCK - 1] << 1 ^ (carry ? 0x87 : 0));
}

/* Encrypt (len) bytes in place, a multiple of the block; the last one becomes the chain. */
static int cmac_cbc(struct crypto_cmac *c, uint8_t *buf, size_t len)
{
	int out_len;

	if (!EVP_EncryptUpdate(c->ctx, buf, &out_len, buf, (int)len) || (size_t)out_len != len)
		return -ENOMEM;
	memcpy(c->chain, buf + len - CMAC_BLOCK, CMAC_BLOCK);
	return 0;
}

int crypto_cmac_set_key(struct crypto_cmac *c, const uint8_t key[CRYPTO_AES128_KEY_LEN])
{
	static const uint8_t zero[CMAC_BLOCK];
	uint8_t l[CMAC_BLOCK] = { 0 };

	c->keyed = false;
	if (!EVP_EncryptInit_ex2(c->ctx, c->cipher_set ? NULL : crypto_cipher_cbc, key, zero, NULL))
		return -ENOMEM;
	if (!c->cipher_set && !EVP_CIPHER_CTX_set_padding(c->ctx, 0))
		return -ENOMEM;
	c->cipher_set = true;
	/* L = AES(K, 0): the first block from a zero IV, which also starts the chain. */
	if (cmac_cbc(c, l, sizeof(l)))
		return -ENOMEM;
	cmac_double(l, c->k1);
	cmac_double(c->k1, c->k2);
	OPENSSL_cleanse(l, sizeof(l));
	c->keyed = true;
	return 0;
}

/* The message's last block as CMAC encrypts it: whole XOR K1, or padded XOR K2. */
static void cmac_last(const struct crypto_cmac *c, const uint8_t *data, size_t len, uint8_t *block)
{
	size_t rem = len % CMAC_BLOCK, off = len - (rem ? rem : (len ? CMAC_BLOCK : 0));
	const uint8_t *k = len && !rem ? c->k1 : c->k2;

	memset(block, 0, CMAC_BLOCK);
	memcpy(block, data + off, len - off);
	if (len - off < CMAC_BLOCK)
		block[len - off] = 0x80;
	for (int i = 0; i < CMAC_BLOCK; i++)
		block[i] ^= k[i];
}

int crypto_cmac_mac(struct crypto_cmac *c, const void *data, size_t len,
		    uint8_t out[CRYPTO_CMAC_LEN])
{
	_Alignas(64) uint8_t buf[CMAC_CHUNK_BLOCKS * CMAC_BLOCK];
	size_t blocks = len ? (len + CMAC_BLOCK - 1) / CMAC_BLOCK : 1, done = 0;
	const uint8_t *d = data;

	if (!c->keyed)
		return -ENOMEM;
	while (done < blocks) {
		size_t n = blocks - done < CMAC_CHUNK_BLOCKS ? blocks - done : CMAC_CHUNK_BLOCKS;
		bool last = done + n == blocks;

		/* Whole blocks of the message, then the last one made as CMAC makes it. */
		memcpy(buf, d + done * CMAC_BLOCK, (n - last) * CMAC_BLOCK);
		if (last)
			cmac_last(c, d, len, buf + (n - 1) * CMAC_BLOCK);
		/* From the chain as if from a zero IV: the IV is XORed in, so cancel it. */
		if (!done) {
			for (int i = 0; i < CMAC_BLOCK; i++)
				buf[i] ^= c->chain[i];
		}
		if (cmac_cbc(c, buf, n * CMAC_BLOCK)) {
			/* The chain is unknown now: refuse until keyed again. */
			c->keyed = false;
			return -ENOMEM;
		}
		done += n;
	}
	memcpy(out, c->chain, CRYPTO_CMAC_LEN);
	/* The message may hold secrets (KEYDEPENDENCIES hold the seal fuses). */
	OPENSSL_cleanse(buf,
			(blocks < CMAC_CHUNK_BLOCKS ? blocks : CMAC_CHUNK_BLOCKS) * CMAC_BLOCK);
	return 0;
}

/* AES-128-GCM */

/* Feed (len) bytes through the cipher; EVP counts in int. */
static int crypto_gcm_update(EVP_CIPHER_CTX *ctx, void *out, const void *in, size_t len)
{
	int out_len;

	if (!len)
		return 0;
	if (len > INT_MAX)
		return -EINVAL;
	if (!EVP_CipherUpdate(ctx, out, &out_len, in, (int)len))
		return -ENOMEM;
	return 0;
}

static EVP_CIPHER_CTX *crypto_gcm_start(const uint8_t *key, const uint8_t *iv, int enc,
					const void *aad, size_t aad_len)
{
	const EVP_CIPHER *cipher = crypto_gcm_cipher();
	EVP_CIPHER_CTX *ctx;

	if (!cipher)
		return NULL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return NULL;
	/* The default GCM IV length is 12 bytes, CRYPTO_GCM_IV_LEN. */
	if (!EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL))
		goto err_ctx;
	if (crypto_gcm_update(ctx, NULL, aad, aad_len))
		goto err_ctx;
	return ctx;

err_ctx:
	EVP_CIPHER_CTX_free(ctx);
	return NULL;
}

int crypto_aes_gcm_encrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			   const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad, size_t aad_len,
			   const void *in, size_t len, void *out, uint8_t tag[CRYPTO_GCM_TAG_LEN])
{
	EVP_CIPHER_CTX *ctx;
	uint8_t last[16];
	int last_len, ret;

	if (len > INT_MAX || aad_len > INT_MAX)
		return -EINVAL;
	ctx = crypto_gcm_start(key, iv, 1, aad, aad_len);
	if (!ctx)
		return -ENOMEM;
	ret = crypto_gcm_update(ctx, out, in, len);
	if (!ret && (!EVP_EncryptFinal_ex(ctx, last, &last_len) ||
		     !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_LEN, tag)))
		ret = -ENOMEM;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int crypto_aes_gcm_decrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			   const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad, size_t aad_len,
			   const void *in, size_t len, void *out,
			   const uint8_t tag[CRYPTO_GCM_TAG_LEN])
{
	EVP_CIPHER_CTX *ctx;
	uint8_t last[16], expect[CRYPTO_GCM_TAG_LEN];
	int last_len, ret;

	if (len > INT_MAX || aad_len > INT_MAX)
		return -EINVAL;
	ctx = crypto_gcm_start(key, iv, 0, aad, aad_len);
	if (!ctx)
		return -ENOMEM;
	memcpy(expect, tag, sizeof(expect));
	ret = crypto_gcm_update(ctx, out, in, len);
	if (!ret && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_LEN, expect))
		ret = -ENOMEM;
	if (!ret && EVP_DecryptFinal_ex(ctx, last, &last_len) <= 0)
		ret = -EBADMSG;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/*
 * AES-128-GCM with a kept key schedule: one context per direction, keyed
 * once, so each message costs only its IV setup and its data.
 */
struct crypto_gcm {
	EVP_CIPHER_CTX *enc, *dec;
};

struct crypto_gcm *crypto_gcm_new(void)
{
	struct crypto_gcm *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->enc = EVP_CIPHER_CTX_new();
	g->dec = EVP_CIPHER_CTX_new();
	if (!g->enc || !g->dec) {
		crypto_gcm_free(g);
		return NULL;
	}
	return g;
}

void crypto_gcm_free(struct crypto_gcm *g)
{
	if (!g)
		return;
	EVP_CIPHER_CTX_free(g->enc);
	EVP_CIPHER_CTX_free(g->dec);
	free(g);
}

int crypto_gcm_set_key(struct crypto_gcm *g, const uint8_t key[CRYPTO_AES128_KEY_LEN])
{
	const EVP_CIPHER *cipher = crypto_gcm_cipher();

	if (!cipher || !EVP_CipherInit_ex2(g->enc, cipher, key, NULL, 1, NULL) ||
	    !EVP_CipherInit_ex2(g->dec, cipher, key, NULL, 0, NULL))
		return -ENOMEM;
	return 0;
}

int crypto_gcm_seal(struct crypto_gcm *g, const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad,
		    size_t aad_len, const void *in, size_t len, void *out,
		    uint8_t tag[CRYPTO_GCM_TAG_LEN])
{
	uint8_t last[16];
	int last_len;

	if (len > INT_MAX || aad_len > INT_MAX)
		return -EINVAL;
	if (!EVP_CipherInit_ex2(g->enc, NULL, NULL, iv, 1, NULL) ||
	    crypto_gcm_update(g->enc, NULL, aad, aad_len) ||
	    crypto_gcm_update(g->enc, out, in, len) ||
	    !EVP_EncryptFinal_ex(g->enc, last, &last_len) ||
	    !EVP_CIPHER_CTX_ctrl(g->enc, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_LEN, tag))
		return -ENOMEM;
	return 0;
}

int crypto_gcm_open(struct crypto_gcm *g, const uint8_t iv[CRYPTO_GCM_IV_LEN], const void *aad,
		    size_t aad_len, const void *in, size_t len, void *out,
		    const uint8_t tag[CRYPTO_GCM_TAG_LEN])
{
	uint8_t last[16], expect[CRYPTO_GCM_TAG_LEN];
	int last_len;

	if (len > INT_MAX || aad_len > INT_MAX)
		return -EINVAL;
	memcpy(expect, tag, sizeof(expect));
	if (!EVP_CipherInit_ex2(g->dec, NULL, NULL, iv, 0, NULL) ||
	    crypto_gcm_update(g->dec, NULL, aad, aad_len) ||
	    crypto_gcm_update(g->dec, out, in, len) ||
	    !EVP_CIPHER_CTX_ctrl(g->dec, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_LEN, expect))
		return -ENOMEM;
	if (EVP_DecryptFinal_ex(g->dec, last, &last_len) <= 0)
		return -EBADMSG;
	return 0;
}

/* RSA-3072, e = 3 */

/* DER of DigestInfo { AlgorithmIdentifier sha256 NULL, OCTET STRING (32) }. */
static const uint8_t crypto_sha256_digest_info[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

void crypto_pkcs1_sha256_encode(const uint8_t digest[CRYPTO_SHA256_LEN],
				uint8_t em[CRYPTO_RSA3072_LEN])
{
	size_t info = sizeof(crypto_sha256_digest_info);
	size_t ps_end = CRYPTO_RSA3072_LEN - CRYPTO_SHA256_LEN - info - 1;

	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, ps_end - 2);
	em[ps_end] = 0x00;
	memcpy(em + ps_end + 1, crypto_sha256_digest_info, info);
	memcpy(em + CRYPTO_RSA3072_LEN - CRYPTO_SHA256_LEN, digest, CRYPTO_SHA256_LEN);
}

/* The numbers of one e = 3 verification: S^2 = Q1*N + R1, S*R1 = Q2*N + EM. */
struct crypto_e3 {
	BN_CTX *bn_ctx;
	BIGNUM *n, *s, *q1, *q2, *r1, *em, *tmp;
};

static void crypto_e3_free(struct crypto_e3 *e)
{
	BN_free(e->n);
	BN_free(e->s);
	BN_free(e->q1);
	BN_free(e->q2);
	BN_free(e->r1);
	BN_free(e->em);
	BN_free(e->tmp);
	BN_CTX_free(e->bn_ctx);
}

static int crypto_e3_init(struct crypto_e3 *e, const uint8_t *modulus, const uint8_t *sig)
{
	memset(e, 0, sizeof(*e));
	e->bn_ctx = BN_CTX_new();
	e->n = BN_lebin2bn(modulus, CRYPTO_RSA3072_LEN, NULL);
	e->s = BN_lebin2bn(sig, CRYPTO_RSA3072_LEN, NULL);
	e->q1 = BN_new();
	e->q2 = BN_new();
	e->r1 = BN_new();
	e->em = BN_new();
	e->tmp = BN_new();
	if (!e->bn_ctx || !e->n || !e->s || !e->q1 || !e->q2 || !e->r1 || !e->em || !e->tmp) {
		crypto_e3_free(e);
		return -ENOMEM;
	}
	return 0;
}

static int crypto_e3_compute(struct crypto_e3 *e)
{
	if (BN_is_zero(e->n) || !BN_is_odd(e->n) || BN_cmp(e->s, e->n) >= 0)
		return -EINVAL;
	if (!BN_sqr(e->tmp, e->s, e->bn_ctx) || !BN_div(e->q1, e->r1, e->tmp, e->n, e->bn_ctx) ||
	    !BN_mul(e->tmp, e->s, e->r1, e->bn_ctx) ||
	    !BN_div(e->q2, e->em, e->tmp, e->n, e->bn_ctx))
		return -ENOMEM;
	return 0;
}

/* Does the little-endian number at (le) equal (want)? */
static int crypto_bn_equals_le(const BIGNUM *want, const uint8_t *le, BIGNUM *scratch)
{
	if (!BN_lebin2bn(le, CRYPTO_RSA3072_LEN, scratch))
		return -ENOMEM;
	return BN_cmp(want, scratch) == 0;
}

static int crypto_e3_check_q(struct crypto_e3 *e, const uint8_t *q1, const uint8_t *q2)
{
	int ok1, ok2;

	if (!q1 || !q2)
		return 0;
	ok1 = crypto_bn_equals_le(e->q1, q1, e->tmp);
	ok2 = crypto_bn_equals_le(e->q2, q2, e->tmp);
	if (ok1 < 0 || ok2 < 0)
		return -ENOMEM;
	return ok1 && ok2;
}

int crypto_rsa3072_e3_public(const uint8_t modulus[CRYPTO_RSA3072_LEN],
			     const uint8_t sig[CRYPTO_RSA3072_LEN],
			     const uint8_t q1[CRYPTO_RSA3072_LEN],
			     const uint8_t q2[CRYPTO_RSA3072_LEN], uint8_t em[CRYPTO_RSA3072_LEN],
			     int *ret_q_ok)
{
	struct crypto_e3 e;
	int ret, q_ok;

	ret = crypto_e3_init(&e, modulus, sig);
	if (ret)
		return ret;
	ret = crypto_e3_compute(&e);
	if (ret)
		goto out;
	q_ok = crypto_e3_check_q(&e, q1, q2);
	if (q_ok < 0 || BN_bn2binpad(e.em, em, CRYPTO_RSA3072_LEN) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	if (ret_q_ok)
		*ret_q_ok = q_ok;
out:
	crypto_e3_free(&e);
	return ret;
}

int crypto_rsa3072_q1q2(const uint8_t modulus[CRYPTO_RSA3072_LEN],
			const uint8_t sig[CRYPTO_RSA3072_LEN], uint8_t q1[CRYPTO_RSA3072_LEN],
			uint8_t q2[CRYPTO_RSA3072_LEN])
{
	struct crypto_e3 e;
	int ret;

	ret = crypto_e3_init(&e, modulus, sig);
	if (ret)
		return ret;
	ret = crypto_e3_compute(&e);
	/* S < N, so Q1 and Q2 are below N and fit in 384 bytes. */
	if (!ret && (BN_bn2lebinpad(e.q1, q1, CRYPTO_RSA3072_LEN) < 0 ||
		     BN_bn2lebinpad(e.q2, q2, CRYPTO_RSA3072_LEN) < 0))
		ret = -ENOMEM;
	crypto_e3_free(&e);
	return ret;
}

/* RSA private keys */

struct crypto_rsa_key {
	EVP_PKEY *pkey;
};

static void crypto_why(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void crypto_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/* Never prompt for a passphrase: an encrypted key is simply refused. */
static int crypto_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int crypto_key_read(const char *path, EVP_PKEY **ret, char *why, size_t why_len)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f) {
		err = errno;
		crypto_why(why, why_len, "cannot open the key: %s", strerror(err));
		return -err;
	}
	*ret = PEM_read_PrivateKey(f, NULL, crypto_no_passphrase, NULL);
	fclose(f);
	if (!*ret) {
		ERR_clear_error();
		crypto_why(why, why_len,
			   "no PEM private key found (or it is encrypted); "
			   "give an unencrypted PEM RSA private key");
		return -EINVAL;
	}
	return 0;
}

#define CRYPTO_KEY_HINT                                                                            \
	"SGX needs a 3072-bit RSA key with public exponent 3 "                                     \
	"(make one with 'openssl genrsa -3 -out key.pem 3072')"

static int crypto_key_check_exponent(const EVP_PKEY *pkey, char *why, size_t why_len)
{
	BIGNUM *e = NULL;
	char *dec;
	int ret = 0;

	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e))
		return -ENOMEM;
	if (!BN_is_word(e, 3)) {
		dec = BN_bn2dec(e);
		crypto_why(why, why_len, "RSA public exponent is %s; " CRYPTO_KEY_HINT,
			   dec ? dec : "not 3");
		OPENSSL_free(dec);
		ret = -EKEYREJECTED;
	}
	BN_free(e);
	return ret;
}

static int crypto_key_check(const EVP_PKEY *pkey, char *why, size_t why_len)
{
	int bits;

	if (!EVP_PKEY_is_a(pkey, "RSA")) {
		crypto_why(why, why_len, "key is %s, not RSA; " CRYPTO_KEY_HINT,
			   EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey)
							 : "of an unknown type");
		return -EKEYREJECTED;
	}
	bits = EVP_PKEY_get_bits(pkey);
	if (bits != 3072) {
		crypto_why(why, why_len, "RSA key is %d bits; " CRYPTO_KEY_HINT, bits);
		return -EKEYREJECTED;
	}
	return crypto_key_check_exponent(pkey, why, why_len);
}

int crypto_rsa_key_load(const char *path, struct crypto_rsa_key **ret, char *why, size_t why_len)
{
	struct crypto_rsa_key *key;
	EVP_PKEY *pkey = NULL;
	int err;

	err = crypto_key_read(path, &pkey, why, why_len);
	if (err)
		return err;
	err = crypto_key_check(pkey, why, why_len);
	if (err)
		goto err_pkey;
	key = calloc(1, sizeof(*key));
	if (!key) {
		err = -ENOMEM;
		goto err_pkey;
	}
	key->pkey = pkey;
	*ret = key;
	return 0;

err_pkey:
	EVP_PKEY_free(pkey);
	return err;
}

void crypto_rsa_key_free(struct crypto_rsa_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int crypto_rsa_key_modulus(const struct crypto_rsa_key *key, uint8_t out[CRYPTO_RSA3072_LEN])
{
	BIGNUM *n = NULL;
	int ret = 0;

	if (!EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &n))
		return -ENOMEM;
	if (BN_bn2lebinpad(n, out, CRYPTO_RSA3072_LEN) < 0)
		ret = -EINVAL;
	BN_free(n);
	return ret;
}

static void crypto_reverse(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len / 2; i++) {
		uint8_t t = buf[i];

		buf[i] = buf[len - 1 - i];
		buf[len - 1 - i] = t;
	}
}

static int crypto_sign_digest(EVP_PKEY *pkey, const uint8_t *digest, uint8_t *sig)
{
	const EVP_MD *md = crypto_sha256_md();
	size_t sig_len = CRYPTO_RSA3072_LEN;
	EVP_PKEY_CTX *ctx;
	int ret = -EINVAL;

	if (!md)
		return -ENOMEM;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!ctx)
		return -ENOMEM;
	if (EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
	    EVP_PKEY_sign(ctx, sig, &sig_len, digest, CRYPTO_SHA256_LEN) > 0 &&
	    sig_len == CRYPTO_RSA3072_LEN)
		ret = 0;
	else
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int crypto_rsa_sign(const struct crypto_rsa_key *key, const void *msg, size_t len,
		    uint8_t sig[CRYPTO_RSA3072_LEN])
{
	uint8_t digest[CRYPTO_SHA256_LEN];
	int ret;

	ret = crypto_sha256(msg, len, digest);
	if (ret)
		return ret;
	ret = crypto_sign_digest(key->pkey, digest, sig);
	if (ret)
		return ret;
	crypto_reverse(sig, CRYPTO_RSA3072_LEN);
	return 0;
}
