// SPDX-License-Identifier: MIT
/*
 * The EPC owner tree: a page is charged to its owner and every owner above
 * it, each within its max; a charge at a max counts an event at that level
 * only and leaves nothing charged; host enclaves pay with pages of the
 * subtree of the owner at its max, and no one else's; a max below what an
 * owner holds is refused with nothing changed; and many threads charging
 * at once never take an owner past its max.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host-fixture.h"

static struct host_owner *mk(struct hf *hf, struct host_owner *parent, const char *name,
			     enum host_owner_kind kind, uint64_t max)
{
	struct host_owner *o = NULL;

	assert_int_equal(
	    host_owner_create_in(hf->h, parent, name, kind, max, HOST_ON_MAX_REFUSE, &o), 0);
	return o;
}

static struct host_owner_info info(struct host_owner *o)
{
	struct host_owner_info oi;

	host_owner_query(o, &oi);
	return oi;
}

/* A mapped vEPC instance of (pages) pages charged to VM owner (o). */
static struct host_vepc *vepc(struct hf *hf, struct host_owner *o, uint64_t pages)
{
	struct host_vepc *v = NULL;

	assert_int_equal(host_vepc_open(hf->h, 0, o, &v), 0);
	assert_int_equal(host_vepc_map(v, pages), 0);
	return v;
}

/* Fault pages [from, to) of (v) in; all must succeed. */
static void touch(struct host_vepc *v, uint64_t from, uint64_t to)
{
	uint64_t pa;

	for (uint64_t i = from; i < to; i++)
		assert_int_equal(host_vepc_fault(v, i, &pa), 0);
}

#define assert_owner(o, cur, ev)                                                                   \
	do {                                                                                       \
		struct host_owner_info oi_ = info(o);                                              \
		assert_int_equal(oi_.usage, (cur));                                                \
		assert_int_equal(oi_.limit_hits, (ev));                                            \
	} while (0)

static void test_names_and_shape(void **state)
{
	struct hf *hf = *state;
	struct host_owner *root = host_owner_root(hf->h), *a, *vm, *o;
	struct host_owner_info oi;

	oi = info(root);
	assert_string_equal(oi.name, "root");
	assert_string_equal(oi.parent, "");
	assert_int_equal(oi.limit, HOST_NO_LIMIT);
	a = mk(hf, NULL, "a", HOST_OWNER_ENCLAVES, 10);
	vm = mk(hf, a, "vm:x", HOST_OWNER_VM, HOST_NO_LIMIT);
	oi = info(vm);
	assert_string_equal(oi.parent, "a");
	assert_int_equal(oi.depth, 2);
	assert_ptr_equal(host_owner_find(hf->h, "vm:x"), vm);
	assert_null(host_owner_find(hf->h, "nosuch"));
	/* A name is taken once; a VM's owner has no children; the root stays. */
	assert_int_equal(
	    host_owner_create_in(hf->h, NULL, "a", HOST_OWNER_ENCLAVES, 1, HOST_ON_MAX_REFUSE, &o),
	    -EEXIST);
	assert_int_equal(
	    host_owner_create_in(hf->h, vm, "b", HOST_OWNER_ENCLAVES, 1, HOST_ON_MAX_REFUSE, &o),
	    -EINVAL);
	assert_int_equal(host_owner_destroy(root), -EPERM);
	/* A parent with a child is busy. */
	assert_int_equal(info(a).members, 1);
	assert_int_equal(host_owner_destroy(a), -EBUSY);
	assert_int_equal(host_owner_destroy(vm), 0);
	assert_int_equal(info(a).members, 0);
	assert_int_equal(host_owner_destroy(a), 0);
}

static void test_hierarchical_charge(void **state)
{
	struct hf *hf = *state;
	struct host_owner *a = mk(hf, NULL, "a", HOST_OWNER_ENCLAVES, 10);
	struct host_owner *b = mk(hf, a, "b", HOST_OWNER_ENCLAVES, HOST_NO_LIMIT);
	struct host_owner *x = mk(hf, b, "vm:x", HOST_OWNER_VM, HOST_NO_LIMIT);
	struct host_owner *y = mk(hf, a, "vm:y", HOST_OWNER_VM, 3);
	struct host_vepc *vx = vepc(hf, x, 16), *vy = vepc(hf, y, 16);
	uint64_t pa;

	touch(vx, 0, 6);
	touch(vy, 0, 3);
	assert_owner(x, 6, 0);
	assert_owner(b, 6, 0);
	assert_owner(y, 3, 0);
	assert_owner(a, 9, 0);
	assert_owner(host_owner_root(hf->h), 9, 0);
	/* y at its own max: the event is y's, nothing above is charged. */
	assert_int_equal(host_vepc_fault(vy, 3, &pa), -ENOMEM);
	assert_owner(y, 3, 1);
	assert_owner(a, 9, 0);
	touch(vx, 6, 7);
	/* a at its max: x's fault is refused at a, and x and b are left as they were. */
	assert_int_equal(host_vepc_fault(vx, 7, &pa), -ENOMEM);
	assert_int_equal(host_vepc_fault(vx, 8, &pa), -ENOMEM);
	assert_owner(a, 10, 2);
	assert_owner(b, 7, 0);
	assert_owner(x, 7, 0);
	assert_ptr_equal(host_owner_at_max(x), a);
	assert_ptr_equal(host_owner_at_max(y), y);
	assert_epc(hf, HWF_EPC_SIZE / SGX_PAGE_SIZE - 10, 10, 0, 0);
	/* Releasing uncharges every level. */
	host_vepc_release(vy, hf->kcpu);
	assert_owner(a, 7, 2);
	assert_null(host_owner_at_max(x));
	touch(vx, 7, 10);
	assert_owner(a, 10, 2);
	host_vepc_release(vx, hf->kcpu);
	assert_owner(a, 0, 2);
	assert_owner(host_owner_root(hf->h), 0, 0);
	assert_int_equal(host_owner_destroy(y), 0);
	assert_int_equal(host_owner_destroy(x), 0);
	assert_int_equal(host_owner_destroy(b), 0);
	assert_int_equal(host_owner_destroy(a), 0);
}

