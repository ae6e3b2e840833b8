// SPDX-License-Identifier: MIT
/*
 * EDBGRD and EDBGWR (SDM Vol. 3D ch. 38): a debugger's quadword access to
 * the pages of a debug enclave through their EPC addresses. Every fault and
 * error of the pseudocode, in its order, on the running enclave of
 * encl-fixture.h (a debug enclave) and on a production one.
 *
 * EAUG, EMODT and EBLOCK are not in the model yet, so the PENDING and
 * MODIFIED states are put into the EPCM directly, under the entry's busy bit,
 * as those leaves would leave them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "encl-fixture.h"
#include "epcm.h"
#include "hw.h"

#define PF_R	  (X86_PF_PROT | X86_PF_SGX)
#define PF_W	  (X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE)
#define FREE_PAGE 200 /* an EPC page no enclave uses */
#define POISON	  0x5a5a5a5a5a5a5a5aULL

static struct hw_epcm_entry *entry_of(struct efenv *ef, uint64_t pa)
{
	uint64_t idx;

	assert_true(epcm_index(ef->f->p, pa, &idx));
	return epcm_entry(ef->f->p, idx);
}

/* Leave page (pa) in the state EAUG (PENDING) or EMODT (MODIFIED) would. */
static void set_state(struct efenv *ef, uint64_t pa, uint16_t flag)
{
	struct hw_epcm_entry *e = entry_of(ef, pa);

	assert_true(epcm_trylock(e));
	e->flags |= flag;
	epcm_unlock(e);
}

static uint64_t rd(struct efenv *ef, uint64_t addr)
{
	uint64_t v = POISON;

	assert_int_equal(hw_edbgrd(ef->f->cpu, addr, &v), SGX_SUCCESS);
	return v;
}

static void assert_pf_code(struct efenv *ef, int r, uint64_t addr, uint32_t code)
{
	assert_pf(ef->f, r, addr);
	assert_int_equal(hw_cpu_fault(ef->f->cpu)->error_code, code);
}

/* ---------------------------------------------------------------------- */
/* reads and writes that succeed                                          */
/* ---------------------------------------------------------------------- */

static void test_read_eadded_data(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(rd(ef, ef_pa(ef, EF_DATA)), 0x0303030303030303ULL);
	assert_int_equal(rd(ef, ef_pa(ef, EF_DATA + 1) + 4088), 0x0404040404040404ULL);
	/* An SSA page was added as zeros. */
	assert_int_equal(rd(ef, ef_pa(ef, EF_SSA) + 8), 0);
}

static void test_read_tcs_fields(void **state)
{
	struct efenv *ef = *state;

	assert_int_equal(rd(ef, ef_pa(ef, EF_TCS) + offsetof(struct sgx_tcs, ossa)),
			 EF_SSA * SGX_PAGE_SIZE);
	/* CSSA 0 in the low half, NSSA 2 in the high half. */
	assert_int_equal(rd(ef, ef_pa(ef, EF_TCS) + offsetof(struct sgx_tcs, cssa)),
			 (uint64_t)EF_NSSA << 32);
	assert_int_equal(rd(ef, ef_pa(ef, EF_TCS) + offsetof(struct sgx_tcs, oentry)),
			 EF_DATA * SGX_PAGE_SIZE);
	/* FSLIMIT/GSLIMIT, the last quadword inside SGX_TCS_LIMIT. */
	assert_int_equal(rd(ef, ef_pa(ef, EF_TCS) + 64), 0);
}

static void test_write_then_read(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = ef_pa(ef, EF_DATA + 2) + 0x128;

	assert_int_equal(hw_edbgwr(ef->f->cpu, a, 0x1122334455667788ULL), SGX_SUCCESS);
	assert_int_equal(rd(ef, a), 0x1122334455667788ULL);
	/* The neighbours are untouched. */
	assert_int_equal(rd(ef, a - 8), 0x0505050505050505ULL);
	assert_int_equal(rd(ef, a + 8), 0x0505050505050505ULL);
}

