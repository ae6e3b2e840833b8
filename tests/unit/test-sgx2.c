// SPDX-License-Identifier: MIT
/*
 * SGX2 dynamic memory (SDM Vol. 3D ch. 38: EAUG, EMODPR, EMODT, EACCEPT,
 * EACCEPTCOPY, EMODPE): every check in the order of the manual's pseudocode,
 * the PENDING / PR / MODIFIED states they leave in the EPCM, and the
 * sequences Linux drives them in, against the running-enclave fixture.
 *
 * The OS-side (ENCLS) leaves run on CPU 0, the enclave thread on CPU 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "encl-fixture.h"

/* The ELRANGE page whose data holds the SECINFOs the enclave passes to ENCLU. */
#define SI_PAGE	 EF_DATA
#define DATA1	 (EF_DATA + 1)
#define DATA2	 (EF_DATA + 2)
#define DATA3	 (EF_DATA + 3)
#define FREE	 7 /* first ELRANGE page the fixture leaves unmapped */
#define PF_NP	 0u
#define PF_NP_W	 X86_PF_WRITE
#define PF_EPCM	 (X86_PF_PROT | X86_PF_SGX)
#define PF_EPCMW (X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE)

#define SI_PENDING_RW (SECINFO_RW | SGX_SECINFO_PENDING)
#define SI_PR(perm)   (SECINFO_REG(perm) | SGX_SECINFO_PR)
#define SI_TRIM	      (SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_MODIFIED)
#define SI_TCS_MOD    (SGX_SECINFO_PT(SGX_PT_TCS) | SGX_SECINFO_MODIFIED)

/* A fault with its exact vector, error code and (for #PF) address. */
#define assert_fault(cpu, r, vec, ec, address)                                                     \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		const struct hw_fault *f_ = hw_cpu_fault(cpu);                                     \
		assert_int_equal(r_, HW_FAULT(vec));                                               \
		assert_int_equal(f_->vector, (vec));                                               \
		assert_int_equal(f_->error_code, (ec));                                            \
		if ((vec) == X86_TRAP_PF)                                                          \
			assert_int_equal(f_->addr, (address));                                     \
	} while (0)
#define GP(cpu, r)	  assert_fault(cpu, r, X86_TRAP_GP, 0u, 0)
#define UD(cpu, r)	  assert_fault(cpu, r, X86_TRAP_UD, 0u, 0)
#define PF(cpu, r, a, ec) assert_fault(cpu, r, X86_TRAP_PF, ec, a)

/* EPCM state packed for one exact comparison: flags below, type in bits 15:8. */
#define B_VALID	   (1u << 0)
#define B_R	   (1u << 1)
#define B_W	   (1u << 2)
#define B_X	   (1u << 3)
#define B_BLOCKED  (1u << 4)
#define B_PENDING  (1u << 5)
#define B_MODIFIED (1u << 6)
#define B_PR	   (1u << 7)
#define B_PT(pt)   ((unsigned int)(pt) << 8)
#define B_REG	   (B_VALID | B_PT(SGX_PT_REG))
#define B_RW	   (B_REG | B_R | B_W)

static unsigned int epcm_bits_pa(struct efenv *ef, uint64_t pa)
{
	struct hw_epcm_info i = hwf_epcm(ef->f, pa);

	if (!i.valid)
		return 0;
	return B_VALID | (i.r ? B_R : 0) | (i.w ? B_W : 0) | (i.x ? B_X : 0) |
	       (i.blocked ? B_BLOCKED : 0) | (i.pending ? B_PENDING : 0) |
	       (i.modified ? B_MODIFIED : 0) | (i.pr ? B_PR : 0) | B_PT(i.pt);
}

static unsigned int epcm_bits(struct efenv *ef, unsigned int page)
{
	return epcm_bits_pa(ef, ef_pa(ef, page));
}

static struct hw_cpu *os_cpu(struct efenv *ef)
{
	return ef->f->cpu;
}

static struct hw_cpu *thread_cpu(struct efenv *ef)
{
	return hw_processor_cpu(ef->f->p, 1);
}

/* EAUG of EPC page (epc) with PAGEINFO (linaddr, secs, secinfo); maps nothing. */
static int eaug_raw(struct efenv *ef, uint64_t epc, uint64_t linaddr, uint64_t secs,
		    uint64_t secinfo)
{
	memset(ef->f->pageinfo, 0, sizeof(*ef->f->pageinfo));
	ef->f->pageinfo->linaddr = linaddr;
	ef->f->pageinfo->secs = secs;
	ef->f->pageinfo->secinfo = secinfo;
	return hw_eaug(os_cpu(ef), hwf_la(ef->f->pageinfo), epc);
}

/* EAUG of ELRANGE page (page) at its usual EPC page, mapped as the OS would. */
static int eaug(struct efenv *ef, unsigned int page)
{
	ef->mapped[page] = true;
	return eaug_raw(ef, ef_pa(ef, page), ef_la(ef, page), ef->secs_pa, 0);
}

static void eaug_ok(struct efenv *ef, unsigned int page)
{
	assert_int_equal(eaug(ef, page), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, page), B_RW | B_PENDING);
}

/* EMODPR / EMODT of ELRANGE page (page) with a host SECINFO of (flags). */
static int emodpr(struct efenv *ef, unsigned int page, uint64_t flags)
{
	memset(ef->f->secinfo, 0, sizeof(*ef->f->secinfo));
	ef->f->secinfo->flags = flags;
	return hw_emodpr(os_cpu(ef), hwf_la(ef->f->secinfo), ef_pa(ef, page));
}

static int emodt(struct efenv *ef, unsigned int page, uint64_t flags)
{
	memset(ef->f->secinfo, 0, sizeof(*ef->f->secinfo));
	ef->f->secinfo->flags = flags;
	return hw_emodt(os_cpu(ef), hwf_la(ef->f->secinfo), ef_pa(ef, page));
}

/* Write a SECINFO into the enclave (slot (slot) of SI_PAGE) from inside; returns its address. */
static uint64_t put_secinfo_at(struct efenv *ef, unsigned int slot, uint64_t flags)
{
	struct sgx_secinfo si;
	uint64_t la = ef_la(ef, SI_PAGE) + 64ULL * slot;

	memset(&si, 0, sizeof(si));
	si.flags = flags;
	assert_int_equal(hw_enclave_write(thread_cpu(ef), la, &si, sizeof(si)), 0);
	return la;
}

static uint64_t put_secinfo(struct efenv *ef, uint64_t flags)
{
	return put_secinfo_at(ef, 0, flags);
}

static int eaccept(struct efenv *ef, uint64_t flags, unsigned int page)
{
	return hw_eaccept(thread_cpu(ef), put_secinfo(ef, flags), ef_la(ef, page));
}

static int eacceptcopy(struct efenv *ef, uint64_t flags, unsigned int dst, unsigned int src)
{
	return hw_eacceptcopy(thread_cpu(ef), put_secinfo(ef, flags), ef_la(ef, dst),
			      ef_la(ef, src));
}

static int emodpe(struct efenv *ef, uint64_t flags, unsigned int page)
{
	return hw_emodpe(thread_cpu(ef), put_secinfo(ef, flags), ef_la(ef, page));
}

static void enter(struct efenv *ef)
{
	assert_int_equal(ef_enter(ef, thread_cpu(ef)), 0);
}

static void leave(struct efenv *ef)
{
	ef_exit(ef, thread_cpu(ef));
}

/* EAUG, enter and accept: a fresh zeroed RW page (page), with the thread inside. */
static void augment(struct efenv *ef, unsigned int page)
{
	eaug_ok(ef, page);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_PENDING_RW, page), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, page), B_RW);
}

/* A second, uninitialized enclave (same ELRANGE) with SECS at EPC page 100. */
static uint64_t second_enclave(struct efenv *ef)
{
	uint64_t secs = hwf_epc(ef->f, 100);

	hwf_ecreate_ok(ef->f, secs);
	return secs;
}

static uint8_t byte_at(struct efenv *ef, uint64_t la)
{
	uint8_t b = 0xee;

	assert_int_equal(hw_enclave_read(thread_cpu(ef), la, &b, 1), 0);
	return b;
}

/* --- EAUG --------------------------------------------------------------- */

static void test_eaug_pending(void **state)
{
	struct efenv *ef = *state;
	struct hw_enclave_info before = hwf_enclave(ef->f, ef->secs_pa), after;
	uint64_t valid = hwf_stats(ef->f).valid_pages;
	struct hw_epcm_info i;

	eaug_ok(ef, FREE);
	i = hwf_epcm(ef->f, ef_pa(ef, FREE));
	assert_int_equal(i.enclave_address, ef_la(ef, FREE));
	assert_int_equal(i.secs_pa, ef->secs_pa);
	after = hwf_enclave(ef->f, ef->secs_pa);
	assert_int_equal(after.children, before.children + 1);
	assert_int_equal(hwf_stats(ef->f).valid_pages, valid + 1);
	/* MRENCLAVE is frozen by EINIT: EAUG does not measure. */
	assert_int_equal(after.measurement_blocks, before.measurement_blocks);
	assert_memory_equal(after.mrenclave, before.mrenclave, SGX_HASH_SIZE);
}

