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
#include <json-c/json.h>
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
	bool json; /* --json: one JSON object on stdout instead of the text */
	struct hw_processor *host;
	struct vm_config vm;
	struct vm_layout layout;
	struct vm_diags diags; /* also printed on stderr */
};

static void vm_cli_usage(FILE *f, const char *verb)
{
	fprintf(f,
		"usage: vsgx %s [--host DESC] [--strict] [--json] CONFIG\n"
		"\n"
		"Read a VM config (xl, QEMU options or a pasted qemu-system-* command,\n"
		"libvirt domain XML, or cloud-hypervisor options; '-' reads standard\n"
		"input), check it against the host and print %s.\n"
		"Notes (options not modelled) and warnings go to stderr.\n"
		"\n"
		"  --host DESC  the host, e.g. \"epc=128M@0 epc=128M@1 cpus=4 sgx2=1 flc=1\n"
		"               lehash-locked=0\" (that is the default)\n"
		"  --strict     refuse what would be a note or a warning\n"
		"  --json       print one JSON object instead of the text, the notes and\n"
		"               warnings in its \"diagnostics\" (they still go to stderr)\n"
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
		{ "json", no_argument, NULL, 'j' },
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
		if (o == 'j') {
			c->json = true;
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
	const char *path = cli_input_name(c->path);
	unsigned int lost = 0;

	for (int kind = 0; kind < VM_DIAG_KIND_MAX; kind++) {
		for (unsigned int i = 0; i < d->nr; i++)
			if ((int)d->items[i].kind == kind)
				cli_error("%s: %s%s%s", path,
					  kind == VM_DIAG_ERROR ? "" : vm_diag_kind_name(kind),
					  kind == VM_DIAG_ERROR ? "" : ": ", d->items[i].text);
		lost += d->count[kind];
	}
	if (lost > d->nr)
		cli_error("%s: %u more line%s not shown", path, lost - d->nr,
			  lost - d->nr == 1 ? "" : "s");
}

/* Parse the arguments, power on the host, read and check the config. */
static int vm_cli_load(struct vm_cli *c, int argc, char **argv)
{
	struct vm_diags *d = &c->diags;
	char why[512], *text;
	size_t len;
	int status, r;

	status = vm_cli_parse_args(c, argc, argv);
	if (status >= 0)
		return status;
	status = vm_cli_host(c);
	if (status >= 0)
		return status;
	if (cli_text_read(c->path, CLI_TEXT_CONFIG_ARG, &text, &len, why, sizeof(why))) {
		cli_error("%s", why);
		return CLI_EXIT_USAGE;
	}
	vm_diags_init(d, c->strict);
	r = vm_config_read(c->host, text, &c->vm, d);
	free(text);
	if (!r)
		r = vm_layout_build(&c->vm, &c->layout, why, sizeof(why));
	else
		why[0] = '\0';
	if (r == -ENOMEM)
		snprintf(why, sizeof(why), "out of memory");
	vm_cli_diags(c, d);
	if (r && why[0])
		cli_error("%s: %s", cli_input_name(c->path), why);
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

/* {"start": N, "end": N, "bytes": N}: the range [start, end], both inclusive. */
static struct json_object *vm_json_range(uint64_t base, uint64_t size)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "start", json_object_new_int64((int64_t)base));
	json_object_object_add(o, "end", json_object_new_int64((int64_t)(base + size - 1)));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)size));
	return o;
}

static void vm_json_map_add(struct json_object *map, const char *what, uint64_t base, uint64_t size)
{
	struct json_object *o;

	if (!size)
		return;
	o = vm_json_range(base, size);
	json_object_object_add(o, "what", json_object_new_string(what));
	json_object_array_add(map, o);
}

static struct json_object *vm_json_sections(const struct vm_cli *c)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < c->layout.nr_sections; i++) {
		const struct vm_epc_section *s = &c->vm.sections[i];
		struct json_object *o = vm_json_range(c->layout.sections[i].base, s->size);
		struct json_object *hn = json_object_new_array();

