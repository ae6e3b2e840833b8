/* SPDX-License-Identifier: MIT */
/*
 * QEMU-style VM options. Messages use QEMU's own wording for the same
 * mistake (hw/i386/sgx-epc.c, backends/hostmem*.c, hw/i386/sgx.c,
 * target/i386/cpu.c) followed by "; " and how to fix it.
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

#define QEMU_ARG_MAX	  1024
#define QEMU_MAX_BACKENDS 16
/* QEMU rounds RAM sizes up to 8 KiB. */
#define QEMU_RAM_ALIGN 8192ULL

struct qemu_backend {
	char id[VM_ID_MAX];
	uint64_t size;
	uint64_t host_nodes;
	enum vm_mem_policy policy;
	bool prealloc;
	bool busy; /* used by an sgx-epc section */
};

struct qemu_epc {
	bool memdev_set, node_set;
	char memdev[VM_ID_MAX];
	uint32_t node;
};

struct qemu_state {
	struct hw_processor *host;
	struct vm_config *vm;
	const char *opt, *arg; /* the option being parsed, for messages */
	char *why;
	size_t len;
	unsigned int nr_backends;
	struct qemu_backend backends[QEMU_MAX_BACKENDS];
	unsigned int nr_epc; /* highest sgx-epc index + 1 */
	struct qemu_epc epc[VM_MAX_SECTIONS];
	uint64_t numa_nodes;
	bool sgx_requested;
};

/* "-opt arg: " and the message: how QEMU reports a bad option. */
static int qemu_err(struct qemu_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int qemu_err(struct qemu_state *st, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->opt)
		return vm_why(st->why, st->len, "%s %s: %s", st->opt, st->arg, msg);
	return vm_why(st->why, st->len, "%s", msg);
}

/* Next KEY[=VALUE] of a comma-separated list; (*key) without '=' has (*val) NULL. */
static bool qemu_next_kv(char **p, char **key, char **val)
{
	char *s = *p, *comma, *eq;

	if (!s)
		return false;
	comma = strchr(s, ',');
	if (comma)
		*comma = '\0';
	*p = comma ? comma + 1 : NULL;
	eq = strchr(s, '=');
	if (eq)
		*eq = '\0';
	*key = s;
	*val = eq ? eq + 1 : NULL;
	return true;
}

static int qemu_bool(struct qemu_state *st, const char *key, const char *val, bool *ret)
{
	static const char *const on[] = { "on", "yes", "true" }, *const off[] = { "off", "no",
										  "false" };

	for (int i = 0; val && i < 3; i++) {
		if (!strcmp(val, on[i]) || !strcmp(val, off[i])) {
			*ret = !strcmp(val, on[i]);
			return 0;
		}
	}
	return qemu_err(st, "Parameter '%s' expects 'on' or 'off'", key);
}

static int qemu_uint(struct qemu_state *st, const char *key, const char *val, uint64_t max,
		     const char *type, uint64_t *ret)
{
	if (val && !vm_parse_uint(val, max, ret))
		return 0;
	return qemu_err(st, "Parameter '%s' expects %s", key, type);
}

static int qemu_size(struct qemu_state *st, const char *key, const char *val, uint64_t unit,
		     uint64_t *ret)
{
	if (val && !vm_parse_size(val, unit, ret))
		return 0;
	return qemu_err(st,
			"Parameter '%s' expects a non-negative number below 2^64; optional suffix "
			"k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta- and exabytes, "
			"respectively",
			key);
}

/* -m [size=]SIZE, MiB without a suffix */
static int qemu_opt_m(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL;
	uint64_t size = 0;

	while (qemu_next_kv(&p, &key, &val)) {
		if (!val) {
			val = key;
			key = "size";
		}
		if (strcmp(key, "size"))
			return qemu_err(st, "Invalid parameter '%s'; only size= is modelled", key);
		if (qemu_size(st, key, val, VM_MIB, &size))
			return -EINVAL;
	}
	if (!size || size > UINT64_MAX - QEMU_RAM_ALIGN)
		return qemu_err(st, "Invalid RAM size; give the guest some memory, e.g. -m 2G");
	st->vm->memory = (size + QEMU_RAM_ALIGN - 1) & ~(QEMU_RAM_ALIGN - 1);
	return 0;
}

