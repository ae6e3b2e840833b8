// SPDX-License-Identifier: MIT
/*
 * Virtual EPC (/dev/sgx_vepc): lazy faults, the guest-view address space,
 * remove-all and its documented protocol (the QEMU reset thread's cases:
 * unclean reboot with enclaves alive, a SECS and its children in different
 * instances in either call order, a thread still inside, racing remove-alls),
 * release with zombies, exhaustion, limits, and a reset that never lets
 * anyone else take the EPC.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "host-fixture.h"

#define TOTAL	    (HWF_EPC_SIZE / SGX_PAGE_SIZE)
#define PG(base, i) ((base) + (uint64_t)(i)*SGX_PAGE_SIZE)

static void test_open_map_errors(void **state)
{
	struct hf *hf = *state;
	struct host_owner *grp;
	struct host_vepc *v;
	uint64_t pa;

	assert_int_equal(host_vepc_open(hf->h, HW_MAX_NODES, NULL, &v), -EINVAL);
	assert_int_equal(host_owner_create(hf->h, HOST_OWNER_ENCLAVES, 10, &grp), 0);
	assert_int_equal(host_vepc_open(hf->h, 0, grp, &v), -EINVAL);
	assert_int_equal(host_vepc_open(hf->h, 0, NULL, &v), 0);
	assert_int_equal(host_vepc_fault(v, 0, &pa), -EINVAL); /* not mapped yet */
	assert_int_equal(host_vepc_map(v, 0), -EINVAL);
	/* Only a shared mapping, as Linux's sgx_vepc_mmap(). */
	assert_int_equal(host_vepc_mmap(v, 4, false), -EINVAL);
	assert_int_equal(host_vepc_mmap(v, 4, true), 0);
	host_vepc_release(v, hf->kcpu);
	assert_int_equal(host_vepc_open(hf->h, 0, NULL, &v), 0);
	assert_int_equal(host_vepc_map(v, 4), 0);
	assert_int_equal(host_vepc_map(v, 4), -EBUSY);
	assert_int_equal(host_vepc_fault(v, 4, &pa), -EINVAL);
	host_vepc_release(v, hf->kcpu);
	host_vepc_release(NULL, hf->kcpu);
	assert_int_equal(host_owner_destroy(grp), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_fault_lazy(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *v;
	struct host_vepc_info info;
	uint64_t pa, pa2;

	assert_int_equal(host_vepc_open(hf->h, 0, NULL, &v), 0);
	assert_int_equal(host_vepc_map(v, 1024), 0);
	assert_epc(hf, TOTAL, 0, 0, 0); /* mapping takes no EPC */
	assert_int_equal(host_vepc_fault(v, 7, &pa), 0);
	assert_int_equal(pa, HWF_EPC_BASE);
	assert_int_equal(host_vepc_fault(v, 7, &pa2), 0);
	assert_int_equal(pa2, pa);
	assert_int_equal(host_vepc_fault(v, 0, &pa2), 0);
	assert_int_equal(pa2, HWF_EPC_BASE + SGX_PAGE_SIZE);
	host_vepc_query(v, &info);
	assert_int_equal(info.node, 0);
	assert_int_equal(info.nr_pages, 1024);
	assert_int_equal(info.present, 2);
	assert_int_equal(info.faults, 2);
	assert_int_equal(info.failed_faults, 0);
	assert_epc(hf, TOTAL - 2, 2, 0, 0);
	/* An instance's page is not anyone else's to free. */
	assert_int_equal(host_page_free(hf->h, pa), -EINVAL);
	host_vepc_release(v, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_vas_errors(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *v, *w;
	struct host_vas vas;

	host_vas_init(&vas);
	assert_int_equal(host_vepc_open(hf->h, 0, NULL, &v), 0);
	assert_int_equal(host_vas_add(&vas, v, HF_VAS_X), -EINVAL); /* not mapped */
	assert_int_equal(host_vepc_map(v, 16), 0);
	assert_int_equal(host_vas_add(&vas, v, HF_VAS_X + 8), -EINVAL);
	assert_int_equal(host_vas_add(&vas, v, 0), -EINVAL);
	assert_int_equal(host_vas_add(&vas, v, HF_VAS_X), 0);
	assert_int_equal(host_vepc_open(hf->h, 0, NULL, &w), 0);
	assert_int_equal(host_vepc_map(w, 16), 0);
	assert_int_equal(host_vas_add(&vas, w, HF_VAS_X + 15 * SGX_PAGE_SIZE), -EINVAL);
	for (unsigned int i = 1; i < HOST_VAS_MAX; i++)
		assert_int_equal(host_vas_add(&vas, w, HF_VAS_Y + i * 0x100000ULL), 0);
	assert_int_equal(host_vas_add(&vas, w, HF_VAS_Z), -ENOSPC);
	host_vepc_release(v, hf->kcpu);
	host_vepc_release(w, hf->kcpu);
}

/* A guest builds an enclave through its view; the EPCM shows it at the faulted pages. */
static void test_guest_build(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 8, HF_VAS_X);
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };
	struct hw_epcm_info e;

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 2);
	assert_int_equal(hf_valid_pages(hf), 3);
	e = hwf_epcm(hf->f, hf_pa(hf, PG(HF_VAS_X, 0)));
	assert_true(e.valid);
	assert_int_equal(e.pt, SGX_PT_SECS);
	e = hwf_epcm(hf->f, hf_pa(hf, PG(HF_VAS_X, 2)));
	assert_int_equal(e.pt, SGX_PT_REG);
	assert_int_equal(e.enclave_address, HWF_ENCL_BASE + SGX_PAGE_SIZE);
	assert_int_equal(e.secs_pa, hf_pa(hf, PG(HF_VAS_X, 0)));
	/* EPC physical addresses are not in the guest's view. */
	assert_int_equal(hw_eremove(hf->guest, HWF_EPC_BASE), HW_FAULT(X86_TRAP_PF));
	assert_int_equal(hw_cpu_fault(hf->guest)->addr, HWF_EPC_BASE);
	assert_epc(hf, TOTAL - 3, 3, 0, 0);
	host_vepc_release(x, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
}

/* EPC exhausted: the fault fails, and a leaf on that page takes #PF there. */
static void test_fault_exhausted(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_vepc *x;
	struct host_vepc_info info;
	struct sgx_secs s;
	uint64_t pa;

	(void)state;
	hf_desc_small(&d, 16);
	hf = hf_new(&d);
	x = hf_vepc(hf, 20, HF_VAS_X);
	for (uint64_t i = 0; i < 16; i++)
		assert_int_equal(host_vepc_fault(x, i, &pa), 0);
	assert_int_equal(host_vepc_fault(x, 16, &pa), -ENOMEM);
	host_vepc_query(x, &info);
	assert_int_equal(info.present, 16);
	assert_int_equal(info.failed_faults, 1);
	assert_epc(hf, 0, 16, 0, 0);
	hf->f->cpu = hf->guest;
	hwf_secs_default(&s);
	assert_pf(hf->f, hwf_ecreate(hf->f, &s, PG(HF_VAS_X, 17)), PG(HF_VAS_X, 17));
	host_vepc_query(x, &info);
	assert_int_equal(info.failed_faults, 2);
	host_vepc_release(x, hf->kcpu);
	assert_epc(hf, 16, 0, 0, 0);
	hf_free(hf);
}

/*
 * One instance. As in Linux, one call walks the pages in order without
 * retrying: a SECS before its children is counted, and the second call of
 * the protocol removes it; a SECS after its children goes in one call.
 */
static void test_remove_all_one_instance(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 8, HF_VAS_X);
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2), PG(HF_VAS_X, 3) };
	uint64_t first[] = { PG(HF_VAS_X, 4), PG(HF_VAS_X, 5) };
	struct host_vepc_info info;
	int code = -1;

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 3);
	hf_guest_enclave(hf, PG(HF_VAS_X, 6), first, 2);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), 1);
	assert_int_equal(code, SGX_CHILD_PRESENT);
	assert_int_equal(hf_valid_pages(hf), 1);
	assert_true(hf_valid(hf, hf_pa(hf, PG(HF_VAS_X, 0))));
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), 0);
	assert_int_equal(code, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	/* The pages stay with the instance. */
	host_vepc_query(x, &info);
	assert_int_equal(info.present, 7);
	assert_epc(hf, TOTAL - 7, 7, 0, 0);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 0);
	/* The file's ioctl: REMOVE_ALL takes no argument; nothing else is known. */
	assert_int_equal(host_vepc_ioctl(x, hf->kcpu, SGX_IOC_VEPC_REMOVE_ALL, 1, &code), -EINVAL);
	assert_int_equal(host_vepc_ioctl(x, hf->kcpu, 0xa405, 0, &code), -ENOTTY);
	assert_int_equal(host_vepc_ioctl(x, hf->kcpu, SGX_IOC_VEPC_REMOVE_ALL, 0, &code), 0);
	host_vepc_release(x, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/*
 * Windows-style unclean reboot: the guest built enclaves and never tore them
 * down; reset is remove-all, and the rebooted guest builds again at the very
 * same pages.
 */
static void test_unclean_reboot(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 16, HF_VAS_X);
	uint64_t a_kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };
	uint64_t b_kids[] = { PG(HF_VAS_X, 3), PG(HF_VAS_X, 5), PG(HF_VAS_X, 6) };
	uint64_t pa[8];

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), a_kids, 2);
	hf_guest_enclave(hf, PG(HF_VAS_X, 4), b_kids, 3);
	for (int i = 0; i < 7; i++)
		pa[i] = hf_pa(hf, PG(HF_VAS_X, i));
	assert_int_equal(hwf_stats(hf->f).enclaves, 2);
	/* Without remove-all the rebooted guest cannot reuse its EPC. */
	hf->f->cpu = hf->guest;
	hf_guest_view(hf);
	assert_int_equal(
	    hwf_eadd(hf->f, PG(HF_VAS_X, 0), PG(HF_VAS_X, 1), HWF_ENCL_BASE, SECINFO_RW, NULL),
	    HW_FAULT(X86_TRAP_PF));
	/* Both SECS pages come before their children: the second call takes them. */
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 2);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	assert_int_equal(hwf_stats(hf->f).enclaves, 0);
	hf_guest_enclave(hf, PG(HF_VAS_X, 0), a_kids, 2);
	hf_guest_enclave(hf, PG(HF_VAS_X, 4), b_kids, 3);
	for (int i = 0; i < 7; i++)
		assert_int_equal(hf_pa(hf, PG(HF_VAS_X, i)), pa[i]);
	assert_epc(hf, TOTAL - 7, 7, 0, 0);
	host_vepc_release(x, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* SECS in X, one child in X, two in Y. */
static void build_split(struct hf *hf)
{
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_Y, 0), PG(HF_VAS_Y, 1) };

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 3);
}

