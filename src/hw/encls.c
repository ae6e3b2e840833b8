/* SPDX-License-Identifier: MIT */
/*
 * What every leaf shares: fault reporting, operand access through the
 * calling CPU's address space, the register-level ENCLS entry point, and
 * names for codes, leaves and vectors.
 */
#include "vsgx/encls.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"

static int fault(struct hw_cpu *cpu, uint8_t vector, uint32_t error_code, uint64_t addr)
{
	cpu->fault.vector = vector;
	cpu->fault.error_code = error_code;
	cpu->fault.addr = addr;
	return HW_FAULT(vector);
}

int hw_fault_gp(struct hw_cpu *cpu)
{
	return fault(cpu, X86_TRAP_GP, 0, 0);
}

int hw_fault_ud(struct hw_cpu *cpu)
{
	return fault(cpu, X86_TRAP_UD, 0, 0);
}

int hw_fault_pf(struct hw_cpu *cpu, uint64_t la, uint32_t error_code)
{
	return fault(cpu, X86_TRAP_PF, error_code, la);
}

int hw_fault_mc(struct hw_cpu *cpu, uint64_t idx)
{
	return fault(cpu, X86_TRAP_MC, 0, epcm_pa(cpu->proc, idx));
}

const struct hw_fault *hw_cpu_fault(const struct hw_cpu *cpu)
{
	return &cpu->fault;
}

/* The host's view: EPC at its physical addresses, everything else a host pointer. */
static int host_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct hw_processor *p = opaque;
	uint64_t idx;

	(void)write;
	if (epcm_index(p, la, &idx)) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = la;
		return 0;
	}
	if (la < SGX_PAGE_SIZE)
		return -EFAULT;
	ret->kind = HW_XLATE_RAM;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

void hw_cpu_set_addr_space(struct hw_cpu *cpu, const struct hw_addr_space *as)
{
	if (as) {
		cpu->as = *as;
	} else {
		cpu->as.xlate = host_xlate;
		cpu->as.opaque = cpu->proc;
	}
}

void hw_cpu_set_pending_event(struct hw_cpu *cpu, bool pending)
{
	cpu->pending_event = pending;
}

int hw_encls_check(struct hw_cpu *cpu)
{
	uint64_t fc = atomic_load(&cpu->feature_control);

	if (!(fc & FEAT_CTL_LOCKED) || !(fc & FEAT_CTL_SGX_ENABLED))
		return hw_fault_gp(cpu);
	return 0;
}

int hw_xlate(struct hw_cpu *cpu, uint64_t la, bool write, struct hw_xlate *ret)
{
	ret->pfec = 0;
	if (cpu->as.xlate(cpu->as.opaque, la, write, ret))
		return hw_fault_pf(cpu, la, ret->pfec | (write ? X86_PF_WRITE : 0));
	return 0;
}

int hw_op_read(struct hw_cpu *cpu, uint64_t la, void *buf, size_t len)
{
	struct hw_xlate x;
	int r = hw_xlate(cpu, la, false, &x);

	if (r)
		return r;
	if (x.kind == HW_XLATE_EPC)
		memset(buf, 0xff, len);
	else
		memcpy(buf, x.ram, len);
	return 0;
}

int hw_op_map(struct hw_cpu *cpu, uint64_t la, const void **ret)
{
	struct hw_xlate x;
	int r = hw_xlate(cpu, la, false, &x);

	if (r)
		return r;
	*ret = x.kind == HW_XLATE_EPC ? NULL : x.ram;
	return 0;
}

int hw_op_epc(struct hw_cpu *cpu, uint64_t la, bool write, uint64_t *ret_idx)
{
	struct hw_xlate x;
	int r = hw_xlate(cpu, la, write, &x);

	if (r)
		return r;
	if (x.kind != HW_XLATE_EPC || !epcm_index(cpu->proc, x.pa, ret_idx))
		return hw_fault_pf(cpu, la, hw_pf_epcm(write));
	return 0;
}

