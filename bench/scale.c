/* SPDX-License-Identifier: MIT */
/*
 * bench/scale: whether per-VM and per-page costs stay flat as the counts
 * grow, each against the plainest way to do the same work, in the same run.
 *
 *  1. VMs: create N VMs of 1 MiB of EPC and boot their guests (each guest
 *     sanitizes its EPC: every page is faulted in and EREMOVEd), then
 *     destroy them all, for N = 1, 16, 128 and 1024. Floor: the host's own
 *     work for the same pages, N times: a vEPC instance opened, mapped,
 *     every page faulted in and removed (remove-all), released.
 *  2. Guest eviction: a guest evicts E pages of one enclave (EBLOCK, ETRACK,
 *     EWB into its RAM) for E = 1k, 8k and 64k. Floor: AES-128-GCM of the
 *     same number of pages, the work EWB cannot do without.
 *
 * Each figure is the cost per VM or per page, best and median of ROUNDS
 * rounds, with its ratio to the floor and to the smallest count (a flat
 * cost stays near 1.0 there).
 *
 * usage: bench-scale [MAX_VMS] [MAX_EVICT] [ROUNDS]   (defaults 1024, 65536, 3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/crypto.h"
#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/vmm.h"

#include "bench-util.h"
#include "bench-vm.h"

#define ROUNDS_MAX 16
#define VM_EPC_MIB 1
#define VM_PAGES   (VM_EPC_MIB * 256)

/* N VMs created and booted, then destroyed: seconds per VM. */
static double vms_round(struct vmm *m, unsigned int n)
{
	struct vmm_vm **vms = calloc(n, sizeof(*vms));
	struct guest **gs = calloc(n, sizeof(*gs));
	char name[32];
	double t0;

	if (!vms || !gs)
		bench_die("calloc", 0, NULL);
	t0 = bench_now();
	for (unsigned int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "v%u", i);
		vms[i] = bench_vm_new(m, name, VM_EPC_MIB, "64M");
		gs[i] = bench_vm_boot(vms[i]);
	}
	for (unsigned int i = 0; i < n; i++)
		bench_vm_free(vms[i], gs[i]);
	t0 = bench_now() - t0;
	free(vms);
	free(gs);
	return t0 / n;
}

/* The host's own work for N such VMs' pages: seconds per VM. */
static double vms_floor_round(struct vmm *m, unsigned int n)
{
	struct hw_cpu *cpu = vmm_host_cpu(m);
	double t0 = bench_now();
	uint64_t pa;

	for (unsigned int i = 0; i < n; i++) {
		struct host_vepc *v;

		if (host_vepc_open(vmm_host(m), 0, NULL, &v) || host_vepc_map(v, VM_PAGES))
			bench_die("host vEPC", i, NULL);
		for (uint64_t p = 0; p < VM_PAGES; p++)
			if (host_vepc_fault(v, p, &pa))
				bench_die("host_vepc_fault", (long long)p, NULL);
		if (host_vepc_remove_all(v, cpu, NULL))
			bench_die("host_vepc_remove_all", i, NULL);
		host_vepc_release(v, cpu);
	}
	return (bench_now() - t0) / n;
}

static void bench_vms(struct vmm *m, unsigned int max, unsigned int rounds)
{
	double base = 0;

	printf("scale: VMs of %d MiB of EPC, created and booted, then destroyed (per VM)\n",
	       VM_EPC_MIB);
	printf("scale: %6s %12s %12s %12s %10s %10s\n", "VMs", "best us", "median us", "floor us",
	       "/floor", "/first");
	for (unsigned int n = 1; n <= max; n = n == 1 ? 16 : n * 8) {
		double t[ROUNDS_MAX], f[ROUNDS_MAX], best, med, fbest, fmed;

		for (unsigned int r = 0; r < rounds; r++) {
			t[r] = vms_round(m, n);
			f[r] = vms_floor_round(m, n);
		}
		bench_best_median(t, rounds, &best, &med);
		bench_best_median(f, rounds, &fbest, &fmed);
		if (!base)
			base = best;
		printf("scale: %6u %12.1f %12.1f %12.1f %10.2f %10.2f\n", n, best * 1e6, med * 1e6,
		       fbest * 1e6, best / fbest, best / base);
	}
}

