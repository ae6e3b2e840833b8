/* SPDX-License-Identifier: MIT */
/*
 * The trace runner: a fresh processor whose CPUs see only its EPC and the
 * runner's RAM, each command issued on the CPU its line names, one line of
 * output per command, and the first outcome that differs from the trace's
 * expectation ends the run.
 */
#include "trace.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../hw/keys.h"
#include "cli.h"
#include "trace-int.h"
#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/loader.h"
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
	/* Enclave linear pages mapped onto EPC pages by 'map'. */
	struct {
		uint64_t la, pa;
	} map[TRACE_MAX_MAPS];
	unsigned int nr_maps;
	struct trace_host_state *hs; /* 'host start' and what it opened */
	/* What peek and load saved (save=NAME), by trace.vars index. */
	struct run_var {
		uint8_t *bytes;
		size_t len;
	} * vars;
	/* Pages 'hold' keeps for another CPU's leaf in flight, and the last one's line. */
	uint64_t held[TRACE_MAX_HOLDS];
	unsigned int nr_held, held_line;
};

/* What one command did: its outcome, extra detail to print, a failed check. */
struct result {
	struct trace_outcome out;
	char detail[200];
	char mismatch[300];
};

/* The map entry for the page of (la), or NULL. */
static unsigned int map_find(const struct run *r, uint64_t la)
{
	for (unsigned int i = 0; i < r->nr_maps; i++) {
		if (r->map[i].la == (la & SGX_PAGE_MASK))
			return i;
	}
	return r->nr_maps;
}

/* The CPUs' view: EPC sections identity-mapped, the RAM window, mapped pages, nothing else. */
static int run_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct run *r = opaque;
	unsigned int n = hw_processor_nr_sections(r->proc);
	unsigned int m = map_find(r, la);
	int h = trace_host_xlate(r->hs, la, ret);

	(void)write;
	if (h <= 0)
		return h;
	if (m < r->nr_maps) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = r->map[m].pa + (la & ~SGX_PAGE_MASK);
		return 0;
	}
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
	res->out.has_addr = f->vector == X86_TRAP_PF || f->vector == X86_TRAP_MC;
	res->out.addr = f->addr;
}