int hw_op_epc_page(struct hw_cpu *cpu, uint64_t la, uint64_t *ret_idx)
{
	int r = hw_encls_check(cpu);

	if (r)
		return r;
	if (la & ~SGX_PAGE_MASK)
		return hw_fault_gp(cpu);
	return hw_op_epc(cpu, la, true, ret_idx);
}

int hw_cpu_enclave_enter_raw(struct hw_cpu *cpu, uint64_t secs_pa)
{
	struct hw_epcm_entry *e;
	uint64_t idx;

	if (cpu->inside)
		return -EBUSY;
	if (!epcm_index(cpu->proc, secs_pa, &idx))
		return -EINVAL;
	e = epcm_entry(cpu->proc, idx);
	if (!epcm_trylock(e))
		return -EBUSY;
	/* Only an enclave with pages (a TCS, on hardware) can have a thread inside. */
	if (!(e->flags & EPCM_VALID) || e->pt != SGX_PT_SECS ||
	    !atomic_load(&epcm_enclave(e)->children)) {
		epcm_unlock(e);
		return -EINVAL;
	}
	hw_track_enter(epcm_enclave(e), cpu);
	cpu->inside = (uint32_t)idx + 1;
	cpu->tcs = 0;
	epcm_unlock(e);
	return 0;
}

int hw_cpu_enclave_exit_raw(struct hw_cpu *cpu)
{
	struct hw_epcm_entry *e;

	if (!cpu->inside || cpu->tcs)
		return -ENOENT;
	/* A SECS cannot go while a thread is inside: its children pin it. */
	e = epcm_entry(cpu->proc, cpu->inside - 1);
	hw_track_leave(epcm_enclave(e), cpu);
	cpu->inside = 0;
	return 0;
}

/* Leaves that report a warning with CF=1 rather than an error with ZF=1. */
static bool code_sets_cf(unsigned int leaf, int code)
{
	switch (code) {
	case SGX_BLKSTATE:
	case SGX_NOTBLOCKABLE:
	case SGX_PG_IS_SECS:
	case SGX_VA_SLOT_OCCUPIED:
	case SGX_PG_NONEPC:
		return true;
	case SGX_PG_INVLD:
		/* ETRACKC's invalid page is an error (ZF), ERDINFO's an answer (CF). */
		return leaf == SGX_EBLOCK || leaf == SGX_ERDINFO;
	case SGX_TRACK_NOT_REQUIRED:
		return true;
	default:
		return false;
	}
}

static uint64_t encls_rflags(uint64_t rflags, unsigned int leaf, int code)
{
	rflags &= ~(HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF |
		    HW_RFLAGS_OF);
	if (code_sets_cf(leaf, code))
		rflags |= HW_RFLAGS_CF;
	else if (code != SGX_SUCCESS)
		rflags |= HW_RFLAGS_ZF;
	return rflags;
}

/*
 * Leaves that return no code: the SDM's "Flags Affected: None" for
 * ECREATE, EADD, EEXTEND, EPA and EAUG, which leave RAX (their leaf number)
 * and RFLAGS as they were; they either complete or fault.
 */
static bool encls_leaf_is_silent(unsigned int leaf)
{
	return leaf == SGX_ECREATE || leaf == SGX_EADD || leaf == SGX_EEXTEND || leaf == SGX_EPA ||
	       leaf == SGX_EAUG;
}

static bool encls_leaf_is_sgx2(unsigned int leaf)
{
	return leaf == SGX_EAUG || leaf == SGX_EMODPR || leaf == SGX_EMODT;
}

