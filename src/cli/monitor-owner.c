/* SPDX-License-Identifier: MIT */
/*
 * The monitor's EPC owners and host enclaves: 'owner create|set|destroy',
 * 'enclave create|destroy' (enclaves of the host's own driver, charged to
 * an owner), 'expect owner', 'info owners', and the owners' rows of the
 * closing report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor-int.h"
#include "vsgx/host.h"
#include "vsgx/report.h"

/* Host enclaves' ELRANGEs: from 1 TiB up, 64 GiB apart. */
#define ENCL_BASE   (1ULL << 40)
#define ENCL_STRIDE (1ULL << 36)

static struct host *mon_host(struct monitor *mon)
{
	return vmm_host(mon->m);
}

/* An operator's owner name: 1 to 31 letters, digits, '.', '_' or '-'. */
static int owner_name_check(struct monitor *mon, const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 31 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") != n)
		return mon_fail(mon, -EINVAL,
				"'%s' is no owner name: 1 to 31 letters, digits, '.', '_' or '-'",
				name);
	return 0;
}

static struct host_owner *owner_named(struct monitor *mon, const char *name)
{
	struct host_owner *o = host_owner_find(mon_host(mon), name);

	if (!o)
		mon_fail(mon, -ENOENT, "no EPC owner named '%s': 'owner create %s' first", name,
			 name);
	return o;
}

/* max=SIZE (a size or pages, as a balloon target) or max=unlimited. */
static int opt_max(struct mon_cmd *c, uint64_t *ret)
{
	const char *s = mon_opt(c, "max");
	char why[MON_MSG_MAX];

	if (!s || !strcmp(s, "unlimited")) {
		*ret = HOST_NO_LIMIT;
		return 0;
	}
	if (mon_balloon_target(s, ret, why, sizeof(why)))
		return mon_fail(c->mon, -EINVAL,
				"max=%s: expected a size (64M, 16MiB), a number of 4 KiB pages, "
				"or unlimited",
				s);
	return 0;
}

static int opt_on_max(struct mon_cmd *c, enum host_owner_on_max *ret)
{
	const char *s = mon_opt(c, "on-max");

	if (!s || !strcmp(s, "refuse"))
		*ret = HOST_ON_MAX_REFUSE;
	else if (!strcmp(s, "stop"))
		*ret = HOST_ON_MAX_STOP;
	else
		return mon_fail(c->mon, -EINVAL, "on-max=%s: expected on-max=refuse or on-max=stop",
				s);
	return 0;
}

static void max_text(uint64_t max, char *buf, size_t len)
{
	if (max == HOST_NO_LIMIT)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu page%s", (unsigned long long)max, cli_s(max));
}

static const char *on_max_name(enum host_owner_on_max m)
{
	return m == HOST_ON_MAX_STOP ? "stop" : "refuse";
}

static int owner_create(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	const char *name = mon_arg(c, 0), *pname = mon_opt(c, "parent");
	struct host_owner *parent = NULL, *o;
	enum host_owner_on_max on_max;
	char max_s[32];
	uint64_t max;
	int r;

	if (owner_name_check(mon, name) || opt_max(c, &max) || opt_on_max(c, &on_max))
		return mon->err;
	if (pname && !(parent = owner_named(mon, pname)))
		return mon->err;
	r = host_owner_create_in(mon_host(mon), parent, name, HOST_OWNER_ENCLAVES, max, on_max, &o);
	if (r == -EEXIST)
		return mon_fail(mon, r, "an EPC owner named '%s' exists already; pick another name",
				name);
	if (r == -EINVAL)
		return mon_fail(mon, r,
				"'%s' is a VM's own owner, which has no children; name an owner "
				"made by 'owner create'",
				pname);
	if (r)
		return mon_fail(mon, r, "cannot make owner '%s': %s", name, strerror(-r));
	max_text(max, max_s, sizeof(max_s));
	snprintf(mon->detail, sizeof(mon->detail), "under %s, max %s, on-max=%s",
		 pname ? pname : "root", max_s, on_max_name(on_max));
	return 0;
}

