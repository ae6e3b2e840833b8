/* SPDX-License-Identifier: MIT */
/*
 * Trace commands for the host SGX driver (<vsgx/host.h>): start and stop
 * it, open vEPC instances and fault pages into them, remove-all and release
 * them, load host enclaves, run the reclaimer, and check the page counts.
 *
 * A vEPC instance is mapped at a linear window of the runner's address
 * space, so the leaf commands (ecreate, eadd, eremove, enter, ...) reach its
 * pages by linear address, faulting them in as a guest's first touch does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace-ops.h"
#include "trace.h"
#include "vsgx/host.h"
#include "vsgx/sgxs.h"

#define WINDOW_BASE 0x4000000000ULL /* 256 GiB: far from RAM and EPC */
#define WINDOW_STEP 0x1000000000ULL /* 64 GiB per instance */
#define MAX_OBJS    64

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */
/* ---------------------------------------------------------------------- */

/* Fields a stats command can check, by subject. */
enum stat_field {
	SF_TOTAL,
	SF_FREE,
	SF_USED,
	SF_ZOMBIE,
	SF_BAD,
	SF_SECOND_PASS,
	SF_PRESENT,
	SF_FAULTS,
	SF_PAGES,
	SF_RESIDENT,
	SF_EVICTED,
	SF_MAX,
};

static const char *const stat_names[SF_MAX] = {
	[SF_TOTAL] = "total",	    [SF_FREE] = "free",	      [SF_USED] = "used",
	[SF_ZOMBIE] = "zombie",	    [SF_BAD] = "bad",	      [SF_SECOND_PASS] = "second-pass",
	[SF_PRESENT] = "present",   [SF_FAULTS] = "faults",   [SF_PAGES] = "pages",
	[SF_RESIDENT] = "resident", [SF_EVICTED] = "evicted",
};

static const struct opt_def host_opts[] = {
	S("node", OPT_NUM),	   S("total", OPT_NUM),
	S("free", OPT_NUM),	   S("used", OPT_NUM),
	S("zombie", OPT_NUM),	   S("bad", OPT_NUM),
	S("second-pass", OPT_NUM), S("pages", OPT_NUM),
	S("count", OPT_NUM),	   S("want", OPT_NUM),
	S("present", OPT_NUM),	   S("faults", OPT_NUM),
	S("left", OPT_NUM),	   S("at", OPT_NUM),
	S("sig", OPT_PATH),	   S("resident", OPT_NUM),
	S("evicted", OPT_NUM),	   S("provision", OPT_NUM),
	S("attributes", OPT_NUM),  S("arg", OPT_NUM),
	S("private", OPT_NUM),	   END,
};
static const struct opt_def *const host_tables[] = { host_opts, NULL };

/* The object (vEPC instance or host enclave) named (w): made by open/load, used after. */
static int obj_index(struct tp *tp, const struct word *w, bool create, uint64_t *ret)
{
	struct trace *t = tp->t;
	size_t i;

	for (i = 0; i < t->nr_objs && !word_is(w, t->objs[i]); i++)
		;
	if (i < t->nr_objs) {
		if (create)
			return tp_err(tp, w->col, "'%s' is opened already", WSTR(w));
		*ret = i;
		return 0;
	}
	if (!create)
		return tp_err(tp, w->col, "unknown instance or enclave '%s': open or load it first",
			      WSTR(w));
	if (t->nr_objs == MAX_OBJS)
		return tp_err(tp, w->col, "a trace names at most %d instances and enclaves",
			      MAX_OBJS);
	if (trace_grow((void **)&t->objs, &t->cap_objs, t->nr_objs, sizeof(*t->objs)))
		return -ENOMEM;
	t->objs[t->nr_objs] = strndup(w->s, w->len);
	if (!t->objs[t->nr_objs])
		return -ENOMEM;
	*ret = t->nr_objs++;
	return 0;
}

