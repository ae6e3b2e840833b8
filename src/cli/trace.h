/* SPDX-License-Identifier: MIT */
/*
 * Traces: text files of SGX operations, one per line, replayed on a fresh
 * modelled processor (the grammar is in docs/trace-format.md). A trace is
 * parsed whole before anything runs, so a syntax error never leaves half a
 * scenario executed; files a trace names (SGXS streams, SIGSTRUCTs) are read
 * while parsing for the same reason.
 *
 * This is the library behind 'vsgx trace', kept apart from the command so
 * tests can drive the parser and the runner directly.
 */
#ifndef VSGX_CLI_TRACE_H
#define VSGX_CLI_TRACE_H

#include <stddef.h>
#include <stdio.h>

struct trace;

/* trace_run()'s result when a command's outcome differed from the expected one. */
#define TRACE_MISMATCH 1

/*
 * The runner's ordinary memory, the only non-EPC memory its processor can
 * reach: the operands a trace builds live here. Every other address that is
 * not EPC is unmapped, so an operand there faults with #PF.
 */
#define TRACE_RAM_BASE 0x10000000ULL
#define TRACE_RAM_SIZE (1ULL << 20)
/* Enclave linear pages a trace can map onto EPC pages at once. */
#define TRACE_MAX_MAPS 256
/* Pages 'hold' may keep at once. */
#define TRACE_MAX_HOLDS 8

/* One command as it ran and was judged (trace_opts.event). */
struct trace_event {
	unsigned int line;    /* in the trace file */
	const char *text;     /* the command as written */
	const char *outcome;  /* "SGX_SUCCESS", "#PF at 0x...", "EBUSY"; "ok" for expect */
	const char *detail;   /* what it did, or "" */
	const char *expected; /* the outcome after "=>", or NULL */
	const char *message;  /* why it did not hold, or NULL */
};

struct trace_opts {
	const char *vectors; /* what $VECTORS expands to; NULL when unset */
	const char *basedir; /* trace_parse(): where relative paths start; NULL: "." */
	FILE *out;	     /* one line per command as it runs; NULL: silent */
	FILE *err;	     /* mismatches and runner failures; NULL: silent */
	/* Called with each command after it ran (vsgx trace --json); NULL: none. */
	void (*event)(const struct trace_event *e, void *arg);
	void *event_arg;
};

struct trace_summary {
	unsigned int commands; /* commands run */
	unsigned int checked;  /* outcomes and expect fields compared */
};

/*
 * Parse (len) bytes of trace text; (name) is how messages refer to it.
 * Return: 0; -EINVAL for a syntax or semantic error, with
 * "NAME:LINE:COLUMN: what is wrong" in (why); -errno when a file the trace
 * names cannot be read or is malformed (also described in (why), with the
 * line and column that name it); -ENOMEM.
 */
int trace_parse(const char *name, const char *text, size_t len, const struct trace_opts *opts,
		struct trace **ret, char *why, size_t why_len);

/*
 * Read and parse the trace file at (path); "-" reads standard input.
 * Relative paths inside it start from the file's directory.
 * Return: as trace_parse(), and -errno (with "PATH: reason" in (why)) when
 * (path) cannot be read.
 */
int trace_load(const char *path, const struct trace_opts *opts, struct trace **ret, char *why,
	       size_t why_len);

/*
 * Power on the processor the trace describes and run its commands in order,
 * stopping at the first outcome that differs from its expectation.
 * Return: 0 when every expectation held, TRACE_MISMATCH after the first that
 * did not (reported on opts->err as "NAME:LINE: expected X, got Y"), or
 * -errno when the runner itself failed (-ENOMEM, also reported on opts->err).
 * (ret), if not NULL, counts what ran.
 */
int trace_run(struct trace *t, const struct trace_opts *opts, struct trace_summary *ret);

/* Number of commands in a parsed trace. */
size_t trace_nr_commands(const struct trace *t);

/* Free a parsed trace. Accepts NULL. */
void trace_free(struct trace *t);

#endif /* VSGX_CLI_TRACE_H */
