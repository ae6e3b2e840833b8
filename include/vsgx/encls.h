/* SPDX-License-Identifier: MIT */
/*
 * ENCLS and ENCLU leaves of the modelled processor.
 *
 * Every leaf runs on one logical CPU and takes its operands as the hardware
 * does: as linear addresses in RBX, RCX and RDX, resolved through that CPU's
 * current address space (struct hw_addr_space). Each call ends in exactly one
 * of two ways, and the two never mix:
 *
 *   - it completes, returning the SGX return code it left in RAX:
 *     SGX_SUCCESS (0) or one of enum sgx_return_code;
 *   - it faults, returning HW_FAULT(vector); the vector, error code and (for
 *     #PF) the faulting address are then in hw_cpu_fault(cpu).
 *
 * Faults are checked in the order the SDM's pseudocode checks them, so the
 * first problem with the operands is the one reported.
 *
 * One more result exists only in the model: -ENOMEM when the host cannot
 * allocate the memory that holds a page's contents. It is the model's own
 * resource failure, never an SGX outcome, and the leaf then changed nothing.
 */
#ifndef VSGX_ENCLS_H
#define VSGX_ENCLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"

struct hw_cpu;
struct hw_processor;

/* A fault is its vector with this flag set, as Linux encodes ENCLS faults. */
#define HW_FAULT_FLAG	 0x40000000
#define HW_FAULT(vector) (HW_FAULT_FLAG | (vector))

static inline bool hw_faulted(int r)
{
	return (r & HW_FAULT_FLAG) != 0;
}

static inline int hw_trapnr(int r)
{
	return r & ~HW_FAULT_FLAG;
}

struct hw_fault {
	uint8_t vector;	     /* X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD, X86_TRAP_MC */
	uint32_t error_code; /* #PF: X86_PF_* bits; #GP, #MC: 0 */
	uint64_t addr;	     /* #PF: the faulting linear address (CR2); #MC: the poisoned
				page's physical address (MCi_ADDR) */
};

/* The fault of the last leaf or MSR access on (cpu) that faulted. */
const struct hw_fault *hw_cpu_fault(const struct hw_cpu *cpu);

/*
 * Where a linear address lands: in the EPC (at a physical address) or in
 * ordinary memory, which the model reaches through a host pointer.
 */
enum hw_xlate_kind {
	HW_XLATE_EPC,
	HW_XLATE_RAM,
};

struct hw_xlate {
	enum hw_xlate_kind kind;
	uint64_t pa; /* HW_XLATE_EPC: physical address of the byte */
	void *ram;   /* HW_XLATE_RAM: host address of the byte; valid to its page end */
	/*
	 * When the translation fails: the #PF error code of the walk, so that
	 * the leaf's #PF carries exactly what an emulator's page walk found
	 * (X86_PF_PROT, X86_PF_USER, ...). Zero means not present; the model
	 * adds X86_PF_WRITE for a write.
	 */
	uint32_t pfec;
};

/*
 * A calling context's translation, the model's stand-in for CR3 and EPT.
 * (xlate) resolves linear address (la) for a read or a write and returns 0,
 * or -EFAULT when nothing is mapped there (the leaf raises #PF(la) with the
 * error code in ret->pfec). It may
 * do work to make the address resolve, as a hypervisor's EPT-violation
 * handler allocates a guest's EPC page on first touch.
 */
struct hw_addr_space {
	int (*xlate)(void *opaque, uint64_t la, bool write, struct hw_xlate *ret);
	void *opaque;
};

/*
 * Make (as) the address space of (cpu); NULL restores the host's: identity
 * over the EPC sections, every other address a host pointer (below 4 KiB
 * nothing is mapped). The structure is copied.
 */
void hw_cpu_set_addr_space(struct hw_cpu *cpu, const struct hw_addr_space *as);

/*
 * Mark an interrupt (or NMI, SMI, ...) pending on (cpu) or clear it. EINIT
 * polls for it and gives up with SGX_UNMASKED_EVENT while one is pending.
 */
void hw_cpu_set_pending_event(struct hw_cpu *cpu, bool pending);

/*
 * Put (cpu) inside the enclave whose SECS is at physical address (secs_pa),
 * or take it out again, without EENTER/EEXIT and without a TCS. It lets the
 * teardown paths be tested against a busy enclave (EREMOVE answers
 * SGX_ENCLAVE_ACT) without building a thread; the entry counts for tracking
 * like any other.
 * Return: 0, -EINVAL if (secs_pa) is not a valid SECS of an enclave with at
 * least one page, -EBUSY if (cpu) is already inside an enclave (enter) or
 * -ENOENT if it is not inside through a raw entry (exit).
 */