/* FIELD=N options the command checks, kept as trace_checks with the field index. */
static int stat_checks(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v)
{
	for (int f = 0; f < SF_MAX; f++) {
		const struct opt_val *ov = topt_find(v, stat_names[f]);
		struct trace_check *c;
		uint64_t x;
		int r;

		if (!ov)
			continue;
		r = tp_num(tp, &ov->val, UINT64_MAX, &x);
		if (r)
			return r;
		c = realloc(cmd->checks, (cmd->nr_checks + 1) * sizeof(*c));
		if (!c)
			return -ENOMEM;
		cmd->checks = c;
		c[cmd->nr_checks].field = (unsigned int)f;
		c[cmd->nr_checks].want = malloc(24);
		if (!c[cmd->nr_checks].want)
			return -ENOMEM;
		snprintf(c[cmd->nr_checks++].want, 24, "%llu", (unsigned long long)x);
	}
	return 0;
}

static const struct {
	const char *group, *sub;
	enum trace_op op;
	bool names_obj, creates_obj;
} subcommands[] = {
	{ "host", "start", TOP_HOST_START, false, false },
	{ "host", "stop", TOP_HOST_STOP, false, false },
	{ "host", "stats", TOP_HOST_STATS, false, false },
	{ "host", "alloc", TOP_HOST_ALLOC, false, false },
	{ "host", "reclaim", TOP_HOST_RECLAIM, false, false },
	{ "vepc", "open", TOP_VEPC_OPEN, true, true },
	{ "vepc", "fault", TOP_VEPC_FAULT, true, false },
	{ "vepc", "remove-all", TOP_VEPC_REMOVE_ALL, true, false },
	{ "vepc", "release", TOP_VEPC_RELEASE, true, false },
	{ "vepc", "stats", TOP_VEPC_STATS, true, false },
	{ "vepc", "ioctl", TOP_VEPC_IOCTL, true, false },
	{ "encl", "load", TOP_ENCL_LOAD, true, true },
	{ "encl", "fault", TOP_ENCL_FAULT, true, false },
	{ "encl", "destroy", TOP_ENCL_DESTROY, true, false },
	{ "encl", "stats", TOP_ENCL_STATS, true, false },
};

