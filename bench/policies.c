/* SPDX-License-Identifier: MIT */
/*
 * bench/policies: the EPC policies of docs/POLICIES.md on one workload.
 *
 * N VMs (default 4) share a host of N x SHARE MiB of EPC. Each guest runs
 * enclaves whose working set grows and shrinks in phases: a level of 0 to 4
 * units of 3/8 SHARE each (so its peak, 1.5 SHARE, is more than its share),
 * rising one unit a phase to 4 and falling back over a cycle of 8 phases,
 * each VM's cycle 8/N phases after the previous VM's, so their peaks never
 * coincide and the levels always add up to 2N units (3/4 of the host).
 *
 *   apps: a level of L is L enclaves of one unit each (growing builds one,
 *         shrinking destroys the newest), as services starting and stopping;
 *   big:  a level of L is one enclave of L units (rebuilt when L changes),
 *         as one job whose data set changes.
 *
 * Each phase: the VMs' shrinking enclaves go, the policy moves EPC (only
 * ballooning does), the growing ones are built, and then every enclave is
 * verified from inside VERIFY times (guest_enclave_verify(): thread 0 enters
 * and reads back every measured page, reloading what was evicted). That is
 * the work: an enclave's pages per verify. An enclave that cannot be built
 * (its guest's EPC too small and nothing left to evict) is failed work, its
 * pages counted for every verify it missed; a VM that stops (its EPC fault
 * failed) fails the rest of its work.
 *
 * Policies (the rows): static (each VM SHARE MiB for good); balloon (each VM
 * starts with SHARE and may grow to 2 SHARE; before the phase's builds a
 * controller here sets balloon targets as `vm balloon` does: first down for
 * VMs holding more than their need, then up, from the host's free pages,
 * for VMs that need more; a VM's need is what its guest uses after the
 * shrink plus the enclaves it is about to build, plus a margin: a guest
 * agent telling the controller its next working set); oversubscribe (each
 * guest sees 2 SHARE, its VM holds at most SHARE minus the VMM's VA pages:
 * the EPC Oversubscription Extensions); trap (the same by trapping ENCLS,
 * xl's epc_oversub = "trap", on a host without the extensions: skipped with
 * a message while the hypervisor refuses the key).
 *
 * Deterministic counts (exact, the same every round: the bench dies if
 * not): work done and failed; pages evicted by the guest's reclaimer, by its
 * balloon driver, by the VMM, by the host reclaimer; pages reloaded by the
 * guest and by the VMM; pages the balloon moved; the worst stall as the most
 * reloads one command waited for and one access waited for; EPC held by VMs
 * and holding enclave state, sampled after every command. Timed (best and
 * median of ROUNDS): the host CPU time the model spends running the
 * workload's commands (the model has no clock of its own), work per CPU
 * second, and the longest single command in CPU time.
 *
 * usage: bench-policies [--vms N] [--share MIB] [--phases N] [--verify N]
 *                       [--rounds N] [--svg DIR] [--check FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/crypto.h"
#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/report.h"
#include "vsgx/vmm-balloon.h"
#include "vsgx/vmm.h"

#include "bench-util.h"

#define VMS_MAX	    8
#define LEVEL_MAX   4 /* units of working set at a VM's peak */
#define PERIOD	    8 /* phases in one cycle of growth and shrink */
#define ENCL_MAX    LEVEL_MAX
#define MARGIN	    16 /* pages the controller adds to a need: room for VA pages */
#define ROUNDS_MAX  16
#define VM_RAM_MIB  256
#define PAGES_MIB   256
#define VA_SLOTS    512 /* frames one VA page of the VMM covers */
#define COUNTS_TEXT 512

enum workload { WL_APPS, WL_BIG, NR_WORKLOADS };
static const char *const workload_names[NR_WORKLOADS] = { "apps", "big" };

/*
 * A policy: how a VM is configured, and whether the bench's balloon
 * controller runs. One more policy (per-owner limits) is one more row here
 * and, if its VMs need it, one more branch in vm_xl() / vm_setup().
 */
struct policy {
	const char *name;
	const char *xl;	   /* xl keys beyond name, type, memory, vcpus and epc */
	bool peak_epc;	   /* the guest sees 2 SHARE (else SHARE) */
	bool host_oversub; /* the host has the EPC Oversubscription Extensions */
	bool limit_share;  /* its VM holds at most SHARE minus the VMM's VA pages */
	bool controller;   /* the bench's balloon controller moves EPC */
	const char *needs; /* a VM refused: the row is skipped with this */
};

