// SPDX-License-Identifier: MIT
/*
 * Paging (SDM Vol. 3D ch. 38: EBLOCK, ETRACK, EWB, ELDB, ELDU; sections 4,
 * 4.3 and 10 of the reference): every outcome of each leaf, TLB tracking with
 * threads inside, the crypto binding of a written-back page (replay, other
 * enclave, other address, altered blob, reset), SECS and VA pages written
 * back and reloaded, and the register interface.
 *
 * A few tests look inside the model (epcm.h): to hold a busy bit as a
 * concurrent leaf would, to read a VA slot's version, and to give a page the
 * SGX2 state bits that EAUG/EMODPR/EMODT would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "encl-fixture.h"
#include "epcm.h"
#include "hw.h"

#define PG_VA	  40 /* EPC page of the fixture's VA page */
#define PG_VA2	  41 /* a second VA page, when a test makes one */
#define PG_FREE	  50 /* free EPC pages from here */
#define PG_BLOBS  10
#define PG_ALL	  (EF_DATA + 4) /* the fixture's child pages: TCS, 2 SSA, 4 data */
#define UNMAPPED  (HWF_ENCL_BASE + (EF_PAGES - 1) * SGX_PAGE_SIZE) /* nothing maps there */
#define PF_EPCM_W (X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE)

/* A page written back: the encrypted page, its PCMD, and PAGEINFO.LINADDR as EWB left it. */
struct blob {
	uint8_t *page;
	struct sgx_pcmd *pcmd;
	uint64_t linaddr;
};

struct pgenv {
	struct efenv *ef;
	struct hwfix *f;
	struct hw_processor *p;
	struct hw_cpu *cpu;
	struct sgx_pageinfo *pi;
	uint64_t va; /* the VA page (physical = linear address) */
	struct blob b[PG_BLOBS];
};

static int pg_setup(void **state)
{
	struct pgenv *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->ef = ef_new(NULL, SGX_ATTR_DEBUG, SGX_MISC_EXINFO, 4);
	g->f = g->ef->f;
	g->p = g->f->p;
	g->cpu = g->f->cpu;
	g->pi = hwf_zalloc(32, sizeof(*g->pi));
	for (unsigned int i = 0; i < PG_BLOBS; i++) {
		g->b[i].page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
		g->b[i].pcmd = hwf_zalloc(128, sizeof(struct sgx_pcmd));
	}
	g->va = hwf_epc(g->f, PG_VA);
	assert_int_equal(hw_epa(g->cpu, SGX_PT_VA, g->va), SGX_SUCCESS);
	*state = g;
	return 0;
}

static int pg_teardown(void **state)
{
	struct pgenv *g = *state;

	ef_free(g->ef);
	free(g->pi);
	for (unsigned int i = 0; i < PG_BLOBS; i++) {
		free(g->b[i].page);
		free(g->b[i].pcmd);
	}
	free(g);
	*state = NULL;
	return 0;
}

#define PG_TEST(fn)                                                                                \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? pg_setup : NULL,         \
		    vectors_present() ? pg_teardown : NULL, NULL                                   \
	}

static uint64_t slot(const struct pgenv *g, unsigned int i)
{
	return g->va + 8ULL * i;
}

static uint64_t pa_of(const struct pgenv *g, unsigned int page)
{
	return hwf_epc(g->f, page);
}

static uint64_t idx_of(struct pgenv *g, uint64_t pa)
{
	uint64_t idx;

	assert_true(epcm_index(g->p, pa, &idx));
	return idx;
}

static struct hw_epcm_entry *entry_of(struct pgenv *g, uint64_t pa)
{
	return epcm_entry(g->p, idx_of(g, pa));
}

/* The version in the 8-byte VA slot at physical address (pa). */
static uint64_t slot_value(struct pgenv *g, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, epcm_contents(g->p, idx_of(g, pa & SGX_PAGE_MASK)) + (pa & ~SGX_PAGE_MASK),
	       sizeof(v));
	return v;
}

static void slot_poke(struct pgenv *g, uint64_t pa, uint64_t v)
{
	memcpy(epcm_materialize(g->p, idx_of(g, pa & SGX_PAGE_MASK)) + (pa & ~SGX_PAGE_MASK), &v,
	       sizeof(v));
}

static const uint8_t *contents(struct pgenv *g, uint64_t pa)
{
	return epcm_contents(g->p, idx_of(g, pa));
}

static int ewb_on(struct pgenv *g, struct hw_cpu *cpu, uint64_t epc, uint64_t va_slot,
		  struct blob *b)
{
	int r;

	memset(g->pi, 0, sizeof(*g->pi));
	g->pi->srcpge = hwf_la(b->page);
	g->pi->secinfo = hwf_la(b->pcmd);
	r = hw_ewb(cpu, hwf_la(g->pi), epc, va_slot);
	b->linaddr = g->pi->linaddr;
	return r;
}

static int ewb(struct pgenv *g, uint64_t epc, uint64_t va_slot, struct blob *b)
{
	return ewb_on(g, g->cpu, epc, va_slot, b);
}

static void eld_operands(struct pgenv *g, const struct blob *b, uint64_t secs)
{
	g->pi->linaddr = b->linaddr;
	g->pi->srcpge = hwf_la(b->page);
	g->pi->secinfo = hwf_la(b->pcmd);
	g->pi->secs = secs;
}

static int eldu(struct pgenv *g, const struct blob *b, uint64_t secs, uint64_t epc,
		uint64_t va_slot)
{
	eld_operands(g, b, secs);
	return hw_eldu(g->cpu, hwf_la(g->pi), epc, va_slot);
}

static int eldb(struct pgenv *g, const struct blob *b, uint64_t secs, uint64_t epc,
		uint64_t va_slot)
{
	eld_operands(g, b, secs);
	return hw_eldb(g->cpu, hwf_la(g->pi), epc, va_slot);
}

/* Linux's sequence for one page: EBLOCK, ETRACK, EWB. */
static void evict(struct pgenv *g, uint64_t epc, uint64_t va_slot, struct blob *b)
{
	assert_int_equal(hw_eblock(g->cpu, epc), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, epc, va_slot, b), SGX_SUCCESS);
}

static struct hw_cpu *cpu1(struct pgenv *g)
{
	return hw_processor_cpu(g->p, 1);
}

/* EBLOCK */

static void test_eblock_blocks(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	assert_false(hwf_epcm(g->f, pa).blocked);
	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	struct hw_epcm_info i = hwf_epcm(g->f, pa);
	assert_true(i.valid);
	assert_true(i.blocked);
	assert_true(i.r && i.w && !i.x);
	assert_int_equal(i.pt, SGX_PT_REG);
	/* The page is still the enclave's: blocking removes nothing. */
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL);
	/* A blocked page takes no new translations: enclave code faults on it. */
	ef_enter(g->ef, cpu1(g));
	uint8_t byte;
	assert_int_equal(hw_enclave_read(cpu1(g), ef_la(g->ef, EF_DATA), &byte, 1),
			 HW_FAULT(X86_TRAP_PF));
	assert_int_equal(hw_enclave_read(cpu1(g), ef_la(g->ef, EF_DATA + 1), &byte, 1), 0);
	ef_exit(g->ef, cpu1(g));
}

static void test_eblock_blkstate(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_TCS);

	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(hw_eblock(g->cpu, pa), SGX_BLKSTATE);
	assert_true(hwf_epcm(g->f, pa).blocked);
	/* A blocked TCS cannot be entered. */
	assert_int_equal(hw_eenter(cpu1(g), ef_la(g->ef, EF_TCS), EF_AEP, NULL),
			 HW_FAULT(X86_TRAP_PF));
}

static void test_eblock_invalid_secs_va(void **state)
{
	struct pgenv *g = *state;

	assert_int_equal(hw_eblock(g->cpu, pa_of(g, PG_FREE)), SGX_PG_INVLD);
	assert_int_equal(hw_eblock(g->cpu, g->ef->secs_pa), SGX_PG_IS_SECS);
	assert_int_equal(hw_eblock(g->cpu, g->va), SGX_NOTBLOCKABLE);
	assert_false(hwf_epcm(g->f, g->va).blocked);
	assert_false(hwf_epcm(g->f, pa_of(g, PG_FREE)).valid);
}

