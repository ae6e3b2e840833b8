/* SPDX-License-Identifier: MIT */
/*
 * bench/bench-vm: the VMMs, VMs and guests the benchmarks build, made and
 * torn down one way (what needs no VMM is in bench-util.h). Every helper
 * dies (bench_die()) when the model refuses: a benchmark that cannot build
 * what it measures has nothing to report.
 */
#ifndef VSGX_BENCH_VM_H
#define VSGX_BENCH_VM_H

#include <stdint.h>

#include "vsgx/guest.h"
#include "vsgx/vmm.h"

#include "bench-util.h"

/* A VMM on one node of (epc_mib) MiB of EPC, at 1 TiB. */
struct vmm *bench_vmm_new(uint64_t epc_mib);

/*
 * A VM of (epc_mib) MiB of EPC on host node 0 and (ram) of RAM ("64M"), from
 * the QEMU options -m RAM -object memory-backend-epc -M sgx-epc.0.* -cpu host.
 */
struct vmm_vm *bench_vm_new(struct vmm *m, const char *name, uint64_t epc_mib, const char *ram);

/* Boot a guest kernel in (vm); it sanitizes the VM's EPC. */
struct guest *bench_vm_boot(struct vmm_vm *vm);

/* Free the guest (NULL: none) and destroy the VM. */
void bench_vm_free(struct vmm_vm *vm, struct guest *g);

#endif /* VSGX_BENCH_VM_H */
