// SPDX-License-Identifier: MIT
/*
 * Many CPUs at once: one thread per logical CPU drives one processor,
 * building, entering and removing enclaves of its own while racing the other
 * threads on shared pages. Every leaf must give one of the results hardware
 * could give (success, or #GP / #PF for a page another CPU holds or already
 * changed), and afterwards the EPCM must be consistent: every valid child
 * names a valid SECS, child counts match, the processor's counters match a
 * walk of the EPCM. Runs under ThreadSanitizer in `make test`.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw-fixture.h"

#define NR_THREADS	 4
#define PAGES_PER_THREAD 256
#define ENCL_PAGES	 8 /* SECS + 7 children */
#define ROUNDS		 200
#define RACES		 20
#define SHARED_FIRST	 (NR_THREADS * PAGES_PER_THREAD)
#define SHARED_PAGES	 64

struct stress {
	struct hw_processor *p;
	uint64_t epc_base;
	pthread_barrier_t barrier;
	_Atomic unsigned int shared_added;
	_Atomic unsigned int shared_blocked;
	_Atomic unsigned int bad; /* results no hardware could give */
};

struct worker {
	struct stress *s;
	unsigned int id;
	struct hw_cpu *cpu;
	struct sgx_pageinfo *pageinfo;
	struct sgx_secinfo *secinfo;
	struct sgx_secs *secs;
	uint8_t *page;
	uint8_t *blobs; /* ENCL_PAGES encrypted pages, then their PCMDs */
};

static uint64_t epc(const struct stress *s, uint64_t i)
{
	return s->epc_base + i * SGX_PAGE_SIZE;
}

static bool is_fault(int r, unsigned int vector)
{
	return r == (int)HW_FAULT(vector);
}

static int ecreate(struct worker *w, uint64_t secs_pa, uint64_t base)
{
	hwf_secs_init(w->secs, base, ENCL_PAGES * SGX_PAGE_SIZE * 2, SGX_ATTR_MODE64BIT,
		      SGX_XFRM_LEGACY);
	memset(w->pageinfo, 0, sizeof(*w->pageinfo));
	memset(w->secinfo, 0, sizeof(*w->secinfo));
	w->secinfo->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	w->pageinfo->srcpge = hwf_la(w->secs);
	w->pageinfo->secinfo = hwf_la(w->secinfo);
	return hw_ecreate(w->cpu, hwf_la(w->pageinfo), secs_pa);
}

static int eadd(struct worker *w, uint64_t secs_pa, uint64_t pa, uint64_t linaddr)
{
	memset(w->pageinfo, 0, sizeof(*w->pageinfo));
	memset(w->secinfo, 0, sizeof(*w->secinfo));
	w->secinfo->flags = SECINFO_RW;
	w->pageinfo->linaddr = linaddr;
	w->pageinfo->srcpge = hwf_la(w->page);
	w->pageinfo->secinfo = hwf_la(w->secinfo);
	w->pageinfo->secs = secs_pa;
	return hw_eadd(w->cpu, hwf_la(w->pageinfo), pa);
}

static void expect(struct worker *w, bool ok)
{
	if (!ok)
		atomic_fetch_add(&w->s->bad, 1);
}

static uint8_t *blob(struct worker *w, unsigned int i)
{
	return w->blobs + (size_t)i * SGX_PAGE_SIZE;
}

static uint8_t *pcmd(struct worker *w, unsigned int i)
{
	return w->blobs + (size_t)ENCL_PAGES * SGX_PAGE_SIZE + i * sizeof(struct sgx_pcmd);
}

/* EWB or ELDU page (i) of an enclave through VA page (va), slot (i). */
static int paging_leaf(struct worker *w, bool load, uint64_t secs_pa, uint64_t pa, uint64_t va,
		       uint64_t linaddr, unsigned int i)
{
	memset(w->pageinfo, 0, sizeof(*w->pageinfo));
	w->pageinfo->srcpge = hwf_la(blob(w, i));
	w->pageinfo->secinfo = hwf_la(pcmd(w, i));
	if (!load)
		return hw_ewb(w->cpu, hwf_la(w->pageinfo), pa, va + 8 * i);
	w->pageinfo->secs = secs_pa;
	w->pageinfo->linaddr = linaddr;
	return hw_eldu(w->cpu, hwf_la(w->pageinfo), pa, va + 8 * i);
}

