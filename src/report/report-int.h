/* SPDX-License-Identifier: MIT */
/* Internals of the report module, shared by the files of src/report/ only. */
#ifndef VSGX_REPORT_INT_H
#define VSGX_REPORT_INT_H

#include <stdbool.h>

#include "vsgx/report.h"

/* The most VMs one snapshot read from JSON may have. */
#define REPORT_MAX_VMS 256

/* One snapshot of a series, stored compactly: VMs by their index in the series' names. */
struct report_sample {
	unsigned int line;
	char *label; /* the command's words */
	unsigned int nr_nodes;
	struct report_node *nodes;
	unsigned int nr_vms;
	unsigned int *vm_ids; /* index into the series' names */
	uint64_t *pages;      /* [vm * nr_nodes + node index] */
};

struct report_series {
	char *file;
	unsigned int nr, cap;
	struct report_sample *samples;
	unsigned int nr_names, cap_names;
	char **names; /* every VM of any sample, in order of first appearance */
};

/* Write the formatted reason into (why) (when not NULL) and return (err). */
int report_why(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The pages all VMs hold on nodes[i]. */
uint64_t report_vm_sum(const struct report_snapshot *s, unsigned int i);

/* "8192 (32 MiB)", or "100 (400 KiB)" where the pages are not whole MiB. */
void report_cell(uint64_t pages, char *buf, size_t len);

/* The index of (node) in (smp)'s nodes, or -1. */
int report_sample_node(const struct report_sample *smp, unsigned int node);

#endif /* VSGX_REPORT_INT_H */
