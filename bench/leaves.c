/* SPDX-License-Identifier: MIT */
/*
 * bench/leaves: the leaves that had no figure, each against an honest floor
 * measured in the same run (the same work done the plainest way), best and
 * median of ROUNDS rounds:
 *
 *   EENTER + EEXIT on 1 and 2 CPUs in one enclave, AEX + ERESUME, EGETKEY,
 *   EREPORT, EINIT, EAUG + EACCEPT, EMODPR + ETRACK + EACCEPT, trim
 *   (EMODT + ETRACK + EACCEPT + EREMOVE), ECREATE and SECS teardown, and the
 *   host memory a processor takes per EPC page.
 *
 * usage: bench-leaves [ITERS] [ROUNDS] [SIGNING-KEY]   (ITERS >= 2000)
 * (SIGNING-KEY: a 3072-bit RSA key with exponent 3, PEM; default
 * tests/vectors/sign_key.pem, run from the source tree.)
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsgx/crypto.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"
#include "vsgx/sigstruct.h"

#include "bench-util.h"

#define EPC_BASE    0x80000000ULL
#define EPC_PAGES   4096
#define EPC_SPAN    (1ULL << 20) /* pages the address space maps as EPC */
#define ELRANGE	    0x10000000ULL
#define ENCL_PAGES  64 /* 256 KiB */
#define THREAD_STEP 16 /* thread t: TCS at page 16 (t + 1), SSA frames after it */
#define NR_THREADS  2
#define AUG_FIRST   48 /* pages 48 .. 63: EAUGed and trimmed by the SGX2 figures */
#define AUG_PAGES   16
#define AEP	    0x7f0000001000ULL
#define MAX_ROUNDS  64
#define KEYDEP_LEN  648 /* KEYDEPENDENCIES */
#define BODY_LEN    384 /* REPORT body */

struct bench {
	struct hw_processor *p;
	uint64_t secs_pa;
	uint64_t iters;
	struct crypto_rsa_key *key;
	EVP_PKEY *pkey;
	uint8_t mrsigner[32];
	uint8_t *page; /* 4 KiB scratch for EADD sources */
	struct sgx_pageinfo *pi;
	struct sgx_secinfo *si;
	struct sgx_secs *secs;
	struct sgx_sigstruct *sig;
	struct sgx_einittoken *token;
};

/*
 * The timed loops below call now() and die(), as they did when their
 * figures were first taken: bench-util's clock and exit under those names,
 * so the loops themselves stay as they are. now() inlines to the clock read.
 */
static inline double now(void)
{
	return bench_now();
}

static void __attribute__((noreturn)) die(const char *what, long r)
{
	bench_die(what, r, NULL);
}

static uint64_t la_of(unsigned int page)
{
	return ELRANGE + (uint64_t)page * SGX_PAGE_SIZE;
}

/* ELRANGE page i is EPC page 1 + i (the SECS is EPC page 0); EPC identity; else host memory. */
static int xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	(void)opaque;
	(void)write;
	memset(ret, 0, sizeof(*ret));
	if (la - ELRANGE < ENCL_PAGES * SGX_PAGE_SIZE) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = EPC_BASE + SGX_PAGE_SIZE + (la - ELRANGE);
		return 0;
	}
	if (la - EPC_BASE < EPC_SPAN * SGX_PAGE_SIZE) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = la;
		return 0;
	}
	ret->kind = HW_XLATE_RAM;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---------------------------------------------------------------------- */
/* Building and launching the enclave                                     */
/* ---------------------------------------------------------------------- */

static void measure_block(struct crypto_sha256 *h, const char *tag, uint64_t a, uint64_t b,
			  size_t b_at)
{
	uint8_t blk[64] = { 0 };

	memcpy(blk, tag, strlen(tag));
	memcpy(blk + 8, &a, 8);
	memcpy(blk + b_at, &b, 8);
	crypto_sha256_update(h, blk, sizeof(blk));
}

static void eadd(struct bench *b, struct hw_cpu *cpu, uint64_t secs_pa, uint64_t encl_base,
		 unsigned int page, uint64_t flags, struct crypto_sha256 *h)
{
	int r;

	memset(b->pi, 0, sizeof(*b->pi));
	memset(b->si, 0, sizeof(*b->si));
	b->si->flags = flags;
	b->pi->linaddr = encl_base + (uint64_t)page * SGX_PAGE_SIZE;
	b->pi->srcpge = ptr(b->page);
	b->pi->secinfo = ptr(b->si);
	b->pi->secs = secs_pa;
	r = hw_eadd(cpu, ptr(b->pi), secs_pa + SGX_PAGE_SIZE * (1 + (uint64_t)page));
	if (r)
		die("EADD", r);
	if (h)
		measure_block(h, "EADD", (uint64_t)page * SGX_PAGE_SIZE, flags, 16);
}

static int ecreate(struct bench *b, struct hw_cpu *cpu, uint64_t secs_pa)
{
	bench_secs_init(b->secs, ELRANGE, ENCL_PAGES * SGX_PAGE_SIZE);
	return bench_ecreate(cpu, b->pi, b->si, b->secs, secs_pa);
}

/*
 * The enclave: data pages 0 .. 15, and per thread t a TCS at page
 * 16 (t + 1) with two SSA frames after it and stack pages up to the next
 * thread's (as SDK layouts have it): the threads' EPCM entries are lines
 * apart. Returns its MRENCLAVE in (mr).
 */
