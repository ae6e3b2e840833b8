/* SPDX-License-Identifier: MIT */
/*
 * The trace commands: the options each takes and the operands each builds.
 * A leaf's operand structures (PAGEINFO, SECINFO, source page, SIGSTRUCT,
 * EINITTOKEN) start from defaults, take the line's named fields, and keep
 * its raw byte patches for the runner to apply last; every address and
 * register is resolved here, before anything runs.
 */
#include "trace-parse.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/loader.h"
#include "trace-int.h"
#include "trace-ops.h"
#include "trace.h"
#include "vsgx/crypto.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

/* The operands of ECREATE and EADD, and where they live by default. */
enum { B_SRC, B_SECINFO, B_PAGEINFO };
static const struct blob_def page_blobs[] = {
	[B_SRC] = { "srcpge", SGX_PAGE_SIZE, 0x0000 },
	[B_SECINFO] = { "secinfo", sizeof(struct sgx_secinfo), 0x2040 },
	[B_PAGEINFO] = { "pageinfo", sizeof(struct sgx_pageinfo), 0x2000 },
};

enum { B_SIG, B_TOKEN };
static const struct blob_def einit_blobs[] = {
	[B_SIG] = { "sig", sizeof(struct sgx_sigstruct), 0x1000 },
	[B_TOKEN] = { "token", sizeof(struct sgx_einittoken), 0x2200 },
};

static const struct opt_def pageinfo_opts[] = {
	{ "linaddr", OPT_ADDR, B_PAGEINFO, AT(sgx_pageinfo, linaddr) },
	{ "secs", OPT_ADDR, B_PAGEINFO, AT(sgx_pageinfo, secs) },
	{ "srcpge", OPT_PLACE, B_SRC, 0, 0 },
	{ "secinfo", OPT_PLACE, B_SECINFO, 0, 0 },
	{ "rbx", OPT_PLACE, B_PAGEINFO, 0, 0 },
	S("type", OPT_WORD),
	S("perm", OPT_WORD),
	F("secinfo.flags", B_SECINFO, sgx_secinfo, flags),
	END,
};

static const struct opt_def secs_opts[] = {
	F("size", B_SRC, sgx_secs, size),
	F("base", B_SRC, sgx_secs, base),
	F("ssa", B_SRC, sgx_secs, ssa_frame_size),
	F("miscselect", B_SRC, sgx_secs, miscselect),
	F("attributes", B_SRC, sgx_secs, attributes.flags),
	F("xfrm", B_SRC, sgx_secs, attributes.xfrm),
	B("configid", B_SRC, sgx_secs, config_id),
	F("isvprodid", B_SRC, sgx_secs, isv_prod_id),
	F("isvsvn", B_SRC, sgx_secs, isv_svn),
	F("configsvn", B_SRC, sgx_secs, config_svn),
	END,
};

static const struct opt_def tcs_opts[] = {
	S("fill", OPT_NUM),
	F("tcs.state", B_SRC, sgx_tcs, state),
	F("tcs.flags", B_SRC, sgx_tcs, flags),
	F("tcs.ossa", B_SRC, sgx_tcs, ossa),
	F("tcs.cssa", B_SRC, sgx_tcs, cssa),
	F("tcs.nssa", B_SRC, sgx_tcs, nssa),
	F("tcs.oentry", B_SRC, sgx_tcs, oentry),
	F("tcs.aep", B_SRC, sgx_tcs, aep),
	F("tcs.ofsbase", B_SRC, sgx_tcs, ofsbase),
	F("tcs.ogsbase", B_SRC, sgx_tcs, ogsbase),
	F("tcs.fslimit", B_SRC, sgx_tcs, fslimit),
	F("tcs.gslimit", B_SRC, sgx_tcs, gslimit),
	END,
};

