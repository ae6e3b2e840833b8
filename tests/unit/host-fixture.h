/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the host-layer tests (test-epc, test-vepc,
 * test-hostencl, test-host-stress): a processor plus a host driver on it,
 * exact page-count assertions, and enclaves built the way a guest builds
 * them, through an address space over vEPC instances.
 *
 * CPU roles: cpu 0 is the "guest" (vEPC address space installed), cpu 1 the
 * host driver's, cpu 2 and up for threads parked inside enclaves.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h>, <stdint.h> and <cmocka.h>.
 */
#ifndef VSGX_TESTS_HOST_FIXTURE_H
#define VSGX_TESTS_HOST_FIXTURE_H

#include "hw-fixture.h"
#include "vsgx/host.h"

/* Guest-linear bases of vEPC instances in struct hf's address space. */
#define HF_VAS_X 0x200000000ULL
#define HF_VAS_Y 0x300000000ULL
#define HF_VAS_Z 0x400000000ULL

struct hf {
	struct hwfix *f;
	struct host *h;
	struct hw_cpu *guest; /* cpu 0 */
	struct hw_cpu *kcpu;  /* cpu 1 */
	struct host_vas vas;
};

static inline struct hf *hf_new(const struct hw_desc *d)
{
	struct hf *hf = calloc(1, sizeof(*hf));
	struct hw_desc def;

	assert_non_null(hf);
	if (!d) {
		hw_desc_init_default(&def);
		d = &def;
	}
	hf->f = hwf_new(d);
	hf->guest = hw_processor_cpu(hf->f->p, 0);
	hf->kcpu = hw_processor_cpu(hf->f->p, 1);
	assert_int_equal(host_create(hf->f->p, hf->kcpu, &hf->h), 0);
	host_vas_init(&hf->vas);
	return hf;
}

static inline void hf_free(struct hf *hf)
{
	if (!hf)
		return;
	host_destroy(hf->h);
	hwf_free(hf->f);
	free(hf);
}

/* A small part: one section of (pages) pages at the default base, node 0. */
static inline void hf_desc_small(struct hw_desc *d, uint64_t pages)
{
	hw_desc_init_default(d);
	d->sections[0].size = pages * SGX_PAGE_SIZE;
}

static inline int hf_setup(void **state)
{
	*state = hf_new(NULL);
	return 0;
}

static inline int hf_teardown(void **state)
{
	hf_free(*state);
	*state = NULL;
	return 0;
}

#define HF_TEST(fn)                                                                                \
	{                                                                                          \
#fn, fn, hf_setup, hf_teardown, NULL                                               \
	}

static inline struct host_epc_stats hf_stats(struct hf *hf)
{
	struct host_epc_stats s;

	memset(&s, 0xa5, sizeof(s));
	host_stats(hf->h, &s);
	assert_int_equal(s.free + s.used + s.zombie + s.bad, s.total);
	return s;
}

/* Exact counts: free, used, zombie, bad. */
#define assert_epc(hf, fr, us, zo, ba)                                                             \
	do {                                                                                       \
		struct host_epc_stats s_ = hf_stats(hf);                                           \
		assert_int_equal(s_.free, (fr));                                                   \
		assert_int_equal(s_.used, (us));                                                   \
		assert_int_equal(s_.zombie, (zo));                                                 \
		assert_int_equal(s_.bad, (ba));                                                    \
	} while (0)

/* A mapped vEPC instance of (pages) pages on node 0, added to the guest's view at (base). */
static inline struct host_vepc *hf_vepc(struct hf *hf, uint64_t pages, uint64_t base)
{
	struct host_vepc *v = NULL;
	struct hw_addr_space as;

	assert_int_equal(host_vepc_open(hf->h, 0, NULL, &v), 0);
	assert_int_equal(host_vepc_map(v, pages), 0);
	assert_int_equal(host_vas_add(&hf->vas, v, base), 0);
	host_vas_addr_space(&hf->vas, &as);
	hw_cpu_set_addr_space(hf->guest, &as);
	return v;
}

/* Reinstall the guest's view on cpu 0 (host calls switch the CPU they run on). */
static inline void hf_guest_view(struct hf *hf)
{
	struct hw_addr_space as;

	host_vas_addr_space(&hf->vas, &as);
	hw_cpu_set_addr_space(hf->guest, &as);
}

/* Physical address behind guest-linear (la); faults the page in. */
static inline uint64_t hf_pa(struct hf *hf, uint64_t la)
{
	struct hw_xlate x;

	for (unsigned int i = 0; i < hf->vas.nr; i++) {
		if (la >= hf->vas.map[i].base && la - hf->vas.map[i].base < hf->vas.map[i].size) {
			assert_int_equal(
			    host_vepc_xlate(hf->vas.map[i].v, la - hf->vas.map[i].base, &x), 0);
			return x.pa;
		}
	}
	fail_msg("0x%llx is in no instance", (unsigned long long)la);
	return 0;
}

/*
 * As a guest would: ECREATE the usual test enclave (ELRANGE HWF_ENCL_BASE)
 * with its SECS at guest-linear (secs_la), then EADD ELRANGE page i at
 * (child_la[i]) for i < n, on cpu 0 through the vEPC view.
 */
static inline void hf_guest_enclave(struct hf *hf, uint64_t secs_la, const uint64_t *child_la,
				    unsigned int n)
{
	struct hw_cpu *saved = hf->f->cpu;
	struct sgx_secs s;

	hf_guest_view(hf);
	hf->f->cpu = hf->guest;
	hwf_secs_default(&s);
	assert_int_equal(hwf_ecreate(hf->f, &s, secs_la), SGX_SUCCESS);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(hwf_eadd(hf->f, secs_la, child_la[i],
					  HWF_ENCL_BASE + (uint64_t)i * SGX_PAGE_SIZE, SECINFO_RW,
					  NULL),
				 SGX_SUCCESS);
	hf->f->cpu = saved;
}

static inline bool hf_valid(struct hf *hf, uint64_t pa)
{
	return hwf_epcm(hf->f, pa).valid;
}

static inline uint64_t hf_valid_pages(struct hf *hf)
{
	return hwf_stats(hf->f).valid_pages;
}

#endif /* VSGX_TESTS_HOST_FIXTURE_H */
