// SPDX-License-Identifier: MIT
/*
 * The hypervisor's vCPUs and VMs without a guest OS: ENCLS issued straight
 * from guest memory, KVM's ECREATE checks against the guest's CPUID, the
 * guest's LE hash reaching the processor at EINIT, faults injected into the
 * guest, vEPC faults on first touch, and the lifecycle's states.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vsgx/host.h"
#include "vsgx/vmm.h"
#include "vm-ram.h"

#define OPS	 0x100000ULL /* guest-physical scratch for operands */
#define PAGEINFO OPS
#define SECINFO	 (OPS + 0x40)
#define SECS_IMG (OPS + 0x1000)
#define SRC_PAGE (OPS + 0x2000)

struct vfix {
	struct vmm *m;
	struct vmm_vm *vm;
	char why[512];
};

static struct vmm_vm *vm_from(struct vfix *f, const char *name, int argc, char *const *argv)
{
	struct vm_config cfg;
	struct vmm_vm *vm;

	if (vm_config_parse_qemu(vmm_processor(f->m), argc, argv, &cfg, f->why, sizeof(f->why)))
		fail_msg("config: %s", f->why);
	if (vmm_vm_create(f->m, name, &cfg, &vm, f->why, sizeof(f->why)))
		fail_msg("create: %s", f->why);
	return vm;
}

static struct vmm_vm *vm_default(struct vfix *f, const char *cpu)
{
	char *argv[] = { "-m",	    "256M",
			 "-smp",    "2",
			 "-object", "memory-backend-epc,id=m0,size=4M",
			 "-M",	    "sgx-epc.0.memdev=m0,sgx-epc.0.node=0",
			 "-cpu",    (char *)cpu,
			 NULL };

	return vm_from(f, "vm1", 10, argv);
}

static int setup(void **state)
{
	struct vfix *f = calloc(1, sizeof(*f));
	struct hw_desc d;

	assert_non_null(f);
	vm_host_default(&d);
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct vfix *f = *state;

	vmm_destroy(f->m);
	free(f);
	return 0;
}

#define VTEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Lay out ECREATE's operands in guest RAM for a SECS of (size), (flags), (xfrm), (misc). */
static void ecreate_ops(struct vmm_vm *vm, uint64_t size, uint64_t flags, uint64_t xfrm,
			uint32_t misc)
{
	struct sgx_pageinfo *pi = vmt_ram(vm, PAGEINFO, sizeof(*pi));
	struct sgx_secinfo *si = vmt_ram(vm, SECINFO, sizeof(*si));
	struct sgx_secs *secs = vmt_ram(vm, SECS_IMG, sizeof(*secs));

	memset(pi, 0, sizeof(*pi));
	memset(si, 0, sizeof(*si));
	memset(secs, 0, sizeof(*secs));
	si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	pi->srcpge = SECS_IMG;
	pi->secinfo = SECINFO;
	secs->base = 0x7f0000000000ULL;
	secs->size = size;
	secs->ssa_frame_size = 1;
	secs->attributes.flags = flags;
	secs->attributes.xfrm = xfrm;
	secs->miscselect = misc;
}

static int encls(struct vmm_vm *vm, unsigned int vcpu, unsigned int leaf, uint64_t rbx,
		 uint64_t rcx)
{
	struct hw_regs regs = { .rax = leaf, .rbx = rbx, .rcx = rcx };

	return vmm_vcpu_encls(vmm_vm_vcpu(vm, vcpu), &regs);
}

static int ecreate(struct vmm_vm *vm, uint64_t epc_page)
{
	return encls(vm, 0, SGX_ECREATE, PAGEINFO, vmt_epc_gpa(vm, epc_page));
}

static void assert_injected(struct vmm_vm *vm, unsigned int vcpu, int r, uint8_t vector)
{
	assert_int_equal(r, HW_FAULT(vector));
	assert_int_equal(vmm_vcpu_fault(vmm_vm_vcpu(vm, vcpu))->vector, vector);
}

