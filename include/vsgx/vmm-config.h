/* SPDX-License-Identifier: MIT */
/*
 * What a hypervisor is told: the host it runs on (a small text description
 * that yields a struct hw_desc) and one VM, from an xl-style config file or
 * from QEMU-style command-line options. Both front-ends produce the same
 * struct vm_config, already checked against the host: EPC sizes, NUMA nodes,
 * guest CPU features (only ever restricted from the host's), and the launch
 * control policy (Xen's lehash/lewr).
 *
 * Four kinds of config are read: xl (Xen), QEMU options (as typed, or as
 * pasted from a shell script or libvirt's generated argv), libvirt domain
 * XML, and cloud-hypervisor options.
 *
 * Parsers never print. The vm_config_read*() functions collect everything
 * they have to say in a struct vm_diags: every error of the config in one
 * pass (each a line naming the problem and how to fix it, worded as QEMU or
 * xl would), warnings about what is accepted but likely not meant, and notes
 * about options accepted but not modelled. The older vm_config_parse*()
 * functions return the first error in (why) and drop the rest.
 */
#ifndef VSGX_VMM_CONFIG_H
#define VSGX_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/processor.h"

#define VM_NAME_MAX 64
#define VM_ID_MAX   32
/* A guest has as many EPC sections as CPUID 0x12 can describe on a real part. */
#define VM_MAX_SECTIONS SGX_MAX_EPC_SECTIONS
#define VM_MAX_NODES	HW_MAX_NODES
/* Defaults of both QEMU and xl when memory/vcpus are not given. */
#define VM_DEFAULT_MEMORY (128ULL << 20)
#define VM_DEFAULT_VCPUS  1

/* Host memory policy of an EPC backend (QEMU memory-backend policy=). */
enum vm_mem_policy {
	VM_POLICY_DEFAULT,
	VM_POLICY_PREFERRED,
	VM_POLICY_BIND,
	VM_POLICY_INTERLEAVE,
	VM_POLICY_MAX,
};

struct vm_epc_section {
	char memdev[VM_ID_MAX]; /* backend id; "epc0" for an xl config */
	uint64_t size;		/* bytes, a nonzero multiple of 4 KiB */
	uint32_t node;		/* guest NUMA node (SRAT proximity domain) */
	uint64_t host_nodes;	/* bit n: host node n may back it; 0 = any */
	enum vm_mem_policy policy;
	bool prealloc; /* populate at start, so a shortage fails the start */
};

/*
 * Guest CPU features a config can switch off, by their QEMU names. A guest
 * has a feature when the host offers it (as KVM reports it) and the config
 * did not remove it; nothing can be added beyond the host.
 */
enum vm_cpu_feature {
	VM_CPU_SGX,		 /* "sgx", CPUID.(7,0):EBX[2] */
	VM_CPU_SGXLC,		 /* "sgxlc", CPUID.(7,0):ECX[30] */
	VM_CPU_SGX1,		 /* "sgx1", CPUID.(12h,0):EAX[0] */
	VM_CPU_SGX2,		 /* "sgx2", CPUID.(12h,0):EAX[1] */
	VM_CPU_SGX_EDECCSSA,	 /* "sgx-edeccssa", CPUID.(12h,0):EAX[11] */
	VM_CPU_SGX_EXINFO,	 /* "sgx-exinfo", CPUID.(12h,0):EBX[0] */
	VM_CPU_SGX_DEBUG,	 /* "sgx-debug", CPUID.(12h,1):EAX[1] */
	VM_CPU_SGX_MODE64,	 /* "sgx-mode64", CPUID.(12h,1):EAX[2] */
	VM_CPU_SGX_PROVISIONKEY, /* "sgx-provisionkey", CPUID.(12h,1):EAX[4] */
	VM_CPU_SGX_TOKENKEY,	 /* "sgx-tokenkey", CPUID.(12h,1):EAX[5] */
	VM_CPU_SGX_KSS,		 /* "sgx-kss", CPUID.(12h,1):EAX[7] */
	VM_CPU_SGX_AEXNOTIFY,	 /* "sgx-aex-notify", CPUID.(12h,1):EAX[10] */
	VM_CPU_FEATURE_MAX,
};

#define VM_CPU(f) (1u << (f))

/* How a VM's EPC is handed to it (xl's epc_policy): the three ways of Xen's SGX design. */
enum vm_epc_policy {
	VM_EPC_STATIC,	/* the VM keeps its EPC for its whole life: static partitioning */
	VM_EPC_BALLOON, /* its guest's balloon driver gives EPC back and takes it again */
	/*
	 * The VMM evicts the VM's EPC pages behind its guest's back and reloads
	 * them on the guest's next access, with the EPC Oversubscription
	 * Extensions or by trapping ENCLS (epc_oversub; docs/POLICIES.md).
	 */
	VM_EPC_OVERSUBSCRIBE,
	VM_EPC_POLICY_MAX,
};

