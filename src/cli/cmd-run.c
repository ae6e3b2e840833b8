/* SPDX-License-Identifier: MIT */
/*
 * vsgx run [--json FILE] [--metrics FILE] [--vectors DIR] [--quiet] [--explain]
 *          [--vcpu-threads] [--audit] SCENARIO
 * vsgx monitor [--json FILE] [--metrics FILE] [--vectors DIR] [--qmp unix:PATH]
 *              [--vcpu-threads] [--audit]
 *
 * The main job: a modelled SGX host running SGX VMs, driven by a scenario
 * in the monitor's language (docs/scenario-format.md), or by the same
 * commands typed at the monitor's prompt.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "monitor.h"
#include "monitor-prompt.h"
#include "monitor-qmp.h"

static const char run_usage[] =
    "usage: vsgx run [--json FILE] [--metrics FILE] [--vectors DIR] [--quiet] [--explain]\n"
    "                [--vcpu-threads] [--audit] SCENARIO\n"
    "       vsgx monitor [--json FILE] [--metrics FILE] [--vectors DIR] [--qmp unix:PATH]\n"
    "                    [--vcpu-threads] [--audit]\n"
    "\n"
    "run: replay SCENARIO, commands of the monitor's language (one per line; see\n"
    "docs/scenario-format.md) that power on an SGX host, create and reset VMs, run\n"
    "guests with enclaves and check what happened. Each command is printed with\n"
    "its outcome; a report of every VM and NUMA node, and a matrix of the EPC\n"
    "pages each VM and the host hold on each node, closes the run.\n"
    "monitor: read the same commands from standard input, one at a time; at a\n"
    "terminal with line editing, history and tab completion ('help' lists them).\n"
    "\n"
    "  --json FILE    also write every event and the report as JSON lines; with '-'\n"
    "                 they alone go to stdout and the text goes to stderr; each\n"
    "                 command's line carries the EPC usage after it ('vsgx plot')\n"
    "  --metrics FILE write the closing EPC usage to FILE in Prometheus's text\n"
    "                 format (sgx_epc_pages{node,vm,state}, sgx_epc_total_pages)\n"
    "  --vectors DIR  what $VECTORS stands for (default: $VSGX_VECTORS, else\n"
    "                 the vectors installed with vsgx or its source tree's)\n"
    "  --quiet        print only failures and the report\n"
    "  --vcpu-threads run each vCPU of each VM on its own host thread, as QEMU's\n"
    "                 multi-threaded TCG does; the same outcomes and output\n"
    "  --explain      (run) print the comment lines just above a command before it\n"
    "  --audit        after every command check the EPC accounting: free + used +\n"
    "                 zombie + bad = total on every node, the VMs hold what the host\n"
    "                 says, no guest leaked a page, no enclave lost unless its VM's\n"
    "                 EPC was taken (\"FILE:LINE: audit: ...\", exit 1)\n"
    "  --qmp unix:PATH  (monitor) also serve QMP on a UNIX socket, as QEMU's -qmp;\n"
    "                 when standard input ends, serve it until a client sends quit\n"
    "\n"
    "Exit status: 0 the scenario ran and every expectation held, 1 a command or an\n"
    "expectation failed (\"FILE:LINE: expected X, got Y: why\"), 2 bad usage, a\n"
    "line the monitor cannot read (\"FILE:LINE:COLUMN: ...\"), an unreadable file or\n"
    "output that could not be written.\n";

struct run_cli {
	const char *path;
	struct cli_replay_opts opt;
};

static int run_parse_args(int argc, char **argv, bool monitor, struct run_cli *o)
{
	int r = cli_replay_opts_parse(argc, argv, true, run_usage, &o->opt);

	if (r)
		return r;
	if (!monitor && o->opt.qmp) {
		cli_error("--qmp is the monitor's: 'vsgx monitor --qmp unix:PATH'");
		return CLI_EXIT_USAGE;
	}
	if (monitor && o->opt.explain) {
		cli_error("--explain is run's: 'vsgx run --explain SCENARIO'");
		return CLI_EXIT_USAGE;
	}
	if (monitor ? optind != argc : optind + 1 != argc) {
		cli_error(monitor
			      ? "monitor takes no file: it reads standard input"
			      : "run needs exactly one SCENARIO file; 'vsgx run --help' says more");
		return CLI_EXIT_USAGE;
	}
	o->path = monitor ? NULL : argv[optind];
	return 0;
}

static int run_scenario(struct monitor *mon, const char *path)
{
	size_t len = 0;
	char *text = NULL, why[512];
	int r;

	r = cli_text_read(path, CLI_TEXT_SCENARIO, &text, &len, why, sizeof(why));
	if (r) {
		cli_error("%s", why);
		return CLI_EXIT_USAGE;
	}
	r = monitor_run_text(mon, path, text, len);
	free(text);
	return r;
}

/*
 * Read a line of stdin into (line); false at the end. A line longer than
 * the buffer is read to its end and refused (MONITOR_SYNTAX in *ret_err):
 * running its pieces as separate commands would do what nobody typed.
 */
static bool monitor_read_line(char line[MONITOR_LINE_MAX], unsigned int n, int *ret_err)
{
	size_t len;
	int c;

	*ret_err = MONITOR_OK;
	if (!fgets(line, MONITOR_LINE_MAX, stdin))
		return false;
	len = strlen(line);
	if (len < MONITOR_LINE_MAX - 1 || line[len - 1] == '\n')
		return true;
	/* The buffer is full: the line fits only if its newline (or the end) comes next. */
	c = getchar();
	if (c == '\n' || c == EOF)
		return true;
	while ((c = getchar()) != EOF && c != '\n')
		;
	cli_error("<stdin>:%u:1: the line is longer than %d bytes; nothing was done", n,
		  MONITOR_LINE_MAX - 1);
	*ret_err = MONITOR_SYNTAX;
	return true;
}

