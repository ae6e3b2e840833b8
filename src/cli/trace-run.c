/* SPDX-License-Identifier: MIT */
/*
 * The trace runner: a fresh processor whose CPUs see only its EPC and the
 * runner's RAM, each command issued on the CPU its line names, one line of
 * output per command, and the first outcome that differs from the trace's
 * expectation ends the run.
 */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hw/keys.h"
#include "loader.h"
#include "trace-int.h"
#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"
#include "vsgx/sgxs.h"

struct run {
	struct trace *t;
	const struct trace_opts *opts;
	struct hw_processor *proc;
	uint8_t *ram;
	struct trace_summary sum;
	const struct trace_sgxs *sg; /* the sgxs command running, for its pages */
	size_t sg_next;
};

/* What one command did: its outcome, extra detail to print, a failed check. */
struct result {
	struct trace_outcome out;
	char detail[200];
	char mismatch[300];
};

/* The CPUs' view: EPC sections identity-mapped, the RAM window, nothing else. */
static int run_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct run *r = opaque;
	unsigned int n = hw_processor_nr_sections(r->proc);

	(void)write;
	for (unsigned int i = 0; i < n; i++) {
		const struct hw_epc_section_desc *s = hw_processor_section(r->proc, i);

		if (la >= s->base && la - s->base < s->size) {
			ret->kind = HW_XLATE_EPC;
			ret->pa = la;
			return 0;
		}
	}
	if (la - TRACE_RAM_BASE < TRACE_RAM_SIZE) {
		ret->kind = HW_XLATE_RAM;
		ret->ram = r->ram + (la - TRACE_RAM_BASE);
		return 0;
	}
	return -EFAULT;
}

static void result_leaf(struct hw_cpu *cpu, int rc, struct result *res)
{
	const struct hw_fault *f = hw_cpu_fault(cpu);

	if (!hw_faulted(rc)) {
		res->out.kind = TRACE_CODE;
		res->out.value = rc;
		return;
	}
	res->out.kind = TRACE_FAULT;
	res->out.value = f->vector;
	res->out.has_addr = f->vector == X86_TRAP_PF;
	res->out.addr = f->addr;
}

/* A leaf's -errno is the model failing the host, never an SGX outcome. */
static int leaf_done(struct hw_cpu *cpu, int rc, struct result *res)
{
	if (rc < 0)
		return rc;
	result_leaf(cpu, rc, res);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Operands                                                               */
/* ---------------------------------------------------------------------- */

static int token_mac(struct hw_cpu *cpu, uint8_t *bytes)
{
	struct sgx_einittoken *tok = (struct sgx_einittoken *)bytes;
	uint8_t key[16];

	if (hw_key_launch(cpu, tok, key) ||
	    crypto_aes_cmac(key, tok, SGX_EINITTOKEN_MACED_LEN, tok->mac))
		return -ENOMEM;
	return 0;
}

/* Write one operand into RAM: MAC it if minted, patch it, and copy it if it fits. */
static int blob_write(struct run *r, struct hw_cpu *cpu, const struct trace_blob *b)
{
	uint8_t *tmp = malloc(b->len);
	int rc = 0;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, b->bytes, b->len);
	if (b->mint)
		rc = token_mac(cpu, tmp);
	for (unsigned int i = 0; i < b->nr_raw; i++)
		memcpy(tmp + b->raw[i].off, b->raw[i].bytes, b->raw[i].len);
	/* An operand placed outside the RAM is left for the leaf to fault on. */
	if (!rc && b->la - TRACE_RAM_BASE <= TRACE_RAM_SIZE - b->len)
		memcpy(r->ram + (b->la - TRACE_RAM_BASE), tmp, b->len);
	free(tmp);
	return rc;
}

static int blobs_write(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd)
{
	for (unsigned int i = 0; i < cmd->nr_blobs; i++) {
		int rc = blob_write(r, cpu, &cmd->blob[i]);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Leaves                                                                 */
/* ---------------------------------------------------------------------- */

static int run_ecreate(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	rc = hw_ecreate(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX]);
	return leaf_done(cpu, rc, res);
}

static int run_eadd(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	rc = hw_eadd(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX]);
	return leaf_done(cpu, rc, res);
}

/* count= chunks one after another, stopping at the first that does not succeed. */
static int run_eextend(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	uint64_t i;
	int rc = 0;

	(void)r;
	for (i = 0; i < cmd->count && rc == 0; i++)
		rc =
		    hw_eextend(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX] + i * SGX_EEXTEND_CHUNK);
	if (rc && cmd->count > 1)
		snprintf(res->detail, sizeof(res->detail), "at chunk %llu of %llu",
			 (unsigned long long)i, (unsigned long long)cmd->count);
	return leaf_done(cpu, rc, res);
}