static void build(struct bench *b, struct hw_cpu *cpu, uint64_t secs_pa, uint8_t mr[32])
{
	struct crypto_sha256 *h = crypto_sha256_new();
	struct sgx_tcs *tcs = (struct sgx_tcs *)b->page;
	uint64_t rw = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	int r;

	if (!h)
		die("crypto_sha256_new", 0);
	r = ecreate(b, cpu, secs_pa);
	if (r)
		die("ECREATE", r);
	measure_block(h, "ECREATE", 1 | (uint64_t)ENCL_PAGES * SGX_PAGE_SIZE << 32,
		      (uint64_t)ENCL_PAGES * SGX_PAGE_SIZE >> 32, 16);
	memset(b->page, 0, SGX_PAGE_SIZE);
	for (unsigned int i = 0; i < 16; i++)
		eadd(b, cpu, secs_pa, ELRANGE, i, rw, h);
	for (unsigned int t = 0; t < NR_THREADS; t++) {
		unsigned int at = THREAD_STEP * (t + 1);

		memset(b->page, 0, SGX_PAGE_SIZE);
		tcs->ossa = (uint64_t)(at + 1) * SGX_PAGE_SIZE;
		tcs->nssa = 2;
		tcs->oentry = 0;
		eadd(b, cpu, secs_pa, ELRANGE, at, SGX_SECINFO_PT(SGX_PT_TCS), h);
		memset(b->page, 0, SGX_PAGE_SIZE);
		eadd(b, cpu, secs_pa, ELRANGE, at + 1, rw, h);
		eadd(b, cpu, secs_pa, ELRANGE, at + 2, rw, h);
	}
	crypto_sha256_final(h, mr);
	crypto_sha256_free(h);
}

static void bench_key(struct bench *b, const char *path)
{
	uint8_t modulus[CRYPTO_RSA3072_LEN];
	char why[256];
	FILE *f;

	if (crypto_rsa_key_load(path, &b->key, why, sizeof(why))) {
		fprintf(stderr,
			"bench-leaves: %s: %s (give the signing key as the third argument)\n", path,
			why);
		exit(2);
	}
	crypto_rsa_key_modulus(b->key, modulus);
	crypto_sha256(modulus, sizeof(modulus), b->mrsigner);
	f = fopen(path, "r");
	b->pkey = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!b->pkey)
		die("PEM_read_PrivateKey", 0);
}

/* Sign (mr) and make the signer the launch-authorized one on every CPU (FLC). */
static void bench_sign(struct bench *b, const uint8_t mr[32])
{
	struct sigstruct_params params;

	sigstruct_params_init_default(&params);
	params.date = 0x20260101;
	if (sigstruct_sign(&params, mr, b->key, b->sig))
		die("sigstruct_sign", 0);
	for (unsigned int c = 0; c < hw_processor_nr_cpus(b->p); c++) {
		for (uint32_t i = 0; i < 4; i++) {
			uint64_t v;

			memcpy(&v, b->mrsigner + 8 * i, 8);
			if (hw_msr_write(hw_processor_cpu(b->p, c), MSR_IA32_SGXLEPUBKEYHASH0 + i,
					 v))
				die("WRMSR LEPUBKEYHASH", i);
		}
	}
}

static void bench_setup(struct bench *b, const char *key_path)
{
	struct hw_addr_space as = { .xlate = xlate };
	struct hw_desc d;
	uint8_t mr[32];
	int r;

	hw_desc_init_default(&d);
	d.sections[0].base = EPC_BASE;
	d.sections[0].size = EPC_PAGES * SGX_PAGE_SIZE;
	d.nr_cpus = 4;
	d.sgx2 = true;
	r = hw_processor_create(&d, &b->p);
	if (r)
		die("hw_processor_create", r);
	for (unsigned int c = 0; c < 4; c++)
		hw_cpu_set_addr_space(hw_processor_cpu(b->p, c), &as);
	b->page = bench_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	b->pi = bench_zalloc(64, sizeof(*b->pi));
	b->si = bench_zalloc(64, sizeof(*b->si));
	b->secs = bench_zalloc(SGX_PAGE_SIZE, sizeof(*b->secs));
	b->sig = bench_zalloc(SGX_PAGE_SIZE, sizeof(*b->sig));
	b->token = bench_zalloc(512, sizeof(*b->token));
	bench_key(b, key_path);
	b->secs_pa = EPC_BASE;
	build(b, hw_processor_cpu(b->p, 0), b->secs_pa, mr);
	bench_sign(b, mr);
	r = hw_einit(hw_processor_cpu(b->p, 0), ptr(b->sig), b->secs_pa, ptr(b->token));
	if (r)
		die("EINIT", r);
}

/* ---------------------------------------------------------------------- */
/* Figures                                                                 */
/* ---------------------------------------------------------------------- */

struct figure {
	const char *name;
	const char *floor;
	double model[MAX_ROUNDS], raw[MAX_ROUNDS]; /* ns per operation */
	int n;
};

static void figure_print(const struct figure *f)
{
	unsigned int n = (unsigned int)f->n;
	double bm = bench_best(f->model, n), br = bench_best(f->raw, n);
	double mm = bench_median(f->model, n), mr = bench_median(f->raw, n);

	printf("leaves: %-28s model %9.1f ns best %9.1f median | floor %9.1f best %9.1f median"
	       " | ratio %.2f best %.2f median   (floor: %s)\n",
	       f->name, bm, mm, br, mr, br / bm, mr / mm, f->floor);
}

/* ---- EENTER + EEXIT ---------------------------------------------------- */

