/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for SIGSTRUCT handling: parse any bytes, then run the
 * signature check EINIT would run on them (cut or zero-padded to 1808
 * bytes), which feeds attacker-chosen modulus, signature and Q1/Q2 into the
 * big-number code.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/sigstruct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_verify(const uint8_t *data, size_t size)
{
	struct sgx_sigstruct sig;
	uint8_t mrsigner[32];
	char why[256] = "";
	int err;

	memset(&sig, 0, sizeof(sig));
	memcpy(&sig, data, size < sizeof(sig) ? size : sizeof(sig));
	if (sigstruct_mrsigner(&sig, mrsigner))
		abort();
	/* Most inputs have exponent != 3; take the RSA path for them too. */
	sig.exponent = 3;
	err = sigstruct_verify(&sig, why, sizeof(why));
	if (err != 0 && err != -EBADMSG && err != -EINVAL)
		abort();
	if (err && !why[0])
		abort(); /* every refusal says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sgx_sigstruct sig;
	char why[256] = "";

	if (sigstruct_parse(data, size, &sig, why, sizeof(why)) != 0) {
		if (size == SIGSTRUCT_LEN || !why[0])
			abort();
	} else if (memcmp(&sig, data, sizeof(sig))) {
		abort();
	}
	fuzz_verify(data, size);
	return 0;
}
