/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the trace language: any text must be refused with a
 * reason or parsed into commands that then run on a fresh processor without
 * a crash, a leak or a read outside what the runner owns. Running them
 * fuzzes the processor model's leaves, and the host driver's calls, through
 * every operand the grammar can build, with the repository's vectors
 * (tests/vectors) as the files its sgxs, sig and key words name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-paths.h"
#include "trace.h"

#define FUZZ_MAX_INPUT 16384

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Relative names and $VECTORS/NAME are the vectors' files; no other path is read. */
	struct trace_opts opts = { .vectors = VSGX_VECTORS_DIR, .basedir = VSGX_VECTORS_DIR };
	struct trace *t = NULL;
	char why[256], *text;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (fuzz_paths_ok(text, size) &&
	    trace_parse("fuzz", text, size, &opts, &t, why, sizeof(why)) == 0)
		trace_run(t, &opts, NULL);
	trace_free(t);
	free(text);
	return 0;
}