static int run_einit(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	rc = hw_einit(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX], cmd->reg[TREG_RDX]);
	return leaf_done(cpu, rc, res);
}

static int run_eremove(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_eremove(cpu, cmd->reg[TREG_RCX]), res);
}

static int run_epa(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		   struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_epa(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX]), res);
}

static int run_encls(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	struct hw_regs regs = { cmd->reg[TREG_RAX], cmd->reg[TREG_RBX], cmd->reg[TREG_RCX],
				cmd->reg[TREG_RDX], 0 };
	int rc;

	(void)r;
	rc = hw_encls(cpu, &regs);
	if (rc >= 0 && !hw_faulted(rc))
		snprintf(res->detail, sizeof(res->detail), "rax=0x%llx rflags=0x%llx",
			 (unsigned long long)regs.rax, (unsigned long long)regs.rflags);
	return leaf_done(cpu, rc, res);
}

/* ---------------------------------------------------------------------- */
/* sgxs                                                                   */
/* ---------------------------------------------------------------------- */

static int sgxs_epc_alloc(void *opaque, uint64_t *ret_pa)
{
	struct run *r = opaque;

	if (r->sg_next >= r->sg->nr_pages)
		return -ENOSPC;
	*ret_pa = r->sg->pages[r->sg_next++];
	return 0;
}

static int run_sgxs(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	struct loader_env env = { cpu, r->ram, TRACE_RAM_BASE, sgxs_epc_alloc, r };
	struct loader_result lr;
	int rc;

	r->sg = cmd->sgxs;
	r->sg_next = 0;
	rc = loader_build(&env, cmd->sgxs->sgxs, &cmd->sgxs->secs, &lr);
	r->sg = NULL;
	if (rc < 0)
		return rc;
	if (rc > 0)
		snprintf(res->detail, sizeof(res->detail), "%s of record %zu", lr.leaf, lr.record);
	else
		snprintf(res->detail, sizeof(res->detail), "%zu pages", lr.nr_pages);
	result_leaf(cpu, lr.result, res);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* MSRs, CPUID, events, raw markers, reset                                */
/* ---------------------------------------------------------------------- */

static int run_rdmsr(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	uint64_t v;
	int rc = hw_msr_read(cpu, (uint32_t)cmd->reg[TREG_RCX], &v);

	(void)r;
	if (!rc)
		snprintf(res->detail, sizeof(res->detail), "0x%llx", (unsigned long long)v);
	return leaf_done(cpu, rc, res);
}

static int run_wrmsr(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_msr_write(cpu, (uint32_t)cmd->reg[TREG_RCX], cmd->reg[TREG_RAX]),
			 res);
}

static int run_cpuid(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	struct hw_cpuid_regs c;

	(void)cpu;
	hw_cpuid(r->proc, (uint32_t)cmd->reg[TREG_RAX], (uint32_t)cmd->reg[TREG_RCX], &c);
	snprintf(res->detail, sizeof(res->detail), "eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x", c.eax,
		 c.ebx, c.ecx, c.edx);
	return 0;
}

static int run_event(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	(void)r;
	(void)res;
	hw_cpu_set_pending_event(cpu, cmd->count != 0);
	return 0;
}

static void result_errno(int rc, struct result *res)
{
	if (rc < 0) {
		res->out.kind = TRACE_ERRNO;
		res->out.value = -rc;
	}
}

static int run_enter(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	(void)r;
	result_errno(hw_cpu_enclave_enter_raw(cpu, cmd->reg[TREG_RCX]), res);
	return 0;
}

static int run_exit(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	(void)r;
	(void)cmd;
	result_errno(hw_cpu_enclave_exit_raw(cpu), res);
	return 0;
}

