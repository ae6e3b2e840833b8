/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SGXS parser: any bytes must be either refused
 * with a reason or accepted as a stream whose records can be walked and
 * measured without reading outside the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/sgxs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_walk(const struct sgxs *s)
{
	struct sgxs_record rec;
	size_t pos = 0, eadd = 0, eextend = 0;
	uint8_t mr[32];
	volatile uint8_t sink = 0;

	while (sgxs_next(s, &pos, &rec)) {
		if (rec.type == SGXS_EADD)
			eadd++;
		if (rec.type == SGXS_EEXTEND) {
			eextend++;
			sink ^= rec.data[0] ^ rec.data[255];
		}
	}
	/* The walk and the parser must agree on what the stream holds. */
	if (pos != s->len || eadd != s->nr_eadd || eextend != s->nr_eextend)
		abort();
	if (sgxs_measure(s, mr))
		abort();
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sgxs s;
	char why[256];

	if (sgxs_parse(data, size, &s, why, sizeof(why)) == 0)
		fuzz_walk(&s);
	else if (!memchr(why, '\0', sizeof(why)) || !why[0])
		abort(); /* every refusal says why */
	return 0;
}
