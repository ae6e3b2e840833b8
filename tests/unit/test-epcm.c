/* SPDX-License-Identifier: MIT */
/*
 * The EPCM's layout and what it costs: the 12-byte entry and its fields,
 * the busy byte's holder-owned bits, the epoch classes and side table, and the
 * EREMOVE of a page nobody touched, which writes (and reads) nothing.
 */
#include <pthread.h>
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

/* A raw entry made a child of the enclave whose SECS is entry 0. */
static struct hw_epcm_entry *child(struct hwfix *f, uint64_t idx)
{
	struct hw_epcm_entry *e = epcm_entry(f->p, idx);

	e->secs = 0;
	return e;
}

static struct hw_enclave *secs0_enclave(struct hwfix *f)
{
	hwf_ecreate_ok(f, hwf_epc(f, 0));
	return epcm_enclave(epcm_entry(f->p, 0));
}

static uint64_t class_word(const struct hw_enclave *encl, unsigned int tag)
{
	return atomic_load(&((struct hw_enclave *)encl)->epoch_class[tag - 1]);
}

/*
 * Epoch classes: stamps of one epoch share a class word (epoch << 24 |
 * count), the first class the epoch hashes to (epoch % 14) or the next free
 * one; a fifteenth distinct epoch goes to the side table; a class whose
 * count drops to 0 takes a new epoch; invalidation drops the stamp.
 */
static void test_epoch_classes(void **state)
{
	struct hwfix *f = *state;
	struct hw_enclave *encl = secs0_enclave(f);
	struct hw_epcm_entry *e;
	unsigned int seen = 0;

	for (unsigned int i = 1; i <= 100; i++) {
		e = child(f, i);
		assert_int_equal(epcm_epoch(f->p, encl, e), HW_EPOCH_TRACKED);
		assert_int_equal(epcm_set_epoch(f->p, encl, e, 7), 0);
		assert_int_equal(epcm_epoch_tag(e), 8);
		assert_int_equal(epcm_epoch(f->p, encl, e), 7);
	}
	assert_int_equal(class_word(encl, 8), 7ULL << 24 | 100);
	/* Thirteen more epochs fill the other thirteen classes, one each. */
	for (unsigned int i = 0; i < 13; i++) {
		e = child(f, 101 + i);
		assert_int_equal(epcm_set_epoch(f->p, encl, e, 20 + i), 0);
		assert_in_range(epcm_epoch_tag(e), 1, EPCM_EPOCH_CLASSES);
		assert_int_equal(class_word(encl, epcm_epoch_tag(e)), (20ULL + i) << 24 | 1);
		seen |= 1u << epcm_epoch_tag(e);
	}
	assert_int_equal(seen | 1u << 8, 0x7ffe); /* tags 1 to 14, each once */
	/* 20 hashes to class 6 (tag 7); 21's class 7 holds epoch 7: tag 9. */
	assert_int_equal(epcm_epoch_tag(epcm_entry(f->p, 101)), 7);
	assert_int_equal(epcm_epoch_tag(epcm_entry(f->p, 102)), 9);
	/* A fifteenth epoch: the side table. */
	e = child(f, 200);
	assert_int_equal(epcm_set_epoch(f->p, encl, e, 40), 0);
	assert_int_equal(epcm_epoch_tag(e), EPCM_EPOCH_SIDE);
	assert_int_equal(epcm_epoch(f->p, encl, e), 40);
	assert_int_equal(epcm_set_epoch(f->p, encl, e, 41), 0);
	assert_int_equal(epcm_epoch_tag(e), EPCM_EPOCH_SIDE);
	assert_int_equal(epcm_epoch(f->p, encl, e), 41);
	/* A known epoch still shares its class. */
	assert_int_equal(epcm_set_epoch(f->p, encl, child(f, 201), 7), 0);
	assert_int_equal(class_word(encl, 8), 7ULL << 24 | 101);
	/* Every stamp of epoch 7 dropped: its class takes the next new epoch (50 hashes to 8,
	 * full). */
	for (unsigned int i = 1; i <= 100; i++)
		assert_int_equal(epcm_set_epoch(f->p, encl, epcm_entry(f->p, i), HW_EPOCH_TRACKED),
				 0);
	assert_int_equal(epcm_set_epoch(f->p, encl, epcm_entry(f->p, 201), HW_EPOCH_TRACKED), 0);
	assert_int_equal(class_word(encl, 8) & 0xffffff, 0);
	assert_int_equal(epcm_epoch_tag(epcm_entry(f->p, 1)), 0);
	e = child(f, 202);
	assert_int_equal(epcm_set_epoch(f->p, encl, e, 50), 0);
	assert_int_equal(epcm_epoch_tag(e), 8);
	assert_int_equal(class_word(encl, 8), 50ULL << 24 | 1);
	/* Restamping moves the page between classes, counts following. */
	assert_int_equal(epcm_set_epoch(f->p, encl, epcm_entry(f->p, 101), 50), 0);
	assert_int_equal(epcm_epoch_tag(epcm_entry(f->p, 101)), 8);
	assert_int_equal(class_word(encl, 8), 50ULL << 24 | 2);
	assert_int_equal(class_word(encl, 7) & 0xffffff, 0);
	/* An epoch past the classes' 40 bits, and a saturated count, go elsewhere. */
	e = child(f, 203);
	assert_int_equal(epcm_set_epoch(f->p, encl, e, 1ULL << 40), 0);
	assert_int_equal(epcm_epoch_tag(e), EPCM_EPOCH_SIDE);
	assert_int_equal(epcm_epoch(f->p, encl, e), 1ULL << 40);
	atomic_store(&encl->epoch_class[7], 50ULL << 24 | 0xffffff);
	e = child(f, 204);
	assert_int_equal(epcm_set_epoch(f->p, encl, e, 50), 0);
	assert_int_equal(epcm_epoch_tag(e), 7); /* class 6, free since 101 moved */
	assert_int_equal(epcm_epoch(f->p, encl, e), 50);
	atomic_store(&encl->epoch_class[7], 50ULL << 24 | 2);
	/* Invalidating a stamped child drops its stamp. */
	e = epcm_entry(f->p, 101);
	epcm_validate(f->p, e, SGX_PT_REG, EPCM_R | EPCM_PR);
	epcm_invalidate(f->p, e);
	assert_int_equal(epcm_epoch_tag(e), 0);
	assert_int_equal(class_word(encl, 8), 50ULL << 24 | 1);
	e = epcm_entry(f->p, 200);
	epcm_validate(f->p, e, SGX_PT_REG, EPCM_R | EPCM_BLOCKED);
	epcm_invalidate(f->p, e);
	assert_int_equal(epcm_epoch_tag(e), 0);
	assert_int_equal(epcm_epoch(f->p, encl, e), HW_EPOCH_TRACKED);
}

