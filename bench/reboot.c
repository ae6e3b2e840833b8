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
 *
 * usage: bench-reboot [EPC_MIB] [CYCLES]    (defaults: 4096 MiB, 20 cycles)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/vmm.h"

#include "bench-util.h"

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
		memset(secs, 0, sizeof(*secs));
		secs->base = 0x7f0000000000ULL;
		secs->size = ENCL_PAGES * SGX_PAGE_SIZE;
		secs->ssa_frame_size = 1;
		secs->attributes.flags = SGX_ATTR_MODE64BIT;
		secs->attributes.xfrm = SGX_XFRM_LEGACY;
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

/* 1. The reset of a populated VM, and remove-all on an equal host instance. */
static void bench_reset(struct vmm *m, uint64_t epc_mib)
{
	uint64_t pages = epc_mib << 8;
	struct vmm_vm *vm = bench_vm_new(m, "big", epc_mib, "512M");
	struct builder gb = { vcpu_encls, vmm_vm_vcpu(vm, 0), vmm_vm_ram(vm, OPS, 0x3000), OPS,
			      vmm_vm_layout(vm)->sections[0].base };
	struct hw_cpu *cpu = vmm_host_cpu(m);
	struct builder hb = { cpu_encls, cpu, aligned_alloc(SGX_PAGE_SIZE, 0x3000), 0, FLOOR_BASE };
	struct host_vepc *v;
	struct host_vas vas;
	struct hw_addr_space as;
	struct vmm_epc_reset rep;
	double t_vm, t_floor, t0;
	int64_t left;

	populate(&gb, pages);
	t0 = bench_now();
	if (vmm_vm_reset(vm, false, &rep))
		bench_die("vmm_vm_reset", rep.result, vmm_vm_error(vm));
	t_vm = bench_now() - t0;

	if (host_vepc_open(vmm_host(m), 0, NULL, &v) || host_vepc_map(v, pages))
		bench_die("host vEPC", 0, NULL);
	host_vas_init(&vas);
	host_vas_add(&vas, v, FLOOR_BASE);
	host_vas_addr_space(&vas, &as);
	hb.ops_la = (uintptr_t)hb.ops;
	hw_cpu_set_addr_space(cpu, &as);
	populate(&hb, pages);
	t0 = bench_now();
	left = host_vepc_remove_all(v, cpu, NULL);
	if (left > 0)
		left = host_vepc_remove_all(v, cpu, NULL);
	t_floor = bench_now() - t0;
	if (left)
		bench_die("host_vepc_remove_all", (long long)left, NULL);
	host_vepc_release(v, cpu);
	vmm_vm_destroy(vm, NULL);
	free(hb.ops);

	printf("reboot: reset of a VM with %llu MiB of populated EPC (%llu pages)\n",
	       (unsigned long long)epc_mib, (unsigned long long)pages);
	printf("reboot: host remove-all floor  %8.1f ms  %6.1f ns/page\n", t_floor * 1e3,
	       t_floor / (double)pages * 1e9);
	printf("reboot: VM reset (2-pass)      %8.1f ms  %6.1f ns/page\n", t_vm * 1e3,
	       t_vm / (double)pages * 1e9);
	printf("reboot: reset ratio %.3f (floor / reset; 1.0 = no cost beyond the ioctl)\n",
	       t_floor / t_vm);
}

/* One 64 MiB VM: created, booted (sanitizing all its EPC), torn down. */
static void cycle_vm(struct vmm *m)
{
	struct vmm_vm *vm = bench_vm_new(m, "small", SMALL_MIB, "512M");
	struct guest *g;
	char why[256];
	int r;

	r = guest_boot(vm, &g, why, sizeof(why));
	if (r)
		bench_die("guest_boot", r, why);
	guest_free(g);
	vmm_vm_destroy(vm, NULL);
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
	struct hw_desc d;
	struct vmm *m;
	char why[256];

	bench_name = "bench-reboot";
	if (!epc_mib || epc_mib > (1 << 20) || !cycles) {
		fprintf(stderr, "usage: bench-reboot [EPC_MIB] [CYCLES]\n");
		return 2;
	}
	/* One node with room for the VM and for the floor's instance beside it. */
	hw_desc_init_default(&d);
	d.sections[0].base = 1ULL << 40;
	d.sections[0].size = (2 * epc_mib + 2 * SMALL_MIB) << 20;
	if (vmm_create(&d, &m, why, sizeof(why)))
		bench_die("vmm_create", 0, why);
	bench_reset(m, epc_mib);
	bench_cycles(m, cycles);
	vmm_destroy(m);
	return 0;
}