static int enclu(struct hw_cpu *cpu, uint64_t leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx)
{
	struct hw_regs regs = { .rax = leaf, .rbx = rbx, .rcx = rcx, .rdx = rdx };
	int r = hw_enclu(cpu, &regs);

	return r ? r : (int)(regs.rax & 0xffffffff) * (leaf == SGX_EGETKEY);
}

/*
 * The floor of an entry and an exit: what any model of EENTER/EEXIT must do
 * at least. The TCS operand translated through the CPU's address space (a
 * call through its function pointer), the TCS's busy bit taken with a CAS
 * and given back, and the CPU's own tracking record written: on entry the
 * enclave and the epoch it entered in (read from the enclave, a line only
 * ETRACK writes), on exit cleared. Nothing two CPUs write is shared, as on
 * hardware where EENTER takes no enclave-wide lock.
 */
struct floor_encl {
	_Alignas(64) _Atomic uint64_t track;
};

struct floor_cpu {
	_Alignas(64) _Atomic uint64_t slot;
};

struct floor_entry {
	uint64_t linaddr;
	uint32_t secs;
	uint16_t flags;
	uint8_t pt;
	_Atomic unsigned char busy;
	uint64_t epoch;
};

static struct floor_encl floor_encl;
static struct floor_cpu floor_cpus[NR_THREADS];
static struct floor_entry floor_epcm[ENCL_PAGES + 1];
static struct hw_addr_space floor_as = { .xlate = xlate };

__attribute__((noinline)) static int floor_enter(struct floor_entry *te, uint64_t tcs_la,
						 struct floor_cpu *c)
{
	struct hw_xlate x;
	unsigned char idle = 0;
	uint64_t epoch;

	if (floor_as.xlate(floor_as.opaque, tcs_la, true, &x) || x.kind != HW_XLATE_EPC)
		return -1;
	if (!atomic_compare_exchange_strong_explicit(&te->busy, &idle, 1, memory_order_acquire,
						     memory_order_relaxed))
		return -1;
	atomic_store(&c->slot, 1);
	epoch = atomic_load(&floor_encl.track);
	atomic_store(&c->slot, epoch << 2 | 2);
	atomic_store_explicit(&te->busy, 0, memory_order_release);
	return 0;
}

__attribute__((noinline)) static int floor_exit(struct floor_entry *te, struct floor_cpu *c)
{
	unsigned char idle = 0;

	if (!atomic_compare_exchange_strong_explicit(&te->busy, &idle, 1, memory_order_acquire,
						     memory_order_relaxed))
		return -1;
	atomic_store_explicit(&c->slot, 0, memory_order_release);
	atomic_store_explicit(&te->busy, 0, memory_order_release);
	return 0;
}

/*
 * Threads entering and leaving run in chunks of EE_CHUNK round trips, all
 * threads starting each chunk together (a barrier); a chunk lasts from the
 * first thread's start to the last thread's end, so threads that did not
 * overlap count as serialized. The best chunk is the
 * throughput the threads get while each holds a CPU: on a machine shared
 * with other work a whole run of a few milliseconds is rarely scheduled on
 * both CPUs at once, while contention between the threads (a lock, a line
 * they both write) slows every chunk alike.
 */
#define EE_CHUNK 2000

struct ee_barrier {
	_Atomic unsigned int arrived, gen;
	unsigned int n;
};

static void ee_wait(struct ee_barrier *s)
{
	unsigned int gen = atomic_load(&s->gen);

	if (atomic_fetch_add(&s->arrived, 1) + 1 == s->n) {
		atomic_store(&s->arrived, 0);
		atomic_fetch_add(&s->gen, 1);
		return;
	}
	/* Spin, not yield: a yielding waiter would start its chunk a timeslice late. */
	while (atomic_load(&s->gen) == gen)
		;
}

struct worker {
	struct bench *b;
	unsigned int t;
	struct ee_barrier *sync;
	double *start, *end; /* of each chunk */
	bool floor;
};

static void *enter_exit_thread(void *arg)
{
	struct worker *w = arg;
	struct hw_cpu *cpu = hw_processor_cpu(w->b->p, w->t);
	unsigned int tcs_page = THREAD_STEP * (w->t + 1);
	uint64_t tcs = la_of(tcs_page);
	struct floor_entry *te = &floor_epcm[1 + tcs_page];

	for (uint64_t c = 0; c < w->b->iters / EE_CHUNK; c++) {
		double t0;

		ee_wait(w->sync);
		t0 = now();
		for (unsigned int i = 0; i < EE_CHUNK; i++) {
			if (w->floor) {
				if (floor_enter(te, tcs, &floor_cpus[w->t]) ||
				    floor_exit(te, &floor_cpus[w->t]))
					die("floor enter/exit", 0);
			} else if (enclu(cpu, SGX_EENTER, tcs, AEP, 0) ||
				   enclu(cpu, SGX_EEXIT, 0x400000, 0, 0)) {
				die("EENTER/EEXIT", 0);
			}
		}
		w->start[c] = t0;
		w->end[c] = now();
	}
	return NULL;
}

/*
 * ns per round trip of the (threads) threads' combined throughput in their
 * best chunk: chunk seconds / (threads x EE_CHUNK).
 */
