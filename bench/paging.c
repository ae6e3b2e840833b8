/* SPDX-License-Identifier: MIT */
/*
 * bench/paging: the cost of paging an enclave out and back in through the
 * processor model, in Linux's reclaimer batches (EBLOCK each page, one
 * ETRACK, EWB each page, then ELDU each page), against its floor measured in
 * the same run: raw OpenSSL AES-128-GCM, one context per direction keyed
 * once, encrypting and decrypting the same number of 4 KiB pages with a
 * 128-byte AAD, between arrays as large as the enclave.
 *
 * Two modes time a whole reclaimer against those floors:
 *
 *  host   the host driver's reclaimer under pressure (src/host/reclaim.c):
 *         two host enclaves of 3/4 x PAGES pages each on a host whose EPC
 *         is PAGES pages, touched in turn through the page-fault handler,
 *         so every fault reloads a page (ELDU) and allocation makes the
 *         reclaimer write others back (EBLOCK, ETRACK, EWB, in its batches
 *         of 16); per page written back and loaded again.
 *  guest  the guest kernel's reclaimer inside a VM (src/guest/reclaim.c),
 *         every leaf an ENCLS exit to the VMM: a guest evicts PAGES pages
 *         of one enclave, then a thread entering it touches every page,
 *         which reloads them (ELDU); per page evicted and reloaded.
 *
 * Each round times the raw floor, the leaves and the mode once each; the
 * figures are the best and the median of ROUNDS.
 *
 * usage: bench-paging [PAGES] [ROUNDS] [BATCH] [host|guest]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/guest.h"
#include "vsgx/host.h"
#include "vsgx/processor.h"

#include "bench-util.h"
#include "bench-vm.h"

#define EPC_BASE   0x80000000ULL
#define ENCL_BASE  (1ULL << 40)
#define AAD_LEN	   128
#define ROUNDS_MAX 64

struct bench {
	struct hw_processor *p;
	struct hw_cpu *cpu;
	uint64_t pages, batch;
	uint64_t va;	       /* first VA page: one slot per enclave page */
	uint8_t *blobs;	       /* PAGES x 4 KiB: the encrypted pages */
	struct sgx_pcmd *pcmd; /* PAGES PCMDs */
	struct sgx_pageinfo *pi;
	struct sgx_secinfo *si;
	struct sgx_secs *secs;
	uint8_t *src;
};

static uint64_t page_pa(uint64_t i)
{
	return EPC_BASE + (i + 1) * SGX_PAGE_SIZE; /* page 0 is the SECS */
}

static void paging_ecreate(struct bench *b)
{
	int r;

	bench_secs_init(b->secs, ENCL_BASE, bench_elrange_size(b->pages + 1));
	r = bench_ecreate(b->cpu, b->pi, b->si, b->secs, EPC_BASE);
	if (r)
		bench_die("ECREATE", r, NULL);
}

/* An enclave of PAGES non-zero regular pages, and VA pages for all of them. */
static void bench_setup(struct bench *b, uint64_t pages, uint64_t batch)
{
	uint64_t nr_va = (pages + SGX_VA_SLOTS - 1) / SGX_VA_SLOTS;
	struct hw_desc d;
	int r;

	hw_desc_init_default(&d);
	d.sections[0].size = (pages + 1 + nr_va) * SGX_PAGE_SIZE;
	d.sections[0].size = (d.sections[0].size + 0xfffff) & ~0xfffffULL;
	r = hw_processor_create(&d, &b->p);
	if (r)
		bench_die("hw_processor_create", r, NULL);
	b->cpu = hw_processor_cpu(b->p, 0);
	b->pages = pages;
	b->batch = batch;
	b->blobs = bench_zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	b->pcmd = bench_zalloc(128, pages * sizeof(*b->pcmd));
	b->pi = bench_zalloc(32, sizeof(*b->pi));
	b->si = bench_zalloc(64, sizeof(*b->si));
	b->secs = bench_zalloc(SGX_PAGE_SIZE, sizeof(*b->secs));
	b->src = bench_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	paging_ecreate(b);
	b->si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	b->pi->srcpge = (uintptr_t)b->src;
	b->pi->secs = EPC_BASE;
	for (uint64_t i = 0; i < pages; i++) {
		for (size_t k = 0; k < SGX_PAGE_SIZE; k += 8)
			memcpy(b->src + k, &(uint64_t){ i * 0x9e3779b97f4a7c15ULL + k }, 8);
		b->pi->linaddr = ENCL_BASE + i * SGX_PAGE_SIZE;
		r = hw_eadd(b->cpu, (uintptr_t)b->pi, page_pa(i));
		if (r)
			bench_die("EADD", r, NULL);
	}
	b->va = page_pa(pages);
	for (uint64_t i = 0; i < nr_va; i++) {
		r = hw_epa(b->cpu, SGX_PT_VA, b->va + i * SGX_PAGE_SIZE);
		if (r)
			bench_die("EPA", r, NULL);
	}
}