/* -smp [cpus=]N */
static int qemu_opt_smp(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL;
	uint64_t n = 0;

	while (qemu_next_kv(&p, &key, &val)) {
		if (!val) {
			val = key;
			key = "cpus";
		}
		if (strcmp(key, "cpus"))
			return qemu_err(st, "Invalid parameter '%s'; only cpus= is modelled", key);
		if (qemu_uint(st, key, val, UINT32_MAX, "a number", &n))
			return -EINVAL;
	}
	if (!n)
		return qemu_err(st, "Invalid CPU topology: CPU topology parameters must be greater "
				    "than zero; use e.g. -smp 2");
	if (n > HW_MAX_CPUS)
		return qemu_err(st,
				"Invalid SMP CPUs %llu. vsgx models at most %d vCPUs (its "
				"processor has at most %d logical CPUs); use -smp %d or fewer",
				(unsigned long long)n, HW_MAX_CPUS, HW_MAX_CPUS, HW_MAX_CPUS);
	st->vm->vcpus = (unsigned int)n;
	return 0;
}

/* -name [guest=]NAME */
static int qemu_opt_name(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL;

	while (qemu_next_kv(&p, &key, &val)) {
		if (!val) {
			val = key;
			key = "guest";
		}
		if (strcmp(key, "guest"))
			return qemu_err(st, "Invalid parameter '%s'; only guest= is modelled", key);
		if (!*val || strlen(val) >= VM_NAME_MAX)
			return qemu_err(st, "the name must have 1 to %d characters",
					VM_NAME_MAX - 1);
		snprintf(st->vm->name, VM_NAME_MAX, "%s", val);
	}
	return 0;
}

/* -numa node[,nodeid=N][,cpus=..][,memdev=..]: only node ids matter here. */
static int qemu_opt_numa(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL;
	uint64_t id = (uint64_t)__builtin_popcountll(st->numa_nodes);

	if (!qemu_next_kv(&p, &key, &val) || val || strcmp(key, "node"))
		return qemu_err(st, "only -numa node,nodeid=N is modelled");
	while (qemu_next_kv(&p, &key, &val)) {
		if (!strcmp(key, "nodeid")) {
			if (qemu_uint(st, key, val, VM_MAX_NODES - 1, "a node id below 64", &id))
				return -EINVAL;
		} else if (strcmp(key, "cpus") && strcmp(key, "memdev") && strcmp(key, "mem")) {
			return qemu_err(st,
					"Invalid parameter '%s'; only nodeid, cpus, memdev and mem "
					"are accepted",
					key);
		}
	}
	if (id >= VM_MAX_NODES)
		return qemu_err(st, "Max number of NUMA nodes reached: %d; use fewer -numa nodes",
				VM_MAX_NODES);
	if (st->numa_nodes >> id & 1)
		return qemu_err(st,
				"Duplicate NUMA nodeid: %llu; give each -numa node its own nodeid",
				(unsigned long long)id);
	st->numa_nodes |= 1ULL << id;
	return 0;
}

/* -accel kvm[,PROP=VALUE...]: KVM's own properties change nothing SGX does. */
static int qemu_opt_accel(struct qemu_state *st, char *p)
{
	if (strncmp(p, "kvm", 3) || (p[3] && p[3] != ','))
		return qemu_err(st, "vsgx models KVM only; use -accel kvm");
	return 0;
}

static bool qemu_id_valid(const char *id)
{
	if (!isalpha((unsigned char)*id) || strlen(id) >= VM_ID_MAX)
		return false;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("-._", *id))
			return false;
	return true;
}

static struct qemu_backend *qemu_backend_find(struct qemu_state *st, const char *id)
{
	for (unsigned int i = 0; i < st->nr_backends; i++)
		if (!strcmp(st->backends[i].id, id))
			return &st->backends[i];
	return NULL;
}

