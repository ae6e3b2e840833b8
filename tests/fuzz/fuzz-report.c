/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the reader of `vsgx run --json` lines (vsgx plot):
 * any bytes are read into a series or refused with a reason, and a series
 * that was read is drawn and its last snapshot written as metrics, without
 * a crash, a leak or a read outside the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_series *s = NULL;
	char why[512];
	FILE *devnull;

	/* The reader takes a length; no NUL terminator is needed, and none is given. */
	if (report_series_read_jsonl((const char *)data, size, "fuzz", &s, why, sizeof(why))) {
		if (!memchr(why, '\0', sizeof(why)) || !why[0])
			abort();
		return 0;
	}
	devnull = fopen("/dev/null", "w");
	if (devnull) {
		if (report_svg_write(s, NULL, devnull))
			abort();
		fclose(devnull);
	}
	report_series_free(s);
	return 0;
}
