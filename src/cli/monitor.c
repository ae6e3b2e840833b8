/* SPDX-License-Identifier: MIT */
/*
 * The monitor's language: lines of words, a command table that checks each
 * line before anything runs, outcomes ("=> ok", "=> EBUSY", ...) and the
 * run of a whole scenario.
 */
#include "monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor-int.h"
#include "vsgx/crypto.h"

/* ---------------------------------------------------------------------- */
/* Words                                                                  */
/* ---------------------------------------------------------------------- */

/* Split (text) into words; '#' at a word's start comments out the rest. */
static int line_split(struct mon_line *l, const char *text, char *why, size_t why_len)
{
	size_t n = strlen(text);
	char *p;

	l->nw = 0;
	l->want = NULL;
	if (n >= sizeof(l->buf))
		return snprintf(why, why_len, "%s:%u:1: the line is longer than %zu bytes", l->name,
				l->line, sizeof(l->buf) - 1),
		       MONITOR_SYNTAX;
	memcpy(l->buf, text, n + 1);
	for (p = l->buf; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = '\0';
		if (!*p || *p == '#')
			break;
		if (l->nw == MON_MAX_WORDS)
			return snprintf(why, why_len, "%s:%u:%u: more than %d words on a line",
					l->name, l->line, (unsigned int)(p - l->buf) + 1,
					MON_MAX_WORDS),
			       MONITOR_SYNTAX;
		l->col[l->nw] = (unsigned int)(p - l->buf) + 1;
		l->w[l->nw++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
	}
	return MONITOR_OK;
}

/* Take "=> OUTCOME" off the end of the line. */
static int line_outcome(struct mon_line *l, char *why, size_t why_len)
{
	for (unsigned int i = 0; i < l->nw; i++) {
		if (strcmp(l->w[i], "=>"))
			continue;
		if (i + 2 != l->nw)
			return snprintf(why, why_len,
					"%s:%u:%u: '=>' is followed by exactly one outcome",
					l->name, l->line, l->col[i]),
			       MONITOR_SYNTAX;
		l->want = l->w[i + 1];
		l->want_col = l->col[i + 1];
		l->nw = i;
		break;
	}
	return MONITOR_OK;
}

unsigned int mon_nargs(const struct mon_cmd *c)
{
	unsigned int n = 0;

	for (unsigned int i = c->first; i < c->l->nw; i++)
		n += !strchr(c->l->w[i], '=');
	return n;
}

const char *mon_arg(const struct mon_cmd *c, unsigned int k)
{
	for (unsigned int i = c->first; i < c->l->nw; i++) {
		if (!strchr(c->l->w[i], '=') && k-- == 0)
			return c->l->w[i];
	}
	return NULL;
}

const char *mon_opt(const struct mon_cmd *c, const char *name)
{
	size_t n = strlen(name);

	for (unsigned int i = c->first; i < c->l->nw; i++) {
		if (!strncmp(c->l->w[i], name, n) && c->l->w[i][n] == '=')
			return c->l->w[i] + n + 1;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The command table                                                      */
/* ---------------------------------------------------------------------- */

/* Options each command may take; NULL: any (configs, expectations). */
static const char *const no_opts[] = { NULL };
static const char *const load_opts[] = { "sgxs", "sig", "token", NULL };
static const char *const build_opts[] = { "pages", "threads", "key", "token", NULL };
static const char *const run_opts[] = { "thread", "vcpu", NULL };
static const char *const exit_opts[] = { "thread", NULL };
static const char *const pages_opts[] = { "pages", NULL };

struct mon_def {
	const char *group, *sub;
	unsigned int min_args, max_args; /* after group and subcommand */
	const char *const *opts;
	const char *usage;
};

static const struct mon_def defs[] = {
	{ "host", NULL, 0, MON_MAX_WORDS, NULL,
	  "host [epc=SIZE@NODE]... [cpus=N] [sgx2=0|1] [flc=0|1] [lehash-locked=0|1]" },
	{ "vm", "create", 1, MON_MAX_WORDS, NULL,
	  "vm create NAME KEY=VALUE... | config=FILE | qemu OPTION..." },
	{ "vm", "reset", 1, 2, no_opts, "vm reset NAME [nostop]" },
	{ "vm", "pause", 1, 1, no_opts, "vm pause NAME" },
	{ "vm", "resume", 1, 1, no_opts, "vm resume NAME" },
	{ "vm", "suspend", 2, 2, no_opts, "vm suspend NAME s3|s4|s5" },
	{ "vm", "wake", 1, 1, no_opts, "vm wake NAME" },
	{ "vm", "power-on", 1, 1, no_opts, "vm power-on NAME" },
	{ "vm", "destroy", 1, 1, no_opts, "vm destroy NAME" },
	{ "vm", "migrate", 2, 2, no_opts, "vm migrate NAME NEW-NAME" },
	{ "guest", "boot", 1, 1, no_opts, "guest NAME boot" },
	{ "guest", "load", 2, 2, load_opts,
	  "guest NAME load ENCLAVE sgxs=FILE sig=FILE [token=LAUNCH-ENCLAVE]" },
	{ "guest", "build", 2, 4, build_opts,
	  "guest NAME build ENCLAVE pages=N [threads=N] [debug] [launch] [key=FILE] "
	  "[token=LAUNCH-ENCLAVE]" },
	{ "guest", "enter", 2, 2, run_opts, "guest NAME enter ENCLAVE [thread=N] [vcpu=N]" },
	{ "guest", "exit", 2, 2, exit_opts, "guest NAME exit ENCLAVE [thread=N]" },
	{ "guest", "grow", 2, 2, pages_opts, "guest NAME grow ENCLAVE pages=N" },
	{ "guest", "trim", 2, 2, pages_opts, "guest NAME trim ENCLAVE pages=N" },
	{ "guest", "evict", 2, 2, pages_opts, "guest NAME evict ENCLAVE pages=N" },
	{ "guest", "destroy", 2, 2, no_opts, "guest NAME destroy ENCLAVE" },
	{ "guest", "reboot", 2, 2, no_opts, "guest NAME reboot clean|unclean" },
	{ "expect", "vm", 1, 1, mon_vm_fields, "expect vm NAME FIELD=VALUE..." },
	{ "expect", "node", 1, 1, mon_epc_fields, "expect node N FIELD=VALUE..." },
	{ "expect", "host", 0, 0, mon_epc_fields, "expect host FIELD=VALUE..." },
	{ "expect", "enclave", 2, 2, mon_enclave_fields,
	  "expect enclave VM ENCLAVE FIELD=VALUE..." },
	{ "expect", "guest", 1, 1, mon_guest_fields, "expect guest VM FIELD=VALUE..." },
	{ "info", "sgx", 0, 1, no_opts, "info sgx [VM]" },
	{ "qmp", "query-sgx", 1, 1, no_opts, "qmp query-sgx VM" },
	{ "qmp", "query-sgx-capabilities", 0, 0, no_opts, "qmp query-sgx-capabilities" },
	{ "echo", NULL, 0, MON_MAX_WORDS, NULL, "echo TEXT" },
};

/* "guest NAME sub": the subcommand comes after the VM's name. */
static bool def_sub_after_name(const struct mon_def *d)
{
	return !strcmp(d->group, "guest");
}

static const struct mon_def *def_find(const struct mon_line *l, unsigned int *first)
{
	unsigned int si = l->nw > 1 && !strcmp(l->w[0], "guest") ? 2 : 1;
	bool group_known = false;

	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		if (strcmp(defs[i].group, l->w[0]))
			continue;
		group_known = true;
		if (!defs[i].sub) {
			*first = 1;
			return &defs[i];
		}
		if (si < l->nw && !strcmp(defs[i].sub, l->w[si])) {
			*first = def_sub_after_name(&defs[i]) ? 1 : 2;
			return &defs[i];
		}
	}
	*first = group_known ? si : 0;
	return NULL;
}

static int check_usage(const struct mon_line *l, const char *usage, char *why, size_t why_len)
{
	snprintf(why, why_len, "%s:%u:%u: expected '%s'", l->name, l->line, l->col[0], usage);
	return MONITOR_SYNTAX;
}

static int check_opts(const struct mon_def *d, const struct mon_line *l, unsigned int first,
		      char *why, size_t why_len)
{
	for (unsigned int i = first; d->opts && i < l->nw; i++) {
		const char *eq = strchr(l->w[i], '=');
		bool known = false;

		if (!eq)
			continue;
		for (const char *const *o = d->opts; *o; o++)
			known |= strlen(*o) == (size_t)(eq - l->w[i]) &&
				 !strncmp(*o, l->w[i], (size_t)(eq - l->w[i]));
		if (!known || eq[1] == '\0')
			return snprintf(why, why_len, "%s:%u:%u: '%s' is no %s of '%s'", l->name,
					l->line, l->col[i], l->w[i],
					strcmp(d->group, "expect") ? "option" : "field", d->usage),
			       MONITOR_SYNTAX;
		/* Every field an expectation checks is a count, but a state. */
		if (!strcmp(d->group, "expect") && strncmp(l->w[i], "state=", 6) &&
		    eq[1 + strspn(eq + 1, "0123456789")] != '\0')
			return snprintf(why, why_len, "%s:%u:%u: '%s': expected a number", l->name,
					l->line, l->col[i], l->w[i]),
			       MONITOR_SYNTAX;
	}
	return MONITOR_OK;
}

static int check_outcome(const struct mon_line *l, char *why, size_t why_len);

/* A state= value the subject can have: the VM's states, or an enclave's. */
static bool state_known(const char *sub, const char *v)
{
	static const char *const vm[] = { "running", "paused", "suspended", "off", "error", NULL };
	static const char *const enclave[] = { "alive", "lost", NULL };

	for (const char *const *s = strcmp(sub, "vm") ? enclave : vm; *s; s++)
		if (!strcmp(*s, v))
			return true;
	return false;
}

/* What else an expectation can be checked for before it runs: its node, its states. */
static int check_expect(const struct mon_def *d, const struct mon_line *l, unsigned int first,
			char *why, size_t why_len)
{
	uint64_t node;

	if (strcmp(d->group, "expect"))
		return MONITOR_OK;
	if (!strcmp(d->sub, "node") && cli_parse_u64(l->w[first], HW_MAX_NODES - 1, &node))
		return snprintf(why, why_len, "%s:%u:%u: '%s' is no NUMA node (0 to %d)", l->name,
				l->line, l->col[first], l->w[first], HW_MAX_NODES - 1),
		       MONITOR_SYNTAX;
	for (unsigned int i = first; i < l->nw; i++) {
		if (strncmp(l->w[i], "state=", 6) || state_known(d->sub, l->w[i] + 6))
			continue;
		return snprintf(why, why_len, "%s:%u:%u: '%s': no %s is in that state", l->name,
				l->line, l->col[i], l->w[i], d->sub),
		       MONITOR_SYNTAX;
	}
	return MONITOR_OK;
}

static int line_check(const struct mon_line *l, const struct mon_def **ret_def,
		      unsigned int *ret_first, char *why, size_t why_len)
{
	const struct mon_def *d;
	unsigned int first, nargs = 0, sub_skip;

	d = def_find(l, &first);
	if (!d)
		return first ? check_usage(l, "a known subcommand (see docs/scenario-format.md)",
					   why, why_len)
			     : (snprintf(why, why_len, "%s:%u:%u: unknown command '%s'", l->name,
					 l->line, l->col[0], l->w[0]),
				MONITOR_SYNTAX);
	sub_skip = def_sub_after_name(d) ? 1 : 0;
	for (unsigned int i = first; i < l->nw; i++)
		nargs += !strchr(l->w[i], '=') || !d->opts;
	nargs -= sub_skip;
	if (d->opts && (nargs < d->min_args || nargs > d->max_args))
		return check_usage(l, d->usage, why, why_len);
	if (!d->opts && l->nw - first < d->min_args)
		return check_usage(l, d->usage, why, why_len);
	*ret_def = d;
	*ret_first = first;
	if (check_opts(d, l, first, why, why_len) || check_expect(d, l, first, why, why_len))
		return MONITOR_SYNTAX;
	return check_outcome(l, why, why_len);
}

/* ---------------------------------------------------------------------- */
/* Outcomes                                                               */
/* ---------------------------------------------------------------------- */

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EBUSY", EBUSY },   { "EIO", EIO },	    { "ENOMEM", ENOMEM },
	{ "EFAULT", EFAULT }, { "EINVAL", EINVAL }, { "EEXIST", EEXIST },
	{ "ENOSPC", ENOSPC }, { "EAGAIN", EAGAIN }, { "ENODEV", ENODEV },
	{ "ENOENT", ENOENT }, { "EPERM", EPERM },   { "EOPNOTSUPP", EOPNOTSUPP },
	{ "EFBIG", EFBIG },
};

static const char *errno_name(int err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (errnos[i].err == err)
			return errnos[i].name;
	}
	return "error";
}

