// SPDX-License-Identifier: MIT
/*
 * Enclave threads and the OS's paging at the same time, on one processor:
 * three CPUs run threads in one initialized enclave (EENTER, a load from a
 * data page, EEXIT; an AEX and ERESUME when the page is not there), while a
 * fourth CPU, the OS, blocks, tracks, writes back and reloads those data
 * pages over and over. This is where the TLB-tracking state, the TCS state
 * and the EPCM see concurrent entries, exits and evictions. Every result
 * must be one hardware could give; afterwards every page is back, nobody is
 * inside, and the counts are exact. Runs under ThreadSanitizer in
 * `make test`.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw-fixture.h"
#include "vectors.h"
#include "vsgx/sigstruct.h"

#define NR_THREADS 3
#define ELRANGE	   0x10000000ULL
#define ENCL_PAGES 64 /* ELRANGE: 256 KiB */
#define DATA_FIRST 16 /* data pages 16 .. 47 */
#define DATA_PAGES 32
#define ROUNDS	   300
#define OS_PASSES  12
#define AEP	   0x7f0000001000ULL

struct tstress {
	struct hw_processor *p;
	uint64_t secs_pa;
	_Atomic bool os_done;
	_Atomic unsigned int bad;
	_Atomic unsigned int faults; /* loads that met an evicted or blocked page */
	_Atomic unsigned int evictions;
};

/* ELRANGE page i is EPC page 1 + i, for every CPU; the map never changes. */
static int t_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct tstress *s = opaque;

	(void)write;
	memset(ret, 0, sizeof(*ret));
	if (la - ELRANGE < ENCL_PAGES * SGX_PAGE_SIZE) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = s->secs_pa + SGX_PAGE_SIZE + (la - ELRANGE);
		return 0;
	}
	if (la - HWF_EPC_BASE < HWF_EPC_SIZE) {
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

static uint64_t la_of(unsigned int page)
{
	return ELRANGE + (uint64_t)page * SGX_PAGE_SIZE;
}

static uint64_t pa_of(const struct tstress *s, unsigned int page)
{
	return s->secs_pa + SGX_PAGE_SIZE * (1 + (uint64_t)page);
}

/* Thread t: TCS at page 3t, one SSA frame at 3t + 1. */
static void build(struct hwfix *f, struct tstress *s, uint8_t mrenclave[32])
{
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;
	struct sgx_secs secs;
	struct hwf_measure m;

	hwf_secs_init(&secs, ELRANGE, ENCL_PAGES * SGX_PAGE_SIZE, SGX_ATTR_MODE64BIT,
		      SGX_XFRM_LEGACY);
	assert_int_equal(hwf_ecreate(f, &secs, s->secs_pa), SGX_SUCCESS);
	hwf_measure_ecreate(&m, 1, secs.size);
	for (unsigned int t = 0; t < NR_THREADS; t++) {
		memset(page, 0, SGX_PAGE_SIZE);
		tcs->ossa = (3ULL * t + 1) * SGX_PAGE_SIZE;
		tcs->nssa = 1;
		tcs->oentry = (uint64_t)DATA_FIRST * SGX_PAGE_SIZE;
		assert_int_equal(
		    hwf_eadd(f, s->secs_pa, pa_of(s, 3 * t), la_of(3 * t), SECINFO_TCS, page), 0);
		hwf_measure_eadd(&m, 3ULL * t * SGX_PAGE_SIZE, SECINFO_TCS);
		memset(page, 0, SGX_PAGE_SIZE);
		assert_int_equal(hwf_eadd(f, s->secs_pa, pa_of(s, 3 * t + 1), la_of(3 * t + 1),
					  SECINFO_RW, page),
				 0);
		hwf_measure_eadd(&m, (3ULL * t + 1) * SGX_PAGE_SIZE, SECINFO_RW);
	}
	for (unsigned int i = DATA_FIRST; i < DATA_FIRST + DATA_PAGES; i++) {
		memset(page, (int)i, SGX_PAGE_SIZE);
		assert_int_equal(hwf_eadd(f, s->secs_pa, pa_of(s, i), la_of(i), SECINFO_RW, page),
				 0);
		hwf_measure_eadd(&m, (uint64_t)i * SGX_PAGE_SIZE, SECINFO_RW);
	}
	hwf_measure_final(&m, mrenclave);
	free(page);
}

static void launch(struct hwfix *f, struct tstress *s, const uint8_t mrenclave[32])
{
	struct sgx_sigstruct *sig = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*sig));
	struct sgx_einittoken *token = hwf_zalloc(512, sizeof(*token));
	struct crypto_rsa_key *key;
	struct sigstruct_params params;
	uint8_t modulus[CRYPTO_RSA3072_LEN], hash[32];

	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &key, NULL, 0), 0);
	sigstruct_params_init_default(&params);
	params.date = 0x20260101;
	assert_int_equal(sigstruct_sign(&params, mrenclave, key, sig), 0);
	assert_int_equal(crypto_rsa_key_modulus(key, modulus), 0);
	assert_int_equal(crypto_sha256(modulus, sizeof(modulus), hash), 0);
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v;

		memcpy(&v, hash + 8 * i, 8);
		assert_int_equal(hw_msr_write(f->cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, v), 0);
	}
	assert_int_equal(hw_einit(f->cpu, hwf_la(sig), s->secs_pa, hwf_la(token)), SGX_SUCCESS);
	crypto_rsa_key_free(key);
	free(sig);
	free(token);
}

