/* SPDX-License-Identifier: MIT */
/*
 * The host SGX driver: what Linux's arch/x86/kernel/cpu/sgx/ does for a real
 * machine, over the modelled processor.
 *
 *   - EPC discovery from CPUID leaf 0x12, one free list per NUMA node, boot
 *     sanitization of pages a previous run left in use;
 *   - virtual EPC instances (/dev/sgx_vepc): lazy allocation on fault,
 *     remove-all (SGX_IOC_VEPC_REMOVE_ALL) for a guest reset that keeps its
 *     EPC, release with a global list of zombie SECS pages;
 *   - host enclaves (/dev/sgx_enclave): create, add pages, init, page faults
 *     that reload evicted pages, and a reclaimer (EBLOCK/ETRACK/EWB, ELDU);
 *   - EPC limits per owner (a host enclave group or a VM).
 *
 * Results are 0, a count, or -errno; never an SGX code (rule 2 of the
 * design): a leaf's SGX code or fault is converted here, and where a caller
 * may want it, it is also returned through an optional pointer.
 *
 * Every call that issues ENCLS leaves takes the logical CPU it runs on, as
 * a kernel path runs on the CPU of the calling thread: (cpu) must be outside
 * enclave mode and is switched to the host address space (EPC physical
 * addresses identity-mapped, other addresses host pointers). Two threads
 * never share a CPU. Every object may be used from many threads at once
 * unless its function says otherwise.
 */
#ifndef VSGX_HOST_H
#define VSGX_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"

struct host;
struct host_owner;
struct host_vepc;
struct host_encl;

/*
 * Host memory per EPC page, in bytes, at most: a VM's vEPC table entry for
 * a page it holds, or the free stack's entry for a page given back. A page
 * nobody has had since boot costs nothing (docs/ARCHITECTURE.md).
 */
#define HOST_EPC_PAGE_BYTES 4

/* Reclaimer watermarks, in free pages (Linux's SGX_NR_LOW/HIGH_PAGES). */
#define HOST_LOW_PAGES_DEFAULT	32
#define HOST_HIGH_PAGES_DEFAULT 64
/* Pages EWB'd per reclaimer batch, so one ETRACK serves many pages. */
#define HOST_RECLAIM_BATCH 16

/*
 * Start the driver on (p): find the EPC sections through CPUID leaf 0x12,
 * bind each to its NUMA node (from the part's description, as Linux asks
 * ACPI), and sanitize every page on (cpu) before any is handed out: EREMOVE
 * all pages, then once more those that failed with SGX_CHILD_PRESENT (SECS
 * pages whose children came later). A page that still fails, or failed with
 * anything else, is never handed out and counts as bad.
 * Return: 0; -ENODEV when CPUID reports no SGX1 or no EPC; -ENOMEM.
 */
int host_create(struct hw_processor *p, struct hw_cpu *cpu, struct host **ret);

/*
 * Stop the driver. Every instance, enclave and owner must be gone already.
 * Pages are not EREMOVEd: a later host_create() on the same processor finds
 * them as a warm restart does. Accepts NULL.
 */
void host_destroy(struct host *h);

struct hw_processor *host_processor(const struct host *h);

/* EPC page counts; free + used + zombie + bad == total at every instant. */
struct host_epc_stats {
	uint64_t total;
	uint64_t free;
	uint64_t used;	 /* held by an instance, an enclave or a VA page */
	uint64_t zombie; /* released, waiting for children elsewhere to go */
	uint64_t bad;	 /* EREMOVE failed at boot, or poisoned: never handed out again */
};

/* NUMA nodes that have EPC, and the highest such node + 1. */
unsigned int host_nr_nodes(const struct host *h);
/* Counts for node (node) (all zero for a node without EPC), or for all nodes. */
int host_node_stats(struct host *h, unsigned int node, struct host_epc_stats *ret);
void host_stats(struct host *h, struct host_epc_stats *ret);
/* Bytes of EPC on (node): Linux's nodeN/x86/sgx_total_bytes. */
uint64_t host_node_total_bytes(struct host *h, unsigned int node);

