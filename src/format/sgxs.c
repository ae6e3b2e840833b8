/* SPDX-License-Identifier: MIT */
#include "vsgx/sgxs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vsgx/arch.h"
#include "vsgx/crypto.h"

#define SGXS_PAGE_SIZE	 4096u
#define SGXS_CHUNK_LEN	 256u
#define SGXS_EEXTEND_LEN (SGXS_RECORD_LEN + SGXS_CHUNK_LEN)
#define SGXS_MIN_SIZE	 8192u

/* No enclave stream this project handles comes close; refuse before reading. */
#define SGXS_MAX_FILE (1ull << 30)

/*
 * An ELRANGE lies in the user half of x86-64's 48-bit linear address space,
 * aligned to its size: no enclave can be larger.
 */
#define SGXS_MAX_SIZE (1ull << 47)

static const uint8_t sgxs_tag_ecreate[8] = "ECREATE";
static const uint8_t sgxs_tag_eadd[8] = "EADD";
static const uint8_t sgxs_tag_eextend[8] = "EEXTEND";

static uint32_t sgxs_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t sgxs_le64(const uint8_t *p)
{
	return (uint64_t)sgxs_le32(p) | (uint64_t)sgxs_le32(p + 4) << 32;
}

/*
 * The pages EADD has added, as an open-addressing hash set of page numbers.
 * A bitmap over SIZE would not do: a hostile file can claim SIZE = 2^63.
 * Slots hold page number + 1, so 0 marks an empty slot.
 */
struct sgxs_page_set {
	uint64_t *slots;
	size_t cap; /* a power of two */
	size_t count;
};

static size_t sgxs_page_hash(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static bool sgxs_page_set_has(const struct sgxs_page_set *set, uint64_t page)
{
	size_t i;

	if (!set->cap)
		return false;
	for (i = sgxs_page_hash(page, set->cap); set->slots[i]; i = (i + 1) & (set->cap - 1)) {
		if (set->slots[i] == page + 1)
			return true;
	}
	return false;
}

static void sgxs_page_set_put(struct sgxs_page_set *set, uint64_t page)
{
	size_t i = sgxs_page_hash(page, set->cap);

	while (set->slots[i])
		i = (i + 1) & (set->cap - 1);
	set->slots[i] = page + 1;
	set->count++;
}

/* Keep the load factor at most one half. */
static int sgxs_page_set_grow(struct sgxs_page_set *set)
{
	struct sgxs_page_set bigger = { .cap = set->cap ? set->cap * 2 : 64 };

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < set->cap; i++) {
		if (set->slots[i])
			sgxs_page_set_put(&bigger, set->slots[i] - 1);
	}
	free(set->slots);
	*set = bigger;
	return 0;
}

static int sgxs_page_set_add(struct sgxs_page_set *set, uint64_t page)
{
	int ret;

	if ((set->count + 1) * 2 > set->cap) {
		ret = sgxs_page_set_grow(set);
		if (ret)
			return ret;
	}
	sgxs_page_set_put(set, page);
	return 0;
}

/* The state of one pass over a stream. */
struct sgxs_parser {
	const uint8_t *buf;
	size_t len;
	size_t pos;   /* byte offset of the current record */
	size_t index; /* its number, from 0 */
	struct sgxs *out;
	struct sgxs_page_set pages;
	char *why;
	size_t why_len;
};