/*
 * How an oversubscribed VM's pages are evicted (xl's epc_oversub, QEMU's
 * memory-backend-epc oversubscribe=): with the EPC Oversubscription
 * Extensions, or by trapping the guest's ENCLS and tracking its enclaves
 * (Xen's design; SGX1/SGX2 leaves only, any SGX host).
 */
enum vm_epc_oversub {
	VM_OVERSUB_EXTENSIONS, /* "extensions": ENCLV, ERDINFO, ETRACKC, ELDUC */
	VM_OVERSUB_TRAP,       /* "trap": the VMM traps every ENCLS */
	VM_OVERSUB_MODE_MAX,
};

/*
 * An oversubscribed VM's EPC may be at most this many times the host EPC it
 * may hold (epc_max): the VMM's RAM for evicted pages is bounded by it.
 */
#define VM_OVERSUB_RATIO_MAX 8

struct vm_config {
	char name[VM_NAME_MAX]; /* "" when none was given (QEMU) */
	uint64_t memory;	/* guest RAM, bytes */
	unsigned int vcpus;
	unsigned int nr_nodes; /* guest NUMA nodes; 1 without any */
	unsigned int nr_sections;
	struct vm_epc_section sections[VM_MAX_SECTIONS];
	/*
	 * VM_CPU() bits the guest has: the host's, minus what the config
	 * removed. No EPC section means no SGX at all.
	 */
	uint32_t features;
	/* QEMU without -cpu: its default model, which has no SGX. */
	bool default_cpu;
	/* PROVISIONKEY may be set in guest enclaves (KVM_CAP_SGX_ATTRIBUTE). */
	bool provision;
	/* IA32_SGXLEPUBKEYHASH0..3 after reset: Xen's lehash, else Intel's. */
	uint64_t lehash[4];
	/* The guest may write the LE hash MSRs (Xen's lewr; always for QEMU). */
	bool lewr;
	enum vm_epc_policy epc_policy;
	/*
	 * VM_EPC_BALLOON: bytes of EPC the VM starts with (xl's epc when an
	 * epc_max is larger); the rest of its sections starts ballooned out.
	 * 0: all of it.
	 */
	uint64_t epc_start;
	/*
	 * VM_EPC_OVERSUBSCRIBE: bytes of host EPC the VM may hold at once (xl's
	 * epc_max, the sum of QEMU's max-resident); the VMM evicts its pages
	 * beyond that. 0: all of its EPC.
	 */
	uint64_t epc_host_max;
	/*
	 * The EPC owner (host_owner_find()) the VM's own owner is made under
	 * (xl's epc_owner); "": the host's root owner.
	 */
	char epc_owner[VM_NAME_MAX];
	enum vm_epc_oversub epc_oversub; /* VM_EPC_OVERSUBSCRIBE: how */
};

enum vm_diag_kind {
	VM_DIAG_NOTE,	 /* accepted, not modelled: it changes nothing vsgx models */
	VM_DIAG_WARNING, /* accepted, but probably not what was meant */
	VM_DIAG_ERROR,	 /* refused */
	VM_DIAG_KIND_MAX,
};

#define VM_DIAG_MAX 48
#define VM_DIAG_LEN 400

struct vm_diag {
	enum vm_diag_kind kind;
	char text[VM_DIAG_LEN];
};

/*
 * What reading a config had to say. Set (strict) before reading to refuse
 * what would otherwise be a note or a warning (both become errors, so the
 * config is refused). Items past VM_DIAG_MAX are counted, not kept.
 */
struct vm_diags {
	bool strict;
	unsigned int nr; /* items kept */
	unsigned int count[VM_DIAG_KIND_MAX];
	struct vm_diag items[VM_DIAG_MAX];
};

