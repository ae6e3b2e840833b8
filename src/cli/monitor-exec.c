/* SPDX-License-Identifier: MIT */
/*
 * What the monitor's commands do: the host, VMs and their lifecycle, the
 * guest OS in each, and expectations about all of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor-int.h"
#include "vsgx/crypto.h"
#include "vsgx/host.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"
#include "vsgx/vmm-balloon.h"

#define PAGES_PER_MIB 256

/* ---------------------------------------------------------------------- */
/* host                                                                   */
/* ---------------------------------------------------------------------- */

/* The words after the command, joined by spaces, from word (from) on. */
static void join_words(const struct mon_cmd *c, unsigned int from, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = from; i < c->l->nw && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", c->l->w[i]);
}

int mon_exec_host(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	char text[2048], why[256];
	struct hw_desc d;
	int r;

	if (mon->m)
		return mon_fail(mon, -EEXIST,
				"the host is powered on already: 'host' comes first, once");
	join_words(c, c->first, text, sizeof(text));
	why[0] = '\0';
	r = vm_host_parse(text, &d, why, sizeof(why));
	if (!r && mon_host_within(mon, &d))
		return mon->err;
	if (!r)
		r = vmm_create(&d, &mon->m, why, sizeof(why));
	if (r)
		return mon_fail(mon, r, "%s", why[0] ? why : strerror(-r));
	vmm_set_vcpu_threads(mon->m, mon->o.vcpu_threads);
	snprintf(mon->detail, sizeof(mon->detail), "%u EPC section%s, %u CPU%s", d.nr_sections,
		 cli_s(d.nr_sections), d.nr_cpus, cli_s(d.nr_cpus));
	return 0;
}

/* The physical address of page (page) of node (node)'s EPC, its sections in order. */
static int node_page_pa(struct hw_processor *p, unsigned int node, uint64_t page, uint64_t *ret)
{
	for (unsigned int i = 0; i < hw_processor_nr_sections(p); i++) {
		const struct hw_epc_section_desc *s = hw_processor_section(p, i);
		uint64_t n = s->size / SGX_PAGE_SIZE;

		if (s->node != node)
			continue;
		if (page < n) {
			*ret = s->base + page * SGX_PAGE_SIZE;
			return 0;
		}
		page -= n;
	}
	return -ERANGE;
}

