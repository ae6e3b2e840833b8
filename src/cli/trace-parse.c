/* SPDX-License-Identifier: MIT */
/*
 * The trace parser: words, values, labels and every command's operands.
 * docs/trace-format.md is the grammar this file implements; keep them in
 * step.
 */
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "trace-int.h"
#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

#define MAX_WORDS 64

struct word {
	char *s; /* not NUL-terminated when it is part of a word */
	size_t len;
	unsigned int col;
};

struct words {
	struct word w[MAX_WORDS];
	unsigned int n;
};

/* Parser state: where we are, for messages. */
struct tp {
	struct trace *t;
	const struct trace_opts *opts;
	unsigned int line;
	unsigned int cmd_col; /* column of the command word */
	char *why;
	size_t why_len;
};

static int perr_code(struct tp *tp, unsigned int col, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr_code(struct tp *tp, unsigned int col, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!tp->why || !tp->why_len)
		return code;
	n = snprintf(tp->why, tp->why_len, "%s:%u:%u: ", tp->t->name, tp->line, col);
	if (n >= 0 && (size_t)n < tp->why_len) {
		va_start(ap, fmt);
		vsnprintf(tp->why + n, tp->why_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return code;
}

#define perr(tp, col, ...) perr_code(tp, col, -EINVAL, __VA_ARGS__)

/* ---------------------------------------------------------------------- */
/* Words                                                                  */
/* ---------------------------------------------------------------------- */

static bool word_is(const struct word *w, const char *s)
{
	return strlen(s) == w->len && !memcmp(w->s, s, w->len);
}

/* A word's first (n) bytes, or what follows them, as a word of its own. */
static struct word word_sub(const struct word *w, size_t from, size_t to)
{
	struct word r = { w->s + from, to - from, w->col + (unsigned int)from };

	return r;
}

static const char *word_find(const struct word *w, char c)
{
	return memchr(w->s, c, w->len);
}

/* For messages: a word as a C string (it may be part of a longer one). */
static const char *word_str(const struct word *w, char *buf, size_t len)
{
	size_t n = w->len < len - 1 ? w->len : len - 1;

	memcpy(buf, w->s, n);
	buf[n] = '\0';
	return buf;
}

#define WSTR(w) word_str(w, (char[96]){ 0 }, 96)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Split (line) into words. A '#' that begins a word starts a comment, except
 * right after "=>", where it begins an outcome such as #GP.
 */
static int split_words(struct tp *tp, char *line, struct words *w)
{
	char *p = line;

	w->n = 0;
	for (;;) {
		char *start;

		while (is_blank(*p))
			p++;
		if (!*p)
			return 0;
		if (*p == '#' && !(w->n && word_is(&w->w[w->n - 1], "=>")))
			return 0;
		if (w->n == MAX_WORDS)
			return perr(tp, (unsigned int)(p - line) + 1,
				    "more than %d words on one line", MAX_WORDS);
		start = p;
		while (*p && !is_blank(*p))
			p++;
		w->w[w->n].s = start;
		w->w[w->n].len = (size_t)(p - start);
		w->w[w->n].col = (unsigned int)(start - line) + 1;
		w->n++;
		if (*p)
			*p++ = '\0';
	}
}

/* ---------------------------------------------------------------------- */
/* Numbers, bytes, paths                                                  */
/* ---------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal, or hex after 0x. Return: 0, -EINVAL (not a number), -ERANGE. */
static int num_scan(const char *s, size_t len, uint64_t *ret)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = hexval(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*ret = v;
	return 0;
}

static int parse_num(struct tp *tp, const struct word *w, uint64_t max, uint64_t *ret)
{
	int r = num_scan(w->s, w->len, ret);

	if (r == -EINVAL)
		return perr(tp, w->col, "expected a number (decimal or 0x-hex), not '%s'", WSTR(w));
	if (r || *ret > max)
		return perr(tp, w->col, "%s is too large here (at most 0x%llx)", WSTR(w),
			    (unsigned long long)max);
	return 0;
}

/* Exactly (len) bytes as 2*len hex digits, or any whole number of bytes if (len) is 0. */
static int parse_bytes(struct tp *tp, const struct word *w, size_t len, uint8_t **ret,
		       size_t *ret_len)
{
	size_t n = w->len / 2;
	uint8_t *b;

	if (!w->len || (w->len & 1) || (len && n != len)) {
		if (len)
			return perr(tp, w->col, "expected %zu bytes as %zu hex digits, not '%s'",
				    len, 2 * len, WSTR(w));
		return perr(tp, w->col, "expected bytes as pairs of hex digits, not '%s'", WSTR(w));
	}
	b = malloc(n);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(w->s[2 * i]), lo = hexval(w->s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return perr(tp, w->col + 2 * (unsigned int)i,
				    "'%s' is not hex bytes (write them without 0x)", WSTR(w));
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret = b;
	*ret_len = n;
	return 0;
}

/* Paths: "$VECTORS/..." from the options, others relative to the trace's directory. */
static int parse_path(struct tp *tp, const struct word *w, char **ret)
{
	static const char var[] = "$VECTORS";
	const char *dir = tp->opts->basedir ? tp->opts->basedir : ".";
	struct word rest = *w;
	int n;

	if (w->len && w->s[0] == '$') {
		if (w->len < sizeof(var) - 1 || memcmp(w->s, var, sizeof(var) - 1) ||
		    (w->len > sizeof(var) - 1 && w->s[sizeof(var) - 1] != '/'))
			return perr(tp, w->col, "unknown variable in '%s': only $VECTORS is known",
				    WSTR(w));
		if (!tp->opts->vectors)
			return perr(tp, w->col,
				    "$VECTORS is not set: pass --vectors DIR or set VSGX_VECTORS");
		dir = tp->opts->vectors;
		rest = word_sub(w, sizeof(var), w->len > sizeof(var) ? w->len : sizeof(var));
	} else if (w->len && w->s[0] == '/') {
		dir = "";
		rest = word_sub(w, 1, w->len);
	}
	n = asprintf(ret, "%s/%.*s", dir, (int)rest.len, rest.s);
	return n < 0 ? -ENOMEM : 0;
}

/* ---------------------------------------------------------------------- */
/* Labels and addresses                                                   */
/* ---------------------------------------------------------------------- */

static bool label_name_ok(const struct word *w)
{
	if (!w->len || !(isalpha((unsigned char)w->s[0]) || w->s[0] == '_'))
		return false;
	for (size_t i = 1; i < w->len; i++) {
		if (!isalnum((unsigned char)w->s[i]) && w->s[i] != '_')
			return false;
	}
	return !word_is(w, "ram");
}

static struct trace_label *label_find(struct trace *t, const struct word *name)
{
	for (size_t i = 0; i < t->nr_labels; i++) {
		if (word_is(name, t->labels[i].name))
			return &t->labels[i];
	}
	return NULL;
}

static struct trace_label *label_at(struct trace *t, uint64_t pa)
{
	for (size_t i = 0; i < t->nr_labels; i++) {
		if (t->labels[i].pa == pa)
			return &t->labels[i];
	}
	return NULL;
}

static int epc_section_of(const struct hw_desc *d, uint64_t pa)
{
	for (unsigned int i = 0; i < d->nr_sections; i++) {
		if (pa >= d->sections[i].base && pa - d->sections[i].base < d->sections[i].size)
			return (int)i;
	}
	return -1;
}

/* Was (pa) already handed out by the automatic allocator? */
static bool epc_allocated(const struct trace *t, uint64_t pa)
{
	int s = epc_section_of(&t->desc, pa);

	if (s < 0)
		return false;
	return (unsigned int)s < t->alloc_sec ||
	       ((unsigned int)s == t->alloc_sec && pa - t->desc.sections[s].base < t->alloc_off);
}

/* The next EPC page no label holds, in section order. */
static int epc_next(struct tp *tp, unsigned int col, uint64_t *ret)
{
	struct trace *t = tp->t;

	while (t->alloc_sec < t->desc.nr_sections) {
		const struct hw_epc_section_desc *s = &t->desc.sections[t->alloc_sec];
		uint64_t pa = s->base + t->alloc_off;

		if (t->alloc_off >= s->size) {
			t->alloc_sec++;
			t->alloc_off = 0;
			continue;
		}
		t->alloc_off += SGX_PAGE_SIZE;
		if (!label_at(t, pa)) {
			*ret = pa;
			return 0;
		}
	}
	return perr(tp, col, "no EPC page left to give this label: the EPC is full");
}

static int label_add(struct tp *tp, const struct word *name, uint64_t pa, bool explicit_pa,
		     struct trace_label **ret)
{
	struct trace *t = tp->t;
	struct trace_label *l;
	int r;

	r = trace_grow((void **)&t->labels, &t->cap_labels, t->nr_labels, sizeof(*t->labels));
	if (r)
		return r;
	l = &t->labels[t->nr_labels];
	memset(l, 0, sizeof(*l));
	l->name = strndup(name->s, name->len);
	if (!l->name)
		return -ENOMEM;
	l->pa = pa;
	l->line = tp->line;
	l->explicit_pa = explicit_pa;
	t->nr_labels++;
	*ret = l;
	return 0;
}

/* NAME@ADDR: bind NAME to the EPC page at ADDR, or check it is bound there. */
static int label_bind_at(struct tp *tp, const struct word *name, const struct word *at,
			 struct trace_label **ret)
{
	struct trace_label *l = label_find(tp->t, name), *other;
	uint64_t pa;
	int r;

	r = parse_num(tp, at, UINT64_MAX, &pa);
	if (r)
		return r;
	if (l) {
		if (l->pa != pa)
			return perr(tp, name->col, "label '%s' is already page 0x%llx (line %u)",
				    l->name, (unsigned long long)l->pa, l->line);
		*ret = l;
		return 0;
	}
	if ((pa & ~SGX_PAGE_MASK) || epc_section_of(&tp->t->desc, pa) < 0)
		return perr(tp, at->col, "a label names an EPC page: 0x%llx is not one",
			    (unsigned long long)pa);
	other = label_at(tp->t, pa);
	if (other)
		return perr(tp, at->col, "page 0x%llx is already label '%s' (line %u)",
			    (unsigned long long)pa, other->name, other->line);
	if (epc_allocated(tp->t, pa))
		return perr(tp, at->col,
			    "page 0x%llx was already given to an earlier label or enclave; pick "
			    "another",
			    (unsigned long long)pa);
	return label_add(tp, name, pa, true, ret);
}

/* NAME: its page; a new NAME gets the next free page when (autobind). */
static int label_use(struct tp *tp, const struct word *name, bool autobind,
		     struct trace_label **ret)
{
	uint64_t pa;
	int r;

	if (!label_name_ok(name))
		return perr(tp, name->col,
			    "expected an address (number, ram or a label) or a label name, not "
			    "'%s'",
			    WSTR(name));
	*ret = label_find(tp->t, name);
	if (*ret)
		return 0;
	if (!autobind)
		return perr(tp, name->col,
			    "unknown label '%s': create its page first, or bind it with %s@ADDR",
			    WSTR(name), WSTR(name));
	r = epc_next(tp, name->col, &pa);
	if (r)
		return r;
	return label_add(tp, name, pa, false, ret);
}

/*
 * An address: BASE or BASE+OFFSET, where BASE is a number, "ram" (the
 * runner's RAM), a label, or NAME@ADDR binding a label. (ret_label) gets
 * the label used, even with an offset, or NULL.
 */
static int parse_addr(struct tp *tp, const struct word *w, bool autobind, uint64_t *ret,
		      struct trace_label **ret_label)
{
	const char *plus = word_find(w, '+');
	size_t blen = plus ? (size_t)(plus - w->s) : w->len;
	struct word base = word_sub(w, 0, blen);
	const char *at = word_find(&base, '@');
	struct trace_label *l = NULL;
	uint64_t off = 0;
	int r;

	if (plus) {
		struct word ow = word_sub(w, blen + 1, w->len);

		r = parse_num(tp, &ow, UINT64_MAX, &off);
		if (r)
			return r;
	}
	if (base.len && isdigit((unsigned char)base.s[0])) {
		r = parse_num(tp, &base, UINT64_MAX, ret);
	} else if (word_is(&base, "ram")) {
		*ret = TRACE_RAM_BASE;
		r = 0;
	} else if (at) {
		struct word name = word_sub(&base, 0, (size_t)(at - base.s));
		struct word aw = word_sub(&base, name.len + 1, base.len);

		r = label_name_ok(&name) ? label_bind_at(tp, &name, &aw, &l)
					 : perr(tp, name.col, "bad label name '%s'", WSTR(&name));
	} else {
		r = label_use(tp, &base, autobind, &l);
	}
	if (r)
		return r;
	if (l)
		*ret = l->pa;
	if (*ret + off < *ret)
		return perr(tp, w->col, "address %s wraps around", WSTR(w));
	*ret += off;
	if (ret_label)
		*ret_label = l;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Options                                                                */
/* ---------------------------------------------------------------------- */

enum opt_kind {
	OPT_FIELD, /* a number, little-endian into a structure */
	OPT_BYTES, /* hex bytes into a structure */
	OPT_ADDR,  /* an address, little-endian into a structure */
	OPT_PLACE, /* where a structure lives (and what points to it) */
	OPT_NUM,   /* a number the command's builder reads */
	OPT_SADDR, /* an address the builder reads */
	OPT_WORD,  /* a word the builder reads */
	OPT_PATH,  /* a file the builder reads */
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	int8_t blob;
	uint16_t off;
	uint16_t size;
};

struct blob_def {
	const char *name;
	uint32_t size;
	uint32_t ram_off;
};

struct opt_val {
	const struct opt_def *def; /* NULL: a raw patch NAME[OFF] */
	struct word key;
	struct word val;
	int blob;
	uint64_t off;
};

struct opt_vals {
	struct opt_val v[MAX_WORDS];
	unsigned int n;
};

struct op_def;
typedef int (*build_fn)(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			const struct word *args, unsigned int nargs, const struct opt_vals *v);

struct op_def {
	const char *name;
	enum trace_op op;
	unsigned int min_args, max_args;
	const char *usage;
	const struct opt_def *const *opts; /* NULL-terminated list of NULL-terminated tables */
	const struct blob_def *blobs;
	unsigned int nr_blobs;
	build_fn build;
};

/* The operands of ECREATE and EADD, and where they live by default. */
enum { B_SRC, B_SECINFO, B_PAGEINFO };
static const struct blob_def page_blobs[] = {
	[B_SRC] = { "srcpge", SGX_PAGE_SIZE, 0x0000 },
	[B_SECINFO] = { "secinfo", sizeof(struct sgx_secinfo), 0x2040 },
	[B_PAGEINFO] = { "pageinfo", sizeof(struct sgx_pageinfo), 0x2000 },
};

enum { B_SIG, B_TOKEN };
static const struct blob_def einit_blobs[] = {
	[B_SIG] = { "sig", sizeof(struct sgx_sigstruct), 0x1000 },
	[B_TOKEN] = { "token", sizeof(struct sgx_einittoken), 0x2200 },
};

#define F(name, blob, off, size)                                                                   \
	{                                                                                          \
		name, OPT_FIELD, blob, off, size                                                   \
	}
#define B(name, blob, off, size)                                                                   \
	{                                                                                          \
		name, OPT_BYTES, blob, off, size                                                   \
	}
#define S(name, kind)                                                                              \
	{                                                                                          \
		name, kind, -1, 0, 0                                                               \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, 0, 0                                                                   \
	}

static const struct opt_def pageinfo_opts[] = {
	{ "linaddr", OPT_ADDR, B_PAGEINFO, 0, 8 },
	{ "secs", OPT_ADDR, B_PAGEINFO, 24, 8 },
	{ "srcpge", OPT_PLACE, B_SRC, 0, 0 },
	{ "secinfo", OPT_PLACE, B_SECINFO, 0, 0 },
	{ "rbx", OPT_PLACE, B_PAGEINFO, 0, 0 },
	S("type", OPT_WORD),
	S("perm", OPT_WORD),
	F("secinfo.flags", B_SECINFO, 0, 8),
	END,
};

static const struct opt_def secs_opts[] = {
	F("size", B_SRC, 0, 8),
	F("base", B_SRC, 8, 8),
	F("ssa", B_SRC, 16, 4),
	F("miscselect", B_SRC, 20, 4),
	F("attributes", B_SRC, 48, 8),
	F("xfrm", B_SRC, 56, 8),
	B("configid", B_SRC, 192, 64),
	F("isvprodid", B_SRC, 256, 2),
	F("isvsvn", B_SRC, 258, 2),
	F("configsvn", B_SRC, 260, 2),
	END,
};

static const struct opt_def tcs_opts[] = {
	S("fill", OPT_NUM),
	F("tcs.state", B_SRC, 0, 8),
	F("tcs.flags", B_SRC, 8, 8),
	F("tcs.ossa", B_SRC, 16, 8),
	F("tcs.cssa", B_SRC, 24, 4),
	F("tcs.nssa", B_SRC, 28, 4),
	F("tcs.oentry", B_SRC, 32, 8),
	F("tcs.aep", B_SRC, 40, 8),
	F("tcs.ofsbase", B_SRC, 48, 8),
	F("tcs.ogsbase", B_SRC, 56, 8),
	F("tcs.fslimit", B_SRC, 64, 4),
	F("tcs.gslimit", B_SRC, 68, 4),
	END,
};

static const struct opt_def sig_opts[] = {
	S("sig", OPT_PATH),
	{ "rbx", OPT_PLACE, B_SIG, 0, 0 },
	F("sig.vendor", B_SIG, 16, 4),
	F("sig.date", B_SIG, 20, 4),
	F("sig.swdefined", B_SIG, 40, 4),
	F("sig.exponent", B_SIG, 512, 4),
	F("sig.miscselect", B_SIG, 900, 4),
	F("sig.miscmask", B_SIG, 904, 4),
	B("sig.isvfamilyid", B_SIG, 912, 16),
	F("sig.attributes", B_SIG, 928, 8),
	F("sig.xfrm", B_SIG, 936, 8),
	F("sig.attributemask", B_SIG, 944, 8),
	F("sig.xfrmmask", B_SIG, 952, 8),
	B("sig.enclavehash", B_SIG, 960, 32),
	B("sig.isvextprodid", B_SIG, 1008, 16),
	F("sig.isvprodid", B_SIG, 1024, 2),
	F("sig.isvsvn", B_SIG, 1026, 2),
	END,
};

static const struct opt_def token_opts[] = {
	S("token", OPT_WORD),
	{ "rdx", OPT_PLACE, B_TOKEN, 0, 0 },
	F("token.valid", B_TOKEN, 0, 4),
	F("token.attributes", B_TOKEN, 48, 8),
	F("token.xfrm", B_TOKEN, 56, 8),
	B("token.mrenclave", B_TOKEN, 64, 32),
	B("token.mrsigner", B_TOKEN, 128, 32),
	B("token.cpusvnle", B_TOKEN, 192, 16),
	F("token.isvprodidle", B_TOKEN, 208, 2),
	F("token.isvsvnle", B_TOKEN, 210, 2),
	F("token.miscselectle", B_TOKEN, 236, 4),
	F("token.attributesle", B_TOKEN, 240, 8),
	F("token.xfrmle", B_TOKEN, 248, 8),
	B("token.keyid", B_TOKEN, 256, 32),
	B("token.mac", B_TOKEN, 288, 16),
	END,
};

static const struct opt_def count_opts[] = { S("count", OPT_NUM), END };
static const struct opt_def epa_opts[] = { S("rbx", OPT_NUM), END };
static const struct opt_def encls_opts[] = {
	S("rbx", OPT_SADDR),
	S("rcx", OPT_SADDR),
	S("rdx", OPT_SADDR),
	END,
};
static const struct opt_def sgxs_opts[] = {
	S("sig", OPT_PATH), S("base", OPT_NUM),	      S("attributes", OPT_NUM),
	S("xfrm", OPT_NUM), S("miscselect", OPT_NUM), END,
};

static const struct opt_def *const ecreate_tables[] = { pageinfo_opts, secs_opts, NULL };
static const struct opt_def *const eadd_tables[] = { pageinfo_opts, tcs_opts, NULL };
static const struct opt_def *const einit_tables[] = { sig_opts, token_opts, NULL };
static const struct opt_def *const eextend_tables[] = { count_opts, NULL };
static const struct opt_def *const epa_tables[] = { epa_opts, NULL };
static const struct opt_def *const encls_tables[] = { encls_opts, NULL };
static const struct opt_def *const sgxs_tables[] = { sgxs_opts, NULL };

static const struct opt_def *opt_lookup(const struct op_def *od, const struct word *key)
{
	for (const struct opt_def *const *tab = od->opts; tab && *tab; tab++) {
		for (const struct opt_def *d = *tab; d->name; d++) {
			if (word_is(key, d->name))
				return d;
		}
	}
	return NULL;
}

/* NAME[OFF]: raw bytes for one of the command's structures. */
static int opt_raw_key(struct tp *tp, const struct op_def *od, const struct word *key,
		       struct opt_val *v)
{
	const char *open = word_find(key, '[');
	struct word name, off;

	if (!open || key->s[key->len - 1] != ']')
		return 1;
	name = word_sub(key, 0, (size_t)(open - key->s));
	off = word_sub(key, name.len + 1, key->len - 1);
	for (unsigned int i = 0; i < od->nr_blobs; i++) {
		if (word_is(&name, od->blobs[i].name)) {
			v->blob = (int)i;
			return parse_num(tp, &off, od->blobs[i].size - 1, &v->off);
		}
	}
	return perr(tp, key->col, "%s has no structure '%s' to patch", od->name, WSTR(&name));
}

static int opt_collect(struct tp *tp, const struct op_def *od, const struct word *w,
		       struct opt_vals *vals)
{
	const char *eq = word_find(w, '=');
	struct opt_val *v = &vals->v[vals->n];
	int r;

	memset(v, 0, sizeof(*v));
	v->key = word_sub(w, 0, (size_t)(eq - w->s));
	v->val = word_sub(w, v->key.len + 1, w->len);
	if (!v->key.len)
		return perr(tp, w->col, "'%s' has no option name before '='", WSTR(w));
	if (!v->val.len)
		return perr(tp, v->val.col, "option '%s' needs a value after '='", WSTR(&v->key));
	v->def = opt_lookup(od, &v->key);
	if (!v->def) {
		r = opt_raw_key(tp, od, &v->key, v);
		if (r > 0)
			return perr(tp, w->col, "%s has no option '%s'", od->name, WSTR(&v->key));
		if (r)
			return r;
	}
	for (unsigned int i = 0; v->def && i < vals->n; i++) {
		if (vals->v[i].def == v->def)
			return perr(tp, w->col, "option '%s' is given twice", v->def->name);
	}
	vals->n++;
	return 0;
}

static const struct opt_val *vals_find(const struct opt_vals *v, const char *name)
{
	for (unsigned int i = 0; i < v->n; i++) {
		if (v->v[i].def && !strcmp(v->v[i].def->name, name))
			return &v->v[i];
	}
	return NULL;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int blobs_init(const struct op_def *od, struct trace_cmd *cmd)
{
	for (unsigned int i = 0; i < od->nr_blobs; i++) {
		struct trace_blob *b = &cmd->blob[i];

		b->len = od->blobs[i].size;
		b->la = TRACE_RAM_BASE + od->blobs[i].ram_off;
		b->bytes = calloc(1, b->len);
		if (!b->bytes)
			return -ENOMEM;
		cmd->nr_blobs = i + 1;
	}
	return 0;
}

static int vals_place(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v)
{
	for (unsigned int i = 0; i < v->n; i++) {
		const struct opt_def *d = v->v[i].def;
		int r;

		if (!d || d->kind != OPT_PLACE)
			continue;
		r = parse_addr(tp, &v->v[i].val, false, &cmd->blob[d->blob].la, NULL);
		if (r)
			return r;
	}
	return 0;
}

static int field_apply(struct tp *tp, struct trace_blob *b, const struct opt_val *ov)
{
	const struct opt_def *d = ov->def;
	uint8_t *bytes;
	uint64_t x;
	size_t n;
	int r;

	switch (d->kind) {
	case OPT_FIELD:
		r = parse_num(tp, &ov->val, d->size < 8 ? (1ULL << (8 * d->size)) - 1 : UINT64_MAX,
			      &x);
		break;
	case OPT_ADDR:
		r = parse_addr(tp, &ov->val, false, &x, NULL);
		break;
	case OPT_BYTES:
		r = parse_bytes(tp, &ov->val, d->size, &bytes, &n);
		if (!r) {
			memcpy(b->bytes + d->off, bytes, n);
			free(bytes);
		}
		return r;
	default:
		return 0;
	}
	if (!r)
		put_le(b->bytes + d->off, x, d->size);
	return r;
}

/* Named fields of structure (blob), in the order the line gives them. */
static int vals_fields(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v, int blob)
{
	for (unsigned int i = 0; i < v->n; i++) {
		int r;

		if (!v->v[i].def || v->v[i].def->blob != blob)
			continue;
		r = field_apply(tp, &cmd->blob[blob], &v->v[i]);
		if (r)
			return r;
	}
	return 0;
}

/* Raw NAME[OFF]=BYTES patches, kept for the runner to apply last. */
static int vals_raw(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v)
{
	for (unsigned int i = 0; i < v->n; i++) {
		const struct opt_val *ov = &v->v[i];
		struct trace_blob *b;
		struct trace_patch *p;
		size_t n;
		int r;

		if (ov->def)
			continue;
		b = &cmd->blob[ov->blob];
		p = realloc(b->raw, (b->nr_raw + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->raw = p;
		p = &b->raw[b->nr_raw];
		r = parse_bytes(tp, &ov->val, 0, &p->bytes, &n);
		if (r)
			return r;
		b->nr_raw++;
		p->off = (uint32_t)ov->off;
		p->len = (uint32_t)n;
		if (ov->off + n > b->len)
			return perr(tp, ov->val.col,
				    "%zu bytes at offset %llu run past the end of %s "
				    "(%u bytes)",
				    n, (unsigned long long)ov->off, WSTR(&ov->key), b->len);
	}
	return 0;
}

static int val_num(struct tp *tp, const struct opt_vals *v, const char *name, uint64_t max,
		   uint64_t dflt, uint64_t *ret)
{
	const struct opt_val *ov = vals_find(v, name);

	*ret = dflt;
	return ov ? parse_num(tp, &ov->val, max, ret) : 0;
}

/* ---------------------------------------------------------------------- */
/* ECREATE and EADD                                                       */
/* ---------------------------------------------------------------------- */

/* perm=rx and friends: any of r, w, x once each, or "none". */
static int parse_perm(struct tp *tp, const struct word *w, uint64_t *ret)
{
	*ret = 0;
	if (word_is(w, "none"))
		return 0;
	for (size_t i = 0; i < w->len; i++) {
		const char *p = strchr("rwx", w->s[i]);
		uint64_t bit = p && *p ? 1ULL << (p - "rwx") : 0;

		if (!bit || (*ret & bit))
			return perr(tp, w->col + (unsigned int)i,
				    "perm is r, w and x at most once each, or none; not '%s'",
				    WSTR(w));
		*ret |= bit;
	}
	return 0;
}

static int parse_type(struct tp *tp, const struct word *w, uint64_t *ret)
{
	int pt = trace_pt_lookup(w->s, w->len);

	if (pt >= 0) {
		*ret = (uint64_t)pt;
		return 0;
	}
	if (w->len && isdigit((unsigned char)w->s[0]))
		return parse_num(tp, w, 0xff, ret);
	return perr(tp, w->col,
		    "unknown page type '%s': secs, tcs, reg, va, trim, ss_first, ss_rest or a "
		    "number",
		    WSTR(w));
}

/* SECINFO.FLAGS from type= and perm=. */
static int secinfo_flags(struct tp *tp, const struct opt_vals *v, unsigned int dflt_pt,
			 uint64_t *ret)
{
	const struct opt_val *type = vals_find(v, "type"), *perm = vals_find(v, "perm");
	uint64_t pt = dflt_pt, bits = 0;
	int r = 0;

	if (type)
		r = parse_type(tp, &type->val, &pt);
	if (!r && perm)
		r = parse_perm(tp, &perm->val, &bits);
	*ret = SGX_SECINFO_PT(pt) | bits;
	return r;
}

/* ECREATE's default SECS: a valid 64-bit enclave of 16 KiB. */
static void secs_default(struct sgx_secs *s)
{
	s->size = 0x4000;
	s->base = 0x40000000;
	s->ssa_frame_size = 1;
	s->attributes.flags = SGX_ATTR_MODE64BIT;
	s->attributes.xfrm = SGX_XFRM_LEGACY;
}

/*
 * PAGEINFO, SECINFO and the source page: ECREATE's SECS image (default_pt
 * SECS) or EADD's page, filled with fill= and then named fields.
 */
static int build_page_operands(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			       const struct opt_vals *v, unsigned int dflt_pt)
{
	struct sgx_pageinfo pi = { 0 };
	uint64_t fill, flags;
	int r;

	r = blobs_init(od, cmd);
	if (!r)
		r = vals_place(tp, cmd, v);
	if (!r)
		r = val_num(tp, v, "fill", 0xff, 0, &fill);
	if (r)
		return r;
	if (dflt_pt == SGX_PT_SECS)
		secs_default((struct sgx_secs *)cmd->blob[B_SRC].bytes);
	else
		memset(cmd->blob[B_SRC].bytes, (int)fill, SGX_PAGE_SIZE);
	r = vals_fields(tp, cmd, v, B_SRC);
	if (!r)
		r = secinfo_flags(tp, v, dflt_pt, &flags);
	if (r)
		return r;
	memcpy(cmd->blob[B_SECINFO].bytes, &flags, sizeof(flags));
	r = vals_fields(tp, cmd, v, B_SECINFO);
	if (r)
		return r;
	pi.srcpge = cmd->blob[B_SRC].la;
	pi.secinfo = cmd->blob[B_SECINFO].la;
	memcpy(cmd->blob[B_PAGEINFO].bytes, &pi, sizeof(pi));
	r = vals_fields(tp, cmd, v, B_PAGEINFO);
	if (!r)
		r = vals_raw(tp, cmd, v);
	cmd->reg[TREG_RBX] = cmd->blob[B_PAGEINFO].la;
	return r;
}

/* Remember what a SECS page was created with, for minted tokens. */
static void label_note_secs(struct trace_label *l, const struct sgx_secs *secs)
{
	if (!l)
		return;
	l->has_secs = true;
	l->attributes = secs->attributes;
}

static int build_ecreate(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	struct trace_label *l;
	int r;

	(void)nargs;
	r = parse_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], &l);
	if (!r)
		r = build_page_operands(tp, od, cmd, v, SGX_PT_SECS);
	if (!r)
		label_note_secs(l, (const struct sgx_secs *)cmd->blob[B_SRC].bytes);
	return r;
}

static int build_eadd(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)nargs;
	if (!vals_find(v, "secs") || !vals_find(v, "linaddr"))
		return perr(tp, tp->cmd_col, "eadd needs secs=SECS and linaddr=ADDR");
	r = parse_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = build_page_operands(tp, od, cmd, v, SGX_PT_REG);
	return r;
}

/* ---------------------------------------------------------------------- */
/* EINIT                                                                  */
/* ---------------------------------------------------------------------- */

/* Keep a SIGSTRUCT read from a file for the life of the trace. */
static int sig_load(struct tp *tp, const struct word *w, struct sgx_sigstruct **ret)
{
	struct trace *t = tp->t;
	struct sgx_sigstruct *s;
	char why[256], *path;
	int r;

	r = parse_path(tp, w, &path);
	if (r)
		return r;
	r = trace_grow((void **)&t->sigs, &t->cap_sigs, t->nr_sigs, sizeof(*t->sigs));
	s = r ? NULL : malloc(sizeof(*s));
	if (!s) {
		free(path);
		return -ENOMEM;
	}
	t->sigs[t->nr_sigs++] = s;
	r = sigstruct_load(path, s, why, sizeof(why));
	if (r)
		r = perr_code(tp, w->col, r, "%s: %s", path, why);
	free(path);
	*ret = s;
	return r;
}

static int einit_sig(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v,
		     const struct trace_label *l)
{
	const struct opt_val *ov = vals_find(v, "sig");
	struct sgx_sigstruct *s;
	int r;

	if (!ov) {
		if (!l || !l->sig)
			return perr(tp, tp->cmd_col,
				    "einit needs sig=FILE (its SECS was not built by 'sgxs ... "
				    "sig=FILE')");
		memcpy(cmd->blob[B_SIG].bytes, l->sig, sizeof(*l->sig));
		return 0;
	}
	r = sig_load(tp, &ov->val, &s);
	if (!r)
		memcpy(cmd->blob[B_SIG].bytes, s, sizeof(*s));
	return r;
}

/*
 * The token a launch enclave would issue for this SIGSTRUCT and SECS. Its
 * MAC needs the issuing CPU's launch key as EINIT runs: the runner adds it.
 */
static int token_mint(struct tp *tp, const struct trace_label *l, const struct sgx_sigstruct *sig,
		      struct sgx_einittoken *tok)
{
	tok->valid = SGX_EINITTOKEN_VALID;
	if (l && l->has_secs)
		tok->attributes = l->attributes;
	memcpy(tok->mrenclave, sig->enclave_hash, sizeof(tok->mrenclave));
	if (crypto_sha256(sig->modulus, sizeof(sig->modulus), tok->mrsigner))
		return -ENOMEM;
	memcpy(tok->cpusvn_le, tp->t->desc.cpusvn, sizeof(tok->cpusvn_le));
	tok->masked_attributes_le.flags = SGX_ATTR_MODE64BIT | SGX_ATTR_EINITTOKENKEY;
	tok->masked_attributes_le.xfrm = SGX_XFRM_LEGACY;
	return 0;
}

static int einit_token(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v,
		       const struct trace_label *l)
{
	const struct opt_val *ov = vals_find(v, "token");

	if (!ov || word_is(&ov->val, "zero"))
		return 0;
	if (!word_is(&ov->val, "mint"))
		return perr(tp, ov->val.col, "token is zero or mint, not '%s'", WSTR(&ov->val));
	cmd->blob[B_TOKEN].mint = true;
	return token_mint(tp, l, (const struct sgx_sigstruct *)cmd->blob[B_SIG].bytes,
			  (struct sgx_einittoken *)cmd->blob[B_TOKEN].bytes);
}

static int build_einit(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	struct trace_label *l;
	int r;

	(void)nargs;
	r = parse_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], &l);
	if (!r)
		r = blobs_init(od, cmd);
	if (!r)
		r = vals_place(tp, cmd, v);
	if (!r)
		r = einit_sig(tp, cmd, v, l);
	if (!r)
		r = vals_fields(tp, cmd, v, B_SIG);
	if (!r)
		r = einit_token(tp, cmd, v, l);
	if (!r)
		r = vals_fields(tp, cmd, v, B_TOKEN);
	if (!r)
		r = vals_raw(tp, cmd, v);
	cmd->reg[TREG_RBX] = cmd->blob[B_SIG].la;
	cmd->reg[TREG_RDX] = cmd->blob[B_TOKEN].la;
	return r;
}

/* ---------------------------------------------------------------------- */
/* The other leaves                                                       */
/* ---------------------------------------------------------------------- */

static int build_eextend(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)nargs;
	r = parse_addr(tp, &args[0], false, &cmd->reg[TREG_RBX], NULL);
	if (!r)
		r = parse_addr(tp, &args[1], false, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = val_num(tp, v, "count", 1u << 20, 1, &cmd->count);
	if (!r && !cmd->count)
		r = perr(tp, vals_find(v, "count")->val.col, "count must be at least 1");
	return r;
}

static int build_eremove(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			 const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)nargs;
	(void)v;
	return parse_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
}

static int build_epa(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)nargs;
	r = parse_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], NULL);
	if (!r)
		r = val_num(tp, v, "rbx", UINT64_MAX, SGX_PT_VA, &cmd->reg[TREG_RBX]);
	return r;
}