struct tworker {
	struct tstress *s;
	struct hw_cpu *cpu;
	unsigned int id;
};

static void expect(struct tstress *s, bool ok)
{
	if (!ok)
		atomic_fetch_add(&s->bad, 1);
}

/* Enter, load one byte of a data page, leave; a fault is an AEX, then ERESUME and EEXIT. */
static void thread_round(struct tworker *w, unsigned int round)
{
	struct tstress *s = w->s;
	unsigned int page = DATA_FIRST + (round * 7 + w->id * 11) % DATA_PAGES;
	struct sgx_ssa_gpr gpr = { .rip = la_of(DATA_FIRST) };
	struct hw_aex why = { .vector = X86_TRAP_PF };
	uint32_t cssa = 0;
	uint8_t b;
	int r;

	r = hw_eenter(w->cpu, la_of(3 * w->id), AEP, &cssa);
	/* The TCS and SSA are never evicted: the entry always works. */
	expect(s, r == 0 && cssa == 0);
	if (r)
		return;
	r = hw_enclave_read(w->cpu, la_of(page), &b, 1);
	if (r == HW_FAULT(X86_TRAP_PF)) {
		atomic_fetch_add(&s->faults, 1);
		expect(s, hw_aex(w->cpu, &gpr, &why) == 0);
		/* The OS would reload the page here; resuming works regardless. */
		expect(s, hw_eresume(w->cpu, la_of(3 * w->id), AEP, NULL) == 0);
	} else {
		expect(s, r == 0 && b == page);
	}
	expect(s, hw_eexit(w->cpu, 0x400000, NULL) == 0);
}

static void *thread_main(void *arg)
{
	struct tworker *w = arg;

	for (unsigned int round = 0; round < ROUNDS || !atomic_load(&w->s->os_done); round++)
		thread_round(w, round);
	return NULL;
}

struct os_buf {
	uint8_t *pages;		 /* DATA_PAGES encrypted pages */
	struct sgx_pcmd *pcmd;	 /* and their PCMDs */
	struct sgx_pageinfo *pi; /* 32-byte aligned */
};

static int os_paging(struct tworker *w, struct os_buf *b, bool load, unsigned int k, uint64_t va)
{
	struct tstress *s = w->s;

	memset(b->pi, 0, sizeof(*b->pi));
	b->pi->srcpge = hwf_la(b->pages + (size_t)k * SGX_PAGE_SIZE);
	b->pi->secinfo = hwf_la(&b->pcmd[k]);
	if (!load)
		return hw_ewb(w->cpu, hwf_la(b->pi), pa_of(s, DATA_FIRST + k), va + 8ULL * k);
	b->pi->secs = s->secs_pa;
	b->pi->linaddr = la_of(DATA_FIRST + k);
	return hw_eldu(w->cpu, hwf_la(b->pi), pa_of(s, DATA_FIRST + k), va + 8ULL * k);
}

/* EWB with Linux's retries: threads come and go, so it must succeed within a few tries. */
static int os_ewb(struct tworker *w, struct os_buf *b, unsigned int k, uint64_t va)
{
	for (int tries = 0; tries < 100000; tries++) {
		int r = os_paging(w, b, false, k, va);

		if (r != SGX_NOT_TRACKED)
			return r;
		r = hw_etrack(w->cpu, w->s->secs_pa);
		expect(w->s, r == SGX_SUCCESS || r == SGX_PREV_TRK_INCMPL);
		sched_yield();
	}
	return SGX_NOT_TRACKED;
}

