/* SPDX-License-Identifier: MIT */
/*
 * EPC usage reports, as a module a program can link: who holds the EPC pages
 * of each NUMA node, at one moment (a snapshot) and after each command of a
 * scenario (a series), in the forms an operator reads them:
 *
 *   - JSON, the "epc" object vsgx's --json lines carry, and a reader of
 *     those JSON lines that rebuilds the series (with PATH:LINE errors);
 *   - a text matrix of pages per holder and node, MiB beside pages;
 *   - an SVG plot of a series: one panel per node, its pages stacked by
 *     holder after each command;
 *   - Prometheus's text exposition format (sgx_epc_pages{node,vm,state}).
 *
 * The module knows nothing of the model: the caller fills a snapshot with
 * the host's counts per node and each VM's pages per node. Pages no VM holds
 * but the host counts as used are the host's own (host enclaves and their
 * VA pages): used minus the VMs' pages. Results are 0 or -errno.
 */
#ifndef VSGX_REPORT_H
#define VSGX_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct report_series;

/* The most NUMA nodes a snapshot has (the processor model's HW_MAX_NODES). */
#define REPORT_MAX_NODES 64
/* The longest VM name, its NUL included (the hypervisor's VM_NAME_MAX). */
#define REPORT_NAME_MAX 64
/* Pages per MiB: EPC pages are 4 KiB. */
#define REPORT_PAGES_PER_MIB 256

/* A NUMA node's EPC pages; free + used + zombie + bad == total. */
struct report_node {
	unsigned int node;
	uint64_t total, free, used, zombie, bad;
};

/* A VM's pages on each node: pages[i] on the snapshot's nodes[i]. */
struct report_vm {
	char name[REPORT_NAME_MAX];
	uint64_t pages[REPORT_MAX_NODES];
};

/* The longest EPC owner name, its NUL included (the host's HOST_OWNER_NAME_MAX). */
#define REPORT_OWNER_NAME_MAX 80

/*
 * An EPC owner of the host's tree (the sgx_epc controller's files): pages
 * charged to it and its descendants (current), its max (UINT64_MAX: none),
 * charges that found it at its max (events). (depth): 0 for the root.
 */
struct report_owner {
	char name[REPORT_OWNER_NAME_MAX];
	char parent[REPORT_OWNER_NAME_MAX]; /* "" for the root */
	unsigned int depth;
	uint64_t current, max, events;
};

/*
 * The nodes with EPC in ascending order, the VMs (the caller's array) and
 * the EPC owners in tree order (the caller's array; none in a series).
 */
struct report_snapshot {
	unsigned int nr_nodes;
	struct report_node nodes[REPORT_MAX_NODES];
	unsigned int nr_vms;
	const struct report_vm *vms;
	unsigned int nr_owners;
	const struct report_owner *owners;
};

/* The pages of nodes[i] that are used but held by no VM: the host's own. */
uint64_t report_host_pages(const struct report_snapshot *s, unsigned int i);

/*
 * Check that (s) adds up: nodes ascending below REPORT_MAX_NODES, each
 * node's free + used + zombie + bad == total, the VMs' pages on a node no
 * more than its used pages, VM names of 1 to REPORT_NAME_MAX - 1 bytes, none
 * twice. Return: 0, or -EINVAL with the reason in (why).
 */
int report_snapshot_check(const struct report_snapshot *s, char *why, size_t why_len);

/* ------------------------------------------------------------------ */
/* JSON                                                                */

/*
 * The "epc" object of a command event, compact and in a fixed order:
 *   {"nodes":[0,1],"total":[T0,T1],"free":[..],"used":[..],"zombie":[..],
 *    "bad":[..],"vms":{"vm1":[P0,P1],...}}
 * each array in the order of "nodes". NULL when out of memory.
 */
struct json_object *report_snapshot_json(const struct report_snapshot *s);

/*
 * The closing report's {"event":"epc",...}: the same members, and "host"
 * (the host's own pages per node) and "totals" (each row summed over the
 * nodes: {"total","free","used","zombie","bad","host","vms":{NAME: N}}).
 */
struct json_object *report_snapshot_json_report(const struct report_snapshot *s);

/*
 * Read an "epc" object back into (ret), whose VMs go into (vms), room for
 * (max_vms). Return: 0; -EINVAL with what is wrong in (why) (a member
 * missing or of the wrong type, arrays of different lengths, pages that do
 * not add up); -ENOSPC for more VMs than (max_vms).
 */
