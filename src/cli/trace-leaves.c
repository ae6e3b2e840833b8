/* SPDX-License-Identifier: MIT */
/*
 * Trace commands for enclave threads, paging, SGX2 and debugging, and for
 * the memory the CPUs see: mapping enclave linear pages onto EPC pages,
 * writing and reading the runner's RAM, and enclave code's own loads and
 * stores. Operands are built here, as in trace-ops.c; structures that a leaf
 * reads inside an enclave (EACCEPT's SECINFO) are stored by the runner with
 * enclave-mode writes when they lie outside the RAM.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-ops.h"
#include "trace.h"

/* Where the paging leaves' structures live by default. */
enum { L_PAGEINFO, L_SECINFO };
static const struct blob_def leaf_blobs[] = {
	[L_PAGEINFO] = { "pageinfo", sizeof(struct sgx_pageinfo), 0x2000 },
	[L_SECINFO] = { "secinfo", sizeof(struct sgx_secinfo), 0x2040 },
};

/* The SECINFO operand of EMODPR, EMODT, EACCEPT, EACCEPTCOPY and EMODPE. */
enum { S_SECINFO };
static const struct blob_def secinfo_blobs[] = {
	[S_SECINFO] = { "secinfo", sizeof(struct sgx_secinfo), 0x2040 },
};

#define DEFAULT_SRCPGE (TRACE_RAM_BASE + 0x3000)
#define DEFAULT_PCMD   (TRACE_RAM_BASE + 0x2080)
#define DEFAULT_AEP    0x7f0000001000ULL
#define DEFAULT_TARGET 0x400000ULL
#define MAX_MEM_BYTES  SGX_PAGE_SIZE

static const struct opt_def reg_opts[] = {
	S("rbx", OPT_SADDR), S("rcx", OPT_SADDR), S("rdx", OPT_SADDR), S("rflags", OPT_NUM), END,
};
static const struct opt_def want_opts[] = { S("want", OPT_WORD), S("differ", OPT_WORD),
					    S("save", OPT_WORD), END };
static const struct opt_def ewb_opts[] = {
	S("va", OPT_SADDR),
	{ "srcpge", OPT_ADDR, L_PAGEINFO, AT(sgx_pageinfo, srcpge) },
	{ "pcmd", OPT_ADDR, L_PAGEINFO, AT(sgx_pageinfo, secinfo) },
	{ "linaddr", OPT_ADDR, L_PAGEINFO, AT(sgx_pageinfo, linaddr) },
	{ "secs", OPT_ADDR, L_PAGEINFO, AT(sgx_pageinfo, secs) },
	{ "rbx", OPT_PLACE, L_PAGEINFO, 0, 0 },
	END,
};
static const struct opt_def eaug_opts[] = {
	{ "secs", OPT_ADDR, L_PAGEINFO, AT(sgx_pageinfo, secs) },
	{ "linaddr", OPT_ADDR, L_PAGEINFO, AT(sgx_pageinfo, linaddr) },
	{ "rbx", OPT_PLACE, L_PAGEINFO, 0, 0 },
	S("type", OPT_WORD),
	S("perm", OPT_WORD),
	END,
};
static const struct opt_def secinfo_opts[] = {
	S("type", OPT_WORD),
	S("perm", OPT_WORD),
	S("pending", OPT_NUM),
	S("modified", OPT_NUM),
	S("pr", OPT_NUM),
	{ "secinfo", OPT_PLACE, S_SECINFO, 0, 0 },
	{ "flags", OPT_FIELD, S_SECINFO, AT(sgx_secinfo, flags) },
	END,
};
static const struct opt_def aep_opts[] = { S("aep", OPT_NUM), END };
static const struct opt_def eexit_opts[] = { S("target", OPT_NUM), END };
static const struct opt_def aex_opts[] = {
	S("vector", OPT_NUM), S("error", OPT_NUM),
	S("addr", OPT_NUM),   S("rip", OPT_NUM),
	S("rflags", OPT_NUM), S("rax", OPT_NUM),
	S("rbx", OPT_NUM),    S("rcx", OPT_NUM),
	S("rdx", OPT_NUM),    END,
};