static int owner_set(struct mon_cmd *c, struct host_owner *o)
{
	struct monitor *mon = c->mon;
	struct host_owner_info oi;
	enum host_owner_on_max on_max;
	char max_s[32];
	uint64_t max;

	if (!mon_opt(c, "max") && !mon_opt(c, "on-max"))
		return mon_fail(mon, -EINVAL,
				"owner set %s: say what to set: max=SIZE and/or "
				"on-max=refuse|stop",
				mon_arg(c, 0));
	if (opt_max(c, &max) || opt_on_max(c, &on_max))
		return mon->err;
	host_owner_query(o, &oi);
	if (mon_opt(c, "max") && host_owner_set_max(o, max))
		return mon_fail(mon, -EBUSY,
				"owner '%s' holds %llu pages, more than max=%s (%llu pages): "
				"nothing changed; destroy or reclaim what it holds first, or set "
				"max to %llu pages or more",
				oi.name, (unsigned long long)oi.usage, mon_opt(c, "max"),
				(unsigned long long)max, (unsigned long long)oi.usage);
	if (mon_opt(c, "on-max"))
		host_owner_set_on_max(o, on_max);
	host_owner_query(o, &oi);
	max_text(oi.limit, max_s, sizeof(max_s));
	snprintf(mon->detail, sizeof(mon->detail), "max %s, current %llu, on-max=%s", max_s,
		 (unsigned long long)oi.usage, on_max_name(oi.on_max));
	return 0;
}

static int owner_destroy(struct mon_cmd *c, struct host_owner *o)
{
	struct host_owner_info oi;
	int r;

	host_owner_query(o, &oi);
	r = host_owner_destroy(o);
	if (r == -EPERM)
		return mon_fail(c->mon, r, "the root owner is the host's: it cannot be destroyed");
	if (r)
		return mon_fail(
		    c->mon, r,
		    "owner '%s' has %llu page%s charged and %llu member%s (owners, VMs, "
		    "host enclaves): destroy them first",
		    oi.name, (unsigned long long)oi.usage, cli_s(oi.usage),
		    (unsigned long long)oi.members, cli_s(oi.members));
	return 0;
}

int mon_exec_owner(struct mon_cmd *c, const char *sub)
{
	struct host_owner *o;

	if (!strcmp(sub, "create"))
		return owner_create(c);
	o = owner_named(c->mon, mon_arg(c, 0));
	if (!o)
		return c->mon->err;
	if (!strcmp(sub, "set"))
		return owner_set(c, o);
	return owner_destroy(c, o);
}

/* ---------------------------------------------------------------------- */
/* Host enclaves                                                          */
/* ---------------------------------------------------------------------- */

static struct mon_encl *encl_find(struct monitor *mon, const char *name)
{
	for (unsigned int i = 0; i < mon->nr_encls; i++)
		if (!strcmp(mon->encls[i].name, name))
			return &mon->encls[i];
	return NULL;
}

/* The failure of an enclave's allocation: the owner at its max, or the EPC. */
static int encl_fail(struct monitor *mon, struct host_owner *o, const char *name, int r,
		     uint64_t added)
{
	struct host_owner *full = host_owner_at_max(o);
	struct host_owner_info oi;

	if (r == -ENOMEM && full) {
		host_owner_query(full, &oi);
		return mon_fail(mon, r,
				"enclave '%s': EPC owner '%s' is at its max of %llu pages and "
				"nothing under it can be reclaimed (after %llu page%s); nothing "
				"was kept",
				name, oi.name, (unsigned long long)oi.limit,
				(unsigned long long)added, cli_s(added));
	}
	return mon_fail(mon, r, "enclave '%s': %s after %llu page%s; nothing was kept", name,
			r == -ENOMEM ? "the host has no EPC left" : strerror(-r),
			(unsigned long long)added, cli_s(added));
}

/* ECREATE and (pages) EADDs of zero pages; on failure nothing is left. */
static int encl_build(struct monitor *mon, struct host_owner *o, const char *name, uint64_t pages,
		      struct host_encl **ret)
{
	struct hw_cpu *cpu = vmm_host_cpu(mon->m);
	struct sgx_secs secs;
	uint64_t size = 2 * SGX_PAGE_SIZE, added = 0;
	void *page = aligned_alloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	int code = 0, r = -ENOMEM;

