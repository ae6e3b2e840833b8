/* SPDX-License-Identifier: MIT */
/* What the fuzz targets that read files let an input name: the repository's vectors only. */
#ifndef VSGX_FUZZ_PATHS_H
#define VSGX_FUZZ_PATHS_H

#include <stdbool.h>
#include <string.h>

/*
 * Whether every '/' of the (len) bytes at (text) ends a "$VECTORS/": names relative to the
 * vectors folder and $VECTORS/NAME are read, any other path (/dev/zero, a
 * FIFO, ../..) never is, since reading those is not a parser's bug.
 */
static inline bool fuzz_paths_ok(const char *text, size_t len)
{
	static const char vec[] = "$VECTORS/";
	const size_t before = sizeof(vec) - 2; /* the characters before its '/' */
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '/', (size_t)(end - p)))) {
		if ((size_t)(p - text) < before || memcmp(p - before, vec, before + 1))
			return false;
		p++;
	}
	return true;
}

#endif /* VSGX_FUZZ_PATHS_H */
