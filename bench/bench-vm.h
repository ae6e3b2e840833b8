/* SPDX-License-Identifier: MIT */
/*
 * bench/bench-vm: the VMs the benchmarks build, made and torn down one way.
 * Every helper dies (exit 1, with the reason) when the model refuses: a
 * benchmark that cannot build what it measures has nothing to report.
 */
#ifndef VSGX_BENCH_VM_H
#define VSGX_BENCH_VM_H

#include <stdint.h>

#include "vsgx/guest.h"
#include "vsgx/vmm.h"

/* A VMM on one node of (epc_mib) MiB of EPC, at 1 TiB. */
struct vmm *bench_vmm_new(uint64_t epc_mib);

/*
 * A VM as `-m RAM -cpu host` with one EPC section of (epc_mib) MiB on node
 * 0; (ram) as QEMU's -m spells it ("64M", "1G").
 */
struct vmm_vm *bench_vm_new(struct vmm *m, const char *name, uint64_t epc_mib, const char *ram);

/* Boot a guest kernel in (vm); it sanitizes the VM's EPC. */
struct guest *bench_vm_boot(struct vmm_vm *vm);

/* Free the guest (NULL: none) and destroy the VM. */
void bench_vm_free(struct vmm_vm *vm, struct guest *g);

#endif /* VSGX_BENCH_VM_H */
