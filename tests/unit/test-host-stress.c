// SPDX-License-Identifier: MIT
/*
 * Stress of the host layer: VM threads building guest enclaves in vEPC
 * instances (a SECS in one instance, children in another), resetting them
 * with remove-all and releasing them in either order (zombies); host-enclave
 * threads building, faulting and destroying enclaves under a group limit;
 * a raw competitor for EPC, and a reclaimer thread - all at once. Every page handed out is marked
 * with its holder, so a page given to two holders at once is caught; a checker thread watches free
 * + used + zombie + bad == total per node the whole time. Runs well under 20 s under ASan and TSan.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "host-fixture.h"

#define NODE0_PAGES 48
#define NODE1_PAGES 24
#define NR_PAGES    (NODE0_PAGES + NODE1_PAGES)
#define NODE1_BASE  0x90000000ULL
#define NR_VMS	    3
#define VM_ROUNDS   1500
#define ENCL_ROUNDS 600
#define INST_PAGES  24
#define VAS_X	    0x200000000ULL
#define VAS_Y	    0x300000000ULL

struct stress {
	struct hw_processor *p;
	struct host *h;
	_Atomic int mark[NR_PAGES]; /* holder id + 1 of each handed-out page, 0 if none */
	atomic_uint_fast64_t errors, bad_sums, checks, remove_busy, zombies_seen, built, ewb, eldu;
	atomic_int running;
};

static int page_no(uint64_t pa)
{
	if (pa >= NODE1_BASE)
		return NODE0_PAGES + (int)((pa - NODE1_BASE) / SGX_PAGE_SIZE);
	return (int)((pa - HWF_EPC_BASE) / SGX_PAGE_SIZE);
}

/* Claim (pa) for (id); a page some other holder has is an error. */
static void mark_claim(struct stress *s, uint64_t pa, int id)
{
	int want = 0;

	if (!atomic_compare_exchange_strong(&s->mark[page_no(pa)], &want, id + 1) && want != id + 1)
		atomic_fetch_add(&s->errors, 1);
}

static void mark_drop(struct stress *s, uint64_t pa, int id)
{
	int want = id + 1;

	if (!atomic_compare_exchange_strong(&s->mark[page_no(pa)], &want, 0))
		atomic_fetch_add(&s->errors, 1);
}

/* Operands of one thread's leaves. */
struct ops {
	struct sgx_pageinfo *pi;
	struct sgx_secinfo *si;
	struct sgx_secs *secs;
	uint8_t *page;
};

static void ops_init(struct ops *o)
{
	o->pi = aligned_alloc(32, 32);
	o->si = aligned_alloc(64, 64);
	o->secs = aligned_alloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	o->page = aligned_alloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	memset(o->page, 0x3c, SGX_PAGE_SIZE);
}

static void ops_free(struct ops *o)
{
	free(o->pi);
	free(o->si);
	free(o->secs);
	free(o->page);
}

static int guest_ecreate(struct hw_cpu *cpu, struct ops *o, uint64_t secs_la)
{
	memset(o->secs, 0, sizeof(*o->secs));
	o->secs->base = HWF_ENCL_BASE;
	o->secs->size = HWF_ENCL_SIZE;
	o->secs->ssa_frame_size = 1;
	o->secs->attributes.flags = SGX_ATTR_MODE64BIT;
	o->secs->attributes.xfrm = SGX_XFRM_LEGACY;
	memset(o->pi, 0, sizeof(*o->pi));
	memset(o->si, 0, sizeof(*o->si));
	o->si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	o->pi->srcpge = (uint64_t)(uintptr_t)o->secs;
	o->pi->secinfo = (uint64_t)(uintptr_t)o->si;
	return hw_ecreate(cpu, (uint64_t)(uintptr_t)o->pi, secs_la);
}

static int guest_eadd(struct hw_cpu *cpu, struct ops *o, uint64_t secs_la, uint64_t la,
		      uint64_t epc_la)
{
	memset(o->pi, 0, sizeof(*o->pi));
	memset(o->si, 0, sizeof(*o->si));
	o->si->flags = SECINFO_RW;
	o->pi->linaddr = la;
	o->pi->srcpge = (uint64_t)(uintptr_t)o->page;
	o->pi->secinfo = (uint64_t)(uintptr_t)o->si;
	o->pi->secs = secs_la;
	return hw_eadd(cpu, (uint64_t)(uintptr_t)o->pi, epc_la);
}

