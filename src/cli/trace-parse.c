/* SPDX-License-Identifier: MIT */
/*
 * The trace parser: lines, words, values, labels, the processor line and
 * expect; trace-ops.c builds each command's operands. docs/trace-format.md
 * is the grammar these files implement; keep them in step.
 */
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace-int.h"
#include "trace-parse.h"
#include "vsgx/encls.h"

#define MAX_WORDS 64

struct words {
	struct word w[MAX_WORDS];
	unsigned int n;
};

int tp_err_code(struct tp *tp, unsigned int col, int code, const char *fmt, ...)
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

/* ---------------------------------------------------------------------- */
/* Words                                                                  */
/* ---------------------------------------------------------------------- */

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
			return tp_err(tp, (unsigned int)(p - line) + 1,
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
		int d = cli_hex_digit(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*ret = v;
	return 0;
}

int tp_num(struct tp *tp, const struct word *w, uint64_t max, uint64_t *ret)
{
	int r = num_scan(w->s, w->len, ret);

	if (r == -EINVAL)
		return tp_err(tp, w->col, "expected a number (decimal or 0x-hex), not '%s'",
			      WSTR(w));
	if (r || *ret > max)
		return tp_err(tp, w->col, "%s is too large here (at most 0x%llx)", WSTR(w),
			      (unsigned long long)max);
	return 0;
}

/* Exactly (len) bytes as 2*len hex digits, or any whole number of bytes if (len) is 0. */
int tp_bytes(struct tp *tp, const struct word *w, size_t len, uint8_t **ret, size_t *ret_len)
{
	size_t n = w->len / 2;
	uint8_t *b;

	if (!w->len || (w->len & 1) || (len && n != len)) {
		if (len)
			return tp_err(tp, w->col, "expected %zu byte%s as %zu hex digits, not '%s'",
				      len, cli_s(len), 2 * len, WSTR(w));
		return tp_err(tp, w->col, "expected bytes as pairs of hex digits, not '%s'",
			      WSTR(w));
	}
	b = malloc(n);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int hi = cli_hex_digit(w->s[2 * i]), lo = cli_hex_digit(w->s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return tp_err(tp, w->col + 2 * (unsigned int)i,
				      "'%s' is not hex bytes (write them without 0x)", WSTR(w));
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret = b;
	*ret_len = n;
	return 0;
}

/* Paths: "$VECTORS/..." from the options, others relative to the trace's directory. */
int tp_path(struct tp *tp, const struct word *w, char **ret)
{
	static const char var[] = "$VECTORS";
	const char *dir = tp->opts->basedir ? tp->opts->basedir : ".";
	struct word rest = *w;
	int n;

	if (w->len && w->s[0] == '$') {
		if (w->len < sizeof(var) - 1 || memcmp(w->s, var, sizeof(var) - 1) ||
		    (w->len > sizeof(var) - 1 && w->s[sizeof(var) - 1] != '/'))
			return tp_err(tp, w->col,
				      "unknown variable in '%s': only $VECTORS is known", WSTR(w));
		if (!tp->opts->vectors)
			return tp_err(
			    tp, w->col,
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
int tp_epc_next(struct tp *tp, unsigned int col, uint64_t *ret)
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
	return tp_err(tp, col, "no EPC page left to give this label: the EPC is full");
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

	r = tp_num(tp, at, UINT64_MAX, &pa);
	if (r)
		return r;
	if (l) {
		if (l->pa != pa)
			return tp_err(tp, name->col, "label '%s' is already page 0x%llx (line %u)",
				      l->name, (unsigned long long)l->pa, l->line);
		*ret = l;
		return 0;
	}
	if ((pa & ~SGX_PAGE_MASK) || epc_section_of(&tp->t->desc, pa) < 0)
		return tp_err(tp, at->col, "a label names an EPC page: 0x%llx is not one",
			      (unsigned long long)pa);
	other = label_at(tp->t, pa);
	if (other)
		return tp_err(tp, at->col, "page 0x%llx is already label '%s' (line %u)",
			      (unsigned long long)pa, other->name, other->line);
	if (epc_allocated(tp->t, pa))
		return tp_err(tp, at->col,
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
		return tp_err(tp, name->col,
			      "expected an address (number, ram or a label) or a label name, not "
			      "'%s'",
			      WSTR(name));
	*ret = label_find(tp->t, name);
	if (*ret)
		return 0;
	if (!autobind)
		return tp_err(tp, name->col,
			      "unknown label '%s': create its page first, or bind it with %s@ADDR",
			      WSTR(name), WSTR(name));
	r = tp_epc_next(tp, name->col, &pa);
	if (r)
		return r;
	return label_add(tp, name, pa, false, ret);
}

/*
 * An address: BASE or BASE+OFFSET, where BASE is a number, "ram" (the
 * runner's RAM), a label, or NAME@ADDR binding a label. (ret_label) gets
 * the label used, even with an offset, or NULL.
 */
int tp_addr(struct tp *tp, const struct word *w, bool autobind, uint64_t *ret,
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

		r = tp_num(tp, &ow, UINT64_MAX, &off);
		if (r)
			return r;
	}
	if (base.len && isdigit((unsigned char)base.s[0])) {
		r = tp_num(tp, &base, UINT64_MAX, ret);
	} else if (word_is(&base, "ram")) {
		*ret = TRACE_RAM_BASE;
		r = 0;
	} else if (at) {
		struct word name = word_sub(&base, 0, (size_t)(at - base.s));
		struct word aw = word_sub(&base, name.len + 1, base.len);

		r = label_name_ok(&name) ? label_bind_at(tp, &name, &aw, &l)
					 : tp_err(tp, name.col, "bad label name '%s'", WSTR(&name));
	} else {
		r = label_use(tp, &base, autobind, &l);
	}
	if (r)
		return r;
	if (l)
		*ret = l->pa;
	if (*ret + off < *ret)
		return tp_err(tp, w->col, "address %s wraps around", WSTR(w));
	*ret += off;
	if (ret_label)
		*ret_label = l;
	return 0;
}

/* perm=rx and friends: any of r, w, x once each, or "none". */
int tp_perm(struct tp *tp, const struct word *w, uint64_t *ret)
{
	*ret = 0;
	if (word_is(w, "none"))
		return 0;
	for (size_t i = 0; i < w->len; i++) {
		const char *p = strchr("rwx", w->s[i]);
		uint64_t bit = p && *p ? 1ULL << (p - "rwx") : 0;

		if (!bit || (*ret & bit))
			return tp_err(tp, w->col + (unsigned int)i,
				      "perm is r, w and x at most once each, or none; not '%s'",
				      WSTR(w));
		*ret |= bit;
	}
	return 0;
}

int tp_type(struct tp *tp, const struct word *w, uint64_t *ret)
{
	int pt = trace_pt_lookup(w->s, w->len);

	if (pt >= 0) {
		*ret = (uint64_t)pt;
		return 0;
	}
	if (w->len && isdigit((unsigned char)w->s[0]))
		return tp_num(tp, w, 0xff, ret);
	return tp_err(tp, w->col,
		      "unknown page type '%s': secs, tcs, reg, va, trim, ss_first, ss_rest or a "
		      "number",
		      WSTR(w));
}

/* ---------------------------------------------------------------------- */
/* expect                                                                 */
/* ---------------------------------------------------------------------- */

static int canon_perm(struct tp *tp, const struct word *w, char **ret)
{
	char buf[TRACE_PERM_LEN];
	uint64_t bits;
	int r = tp_perm(tp, w, &bits);

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
	int r = tp_bytes(tp, w, SGX_HASH_SIZE, &b, &n);

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
		r = tp_type(tp, w, &x);
		if (!r && trace_pt_name((unsigned int)x))
			return (*ret = strdup(trace_pt_name((unsigned int)x))) ? 0 : -ENOMEM;
		break;
	case TFK_ADDR:
		r = tp_addr(tp, w, false, &x, NULL);
		break;
	default:
		r = tp_num(tp, w, kind == TFK_BOOL ? 1 : UINT64_MAX, &x);
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
		return tp_err(tp, w->col, "expected FIELD=VALUE, not '%s'", WSTR(w));
	key = word_sub(w, 0, (size_t)(eq - w->s));
	val = word_sub(w, key.len + 1, w->len);
	f = trace_subject_fields(cmd->subject, &nf);
	for (i = 0; i < nf && !word_is(&key, f[i].name); i++)
		;
	if (i == nf)
		return tp_err(tp, w->col, "no field '%s' to expect here", WSTR(&key));
	if (!val.len)
		return tp_err(tp, val.col, "field '%s' needs a value", f[i].name);
	c = &cmd->checks[cmd->nr_checks];
	for (unsigned int j = 0; j < cmd->nr_checks; j++) {
		if (cmd->checks[j].field == i)
			return tp_err(tp, w->col, "field '%s' is expected twice", f[i].name);
	}
	c->field = i;
	cmd->nr_checks++;
	/* An MSR that does not exist reads as the fault it raises. */
	if (cmd->subject == TSUB_MSR && word_is(&val, "#GP"))
		return (c->want = strdup("#GP")) ? 0 : -ENOMEM;
	return canon_value(tp, f[i].kind, &val, &c->want);
}

static const char *const subject_names[] = {
	[TSUB_EPCM] = "epcm",
	[TSUB_ENCLAVE] = "enclave",
	[TSUB_MSR] = "msr",
	[TSUB_CPUID] = "cpuid",
};

static const char *const subject_args[] = {
	[TSUB_EPCM] = "a page",
	[TSUB_ENCLAVE] = "a page",
	[TSUB_MSR] = "an MSR number",
	[TSUB_CPUID] = "a leaf",
};

/* What an expect looks at: a page, an MSR, or a CPUID leaf and sub-leaf. */
static int expect_what(struct tp *tp, struct trace_cmd *cmd, const struct word *w, unsigned int n,
		       unsigned int *used)
{
	int r;

	*used = 2;
	if (cmd->subject == TSUB_EPCM || cmd->subject == TSUB_ENCLAVE)
		return tp_addr(tp, &w[1], false, &cmd->reg[TREG_RCX], NULL);
	if (cmd->subject == TSUB_MSR)
		return tp_num(tp, &w[1], UINT32_MAX, &cmd->reg[TREG_RCX]);
	r = tp_num(tp, &w[1], UINT32_MAX, &cmd->reg[TREG_RAX]);
	if (r || n < 3 || word_find(&w[2], '='))
		return r;
	*used = 3;
	return tp_num(tp, &w[2], UINT32_MAX, &cmd->reg[TREG_RCX]);
}

static int expect_subject(struct tp *tp, struct trace_cmd *cmd, const struct word *w,
			  unsigned int n, unsigned int *used)
{
	unsigned int s;

	for (s = 0; s <= TSUB_CPUID && !word_is(&w[0], subject_names[s]); s++)
		;
	if (s > TSUB_CPUID)
		return tp_err(tp, w[0].col, "expect what? epcm, enclave, msr or cpuid, not '%s'",
			      WSTR(&w[0]));
	cmd->subject = s;
	if (n < 2 || word_find(&w[1], '='))
		return tp_err(tp, w[0].col, "expect %s needs %s", subject_names[s],
			      subject_args[s]);
	return expect_what(tp, cmd, w, n, used);
}

/* expect SUBJECT WHAT FIELD=VALUE... (w[0] is the subject). */
static int parse_expect(struct tp *tp, struct trace_cmd *cmd, const struct word *w, unsigned int n)
{
	unsigned int used = 0;
	int r;

	cmd->op = TOP_EXPECT;
	if (!n)
		return tp_err(tp, tp->cmd_col, "expect needs epcm, enclave, msr or cpuid");
	r = expect_subject(tp, cmd, w, n, &used);
	if (r)
		return r;
	if (used == n)
		return tp_err(tp, tp->cmd_col, "expect needs at least one FIELD=VALUE to check");
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
		return tp_err(tp, w->col, "epc is BASE+SIZE[@NODE], not '%s'", WSTR(w));
	if (!*seen)
		d->nr_sections = 0;
	*seen = true;
	if (d->nr_sections == SGX_MAX_EPC_SECTIONS)
		return tp_err(tp, w->col, "at most %d EPC sections", SGX_MAX_EPC_SECTIONS);
	s = &d->sections[d->nr_sections++];
	memset(s, 0, sizeof(*s));
	base = word_sub(w, 0, (size_t)(plus - w->s));
	size = word_sub(w, base.len + 1, at ? (size_t)(at - w->s) : w->len);
	r = tp_num(tp, &base, UINT64_MAX, &s->base);
	if (!r)
		r = tp_num(tp, &size, UINT64_MAX, &s->size);
	if (r || !at)
		return r;
	node = word_sub(w, (size_t)(at - w->s) + 1, w->len);
	r = tp_num(tp, &node, HW_MAX_NODES - 1, &x);
	s->node = r ? 0 : (uint32_t)x;
	return r;
}

static int proc_cpusvn(struct tp *tp, const struct word *w, struct hw_desc *d)
{
	uint8_t *b;
	size_t n;
	int r = tp_bytes(tp, w, SGX_CPUSVN_SIZE, &b, &n);

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
	P_OVERSUB,
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
	[P_OVERSUB] = "oversub",
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

/* The largest value each numeric option takes. */
static uint64_t proc_max(enum proc_opt o)
{
	switch (o) {
	case P_SGX2:
	case P_FLC:
	case P_OVERSUB:
		return 1;
	case P_CPUS:
		return HW_MAX_CPUS;
	case P_MISCSELECT:
		return UINT32_MAX;
	case P_MAXSIZE32:
	case P_MAXSIZE64:
		return 63;
	default:
		return UINT64_MAX;
	}
}

static void proc_set(struct hw_desc *d, enum proc_opt o, uint64_t x)
{
	switch (o) {
	case P_SGX2:
		d->sgx2 = x;
		break;
	case P_FLC:
		d->flc = x;
		break;
	case P_OVERSUB:
		d->oversub = x;
		break;
	case P_CPUS:
		d->nr_cpus = (unsigned int)x;
		break;
	case P_FEATURE_CONTROL:
		d->feature_control = x;
		break;
	case P_MISCSELECT:
		d->miscselect = (uint32_t)x;
		break;
	case P_ATTRIBUTES:
		d->attributes = x;
		break;
	case P_XFRM:
		d->xfrm = x;
		break;
	case P_MAXSIZE32:
		d->max_enclave_size_32 = (uint8_t)x;
		break;
	case P_MAXSIZE64:
		d->max_enclave_size_64 = (uint8_t)x;
		break;
	default:
		d->seed = x;
		break;
	}
}

static int proc_number(struct tp *tp, enum proc_opt o, const struct word *v, struct hw_desc *d)
{
	uint64_t x;
	int r = tp_num(tp, v, proc_max(o), &x);

	if (!r)
		proc_set(d, o, x);
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
		return tp_err(tp, w->col, "processor has no option '%s'", WSTR(&key));
	if (!eq && o != P_SGX2 && o != P_FLC && o != P_OVERSUB)
		return tp_err(tp, w->col, "option '%s' needs a value: %s=VALUE", proc_names[o],
			      proc_names[o]);
	if (o != P_EPC && (ps->seen & (1u << o)))
		return tp_err(tp, w->col, "option '%s' is given twice", proc_names[o]);
	ps->seen |= 1u << o;
	if (!val.len)
		return tp_err(tp, val.col, "option '%s' needs a value after '='", proc_names[o]);
	return proc_apply(tp, ps, (enum proc_opt)o, &val);
}

/* The processor's EPC must not hide the runner's RAM. */
static int proc_check(struct tp *tp, const struct hw_desc *d)
{
	char why[200];

	if (hw_desc_check(d, why, sizeof(why)))
		return tp_err(tp, tp->cmd_col, "no such processor: %s", why);
	for (unsigned int i = 0; i < d->nr_sections; i++) {
		const struct hw_epc_section_desc *s = &d->sections[i];

		if (s->base < TRACE_RAM_BASE + TRACE_RAM_SIZE && TRACE_RAM_BASE < s->base + s->size)
			return tp_err(tp, tp->cmd_col,
				      "EPC section %u overlaps the runner's RAM at 0x%llx..0x%llx",
				      i, TRACE_RAM_BASE, TRACE_RAM_BASE + TRACE_RAM_SIZE - 1);
	}
	return 0;
}

static int parse_processor(struct tp *tp, const struct words *w)
{
	struct proc_state ps = { &tp->t->desc, false, 0 };
	int r;

	if (tp->t->have_processor || tp->t->nr_cmds)
		return tp_err(tp, w->w[0].col,
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
			return tp_err(tp, x->col, "put a space between '=>' and the outcome");
		if (!word_is(x, "=>"))
			continue;
		if (i + 1 == w->n)
			return tp_err(tp, x->col, "'=>' needs an outcome after it");
		if (i + 2 < w->n)
			return tp_err(
			    tp, w->w[i + 2].col,
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

	/* #PF(ADDR): the faulting address; #MC(ADDR): the poisoned page's physical address. */
	if (w->len > 5 && (!memcmp(w->s, "#PF(", 4) || !memcmp(w->s, "#MC(", 4)) &&
	    w->s[w->len - 1] == ')') {
		struct word a = word_sub(w, 4, w->len - 1);

		o->kind = TRACE_FAULT;
		o->value = w->s[1] == 'P' ? X86_TRAP_PF : X86_TRAP_MC;
		o->has_addr = true;
		return tp_addr(tp, &a, false, &o->addr, NULL);
	}
	if (w->len && isdigit((unsigned char)w->s[0])) {
		if (tp_num(tp, w, INT32_MAX, &x))
			return -EINVAL;
		o->kind = TRACE_CODE;
		o->value = (int)x;
		return 0;
	}
	if (!trace_outcome_lookup(w->s, w->len, o))
		return 0;
	return tp_err(tp, w->col,
		      "unknown outcome '%s': expected ok, an SGX_* name or number, #GP, #PF, "
		      "#PF(ADDR), #UD, #MC, #MC(ADDR), or an errno name (EINVAL, EBUSY, ENOENT, "
		      "ENOMEM, ...)",
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
		return tp_err(tp, w->w[0].col, "expected 'cpu N COMMAND ...'");
	r = tp_num(tp, &w->w[1], UINT32_MAX, &n);
	if (r)
		return r;
	if (n >= tp->t->desc.nr_cpus)
		return tp_err(tp, w->w[1].col, "cpu %llu: the processor has CPUs 0 to %u",
			      (unsigned long long)n, tp->t->desc.nr_cpus - 1);
	if (word_is(&w->w[2], "processor"))
		return tp_err(tp, w->w[2].col, "processor takes no cpu prefix");
	cmd->cpu = (unsigned int)n;
	*i = 2;
	return 0;
}

static int parse_command(struct tp *tp, const struct words *w)
{
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
			return tp_err(tp, w->w[end].col, "expect checks fields; it takes no '=>'");
		return parse_expect(tp, cmd, &w->w[i + 1], end - i - 1);
	}
	r = tp_command(tp, cmd, &w->w[i], end - i);
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
	return tp_err(tp, col, "a NUL byte: a trace is text");
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
