// SPDX-License-Identifier: MIT
/*
 * A main() for the kernel's SGX selftests that honours "-t NAME" (repeatable):
 * Linux 6.1's kselftest harness ignores its arguments, so test_sgx always
 * ran every test. NAME is a test's name ("augment") or its TAP name
 * ("enclave.augment"). A NAME that matches nothing prints "Bail out!" and
 * exits 1, so that a typo does not look like a pass.
 *
 * guest/build.sh compiles this file in place of the selftests' main.o; it
 * #includes their main.c (uncommitted, extracted from linux-source at build
 * time) to reach the harness's test list, which is static to that file. The
 * resulting test_sgx binary is therefore under the selftests' licence.
 */
#include <errno.h>
#include <sys/ioctl.h>

/*
 * The SGX2 ioctls that walk a range of pages (RESTRICT_PERMISSIONS,
 * MODIFY_TYPES, REMOVE_PAGES) stop with EAGAIN when the kernel's reclaimer
 * holds a page of the range, reporting in .count how far they got; the
 * caller is to retry from there. Linux 6.1's test_sgx treats that EAGAIN as
 * a failure, which makes unclobbered_vdso_oversubscribed_remove fail
 * whenever the reclaimer and the ioctl meet on a page (on hardware too;
 * later selftests retry, after "selftests/sgx: Retry the ioctl()s returned
 * with EAGAIN"). The harness's calls go through
 * sgx_ioctl_retrying(), which retries the rest of the range and reports the
 * whole count, so the tests see what those later tests see. Each retry is
 * printed as a TAP comment.
 */
static int sgx_ioctl_retrying(int fd, unsigned long req, void *arg);
#define ioctl(fd, req, arg) sgx_ioctl_retrying(fd, req, arg)
#define main		    sgx_selftests_main
#include "main.c"
#undef main
#undef ioctl

/* Retry a ranged ioctl whose argument starts with offset, length, ..., count. */
#define RETRY_RANGE(type, name, fd, req, arg)                                                      \
	do {                                                                                       \
		type *a = (arg);                                                                   \
		__u64 offset = a->offset, length = a->length, done = 0;                            \
		int r;                                                                             \
                                                                                                   \
		while ((r = ioctl(fd, req, a)) == -1 && errno == EAGAIN && a->count < a->length) { \
			printf("# test_sgx: %s stopped with EAGAIN at offset "                     \
			       "0x%llx (the reclaimer held a page); retrying\n",                   \
			       name, (unsigned long long)(a->offset + a->count));                  \
			fflush(stdout);                                                            \
			done += a->count;                                                          \
			a->offset += a->count;                                                     \
			a->length -= a->count;                                                     \
			a->count = 0;                                                              \
		}                                                                                  \
		a->count += done;                                                                  \
		a->offset = offset;                                                                \
		a->length = length;                                                                \
		return r;                                                                          \
	} while (0)

static int sgx_ioctl_retrying(int fd, unsigned long req, void *arg)
{
	switch (req) {
	case SGX_IOC_ENCLAVE_RESTRICT_PERMISSIONS:
		RETRY_RANGE(struct sgx_enclave_restrict_permissions, "RESTRICT_PERMISSIONS", fd,
			    req, arg);
	case SGX_IOC_ENCLAVE_MODIFY_TYPES:
		RETRY_RANGE(struct sgx_enclave_modify_types, "MODIFY_TYPES", fd, req, arg);
	case SGX_IOC_ENCLAVE_REMOVE_PAGES:
		RETRY_RANGE(struct sgx_enclave_remove_pages, "REMOVE_PAGES", fd, req, arg);
	default:
		return ioctl(fd, req, arg);
	}
}

static bool name_matches(const char *want, struct __fixture_metadata *f, struct __test_metadata *t)
{
	size_t n = strlen(f->name);

	if (strcmp(want, t->name) == 0)
		return true;
	return strncmp(want, f->name, n) == 0 && want[n] == '.' &&
	       strcmp(want + n + 1, t->name) == 0;
}

int main(int argc, char **argv)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t, *next, *head;
	const char *want[64];
	bool found[64] = { false };
	int nwant = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") != 0 || i + 1 == argc || nwant == 64) {
			printf("Bail out! usage: %s [-t TEST]... (at most 64)\n", argv[0]);
			return 1;
		}
		want[nwant++] = argv[++i];
	}
	if (nwant == 0)
		return test_harness_run(argc, argv);

	/*
	 * Keep only the wanted tests, relinking each fixture's list the way the
	 * harness builds it: next runs forward and ends in NULL, the head's prev
	 * points at the tail.
	 */
	for (f = __fixture_list; f; f = f->next) {
		head = NULL;
		for (t = f->tests; t; t = next) {
			bool keep = false;

			next = t->next;
			for (i = 0; i < nwant; i++)
				if (name_matches(want[i], f, t))
					keep = found[i] = true;
			if (!keep)
				continue;
			t->next = NULL;
			if (!head) {
				head = t;
				t->prev = t;
			} else {
				t->prev = head->prev;
				head->prev->next = t;
				head->prev = t;
			}
		}
		f->tests = head;
	}
	for (i = 0; i < nwant; i++) {
		if (!found[i]) {
			printf("Bail out! no test named %s\n", want[i]);
			return 1;
		}
	}
	return test_harness_run(1, argv);
}
