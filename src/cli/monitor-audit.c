/* SPDX-License-Identifier: MIT */
/*
 * The accounting audit: rules that hold after every command, whatever it
 * did and whether it failed. A command may fail; it may not lose or leak
 * what it did not touch. The audit reads only what the layers publish
 * (host_node_stats(), vmm_vm_stats(), guest_stats(), guest_enclave_query()),
 * so it checks the layers against each other, not against a copy.
 */
#include "monitor-audit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor-int.h"
#include "vsgx/host.h"

/* An enclave the audit saw, and whether its VM's EPC was taken since. */
struct audit_enclave {
	char name[GUEST_ENCLAVE_NAME_MAX];
	bool at_risk; /* a reset, sleep, migration or #MC came after it was built */
	bool lost;    /* the guest found it lost */
};

/* A guest the audit saw, by identity: it moves with its OS across a migration. */
struct audit_guest {
	const struct guest *g;
	const struct vmm_vm *vm; /* another VM: it migrated */
	uint64_t epoch;		 /* the VM's resets and failed resets */
	struct audit_enclave *e;
	unsigned int nr;
	bool seen; /* in this check */
};

struct mon_audit {
	struct audit_guest *guests; /* as many as the monitor has had guests at once */
	unsigned int nr, cap;
};

int mon_audit_create(struct mon_audit **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void mon_audit_free(struct mon_audit *a)
{
	if (!a)
		return;
	for (unsigned int i = 0; i < a->nr; i++)
		free(a->guests[i].e);
	free(a->guests);
	free(a);
}

static int audit_fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int audit_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* free + used + zombie + bad = total on every node, and the nodes add up to the host. */
static int audit_nodes(struct host *h, struct host_epc_stats *sum, char *why, size_t len)
{
	struct host_epc_stats st, all;

	memset(sum, 0, sizeof(*sum));
	for (unsigned int n = 0; n < host_nr_nodes(h); n++) {
		host_node_stats(h, n, &st);
		if (st.free + st.used + st.zombie + st.bad != st.total)
			return audit_fail(why, len,
					  "node %u: free %llu + used %llu + zombie %llu + bad %llu "
					  "!= total %llu",
					  n, (unsigned long long)st.free,
					  (unsigned long long)st.used,
					  (unsigned long long)st.zombie, (unsigned long long)st.bad,
					  (unsigned long long)st.total);
		sum->total += st.total, sum->free += st.free, sum->used += st.used;
		sum->zombie += st.zombie, sum->bad += st.bad;
	}
	host_stats(h, &all);
	if (memcmp(&all, sum, sizeof(all)))
		return audit_fail(why, len,
				  "the host counts %llu free, %llu used, %llu zombie of %llu, its "
				  "nodes %llu, %llu, %llu of %llu",
				  (unsigned long long)all.free, (unsigned long long)all.used,
				  (unsigned long long)all.zombie, (unsigned long long)all.total,
				  (unsigned long long)sum->free, (unsigned long long)sum->used,
				  (unsigned long long)sum->zombie, (unsigned long long)sum->total);
	return 0;
}

/*
 * Every used page is a VM's, the VMM's own (the VA pages it oversubscribes a
 * VM with) or a host enclave's (its SECS, VA pages and resident pages):
 * those add up to the host's used count, and with no VM left nothing is a
 * zombie. The owners' root is charged every page but the VMM's own.
 */
static int audit_vms(struct monitor *mon, const struct host_epc_stats *sum, char *why, size_t len)
{
	uint64_t encl = mon_encl_pages(mon), held = encl, va = 0;
	struct host_owner_info root;

	for (unsigned int i = 0; i < mon->nr_vms; i++) {
		struct vmm_oversub_info ov;
		struct vmm_vm_stats st;

		vmm_oversub_query(mon->vms[i].vm, &ov);
		va += ov.va_pages;
		vmm_vm_stats(mon->vms[i].vm, &st);
		if (st.epc_held > st.epc_configured)
			return audit_fail(
			    why, len, "VM '%s' holds %llu EPC pages of %llu configured",
			    vmm_vm_name(mon->vms[i].vm), (unsigned long long)st.epc_held,
			    (unsigned long long)st.epc_configured);
		held += st.epc_held;
	}
	if (held + va != sum->used)
		return audit_fail(why, len,
				  "the host counts %llu EPC pages used, its %u VM%s (and the VMM's "
				  "VA pages) hold %llu%s",
				  (unsigned long long)sum->used, mon->nr_vms, cli_s(mon->nr_vms),
				  (unsigned long long)(held + va - encl),
				  mon->nr_encls ? ", its host enclaves the rest" : "");
	host_owner_query(host_owner_root(vmm_host(mon->m)), &root);
	if (root.usage != held)
		return audit_fail(why, len,
				  "the root EPC owner is charged %llu pages, the VMs and host "
				  "enclaves hold %llu",
				  (unsigned long long)root.usage, (unsigned long long)held);
	if (!mon->nr_vms && sum->zombie)
		return audit_fail(why, len, "no VM is left, yet the host keeps %llu zombies",
				  (unsigned long long)sum->zombie);
	return 0;
}

/* The audit's record of (g), a new one (no enclaves) the first time. */
static struct audit_guest *audit_guest_of(struct mon_audit *a, const struct mon_vm *v)
{
	struct vmm_vm_stats st;

	for (unsigned int i = 0; i < a->nr; i++)
		if (a->guests[i].g == v->guest)
			return &a->guests[i];
	if (a->nr == a->cap) {
		unsigned int cap = a->cap ? 2 * a->cap : 8;
		struct audit_guest *n = realloc(a->guests, cap * sizeof(*n));

		if (!n)
			return NULL;
		a->guests = n;
		a->cap = cap;
	}
	vmm_vm_stats(v->vm, &st);
	a->guests[a->nr] = (struct audit_guest){ .g = v->guest,
						 .vm = v->vm,
						 .epoch = st.resets + st.reset_failures };
	return &a->guests[a->nr++];
}

static struct audit_enclave *enclave_find(struct audit_guest *ag, const char *name)
{
	for (unsigned int i = 0; i < ag->nr; i++)
		if (!strcmp(ag->e[i].name, name))
			return &ag->e[i];
	return NULL;
}

/*
 * The guest's enclaves now: those that went are dropped, new ones start
 * safe, and one found lost must have been at risk. Enclave names are unique
 * in a guest, and a name reused after a destroy is a new enclave: one
 * command cannot both destroy and build.
 */
static int audit_enclaves(struct audit_guest *ag, struct mon_vm *v, char *why, size_t len)
{
	unsigned int n = guest_nr_enclaves(v->guest);
	struct audit_enclave *now = calloc(n ? n : 1, sizeof(*now));
	int r = 0;

	if (!now)
		return audit_fail(why, len, "out of memory");
	for (unsigned int i = 0; i < n; i++) {
		const char *name = guest_enclave_name(v->guest, i);
		struct audit_enclave *was = enclave_find(ag, name);
		struct guest_enclave_info info;

		snprintf(now[i].name, sizeof(now[i].name), "%s", name);
		now[i].at_risk = was && was->at_risk;
		if (guest_enclave_query(v->guest, name, &info))
			continue;
		now[i].lost = info.state == GUEST_ENCLAVE_LOST;
		if (!r && now[i].lost && !(was && was->lost) && !now[i].at_risk)
			r = audit_fail(why, len,
				       "VM '%s': enclave '%s' was found lost, but no reset, sleep, "
				       "migration or machine check took the VM's EPC since it was "
				       "built",
				       vmm_vm_name(v->vm), name);
		if (!r && !now[i].lost && info.resident + info.evicted != info.pages)
			r = audit_fail(why, len,
				       "VM '%s': enclave '%s' has %llu pages, %llu resident + %llu "
				       "evicted",
				       vmm_vm_name(v->vm), name, (unsigned long long)info.pages,
				       (unsigned long long)info.resident,
				       (unsigned long long)info.evicted);
	}
	free(ag->e);
	ag->e = now;
	ag->nr = n;
	return r;
}

/*
 * One guest: its enclaves first (the record must follow every command, even
 * one that breaks a rule), then nothing leaked and its free list within its
 * EPC.
 */
static int audit_guest(struct mon_audit *a, struct mon_vm *v, char *why, size_t len)
{
	struct audit_guest *ag = audit_guest_of(a, v);
	struct vmm_vm_stats vst;
	struct guest_stats st;
	int r;

	if (!ag)
		return audit_fail(why, len, "out of memory");
	ag->seen = true;
	/*
	 * A reset, a sleep, a migration or a machine check (poisoned EPC)
	 * since the last check puts every enclave at risk.
	 */
	vmm_vm_stats(v->vm, &vst);
	if (ag->vm != v->vm || ag->epoch != vst.resets + vst.reset_failures + vst.injected_mc) {
		for (unsigned int i = 0; i < ag->nr; i++)
			ag->e[i].at_risk = true;
		ag->vm = v->vm;
		ag->epoch = vst.resets + vst.reset_failures + vst.injected_mc;
	}
	r = audit_enclaves(ag, v, why, len);
	if (r)
		return r;
	guest_stats(v->guest, &st);
	if (st.leaked)
		return audit_fail(why, len,
				  "VM '%s': the guest leaked %llu EPC pages (EREMOVE failed on "
				  "them)",
				  vmm_vm_name(v->vm), (unsigned long long)st.leaked);
	if (st.epc_free > st.epc_pages)
		return audit_fail(why, len, "VM '%s': the guest has %llu EPC pages free of %llu",
				  vmm_vm_name(v->vm), (unsigned long long)st.epc_free,
				  (unsigned long long)st.epc_pages);
	return 0;
}

/* Forget the guests that are gone (destroyed with their VM). */
static void audit_sweep(struct mon_audit *a)
{
	for (unsigned int i = 0; i < a->nr;) {
		if (a->guests[i].seen) {
			a->guests[i++].seen = false;
			continue;
		}
		free(a->guests[i].e);
		a->guests[i] = a->guests[--a->nr];
	}
}

int mon_audit_check(struct mon_audit *a, struct monitor *mon, char *why, size_t why_len)
{
	struct host_epc_stats sum;
	int r;

	if (!mon->m)
		return 0;
	r = audit_nodes(vmm_host(mon->m), &sum, why, why_len);
	if (!r)
		r = audit_vms(mon, &sum, why, why_len);
	/* Every guest, after a failure too: the records must follow each command. */
	for (unsigned int i = 0; i < mon->nr_vms; i++) {
		char msg[MON_MSG_MAX];

		if (mon->vms[i].guest && audit_guest(a, &mon->vms[i], msg, sizeof(msg)) && !r)
			r = audit_fail(why, why_len, "%s", msg);
	}
	audit_sweep(a);
	return r;
}
