/* SPDX-License-Identifier: MIT */
/*
 * xl-style VM configs: KEY = VALUE lines, '#' comments. The keys SGX needs
 * follow the Xen SGX design: epc = MiB (v1), and its later form
 * sgx = "epc=MiB,lehash=HEX,lewr=0|1". Like xl, unknown keys are ignored, so
 * a full domain config (disk = [...], vif = [...]) parses.
 */
#include "vsgx/vmm-config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm-int.h"

#define XL_LINE_MAX 1024
#define XL_MAX_MIB  (UINT64_MAX >> 20)

struct xl_state {
	struct hw_processor *host;
	struct vm_config *vm;
	unsigned int line;
	bool named, hvm;
	uint64_t epc_mib; /* 0: none */
	bool epc_key;	  /* from "epc =" */
	bool sgx_key;	  /* sgx = "..." given */
	bool lehash, lewr_set, lewr, provision;
};

/* KEY = VALUE with VALUE a number, a "string" or a one-line [list]. */
struct xl_item {
	char *key, *value;
	bool quoted;
};

static int xl_err(const struct xl_state *st, char *why, size_t len, const char *what)
{
	return vm_why(why, len, "line %u: %s", st->line, what);
}

/* Cut a '#' comment that is not inside quotes, and trailing blanks. */
static void xl_strip(char *s)
{
	char quote = 0;
	size_t n;

	for (char *p = s; *p; p++) {
		if (quote && *p == quote)
			quote = 0;
		else if (!quote && (*p == '"' || *p == '\''))
			quote = *p;
		else if (!quote && *p == '#') {
			*p = '\0';
			break;
		}
	}
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static int xl_split_value(char *v, struct xl_item *it)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		it->value = v + 1;
		it->quoted = true;
		return strchr(it->value, v[0]) ? -EINVAL : 0;
	}
	if (v[0] == '[') {
		it->value = v;
		return v[n - 1] == ']' ? 0 : -EINVAL;
	}
	for (char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			return -EINVAL;
	it->value = v;
	return n ? 0 : -EINVAL;
}

static int xl_split(char *s, struct xl_item *it)
{
	char *eq = strchr(s, '='), *k = s + strspn(s, " \t");
	size_t n;

	if (!eq || !(isalpha((unsigned char)*k) || *k == '_'))
		return -EINVAL;
	*eq = '\0';
	n = strlen(k);
	while (n && isspace((unsigned char)k[n - 1]))
		k[--n] = '\0';
	for (char *p = k; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return -EINVAL;
	it->key = k;
	it->quoted = false;
	return xl_split_value(eq + 1 + strspn(eq + 1, " \t"), it);
}

static int xl_number(struct xl_state *st, const struct xl_item *it, uint64_t min, uint64_t max,
		     const char *unit, uint64_t *ret, char *why, size_t len)
{
	char msg[160];

	if (!it->quoted && !vm_parse_uint(it->value, max, ret) && *ret >= min)
		return 0;
	snprintf(msg, sizeof(msg), "%s = %s: expected a number%s from %llu to %llu", it->key,
		 it->value, unit, (unsigned long long)min, (unsigned long long)max);
	return xl_err(st, why, len, msg);
}

static int xl_epc_mib(struct xl_state *st, uint64_t mib, bool from_sgx, char *why, size_t len)
{
	if ((from_sgx && st->epc_key) || (!from_sgx && st->sgx_key && st->epc_mib))
		return xl_err(
		    st, why, len,
		    "the EPC size is given both by epc = and by sgx = \"epc=...\"; keep one");
	st->epc_mib = mib;
	st->epc_key = !from_sgx;
	return 0;
}

static int xl_lehash(struct xl_state *st, const char *hex, char *why, size_t len)
{
	uint8_t b[32];

	if (strlen(hex) != 64)
		goto err;
	for (int i = 0; i < 32; i++) {
		unsigned int byte;

		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]))
			goto err;
		sscanf(hex + 2 * i, "%2x", &byte);
		b[i] = (uint8_t)byte;
	}
	/* The hash's bytes in order; MSR n holds bytes 8n..8n+7, little-endian. */
	for (int n = 0; n < 4; n++) {
		st->vm->lehash[n] = 0;
		for (int i = 7; i >= 0; i--)
			st->vm->lehash[n] = st->vm->lehash[n] << 8 | b[8 * n + i];
	}
	st->lehash = true;
	return 0;