/* Earlier SDM revisions passed a PT_REG SECINFO; the model takes it as well as 0. */
static void test_eaug_secinfo_reg(void **state)
{
	struct efenv *ef = *state;
	struct sgx_secinfo *si = ef->f->secinfo;

	memset(si, 0, sizeof(*si));
	si->flags = SECINFO_RW;
	ef->mapped[FREE] = true;
	assert_int_equal(eaug_raw(ef, ef_pa(ef, FREE), ef_la(ef, FREE), ef->secs_pa, hwf_la(si)),
			 SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	/* PENDING, MODIFIED and PR describe states, not requests: ignored. */
	si->flags = SECINFO_RW | SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED | SGX_SECINFO_PR;
	ef->mapped[FREE + 1] = true;
	assert_int_equal(
	    eaug_raw(ef, ef_pa(ef, FREE + 1), ef_la(ef, FREE + 1), ef->secs_pa, hwf_la(si)),
	    SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE + 1), B_RW | B_PENDING);
}

static void test_eaug_secinfo_bad(void **state)
{
	struct efenv *ef = *state;
	struct sgx_secinfo *si = ef->f->secinfo;
	const uint64_t bad[] = {
		SECINFO_R,
		SECINFO_RWX,
		SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_W,
		SGX_SECINFO_PT(SGX_PT_SS_FIRST) | SGX_SECINFO_R | SGX_SECINFO_W, /* no CET */
		SGX_SECINFO_PT(SGX_PT_SS_REST) | SGX_SECINFO_R | SGX_SECINFO_W,
		SGX_SECINFO_PT(SGX_PT_TCS),
		SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_R | SGX_SECINFO_W,
		SECINFO_RW | (1ULL << 6),
		SECINFO_RW | (1ULL << 16),
	};

	for (size_t n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		memset(si, 0, sizeof(*si));
		si->flags = bad[n];
		GP(os_cpu(ef),
		   eaug_raw(ef, ef_pa(ef, FREE), ef_la(ef, FREE), ef->secs_pa, hwf_la(si)));
	}
	memset(si, 0, sizeof(*si));
	si->flags = SECINFO_RW;
	si->reserved[55] = 1;
	GP(os_cpu(ef), eaug_raw(ef, ef_pa(ef, FREE), ef_la(ef, FREE), ef->secs_pa, hwf_la(si)));
	assert_int_equal(epcm_bits(ef, FREE), 0);
}

static void test_eaug_operand_alignment(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = os_cpu(ef);
	struct sgx_pageinfo *pi = hwf_zalloc(64, 64);
	uint64_t epc = ef_pa(ef, FREE), la = ef_la(ef, FREE);

	pi->linaddr = la;
	pi->secs = ef->secs_pa;
	GP(cpu, hw_eaug(cpu, hwf_la(pi) + 16, epc));
	GP(cpu, hw_eaug(cpu, hwf_la(pi), epc + 8));
	GP(cpu, eaug_raw(ef, epc, la, ef->secs_pa, hwf_la(ef->f->secinfo) + 32));
	GP(cpu, eaug_raw(ef, epc, la, ef->secs_pa + 64, 0));
	GP(cpu, eaug_raw(ef, epc, la + 8, ef->secs_pa, 0));
	pi->srcpge = hwf_la(ef->f->page);
	GP(cpu, hw_eaug(cpu, hwf_la(pi), epc));
	assert_int_equal(epcm_bits(ef, FREE), 0);
	free(pi);
}

static void test_eaug_operand_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = os_cpu(ef);
	uint64_t epc = ef_pa(ef, FREE), la = ef_la(ef, FREE);
	uint64_t host = hwf_la(ef->f->host);

	/* Target not EPC: checked before PAGEINFO is even read. */
	PF(cpu, hw_eaug(cpu, 0x20, host), host, PF_EPCMW);
	PF(cpu, hw_eaug(cpu, 0x20, epc), 0x20, PF_NP);
	PF(cpu, eaug_raw(ef, epc, la, host, 0), host, PF_EPCMW);
	/* An unmapped SECINFO faults only once the target has been checked. */
	PF(cpu, eaug_raw(ef, epc, la, ef->secs_pa, 0x40), 0x40, PF_NP);
	PF(cpu, eaug_raw(ef, ef_pa(ef, DATA1), la, ef->secs_pa, 0x40), ef_pa(ef, DATA1), PF_EPCMW);
	assert_int_equal(epcm_bits(ef, FREE), 0);
}

static void test_eaug_target_valid(void **state)
{
	struct efenv *ef = *state;

	PF(os_cpu(ef), eaug_raw(ef, ef_pa(ef, DATA1), ef_la(ef, FREE), ef->secs_pa, 0),
	   ef_pa(ef, DATA1), PF_EPCMW);
	PF(os_cpu(ef), eaug_raw(ef, ef->secs_pa, ef_la(ef, FREE), ef->secs_pa, 0), ef->secs_pa,
	   PF_EPCMW);
	assert_int_equal(epcm_bits(ef, DATA1), B_RW);
}

static void test_eaug_secs_not_secs(void **state)
{
	struct efenv *ef = *state;
	uint64_t epc = ef_pa(ef, FREE), la = ef_la(ef, FREE);
	uint64_t unused = hwf_epc(ef->f, 200);

	PF(os_cpu(ef), eaug_raw(ef, epc, la, unused, 0), unused, PF_EPCMW);
	PF(os_cpu(ef), eaug_raw(ef, epc, la, ef_pa(ef, DATA1), 0), ef_pa(ef, DATA1), PF_EPCMW);
	/* PAGEINFO.SECS naming the target itself: an invalid page, no SECS. */
	PF(os_cpu(ef), eaug_raw(ef, epc, la, epc, 0), epc, PF_EPCMW);
	assert_int_equal(epcm_bits(ef, FREE), 0);
}

static void test_eaug_uninitialized(void **state)
{
	struct efenv *ef = *state;
	uint64_t secs = second_enclave(ef);

	GP(os_cpu(ef), eaug_raw(ef, hwf_epc(ef->f, 101), HWF_ENCL_BASE, secs, 0));
	assert_int_equal(epcm_bits_pa(ef, hwf_epc(ef->f, 101)), 0);
}

static void test_eaug_outside_elrange(void **state)
{
	struct efenv *ef = *state;
	uint64_t epc = ef_pa(ef, FREE);

	GP(os_cpu(ef), eaug_raw(ef, epc, ef->secs.base + ef->secs.size, ef->secs_pa, 0));
	GP(os_cpu(ef), eaug_raw(ef, epc, ef->secs.base - SGX_PAGE_SIZE, ef->secs_pa, 0));
	assert_int_equal(
	    eaug_raw(ef, epc, ef->secs.base + ef->secs.size - SGX_PAGE_SIZE, ef->secs_pa, 0),
	    SGX_SUCCESS);
}

/* A page removed and added again comes back zeroed, whatever it held. */
static void test_eaug_zeroes_page(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(hw_eremove(os_cpu(ef), ef_pa(ef, DATA3)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA3), 0);
	augment(ef, DATA3);
	for (uint64_t off = 0; off < SGX_PAGE_SIZE; off += 511)
		assert_int_equal(byte_at(ef, ef_la(ef, DATA3) + off), 0);
	leave(ef);
}

/* Until EACCEPT, a PENDING page is no enclave memory, and EREMOVE treats it as a child. */
static void test_eaug_pending_inaccessible(void **state)
{
	struct efenv *ef = *state;
	uint64_t children = hwf_enclave(ef->f, ef->secs_pa).children;
	uint8_t b = 0;

	eaug_ok(ef, FREE);
	enter(ef);
	PF(thread_cpu(ef), hw_enclave_read(thread_cpu(ef), ef_la(ef, FREE), &b, 1), ef_la(ef, FREE),
	   PF_EPCM);
	PF(thread_cpu(ef), hw_enclave_write(thread_cpu(ef), ef_la(ef, FREE) + 9, &b, 1),
	   ef_la(ef, FREE) + 9, PF_EPCMW);
	assert_int_equal(hw_eremove(os_cpu(ef), ef_pa(ef, FREE)), SGX_ENCLAVE_ACT);
	leave(ef);
	assert_int_equal(hw_eremove(os_cpu(ef), ef_pa(ef, FREE)), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).children, children);
}

/* --- EAUG + EACCEPT: Linux's page fault path ---------------------------- */

static void test_eaug_eaccept_rw(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint8_t in[64], out[64];

	augment(ef, FREE);
	memset(in, 0x3c, sizeof(in));
	assert_int_equal(hw_enclave_write(cpu, ef_la(ef, FREE) + 4032, in, sizeof(in)), 0);
	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, FREE) + 4032, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(byte_at(ef, ef_la(ef, FREE)), 0);
	/* Accepting twice: the page is no longer PENDING. */
	assert_int_equal(eaccept(ef, SI_PENDING_RW, FREE), SGX_PAGE_ATTRIBUTES_MISMATCH);
	leave(ef);
}