static void test_set_max_below_current(void **state)
{
	struct hf *hf = *state;
	struct host_owner *a = mk(hf, NULL, "a", HOST_OWNER_ENCLAVES, 8);
	struct host_owner *x = mk(hf, a, "vm:x", HOST_OWNER_VM, HOST_NO_LIMIT);
	struct host_vepc *vx = vepc(hf, x, 8);

	touch(vx, 0, 5);
	assert_int_equal(host_owner_set_max(a, 4), -EBUSY);
	assert_int_equal(info(a).limit, 8);
	assert_owner(a, 5, 0);
	assert_int_equal(host_owner_set_max(a, 5), 0);
	assert_int_equal(info(a).limit, 5);
	assert_int_equal(host_owner_set_max(a, HOST_NO_LIMIT), 0);
	host_owner_set_on_max(a, HOST_ON_MAX_STOP);
	assert_int_equal(info(a).on_max, HOST_ON_MAX_STOP);
	host_vepc_release(vx, hf->kcpu);
	assert_int_equal(host_owner_destroy(x), 0);
	assert_int_equal(host_owner_destroy(a), 0);
}

/* An enclave of (nr) RW pages (plus its SECS and VA page) under (o), at (base). */
static struct host_encl *encl(struct hf *hf, struct host_owner *o, uint64_t base, unsigned int nr)
{
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct host_encl *e = NULL;
	struct sgx_secs secs;

	hwf_secs_init(&secs, base, 0x100000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, o, &secs, &e, NULL), 0);
	for (unsigned int i = 0; i < nr; i++)
		assert_int_equal(host_encl_add_pages(e, hf->kcpu, (uint64_t)i * SGX_PAGE_SIZE, page,
						     SGX_PAGE_SIZE, SECINFO_RW, false, NULL),
				 0);
	free(page);
	return e;
}

static uint64_t evicted(struct host_encl *e)
{
	struct host_encl_info ei;

	host_encl_query(e, &ei);
	return ei.evicted;
}

static void test_reclaim_in_subtree_first(void **state)
{
	struct hf *hf = *state;
	struct host_owner *a = mk(hf, NULL, "a", HOST_OWNER_ENCLAVES, 20);
	struct host_owner *g1 = mk(hf, a, "g1", HOST_OWNER_ENCLAVES, HOST_NO_LIMIT);
	struct host_owner *g2 = mk(hf, a, "g2", HOST_OWNER_ENCLAVES, HOST_NO_LIMIT);
	struct host_owner *out = mk(hf, NULL, "out", HOST_OWNER_ENCLAVES, HOST_NO_LIMIT);
	struct host_encl *e1, *e2, *e3;

	e3 = encl(hf, out, 1ULL << 36, 10); /* 12 pages outside a */
	e1 = encl(hf, g1, 2ULL << 36, 14);  /* 16 pages in a */
	assert_owner(a, 16, 0);
	/* e2's SECS, VA and 2 pages reach a's max (20); 4 more pay with g1's pages. */
	e2 = encl(hf, g2, 3ULL << 36, 6);
	assert_owner(a, 20, 4);
	assert_owner(g1, 12, 0);
	assert_owner(g2, 8, 0);
	assert_int_equal(evicted(e1), 4);
	assert_int_equal(evicted(e2), 0);
	assert_int_equal(evicted(e3), 0); /* never the pages of an owner outside a */
	assert_owner(out, 12, 0);
	/* A VM under a: its fault at a's max asks for a reclaim there, and gets the page. */
	{
		struct host_owner *x = mk(hf, a, "vm:x", HOST_OWNER_VM, HOST_NO_LIMIT);
		struct host_vepc *vx = vepc(hf, x, 4);
		uint64_t pa;

		assert_int_equal(host_vepc_fault(vx, 0, &pa), -EAGAIN);
		assert_int_equal(host_vepc_reclaim(vx, hf->kcpu), 1);
		assert_int_equal(host_vepc_fault(vx, 0, &pa), 0);
		assert_owner(a, 20, 5);
		assert_int_equal(evicted(e1) + evicted(e2), 5);
		assert_int_equal(evicted(e3), 0);
		host_vepc_release(vx, hf->kcpu);
		assert_int_equal(host_owner_destroy(x), 0);
	}
	host_encl_destroy(e2, hf->kcpu);
	host_encl_destroy(e1, hf->kcpu);
	host_encl_destroy(e3, hf->kcpu);
	assert_owner(a, 0, 5);
	assert_int_equal(host_owner_destroy(g1), 0);
	assert_int_equal(host_owner_destroy(g2), 0);
	assert_int_equal(host_owner_destroy(out), 0);
	assert_int_equal(host_owner_destroy(a), 0);
}