/* ok, error, an errno name, or an SGX_* code a failure's message must name. */
static int check_outcome(const struct mon_line *l, char *why, size_t why_len)
{
	if (!l->want || !strcmp(l->want, "ok") || !strcmp(l->want, "error") ||
	    !strncmp(l->want, "SGX_", 4))
		return MONITOR_OK;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (!strcmp(l->want, errnos[i].name))
			return MONITOR_OK;
	}
	snprintf(why, why_len,
		 "%s:%u:%u: unknown outcome '%s': ok, error, an errno name (EBUSY, ENOMEM, ...) "
		 "or an SGX_* code",
		 l->name, l->line, l->want_col, l->want);
	return MONITOR_SYNTAX;
}

static bool outcome_matches(const struct monitor *mon, const char *want)
{
	if (!want || !strcmp(want, "ok"))
		return mon->err == 0;
	if (!strcmp(want, "error"))
		return mon->err != 0;
	if (!strncmp(want, "SGX_", 4))
		return mon->err != 0 && strstr(mon->msg, want);
	return mon->err != 0 && !strcmp(errno_name(-mon->err), want);
}

int mon_fail(struct monitor *mon, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mon->msg, sizeof(mon->msg), fmt, ap);
	va_end(ap);
	mon->err = err;
	return err;
}

