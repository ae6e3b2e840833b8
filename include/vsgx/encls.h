/* SPDX-License-Identifier: MIT */
/*
 * ENCLS (and, later, ENCLU) leaves of the modelled processor.
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
	uint8_t vector;	     /* X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD */
	uint32_t error_code; /* #PF: X86_PF_* bits; #GP: 0 */
	uint64_t addr;	     /* #PF: the faulting linear address (CR2) */
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
};

/*
 * A calling context's translation, the model's stand-in for CR3 and EPT.
 * (xlate) resolves linear address (la) for a read or a write and returns 0,
 * or -EFAULT when nothing is mapped there (the leaf raises #PF(la)). It may
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
 * or take it out again, without EENTER/EEXIT. It lets the SGX1 build and
 * teardown paths be tested against a busy enclave (EREMOVE answers
 * SGX_ENCLAVE_ACT) until ENCLU is modelled.
 * Return: 0, -EINVAL if (secs_pa) is not a valid SECS of an enclave with at
 * least one page, -EBUSY if (cpu) is
 * already inside an enclave (enter) or -ENOENT if it is not (exit).
 */
int hw_cpu_enclave_enter_raw(struct hw_cpu *cpu, uint64_t secs_pa);
int hw_cpu_enclave_exit_raw(struct hw_cpu *cpu);

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

/*
 * ENCLS with the architectural register interface: the leaf in (rax), its
 * operands in (rbx, rcx, rdx). On completion rax holds the return code and
 * rflags the flags the leaf defines (ZF on error; CF for the "warning" codes);
 * the function's own result is as for the typed calls above. An unknown leaf
 * is #GP(0); an SGX2 leaf on a part without SGX2 is #UD.
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

/* "SGX_INVALID_SIGNATURE" for 8, and so on; NULL for a value no leaf returns. */
const char *hw_code_name(int code);

/* "ECREATE" for SGX_ECREATE; NULL for an unknown leaf. */
const char *hw_encls_leaf_name(unsigned int leaf);

/* "#GP", "#PF", "#UD", ... for a fault vector. */
const char *hw_vector_name(unsigned int vector);

#endif /* VSGX_ENCLS_H */