	if (!page)
		return mon_fail(mon, -ENOMEM, "out of memory");
	memset(page, 0, SGX_PAGE_SIZE);
	while (size < pages * SGX_PAGE_SIZE)
		size *= 2;
	memset(&secs, 0, sizeof(secs));
	secs.size = size;
	/* Host enclaves are apart, but two may share linear addresses (two processes). */
	secs.base =
	    (ENCL_BASE + (mon->encl_serial++ % 1024) * ENCL_STRIDE + size - 1) / size * size;
	if (secs.base + size > 1ULL << HOST_ENCL_MAX_SIZE_LOG2)
		secs.base = size;
	secs.ssa_frame_size = 1;
	secs.attributes.flags = SGX_ATTR_MODE64BIT;
	secs.attributes.xfrm = 3;
	r = host_encl_create(mon_host(mon), cpu, o, &secs, ret, &code);
	for (; !r && added < pages; added++)
		r = host_encl_add_pages(*ret, cpu, added * SGX_PAGE_SIZE, page, SGX_PAGE_SIZE,
					SGX_SECINFO_R | SGX_SECINFO_W | SGX_SECINFO_PT(SGX_PT_REG),
					false, &code);
	free(page);
	if (!r)
		return 0;
	if (added)
		host_encl_destroy(*ret, cpu);
	*ret = NULL;
	return encl_fail(mon, o, name, r, added ? added - 1 : 0);
}

static int encl_create(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	const char *name = mon_arg(c, 0), *oname = mon_opt(c, "owner");
	struct host_owner *o = NULL;
	struct host_encl_info ei;
	struct host_epc_stats st;
	struct host_encl *e;
	uint64_t pages;

	/*
	 * No larger than the host's EPC: pages beyond it would be written back
	 * to host RAM at once, and the monitor's limits bound the EPC, not that.
	 */
	host_stats(mon_host(mon), &st);
	if (!mon_opt(c, "pages") || cli_parse_u64(mon_opt(c, "pages"), st.total, &pages) || !pages)
		return mon_fail(mon, -EINVAL,
				"enclave create %s: pages=N, 1 to %llu (the host's EPC pages)",
				name, (unsigned long long)st.total);
	if (encl_find(mon, name))
		return mon_fail(mon, -EEXIST,
				"a host enclave named '%s' exists already; destroy it or pick "
				"another name",
				name);
	if (oname && !(o = owner_named(mon, oname)))
		return mon->err;
	if (mon->nr_encls == mon->cap_encls) {
		unsigned int cap = mon->cap_encls ? 2 * mon->cap_encls : 8;
		struct mon_encl *n = realloc(mon->encls, cap * sizeof(*n));

		if (!n)
			return mon_fail(mon, -ENOMEM, "no memory for another enclave");
		mon->encls = n;
		mon->cap_encls = cap;
	}
	if (encl_build(mon, o, name, pages, &e))
		return mon->err;
	snprintf(mon->encls[mon->nr_encls].name, sizeof(mon->encls[0].name), "%s", name);
	mon->encls[mon->nr_encls++].e = e;
	host_encl_query(e, &ei);
	snprintf(mon->detail, sizeof(mon->detail),
		 "%llu page%s added under %s: %llu resident, %llu evicted",
		 (unsigned long long)pages, cli_s(pages), oname ? oname : "root",
		 (unsigned long long)ei.resident, (unsigned long long)ei.evicted);
	return 0;
}

int mon_exec_enclave(struct mon_cmd *c, const char *sub)
{
	struct monitor *mon = c->mon;
	struct mon_encl *me;

	if (!strcmp(sub, "create"))
		return encl_create(c);
	me = encl_find(mon, mon_arg(c, 0));
	if (!me)
		return mon_fail(mon, -ENOENT,
				"no host enclave named '%s': 'enclave create %s "
				"pages=N' first",
				mon_arg(c, 0), mon_arg(c, 0));
	host_encl_destroy(me->e, vmm_host_cpu(mon->m));
	*me = mon->encls[--mon->nr_encls];
	return 0;
}

