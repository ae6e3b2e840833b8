/* SPDX-License-Identifier: MIT */
/*
 * Attestation and keys: EREPORT and EGETKEY (SDM Vol. 3D ch. 38). Both run
 * inside an enclave and take enclave linear addresses, checked one operand
 * after the other in the order of the SDM's pseudocode. Every key is
 * hw_key_derive() of a KEYDEPENDENCIES block whose fields the SDM fixes per
 * key name (its table "Key Derivation"); what a field holds decides who can
 * obtain the same key: a REPORT's target, a later version of the same
 * enclave, the launch check in EINIT.
 */
#include <errno.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"
#include "keys.h"
#include "vsgx/crypto.h"

#define KEYPOLICY_KSS                                                                              \
	(SGX_KEYPOLICY_NOISVPRODID | SGX_KEYPOLICY_CONFIGID | SGX_KEYPOLICY_ISVFAMILYID |          \
	 SGX_KEYPOLICY_ISVEXTPRODID)
#define KEYPOLICY_VALID (SGX_KEYPOLICY_MRENCLAVE | SGX_KEYPOLICY_MRSIGNER | KEYPOLICY_KSS)

/* INIT and DEBUG are part of every key that takes attributes from a request. */
#define REQUIRED_SEALING_MASK (SGX_ATTR_INIT | SGX_ATTR_DEBUG)

/* What the leaves use of the current enclave. */
struct cur_copy {
	struct sgx_secs secs;
	uint8_t padding[HW_KEY_PADDING_LEN];
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
};

/*
 * The current enclave's fields, read in place once it is initialized, else
 * from a copy made with its SECS held.
 */
struct cur_encl {
	const struct sgx_secs *secs;
	const uint8_t *padding; /* HW_KEY_PADDING_LEN bytes */
	const uint8_t *isv_family_id;
	const uint8_t *isv_ext_prod_id;
	struct cur_copy copy;
};

/* Eight bytes at a time: KEYREQUEST's 434 reserved bytes are checked on every EGETKEY. */
static bool all_zero(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t acc = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, sizeof(w));
		acc |= w;
	}
	for (; i < len; i++)
		acc |= b[i];
	return acc == 0;
}

static void cur_view(struct cur_encl *c, const struct sgx_secs *secs, const uint8_t *padding,
		     const uint8_t *isv_family_id, const uint8_t *isv_ext_prod_id)
{
	c->secs = secs;
	c->padding = padding;
	c->isv_family_id = isv_family_id;
	c->isv_ext_prod_id = isv_ext_prod_id;
}

/*
 * The thread inside pins the SECS. Once EINIT has published INIT (acquire,
 * see einit_commit()) nothing the leaves read changes, so threads on many
 * CPUs read it in place at once, without holding it or copying its 4 KiB; a
 * raw entry may reach a SECS that EINIT is still filling in, and that is
 * copied with its busy bit held.
 */
static void cur_snapshot(struct hw_cpu *cpu, struct cur_encl *c)
{
	struct hw_epcm_entry *se = epcm_entry(cpu->proc, cpu->inside - 1);
	const struct hw_enclave *encl = epcm_enclave(se);
	struct cur_copy *k = &c->copy;

	if (atomic_load_explicit(&encl->initialized, memory_order_acquire)) {
		cur_view(c, &encl->secs, encl->padding, encl->isv_family_id, encl->isv_ext_prod_id);
		return;
	}
	epcm_access_lock(se);
	k->secs = encl->secs;
	memcpy(k->padding, encl->padding, sizeof(k->padding));
	memcpy(k->isv_family_id, encl->isv_family_id, sizeof(k->isv_family_id));
	memcpy(k->isv_ext_prod_id, encl->isv_ext_prod_id, sizeof(k->isv_ext_prod_id));
	epcm_unlock(se);
	cur_view(c, &k->secs, k->padding, k->isv_family_id, k->isv_ext_prod_id);
}

