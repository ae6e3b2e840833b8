/* SPDX-License-Identifier: MIT */
/*
 * vsgx plot [-o FILE] [--title TEXT] FILE.jsonl
 *
 * The EPC usage a run recorded in its JSON lines (`vsgx run --json`), drawn
 * as an SVG image by the report module (include/vsgx/report.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vsgx/report.h"

static const char plot_usage[] =
    "usage: vsgx plot [-o FILE] [--title TEXT] JSONL\n"
    "\n"
    "Draw the EPC usage a run recorded, after each of its commands, as an SVG image:\n"
    "one panel per NUMA node, as tall as its EPC, the pages each VM and the host hold\n"
    "stacked in a column per command, command numbers and scenario lines below.\n"
    "JSONL is what 'vsgx run --json JSONL SCENARIO' (or vsgx monitor) wrote; '-'\n"
    "reads standard input:\n"
    "\n"
    "  vsgx run --json run.jsonl examples/quickstart.vsgx\n"
    "  vsgx plot run.jsonl -o usage.svg\n"
    "\n"
    "  -o, --output FILE  write the image to FILE (default: standard output)\n"
    "  --title TEXT       the image's title (default: names the scenario)\n"
    "\n"
    "Exit status: 0 the image was written, 2 bad usage, JSONL unreadable or not\n"
    "what a run writes (\"FILE:LINE: ...\"), or output that could not be written.\n";

struct plot_cli {
	const char *in, *out, *title;
};

static int plot_parse_args(int argc, char **argv, struct plot_cli *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 't':
			o->title = optarg;
			break;
		case 'h':
			fputs(plot_usage, stdout);
			return -1;
		default:
			fputs(plot_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error("plot needs exactly one JSONL file ('-' for standard input); 'vsgx plot "
			  "--help' says more");
		return CLI_EXIT_USAGE;
	}
	o->in = argv[optind];
	if (o->out && !strcmp(o->out, "-"))
		o->out = NULL;
	if (o->out && strcmp(o->in, "-") && cli_same_file(o->in, o->out)) {
		cli_error("%s: -o would overwrite the JSON lines themselves; write to another file",
			  o->out);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int plot_read(const char *path, struct report_series **ret)
{
	size_t len = 0;
	char *text = NULL, why[512];
	int r;

	r = cli_text_read(path, CLI_TEXT_JSONL, &text, &len, why, sizeof(why));
	if (!r)
		r = report_series_read_jsonl(text, len, strcmp(path, "-") ? path : "<stdin>", ret,
					     why, sizeof(why));
	free(text);
	if (r)
		cli_error("%s", why);
	return r ? CLI_EXIT_USAGE : 0;
}

/* Write the image; a file that could not be written whole is removed, not left half done. */
static int plot_write(const struct plot_cli *o, const struct report_series *s)
{
	FILE *f = o->out ? fopen(o->out, "w") : stdout;
	int r;

	if (!f) {
		cli_error("%s: %s", o->out, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	r = report_svg_write(s, o->title, f);
	if (r && r != -EIO)
		cli_error("%s: %s", o->out ? o->out : "standard output", strerror(-r));
	if (f == stdout)
		return r ? CLI_EXIT_USAGE : 0;
	if (cli_flush(f, o->out) && !r)
		r = -EIO;
	if (r)
		cli_output_discard(f, o->out);
	if (fclose(f) && !r) {
		cli_error("%s: cannot write: %s", o->out, strerror(errno));
		r = -EIO;
	}
	return r ? CLI_EXIT_USAGE : 0;
}

int cmd_plot(int argc, char **argv)
{
	struct report_series *s = NULL;
	struct plot_cli o;
	int r;

	r = plot_parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? CLI_EXIT_OK : r;
	r = plot_read(o.in, &s);
	if (!r)
		r = plot_write(&o, s);
	report_series_free(s);
	return r;
}
