/* SPDX-License-Identifier: MIT */
#include "vsgx/sigstruct.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vsgx/crypto.h"

/* SIGSTRUCT fields are little-endian; this code stores them natively. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "vsgx assumes a little-endian host");
_Static_assert(sizeof(struct sgx_sigstruct) == SIGSTRUCT_LEN, "SIGSTRUCT is 1808 bytes");

static const uint8_t sigstruct_header[16] = {
	0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t sigstruct_header2[16] = {
	0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

static int sigstruct_why(char *why, size_t why_len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sigstruct_why(char *why, size_t why_len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

static int sigstruct_wrong_size(unsigned long long len, char *why, size_t why_len)
{
	return sigstruct_why(why, why_len, -EINVAL, "%llu bytes; a SIGSTRUCT is exactly %u bytes",
			     len, SIGSTRUCT_LEN);
}

int sigstruct_parse(const void *buf, size_t len, struct sgx_sigstruct *ret, char *why,
		    size_t why_len)
{
	if (len != SIGSTRUCT_LEN)
		return sigstruct_wrong_size(len, why, why_len);
	memcpy(ret, buf, SIGSTRUCT_LEN);
	return 0;
}

/* Read up to (len) bytes; fewer only at end of file. */
static ssize_t sigstruct_read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* For a file longer than a SIGSTRUCT, say how long if that is knowable. */
static int sigstruct_too_long(int fd, char *why, size_t why_len)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return sigstruct_wrong_size((unsigned long long)st.st_size, why, why_len);
	return sigstruct_why(why, why_len, -EINVAL,
			     "more than %u bytes; a SIGSTRUCT is exactly %u bytes", SIGSTRUCT_LEN,
			     SIGSTRUCT_LEN);
}

int sigstruct_load_fd(int fd, struct sgx_sigstruct *ret, char *why, size_t why_len)
{
	/* One byte more than needed, to tell an exact file from a longer one. */
	uint8_t buf[SIGSTRUCT_LEN + 1];
	ssize_t n;

	n = sigstruct_read_full(fd, buf, sizeof(buf));
	if (n < 0)
		return sigstruct_why(why, why_len, (int)n, "%s", strerror((int)-n));
	if (n > SIGSTRUCT_LEN)
		return sigstruct_too_long(fd, why, why_len);
	return sigstruct_parse(buf, (size_t)n, ret, why, why_len);
}

int sigstruct_load(const char *path, struct sgx_sigstruct *ret, char *why, size_t why_len)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return sigstruct_why(why, why_len, -err, "%s", strerror(err));
	}
	err = sigstruct_load_fd(fd, ret, why, why_len);
	close(fd);
	return err;
}

void sigstruct_params_init_default(struct sigstruct_params *p)
{
	memset(p, 0, sizeof(*p));
	p->attributes.flags = SGX_ATTR_MODE64BIT;
	p->attributes.xfrm = SGX_XFRM_LEGACY;
	/* Everything but DEBUG must match; XFRM may grow by AVX/AVX-512/PKRU-like bits. */
	p->attributes_mask.flags = ~SGX_ATTR_DEBUG;
	p->attributes_mask.xfrm = 0xffffffffffffff1bull;
	p->miscmask = 0xffffffffu;
}

static bool sigstruct_is_leap(uint32_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static uint32_t sigstruct_days_in_month(uint32_t year, uint32_t month)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month == 2 && sigstruct_is_leap(year))
		return 29;
	return days[month - 1];
}

/* 20240101 -> 0x20240101: each decimal digit becomes a nibble. */
static uint32_t sigstruct_to_bcd(uint32_t v)
{
	uint32_t bcd = 0;

	for (unsigned int shift = 0; v; shift += 4, v /= 10)
		bcd |= (v % 10) << shift;
	return bcd;
}

