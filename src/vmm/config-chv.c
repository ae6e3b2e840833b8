/* SPDX-License-Identifier: MIT */
/*
 * cloud-hypervisor options (vmm/src/config.rs): --cpus boot=N, --memory
 * size=SIZE, --sgx-epc id=ID,size=SIZE[,prefault=on|off] (one or more
 * sections after the option, as clap reads them) and --numa
 * guest_numa_id=N,sgx_epc_sections=[ID,...]. Other options do not bear on
 * SGX and are noted. cloud-hypervisor passes the host's SGX features
 * through and always enables PROVISIONKEY; it removed SGX in 2025 (v47).
 */
#include "vsgx/vmm-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm-int.h"

#define CHV_ARG_MAX	1024
#define CHV_DEFAULT_MEM (512ULL << 20)

struct chv_state {
	struct hw_processor *host;
	struct vm_config *vm;
	struct vm_diags *d;
	const char *opt, *arg;
	char ignored[300];
};

static int chv_err(struct chv_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int chv_err(struct chv_state *st, const char *fmt, ...)
{
	char msg[VM_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vm_diag_add(st->d, VM_DIAG_ERROR, "%s %s: %s", st->opt, st->arg ? st->arg : "", msg);
	return -EINVAL;
}

/* Next KEY=VALUE of a comma list where a [...] value may hold commas. */
static bool chv_next_kv(char **p, char **key, char **val)
{
	char *s = *p, *q, *eq;
	int depth = 0;

	if (!s || !*s)
		return false;
	for (q = s; *q && (depth || *q != ','); q++)
		depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
	*p = *q ? q + 1 : NULL;
	*q = '\0';
	eq = strchr(s, '=');
	if (eq)
		*eq = '\0';
	*key = s;
	*val = eq ? eq + 1 : NULL;
	return true;
}

static void chv_ignore(struct chv_state *st, const char *what)
{
	size_t n = strlen(st->ignored);

	if (st->d->strict) {
		chv_err(st,
			"%s is not modelled, and --strict refuses what vsgx does not model; "
			"remove it",
			what);
		return;
	}
	if (strstr(st->ignored, what))
		return;
	snprintf(st->ignored + n, sizeof(st->ignored) - n, "%s%s", n ? ", " : "", what);
}

static struct vm_epc_section *chv_section(struct chv_state *st, const char *id)
{
	for (unsigned int i = 0; i < st->vm->nr_sections; i++)
		if (!strcmp(st->vm->sections[i].memdev, id))
			return &st->vm->sections[i];
	return NULL;
}

static int chv_epc_prop(struct chv_state *st, struct vm_epc_section *s, const char *key,
			const char *val)
{
	if (!strcmp(key, "id") && val && *val && strlen(val) < VM_ID_MAX) {
		snprintf(s->memdev, sizeof(s->memdev), "%s", val);
		return 0;
	}
	if (!strcmp(key, "size") && val && !vm_parse_epc_size(val, 1, &s->size))
		return 0;
	if (!strcmp(key, "prefault") && val && (!strcmp(val, "on") || !strcmp(val, "off"))) {
		s->prealloc = !strcmp(val, "on");
		return 0;
	}
	if (!strcmp(key, "id") || !strcmp(key, "size") || !strcmp(key, "prefault"))
		return chv_err(st,
			       "bad value for '%s': id is a name of at most 31 characters, "
			       "size a number with an optional K, M or G (or Ki, Mi, Gi), "
			       "prefault on or off",
			       key);
	return chv_err(st, "unknown --sgx-epc option '%s'; options: id, size, prefault", key);
}

/* One section: id=ID,size=SIZE[,prefault=on|off] */
static int chv_epc(struct chv_state *st, char *p)
{
	struct vm_epc_section s = { .policy = VM_POLICY_DEFAULT };
	char *key, *val;
	int r = 0;

	while (chv_next_kv(&p, &key, &val))
		r |= chv_epc_prop(st, &s, key, val);
	if (r)
		return r;
	if (!s.memdev[0])
		return chv_err(st, "Error parsing --sgx-epc: 'id' field missing; name the section, "
				   "e.g. id=epc0");
	if (!s.size || s.size % SGX_PAGE_SIZE)
		return chv_err(st, "EPC section size must be a nonzero multiple of 4 KiB; e.g. "
				   "size=64M");
	if (chv_section(st, s.memdev))
		return chv_err(st, "the id '%s' is used twice; give each section its own id",
			       s.memdev);
	if (st->vm->nr_sections == VM_MAX_SECTIONS)
		return chv_err(st, "more than %d EPC sections", VM_MAX_SECTIONS);
	st->vm->sections[st->vm->nr_sections++] = s;
	return 0;
}

/* sgx_epc_sections=[epc0,epc1] puts those sections on guest node (node). */
static int chv_numa_sections(struct chv_state *st, char *list, uint32_t node)
{
	size_t n = strlen(list);
	char *id, *save = NULL;
	struct vm_epc_section *s;

	if (n < 2 || list[0] != '[' || list[n - 1] != ']')
		return chv_err(st, "sgx_epc_sections expects a list, e.g. [epc0,epc1]");
	list[n - 1] = '\0';
	for (id = strtok_r(list + 1, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		s = chv_section(st, id);
		if (!s)
			return chv_err(st,
				       "Unknown SGX EPC section '%s'; define it first with "
				       "--sgx-epc id=%s,size=64M",
				       id, id);
		s->node = node;
	}
	return 0;
}

/* guest_numa_id=N[,sgx_epc_sections=[...]][,cpus=..][,memory_zones=..]... */
static int chv_numa(struct chv_state *st, char *p)
{
	char *key, *val, *sections = NULL;
	uint64_t id = UINT64_MAX;

	while (chv_next_kv(&p, &key, &val)) {
		if (!strcmp(key, "guest_numa_id")) {
			if (!val || vm_parse_uint(val, VM_MAX_NODES - 1, &id))
				return chv_err(st, "guest_numa_id expects a node below %d",
					       VM_MAX_NODES);
		} else if (!strcmp(key, "sgx_epc_sections")) {
			sections = val ? val : "";
		} else {
			chv_ignore(st, "--numa cpus/distances/memory_zones");
		}
	}
	if (id == UINT64_MAX)
		return chv_err(st, "guest_numa_id is missing; e.g. guest_numa_id=0");
	if (id + 1 > st->vm->nr_nodes)
		st->vm->nr_nodes = (unsigned int)id + 1;
	return sections ? chv_numa_sections(st, sections, (uint32_t)id) : 0;
}

static int chv_cpus(struct chv_state *st, char *p)
{
	char *key, *val;
	uint64_t n;

	while (chv_next_kv(&p, &key, &val)) {
		if (strcmp(key, "boot")) {
			chv_ignore(st, "--cpus max/topology/...");
			continue;
		}
		if (!val || vm_parse_uint(val, HW_MAX_CPUS, &n) || !n)
			return chv_err(st, "boot expects a number of vCPUs from 1 to %d",
				       HW_MAX_CPUS);
		st->vm->vcpus = (unsigned int)n;
	}
	return 0;
}

static int chv_memory(struct chv_state *st, char *p)
{
	char *key, *val;
	uint64_t n;

	while (chv_next_kv(&p, &key, &val)) {
		if (strcmp(key, "size")) {
			chv_ignore(st, "--memory shared/hugepages/hotplug/...");
			continue;
		}
		if (!val || vm_parse_size(val, 1, &n) || !n)
			return chv_err(st, "size expects a size such as 1G or 512M");
		st->vm->memory = n;
	}
	return 0;
}

struct chv_option {
	const char *name;
	int (*parse)(struct chv_state *st, char *arg);
	bool many; /* takes every value up to the next option */
};

static const struct chv_option chv_options[] = {
	{ "--cpus", chv_cpus, false },
	{ "--memory", chv_memory, false },
	{ "--sgx-epc", chv_epc, true },
	{ "--numa", chv_numa, true },
};

static const char *const chv_flags[] = { "-v",	       "-vv",	     "-vvv", "--pvpanic",
					 "--watchdog", "--landlock", NULL };

static const char *const chv_others[] = {
	"--platform",
	"--payload",
	"--firmware",
	"--kernel",
	"--initramfs",
	"--cmdline",
	"--rate-limit-group",
	"--disk",
	"--net",
	"--rng",
	"--balloon",
	"--fs",
	"--pmem",
	"--serial",
	"--console",
	"--device",
	"--user-device",
	"--vdpa",
	"--vsock",
	"--log-file",
	"--api-socket",
	"--event-monitor",
	"--restore",
	"--seccomp",
	"--tpm",
	"--landlock-rules",
	"--memory-zone",
	"--debug-console",
	"--gdb",
	"--pci-segment",
	"--cpus",
	"--memory",
	"--sgx-epc",
	"--numa",
	NULL,
};

static int chv_value(struct chv_state *st, const struct chv_option *o, const char *word)
{
	char buf[CHV_ARG_MAX];

	st->arg = word;
	if (strlen(word) >= sizeof(buf))
		return chv_err(st, "longer than %d characters", CHV_ARG_MAX - 1);
	snprintf(buf, sizeof(buf), "%s", word);
	return o->parse(st, buf);
}

/* argv[*i] and its values; advance (*i) past them. */
static int chv_one(struct chv_state *st, int argc, char *const *argv, int *i)
{
	const struct chv_option *o = NULL;
	const char *name = argv[(*i)++], *s;
	bool many = true;
	int r = 0, n = 0;

	st->opt = name;
	st->arg = NULL;
	for (size_t k = 0; k < sizeof(chv_options) / sizeof(chv_options[0]); k++)
		if (!strcmp(name, chv_options[k].name))
			o = &chv_options[k];
	for (const char *const *f = chv_flags; *f; f++) {
		if (!strcmp(name, *f)) {
			chv_ignore(st, name);
			return 0;
		}
	}
	if (!o && !vm_suggest(name, strlen(name), chv_others))
		return chv_err(st, "unexpected argument '%s'; see docs/vm-config.md", name);
	if (!o && strcmp(vm_suggest(name, strlen(name), chv_others), name))
		return chv_err(st, "unexpected argument (did you mean '%s'?)",
			       vm_suggest(name, strlen(name), chv_others));
	if (o)
		many = o->many;
	for (; *i < argc && argv[*i][0] != '-' && (many || !n); (*i)++, n++)
		r |= o ? chv_value(st, o, argv[*i]) : 0;
	if (!n)
		return chv_err(st, "a value is required");
	s = o ? NULL : name;
	if (s)
		chv_ignore(st, s);
	return r;
}

int vm_config_read_chv(struct hw_processor *host, int argc, char *const *argv,
		       struct vm_config *ret, struct vm_diags *d)
{
	struct chv_state st = { .host = host, .vm = ret, .d = d };
	int i = 0, r = 0;

	vm_config_init(ret, host);
	ret->memory = CHV_DEFAULT_MEM;
	while (i < argc && (!strcmp(argv[i], "$") || vm_word_is_env(argv[i])))
		i++;
	if (i < argc && strstr(argv[i], "cloud-hypervisor"))
		i++;
	while (i < argc) {
		if (argv[i][0] != '-') {
			st.opt = argv[i++];
			r = chv_err(&st, "not an option; options start with --");
			continue;
		}
		r |= chv_one(&st, argc, argv, &i);
	}
	if (st.ignored[0])
		vm_diag_add(d, VM_DIAG_NOTE, "not modelled, accepted and ignored: %s", st.ignored);
	if (r || vm_diags_result(d))
		return -EINVAL;
	/* setup_sgx() opens /dev/sgx_provision for every SGX guest. */
	ret->provision = ret->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY);
	ret->lewr = true;
	return vm_config_finish(host, ret, "chv", d);
}