/* The side table: kept only while set, across its growth and deletes. */
static void test_epochs_side(void **state)
{
	struct hwfix *f = *state;
	struct hw_enclave *encl = secs0_enclave(f);
	const unsigned int n = 3000; /* 47 a stripe: each table grows three times */
	const unsigned char side = EPCM_EPOCH_SIDE << EPCM_BUSY_TAG_SHIFT;

	/* Every class taken by an epoch of its own. */
	for (unsigned int c = 0; c < EPCM_EPOCH_CLASSES; c++)
		assert_int_equal(epcm_set_epoch(f->p, encl, child(f, 1 + c * 7), c), 0);
	for (unsigned int i = 0; i < n; i++) {
		struct hw_epcm_entry *e = child(f, 2 + i * 7);

		assert_int_equal(epcm_epoch(f->p, encl, e), HW_EPOCH_TRACKED);
		assert_int_equal(epcm_set_epoch(f->p, encl, e, 1000 + i), 0);
		assert_int_equal(atomic_load(&e->busy), side);
	}
	for (unsigned int i = 0; i < n; i += 2)
		assert_int_equal(
		    epcm_set_epoch(f->p, encl, epcm_entry(f->p, 2 + i * 7), HW_EPOCH_TRACKED), 0);
	for (unsigned int i = 0; i < n; i++) {
		struct hw_epcm_entry *e = epcm_entry(f->p, 2 + i * 7);

		assert_int_equal(epcm_epoch(f->p, encl, e), i % 2 ? 1000 + i : HW_EPOCH_TRACKED);
		assert_int_equal(atomic_load(&e->busy), i % 2 ? side : 0);
	}
	/* A second set replaces the value; invalidation drops it. */
	assert_int_equal(epcm_set_epoch(f->p, encl, epcm_entry(f->p, 9), 5), 0);
	assert_int_equal(epcm_epoch(f->p, encl, epcm_entry(f->p, 9)), 5);
	epcm_invalidate(f->p, epcm_entry(f->p, 9));
	assert_int_equal(epcm_epoch(f->p, encl, epcm_entry(f->p, 9)), HW_EPOCH_TRACKED);
	/* A cold reset forgets them all. */
	epcm_clear(f->p);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(epcm_epoch_tag(epcm_entry(f->p, 2 + i * 7)), 0);
}

