/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of EPC usage: its checks, its JSON both ways, the closing
 * report's matrix and Prometheus's text format.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "report-int.h"

int report_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

uint64_t report_vm_sum(const struct report_snapshot *s, unsigned int i)
{
	uint64_t sum = 0;

	for (unsigned int v = 0; v < s->nr_vms; v++)
		sum += s->vms[v].pages[i];
	return sum;
}

uint64_t report_host_pages(const struct report_snapshot *s, unsigned int i)
{
	uint64_t vms = report_vm_sum(s, i);

	return s->nodes[i].used > vms ? s->nodes[i].used - vms : 0;
}

static int check_node(const struct report_snapshot *s, unsigned int i, char *why, size_t len)
{
	const struct report_node *n = &s->nodes[i];
	uint64_t vms = 0;

	if (n->node >= REPORT_MAX_NODES)
		return report_why(why, len, -EINVAL, "node %u: nodes are 0 to %d", n->node,
				  REPORT_MAX_NODES - 1);
	if (i && n->node <= s->nodes[i - 1].node)
		return report_why(
		    why, len, -EINVAL,
		    "node %u comes after node %u: nodes go in ascending order, once each", n->node,
		    s->nodes[i - 1].node);
	/* Each term is at most the total, so the sum cannot wrap unless one is wrong. */
	if (n->free > n->total || n->used > n->total || n->zombie > n->total || n->bad > n->total ||
	    n->free + n->used + n->zombie + n->bad != n->total)
		return report_why(why, len, -EINVAL,
				  "node %u: free %llu + used %llu + zombie %llu + bad %llu is not "
				  "its total %llu",
				  n->node, (unsigned long long)n->free, (unsigned long long)n->used,
				  (unsigned long long)n->zombie, (unsigned long long)n->bad,
				  (unsigned long long)n->total);
	for (unsigned int v = 0; v < s->nr_vms; v++) {
		if (s->vms[v].pages[i] > n->used - vms)
			return report_why(why, len, -EINVAL,
					  "node %u: the VMs hold more pages than its %llu used",
					  n->node, (unsigned long long)n->used);
		vms += s->vms[v].pages[i];
	}
	return 0;
}