static void test_eblock_conflict(void **state)
{
	struct pgenv *g = *state;
	struct hw_epcm_entry *e = entry_of(g, ef_pa(g->ef, EF_DATA));

	/* Another leaf holds the page: EBLOCK reports it rather than faulting. */
	assert_true(epcm_trylock(e));
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA)), SGX_EPC_PAGE_CONFLICT);
	epcm_unlock(e);
	assert_false(hwf_epcm(g->f, ef_pa(g->ef, EF_DATA)).blocked);
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA)), SGX_SUCCESS);
}

static void test_eblock_faults(void **state)
{
	struct pgenv *g = *state;

	assert_gp(g->f, hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA) + 8));
	assert_pf(g->f, hw_eblock(g->cpu, hwf_la(g->f->host)), hwf_la(g->f->host));
	assert_int_equal(hw_cpu_fault(g->cpu)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_eblock(g->cpu, UNMAPPED), UNMAPPED);
	assert_int_equal(hw_cpu_fault(g->cpu)->error_code, X86_PF_WRITE);
	/* Through the enclave's linear address it is the same EPC page. */
	assert_int_equal(hw_eblock(g->cpu, ef_la(g->ef, EF_DATA)), SGX_SUCCESS);
	assert_true(hwf_epcm(g->f, ef_pa(g->ef, EF_DATA)).blocked);
}

static void test_eblock_sgx_disabled(void **state)
{
	struct pgenv *g = *state;

	/* The CPU the leaves run on has SGX locked off. */
	atomic_store(&g->cpu->feature_control, FEAT_CTL_LOCKED);
	assert_gp(g->f, hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA)));
	assert_gp(g->f, hw_etrack(g->cpu, g->ef->secs_pa));
	assert_gp(g->f, ewb(g, ef_pa(g->ef, EF_DATA), slot(g, 0), &g->b[0]));
	assert_gp(g->f, eldu(g, &g->b[0], g->ef->secs_pa, pa_of(g, PG_FREE), slot(g, 0)));
	assert_gp(g->f, eldb(g, &g->b[0], g->ef->secs_pa, pa_of(g, PG_FREE), slot(g, 0)));
}

static void test_eblock_register(void **state)
{
	struct pgenv *g = *state;
	struct hw_regs regs = { .rax = SGX_EBLOCK,
				.rcx = g->ef->secs_pa,
				.rflags = HW_RFLAGS_ZF | HW_RFLAGS_OF };

	assert_int_equal(hw_encls(g->cpu, &regs), SGX_PG_IS_SECS);
	assert_int_equal(regs.rax, SGX_PG_IS_SECS);
	assert_int_equal(regs.rflags, HW_RFLAGS_CF);
	regs = (struct hw_regs){ .rax = SGX_EBLOCK, .rcx = pa_of(g, PG_FREE) };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_PG_INVLD);
	assert_int_equal(regs.rflags, HW_RFLAGS_CF);
	regs = (struct hw_regs){ .rax = SGX_EBLOCK,
				 .rcx = ef_pa(g->ef, EF_DATA),
				 .rflags = HW_RFLAGS_CF };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags, 0);
	regs.rax = SGX_EBLOCK;
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_BLKSTATE);
	assert_int_equal(regs.rflags, HW_RFLAGS_CF);
	struct hw_epcm_entry *e = entry_of(g, ef_pa(g->ef, EF_DATA));
	assert_true(epcm_trylock(e));
	regs.rax = SGX_EBLOCK;
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_EPC_PAGE_CONFLICT);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	epcm_unlock(e);
}

/* ETRACK */

static void test_etrack_prev_incomplete(void **state)
{
	struct pgenv *g = *state;

	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	ef_enter(g->ef, cpu1(g));
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	/* The thread inside at that ETRACK has not left. */
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_PREV_TRK_INCMPL);
	struct hw_regs regs = { .rax = SGX_ETRACK, .rcx = g->ef->secs_pa };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_PREV_TRK_INCMPL);
	assert_int_equal(regs.rax, SGX_PREV_TRK_INCMPL);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	ef_exit(g->ef, cpu1(g));
	regs.rax = SGX_ETRACK;
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rflags, 0);
}

static void test_etrack_faults(void **state)
{
	struct pgenv *g = *state;

	assert_gp(g->f, hw_etrack(g->cpu, g->ef->secs_pa + 64));
	assert_pf(g->f, hw_etrack(g->cpu, hwf_la(g->f->host)), hwf_la(g->f->host));
	assert_int_equal(hw_cpu_fault(g->cpu)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_etrack(g->cpu, UNMAPPED), UNMAPPED);
	/* Not a SECS, or not valid: #PF on the operand. */
	assert_pf(g->f, hw_etrack(g->cpu, ef_pa(g->ef, EF_DATA)), ef_pa(g->ef, EF_DATA));
	assert_int_equal(hw_cpu_fault(g->cpu)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_etrack(g->cpu, pa_of(g, PG_FREE)), pa_of(g, PG_FREE));
	assert_pf(g->f, hw_etrack(g->cpu, g->va), g->va);
	/* The tracking resource in use by another leaf. */
	struct hw_epcm_entry *s = entry_of(g, g->ef->secs_pa);
	assert_true(epcm_trylock(s));
	assert_gp(g->f, hw_etrack(g->cpu, g->ef->secs_pa));
	epcm_unlock(s);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
}

/* EWB */

static void test_ewb_child(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA + 1);
	struct blob *b = &g->b[0];
	struct hw_stats st0 = hwf_stats(g->f);
	uint64_t eid = hwf_enclave(g->f, g->ef->secs_pa).eid;

	memset(b->pcmd, 0xcc, sizeof(*b->pcmd));
	evict(g, pa, slot(g, 3), b);
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL - 1);
	assert_int_equal(hwf_stats(g->f).valid_pages, st0.valid_pages - 1);
	/* The host keeps the page's memory for reuse; the VA page now holds a version. */
	assert_int_equal(hwf_stats(g->f).materialized, st0.materialized + 1);
	/* PCMD: SECINFO flags only, the enclave's EID, reserved zero, a MAC. */
	assert_int_equal(b->pcmd->secinfo.flags, SECINFO_RW);
	for (size_t i = 0; i < sizeof(b->pcmd->secinfo.reserved); i++)
		assert_int_equal(b->pcmd->secinfo.reserved[i], 0);
	assert_int_equal(b->pcmd->enclave_id, eid);
	for (size_t i = 0; i < sizeof(b->pcmd->reserved); i++)
		assert_int_equal(b->pcmd->reserved[i], 0);
	assert_int_equal(b->linaddr, ef_la(g->ef, EF_DATA + 1));
	/* The page is encrypted: no run of the page's byte survives. */
	size_t same = 0;
	for (size_t i = 0; i < SGX_PAGE_SIZE; i++)
		same += b->page[i] == EF_DATA + 1;
	assert_true(same < 64);
	/* The first version the processor hands out is 1, in the chosen slot. */
	assert_int_equal(slot_value(g, slot(g, 3)), 1);
	assert_int_equal(slot_value(g, slot(g, 2)), 0);
	assert_int_equal(slot_value(g, slot(g, 4)), 0);
}

static void test_ewb_versions_fresh(void **state)
{
	struct pgenv *g = *state;

	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA)), 0);
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA + 1)), 0);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), 0);
	assert_int_equal(ewb(g, ef_pa(g->ef, EF_DATA), slot(g, 0), &g->b[0]), 0);
	assert_int_equal(ewb(g, ef_pa(g->ef, EF_DATA + 1), slot(g, 511), &g->b[1]), 0);
	assert_int_equal(slot_value(g, slot(g, 0)), 1);
	assert_int_equal(slot_value(g, slot(g, 511)), 2);
	/* Same contents pattern, other version: the ciphertexts differ. */
	assert_memory_not_equal(g->b[0].page, g->b[1].page, SGX_PAGE_SIZE);
}

static void test_ewb_not_blocked(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);
	struct hw_regs regs = {
		.rax = SGX_EWB, .rbx = hwf_la(g->pi), .rcx = pa, .rdx = slot(g, 0)
	};

	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_PAGE_NOT_BLOCKED);
	assert_true(hwf_epcm(g->f, pa).valid);
	assert_int_equal(slot_value(g, slot(g, 0)), 0);
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_PAGE_NOT_BLOCKED);
	assert_int_equal(regs.rax, SGX_PAGE_NOT_BLOCKED);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
}

/* Linux's sgx_encl_ewb(): EWB, on SGX_NOT_TRACKED ETRACK, EWB again. */
static void test_ewb_linux_retry(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_NOT_TRACKED);
	assert_true(hwf_epcm(g->f, pa).valid);
	assert_int_equal(slot_value(g, slot(g, 0)), 0);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	assert_false(hwf_epcm(g->f, pa).valid);
}