static void test_split_x_then_y(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X), *y = hf_vepc(hf, 4, HF_VAS_Y);
	int code = -1;

	build_split(hf);
	/* Round one: X's SECS is pinned by Y's children. */
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), 1);
	assert_int_equal(code, SGX_CHILD_PRESENT);
	assert_true(hf_valid(hf, hf_pa(hf, PG(HF_VAS_X, 0))));
	assert_false(hf_valid(hf, hf_pa(hf, PG(HF_VAS_X, 1))));
	assert_int_equal(host_vepc_remove_all(y, hf->kcpu, &code), 0);
	/* Round two, on the instance that returned nonzero. */
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	assert_epc(hf, TOTAL - 4, 4, 0, 0);
	host_vepc_release(x, hf->kcpu);
	host_vepc_release(y, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_split_y_then_x(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X), *y = hf_vepc(hf, 4, HF_VAS_Y);

	build_split(hf);
	assert_int_equal(host_vepc_remove_all(y, hf->kcpu, NULL), 0);
	/* X's SECS still comes before its child in X. */
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 1);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	host_vepc_release(y, hf->kcpu);
	host_vepc_release(x, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* Crossed: A's SECS in X with children in Y, B's SECS in Y with children in X. */
static void test_split_crossed(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X), *y = hf_vepc(hf, 4, HF_VAS_Y);
	uint64_t a_kids[] = { PG(HF_VAS_Y, 1), PG(HF_VAS_Y, 2) };
	uint64_t b_kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), a_kids, 2);
	hf_guest_enclave(hf, PG(HF_VAS_Y, 3), b_kids, 2);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 1);
	assert_int_equal(host_vepc_remove_all(y, hf->kcpu, NULL), 0);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	host_vepc_release(x, hf->kcpu);
	host_vepc_release(y, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* A thread inside: -EBUSY at once; fine again once it left. */
static void test_remove_all_thread_inside(void **state)
{
	struct hf *hf = *state;
	struct hw_cpu *inside = hw_processor_cpu(hf->f->p, 2);
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X);
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };
	int code = -1;

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 2);
	assert_int_equal(hw_cpu_enclave_enter_raw(inside, hf_pa(hf, PG(HF_VAS_X, 0))), 0);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), -EBUSY);
	assert_int_equal(code, SGX_ENCLAVE_ACT);
	assert_int_equal(hf_valid_pages(hf), 3);
	assert_int_equal(hw_cpu_enclave_exit_raw(inside), 0);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), 1);
	assert_int_equal(code, SGX_CHILD_PRESENT);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, &code), 0);
	assert_int_equal(code, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	host_vepc_release(x, hf->kcpu);
}

