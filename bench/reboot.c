/* SPDX-License-Identifier: MIT */
/*
 * bench/reboot: what SGX costs a VM's lifecycle, against the host driver's
 * floor measured in the same run.
 *
 *  1. Reset of a VM holding EPC_MIB of populated EPC (every page holding
 *     enclave state, built by the guest through its vCPU): vmm_vm_reset(),
 *     which stops the vCPUs and runs the two-pass remove-all protocol,
 *     against host_vepc_remove_all() on a host instance of the same size
 *     populated the same way, called as the protocol calls it (again when
 *     it answered nonzero): the ioctls the reset cannot do without.
 *  2. Create, boot and destroy cycles of 64 MiB VMs: vmm_vm_create(),
 *     guest_boot() (the guest sanitizes, so every page is faulted in and
 *     EREMOVEd), guest_free() and vmm_vm_destroy(), against the host work
 *     each cycle needs at least: open, map, fault in and EREMOVE every page
 *     (remove-all), release.
 *  3. S3 and wake (vmm_vm_sleep(3), vmm_vm_wake()) and migration
 *     (vmm_vm_migrate(), then the source destroyed) of a VM whose EPC is
 *     populated, ROUNDS times at EPC_MIB and CYCLES times at 64 MiB (per
 *     page and per VM), against the leaves alone: one EREMOVE per page of an
 *     equal host instance populated the same way, issued straight at the
 *     physical addresses, children before their SECS (for migration, plus
 *     a copy of the RAM the guest wrote).
 *
 * usage: bench-reboot [EPC_MIB] [CYCLES] [ROUNDS]  (defaults: 4096 MiB, 20 cycles, 5 rounds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/vmm.h"

#include "bench-util.h"
#include "bench-vm.h"

#define ENCL_PAGES 1024		     /* 4 MiB enclaves */
#define OPS	   0x100000ULL	     /* guest-physical operand scratch */
#define FLOOR_BASE 0x200000000000ULL /* where the floor instance is mapped */
#define SMALL_MIB  64

/* An enclave builder over any ENCLS: a guest vCPU or a host CPU. */
struct builder {
	int (*encls)(void *opaque, struct hw_regs *regs);
	void *opaque;
	uint8_t *ops;	 /* host view of the operand scratch */
	uint64_t ops_la; /* the same in the builder's address space */
	uint64_t epc_la; /* first EPC page in the builder's address space */
};

static int vcpu_encls(void *opaque, struct hw_regs *regs)
{
	return vmm_vcpu_encls(opaque, regs);
}

static int cpu_encls(void *opaque, struct hw_regs *regs)
{
	return hw_encls(opaque, regs);
}

static int leaf(struct builder *b, unsigned int l, uint64_t rbx, uint64_t rcx)
{
	struct hw_regs regs = { .rax = l, .rbx = rbx, .rcx = rcx };

	return b->encls(b->opaque, &regs);
}

/* Fill (pages) EPC pages with enclaves of ENCL_PAGES, SECS first, zero pages after. */
static void populate(struct builder *b, uint64_t pages)
{
	struct sgx_pageinfo *pi = (void *)b->ops;
	struct sgx_secinfo *si = (void *)(b->ops + 0x40);
	struct sgx_secs *secs = (void *)(b->ops + 0x1000);

	memset(b->ops + 0x2000, 0, SGX_PAGE_SIZE);
	for (uint64_t first = 0; first < pages; first += ENCL_PAGES) {
		uint64_t secs_la = b->epc_la + first * SGX_PAGE_SIZE;

		memset(pi, 0, sizeof(*pi));
		memset(si, 0, sizeof(*si));
		bench_secs_init(secs, 0x7f0000000000ULL, ENCL_PAGES * SGX_PAGE_SIZE);
		si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
		pi->srcpge = b->ops_la + 0x1000;
		pi->secinfo = b->ops_la + 0x40;
		if (leaf(b, SGX_ECREATE, b->ops_la, secs_la))
			bench_die("ECREATE", (long long)first, NULL);
		si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
		pi->srcpge = b->ops_la + 0x2000;
		pi->secs = secs_la;
		for (uint64_t i = 1; i < ENCL_PAGES && first + i < pages; i++) {
			pi->linaddr = secs->base + (i - 1) * SGX_PAGE_SIZE;
			if (leaf(b, SGX_EADD, b->ops_la, secs_la + i * SGX_PAGE_SIZE))
				bench_die("EADD", (long long)(first + i), NULL);
		}
	}
}

