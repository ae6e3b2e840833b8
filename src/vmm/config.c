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

int vm_parse_epc_size(const char *s, uint64_t unit, uint64_t *ret)
{
	size_t n = strlen(s);
	char buf[32];

	/* 64Mi is 64M: Kubernetes' binary suffixes are QEMU's, with an 'i'. */
	if (n < 3 || n >= sizeof(buf) || s[n - 1] != 'i' || !strchr("KMGTPE", s[n - 2]))
		return vm_parse_size(s, unit, ret);
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	return vm_parse_size(buf, unit, ret);
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

/* Only QEMU and libvirt configs choose nodes; an xl config's section is on node 0. */
static void finish_section_node(const struct vm_config *vm, unsigned int i, struct vm_diags *d)
{
	const struct vm_epc_section *s = &vm->sections[i];

	if (s->node < vm->nr_nodes)
		return;
	vm_diag_add(d, VM_DIAG_ERROR,
		    "sgx-epc.%u: Property 'node' has value '%u', which exceeds the number of numa "
		    "nodes: %u; add -numa node,nodeid=%u or use a smaller sgx-epc.%u.node",
		    i, s->node, vm->nr_nodes, s->node, i);
}

static void finish_host_nodes(const struct hw_desc *host, const struct vm_epc_section *s,
			      struct vm_diags *d)
{
	uint64_t missing = s->host_nodes & ~vm_host_nodes(host);

	if (!missing)
		return;
	vm_diag_add(d, VM_DIAG_ERROR,
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
 * condition; 8 sections make at most 255 unions). The first union that
 * does not fit is reported; the others are most often the same shortage.
 */
static void finish_bound_capacity(const struct hw_desc *host, const struct vm_config *vm,
				  struct vm_diags *d)
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
		vm_diag_add(d, VM_DIAG_ERROR,
			    "memory-backend-epc %s bound to host nodes 0x%llx need %s, but those "
			    "nodes have %s of EPC; make them smaller or bind to more host-nodes",
			    bound_names(vm, mask, ids, sizeof(ids)), (unsigned long long)mask,
			    size_str(need, a, sizeof(a)), size_str(have, b, sizeof(b)));
		return;
	}
}

static const char *capacity_fix(const char *tool)
{
	if (!strcmp(tool, "xl"))
		return "epc";
	if (!strcmp(tool, "libvirt"))
		return "the <memory model='sgx-epc'> sizes";
	if (!strcmp(tool, "chv"))
		return "the --sgx-epc sizes";
	return "the memory-backend-epc sizes";
}

static void finish_capacity(const struct hw_desc *host, const struct vm_config *vm,
			    const char *tool, struct vm_diags *d)
{
	uint64_t need = vm_config_epc_size(vm), have = vm_host_epc_on(host, 0);
	char a[32], b[32];

	if (need <= have)
		return;
	vm_diag_add(d, VM_DIAG_ERROR,
		    "not enough EPC on the host: the guest needs %s, the host has %s; make %s "
		    "smaller",
		    size_str(need, a, sizeof(a)), size_str(have, b, sizeof(b)), capacity_fix(tool));
}

static void finish_sections(struct hw_processor *host, struct vm_config *vm, const char *tool,
			    struct vm_diags *d)
{
	const struct hw_desc *desc = hw_processor_desc(host);

	for (unsigned int i = 0; i < vm->nr_sections; i++) {
		finish_section_node(vm, i, d);
		finish_host_nodes(desc, &vm->sections[i], d);
	}
	finish_bound_capacity(desc, vm, d);
	finish_capacity(desc, vm, tool, d);
}

/* A size without its unit is the commonest silent mistake: QEMU's size=64 is 64 bytes. */
static void warn_small_section(const struct vm_config *vm, unsigned int i, const char *tool,
			       struct vm_diags *d)
{
	const struct vm_epc_section *s = &vm->sections[i];
	char a[32];

	if (s->size >= VM_MIB)
		return;
	vm_diag_add(d, VM_DIAG_WARNING,
		    "EPC section %u ('%s') is only %s, less than 1 MiB (one enclave of a few "
		    "pages); %s",
		    i, s->memdev, size_str(s->size, a, sizeof(a)),
		    !strcmp(tool, "libvirt") ? "<size> counts KiB unless unit= says otherwise: "
					       "write e.g. <size unit='MiB'>64</size>"
					     : "a size without a suffix counts bytes: write e.g. "
					       "size=64M for 64 MiB");
}

/*
 * A preferred node is only a preference: what its EPC cannot hold comes
 * from other nodes, silently, as the kernel's allocator falls back.
 */