static int build_encls(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	static const char *const regs[] = {
		[TREG_RBX] = "rbx", [TREG_RCX] = "rcx", [TREG_RDX] = "rdx"
	};
	int r;

	(void)od;
	(void)nargs;
	r = parse_num(tp, &args[0], UINT64_MAX, &cmd->reg[TREG_RAX]);
	for (int i = TREG_RBX; !r && i <= TREG_RDX; i++) {
		const struct opt_val *ov = vals_find(v, regs[i]);

		if (ov)
			r = parse_addr(tp, &ov->val, false, &cmd->reg[i], NULL);
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* sgxs: an enclave built from a measurement stream                       */
/* ---------------------------------------------------------------------- */

static int sgxs_read(struct tp *tp, const struct word *w, struct sgxs **ret)
{
	char why[256], *path;
	int r;

	r = parse_path(tp, w, &path);
	if (r)
		return r;
	r = sgxs_load(path, ret, why, sizeof(why));
	if (r)
		r = perr_code(tp, w->col, r, "%s: %s", path, why);
	free(path);
	return r;
}

/* The SECS the loader creates: from the SIGSTRUCT, then the line's overrides. */
static int sgxs_secs(struct tp *tp, const struct opt_vals *v, struct trace_sgxs *sg,
		     const struct sgx_sigstruct *sig)
{
	struct sgx_sigstruct dflt = { 0 };
	uint64_t base, x;
	int r;

	if (!sig) {
		dflt.attributes.flags = SGX_ATTR_MODE64BIT;
		dflt.attributes.xfrm = SGX_XFRM_LEGACY;
		sig = &dflt;
	}
	base = loader_default_base(sg->sgxs->size, sig->attributes.flags & SGX_ATTR_MODE64BIT);
	r = val_num(tp, v, "base", UINT64_MAX, base, &base);
	if (r)
		return r;
	loader_secs_init(&sg->secs, sg->sgxs, sig, base);
	r = val_num(tp, v, "attributes", UINT64_MAX, sg->secs.attributes.flags, &x);
	sg->secs.attributes.flags = x;
	if (!r)
		r = val_num(tp, v, "xfrm", UINT64_MAX, sg->secs.attributes.xfrm, &x);
	sg->secs.attributes.xfrm = x;
	if (!r)
		r = val_num(tp, v, "miscselect", UINT32_MAX, sg->secs.miscselect, &x);
	sg->secs.miscselect = (uint32_t)x;
	return r;
}

/* The SECS page, then one page per EADD, all handed out now. */
static int sgxs_pages(struct tp *tp, struct trace_sgxs *sg, uint64_t secs_pa, unsigned int col)
{
	sg->nr_pages = sg->sgxs->nr_eadd + 1;
	sg->pages = calloc(sg->nr_pages, sizeof(*sg->pages));
	if (!sg->pages)
		return -ENOMEM;
	sg->pages[0] = secs_pa;
	for (size_t i = 1; i < sg->nr_pages; i++) {
		int r = epc_next(tp, col, &sg->pages[i]);

		if (r)
			return r;
	}
	return 0;
}

static int build_sgxs(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	const struct opt_val *sigv = vals_find(v, "sig");
	struct sgx_sigstruct *sig = NULL;
	struct trace_label *l;
	int r;

	(void)od;
	(void)nargs;
	cmd->sgxs = calloc(1, sizeof(*cmd->sgxs));
	if (!cmd->sgxs)
		return -ENOMEM;
	r = parse_addr(tp, &args[0], true, &cmd->reg[TREG_RCX], &l);
	if (!r && (!l || word_find(&args[0], '+')))
		r = perr(tp, args[0].col, "sgxs names its SECS page with a label");
	if (!r)
		r = sgxs_read(tp, &args[1], &cmd->sgxs->sgxs);
	if (!r && sigv)
		r = sig_load(tp, &sigv->val, &sig);
	if (!r)
		r = sgxs_secs(tp, v, cmd->sgxs, sig);
	if (!r)
		r = sgxs_pages(tp, cmd->sgxs, l->pa, args[0].col);
	if (r)
		return r;
	label_note_secs(l, &cmd->sgxs->secs);
	l->sig = sig;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* MSRs, CPUID, events, the raw enclave markers, reset                    */
/* ---------------------------------------------------------------------- */

static int build_msr(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		     const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)v;
	r = parse_num(tp, &args[0], UINT32_MAX, &cmd->reg[TREG_RCX]);
	if (!r && od->op == TOP_WRMSR)
		r = parse_num(tp, &args[1], UINT64_MAX, &cmd->reg[TREG_RAX]);
	(void)nargs;
	return r;
}

static int build_cpuid(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	int r;

	(void)od;
	(void)v;
	r = parse_num(tp, &args[0], UINT32_MAX, &cmd->reg[TREG_RAX]);
	if (!r && nargs > 1)
		r = parse_num(tp, &args[1], UINT32_MAX, &cmd->reg[TREG_RCX]);
	return r;
}

static int build_event(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)nargs;
	(void)v;
	if (word_is(&args[0], "on") || word_is(&args[0], "off")) {
		cmd->count = word_is(&args[0], "on");
		return 0;
	}
	return perr(tp, args[0].col, "pending-event takes on or off, not '%s'", WSTR(&args[0]));
}

static int build_enter(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		       const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)od;
	(void)nargs;
	(void)v;
	return parse_addr(tp, &args[0], false, &cmd->reg[TREG_RCX], NULL);
}

