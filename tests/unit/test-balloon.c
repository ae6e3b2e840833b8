// SPDX-License-Identifier: MIT
/*
 * EPC ballooning: the host's single-page release, the VMM's memory_op
 * hypercall (every refusal with its errno, per-extent stops with their
 * counts), the target's checks, and the guest's balloon driver (free frames
 * first, then its own enclave's pages evicted, nothing given when the
 * target is out of reach), with every host page accounted for.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vectors.h"
#include "vsgx/crypto.h"
#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/vmm-balloon.h"
#include "vsgx/vmm.h"

/* The guest RAM the tests put the hypercall's argument and list in. */
#define ARG_GPA	 0x800000ULL
#define LIST_GPA 0x801000ULL

struct bfix {
	struct vmm *m;
	struct crypto_rsa_key *key;
	char why[512];
};

/* One node of 16 MiB: 4096 pages. */
static int setup(void **state)
{
	struct bfix *f = calloc(1, sizeof(*f));
	struct hw_desc d;

	assert_non_null(f);
	assert_int_equal(vm_host_parse("epc=16M@0 cpus=4", &d, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	if (vectors_present())
		assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &f->key, NULL, 0),
				 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct bfix *f = *state;

	vmm_destroy(f->m);
	crypto_rsa_key_free(f->key);
	free(f);
	return 0;
}

static struct vmm_vm *vm_new(struct bfix *f, const char *name, const char *xl)
{
	struct vm_config cfg;
	struct vmm_vm *vm;
	char text[512];

	snprintf(text, sizeof(text), "name = \"%s\"\ntype = \"hvm\"\nmemory = 256\n%s", name, xl);
	if (vm_config_parse_xl(vmm_processor(f->m), text, &cfg, f->why, sizeof(f->why)))
		fail_msg("config: %s", f->why);
	if (vmm_vm_create(f->m, name, &cfg, &vm, f->why, sizeof(f->why)))
		fail_msg("create: %s", f->why);
	return vm;
}

static struct host_epc_stats host_totals(struct bfix *f)
{
	struct host_epc_stats st;

	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.free + st.used + st.zombie + st.bad, st.total);
	return st;
}

/* Write the argument (and (n) frames) into guest RAM and make the hypercall. */
static int64_t call(struct vmm_vm *vm, uint64_t cmd, struct vmm_epc_reservation a,
		    const uint64_t *frames, uint64_t n)
{
	void *arg = vmm_vm_ram(vm, ARG_GPA, sizeof(a));
	void *list = vmm_vm_ram(vm, LIST_GPA, 4096);

	assert_non_null(arg);
	assert_non_null(list);
	memcpy(arg, &a, sizeof(a));
	if (frames)
		memcpy(list, frames, n * sizeof(*frames));
	return vmm_vcpu_hypercall(vmm_vm_vcpu(vm, 0), VMM_HYPERCALL_MEMORY_OP, cmd, ARG_GPA);
}

static struct vmm_epc_reservation res(uint64_t n)
{
	return (struct vmm_epc_reservation){ .extent_start = LIST_GPA,
					     .nr_extents = n,
					     .mem_flags = VMM_MEMF_EPC,
					     .domid = VMM_DOMID_SELF };
}

static uint64_t epc_base(struct vmm_vm *vm)
{
	return vmm_vm_layout(vm)->sections[0].base;
}

static void test_config_policy(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "b", "epc = 4\nepc_max = 8\nepc_policy = \"balloon\"\n");
	struct vmm_balloon_info in;

	vmm_vm_balloon_query(vm, &in);
	assert_int_equal(in.policy, VM_EPC_BALLOON);
	assert_int_equal(in.max, 2048);
	assert_int_equal(in.current, 1024);
	assert_int_equal(in.target, 1024);
	vm = vm_new(f, "s", "epc = 4\n");
	vmm_vm_balloon_query(vm, &in);
	assert_int_equal(in.policy, VM_EPC_STATIC);
	assert_int_equal(in.current, 1024);
}