static void result_errno(int rc, struct result *res)
{
	if (rc < 0) {
		res->out.kind = TRACE_ERRNO;
		res->out.value = -rc;
	}
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
	/*
	 * An operand placed outside the RAM is left for the leaf to fault on,
	 * unless the CPU runs inside an enclave: then it is the enclave's own
	 * store (EACCEPT's SECINFO), which may fault too and leave it unwritten.
	 */
	if (!rc && b->la - TRACE_RAM_BASE <= TRACE_RAM_SIZE - b->len)
		memcpy(r->ram + (b->la - TRACE_RAM_BASE), tmp, b->len);
	else if (!rc)
		hw_enclave_write(cpu, b->la, tmp, b->len);
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

/* A line's rflags=N against what the leaf left (the runner enters with RFLAGS 0). */
static void rflags_check(const struct trace_cmd *cmd, uint64_t rflags, struct result *res)
{
	if ((cmd->want_mask & (1u << 4)) && rflags != cmd->arg[4])
		snprintf(res->mismatch, sizeof(res->mismatch), "expected rflags=0x%llx, got 0x%llx",
			 (unsigned long long)cmd->arg[4], (unsigned long long)rflags);
}

/* ENCLS (and, for TOP_ENCLV, ENCLV) through the register interface. */
static int run_encls(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	struct hw_regs regs = { cmd->reg[TREG_RAX], cmd->reg[TREG_RBX], cmd->reg[TREG_RCX],
				cmd->reg[TREG_RDX], 0 };
	int rc;

	(void)r;
	rc = cmd->op == TOP_ENCLV ? hw_enclv(cpu, &regs) : hw_encls(cpu, &regs);
	if (rc >= 0 && !hw_faulted(rc)) {
		snprintf(res->detail, sizeof(res->detail), "rax=0x%llx rflags=0x%llx",
			 (unsigned long long)regs.rax, (unsigned long long)regs.rflags);
		rflags_check(cmd, regs.rflags, res);
	}
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
	struct loader_env env = { cli_encls, cpu, r->ram, TRACE_RAM_BASE, sgxs_epc_alloc, r };
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
		snprintf(res->detail, sizeof(res->detail), "%zu page%s", lr.nr_pages,
			 cli_s(lr.nr_pages));
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

static int run_control(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	(void)r;
	(void)res;
	if (cmd->count)
		hw_cpu_set_control(cpu, cmd->arg[0] == 64, cmd->arg[1], cmd->arg[2], cmd->arg[3]);
	else
		hw_cpu_clear_control(cpu);
	return 0;
}

/* The SECS may be named by a linear address in a vEPC window: enter takes its physical one. */
static int run_enter(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	uint64_t pa = cmd->reg[TREG_RCX];
	struct hw_xlate x;

	if (!run_xlate(r, pa, false, &x) && x.kind == HW_XLATE_EPC)
		pa = x.pa;
	result_errno(hw_cpu_enclave_enter_raw(cpu, pa), res);
	return 0;
}

/* The host driver switches the CPU it runs on to its own address space: give ours back. */
static int run_host(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	struct hw_addr_space as = { run_xlate, r };
	int rc;

	rc = trace_host_exec(&r->hs, r->t, r->proc, cpu, cmd, &res->out, res->detail,
			     sizeof(res->detail), res->mismatch, sizeof(res->mismatch));
	hw_cpu_set_addr_space(cpu, &as);
	return rc;
}

static int run_exit(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	(void)r;
	(void)cmd;
	result_errno(hw_cpu_enclave_exit_raw(cpu), res);
	return 0;
}

static void run_release_all(struct run *r);

static int run_reset(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	(void)cpu;
	(void)cmd;
	(void)res;
	/* A reset ends every leaf in flight. */
	run_release_all(r);
	hw_processor_reset(r->proc);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Memory: maps, RAM, enclave loads and stores                            */
/* ---------------------------------------------------------------------- */

static int run_map(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		   struct result *res)
{
	unsigned int m = map_find(r, cmd->reg[TREG_RBX]);

	(void)cpu;
	if (m == r->nr_maps) {
		if (r->nr_maps == TRACE_MAX_MAPS) {
			res->out.kind = TRACE_ERRNO;
			res->out.value = ENOSPC;
			return 0;
		}
		r->nr_maps++;
	}
	r->map[m].la = cmd->reg[TREG_RBX];
	r->map[m].pa = cmd->reg[TREG_RCX];
	return 0;
}

static int run_unmap(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	unsigned int m = map_find(r, cmd->reg[TREG_RBX]);

	(void)cpu;
	if (m == r->nr_maps) {
		res->out.kind = TRACE_ERRNO;
		res->out.value = ENOENT;
		return 0;
	}
	r->map[m] = r->map[--r->nr_maps];
	return 0;
}

/* Bytes read by peek or load, as hex; a mismatch when want= differs. */
/* The saved value a line uses (@NAME), or NULL with the mismatch said when it holds nothing. */
static const struct run_var *var_get(struct run *r, const struct trace_cmd *cmd, struct result *res)
{
	const struct run_var *v = &r->vars[cmd->use_var - 1];

	if (!v->bytes)
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "@%s holds nothing yet: the line that saves it did not read",
			 r->t->vars[cmd->use_var - 1]);
	return v->bytes ? v : NULL;
}

/* What a read got, against want=BYTES, want=@NAME or differ=@NAME; save=NAME keeps it. */
static int mem_result(struct run *r, const struct trace_cmd *cmd, const uint8_t *got,
		      struct result *res)
{
	size_t shown = cmd->count < 32 ? cmd->count : 32;
	const struct run_var *v = NULL;

	for (size_t i = 0; i < shown; i++)
		snprintf(res->detail + 2 * i, 3, "%02x", got[i]);
	if (shown < cmd->count)
		strcat(res->detail, "...");
	if (cmd->use_var && !(v = var_get(r, cmd, res)))
		return 0;
	if (v && cmd->use_differ && v->len == cmd->count && !memcmp(v->bytes, got, v->len))
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "%llu byte%s at 0x%llx equal @%s, expected them to differ",
			 (unsigned long long)cmd->count, cli_s(cmd->count),
			 (unsigned long long)cmd->reg[TREG_RBX], r->t->vars[cmd->use_var - 1]);
	else if (v && !cmd->use_differ && (v->len != cmd->count || memcmp(v->bytes, got, v->len)))
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "%llu byte%s at 0x%llx differ%s from @%s (%zu byte%s)",
			 (unsigned long long)cmd->count, cli_s(cmd->count),
			 (unsigned long long)cmd->reg[TREG_RBX], cmd->count == 1 ? "s" : "",
			 r->t->vars[cmd->use_var - 1], v->len, cli_s(v->len));
	else if (cmd->data && memcmp(cmd->data, got, cmd->count))
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "%llu byte%s at 0x%llx differ%s from want=",
			 (unsigned long long)cmd->count, cli_s(cmd->count),
			 (unsigned long long)cmd->reg[TREG_RBX], cmd->count == 1 ? "s" : "");
	if (cmd->save_var) {
		struct run_var *s = &r->vars[cmd->save_var - 1];
		uint8_t *b = malloc(cmd->count);

		if (!b)
			return -ENOMEM;
		memcpy(b, got, cmd->count);
		free(s->bytes);
		s->bytes = b;
		s->len = cmd->count;
	}
	return 0;
}

