/* SPDX-License-Identifier: MIT */
#include "bench-vm.h"

struct vmm *bench_vmm_new(uint64_t epc_mib)
{
	struct hw_desc d;
	struct vmm *m;
	char why[256];
	int r;

	hw_desc_init_default(&d);
	d.sections[0].base = 1ULL << 40;
	d.sections[0].size = epc_mib << 20;
	r = vmm_create(&d, &m, why, sizeof(why));
	if (r)
		bench_die("vmm_create", r, why);
	return m;
}

struct guest *bench_vm_boot(struct vmm_vm *vm)
{
	struct guest *g;
	char why[256];
	int r;

	r = guest_boot(vm, &g, why, sizeof(why));
	if (r)
		bench_die("guest_boot", r, why);
	return g;
}

void bench_vm_free(struct vmm_vm *vm, struct guest *g)
{
	guest_free(g);
	vmm_vm_destroy(vm, NULL);
}
