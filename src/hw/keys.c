/* SPDX-License-Identifier: MIT */
#include "keys.h"

#include <string.h>

#include "hw.h"
#include "vsgx/crypto.h"

/* Expand the description's seed into a 16-byte secret named (label). */
static void keys_expand(uint64_t seed, uint64_t boot, const char *label, uint8_t out[16])
{
	uint8_t buf[64] = { 0 }, digest[CRYPTO_SHA256_LEN];
	size_t n = strlen(label);

	memcpy(buf, &seed, sizeof(seed));
	memcpy(buf + 8, &boot, sizeof(boot));
	memcpy(buf + 16, label, n < 48 ? n : 48);
	crypto_sha256(buf, sizeof(buf), digest);
	memcpy(out, digest, 16);
}

void hw_keys_power_on(struct hw_processor *p)
{
	keys_expand(p->desc.seed, 0, "fuse key", p->fuse_key);
	keys_expand(p->desc.seed, 0, "seal fuses", p->seal_fuses);
	keys_expand(p->desc.seed, 0, "owner epoch", p->owner_epoch);
	p->boot = 0;
}

void hw_keys_boot(struct hw_processor *p)
{
	/* Each boot's keys differ, so nothing sealed to a boot survives it. */
	p->boot++;
	keys_expand(p->desc.seed, p->boot, "boot key", p->boot_key);
}

int hw_key_derive(const struct hw_processor *p, const struct hw_keydep *dep, uint8_t key[16])
{
	return crypto_aes_cmac(p->fuse_key, dep, sizeof(*dep), key);
}

void hw_key_padding(uint8_t padding[HW_KEY_PADDING_LEN])
{
	uint8_t em[CRYPTO_RSA3072_LEN], digest[CRYPTO_SHA256_LEN] = { 0 };

	/* The SDM's HARDCODED_PKCS1_5_PADDING: EM of any SHA-256 digest, minus the digest. */
	crypto_pkcs1_sha256_encode(digest, em);
	memcpy(padding, em, HW_KEY_PADDING_LEN);
}

int hw_key_report_keyid(const struct hw_processor *p, uint8_t keyid[SGX_KEYID_SIZE])
{
	uint8_t buf[32] = "report keyid";

	/* A value of this boot alone: a reset draws a new one, as firmware does at boot. */
	memcpy(buf + 16, p->boot_key, sizeof(p->boot_key));
	return crypto_sha256(buf, sizeof(buf), keyid);
}

bool hw_cpusvn_beyond(const uint8_t *svn, const uint8_t *cpu_svn)
{
	for (int i = 0; i < SGX_CPUSVN_SIZE; i++) {
		if (svn[i] > cpu_svn[i])
			return true;
	}
	return false;
}

int hw_key_launch(struct hw_cpu *cpu, const struct sgx_einittoken *token, uint8_t key[16])
{
	const struct hw_processor *p = cpu->proc;
	struct hw_keydep dep;

	memset(&dep, 0, sizeof(dep));
	dep.key_name = SGX_KEY_EINITTOKEN;
	dep.isv_prod_id = token->isv_prod_id_le;
	dep.isv_svn = token->isv_svn_le;
	memcpy(dep.owner_epoch, p->owner_epoch, sizeof(dep.owner_epoch));
	dep.attributes = token->masked_attributes_le;
	memcpy(dep.mrsigner, cpu->lehash, sizeof(dep.mrsigner));
	memcpy(dep.keyid, token->keyid, sizeof(dep.keyid));
	memcpy(dep.seal_key_fuses, p->seal_fuses, sizeof(dep.seal_key_fuses));
	memcpy(dep.cpusvn, token->cpusvn_le, sizeof(dep.cpusvn));
	dep.miscselect = token->masked_miscselect_le;
	hw_key_padding(dep.padding);
	return hw_key_derive(p, &dep, key);
}