static int encls_dispatch(struct hw_cpu *cpu, unsigned int leaf, struct hw_regs *regs)
{
	switch (leaf) {
	case SGX_ECREATE:
		return hw_ecreate(cpu, regs->rbx, regs->rcx);
	case SGX_EADD:
		return hw_eadd(cpu, regs->rbx, regs->rcx);
	case SGX_EINIT:
		return hw_einit(cpu, regs->rbx, regs->rcx, regs->rdx);
	case SGX_EREMOVE:
		return hw_eremove(cpu, regs->rcx);
	case SGX_EEXTEND:
		return hw_eextend(cpu, regs->rbx, regs->rcx);
	case SGX_EPA:
		return hw_epa(cpu, regs->rbx, regs->rcx);
	case SGX_EDBGRD:
		return hw_edbgrd(cpu, regs->rcx, &regs->rbx);
	case SGX_EDBGWR:
		return hw_edbgwr(cpu, regs->rcx, regs->rbx);
	case SGX_EBLOCK:
		return hw_eblock(cpu, regs->rcx);
	case SGX_ETRACK:
		return hw_etrack(cpu, regs->rcx);
	case SGX_EWB:
		return hw_ewb(cpu, regs->rbx, regs->rcx, regs->rdx);
	case SGX_ELDB:
		return hw_eldb(cpu, regs->rbx, regs->rcx, regs->rdx);
	case SGX_ELDU:
		return hw_eldu(cpu, regs->rbx, regs->rcx, regs->rdx);
	case SGX_EAUG:
		return hw_eaug(cpu, regs->rbx, regs->rcx);
	case SGX_EMODPR:
		return hw_emodpr(cpu, regs->rbx, regs->rcx);
	case SGX_EMODT:
		return hw_emodt(cpu, regs->rbx, regs->rcx);
	/* The oversubscription extensions' leaves: unsupported where not enumerated. */
	case SGX_ERDINFO:
		return hw_erdinfo(cpu, regs->rbx, regs->rcx);
	case SGX_ETRACKC:
		return hw_etrackc(cpu, regs->rcx);
	case SGX_ELDBC:
		return hw_eldbc(cpu, regs->rbx, regs->rcx, regs->rdx);
	case SGX_ELDUC:
		return hw_elduc(cpu, regs->rbx, regs->rcx, regs->rdx);
	default:
		return hw_leaf_unsupported(cpu);
	}
}

int hw_leaf_unsupported(struct hw_cpu *cpu)
{
	int r = hw_encls_check(cpu);

	return r ? r : hw_fault_gp(cpu);
}

int hw_encls(struct hw_cpu *cpu, struct hw_regs *regs)
{
	/* Only EAX[31:0] selects the leaf. */
	unsigned int leaf = (uint32_t)regs->rax;
	int r;

	if (encls_leaf_is_sgx2(leaf) && !cpu->proc->desc.sgx2)
		return hw_leaf_unsupported(cpu);
	r = encls_dispatch(cpu, leaf, regs);
	if (hw_faulted(r) || encls_leaf_is_silent(leaf))
		return r;
	regs->rax = (uint64_t)r;
	regs->rflags = encls_rflags(regs->rflags, leaf, r);
	return r;
}

