// SPDX-License-Identifier: MIT
/*
 * Oversubscription by trapping ENCLS (src/vmm/oversub-trap.c), on a host
 * without the EPC Oversubscription Extensions: the guest's leaves on frames
 * the VMM holds give what they give on a host with enough EPC (a SECS whose
 * children the VMM holds still has children for EREMOVE and EWB; EREMOVE,
 * EBLOCK and EWB of a held child reload it first), the VMM never writes back
 * a SECS with resident children, and the counts are exact. The whole
 * workload runs end to end in examples/oversubscribe-trap.vsgx.
 */
#include <errno.h>
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
#define SECINFO	 (OPS + 0x80)
#define PCMD	 (OPS + 0x100)
#define SECS_IMG (OPS + 0x1000)
#define SRC_PAGE (OPS + 0x2000)
#define ENCL	 0x7f0000000000ULL

struct tfix {
	struct vmm *m;
	struct vmm_vm *vm;
	char why[512];
};

/* 16 MiB of host EPC, no extensions; a VM with 8 MiB of EPC (2048 frames), 1 MiB resident. */
static int setup(void **state)
{
	const char *xl = "name = \"a\"\ntype = \"hvm\"\nmemory = 256\nvcpus = 2\nepc = 8\n"
			 "epc_max = 1\nepc_oversub = \"trap\"\n";
	struct tfix *f = calloc(1, sizeof(*f));
	struct vm_config cfg;
	struct hw_desc d;

	assert_non_null(f);
	assert_int_equal(vm_host_parse("epc=16M@0 cpus=4 oversub=0", &d, f->why, sizeof(f->why)),
			 0);
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	assert_int_equal(vm_config_parse_xl(vmm_processor(f->m), xl, &cfg, f->why, sizeof(f->why)),
			 0);
	assert_int_equal(cfg.epc_policy, VM_EPC_OVERSUBSCRIBE);
	assert_int_equal(cfg.epc_oversub, VM_OVERSUB_TRAP);
	assert_int_equal(vmm_vm_create(f->m, "a", &cfg, &f->vm, f->why, sizeof(f->why)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct tfix *f = *state;
	struct host_epc_stats st;

	vmm_vm_destroy(f->vm, NULL);
	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.free, st.total);
	vmm_destroy(f->m);
	free(f);
	return 0;
}

static int encls(struct vmm_vm *vm, unsigned int leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx)
{
	struct hw_regs regs = { .rax = leaf, .rbx = rbx, .rcx = rcx, .rdx = rdx };

	return vmm_vcpu_encls(vmm_vm_vcpu(vm, 0), &regs);
}

/* PAGEINFO with (secinfo) at SECINFO or PCMD, in guest RAM. */
static struct sgx_pageinfo *pageinfo(struct vmm_vm *vm, uint64_t secinfo, uint64_t secs)
{
	struct sgx_pageinfo *pi = vmt_ram(vm, PAGEINFO, sizeof(*pi));

	memset(pi, 0, sizeof(*pi));
	pi->srcpge = secinfo == PCMD ? SRC_PAGE : SECS_IMG;
	pi->secinfo = secinfo;
	pi->secs = secs;
	return pi;
}

static void ecreate(struct vmm_vm *vm, uint64_t n)
{
	struct sgx_secinfo *si = vmt_ram(vm, SECINFO, sizeof(*si));
	struct sgx_secs *secs = vmt_ram(vm, SECS_IMG, sizeof(*secs));

	pageinfo(vm, SECINFO, 0);
	memset(si, 0, sizeof(*si));
	memset(secs, 0, sizeof(*secs));
	si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	secs->base = ENCL;
	secs->size = 0x10000;
	secs->ssa_frame_size = 1;
	secs->attributes.flags = SGX_ATTR_MODE64BIT;
	secs->attributes.xfrm = SGX_XFRM_LEGACY;
	assert_int_equal(encls(vm, SGX_ECREATE, PAGEINFO, vmt_epc_gpa(vm, n), 0), SGX_SUCCESS);
}

/* EADD page (i) of the enclave of SECS frame (secs) into frame (n), its bytes all (fill). */
static void eadd(struct vmm_vm *vm, uint64_t secs, uint64_t n, unsigned int i, uint8_t fill)
{
	struct sgx_secinfo *si = vmt_ram(vm, SECINFO, sizeof(*si));
	struct sgx_pageinfo *pi = pageinfo(vm, SECINFO, vmt_epc_gpa(vm, secs));

	pi->srcpge = SRC_PAGE;
	pi->linaddr = ENCL + i * SGX_PAGE_SIZE;
	memset(si, 0, sizeof(*si));
	si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	memset(vmt_ram(vm, SRC_PAGE, SGX_PAGE_SIZE), fill, SGX_PAGE_SIZE);
	assert_int_equal(encls(vm, SGX_EADD, PAGEINFO, vmt_epc_gpa(vm, n), 0), SGX_SUCCESS);
}

static int eremove(struct vmm_vm *vm, uint64_t n)
{
	return encls(vm, SGX_EREMOVE, 0, vmt_epc_gpa(vm, n), 0);
}

/* The guest's EWB of frame (n) into slot (slot) of its VA page in frame (va). */
static int ewb(struct vmm_vm *vm, uint64_t n, uint64_t va, unsigned int slot)
{
	pageinfo(vm, PCMD, 0);
	return encls(vm, SGX_EWB, PAGEINFO, vmt_epc_gpa(vm, n), vmt_epc_gpa(vm, va) + slot * 8);
}

static struct vmm_oversub_info info(struct vmm_vm *vm)
{
	struct vmm_oversub_info ov;

	vmm_oversub_query(vm, &ov);
	return ov;
}

static uint64_t evict(struct vmm_vm *vm, uint64_t nr)
{
	uint64_t done = 0;

	assert_int_equal(vmm_oversub_evict(vm, nr, &done), 0);
	return done;
}

static void test_config(void **state)
{
	struct tfix *f = *state;
	struct vmm_oversub_info ov = info(f->vm);
	struct vm_config cfg;
	char text[256];

	assert_int_equal(ov.mode, VM_OVERSUB_TRAP);
	assert_int_equal(ov.va_pages, 4);
	assert_int_equal(ov.host_max, 256);
	/* The extensions, the default, are refused on this processor; so is a third way. */
	snprintf(text, sizeof(text), "name = \"b\"\ntype = \"hvm\"\nepc = 8\n%s",
		 "epc_policy = \"oversubscribe\"\n");
	assert_int_equal(
	    vm_config_parse_xl(vmm_processor(f->m), text, &cfg, f->why, sizeof(f->why)), -EINVAL);
	assert_non_null(strstr(f->why, "or epc_oversub = \"trap\""));
	snprintf(text, sizeof(text), "name = \"b\"\ntype = \"hvm\"\nepc = 8\n%s",
		 "epc_oversub = \"ext\"\n");
	assert_int_equal(
	    vm_config_parse_xl(vmm_processor(f->m), text, &cfg, f->why, sizeof(f->why)), -EINVAL);
	assert_non_null(strstr(f->why, "expected \"extensions\" or \"trap\""));
	snprintf(text, sizeof(text), "name = \"b\"\ntype = \"hvm\"\nepc = 8\n%s",
		 "epc_policy = \"static\"\nepc_oversub = \"trap\"\n");
	assert_int_equal(
	    vm_config_parse_xl(vmm_processor(f->m), text, &cfg, f->why, sizeof(f->why)), -EINVAL);
	assert_non_null(strstr(f->why, "epc_oversub: only an oversubscribed VM"));
}

/*
 * A SECS whose children the VMM holds: the guest's EWB and EREMOVE of it
 * find a child present, as without oversubscription.
 */
static void test_secs_with_held_children(void **state)
{
	struct tfix *f = *state;
	struct vmm_vm *vm = f->vm;
	struct vmm_oversub_info ov;

	ecreate(vm, 0);
	eadd(vm, 0, 1, 0, 0x11);
	eadd(vm, 0, 2, 1, 0x22);
	assert_int_equal(encls(vm, SGX_EPA, SGX_PT_VA, vmt_epc_gpa(vm, 5), 0), SGX_SUCCESS);
	/* The SECS has resident children: it stays, and the clock hand takes both children. */
	assert_int_equal(evict(vm, 2), 2);
	ov = info(vm);
	assert_int_equal(ov.evicted, 2);
	assert_int_equal(ov.blobs, 2);
	/* Now it has none resident: it goes too (frames 3, 4 untouched, 5 a VA page). */
	assert_int_equal(evict(vm, 1), 1);
	assert_int_equal(info(vm).evicted, 3);
	/* EWB of the SECS: the VMM reloads it and one child, and the processor refuses. */
	assert_int_equal(ewb(vm, 0, 5, 0), SGX_CHILD_PRESENT);
	ov = info(vm);
	assert_int_equal(ov.reloaded, 2);
	assert_int_equal(ov.blobs, 1);
	/* The child is reloaded before the leaf runs, its SECS first: one stall of two. */
	assert_int_equal(ov.worst_stall, 2);
	/* A resident child is enough: no reload. */
	assert_int_equal(eremove(vm, 0), SGX_CHILD_PRESENT);
	assert_int_equal(info(vm).reloaded, 2);
	/* EREMOVE of the held child reloads it first: the VMM drops no page behind the guest. */
	assert_int_equal(eremove(vm, 2), SGX_SUCCESS);
	ov = info(vm);
	assert_int_equal(ov.reloaded, 3);
	assert_int_equal(ov.blobs, 0);
	assert_int_equal(eremove(vm, 1), SGX_SUCCESS);
	assert_int_equal(eremove(vm, 0), SGX_SUCCESS);
	/* Every frame of the enclave is free: given back without a write-back; the VA stays. */
	assert_int_equal(evict(vm, 10), 3);
	ov = info(vm);
	assert_int_equal(ov.freed, 3);
	assert_int_equal(ov.evicted, 3);
	/* ECREATE, 2 EADD, EPA, EWB, 4 EREMOVE: each trapped once. */
	assert_int_equal(ov.trapped, 9);
}

/*
 * The guest pages a child out itself while the VMM holds it: EBLOCK
 * reloads it, ETRACK and EWB then run as on any host, and the guest's own
 * ELDU brings it back with its bytes, the VMM reloading the SECS it needs.
 */
static void test_guest_paging_held_child(void **state)
{
	struct tfix *f = *state;
	struct vmm_vm *vm = f->vm;
	struct vmm_oversub_info ov;
	struct sgx_pageinfo *pi;

	ecreate(vm, 10);
	eadd(vm, 10, 11, 0, 0x5a);
	assert_int_equal(encls(vm, SGX_EPA, SGX_PT_VA, vmt_epc_gpa(vm, 12), 0), SGX_SUCCESS);
	/* The child, then its SECS with no resident child left; the VA page never goes. */
	assert_int_equal(evict(vm, 5), 2);
	assert_int_equal(info(vm).blobs, 2);
	/* A page the VMM holds is not blocked: the guest's EWB meets what it would. */
	assert_int_equal(ewb(vm, 11, 12, 3), SGX_PAGE_NOT_BLOCKED);
	assert_int_equal(info(vm).reloaded, 2);
	assert_int_equal(evict(vm, 5), 2);
	assert_int_equal(encls(vm, SGX_EBLOCK, 0, vmt_epc_gpa(vm, 11), 0), SGX_SUCCESS);
	assert_int_equal(info(vm).reloaded, 4);
	assert_int_equal(encls(vm, SGX_ETRACK, 0, vmt_epc_gpa(vm, 10), 0), SGX_SUCCESS);
	/* A page the guest blocked stays with the guest, and so does its SECS. */
	assert_int_equal(evict(vm, 5), 0);
	assert_int_equal(ewb(vm, 11, 12, 3), SGX_SUCCESS);
	/* The child is gone: its frame is given back, and the SECS without children goes. */
	assert_int_equal(evict(vm, 5), 2);
	ov = info(vm);
	assert_int_equal(ov.freed, 1);
	assert_int_equal(ov.evicted, 5);
	assert_int_equal(ov.blobs, 1);
	/* The guest's ELDU names the SECS the VMM holds: the VMM reloads it first. */
	pi = pageinfo(vm, PCMD, vmt_epc_gpa(vm, 10));
	pi->linaddr = ENCL;
	assert_int_equal(
	    encls(vm, SGX_ELDU, PAGEINFO, vmt_epc_gpa(vm, 11), vmt_epc_gpa(vm, 12) + 3 * 8),
	    SGX_SUCCESS);
	assert_int_equal(info(vm).reloaded, 5);
	/* The VMM tracked the ELDU: the child is the SECS's again, and goes before it. */
	assert_int_equal(evict(vm, 5), 2);
	assert_int_equal(info(vm).blobs, 2);
	assert_int_equal(eremove(vm, 11), SGX_SUCCESS);
	assert_int_equal(info(vm).reloaded, 7);
	assert_int_equal(eremove(vm, 10), SGX_SUCCESS);
	assert_int_equal(info(vm).blobs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secs_with_held_children, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_paging_held_child, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