int report_snapshot_check(const struct report_snapshot *s, char *why, size_t why_len)
{
	int r;

	if (s->nr_nodes > REPORT_MAX_NODES)
		return report_why(why, why_len, -EINVAL, "%u nodes: at most %d", s->nr_nodes,
				  REPORT_MAX_NODES);
	for (unsigned int v = 0; v < s->nr_vms; v++) {
		size_t n = strnlen(s->vms[v].name, REPORT_NAME_MAX);

		if (!n || n == REPORT_NAME_MAX)
			return report_why(why, why_len, -EINVAL, "a VM name has 1 to %d bytes",
					  REPORT_NAME_MAX - 1);
		for (unsigned int w = 0; w < v; w++)
			if (!strcmp(s->vms[v].name, s->vms[w].name))
				return report_why(why, why_len, -EINVAL, "VM '%s' comes twice",
						  s->vms[v].name);
	}
	for (unsigned int i = 0; i < s->nr_nodes; i++) {
		r = check_node(s, i, why, why_len);
		if (r)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static const char *const node_fields[] = { "total", "free", "used", "zombie", "bad" };
#define NR_NODE_FIELDS (sizeof(node_fields) / sizeof(node_fields[0]))

static uint64_t *node_field(struct report_node *n, unsigned int f)
{
	uint64_t *fields[NR_NODE_FIELDS] = { &n->total, &n->free, &n->used, &n->zombie, &n->bad };

	return fields[f];
}

static uint64_t node_field_get(const struct report_node *n, unsigned int f)
{
	return *node_field((struct report_node *)n, f);
}

/* json-c's integers are signed: a count beyond INT64_MAX cannot be a page count. */
static struct json_object *json_u64(uint64_t v)
{
	return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static struct json_object *json_pages(const struct report_snapshot *s, const struct report_vm *vm)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; a && i < s->nr_nodes; i++)
		json_object_array_add(a, json_u64(vm->pages[i]));
	return a;
}

struct json_object *report_snapshot_json(const struct report_snapshot *s)
{
	struct json_object *o = json_object_new_object(), *a, *vms;

	if (!o)
		return NULL;
	a = json_object_new_array();
	for (unsigned int i = 0; a && i < s->nr_nodes; i++)
		json_object_array_add(a, json_object_new_int64(s->nodes[i].node));
	json_object_object_add(o, "nodes", a);
	for (unsigned int f = 0; f < NR_NODE_FIELDS; f++) {
		a = json_object_new_array();
		for (unsigned int i = 0; a && i < s->nr_nodes; i++)
			json_object_array_add(a, json_u64(node_field_get(&s->nodes[i], f)));
		json_object_object_add(o, node_fields[f], a);
	}
	vms = json_object_new_object();
	for (unsigned int v = 0; vms && v < s->nr_vms; v++)
		json_object_object_add(vms, s->vms[v].name, json_pages(s, &s->vms[v]));
	json_object_object_add(o, "vms", vms);
	return o;
}

struct json_object *report_snapshot_json_report(const struct report_snapshot *s)
{
	struct json_object *o = report_snapshot_json(s), *host, *tot, *vms;
	uint64_t sum;

	if (!o)
		return NULL;
	host = json_object_new_array();
	for (unsigned int i = 0; host && i < s->nr_nodes; i++)
		json_object_array_add(host, json_u64(report_host_pages(s, i)));
	json_object_object_add(o, "host", host);
	tot = json_object_new_object();
	for (unsigned int f = 0; tot && f < NR_NODE_FIELDS; f++) {
		sum = 0;
		for (unsigned int i = 0; i < s->nr_nodes; i++)
			sum += node_field_get(&s->nodes[i], f);
		json_object_object_add(tot, node_fields[f], json_u64(sum));
	}
	sum = 0;
	for (unsigned int i = 0; i < s->nr_nodes; i++)
		sum += report_host_pages(s, i);
	json_object_object_add(tot, "host", json_u64(sum));
	vms = json_object_new_object();
	for (unsigned int v = 0; vms && v < s->nr_vms; v++) {
		sum = 0;
		for (unsigned int i = 0; i < s->nr_nodes; i++)
			sum += s->vms[v].pages[i];
		json_object_object_add(vms, s->vms[v].name, json_u64(sum));
	}
	json_object_object_add(tot, "vms", vms);
	json_object_object_add(o, "totals", tot);
	return o;
}

/* An array of (n) page counts (non-negative integers) into out[0..n-1]. */
static int json_counts(struct json_object *a, const char *what, unsigned int n, uint64_t *out,
		       size_t stride, char *why, size_t len)
{
	if (!json_object_is_type(a, json_type_array))
		return report_why(why, len, -EINVAL, "%s is not an array of page counts", what);
	if (json_object_array_length(a) != n)
		return report_why(why, len, -EINVAL, "%s has %zu entries, \"nodes\" has %u", what,
				  json_object_array_length(a), n);
	for (unsigned int i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0)
			return report_why(why, len, -EINVAL,
					  "%s[%u] is not a page count (an integer, 0 or more)",
					  what, i);
		*(uint64_t *)((char *)out + i * stride) = (uint64_t)json_object_get_int64(e);
	}
	return 0;
}