/* ---------------------------------------------------------------------- */
/* Running                                                                */
/* ---------------------------------------------------------------------- */

int mon_path(struct monitor *mon, const char *word, char *buf, size_t len)
{
	const char *rest = word;
	int n;

	if (!strncmp(word, "$VECTORS", 8)) {
		if (!mon->o.vectors)
			return mon_fail(mon, -EINVAL,
					"'%s' names $VECTORS, which is not set: pass --vectors DIR "
					"or set VSGX_VECTORS",
					word);
		n = snprintf(buf, len, "%s%s", mon->o.vectors, word + 8);
	} else if (word[0] == '/' || !mon->o.basedir) {
		n = snprintf(buf, len, "%s", rest);
	} else {
		n = snprintf(buf, len, "%s/%s", mon->o.basedir, rest);
	}
	return n < 0 || (size_t)n >= len ? mon_fail(mon, -EINVAL, "path too long: %s", word) : 0;
}

int mon_machine(struct monitor *mon)
{
	struct hw_desc d;
	char why[256];
	int r;

	if (mon->m)
		return 0;
	vm_host_default(&d);
	r = vmm_create(&d, &mon->m, why, sizeof(why));
	return r ? mon_fail(mon, r, "cannot power on the default host: %s", why) : 0;
}

struct mon_vm *mon_vm_find(struct monitor *mon, const char *name)
{
	for (unsigned int i = 0; i < mon->nr_vms; i++) {
		if (!strcmp(vmm_vm_name(mon->vms[i].vm), name))
			return &mon->vms[i];
	}
	return NULL;
}

