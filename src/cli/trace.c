/* SPDX-License-Identifier: MIT */
/*
 * What the trace parser and runner share: outcome and page-type names, the
 * fields expect commands check, reading a trace file, freeing a trace.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace-int.h"
#include "vsgx/encls.h"
#include "vsgx/sgxs.h"

/* A trace file larger than this is surely not a trace. */

int trace_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 16;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	memset((char *)nv + *cap * size, 0, (ncap - *cap) * size);
	*v = nv;
	*cap = ncap;
	return 0;
}

static const struct {
	const char *name;
	int value;
} trace_errnos[] = {
	{ "EINVAL", EINVAL }, { "EBUSY", EBUSY },   { "ENOENT", ENOENT },
	{ "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC }, { "ENODEV", ENODEV },
	{ "EAGAIN", EAGAIN }, { "EFAULT", EFAULT }, { "EPERM", EPERM },
	{ "EIO", EIO },	      { "EFBIG", EFBIG },   { "EACCES", EACCES },
	{ "ENOTTY", ENOTTY }, { "EEXIST", EEXIST }, { "EHWPOISON", EHWPOISON },
};

static const char *errno_name(int value)
{
	for (size_t i = 0; i < sizeof(trace_errnos) / sizeof(trace_errnos[0]); i++) {
		if (trace_errnos[i].value == value)
			return trace_errnos[i].name;
	}
	return NULL;
}

void trace_outcome_format(const struct trace_outcome *o, char *buf, size_t len)
{
	const char *name;

	switch (o->kind) {
	case TRACE_CODE:
		name = o->value == SGX_SUCCESS ? "ok" : hw_code_name(o->value);
		if (name)
			snprintf(buf, len, "%s", name);
		else
			snprintf(buf, len, "%d", o->value);
		break;
	case TRACE_FAULT:
		if ((o->value == X86_TRAP_PF || o->value == X86_TRAP_MC) && o->has_addr)
			snprintf(buf, len, "%s(0x%llx)", hw_vector_name((unsigned int)o->value),
				 (unsigned long long)o->addr);
		else
			snprintf(buf, len, "%s", hw_vector_name((unsigned int)o->value));
		break;
	case TRACE_ERRNO:
		name = errno_name(o->value);
		if (name)
			snprintf(buf, len, "%s", name);
		else
			snprintf(buf, len, "errno %d", o->value);
		break;
	}
}

bool trace_outcome_matches(const struct trace_outcome *want, const struct trace_outcome *got)
{
	if (want->kind != got->kind || want->value != got->value)
		return false;
	return !want->has_addr || want->addr == got->addr;
}

static bool name_is(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(name, s, len);
}

static int lookup_code(const char *name, size_t len)
{
	for (int code = 0; code <= SGX_INVALID_KEYNAME; code++) {
		const char *n = hw_code_name(code);

		if (n && name_is(name, len, n))
			return code;
	}
	return -1;
}

int trace_outcome_lookup(const char *name, size_t len, struct trace_outcome *ret)
{
	static const unsigned int vectors[] = { X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD,
						X86_TRAP_MC };
	int code;

	memset(ret, 0, sizeof(*ret));
	if (name_is(name, len, "ok"))
		return 0;
	code = lookup_code(name, len);
	if (code >= 0) {
		ret->value = code;
		return 0;
	}
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		if (name_is(name, len, hw_vector_name(vectors[i]))) {
			ret->kind = TRACE_FAULT;
			ret->value = (int)vectors[i];
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(trace_errnos) / sizeof(trace_errnos[0]); i++) {
		if (name_is(name, len, trace_errnos[i].name)) {
			ret->kind = TRACE_ERRNO;
			ret->value = trace_errnos[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

void trace_perm_format(bool r, bool w, bool x, char buf[TRACE_PERM_LEN])
{
	char *p = buf;

	if (r)
		*p++ = 'r';
	if (w)
		*p++ = 'w';
	if (x)
		*p++ = 'x';
	*p = '\0';
	if (p == buf)
		strcpy(buf, "none");
}

static const char *const pt_names[SGX_PT_MAX] = {
	[SGX_PT_SECS] = "secs",	      [SGX_PT_TCS] = "tcs",   [SGX_PT_REG] = "reg",
	[SGX_PT_VA] = "va",	      [SGX_PT_TRIM] = "trim", [SGX_PT_SS_FIRST] = "ss_first",
	[SGX_PT_SS_REST] = "ss_rest",
};

const char *trace_pt_name(unsigned int pt)
{
	return pt < SGX_PT_MAX ? pt_names[pt] : NULL;
}

int trace_pt_lookup(const char *name, size_t len)
{
	for (int pt = 0; pt < SGX_PT_MAX; pt++) {
		if (name_is(name, len, pt_names[pt]))
			return pt;
	}
	return -1;
}

static const struct trace_field epcm_fields[TF_EPCM_MAX] = {
	[TF_EPCM_VALID] = { "valid", TFK_BOOL },
	[TF_EPCM_PT] = { "pt", TFK_PT },
	[TF_EPCM_PERM] = { "perm", TFK_PERM },
	[TF_EPCM_R] = { "r", TFK_BOOL },
	[TF_EPCM_W] = { "w", TFK_BOOL },
	[TF_EPCM_X] = { "x", TFK_BOOL },
	[TF_EPCM_BLOCKED] = { "blocked", TFK_BOOL },
	[TF_EPCM_PENDING] = { "pending", TFK_BOOL },
	[TF_EPCM_MODIFIED] = { "modified", TFK_BOOL },
	[TF_EPCM_PR] = { "pr", TFK_BOOL },
	[TF_EPCM_LINADDR] = { "linaddr", TFK_ADDR },
	[TF_EPCM_SECS] = { "secs", TFK_ADDR },
};

static const struct trace_field enclave_fields[TF_ENCL_MAX] = {
	[TF_ENCL_INITIALIZED] = { "initialized", TFK_BOOL },
	[TF_ENCL_CHILDREN] = { "children", TFK_COUNT },
	[TF_ENCL_THREADS] = { "threads", TFK_COUNT },
	[TF_ENCL_EID] = { "eid", TFK_COUNT },
	[TF_ENCL_BLOCKS] = { "blocks", TFK_COUNT },
	[TF_ENCL_ATTRIBUTES] = { "attributes", TFK_HEX },
	[TF_ENCL_XFRM] = { "xfrm", TFK_HEX },
	[TF_ENCL_MRENCLAVE] = { "mrenclave", TFK_HASH },
	[TF_ENCL_MRSIGNER] = { "mrsigner", TFK_HASH },
	[TF_ENCL_ISVPRODID] = { "isvprodid", TFK_COUNT },
	[TF_ENCL_ISVSVN] = { "isvsvn", TFK_COUNT },
	[TF_ENCL_VIRTCHILDREN] = { "virtchildren", TFK_COUNT },
	[TF_ENCL_CONTEXT] = { "context", TFK_HEX },
};

static const struct trace_field msr_fields[] = {
	{ "value", TFK_HEX },
};

static const struct trace_field cpuid_fields[] = {
	{ "eax", TFK_HEX },
	{ "ebx", TFK_HEX },
	{ "ecx", TFK_HEX },
	{ "edx", TFK_HEX },
};

#define FIELDS(a) a, sizeof(a) / sizeof(a[0])

const struct trace_field *trace_subject_fields(enum trace_subject s, unsigned int *ret_nr)
{
	static const struct {
		const struct trace_field *v;
		unsigned int n;
	} tables[] = {
		[TSUB_EPCM] = { FIELDS(epcm_fields) },
		[TSUB_ENCLAVE] = { FIELDS(enclave_fields) },
		[TSUB_MSR] = { FIELDS(msr_fields) },
		[TSUB_CPUID] = { FIELDS(cpuid_fields) },
	};

	*ret_nr = tables[s].n;
	return tables[s].v;
}

/* The directory part of (path), where its relative names start. */
static char *path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!strcmp(path, "-") || !slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int trace_load(const char *path, const struct trace_opts *opts, struct trace **ret, char *why,
	       size_t why_len)
{
	struct trace_opts o = *opts;
	size_t len;
	char *text, *dir;
	int r;

	r = cli_text_read(path, CLI_TEXT_TRACE, &text, &len, why, why_len);
	if (r)
		return r;
	dir = path_dir(path);
	if (!dir) {
		free(text);
		return -ENOMEM;
	}
	o.basedir = dir;
	r = trace_parse(path, text, len, &o, ret, why, why_len);
	free(dir);
	free(text);
	return r;
}

size_t trace_nr_commands(const struct trace *t)
{
	return t->nr_cmds;
}

void trace_free_cmd(struct trace_cmd *cmd)
{
	free(cmd->text);
	free(cmd->data);
	for (unsigned int i = 0; i < cmd->nr_blobs; i++) {
		struct trace_blob *b = &cmd->blob[i];

		for (unsigned int j = 0; j < b->nr_raw; j++)
			free(b->raw[j].bytes);
		free(b->raw);
		free(b->bytes);
	}
	if (cmd->sgxs) {
		sgxs_free(cmd->sgxs->sgxs);
		free(cmd->sgxs->pages);
		free(cmd->sgxs);
	}
	for (unsigned int i = 0; i < cmd->nr_checks; i++)
		free(cmd->checks[i].want);
	free(cmd->checks);
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_cmds; i++)
		trace_free_cmd(&t->cmds[i]);
	free(t->cmds);
	for (size_t i = 0; i < t->nr_objs; i++)
		free(t->objs[i]);
	free(t->objs);
	for (size_t i = 0; i < t->nr_vars; i++)
		free(t->vars[i]);
	free(t->vars);
	for (size_t i = 0; i < t->nr_labels; i++)
		free(t->labels[i].name);
	free(t->labels);
	for (size_t i = 0; i < t->nr_sigs; i++)
		free(t->sigs[i]);
	free(t->sigs);
	free(t->buf);
	free(t->basedir);
	free(t->name);
	free(t);
}