/* What boot sanitization found. */
struct host_sanitize_stats {
	uint64_t second_pass; /* pages that failed the first pass with SGX_CHILD_PRESENT */
	uint64_t bad;	      /* pages left out for good */
};
void host_sanitize_stats(const struct host *h, struct host_sanitize_stats *ret);

/*
 * Linux's arch_memory_failure(): the machine-check code reports an
 * uncorrectable error in the EPC page at (pa). The first report marks the
 * page poisoned on its node (a few bytes per poisoned page, nothing per
 * other page); a free page leaves the free pages at once and is counted bad;
 * a page in use (an enclave's, a vEPC instance's, a zombie) stays where it
 * is and goes to bad instead of free when it is given back. Later reports
 * of the same page change nothing. (flags) HOST_MF_ACTION_REQUIRED says the
 * caller consumed the poison (a leaf or an access of its own raised #MC):
 * it then gets -EHWPOISON, the model's SIGBUS (BUS_MCEERR_AR), after the
 * page was recorded.
 * Return: 0, -EHWPOISON as above, -ENXIO when (pa) is not EPC (not an SGX
 * page: memory_failure() goes on with its other handlers), -ENOMEM.
 */
#define HOST_MF_ACTION_REQUIRED 1u
int host_memory_failure(struct host *h, uint64_t pa, unsigned int flags);

/* Whether the host was told that the page at (pa) is poisoned. */
bool host_page_poisoned(struct host *h, uint64_t pa);

/* Reclaimer watermarks in free pages; low <= high. Return: 0, -EINVAL. */
int host_set_watermarks(struct host *h, uint64_t low, uint64_t high);

/*
 * Raw EPC pages, for callers that manage EPC themselves (and for tests of
 * competition for EPC): a page from (node) first, then the other nodes.
 * host_page_alloc returns the page's physical address in *ret_pa.
 * Return: 0, -ENOMEM when no node has a free page.
 * host_page_free: the caller has made the page invalid (EREMOVE); -EINVAL
 * for an address that is not a used EPC page.
 */
int host_page_alloc(struct host *h, unsigned int node, uint64_t *ret_pa);
int host_page_free(struct host *h, uint64_t pa);

/*
 * Zombies: SECS pages of released vEPC instances whose children still lived
 * in another instance. Retried at every release, or here. Return: the
 * number of zombies left.
 */
uint64_t host_zombie_retry(struct host *h, struct hw_cpu *cpu);

/* ------------------------------------------------------------------ */
/* EPC owners and limits (the EPC cgroup Linux never merged).          */

/*
 * Owners form a tree under the host's root owner, with the semantics of the
 * misc cgroup's proposed sgx_epc resource: each has a max (pages, default
 * unlimited), a current (pages charged to it and its descendants) and
 * events (charges that found this owner at its max). A page is charged to
 * its owner and every ancestor, and only when each of them stays within its
 * max; at a max, a host enclave's allocation reclaims host-enclave pages in
 * the subtree of the owner at its max first, then asks the VMs in that
 * subtree that can evict (host_owner_set_evict()), and fails otherwise
 * (with no free page at all, the whole host's pay the same way); a vEPC
 * fault at a max fails (-EAGAIN while host-enclave pages in that subtree
 * can be reclaimed: host_vepc_reclaim()). A charge costs one
 * compare-and-swap per level of the tree, no lock.
 */
enum host_owner_kind {
	HOST_OWNER_ENCLAVES, /* host enclaves and child owners */
	HOST_OWNER_VM,	     /* a VM's vEPC: a leaf of the tree */
};

/* What the owner's last resort is when a charge finds it at its max. */
enum host_owner_on_max {
	HOST_ON_MAX_REFUSE, /* the allocation or fault fails */
	HOST_ON_MAX_STOP,   /* the VM whose fault it was is stopped (host enclaves: refuse) */
};