struct vm_thread {
	struct stress *s;
	int id;
	struct hw_cpu *cpu;
	unsigned int seed;
};

/* Claim every page the instance has faulted in (first touches only). */
static void vm_claim(struct stress *s, struct host_vepc *v, const bool *touched, int id)
{
	uint64_t pa;

	for (uint64_t i = 0; i < INST_PAGES; i++)
		if (touched[i] && !host_vepc_fault(v, i, &pa))
			mark_claim(s, pa, id);
}

static void vm_unclaim(struct stress *s, struct host_vepc *v, const bool *touched, int id)
{
	uint64_t pa;

	for (uint64_t i = 0; i < INST_PAGES; i++)
		if (touched[i] && !host_vepc_fault(v, i, &pa))
			mark_drop(s, pa, id);
}

/* Build a few enclaves: SECS in X, children spread over X and Y. */
static void vm_build(struct vm_thread *t, struct ops *o, struct host_vas *vas, bool *tx, bool *ty)
{
	struct hw_addr_space as;

	host_vas_addr_space(vas, &as);
	hw_cpu_set_addr_space(t->cpu, &as);
	for (uint64_t e = 0; e < 3; e++) {
		uint64_t secs_la = VAS_X + e * 8 * SGX_PAGE_SIZE;

		if (guest_ecreate(t->cpu, o, secs_la) != SGX_SUCCESS)
			continue; /* #PF: EPC exhausted, or still valid after a failed reset */
		tx[e * 8] = true;
		for (uint64_t c = 0; c < 6; c++) {
			bool in_y = (rand_r(&t->seed) & 1) != 0;
			uint64_t slot = e * 8 + 1 + c;
			uint64_t la = (in_y ? VAS_Y : VAS_X) + slot * SGX_PAGE_SIZE;

			if (guest_eadd(t->cpu, o, secs_la, HWF_ENCL_BASE + c * SGX_PAGE_SIZE, la) ==
			    SGX_SUCCESS) {
				(in_y ? ty : tx)[slot] = true;
				atomic_fetch_add(&t->s->built, 1);
			}
		}
	}
}

/*
 * The documented protocol: both instances, then again those that answered
 * nonzero. A -EBUSY (another thread's leaf met ours on a page) starts it
 * over: that walk stopped part way, so its count means nothing.
 */
static void vm_reset(struct vm_thread *t, struct host_vepc *x, struct host_vepc *y)
{
	for (int tries = 0; tries < 8; tries++) {
		int64_t rx = host_vepc_remove_all(x, t->cpu, NULL);
		int64_t ry = host_vepc_remove_all(y, t->cpu, NULL);

		if (rx < 0 || ry < 0) {
			atomic_fetch_add(&t->s->remove_busy, 1);
			continue;
		}
		if (rx)
			rx = host_vepc_remove_all(x, t->cpu, NULL);
		if (ry)
			ry = host_vepc_remove_all(y, t->cpu, NULL);
		/* Nobody else touches this VM's instances: the second round must be clean. */
		if (rx || ry)
			atomic_fetch_add(&t->s->errors, 1);
		return;
	}
	atomic_fetch_add(&t->s->errors, 1);
}