/* Release with a thread inside: every page waits as a zombie until it leaves. */
static void test_release_thread_inside(void **state)
{
	struct hf *hf = *state;
	struct hw_cpu *inside = hw_processor_cpu(hf->f->p, 2);
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X);
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 2);
	assert_int_equal(hw_cpu_enclave_enter_raw(inside, hf_pa(hf, PG(HF_VAS_X, 0))), 0);
	assert_int_equal(host_vepc_release(x, hf->kcpu), 3);
	assert_epc(hf, TOTAL - 3, 0, 3, 0);
	assert_int_equal(host_zombie_retry(hf->h, hf->kcpu), 3);
	assert_int_equal(hw_cpu_enclave_exit_raw(inside), 0);
	assert_int_equal(host_zombie_retry(hf->h, hf->kcpu), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
}

/*
 * Zombies pinned by a thread inside are freed by the first driver call on a
 * CPU after the thread leaves, not kept until some other release.
 */
static void test_zombies_freed_after_thread_leaves(void **state)
{
	struct hf *hf = *state;
	struct hw_cpu *inside = hw_processor_cpu(hf->f->p, 2);
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X), *y = hf_vepc(hf, 4, HF_VAS_Y);
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };
	int code = -1;

	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 2);
	assert_int_equal(hw_cpu_enclave_enter_raw(inside, hf_pa(hf, PG(HF_VAS_X, 0))), 0);
	assert_int_equal(host_vepc_release(x, hf->kcpu), 3);
	/* While the thread is inside, a call leaves them as they are. */
	assert_int_equal(host_vepc_remove_all(y, hf->kcpu, &code), 0);
	assert_epc(hf, TOTAL - 3, 0, 3, 0);
	assert_int_equal(hw_cpu_enclave_exit_raw(inside), 0);
	assert_int_equal(host_vepc_remove_all(y, hf->kcpu, &code), 0);
	assert_int_equal(code, 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	/* The reclaimer is such a call too. */
	kids[0] = PG(HF_VAS_Y, 1);
	hf_guest_enclave(hf, PG(HF_VAS_Y, 0), kids, 1);
	assert_int_equal(hw_cpu_enclave_enter_raw(inside, hf_pa(hf, PG(HF_VAS_Y, 0))), 0);
	assert_int_equal(host_vepc_release(y, hf->kcpu), 2);
	assert_int_equal(hw_cpu_enclave_exit_raw(inside), 0);
	assert_int_equal(host_reclaim(hf->h, hf->kcpu, NULL, 1), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* Release X first: its SECS is a zombie until Y's release frees it. */
static void test_release_zombie(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X), *y = hf_vepc(hf, 4, HF_VAS_Y);
	uint64_t secs_pa;

	build_split(hf);
	secs_pa = hf_pa(hf, PG(HF_VAS_X, 0));
	assert_int_equal(host_vepc_release(x, hf->kcpu), 1);
	assert_epc(hf, TOTAL - 3, 2, 1, 0);
	assert_true(hf_valid(hf, secs_pa));
	assert_int_equal(host_zombie_retry(hf->h, hf->kcpu), 1);
	/* Y's release makes no zombie of its own and frees X's on its way out. */
	assert_int_equal(host_vepc_release(y, hf->kcpu), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
}

static void test_release_no_zombie(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 4, HF_VAS_X), *y = hf_vepc(hf, 4, HF_VAS_Y);

	build_split(hf);
	assert_int_equal(host_vepc_release(y, hf->kcpu), 0);
	assert_epc(hf, TOTAL - 2, 2, 0, 0);
	assert_int_equal(host_vepc_release(x, hf->kcpu), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/* A reset keeps the EPC: a competitor gets only what was free before it. */
static void test_reset_keeps_epc(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_vepc *x;
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2), PG(HF_VAS_X, 3) };
	uint64_t pa, mine[14];

	(void)state;
	hf_desc_small(&d, 16);
	hf = hf_new(&d);
	x = hf_vepc(hf, 14, HF_VAS_X);
	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 3);
	for (int i = 0; i < 14; i++)
		mine[i] = hf_pa(hf, PG(HF_VAS_X, i));
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 1);
	assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 0);
	assert_epc(hf, 2, 14, 0, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(host_page_alloc(hf->h, 0, &pa), 0);
		for (int k = 0; k < 14; k++)
			assert_true(pa != mine[k]);
	}
	assert_int_equal(host_page_alloc(hf->h, 0, &pa), -ENOMEM);
	hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 3);
	for (int i = 0; i < 14; i++)
		assert_int_equal(hf_pa(hf, PG(HF_VAS_X, i)), mine[i]);
	host_vepc_release(x, hf->kcpu);
	assert_epc(hf, 14, 2, 0, 0);
	hf_free(hf);
}

