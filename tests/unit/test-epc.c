// SPDX-License-Identifier: MIT
/*
 * The host's EPC pages: discovery through CPUID, NUMA nodes, the per-node
 * allocator, boot sanitization (warm restarts with enclaves left behind),
 * the zombie list entry points, owners and limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host-fixture.h"

#define TOTAL (HWF_EPC_SIZE / SGX_PAGE_SIZE)

static void test_discovery_default(void **state)
{
	struct hf *hf = *state;
	struct host_epc_stats s;

	assert_int_equal(host_nr_nodes(hf->h), 1);
	assert_epc(hf, TOTAL, 0, 0, 0);
	assert_int_equal(host_node_stats(hf->h, 0, &s), 0);
	assert_int_equal(s.total, TOTAL);
	assert_int_equal(host_node_total_bytes(hf->h, 0), HWF_EPC_SIZE);
	assert_int_equal(host_node_total_bytes(hf->h, 1), 0);
	assert_int_equal(host_node_stats(hf->h, HW_MAX_NODES, &s), -EINVAL);
	assert_ptr_equal(host_processor(hf->h), hf->f->p);
}

/* Sections on nodes 0, 2, 0 (16, 8 and 4 pages). */
static void desc_numa(struct hw_desc *d)
{
	hw_desc_init_default(d);
	d->nr_sections = 3;
	d->sections[0] = (struct hw_epc_section_desc){ 0x80000000ULL, 16 * SGX_PAGE_SIZE, 0 };
	d->sections[1] = (struct hw_epc_section_desc){ 0x90000000ULL, 8 * SGX_PAGE_SIZE, 2 };
	d->sections[2] = (struct hw_epc_section_desc){ 0xa0000000ULL, 4 * SGX_PAGE_SIZE, 0 };
}

static void test_numa_nodes(void **state)
{
	struct hw_desc d;
	struct hf *hf;
	struct host_epc_stats s;
	uint64_t pa;

	(void)state;
	desc_numa(&d);
	hf = hf_new(&d);
	assert_int_equal(host_nr_nodes(hf->h), 3);
	assert_int_equal(host_node_total_bytes(hf->h, 0), 20 * SGX_PAGE_SIZE);
	assert_int_equal(host_node_total_bytes(hf->h, 1), 0);
	assert_int_equal(host_node_total_bytes(hf->h, 2), 8 * SGX_PAGE_SIZE);
	/* Node 2 first: its section, lowest page first. */
	assert_int_equal(host_page_alloc(hf->h, 2, &pa), 0);
	assert_int_equal(pa, 0x90000000ULL);
	for (int i = 1; i < 8; i++) {
		assert_int_equal(host_page_alloc(hf->h, 2, &pa), 0);
		assert_int_equal(pa, 0x90000000ULL + (uint64_t)i * SGX_PAGE_SIZE);
	}
	host_node_stats(hf->h, 2, &s);
	assert_int_equal(s.free, 0);
	assert_int_equal(s.used, 8);
	/* Node 2 empty: the next node with EPC, node 0. */
	assert_int_equal(host_page_alloc(hf->h, 2, &pa), 0);
	assert_int_equal(pa, 0x80000000ULL);
	/* A node without EPC (1) falls through to the others too. */
	assert_int_equal(host_page_alloc(hf->h, 1, &pa), 0);
	assert_int_equal(pa, 0x80001000ULL);
	host_node_stats(hf->h, 0, &s);
	assert_int_equal(s.free, 18);
	assert_int_equal(s.used, 2);
	for (int i = 0; i < 18; i++)
		assert_int_equal(host_page_alloc(hf->h, 0, &pa), 0);
	assert_int_equal(host_page_alloc(hf->h, 0, &pa), -ENOMEM);
	assert_int_equal(host_page_alloc(hf->h, HW_MAX_NODES, &pa), -EINVAL);
	assert_epc(hf, 0, 28, 0, 0);
	/* Freed pages go back to their own node. */
	assert_int_equal(host_page_free(hf->h, 0x90003000ULL), 0);
	host_node_stats(hf->h, 2, &s);
	assert_int_equal(s.free, 1);
	assert_int_equal(host_page_alloc(hf->h, 0, &pa), 0);
	assert_int_equal(pa, 0x90003000ULL);
	hf_free(hf);
}