/* The bytes poke and store write: the line's own, or a saved value's. */
static int mem_src(struct run *r, const struct trace_cmd *cmd, struct result *res,
		   const uint8_t **ret, size_t *ret_len)
{
	const struct run_var *v;

	*ret = cmd->data;
	*ret_len = cmd->data_len;
	if (!cmd->use_var)
		return 0;
	v = var_get(r, cmd, res);
	if (!v)
		return -ENOENT;
	*ret = v->bytes;
	*ret_len = v->len;
	return 0;
}

static int run_poke(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	uint64_t off = cmd->reg[TREG_RBX] - TRACE_RAM_BASE;
	const uint8_t *src;
	size_t len;

	(void)cpu;
	if (mem_src(r, cmd, res, &src, &len))
		return 0;
	if (cmd->reg[TREG_RBX] < TRACE_RAM_BASE || off > TRACE_RAM_SIZE ||
	    len > TRACE_RAM_SIZE - off) {
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "@%s (%zu byte%s) does not fit in the runner's RAM at 0x%llx",
			 r->t->vars[cmd->use_var - 1], len, cli_s(len),
			 (unsigned long long)cmd->reg[TREG_RBX]);
		return 0;
	}
	memcpy(r->ram + off, src, len);
	return 0;
}

static int run_peek(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	(void)cpu;
	return mem_result(r, cmd, r->ram + (cmd->reg[TREG_RBX] - TRACE_RAM_BASE), res);
}

/* Enclave code's own store or load: -EINVAL (EINVAL) outside enclave mode. */
static int run_store(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	const uint8_t *src;
	size_t len;
	int rc;

	if (mem_src(r, cmd, res, &src, &len))
		return 0;
	rc = hw_enclave_write(cpu, cmd->reg[TREG_RBX], src, len);
	if (rc < 0) {
		result_errno(rc, res);
		return 0;
	}
	return leaf_done(cpu, rc, res);
}

