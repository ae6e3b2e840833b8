/* SPDX-License-Identifier: MIT */
/*
 * The monitor: a modelled SGX host and its VMs, driven by commands in the
 * monitor's own language (docs/scenario-format.md) — from a scenario file
 * (`vsgx run`) or interactively (`vsgx monitor`). It prints each command
 * with its outcome, answers QMP queries and HMP's `info sgx`, checks
 * `expect` lines, and ends with a report of every VM and NUMA node; with a
 * JSON stream it writes the same as JSON lines.
 */
#ifndef VSGX_CLI_MONITOR_H
#define VSGX_CLI_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct monitor;

struct monitor_opts {
	const char *vectors; /* what $VECTORS stands for; NULL when unset */
	const char *basedir; /* where relative paths start; NULL: "." */
	FILE *out;	     /* progress and the report; NULL: silent */
	FILE *err;	     /* failures; NULL: silent */
	FILE *json;	     /* JSON lines; NULL: none */
	bool quiet;	     /* print only failures and the report */
	bool vcpu_threads;   /* each vCPU on its own host thread (vmm_set_vcpu_threads()) */
	/*
	 * Bytes of EPC a host or a VM may have, and of RAM a VM may have; 0: no
	 * limit. A fuzz target keeps every run small with them (-EFBIG beyond).
	 */
	uint64_t max_epc, max_ram;
	bool explain;  /* monitor_run_text(): echo the comments just above each command */
	FILE *metrics; /* Prometheus metrics, written by the report; NULL: none */
	bool audit;    /* check the EPC accounting after every command (monitor-audit.h) */
};

/* The longest line the language takes, its newline included. */
#define MONITOR_LINE_MAX 4096

/* Results of a line or a run. */
enum {
	MONITOR_OK = 0,
	MONITOR_FAILED = 1, /* an expectation or a command failed */
	MONITOR_SYNTAX = 2, /* a line the monitor cannot read */
};

int monitor_create(const struct monitor_opts *opts, struct monitor **ret);
void monitor_free(struct monitor *mon);

/*
 * Check (text), one line of the language, without running it.
 * Return: MONITOR_OK, or MONITOR_SYNTAX with "NAME:LINE:COL: ..." in (why).
 */
int monitor_check_line(struct monitor *mon, const char *name, unsigned int line, const char *text,
		       char *why, size_t why_len);

/* Check, then run one line. Return: MONITOR_OK, MONITOR_FAILED or MONITOR_SYNTAX. */
int monitor_line(struct monitor *mon, const char *name, unsigned int line, const char *text);

/*
 * A whole scenario: every line checked before the first runs, then each run
 * in order until one fails. (len) bytes at (text). Return: as monitor_line().
 */
int monitor_run_text(struct monitor *mon, const char *name, const char *text, size_t len);

/* Whether 'quit' ran: the caller reads no more lines. */
bool monitor_has_quit(const struct monitor *mon);

/*
 * Complete the last word of (text), a line up to the cursor: call (fn) with
 * each word that could stand there and starts with it — commands,
 * subcommands, VM, enclave and node names, choices and NAME= options.
 */
void monitor_complete(struct monitor *mon, const char *text,
		      void (*fn)(const char *word, void *arg), void *arg);

/*
 * The closing report: per VM and per NUMA node, and the matrix of EPC pages
 * per VM and node (text and JSON); the metrics, when asked for.
 */
void monitor_report(struct monitor *mon);

#endif /* VSGX_CLI_MONITOR_H */