int hw_cpu_enclave_enter_raw(struct hw_cpu *cpu, uint64_t secs_pa);
int hw_cpu_enclave_exit_raw(struct hw_cpu *cpu);

/*
 * The VMX operation of (cpu), which the model has no VMX to derive: outside
 * VMX operation (the power-on state), in VMX root operation (the VMM), or in
 * VMX non-root operation (a guest) with or without the VMCS's "enable EPC
 * virtualization extensions" control (epc_virt). ENCLV runs only in VMX root
 * operation here: the model's VMM never lets a guest issue it, so in
 * non-root operation it is #UD, as with "enable ENCLV exiting" clear. In
 * non-root operation with (epc_virt), EREMOVE and EWB of a SECS count a
 * nonzero VIRTCHILDCNT as a child and ERDINFO folds it into CHILDPRESENT.
 */
enum hw_vmx_mode {
	HW_VMX_OFF,
	HW_VMX_ROOT,
	HW_VMX_NONROOT,
};
void hw_cpu_set_vmx(struct hw_cpu *cpu, enum hw_vmx_mode mode, bool epc_virt);

/* ECREATE: RBX = &PAGEINFO, RCX = &EPC page for the SECS. */
int hw_ecreate(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc);

/* EADD: RBX = &PAGEINFO, RCX = &EPC page. */
int hw_eadd(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc);

/* EEXTEND: RBX = &SECS, RCX = &256-byte chunk of an EPC page. */
int hw_eextend(struct hw_cpu *cpu, uint64_t secs, uint64_t chunk);

/* EINIT: RBX = &SIGSTRUCT, RCX = &SECS, RDX = &EINITTOKEN. */
int hw_einit(struct hw_cpu *cpu, uint64_t sigstruct, uint64_t secs, uint64_t token);

/* EREMOVE: RCX = &EPC page. */
int hw_eremove(struct hw_cpu *cpu, uint64_t epc);

/* EPA: RBX = PT_VA, RCX = &EPC page to become a version array. */
int hw_epa(struct hw_cpu *cpu, uint64_t pt, uint64_t epc);

/* EBLOCK: RCX = &EPC page. */
int hw_eblock(struct hw_cpu *cpu, uint64_t epc);

/* ETRACK: RCX = &SECS. */
int hw_etrack(struct hw_cpu *cpu, uint64_t secs);

/*
 * EWB: RBX = &PAGEINFO (SRCPGE: where the encrypted page goes, SECINFO: the
 * PCMD to fill), RCX = &EPC page, RDX = &VA slot.
 */
int hw_ewb(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot);

/*
 * ELDB / ELDU: RBX = &PAGEINFO (SRCPGE: the encrypted page, SECINFO: its
 * PCMD, LINADDR, SECS), RCX = &EPC page, RDX = &VA slot. ELDB leaves a child
 * page BLOCKED.
 */
int hw_eldb(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot);
int hw_eldu(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot);

/* SGX2. EAUG: RBX = &PAGEINFO, RCX = &EPC page. */
int hw_eaug(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc);

/* EMODPR / EMODT: RBX = &SECINFO, RCX = &EPC page. */
int hw_emodpr(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc);
int hw_emodt(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc);

/*
 * The EPC Oversubscription Extensions' ENCLS leaves (<vsgx/processor.h>
 * hw_desc.oversub, CPUID.(12h,0):EAX[6]); on a part without them each is
 * #UD, as hw_encls() makes any leaf the part does not enumerate.
 *
 * ERDINFO: RBX = &RDINFO (32 bytes, written), RCX = &page. An RCX outside
 * the EPC completes with SGX_PG_NONEPC and an invalid page with SGX_PG_INVLD
 * (both CF=1), a busy page with SGX_EPC_PAGE_CONFLICT; else RDINFO has
 * STATUS (SGX_RDINFO_CHILDPRESENT, SGX_RDINFO_VIRTCHILDPRESENT, for a
 * SECS), FLAGS (SECINFO.FLAGS' layout plus SGX_RDINFO_BLOCKED) and the
 * ENCLAVECONTEXT of the page's enclave (0 for a VA page).
 */
int hw_erdinfo(struct hw_cpu *cpu, uint64_t rdinfo, uint64_t epc);

