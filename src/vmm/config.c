/* SPDX-License-Identifier: MIT */
/*
 * What the xl and QEMU front-ends share: number syntax, defaults, and the
 * checks of a finished VM config against its host.
 */
#include "vsgx/vmm-config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm-int.h"
#include "vsgx/vmm-cpuid.h"

int vm_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int vm_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int size_suffix_shift(const char *s, unsigned int *ret)
{
	static const char suffixes[] = "bkmgtpe";
	const char *p;

	if (!*s)
		return 1; /* no suffix: the caller's unit */
	if (s[1])
		return -EINVAL;
	p = strchr(suffixes, tolower((unsigned char)*s));
	if (!p)
		return -EINVAL;
	*ret = (unsigned int)(p - suffixes) * 10;
	return 0;
}

int vm_parse_size(const char *s, uint64_t unit, uint64_t *ret)
{
	unsigned long long v;
	unsigned int shift = 0;
	int base = 10, r;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	if (!isdigit((unsigned char)*s) || (base == 16 && !isxdigit((unsigned char)s[2])))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	r = size_suffix_shift(end, &shift);
	if (r < 0)
		return r;
	if (r == 1) {
		if (unit && v > UINT64_MAX / unit)
			return -ERANGE;
		*ret = v * unit;
		return 0;
	}
	if (shift && v > UINT64_MAX >> shift)
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}

void vm_config_init(struct vm_config *vm, struct hw_processor *host)
{
	memset(vm, 0, sizeof(*vm));
	vm->memory = VM_DEFAULT_MEMORY;
	vm->vcpus = VM_DEFAULT_VCPUS;
	vm->nr_nodes = 1;
	vm->features = vm_cpuid_host_features(host);
	vm->lehash[0] = SGX_LEPUBKEYHASH_INTEL0;
	vm->lehash[1] = SGX_LEPUBKEYHASH_INTEL1;
	vm->lehash[2] = SGX_LEPUBKEYHASH_INTEL2;
	vm->lehash[3] = SGX_LEPUBKEYHASH_INTEL3;
}

/* Sum of sizes, saturating: sizes come from the user, and 8E + 8E must not fit in 256M. */
static uint64_t size_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t vm_config_epc_size(const struct vm_config *vm)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < vm->nr_sections; i++)
		sum = size_add(sum, vm->sections[i].size);
	return sum;
}

static const char *size_str(uint64_t v, char *buf, size_t len)
{
	if (v == UINT64_MAX)
		snprintf(buf, len, "16 EiB or more"); /* a saturated sum */
	else if (v && v % VM_MIB == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(v / VM_MIB));
	else
		snprintf(buf, len, "0x%llx bytes", (unsigned long long)v);
	return buf;
}

/* Only QEMU configs choose nodes; an xl config's section is on node 0. */
static int finish_section_node(const struct vm_config *vm, unsigned int i, char *why, size_t len)
{
	const struct vm_epc_section *s = &vm->sections[i];

	if (s->node < vm->nr_nodes)
		return 0;
	return vm_why(
	    why, len,
	    "sgx-epc.%u: Property 'node' has value '%u', which exceeds the number of numa "
	    "nodes: %u; add -numa node,nodeid=%u or use a smaller sgx-epc.%u.node",
	    i, s->node, vm->nr_nodes, s->node, i);
}

static int finish_host_nodes(const struct hw_desc *host, const struct vm_epc_section *s, char *why,
			     size_t len)
{
	uint64_t missing = s->host_nodes & ~vm_host_nodes(host);

	if (!missing)
		return 0;
	return vm_why(why, len,
		      "memory-backend-epc '%s': cannot bind memory to host NUMA nodes: Invalid "
		      "argument; host node %d has no EPC, so choose host-nodes among those that do",
		      s->memdev, __builtin_ctzll(missing));
}

/* The sections bound (policy=bind) within the host nodes of (mask): their total size. */
static uint64_t bound_within(const struct vm_config *vm, uint64_t mask)
{
	uint64_t need = 0;

	for (unsigned int i = 0; i < vm->nr_sections; i++) {
		const struct vm_epc_section *o = &vm->sections[i];

		if (o->policy == VM_POLICY_BIND && !(o->host_nodes & ~mask))
			need = size_add(need, o->size);
	}
	return need;
}

/* "'m0', 'm1'": the backends bound within (mask). */
static const char *bound_names(const struct vm_config *vm, uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < vm->nr_sections && n < len; i++) {
		const struct vm_epc_section *o = &vm->sections[i];

		if (o->policy == VM_POLICY_BIND && !(o->host_nodes & ~mask))
			n += (size_t)snprintf(buf + n, len - n, "%s'%s'", n ? ", " : "", o->memdev);
	}
	return buf;
}

/*
 * Bound sections must fit in the EPC of the host nodes they are bound to,
 * and together with others wherever their node sets overlap: for every union
 * of bound node sets, what is bound within it must fit in it (Hall's
 * condition; 8 sections make at most 255 unions).
 */
