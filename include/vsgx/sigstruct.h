/* SPDX-License-Identifier: MIT */
/*
 * SIGSTRUCT files: reading them, and writing them the way Intel's signing
 * tool does (RSA-3072, e = 3, PKCS#1 v1.5 with SHA-256 over the header and
 * body, modulus, signature, Q1 and Q2 little-endian).
 */
#ifndef VSGX_SIGSTRUCT_H
#define VSGX_SIGSTRUCT_H

#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"

struct crypto_rsa_key;

#define SIGSTRUCT_LEN 1808u

/* The signed message: HEADER (bytes 0..127) then BODY (bytes 900..1027). */
#define SIGSTRUCT_MESSAGE_LEN (SGX_SIGSTRUCT_HEADER_LEN + SGX_SIGSTRUCT_BODY_LEN)

/*
 * Read a SIGSTRUCT file, which must be exactly 1808 bytes. Only the size is
 * checked here: judging the contents is EINIT's job. Return: 0, -errno from
 * opening or reading, -EINVAL for a file of the wrong size (with the size
 * found in (why)). (why) does not repeat (path): callers print
 * "<path>: <why>".
 */
int sigstruct_load(const char *path, struct sgx_sigstruct *ret, char *why, size_t why_len);

/* sigstruct_load() of what (fd) reads from where it stands; (fd) stays open. */
int sigstruct_load_fd(int fd, struct sgx_sigstruct *ret, char *why, size_t why_len);

/* sigstruct_load() from memory: (len) must be exactly 1808. */
int sigstruct_parse(const void *buf, size_t len, struct sgx_sigstruct *ret, char *why,
		    size_t why_len);

/* Copy out the 256 bytes the signature covers. */
void sigstruct_signed_message(const struct sgx_sigstruct *s, uint8_t msg[SIGSTRUCT_MESSAGE_LEN]);

/*
 * Check the signature as EINIT does: SIGNATURE^3 mod MODULUS must be the
 * PKCS#1 v1.5 encoding of SHA-256 over the signed message, and Q1/Q2 must be
 * exact. Return: 0; -EINVAL when EXPONENT is not 3, the modulus is even or
 * zero, or the signature is not below it; -EBADMSG when the signature or
 * Q1/Q2 is wrong; -ENOMEM. (why) says which.
 */
int sigstruct_verify(const struct sgx_sigstruct *s, char *why, size_t why_len);

/* The fields of a SIGSTRUCT that its author chooses. */
struct sigstruct_params {
	uint32_t vendor; /* 0 or 0x8086 */
	uint32_t date;	 /* BCD 0xYYYYMMDD */
	uint32_t swdefined;
	struct sgx_attributes attributes;
	struct sgx_attributes attributes_mask;
	uint32_t miscselect;
	uint32_t miscmask;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
};

/*
 * Defaults of Intel's signing tool for a production 64-bit enclave:
 * vendor 0, date 0 (callers set it), ATTRIBUTES MODE64BIT / XFRM x87|SSE,
 * ATTRIBUTEMASK 0xfffffffffffffffd / 0xffffffffffffff1b, MISCSELECT 0 /
 * MISCMASK 0xffffffff, ISVPRODID 0, ISVSVN 0.
 */
void sigstruct_params_init_default(struct sigstruct_params *p);

/*
 * Convert a calendar date to the BCD form SIGSTRUCT.DATE stores:
 * 20240101 -> 0x20240101. Return: 0, or -EINVAL if (yyyymmdd) is not a real
 * date between the years 1000 and 9999.
 */
int sigstruct_date_bcd(uint32_t yyyymmdd, uint32_t *ret);

/*
 * Build and sign a SIGSTRUCT for an enclave measuring (mrenclave).
 * Deterministic: the same inputs give byte-identical output.
 * Return: 0, -ENOMEM, -EINVAL (a key libcrypto refuses).
 */
int sigstruct_sign(const struct sigstruct_params *p, const uint8_t mrenclave[32],
		   const struct crypto_rsa_key *key, struct sgx_sigstruct *ret);

/* MRSIGNER: SHA-256 of the modulus as stored. Return: 0 or -ENOMEM. */
int sigstruct_mrsigner(const struct sgx_sigstruct *s, uint8_t mrsigner[32]);

#endif /* VSGX_SIGSTRUCT_H */