static void sgxs_vwhy(char *why, size_t why_len, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void sgxs_vwhy(char *why, size_t why_len, const char *prefix, const char *fmt, va_list ap)
{
	int n;

	if (!why || !why_len)
		return;
	n = snprintf(why, why_len, "%s", prefix);
	if (n >= 0 && (size_t)n < why_len)
		vsnprintf(why + n, why_len - (size_t)n, fmt, ap);
}

static int sgxs_why(char *why, size_t why_len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sgxs_why(char *why, size_t why_len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sgxs_vwhy(why, why_len, "", fmt, ap);
	va_end(ap);
	return err;
}

/* Reject the current record, naming it and where it starts. */
static int sgxs_fail(struct sgxs_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int sgxs_fail(struct sgxs_parser *p, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "record %zu at byte %zu: ", p->index, p->pos);
	va_start(ap, fmt);
	sgxs_vwhy(p->why, p->why_len, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int sgxs_check_reserved(struct sgxs_parser *p, const uint8_t *rec, size_t from,
			       const char *what)
{
	for (size_t i = from; i < SGXS_RECORD_LEN; i++) {
		if (rec[i])
			return sgxs_fail(p, "%s reserved byte %zu is 0x%02x; it must be zero", what,
					 i, rec[i]);
	}
	return 0;
}

static bool sgxs_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int sgxs_parse_ecreate(struct sgxs_parser *p, const uint8_t *rec)
{
	uint32_t ssa = sgxs_le32(rec + 8);
	uint64_t size = sgxs_le64(rec + 12);

	if (ssa == 0)
		return sgxs_fail(p, "ECREATE SSAFRAMESIZE is 0; an enclave needs at least "
				    "one page per SSA frame");
	if (!sgxs_is_pow2(size) || size < SGXS_MIN_SIZE)
		return sgxs_fail(p, "ECREATE SIZE 0x%llx is not a power of two of at least 0x%x",
				 (unsigned long long)size, SGXS_MIN_SIZE);
	if (size > SGXS_MAX_SIZE)
		return sgxs_fail(p,
				 "ECREATE SIZE 0x%llx is larger than 0x%llx (2^47), the user "
				 "half of the x86-64 address space an enclave must fit in",
				 (unsigned long long)size, SGXS_MAX_SIZE);
	p->out->ssa_frame_size = ssa;
	p->out->size = size;
	return sgxs_check_reserved(p, rec, 20, "ECREATE");
}

static int sgxs_check_secinfo(struct sgxs_parser *p, uint64_t flags)
{
	unsigned int pt = SGX_SECINFO_TO_PT(flags);

	if (flags & SGX_SECINFO_RESERVED_MASK)
		return sgxs_fail(p, "EADD SECINFO flags 0x%llx set reserved bits 0x%llx",
				 (unsigned long long)flags,
				 (unsigned long long)(flags & SGX_SECINFO_RESERVED_MASK));
	if (pt == SGX_PT_SS_FIRST || pt == SGX_PT_SS_REST)
		return sgxs_fail(p,
				 "EADD of a shadow-stack page (type %u) needs CET, "
				 "which vsgx does not model",
				 pt);
	if (pt != SGX_PT_REG && pt != SGX_PT_TCS)
		return sgxs_fail(p, "EADD page type %u is neither REG (2) nor TCS (1)", pt);
	if (pt == SGX_PT_TCS && (flags & SGX_SECINFO_PERM_MASK))
		return sgxs_fail(p,
				 "EADD of a TCS with flags 0x%llx: EADD clears R/W/X of a "
				 "TCS before measuring, so they cannot be set here",
				 (unsigned long long)flags);
	if (pt == SGX_PT_REG && (flags & SGX_SECINFO_W) && !(flags & SGX_SECINFO_R))
		return sgxs_fail(p, "EADD flags 0x%llx make a page writable but not readable",
				 (unsigned long long)flags);
	return 0;
}

static int sgxs_parse_eadd(struct sgxs_parser *p, const uint8_t *rec)
{
	uint64_t offset = sgxs_le64(rec + 8), flags = sgxs_le64(rec + 16);
	int ret;

	if (offset % SGXS_PAGE_SIZE)
		return sgxs_fail(p, "EADD offset 0x%llx is not 4096-byte aligned",
				 (unsigned long long)offset);
	if (offset >= p->out->size)
		return sgxs_fail(p, "EADD offset 0x%llx is outside the enclave (SIZE 0x%llx)",
				 (unsigned long long)offset, (unsigned long long)p->out->size);
	ret = sgxs_check_secinfo(p, flags);
	if (ret)
		return ret;
	ret = sgxs_check_reserved(p, rec, 24, "EADD");
	if (ret)
		return ret;
	if (sgxs_page_set_has(&p->pages, offset / SGXS_PAGE_SIZE))
		return sgxs_fail(p, "EADD offset 0x%llx adds a page that was already added",
				 (unsigned long long)offset);
	if (sgxs_page_set_add(&p->pages, offset / SGXS_PAGE_SIZE))
		return sgxs_why(p->why, p->why_len, -ENOMEM, "out of memory");
	p->out->nr_eadd++;
	return 0;
}

static int sgxs_parse_eextend(struct sgxs_parser *p, const uint8_t *rec)
{
	uint64_t offset = sgxs_le64(rec + 8);
	int ret;

	if (p->len - p->pos < SGXS_EEXTEND_LEN)
		return sgxs_fail(p,
				 "EEXTEND is cut short: it needs %u more bytes of data, the "
				 "stream has %zu",
				 SGXS_CHUNK_LEN, p->len - p->pos - SGXS_RECORD_LEN);
	if (offset % SGXS_CHUNK_LEN)
		return sgxs_fail(p, "EEXTEND offset 0x%llx is not 256-byte aligned",
				 (unsigned long long)offset);
	if (!sgxs_page_set_has(&p->pages, offset / SGXS_PAGE_SIZE))
		return sgxs_fail(p, "EEXTEND offset 0x%llx is in a page no EADD added",
				 (unsigned long long)offset);
	ret = sgxs_check_reserved(p, rec, 16, "EEXTEND");
	if (ret)
		return ret;
	p->out->nr_eextend++;
	return 0;
}

static const char *sgxs_tag_name(const uint8_t *rec, char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < 8 && n + 5 < len; i++) {
		if (rec[i] >= 0x20 && rec[i] < 0x7f && rec[i] != '\\')
			buf[n++] = (char)rec[i];
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", rec[i]);
	}
	buf[n] = '\0';
	return buf;
}

/* Parse the record at p->pos; set *rec_len to its length in the stream. */
static int sgxs_parse_record(struct sgxs_parser *p, size_t *rec_len)
{
	const uint8_t *rec = p->buf + p->pos;
	bool first = p->pos == 0;
	char name[40];

	*rec_len = SGXS_RECORD_LEN;
	if (!memcmp(rec, sgxs_tag_ecreate, 8)) {
		if (!first)
			return sgxs_fail(p, "a second ECREATE; a stream has exactly one, first");
		return sgxs_parse_ecreate(p, rec);
	}
	if (first)
		return sgxs_fail(p, "the stream starts with \"%s\", not ECREATE",
				 sgxs_tag_name(rec, name, sizeof(name)));
	if (!memcmp(rec, sgxs_tag_eadd, 8))
		return sgxs_parse_eadd(p, rec);
	if (!memcmp(rec, sgxs_tag_eextend, 8)) {
		*rec_len = SGXS_EEXTEND_LEN;
		return sgxs_parse_eextend(p, rec);
	}
	return sgxs_fail(p, "unknown record tag \"%s\"; expected ECREATE, EADD or EEXTEND",
			 sgxs_tag_name(rec, name, sizeof(name)));
}

static int sgxs_check_length(size_t len, char *why, size_t why_len)
{
	if (!len)
		return sgxs_why(why, why_len, -EINVAL,
				"empty stream; an SGXS file starts with "
				"a 64-byte ECREATE record");
	if (len % SGXS_RECORD_LEN)
		return sgxs_why(why, why_len, -EINVAL,
				"stream is %zu bytes, not a multiple of the 64-byte record size",
				len);
	return 0;
}

int sgxs_parse(const void *buf, size_t len, struct sgxs *ret, char *why, size_t why_len)
{
	struct sgxs_parser p = { .buf = buf, .len = len, .why = why, .why_len = why_len };
	struct sgxs out = { .bytes = (uint8_t *)buf, .len = len };
	size_t rec_len;
	int err;

	err = sgxs_check_length(len, why, why_len);
	if (err)
		return err;
	p.out = &out;
	for (; p.pos < len; p.pos += rec_len, p.index++) {
		err = sgxs_parse_record(&p, &rec_len);
		if (err)
			break;
	}
	free(p.pages.slots);
	if (!err)
		*ret = out;
	return err;
}

/* Double the buffer, up to one byte past (limit) so overflow shows. */
static int sgxs_grow(uint8_t **buf, size_t *cap, size_t limit)
{
	size_t want = *cap ? *cap * 2 : 1 << 16;
	uint8_t *bigger;

	if (want > limit + 1)
		want = limit + 1;
	bigger = realloc(*buf, want);
	if (!bigger)
		return -ENOMEM;
	*buf = bigger;
	*cap = want;
	return 0;
}

/* Read (fd) to its end into *buf (holding *len bytes): files and pipes alike. More than (limit) is
 * -EFBIG. */
static int sgxs_read_all(int fd, size_t limit, uint8_t **buf, size_t *len, size_t *cap)
{
	ssize_t n = 1;
	int err = 0;

	while (!err && n) {
		if (*len > limit)
			err = -EFBIG;
		else if (*len == *cap)
			err = sgxs_grow(buf, cap, limit);
		else if ((n = read(fd, *buf + *len, *cap - *len)) > 0)
			*len += (size_t)n;
		else if (n < 0 && errno != EINTR)
			err = -errno;
	}
	return err;
}

/*
 * The longest stream worth reading for an enclave of (size) bytes: ECREATE,
 * then each page added once and each of its 16 chunks extended once.
 * Repeating EEXTENDs is legal, but no tool does it; a longer file is hostile.
 */
static uint64_t sgxs_max_stream(uint64_t size)
{
	uint64_t per_page = SGXS_RECORD_LEN + 16 * SGXS_EEXTEND_LEN, total;

	if (__builtin_mul_overflow(size / SGXS_PAGE_SIZE, per_page, &total) ||
	    __builtin_add_overflow(total, SGXS_RECORD_LEN, &total))
		return UINT64_MAX;
	return total;
}

static int sgxs_too_long(uint64_t len, uint64_t size, char *why, size_t why_len)
{
	if (len > SGXS_MAX_FILE)
		return sgxs_why(why, why_len, -EFBIG,
				"file is larger than the 1 GiB limit for an SGXS stream");
	return sgxs_why(why, why_len, -EFBIG,
			"stream is %llu bytes, more than the %llu an enclave of SIZE 0x%llx "
			"can need with each chunk measured once",
			(unsigned long long)len, (unsigned long long)sgxs_max_stream(size),
			(unsigned long long)size);
}

/*
 * The ECREATE record comes first and gives SIZE, which bounds the stream:
 * check it before reading more, so neither a file of zeros nor an endless
 * one (/dev/zero) is read past its first record or its bound. Fills *limit.
 */
static int sgxs_read_head(int fd, uint8_t **buf, size_t *len, size_t *cap, size_t *limit,
			  uint64_t *size, char *why, size_t why_len)
{
	struct sgxs head;
	int err;

	err = sgxs_read_all(fd, SGXS_RECORD_LEN - 1, buf, len, cap);
	if (!err)
		return 0; /* the file ends within one record: the parser says why */
	if (err != -EFBIG)
		return sgxs_why(why, why_len, err, "%s", strerror(-err));
	*len = SGXS_RECORD_LEN;
	err = sgxs_parse(*buf, SGXS_RECORD_LEN, &head, why, why_len);
	if (err)
		return err;
	*size = head.size;
	*limit = SGXS_MAX_FILE;
	if (sgxs_max_stream(head.size) < *limit)
		*limit = (size_t)sgxs_max_stream(head.size);
	return 0;
}

static int sgxs_read_fd(int fd, uint8_t **ret, size_t *ret_len, char *why, size_t why_len)
{
	size_t len = 0, cap = 0, limit = SGXS_RECORD_LEN - 1;
	uint64_t size = 0;
	uint8_t *buf = NULL;
	struct stat st;
	int err;

	/* A regular file's size is known: refuse a huge one without reading it. */
	if (fstat(fd, &st))
		st.st_mode = 0;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SGXS_MAX_FILE) {
		err = sgxs_too_long((uint64_t)st.st_size, 0, why, why_len);
		goto out;
	}
	err = sgxs_read_head(fd, &buf, &len, &cap, &limit, &size, why, why_len);
	if (err)
		goto out;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > limit) {
		err = sgxs_too_long((uint64_t)st.st_size, size, why, why_len);
		goto out;
	}
	err = sgxs_read_all(fd, limit, &buf, &len, &cap);
	if (err == -EFBIG && limit == SGXS_MAX_FILE)
		err = sgxs_too_long(len, size, why, why_len);
	else if (err == -EFBIG)
		err = sgxs_why(why, why_len, err,
			       "stream is longer than the %zu bytes an enclave of SIZE 0x%llx can "
			       "need with each chunk measured once",
			       limit, (unsigned long long)size);
	else if (err)
		err = sgxs_why(why, why_len, err, "%s", strerror(-err));
out:
	if (err) {
		free(buf);
		return err;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int sgxs_load_fd(int fd, struct sgxs **ret, char *why, size_t why_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct sgxs *s;
	int err;

	err = sgxs_read_fd(fd, &buf, &len, why, why_len);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s) {
		err = sgxs_why(why, why_len, -ENOMEM, "out of memory");
		goto err_buf;
	}
	err = sgxs_parse(buf, len, s, why, why_len);
	if (err)
		goto err_s;
	*ret = s;
	return 0;

err_s:
	free(s);
err_buf:
	free(buf);
	return err;
}

int sgxs_load(const char *path, struct sgxs **ret, char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0) {
		err = -errno;
		return sgxs_why(why, why_len, err, "%s", strerror(-err));
	}
	err = sgxs_load_fd(fd, ret, why, why_len);
	close(fd);
	return err;
}

void sgxs_free(struct sgxs *s)
{
	if (!s)
		return;
	free(s->bytes);
	free(s);
}

int sgxs_next(const struct sgxs *s, size_t *pos, struct sgxs_record *rec)
{
	const uint8_t *r;

	if (*pos + SGXS_RECORD_LEN > s->len)
		return 0;
	r = s->bytes + *pos;
	memset(rec, 0, sizeof(*rec));
	if (!memcmp(r, sgxs_tag_ecreate, 8)) {
		rec->type = SGXS_ECREATE;
	} else if (!memcmp(r, sgxs_tag_eadd, 8)) {
		rec->type = SGXS_EADD;
		rec->offset = sgxs_le64(r + 8);
		rec->secinfo_flags = sgxs_le64(r + 16);
	} else {
		rec->type = SGXS_EEXTEND;
		rec->offset = sgxs_le64(r + 8);
		rec->data = r + SGXS_RECORD_LEN;
		*pos += SGXS_CHUNK_LEN;
	}
	*pos += SGXS_RECORD_LEN;
	return 1;
}

int sgxs_measure(const struct sgxs *s, uint8_t mrenclave[32])
{
	return crypto_sha256(s->bytes, s->len, mrenclave);
}
