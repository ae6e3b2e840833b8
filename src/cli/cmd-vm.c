/* SPDX-License-Identifier: MIT */
/*
 * vsgx vm layout CONFIG / vsgx cpuid CONFIG: what the hypervisor makes of a
 * VM config on a host: the guest's physical layout and firmware tables, or
 * its CPUID leaves 7 and 0x12. The output format is documented in
 * docs/vm-config.md and kept stable.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/vmm-config.h"
#include "vsgx/vmm-cpuid.h"
#include "vsgx/vmm-layout.h"

struct vm_cli {
	const char *verb; /* "vm layout" or "cpuid" */
	const char *host_text;
	const char *path;
	bool strict;
	struct hw_processor *host;
	struct vm_config vm;
	struct vm_layout layout;
};

static void vm_cli_usage(FILE *f, const char *verb)
{
	fprintf(f,
		"usage: vsgx %s [--host DESC] [--strict] CONFIG\n"
		"\n"
		"Read a VM config (xl, QEMU options or a pasted qemu-system-* command,\n"
		"libvirt domain XML, or cloud-hypervisor options), check it against the\n"
		"host and print %s.\n"
		"Notes (options not modelled) and warnings go to stderr.\n"
		"\n"
		"  --host DESC  the host, e.g. \"epc=128M@0 epc=128M@1 cpus=4 sgx2=1 flc=1\n"
		"               lehash-locked=0\" (that is the default)\n"
		"  --strict     refuse what would be a note or a warning\n"
		"\n"
		"See docs/vm-config.md.\n",
		verb,
		strcmp(verb, "cpuid") ? "the guest's physical memory layout, e820, ACPI and SRAT"
				      : "the guest's CPUID leaves 7 and 0x12");
}

