/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the VM config readers: any bytes, read as an xl
 * config, as QEMU options (split as a shell would), as libvirt XML, as
 * cloud-hypervisor options, through the reader that tells them apart (plain
 * and --strict) and as a host description, must be refused with reasons or
 * accepted as a config that lays out, answers CPUID and is created as a VM
 * on a host (its vEPC sections opened, preallocated when it asks, its vCPUs
 * made) and destroyed again, giving back every EPC page; never crash, never
 * leak.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/host.h"
#include "vsgx/vmm-config.h"
#include "vsgx/vmm-cpuid.h"
#include "vsgx/vmm-layout.h"
#include "vsgx/vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A host like the default one (two nodes, SGX2, flexible launch control)
 * with 2 x 32 MiB of EPC, powered on once: a preallocated VM costs a run
 * at most 16384 vEPC faults and as many EREMOVEs. Every VM leaves it as it
 * was.
 */
static struct vmm *fuzz_machine(void)
{
	static struct vmm *m;
	struct hw_desc d;
	char why[256];

	if (!m && (vm_host_parse("epc=32M@0 epc=32M@1 cpus=4 sgx2=1 flc=1", &d, why, sizeof(why)) ||
		   vmm_create(&d, &m, why, sizeof(why))))
		abort();
	return m;
}

static struct hw_processor *fuzz_host(void)
{
	return vmm_processor(fuzz_machine());
}

/* Create the VM on the host and destroy it: every EPC page it took comes back. */
static void fuzz_create(const struct vm_config *vm)
{
	struct vmm *m = fuzz_machine();
	struct host_epc_stats before, after;
	struct vmm_vm_teardown td;
	struct vmm_vm *v;
	char why[512];

	host_stats(vmm_host(m), &before);
	why[0] = '\0';
	if (vmm_vm_create(m, "fuzz", vm, &v, why, sizeof(why))) {
		if (!why[0])
			abort(); /* every refusal says why */
	} else {
		if (vmm_vm_nr_vcpus(v) != vm->vcpus)
			abort();
		vmm_vm_destroy(v, &td);
	}
	host_stats(vmm_host(m), &after);
	if (after.used != before.used || after.free != before.free || vmm_nr_vms(m))
		abort();
}

/* Every refusal says why, in a terminated, nonempty message. */
static void fuzz_check_why(int r, const char *why, size_t len)
{
	if (r == -EINVAL && (!memchr(why, '\0', len) || !why[0]))
		abort();
}

static void fuzz_use(struct hw_processor *host, const struct vm_config *vm)
{
	struct vm_layout l;
	struct hw_cpuid_regs regs;
	char why[512];

	if (vm->nr_sections > VM_MAX_SECTIONS || vm_config_epc_size(vm) > 64ULL << 20)
		abort(); /* the host has 64 MiB of EPC */
	why[0] = '\0';
	if (vm_layout_build(vm, &l, why, sizeof(why))) {
		fuzz_check_why(-EINVAL, why, sizeof(why));
		return;
	}
	for (uint32_t sub = 0; sub < 2 + VM_MAX_SECTIONS + 1; sub++)
		vm_cpuid(host, vm, &l, SGX_CPUID, sub, &regs);
	fuzz_create(vm);
}

static void fuzz_xl(struct hw_processor *host, const char *text)
{
	struct vm_config vm;
	char why[512];
	int r;

	why[0] = '\0';
	r = vm_config_parse_xl(host, text, &vm, why, sizeof(why));
	fuzz_check_why(r, why, sizeof(why));
	if (!r)
		fuzz_use(host, &vm);
}

static void fuzz_qemu(struct hw_processor *host, const char *text)
{
	struct vm_config vm;
	char why[512], **argv;
	int argc, r;

	if (vm_args_split(text, &argc, &argv))
		return;
	why[0] = '\0';
	r = vm_config_parse_qemu(host, argc, argv, &vm, why, sizeof(why));
	vm_args_free(argv);
	fuzz_check_why(r, why, sizeof(why));
	if (!r)
		fuzz_use(host, &vm);
}

/* Every error is a nonempty line, and the counts add up. */
static void fuzz_check_diags(int r, const struct vm_diags *d)
{
	unsigned int total = 0;

	for (unsigned int i = 0; i < d->nr; i++)
		if (!d->items[i].text[0] || !memchr(d->items[i].text, '\0', VM_DIAG_LEN))
			abort();
	for (int k = 0; k < VM_DIAG_KIND_MAX; k++)
		total += d->count[k];
	if (total < d->nr || (r == -EINVAL) != (d->count[VM_DIAG_ERROR] > 0))
		abort();
}

static void fuzz_read(struct hw_processor *host, const char *text, bool strict)
{
	struct vm_config vm;
	struct vm_diags d;
	int r;

	vm_diags_init(&d, strict);
	r = vm_config_read(host, text, &vm, &d);
	fuzz_check_diags(r, &d);
	if (!r)
		fuzz_use(host, &vm);
	vm_diags_init(&d, false);
	r = vm_config_read_libvirt(host, text, &vm, &d);
	fuzz_check_diags(r, &d);
	if (!r)
		fuzz_use(host, &vm);
}

static void fuzz_chv(struct hw_processor *host, const char *text)
{
	struct vm_config vm;
	struct vm_diags d;
	char **argv;
	int argc, r;

	if (vm_args_split(text, &argc, &argv))
		return;
	vm_diags_init(&d, false);
	r = vm_config_read_chv(host, argc, argv, &vm, &d);
	vm_args_free(argv);
	fuzz_check_diags(r, &d);
	if (!r)
		fuzz_use(host, &vm);
}

static void fuzz_hostdesc(const char *text)
{
	struct hw_desc d;
	char why[256];
	int r;

	why[0] = '\0';
	r = vm_host_parse(text, &d, why, sizeof(why));
	fuzz_check_why(r, why, sizeof(why));
	if (!r && hw_desc_check(&d, NULL, 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_processor *host = fuzz_host();
	char *text = malloc(size + 1);

	if (!text || !size)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_xl(host, text);
	fuzz_qemu(host, text);
	fuzz_chv(host, text);
	fuzz_read(host, text, data[0] & 1);
	fuzz_hostdesc(text);
out:
	free(text);
	return 0;
}
