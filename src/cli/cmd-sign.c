/* SPDX-License-Identifier: MIT */
/* vsgx sign: write the SIGSTRUCT of an SGXS file, as Intel's signing tool does. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vsgx/crypto.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

enum sign_option {
	SIGN_OPT_VENDOR = 256,
	SIGN_OPT_DATE,
	SIGN_OPT_ATTRIBUTES,
	SIGN_OPT_ATTRIBUTES_MASK,
	SIGN_OPT_XFRM,
	SIGN_OPT_XFRM_MASK,
	SIGN_OPT_MISCSELECT,
	SIGN_OPT_MISCMASK,
	SIGN_OPT_ISVPRODID,
	SIGN_OPT_ISVSVN,
	SIGN_OPT_SWDEFINED,
};

static const struct option sign_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "key", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "vendor", required_argument, NULL, SIGN_OPT_VENDOR },
	{ "date", required_argument, NULL, SIGN_OPT_DATE },
	{ "attributes", required_argument, NULL, SIGN_OPT_ATTRIBUTES },
	{ "attributes-mask", required_argument, NULL, SIGN_OPT_ATTRIBUTES_MASK },
	{ "xfrm", required_argument, NULL, SIGN_OPT_XFRM },
	{ "xfrm-mask", required_argument, NULL, SIGN_OPT_XFRM_MASK },
	{ "miscselect", required_argument, NULL, SIGN_OPT_MISCSELECT },
	{ "miscmask", required_argument, NULL, SIGN_OPT_MISCMASK },
	{ "isvprodid", required_argument, NULL, SIGN_OPT_ISVPRODID },
	{ "isvsvn", required_argument, NULL, SIGN_OPT_ISVSVN },
	{ "swdefined", required_argument, NULL, SIGN_OPT_SWDEFINED },
	{ NULL, 0, NULL, 0 },
};

/* A numeric option and the SIGSTRUCT field it sets. */
struct sign_number {
	int id;
	const char *name;
	uint64_t max;
	size_t offset; /* in struct sigstruct_params */
	size_t size;
};

#define SIGN_FIELD(f)                                                                              \
	offsetof(struct sigstruct_params, f), sizeof(((struct sigstruct_params *)0)->f)

static const struct sign_number sign_numbers[] = {
	{ SIGN_OPT_VENDOR, "vendor", UINT32_MAX, SIGN_FIELD(vendor) },
	{ SIGN_OPT_ATTRIBUTES, "attributes", UINT64_MAX, SIGN_FIELD(attributes.flags) },
	{ SIGN_OPT_ATTRIBUTES_MASK, "attributes-mask", UINT64_MAX,
	  SIGN_FIELD(attributes_mask.flags) },
	{ SIGN_OPT_XFRM, "xfrm", UINT64_MAX, SIGN_FIELD(attributes.xfrm) },
	{ SIGN_OPT_XFRM_MASK, "xfrm-mask", UINT64_MAX, SIGN_FIELD(attributes_mask.xfrm) },
	{ SIGN_OPT_MISCSELECT, "miscselect", UINT32_MAX, SIGN_FIELD(miscselect) },
	{ SIGN_OPT_MISCMASK, "miscmask", UINT32_MAX, SIGN_FIELD(miscmask) },
	{ SIGN_OPT_ISVPRODID, "isvprodid", UINT16_MAX, SIGN_FIELD(isv_prod_id) },
	{ SIGN_OPT_ISVSVN, "isvsvn", UINT16_MAX, SIGN_FIELD(isv_svn) },
	{ SIGN_OPT_SWDEFINED, "swdefined", UINT32_MAX, SIGN_FIELD(swdefined) },
};

struct sign_args {
	const char *sgxs;
	const char *key;
	const char *out;
	bool have_date;
	struct sigstruct_params params;
};

