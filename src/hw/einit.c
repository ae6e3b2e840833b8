/* SPDX-License-Identifier: MIT */
/*
 * EINIT: the last step of building an enclave. It checks the enclave's
 * SIGSTRUCT (format, RSA signature, measurement, attributes) and the launch
 * policy (the LE key hash MSRs, or an EINITTOKEN MACed with the launch key),
 * then freezes MRENCLAVE and records the signer's identity in the SECS.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"
#include "keys.h"
#include "vsgx/crypto.h"

static const uint8_t sig_header[16] = { 0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t sig_header2[16] = { 0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
					 0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };

/* What EINIT works out before it commits anything to the SECS. */
struct einit_ctx {
	struct sgx_sigstruct sig;
	struct sgx_einittoken token;
	uint8_t padding[CRYPTO_PKCS1_PADDING_LEN];
	uint8_t mrenclave[SGX_HASH_SIZE];
	uint8_t mrsigner[SGX_HASH_SIZE];
	uint64_t sidx;
};

static bool all_zero(const void *buf, size_t len)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		if (b[i])
			return false;
	}
	return true;
}

static bool sigstruct_format_ok(const struct sgx_sigstruct *s)
{
	if (memcmp(s->header, sig_header, sizeof(sig_header)))
		return false;
	if (s->vendor != 0 && s->vendor != SGX_SIGSTRUCT_VENDOR_INTEL)
		return false;
	if (memcmp(s->header2, sig_header2, sizeof(sig_header2)) || s->exponent != 3)
		return false;
	/* No CET in the model, so its attribute bytes are reserved too. */
	return all_zero(s->reserved1, sizeof(s->reserved1)) && !s->cet_attributes &&
	       all_zero(s->reserved3, sizeof(s->reserved3)) &&
	       all_zero(s->reserved4, sizeof(s->reserved4));
}

/*
 * RSA-3072 PKCS#1 v1.5 over HEADER || BODY, checked as hardware does with
 * e = 3 and the Q1/Q2 helpers. Keeps the padding EINIT stores in the SECS.
 */
static bool sigstruct_signature_ok(struct einit_ctx *c)
{
	uint8_t msg[SGX_SIGSTRUCT_HEADER_LEN + SGX_SIGSTRUCT_BODY_LEN];
	uint8_t digest[CRYPTO_SHA256_LEN], em[CRYPTO_RSA3072_LEN], want[CRYPTO_RSA3072_LEN];
	const uint8_t *raw = (const uint8_t *)&c->sig;
	int q_ok = 0;

	memcpy(msg, raw, SGX_SIGSTRUCT_HEADER_LEN);
	memcpy(msg + SGX_SIGSTRUCT_HEADER_LEN, raw + SGX_SIGSTRUCT_BODY_OFFSET,
	       SGX_SIGSTRUCT_BODY_LEN);
	if (crypto_sha256(msg, sizeof(msg), digest))
		return false;
	if (crypto_rsa3072_e3_public(c->sig.modulus, c->sig.signature, c->sig.q1, c->sig.q2, em,
				     &q_ok))
		return false;
	crypto_pkcs1_sha256_encode(digest, want);
	if (!q_ok || memcmp(em, want, sizeof(em)))
		return false;
	memcpy(c->padding, em, sizeof(c->padding));
	return true;
}

static bool lehash_matches(const struct hw_cpu *cpu, const uint8_t mrsigner[SGX_HASH_SIZE])
{
	return !memcmp(cpu->lehash, mrsigner, SGX_HASH_SIZE);
}

static bool masked_equal(uint64_t a, uint64_t b, uint64_t mask)
{
	return (a & mask) == (b & mask);
}

/* SIGSTRUCT's requirements on the enclave's attributes and MISCSELECT. */
static int check_attributes(const struct hw_cpu *cpu, const struct einit_ctx *c,
			    const struct sgx_secs *secs)
{
	const struct sgx_sigstruct *s = &c->sig;

	if ((secs->attributes.flags & SGX_ATTR_CONTROLLED) && !lehash_matches(cpu, c->mrsigner))
		return SGX_INVALID_ATTRIBUTE;
	if (!masked_equal(secs->attributes.flags, s->attributes.flags, s->attributes_mask.flags) ||
	    !masked_equal(secs->attributes.xfrm, s->attributes.xfrm, s->attributes_mask.xfrm))
		return SGX_INVALID_ATTRIBUTE;
	if (!masked_equal(secs->miscselect, s->miscselect, s->miscmask))
		return SGX_INVALID_ATTRIBUTE;
	return SGX_SUCCESS;
}

static bool token_reserved_zero(const struct sgx_einittoken *t)
{
	return !(t->valid & ~SGX_EINITTOKEN_VALID) &&
	       all_zero(t->reserved1, sizeof(t->reserved1)) &&
	       all_zero(t->reserved2, sizeof(t->reserved2)) &&
	       all_zero(t->reserved3, sizeof(t->reserved3)) &&
	       all_zero(t->reserved4, sizeof(t->reserved4));
}

static int check_token_mac(struct hw_cpu *cpu, const struct sgx_einittoken *t)
{
	uint8_t key[16], mac[CRYPTO_CMAC_LEN];

	if (hw_key_launch(cpu, t, key) || crypto_aes_cmac(key, t, SGX_EINITTOKEN_MACED_LEN, mac))
		return SGX_INVALID_EINITTOKEN;
	return memcmp(mac, t->mac, sizeof(mac)) ? SGX_INVALID_EINITTOKEN : SGX_SUCCESS;
}