static void test_write_seen_by_enclave(void **state)
{
	struct efenv *ef = *state;
	uint64_t v = 0;

	assert_int_equal(hw_edbgwr(ef->f->cpu, ef_pa(ef, EF_DATA) + 0x40, 0xfeedfacecafebeefULL),
			 SGX_SUCCESS);
	ef_enter(ef, ef->f->cpu);
	assert_int_equal(hw_enclave_read(ef->f->cpu, ef_la(ef, EF_DATA) + 0x40, &v, sizeof(v)), 0);
	ef_exit(ef, ef->f->cpu);
	assert_int_equal(v, 0xfeedfacecafebeefULL);
}

static void test_enclave_write_seen_by_debugger(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu1 = hw_processor_cpu(ef->f->p, 1);
	uint64_t v = 0x0123456789abcdefULL, got = 0;

	ef_enter(ef, ef->f->cpu);
	assert_int_equal(hw_enclave_write(ef->f->cpu, ef_la(ef, EF_DATA + 3) + 0x800, &v, 8), 0);
	/* A debugger on another CPU reads it while the thread is still inside. */
	assert_int_equal(hw_edbgrd(cpu1, ef_pa(ef, EF_DATA + 3) + 0x800, &got), SGX_SUCCESS);
	ef_exit(ef, ef->f->cpu);
	assert_int_equal(got, 0x0123456789abcdefULL);
}

static void test_write_tcs_flags(void **state)
{
	struct efenv *ef = *state;
	uint64_t flags = ef_pa(ef, EF_TCS) + offsetof(struct sgx_tcs, flags);

	/* The TCS has EPCM RWX = 0: the leaves ignore EPCM permissions. */
	assert_false(hwf_epcm(ef->f, ef_pa(ef, EF_TCS)).w);
	assert_int_equal(hw_edbgwr(ef->f->cpu, flags, SGX_TCS_DBGOPTIN), SGX_SUCCESS);
	assert_int_equal(rd(ef, flags), SGX_TCS_DBGOPTIN);
}

static void test_write_ignores_epcm_w(void **state)
{
	struct efenv *ef = *state;
	struct hw_epcm_entry *e = entry_of(ef, ef_pa(ef, EF_DATA));

	/* As EMODPR would leave it: read-only to the enclave. */
	assert_true(epcm_trylock(e));
	e->flags &= (uint16_t)~EPCM_W;
	epcm_unlock(e);
	assert_int_equal(hw_edbgwr(ef->f->cpu, ef_pa(ef, EF_DATA), 42), SGX_SUCCESS);
	assert_int_equal(rd(ef, ef_pa(ef, EF_DATA)), 42);
}

static void test_write_zero_stays_unbacked(void **state)
{
	struct efenv *ef = *state;
	uint64_t ssa = ef_pa(ef, EF_SSA + 1) + 0x100;
	uint64_t m0 = hwf_stats(ef->f).materialized;

	/* The SSA pages were added as zeros and never backed. */
	assert_int_equal(hw_edbgwr(ef->f->cpu, ssa, 0), SGX_SUCCESS);
	assert_int_equal(hwf_stats(ef->f).materialized, m0);
	assert_int_equal(hw_edbgwr(ef->f->cpu, ssa, 7), SGX_SUCCESS);
	assert_int_equal(hwf_stats(ef->f).materialized, m0 + 1);
	assert_int_equal(hw_edbgwr(ef->f->cpu, ssa, 0), SGX_SUCCESS);
	assert_int_equal(rd(ef, ssa), 0);
}