/* ESETCONTEXT's operand: the 8-byte context value. */
enum { C_CONTEXT };
static const struct blob_def context_blobs[] = {
	[C_CONTEXT] = { "context", sizeof(uint64_t), 0x2180 },
};
#define DEFAULT_RDINFO (TRACE_RAM_BASE + 0x2100)

static const struct opt_def vmx_opts[] = { S("epcvirt", OPT_NUM), END };
static const struct opt_def erdinfo_opts[] = {
	S("rbx", OPT_SADDR),   S("status", OPT_NUM), S("flags", OPT_NUM),
	S("context", OPT_NUM), S("rflags", OPT_NUM), END,
};
static const struct opt_def esetcontext_opts[] = {
	{ "value", OPT_FIELD, C_CONTEXT, 0, sizeof(uint64_t) },
	{ "rdx", OPT_PLACE, C_CONTEXT, 0, 0 },
	END,
};

static const struct opt_def *const reg_tables[] = { reg_opts, NULL };
static const struct opt_def *const vmx_tables[] = { vmx_opts, NULL };
static const struct opt_def *const erdinfo_tables[] = { erdinfo_opts, NULL };
static const struct opt_def *const esetcontext_tables[] = { esetcontext_opts, NULL };
static const struct opt_def *const want_tables[] = { want_opts, NULL };
static const struct opt_def *const ewb_tables[] = { ewb_opts, NULL };
static const struct opt_def *const eaug_tables[] = { eaug_opts, NULL };
static const struct opt_def *const secinfo_tables[] = { secinfo_opts, NULL };
static const struct opt_def *const aep_tables[] = { aep_opts, NULL };
static const struct opt_def *const eexit_tables[] = { eexit_opts, NULL };
static const struct opt_def *const aex_tables[] = { aex_opts, NULL };

/* ---------------------------------------------------------------------- */
/* Memory                                                                 */
/* ---------------------------------------------------------------------- */

static bool in_ram(uint64_t la, uint64_t len)
{
	return la - TRACE_RAM_BASE < TRACE_RAM_SIZE &&
	       len <= TRACE_RAM_SIZE - (la - TRACE_RAM_BASE);
}

static bool in_epc(const struct trace *t, uint64_t la)
{
	for (unsigned int i = 0; i < t->desc.nr_sections; i++) {
		const struct hw_epc_section_desc *s = &t->desc.sections[i];

		if (la - s->base < s->size)
			return true;
	}
	return false;
}

/* map LA PAGE: enclave linear page LA translates to EPC page PAGE from now on. */
static int build_map(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	uint64_t la;
	int r;

	(void)v;
	r = tp_num(tp, &args[0], UINT64_MAX, &la);
	if (r)
		return r;
	if (la & ~SGX_PAGE_MASK)
		return tp_err(tp, args[0].col, "%s needs a 4 KiB aligned linear address", od->name);
	if (in_ram(la, SGX_PAGE_SIZE) || in_epc(tp->t, la))
		return tp_err(tp, args[0].col,
			      "0x%llx is the runner's RAM or EPC; map addresses outside both",
			      (unsigned long long)la);
	cmd->reg[TREG_RBX] = la;
	if (nargs < 2)
		return 0;
	r = tp_addr(tp, &args[1], false, &cmd->reg[TREG_RCX], NULL);
	if (!r && (!in_epc(tp->t, cmd->reg[TREG_RCX]) || (cmd->reg[TREG_RCX] & ~SGX_PAGE_MASK)))
		r = tp_err(tp, args[1].col, "map needs an EPC page to map to");
	return r;
}

/* Bytes for poke and store, or the want= of peek and load. */
static int mem_data(struct tp *tp, const struct word *w, struct trace_cmd *cmd)
{
	int r = tp_bytes(tp, w, 0, &cmd->data, &cmd->data_len);

	if (!r && cmd->data_len > MAX_MEM_BYTES)
		r = tp_err(tp, w->col, "at most %d bytes at a time", (int)MAX_MEM_BYTES);
	return r;
}