/* The launch policy: the LE key hash signed the enclave, or a valid token. */
static int check_launch(struct hw_cpu *cpu, const struct einit_ctx *c, const struct sgx_secs *secs)
{
	const struct sgx_einittoken *t = &c->token;
	int r;

	if (!(t->valid & SGX_EINITTOKEN_VALID))
		return lehash_matches(cpu, c->mrsigner) ? SGX_SUCCESS : SGX_INVALID_EINITTOKEN;
	/* A debug launch enclave cannot launch production enclaves. */
	if ((t->masked_attributes_le.flags & SGX_ATTR_DEBUG) &&
	    !(secs->attributes.flags & SGX_ATTR_DEBUG))
		return SGX_INVALID_EINITTOKEN;
	if (!token_reserved_zero(t))
		return SGX_INVALID_EINITTOKEN;
	if (hw_cpusvn_beyond(t->cpusvn_le, cpu->proc->desc.cpusvn))
		return SGX_INVALID_CPUSVN;
	r = check_token_mac(cpu, t);
	if (r)
		return r;
	if (memcmp(t->mrenclave, c->mrenclave, SGX_HASH_SIZE) ||
	    memcmp(t->mrsigner, c->mrsigner, SGX_HASH_SIZE))
		return SGX_INVALID_MEASUREMENT;
	/*
	 * The SDM names the result of this check SGX_INVALID_EINIT_ATTRIBUTE,
	 * a code its own table does not define; SGX_INVALID_ATTRIBUTE it is.
	 */
	if (memcmp(&t->attributes, &secs->attributes, sizeof(t->attributes)))
		return SGX_INVALID_ATTRIBUTE;
	return SGX_SUCCESS;
}

static void einit_commit(struct hw_enclave *encl, const struct einit_ctx *c)
{
	const struct sgx_sigstruct *s = &c->sig;

	memcpy(encl->secs.mrenclave, c->mrenclave, SGX_HASH_SIZE);
	memcpy(encl->secs.mrsigner, c->mrsigner, SGX_HASH_SIZE);
	memcpy(encl->isv_ext_prod_id, s->isv_ext_prod_id, sizeof(encl->isv_ext_prod_id));
	memcpy(encl->isv_family_id, s->isv_family_id, sizeof(encl->isv_family_id));
	memcpy(encl->padding, c->padding, sizeof(encl->padding));
	encl->secs.isv_prod_id = s->isv_prod_id;
	encl->secs.isv_svn = s->isv_svn;
	encl->secs.attributes.flags |= SGX_ATTR_INIT;
	/* Last: entries read the SECS without holding it once they see this. */
	atomic_store_explicit(&encl->initialized, true, memory_order_release);
}

/* Everything EINIT checks while it owns the SECS. */
static int einit_locked(struct hw_cpu *cpu, uint64_t secs_la, struct einit_ctx *c,
			struct hw_epcm_entry *e)
{
	struct hw_enclave *encl;
	int r;

	if (!(e->flags & EPCM_VALID) || e->pt != SGX_PT_SECS)
		return hw_fault_pf(cpu, secs_la, hw_pf_epcm(true));
	if (epcm_poisoned(e))
		return hw_fault_mc(cpu, c->sidx);
	encl = epcm_enclave(e);
	if (encl->secs.attributes.flags & SGX_ATTR_INIT)
		return hw_fault_gp(cpu);
	if (!all_zero(c->sig.isv_family_id, sizeof(c->sig.isv_family_id)) &&
	    !(encl->secs.attributes.flags & SGX_ATTR_KSS))
		return SGX_INVALID_SIG_STRUCT;
	if (crypto_sha256_final(encl->mrenclave, c->mrenclave) ||
	    crypto_sha256(c->sig.modulus, sizeof(c->sig.modulus), c->mrsigner))
		return -ENOMEM;
	if (memcmp(c->sig.enclave_hash, c->mrenclave, SGX_HASH_SIZE))
		return SGX_INVALID_MEASUREMENT;
	r = check_attributes(cpu, c, &encl->secs);
	if (!r)
		r = check_launch(cpu, c, &encl->secs);
	if (!r)
		einit_commit(encl, c);
	return r;
}

static int einit_operands(struct hw_cpu *cpu, uint64_t sigstruct, uint64_t secs, uint64_t token,
			  struct einit_ctx *c)
{
	int r;

	if ((sigstruct | secs) & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	if (token & 511)
		return hw_fault_gp(cpu);
	r = hw_op_epc(cpu, secs, true, &c->sidx);
	if (!r)
		r = hw_op_read(cpu, sigstruct, &c->sig, sizeof(c->sig));
	if (!r)
		r = hw_op_read(cpu, token, &c->token, sizeof(c->token));
	return r;
}

/* The checks that need no SECS, up to closing the event window. */
static int einit_check_sigstruct(struct hw_cpu *cpu, struct einit_ctx *c)
{
	if (!sigstruct_format_ok(&c->sig))
		return SGX_INVALID_SIG_STRUCT;
	/* EINIT polls for interrupts while it verifies the signature. */
	if (cpu->pending_event)
		return SGX_UNMASKED_EVENT;
	if (!sigstruct_signature_ok(c))
		return SGX_INVALID_SIGNATURE;
	return SGX_SUCCESS;
}

int hw_einit(struct hw_cpu *cpu, uint64_t sigstruct, uint64_t secs, uint64_t token)
{
	static _Thread_local struct einit_ctx c;
	struct hw_epcm_entry *e;
	int r;

	r = hw_encls_check(cpu);
	if (!r)
		r = einit_operands(cpu, sigstruct, secs, token, &c);
	if (!r)
		r = einit_check_sigstruct(cpu, &c);
	if (r)
		return r;
	e = epcm_entry(cpu->proc, c.sidx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = einit_locked(cpu, secs, &c, e);
	epcm_unlock(e);
	return r;
}