struct competitor {
	struct hf *hf;
	const uint64_t *mine;
	int nr_mine;
	atomic_bool stop;
	atomic_uint_fast64_t got;
	uint64_t stolen;
};

static void *compete(void *arg)
{
	struct competitor *c = arg;
	uint64_t pa;

	while (!atomic_load(&c->stop)) {
		if (host_page_alloc(c->hf->h, 0, &pa))
			continue;
		atomic_fetch_add(&c->got, 1);
		for (int k = 0; k < c->nr_mine; k++)
			if (pa == c->mine[k])
				c->stolen++;
		host_page_free(c->hf->h, pa);
	}
	return NULL;
}

/* The same with the competitor running during resets, from another thread. */
static void test_reset_race_competitor(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_vepc *x;
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2) };
	uint64_t mine[12];
	struct competitor c = { 0 };
	pthread_t t;

	(void)state;
	hf_desc_small(&d, 16);
	hf = hf_new(&d);
	x = hf_vepc(hf, 12, HF_VAS_X);
	for (int i = 0; i < 12; i++)
		mine[i] = hf_pa(hf, PG(HF_VAS_X, i));
	c.hf = hf;
	c.mine = mine;
	c.nr_mine = 12;
	assert_int_equal(pthread_create(&t, NULL, compete, &c), 0);
	while (!atomic_load(&c.got))
		sched_yield();
	for (int round = 0; round < 200; round++) {
		hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 2);
		assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 1);
		assert_int_equal(host_vepc_remove_all(x, hf->kcpu, NULL), 0);
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	assert_int_equal(c.stolen, 0);
	assert_true(c.got > 0);
	assert_epc(hf, 4, 12, 0, 0);
	host_vepc_release(x, hf->kcpu);
	hf_free(hf);
}