static int vm_cli_bad_usage(const struct vm_cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int vm_cli_bad_usage(const struct vm_cli *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s: %s; see 'vsgx %s --help'", c->verb, msg, c->verb);
	return CLI_EXIT_USAGE;
}

/* Return -1 to go on, or the exit status. */
static int vm_cli_parse_args(struct vm_cli *c, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "host", required_argument, NULL, 'H' },
		{ "strict", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (o == 'h') {
			vm_cli_usage(stdout, c->verb);
			return CLI_EXIT_OK;
		}
		if (o == 'H') {
			c->host_text = optarg;
			continue;
		}
		if (o == 'S') {
			c->strict = true;
			continue;
		}
		if (optopt == 'H')
			return vm_cli_bad_usage(c, "option '--host' needs a value");
		return vm_cli_bad_usage(c, "unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return vm_cli_bad_usage(c, "expected one CONFIG, got %s",
					argc - optind ? "more" : "none");
	c->path = argv[optind];
	return -1;
}

static int vm_cli_host(struct vm_cli *c)
{
	struct hw_desc d;
	char why[256];

	if (!c->host_text)
		vm_host_default(&d);
	else if (vm_host_parse(c->host_text, &d, why, sizeof(why))) {
		cli_error("--host: %s", why);
		return CLI_EXIT_USAGE;
	}
	if (hw_processor_create(&d, &c->host)) {
		cli_error("cannot power on the host: out of memory");
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* Every line the config earned, errors last: "vsgx: FILE: warning: ...". */
static void vm_cli_diags(const struct vm_cli *c, const struct vm_diags *d)
{
	unsigned int lost = 0;

	for (int kind = 0; kind < VM_DIAG_KIND_MAX; kind++) {
		for (unsigned int i = 0; i < d->nr; i++)
			if ((int)d->items[i].kind == kind)
				cli_error("%s: %s%s%s", c->path,
					  kind == VM_DIAG_ERROR ? "" : vm_diag_kind_name(kind),
					  kind == VM_DIAG_ERROR ? "" : ": ", d->items[i].text);
		lost += d->count[kind];
	}
	if (lost > d->nr)
		cli_error("%s: %u more lines not shown", c->path, lost - d->nr);
}

/* Parse the arguments, power on the host, read and check the config. */
static int vm_cli_load(struct vm_cli *c, int argc, char **argv)
{
	struct vm_diags d;
	char why[512], *text;
	size_t len;
	int status, r;

	status = vm_cli_parse_args(c, argc, argv);
	if (status >= 0)
		return status;
	status = vm_cli_host(c);
	if (status >= 0)
		return status;
	if (cli_text_read(c->path, CLI_TEXT_CONFIG, &text, &len, why, sizeof(why))) {
		cli_error("%s", why);
		return CLI_EXIT_USAGE;
	}
	vm_diags_init(&d, c->strict);
	r = vm_config_read(c->host, text, &c->vm, &d);
	free(text);
	if (!r)
		r = vm_layout_build(&c->vm, &c->layout, why, sizeof(why));
	else
		why[0] = '\0';
	if (r == -ENOMEM)
		snprintf(why, sizeof(why), "out of memory");
	vm_cli_diags(c, &d);
	if (r && why[0])
		cli_error("%s: %s", c->path, why);
	return r ? CLI_EXIT_USAGE : -1;
}

/* Sizes here are whole 4 KiB pages: MiB when whole, else KiB. */
static const char *vm_cli_size(uint64_t v, char *buf, size_t len)
{
	if (v % (1ULL << 20) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(v >> 20));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(v >> 10));
	return buf;
}

/* "  WHAT  0xSTART-0xLAST  SIZE" */
static void vm_cli_range(const char *what, uint64_t base, uint64_t size)
{
	char s[32];

	if (size)
		printf("  %-14s 0x%016llx-0x%016llx %s\n", what, (unsigned long long)base,
		       (unsigned long long)(base + size - 1), vm_cli_size(size, s, sizeof(s)));
}

static void vm_cli_print_sections(const struct vm_cli *c)
{
	char what[16];

	for (unsigned int i = 0; i < c->layout.nr_sections; i++) {
		const struct vm_epc_section *s = &c->vm.sections[i];

		snprintf(what, sizeof(what), "epc.%u", i);
		vm_cli_range(what, c->layout.sections[i].base, s->size);
		printf("  %-14s node %u, memdev %s, policy %s, host-nodes 0x%llx, prealloc %s\n",
		       "", s->node, s->memdev, vm_mem_policy_name(s->policy),
		       (unsigned long long)s->host_nodes, s->prealloc ? "on" : "off");
	}
}

static void vm_cli_print_tables(const struct vm_layout *l)
{
	printf("e820:\n");
	for (unsigned int i = 0; i < l->nr_e820; i++)
		printf("  0x%016llx-0x%016llx %-8s %s\n", (unsigned long long)l->e820[i].addr,
		       (unsigned long long)(l->e820[i].addr + l->e820[i].size - 1),
		       l->e820[i].type == VM_E820_RAM ? "ram" : "reserved", l->e820[i].what);
	if (!l->epc_size)
		return;
	printf("acpi:\n  device EPC _HID INT0E0C _STR \"Enclave Page Cache 1.0\" _CRS "
	       "0x%016llx-0x%016llx\n",
	       (unsigned long long)l->epc_base,
	       (unsigned long long)(l->epc_base + l->epc_size - 1));
	printf("srat:\n");
	for (unsigned int i = 0; i < l->nr_sections; i++)
		printf("  memory 0x%016llx-0x%016llx proximity %u enabled\n",
		       (unsigned long long)l->sections[i].base,
		       (unsigned long long)(l->sections[i].base + l->sections[i].size - 1),
		       l->sections[i].node);
}

static void vm_cli_print_layout(const struct vm_cli *c)
{
	const struct vm_layout *l = &c->layout;
	char s[32];

	printf("vm %s: memory %s, vcpus %u, numa nodes %u, machine q35\n",
	       c->vm.name[0] ? c->vm.name : "(unnamed)", vm_cli_size(c->vm.memory, s, sizeof(s)),
	       c->vm.vcpus, c->vm.nr_nodes);
	printf("memory map:\n");
	vm_cli_range("ram-below-4g", 0, l->below_4g);
	vm_cli_range("ram-above-4g", VM_4G, l->above_4g);
	vm_cli_range("epc", l->epc_base, l->epc_size);
	vm_cli_print_sections(c);
	printf("  %-14s 0x%016llx\n", "device-memory", (unsigned long long)l->device_memory_base);
	vm_cli_print_tables(l);
}

static void vm_cli_print_leaf(const struct vm_cli *c, uint32_t leaf, uint32_t subleaf)
{
	struct hw_cpuid_regs r;

	vm_cpuid(c->host, &c->vm, &c->layout, leaf, subleaf, &r);
	printf("0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", leaf, subleaf, r.eax,
	       r.ebx, r.ecx, r.edx);
}

static void vm_cli_print_cpuid(const struct vm_cli *c)
{
	vm_cli_print_leaf(c, 7, 0);
	/* Sub-leaves 0 and 1, one per section, then the invalid one that ends the list. */
	for (uint32_t sub = 0; sub <= SGX_CPUID_EPC + c->layout.nr_sections; sub++)
		vm_cli_print_leaf(c, SGX_CPUID, sub);
}

static int vm_cli_run(struct vm_cli *c, int argc, char **argv)
{
	int status = vm_cli_load(c, argc, argv);

	if (status < 0) {
		if (strcmp(c->verb, "cpuid"))
			vm_cli_print_layout(c);
		else
			vm_cli_print_cpuid(c);
		status = CLI_EXIT_OK;
	}
	hw_processor_destroy(c->host);
	return status;
}

int cmd_cpuid(int argc, char **argv)
{
	struct vm_cli c = { .verb = "cpuid" };

	return vm_cli_run(&c, argc, argv);
}

int cmd_vm(int argc, char **argv)
{
	struct vm_cli c = { .verb = "vm layout" };

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: vsgx vm layout [--host DESC] [--strict] CONFIG\n");
		return CLI_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "layout")) {
		cli_error("vm: expected a subcommand: 'vsgx vm layout CONFIG'; see 'vsgx vm "
			  "layout --help'");
		return CLI_EXIT_USAGE;
	}
	return vm_cli_run(&c, argc - 1, argv + 1);
}