/* host-nodes=N or N-M, repeatable */
static int qemu_host_nodes(struct qemu_state *st, const char *val, uint64_t *mask)
{
	uint64_t lo, hi;
	char buf[32], *dash;

	snprintf(buf, sizeof(buf), "%s", val ? val : "");
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (vm_parse_uint(buf, UINT32_MAX, &lo) || (dash && vm_parse_uint(dash, UINT32_MAX, &hi)))
		return qemu_err(st, "Parameter 'host-nodes' expects a node number or a range N-M");
	if (!dash)
		hi = lo;
	if (hi >= VM_MAX_NODES || lo > hi)
		return qemu_err(st, "Invalid host-nodes value: %llu; host nodes go from 0 to %d",
				(unsigned long long)(hi >= VM_MAX_NODES ? hi : lo),
				VM_MAX_NODES - 1);
	for (uint64_t n = lo; n <= hi; n++)
		*mask |= 1ULL << n;
	return 0;
}

static int qemu_policy(struct qemu_state *st, const char *val, enum vm_mem_policy *ret)
{
	for (int p = 0; p < VM_POLICY_MAX; p++) {
		if (val && !strcmp(val, vm_mem_policy_name(p))) {
			*ret = p;
			return 0;
		}
	}
	return qemu_err(st,
			"Parameter 'policy' does not accept value '%s'; use default, "
			"preferred, bind or interleave",
			val ? val : "");
}

/*
 * share=on is the EPC backend's default; share=off would map the vEPC
 * privately, which the kernel's sgx_vepc_mmap() refuses.
 */
static int qemu_share(struct qemu_state *st, const char *val)
{
	bool share = true;
	int r = qemu_bool(st, "share", val, &share);

	if (r || share)
		return r;
	return qemu_err(st, "share=off: /dev/sgx_vepc can only be mapped shared (sgx_vepc_mmap() "
			    "refuses a private mapping with EINVAL); remove share=off");
}

static int qemu_backend_prop(struct qemu_state *st, struct qemu_backend *b, const char *key,
			     const char *val)
{
	if (!strcmp(key, "id")) {
		if (!val || !qemu_id_valid(val))
			return qemu_err(st, "Parameter 'id' expects an identifier; identifiers "
					    "consist of letters, digits, '-', '.', '_', starting "
					    "with a letter (at most 31)");
		snprintf(b->id, sizeof(b->id), "%s", val);
		return 0;
	}
	if (!strcmp(key, "size"))
		return qemu_size(st, key, val, 1, &b->size);
	if (!strcmp(key, "prealloc"))
		return qemu_bool(st, key, val, &b->prealloc);
	if (!strcmp(key, "host-nodes"))
		return qemu_host_nodes(st, val, &b->host_nodes);
	if (!strcmp(key, "policy"))
		return qemu_policy(st, val, &b->policy);
	if (!strcmp(key, "share"))
		return qemu_share(st, val);
	return qemu_err(st, "Property 'memory-backend-epc.%s' not found", key);
}

static int qemu_backend_check(struct qemu_state *st, struct qemu_backend *b)
{
	if (!b->id[0])
		return qemu_err(st, "Parameter 'id' is missing; name the backend, e.g. id=epc0");
	if (qemu_backend_find(st, b->id))
		return qemu_err(st,
				"attempt to add duplicate property '%s' to object (type "
				"'container'); give each object its own id",
				b->id);
	if (!b->size)
		return qemu_err(st, "can't create backend with size 0; give it a size, e.g. "
				    "size=64M");
	if (b->size > UINT64_MAX - (SGX_PAGE_SIZE - 1))
		return qemu_err(st, "size 0x%llx cannot be rounded up to 4 KiB pages",
				(unsigned long long)b->size);
	if (b->policy != VM_POLICY_DEFAULT && !b->host_nodes)
		return qemu_err(st, "host-nodes must be set for policy %s; add host-nodes=N",
				vm_mem_policy_name(b->policy));
	if (b->policy == VM_POLICY_DEFAULT && b->host_nodes)
		return qemu_err(st, "host-nodes must be empty for policy default, or you should "
				    "explicitly specify a policy other than default");
	if (st->nr_backends == QEMU_MAX_BACKENDS)
		return qemu_err(st, "more than %d memory-backend-epc objects; remove unused ones",
				QEMU_MAX_BACKENDS);
	/* The vEPC is mapped in whole pages, as QEMU's RAM blocks are. */
	b->size = (b->size + SGX_PAGE_SIZE - 1) & SGX_PAGE_MASK;
	return 0;
}