#define HOST_NO_LIMIT	    UINT64_MAX
#define HOST_OWNER_NAME_MAX 80

struct host_owner_info {
	enum host_owner_kind kind;
	enum host_owner_on_max on_max;
	char name[HOST_OWNER_NAME_MAX];	  /* "root" for the root, "" for an unnamed owner */
	char parent[HOST_OWNER_NAME_MAX]; /* "" for the root */
	unsigned int depth;		  /* 0 for the root */
	uint64_t limit;			  /* max: pages, HOST_NO_LIMIT for none */
	uint64_t usage;			  /* current: pages charged in the subtree */
	uint64_t limit_hits;		  /* events: charges that found this owner at its max */
	uint64_t reclaimable;		  /* pages on the owner's own LRU (host enclaves) */
	uint64_t members;		  /* child owners and host enclaves */
};

/* An unnamed owner under the root, refusing at its limit. */
int host_owner_create(struct host *h, enum host_owner_kind kind, uint64_t limit,
		      struct host_owner **ret);
/*
 * An owner named (name) (unique; "" for unnamed) under (parent) (NULL: the
 * root), which must be an HOST_OWNER_ENCLAVES owner.
 * Return: 0; -EINVAL (kind, name too long, a VM owner as parent); -EEXIST
 * (the name is taken); -ENOMEM.
 */
int host_owner_create_in(struct host *h, struct host_owner *parent, const char *name,
			 enum host_owner_kind kind, uint64_t max, enum host_owner_on_max on_max,
			 struct host_owner **ret);
/*
 * The owner must have no pages charged and no members (child owners, host
 * enclaves) left: -EBUSY otherwise, nothing changed. -EPERM for the root.
 * Accepts NULL.
 */
int host_owner_destroy(struct host_owner *o);
/* The root owner, and an owner by name (NULL when none has it). */
struct host_owner *host_owner_root(struct host *h);
struct host_owner *host_owner_find(struct host *h, const char *name);
/*
 * The VMM's unchecked setting (a balloon's reservation, an oversubscribed
 * VM's host share): a limit below the usage takes effect on the next charge.
 */
void host_owner_set_limit(struct host_owner *o, uint64_t limit);
/*
 * An operator's setting: -EBUSY, nothing changed, when (max) is below what
 * the owner holds now (reclaim first, or choose a larger max).
 */
int host_owner_set_max(struct host_owner *o, uint64_t max);
void host_owner_set_on_max(struct host_owner *o, enum host_owner_on_max on_max);
void host_owner_query(struct host_owner *o, struct host_owner_info *ret);
/* The nearest owner from (o) up to the root that is at its max now, or NULL. */
struct host_owner *host_owner_at_max(struct host_owner *o);
/*
 * Every owner, the root first and each owner's children after it in the
 * order they were made; (fn) must not call back into the host. Return: the
 * number of owners.
 */
unsigned int host_owner_foreach(struct host *h,
				void (*fn)(void *opaque, const struct host_owner_info *info),
				void *opaque);
/*
 * How a VM owner gives pages back when a host enclave's allocation finds an
 * ancestor at its max: (fn) evicts up to (nr) of the VM's pages and returns
 * how many it evicted (a VMM that oversubscribes the VM). (fn) NULL: none.
 * Hooks are called with no host lock held but the hooks' own, which this
 * call takes too: after it returns the old hook is no longer running.
 */
void host_owner_set_evict(struct host_owner *o, uint64_t (*fn)(void *opaque, uint64_t nr),
			  void *opaque);
/*
 * Ask the VM owners in (top)'s subtree that have a hook to evict up to (nr)
 * pages, as a host reclaimer would: at an owner's max (for that owner's
 * subtree) and when the host has no free EPC page (for the root's). The
 * caller must hold no lock a hook takes: no VM's EPT lock, so never from
 * inside a guest leaf. Return: the pages evicted.
 */