static const struct opt_def sig_opts[] = {
	S("sig", OPT_PATH),
	{ "rbx", OPT_PLACE, B_SIG, 0, 0 },
	F("sig.vendor", B_SIG, sgx_sigstruct, vendor),
	F("sig.date", B_SIG, sgx_sigstruct, date),
	F("sig.swdefined", B_SIG, sgx_sigstruct, swdefined),
	F("sig.exponent", B_SIG, sgx_sigstruct, exponent),
	F("sig.miscselect", B_SIG, sgx_sigstruct, miscselect),
	F("sig.miscmask", B_SIG, sgx_sigstruct, miscmask),
	B("sig.isvfamilyid", B_SIG, sgx_sigstruct, isv_family_id),
	F("sig.attributes", B_SIG, sgx_sigstruct, attributes.flags),
	F("sig.xfrm", B_SIG, sgx_sigstruct, attributes.xfrm),
	F("sig.attributemask", B_SIG, sgx_sigstruct, attributes_mask.flags),
	F("sig.xfrmmask", B_SIG, sgx_sigstruct, attributes_mask.xfrm),
	B("sig.enclavehash", B_SIG, sgx_sigstruct, enclave_hash),
	B("sig.isvextprodid", B_SIG, sgx_sigstruct, isv_ext_prod_id),
	F("sig.isvprodid", B_SIG, sgx_sigstruct, isv_prod_id),
	F("sig.isvsvn", B_SIG, sgx_sigstruct, isv_svn),
	END,
};

static const struct opt_def token_opts[] = {
	S("token", OPT_WORD),
	{ "rdx", OPT_PLACE, B_TOKEN, 0, 0 },
	F("token.valid", B_TOKEN, sgx_einittoken, valid),
	F("token.attributes", B_TOKEN, sgx_einittoken, attributes.flags),
	F("token.xfrm", B_TOKEN, sgx_einittoken, attributes.xfrm),
	B("token.mrenclave", B_TOKEN, sgx_einittoken, mrenclave),
	B("token.mrsigner", B_TOKEN, sgx_einittoken, mrsigner),
	B("token.cpusvnle", B_TOKEN, sgx_einittoken, cpusvn_le),
	F("token.isvprodidle", B_TOKEN, sgx_einittoken, isv_prod_id_le),
	F("token.isvsvnle", B_TOKEN, sgx_einittoken, isv_svn_le),
	F("token.miscselectle", B_TOKEN, sgx_einittoken, masked_miscselect_le),
	F("token.attributesle", B_TOKEN, sgx_einittoken, masked_attributes_le.flags),
	F("token.xfrmle", B_TOKEN, sgx_einittoken, masked_attributes_le.xfrm),
	B("token.keyid", B_TOKEN, sgx_einittoken, keyid),
	B("token.mac", B_TOKEN, sgx_einittoken, mac),
	END,
};

static const struct opt_def count_opts[] = { S("count", OPT_NUM), END };
static const struct opt_def epa_opts[] = { S("rbx", OPT_NUM), END };
static const struct opt_def encls_opts[] = {
	S("rbx", OPT_SADDR), S("rcx", OPT_SADDR), S("rdx", OPT_SADDR), S("rflags", OPT_NUM), END,
};
static const struct opt_def sgxs_opts[] = {
	S("sig", OPT_PATH), S("base", OPT_NUM),	      S("attributes", OPT_NUM),
	S("xfrm", OPT_NUM), S("miscselect", OPT_NUM), END,
};

static const struct opt_def *const ecreate_tables[] = { pageinfo_opts, secs_opts, NULL };
static const struct opt_def *const eadd_tables[] = { pageinfo_opts, tcs_opts, NULL };
static const struct opt_def *const einit_tables[] = { sig_opts, token_opts, NULL };
static const struct opt_def *const eextend_tables[] = { count_opts, NULL };
static const struct opt_def *const epa_tables[] = { epa_opts, NULL };
static const struct opt_def *const encls_tables[] = { encls_opts, NULL };
static const struct opt_def *const sgxs_tables[] = { sgxs_opts, NULL };
static const struct opt_def control_opts[] = {
	S("mode", OPT_NUM), S("cr0", OPT_NUM), S("cr4", OPT_NUM), S("xcr0", OPT_NUM), END,
};
static const struct opt_def *const control_tables[] = { control_opts, NULL };

static const struct opt_def *opt_lookup(const struct op_def *od, const struct word *key)
{
	for (const struct opt_def *const *tab = od->opts; tab && *tab; tab++) {
		for (const struct opt_def *d = *tab; d->name; d++) {
			if (word_is(key, d->name))
				return d;
		}
	}
	return NULL;
}

/* NAME[OFF]: raw bytes for one of the command's structures. */
static int opt_raw_key(struct tp *tp, const struct op_def *od, const struct word *key,
		       struct opt_val *v)
{
	const char *open = word_find(key, '[');
	struct word name, off;