/* A value name: a letter, then letters, digits, '_' or '-'. */
static bool var_name_ok(const struct word *w, size_t from)
{
	if (w->len <= from || !isalpha((unsigned char)w->s[from]))
		return false;
	for (size_t i = from + 1; i < w->len; i++)
		if (!isalnum((unsigned char)w->s[i]) && w->s[i] != '_' && w->s[i] != '-')
			return false;
	return true;
}

/* save=NAME: declare a value (a name saved twice is saved again: same index). */
static int var_declare(struct tp *tp, const struct word *w, unsigned int *ret)
{
	struct trace *t = tp->t;
	size_t i;

	if (!var_name_ok(w, 0))
		return tp_err(
		    tp, w->col,
		    "save= takes a name (a letter, then letters, digits, _ or -), not '%s'",
		    WSTR(w));
	for (i = 0; i < t->nr_vars && !word_is(w, t->vars[i]); i++)
		;
	if (i == t->nr_vars) {
		if (trace_grow((void **)&t->vars, &t->cap_vars, t->nr_vars, sizeof(*t->vars)))
			return -ENOMEM;
		t->vars[i] = strndup(w->s, w->len);
		if (!t->vars[i])
			return -ENOMEM;
		t->nr_vars++;
	}
	*ret = (unsigned int)i + 1;
	return 0;
}

/* @NAME: a value an earlier line saved. */
static int var_use(struct tp *tp, const struct word *w, unsigned int *ret)
{
	struct trace *t = tp->t;

	if (!var_name_ok(w, 1))
		return tp_err(tp, w->col, "'%s' is no value name: @NAME names what save=NAME read",
			      WSTR(w));
	for (size_t i = 0; i < t->nr_vars; i++) {
		if (w->len - 1 == strlen(t->vars[i]) && !memcmp(w->s + 1, t->vars[i], w->len - 1)) {
			*ret = (unsigned int)i + 1;
			return 0;
		}
	}
	return tp_err(tp, w->col, "'%s': no earlier peek or load has save=%.*s", WSTR(w),
		      (int)w->len - 1, w->s + 1);
}

/* want=, differ= and save= of peek and load. */
static int mem_read_opts(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct opt_vals *v)
{
	const struct opt_val *want = topt_find(v, "want"), *differ = topt_find(v, "differ");
	const struct opt_val *save = topt_find(v, "save");
	int r = 0;

	if (want && differ)
		return tp_err(tp, differ->val.col, "%s takes want= or differ=, not both", od->name);
	if (differ && (differ->val.len < 1 || differ->val.s[0] != '@'))
		return tp_err(tp, differ->val.col, "differ= takes a saved value, @NAME");
	if (differ) {
		cmd->use_differ = true;
		r = var_use(tp, &differ->val, &cmd->use_var);
	}
	if (!r && want && want->val.len && want->val.s[0] == '@')
		r = var_use(tp, &want->val, &cmd->use_var);
	if (!r && save)
		r = var_declare(tp, &save->val, &cmd->save_var);
	return r;
}

static int build_mem(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	const struct opt_val *want = topt_find(v, "want");
	bool ram = od->op == TOP_POKE || od->op == TOP_PEEK;
	bool read = od->op == TOP_PEEK || od->op == TOP_LOAD;
	int r;

	(void)nargs;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RBX], NULL);
	if (r)
		return r;
	if (read) {
		r = tp_num(tp, &args[1], MAX_MEM_BYTES, &cmd->count);
		if (!r && !cmd->count)
			r = tp_err(tp, args[1].col, "%s needs a length of at least 1", od->name);
		if (!r)
			r = mem_read_opts(tp, od, cmd, v);
		if (!r && want && !cmd->use_var) {
			r = mem_data(tp, &want->val, cmd);
			if (!r && cmd->data_len != cmd->count)
				r = tp_err(tp, want->val.col, "want= has %zu byte%s, not %llu",
					   cmd->data_len, cmd->data_len == 1 ? "" : "s",
					   (unsigned long long)cmd->count);
		}
	} else if (args[1].len && args[1].s[0] == '@') {
		/* Its length is known when the line runs: the RAM check waits until then. */
		return var_use(tp, &args[1], &cmd->use_var);
	} else {
		r = mem_data(tp, &args[1], cmd);
		cmd->count = cmd->data_len;
	}
	if (!r && ram && !in_ram(cmd->reg[TREG_RBX], cmd->count))
		r = tp_err(tp, args[0].col, "%s works on the runner's RAM (ram .. ram+0xfffff)",
			   od->name);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Leaves                                                                 */