static int run_load(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	uint8_t buf[SGX_PAGE_SIZE];
	int rc = hw_enclave_read(cpu, cmd->reg[TREG_RBX], buf, cmd->count);

	if (rc < 0) {
		result_errno(rc, res);
		return 0;
	}
	if (!rc && mem_result(r, cmd, buf, res))
		return -ENOMEM;
	return leaf_done(cpu, rc, res);
}

/* ---------------------------------------------------------------------- */
/* Threads, paging, SGX2, debug                                           */
/* ---------------------------------------------------------------------- */

static int run_enclu(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	struct hw_regs regs = { cmd->reg[TREG_RAX], cmd->reg[TREG_RBX], cmd->reg[TREG_RCX],
				cmd->reg[TREG_RDX], 0 };
	int rc;

	(void)r;
	rc = hw_enclu(cpu, &regs);
	if (rc >= 0 && !hw_faulted(rc)) {
		snprintf(res->detail, sizeof(res->detail),
			 "rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rflags=0x%llx",
			 (unsigned long long)regs.rax, (unsigned long long)regs.rbx,
			 (unsigned long long)regs.rcx, (unsigned long long)regs.rdx,
			 (unsigned long long)regs.rflags);
		rflags_check(cmd, regs.rflags, res);
	}
	return leaf_done(cpu, rc, res);
}

static int run_eblock(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_eblock(cpu, cmd->reg[TREG_RCX]), res);
}

static int run_etrack(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_etrack(cpu, cmd->reg[TREG_RCX]), res);
}

static int run_paging(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	int (*leaf)(struct hw_cpu *, uint64_t, uint64_t, uint64_t);
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	switch (cmd->op) {
	case TOP_EWB:
		leaf = hw_ewb;
		break;
	case TOP_ELDB:
		leaf = hw_eldb;
		break;
	case TOP_ELDBC:
		leaf = hw_eldbc;
		break;
	case TOP_ELDUC:
		leaf = hw_elduc;
		break;
	default:
		leaf = hw_eldu;
		break;
	}
	rc = leaf(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX], cmd->reg[TREG_RDX]);
	return leaf_done(cpu, rc, res);
}

/* ---------------------------------------------------------------------- */
/* The oversubscription extensions                                        */
/* ---------------------------------------------------------------------- */

static int run_vmx(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		   struct result *res)
{
	(void)r;
	(void)res;
	hw_cpu_set_vmx(cpu, (enum hw_vmx_mode)cmd->count, cmd->arg[0]);
	return 0;
}

/* ERDINFO: RDINFO's fields in the detail, checked against the line's. */
static void rdinfo_check(const struct trace_cmd *cmd, const struct sgx_rdinfo *ri, uint64_t rflags,
			 struct result *res)
{
	static const char *const names[] = { "status", "flags", "context" };
	const uint64_t got[] = { ri->status, ri->flags, ri->enclave_context };

	snprintf(res->detail, sizeof(res->detail),
		 "status=0x%llx flags=0x%llx context=0x%llx rflags=0x%llx",
		 (unsigned long long)got[0], (unsigned long long)got[1], (unsigned long long)got[2],
		 (unsigned long long)rflags);
	for (unsigned int i = 0; i < 3; i++) {
		if ((cmd->want_mask & (1u << i)) && got[i] != cmd->arg[i]) {
			snprintf(res->mismatch, sizeof(res->mismatch),
				 "expected %s=0x%llx, got 0x%llx", names[i],
				 (unsigned long long)cmd->arg[i], (unsigned long long)got[i]);
			return;
		}
	}
	rflags_check(cmd, rflags, res);
}