/*
 * The interactive monitor: one line at a time, going on after failures. At
 * a terminal, lines are edited with libedit and prompted for on (prompt_out);
 * from a pipe or a file they are read plainly, with no prompt.
 */
static int run_monitor(struct monitor *mon, FILE *prompt_out, const char *qmp)
{
	struct monitor_prompt *p = NULL;
	struct monitor_qmp *q = NULL;
	char line[MONITOR_LINE_MAX];
	unsigned int n = 0;
	int worst = 0;

	if (qmp && monitor_qmp_start(mon, qmp, &q))
		return CLI_EXIT_USAGE;
	if (isatty(0) && monitor_prompt_open(mon, prompt_out, &p))
		cli_error("no line editing: out of memory");
	while (!monitor_qmp_has_quit(q, mon)) {
		int r;

		if (!(p ? monitor_prompt_read(p, line, &r) : monitor_read_line(line, ++n, &r)))
			break;
		n += p != NULL;
		if (r == MONITOR_OK)
			r = monitor_qmp_line(q, mon, "<stdin>", n, line);
		worst = r > worst ? r : worst;
	}
	monitor_prompt_close(p);
	/* The end of standard input is not the end of a VM that QMP drives. */
	monitor_qmp_stop(q, true);
	return worst;
}

/* An output file of the run: not the scenario, not standard output. NULL after an error. */
static FILE *run_output(const char *path, const char *opt, const char *scenario)
{
	FILE *f;

	if (scenario && strcmp(path, "-") && cli_same_file(path, scenario)) {
		cli_error("%s: %s would overwrite the scenario itself; write to another file", path,
			  opt);
		return NULL;
	}
	f = fopen(path, "w");
	if (!f)
		cli_error("%s: %s", path, strerror(errno));
	return f;
}

/* --metrics: a file of its own, beside the text and JSON that standard output carries. */
static int run_metrics_open(const struct run_cli *o, FILE **ret)
{
	*ret = NULL;
	if (!o->opt.metrics)
		return 0;
	if (!strcmp(o->opt.metrics, "-") ||
	    (o->opt.json && strcmp(o->opt.json, "-") && !strcmp(o->opt.metrics, o->opt.json))) {
		cli_error(
		    "--metrics %s: the metrics need a file of their own (not standard output, "
		    "not the --json file)",
		    o->opt.metrics);
		return CLI_EXIT_USAGE;
	}
	*ret = run_output(o->opt.metrics, "--metrics", o->path);
	return *ret ? 0 : CLI_EXIT_USAGE;
}

/* The metrics reached their file, or were never written (nothing ran): then no file. */
static int run_metrics_close(FILE *f, const char *path, bool written, int r)
{
	if (!f)
		return r;
	if (written && cli_flush(f, path) && !r)
		r = CLI_EXIT_USAGE;
	if (!written)
		cli_output_discard(f, path);
	fclose(f);
	return r;
}

static int run_main(int argc, char **argv, bool monitor)
{
	struct monitor_opts mo = { 0 };
	struct monitor *mon;
	struct run_cli o;
	bool reported = false;
	char *dir = NULL;
	FILE *json = NULL, *metrics;
	int r;

	r = run_parse_args(argc, argv, monitor, &o);
	if (r)
		return r < 0 ? CLI_EXIT_OK : r;
	r = run_metrics_open(&o, &metrics);
	if (r)
		return r;
	if (o.opt.json) {
		json = strcmp(o.opt.json, "-") ? run_output(o.opt.json, "--json", o.path) : stdout;
		if (!json)
			return run_metrics_close(metrics, o.opt.metrics, false, CLI_EXIT_USAGE);
	}
	if (o.path && strcmp(o.path, "-"))
		dir = strdup(o.path);
	/* JSON on standard output keeps it to itself: the text goes to standard error. */
	mo = (struct monitor_opts){ o.opt.vectors,
				    dir ? dirname(dir) : NULL,
				    json == stdout ? stderr : stdout,
				    stderr,
				    json,
				    o.opt.quiet };
	mo.vcpu_threads = o.opt.vcpu_threads;
	mo.explain = o.opt.explain;
	mo.metrics = metrics;
	mo.audit = o.opt.audit;
	r = monitor_create(&mo, &mon);
	if (!r) {
		r = monitor ? run_monitor(mon, mo.out, o.opt.qmp) : run_scenario(mon, o.path);
		/* A typo at the prompt ran nothing, but the session before it did. */
		reported = monitor || r != CLI_EXIT_USAGE;
		if (reported)
			monitor_report(mon);
		monitor_free(mon);
	}
	/* JSON lines that did not reach their file fail the run (stdout is main's to check). */
	if (json && json != stdout) {
		if (cli_flush(json, o.opt.json) && !r)
			r = CLI_EXIT_USAGE;
		fclose(json);
	}
	free(dir);
	return run_metrics_close(metrics, o.opt.metrics, reported, r);
}

int cmd_run(int argc, char **argv)
{
	return run_main(argc, argv, false);
}

int cmd_monitor(int argc, char **argv)
{
	return run_main(argc, argv, true);
}