/* An ETRACK from before the EBLOCK does not count. */
static void test_ewb_etrack_before_eblock(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_NOT_TRACKED);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_SUCCESS);
}

/* A thread inside at the ETRACK holds EWB off until it leaves by (how). */
enum leave_how { LEAVE_EEXIT, LEAVE_AEX, LEAVE_RAW };

static void thread_blocks_ewb(struct pgenv *g, enum leave_how how)
{
	uint64_t pa = ef_pa(g->ef, EF_DATA + 2);
	struct hw_cpu *t = cpu1(g);

	if (how == LEAVE_RAW)
		assert_int_equal(hw_cpu_enclave_enter_raw(t, g->ef->secs_pa), 0);
	else
		ef_enter(g->ef, t);
	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_NOT_TRACKED);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_NOT_TRACKED);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_PREV_TRK_INCMPL);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_NOT_TRACKED);
	assert_true(hwf_epcm(g->f, pa).valid);
	if (how == LEAVE_EEXIT) {
		ef_exit(g->ef, t);
	} else if (how == LEAVE_AEX) {
		struct sgx_ssa_gpr gpr = { 0 };
		struct hw_aex why = { .vector = 32, .is_interrupt = true };

		assert_int_equal(hw_aex(t, &gpr, &why), 0);
	} else {
		assert_int_equal(hw_cpu_enclave_exit_raw(t), 0);
	}
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	assert_false(hwf_epcm(g->f, pa).valid);
}

static void test_ewb_tracking_eexit(void **state)
{
	thread_blocks_ewb(*state, LEAVE_EEXIT);
}

static void test_ewb_tracking_aex(void **state)
{
	thread_blocks_ewb(*state, LEAVE_AEX);
}

static void test_ewb_tracking_raw(void **state)
{
	thread_blocks_ewb(*state, LEAVE_RAW);
}

/* A thread that entered after the ETRACK cannot hold a translation of a blocked page. */
static void test_ewb_thread_entered_after_etrack(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	ef_enter(g->ef, cpu1(g));
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	ef_exit(g->ef, cpu1(g));
}

/*
 * Two generations inside at once: a thread of each leaves in turn, and each
 * exit counts against its own generation (the older one held by the last
 * ETRACK, or the newer one), in either order.
 */
static void two_generations(struct pgenv *g, bool older_leaves_first)
{
	uint64_t pa = ef_pa(g->ef, EF_DATA + 1);
	struct hw_cpu *older = cpu1(g), *newer = hw_processor_cpu(g->p, 2);

	assert_int_equal(hw_cpu_enclave_enter_raw(older, g->ef->secs_pa), 0);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(hw_cpu_enclave_enter_raw(newer, g->ef->secs_pa), 0);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).threads_inside, 2);
	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_PREV_TRK_INCMPL);
	if (older_leaves_first) {
		assert_int_equal(hw_cpu_enclave_exit_raw(older), 0);
		/* The newer thread entered before the EBLOCK: this ETRACK holds it. */
		assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
		assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_NOT_TRACKED);
		assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_PREV_TRK_INCMPL);
		assert_int_equal(hw_cpu_enclave_exit_raw(newer), 0);
	} else {
		assert_int_equal(hw_cpu_enclave_exit_raw(newer), 0);
		/* The newer thread's exit does not finish the older generation. */
		assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_PREV_TRK_INCMPL);
		assert_int_equal(hw_cpu_enclave_exit_raw(older), 0);
		assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	}
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).threads_inside, 0);
	assert_int_equal(ewb(g, pa, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
}

static void test_track_two_generations_older_first(void **state)
{
	two_generations(*state, true);
}

static void test_track_two_generations_newer_first(void **state)
{
	two_generations(*state, false);
}

static void test_ewb_child_present(void **state)
{
	struct pgenv *g = *state;
	struct hw_regs regs = {
		.rax = SGX_EWB, .rbx = hwf_la(g->pi), .rcx = g->ef->secs_pa, .rdx = slot(g, 0)
	};

	assert_int_equal(ewb(g, g->ef->secs_pa, slot(g, 0), &g->b[0]), SGX_CHILD_PRESENT);
	assert_true(hwf_epcm(g->f, g->ef->secs_pa).valid);
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_CHILD_PRESENT);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	/* One child left is enough. */
	for (unsigned int i = 0; i < PG_ALL - 1; i++)
		evict(g, ef_pa(g->ef, i), slot(g, i), &g->b[0]);
	assert_int_equal(ewb(g, g->ef->secs_pa, slot(g, 9), &g->b[0]), SGX_CHILD_PRESENT);
	assert_int_equal(slot_value(g, slot(g, 9)), 0);
	evict(g, ef_pa(g->ef, PG_ALL - 1), slot(g, PG_ALL - 1), &g->b[0]);
	assert_int_equal(ewb(g, g->ef->secs_pa, slot(g, 9), &g->b[0]), SGX_SUCCESS);
}

/* A thread inside (here without a TCS) keeps the SECS in the EPC. */
static void test_ewb_secs_thread_inside(void **state)
{
	struct pgenv *g = *state;

	for (unsigned int i = 0; i < PG_ALL; i++)
		assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, i)), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	assert_int_equal(hw_cpu_enclave_enter_raw(cpu1(g), g->ef->secs_pa), 0);
	for (unsigned int i = 0; i < PG_ALL; i++)
		assert_int_equal(ewb(g, ef_pa(g->ef, i), slot(g, i), &g->b[i]), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, 0);
	assert_int_equal(ewb(g, g->ef->secs_pa, slot(g, PG_ALL), &g->b[PG_ALL]), SGX_CHILD_PRESENT);
	assert_int_equal(hw_cpu_enclave_exit_raw(cpu1(g)), 0);
	assert_int_equal(ewb(g, g->ef->secs_pa, slot(g, PG_ALL), &g->b[PG_ALL]), SGX_SUCCESS);
}

static void test_ewb_va_slot_occupied(void **state)
{
	struct pgenv *g = *state;

	evict(g, ef_pa(g->ef, EF_DATA), slot(g, 5), &g->b[0]);
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA + 1)), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	/* A warning: the page is still written back, the slot overwritten. */
	assert_int_equal(ewb(g, ef_pa(g->ef, EF_DATA + 1), slot(g, 5), &g->b[1]),
			 SGX_VA_SLOT_OCCUPIED);
	assert_false(hwf_epcm(g->f, ef_pa(g->ef, EF_DATA + 1)).valid);
	assert_int_equal(slot_value(g, slot(g, 5)), 2);
	/* The blob whose version was overwritten can never be loaded again. */
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, ef_pa(g->ef, EF_DATA), slot(g, 5)),
			 SGX_MAC_COMPARE_FAIL);
	assert_int_equal(eldu(g, &g->b[1], g->ef->secs_pa, ef_pa(g->ef, EF_DATA + 1), slot(g, 5)),
			 SGX_SUCCESS);
}

static void test_ewb_register(void **state)
{
	struct pgenv *g = *state;
	struct hw_regs regs;

	evict(g, ef_pa(g->ef, EF_DATA), slot(g, 0), &g->b[0]);
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA + 1)), SGX_SUCCESS);
	memset(g->pi, 0, sizeof(*g->pi));
	g->pi->srcpge = hwf_la(g->b[1].page);
	g->pi->secinfo = hwf_la(g->b[1].pcmd);
	regs = (struct hw_regs){ .rax = SGX_EWB,
				 .rbx = hwf_la(g->pi),
				 .rcx = ef_pa(g->ef, EF_DATA + 1),
				 .rdx = slot(g, 0),
				 .rflags = HW_RFLAGS_SF };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_NOT_TRACKED);
	assert_int_equal(regs.rax, SGX_NOT_TRACKED);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	regs.rax = SGX_EWB;
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_VA_SLOT_OCCUPIED);
	assert_int_equal(regs.rax, SGX_VA_SLOT_OCCUPIED);
	assert_int_equal(regs.rflags, HW_RFLAGS_CF);
	assert_false(hwf_epcm(g->f, ef_pa(g->ef, EF_DATA + 1)).valid);
	/* Success clears both. */
	/* EWB wrote PAGEINFO.LINADDR back: the PAGEINFO must be cleared for reuse. */
	assert_int_equal(g->pi->linaddr, ef_la(g->ef, EF_DATA + 1));
	assert_gp(g->f, hw_ewb(g->cpu, hwf_la(g->pi), ef_pa(g->ef, EF_DATA + 2), slot(g, 1)));
	g->pi->linaddr = 0;
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA + 2)), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	regs = (struct hw_regs){ .rax = SGX_EWB,
				 .rbx = hwf_la(g->pi),
				 .rcx = ef_pa(g->ef, EF_DATA + 2),
				 .rdx = slot(g, 1),
				 .rflags = HW_RFLAGS_CF | HW_RFLAGS_ZF };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags, 0);
}