static const struct policy policies[] = {
	{ "static", "", false, true, false, false, NULL },
	{ "balloon", "epc_policy = \"balloon\"\n", false, true, false, true, NULL },
	{ "oversubscribe", "epc_policy = \"oversubscribe\"\n", true, true, true, false, NULL },
	{ "trap", "epc_policy = \"oversubscribe\"\nepc_oversub = \"trap\"\n", true, false, true,
	  false, "needs epc_oversub=trap" },
};
#define NR_POLICIES (sizeof(policies) / sizeof(policies[0]))

struct params {
	unsigned int vms;
	uint64_t share_mib;
	unsigned int phases;
	unsigned int verify;
	unsigned int rounds;
	const char *svg_dir;
	const char *check;
};

/* What a run counts: exact, and the same every round. */
struct counts {
	uint64_t commands;
	uint64_t work, work_failed; /* enclave pages x verifies */
	uint64_t verified;	    /* pages guest_enclave_verify() read back */
	uint64_t builds, builds_failed;
	uint64_t guest_reclaim, guest_balloon, guest_reloaded;
	uint64_t vmm_evicted, vmm_reloaded, vmm_freed;
	uint64_t host_reclaimed;
	uint64_t moved;			       /* pages the balloon gave back plus took again */
	uint64_t stall_cmd;		       /* most reloads one command waited for */
	uint64_t stall_access;		       /* most reloads one access waited for (the VMM's) */
	uint64_t stopped;		       /* VMs stopped by a failed EPC fault */
	uint64_t samples, held, useful, total; /* page sums over the samples; host pages */
};

struct live {
	char name[16];
	uint64_t pages;
};

struct pvm {
	char name[16];
	struct vmm_vm *vm;
	struct guest *g;
	bool stopped;
	unsigned int nr_live;
	struct live live[ENCL_MAX];
	unsigned int nr_want; /* this phase's enclaves */
	struct live want[ENCL_MAX];
};

struct run {
	const struct params *p;
	const struct policy *pol;
	enum workload wl;
	const struct crypto_rsa_key *key;
	struct vmm *m;
	struct pvm vms[VMS_MAX];
	unsigned int phase;
	struct report_series *series;
	struct counts c;
	double cpu, worst_cpu; /* seconds */
	char skipped[640];
};

static uint64_t share_pages(const struct params *p)
{
	return p->share_mib * PAGES_MIB;
}

static uint64_t unit_pages(const struct params *p)
{
	return share_pages(p) * 3 / 8;
}

/* The level of VM (i) in phase (phase): 0 1 2 3 4 3 2 1, shifted by VM. */
static unsigned int level(const struct params *p, unsigned int phase, unsigned int i)
{
	unsigned int x = (phase + i * PERIOD / p->vms) % PERIOD;

	return x <= LEVEL_MAX ? x : PERIOD - x;
}

/* ---------------------------------------------------------------------- */
/* VMs                                                                    */
/* ---------------------------------------------------------------------- */

static void vm_xl(const struct run *r, const char *name, char *buf, size_t len)
{
	uint64_t share = r->p->share_mib, epc = r->pol->peak_epc ? 2 * share : share;
	int n = snprintf(buf, len,
			 "name = \"%s\"\ntype = \"hvm\"\nmemory = %d\nvcpus = 1\nepc = %llu\n%s",
			 name, VM_RAM_MIB, (unsigned long long)epc, r->pol->xl);

	if (r->pol->controller)
		snprintf(buf + n, len - (size_t)n, "epc_max = %llu\n",
			 (unsigned long long)(2 * share));
	else if (r->pol->limit_share)
		snprintf(buf + n, len - (size_t)n, "epc_max = %llu\n", (unsigned long long)share);
}