/* A host vEPC instance as large as a VM's EPC, mapped at FLOOR_BASE for the host CPU. */
struct floor {
	struct host_vepc *v;
	struct host_vas vas;
	struct hw_addr_space as;
	struct builder b;
	struct hw_cpu *cpu;
	uint64_t pages;
	uint64_t *pa; /* each page's physical address, looked up before a clock starts */
};

static void floor_open(struct vmm *m, uint64_t pages, struct floor *f)
{
	memset(f, 0, sizeof(*f));
	f->cpu = vmm_host_cpu(m);
	f->pages = pages;
	f->pa = calloc(pages, sizeof(*f->pa));
	f->b = (struct builder){ cpu_encls, f->cpu, aligned_alloc(SGX_PAGE_SIZE, 0x3000), 0,
				 FLOOR_BASE };
	if (!f->pa || !f->b.ops || host_vepc_open(vmm_host(m), 0, NULL, &f->v) ||
	    host_vepc_map(f->v, pages))
		bench_die("host vEPC", 0, NULL);
	f->b.ops_la = (uintptr_t)f->b.ops;
	host_vas_init(&f->vas);
	host_vas_add(&f->vas, f->v, FLOOR_BASE);
	host_vas_addr_space(&f->vas, &f->as);
}

/* Fill the instance as a guest fills its EPC, through the host CPU. */
static void floor_populate(struct floor *f)
{
	hw_cpu_set_addr_space(f->cpu, &f->as);
	populate(&f->b, f->pages);
}

static void floor_close(struct floor *f)
{
	host_vepc_release(f->v, f->cpu);
	hw_cpu_set_addr_space(f->cpu, NULL);
	free(f->b.ops);
	free(f->pa);
}

/*
 * The leaves alone: one EREMOVE per page, issued straight at its physical
 * address on the host CPU with no host or VMM layer, each enclave's children
 * first and then its SECS, so no leaf fails and none is repeated: the least
 * any way of emptying these pages can issue. Return: seconds.
 */
static double floor_eremove(struct floor *f)
{
	double t0;

	for (uint64_t i = 0; i < f->pages; i++)
		if (host_vepc_fault(f->v, i, &f->pa[i]))
			bench_die("host_vepc_fault", (long long)i, NULL);
	hw_cpu_set_addr_space(f->cpu, NULL);
	t0 = bench_now();
	for (uint64_t first = 0; first < f->pages; first += ENCL_PAGES) {
		for (uint64_t i = first + 1; i < first + ENCL_PAGES && i < f->pages; i++)
			if (hw_eremove(f->cpu, f->pa[i]))
				bench_die("EREMOVE", (long long)i, NULL);
		if (hw_eremove(f->cpu, f->pa[first]))
			bench_die("EREMOVE of a SECS", (long long)first, NULL);
	}
	return bench_now() - t0;
}

/* The builder of a VM's EPC: its first vCPU, operands in its RAM at OPS. */
static struct builder vm_builder(struct vmm_vm *vm)
{
	return (struct builder){ vcpu_encls, vmm_vm_vcpu(vm, 0), vmm_vm_ram(vm, OPS, 0x3000), OPS,
				 vmm_vm_layout(vm)->sections[0].base };
}

/* 1. The reset of a populated VM, and remove-all on an equal host instance. */
static void bench_reset(struct vmm *m, uint64_t epc_mib)
{
	uint64_t pages = epc_mib << 8;
	struct vmm_vm *vm = bench_vm_new(m, "big", epc_mib, "512M");
	struct builder gb = vm_builder(vm);
	struct vmm_epc_reset rep;
	struct floor f;
	double t_vm, t_floor, t0;
	int64_t left;

	populate(&gb, pages);
	t0 = bench_now();
	if (vmm_vm_reset(vm, false, &rep))
		bench_die("vmm_vm_reset", rep.result, vmm_vm_error(vm));
	t_vm = bench_now() - t0;

	floor_open(m, pages, &f);
	floor_populate(&f);
	t0 = bench_now();
	left = host_vepc_remove_all(f.v, f.cpu, NULL);
	if (left > 0)
		left = host_vepc_remove_all(f.v, f.cpu, NULL);
	t_floor = bench_now() - t0;
	if (left)
		bench_die("host_vepc_remove_all", (long long)left, NULL);
	floor_close(&f);
	vmm_vm_destroy(vm, NULL);

	printf("reboot: reset of a VM with %llu MiB of populated EPC (%llu pages)\n",
	       (unsigned long long)epc_mib, (unsigned long long)pages);
	printf("reboot: host remove-all floor  %8.1f ms  %6.1f ns/page\n", t_floor * 1e3,
	       t_floor / (double)pages * 1e9);
	printf("reboot: VM reset (2-pass)      %8.1f ms  %6.1f ns/page\n", t_vm * 1e3,
	       t_vm / (double)pages * 1e9);
	printf("reboot: reset ratio %.3f (floor / reset; 1.0 = no cost beyond the ioctl)\n",
	       t_floor / t_vm);
}

