/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the trace language: any text must be refused with a
 * reason or parsed into commands that then run on a fresh processor without
 * a crash, a leak or a read outside what the runner owns. Running them
 * fuzzes the processor model's leaves through every operand the grammar can
 * build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Relative paths resolve under a folder that does not exist ... */
	struct trace_opts opts = { .vectors = NULL, .basedir = "/nonexistent/vsgx-fuzz" };
	struct trace *t = NULL;
	char why[256];

	/* ... and absolute ones are not fuzzed: /dev/zero is not a parser bug. */
	if (memchr(data, '/', size))
		return 0;
	if (trace_parse("fuzz", (const char *)data, size, &opts, &t, why, sizeof(why)) == 0)
		trace_run(t, &opts, NULL);
	trace_free(t);
	return 0;
}
