/* SPDX-License-Identifier: MIT */
/*
 * The host machine: the processor, the SGX driver on it, and its VMs. The
 * hypervisor's own ENCLS (driver calls for resets and teardown) run on
 * logical CPU 0; vCPUs run on the others, so a guest thread inside an
 * enclave never stands in the way of the host, except on a one-CPU host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm-int.h"
#include "vsgx/vmm-cpuid.h"

/*
 * Power-on writes no metadata of a page nobody uses, but VMs that take all
 * of the EPC make the model hold an EPCM entry and a host entry (a vEPC
 * table slot) for every page: refuse EPC this machine has not the memory
 * for up front, rather than die of ENOMEM or the OOM killer part way.
 */
static int machine_memory_check(const struct hw_desc *d, char *why, size_t why_len)
{
	uint64_t pages = 0, need, have;
	long phys = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	for (unsigned int i = 0; i < d->nr_sections; i++)
		pages += d->sections[i].size / SGX_PAGE_SIZE;
	need = pages * (HOST_EPC_PAGE_BYTES + HW_EPCM_ENTRY_BYTES);
	if (phys <= 0 || psize <= 0)
		return 0;
	have = (uint64_t)phys * (uint64_t)psize;
	if (need <= have)
		return 0;
	return vmm_why(why, why_len, -ENOMEM,
		       "%llu GiB of EPC (%llu pages) needs %llu MiB of this machine's memory "
		       "for the model's metadata (%u bytes a page); it has %llu MiB: give "
		       "smaller epc= sizes",
		       (unsigned long long)(pages >> 18), (unsigned long long)pages,
		       (unsigned long long)(need >> 20), HOST_EPC_PAGE_BYTES + HW_EPCM_ENTRY_BYTES,
		       (unsigned long long)(have >> 20));
}

int vmm_create(const struct hw_desc *desc, struct vmm **ret, char *why, size_t why_len)
{
	struct vmm *m;
	int r;

	r = hw_desc_check(desc, why, why_len);
	if (!r)
		r = machine_memory_check(desc, why, why_len);
	if (r)
		return r;
	m = calloc(1, sizeof(*m));
	if (!m)
		return vmm_why(why, why_len, -ENOMEM, "out of memory for the host machine");
	r = hw_processor_create(desc, &m->proc);
	if (r) {
		vmm_why(why, why_len, r, "the processor model cannot be powered on: %s",
			strerror(-r));
		goto err_free;
	}
	r = host_create(m->proc, hw_processor_cpu(m->proc, 0), &m->host);
	if (r) {
		vmm_why(why, why_len, r, "the host SGX driver did not start: %s", strerror(-r));
		goto err_power_off;
	}
	m->host_lc = vm_cpuid_host_features(m->proc) & VM_CPU(VM_CPU_SGXLC);
	*ret = m;
	return 0;

err_power_off:
	hw_processor_destroy(m->proc);
err_free:
	free(m);
	return r;
}

void vmm_destroy(struct vmm *m)
{
	if (!m)
		return;
	while (m->nr_vms)
		vmm_vm_destroy(m->vms[m->nr_vms - 1], NULL);
	free(m->vms);
	host_destroy(m->host);
	hw_processor_destroy(m->proc);
	free(m);
}

void vmm_set_vcpu_threads(struct vmm *m, bool on)
{
	m->vcpu_threads = on;
}

struct hw_processor *vmm_processor(struct vmm *m)
{
	return m->proc;
}

struct host *vmm_host(struct vmm *m)
{
	return m->host;
}

struct hw_cpu *vmm_host_cpu(struct vmm *m)
{
	struct vmm_vcpu *owner = m->cpu_owner[0];

	/* Only on a one-CPU host can a vCPU be there: it takes an interrupt first. */
	if (owner && owner->inside)
		vmm_vcpu_kick(owner);
	m->cpu_owner[0] = NULL;
	return hw_processor_cpu(m->proc, 0);
}

struct vmm_vm *vmm_vm_find(struct vmm *m, const char *name)
{
	for (unsigned int i = 0; i < m->nr_vms; i++) {
		if (!strcmp(m->vms[i]->name, name))
			return m->vms[i];
	}
	return NULL;
}

unsigned int vmm_nr_vms(const struct vmm *m)
{
	return m->nr_vms;
}

struct vmm_vm *vmm_vm_at(struct vmm *m, unsigned int index)
{
	return index < m->nr_vms ? m->vms[index] : NULL;
}

void vmm_forget_vcpus(struct vmm *m, struct vmm_vm *vm)
{
	for (unsigned int c = 0; c < HW_MAX_CPUS; c++) {
		if (m->cpu_owner[c] && m->cpu_owner[c]->vm == vm)
			m->cpu_owner[c] = NULL;
	}
}