/* Arguments after the object name, per subcommand. */
static int build_args(struct tp *tp, struct trace_cmd *cmd, const struct word *rest, unsigned int n,
		      const struct opt_vals *v)
{
	int r = 0;

	switch (cmd->op) {
	case TOP_VEPC_OPEN:
		if (!topt_find(v, "pages"))
			return tp_err(tp, tp->cmd_col, "vepc open needs pages=N");
		r = topt_num(tp, v, "pages", 1ULL << 32, 0, &cmd->reg[TREG_RDX]);
		/* A private mapping (MAP_PRIVATE), which the driver refuses. */
		if (!r)
			r = topt_num(tp, v, "private", 1, 0, &cmd->arg[4]);
		break;
	case TOP_VEPC_IOCTL:
		if (n != 1)
			return tp_err(tp, tp->cmd_col, "expected 'vepc ioctl NAME CMD [arg=N]'");
		r = tp_num(tp, &rest[0], UINT32_MAX, &cmd->reg[TREG_RCX]);
		if (!r)
			r = topt_num(tp, v, "arg", UINT64_MAX, 0, &cmd->arg[5]);
		break;
	case TOP_VEPC_REMOVE_ALL:
		r = topt_num(tp, v, "arg", UINT64_MAX, 0, &cmd->arg[5]);
		if (!r && n)
			return tp_err(tp, rest[0].col, "'%s' is one argument too many",
				      WSTR(&rest[0]));
		break;
	case TOP_VEPC_FAULT:
	case TOP_ENCL_FAULT:
		if (n != 1)
			return tp_err(tp, tp->cmd_col,
				      "expected an index or address after the name");
		r = tp_num(tp, &rest[0], UINT64_MAX, &cmd->reg[TREG_RCX]);
		break;
	case TOP_ENCL_LOAD: {
		const struct opt_val *sig = topt_find(v, "sig");
		struct sgx_sigstruct *s;

		if (n != 1 || !sig)
			return tp_err(tp, tp->cmd_col,
				      "expected 'encl load NAME FILE.sgxs sig=FILE'");
		cmd->sgxs = calloc(1, sizeof(*cmd->sgxs));
		if (!cmd->sgxs)
			return -ENOMEM;
		r = topt_sgxs_read(tp, &rest[0], &cmd->sgxs->sgxs);
		if (!r)
			r = topt_sig_load(tp, &sig->val, &s);
		if (!r)
			cmd->sig = s;
		/* SGX_IOC_ENCLAVE_PROVISION before INIT; the SECS's own ATTRIBUTES. */
		if (!r)
			r = topt_num(tp, v, "provision", 1, 0, &cmd->arg[4]);
		if (!r)
			r = topt_num(tp, v, "attributes", UINT64_MAX, UINT64_MAX, &cmd->arg[5]);
		break;
	}
	default:
		if (n)
			return tp_err(tp, rest[0].col, "'%s' is one argument too many",
				      WSTR(&rest[0]));
	}
	if (!r)
		r = topt_num(tp, v, "node", HW_MAX_NODES - 1, 0, &cmd->reg[TREG_RBX]);
	cmd->arg[3] = topt_find(v, "node") != NULL;
	if (!r)
		r = topt_num(tp, v, "count", 1ULL << 32, 1, &cmd->count);
	if (!r)
		r = topt_num(tp, v, "at", UINT64_MAX, 0, &cmd->arg[0]);
	if (!r)
		r = topt_num(tp, v, "left", UINT64_MAX, 0, &cmd->arg[1]);
	if (!r)
		r = topt_num(tp, v, "want", UINT64_MAX, UINT64_MAX, &cmd->arg[2]);
	return r ? r : stat_checks(tp, cmd, v);
}

static int build_host(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	size_t k;
	unsigned int first = 1;
	int r;

	for (k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++) {
		if (!strcmp(subcommands[k].group, od->name) &&
		    word_is(&args[0], subcommands[k].sub))
			break;
	}
	if (k == sizeof(subcommands) / sizeof(subcommands[0]))
		return tp_err(tp, args[0].col, "'%s %s' is no command: expected '%s'", od->name,
			      WSTR(&args[0]), od->usage);
	cmd->op = subcommands[k].op;
	if (subcommands[k].names_obj) {
		if (nargs < 2)
			return tp_err(tp, tp->cmd_col, "%s %s needs a name", od->name,
				      subcommands[k].sub);
		r = obj_index(tp, &args[1], subcommands[k].creates_obj, &cmd->reg[TREG_RAX]);
		if (r)
			return r;
		first = 2;
	}
	return build_args(tp, cmd, args + first, nargs - first, v);
}

const struct op_def trace_host_ops[] = {
	{ "host", TOP_HOST_START, 1, 1,
	  "host start|stop|stats|alloc|reclaim [node=N] [count=N] [FIELD=N...]", host_tables, NULL,
	  0, build_host },
	{ "vepc", TOP_VEPC_OPEN, 2, 3,
	  "vepc open|fault|remove-all|ioctl|release|stats NAME [INDEX|CMD] [pages=N] [node=N] "
	  "[left=N] [arg=N] [private=1]",
	  host_tables, NULL, 0, build_host },
	{ "encl", TOP_ENCL_LOAD, 2, 3,
	  "encl load|fault|destroy|stats NAME [FILE.sgxs|ADDR] [sig=FILE] [provision=1] "
	  "[attributes=N] "
	  "[FIELD=N...]",
	  host_tables, NULL, 0, build_host },
};

const size_t trace_nr_host_ops = sizeof(trace_host_ops) / sizeof(trace_host_ops[0]);

/* ---------------------------------------------------------------------- */
/* Running                                                                */
/* ---------------------------------------------------------------------- */

