// SPDX-License-Identifier: MIT
/*
 * The hypervisor and the guest model together: VMs on the default two-node
 * host, guests that boot (sanitizing their EPC), load the vectors' enclaves
 * and synthetic ones, run threads, evict and reload their own pages, use
 * SGX2, and reboot cleanly and uncleanly; every EPC page accounted for on
 * the host after each step.
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
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"
#include "vsgx/vmm.h"

#define MIB (1ULL << 20)
/* A VM of 256 MiB, two vCPUs and 4 MiB (1024 pages) of EPC. */
#define SMALL_VM "memory = 256\nvcpus = 2\nepc = 4\n"

struct gfix {
	struct vmm *m;
	struct crypto_rsa_key *key;
	char why[512];
};

static int setup(void **state)
{
	struct gfix *f = calloc(1, sizeof(*f));
	struct hw_desc d;

	assert_non_null(f);
	vm_host_default(&d);
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	assert_int_equal(crypto_rsa_key_load(vector_path("sign_key.pem"), &f->key, NULL, 0), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct gfix *f = *state;

	vmm_destroy(f->m);
	crypto_rsa_key_free(f->key);
	free(f);
	return 0;
}

#define GTEST(fn)                                                                                  \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? setup : NULL,            \
		    vectors_present() ? teardown : NULL, NULL                                      \
	}

static struct vmm_vm *vm_new(struct gfix *f, const char *name, const char *xl)
{
	struct vm_config cfg;
	struct vmm_vm *vm;
	char text[512];

	snprintf(text, sizeof(text), "name = \"%s\"\ntype = \"hvm\"\n%s", name, xl);
	if (vm_config_parse_xl(vmm_processor(f->m), text, &cfg, f->why, sizeof(f->why)))
		fail_msg("config: %s", f->why);
	if (vmm_vm_create(f->m, name, &cfg, &vm, f->why, sizeof(f->why)))
		fail_msg("create: %s", f->why);
	return vm;
}

static struct guest *guest_new(struct gfix *f, struct vmm_vm *vm)
{
	struct guest *g = NULL;

	if (guest_boot(vm, &g, f->why, sizeof(f->why)))
		fail_msg("boot: %s", f->why);
	return g;
}