static int json_nodes(struct json_object *o, struct report_snapshot *ret, char *why, size_t len)
{
	struct json_object *a;
	size_t n;

	if (!json_object_object_get_ex(o, "nodes", &a) || !json_object_is_type(a, json_type_array))
		return report_why(why, len, -EINVAL, "\"epc\" has no \"nodes\" array");
	n = json_object_array_length(a);
	if (!n || n > REPORT_MAX_NODES)
		return report_why(why, len, -EINVAL, "\"nodes\" has %zu entries: 1 to %d", n,
				  REPORT_MAX_NODES);
	ret->nr_nodes = (unsigned int)n;
	for (unsigned int i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		int64_t v = json_object_get_int64(e);

		if (!json_object_is_type(e, json_type_int) || v < 0 || v >= REPORT_MAX_NODES)
			return report_why(why, len, -EINVAL,
					  "\"nodes\"[%u] is not a node (0 to %d)", i,
					  REPORT_MAX_NODES - 1);
		ret->nodes[i].node = (unsigned int)v;
	}
	return 0;
}

static int json_vms(struct json_object *o, struct report_snapshot *ret, struct report_vm *vms,
		    unsigned int max_vms, char *why, size_t len)
{
	struct json_object *obj;
	char what[REPORT_NAME_MAX + 16];
	int r;

	if (!json_object_object_get_ex(o, "vms", &obj) ||
	    !json_object_is_type(obj, json_type_object))
		return report_why(why, len, -EINVAL, "\"epc\" has no \"vms\" object");
	ret->nr_vms = 0;
	ret->vms = vms;
	json_object_object_foreach(obj, name, pages)
	{
		struct report_vm *vm = &vms[ret->nr_vms];

		if (ret->nr_vms == max_vms)
			return report_why(why, len, -ENOSPC, "more than %u VMs", max_vms);
		if (!*name || strlen(name) >= REPORT_NAME_MAX)
			return report_why(why, len, -EINVAL, "a VM name has 1 to %d bytes",
					  REPORT_NAME_MAX - 1);
		memset(vm, 0, sizeof(*vm));
		memcpy(vm->name, name, strlen(name) + 1);
		snprintf(what, sizeof(what), "\"vms\".\"%s\"", name);
		r = json_counts(pages, what, ret->nr_nodes, vm->pages, sizeof(vm->pages[0]), why,
				len);
		if (r)
			return r;
		ret->nr_vms++;
	}
	return 0;
}

int report_snapshot_from_json(struct json_object *o, struct report_snapshot *ret,
			      struct report_vm *vms, unsigned int max_vms, char *why,
			      size_t why_len)
{
	char what[16];
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!json_object_is_type(o, json_type_object))
		return report_why(why, why_len, -EINVAL, "\"epc\" is not an object");
	r = json_nodes(o, ret, why, why_len);
	for (unsigned int f = 0; !r && f < NR_NODE_FIELDS; f++) {
		struct json_object *a = NULL;

		snprintf(what, sizeof(what), "\"%s\"", node_fields[f]);
		json_object_object_get_ex(o, node_fields[f], &a);
		r = json_counts(a, what, ret->nr_nodes, node_field(&ret->nodes[0], f),
				sizeof(ret->nodes[0]), why, why_len);
	}
	if (!r)
		r = json_vms(o, ret, vms, max_vms, why, why_len);
	return r ? r : report_snapshot_check(ret, why, why_len);
}

/* ------------------------------------------------------------------ */
/* The matrix                                                          */

#define CELL_MAX 48

/* "8192 (32 MiB)"; sizes that are not whole MiB in KiB, never rounded. */
void report_cell(uint64_t pages, char *buf, size_t len)
{
	if (pages % REPORT_PAGES_PER_MIB == 0)
		snprintf(buf, len, "%llu (%llu MiB)", (unsigned long long)pages,
			 (unsigned long long)(pages / REPORT_PAGES_PER_MIB));
	else
		snprintf(buf, len, "%llu (%llu KiB)", (unsigned long long)pages,
			 (unsigned long long)pages * 4);
}

enum { ROW_HOST, ROW_USED, ROW_FREE, ROW_ZOMBIE, ROW_BAD, ROW_TOTAL, NR_ROWS };
static const char *const row_names[NR_ROWS] = { "host enclaves", "used", "free",
						"zombie",	 "bad",	 "total" };