struct racer {
	struct host_vepc *v;
	struct hw_cpu *cpu;
	pthread_barrier_t *go;
	int loops;
	uint64_t clean, pinned, busy_gp, other;
};

static void *race_remove_all(void *arg)
{
	struct racer *rc = arg;

	pthread_barrier_wait(rc->go);
	for (int i = 0; i < rc->loops; i++) {
		int code = -1;
		int64_t r = host_vepc_remove_all(rc->v, rc->cpu, &code);

		if (r == 0)
			rc->clean++;
		else if (r == 1)
			rc->pinned++;
		else if (r == -EBUSY && code == HW_FAULT(X86_TRAP_GP))
			rc->busy_gp++; /* the race: EREMOVE found the page busy */
		else
			rc->other++;
	}
	return NULL;
}

/*
 * Race two threads calling remove-all (loops) times each, then finish with
 * the documented protocol. Returns how many calls met the race (#GP).
 */
static uint64_t race_pair(struct hf *hf, struct host_vepc *a, struct host_vepc *b, int loops)
{
	pthread_barrier_t go;
	struct racer ra = { a, hw_processor_cpu(hf->f->p, 2), &go, loops, 0, 0, 0, 0 };
	struct racer rb = { b, hw_processor_cpu(hf->f->p, 3), &go, loops, 0, 0, 0, 0 };
	pthread_t ta, tb;
	int64_t r;

	pthread_barrier_init(&go, NULL, 2);
	pthread_create(&ta, NULL, race_remove_all, &ra);
	pthread_create(&tb, NULL, race_remove_all, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&go);
	assert_int_equal(ra.other + rb.other, 0);
	assert_int_equal(ra.clean + ra.pinned + ra.busy_gp, loops);
	assert_int_equal(rb.clean + rb.pinned + rb.busy_gp, loops);
	/* Protocol, with no more racing: all, then those nonzero; then clean. */
	r = host_vepc_remove_all(a, hf->kcpu, NULL);
	assert_true(r == 0 || r == 1);
	assert_int_equal(host_vepc_remove_all(b, hf->kcpu, NULL), 0);
	if (r)
		assert_int_equal(host_vepc_remove_all(a, hf->kcpu, NULL), 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	return ra.busy_gp + rb.busy_gp;
}

/*
 * Two instances sharing a SECS (its children split between them), reset
 * from two threads at once, 100 times; then one instance reset from two
 * threads at once, whose EREMOVEs meet on the same pages (#GP -> -EBUSY).
 */
static void test_remove_all_race_shared_secs(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *x = hf_vepc(hf, 256, HF_VAS_X), *y = hf_vepc(hf, 8, HF_VAS_Y);
	uint64_t kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_Y, 0), PG(HF_VAS_X, 2),
			    PG(HF_VAS_Y, 1), PG(HF_VAS_Y, 2), PG(HF_VAS_X, 3) };
	uint64_t x_kids[] = { PG(HF_VAS_X, 1), PG(HF_VAS_X, 2), PG(HF_VAS_X, 3),
			      PG(HF_VAS_X, 4), PG(HF_VAS_X, 5), PG(HF_VAS_X, 6) };
	uint64_t pa, met = 0;

	for (uint64_t i = 0; i < 256; i++)
		assert_int_equal(host_vepc_fault(x, i, &pa), 0);
	for (int i = 0; i < 100; i++) {
		hf_guest_enclave(hf, PG(HF_VAS_X, 0), kids, 6);
		race_pair(hf, x, y, 1);
	}
	for (int i = 0; i < 20; i++) {
		hf_guest_enclave(hf, PG(HF_VAS_X, 0), x_kids, 6);
		met += race_pair(hf, x, x, 50);
	}
	printf("# remove-alls that met the other one's EREMOVE: %llu\n", (unsigned long long)met);
	assert_epc(hf, TOTAL - 259, 259, 0, 0);
	host_vepc_release(x, hf->kcpu);
	host_vepc_release(y, hf->kcpu);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_vm_limit(void **state)
{
	struct hf *hf = *state;
	struct host_owner *vm;
	struct host_owner_info oi;
	struct host_vepc *v;
	uint64_t pa;

	assert_int_equal(host_owner_create(hf->h, HOST_OWNER_VM, 3, &vm), 0);
	assert_int_equal(host_vepc_open(hf->h, 0, vm, &v), 0);
	assert_int_equal(host_vepc_map(v, 8), 0);
	for (uint64_t i = 0; i < 3; i++)
		assert_int_equal(host_vepc_fault(v, i, &pa), 0);
	assert_int_equal(host_vepc_fault(v, 3, &pa), -ENOMEM);
	assert_int_equal(host_vepc_fault(v, 2, &pa), 0); /* present: no charge */
	host_owner_query(vm, &oi);
	assert_int_equal(oi.usage, 3);
	assert_int_equal(oi.limit_hits, 1);
	assert_int_equal(host_owner_destroy(vm), -EBUSY);
	host_owner_set_limit(vm, 4);
	assert_int_equal(host_vepc_fault(v, 3, &pa), 0);
	assert_epc(hf, TOTAL - 4, 4, 0, 0);
	host_vepc_release(v, hf->kcpu);
	host_owner_query(vm, &oi);
	assert_int_equal(oi.usage, 0);
	assert_int_equal(host_owner_destroy(vm), 0);
}

