/* SPDX-License-Identifier: MIT */
/* What the benchmarks share (bench-util.h). */
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vsgx/vmm.h"

const char *bench_name = "bench";

static double clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

double bench_cpu_now(void)
{
	return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

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

struct vmm_vm *bench_vm_new(struct vmm *m, const char *name, uint64_t epc_mib, const char *ram)
{
	char size[64], why[256];
	char *argv[] = { "-m",	 (char *)ram, "-object",
			 size,	 "-M",	      "sgx-epc.0.memdev=m0,sgx-epc.0.node=0",
			 "-cpu", "host",      NULL };
	struct vm_config cfg;
	struct vmm_vm *vm;
	int r;

	snprintf(size, sizeof(size), "memory-backend-epc,id=m0,size=%lluM",
		 (unsigned long long)epc_mib);
	r = vm_config_parse_qemu(vmm_processor(m), 8, argv, &cfg, why, sizeof(why));
	if (!r)
		r = vmm_vm_create(m, name, &cfg, &vm, why, sizeof(why));
	if (r)
		bench_die("VM create", r, why);
	return vm;
}
