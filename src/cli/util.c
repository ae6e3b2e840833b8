/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vsgx/encls.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vsgx: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int cli_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cli_parse_hex(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = cli_hex_digit(s[2 * i]), lo = cli_hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void cli_format_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int cli_encls(void *cpu, struct hw_regs *regs)
{
	return hw_encls(cpu, regs);
}

int cli_replay_opts_parse(int argc, char **argv, bool json, const char *usage,
			  struct cli_replay_opts *ret)
{
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "vectors", required_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("VSGX_VECTORS");
	int c;

	memset(ret, 0, sizeof(*ret));
	ret->vectors = env && *env ? env : NULL;
	optind = 1;
	/* Verbs without --json stop the table before it. */
	while ((c = getopt_long(argc, argv, "hq", json ? longopts : longopts + 1, NULL)) != -1) {
		switch (c) {
		case 'j':
			ret->json = optarg;
			break;
		case 'v':
			ret->vectors = optarg;
			break;
		case 'q':
			ret->quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

bool cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cli_flush(FILE *f, const char *name)
{
	int err = fflush(f) ? errno : ferror(f) ? EIO : 0;

	if (!err)
		return 0;
	cli_error("%s: cannot write: %s", name, strerror(err));
	return -err;
}