uint64_t host_owner_evict_vms(struct host_owner *top, uint64_t nr);

/* ------------------------------------------------------------------ */
/* Virtual EPC: /dev/sgx_vepc.                                         */

/*
 * open: an instance allocating from (node) first, charged to (owner) (a VM,
 * or NULL for no limit). Return: 0, -EINVAL (bad node or an enclave-group
 * owner), -ENOMEM.
 */
int host_vepc_open(struct host *h, unsigned int node, struct host_owner *owner,
		   struct host_vepc **ret);

/* mmap: give the instance a range of (nr_pages) pages, once. 0, -EINVAL, -EBUSY, -ENOMEM. */
int host_vepc_map(struct host_vepc *v, uint64_t nr_pages);

/*
 * A fault on page (index): allocate its EPC page on first touch. Guest EPC
 * is never reclaimed, so with no free page the fault fails.
 * Return: 0 with the page's physical address in *ret_pa; -EINVAL outside the
 * mapping; -ENODATA when the VMM holds the page (host_vepc_unmap()); -ENOMEM when the EPC is
 * exhausted or the owner or an ancestor is at its max (counted in that owner's events); -EAGAIN
 * when no page is free, or an owner is at its max, but host enclaves (in that owner's subtree)
 * hold pages the reclaimer can write back: run host_vepc_reclaim() and retry (a vEPC fault never
 * reclaims by itself, as Linux's never does).
 */
int host_vepc_fault(struct host_vepc *v, uint64_t index, uint64_t *ret_pa);

/*
 * After host_vepc_fault() answered -EAGAIN: run the reclaimer on (cpu) where
 * it makes room for the instance's next fault: in the subtree of the owner
 * at its max when there is one (its own host-enclave pages), else anywhere.
 * Return: pages written back.
 */
uint64_t host_vepc_reclaim(struct host_vepc *v, struct hw_cpu *cpu);

/*
 * Translation of a byte at (offset) into the mapping, for a caller's
 * hw_addr_space (as an EPT-violation handler would): faults the page in.
 * Return: 0, or -EFAULT when the fault fails (the leaf then raises #PF).
 */
int host_vepc_xlate(struct host_vepc *v, uint64_t offset, struct hw_xlate *ret);

/*
 * The page of the mapping backed by the EPC page at (pa): what a VMM needs
 * to turn a machine check's physical address (host_memory_failure()'s
 * SIGBUS) into its guest's address, as Linux hands QEMU the faulting
 * virtual address. A scan of the frames touched, for the rare machine check.
 * Return: 0 with the page's index in *ret_index, -ENOENT when not mapped here.
 */
int host_vepc_find(struct host_vepc *v, uint64_t pa, uint64_t *ret_index);

/*
 * SGX_IOC_VEPC_REMOVE_ALL: EREMOVE every page of the instance in page order,
 * keeping every page allocated and mapped, so nobody can take the EPC
 * between a guest's reset and its reuse. As in Linux there is no retry
 * within the call: a SECS whose children come after it (in this instance
 * or another) fails with SGX_CHILD_PRESENT and is counted.
 * Protocol: call it on every instance of a VM, then again on those that
 * returned nonzero; a nonzero second result is a bug.
 * Return: the number of SECS pages left with SGX_CHILD_PRESENT; -EBUSY at
 * the first other failure (a thread inside an enclave: SGX_ENCLAVE_ACT; an
 * EREMOVE racing on the same page: #GP), with the leaf's result in
 * *ret_code when (ret_code) is not NULL.
 */
int64_t host_vepc_remove_all(struct host_vepc *v, struct hw_cpu *cpu, int *ret_code);

/* The ioctl the vEPC file takes: _IO(0xa4, 0x04). */
#define SGX_IOC_VEPC_REMOVE_ALL 0xa404u

