/* SPDX-License-Identifier: MIT */
/* vsgx measure: MRENCLAVE of an SGXS file, which is SHA-256 of the file. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "vsgx/sgxs.h"

static void measure_usage(FILE *f)
{
	fprintf(f, "usage: vsgx measure FILE.sgxs\n"
		   "\n"
		   "Check that FILE.sgxs is a measurement stream a processor could produce\n"
		   "and print its MRENCLAVE as 64 hex digits.\n");
}

static int measure_bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int measure_bad_usage(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("measure: %s; see 'vsgx measure --help'", msg);
	return CLI_EXIT_USAGE;
}

static int measure_unknown_option(char **argv)
{
	char opt[3] = { '-', (char)optopt, '\0' };

	return measure_bad_usage("unknown option '%s'", optopt ? opt : argv[optind - 1]);
}

/* Return -1 to go on with argv[optind], or the exit status. */
static int measure_parse_args(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c != 'h')
			return measure_unknown_option(argv);
		measure_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argc - optind != 1)
		return measure_bad_usage("expected one FILE.sgxs, got %s",
					 argc - optind ? "more" : "none");
	return -1;
}

int cmd_measure(int argc, char **argv)
{
	char why[256], hex[2 * 32 + 1];
	uint8_t mrenclave[32];
	struct sgxs *s;
	const char *path;
	int status, err;

	status = measure_parse_args(argc, argv);
	if (status >= 0)
		return status;
	path = argv[optind];
	err = sgxs_load(path, &s, why, sizeof(why));
	if (err) {
		cli_error("%s: %s", path, why);
		return CLI_EXIT_USAGE;
	}
	err = sgxs_measure(s, mrenclave);
	sgxs_free(s);
	if (err) {
		cli_error("%s: cannot hash: out of memory", path);
		return CLI_EXIT_USAGE;
	}
	cli_format_hex(mrenclave, sizeof(mrenclave), hex);
	printf("%s\n", hex);
	return CLI_EXIT_OK;
}
