/* SPDX-License-Identifier: MIT */
/*
 * Internals of the trace library, shared by trace.c (loading, names,
 * outcomes), trace-parse.c and trace-ops.c (the parser) and trace-run.c.
 *
 * The parser does all the work it can: it binds labels to EPC pages, builds
 * every operand structure a leaf reads (PAGEINFO, SECINFO, source pages,
 * SIGSTRUCT, EINITTOKEN) with its final bytes and address, and resolves every
 * register. The runner then only copies those bytes into its RAM, issues the
 * leaf and compares. The one thing left for run time is the MAC of a minted
 * EINITTOKEN, since it depends on the issuing CPU's IA32_SGXLEPUBKEYHASH at
 * that moment.
 */
#ifndef VSGX_CLI_TRACE_INT_H
#define VSGX_CLI_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"
#include "vsgx/arch.h"
#include "vsgx/processor.h"

struct sgxs;

enum trace_op {
	TOP_ECREATE,
	TOP_EADD,
	TOP_EEXTEND,
	TOP_EINIT,
	TOP_EREMOVE,
	TOP_EPA,
	TOP_ENCLS,
	TOP_SGXS,
	TOP_RDMSR,
	TOP_WRMSR,
	TOP_CPUID,
	TOP_EVENT,
	TOP_CONTROL,
	TOP_ENTER,
	TOP_EXIT,
	TOP_RESET,
	TOP_EXPECT,
	/* trace-leaves.c */
	TOP_MAP,
	TOP_UNMAP,
	TOP_POKE,
	TOP_PEEK,
	TOP_STORE,
	TOP_LOAD,
	TOP_ENCLU,
	TOP_EBLOCK,
	TOP_ETRACK,
	TOP_EWB,
	TOP_ELDB,
	TOP_ELDU,
	TOP_EAUG,
	TOP_EMODPR,
	TOP_EMODT,
	TOP_EDBGRD,
	TOP_EDBGWR,
	TOP_EENTER,
	TOP_ERESUME,
	TOP_EEXIT,
	TOP_AEX,
	TOP_EACCEPT,
	TOP_EACCEPTCOPY,
	TOP_EMODPE,
	/* trace-leaves.c: the oversubscription extensions and their staging */
	TOP_VMX,
	TOP_ENCLV,
	TOP_ERDINFO,
	TOP_ETRACKC,
	TOP_ELDBC,
	TOP_ELDUC,
	TOP_EINCVIRTCHILD,
	TOP_EDECVIRTCHILD,
	TOP_ESETCONTEXT,
	TOP_HOLD,
	TOP_RELEASE,
	TOP_POISON,
	/* trace-host.c */
	TOP_HOST_START,
	TOP_HOST_STOP,
	TOP_HOST_STATS,
	TOP_HOST_ALLOC,
	TOP_HOST_RECLAIM,
	TOP_VEPC_OPEN,
	TOP_VEPC_FAULT,
	TOP_VEPC_REMOVE_ALL,
	TOP_VEPC_RELEASE,
	TOP_VEPC_STATS,
	TOP_VEPC_IOCTL,
	TOP_ENCL_LOAD,
	TOP_ENCL_FAULT,
	TOP_ENCL_DESTROY,
	TOP_ENCL_STATS,
	TOP_MAX,
};

/* What a command ended with, or what a trace expects it to end with. */
enum trace_outcome_kind {
	TRACE_CODE,  /* completed: SGX_SUCCESS or an SGX return code */
	TRACE_FAULT, /* faulted: (value) is the vector */
	TRACE_ERRNO, /* a model call that is not an instruction refused: -errno */
};

struct trace_outcome {
	enum trace_outcome_kind kind;
	int value;
	bool has_addr; /* #PF: expectation names the address; results always have it */
	uint64_t addr;
};

/* Bytes patched into an operand after it is built (and after any MAC). */
struct trace_patch {
	uint32_t off;
	uint32_t len;
	uint8_t *bytes;
};