	if (!open || key->s[key->len - 1] != ']')
		return 1;
	name = word_sub(key, 0, (size_t)(open - key->s));
	off = word_sub(key, name.len + 1, key->len - 1);
	for (unsigned int i = 0; i < od->nr_blobs; i++) {
		if (word_is(&name, od->blobs[i].name)) {
			v->blob = (int)i;
			return tp_num(tp, &off, od->blobs[i].size - 1, &v->off);
		}
	}
	return tp_err(tp, key->col, "%s has no structure '%s' to patch", od->name, WSTR(&name));
}

static int opt_collect(struct tp *tp, const struct op_def *od, const struct word *w,
		       struct opt_vals *vals)
{
	const char *eq = word_find(w, '=');
	struct opt_val *v = &vals->v[vals->n];
	int r;

	memset(v, 0, sizeof(*v));
	v->key = word_sub(w, 0, (size_t)(eq - w->s));
	v->val = word_sub(w, v->key.len + 1, w->len);
	if (!v->key.len)
		return tp_err(tp, w->col, "'%s' has no option name before '='", WSTR(w));
	if (!v->val.len)
		return tp_err(tp, v->val.col, "option '%s' needs a value after '='", WSTR(&v->key));
	v->def = opt_lookup(od, &v->key);
	if (!v->def) {
		r = opt_raw_key(tp, od, &v->key, v);
		if (r > 0)
			return tp_err(tp, w->col, "%s has no option '%s'", od->name, WSTR(&v->key));
		if (r)
			return r;
	}
	for (unsigned int i = 0; v->def && i < vals->n; i++) {
		if (vals->v[i].def == v->def)
			return tp_err(tp, w->col, "option '%s' is given twice", v->def->name);
	}
	vals->n++;
	return 0;
}

const struct opt_val *topt_find(const struct opt_vals *v, const char *name)
{
	for (unsigned int i = 0; i < v->n; i++) {
		if (v->v[i].def && !strcmp(v->v[i].def->name, name))
			return &v->v[i];
	}
	return NULL;
}

int topt_blobs_init(const struct op_def *od, struct trace_cmd *cmd)
{
	for (unsigned int i = 0; i < od->nr_blobs; i++) {
		struct trace_blob *b = &cmd->blob[i];

		b->len = od->blobs[i].size;
		b->la = TRACE_RAM_BASE + od->blobs[i].ram_off;
		b->bytes = calloc(1, b->len);
		if (!b->bytes)
			return -ENOMEM;
		cmd->nr_blobs = i + 1;
	}
	return 0;
}

int topt_place(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v)
{
	for (unsigned int i = 0; i < v->n; i++) {
		const struct opt_def *d = v->v[i].def;
		int r;

		if (!d || d->kind != OPT_PLACE)
			continue;
		r = tp_addr(tp, &v->v[i].val, false, &cmd->blob[d->blob].la, NULL);
		if (r)
			return r;
	}
	return 0;
}

static int field_apply(struct tp *tp, struct trace_blob *b, const struct opt_val *ov)
{
	const struct opt_def *d = ov->def;
	uint8_t *bytes;
	uint64_t x;
	size_t n;
	int r;

	switch (d->kind) {
	case OPT_FIELD:
		r = tp_num(tp, &ov->val, d->size < 8 ? (1ULL << (8 * d->size)) - 1 : UINT64_MAX,
			   &x);
		break;
	case OPT_ADDR:
		r = tp_addr(tp, &ov->val, false, &x, NULL);
		break;
	case OPT_BYTES:
		r = tp_bytes(tp, &ov->val, d->size, &bytes, &n);
		if (!r) {
			memcpy(b->bytes + d->off, bytes, n);
			free(bytes);
		}
		return r;
	default:
		return 0;
	}
	if (!r)
		put_le(b->bytes + d->off, x, d->size);
	return r;
}

/* Named fields of structure (blob), in the order the line gives them. */
int topt_fields(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v, int blob)
{
	for (unsigned int i = 0; i < v->n; i++) {
		int r;

		if (!v->v[i].def || v->v[i].def->blob != blob)
			continue;
		r = field_apply(tp, &cmd->blob[blob], &v->v[i]);
		if (r)
			return r;
	}
	return 0;
}

