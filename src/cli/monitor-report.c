/* SPDX-License-Identifier: MIT */
/*
 * What the monitor tells: HMP's `info sgx`, QMP's query-sgx and
 * query-sgx-capabilities in QEMU's schema (SgxInfo: sgx, sgx1, sgx2, flc,
 * sections[{node, size}]) — from the guest's CPUID and configuration and the
 * host's CPUID, not hard-coded as QEMU's query-sgx is — and the closing
 * report, as text and as JSON lines (json-c).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor-int.h"
#include "vsgx/vmm-balloon.h"
#include "vsgx/host.h"
#include "vsgx/qmp.h"
#include "vsgx/report.h"

#define MIB (1ULL << 20)

struct sgx_info {
	bool sgx, sgx1, sgx2, flc;
	unsigned int nr;
	struct {
		uint32_t node;
		uint64_t size;
	} sec[SGX_MAX_EPC_SECTIONS];
};

/* The SGX feature bits of CPUID leaves 7 and 0x12. */
static void info_bits(const struct hw_cpuid_regs *l7, const struct hw_cpuid_regs *l12,
		      struct sgx_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->sgx = l7->ebx & CPUID_7_EBX_SGX;
	ret->sgx1 = l12->eax & CPUID_12_EAX_SGX1;
	ret->sgx2 = l12->eax & CPUID_12_EAX_SGX2;
	ret->flc = l7->ecx & CPUID_7_ECX_SGX_LC;
}

/* What a VM's guest sees: its CPUID leaves 7 and 0x12, and its sections. */
static void info_of_vm(struct vmm_vm *vm, struct sgx_info *ret)
{
	const struct vm_layout *l = vmm_vm_layout(vm);
	struct hw_cpuid_regs l7, l12;

	vmm_vm_cpuid(vm, 7, 0, &l7);
	vmm_vm_cpuid(vm, SGX_CPUID, 0, &l12);
	info_bits(&l7, &l12, ret);
	ret->nr = l->nr_sections;
	for (unsigned int i = 0; i < l->nr_sections; i++) {
		ret->sec[i].node = l->sections[i].node;
		ret->sec[i].size = l->sections[i].size;
	}
}

/* What the host offers: its CPUID and its EPC sections with their NUMA nodes. */
static void info_of_host(struct vmm *m, struct sgx_info *ret)
{
	struct hw_processor *p = vmm_processor(m);
	struct hw_cpuid_regs l7, l12;

	hw_cpuid(p, 7, 0, &l7);
	hw_cpuid(p, SGX_CPUID, 0, &l12);
	info_bits(&l7, &l12, ret);
	ret->nr = hw_processor_nr_sections(p);
	for (unsigned int i = 0; i < ret->nr; i++) {
		ret->sec[i].node = hw_processor_section(p, i)->node;
		ret->sec[i].size = hw_processor_section(p, i)->size;
	}
}

/* One count of a JSON event: counts are unsigned, json-c stores int64. */
static void json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static struct json_object *info_json(const struct sgx_info *in)
{
	struct json_object *o = json_object_new_object(), *secs = json_object_new_array();

	json_object_object_add(o, "sgx", json_object_new_boolean(in->sgx));
	json_object_object_add(o, "sgx1", json_object_new_boolean(in->sgx1));
	json_object_object_add(o, "sgx2", json_object_new_boolean(in->sgx2));
	json_object_object_add(o, "flc", json_object_new_boolean(in->flc));
	for (unsigned int i = 0; i < in->nr; i++) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "node", json_object_new_int64(in->sec[i].node));
		json_add_u64(s, "size", in->sec[i].size);
		json_object_array_add(secs, s);
	}
	json_object_object_add(o, "sections", secs);
	return o;
}

static struct json_object *qmp_return(struct json_object *value)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "return", value);
	return o;
}