static void test_eaccept_mismatch(void **state)
{
	struct efenv *ef = *state;
	const uint64_t wrong[] = {
		SECINFO_R | SGX_SECINFO_PENDING,
		SECINFO_RWX | SGX_SECINFO_PENDING,
		SECINFO_REG(SGX_SECINFO_W) | SGX_SECINFO_PENDING,
		SI_PR(SGX_SECINFO_R | SGX_SECINFO_W), /* PENDING must match */
		SI_TRIM,			      /* type must match */
		SI_TCS_MOD,
	};

	eaug_ok(ef, FREE);
	enter(ef);
	for (size_t n = 0; n < sizeof(wrong) / sizeof(wrong[0]); n++)
		assert_int_equal(eaccept(ef, wrong[n], FREE), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	leave(ef);
}

/* ENCLAVEADDRESS is compared after the page is taken: a mismatch, not a fault. */
static void test_eaccept_address_mismatch(void **state)
{
	struct efenv *ef = *state;

	/* EPC page of ELRANGE page FREE, recorded for page FREE + 1. */
	ef->mapped[FREE] = true;
	assert_int_equal(eaug_raw(ef, ef_pa(ef, FREE), ef_la(ef, FREE + 1), ef->secs_pa, 0),
			 SGX_SUCCESS);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_PENDING_RW, FREE), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	leave(ef);
}

static void test_eaccept_outside_enclave(void **state)
{
	struct efenv *ef = *state;

	eaug_ok(ef, FREE);
	GP(thread_cpu(ef), hw_eaccept(thread_cpu(ef), ef_la(ef, SI_PAGE), ef_la(ef, FREE)));
	GP(thread_cpu(ef), hw_emodpe(thread_cpu(ef), ef_la(ef, SI_PAGE), ef_la(ef, DATA1)));
	GP(thread_cpu(ef),
	   hw_eacceptcopy(thread_cpu(ef), ef_la(ef, SI_PAGE), ef_la(ef, FREE), ef_la(ef, DATA1)));
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
}

static void test_eaccept_secinfo_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint64_t page = ef_la(ef, FREE), si;

	eaug_ok(ef, FREE);
	eaug_ok(ef, FREE + 1);
	ef->mapped[FREE + 2] = true; /* mapped onto an invalid EPC page */
	enter(ef);
	si = put_secinfo(ef, SI_PENDING_RW);
	GP(cpu, hw_eaccept(cpu, si + 32, page));
	GP(cpu, hw_eaccept(cpu, hwf_la(ef->f->secinfo), page)); /* outside ELRANGE */
	PF(cpu, hw_eaccept(cpu, ef_la(ef, FREE + 3), page), ef_la(ef, FREE + 3), PF_NP);
	PF(cpu, hw_eaccept(cpu, ef_la(ef, FREE + 2), page), ef_la(ef, FREE + 2), PF_EPCM);
	PF(cpu, hw_eaccept(cpu, ef_la(ef, FREE + 1) + 64, page), ef_la(ef, FREE + 1) + 64, PF_EPCM);
	PF(cpu, hw_eaccept(cpu, ef_la(ef, EF_TCS), page), ef_la(ef, EF_TCS), PF_EPCM);
	/* Reserved bits of the flags, and reserved bytes. */
	GP(cpu, hw_eaccept(cpu, put_secinfo(ef, SI_PENDING_RW | (1ULL << 7)), page));
	GP(cpu, hw_eaccept(cpu, put_secinfo(ef, SI_PENDING_RW | (1ULL << 63)), page));
	si = put_secinfo(ef, SI_PENDING_RW);
	assert_int_equal(hw_enclave_write(cpu, si + 40, "x", 1), 0);
	GP(cpu, hw_eaccept(cpu, si, page));
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	leave(ef);
}

static void test_eaccept_target_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint64_t si;

	eaug_ok(ef, FREE);
	ef->mapped[FREE + 1] = true; /* an invalid EPC page */
	enter(ef);
	si = put_secinfo(ef, SI_PENDING_RW);
	GP(cpu, hw_eaccept(cpu, si, ef_la(ef, FREE) + 8));
	GP(cpu, hw_eaccept(cpu, si, ef->secs.base + ef->secs.size));
	GP(cpu, hw_eaccept(cpu, si, hwf_la(ef->f->host)));
	PF(cpu, hw_eaccept(cpu, si, ef_la(ef, FREE + 2)), ef_la(ef, FREE + 2), PF_NP);
	PF(cpu, hw_eaccept(cpu, si, ef_la(ef, FREE + 1)), ef_la(ef, FREE + 1), PF_EPCM);
	leave(ef);
}

/* A page of another enclave, mapped into this one's ELRANGE. */
static void test_eaccept_foreign_page(void **state)
{
	struct efenv *ef = *state;
	uint64_t secs = second_enclave(ef);

	assert_int_equal(hwf_eadd(ef->f, secs, ef_pa(ef, FREE), ef_la(ef, FREE), SECINFO_RW, NULL),
			 SGX_SUCCESS);
	ef->mapped[FREE] = true;
	enter(ef);
	PF(thread_cpu(ef), eaccept(ef, SI_PR(SGX_SECINFO_R | SGX_SECINFO_W), FREE), ef_la(ef, FREE),
	   PF_EPCM);
	leave(ef);
}

static void test_eaccept_request_illegal(void **state)
{
	struct efenv *ef = *state;
	const uint64_t illegal[] = {
		SECINFO_RW, /* REG needs PR or PENDING */
		SI_PENDING_RW | SGX_SECINFO_MODIFIED,
		SI_PR(SGX_SECINFO_R) | SGX_SECINFO_MODIFIED,
		SGX_SECINFO_PT(SGX_PT_TRIM),
		SI_TRIM | SGX_SECINFO_PR,
		SI_TRIM | SGX_SECINFO_PENDING,
		SGX_SECINFO_PT(SGX_PT_TCS) | SGX_SECINFO_PENDING,
		SI_TCS_MOD | SGX_SECINFO_PR,
		SGX_SECINFO_PT(SGX_PT_SS_FIRST) | SGX_SECINFO_PENDING | SGX_SECINFO_R |
		    SGX_SECINFO_W, /* no CET */
		SGX_SECINFO_PT(SGX_PT_SS_REST) | SGX_SECINFO_PENDING,
		SGX_SECINFO_PT(SGX_PT_SECS) | SGX_SECINFO_MODIFIED,
		SGX_SECINFO_PT(SGX_PT_VA) | SGX_SECINFO_MODIFIED,
	};

	eaug_ok(ef, FREE);
	enter(ef);
	for (size_t n = 0; n < sizeof(illegal) / sizeof(illegal[0]); n++)
		GP(thread_cpu(ef), eaccept(ef, illegal[n], FREE));
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	leave(ef);
}

/* Which of two problems EACCEPT reports: the SDM's order. */
static void test_eaccept_check_order(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);

	ef->mapped[FREE + 1] = true; /* an invalid EPC page */
	enter(ef);
	/* The SECINFO is checked before the target's address. */
	PF(cpu, hw_eaccept(cpu, ef_la(ef, FREE), ef_la(ef, FREE) + 1), ef_la(ef, FREE), PF_NP);
	GP(cpu, hw_eaccept(cpu, put_secinfo(ef, SI_PENDING_RW | (1ULL << 6)), ef_la(ef, FREE)));
	/* The target resolves before the request is judged... */
	PF(cpu, eaccept(ef, SECINFO_RW, FREE), ef_la(ef, FREE), PF_NP);
	/* ...and the request is judged before the target's EPCM entry. */
	GP(cpu, eaccept(ef, SECINFO_RW, FREE + 1));
	PF(cpu, eaccept(ef, SI_PENDING_RW, FREE + 1), ef_la(ef, FREE + 1), PF_EPCM);
	leave(ef);
}

/* --- EMODPR ------------------------------------------------------------- */

static void test_emodpr_restricts(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_REG | B_R | B_PR);
	/* A mask that takes nothing away still starts a restriction. */
	assert_int_equal(emodpr(ef, DATA2, SECINFO_RWX), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA2), B_RW | B_PR);
	assert_int_equal(emodpr(ef, DATA3, SGX_SECINFO_PT(SGX_PT_REG)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA3), B_REG | B_PR);
	/* Restricting again, before any EACCEPT, is allowed: PR is no obstacle. */
	assert_int_equal(emodpr(ef, DATA1, SGX_SECINFO_PT(SGX_PT_REG)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_REG | B_PR);
}

/* The restriction takes effect at once; the old rights cannot come back with a mask. */
static void test_emodpr_write_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint8_t b = 1;

	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_SUCCESS);
	enter(ef);
	assert_int_equal(byte_at(ef, ef_la(ef, DATA1) + 100), DATA1);
	PF(cpu, hw_enclave_write(cpu, ef_la(ef, DATA1) + 100, &b, 1), ef_la(ef, DATA1) + 100,
	   PF_EPCMW);
	leave(ef);
	assert_int_equal(emodpr(ef, DATA1, SECINFO_RW), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_REG | B_R | B_PR);
}