/* Raw NAME[OFF]=BYTES patches, kept for the runner to apply last. */
int topt_raw(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v)
{
	for (unsigned int i = 0; i < v->n; i++) {
		const struct opt_val *ov = &v->v[i];
		struct trace_blob *b;
		struct trace_patch *p;
		size_t n;
		int r;

		if (ov->def)
			continue;
		b = &cmd->blob[ov->blob];
		p = realloc(b->raw, (b->nr_raw + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->raw = p;
		p = &b->raw[b->nr_raw];
		r = tp_bytes(tp, &ov->val, 0, &p->bytes, &n);
		if (r)
			return r;
		b->nr_raw++;
		p->off = (uint32_t)ov->off;
		p->len = (uint32_t)n;
		if (ov->off + n > b->len)
			return tp_err(tp, ov->val.col,
				      "%zu byte%s at offset %llu run%s past the end of %s "
				      "(%u bytes)",
				      n, n == 1 ? "" : "s", (unsigned long long)ov->off,
				      n == 1 ? "s" : "", WSTR(&ov->key), b->len);
	}
	return 0;
}

int topt_num(struct tp *tp, const struct opt_vals *v, const char *name, uint64_t max, uint64_t dflt,
	     uint64_t *ret)
{
	const struct opt_val *ov = topt_find(v, name);

	*ret = dflt;
	return ov ? tp_num(tp, &ov->val, max, ret) : 0;
}

/* ---------------------------------------------------------------------- */
/* ECREATE and EADD                                                       */
/* ---------------------------------------------------------------------- */

/* SECINFO.FLAGS from type= and perm=. */
int topt_secinfo_flags(struct tp *tp, const struct opt_vals *v, unsigned int dflt_pt, uint64_t *ret)
{
	const struct opt_val *type = topt_find(v, "type"), *perm = topt_find(v, "perm");
	uint64_t pt = dflt_pt, bits = 0;
	int r = 0;

	if (type)
		r = tp_type(tp, &type->val, &pt);
	if (!r && perm)
		r = tp_perm(tp, &perm->val, &bits);
	*ret = SGX_SECINFO_PT(pt) | bits;
	return r;
}

/* ECREATE's default SECS: a valid 64-bit enclave of 16 KiB. */
static void secs_default(struct sgx_secs *s)
{
	s->size = 0x4000;
	s->base = 0x40000000;
	s->ssa_frame_size = 1;
	s->attributes.flags = SGX_ATTR_MODE64BIT;
	s->attributes.xfrm = SGX_XFRM_LEGACY;
}

/*
 * PAGEINFO, SECINFO and the source page: ECREATE's SECS image (default_pt
 * SECS) or EADD's page, filled with fill= and then named fields.
 */
static int build_page_operands(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			       const struct opt_vals *v, unsigned int dflt_pt)
{
	struct sgx_pageinfo pi = { 0 };
	uint64_t fill, flags;
	int r;

	r = topt_blobs_init(od, cmd);
	if (!r)
		r = topt_place(tp, cmd, v);
	if (!r)
		r = topt_num(tp, v, "fill", 0xff, 0, &fill);
	if (r)
		return r;
	if (dflt_pt == SGX_PT_SECS)
		secs_default((struct sgx_secs *)cmd->blob[B_SRC].bytes);
	else
		memset(cmd->blob[B_SRC].bytes, (int)fill, SGX_PAGE_SIZE);
	r = topt_fields(tp, cmd, v, B_SRC);
	if (!r)
		r = topt_secinfo_flags(tp, v, dflt_pt, &flags);
	if (r)
		return r;
	memcpy(cmd->blob[B_SECINFO].bytes, &flags, sizeof(flags));
	r = topt_fields(tp, cmd, v, B_SECINFO);
	if (r)
		return r;
	pi.srcpge = cmd->blob[B_SRC].la;
	pi.secinfo = cmd->blob[B_SECINFO].la;
	memcpy(cmd->blob[B_PAGEINFO].bytes, &pi, sizeof(pi));
	r = topt_fields(tp, cmd, v, B_PAGEINFO);
	if (!r)
		r = topt_raw(tp, cmd, v);
	cmd->reg[TREG_RBX] = cmd->blob[B_PAGEINFO].la;
	return r;
}

/* Remember what a SECS page was created with, for minted tokens. */
static void label_note_secs(struct trace_label *l, const struct sgx_secs *secs)
{
	if (!l)
		return;
	l->has_secs = true;
	l->attributes = secs->attributes;
}

static int build_ecreate(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	struct trace_label *l;
	int r;

	(void)nargs;
	r = tp_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], &l);
	if (!r)
		r = build_page_operands(tp, od, cmd, v, SGX_PT_SECS);
	if (!r)
		label_note_secs(l, (const struct sgx_secs *)cmd->blob[B_SRC].bytes);
	return r;
}

