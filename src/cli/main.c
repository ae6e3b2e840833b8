/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "version.h"

/* "vsgx 0.1.0", and the commit it was built from when built from a clone. */
static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		cli_error("version takes no arguments");
		return CLI_EXIT_USAGE;
	}
	if (VSGX_GIT_DESCRIBE[0])
		printf("vsgx %s (git %s)\n", VSGX_VERSION, VSGX_GIT_DESCRIBE);
	else
		printf("vsgx %s\n", VSGX_VERSION);
	return CLI_EXIT_OK;
}

static const struct cli_command commands[] = {
	{ "run", cmd_run, "run a scenario: an SGX host, its VMs and their guests (the main job)" },
	{ "monitor", cmd_monitor, "the same commands, typed at a prompt" },
	{ "measure", cmd_measure, "print the MRENCLAVE of an SGXS file" },
	{ "sign", cmd_sign, "write a SIGSTRUCT for an SGXS file" },
	{ "einit", cmd_einit, "build an enclave on a modelled processor and run EINIT" },
	{ "trace", cmd_trace, "replay a trace of SGX operations and check their outcomes" },
	{ "vm", cmd_vm, "'vm layout CONFIG': a VM's guest physical layout, e820, ACPI, SRAT" },
	{ "cpuid", cmd_cpuid, "a VM's guest CPUID leaves 7 and 0x12" },
	{ "plot", cmd_plot, "'plot RUN.jsonl -o usage.svg': EPC per node and VM over a run" },
	{ "version", cmd_version, "the version of vsgx (also 'vsgx --version')" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vsgx <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'vsgx <command> --help' describes a command.\n");
}

/* Output that never reached standard output (a full disk, /dev/full) fails the command. */
static int main_flush(int status)
{
	if (cli_flush(stdout, "standard output"))
		return status ? status : CLI_EXIT_USAGE;
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return main_flush(cmd_version(argc - 1, argv + 1));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return main_flush(commands[i].run(argc - 1, argv + 1));
	}
	cli_error("unknown command '%s'; 'vsgx --help' lists the commands", argv[1]);
	return CLI_EXIT_USAGE;
}
