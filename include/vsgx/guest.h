/* SPDX-License-Identifier: MIT */
/*
 * A guest operating system with an SGX driver like Linux's, running in a VM
 * of the hypervisor (<vsgx/vmm.h>). It sees only what a real guest kernel
 * sees: its CPUID, its MSRs, its RAM and the EPC sections CPUID leaf 0x12
 * reports, and it drives SGX only through ENCLS and ENCLU on its vCPUs.
 *
 * At boot it discovers its EPC from CPUID, sanitizes it as Linux does (two
 * EREMOVE passes, SECS pages after their children) and keeps a free list.
 * It builds enclaves from SGXS + SIGSTRUCT files (the vectors) or synthetic
 * ones of a given size and thread count (signed with the key it is given),
 * writing the LE hash MSRs before EINIT when its CPUID offers flexible launch
 * control; maps their ELRANGE in its page tables; runs threads in and out
 * (EENTER, EEXIT, and ERESUME after the host preempted one); grows and trims
 * them with SGX2 (EAUG + EACCEPT, EMODT + EACCEPT + EREMOVE) when its CPUID
 * offers it; and when its EPC is full evicts its own pages (EBLOCK, ETRACK,
 * EWB into its RAM, with the NOT_TRACKED retry) and reloads them (ELDU) on
 * the next use.
 *
 * Reboots are clean (every enclave torn down first) or unclean (enclaves
 * left alive, as Windows does): either way the guest then boots again and
 * finds whatever EPC state the hypervisor's reset left. After a reset, S3 or
 * S4, enclaves the guest had are lost: their next use fails the way it does
 * on hardware (a #PF with the SGX bit on EENTER), the guest marks them lost
 * and can rebuild them.
 *
 * Results are 0 or -errno with a one-line message in (why): -ENOSPC (guest
 * EPC full and nothing evictable), -EIO (a leaf failed; the message names
 * the leaf and its result), -EFAULT (the VM stopped), -EAGAIN (the VM is not
 * running), -ENOENT (no such enclave or thread), -EINVAL, -ENOMEM.
 */
#ifndef VSGX_GUEST_H
#define VSGX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"

struct vmm_vm;
struct vmm_epc_reset;
struct crypto_rsa_key;
struct sgxs;
struct guest;

#define GUEST_ENCLAVE_NAME_MAX 32

/*
 * Boot a guest OS in (vm), which must be running: CPUID discovery, firmware
 * MSR state, EPC sanitization. Return: 0, -ENODEV (no SGX in the guest's
 * CPUID: the guest runs without SGX and every enclave call fails -ENODEV),
 * -EIO (sanitization met an error it cannot explain), -ENOMEM.
 */
int guest_boot(struct vmm_vm *vm, struct guest **ret, char *why, size_t why_len);

/* Forget the guest (the VM is being destroyed or reset). Accepts NULL. */
void guest_free(struct guest *g);

/*
 * Reboot. Clean: tear every enclave down (EREMOVE children, then SECS)
 * first. Unclean: leave them alive. Then the hypervisor resets the VM
 * (vmm_vm_reset(), whose report goes to (rep) when not NULL) and the guest
 * boots again, sanitizing what it finds.
 * Return: the reset's result (see vmm_vm_reset()), or a boot error.
 */
int guest_reboot(struct guest *g, bool clean, struct vmm_epc_reset *rep, char *why, size_t why_len);

/*
 * Boot again in the same VM after the hypervisor reset it or powered it on
 * (no enclave survives): the guest's state starts over.
 */
int guest_restart(struct guest *g, char *why, size_t why_len);

/*
 * Tell the guest the hypervisor took its EPC away (a reset by the user, S3
 * wake-up, S4 resume), as a paravirtual notice would: every enclave is lost
 * and its VA pages are gone (their EPC pages free again). The pages of the
 * lost enclaves come back when the enclaves are destroyed. Without such a
 * notice the guest finds each loss on its own: an enclave on its next use,
 * a VA page when EWB or ELDU faults on it.
 */
