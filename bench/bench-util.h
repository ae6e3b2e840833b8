/* SPDX-License-Identifier: MIT */
/*
 * What the benchmarks share: clocks, dying with a reason, best and median
 * of rounds, and a VM made from QEMU-style options.
 */
#ifndef VSGX_BENCH_UTIL_H
#define VSGX_BENCH_UTIL_H

#include <stdint.h>

struct vmm;
struct vmm_vm;

/* The program's name in messages ("bench-scale"); set by main(). */
extern const char *bench_name;

/* Seconds on the monotonic clock, and of CPU time this thread has used. */
double bench_now(void);
double bench_cpu_now(void);

/* "NAME: WHAT failed (R): WHY" on stderr, then exit 1. (why) may be NULL. */
void __attribute__((noreturn)) bench_die(const char *what, long long r, const char *why);

/* Best (smallest) and median of (n) samples, sorted in place. */
void bench_best_median(double *v, unsigned int n, double *best, double *median);

/*
 * A VM of (epc_mib) MiB of EPC on host node 0 and (ram) of RAM ("64M"), from
 * the QEMU options -m RAM -object memory-backend-epc -M sgx-epc.0.* -cpu host.
 * Dies on failure.
 */
struct vmm_vm *bench_vm_new(struct vmm *m, const char *name, uint64_t epc_mib, const char *ram);

#endif /* VSGX_BENCH_UTIL_H */
