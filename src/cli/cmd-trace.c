/* SPDX-License-Identifier: MIT */
/*
 * vsgx trace [--quiet] [--vectors DIR] [--json FILE] FILE
 *
 * Replay a trace of SGX operations on a freshly powered-on processor and
 * check the outcomes it expects (docs/trace-format.md).
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static const char trace_usage[] =
    "usage: vsgx trace [--quiet] [--vectors DIR] [--json FILE] FILE\n"
    "\n"
    "Replay FILE, a trace of ENCLS leaves, MSR accesses and checks (one per line;\n"
    "see docs/trace-format.md), on a freshly powered-on modelled processor. Each\n"
    "command is printed with its outcome; a line ending in '=> OUTCOME' must end\n"
    "that way, and 'expect' lines check EPCM, enclave, MSR and CPUID values.\n"
    "FILE '-' reads standard input.\n"
    "\n"
    "  --quiet        print only mismatches and errors\n"
    "  --json FILE    also write each command and the summary as JSON lines; with\n"
    "                 '-' they alone go to stdout and the text goes to stderr\n"
    "  --vectors DIR  what $VECTORS in FILE stands for (default: $VSGX_VECTORS,\n"
    "                 else the vectors installed with vsgx or its source tree's)\n"
    "\n"
    "Exit status: 0 every expectation held, 1 the first one that did not\n"
    "(\"FILE:LINE: expected X, got Y\"), 2 bad usage, a syntax error\n"
    "(\"FILE:LINE:COLUMN: ...\") or a file that cannot be read.\n";

struct trace_cli {
	const char *path;
	struct cli_replay_opts opt;
	FILE *json; /* --json: one line per command, then the summary */
};

static int trace_parse_args(int argc, char **argv, struct trace_cli *o)
{
	int r = cli_replay_opts_parse(argc, argv, true, trace_usage, &o->opt);

	if (r)
		return r;
	if (o->opt.qmp || o->opt.explain) {
		cli_error(o->opt.qmp ? "--qmp is the monitor's: 'vsgx monitor --qmp unix:PATH'"
				     : "--explain is run's: 'vsgx run --explain SCENARIO'");
		return CLI_EXIT_USAGE;
	}
	if (argc - optind != 1) {
		cli_error("trace takes one trace file; see 'vsgx trace --help'");
		return CLI_EXIT_USAGE;
	}
	o->path = argv[optind];
	return 0;
}

static void trace_json_emit(FILE *f, struct json_object *o)
{
	fprintf(f, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void trace_json_add_str(struct json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static void trace_json_command(const struct trace_event *e, void *arg)
{
	const struct trace_cli *c = arg;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("command"));
	json_object_object_add(o, "file", json_object_new_string(c->path));
	json_object_object_add(o, "line", json_object_new_int64(e->line));
	json_object_object_add(o, "command", json_object_new_string(e->text));
	json_object_object_add(o, "outcome", json_object_new_string(e->outcome));
	trace_json_add_str(o, "detail", e->detail[0] ? e->detail : NULL);
	trace_json_add_str(o, "expected", e->expected);
	trace_json_add_str(o, "message", e->message);
	trace_json_emit(c->json, o);
}

static void trace_json_summary(const struct trace_cli *c, const struct trace_summary *sum, int r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("summary"));
	json_object_object_add(o, "file", json_object_new_string(c->path));
	json_object_object_add(o, "commands", json_object_new_int64(sum->commands));
	json_object_object_add(o, "checks", json_object_new_int64(sum->checked));
	json_object_object_add(o, "result",
			       json_object_new_string(!r		    ? "ok"
						      : r == TRACE_MISMATCH ? "mismatch"
									    : "error"));
	trace_json_emit(c->json, o);
}

static int trace_exec(struct trace_cli *o)
{
	/* JSON on standard output keeps it to itself: the text goes to standard error. */
	FILE *text = o->json == stdout ? stderr : stdout;
	struct trace_opts opts = { o->opt.vectors,
				   NULL,
				   o->opt.quiet ? NULL : text,
				   stderr,
				   o->json ? trace_json_command : NULL,
				   o };
	struct trace_summary sum = { 0 };
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
	if (o->json)
		trace_json_summary(o, &sum, r);
	if (r < 0)
		return CLI_EXIT_USAGE;
	if (r == TRACE_MISMATCH)
		return CLI_EXIT_SGX;
	if (!o->opt.quiet)
		fprintf(text, "%s: %u command%s, %u check%s passed\n", o->path, sum.commands,
			sum.commands == 1 ? "" : "s", sum.checked, sum.checked == 1 ? "" : "s");
	return CLI_EXIT_OK;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_cli o = { 0 };
	int r;

	r = trace_parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? CLI_EXIT_OK : r;
	if (o.opt.json && strcmp(o.opt.json, "-") && cli_same_file(o.opt.json, o.path)) {
		cli_error("%s: --json would overwrite the trace itself; write to another file",
			  o.opt.json);
		return CLI_EXIT_USAGE;
	}
	if (o.opt.json) {
		o.json = strcmp(o.opt.json, "-") ? fopen(o.opt.json, "w") : stdout;
		if (!o.json) {
			cli_error("%s: %s", o.opt.json, strerror(errno));
			return CLI_EXIT_USAGE;
		}
	}
	r = trace_exec(&o);
	/* JSON lines that did not reach their file fail the run (stdout is main's to check). */
	if (o.json && o.json != stdout) {
		if (cli_flush(o.json, o.opt.json) && !r)
			r = CLI_EXIT_USAGE;
		fclose(o.json);
	}
	return r;
}