static void load_vector(struct gfix *f, struct guest *g, const char *name, const char *stem)
{
	char path[4200];
	struct sgxs *s;
	struct sgx_sigstruct sig;

	snprintf(path, sizeof(path), "%s.sgxs", vector_path(stem));
	assert_int_equal(sgxs_load(path, &s, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s.sig", vector_path(stem));
	assert_int_equal(sigstruct_load(path, &sig, NULL, 0), 0);
	if (guest_enclave_load(g, name, s, &sig, NULL, f->why, sizeof(f->why)))
		fail_msg("load %s: %s", stem, f->why);
	sgxs_free(s);
}

static struct host_epc_stats host_totals(struct gfix *f)
{
	struct host_epc_stats st;

	host_stats(vmm_host(f->m), &st);
	assert_int_equal(st.free + st.used + st.zombie + st.bad, st.total);
	return st;
}

static void test_boot_faults_in_all_guest_epc(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct vmm_vm_stats st;
	struct guest_stats gs;
	struct guest *g;

	vmm_vm_stats(vm, &st);
	assert_int_equal(st.epc_configured, 1024);
	assert_int_equal(st.epc_held, 0);
	/* Linux's sanitization EREMOVEs every page: each first touch allocates it. */
	g = guest_new(f, vm);
	vmm_vm_stats(vm, &st);
	assert_int_equal(st.epc_held, 1024);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_pages, 1024);
	assert_int_equal(gs.epc_free, 1024);
	assert_true(gs.sgx && gs.sgx2 && gs.flc);
	assert_int_equal(host_totals(f).used, 1024);
	guest_free(g);
}

static void test_vectors_load_and_run(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;

	load_vector(f, g, "e1", "test_enclave");
	load_vector(f, g, "e2", "synthetic");
	assert_int_equal(guest_enclave_query(g, "e1", &info), 0);
	assert_hex(info.mrenclave, 32,
		   "f14a95c99924122d3d31c5cbe42bdd55e7d0bffd8dcb8f72825cc802fbd78d21");
	assert_hex(info.mrsigner, 32,
		   "68fe2d3fdbae0b5fba72861f9b8bdb04cd5bc720211a5223b043a331b3698371");
	assert_int_equal(info.pages, 10);
	assert_int_equal(info.threads, 1);
	assert_int_equal(guest_thread_enter(g, "e1", 0, 1, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "e1", &info), 0);
	assert_int_equal(info.inside, 1);
	assert_int_equal(guest_thread_exit(g, "e1", 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_destroy(g, "e1", f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "e1", &info), -ENOENT);
	guest_free(g);
}

static void test_synthetic_threads_and_preemption(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct vmm_vm_stats st;

	if (guest_enclave_build(g, "s1", 32, 2, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(guest_thread_enter(g, "s1", 0, 0, f->why, sizeof(f->why)), 0);
	/* The guest kernel needs a vCPU: vCPU 1 is free, the thread stays inside. */
	assert_int_equal(guest_thread_enter(g, "s1", 1, 1, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "s1", &info), 0);
	assert_int_equal(info.inside, 2);
	assert_int_equal(info.pages, 33);
	/* Now every vCPU has a thread inside: kernel work preempts vCPU 0's. */
	if (guest_enclave_build(g, "s2", 8, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "s1", &info), 0);
	assert_int_equal(info.inside, 1);
	vmm_vm_stats(vm, &st);
	assert_true(st.preemptions >= 1);
	/* The preempted thread resumes and leaves. */
	assert_int_equal(guest_thread_exit(g, "s1", 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_thread_exit(g, "s1", 1, f->why, sizeof(f->why)), 0);
	guest_free(g);
}

static void test_guest_evicts_and_reloads(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", "memory = 256\nvcpus = 1\nepc = 1\n");
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct guest_stats gs;

	/* 256 guest EPC pages, 64 VA slots in stock: two 150-page enclaves must share. */
	if (guest_enclave_build(g, "a", 150, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build a: %s", f->why);
	if (guest_enclave_build(g, "b", 150, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build b: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "a", &info), 0);
	assert_true(info.evicted > 0);
	/* Running a thread of 'a' reloads what it touches, evicting 'b' in turn. */
	assert_int_equal(guest_thread_enter(g, "a", 0, 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "a", &info), 0);
	assert_int_equal(info.evicted, 0);
	assert_int_equal(guest_thread_exit(g, "a", 0, f->why, sizeof(f->why)), 0);
	guest_stats(g, &gs);
	assert_true(gs.evictions > 0 && gs.reloads > 0);
	assert_int_equal(guest_enclave_evict(g, "a", 10, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "a", &info), 0);
	assert_int_equal(info.evicted, 10);
	guest_free(g);
}

static void test_sgx2_grow_and_trim(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;

	if (guest_enclave_build(g, "s", 16, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	if (guest_enclave_grow(g, "s", 8, f->why, sizeof(f->why)))
		fail_msg("grow: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "s", &info), 0);
	assert_int_equal(info.pages, 25);
	/* The thread that ran EACCEPT left again: nobody had put it inside. */
	assert_int_equal(info.inside, 0);
	if (guest_enclave_trim(g, "s", 5, f->why, sizeof(f->why)))
		fail_msg("trim: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "s", &info), 0);
	assert_int_equal(info.pages, 20);
	assert_int_equal(info.inside, 0);
	/* A thread the user has inside stays inside through both. */
	assert_int_equal(guest_thread_enter(g, "s", 0, 1, f->why, sizeof(f->why)), 0);
	if (guest_enclave_grow(g, "s", 1, f->why, sizeof(f->why)) ||
	    guest_enclave_trim(g, "s", 1, f->why, sizeof(f->why)))
		fail_msg("grow/trim with a thread inside: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "s", &info), 0);
	assert_int_equal(info.inside, 1);
	assert_int_equal(guest_thread_exit(g, "s", 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_trim(g, "s", 4, f->why, sizeof(f->why)), -ENOSPC);
	/* Its only writable pages are SSA frames, which an AEX would overwrite: no EACCEPT. */
	if (guest_enclave_build(g, "bare", 4, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(guest_enclave_grow(g, "bare", 1, f->why, sizeof(f->why)), -EINVAL);
	assert_string_equal(f->why,
			    "enclave 'bare' has no thread or no writable page to EACCEPT from");
	guest_free(g);
}

/*
 * Grow and trim after the guest evicted the page holding EACCEPT's SECINFO
 * (and the thread's SSA frames): the kernel reloads them first, so nothing
 * fails, no EPC page leaks and no TRIM page is left for the next entry.
 */
static void test_sgx2_after_eviction(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct guest_stats gs;

	if (guest_enclave_build(g, "s", 16, 1, f->key, NULL, f->why, sizeof(f->why)) ||
	    guest_enclave_grow(g, "s", 4, f->why, sizeof(f->why)))
		fail_msg("build and grow: %s", f->why);
	assert_int_equal(guest_thread_enter(g, "s", 0, 1, f->why, sizeof(f->why)), 0);
	/* Every regular page but the dynamic ones: SSA frames, code, SECINFO's page. */
	assert_int_equal(guest_enclave_evict(g, "s", 12, f->why, sizeof(f->why)), 0);
	if (guest_enclave_grow(g, "s", 1, f->why, sizeof(f->why)))
		fail_msg("grow: %s", f->why);
	guest_stats(g, &gs);
	assert_int_equal(gs.leaked, 0);
	assert_int_equal(guest_enclave_evict(g, "s", 6, f->why, sizeof(f->why)), 0);
	if (guest_enclave_trim(g, "s", 2, f->why, sizeof(f->why)))
		fail_msg("trim: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "s", &info), 0);
	assert_int_equal(info.pages, 20);
	assert_int_equal(info.inside, 1);
	assert_int_equal(guest_thread_exit(g, "s", 0, f->why, sizeof(f->why)), 0);
	if (guest_thread_enter(g, "s", 0, 0, f->why, sizeof(f->why)))
		fail_msg("enter: %s", f->why);
	assert_int_equal(guest_thread_exit(g, "s", 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "s", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_ALIVE);
	guest_stats(g, &gs);
	assert_int_equal(gs.leaked, 0);
	assert_int_equal(gs.lost, 0);
	assert_int_equal(guest_enclave_destroy(g, "s", f->why, sizeof(f->why)), 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 1023); /* all but the VA page */
	guest_free(g);
}

/* The kselftest key's MRSIGNER: the one signer Xen's lehash lets these VMs trust. */
#define TRUSTED_LEHASH "f7d65583760159be9fd56547cffd35bb981899ad502135346af34b4ad41c613c"
/* A VM whose LE hash MSRs hold that signer and cannot be written (lewr=0). */
#define TRUSTED_VM "memory = 256\nvcpus = 2\nsgx = \"epc=4,lehash=" TRUSTED_LEHASH ",lewr=0\"\n"

static int load_with_token(struct gfix *f, struct guest *g, const char *name, const char *le)
{
	const struct guest_launch how = { .le = le };
	char path[4200];
	struct sgx_sigstruct sig;
	struct sgxs *s;
	int r;

	snprintf(path, sizeof(path), "%s", vector_path("test_enclave.sgxs"));
	assert_int_equal(sgxs_load(path, &s, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s", vector_path("test_enclave.sig"));
	assert_int_equal(sigstruct_load(path, &sig, NULL, 0), 0);
	r = guest_enclave_load(g, name, s, &sig, &how, f->why, sizeof(f->why));
	sgxs_free(s);
	return r;
}

/* The pages of an 8-page LE verify reads: all but its TCS and its two SSA frames. */
#define LE_VERIFIED 5
static int build_le(struct gfix *f, struct guest *g, const char *name, uint64_t pages)
{
	const struct guest_launch how = { .launch_key = true };

	return guest_enclave_build(g, name, pages, 1, f->key, &how, f->why, sizeof(f->why));
}

/*
 * MSRs the guest cannot write (lewr=0) hold the LE's signer: a third-party
 * enclave fails EINIT without a token and launches with one from the LE.
 */
static void test_launch_enclave_tokens(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", TRUSTED_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct guest_stats gs;

	assert_int_equal(load_with_token(f, g, "third", NULL), -EIO);
	assert_string_equal(f->why, "EINIT of 'third' gave SGX_INVALID_EINITTOKEN");
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 1024);
	if (build_le(f, g, "le", 8))
		fail_msg("build le: %s", f->why);
	if (load_with_token(f, g, "third", "le"))
		fail_msg("load with a token: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "third", &info), 0);
	assert_hex(info.mrsigner, 32,
		   "68fe2d3fdbae0b5fba72861f9b8bdb04cd5bc720211a5223b043a331b3698371");
	assert_int_equal(guest_thread_enter(g, "third", 0, 1, f->why, sizeof(f->why)), 0);
	/* The LE's thread entered for the work and left again. */
	assert_int_equal(guest_enclave_query(g, "le", &info), 0);
	assert_int_equal(info.inside, 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.tokens, 1);
	assert_int_equal(gs.epc_free, 1024 - 9 - 10 - 1); /* LE, 'third', one VA page */
	guest_free(g);
}

/* A thread the user left inside the LE stays there; an LE whose page was evicted reloads it. */
static void test_launch_enclave_inside_and_evicted(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", TRUSTED_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct guest_stats gs;

	if (build_le(f, g, "le", 8))
		fail_msg("build le: %s", f->why);
	assert_int_equal(guest_thread_enter(g, "le", 0, 1, f->why, sizeof(f->why)), 0);
	if (load_with_token(f, g, "a", "le"))
		fail_msg("load a: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "le", &info), 0);
	assert_int_equal(info.inside, 1);
	assert_int_equal(guest_thread_exit(g, "le", 0, f->why, sizeof(f->why)), 0);
	/* All but its TCS, which the guest's reclaimer leaves in place. */
	assert_int_equal(guest_enclave_evict(g, "le", 7, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "le", &info), 0);
	assert_int_equal(info.evicted, 7);
	if (load_with_token(f, g, "b", "le"))
		fail_msg("load b: %s", f->why);
	guest_stats(g, &gs);
	assert_int_equal(gs.tokens, 2);
	assert_true(gs.reloads >= 1);
	guest_free(g);
}

/*
 * The LE's writable page reads back as measured until the LE first writes
 * its operands there; from then on it is the enclave's own data, which
 * verify skips as it skips any page an enclave wrote (EACCEPT's SECINFO).
 */
static void test_launch_enclave_verify(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", TRUSTED_VM);
	struct guest *g = guest_new(f, vm);
	uint64_t pages = 0;

	if (build_le(f, g, "le", 8))
		fail_msg("build le: %s", f->why);
	assert_int_equal(guest_enclave_verify(g, "le", &pages, f->why, sizeof(f->why)), 0);
	assert_int_equal(pages, LE_VERIFIED);
	if (load_with_token(f, g, "a", "le"))
		fail_msg("load a: %s", f->why);
	assert_int_equal(guest_enclave_verify(g, "le", &pages, f->why, sizeof(f->why)), 0);
	assert_int_equal(pages, LE_VERIFIED - 1);
	guest_free(g);
}

static void test_launch_enclave_refused(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *intel =
	    vm_new(f, "intel", "memory = 256\nvcpus = 1\nsgx = \"epc=4,lewr=0\"\n");
	struct vmm_vm *vm = vm_new(f, "vm1", TRUSTED_VM);
	struct guest *gi = guest_new(f, intel), *g = guest_new(f, vm);
	struct guest_stats gs;

	/* EINITTOKEN_KEY is for the signer in the MSRs alone: here, Intel's. */
	assert_int_equal(build_le(f, gi, "le", 8), -EIO);
	assert_string_equal(f->why, "EINIT of 'le' gave SGX_INVALID_ATTRIBUTE");
	guest_stats(gi, &gs);
	assert_int_equal(gs.epc_free, 1024);
	/* No room for the LE's operands beside its thread's pages and code. */
	assert_int_equal(build_le(f, g, "le", 4), -EINVAL);
	assert_int_equal(load_with_token(f, g, "a", "nobody"), -ENOENT);
	assert_string_equal(f->why, "the guest has no launch enclave 'nobody'");
	if (guest_enclave_build(g, "plain", 8, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(load_with_token(f, g, "a", "plain"), -EINVAL);
	/* A lost LE mints nothing. */
	if (build_le(f, g, "le", 8))
		fail_msg("build le: %s", f->why);
	guest_epc_lost(g);
	assert_int_equal(load_with_token(f, g, "a", "le"), -EIO);
	assert_string_equal(f->why, "launch enclave 'le' was lost; rebuild it");
	guest_stats(g, &gs);
	assert_int_equal(gs.tokens, 0);
	guest_free(gi);
	guest_free(g);
}

static void test_unclean_reboot_resets_epc(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct vmm_epc_reset rep;
	struct vmm_vm_stats st;
	struct guest_stats gs;

	load_vector(f, g, "e1", "test_enclave");
	assert_int_equal(guest_thread_enter(g, "e1", 0, 1, f->why, sizeof(f->why)), 0);
	/* Windows-style: the enclave stays alive; the VMM stops vCPUs and removes all. */
	assert_int_equal(guest_reboot(g, false, &rep, f->why, sizeof(f->why)), 0);
	assert_int_equal(rep.result, 0);
	assert_int_equal(rep.aex, 1);
	/* The guest put the SECS below its children: the second pass takes it. */
	assert_true(rep.ran);
	assert_int_equal(rep.first[0], 1);
	assert_true(rep.retried[0]);
	assert_int_equal(rep.second[0], 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 1024);
	assert_int_equal(guest_nr_enclaves(g), 0);
	vmm_vm_stats(vm, &st);
	assert_int_equal(st.resets, 1);
	assert_int_equal(st.epc_held, 1024);
	assert_int_equal(host_totals(f).used, 1024);
	/* The guest builds again on clean EPC. */
	load_vector(f, g, "e1", "test_enclave");
	guest_free(g);
}

static void test_reset_without_stop_reports_ebusy(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct vmm_epc_reset rep;

	load_vector(f, g, "e1", "test_enclave");
	assert_int_equal(guest_thread_enter(g, "e1", 0, 1, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_vm_reset(vm, true, &rep), -EBUSY);
	assert_int_equal(rep.result, -EBUSY);
	assert_int_equal(rep.busy_section, 0);
	assert_int_equal(rep.busy_code, SGX_ENCLAVE_ACT);
	assert_int_equal(vmm_vm_state(vm), VMM_VM_ERROR);
	assert_non_null(strstr(vmm_vm_error(vm), "EBUSY (SGX_ENCLAVE_ACT)"));
	guest_free(g);
}

/*
 * A section that answers EBUSY does not keep the others from their call:
 * 'big' (a thread inside) fills section 0, 'split' has its SECS there and
 * its children in section 1. Section 0 stops at big's first page; section 1
 * still removes split's children.
 */
static void test_busy_section_others_still_called(void **state)
{
	struct gfix *f = *state;
	struct vm_config cfg;
	struct vmm_vm *vm = NULL;
	struct guest *g;
	struct vmm_epc_reset rep;
	struct hw_stats before, after;
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

	if (vm_config_parse_qemu(vmm_processor(f->m), 10, argv, &cfg, f->why, sizeof(f->why)) ||
	    vmm_vm_create(f->m, "win", &cfg, &vm, f->why, sizeof(f->why)))
		fail_msg("vm: %s", f->why);
	g = guest_new(f, vm);
	if (guest_enclave_build(g, "big", 1021, 1, f->key, NULL, f->why, sizeof(f->why)) ||
	    guest_enclave_build(g, "split", 64, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(guest_thread_enter(g, "big", 0, 0, f->why, sizeof(f->why)), 0);
	hw_processor_stats(vmm_processor(f->m), &before);
	assert_int_equal(vmm_vm_reset(vm, true, &rep), -EBUSY);
	assert_int_equal(rep.busy_section, 0);
	assert_int_equal(rep.busy_code, SGX_ENCLAVE_ACT);
	assert_int_equal(rep.first[0], -EBUSY);
	assert_int_equal(rep.first[1], 0);
	hw_processor_stats(vmm_processor(f->m), &after);
	/* The first page of big's stopped section 0 at once; section 1 lost split's 64 pages. */
	assert_int_equal(before.valid_pages - after.valid_pages, 64);
	guest_free(g);
}

static void test_sleep_loses_enclaves(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct vmm_epc_reset rep;

	load_vector(f, g, "e1", "synthetic");
	assert_int_equal(vmm_vm_sleep(vm, 3, &rep), 0);
	assert_int_equal(vmm_vm_state(vm), VMM_VM_SUSPENDED);
	assert_int_equal(guest_thread_enter(g, "e1", 0, 0, f->why, sizeof(f->why)), -EAGAIN);
	assert_int_equal(vmm_vm_wake(vm), 0);
	/* EENTER meets an invalid TCS: #PF with the SGX bit, the enclave is lost. */
	assert_int_equal(guest_thread_enter(g, "e1", 0, 0, f->why, sizeof(f->why)), -EIO);
	assert_non_null(strstr(f->why, "is lost"));
	assert_int_equal(guest_enclave_query(g, "e1", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_LOST);
	/* It is torn down and rebuilt. */
	assert_int_equal(guest_enclave_destroy(g, "e1", f->why, sizeof(f->why)), 0);
	load_vector(f, g, "e1", "synthetic");
	assert_int_equal(guest_thread_enter(g, "e1", 0, 0, f->why, sizeof(f->why)), 0);
	guest_free(g);
}

/*
 * The VA pages went with the EPC too: the guest finds that out when EWB
 * faults on one, drops it, and evicts with a fresh one; a page whose
 * version was in it cannot come back, and its enclave is lost.
 */
static void test_eviction_after_sleep(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct vmm_epc_reset rep;
	struct guest_stats gs;

	if (guest_enclave_build(g, "old", 16, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(guest_enclave_evict(g, "old", 2, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_vm_sleep(vm, 3, &rep), 0);
	assert_int_equal(vmm_vm_wake(vm), 0);
	if (guest_enclave_build(g, "new", 16, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build after S3: %s", f->why);
	/* The first EWB faults on the old VA page; the second try uses a new one. */
	assert_int_equal(guest_enclave_evict(g, "new", 4, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "new", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_ALIVE);
	assert_int_equal(info.evicted, 4);
	assert_int_equal(guest_thread_enter(g, "new", 0, 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_thread_exit(g, "new", 0, f->why, sizeof(f->why)), 0);
	/* 'old' had two pages versioned in the dropped VA page: lost without being touched. */
	assert_int_equal(guest_enclave_query(g, "old", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_LOST);
	assert_int_equal(info.evicted, 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.lost, 1);
	assert_int_equal(gs.evictions, 6);
	assert_int_equal(gs.reloads, 4);
	/* Destroying it gives every page back: only 'new' and the new VA page stay. */
	assert_int_equal(guest_enclave_destroy(g, "old", f->why, sizeof(f->why)), 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 1024 - 17 - 1);
	guest_free(g);
}

/* No guest code runs in a paused VM: its operations refuse, and nothing is half done. */
static void test_paused_vm_runs_no_guest_code(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct guest_stats gs;

	if (guest_enclave_build(g, "s", 16, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(vmm_vm_pause(vm), 0);
	assert_int_equal(guest_enclave_destroy(g, "s", f->why, sizeof(f->why)), -EAGAIN);
	assert_string_equal(f->why, "the VM is paused, no guest code runs");
	assert_int_equal(guest_reboot(g, false, NULL, f->why, sizeof(f->why)), -EAGAIN);
	assert_int_equal(guest_enclave_evict(g, "s", 1, f->why, sizeof(f->why)), -EAGAIN);
	assert_int_equal(guest_enclave_grow(g, "s", 1, f->why, sizeof(f->why)), -EAGAIN);
	assert_int_equal(guest_enclave_build(g, "t", 8, 1, f->key, NULL, f->why, sizeof(f->why)),
			 -EAGAIN);
	assert_int_equal(vmm_vm_state(vm), VMM_VM_PAUSED);
	assert_int_equal(guest_enclave_query(g, "s", &info), 0);
	assert_int_equal(info.pages, 17);
	assert_int_equal(vmm_vm_resume(vm), 0);
	assert_int_equal(guest_enclave_destroy(g, "s", f->why, sizeof(f->why)), 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 1024 - 1); /* the VA page stays */
	assert_int_equal(gs.leaked, 0);
	/* Names are kept whole or refused. */
	assert_int_equal(guest_enclave_build(g, "an-enclave-name-of-32-characters", 8, 1, f->key,
					     NULL, f->why, sizeof(f->why)),
			 -EINVAL);
	assert_string_equal(f->why, "an enclave's name has at most 31 characters, not 32");
	/* It never evicts an enclave it is building: one larger than its EPC is refused first. */
	assert_int_equal(
	    guest_enclave_build(g, "huge", 1024, 1, f->key, NULL, f->why, sizeof(f->why)), -ENOSPC);
	assert_string_equal(f->why, "an enclave of 1024 pages and its SECS cannot fit in the "
				    "guest's 1024 EPC pages");
	guest_free(g);
}

static void test_destroy_gives_epc_back(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct host_epc_stats before;

	load_vector(f, g, "e1", "test_enclave");
	guest_free(g);
	before = host_totals(f);
	vmm_vm_destroy(vm, NULL);
	assert_int_equal(host_totals(f).free, before.free + 1024);
	assert_int_equal(host_totals(f).used, 0);
	assert_int_equal(host_totals(f).zombie, 0);
}

static void test_host_epc_exhaustion_stops_vm(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *a = vm_new(f, "a", "memory = 256\nepc = 200\n");
	struct vmm_vm *b = vm_new(f, "b", "memory = 256\nepc = 200\n");
	struct guest *ga = guest_new(f, a), *gb = NULL;

	/* 400 MiB of vEPC on 256 MiB of host EPC: the second guest's boot runs out. */
	assert_int_equal(guest_boot(b, &gb, f->why, sizeof(f->why)), -EFAULT);
	assert_null(gb);
	assert_int_equal(vmm_vm_state(b), VMM_VM_ERROR);
	assert_non_null(strstr(vmm_vm_error(b), "the host has no EPC left"));
	/* The other VM goes on. */
	assert_int_equal(vmm_vm_state(a), VMM_VM_RUNNING);
	load_vector(f, ga, "e1", "test_enclave");
	guest_free(ga);
}

/*
 * A teardown the host's exhaustion stops half way fails with KVM's EFAULT and
 * keeps the enclave with the pages it did not reach; nothing counts as leaked.
 */
static void test_teardown_stopped_by_exhaustion(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *src = vm_new(f, "src", "memory = 256\nepc = 16\n"), *dst;
	struct guest *g = guest_new(f, src), *go;
	struct guest_stats gs;

	if (guest_enclave_build(g, "a", 16, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(vmm_vm_migrate(src, "dst", &dst, f->why, sizeof(f->why)), 0);
	guest_moved(g, dst);
	vmm_vm_destroy(src, NULL);
	/* Another guest takes every host EPC page; dst has none of its own yet. */
	go = guest_new(f, vm_new(f, "other", "memory = 256\nepc = 256\n"));
	assert_int_equal(guest_enclave_destroy(g, "a", f->why, sizeof(f->why)), -EFAULT);
	assert_non_null(strstr(f->why, "tearing 'a' down stopped part way (the rest stays)"));
	assert_int_equal(vmm_vm_state(dst), VMM_VM_ERROR);
	guest_stats(g, &gs);
	assert_int_equal(gs.leaked, 0);
	assert_int_equal(guest_nr_enclaves(g), 1);
	guest_free(go);
	guest_free(g);
}

/*
 * After S3 the guest meets its lost enclaves in evict and grow too (EBLOCK
 * finds a page invalid, EAUG faults on the SECS), not only in enter.
 */
static void test_lost_found_by_evict_and_grow(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct vmm_epc_reset rep;
	struct guest_stats gs;

	if (guest_enclave_build(g, "c", 16, 1, f->key, NULL, f->why, sizeof(f->why)) ||
	    guest_enclave_build(g, "d", 16, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(vmm_vm_sleep(vm, 3, &rep), 0);
	assert_int_equal(vmm_vm_wake(vm), 0);
	assert_int_equal(guest_enclave_evict(g, "c", 2, f->why, sizeof(f->why)), -EIO);
	assert_string_equal(f->why, "enclave 'c' is lost: EBLOCK found a page of it invalid (its "
				    "EPC was taken away: a reset, a sleep state or a migration)");
	assert_int_equal(guest_enclave_grow(g, "d", 1, f->why, sizeof(f->why)), -EIO);
	assert_string_equal(f->why, "enclave 'd' is lost: EAUG faulted on its SECS (its EPC was "
				    "taken away: a reset, a sleep state or a migration)");
	assert_int_equal(guest_enclave_query(g, "d", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_LOST);
	assert_int_equal(info.pages, 17); /* the EAUG page went back */
	guest_stats(g, &gs);
	assert_int_equal(gs.lost, 2);
	assert_int_equal(guest_enclave_evict(g, "c", 1, f->why, sizeof(f->why)), -EIO);
	assert_string_equal(f->why, "enclave 'c' was lost; destroy and rebuild it");
	guest_free(g);
}

/*
 * The reclaimer has a VA slot for a page before it blocks it, and makes VA
 * pages by evicting when no EPC page is free: a second enclave as large as
 * the first fits by evicting it, a third that cannot fit is refused, and
 * neither build harms the enclaves already there.
 */
static void test_failed_build_harms_no_other_enclave(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	struct guest_enclave_info info;
	struct guest_stats gs;

	if (guest_enclave_build(g, "a", 921, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build a: %s", f->why);
	if (guest_enclave_build(g, "b", 921, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build b: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "a", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_ALIVE);
	assert_int_equal(info.resident, 100);
	assert_int_equal(info.evicted, 822);
	/* SECS + 921 of 'b', 100 of 'a', two VA pages: the second one made by evicting. */
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 0);
	assert_int_equal(gs.evictions, 822);
	assert_int_equal(guest_enclave_build(g, "c", 1020, 1, f->key, NULL, f->why, sizeof(f->why)),
			 -ENOSPC);
	for (const char *n = "a"; n; n = n[0] == 'a' ? "b" : NULL) {
		if (guest_thread_enter(g, n, 0, 0, f->why, sizeof(f->why)))
			fail_msg("enter %s: %s", n, f->why);
		assert_int_equal(guest_thread_exit(g, n, 0, f->why, sizeof(f->why)), 0);
		assert_int_equal(guest_enclave_query(g, n, &info), 0);
		assert_int_equal(info.state, GUEST_ENCLAVE_ALIVE);
	}
	assert_int_equal(guest_enclave_destroy(g, "a", f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_destroy(g, "b", f->why, sizeof(f->why)), 0);
	guest_stats(g, &gs);
	assert_int_equal(gs.lost, 0);
	assert_int_equal(gs.leaked, 0);
	/* Three VA pages stay in stock, until EPC is short: all but one go for 'd'. */
	assert_int_equal(gs.epc_free, 1021);
	if (guest_enclave_build(g, "d", 1022, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build d: %s", f->why);
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 0);
	guest_free(g);
}

/*
 * An SGXS whose ECREATE claims more than the guest's CPUID allows (2^36
 * bytes, MaxEnclaveSize_64) is refused before the guest allocates a record
 * per page of it (2^45 bytes made the ASan build abort); nothing changes.
 */
static void test_load_size_over_cpuid(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", SMALL_VM);
	struct guest *g = guest_new(f, vm);
	uint8_t rec[2 * SGXS_RECORD_LEN] = "ECREATE";
	uint64_t size = 1ULL << 45, flags = 0x203;
	struct sgx_sigstruct sig;
	char path[4200];
	struct guest_stats gs;
	struct sgxs sx;

	rec[8] = 1;
	memcpy(rec + 12, &size, sizeof(size));
	memcpy(rec + 64, "EADD", 4);
	memcpy(rec + 80, &flags, sizeof(flags));
	assert_int_equal(sgxs_parse(rec, sizeof(rec), &sx, f->why, sizeof(f->why)), 0);
	snprintf(path, sizeof(path), "%s.sig", vector_path("test_enclave"));
	assert_int_equal(sigstruct_load(path, &sig, NULL, 0), 0);
	assert_int_equal(guest_enclave_load(g, "big", &sx, &sig, NULL, f->why, sizeof(f->why)),
			 -EFBIG);
	assert_string_equal(f->why, "ECREATE SIZE 0x200000000000 is more than 0x1000000000 "
				    "(2^36), the largest 64-bit enclave the guest's CPUID allows "
				    "(leaf 0x12, EDX)");
	guest_stats(g, &gs);
	assert_int_equal(gs.epc_free, 1024);
	assert_int_equal(guest_nr_enclaves(g), 0);
	guest_free(g);
}

/*
 * Kernel work inside an enclave (a launch enclave's token, EACCEPT) runs on
 * an idle vCPU; a thread entered on a busy vCPU switches the other out.
 */
static void test_enclave_work_on_idle_vcpu(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *vm = vm_new(f, "vm1", TRUSTED_VM);
	struct guest *g = guest_new(f, vm);
	const struct guest_launch how = { .le = "le" };
	struct guest_enclave_info info;

	if (build_le(f, g, "le", 8) ||
	    guest_enclave_build(g, "app", 8, 1, f->key, NULL, f->why, sizeof(f->why)))
		fail_msg("build: %s", f->why);
	assert_int_equal(guest_thread_enter(g, "app", 0, 0, f->why, sizeof(f->why)), 0);
	if (guest_enclave_build(g, "x", 8, 1, f->key, &how, f->why, sizeof(f->why)))
		fail_msg("build with a token: %s", f->why);
	if (guest_enclave_grow(g, "le", 1, f->why, sizeof(f->why)))
		fail_msg("grow: %s", f->why);
	assert_int_equal(guest_enclave_query(g, "app", &info), 0);
	assert_int_equal(info.inside, 1);
	/* 'x' on vCPU 0: 'app' is switched out (interrupted), 'x' is in. */
	assert_int_equal(guest_thread_enter(g, "x", 0, 0, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_enclave_query(g, "app", &info), 0);
	assert_int_equal(info.inside, 0);
	assert_int_equal(guest_enclave_query(g, "x", &info), 0);
	assert_int_equal(info.inside, 1);
	/* 'app' resumes (ERESUME) on vCPU 1 and leaves. */
	assert_int_equal(guest_thread_enter(g, "app", 0, 1, f->why, sizeof(f->why)), 0);
	assert_int_equal(guest_thread_exit(g, "app", 0, f->why, sizeof(f->why)), 0);
	guest_free(g);
}

static void test_prealloc_refused_cleanly(void **state)
{
	struct gfix *f = *state;
	struct vm_config cfg;
	struct vmm_vm *vm;
	struct host_epc_stats before;

	/* A guest of 'a' touches its 200 MiB of EPC at boot: 56 MiB of the host's are left. */
	guest_free(guest_new(f, vm_new(f, "a", "memory = 256\nsgx = \"epc=200\"\n")));
	before = host_totals(f);
	assert_int_equal(before.free, 56 * 256);
	assert_int_equal(vm_config_parse_qemu(
			     vmm_processor(f->m), 6,
			     (char *const[]){ "-m", "256M", "-object",
					      "memory-backend-epc,id=m0,size=100M,prealloc=on",
					      "-M", "sgx-epc.0.memdev=m0,sgx-epc.0.node=0", NULL },
			     &cfg, f->why, sizeof(f->why)),
			 0);
	assert_int_equal(vmm_vm_create(f->m, "b", &cfg, &vm, f->why, sizeof(f->why)), -ENOMEM);
	assert_non_null(strstr(f->why, "cannot preallocate memory-backend-epc 'm0'"));
	assert_int_equal(host_totals(f).free, before.free);
	assert_null(vmm_vm_find(f->m, "b"));
}

static void test_migration_loses_epc_keeps_ram(void **state)
{
	struct gfix *f = *state;
	struct vmm_vm *src = vm_new(f, "src", SMALL_VM), *dst;
	struct guest *g = guest_new(f, src);
	struct guest_enclave_info info;
	uint64_t h;

	load_vector(f, g, "e1", "synthetic");
	assert_int_equal(guest_thread_enter(g, "e1", 0, 1, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_vcpu_wrmsr(vmm_vm_vcpu(src, 1), MSR_IA32_SGXLEPUBKEYHASH2, 0x42), 0);
	assert_int_equal(vmm_vm_migrate(src, "src", &dst, f->why, sizeof(f->why)), -EEXIST);
	assert_int_equal(vmm_vm_migrate(src, "dst", &dst, f->why, sizeof(f->why)), 0);
	assert_int_equal(vmm_vm_state(src), VMM_VM_PAUSED);
	assert_false(vmm_vcpu_inside(vmm_vm_vcpu(src, 1)));
	/* The LE hash MSRs move with the vCPU. */
	assert_int_equal(vmm_vcpu_rdmsr(vmm_vm_vcpu(dst, 1), MSR_IA32_SGXLEPUBKEYHASH2, &h), 0);
	assert_int_equal(h, 0x42);
	guest_moved(g, dst);
	vmm_vm_destroy(src, NULL);
	assert_int_equal(host_totals(f).used, 0);
	/* The guest's records came along; its EPC did not. */
	assert_int_equal(guest_enclave_query(g, "e1", &info), 0);
	assert_int_equal(info.state, GUEST_ENCLAVE_ALIVE);
	assert_int_equal(guest_thread_exit(g, "e1", 0, f->why, sizeof(f->why)), -EIO);
	assert_non_null(strstr(f->why, "is lost"));
	assert_int_equal(guest_enclave_destroy(g, "e1", f->why, sizeof(f->why)), 0);
	load_vector(f, g, "e1", "synthetic");
	assert_int_equal(guest_thread_enter(g, "e1", 0, 0, f->why, sizeof(f->why)), 0);
	guest_free(g);
}

/* On a two-CPU host every vCPU runs on CPU 1: another VM's work preempts a thread inside. */
static void test_preemption_across_vms(void **state)
{
	struct gfix *f = *state;
	struct hw_desc d;
	struct vmm_vm *a, *b;
	struct guest *ga, *gb;
	struct guest_enclave_info info;
	struct vmm_vm_stats st;

	vmm_destroy(f->m);
	vm_host_default(&d);
	d.nr_cpus = 2;
	assert_int_equal(vmm_create(&d, &f->m, f->why, sizeof(f->why)), 0);
	a = vm_new(f, "a", "memory = 256\nepc = 4\n");
	b = vm_new(f, "b", "memory = 256\nepc = 4\n");
	ga = guest_new(f, a);
	load_vector(f, ga, "e1", "synthetic");
	assert_int_equal(guest_thread_enter(ga, "e1", 0, 0, f->why, sizeof(f->why)), 0);
	assert_true(vmm_vcpu_inside(vmm_vm_vcpu(a, 0)));
	/* b's guest boots on the same logical CPU: a's thread takes an interrupt. */
	gb = guest_new(f, b);
	assert_false(vmm_vcpu_inside(vmm_vm_vcpu(a, 0)));
	assert_true(vmm_vcpu_preempted(vmm_vm_vcpu(a, 0)));
	assert_false(vmm_vcpu_preempted(vmm_vm_vcpu(a, 0)));
	vmm_vm_stats(a, &st);
	assert_int_equal(st.preemptions, 1);
	assert_int_equal(guest_enclave_query(ga, "e1", &info), 0);
	assert_int_equal(info.inside, 0);
	/* It resumes (ERESUME) and leaves. */
	assert_int_equal(guest_thread_exit(ga, "e1", 0, f->why, sizeof(f->why)), 0);
	guest_free(ga);
	guest_free(gb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GTEST(test_boot_faults_in_all_guest_epc),
		GTEST(test_vectors_load_and_run),
		GTEST(test_synthetic_threads_and_preemption),
		GTEST(test_guest_evicts_and_reloads),
		GTEST(test_sgx2_grow_and_trim),
		GTEST(test_sgx2_after_eviction),
		GTEST(test_launch_enclave_tokens),
		GTEST(test_launch_enclave_inside_and_evicted),
		GTEST(test_launch_enclave_verify),
		GTEST(test_launch_enclave_refused),
		GTEST(test_unclean_reboot_resets_epc),
		GTEST(test_reset_without_stop_reports_ebusy),
		GTEST(test_busy_section_others_still_called),
		GTEST(test_sleep_loses_enclaves),
		GTEST(test_eviction_after_sleep),
		GTEST(test_paused_vm_runs_no_guest_code),
		GTEST(test_destroy_gives_epc_back),
		GTEST(test_host_epc_exhaustion_stops_vm),
		GTEST(test_teardown_stopped_by_exhaustion),
		GTEST(test_lost_found_by_evict_and_grow),
		GTEST(test_failed_build_harms_no_other_enclave),
		GTEST(test_load_size_over_cpuid),
		GTEST(test_enclave_work_on_idle_vcpu),
		GTEST(test_prealloc_refused_cleanly),
		GTEST(test_migration_loses_epc_keeps_ram),
		GTEST(test_preemption_across_vms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