static void test_emodpr_operand_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = os_cpu(ef);
	uint64_t si = hwf_la(ef->f->secinfo), host = hwf_la(ef->f->host);

	ef->f->secinfo->flags = SECINFO_R;
	GP(cpu, hw_emodpr(cpu, si + 32, ef_pa(ef, DATA1)));
	GP(cpu, hw_emodpr(cpu, si, ef_pa(ef, DATA1) + 0x800));
	PF(cpu, hw_emodpr(cpu, si, host), host, PF_EPCMW);
	PF(cpu, hw_emodpr(cpu, 0x40, host), host, PF_EPCMW); /* the page before the SECINFO */
	PF(cpu, hw_emodpr(cpu, 0x40, ef_pa(ef, DATA1)), 0x40, PF_NP);
	GP(cpu, emodpr(ef, DATA1, SECINFO_R | (1ULL << 6)));
	GP(cpu, emodpr(ef, DATA1, SECINFO_R | (1ULL << 40)));
	GP(cpu, emodpr(ef, DATA1, SECINFO_REG(SGX_SECINFO_W)));
	ef->f->secinfo->flags = SECINFO_R;
	ef->f->secinfo->reserved[0] = 1;
	GP(cpu, hw_emodpr(cpu, si, ef_pa(ef, DATA1)));
	assert_int_equal(epcm_bits(ef, DATA1), B_RW);
}

static void test_emodpr_page_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = os_cpu(ef);
	uint64_t va = hwf_epc(ef->f, 200);

	PF(cpu, emodpr(ef, FREE, SECINFO_R), ef_pa(ef, FREE), PF_EPCMW);
	PF(cpu, emodpr(ef, EF_TCS, SECINFO_R), ef_pa(ef, EF_TCS), PF_EPCMW);
	ef->f->secinfo->flags = SECINFO_R;
	PF(cpu, hw_emodpr(cpu, hwf_la(ef->f->secinfo), ef->secs_pa), ef->secs_pa, PF_EPCMW);
	assert_int_equal(hw_epa(cpu, SGX_PT_VA, va), SGX_SUCCESS);
	PF(cpu, hw_emodpr(cpu, hwf_la(ef->f->secinfo), va), va, PF_EPCMW);
	/* The SECINFO is judged before the page. */
	GP(cpu, emodpr(ef, FREE, SECINFO_REG(SGX_SECINFO_W)));
}

static void test_emodpr_not_modifiable(void **state)
{
	struct efenv *ef = *state;

	eaug_ok(ef, FREE);
	assert_int_equal(emodpr(ef, FREE, SECINFO_R), SGX_PAGE_NOT_MODIFIABLE);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	/* MODIFIED comes before the type check: a TRIM page is not modifiable, not a fault. */
	assert_int_equal(emodt(ef, DATA1, SI_TRIM), SGX_SUCCESS);
	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_PAGE_NOT_MODIFIABLE);
	assert_int_equal(epcm_bits(ef, DATA1), B_VALID | B_PT(SGX_PT_TRIM) | B_MODIFIED);
}

static void test_emodpr_uninitialized(void **state)
{
	struct efenv *ef = *state;
	uint64_t secs = second_enclave(ef);
	uint64_t epc = hwf_epc(ef->f, 101);

	assert_int_equal(hwf_eadd(ef->f, secs, epc, HWF_ENCL_BASE, SECINFO_RW, NULL), SGX_SUCCESS);
	ef->f->secinfo->flags = SECINFO_R;
	GP(os_cpu(ef), hw_emodpr(os_cpu(ef), hwf_la(ef->f->secinfo), epc));
	assert_int_equal(hw_emodt(os_cpu(ef), hwf_la(ef->f->secinfo), epc),
			 HW_FAULT(X86_TRAP_GP)); /* SECINFO.PT REG: judged first */
	ef->f->secinfo->flags = SI_TRIM;
	GP(os_cpu(ef), hw_emodt(os_cpu(ef), hwf_la(ef->f->secinfo), epc));
	assert_int_equal(epcm_bits_pa(ef, epc), B_RW);
}

/* --- EMODT -------------------------------------------------------------- */

static void test_emodt_trim(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_SUCCESS);
	assert_int_equal(emodt(ef, DATA1, SI_TRIM), SGX_SUCCESS);
	/* PR and the permissions go; the page waits for EACCEPT. */
	assert_int_equal(epcm_bits(ef, DATA1), B_VALID | B_PT(SGX_PT_TRIM) | B_MODIFIED);
	/* The SECINFO's RWX bits ask for nothing: a retyped page has none. */
	assert_int_equal(emodt(ef, DATA2, SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_PERM_MASK),
			 SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA2), B_VALID | B_PT(SGX_PT_TRIM) | B_MODIFIED);
}

static void test_emodt_to_tcs(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodt(ef, DATA1, SGX_SECINFO_PT(SGX_PT_TCS)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_VALID | B_PT(SGX_PT_TCS) | B_MODIFIED);
	/* Not yet accepted: the page is no data page any more either. */
	enter(ef);
	PF(thread_cpu(ef), hw_enclave_read(thread_cpu(ef), ef_la(ef, DATA1), (uint8_t[1]){ 0 }, 1),
	   ef_la(ef, DATA1), PF_EPCM);
	leave(ef);
	/* TCS to TRIM is a legal change, but not before the last one was accepted. */
	assert_int_equal(emodt(ef, DATA1, SI_TRIM), SGX_PAGE_NOT_MODIFIABLE);
}

/* Trimming a TCS: no thread can enter through it any more. */
static void test_emodt_tcs_to_trim(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodt(ef, EF_TCS, SI_TRIM), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, EF_TCS), B_VALID | B_PT(SGX_PT_TRIM) | B_MODIFIED);
	PF(thread_cpu(ef), hw_eenter(thread_cpu(ef), ef_la(ef, EF_TCS), EF_AEP, NULL),
	   ef_la(ef, EF_TCS), PF_EPCMW);
}

static void test_emodt_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = os_cpu(ef);
	uint64_t si = hwf_la(ef->f->secinfo), host = hwf_la(ef->f->host);
	uint64_t va = hwf_epc(ef->f, 200);

	ef->f->secinfo->flags = SI_TRIM;
	GP(cpu, hw_emodt(cpu, si + 16, ef_pa(ef, DATA1)));
	GP(cpu, hw_emodt(cpu, si, ef_pa(ef, DATA1) + 16));
	PF(cpu, hw_emodt(cpu, si, host), host, PF_EPCMW);
	PF(cpu, hw_emodt(cpu, 0x80, ef_pa(ef, DATA1)), 0x80, PF_NP);
	GP(cpu, emodt(ef, DATA1, SECINFO_RW));
	GP(cpu, emodt(ef, DATA1, SGX_SECINFO_PT(SGX_PT_SECS)));
	GP(cpu, emodt(ef, DATA1, SGX_SECINFO_PT(SGX_PT_VA)));
	GP(cpu, emodt(ef, DATA1, SGX_SECINFO_PT(SGX_PT_SS_FIRST)));
	GP(cpu, emodt(ef, DATA1, SI_TRIM | (1ULL << 20)));
	ef->f->secinfo->flags = SI_TRIM;
	ef->f->secinfo->reserved[17] = 0x80;
	GP(cpu, hw_emodt(cpu, si, ef_pa(ef, DATA1)));
	assert_int_equal(epcm_bits(ef, DATA1), B_RW);
	/* Pages that cannot change (type) at all. */
	PF(cpu, emodt(ef, FREE, SI_TRIM), ef_pa(ef, FREE), PF_EPCMW);
	PF(cpu, emodt(ef, EF_TCS, SGX_SECINFO_PT(SGX_PT_TCS)), ef_pa(ef, EF_TCS), PF_EPCMW);
	ef->f->secinfo->flags = SI_TRIM;
	memset(ef->f->secinfo->reserved, 0, sizeof(ef->f->secinfo->reserved));
	PF(cpu, hw_emodt(cpu, si, ef->secs_pa), ef->secs_pa, PF_EPCMW);
	assert_int_equal(hw_epa(cpu, SGX_PT_VA, va), SGX_SUCCESS);
	PF(cpu, hw_emodt(cpu, si, va), va, PF_EPCMW);
	/* A TRIM page is checked for its type before MODIFIED. */
	assert_int_equal(emodt(ef, DATA2, SI_TRIM), SGX_SUCCESS);
	PF(cpu, emodt(ef, DATA2, SI_TRIM), ef_pa(ef, DATA2), PF_EPCMW);
	PF(cpu, emodt(ef, DATA2, SGX_SECINFO_PT(SGX_PT_TCS)), ef_pa(ef, DATA2), PF_EPCMW);
}

static void test_emodt_not_modifiable(void **state)
{
	struct efenv *ef = *state;

	eaug_ok(ef, FREE);
	assert_int_equal(emodt(ef, FREE, SI_TRIM), SGX_PAGE_NOT_MODIFIABLE);
	assert_int_equal(emodt(ef, FREE, SGX_SECINFO_PT(SGX_PT_TCS)), SGX_PAGE_NOT_MODIFIABLE);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
}

/* A trimmed page not yet accepted still counts as live: EREMOVE waits for the threads. */
static void test_emodt_trim_eremove_active(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodt(ef, DATA1, SI_TRIM), SGX_SUCCESS);
	enter(ef);
	assert_int_equal(hw_eremove(os_cpu(ef), ef_pa(ef, DATA1)), SGX_ENCLAVE_ACT);
	leave(ef);
	assert_int_equal(hw_eremove(os_cpu(ef), ef_pa(ef, DATA1)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), 0);
}

