/* SPDX-License-Identifier: MIT */
/*
 * Internals of the processor model, shared by the files of src/hw/ only.
 */
#ifndef VSGX_HW_HW_H
#define VSGX_HW_HW_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "epcm.h"
#include "vsgx/embed.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"

struct hw_epcm_entry;
struct epcm_epochs;
struct crypto_gcm;
struct crypto_cmac;

struct hw_section {
	uint64_t base;
	uint64_t size;
	uint64_t first; /* EPCM index of the section's first page */
	uint64_t pages;
	uint32_t node;
	uint8_t *contents; /* the first page's contents: the model's map or the caller's */
	bool caller_contents;
};

/* Pages an SSA frame's XSAVE area may span: AMX tile data makes it 11 KiB. */
#define HW_XSAVE_PAGES 3

struct hw_cpu {
	/*
	 * TLB tracking's record of this CPU (track.c): outside, entering, or
	 * inside which enclave since which epoch. Only this CPU writes it, on
	 * a cache line no other CPU writes (the array is 64-byte aligned and
	 * every hw_cpu a multiple of 64 bytes), so entries and exits on
	 * different CPUs share nothing written; ETRACK reads it.
	 */
	_Alignas(64) _Atomic uint64_t track_slot;
	struct hw_processor *proc;
	unsigned int index;
	struct hw_addr_space as;
	uint64_t lehash[4]; /* IA32_SGXLEPUBKEYHASH0..3 */
	/* IA32_FEATURE_CONTROL: one per logical CPU, each locked by firmware. */
	_Atomic uint64_t feature_control;
	struct hw_fault fault;
	bool pending_event;

	/* Enclave mode: what EENTER/ERESUME set up and EEXIT/AEX tear down. */
	uint32_t inside;      /* EPCM index + 1 of the SECS this CPU runs in; 0: outside */
	uint32_t tcs;	      /* EPCM index + 1 of the TCS in use; 0 for a raw entry */
	uint64_t entry_epoch; /* the enclave's epoch (low 32 bits) when this CPU entered */
	uint64_t aep;	      /* asynchronous exit pointer given to EENTER/ERESUME */
	uint64_t gpr_idx;     /* EPCM index of the page an AEX saves GPRs into */
	uint64_t tcs_la;      /* linear address of the TCS in use */
	/* EPCM indexes of the pages of the current frame's XSAVE area. */
	uint64_t xsave_idx[HW_XSAVE_PAGES];

	/*
	 * Control state an emulator hands the entry checks (<vsgx/embed.h>).
	 * Without it (ctl_set false) the CPU runs in the mode each enclave
	 * was built for, with OSFXSR set and XCR0 a superset of XFRM.
	 */
	bool ctl_set;
	bool mode64;
	uint64_t cr0, cr4, xcr0;
	/* What an entry saved for EEXIT and AEX to restore (CR_SAVE_*). */
	struct vsgx_segment save_fs, save_gs;
	uint64_t save_xcr0;
	bool save_tf;
	bool opted_in; /* TCS.FLAGS.DBGOPTIN at entry: the debugger owns TF */

	/* VMX operation (hw_cpu_set_vmx()): enum hw_vmx_mode, and the VMCS's
	 * "enable EPC virtualization extensions" in non-root operation. */
	uint8_t vmx;
	bool epc_virt;

	/* EWB/ELD's AES-GCM key schedule, made on first use, for boot (gcm_boot). */
	struct crypto_gcm *gcm;
	uint64_t gcm_boot;
	/*
	 * Key derivation's AES-CMAC contexts, made on first use: one keyed
	 * with the fuse key for the part's lifetime (every EGETKEY, EREPORT
	 * and EINIT derivation), one re-keyed with each derived REPORT key to
	 * MAC a REPORT. A fresh context per derivation would cost a key
	 * schedule and a provider fetch more than the MAC itself.
	 */
	struct crypto_cmac *cmac_fuse;
	struct crypto_cmac *cmac_report;
};

