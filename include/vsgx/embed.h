/* SPDX-License-Identifier: MIT */
/*
 * The SGX unit's interface to a CPU emulator.
 *
 * An emulator (QEMU's TCG, say) keeps decoding instructions, moving
 * registers, walking its page tables and delivering faults; the processor
 * model decides every SGX outcome. The emulator:
 *
 *   - creates a processor whose EPC sections live in memory it maps into its
 *     guest (struct hw_epc_section_desc.contents), with a logical CPU per vCPU;
 *   - gives each CPU an address space (hw_cpu_set_addr_space()) whose xlate
 *     callback runs its own page walk, reporting a failed walk's #PF error
 *     code in hw_xlate.pfec; physical addresses inside an EPC section are
 *     HW_XLATE_EPC, anything else a host pointer;
 *   - runs ENCLS and ENCLU through vsgx_encls() and vsgx_enclu() on its
 *     register file. A leaf never unwinds through the emulator: it returns 0
 *     or HW_FAULT(vector), and the emulator raises the fault that
 *     hw_cpu_fault() describes;
 *   - in enclave mode (vsgx_cpu_enclave()), asks vsgx_enclave_access() at each
 *     TLB fill whether enclave code may touch a page, and maps the page's
 *     contents with the protection it returns; outside enclave mode, maps
 *     every EPC address as the abort page (reads all ones, writes dropped);
 *   - calls vsgx_aex() before it delivers any interrupt or exception that
 *     arrives while a CPU is in enclave mode;
 *   - drops what it translated from EPC bytes the model writes, when told by
 *     the callback of vsgx_processor_set_epc_written().
 *
 * A TLB entry for enclave memory may stay until the CPU leaves enclave mode:
 * every EPCM change that takes rights away either waits for the threads
 * inside to leave (ETRACK) or fails while they are inside, and the rights
 * a change grants are seen at the next fill. So flushing the enclave's
 * entries at every entry and exit (EENTER, ERESUME, EEXIT, AEX) is exact.
 *
 * Threads: one emulator thread per logical CPU, as for every hw_* call.
 */
#ifndef VSGX_EMBED_H
#define VSGX_EMBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/encls.h"
#include "vsgx/processor.h"

/*
 * A segment register with its hidden part. (attrib) holds the descriptor's
 * type, S, DPL, P, AVL, L, D/B and G bits where a segment descriptor's
 * second doubleword holds them (bits 8 to 23).
 */
struct vsgx_segment {
	uint64_t base;
	uint32_t limit;
	uint32_t attrib;
	uint16_t selector;
};

/* Segment attribute bits, at their place in a descriptor's second doubleword. */
#define VSGX_SEG_TYPE_SHIFT 8
#define VSGX_SEG_S	    (1u << 12)
#define VSGX_SEG_DPL_SHIFT  13
#define VSGX_SEG_P	    (1u << 15)
#define VSGX_SEG_AVL	    (1u << 20)
#define VSGX_SEG_L	    (1u << 21)
#define VSGX_SEG_DB	    (1u << 22)
#define VSGX_SEG_G	    (1u << 23)

/* Indexes into vsgx_regs.gpr, in the order of the instruction encoding. */
enum vsgx_gpr {
	VSGX_RAX,
	VSGX_RCX,
	VSGX_RDX,
	VSGX_RBX,
	VSGX_RSP,
	VSGX_RBP,
	VSGX_RSI,
	VSGX_RDI,
	VSGX_R8,
	VSGX_R9,
	VSGX_R10,
	VSGX_R11,
	VSGX_R12,
	VSGX_R13,
	VSGX_R14,
	VSGX_R15,
	VSGX_NR_GPRS
};

/*
 * The architectural state an enclave transition reads or writes. On entry
 * to vsgx_encls(), vsgx_enclu() and vsgx_aex(), all of it is the CPU's
 * current state, except (rip): the address of the instruction after ENCLS
 * or ENCLU (for an AEX, where the interrupted code resumes: the faulting
 * instruction for a fault, the next one for a trap or an interrupt). On
 * return it is the state to continue with.
 */
