/* SPDX-License-Identifier: MIT */
/*
 * The monitor's language: lines of words, a command table that checks each
 * line before anything runs, outcomes ("=> ok", "=> EBUSY", ...) and the
 * run of a whole scenario.
 */
#include "monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor-audit.h"
#include "monitor-int.h"
#include "vsgx/crypto.h"
#include "vsgx/host.h"

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
static const char *const owner_opts[] = { "parent", "max", "on-max", NULL };
static const char *const owner_set_opts[] = { "max", "on-max", NULL };
static const char *const encl_opts[] = { "pages", "owner", NULL };

/*
 * A command: the dispatcher checks lines against it, 'help' prints it and
 * the prompt completes from it, so the three cannot drift apart.
 */
struct mon_def {
	const char *group, *sub;
	unsigned int min_args, max_args; /* after group and subcommand */
	const char *const *opts;
	const char *usage;
	const char *help;  /* what it does, one line */
	const char *slots; /* what completes each argument (mon_complete) */
	const char *alias; /* QEMU HMP's name for this command, or NULL */
};

static const struct mon_def defs[] = {
	{ "host", NULL, 0, MON_MAX_WORDS, NULL,
	  "host [epc=SIZE@NODE]... [cpus=N] [sgx2=0|1] [flc=0|1] [oversub=0|1] [lehash-locked=0|1]",
	  "power on the SGX host: its EPC sections per NUMA node and CPUs (first, once)", "",
	  NULL },
	{ "host", "poison", 2, 2, no_opts, "host poison NODE PAGE",
	  "a memory error in EPC page PAGE of NUMA node NODE, reported to the host as a patrol "
	  "scrub finds it",
	  "@node -", NULL },
	{ "vm", "create", 1, MON_MAX_WORDS, NULL,
	  "vm create NAME KEY=VALUE... | config=FILE | qemu OPTION...",
	  "create and start a VM from xl keys, an xl or QEMU config file, or QEMU options", "-",
	  NULL },
	{ "vm", "reset", 1, 2, no_opts, "vm reset NAME [nostop]",
	  "reset a VM: its vEPC emptied by remove-all passes, its guest booted again", "@vm nostop",
	  "system_reset" },
	{ "vm", "pause", 1, 1, no_opts, "vm pause NAME", "stop a VM's vCPUs", "@vm", "stop" },
	{ "vm", "resume", 1, 1, no_opts, "vm resume NAME", "run a paused VM's vCPUs again", "@vm",
	  "cont" },
	{ "vm", "suspend", 2, 2, no_opts, "vm suspend NAME s3|s4|s5",
	  "put a VM to sleep: S3 and S4 lose the EPC, S5 is off", "@vm s3|s4|s5", NULL },
	{ "vm", "wake", 1, 1, no_opts, "vm wake NAME", "wake a VM from S3", "@vm",
	  "system_wakeup" },
	{ "vm", "power-on", 1, 1, no_opts, "vm power-on NAME", "power on a VM in S4 or S5", "@vm",
	  NULL },
	{ "vm", "destroy", 1, 1, no_opts, "vm destroy NAME",
	  "destroy a VM and give its EPC back to the host", "@vm", NULL },
	{ "vm", "balloon", 2, 2, no_opts, "vm balloon NAME TARGET",
	  "set a ballooning VM's EPC (16M, 64MiB, or pages): its guest gives pages back or "
	  "takes them",
	  "@vm -", NULL },
	{ "vm", "migrate", 2, 2, no_opts, "vm migrate NAME NEW-NAME",
	  "move a VM to a new VM on the host; its enclaves are lost", "@vm -", NULL },
	{ "guest", "boot", 1, 1, no_opts, "guest NAME boot",
	  "boot the guest OS in a VM: its SGX driver takes the EPC", "", NULL },
	{ "guest", "load", 2, 2, load_opts,
	  "guest NAME load ENCLAVE sgxs=FILE sig=FILE [token=LAUNCH-ENCLAVE]",
	  "build a signed enclave from its SGXS and SIGSTRUCT files in the guest", "-", NULL },
	{ "guest", "build", 2, 4, build_opts,
	  "guest NAME build ENCLAVE pages=N [threads=N] [debug] [launch] [key=FILE] "
	  "[token=LAUNCH-ENCLAVE]",
	  "build and sign an enclave of N pages in the guest", "- debug|launch debug|launch",
	  NULL },
	{ "guest", "enter", 2, 2, run_opts, "guest NAME enter ENCLAVE [thread=N] [vcpu=N]",
	  "EENTER an enclave thread and stay inside", "@enclave", NULL },
	{ "guest", "exit", 2, 2, exit_opts, "guest NAME exit ENCLAVE [thread=N]",
	  "EEXIT an enclave thread", "@enclave", NULL },
	{ "guest", "grow", 2, 2, pages_opts, "guest NAME grow ENCLAVE pages=N",
	  "add N pages to an enclave (SGX2 EAUG)", "@enclave", NULL },
	{ "guest", "trim", 2, 2, pages_opts, "guest NAME trim ENCLAVE pages=N",
	  "remove N pages from an enclave (SGX2 trim)", "@enclave", NULL },
	{ "guest", "evict", 2, 2, pages_opts, "guest NAME evict ENCLAVE pages=N",
	  "evict N of an enclave's pages to guest memory (EWB)", "@enclave", NULL },
	{ "guest", "verify", 2, 2, no_opts, "guest NAME verify ENCLAVE",
	  "read an enclave's pages from inside and check them against what was measured",
	  "@enclave", NULL },
	{ "guest", "destroy", 2, 2, no_opts, "guest NAME destroy ENCLAVE",
	  "tear an enclave down and free its EPC", "@enclave", NULL },
	{ "guest", "reboot", 2, 2, no_opts, "guest NAME reboot clean|unclean",
	  "reboot the guest OS: clean tears enclaves down first, unclean does not", "clean|unclean",
	  NULL },
	{ "owner", "create", 1, 1, owner_opts,
	  "owner create NAME [parent=OWNER] [max=SIZE|unlimited] [on-max=refuse|stop]",
	  "make an EPC owner (a node of the sgx_epc tree) under the root or another owner", "-",
	  NULL },
	{ "owner", "set", 1, 1, owner_set_opts,
	  "owner set NAME [max=SIZE|unlimited] [on-max=refuse|stop]",
	  "change an EPC owner's max (never below what it holds) or its last resort", "-", NULL },
	{ "owner", "destroy", 1, 1, no_opts, "owner destroy NAME",
	  "remove an EPC owner that holds no pages and has no members", "-", NULL },
	{ "enclave", "create", 1, 1, encl_opts, "enclave create NAME pages=N [owner=OWNER]",
	  "build a host enclave of N pages in the host's own driver, charged to an owner", "-",
	  NULL },
	{ "enclave", "destroy", 1, 1, no_opts, "enclave destroy NAME",
	  "tear a host enclave down and free its EPC", "-", NULL },
	{ "expect", "vm", 1, 1, mon_vm_fields, "expect vm NAME FIELD=VALUE...",
	  "check a VM's state and EPC counts", "@vm", NULL },
	{ "expect", "node", 1, 1, mon_epc_fields, "expect node N FIELD=VALUE...",
	  "check a NUMA node's EPC page counts", "@node", NULL },
	{ "expect", "host", 0, 0, mon_epc_fields, "expect host FIELD=VALUE...",
	  "check the host's EPC page counts", "", NULL },
	{ "expect", "enclave", 2, 2, mon_enclave_fields, "expect enclave VM ENCLAVE FIELD=VALUE...",
	  "check an enclave in a VM's guest", "@vm @enclave", NULL },
	{ "expect", "guest", 1, 1, mon_guest_fields, "expect guest VM FIELD=VALUE...",
	  "check a guest's SGX driver counts", "@vm", NULL },
	{ "expect", "owner", 1, 1, mon_owner_fields, "expect owner NAME FIELD=VALUE...",
	  "check an EPC owner's current, max, events, members and reclaimable pages", "-", NULL },
	{ "info", "sgx", 0, 1, no_opts, "info sgx [VM]",
	  "SGX as QEMU's HMP prints it, for the host or a VM", "@vm", NULL },
	{ "info", "vms", 0, 0, no_opts, "info vms", "every VM: its state and EPC", "", NULL },
	{ "info", "owners", 0, 0, no_opts, "info owners",
	  "every EPC owner: current, max and events, as a tree", "", NULL },
	{ "info", "status", 0, 1, no_opts, "info status [VM]",
	  "a VM's run state as QEMU's HMP prints it, or every VM's", "@vm", NULL },
	{ "info", NULL, 0, 0, no_opts, "info", "list the info subcommands", "", NULL },
	{ "qmp", "query-sgx", 1, 1, no_opts, "qmp query-sgx VM",
	  "a VM's SGX as QMP's query-sgx answers", "@vm", NULL },
	{ "qmp", "query-sgx-capabilities", 0, 0, no_opts, "qmp query-sgx-capabilities",
	  "the host's SGX as QMP's query-sgx-capabilities answers", "", NULL },
	{ "echo", NULL, 0, MON_MAX_WORDS, NULL, "echo TEXT", "print TEXT", "", NULL },
	{ "help", NULL, 0, 2, no_opts, "help [COMMAND [SUBCOMMAND]]",
	  "list the commands, or say what one does", "@cmd @sub", NULL },
	{ "quit", NULL, 0, 0, no_opts, "quit", "end the session; the report follows", "", "q" },
};