static void test_ecreate_faults_in_epc(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host");
	struct vmm_vm_stats st;
	uint64_t on[HW_MAX_NODES];

	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 3), SGX_SUCCESS);
	vmm_vm_stats(vm, &st);
	assert_int_equal(st.epc_configured, 1024);
	assert_int_equal(st.epc_held, 1);
	assert_int_equal(st.epc_faults, 1);
	/* Its one section is on host node 0, where its page came from. */
	vmm_vm_epc_per_node(vm, on);
	assert_int_equal(on[0], 1);
	assert_int_equal(on[1], 0);
	/* The same page again: the EPCM refuses, a #PF with the SGX bit for the guest. */
	assert_injected(vm, 0, ecreate(vm, 3), X86_TRAP_PF);
	assert_int_equal(vmm_vcpu_fault(vmm_vm_vcpu(vm, 0))->addr, vmt_epc_gpa(vm, 3));
	assert_int_equal(vmm_vcpu_fault(vmm_vm_vcpu(vm, 0))->error_code,
			 X86_PF_PROT | X86_PF_WRITE | X86_PF_SGX);
	vmm_vm_stats(vm, &st);
	assert_int_equal(st.injected_pf, 1);
}

static void test_ecreate_checked_against_guest_cpuid(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host,-sgx-exinfo,-sgx-kss,-sgx-provisionkey");
	struct vmm_vm_stats st;

	/* PROVISIONKEY without provisioning allowed. */
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY, SGX_XFRM_LEGACY, 0);
	assert_injected(vm, 0, ecreate(vm, 0), X86_TRAP_GP);
	/* MISCSELECT.EXINFO the guest's CPUID does not offer. */
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, SGX_MISC_EXINFO);
	assert_injected(vm, 0, ecreate(vm, 0), X86_TRAP_GP);
	/* KSS was removed from the guest. */
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT | SGX_ATTR_KSS, SGX_XFRM_LEGACY, 0);
	assert_injected(vm, 0, ecreate(vm, 0), X86_TRAP_GP);
	/* XFRM without SSE. */
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, 1, 0);
	assert_injected(vm, 0, ecreate(vm, 0), X86_TRAP_GP);
	/* 2^36 bytes: beyond the maximum 64-bit enclave size. */
	ecreate_ops(vm, 1ULL << 36, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_injected(vm, 0, ecreate(vm, 0), X86_TRAP_GP);
	vmm_vm_stats(vm, &st);
	assert_int_equal(st.ecreate_refused, 5);
	assert_int_equal(st.injected_gp, 5);
	/* Refused before the processor ran: no EPC was touched. */
	assert_int_equal(st.epc_held, 0);
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 0), SGX_SUCCESS);
}

static void test_provisioning_allowed(void **state)
{
	struct vfix *f = *state;
	char *argv[] = { "-m",	    "256M",
			 "-object", "memory-backend-epc,id=m0,size=4M",
			 "-M",	    "sgx-epc.0.memdev=m0,sgx-epc.0.node=0",
			 "-cpu",    "host,+sgx-provisionkey",
			 NULL };
	struct vmm_vm *vm = vm_from(f, "vm1", 8, argv);

	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 0), SGX_SUCCESS);
}

static void test_guest_without_sgx2_or_sgx(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host,-sgx2");
	struct hw_regs regs = { .rax = SGX_EACCEPT };

	/* As KVM: a leaf the guest's CPUID lacks is #UD (the SDM's part would #GP). */
	assert_injected(vm, 0, encls(vm, 0, SGX_EAUG, PAGEINFO, vmt_epc_gpa(vm, 0)), X86_TRAP_UD);
	/* Leaves KVM never enables, even where the host part has them. */
	assert_injected(vm, 0, encls(vm, 0, SGX_ERDINFO, 0, 0), X86_TRAP_UD);
	assert_injected(vm, 0, encls(vm, 0, 0x20, 0, 0), X86_TRAP_UD);
	vmm_vm_destroy(vm, NULL);
	vm = vm_default(f, "host,-sgx");
	assert_injected(vm, 0, encls(vm, 0, SGX_EREMOVE, 0, 0), X86_TRAP_UD);
	assert_injected(vm, 1, vmm_vcpu_enclu(vmm_vm_vcpu(vm, 1), &regs), X86_TRAP_UD);
}