struct hw_processor {
	struct hw_desc desc;
	struct hw_section sections[SGX_MAX_EPC_SECTIONS];
	unsigned int nr_sections;
	uint64_t nr_pages;
	struct hw_epcm_entry *epcm;
	size_t epcm_map_len;
	struct epcm_epochs *epochs; /* epcm.c: epochs of blocked and modified pages */
	/* A bit per 1,024 entries (12 KiB of EPCM): set once any was looked up. */
	_Atomic uint64_t *epcm_touched;
	uint8_t *contents; /* page contents, at EPCM index * 4 KiB */
	size_t contents_map_len;
	pthread_mutex_t enclaves_lock;
	struct hw_enclave *enclave_list; /* live enclaves, for reset */
	struct hw_cpu *cpus;

	/* Fused secrets: fixed for the part's lifetime. */
	uint8_t fuse_key[16];
	uint8_t seal_fuses[16];
	uint8_t owner_epoch[16];
	/* Secrets of the current boot: a reset makes new ones. */
	uint64_t boot;
	uint8_t boot_key[16];
	uint8_t report_keyid[SGX_KEYID_SIZE]; /* CR_REPORT_KEYID of this boot */
	uint8_t key_padding[352];	      /* HARDCODED_PKCS1_5_PADDING */

	atomic_uint_fast64_t next_eid;
	atomic_uint_fast64_t next_version; /* EWB's page versions, never 0 */
	atomic_uint_fast64_t valid_pages;
	atomic_uint_fast64_t materialized;
	atomic_uint_fast64_t enclaves;

	/* An emulator's notice of EPC contents the model wrote (<vsgx/embed.h>). */
	void (*epc_written)(void *opaque, uint64_t pa, uint64_t len);
	void *epc_written_opaque;
};

/* Record a fault on (cpu) and return the leaf's result for it. */
int hw_fault_gp(struct hw_cpu *cpu);
int hw_fault_ud(struct hw_cpu *cpu);
int hw_fault_pf(struct hw_cpu *cpu, uint64_t la, uint32_t error_code);
/*
 * A machine check (#MC, vector 18) on consuming poisoned page (idx): no error
 * code; the fault's address is the page's physical address, what the
 * machine-check bank's MCi_ADDR would report.
 */
int hw_fault_mc(struct hw_cpu *cpu, uint64_t idx);

/*
 * The poison check of a leaf about to read or write the contents of page
 * (idx), whose entry (e) it holds: 0, or the #MC. One load of the busy byte.
 */
static inline int hw_poison_check(struct hw_cpu *cpu, const struct hw_epcm_entry *e, uint64_t idx)
{
	return epcm_poisoned(e) ? hw_fault_mc(cpu, idx) : 0;
}

/*
 * The checks every ENCLS leaf makes before looking at its operands: SGX must
 * be enabled and locked on in IA32_FEATURE_CONTROL (else #GP(0)).
 * Return: 0 or the fault.
 */
int hw_encls_check(struct hw_cpu *cpu);

/*
 * A leaf the processor does not enumerate (SGX2's on an SGX1 part, the
 * oversubscription leaves without CPUID.(12h,0):EAX[6], any reserved
 * number): the SDM's "input value in EAX encodes an unsupported leaf",
 * #GP(0), after the instruction's own checks. (KVM injects #UD instead for
 * a leaf its guest's CPUID lacks; the VMM layer does what KVM does.)
 */
int hw_leaf_unsupported(struct hw_cpu *cpu);

/*
 * Translate (la) through the CPU's address space for a read or a write.
 * Return: 0, or the #PF of the failed walk at (la), with its error code.
 */
int hw_xlate(struct hw_cpu *cpu, uint64_t la, bool write, struct hw_xlate *ret);