/* 0, or -EINVAL with the row marked skipped when the policy's VM is refused. */
static int vm_setup(struct run *r, struct pvm *v)
{
	struct hw_processor *hp = vmm_processor(r->m);
	char text[1024], why[512];
	struct vm_config cfg;
	struct vm_diags d;
	int e;

	vm_xl(r, v->name, text, sizeof(text));
	/* Strict: a key the hypervisor does not know refuses the VM instead of being ignored. */
	vm_diags_init(&d, true);
	e = vm_config_read_xl(hp, text, &cfg, &d);
	snprintf(why, sizeof(why), "%s", e ? vm_diags_first_error(&d) : "");
	if (!e && r->pol->limit_share) {
		/*
		 * xl's epc_max is whole MiB: the VM holds its share less the
		 * VMM's VA pages (one per VA_SLOTS frames, taken at creation),
		 * so every policy's VMs hold the same host EPC at most.
		 */
		uint64_t frames = vm_config_epc_size(&cfg) / SGX_PAGE_SIZE;
		uint64_t va = (frames + VA_SLOTS - 1) / VA_SLOTS;

		cfg.epc_host_max = (share_pages(r->p) - va) * SGX_PAGE_SIZE;
	}
	if (!e)
		e = vmm_vm_create(r->m, v->name, &cfg, &v->vm, why, sizeof(why));
	if (!e)
		e = guest_boot(v->vm, &v->g, why, sizeof(why));
	if (e && r->pol->needs) {
		snprintf(r->skipped, sizeof(r->skipped), "%s (%s)", r->pol->needs, why);
		return -EINVAL;
	}
	if (e)
		bench_die("VM setup", e, why);
	return 0;
}

static int run_setup(struct run *r)
{
	char text[128], why[256];
	struct hw_desc d;
	int e;

	snprintf(text, sizeof(text), "epc=%lluM@0 cpus=4 oversub=%d",
		 (unsigned long long)(r->p->vms * r->p->share_mib), r->pol->host_oversub);
	e = vm_host_parse(text, &d, why, sizeof(why));
	if (!e)
		e = vmm_create(&d, &r->m, why, sizeof(why));
	if (e)
		bench_die("host", e, why);
	if (report_series_create(&r->series))
		bench_die("report_series_create", -ENOMEM, NULL);
	for (unsigned int i = 0; i < r->p->vms; i++) {
		snprintf(r->vms[i].name, sizeof(r->vms[i].name), "vm%u", i + 1);
		if (vm_setup(r, &r->vms[i]))
			return -EINVAL;
	}
	return 0;
}

static void run_free(struct run *r)
{
	for (unsigned int i = 0; i < r->p->vms; i++) {
		guest_free(r->vms[i].g);
		vmm_vm_destroy(r->vms[i].vm, NULL);
	}
	vmm_destroy(r->m);
	report_series_free(r->series);
}

/* ---------------------------------------------------------------------- */
/* Samples and commands                                                   */
/* ---------------------------------------------------------------------- */

/* Pages of the VM holding its guest's state (enclaves, SECS, VA pages) now. */
static uint64_t vm_useful(struct pvm *v)
{
	struct vmm_oversub_info ov;
	struct guest_stats st;
	uint64_t used;

	if (!v->g)
		return 0;
	guest_stats(v->g, &st);
	vmm_oversub_query(v->vm, &ov);
	used = st.epc_pages - st.epc_free - st.ballooned;
	/* Frames the VMM wrote back hold the guest's state outside the EPC. */
	if (ov.blobs > used)
		bench_die("pages in use: blobs above the guest's used frames", (long long)ov.blobs,
			  NULL);
	return used - ov.blobs;
}

static void sample(struct run *r, const char *label)
{
	struct report_vm vms[VMS_MAX + 1];
	struct report_snapshot s = { .nr_nodes = 1, .vms = vms, .nr_vms = r->p->vms + 1 };
	struct host_epc_stats st;
	uint64_t idle = 0, held_all = 0, useful_all = 0;
	char why[256];

	host_node_stats(vmm_host(r->m), 0, &st);
	s.nodes[0] = (struct report_node){ 0, st.total, st.free, st.used, st.zombie, st.bad };
	for (unsigned int i = 0; i < r->p->vms; i++) {
		uint64_t per[HW_MAX_NODES], useful = vm_useful(&r->vms[i]);

		vmm_vm_epc_per_node(r->vms[i].vm, per);
		if (useful > per[0])
			bench_die("pages in use above the VM's", (long long)useful, r->vms[i].name);
		memset(&vms[i], 0, sizeof(vms[i]));
		snprintf(vms[i].name, sizeof(vms[i].name), "%s enclaves", r->vms[i].name);
		vms[i].pages[0] = useful;
		idle += per[0] - useful;
		held_all += per[0];
		useful_all += useful;
	}
	memset(&vms[r->p->vms], 0, sizeof(vms[0]));
	snprintf(vms[r->p->vms].name, sizeof(vms[0].name), "held by VMs, idle");
	vms[r->p->vms].pages[0] = idle;
	if (report_snapshot_check(&s, why, sizeof(why)) ||
	    report_series_add(r->series, r->phase + 1, label, &s))
		bench_die("EPC sample", 0, why);
	r->c.samples++;
	r->c.held += held_all;
	r->c.useful += useful_all;
	r->c.total = st.total;
}