static int run_erdinfo(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	struct hw_regs regs = { SGX_ERDINFO, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX], 0, 0 };
	struct sgx_rdinfo ri = { 0 };
	uint64_t la = cmd->reg[TREG_RBX];
	int rc;

	rc = hw_encls(cpu, &regs);
	if (rc < 0 || hw_faulted(rc))
		return leaf_done(cpu, rc, res);
	/* The runner reads back what landed in its RAM; elsewhere RDINFO reads as zeros. */
	if (rc == SGX_SUCCESS && la - TRACE_RAM_BASE < TRACE_RAM_SIZE - sizeof(ri))
		memcpy(&ri, r->ram + (la - TRACE_RAM_BASE), sizeof(ri));
	if (rc == SGX_SUCCESS)
		rdinfo_check(cmd, &ri, regs.rflags, res);
	else {
		snprintf(res->detail, sizeof(res->detail), "rflags=0x%llx",
			 (unsigned long long)regs.rflags);
		rflags_check(cmd, regs.rflags, res);
	}
	return leaf_done(cpu, rc, res);
}

static int run_oversub(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	uint64_t rbx = cmd->reg[TREG_RBX], rcx = cmd->reg[TREG_RCX];
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	switch (cmd->op) {
	case TOP_ETRACKC:
		rc = hw_etrackc(cpu, rcx);
		break;
	case TOP_EINCVIRTCHILD:
		rc = hw_eincvirtchild(cpu, rbx, rcx);
		break;
	case TOP_EDECVIRTCHILD:
		rc = hw_edecvirtchild(cpu, rbx, rcx);
		break;
	default:
		rc = hw_esetcontext(cpu, rcx, cmd->reg[TREG_RDX]);
		break;
	}
	return leaf_done(cpu, rc, res);
}

static void run_release_all(struct run *r)
{
	while (r->nr_held)
		hw_epcm_hold(r->proc, r->held[--r->nr_held], false);
}

/*
 * hold/release PAGE: another CPU's leaf in the middle of its work on PAGE.
 * The trace lets go only of what it holds (ENOENT otherwise), and of all of
 * it at a reset and at its end.
 */
static int run_hold(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	uint64_t pa = cmd->reg[TREG_RCX];
	unsigned int i;

	(void)cpu;
	for (i = 0; i < r->nr_held && r->held[i] != pa; i++)
		;
	if (cmd->op == TOP_RELEASE) {
		if (i == r->nr_held) {
			result_errno(-ENOENT, res);
			return 0;
		}
		result_errno(hw_epcm_hold(r->proc, pa, false), res);
		r->held[i] = r->held[--r->nr_held];
		return 0;
	}
	if (r->nr_held == TRACE_MAX_HOLDS) {
		result_errno(-ENOSPC, res);
		return 0;
	}
	result_errno(hw_epcm_hold(r->proc, pa, true), res);
	if (!res->out.kind) {
		r->held[r->nr_held++] = pa;
		r->held_line = cmd->line;
	}
	return 0;
}

/*
 * poison PAGE: an uncorrectable memory error in PAGE (hw_epc_poison()), and
 * the report of it to the host driver when the trace started one. Leaves and
 * accesses that touch the page's contents take #MC from then on.
 */
static int run_poison(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	uint64_t pa = cmd->reg[TREG_RCX];
	int rc;

	(void)cpu;
	rc = hw_epc_poison(r->proc, pa);
	if (!rc)
		rc = trace_host_memory_failure(r->hs, pa);
	result_errno(rc, res);
	return 0;
}

static int run_eaug(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		    struct result *res)
{
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	return leaf_done(cpu, hw_eaug(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX]), res);
}

/* The leaves with a SECINFO in RBX and a page in RCX (and EACCEPTCOPY's source in RDX). */
static int run_secinfo(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	uint64_t rbx = cmd->reg[TREG_RBX], rcx = cmd->reg[TREG_RCX];
	int rc = blobs_write(r, cpu, cmd);

	if (rc)
		return rc;
	switch (cmd->op) {
	case TOP_EMODPR:
		rc = hw_emodpr(cpu, rbx, rcx);
		break;
	case TOP_EMODT:
		rc = hw_emodt(cpu, rbx, rcx);
		break;
	case TOP_EACCEPT:
		rc = hw_eaccept(cpu, rbx, rcx);
		break;
	case TOP_EACCEPTCOPY:
		rc = hw_eacceptcopy(cpu, rbx, rcx, cmd->reg[TREG_RDX]);
		break;
	default:
		rc = hw_emodpe(cpu, rbx, rcx);
		break;
	}
	return leaf_done(cpu, rc, res);
}

