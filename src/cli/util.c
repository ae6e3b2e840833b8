/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vsgx/encls.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

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

const char *cli_input_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

int cli_sgxs_load(const char *path, struct sgxs **ret, char *why, size_t why_len)
{
	if (!strcmp(path, "-"))
		return sgxs_load_fd(STDIN_FILENO, ret, why, why_len);
	return sgxs_load(path, ret, why, why_len);
}

int cli_sigstruct_load(const char *path, struct sgx_sigstruct *ret, char *why, size_t why_len)
{
	if (!strcmp(path, "-"))
		return sigstruct_load_fd(STDIN_FILENO, ret, why, why_len);
	return sigstruct_load(path, ret, why, why_len);
}

int cli_encls(void *cpu, struct hw_regs *regs)
{
	return hw_encls(cpu, regs);
}

static bool cli_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* $datadir/vsgx/vectors relative to the running binary, if it is an installed one. */
static bool cli_installed_vectors(char *buf, size_t len)
{
	char exe[PATH_MAX], dir[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (!VSGX_BINDIR_TO_DATADIR[0] || n <= 0 || len < PATH_MAX)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (snprintf(dir, sizeof(dir), "%s/%s/vectors", exe, VSGX_BINDIR_TO_DATADIR) >=
	    (int)sizeof(dir))
		return false;
	/* Messages name files in it: say PREFIX/share/..., not PREFIX/bin/../share/... */
	return realpath(dir, buf) && cli_is_dir(buf);
}

const char *cli_vectors_dir(void)
{
	static char installed[PATH_MAX];
	const char *env = getenv("VSGX_VECTORS");

	if (env && *env)
		return env;
	/*
	 * An installed binary uses the data installed with it, wherever the
	 * prefix (or DESTDIR) put both; one in the build tree finds none there
	 * and uses the source tree's.
	 */
	if (cli_installed_vectors(installed, sizeof(installed)))
		return installed;
	if (cli_is_dir(VSGX_VECTORS_DIR))
		return VSGX_VECTORS_DIR;
	return VSGX_DATADIR "/vectors";
}

int cli_replay_opts_parse(int argc, char **argv, bool json, const char *usage,
			  struct cli_replay_opts *ret)
{
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "qmp", required_argument, NULL, 'Q' },
		{ "vcpu-threads", no_argument, NULL, 'T' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "audit", no_argument, NULL, 'A' },
		{ "vectors", required_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "explain", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(ret, 0, sizeof(*ret));
	ret->vectors = cli_vectors_dir();
	optind = 1;
	/* Verbs without --json, --qmp, --vcpu-threads, --metrics, --audit skip those entries. */
	while ((c = getopt_long(argc, argv, "hq", json ? longopts : longopts + 5, NULL)) != -1) {
		switch (c) {
		case 'j':
			ret->json = optarg;
			break;
		case 'Q':
			ret->qmp = optarg;
			break;
		case 'T':
			ret->vcpu_threads = true;
			break;
		case 'M':
			ret->metrics = optarg;
			break;
		case 'A':
			ret->audit = true;
			break;
		case 'v':
			ret->vectors = optarg;
			break;
		case 'q':
			ret->quiet = true;
			break;
		case 'e':
			ret->explain = true;
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

void cli_output_discard(FILE *f, const char *path)
{
	struct stat st;

	/* Only a file of its own: never /dev/full, a pipe or a terminal the user named. */
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode))
		unlink(path);
}

static const struct {
	const char *what;
	const char *limit;
	size_t max;
	bool dash_is_stdin;
} cli_text_kinds[CLI_TEXT_KIND_MAX] = {
	[CLI_TEXT_CONFIG] = { "a VM config", "1 MiB", 1u << 20, false },
	[CLI_TEXT_CONFIG_ARG] = { "a VM config", "1 MiB", 1u << 20, true },
	[CLI_TEXT_TRACE] = { "a trace", "16 MiB", 16u << 20, true },
	[CLI_TEXT_SCENARIO] = { "a scenario", "16 MiB", 16u << 20, true },
	[CLI_TEXT_JSONL] = { "JSON lines", "256 MiB", 256u << 20, true },
};

/* Length of the UTF-8 sequence at (s), (n) bytes left, or 0 if it is none. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return s[0] ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* "PATH:LINE:COLUMN: REASON" for the first byte of (text) that is not UTF-8 text. */
static int cli_text_check(const char *path, enum cli_text_kind kind, const char *text, size_t len,
			  char *why, size_t why_len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned int line = 1, col = 1;

	for (size_t i = 0, n; i < len; i += n, col++) {
		n = utf8_seq_len(s + i, len - i);
		if (!n && !s[i]) {
			snprintf(why, why_len, "%s:%u:%u: a NUL byte: %s is text", path, line, col,
				 cli_text_kinds[kind].what);
			return -EINVAL;
		}
		if (!n) {
			snprintf(why, why_len,
				 "%s:%u:%u: byte 0x%02x is not UTF-8: %s is UTF-8 text", path, line,
				 col, s[i], cli_text_kinds[kind].what);
			return -EINVAL;
		}
		if (s[i] == '\n')
			line++, col = 0;
	}
	return 0;
}

/* Read (fd) to its end, but no more than (max) + 1 bytes: enough to know it is too long. */
static int cli_fd_read(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1), *nbuf;
	ssize_t got;
	int r;

	if (!buf)
		return -ENOMEM;
	while (len <= max) {
		if (len == cap) {
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf)
				goto err_errno;
			buf = nbuf;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto err_errno;
		if (!got)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return len > max ? -EFBIG : 0;

err_errno:
	r = errno ? -errno : -ENOMEM;
	free(buf);
	return r;
}

static int cli_text_open(const char *path, enum cli_text_kind kind)
{
	struct stat st;
	int fd;

	if (cli_text_kinds[kind].dash_is_stdin && !strcmp(path, "-"))
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A directory opens; say what it is rather than what its first read says. */
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	return fd;
}

int cli_text_read(const char *path, enum cli_text_kind kind, char **ret, size_t *ret_len, char *why,
		  size_t why_len)
{
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	fd = cli_text_open(path, kind);
	if (fd < 0) {
		snprintf(why, why_len, "%s: %s", path, strerror(-fd));
		return fd;
	}
	r = cli_fd_read(fd, cli_text_kinds[kind].max, &text, &len);
	close(fd);
	if (r == -EFBIG)
		snprintf(why, why_len, "%s: larger than %s, the most %s can be", path,
			 cli_text_kinds[kind].limit, cli_text_kinds[kind].what);
	else if (r)
		snprintf(why, why_len, "%s: %s", path, strerror(-r));
	else
		r = cli_text_check(path, kind, text, len, why, why_len);
	if (r) {
		free(text);
		return r;
	}
	*ret = text;
	*ret_len = len;
	return 0;
}