static double enter_exit_run(struct bench *b, unsigned int threads, bool floor)
{
	uint64_t chunks = b->iters / EE_CHUNK;
	struct ee_barrier sync = { .n = threads };
	struct worker w[NR_THREADS];
	pthread_t tid[NR_THREADS];
	double best_chunk = 1e30;

	for (unsigned int t = 0; t < threads; t++) {
		w[t] = (struct worker){ .b = b, .t = t, .sync = &sync, .floor = floor };
		w[t].start = calloc(chunks, sizeof(double));
		w[t].end = calloc(chunks, sizeof(double));
		if (!w[t].start || !w[t].end ||
		    pthread_create(&tid[t], NULL, enter_exit_thread, &w[t]))
			die("pthread_create", t);
	}
	for (unsigned int t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	for (uint64_t c = 0; c < chunks; c++) {
		double first = w[0].start[c], last = w[0].end[c];

		for (unsigned int t = 1; t < threads; t++) {
			first = w[t].start[c] < first ? w[t].start[c] : first;
			last = w[t].end[c] > last ? w[t].end[c] : last;
		}
		best_chunk = last - first < best_chunk ? last - first : best_chunk;
	}
	for (unsigned int t = 0; t < threads; t++) {
		free(w[t].start);
		free(w[t].end);
	}
	return best_chunk / ((double)threads * EE_CHUNK) * 1e9;
}

/* ---- AEX + ERESUME ------------------------------------------------------ */

static double aex_eresume(struct bench *b, bool floor)
{
	struct hw_cpu *cpu = hw_processor_cpu(b->p, 0);
	struct sgx_ssa_gpr gpr = { .rip = ELRANGE }, back;
	struct hw_aex why = { .vector = 32, .is_interrupt = true };
	uint64_t tcs = la_of(THREAD_STEP);
	struct floor_entry *te = &floor_epcm[1 + THREAD_STEP];
	uint8_t *ssa = bench_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	double t0, t;

	if (!floor && enclu(cpu, SGX_EENTER, tcs, AEP, 0))
		die("EENTER", 0);
	t0 = now();
	for (uint64_t i = 0; i < b->iters; i++) {
		if (floor) {
			/* Save the GPRs into the frame and exit; enter and restore them. */
			memcpy(ssa + SGX_PAGE_SIZE - sizeof(gpr), &gpr, sizeof(gpr));
			if (floor_exit(te, &floor_cpus[0]) || floor_enter(te, tcs, &floor_cpus[0]))
				die("floor AEX/ERESUME", 0);
			memcpy(&back, ssa + SGX_PAGE_SIZE - sizeof(gpr), sizeof(back));
			gpr.rax = back.rax + 1;
		} else if (hw_aex(cpu, &gpr, &why) || enclu(cpu, SGX_ERESUME, tcs, AEP, 0)) {
			die("AEX/ERESUME", 0);
		}
	}
	t = now() - t0;
	if (!floor && enclu(cpu, SGX_EEXIT, 0x400000, 0, 0))
		die("EEXIT", 0);
	free(ssa);
	return t;
}

/* ---- EGETKEY and EREPORT --------------------------------------------- */

/*
 * A kept-key CMAC, the plainest way with OpenSSL: one context, keyed once.
 * And the model's own kept-key CMAC (struct crypto_cmac, AES-CBC in one call
 * per message), called straight on the same bytes: what the leaves would
 * cost with nothing but their cryptography.
 */
struct raw_cmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *fuse, *derived;
	struct crypto_cmac *vfuse, *vderived;
};

static void raw_cmac_init(struct raw_cmac *c)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("cipher", "AES-128-CBC", 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t key[16] = { 1, 2, 3 };

	c->mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	c->fuse = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
	c->derived = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
	if (!c->fuse || !c->derived || !EVP_MAC_init(c->fuse, key, 16, params) ||
	    !EVP_MAC_init(c->derived, key, 16, params))
		die("EVP_MAC", 0);
	c->vfuse = crypto_cmac_new();
	c->vderived = crypto_cmac_new();
	if (!c->vfuse || !c->vderived || crypto_cmac_set_key(c->vfuse, key))
		die("crypto_cmac", 0);
}

static void raw_cmac_free(struct raw_cmac *c)
{
	EVP_MAC_CTX_free(c->fuse);
	EVP_MAC_CTX_free(c->derived);
	EVP_MAC_free(c->mac);
	crypto_cmac_free(c->vfuse);
	crypto_cmac_free(c->vderived);
}

static void raw_mac(EVP_MAC_CTX *ctx, const uint8_t *key, const void *data, size_t len,
		    uint8_t out[16])
{
	size_t n;

	if (!EVP_MAC_init(ctx, key, key ? 16 : 0, NULL) || !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &n, 16))
		die("CMAC", 0);
}

#define KEY_CHUNK 500

/* (n) kept-key CMACs the plainest way: EGETKEY's floor, and with (report) EREPORT's. */
static void raw_keys(struct raw_cmac *raw, bool report, uint64_t n)
{
	static uint8_t keydep[KEYDEP_LEN], body[BODY_LEN];
	uint8_t key[16];

	for (uint64_t i = 0; i < n; i++) {
		keydep[0] = (uint8_t)i;
		raw_mac(raw->fuse, NULL, keydep, sizeof(keydep), key);
		if (report)
			raw_mac(raw->derived, key, body, sizeof(body), body);
	}
}

/* The same with the model's CMAC: its leaves' cryptography alone. */
static void own_keys(struct raw_cmac *raw, bool report, uint64_t n)
{
	static uint8_t keydep[KEYDEP_LEN], body[BODY_LEN];
	uint8_t key[16];

	for (uint64_t i = 0; i < n; i++) {
		keydep[0] = (uint8_t)i;
		if (crypto_cmac_mac(raw->vfuse, keydep, sizeof(keydep), key) ||
		    (report && (crypto_cmac_set_key(raw->vderived, key) ||
				crypto_cmac_mac(raw->vderived, body, sizeof(body), body))))
			die("crypto_cmac", 0);
	}
}