static int exec_def(struct monitor *mon, const struct mon_def *d, const struct mon_line *l,
		    unsigned int first)
{
	struct mon_cmd c = { mon, l, first };

	if (!strcmp(d->group, "host"))
		return mon_exec_host(&c);
	if (!strcmp(d->group, "echo"))
		return 0;
	if (!strcmp(d->group, "info"))
		return mon_exec_info(&c);
	if (mon_machine(mon))
		return mon->err;
	if (!strcmp(d->group, "vm"))
		return mon_exec_vm(&c, d->sub);
	if (!strcmp(d->group, "guest"))
		return mon_exec_guest(&c, d->sub);
	if (!strcmp(d->group, "qmp"))
		return mon_exec_qmp(&c, d->sub);
	return mon_exec_expect(&c, d->sub);
}

static void print_words(FILE *f, const struct mon_line *l)
{
	for (unsigned int i = 0; i < l->nw; i++)
		fprintf(f, "%s%s", i ? " " : "", l->w[i]);
}

static void report_line(struct monitor *mon, const struct mon_line *l, const char *outcome)
{
	/* A failure shows why; a success what it did. */
	const char *d = mon->err && mon->msg[0] ? mon->msg : mon->detail;

	if (mon->o.out && !mon->o.quiet) {
		print_words(mon->o.out, l);
		fprintf(mon->o.out, " -> %s", outcome);
		if (d[0] && !strchr(d, '\n'))
			fprintf(mon->o.out, " (%s)", d);
		fputc('\n', mon->o.out);
		if (strchr(d, '\n'))
			fputs(d, mon->o.out);
	}
	mon_json_command(mon, l, outcome);
}

