/* SPDX-License-Identifier: MIT */
/*
 * SGXS: an enclave's measurement stream stored as a file (the format of
 * Fortanix's EDP). It is the exact sequence of 64-byte blocks that ECREATE,
 * EADD and EEXTEND feed into MRENCLAVE, so SHA-256 of a well-formed file is
 * the enclave's MRENCLAVE:
 *
 *   "ECREATE\0" | SSAFRAMESIZE u32 | SIZE u64 | 44 zero bytes
 *   "EADD\0\0\0\0" | page offset u64 | SECINFO.FLAGS u64 | 40 zero bytes
 *   "EEXTEND\0" | chunk offset u64 | 48 zero bytes, then the 256 measured bytes
 *
 * sgxs_parse() accepts a stream only if replaying it on a processor could
 * produce it: one ECREATE first, a power-of-two SIZE of at least 8 KiB and at
 * most 2^47 (the user half of the x86-64 address space), page
 * offsets inside SIZE, each page added once, EADD flags a valid REG or TCS
 * SECINFO (TCS with R/W/X clear, as EADD measures it), EEXTEND chunks 256-byte
 * aligned inside a page already added, reserved bytes zero.
 */
#ifndef VSGX_SGXS_H
#define VSGX_SGXS_H

#include <stddef.h>
#include <stdint.h>

#define SGXS_RECORD_LEN 64

enum sgxs_record_type {
	SGXS_ECREATE,
	SGXS_EADD,
	SGXS_EEXTEND,
};

struct sgxs_record {
	enum sgxs_record_type type;
	uint64_t offset;	/* EADD: page offset; EEXTEND: chunk offset */
	uint64_t secinfo_flags; /* EADD */
	const uint8_t *data;	/* EEXTEND: the 256 measured bytes */
};

/* A parsed, validated stream. */
struct sgxs {
	uint8_t *bytes; /* the whole stream */
	size_t len;
	uint32_t ssa_frame_size;
	uint64_t size; /* ELRANGE size, SECS.SIZE */
	size_t nr_eadd;
	size_t nr_eextend;
};

/*
 * Validate (len) bytes at (buf) and fill (ret), which then refers to (buf)
 * (ret->bytes is not owned). Return: 0, or -EINVAL with a one-line reason in
 * (why) naming the record (counted from 0) and byte offset at fault, such as
 * "record 7 at byte 448: EEXTEND offset 0x5000 is in a page no EADD added";
 * -ENOMEM.
 */
int sgxs_parse(const void *buf, size_t len, struct sgxs *ret, char *why, size_t why_len);

/*
 * Read and validate the file at (path), its ECREATE record first: a file
 * that does not start with a valid one is refused after 64 bytes, and no
 * more is read than its SIZE can need. The result owns its bytes; release it
 * with sgxs_free(). Return: 0, -errno from opening or reading the file,
 * -EFBIG for a file over 1 GiB or longer than an enclave of its SIZE needs
 * with every chunk measured once (64 + SIZE/4096 * (64 + 16 * 320) bytes),
 * -EINVAL for a malformed stream, -ENOMEM. (why) receives a one-line reason;
 * it does not repeat (path): callers print "<path>: <why>".
 */
int sgxs_load(const char *path, struct sgxs **ret, char *why, size_t why_len);

/* sgxs_load() of what (fd) reads from where it stands (standard input, a pipe); (fd) stays open. */
int sgxs_load_fd(int fd, struct sgxs **ret, char *why, size_t why_len);

/* Free a stream from sgxs_load(). Accepts NULL. */
void sgxs_free(struct sgxs *s);

/*
 * Iterate over the records of a validated stream: start with *pos = 0;
 * returns 1 and fills (rec) while records remain, 0 at the end.
 */
int sgxs_next(const struct sgxs *s, size_t *pos, struct sgxs_record *rec);

/* MRENCLAVE of a validated stream. Return: 0 or -ENOMEM. */
int sgxs_measure(const struct sgxs *s, uint8_t mrenclave[32]);

#endif /* VSGX_SGXS_H */