/* The value of a row below the VMs' on nodes[i]. */
static uint64_t row_value(const struct report_snapshot *s, unsigned int row, unsigned int i)
{
	const struct report_node *n = &s->nodes[i];

	switch (row) {
	case ROW_HOST:
		return report_host_pages(s, i);
	case ROW_USED:
		return n->used;
	case ROW_FREE:
		return n->free;
	case ROW_ZOMBIE:
		return n->zombie;
	case ROW_BAD:
		return n->bad;
	default:
		return n->total;
	}
}

/* Row (r) of the matrix: the VMs' first, then those of row_names. */
static const char *matrix_row(const struct report_snapshot *s, unsigned int r, uint64_t *vals)
{
	for (unsigned int i = 0; i < s->nr_nodes; i++)
		vals[i] = r < s->nr_vms ? s->vms[r].pages[i] : row_value(s, r - s->nr_vms, i);
	return r < s->nr_vms ? s->vms[r].name : row_names[r - s->nr_vms];
}

/* Print a row's cells (f != NULL) or measure them: the widest cell. */
static int matrix_cells(const struct report_snapshot *s, const uint64_t *vals, int w, FILE *f)
{
	char cell[CELL_MAX];
	uint64_t sum = 0;
	int widest = 0;

	for (unsigned int i = 0; i <= s->nr_nodes; i++) {
		report_cell(i < s->nr_nodes ? vals[i] : sum, cell, sizeof(cell));
		if (i < s->nr_nodes)
			sum += vals[i];
		if ((int)strlen(cell) > widest)
			widest = (int)strlen(cell);
		if (f)
			fprintf(f, "  %*s", w, cell);
	}
	if (f)
		fputc('\n', f);
	return widest;
}

int report_matrix_write(const struct report_snapshot *s, FILE *f)
{
	unsigned int nr_rows = s->nr_vms + NR_ROWS;
	int name_w = (int)strlen("zombie"), cell_w = (int)strlen("all nodes"), w;
	uint64_t vals[REPORT_MAX_NODES];
	const char *name;
	char head[16];

	for (unsigned int r = 0; r < nr_rows; r++) {
		name = matrix_row(s, r, vals);
		if ((int)strlen(name) > name_w)
			name_w = (int)strlen(name);
		w = matrix_cells(s, vals, 0, NULL);
		cell_w = w > cell_w ? w : cell_w;
	}
	fprintf(f, "EPC pages by holder and NUMA node (4 KiB pages):\n%-*s", name_w, "");
	for (unsigned int i = 0; i < s->nr_nodes; i++) {
		snprintf(head, sizeof(head), "node %u", s->nodes[i].node);
		fprintf(f, "  %*s", cell_w, head);
	}
	fprintf(f, "  %*s\n", cell_w, "all nodes");
	for (unsigned int r = 0; r < nr_rows; r++) {
		fprintf(f, "%-*s", name_w, matrix_row(s, r, vals));
		matrix_cells(s, vals, cell_w, f);
	}
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* Prometheus                                                          */

/* A label value as the exposition format quotes it: \\, \" and \n escaped. */
static void prom_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f), fputc(*v, f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* One owner gauge or counter: # HELP, # TYPE, then a sample per owner. */
static void metrics_owner_family(const struct report_snapshot *s, FILE *f, const char *name,
				 const char *type, const char *help, unsigned int field)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (unsigned int i = 0; i < s->nr_owners; i++) {
		const struct report_owner *o = &s->owners[i];
		uint64_t v = field == 0 ? o->current : field == 1 ? o->max : o->events;

		if (field == 1 && o->max == UINT64_MAX)
			continue;
		fprintf(f, "%s{owner=\"", name);
		prom_label(f, o->name);
		fprintf(f, "\"} %llu\n", (unsigned long long)v);
	}
}