static int run_edbgrd(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	uint64_t v = 0;
	int rc = hw_edbgrd(cpu, cmd->reg[TREG_RCX], &v);

	(void)r;
	if (rc == SGX_SUCCESS)
		snprintf(res->detail, sizeof(res->detail), "0x%llx", (unsigned long long)v);
	return leaf_done(cpu, rc, res);
}

static int run_edbgwr(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_edbgwr(cpu, cmd->reg[TREG_RCX], cmd->reg[TREG_RBX]), res);
}

static int run_eenter(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		      struct result *res)
{
	uint32_t cssa;
	int rc = hw_eenter(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX], &cssa);

	(void)r;
	if (!rc)
		snprintf(res->detail, sizeof(res->detail), "cssa=%u", cssa);
	return leaf_done(cpu, rc, res);
}

static int run_eresume(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		       struct result *res)
{
	(void)r;
	return leaf_done(cpu, hw_eresume(cpu, cmd->reg[TREG_RBX], cmd->reg[TREG_RCX], NULL), res);
}

static int run_eexit(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		     struct result *res)
{
	uint64_t aep;
	int rc = hw_eexit(cpu, cmd->reg[TREG_RBX], &aep);

	(void)r;
	if (!rc)
		snprintf(res->detail, sizeof(res->detail), "aep=0x%llx", (unsigned long long)aep);
	return leaf_done(cpu, rc, res);
}

static int run_aex(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
		   struct result *res)
{
	struct sgx_ssa_gpr gpr = { 0 };
	struct hw_aex why = { .vector = (uint8_t)cmd->arg[0],
			      .error_code = (uint32_t)cmd->arg[1],
			      .addr = cmd->arg[2],
			      .is_interrupt = cmd->arg[3] != 0 };