/*
 * EGETKEY (a SEAL key by MRENCLAVE) or EREPORT (of the enclave for itself)
 * against their floors, in alternating chunks of KEY_CHUNK: on a loaded
 * machine all sides then see the same load. *model, *floor (OpenSSL's CMAC)
 * and *own (the model's CMAC) get the best chunk's ns per leaf. In the enclave's data pages:
 * KEYREQUEST / TARGETINFO at page 0, REPORTDATA after it, outputs on page 1.
 */
static void egetkey_ereport(struct bench *b, bool report, struct raw_cmac *raw, double *model,
			    double *floor, double *own)
{
	struct hw_cpu *cpu = hw_processor_cpu(b->p, 0);
	uint64_t in = la_of(0), data = la_of(0) + 512, out = la_of(1);
	double t0;

	*model = *floor = *own = 1e30;
	if (enclu(cpu, SGX_EENTER, la_of(THREAD_STEP), AEP, 0))
		die("EENTER", 0);
	if (!report) {
		struct sgx_keyrequest kr = { .key_name = SGX_KEY_SEAL,
					     .key_policy = SGX_KEYPOLICY_MRENCLAVE };

		if (hw_enclave_write(cpu, in, &kr, sizeof(kr)))
			die("write KEYREQUEST", 0);
	}
	for (uint64_t done = 0; done < b->iters; done += KEY_CHUNK) {
		double t;

		t0 = now();
		for (unsigned int i = 0; i < KEY_CHUNK; i++) {
			int r = report ? enclu(cpu, SGX_EREPORT, in, data, out)
				       : enclu(cpu, SGX_EGETKEY, in, out, 0);

			if (r)
				die(report ? "EREPORT" : "EGETKEY", r);
		}
		t = (now() - t0) / KEY_CHUNK * 1e9;
		*model = t < *model ? t : *model;
		t0 = now();
		raw_keys(raw, report, KEY_CHUNK);
		t = (now() - t0) / KEY_CHUNK * 1e9;
		*floor = t < *floor ? t : *floor;
		t0 = now();
		own_keys(raw, report, KEY_CHUNK);
		t = (now() - t0) / KEY_CHUNK * 1e9;
		*own = t < *own ? t : *own;
	}
	if (enclu(cpu, SGX_EEXIT, 0x400000, 0, 0))
		die("EEXIT", 0);
}

/* ---- EINIT ------------------------------------------------------------ */

/* The SIGSTRUCT's own check, the plainest way: OpenSSL RSA verify, and MRSIGNER. */
static void raw_einit(struct bench *b)
{
	uint8_t msg[SIGSTRUCT_MESSAGE_LEN], sig_be[CRYPTO_RSA3072_LEN], mrsigner[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	sigstruct_signed_message(b->sig, msg);
	for (int i = 0; i < CRYPTO_RSA3072_LEN; i++)
		sig_be[i] = b->sig->signature[CRYPTO_RSA3072_LEN - 1 - i];
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, b->pkey) != 1 ||
	    EVP_DigestVerify(ctx, sig_be, sizeof(sig_be), msg, sizeof(msg)) != 1)
		die("RSA verify of the SIGSTRUCT", 0);
	crypto_sha256(b->sig->modulus, sizeof(b->sig->modulus), mrsigner);
	EVP_MD_CTX_free(ctx);
}

static void teardown(struct bench *b, struct hw_cpu *cpu, uint64_t secs_pa)
{
	for (unsigned int i = 0; i < ENCL_PAGES; i++)
		hw_eremove(cpu, secs_pa + SGX_PAGE_SIZE * (1 + (uint64_t)i));
	if (hw_eremove(cpu, secs_pa))
		die("EREMOVE SECS", 0);
	(void)b;
}

/* EINIT alone, of a fresh copy of the enclave each time (built and removed untimed). */
static double einit(struct bench *b, uint64_t n, bool floor)
{
	struct hw_cpu *cpu = hw_processor_cpu(b->p, 0);
	uint64_t secs_pa = EPC_BASE + 128 * SGX_PAGE_SIZE;
	double t = 0, t0;
	uint8_t mr[32];

	for (uint64_t i = 0; i < n; i++) {
		if (floor) {
			t0 = now();
			raw_einit(b);
			t += now() - t0;
			continue;
		}
		build(b, cpu, secs_pa, mr);
		t0 = now();
		if (hw_einit(cpu, ptr(b->sig), secs_pa, ptr(b->token)))
			die("EINIT", 0);
		t += now() - t0;
		teardown(b, cpu, secs_pa);
	}
	return t;
}

/* ---- Page-management floor -------------------------------------------- */

/*
 * The floor of a leaf on one EPC page: what any model must do. Its operands
 * translated (one call through the address space for the page, one for a
 * SECINFO), the page's entry taken with a CAS on its busy bit, its fields
 * written, the bit given back; for leaves that add or remove a page the
 * enclave's child count changed with an atomic RMW.
 */
static _Atomic uint64_t floor_children;

