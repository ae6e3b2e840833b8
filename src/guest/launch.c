/* SPDX-License-Identifier: MIT */
/*
 * A launch enclave in the guest: launch control as it works without
 * flexible launch control (or with the LE hash MSRs fixed by Xen's
 * `lehash`/`lewr=0`). EINIT admits an enclave whose signer is not the one
 * in IA32_SGXLEPUBKEYHASH only with an EINITTOKEN, and only a launch
 * enclave can make one: an enclave with ATTRIBUTES.EINITTOKEN_KEY, which
 * EINIT itself admits only when its own signer is the one in the MSRs.
 *
 * This file is the code that runs inside such an enclave, as Intel's LE
 * does it (without its policy: it mints a token for whatever it is asked):
 * a thread enters, learns its own identity with EREPORT, asks EGETKEY for
 * the EINITTOKEN key, fills in the token and MACs it, and leaves. Every
 * leaf goes through a vCPU, and every byte the enclave reads or writes is
 * in one of its own writable pages, as the SDM requires of ENCLU operands.
 */
#include <errno.h>
#include <string.h>

#include "guest-int.h"
#include "vsgx/crypto.h"
#include "vsgx/sigstruct.h"

/* Where the LE keeps its operands in its writable page: each at the alignment its leaf needs. */
#define LE_KEYREQUEST 0x000 /* 512-byte aligned */
#define LE_TARGETINFO 0x200 /* 512-byte aligned */
#define LE_REPORTDATA 0x400 /* 128-byte aligned */
#define LE_REPORT     0x600 /* 512-byte aligned */
#define LE_KEY	      0x800 /* 16-byte aligned */

struct le_run {
	struct guest *g;
	struct genclave *le;
	struct vmm_vcpu *vcpu;
	uint64_t page_la; /* the LE's writable page */
};

/*
 * The LE writes its operands into its page: from then on the page holds the
 * enclave's own data, not what was measured, and verify skips it.
 */
static int le_page_write(struct le_run *run, uint64_t off, const void *buf, size_t len)
{
	int r = vmm_vcpu_enclave_write(run->vcpu, run->page_la + off, buf, len);

	if (!r)
		run->le->pages[(run->page_la - run->le->base) / SGX_PAGE_SIZE].written = true;
	return r;
}

/* ENCLU inside the LE; a failure says which leaf gave what. */
static int le_enclu(struct le_run *run, unsigned int leaf, const char *name, uint64_t rbx,
		    uint64_t rcx, uint64_t rdx, char *why, size_t why_len)
{
	struct hw_regs regs = { .rax = leaf, .rbx = rbx, .rcx = rcx, .rdx = rdx };
	char text[256];
	int r;

	r = vmm_vcpu_enclu(run->vcpu, &regs);
	if (!r)
		return 0;
	return guest_why(why, why_len, r < 0 ? r : -EIO, "%s in launch enclave '%s' gave %s", name,
			 run->le->name, guest_result_text(r, run->vcpu, text, sizeof(text)));
}

/* The LE's own identity, as Intel's LE learns it: EREPORT to no one in particular. */
static int le_self_report(struct le_run *run, struct sgx_report_body *ret, char *why,
			  size_t why_len)
{
	static const uint8_t zero[512];
	struct sgx_report rep;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = le_page_write(run, LE_TARGETINFO, zero, sizeof(struct sgx_targetinfo));
	if (!r)
		r = le_page_write(run, LE_REPORTDATA, zero, 64);
	if (r)
		return guest_why(why, why_len, -EIO, "launch enclave '%s' cannot write its page",
				 run->le->name);
	r = le_enclu(run, SGX_EREPORT, "EREPORT", run->page_la + LE_TARGETINFO,
		     run->page_la + LE_REPORTDATA, run->page_la + LE_REPORT, why, why_len);
	if (r)
		return r;
	if (vmm_vcpu_enclave_read(run->vcpu, run->page_la + LE_REPORT, &rep, sizeof(rep)))
		return guest_why(why, why_len, -EIO, "launch enclave '%s' cannot read its report",
				 run->le->name);
	*ret = rep.body;
	return 0;
}

/*
 * EGETKEY(EINITTOKEN) for the LE's identity (every attribute and MISCSELECT
 * bit bound in), with (keyid) mixed in: the key EINIT derives again from the
 * token's *LE fields to check its MAC.
 */