static int finish_bound_capacity(const struct hw_desc *host, const struct vm_config *vm, char *why,
				 size_t len)
{
	char a[32], b[32], ids[VM_MAX_SECTIONS * 40];

	for (unsigned int set = 1; set < 1u << vm->nr_sections; set++) {
		uint64_t mask = 0, need, have;

		for (unsigned int i = 0; i < vm->nr_sections && mask != UINT64_MAX; i++) {
			if (set >> i & 1)
				mask = vm->sections[i].policy == VM_POLICY_BIND
					   ? mask | vm->sections[i].host_nodes
					   : UINT64_MAX;
		}
		/* Only sets of bound sections: an unbound one may go anywhere. */
		if (!mask || mask == UINT64_MAX)
			continue;
		need = bound_within(vm, mask);
		have = vm_host_epc_on(host, mask);
		if (need <= have)
			continue;
		return vm_why(why, len,
			      "memory-backend-epc %s bound to host nodes 0x%llx need %s, but those "
			      "nodes have %s of EPC; make them smaller or bind to more host-nodes",
			      bound_names(vm, mask, ids, sizeof(ids)), (unsigned long long)mask,
			      size_str(need, a, sizeof(a)), size_str(have, b, sizeof(b)));
	}
	return 0;
}

static int finish_capacity(const struct hw_desc *host, const struct vm_config *vm, const char *tool,
			   char *why, size_t len)
{
	uint64_t need = vm_config_epc_size(vm), have = vm_host_epc_on(host, 0);
	char a[32], b[32];

	if (need <= have)
		return 0;
	return vm_why(why, len,
		      "not enough EPC on the host: the guest needs %s, the host has %s; make %s "
		      "smaller",
		      size_str(need, a, sizeof(a)), size_str(have, b, sizeof(b)),
		      strcmp(tool, "xl") ? "the memory-backend-epc sizes" : "epc");
}

static int finish_sections(struct hw_processor *host, struct vm_config *vm, const char *tool,
			   char *why, size_t len)
{
	const struct hw_desc *d = hw_processor_desc(host);
	int r;

	for (unsigned int i = 0; i < vm->nr_sections; i++) {
		r = finish_section_node(vm, i, why, len);
		if (!r)
			r = finish_host_nodes(d, &vm->sections[i], why, len);
		if (r)
			return r;
	}
	r = finish_bound_capacity(d, vm, why, len);
	if (r)
		return r;
	return finish_capacity(d, vm, tool, why, len);
}

int vm_config_finish(struct hw_processor *host, struct vm_config *vm, const char *tool, char *why,
		     size_t len)
{
	int r = finish_sections(host, vm, tool, why, len);

	if (r)
		return r;
	/* EPC is enumerated by CPUID 0x12: no section, no SGX, as in xl with epc = 0. */
	if (!vm->nr_sections || !(vm->features & VM_CPU(VM_CPU_SGX)))
		vm->features = 0;
	if (!(vm->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY)))
		vm->provision = false;
	if (!(vm->features & VM_CPU(VM_CPU_SGXLC)))
		vm->lewr = false;
	return 0;
}

static bool text_is_qemu(const char *text)
{
	for (;;) {
		text += strspn(text, " \t\r\n");
		if (*text != '#')
			return *text == '-';
		text += strcspn(text, "\n");
	}
}

int vm_config_parse(struct hw_processor *host, const char *text, struct vm_config *ret, char *why,
		    size_t why_len)
{
	char **argv;
	int argc, r;

	if (!text_is_qemu(text))
		return vm_config_parse_xl(host, text, ret, why, why_len);
	r = vm_args_split(text, &argc, &argv);
	if (r == -EINVAL)
		return vm_why(why, why_len, "a quote (' or \") is not closed; close it");
	if (r)
		return r;
	r = vm_config_parse_qemu(host, argc, argv, ret, why, why_len);
	vm_args_free(argv);
	return r;
}

/*
 * Copy the word at (s) into *ret as a shell reads it: quotes ('...' or
 * "...") keep blanks in and are dropped. Sets *ret_len to what it took of
 * (s). Return: 0, -EINVAL (a quote is not closed), -ENOMEM.
 */
static int args_word(const char *s, char **ret, size_t *ret_len)
{
	size_t n = 0, i = 0;
	char quote = 0, *word = malloc(strlen(s) + 1);

	if (!word)
		return -ENOMEM;
	for (; s[i] && (quote || !strchr(" \t\r\n", s[i])); i++) {
		if (!quote && (s[i] == '"' || s[i] == '\''))
			quote = s[i];
		else if (s[i] == quote)
			quote = 0;
		else
			word[n++] = s[i];
	}
	if (quote) {
		free(word);
		return -EINVAL;
	}
	word[n] = '\0';
	*ret = word;
	*ret_len = i;
	return 0;
}

static int args_push(char ***argv, int *argc, size_t *cap, char *word)
{
	char **grown;

	if ((size_t)*argc + 2 > *cap) {
		grown = realloc(*argv, 2 * *cap * sizeof(**argv));
		if (!grown) {
			free(word);
			return -ENOMEM;
		}
		*argv = grown;
		*cap *= 2;
	}
	(*argv)[(*argc)++] = word;
	(*argv)[*argc] = NULL;
	return 0;
}

int vm_args_split(const char *text, int *ret_argc, char ***ret_argv)
{
	size_t cap = 16, n;
	char **argv;
	int argc = 0;

	argv = calloc(cap, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	for (;;) {
		char *word;
		int r;

		text += strspn(text, " \t\r\n");
		if (!*text)
			break;
		if (*text == '#') {
			text += strcspn(text, "\n");
			continue;
		}
		r = args_word(text, &word, &n);
		if (!r)
			r = args_push(&argv, &argc, &cap, word);
		if (r) {
			vm_args_free(argv);
			return r;
		}
		text += n;
	}
	*ret_argc = argc;
	*ret_argv = argv;
	return 0;
}

void vm_args_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

const char *vm_mem_policy_name(enum vm_mem_policy p)
{
	static const char *const names[VM_POLICY_MAX] = { "default", "preferred", "bind",
							  "interleave" };

	return (unsigned int)p < VM_POLICY_MAX ? names[p] : NULL;
}