/* An operand structure the runner writes into its RAM before the leaf. */
struct trace_blob {
	uint64_t la;
	uint32_t len;
	uint8_t *bytes;
	bool mint; /* an EINITTOKEN to MAC with the issuing CPU's launch key */
	struct trace_patch *raw;
	unsigned int nr_raw;
};

#define TRACE_MAX_BLOBS 3

enum trace_reg {
	TREG_RAX,
	TREG_RBX,
	TREG_RCX,
	TREG_RDX,
	TREG_MAX,
};

enum trace_subject {
	TSUB_EPCM,
	TSUB_ENCLAVE,
	TSUB_MSR,
	TSUB_CPUID,
};

/* One field an expect command compares, as canonical text. */
struct trace_check {
	unsigned int field; /* index into the subject's field table */
	char *want;
};

/* An SGXS enclave build: the stream, its SECS and its EPC pages. */
struct trace_sgxs {
	struct sgxs *sgxs;
	struct sgx_secs secs;
	uint64_t *pages; /* SECS first, then one per EADD */
	size_t nr_pages;
};

struct trace_cmd {
	unsigned int line;
	unsigned int cpu;
	enum trace_op op;
	char *text; /* as printed: the words before '=>' */
	uint64_t reg[TREG_MAX];
	uint64_t count; /* eextend: chunks; event: on/off; cpuid: subleaf */
	struct trace_blob blob[TRACE_MAX_BLOBS];
	unsigned int nr_blobs;
	struct trace_sgxs *sgxs;
	const struct sgx_sigstruct *sig; /* encl load: owned by the trace */
	/* poke, store: the bytes; peek, load: the bytes expected (NULL: none). */
	uint8_t *data;
	size_t data_len;
	/*
	 * Values read at run time (1-based indexes into trace.vars; 0: none):
	 * peek and load save= what they read; want=@NAME / differ=@NAME compare
	 * with it, and poke and store @NAME write it.
	 */
	unsigned int save_var, use_var;
	bool use_differ;
	/*
	 * aex: vector, error code, address, interrupt, RIP, RFLAGS. vmx: the
	 * EPC virtualization control. erdinfo: expected STATUS, FLAGS,
	 * ENCLAVECONTEXT. encls, enclu, enclv, erdinfo: expected RFLAGS in
	 * arg[4]. Which expectations a line gives: (want_mask) bits 0..4.
	 */
	uint64_t arg[6];
	unsigned int want_mask;
	enum trace_subject subject;
	struct trace_check *checks;
	unsigned int nr_checks;
	bool has_want;
	struct trace_outcome want;
};

struct trace_label {
	char *name;
	uint64_t pa;
	unsigned int line;
	bool explicit_pa;
	/* The SECS image of the last ecreate/sgxs on this page, for minted tokens. */
	bool has_secs;
	struct sgx_attributes attributes;
	/* The SIGSTRUCT of the last 'sgxs ... sig=' on this page: einit's default. */
	const struct sgx_sigstruct *sig;
};

struct trace {
	char *name;
	char *basedir;
	char *buf; /* the text, split in place into words */
	struct hw_desc desc;
	bool have_processor;
	struct trace_label *labels;
	size_t nr_labels, cap_labels;
	struct trace_cmd *cmds;
	size_t nr_cmds, cap_cmds;
	/* SIGSTRUCTs read from files, owned here so labels can point at them. */
	struct sgx_sigstruct **sigs;
	size_t nr_sigs, cap_sigs;
	/* Host-layer objects (vEPC instances, host enclaves) by name; see trace-host.c. */
	char **objs;
	size_t nr_objs, cap_objs;
	/* Names of the values peek/load save= at run time, in order of declaration. */
	char **vars;
	size_t nr_vars, cap_vars;
	/* The next EPC page to hand to an unbound label: section and offset. */
	unsigned int alloc_sec;
	uint64_t alloc_off;
};

/* Grow (*v), an array of (size)-byte items holding (n), to hold n + 1. */
int trace_grow(void **v, size_t *cap, size_t n, size_t size);

