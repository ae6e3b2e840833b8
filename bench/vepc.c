/* SPDX-License-Identifier: MIT */
/*
 * bench/vepc: the host's virtual-EPC walks for one large instance - first
 * touch of every page (fault-in), remove-all (a guest reset) and release -
 * with every page holding enclave state (enclaves built through the vEPC
 * address space, as a guest builds them), as cost per page and as a ratio to
 * the floor these walks cannot beat, measured in the same run: one pass that
 * reads every page's EPCM entry through the model (hw_epcm_query), the least
 * any walk that must look at each page's EPCM entry does.
 *
 * usage: bench-vepc [PAGES] [ROUNDS] [ENCLAVE_PAGES]
 *   16 GiB: bench-vepc 4194304 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/encls.h"
#include "vsgx/host.h"
#include "vsgx/processor.h"

#include "bench-util.h"

#define VAS_BASE  0x100000000000ULL
#define ENCL_BASE 0x10000000ULL

struct bench {
	struct hw_processor *p;
	struct host *h;
	struct hw_cpu *guest, *kcpu;
	struct host_vepc *v;
	struct host_vas vas;
	uint64_t pages, per_encl;
	struct sgx_pageinfo *pi;
	struct sgx_secinfo *si;
	struct sgx_secs *secs;
	uint8_t *zero; /* EADD source: all-zero pages keep no host memory */
	uint64_t *pa;  /* physical address of each page of the instance */
};

static double bench_setup(struct bench *b)
{
	struct hw_desc d;
	double t0;
	int r;

	hw_desc_init_default(&d);
	d.sections[0].size = b->pages * SGX_PAGE_SIZE;
	r = hw_processor_create(&d, &b->p);
	if (r)
		bench_die("hw_processor_create", r, NULL);
	b->guest = hw_processor_cpu(b->p, 0);
	b->kcpu = hw_processor_cpu(b->p, 1);
	t0 = bench_now();
	r = host_create(b->p, b->kcpu, &b->h);
	if (r)
		bench_die("host_create", r, NULL);
	b->pi = bench_zalloc(64, sizeof(*b->pi));
	b->si = bench_zalloc(64, sizeof(*b->si));
	b->secs = bench_zalloc(SGX_PAGE_SIZE, sizeof(*b->secs));
	b->zero = bench_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	b->pa = malloc(b->pages * sizeof(*b->pa));
	if (!b->pa)
		bench_die("malloc", 0, NULL);
	return bench_now() - t0;
}

static void bench_open(struct bench *b)
{
	struct hw_addr_space as;

	if (host_vepc_open(b->h, 0, NULL, &b->v) || host_vepc_map(b->v, b->pages))
		bench_die("vepc open/map", 0, NULL);
	host_vas_init(&b->vas);
	if (host_vas_add(&b->vas, b->v, VAS_BASE))
		bench_die("host_vas_add", 0, NULL);
	host_vas_addr_space(&b->vas, &as);
	hw_cpu_set_addr_space(b->guest, &as);
}

static double bench_fault_in(struct bench *b)
{
	double t0 = bench_now();
	uint64_t pa;

	for (uint64_t i = 0; i < b->pages; i++)
		if (host_vepc_fault(b->v, i, &pa))
			bench_die("host_vepc_fault", (long long)i, NULL);
	return bench_now() - t0;
}

static void vepc_ecreate(struct bench *b, uint64_t la)
{
	int r;

	bench_secs_init(b->secs, ENCL_BASE, b->per_encl * SGX_PAGE_SIZE);
	r = bench_ecreate(b->guest, b->pi, b->si, b->secs, la);
	if (r) {
		fprintf(stderr, "bench-vepc: ECREATE at 0x%llx: fault address 0x%llx\n",
			(unsigned long long)la, (unsigned long long)hw_cpu_fault(b->guest)->addr);
		bench_die("ECREATE", r, NULL);
	}
}

/* Fill every page: enclaves of per_encl pages, SECS first, through the guest's view. */
static double bench_build(struct bench *b)
{
	double t0 = bench_now();
	struct hw_addr_space as;

	host_vas_addr_space(&b->vas, &as);
	hw_cpu_set_addr_space(b->guest, &as);
	for (uint64_t first = 0; first < b->pages; first += b->per_encl) {
		uint64_t secs_la = VAS_BASE + first * SGX_PAGE_SIZE;
		uint64_t n = b->pages - first < b->per_encl ? b->pages - first : b->per_encl;

		vepc_ecreate(b, secs_la);
		b->si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
		b->pi->srcpge = (uintptr_t)b->zero;
		b->pi->secs = secs_la;
		for (uint64_t i = 1; i < n; i++) {
			b->pi->linaddr = ENCL_BASE + (i - 1) * SGX_PAGE_SIZE;
			if (hw_eadd(b->guest, (uintptr_t)b->pi, secs_la + i * SGX_PAGE_SIZE))
				bench_die("EADD", (long long)(first + i), NULL);
		}
	}
	return bench_now() - t0;
}