/* -object memory-backend-epc,id=ID,size=SIZE[,prealloc=on][,host-nodes=N,policy=bind] */
static int qemu_opt_object(struct qemu_state *st, char *p)
{
	struct qemu_backend b = { 0 };
	char *key = NULL, *val = NULL;
	int r;

	qemu_next_kv(&p, &key, &val);
	if (val && !strcmp(key, "qom-type"))
		key = val;
	else if (val)
		return qemu_err(st, "Parameter 'qom-type' is missing; start with the object type");
	if (strcmp(key, "memory-backend-epc"))
		return qemu_err(st, "invalid object type: %s; vsgx models memory-backend-epc only",
				key);
	while (qemu_next_kv(&p, &key, &val)) {
		r = qemu_backend_prop(st, &b, key, val);
		if (r)
			return r;
	}
	r = qemu_backend_check(st, &b);
	if (r)
		return r;
	st->backends[st->nr_backends++] = b;
	return 0;
}

/* sgx-epc.N.memdev=ID or sgx-epc.N.node=NODE */
static int qemu_machine_epc(struct qemu_state *st, const char *key, const char *val)
{
	char *end;
	unsigned long i;
	struct qemu_epc *e;
	uint64_t node;

	i = strtoul(key + strlen("sgx-epc."), &end, 10);
	if (!isdigit((unsigned char)key[strlen("sgx-epc.")]) || *end != '.' ||
	    (strcmp(end, ".memdev") && strcmp(end, ".node")))
		return qemu_err(st,
				"Parameter '%s' is unexpected; use sgx-epc.N.memdev and "
				"sgx-epc.N.node",
				key);
	if (i >= VM_MAX_SECTIONS)
		return qemu_err(st,
				"Parameter '%s': at most %d EPC sections, sgx-epc.0 to "
				"sgx-epc.%d",
				key, VM_MAX_SECTIONS, VM_MAX_SECTIONS - 1);
	e = &st->epc[i];
	if (!strcmp(end, ".node")) {
		if (qemu_uint(st, key, val, UINT32_MAX, "uint32_t", &node))
			return -EINVAL;
		e->node = (uint32_t)node;
		e->node_set = true;
	} else {
		snprintf(e->memdev, sizeof(e->memdev), "%s", val ? val : "");
		e->memdev_set = val && *val;
	}
	if (i >= st->nr_epc)
		st->nr_epc = (unsigned int)i + 1;
	return 0;
}

static int qemu_machine_type(struct qemu_state *st, const char *type)
{
	if (!strcmp(type, "q35") || !strncmp(type, "pc-q35-", 7))
		return 0;
	if (!strcmp(type, "pc") || !strncmp(type, "pc-i440fx-", 10))
		return qemu_err(st,
				"machine type '%s' is not modelled: vsgx lays guests out as "
				"q35 does; use -M q35",
				type);
	return qemu_err(st, "unsupported machine type \"%s\"; use -M q35", type);
}

/* -M/-machine [type=]q35,sgx-epc.N.memdev=ID,sgx-epc.N.node=NODE */
static int qemu_opt_machine(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL;
	bool first = true;
	int r;

	while (qemu_next_kv(&p, &key, &val)) {
		if ((first && !val) || !strcmp(key, "type"))
			r = qemu_machine_type(st, val ? val : key);
		else if (!strncmp(key, "sgx-epc.", 8))
			r = qemu_machine_epc(st, key, val);
		else if (!strcmp(key, "accel"))
			r = qemu_opt_accel(st, val ? val : "");
		else
			r = qemu_err(st,
				     "Property 'q35-machine.%s' not found; only sgx-epc.N.memdev, "
				     "sgx-epc.N.node, type and accel are modelled",
				     key);
		if (r)
			return r;
		first = false;
	}
	return 0;
}

static int qemu_cpu_feature_find(const char *name)
{
	for (int f = 0; f < VM_CPU_FEATURE_MAX; f++)
		if (!strcmp(name, vm_cpu_feature_name(f)))
			return f;
	return -1;
}

