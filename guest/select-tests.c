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
#define main sgx_selftests_main
#include "main.c"
#undef main

static bool name_matches(const char *want, struct __fixture_metadata *f,
			 struct __test_metadata *t)
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