static void test_hypercall_refusals(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *b = vm_new(f, "b", "epc = 4\nepc_max = 8\nepc_policy = \"balloon\"\n");
	struct vmm_vm *s = vm_new(f, "s", "epc = 4\n");
	struct vmm_epc_reservation a = res(0);

	assert_int_equal(call(b, VMM_EPCMEM_CURRENT_RESERVATION, a, NULL, 0), 1024);
	assert_int_equal(call(b, VMM_EPCMEM_MAXIMUM_RESERVATION, a, NULL, 0), 2048);
	assert_int_equal(call(s, VMM_EPCMEM_CURRENT_RESERVATION, a, NULL, 0), 1024);
	assert_int_equal(call(s, VMM_EPCMEM_DECREASE_RESERVATION, a, NULL, 0), -EPERM);
	assert_int_equal(call(s, VMM_EPCMEM_INCREASE_RESERVATION, a, NULL, 0), -EPERM);
	assert_int_equal(call(b, 2, a, NULL, 0), -ENOSYS);
	assert_int_equal(vmm_vcpu_hypercall(vmm_vm_vcpu(b, 0), 13, 0, ARG_GPA), -ENOSYS);
	/* The argument must be in RAM, ask for EPC frames of order 0, for the VM itself. */
	assert_int_equal(vmm_vcpu_hypercall(vmm_vm_vcpu(b, 0), VMM_HYPERCALL_MEMORY_OP,
					    VMM_EPCMEM_CURRENT_RESERVATION, epc_base(b)),
			 -EFAULT);
	a.mem_flags = 0;
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, a, NULL, 0), -EINVAL);
	a = res(0);
	a.extent_order = 9;
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, a, NULL, 0), -EINVAL);
	a = res(0);
	a.domid = 1;
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, a, NULL, 0), -EINVAL);
	a = res(0);
	a.reserved[1] = 1;
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, a, NULL, 0), -EINVAL);
	a = res(4);
	a.extent_start = epc_base(b);
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, a, NULL, 0), -EFAULT);
	assert_int_equal(vmm_vm_pause(b), 0);
	assert_int_equal(call(b, VMM_EPCMEM_CURRENT_RESERVATION, res(0), NULL, 0), -EAGAIN);
}

static void test_hypercall_extents(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *b = vm_new(f, "b", "epc = 4\nepc_max = 8\nepc_policy = \"balloon\"\n");
	uint64_t base = epc_base(b), frames[4], list[8];
	struct host_epc_stats st;
	struct vmm_vm_stats vs;

	/* Fault the first two frames in: the host holds 2 pages for the VM. */
	for (uint64_t i = 0; i < 2; i++) {
		struct hw_regs r = { .rax = SGX_EREMOVE, .rcx = base + i * 4096 };

		assert_int_equal(vmm_vcpu_encls(vmm_vm_vcpu(b, 0), &r), 0);
	}
	assert_int_equal(host_totals(f).used, 2);
	/* Frame 0 (held), frame 5 (never touched), then one not the VM's: stops at the third. */
	frames[0] = base;
	frames[1] = base + 5 * 4096;
	frames[2] = base + 3;
	frames[3] = base + 6 * 4096;
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, res(4), frames, 4), 2);
	st = host_totals(f);
	assert_int_equal(st.used, 1);
	assert_int_equal(st.free, 4095);
	assert_int_equal(call(b, VMM_EPCMEM_CURRENT_RESERVATION, res(0), NULL, 0), 1022);
	/* Giving frame 0 twice: refused at once. */
	assert_int_equal(call(b, VMM_EPCMEM_DECREASE_RESERVATION, res(1), frames, 1), 0);
	/* The ballooned frames in address order: 0, 5, then the 1024 above epc. */
	assert_int_equal(call(b, VMM_EPCMEM_BALLOONED_FRAMES, res(8), NULL, 0), 8);
	memcpy(list, vmm_vm_ram(b, LIST_GPA, sizeof(list)), sizeof(list));
	assert_int_equal(list[0], base);
	assert_int_equal(list[1], base + 5 * 4096);
	assert_int_equal(list[2], base + 1024 * 4096);
	/* Taking frame 0 again populates it now; frame 1 is not ballooned out. */
	frames[1] = base + 4096;
	assert_int_equal(call(b, VMM_EPCMEM_INCREASE_RESERVATION, res(2), frames, 2), 1);
	assert_int_equal(host_totals(f).used, 2);
	vmm_vm_stats(b, &vs);
	assert_int_equal(vs.epc_held, 2);
	assert_int_equal(call(b, VMM_EPCMEM_CURRENT_RESERVATION, res(0), NULL, 0), 1023);
}

