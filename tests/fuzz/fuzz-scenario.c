/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the monitor's language: any text, line by line, must
 * be accepted or refused with a reason, without a crash, a leak or a read
 * outside the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_opts opts = { 0 };
	const char *p = (const char *)data, *end = p + size;
	struct monitor *mon;
	char line[4096], why[256];
	unsigned int n = 0;

	if (monitor_create(&opts, &mon))
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		monitor_check_line(mon, "fuzz", ++n, line, why, sizeof(why));
		p = nl ? nl + 1 : end;
	}
	monitor_free(mon);
	return 0;
}