/* Every reload so far, the guests' and the VMM's. */
static uint64_t reloads(struct run *r)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < r->p->vms; i++) {
		struct vmm_oversub_info ov;
		struct guest_stats st;

		guest_stats(r->vms[i].g, &st);
		vmm_oversub_query(r->vms[i].vm, &ov);
		n += st.reloads + ov.reloaded;
	}
	return n;
}

enum op { OP_BUILD, OP_DESTROY, OP_VERIFY, OP_BALLOON };
static const char *const op_names[] = { "build", "destroy", "verify", "balloon" };

/*
 * One command on VM (v): timed in CPU time, its reloads counted, the EPC
 * sampled after it. A VM that stops (VMM_VM_ERROR) is marked.
 */
static int command(struct run *r, struct pvm *v, enum op op, const char *encl, uint64_t pages,
		   struct guest_balloon_result *res, uint64_t *ret_pages)
{
	uint64_t before = reloads(r), n;
	char why[512], label[96];
	double t0 = bench_cpu_now(), t;
	int e;

	switch (op) {
	case OP_BUILD:
		e = guest_enclave_build(v->g, encl, pages, 1, r->key, NULL, why, sizeof(why));
		break;
	case OP_DESTROY:
		e = guest_enclave_destroy(v->g, encl, why, sizeof(why));
		break;
	case OP_VERIFY:
		e = guest_enclave_verify(v->g, encl, ret_pages, why, sizeof(why));
		break;
	default:
		e = vmm_vm_balloon_set_target(v->vm, pages, why, sizeof(why));
		if (!e)
			e = guest_balloon_update(v->g, res, why, sizeof(why));
		break;
	}
	t = bench_cpu_now() - t0;
	r->cpu += t;
	if (t > r->worst_cpu)
		r->worst_cpu = t;
	n = reloads(r) - before;
	if (n > r->c.stall_cmd)
		r->c.stall_cmd = n;
	r->c.commands++;
	if (vmm_vm_state(v->vm) == VMM_VM_ERROR && !v->stopped) {
		v->stopped = true;
		r->c.stopped++;
	}
	snprintf(label, sizeof(label), "phase %u: %s %s %s%s", r->phase + 1, v->name, op_names[op],
		 encl ? encl : "", e ? " (failed)" : "");
	sample(r, label);
	/* Only a build may fail as a policy's outcome; anything else is a bug. */
	if (e && op != OP_BUILD && !v->stopped)
		bench_die(op_names[op], e, why);
	return e;
}

/* ---------------------------------------------------------------------- */
/* Phases                                                                 */
/* ---------------------------------------------------------------------- */

/* The enclaves VM (i) runs in this phase. */
static void want_set(struct run *r, unsigned int i)
{
	struct pvm *v = &r->vms[i];
	unsigned int l = level(r->p, r->phase, i);
	uint64_t unit = unit_pages(r->p);

	v->nr_want = 0;
	if (r->wl == WL_BIG && l) {
		snprintf(v->want[0].name, sizeof(v->want[0].name), "w%u", l);
		v->want[v->nr_want++].pages = l * unit;
		return;
	}
	for (unsigned int k = 0; r->wl == WL_APPS && k < l; k++) {
		snprintf(v->want[k].name, sizeof(v->want[k].name), "a%u", k);
		v->want[v->nr_want++].pages = unit;
	}
}

static bool in_set(const struct live *set, unsigned int n, const char *name)
{
	for (unsigned int k = 0; k < n; k++)
		if (!strcmp(set[k].name, name))
			return true;
	return false;
}

