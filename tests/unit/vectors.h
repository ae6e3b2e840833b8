/* SPDX-License-Identifier: MIT */
/*
 * Unit-test helpers for the shared SGX vectors (VSGX_VECTORS): where they
 * are, tests that need them, and comparing bytes with hex from the README.
 * Static inline only, so each test includes just what it uses.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h>, <stdint.h> and <cmocka.h>.
 */
#ifndef VSGX_TESTS_VECTORS_H
#define VSGX_TESTS_VECTORS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	char buf[2 * 1024 + 1];

	assert_true(len * 2 < sizeof(buf));
	for (size_t i = 0; i < len; i++)
		sprintf(buf + 2 * i, "%02x", got[i]);
	buf[2 * len] = '\0';
	assert_string_equal(buf, want);
}

static inline bool vectors_present(void)
{
	const char *dir = getenv("VSGX_VECTORS");

	return dir && *dir && access(dir, R_OK | X_OK) == 0;
}

static inline void skipped(void **state)
{
	(void)state;
}

/*
 * A test that needs the vectors folder. cmocka 1.1.5 reports skip() as
 * "not ok N # SKIP", which Meson's TAP parser counts as a failure, so a test
 * that cannot run is swapped for an empty one named "... # SKIP", which
 * prints as "ok N - name # SKIP".
 */
#define vector_test(f)                                                                             \
	{                                                                                          \
		vectors_present() ? #f : #f " # SKIP no test vectors (set VSGX_VECTORS)",          \
		    vectors_present() ? f : skipped, NULL, NULL, NULL                              \
	}

/* Path of a vector file; the test is skipped when there are no vectors. */
static inline const char *vector_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("VSGX_VECTORS");

	if (!dir || !*dir)
		skip();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

#endif /* VSGX_TESTS_VECTORS_H */