/*
 * Operand access through the CPU's address space. hw_op_read() copies (len)
 * bytes of an ordinary-memory operand; an operand that lands in the EPC reads
 * as all ones, the abort-page semantics of a non-enclave access. hw_op_epc()
 * resolves an operand that must be an EPC page to its EPCM index.
 * Return: 0 or the #PF raised at (la).
 */
int hw_op_read(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len);
int hw_op_epc(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx);

/*
 * The opening of the leaves whose one operand is an EPC page (EREMOVE,
 * EBLOCK, ETRACK): SGX enabled (#GP), (la) 4 KiB aligned (#GP), and in the
 * EPC (#PF). Return: 0 with the page's EPCM index, or the fault.
 */
int hw_op_epc_page(struct hw_cpu *cpu, uint64_t la, uint64_t *ret_idx);

/*
 * Resolve an ordinary-memory operand for reading in place, up to the end of
 * its page. *ret is NULL when it lands in the EPC: it then reads as all ones.
 */
int hw_op_map(struct hw_cpu *cpu, uint64_t la, const void **ret);

/*
 * A guest under the EPC virtualization extensions: VMX non-root operation
 * with the VMCS control set. There EREMOVE and EWB of a SECS count its
 * VIRTCHILDCNT as children, and ERDINFO folds it into CHILDPRESENT.
 */
static inline bool hw_cpu_virtchild_visible(const struct hw_cpu *cpu)
{
	return cpu->vmx == HW_VMX_NONROOT && cpu->epc_virt;
}

/* Canonical with 48-bit linear addresses (4-level paging). */
/*
 * Whether (len) bytes at (buf) are all zero: the reserved-field checks of
 * the leaves. A word at a time with no early exit, so that the compiler
 * unrolls a fixed-size field into a few loads and ORs: the bytes are zero in
 * every call that matters, and a byte loop showed in EACCEPT's profile.
 */
static inline bool hw_is_zero(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, b + i, sizeof(w));
		acc |= w;
	}
	for (; i < len; i++)
		acc |= b[i];
	return !acc;
}

static inline bool hw_is_canonical(uint64_t la)
{
	int64_t high = (int64_t)la >> 47;

	return high == 0 || high == -1;
}

/* Bytes of the XSAVE area of an SSA frame for (xfrm), standard format. */
uint64_t hw_xsave_size(uint64_t xfrm);

/*
 * XSAVE images (xsave.c), in the standard format. hw_xsave_valid() makes
 * XRSTOR's checks of an image's header and MXCSR for (xfrm);
 * hw_xsave_merge() puts the components of (xfrm) from (src) into (dst),
 * those that XSTATE_BV marks as in their initial configuration made so;
 * hw_xsave_init() puts the components of (xfrm) of (dst) in their initial
 * configuration.
 */
bool hw_xsave_valid(const uint8_t *img, uint64_t xfrm);
void hw_xsave_merge(uint8_t *dst, const uint8_t *src, uint64_t xfrm);
void hw_xsave_init(uint8_t *dst, uint64_t xfrm);

/* #PF error code of an access the EPCM refused. */
static inline uint32_t hw_pf_epcm(bool write)
{
	return X86_PF_PROT | X86_PF_SGX | (write ? X86_PF_WRITE : 0);
}

/*
 * Enclave-mode operands of the ENCLU leaves issued inside an enclave: linear
 * addresses that must lie in the current enclave's ELRANGE (else #GP(0)) and
 * translate to an EPC page that the EPCM says belongs to this enclave at this
 * very address (else #PF with the SGX bit).
 *
 * hw_op_encl_page() makes only those checks, for leaves that look at the
 * page's type and state themselves (EACCEPT, EMODPE). hw_op_encl() makes the
 * checks of an ordinary enclave data access as well: PT_REG, not BLOCKED,
 * PENDING or MODIFIED, and EPCM.R (and EPCM.W when (write)).
 * Return: 0 or the fault; the caller must be inside an enclave.
 */
int hw_op_encl_page(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx);
int hw_op_encl(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx);

