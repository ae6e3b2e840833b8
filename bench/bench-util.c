/* SPDX-License-Identifier: MIT */
/* What the benchmarks share on the bare processor model (bench-util.h). */
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *bench_name = "bench";

void bench_die(const char *what, long long r, const char *why)
{
	fprintf(stderr, "%s: %s failed (%lld)%s%s\n", bench_name, what, r, why ? ": " : "",
		why ? why : "");
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_best_median(double *v, unsigned int n, double *best, double *median)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*best = v[0];
	*median = v[n / 2];
}

double bench_best(const double *v, unsigned int n)
{
	double m = v[0];

	for (unsigned int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

double bench_median(const double *v, unsigned int n)
{
	double *s = malloc(sizeof(*s) * n), m;

	if (!s)
		bench_die("malloc", 0, NULL);
	memcpy(s, v, sizeof(*s) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

void *bench_zalloc(size_t align, size_t size)
{
	/* aligned_alloc() wants a size that is a multiple of the alignment. */
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	if (!p)
		bench_die("aligned_alloc", (long long)size, NULL);
	memset(p, 0, size);
	return p;
}

long long bench_rss_bytes(void)
{
	long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		bench_die("reading /proc/self/statm", 0, NULL);
	if (fscanf(f, "%lld %lld", &size, &resident) != 2) {
		fclose(f);
		bench_die("reading /proc/self/statm", 0, NULL);
	}
	fclose(f);
	return resident * sysconf(_SC_PAGESIZE);
}

uint64_t bench_elrange_size(uint64_t pages)
{
	uint64_t size = 1;

	while (size < pages * SGX_PAGE_SIZE)
		size <<= 1;
	return size;
}

void bench_secs_init(struct sgx_secs *secs, uint64_t base, uint64_t size)
{
	memset(secs, 0, sizeof(*secs));
	secs->base = base;
	secs->size = size;
	secs->ssa_frame_size = 1;
	secs->attributes.flags = SGX_ATTR_MODE64BIT;
	secs->attributes.xfrm = SGX_XFRM_LEGACY;
}

int bench_ecreate(struct hw_cpu *cpu, struct sgx_pageinfo *pi, struct sgx_secinfo *si,
		  struct sgx_secs *secs, uint64_t secs_at)
{
	memset(pi, 0, sizeof(*pi));
	memset(si, 0, sizeof(*si));
	si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	pi->srcpge = (uintptr_t)secs;
	pi->secinfo = (uintptr_t)si;
	return hw_ecreate(cpu, (uintptr_t)pi, secs_at);
}