static void test_register_interface(void **state)
{
	struct efenv *ef = *state;
	struct hw_regs regs = { .rax = SGX_EDBGRD,
				.rbx = 0,
				.rcx = ef_pa(ef, EF_DATA + 1),
				.rflags = HW_RFLAGS_ZF | HW_RFLAGS_CF };

	assert_int_equal(hw_encls(ef->f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(regs.rax, 0);
	assert_int_equal(regs.rbx, 0x0404040404040404ULL);
	assert_int_equal(regs.rflags & (HW_RFLAGS_ZF | HW_RFLAGS_CF), 0);

	regs = (struct hw_regs){ .rax = SGX_EDBGWR, .rbx = 99, .rcx = ef_pa(ef, EF_DATA + 1) };
	assert_int_equal(hw_encls(ef->f->cpu, &regs), SGX_SUCCESS);
	assert_int_equal(rd(ef, ef_pa(ef, EF_DATA + 1)), 99);

	/* An error sets ZF and leaves RBX alone. */
	set_state(ef, ef_pa(ef, EF_DATA + 1), EPCM_PENDING);
	regs = (struct hw_regs){ .rax = SGX_EDBGRD, .rbx = POISON, .rcx = ef_pa(ef, EF_DATA + 1) };
	assert_int_equal(hw_encls(ef->f->cpu, &regs), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(regs.rax, SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(regs.rbx, POISON);
	assert_int_equal(regs.rflags & (HW_RFLAGS_ZF | HW_RFLAGS_CF), HW_RFLAGS_ZF);
}

/* ---------------------------------------------------------------------- */
/* VA pages                                                               */
/* ---------------------------------------------------------------------- */

static uint64_t make_va(struct efenv *ef)
{
	uint64_t va = hwf_epc(ef->f, FREE_PAGE);

	assert_int_equal(hw_epa(ef->f->cpu, SGX_PT_VA, va), SGX_SUCCESS);
	return va;
}

/* Put version (v) into slot (slot) of VA page (va), as EWB would. */
static void va_slot_set(struct efenv *ef, uint64_t va, unsigned int slot, uint64_t v)
{
	uint64_t idx;
	struct hw_epcm_entry *e;

	assert_true(epcm_index(ef->f->p, va, &idx));
	e = epcm_entry(ef->f->p, idx);
	assert_true(epcm_trylock(e));
	memcpy(epcm_materialize(ef->f->p, idx) + 8 * slot, &v, sizeof(v));
	epcm_unlock(e);
}

static void test_read_va_slots(void **state)
{
	struct efenv *ef = *state;
	uint64_t va = make_va(ef);

	va_slot_set(ef, va, 3, 0x1234567890ULL);
	va_slot_set(ef, va, 4, 0x7); /* only bits a version never uses */
	/* Only in use / free: the version itself stays secret. */
	assert_int_equal(rd(ef, va), 0);
	assert_int_equal(rd(ef, va + 3 * 8), ~0ULL);
	assert_int_equal(rd(ef, va + 4 * 8), 0);
	assert_int_equal(rd(ef, va + 511 * 8), 0);
}

static void test_write_va(void **state)
{
	struct efenv *ef = *state;
	uint64_t va = make_va(ef);

	assert_pf_code(ef, hw_edbgwr(ef->f->cpu, va + 16, 1), va + 16, PF_W);
	assert_int_equal(rd(ef, va + 16), 0);
}

/* ---------------------------------------------------------------------- */
/* faults and errors, in the pseudocode's order                           */
/* ---------------------------------------------------------------------- */

static void test_sgx_disabled(void **state)
{
	struct hw_desc d;
	struct hwfix *f;
	uint64_t v = POISON;

	(void)state;
	hw_desc_init_default(&d);
	d.feature_control = FEAT_CTL_LOCKED;
	f = hwf_new(&d);
	assert_gp(f, hw_edbgrd(f->cpu, hwf_epc(f, 0), &v));
	assert_gp(f, hw_edbgwr(f->cpu, hwf_epc(f, 0), 1));
	assert_int_equal(v, POISON);
	hwf_free(f);
}

static void test_misaligned(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = ef_pa(ef, EF_DATA), v = POISON;

	for (uint64_t off = 1; off < 8; off++) {
		assert_gp(ef->f, hw_edbgrd(ef->f->cpu, a + off, &v));
		assert_gp(ef->f, hw_edbgwr(ef->f->cpu, a + off, 1));
	}
	assert_int_equal(v, POISON);
	assert_int_equal(rd(ef, a), 0x0303030303030303ULL);
}

static void test_noncanonical(void **state)
{
	struct efenv *ef = *state;
	uint64_t v = POISON;

	assert_gp(ef->f, hw_edbgrd(ef->f->cpu, 0x0000800000000000ULL, &v));
	assert_gp(ef->f, hw_edbgwr(ef->f->cpu, 0x8000000000001000ULL, 1));
	assert_int_equal(v, POISON);
}

static void test_not_mapped(void **state)
{
	struct efenv *ef = *state;
	uint64_t v = POISON;

	/* Nothing is mapped below 4 KiB: a not-present #PF. */
	assert_pf_code(ef, hw_edbgrd(ef->f->cpu, 0x808, &v), 0x808, 0);
	assert_pf_code(ef, hw_edbgwr(ef->f->cpu, 0x810, 1), 0x810, X86_PF_WRITE);
	assert_int_equal(v, POISON);
}

static void test_not_epc(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = hwf_la(ef->f->host) + 64, v = POISON;

	ef->f->host[64] = 0x11;
	assert_pf_code(ef, hw_edbgrd(ef->f->cpu, a, &v), a, PF_R);
	assert_pf_code(ef, hw_edbgwr(ef->f->cpu, a, 1), a, PF_W);
	assert_int_equal(v, POISON);
	assert_int_equal(ef->f->host[64], 0x11);
}

static void test_invalid_page(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = hwf_epc(ef->f, FREE_PAGE) + 0x10, v = POISON;

	assert_pf_code(ef, hw_edbgrd(ef->f->cpu, a, &v), a, PF_R);
	assert_pf_code(ef, hw_edbgwr(ef->f->cpu, a, 1), a, PF_W);
	assert_int_equal(v, POISON);
	assert_false(hwf_epcm(ef->f, a & SGX_PAGE_MASK).valid);
}

static void test_secs(void **state)
{
	struct efenv *ef = *state;
	uint64_t v = POISON;

	/* Even of a debug enclave, the SECS is never readable. */
	assert_pf_code(ef, hw_edbgrd(ef->f->cpu, ef->secs_pa + 48, &v), ef->secs_pa + 48, PF_R);
	assert_pf_code(ef, hw_edbgwr(ef->f->cpu, ef->secs_pa, 1), ef->secs_pa, PF_W);
	assert_int_equal(v, POISON);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).attributes.flags,
			 SGX_ATTR_INIT | SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT);
}

static void test_trim_page(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = ef_pa(ef, EF_DATA + 1) + 8, v = POISON;
	struct hw_epcm_entry *e = entry_of(ef, a);

	/* As an accepted EMODT to PT_TRIM leaves it: no longer a debuggable type. */
	assert_true(epcm_trylock(e));
	e->pt = SGX_PT_TRIM;
	epcm_unlock(e);
	assert_pf_code(ef, hw_edbgrd(ef->f->cpu, a, &v), a, PF_R);
	assert_pf_code(ef, hw_edbgwr(ef->f->cpu, a, 1), a, PF_W);
	assert_int_equal(v, POISON);
}

static void test_busy(void **state)
{
	struct efenv *ef = *state;
	struct hw_epcm_entry *e = entry_of(ef, ef_pa(ef, EF_DATA));
	uint64_t v = POISON;

	/* Another leaf owns the entry: #GP, checked before the entry's state. */
	assert_true(epcm_trylock(e));
	assert_gp(ef->f, hw_edbgrd(ef->f->cpu, ef_pa(ef, EF_DATA), &v));
	assert_gp(ef->f, hw_edbgwr(ef->f->cpu, ef_pa(ef, EF_DATA), 1));
	epcm_unlock(e);
	assert_int_equal(v, POISON);
	assert_int_equal(rd(ef, ef_pa(ef, EF_DATA)), 0x0303030303030303ULL);
}

static void test_busy_invalid_page(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = hwf_epc(ef->f, FREE_PAGE);
	struct hw_epcm_entry *e = entry_of(ef, a);
	uint64_t v = POISON;

	/* The conflict check comes before VALID. */
	assert_true(epcm_trylock(e));
	assert_gp(ef->f, hw_edbgrd(ef->f->cpu, a, &v));
	epcm_unlock(e);
	assert_pf_code(ef, hw_edbgrd(ef->f->cpu, a, &v), a, PF_R);
}

static void test_pending(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = ef_pa(ef, EF_DATA + 1) + 0x20, v = POISON;

	set_state(ef, a, EPCM_PENDING);
	assert_int_equal(hw_edbgrd(ef->f->cpu, a, &v), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(hw_edbgwr(ef->f->cpu, a, 1), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(v, POISON);
	assert_true(hwf_epcm(ef->f, a & SGX_PAGE_MASK).pending);
}

static void test_modified(void **state)
{
	struct efenv *ef = *state;
	uint64_t a = ef_pa(ef, EF_DATA + 2), v = POISON;
	struct hw_epcm_entry *e = entry_of(ef, a);

	set_state(ef, a, EPCM_MODIFIED);
	assert_int_equal(hw_edbgrd(ef->f->cpu, a, &v), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(hw_edbgwr(ef->f->cpu, a, 1), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(v, POISON);
	/* The write did not happen. */
	assert_true(epcm_trylock(e));
	e->flags &= (uint16_t)~EPCM_MODIFIED;
	epcm_unlock(e);
	assert_int_equal(rd(ef, a), 0x0505050505050505ULL);
}

static void test_modified_tcs_before_limit(void **state)
{
	struct efenv *ef = *state;
	uint64_t tcs = ef_pa(ef, EF_TCS), v = POISON;

	/* The state check comes before the TCS offset checks. */
	set_state(ef, tcs, EPCM_MODIFIED);
	assert_int_equal(hw_edbgrd(ef->f->cpu, tcs + 0x800, &v), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(hw_edbgwr(ef->f->cpu, tcs + 0x800, 1), SGX_PAGE_NOT_DEBUGGABLE);
	assert_int_equal(v, POISON);
}

static void test_tcs_read_limit(void **state)
{
	struct efenv *ef = *state;
	uint64_t tcs = ef_pa(ef, EF_TCS), v = POISON;

	assert_gp(ef->f, hw_edbgrd(ef->f->cpu, tcs + 72, &v));
	assert_gp(ef->f, hw_edbgrd(ef->f->cpu, tcs + 4088, &v));
	assert_int_equal(v, POISON);
}

static void test_tcs_write_only_flags(void **state)
{
	struct efenv *ef = *state;
	uint64_t tcs = ef_pa(ef, EF_TCS);

	assert_gp(ef->f, hw_edbgwr(ef->f->cpu, tcs + offsetof(struct sgx_tcs, state), 1));
	assert_gp(ef->f, hw_edbgwr(ef->f->cpu, tcs + offsetof(struct sgx_tcs, ossa), 0));
	assert_gp(ef->f, hw_edbgwr(ef->f->cpu, tcs + offsetof(struct sgx_tcs, oentry), 0));
	assert_gp(ef->f, hw_edbgwr(ef->f->cpu, tcs + 0x808, 0));
	assert_int_equal(rd(ef, tcs + offsetof(struct sgx_tcs, ossa)), EF_SSA * SGX_PAGE_SIZE);
	assert_int_equal(rd(ef, tcs + offsetof(struct sgx_tcs, state)), 0);
}

/* ---------------------------------------------------------------------- */
/* concurrency                                                            */
/* ---------------------------------------------------------------------- */

#define RACE_ROUNDS 2000

struct racer {
	struct efenv *ef;
	unsigned int cpu;
	uint64_t conflicts;
	bool failed;
};

/*
 * Each CPU writes and reads back its own quadword of one page: the leaves
 * own the page's entry while they touch it, so a debugger on another CPU
 * gets #GP and retries, and no value is ever lost or torn.
 */
static void *racer_run(void *arg)
{
	struct racer *r = arg;
	struct hw_cpu *cpu = hw_processor_cpu(r->ef->f->p, r->cpu);
	uint64_t a = ef_pa(r->ef, EF_DATA + 3) + 8 * r->cpu;

	for (uint64_t i = 1; i <= RACE_ROUNDS && !r->failed; i++) {
		uint64_t want = (uint64_t)r->cpu << 56 | i, got = 0;
		int res;

		while ((res = hw_edbgwr(cpu, a, want)) == HW_FAULT(X86_TRAP_GP))
			r->conflicts++;
		if (res != SGX_SUCCESS)
			r->failed = true;
		while ((res = hw_edbgrd(cpu, a, &got)) == HW_FAULT(X86_TRAP_GP))
			r->conflicts++;
		if (res != SGX_SUCCESS || got != want)
			r->failed = true;
	}
	return NULL;
}

static void test_concurrent_debuggers(void **state)
{
	struct efenv *ef = *state;
	unsigned int n = hw_processor_nr_cpus(ef->f->p);
	struct racer r[HW_MAX_CPUS];
	pthread_t th[HW_MAX_CPUS];

	for (unsigned int i = 0; i < n; i++) {
		r[i] = (struct racer){ .ef = ef, .cpu = i };
		assert_int_equal(pthread_create(&th[i], NULL, racer_run, &r[i]), 0);
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (unsigned int i = 0; i < n; i++) {
		assert_false(r[i].failed);
		assert_int_equal(rd(ef, ef_pa(ef, EF_DATA + 3) + 8 * i),
				 (uint64_t)i << 56 | RACE_ROUNDS);
	}
	/* The rest of the page is as EADD left it. */
	assert_int_equal(rd(ef, ef_pa(ef, EF_DATA + 3) + 8 * n), 0x0606060606060606ULL);
}

/* A production enclave: built like the fixture's, without ATTRIBUTES.DEBUG. */
static void test_not_debug_enclave(void **state)
{
	struct efenv *ef = *state, *prod;
	uint64_t v = POISON;

	(void)ef;
	prod = ef_new(NULL, 0, 0, 2);
	assert_gp(prod->f, hw_edbgrd(prod->f->cpu, ef_pa(prod, EF_DATA), &v));
	assert_gp(prod->f, hw_edbgwr(prod->f->cpu, ef_pa(prod, EF_DATA), 1));
	assert_gp(prod->f, hw_edbgrd(prod->f->cpu, ef_pa(prod, EF_TCS), &v));
	assert_gp(prod->f, hw_edbgwr(prod->f->cpu,
				     ef_pa(prod, EF_TCS) + offsetof(struct sgx_tcs, flags), 1));
	assert_int_equal(v, POISON);
	/* Its data is as EADD left it. */
	ef_enter(prod, prod->f->cpu);
	assert_int_equal(hw_enclave_read(prod->f->cpu, ef_la(prod, EF_DATA), &v, 8), 0);
	ef_exit(prod, prod->f->cpu);
	assert_int_equal(v, 0x0303030303030303ULL);
	ef_free(prod);
}

static void test_not_debug_checks_after_state(void **state)
{
	struct efenv *prod;
	uint64_t v = POISON;

	(void)state;
	prod = ef_new(NULL, 0, 0, 1);
	/* PENDING is reported before the DEBUG check, and a VA page has no owner. */
	set_state(prod, ef_pa(prod, EF_DATA), EPCM_PENDING);
	assert_int_equal(hw_edbgrd(prod->f->cpu, ef_pa(prod, EF_DATA), &v),
			 SGX_PAGE_NOT_DEBUGGABLE);
	/* The TCS offset check comes before the DEBUG check. */
	assert_gp(prod->f, hw_edbgrd(prod->f->cpu, ef_pa(prod, EF_TCS) + 0x100, &v));
	assert_int_equal(hw_epa(prod->f->cpu, SGX_PT_VA, hwf_epc(prod->f, FREE_PAGE)), SGX_SUCCESS);
	assert_int_equal(hw_edbgrd(prod->f->cpu, hwf_epc(prod->f, FREE_PAGE), &v), SGX_SUCCESS);
	assert_int_equal(v, 0);
	ef_free(prod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		EF_TEST(test_read_eadded_data),
		EF_TEST(test_read_tcs_fields),
		EF_TEST(test_write_then_read),
		EF_TEST(test_write_seen_by_enclave),
		EF_TEST(test_enclave_write_seen_by_debugger),
		EF_TEST(test_write_tcs_flags),
		EF_TEST(test_write_ignores_epcm_w),
		EF_TEST(test_write_zero_stays_unbacked),
		EF_TEST(test_register_interface),
		EF_TEST(test_read_va_slots),
		EF_TEST(test_write_va),
		EF_TEST(test_sgx_disabled),
		EF_TEST(test_misaligned),
		EF_TEST(test_noncanonical),
		EF_TEST(test_not_mapped),
		EF_TEST(test_not_epc),
		EF_TEST(test_invalid_page),
		EF_TEST(test_secs),
		EF_TEST(test_trim_page),
		EF_TEST(test_busy),
		EF_TEST(test_busy_invalid_page),
		EF_TEST(test_pending),
		EF_TEST(test_modified),
		EF_TEST(test_modified_tcs_before_limit),
		EF_TEST(test_tcs_read_limit),
		EF_TEST(test_tcs_write_only_flags),
		EF_TEST(test_not_debug_enclave),
		EF_TEST(test_not_debug_checks_after_state),
		EF_TEST(test_concurrent_debuggers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
