// SPDX-License-Identifier: MIT
/*
 * abort-page: checks, inside a guest, that enclave memory read from outside
 * enclave mode is the abort page (reads all ones, writes dropped), and that
 * the vDSO exports __vdso_sgx_enter_enclave. Prints TAP.
 *
 * Usage: abort-page [path/to/test_encl.elf]
 *
 * The enclave is built with the kernel selftests' loader (load.c, sigstruct.c
 * and sign_key.S from linux-source, compiled in at build time by
 * guest/build.sh and never committed); this file only calls their
 * encl_load/encl_measure/encl_build and the struct encl they declare.
 */
#include <elf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "defines.h"
#include "main.h"
#include "vdso.h"

#define NTESTS 4

static int failed;
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void tap(int n, bool ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", n, what);
	if (!ok)
		failed = 1;
	fflush(stdout);
}

static void tap_skip(int n, const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", n, what, why);
	fflush(stdout);
}

/* A broken model may fault instead of giving the abort page: report, don't die. */
static void on_fault(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

/* Whether the vDSO exports (name) with an address. */
static bool vdso_has(const char *name)
{
	return vdso_sym(name) != NULL;
}

/*
 * Reads every byte of [p, p + len) and returns how many are not 0xff,
 * or -1 with fault_sig set if the read faulted.
 */
static long count_not_ff(const volatile uint8_t *p, size_t len)
{
	long bad = 0;
	size_t i;

	if (sigsetjmp(fault_jmp, 1))
		return -1;
	for (i = 0; i < len; i++)
		if (p[i] != 0xff)
			bad++;
	return bad;
}

/* Writes zeroes over [p, p + len); returns false if the write faulted. */
static bool write_zeroes(volatile uint8_t *p, size_t len)
{
	size_t i;

	if (sigsetjmp(fault_jmp, 1))
		return false;
	for (i = 0; i < len; i++)
		p[i] = 0;
	return true;
}

int main(int argc, char **argv)
{
	bool hold = argc > 1 && strcmp(argv[1], "--hold") == 0;
	const char *elf = argc > 1 + hold ? argv[1 + hold] : "test_encl.elf";
	struct sigaction sa;
	struct encl encl;
	char msg[160];
	uint8_t *wpage = NULL;
	size_t pages = 0, i;
	long bad = 0;
	bool built;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	printf("TAP version 13\n1..%d\n", NTESTS);
	tap(1, vdso_has("__vdso_sgx_enter_enclave"), "the vDSO exports __vdso_sgx_enter_enclave");

	if (access("/dev/sgx_enclave", F_OK) != 0) {
		tap_skip(2, "build an enclave", "no /dev/sgx_enclave");
		tap_skip(3, "enclave pages read as 0xff outside enclave mode", "no enclave");
		tap_skip(4, "writes outside enclave mode are dropped", "no enclave");
		return failed;
	}

	/* The selftests' loader, as test_sgx uses it: ELF -> SIGSTRUCT -> EINIT. */
	built = encl_load(elf, &encl, ENCL_HEAP_SIZE_DEFAULT) && encl_measure(&encl) &&
		encl_build(&encl);
	for (i = 0; built && i < encl.nr_segments; i++) {
		struct encl_segment *seg = &encl.segment_tbl[i];

		if (mmap((void *)encl.encl_base + seg->offset, seg->size, seg->prot,
			 MAP_SHARED | MAP_FIXED, encl.fd, 0) == MAP_FAILED) {
			perror("mmap of an enclave segment");
			built = false;
		}
	}
	tap(2, built, "build an enclave through /dev/sgx_enclave");
	if (!built) {
		tap_skip(3, "enclave pages read as 0xff outside enclave mode", "no enclave");
		tap_skip(4, "writes outside enclave mode are dropped", "no enclave");
		return 1;
	}

	/* Every page of every readable segment, TCS included. */
	for (i = 0; i < encl.nr_segments && bad >= 0; i++) {
		struct encl_segment *seg = &encl.segment_tbl[i];
		uint8_t *p = (uint8_t *)encl.encl_base + seg->offset;

		if (!(seg->prot & PROT_READ))
			continue;
		bad = count_not_ff(p, seg->size);
		pages += seg->size / PAGE_SIZE;
		/* The last writable one is a plain data page (the first is the TCS). */
		if (seg->prot & PROT_WRITE)
			wpage = p;
	}
	if (bad < 0)
		snprintf(msg, sizeof(msg),
			 "enclave pages read as 0xff outside enclave mode (signal %d)",
			 (int)fault_sig);
	else
		snprintf(
		    msg, sizeof(msg),
		    "enclave pages read as 0xff outside enclave mode (%zu pages, %ld bytes differ)",
		    pages, bad);
	tap(3, bad == 0 && pages > 0, msg);

	if (!wpage) {
		tap_skip(4, "writes outside enclave mode are dropped", "no writable segment");
	} else if (!write_zeroes(wpage, PAGE_SIZE)) {
		snprintf(msg, sizeof(msg), "writes outside enclave mode are dropped (signal %d)",
			 (int)fault_sig);
		tap(4, false, msg);
	} else {
		bad = count_not_ff(wpage, PAGE_SIZE);
		snprintf(msg, sizeof(msg),
			 "writes outside enclave mode are dropped (%ld bytes differ after writing "
			 "zeroes)",
			 bad);
		tap(4, bad == 0, msg);
	}

	/*
	 * --hold: keep the enclave alive and say so, for a test that resets the
	 * machine under it; the reset (or the test's time limit) ends us.
	 */
	if (hold) {
		printf("VSGX-HOLD enclave alive at 0x%lx, %zu pages\n",
		       (unsigned long)encl.encl_base, pages);
		fflush(stdout);
		for (;;)
			pause();
	}
	encl_delete(&encl);
	return failed;
}