struct trace_host_state {
	struct host *host;
	struct host_vepc *vepc[MAX_OBJS];
	uint64_t window[MAX_OBJS];
	uint64_t pages[MAX_OBJS];
	struct host_encl *encl[MAX_OBJS];
	uint64_t *alloc; /* pages 'host alloc' took */
	size_t nr_alloc, cap_alloc;
};

static void host_stop(struct trace_host_state *hs, struct hw_cpu *cpu);

struct exec {
	struct trace_host_state *hs;
	struct trace *t;
	struct hw_processor *p;
	struct hw_cpu *cpu;
	const struct trace_cmd *cmd;
	struct trace_outcome *out;
	char *detail, *mismatch;
	size_t detail_len, mismatch_len;
};

int trace_host_xlate(struct trace_host_state *hs, uint64_t la, struct hw_xlate *ret)
{
	if (!hs)
		return 1;
	for (int i = 0; i < MAX_OBJS; i++) {
		if (!hs->vepc[i] || la - hs->window[i] >= hs->pages[i] * SGX_PAGE_SIZE)
			continue;
		return host_vepc_xlate(hs->vepc[i], la - hs->window[i], ret) ? -EFAULT : 0;
	}
	return 1;
}

int trace_host_memory_failure(struct trace_host_state *hs, uint64_t pa)
{
	return hs && hs->host ? host_memory_failure(hs->host, pa, 0) : 0;
}

static void out_errno(struct exec *x, int r)
{
	if (r < 0) {
		x->out->kind = TRACE_ERRNO;
		x->out->value = -r;
	}
}

/* Compare the line's FIELD=N checks with the values (vals) hold. */
static void check_stats(struct exec *x, const uint64_t *vals)
{
	const struct trace_cmd *cmd = x->cmd;

	for (unsigned int i = 0; i < cmd->nr_checks; i++) {
		char got[24];

		snprintf(got, sizeof(got), "%llu", (unsigned long long)vals[cmd->checks[i].field]);
		if (strcmp(got, cmd->checks[i].want)) {
			snprintf(x->mismatch, x->mismatch_len, "expected %s=%s, got %s=%s",
				 stat_names[cmd->checks[i].field], cmd->checks[i].want,
				 stat_names[cmd->checks[i].field], got);
			return;
		}
	}
}

static int need_host(struct exec *x)
{
	if (x->hs->host)
		return 0;
	x->out->kind = TRACE_ERRNO;
	x->out->value = ENODEV;
	snprintf(x->detail, x->detail_len, "no host driver: 'host start' first");
	return 1;
}

static void exec_host_stats(struct exec *x)
{
	struct host_sanitize_stats san;
	struct host_epc_stats st;
	uint64_t vals[SF_MAX] = { 0 };

	if (x->cmd->arg[3])
		host_node_stats(x->hs->host, (unsigned int)x->cmd->reg[TREG_RBX], &st);
	else
		host_stats(x->hs->host, &st);
	host_sanitize_stats(x->hs->host, &san);
	vals[SF_TOTAL] = st.total;
	vals[SF_FREE] = st.free;
	vals[SF_USED] = st.used;
	vals[SF_ZOMBIE] = st.zombie;
	vals[SF_BAD] = st.bad;
	vals[SF_SECOND_PASS] = san.second_pass;
	snprintf(x->detail, x->detail_len,
		 "total=%llu free=%llu used=%llu zombie=%llu bad=%llu second-pass=%llu",
		 (unsigned long long)st.total, (unsigned long long)st.free,
		 (unsigned long long)st.used, (unsigned long long)st.zombie,
		 (unsigned long long)st.bad, (unsigned long long)san.second_pass);
	check_stats(x, vals);
}