/*
 * ioctl on the vEPC file, as Linux's sgx_vepc_ioctl(): SGX_IOC_VEPC_REMOVE_ALL
 * takes no argument (-EINVAL for a nonzero one) and is host_vepc_remove_all();
 * any other command is -ENOTTY.
 */
int64_t host_vepc_ioctl(struct host_vepc *v, struct hw_cpu *cpu, unsigned int cmd,
			unsigned long arg, int *ret_code);

/*
 * mmap of the vEPC file: only a shared mapping (a private one, whose pages
 * would be copied on write, is -EINVAL, as in Linux); then host_vepc_map().
 */
int host_vepc_mmap(struct host_vepc *v, uint64_t nr_pages, bool shared);

/*
 * Give page (index) back to the host, as a balloon's decrease_reservation
 * needs: EREMOVE it (remove-all's semantics for one page) and free its EPC
 * page to its node, uncharging the owner; the next touch faults a fresh page
 * in. The caller has unmapped the page from every vCPU first (an EPT entry
 * zapped and flushed): the lock-free path of host_vepc_fault() may not run
 * on this index meanwhile.
 * Return: 0; 1 when the page was never faulted in (nothing to give); -EINVAL
 * outside the mapping; -EBUSY when EREMOVE fails (a SECS with children:
 * SGX_CHILD_PRESENT; a thread inside: SGX_ENCLAVE_ACT; #GP), the page kept
 * and the leaf's result in *ret_code when (ret_code) is not NULL.
 */
int host_vepc_remove_page(struct host_vepc *v, struct hw_cpu *cpu, uint64_t index, int *ret_code);

/*
 * For a VMM that oversubscribes the VM's EPC and writes its pages back
 * behind the guest's back. While the VMM holds page (index) (from unmap until
 * it is remapped, freed, reloaded or forgotten) host_vepc_fault() on it
 * answers -ENODATA: the VMM must reload it. Remove-all, remove_page and
 * release skip held pages.
 *
 * unmap: take page (index) out of the mapping, returning its physical
 * address: the caller then flushes every vCPU's translation of it before
 * any leaf on it. -ENOENT when the page is not present, -EINVAL outside.
 * unmap_finish, with the page (pa) unmap returned: REMAP puts it back as it
 * was; EVICTED gives the EPC page (made invalid by EWB) back to its node and
 * keeps the slot held; FREED does the same for a page that was invalid and
 * leaves the slot untouched (the next fault allocates afresh).
 */
enum host_vepc_unmap {
	HOST_VEPC_REMAP,
	HOST_VEPC_EVICTED,
	HOST_VEPC_FREED,
};
int host_vepc_unmap(struct host_vepc *v, uint64_t index, uint64_t *ret_pa);
int host_vepc_unmap_finish(struct host_vepc *v, uint64_t index, uint64_t pa,
			   enum host_vepc_unmap how);

/*
 * reload_begin: an EPC page for held page (index), charged to the owner, in
 * *ret_pa; the slot stays held until reload_finish, which maps it (loaded)
 * or gives it back (it must be invalid). Return: 0; -ENOENT (not held);
 * -ENOMEM (owner at its limit or no free page); -EAGAIN (as a fault's);
 * -EINVAL. forget: a held page whose written-back image the VMM dropped
 * becomes untouched (a reset). 0, -ENOENT, -EINVAL.
 */
int host_vepc_reload_begin(struct host_vepc *v, uint64_t index, uint64_t *ret_pa);
int host_vepc_reload_finish(struct host_vepc *v, uint64_t index, uint64_t pa, bool loaded);
int host_vepc_forget(struct host_vepc *v, uint64_t index);

/* Whether page (index) has its EPC page (false outside the mapping). */
bool host_vepc_present(struct host_vepc *v, uint64_t index);

/*
 * close: EREMOVE and free every page. SECS pages still pinned by children
 * elsewhere (or any page that still fails) become zombies; every release
 * retries all zombies. No other call on (v) may be running (userspace
 * serializes close against its ioctls). Accepts NULL.
 * Return: the number of pages this release left as zombies.
 */