static int build_eadd(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)nargs;
	if (!topt_find(v, "secs") || !topt_find(v, "linaddr"))
		return tp_err(tp, tp->cmd_col, "eadd needs secs=SECS and linaddr=ADDR");
	r = tp_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = build_page_operands(tp, od, cmd, v, SGX_PT_REG);
	return r;
}

/* ---------------------------------------------------------------------- */
/* EINIT                                                                  */
/* ---------------------------------------------------------------------- */

/* Keep a SIGSTRUCT read from a file for the life of the trace. */
int topt_sig_load(struct tp *tp, const struct word *w, struct sgx_sigstruct **ret)
{
	struct trace *t = tp->t;
	struct sgx_sigstruct *s;
	char why[256], *path;
	int r;

	r = tp_path(tp, w, &path);
	if (r)
		return r;
	r = trace_grow((void **)&t->sigs, &t->cap_sigs, t->nr_sigs, sizeof(*t->sigs));
	s = r ? NULL : malloc(sizeof(*s));
	if (!s) {
		free(path);
		return -ENOMEM;
	}
	t->sigs[t->nr_sigs++] = s;
	r = sigstruct_load(path, s, why, sizeof(why));
	if (r)
		r = tp_err_code(tp, w->col, r, "%s: %s", path, why);
	free(path);
	*ret = s;
	return r;
}

static int einit_sig(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v,
		     const struct trace_label *l)
{
	const struct opt_val *ov = topt_find(v, "sig");
	struct sgx_sigstruct *s;
	int r;

	if (!ov) {
		if (!l || !l->sig)
			return tp_err(tp, tp->cmd_col,
				      "einit needs sig=FILE (its SECS was not built by 'sgxs ... "
				      "sig=FILE')");
		memcpy(cmd->blob[B_SIG].bytes, l->sig, sizeof(*l->sig));
		return 0;
	}
	r = topt_sig_load(tp, &ov->val, &s);
	if (!r)
		memcpy(cmd->blob[B_SIG].bytes, s, sizeof(*s));
	return r;
}

/*
 * The token a launch enclave would issue for this SIGSTRUCT and SECS. Its
 * MAC needs the issuing CPU's launch key as EINIT runs: the runner adds it.
 */
static int token_mint(struct tp *tp, const struct trace_label *l, const struct sgx_sigstruct *sig,
		      struct sgx_einittoken *tok)
{
	tok->valid = SGX_EINITTOKEN_VALID;
	if (l && l->has_secs)
		tok->attributes = l->attributes;
	memcpy(tok->mrenclave, sig->enclave_hash, sizeof(tok->mrenclave));
	if (crypto_sha256(sig->modulus, sizeof(sig->modulus), tok->mrsigner))
		return -ENOMEM;
	memcpy(tok->cpusvn_le, tp->t->desc.cpusvn, sizeof(tok->cpusvn_le));
	tok->masked_attributes_le.flags = SGX_ATTR_MODE64BIT | SGX_ATTR_EINITTOKENKEY;
	tok->masked_attributes_le.xfrm = SGX_XFRM_LEGACY;
	return 0;
}

static int einit_token(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v,
		       const struct trace_label *l)
{
	const struct opt_val *ov = topt_find(v, "token");

	if (!ov || word_is(&ov->val, "zero"))
		return 0;
	if (!word_is(&ov->val, "mint"))
		return tp_err(tp, ov->val.col, "token is zero or mint, not '%s'", WSTR(&ov->val));
	cmd->blob[B_TOKEN].mint = true;
	return token_mint(tp, l, (const struct sgx_sigstruct *)cmd->blob[B_SIG].bytes,
			  (struct sgx_einittoken *)cmd->blob[B_TOKEN].bytes);
}