void guest_epc_lost(struct guest *g);

/*
 * The VM migrated: the guest runs on (vm) now, with its RAM and MSRs as they
 * were and an EPC that holds nothing. Threads that were inside were stopped;
 * its enclaves are found lost on their next use.
 */
void guest_moved(struct guest *g, struct vmm_vm *vm);

/*
 * How the guest launches an enclave. By default EINIT gets no token: with
 * flexible launch control the kernel first writes the enclave's signer into
 * the LE hash MSRs (as Linux does), without it the MSRs must hold that
 * signer already. With (le), the named launch enclave mints an EINITTOKEN
 * for it first, and with flexible launch control the kernel writes the LE's
 * signer into the MSRs instead (the token's MAC is bound to it).
 */
struct guest_launch {
	const char *le;	 /* launch with a token from this launch enclave */
	bool debug;	 /* synthetic enclaves: ATTRIBUTES.DEBUG */
	bool launch_key; /* synthetic enclaves: ATTRIBUTES.EINITTOKEN_KEY, a launch enclave */
};

/*
 * An enclave from an SGXS stream and its SIGSTRUCT, EINITed as (how) says
 * (NULL: the defaults). A SIGSTRUCT whose ATTRIBUTES ask for EINITTOKEN_KEY
 * makes a launch enclave, which EINIT admits only when its signer is the
 * one in the LE hash MSRs. A SIZE over the MaxEnclaveSize in the guest's
 * CPUID is -EFBIG, and one that does not fit in the address space left
 * after the other enclaves -ENOSPC, both before anything is allocated.
 */
int guest_enclave_load(struct guest *g, const char *name, const struct sgxs *sgxs,
		       const struct sgx_sigstruct *sig, const struct guest_launch *how, char *why,
		       size_t why_len);

/*
 * A synthetic enclave: (size) bytes of ELRANGE (a power of two), (threads)
 * TCSs each with NSSA 2, code and data pages filling (pages) EPC pages in
 * all, signed with (key) for the attributes (how) asks for and EINITed as it
 * says (NULL: the defaults). A launch enclave needs one data page at least.
 */
int guest_enclave_build(struct guest *g, const char *name, uint64_t pages, unsigned int threads,
			const struct crypto_rsa_key *key, const struct guest_launch *how, char *why,
			size_t why_len);

/* Tear an enclave down: EREMOVE every page (reloading none). */
int guest_enclave_destroy(struct guest *g, const char *name, char *why, size_t why_len);

/*
 * Run thread (thread) of an enclave on vCPU (vcpu): EENTER (or ERESUME if
 * the host preempted it), then touching each of its readable regular pages,
 * which reloads any the guest evicted. Leave it inside with guest_thread_enter(), take it
 * out with guest_thread_exit().
 */
int guest_thread_enter(struct guest *g, const char *name, unsigned int thread, unsigned int vcpu,
		       char *why, size_t why_len);
int guest_thread_exit(struct guest *g, const char *name, unsigned int thread, char *why,
		      size_t why_len);

/* SGX2: add (pages) pages to a running enclave (EAUG, EACCEPT), or trim them off. */
int guest_enclave_grow(struct guest *g, const char *name, uint64_t pages, char *why,
		       size_t why_len);
int guest_enclave_trim(struct guest *g, const char *name, uint64_t pages, char *why,
		       size_t why_len);

/* Evict (pages) of an enclave's pages now (EBLOCK, ETRACK, EWB), as the guest's reclaimer. */
int guest_enclave_evict(struct guest *g, const char *name, uint64_t pages, char *why,
			size_t why_len);