/* S3 and wake of a populated VM: its EPC goes the reset's way. Return: seconds. */
static double s3_round(struct vmm_vm **vm, uint64_t pages)
{
	struct builder gb = vm_builder(*vm);
	struct vmm_epc_reset rep;
	double t0;
	int r;

	populate(&gb, pages);
	t0 = bench_now();
	r = vmm_vm_sleep(*vm, 3, &rep);
	if (!r)
		r = vmm_vm_wake(*vm);
	t0 = bench_now() - t0;
	if (r || vmm_vm_state(*vm) != VMM_VM_RUNNING)
		bench_die("S3 and wake", r, vmm_vm_error(*vm));
	return t0;
}

/*
 * Migration of a populated VM to a new one on the same host, and the
 * source's destruction, which frees its EPC (the contents cannot move).
 * The new VM is the next round's source. Return: seconds.
 */
static double migrate_round(struct vmm_vm **vm, uint64_t pages)
{
	struct builder gb = vm_builder(*vm);
	const char *name = strcmp(vmm_vm_name(*vm), "a") ? "a" : "b";
	struct vmm_vm *dst;
	char why[256];
	double t0;
	int r;

	populate(&gb, pages);
	t0 = bench_now();
	r = vmm_vm_migrate(*vm, name, &dst, why, sizeof(why));
	if (r)
		bench_die("vmm_vm_migrate", r, why);
	vmm_vm_destroy(*vm, NULL);
	t0 = bench_now() - t0;
	*vm = dst;
	return t0;
}

/*
 * The floor of a migration: the source's EPC emptied by the leaves alone
 * (as for S3), and the bytes the guest wrote to its RAM (the builder's three
 * operand pages) copied once. Everything else a migration does (the new
 * VM, its vEPC instance, freeing the source's pages) is the model's cost.
 */
static double migrate_floor(struct floor *f, uint8_t *ram_copy)
{
	double t = floor_eremove(f), t0 = bench_now();

	memcpy(ram_copy, f->b.ops, 0x3000);
	__asm__ volatile("" : : "r"(ram_copy) : "memory");
	return t + bench_now() - t0;
}

/*
 * 3. S3 + wake and migration of a VM holding (epc_mib) of populated EPC,
 * (rounds) times each, each round against its floor in the same run.
 */
static void bench_sleep_migrate(struct vmm *m, uint64_t epc_mib, unsigned int rounds)
{
	uint64_t pages = epc_mib << 8;
	double *t = calloc(5 * rounds, sizeof(*t)), *fs = t + rounds, *tm = fs + rounds,
	       *fm = tm + rounds, *ratio = fm + rounds;
	uint8_t *ram_copy = aligned_alloc(SGX_PAGE_SIZE, 0x3000);
	struct vmm_vm *vm = bench_vm_new(m, "a", epc_mib, "512M");
	struct floor f;

	if (!t || !ram_copy)
		bench_die("calloc", 0, NULL);
	floor_open(m, pages, &f);
	for (unsigned int r = 0; r < rounds; r++) {
		t[r] = s3_round(&vm, pages);
		floor_populate(&f);
		fs[r] = floor_eremove(&f);
		tm[r] = migrate_round(&vm, pages);
		floor_populate(&f);
		fm[r] = migrate_floor(&f, ram_copy);
	}
	floor_close(&f);
	vmm_vm_destroy(vm, NULL);
	printf("reboot: a VM with %llu MiB of populated EPC (%llu pages), %u rounds\n",
	       (unsigned long long)epc_mib, (unsigned long long)pages, rounds);
	for (unsigned int k = 0; k < 2; k++) {
		double *model = k ? tm : t, *floor = k ? fm : fs;

		double mbest, mmed, fbest, fmed, rworst, rmed;

		for (unsigned int r = 0; r < rounds; r++)
			ratio[r] = floor[r] / model[r];
		bench_best_median(model, rounds, &mbest, &mmed);
		bench_best_median(floor, rounds, &fbest, &fmed);
		bench_best_median(ratio, rounds, &rworst, &rmed);
		printf("reboot: %-8s per VM best %9.3f ms median %9.3f ms; per page best %7.1f ns "
		       "median %7.1f ns\n",
		       k ? "migrate" : "S3+wake", mbest * 1e3, mmed * 1e3,
		       mbest / (double)pages * 1e9, mmed / (double)pages * 1e9);
		printf("reboot: %-8s floor  best %9.3f ms median %9.3f ms; per page best %7.1f ns "
		       "median %7.1f ns\n",
		       k ? "migrate" : "S3+wake", fbest * 1e3, fmed * 1e3,
		       fbest / (double)pages * 1e9, fmed / (double)pages * 1e9);
		printf(
		    "reboot: %-8s ratio (floor / model) best-to-best %.3f, median of rounds %.3f\n",
		    k ? "migrate" : "S3+wake", fbest / mbest, rmed);
	}
	free(t);
	free(ram_copy);
}