uint64_t host_vepc_release(struct host_vepc *v, struct hw_cpu *cpu);

struct host_vepc_info {
	unsigned int node;
	uint64_t nr_pages; /* mapped */
	uint64_t present;  /* faulted in */
	uint64_t faults;   /* first touches that allocated */
	uint64_t failed_faults;
	uint64_t held; /* pages the VMM holds written back */
};
void host_vepc_query(struct host_vepc *v, struct host_vepc_info *ret);
/* The pages present, by the NUMA node they were taken from: (ret) indexed by node. */
void host_vepc_query_nodes(struct host_vepc *v, uint64_t ret[HW_MAX_NODES]);

/*
 * An address space for leaves that reach vEPC instances the way a guest
 * does: each instance is mapped at a linear base, faulting pages in on first
 * touch; EPC physical addresses are not mapped; every other address is a
 * host pointer (below 4 KiB nothing). Fill with host_vas_init() and
 * host_vas_add(), then install host_vas_addr_space() on CPUs. It must
 * outlive its use.
 */
#define HOST_VAS_MAX 16
struct host_vas {
	unsigned int nr;
	struct {
		uint64_t base;
		uint64_t size;
		struct host_vepc *v;
	} map[HOST_VAS_MAX];
};
void host_vas_init(struct host_vas *vas);
/* Return: 0; -EINVAL (unaligned, unmapped instance, overlap), -ENOSPC. */
int host_vas_add(struct host_vas *vas, struct host_vepc *v, uint64_t base);
void host_vas_addr_space(struct host_vas *vas, struct hw_addr_space *ret);

/* ------------------------------------------------------------------ */
/* Host enclaves: /dev/sgx_enclave, and the reclaimer.                 */

/* The largest ELRANGE (log2): the user half of x86-64's 48-bit address space. */
#define HOST_ENCL_MAX_SIZE_LOG2 47
/* The attributes any enclave file may have (Linux's SGX_ATTR_UNPRIV_MASK). */
#define HOST_ENCL_UNPRIV_ATTRS                                                                     \
	(SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_KSS | SGX_ATTR_AEXNOTIFY)
/* ATTRIBUTES bits Linux holds reserved whatever CPUID says: 3, 6, 8-9, 11-63. */
#define HOST_ENCL_RESERVED_ATTRS ((1ULL << 3) | (1ULL << 6) | (3ULL << 8) | (~0ULL << 11))

/*
 * ENCLAVE_CREATE: ECREATE (secs) (size a power of two) in a new EPC page,
 * charged to (group) (an enclave-group owner, or NULL).
 * Return: 0; -EINVAL (bad SECS image or owner kind); -EFBIG (SIZE over
 * CPUID's MaxEnclaveSize, or over HOST_ENCL_MAX_SIZE_LOG2); -ENOMEM; -EAGAIN (EPC
 * left only in pages waiting for threads to leave their enclaves); -EIO
 * when ECREATE fails (its result in *ret_code).
 */
int host_encl_create(struct host *h, struct hw_cpu *cpu, struct host_owner *group,
		     const struct sgx_secs *secs, struct host_encl **ret, int *ret_code);

/*
 * ENCLAVE_ADD_PAGES: EADD (len) bytes from host memory (src) at ELRANGE
 * offset (offset), page by page with SECINFO flags (flags) (REG or TCS),
 * and EEXTEND each page when (measure). May reclaim other pages first.
 * Return: 0; -EINVAL (alignment, range, SECINFO, already initialized);
 * -EEXIST (a page is already there); -ENOMEM; -EAGAIN (as for create); -EIO
 * when a leaf fails (*ret_code). Pages before the failing one stay added.
 */
int host_encl_add_pages(struct host_encl *e, struct hw_cpu *cpu, uint64_t offset, const void *src,
			uint64_t len, uint64_t flags, bool measure, int *ret_code);