/* Evict every child of an enclave (Linux's sequence) and load it back. */
static void own_enclave_paging(struct worker *w, uint64_t first, uint64_t base)
{
	struct stress *s = w->s;
	uint64_t secs_pa = epc(s, first), va = epc(s, first + ENCL_PAGES - 1);

	expect(w, hw_epa(w->cpu, SGX_PT_VA, va) == SGX_SUCCESS);
	for (unsigned int i = 1; i < ENCL_PAGES - 1; i++)
		expect(w, hw_eblock(w->cpu, epc(s, first + i)) == SGX_SUCCESS);
	expect(w, paging_leaf(w, false, secs_pa, epc(s, first + 1), va, 0, 1) == SGX_NOT_TRACKED);
	expect(w, hw_etrack(w->cpu, secs_pa) == SGX_SUCCESS);
	for (unsigned int i = 1; i < ENCL_PAGES - 1; i++)
		expect(w, paging_leaf(w, false, secs_pa, epc(s, first + i), va, 0, i) == 0);
	for (unsigned int i = 1; i < ENCL_PAGES - 1; i++)
		expect(w, paging_leaf(w, true, secs_pa, epc(s, first + i), va,
				      base + i * SGX_PAGE_SIZE, i) == 0);
	expect(w, hw_eremove(w->cpu, va) == SGX_SUCCESS);
}

/*
 * Build, evict and reload, enter, try to remove while inside, leave and tear
 * down: all on our own pages (the last page of each enclave's range is its
 * VA page).
 */
static void own_enclave_round(struct worker *w, unsigned int round)
{
	struct stress *s = w->s;
	uint64_t first = (uint64_t)w->id * PAGES_PER_THREAD + (round % 16) * ENCL_PAGES;
	uint64_t base = 0x100000000ULL * (w->id + 1);
	uint64_t secs_pa = epc(s, first);

	w->page[0] = (uint8_t)round;
	expect(w, ecreate(w, secs_pa, base) == SGX_SUCCESS);
	for (unsigned int i = 1; i < ENCL_PAGES - 1; i++) {
		expect(w, eadd(w, secs_pa, epc(s, first + i), base + i * SGX_PAGE_SIZE) == 0);
		expect(w, hw_eextend(w->cpu, secs_pa, epc(s, first + i)) == 0);
	}
	if (round % 4 == 0)
		own_enclave_paging(w, first, base);
	expect(w, hw_cpu_enclave_enter_raw(w->cpu, secs_pa) == 0);
	expect(w, hw_eremove(w->cpu, epc(s, first + 1)) == SGX_ENCLAVE_ACT);
	expect(w, hw_cpu_enclave_exit_raw(w->cpu) == 0);
	expect(w, hw_eremove(w->cpu, secs_pa) == SGX_CHILD_PRESENT);
	for (unsigned int i = 1; i < ENCL_PAGES - 1; i++)
		expect(w, hw_eremove(w->cpu, epc(s, first + i)) == SGX_SUCCESS);
	expect(w, hw_eremove(w->cpu, secs_pa) == SGX_SUCCESS);
}

/*
 * Every thread EADDs the same shared pages into the shared enclave: for each
 * page at most one EADD wins; the others find it busy (#GP), already valid
 * (#PF), or the SECS busy with another EADD (#GP). A page whose every EADD
 * lost to a busy SECS is added afterwards by the main thread.
 */
static void shared_add(struct worker *w)
{
	struct stress *s = w->s;
	uint64_t secs_pa = epc(s, SHARED_FIRST);

	for (unsigned int k = 0; k < SHARED_PAGES; k++) {
		unsigned int i = 1 + (k + w->id * 7) % SHARED_PAGES;
		int r;

		r = eadd(w, secs_pa, epc(s, SHARED_FIRST + i), 0x200000000ULL + i * SGX_PAGE_SIZE);
		if (r == SGX_SUCCESS)
			atomic_fetch_add(&s->shared_added, 1);
		else
			expect(w, is_fault(r, X86_TRAP_GP) || is_fault(r, X86_TRAP_PF));
	}
}