static void bench_free(struct bench *b)
{
	hw_processor_destroy(b->p);
	free(b->blobs);
	free(b->pcmd);
	free(b->pi);
	free(b->si);
	free(b->secs);
	free(b->src);
}

static uint64_t va_slot(const struct bench *b, uint64_t i)
{
	return b->va + i * 8; /* VA pages are contiguous: slot i of the whole array */
}

static void batch_out(struct bench *b, uint64_t first, uint64_t n)
{
	int r;

	for (uint64_t i = first; i < first + n; i++) {
		r = hw_eblock(b->cpu, page_pa(i));
		if (r)
			bench_die("EBLOCK", r, NULL);
	}
	r = hw_etrack(b->cpu, EPC_BASE);
	if (r)
		bench_die("ETRACK", r, NULL);
	for (uint64_t i = first; i < first + n; i++) {
		b->pi->linaddr = 0;
		b->pi->srcpge = (uintptr_t)(b->blobs + i * SGX_PAGE_SIZE);
		b->pi->secinfo = (uintptr_t)&b->pcmd[i];
		b->pi->secs = 0;
		r = hw_ewb(b->cpu, (uintptr_t)b->pi, page_pa(i), va_slot(b, i));
		if (r)
			bench_die("EWB", r, NULL);
	}
}

static void batch_in(struct bench *b, uint64_t first, uint64_t n)
{
	int r;

	for (uint64_t i = first; i < first + n; i++) {
		b->pi->linaddr = ENCL_BASE + i * SGX_PAGE_SIZE;
		b->pi->srcpge = (uintptr_t)(b->blobs + i * SGX_PAGE_SIZE);
		b->pi->secinfo = (uintptr_t)&b->pcmd[i];
		b->pi->secs = EPC_BASE;
		r = hw_eldu(b->cpu, (uintptr_t)b->pi, page_pa(i), va_slot(b, i));
		if (r)
			bench_die("ELDU", r, NULL);
	}
}

/* Every page out and back in, batch by batch; returns seconds spent. */
static double bench_model(struct bench *b)
{
	double t0 = bench_now();

	for (uint64_t first = 0; first < b->pages; first += b->batch) {
		uint64_t n = b->pages - first < b->batch ? b->pages - first : b->batch;

		batch_out(b, first, n);
		batch_in(b, first, n);
	}
	return bench_now() - t0;
}

struct raw {
	EVP_CIPHER_CTX *enc, *dec;
	uint8_t *plain, *cipher; /* PAGES x 4 KiB each */
	uint8_t (*tags)[16];
	uint8_t aad[AAD_LEN];
};

static void raw_setup(struct raw *w, uint64_t pages)
{
	static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	w->enc = EVP_CIPHER_CTX_new();
	w->dec = EVP_CIPHER_CTX_new();
	if (!w->enc || !w->dec ||
	    !EVP_EncryptInit_ex2(w->enc, EVP_aes_128_gcm(), key, NULL, NULL) ||
	    !EVP_DecryptInit_ex2(w->dec, EVP_aes_128_gcm(), key, NULL, NULL))
		bench_die("EVP init", 0, NULL);
	w->plain = bench_zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	w->cipher = bench_zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	w->tags = bench_zalloc(16, pages * 16);
	for (uint64_t i = 0; i < pages * SGX_PAGE_SIZE; i++)
		w->plain[i] = (uint8_t)(i * 131 + 7);
	memset(w->aad, 0x5a, sizeof(w->aad));
}

static void raw_free(struct raw *w)
{
	EVP_CIPHER_CTX_free(w->enc);
	EVP_CIPHER_CTX_free(w->dec);
	free(w->plain);
	free(w->cipher);
	free(w->tags);
}