static void test_refuse_with_nothing_to_reclaim(void **state)
{
	struct hf *hf = *state;
	struct host_owner *a = mk(hf, NULL, "a", HOST_OWNER_ENCLAVES, 2);
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct host_encl *e = NULL;
	struct sgx_secs secs;

	/* SECS and VA page fill a; the first page finds nothing of a's to write back. */
	hwf_secs_init(&secs, 1ULL << 36, 0x10000, SGX_ATTR_MODE64BIT, SGX_XFRM_LEGACY);
	assert_int_equal(host_encl_create(hf->h, hf->kcpu, a, &secs, &e, NULL), 0);
	assert_int_equal(
	    host_encl_add_pages(e, hf->kcpu, 0, page, SGX_PAGE_SIZE, SECINFO_RW, false, NULL),
	    -ENOMEM);
	assert_owner(a, 2, 1);
	assert_int_equal(info(a).members, 1);
	assert_int_equal(host_owner_destroy(a), -EBUSY);
	host_encl_destroy(e, hf->kcpu);
	assert_owner(a, 0, 1);
	assert_int_equal(info(a).members, 0);
	free(page);
	assert_int_equal(host_owner_destroy(a), 0);
}

/* ---------------------------------------------------------------------- */
/* Many threads charging at once (the concurrency suite runs it in TSan).   */

#define THREADS	   4
#define PER_VM	   64
#define SHARED_MAX 150

struct charger {
	struct host_vepc *v;
	uint64_t ok, refused;
};

static void *charge_thread(void *arg)
{
	struct charger *c = arg;
	uint64_t pa;

	for (uint64_t i = 0; i < PER_VM; i++) {
		if (host_vepc_fault(c->v, i, &pa))
			c->refused++;
		else
			c->ok++;
	}
	return NULL;
}

static void test_concurrent_charges(void **state)
{
	struct hf *hf = *state;
	struct host_owner *a = mk(hf, NULL, "a", HOST_OWNER_ENCLAVES, SHARED_MAX);
	struct host_owner *vm[THREADS];
	struct charger c[THREADS] = { 0 };
	pthread_t t[THREADS];
	uint64_t ok = 0, refused = 0, sum = 0;
	char name[16];

	for (unsigned int i = 0; i < THREADS; i++) {
		snprintf(name, sizeof(name), "vm:%u", i);
		vm[i] = mk(hf, a, name, HOST_OWNER_VM, HOST_NO_LIMIT);
		c[i].v = vepc(hf, vm[i], PER_VM);
	}
	for (unsigned int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, charge_thread, &c[i]), 0);
	for (unsigned int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (unsigned int i = 0; i < THREADS; i++) {
		ok += c[i].ok;
		refused += c[i].refused;
		sum += info(vm[i]).usage;
		assert_int_equal(info(vm[i]).usage, c[i].ok);
	}
	/*
	 * Nothing is uncharged meanwhile, so a full a stays full: exactly its
	 * max is granted, every other fault refused and counted at a.
	 */
	assert_int_equal(ok, SHARED_MAX);
	assert_int_equal(refused, THREADS * PER_VM - SHARED_MAX);
	assert_int_equal(sum, SHARED_MAX);
	assert_owner(a, SHARED_MAX, THREADS * PER_VM - SHARED_MAX);
	assert_owner(host_owner_root(hf->h), SHARED_MAX, 0);
	for (unsigned int i = 0; i < THREADS; i++) {
		host_vepc_release(c[i].v, hf->kcpu);
		assert_int_equal(host_owner_destroy(vm[i]), 0);
	}
	assert_owner(a, 0, THREADS * PER_VM - SHARED_MAX);
	assert_int_equal(host_owner_destroy(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HF_TEST(test_names_and_shape),
		HF_TEST(test_hierarchical_charge),
		HF_TEST(test_set_max_below_current),
		HF_TEST(test_reclaim_in_subtree_first),
		HF_TEST(test_refuse_with_nothing_to_reclaim),
		HF_TEST(test_concurrent_charges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
