// SPDX-License-Identifier: MIT
/*
 * bench-enclave: in-guest timings, each next to a floor measured in the same
 * process, for bench/qemu-guest.sh:
 *   eenter         one EENTER + EEXIT round trip through the vDSO's
 *                  __vdso_sgx_enter_enclave into test_encl.elf (ENCL_OP_NOP)
 *   getpid         one syscall(SYS_getpid) round trip (the floor of eenter:
 *                  the cheapest trip into the kernel and back)
 *   add_measured   SGX_IOC_ENCLAVE_ADD_PAGES with SGX_PAGE_MEASURE, per page
 *                  (EADD + 16 EEXTEND, and the driver's own work)
 *   add_unmeasured the same without SGX_PAGE_MEASURE (EADD alone)
 *   sha256_page    OpenSSL SHA-256 of the same page bytes, 4096 B per page
 *   sha256_stream  OpenSSL SHA-256 of the measurement stream the processor
 *                  hashes for a measured page, 5184 B per page (the EADD
 *                  block, then 16 EEXTEND blocks each with its 256 bytes)
 *
 * Usage: bench-enclave [-n CALLS] [-k PAGES] [-r ROUNDS] [path/to/test_encl.elf]
 * Output, one line per figure (machine-readable; times are wall clock from
 * CLOCK_MONOTONIC, best and median over ROUNDS):
 *   bench NAME ns_per_op|ns_per_page best=X median=Y count=N rounds=R
 *   bench NAME skip REASON
 * Exit status: 0 if every figure was measured (or skipped for lack of SGX),
 * 1 if an enclave call or an ioctl failed.
 *
 * The eenter enclave is built with the kernel selftests' loader (load.c,
 * sigstruct.c and sign_key.S, compiled in at build time by guest/build.sh and
 * never committed); the add_* enclaves are made with the driver's ioctls
 * directly, so that only ADD_PAGES is inside the timed region.
 */
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "defines.h"
#include "main.h"
#include "vdso.h"

#define MAX_ROUNDS	32
#define EEXTEND_SIZE	256 /* bytes each EEXTEND measures */
#define MR_BLOCK	64  /* one SHA-256 block of the measurement stream */
#define STREAM_PER_PAGE (MR_BLOCK + (PAGE_SIZE / EEXTEND_SIZE) * (MR_BLOCK + EEXTEND_SIZE))

struct opts {
	long calls;
	long pages;
	int rounds;
	const char *elf;
};

static int failed;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Prints the best and median of per-op times r[0..rounds). */
static void report(const char *name, const char *unit, double *r, int rounds, long count)
{
	qsort(r, rounds, sizeof(*r), cmp_double);
	printf("bench %s %s best=%.1f median=%.1f count=%ld rounds=%d\n", name, unit, r[0],
	       r[rounds / 2], count, rounds);
	fflush(stdout);
}

static void skip(const char *name, const char *why)
{
	printf("bench %s skip %s\n", name, why);
	fflush(stdout);
}

/* ---- getpid and EENTER + EEXIT ---------------------------------------- */

static double time_getpid(long n)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	return (now_ns() - t0) / n;
}

/* test_encl.elf, built and mapped as the selftests do, with its default heap. */
static bool build_test_encl(const char *elf, struct encl *encl)
{
	unsigned int i;

	if (!encl_load(elf, encl, ENCL_HEAP_SIZE_DEFAULT) || !encl_measure(encl) ||
	    !encl_build(encl))
		return false;
	for (i = 0; i < encl->nr_segments; i++) {
		struct encl_segment *seg = &encl->segment_tbl[i];

		if (mmap((void *)encl->encl_base + seg->offset, seg->size, seg->prot,
			 MAP_SHARED | MAP_FIXED, encl->fd, 0) == MAP_FAILED) {
			perror("bench-enclave: mmap of an enclave segment");
			return false;
		}
	}
	return true;
}

/* n round trips; a negative result if one did not end in EEXIT. */
static double time_eenter(vdso_sgx_enter_enclave_t enter, struct sgx_enclave_run *run, long n)
{
	struct encl_op_header op = { .type = ENCL_OP_NOP };
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		if (enter((unsigned long)&op, 0, 0, EENTER, 0, 0, run) != 0 ||
		    run->function != EEXIT)
			return -1;
	return (now_ns() - t0) / n;
}

