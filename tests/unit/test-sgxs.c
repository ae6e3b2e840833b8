/* SPDX-License-Identifier: MIT */
/*
 * SGXS streams: the vectors' MRENCLAVEs, the synthetic enclave rebuilt in
 * memory from its documented layout, and one malformed stream per rule
 * sgxs_parse() enforces, each with its errno and the words of its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsgx/arch.h"
#include "vsgx/crypto.h"
#include "vsgx/sgxs.h"

#include "vectors.h"

/* Helpers */

/* A stream under construction. */
struct stream {
	uint8_t buf[128 * 1024];
	size_t len;
};

static uint8_t *stream_record(struct stream *s, const char *tag)
{
	uint8_t *rec = s->buf + s->len;

	assert_true(s->len + 64 <= sizeof(s->buf));
	memset(rec, 0, 64);
	memcpy(rec, tag, strlen(tag));
	s->len += 64;
	return rec;
}

static void put_le(uint8_t *p, uint64_t v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void stream_ecreate(struct stream *s, uint32_t ssa, uint64_t size)
{
	uint8_t *rec = stream_record(s, "ECREATE");

	put_le(rec + 8, ssa, 4);
	put_le(rec + 12, size, 8);
}

static void stream_eadd(struct stream *s, uint64_t offset, uint64_t flags)
{
	uint8_t *rec = stream_record(s, "EADD");

	put_le(rec + 8, offset, 8);
	put_le(rec + 16, flags, 8);
}

static void stream_eextend(struct stream *s, uint64_t offset, const uint8_t *data)
{
	uint8_t *rec = stream_record(s, "EEXTEND");

	put_le(rec + 8, offset, 8);
	assert_true(s->len + 256 <= sizeof(s->buf));
	memcpy(s->buf + s->len, data, 256);
	s->len += 256;
}

static void stream_page(struct stream *s, uint64_t offset, uint64_t flags, const uint8_t *page)
{
	stream_eadd(s, offset, flags);
	for (unsigned int c = 0; c < 4096; c += 256)
		stream_eextend(s, offset + c, page + c);
}

/* The smallest valid stream: ECREATE(1, 0x4000), EADD(0, REG RW). */
static void stream_minimal(struct stream *s)
{
	s->len = 0;
	stream_ecreate(s, 1, 0x4000);
	stream_eadd(s, 0, 0x203);
}

/* The synthetic vector, rebuilt from the layout the README documents. */
static void stream_synthetic(struct stream *s)
{
	static uint8_t tcs_page[4096], code[4096], zeros[4096];
	struct sgx_tcs *tcs = (struct sgx_tcs *)tcs_page;

	tcs->ossa = 0x2000;
	tcs->nssa = 1;
	tcs->oentry = 0x1000;
	memset(code, 0xcc, sizeof(code));
	s->len = 0;
	stream_ecreate(s, 1, 0x4000);
	stream_page(s, 0x0000, 0x100, tcs_page);
	stream_page(s, 0x1000, 0x205, code);
	stream_page(s, 0x2000, 0x203, zeros);
	stream_eadd(s, 0x3000, 0x203);
}

static void assert_parse_fails(const struct stream *s, int err, const char *msg)
{
	struct sgxs out;
	char why[256] = "";

	assert_int_equal(sgxs_parse(s->buf, s->len, &out, why, sizeof(why)), err);
	if (!strstr(why, msg))
		fail_msg("reason \"%s\" lacks \"%s\"", why, msg);
}

/* Well-formed streams */

static void test_intermediate_hashes(void **state)
{
	struct stream s;
	uint8_t h[32];

	(void)state;
	s.len = 0;
	stream_ecreate(&s, 1, 0x4000);
	assert_int_equal(crypto_sha256(s.buf, s.len, h), 0);
	assert_hex(h, 32, "1ae08d565db91bba3113eb03c476049ee802c1df05465ddf7cbebfd256e60114");
	stream_eadd(&s, 0, 0x100);
	assert_int_equal(crypto_sha256(s.buf, s.len, h), 0);
	assert_hex(h, 32, "d3e8f27e36764f4d42a82f773913ba782e51d6ca840678e027e7bdc614e6b003");
}

static void test_synthetic_in_memory(void **state)
{
	static struct stream s;
	struct sgxs out;
	uint8_t mr[32];
	char why[256];

	(void)state;
	stream_synthetic(&s);
	assert_int_equal(s.len, 15680);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, why, sizeof(why)), 0);
	assert_ptr_equal(out.bytes, s.buf);
	assert_int_equal(out.len, 15680);
	assert_int_equal(out.ssa_frame_size, 1);
	assert_int_equal(out.size, 0x4000);
	assert_int_equal(out.nr_eadd, 4);
	assert_int_equal(out.nr_eextend, 48);
	assert_int_equal(sgxs_measure(&out, mr), 0);
	assert_hex(mr, 32, "b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd");
}