static int qemu_cpu_unavailable(struct qemu_state *st, int f)
{
	static const char *const regs[] = { "EAX", "EBX", "ECX", "EDX" };
	struct vm_cpuid_bit b;

	vm_cpuid_feature_bit((unsigned int)f, &b);
	return qemu_err(st,
			"host doesn't support requested feature: "
			"CPUID[eax=%02Xh,ecx=%02Xh].%s.%s [bit %u]; features can only be "
			"removed from the host's, so drop +%s",
			b.leaf, b.subleaf, regs[b.reg], vm_cpu_feature_name(f), b.bit,
			vm_cpu_feature_name(f));
}

static int qemu_cpu_item(struct qemu_state *st, const char *key, const char *val, uint32_t host)
{
	bool on = *key == '+';
	int f;

	if (!val && (*key == '+' || *key == '-'))
		key++;
	else if (!val)
		return qemu_err(st, "expected +FEATURE, -FEATURE or FEATURE=on|off, not '%s'", key);
	else if (qemu_bool(st, key, val, &on))
		return -EINVAL;
	f = qemu_cpu_feature_find(key);
	if (f < 0)
		return qemu_err(st,
				"Property 'host-x86_64-cpu.%s' not found; the SGX features "
				"are sgx, sgxlc, sgx1, sgx2, sgx-edeccssa, sgx-exinfo, "
				"sgx-debug, sgx-mode64, sgx-provisionkey, sgx-tokenkey, "
				"sgx-kss, sgx-aex-notify",
				key);
	if (on && !(host & VM_CPU(f)))
		return qemu_cpu_unavailable(st, f);
	if (on)
		st->vm->features |= VM_CPU(f);
	else
		st->vm->features &= ~VM_CPU(f);
	if (f == VM_CPU_SGX)
		st->sgx_requested = on;
	return 0;
}

/* -cpu host|max[,+FEATURE][,-FEATURE][,FEATURE=on|off]... */
static int qemu_opt_cpu(struct qemu_state *st, char *p)
{
	uint32_t host = vm_cpuid_host_features(st->host);
	char *key = NULL, *val = NULL;
	int r;

	qemu_next_kv(&p, &key, &val);
	if (val)
		return qemu_err(
		    st, "the CPU model comes first, before '%s=%s'; e.g. -cpu host,+sgx", key, val);
	if (strcmp(key, "host") && strcmp(key, "max"))
		return qemu_err(st,
				"CPU model '%s' is not modelled; use -cpu host or -cpu max "
				"(the host's SGX features, minus any you remove)",
				key);
	st->vm->features = host;
	st->vm->default_cpu = false;
	st->sgx_requested = false;
	while (qemu_next_kv(&p, &key, &val)) {
		r = qemu_cpu_item(st, key, val, host);
		if (r)
			return r;
	}
	return 0;
}

struct qemu_option {
	const char *name;
	int (*parse)(struct qemu_state *st, char *arg); /* NULL: takes no argument */
};

static const struct qemu_option qemu_options[] = {
	{ "-name", qemu_opt_name },	  { "-m", qemu_opt_m },
	{ "-smp", qemu_opt_smp },	  { "-numa", qemu_opt_numa },
	{ "-object", qemu_opt_object },	  { "-M", qemu_opt_machine },
	{ "-machine", qemu_opt_machine }, { "-cpu", qemu_opt_cpu },
	{ "-accel", qemu_opt_accel },	  { "-enable-kvm", NULL },
};

static const struct qemu_option *qemu_option_find(const char *name)
{
	if (name[0] == '-' && name[1] == '-')
		name++; /* QEMU takes --opt as -opt */
	for (size_t i = 0; i < sizeof(qemu_options) / sizeof(qemu_options[0]); i++)
		if (!strcmp(name, qemu_options[i].name))
			return &qemu_options[i];
	return NULL;
}