static void exec_host_alloc(struct exec *x)
{
	struct trace_host_state *hs = x->hs;
	uint64_t got = 0;

	for (uint64_t i = 0; i < x->cmd->count; i++) {
		uint64_t pa;
		int r;

		if (hs->nr_alloc == hs->cap_alloc &&
		    trace_grow((void **)&hs->alloc, &hs->cap_alloc, hs->nr_alloc, sizeof(pa))) {
			out_errno(x, -ENOMEM);
			break;
		}
		r = host_page_alloc(hs->host, (unsigned int)x->cmd->reg[TREG_RBX], &pa);
		if (r) {
			out_errno(x, r);
			break;
		}
		hs->alloc[hs->nr_alloc++] = pa;
		got++;
	}
	snprintf(x->detail, x->detail_len, "%llu page%s", (unsigned long long)got, cli_s(got));
}

static void exec_vepc_open(struct exec *x, unsigned int i)
{
	struct trace_host_state *hs = x->hs;
	uint64_t at = x->cmd->arg[0] ? x->cmd->arg[0] : WINDOW_BASE + i * WINDOW_STEP;
	int r;

	r = host_vepc_open(hs->host, (unsigned int)x->cmd->reg[TREG_RBX], NULL, &hs->vepc[i]);
	if (!r)
		r = host_vepc_mmap(hs->vepc[i], x->cmd->reg[TREG_RDX], !x->cmd->arg[4]);
	if (r) {
		host_vepc_release(hs->vepc[i], x->cpu);
		hs->vepc[i] = NULL;
		out_errno(x, r);
		return;
	}
	hs->window[i] = at;
	hs->pages[i] = x->cmd->reg[TREG_RDX];
	snprintf(x->detail, x->detail_len, "at 0x%llx", (unsigned long long)at);
}

/* SGX_IOC_VEPC_REMOVE_ALL (vepc remove-all) or any command (vepc ioctl), with arg=. */
static void exec_vepc_remove_all(struct exec *x, struct host_vepc *v)
{
	unsigned int cmd = x->cmd->op == TOP_VEPC_IOCTL ? (unsigned int)x->cmd->reg[TREG_RCX]
							: SGX_IOC_VEPC_REMOVE_ALL;
	int code = 0;
	int64_t left = host_vepc_ioctl(v, x->cpu, cmd, (unsigned long)x->cmd->arg[5], &code);

	if (left == -ENOTTY || left == -EINVAL) {
		out_errno(x, (int)left);
		return;
	}
	if (left < 0) {
		out_errno(x, (int)left);
		snprintf(x->detail, x->detail_len, "%s",
			 hw_faulted(code) ? hw_vector_name((unsigned int)hw_trapnr(code))
					  : (hw_code_name(code) ? hw_code_name(code) : "?"));
		return;
	}
	snprintf(x->detail, x->detail_len, "left=%lld", (long long)left);
	if ((uint64_t)left != x->cmd->arg[1])
		snprintf(x->mismatch, x->mismatch_len, "expected left=%llu, got left=%lld",
			 (unsigned long long)x->cmd->arg[1], (long long)left);
}

static void exec_vepc(struct exec *x)
{
	unsigned int i = (unsigned int)x->cmd->reg[TREG_RAX];
	struct host_vepc *v = x->hs->vepc[i];
	struct host_vepc_info info;
	uint64_t vals[SF_MAX] = { 0 }, pa;

	if (x->cmd->op == TOP_VEPC_OPEN) {
		if (v)
			out_errno(x, -EBUSY);
		else
			exec_vepc_open(x, i);
		return;
	}
	if (!v) {
		out_errno(x, -ENOENT);
		return;
	}
	switch (x->cmd->op) {
	case TOP_VEPC_FAULT:
		for (uint64_t k = 0; k < x->cmd->count; k++) {
			int r = host_vepc_fault(v, x->cmd->reg[TREG_RCX] + k, &pa);

			if (r) {
				out_errno(x, r);
				break;
			}
		}
		break;
	case TOP_VEPC_REMOVE_ALL:
	case TOP_VEPC_IOCTL:
		exec_vepc_remove_all(x, v);
		break;
	case TOP_VEPC_RELEASE:
		host_vepc_release(v, x->cpu);
		x->hs->vepc[i] = NULL;
		break;
	default:
		host_vepc_query(v, &info);
		vals[SF_PAGES] = info.nr_pages;
		vals[SF_PRESENT] = info.present;
		vals[SF_FAULTS] = info.faults;
		snprintf(x->detail, x->detail_len, "pages=%llu present=%llu faults=%llu",
			 (unsigned long long)info.nr_pages, (unsigned long long)info.present,
			 (unsigned long long)info.faults);
		check_stats(x, vals);
	}
}