/* An operand: aligned, in ELRANGE (#GP), an accessible page of this enclave (#PF). */
static int encl_operand(struct hw_cpu *cpu, uint64_t la, uint64_t align, bool write,
			uint64_t *ret_idx)
{
	if (la & (align - 1))
		return hw_fault_gp(cpu);
	return hw_op_encl(cpu, la, write, ret_idx);
}

/* Operand contents; an operand never crosses its page, being aligned to its size. */
static void encl_page_read(struct hw_processor *p, uint64_t idx, uint64_t la, void *buf, size_t len)
{
	struct hw_epcm_entry *e = epcm_entry(p, idx);

	epcm_access_lock(e);
	memcpy(buf, epcm_contents(p, idx) + (la & ~SGX_PAGE_MASK), len);
	epcm_unlock(e);
}

static void encl_page_write(struct hw_processor *p, uint64_t idx, uint64_t la, const void *buf,
			    size_t len)
{
	struct hw_epcm_entry *e = epcm_entry(p, idx);

	epcm_access_lock(e);
	memcpy(epcm_materialize(p, idx) + (la & ~SGX_PAGE_MASK), buf, len);
	epcm_unlock(e);
	epcm_written(p, idx);
}

/* ---------------------------------------------------------------------- */
/* EREPORT                                                                */
/* ---------------------------------------------------------------------- */

static bool targetinfo_reserved_zero(const struct sgx_targetinfo *ti)
{
	/* No CET in the model: its TARGETINFO fields are reserved as well. */
	return all_zero(ti->reserved1, sizeof(ti->reserved1)) &&
	       all_zero(ti->reserved2, sizeof(ti->reserved2)) &&
	       all_zero(ti->reserved3, sizeof(ti->reserved3));
}

static void report_body_fill(const struct hw_processor *p, const struct cur_encl *c,
			     const uint8_t report_data[64], struct sgx_report_body *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->cpusvn, p->desc.cpusvn, sizeof(b->cpusvn));
	b->miscselect = c->secs->miscselect;
	memcpy(b->isv_ext_prod_id, c->isv_ext_prod_id, sizeof(b->isv_ext_prod_id));
	b->attributes = c->secs->attributes;
	memcpy(b->mrenclave, c->secs->mrenclave, sizeof(b->mrenclave));
	memcpy(b->mrsigner, c->secs->mrsigner, sizeof(b->mrsigner));
	memcpy(b->config_id, c->secs->config_id, sizeof(b->config_id));
	b->isv_prod_id = c->secs->isv_prod_id;
	b->isv_svn = c->secs->isv_svn;
	b->config_svn = c->secs->config_svn;
	memcpy(b->isv_family_id, c->isv_family_id, sizeof(b->isv_family_id));
	memcpy(b->report_data, report_data, sizeof(b->report_data));
}

/*
 * The REPORT key of the enclave TARGETINFO names, as that enclave's own
 * EGETKEY(REPORT) with this report's KEYID derives it: the target's identity
 * comes from TARGETINFO, never from the reporting enclave.
 */
static void keydep_report_target(const struct hw_processor *p, const struct cur_encl *c,
				 const struct sgx_targetinfo *ti, const uint8_t *keyid,
				 struct hw_keydep *dep)
{
	hw_keydep_init(dep, c->padding);
	dep->key_name = SGX_KEY_REPORT;
	memcpy(dep->owner_epoch, p->owner_epoch, sizeof(dep->owner_epoch));
	dep->attributes = ti->attributes;
	memcpy(dep->mrenclave, ti->mrenclave, sizeof(dep->mrenclave));
	memcpy(dep->keyid, keyid, sizeof(dep->keyid));
	memcpy(dep->seal_key_fuses, p->seal_fuses, sizeof(dep->seal_key_fuses));
	memcpy(dep->cpusvn, p->desc.cpusvn, sizeof(dep->cpusvn));
	dep->miscselect = ti->miscselect;
	memcpy(dep->config_id, ti->config_id, sizeof(dep->config_id));
	dep->config_svn = ti->config_svn;
}

