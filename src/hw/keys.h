/* SPDX-License-Identifier: MIT */
/*
 * Key derivation inside the modelled processor. Real parts derive every SGX
 * key from fused secrets with a function nobody outside the CPU can compute;
 * the model does the same with its own secrets (derived from the processor
 * description's seed) and AES-128-CMAC over the packed KEYDEPENDENCIES.
 * Only consistency matters: EINIT must accept exactly the tokens MACed with
 * the key EGETKEY(EINITTOKEN) hands a launch enclave on the same processor.
 */
#ifndef VSGX_HW_KEYS_H
#define VSGX_HW_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"

struct hw_processor;
struct hw_cpu;

/* KEYDEPENDENCIES, the inputs of every derived key (SDM "derivekey"). */
struct hw_keydep {
	uint16_t key_name;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint16_t key_policy;
	uint8_t reserved[6];
	uint8_t isv_ext_prod_id[16];
	uint8_t isv_family_id[16];
	uint8_t owner_epoch[16];
	struct sgx_attributes attributes;
	struct sgx_attributes attributes_mask;
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint8_t keyid[32];
	uint8_t seal_key_fuses[16];
	uint8_t cpusvn[16];
	uint32_t miscselect;
	uint32_t miscmask;
	uint8_t padding[352];
	uint8_t config_id[64];
};

/* Packed: no padding bytes, so a KEYDEPENDENCIES block is exactly its fields. */
_Static_assert(sizeof(struct hw_keydep) == 648, "KEYDEPENDENCIES has holes");

#define HW_KEY_PADDING_LEN 352

/*
 * A KEYDEPENDENCIES block of zeros but for its PADDING, from (padding):
 * every byte written once (the block is MACed whole on every EGETKEY and
 * EREPORT; zeroing the padding only to copy over it costs a third more).
 */
void hw_keydep_init(struct hw_keydep *dep, const uint8_t padding[HW_KEY_PADDING_LEN]);

/*
 * Derive the 128-bit key for (dep) on (cpu), with the CPU's kept CMAC
 * context for the fuse key. Return: 0 or -ENOMEM.
 */
int hw_key_derive(struct hw_cpu *cpu, const struct hw_keydep *dep, uint8_t key[16]);

/*
 * AES-CMAC of (len) bytes at (data) under (key) with (cpu)'s context for
 * derived keys (EREPORT's MAC). Return: 0 or -ENOMEM.
 */
int hw_key_mac(struct hw_cpu *cpu, const uint8_t key[16], const void *data, size_t len,
	       uint8_t mac[16]);

/* Free (cpu)'s CMAC contexts. */
void hw_keys_cpu_free(struct hw_cpu *cpu);

/*
 * The launch key EINIT uses to check (token)'s MAC on (cpu): KEYNAME
 * EINITTOKEN, the token's *LE fields, and MRSIGNER = the CPU's current
 * IA32_SGXLEPUBKEYHASH. A launch enclave gets the same key from EGETKEY.
 */
int hw_key_launch(struct hw_cpu *cpu, const struct sgx_einittoken *token, uint8_t key[16]);

/*
 * The SDM's HARDCODED_PKCS1_5_PADDING: the first 352 bytes of the PKCS#1
 * v1.5 encoding of any SHA-256 digest in a 3072-bit modulus. EINIT saves
 * exactly these bytes in every enclave's PADDING.
 */
void hw_key_padding(uint8_t padding[HW_KEY_PADDING_LEN]);

/*
 * CR_REPORT_KEYID: the key-wear-out value EREPORT puts in every REPORT,
 * statistically unique per boot (derived from the boot secret, so it changes
 * at every hw_processor_reset()), computed once per boot.
 */
void hw_key_report_keyid(const struct hw_processor *p, uint8_t keyid[SGX_KEYID_SIZE]);

/*
 * A CPUSVN is beyond the CPU's (cpu_svn) when any of its 16 components is
 * newer: the comparison EINIT makes for a token's CPUSVN, and EGETKEY for a
 * KEYREQUEST's.
 */
bool hw_cpusvn_beyond(const uint8_t *svn, const uint8_t *cpu_svn);

#endif /* VSGX_HW_KEYS_H */