static const char *const code_names[] = {
	[SGX_SUCCESS] = "SGX_SUCCESS",
	[SGX_INVALID_SIG_STRUCT] = "SGX_INVALID_SIG_STRUCT",
	[SGX_INVALID_ATTRIBUTE] = "SGX_INVALID_ATTRIBUTE",
	[SGX_BLKSTATE] = "SGX_BLKSTATE",
	[SGX_INVALID_MEASUREMENT] = "SGX_INVALID_MEASUREMENT",
	[SGX_NOTBLOCKABLE] = "SGX_NOTBLOCKABLE",
	[SGX_PG_INVLD] = "SGX_PG_INVLD",
	[SGX_EPC_PAGE_CONFLICT] = "SGX_EPC_PAGE_CONFLICT",
	[SGX_INVALID_SIGNATURE] = "SGX_INVALID_SIGNATURE",
	[SGX_MAC_COMPARE_FAIL] = "SGX_MAC_COMPARE_FAIL",
	[SGX_PAGE_NOT_BLOCKED] = "SGX_PAGE_NOT_BLOCKED",
	[SGX_NOT_TRACKED] = "SGX_NOT_TRACKED",
	[SGX_VA_SLOT_OCCUPIED] = "SGX_VA_SLOT_OCCUPIED",
	[SGX_CHILD_PRESENT] = "SGX_CHILD_PRESENT",
	[SGX_ENCLAVE_ACT] = "SGX_ENCLAVE_ACT",
	[SGX_ENTRYEPOCH_LOCKED] = "SGX_ENTRYEPOCH_LOCKED",
	[SGX_INVALID_EINITTOKEN] = "SGX_INVALID_EINITTOKEN",
	[SGX_PREV_TRK_INCMPL] = "SGX_PREV_TRK_INCMPL",
	[SGX_PG_IS_SECS] = "SGX_PG_IS_SECS",
	[SGX_PAGE_ATTRIBUTES_MISMATCH] = "SGX_PAGE_ATTRIBUTES_MISMATCH",
	[SGX_PAGE_NOT_MODIFIABLE] = "SGX_PAGE_NOT_MODIFIABLE",
	[SGX_PAGE_NOT_DEBUGGABLE] = "SGX_PAGE_NOT_DEBUGGABLE",
	[SGX_INVALID_COUNTER] = "SGX_INVALID_COUNTER",
	[SGX_PG_NONEPC] = "SGX_PG_NONEPC",
	[SGX_TRACK_NOT_REQUIRED] = "SGX_TRACK_NOT_REQUIRED",
	[SGX_INVALID_CPUSVN] = "SGX_INVALID_CPUSVN",
	[SGX_INVALID_ISVSVN] = "SGX_INVALID_ISVSVN",
	[SGX_UNMASKED_EVENT] = "SGX_UNMASKED_EVENT",
	[SGX_INVALID_KEYNAME] = "SGX_INVALID_KEYNAME",
};

const char *hw_code_name(int code)
{
	if (code < 0 || (size_t)code >= sizeof(code_names) / sizeof(code_names[0]))
		return NULL;
	return code_names[code];
}

static const char *const leaf_names[SGX_ENCLS_LEAF_MAX] = {
	[SGX_ECREATE] = "ECREATE", [SGX_EADD] = "EADD",	      [SGX_EINIT] = "EINIT",
	[SGX_EREMOVE] = "EREMOVE", [SGX_EDBGRD] = "EDBGRD",   [SGX_EDBGWR] = "EDBGWR",
	[SGX_EEXTEND] = "EEXTEND", [SGX_ELDB] = "ELDB",	      [SGX_ELDU] = "ELDU",
	[SGX_EBLOCK] = "EBLOCK",   [SGX_EPA] = "EPA",	      [SGX_EWB] = "EWB",
	[SGX_ETRACK] = "ETRACK",   [SGX_EAUG] = "EAUG",	      [SGX_EMODPR] = "EMODPR",
	[SGX_EMODT] = "EMODT",	   [SGX_ERDINFO] = "ERDINFO", [SGX_ETRACKC] = "ETRACKC",
	[SGX_ELDBC] = "ELDBC",	   [SGX_ELDUC] = "ELDUC",
};

const char *hw_encls_leaf_name(unsigned int leaf)
{
	return leaf < SGX_ENCLS_LEAF_MAX ? leaf_names[leaf] : NULL;
}

const char *hw_vector_name(unsigned int vector)
{
	switch (vector) {
	case X86_TRAP_UD:
		return "#UD";
	case X86_TRAP_NM:
		return "#NM";
	case X86_TRAP_GP:
		return "#GP";
	case X86_TRAP_PF:
		return "#PF";
	case X86_TRAP_MC:
		return "#MC";
	default:
		return "#?";
	}
}
