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

#include "config-qemu-int.h"
#include "vsgx/vmm-cpuid.h"

/* QEMU rounds RAM sizes up to 8 KiB. */
#define QEMU_RAM_ALIGN 8192ULL

int qemu_err(struct qemu_state *st, const char *fmt, ...)
{
	char msg[VM_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->opt)
		vm_diag_add(st->d, VM_DIAG_ERROR, "%s %s: %s", st->opt, st->arg, msg);
	else
		vm_diag_add(st->d, VM_DIAG_ERROR, "%s", msg);
	return -EINVAL;
}

int qemu_ignore(struct qemu_state *st, const char *what)
{
	size_t n = strlen(st->ignored), k = strlen(what);
	const char *p = st->ignored;

	if (st->d->strict)
		return qemu_err(st,
				"%s is not modelled, and --strict refuses what vsgx does not "
				"model; remove it",
				what);
	/* Each thing once: "-device" is noted once however many devices there are. */
	while ((p = strstr(p, what))) {
		if ((p == st->ignored || p[-1] == ' ') && (p[k] == ',' || !p[k]))
			return 0;
		p += k;
	}
	if (n + k + 3 < sizeof(st->ignored))
		snprintf(st->ignored + n, sizeof(st->ignored) - n, "%s%s", n ? ", " : "", what);
	return 0;
}

/* Next KEY[=VALUE] of a comma-separated list; (*key) without '=' has (*val) NULL. */
bool qemu_next_kv(char **p, char **key, char **val)
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

int qemu_bool(struct qemu_state *st, const char *key, const char *val, bool *ret)
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

int qemu_size(struct qemu_state *st, const char *key, const char *val, uint64_t unit, uint64_t *ret)
{
	if (val && !vm_parse_size(val, unit, ret))
		return 0;
	return qemu_err(st,
			"Parameter '%s' expects a non-negative number below 2^64; optional suffix "
			"k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta- and exabytes, "
			"respectively",
			key);
}

/*
 * KEY of option (opt) is one vsgx does not model when it is among (ignored),
 * and a typo of one of (known) otherwise.
 */
/*
 * A key the option does not handle itself: one of (ignored), accepted with
 * a note, or a refusal that suggests the nearest of the handled keys
 * (known) and the ignored ones.
 */
static int qemu_other_key(struct qemu_state *st, const char *key, const char *const *ignored,
			  const char *const *known)
{
	char what[80], hint[64];
	const char *h;

	for (const char *const *p = ignored; *p; p++) {
		if (!strcmp(key, *p)) {
			snprintf(what, sizeof(what), "%s %s", st->opt, key);
			return qemu_ignore(st, what);
		}
	}
	h = vm_did_you_mean(key, strlen(key), known, hint, sizeof(hint));
	if (!*h)
		h = vm_did_you_mean(key, strlen(key), ignored, hint, sizeof(hint));
	return qemu_err(st, "Invalid parameter '%s'%s", key, h);
}

/* -m [size=]SIZE[,slots=N][,maxmem=SIZE], MiB without a suffix */
static int qemu_opt_m(struct qemu_state *st, char *p)
{
	static const char *const ignored[] = { "slots", "maxmem", NULL };
	static const char *const known[] = { "size", NULL };
	char *key = NULL, *val = NULL;
	uint64_t size = VM_DEFAULT_MEMORY;
	int r = 0;

	while (qemu_next_kv(&p, &key, &val)) {
		if (!val) {
			val = key;
			key = "size";
		}
		if (strcmp(key, "size"))
			r |= qemu_other_key(st, key, ignored, known);
		else if (qemu_size(st, key, val, VM_MIB, &size))
			return -EINVAL;
		else if (!size || size > UINT64_MAX - QEMU_RAM_ALIGN)
			return qemu_err(st,
					"Invalid RAM size; give the guest some memory, e.g. -m 2G");
	}
	st->vm->memory = (size + QEMU_RAM_ALIGN - 1) & ~(QEMU_RAM_ALIGN - 1);
	return r;
}

static const char *const smp_topology[] = { "sockets", "dies",	"clusters", "modules", "cores",
					    "threads", "books", "drawers",  "maxcpus", NULL };