static int le_token_key(struct le_run *run, const struct sgx_report_body *self,
			const uint8_t keyid[32], uint8_t key[16], char *why, size_t why_len)
{
	struct sgx_keyrequest kr;
	int r;

	memset(&kr, 0, sizeof(kr));
	kr.key_name = SGX_KEY_EINITTOKEN;
	kr.isv_svn = self->isv_svn;
	memcpy(kr.cpusvn, self->cpusvn, sizeof(kr.cpusvn));
	kr.attribute_mask.flags = ~0ULL;
	kr.attribute_mask.xfrm = ~0ULL;
	kr.misc_mask = ~0U;
	memcpy(kr.keyid, keyid, sizeof(kr.keyid));
	if (le_page_write(run, LE_KEYREQUEST, &kr, sizeof(kr)))
		return guest_why(why, why_len, -EIO, "launch enclave '%s' cannot write its page",
				 run->le->name);
	r = le_enclu(run, SGX_EGETKEY, "EGETKEY(EINITTOKEN)", run->page_la + LE_KEYREQUEST,
		     run->page_la + LE_KEY, 0, why, why_len);
	if (r)
		return r;
	if (vmm_vcpu_enclave_read(run->vcpu, run->page_la + LE_KEY, key, 16))
		return guest_why(why, why_len, -EIO, "launch enclave '%s' cannot read its key",
				 run->le->name);
	return 0;
}

/* The token for (sig)'s enclave with SECS attributes (attr), MACed with the LE's key. */
static int le_token_fill(struct le_run *run, const struct sgx_sigstruct *sig,
			 const struct sgx_attributes *attr, struct sgx_einittoken *tok, char *why,
			 size_t why_len)
{
	struct sgx_report_body self;
	uint64_t serial;
	uint8_t key[16];
	int r;

	r = le_self_report(run, &self, why, why_len);
	if (r)
		return r;
	memset(tok, 0, sizeof(*tok));
	/* A fresh KEYID per token, as an LE draws one from RDRAND; counted here to stay repeatable.
	 */
	serial = run->g->st.tokens + 1;
	memcpy(tok->keyid, &serial, sizeof(serial));
	r = le_token_key(run, &self, tok->keyid, key, why, why_len);
	if (r)
		return r;
	tok->valid = SGX_EINITTOKEN_VALID;
	tok->attributes = *attr;
	memcpy(tok->mrenclave, sig->enclave_hash, sizeof(tok->mrenclave));
	if (sigstruct_mrsigner(sig, tok->mrsigner))
		return -ENOMEM;
	memcpy(tok->cpusvn_le, self.cpusvn, sizeof(tok->cpusvn_le));
	tok->isv_prod_id_le = self.isv_prod_id;
	tok->isv_svn_le = self.isv_svn;
	tok->masked_miscselect_le = self.miscselect;
	tok->masked_attributes_le = self.attributes;
	r = crypto_aes_cmac(key, tok, SGX_EINITTOKEN_MACED_LEN, tok->mac);
	memset(key, 0, sizeof(key));
	if (r)
		return -ENOMEM;
	run->g->st.tokens = serial;
	return 0;
}

/* The LE must be one, be alive, and have a thread and a page of its own to work in. */
static int le_check(struct guest *g, const struct genclave *le, int64_t *ret_page, char *why,
		    size_t why_len)
{
	if (!(le->attributes & SGX_ATTR_EINITTOKENKEY))
		return guest_why(why, why_len, -EINVAL,
				 "'%s' is no launch enclave (its ATTRIBUTES lack EINITTOKEN_KEY); "
				 "build one with 'launch'",
				 le->name);
	if (le->lost)
		return guest_why(why, why_len, -EIO, "launch enclave '%s' was lost; rebuild it",
				 le->name);
	*ret_page = guest_enclave_rw_page(le);
	if (!le->nr_threads || *ret_page < 0)
		return guest_why(why, why_len, -EINVAL,
				 "launch enclave '%s' has no thread or no writable page to work in",
				 le->name);
	if (le->pages[*ret_page].state == GP_EVICTED)
		return guest_reload_page(g, (struct genclave *)le, (uint64_t)*ret_page, why,
					 why_len);
	return 0;
}

int guest_le_mint(struct guest *g, struct genclave *le, const struct sgx_sigstruct *sig,
		  const struct sgx_attributes *attr, struct sgx_einittoken *ret, char *why,
		  size_t why_len)
{
	struct gthread *th = &le->threads[0];
	struct le_run run = { .g = g, .le = le };
	int64_t page = -1;
	bool was_inside;
	int r;

	r = le_check(g, le, &page, why, why_len);
	if (r)
		return r;
	was_inside = guest_thread_inside(g, le, 0);
	r = guest_thread_run(g, le, 0, was_inside ? th->vcpu : guest_idle_vcpu(g), why, why_len);
	if (!r) {
		run.vcpu = vmm_vm_vcpu(g->vm, th->vcpu);
		run.page_la = le->base + (uint64_t)page * SGX_PAGE_SIZE;
		r = le_token_fill(&run, sig, attr, ret, why, why_len);
	}
	return guest_thread_restore(g, le, 0, was_inside, r, why, why_len);
}