err:
	return xl_err(st, why, len,
		      "sgx: lehash must be exactly 64 hex digits: the SHA-256 of the launch "
		      "enclave signer's modulus");
}

static int xl_flag(struct xl_state *st, const char *key, const char *val, bool *ret, char *why,
		   size_t len)
{
	char msg[128];

	if (!strcmp(val, "0") || !strcmp(val, "1")) {
		*ret = val[0] == '1';
		return 0;
	}
	snprintf(msg, sizeof(msg), "sgx: %s=%s: expected %s=0 or %s=1", key, val, key, key);
	return xl_err(st, why, len, msg);
}

static int xl_sgx_option(struct xl_state *st, char *opt, char *why, size_t len)
{
	char *val = strchr(opt, '='), msg[160];
	uint64_t mib;

	if (val)
		*val++ = '\0';
	if (val && !strcmp(opt, "epc")) {
		if (vm_parse_uint(val, XL_MAX_MIB, &mib) || !mib)
			return xl_err(st, why, len,
				      "sgx: epc must be a nonzero number of MiB, e.g. epc=64");
		return xl_epc_mib(st, mib, true, why, len);
	}
	if (val && !strcmp(opt, "lehash"))
		return xl_lehash(st, val, why, len);
	if (val && !strcmp(opt, "lewr")) {
		st->lewr_set = true;
		return xl_flag(st, opt, val, &st->lewr, why, len);
	}
	if (val && !strcmp(opt, "provision"))
		return xl_flag(st, opt, val, &st->provision, why, len);
	snprintf(msg, sizeof(msg),
		 "sgx: unknown option '%s'; options: epc=MiB, lehash=HEX, "
		 "lewr=0|1, provision=0|1",
		 opt);
	return xl_err(st, why, len, msg);
}