static void bench_enter(const struct opts *o, bool have_sgx)
{
	double rg[MAX_ROUNDS], re[MAX_ROUNDS];
	vdso_sgx_enter_enclave_t enter = vdso_sym("__vdso_sgx_enter_enclave");
	struct sgx_enclave_run run;
	struct encl encl;
	int r;

	for (r = 0; r < o->rounds; r++)
		rg[r] = time_getpid(o->calls);
	report("getpid", "ns_per_op", rg, o->rounds, o->calls);

	if (!have_sgx || !enter) {
		skip("eenter", have_sgx ? "no __vdso_sgx_enter_enclave" : "no /dev/sgx_enclave");
		return;
	}
	if (!build_test_encl(o->elf, &encl)) {
		skip("eenter", "test_encl.elf did not build");
		failed = 1;
		return;
	}
	memset(&run, 0, sizeof(run));
	run.tcs = encl.encl_base;
	/* The first call faults the enclave's pages in: not part of a trip. */
	if (time_eenter(enter, &run, 1) < 0)
		r = 0;
	else
		for (r = 0; r < o->rounds; r++)
			if ((re[r] = time_eenter(enter, &run, o->calls)) < 0)
				break;
	if (r < o->rounds) {
		fprintf(stderr,
			"bench-enclave: EENTER returned without EEXIT (function %u, vector %u)\n",
			run.function, run.exception_vector);
		skip("eenter", "an enclave call failed");
		failed = 1;
	} else {
		report("eenter", "ns_per_op", re, o->rounds, o->calls);
	}
	encl_delete(&encl);
}

/* ---- ADD_PAGES and SHA-256 --------------------------------------------- */

/* Non-zero, varied page contents: a model may treat zero pages specially. */
static void fill(uint8_t *p, size_t len)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x | 1);
	}
}

/* An address range of `size` bytes aligned to `size`, as ECREATE requires. */
static uint64_t reserve_aligned(size_t size)
{
	uint8_t *area = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t base;

	if (area == MAP_FAILED)
		return 0;
	base = ((uint64_t)area + size - 1) & ~(uint64_t)(size - 1);
	if (base > (uint64_t)area)
		munmap(area, base - (uint64_t)area);
	munmap((void *)(base + size), (uint64_t)area + size - base);
	return base;
}

/* An enclave (SECS only) of at least `pages` pages; returns its fd or -1. */
static int create_encl(size_t pages, uint64_t *base, size_t *size)
{
	struct sgx_enclave_create ioc;
	struct sgx_secs secs;
	int fd = open("/dev/sgx_enclave", O_RDWR);

	if (fd < 0)
		return -1;
	for (*size = 2 * PAGE_SIZE; *size < pages * PAGE_SIZE;)
		*size <<= 1;
	*base = reserve_aligned(*size);
	memset(&secs, 0, sizeof(secs));
	secs.ssa_frame_size = 1;
	secs.attributes = SGX_ATTR_MODE64BIT;
	secs.xfrm = 3;
	secs.base = *base;
	secs.size = *size;
	ioc.src = (uint64_t)&secs;
	if (!*base || ioctl(fd, SGX_IOC_ENCLAVE_CREATE, &ioc) != 0) {
		perror("bench-enclave: SGX_IOC_ENCLAVE_CREATE");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Adds src's pages to a fresh enclave in one ioctl (the driver may return
 * early on a signal: it then resumes at count). Returns ns per page, or -1.
 */
static double time_add(const uint8_t *src, size_t pages, bool measure)
{
	struct sgx_secinfo secinfo;
	struct sgx_enclave_add_pages ioc;
	uint64_t base, done = 0;
	size_t size;
	double t0, t;
	int rc, fd = create_encl(pages, &base, &size);

	if (fd < 0)
		return -1;
	memset(&secinfo, 0, sizeof(secinfo));
	secinfo.flags = (SGX_PAGE_TYPE_REG << 8) | PROT_READ | PROT_WRITE;
	t0 = now_ns();
	while (done < pages * PAGE_SIZE) {
		memset(&ioc, 0, sizeof(ioc));
		ioc.src = (uint64_t)src + done;
		ioc.offset = done;
		ioc.length = pages * PAGE_SIZE - done;
		ioc.secinfo = (uint64_t)&secinfo;
		ioc.flags = measure ? SGX_PAGE_MEASURE : 0;
		rc = ioctl(fd, SGX_IOC_ENCLAVE_ADD_PAGES, &ioc);
		if (rc != 0 && errno != EINTR) {
			perror("bench-enclave: SGX_IOC_ENCLAVE_ADD_PAGES");
			break;
		}
		if (rc == 0 && !ioc.count)
			break; /* no progress and no error: do not spin */
		done += ioc.count;
	}
	t = now_ns() - t0;
	close(fd);
	munmap((void *)base, size);
	return done == pages * PAGE_SIZE ? t / pages : -1;
}

static double time_sha256(const uint8_t *p, size_t len, size_t pages)
{
	unsigned char md[32];
	unsigned int mdlen;
	double t0 = now_ns();

	if (!EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL))
		return -1;
	return (now_ns() - t0) / pages;
}

