/* SPDX-License-Identifier: MIT */
/*
 * vsgx trace [--quiet] [--vectors DIR] FILE
 *
 * Replay a trace of SGX operations on a freshly powered-on processor and
 * check the outcomes it expects (docs/trace-format.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static const char trace_usage[] =
    "usage: vsgx trace [--quiet] [--vectors DIR] FILE\n"
    "\n"
    "Replay FILE, a trace of ENCLS leaves, MSR accesses and checks (one per line;\n"
    "see docs/trace-format.md), on a freshly powered-on modelled processor. Each\n"
    "command is printed with its outcome; a line ending in '=> OUTCOME' must end\n"
    "that way, and 'expect' lines check EPCM, enclave, MSR and CPUID values.\n"
    "FILE '-' reads standard input.\n"
    "\n"
    "  --quiet        print only mismatches and errors\n"
    "  --vectors DIR  what $VECTORS in FILE stands for (default: $VSGX_VECTORS,\n"
    "                 else the source tree's tests/vectors)\n"
    "\n"
    "Exit status: 0 every expectation held, 1 the first one that did not\n"
    "(\"FILE:LINE: expected X, got Y\"), 2 bad usage, a syntax error\n"
    "(\"FILE:LINE:COLUMN: ...\") or a file that cannot be read.\n";

struct trace_cli {
	const char *path;
	struct cli_replay_opts opt;
};

static int trace_parse_args(int argc, char **argv, struct trace_cli *o)
{
	int r = cli_replay_opts_parse(argc, argv, false, trace_usage, &o->opt);

	if (r)
		return r;
	if (argc - optind != 1) {
		cli_error("trace takes one trace file; see 'vsgx trace --help'");
		return CLI_EXIT_USAGE;
	}
	o->path = argv[optind];
	return 0;
}

static int trace_exec(const struct trace_cli *o)
{
	struct trace_opts opts = { o->opt.vectors, NULL, o->opt.quiet ? NULL : stdout, stderr };
	struct trace_summary sum;
	struct trace *t;
	char why[512];
	int r;

	r = trace_load(o->path, &opts, &t, why, sizeof(why));
	if (r) {
		cli_error("%s", why);
		return CLI_EXIT_USAGE;
	}
	r = trace_run(t, &opts, &sum);
	trace_free(t);
	if (r < 0)
		return CLI_EXIT_USAGE;
	if (r == TRACE_MISMATCH)
		return CLI_EXIT_SGX;
	if (!o->opt.quiet)
		printf("%s: %u commands, %u checks passed\n", o->path, sum.commands, sum.checked);
	return CLI_EXIT_OK;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_cli o;
	int r;

	r = trace_parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? CLI_EXIT_OK : r;
	return trace_exec(&o);
}