static void test_next(void **state)
{
	static struct stream s;
	struct sgxs out;
	struct sgxs_record rec;
	size_t pos = 0, n = 0;

	(void)state;
	stream_synthetic(&s);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, NULL, 0), 0);
	assert_int_equal(sgxs_next(&out, &pos, &rec), 1);
	assert_int_equal(rec.type, SGXS_ECREATE);
	assert_int_equal(sgxs_next(&out, &pos, &rec), 1);
	assert_int_equal(rec.type, SGXS_EADD);
	assert_int_equal(rec.offset, 0);
	assert_int_equal(rec.secinfo_flags, 0x100);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(sgxs_next(&out, &pos, &rec), 1);
		assert_int_equal(rec.type, SGXS_EEXTEND);
		assert_int_equal(rec.offset, 256 * i);
		assert_ptr_equal(rec.data, s.buf + 128 + 320 * i + 64);
	}
	assert_int_equal(sgxs_next(&out, &pos, &rec), 1);
	assert_int_equal(rec.type, SGXS_EADD);
	assert_int_equal(rec.offset, 0x1000);
	assert_int_equal(rec.secinfo_flags, 0x205);
	n = 19;
	while (sgxs_next(&out, &pos, &rec))
		n++;
	assert_int_equal(n, 1 + 4 + 48);
	assert_int_equal(rec.type, SGXS_EADD);
	assert_int_equal(rec.offset, 0x3000);
	assert_int_equal(pos, s.len);
	assert_int_equal(sgxs_next(&out, &pos, &rec), 0);
}

/* ECREATE alone is an enclave with no pages yet; SS flag bits 3-5 are not reserved. */
static void test_edge_cases_accepted(void **state)
{
	struct stream s = { .len = 0 };
	struct sgxs out;

	(void)state;
	stream_ecreate(&s, 1, 0x2000);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, NULL, 0), 0);
	stream_eadd(&s, 0x1000, 0x201); /* REG R */
	stream_eadd(&s, 0x0000, 0x207); /* REG RWX, out of order */
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, NULL, 0), 0);
	assert_int_equal(out.nr_eadd, 2);
	s.len = 0;
	stream_ecreate(&s, 1, 1ull << 36);
	stream_eadd(&s, (1ull << 36) - 4096, 0x100);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, NULL, 0), 0);
}

/* Many pages exercise the page set's growth. */
static void test_many_pages(void **state)
{
	static struct stream s;
	static const uint8_t chunk[256];
	struct sgxs out;
	char why[256];

	(void)state;
	s.len = 0;
	stream_ecreate(&s, 1, 1ull << 30);
	for (uint64_t i = 0; i < 900; i++)
		stream_eadd(&s, (i * 7919 % 262144) * 4096, 0x203);
	for (uint64_t i = 0; i < 900; i += 9)
		stream_eextend(&s, (i * 7919 % 262144) * 4096 + 0xf00, chunk);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nr_eadd, 900);
	assert_int_equal(out.nr_eextend, 100);
	stream_eadd(&s, (450 * 7919 % 262144) * 4096, 0x203);
	assert_parse_fails(&s, -EINVAL, "adds a page that was already added");
}

/* Malformed streams: layout */

static void test_empty(void **state)
{
	struct stream s = { .len = 0 };

	(void)state;
	assert_parse_fails(&s, -EINVAL, "empty stream");
}

static void test_not_multiple_of_64(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	s.len -= 1;
	assert_parse_fails(&s, -EINVAL, "stream is 127 bytes, not a multiple of the 64-byte");
}