static int build_einit(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	struct trace_label *l;
	int r;

	(void)nargs;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], &l);
	if (!r)
		r = topt_blobs_init(od, cmd);
	if (!r)
		r = topt_place(tp, cmd, v);
	if (!r)
		r = einit_sig(tp, cmd, v, l);
	if (!r)
		r = topt_fields(tp, cmd, v, B_SIG);
	if (!r)
		r = einit_token(tp, cmd, v, l);
	if (!r)
		r = topt_fields(tp, cmd, v, B_TOKEN);
	if (!r)
		r = topt_raw(tp, cmd, v);
	cmd->reg[TREG_RBX] = cmd->blob[B_SIG].la;
	cmd->reg[TREG_RDX] = cmd->blob[B_TOKEN].la;
	return r;
}

/* ---------------------------------------------------------------------- */
/* The other leaves                                                       */
/* ---------------------------------------------------------------------- */

static int build_eextend(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)nargs;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RBX], NULL);
	if (!r)
		r = tp_addr(tp, &args[1], false, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = topt_num(tp, v, "count", 1u << 20, 1, &cmd->count);
	if (!r && !cmd->count)
		r = tp_err(tp, topt_find(v, "count")->val.col, "count must be at least 1");
	return r;
}

int topt_build_rcx(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		   const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)nargs;
	(void)v;
	return tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
}

static int build_epa(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)nargs;
	r = tp_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = topt_num(tp, v, "rbx", UINT64_MAX, SGX_PT_VA, &cmd->reg[TREG_RBX]);
	return r;
}

int topt_build_regs(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		    const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	static const char *const regs[] = {
		[TREG_RBX] = "rbx", [TREG_RCX] = "rcx", [TREG_RDX] = "rdx"
	};
	int r;

	(void)od;
	(void)nargs;
	r = tp_num(tp, &args[0], UINT64_MAX, &cmd->reg[TREG_RAX]);
	for (int i = TREG_RBX; !r && i <= TREG_RDX; i++) {
		const struct opt_val *ov = topt_find(v, regs[i]);

		if (ov)
			r = tp_addr(tp, &ov->val, false, &cmd->reg[i], NULL);
	}
	if (!r && topt_find(v, "rflags")) {
		cmd->want_mask |= TRACE_WANT_RFLAGS;
		r = topt_num(tp, v, "rflags", UINT64_MAX, 0, &cmd->arg[4]);
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* sgxs: an enclave built from a measurement stream                       */
/* ---------------------------------------------------------------------- */

int topt_sgxs_read(struct tp *tp, const struct word *w, struct sgxs **ret)
{
	char why[256], *path;
	int r;

	r = tp_path(tp, w, &path);
	if (r)
		return r;
	r = sgxs_load(path, ret, why, sizeof(why));
	if (r)
		r = tp_err_code(tp, w->col, r, "%s: %s", path, why);
	free(path);
	return r;
}

/* The SECS the loader creates: from the SIGSTRUCT, then the line's overrides. */
static int sgxs_secs(struct tp *tp, const struct opt_vals *v, struct trace_sgxs *sg,
		     const struct sgx_sigstruct *sig)
{
	struct sgx_sigstruct dflt = { 0 };
	uint64_t base, x;
	int r;

	if (!sig) {
		dflt.attributes.flags = SGX_ATTR_MODE64BIT;
		dflt.attributes.xfrm = SGX_XFRM_LEGACY;
		sig = &dflt;
	}
	base = loader_default_base(sg->sgxs->size, sig->attributes.flags & SGX_ATTR_MODE64BIT);
	r = topt_num(tp, v, "base", UINT64_MAX, base, &base);
	if (r)
		return r;
	loader_secs_init(&sg->secs, sg->sgxs, sig, base);
	r = topt_num(tp, v, "attributes", UINT64_MAX, sg->secs.attributes.flags, &x);
	sg->secs.attributes.flags = x;
	if (!r)
		r = topt_num(tp, v, "xfrm", UINT64_MAX, sg->secs.attributes.xfrm, &x);
	sg->secs.attributes.xfrm = x;
	if (!r)
		r = topt_num(tp, v, "miscselect", UINT32_MAX, sg->secs.miscselect, &x);
	sg->secs.miscselect = (uint32_t)x;
	return r;
}

/* The SECS page, then one page per EADD, all handed out now. */
static int sgxs_pages(struct tp *tp, struct trace_sgxs *sg, uint64_t secs_pa, unsigned int col)
{
	sg->nr_pages = sg->sgxs->nr_eadd + 1;
	sg->pages = calloc(sg->nr_pages, sizeof(*sg->pages));
	if (!sg->pages)
		return -ENOMEM;
	sg->pages[0] = secs_pa;
	for (size_t i = 1; i < sg->nr_pages; i++) {
		int r = tp_epc_next(tp, col, &sg->pages[i]);

		if (r)
			return r;
	}
	return 0;
}

static int build_sgxs(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	const struct opt_val *sigv = topt_find(v, "sig");
	struct sgx_sigstruct *sig = NULL;
	struct trace_label *l;
	int r;

	(void)od;
	(void)nargs;
	cmd->sgxs = calloc(1, sizeof(*cmd->sgxs));
	if (!cmd->sgxs)
		return -ENOMEM;
	r = tp_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], &l);
	if (!r && (!l || word_find(&args[0], '+')))
		r = tp_err(tp, args[0].col, "sgxs names its SECS page with a label");
	if (!r)
		r = topt_sgxs_read(tp, &args[1], &cmd->sgxs->sgxs);
	if (!r && sigv)
		r = topt_sig_load(tp, &sigv->val, &sig);
	if (!r)
		r = sgxs_secs(tp, v, cmd->sgxs, sig);
	if (!r)
		r = sgxs_pages(tp, cmd->sgxs, l->pa, args[0].col);
	if (r)
		return r;
	label_note_secs(l, &cmd->sgxs->secs);
	l->sig = sig;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* MSRs, CPUID, events, the raw enclave markers, reset                    */
/* ---------------------------------------------------------------------- */

static int build_msr(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)v;
	r = tp_num(tp, &args[0], UINT32_MAX, &cmd->reg[TREG_RCX]);
	if (!r && od->op == TOP_WRMSR)
		r = tp_num(tp, &args[1], UINT64_MAX, &cmd->reg[TREG_RAX]);
	(void)nargs;
	return r;
}