static void sign_usage(FILE *f)
{
	fprintf(f, "usage: vsgx sign FILE.sgxs --key KEY.pem -o OUT.sig [options]\n"
		   "\n"
		   "Measure FILE.sgxs ('-': standard input) and write its SIGSTRUCT, signed\n"
		   "with KEY.pem (RSA-3072, public exponent 3), to OUT.sig. Prints the\n"
		   "MRENCLAVE and MRSIGNER. A regular OUT.sig is replaced whole; a link's\n"
		   "target, a FIFO or a device is written through; an input file is refused\n"
		   "as OUT.sig.\n"
		   "\n"
		   "options (numbers in decimal or 0x hex; defaults in brackets):\n"
		   "  -k, --key KEY.pem        the signing key (required)\n"
		   "  -o, --output OUT.sig     where to write the SIGSTRUCT (required)\n"
		   "  --vendor N               0 or 0x8086 (Intel) [0]\n"
		   "  --date YYYYMMDD          [today]\n"
		   "  --attributes N           ATTRIBUTES.FLAGS [0x4, MODE64BIT]\n"
		   "  --attributes-mask N      ATTRIBUTEMASK.FLAGS [0xfffffffffffffffd]\n"
		   "  --xfrm N                 ATTRIBUTES.XFRM [0x3]\n"
		   "  --xfrm-mask N            ATTRIBUTEMASK.XFRM [0xffffffffffffff1b]\n"
		   "  --miscselect N           32 bits [0]\n"
		   "  --miscmask N             32 bits [0xffffffff]\n"
		   "  --isvprodid N            16 bits [0]\n"
		   "  --isvsvn N               16 bits [0]\n"
		   "  --swdefined N            32 bits [0]\n");
}

static int sign_bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sign_bad_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("sign: %s; see 'vsgx sign --help'", msg);
	return CLI_EXIT_USAGE;
}

static void sign_store(struct sigstruct_params *p, const struct sign_number *n, uint64_t v)
{
	uint8_t *field = (uint8_t *)p + n->offset;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (n->size == sizeof(v16))
		memcpy(field, &v16, sizeof(v16));
	else if (n->size == sizeof(v32))
		memcpy(field, &v32, sizeof(v32));
	else
		memcpy(field, &v, sizeof(v));
}

static int sign_set_number(struct sign_args *a, const struct sign_number *n, const char *arg)
{
	uint64_t v;
	int err = cli_parse_u64(arg, n->max, &v);

	if (err == -ERANGE)
		return sign_bad_usage("--%s %s is too large; the maximum is 0x%llx", n->name, arg,
				      (unsigned long long)n->max);
	if (err)
		return sign_bad_usage("--%s '%s' is not a number; give decimal or 0x-prefixed hex",
				      n->name, arg);
	if (n->id == SIGN_OPT_VENDOR && v != 0 && v != SGX_SIGSTRUCT_VENDOR_INTEL)
		return sign_bad_usage("--vendor %s: EINIT accepts only 0 or 0x8086 (Intel)", arg);
	sign_store(&a->params, n, v);
	return -1;
}

static int sign_set_date(struct sign_args *a, const char *arg)
{
	uint64_t v;

	if (strlen(arg) != 8 || strspn(arg, "0123456789") != 8 ||
	    cli_parse_u64(arg, UINT32_MAX, &v) || sigstruct_date_bcd((uint32_t)v, &a->params.date))
		return sign_bad_usage("--date '%s' is not a real date written YYYYMMDD "
				      "(for example 20240101)",
				      arg);
	a->have_date = true;
	return -1;
}

static int sign_unknown_option(int c, char **argv)
{
	char opt[3] = { '-', (char)optopt, '\0' };

	/* A missing value is always at the end, so argv[optind - 1] is the option. */
	if (c == ':')
		return sign_bad_usage("option '%s' needs a value", argv[optind - 1]);
	return sign_bad_usage("unknown option '%s'", optopt ? opt : argv[optind - 1]);
}

/* Handle one option; return -1 to go on, or the exit status. */
static int sign_option(struct sign_args *a, int c, char **argv)
{
	switch (c) {
	case 'h':
		sign_usage(stdout);
		return CLI_EXIT_OK;
	case 'k':
		a->key = optarg;
		return -1;
	case 'o':
		a->out = optarg;
		return -1;
	case SIGN_OPT_DATE:
		return sign_set_date(a, optarg);
	}
	for (size_t i = 0; i < sizeof(sign_numbers) / sizeof(sign_numbers[0]); i++) {
		if (sign_numbers[i].id == c)
			return sign_set_number(a, &sign_numbers[i], optarg);
	}
	return sign_unknown_option(c, argv);
}

static int sign_check_args(struct sign_args *a, int argc, char **argv)
{
	if (argc - optind != 1)
		return sign_bad_usage("expected one FILE.sgxs, got %s",
				      argc - optind ? "more" : "none");
	a->sgxs = argv[optind];
	if (!a->key)
		return sign_bad_usage("missing --key KEY.pem (an RSA-3072 key with exponent 3)");
	if (!a->out)
		return sign_bad_usage("missing -o OUT.sig (where to write the SIGSTRUCT)");
	return -1;
}

/* Return -1 to go on, or the exit status. */
static int sign_parse_args(struct sign_args *a, int argc, char **argv)
{
	int c, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hk:o:", sign_options, NULL)) != -1) {
		status = sign_option(a, c, argv);
		if (status >= 0)
			return status;
	}
	return sign_check_args(a, argc, argv);
}

