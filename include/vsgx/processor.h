/* SPDX-License-Identifier: MIT */
/*
 * The modelled SGX processor: its EPC sections, logical CPUs, CPUID leaves 7
 * and 0x12, the SGX MSRs and the per-boot secrets. The ENCLS and ENCLU leaves
 * that run on it are declared in <vsgx/encls.h>.
 *
 * A processor is created from a description (struct hw_desc), the way a real
 * part is fixed by its fuses and firmware: how much EPC it has and where,
 * whether it implements SGX2 and flexible launch control, and how firmware
 * left IA32_FEATURE_CONTROL.
 */
#ifndef VSGX_PROCESSOR_H
#define VSGX_PROCESSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"

struct hw_processor;
struct hw_cpu;

#define HW_MAX_CPUS  256
#define HW_MAX_NODES 64

/* The model's EPCM entry per EPC page, in bytes (written when a leaf first touches the page). */
#define HW_EPCM_ENTRY_BYTES 12

struct hw_epc_section_desc {
	uint64_t base; /* physical address, 4 KiB aligned */
	uint64_t size; /* bytes, a nonzero multiple of 4 KiB */
	uint32_t node; /* NUMA node the section belongs to */
	/*
	 * Host memory that holds the section's page contents, or NULL for the
	 * model's own. An emulator passes memory it maps into its guest (see
	 * <vsgx/embed.h>): page aligned, (size) bytes, zeros at power-on, and
	 * owned by the caller for the processor's lifetime. A reset writes
	 * zeros over every page the model or the emulator wrote.
	 */
	void *contents;
};

struct hw_desc {
	unsigned int nr_sections; /* 1 .. SGX_MAX_EPC_SECTIONS */
	struct hw_epc_section_desc sections[SGX_MAX_EPC_SECTIONS];
	unsigned int nr_cpus; /* logical CPUs, 1 .. HW_MAX_CPUS */
	bool sgx2;	      /* CPUID.(12h,0):EAX[1] */
	bool flc;	      /* flexible launch control, CPUID.(7,0):ECX[30] */
	/*
	 * The EPC Oversubscription Extensions: ENCLV (EDECVIRTCHILD,
	 * EINCVIRTCHILD, ESETCONTEXT; CPUID.(12h,0):EAX[5]) and the ENCLS
	 * leaves ERDINFO, ETRACKC, ELDBC, ELDUC (EAX[6]). No shipped part has
	 * them; off in the default part.
	 */
	bool oversub;
	/* IA32_FEATURE_CONTROL as firmware left it (LOCK, SGX_ENABLE, SGX_LC). */
	uint64_t feature_control;
	uint32_t miscselect;	     /* CPUID.(12h,0):EBX, supported MISCSELECT bits */
	uint64_t attributes;	     /* CPUID.(12h,1):EBX:EAX, settable ATTRIBUTES.FLAGS */
	uint64_t xfrm;		     /* CPUID.(12h,1):EDX:ECX, settable XFRM bits */
	uint8_t max_enclave_size_32; /* log2, CPUID.(12h,0):EDX[7:0] */
	uint8_t max_enclave_size_64; /* log2, CPUID.(12h,0):EDX[15:8] */
	uint8_t cpusvn[SGX_CPUSVN_SIZE];
	/*
	 * Seed of the fused secrets (seal fuses, owner epoch) and of each boot's
	 * keys. Two processors with the same seed derive the same keys, which
	 * makes runs reproducible; a power cycle still changes the boot keys.
	 */
	uint64_t seed;
};

/*
 * Fill (d) with the default part: one 128 MiB EPC section at 0x80000000 on
 * node 0, 4 CPUs, SGX1 + SGX2 (no oversubscription extensions), flexible
 * launch control, firmware that locked
 * FEATURE_CONTROL with SGX and SGX_LC enabled, MISCSELECT.EXINFO, attributes
 * DEBUG|MODE64BIT|PROVISIONKEY|EINITTOKENKEY|KSS|AEXNOTIFY, XFRM x87|SSE|AVX
 * (+AVX-512, PKRU), and 2^31 / 2^36 byte enclaves.
 */
void hw_desc_init_default(struct hw_desc *d);