static void test_numa_instance(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_vepc *v;
	struct host_epc_stats s;
	uint64_t pa, on[HW_MAX_NODES];

	(void)state;
	hw_desc_init_default(&d);
	d.nr_sections = 2;
	d.sections[0] = (struct hw_epc_section_desc){ 0x80000000ULL, 4 * SGX_PAGE_SIZE, 0 };
	d.sections[1] = (struct hw_epc_section_desc){ 0x90000000ULL, 2 * SGX_PAGE_SIZE, 1 };
	hf = hf_new(&d);
	assert_int_equal(host_vepc_open(hf->h, 1, NULL, &v), 0);
	assert_int_equal(host_vepc_map(v, 4), 0);
	assert_int_equal(host_vepc_fault(v, 0, &pa), 0);
	assert_int_equal(pa, 0x90000000ULL);
	assert_int_equal(host_vepc_fault(v, 1, &pa), 0);
	assert_int_equal(pa, 0x90001000ULL);
	assert_int_equal(host_vepc_fault(v, 2, &pa), 0);
	assert_int_equal(pa, 0x80000000ULL); /* node 1 is full */
	host_node_stats(hf->h, 1, &s);
	assert_int_equal(s.used, 2);
	host_node_stats(hf->h, 0, &s);
	assert_int_equal(s.used, 1);
	/* The instance knows where its pages came from: reports count them per node. */
	host_vepc_query_nodes(v, on);
	assert_int_equal(on[1], 2);
	assert_int_equal(on[0], 1);
	assert_int_equal(on[2], 0);
	host_vepc_release(v, hf->kcpu);
	assert_epc(hf, 6, 0, 0, 0);
	hf_free(hf);
}