static void test_guest_msrs(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host");
	struct vmm_vcpu *v0 = vmm_vm_vcpu(vm, 0);
	uint64_t fc, h;

	assert_int_equal(vmm_vcpu_rdmsr(v0, MSR_IA32_FEATURE_CONTROL, &fc), 0);
	assert_int_equal(fc, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
	/* Locked by the guest's firmware. */
	assert_injected(vm, 0, vmm_vcpu_wrmsr(v0, MSR_IA32_FEATURE_CONTROL, 0), X86_TRAP_GP);
	assert_int_equal(vmm_vcpu_wrmsr(v0, MSR_IA32_SGXLEPUBKEYHASH0, 0x1234), 0);
	assert_int_equal(vmm_vcpu_rdmsr(v0, MSR_IA32_SGXLEPUBKEYHASH0, &h), 0);
	assert_int_equal(h, 0x1234);
	/* Per vCPU: vCPU 1 still has Intel's hash. */
	assert_int_equal(vmm_vcpu_rdmsr(vmm_vm_vcpu(vm, 1), MSR_IA32_SGXLEPUBKEYHASH0, &h), 0);
	assert_int_equal(h, 0xa6053e051270b7acULL);
}

/* EINIT carries the vCPU's LE hash to the processor (the result does not matter here). */
static void test_einit_loads_guest_lehash(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host");
	struct vmm_vcpu *v1 = vmm_vm_vcpu(vm, 1);
	struct hw_cpu *cpu;
	uint64_t h;
	int r;

	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 0), SGX_SUCCESS);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(
		    vmm_vcpu_wrmsr(v1, MSR_IA32_SGXLEPUBKEYHASH0 + i, 0x1111 * (i + 1)), 0);
	memset(vmt_ram(vm, SRC_PAGE, SGX_PAGE_SIZE), 0, SGX_PAGE_SIZE);
	r = encls(vm, 1, SGX_EINIT, SRC_PAGE, vmt_epc_gpa(vm, 0));
	assert_int_equal(r, SGX_INVALID_SIG_STRUCT);
	cpu = hw_processor_cpu(vmm_processor(f->m), 2); /* vCPU 1 of the first VM */
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(hw_msr_read(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, &h), 0);
		assert_int_equal(h, 0x1111 * (i + 1));
	}
}

/*
 * A guest without SGX_LC on an SGX_LC host: its EINIT still loads its vCPU's
 * hash (Intel's), not what another VM or the host left in the MSRs.
 */
static void test_einit_without_guest_lc_loads_intel_hash(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host,-sgxlc");
	struct hw_cpu *cpu = hw_processor_cpu(vmm_processor(f->m), 2); /* its vCPU 1 */
	static const uint64_t intel[4] = { SGX_LEPUBKEYHASH_INTEL0, SGX_LEPUBKEYHASH_INTEL1,
					   SGX_LEPUBKEYHASH_INTEL2, SGX_LEPUBKEYHASH_INTEL3 };
	uint64_t h;

	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(hw_msr_write(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, 0x7777), 0);
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 0), SGX_SUCCESS);
	memset(vmt_ram(vm, SRC_PAGE, SGX_PAGE_SIZE), 0, SGX_PAGE_SIZE);
	assert_int_equal(encls(vm, 1, SGX_EINIT, SRC_PAGE, vmt_epc_gpa(vm, 0)),
			 SGX_INVALID_SIG_STRUCT);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(hw_msr_read(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, &h), 0);
		assert_int_equal(h, intel[i]);
	}
}