/*
 * Check an enclave's memory bit for bit from inside it: thread 0 enters
 * (reloading any page the guest evicted, as its #PF handler does) and
 * reads every byte of each page EEXTEND measured whole, comparing them
 * with what was measured at build (a 64-bit digest per page, folded from
 * its 16 chunks, so a flipped bit shows). SSA frames (the processor writes
 * them on an AEX), EAUGed pages and a launch enclave's working page are
 * skipped. *ret_pages, when not NULL, counts the pages checked.
 * Return: 0; -EIO (a page differs: the message names it, or the enclave
 * was lost); the thread's errors.
 */
int guest_enclave_verify(struct guest *g, const char *name, uint64_t *ret_pages, char *why,
			 size_t why_len);

enum guest_enclave_state {
	GUEST_ENCLAVE_ALIVE,
	GUEST_ENCLAVE_LOST, /* its EPC went away under it */
};

struct guest_enclave_info {
	enum guest_enclave_state state;
	uint64_t base, size;  /* ELRANGE */
	uint64_t pages;	      /* EPC pages it owns, its SECS included (VA pages are the guest's) */
	uint64_t resident;    /* of those, in the EPC now */
	uint64_t evicted;     /* written back to guest RAM */
	unsigned int threads; /* TCSs */
	unsigned int inside;  /* threads inside now */
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
};
int guest_enclave_query(struct guest *g, const char *name, struct guest_enclave_info *ret);

unsigned int guest_nr_enclaves(const struct guest *g);
/* The name of enclave (index), in creation order. */
const char *guest_enclave_name(const struct guest *g, unsigned int index);

struct guest_stats {
	uint64_t epc_pages;	 /* EPC the guest's CPUID reports */
	uint64_t epc_free;	 /* on its free list */
	uint64_t sanitized;	 /* pages its last boot found in use and EREMOVEd */
	uint64_t evictions;	 /* EWBs */
	uint64_t reloads;	 /* ELDUs */
	uint64_t lost;		 /* enclaves found lost */
	uint64_t tokens;	 /* EINITTOKENs its launch enclaves minted */
	uint64_t leaked;	 /* EPC pages EREMOVE failed on, kept out of use as Linux does */
	uint64_t ballooned;	 /* EPC frames its balloon driver gave the hypervisor */
	uint64_t evicted;	 /* enclave pages held as evicted blobs in its RAM now */
	uint64_t machine_checks; /* #MCs the hypervisor passed on (poisoned EPC) */
	uint64_t bad;		 /* EPC pages it keeps out of use after a #MC */
	bool sgx, sgx2, flc;	 /* what its CPUID offers */
};
void guest_stats(struct guest *g, struct guest_stats *ret);

/* What one run of the balloon driver did. */
struct guest_balloon_result {
	uint64_t given;	  /* frames given to the hypervisor */
	uint64_t taken;	  /* frames taken back from it */
	uint64_t evicted; /* enclave pages written back to free frames for it */
};

/*
 * The balloon driver: reach the target the hypervisor set for the VM
 * (vmm_vm_balloon_set_target(), as Xen's driver reads memory/target) with
 * the memory_op hypercall (<vsgx/vmm-balloon.h>). Giving pages back, it
 * gives free EPC frames first (they are EREMOVEd already), then unused VA
 * pages, then evicts its own enclave pages (EBLOCK, ETRACK, EWB to its RAM,
 * as its reclaimer does) and gives their frames; the enclaves reload them on
 * their next use. Every frame is gathered before the first hypercall, so a
 * target the guest cannot reach gives nothing back. Taking pages again, it
 * asks for frames it gave away and puts them on its free list.
 * Return: 0; -EPERM (the VM does not balloon); -ENOSPC (not enough pages
 * it can give: the message says which are pinned); -EIO (the hypervisor
 * refused frames part way: what went stays, the message says how many);
 * guest_ready()'s errors. (res) may be NULL.
 */
int guest_balloon_update(struct guest *g, struct guest_balloon_result *res, char *why,
			 size_t why_len);

#endif /* VSGX_GUEST_H */