/* The enclaves the phase does not want go, newest first. */
static void shrink(struct run *r, struct pvm *v)
{
	for (unsigned int k = v->nr_live; k-- > 0;) {
		if (in_set(v->want, v->nr_want, v->live[k].name))
			continue;
		if (!v->stopped)
			command(r, v, OP_DESTROY, v->live[k].name, 0, NULL, NULL);
		v->live[k] = v->live[--v->nr_live];
	}
}

static void grow(struct run *r, struct pvm *v)
{
	for (unsigned int k = 0; k < v->nr_want && !v->stopped; k++) {
		if (in_set(v->live, v->nr_live, v->want[k].name))
			continue;
		r->c.builds++;
		if (command(r, v, OP_BUILD, v->want[k].name, v->want[k].pages, NULL, NULL)) {
			r->c.builds_failed++;
			continue;
		}
		v->live[v->nr_live++] = v->want[k];
	}
}

/* Pages the VM's guest needs for this phase: what it uses now and what it will build. */
static uint64_t need(struct pvm *v)
{
	struct guest_stats st;
	uint64_t n;

	guest_stats(v->g, &st);
	n = st.epc_pages - st.epc_free - st.ballooned + MARGIN;
	for (unsigned int k = 0; k < v->nr_want; k++)
		if (!in_set(v->live, v->nr_live, v->want[k].name))
			n += v->want[k].pages + 1; /* and its SECS */
	return n;
}

static void balloon_to(struct run *r, struct pvm *v, uint64_t target)
{
	struct guest_balloon_result res = { 0 };

	if (command(r, v, OP_BALLOON, NULL, target, &res, NULL))
		return;
	r->c.moved += res.given + res.taken;
	r->c.guest_balloon += res.evicted;
}

/*
 * The controller: VMs holding more than they need give it back first, then
 * VMs that need more take it from the host's free pages, in VM order, as
 * far as those go.
 */
static void controller(struct run *r)
{
	uint64_t want[VMS_MAX];
	struct vmm_balloon_info b;

	for (unsigned int i = 0; i < r->p->vms; i++) {
		struct pvm *v = &r->vms[i];

		if (v->stopped)
			continue;
		vmm_vm_balloon_query(v->vm, &b);
		want[i] = need(v) < b.max ? need(v) : b.max;
		if (want[i] < b.current)
			balloon_to(r, v, want[i]);
	}
	for (unsigned int i = 0; i < r->p->vms; i++) {
		struct pvm *v = &r->vms[i];
		struct host_epc_stats st;
		uint64_t grant;

		if (v->stopped)
			continue;
		vmm_vm_balloon_query(v->vm, &b);
		host_node_stats(vmm_host(r->m), 0, &st);
		grant = want[i] > b.current ? want[i] - b.current : 0;
		grant = grant < st.free ? grant : st.free;
		if (grant)
			balloon_to(r, v, b.current + grant);
	}
}

/* Every enclave of the phase verified (r->p->verify) times; missing ones are failed work. */
static void work(struct run *r)
{
	for (unsigned int round = 0; round < r->p->verify; round++) {
		for (unsigned int i = 0; i < r->p->vms; i++) {
			struct pvm *v = &r->vms[i];

			for (unsigned int k = 0; k < v->nr_want; k++) {
				uint64_t pages = v->want[k].pages, checked = 0;

				if (v->stopped || !in_set(v->live, v->nr_live, v->want[k].name) ||
				    command(r, v, OP_VERIFY, v->want[k].name, 0, NULL, &checked)) {
					r->c.work_failed += pages;
					continue;
				}
				r->c.work += pages;
				r->c.verified += checked;
			}
		}
	}
}

static void run_phases(struct run *r)
{
	for (r->phase = 0; r->phase < r->p->phases; r->phase++) {
		for (unsigned int i = 0; i < r->p->vms; i++) {
			want_set(r, i);
			shrink(r, &r->vms[i]);
		}
		if (r->pol->controller)
			controller(r);
		for (unsigned int i = 0; i < r->p->vms; i++)
			grow(r, &r->vms[i]);
		work(r);
	}
}