static void test_lifecycle_states(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host");
	struct vmm_epc_reset rep;

	assert_string_equal(vmm_vm_state_name(vmm_vm_state(vm)), "running");
	assert_int_equal(vmm_vm_pause(vm), 0);
	assert_int_equal(encls(vm, 0, SGX_EREMOVE, 0, vmt_epc_gpa(vm, 0)), -EAGAIN);
	assert_int_equal(vmm_vm_pause(vm), -EINVAL);
	assert_int_equal(vmm_vm_resume(vm), 0);
	assert_int_equal(vmm_vm_sleep(vm, 2, &rep), -EINVAL);
	assert_int_equal(vmm_vm_sleep(vm, 5, &rep), 0);
	assert_string_equal(vmm_vm_state_name(vmm_vm_state(vm)), "off");
	assert_int_equal(vmm_vm_wake(vm), -EINVAL);
	assert_int_equal(vmm_vm_reset(vm, false, &rep), -EINVAL);
	assert_int_equal(vmm_vm_power_on(vm), 0);
	assert_int_equal(vmm_vm_sleep(vm, 3, &rep), 0);
	assert_string_equal(vmm_vm_state_name(vmm_vm_state(vm)), "suspended");
	assert_int_equal(vmm_vm_wake(vm), 0);
	assert_int_equal(vmm_vm_reset(vm, false, &rep), 0);
	assert_int_equal(rep.result, 0);
	/* A paused VM stays paused through a reset. */
	assert_int_equal(vmm_vm_pause(vm), 0);
	assert_int_equal(vmm_vm_reset(vm, false, &rep), 0);
	assert_string_equal(vmm_vm_state_name(vmm_vm_state(vm)), "paused");
	assert_int_equal(vmm_vm_resume(vm), 0);
	assert_string_equal(vmm_vm_state_name(vmm_vm_state(vm)), "running");
}

/* The seed's case: a SECS in one section and its children in the other. */
/*
 * A VM with two 4 MiB sections and an enclave split across them: its SECS
 * at page (secs_sec) of one section, one child page in the other.
 */
static struct vmm_vm *vm_split(struct vfix *f, unsigned int secs_sec)
{
	char *argv[] = {
		"-m",
		"256M",
		"-object",
		"memory-backend-epc,id=m0,size=4M",
		"-object",
		"memory-backend-epc,id=m1,size=4M",
		"-M",
		"sgx-epc.0.memdev=m0,sgx-epc.0.node=0,sgx-epc.1.memdev=m1,sgx-epc.1.node=0",
		"-cpu",
		"host",
		NULL
	};
	struct vmm_vm *vm = vm_from(f, "vm1", 10, argv);
	uint64_t secs = vmm_vm_layout(vm)->sections[secs_sec].base;
	uint64_t child = vmm_vm_layout(vm)->sections[!secs_sec].base;
	struct sgx_pageinfo *pi;
	struct sgx_secinfo *si;

	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(encls(vm, 0, SGX_ECREATE, PAGEINFO, secs), SGX_SUCCESS);
	pi = vmt_ram(vm, PAGEINFO, sizeof(*pi));
	si = vmt_ram(vm, SECINFO, sizeof(*si));
	memset(pi, 0, sizeof(*pi));
	memset(si, 0, sizeof(*si));
	si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R;
	pi->srcpge = SRC_PAGE;
	pi->secinfo = SECINFO;
	pi->secs = secs;
	pi->linaddr = 0x7f0000000000ULL;
	assert_int_equal(encls(vm, 0, SGX_EADD, PAGEINFO, child), SGX_SUCCESS);
	return vm;
}

static void test_reset_two_passes_across_sections(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_split(f, 0);
	struct vmm_epc_reset rep;

	assert_int_equal(vmm_vm_reset(vm, false, &rep), 0);
	assert_int_equal(rep.first[0], 1);
	assert_int_equal(rep.first[1], 0);
	assert_true(rep.retried[0]);
	assert_false(rep.retried[1]);
	assert_int_equal(rep.second[0], 0);
	/* The guest's EPC is clean: ECREATE on the same page works again. */
	ecreate_ops(vm, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 0), SGX_SUCCESS);
}

/* Destroy closes section 0 first: a SECS there waits as a zombie for its child in section 1. */
static void test_destroy_zombie_until_children_go(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_split(f, 0);
	struct vmm_vm_teardown td;
	struct host_epc_stats st;

	vmm_vm_destroy(vm, &td);
	assert_int_equal(td.pages, 2);
	assert_int_equal(td.zombies, 1);
	assert_int_equal(td.zombies_left, 0);
	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.zombie, 0);
	assert_int_equal(st.free, st.total);
	assert_int_equal(vmm_nr_vms(f->m), 0);
}