static void test_truncated_eextend(void **state)
{
	static const uint8_t chunk[256];
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eextend(&s, 0, chunk);
	s.len -= 64; /* three of the four data blocks */
	assert_parse_fails(&s, -EINVAL,
			   "record 2 at byte 128: EEXTEND is cut short: it needs 256 more bytes "
			   "of data, the stream has 192");
	s.len -= 192;
	assert_parse_fails(&s, -EINVAL, "the stream has 0");
}

static void test_first_not_ecreate(void **state)
{
	struct stream s = { .len = 0 };

	(void)state;
	stream_eadd(&s, 0, 0x203);
	assert_parse_fails(
	    &s, -EINVAL,
	    "record 0 at byte 0: the stream starts with \"EADD\\x00\\x00\\x00\\x00\", "
	    "not ECREATE");
}

static void test_second_ecreate(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_ecreate(&s, 1, 0x4000);
	assert_parse_fails(&s, -EINVAL, "record 2 at byte 128: a second ECREATE");
}

static void test_unknown_tag(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_record(&s, "EREMOVE");
	assert_parse_fails(&s, -EINVAL,
			   "record 2 at byte 128: unknown record tag \"EREMOVE\\x00\"; expected "
			   "ECREATE, EADD or EEXTEND");
	s.len -= 64;
	stream_record(&s, "EADDX");
	assert_parse_fails(&s, -EINVAL, "unknown record tag \"EADDX\\x00\\x00\\x00\"");
}

/* Record numbers and byte offsets count the 256 data bytes of an EEXTEND. */
static void test_position_after_eextend(void **state)
{
	static const uint8_t chunk[256];
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eextend(&s, 0, chunk);
	stream_eadd(&s, 0x1001, 0x203);
	assert_parse_fails(&s, -EINVAL, "record 3 at byte 448: EADD offset 0x1001");
}

/* Malformed streams: ECREATE */

static void test_size_not_pow2(void **state)
{
	struct stream s = { .len = 0 };

	(void)state;
	stream_ecreate(&s, 1, 0x5000);
	assert_parse_fails(&s, -EINVAL,
			   "record 0 at byte 0: ECREATE SIZE 0x5000 is not a power of two of at "
			   "least 0x2000");
	s.len = 0;
	stream_ecreate(&s, 1, 0x1000);
	assert_parse_fails(&s, -EINVAL, "ECREATE SIZE 0x1000 is not a power of two");
	s.len = 0;
	stream_ecreate(&s, 1, 0);
	assert_parse_fails(&s, -EINVAL, "ECREATE SIZE 0x0 is not a power of two");
}

static void test_ssa_zero(void **state)
{
	struct stream s = { .len = 0 };

	(void)state;
	stream_ecreate(&s, 0, 0x4000);
	assert_parse_fails(&s, -EINVAL, "record 0 at byte 0: ECREATE SSAFRAMESIZE is 0");
}

static void test_ecreate_reserved(void **state)
{
	struct stream s = { .len = 0 };

	(void)state;
	stream_ecreate(&s, 1, 0x4000);
	s.buf[63] = 0x80;
	assert_parse_fails(&s, -EINVAL, "ECREATE reserved byte 63 is 0x80; it must be zero");
	s.buf[63] = 0;
	s.buf[20] = 1;
	assert_parse_fails(&s, -EINVAL, "ECREATE reserved byte 20 is 0x01");
}

/* Malformed streams: EADD */

static void test_eadd_unaligned(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eadd(&s, 0x1800, 0x203);
	assert_parse_fails(&s, -EINVAL,
			   "record 2 at byte 128: EADD offset 0x1800 is not 4096-byte aligned");
}

static void test_eadd_outside(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eadd(&s, 0x4000, 0x203);
	assert_parse_fails(&s, -EINVAL,
			   "record 2 at byte 128: EADD offset 0x4000 is outside the enclave "
			   "(SIZE 0x4000)");
	s.len -= 64;
	stream_eadd(&s, 0xfffffffffffff000ull, 0x203);
	assert_parse_fails(&s, -EINVAL, "EADD offset 0xfffffffffffff000 is outside");
}