/* The guests' and the VMM's paging, split by who did it, when the run ends. */
static void run_totals(struct run *r)
{
	for (unsigned int i = 0; i < r->p->vms; i++) {
		struct vmm_oversub_info ov;
		struct guest_stats st;

		guest_stats(r->vms[i].g, &st);
		vmm_oversub_query(r->vms[i].vm, &ov);
		r->c.guest_reclaim += st.evictions;
		r->c.guest_reloaded += st.reloads;
		r->c.vmm_evicted += ov.evicted;
		r->c.vmm_reloaded += ov.reloaded;
		r->c.vmm_freed += ov.freed;
		if (ov.worst_stall > r->c.stall_access)
			r->c.stall_access = ov.worst_stall;
	}
	/* The guests' EWBs for their balloon drivers were counted apart. */
	r->c.guest_reclaim -= r->c.guest_balloon;
	/*
	 * No host enclave runs here, and the host reclaimer never takes a
	 * VM's pages (a vEPC page is reclaimed only by its VMM): zero by
	 * construction, kept as a column so a policy that changes it shows.
	 */
	r->c.host_reclaimed = 0;
}

/* ---------------------------------------------------------------------- */
/* Output                                                                 */
/* ---------------------------------------------------------------------- */

static double pct(uint64_t part, uint64_t samples, uint64_t total)
{
	return samples && total ? 100.0 * (double)part / (double)samples / (double)total : 0;
}

static void counts_text(const char *wl, const char *pol, const struct counts *c, char *buf,
			size_t len)
{
	snprintf(buf, len,
		 "%s %s: commands=%llu work=%llu failed=%llu verified=%llu builds=%llu/%llu "
		 "evicted=%llu/%llu/%llu/%llu reloaded=%llu/%llu vmm-freed=%llu moved=%llu "
		 "stall=%llu/%llu stopped=%llu held=%.2f%% useful=%.2f%%\n",
		 wl, pol, (unsigned long long)c->commands, (unsigned long long)c->work,
		 (unsigned long long)c->work_failed, (unsigned long long)c->verified,
		 (unsigned long long)(c->builds - c->builds_failed), (unsigned long long)c->builds,
		 (unsigned long long)c->guest_reclaim, (unsigned long long)c->guest_balloon,
		 (unsigned long long)c->vmm_evicted, (unsigned long long)c->host_reclaimed,
		 (unsigned long long)c->guest_reloaded, (unsigned long long)c->vmm_reloaded,
		 (unsigned long long)c->vmm_freed, (unsigned long long)c->moved,
		 (unsigned long long)c->stall_cmd, (unsigned long long)c->stall_access,
		 (unsigned long long)c->stopped, pct(c->held, c->samples, c->total),
		 pct(c->useful, c->samples, c->total));
}

struct row {
	enum workload wl;
	const struct policy *pol;
	struct counts c;
	double cpu[ROUNDS_MAX], worst[ROUNDS_MAX];
	char skipped[640];
};

static void svg_write(const struct params *p, struct run *r)
{
	char path[4096], title[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/policies-%s-%s.svg", p->svg_dir, workload_names[r->wl],
		 r->pol->name);
	snprintf(title, sizeof(title),
		 "EPC after each command: %s workload, %s policy (line: the phase)",
		 workload_names[r->wl], r->pol->name);
	f = fopen(path, "w");
	if (!f || report_svg_write(r->series, title, f) || fclose(f))
		bench_die("writing the plot", errno, path);
}

/* One round of one row: setup, the phases, totals; 0, or -EINVAL when skipped. */
static int run_once(const struct params *p, const struct crypto_rsa_key *key, struct row *row,
		    unsigned int round)
{
	struct run r = { .p = p, .pol = row->pol, .wl = row->wl, .key = key };
	char a[COUNTS_TEXT], b[COUNTS_TEXT];

	if (run_setup(&r)) {
		snprintf(row->skipped, sizeof(row->skipped), "%s", r.skipped);
		run_free(&r);
		return -EINVAL;
	}
	run_phases(&r);
	run_totals(&r);
	if (round && memcmp(&r.c, &row->c, sizeof(r.c))) {
		counts_text("this", "round", &r.c, a, sizeof(a));
		counts_text("first", "round", &row->c, b, sizeof(b));
		fprintf(stderr, "%s%s", a, b);
		bench_die("the same counts in every round", round, row->pol->name);
	}
	row->c = r.c;
	row->cpu[round] = r.cpu;
	row->worst[round] = r.worst_cpu;
	if (!round && p->svg_dir)
		svg_write(p, &r);
	run_free(&r);
	return 0;
}