/* With the SECS in the later section its child goes first, and nothing waits. */
static void test_destroy_no_zombie(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm_teardown td = { .pages = 99, .zombies = 99, .zombies_left = 99 };

	vmm_vm_destroy(vm_split(f, 1), &td);
	assert_int_equal(td.pages, 2);
	assert_int_equal(td.zombies, 0);
	assert_int_equal(td.zombies_left, 0);
	/* NULL is a no-op that reports nothing given back. */
	td.pages = 99;
	vmm_vm_destroy(NULL, &td);
	assert_int_equal(td.pages, 0);
}

static void test_vm_names_and_ram(void **state)
{
	struct vfix *f = *state;
	struct vmm_vm *vm = vm_default(f, "host");
	struct vm_config cfg = *vmm_vm_config(vm);
	struct vmm_vm *other;

	assert_int_equal(vmm_vm_create(f->m, "vm1", &cfg, &other, f->why, sizeof(f->why)), -EEXIST);
	assert_string_equal(f->why, "a VM named 'vm1' exists already; destroy it or pick another "
				    "name");
	assert_ptr_equal(vmm_vm_find(f->m, "vm1"), vm);
	assert_int_equal(vmm_nr_vms(f->m), 1);
	assert_non_null(vmm_vm_ram(vm, 0, SGX_PAGE_SIZE));
	assert_null(vmm_vm_ram(vm, 256ULL << 20, 1));
	assert_null(vmm_vm_ram(vm, (256ULL << 20) - 1, 2));
	assert_null(vmm_vm_ram(vm, vmt_epc_gpa(vm, 0), 1));
}

/*
 * A new host of (nr_cpus) CPUs and (epc_pages) of EPC in (f), its vCPUs on
 * threads or not, with a host enclave holding (held) pages of 0x5a: the
 * SECS, the pages and their VA pages come out of the EPC.
 */
static struct host_encl *host_with_enclave(struct vfix *f, unsigned int nr_cpus, uint64_t epc_pages,
					   bool threads, uint64_t held)
{
	uint8_t *page = aligned_alloc(SGX_PAGE_SIZE, held * SGX_PAGE_SIZE);
	struct hw_desc d;
	struct host_encl *e;
	struct sgx_secs secs;

	assert_non_null(page);
	vmm_destroy(f->m);
	vm_host_default(&d);
	d.nr_cpus = nr_cpus;
	d.nr_sections = 1;
	d.sections[0].size = epc_pages * SGX_PAGE_SIZE;
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	vmm_set_vcpu_threads(f->m, threads);
	memset(page, 0x5a, held * SGX_PAGE_SIZE);
	memset(&secs, 0, sizeof(secs));
	secs.base = 0x7f0000000000ULL;
	secs.size = epc_pages * SGX_PAGE_SIZE;
	secs.ssa_frame_size = 1;
	secs.attributes.flags = SGX_ATTR_MODE64BIT;
	secs.attributes.xfrm = SGX_XFRM_LEGACY;
	assert_int_equal(
	    host_encl_create(vmm_host(f->m), vmm_host_cpu(f->m), NULL, &secs, &e, NULL), 0);
	assert_int_equal(host_encl_add_pages(e, vmm_host_cpu(f->m), 0, page, held * SGX_PAGE_SIZE,
					     SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R, false,
					     NULL),
			 0);
	free(page);
	return e;
}

/*
 * Guest EPC is never reclaimed, host enclaves' EPC is: a VM's first touches
 * make the host write back host-enclave pages rather than fail, on a host of
 * (nr_cpus) CPUs; the reclaimer runs on the vCPU's own CPU once its leaf is
 * out (one CPU: CPU 0, the host's too).
 */