/*
 * ENCLAVE_INIT: EINIT with (sigstruct) and (token). On a part with flexible
 * launch control enabled, IA32_SGXLEPUBKEYHASH is first set to the hash of
 * the signer's modulus on (cpu), as Linux does (it has no launch policy).
 * Retries EINIT on SGX_UNMASKED_EVENT a few times. Before EINIT, as Linux:
 * SIGSTRUCT's VENDOR must be 0 or 0x8086, and its ATTRIBUTES, MISCSELECT
 * and XFRM must not enforce reserved bits (-EINVAL); the enclave's
 * attributes must all be granted (-EACCES): PROVISIONKEY only after
 * host_encl_provision(), EINITTOKENKEY never.
 * Return: 0; -EINVAL (not created or already initialized, or the checks
 * above); -EACCES; -EPERM when EINIT returns an SGX error; -EIO on a fault;
 * -EBUSY on a pending event that never clears. The leaf's result in
 * *ret_code.
 */
int host_encl_init(struct host_encl *e, struct hw_cpu *cpu, const struct sgx_sigstruct *sigstruct,
		   const struct sgx_einittoken *token, int *ret_code);

/*
 * SGX_IOC_ENCLAVE_PROVISION with an open /dev/sgx_provision: the enclave
 * may have ATTRIBUTES.PROVISIONKEY. Holding that file is the capability;
 * the caller stands for having it.
 */
void host_encl_provision(struct host_encl *e);

/*
 * The page-fault handler for ELRANGE address (addr): an evicted page is
 * reloaded (ELDU into a new EPC page, reclaiming others if needed).
 * Return: 0 with the physical address of the page's byte at (addr) in
 * *ret_pa; -EFAULT for an address with no enclave page; -ENOMEM; -EAGAIN
 * when the page is being written back right now (retry); -EIO when ELDU
 * fails (*ret_code).
 */
int host_encl_fault(struct host_encl *e, struct hw_cpu *cpu, uint64_t addr, uint64_t *ret_pa,
		    int *ret_code);

/*
 * The enclave's mapping, as its page tables: ELRANGE pages that are
 * resident translate (and are marked accessed, for the reclaimer's aging),
 * evicted ones fault (-EFAULT: call host_encl_fault() and retry the leaf);
 * EPC addresses are identity, other addresses host pointers.
 */
void host_encl_addr_space(struct host_encl *e, struct hw_addr_space *ret);

/*
 * Free the enclave (the file's last close): EREMOVE its pages, then its VA
 * pages and SECS; pages that will not go (a thread still inside) become
 * zombies. No other call on (e) may be running. Accepts NULL.
 */
void host_encl_destroy(struct host_encl *e, struct hw_cpu *cpu);

struct host_encl_info {
	uint64_t secs_pa; /* 0 while the SECS is written back */
	bool secs_evicted;
	bool initialized;
	uint64_t pages;	   /* enclave pages added */
	uint64_t resident; /* of those, in the EPC */
	uint64_t evicted;  /* of those, written back */
	uint64_t va_pages;
	uint64_t ewb;  /* pages written back so far */
	uint64_t eldu; /* pages reloaded so far */
};
void host_encl_query(struct host_encl *e, struct host_encl_info *ret);

/*
 * The reclaimer (ksgxd): write back up to (nr) host-enclave pages, oldest
 * first, skipping (and un-aging) pages accessed since the last pass, in
 * batches of HOST_RECLAIM_BATCH. (owner): from its LRU first, then from its
 * descendants'; NULL: from every owner in turn.
 * Allocation runs it by itself when free EPC falls below the low watermark
 * (until the high one) and when an enclave group is over its limit.
 * Return: pages written back.
 */
uint64_t host_reclaim(struct host *h, struct hw_cpu *cpu, struct host_owner *owner, uint64_t nr);

#endif /* VSGX_HOST_H */