static void table(const struct params *p, struct row *rows, unsigned int n)
{
	printf("\n| workload | policy | EPC held by VMs | EPC holding enclave state | work done "
	       "(pages) | work failed (pages) | builds | work per CPU second (best / median) | "
	       "worst stall: reloads per command / per access | longest command, CPU ms (best / "
	       "median) |\n|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned int i = 0; i < n; i++) {
		const struct counts *c = &rows[i].c;
		double cb, cm, wb, wm;

		if (rows[i].skipped[0]) {
			printf("| %s | %s | skipped: %s | | | | | | | |\n",
			       workload_names[rows[i].wl], rows[i].pol->name, rows[i].skipped);
			continue;
		}
		bench_best_median(rows[i].cpu, p->rounds, &cb, &cm);
		bench_best_median(rows[i].worst, p->rounds, &wb, &wm);
		printf("| %s | %s | %.1f%% | %.1f%% | %llu | %llu | %llu of %llu | %.0f / %.0f | "
		       "%llu / %llu | %.1f / %.1f |\n",
		       workload_names[rows[i].wl], rows[i].pol->name,
		       pct(c->held, c->samples, c->total), pct(c->useful, c->samples, c->total),
		       (unsigned long long)c->work, (unsigned long long)c->work_failed,
		       (unsigned long long)(c->builds - c->builds_failed),
		       (unsigned long long)c->builds, (double)c->work / cb, (double)c->work / cm,
		       (unsigned long long)c->stall_cmd, (unsigned long long)c->stall_access,
		       wb * 1e3, wm * 1e3);
	}
	printf("\n| workload | policy | evicted by the guest's reclaimer | by its balloon driver "
	       "| by the VMM | by the host reclaimer | reloaded by the guest | by the VMM | "
	       "freed by the VMM (no write-back) | moved by the balloon | workload CPU s (best "
	       "/ median) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (unsigned int i = 0; i < n; i++) {
		const struct counts *c = &rows[i].c;
		double cb, cm;

		if (rows[i].skipped[0])
			continue;
		bench_best_median(rows[i].cpu, p->rounds, &cb, &cm);
		printf("| %s | %s | %llu | %llu | %llu | %llu | %llu | %llu | %llu | %llu | %.2f / "
		       "%.2f |\n",
		       workload_names[rows[i].wl], rows[i].pol->name,
		       (unsigned long long)c->guest_reclaim, (unsigned long long)c->guest_balloon,
		       (unsigned long long)c->vmm_evicted, (unsigned long long)c->host_reclaimed,
		       (unsigned long long)c->guest_reloaded, (unsigned long long)c->vmm_reloaded,
		       (unsigned long long)c->vmm_freed, (unsigned long long)c->moved, cb, cm);
	}
}

/* The line of (text) that starts with (key), its length in *ret_len; NULL if none. */
static const char *line_of(const char *text, const char *key, size_t *ret_len)
{
	size_t k = strlen(key);

	for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if (!strncmp(l, key, k)) {
			*ret_len = strcspn(l, "\n");
			return l;
		}
	}
	return NULL;
}

/*
 * Each row's counts line against (path)'s line for the same row: they must
 * be equal. A row the file has no line for must have been skipped (a
 * policy the hypervisor does not have yet); once it runs, its line is
 * printed to be added. Return: 0, 1 (a difference), 2 (no file).
 */