/* ---------------------------------------------------------------------- */

static int build_edbgwr(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r = topt_build_rcx(tp, od, cmd, args, nargs, v);

	return r ? r : tp_num(tp, &args[1], UINT64_MAX, &cmd->reg[TREG_RBX]);
}

/*
 * EWB, ELDB, ELDU: PAGEINFO with the encrypted page (srcpge=) and PCMD
 * (pcmd=) in RAM, the page in RCX and the VA slot in RDX. EWB fills the page
 * and PCMD; ELD reads them where EWB left them.
 */
static int build_paging(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	const struct opt_val *va = topt_find(v, "va");
	struct sgx_pageinfo pi = { .srcpge = DEFAULT_SRCPGE, .secinfo = DEFAULT_PCMD };
	int r;

	(void)nargs;
	if (!va)
		return tp_err(tp, tp->cmd_col, "%s needs va=SLOT, the VA slot's address", od->name);
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = tp_addr(tp, &va->val, false, &cmd->reg[TREG_RDX], NULL);
	if (!r)
		r = topt_blobs_init(od, cmd);
	if (r)
		return r;
	/* Only PAGEINFO is written: the page and PCMD are the leaves' own business. */
	memcpy(cmd->blob[L_PAGEINFO].bytes, &pi, sizeof(pi));
	r = topt_place(tp, cmd, v);
	if (!r)
		r = topt_fields(tp, cmd, v, L_PAGEINFO);
	if (!r)
		r = topt_raw(tp, cmd, v);
	cmd->reg[TREG_RBX] = cmd->blob[L_PAGEINFO].la;
	return r;
}

/* EAUG: PAGEINFO with SECS and LINADDR; SECINFO only when type= or perm= asks for one. */
static int build_eaug(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	bool secinfo = topt_find(v, "type") || topt_find(v, "perm");
	struct sgx_pageinfo *pi;
	uint64_t flags;
	int r;

	(void)nargs;
	if (!topt_find(v, "secs") || !topt_find(v, "linaddr"))
		return tp_err(tp, tp->cmd_col, "eaug needs secs=SECS and linaddr=ADDR");
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = topt_blobs_init(od, cmd);
	if (!r)
		r = topt_place(tp, cmd, v);
	if (!r)
		r = topt_fields(tp, cmd, v, L_PAGEINFO);
	if (!r && secinfo)
		r = topt_secinfo_flags(tp, v, SGX_PT_REG, &flags);
	if (r)
		return r;
	pi = (struct sgx_pageinfo *)cmd->blob[L_PAGEINFO].bytes;
	if (secinfo) {
		memcpy(cmd->blob[L_SECINFO].bytes, &flags, sizeof(flags));
		pi->secinfo = cmd->blob[L_SECINFO].la;
	} else {
		/* No SECINFO: drop the structure rather than write it. */
		free(cmd->blob[L_SECINFO].bytes);
		cmd->blob[L_SECINFO].bytes = NULL;
		cmd->nr_blobs = 1;
	}
	cmd->reg[TREG_RBX] = cmd->blob[L_PAGEINFO].la;
	return topt_raw(tp, cmd, v);
}

/* pending=, modified=, pr= as SECINFO.FLAGS bits. */
static int secinfo_state(struct tp *tp, const struct opt_vals *v, uint64_t *flags)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} bits[] = {
		{ "pending", SGX_SECINFO_PENDING },
		{ "modified", SGX_SECINFO_MODIFIED },
		{ "pr", SGX_SECINFO_PR },
	};

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		uint64_t on;
		int r = topt_num(tp, v, bits[i].name, 1, 0, &on);

		if (r)
			return r;
		if (on)
			*flags |= bits[i].bit;
	}
	return 0;
}