/* --- Tracking ------------------------------------------------------------ */

static void test_eaccept_pr_not_tracked(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_SUCCESS);
	enter(ef);
	/* Attributes are compared before tracking is. */
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R | SGX_SECINFO_W), DATA1),
			 SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eaccept(ef, SECINFO_R | SGX_SECINFO_PENDING, DATA1),
			 SGX_PAGE_ATTRIBUTES_MISMATCH);
	/* No ETRACK since the restriction. */
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA1), SGX_NOT_TRACKED);
	assert_int_equal(epcm_bits(ef, DATA1), B_REG | B_R | B_PR);
	leave(ef);
}

static void test_eaccept_modified_not_tracked(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodt(ef, DATA1, SI_TRIM), SGX_SUCCESS);
	assert_int_equal(emodt(ef, DATA2, SGX_SECINFO_PT(SGX_PT_TCS)), SGX_SUCCESS);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_TRIM | SGX_SECINFO_R, DATA1), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eaccept(ef, SI_TCS_MOD, DATA1), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eaccept(ef, SI_TRIM, DATA1), SGX_NOT_TRACKED);
	assert_int_equal(eaccept(ef, SI_TRIM, DATA2), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eaccept(ef, SI_TCS_MOD, DATA2), SGX_NOT_TRACKED);
	assert_int_equal(epcm_bits(ef, DATA1), B_VALID | B_PT(SGX_PT_TRIM) | B_MODIFIED);
	assert_int_equal(epcm_bits(ef, DATA2), B_VALID | B_PT(SGX_PT_TCS) | B_MODIFIED);
	leave(ef);
}

/* An EAUG'd page needs no ETRACK, even with the thread inside since before it. */
static void test_eaccept_pending_untracked_ok(void **state)
{
	struct efenv *ef = *state;

	enter(ef);
	eaug_ok(ef, FREE);
	assert_int_equal(eaccept(ef, SI_PENDING_RW, FREE), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_RW);
	leave(ef);
}

/* --- EACCEPTCOPY --------------------------------------------------------- */

static void test_eacceptcopy(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint64_t materialized;
	uint8_t b = 9;

	eaug_ok(ef, FREE);
	eaug_ok(ef, FREE + 1);
	enter(ef);
	assert_int_equal(eacceptcopy(ef, SECINFO_RX, FREE, DATA2), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_REG | B_R | B_X);
	for (uint64_t off = 0; off < SGX_PAGE_SIZE; off += 1023)
		assert_int_equal(byte_at(ef, ef_la(ef, FREE) + off), DATA2);
	PF(cpu, hw_enclave_write(cpu, ef_la(ef, FREE), &b, 1), ef_la(ef, FREE), PF_EPCMW);
	/* Copying a page of zeros keeps the destination without host memory. */
	materialized = hwf_stats(ef->f).materialized;
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, FREE + 1, EF_SSA), SGX_SUCCESS);
	assert_int_equal(hwf_stats(ef->f).materialized, materialized);
	assert_int_equal(epcm_bits(ef, FREE + 1), B_RW);
	assert_int_equal(hw_enclave_write(cpu, ef_la(ef, FREE + 1) + 7, &b, 1), 0);
	assert_int_equal(byte_at(ef, ef_la(ef, FREE + 1) + 7), 9);
	/* The source is left as it was. */
	assert_int_equal(epcm_bits(ef, DATA2), B_RW);
	leave(ef);
}

static void test_eacceptcopy_mismatch(void **state)
{
	struct efenv *ef = *state;

	eaug_ok(ef, FREE);
	assert_int_equal(emodt(ef, DATA3, SGX_SECINFO_PT(SGX_PT_TCS)), SGX_SUCCESS);
	enter(ef);
	/* Destinations that are no pending page. */
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, DATA1, DATA2), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, EF_TCS, DATA2), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, DATA3, DATA2), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eaccept(ef, SI_PENDING_RW, FREE), SGX_SUCCESS);
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, FREE, DATA2), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(byte_at(ef, ef_la(ef, DATA1)), DATA1);
	assert_int_equal(byte_at(ef, ef_la(ef, FREE)), 0);
	leave(ef);
}

static void test_eacceptcopy_dest_foreign_or_misplaced(void **state)
{
	struct efenv *ef = *state;
	uint64_t secs = second_enclave(ef);

	assert_int_equal(hwf_eadd(ef->f, secs, ef_pa(ef, FREE), ef_la(ef, FREE), SECINFO_RW, NULL),
			 SGX_SUCCESS);
	ef->mapped[FREE] = true;
	/* EPC page of FREE + 1 recorded for FREE + 2: ENCLAVEADDRESS is compared under the lock. */
	ef->mapped[FREE + 1] = true;
	assert_int_equal(eaug_raw(ef, ef_pa(ef, FREE + 1), ef_la(ef, FREE + 2), ef->secs_pa, 0),
			 SGX_SUCCESS);
	enter(ef);
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, FREE, DATA1), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, FREE + 1, DATA1),
			 SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(epcm_bits(ef, FREE + 1), B_RW | B_PENDING);
	leave(ef);
}

static void test_eacceptcopy_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint64_t si, dst = ef_la(ef, FREE), src = ef_la(ef, DATA1);
	uint64_t hole = ef_la(ef, FREE + 3), invalid = ef_la(ef, FREE + 2);

	eaug_ok(ef, FREE);
	eaug_ok(ef, FREE + 1);
	ef->mapped[FREE + 2] = true; /* an invalid EPC page */
	enter(ef);
	si = put_secinfo(ef, SECINFO_RW);
	GP(cpu, hw_eacceptcopy(cpu, si + 8, dst, src));
	GP(cpu, hw_eacceptcopy(cpu, si, dst + 8, src));
	GP(cpu, hw_eacceptcopy(cpu, si, dst, src + 8));
	GP(cpu, hw_eacceptcopy(cpu, hwf_la(ef->f->secinfo), dst, src));
	GP(cpu, hw_eacceptcopy(cpu, si, hwf_la(ef->f->host), src));
	GP(cpu, hw_eacceptcopy(cpu, si, dst, hwf_la(ef->f->host)));
	/* Resolution, in the order SECINFO, destination, source. */
	PF(cpu, hw_eacceptcopy(cpu, hole, hole, hole), hole, PF_NP);
	PF(cpu, hw_eacceptcopy(cpu, si, hole, hole), hole, PF_NP_W);
	PF(cpu, hw_eacceptcopy(cpu, si, dst, hole), hole, PF_NP);
	/* The SECINFO page must be accessible enclave data. */
	PF(cpu, hw_eacceptcopy(cpu, ef_la(ef, FREE + 1), dst, src), ef_la(ef, FREE + 1), PF_EPCM);
	PF(cpu, hw_eacceptcopy(cpu, invalid, dst, src), invalid, PF_EPCM);
	/* The SECINFO itself. */
	GP(cpu, eacceptcopy(ef, SECINFO_RW | (1ULL << 6), FREE, DATA1));
	GP(cpu, eacceptcopy(ef, SECINFO_REG(SGX_SECINFO_W), FREE, DATA1));
	GP(cpu, eacceptcopy(ef, SGX_SECINFO_PT(SGX_PT_TCS), FREE, DATA1));
	GP(cpu, eacceptcopy(ef, SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_R, FREE, DATA1));
	/* The source must be accessible enclave data too. */
	PF(cpu, eacceptcopy(ef, SECINFO_RW, FREE, FREE + 1), ef_la(ef, FREE + 1), PF_EPCM);
	PF(cpu, eacceptcopy(ef, SECINFO_RW, FREE, EF_TCS), ef_la(ef, EF_TCS), PF_EPCM);
	PF(cpu, eacceptcopy(ef, SECINFO_RW, FREE, FREE + 2), invalid, PF_EPCM);
	/* A bad source is reported before a bad destination. */
	PF(cpu, eacceptcopy(ef, SECINFO_RW, DATA2, EF_TCS), ef_la(ef, EF_TCS), PF_EPCM);
	/* A bad SECINFO before a bad source. */
	GP(cpu, eacceptcopy(ef, SGX_SECINFO_PT(SGX_PT_TCS), FREE, EF_TCS));
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	leave(ef);
}

/* --- EMODPE ------------------------------------------------------------- */

static void test_emodpe_extends(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint8_t b = 0x77;

	eaug_ok(ef, FREE);
	enter(ef);
	assert_int_equal(eacceptcopy(ef, SECINFO_R, FREE, DATA1), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_REG | B_R);
	PF(cpu, hw_enclave_write(cpu, ef_la(ef, FREE), &b, 1), ef_la(ef, FREE), PF_EPCMW);
	/* A mask that adds nothing changes nothing. */
	assert_int_equal(emodpe(ef, SGX_SECINFO_PT(SGX_PT_REG), FREE), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_REG | B_R);
	/* W alone is fine on a readable page. */
	assert_int_equal(emodpe(ef, SECINFO_REG(SGX_SECINFO_W), FREE), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_RW);
	assert_int_equal(hw_enclave_write(cpu, ef_la(ef, FREE), &b, 1), 0);
	assert_int_equal(byte_at(ef, ef_la(ef, FREE)), 0x77);
	assert_int_equal(emodpe(ef, SECINFO_REG(SGX_SECINFO_X), FREE), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_X);
	leave(ef);
}