static void test_ewb_operand_faults(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA), host = hwf_la(g->f->host);
	struct hw_cpu *c = g->cpu;
	uint64_t pi = hwf_la(g->pi);

	assert_int_equal(hw_eblock(c, pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(c, g->ef->secs_pa), SGX_SUCCESS);
	memset(g->pi, 0, sizeof(*g->pi));
	g->pi->srcpge = hwf_la(g->b[0].page);
	g->pi->secinfo = hwf_la(g->b[0].pcmd);
	assert_gp(g->f, hw_ewb(c, pi + 16, pa, slot(g, 0)));
	assert_gp(g->f, hw_ewb(c, pi, pa + 64, slot(g, 0)));
	assert_pf(g->f, hw_ewb(c, pi, host, slot(g, 0)), host);
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_ewb(c, pi, UNMAPPED, slot(g, 0)), UNMAPPED);
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0) + 4));
	assert_pf(g->f, hw_ewb(c, pi, pa, host + 8), host + 8);
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	/* The page and the VA slot in one page. */
	assert_gp(g->f, hw_ewb(c, pi, pa, pa + 8));
	assert_pf(g->f, hw_ewb(c, UNMAPPED, pa, slot(g, 0)), UNMAPPED);
	assert_int_equal(hw_cpu_fault(c)->error_code, 0);
	/* PAGEINFO in the EPC reads as all ones: LINADDR is not 0. */
	assert_gp(g->f, hw_ewb(c, pa_of(g, PG_FREE), pa, slot(g, 0)));
	g->pi->linaddr = 0x1000;
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0)));
	g->pi->linaddr = 0;
	g->pi->secs = g->ef->secs_pa;
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0)));
	g->pi->secs = 0;
	g->pi->secinfo += 64;
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0)));
	g->pi->secinfo -= 64;
	g->pi->srcpge += 8;
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0)));
	g->pi->srcpge -= 8;
	/* Nothing happened: the page is still there, blocked, and the slot empty. */
	assert_true(hwf_epcm(g->f, pa).valid && hwf_epcm(g->f, pa).blocked);
	assert_int_equal(slot_value(g, slot(g, 0)), 0);
	assert_int_equal(hw_ewb(c, pi, pa, slot(g, 0)), SGX_SUCCESS);
}

static void test_ewb_epcm_faults(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);
	struct hw_cpu *c = g->cpu;
	uint64_t pi = hwf_la(g->pi);

	assert_int_equal(hw_eblock(c, pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(c, g->ef->secs_pa), SGX_SUCCESS);
	memset(g->pi, 0, sizeof(*g->pi));
	g->pi->srcpge = hwf_la(g->b[0].page);
	g->pi->secinfo = hwf_la(g->b[0].pcmd);
	/* Busy page or VA page: #GP. */
	struct hw_epcm_entry *e = entry_of(g, pa), *va = entry_of(g, g->va);
	assert_true(epcm_trylock(e));
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0)));
	epcm_unlock(e);
	assert_true(epcm_trylock(va));
	assert_gp(g->f, hw_ewb(c, pi, pa, slot(g, 0)));
	epcm_unlock(va);
	/* Invalid page, then a VA operand that is not a valid VA page. */
	assert_pf(g->f, hw_ewb(c, pi, pa_of(g, PG_FREE), slot(g, 0)), pa_of(g, PG_FREE));
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_ewb(c, pi, pa, pa_of(g, PG_FREE) + 16), pa_of(g, PG_FREE) + 16);
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_ewb(c, pi, pa, ef_pa(g->ef, EF_DATA + 1) + 8),
		  ef_pa(g->ef, EF_DATA + 1) + 8);
	/* Output pages that do not map fault before anything changes. */
	g->pi->srcpge = UNMAPPED;
	assert_pf(g->f, hw_ewb(c, pi, pa, slot(g, 0)), UNMAPPED);
	assert_int_equal(hw_cpu_fault(c)->error_code, X86_PF_WRITE);
	g->pi->srcpge = hwf_la(g->b[0].page);
	g->pi->secinfo = UNMAPPED + 128;
	assert_pf(g->f, hw_ewb(c, pi, pa, slot(g, 0)), UNMAPPED + 128);
	g->pi->secinfo = hwf_la(g->b[0].pcmd);
	assert_true(hwf_epcm(g->f, pa).valid);
	assert_int_equal(slot_value(g, slot(g, 0)), 0);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL);
	assert_int_equal(hw_ewb(c, pi, pa, slot(g, 0)), SGX_SUCCESS);
}

/* ELDB / ELDU */

static void test_eldu_same_page(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA + 3);
	struct hw_stats st0 = hwf_stats(g->f);

	evict(g, pa, slot(g, 7), &g->b[0]);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 7)), SGX_SUCCESS);
	struct hw_epcm_info i = hwf_epcm(g->f, pa);
	assert_true(i.valid && i.r && i.w && !i.x && !i.blocked && !i.pending && !i.modified);
	assert_int_equal(i.pt, SGX_PT_REG);
	assert_int_equal(i.enclave_address, ef_la(g->ef, EF_DATA + 3));
	assert_int_equal(i.secs_pa, g->ef->secs_pa);
	assert_int_equal(slot_value(g, slot(g, 7)), 0);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL);
	struct hw_stats st = hwf_stats(g->f);
	assert_int_equal(st.valid_pages, st0.valid_pages);
	assert_int_equal(st.materialized, st0.materialized + 1); /* the VA page */
	/* The enclave reads its own bytes again. */
	uint8_t buf[16];
	ef_enter(g->ef, cpu1(g));
	assert_int_equal(hw_enclave_read(cpu1(g), ef_la(g->ef, EF_DATA + 3) + 100, buf, 16), 0);
	for (int k = 0; k < 16; k++)
		assert_int_equal(buf[k], EF_DATA + 3);
	ef_exit(g->ef, cpu1(g));
}

/* ELDU may use any free EPC page: the enclave's linear address stays. */
static void test_eldu_other_page(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA), to = pa_of(g, PG_FREE + 3);
	uint8_t want[SGX_PAGE_SIZE];

	memcpy(want, contents(g, pa), SGX_PAGE_SIZE);
	evict(g, pa, slot(g, 0), &g->b[0]);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, to, slot(g, 0)), SGX_SUCCESS);
	struct hw_epcm_info i = hwf_epcm(g->f, to);
	assert_true(i.valid);
	assert_int_equal(i.enclave_address, ef_la(g->ef, EF_DATA));
	assert_int_equal(i.secs_pa, g->ef->secs_pa);
	assert_memory_equal(contents(g, to), want, SGX_PAGE_SIZE);
	assert_false(hwf_epcm(g->f, pa).valid);
}

static void test_eldb_blocked(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);
	struct hw_regs regs;

	evict(g, pa, slot(g, 0), &g->b[0]);
	eld_operands(g, &g->b[0], g->ef->secs_pa);
	regs = (struct hw_regs){ .rax = SGX_ELDB,
				 .rbx = hwf_la(g->pi),
				 .rcx = pa,
				 .rdx = slot(g, 0),
				 .rflags = HW_RFLAGS_ZF | HW_RFLAGS_CF };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rflags, 0);
	assert_true(hwf_epcm(g->f, pa).valid);
	assert_true(hwf_epcm(g->f, pa).blocked);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL);
	assert_int_equal(hw_eblock(g->cpu, pa), SGX_BLKSTATE);
	/*
	 * Its block was tracked before it was written back, and no thread
	 * can have mapped it since: it goes out again without an ETRACK.
	 */
	ef_enter(g->ef, cpu1(g));
	assert_int_equal(ewb(g, pa, slot(g, 1), &g->b[1]), SGX_SUCCESS);
	ef_exit(g->ef, cpu1(g));
	assert_int_equal(eldu(g, &g->b[1], g->ef->secs_pa, pa, slot(g, 1)), SGX_SUCCESS);
	assert_false(hwf_epcm(g->f, pa).blocked);
}