static void test_page_free_errors(void **state)
{
	struct hf *hf = *state;
	uint64_t pa;

	assert_int_equal(host_page_free(hf->h, HWF_EPC_BASE), -EINVAL); /* free already */
	assert_int_equal(host_page_free(hf->h, 0x1000), -EINVAL);	/* not EPC */
	assert_int_equal(host_page_alloc(hf->h, 0, &pa), 0);
	assert_int_equal(host_page_free(hf->h, pa + 8), -EINVAL);
	assert_int_equal(host_page_free(hf->h, pa), 0);
	assert_int_equal(host_page_free(hf->h, pa), -EINVAL);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

static void test_no_sgx(void **state)
{
	struct hw_desc d;
	struct hwfix *f;
	struct host *h = (struct host *)0x1;

	(void)state;
	hw_desc_init_default(&d);
	d.feature_control = 0; /* firmware left SGX disabled: CPUID 0x12 reads zeros */
	f = hwf_new(&d);
	assert_int_equal(host_create(f->p, f->cpu, &h), -ENODEV);
	assert_ptr_equal(h, (struct host *)0x1);
	hwf_free(f);
	host_destroy(NULL);
}

static void test_watermarks(void **state)
{
	struct hf *hf = *state;

	assert_int_equal(host_set_watermarks(hf->h, 10, 5), -EINVAL);
	assert_int_equal(host_set_watermarks(hf->h, 5, 5), 0);
	assert_int_equal(host_set_watermarks(hf->h, 0, 100), 0);
}

/*
 * A warm restart: a previous run (another host on the same processor) left
 * two enclaves with VA pages behind. The new host removes everything, SECS
 * pages whose children come later in the second pass, before any page is
 * handed out.
 */
static void test_sanitize_warm_restart(void **state)
{
	struct hf *hf = *state;
	struct hwfix *f = hf->f;
	struct host_sanitize_stats ss;
	struct host *h2;

	f->cpu = hf->kcpu;
	/* Enclave A: SECS at page 5, children at 1..3 (before) and 7, 8 (after). */
	hwf_ecreate_ok(f, hwf_epc(f, 5));
	for (uint64_t i = 0; i < 5; i++) {
		uint64_t page = i < 3 ? 1 + i : 4 + i;

		assert_int_equal(hwf_eadd(f, hwf_epc(f, 5), hwf_epc(f, page),
					  HWF_ENCL_BASE + i * SGX_PAGE_SIZE, SECINFO_RW, NULL),
				 SGX_SUCCESS);
	}
	/* Enclave B: SECS at page 20 after its only child at page 19. */
	hwf_ecreate_ok(f, hwf_epc(f, 20));
	assert_int_equal(
	    hwf_eadd(f, hwf_epc(f, 20), hwf_epc(f, 19), HWF_ENCL_BASE, SECINFO_TCS, NULL),
	    SGX_SUCCESS);
	assert_int_equal(hw_epa(f->cpu, SGX_PT_VA, hwf_epc(f, 30)), SGX_SUCCESS);
	assert_int_equal(hf_valid_pages(hf), 9);
	assert_int_equal(hwf_stats(f).enclaves, 2);

	assert_int_equal(host_create(f->p, hf->kcpu, &h2), 0);
	host_sanitize_stats(h2, &ss);
	assert_int_equal(ss.second_pass, 1); /* A's SECS */
	assert_int_equal(ss.bad, 0);
	assert_int_equal(hf_valid_pages(hf), 0);
	assert_int_equal(hwf_stats(f).enclaves, 0);
	host_destroy(h2);
}

/* The same, the enclaves built through a previous host's own driver. */
static void test_sanitize_after_host_enclaves(void **state)
{
	struct hf *hf = *state;
	struct host_encl *e = NULL;
	struct sgx_secs s;
	struct host_sanitize_stats ss;
	struct host_epc_stats st;
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, 4 * SGX_PAGE_SIZE);
	struct host *h2;

	hwf_secs_default(&s);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, NULL, &s, &e, NULL), 0);
	assert_int_equal(
	    host_encl_add_pages(e, hf->kcpu, 0, page, 4 * SGX_PAGE_SIZE, SECINFO_RW, true, NULL),
	    0);
	/* SECS, VA page, 4 children. */
	assert_int_equal(hf_valid_pages(hf), 6);
	/* No teardown: the old host just stops, as a kexec'd kernel does. */
	assert_int_equal(host_create(hf->f->p, hf->kcpu, &h2), 0);
	host_sanitize_stats(h2, &ss);
	assert_int_equal(ss.second_pass, 1);
	assert_int_equal(ss.bad, 0);
	host_stats(h2, &st);
	assert_int_equal(st.free, TOTAL);
	assert_int_equal(hf_valid_pages(hf), 0);
	host_destroy(h2);
	free(page);
	/* The old host's bookkeeping is stale; its EREMOVEs of invalid pages succeed. */
	host_encl_destroy(e, hf->kcpu);
}