static void raw_page(struct raw *w, uint64_t i)
{
	uint8_t iv[12] = { 0 }, *p = w->plain + i * SGX_PAGE_SIZE,
		*c = w->cipher + i * SGX_PAGE_SIZE;
	int len;

	memcpy(iv + 4, &i, sizeof(i));
	if (!EVP_EncryptInit_ex2(w->enc, NULL, NULL, iv, NULL) ||
	    !EVP_EncryptUpdate(w->enc, NULL, &len, w->aad, AAD_LEN) ||
	    !EVP_EncryptUpdate(w->enc, c, &len, p, SGX_PAGE_SIZE) ||
	    !EVP_EncryptFinal_ex(w->enc, c, &len) ||
	    !EVP_CIPHER_CTX_ctrl(w->enc, EVP_CTRL_GCM_GET_TAG, 16, w->tags[i]))
		bench_die("encrypt", 0, NULL);
	if (!EVP_DecryptInit_ex2(w->dec, NULL, NULL, iv, NULL) ||
	    !EVP_DecryptUpdate(w->dec, NULL, &len, w->aad, AAD_LEN) ||
	    !EVP_DecryptUpdate(w->dec, p, &len, c, SGX_PAGE_SIZE) ||
	    !EVP_CIPHER_CTX_ctrl(w->dec, EVP_CTRL_GCM_SET_TAG, 16, w->tags[i]) ||
	    EVP_DecryptFinal_ex(w->dec, p, &len) <= 0)
		bench_die("decrypt", 0, NULL);
}

/* The floor: encrypt and decrypt every page once. */
static double bench_raw(struct raw *w, uint64_t pages)
{
	double t0 = bench_now();

	for (uint64_t i = 0; i < pages; i++)
		raw_page(w, i);
	return bench_now() - t0;
}

/* ------------------------------------------------------------------ */
/* host: the host driver's reclaimer under pressure                    */

#define HOST_ENCLAVES 2

struct hostrec {
	struct hw_processor *p;
	struct hw_cpu *cpu;
	struct host *h;
	struct host_encl *e[HOST_ENCLAVES];
	uint64_t per; /* pages per enclave */
};

static uint64_t host_encl_base(unsigned int k)
{
	return (uint64_t)(k + 1) << 40;
}

static void host_encl_fill(struct hostrec *hr, unsigned int k, uint8_t *src)
{
	struct sgx_secs *secs = bench_zalloc(SGX_PAGE_SIZE, sizeof(*secs));
	uint64_t size = SGX_PAGE_SIZE;
	int r, code = 0;

	while (size < hr->per * SGX_PAGE_SIZE)
		size <<= 1;
	secs->base = host_encl_base(k);
	secs->size = size;
	secs->ssa_frame_size = 1;
	secs->attributes.flags = SGX_ATTR_MODE64BIT;
	secs->attributes.xfrm = SGX_XFRM_LEGACY;
	r = host_encl_create(hr->h, hr->cpu, NULL, secs, &hr->e[k], &code);
	if (r)
		bench_die("host_encl_create", code ? code : r, NULL);
	for (uint64_t i = 0; i < hr->per; i++) {
		for (size_t o = 0; o < SGX_PAGE_SIZE; o += 8)
			memcpy(src + o,
			       &(uint64_t){ (i + k * hr->per) * 0x9e3779b97f4a7c15ULL + o }, 8);
		r = host_encl_add_pages(hr->e[k], hr->cpu, i * SGX_PAGE_SIZE, src, SGX_PAGE_SIZE,
					SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W,
					false, &code);
		if (r)
			bench_die("host_encl_add_pages", code ? code : r, NULL);
	}
	free(secs);
}

/*
 * A host of (pages) EPC pages and enclaves holding 1.5 times that: adding
 * the second enclave already makes the reclaimer write the first one back.
 */
static void host_setup(struct hostrec *hr, uint64_t pages)
{
	uint8_t *src = bench_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct hw_desc d;
	int r;

	hw_desc_init_default(&d);
	d.sections[0].size = (pages * SGX_PAGE_SIZE + 0xfffff) & ~0xfffffULL;
	r = hw_processor_create(&d, &hr->p);
	if (r)
		bench_die("hw_processor_create", r, NULL);
	hr->cpu = hw_processor_cpu(hr->p, 0);
	r = host_create(hr->p, hr->cpu, &hr->h);
	if (r)
		bench_die("host_create", r, NULL);
	hr->per = d.sections[0].size / SGX_PAGE_SIZE * 3 / 4;
	for (unsigned int k = 0; k < HOST_ENCLAVES; k++)
		host_encl_fill(hr, k, src);
	free(src);
}

static void host_free(struct hostrec *hr)
{
	for (unsigned int k = 0; k < HOST_ENCLAVES; k++)
		host_encl_destroy(hr->e[k], hr->cpu);
	host_destroy(hr->h);
	hw_processor_destroy(hr->p);
}