/* EMODPE needs no EACCEPT, and a page restricted but not yet accepted can still be extended. */
static void test_emodpe_after_emodpr(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(emodpr(ef, DATA1, SGX_SECINFO_PT(SGX_PT_REG)), SGX_SUCCESS);
	enter(ef);
	/* No permission at all: W cannot come without R. */
	GP(thread_cpu(ef), emodpe(ef, SECINFO_REG(SGX_SECINFO_W), DATA1));
	assert_int_equal(epcm_bits(ef, DATA1), B_REG | B_PR);
	assert_int_equal(emodpe(ef, SECINFO_RW, DATA1), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_RW | B_PR);
	leave(ef);
}

static void test_emodpe_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint64_t si, page = ef_la(ef, DATA1), hole = ef_la(ef, FREE + 3);

	eaug_ok(ef, FREE);
	assert_int_equal(emodt(ef, DATA2, SI_TRIM), SGX_SUCCESS);
	ef->mapped[FREE + 2] = true; /* an invalid EPC page */
	enter(ef);
	si = put_secinfo(ef, SECINFO_RX);
	GP(cpu, hw_emodpe(cpu, si + 4, page));
	GP(cpu, hw_emodpe(cpu, si, page + 4));
	GP(cpu, hw_emodpe(cpu, hwf_la(ef->f->secinfo), page));
	GP(cpu, hw_emodpe(cpu, si, hwf_la(ef->f->host)));
	PF(cpu, hw_emodpe(cpu, hole, hole), hole, PF_NP);
	PF(cpu, hw_emodpe(cpu, si, hole), hole, PF_NP);
	/* Both resolve before the SECINFO's EPCM entry is looked at. */
	PF(cpu, hw_emodpe(cpu, ef_la(ef, FREE), hole), hole, PF_NP);
	PF(cpu, hw_emodpe(cpu, ef_la(ef, FREE), page), ef_la(ef, FREE), PF_EPCM);
	GP(cpu, hw_emodpe(cpu, put_secinfo(ef, SECINFO_RX | (1ULL << 32)), page));
	/* Targets that are no accepted regular page of this enclave. */
	PF(cpu, emodpe(ef, SECINFO_RX, FREE), ef_la(ef, FREE), PF_EPCM);
	PF(cpu, emodpe(ef, SECINFO_RX, DATA2), ef_la(ef, DATA2), PF_EPCM);
	PF(cpu, emodpe(ef, SECINFO_RX, EF_TCS), ef_la(ef, EF_TCS), PF_EPCM);
	PF(cpu, emodpe(ef, SECINFO_RX, FREE + 2), ef_la(ef, FREE + 2), PF_EPCM);
	/* A bad SECINFO before a bad target. */
	GP(cpu, hw_emodpe(cpu, put_secinfo(ef, SECINFO_RX | (1ULL << 6)), ef_la(ef, FREE)));
	assert_int_equal(epcm_bits(ef, DATA1), B_RW);
	leave(ef);
}

/* --- Busy pages: EMODPR/EMODT conflict, EAUG #GP -------------------------- */

/*
 * A test address space that runs (fn) once, the first time the page of (la) is
 * translated on the CPU it is installed on: the leaf that translates it is
 * then holding its busy bits.
 */
struct hook {
	struct efenv *ef;
	uint64_t la;
	bool armed, ran;
	void (*fn)(struct efenv *ef);
};

static int hook_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct hook *h = opaque;

	if (h->armed && (la & SGX_PAGE_MASK) == (h->la & SGX_PAGE_MASK)) {
		h->armed = false;
		h->fn(h->ef);
		h->ran = true;
	}
	return ef_xlate(h->ef, la, write, ret);
}

static void hook_install(struct hook *h, struct hw_cpu *cpu)
{
	struct hw_addr_space as = { .xlate = hook_xlate, .opaque = h };

	h->armed = true;
	h->ran = false;
	hw_cpu_set_addr_space(cpu, &as);
}

static struct sgx_secinfo *hook_secinfo;

/*
 * While EENTER on CPU 0 checks its SSA frame: it holds the TCS; the SECS it
 * held only for a moment before, so leaves on the SECS go on.
 */
static void during_eenter(struct efenv *ef)
{
	struct hw_cpu *cpu = hw_processor_cpu(ef->f->p, 2);
	uint64_t si = hwf_la(hook_secinfo);

	hook_secinfo->flags = SI_TRIM;
	assert_int_equal(hw_emodt(cpu, si, ef_pa(ef, EF_TCS)), SGX_EPC_PAGE_CONFLICT);
	hook_secinfo->flags = SECINFO_R;
	assert_int_equal(hw_emodpr(cpu, si, ef_pa(ef, EF_TCS)), SGX_EPC_PAGE_CONFLICT);
	assert_int_equal(hw_emodpr(cpu, si, ef->secs_pa), HW_FAULT(X86_TRAP_PF));
	assert_int_equal(hw_cpu_fault(cpu)->addr, ef->secs_pa);
	/* EAUG: a busy target is #GP, before its VALID bit is looked at. */
	memset(ef->f->pageinfo, 0, sizeof(*ef->f->pageinfo));
	ef->f->pageinfo->linaddr = ef_la(ef, FREE);
	ef->f->pageinfo->secs = hwf_epc(ef->f, 300);
	GP(cpu, hw_eaug(cpu, hwf_la(ef->f->pageinfo), ef_pa(ef, EF_TCS)));
}

static void test_emod_conflict_busy_page(void **state)
{
	struct efenv *ef = *state;
	struct hook h = { .ef = ef, .la = ef_la(ef, EF_SSA), .fn = during_eenter };
	struct hw_regs regs = { .rax = SGX_EMODT, .rflags = HW_RFLAGS_CF };

	hook_secinfo = hwf_zalloc(64, 64);
	hook_install(&h, os_cpu(ef));
	assert_int_equal(ef_enter(ef, os_cpu(ef)), 0);
	assert_true(h.ran);
	ef_exit(ef, os_cpu(ef));
	assert_int_equal(epcm_bits(ef, EF_TCS), B_VALID | B_PT(SGX_PT_TCS));
	/* Not busy any more. */
	hook_secinfo->flags = SI_TRIM;
	regs.rbx = hwf_la(hook_secinfo);
	regs.rcx = ef_pa(ef, EF_TCS);
	assert_int_equal(hw_encls(os_cpu(ef), &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags, 0);
	free(hook_secinfo);
}

/* While EAUG on CPU 0 holds its (still invalid) target and the SECS. */
static void during_eaug(struct efenv *ef)
{
	struct hw_cpu *cpu = hw_processor_cpu(ef->f->p, 2);
	uint64_t si = hwf_la(hook_secinfo);
	struct hw_regs regs = { .rax = SGX_EMODPR, .rbx = si, .rcx = ef_pa(ef, FREE) };

	/* The conflict comes before the VALID check. */
	hook_secinfo->flags = SI_TRIM;
	assert_int_equal(hw_emodt(cpu, si, ef_pa(ef, FREE)), SGX_EPC_PAGE_CONFLICT);
	hook_secinfo->flags = SECINFO_R;
	assert_int_equal(hw_encls(cpu, &regs), SGX_EPC_PAGE_CONFLICT);
	assert_int_equal(regs.rax, SGX_EPC_PAGE_CONFLICT);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	/* EAUG holds the SECS too, for as long as it runs. */
	assert_int_equal(hw_emodpr(cpu, si, ef->secs_pa), SGX_EPC_PAGE_CONFLICT);
}

static void test_emod_conflict_during_eaug(void **state)
{
	struct efenv *ef = *state;
	struct sgx_secinfo *si = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct hook h = { .ef = ef, .la = hwf_la(si), .fn = during_eaug };

	hook_secinfo = hwf_zalloc(64, 64);
	si->flags = SECINFO_RW;
	hook_install(&h, os_cpu(ef));
	ef->mapped[FREE] = true;
	assert_int_equal(eaug_raw(ef, ef_pa(ef, FREE), ef_la(ef, FREE), ef->secs_pa, hwf_la(si)),
			 SGX_SUCCESS);
	assert_true(h.ran);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_PENDING);
	free(hook_secinfo);
	free(si);
}

/* --- Register interfaces, feature checks ---------------------------------- */