static void test_eld_replay(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	evict(g, pa, slot(g, 0), &g->b[0]);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	/* The slot is empty now: the same blob cannot be loaded twice. */
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa_of(g, PG_FREE), slot(g, 0)),
			 SGX_MAC_COMPARE_FAIL);
	/* Nor once the slot holds a newer version of the page. */
	evict(g, pa, slot(g, 0), &g->b[1]);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_int_equal(eldu(g, &g->b[1], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	/* A version from another slot does not open it either. */
	evict(g, pa, slot(g, 1), &g->b[2]);
	evict(g, ef_pa(g->ef, EF_DATA + 1), slot(g, 2), &g->b[3]);
	assert_int_equal(eldu(g, &g->b[2], g->ef->secs_pa, pa, slot(g, 2)), SGX_MAC_COMPARE_FAIL);
	assert_int_equal(slot_value(g, slot(g, 2)), 4);
}

static void test_eld_other_enclave(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA), other = pa_of(g, PG_FREE + 10);

	/* A second enclave at the very same ELRANGE, with a child so it is alive. */
	hwf_ecreate_ok(g->f, other);
	assert_int_equal(
	    hwf_eadd(g->f, other, pa_of(g, PG_FREE + 11), HWF_ENCL_BASE, SECINFO_RW, NULL),
	    SGX_SUCCESS);
	evict(g, pa, slot(g, 0), &g->b[0]);
	assert_int_equal(eldu(g, &g->b[0], other, pa, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_int_equal(hwf_enclave(g->f, other).children, 1);
	assert_int_equal(slot_value(g, slot(g, 0)), 1);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
}

static void test_eld_other_address(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	evict(g, pa, slot(g, 0), &g->b[0]);
	g->b[0].linaddr += SGX_PAGE_SIZE;
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	g->b[0].linaddr -= SGX_PAGE_SIZE;
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
}

static void test_eld_flipped_ciphertext(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);
	uint8_t before[SGX_PAGE_SIZE];

	memcpy(before, contents(g, pa), SGX_PAGE_SIZE);
	evict(g, pa, slot(g, 0), &g->b[0]);
	struct hw_stats st = hwf_stats(g->f);
	for (size_t bit = 0; bit < 8 * SGX_PAGE_SIZE; bit += 8 * SGX_PAGE_SIZE / 4 + 3) {
		g->b[0].page[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)),
				 SGX_MAC_COMPARE_FAIL);
		g->b[0].page[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Nothing committed: the page invalid, the slot intact, the counts unchanged. */
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_int_equal(slot_value(g, slot(g, 0)), 1);
	assert_int_equal(hwf_stats(g->f).valid_pages, st.valid_pages);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL - 1);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	assert_memory_equal(contents(g, pa), before, SGX_PAGE_SIZE);
}

static void test_eld_flipped_pcmd(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);
	uint8_t *pcmd = (uint8_t *)g->b[0].pcmd;
	/* SECINFO.FLAGS (W, then X), SECINFO reserved, RESERVED, MAC. */
	const size_t bytes[] = { 0, 0, 9, 63, 72, 100, 111, 112, 127 };
	const uint8_t bits[] = { 0x02, 0x04, 0x01, 0x80, 0x01, 0x10, 0x80, 0x01, 0x80 };

	evict(g, pa, slot(g, 0), &g->b[0]);
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		pcmd[bytes[i]] ^= bits[i];
		assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)),
				 SGX_MAC_COMPARE_FAIL);
		pcmd[bytes[i]] ^= bits[i];
	}
	/* PCMD.ENCLAVEID is a handle for software, outside the MAC, as on hardware. */
	g->b[0].pcmd->enclave_id ^= 0x10;
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	assert_true(hwf_epcm(g->f, pa).w);
}

/* A written-back page cannot outlive the boot: the key is per boot. */
static void test_eld_after_reset(void **state)
{
	struct pgenv *g = *state;
	uint64_t va2 = pa_of(g, PG_VA2), v;

	/* A VA page's blob names no enclave, so only the key can make it fail. */
	assert_int_equal(hw_epa(g->cpu, SGX_PT_VA, va2), SGX_SUCCESS);
	assert_int_equal(ewb(g, g->va, va2, &g->b[0]), SGX_SUCCESS);
	v = slot_value(g, va2);
	assert_int_not_equal(v, 0);
	/* Control: a fresh VA page given the version back opens the blob. */
	assert_int_equal(hw_eremove(g->cpu, va2), SGX_SUCCESS);
	assert_int_equal(hw_epa(g->cpu, SGX_PT_VA, va2), SGX_SUCCESS);
	assert_int_equal(slot_value(g, va2), 0);
	slot_poke(g, va2, v);
	assert_int_equal(eldu(g, &g->b[0], 0, g->va, va2), SGX_SUCCESS);
	/* The same after a reset fails. */
	assert_int_equal(ewb(g, g->va, va2, &g->b[0]), SGX_SUCCESS);
	v = slot_value(g, va2);
	hw_processor_reset(g->p);
	assert_int_equal(hw_epa(g->cpu, SGX_PT_VA, va2), SGX_SUCCESS);
	slot_poke(g, va2, v);
	assert_int_equal(eldu(g, &g->b[0], 0, g->va, va2), SGX_MAC_COMPARE_FAIL);
	assert_false(hwf_epcm(g->f, g->va).valid);
}

static void test_eld_register_fail(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);
	struct hw_regs regs;

	evict(g, pa, slot(g, 0), &g->b[0]);
	g->b[0].page[17] ^= 1;
	eld_operands(g, &g->b[0], g->ef->secs_pa);
	regs = (struct hw_regs){ .rax = SGX_ELDU,
				 .rbx = hwf_la(g->pi),
				 .rcx = pa,
				 .rdx = slot(g, 0),
				 .rflags = HW_RFLAGS_CF };
	assert_int_equal(hw_encls(g->cpu, &regs), SGX_MAC_COMPARE_FAIL);
	assert_int_equal(regs.rax, SGX_MAC_COMPARE_FAIL);
	assert_int_equal(regs.rflags, HW_RFLAGS_ZF);
}

static void test_eld_operand_faults(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA), host = hwf_la(g->f->host);
	struct hw_cpu *c = g->cpu;
	uint64_t pi = hwf_la(g->pi);

	evict(g, pa, slot(g, 0), &g->b[0]);
	eld_operands(g, &g->b[0], g->ef->secs_pa);
	assert_gp(g->f, hw_eldu(c, pi + 8, pa, slot(g, 0)));
	assert_gp(g->f, hw_eldu(c, pi, pa + 8, slot(g, 0)));
	assert_pf(g->f, hw_eldu(c, pi, host, slot(g, 0)), host);
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	assert_gp(g->f, hw_eldb(c, pi, pa, slot(g, 0) + 1));
	assert_pf(g->f, hw_eldb(c, pi, pa, host), host);
	assert_pf(g->f, hw_eldu(c, UNMAPPED, pa, slot(g, 0)), UNMAPPED);
	g->pi->secinfo += 32;
	assert_gp(g->f, hw_eldu(c, pi, pa, slot(g, 0)));
	g->pi->secinfo -= 32;
	g->pi->srcpge += 512;
	assert_gp(g->f, hw_eldu(c, pi, pa, slot(g, 0)));
	g->pi->srcpge -= 512;
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_int_equal(slot_value(g, slot(g, 0)), 1);
	assert_int_equal(hw_eldu(c, pi, pa, slot(g, 0)), SGX_SUCCESS);
}