#define NR_DEFS (sizeof(defs) / sizeof(defs[0]))

/* "guest NAME sub": the subcommand comes after the VM's name. */
static bool def_sub_after_name(const struct mon_def *d)
{
	return !strcmp(d->group, "guest");
}

static bool group_has_subs(const char *group)
{
	for (size_t i = 0; i < NR_DEFS; i++) {
		if (!strcmp(defs[i].group, group) && defs[i].sub)
			return true;
	}
	return false;
}

/* The line names the command by its QEMU HMP name ("system_reset"). */
static bool line_is_alias(const struct mon_line *l, const struct mon_def *d)
{
	return d->alias && !strcmp(l->w[0], d->alias);
}

static const struct mon_def *def_find(const struct mon_line *l, unsigned int *first)
{
	unsigned int si = l->nw > 1 && !strcmp(l->w[0], "guest") ? 2 : 1;
	bool group_known = false;

	for (size_t i = 0; i < NR_DEFS; i++) {
		if (line_is_alias(l, &defs[i])) {
			*first = 1;
			return &defs[i];
		}
		if (strcmp(defs[i].group, l->w[0]))
			continue;
		group_known = true;
		/*
		 * "info" alone lists its subcommands; "info frob" is a typo, not
		 * "info". "host epc=..." is the host, "host poison" a subcommand.
		 */
		if (!defs[i].sub &&
		    (si >= l->nw || !group_has_subs(defs[i].group) || strchr(l->w[si], '='))) {
			*first = 1;
			return &defs[i];
		}
		if (defs[i].sub && si < l->nw && !strcmp(defs[i].sub, l->w[si])) {
			*first = def_sub_after_name(&defs[i]) ? 1 : 2;
			return &defs[i];
		}
	}
	*first = group_known ? si : 0;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Did you mean                                                           */
/* ---------------------------------------------------------------------- */

/* Levenshtein distance of two short words, capped at MON_WORD_MAX letters. */
static size_t word_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, MON_WORD_MAX - 1), lb = strnlen(b, MON_WORD_MAX - 1);
	size_t row[MON_WORD_MAX];

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			best = up + 1 < best ? up + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