/* Write-backs and reloads of every enclave so far. */
static void host_counts(struct hostrec *hr, uint64_t *ewb, uint64_t *eldu)
{
	struct host_encl_info info;

	*ewb = *eldu = 0;
	for (unsigned int k = 0; k < HOST_ENCLAVES; k++) {
		host_encl_query(hr->e[k], &info);
		*ewb += info.ewb;
		*eldu += info.eldu;
	}
}

/*
 * Every page of each enclave in turn through the fault handler: the pages
 * touched least recently are the ones written back, so each fault reloads
 * one. Returns seconds per page written back and reloaded (the mean of the
 * two counts, which differ by the EPC's worth in flight at most).
 */
static double host_round(struct hostrec *hr, uint64_t *ret_pages)
{
	uint64_t ewb0, eldu0, ewb, eldu, pa;
	double t0;
	int r, code;

	host_counts(hr, &ewb0, &eldu0);
	t0 = bench_now();
	for (unsigned int k = 0; k < HOST_ENCLAVES; k++) {
		for (uint64_t i = 0; i < hr->per; i++) {
			r = host_encl_fault(hr->e[k], hr->cpu,
					    host_encl_base(k) + i * SGX_PAGE_SIZE, &pa, &code);
			if (r)
				bench_die("host_encl_fault", code ? code : r, NULL);
		}
	}
	t0 = bench_now() - t0;
	host_counts(hr, &ewb, &eldu);
	*ret_pages = (ewb - ewb0 + eldu - eldu0) / 2;
	if (!*ret_pages)
		bench_die("host reclaim: nothing was written back", 0, NULL);
	return t0 / (double)*ret_pages;
}

/* ------------------------------------------------------------------ */
/* guest: the guest kernel's reclaimer, through the VMM's ENCLS exits  */

struct guestrec {
	struct vmm *m;
	struct vmm_vm *vm;
	struct guest *g;
	uint64_t pages;
};

static void guest_setup(struct guestrec *gr, uint64_t pages)
{
	uint64_t epc_mib = (pages + 2048) / 256 + 1;
	struct crypto_rsa_key *key;
	char why[256], ram[32];
	int r;

	/* RAM for the evicted pages and their PCMDs, and the guest's own 256 MiB. */
	snprintf(ram, sizeof(ram), "%lluM", (unsigned long long)(pages * 2 / 256 + 256));
	gr->pages = pages;
	gr->m = bench_vmm_new(epc_mib + 1);
	gr->vm = bench_vm_new(gr->m, "g", epc_mib, ram);
	gr->g = bench_vm_boot(gr->vm);
	if (crypto_rsa_key_load(VSGX_VECTORS_DIR "/sign_key.pem", &key, why, sizeof(why)))
		bench_die(why, 0, NULL);
	r = guest_enclave_build(gr->g, "e", pages + 16, 1, key, NULL, why, sizeof(why));
	crypto_rsa_key_free(key);
	if (r)
		bench_die(why, r, NULL);
}

static void guest_teardown(struct guestrec *gr)
{
	bench_vm_free(gr->vm, gr->g);
	vmm_destroy(gr->m);
}

/* Thread 0 in and out, touching (and so reloading) every page: seconds. */
static double guest_enter_exit(struct guestrec *gr)
{
	char why[256];
	double t0 = bench_now();
	int r;

	r = guest_thread_enter(gr->g, "e", 0, 0, why, sizeof(why));
	if (!r)
		r = guest_thread_exit(gr->g, "e", 0, why, sizeof(why));
	if (r)
		bench_die(why, r, NULL);
	return bench_now() - t0;
}

/*
 * Evict PAGES pages and reload them by entering: seconds per page for each
 * half. The reload half is the entry less an entry that reloads nothing
 * (timed right after), so the touch of every page is not counted.
 */
static void guest_round(struct guestrec *gr, double *ret_evict, double *ret_reload)
{
	struct guest_stats st0, st;
	char why[256];
	double t0, t_in;
	int r;

	guest_stats(gr->g, &st0);
	t0 = bench_now();
	r = guest_enclave_evict(gr->g, "e", gr->pages, why, sizeof(why));
	t0 = bench_now() - t0;
	if (r)
		bench_die(why, r, NULL);
	t_in = guest_enter_exit(gr);
	t_in -= guest_enter_exit(gr);
	guest_stats(gr->g, &st);
	if (st.evictions - st0.evictions != gr->pages || st.reloads - st0.reloads != gr->pages)
		bench_die("guest evict/reload: page counts", (int)(st.reloads - st0.reloads), NULL);
	*ret_evict = t0 / (double)gr->pages;
	*ret_reload = t_in / (double)gr->pages;
}

/* ------------------------------------------------------------------ */