/*
 * A thread is still inside an enclave at boot (say, a CPU the previous run
 * never took out): its children fail with SGX_ENCLAVE_ACT and its SECS keeps
 * failing with SGX_CHILD_PRESENT. None of those pages is ever handed out.
 */
static void test_sanitize_bad_pages(void **state)
{
	struct hf *hf = *state;
	struct hwfix *f = hf->f;
	struct hw_cpu *inside = hw_processor_cpu(f->p, 2);
	struct host_sanitize_stats ss;
	struct host_epc_stats st;
	struct host *h2;
	uint64_t pa, got = 0;

	f->cpu = hf->kcpu;
	hwf_ecreate_ok(f, hwf_epc(f, 0));
	for (uint64_t i = 0; i < 3; i++)
		assert_int_equal(hwf_eadd(f, hwf_epc(f, 0), hwf_epc(f, 1 + i),
					  HWF_ENCL_BASE + i * SGX_PAGE_SIZE, SECINFO_RW, NULL),
				 SGX_SUCCESS);
	assert_int_equal(hw_cpu_enclave_enter_raw(inside, hwf_epc(f, 0)), 0);

	assert_int_equal(host_create(f->p, hf->kcpu, &h2), 0);
	host_sanitize_stats(h2, &ss);
	assert_int_equal(ss.second_pass, 1);
	assert_int_equal(ss.bad, 4);
	host_stats(h2, &st);
	assert_int_equal(st.bad, 4);
	assert_int_equal(st.free, TOTAL - 4);
	assert_int_equal(st.used, 0);
	/* Every page can be allocated except the four bad ones. */
	while (host_page_alloc(h2, 0, &pa) == 0) {
		assert_true(pa >= hwf_epc(f, 4));
		got++;
	}
	assert_int_equal(got, TOTAL - 4);
	assert_int_equal(hw_cpu_enclave_exit_raw(inside), 0);
	host_destroy(h2);
}

static void test_owner_limits(void **state)
{
	struct hf *hf = *state;
	struct host_owner *o = NULL;
	struct host_owner_info info;

	assert_int_equal(host_owner_create(hf->h, (enum host_owner_kind)7, 1, &o), -EINVAL);
	assert_int_equal(host_owner_create(hf->h, HOST_OWNER_VM, 2, &o), 0);
	host_owner_query(o, &info);
	assert_int_equal(info.kind, HOST_OWNER_VM);
	assert_int_equal(info.limit, 2);
	assert_int_equal(info.usage, 0);
	assert_int_equal(info.limit_hits, 0);
	host_owner_set_limit(o, HOST_NO_LIMIT);
	host_owner_query(o, &info);
	assert_true(info.limit == HOST_NO_LIMIT);
	assert_int_equal(host_owner_destroy(o), 0);
	assert_int_equal(host_owner_destroy(NULL), 0);
}