/*
 * ETRACKC: RCX = &EPC page: ETRACK on the enclave of any of its pages (the
 * SECS itself, or a child's SECS), reporting a busy page or tracking
 * resource as SGX_EPC_PAGE_CONFLICT, an invalid page as SGX_PG_INVLD and a
 * page of no enclave (VA) as SGX_TRACK_NOT_REQUIRED (CF=1).
 */
int hw_etrackc(struct hw_cpu *cpu, uint64_t epc);

/*
 * ELDBC / ELDUC: ELDB / ELDU that complete with SGX_EPC_PAGE_CONFLICT where
 * those fault #GP on a busy target, VA or SECS page.
 */
int hw_eldbc(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot);
int hw_elduc(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot);

/*
 * ENCLV, the VMM's leaves (CPUID.(12h,0):EAX[5]). Each is #UD unless the
 * part enumerates them and (cpu) is in VMX root operation (hw_cpu_set_vmx),
 * then #GP(0) unless FEATURE_CONTROL enables SGX.
 *
 * EINCVIRTCHILD / EDECVIRTCHILD: RBX = &page of an enclave (a child or its
 * SECS), RCX = &that enclave's SECS: count one more / one less virtual child
 * (a page the VMM evicted behind the guest's back) in the SECS's
 * VIRTCHILDCNT. SGX_EPC_PAGE_CONFLICT when the page is busy;
 * EDECVIRTCHILD of a zero count is SGX_INVALID_COUNTER.
 */
int hw_eincvirtchild(struct hw_cpu *cpu, uint64_t page, uint64_t secs);
int hw_edecvirtchild(struct hw_cpu *cpu, uint64_t page, uint64_t secs);

/*
 * ESETCONTEXT: RCX = &SECS, RDX = &the 8-byte value to store in its
 * ENCLAVECONTEXT (what ERDINFO reports), e.g. the guest-physical address of
 * a SECS the VMM created or reloaded on the guest's behalf.
 */
int hw_esetcontext(struct hw_cpu *cpu, uint64_t secs, uint64_t context);

/*
 * EDBGRD / EDBGWR: RCX = address in a debug enclave's EPC page, RBX = the
 * 8 bytes read (*data) or written (data).
 */
int hw_edbgrd(struct hw_cpu *cpu, uint64_t addr, uint64_t *data);
int hw_edbgwr(struct hw_cpu *cpu, uint64_t addr, uint64_t data);

/*
 * ENCLU. No enclave code runs in the model: EENTER and ERESUME put (cpu) in
 * enclave mode and EEXIT or an asynchronous exit take it out, with every
 * architectural effect on the TCS, the SSA frames, the enclave's thread count
 * and TLB tracking. While inside, hw_enclave_read() and hw_enclave_write()
 * stand for the enclave's own loads and stores, and the leaves below that
 * run inside an enclave take enclave linear addresses.
 *
 * EENTER: RBX = &TCS, RCX = AEP. On success *ret_cssa is TCS.CSSA (RAX).
 */
int hw_eenter(struct hw_cpu *cpu, uint64_t tcs, uint64_t aep, uint32_t *ret_cssa);

/*
 * ERESUME: RBX = &TCS, RCX = AEP. On success the GPR area of the frame it
 * resumes from is copied to *ret_gpr when that is not NULL.
 */
int hw_eresume(struct hw_cpu *cpu, uint64_t tcs, uint64_t aep, struct sgx_ssa_gpr *ret_gpr);

/* EEXIT: RBX = target. On success *ret_aep is the AEP of the entry (RCX). */
int hw_eexit(struct hw_cpu *cpu, uint64_t target, uint64_t *ret_aep);

/*
 * An asynchronous exit: an interrupt or exception (vector) arrived while (cpu)
 * was inside, with the registers in (gpr) (RIP, RFLAGS, ...). The state goes
 * to SSA frame CSSA, with EXITINFO for an exception (and MISC.EXINFO for #PF
 * and #GP when the enclave selected it, using (fault) for their details),
 * CSSA grows by one and the thread leaves. (fault) may be NULL for anything
 * but #PF and #GP.
 * Return: 0, or -EINVAL when (cpu) is not inside through EENTER/ERESUME.
 */
struct hw_aex {
	uint8_t vector;	   /* interrupt/exception vector; 0..31 are exceptions */
	bool is_interrupt; /* an external interrupt (no EXITINFO) */
	uint32_t error_code;
	uint64_t addr; /* #PF: the faulting address */
};
int hw_aex(struct hw_cpu *cpu, const struct sgx_ssa_gpr *gpr, const struct hw_aex *why);