static int build_none(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		      const struct word *args, unsigned int nargs, const struct opt_vals *v)
{
	(void)tp;
	(void)od;
	(void)cmd;
	(void)args;
	(void)nargs;
	(void)v;
	return 0;
}

#define PAGE_BLOBS  page_blobs, 3
#define EINIT_BLOBS einit_blobs, 2

static const struct op_def op_defs[] = {
	{ "ecreate", TOP_ECREATE, 1, 1, "ecreate TARGET [OPTION=VALUE...]", ecreate_tables,
	  PAGE_BLOBS, build_ecreate },
	{ "eadd", TOP_EADD, 1, 1, "eadd TARGET secs=SECS linaddr=ADDR [OPTION=VALUE...]",
	  eadd_tables, PAGE_BLOBS, build_eadd },
	{ "eextend", TOP_EEXTEND, 2, 2, "eextend SECS CHUNK [count=N]", eextend_tables, NULL, 0,
	  build_eextend },
	{ "einit", TOP_EINIT, 1, 1, "einit SECS [sig=FILE] [token=zero|mint] [OPTION=VALUE...]",
	  einit_tables, EINIT_BLOBS, build_einit },
	{ "eremove", TOP_EREMOVE, 1, 1, "eremove PAGE", NULL, NULL, 0, build_eremove },
	{ "epa", TOP_EPA, 1, 1, "epa TARGET [rbx=PT]", epa_tables, NULL, 0, build_epa },
	{ "encls", TOP_ENCLS, 1, 1, "encls LEAF [rbx=X] [rcx=X] [rdx=X]", encls_tables, NULL, 0,
	  build_encls },
	{ "sgxs", TOP_SGXS, 2, 2, "sgxs LABEL FILE.sgxs [sig=FILE] [OPTION=VALUE...]", sgxs_tables,
	  NULL, 0, build_sgxs },
	{ "rdmsr", TOP_RDMSR, 1, 1, "rdmsr MSR", NULL, NULL, 0, build_msr },
	{ "wrmsr", TOP_WRMSR, 2, 2, "wrmsr MSR VALUE", NULL, NULL, 0, build_msr },
	{ "cpuid", TOP_CPUID, 1, 2, "cpuid LEAF [SUBLEAF]", NULL, NULL, 0, build_cpuid },
	{ "pending-event", TOP_EVENT, 1, 1, "pending-event on|off", NULL, NULL, 0, build_event },
	{ "enter", TOP_ENTER, 1, 1, "enter SECS", NULL, NULL, 0, build_enter },
	{ "exit", TOP_EXIT, 0, 0, "exit", NULL, NULL, 0, build_none },
	{ "reset", TOP_RESET, 0, 0, "reset", NULL, NULL, 0, build_none },
};

