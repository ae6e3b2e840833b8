/* SPDX-License-Identifier: MIT */
/*
 * bench/measure: the cost of measuring an enclave through the processor
 * model (EADD + 16 x EEXTEND per 4 KiB page) against its floor, raw OpenSSL
 * SHA-256 over the same 5,184 bytes per page, measured in the same run.
 * Both read the pages from the same source, an array as large as the
 * enclave (out of cache, as an enclave's pages are): the model EADDs each
 * page from it, the floor assembles each page's measurement stream from it
 * (the EADD block, and per 256-byte chunk the EEXTEND header and the
 * chunk) and hashes that. Best and median of ROUNDS rounds.
 *
 * With THREADS > 1, that many threads each build their own enclave of PAGES
 * pages at once, one per logical CPU of one processor, against as many
 * threads hashing their streams at once: the figure for many CPUs.
 *
 * usage: bench-measure [PAGES] [ROUNDS] [THREADS]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"

#include "bench-util.h"

#define EPC_BASE	0x80000000ULL
#define ENCL_BASE	(1ULL << 40)
#define HASHED_PER_PAGE (64 + 16 * (64 + 256)) /* EADD block + 16 EEXTENDs */

struct bench {
	struct hw_processor *p;
	struct hw_cpu *cpu;
	uint64_t epc_base; /* this thread's SECS; its pages follow */
	uint64_t encl_base;
	uint64_t pages;
	double seconds; /* of the last run */
	uint8_t *src;	/* the pages' contents, pages x 4 KiB */
	struct sgx_pageinfo *pi;
	struct sgx_secinfo *si;
	struct sgx_secs *secs;
};

static struct hw_processor *bench_power_on(uint64_t pages, unsigned int threads)
{
	struct hw_processor *p;
	struct hw_desc d;
	int r;

	hw_desc_init_default(&d);
	d.sections[0].size = threads * (pages + 1) * SGX_PAGE_SIZE;
	d.nr_cpus = threads < 4 ? 4 : threads;
	r = hw_processor_create(&d, &p);
	if (r)
		bench_die("hw_processor_create", r, NULL);
	return p;
}

static void bench_setup(struct bench *b, struct hw_processor *p, unsigned int t, uint64_t pages)
{
	b->p = p;
	b->cpu = hw_processor_cpu(p, t);
	b->epc_base = EPC_BASE + t * (pages + 1) * SGX_PAGE_SIZE;
	b->encl_base = ENCL_BASE * (t + 1);
	b->pages = pages;
	b->src = bench_zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	b->secs = bench_zalloc(SGX_PAGE_SIZE, sizeof(*b->secs));
	b->pi = bench_zalloc(64, sizeof(*b->pi));
	b->si = bench_zalloc(64, sizeof(*b->si));
	for (size_t i = 0; i < pages * SGX_PAGE_SIZE; i++)
		b->src[i] = (uint8_t)(i * 131 + 7 + i / 4093);
}

static void measure_ecreate(struct bench *b)
{
	int r;

	bench_secs_init(b->secs, b->encl_base, bench_elrange_size(b->pages + 1));
	r = bench_ecreate(b->cpu, b->pi, b->si, b->secs, b->epc_base);
	if (r)
		bench_die("ECREATE", r, NULL);
}

/* Build one enclave of b->pages measured pages; returns seconds spent. */
static double bench_model(struct bench *b)
{
	double t0, t;
	int r;

	measure_ecreate(b);
	b->si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	b->pi->secs = b->epc_base;
	t0 = bench_now();
	for (uint64_t i = 0; i < b->pages; i++) {
		uint64_t epc = b->epc_base + (i + 1) * SGX_PAGE_SIZE;

		b->pi->srcpge = (uintptr_t)(b->src + i * SGX_PAGE_SIZE);
		b->pi->linaddr = b->encl_base + i * SGX_PAGE_SIZE;
		r = hw_eadd(b->cpu, (uintptr_t)b->pi, epc);
		for (uint64_t c = 0; !r && c < SGX_PAGE_SIZE; c += SGX_EEXTEND_CHUNK)
			r = hw_eextend(b->cpu, b->epc_base, epc + c);
		if (r)
			bench_die("EADD/EEXTEND", r, NULL);
	}
	t = bench_now() - t0;
	for (uint64_t i = b->pages + 1; i-- > 0;)
		hw_eremove(b->cpu, b->epc_base + i * SGX_PAGE_SIZE);
	return t;
}

/*
 * The floor: SHA-256 of each page's measurement stream, assembled from the
 * same source pages the model EADDs (the EADD block, then per chunk the
 * EEXTEND header and the chunk's 256 bytes) into a buffer on the stack.
 */