/*
 * A SECINFO operand in RBX: EMODPR/EMODT (in RAM by default; no page type
 * unless type= gives one, as Linux passes them) and EACCEPT, EACCEPTCOPY,
 * EMODPE (inside the enclave: secinfo= is required).
 */
static int build_secinfo(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	bool inside = od->op == TOP_EACCEPT || od->op == TOP_EACCEPTCOPY || od->op == TOP_EMODPE;
	unsigned int dflt_pt = inside ? SGX_PT_REG : 0;
	uint64_t flags;
	int r;

	if (inside && !topt_find(v, "secinfo"))
		return tp_err(tp, tp->cmd_col,
			      "%s needs secinfo=ADDR, an address inside the enclave", od->name);
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
	if (!r && nargs > 1)
		r = tp_addr(tp, &args[1], false, &cmd->reg[TREG_RDX], NULL);
	if (!r)
		r = topt_blobs_init(od, cmd);
	if (!r)
		r = topt_place(tp, cmd, v);
	if (!r)
		r = topt_secinfo_flags(tp, v, dflt_pt, &flags);
	if (!r)
		r = secinfo_state(tp, v, &flags);
	if (r)
		return r;
	memcpy(cmd->blob[S_SECINFO].bytes, &flags, sizeof(flags));
	r = topt_fields(tp, cmd, v, S_SECINFO);
	if (!r)
		r = topt_raw(tp, cmd, v);
	cmd->reg[TREG_RBX] = cmd->blob[S_SECINFO].la;
	return r;
}

static int build_entry(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)nargs;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RBX], NULL);
	if (!r)
		r = topt_num(tp, v, "aep", UINT64_MAX, DEFAULT_AEP, &cmd->reg[TREG_RCX]);
	return r;
}

static int build_eexit(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)args;
	(void)nargs;
	return topt_num(tp, v, "target", UINT64_MAX, DEFAULT_TARGET, &cmd->reg[TREG_RBX]);
}

/* An asynchronous exit: an interrupt (vector >= 32, the default 0x20) or an exception. */
static int build_aex(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	static const char *const regs[] = { "rax", "rbx", "rcx", "rdx" };
	static const char *const args_names[] = {
		"vector", "error", "addr", NULL, "rip", "rflags"
	};
	int r = 0;

	(void)od;
	(void)args;
	(void)nargs;
	for (int i = 0; !r && i < TREG_MAX; i++)
		r = topt_num(tp, v, regs[i], UINT64_MAX, 0, &cmd->reg[i]);
	for (int i = 0; !r && i < 6; i++) {
		if (args_names[i])
			r = topt_num(tp, v, args_names[i], i == 0 ? 255 : UINT64_MAX,
				     i == 0 ? 0x20 : 0, &cmd->arg[i]);
	}
	cmd->arg[3] = cmd->arg[0] >= 32;
	return r;
}

/* ---------------------------------------------------------------------- */
/* The oversubscription extensions                                        */
/* ---------------------------------------------------------------------- */

/* vmx off|root|nonroot [epcvirt=0|1]: the CPU's VMX operation. */
static int build_vmx(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	static const char *const modes[] = { "off", "root", "nonroot" };

	(void)od;
	(void)nargs;
	for (cmd->count = 0; cmd->count < 3; cmd->count++) {
		if (word_is(&args[0], modes[cmd->count]))
			return topt_num(tp, v, "epcvirt", 1, 0, &cmd->arg[0]);
	}
	return tp_err(tp, args[0].col, "vmx takes off, root or nonroot, not '%s'", WSTR(&args[0]));
}

/* erdinfo PAGE [rbx=ADDR] [status=N] [flags=N] [context=N] [rflags=N] */
static int build_erdinfo(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	static const char *const want[] = { "status", "flags", "context", NULL, "rflags" };
	const struct opt_val *rbx = topt_find(v, "rbx");
	int r;

	(void)od;
	(void)nargs;
	cmd->reg[TREG_RAX] = SGX_ERDINFO;
	cmd->reg[TREG_RBX] = DEFAULT_RDINFO;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
	if (!r && rbx)
		r = tp_addr(tp, &rbx->val, false, &cmd->reg[TREG_RBX], NULL);
	for (unsigned int i = 0; !r && i < 5; i++) {
		if (!want[i] || !topt_find(v, want[i]))
			continue;
		cmd->want_mask |= 1u << i;
		r = topt_num(tp, v, want[i], UINT64_MAX, 0, &cmd->arg[i]);
	}
	return r;
}