static void test_vepc_remove_page(void **state)
{
	struct bfix *f = *state;
	struct host *h = vmm_host(f->m);
	struct hw_cpu *cpu = vmm_host_cpu(f->m);
	struct host_vepc *v;
	uint64_t pa, on[HW_MAX_NODES];
	int code;

	assert_int_equal(host_vepc_open(h, 0, NULL, &v), 0);
	assert_int_equal(host_vepc_map(v, 4), 0);
	assert_int_equal(host_vepc_remove_page(v, cpu, 1, &code), 1);
	assert_int_equal(host_vepc_fault(v, 1, &pa), 0);
	assert_true(host_vepc_present(v, 1));
	assert_int_equal(host_totals(f).used, 1);
	host_vepc_query_nodes(v, on);
	assert_int_equal(on[0], 1);
	assert_int_equal(host_vepc_remove_page(v, cpu, 1, &code), 0);
	assert_int_equal(code, 0);
	assert_false(host_vepc_present(v, 1));
	assert_int_equal(host_totals(f).free, 4096);
	/* The per-node count (the reports' VM pages per node) goes down with it. */
	host_vepc_query_nodes(v, on);
	assert_int_equal(on[0], 0);
	assert_int_equal(host_vepc_remove_page(v, cpu, 4, &code), -EINVAL);
	assert_int_equal(host_vepc_release(v, cpu), 0);
}

static void test_target_checks(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *b = vm_new(f, "b", "epc = 8\nepc_max = 12\nepc_policy = \"balloon\"\n");
	struct vmm_vm *s = vm_new(f, "s", "epc = 4\n");
	struct vmm_balloon_info in;

	assert_int_equal(vmm_vm_balloon_set_target(s, 0, f->why, sizeof(f->why)), -EPERM);
	assert_non_null(strstr(f->why, "epc_policy=\"balloon\""));
	assert_int_equal(vmm_vm_balloon_set_target(b, 3073, f->why, sizeof(f->why)), -EINVAL);
	/* Nothing is held yet: the host's 4096 pages are free, 1024 more is fine. */
	assert_int_equal(vmm_vm_balloon_set_target(b, 3072, f->why, sizeof(f->why)), 0);
	vmm_vm_balloon_query(b, &in);
	assert_int_equal(in.target, 3072);
	assert_int_equal(in.current, 2048);
}

static struct guest *boot(struct bfix *f, struct vmm_vm *vm)
{
	struct guest *g = NULL;

	if (guest_boot(vm, &g, f->why, sizeof(f->why)))
		fail_msg("boot: %s", f->why);
	return g;
}

static void balloon_to(struct bfix *f, struct guest *g, struct vmm_vm *vm, uint64_t pages,
		       struct guest_balloon_result *res)
{
	assert_int_equal(vmm_vm_balloon_set_target(vm, pages, f->why, sizeof(f->why)), 0);
	if (guest_balloon_update(g, res, f->why, sizeof(f->why)))
		fail_msg("balloon: %s", f->why);
}