/* -smp [cpus=]N[,sockets=S][,cores=C]...: without cpus=, the product of the topology */
static int qemu_opt_smp(struct qemu_state *st, char *p)
{
	static const char *const known[] = { "cpus", NULL };
	char *key = NULL, *val = NULL;
	uint64_t n = 0, product = 1, v;
	bool counted = false;
	int r = 0;

	while (qemu_next_kv(&p, &key, &val)) {
		if (!val) {
			val = key;
			key = "cpus";
		}
		if (!strcmp(key, "cpus")) {
			if (qemu_uint(st, key, val, UINT32_MAX, "a number", &n))
				return -EINVAL;
			counted = true;
			continue;
		}
		if (qemu_other_key(st, key, smp_topology, known)) {
			r = -EINVAL;
			continue;
		}
		if (qemu_uint(st, key, val, HW_MAX_CPUS, "a number", &v))
			return -EINVAL;
		/* At most 256 x 256: no overflow, and past 256 is refused below. */
		if (strcmp(key, "maxcpus"))
			product = product * v > HW_MAX_CPUS ? HW_MAX_CPUS + 1 : product * v;
	}
	if (r)
		return r;
	if (!counted)
		n = product;
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

/* -name [guest=]NAME[,debug-threads=on][,process=NAME] */
static int qemu_opt_name(struct qemu_state *st, char *p)
{
	static const char *const ignored[] = { "debug-threads", "process", NULL };
	static const char *const known[] = { "guest", NULL };
	char *key = NULL, *val = NULL;
	int r = 0;

	while (qemu_next_kv(&p, &key, &val)) {
		if (!val) {
			val = key;
			key = "guest";
		}
		if (strcmp(key, "guest")) {
			r |= qemu_other_key(st, key, ignored, known);
			continue;
		}
		if (!*val || strlen(val) >= VM_NAME_MAX)
			return qemu_err(st, "the name must have 1 to %d characters",
					VM_NAME_MAX - 1);
		snprintf(st->vm->name, VM_NAME_MAX, "%s", val);
	}
	return r;
}

/* -numa node[,nodeid=N][,cpus=..][,memdev=..]: only node ids matter here. */
static int qemu_opt_numa(struct qemu_state *st, char *p)
{
	static const char *const types[] = { "node", "dist", "cpu", "hmat-lb", "hmat-cache", NULL };
	static const char *const ignored[] = { "cpus", "memdev", "mem", "initiator", NULL };
	static const char *const known[] = { "nodeid", NULL };
	char *key = NULL, *val = NULL, what[32], hint[64];
	uint64_t id = (uint64_t)__builtin_popcountll(st->numa_nodes);
	int r = 0;

	qemu_next_kv(&p, &key, &val);
	if (val || strcmp(key, "node")) {
		for (const char *const *t = types; !val && *t; t++) {
			if (!strcmp(key, *t)) {
				snprintf(what, sizeof(what), "-numa %s", key);
				return qemu_ignore(st, what);
			}
		}
		return qemu_err(st, "Invalid parameter type '%s'%s; use -numa node,nodeid=N", key,
				vm_did_you_mean(key, strlen(key), types, hint, sizeof(hint)));
	}
	while (qemu_next_kv(&p, &key, &val)) {
		if (!strcmp(key, "nodeid")) {
			if (qemu_uint(st, key, val, VM_MAX_NODES - 1, "a node id below 64", &id))
				return -EINVAL;
		} else if (strcmp(key, "cpus") && strcmp(key, "memdev") && strcmp(key, "mem")) {
			r |= qemu_other_key(st, key, ignored, known);
		}
	}
	if (r)
		return r;
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
	static const char *const accels[] = { "kvm",  "tcg",  "xen",   "hvf",
					      "whpx", "nvmm", "qtest", NULL };
	char what[32], hint[64];
	size_t n = strcspn(p, ",");

	if (n == 3 && !strncmp(p, "kvm", 3))
		return 0;
	for (const char *const *a = accels; *a; a++) {
		if (n == strlen(*a) && !strncmp(p, *a, n)) {
			/* What runs the guest's code is not modelled: vsgx is its own SGX unit. */
			snprintf(what, sizeof(what), "-accel %s", *a);
			return qemu_ignore(st, what);
		}
	}
	return qemu_err(st, "invalid accelerator %.*s%s; vsgx models KVM: use -accel kvm", (int)n,
			p, vm_did_you_mean(p, n, accels, hint, sizeof(hint)));
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

/* q35 machine properties that do not bear on SGX. */
static const char *const machine_ignored[] = {
	"usb",
	"dump-guest-core",
	"kernel-irqchip",
	"kernel_irqchip",
	"vmport",
	"smm",
	"nvdimm",
	"hmat",
	"mem-merge",
	"graphics",
	"confidential-guest-support",
	"pflash0",
	"pflash1",
	"memory-backend",
	"smbus",
	"sata",
	"pit",
	"hpet",
	"i8042",
	"default-bus-bypass-iommu",
	"suppress-vmdesc",
	"max-ram-below-4g",
	"cxl",
	"acpi",
	"pic",
	"x-oem-id",
	"x-oem-table-id",
	"firmware",
	"kvm-shadow-mem",
	"memory-encryption",
	"igd-passthru",
	"fd-bootchk",
	"smp-cache",
	"enforce-config-section",
	"aux-ram-share",
	"nvdimm-persistence",
	NULL,
};

/* The q35 properties -M handles itself (sgx-epc.N.* apart). */
static const char *const machine_known[] = {
	"type", "accel", "sgx-epc.0.memdev", "sgx-epc.0.node", NULL,
};

static int qemu_machine_prop(struct qemu_state *st, const char *key, const char *val)
{
	if (!strncmp(key, "sgx-epc.", 8))
		return qemu_machine_epc(st, key, val);
	if (!strcmp(key, "accel"))
		return qemu_opt_accel(st, (char *)(val ? val : ""));
	return qemu_other_key(st, key, machine_ignored, machine_known);
}

/* -M/-machine [type=]q35,sgx-epc.N.memdev=ID,sgx-epc.N.node=NODE,... */
static int qemu_opt_machine(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL;
	bool first = true;
	int r = 0;

	while (qemu_next_kv(&p, &key, &val)) {
		if ((first && !val) || !strcmp(key, "type")) {
			if (qemu_machine_type(st, val ? val : key))
				r = -EINVAL;
		} else if (qemu_machine_prop(st, key, val)) {
			r = -EINVAL;
		}
		first = false;
	}
	return r;
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

/* A feature that is not SGX's does not bear on it; one spelled sgx* most likely is a typo. */
static int qemu_cpu_other(struct qemu_state *st, const char *key)
{
	const char *names[VM_CPU_FEATURE_MAX + 1];
	char what[80], hint[64];

	if (strncmp(key, "sgx", 3)) {
		snprintf(what, sizeof(what), "-cpu %s", key);
		return qemu_ignore(st, what);
	}
	for (int f = 0; f < VM_CPU_FEATURE_MAX; f++)
		names[f] = vm_cpu_feature_name(f);
	names[VM_CPU_FEATURE_MAX] = NULL;
	return qemu_err(st,
			"Property 'host-x86_64-cpu.%s' not found%s; the SGX features are sgx, "
			"sgxlc, sgx1, sgx2, sgx-edeccssa, sgx-exinfo, sgx-debug, sgx-mode64, "
			"sgx-provisionkey, sgx-tokenkey, sgx-kss, sgx-aex-notify",
			key, vm_did_you_mean(key, strlen(key), names, hint, sizeof(hint)));
}

static int qemu_cpu_item(struct qemu_state *st, const char *key, const char *val, uint32_t host)
{
	bool on = *key == '+';
	const char *name = !val && (*key == '+' || *key == '-') ? key + 1 : key;
	int f = qemu_cpu_feature_find(name);

	if (f < 0)
		return qemu_cpu_other(st, name);
	if (!val && name == key)
		return qemu_err(st, "expected +FEATURE, -FEATURE or FEATURE=on|off, not '%s'", key);
	if (val && qemu_bool(st, key, val, &on))
		return -EINVAL;
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

/*
 * A named model (qemu64, Skylake-Server, ...) lists no SGX feature, as in
 * QEMU: the guest has only the ones added with +FEATURE.
 */
static int qemu_cpu_model(struct qemu_state *st, const char *model, uint32_t host)
{
	char what[80];

	st->vm->default_cpu = false;
	st->sgx_requested = false;
	if (!strcmp(model, "host") || !strcmp(model, "max")) {
		st->vm->features = host;
		return 0;
	}
	st->vm->features = 0;
	snprintf(what, sizeof(what), "-cpu %s (a model without SGX unless +sgx adds it)", model);
	return qemu_ignore(st, what);
}

/* -cpu MODEL[,+FEATURE][,-FEATURE][,FEATURE=on|off]... */
static int qemu_opt_cpu(struct qemu_state *st, char *p)
{
	uint32_t host = vm_cpuid_host_features(st->host);
	char *key = NULL, *val = NULL;
	int r;

	qemu_next_kv(&p, &key, &val);
	if (val || !*key)
		return qemu_err(st,
				"the CPU model comes first, before '%s%s%s'; e.g. -cpu host,+sgx",
				key, val ? "=" : "", val ? val : "");
	r = qemu_cpu_model(st, key, host);
	while (qemu_next_kv(&p, &key, &val))
		if (qemu_cpu_item(st, key, val, host))
			r = -EINVAL;
	return r;
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
	{ "-device", qemu_opt_device },
};

/* QEMU options that take no argument and do not bear on SGX. */
static const char *const qemu_flags[] = {
	"-S",
	"-nographic",
	"-no-user-config",
	"-nodefaults",
	"-no-shutdown",
	"-no-reboot",
	"-no-acpi",
	"-no-hpet",
	"-daemonize",
	"-snapshot",
	"-s",
	"-full-screen",
	"-mem-prealloc",
	"-enable-fips",
	"-nodefconfig",
	"-preconfig",
	"-no-fd-bootchk",
	"-no-quit",
	"-only-migratable",
	"-usb",
	"-win2k-hack",
	"-alt-grab",
	"-ctrl-grab",
	"-no-frame",
	"-sdl",
	"-curses",
	"-xen-attach",
	NULL,
};

/* QEMU options that take one argument and do not bear on SGX. */
static const char *const qemu_with_arg[] = {
	"-chardev",    "-display",    "-netdev",     "-net",	     "-nic",
	"-drive",      "-blockdev",   "-hda",	     "-hdb",	     "-hdc",
	"-hdd",	       "-cdrom",      "-fda",	     "-fdb",	     "-kernel",
	"-initrd",     "-append",     "-dtb",	     "-bios",	     "-boot",
	"-serial",     "-parallel",   "-monitor",    "-mon",	     "-qmp",
	"-qmp-pretty", "-vga",	      "-vnc",	     "-spice",	     "-usbdevice",
	"-rtc",	       "-uuid",	      "-global",     "-sandbox",     "-msg",
	"-overcommit", "-audiodev",   "-audio",	     "-watchdog",    "-watchdog-action",
	"-trace",      "-d",	      "-D",	     "-runas",	     "-fsdev",
	"-virtfs",     "-mem-path",   "-k",	     "-L",	     "-gdb",
	"-icount",     "-incoming",   "-loadvm",     "-tpmdev",	     "-fw_cfg",
	"-smbios",     "-set",	      "-readconfig", "-writeconfig", "-compat",
	"-action",     "-add-fd",     "-plugin",     "-iscsi",	     "-pflash",
	"-mtdblock",   "-sd",	      "-option-rom", "-debugcon",    "-chroot",
	"-pidfile",    "-g",	      "-run-with",   "-acpitable",   "-semihosting-config",
	"-xen-domid",  "-prom-env",   "-soundhw",    "-device-help", "-cpu-help",
	"-seed",       "-accel-help", NULL,
};

static const struct qemu_option *qemu_option_find(const char *name)
{
	for (size_t i = 0; i < sizeof(qemu_options) / sizeof(qemu_options[0]); i++)
		if (!strcmp(name, qemu_options[i].name))
			return &qemu_options[i];
	return NULL;
}

static int qemu_name_in(const char *name, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* "-vcn: invalid option (did you mean '-vnc'?)": typos are refused, never ignored. */
static int qemu_invalid_option(struct qemu_state *st, const char *name)
{
	const char *all[sizeof(qemu_options) / sizeof(qemu_options[0]) + 1];
	const char *s;

	for (size_t i = 0; i < sizeof(qemu_options) / sizeof(qemu_options[0]); i++)
		all[i] = qemu_options[i].name;
	all[sizeof(qemu_options) / sizeof(qemu_options[0])] = NULL;
	s = vm_suggest(name, strlen(name), all);
	if (!s)
		s = vm_suggest(name, strlen(name), qemu_with_arg);
	if (!s)
		s = vm_suggest(name, strlen(name), qemu_flags);
	if (s)
		return qemu_err(st, "%s: invalid option (did you mean '%s'?)", name, s);
	return qemu_err(st, "%s: invalid option; see docs/vm-config.md for the options vsgx models",
			name);
}

/* "......" or "...": an elision in a mail or a document, not an option. */
static bool qemu_is_elision(const char *w)
{
	if (!strcmp(w, "\u2026"))
		return true;
	return strlen(w) >= 3 && strspn(w, ".") == strlen(w);
}

/* An option vsgx does not model: note it and step over it (and its argument). */
static int qemu_skip_other(struct qemu_state *st, int argc, char *const *argv, int *i)
{
	const char *name = argv[*i];

	if (qemu_name_in(name, qemu_flags)) {
		(*i)++;
		return qemu_ignore(st, name);
	}
	if (!qemu_name_in(name, qemu_with_arg)) {
		/* A mistyped option most likely has its argument after it: skip both. */
		*i += *i + 1 < argc && argv[*i + 1][0] != '-' ? 2 : 1;
		return qemu_invalid_option(st, name);
	}
	if (*i + 1 >= argc) {
		(*i)++;
		return qemu_err(st, "%s: requires an argument", name);
	}
	*i += 2;
	return qemu_ignore(st, name);
}

/* Parse argv[*i] (and its argument); advance (*i) past them. */
static int qemu_parse_one(struct qemu_state *st, int argc, char *const *argv, int *i)
{
	const char *name = argv[*i];
	const struct qemu_option *o;
	char buf[QEMU_ARG_MAX];

	st->opt = NULL;
	if (name[0] == '-' && name[1] == '-')
		name++; /* QEMU takes --opt as -opt */
	if (qemu_is_elision(name)) {
		vm_diag_add(st->d, VM_DIAG_NOTE,
			    "'%s' skipped: it stands for text left out where "
			    "the command was copied from",
			    name);
		(*i)++;
		return 0;
	}
	o = qemu_option_find(name);
	if (!o)
		return qemu_skip_other(st, argc, argv, i);
	if (!o->parse) {
		(*i)++;
		return 0;
	}
	if (*i + 1 >= argc) {
		(*i)++;
		return qemu_err(st, "%s: requires an argument", name);
	}
	if (strlen(argv[*i + 1]) >= sizeof(buf)) {
		*i += 2;
		return qemu_err(st, "%s: argument longer than %d characters", name,
				QEMU_ARG_MAX - 1);
	}
	st->opt = name;
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

/*
 * QEMU 7.0 made sgx-epc.N.node mandatory, yet QEMU's own docs long showed
 * sections without it: the section goes on node 0, as before 7.0, and the
 * user hears of it.
 */
static void qemu_default_node(struct qemu_state *st, unsigned int i)
{
	vm_diag_add(st->d, VM_DIAG_WARNING,
		    "sgx-epc.%u has no node: QEMU 7.0 and later refuse that (\"Parameter "
		    "'sgx-epc.%u.node' is missing\"); vsgx puts it on guest node 0, as QEMU 6.2 "
		    "did; add sgx-epc.%u.node=0",
		    i, i, i);
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
		qemu_default_node(st, i);
	b->busy = true;
	snprintf(s->memdev, sizeof(s->memdev), "%s", b->id);
	s->size = b->size;
	s->node = e->node;
	s->host_nodes = b->host_nodes;
	s->policy = b->policy;
	s->prealloc = b->prealloc;
	return 0;
}

/*
 * memory-backend-epc's oversubscribe= makes the VM oversubscribed: every
 * section's backend must say the same way, and the VM may hold the sum of
 * their max-resident at once (the VMM's limit is the VM's, not a section's).
 */
static int qemu_finish_oversub(struct qemu_state *st)
{
	struct vm_config *vm = st->vm;
	const struct qemu_backend *first = NULL, *b;
	uint64_t max = 0;

	for (unsigned int i = 0; i < st->nr_epc; i++) {
		b = qemu_backend_find(st, vm->sections[i].memdev);
		if (!first)
			first = b;
		if (b->oversub_set != first->oversub_set || b->oversub != first->oversub)
			return qemu_err(
			    st,
			    "memory-backend-epc %s and %s: a VM's EPC is oversubscribed "
			    "one way or not at all; give every sgx-epc section's backend "
			    "the same oversubscribe=",
			    first->id, b->id);
		max += b->max_resident;
	}
	if (!first || !first->oversub_set)
		return 0;
	if (first->oversub == VM_OVERSUB_EXTENSIONS && !hw_processor_desc(st->host)->oversub)
		return qemu_err(st,
				"memory-backend-epc %s: oversubscribe=extensions needs the EPC "
				"Oversubscription Extensions (ENCLV, ELDBC/ELDUC, ETRACKC), which "
				"this host's processor lacks; use a host with oversub=1, or "
				"oversubscribe=trap (the VMM traps ENCLS)",
				first->id);
	vm->epc_policy = VM_EPC_OVERSUBSCRIBE;
	vm->epc_oversub = first->oversub;
	vm->epc_host_max = max;
	return 0;
}

static int qemu_finish(struct qemu_state *st)
{
	struct vm_config *vm = st->vm;
	int r;

	st->opt = NULL;
	r = qemu_finish_numa(st);
	for (unsigned int i = 0; i < st->nr_epc; i++)
		if (qemu_finish_section(st, i))
			r = -EINVAL;
	if (r)
		return r;
	vm->nr_sections = st->nr_epc;
	if (qemu_finish_oversub(st))
		return -EINVAL;
	if (st->sgx_requested && !vm->nr_sections)
		return qemu_err(st, "-cpu +sgx: the guest has no EPC; add -object "
				    "memory-backend-epc,id=epc0,size=64M -M "
				    "sgx-epc.0.memdev=epc0,sgx-epc.0.node=0");
	vm->provision = vm->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY);
	vm->lewr = true; /* KVM lets the guest write them whenever it has SGX_LC */
	return vm_config_finish(st->host, vm, "qemu", st->d);
}

/* Skip what a pasted command line starts with: "$ ", VAR=VALUE words, qemu-system-x86_64. */
static int qemu_first_option(int argc, char *const *argv)
{
	int i = 0;

	while (i < argc && (!strcmp(argv[i], "$") || vm_word_is_env(argv[i])))
		i++;
	return i < argc && vm_word_is_qemu(argv[i]) ? i + 1 : 0;
}

int vm_config_read_qemu(struct hw_processor *host, int argc, char *const *argv,
			struct vm_config *ret, struct vm_diags *d)
{
	struct qemu_state st = { .host = host, .vm = ret, .d = d };
	int i = qemu_first_option(argc, argv);
	bool failed = false;

	vm_config_init(ret, host);
	/* Without -cpu, QEMU's default model (qemu64) has no SGX at all. */
	ret->features = 0;
	ret->default_cpu = true;
	/* Every option is read, so one run shows every mistake. */
	while (i < argc)
		failed |= qemu_parse_one(&st, argc, argv, &i) != 0;
	if (st.ignored[0])
		vm_diag_add(d, VM_DIAG_NOTE, "not modelled, accepted and ignored: %s", st.ignored);
	/* The cross-checks need every option: a refused -object leaves its id unknown. */
	if (failed || vm_diags_result(d))
		return -EINVAL;
	return qemu_finish(&st);
}