/*
 * Check (d) for what no real part could have: no or too many sections,
 * sections that are empty, unaligned, overlapping or wrapping, no CPUs, XFRM
 * without x87|SSE, and so on. Returns 0, or -EINVAL with a one-line reason
 * written to (why) when it is not NULL.
 */
int hw_desc_check(const struct hw_desc *d, char *why, size_t why_len);

/*
 * Power on a processor described by (d). EPCM metadata is reserved but not
 * touched, and no page content exists until a leaf writes it, so creation
 * costs the same for 128 MiB or 128 GiB of EPC.
 * Return: 0, -EINVAL for a bad description (see hw_desc_check()), -ENOMEM.
 */
int hw_processor_create(const struct hw_desc *d, struct hw_processor **ret);

/* Power off (p) and free everything it holds. Accepts NULL. */
void hw_processor_destroy(struct hw_processor *p);

/*
 * Cold reset: the EPCM is cleared, every page's content is lost, the boot
 * keys change (so pages written back before the reset can never be loaded
 * again), MSRs return to their power-on values. The description is kept.
 */
void hw_processor_reset(struct hw_processor *p);

const struct hw_desc *hw_processor_desc(const struct hw_processor *p);
unsigned int hw_processor_nr_cpus(const struct hw_processor *p);
struct hw_cpu *hw_processor_cpu(struct hw_processor *p, unsigned int index);
struct hw_processor *hw_cpu_processor(const struct hw_cpu *cpu);
unsigned int hw_cpu_index(const struct hw_cpu *cpu);

/*
 * The CPU's mode and control registers, which EENTER and ERESUME check:
 * 64-bit mode against SECS.ATTRIBUTES.MODE64BIT, CR4.OSFXSR, and XFRM
 * within XCR0 (exactly x87 and SSE without CR4.OSXSAVE). Until it is set
 * (and after hw_cpu_clear_control()), a CPU runs every enclave in the mode
 * it was built for, with OSFXSR set and XCR0 a superset of its XFRM. An
 * emulator sets it before every leaf (<vsgx/embed.h>); traces set it with
 * 'control'.
 */
void hw_cpu_set_control(struct hw_cpu *cpu, bool mode64, uint64_t cr0, uint64_t cr4, uint64_t xcr0);
void hw_cpu_clear_control(struct hw_cpu *cpu);

struct hw_cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/*
 * CPUID as the processor answers it, for the SGX-relevant leaves: 7.0 (SGX,
 * SGX_LC; other bits zero) and 0x12 sub-leaves 0, 1 and 2.. (one per EPC
 * section, then type 0). Leaf 7 reports what the part implements (SGX; SGX_LC
 * only with FLC), whatever firmware did with it; leaf 0x12 reads as zeros
 * unless FEATURE_CONTROL has SGX_ENABLE, since firmware that disables SGX
 * configures no EPC. Any other leaf reads as zeros.
 */
void hw_cpuid(struct hw_processor *p, uint32_t leaf, uint32_t subleaf, struct hw_cpuid_regs *ret);

/*
 * RDMSR/WRMSR of IA32_FEATURE_CONTROL and IA32_SGXLEPUBKEYHASH0..3 on (cpu).
 * The LE hash MSRs are per logical CPU and power on with the hash of Intel's
 * LE signing key. As the SDM's MSR table says, RDMSR needs SGX1 enumerated
 * (FEATURE_CONTROL.SGX_ENABLE) on a part with FLC, and WRMSR needs SGX1 with
 * FEATURE_CONTROL's LOCK and SGX_LC set. FEATURE_CONTROL is
 * writable until its LOCK bit is set; SGX_LC can be set only on FLC parts.
 * Return: 0, or HW_FAULT(X86_TRAP_GP) (see <vsgx/encls.h>) for an unknown MSR,
 * a read-only MSR, or reserved bits.
 */
int hw_msr_read(struct hw_cpu *cpu, uint32_t msr, uint64_t *ret);
int hw_msr_write(struct hw_cpu *cpu, uint32_t msr, uint64_t val);

/* Address and extent of each EPC section, in CPUID sub-leaf order. */
unsigned int hw_processor_nr_sections(const struct hw_processor *p);
const struct hw_epc_section_desc *hw_processor_section(const struct hw_processor *p,
						       unsigned int index);
