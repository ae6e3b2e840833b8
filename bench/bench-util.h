/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark shares, on the bare processor model (no VMM: the
 * benchmarks of the hardware and the host link this alone): clocks, dying
 * with a reason, best and median of rounds, zeroed aligned memory, the
 * process's resident memory, and an enclave's SECS made with ECREATE. What
 * the VMM benchmarks add (a VMM, a VM, a guest) is in bench-vm.h.
 */
#ifndef VSGX_BENCH_UTIL_H
#define VSGX_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vsgx/encls.h"
#include "vsgx/processor.h"

/* The program's name in messages ("bench-scale"); set by main(). */
extern const char *bench_name;

static inline double bench_clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Seconds on the monotonic clock, and of CPU time this thread has used.
 * Inline: some timed regions are one leaf long (ECREATE in bench-leaves),
 * and a call into another file would be timed with them.
 */
static inline double bench_now(void)
{
	return bench_clock_seconds(CLOCK_MONOTONIC);
}

static inline double bench_cpu_now(void)
{
	return bench_clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

/* "NAME: WHAT failed (R): WHY" on stderr, then exit 1. (why) may be NULL. */
void __attribute__((noreturn)) bench_die(const char *what, long long r, const char *why);

/*
 * Best (smallest) and median of (n) samples, sorted in place; the median of
 * an even count is the upper of the middle two (bench-paging, bench-policies).
 */
void bench_best_median(double *v, unsigned int n, double *best, double *median);

/* The smallest of (n) samples. */
double bench_best(const double *v, unsigned int n);

/*
 * The median of (n) samples, of an even count the mean of the middle two
 * (bench-measure, bench-leaves); (v) is left as it is.
 */
double bench_median(const double *v, unsigned int n);

/* (size) bytes of zeros aligned to (align), a power of two; dies when there is no memory. */
void *bench_zalloc(size_t align, size_t size);

/* The process's resident memory (RSS) in bytes; dies when /proc cannot say. */
long long bench_rss_bytes(void);

/* The smallest power of two of bytes that holds (pages) pages: an ELRANGE. */
uint64_t bench_elrange_size(uint64_t pages);

/*
 * A SECS for ECREATE: 64-bit, one SSA frame, legacy XFRM, ELRANGE at (base)
 * of (size) bytes (a power of two); everything else zero.
 */
void bench_secs_init(struct sgx_secs *secs, uint64_t base, uint64_t size);

/*
 * ECREATE on (cpu) of the SECS (secs) filled by bench_secs_init() at (secs_at)
 * in the CPU's address space, through the PAGEINFO (pi) and SECINFO (si)
 * it fills (the operands are host memory, aligned as the leaf requires).
 * Returns the leaf's SGX code; (pi) and (si) are left for EADD to reuse.
 */
int bench_ecreate(struct hw_cpu *cpu, struct sgx_pageinfo *pi, struct sgx_secinfo *si,
		  struct sgx_secs *secs, uint64_t secs_at);

#endif /* VSGX_BENCH_UTIL_H */