/*
 * Loads and stores of enclave code on (cpu), with enclave-mode access rules:
 * inside ELRANGE only the enclave's own readable (writable) regular pages;
 * outside it ordinary memory, where EPC reads as all ones and writes are
 * dropped. Return: 0, HW_FAULT(X86_TRAP_PF), or -EINVAL outside enclave mode.
 */
int hw_enclave_read(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len);
int hw_enclave_write(struct hw_cpu *cpu, uint64_t la, const void *buf, size_t len);

/* EREPORT: RBX = &TARGETINFO, RCX = &REPORTDATA, RDX = &REPORT (output). */
int hw_ereport(struct hw_cpu *cpu, uint64_t targetinfo, uint64_t reportdata, uint64_t report);

/* EGETKEY: RBX = &KEYREQUEST, RCX = &16-byte key (output). */
int hw_egetkey(struct hw_cpu *cpu, uint64_t keyrequest, uint64_t key);

/* SGX2, inside. EACCEPT and EMODPE: RBX = &SECINFO, RCX = &page. */
int hw_eaccept(struct hw_cpu *cpu, uint64_t secinfo, uint64_t page);
int hw_emodpe(struct hw_cpu *cpu, uint64_t secinfo, uint64_t page);

/* EACCEPTCOPY: RBX = &SECINFO, RCX = &destination page, RDX = &source page. */
int hw_eacceptcopy(struct hw_cpu *cpu, uint64_t secinfo, uint64_t dst, uint64_t src);

/*
 * ENCLS with the architectural register interface: the leaf in (rax), its
 * operands in (rbx, rcx, rdx). On completion rax holds the return code and
 * rflags the flags the leaf defines (ZF on error; CF for the "warning" codes);
 * the function's own result is as for the typed calls above. An unknown leaf
 * is #GP(0); an SGX2 leaf on a part without SGX2, and an oversubscription
 * leaf (ERDINFO, ETRACKC, ELDBC, ELDUC) on a part without those, is #UD.
 */
struct hw_regs {
	uint64_t rax, rbx, rcx, rdx;
	uint64_t rflags;
};
#define HW_RFLAGS_CF (1ULL << 0)
#define HW_RFLAGS_PF (1ULL << 2)
#define HW_RFLAGS_AF (1ULL << 4)
#define HW_RFLAGS_ZF (1ULL << 6)
#define HW_RFLAGS_SF (1ULL << 7)
#define HW_RFLAGS_OF (1ULL << 11)
int hw_encls(struct hw_cpu *cpu, struct hw_regs *regs);

/*
 * ENCLV with the architectural register interface, as hw_encls(): RAX the
 * leaf (EDECVIRTCHILD 0, EINCVIRTCHILD 1, ESETCONTEXT 2), RBX, RCX, RDX its
 * operands; on completion RAX holds the code and RFLAGS ZF on error, CF, PF,
 * AF, OF and SF cleared. #UD as above, #GP(0) for any other leaf number.
 */
int hw_enclv(struct hw_cpu *cpu, struct hw_regs *regs);

/*
 * ENCLU with the architectural register interface. EENTER and ERESUME inside
 * an enclave, and the other leaves outside one, are #GP(0); SGX2 leaves on a
 * part without SGX2 are #UD. Outputs: EENTER RAX = CSSA; ERESUME RAX, RBX,
 * RCX, RDX from the SSA frame; EEXIT RCX = AEP; others RAX = the return code
 * with ZF set on error.
 */
int hw_enclu(struct hw_cpu *cpu, struct hw_regs *regs);

/* "SGX_INVALID_SIGNATURE" for 8, and so on; NULL for a value no leaf returns. */
const char *hw_code_name(int code);

/* "ECREATE" for SGX_ECREATE; NULL for an unknown leaf. */
const char *hw_encls_leaf_name(unsigned int leaf);

/* "EINCVIRTCHILD" for SGX_EINCVIRTCHILD; NULL for an unknown leaf. */
const char *hw_enclv_leaf_name(unsigned int leaf);

/* "EENTER" for SGX_EENTER; NULL for an unknown leaf. */
const char *hw_enclu_leaf_name(unsigned int leaf);

/* "#GP", "#PF", "#UD", ... for a fault vector. */
const char *hw_vector_name(unsigned int vector);

#endif /* VSGX_ENCLS_H */