/* One 64 MiB VM: created, booted (sanitizing all its EPC), torn down. */
static void cycle_vm(struct vmm *m)
{
	struct vmm_vm *vm = bench_vm_new(m, "small", SMALL_MIB, "512M");

	bench_vm_free(vm, bench_vm_boot(vm));
}

/* The host's share of a cycle: open, map, fault everything in, remove-all, release. */
static void cycle_floor(struct vmm *m)
{
	uint64_t pages = SMALL_MIB << 8, pa;
	struct hw_cpu *cpu = vmm_host_cpu(m);
	struct host_vepc *v;

	if (host_vepc_open(vmm_host(m), 0, NULL, &v) || host_vepc_map(v, pages))
		bench_die("host vEPC", 0, NULL);
	for (uint64_t i = 0; i < pages; i++)
		if (host_vepc_fault(v, i, &pa))
			bench_die("host_vepc_fault", (long long)i, NULL);
	if (host_vepc_remove_all(v, cpu, NULL))
		bench_die("host_vepc_remove_all", 0, NULL);
	host_vepc_release(v, cpu);
}

static double timed(void (*fn)(struct vmm *), struct vmm *m, unsigned int n)
{
	double t0 = bench_now();

	for (unsigned int i = 0; i < n; i++)
		fn(m);
	return bench_now() - t0;
}

static void bench_cycles(struct vmm *m, unsigned int cycles)
{
	double t_floor = timed(cycle_floor, m, cycles);
	double t_vm = timed(cycle_vm, m, cycles);

	printf("reboot: %u create-boot-destroy cycles of %d MiB VMs\n", cycles, SMALL_MIB);
	printf("reboot: host floor             %8.1f cycles/s  %6.2f ms/cycle\n", cycles / t_floor,
	       t_floor / cycles * 1e3);
	printf("reboot: VM create-boot-destroy %8.1f cycles/s  %6.2f ms/cycle\n", cycles / t_vm,
	       t_vm / cycles * 1e3);
	printf("reboot: cycle ratio %.3f (floor / cycle)\n", t_floor / t_vm);
}

int main(int argc, char **argv)
{
	uint64_t epc_mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 4096;
	unsigned int cycles = argc > 2 ? (unsigned int)atoi(argv[2]) : 20;
	unsigned int rounds = argc > 3 ? (unsigned int)atoi(argv[3]) : 5;
	struct vmm *m;

	bench_name = "bench-reboot";
	if (!epc_mib || epc_mib > (1 << 20) || !cycles || !rounds || rounds > 1000) {
		fprintf(stderr, "usage: bench-reboot [EPC_MIB] [CYCLES] [ROUNDS]\n");
		return 2;
	}
	/* One node with room for a migration's two VMs and the floor's instance beside them. */
	m = bench_vmm_new(3 * (epc_mib + SMALL_MIB));
	bench_reset(m, epc_mib);
	bench_cycles(m, cycles);
	bench_sleep_migrate(m, epc_mib, rounds);
	bench_sleep_migrate(m, SMALL_MIB, cycles);
	vmm_destroy(m);
	return 0;
}