int report_snapshot_from_json(struct json_object *o, struct report_snapshot *ret,
			      struct report_vm *vms, unsigned int max_vms, char *why,
			      size_t why_len);

/* ------------------------------------------------------------------ */
/* Text                                                                */

/*
 * The matrix of the closing report: a row per VM, "host" (host enclaves),
 * "used" (their sum), "free", "zombie", "bad" and "total"; a column per
 * node and "all nodes"; each cell "PAGES (N MiB)" (KiB where not whole MiB).
 * Return: 0, or -EIO when (f) reports a write error.
 */
int report_matrix_write(const struct report_snapshot *s, FILE *f);

/*
 * The owners' table: a row per owner, indented by depth, with current, max
 * ("-" for none) and events. Nothing when the snapshot has no owners.
 * Return: 0, or -EIO when (f) reports a write error.
 */
int report_owners_write(const struct report_snapshot *s, FILE *f);

/* The owners as a JSON array of {"name","parent","current","max","events"} (max null for none). */
struct json_object *report_owners_json(const struct report_snapshot *s);

/* ------------------------------------------------------------------ */
/* Prometheus                                                          */

/*
 * The snapshot in Prometheus's text exposition format (version 0.0.4),
 * with # HELP and # TYPE lines:
 *   sgx_epc_total_pages{node="0"} 16384
 *   sgx_epc_pages{node="0",vm="vm1",state="used"} 8192   (each VM, each node)
 *   sgx_epc_pages{node="0",state="used"} 0               (the host's own)
 *   sgx_epc_pages{node="0",state="free|zombie|bad"} ...
 * so that sum by (node) (sgx_epc_pages) == sgx_epc_total_pages; and per
 * EPC owner (when the snapshot has owners):
 *   sgx_epc_owner_current_pages{owner="tenant"} 12
 *   sgx_epc_owner_max_pages{owner="tenant"} 16      (owners with a max only)
 *   sgx_epc_owner_events_total{owner="tenant"} 3
 * Label values are escaped as the format says (\\, \", \n).
 * Return: 0, or -EIO when (f) reports a write error.
 */
int report_metrics_write(const struct report_snapshot *s, FILE *f);

/* ------------------------------------------------------------------ */
/* A series: a snapshot after each command                             */

int report_series_create(struct report_series **ret);
/* Accepts NULL. */
void report_series_free(struct report_series *s);

/*
 * Add the snapshot after the command on line (line) of the scenario, whose
 * words are (label). (s) is copied. Return: 0, -EINVAL (it does not add up,
 * see report_snapshot_check), -ENOMEM.
 */
int report_series_add(struct report_series *s, unsigned int line, const char *label,
		      const struct report_snapshot *snap);

/* The number of snapshots; the file the first command came from, or "". */
unsigned int report_series_len(const struct report_series *s);
const char *report_series_file(const struct report_series *s);

/*
 * Read the JSON lines of `vsgx run --json` ((len) bytes at (text), named
 * (name) in messages) into a new series: one snapshot per command event
 * that carries "epc" (commands before the host was powered on have none).
 * Other events ("vm", "node", "epc", and any later kinds) are skipped; blank
 * lines too. Return: 0 with the series in *ret; -EINVAL with
 * "NAME:LINE: what is wrong" in (why): a line that is not JSON or is cut
 * short, JSON that is not an object with an "event" member, a command event
 * with a bad "line", "command" or "epc", or no command event with "epc" at
 * all; -ENOMEM.
 */
int report_series_read_jsonl(const char *text, size_t len, const char *name,
			     struct report_series **ret, char *why, size_t why_len);

/*
 * Plot (s) as an SVG image: one panel per node, the pages of each VM, the
 * host's own, zombie and bad pages stacked after each command (a column per
 * command), the node's EPC as the panel's height, MiB on the y axis, command
 * numbers and scenario lines on the x axis, a legend, and (title) (NULL: one
 * naming the series' file). Hovering a column shows its command.
 * Return: 0; -EINVAL for an empty series; -EIO when (f) reports a write
 * error.
 */
int report_svg_write(const struct report_series *s, const char *title, FILE *f);

#endif /* VSGX_REPORT_H */