static void report_metrics_owners(const struct report_snapshot *s, FILE *f)
{
	if (!s->nr_owners)
		return;
	metrics_owner_family(s, f, "sgx_epc_owner_current_pages", "gauge",
			     "EPC pages (4 KiB) charged to the owner and its descendants.", 0);
	metrics_owner_family(s, f, "sgx_epc_owner_max_pages", "gauge",
			     "The owner's max in EPC pages; absent for an owner without one.", 1);
	metrics_owner_family(s, f, "sgx_epc_owner_events_total", "counter",
			     "Charges that found the owner at its max.", 2);
}

int report_metrics_write(const struct report_snapshot *s, FILE *f)
{
	static const char *const states[] = { "free", "zombie", "bad" };

	fputs("# HELP sgx_epc_total_pages EPC pages (4 KiB) of the NUMA node.\n"
	      "# TYPE sgx_epc_total_pages gauge\n",
	      f);
	for (unsigned int i = 0; i < s->nr_nodes; i++)
		fprintf(f, "sgx_epc_total_pages{node=\"%u\"} %llu\n", s->nodes[i].node,
			(unsigned long long)s->nodes[i].total);
	fputs("# HELP sgx_epc_pages EPC pages (4 KiB) of the NUMA node by state: used by the VM "
	      "named by vm, or without vm by the host (its enclaves); free; zombie (released, "
	      "waiting for children in another section); bad (never handed out). A node's "
	      "series add up to sgx_epc_total_pages.\n"
	      "# TYPE sgx_epc_pages gauge\n",
	      f);
	for (unsigned int i = 0; i < s->nr_nodes; i++) {
		unsigned int node = s->nodes[i].node;

		for (unsigned int v = 0; v < s->nr_vms; v++) {
			fprintf(f, "sgx_epc_pages{node=\"%u\",vm=\"", node);
			prom_label(f, s->vms[v].name);
			fprintf(f, "\",state=\"used\"} %llu\n",
				(unsigned long long)s->vms[v].pages[i]);
		}
		fprintf(f, "sgx_epc_pages{node=\"%u\",state=\"used\"} %llu\n", node,
			(unsigned long long)report_host_pages(s, i));
		for (unsigned int k = 0; k < 3; k++)
			fprintf(f, "sgx_epc_pages{node=\"%u\",state=\"%s\"} %llu\n", node,
				states[k], (unsigned long long)row_value(s, ROW_FREE + k, i));
	}
	report_metrics_owners(s, f);
	return ferror(f) ? -EIO : 0;
}

int report_owners_write(const struct report_snapshot *s, FILE *f)
{
	int w = (int)strlen("owner");

	if (!s->nr_owners)
		return 0;
	for (unsigned int i = 0; i < s->nr_owners; i++) {
		int n = (int)(2 * s->owners[i].depth + strlen(s->owners[i].name));

		w = n > w ? n : w;
	}
	fprintf(f, "%-*s  %10s  %10s  %10s\n", w, "owner", "current", "max", "events");
	for (unsigned int i = 0; i < s->nr_owners; i++) {
		const struct report_owner *o = &s->owners[i];
		char max[24];

		if (o->max == UINT64_MAX)
			snprintf(max, sizeof(max), "-");
		else
			snprintf(max, sizeof(max), "%llu", (unsigned long long)o->max);
		fprintf(f, "%*s%-*s  %10llu  %10s  %10llu\n", (int)(2 * o->depth), "",
			w - (int)(2 * o->depth), o->name, (unsigned long long)o->current, max,
			(unsigned long long)o->events);
	}
	return ferror(f) ? -EIO : 0;
}

struct json_object *report_owners_json(const struct report_snapshot *s)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; a && i < s->nr_owners; i++) {
		const struct report_owner *o = &s->owners[i];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(o->name));
		json_object_object_add(j, "parent",
				       o->parent[0] ? json_object_new_string(o->parent) : NULL);
		json_object_object_add(j, "current", json_u64(o->current));
		json_object_object_add(j, "max", o->max == UINT64_MAX ? NULL : json_u64(o->max));
		json_object_object_add(j, "events", json_u64(o->events));
		json_object_array_add(a, j);
	}
	return a;
}