static void faults_reclaim_host_enclaves(struct vfix *f, unsigned int nr_cpus)
{
	struct host_encl *e = host_with_enclave(f, nr_cpus, 512, false, 300);
	struct host_encl_info info;
	struct host_epc_stats st;
	struct vmm_vm *vm;
	struct vmm_vm_stats vst;

	/* A 1 MiB VM touches all 256 of its pages. */
	vm = vm_from(f, "vm1", 8,
		     (char *[]){ "-m", "128M", "-object", "memory-backend-epc,id=m0,size=1M", "-M",
				 "sgx-epc.0.memdev=m0,sgx-epc.0.node=0", "-cpu", "host", NULL });
	for (uint64_t i = 0; i < 256; i++)
		assert_int_equal(encls(vm, 0, SGX_EREMOVE, 0, vmt_epc_gpa(vm, i)), SGX_SUCCESS);
	vmm_vm_stats(vm, &vst);
	assert_int_equal(vst.epc_held, 256);
	/* Three faults were told to retry (EAGAIN); each time the host wrote back a batch of 16. */
	assert_int_equal(vst.epc_fault_failures, 3);
	assert_int_equal(vmm_vm_state(vm), VMM_VM_RUNNING);
	host_encl_query(e, &info);
	assert_int_equal(info.evicted, 48);
	assert_int_equal(info.resident + info.evicted, 300);
	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.free + st.used + st.zombie + st.bad, 512);
	host_encl_destroy(e, vmm_host_cpu(f->m));
}

static void test_vm_faults_reclaim_host_enclaves(void **state)
{
	faults_reclaim_host_enclaves(*state, 4);
}

/* The vCPU on CPU 0, the host's: the same counts. */
static void test_vm_faults_reclaim_host_enclaves_cpu0(void **state)
{
	faults_reclaim_host_enclaves(*state, 1);
}

/* One VM's first touches of all its (pages) EPC pages, on its vCPU 0, from a thread of its own. */
struct toucher {
	struct vmm_vm *vm;
	uint64_t pages;
	uint64_t failed; /* leaves that did not return SGX_SUCCESS */
};

static void *toucher_main(void *arg)
{
	struct toucher *t = arg;

	for (uint64_t i = 0; i < t->pages; i++)
		if (encls(t->vm, 0, SGX_EREMOVE, 0, vmt_epc_gpa(t->vm, i)) != SGX_SUCCESS)
			t->failed++;
	return NULL;
}

/*
 * Two VMs' vCPUs, each on its own thread and its own logical CPU (1 and 2),
 * touch their EPC at the same time while a host enclave holds most of it:
 * both are told to retry at once and both run the host's reclaimer. Each
 * thread acts only as its own vCPU's CPU (before, both ran the reclaimer on
 * CPU 0 at once, which ThreadSanitizer reports). Which touch finds the EPC
 * empty depends on the interleaving; what does not: every page is held,
 * every retry wrote back one batch of 16, and no page is lost.
 */
static void test_vm_faults_reclaim_concurrently(void **state)
{
	struct vfix *f = *state;
	struct host_encl *e = host_with_enclave(f, 3, 1024, true, 900);
	struct toucher t[2];
	pthread_t tid[2];
	struct host_encl_info info;
	struct host_epc_stats st0, st;
	struct vmm_vm_stats vst;
	uint64_t retries = 0;

	host_stats(vmm_host(f->m), &st0);
	/* The SECS, 900 pages and two VA pages: 121 free for two VMs of 256 pages. */
	assert_int_equal(st0.free, 121);
	for (unsigned int i = 0; i < 2; i++) {
		char name[8];

		snprintf(name, sizeof(name), "vm%u", i + 1);
		t[i] = (struct toucher){ .pages = 256 };
		t[i].vm = vm_from(
		    f, name, 8,
		    (char *[]){ "-m", "128M", "-object", "memory-backend-epc,id=m0,size=1M", "-M",
				"sgx-epc.0.memdev=m0,sgx-epc.0.node=0", "-cpu", "host", NULL });
	}
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, toucher_main, &t[i]), 0);
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(t[i].failed, 0);
		assert_int_equal(vmm_vm_state(t[i].vm), VMM_VM_RUNNING);
		vmm_vm_stats(t[i].vm, &vst);
		assert_int_equal(vst.epc_held, 256);
		retries += vst.epc_fault_failures;
	}
	/* 512 - 121 pages had to be written back: at least 25 batches. */
	assert_true(retries >= 25);
	host_encl_query(e, &info);
	assert_int_equal(info.evicted, 16 * retries);
	assert_int_equal(info.resident + info.evicted, 900);
	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.free, 121 + 16 * retries - 512);
	/* A retry comes only when no page is free: two at once leave less than two batches. */
	assert_true(st.free < 32);
	assert_int_equal(st.free + st.used + st.zombie + st.bad, 1024);
	host_encl_destroy(e, vmm_host_cpu(f->m));
}

