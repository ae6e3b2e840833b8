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

/*
 * Path of a vector file: in the outside folder ($VSGX_EXTRA_VECTORS, e.g. make
 * VECTORS=DIR) when only it has (name), else in the repository's vectors
 * ($VSGX_VECTORS); the test is skipped when neither is set.
 */
static inline const char *vector_path(const char *name)
{
	const char *dir = getenv("VSGX_VECTORS"), *extra = getenv("VSGX_EXTRA_VECTORS");
	static char path[4096];

	if (extra && *extra) {
		snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : extra, name);
		if (access(path, R_OK) != 0)
			snprintf(path, sizeof(path), "%s/%s", extra, name);
		if (access(path, R_OK) == 0)
			return path;
	}
	if (!dir || !*dir)
		skip();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static inline bool have_vector(const char *name)
{
	const char *vars[] = { getenv("VSGX_VECTORS"), getenv("VSGX_EXTRA_VECTORS") };
	char path[4096];

	for (size_t i = 0; i < 2; i++) {
		if (!vars[i] || !*vars[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", vars[i], name);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

/*
 * A test of a file only an outside vectors folder has (the real Fortanix and
 * Intel artifacts): it runs when VSGX_EXTRA_VECTORS holds (file), else it is
 * swapped for an empty "# SKIP" one, as vector_test() does.
 */
#define extra_vector_test(f, file)                                                                 \
	{                                                                                          \
		have_vector(file) ? #f                                                             \
				  : #f " # SKIP needs " file " from an outside vectors folder "    \
				       "(make VECTORS=DIR)",                                       \
		    have_vector(file) ? f : skipped, NULL, NULL, NULL                              \
	}

#endif /* VSGX_TESTS_VECTORS_H */