static int sign_default_date(uint32_t *ret)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return -EINVAL;
	return sigstruct_date_bcd(
	    (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday), ret);
}

static int sign_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A SIGSTRUCT is public: give it the usual file mode, not mkstemp's 0600. */
static int sign_public_mode(int fd)
{
	mode_t mask = umask(0);

	umask(mask);
	return fchmod(fd, 0666 & ~mask) ? -errno : 0;
}

/* Write next to (path) and rename, so a reader never sees half a file. */
static int sign_write_atomic(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = sign_write_all(fd, buf, len);
	if (!err)
		err = sign_public_mode(fd);
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Write through to (path), a FIFO, a device or a socket, as a shell's '>' would. */
static int sign_write_through(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = sign_write_all(fd, buf, len);
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/*
 * Write the SIGSTRUCT to (path). A new or regular file is replaced whole
 * (a temporary file renamed over it); a symbolic link keeps pointing where
 * it did and what it points to is written; anything else that is no
 * regular file is written through, never renamed over (as root, that
 * replaced /dev/full with a regular file).
 */
static int sign_write(const char *path, const void *buf, size_t len)
{
	char target[PATH_MAX];
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? sign_write_atomic(path, buf, len) : -errno;
	if (S_ISREG(st.st_mode))
		return sign_write_atomic(path, buf, len);
	if (S_ISLNK(st.st_mode)) {
		if (stat(path, &st))
			return -errno;
		if (S_ISREG(st.st_mode))
			return realpath(path, target) ? sign_write_atomic(target, buf, len)
						      : -errno;
	}
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return sign_write_through(path, buf, len);
}

static int sign_measure(const char *path, uint8_t mrenclave[32])
{
	struct sgxs *s;
	char why[256];
	int err;

	err = cli_sgxs_load(path, &s, why, sizeof(why));
	if (err) {
		cli_error("%s: %s", cli_input_name(path), why);
		return err;
	}
	err = sgxs_measure(s, mrenclave);
	sgxs_free(s);
	if (err)
		cli_error("%s: cannot hash: out of memory", cli_input_name(path));
	return err;
}

static int sign_build(const struct sign_args *a, const uint8_t mrenclave[32],
		      struct sgx_sigstruct *sig)
{
	struct crypto_rsa_key *key;
	char why[256];
	int err;

	err = crypto_rsa_key_load(a->key, &key, why, sizeof(why));
	if (err) {
		cli_error("%s: %s", a->key, why);
		return err;
	}
	err = sigstruct_sign(&a->params, mrenclave, key, sig);
	crypto_rsa_key_free(key);
	if (err)
		cli_error("%s: signing failed: %s", a->key, strerror(-err));
	return err;
}

static void sign_print(const uint8_t mrenclave[32], const struct sgx_sigstruct *sig)
{
	char hex[2 * 32 + 1];
	uint8_t mrsigner[32];

	cli_format_hex(mrenclave, 32, hex);
	printf("mrenclave %s\n", hex);
	if (sigstruct_mrsigner(sig, mrsigner) == 0) {
		cli_format_hex(mrsigner, sizeof(mrsigner), hex);
		printf("mrsigner %s\n", hex);
	}
}

int cmd_sign(int argc, char **argv)
{
	struct sign_args a = { 0 };
	struct sgx_sigstruct sig;
	uint8_t mrenclave[32];
	int status, err;

	sigstruct_params_init_default(&a.params);
	status = sign_parse_args(&a, argc, argv);
	if (status >= 0)
		return status;
	if (!a.have_date && sign_default_date(&a.params.date)) {
		cli_error("sign: cannot read today's date; give --date YYYYMMDD");
		return CLI_EXIT_USAGE;
	}
	if (cli_same_file(a.out, a.sgxs) || cli_same_file(a.out, a.key)) {
		cli_error("%s: -o names an input (%s); write the SIGSTRUCT to another file", a.out,
			  cli_same_file(a.out, a.sgxs) ? a.sgxs : a.key);
		return CLI_EXIT_USAGE;
	}
	if (sign_measure(a.sgxs, mrenclave) || sign_build(&a, mrenclave, &sig))
		return CLI_EXIT_USAGE;
	err = sign_write(a.out, &sig, sizeof(sig));
	if (err) {
		cli_error("%s: cannot write: %s", a.out, strerror(-err));
		return CLI_EXIT_USAGE;
	}
	sign_print(mrenclave, &sig);
	return CLI_EXIT_OK;
}