/* Fill (rep) and MAC its body for the target. Return: 0 or -ENOMEM. */
static int report_make(struct hw_cpu *cpu, const struct cur_encl *c,
		       const struct sgx_targetinfo *ti, const uint8_t report_data[64],
		       struct sgx_report *rep)
{
	struct hw_processor *p = cpu->proc;
	struct hw_keydep dep;
	uint8_t key[16];

	report_body_fill(p, c, report_data, &rep->body);
	hw_key_report_keyid(p, rep->keyid);
	keydep_report_target(p, c, ti, rep->keyid, &dep);
	if (hw_key_derive(cpu, &dep, key) ||
	    hw_key_mac(cpu, key, &rep->body, sizeof(rep->body), rep->mac))
		return -ENOMEM;
	return 0;
}

int hw_ereport(struct hw_cpu *cpu, uint64_t targetinfo, uint64_t reportdata, uint64_t report)
{
	struct hw_processor *p = cpu->proc;
	struct sgx_targetinfo ti;
	struct sgx_report rep;
	struct cur_encl c;
	uint8_t report_data[64];
	uint64_t ti_idx, rd_idx, out_idx;
	int r;

	r = hw_encls_check(cpu);
	if (r)
		return r;
	if (!hw_cpu_enclave(cpu))
		return hw_fault_gp(cpu);
	r = encl_operand(cpu, targetinfo, 512, false, &ti_idx);
	if (r)
		return r;
	encl_page_read(p, ti_idx, targetinfo, &ti, sizeof(ti));
	if (!targetinfo_reserved_zero(&ti))
		return hw_fault_gp(cpu);
	r = encl_operand(cpu, reportdata, 128, false, &rd_idx);
	if (!r)
		r = encl_operand(cpu, report, 512, true, &out_idx);
	if (r)
		return r;
	encl_page_read(p, rd_idx, reportdata, report_data, sizeof(report_data));
	cur_snapshot(cpu, &c);
	r = report_make(cpu, &c, &ti, report_data, &rep);
	if (r)
		return r;
	encl_page_write(p, out_idx, report, &rep, sizeof(rep));
	return SGX_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* EGETKEY                                                                */
/* ---------------------------------------------------------------------- */

static bool keyrequest_valid(const struct sgx_keyrequest *kr)
{
	return !kr->reserved1 && all_zero(kr->reserved2, sizeof(kr->reserved2)) &&
	       !(kr->key_policy & ~KEYPOLICY_VALID);
}

/* The SVN checks of the keys that take SVNs from the request. */
static int check_svns(const struct hw_processor *p, const struct cur_encl *c,
		      const struct sgx_keyrequest *kr, bool config_svn)
{
	if (hw_cpusvn_beyond(kr->cpusvn, p->desc.cpusvn))
		return SGX_INVALID_CPUSVN;
	if (kr->isv_svn > c->secs->isv_svn)
		return SGX_INVALID_ISVSVN;
	if (config_svn && kr->config_svn > c->secs->config_svn)
		return SGX_INVALID_ISVSVN;
	return SGX_SUCCESS;
}

/* What every key taking attributes, MISCSELECT and SVNs from the request shares. */
static void keydep_requested(const struct cur_encl *c, const struct sgx_keyrequest *kr,
			     uint16_t name, struct hw_keydep *dep)
{
	hw_keydep_init(dep, c->padding);
	dep->key_name = name;
	dep->isv_svn = kr->isv_svn;
	dep->attributes.flags =
	    (kr->attribute_mask.flags | REQUIRED_SEALING_MASK) & c->secs->attributes.flags;
	dep->attributes.xfrm = kr->attribute_mask.xfrm & c->secs->attributes.xfrm;
	memcpy(dep->cpusvn, kr->cpusvn, sizeof(dep->cpusvn));
	dep->miscselect = kr->misc_mask & c->secs->miscselect;
}

/* The identity a SEAL or PROVISION_SEAL key's KEYPOLICY selects (KSS bits). */
static void keydep_policy_identity(const struct cur_encl *c, const struct sgx_keyrequest *kr,
				   struct hw_keydep *dep)
{
	uint16_t policy = kr->key_policy;

	if (policy & SGX_KEYPOLICY_ISVFAMILYID)
		memcpy(dep->isv_family_id, c->isv_family_id, sizeof(dep->isv_family_id));
	if (!(policy & SGX_KEYPOLICY_NOISVPRODID))
		dep->isv_prod_id = c->secs->isv_prod_id;
	if (policy & SGX_KEYPOLICY_CONFIGID) {
		memcpy(dep->config_id, c->secs->config_id, sizeof(dep->config_id));
		dep->config_svn = kr->config_svn;
	}
	if (policy & SGX_KEYPOLICY_ISVEXTPRODID)
		memcpy(dep->isv_ext_prod_id, c->isv_ext_prod_id, sizeof(dep->isv_ext_prod_id));
	dep->key_policy = policy;
}

static int keydep_seal(const struct hw_processor *p, const struct cur_encl *c,
		       const struct sgx_keyrequest *kr, struct hw_keydep *dep)
{
	int r = check_svns(p, c, kr, true);

	if (r)
		return r;
	keydep_requested(c, kr, SGX_KEY_SEAL, dep);
	keydep_policy_identity(c, kr, dep);
	if (kr->key_policy & SGX_KEYPOLICY_MRENCLAVE)
		memcpy(dep->mrenclave, c->secs->mrenclave, sizeof(dep->mrenclave));
	if (kr->key_policy & SGX_KEYPOLICY_MRSIGNER)
		memcpy(dep->mrsigner, c->secs->mrsigner, sizeof(dep->mrsigner));
	memcpy(dep->owner_epoch, p->owner_epoch, sizeof(dep->owner_epoch));
	dep->attributes_mask = kr->attribute_mask;
	memcpy(dep->keyid, kr->keyid, sizeof(dep->keyid));
	memcpy(dep->seal_key_fuses, p->seal_fuses, sizeof(dep->seal_key_fuses));
	dep->miscmask = ~kr->misc_mask;
	return SGX_SUCCESS;
}

/* This enclave's own REPORT key: what EREPORT derives for a TARGETINFO naming it. */
static void keydep_report_self(const struct hw_processor *p, const struct cur_encl *c,
			       const struct sgx_keyrequest *kr, struct hw_keydep *dep)
{
	hw_keydep_init(dep, p->key_padding);
	dep->key_name = SGX_KEY_REPORT;
	memcpy(dep->owner_epoch, p->owner_epoch, sizeof(dep->owner_epoch));
	dep->attributes = c->secs->attributes;
	memcpy(dep->mrenclave, c->secs->mrenclave, sizeof(dep->mrenclave));
	memcpy(dep->keyid, kr->keyid, sizeof(dep->keyid));
	memcpy(dep->seal_key_fuses, p->seal_fuses, sizeof(dep->seal_key_fuses));
	memcpy(dep->cpusvn, p->desc.cpusvn, sizeof(dep->cpusvn));
	dep->miscselect = c->secs->miscselect;
	memcpy(dep->config_id, c->secs->config_id, sizeof(dep->config_id));
	dep->config_svn = c->secs->config_svn;
}

/*
 * The launch key, with the fields hw_key_launch() takes from a token: what
 * a launch enclave puts in an EINITTOKEN is what it asked EGETKEY for.
 */
static int keydep_einittoken(const struct hw_processor *p, const struct cur_encl *c,
			     const struct sgx_keyrequest *kr, struct hw_keydep *dep)
{
	int r;

	if (!(c->secs->attributes.flags & SGX_ATTR_EINITTOKENKEY))
		return SGX_INVALID_ATTRIBUTE;
	r = check_svns(p, c, kr, false);
	if (r)
		return r;
	keydep_requested(c, kr, SGX_KEY_EINITTOKEN, dep);
	dep->isv_prod_id = c->secs->isv_prod_id;
	memcpy(dep->owner_epoch, p->owner_epoch, sizeof(dep->owner_epoch));
	memcpy(dep->mrsigner, c->secs->mrsigner, sizeof(dep->mrsigner));
	memcpy(dep->keyid, kr->keyid, sizeof(dep->keyid));
	memcpy(dep->seal_key_fuses, p->seal_fuses, sizeof(dep->seal_key_fuses));
	return SGX_SUCCESS;
}

/*
 * Provisioning keys leave out the owner epoch (and the plain one the seal
 * fuses too), so they survive a change of platform owner: only the signer's
 * identity and SVNs bind them.
 */
static int keydep_provision(const struct hw_processor *p, const struct cur_encl *c,
			    const struct sgx_keyrequest *kr, bool seal, struct hw_keydep *dep)
{
	int r;

	if (!(c->secs->attributes.flags & SGX_ATTR_PROVISIONKEY))
		return SGX_INVALID_ATTRIBUTE;
	r = check_svns(p, c, kr, seal);
	if (r)
		return r;
	keydep_requested(c, kr, seal ? SGX_KEY_PROVISION_SEAL : SGX_KEY_PROVISION, dep);
	if (seal) {
		keydep_policy_identity(c, kr, dep);
		memcpy(dep->seal_key_fuses, p->seal_fuses, sizeof(dep->seal_key_fuses));
	} else {
		dep->isv_prod_id = c->secs->isv_prod_id;
	}
	dep->attributes_mask = kr->attribute_mask;
	memcpy(dep->mrsigner, c->secs->mrsigner, sizeof(dep->mrsigner));
	dep->miscmask = ~kr->misc_mask;
	return SGX_SUCCESS;
}

/* KEYDEPENDENCIES of the requested key, or the SGX code refusing it. */
static int keydep_for(const struct hw_processor *p, const struct cur_encl *c,
		      const struct sgx_keyrequest *kr, struct hw_keydep *dep)
{
	switch (kr->key_name) {
	case SGX_KEY_SEAL:
		return keydep_seal(p, c, kr, dep);
	case SGX_KEY_REPORT:
		keydep_report_self(p, c, kr, dep);
		return SGX_SUCCESS;
	case SGX_KEY_EINITTOKEN:
		return keydep_einittoken(p, c, kr, dep);
	case SGX_KEY_PROVISION:
		return keydep_provision(p, c, kr, false, dep);
	case SGX_KEY_PROVISION_SEAL:
		return keydep_provision(p, c, kr, true, dep);
	default:
		return SGX_INVALID_KEYNAME;
	}
}

int hw_egetkey(struct hw_cpu *cpu, uint64_t keyrequest, uint64_t key)
{
	struct hw_processor *p = cpu->proc;
	struct sgx_keyrequest kr;
	struct hw_keydep dep;
	struct cur_encl c;
	uint64_t kr_idx, out_idx;
	uint8_t out[16];
	int r;

	r = hw_encls_check(cpu);
	if (r)
		return r;
	if (!hw_cpu_enclave(cpu))
		return hw_fault_gp(cpu);
	r = encl_operand(cpu, keyrequest, 512, false, &kr_idx);
	if (!r)
		r = encl_operand(cpu, key, 16, true, &out_idx);
	if (r)
		return r;
	encl_page_read(p, kr_idx, keyrequest, &kr, sizeof(kr));
	if (!keyrequest_valid(&kr))
		return hw_fault_gp(cpu);
	cur_snapshot(cpu, &c);
	if (!(c.secs->attributes.flags & SGX_ATTR_KSS) &&
	    ((kr.key_policy & KEYPOLICY_KSS) || kr.config_svn))
		return hw_fault_gp(cpu);
	r = keydep_for(p, &c, &kr, &dep);
	if (r)
		return r;
	if (hw_key_derive(cpu, &dep, out))
		return -ENOMEM;
	/* Only a key that was derived reaches the output: on error it is left as it was. */
	encl_page_write(p, out_idx, key, out, sizeof(out));
	return SGX_SUCCESS;
}