/* Which host thread walked each vCPU's page tables last. */
struct walk_seen {
	pthread_t thread[2];
	unsigned int walks[2];
};

struct walk_ctx {
	struct walk_seen *seen;
	unsigned int vcpu;
};

static int walk_identity(void *opaque, uint64_t la, uint64_t *gpa)
{
	struct walk_ctx *w = opaque;

	w->seen->thread[w->vcpu] = pthread_self();
	w->seen->walks[w->vcpu]++;
	*gpa = la;
	return 0;
}

/*
 * vmm_set_vcpu_threads(): each vCPU's leaves run on a host thread of its
 * own (its page walk runs there, as a TLB fill does), with the results the
 * caller would get without threads; stops and resets reach every thread;
 * destroy joins them.
 */
static void test_vcpu_threads(void **state)
{
	struct vfix *f = *state;
	struct walk_seen seen = { 0 };
	struct walk_ctx ctx[2] = { { &seen, 0 }, { &seen, 1 } };
	struct vmm_vm_teardown td;
	struct vmm_epc_reset rep;
	struct vmm_vm *vm;
	uint64_t v;
	int r;

	vmm_set_vcpu_threads(f->m, true);
	vm = vm_default(f, "host");
	for (unsigned int i = 0; i < 2; i++) {
		struct vmm_guest_pt pt = { walk_identity, &ctx[i] };

		vmm_vcpu_set_page_tables(vmm_vm_vcpu(vm, i), &pt);
	}
	ecreate_ops(vm, 0x4000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY, 0);
	assert_int_equal(ecreate(vm, 0), 0);
	assert_int_equal(seen.walks[1], 0);
	assert_int_not_equal(seen.walks[0], 0);
	assert_false(pthread_equal(seen.thread[0], pthread_self()));
	/* The same leaf on vCPU 1 gives the same fault as without threads, from its own thread. */
	r = encls(vm, 1, SGX_ECREATE, PAGEINFO, vmt_epc_gpa(vm, 0));
	assert_injected(vm, 1, r, X86_TRAP_PF);
	assert_int_not_equal(seen.walks[1], 0);
	assert_false(pthread_equal(seen.thread[1], pthread_self()));
	assert_false(pthread_equal(seen.thread[1], seen.thread[0]));
	/* MSRs go through the thread too. */
	assert_int_equal(vmm_vcpu_rdmsr(vmm_vm_vcpu(vm, 1), MSR_IA32_FEATURE_CONTROL, &v), 0);
	assert_int_equal(vmm_vcpu_wrmsr(vmm_vm_vcpu(vm, 1), MSR_IA32_FEATURE_CONTROL, v),
			 HW_FAULT(X86_TRAP_GP));
	assert_int_equal(vmm_vm_pause(vm), 0);
	assert_int_equal(vmm_vm_resume(vm), 0);
	assert_int_equal(vmm_vm_reset(vm, false, &rep), 0);
	assert_int_equal(rep.result, 0);
	assert_int_equal(encls(vm, 0, SGX_EREMOVE, 0, vmt_epc_gpa(vm, 0)), 0);
	vmm_vm_destroy(vm, &td);
	assert_int_equal(td.zombies, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		VTEST(test_ecreate_faults_in_epc),
		VTEST(test_ecreate_checked_against_guest_cpuid),
		VTEST(test_provisioning_allowed),
		VTEST(test_guest_without_sgx2_or_sgx),
		VTEST(test_guest_msrs),
		VTEST(test_einit_loads_guest_lehash),
		VTEST(test_einit_without_guest_lc_loads_intel_hash),
		VTEST(test_lifecycle_states),
		VTEST(test_reset_two_passes_across_sections),
		VTEST(test_destroy_zombie_until_children_go),
		VTEST(test_destroy_no_zombie),
		VTEST(test_vm_names_and_ram),
		VTEST(test_vm_faults_reclaim_host_enclaves),
		VTEST(test_vm_faults_reclaim_host_enclaves_cpu0),
		VTEST(test_vm_faults_reclaim_concurrently),
		VTEST(test_vcpu_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