static void test_eadd_twice(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eadd(&s, 0x1000, 0x201);
	stream_eadd(&s, 0, 0x201);
	assert_parse_fails(&s, -EINVAL,
			   "record 3 at byte 192: EADD offset 0x0 adds a page that was already "
			   "added");
}

static void test_secinfo_reserved(void **state)
{
	static const uint64_t bad[] = { 0x243, 0x283, 0x10203, 1ull << 63 | 0x203 };
	struct stream s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		stream_minimal(&s);
		stream_eadd(&s, 0x1000, bad[i]);
		assert_parse_fails(&s, -EINVAL, "record 2 at byte 128: EADD SECINFO flags 0x");
		assert_parse_fails(&s, -EINVAL, "set reserved bits 0x");
	}
}

static void test_page_types(void **state)
{
	static const struct {
		uint64_t flags;
		const char *msg;
	} cases[] = {
		{ 0x503, "EADD of a shadow-stack page (type 5) needs CET" },
		{ 0x603, "EADD of a shadow-stack page (type 6) needs CET" },
		{ 0x003, "EADD page type 0 is neither REG (2) nor TCS (1)" },
		{ 0x300, "EADD page type 3 is neither REG (2) nor TCS (1)" },
		{ 0x403, "EADD page type 4 is neither REG (2) nor TCS (1)" },
		{ 0xff03, "EADD page type 255 is neither" },
	};
	struct stream s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		stream_minimal(&s);
		stream_eadd(&s, 0x1000, cases[i].flags);
		assert_parse_fails(&s, -EINVAL, cases[i].msg);
	}
}

static void test_tcs_with_permissions(void **state)
{
	static const uint64_t bad[] = { 0x101, 0x102, 0x104, 0x107 };
	char msg[64];
	struct stream s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		stream_minimal(&s);
		stream_eadd(&s, 0x1000, bad[i]);
		snprintf(msg, sizeof(msg), "EADD of a TCS with flags 0x%llx: EADD clears R/W/X",
			 (unsigned long long)bad[i]);
		assert_parse_fails(&s, -EINVAL, msg);
	}
}

static void test_write_without_read(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eadd(&s, 0x1000, 0x202);
	assert_parse_fails(&s, -EINVAL, "EADD flags 0x202 make a page writable but not readable");
	s.len -= 64;
	stream_eadd(&s, 0x1000, 0x206);
	assert_parse_fails(&s, -EINVAL, "EADD flags 0x206 make a page writable");
}

static void test_eadd_reserved(void **state)
{
	struct stream s;

	(void)state;
	stream_minimal(&s);
	s.buf[64 + 24] = 2;
	assert_parse_fails(&s, -EINVAL, "record 1 at byte 64: EADD reserved byte 24 is 0x02");
	s.buf[64 + 24] = 0;
	s.buf[64 + 63] = 0xff;
	assert_parse_fails(&s, -EINVAL, "EADD reserved byte 63 is 0xff");
}

/* Malformed streams: EEXTEND */

static void test_eextend_unaligned(void **state)
{
	static const uint8_t chunk[256];
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eextend(&s, 0x80, chunk);
	assert_parse_fails(&s, -EINVAL,
			   "record 2 at byte 128: EEXTEND offset 0x80 is not 256-byte aligned");
}

/* The example the header documents, exactly. */
static void test_eextend_unadded_page(void **state)
{
	static const uint8_t chunk[256];
	struct stream s = { .len = 0 };
	struct sgxs out;
	char why[256];

	(void)state;
	stream_ecreate(&s, 1, 0x10000);
	for (uint64_t page = 0; page < 6; page++)
		stream_eadd(&s, page * 4096, 0x203);
	stream_eextend(&s, 0x5000, chunk); /* page 5 was added: fine */
	s.len -= 320;
	stream_eextend(&s, 0x6000, chunk);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, why, sizeof(why)), -EINVAL);
	assert_string_equal(
	    why, "record 7 at byte 448: EEXTEND offset 0x6000 is in a page no EADD added");
	s.len -= 320;
	stream_eextend(&s, 0xff00000000000000ull, chunk);
	assert_parse_fails(&s, -EINVAL, "EEXTEND offset 0xff00000000000000 is in a page no EADD");
}

