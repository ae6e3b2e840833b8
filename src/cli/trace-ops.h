/* SPDX-License-Identifier: MIT */
/*
 * The trace commands' option machinery, shared by trace-ops.c (building and
 * launching enclaves, MSRs, CPUID) and trace-leaves.c (threads, paging,
 * SGX2, debug, memory): how a command declares its options and operand
 * structures, and the helpers that turn a line's options into them.
 */
#ifndef VSGX_CLI_TRACE_OPS_H
#define VSGX_CLI_TRACE_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "trace-int.h"
#include "trace-parse.h"

#define MAX_OPTIONS 64

/* ---------------------------------------------------------------------- */
/* Options                                                                */
/* ---------------------------------------------------------------------- */

enum opt_kind {
	OPT_FIELD, /* a number, little-endian into a structure */
	OPT_BYTES, /* hex bytes into a structure */
	OPT_ADDR,  /* an address, little-endian into a structure */
	OPT_PLACE, /* where a structure lives (and what points to it) */
	OPT_NUM,   /* a number the command's builder reads */
	OPT_SADDR, /* an address the builder reads */
	OPT_WORD,  /* a word the builder reads */
	OPT_PATH,  /* a file the builder reads */
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	int8_t blob;
	uint16_t off;
	uint16_t size;
};

struct blob_def {
	const char *name;
	uint32_t size;
	uint32_t ram_off;
};

struct opt_val {
	const struct opt_def *def; /* NULL: a raw patch NAME[OFF] */
	struct word key;
	struct word val;
	int blob;
	uint64_t off;
};

struct opt_vals {
	struct opt_val v[MAX_OPTIONS];
	unsigned int n;
};

struct op_def;
typedef int (*build_fn)(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
			const struct word *args, unsigned int nargs, const struct opt_vals *v);

struct op_def {
	const char *name;
	enum trace_op op;
	unsigned int min_args, max_args;
	const char *usage;
	const struct opt_def *const *opts; /* NULL-terminated list of NULL-terminated tables */
	const struct blob_def *blobs;
	unsigned int nr_blobs;
	build_fn build;
};

/* Where (m) lies in struct (type), and how wide it is: arch.h is the one layout. */
#define AT(type, m) offsetof(struct type, m), sizeof(((struct type *)0)->m)
#define F(name, blob, type, m)                                                                     \
	{                                                                                          \
		name, OPT_FIELD, blob, AT(type, m)                                                 \
	}
#define B(name, blob, type, m)                                                                     \
	{                                                                                          \
		name, OPT_BYTES, blob, AT(type, m)                                                 \
	}
#define S(name, kind)                                                                              \
	{                                                                                          \
		name, kind, -1, 0, 0                                                               \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, 0, 0                                                                   \
	}

static inline void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The option (name) of the line, or NULL. */
const struct opt_val *topt_find(const struct opt_vals *v, const char *name);

/* Number option (name), at most (max); (dflt) when absent. */
int topt_num(struct tp *tp, const struct opt_vals *v, const char *name, uint64_t max, uint64_t dflt,
	     uint64_t *ret);

/* Allocate the command's structures at their default places in RAM. */
int topt_blobs_init(const struct op_def *od, struct trace_cmd *cmd);

/* Move structures to where OPT_PLACE options put them. */
int topt_place(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v);

/* Named fields of structure (blob), in the order the line gives them. */
int topt_fields(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v, int blob);

/* Raw NAME[OFF]=BYTES patches, kept for the runner to apply last. */
int topt_raw(struct tp *tp, struct trace_cmd *cmd, const struct opt_vals *v);

/* SECINFO.FLAGS from type= and perm=, (dflt_pt) without type=. */
int topt_secinfo_flags(struct tp *tp, const struct opt_vals *v, unsigned int dflt_pt,
		       uint64_t *ret);

/* A line's expected RFLAGS (rflags=N), in trace_cmd.arg[4]: want_mask bit. */
#define TRACE_WANT_RFLAGS (1u << 4)

/* LEAF [rbx=X] [rcx=X] [rdx=X] [rflags=N]: the register-level commands encls, enclu, enclv. */
int topt_build_regs(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		    const struct word *args, unsigned int nargs, const struct opt_vals *v);

/* PAGE: the commands of one EPC page operand in RCX (eremove, eblock, etrack, edbgrd). */
int topt_build_rcx(struct tp *tp, const struct op_def *od, struct trace_cmd *cmd,
		   const struct word *args, unsigned int nargs, const struct opt_vals *v);

/* A SIGSTRUCT or SGXS file named by (w), read now; the SIGSTRUCT is owned by the trace. */
int topt_sig_load(struct tp *tp, const struct word *w, struct sgx_sigstruct **ret);
struct sgxs;
int topt_sgxs_read(struct tp *tp, const struct word *w, struct sgxs **ret);

/* The commands of trace-leaves.c and trace-host.c. */
extern const struct op_def trace_leaf_ops[];
extern const size_t trace_nr_leaf_ops;
extern const struct op_def trace_host_ops[];
extern const size_t trace_nr_host_ops;

#endif /* VSGX_CLI_TRACE_OPS_H */