static void warn_preferred_short(const struct hw_desc *host, const struct vm_epc_section *s,
				 struct vm_diags *d)
{
	uint64_t have;
	char a[32], b[32];

	if (s->policy != VM_POLICY_PREFERRED || !s->host_nodes)
		return;
	have = vm_host_epc_on(host, s->host_nodes);
	if (s->size <= have)
		return;
	vm_diag_add(d, VM_DIAG_WARNING,
		    "memory-backend-epc '%s' prefers host nodes 0x%llx, whose EPC (%s) cannot "
		    "hold its %s: the rest will come from other nodes, away from its guest node "
		    "%u; make it smaller or use policy=bind to be told",
		    s->memdev, (unsigned long long)s->host_nodes, size_str(have, a, sizeof(a)),
		    size_str(s->size, b, sizeof(b)), s->node);
}

static const char *no_sgx_fix(const struct vm_config *vm, const char *tool)
{
	if (!strcmp(tool, "libvirt"))
		return "use <cpu mode='host-passthrough'/>, or add <feature policy='require' "
		       "name='sgx'/> to <cpu>";
	if (vm->default_cpu)
		return "QEMU's default CPU model has none: add -cpu host";
	return "its -cpu model has none, or -sgx removed it: use -cpu host";
}

static void finish_warnings(struct hw_processor *host, const struct vm_config *vm, const char *tool,
			    struct vm_diags *d)
{
	const struct hw_desc *desc = hw_processor_desc(host);
	char a[32];

	for (unsigned int i = 0; i < vm->nr_sections; i++) {
		warn_small_section(vm, i, tool, d);
		warn_preferred_short(desc, &vm->sections[i], d);
	}
	if (vm->nr_sections && !(vm->features & VM_CPU(VM_CPU_SGX)))
		vm_diag_add(d, VM_DIAG_WARNING,
			    "the guest has %s of EPC but its CPU has no SGX, so no enclave can "
			    "use it; %s",
			    size_str(vm_config_epc_size(vm), a, sizeof(a)), no_sgx_fix(vm, tool));
}

int vm_config_finish(struct hw_processor *host, struct vm_config *vm, const char *tool,
		     struct vm_diags *d)
{
	finish_sections(host, vm, tool, d);
	if (vm_diags_result(d))
		return -EINVAL;
	finish_warnings(host, vm, tool, d);
	/* EPC is enumerated by CPUID 0x12: no section, no SGX, as in xl with epc = 0. */
	if (!vm->nr_sections || !(vm->features & VM_CPU(VM_CPU_SGX)))
		vm->features = 0;
	if (!(vm->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY)))
		vm->provision = false;
	if (!(vm->features & VM_CPU(VM_CPU_SGXLC)))
		vm->lewr = false;
	return vm_diags_result(d);
}

static const char *base_name(const char *word)
{
	const char *slash = strrchr(word, '/');

	return slash ? slash + 1 : word;
}

bool vm_word_is_env(const char *word)
{
	if (!isalpha((unsigned char)*word) && *word != '_')
		return false;
	while (isalnum((unsigned char)*word) || *word == '_')
		word++;
	return *word == '=';
}

bool vm_word_is_qemu(const char *word)
{
	const char *b = base_name(word);

	return !strncmp(b, "qemu-system-", 12) || !strcmp(b, "qemu-kvm");
}

static bool word_is_chv(const char *word)
{
	return !strcmp(base_name(word), "cloud-hypervisor") || !strcmp(word, "--cpus") ||
	       !strcmp(word, "--memory") || !strcmp(word, "--sgx-epc");
}

/* The first word that is not a shell prompt or an environment setting. */
static const char *command_word(char *const *argv)
{
	/* "......" stands for text left out of a quoted command line. */
	for (; *argv; argv++)
		if (strcmp(*argv, "$") && !vm_word_is_env(*argv) &&
		    strspn(*argv, ".") != strlen(*argv))
			return *argv;
	return "";
}

static bool text_is_xml(const char *text)
{
	text += strspn(text, " \t\r\n");
	return *text == '<';
}

static int read_args(struct hw_processor *host, const char *text, struct vm_config *ret,
		     struct vm_diags *d)
{
	const char *cmd;
	char **argv;
	int argc, r;