static int check(const char *path, const char *got, const struct row *rows, unsigned int n)
{
	char want[NR_WORKLOADS * NR_POLICIES * COUNTS_TEXT], key[64];
	FILE *f = fopen(path, "r");
	int status = 0;
	size_t len;

	if (!f) {
		fprintf(stderr, "%s: cannot read %s: %s\n", bench_name, path, strerror(errno));
		return 2;
	}
	len = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	want[len] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		const char *w, *g;
		size_t wl = 0, gl = 0;

		snprintf(key, sizeof(key), "%s %s:", workload_names[rows[i].wl], rows[i].pol->name);
		g = line_of(got, key, &gl);
		w = line_of(want, key, &wl);
		if (!g)
			bench_die("a counts line for every row", (long long)i, key);
		if (!w && rows[i].skipped[0])
			continue;
		if (!w) {
			printf("not checked yet (add it to %s): %.*s\n", path, (int)gl, g);
			continue;
		}
		if (wl != gl || strncmp(w, g, wl)) {
			fprintf(stderr,
				"%s: counts differ from %s\nexpected: %.*s\ngot:      %.*s\n",
				bench_name, path, (int)wl, w, (int)gl, g);
			status = 1;
		}
	}
	if (!status)
		printf("counts match %s\n", path);
	return status;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-policies [--vms N] [--share MIB] [--phases N] [--verify N] "
			"[--rounds N] [--svg DIR] [--check FILE]\n"
			"  N VMs of SHARE MiB of host EPC each (2 to 8, 1 to 64), phases (1 to "
			"64), verifies a phase (1 to 16), rounds (1 to 16)\n");
	exit(2);
}

static unsigned int arg_num(const char *s, unsigned int lo, unsigned int hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s || v < lo || v > hi)
		usage();
	return (unsigned int)v;
}

static void parse(int argc, char **argv, struct params *p)
{
	static const struct option opts[] = {
		{ "vms", required_argument, NULL, 'n' },
		{ "share", required_argument, NULL, 's' },
		{ "phases", required_argument, NULL, 'p' },
		{ "verify", required_argument, NULL, 'v' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "svg", required_argument, NULL, 'o' },
		{ "check", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	*p = (struct params){ 4, 8, 16, 2, 3, NULL, NULL };
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'n')
			p->vms = arg_num(optarg, 2, VMS_MAX);
		else if (o == 's')
			p->share_mib = arg_num(optarg, 1, 64);
		else if (o == 'p')
			p->phases = arg_num(optarg, 1, 64);
		else if (o == 'v')
			p->verify = arg_num(optarg, 1, 16);
		else if (o == 'r')
			p->rounds = arg_num(optarg, 1, ROUNDS_MAX);
		else if (o == 'o')
			p->svg_dir = optarg;
		else if (o == 'c')
			p->check = optarg;
		else
			usage();
	}
	if (optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	struct row rows[NR_WORKLOADS * NR_POLICIES];
	char counts[NR_WORKLOADS * NR_POLICIES * COUNTS_TEXT], why[256];
	struct crypto_rsa_key *key;
	unsigned int n = 0;
	size_t len = 0;
	struct params p;
	int status = 0;

	bench_name = "bench-policies";
	parse(argc, argv, &p);
	if (crypto_rsa_key_load(VSGX_VECTORS_DIR "/sign_key.pem", &key, why, sizeof(why)))
		bench_die("the signing key", 0, why);
	printf("policies: %u VMs, host EPC %llu MiB (%llu pages), a share of %llu pages each, "
	       "units of %llu pages, %u phases, %u verifies a phase, %u rounds\n",
	       p.vms, (unsigned long long)(p.vms * p.share_mib),
	       (unsigned long long)(p.vms * share_pages(&p)), (unsigned long long)share_pages(&p),
	       (unsigned long long)unit_pages(&p), p.phases, p.verify, p.rounds);
	for (unsigned int w = 0; w < NR_WORKLOADS; w++) {
		for (unsigned int k = 0; k < NR_POLICIES; k++) {
			struct row *row = &rows[n++];

			*row = (struct row){ .wl = (enum workload)w, .pol = &policies[k] };
			for (unsigned int round = 0; round < p.rounds; round++)
				if (run_once(&p, key, row, round))
					break;
			if (row->skipped[0])
				len += (size_t)snprintf(counts + len, sizeof(counts) - len,
							"%s %s: skipped: %s\n", workload_names[w],
							policies[k].name, policies[k].needs);
			else
				counts_text(workload_names[w], policies[k].name, &row->c,
					    counts + len, sizeof(counts) - len);
			len = strlen(counts);
		}
	}
	fputs(counts, stdout);
	table(&p, rows, n);
	for (unsigned int i = 0; i < n; i++)
		if (rows[i].skipped[0])
			printf("\n%s %s: skipped: %s\n", workload_names[rows[i].wl],
			       rows[i].pol->name, rows[i].skipped);
	if (p.check)
		status = check(p.check, counts, rows, n);
	crypto_rsa_key_free(key);
	return status;
}