/* Start an empty list; (strict) as above. */
void vm_diags_init(struct vm_diags *d, bool strict);
/* Add a line; a note or warning becomes an error when (d) is strict. */
void vm_diag_add(struct vm_diags *d, enum vm_diag_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first error's text, or "" when there is none. */
const char *vm_diags_first_error(const struct vm_diags *d);
/* "note", "warning" or "error". */
const char *vm_diag_kind_name(enum vm_diag_kind kind);

/*
 * The default host: EPC 2 x 128 MiB on NUMA nodes 0 and 1 (at 2 GiB and
 * 6 GiB), 4 CPUs, SGX2, flexible launch control with the LE hash MSRs
 * left unlocked (FEATURE_CONTROL = LOCK | SGX_ENABLE | SGX_LC); everything
 * else as hw_desc_init_default().
 */
void vm_host_default(struct hw_desc *ret);

/*
 * Parse a host description: whitespace-separated words, an optional leading
 * "host", '#' comments to the end of a line:
 *   epc=SIZE[@NODE]  (repeatable; the first one replaces the default sections)
 *   cpus=N  sgx2=0|1  flc=0|1  oversub=0|1  lehash-locked=0|1
 * Section n is placed at 2 GiB + n * 4 GiB, like EPC carved per socket.
 * Return: 0 with (ret) filled and accepted by hw_desc_check(), or -EINVAL.
 */
int vm_host_parse(const char *text, struct hw_desc *ret, char *why, size_t why_len);

/*
 * Parse an xl-style config (name, type, memory, vcpus, epc = MiB, and
 * sgx = "epc=MiB,lehash=HEX,lewr=0|1,provision=0|1") for a VM on (host),
 * in xl.cfg(5)'s syntax. EPC needs type = "hvm": xl's default type is pv.
 * Return: 0, or -EINVAL with "line N: ..." in (why).
 */
int vm_config_parse_xl(struct hw_processor *host, const char *text, struct vm_config *ret,
		       char *why, size_t why_len);

/*
 * Parse QEMU-style options (-name, -m, -smp, -numa node, -object
 * memory-backend-epc, -M/-machine sgx-epc.N.*, -cpu host|max,[+-]feature,
 * -enable-kvm, -accel) for a VM on (host). argv[0] is the first option.
 * Return: 0, or -EINVAL.
 */
int vm_config_parse_qemu(struct hw_processor *host, int argc, char *const *argv,
			 struct vm_config *ret, char *why, size_t why_len);

/*
 * Parse a config file's text: QEMU options when its first word (after
 * '#' comment lines) starts with '-', split on spaces and newlines; an xl
 * config otherwise. Return: 0, -EINVAL, or -ENOMEM.
 */
int vm_config_parse(struct hw_processor *host, const char *text, struct vm_config *ret, char *why,
		    size_t why_len);

/*
 * Read a config of any kind, told apart by its first word: '<' starts
 * libvirt domain XML; a cloud-hypervisor word or a first option
 * cloud-hypervisor has and QEMU has not (--cpus, --memory, --sgx-epc) starts
 * cloud-hypervisor options; a '-' word or a qemu-system-* command (after
 * any NAME=VALUE environment words) starts QEMU options; anything else is
 * an xl config. Everything said goes to (d).
 * Return: 0 (perhaps with notes and warnings), -EINVAL (d has the errors),
 * or -ENOMEM.
 */
int vm_config_read(struct hw_processor *host, const char *text, struct vm_config *ret,
		   struct vm_diags *d);
/* Each kind on its own, as above. */
int vm_config_read_xl(struct hw_processor *host, const char *text, struct vm_config *ret,
		      struct vm_diags *d);
int vm_config_read_qemu(struct hw_processor *host, int argc, char *const *argv,
			struct vm_config *ret, struct vm_diags *d);
int vm_config_read_libvirt(struct hw_processor *host, const char *text, struct vm_config *ret,
			   struct vm_diags *d);
int vm_config_read_chv(struct hw_processor *host, int argc, char *const *argv,
		       struct vm_config *ret, struct vm_diags *d);

/*
 * Split (text) on whitespace into a NULL-terminated argv as a shell would:
 * quotes ('...' or "...") keep blanks inside a word and are dropped, and a
 * '#' that starts a word comments out the rest of its line, a backslash
 * before a newline joins the lines, and one before any other character
 * (outside single quotes) keeps that character as it is. Free with
 * vm_args_free(). Return: 0, -EINVAL (a quote is not closed), -ENOMEM.
 */
int vm_args_split(const char *text, int *ret_argc, char ***ret_argv);
void vm_args_free(char **argv);

/* Sum of the sizes of (vm)'s EPC sections. */
uint64_t vm_config_epc_size(const struct vm_config *vm);

/* The QEMU name of a feature, or NULL. */
const char *vm_cpu_feature_name(enum vm_cpu_feature f);
/* "static" or "balloon". */
const char *vm_epc_policy_name(enum vm_epc_policy p);
/* "extensions", "trap" */
const char *vm_epc_oversub_name(enum vm_epc_oversub m);
/* The name of a host memory policy ("default", "bind", ...). */
const char *vm_mem_policy_name(enum vm_mem_policy p);

#endif /* VSGX_VMM_CONFIG_H */