/* Each EADD of the stream with the bytes its EEXTENDs measure. */
static int encl_add_stream(struct exec *x, struct host_encl *e, const struct sgxs *s, int *code)
{
	uint8_t *page = calloc(1, SGX_PAGE_SIZE);
	struct sgxs_record rec, ext;
	size_t pos = 0;
	int r = 0;

	if (!page)
		return -ENOMEM;
	while (!r && sgxs_next(s, &pos, &rec) == 1) {
		size_t p2 = 0;
		bool measured = false;

		if (rec.type != SGXS_EADD)
			continue;
		memset(page, 0, SGX_PAGE_SIZE);
		while (sgxs_next(s, &p2, &ext) == 1) {
			if (ext.type == SGXS_EEXTEND &&
			    (ext.offset & SGX_PAGE_MASK) == rec.offset) {
				memcpy(page + (ext.offset & ~SGX_PAGE_MASK), ext.data, 256);
				measured = true;
			}
		}
		r = host_encl_add_pages(e, x->cpu, rec.offset, page, SGX_PAGE_SIZE,
					rec.secinfo_flags, measured, code);
	}
	free(page);
	return r;
}

static void encl_outcome(struct exec *x, int r, int code)
{
	if (!r)
		return;
	if (r == -EPERM || r == -EIO) {
		x->out->kind = hw_faulted(code) ? TRACE_FAULT : TRACE_CODE;
		x->out->value = hw_faulted(code) ? hw_trapnr(code) : code;
		return;
	}
	out_errno(x, r);
}

static void exec_encl_load(struct exec *x, unsigned int i)
{
	const struct trace_sgxs *sg = x->cmd->sgxs;
	struct sgx_secs secs;
	int code = 0, r;

	memset(&secs, 0, sizeof(secs));
	secs.size = sg->sgxs->size;
	secs.ssa_frame_size = sg->sgxs->ssa_frame_size;
	secs.attributes = x->cmd->sig->attributes;
	if (x->cmd->arg[5] != UINT64_MAX)
		secs.attributes.flags = x->cmd->arg[5];
	secs.attributes.flags &= ~SGX_ATTR_INIT;
	secs.miscselect = x->cmd->sig->miscselect;
	secs.base = 0x7f0000000000ULL + (uint64_t)i * (1ULL << 36);
	secs.base = (secs.base + secs.size - 1) / secs.size * secs.size;
	r = host_encl_create(x->hs->host, x->cpu, NULL, &secs, &x->hs->encl[i], &code);
	if (!r)
		r = encl_add_stream(x, x->hs->encl[i], sg->sgxs, &code);
	if (!r && x->cmd->arg[4])
		host_encl_provision(x->hs->encl[i]);
	if (!r)
		r = host_encl_init(x->hs->encl[i], x->cpu, x->cmd->sig,
				   &(struct sgx_einittoken){ 0 }, &code);
	encl_outcome(x, r, code);
}

