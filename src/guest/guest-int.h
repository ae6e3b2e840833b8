/* SPDX-License-Identifier: MIT */
/* The guest OS model's internals, shared by the files of src/guest/ only. */
#ifndef VSGX_GUEST_INT_H
#define VSGX_GUEST_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "vsgx/guest.h"
#include "vsgx/vmm.h"

/*
 * Guest RAM as the guest kernel uses it (linear == physical outside
 * enclaves): operand scratch for the SGXS loader and for its own leaves,
 * then the PCMDs and pages of evicted enclave pages.
 */
#define GUEST_SCRATCH	    0x100000ULL /* the loader's 3 pages */
#define GUEST_OPS	    0x104000ULL /* PAGEINFO, SECINFO */
#define GUEST_OP_PAGEINFO   GUEST_OPS
#define GUEST_OP_SECINFO    (GUEST_OPS + 0x40)
#define GUEST_BALLOON_ARG   0x105000ULL /* the balloon hypercall's argument */
#define GUEST_BALLOON_LIST  0x106000ULL /* and its frame list: one page */
#define GUEST_BALLOON_BATCH 512		/* frames per hypercall */
/*
 * Evicted pages: from GUEST_BACKING_BASE to the end of RAM below 4 GiB, a
 * 4 KiB page and a 128-byte PCMD per slot, the pages first and their PCMDs
 * after them; as many slots as fit.
 */
#define GUEST_BACKING_BASE 0x200000ULL

/* Where enclaves live in the guest's linear address space, far above its RAM. */
#define GUEST_ELRANGE_BASE 0x7f0000000000ULL
#define GUEST_ELRANGE_END  0x800000000000ULL /* the end of the user half */

#define GUEST_MAX_SECTIONS 8
#define GUEST_MAX_ENCLAVES 64
#define GUEST_MAX_THREADS  64
#define GUEST_VA_SLOTS	   512

enum gpage_state {
	GP_ABSENT,   /* no page at this ELRANGE offset */
	GP_RESIDENT, /* in an EPC page */
	GP_EVICTED,  /* written back to guest RAM */
};

struct gpage {
	uint8_t state;	 /* enum gpage_state */
	uint8_t type;	 /* SGX_PT_REG, SGX_PT_TCS */
	uint8_t chunks;	 /* 256-byte chunks EEXTEND measured: 16 makes (digest) whole */
	uint8_t perm;	 /* SECINFO R/W/X bits it was added with */
	bool dynamic;	 /* added by EAUG: trimmed rather than evicted */
	bool ssa;	 /* a TCS's SSA frame: the processor's to write on an AEX */
	bool written;	 /* the enclave's code wrote it (its scratch page): not as measured */
	uint64_t epc;	 /* GP_RESIDENT: guest-physical EPC page */
	uint32_t slot;	 /* GP_EVICTED: backing slot */
	uint64_t va;	 /* GP_EVICTED: guest-physical VA slot */
	uint64_t digest; /* of what EEXTEND measured (guest_chunk_digest()), to verify it */
};

struct gthread {
	unsigned int tcs; /* ELRANGE page of its TCS */
	bool inside;
	bool interrupted; /* an AEX took it out: ERESUME next */
	unsigned int vcpu;
};

struct genclave {
	char name[GUEST_ENCLAVE_NAME_MAX];
	uint64_t base, size;
	uint64_t secs; /* guest-physical EPC page */
	struct gpage *pages;
	uint64_t nr_pages; /* size / 4 KiB */
	struct gthread threads[GUEST_MAX_THREADS];
	unsigned int nr_threads;
	bool lost;
	uint64_t attributes; /* SECS ATTRIBUTES.FLAGS it was created with */
	uint8_t mrenclave[32], mrsigner[32];
	uint64_t clock; /* next page the reclaimer looks at */
};

struct gva_page {
	uint64_t epc;
	uint64_t used[GUEST_VA_SLOTS / 64];
	unsigned int nr_used;
};