__attribute__((noinline)) static void floor_leaf(uint64_t la, uint64_t secinfo_la, bool count,
						 int delta)
{
	struct hw_xlate x, s;
	uint64_t idx;
	struct floor_entry *e;
	unsigned char idle = 0;

	if (floor_as.xlate(NULL, la, true, &x) || floor_as.xlate(NULL, secinfo_la, false, &s))
		die("floor xlate", 0);
	idx = (x.pa - EPC_BASE) / SGX_PAGE_SIZE;
	e = &floor_epcm[idx % (ENCL_PAGES + 1)];
	if (!atomic_compare_exchange_strong_explicit(&e->busy, &idle, 1, memory_order_acquire,
						     memory_order_relaxed))
		die("floor busy", 0);
	e->linaddr = la;
	e->flags ^= 1;
	e->pt = (uint8_t)delta;
	if (count)
		atomic_fetch_add_explicit(&floor_children, (uint64_t)(int64_t)delta,
					  memory_order_relaxed);
	atomic_store_explicit(&e->busy, 0, memory_order_release);
}

/* ---- SGX2 ------------------------------------------------------------- */

enum sgx2_op { SGX2_AUG, SGX2_MODPR, SGX2_TRIM };

static void sgx2_secinfo(struct sgx_secinfo *si, uint64_t flags)
{
	memset(si, 0, sizeof(*si));
	si->flags = flags;
}

/* EACCEPT's SECINFO is enclave memory: the enclave writes it on its page 2. */
static uint64_t sgx2_accept_secinfo(struct hw_cpu *cpu, uint64_t flags)
{
	struct sgx_secinfo si;

	sgx2_secinfo(&si, flags);
	if (hw_enclave_write(cpu, la_of(2), &si, sizeof(si)))
		die("write SECINFO", 0);
	return la_of(2);
}

static void must(int r, const char *what)
{
	if (r)
		die(what, r);
}

/*
 * One batch of AUG_PAGES pages. AUG: EAUG each, then EACCEPT each from
 * inside; the pages are then removed (untimed, except for trim). MODPR:
 * EMODPR each to R, ETRACK, EACCEPT each (pages EAUGed and accepted
 * untimed first). TRIM: EMODT each to PT_TRIM, ETRACK, EACCEPT each, and
 * EREMOVE each.
 */
static double sgx2_batch(struct bench *b, enum sgx2_op op)
{
	struct hw_cpu *cpu = hw_processor_cpu(b->p, 0);
	struct sgx_secinfo *si = b->si;
	uint64_t tcs = la_of(THREAD_STEP), pa0 = b->secs_pa + SGX_PAGE_SIZE * (1 + AUG_FIRST);
	uint64_t rw = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	double t0, t = 0;
	bool timed_aug = op == SGX2_AUG;
	uint64_t acc;

	/* EAUG + EACCEPT */
	t0 = now();
	memset(b->pi, 0, sizeof(*b->pi));
	b->pi->secs = b->secs_pa;
	for (unsigned int k = 0; k < AUG_PAGES; k++) {
		b->pi->linaddr = la_of(AUG_FIRST + k);
		must(hw_eaug(cpu, ptr(b->pi), pa0 + k * SGX_PAGE_SIZE), "EAUG");
	}
	must(enclu(cpu, SGX_EENTER, tcs, AEP, 0), "EENTER");
	acc = sgx2_accept_secinfo(cpu, rw | SGX_SECINFO_PENDING);
	for (unsigned int k = 0; k < AUG_PAGES; k++)
		must(hw_eaccept(cpu, acc, la_of(AUG_FIRST + k)), "EACCEPT (EAUG)");
	must(enclu(cpu, SGX_EEXIT, 0x400000, 0, 0), "EEXIT");
	if (timed_aug)
		t += now() - t0;

	t0 = now();
	if (op == SGX2_MODPR) {
		sgx2_secinfo(si, SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R);
		for (unsigned int k = 0; k < AUG_PAGES; k++)
			must(hw_emodpr(cpu, ptr(si), pa0 + k * SGX_PAGE_SIZE), "EMODPR");
		must(hw_etrack(cpu, b->secs_pa), "ETRACK");
		must(enclu(cpu, SGX_EENTER, tcs, AEP, 0), "EENTER");
		acc = sgx2_accept_secinfo(cpu, SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R |
						   SGX_SECINFO_PR);
		for (unsigned int k = 0; k < AUG_PAGES; k++)
			must(hw_eaccept(cpu, acc, la_of(AUG_FIRST + k)), "EACCEPT (EMODPR)");
		must(enclu(cpu, SGX_EEXIT, 0x400000, 0, 0), "EEXIT");
		t += now() - t0;
		t0 = now();
	}
	/* Trim: EMODT to TRIM, ETRACK, EACCEPT, EREMOVE. */
	sgx2_secinfo(si, SGX_SECINFO_PT(SGX_PT_TRIM));
	for (unsigned int k = 0; k < AUG_PAGES; k++)
		must(hw_emodt(cpu, ptr(si), pa0 + k * SGX_PAGE_SIZE), "EMODT");
	must(hw_etrack(cpu, b->secs_pa), "ETRACK");
	must(enclu(cpu, SGX_EENTER, tcs, AEP, 0), "EENTER");
	acc = sgx2_accept_secinfo(cpu, SGX_SECINFO_PT(SGX_PT_TRIM) | SGX_SECINFO_MODIFIED);
	for (unsigned int k = 0; k < AUG_PAGES; k++)
		must(hw_eaccept(cpu, acc, la_of(AUG_FIRST + k)), "EACCEPT (trim)");
	must(enclu(cpu, SGX_EEXIT, 0x400000, 0, 0), "EEXIT");
	for (unsigned int k = 0; k < AUG_PAGES; k++)
		must(hw_eremove(cpu, pa0 + k * SGX_PAGE_SIZE), "EREMOVE (trim)");
	if (op == SGX2_TRIM)
		t += now() - t0;
	return t;
}