struct vsgx_regs {
	uint64_t gpr[VSGX_NR_GPRS];
	uint64_t rip;
	uint64_t rflags;
	struct vsgx_segment fs, gs;
	uint64_t xcr0;
	uint64_t cr0, cr4; /* read only */
	uint64_t efer;	   /* read only: LMA tells 64-bit mode with cs_l */
	bool cs_l;	   /* read only: CS.L */
	uint8_t cpl;	   /* read only */
};

#define VSGX_CR0_PE	 (1ull << 0)
#define VSGX_CR0_TS	 (1ull << 3)
#define VSGX_CR0_NE	 (1ull << 5)
#define VSGX_CR0_PG	 (1ull << 31)
#define VSGX_CR4_OSFXSR	 (1ull << 9)
#define VSGX_CR4_OSXSAVE (1ull << 18)
#define VSGX_EFER_LMA	 (1ull << 10)
#define VSGX_RFLAGS_TF	 (1ull << 8)

/*
 * The XSAVE state of the CPU in the standard (non-compacted) XSAVE format,
 * as CPUID leaf 0xD lays it out: the 512-byte legacy region, the 64-byte
 * header (XSTATE_BV at byte 512), then each component at its offset.
 * (size) is at least the XSAVE size of every XCR0 the guest can set.
 */
struct vsgx_xsave {
	void *area;
	size_t size;
};

/*
 * What vsgx_enclu() and vsgx_aex() changed besides the registers: whether
 * the CPU entered or left enclave mode (flush the enclave's TLB entries),
 * and whether the XSAVE image now holds state to load into the CPU.
 */
#define VSGX_ENTERED	   (1u << 0)
#define VSGX_EXITED	   (1u << 1)
#define VSGX_XSAVE_CHANGED (1u << 2)

/*
 * ENCLS: RAX selects the leaf, RBX, RCX and RDX are its operands. On
 * completion RAX and RFLAGS hold what the leaf leaves there.
 * The checks that precede any leaf are the emulator's, as its decoder
 * knows them: #UD in real or virtual-8086 mode, in SMM, with CPL > 0, when
 * CPUID.(12h,0):EAX.SGX1 is clear (hw_cpuid()); the model makes the rest
 * (#GP when FEATURE_CONTROL does not lock SGX on, CR0.PG = 0, an unknown
 * leaf).
 * Return: 0, HW_FAULT(vector) (details in hw_cpu_fault()), or -ENOMEM (the
 * model could not allocate memory: the leaf changed nothing).
 */
int vsgx_encls(struct hw_cpu *cpu, struct vsgx_regs *regs);

/*
 * ENCLU. The emulator makes the decode-time checks (#UD outside protected
 * mode, in SMM, with CPL < 3, without SGX1; #NM when CR0.TS is set).
 * EENTER and ERESUME load RIP, RCX, RAX, FS, GS and XCR0 for the enclave,
 * and ERESUME its saved registers; EEXIT restores what entry saved. (xsave)
 * is the CPU's current XSAVE state; ERESUME replaces the enclave's
 * components in it with those of the SSA frame, checked as XRSTOR checks
 * them, and sets VSGX_XSAVE_CHANGED in *ret_changed: the emulator then loads
 * the whole image. *ret_changed may be NULL for no answer.
 * Return: as vsgx_encls().
 */
int vsgx_enclu(struct hw_cpu *cpu, struct vsgx_regs *regs, struct vsgx_xsave *xsave,
	       unsigned int *ret_changed);