/*
 * Every thread EBLOCKs every shared child and ETRACKs the shared SECS: per
 * page one EBLOCK wins, the others find it blocked (SGX_BLKSTATE) or busy
 * (SGX_EPC_PAGE_CONFLICT); an ETRACK finds the SECS busy (#GP) or succeeds.
 * An EBLOCK that finds the SECS held by another thread's ETRACK
 * (SGX_ENTRYEPOCH_LOCKED) blocked nothing and is retried, as software must:
 * the threads it made meet SGX_EPC_PAGE_CONFLICT moved on, and without the
 * retry nobody would block the page.
 */
static void shared_block(struct worker *w)
{
	struct stress *s = w->s;

	for (unsigned int k = 0; k < SHARED_PAGES; k++) {
		unsigned int i = 1 + (k + w->id * 3) % SHARED_PAGES;
		int r;

		do
			r = hw_eblock(w->cpu, epc(s, SHARED_FIRST + i));
		while (r == SGX_ENTRYEPOCH_LOCKED);
		if (r == SGX_SUCCESS)
			atomic_fetch_add(&s->shared_blocked, 1);
		else
			expect(w, r == SGX_BLKSTATE || r == SGX_EPC_PAGE_CONFLICT ||
				      r == SGX_PG_INVLD);
		r = hw_etrack(w->cpu, epc(s, SHARED_FIRST));
		expect(w, r == SGX_SUCCESS || is_fault(r, X86_TRAP_GP));
	}
}