static void test_eld_epcm_faults(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA), secs = g->ef->secs_pa, host = hwf_la(g->f->host);
	struct hw_cpu *c = g->cpu;
	uint64_t pi = hwf_la(g->pi);

	evict(g, pa, slot(g, 0), &g->b[0]);
	eld_operands(g, &g->b[0], secs);
	/* Busy target, VA page or SECS: #GP. */
	uint64_t busy[] = { pa, g->va, secs };
	for (size_t i = 0; i < 3; i++) {
		struct hw_epcm_entry *e = entry_of(g, busy[i]);

		assert_true(epcm_trylock(e));
		assert_gp(g->f, hw_eldu(c, pi, pa, slot(g, 0)));
		epcm_unlock(e);
	}
	/* A valid target; the VA slot in the target's own page. */
	assert_pf(g->f, hw_eldu(c, pi, ef_pa(g->ef, EF_DATA + 1), slot(g, 0)),
		  ef_pa(g->ef, EF_DATA + 1));
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	assert_pf(g->f, hw_eldu(c, pi, g->va, slot(g, 0)), g->va);
	/* A VA operand that is not a valid VA page. */
	assert_pf(g->f, hw_eldu(c, pi, pa, pa_of(g, PG_FREE) + 8), pa_of(g, PG_FREE) + 8);
	assert_pf(g->f, hw_eldu(c, pi, pa, secs + 8), secs + 8);
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	/* The PCMD must be readable. */
	g->pi->secinfo = UNMAPPED;
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), UNMAPPED);
	assert_int_equal(hw_cpu_fault(c)->error_code, 0);
	g->pi->secinfo = hwf_la(g->b[0].pcmd);
	/* A child's SECS: aligned, EPC, valid, a SECS. */
	g->pi->secs = secs + 64;
	assert_gp(g->f, hw_eldu(c, pi, pa, slot(g, 0)));
	g->pi->secs = host;
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), host);
	g->pi->secs = pa_of(g, PG_FREE);
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), pa_of(g, PG_FREE));
	assert_int_equal(hw_cpu_fault(c)->error_code, PF_EPCM_W);
	g->pi->secs = ef_pa(g->ef, EF_DATA + 1);
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), ef_pa(g->ef, EF_DATA + 1));
	g->pi->secs = pa; /* the target itself: not (yet) a SECS */
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), pa);
	g->pi->secs = g->va;
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), g->va);
	g->pi->secs = secs;
	/* The encrypted page must be readable. */
	g->pi->srcpge = UNMAPPED;
	assert_pf(g->f, hw_eldu(c, pi, pa, slot(g, 0)), UNMAPPED);
	g->pi->srcpge = hwf_la(g->b[0].page);
	/* Nothing was committed, and no busy bit was left behind. */
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_int_equal(slot_value(g, slot(g, 0)), 1);
	assert_int_equal(hw_etrack(c, secs), SGX_SUCCESS);
	assert_int_equal(hw_eldu(c, pi, pa, slot(g, 0)), SGX_SUCCESS);
}

/* An encrypted page in the EPC reads as all ones, and cannot verify. */
static void test_eld_source_in_epc(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	evict(g, pa, slot(g, 0), &g->b[0]);
	eld_operands(g, &g->b[0], g->ef->secs_pa);
	g->pi->srcpge = pa_of(g, PG_FREE);
	assert_int_equal(hw_eldu(g->cpu, hwf_la(g->pi), pa, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	assert_false(hwf_epcm(g->f, pa).valid);
}

/* An output page in the EPC takes no write (abort page): the page is written back all the same. */
static void test_ewb_output_in_epc(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA), junk = pa_of(g, PG_FREE + 40);

	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	memset(g->pi, 0, sizeof(*g->pi));
	g->pi->srcpge = junk;
	g->pi->secinfo = junk + 128;
	assert_int_equal(hw_ewb(g->cpu, hwf_la(g->pi), pa, slot(g, 0)), SGX_SUCCESS);
	assert_false(hwf_epcm(g->f, pa).valid);
	assert_false(hwf_epcm(g->f, junk).valid);
	assert_false(entry_of(g, junk)->flags & EPCM_HELD);
	assert_int_equal(g->pi->linaddr, ef_la(g->ef, EF_DATA));
	assert_int_equal(slot_value(g, slot(g, 0)), 1);
}

/* SECS and VA pages take no SECS operand. */
static void test_eld_parentless_secs_operand(void **state)
{
	struct pgenv *g = *state;
	uint64_t va2 = pa_of(g, PG_VA2);

	assert_int_equal(hw_epa(g->cpu, SGX_PT_VA, va2), SGX_SUCCESS);
	assert_int_equal(ewb(g, va2, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	assert_int_equal(g->b[0].linaddr, 0);
	assert_int_equal(g->b[0].pcmd->secinfo.flags, SGX_SECINFO_PT(SGX_PT_VA));
	assert_int_equal(g->b[0].pcmd->enclave_id, 0);
	assert_gp(g->f, eldu(g, &g->b[0], g->ef->secs_pa, va2, slot(g, 0)));
	assert_int_equal(eldu(g, &g->b[0], 0, va2, slot(g, 0)), SGX_SUCCESS);
	assert_int_equal(hwf_epcm(g->f, va2).pt, SGX_PT_VA);
	/* ELDB of a VA page leaves it unblocked. */
	assert_int_equal(ewb(g, va2, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	assert_int_equal(eldb(g, &g->b[0], 0, va2, slot(g, 0)), SGX_SUCCESS);
	assert_false(hwf_epcm(g->f, va2).blocked);
}

/* Version arrays nest: a VA page goes out into another and comes back with its versions. */
static void test_va_nested(void **state)
{
	struct pgenv *g = *state;
	uint64_t va2 = pa_of(g, PG_VA2), va1_new = pa_of(g, PG_FREE + 20);

	assert_int_equal(hw_epa(g->cpu, SGX_PT_VA, va2), SGX_SUCCESS);
	for (unsigned int i = 0; i < 3; i++)
		evict(g, ef_pa(g->ef, EF_DATA + i), slot(g, 10 + i), &g->b[i]);
	/* The VA page itself needs no EBLOCK or ETRACK. */
	assert_int_equal(ewb(g, g->va, va2 + 8, &g->b[5]), SGX_SUCCESS);
	assert_false(hwf_epcm(g->f, g->va).valid);
	/* Its versions are out of reach now. */
	assert_pf(g->f, eldu(g, &g->b[0], g->ef->secs_pa, ef_pa(g->ef, EF_DATA), slot(g, 10)),
		  slot(g, 10));
	/* Back, at another EPC page, with every slot intact. */
	assert_int_equal(eldu(g, &g->b[5], 0, va1_new, va2 + 8), SGX_SUCCESS);
	assert_int_equal(hwf_epcm(g->f, va1_new).pt, SGX_PT_VA);
	assert_int_equal(slot_value(g, va2 + 8), 0);
	for (unsigned int i = 3; i-- > 0;)
		assert_int_equal(eldu(g, &g->b[i], g->ef->secs_pa, ef_pa(g->ef, EF_DATA + i),
				      va1_new + 8 * (10 + i)),
				 SGX_SUCCESS);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL);
}

/* TCS, SGX2 state bits and TRIM pages: the EPCM state travels in SECINFO. */
static void test_tcs_round_trip(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_TCS);

	evict(g, pa, slot(g, 0), &g->b[0]);
	assert_int_equal(g->b[0].pcmd->secinfo.flags, SECINFO_TCS);
	assert_int_equal(hw_eenter(cpu1(g), ef_la(g->ef, EF_TCS), EF_AEP, NULL),
			 HW_FAULT(X86_TRAP_PF));
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	struct hw_epcm_info i = hwf_epcm(g->f, pa);
	assert_int_equal(i.pt, SGX_PT_TCS);
	assert_false(i.r || i.w || i.x);
	assert_int_equal(ef_enter(g->ef, cpu1(g)), 0);
	ef_exit(g->ef, cpu1(g));
}

static void state_bits_round_trip(struct pgenv *g, unsigned int pt, uint16_t bits, uint64_t secinfo)
{
	uint64_t pa = ef_pa(g->ef, EF_DATA + 1);
	struct hw_epcm_entry *e = entry_of(g, pa);

	/* What EAUG, EMODPR or EMODT would have left. */
	e->pt = (uint8_t)pt;
	e->flags |= bits;
	evict(g, pa, slot(g, 0), &g->b[0]);
	assert_int_equal(g->b[0].pcmd->secinfo.flags, secinfo);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	struct hw_epcm_info i = hwf_epcm(g->f, pa);
	assert_int_equal(i.pt, pt);
	assert_int_equal(i.pending, !!(bits & EPCM_PENDING));
	assert_int_equal(i.modified, !!(bits & EPCM_MODIFIED));
	assert_int_equal(i.pr, !!(bits & EPCM_PR));
	assert_true(i.r && i.w && !i.x && !i.blocked);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).children, PG_ALL);
}

static void test_pending_round_trip(void **state)
{
	state_bits_round_trip(*state, SGX_PT_REG, EPCM_PENDING, SECINFO_RW | SGX_SECINFO_PENDING);
}

static void test_modified_pr_round_trip(void **state)
{
	state_bits_round_trip(*state, SGX_PT_REG, EPCM_MODIFIED | EPCM_PR,
			      SECINFO_RW | SGX_SECINFO_MODIFIED | SGX_SECINFO_PR);
}

static void test_trim_round_trip(void **state)
{
	state_bits_round_trip(*state, SGX_PT_TRIM, EPCM_MODIFIED,
			      SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_R | SGX_SECINFO_W |
				  SGX_SECINFO_MODIFIED);
}

/* A PENDING page altered to look accepted fails: the state bits are authenticated. */
static void test_state_bits_authenticated(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	entry_of(g, pa)->flags |= EPCM_PENDING;
	evict(g, pa, slot(g, 0), &g->b[0]);
	g->b[0].pcmd->secinfo.flags &= ~SGX_SECINFO_PENDING;
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	g->b[0].pcmd->secinfo.flags = SGX_SECINFO_PT(SGX_PT_TCS) | SGX_SECINFO_PENDING;
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	g->b[0].pcmd->secinfo.flags = SECINFO_RW | SGX_SECINFO_PENDING;
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
	assert_true(hwf_epcm(g->f, pa).pending);
}

/* SECS pages */

/* Write back every child, then the SECS, into slots 0..PG_ALL. */
static void evict_enclave(struct pgenv *g)
{
	for (unsigned int i = 0; i < PG_ALL; i++)
		assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, i)), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), SGX_SUCCESS);
	for (unsigned int i = 0; i < PG_ALL; i++)
		assert_int_equal(ewb(g, ef_pa(g->ef, i), slot(g, i), &g->b[i]), SGX_SUCCESS);
	assert_int_equal(ewb(g, g->ef->secs_pa, slot(g, PG_ALL), &g->b[PG_ALL]), SGX_SUCCESS);
}

