/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for SGXS streams, from the parser down: any bytes must be
 * either refused with a reason or accepted as a stream whose records can be
 * walked and measured without reading outside the buffer; an accepted
 * stream is then built as an enclave by the guest (the shared loader through
 * a vCPU: KVM's ECREATE checks, EADD, EEXTEND, EINIT) and by the host
 * enclave driver (ENCLAVE_CREATE, ADD_PAGES, INIT), and torn down again.
 * Whatever SIZE, SSA frame size, offsets or page types it claims, nothing
 * may crash or leak, and every page it took must come back to the host.
 *
 * The machine is made once (a host with 8 MiB of EPC, a VM with 4 MiB and a
 * booted guest); each input leaves it as it found it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/loader.h"
#include "vsgx/sgxs.h"
#include "vsgx/vmm-config.h"
#include "vsgx/vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_machine {
	struct vmm *m;
	struct vmm_vm *vm;
	struct guest *g;
	uint64_t host_used; /* EPC pages in use once the guest booted */
};

static void fuzz_walk(const struct sgxs *s)
{
	struct sgxs_record rec;
	size_t pos = 0, eadd = 0, eextend = 0;
	uint8_t mr[32];
	volatile uint8_t sink = 0;

	while (sgxs_next(s, &pos, &rec)) {
		if (rec.type == SGXS_EADD)
			eadd++;
		if (rec.type == SGXS_EEXTEND) {
			eextend++;
			sink ^= rec.data[0] ^ rec.data[255];
		}
	}
	/* The walk and the parser must agree on what the stream holds. */
	if (pos != s->len || eadd != s->nr_eadd || eextend != s->nr_eextend)
		abort();
	if (sgxs_measure(s, mr))
		abort();
	(void)sink;
}

static void fuzz_die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz-sgxs: %s: %s\n", what, why);
	abort();
}

static struct fuzz_machine *fuzz_machine(void)
{
	static const char xl[] = "name = \"f\"\ntype = \"hvm\"\nmemory = 64\nvcpus = 2\nepc = 4\n";
	static struct fuzz_machine fm;
	struct host_epc_stats st;
	struct vm_config cfg;
	struct hw_desc d;
	char why[512];

	if (fm.g)
		return &fm;
	if (vm_host_parse("epc=8M@0 cpus=4 sgx2=1 flc=1", &d, why, sizeof(why)) ||
	    vmm_create(&d, &fm.m, why, sizeof(why)))
		fuzz_die("host", why);
	if (vm_config_parse_xl(vmm_processor(fm.m), xl, &cfg, why, sizeof(why)) ||
	    vmm_vm_create(fm.m, "f", &cfg, &fm.vm, why, sizeof(why)) ||
	    guest_boot(fm.vm, &fm.g, why, sizeof(why)))
		fuzz_die("guest", why);
	host_stats(vmm_host(fm.m), &st);
	fm.host_used = st.used;
	return &fm;
}

/* What a signer asks for: a 64-bit enclave, debug or not, with FP and SSE. */
static void fuzz_sig(struct sgx_sigstruct *sig, const uint8_t *data, size_t size)
{
	memset(sig, 0, sizeof(*sig));
	sig->attributes.flags =
	    SGX_ATTR_MODE64BIT | (size && (data[size - 1] & 1) ? SGX_ATTR_DEBUG : 0);
	sig->attributes.xfrm = SGX_XFRM_LEGACY;
	sig->attributes_mask.flags = ~0ULL;
	sig->attributes_mask.xfrm = ~0ULL;
}

/* The guest builds it through its vCPU and the shared loader, then tears it down. */
static void fuzz_guest(struct fuzz_machine *fm, const struct sgxs *s,
		       const struct sgx_sigstruct *sig)
{
	char why[512];

	why[0] = '\0';
	if (!guest_enclave_load(fm->g, "fuzz", s, sig, NULL, why, sizeof(why))) {
		if (guest_enclave_destroy(fm->g, "fuzz", why, sizeof(why)))
			fuzz_die("guest destroy", why);
	} else if (!why[0]) {
		abort(); /* every refusal says why */
	}
	if (guest_nr_enclaves(fm->g))
		fuzz_die("guest", "a failed load left an enclave behind");
}

/* The host enclave driver, as an ioctl caller would drive it: each EADD with what its EEXTENDs
 * measure. */
static int fuzz_host_add(struct host_encl *e, struct hw_cpu *cpu, const struct sgxs *s)
{
	uint8_t *page = calloc(1, SGX_PAGE_SIZE);
	struct sgxs_record rec, ext;
	size_t pos = 0;
	int code, r = 0;

	if (!page)
		return -1;
	while (!r && sgxs_next(s, &pos, &rec) == 1) {
		size_t p2 = pos;
		bool measured = false;

		if (rec.type != SGXS_EADD)
			continue;
		memset(page, 0, SGX_PAGE_SIZE);
		/* An EADD's EEXTENDs follow it, before the next EADD. */
		while (sgxs_next(s, &p2, &ext) == 1 && ext.type == SGXS_EEXTEND) {
			if ((ext.offset & SGX_PAGE_MASK) == rec.offset) {
				memcpy(page + (ext.offset & ~SGX_PAGE_MASK), ext.data, 256);
				measured = true;
			}
		}
		r = host_encl_add_pages(e, cpu, rec.offset, page, SGX_PAGE_SIZE, rec.secinfo_flags,
					measured, &code);
	}
	free(page);
	return r;
}

static void fuzz_host(struct fuzz_machine *fm, const struct sgxs *s,
		      const struct sgx_sigstruct *sig)
{
	struct hw_cpu *cpu = vmm_host_cpu(fm->m);
	struct host_epc_stats st;
	struct host_encl *e = NULL;
	struct sgx_secs secs;
	int code;

	loader_secs_init(&secs, s, sig, loader_default_base(s->size, true));
	if (!host_encl_create(vmm_host(fm->m), cpu, NULL, &secs, &e, &code)) {
		if (!fuzz_host_add(e, cpu, s))
			host_encl_init(e, cpu, sig, &(struct sgx_einittoken){ 0 }, &code);
		host_encl_destroy(e, cpu);
	}
	host_stats(vmm_host(fm->m), &st);
	if (st.used != fm->host_used || st.free + st.used + st.zombie + st.bad != st.total)
		fuzz_die("host", "EPC pages not accounted for after the enclave went");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sgx_sigstruct sig;
	struct sgxs s;
	char why[256];

	if (sgxs_parse(data, size, &s, why, sizeof(why))) {
		if (!memchr(why, '\0', sizeof(why)) || !why[0])
			abort(); /* every refusal says why */
		return 0;
	}
	fuzz_walk(&s);
	fuzz_sig(&sig, data, size);
	fuzz_guest(fuzz_machine(), &s, &sig);
	fuzz_host(fuzz_machine(), &s, &sig);
	return 0;
}