static void exec_encl(struct exec *x)
{
	unsigned int i = (unsigned int)x->cmd->reg[TREG_RAX];
	struct host_encl *e = x->hs->encl[i];
	struct host_encl_info info;
	uint64_t vals[SF_MAX] = { 0 }, pa;
	int code = 0;

	if (x->cmd->op == TOP_ENCL_LOAD) {
		if (e)
			out_errno(x, -EBUSY);
		else
			exec_encl_load(x, i);
		return;
	}
	if (!e) {
		out_errno(x, -ENOENT);
		return;
	}
	switch (x->cmd->op) {
	case TOP_ENCL_FAULT:
		encl_outcome(x, host_encl_fault(e, x->cpu, x->cmd->reg[TREG_RCX], &pa, &code),
			     code);
		break;
	case TOP_ENCL_DESTROY:
		host_encl_destroy(e, x->cpu);
		x->hs->encl[i] = NULL;
		break;
	default:
		host_encl_query(e, &info);
		vals[SF_PAGES] = info.pages;
		vals[SF_RESIDENT] = info.resident;
		vals[SF_EVICTED] = info.evicted;
		snprintf(x->detail, x->detail_len, "pages=%llu resident=%llu evicted=%llu",
			 (unsigned long long)info.pages, (unsigned long long)info.resident,
			 (unsigned long long)info.evicted);
		check_stats(x, vals);
	}
}

static void exec_host(struct exec *x)
{
	uint64_t n;
	int r;

	switch (x->cmd->op) {
	case TOP_HOST_START:
		if (x->hs->host) {
			out_errno(x, -EBUSY);
			return;
		}
		r = host_create(x->p, x->cpu, &x->hs->host);
		out_errno(x, r);
		return;
	case TOP_HOST_STOP:
		host_stop(x->hs, x->cpu);
		return;
	case TOP_HOST_ALLOC:
		exec_host_alloc(x);
		return;
	case TOP_HOST_RECLAIM:
		n = host_reclaim(x->hs->host, x->cpu, NULL, x->cmd->count);
		snprintf(x->detail, x->detail_len, "%llu page%s", (unsigned long long)n, cli_s(n));
		if (x->cmd->arg[2] != UINT64_MAX && n != x->cmd->arg[2])
			snprintf(
			    x->mismatch, x->mismatch_len, "expected want=%llu, got %llu page%s",
			    (unsigned long long)x->cmd->arg[2], (unsigned long long)n, cli_s(n));
		return;
	default:
		exec_host_stats(x);
	}
}

int trace_host_exec(struct trace_host_state **hs, struct trace *t, struct hw_processor *p,
		    struct hw_cpu *cpu, const struct trace_cmd *cmd, struct trace_outcome *out,
		    char *detail, size_t detail_len, char *mismatch, size_t mismatch_len)
{
	struct exec x = { *hs, t, p, cpu, cmd, out, detail, mismatch, detail_len, mismatch_len };

	if (!x.hs) {
		x.hs = *hs = calloc(1, sizeof(**hs));
		if (!x.hs)
			return -ENOMEM;
	}
	if (cmd->op != TOP_HOST_START && need_host(&x))
		return 0;
	if (cmd->op <= TOP_HOST_RECLAIM)
		exec_host(&x);
	else if (cmd->op <= TOP_VEPC_IOCTL)
		exec_vepc(&x);
	else
		exec_encl(&x);
	return 0;
}

/* Release everything the trace opened, then stop the driver (pages stay as they are). */
static void host_stop(struct trace_host_state *hs, struct hw_cpu *cpu)
{
	for (int i = 0; i < MAX_OBJS; i++) {
		host_encl_destroy(hs->encl[i], cpu);
		host_vepc_release(hs->vepc[i], cpu);
		hs->encl[i] = NULL;
		hs->vepc[i] = NULL;
	}
	for (size_t i = 0; i < hs->nr_alloc; i++)
		host_page_free(hs->host, hs->alloc[i]);
	free(hs->alloc);
	hs->alloc = NULL;
	hs->nr_alloc = hs->cap_alloc = 0;
	host_destroy(hs->host);
	hs->host = NULL;
}

void trace_host_free(struct trace_host_state *hs, struct hw_cpu *cpu)
{
	if (!hs)
		return;
	host_stop(hs, cpu);
	free(hs);
}