/* Run a checked line and judge its outcome. */
static int line_run(struct monitor *mon, const struct mon_def *d, const struct mon_line *l,
		    unsigned int first)
{
	const char *got;

	mon->detail[0] = mon->msg[0] = '\0';
	mon->detail_json = false;
	mon->err = 0;
	mon->mismatch = false;
	exec_def(mon, d, l, first);
	mon->commands++;
	got = mon->err ? errno_name(-mon->err) : "ok";
	report_line(mon, l, mon->mismatch ? "mismatch" : got);
	if (mon->mismatch) {
		if (mon->o.err)
			fprintf(mon->o.err, "%s:%u: %s\n", l->name, l->line, mon->msg);
		return MONITOR_FAILED;
	}
	if (l->want || mon->err)
		mon->checks++;
	if (outcome_matches(mon, l->want))
		return MONITOR_OK;
	if (mon->o.err)
		fprintf(mon->o.err, "%s:%u: expected %s, got %s%s%s\n", l->name, l->line,
			l->want ? l->want : "ok", got, mon->msg[0] ? ": " : "", mon->msg);
	return MONITOR_FAILED;
}

static int line_prepare(struct mon_line *l, const char *name, unsigned int line, const char *text,
			char *why, size_t why_len)
{
	l->name = name;
	l->line = line;
	if (line_split(l, text, why, why_len))
		return MONITOR_SYNTAX;
	return line_outcome(l, why, why_len);
}

int monitor_check_line(struct monitor *mon, const char *name, unsigned int line, const char *text,
		       char *why, size_t why_len)
{
	struct mon_line *l = malloc(sizeof(*l));
	const struct mon_def *d;
	unsigned int first;
	int r;

	(void)mon;
	if (!l)
		return snprintf(why, why_len, "out of memory"), MONITOR_SYNTAX;
	r = line_prepare(l, name, line, text, why, why_len);
	if (!r && l->nw)
		r = line_check(l, &d, &first, why, why_len);
	free(l);
	return r;
}

int monitor_line(struct monitor *mon, const char *name, unsigned int line, const char *text)
{
	struct mon_line *l = malloc(sizeof(*l));
	const struct mon_def *d;
	char why[MON_MSG_MAX];
	unsigned int first;
	int r;

	if (!l)
		return MONITOR_FAILED;
	r = line_prepare(l, name, line, text, why, sizeof(why));
	if (!r && l->nw)
		r = line_check(l, &d, &first, why, sizeof(why));
	if (r && mon->o.err)
		fprintf(mon->o.err, "%s\n", why);
	if (!r && l->nw)
		r = line_run(mon, d, l, first);
	free(l);
	return r;
}

/*
 * The next line of (text) as a NUL-terminated copy in (buf), of
 * MONITOR_LINE_MAX bytes; false at the end. A line too long for it is cut
 * short, and *ret_full says so: it must be refused, never run in part.
 */
static bool next_line(const char **p, const char *end, char *buf, bool *ret_full)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = (size_t)((nl ? nl : end) - *p);
	*ret_full = n < MONITOR_LINE_MAX;
	if (!*ret_full)
		n = MONITOR_LINE_MAX - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl ? nl + 1 : end;
	return true;
}

int monitor_run_text(struct monitor *mon, const char *name, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char buf[MONITOR_LINE_MAX], why[MON_MSG_MAX];
	unsigned int line = 0;
	bool full;
	int r = MONITOR_OK;

	if (memchr(text, '\0', len)) {
		if (mon->o.err)
			fprintf(mon->o.err, "%s: a NUL byte: scenarios are text\n", name);
		return MONITOR_SYNTAX;
	}
	while (next_line(&p, end, buf, &full)) {
		if (!full)
			snprintf(why, sizeof(why), "%s:%u:1: the line is longer than %d bytes",
				 name, line + 1, MONITOR_LINE_MAX - 1);
		if (!full || monitor_check_line(mon, name, ++line, buf, why, sizeof(why))) {
			if (mon->o.err)
				fprintf(mon->o.err, "%s\n", why);
			return MONITOR_SYNTAX;
		}
	}
	for (p = text, line = 0; r == MONITOR_OK && next_line(&p, end, buf, &full);)
		r = monitor_line(mon, name, ++line, buf);
	return r;
}

int monitor_create(const struct monitor_opts *opts, struct monitor **ret)
{
	struct monitor *mon = calloc(1, sizeof(*mon));

	if (!mon)
		return -ENOMEM;
	mon->o = *opts;
	*ret = mon;
	return 0;
}

void monitor_free(struct monitor *mon)
{
	if (!mon)
		return;
	for (unsigned int i = 0; i < mon->nr_vms; i++)
		guest_free(mon->vms[i].guest);
	vmm_destroy(mon->m);
	crypto_rsa_key_free(mon->key);
	free(mon);
}
