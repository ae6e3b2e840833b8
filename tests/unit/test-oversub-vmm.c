// SPDX-License-Identifier: MIT
/*
 * Oversubscription in the VMM (src/vmm/oversub.c): what the config refuses
 * (a part without the extensions, epc_max above epc or 8 times below it), the
 * VA pages the VMM takes at creation and gives back at destruction, the
 * owner's limit, and the counts of a VM whose frames are only touched. The
 * eviction and reload of enclave pages run end to end in
 * examples/oversubscribe.vsgx and tests/concurrency/oversub-threads.vsgx.
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

struct ofix {
	struct vmm *m;
	char why[512];
};

static int fix_new(void **state, const char *host)
{
	struct ofix *f = calloc(1, sizeof(*f));
	struct hw_desc d;

	assert_non_null(f);
	assert_int_equal(vm_host_parse(host, &d, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	*state = f;
	return 0;
}

/* One node of 16 MiB (4096 pages), with the extensions. */
static int setup(void **state)
{
	return fix_new(state, "epc=16M@0 cpus=4 oversub=1");
}

static int setup_plain(void **state)
{
	return fix_new(state, "epc=16M@0 cpus=4");
}

static int teardown(void **state)
{
	struct ofix *f = *state;

	vmm_destroy(f->m);
	free(f);
	return 0;
}

static int parse(struct ofix *f, const char *xl, struct vm_config *cfg)
{
	char text[512];

	snprintf(text, sizeof(text), "name = \"a\"\ntype = \"hvm\"\nmemory = 256\n%s", xl);
	return vm_config_parse_xl(vmm_processor(f->m), text, cfg, f->why, sizeof(f->why));
}

static struct host_epc_stats totals(struct ofix *f)
{
	struct host_epc_stats st;

	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.free + st.used + st.zombie + st.bad, st.total);
	return st;
}

static void test_refused_without_extensions(void **state)
{
	struct ofix *f = *state;
	struct vm_config cfg;

	assert_int_equal(parse(f, "epc = 8\nepc_policy = \"oversubscribe\"\n", &cfg), -EINVAL);
	assert_non_null(strstr(f->why, "epc_policy = \"oversubscribe\" needs the EPC "
				       "Oversubscription Extensions"));
	/* The fix it names: the other way, which any SGX host runs. */
	assert_non_null(strstr(f->why, "or epc_oversub = \"trap\""));
	assert_int_equal(parse(f,
			       "epc = 8\nepc_policy = \"oversubscribe\"\n"
			       "epc_oversub = \"extensions\"\n",
			       &cfg),
			 -EINVAL);
	assert_int_equal(
	    parse(f, "epc = 8\nepc_policy = \"oversubscribe\"\nepc_oversub = \"trap\"\n", &cfg), 0);
	assert_int_equal(cfg.epc_oversub, VM_OVERSUB_TRAP);
}

static void test_config_limits(void **state)
{
	struct ofix *f = *state;
	struct vm_config cfg;

	assert_int_equal(parse(f, "epc = 8\nepc_max = 16\nepc_policy = \"oversubscribe\"\n", &cfg),
			 -EINVAL);
	assert_non_null(strstr(f->why, "epc_max is above epc"));
	assert_int_equal(parse(f, "epc = 64\nepc_max = 4\nepc_policy = \"oversubscribe\"\n", &cfg),
			 -EINVAL);
	assert_non_null(strstr(f->why, "raise epc_max to at least 8"));
	assert_int_equal(parse(f, "epc_policy = \"oversubscribe\"\n", &cfg), -EINVAL);
	assert_non_null(strstr(f->why, "the VM has no EPC"));
	/* 8 times is the most. */
	assert_int_equal(parse(f, "epc = 16\nepc_max = 2\nepc_policy = \"oversubscribe\"\n", &cfg),
			 0);
	assert_int_equal(cfg.epc_policy, VM_EPC_OVERSUBSCRIBE);
	assert_int_equal(cfg.epc_host_max, 2ULL << 20);
	assert_int_equal(parse(f, "epc = 8\nepc_policy = \"oversubscribe\"\n", &cfg), 0);
	assert_int_equal(cfg.epc_host_max, 8ULL << 20);
}

static void test_va_pages_and_limit(void **state)
{
	struct ofix *f = *state;
	struct vmm_oversub_info ov;
	struct vmm_vm_teardown td;
	struct host_epc_stats st;
	struct vm_config cfg;
	struct vmm_vm *vm;
	uint64_t done = 99;

	assert_int_equal(parse(f, "epc = 8\nepc_max = 1\nepc_policy = \"oversubscribe\"\n", &cfg),
			 0);
	assert_int_equal(vmm_vm_create(f->m, "a", &cfg, &vm, f->why, sizeof(f->why)), 0);
	vmm_oversub_query(vm, &ov);
	/* 2048 frames: 4 VA pages of 512 slots, taken from the host at creation. */
	assert_int_equal(ov.va_pages, 4);
	assert_int_equal(ov.host_max, 256);
	assert_int_equal(ov.evicted + ov.reloaded + ov.freed + ov.blobs + ov.worst_stall, 0);
	st = totals(f);
	assert_int_equal(st.used, 4);
	/* Nothing present: nothing to evict, and no error. */
	assert_int_equal(vmm_oversub_evict(vm, 10, &done), 0);
	assert_int_equal(done, 0);
	vmm_vm_destroy(vm, &td);
	st = totals(f);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.free, 4096);
}

static void test_static_vm(void **state)
{
	struct ofix *f = *state;
	struct vmm_oversub_info ov;
	struct vm_config cfg;
	struct vmm_vm *vm;
	uint64_t done = 0;

	assert_int_equal(parse(f, "epc = 8\n", &cfg), 0);
	assert_int_equal(vmm_vm_create(f->m, "s", &cfg, &vm, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_oversub_evict(vm, 1, &done), -EPERM);
	vmm_oversub_query(vm, &ov);
	assert_int_equal(ov.va_pages, 0);
	assert_int_equal(totals(f).used, 0);
	vmm_vm_destroy(vm, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_without_extensions, setup_plain,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_va_pages_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_vm, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