/* Parse argv[*i] (and its argument); advance (*i) past them. */
static int qemu_parse_one(struct qemu_state *st, int argc, char *const *argv, int *i)
{
	const struct qemu_option *o = qemu_option_find(argv[*i]);
	char buf[QEMU_ARG_MAX];

	st->opt = NULL;
	if (!o)
		return qemu_err(st,
				"%s: invalid option; see docs/vm-config.md for the options "
				"vsgx models",
				argv[*i]);
	if (!o->parse) {
		(*i)++;
		return 0;
	}
	if (*i + 1 >= argc)
		return qemu_err(st, "%s: requires an argument", argv[*i]);
	if (strlen(argv[*i + 1]) >= sizeof(buf))
		return qemu_err(st, "%s: argument longer than %d characters", argv[*i],
				QEMU_ARG_MAX - 1);
	st->opt = argv[*i];
	st->arg = argv[*i + 1];
	snprintf(buf, sizeof(buf), "%s", argv[*i + 1]);
	*i += 2;
	return o->parse(st, buf);
}

static int qemu_finish_numa(struct qemu_state *st)
{
	uint64_t nodes = st->numa_nodes;
	unsigned int n = (unsigned int)__builtin_popcountll(nodes);

	if (!nodes)
		return 0;
	/* QEMU wants node ids 0..n-1. */
	if (nodes != (n == 64 ? UINT64_MAX : (1ULL << n) - 1))
		return qemu_err(st, "numa: Node ID missing: %d; number the -numa nodes from 0",
				__builtin_ctzll(~nodes));
	st->vm->nr_nodes = n;
	return 0;
}

static int qemu_finish_section(struct qemu_state *st, unsigned int i)
{
	const struct qemu_epc *e = &st->epc[i];
	struct vm_epc_section *s = &st->vm->sections[i];
	struct qemu_backend *b;

	if (!e->memdev_set)
		return qemu_err(st,
				"sgx-epc.%u: 'memdev' property is not set; add "
				"sgx-epc.%u.memdev=ID naming a memory-backend-epc object",
				i, i);
	b = qemu_backend_find(st, e->memdev);
	if (!b)
		return qemu_err(st,
				"sgx-epc.%u: Device '%s' not found; create it with -object "
				"memory-backend-epc,id=%s,size=64M",
				i, e->memdev, e->memdev);
	if (b->busy)
		return qemu_err(st,
				"sgx-epc.%u: can't use already busy memdev: %s; give each "
				"sgx-epc section its own memory-backend-epc",
				i, e->memdev);
	if (!e->node_set)
		return qemu_err(st,
				"Parameter 'sgx-epc.%u.node' is missing; add sgx-epc.%u.node=N, "
				"the guest NUMA node of the section",
				i, i);
	b->busy = true;
	snprintf(s->memdev, sizeof(s->memdev), "%s", b->id);
	s->size = b->size;
	s->node = e->node;
	s->host_nodes = b->host_nodes;
	s->policy = b->policy;
	s->prealloc = b->prealloc;
	return 0;
}

static int qemu_finish(struct qemu_state *st)
{
	struct vm_config *vm = st->vm;
	int r;

	st->opt = NULL;
	r = qemu_finish_numa(st);
	for (unsigned int i = 0; !r && i < st->nr_epc; i++)
		r = qemu_finish_section(st, i);
	if (r)
		return r;
	vm->nr_sections = st->nr_epc;
	if (st->sgx_requested && !vm->nr_sections)
		return qemu_err(st, "-cpu +sgx: the guest has no EPC; add -object "
				    "memory-backend-epc,id=epc0,size=64M -M "
				    "sgx-epc.0.memdev=epc0,sgx-epc.0.node=0");
	vm->provision = vm->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY);
	vm->lewr = true; /* KVM lets the guest write them whenever it has SGX_LC */
	return vm_config_finish(st->host, vm, "qemu", st->why, st->len);
}

int vm_config_parse_qemu(struct hw_processor *host, int argc, char *const *argv,
			 struct vm_config *ret, char *why, size_t why_len)
{
	struct qemu_state st = { .host = host, .vm = ret, .why = why, .len = why_len };
	int i = 0, r;

	vm_config_init(ret, host);
	/* Without -cpu, QEMU's default model (qemu64) has no SGX at all. */
	ret->features = 0;
	ret->default_cpu = true;
	while (i < argc) {
		r = qemu_parse_one(&st, argc, argv, &i);
		if (r)
			return r;
	}
	return qemu_finish(&st);
}