/* The floor of a batch: its leaves' floor_leaf()s, plus ETRACK's one RMW where it has one. */
static double sgx2_floor(enum sgx2_op op)
{
	unsigned int leaves = op == SGX2_AUG ? 2 : op == SGX2_MODPR ? 2 : 3;
	uint64_t si = ptr(&floor_children);
	double t0 = now();

	for (unsigned int k = 0; k < AUG_PAGES; k++)
		for (unsigned int l = 0; l < leaves; l++)
			floor_leaf(la_of(AUG_FIRST + k), si, op != SGX2_MODPR && l == 0, 1);
	if (op != SGX2_AUG)
		atomic_fetch_add_explicit(&floor_encl.track, 1ULL << 32, memory_order_acq_rel);
	return now() - t0;
}

/* ---- ECREATE and SECS teardown ---------------------------------------- */

/*
 * Per-enclave floor: one leaf's bookkeeping, the hidden state an enclave
 * needs allocated (SECS image, its running SHA-256 with the ECREATE block
 * hashed in) and, at teardown, freed.
 */
static double ecreate_teardown_floor(uint64_t n, double *teardown)
{
	uint8_t block[64] = "ECREATE";
	double t0, tc = 0, td = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct crypto_sha256 *h;
		void *secs;

		t0 = now();
		floor_leaf(EPC_BASE + 256 * SGX_PAGE_SIZE, ptr(block), true, 1);
		secs = calloc(1, 1024);
		h = crypto_sha256_new();
		if (!secs || !h || crypto_sha256_update(h, block, sizeof(block)))
			die("floor ECREATE", 0);
		tc += now() - t0;
		t0 = now();
		floor_leaf(EPC_BASE + 256 * SGX_PAGE_SIZE, ptr(block), true, -1);
		crypto_sha256_free(h);
		free(secs);
		td += now() - t0;
	}
	*teardown = td;
	return tc;
}

static double ecreate_teardown(struct bench *b, uint64_t n, double *teardown)
{
	struct hw_cpu *cpu = hw_processor_cpu(b->p, 0);
	uint64_t secs_pa = EPC_BASE + 256 * SGX_PAGE_SIZE;
	double t0, tc = 0, td = 0;

	for (uint64_t i = 0; i < n; i++) {
		t0 = now();
		must(ecreate(b, cpu, secs_pa), "ECREATE");
		tc += now() - t0;
		t0 = now();
		must(hw_eremove(cpu, secs_pa), "EREMOVE SECS");
		td += now() - t0;
	}
	*teardown = td;
	return tc;
}

/* ---- Host memory per EPC page ----------------------------------------- */

/*
 * RSS of a processor of (pages) EPC pages after one enclave per 256 pages
 * has EADDed every page, of zeros (no contents held: the metadata alone)
 * or not (contents and metadata), less the RSS before the processor.
 */
static void memory_per_page(struct bench *b, uint64_t pages, bool zeros, double *per_page)
{
	struct hw_processor *p;
	struct hw_desc d;
	struct hw_addr_space as = { .xlate = xlate };
	struct hw_cpu *cpu;
	uint64_t rw = SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W;
	long long before = bench_rss_bytes();

	hw_desc_init_default(&d);
	d.sections[0].base = EPC_BASE;
	d.sections[0].size = pages * SGX_PAGE_SIZE;
	d.nr_cpus = 1;
	must(hw_processor_create(&d, &p), "hw_processor_create");
	cpu = hw_processor_cpu(p, 0);
	hw_cpu_set_addr_space(cpu, &as);
	memset(b->page, zeros ? 0 : 0x5a, SGX_PAGE_SIZE);
	for (uint64_t base = 0; base + 256 <= pages; base += 256) {
		uint64_t secs_pa = EPC_BASE + base * SGX_PAGE_SIZE;

		/* ELRANGE 64 pages: each enclave takes 63 pages of it at most. */
		must(ecreate(b, cpu, secs_pa), "ECREATE");
		for (unsigned int i = 0; i < 255; i++) {
			memset(b->pi, 0, sizeof(*b->pi));
			memset(b->si, 0, sizeof(*b->si));
			b->si->flags = rw;
			b->pi->linaddr = ELRANGE + (uint64_t)(i % ENCL_PAGES) * SGX_PAGE_SIZE;
			b->pi->srcpge = ptr(b->page);
			b->pi->secinfo = ptr(b->si);
			b->pi->secs = secs_pa;
			must(hw_eadd(cpu, ptr(b->pi), secs_pa + SGX_PAGE_SIZE * (1 + (uint64_t)i)),
			     "EADD");
		}
	}
	*per_page = (double)(bench_rss_bytes() - before) / (double)pages;
	hw_processor_destroy(p);
}