	(void)r;
	gpr.rax = cmd->reg[TREG_RAX];
	gpr.rbx = cmd->reg[TREG_RBX];
	gpr.rcx = cmd->reg[TREG_RCX];
	gpr.rdx = cmd->reg[TREG_RDX];
	gpr.rip = cmd->arg[4];
	gpr.rflags = cmd->arg[5];
	result_errno(hw_aex(cpu, &gpr, &why), res);
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
		[TF_ENCL_VIRTCHILDREN] = n->virtchildren,
		[TF_ENCL_CONTEXT] = n->context,
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
	[TOP_ECREATE] = run_ecreate,
	[TOP_EADD] = run_eadd,
	[TOP_EEXTEND] = run_eextend,
	[TOP_EINIT] = run_einit,
	[TOP_EREMOVE] = run_eremove,
	[TOP_EPA] = run_epa,
	[TOP_ENCLS] = run_encls,
	[TOP_SGXS] = run_sgxs,
	[TOP_RDMSR] = run_rdmsr,
	[TOP_WRMSR] = run_wrmsr,
	[TOP_CPUID] = run_cpuid,
	[TOP_EVENT] = run_event,
	[TOP_CONTROL] = run_control,
	[TOP_ENTER] = run_enter,
	[TOP_EXIT] = run_exit,
	[TOP_RESET] = run_reset,
	[TOP_EXPECT] = run_expect,
	[TOP_MAP] = run_map,
	[TOP_UNMAP] = run_unmap,
	[TOP_POKE] = run_poke,
	[TOP_PEEK] = run_peek,
	[TOP_STORE] = run_store,
	[TOP_LOAD] = run_load,
	[TOP_ENCLU] = run_enclu,
	[TOP_EBLOCK] = run_eblock,
	[TOP_ETRACK] = run_etrack,
	[TOP_EWB] = run_paging,
	[TOP_ELDB] = run_paging,
	[TOP_ELDU] = run_paging,
	[TOP_EAUG] = run_eaug,
	[TOP_EMODPR] = run_secinfo,
	[TOP_EMODT] = run_secinfo,
	[TOP_EDBGRD] = run_edbgrd,
	[TOP_EDBGWR] = run_edbgwr,
	[TOP_EENTER] = run_eenter,
	[TOP_ERESUME] = run_eresume,
	[TOP_EEXIT] = run_eexit,
	[TOP_AEX] = run_aex,
	[TOP_EACCEPT] = run_secinfo,
	[TOP_EACCEPTCOPY] = run_secinfo,
	[TOP_EMODPE] = run_secinfo,
	[TOP_VMX] = run_vmx,
	[TOP_ENCLV] = run_encls,
	[TOP_ERDINFO] = run_erdinfo,
	[TOP_ETRACKC] = run_oversub,
	[TOP_ELDBC] = run_paging,
	[TOP_ELDUC] = run_paging,
	[TOP_EINCVIRTCHILD] = run_oversub,
	[TOP_EDECVIRTCHILD] = run_oversub,
	[TOP_ESETCONTEXT] = run_oversub,
	[TOP_HOLD] = run_hold,
	[TOP_RELEASE] = run_hold,
	[TOP_POISON] = run_poison,
	[TOP_HOST_START] = run_host,
	[TOP_HOST_STOP] = run_host,
	[TOP_HOST_STATS] = run_host,
	[TOP_HOST_ALLOC] = run_host,
	[TOP_HOST_RECLAIM] = run_host,
	[TOP_VEPC_OPEN] = run_host,
	[TOP_VEPC_FAULT] = run_host,
	[TOP_VEPC_REMOVE_ALL] = run_host,
	[TOP_VEPC_IOCTL] = run_host,
	[TOP_VEPC_RELEASE] = run_host,
	[TOP_VEPC_STATS] = run_host,
	[TOP_ENCL_LOAD] = run_host,
	[TOP_ENCL_FAULT] = run_host,
	[TOP_ENCL_DESTROY] = run_host,
	[TOP_ENCL_STATS] = run_host,
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

static void print_line(const struct run *r, const struct trace_cmd *cmd, const struct result *res,
		       const char *out)
{
	if (!r->opts->out)
		return;
	fprintf(r->opts->out, "%s -> %s", cmd->text, out);
	if (res->detail[0])
		fprintf(r->opts->out, " (%s)", res->detail);
	fputc('\n', r->opts->out);
}

/* Compare with the expectation. Return: 0, or TRACE_MISMATCH with why in (msg). */
static int judge(struct run *r, const struct trace_cmd *cmd, const struct result *res, char *msg,
		 size_t msg_len)
{
	char want[64], got[64];

	if (res->mismatch[0]) {
		snprintf(msg, msg_len, "%s", res->mismatch);
		return TRACE_MISMATCH;
	}
	if (!cmd->has_want)
		return 0;
	r->sum.checked++;
	if (trace_outcome_matches(&cmd->want, &res->out))
		return 0;
	trace_outcome_format(&cmd->want, want, sizeof(want));
	trace_outcome_format(&res->out, got, sizeof(got));
	snprintf(msg, msg_len, "expected %s, got %s", want, got);
	return TRACE_MISMATCH;
}

/* A command run on a thread of its own while pages are held. */
struct held_call {
	struct run *r;
	struct hw_cpu *cpu;
	const struct trace_cmd *cmd;
	struct result *res;
	int rc;
	bool done;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *held_call_fn(void *arg)
{
	struct held_call *c = arg;
	int rc = run_fns[c->cmd->op](c->r, c->cpu, c->cmd, c->res);

	pthread_mutex_lock(&c->lock);
	c->rc = rc;
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/*
 * While 'hold' keeps pages, a command that needs one may wait, as the SDM
 * has enclave entries and accesses wait for a leaf rather than fail: run it
 * on a thread of its own, and if it has not finished within
 * HOLD_WAIT_SECONDS it waits for a release that could only come after it.
 * That is the trace's mistake: let go of the holds so the command finishes,
 * and report it as a mismatch instead of hanging.
 */
#define HOLD_WAIT_SECONDS 2

static int run_cmd_held(struct run *r, struct hw_cpu *cpu, const struct trace_cmd *cmd,
			struct result *res)
{
	struct held_call c = { .r = r, .cpu = cpu, .cmd = cmd, .res = res };
	struct timespec until;
	pthread_t th;
	int rc = -EAGAIN;

	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	if (pthread_create(&th, NULL, held_call_fn, &c))
		goto out;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HOLD_WAIT_SECONDS;
	pthread_mutex_lock(&c.lock);
	while (!c.done && pthread_cond_timedwait(&c.cond, &c.lock, &until) != ETIMEDOUT)
		;
	if (!c.done) {
		pthread_mutex_unlock(&c.lock);
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "waits for a page held since line %u (the SDM has it wait for the "
			 "leaf, not fail): release the page first",
			 r->held_line);
		run_release_all(r);
		pthread_mutex_lock(&c.lock);
	}
	pthread_mutex_unlock(&c.lock);
	pthread_join(th, NULL);
	rc = c.rc;
out:
	pthread_cond_destroy(&c.cond);
	pthread_mutex_destroy(&c.lock);
	return rc;
}

static void emit_event(const struct run *r, const struct trace_cmd *cmd, const struct result *res,
		       const char *out, const char *msg)
{
	struct trace_event e = {
		cmd->line, cmd->text, out, res->detail, NULL, msg[0] ? msg : NULL
	};
	char want[64];

	if (!r->opts->event)
		return;
	if (cmd->has_want) {
		trace_outcome_format(&cmd->want, want, sizeof(want));
		e.expected = want;
	}
	r->opts->event(&e, r->opts->event_arg);
}

static int run_cmd(struct run *r, const struct trace_cmd *cmd)
{
	struct hw_cpu *cpu = hw_processor_cpu(r->proc, cmd->cpu);
	char out[64], msg[sizeof(((struct result *)0)->mismatch) + 160] = "";
	struct result res;
	int rc;

	memset(&res, 0, sizeof(res));
	if (r->nr_held && cmd->op != TOP_HOLD && cmd->op != TOP_RELEASE)
		rc = run_cmd_held(r, cpu, cmd, &res);
	else
		rc = run_fns[cmd->op](r, cpu, cmd, &res);
	if (rc < 0) {
		report(r, "%s:%u: the model failed: %s\n", r->t->name, cmd->line, strerror(-rc));
		return rc;
	}
	r->sum.commands++;
	trace_outcome_format(&res.out, out, sizeof(out));
	if (cmd->op == TOP_EXPECT)
		snprintf(out, sizeof(out), "%s", res.mismatch[0] ? "mismatch" : "ok");
	print_line(r, cmd, &res, out);
	rc = judge(r, cmd, &res, msg, sizeof(msg));
	if (rc)
		report(r, "%s:%u: %s\n", r->t->name, cmd->line, msg);
	emit_event(r, cmd, &res, out, msg);
	return rc;
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

	r.vars = calloc(t->nr_vars ? t->nr_vars : 1, sizeof(*r.vars));
	if (!r.vars)
		return -ENOMEM;
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
	if (r.proc)
		run_release_all(&r);
	if (r.proc)
		trace_host_free(r.hs, hw_processor_cpu(r.proc, 0));
	for (size_t i = 0; i < t->nr_vars; i++)
		free(r.vars[i].bytes);
	free(r.vars);
	free(r.ram);
	hw_processor_destroy(r.proc);
	return rc;
}