static void test_encls_regs(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = os_cpu(ef);
	struct hw_regs regs;

	memset(ef->f->pageinfo, 0, sizeof(*ef->f->pageinfo));
	ef->f->pageinfo->linaddr = ef_la(ef, FREE);
	ef->f->pageinfo->secs = ef->secs_pa;
	regs = (struct hw_regs){ .rax = 0xabcd00000000ULL | SGX_EAUG,
				 .rbx = hwf_la(ef->f->pageinfo),
				 .rcx = ef_pa(ef, FREE),
				 .rflags = HW_RFLAGS_ZF | HW_RFLAGS_CF | HW_RFLAGS_SF | 0x200 };
	assert_int_equal(hw_encls(cpu, &regs), SGX_SUCCESS);
	/* EAUG returns no code and affects no flag. */
	assert_int_equal(regs.rax, 0xabcd00000000ULL | SGX_EAUG);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF | HW_RFLAGS_CF | HW_RFLAGS_SF | 0x200);
	/* EMODPR of the PENDING page: ZF and the code in RAX. */
	ef->f->secinfo->flags = SECINFO_R;
	regs = (struct hw_regs){ .rax = SGX_EMODPR,
				 .rbx = hwf_la(ef->f->secinfo),
				 .rcx = ef_pa(ef, FREE),
				 .rflags = HW_RFLAGS_CF | HW_RFLAGS_OF };
	assert_int_equal(hw_encls(cpu, &regs), SGX_PAGE_NOT_MODIFIABLE);
	assert_int_equal(regs.rax, SGX_PAGE_NOT_MODIFIABLE);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	/* A fault leaves the registers alone. */
	regs = (struct hw_regs){ .rax = SGX_EMODT,
				 .rbx = hwf_la(ef->f->secinfo),
				 .rcx = ef_pa(ef, DATA1),
				 .rflags = 0 };
	GP(cpu, hw_encls(cpu, &regs));
	assert_int_equal(regs.rax, SGX_EMODT);
	ef->f->secinfo->flags = SI_TRIM;
	assert_int_equal(hw_encls(cpu, &regs), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_VALID | B_PT(SGX_PT_TRIM) | B_MODIFIED);
}

static void test_enclu_regs(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	struct hw_regs regs = { .rax = SGX_EACCEPT };

	eaug_ok(ef, FREE);
	/* Outside the enclave: #GP. */
	regs.rbx = ef_la(ef, SI_PAGE);
	regs.rcx = ef_la(ef, FREE);
	GP(cpu, hw_enclu(cpu, &regs));
	enter(ef);
	regs = (struct hw_regs){ .rax = SGX_EACCEPT,
				 .rbx = put_secinfo(ef, SECINFO_RW | SGX_SECINFO_PR),
				 .rcx = ef_la(ef, FREE),
				 .rflags = HW_RFLAGS_CF };
	assert_int_equal(hw_enclu(cpu, &regs), SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(regs.rax, SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	regs = (struct hw_regs){ .rax = SGX_EACCEPT,
				 .rbx = put_secinfo(ef, SI_PENDING_RW),
				 .rcx = ef_la(ef, FREE),
				 .rflags = HW_RFLAGS_ZF };
	assert_int_equal(hw_enclu(cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags, 0);
	/* EMODPE and EACCEPTCOPY through the same interface. */
	regs = (struct hw_regs){ .rax = SGX_EMODPE,
				 .rbx = put_secinfo(ef, SECINFO_REG(SGX_SECINFO_X)),
				 .rcx = ef_la(ef, FREE),
				 .rflags = HW_RFLAGS_ZF | HW_RFLAGS_CF };
	assert_int_equal(hw_enclu(cpu, &regs), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_RW | B_X);
	/* EMODPE writes no register and no flag. */
	assert_int_equal(regs.rax, SGX_EMODPE);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF | HW_RFLAGS_CF);
	eaug_ok(ef, FREE + 1);
	regs = (struct hw_regs){ .rax = SGX_EACCEPTCOPY,
				 .rbx = put_secinfo(ef, SECINFO_R),
				 .rcx = ef_la(ef, FREE + 1),
				 .rdx = ef_la(ef, DATA3) };
	assert_int_equal(hw_enclu(cpu, &regs), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE + 1), B_REG | B_R);
	assert_int_equal(byte_at(ef, ef_la(ef, FREE + 1) + 5), DATA3);
	leave(ef);
}

/*
 * A part without SGX2: every SGX2 leaf is an unsupported leaf, #GP(0) as the
 * SDM says, typed or through the registers, and changes nothing.
 */
static void test_no_sgx2_ud(void **state)
{
	struct hw_desc d;
	struct efenv *ef;
	struct hw_cpu *os, *cpu;
	struct hw_regs regs;
	const unsigned int encls_leaves[] = { SGX_EAUG, SGX_EMODPR, SGX_EMODT };
	const unsigned int enclu_leaves[] = { SGX_EACCEPT, SGX_EMODPE, SGX_EACCEPTCOPY };

	(void)state;
	hw_desc_init_default(&d);
	d.sgx2 = false;
	ef = ef_new(&d, SGX_ATTR_DEBUG, SGX_MISC_EXINFO, 4);
	os = os_cpu(ef);
	cpu = thread_cpu(ef);
	ef->f->secinfo->flags = SECINFO_R;
	/* Operands a part with SGX2 would accept. */
	GP(os, eaug(ef, FREE));
	GP(os, emodpr(ef, DATA1, SECINFO_R));
	GP(os, emodt(ef, DATA1, SI_TRIM));
	/* Outside an enclave too. */
	GP(cpu, hw_eaccept(cpu, ef_la(ef, SI_PAGE), ef_la(ef, DATA1)));
	enter(ef);
	GP(cpu, eaccept(ef, SI_PR(SGX_SECINFO_R | SGX_SECINFO_W), DATA1));
	GP(cpu, emodpe(ef, SECINFO_RWX, DATA1));
	GP(cpu, eacceptcopy(ef, SECINFO_RW, DATA1, DATA2));
	for (size_t i = 0; i < 3; i++) {
		regs = (struct hw_regs){ .rax = enclu_leaves[i],
					 .rbx = ef_la(ef, SI_PAGE),
					 .rcx = ef_la(ef, DATA1),
					 .rdx = ef_la(ef, DATA2) };
		GP(cpu, hw_enclu(cpu, &regs));
		assert_int_equal(regs.rax, enclu_leaves[i]);
	}
	leave(ef);
	for (size_t i = 0; i < 3; i++) {
		regs = (struct hw_regs){ .rax = encls_leaves[i],
					 .rbx = hwf_la(ef->f->secinfo),
					 .rcx = ef_pa(ef, DATA1) };
		GP(os, hw_encls(os, &regs));
	}
	assert_int_equal(epcm_bits(ef, DATA1), B_RW);
	assert_int_equal(epcm_bits(ef, FREE), 0);
	ef_free(ef);
}

/* With SGX disabled by firmware, or on a part without SGX2, the SGX2 leaves #GP(0). */
static void test_feature_control(void **state)
{
	struct hw_desc d;
	struct hwfix *f;
	uint64_t si, epc;

	(void)state;
	hw_desc_init_default(&d);
	d.feature_control = FEAT_CTL_LOCKED;
	f = hwf_new(&d);
	si = hwf_la(f->secinfo);
	epc = hwf_epc(f, 1);
	f->secinfo->flags = SECINFO_R;
	assert_gp(f, hw_eaug(f->cpu, hwf_la(f->pageinfo), epc));
	assert_gp(f, hw_emodpr(f->cpu, si, epc));
	assert_gp(f, hw_emodt(f->cpu, si, epc));
	assert_gp(f, hw_eaccept(f->cpu, si, epc));
	assert_gp(f, hw_emodpe(f->cpu, si, epc));
	assert_gp(f, hw_eacceptcopy(f->cpu, si, epc, epc));
	d.sgx2 = false;
	hwf_repower(f, &d);
	assert_gp(f, hw_eaug(f->cpu, hwf_la(f->pageinfo), epc));
	assert_gp(f, hw_emodpr(f->cpu, si, epc));
	assert_gp(f, hw_emodt(f->cpu, si, epc));
	assert_gp(f, hw_eaccept(f->cpu, si, epc));
	assert_gp(f, hw_emodpe(f->cpu, si, epc));
	assert_gp(f, hw_eacceptcopy(f->cpu, si, epc, epc));
	hwf_free(f);
}

/* Outside an enclave, with SGX on: the ENCLU leaves #GP before looking at operands. */
static void test_enclu_outside_gp(void **state)
{
	struct hwfix *f = *state;

	assert_gp(f, hw_eaccept(f->cpu, 0, 0));
	assert_gp(f, hw_emodpe(f->cpu, 0, 0));
	assert_gp(f, hw_eacceptcopy(f->cpu, 0, 0, 0));
}

/* The OS's side of tracking: ETRACK and EBLOCK on the OS's CPU, which must succeed. */
static void etrack(struct efenv *ef)
{
	assert_int_equal(hw_etrack(os_cpu(ef), ef->secs_pa), SGX_SUCCESS);
}

static void eblock(struct efenv *ef, unsigned int page)
{
	assert_int_equal(hw_eblock(os_cpu(ef), ef_pa(ef, page)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, page) & B_BLOCKED, B_BLOCKED);
}

/* Linux's SGX_IOC_ENCLAVE_RESTRICT_PERMISSIONS, then the enclave's EACCEPT. */
static void test_emodpr_etrack_eaccept(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = thread_cpu(ef);
	uint8_t b = 1;

	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_SUCCESS);
	etrack(ef);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA1), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_REG | B_R);
	assert_int_equal(byte_at(ef, ef_la(ef, DATA1) + 1), DATA1);
	PF(cpu, hw_enclave_write(cpu, ef_la(ef, DATA1) + 1, &b, 1), ef_la(ef, DATA1) + 1, PF_EPCMW);
	/* Accepted: a second EACCEPT of the restriction is a no-op needing no tracking. */
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA1), SGX_SUCCESS);
	leave(ef);
}