uint64_t mon_encl_pages(struct monitor *mon)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < mon->nr_encls; i++) {
		struct host_encl_info ei;

		host_encl_query(mon->encls[i].e, &ei);
		n += ei.resident + ei.va_pages + !ei.secs_evicted;
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* expect, info, the report                                               */
/* ---------------------------------------------------------------------- */

const char *const mon_owner_fields[] = {
	"current", "max", "events", "members", "reclaimable", NULL
};

int mon_expect_owner(struct mon_cmd *c)
{
	struct host_owner *o = owner_named(c->mon, mon_arg(c, 0));
	struct host_owner_info oi;
	char b[5][24];

	if (!o)
		return c->mon->err;
	host_owner_query(o, &oi);
	for (unsigned int i = 0; i < 5; i++) {
		uint64_t v = i == 0   ? oi.usage
			     : i == 1 ? oi.limit
			     : i == 2 ? oi.limit_hits
			     : i == 3 ? oi.members
				      : oi.reclaimable;

		if (i == 1 && v == HOST_NO_LIMIT)
			snprintf(b[i], sizeof(b[i]), "unlimited");
		else
			snprintf(b[i], sizeof(b[i]), "%llu", (unsigned long long)v);
	}
	const char *const vals[] = { b[0], b[1], b[2], b[3], b[4] };

	return mon_expect_fields(c, mon_owner_fields, vals, 1);
}

struct owner_rows {
	struct report_owner *rows;
	unsigned int nr, cap;
};

static void owner_row(void *opaque, const struct host_owner_info *oi)
{
	struct owner_rows *r = opaque;
	struct report_owner *row;

	if (r->nr == r->cap)
		return;
	row = &r->rows[r->nr++];
	snprintf(row->name, sizeof(row->name), "%s", oi->name[0] ? oi->name : "(unnamed)");
	snprintf(row->parent, sizeof(row->parent), "%s", oi->parent);
	row->depth = oi->depth;
	row->current = oi->usage;
	row->max = oi->limit;
	row->events = oi->limit_hits;
}

/*
 * Whether the report shows the owners: once an operator made one or gave
 * the root a max. A tree of the root and the VMs' own owners says nothing
 * the VMs' rows do not, and reports stay as they were without owners.
 */
static bool owners_used(const struct owner_rows *r)
{
	if (r->nr && r->rows[0].max != HOST_NO_LIMIT)
		return true;
	for (unsigned int i = 1; i < r->nr; i++)
		if (strncmp(r->rows[i].name, "vm:", 3))
			return true;
	return false;
}

/* Every owner, in tree order, into (snap): the array returned (free() it); NULL on no memory. */
struct report_owner *mon_owners_snapshot(struct monitor *mon, struct report_snapshot *snap,
					 bool always)
{
	struct owner_rows r = { 0 };

	snap->nr_owners = 0;
	snap->owners = NULL;
	/* Owners come and go only on the monitor's thread: the count holds until the walk. */
	r.cap = host_owner_foreach(mon_host(mon), owner_row, &r);
	r.rows = calloc(r.cap, sizeof(*r.rows));
	if (!r.rows)
		return NULL;
	host_owner_foreach(mon_host(mon), owner_row, &r);
	if (!always && !owners_used(&r))
		r.nr = 0;
	snap->nr_owners = r.nr;
	snap->owners = r.rows;
	return r.rows;
}

int mon_info_owners(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	struct report_snapshot snap;
	struct report_owner *rows;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	rows = mon_owners_snapshot(mon, &snap, true);
	f = rows ? open_memstream(&buf, &len) : NULL;
	if (!f) {
		free(rows);
		return mon_fail(mon, -ENOMEM, "out of memory");
	}
	report_owners_write(&snap, f);
	fclose(f);
	snprintf(mon->detail, sizeof(mon->detail), "%s", buf);
	free(buf);
	free(rows);
	return 0;
}

/* At the end: host enclaves, then owners, children before their parents. */
static void owner_name(void *opaque, const struct host_owner_info *oi)
{
	struct owner_rows *r = opaque;

	if (r->nr < r->cap)
		snprintf(r->rows[r->nr++].name, REPORT_OWNER_NAME_MAX, "%s", oi->name);
}

void mon_owners_free(struct monitor *mon)
{
	struct owner_rows r = { 0 };
	struct host *h;

	if (!mon->m)
		return;
	for (unsigned int i = 0; i < mon->nr_encls; i++)
		host_encl_destroy(mon->encls[i].e, vmm_host_cpu(mon->m));
	free(mon->encls);
	mon->encls = NULL;
	mon->nr_encls = 0;
	h = mon_host(mon);
	r.cap = host_owner_foreach(h, owner_name, &r);
	r.rows = calloc(r.cap, sizeof(*r.rows));
	if (!r.rows)
		return;
	host_owner_foreach(h, owner_name, &r);
	while (r.nr-- > 1)
		host_owner_destroy(host_owner_find(h, r.rows[r.nr].name));
	free(r.rows);
}