static void test_eextend_reserved(void **state)
{
	static const uint8_t chunk[256];
	struct stream s;

	(void)state;
	stream_minimal(&s);
	stream_eextend(&s, 0x100, chunk);
	s.buf[128 + 16] = 1;
	assert_parse_fails(&s, -EINVAL, "record 2 at byte 128: EEXTEND reserved byte 16 is 0x01");
}

/* A tiny (why) truncates; a NULL one is allowed. */
static void test_why_sizes(void **state)
{
	struct stream s = { .len = 0 };
	struct sgxs out;
	char why[8];

	(void)state;
	stream_ecreate(&s, 0, 0x4000);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "record ");
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, NULL, 0), -EINVAL);
	assert_int_equal(sgxs_parse(s.buf, s.len, &out, why, 1), -EINVAL);
	assert_string_equal(why, "");
}

/* Files */

static void check_vector(const char *name, const char *mrenclave, uint64_t size, size_t nr_eadd,
			 size_t nr_eextend)
{
	struct sgxs *s = NULL;
	uint8_t mr[32];
	char why[256];

	assert_int_equal(sgxs_load(vector_path(name), &s, why, sizeof(why)), 0);
	assert_int_equal(s->ssa_frame_size, 1);
	assert_int_equal(s->size, size);
	assert_int_equal(s->nr_eadd, nr_eadd);
	assert_int_equal(s->nr_eextend, nr_eextend);
	assert_int_equal(sgxs_measure(s, mr), 0);
	assert_hex(mr, 32, mrenclave);
	sgxs_free(s);
}

static void test_load_synthetic(void **state)
{
	(void)state;
	check_vector("synthetic.sgxs",
		     "b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd", 0x4000, 4,
		     48);
}

static void test_load_test_enclave(void **state)
{
	(void)state;
	check_vector("test_enclave.sgxs",
		     "f14a95c99924122d3d31c5cbe42bdd55e7d0bffd8dcb8f72825cc802fbd78d21", 0x40000, 9,
		     144);
}

static void test_load_report(void **state)
{
	(void)state;
	check_vector("report.sgxs",
		     "a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290", 0x4000, 3,
		     48);
}

struct tmpfile {
	char path[64];
	int fd;
};

static void tmpfile_create(struct tmpfile *t, const void *buf, size_t len)
{
	strcpy(t->path, "/tmp/vsgx-test-sgxs-XXXXXX");
	t->fd = mkstemp(t->path);
	assert_true(t->fd >= 0);
	assert_int_equal(write(t->fd, buf, len), (ssize_t)len);
}

static void tmpfile_remove(struct tmpfile *t)
{
	close(t->fd);
	unlink(t->path);
}

static void assert_load_fails(const char *path, int err, const char *msg)
{
	struct sgxs *s = NULL;
	char why[256] = "";

	assert_int_equal(sgxs_load(path, &s, why, sizeof(why)), err);
	assert_null(s);
	if (!strstr(why, msg))
		fail_msg("reason \"%s\" lacks \"%s\"", why, msg);
}

static void test_load_errors(void **state)
{
	struct sgxs *ok = NULL;
	struct stream s;
	struct tmpfile t;

	(void)state;
	assert_load_fails("/nonexistent/x.sgxs", -ENOENT, "No such file or directory");
	assert_load_fails("/", -EISDIR, "Is a directory");
	tmpfile_create(&t, "", 0);
	assert_load_fails(t.path, -EINVAL, "empty stream");
	tmpfile_remove(&t);
	stream_minimal(&s);
	s.buf[64] = 'X';
	tmpfile_create(&t, s.buf, s.len);
	assert_load_fails(t.path, -EINVAL, "record 1 at byte 64: unknown record tag \"XADD");
	tmpfile_remove(&t);
	stream_minimal(&s);
	tmpfile_create(&t, s.buf, s.len);
	assert_int_equal(sgxs_load(t.path, &ok, NULL, 0), 0);
	assert_int_equal(ok->len, 128);
	assert_int_equal(ok->nr_eadd, 1);
	sgxs_free(ok);
	sgxs_free(NULL);
	tmpfile_remove(&t);
}