struct guest {
	struct vmm_vm *vm;
	bool sgx, sgx2, flc;
	uint8_t max_size32, max_size64; /* log2 of the largest enclave, from CPUID 0x12 */
	unsigned int nr_sections;
	struct {
		uint64_t base, size;
	} sec[GUEST_MAX_SECTIONS];
	uint64_t *free_epc; /* a stack of free guest-physical EPC pages */
	uint64_t nr_free, nr_epc;
	uint64_t *balloon; /* frames given to the hypervisor (ballooned out) */
	uint64_t nr_balloon;
	struct genclave *encl[GUEST_MAX_ENCLAVES];
	unsigned int nr_encl;
	struct gva_page *va;
	unsigned int nr_va;
	/*
	 * Evicted-page slots: those from (backing_next) up were never used; the
	 * free ones below it are on a stack, grown as slots come back. Nothing
	 * is written per slot until a slot is used.
	 */
	uint32_t *backing_free;
	uint32_t nr_backing, backing_next, nr_backing_free, cap_backing_free;
	uint64_t pcmd_base;
	/* Guest-physical EPC pages a machine check named: never handed out again. */
	uint64_t *poisoned;
	uint64_t nr_poisoned;
	struct guest_stats st;
};

/* Write "fmt" to (why) and return (err). */
int guest_why(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "EWB returned SGX_NOT_TRACKED", "EADD faulted with #PF at 0x..." into (buf). */
const char *guest_result_text(int r, struct vmm_vcpu *vcpu, char *buf, size_t len);

/*
 * ENCLS by the guest kernel, on a vCPU with no enclave thread inside when
 * there is one. Returns what vmm_vcpu_encls() gives.
 */
int guest_encls(struct guest *g, unsigned int leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx);

/* The vCPU the kernel's last leaf ran on, for fault details. */
struct vmm_vcpu *guest_kernel_vcpu(struct guest *g);

/* The first vCPU with no enclave thread inside, or 0 when every one has one. */
unsigned int guest_idle_vcpu(struct guest *g);

/*
 * An enclave meets the sign that its EPC went away under the guest (a #PF
 * on a page it had, an EBLOCK finding it invalid): mark it lost and say so
 * in (why), naming what (how) found it. Return: -EIO.
 */
int guest_enclave_lost(struct guest *g, struct genclave *e, const char *how, char *why,
		       size_t why_len);

/*
 * The guest's machine-check handler for a #MC on guest-physical EPC page
 * (gpa), as Linux's memory_failure() with arch_memory_failure() does in a
 * guest: the page is kept out of use from now on, and the enclave that used
 * it (its SECS, a page of it, or the VA page holding an evicted page's
 * version) is killed: marked lost, as the SIGBUS to its process makes it.
 * The rest of the guest runs on. Return: -EIO, with (why).
 */
int guest_machine_check(struct guest *g, uint64_t gpa, char *why, size_t why_len);

/* A host pointer to guest RAM at (gpa), (len) bytes within one page. */
void *guest_ram(struct guest *g, uint64_t gpa, uint64_t len);

/*
 * Take a free EPC page, evicting some enclave's page (other than from
 * (busy)) when none is left. Return: 0, -ENOSPC, -EFAULT, -EIO.
 */
int guest_epc_alloc(struct guest *g, const struct genclave *busy, uint64_t *ret);
void guest_epc_free(struct guest *g, uint64_t epc);

/*
 * EREMOVE a page and put it back on the free list. A page EREMOVE refuses
 * stays out of use for good, as Linux leaks it (with a warning): handing
 * out a page that may still be valid would break the next ECREATE or EADD.
 * Return: 0, or -errno when no leaf ran (the VM stopped): the page is as it was.
 */
int guest_epc_remove(struct guest *g, uint64_t epc);

struct genclave *guest_enclave_find(struct guest *g, const char *name);

/*
 * Whether the guest can run kernel code now: -EAGAIN when its VM is paused,
 * suspended or off, -EFAULT when the VM stopped on an error, -ENODEV without
 * SGX; 0 otherwise. Every guest operation asks first, so nothing it starts
 * is left half done.
 */
int guest_ready(struct guest *g, char *why, size_t why_len);

/* guest_ready(), then the enclave (name) into *ret, or -ENOENT. */
int guest_enclave_get(struct guest *g, const char *name, struct genclave **ret, char *why,
		      size_t why_len);

/* Bring a thread's state up to date with the vCPU: a preempted thread needs ERESUME. */
void guest_threads_sync(struct guest *g);

/*
 * The reclaimer: evict up to (nr) pages of (e) (EBLOCK, ETRACK, EWB with the
 * retry sequence), counting them in *ret_done. A VA slot and a backing page
 * are reserved for each page before it is blocked, so a page is either
 * written back or left as it was. Return: 0 (fewer than (nr) when nothing
 * more could go), or an error with (why).
 */
int guest_evict_pages(struct guest *g, struct genclave *e, uint64_t nr, uint64_t *ret_done,
		      char *why, size_t why_len);

/* Linux's IPI: every thread of (e) still inside takes an interrupt (an AEX). */
void guest_enclave_kick(struct guest *g, struct genclave *e);

/*
 * Make page (page) of (e) resident before the kernel uses it on the
 * enclave's behalf: reload it if the guest evicted it. Return: 0 or the
 * reload's error.
 */
int guest_page_load(struct guest *g, struct genclave *e, uint64_t page, char *why, size_t why_len);

/* Reload an evicted page (ELDU) into a free EPC page. */
int guest_reload_page(struct guest *g, struct genclave *e, uint64_t page, char *why,
		      size_t why_len);

/* The guest's page-table walk, installed on every vCPU. */
int guest_pt_walk(void *opaque, uint64_t gla, uint64_t *ret_gpa);

/*
 * EREMOVE an empty VA page the reclaimer can spare (another one keeps a
 * free slot) and put its EPC page on the free list. Return: 0, -ENOSPC
 * when there is none, or -errno when no leaf ran.
 */
int guest_va_page_reclaim(struct guest *g);

/* Give a VA slot back. */
void guest_va_put(struct guest *g, uint64_t slot);

/* Whether leaf result (r) is a #PF on the VA page of (slot): that VA page is gone. */
bool guest_va_fault(struct guest *g, int r, uint64_t slot);

/*
 * Drop the VA page of (slot), which the EPC lost under the guest: every
 * page evicted with a version in it cannot come back, so its enclave is
 * lost; the EPC page is EREMOVEd and free again.
 */
void guest_va_page_drop(struct guest *g, uint64_t slot);

/* Keep a few VA slots in stock while EPC is free, for evictions when it is not. */
int guest_va_reserve(struct guest *g);

/* Make sure thread (t) of (e) is inside on vCPU (vcpu): EENTER or ERESUME, reloading as needed. */
int guest_thread_run(struct guest *g, struct genclave *e, unsigned int t, unsigned int vcpu,
		     char *why, size_t why_len);

/*
 * Work the kernel has an enclave do itself (EACCEPT, a launch enclave's
 * token) runs on its first thread, entering it as needed. Note whether the
 * thread was inside before with guest_thread_inside(); afterwards
 * guest_thread_restore() takes it out again unless it was, and returns (r),
 * or the EEXIT's error when (r) is 0.
 */
bool guest_thread_inside(struct guest *g, struct genclave *e, unsigned int t);
int guest_thread_restore(struct guest *g, struct genclave *e, unsigned int t, bool was_inside,
			 int r, char *why, size_t why_len);

/* EEXIT thread (t) of (e), resuming it first if it was interrupted. */
int guest_thread_stop(struct guest *g, struct genclave *e, unsigned int t, char *why,
		      size_t why_len);

/*
 * A page of (e) added writable by EADD, neither EAUGed nor an SSA frame (an
 * AEX would overwrite it), for the enclave's own operands; or -1.
 */
int64_t guest_enclave_rw_page(const struct genclave *e);

/*
 * Launch enclave (le) mints an EINITTOKEN for the enclave of (sig) whose
 * SECS has (attr): its first thread enters (unless it is inside already),
 * runs EREPORT and EGETKEY(EINITTOKEN) and leaves. Return: 0, -EINVAL (not a
 * launch enclave, or no thread or writable page), -EIO (a leaf failed, or
 * the LE was lost), or a thread's error.
 */
int guest_le_mint(struct guest *g, struct genclave *le, const struct sgx_sigstruct *sig,
		  const struct sgx_attributes *attr, struct sgx_einittoken *ret, char *why,
		  size_t why_len);

/*
 * EREMOVE every page of (e) and free them, children before the SECS, then
 * forget it. Return: 0, or -errno when the VM stopped part way: the pages
 * not yet removed stay with (e), which stays.
 */
int guest_enclave_teardown(struct guest *g, struct genclave *e);

/* Free backing pages in guest RAM, for evictions. */
unsigned int guest_backing_free(const struct guest *g);
/* Give back the evicted-page slot (slot). */
void guest_backing_put(struct guest *g, uint32_t slot);

/*
 * balloon.c: at boot, ask the hypervisor which frames are ballooned out
 * and keep them off the free list (and out of sanitization). Return: 0 or
 * -ENOMEM.
 */
int guest_balloon_boot(struct guest *g);

/* verify.c: one measured chunk's share of its page's digest (offset and bytes). */
uint64_t guest_chunk_digest(uint64_t offset, const uint8_t *data);

#endif /* VSGX_GUEST_INT_H */