static int build_cpuid(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)v;
	r = tp_num(tp, &args[0], UINT32_MAX, &cmd->reg[TREG_RAX]);
	if (!r && nargs > 1)
		r = tp_num(tp, &args[1], UINT32_MAX, &cmd->reg[TREG_RCX]);
	return r;
}

static int build_event(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)nargs;
	(void)v;
	if (word_is(&args[0], "on") || word_is(&args[0], "off")) {
		cmd->count = word_is(&args[0], "on");
		return 0;
	}
	return tp_err(tp, args[0].col, "pending-event takes on or off, not '%s'", WSTR(&args[0]));
}

/*
 * control [mode=64|32] [cr0=N] [cr4=N] [xcr0=N], or control off: the mode
 * and control registers the CPU's entries check. Defaults: 64-bit, CR0 PE,
 * NE and PG, CR4 OSFXSR, OSXMMEXCPT and OSXSAVE, XCR0 x87|SSE|AVX.
 */
static int build_control(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	if (nargs) {
		if (!word_is(&args[0], "off") || v->n)
			return tp_err(tp, args[0].col,
				      "expected 'control off' or 'control [mode=64|32] [cr0=N] "
				      "[cr4=N] [xcr0=N]'");
		cmd->count = 0;
		return 0;
	}
	cmd->count = 1;
	r = topt_num(tp, v, "mode", 64, 64, &cmd->arg[0]);
	if (!r && cmd->arg[0] != 64 && cmd->arg[0] != 32)
		return tp_err(tp, tp->cmd_col, "mode= is 64 or 32, not %llu",
			      (unsigned long long)cmd->arg[0]);
	if (!r)
		r = topt_num(tp, v, "cr0", UINT64_MAX, 0x80000021, &cmd->arg[1]);
	if (!r)
		r = topt_num(tp, v, "cr4", UINT64_MAX, 0x40600, &cmd->arg[2]);
	if (!r)
		r = topt_num(tp, v, "xcr0", UINT64_MAX, 0x7, &cmd->arg[3]);
	return r;
}

static int build_enter(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)nargs;
	(void)v;
	return tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
}

static int build_none(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)tp;
	(void)od;
	(void)cmd;
	(void)args;
	(void)nargs;
	(void)v;
	return 0;
}

#define PAGE_BLOBS  page_blobs, 3
#define EINIT_BLOBS einit_blobs, 2