	r = vm_args_split(text, &argc, &argv);
	/* An xl string may hold a lone quote that a shell would not take. */
	if (r == -EINVAL && text[strspn(text, " \t\r\n")] != '-')
		return 1;
	if (r == -EINVAL) {
		vm_diag_add(d, VM_DIAG_ERROR, "a quote (' or \") is not closed; close it");
		return r;
	}
	if (r)
		return r;
	cmd = command_word(argv);
	if (word_is_chv(cmd))
		r = vm_config_read_chv(host, argc, argv, ret, d);
	else if (*cmd == '-' || vm_word_is_qemu(cmd))
		r = vm_config_read_qemu(host, argc, argv, ret, d);
	else
		r = 1;
	vm_args_free(argv);
	return r;
}

int vm_config_read(struct hw_processor *host, const char *text, struct vm_config *ret,
		   struct vm_diags *d)
{
	int r;

	if (text_is_xml(text))
		return vm_config_read_libvirt(host, text, ret, d);
	/* Options as a shell reads them, unless the words are no command: then xl. */
	r = read_args(host, text, ret, d);
	if (r != 1)
		return r;
	return vm_config_read_xl(host, text, ret, d);
}

/* The old interface: the first error in (why), the rest dropped. */
static int first_error(const struct vm_diags *d, int r, char *why, size_t len)
{
	if (r == -EINVAL)
		vm_why(why, len, "%s", vm_diags_first_error(d));
	return r;
}

int vm_config_parse(struct hw_processor *host, const char *text, struct vm_config *ret, char *why,
		    size_t why_len)
{
	struct vm_diags d;

	vm_diags_init(&d, false);
	return first_error(&d, vm_config_read(host, text, ret, &d), why, why_len);
}

int vm_config_parse_xl(struct hw_processor *host, const char *text, struct vm_config *ret,
		       char *why, size_t why_len)
{
	struct vm_diags d;

	vm_diags_init(&d, false);
	return first_error(&d, vm_config_read_xl(host, text, ret, &d), why, why_len);
}

int vm_config_parse_qemu(struct hw_processor *host, int argc, char *const *argv,
			 struct vm_config *ret, char *why, size_t why_len)
{
	struct vm_diags d;

	vm_diags_init(&d, false);
	return first_error(&d, vm_config_read_qemu(host, argc, argv, ret, &d), why, why_len);
}

/* A backslash: (s) points at it. Return what it stands for, advancing (*i). */
static int args_escape(const char *s, char quote, size_t *i, char *ret)
{
	if (s[1] == '\n' || (s[1] == '\r' && s[2] == '\n')) {
		*i += s[1] == '\n' ? 1 : 2; /* a continuation: the lines join */
		return 0;
	}
	if (!s[1] || (quote == '"' && !strchr("$`\"\\", s[1]))) {
		*ret = '\\'; /* kept as it is, as a shell keeps it */
		return 1;
	}
	(*i)++;
	*ret = s[1];
	return 1;
}

/*
 * Copy the word at (s) into *ret as a shell reads it: quotes ('...' or
 * "...") keep blanks in and are dropped, a backslash escapes. Sets *ret_len
 * to what it took of (s). Return: 0, -EINVAL (a quote is not closed),
 * -ENOMEM.
 */
static int args_word(const char *s, char **ret, size_t *ret_len)
{
	size_t n = 0, i = 0;
	char quote = 0, c, *word = malloc(strlen(s) + 1);

	if (!word)
		return -ENOMEM;
	for (; s[i] && (quote || !strchr(" \t\r\n", s[i])); i++) {
		if (s[i] == '\\' && quote != '\'') {
			if (args_escape(s + i, quote, &i, &c))
				word[n++] = c;
		} else if (!quote && (s[i] == '"' || s[i] == '\'')) {
			quote = s[i];
		} else if (s[i] == quote) {
			quote = 0;
		} else {
			word[n++] = s[i];
		}
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
		if (text[0] == '\\' && (text[1] == '\n' || (text[1] == '\r' && text[2] == '\n'))) {
			text += text[1] == '\n' ? 2 : 3; /* a continuation line */
			continue;
		}
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

const char *vm_epc_policy_name(enum vm_epc_policy p)
{
	static const char *const names[VM_EPC_POLICY_MAX] = { "static", "balloon",
							      "oversubscribe" };

	return (unsigned int)p < VM_EPC_POLICY_MAX ? names[p] : NULL;
}

const char *vm_epc_oversub_name(enum vm_epc_oversub m)
{
	static const char *const names[VM_OVERSUB_MODE_MAX] = { "extensions", "trap" };

	return (unsigned int)m < VM_OVERSUB_MODE_MAX ? names[m] : NULL;
}

const char *vm_mem_policy_name(enum vm_mem_policy p)
{
	static const char *const names[VM_POLICY_MAX] = { "default", "preferred", "bind",
							  "interleave" };

	return (unsigned int)p < VM_POLICY_MAX ? names[p] : NULL;
}
