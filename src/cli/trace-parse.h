/* SPDX-License-Identifier: MIT */
/*
 * The trace parser's internals, shared by trace-parse.c (lines, words,
 * values, labels, the processor line, expect) and trace-ops.c (each
 * command's options and the operands it builds). Nothing else includes it.
 *
 * Every function here that can fail writes "NAME:LINE:COLUMN: message" into
 * the parser's (why) and returns -EINVAL (or the -errno of a file it could
 * not read, or -ENOMEM).
 */
#ifndef VSGX_CLI_TRACE_PARSE_H
#define VSGX_CLI_TRACE_PARSE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct trace;
struct trace_cmd;
struct trace_label;
struct trace_opts;

/* A word of a line, or a part of one (which is then not NUL-terminated). */
struct word {
	char *s;
	size_t len;
	unsigned int col;
};

/* Parser state: where we are, for messages. */
struct tp {
	struct trace *t;
	const struct trace_opts *opts;
	unsigned int line;
	unsigned int cmd_col; /* column of the command word */
	char *why;
	size_t why_len;
};

static inline bool word_is(const struct word *w, const char *s)
{
	return strlen(s) == w->len && !memcmp(w->s, s, w->len);
}

/* Bytes [from, to) of (w) as a word of their own, with their own column. */
static inline struct word word_sub(const struct word *w, size_t from, size_t to)
{
	struct word r = { w->s + from, to - from, w->col + (unsigned int)from };

	return r;
}

static inline const char *word_find(const struct word *w, char c)
{
	return memchr(w->s, c, w->len);
}

/* For messages: a word as a C string, cut at (len) - 1 bytes. */
static inline const char *word_str(const struct word *w, char *buf, size_t len)
{
	size_t n = w->len < len - 1 ? w->len : len - 1;

	memcpy(buf, w->s, n);
	buf[n] = '\0';
	return buf;
}

/* A word in a message; the buffer lives until the end of the enclosing block. */
#define WSTR(w) word_str(w, (char[96]){ 0 }, 96)

/* Report "NAME:LINE:COL: ..." and return (code). */
int tp_err_code(struct tp *tp, unsigned int col, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define tp_err(tp, col, ...) tp_err_code(tp, col, -EINVAL, __VA_ARGS__)

/* A number, decimal or 0x-hex, at most (max). */
int tp_num(struct tp *tp, const struct word *w, uint64_t max, uint64_t *ret);

/* Exactly (len) bytes as hex digits, or any whole number of bytes if (len) is 0. */
int tp_bytes(struct tp *tp, const struct word *w, size_t len, uint8_t **ret, size_t *ret_len);

/* A file name: "$VECTORS/...", absolute, or relative to the trace. Allocated. */
int tp_path(struct tp *tp, const struct word *w, char **ret);

/* perm=: r, w and x as SECINFO bits 0..2, or "none". */
int tp_perm(struct tp *tp, const struct word *w, uint64_t *ret);

/* A page type by name or number. */
int tp_type(struct tp *tp, const struct word *w, uint64_t *ret);

/*
 * An address: BASE or BASE+OFFSET, where BASE is a number, "ram" (the
 * runner's RAM), a label, or NAME@ADDR binding a label. A new bare label
 * gets the next free EPC page when (autobind). (ret_label) gets the label
 * used, even with an offset, or NULL.
 */
int tp_addr(struct tp *tp, const struct word *w, bool autobind, uint64_t *ret,
	    struct trace_label **ret_label);

/* The next EPC page no label holds, in section order. */
int tp_epc_next(struct tp *tp, unsigned int col, uint64_t *ret);

/* trace-ops.c: build (cmd) from a command word w[0] and its n - 1 arguments and options. */
int tp_command(struct tp *tp, struct trace_cmd *cmd, const struct word *w, unsigned int n);

#endif /* VSGX_CLI_TRACE_PARSE_H */