/* eincvirtchild / edecvirtchild PAGE SECS: RBX and RCX. */
static int build_virtchild(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			   const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)nargs;
	(void)v;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RBX], NULL);
	return r ? r : tp_addr(tp, &args[1], false, &cmd->reg[TREG_RCX], NULL);
}

/* esetcontext SECS value=N [rdx=ADDR]: the value in RAM, its address in RDX. */
static int build_esetcontext(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)nargs;
	r = tp_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = topt_blobs_init(od, cmd);
	if (!r)
		r = topt_place(tp, cmd, v);
	if (!r)
		r = topt_fields(tp, cmd, v, C_CONTEXT);
	if (!r)
		r = topt_raw(tp, cmd, v);
	cmd->reg[TREG_RDX] = cmd->blob[C_CONTEXT].la;
	return r;
}

#define LEAF_BLOBS    leaf_blobs, 2
#define PAGING_BLOBS  leaf_blobs, 1
#define SECINFO_BLOBS secinfo_blobs, 1

const struct op_def trace_leaf_ops[] = {
	{ "map", TOP_MAP, 2, 2, "map LA PAGE", NULL, NULL, 0, build_map },
	{ "unmap", TOP_UNMAP, 1, 1, "unmap LA", NULL, NULL, 0, build_map },
	{ "poke", TOP_POKE, 2, 2, "poke ADDR BYTES|@NAME", NULL, NULL, 0, build_mem },
	{ "peek", TOP_PEEK, 2, 2, "peek ADDR LEN [want=BYTES|@NAME] [differ=@NAME] [save=NAME]",
	  want_tables, NULL, 0, build_mem },
	{ "store", TOP_STORE, 2, 2, "store LA BYTES|@NAME", NULL, NULL, 0, build_mem },
	{ "load", TOP_LOAD, 2, 2, "load LA LEN [want=BYTES|@NAME] [differ=@NAME] [save=NAME]",
	  want_tables, NULL, 0, build_mem },
	{ "enclu", TOP_ENCLU, 1, 1, "enclu LEAF [rbx=X] [rcx=X] [rdx=X]", reg_tables, NULL, 0,
	  topt_build_regs },
	{ "eblock", TOP_EBLOCK, 1, 1, "eblock PAGE", NULL, NULL, 0, topt_build_rcx },
	{ "etrack", TOP_ETRACK, 1, 1, "etrack SECS", NULL, NULL, 0, topt_build_rcx },
	{ "ewb", TOP_EWB, 1, 1, "ewb PAGE va=SLOT [srcpge=ADDR] [pcmd=ADDR] [OPTION=VALUE...]",
	  ewb_tables, PAGING_BLOBS, build_paging },
	{ "eldb", TOP_ELDB, 1, 1,
	  "eldb PAGE va=SLOT [secs=SECS] [linaddr=LA] [srcpge=ADDR] [pcmd=ADDR]", ewb_tables,
	  PAGING_BLOBS, build_paging },
	{ "eldu", TOP_ELDU, 1, 1,
	  "eldu PAGE va=SLOT [secs=SECS] [linaddr=LA] [srcpge=ADDR] [pcmd=ADDR]", ewb_tables,
	  PAGING_BLOBS, build_paging },
	{ "eaug", TOP_EAUG, 1, 1, "eaug PAGE secs=SECS linaddr=LA [type=T] [perm=P]", eaug_tables,
	  LEAF_BLOBS, build_eaug },
	{ "emodpr", TOP_EMODPR, 1, 1, "emodpr PAGE perm=P [OPTION=VALUE...]", secinfo_tables,
	  SECINFO_BLOBS, build_secinfo },
	{ "emodt", TOP_EMODT, 1, 1, "emodt PAGE type=T [OPTION=VALUE...]", secinfo_tables,
	  SECINFO_BLOBS, build_secinfo },
	{ "edbgrd", TOP_EDBGRD, 1, 1, "edbgrd ADDR", NULL, NULL, 0, topt_build_rcx },
	{ "edbgwr", TOP_EDBGWR, 2, 2, "edbgwr ADDR VALUE", NULL, NULL, 0, build_edbgwr },
	{ "eenter", TOP_EENTER, 1, 1, "eenter TCS [aep=X]", aep_tables, NULL, 0, build_entry },
	{ "eresume", TOP_ERESUME, 1, 1, "eresume TCS [aep=X]", aep_tables, NULL, 0, build_entry },
	{ "eexit", TOP_EEXIT, 0, 0, "eexit [target=X]", eexit_tables, NULL, 0, build_eexit },
	{ "aex", TOP_AEX, 0, 0, "aex [vector=N] [error=X] [addr=X] [rip=X] [rflags=X] [rax=X...]",
	  aex_tables, NULL, 0, build_aex },
	{ "eaccept", TOP_EACCEPT, 1, 1, "eaccept LA secinfo=LA [type=T] [perm=P] [pending=1...]",
	  secinfo_tables, SECINFO_BLOBS, build_secinfo },
	{ "eacceptcopy", TOP_EACCEPTCOPY, 2, 2, "eacceptcopy DEST SRC secinfo=LA [perm=P]",
	  secinfo_tables, SECINFO_BLOBS, build_secinfo },
	{ "emodpe", TOP_EMODPE, 1, 1, "emodpe LA secinfo=LA [perm=P]", secinfo_tables,
	  SECINFO_BLOBS, build_secinfo },
	{ "vmx", TOP_VMX, 1, 1, "vmx off|root|nonroot [epcvirt=0|1]", vmx_tables, NULL, 0,
	  build_vmx },
	{ "enclv", TOP_ENCLV, 1, 1, "enclv LEAF [rbx=X] [rcx=X] [rdx=X] [rflags=N]", reg_tables,
	  NULL, 0, topt_build_regs },
	{ "erdinfo", TOP_ERDINFO, 1, 1,
	  "erdinfo PAGE [rbx=ADDR] [status=N] [flags=N] [context=N] [rflags=N]", erdinfo_tables,
	  NULL, 0, build_erdinfo },
	{ "etrackc", TOP_ETRACKC, 1, 1, "etrackc PAGE", NULL, NULL, 0, topt_build_rcx },
	{ "eldbc", TOP_ELDBC, 1, 1,
	  "eldbc PAGE va=SLOT [secs=SECS] [linaddr=LA] [srcpge=ADDR] [pcmd=ADDR]", ewb_tables,
	  PAGING_BLOBS, build_paging },
	{ "elduc", TOP_ELDUC, 1, 1,
	  "elduc PAGE va=SLOT [secs=SECS] [linaddr=LA] [srcpge=ADDR] [pcmd=ADDR]", ewb_tables,
	  PAGING_BLOBS, build_paging },
	{ "eincvirtchild", TOP_EINCVIRTCHILD, 2, 2, "eincvirtchild PAGE SECS", NULL, NULL, 0,
	  build_virtchild },
	{ "edecvirtchild", TOP_EDECVIRTCHILD, 2, 2, "edecvirtchild PAGE SECS", NULL, NULL, 0,
	  build_virtchild },
	{ "esetcontext", TOP_ESETCONTEXT, 1, 1, "esetcontext SECS value=N [rdx=ADDR]",
	  esetcontext_tables, context_blobs, 1, build_esetcontext },
	{ "hold", TOP_HOLD, 1, 1, "hold PAGE", NULL, NULL, 0, topt_build_rcx },
	{ "release", TOP_RELEASE, 1, 1, "release PAGE", NULL, NULL, 0, topt_build_rcx },
	{ "poison", TOP_POISON, 1, 1, "poison PAGE", NULL, NULL, 0, topt_build_rcx },
};

const size_t trace_nr_leaf_ops = sizeof(trace_leaf_ops) / sizeof(trace_leaf_ops[0]);
