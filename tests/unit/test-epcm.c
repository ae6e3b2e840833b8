/* SPDX-License-Identifier: MIT */
/*
 * The EPCM's layout and what it costs: the 12-byte entry and its fields,
 * the busy byte's holder-owned bits, the side table of epochs, and the
 * EREMOVE of a page nobody touched, which writes (and reads) nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "epcm.h"
#include "hw-fixture.h"
#include "hw.h"
#include "vsgx/host.h"

/* Host bytes per EPC page, host and VM together: the EPCM entry and the vEPC slot. */
static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct hw_epcm_entry), 12);
	assert_int_equal(HW_EPCM_ENTRY_BYTES, 12);
	assert_int_equal(HOST_EPC_PAGE_BYTES, 4);
	assert_int_equal(HW_EPCM_ENTRY_BYTES + HOST_EPC_PAGE_BYTES, 16);
	assert_int_equal(offsetof(struct hw_epcm_entry, busy), 10);
	assert_int_equal(_Alignof(struct hw_epcm_entry), 4);
}

/* Every canonical address of 4-level paging reads back as written, and the fields stay apart. */
static void test_linaddr(void **state)
{
	static const uint64_t la[] = {
		0,
		0x1000,
		0x7f0000000000ULL,
		0x7ffffffff000ULL,
		0xffff800000000000ULL,
		0xfffffffffffff000ULL,
		0x007ffffffffff000ULL, /* bit 55 clear: the largest positive address kept */
	};
	struct hw_epcm_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < sizeof(la) / sizeof(la[0]); i++) {
		e.secs = 0xdeadbeef;
		e.flags = 0x1ff;
		e.pt = 6;
		epcm_set_linaddr(&e, la[i]);
		assert_int_equal(epcm_linaddr(&e), la[i]);
		assert_int_equal(e.secs, 0xdeadbeef);
		assert_int_equal(e.flags, 0x1ff);
		assert_int_equal(e.pt, 6);
		assert_int_equal(atomic_load(&e.busy), 0);
	}
	/* A SECS page's hidden-state pointer is the first 8 bytes. */
	epcm_set_enclave(&e, (struct hw_enclave *)(uintptr_t)0x7f1234567890ULL);
	assert_int_equal((uintptr_t)epcm_enclave(&e), 0x7f1234567890ULL);
	assert_int_equal(e.flags, 0x1ff);
}

/* VALID's mirror follows epcm_validate()/epcm_invalidate(); the busy bits keep it. */
static void test_busy_byte(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_entry *e = epcm_entry(f->p, 5);

	assert_true(epcm_idle_invalid(e));
	assert_true(epcm_trylock(e));
	assert_false(epcm_idle_invalid(e)); /* held */
	assert_true(epcm_leaf_busy(e));
	assert_false(epcm_trylock(e));
	epcm_validate(f->p, e, SGX_PT_VA, 0);
	epcm_unlock(e);
	assert_false(epcm_idle_invalid(e)); /* valid */
	assert_false(epcm_is_held(e));
	assert_int_equal(e->flags, EPCM_VALID);
	epcm_access_lock(e);
	assert_false(epcm_leaf_busy(e));
	epcm_unlock(e);
	assert_true(epcm_trylock(e));
	epcm_invalidate(f->p, e);
	epcm_unlock(e);
	assert_true(epcm_idle_invalid(e));
	assert_int_equal(atomic_load(&e->busy), 0);
}

/* Epochs: kept only while set, across the side table's growth and deletes. */
static void test_epochs(void **state)
{
	struct hwfix *f = *state;
	const unsigned int n = 3000; /* 47 a stripe: each table grows three times */

	for (unsigned int i = 0; i < n; i++) {
		struct hw_epcm_entry *e = epcm_entry(f->p, i * 7);

		assert_int_equal(epcm_epoch(f->p, e), HW_EPOCH_TRACKED);
		assert_int_equal(epcm_set_epoch(f->p, e, 1000 + i), 0);
		assert_int_equal(atomic_load(&e->busy), EPCM_BUSY_EPOCH);
	}
	for (unsigned int i = 0; i < n; i += 2)
		assert_int_equal(epcm_set_epoch(f->p, epcm_entry(f->p, i * 7), HW_EPOCH_TRACKED),
				 0);
	for (unsigned int i = 0; i < n; i++) {
		struct hw_epcm_entry *e = epcm_entry(f->p, i * 7);

		assert_int_equal(epcm_epoch(f->p, e), i % 2 ? 1000 + i : HW_EPOCH_TRACKED);
		assert_int_equal(atomic_load(&e->busy), i % 2 ? EPCM_BUSY_EPOCH : 0);
	}
	/* A second set replaces the value; invalidation drops it. */
	assert_int_equal(epcm_set_epoch(f->p, epcm_entry(f->p, 7), 5), 0);
	assert_int_equal(epcm_epoch(f->p, epcm_entry(f->p, 7)), 5);
	epcm_invalidate(f->p, epcm_entry(f->p, 7));
	assert_int_equal(epcm_epoch(f->p, epcm_entry(f->p, 7)), HW_EPOCH_TRACKED);
	/* A cold reset forgets them all. */
	epcm_clear(f->p);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(epcm_epoch(f->p, epcm_entry(f->p, i * 7)), HW_EPOCH_TRACKED);
}

/*
 * EREMOVE of a page no leaf ever looked at answers from the touched bits:
 * the 1,024 entries around it stay untouched (and unbacked). One looked at
 * makes its 1,024 touched, no more; a held invalid entry is still #GP.
 */
static void test_eremove_untouched(void **state)
{
	struct hwfix *f = *state;
	struct hw_epcm_entry *e;

	assert_true(f->p->nr_pages >= 4096);
	for (uint64_t i = 0; i < 4096; i++)
		assert_true(epcm_untouched(f->p, i));
	for (uint64_t i = 0; i < 4096; i++)
		assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, i)), SGX_SUCCESS);
	for (uint64_t i = 0; i < 4096; i++)
		assert_true(epcm_untouched(f->p, i));
	e = epcm_entry(f->p, 1500);
	for (uint64_t i = 0; i < 4096; i++)
		assert_int_equal(epcm_untouched(f->p, i), i < 1024 || i >= 2048);
	/* Touched but invalid and idle: one load, success. Held: the leaf's #GP. */
	assert_int_equal(hw_eremove(f->cpu, hwf_epc(f, 1500)), SGX_SUCCESS);
	assert_true(epcm_trylock(e));
	assert_gp(f, hw_eremove(f->cpu, hwf_epc(f, 1500)));
	epcm_unlock(e);
	epcm_clear(f->p);
	assert_true(epcm_untouched(f->p, 1500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_linaddr),
		cmocka_unit_test_setup_teardown(test_busy_byte, hwf_setup, hwf_teardown),
		cmocka_unit_test_setup_teardown(test_epochs, hwf_setup, hwf_teardown),
		cmocka_unit_test_setup_teardown(test_eremove_untouched, hwf_setup, hwf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