static int xl_sgx(struct xl_state *st, const struct xl_item *it, char *why, size_t len)
{
	char buf[XL_LINE_MAX], *opt, *save = NULL;
	int r;

	if (!it->quoted)
		return xl_err(st, why, len, "sgx must be a string, e.g. sgx = \"epc=64\"");
	st->sgx_key = true;
	snprintf(buf, sizeof(buf), "%s", it->value);
	for (opt = strtok_r(buf, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		r = xl_sgx_option(st, opt, why, len);
		if (r)
			return r;
	}
	return 0;
}

static int xl_name(struct xl_state *st, const struct xl_item *it, char *why, size_t len)
{
	if (!it->quoted || !it->value[0] || strlen(it->value) >= VM_NAME_MAX)
		return xl_err(st, why, len,
			      "name must be a quoted, nonempty string of at most 63 characters");
	snprintf(st->vm->name, VM_NAME_MAX, "%s", it->value);
	st->named = true;
	return 0;
}

static int xl_item_apply(struct xl_state *st, const struct xl_item *it, char *why, size_t len)
{
	uint64_t n;
	int r;

	if (!strcmp(it->key, "name"))
		return xl_name(st, it, why, len);
	if (!strcmp(it->key, "type") || !strcmp(it->key, "builder")) {
		st->hvm = !strcmp(it->value, "hvm");
		return 0;
	}
	if (!strcmp(it->key, "memory")) {
		r = xl_number(st, it, 1, XL_MAX_MIB, " of MiB", &n, why, len);
		if (!r)
			st->vm->memory = n << 20;
		return r;
	}
	if (!strcmp(it->key, "vcpus")) {
		r = xl_number(st, it, 1, HW_MAX_CPUS, "", &n, why, len);
		if (!r)
			st->vm->vcpus = (unsigned int)n;
		return r;
	}
	if (!strcmp(it->key, "epc")) {
		r = xl_number(st, it, 1, XL_MAX_MIB, " of MiB", &n, why, len);
		return r ? r : xl_epc_mib(st, n, false, why, len);
	}
	if (!strcmp(it->key, "sgx"))
		return xl_sgx(st, it, why, len);
	return 0; /* xl ignores keys it does not use */
}

static int xl_line(struct xl_state *st, char *s, char *why, size_t len)
{
	struct xl_item it;

	xl_strip(s);
	if (!s[strspn(s, " \t\r")])
		return 0;
	if (xl_split(s, &it))
		return xl_err(st, why, len,
			      "syntax error: expected KEY = VALUE (a number, a \"string\" or a "
			      "one-line [list])");
	return xl_item_apply(st, &it, why, len);
}

static int xl_check_lc(const struct xl_state *st, char *why, size_t len)
{
	bool host_lc = st->vm->features & VM_CPU(VM_CPU_SGXLC);

	if ((st->lehash || (st->lewr_set && st->lewr)) && !host_lc)
		return vm_why(
		    why, len,
		    "sgx: lehash and lewr=1 need a host whose firmware left the "
		    "IA32_SGXLEPUBKEYHASH MSRs writable (flexible launch control, unlocked); "
		    "remove them");
	if (st->provision && !(st->vm->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY)))
		return vm_why(why, len,
			      "sgx: provision=1 but the host cannot give guests "
			      "PROVISIONKEY; remove it");
	return 0;
}

static int xl_finish(struct xl_state *st, char *why, size_t len)
{
	struct vm_config *vm = st->vm;
	int r;

	if (!st->named)
		return vm_why(why, len, "Domain name must be specified: add name = \"...\"");
	if (st->sgx_key && !st->epc_mib)
		return vm_why(why, len, "sgx: no EPC; add epc=MiB, e.g. sgx = \"epc=64\"");
	if (st->epc_mib && !st->hvm)
		return vm_why(why, len,
			      "epc: SGX is only supported for HVM guests; set type = \"hvm\"");
	r = xl_check_lc(st, why, len);
	if (r)
		return r;
	if (st->epc_mib) {
		vm->nr_sections = 1;
		snprintf(vm->sections[0].memdev, VM_ID_MAX, "epc0");
		vm->sections[0].size = st->epc_mib << 20;
	}
	vm->lewr = st->lewr_set ? st->lewr : true;
	vm->provision = st->provision;
	if (!vm->provision)
		vm->features &= ~VM_CPU(VM_CPU_SGX_PROVISIONKEY);
	return vm_config_finish(st->host, vm, "xl", why, len);
}

/* Copy the next line of (*p) into (buf); false at the end of the text. */
static bool xl_next_line(const char **p, char *buf, size_t size, bool *too_long)
{
	const char *s = *p;
	size_t n;

	if (!*s)
		return false;
	n = strcspn(s, "\n");
	*too_long = n >= size;
	snprintf(buf, size, "%.*s", (int)n, s);
	*p = s + n + (s[n] == '\n');
	return true;
}

int vm_config_parse_xl(struct hw_processor *host, const char *text, struct vm_config *ret,
		       char *why, size_t why_len)
{
	struct xl_state st = { .host = host, .vm = ret, .hvm = true };
	char buf[XL_LINE_MAX];
	bool too_long;
	int r;

	vm_config_init(ret, host);
	while (xl_next_line(&text, buf, sizeof(buf), &too_long)) {
		st.line++;
		if (too_long)
			return xl_err(&st, why, why_len, "line too long (1023 characters at most)");
		r = xl_line(&st, buf, why, why_len);
		if (r)
			return r;
	}
	return xl_finish(&st, why, why_len);
}