/*
 * An asynchronous exit, made when an interrupt or exception (why) arrives
 * while (cpu) is in enclave mode, before it is delivered. The state in
 * (regs) and the enclave's components of (xsave) go to the current SSA
 * frame, with EXITINFO (and MISC.EXINFO) as the enclave asked; (regs) and
 * (xsave) then hold the synthetic state the event is delivered on: RAX =
 * ERESUME, RBX = the TCS, RCX = RIP = the AEP, RSP and RBP as at entry, the
 * other GPRs zero, FS, GS and XCR0 as before the entry, the enclave's XSAVE
 * components in their initial state (the emulator loads the image:
 * VSGX_XSAVE_CHANGED). A #PF's address goes to CR2 without its low 12 bits
 * (vsgx_aex_cr2()).
 * Return: 0, or -EINVAL when (cpu) is not in enclave mode.
 */
int vsgx_aex(struct hw_cpu *cpu, struct vsgx_regs *regs, struct vsgx_xsave *xsave,
	     const struct hw_aex *why, unsigned int *ret_changed);

/* CR2 for a page fault at (addr) that made an enclave exit: the page, never the offset. */
static inline uint64_t vsgx_aex_cr2(uint64_t addr)
{
	return addr & ~(uint64_t)0xfff;
}

/*
 * Whether (cpu) runs in enclave mode; if so, the enclave's ELRANGE. The
 * emulator keys its translations on it (enclave code and TLB entries are
 * not those of the code that called EENTER).
 */
struct vsgx_enclave_range {
	uint64_t base, size;
};
bool vsgx_cpu_enclave(const struct hw_cpu *cpu, struct vsgx_enclave_range *ret);

enum vsgx_access {
	VSGX_ACCESS_READ,
	VSGX_ACCESS_WRITE,
	VSGX_ACCESS_FETCH,
};

/* Rights vsgx_enclave_access() grants, as the EPCM's R, W and X bits. */
#define VSGX_PROT_READ	(1u << 0)
#define VSGX_PROT_WRITE (1u << 1)
#define VSGX_PROT_EXEC	(1u << 2)

/*
 * The enclave-mode access check, at TLB fill: enclave code on (cpu) makes
 * an access of kind (access) at linear address (la), which the emulator's
 * page walk translated to physical address (pa).
 *
 *   - Inside ELRANGE, the page must be a valid regular EPC page of this
 *     enclave at this very linear address, neither BLOCKED, PENDING nor
 *     MODIFIED, with the EPCM right for the access: then the result is 0,
 *     *ret_prot the EPCM's rights (to intersect with the page tables') and
 *     *ret_host the page's contents (4 KiB, stable until the processor is
 *     destroyed). Else #PF with the SGX bit (error code P | U | W/I | SGX).
 *   - Outside ELRANGE, a fetch is #GP(0); data accesses are ordinary
 *     non-enclave accesses: the result is 1 and the emulator maps (pa) as
 *     it always does (EPC reads as the abort page).
 *
 * Granting a write marks the page as written, so that a reset zeroes it.
 * Return: 0, 1, or HW_FAULT(vector) with the details in hw_cpu_fault();
 * -EINVAL when (cpu) is not in enclave mode.
 */
int vsgx_enclave_access(struct hw_cpu *cpu, uint64_t la, uint64_t pa, enum vsgx_access access,
			unsigned int *ret_prot, void **ret_host);

/*
 * Be told of every write the model makes to EPC contents (EADD, ELDU, EAUG,
 * EACCEPTCOPY, EDBGWR, EREPORT, an AEX's SSA frame, a reset's zeroing):
 * (fn) gets the physical address and length once the bytes are in place,
 * on the thread of the leaf that wrote them. NULL stops the notices.
 */
typedef void vsgx_epc_written_fn(void *opaque, uint64_t pa, uint64_t len);
void vsgx_processor_set_epc_written(struct hw_processor *p, vsgx_epc_written_fn *fn, void *opaque);

/* Host memory holding the contents of EPC section (index), or NULL for a bad index. */
void *vsgx_processor_section_contents(struct hw_processor *p, unsigned int index);

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *vsgx_version(void);

#endif /* VSGX_EMBED_H */