/*
 * One figure per page against both floors of the same rounds: best and
 * median of each, the ratio (floor / figure) of the bests and the median
 * of the rounds' ratios. Sorts the arrays.
 */
static void report(const char *what, double *v, double *leaves, double *raw, int n)
{
	double rl[ROUNDS_MAX], rr[ROUNDS_MAX], best, med, lbest, lmed, rbest, rmed, x;

	for (int i = 0; i < n; i++) {
		rl[i] = leaves[i] / v[i];
		rr[i] = raw[i] / v[i];
	}
	bench_best_median(v, (unsigned int)n, &best, &med);
	bench_best_median(leaves, (unsigned int)n, &lbest, &lmed);
	bench_best_median(raw, (unsigned int)n, &rbest, &rmed);
	printf("paging: %s: best %.2f us/page, median %.2f us/page\n", what, best * 1e6, med * 1e6);
	bench_best_median(rl, (unsigned int)n, &x, &lmed);
	bench_best_median(rr, (unsigned int)n, &x, &rmed);
	printf("paging: %s: ratio to the leaves %.3f best, %.3f median; to raw AES-GCM %.3f best, "
	       "%.3f median\n",
	       what, lbest / best, lmed, rbest / best, rmed);
}

int main(int argc, char **argv)
{
	uint64_t pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 16384;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	uint64_t batch = argc > 3 ? strtoull(argv[3], NULL, 0) : 16;
	const char *mode = argc > 4 ? argv[4] : "";
	double t_raw[ROUNDS_MAX], t_model[ROUNDS_MAX], t_a[ROUNDS_MAX], t_b[ROUNDS_MAX];
	double best_model = 1e30, best_raw = 1e30;
	bool host = !strcmp(mode, "host"), guest = !strcmp(mode, "guest");
	struct guestrec gr = { 0 };
	struct hostrec hr = { 0 };
	struct bench b = { 0 };
	struct raw w = { 0 };
	uint64_t reclaimed = 0;

	bench_name = "bench-paging";
	if (!pages || rounds < 1 || rounds > ROUNDS_MAX || !batch || (*mode && !host && !guest)) {
		fprintf(stderr, "usage: bench-paging [PAGES] [ROUNDS 1-%d] [BATCH] [host|guest]\n",
			ROUNDS_MAX);
		return 2;
	}
	bench_setup(&b, pages, batch);
	raw_setup(&w, pages);
	if (host)
		host_setup(&hr, pages);
	if (guest)
		guest_setup(&gr, pages);
	for (int i = 0; i < rounds; i++) {
		double raw = bench_raw(&w, pages), model = bench_model(&b);

		best_raw = raw < best_raw ? raw : best_raw;
		best_model = model < best_model ? model : best_model;
		t_raw[i] = raw / (double)pages;
		t_model[i] = model / (double)pages;
		if (host)
			t_a[i] = host_round(&hr, &reclaimed);
		if (guest)
			guest_round(&gr, &t_a[i], &t_b[i]);
	}
	printf("paging: %llu pages x %d rounds, batches of %llu, best of each\n",
	       (unsigned long long)pages, rounds, (unsigned long long)batch);
	printf("paging: raw AES-128-GCM enc+dec  %8.1f MB/s  %6.2f us/page\n",
	       pages * SGX_PAGE_SIZE / best_raw / 1e6, best_raw / pages * 1e6);
	printf("paging: EBLOCK+EWB+ELDU (+ETRACK) %7.1f MB/s  %6.2f us/page\n",
	       pages * SGX_PAGE_SIZE / best_model / 1e6, best_model / pages * 1e6);
	printf("paging: ratio %.3f (model throughput / raw AES-GCM; target >= 0.8)\n",
	       best_raw / best_model);
	if (host) {
		printf("paging: host reclaimer: %llu pages written back and reloaded per round "
		       "(EPC of %llu pages, 2 enclaves of %llu)\n",
		       (unsigned long long)reclaimed, (unsigned long long)(hr.per * 4 / 3),
		       (unsigned long long)hr.per);
		report("host reclaimer (fault + ELDU + reclaim)", t_a, t_model, t_raw, rounds);
		host_free(&hr);
	}
	if (guest) {
		for (int i = 0; i < rounds; i++)
			t_b[i] += t_a[i];
		printf("paging: guest reclaimer: %llu pages evicted and reloaded per round "
		       "(inside a VM; every leaf an ENCLS exit)\n",
		       (unsigned long long)pages);
		report("guest evict + reload", t_b, t_model, t_raw, rounds);
		guest_teardown(&gr);
	}
	bench_free(&b);
	raw_free(&w);
	return 0;
}