/*
 * The bytes the processor hashes for each measured page, laid out in memory:
 * a 64-byte EADD block, then for each 256-byte chunk a 64-byte EEXTEND block
 * and the chunk. The headers' contents do not change SHA-256's cost.
 */
static uint8_t *measurement_stream(const uint8_t *src, size_t pages)
{
	uint8_t *s = malloc(pages * STREAM_PER_PAGE), *q = s;
	size_t i, c;

	if (!s)
		return NULL;
	for (i = 0; i < pages; i++) {
		memset(q, 0, MR_BLOCK);
		memcpy(q, "EADD", 4);
		q += MR_BLOCK;
		for (c = 0; c < PAGE_SIZE; c += EEXTEND_SIZE) {
			memset(q, 0, MR_BLOCK);
			memcpy(q, "EEXTEND", 7);
			memcpy(q + MR_BLOCK, src + i * PAGE_SIZE + c, EEXTEND_SIZE);
			q += MR_BLOCK + EEXTEND_SIZE;
		}
	}
	return s;
}

static void bench_sha256(const struct opts *o, const uint8_t *src)
{
	double rp[MAX_ROUNDS], rs[MAX_ROUNDS];
	uint8_t *stream = measurement_stream(src, o->pages);
	int r;

	for (r = 0; r < o->rounds; r++)
		rp[r] = time_sha256(src, o->pages * PAGE_SIZE, o->pages);
	report("sha256_page", "ns_per_page", rp, o->rounds, o->pages);
	if (!stream) {
		skip("sha256_stream", "out of memory");
		return;
	}
	for (r = 0; r < o->rounds; r++)
		rs[r] = time_sha256(stream, o->pages * STREAM_PER_PAGE, o->pages);
	report("sha256_stream", "ns_per_page", rs, o->rounds, o->pages);
	free(stream);
}

static void bench_add(const struct opts *o, const uint8_t *src, bool measure)
{
	const char *name = measure ? "add_measured" : "add_unmeasured";
	double r_ns[MAX_ROUNDS];
	int r;

	for (r = 0; r < o->rounds; r++) {
		r_ns[r] = time_add(src, o->pages, measure);
		if (r_ns[r] < 0) {
			skip(name, "SGX_IOC_ENCLAVE_ADD_PAGES failed");
			failed = 1;
			return;
		}
	}
	report(name, "ns_per_page", r_ns, o->rounds, o->pages);
}

static void bench_build(const struct opts *o, bool have_sgx)
{
	uint8_t *src = mmap(NULL, o->pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (src == MAP_FAILED) {
		perror("bench-enclave: mmap of the source pages");
		failed = 1;
		return;
	}
	fill(src, o->pages * PAGE_SIZE);
	if (have_sgx) {
		bench_add(o, src, true);
		bench_add(o, src, false);
	} else {
		skip("add_measured", "no /dev/sgx_enclave");
		skip("add_unmeasured", "no /dev/sgx_enclave");
	}
	bench_sha256(o, src);
	munmap(src, o->pages * PAGE_SIZE);
}

static bool parse(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ .calls = 20000, .pages = 4096, .rounds = 5, .elf = "test_encl.elf" };
	while ((c = getopt(argc, argv, "n:k:r:")) != -1) {
		switch (c) {
		case 'n':
			o->calls = atol(optarg);
			break;
		case 'k':
			o->pages = atol(optarg);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		default:
			return false;
		}
	}
	if (optind < argc)
		o->elf = argv[optind];
	return o->calls > 0 && o->pages > 0 && o->rounds > 0 && o->rounds <= MAX_ROUNDS;
}

int main(int argc, char **argv)
{
	struct opts o;
	bool have_sgx = access("/dev/sgx_enclave", F_OK) == 0;

	if (!parse(argc, argv, &o)) {
		fprintf(stderr,
			"usage: bench-enclave [-n CALLS] [-k PAGES] [-r ROUNDS 1..%d] "
			"[test_encl.elf]\n",
			MAX_ROUNDS);
		return 2;
	}
	bench_enter(&o, have_sgx);
	bench_build(&o, have_sgx);
	return failed;
}