/*
 * A poisoned vEPC page: the guest's leaf on it takes #MC at the physical
 * address, the VMM finds the page in its instance (host_vepc_find()), the
 * host answers the consumer -EHWPOISON, and the page goes to bad, not free,
 * at release.
 */
static void test_poisoned_page(void **state)
{
	struct hf *hf = *state;
	struct host_vepc *v = hf_vepc(hf, 8, HF_VAS_X);
	struct hwfix *f = hf->f;
	uint64_t secs_pa, index;

	secs_pa = hf_pa(hf, HF_VAS_X + 3 * SGX_PAGE_SIZE);
	assert_int_equal(host_vepc_find(v, secs_pa, &index), 0);
	assert_int_equal(index, 3);
	assert_int_equal(host_vepc_find(v, secs_pa + SGX_PAGE_SIZE, &index), -ENOENT);
	assert_int_equal(host_vepc_find(v, 0x1000, &index), -ENOENT);
	assert_int_equal(hw_epc_poison(f->p, secs_pa), 0);
	f->cpu = hf->guest;
	hf_guest_view(hf);
	assert_mc(f, hwf_ecreate_image(f, HF_VAS_X + 3 * SGX_PAGE_SIZE), secs_pa);
	assert_int_equal(host_memory_failure(hf->h, secs_pa, HOST_MF_ACTION_REQUIRED), -EHWPOISON);
	assert_true(host_page_poisoned(hf->h, secs_pa));
	assert_epc(hf, TOTAL - 1, 1, 0, 0);
	/* Remove-all touches only the EPCM: the page stays the instance's. */
	assert_int_equal(host_vepc_remove_all(v, hf->kcpu, NULL), 0);
	assert_epc(hf, TOTAL - 1, 1, 0, 0);
	host_vepc_release(v, hf->kcpu);
	assert_epc(hf, TOTAL - 1, 0, 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HF_TEST(test_open_map_errors),
		HF_TEST(test_fault_lazy),
		HF_TEST(test_vas_errors),
		HF_TEST(test_guest_build),
		cmocka_unit_test(test_fault_exhausted),
		HF_TEST(test_remove_all_one_instance),
		HF_TEST(test_unclean_reboot),
		HF_TEST(test_split_x_then_y),
		HF_TEST(test_split_y_then_x),
		HF_TEST(test_split_crossed),
		HF_TEST(test_remove_all_thread_inside),
		HF_TEST(test_release_thread_inside),
		HF_TEST(test_zombies_freed_after_thread_leaves),
		HF_TEST(test_release_zombie),
		HF_TEST(test_release_no_zombie),
		cmocka_unit_test(test_reset_keeps_epc),
		cmocka_unit_test(test_reset_race_competitor),
		HF_TEST(test_remove_all_race_shared_secs),
		HF_TEST(test_vm_limit),
		HF_TEST(test_poisoned_page),
		cmocka_unit_test(test_numa_instance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