static const struct op_def *op_find(const struct word *w)
{
	for (size_t i = 0; i < sizeof(op_defs) / sizeof(op_defs[0]); i++) {
		if (word_is(w, op_defs[i].name))
			return &op_defs[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* expect                                                                 */
/* ---------------------------------------------------------------------- */

static int canon_perm(struct tp *tp, const struct word *w, char **ret)
{
	char buf[TRACE_PERM_LEN];
	uint64_t bits;
	int r = parse_perm(tp, w, &bits);

	if (r)
		return r;
	trace_perm_format(bits & 1, bits & 2, bits & 4, buf);
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

static int canon_hash(struct tp *tp, const struct word *w, char **ret)
{
	uint8_t *b;
	size_t n;
	int r = parse_bytes(tp, w, SGX_HASH_SIZE, &b, &n);

	if (r)
		return r;
	*ret = malloc(2 * n + 1);
	if (*ret) {
		for (size_t i = 0; i < n; i++)
			snprintf(*ret + 2 * i, 3, "%02x", b[i]);
	}
	free(b);
	return *ret ? 0 : -ENOMEM;
}

/* The expected value of a field, written the way the runner prints actual ones. */
static int canon_value(struct tp *tp, enum trace_field_kind kind, const struct word *w, char **ret)
{
	uint64_t x;
	int r;

	switch (kind) {
	case TFK_PERM:
		return canon_perm(tp, w, ret);
	case TFK_HASH:
		return canon_hash(tp, w, ret);
	case TFK_PT:
		r = parse_type(tp, w, &x);
		if (!r && trace_pt_name((unsigned int)x))
			return (*ret = strdup(trace_pt_name((unsigned int)x))) ? 0 : -ENOMEM;
		break;
	case TFK_ADDR:
		r = parse_addr(tp, w, false, &x, NULL);
		break;
	default:
		r = parse_num(tp, w, kind == TFK_BOOL ? 1 : UINT64_MAX, &x);
		break;
	}
	if (r)
		return r;
	r = asprintf(ret,
		     kind == TFK_COUNT || kind == TFK_BOOL || kind == TFK_PT ? "%llu" : "0x%llx",
		     (unsigned long long)x);
	return r < 0 ? -ENOMEM : 0;
}

static int expect_check(struct tp *tp, struct trace_cmd *cmd, const struct word *w)
{
	const char *eq = word_find(w, '=');
	struct word key, val;
	const struct trace_field *f;
	unsigned int nf, i;
	struct trace_check *c;

	if (!eq)
		return perr(tp, w->col, "expected FIELD=VALUE, not '%s'", WSTR(w));
	key = word_sub(w, 0, (size_t)(eq - w->s));
	val = word_sub(w, key.len + 1, w->len);
	f = trace_subject_fields(cmd->subject, &nf);
	for (i = 0; i < nf && !word_is(&key, f[i].name); i++)
		;
	if (i == nf)
		return perr(tp, w->col, "no field '%s' to expect here", WSTR(&key));
	if (!val.len)
		return perr(tp, val.col, "field '%s' needs a value", f[i].name);
	c = &cmd->checks[cmd->nr_checks];
	for (unsigned int j = 0; j < cmd->nr_checks; j++) {
		if (cmd->checks[j].field == i)
			return perr(tp, w->col, "field '%s' is expected twice", f[i].name);
	}
	c->field = i;
	cmd->nr_checks++;
	/* An MSR that does not exist reads as the fault it raises. */
	if (cmd->subject == TSUB_MSR && word_is(&val, "#GP"))
		return (c->want = strdup("#GP")) ? 0 : -ENOMEM;
	return canon_value(tp, f[i].kind, &val, &c->want);
}

static int expect_subject(struct tp *tp, struct trace_cmd *cmd, const struct word *w,
			  unsigned int n, unsigned int *used)
{
	static const char *const names[] = { [TSUB_EPCM] = "epcm",
					     [TSUB_ENCLAVE] = "enclave",
					     [TSUB_MSR] = "msr",
					     [TSUB_CPUID] = "cpuid" };
	unsigned int s;

	for (s = 0; s < 4 && !word_is(&w[0], names[s]); s++)
		;
	if (s == 4)
		return perr(tp, w[0].col, "expect what? epcm, enclave, msr or cpuid, not '%s'",
			    WSTR(&w[0]));
	cmd->subject = s;
	if (n < 2 || word_find(&w[1], '='))
		return perr(tp, w[0].col, "expect %s needs %s", names[s],
			    s == TSUB_MSR     ? "an MSR number"
			    : s == TSUB_CPUID ? "a leaf"
					      : "a page");
	*used = 2;
	if (s == TSUB_EPCM || s == TSUB_ENCLAVE)
		return parse_addr(tp, &w[1], false, &cmd->reg[TREG_RCX], NULL);
	if (s == TSUB_MSR)
		return parse_num(tp, &w[1], UINT32_MAX, &cmd->reg[TREG_RCX]);
	if (n > 2 && !word_find(&w[2], '=')) {
		*used = 3;
		if (parse_num(tp, &w[2], UINT32_MAX, &cmd->reg[TREG_RCX]))
			return -EINVAL;
	}
	return parse_num(tp, &w[1], UINT32_MAX, &cmd->reg[TREG_RAX]);
}

/* expect SUBJECT WHAT FIELD=VALUE... (w[0] is the subject). */
static int parse_expect(struct tp *tp, struct trace_cmd *cmd, const struct word *w, unsigned int n)
{
	unsigned int used = 0;
	int r;

	cmd->op = TOP_EXPECT;
	if (!n)
		return perr(tp, tp->cmd_col, "expect needs epcm, enclave, msr or cpuid");
	r = expect_subject(tp, cmd, w, n, &used);
	if (r)
		return r;
	if (used == n)
		return perr(tp, tp->cmd_col, "expect needs at least one FIELD=VALUE to check");
	cmd->checks = calloc(n - used, sizeof(*cmd->checks));
	if (!cmd->checks)
		return -ENOMEM;
	for (unsigned int i = used; i < n; i++) {
		r = expect_check(tp, cmd, &w[i]);
		if (r)
			return r;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* processor                                                              */
/* ---------------------------------------------------------------------- */

/* epc=BASE+SIZE[@NODE] */
static int proc_epc(struct tp *tp, const struct word *w, struct hw_desc *d, bool *seen)
{
	const char *plus = word_find(w, '+'), *at = word_find(w, '@');
	struct hw_epc_section_desc *s;
	struct word base, size, node;
	uint64_t x;
	int r;

	if (!plus || (at && at < plus))
		return perr(tp, w->col, "epc is BASE+SIZE[@NODE], not '%s'", WSTR(w));
	if (!*seen)
		d->nr_sections = 0;
	*seen = true;
	if (d->nr_sections == SGX_MAX_EPC_SECTIONS)
		return perr(tp, w->col, "at most %d EPC sections", SGX_MAX_EPC_SECTIONS);
	s = &d->sections[d->nr_sections++];
	memset(s, 0, sizeof(*s));
	base = word_sub(w, 0, (size_t)(plus - w->s));
	size = word_sub(w, base.len + 1, at ? (size_t)(at - w->s) : w->len);
	r = parse_num(tp, &base, UINT64_MAX, &s->base);
	if (!r)
		r = parse_num(tp, &size, UINT64_MAX, &s->size);
	if (!r && at) {
		node = word_sub(w, (size_t)(at - w->s) + 1, w->len);
		r = parse_num(tp, &node, HW_MAX_NODES - 1, &x);
		s->node = (uint32_t)x;
	}
	return r;
}

static int proc_cpusvn(struct tp *tp, const struct word *w, struct hw_desc *d)
{
	uint8_t *b;
	size_t n;
	int r = parse_bytes(tp, w, SGX_CPUSVN_SIZE, &b, &n);

	if (!r) {
		memcpy(d->cpusvn, b, n);
		free(b);
	}
	return r;
}

enum proc_opt {
	P_EPC,
	P_CPUS,
	P_SGX2,
	P_FLC,
	P_FEATURE_CONTROL,
	P_MISCSELECT,
	P_ATTRIBUTES,
	P_XFRM,
	P_MAXSIZE32,
	P_MAXSIZE64,
	P_CPUSVN,
	P_SEED,
	P_MAX,
};

static const char *const proc_names[P_MAX] = {
	[P_EPC] = "epc",
	[P_CPUS] = "cpus",
	[P_SGX2] = "sgx2",
	[P_FLC] = "flc",
	[P_FEATURE_CONTROL] = "feature_control",
	[P_MISCSELECT] = "miscselect",
	[P_ATTRIBUTES] = "attributes",
	[P_XFRM] = "xfrm",
	[P_MAXSIZE32] = "maxsize32",
	[P_MAXSIZE64] = "maxsize64",
	[P_CPUSVN] = "cpusvn",
	[P_SEED] = "seed",
};

struct proc_state {
	struct hw_desc *d;
	bool epc_seen;
	uint32_t seen; /* bit per option, to refuse repeats */
};

/* Options that are numbers: their limit, and the field of the description. */
static int proc_number(struct tp *tp, enum proc_opt o, const struct word *v, struct hw_desc *d)
{
	uint64_t x;
	int r;

	switch (o) {
	case P_SGX2:
	case P_FLC:
		r = parse_num(tp, v, 1, &x);
		*(o == P_SGX2 ? &d->sgx2 : &d->flc) = x;
		return r;
	case P_CPUS:
		r = parse_num(tp, v, HW_MAX_CPUS, &x);
		d->nr_cpus = (unsigned int)x;
		return r;
	case P_MISCSELECT:
		r = parse_num(tp, v, UINT32_MAX, &x);
		d->miscselect = (uint32_t)x;
		return r;
	case P_MAXSIZE32:
	case P_MAXSIZE64:
		r = parse_num(tp, v, 63, &x);
		*(o == P_MAXSIZE32 ? &d->max_enclave_size_32 : &d->max_enclave_size_64) =
		    (uint8_t)x;
		return r;
	default:
		break;
	}
	r = parse_num(tp, v, UINT64_MAX, &x);
	*(o == P_FEATURE_CONTROL ? &d->feature_control
	  : o == P_ATTRIBUTES	 ? &d->attributes
	  : o == P_XFRM		 ? &d->xfrm
				 : &d->seed) = x;
	return r;
}

static int proc_apply(struct tp *tp, struct proc_state *ps, enum proc_opt o, const struct word *v)
{
	if (o == P_EPC)
		return proc_epc(tp, v, ps->d, &ps->epc_seen);
	if (o == P_CPUSVN)
		return proc_cpusvn(tp, v, ps->d);
	return proc_number(tp, o, v, ps->d);
}

static int proc_option(struct tp *tp, struct proc_state *ps, const struct word *w)
{
	const char *eq = word_find(w, '=');
	struct word key = word_sub(w, 0, eq ? (size_t)(eq - w->s) : w->len);
	struct word val = eq ? word_sub(w, key.len + 1, w->len) : (struct word){ "1", 1, w->col };
	unsigned int o;

	for (o = 0; o < P_MAX && !word_is(&key, proc_names[o]); o++)
		;
	if (o == P_MAX)
		return perr(tp, w->col, "processor has no option '%s'", WSTR(&key));
	if (!eq && o != P_SGX2 && o != P_FLC)
		return perr(tp, w->col, "option '%s' needs a value: %s=VALUE", proc_names[o],
			    proc_names[o]);
	if (o != P_EPC && (ps->seen & (1u << o)))
		return perr(tp, w->col, "option '%s' is given twice", proc_names[o]);
	ps->seen |= 1u << o;
	if (!val.len)
		return perr(tp, val.col, "option '%s' needs a value after '='", proc_names[o]);
	return proc_apply(tp, ps, (enum proc_opt)o, &val);
}

/* The processor's EPC must not hide the runner's RAM. */
static int proc_check(struct tp *tp, const struct hw_desc *d)
{
	char why[200];

	if (hw_desc_check(d, why, sizeof(why)))
		return perr(tp, tp->cmd_col, "no such processor: %s", why);
	for (unsigned int i = 0; i < d->nr_sections; i++) {
		const struct hw_epc_section_desc *s = &d->sections[i];

		if (s->base < TRACE_RAM_BASE + TRACE_RAM_SIZE && TRACE_RAM_BASE < s->base + s->size)
			return perr(tp, tp->cmd_col,
				    "EPC section %u overlaps the runner's RAM at 0x%llx..0x%llx", i,
				    TRACE_RAM_BASE, TRACE_RAM_BASE + TRACE_RAM_SIZE - 1);
	}
	return 0;
}

static int parse_processor(struct tp *tp, const struct words *w)
{
	struct proc_state ps = { &tp->t->desc, false, 0 };
	int r;

	if (tp->t->have_processor || tp->t->nr_cmds)
		return perr(tp, w->w[0].col,
			    "processor describes the part the trace runs on: it comes once, "
			    "before any command");
	tp->t->have_processor = true;
	for (unsigned int i = 1; i < w->n; i++) {
		r = proc_option(tp, &ps, &w->w[i]);
		if (r)
			return r;
	}
	/* A part without FLC cannot have firmware enable launch control on it. */
	if (!(ps.seen & (1u << P_FEATURE_CONTROL)) && !ps.d->flc)
		ps.d->feature_control &= ~FEAT_CTL_SGX_LC_ENABLED;
	return proc_check(tp, ps.d);
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                  */
/* ---------------------------------------------------------------------- */

static int cmd_new(struct tp *tp, struct trace_cmd **ret)
{
	struct trace *t = tp->t;
	int r;

	r = trace_grow((void **)&t->cmds, &t->cap_cmds, t->nr_cmds, sizeof(*t->cmds));
	if (r)
		return r;
	*ret = &t->cmds[t->nr_cmds++];
	memset(*ret, 0, sizeof(**ret));
	(*ret)->line = tp->line;
	return 0;
}

/* The words before "=>", joined by single spaces, as the runner prints them. */
static int cmd_text(struct trace_cmd *cmd, const struct words *w, unsigned int end)
{
	size_t len = 0;
	char *p;

	for (unsigned int i = 0; i < end; i++)
		len += w->w[i].len + 1;
	cmd->text = p = malloc(len + 1);
	if (!p)
		return -ENOMEM;
	for (unsigned int i = 0; i < end; i++) {
		memcpy(p, w->w[i].s, w->w[i].len);
		p += w->w[i].len;
		*p++ = ' ';
	}
	p[end ? -1 : 0] = '\0';
	return 0;
}

/* Where "=>" is, if anywhere, and that exactly one outcome follows it. */
static int find_arrow(struct tp *tp, const struct words *w, unsigned int *ret)
{
	*ret = w->n;
	for (unsigned int i = 0; i < w->n; i++) {
		const struct word *x = &w->w[i];

		if (x->len > 2 && !memcmp(x->s, "=>", 2))
			return perr(tp, x->col, "put a space between '=>' and the outcome");
		if (!word_is(x, "=>"))
			continue;
		if (i + 1 == w->n)
			return perr(tp, x->col, "'=>' needs an outcome after it");
		if (i + 2 < w->n)
			return perr(tp, w->w[i + 2].col,
				    "'%s' after the outcome: one outcome per line (comments start "
				    "with '#')",
				    WSTR(&w->w[i + 2]));
		*ret = i;
		return 0;
	}
	return 0;
}

static int parse_outcome(struct tp *tp, const struct word *w, struct trace_outcome *o)
{
	uint64_t x;

	if (w->len > 5 && !memcmp(w->s, "#PF(", 4) && w->s[w->len - 1] == ')') {
		struct word a = word_sub(w, 4, w->len - 1);

		o->kind = TRACE_FAULT;
		o->value = X86_TRAP_PF;
		o->has_addr = true;
		return parse_addr(tp, &a, false, &o->addr, NULL);
	}
	if (w->len && isdigit((unsigned char)w->s[0])) {
		if (parse_num(tp, w, INT32_MAX, &x))
			return -EINVAL;
		o->kind = TRACE_CODE;
		o->value = (int)x;
		return 0;
	}
	if (!trace_outcome_lookup(w->s, w->len, o))
		return 0;
	return perr(tp, w->col,
		    "unknown outcome '%s': expected ok, an SGX_* name or number, #GP, #PF, "
		    "#PF(ADDR), #UD, EINVAL, EBUSY or ENOENT",
		    WSTR(w));
}

static int parse_cpu_prefix(struct tp *tp, const struct words *w, unsigned int *i,
			    struct trace_cmd *cmd)
{
	uint64_t n;
	int r;

	if (!word_is(&w->w[0], "cpu"))
		return 0;
	if (w->n < 3)
		return perr(tp, w->w[0].col, "expected 'cpu N COMMAND ...'");
	r = parse_num(tp, &w->w[1], UINT32_MAX, &n);
	if (r)
		return r;
	if (n >= tp->t->desc.nr_cpus)
		return perr(tp, w->w[1].col, "cpu %llu: the processor has CPUs 0 to %u",
			    (unsigned long long)n, tp->t->desc.nr_cpus - 1);
	if (word_is(&w->w[2], "processor"))
		return perr(tp, w->w[2].col, "processor takes no cpu prefix");
	cmd->cpu = (unsigned int)n;
	*i = 2;
	return 0;
}

/* Arguments, then OPTION=VALUE words; builds the command. */
static int parse_op(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		    const struct word *w, unsigned int n)
{
	struct opt_vals vals;
	unsigned int nargs = 0;
	int r;

	while (nargs < n && !word_find(&w[nargs], '='))
		nargs++;
	if (nargs < od->min_args || nargs > od->max_args)
		return perr(tp, tp->cmd_col, "expected '%s'", od->usage);
	vals.n = 0;
	for (unsigned int i = nargs; i < n; i++) {
		if (!word_find(&w[i], '='))
			return perr(tp, w[i].col, "'%s': arguments come before OPTION=VALUE words",
				    WSTR(&w[i]));
		if (!od->opts)
			return perr(tp, w[i].col, "%s takes no options", od->name);
		r = opt_collect(tp, od, &w[i], &vals);
		if (r)
			return r;
	}
	cmd->op = od->op;
	return od->build(tp, od, cmd, w, nargs, &vals);
}

static int parse_command(struct tp *tp, const struct words *w)
{
	const struct op_def *od;
	struct trace_cmd *cmd;
	unsigned int i = 0, end;
	int r;

	r = cmd_new(tp, &cmd);
	if (!r)
		r = parse_cpu_prefix(tp, w, &i, cmd);
	if (!r)
		r = find_arrow(tp, w, &end);
	if (!r)
		r = cmd_text(cmd, w, end);
	if (r)
		return r;
	tp->cmd_col = w->w[i].col;
	if (word_is(&w->w[i], "expect")) {
		if (end != w->n)
			return perr(tp, w->w[end].col, "expect checks fields; it takes no '=>'");
		return parse_expect(tp, cmd, &w->w[i + 1], end - i - 1);
	}
	od = op_find(&w->w[i]);
	if (!od)
		return perr(tp, w->w[i].col, "unknown command '%s'", WSTR(&w->w[i]));
	r = parse_op(tp, od, cmd, &w->w[i + 1], end - i - 1);
	if (r || end == w->n)
		return r;
	cmd->has_want = true;
	return parse_outcome(tp, &w->w[end + 1], &cmd->want);
}

static int parse_line(struct tp *tp, char *line)
{
	struct words w;
	int r;

	r = split_words(tp, line, &w);
	if (r || !w.n)
		return r;
	tp->cmd_col = w.w[0].col;
	if (word_is(&w.w[0], "processor"))
		return parse_processor(tp, &w);
	return parse_command(tp, &w);
}

static int parse_text(struct tp *tp, char *text)
{
	char *line = text;

	for (tp->line = 1; line; tp->line++) {
		char *nl = strchr(line, '\n');
		int r;

		if (nl)
			*nl = '\0';
		r = parse_line(tp, line);
		if (r)
			return r;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int trace_new(const char *name, const struct trace_opts *opts, struct trace **ret)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->name = strdup(name);
	t->basedir = strdup(opts->basedir ? opts->basedir : ".");
	if (!t->name || !t->basedir) {
		trace_free(t);
		return -ENOMEM;
	}
	hw_desc_init_default(&t->desc);
	*ret = t;
	return 0;
}

/* Where in (text) a NUL byte sits, as line and column. */
static int nul_position(struct tp *tp, const char *text, size_t at)
{
	unsigned int line = 1, col = 1;

	for (size_t i = 0; i < at; i++, col++) {
		if (text[i] == '\n') {
			line++;
			col = 0;
		}
	}
	tp->line = line;
	return perr(tp, col, "a NUL byte: a trace is text");
}

int trace_parse(const char *name, const char *text, size_t len, const struct trace_opts *opts,
		struct trace **ret, char *why, size_t why_len)
{
	struct tp tp = { .opts = opts, .why = why, .why_len = why_len };
	const char *nul = memchr(text, '\0', len);
	int r;

	*ret = NULL;
	r = trace_new(name, opts, &tp.t);
	if (r)
		return r;
	if (nul) {
		r = nul_position(&tp, text, (size_t)(nul - text));
		goto err_free;
	}
	tp.t->buf = malloc(len + 1);
	if (!tp.t->buf) {
		r = -ENOMEM;
		goto err_free;
	}
	memcpy(tp.t->buf, text, len);
	tp.t->buf[len] = '\0';
	r = parse_text(&tp, tp.t->buf);
	if (r)
		goto err_free;
	*ret = tp.t;
	return 0;

err_free:
	if (r == -ENOMEM && why && why_len)
		snprintf(why, why_len, "%s: out of memory", name);
	trace_free(tp.t);
	return r;
}