static const struct op_def op_defs[] = {
	{ "ecreate", TOP_ECREATE, 1, 1, "ecreate TARGET [OPTION=VALUE...]", ecreate_tables,
	  PAGE_BLOBS, build_ecreate },
	{ "eadd", TOP_EADD, 1, 1, "eadd TARGET secs=SECS linaddr=ADDR [OPTION=VALUE...]",
	  eadd_tables, PAGE_BLOBS, build_eadd },
	{ "eextend", TOP_EEXTEND, 2, 2, "eextend SECS CHUNK [count=N]", eextend_tables, NULL, 0,
	  build_eextend },
	{ "einit", TOP_EINIT, 1, 1, "einit SECS [sig=FILE] [token=zero|mint] [OPTION=VALUE...]",
	  einit_tables, EINIT_BLOBS, build_einit },
	{ "eremove", TOP_EREMOVE, 1, 1, "eremove PAGE", NULL, NULL, 0, topt_build_rcx },
	{ "epa", TOP_EPA, 1, 1, "epa TARGET [rbx=PT]", epa_tables, NULL, 0, build_epa },
	{ "encls", TOP_ENCLS, 1, 1, "encls LEAF [rbx=X] [rcx=X] [rdx=X]", encls_tables, NULL, 0,
	  topt_build_regs },
	{ "sgxs", TOP_SGXS, 2, 2, "sgxs LABEL FILE.sgxs [sig=FILE] [OPTION=VALUE...]", sgxs_tables,
	  NULL, 0, build_sgxs },
	{ "rdmsr", TOP_RDMSR, 1, 1, "rdmsr MSR", NULL, NULL, 0, build_msr },
	{ "wrmsr", TOP_WRMSR, 2, 2, "wrmsr MSR VALUE", NULL, NULL, 0, build_msr },
	{ "cpuid", TOP_CPUID, 1, 2, "cpuid LEAF [SUBLEAF]", NULL, NULL, 0, build_cpuid },
	{ "pending-event", TOP_EVENT, 1, 1, "pending-event on|off", NULL, NULL, 0, build_event },
	{ "control", TOP_CONTROL, 0, 1,
	  "control off | control [mode=64|32] [cr0=N] [cr4=N] [xcr0=N]", control_tables, NULL, 0,
	  build_control },
	{ "enter", TOP_ENTER, 1, 1, "enter SECS", NULL, NULL, 0, build_enter },
	{ "exit", TOP_EXIT, 0, 0, "exit", NULL, NULL, 0, build_none },
	{ "reset", TOP_RESET, 0, 0, "reset", NULL, NULL, 0, build_none },
};

static const struct op_def *op_find(const struct word *w)
{
	for (size_t i = 0; i < sizeof(op_defs) / sizeof(op_defs[0]); i++) {
		if (word_is(w, op_defs[i].name))
			return &op_defs[i];
	}
	for (size_t i = 0; i < trace_nr_leaf_ops; i++) {
		if (word_is(w, trace_leaf_ops[i].name))
			return &trace_leaf_ops[i];
	}
	for (size_t i = 0; i < trace_nr_host_ops; i++) {
		if (word_is(w, trace_host_ops[i].name))
			return &trace_host_ops[i];
	}
	return NULL;
}

/* Arguments, then OPTION=VALUE words; builds the command. */
static int op_parse(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		    const struct word *w, unsigned int n)
{
	struct opt_vals vals;
	unsigned int nargs = 0;
	int r;

	while (nargs < n && !word_find(&w[nargs], '='))
		nargs++;
	if (nargs < od->min_args || nargs > od->max_args)
		return tp_err(tp, tp->cmd_col, "expected '%s'", od->usage);
	vals.n = 0;
	for (unsigned int i = nargs; i < n; i++) {
		if (!word_find(&w[i], '='))
			return tp_err(tp, w[i].col,
				      "'%s': arguments come before OPTION=VALUE words",
				      WSTR(&w[i]));
		if (!od->opts)
			return tp_err(tp, w[i].col, "%s takes no options", od->name);
		r = opt_collect(tp, od, &w[i], &vals);
		if (r)
			return r;
	}
	cmd->op = od->op;
	return od->build(tp, od, cmd, w, nargs, &vals);
}

int tp_command(struct tp *tp, struct trace_cmd *cmd, const struct word *w, unsigned int n)
{
	const struct op_def *od = op_find(&w[0]);

	if (!od)
		return tp_err(tp, w[0].col, "unknown command '%s'", WSTR(&w[0]));
	return op_parse(tp, od, cmd, w + 1, n - 1);
}
