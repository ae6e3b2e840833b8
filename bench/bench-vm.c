/* SPDX-License-Identifier: MIT */
#include "bench-vm.h"

#include <stdio.h>

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