static void *vm_main(void *arg)
{
	struct vm_thread *t = arg;
	struct stress *s = t->s;
	struct ops o;

	ops_init(&o);
	for (int round = 0; round < VM_ROUNDS; round++) {
		struct host_vepc *x, *y;
		struct host_vas vas;
		bool tx[INST_PAGES] = { 0 }, ty[INST_PAGES] = { 0 };

		if (host_vepc_open(s->h, (unsigned int)round % 2, NULL, &x) ||
		    host_vepc_open(s->h, (unsigned int)(round + 1) % 2, NULL, &y) ||
		    host_vepc_map(x, INST_PAGES) || host_vepc_map(y, INST_PAGES)) {
			atomic_fetch_add(&s->errors, 1);
			break;
		}
		host_vas_init(&vas);
		host_vas_add(&vas, x, VAS_X);
		host_vas_add(&vas, y, VAS_Y);
		vm_build(t, &o, &vas, tx, ty);
		vm_claim(s, x, tx, t->id);
		vm_claim(s, y, ty, t->id);
		if (round % 3 == 0) {
			/* An unclean reboot: reset, build again in the same pages. */
			vm_reset(t, x, y);
			vm_build(t, &o, &vas, tx, ty);
			vm_claim(s, x, tx, t->id);
			vm_claim(s, y, ty, t->id);
		}
		vm_unclaim(s, x, tx, t->id);
		vm_unclaim(s, y, ty, t->id);
		/* Release X first half the time: its SECS pages become zombies. */
		if (round % 2) {
			host_vepc_release(x, t->cpu);
			if (host_zombie_retry(s->h, t->cpu))
				atomic_fetch_add(&s->zombies_seen, 1);
			host_vepc_release(y, t->cpu);
		} else {
			host_vepc_release(y, t->cpu);
			host_vepc_release(x, t->cpu);
		}
	}
	ops_free(&o);
	atomic_fetch_sub(&s->running, 1);
	return NULL;
}

struct encl_thread {
	struct stress *s;
	int id;
	struct hw_cpu *cpu;
	struct host_owner *group;
};

static void *encl_main(void *arg)
{
	struct encl_thread *t = arg;
	struct stress *s = t->s;
	uint8_t *src = aligned_alloc(SGX_PAGE_SIZE, 8 * SGX_PAGE_SIZE);
	struct sgx_secs secs;

	memset(src, 0x11, 8 * SGX_PAGE_SIZE);
	memset(&secs, 0, sizeof(secs));
	secs.base = 1ULL << 36;
	secs.size = 1ULL << 20;
	secs.ssa_frame_size = 1;
	secs.attributes.flags = SGX_ATTR_MODE64BIT;
	secs.attributes.xfrm = SGX_XFRM_LEGACY;
	for (int round = 0; round < ENCL_ROUNDS; round++) {
		struct host_encl_info info;
		struct host_encl *e;
		uint64_t pa;

		if (host_encl_create(s->h, t->cpu, t->group, &secs, &e, NULL))
			continue; /* EPC exhausted or the group at its limit */
		for (uint64_t k = 0; k < 4; k++)
			host_encl_add_pages(e, t->cpu, k * 8 * SGX_PAGE_SIZE, src,
					    8 * SGX_PAGE_SIZE, SECINFO_RW, k == 0, NULL);
		for (uint64_t k = 0; k < 32; k++) {
			int r =
			    host_encl_fault(e, t->cpu, secs.base + k * SGX_PAGE_SIZE, &pa, NULL);

			if (r && r != -ENOMEM && r != -EFAULT && r != -EAGAIN)
				atomic_fetch_add(&s->errors, 1);
		}
		host_encl_query(e, &info);
		atomic_fetch_add(&s->ewb, info.ewb);
		atomic_fetch_add(&s->eldu, info.eldu);
		host_encl_destroy(e, t->cpu);
	}
	free(src);
	atomic_fetch_sub(&s->running, 1);
	return NULL;
}

/* Raw allocations racing everybody: each page claimed, then given back. */
static void *compete_main(void *arg)
{
	struct stress *s = arg;
	uint64_t pa;

	while (atomic_load(&s->running) > 0) {
		if (host_page_alloc(s->h, 1, &pa)) {
			sched_yield();
			continue;
		}
		mark_claim(s, pa, 99);
		mark_drop(s, pa, 99);
		if (host_page_free(s->h, pa))
			atomic_fetch_add(&s->errors, 1);
	}
	return NULL;
}

static void *check_main(void *arg)
{
	struct stress *s = arg;

	while (atomic_load(&s->running) > 0) {
		for (unsigned int nd = 0; nd < 2; nd++) {
			struct host_epc_stats st;

			host_node_stats(s->h, nd, &st);
			if (st.free + st.used + st.zombie + st.bad != st.total ||
			    st.total != (nd ? NODE1_PAGES : NODE0_PAGES))
				atomic_fetch_add(&s->bad_sums, 1);
		}
		atomic_fetch_add(&s->checks, 1);
		sched_yield();
	}
	return NULL;
}