/* A QMP answer goes in the detail (and with the command's JSON line). */
static void qmp_answer(struct monitor *mon, struct json_object *o)
{
	snprintf(mon->detail, sizeof(mon->detail), "%s",
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	mon->detail_json = true;
	json_object_put(o);
}

int mon_qmp_sgx_capabilities(struct monitor *mon, struct json_object **ret, char *desc, size_t len)
{
	struct sgx_info in;

	info_of_host(mon->m, &in);
	if (!in.sgx)
		return snprintf(desc, len, "SGX is not enabled in KVM"), -ENODEV;
	*ret = info_json(&in);
	return 0;
}

int mon_qmp_sgx(struct mon_vm *v, struct json_object **ret, char *desc, size_t len)
{
	struct sgx_info in;

	info_of_vm(v->vm, &in);
	if (!in.nr)
		return snprintf(desc, len, "No EPC regions defined, SGX not available"), -ENODEV;
	*ret = info_json(&in);
	return 0;
}

int mon_exec_qmp(struct mon_cmd *c, const char *sub)
{
	struct monitor *mon = c->mon;
	struct json_object *value = NULL;
	char desc[MON_MSG_MAX];
	struct mon_vm *v = NULL;
	int r;

	if (strcmp(sub, "query-sgx-capabilities")) {
		v = mon_vm_find(mon, mon_arg(c, 0));
		if (!v)
			return mon_fail(mon, -ENOENT, "no VM named '%s'", mon_arg(c, 0));
	}
	r = v ? mon_qmp_sgx(v, &value, desc, sizeof(desc))
	      : mon_qmp_sgx_capabilities(mon, &value, desc, sizeof(desc));
	qmp_answer(mon, r ? qmp_error_new(QMP_ERROR_GENERIC, desc) : qmp_return(value));
	return 0;
}

/*
 * HMP's wording, as current QEMU prints it: "SGX support: enabled", ...,
 * "NUMA node #0: size=67108864", then "total size=..."; for a VM without
 * EPC, query-sgx's error.
 */
static int info_sgx(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	const char *name = mon_arg(c, 0);
	uint64_t total = 0;
	struct sgx_info in;
	struct mon_vm *v;
	size_t n;

	if (mon_machine(mon))
		return mon->err;
	if (name) {
		v = mon_vm_find(mon, name);
		if (!v)
			return mon_fail(mon, -ENOENT, "no VM named '%s'", name);
		info_of_vm(v->vm, &in);
		if (!in.nr) {
			snprintf(mon->detail, sizeof(mon->detail),
				 "No EPC regions defined, SGX not available\n");
			return 0;
		}
	} else {
		info_of_host(mon->m, &in);
	}
	n = (size_t)snprintf(
	    mon->detail, sizeof(mon->detail),
	    "SGX support: %s\nSGX1 support: %s\nSGX2 support: %s\nFLC support: %s\n",
	    in.sgx ? "enabled" : "disabled", in.sgx1 ? "enabled" : "disabled",
	    in.sgx2 ? "enabled" : "disabled", in.flc ? "enabled" : "disabled");
	for (unsigned int i = 0; i < in.nr && n < sizeof(mon->detail); i++) {
		n += (size_t)snprintf(mon->detail + n, sizeof(mon->detail) - n,
				      "NUMA node #%u: size=%llu\n", in.sec[i].node,
				      (unsigned long long)in.sec[i].size);
		total += in.sec[i].size;
	}
	if (n < sizeof(mon->detail))
		snprintf(mon->detail + n, sizeof(mon->detail) - n, "total size=%llu\n",
			 (unsigned long long)total);
	return 0;
}

/* QEMU's words for a run state, as 'info status' prints them. */
static const char *status_name(enum vmm_vm_state st)
{
	switch (st) {
	case VMM_VM_RUNNING:
		return "running";
	case VMM_VM_PAUSED:
		return "paused";
	case VMM_VM_SUSPENDED:
		return "paused (suspended)";
	case VMM_VM_OFF:
		return "shutdown";
	default:
		return "internal-error";
	}
}

/* HMP's "VM status: running"; with several VMs and none named, one line each. */
static int info_status(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	const char *name = mon_arg(c, 0);
	size_t n = 0;

	if (name || mon->nr_vms == 1) {
		struct mon_vm *v = name ? mon_vm_find(mon, name) : &mon->vms[0];

		if (!v)
			return mon_fail(mon, -ENOENT, "no VM named '%s'", name);
		snprintf(mon->detail, sizeof(mon->detail), "VM status: %s\n",
			 status_name(vmm_vm_state(v->vm)));
		return 0;
	}
	if (!mon->nr_vms)
		snprintf(mon->detail, sizeof(mon->detail), "no VMs\n");
	for (unsigned int i = 0; i < mon->nr_vms && n < sizeof(mon->detail); i++)
		n += (size_t)snprintf(mon->detail + n, sizeof(mon->detail) - n,
				      "VM %s status: %s\n", vmm_vm_name(mon->vms[i].vm),
				      status_name(vmm_vm_state(mon->vms[i].vm)));
	return 0;
}

/*
 * ", balloon target N current M pages, guest evicted E" for a ballooning
 * VM, nothing for a static one. Returns the characters written.
 */
static size_t balloon_text(const struct mon_vm *v, char *buf, size_t len)
{
	struct vmm_balloon_info b;
	struct guest_stats gs = { 0 };
	int n;

	vmm_vm_balloon_query(v->vm, &b);
	if (len && b.policy == VM_EPC_OVERSUBSCRIBE) {
		struct vmm_oversub_info ov;

		vmm_oversub_query(v->vm, &ov);
		n = snprintf(
		    buf, len,
		    ", oversubscribed: holds at most %llu pages, VMM evicted %llu reloaded "
		    "%llu freed %llu pages, %llu blobs (%llu bytes), worst stall %llu "
		    "reloads",
		    (unsigned long long)ov.host_max, (unsigned long long)ov.evicted,
		    (unsigned long long)ov.reloaded, (unsigned long long)ov.freed,
		    (unsigned long long)ov.blobs, (unsigned long long)ov.blob_bytes,
		    (unsigned long long)ov.worst_stall);
		/* Trapping ENCLS: how many of the guest's leaves the VMM saw. */
		if (n > 0 && (size_t)n < len && ov.mode == VM_OVERSUB_TRAP)
			n += snprintf(buf + n, len - (size_t)n, ", %llu leaves trapped",
				      (unsigned long long)ov.trapped);
		return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
	}
	if (!len || b.policy != VM_EPC_BALLOON) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	if (v->guest)
		guest_stats(v->guest, &gs);
	n = snprintf(buf, len, ", balloon target %llu current %llu pages, guest evicted %llu pages",
		     (unsigned long long)b.target, (unsigned long long)b.current,
		     (unsigned long long)gs.evicted);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* One line per VM: its state, EPC and enclaves. */
static int info_vms(struct mon_cmd *c)
{
	struct monitor *mon = c->mon;
	size_t n = 0;

	if (!mon->nr_vms)
		snprintf(mon->detail, sizeof(mon->detail),
			 "no VMs: 'vm create NAME ...' makes one\n");
	for (unsigned int i = 0; i < mon->nr_vms && n < sizeof(mon->detail); i++) {
		const struct mon_vm *v = &mon->vms[i];
		unsigned int enclaves = v->guest ? guest_nr_enclaves(v->guest) : 0;
		struct vmm_vm_stats st;

		vmm_vm_stats(v->vm, &st);
		n += (size_t)snprintf(mon->detail + n, sizeof(mon->detail) - n,
				      "%s: %s, EPC %llu page%s configured, %llu held, %u enclave%s",
				      vmm_vm_name(v->vm), vmm_vm_state_name(vmm_vm_state(v->vm)),
				      (unsigned long long)st.epc_configured,
				      cli_s(st.epc_configured), (unsigned long long)st.epc_held,
				      enclaves, cli_s(enclaves));
		n += balloon_text(v, mon->detail + n, sizeof(mon->detail) - n);
		n += (size_t)snprintf(mon->detail + n, sizeof(mon->detail) - n, "\n");
	}
	return 0;
}

int mon_exec_info(struct mon_cmd *c, const char *sub)
{
	if (!strcmp(sub, "vms"))
		return info_vms(c);
	if (!strcmp(sub, "status"))
		return info_status(c);
	if (!strcmp(sub, "owners"))
		return mon_info_owners(c);
	return info_sgx(c);
}

/* ---------------------------------------------------------------------- */
/* JSON lines and the report                                              */
/* ---------------------------------------------------------------------- */

static void json_emit(struct monitor *mon, struct json_object *o)
{
	fprintf(mon->o.json, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/*
 * Who holds the EPC now: each node with EPC and each VM's pages on it, in
 * (snap); the VMs' rows are in the array returned (free() it), NULL when
 * out of memory. A VM's pages are its vEPC's and, when its VMM
 * oversubscribes it, the VA pages the VMM writes its pages back to: held
 * for that VM alone, not the host's own.
 */
static struct report_vm *epc_snapshot(struct monitor *mon, struct report_snapshot *snap)
{
	struct report_vm *vms = calloc(mon->nr_vms ? mon->nr_vms : 1, sizeof(*vms));
	struct host *h = vmm_host(mon->m);
	uint64_t on[HW_MAX_NODES], va[HW_MAX_NODES];

	memset(snap, 0, sizeof(*snap));
	if (!vms)
		return NULL;
	for (unsigned int n = 0; n < host_nr_nodes(h); n++) {
		struct host_epc_stats st;

		host_node_stats(h, n, &st);
		if (st.total)
			snap->nodes[snap->nr_nodes++] = (struct report_node){ n,	 st.total,
									      st.free,	 st.used,
									      st.zombie, st.bad };
	}
	for (unsigned int v = 0; v < mon->nr_vms; v++) {
		snprintf(vms[v].name, sizeof(vms[v].name), "%s", vmm_vm_name(mon->vms[v].vm));
		vmm_vm_epc_per_node(mon->vms[v].vm, on);
		vmm_oversub_va_per_node(mon->vms[v].vm, va);
		for (unsigned int i = 0; i < snap->nr_nodes; i++)
			vms[v].pages[i] = on[snap->nodes[i].node] + va[snap->nodes[i].node];
	}
	snap->nr_vms = mon->nr_vms;
	snap->vms = vms;
	return vms;
}

/* The "epc" member of a command's JSON line: usage after it, once there is a host. */
static void json_add_epc(struct monitor *mon, struct json_object *o)
{
	struct report_snapshot snap;
	struct report_vm *vms;

	if (!mon->m)
		return;
	vms = epc_snapshot(mon, &snap);
	if (vms)
		json_object_object_add(o, "epc", report_snapshot_json(&snap));
	free(vms);
}

void mon_json_command(struct monitor *mon, const struct mon_line *l, const char *outcome)
{
	struct json_object *o, *words;

	if (!mon->o.json)
		return;
	o = json_object_new_object();
	words = json_object_new_array();
	for (unsigned int i = 0; i < l->nw; i++)
		json_object_array_add(words, json_object_new_string(l->w[i]));
	json_object_object_add(o, "event", json_object_new_string("command"));
	json_object_object_add(o, "file", json_object_new_string(l->name));
	json_object_object_add(o, "line", json_object_new_int64(l->line));
	json_object_object_add(o, "command", words);
	json_object_object_add(o, "outcome", json_object_new_string(outcome));
	if (mon->detail_json)
		json_object_object_add(o, "qmp", json_tokener_parse(mon->detail));
	else if (mon->detail[0])
		json_object_object_add(o, "detail", json_object_new_string(mon->detail));
	if (mon->msg[0])
		json_object_object_add(o, "message", json_object_new_string(mon->msg));
	json_add_epc(mon, o);
	json_emit(mon, o);
}

/* The EPC policy, and a ballooning VM's target, reservation and guest's backing store. */
static void report_vm_balloon_json(const struct mon_vm *v, struct json_object *o)
{
	struct vmm_balloon_info b;
	struct guest_stats gs = { 0 };

	vmm_vm_balloon_query(v->vm, &b);
	if (v->guest)
		guest_stats(v->guest, &gs);
	json_object_object_add(o, "epc-policy",
			       json_object_new_string(vm_epc_policy_name(b.policy)));
	json_add_u64(o, "balloon-target-pages", b.target);
	json_add_u64(o, "balloon-current-pages", b.current);
	json_add_u64(o, "guest-ballooned-pages", gs.ballooned);
	json_add_u64(o, "guest-evicted-pages", gs.evicted);
	if (b.policy == VM_EPC_OVERSUBSCRIBE) {
		struct vmm_oversub_info ov;

		vmm_oversub_query(v->vm, &ov);
		json_add_u64(o, "oversub-max-pages", ov.host_max);
		json_add_u64(o, "vmm-evicted-pages", ov.evicted);
		json_add_u64(o, "vmm-reloaded-pages", ov.reloaded);
		json_add_u64(o, "vmm-freed-pages", ov.freed);
		json_add_u64(o, "vmm-blobs", ov.blobs);
		json_add_u64(o, "vmm-blob-bytes", ov.blob_bytes);
		json_add_u64(o, "worst-stall-reloads", ov.worst_stall);
		json_add_u64(o, "vmm-va-pages", ov.va_pages);
		json_object_object_add(o, "oversub-mode",
				       json_object_new_string(vm_epc_oversub_name(ov.mode)));
		json_add_u64(o, "vmm-trapped-leaves", ov.trapped);
	}
}

static void report_vm(struct monitor *mon, const struct mon_vm *v)
{
	struct vmm_vm_stats st;
	unsigned int enclaves = v->guest ? guest_nr_enclaves(v->guest) : 0;
	uint64_t faults;
	char balloon[320];
	bool mib;

	vmm_vm_stats(v->vm, &st);
	balloon_text(v, balloon, sizeof(balloon));
	faults = st.injected_gp + st.injected_pf + st.injected_ud + st.injected_mc;
	/* Sections are whole pages, not always whole MiB: never round what the VM has. */
	mib = st.epc_configured % 256 == 0;
	if (mon->o.out)
		fprintf(mon->o.out,
			"vm %s: %s, EPC %llu %s configured, %llu page%s held, %u enclave%s, %llu "
			"reset%s (%llu failed), %llu fault%s injected, %llu preemption%s%s%s%s\n",
			vmm_vm_name(v->vm), vmm_vm_state_name(vmm_vm_state(v->vm)),
			(unsigned long long)(mib ? st.epc_configured / 256 : st.epc_configured * 4),
			mib ? "MiB" : "KiB", (unsigned long long)st.epc_held, cli_s(st.epc_held),
			enclaves, cli_s(enclaves), (unsigned long long)st.resets, cli_s(st.resets),
			(unsigned long long)st.reset_failures, (unsigned long long)faults,
			cli_s(faults), (unsigned long long)st.preemptions, cli_s(st.preemptions),
			balloon, vmm_vm_error(v->vm)[0] ? ": " : "", vmm_vm_error(v->vm));
	if (mon->o.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "event", json_object_new_string("vm"));
		json_object_object_add(o, "name", json_object_new_string(vmm_vm_name(v->vm)));
		json_object_object_add(
		    o, "state", json_object_new_string(vmm_vm_state_name(vmm_vm_state(v->vm))));
		json_add_u64(o, "epc-configured-pages", st.epc_configured);
		json_add_u64(o, "epc-held-pages", st.epc_held);
		json_object_object_add(o, "enclaves", json_object_new_int64(enclaves));
		json_add_u64(o, "resets", st.resets);
		json_add_u64(o, "faults", faults);
		json_object_object_add(o, "error", json_object_new_string(vmm_vm_error(v->vm)));
		report_vm_balloon_json(v, o);
		json_emit(mon, o);
	}
}

static void report_node(struct monitor *mon, unsigned int node, const struct host_epc_stats *st)
{
	if (mon->o.out)
		fprintf(
		    mon->o.out,
		    "node %u: EPC %llu pages total, %llu free, %llu used, %llu zombie, %llu bad\n",
		    node, (unsigned long long)st->total, (unsigned long long)st->free,
		    (unsigned long long)st->used, (unsigned long long)st->zombie,
		    (unsigned long long)st->bad);
	if (mon->o.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "event", json_object_new_string("node"));
		json_object_object_add(o, "node", json_object_new_int64(node));
		json_add_u64(o, "total", st->total);
		json_add_u64(o, "free", st->free);
		json_add_u64(o, "used", st->used);
		json_add_u64(o, "zombie", st->zombie);
		json_add_u64(o, "bad", st->bad);
		json_emit(mon, o);
	}
}

/* The matrix of pages per VM and node, as text and as {"event":"epc",...}; the metrics file. */
static void report_epc(struct monitor *mon)
{
	struct report_snapshot snap = { 0 };
	struct report_vm *vms = NULL;
	struct report_owner *owners = NULL;
	struct json_object *o;

	if (mon->m) {
		vms = epc_snapshot(mon, &snap);
		if (!vms)
			return;
		owners = mon_owners_snapshot(mon, &snap, false);
		if (mon->o.out) {
			report_matrix_write(&snap, mon->o.out);
			report_owners_write(&snap, mon->o.out);
		}
		if (mon->o.json && snap.nr_owners) {
			o = json_object_new_object();
			json_object_object_add(o, "event", json_object_new_string("owners"));
			json_object_object_add(o, "owners", report_owners_json(&snap));
			json_emit(mon, o);
		}
		if (mon->o.json) {
			struct json_object *m = report_snapshot_json_report(&snap);

			/* "event" first, as in every other line. */
			o = json_object_new_object();
			json_object_object_add(o, "event", json_object_new_string("epc"));
			json_object_object_foreach(m, key, val)
			    json_object_object_add(o, key, json_object_get(val));
			json_object_put(m);
			json_emit(mon, o);
		}
	}
	/* Without a host there is nothing to count, but the file still says what it would hold. */
	if (mon->o.metrics)
		report_metrics_write(&snap, mon->o.metrics);
	free(owners);
	free(vms);
}

void monitor_report(struct monitor *mon)
{
	struct host *h;

	if (!mon->m) {
		report_epc(mon);
		return;
	}
	h = vmm_host(mon->m);
	if (mon->o.out)
		fprintf(mon->o.out, "== report: %u command%s, %u check%s\n", mon->commands,
			cli_s(mon->commands), mon->checks, cli_s(mon->checks));
	for (unsigned int i = 0; i < mon->nr_vms; i++)
		report_vm(mon, &mon->vms[i]);
	for (unsigned int n = 0; n < host_nr_nodes(h); n++) {
		struct host_epc_stats st;

		host_node_stats(h, n, &st);
		if (st.total)
			report_node(mon, n, &st);
	}
	report_epc(mon);
}