		for (unsigned int n = 0; n < 64; n++)
			if (s->host_nodes >> n & 1)
				json_object_array_add(hn, json_object_new_int(n));
		json_object_object_add(o, "index", json_object_new_int((int)i));
		json_object_object_add(o, "node", json_object_new_int64(s->node));
		json_object_object_add(o, "memdev", json_object_new_string(s->memdev));
		json_object_object_add(o, "policy",
				       json_object_new_string(vm_mem_policy_name(s->policy)));
		json_object_object_add(o, "host_nodes", hn);
		json_object_object_add(o, "prealloc", json_object_new_boolean(s->prealloc));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *vm_json_tables(const struct vm_layout *l, struct json_object *top)
{
	struct json_object *e820 = json_object_new_array(), *srat = json_object_new_array();
	struct json_object *acpi = NULL;

	for (unsigned int i = 0; i < l->nr_e820; i++) {
		struct json_object *o = vm_json_range(l->e820[i].addr, l->e820[i].size);

		json_object_object_add(
		    o, "type",
		    json_object_new_string(l->e820[i].type == VM_E820_RAM ? "ram" : "reserved"));
		json_object_object_add(o, "what", json_object_new_string(l->e820[i].what));
		json_object_array_add(e820, o);
	}
	if (l->epc_size) {
		acpi = vm_json_range(l->epc_base, l->epc_size);
		json_object_object_add(acpi, "hid", json_object_new_string("INT0E0C"));
		json_object_object_add(acpi, "str",
				       json_object_new_string("Enclave Page Cache 1.0"));
	}
	for (unsigned int i = 0; i < l->nr_sections; i++) {
		struct json_object *o = vm_json_range(l->sections[i].base, l->sections[i].size);

		json_object_object_add(o, "proximity", json_object_new_int64(l->sections[i].node));
		json_object_object_add(o, "enabled", json_object_new_boolean(true));
		json_object_array_add(srat, o);
	}
	json_object_object_add(top, "e820", e820);
	json_object_object_add(top, "acpi_epc", acpi);
	json_object_object_add(top, "srat", srat);
	return top;
}

/* The notes and warnings of a config that was accepted (errors end the run earlier). */
static struct json_object *vm_json_diags(const struct vm_diags *d)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < d->nr; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "kind",
				       json_object_new_string(vm_diag_kind_name(d->items[i].kind)));
		json_object_object_add(o, "text", json_object_new_string(d->items[i].text));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *vm_json_vm(const struct vm_cli *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(c->vm.name));
	json_object_object_add(o, "memory_bytes", json_object_new_int64((int64_t)c->vm.memory));
	json_object_object_add(o, "vcpus", json_object_new_int64(c->vm.vcpus));
	json_object_object_add(o, "numa_nodes", json_object_new_int64(c->vm.nr_nodes));
	json_object_object_add(o, "machine", json_object_new_string("q35"));
	return o;
}

static void vm_json_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void vm_cli_json_layout(const struct vm_cli *c)
{
	const struct vm_layout *l = &c->layout;
	struct json_object *top = json_object_new_object(), *map = json_object_new_array();

	json_object_object_add(top, "vm", vm_json_vm(c));
	vm_json_map_add(map, "ram-below-4g", 0, l->below_4g);
	vm_json_map_add(map, "ram-above-4g", VM_4G, l->above_4g);
	vm_json_map_add(map, "epc", l->epc_base, l->epc_size);
	json_object_object_add(top, "memory_map", map);
	json_object_object_add(top, "epc_sections", vm_json_sections(c));
	json_object_object_add(top, "device_memory_start",
			       json_object_new_int64((int64_t)l->device_memory_base));
	vm_json_tables(l, top);
	json_object_object_add(top, "diagnostics", vm_json_diags(&c->diags));
	vm_json_print(top);
}

static void vm_json_leaf(const struct vm_cli *c, struct json_object *a, uint32_t leaf,
			 uint32_t subleaf)
{
	struct json_object *o = json_object_new_object();
	struct hw_cpuid_regs r;

	vm_cpuid(c->host, &c->vm, &c->layout, leaf, subleaf, &r);
	json_object_object_add(o, "leaf", json_object_new_int64(leaf));
	json_object_object_add(o, "subleaf", json_object_new_int64(subleaf));
	json_object_object_add(o, "eax", json_object_new_int64(r.eax));
	json_object_object_add(o, "ebx", json_object_new_int64(r.ebx));
	json_object_object_add(o, "ecx", json_object_new_int64(r.ecx));
	json_object_object_add(o, "edx", json_object_new_int64(r.edx));
	json_object_array_add(a, o);
}

static void vm_cli_json_cpuid(const struct vm_cli *c)
{
	struct json_object *top = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(top, "vm", vm_json_vm(c));
	vm_json_leaf(c, a, 7, 0);
	for (uint32_t sub = 0; sub <= SGX_CPUID_EPC + c->layout.nr_sections; sub++)
		vm_json_leaf(c, a, SGX_CPUID, sub);
	json_object_object_add(top, "leaves", a);
	json_object_object_add(top, "diagnostics", vm_json_diags(&c->diags));
	vm_json_print(top);
}

static int vm_cli_run(struct vm_cli *c, int argc, char **argv)
{
	int status = vm_cli_load(c, argc, argv);

	if (status < 0) {
		bool cpuid = !strcmp(c->verb, "cpuid");

		if (c->json)
			cpuid ? vm_cli_json_cpuid(c) : vm_cli_json_layout(c);
		else
			cpuid ? vm_cli_print_cpuid(c) : vm_cli_print_layout(c);
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
		printf("usage: vsgx vm layout [--host DESC] [--strict] [--json] CONFIG\n");
		return CLI_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "layout")) {
		cli_error("vm: expected a subcommand: 'vsgx vm layout CONFIG'; see 'vsgx vm "
			  "layout --help'");
		return CLI_EXIT_USAGE;
	}
	return vm_cli_run(&c, argc - 1, argv + 1);
}