/*
 * EENTER (resume false) and ERESUME. (ret_pop) says whether ERESUME resumed
 * from a frame (its GPRs then in *ret_gpr, CSSA one less) or, with
 * AEX-Notify, entered afresh. *ret_cssa is TCS.CSSA after the entry.
 */
int hw_enter(struct hw_cpu *cpu, uint64_t tcs, uint64_t aep, bool resume,
	     struct sgx_ssa_gpr *ret_gpr, uint32_t *ret_cssa, bool *ret_pop);

/* The enclave (cpu) runs in, or NULL outside enclave mode. */
struct hw_enclave *hw_cpu_enclave(struct hw_cpu *cpu);

/*
 * TLB tracking, the model of section 4.3 of the reference: ETRACK starts a
 * new epoch once every thread that was inside at the previous one has left;
 * a page changed in epoch E (EBLOCK, EMODPR, EMODT) is tracked once a later
 * ETRACK has completed, that is once no thread can still hold a translation
 * made before the change.
 */
/*
 * epcm_entry() and epcm_untouched() (epcm.h), inline: every leaf asks the
 * first, and EREMOVE the second of every page at boot.
 *
 * Every leaf and access finds its entry here before it may write it, so a
 * 12 KiB stretch of EPCM (1,024 entries) whose bit is clear has never been
 * written: zeros, which the host has not even backed (some hosts back
 * anonymous memory on a read, too). The bit is set before the entry pointer
 * is handed out.
 */
#define HW_EPCM_TOUCHED_SHIFT 10
static inline struct hw_epcm_entry *hw_epcm_entry(struct hw_processor *p, uint64_t idx)
{
	_Atomic uint64_t *w = &p->epcm_touched[idx >> (HW_EPCM_TOUCHED_SHIFT + 6)];
	uint64_t bit = 1ULL << ((idx >> HW_EPCM_TOUCHED_SHIFT) & 63);

	if (!(atomic_load_explicit(w, memory_order_relaxed) & bit))
		atomic_fetch_or(w, bit);
	return &p->epcm[idx];
}

static inline bool hw_epcm_untouched(const struct hw_processor *p, uint64_t idx)
{
	return !(atomic_load(&p->epcm_touched[idx >> (HW_EPCM_TOUCHED_SHIFT + 6)]) &
		 (1ULL << ((idx >> HW_EPCM_TOUCHED_SHIFT) & 63)));
}

void hw_track_enter(struct hw_enclave *encl, struct hw_cpu *cpu);
void hw_track_leave(struct hw_enclave *encl, struct hw_cpu *cpu);
/* Logical CPUs inside (encl) now, of either generation. */
uint32_t hw_track_inside(const struct hw_enclave *encl);
/* ETRACK: SGX_SUCCESS, or SGX_PREV_TRK_INCMPL with nothing changed. */
int hw_track_start(struct hw_enclave *encl);
/*
 * The enclave's epoch, for a leaf to stamp a page with. One load, no lock:
 * a stamp that reads the epoch an instant before an ETRACK publishes the
 * next one is older, so it only asks for more tracking; and no thread can
 * enter after that ETRACK and touch the page before the change, as the
 * stamping leaf holds the page's entry across the load and the change.
 */
static inline uint64_t hw_track_epoch(struct hw_enclave *encl)
{
	return atomic_load(&encl->epoch);
}

bool hw_track_done(struct hw_enclave *encl, uint64_t epoch);

/*
 * ELDB/ELDU (conflict false) and ELDBC/ELDUC (true, a busy page is then
 * SGX_EPC_PAGE_CONFLICT rather than #GP), after the enumeration check.
 */
int hw_eld(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot, bool blocked,
	   bool conflict);

/* Key material: set up at power-on and at every reset. */
void hw_keys_power_on(struct hw_processor *p);
void hw_keys_boot(struct hw_processor *p);

/* MSR power-on values of one CPU. */
void hw_msr_power_on(struct hw_cpu *cpu);

#endif /* VSGX_HW_HW_H */