/* Outcome names: "ok", "SGX_CHILD_PRESENT", "#GP", "#PF(0x1000)", "EBUSY". */
void trace_outcome_format(const struct trace_outcome *o, char *buf, size_t len);
bool trace_outcome_matches(const struct trace_outcome *want, const struct trace_outcome *got);
/* SGX code, fault or errno outcome by name, without any #PF address. -EINVAL if unknown. */
int trace_outcome_lookup(const char *name, size_t len, struct trace_outcome *ret);

/* EPCM or SECINFO permissions as text: "rwx", "rx", ..., or "none". */
#define TRACE_PERM_LEN 5
void trace_perm_format(bool r, bool w, bool x, char buf[TRACE_PERM_LEN]);

/* Page types by name ("secs", "tcs", "reg", ...); NULL or -1 when unknown. */
const char *trace_pt_name(unsigned int pt);
int trace_pt_lookup(const char *name, size_t len);

/* Fields an expect command can check, per subject. */
enum trace_field_kind {
	TFK_BOOL,  /* 0 or 1 */
	TFK_COUNT, /* decimal */
	TFK_HEX,   /* 0x-hex number */
	TFK_ADDR,  /* address: number, label or label+offset; printed as hex */
	TFK_PT,	   /* page type name */
	TFK_PERM,  /* r, w, x letters or "none" */
	TFK_HASH,  /* 32 bytes as 64 hex digits */
};

struct trace_field {
	const char *name;
	enum trace_field_kind kind;
};

/* Field indexes, per subject: trace_check.field and the tables in trace.c. */
enum trace_epcm_field {
	TF_EPCM_VALID,
	TF_EPCM_PT,
	TF_EPCM_PERM,
	TF_EPCM_R,
	TF_EPCM_W,
	TF_EPCM_X,
	TF_EPCM_BLOCKED,
	TF_EPCM_PENDING,
	TF_EPCM_MODIFIED,
	TF_EPCM_PR,
	TF_EPCM_LINADDR,
	TF_EPCM_SECS,
	TF_EPCM_MAX,
};

enum trace_enclave_field {
	TF_ENCL_INITIALIZED,
	TF_ENCL_CHILDREN,
	TF_ENCL_THREADS,
	TF_ENCL_EID,
	TF_ENCL_BLOCKS,
	TF_ENCL_ATTRIBUTES,
	TF_ENCL_XFRM,
	TF_ENCL_MRENCLAVE,
	TF_ENCL_MRSIGNER,
	TF_ENCL_ISVPRODID,
	TF_ENCL_ISVSVN,
	TF_ENCL_VIRTCHILDREN,
	TF_ENCL_CONTEXT,
	TF_ENCL_MAX,
};

const struct trace_field *trace_subject_fields(enum trace_subject s, unsigned int *ret_nr);

void trace_free_cmd(struct trace_cmd *cmd);

/*
 * The runner's host driver (trace-host.c): created by 'host start', with the
 * vEPC instances and host enclaves a trace names. Each vEPC instance is
 * mapped at a linear window of its own, which trace_host_xlate() resolves
 * (faulting pages in): 0, -EFAULT when the fault fails, 1 outside every
 * window.
 */
struct trace_host_state;
struct hw_xlate;
int trace_host_exec(struct trace_host_state **hs, struct trace *t, struct hw_processor *p,
		    struct hw_cpu *cpu, const struct trace_cmd *cmd, struct trace_outcome *out,
		    char *detail, size_t detail_len, char *mismatch, size_t mismatch_len);
int trace_host_xlate(struct trace_host_state *hs, uint64_t la, struct hw_xlate *ret);

/*
 * A memory error at EPC physical address (pa), reported to the trace's host
 * driver as a patrol scrub would (host_memory_failure()), when 'host start'
 * made one. Return: 0 (also without a host), or the driver's -errno.
 */
int trace_host_memory_failure(struct trace_host_state *hs, uint64_t pa);
void trace_host_free(struct trace_host_state *hs, struct hw_cpu *cpu);

#endif /* VSGX_CLI_TRACE_INT_H */