/* SECS first (at (secs_pa)), then the children in reverse order. */
static void reload_enclave(struct pgenv *g, uint64_t secs_pa)
{
	assert_int_equal(eldu(g, &g->b[PG_ALL], 0, secs_pa, slot(g, PG_ALL)), SGX_SUCCESS);
	g->ef->secs_pa = secs_pa;
	for (unsigned int i = PG_ALL; i-- > 0;)
		assert_int_equal(eldu(g, &g->b[i], secs_pa, ef_pa(g->ef, i), slot(g, i)),
				 SGX_SUCCESS);
}

static void test_secs_round_trip(void **state)
{
	struct pgenv *g = *state;
	struct hw_enclave_info before = hwf_enclave(g->f, g->ef->secs_pa);
	struct hw_enclave_info info;

	evict_enclave(g);
	struct blob *sb = &g->b[PG_ALL];
	assert_false(hwf_epcm(g->f, g->ef->secs_pa).valid);
	assert_int_equal(hw_enclave_query(g->p, g->ef->secs_pa, &info), -EINVAL);
	assert_int_equal(sb->pcmd->secinfo.flags, SGX_SECINFO_PT(SGX_PT_SECS));
	assert_int_equal(sb->pcmd->enclave_id, before.eid);
	assert_int_equal(sb->linaddr, 0);
	/* Children cannot come back before their SECS. */
	assert_pf(g->f, eldu(g, &g->b[0], g->ef->secs_pa, ef_pa(g->ef, 0), slot(g, 0)),
		  g->ef->secs_pa);
	assert_int_equal(hw_etrack(g->cpu, g->ef->secs_pa), HW_FAULT(X86_TRAP_PF));
	reload_enclave(g, g->ef->secs_pa);
	info = hwf_enclave(g->f, g->ef->secs_pa);
	assert_int_equal(info.eid, before.eid);
	assert_true(info.initialized);
	assert_int_equal(info.children, PG_ALL);
	assert_memory_equal(info.mrenclave, before.mrenclave, 32);
	assert_memory_equal(info.mrsigner, before.mrsigner, 32);
	assert_int_equal(info.isv_prod_id, 0x1234);
	assert_int_equal(info.isv_svn, 7);
	/* The enclave runs again. */
	uint8_t b;
	assert_int_equal(ef_enter(g->ef, cpu1(g)), 0);
	assert_int_equal(hw_enclave_read(cpu1(g), ef_la(g->ef, EF_DATA + 2), &b, 1), 0);
	assert_int_equal(b, EF_DATA + 2);
	ef_exit(g->ef, cpu1(g));
}

/* A SECS can come back at another EPC page; its children follow it there. */
static void test_secs_other_page(void **state)
{
	struct pgenv *g = *state;
	uint64_t eid = hwf_enclave(g->f, g->ef->secs_pa).eid;
	uint64_t old = g->ef->secs_pa, to = pa_of(g, PG_FREE + 7);

	evict_enclave(g);
	/* Reloaded children must name the SECS where it is now. */
	assert_int_equal(eldu(g, &g->b[PG_ALL], 0, to, slot(g, PG_ALL)), SGX_SUCCESS);
	assert_pf(g->f, eldu(g, &g->b[0], old, ef_pa(g->ef, 0), slot(g, 0)), old);
	g->ef->secs_pa = to;
	for (unsigned int i = PG_ALL; i-- > 0;)
		assert_int_equal(eldu(g, &g->b[i], to, ef_pa(g->ef, i), slot(g, i)), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(g->f, to).eid, eid);
	assert_int_equal(hwf_epcm(g->f, ef_pa(g->ef, EF_TCS)).secs_pa, to);
	assert_false(hwf_epcm(g->f, old).valid);
	assert_int_equal(ef_enter(g->ef, cpu1(g)), 0);
	/* Tracking works on the reloaded SECS. */
	assert_int_equal(hw_eblock(g->cpu, ef_pa(g->ef, EF_DATA)), SGX_SUCCESS);
	assert_int_equal(hw_etrack(g->cpu, to), SGX_SUCCESS);
	assert_int_equal(ewb(g, ef_pa(g->ef, EF_DATA), slot(g, 20), &g->b[0]), SGX_NOT_TRACKED);
	ef_exit(g->ef, cpu1(g));
	assert_int_equal(ewb(g, ef_pa(g->ef, EF_DATA), slot(g, 20), &g->b[0]), SGX_SUCCESS);
}

static void test_secs_replay_and_tamper(void **state)
{
	struct pgenv *g = *state;
	struct blob *sb = &g->b[PG_ALL];
	uint64_t to = pa_of(g, PG_FREE);

	evict_enclave(g);
	/* The SECS image is authenticated: a flipped bit, another slot fail. */
	sb->page[1000] ^= 4;
	assert_int_equal(eldu(g, sb, 0, to, slot(g, PG_ALL)), SGX_MAC_COMPARE_FAIL);
	sb->page[1000] ^= 4;
	assert_int_equal(eldu(g, sb, 0, to, slot(g, 0)), SGX_MAC_COMPARE_FAIL);
	/* A SECS blob loaded as if it were a child, or with an address, fails too. */
	sb->linaddr = HWF_ENCL_BASE;
	assert_int_equal(eldu(g, sb, 0, to, slot(g, PG_ALL)), SGX_MAC_COMPARE_FAIL);
	sb->linaddr = 0;
	/* A SECS has no parent: PAGEINFO.SECS must be 0. */
	assert_gp(g->f, eldu(g, sb, g->ef->secs_pa, to, slot(g, PG_ALL)));
	assert_false(hwf_epcm(g->f, to).valid);
	assert_int_equal(hwf_stats(g->f).enclaves, 0);
	assert_int_equal(eldu(g, sb, 0, to, slot(g, PG_ALL)), SGX_SUCCESS);
	assert_int_equal(hwf_stats(g->f).enclaves, 1);
	/* Once back, its blob is spent. */
	assert_int_equal(eldu(g, sb, 0, pa_of(g, PG_FREE + 1), slot(g, PG_ALL)),
			 SGX_MAC_COMPARE_FAIL);
	assert_int_equal(hwf_stats(g->f).enclaves, 1);
}