/* A thread inside when ETRACK ran must leave before the change can be accepted. */
static void test_eaccept_waits_for_threads(void **state)
{
	struct efenv *ef = *state;

	enter(ef);
	assert_int_equal(emodpr(ef, DATA1, SECINFO_R), SGX_SUCCESS);
	etrack(ef);
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA1), SGX_NOT_TRACKED);
	leave(ef);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA1), SGX_SUCCESS);
	leave(ef);
	/* An ETRACK before the change does not count. */
	etrack(ef);
	assert_int_equal(emodt(ef, DATA2, SI_TRIM), SGX_SUCCESS);
	assert_int_equal(emodpr(ef, DATA3, SECINFO_R), SGX_SUCCESS);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_TRIM, DATA2), SGX_NOT_TRACKED);
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA3), SGX_NOT_TRACKED);
	leave(ef);
	etrack(ef);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_TRIM, DATA2), SGX_SUCCESS);
	assert_int_equal(eaccept(ef, SI_PR(SGX_SECINFO_R), DATA3), SGX_SUCCESS);
	leave(ef);
}

/* Linux's SGX_IOC_ENCLAVE_REMOVE_PAGES: EMODT to TRIM, ETRACK, EACCEPT, EREMOVE. */
static void test_trim_flow(void **state)
{
	struct efenv *ef = *state;
	uint64_t children = hwf_enclave(ef->f, ef->secs_pa).children;
	uint64_t valid = hwf_stats(ef->f).valid_pages;

	assert_int_equal(emodt(ef, DATA1, SI_TRIM), SGX_SUCCESS);
	etrack(ef);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_TRIM, DATA1), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), B_VALID | B_PT(SGX_PT_TRIM));
	/* An accepted TRIM page goes even with the thread still inside. */
	assert_int_equal(hw_eremove(os_cpu(ef), ef_pa(ef, DATA1)), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, DATA1), 0);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).children, children - 1);
	assert_int_equal(hwf_stats(ef->f).valid_pages, valid - 1);
	PF(thread_cpu(ef), hw_enclave_read(thread_cpu(ef), ef_la(ef, DATA1), (uint8_t[1]){ 0 }, 1),
	   ef_la(ef, DATA1), PF_EPCM);
	leave(ef);
}

/* Write a TCS image into regular page (page) from inside the enclave. */
static void write_tcs(struct efenv *ef, unsigned int page, const struct sgx_tcs *tcs)
{
	assert_int_equal(hw_enclave_write(thread_cpu(ef), ef_la(ef, page), tcs, sizeof(*tcs)), 0);
}

static void tcs_image(struct sgx_tcs *tcs)
{
	memset(tcs, 0, sizeof(*tcs));
	tcs->ossa = (uint64_t)EF_SSA * SGX_PAGE_SIZE;
	tcs->nssa = 1;
	tcs->oentry = (uint64_t)EF_DATA * SGX_PAGE_SIZE;
}

/* A second thread made at run time: EMODT to TCS, ETRACK, EACCEPT, EENTER through it. */
static void test_emodt_tcs_eenter(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = hw_processor_cpu(ef->f->p, 2);
	struct sgx_tcs tcs;
	uint32_t cssa = 7;

	augment(ef, FREE);
	tcs_image(&tcs);
	write_tcs(ef, FREE, &tcs);
	leave(ef);
	assert_int_equal(emodt(ef, FREE, SGX_SECINFO_PT(SGX_PT_TCS)), SGX_SUCCESS);
	etrack(ef);
	enter(ef);
	assert_int_equal(eaccept(ef, SI_TCS_MOD, FREE), SGX_SUCCESS);
	assert_int_equal(epcm_bits(ef, FREE), B_VALID | B_PT(SGX_PT_TCS));
	/* Both threads inside at once. */
	assert_int_equal(hw_eenter(cpu, ef_la(ef, FREE), EF_AEP, &cssa), 0);
	assert_int_equal(cssa, 0);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 2);
	ef_exit(ef, cpu);
	leave(ef);
}

/* EACCEPT of a TCS checks that it is one no thread has used. */
static void test_eaccept_tcs_checks(void **state)
{
	struct efenv *ef = *state;
	struct sgx_tcs tcs[5];
	unsigned int n = sizeof(tcs) / sizeof(tcs[0]);

	for (unsigned int i = 0; i < n; i++)
		tcs_image(&tcs[i]);
	tcs[0].reserved[100] = 1;
	tcs[1].flags = SGX_TCS_DBGOPTIN;
	tcs[2].cssa = 1; /* = NSSA */
	tcs[3].aep = 0x1000;
	tcs[4].state = 1;
	for (unsigned int i = 0; i < n; i++) {
		eaug_ok(ef, FREE + i);
		enter(ef);
		assert_int_equal(eaccept(ef, SI_PENDING_RW, FREE + i), SGX_SUCCESS);
		write_tcs(ef, FREE + i, &tcs[i]);
		leave(ef);
		assert_int_equal(emodt(ef, FREE + i, SGX_SECINFO_PT(SGX_PT_TCS)), SGX_SUCCESS);
	}
	etrack(ef);
	enter(ef);
	for (unsigned int i = 0; i < n; i++) {
		GP(thread_cpu(ef), eaccept(ef, SI_TCS_MOD, FREE + i));
		assert_int_equal(epcm_bits(ef, FREE + i), B_VALID | B_PT(SGX_PT_TCS) | B_MODIFIED);
	}
	leave(ef);
}

/* A BLOCKED target is not acceptable (#PF); EBLOCK is in src/hw/paging.c too. */
static void test_eaccept_blocked(void **state)
{
	struct efenv *ef = *state;

	eaug_ok(ef, FREE);
	eblock(ef, FREE);
	enter(ef);
	PF(thread_cpu(ef), eaccept(ef, SI_PENDING_RW, FREE), ef_la(ef, FREE), PF_EPCM);
	assert_int_equal(eacceptcopy(ef, SECINFO_RW, FREE, DATA1), SGX_PAGE_ATTRIBUTES_MISMATCH);
	leave(ef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		EF_TEST(test_eaug_pending),
		EF_TEST(test_eaug_secinfo_reg),
		EF_TEST(test_eaug_secinfo_bad),
		EF_TEST(test_eaug_operand_alignment),
		EF_TEST(test_eaug_operand_faults),
		EF_TEST(test_eaug_target_valid),
		EF_TEST(test_eaug_secs_not_secs),
		EF_TEST(test_eaug_uninitialized),
		EF_TEST(test_eaug_outside_elrange),
		EF_TEST(test_eaug_zeroes_page),
		EF_TEST(test_eaug_pending_inaccessible),
		EF_TEST(test_eaug_eaccept_rw),
		EF_TEST(test_eaccept_mismatch),
		EF_TEST(test_eaccept_address_mismatch),
		EF_TEST(test_eaccept_outside_enclave),
		EF_TEST(test_eaccept_secinfo_faults),
		EF_TEST(test_eaccept_target_faults),
		EF_TEST(test_eaccept_foreign_page),
		EF_TEST(test_eaccept_request_illegal),
		EF_TEST(test_eaccept_check_order),
		EF_TEST(test_emodpr_restricts),
		EF_TEST(test_emodpr_write_faults),
		EF_TEST(test_emodpr_operand_faults),
		EF_TEST(test_emodpr_page_faults),
		EF_TEST(test_emodpr_not_modifiable),
		EF_TEST(test_emodpr_uninitialized),
		EF_TEST(test_emodt_trim),
		EF_TEST(test_emodt_to_tcs),
		EF_TEST(test_emodt_tcs_to_trim),
		EF_TEST(test_emodt_faults),
		EF_TEST(test_emodt_not_modifiable),
		EF_TEST(test_emodt_trim_eremove_active),
		EF_TEST(test_eaccept_pr_not_tracked),
		EF_TEST(test_eaccept_modified_not_tracked),
		EF_TEST(test_eaccept_pending_untracked_ok),
		EF_TEST(test_eacceptcopy),
		EF_TEST(test_eacceptcopy_mismatch),
		EF_TEST(test_eacceptcopy_dest_foreign_or_misplaced),
		EF_TEST(test_eacceptcopy_faults),
		EF_TEST(test_emodpe_extends),
		EF_TEST(test_emodpe_after_emodpr),
		EF_TEST(test_emodpe_faults),
		EF_TEST(test_emod_conflict_busy_page),
		EF_TEST(test_emod_conflict_during_eaug),
		EF_TEST(test_encls_regs),
		EF_TEST(test_enclu_regs),
		vector_test(test_no_sgx2_ud),
		cmocka_unit_test(test_feature_control),
		HWF_TEST("test_enclu_outside_gp", test_enclu_outside_gp),
		EF_TEST(test_emodpr_etrack_eaccept),
		EF_TEST(test_eaccept_waits_for_threads),
		EF_TEST(test_trim_flow),
		EF_TEST(test_emodt_tcs_eenter),
		EF_TEST(test_eaccept_tcs_checks),
		EF_TEST(test_eaccept_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