struct reclaim_thread {
	struct stress *s;
	struct hw_cpu *cpu;
};

static void *reclaim_main(void *arg)
{
	struct reclaim_thread *t = arg;

	while (atomic_load(&t->s->running) > 0) {
		host_reclaim(t->s->h, t->cpu, NULL, 8);
		sched_yield();
	}
	return NULL;
}

static void test_stress(void **state)
{
	struct stress *s = calloc(1, sizeof(*s));
	struct vm_thread vms[NR_VMS];
	struct encl_thread encls[2];
	struct host_owner *group;
	struct host_epc_stats st;
	pthread_t tv[NR_VMS], te[2], tc, tk;
	struct hw_desc d;
	struct hw_stats hs;

	(void)state;
	assert_non_null(s);
	hw_desc_init_default(&d);
	d.nr_cpus = 8;
	d.nr_sections = 2;
	d.sections[0] =
	    (struct hw_epc_section_desc){ HWF_EPC_BASE, NODE0_PAGES * SGX_PAGE_SIZE, 0 };
	d.sections[1] = (struct hw_epc_section_desc){ NODE1_BASE, NODE1_PAGES * SGX_PAGE_SIZE, 1 };
	assert_int_equal(hw_processor_create(&d, &s->p), 0);
	assert_int_equal(host_create(s->p, hw_processor_cpu(s->p, 7), &s->h), 0);
	assert_int_equal(host_owner_create(s->h, HOST_OWNER_ENCLAVES, 40, &group), 0);
	atomic_store(&s->running, NR_VMS + 2);
	for (int i = 0; i < NR_VMS; i++) {
		vms[i] = (struct vm_thread){ s, i, hw_processor_cpu(s->p, (unsigned int)i),
					     (unsigned int)i * 7919u + 1 };
		assert_int_equal(pthread_create(&tv[i], NULL, vm_main, &vms[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		encls[i] = (struct encl_thread){ s, 10 + i, hw_processor_cpu(s->p, 3 + (unsigned)i),
						 i ? group : NULL };
		assert_int_equal(pthread_create(&te[i], NULL, encl_main, &encls[i]), 0);
	}
	assert_int_equal(pthread_create(&tc, NULL, compete_main, s), 0);
	assert_int_equal(pthread_create(&tk, NULL, check_main, s), 0);
	struct reclaim_thread rt = { s, hw_processor_cpu(s->p, 5) };
	pthread_t tr;

	assert_int_equal(pthread_create(&tr, NULL, reclaim_main, &rt), 0);
	for (int i = 0; i < NR_VMS; i++)
		pthread_join(tv[i], NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(te[i], NULL);
	pthread_join(tc, NULL);
	pthread_join(tk, NULL);
	pthread_join(tr, NULL);

	printf("# pages built %llu, checks %llu, zombie retries that left zombies %llu, busy "
	       "resets %llu, EWB %llu, ELDU %llu\n",
	       (unsigned long long)atomic_load(&s->built),
	       (unsigned long long)atomic_load(&s->checks),
	       (unsigned long long)atomic_load(&s->zombies_seen),
	       (unsigned long long)atomic_load(&s->remove_busy),
	       (unsigned long long)atomic_load(&s->ewb), (unsigned long long)atomic_load(&s->eldu));
	assert_int_equal(atomic_load(&s->errors), 0);
	assert_int_equal(atomic_load(&s->bad_sums), 0);
	assert_true(atomic_load(&s->checks) > 0);
	/* Everything released: no zombie left, no page lost, nothing valid. */
	assert_int_equal(host_zombie_retry(s->h, hw_processor_cpu(s->p, 7)), 0);
	host_stats(s->h, &st);
	assert_int_equal(st.total, NR_PAGES);
	assert_int_equal(st.free, NR_PAGES);
	assert_int_equal(st.bad, 0);
	for (int i = 0; i < NR_PAGES; i++)
		assert_int_equal(atomic_load(&s->mark[i]), 0);
	hw_processor_stats(s->p, &hs);
	assert_int_equal(hs.valid_pages, 0);
	assert_int_equal(host_owner_destroy(group), 0);
	host_destroy(s->h);
	hw_processor_destroy(s->p);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