/* The OS: every pass blocks all data pages, tracks, writes them back and reloads them. */
static void *os_main(void *arg)
{
	struct tworker *w = arg;
	struct tstress *s = w->s;
	uint64_t va = pa_of(s, ENCL_PAGES); /* the page after ELRANGE's */
	struct os_buf b = { hwf_zalloc(SGX_PAGE_SIZE, DATA_PAGES * SGX_PAGE_SIZE),
			    hwf_zalloc(128, DATA_PAGES * sizeof(struct sgx_pcmd)),
			    hwf_zalloc(32, sizeof(struct sgx_pageinfo)) };

	expect(s, hw_epa(w->cpu, SGX_PT_VA, va) == SGX_SUCCESS);
	for (unsigned int pass = 0; pass < OS_PASSES; pass++) {
		for (unsigned int k = 0; k < DATA_PAGES; k++)
			expect(s, hw_eblock(w->cpu, pa_of(s, DATA_FIRST + k)) == SGX_SUCCESS);
		for (unsigned int k = 0; k < DATA_PAGES; k++) {
			expect(s, os_ewb(w, &b, k, va) == SGX_SUCCESS);
			atomic_fetch_add(&s->evictions, 1);
		}
		for (unsigned int k = 0; k < DATA_PAGES; k++)
			expect(s, os_paging(w, &b, true, k, va) == SGX_SUCCESS);
	}
	expect(s, hw_eremove(w->cpu, va) == SGX_SUCCESS);
	atomic_store(&s->os_done, true);
	free(b.pages);
	free(b.pcmd);
	free(b.pi);
	return NULL;
}

static void test_threads_enter_while_os_evicts(void **state)
{
	struct hwfix *f = *state;
	struct tstress s = { 0 };
	struct tworker w[NR_THREADS + 1];
	pthread_t tid[NR_THREADS + 1];
	struct hw_addr_space as = { t_xlate, &s };
	struct hw_enclave_info info;
	uint8_t mrenclave[32];

	s.p = f->p;
	s.secs_pa = hwf_epc(f, 0);
	build(f, &s, mrenclave);
	launch(f, &s, mrenclave);
	for (unsigned int t = 0; t <= NR_THREADS; t++) {
		w[t] = (struct tworker){ &s, hw_processor_cpu(f->p, t), t };
		hw_cpu_set_addr_space(w[t].cpu, &as);
	}
	for (unsigned int t = 0; t <= NR_THREADS; t++)
		assert_int_equal(
		    pthread_create(&tid[t], NULL, t < NR_THREADS ? thread_main : os_main, &w[t]),
		    0);
	for (unsigned int t = 0; t <= NR_THREADS; t++)
		assert_int_equal(pthread_join(tid[t], NULL), 0);

	assert_int_equal(atomic_load(&s.bad), 0);
	assert_int_equal(atomic_load(&s.evictions), OS_PASSES * DATA_PAGES);
	info = hwf_enclave(f, s.secs_pa);
	assert_int_equal(info.threads_inside, 0);
	assert_int_equal(info.children, 2 * NR_THREADS + DATA_PAGES);
	for (unsigned int i = DATA_FIRST; i < DATA_FIRST + DATA_PAGES; i++) {
		struct hw_epcm_info e = hwf_epcm(f, pa_of(&s, i));

		assert_true(e.valid && !e.blocked);
		assert_int_equal(e.enclave_address, la_of(i));
	}
	/* Every page is back with its contents: a thread reads each one. */
	assert_int_equal(hw_eenter(f->cpu, la_of(0), AEP, NULL), 0);
	for (unsigned int i = DATA_FIRST; i < DATA_FIRST + DATA_PAGES; i++) {
		uint8_t b = 0;

		assert_int_equal(hw_enclave_read(f->cpu, la_of(i) + 100, &b, 1), 0);
		assert_int_equal(b, i);
	}
	assert_int_equal(hw_eexit(f->cpu, 0x400000, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ vectors_present() ? "test_threads_enter_while_os_evicts"
				    : "test_threads_enter_while_os_evicts # SKIP no test vectors",
		  vectors_present() ? test_threads_enter_while_os_evicts : skipped, hwf_setup,
		  hwf_teardown, NULL },
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