struct mon_guess {
	const char *typed;
	const char *best;
	size_t dist;
};

/* Keep (cand) if it is the nearest yet; a word two letters off is still a typo. */
static void guess_consider(struct mon_guess *g, const char *cand)
{
	size_t d;

	if (!cand)
		return;
	d = word_distance(g->typed, cand);
	if (d < g->dist && d <= 2 && d < strlen(g->typed))
		g->best = cand, g->dist = d;
}

/* The command or (group)'s subcommand nearest to (typed), or NULL. */
static const char *guess_word(const char *typed, const char *group)
{
	struct mon_guess g = { typed, NULL, (size_t)-1 };

	for (size_t i = 0; i < NR_DEFS; i++) {
		if (group) {
			if (!strcmp(defs[i].group, group))
				guess_consider(&g, defs[i].sub);
			continue;
		}
		guess_consider(&g, defs[i].group);
		guess_consider(&g, defs[i].alias);
	}
	return g.best;
}

/* A line whose command or subcommand is unknown: say so, and what was meant. */
static int check_unknown(const struct mon_line *l, unsigned int first, char *why, size_t why_len)
{
	const char *group = first ? l->w[0] : NULL;
	const char *typed = first < l->nw ? l->w[first] : NULL;
	const char *guess = typed ? guess_word(typed, group) : NULL;
	int n;

	if (!typed)
		return snprintf(why, why_len,
				"%s:%u:%u: '%s' needs a subcommand: 'help %s' lists them", l->name,
				l->line, l->col[0], group, group),
		       MONITOR_SYNTAX;
	n = snprintf(why, why_len, "%s:%u:%u: unknown %s%s'%s'", l->name, l->line, l->col[first],
		     group ? group : "command", group ? " subcommand " : " ", typed);
	if (n < 0 || (size_t)n >= why_len)
		return MONITOR_SYNTAX;
	if (guess)
		snprintf(why + n, why_len - (size_t)n, ": did you mean '%s'?", guess);
	else
		snprintf(why + n, why_len - (size_t)n, ": 'help%s%s' lists them", group ? " " : "",
			 group ? group : "");
	return MONITOR_SYNTAX;
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
		    strcmp(l->w[i], "max=unlimited") &&
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

/* A balloon target is a size or a page count, never below zero. */
static int check_balloon(const struct mon_def *d, const struct mon_line *l, unsigned int first,
			 char *why, size_t why_len)
{
	char msg[MON_MSG_MAX];
	uint64_t pages;

	if (strcmp(d->group, "vm") || !d->sub || strcmp(d->sub, "balloon") || first + 1 >= l->nw)
		return MONITOR_OK;
	if (!mon_balloon_target(l->w[first + 1], &pages, msg, sizeof(msg)))
		return MONITOR_OK;
	snprintf(why, why_len, "%s:%u:%u: %s", l->name, l->line, l->col[first + 1], msg);
	return MONITOR_SYNTAX;
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
		return check_unknown(l, first, why, why_len);
	sub_skip = def_sub_after_name(d) ? 1 : 0;
	for (unsigned int i = first; i < l->nw; i++)
		nargs += !strchr(l->w[i], '=') || !d->opts;
	nargs -= sub_skip;
	/* HMP's names act on the only VM when none is named (mon_alias_line()). */
	if (line_is_alias(l, d) && nargs + 1 == d->min_args)
		nargs++;
	if (d->opts && (nargs < d->min_args || nargs > d->max_args))
		return check_usage(l, d->usage, why, why_len);
	if (!d->opts && l->nw - first < d->min_args)
		return check_usage(l, d->usage, why, why_len);
	*ret_def = d;
	*ret_first = first;
	if (check_opts(d, l, first, why, why_len) || check_expect(d, l, first, why, why_len) ||
	    check_balloon(d, l, first, why, why_len))
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

int mon_host_within(struct monitor *mon, const struct hw_desc *d)
{
	uint64_t epc = 0;

	for (unsigned int i = 0; i < d->nr_sections; i++)
		epc += d->sections[i].size;
	if (!mon->o.max_epc || epc <= mon->o.max_epc)
		return 0;
	return mon_fail(
	    mon, -EFBIG, "a host with %llu KiB of EPC is over this monitor's limit of %llu KiB",
	    (unsigned long long)(epc >> 10), (unsigned long long)(mon->o.max_epc >> 10));
}

int mon_machine(struct monitor *mon)
{
	struct hw_desc d;
	char why[256];
	int r;

	if (mon->m)
		return 0;
	vm_host_default(&d);
	r = mon_host_within(mon, &d);
	if (r)
		return r;
	r = vmm_create(&d, &mon->m, why, sizeof(why));
	if (r)
		return mon_fail(mon, r, "cannot power on the default host: %s", why);
	vmm_set_vcpu_threads(mon->m, mon->o.vcpu_threads);
	return 0;
}

struct mon_vm *mon_vm_find(struct monitor *mon, const char *name)
{
	for (unsigned int i = 0; i < mon->nr_vms; i++) {
		if (!strcmp(vmm_vm_name(mon->vms[i].vm), name))
			return &mon->vms[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* help                                                                   */
/* ---------------------------------------------------------------------- */

/* "vm reset", "guest NAME boot": the usage up to the subcommand. */
static int def_name_len(const struct mon_def *d)
{
	const char *at = d->sub ? strstr(d->usage, d->sub) : NULL;

	if (!at)
		return (int)strlen(d->group);
	return (int)(at - d->usage + (ptrdiff_t)strlen(d->sub));
}

/* Append to the running command's detail, which 'help' and 'info' print. */
static void detail_add(struct monitor *mon, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void detail_add(struct monitor *mon, const char *fmt, ...)
{
	size_t n = strlen(mon->detail);
	va_list ap;

	if (n + 1 >= sizeof(mon->detail))
		return;
	va_start(ap, fmt);
	vsnprintf(mon->detail + n, sizeof(mon->detail) - n, fmt, ap);
	va_end(ap);
}

/* One line per command: its name, what it does, its HMP name. */
static void help_short(struct monitor *mon, const char *group)
{
	int width = 0;

	for (size_t i = 0; i < NR_DEFS; i++) {
		int n = def_name_len(&defs[i]);

		width = n > width ? n : width;
	}
	for (size_t i = 0; i < NR_DEFS; i++) {
		const struct mon_def *d = &defs[i];

		if (group && (strcmp(d->group, group) || !d->sub))
			continue;
		detail_add(mon, "%-*.*s  %s%s%s%s\n", width, def_name_len(d), d->usage, d->help,
			   d->alias ? " (HMP: " : "", d->alias ? d->alias : "",
			   d->alias ? ")" : "");
	}
	if (!group)
		detail_add(mon, "'help COMMAND' gives a command's usage; HMP names act on the only "
				"VM when none is named.\n");
}

/* A command's whole usage, then what it does. */
static void help_long(struct monitor *mon, const struct mon_def *d)
{
	detail_add(mon, "%s\n    %s\n", d->usage, d->help);
	if (d->alias)
		detail_add(mon, "    QEMU HMP's name: %s%s\n", d->alias,
			   d->min_args ? " [NAME]" : "");
}

static int exec_help(struct mon_cmd *c)
{
	const char *what = mon_arg(c, 0), *sub = mon_arg(c, 1), *guess;
	bool found = false;

	if (!what) {
		help_short(c->mon, NULL);
		return 0;
	}
	for (size_t i = 0; i < NR_DEFS; i++) {
		const struct mon_def *d = &defs[i];
		bool named = !strcmp(d->group, what) || (d->alias && !strcmp(d->alias, what));

		if (!named || (sub && (!d->sub || strcmp(d->sub, sub))))
			continue;
		help_long(c->mon, d);
		found = true;
	}
	if (found)
		return 0;
	guess = guess_word(sub ? sub : what, sub && group_has_subs(what) ? what : NULL);
	return mon_fail(c->mon, -ENOENT, "no command '%s%s%s'%s%s%s", what, sub ? " " : "",
			sub ? sub : "", guess ? ": did you mean '" : "", guess ? guess : "",
			guess ? "'?" : "");
}

/* ---------------------------------------------------------------------- */
/* Running                                                                */
/* ---------------------------------------------------------------------- */

static int exec_def(struct monitor *mon, const struct mon_def *d, const struct mon_line *l,
		    unsigned int first);
static int line_prepare(struct mon_line *l, const char *name, unsigned int line, const char *text,
			char *why, size_t why_len);

/*
 * "stop" alone: QEMU's monitor has one VM, this one may have many. With only
 * one, HMP's name acts on it; with none or several, it asks which.
 */
static int exec_alias(struct monitor *mon, const struct mon_def *d, const struct mon_line *l)
{
	struct mon_line *full;
	const struct mon_def *fd;
	char text[MONITOR_LINE_MAX], why[MON_MSG_MAX];
	unsigned int first;
	size_t n;
	int r;

	if (mon->nr_vms != 1)
		return mon_fail(mon, -EINVAL, "which VM? %s: '%s NAME'",
				mon->nr_vms ? "there are several" : "there is none", l->w[0]);
	n = (size_t)snprintf(text, sizeof(text), "%s %s %s", d->group, d->sub,
			     vmm_vm_name(mon->vms[0].vm));
	for (unsigned int i = 1; i < l->nw && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s", l->w[i]);
	full = malloc(sizeof(*full));
	if (!full)
		return mon_fail(mon, -ENOMEM, "out of memory");
	r = line_prepare(full, l->name, l->line, text, why, sizeof(why));
	fd = r ? NULL : def_find(full, &first);
	r = fd ? exec_def(mon, fd, full, first) : mon_fail(mon, -EINVAL, "%s", why);
	free(full);
	return r;
}

static int exec_def(struct monitor *mon, const struct mon_def *d, const struct mon_line *l,
		    unsigned int first)
{
	struct mon_cmd c = { mon, l, first };

	if (line_is_alias(l, d) && mon_nargs(&c) < d->min_args)
		return exec_alias(mon, d, l);
	if (!strcmp(d->group, "host") && !d->sub)
		return mon_exec_host(&c);
	if (!strcmp(d->group, "echo"))
		return 0;
	if (!strcmp(d->group, "help"))
		return exec_help(&c);
	if (!strcmp(d->group, "quit"))
		return mon->quit = true, 0;
	if (!strcmp(d->group, "info") && !d->sub)
		return help_short(mon, "info"), 0;
	if (!strcmp(d->group, "info"))
		return mon_exec_info(&c, d->sub);
	if (mon_machine(mon))
		return mon->err;
	if (!strcmp(d->group, "host"))
		return mon_exec_host_poison(&c);
	if (!strcmp(d->group, "vm"))
		return mon_exec_vm(&c, d->sub);
	if (!strcmp(d->group, "guest"))
		return mon_exec_guest(&c, d->sub);
	if (!strcmp(d->group, "qmp"))
		return mon_exec_qmp(&c, d->sub);
	if (!strcmp(d->group, "owner"))
		return mon_exec_owner(&c, d->sub);
	if (!strcmp(d->group, "enclave"))
		return mon_exec_enclave(&c, d->sub);
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

/*
 * The rule every command keeps: on each node, free + used + zombie + bad =
 * total. A command that broke it fails whatever its line expected.
 */
static void check_conservation(struct monitor *mon)
{
	struct host *h = mon->m ? vmm_host(mon->m) : NULL;

	for (unsigned int n = 0; h && n < host_nr_nodes(h); n++) {
		struct host_epc_stats st;

		host_node_stats(h, n, &st);
		if (st.free + st.used + st.zombie + st.bad == st.total)
			continue;
		mon->mismatch = true;
		mon_fail(mon, -EIO,
			 "EPC accounting broken on node %u: %llu free + %llu used + %llu zombie + "
			 "%llu bad is not its %llu pages",
			 n, (unsigned long long)st.free, (unsigned long long)st.used,
			 (unsigned long long)st.zombie, (unsigned long long)st.bad,
			 (unsigned long long)st.total);
		return;
	}
}

/* With --audit: the accounting after the command, whatever it did. */
static int line_audit(struct monitor *mon, const struct mon_line *l)
{
	char why[MON_MSG_MAX];

	if (!mon->audit || !mon_audit_check(mon->audit, mon, why, sizeof(why)))
		return 0;
	if (mon->o.err)
		fprintf(mon->o.err, "%s:%u: audit: %s\n", l->name, l->line, why);
	return -EPROTO;
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
	check_conservation(mon);
	mon->commands++;
	got = mon->err ? errno_name(-mon->err) : "ok";
	report_line(mon, l, mon->mismatch ? "mismatch" : got);
	if (line_audit(mon, l))
		return MONITOR_FAILED;
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

/* What a line is, for --explain: a comment ('#' first), blank, or a command. */
static int line_kind(const char *s)
{
	s += strspn(s, " \t\r");
	return *s == '#' ? '#' : *s ? 'c' : ' ';
}

/*
 * --explain: the comment block a command's line follows directly (no blank
 * line between), printed before the command. (block) is the block's start in
 * the text, NULL when none is pending.
 */
static void explain_line(struct monitor *mon, const char *line, const char *buf, const char **block)
{
	int kind = line_kind(buf);

	if (kind == '#') {
		*block = *block ? *block : line;
		return;
	}
	/* The block ends with the newline just before (line). */
	if (kind == 'c' && *block && mon->o.out && !mon->o.quiet)
		fwrite(*block, 1, (size_t)(line - *block), mon->o.out);
	*block = NULL;
}

int monitor_run_text(struct monitor *mon, const char *name, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *start, *block = NULL;
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
	for (p = start = text, line = 0;
	     r == MONITOR_OK && !mon->quit && next_line(&p, end, buf, &full); start = p) {
		if (mon->o.explain)
			explain_line(mon, start, buf, &block);
		r = monitor_line(mon, name, ++line, buf);
	}
	return r;
}

bool monitor_has_quit(const struct monitor *mon)
{
	return mon->quit;
}

/* ---------------------------------------------------------------------- */
/* Completion                                                             */
/* ---------------------------------------------------------------------- */

#define OFFER_SEEN_MAX 64

/* Words offered to complete (prefix), each once. */
struct mon_offer {
	const char *prefix;
	void (*fn)(const char *word, void *arg);
	void *arg;
	const char *seen[OFFER_SEEN_MAX]; /* words of the command table offered so far */
	unsigned int nr_seen;
};

static void offer(struct mon_offer *o, const char *word)
{
	if (word && !strncmp(word, o->prefix, strlen(o->prefix)))
		o->fn(word, o->arg);
}

/* A word of the command table: the same group or subcommand comes many times. */
static void offer_def_word(struct mon_offer *o, const char *word)
{
	if (!word)
		return;
	for (unsigned int i = 0; i < o->nr_seen; i++) {
		if (!strcmp(o->seen[i], word))
			return;
	}
	if (o->nr_seen < OFFER_SEEN_MAX)
		o->seen[o->nr_seen++] = word;
	offer(o, word);
}

static void offer_commands(struct mon_offer *o)
{
	for (size_t i = 0; i < NR_DEFS; i++) {
		offer_def_word(o, defs[i].group);
		offer_def_word(o, defs[i].alias);
	}
}

static void offer_subs(struct mon_offer *o, const char *group)
{
	for (size_t i = 0; group && i < NR_DEFS; i++) {
		if (!strcmp(defs[i].group, group))
			offer_def_word(o, defs[i].sub);
	}
}

static void offer_enclaves(struct monitor *mon, struct mon_offer *o, const char *vm)
{
	struct mon_vm *v = vm ? mon_vm_find(mon, vm) : NULL;

	for (unsigned int i = 0; v && v->guest && i < guest_nr_enclaves(v->guest); i++)
		offer(o, guest_enclave_name(v->guest, i));
}

/* NUMA nodes with EPC, once the host is on. */
static void offer_nodes(struct monitor *mon, struct mon_offer *o)
{
	struct host *h = mon->m ? vmm_host(mon->m) : NULL;
	char num[16];

	for (unsigned int n = 0; h && n < host_nr_nodes(h); n++) {
		struct host_epc_stats st;

		host_node_stats(h, n, &st);
		snprintf(num, sizeof(num), "%u", n);
		if (st.total)
			offer(o, num);
	}
}

/* "a|b|c": each choice. */
static void offer_choices(struct mon_offer *o, const char *slot, size_t len)
{
	char word[MON_WORD_MAX];

	while (len) {
		size_t n = strcspn(slot, "|");

		n = n < len ? n : len;
		snprintf(word, sizeof(word), "%.*s", (int)n, slot);
		offer(o, word);
		n += n < len;
		slot += n;
		len -= n;
	}
}

/*
 * What completes slot (k) of (d)->slots: @vm a VM, @enclave one of (ctx)'s
 * enclaves, @node a node with EPC, @cmd a command, @sub one of (ctx)'s
 * subcommands, "a|b" a choice, "-" a new name (nothing).
 */
static void offer_slot(struct monitor *mon, struct mon_offer *o, const struct mon_def *d,
		       unsigned int k, const char *ctx)
{
	const char *slot = d->slots;
	size_t len;

	for (;; k--) {
		slot += strspn(slot, " ");
		len = strcspn(slot, " ");
		if (!len || !k)
			break;
		slot += len;
	}
	if (!len || !strncmp(slot, "-", len))
		return;
	if (!strncmp(slot, "@vm", len)) {
		for (unsigned int i = 0; i < mon->nr_vms; i++)
			offer(o, vmm_vm_name(mon->vms[i].vm));
	} else if (!strncmp(slot, "@enclave", len)) {
		offer_enclaves(mon, o, ctx);
	} else if (!strncmp(slot, "@node", len)) {
		offer_nodes(mon, o);
	} else if (!strncmp(slot, "@cmd", len)) {
		offer_commands(o);
	} else if (!strncmp(slot, "@sub", len)) {
		offer_subs(o, ctx);
	} else {
		offer_choices(o, slot, len);
	}
}

/* NAME= for each option the line does not have yet. */
static void offer_opts(const struct mon_def *d, const struct mon_line *l, struct mon_offer *o)
{
	char word[MON_WORD_MAX];

	if (!d->opts)
		return;
	for (const char *const *opt = d->opts; *opt; opt++) {
		bool have = false;

		snprintf(word, sizeof(word), "%s=", *opt);
		for (unsigned int i = 0; i < l->nw; i++)
			have |= !strncmp(l->w[i], word, strlen(word));
		if (!have)
			offer(o, word);
	}
}

/* What completes the VM's name in "guest NAME ...". */
static const struct mon_def guest_name_def = { .slots = "@vm" };

/* The words after the command's name: its slots in order, then its options. */
static void complete_args(struct monitor *mon, const struct mon_line *l, struct mon_offer *o)
{
	bool guest = !strcmp(l->w[0], "guest");
	unsigned int first, from, k = 0;
	const struct mon_def *d;
	const char *ctx;

	/* "guest NAME SUB": the VM's name comes before the subcommand. */
	if (guest && l->nw == 1) {
		offer_slot(mon, o, &guest_name_def, 0, NULL);
		return;
	}
	if (group_has_subs(l->w[0]) && l->nw == 1u + guest) {
		offer_subs(o, l->w[0]);
		return;
	}
	d = def_find(l, &first);
	if (!d)
		return;
	from = guest ? 3 : first;
	for (unsigned int i = from; i < l->nw; i++)
		k += !strchr(l->w[i], '=');
	ctx = guest ? l->w[1] : from < l->nw ? l->w[from] : NULL;
	offer_slot(mon, o, d, k, ctx);
	if (k + (unsigned int)guest >= d->min_args)
		offer_opts(d, l, o);
}

void monitor_complete(struct monitor *mon, const char *text,
		      void (*fn)(const char *word, void *arg), void *arg)
{
	struct mon_offer o = { "", fn, arg, { NULL }, 0 };
	struct mon_line *l = malloc(sizeof(*l));
	size_t n = strlen(text);
	char why[MON_MSG_MAX];

	if (!l)
		return;
	l->name = "";
	l->line = 0;
	if (line_split(l, text, why, sizeof(why)))
		goto out;
	/* The word under the cursor is the prefix; the words before it say what it is. */
	if (l->nw && n && !strchr(" \t", text[n - 1]))
		o.prefix = l->w[--l->nw];
	if (strchr(o.prefix, '='))
		goto out;
	if (!l->nw)
		offer_commands(&o);
	else
		complete_args(mon, l, &o);
out:
	free(l);
}

int monitor_create(const struct monitor_opts *opts, struct monitor **ret)
{
	struct monitor *mon = calloc(1, sizeof(*mon));

	if (!mon)
		return -ENOMEM;
	mon->o = *opts;
	if (opts->audit && mon_audit_create(&mon->audit)) {
		free(mon);
		return -ENOMEM;
	}
	*ret = mon;
	return 0;
}

void monitor_free(struct monitor *mon)
{
	if (!mon)
		return;
	for (unsigned int i = 0; i < mon->nr_vms; i++) {
		guest_free(mon->vms[i].guest);
		vmm_vm_destroy(mon->vms[i].vm, NULL);
	}
	free(mon->vms);
	mon_owners_free(mon);
	vmm_destroy(mon->m);
	crypto_rsa_key_free(mon->key);
	mon_audit_free(mon->audit);
	free(mon);
}