static double bench_raw(const struct bench *b)
{
	struct crypto_sha256 *s = crypto_sha256_new();
	uint8_t md[CRYPTO_SHA256_LEN], stream[HASHED_PER_PAGE];
	uint64_t flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	double t0, t;

	if (!s)
		bench_die("crypto_sha256_new", 0, NULL);
	memset(stream, 0, sizeof(stream));
	t0 = bench_now();
	for (uint64_t i = 0; i < b->pages; i++) {
		const uint8_t *page = b->src + i * SGX_PAGE_SIZE;
		uint64_t off = i * SGX_PAGE_SIZE;
		uint8_t *at = stream + 64;

		memcpy(stream, "EADD\0\0\0", 8);
		memcpy(stream + 8, &off, 8);
		memcpy(stream + 16, &flags, 8);
		for (unsigned int c = 0; c < SGX_PAGE_SIZE; c += SGX_EEXTEND_CHUNK) {
			uint64_t coff = off + c;

			memcpy(at, "EEXTEND", 8);
			memcpy(at + 8, &coff, 8);
			memcpy(at + 64, page + c, SGX_EEXTEND_CHUNK);
			at += 64 + SGX_EEXTEND_CHUNK;
		}
		crypto_sha256_update(s, stream, sizeof(stream));
	}
	crypto_sha256_final(s, md);
	t = bench_now() - t0;
	crypto_sha256_free(s);
	return t;
}

static void *thread_model(void *arg)
{
	struct bench *b = arg;

	b->seconds = bench_model(b);
	return NULL;
}

static void *thread_raw(void *arg)
{
	struct bench *b = arg;

	b->seconds = bench_raw(b);
	return NULL;
}

/* Run (fn) on every bench at once; returns the wall time of the slowest. */
static double run_parallel(struct bench *b, unsigned int threads, void *(*fn)(void *))
{
	pthread_t tid[HW_MAX_CPUS];
	double slowest = 0;

	for (unsigned int t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, fn, &b[t]))
			bench_die("pthread_create", 0, NULL);
	for (unsigned int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		slowest = b[t].seconds > slowest ? b[t].seconds : slowest;
	}
	return slowest;
}

static void bench_free(struct bench *b)
{
	free(b->src);
	free(b->secs);
	free(b->pi);
	free(b->si);
}

static void report(const char *name, const char *what, unsigned int threads, uint64_t pages,
		   double t)
{
	printf("%s: %-22s %8.1f MB/s  %6.2f us/page\n", name, what,
	       threads * pages * HASHED_PER_PAGE / t / 1e6, t / pages * 1e6);
}

int main(int argc, char **argv)
{
	uint64_t pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 16384;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	unsigned int threads = argc > 3 ? (unsigned int)atoi(argv[3]) : 1;
	const char *name = threads > 1 ? "measure-threads" : "measure";
	double *raw, *model, *ratio, best_model = 1e30, best_raw = 1e30;
	struct bench *b;
	struct hw_processor *p;

	bench_name = "bench-measure";
	if (!pages || rounds < 1 || threads < 1 || threads > HW_MAX_CPUS) {
		fprintf(stderr, "usage: bench-measure [PAGES] [ROUNDS] [THREADS]\n");
		return 2;
	}
	b = calloc(threads, sizeof(*b));
	raw = calloc((size_t)rounds, sizeof(*raw));
	model = calloc((size_t)rounds, sizeof(*model));
	ratio = calloc((size_t)rounds, sizeof(*ratio));
	if (!b || !raw || !model || !ratio)
		bench_die("malloc", 0, NULL);
	p = bench_power_on(pages, threads);
	for (unsigned int t = 0; t < threads; t++)
		bench_setup(&b[t], p, t, pages);
	for (int i = 0; i < rounds; i++) {
		raw[i] = run_parallel(b, threads, thread_raw);
		model[i] = run_parallel(b, threads, thread_model);
		ratio[i] = raw[i] / model[i];
		best_raw = raw[i] < best_raw ? raw[i] : best_raw;
		best_model = model[i] < best_model ? model[i] : best_model;
	}
	printf("%s: %u thread(s) x %llu pages x %d rounds, source pages out of cache\n", name,
	       threads, (unsigned long long)pages, rounds);
	report(name, "raw SHA-256, best", threads, pages, best_raw);
	report(name, "raw SHA-256, median", threads, pages,
	       bench_median(raw, (unsigned int)rounds));
	report(name, "EADD+16 EEXTEND, best", threads, pages, best_model);
	report(name, "EADD+16 EEXTEND, median", threads, pages,
	       bench_median(model, (unsigned int)rounds));
	printf("%s: ratio %.3f of bests, %.3f median of the rounds' ratios (model throughput / raw "
	       "SHA-256 on as many threads; target >= 0.85)\n",
	       name, best_raw / best_model, bench_median(ratio, (unsigned int)rounds));
	hw_processor_destroy(p);
	for (unsigned int t = 0; t < threads; t++)
		bench_free(&b[t]);
	free(b);
	free(raw);
	free(model);
	free(ratio);
	return 0;
}