/* A guest that evicts (pages) pages of one enclave: seconds per page. */
static double evict_round(struct vmm *m, const struct crypto_rsa_key *key, uint64_t pages)
{
	uint64_t epc_mib = (pages + 2048) / 256 + 1;
	struct vmm_vm *vm = bench_vm_new(m, "ev", epc_mib, "1G");
	struct guest_stats st;
	struct guest *g = bench_vm_boot(vm);
	char why[256];
	double t0;
	int r;

	r = guest_enclave_build(g, "e", pages + 16, 1, key, NULL, why, sizeof(why));
	if (r)
		bench_die("guest build", r, why);
	t0 = bench_now();
	r = guest_enclave_evict(g, "e", pages, why, sizeof(why));
	t0 = bench_now() - t0;
	if (r)
		bench_die("guest_enclave_evict", r, why);
	guest_stats(g, &st);
	if (st.evicted != pages)
		bench_die("evicted page count", (long long)st.evicted, NULL);
	bench_vm_free(vm, g);
	return t0 / (double)pages;
}

/* AES-128-GCM of (pages) pages, as EWB encrypts them: seconds per page. */
static double evict_floor_round(uint64_t pages)
{
	static const uint8_t key[CRYPTO_AES128_KEY_LEN] = { 1 };
	uint8_t *src = aligned_alloc(4096, 4096), *dst = aligned_alloc(4096, 4096);
	uint8_t iv[CRYPTO_GCM_IV_LEN] = { 0 }, tag[CRYPTO_GCM_TAG_LEN], aad[128] = { 0 };
	struct crypto_gcm *g = crypto_gcm_new();
	double t0;

	if (!src || !dst || !g || crypto_gcm_set_key(g, key))
		bench_die("crypto", 0, NULL);
	memset(src, 0x5a, 4096);
	t0 = bench_now();
	for (uint64_t p = 0; p < pages; p++) {
		memcpy(iv, &p, sizeof(p));
		if (crypto_gcm_seal(g, iv, aad, sizeof(aad), src, 4096, dst, tag))
			bench_die("crypto_gcm_seal", (long long)p, NULL);
	}
	t0 = bench_now() - t0;
	crypto_gcm_free(g);
	free(src);
	free(dst);
	return t0 / (double)pages;
}

static void bench_evict(struct vmm *m, uint64_t max, unsigned int rounds)
{
	struct crypto_rsa_key *key;
	char why[256];
	double base = 0;

	if (crypto_rsa_key_load(VSGX_VECTORS_DIR "/sign_key.pem", &key, why, sizeof(why)))
		bench_die("the signing key", 0, why);
	printf("scale: a guest evicting E pages of one enclave (per page)\n");
	printf("scale: %6s %12s %12s %12s %10s %10s\n", "E", "best us", "median us", "floor us",
	       "/floor", "/first");
	for (uint64_t e = 1024; e <= max; e *= 8) {
		double t[ROUNDS_MAX], f[ROUNDS_MAX], best, med, fbest, fmed;

		for (unsigned int r = 0; r < rounds; r++) {
			t[r] = evict_round(m, key, e);
			f[r] = evict_floor_round(e);
		}
		bench_best_median(t, rounds, &best, &med);
		bench_best_median(f, rounds, &fbest, &fmed);
		if (!base)
			base = best;
		printf("scale: %6llu %12.2f %12.2f %12.2f %10.2f %10.2f\n", (unsigned long long)e,
		       best * 1e6, med * 1e6, fbest * 1e6, best / fbest, best / base);
	}
	crypto_rsa_key_free(key);
}

int main(int argc, char **argv)
{
	unsigned int max_vms = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 1024;
	uint64_t max_evict = argc > 2 ? strtoull(argv[2], NULL, 0) : 65536;
	unsigned int rounds = argc > 3 ? (unsigned int)atoi(argv[3]) : 3;
	struct vmm *m;

	bench_name = "bench-scale";
	if (!max_vms || max_vms > 65536 || max_evict < 1024 || max_evict > (1u << 22) || !rounds ||
	    rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: bench-scale [MAX_VMS] [MAX_EVICT] [ROUNDS]\n");
		return 2;
	}
	/* One node with room for every VM at once, or for the largest evicting guest. */
	m = bench_vmm_new((uint64_t)max_vms * VM_EPC_MIB + (max_evict + 4096) / 256 + 64);
	bench_vms(m, max_vms, rounds);
	bench_evict(m, max_evict, rounds);
	vmm_destroy(m);
	return 0;
}