/* The floor: read every page's EPCM entry once, as tightly as the model allows. */
static double bench_epcm_pass(struct bench *b, uint64_t *valid)
{
	const struct hw_epc_section_desc *s = hw_processor_section(b->p, 0);
	struct hw_epcm_info info;
	double t0 = bench_now();

	*valid = 0;
	for (uint64_t i = 0; i < b->pages; i++) {
		hw_epcm_query(b->p, s->base + i * SGX_PAGE_SIZE, &info);
		*valid += info.valid;
	}
	return bench_now() - t0;
}

/*
 * The leaves alone: the same EREMOVEs the remove-all protocol issues (every
 * page, then every page again in the second call, as Linux's walk retries
 * nothing: the SECS pages go then), issued straight at physical addresses on
 * the host CPU, without the host layer's bookkeeping.
 */
static double bench_eremove_pass(struct bench *b)
{
	double t0;
	int r;

	/* The instance's pages in its own order, looked up before the clock starts. */
	for (uint64_t i = 0; i < b->pages; i++)
		if (host_vepc_fault(b->v, i, &b->pa[i]))
			bench_die("host_vepc_fault", (long long)i, NULL);
	hw_cpu_set_addr_space(b->kcpu, NULL);
	t0 = bench_now();
	for (uint64_t i = 0; i < b->pages; i++) {
		r = hw_eremove(b->kcpu, b->pa[i]);
		if (r && r != SGX_CHILD_PRESENT)
			bench_die("EREMOVE", r, NULL);
	}
	for (uint64_t i = 0; i < b->pages; i++)
		if (hw_eremove(b->kcpu, b->pa[i]))
			bench_die("EREMOVE in the second pass", (long long)i, NULL);
	return bench_now() - t0;
}

/* The protocol on one instance: a call, and a second one for the SECS pages the first left. */
static double bench_remove_all(struct bench *b)
{
	double t0 = bench_now();
	int64_t r = host_vepc_remove_all(b->v, b->kcpu, NULL);

	if (r > 0)
		r = host_vepc_remove_all(b->v, b->kcpu, NULL);
	if (r)
		bench_die("host_vepc_remove_all", r, NULL);
	return bench_now() - t0;
}

static double bench_release(struct bench *b)
{
	double t0 = bench_now();

	host_vepc_release(b->v, b->kcpu);
	b->v = NULL;
	return bench_now() - t0;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

static void report(const char *what, double t, double floor, uint64_t pages)
{
	printf("vepc %-12s %8.1f ns/page  %7.3f s  ratio to EPCM pass %5.2f\n", what,
	       t / (double)pages * 1e9, t, t / floor);
}

int main(int argc, char **argv)
{
	struct bench b = { 0 };
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	double t_boot, t_fault = 1e30, t_build = 1e30, t_rm = 1e30, t_rel = 1e30, t_floor = 1e30;
	double t_leaves = 1e30;
	struct host_epc_stats st;
	uint64_t valid = 0;

	bench_name = "bench-vepc";
	b.pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 262144;
	b.per_encl = argc > 3 ? strtoull(argv[3], NULL, 0) : 256;
	if (b.pages < 2 || b.per_encl < 2 || (b.per_encl & (b.per_encl - 1)) || rounds < 1)
		bench_die("arguments (PAGES >= 2, ROUNDS >= 1, ENCLAVE_PAGES a power of two >= 2)",
			  0, NULL);
	t_boot = bench_setup(&b);
	for (int r = 0; r < rounds; r++) {
		bench_open(&b);
		t_fault = best(t_fault, bench_fault_in(&b));
		t_build = best(t_build, bench_build(&b));
		t_floor = best(t_floor, bench_epcm_pass(&b, &valid));
		if (valid != b.pages)
			bench_die("pages holding enclave state", (long long)valid, NULL);
		t_rm = best(t_rm, bench_remove_all(&b));
		bench_build(&b);
		t_leaves = best(t_leaves, bench_eremove_pass(&b));
		bench_build(&b);
		t_rel = best(t_rel, bench_release(&b));
	}
	host_stats(b.h, &st);
	if (st.free != b.pages)
		bench_die("pages back after release", (long long)st.free, NULL);
	printf("vepc: %llu pages (%llu MiB), enclaves of %llu pages, best of %d; host metadata "
	       "%d B/page\n",
	       (unsigned long long)b.pages, (unsigned long long)(b.pages >> 8),
	       (unsigned long long)b.per_encl, rounds, HOST_EPC_PAGE_BYTES);
	report("epcm-pass", t_floor, t_floor, b.pages);
	report("eremove-pass", t_leaves, t_floor, b.pages);
	report("fault-in", t_fault, t_floor, b.pages);
	report("remove-all", t_rm, t_floor, b.pages);
	report("release", t_rel, t_floor, b.pages);
	report("build", t_build, t_floor, b.pages);
	report("boot-sanitize", t_boot, t_floor, b.pages);
	printf("vepc remove-all / eremove-pass %.2f (host layer over its leaves)\n",
	       t_rm / t_leaves);
	host_destroy(b.h);
	hw_processor_destroy(b.p);
	free(b.pi);
	free(b.si);
	free(b.secs);
	free(b.zero);
	free(b.pa);
	return 0;
}