static void test_zombie_retry_empty(void **state)
{
	struct hf *hf = *state;

	assert_int_equal(host_zombie_retry(hf->h, hf->kcpu), 0);
	assert_epc(hf, TOTAL, 0, 0, 0);
}

/*
 * Memory failure (Linux's arch_memory_failure()): a free page leaves the
 * free pages for bad at once, wherever it was among them; a used page is
 * marked and goes to bad instead of free when it is given back.
 */
static void test_memory_failure(void **state)
{
	struct hf *hf = *state;
	uint64_t base = HWF_EPC_BASE, pa, a, b;

	assert_int_equal(host_memory_failure(hf->h, 0x1000, 0), -ENXIO);
	assert_false(host_page_poisoned(hf->h, base));
	/* A fresh page the allocator has not reached: it is stepped over. */
	assert_int_equal(host_memory_failure(hf->h, base + 1 * SGX_PAGE_SIZE, 0), 0);
	assert_true(host_page_poisoned(hf->h, base + SGX_PAGE_SIZE));
	assert_epc(hf, TOTAL - 1, 0, 0, 1);
	/* A second report changes nothing; a consumer gets its SIGBUS. */
	assert_int_equal(host_memory_failure(hf->h, base + SGX_PAGE_SIZE, 0), 0);
	assert_int_equal(host_memory_failure(hf->h, base + SGX_PAGE_SIZE, HOST_MF_ACTION_REQUIRED),
			 -EHWPOISON);
	assert_epc(hf, TOTAL - 1, 0, 0, 1);
	assert_int_equal(host_page_alloc(hf->h, 0, &a), 0);
	assert_int_equal(a, base);
	assert_int_equal(host_page_alloc(hf->h, 0, &b), 0);
	assert_int_equal(b, base + 2 * SGX_PAGE_SIZE);
	/* A used page: marked, still used, bad once freed. */
	assert_int_equal(host_memory_failure(hf->h, b, 0), 0);
	assert_epc(hf, TOTAL - 3, 2, 0, 1);
	assert_int_equal(host_page_free(hf->h, b), 0);
	assert_epc(hf, TOTAL - 3, 1, 0, 2);
	/* A page given back, then poisoned: out of the given-back stack. */
	assert_int_equal(host_page_free(hf->h, a), 0);
	assert_epc(hf, TOTAL - 2, 0, 0, 2);
	assert_int_equal(host_memory_failure(hf->h, a, 0), 0);
	assert_epc(hf, TOTAL - 3, 0, 0, 3);
	/* Neither bad page is ever handed out again. */
	for (uint64_t n = 0; n < TOTAL - 3; n++) {
		assert_int_equal(host_page_alloc(hf->h, 0, &pa), 0);
		assert_true(pa != base && pa != base + SGX_PAGE_SIZE && pa != b);
	}
	assert_int_equal(host_page_alloc(hf->h, 0, &pa), -ENOMEM);
	assert_epc(hf, 0, TOTAL - 3, 0, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HF_TEST(test_discovery_default),
		cmocka_unit_test(test_numa_nodes),
		HF_TEST(test_page_free_errors),
		cmocka_unit_test(test_no_sgx),
		HF_TEST(test_watermarks),
		HF_TEST(test_sanitize_warm_restart),
		HF_TEST(test_sanitize_after_host_enclaves),
		HF_TEST(test_sanitize_bad_pages),
		HF_TEST(test_owner_limits),
		HF_TEST(test_zombie_retry_empty),
		HF_TEST(test_memory_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