/* Every thread EREMOVEs every shared child; removing an invalid page succeeds too. */
static void shared_remove(struct worker *w)
{
	struct stress *s = w->s;

	for (unsigned int k = 0; k < SHARED_PAGES; k++) {
		unsigned int i = 1 + (k + w->id * 5) % SHARED_PAGES;
		int r = hw_eremove(w->cpu, epc(s, SHARED_FIRST + i));

		expect(w, r == SGX_SUCCESS || is_fault(r, X86_TRAP_GP));
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (unsigned int round = 0; round < ROUNDS; round++)
		own_enclave_round(w, round);
	for (unsigned int race = 0; race < RACES; race++) {
		pthread_barrier_wait(&w->s->barrier);
		shared_add(w);
		/* The main thread counts what the race left; blocks race, then removals. */
		pthread_barrier_wait(&w->s->barrier);
		pthread_barrier_wait(&w->s->barrier);
		shared_block(w);
		pthread_barrier_wait(&w->s->barrier);
		shared_remove(w);
	}
	return NULL;
}

/* Pages of the shared enclave that are valid now. */
static unsigned int shared_valid(struct stress *s)
{
	unsigned int n = 0;

	for (unsigned int i = 1; i <= SHARED_PAGES; i++) {
		struct hw_epcm_info e;

		assert_int_equal(hw_epcm_query(s->p, epc(s, SHARED_FIRST + i), &e), 0);
		n += e.valid;
	}
	return n;
}

/* Walk the EPCM: children name valid SECS pages, counts match the enclaves' and the processor's. */
static void check_epcm(struct hw_processor *p)
{
	uint64_t n = hw_processor_nr_pages(p), valid = 0, secs = 0;
	uint64_t base = hw_processor_section(p, 0)->base;
	struct hw_stats st;

	for (uint64_t i = 0; i < n; i++) {
		struct hw_epcm_info e;

		assert_int_equal(hw_epcm_query(p, base + i * SGX_PAGE_SIZE, &e), 0);
		if (!e.valid)
			continue;
		valid++;
		if (e.pt == SGX_PT_SECS) {
			struct hw_enclave_info info;
			uint64_t children = 0;

			secs++;
			assert_int_equal(hw_enclave_query(p, base + i * SGX_PAGE_SIZE, &info), 0);
			for (uint64_t j = 0; j < n; j++) {
				struct hw_epcm_info c;

				assert_int_equal(hw_epcm_query(p, base + j * SGX_PAGE_SIZE, &c), 0);
				if (c.valid && c.pt != SGX_PT_SECS && c.pt != SGX_PT_VA &&
				    c.secs_pa == base + i * SGX_PAGE_SIZE)
					children++;
			}
			assert_int_equal(info.children, children);
			assert_int_equal(info.threads_inside, 0);
		} else if (e.pt != SGX_PT_VA) {
			struct hw_epcm_info owner;

			assert_int_equal(hw_epcm_query(p, e.secs_pa, &owner), 0);
			assert_true(owner.valid);
			assert_int_equal(owner.pt, SGX_PT_SECS);
		}
	}
	hw_processor_stats(p, &st);
	assert_int_equal(st.valid_pages, valid);
	assert_int_equal(st.enclaves, secs);
}

static void test_many_cpus(void **state)
{
	struct stress s = { 0 };
	struct worker w[NR_THREADS];
	pthread_t tid[NR_THREADS];
	struct hw_desc d;
	struct hw_stats st;
	struct worker main_w;

	(void)state;
	hw_desc_init_default(&d);
	d.nr_cpus = NR_THREADS;
	d.sections[0].size = 8ULL << 20;
	assert_int_equal(hw_processor_create(&d, &s.p), 0);
	s.epc_base = d.sections[0].base;
	pthread_barrier_init(&s.barrier, NULL, NR_THREADS + 1);

	/* The shared enclave, built before the race. */
	memset(&main_w, 0, sizeof(main_w));
	main_w.s = &s;
	main_w.cpu = hw_processor_cpu(s.p, 0);
	main_w.pageinfo = hwf_zalloc(32, sizeof(struct sgx_pageinfo));
	main_w.secinfo = hwf_zalloc(64, sizeof(struct sgx_secinfo));
	main_w.secs = hwf_zalloc(SGX_PAGE_SIZE, sizeof(struct sgx_secs));
	main_w.page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	hwf_secs_init(main_w.secs, 0x200000000ULL, 1ULL << 20, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_int_equal(ecreate(&main_w, epc(&s, SHARED_FIRST), 0x200000000ULL), SGX_SUCCESS);

	for (unsigned int t = 0; t < NR_THREADS; t++) {
		w[t] = (struct worker){
			.s = &s,
			.id = t,
			.cpu = hw_processor_cpu(s.p, t),
			.pageinfo = hwf_zalloc(32, sizeof(struct sgx_pageinfo)),
			.secinfo = hwf_zalloc(64, sizeof(struct sgx_secinfo)),
			.secs = hwf_zalloc(SGX_PAGE_SIZE, sizeof(struct sgx_secs)),
			.page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE),
			.blobs = hwf_zalloc(SGX_PAGE_SIZE, ENCL_PAGES * (SGX_PAGE_SIZE + 128)),
		};
		assert_int_equal(pthread_create(&tid[t], NULL, worker_main, &w[t]), 0);
	}
	for (unsigned int race = 0; race < RACES; race++) {
		atomic_store(&s.shared_added, 0);
		atomic_store(&s.shared_blocked, 0);
		pthread_barrier_wait(&s.barrier); /* shared EADDs start */
		pthread_barrier_wait(&s.barrier); /* shared EADDs done */
		assert_int_equal(shared_valid(&s), atomic_load(&s.shared_added));
		assert_true(atomic_load(&s.shared_added) >= 1);
		check_epcm(s.p);
		pthread_barrier_wait(&s.barrier); /* blocking races */
		pthread_barrier_wait(&s.barrier); /* removals start */
		/* Every page added was blocked exactly once. */
		assert_int_equal(atomic_load(&s.shared_blocked), atomic_load(&s.shared_added));
	}
	for (unsigned int t = 0; t < NR_THREADS; t++)
		assert_int_equal(pthread_join(tid[t], NULL), 0);

	assert_int_equal(atomic_load(&s.bad), 0);
	/* Some EREMOVE of each page ran alone: a busy page is only ever busy for a moment. */
	check_epcm(s.p);
	/* Only the shared SECS is left, and it can go now. */
	assert_int_equal(hw_eremove(main_w.cpu, epc(&s, SHARED_FIRST)), SGX_SUCCESS);
	check_epcm(s.p);
	hw_processor_stats(s.p, &st);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.enclaves, 0);

	for (unsigned int t = 0; t < NR_THREADS; t++) {
		free(w[t].pageinfo);
		free(w[t].secinfo);
		free(w[t].secs);
		free(w[t].page);
		free(w[t].blobs);
	}
	free(main_w.pageinfo);
	free(main_w.secinfo);
	free(main_w.secs);
	free(main_w.page);
	pthread_barrier_destroy(&s.barrier);
	hw_processor_destroy(s.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
