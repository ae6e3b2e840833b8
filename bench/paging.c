/* SPDX-License-Identifier: MIT */
/*
 * bench/paging: the cost of paging an enclave out and back in through the
 * processor model, in Linux's reclaimer batches (EBLOCK each page, one
 * ETRACK, EWB each page, then ELDU each page), against its floor measured in
 * the same run: raw OpenSSL AES-128-GCM, one context per direction keyed
 * once, encrypting and decrypting the same number of 4 KiB pages with a
 * 128-byte AAD, between arrays as large as the enclave.
 *
 * usage: bench-paging [PAGES] [ROUNDS] [BATCH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"

#define EPC_BASE  0x80000000ULL
#define ENCL_BASE (1ULL << 40)
#define AAD_LEN	  128

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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench-paging: %s failed (%d)\n", what, r);
	exit(1);
}

static void *zalloc(size_t align, size_t size)
{
	void *ptr = aligned_alloc(align, (size + align - 1) / align * align);

	if (!ptr)
		die("aligned_alloc", 0);
	memset(ptr, 0, size);
	return ptr;
}

static uint64_t page_pa(uint64_t i)
{
	return EPC_BASE + (i + 1) * SGX_PAGE_SIZE; /* page 0 is the SECS */
}

static void bench_ecreate(struct bench *b)
{
	uint64_t size = 1;
	int r;

	while (size < (b->pages + 1) * SGX_PAGE_SIZE)
		size <<= 1;
	b->secs->size = size;
	b->secs->base = ENCL_BASE;
	b->secs->ssa_frame_size = 1;
	b->secs->attributes.flags = SGX_ATTR_MODE64BIT;
	b->secs->attributes.xfrm = SGX_XFRM_LEGACY;
	b->pi->srcpge = (uintptr_t)b->secs;
	b->pi->secinfo = (uintptr_t)b->si;
	b->si->flags = SGX_SECINFO_PT(SGX_PT_SECS);
	r = hw_ecreate(b->cpu, (uintptr_t)b->pi, EPC_BASE);
	if (r)
		die("ECREATE", r);
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
		die("hw_processor_create", r);
	b->cpu = hw_processor_cpu(b->p, 0);
	b->pages = pages;
	b->batch = batch;
	b->blobs = zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	b->pcmd = zalloc(128, pages * sizeof(*b->pcmd));
	b->pi = zalloc(32, sizeof(*b->pi));
	b->si = zalloc(64, sizeof(*b->si));
	b->secs = zalloc(SGX_PAGE_SIZE, sizeof(*b->secs));
	b->src = zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	bench_ecreate(b);
	b->si->flags = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	b->pi->srcpge = (uintptr_t)b->src;
	b->pi->secs = EPC_BASE;
	for (uint64_t i = 0; i < pages; i++) {
		for (size_t k = 0; k < SGX_PAGE_SIZE; k += 8)
			memcpy(b->src + k, &(uint64_t){ i * 0x9e3779b97f4a7c15ULL + k }, 8);
		b->pi->linaddr = ENCL_BASE + i * SGX_PAGE_SIZE;
		r = hw_eadd(b->cpu, (uintptr_t)b->pi, page_pa(i));
		if (r)
			die("EADD", r);
	}
	b->va = page_pa(pages);
	for (uint64_t i = 0; i < nr_va; i++) {
		r = hw_epa(b->cpu, SGX_PT_VA, b->va + i * SGX_PAGE_SIZE);
		if (r)
			die("EPA", r);
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
			die("EBLOCK", r);
	}
	r = hw_etrack(b->cpu, EPC_BASE);
	if (r)
		die("ETRACK", r);
	for (uint64_t i = first; i < first + n; i++) {
		b->pi->linaddr = 0;
		b->pi->srcpge = (uintptr_t)(b->blobs + i * SGX_PAGE_SIZE);
		b->pi->secinfo = (uintptr_t)&b->pcmd[i];
		b->pi->secs = 0;
		r = hw_ewb(b->cpu, (uintptr_t)b->pi, page_pa(i), va_slot(b, i));
		if (r)
			die("EWB", r);
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
			die("ELDU", r);
	}
}

/* Every page out and back in, batch by batch; returns seconds spent. */
static double bench_model(struct bench *b)
{
	double t0 = now();

	for (uint64_t first = 0; first < b->pages; first += b->batch) {
		uint64_t n = b->pages - first < b->batch ? b->pages - first : b->batch;

		batch_out(b, first, n);
		batch_in(b, first, n);
	}
	return now() - t0;
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
		die("EVP init", 0);
	w->plain = zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	w->cipher = zalloc(SGX_PAGE_SIZE, pages * SGX_PAGE_SIZE);
	w->tags = zalloc(16, pages * 16);
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
		die("encrypt", 0);
	if (!EVP_DecryptInit_ex2(w->dec, NULL, NULL, iv, NULL) ||
	    !EVP_DecryptUpdate(w->dec, NULL, &len, w->aad, AAD_LEN) ||
	    !EVP_DecryptUpdate(w->dec, p, &len, c, SGX_PAGE_SIZE) ||
	    !EVP_CIPHER_CTX_ctrl(w->dec, EVP_CTRL_GCM_SET_TAG, 16, w->tags[i]) ||
	    EVP_DecryptFinal_ex(w->dec, p, &len) <= 0)
		die("decrypt", 0);
}

/* The floor: encrypt and decrypt every page once. */
static double bench_raw(struct raw *w, uint64_t pages)
{
	double t0 = now();

	for (uint64_t i = 0; i < pages; i++)
		raw_page(w, i);
	return now() - t0;
}

int main(int argc, char **argv)
{
	uint64_t pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 16384;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	uint64_t batch = argc > 3 ? strtoull(argv[3], NULL, 0) : 16;
	double best_model = 1e30, best_raw = 1e30;
	struct bench b = { 0 };
	struct raw w = { 0 };

	if (!pages || rounds < 1 || !batch) {
		fprintf(stderr, "usage: bench-paging [PAGES] [ROUNDS] [BATCH]\n");
		return 2;
	}
	bench_setup(&b, pages, batch);
	raw_setup(&w, pages);
	for (int i = 0; i < rounds; i++) {
		double raw = bench_raw(&w, pages), model = bench_model(&b);

		best_raw = raw < best_raw ? raw : best_raw;
		best_model = model < best_model ? model : best_model;
	}
	printf("paging: %llu pages x %d rounds, batches of %llu, best of each\n",
	       (unsigned long long)pages, rounds, (unsigned long long)batch);
	printf("paging: raw AES-128-GCM enc+dec  %8.1f MB/s  %6.2f us/page\n",
	       pages * SGX_PAGE_SIZE / best_raw / 1e6, best_raw / pages * 1e6);
	printf("paging: EBLOCK+EWB+ELDU (+ETRACK) %7.1f MB/s  %6.2f us/page\n",
	       pages * SGX_PAGE_SIZE / best_model / 1e6, best_model / pages * 1e6);
	printf("paging: ratio %.3f (model throughput / raw AES-GCM; target >= 0.8)\n",
	       best_raw / best_model);
	bench_free(&b);
	raw_free(&w);
	return 0;
}