uint64_t hw_processor_nr_pages(const struct hw_processor *p);

/*
 * Model inspection, for tests, traces and reports: what the EPCM holds for
 * the page at physical address (pa). Software on real hardware cannot read
 * the EPCM; nothing above the processor layer may use this to make decisions.
 * Return: 0, or -EINVAL when (pa) is not in the EPC.
 */
struct hw_epcm_info {
	bool valid;
	bool r, w, x;
	bool blocked, pending, modified, pr;
	uint8_t pt;		  /* enum sgx_page_type */
	uint64_t enclave_address; /* ENCLAVEADDRESS */
	uint64_t secs_pa;	  /* ENCLAVESECS, for child pages */
	bool poisoned;		  /* the page's memory, valid or not (hw_epc_poison()) */
};
int hw_epcm_query(struct hw_processor *p, uint64_t pa, struct hw_epcm_info *ret);

/* Hidden per-enclave state kept with a SECS page. -EINVAL if (secs_pa) is no SECS. */
struct hw_enclave_info {
	uint64_t eid;
	bool initialized;
	uint64_t children;	     /* valid EPC pages that belong to the enclave */
	uint32_t threads_inside;     /* logical CPUs executing inside */
	uint64_t measurement_blocks; /* MRENCLAVE update counter */
	struct sgx_attributes attributes;
	uint8_t mrenclave[SGX_HASH_SIZE];
	uint8_t mrsigner[SGX_HASH_SIZE];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint64_t virtchildren; /* VIRTCHILDCNT (EINCVIRTCHILD / EDECVIRTCHILD) */
	uint64_t context;      /* ENCLAVECONTEXT (ECREATE, ELD of the SECS, ESETCONTEXT) */
};
int hw_enclave_query(struct hw_processor *p, uint64_t secs_pa, struct hw_enclave_info *ret);

/*
 * Model inspection, for tests and traces: hold (true) or let go (false) the
 * EPCM entry of the page at (pa) as another logical CPU's leaf does while it
 * works on the page, so that a single thread can stage the SDM's conflict
 * outcomes (SGX_EPC_PAGE_CONFLICT, #GP) deterministically.
 * Return: 0, -EINVAL when (pa) is not in the EPC, -EBUSY when a leaf (or a
 * hold) already holds it, -ENOENT when letting go of an entry nobody holds.
 */
int hw_epcm_hold(struct hw_processor *p, uint64_t pa, bool hold);

/*
 * An uncorrectable memory error in the EPC page at (pa), as a patrol scrub
 * or a consumer finds it. From then on every leaf that reads or writes the
 * page's contents (ECREATE, EADD, EEXTEND, EPA, EINIT and the entries on its
 * SECS, EWB, ELDB/ELDU, EAUG, EACCEPTCOPY, EDBGRD/EDBGWR, EENTER/ERESUME on
 * its TCS or SSA) and every enclave access to it raises a machine check,
 * HW_FAULT(X86_TRAP_MC), before changing anything; leaves that touch only
 * its EPCM entry (EREMOVE, EBLOCK, EMODPR, EMODT, ERDINFO) go on as before.
 * A cold reset forgets it (firmware rewrites the EPC at boot).
 * Return: 0, -EINVAL when (pa) is not in the EPC, -EBUSY when a leaf (or a
 * hold) holds the page at this instant: report it again.
 */
int hw_epc_poison(struct hw_processor *p, uint64_t pa);

/* Counters over the whole EPC, for reports and memory accounting. */
struct hw_stats {
	uint64_t nr_pages;    /* EPC pages */
	uint64_t valid_pages; /* EPCM.VALID = 1 */
	/*
	 * Pages whose contents host memory holds: written with something other
	 * than zeros since power-on. A page keeps its memory after it leaves the
	 * EPC, for reuse, as hardware EPC does; a reset gives it all back.
	 */
	uint64_t materialized;
	uint64_t enclaves;	 /* live SECS pages */
	size_t epcm_entry_bytes; /* host bytes of EPCM metadata per EPC page */
};
void hw_processor_stats(struct hw_processor *p, struct hw_stats *ret);

#endif /* VSGX_PROCESSOR_H */