/* Two evicted enclaves: each SECS blob brings back its own hidden state. */
static void test_secs_two_enclaves(void **state)
{
	struct pgenv *g = *state;
	uint64_t other = pa_of(g, PG_FREE + 10), eid0, eid1;
	struct sgx_secs s;

	hwf_secs_default(&s);
	s.base = 0x20000000;
	assert_int_equal(hwf_ecreate(g->f, &s, other), SGX_SUCCESS);
	eid0 = hwf_enclave(g->f, g->ef->secs_pa).eid;
	eid1 = hwf_enclave(g->f, other).eid;
	assert_int_not_equal(eid0, eid1);
	evict_enclave(g);
	assert_int_equal(ewb(g, other, slot(g, 30), &g->b[9]), SGX_SUCCESS);
	assert_int_equal(hwf_stats(g->f).enclaves, 0);
	/* Each comes back where the other was. */
	assert_int_equal(eldu(g, &g->b[9], 0, g->ef->secs_pa, slot(g, 30)), SGX_SUCCESS);
	assert_int_equal(eldu(g, &g->b[PG_ALL], 0, other, slot(g, PG_ALL)), SGX_SUCCESS);
	assert_int_equal(hwf_enclave(g->f, g->ef->secs_pa).eid, eid1);
	assert_int_equal(hwf_enclave(g->f, other).eid, eid0);
	assert_false(hwf_enclave(g->f, g->ef->secs_pa).initialized);
	assert_true(hwf_enclave(g->f, other).initialized);
	/* The first enclave's children bind to its EID, wherever its SECS is. */
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, ef_pa(g->ef, 0), slot(g, 0)),
			 SGX_MAC_COMPARE_FAIL);
	assert_int_equal(eldu(g, &g->b[0], other, ef_pa(g->ef, 0), slot(g, 0)), SGX_SUCCESS);
	assert_int_equal(hwf_stats(g->f).enclaves, 2);
}

/* valid_pages, materialized and enclaves through a whole write-back and reload. */
static void test_stats(void **state)
{
	struct pgenv *g = *state;
	struct hw_stats st0 = hwf_stats(g->f), st;

	assert_int_equal(st0.enclaves, 1);
	evict_enclave(g);
	st = hwf_stats(g->f);
	assert_int_equal(st.valid_pages, st0.valid_pages - PG_ALL - 1);
	/* The SECS page left the EPC; its hidden state stays in host memory. */
	assert_int_equal(st.enclaves, 0);
	assert_int_equal(st.materialized, st0.materialized + 1); /* + the VA page */
	reload_enclave(g, pa_of(g, PG_FREE + 1));
	st = hwf_stats(g->f);
	assert_int_equal(st.valid_pages, st0.valid_pages);
	assert_int_equal(st.enclaves, 1);
	/* The new SECS page holds no contents of its own. */
	assert_int_equal(st.materialized, st0.materialized + 1);
	/* A reset frees the evicted hidden state with everything else. */
	evict_enclave(g);
	hw_processor_reset(g->p);
	st = hwf_stats(g->f);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.enclaves, 0);
	assert_int_equal(st.materialized, 0);
}

/* A zero page (never held in host memory) stays unbacked through a round trip. */
static void test_zero_page_stays_unbacked(void **state)
{
	struct pgenv *g = *state;
	uint64_t ssa = ef_pa(g->ef, EF_SSA + 1), to = pa_of(g, PG_FREE + 30);
	uint64_t m0 = hwf_stats(g->f).materialized;

	evict(g, ssa, slot(g, 0), &g->b[0]);
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, to, slot(g, 0)), SGX_SUCCESS);
	/* Only the VA page got memory, for its version. */
	assert_int_equal(hwf_stats(g->f).materialized, m0 + 1);
	assert_false(entry_of(g, to)->flags & EPCM_HELD);
}

/* Both CPUs: one holds a page with a leaf, the other's EWB fails rather than waits. */
static void test_ewb_two_cpus_no_wait(void **state)
{
	struct pgenv *g = *state;
	uint64_t pa = ef_pa(g->ef, EF_DATA);

	assert_int_equal(hw_eblock(g->cpu, pa), SGX_SUCCESS);
	assert_int_equal(hw_etrack(cpu1(g), g->ef->secs_pa), SGX_SUCCESS);
	struct hw_epcm_entry *e = entry_of(g, pa);
	assert_true(epcm_trylock(e));
	assert_int_equal(ewb_on(g, cpu1(g), pa, slot(g, 0), &g->b[0]), HW_FAULT(X86_TRAP_GP));
	epcm_unlock(e);
	assert_int_equal(ewb_on(g, cpu1(g), pa, slot(g, 0), &g->b[0]), SGX_SUCCESS);
	/* The other CPU reloads what this one wrote back. */
	assert_int_equal(eldu(g, &g->b[0], g->ef->secs_pa, pa, slot(g, 0)), SGX_SUCCESS);
}

/* The kept-key GCM context EWB/ELD use agrees with the one-shot functions, across re-keying. */
static void test_crypto_gcm_matches_one_shot(void **state)
{
	uint8_t key[2][16] = { { 1 }, { 2 } }, iv[12] = { 9 }, aad[128], in[4096];
	uint8_t out[4096], ref[4096], back[4096], tag[16], ref_tag[16];
	struct crypto_gcm *g = crypto_gcm_new();

	(void)state;
	assert_non_null(g);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	memset(aad, 0x33, sizeof(aad));
	for (int k = 0; k < 4; k++) {
		assert_int_equal(crypto_gcm_set_key(g, key[k & 1]), 0);
		iv[0] = (uint8_t)k;
		assert_int_equal(crypto_gcm_seal(g, iv, aad, sizeof(aad), in, sizeof(in), out, tag),
				 0);
		assert_int_equal(crypto_aes_gcm_encrypt(key[k & 1], iv, aad, sizeof(aad), in,
							sizeof(in), ref, ref_tag),
				 0);
		assert_memory_equal(out, ref, sizeof(out));
		assert_memory_equal(tag, ref_tag, sizeof(tag));
		assert_int_equal(
		    crypto_gcm_open(g, iv, aad, sizeof(aad), out, sizeof(out), back, tag), 0);
		assert_memory_equal(back, in, sizeof(in));
		tag[k] ^= 1;
		assert_int_equal(
		    crypto_gcm_open(g, iv, aad, sizeof(aad), out, sizeof(out), back, tag),
		    -EBADMSG);
	}
	crypto_gcm_free(g);
	crypto_gcm_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto_gcm_matches_one_shot),
		PG_TEST(test_eblock_blocks),
		PG_TEST(test_eblock_blkstate),
		PG_TEST(test_eblock_invalid_secs_va),
		PG_TEST(test_eblock_conflict),
		PG_TEST(test_eblock_faults),
		PG_TEST(test_eblock_sgx_disabled),
		PG_TEST(test_eblock_register),
		PG_TEST(test_etrack_prev_incomplete),
		PG_TEST(test_etrack_faults),
		PG_TEST(test_ewb_child),
		PG_TEST(test_ewb_versions_fresh),
		PG_TEST(test_ewb_not_blocked),
		PG_TEST(test_ewb_linux_retry),
		PG_TEST(test_ewb_etrack_before_eblock),
		PG_TEST(test_ewb_tracking_eexit),
		PG_TEST(test_ewb_tracking_aex),
		PG_TEST(test_ewb_tracking_raw),
		PG_TEST(test_ewb_thread_entered_after_etrack),
		PG_TEST(test_track_two_generations_older_first),
		PG_TEST(test_track_two_generations_newer_first),
		PG_TEST(test_ewb_child_present),
		PG_TEST(test_ewb_secs_thread_inside),
		PG_TEST(test_ewb_va_slot_occupied),
		PG_TEST(test_ewb_register),
		PG_TEST(test_ewb_operand_faults),
		PG_TEST(test_ewb_epcm_faults),
		PG_TEST(test_ewb_two_cpus_no_wait),
		PG_TEST(test_eldu_same_page),
		PG_TEST(test_eldu_other_page),
		PG_TEST(test_eldb_blocked),
		PG_TEST(test_eld_replay),
		PG_TEST(test_eld_other_enclave),
		PG_TEST(test_eld_other_address),
		PG_TEST(test_eld_flipped_ciphertext),
		PG_TEST(test_eld_flipped_pcmd),
		PG_TEST(test_eld_after_reset),
		PG_TEST(test_eld_register_fail),
		PG_TEST(test_eld_operand_faults),
		PG_TEST(test_eld_epcm_faults),
		PG_TEST(test_eld_source_in_epc),
		PG_TEST(test_ewb_output_in_epc),
		PG_TEST(test_eld_parentless_secs_operand),
		PG_TEST(test_va_nested),
		PG_TEST(test_tcs_round_trip),
		PG_TEST(test_pending_round_trip),
		PG_TEST(test_modified_pr_round_trip),
		PG_TEST(test_trim_round_trip),
		PG_TEST(test_state_bits_authenticated),
		PG_TEST(test_secs_round_trip),
		PG_TEST(test_secs_other_page),
		PG_TEST(test_secs_replay_and_tamper),
		PG_TEST(test_secs_two_enclaves),
		PG_TEST(test_stats),
		PG_TEST(test_zero_page_stays_unbacked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