int sigstruct_date_bcd(uint32_t yyyymmdd, uint32_t *ret)
{
	uint32_t year = yyyymmdd / 10000, month = yyyymmdd / 100 % 100, day = yyyymmdd % 100;

	if (year < 1000 || year > 9999 || month < 1 || month > 12)
		return -EINVAL;
	if (day < 1 || day > sigstruct_days_in_month(year, month))
		return -EINVAL;
	*ret = sigstruct_to_bcd(yyyymmdd);
	return 0;
}

static void sigstruct_fill(struct sgx_sigstruct *s, const struct sigstruct_params *p,
			   const uint8_t mrenclave[32])
{
	memset(s, 0, sizeof(*s));
	memcpy(s->header, sigstruct_header, sizeof(s->header));
	s->vendor = p->vendor;
	s->date = p->date;
	memcpy(s->header2, sigstruct_header2, sizeof(s->header2));
	s->swdefined = p->swdefined;
	s->exponent = 3;
	s->miscselect = p->miscselect;
	s->miscmask = p->miscmask;
	s->attributes = p->attributes;
	s->attributes_mask = p->attributes_mask;
	memcpy(s->enclave_hash, mrenclave, sizeof(s->enclave_hash));
	s->isv_prod_id = p->isv_prod_id;
	s->isv_svn = p->isv_svn;
}

void sigstruct_signed_message(const struct sgx_sigstruct *s, uint8_t msg[SIGSTRUCT_MESSAGE_LEN])
{
	const uint8_t *bytes = (const uint8_t *)s;

	memcpy(msg, bytes, SGX_SIGSTRUCT_HEADER_LEN);
	memcpy(msg + SGX_SIGSTRUCT_HEADER_LEN, bytes + SGX_SIGSTRUCT_BODY_OFFSET,
	       SGX_SIGSTRUCT_BODY_LEN);
}

int sigstruct_sign(const struct sigstruct_params *p, const uint8_t mrenclave[32],
		   const struct crypto_rsa_key *key, struct sgx_sigstruct *ret)
{
	uint8_t msg[SIGSTRUCT_MESSAGE_LEN];
	int err;

	sigstruct_fill(ret, p, mrenclave);
	err = crypto_rsa_key_modulus(key, ret->modulus);
	if (err)
		return err;
	sigstruct_signed_message(ret, msg);
	err = crypto_rsa_sign(key, msg, sizeof(msg), ret->signature);
	if (err)
		return err;
	return crypto_rsa3072_q1q2(ret->modulus, ret->signature, ret->q1, ret->q2);
}

int sigstruct_verify(const struct sgx_sigstruct *s, char *why, size_t why_len)
{
	uint8_t msg[SIGSTRUCT_MESSAGE_LEN], digest[CRYPTO_SHA256_LEN];
	uint8_t em[CRYPTO_RSA3072_LEN], want[CRYPTO_RSA3072_LEN];
	int err, q_ok = 0;

	if (s->exponent != 3)
		return sigstruct_why(why, why_len, -EINVAL, "EXPONENT is %u; SGX requires 3",
				     s->exponent);
	sigstruct_signed_message(s, msg);
	err = crypto_sha256(msg, sizeof(msg), digest);
	if (err)
		return sigstruct_why(why, why_len, err, "out of memory");
	err = crypto_rsa3072_e3_public(s->modulus, s->signature, s->q1, s->q2, em, &q_ok);
	if (err == -EINVAL)
		return sigstruct_why(why, why_len, err,
				     "MODULUS is even or zero, or SIGNATURE is not below it");
	if (err)
		return sigstruct_why(why, why_len, err, "out of memory");
	crypto_pkcs1_sha256_encode(digest, want);
	if (memcmp(em, want, sizeof(em)))
		return sigstruct_why(why, why_len, -EBADMSG,
				     "SIGNATURE does not verify under MODULUS");
	if (!q_ok)
		return sigstruct_why(why, why_len, -EBADMSG, "Q1 or Q2 is wrong for SIGNATURE");
	return 0;
}

int sigstruct_mrsigner(const struct sgx_sigstruct *s, uint8_t mrsigner[32])
{
	return crypto_sha256(s->modulus, sizeof(s->modulus), mrsigner);
}