/* Two VMs of 12 MiB at most on 16 MiB: one gives, the other takes. */
static void test_guest_moves_pages_between_vms(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *a = vm_new(f, "a", "epc = 8\nepc_max = 12\nepc_policy = \"balloon\"\n");
	struct vmm_vm *b = vm_new(f, "b", "epc = 8\nepc_max = 12\nepc_policy = \"balloon\"\n");
	struct guest *ga = boot(f, a), *gb = boot(f, b);
	struct guest_balloon_result r;
	struct guest_stats gs;

	assert_int_equal(host_totals(f).free, 0);
	guest_stats(ga, &gs);
	assert_int_equal(gs.epc_pages, 3072);
	assert_int_equal(gs.epc_free, 2048);
	assert_int_equal(gs.ballooned, 1024);
	balloon_to(f, ga, a, 1024, &r);
	assert_int_equal(r.given, 1024);
	assert_int_equal(r.evicted, 0);
	assert_int_equal(host_totals(f).free, 1024);
	balloon_to(f, gb, b, 3072, &r);
	assert_int_equal(r.taken, 1024);
	guest_stats(gb, &gs);
	assert_int_equal(gs.epc_free, 3072);
	assert_int_equal(gs.ballooned, 0);
	assert_int_equal(host_totals(f).free, 0);
	guest_stats(ga, &gs);
	assert_int_equal(gs.epc_free, 1024);
	assert_int_equal(gs.ballooned, 2048);
	guest_free(ga);
	guest_free(gb);
}

/* Past its free frames the guest evicts its own enclave, whose data survive. */
static void test_guest_evicts_then_verifies(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *a = vm_new(f, "a", "vcpus = 2\nepc = 8\nepc_policy = \"balloon\"\n");
	struct guest *g = boot(f, a);
	struct guest_enclave_info ei;
	struct guest_balloon_result r;
	struct host_epc_stats before;
	struct guest_stats gs;
	uint64_t pages;

	if (guest_enclave_build(g, "e", 1500, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	guest_stats(g, &gs);
	/* 2048 - 1501 enclave pages - 1 VA page. */
	assert_int_equal(gs.epc_free, 546);
	balloon_to(f, g, a, 1024, &r);
	assert_int_equal(r.given, 1024);
	assert_int_equal(r.evicted, 478);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 0);
	assert_int_equal(gs.evicted, 478);
	assert_int_equal(host_totals(f).free, 3072);
	/* Nothing more can go than its SECS, TCS and VA pages allow: nothing is given. */
	before = host_totals(f);
	assert_int_equal(vmm_vm_balloon_set_target(a, 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_balloon_update(g, &r, f->why, sizeof(f->why)), -ENOSPC);
	assert_non_null(strstr(f->why, "1 SECS, 1 TCS"));
	assert_int_equal(r.given, 0);
	assert_int_equal(host_totals(f).free, before.free);
	assert_int_equal(vmm_vm_balloon_set_target(a, 1024, f->why, sizeof(f->why)), 0);
	/* Every measured byte reads back from inside, reloaded as needed. */
	assert_int_equal(guest_enclave_verify(g, "e", &pages, f->why, sizeof(f->why)), 0);
	assert_int_equal(pages, 1497);
	assert_int_equal(guest_enclave_query(g, "e", &ei), 0);
	assert_int_equal(ei.state, GUEST_ENCLAVE_ALIVE);
	guest_free(g);
}

static void test_guest_static_vm(void **state)
{
	struct bfix *f = *state;
	struct vmm_vm *s = vm_new(f, "s", "epc = 4\n");
	struct guest *g = boot(f, s);
	struct guest_stats gs;

	assert_int_equal(guest_balloon_update(g, NULL, f->why, sizeof(f->why)), -EPERM);
	guest_stats(g, &gs);
	assert_int_equal(gs.ballooned, 0);
	assert_int_equal(gs.epc_free, 1024);
	guest_free(g);
}

#define BTEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define BTEST_VECTORS(fn)                                                                          \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? setup : NULL,            \
		    vectors_present() ? teardown : NULL, NULL                                      \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BTEST(test_config_policy),
		BTEST(test_hypercall_refusals),
		BTEST(test_hypercall_extents),
		BTEST(test_vepc_remove_page),
		BTEST(test_target_checks),
		BTEST(test_guest_moves_pages_between_vms),
		BTEST_VECTORS(test_guest_evicts_then_verifies),
		BTEST(test_guest_static_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