int mon_exec_host_poison(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	struct hw_processor *p = vmm_processor(mon->m);
	struct host *h = vmm_host(mon->m);
	struct host_epc_stats before, after;
	uint64_t node, page, pa;
	int r;

	if (cli_parse_u64(mon_arg(c, 0), HW_MAX_NODES - 1, &node) ||
	    cli_parse_u64(mon_arg(c, 1), UINT64_MAX, &page))
		return mon_fail(mon, -EINVAL, "'host poison NODE PAGE' takes two numbers");
	if (node_page_pa(p, (unsigned int)node, page, &pa))
		return mon_fail(mon, -EINVAL,
				"node %llu has no EPC page %llu ('expect node %llu "
				"total=N' says how many it has)",
				(unsigned long long)node, (unsigned long long)page,
				(unsigned long long)node);
	/* The error is in the memory; the scrubber's report reaches the host's handler. */
	r = hw_epc_poison(p, pa);
	host_node_stats(h, (unsigned int)node, &before);
	if (!r)
		r = host_memory_failure(h, pa, 0);
	if (r)
		return mon_fail(mon, r, "page 0x%llx: %s", (unsigned long long)pa, strerror(-r));
	host_node_stats(h, (unsigned int)node, &after);
	snprintf(mon->detail, sizeof(mon->detail), "page 0x%llx: %s", (unsigned long long)pa,
		 after.bad > before.bad ? "it was free: now bad"
					: "in use or bad already: bad once given back");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* vm                                                                     */
/* ---------------------------------------------------------------------- */

static bool is_number(const char *s)
{
	uint64_t v;

	return cli_parse_u64(s, UINT64_MAX, &v) == 0;
}

/*
 * KEY=VALUE words as an xl config, quoting values that are not numbers. A
 * scenario's VM is an HVM guest unless its words say otherwise (xl's own
 * default type is pv, which has no SGX).
 */
static int xl_from_words(struct mon_cmd *c, const char *name, char *buf, size_t len)
{
	bool typed = false;
	size_t n;

	for (unsigned int i = c->first + 1; i < c->l->nw; i++) {
		const char *w = c->l->w[i];

		if (!strchr(w, '='))
			return mon_fail(c->mon, -EINVAL,
					"'%s': vm create takes xl KEY=VALUE words, config=FILE or "
					"qemu OPTION...",
					w);
		typed |= !strncmp(w, "type=", 5) || !strncmp(w, "builder=", 8);
	}
	n = (size_t)snprintf(buf, len, "name = \"%s\"\n%s", name, typed ? "" : "type = \"hvm\"\n");
	for (unsigned int i = c->first + 1; i < c->l->nw && n < len; i++) {
		const char *w = c->l->w[i], *eq = strchr(w, '=');
		bool raw = is_number(eq + 1) || eq[1] == '"' || eq[1] == '\'';

		n += (size_t)snprintf(buf + n, len - n, "%.*s = %s%s%s\n", (int)(eq - w), w,
				      raw ? "" : "\"", eq + 1, raw ? "" : "\"");
	}
	if (n >= len)
		return mon_fail(c->mon, -EINVAL, "the xl keys make too long a config");
	return 0;
}

/* The xl parser's "line N: " points into the text made from the words: drop it. */
static const char *xl_why(const char *why)
{
	const char *colon = strncmp(why, "line ", 5) ? NULL : strstr(why, ": ");

	return colon ? colon + 2 : why;
}

/* A VM config by the rules of vsgx vm layout (cli_text_read()). */
static int read_file(struct monitor *mon, const char *word, char **ret)
{
	char path[4096], why[512];
	size_t len;
	int r;

	if (mon_path(mon, word, path, sizeof(path)))
		return mon->err;
	r = cli_text_read(path, CLI_TEXT_CONFIG, ret, &len, why, sizeof(why));
	return r ? mon_fail(mon, r, "%s", why) : 0;
}

/* The config a 'vm create' line gives: QEMU options, a file, or xl keys. */
static int vm_config_from(struct mon_cmd *c, const char *name, struct vm_config *cfg)
{
	struct monitor *mon = c->mon;
	struct hw_processor *p = vmm_processor(mon->m);
	const char *file = mon_opt(c, "config");
	char why[512], text[2 * MONITOR_LINE_MAX], *buf = NULL;
	int r;

	if (mon_arg(c, 1) && !strcmp(mon_arg(c, 1), "qemu")) {
		unsigned int at = c->first + 1;

		/* The options follow the 'qemu' after the name (a later one may be a value). */
		while (strcmp(c->l->w[at++], "qemu"))
			;
		r = vm_config_parse_qemu(p, (int)(c->l->nw - at), (char *const *)&c->l->w[at], cfg,
					 why, sizeof(why));
	} else if (file) {
		if (read_file(mon, file, &buf))
			return mon->err;
		r = vm_config_parse(p, buf, cfg, why, sizeof(why));
		free(buf);
	} else {
		if (xl_from_words(c, name, text, sizeof(text)))
			return mon->err;
		r = vm_config_parse_xl(p, text, cfg, why, sizeof(why));
		if (r)
			return mon_fail(mon, r, "%s", xl_why(why));
	}
	return r ? mon_fail(mon, r, "%s", why) : 0;
}

/* "64 MiB", or "8200 KiB" for a size that is no whole MiB: never rounded. */
static const char *size_text(uint64_t bytes, char *buf, size_t len)
{
	if (bytes % (1 << 20))
		snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
	return buf;
}

/* The monitor's limits (monitor_opts.max_epc, max_ram): -EFBIG beyond them. */
static int vm_over_limits(struct monitor *mon, const struct vm_config *cfg)
{
	uint64_t epc = vm_config_epc_size(cfg);

	if (mon->o.max_ram && cfg->memory > mon->o.max_ram)
		return mon_fail(
		    mon, -EFBIG,
		    "a VM with %llu KiB of RAM is over this monitor's limit of %llu KiB",
		    (unsigned long long)(cfg->memory >> 10),
		    (unsigned long long)(mon->o.max_ram >> 10));
	if (mon->o.max_epc && epc > mon->o.max_epc)
		return mon_fail(
		    mon, -EFBIG,
		    "a VM with %llu KiB of EPC is over this monitor's limit of %llu KiB",
		    (unsigned long long)(epc >> 10), (unsigned long long)(mon->o.max_epc >> 10));
	return 0;
}

/* What vm create adds after the VM's sizes: its EPC policy's state, or a CPU without SGX. */
static void vm_create_tail(struct vmm_vm *vm, const struct vm_config *cfg, char *buf, size_t len)
{
	struct vmm_balloon_info b;
	struct vmm_oversub_info ov;

	if (cfg->epc_policy == VM_EPC_OVERSUBSCRIBE) {
		vmm_oversub_query(vm, &ov);
		snprintf(buf, len,
			 ", oversubscribed (%s): holds at most %llu host page%s, %llu VA page%s "
			 "for the VMM",
			 ov.mode == VM_OVERSUB_TRAP ? "trapping ENCLS" : "extensions",
			 (unsigned long long)ov.host_max, cli_s(ov.host_max),
			 (unsigned long long)ov.va_pages, cli_s(ov.va_pages));
	} else if (cfg->epc_policy == VM_EPC_BALLOON) {
		vmm_vm_balloon_query(vm, &b);
		snprintf(buf, len, ", ballooning: starts with %llu page%s",
			 (unsigned long long)b.current, cli_s(b.current));
	} else if (cfg->nr_sections && !(cfg->features & VM_CPU(VM_CPU_SGX))) {
		snprintf(buf, len, "%s",
			 cfg->default_cpu
			     ? "; its CPU has no SGX (QEMU's default model has none): add -cpu host"
			     : "; its CPU has no SGX (-cpu took it away): the EPC is unusable");
	}
}

static int vm_create(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	const char *name = mon_arg(c, 0);
	struct vm_config cfg;
	struct vmm_vm *vm;
	char why[512], ram[32], epc[32];
	int r, n;

	if (vm_config_from(c, name, &cfg))
		return mon->err;
	if (vm_over_limits(mon, &cfg))
		return mon->err;
	if (mon->nr_vms == mon->cap_vms) {
		unsigned int cap = mon->cap_vms ? 2 * mon->cap_vms : 16;
		struct mon_vm *vms = realloc(mon->vms, cap * sizeof(*vms));

		if (!vms)
			return mon_fail(mon, -ENOMEM, "no memory for another VM");
		mon->vms = vms;
		mon->cap_vms = cap;
	}
	r = vmm_vm_create(mon->m, name, &cfg, &vm, why, sizeof(why));
	if (r)
		return mon_fail(mon, r, "%s", why);
	mon->vms[mon->nr_vms++] = (struct mon_vm){ .vm = vm };
	n = snprintf(mon->detail, sizeof(mon->detail), "%s RAM, %u vCPU%s, %s EPC in %u section%s",
		     size_text(cfg.memory, ram, sizeof(ram)), cfg.vcpus, cli_s(cfg.vcpus),
		     size_text(vm_config_epc_size(&cfg), epc, sizeof(epc)), cfg.nr_sections,
		     cli_s(cfg.nr_sections));
	if (n < 0 || (size_t)n >= sizeof(mon->detail))
		return 0;
	vm_create_tail(vm, &cfg, mon->detail + n, sizeof(mon->detail) - (size_t)n);
	return 0;
}

static struct mon_vm *vm_named(struct mon_cmd *c, const char *name)
{
	struct mon_vm *v = mon_vm_find(c->mon, name);

	if (!v)
		mon_fail(c->mon, -ENOENT, "no VM named '%s': 'vm create %s ...' first", name, name);
	return v;
}

/* What one section's remove-all answered: "epc.0 left 2 SECS pages". */
static size_t reset_section(char *buf, size_t len, unsigned int i, int64_t r)
{
	int n;

	if (r < 0)
		n = snprintf(buf, len, "epc.%u failed: %s", i, strerror((int)-r));
	else if (r == 0)
		n = snprintf(buf, len, "epc.%u left 0", i);
	else
		n = snprintf(buf, len, "epc.%u left %lld SECS page%s", i, (long long)r,
			     cli_s((unsigned long long)r));
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/*
 * The two passes, each section by its name in 'vsgx vm layout':
 * "remove-all pass 1: epc.0 left 1 SECS page, epc.1 left 0; pass 2: epc.0 left 0".
 */
static void reset_detail(struct monitor *mon, struct mon_vm *v, const struct vmm_epc_reset *rep)
{
	const struct vmm_vm *vm = v->vm;
	unsigned int n = vmm_vm_config(vm)->nr_sections;
	char *d = mon->detail;
	size_t k = (size_t)snprintf(d, sizeof(mon->detail), "remove-all pass 1:");
	bool second = false;

	for (unsigned int i = 0; i < n; i++) {
		k += (size_t)snprintf(d + k, sizeof(mon->detail) - k, "%s ", i ? "," : "");
		k += reset_section(d + k, sizeof(mon->detail) - k, i, rep->first[i]);
		second |= rep->retried[i];
	}
	if (second) {
		k += (size_t)snprintf(d + k, sizeof(mon->detail) - k, "; pass 2:");
		for (unsigned int i = 0, first = 1; i < n; i++) {
			if (!rep->retried[i])
				continue;
			k += (size_t)snprintf(d + k, sizeof(mon->detail) - k, "%s ",
					      first ? "" : ",");
			k += reset_section(d + k, sizeof(mon->detail) - k, i, rep->second[i]);
			first = 0;
		}
	}
	if (rep->aex)
		snprintf(d + k, sizeof(mon->detail) - k, "; %u vCPU%s stopped inside an enclave",
			 rep->aex, cli_s(rep->aex));
	v->last = *rep;
}

/* The OS starts over after a reset or a power-on from S5. */
static int guest_restart_after(struct monitor *mon, struct mon_vm *v)
{
	char why[512];
	int r;

	if (!v->guest)
		return 0;
	r = guest_restart(v->guest, why, sizeof(why));
	return r ? mon_fail(mon, r, "the guest did not boot again: %s", why) : 0;
}

static int vm_reset(struct mon_cmd *c, struct mon_vm *v)
{
	const char *mode = mon_arg(c, 1);
	struct vmm_epc_reset rep;
	int r;

	if (mode && strcmp(mode, "nostop"))
		return mon_fail(c->mon, -EINVAL, "'%s': vm reset takes only 'nostop'", mode);
	r = vmm_vm_reset(v->vm, mode != NULL, &rep);
	if (rep.ran)
		v->last = rep;
	if (r)
		return mon_fail(c->mon, r, "%s",
				r == -EINVAL ? "the VM is off: power it on" : vmm_vm_error(v->vm));
	reset_detail(c->mon, v, &rep);
	/* A paused VM stays paused: its guest boots when it is resumed. */
	v->boot_pending = vmm_vm_state(v->vm) == VMM_VM_PAUSED;
	return v->boot_pending ? 0 : guest_restart_after(c->mon, v);
}

static int vm_suspend(struct mon_cmd *c, struct mon_vm *v)
{
	const char *s = mon_arg(c, 1);
	struct vmm_epc_reset rep;
	unsigned int state;
	int r;

	if (strcmp(s, "s3") && strcmp(s, "s4") && strcmp(s, "s5"))
		return mon_fail(c->mon, -EINVAL, "'%s': a sleep state is s3, s4 or s5", s);
	state = (unsigned int)(s[1] - '0');
	r = vmm_vm_sleep(v->vm, state, &rep);
	if (rep.ran)
		v->last = rep;
	if (r)
		return mon_fail(c->mon, r, "%s",
				r == -EINVAL ? "the VM is not running" : vmm_vm_error(v->vm));
	v->slept = state;
	reset_detail(c->mon, v, &rep);
	return 0;
}

static int vm_state_move(struct mon_cmd *c, struct mon_vm *v, int (*fn)(struct vmm_vm *))
{
	int r = fn(v->vm);

	if (r)
		return mon_fail(c->mon, r, "VM '%s' is %s", vmm_vm_name(v->vm),
				vmm_vm_state_name(vmm_vm_state(v->vm)));
	return 0;
}

/* Migration to a new VM on the host: the guest moves along, its enclaves do not. */
static int vm_migrate(struct mon_cmd *c, struct mon_vm *v)
{
	unsigned int enclaves = v->guest ? guest_nr_enclaves(v->guest) : 0;
	struct vmm_vm *dst;
	char why[512];
	int r;

	r = vmm_vm_migrate(v->vm, mon_arg(c, 1), &dst, why, sizeof(why));
	if (r)
		return mon_fail(c->mon, r, "%s", why);
	if (v->guest)
		guest_moved(v->guest, dst);
	vmm_vm_destroy(v->vm, NULL);
	v->vm = dst;
	snprintf(c->mon->detail, sizeof(c->mon->detail),
		 "RAM and vCPU state moved to '%s'; EPC cannot move: %u enclave%s will be found "
		 "lost",
		 vmm_vm_name(dst), enclaves, cli_s(enclaves));
	return 0;
}

int mon_balloon_target(const char *word, uint64_t *ret, char *why, size_t why_len)
{
	static const char *const units[] = { "K", "M", "G", "T" };
	size_t digits = strspn(word, "0123456789");
	const char *suffix = word + digits;
	char num[24];
	uint64_t n;

	if (word[0] == '-')
		goto err_negative;
	if (!digits || digits >= sizeof(num))
		goto err_syntax;
	memcpy(num, word, digits);
	num[digits] = '\0';
	if (cli_parse_u64(num, UINT64_MAX, &n))
		goto err_syntax;
	if (!*suffix) {
		*ret = n;
		return 0;
	}
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t unit = 1024ULL << (10 * i);

		if (strncmp(suffix, units[i], 1) ||
		    (suffix[1] && strcmp(suffix + 1, "iB") && strcmp(suffix + 1, "i")))
			continue;
		if (n > UINT64_MAX / unit || (n * unit) % SGX_PAGE_SIZE)
			break;
		*ret = n * unit / SGX_PAGE_SIZE;
		return 0;
	}
err_syntax:
	snprintf(why, why_len,
		 "'%s': a balloon target is a size (16M, 64MiB, 1G: whole 4 KiB pages) or a "
		 "number of pages",
		 word);
	return -EINVAL;
err_negative:
	snprintf(why, why_len,
		 "'%s': a balloon target cannot be below zero; give 0 to balloon out all the "
		 "VM's EPC",
		 word);
	return -EINVAL;
}

static void balloon_detail(struct monitor *mon, uint64_t target,
			   const struct guest_balloon_result *res,
			   const struct vmm_balloon_info *in)
{
	snprintf(
	    mon->detail, sizeof(mon->detail),
	    "target %llu pages: %llu given back (%llu evicted from enclaves first), %llu taken "
	    "again; %llu of %llu pages reserved",
	    (unsigned long long)target, (unsigned long long)res->given,
	    (unsigned long long)res->evicted, (unsigned long long)res->taken,
	    (unsigned long long)in->current, (unsigned long long)in->max);
}

/*
 * The VMM sets the target, the guest's balloon driver reaches it. If the
 * guest cannot, the target goes back to what the VM holds: nothing is left
 * half done.
 */
static int vm_balloon(struct mon_cmd *c, struct mon_vm *v)
{
	struct monitor *mon = c->mon;
	struct vmm_balloon_info before, after;
	struct guest_balloon_result res;
	char why[MON_MSG_MAX];
	uint64_t pages;
	int r;

	if (mon_balloon_target(mon_arg(c, 1), &pages, why, sizeof(why)))
		return mon_fail(mon, -EINVAL, "%s", why);
	vmm_vm_balloon_query(v->vm, &before);
	r = vmm_vm_balloon_set_target(v->vm, pages, why, sizeof(why));
	if (r)
		return mon_fail(mon, r, "%s", why);
	r = v->guest ? guest_balloon_update(v->guest, &res, why, sizeof(why)) : -ENODEV;
	vmm_vm_balloon_query(v->vm, &after);
	if (r) {
		vmm_vm_balloon_set_target(
		    v->vm, after.current == before.current ? before.target : after.current, NULL,
		    0);
		if (!v->guest)
			return mon_fail(
			    mon, r,
			    "no guest runs in '%s' to balloon: its balloon driver moves "
			    "the pages; 'guest %s boot' first",
			    vmm_vm_name(v->vm), vmm_vm_name(v->vm));
		return mon_fail(mon, r, "%s", why);
	}
	balloon_detail(mon, pages, &res, &after);
	return 0;
}

static void vm_destroy(struct monitor *mon, struct mon_vm *v)
{
	struct host *h = vmm_host(mon->m);
	struct host_epc_stats before, after;
	struct vmm_vm_teardown td;
	uint64_t bad;
	int n;

	host_stats(h, &before);
	guest_free(v->guest);
	vmm_vm_destroy(v->vm, &td);
	host_stats(h, &after);
	*v = mon->vms[--mon->nr_vms];
	/* A poisoned page the VM held goes to the host's bad pages, not its free ones. */
	bad = after.bad - before.bad;
	n = snprintf(mon->detail, sizeof(mon->detail), "%llu EPC page%s back to the host",
		     (unsigned long long)td.pages, cli_s(td.pages));
	if (bad && n > 0 && (size_t)n < sizeof(mon->detail))
		n += snprintf(mon->detail + n, sizeof(mon->detail) - (size_t)n,
			      ", %llu of them poisoned and counted bad", (unsigned long long)bad);
	if (td.zombies && n > 0 && (size_t)n < sizeof(mon->detail))
		snprintf(mon->detail + n, sizeof(mon->detail) - (size_t)n,
			 "; %llu SECS page%s kept as %s until %s children's section went, "
			 "%llu zombie page%s left on the host",
			 (unsigned long long)td.zombies, cli_s(td.zombies),
			 td.zombies == 1 ? "a zombie" : "zombies",
			 td.zombies == 1 ? "its" : "their", (unsigned long long)td.zombies_left,
			 cli_s(td.zombies_left));
}

int mon_exec_vm(struct mon_cmd *c, const char *sub)
{
	struct mon_vm *v;

	if (!strcmp(sub, "create"))
		return vm_create(c);
	v = vm_named(c, mon_arg(c, 0));
	if (!v)
		return c->mon->err;
	if (!strcmp(sub, "reset"))
		return vm_reset(c, v);
	if (!strcmp(sub, "suspend"))
		return vm_suspend(c, v);
	if (!strcmp(sub, "migrate"))
		return vm_migrate(c, v);
	if (!strcmp(sub, "balloon"))
		return vm_balloon(c, v);
	if (!strcmp(sub, "pause"))
		return vm_state_move(c, v, vmm_vm_pause);
	if (!strcmp(sub, "resume")) {
		bool boot = v->boot_pending;

		if (vm_state_move(c, v, vmm_vm_resume))
			return c->mon->err;
		/* One boot for one reset, whether or not it gets far. */
		v->boot_pending = false;
		return boot ? guest_restart_after(c->mon, v) : 0;
	}
	if (!strcmp(sub, "wake")) {
		/* Only from S3: a refused wake leaves an S4 or S5 sleep as it was. */
		if (vm_state_move(c, v, vmm_vm_wake))
			return c->mon->err;
		v->slept = 0;
		return 0;
	}
	if (!strcmp(sub, "power-on")) {
		if (vm_state_move(c, v, vmm_vm_power_on))
			return c->mon->err;
		/* From S5 the OS boots afresh; from S4 it resumes its hibernated image. */
		if (v->slept == 5 && guest_restart_after(c->mon, v))
			return c->mon->err;
		v->slept = 0;
		return 0;
	}
	vm_destroy(c->mon, v);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* guest                                                                  */
/* ---------------------------------------------------------------------- */

static int opt_u64(struct mon_cmd *c, const char *name, uint64_t dflt, uint64_t max, uint64_t *ret)
{
	const char *s = mon_opt(c, name);

	*ret = dflt;
	if (s && cli_parse_u64(s, max, ret))
		return mon_fail(c->mon, -EINVAL, "%s=%s: a number from 0 to %llu", name, s,
				(unsigned long long)max);
	return 0;
}

static int guest_key(struct mon_cmd *c, const struct crypto_rsa_key **ret)
{
	struct monitor *mon = c->mon;
	const char *file = mon_opt(c, "key");
	char path[4096], why[256];
	int r;

	if (!mon->key || file) {
		crypto_rsa_key_free(mon->key);
		mon->key = NULL;
		if (mon_path(mon, file ? file : "$VECTORS/sign_key.pem", path, sizeof(path)))
			return mon->err;
		r = crypto_rsa_key_load(path, &mon->key, why, sizeof(why));
		if (r)
			return mon_fail(mon, r, "%s: %s", path, why);
	}
	*ret = mon->key;
	return 0;
}

static int guest_load(struct mon_cmd *c, struct guest *g, const char *encl, char *why, size_t len)
{
	struct monitor *mon = c->mon;
	const char *sgxs_w = mon_opt(c, "sgxs"), *sig_w = mon_opt(c, "sig");
	struct guest_launch how = { 0 };
	char path[4096], msg[256];
	struct sgx_sigstruct sig;
	struct sgxs *s;
	int r;

	if (!sgxs_w || !sig_w)
		return mon_fail(mon, -EINVAL, "guest load needs sgxs=FILE and sig=FILE");
	if (mon_path(mon, sig_w, path, sizeof(path)))
		return mon->err;
	r = sigstruct_load(path, &sig, msg, sizeof(msg));
	if (r)
		return mon_fail(mon, r, "%s: %s", path, msg);
	if (mon_path(mon, sgxs_w, path, sizeof(path)))
		return mon->err;
	r = sgxs_load(path, &s, msg, sizeof(msg));
	if (r)
		return mon_fail(mon, r, "%s: %s", path, msg);
	how.le = mon_opt(c, "token");
	r = guest_enclave_load(g, encl, s, &sig, &how, why, len);
	sgxs_free(s);
	/* A size the guest refuses came from the file: name it. */
	if (r == -EFBIG)
		return mon_fail(c->mon, r, "%s: %s", path, why);
	return r;
}

/* The words after the enclave's name: 'debug' and 'launch', each once at most. */
static int guest_build_flags(struct mon_cmd *c, struct guest_launch *how)
{
	for (unsigned int i = 3; mon_arg(c, i); i++) {
		const char *flag = mon_arg(c, i);
		bool *set = !strcmp(flag, "debug")    ? &how->debug
			    : !strcmp(flag, "launch") ? &how->launch_key
						      : NULL;

		if (!set)
			return mon_fail(c->mon, -EINVAL,
					"'%s': guest build takes 'debug' and 'launch'", flag);
		if (*set)
			return mon_fail(c->mon, -EINVAL, "'%s' is given twice", flag);
		*set = true;
	}
	return 0;
}

static int guest_build(struct mon_cmd *c, struct guest *g, const char *encl, char *why, size_t len)
{
	struct guest_launch how = { .le = mon_opt(c, "token") };
	const struct crypto_rsa_key *key = NULL;
	uint64_t pages, threads;

	if (guest_build_flags(c, &how))
		return c->mon->err;
	if (!mon_opt(c, "pages"))
		return mon_fail(c->mon, -EINVAL, "guest build needs pages=N");
	if (opt_u64(c, "pages", 0, 1ULL << 24, &pages) || opt_u64(c, "threads", 1, 64, &threads) ||
	    guest_key(c, &key))
		return c->mon->err;
	return guest_enclave_build(g, encl, pages, (unsigned int)threads, key, &how, why, len);
}

static int guest_boot_cmd(struct mon_cmd *c, struct mon_vm *v, char *why, size_t len)
{
	struct guest_stats st;
	int r;

	if (v->guest)
		return mon_fail(c->mon, -EEXIST, "the guest in '%s' is booted already",
				vmm_vm_name(v->vm));
	r = guest_boot(v->vm, &v->guest, why, len);
	if (r && r != -ENODEV)
		return r;
	guest_stats(v->guest, &st);
	snprintf(c->mon->detail, sizeof(c->mon->detail),
		 "%llu EPC page%s, %llu of them sanitized twice, sgx2=%d flc=%d",
		 (unsigned long long)st.epc_pages, cli_s(st.epc_pages),
		 (unsigned long long)st.sanitized, st.sgx2, st.flc);
	return r;
}

static int guest_reboot_cmd(struct mon_cmd *c, struct mon_vm *v, char *why, size_t len)
{
	const char *how = mon_arg(c, 2);
	struct vmm_epc_reset rep;
	int r;

	if (strcmp(how, "clean") && strcmp(how, "unclean"))
		return mon_fail(c->mon, -EINVAL, "'%s': a reboot is clean or unclean", how);
	r = guest_reboot(v->guest, !strcmp(how, "clean"), &rep, why, len);
	if (rep.ran)
		reset_detail(c->mon, v, &rep);
	return r;
}

static int guest_pages_cmd(struct mon_cmd *c, struct guest *g, const char *sub, const char *encl,
			   char *why, size_t len)
{
	uint64_t pages;

	if (!mon_opt(c, "pages"))
		return mon_fail(c->mon, -EINVAL, "guest %s needs pages=N", sub);
	if (opt_u64(c, "pages", 0, 1ULL << 24, &pages))
		return c->mon->err;
	if (!strcmp(sub, "grow"))
		return guest_enclave_grow(g, encl, pages, why, len);
	if (!strcmp(sub, "trim"))
		return guest_enclave_trim(g, encl, pages, why, len);
	return guest_enclave_evict(g, encl, pages, why, len);
}

static int guest_verify_cmd(struct mon_cmd *c, struct guest *g, const char *encl, char *why,
			    size_t len)
{
	uint64_t pages;
	int r = guest_enclave_verify(g, encl, &pages, why, len);

	if (!r)
		snprintf(c->mon->detail, sizeof(c->mon->detail),
			 "%llu pages read back from inside as measured", (unsigned long long)pages);
	return r;
}

static int guest_enclave_cmd(struct mon_cmd *c, struct guest *g, const char *sub, char *why,
			     size_t len)
{
	const char *encl = mon_arg(c, 2);
	uint64_t thread, vcpu;

	if (!strcmp(sub, "load"))
		return guest_load(c, g, encl, why, len);
	if (!strcmp(sub, "build"))
		return guest_build(c, g, encl, why, len);
	if (!strcmp(sub, "destroy"))
		return guest_enclave_destroy(g, encl, why, len);
	if (!strcmp(sub, "verify"))
		return guest_verify_cmd(c, g, encl, why, len);
	if (opt_u64(c, "thread", 0, 63, &thread) || opt_u64(c, "vcpu", 0, 255, &vcpu))
		return c->mon->err;
	if (!strcmp(sub, "enter"))
		return guest_thread_enter(g, encl, (unsigned int)thread, (unsigned int)vcpu, why,
					  len);
	if (!strcmp(sub, "exit"))
		return guest_thread_exit(g, encl, (unsigned int)thread, why, len);
	return guest_pages_cmd(c, g, sub, encl, why, len);
}

int mon_exec_guest(struct mon_cmd *c, const char *sub)
{
	struct mon_vm *v = vm_named(c, mon_arg(c, 0));
	char why[MON_MSG_MAX];
	int r;

	if (!v)
		return c->mon->err;
	why[0] = '\0';
	if (!strcmp(sub, "boot"))
		r = guest_boot_cmd(c, v, why, sizeof(why));
	else if (!v->guest)
		return mon_fail(c->mon, -ENODEV, "no guest runs in '%s': 'guest %s boot' first",
				vmm_vm_name(v->vm), vmm_vm_name(v->vm));
	else if (!strcmp(sub, "reboot"))
		r = guest_reboot_cmd(c, v, why, sizeof(why));
	else
		r = guest_enclave_cmd(c, v->guest, sub, why, sizeof(why));
	if (r && !c->mon->err)
		mon_fail(c->mon, r, "%s", why[0] ? why : strerror(-r));
	return c->mon->err;
}

/* ---------------------------------------------------------------------- */
/* expect                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * The fields each kind of expectation checks; the scenario check takes
 * them as the lines' options, so a misspelt field is refused before
 * anything runs. Each expect_*() gives the values in the same order.
 */
const char *const mon_vm_fields[] = {
	"state",	  "epc-configured",  "epc-held",       "enclaves",	     "resets",
	"reset-failures", "faults",	     "preemptions",    "epc-fault-failures", "second-pass",
	"balloon-target", "balloon-current", "vmm-evicted",    "vmm-reloaded",	     "vmm-freed",
	"vmm-blobs",	  "worst-stall",     "machine-checks", "vmm-trapped",	     NULL
};
const char *const mon_epc_fields[] = { "total", "free", "used", "zombie", "bad", NULL };
const char *const mon_enclave_fields[] = { "state",   "pages",	"resident", "evicted",
					   "threads", "inside", NULL };
const char *const mon_guest_fields[] = { "epc-pages", "epc-free", "evictions",	    "reloads",
					 "lost",      "enclaves", "tokens",	    "leaked",
					 "ballooned", "evicted",  "machine-checks", "bad",
					 NULL };

#define MAX_FIELDS 20

int mon_expect_fields(struct mon_cmd *c, const char *const *names, const char *const *vals,
		      unsigned int from)
{
	struct monitor *mon = c->mon;

	for (unsigned int i = c->first + from; i < c->l->nw; i++) {
		const char *w = c->l->w[i], *eq = strchr(w, '=');
		unsigned int k;

		if (!eq)
			return mon_fail(mon, -EINVAL, "'%s' is no FIELD=VALUE", w);
		for (k = 0; names[k]; k++)
			if (strlen(names[k]) == (size_t)(eq - w) &&
			    !strncmp(names[k], w, (size_t)(eq - w)))
				break;
		if (!names[k])
			return mon_fail(mon, -EINVAL, "'%.*s' is no field here", (int)(eq - w), w);
		mon->checks++;
		if (strcmp(vals[k], eq + 1)) {
			mon->mismatch = true;
			return mon_fail(mon, 0, "expected %s, got %s=%s", w, names[k], vals[k]);
		}
	}
	return 0;
}

static char *num(char (*buf)[24], uint64_t v)
{
	snprintf(*buf, sizeof(*buf), "%llu", (unsigned long long)v);
	return *buf;
}

static int expect_vm(struct mon_cmd *c)
{
	struct mon_vm *v = vm_named(c, mon_arg(c, 0));
	char b[18][24];
	struct vmm_vm_stats st;
	struct vmm_balloon_info bal;
	struct vmm_oversub_info ov;
	unsigned int enclaves, retried = 0;

	if (!v)
		return c->mon->err;
	vmm_vm_balloon_query(v->vm, &bal);
	vmm_oversub_query(v->vm, &ov);
	for (unsigned int i = 0; i < VM_MAX_SECTIONS; i++)
		retried += v->last.retried[i];
	vmm_vm_stats(v->vm, &st);
	enclaves = v->guest ? guest_nr_enclaves(v->guest) : 0;
	const char *const vals[] = {
		vmm_vm_state_name(vmm_vm_state(v->vm)),
		num(&b[0], st.epc_configured),
		num(&b[1], st.epc_held),
		num(&b[2], enclaves),
		num(&b[3], st.resets),
		num(&b[4], st.reset_failures),
		num(&b[5], st.injected_gp + st.injected_pf + st.injected_ud + st.injected_mc),
		num(&b[6], st.preemptions),
		num(&b[7], st.epc_fault_failures),
		num(&b[8], retried),
		num(&b[9], bal.target),
		num(&b[10], bal.current),
		num(&b[11], ov.evicted),
		num(&b[12], ov.reloaded),
		num(&b[13], ov.freed),
		num(&b[14], ov.blobs),
		num(&b[15], ov.worst_stall),
		num(&b[16], st.injected_mc),
		num(&b[17], ov.trapped),
	};

	return mon_expect_fields(c, mon_vm_fields, vals, 1);
}

static int expect_epc(struct mon_cmd *c, const struct host_epc_stats *st, unsigned int from)
{
	char b[5][24];
	const char *const vals[] = {
		num(&b[0], st->total),	num(&b[1], st->free), num(&b[2], st->used),
		num(&b[3], st->zombie), num(&b[4], st->bad),
	};

	return mon_expect_fields(c, mon_epc_fields, vals, from);
}

static int expect_node(struct mon_cmd *c)
{
	struct host_epc_stats st;
	uint64_t node;

	if (cli_parse_u64(mon_arg(c, 0), HW_MAX_NODES - 1, &node))
		return mon_fail(c->mon, -EINVAL, "'%s' is no NUMA node", mon_arg(c, 0));
	host_node_stats(vmm_host(c->mon->m), (unsigned int)node, &st);
	return expect_epc(c, &st, 1);
}

static int expect_enclave(struct mon_cmd *c)
{
	struct mon_vm *v = vm_named(c, mon_arg(c, 0));
	struct guest_enclave_info info;
	char b[5][24];

	if (!v)
		return c->mon->err;
	if (!v->guest || guest_enclave_query(v->guest, mon_arg(c, 1), &info))
		return mon_fail(c->mon, -ENOENT, "VM '%s' has no enclave '%s'", mon_arg(c, 0),
				mon_arg(c, 1));
	const char *const vals[] = {
		info.state == GUEST_ENCLAVE_LOST ? "lost" : "alive",
		num(&b[0], info.pages),
		num(&b[1], info.resident),
		num(&b[2], info.evicted),
		num(&b[3], info.threads),
		num(&b[4], info.inside),
	};

	return mon_expect_fields(c, mon_enclave_fields, vals, 2);
}

static int expect_guest(struct mon_cmd *c)
{
	struct mon_vm *v = vm_named(c, mon_arg(c, 0));
	struct guest_stats st;
	char b[12][24];

	if (!v)
		return c->mon->err;
	if (!v->guest)
		return mon_fail(c->mon, -ENODEV, "no guest runs in '%s'", mon_arg(c, 0));
	guest_stats(v->guest, &st);
	const char *const vals[] = {
		num(&b[0], st.epc_pages),
		num(&b[1], st.epc_free),
		num(&b[2], st.evictions),
		num(&b[3], st.reloads),
		num(&b[4], st.lost),
		num(&b[5], guest_nr_enclaves(v->guest)),
		num(&b[6], st.tokens),
		num(&b[7], st.leaked),
		num(&b[8], st.ballooned),
		num(&b[9], st.evicted),
		num(&b[10], st.machine_checks),
		num(&b[11], st.bad),
	};

	return mon_expect_fields(c, mon_guest_fields, vals, 1);
}

int mon_exec_expect(struct mon_cmd *c, const char *sub)
{
	struct host_epc_stats st;

	if (!strcmp(sub, "vm"))
		return expect_vm(c);
	if (!strcmp(sub, "node"))
		return expect_node(c);
	if (!strcmp(sub, "enclave"))
		return expect_enclave(c);
	if (!strcmp(sub, "guest"))
		return expect_guest(c);
	if (!strcmp(sub, "owner"))
		return mon_expect_owner(c);
	host_stats(vmm_host(c->mon->m), &st);
	return expect_epc(c, &st, 0);
}
