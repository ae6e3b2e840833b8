/* SPDX-License-Identifier: MIT */
/* vsgx measure: MRENCLAVE of an SGXS file, which is SHA-256 of the file. */
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>

#include "vsgx/sgxs.h"

static void measure_usage(FILE *f)
{
	fprintf(f, "usage: vsgx measure [--json] FILE.sgxs\n"
		   "\n"
		   "Check that FILE.sgxs ('-': standard input) is a measurement stream a\n"
		   "processor could produce and print its MRENCLAVE as 64 hex digits.\n"
		   "\n"
		   "  --json  print one JSON object instead: file, mrenclave, size (SECS.SIZE\n"
		   "          in bytes), ssa_frame_size (in 4 KiB pages), eadd and eextend\n"
		   "          (record counts), stream_bytes\n");
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
static int measure_parse_args(int argc, char **argv, bool *ret_json)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c == 'j') {
			*ret_json = true;
			continue;
		}
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

static void measure_print_json(const char *path, const struct sgxs *s, const char *hex)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(cli_input_name(path)));
	json_object_object_add(o, "mrenclave", json_object_new_string(hex));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)s->size));
	json_object_object_add(o, "ssa_frame_size", json_object_new_int64(s->ssa_frame_size));
	json_object_object_add(o, "eadd", json_object_new_int64((int64_t)s->nr_eadd));
	json_object_object_add(o, "eextend", json_object_new_int64((int64_t)s->nr_eextend));
	json_object_object_add(o, "stream_bytes", json_object_new_int64((int64_t)s->len));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int cmd_measure(int argc, char **argv)
{
	char why[256], hex[2 * 32 + 1];
	uint8_t mrenclave[32];
	bool json = false;
	struct sgxs *s;
	const char *path;
	int status, err;

	status = measure_parse_args(argc, argv, &json);
	if (status >= 0)
		return status;
	path = argv[optind];
	err = cli_sgxs_load(path, &s, why, sizeof(why));
	if (err) {
		cli_error("%s: %s", cli_input_name(path), why);
		return CLI_EXIT_USAGE;
	}
	err = sgxs_measure(s, mrenclave);
	if (err) {
		sgxs_free(s);
		cli_error("%s: cannot hash: out of memory", cli_input_name(path));
		return CLI_EXIT_USAGE;
	}
	cli_format_hex(mrenclave, sizeof(mrenclave), hex);
	if (json)
		measure_print_json(path, s, hex);
	else
		printf("%s\n", hex);
	sgxs_free(s);
	return CLI_EXIT_OK;
}