/*
 * Four CPUs stamp and drop pages of one enclave at once, each holding its
 * page's busy bit as leaves do, with epochs from a window that slides as
 * ETRACKs would: stamps of one epoch share classes across threads, and with
 * more epochs outstanding than classes some go to the side table. Every
 * page reads back its own epoch, and at the end every class is empty.
 */
#define STAMP_THREADS 4
#define STAMP_PAGES   64 /* per thread */
#define STAMP_ROUNDS  3000

struct stamper {
	struct hwfix *f;
	struct hw_enclave *encl;
	unsigned int id;
	unsigned int bad, side;
};

static void *stamper_main(void *arg)
{
	struct stamper *st = arg;
	struct hw_processor *p = st->f->p;
	uint64_t mine[STAMP_PAGES];

	for (unsigned int i = 0; i < STAMP_PAGES; i++)
		mine[i] = HW_EPOCH_TRACKED;
	for (unsigned int r = 0; r < STAMP_ROUNDS; r++) {
		unsigned int i = (r * 7 + st->id) % STAMP_PAGES;
		struct hw_epcm_entry *e = epcm_entry(p, 1 + st->id * STAMP_PAGES + i);
		/* 20 epochs outstanding at most: (r / 64) % 20 slides one at a time. */
		uint64_t epoch = r / 64 + r % 20;

		if (!epcm_trylock(e)) {
			st->bad++;
			continue;
		}
		if (epcm_epoch(p, st->encl, e) != mine[i])
			st->bad++;
		if (r % 3 == 2)
			epoch = HW_EPOCH_TRACKED;
		if (epcm_set_epoch(p, st->encl, e, epoch))
			st->bad++;
		else
			mine[i] = epoch;
		if (epcm_epoch_tag(e) == EPCM_EPOCH_SIDE)
			st->side++;
		if (epcm_epoch(p, st->encl, e) != mine[i])
			st->bad++;
		epcm_unlock(e);
	}
	for (unsigned int i = 0; i < STAMP_PAGES; i++) {
		struct hw_epcm_entry *e = epcm_entry(p, 1 + st->id * STAMP_PAGES + i);

		epcm_lock_wait(e);
		if (epcm_epoch(p, st->encl, e) != mine[i])
			st->bad++;
		epcm_set_epoch(p, st->encl, e, HW_EPOCH_TRACKED);
		epcm_unlock(e);
	}
	return NULL;
}

static void test_epochs_threads(void **state)
{
	struct hwfix *f = *state;
	struct hw_enclave *encl = secs0_enclave(f);
	struct stamper st[STAMP_THREADS];
	pthread_t tid[STAMP_THREADS];
	unsigned int side = 0;

	for (unsigned int t = 0; t < STAMP_THREADS * STAMP_PAGES; t++)
		child(f, 1 + t);
	for (unsigned int t = 0; t < STAMP_THREADS; t++) {
		st[t] = (struct stamper){ .f = f, .encl = encl, .id = t };
		assert_int_equal(pthread_create(&tid[t], NULL, stamper_main, &st[t]), 0);
	}
	for (unsigned int t = 0; t < STAMP_THREADS; t++) {
		assert_int_equal(pthread_join(tid[t], NULL), 0);
		assert_int_equal(st[t].bad, 0);
		side += st[t].side;
	}
	assert_true(side > 0); /* 20 epochs for 14 classes */
	for (unsigned int c = 0; c < EPCM_EPOCH_CLASSES; c++)
		assert_int_equal(atomic_load(&encl->epoch_class[c]) & 0xffffff, 0);
	for (unsigned int t = 0; t < STAMP_THREADS * STAMP_PAGES; t++)
		assert_int_equal(atomic_load(&epcm_entry(f->p, 1 + t)->busy), 0);
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
		cmocka_unit_test_setup_teardown(test_epoch_classes, hwf_setup, hwf_teardown),
		cmocka_unit_test_setup_teardown(test_epochs_side, hwf_setup, hwf_teardown),
		cmocka_unit_test_setup_teardown(test_epochs_threads, hwf_setup, hwf_teardown),
		cmocka_unit_test_setup_teardown(test_eremove_untouched, hwf_setup, hwf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
