/* SPDX-License-Identifier: MIT */
/*
 * The vsgx command: one file per verb, a table of verbs in main.c, and the
 * few helpers every verb shares. Only this layer prints or exits.
 *
 * Exit status of every verb: 0 success, 1 the model answered with an SGX
 * error (or an expectation failed), 2 bad usage, a bad input file or output
 * that could not be written.
 */
#ifndef VSGX_CLI_H
#define VSGX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_OK    0
#define CLI_EXIT_SGX   1
#define CLI_EXIT_USAGE 2

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_measure(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_einit(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_cpuid(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* "s" after a count of (n) things, "" after one: "%u section%s", n, cli_s(n). */
static inline const char *cli_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* Print "vsgx: " and the formatted message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse an unsigned number in decimal or 0x-prefixed hex that fits in (max).
 * Return: 0, or -EINVAL (not a number, trailing junk) or -ERANGE (too big).
 */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *ret);

/* Value of one hex digit, or -1 if (c) is not one. */
int cli_hex_digit(char c);

/* Parse exactly (len) bytes written as 2*len hex digits. Return: 0 or -EINVAL. */
int cli_parse_hex(const char *s, uint8_t *out, size_t len);

/* Write (len) bytes as lowercase hex into (out), which holds 2*len+1 chars. */
void cli_format_hex(const uint8_t *in, size_t len, char *out);

/*
 * What $VECTORS stands for without --vectors: $VSGX_VECTORS; else, for an
 * installed vsgx, the vectors installed with it (BINDIR/../share/vsgx/vectors);
 * else the source tree's tests/vectors; else $datadir/vsgx/vectors.
 */
const char *cli_vectors_dir(void);

/* The options of the verbs that replay a file of commands: trace, run, monitor. */
struct cli_replay_opts {
	const char *vectors; /* --vectors DIR, else $VSGX_VECTORS */
	const char *json;    /* --json FILE, where the verb takes it */
	const char *qmp;     /* --qmp unix:PATH, with --json */
	const char *metrics; /* --metrics FILE, with --json */
	bool quiet;	     /* --quiet */
	bool vcpu_threads;   /* --vcpu-threads (run, monitor) */
	bool explain;	     /* --explain (run only) */
	bool audit;	     /* --audit, where the verb takes --json */
};

/*
 * Parse [--quiet] [--vectors DIR], and [--json FILE] [--qmp SPEC] [--metrics FILE]
 * when (json) is true;
 * optind is left at the first operand. --help prints (usage) on stdout and
 * returns -1; a bad option prints it on stderr and returns CLI_EXIT_USAGE.
 */
int cli_replay_opts_parse(int argc, char **argv, bool json, const char *usage,
			  struct cli_replay_opts *ret);

/* Whether paths (a) and (b) both exist and name the same file (device and inode). */
bool cli_same_file(const char *a, const char *b);

/*
 * Flush (f), which was written to as (name), and report output that did not
 * reach it (a full disk, /dev/full). Return: 0, or -errno after printing
 * "NAME: cannot write: REASON".
 */
int cli_flush(FILE *f, const char *name);

/*
 * Remove (path), open as (f), that a verb wrote only part of (or nothing
 * to): nothing half done is left behind. Only a regular file is removed,
 * never a device (/dev/full) or a pipe. Call it before fclose(f).
 */
void cli_output_discard(FILE *f, const char *path);

/* The text files the verbs read whole, each with its own size limit. */
enum cli_text_kind {
	CLI_TEXT_CONFIG,     /* a VM config: the monitor's config= (1 MiB) */
	CLI_TEXT_CONFIG_ARG, /* a VM config: vm layout, cpuid; "-" for stdin (1 MiB) */
	CLI_TEXT_TRACE,	     /* vsgx trace FILE, "-" for stdin (16 MiB) */
	CLI_TEXT_SCENARIO,   /* vsgx run FILE, "-" for stdin (16 MiB) */
	CLI_TEXT_JSONL,	     /* vsgx plot FILE: run --json's lines, "-" for stdin (256 MiB) */
	CLI_TEXT_KIND_MAX,
};

/*
 * Read the text file (path) whole, by the rules every verb shares: read to
 * its end whatever its size says (files in /proc say 0), at most the limit of
 * (kind) (exactly the limit is accepted), UTF-8 without a NUL byte (the text
 * ends up in messages and JSON), and not a directory.
 * Return: 0 with a NUL-terminated copy in *ret (free() it) and its length in
 * *ret_len; or -errno with "PATH: REASON" in (why): -EISDIR, -EFBIG over the
 * limit, -EINVAL not UTF-8 text, -ENOMEM, or what open() or read() said.
 */
int cli_text_read(const char *path, enum cli_text_kind kind, char **ret, size_t *ret_len, char *why,
		  size_t why_len);

/* How messages name the input (path): "<stdin>" for "-". */
const char *cli_input_name(const char *path);

/*
 * sgxs_load() and sigstruct_load() (<vsgx/sgxs.h>, <vsgx/sigstruct.h>) where
 * (path) "-" reads standard input.
 */
struct sgxs;
struct sgx_sigstruct;
int cli_sgxs_load(const char *path, struct sgxs **ret, char *why, size_t why_len);
int cli_sigstruct_load(const char *path, struct sgx_sigstruct *ret, char *why, size_t why_len);

/* ENCLS on a logical CPU of the host, in the form a loader_env wants (<vsgx/loader.h>). */
struct hw_regs;
int cli_encls(void *cpu, struct hw_regs *regs);

#endif /* VSGX_CLI_H */