/* Legal but longer than SIZE can justify: the same chunk measured 33 times. */
static void test_load_too_long_for_size(void **state)
{
	static const uint8_t chunk[256];
	static struct stream s;
	struct sgxs *ok = NULL;
	struct tmpfile t;

	(void)state;
	s.len = 0;
	stream_ecreate(&s, 1, 0x2000);
	stream_eadd(&s, 0, 0x203);
	for (int i = 0; i < 32; i++)
		stream_eextend(&s, 0x100, chunk);
	assert_int_equal(sgxs_parse(s.buf, s.len, &(struct sgxs){ 0 }, NULL, 0), 0);
	tmpfile_create(&t, s.buf, s.len);
	assert_int_equal(sgxs_load(t.path, &ok, NULL, 0), 0);
	sgxs_free(ok);
	tmpfile_remove(&t);
	stream_eextend(&s, 0x100, chunk);
	tmpfile_create(&t, s.buf, s.len);
	assert_load_fails(t.path, -EFBIG,
			  "stream is 10688 bytes, more than the 10432 an enclave of SIZE 0x2000 "
			  "can need");
	tmpfile_remove(&t);
}

/* A sparse file just over 1 GiB is refused before it is read. */
static void test_load_over_1gib(void **state)
{
	struct stream s;
	struct tmpfile t;

	(void)state;
	stream_minimal(&s);
	tmpfile_create(&t, s.buf, s.len);
	assert_int_equal(ftruncate(t.fd, (1ll << 30) + 64), 0);
	assert_load_fails(t.path, -EFBIG, "larger than the 1 GiB limit");
	tmpfile_remove(&t);
}

/* SIZE beyond the 2^47-byte user address space is refused by name and limit. */
static void test_size_over_address_space(void **state)
{
	static struct stream s;
	char why[256];

	(void)state;
	s.len = 0;
	stream_ecreate(&s, 1, 1ull << 48);
	stream_eadd(&s, 0, 0x203);
	assert_int_equal(sgxs_parse(s.buf, s.len, &(struct sgxs){ 0 }, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "record 0 at byte 0: ECREATE SIZE 0x1000000000000 is larger than "
				 "0x800000000000 (2^47), the user half of the x86-64 address "
				 "space an enclave must fit in");
	s.len = 0;
	stream_ecreate(&s, 1, 1ull << 47);
	stream_eadd(&s, 0, 0x203);
	assert_int_equal(sgxs_parse(s.buf, s.len, &(struct sgxs){ 0 }, NULL, 0), 0);
}

/* An endless device is refused at its first record, not after 1 GiB. */
static void test_load_dev_zero(void **state)
{
	(void)state;
	assert_load_fails("/dev/zero", -EINVAL,
			  "record 0 at byte 0: the stream starts with "
			  "\"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\", not ECREATE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intermediate_hashes),
		cmocka_unit_test(test_synthetic_in_memory),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_edge_cases_accepted),
		cmocka_unit_test(test_many_pages),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_not_multiple_of_64),
		cmocka_unit_test(test_truncated_eextend),
		cmocka_unit_test(test_first_not_ecreate),
		cmocka_unit_test(test_second_ecreate),
		cmocka_unit_test(test_unknown_tag),
		cmocka_unit_test(test_position_after_eextend),
		cmocka_unit_test(test_size_not_pow2),
		cmocka_unit_test(test_ssa_zero),
		cmocka_unit_test(test_ecreate_reserved),
		cmocka_unit_test(test_eadd_unaligned),
		cmocka_unit_test(test_eadd_outside),
		cmocka_unit_test(test_eadd_twice),
		cmocka_unit_test(test_secinfo_reserved),
		cmocka_unit_test(test_page_types),
		cmocka_unit_test(test_tcs_with_permissions),
		cmocka_unit_test(test_write_without_read),
		cmocka_unit_test(test_eadd_reserved),
		cmocka_unit_test(test_eextend_unaligned),
		cmocka_unit_test(test_eextend_unadded_page),
		cmocka_unit_test(test_eextend_reserved),
		cmocka_unit_test(test_why_sizes),
		cmocka_unit_test(test_size_over_address_space),
		cmocka_unit_test(test_load_dev_zero),
		vector_test(test_load_synthetic),
		vector_test(test_load_test_enclave),
		extra_vector_test(test_load_report, "report.sgxs"),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_too_long_for_size),
		cmocka_unit_test(test_load_over_1gib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