int main(int argc, char **argv)
{
	uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	const char *key = argc > 3 ? argv[3] : "tests/vectors/sign_key.pem";
	struct figure f[13] = {
		{ "EENTER+EEXIT, 1 thread",
		  "xlate call + TCS busy CAS/store x2 + own record writes" },
		{ "EENTER+EEXIT, 2 threads", "the same on 2 threads, nothing written shared" },
		{ "AEX+ERESUME", "the enter/exit floor + the GPR frame saved and restored" },
		{ "EGETKEY", "AES-CMAC, kept key, 648-byte KEYDEPENDENCIES" },
		{ "EREPORT", "kept-key CMAC of 648 B + re-keyed CMAC of the 384-byte body" },
		{ "EINIT", "OpenSSL RSA-3072 verify of the SIGSTRUCT + SHA-256 of its modulus" },
		{ "EAUG+EACCEPT, per page", "2 x leaf floor (xlate x2, busy CAS, fields, count)" },
		{ "EMODPR+ETRACK+EACCEPT, per page", "2 x leaf floor + ETRACK's RMW / batch" },
		{ "trim (EMODT+ETRACK+EACCEPT+EREMOVE)", "3 x leaf floor + ETRACK's RMW / batch" },
		{ "ECREATE", "leaf floor + calloc + SHA-256 context + ECREATE block" },
		{ "SECS teardown (EREMOVE)", "leaf floor + free of both" },
		{ "EGETKEY, own CMAC", "the model's kept-key CMAC (AES-CBC) of the 648 bytes" },
		{ "EREPORT, own CMAC", "the model's CMAC: kept key 648 B + re-keyed 384 B" },
	};
	struct raw_cmac raw;
	struct bench b = { 0 };
	double load[3] = { 0 }, mem_full = 0, mem_zero = 0, scale[MAX_ROUNDS], fscale[MAX_ROUNDS];
	uint64_t n_einit, n_sgx2, n_encl;

	bench_name = "bench-leaves";
	if (iters < EE_CHUNK || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench-leaves [ITERS] [ROUNDS] [SIGNING-KEY]\n");
		return 2;
	}
	n_einit = iters / 2000 ? iters / 2000 : 1;
	n_sgx2 = iters / 100 / AUG_PAGES ? iters / 100 / AUG_PAGES : 1;
	n_encl = iters / 20 ? iters / 20 : 1;
	b.iters = iters;
	bench_setup(&b, key);
	raw_cmac_init(&raw);
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	for (int i = 0; i < rounds; i++) {
		double one, two, fone, ftwo, td, ftd;

		one = enter_exit_run(&b, 1, false);
		two = enter_exit_run(&b, 2, false);
		fone = enter_exit_run(&b, 1, true);
		ftwo = enter_exit_run(&b, 2, true);
		f[0].model[i] = one;
		f[0].raw[i] = fone;
		/* Two threads: ns per round trip of the pair's combined throughput. */
		f[1].model[i] = two;
		f[1].raw[i] = ftwo;
		scale[i] = one / two;
		fscale[i] = fone / ftwo;
		f[2].model[i] = aex_eresume(&b, false) / iters * 1e9;
		f[2].raw[i] = aex_eresume(&b, true) / iters * 1e9;
		egetkey_ereport(&b, false, &raw, &f[3].model[i], &f[3].raw[i], &f[11].raw[i]);
		egetkey_ereport(&b, true, &raw, &f[4].model[i], &f[4].raw[i], &f[12].raw[i]);
		f[11].model[i] = f[3].model[i];
		f[12].model[i] = f[4].model[i];
		f[5].model[i] = einit(&b, n_einit, false) / n_einit * 1e9;
		f[5].raw[i] = einit(&b, n_einit, true) / n_einit * 1e9;
		for (int op = 0; op < 3; op++) {
			double m = 0, r = 0;

			for (uint64_t k = 0; k < n_sgx2; k++) {
				m += sgx2_batch(&b, (enum sgx2_op)op);
				r += sgx2_floor((enum sgx2_op)op);
			}
			f[6 + op].model[i] = m / (n_sgx2 * AUG_PAGES) * 1e9;
			f[6 + op].raw[i] = r / (n_sgx2 * AUG_PAGES) * 1e9;
		}
		f[9].model[i] = ecreate_teardown(&b, n_encl, &td) / n_encl * 1e9;
		f[10].model[i] = td / n_encl * 1e9;
		f[9].raw[i] = ecreate_teardown_floor(n_encl, &ftd) / n_encl * 1e9;
		f[10].raw[i] = ftd / n_encl * 1e9;
		for (int k = 0; k < 13; k++)
			f[k].n = i + 1;
	}
	printf("leaves: %llu iterations x %d rounds; load average %.1f at the start, "
	       "%ld CPUs online\n",
	       (unsigned long long)iters, rounds, load[0], sysconf(_SC_NPROCESSORS_ONLN));
	for (int k = 0; k < 13; k++)
		figure_print(&f[k]);
	/* Scaling: throughput of 2 threads over 1, of the best runs and the median round. */
	printf("leaves: EENTER+EEXIT 2 threads / 1 thread: %.2f of bests, %.2f median round"
	       " (floor %.2f, %.2f; target >= 1.6)\n",
	       bench_best(f[0].model, (unsigned int)rounds) /
		   bench_best(f[1].model, (unsigned int)rounds),
	       bench_median(scale, (unsigned int)rounds),
	       bench_best(f[0].raw, (unsigned int)rounds) /
		   bench_best(f[1].raw, (unsigned int)rounds),
	       bench_median(fscale, (unsigned int)rounds));
	memory_per_page(&b, 65536, false, &mem_full);
	memory_per_page(&b, 65536, true, &mem_zero);
	printf("leaves: host RSS per EPC page, 65536 pages EADDed: %.1f B with contents"
	       " (floor 4096: the contents), %.1f B of zeros (metadata alone; floor 0)\n",
	       mem_full, mem_zero);
	raw_cmac_free(&raw);
	hw_processor_destroy(b.p);
	crypto_rsa_key_free(b.key);
	EVP_PKEY_free(b.pkey);
	free(b.page);
	free(b.pi);
	free(b.si);
	free(b.secs);
	free(b.sig);
	free(b.token);
	return 0;
}