static int run_reset(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	(void)cpu;
	(void)cmd;
	(void)res;
	hw_processor_reset(r->proc);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* expect                                                                 */
/* ---------------------------------------------------------------------- */

/* What an expect command looks at, read once before its fields are compared. */
struct subject {
	bool present;
	int fault; /* msr: the read faulted */
	struct hw_epcm_info epcm;
	struct hw_enclave_info encl;
	uint64_t msr;
	struct hw_cpuid_regs cpuid;
};

static void subject_read(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
			 struct subject *s)
{
	uint64_t a = cmd->reg[TREG_RCX];

	memset(s, 0, sizeof(*s));
	switch (cmd->subject) {
	case TSUB_EPCM:
		s->present = !hw_epcm_query(r->proc, a, &s->epcm);
		break;
	case TSUB_ENCLAVE:
		s->present = !hw_enclave_query(r->proc, a, &s->encl);
		break;
	case TSUB_MSR:
		s->fault = hw_msr_read(cpu, (uint32_t)a, &s->msr);
		s->present = !s->fault;
		break;
	case TSUB_CPUID:
		hw_cpuid(r->proc, (uint32_t)cmd->reg[TREG_RAX], (uint32_t)a, &s->cpuid);
		s->present = true;
		break;
	}
}

static void format_hash(const uint8_t *h, char *buf, size_t len)
{
	for (size_t i = 0; i < SGX_HASH_SIZE && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", h[i]);
}

/* Numeric fields by index; hashes and permissions are formatted apart. */
static uint64_t subject_value(const struct trace_cmd *cmd, const struct subject *s,
			      unsigned int field)
{
	const struct hw_epcm_info *e = &s->epcm;
	const struct hw_enclave_info *n = &s->encl;
	const uint64_t epcm[TF_EPCM_MAX] = {
		[TF_EPCM_VALID] = e->valid,
		[TF_EPCM_PT] = e->pt,
		[TF_EPCM_R] = e->r,
		[TF_EPCM_W] = e->w,
		[TF_EPCM_X] = e->x,
		[TF_EPCM_BLOCKED] = e->blocked,
		[TF_EPCM_PENDING] = e->pending,
		[TF_EPCM_MODIFIED] = e->modified,
		[TF_EPCM_PR] = e->pr,
		[TF_EPCM_LINADDR] = e->enclave_address,
		[TF_EPCM_SECS] = e->secs_pa,
	};
	const uint64_t encl[TF_ENCL_MAX] = {
		[TF_ENCL_INITIALIZED] = n->initialized,
		[TF_ENCL_CHILDREN] = n->children,
		[TF_ENCL_THREADS] = n->threads_inside,
		[TF_ENCL_EID] = n->eid,
		[TF_ENCL_BLOCKS] = n->measurement_blocks,
		[TF_ENCL_ATTRIBUTES] = n->attributes.flags,
		[TF_ENCL_XFRM] = n->attributes.xfrm,
		[TF_ENCL_ISVPRODID] = n->isv_prod_id,
		[TF_ENCL_ISVSVN] = n->isv_svn,
	};
	const uint64_t cpuid[4] = { s->cpuid.eax, s->cpuid.ebx, s->cpuid.ecx, s->cpuid.edx };

	switch (cmd->subject) {
	case TSUB_EPCM:
		return epcm[field];
	case TSUB_ENCLAVE:
		return encl[field];
	case TSUB_MSR:
		return s->msr;
	case TSUB_CPUID:
		return cpuid[field];
	}
	return 0;
}

/* A field's actual value, written as the parser writes expected ones. */
static void field_format(const struct trace_cmd *cmd, const struct subject *s, unsigned int field,
			 char *buf, size_t len)
{
	const struct trace_field *f;
	unsigned int nf;
	uint64_t v;

	f = &trace_subject_fields(cmd->subject, &nf)[field];
	if (!s->present) {
		snprintf(buf, len, "%s", cmd->subject == TSUB_MSR ? "#GP" : "(none)");
		return;
	}
	if (f->kind == TFK_HASH) {
		format_hash(field == TF_ENCL_MRENCLAVE ? s->encl.mrenclave : s->encl.mrsigner, buf,
			    len);
		return;
	}
	if (f->kind == TFK_PERM) {
		char p[TRACE_PERM_LEN];

		trace_perm_format(s->epcm.r, s->epcm.w, s->epcm.x, p);
		snprintf(buf, len, "%s", p);
		return;
	}
	v = subject_value(cmd, s, field);
	if (f->kind == TFK_PT && trace_pt_name((unsigned int)v))
		snprintf(buf, len, "%s", trace_pt_name((unsigned int)v));
	else if (f->kind == TFK_BOOL || f->kind == TFK_COUNT || f->kind == TFK_PT)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
}

static int run_expect(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	const struct trace_field *fields;
	struct subject s;
	unsigned int nf;
	char got[80];

	fields = trace_subject_fields(cmd->subject, &nf);
	subject_read(r, cpu, cmd, &s);
	for (unsigned int i = 0; i < cmd->nr_checks; i++) {
		const struct trace_field *f = &fields[cmd->checks[i].field];

		field_format(cmd, &s, cmd->checks[i].field, got, sizeof(got));
		r->sum.checked++;
		if (strcmp(got, cmd->checks[i].want)) {
			snprintf(res->mismatch, sizeof(res->mismatch), "expected %s=%s, got %s=%s",
				 f->name, cmd->checks[i].want, f->name, got);
			break;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The run                                                                */
/* ---------------------------------------------------------------------- */

typedef int (*run_fn)(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res);

static const run_fn run_fns[TOP_MAX] = {
	[TOP_ECREATE] = run_ecreate, [TOP_EADD] = run_eadd,	  [TOP_EEXTEND] = run_eextend,
	[TOP_EINIT] = run_einit,     [TOP_EREMOVE] = run_eremove, [TOP_EPA] = run_epa,
	[TOP_ENCLS] = run_encls,     [TOP_SGXS] = run_sgxs,	  [TOP_RDMSR] = run_rdmsr,
	[TOP_WRMSR] = run_wrmsr,     [TOP_CPUID] = run_cpuid,	  [TOP_EVENT] = run_event,
	[TOP_ENTER] = run_enter,     [TOP_EXIT] = run_exit,	  [TOP_RESET] = run_reset,
	[TOP_EXPECT] = run_expect,
};

static void report(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->opts->err)
		return;
	va_start(ap, fmt);
	vfprintf(r->opts->err, fmt, ap);
	va_end(ap);
}

static void print_line(const struct run *r, const struct trace_cmd *cmd, const struct result *res)
{
	char out[64];

	if (!r->opts->out)
		return;
	trace_outcome_format(&res->out, out, sizeof(out));
	if (cmd->op == TOP_EXPECT)
		snprintf(out, sizeof(out), "%s", res->mismatch[0] ? "mismatch" : "ok");
	fprintf(r->opts->out, "%s -> %s", cmd->text, out);
	if (res->detail[0])
		fprintf(r->opts->out, " (%s)", res->detail);
	fputc('\n', r->opts->out);
}

/* Compare with the expectation. Return: 0 or TRACE_MISMATCH, reported. */
static int judge(struct run *r, const struct trace_cmd *cmd, const struct result *res)
{
	char want[64], got[64];

	if (res->mismatch[0]) {
		report(r, "%s:%u: %s\n", r->t->name, cmd->line, res->mismatch);
		return TRACE_MISMATCH;
	}
	if (!cmd->has_want)
		return 0;
	r->sum.checked++;
	if (trace_outcome_matches(&cmd->want, &res->out))
		return 0;
	trace_outcome_format(&cmd->want, want, sizeof(want));
	trace_outcome_format(&res->out, got, sizeof(got));
	report(r, "%s:%u: expected %s, got %s\n", r->t->name, cmd->line, want, got);
	return TRACE_MISMATCH;
}

static int run_cmd(struct run *r, const struct trace_cmd *cmd)
{
	struct hw_cpu *cpu = hw_processor_cpu(r->proc, cmd->cpu);
	struct result res;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = run_fns[cmd->op](r, cpu, cmd, &res);
	if (rc < 0) {
		report(r, "%s:%u: the model failed: %s\n", r->t->name, cmd->line, strerror(-rc));
		return rc;
	}
	r->sum.commands++;
	print_line(r, cmd, &res);
	return judge(r, cmd, &res);
}

static int run_power_on(struct run *r)
{
	struct hw_addr_space as = { run_xlate, r };
	int rc;

	rc = hw_processor_create(&r->t->desc, &r->proc);
	if (rc)
		return rc;
	/* A page more than the window: leaves read operands up to their page's end. */
	r->ram = aligned_alloc(SGX_PAGE_SIZE, TRACE_RAM_SIZE + SGX_PAGE_SIZE);
	if (!r->ram)
		return -ENOMEM;
	memset(r->ram, 0, TRACE_RAM_SIZE + SGX_PAGE_SIZE);
	for (unsigned int i = 0; i < hw_processor_nr_cpus(r->proc); i++)
		hw_cpu_set_addr_space(hw_processor_cpu(r->proc, i), &as);
	return 0;
}

int trace_run(struct trace *t, const struct trace_opts *opts, struct trace_summary *ret)
{
	struct run r = { .t = t, .opts = opts };
	int rc;

	rc = run_power_on(&r);
	if (rc) {
		report(&r, "%s: cannot power on the processor: %s\n", t->name, strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < t->nr_cmds && !rc; i++)
		rc = run_cmd(&r, &t->cmds[i]);
out:
	if (ret)
		*ret = r.sum;
	free(r.ram);
	hw_processor_destroy(r.proc);
	return rc;
}
