/* SPDX-License-Identifier: MIT */
#include "keys.h"

#include <errno.h>
#include <stddef.h>
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
	hw_key_padding(p->key_padding);
	p->boot = 0;
}

/* CR_REPORT_KEYID: a value of this boot alone, as firmware draws one at boot. */
static void keys_report_keyid(struct hw_processor *p)
{
	uint8_t buf[32] = "report keyid";

	memset(p->report_keyid, 0, sizeof(p->report_keyid));
	memcpy(buf + 16, p->boot_key, sizeof(p->boot_key));
	/* SHA-256 of 32 bytes fails only without memory: then the KEYID stays 0. */
	(void)crypto_sha256(buf, sizeof(buf), p->report_keyid);
}

void hw_keys_boot(struct hw_processor *p)
{
	/* Each boot's keys differ, so nothing sealed to a boot survives it. */
	p->boot++;
	keys_expand(p->desc.seed, p->boot, "boot key", p->boot_key);
	keys_report_keyid(p);
}

void hw_keydep_init(struct hw_keydep *dep, const uint8_t padding[HW_KEY_PADDING_LEN])
{
	memset(dep, 0, offsetof(struct hw_keydep, padding));
	memcpy(dep->padding, padding, sizeof(dep->padding));
	memset(dep->config_id, 0, sizeof(dep->config_id));
}

int hw_key_derive(struct hw_cpu *cpu, const struct hw_keydep *dep, uint8_t key[16])
{
	/* The fuse key is fixed for the part's lifetime: keyed once per CPU. */
	if (!cpu->cmac_fuse) {
		cpu->cmac_fuse = crypto_cmac_new();
		if (!cpu->cmac_fuse)
			return -ENOMEM;
		if (crypto_cmac_set_key(cpu->cmac_fuse, cpu->proc->fuse_key)) {
			crypto_cmac_free(cpu->cmac_fuse);
			cpu->cmac_fuse = NULL;
			return -ENOMEM;
		}
	}
	return crypto_cmac_mac(cpu->cmac_fuse, dep, sizeof(*dep), key);
}

int hw_key_mac(struct hw_cpu *cpu, const uint8_t key[16], const void *data, size_t len,
	       uint8_t mac[16])
{
	if (!cpu->cmac_report) {
		cpu->cmac_report = crypto_cmac_new();
		if (!cpu->cmac_report)
			return -ENOMEM;
	}
	if (crypto_cmac_set_key(cpu->cmac_report, key))
		return -ENOMEM;
	return crypto_cmac_mac(cpu->cmac_report, data, len, mac);
}

void hw_keys_cpu_free(struct hw_cpu *cpu)
{
	crypto_cmac_free(cpu->cmac_fuse);
	crypto_cmac_free(cpu->cmac_report);
	cpu->cmac_fuse = cpu->cmac_report = NULL;
}

void hw_key_padding(uint8_t padding[HW_KEY_PADDING_LEN])
{
	uint8_t em[CRYPTO_RSA3072_LEN], digest[CRYPTO_SHA256_LEN] = { 0 };

	/* The SDM's HARDCODED_PKCS1_5_PADDING: EM of any SHA-256 digest, minus the digest. */
	crypto_pkcs1_sha256_encode(digest, em);
	memcpy(padding, em, HW_KEY_PADDING_LEN);
}

void hw_key_report_keyid(const struct hw_processor *p, uint8_t keyid[SGX_KEYID_SIZE])
{
	memcpy(keyid, p->report_keyid, SGX_KEYID_SIZE);
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

	hw_keydep_init(&dep, p->key_padding);
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
	return hw_key_derive(cpu, &dep, key);
}
