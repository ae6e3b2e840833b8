/* SPDX-License-Identifier: MIT */
/*
 * The embedding API (<vsgx/embed.h>) as a CPU emulator drives it, through
 * libvsgx.so alone: ENCLS and ENCLU on a register file, the state EENTER,
 * EEXIT, an asynchronous exit and ERESUME swap (GPRs, FS/GS, XCR0, TF, the
 * SSA frame's XSAVE area and XRSTOR's checks), the enclave-mode access check
 * at TLB fill, and the notices of EPC writes into the caller's own memory.
 *
 * The test links the shared library and nothing else of vsgx, so every call
 * here is one the library exports. The enclave's signature is made with
 * OpenSSL in this file (the signing helpers are not part of the library),
 * with the Linux selftest key from $VSGX_VECTORS; without it the tests skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/mman.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "hw-fixture.h"
#include "vectors.h"
#include "vsgx/embed.h"

/* The EPC: one 1 MiB section whose contents are the test's memory. */
#define EM_EPC_SIZE (1ULL << 20)

/*
 * ELRANGE (HWF_ENCL_BASE, 64 KiB) page by page; ELRANGE page i is EPC page
 * 1 + i, the SECS EPC page 0:
 *   0     TCS: OSSA 0x1000, NSSA 2, OENTRY 0x3000, OFSBASE 0x6000, OGSBASE 0x7000
 *   1, 2  SSA frames (SSAFRAMESIZE 1), RW
 *   3     code, RX
 *   4     data, RW
 *   5     data, R
 *   6, 7  FS and GS pages, RW
 *   8     data, RW, added as zeros (no contents until written)
 *   9 ..  free for EAUG
 */
#define EM_PAGES 16
#define EM_TCS	 0
#define EM_SSA	 1
#define EM_CODE	 3
#define EM_RW	 4
#define EM_RO	 5
#define EM_FS	 6
#define EM_GS	 7
#define EM_ZERO	 8
#define EM_AUG	 9

/* Another enclave's SECS and one page of it (same ELRANGE), and a VA page. */
#define EM_OTHER_SECS 32
#define EM_OTHER_PAGE 33
#define EM_VA	      40
#define EM_FREE	      50

#define EM_AEP	     0x7f0000001000ULL
#define EM_NEXT_RIP  0x401234ULL /* the instruction after the caller's ENCLU */
#define EM_XFRM	     (SGX_XFRM_LEGACY | SGX_XFRM_AVX)
#define EM_XCR0	     (SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_PKRU)
#define EM_XSAVE_LEN 4096

/* Standard-format XSAVE offsets. */
#define XS_FCW	      0
#define XS_MXCSR      24
#define XS_MXCSR_MASK 28
#define XS_XMM	      160
#define XS_BV	      512
#define XS_XCOMP_BV   520
#define XS_HDR_RSVD   528
#define XS_AVX	      576
#define XS_PKRU	      2688

/* Error codes of an access the EPCM refuses: P | U | SGX, and W or I. */
#define PFEC_READ  (X86_PF_PROT | X86_PF_USER | X86_PF_SGX)
#define PFEC_WRITE (PFEC_READ | X86_PF_WRITE)
#define PFEC_FETCH (PFEC_READ | X86_PF_INSTR)

#define MAX_NOTICES 256

struct em_notice {
	uint64_t pa, len;
	uint8_t first; /* the page's first byte when the notice came */
};

struct emenv {
	struct hwfix *f;
	uint8_t *epc; /* the section's contents, as an emulator's guest memory */
	struct sgx_secs secs;
	uint64_t secs_pa;
	bool mapped[EM_PAGES];
	/* The xlate callback refuses this page with this error code. */
	uint64_t fail_page;
	uint32_t fail_pfec;
	EVP_PKEY *key;
	struct sgx_sigstruct *sig;
	struct sgx_einittoken *token;
	uint8_t *xsave; /* the emulator's XSAVE image */
	struct vsgx_xsave xs;
	unsigned int nr_notices;
	struct em_notice notices[MAX_NOTICES];
};

static uint64_t em_la(const struct emenv *em, unsigned int page)
{
	return em->secs.base + (uint64_t)page * SGX_PAGE_SIZE;
}

static uint64_t em_pa(const struct emenv *em, unsigned int page)
{
	return hwf_epc(em->f, 1 + page);
}

/* Where the model keeps EPC page (pa): the test's own memory. */
static uint8_t *em_bytes(const struct emenv *em, uint64_t pa)
{
	return em->epc + (pa - HWF_EPC_BASE);
}

static struct sgx_tcs *em_tcs(const struct emenv *em)
{
	return (struct sgx_tcs *)em_bytes(em, em_pa(em, EM_TCS));
}

static struct sgx_ssa_gpr *em_frame_gpr(const struct emenv *em, unsigned int frame)
{
	return (struct sgx_ssa_gpr *)(em_bytes(em, em_pa(em, EM_SSA + frame)) + SGX_PAGE_SIZE -
				      sizeof(struct sgx_ssa_gpr));
}

static uint8_t *em_frame_xsave(const struct emenv *em, unsigned int frame)
{
	return em_bytes(em, em_pa(em, EM_SSA + frame));
}

/* The emulator's page walk: ELRANGE through the map, EPC identity, the rest host memory. */
static int em_xlate(void *opaque, uint64_t la, bool write, struct hw_xlate *ret)
{
	struct emenv *em = opaque;
	uint64_t off = la - em->secs.base;

	(void)write;
	if (em->fail_page && (la & SGX_PAGE_MASK) == em->fail_page) {
		ret->pfec = em->fail_pfec;
		return -EFAULT;
	}
	if (off < em->secs.size) {
		unsigned int page = (unsigned int)(off / SGX_PAGE_SIZE);

		if (page >= EM_PAGES || !em->mapped[page])
			return -EFAULT;
		ret->kind = HW_XLATE_EPC;
		ret->pa = em_pa(em, page) + (la & ~SGX_PAGE_MASK);
		return 0;
	}
	if (la >= HWF_EPC_BASE && la - HWF_EPC_BASE < EM_EPC_SIZE) {
		ret->kind = HW_XLATE_EPC;
		ret->pa = la;
		return 0;
	}
	if (la < SGX_PAGE_SIZE)
		return -EFAULT;
	ret->kind = HW_XLATE_RAM;
	ret->ram = (void *)(uintptr_t)la;
	return 0;
}

static void em_written(void *opaque, uint64_t pa, uint64_t len)
{
	struct emenv *em = opaque;
	struct em_notice *n;

	assert_true(em->nr_notices < MAX_NOTICES);
	n = &em->notices[em->nr_notices++];
	n->pa = pa;
	n->len = len;
	n->first = *em_bytes(em, pa & SGX_PAGE_MASK);
}

/* How many notices named the page at (pa), each for the whole page. */
static unsigned int em_noticed(const struct emenv *em, uint64_t pa)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < em->nr_notices; i++) {
		if (em->notices[i].pa == pa) {
			assert_int_equal(em->notices[i].len, SGX_PAGE_SIZE);
			n++;
		}
	}
	return n;
}

/* MRENCLAVE beside the model, with OpenSSL's SHA-256 (the SGXS records). */
static void em_measure(EVP_MD_CTX *h, const char *op, uint64_t a, uint64_t b)
{
	uint8_t blk[64] = { 0 };

	memcpy(blk, op, strlen(op));
	if (!strcmp(op, "ECREATE")) {
		hwf_put_u32(blk + 8, (uint32_t)a);
		hwf_put_u64(blk + 12, b);
	} else {
		hwf_put_u64(blk + 8, a);
		hwf_put_u64(blk + 16, b);
	}
	assert_int_equal(EVP_DigestUpdate(h, blk, sizeof(blk)), 1);
}

static void em_add(struct emenv *em, EVP_MD_CTX *h, unsigned int page, uint64_t flags,
		   const void *content)
{
	assert_int_equal(
	    hwf_eadd(em->f, em->secs_pa, em_pa(em, page), em_la(em, page), flags, content),
	    SGX_SUCCESS);
	em_measure(h, "EADD", (uint64_t)page * SGX_PAGE_SIZE, flags);
	em->mapped[page] = true;
}

static void em_build(struct emenv *em, uint8_t mrenclave[32])
{
	uint8_t *page = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	struct sgx_tcs *tcs = (struct sgx_tcs *)page;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	static const unsigned int rw[] = { EM_RW, EM_FS, EM_GS };

	assert_non_null(h);
	assert_int_equal(EVP_DigestInit_ex(h, EVP_sha256(), NULL), 1);
	assert_int_equal(hwf_ecreate(em->f, &em->secs, em->secs_pa), SGX_SUCCESS);
	em_measure(h, "ECREATE", em->secs.ssa_frame_size, em->secs.size);
	tcs->ossa = (uint64_t)EM_SSA * SGX_PAGE_SIZE;
	tcs->nssa = 2;
	tcs->oentry = (uint64_t)EM_CODE * SGX_PAGE_SIZE;
	tcs->ofsbase = (uint64_t)EM_FS * SGX_PAGE_SIZE;
	tcs->ogsbase = (uint64_t)EM_GS * SGX_PAGE_SIZE;
	tcs->fslimit = 0xfff;
	tcs->gslimit = 0xfff;
	em_add(em, h, EM_TCS, SECINFO_TCS, page);
	memset(page, 0, SGX_PAGE_SIZE);
	em_add(em, h, EM_SSA, SECINFO_RW, page);
	em_add(em, h, EM_SSA + 1, SECINFO_RW, page);
	em_add(em, h, EM_ZERO, SECINFO_RW, page);
	memset(page, 0xcc, SGX_PAGE_SIZE);
	em_add(em, h, EM_CODE, SECINFO_RX, page);
	memset(page, EM_RO, SGX_PAGE_SIZE);
	em_add(em, h, EM_RO, SECINFO_R, page);
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		memset(page, (int)rw[i], SGX_PAGE_SIZE);
		em_add(em, h, rw[i], SECINFO_RW, page);
	}
	assert_int_equal(EVP_DigestFinal_ex(h, mrenclave, NULL), 1);
	EVP_MD_CTX_free(h);
	free(page);
}

static void em_reverse(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = src[len - 1 - i];
}

/* A BIGNUM into a little-endian SIGSTRUCT field. */
static void em_bn_le(const BIGNUM *bn, uint8_t out[SGX_MODULUS_SIZE])
{
	assert_int_equal(BN_bn2lebinpad(bn, out, SGX_MODULUS_SIZE), SGX_MODULUS_SIZE);
}

/* RSA-3072 PKCS#1 v1.5 SHA-256 over header and body, and Q1, Q2 (SDM EINIT). */
static void em_signature(struct emenv *em, struct sgx_sigstruct *s)
{
	uint8_t msg[SGX_SIGSTRUCT_HEADER_LEN + SGX_SIGSTRUCT_BODY_LEN], digest[32];
	uint8_t be[SGX_MODULUS_SIZE];
	size_t len = sizeof(be);
	BIGNUM *n = NULL, *sg, *s2, *q1, *r1, *t, *q2;
	BN_CTX *bc = BN_CTX_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(em->key, NULL);

	assert_non_null(bc);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_get_bn_param(em->key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
	em_bn_le(n, s->modulus);
	memcpy(msg, s, SGX_SIGSTRUCT_HEADER_LEN);
	memcpy(msg + SGX_SIGSTRUCT_HEADER_LEN, (const uint8_t *)s + SGX_SIGSTRUCT_BODY_OFFSET,
	       SGX_SIGSTRUCT_BODY_LEN);
	assert_int_equal(EVP_Digest(msg, sizeof(msg), digest, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, be, &len, digest, sizeof(digest)), 1);
	assert_int_equal(len, SGX_MODULUS_SIZE);
	em_reverse(s->signature, be, sizeof(be));
	sg = BN_bin2bn(be, (int)len, NULL);
	s2 = BN_new();
	q1 = BN_new();
	r1 = BN_new();
	t = BN_new();
	q2 = BN_new();
	assert_true(sg && s2 && q1 && r1 && t && q2);
	assert_int_equal(BN_sqr(s2, sg, bc), 1);
	assert_int_equal(BN_div(q1, r1, s2, n, bc), 1);
	assert_int_equal(BN_mul(t, sg, r1, bc), 1);
	assert_int_equal(BN_div(q2, NULL, t, n, bc), 1);
	em_bn_le(q1, s->q1);
	em_bn_le(q2, s->q2);
	BN_free(n);
	BN_free(sg);
	BN_free(s2);
	BN_free(q1);
	BN_free(r1);
	BN_free(t);
	BN_free(q2);
	BN_CTX_free(bc);
	EVP_PKEY_CTX_free(ctx);
}

static void em_sign(struct emenv *em, const uint8_t mrenclave[32])
{
	static const uint8_t header[16] = { 6, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
	static const uint8_t header2[16] = { 1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0 };
	struct sgx_sigstruct *s = em->sig;

	memset(s, 0, sizeof(*s));
	memcpy(s->header, header, sizeof(header));
	memcpy(s->header2, header2, sizeof(header2));
	s->date = 0x20240101;
	s->exponent = 3;
	s->miscselect = em->secs.miscselect;
	s->miscmask = 0xffffffffu;
	s->attributes = em->secs.attributes;
	s->attributes_mask.flags = ~SGX_ATTR_DEBUG;
	s->attributes_mask.xfrm = ~0ULL;
	memcpy(s->enclave_hash, mrenclave, 32);
	s->isv_prod_id = 0x1234;
	s->isv_svn = 7;
	em_signature(em, s);
}

/* Launch control: the signer's hash in every CPU's LE hash MSRs. */
static void em_trust_signer(struct emenv *em)
{
	uint8_t mrsigner[32];

	assert_int_equal(
	    EVP_Digest(em->sig->modulus, SGX_MODULUS_SIZE, mrsigner, NULL, EVP_sha256(), NULL), 1);
	for (unsigned int c = 0; c < hw_processor_nr_cpus(em->f->p); c++) {
		for (uint32_t i = 0; i < 4; i++) {
			uint64_t v;

			memcpy(&v, mrsigner + 8 * i, sizeof(v));
			assert_int_equal(hw_msr_write(hw_processor_cpu(em->f->p, c),
						      MSR_IA32_SGXLEPUBKEYHASH0 + i, v),
					 0);
		}
	}
}

static void em_load_key(struct emenv *em)
{
	FILE *fp = fopen(vector_path("sign_key.pem"), "r");

	assert_non_null(fp);
	em->key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(em->key);
}

/*
 * A running debug enclave with MISCSELECT.EXINFO and XFRM (xfrm), on the
 * default part with one 1 MiB EPC section held in memory of the test's.
 */
static struct emenv *em_new(uint64_t xfrm)
{
	struct emenv *em = calloc(1, sizeof(*em));
	struct hw_addr_space as = { .xlate = em_xlate };
	uint8_t mrenclave[32];
	struct hw_desc d;
	void *map;

	assert_non_null(em);
	map = mmap(NULL, EM_EPC_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	em->epc = map;
	hw_desc_init_default(&d);
	d.sections[0].size = EM_EPC_SIZE;
	d.sections[0].contents = em->epc;
	em->f = hwf_new(&d);
	em->sig = hwf_zalloc(SGX_PAGE_SIZE, sizeof(*em->sig));
	em->token = hwf_zalloc(512, sizeof(*em->token));
	em->xsave = hwf_zalloc(64, EM_XSAVE_LEN);
	em->xs = (struct vsgx_xsave){ .area = em->xsave, .size = EM_XSAVE_LEN };
	hwf_secs_init(&em->secs, HWF_ENCL_BASE, HWF_ENCL_SIZE, SGX_ATTR_MODE64BIT | SGX_ATTR_DEBUG,
		      xfrm);
	em->secs.miscselect = SGX_MISC_EXINFO;
	em->secs_pa = hwf_epc(em->f, 0);
	as.opaque = em;
	for (unsigned int i = 0; i < hw_processor_nr_cpus(em->f->p); i++)
		hw_cpu_set_addr_space(hw_processor_cpu(em->f->p, i), &as);
	em_load_key(em);
	em_build(em, mrenclave);
	em_sign(em, mrenclave);
	em_trust_signer(em);
	assert_int_equal(hw_einit(em->f->cpu, hwf_la(em->sig), em->secs_pa, hwf_la(em->token)),
			 SGX_SUCCESS);
	return em;
}

static void em_free(struct emenv *em)
{
	if (!em)
		return;
	hwf_free(em->f);
	munmap(em->epc, EM_EPC_SIZE);
	free(em->sig);
	free(em->token);
	free(em->xsave);
	EVP_PKEY_free(em->key);
	free(em);
}

static int em_setup(void **state)
{
	*state = em_new(EM_XFRM);
	return 0;
}

static int em_teardown(void **state)
{
	em_free(*state);
	*state = NULL;
	return 0;
}

#define EM_TEST(fn)                                                                                \
	{                                                                                          \
		vectors_present() ? #fn : #fn " # SKIP no test vectors (set VSGX_VECTORS)",        \
		    vectors_present() ? fn : skipped, vectors_present() ? em_setup : NULL,         \
		    vectors_present() ? em_teardown : NULL, NULL                                   \
	}

/* The outside FS and GS a 64-bit process runs with. */
static const struct vsgx_segment outside_fs = {
	.base = 0x7f00aa001000ULL,
	.limit = 0xffffffff,
	.attrib =
	    VSGX_SEG_P | VSGX_SEG_S | (3u << VSGX_SEG_DPL_SHIFT) | (3u << VSGX_SEG_TYPE_SHIFT),
	.selector = 0,
};
static const struct vsgx_segment outside_gs = {
	.base = 0x7f00bb002000ULL,
	.limit = 0xffffffff,
	.attrib =
	    VSGX_SEG_P | VSGX_SEG_S | (3u << VSGX_SEG_DPL_SHIFT) | (3u << VSGX_SEG_TYPE_SHIFT),
	.selector = 0x2b,
};

#define OUT_RSP 0x7ffe0000ULL
#define OUT_RBP 0x7ffe0100ULL
#define RFLAGS_ALU                                                                                 \
	(HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF | HW_RFLAGS_OF)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_1  (1ULL << 1)
#define RFLAGS_RF (1ULL << 16)

/* A 64-bit CPL 3 register file about to run ENCLU[leaf] with RBX and RCX. */
static struct vsgx_regs em_regs(uint64_t leaf, uint64_t rbx, uint64_t rcx)
{
	struct vsgx_regs r;

	memset(&r, 0, sizeof(r));
	for (unsigned int i = 0; i < VSGX_NR_GPRS; i++)
		r.gpr[i] = 0xa000 + i;
	r.gpr[VSGX_RAX] = leaf;
	r.gpr[VSGX_RBX] = rbx;
	r.gpr[VSGX_RCX] = rcx;
	r.gpr[VSGX_RSP] = OUT_RSP;
	r.gpr[VSGX_RBP] = OUT_RBP;
	r.rip = EM_NEXT_RIP;
	r.rflags = RFLAGS_1 | RFLAGS_IF;
	r.fs = outside_fs;
	r.gs = outside_gs;
	r.xcr0 = EM_XCR0;
	r.cr0 = VSGX_CR0_PE | VSGX_CR0_NE | VSGX_CR0_PG;
	r.cr4 = VSGX_CR4_OSFXSR | VSGX_CR4_OSXSAVE;
	r.efer = VSGX_EFER_LMA;
	r.cs_l = true;
	r.cpl = 3;
	return r;
}

/* The same CPU at CPL 0, about to run ENCLS[leaf]. */
static struct vsgx_regs em_sregs(uint64_t leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx)
{
	struct vsgx_regs r = em_regs(leaf, rbx, rcx);

	r.gpr[VSGX_RDX] = rdx;
	r.cpl = 0;
	return r;
}

static void assert_regs_equal(const struct vsgx_regs *a, const struct vsgx_regs *b)
{
	for (unsigned int i = 0; i < VSGX_NR_GPRS; i++)
		assert_int_equal(a->gpr[i], b->gpr[i]);
	assert_int_equal(a->rip, b->rip);
	assert_int_equal(a->rflags, b->rflags);
	assert_memory_equal(&a->fs, &b->fs, sizeof(a->fs));
	assert_memory_equal(&a->gs, &b->gs, sizeof(a->gs));
	assert_int_equal(a->xcr0, b->xcr0);
}

static void assert_enclave_segment(const struct vsgx_segment *s, uint64_t base)
{
	assert_int_equal(s->base, base);
	assert_int_equal(s->selector, 0x0b);
	assert_true(s->attrib & VSGX_SEG_P);
}

/* EENTER through the TCS from a fresh register file; asserts success. */
static struct vsgx_regs em_enter(struct emenv *em)
{
	struct vsgx_regs r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	unsigned int changed = 0xdead;

	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, &changed), 0);
	assert_int_equal(changed, VSGX_ENTERED);
	return r;
}

static void em_eexit(struct emenv *em, struct vsgx_regs *r)
{
	unsigned int changed = 0;

	r->gpr[VSGX_RAX] = SGX_EEXIT;
	r->gpr[VSGX_RBX] = 0x402000;
	assert_int_equal(vsgx_enclu(em->f->cpu, r, &em->xs, &changed), 0);
	assert_int_equal(changed, VSGX_EXITED);
}

static uint64_t ld64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void st64(uint8_t *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static uint32_t ld32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void st32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static uint16_t ld16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

static int em_encls(struct emenv *em, struct vsgx_regs *r)
{
	return vsgx_encls(em->f->cpu, r);
}

/* EDBGWR of 8 bytes at enclave address (la), through the register file. */
static void em_edbgwr(struct emenv *em, uint64_t la, uint64_t v)
{
	struct vsgx_regs r = em_sregs(SGX_EDBGWR, v, la, 0);

	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_SUCCESS);
}

static void test_library_basics(void **state)
{
	struct emenv *em = *state;
	unsigned int major, minor, patch;
	char tail;

	assert_int_equal(sscanf(vsgx_version(), "%u.%u.%u%c", &major, &minor, &patch, &tail), 3);
	assert_ptr_equal(vsgx_processor_section_contents(em->f->p, 0), em->epc);
	assert_null(vsgx_processor_section_contents(em->f->p, 1));
	assert_ptr_equal(hw_processor_section(em->f->p, 0)->contents, em->epc);
	/* EADD wrote the pages' bytes into the caller's memory. */
	assert_true(all_bytes(em_bytes(em, em_pa(em, EM_RO)), SGX_PAGE_SIZE, EM_RO));
	assert_true(all_bytes(em_bytes(em, em_pa(em, EM_CODE)), SGX_PAGE_SIZE, 0xcc));
	assert_int_equal(em_tcs(em)->oentry, EM_CODE * SGX_PAGE_SIZE);
	assert_false(vsgx_cpu_enclave(em->f->cpu, NULL));
}

/* ENCLS leaves return through RAX and RFLAGS: ZF on an error, the arithmetic flags cleared. */
static void test_encls_registers(void **state)
{
	struct emenv *em = *state;
	uint64_t va = hwf_epc(em->f, EM_VA), secs = hwf_epc(em->f, EM_FREE);
	struct vsgx_regs r = em_sregs(SGX_EPA, SGX_PT_VA, va, 0x5555);

	r.rflags |= RFLAGS_ALU;
	assert_int_equal(em_encls(em, &r), 0);
	/* EPA returns no code and affects no flag: RAX and RFLAGS as they were. */
	assert_int_equal(r.gpr[VSGX_RAX], SGX_EPA);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF | RFLAGS_ALU);
	assert_int_equal(r.gpr[VSGX_RBX], SGX_PT_VA);
	assert_int_equal(r.gpr[VSGX_RCX], va);
	assert_int_equal(r.gpr[VSGX_RDX], 0x5555);
	assert_int_equal(r.gpr[VSGX_RSI], 0xa000 + VSGX_RSI);
	assert_int_equal(r.rip, EM_NEXT_RIP);
	assert_int_equal(hwf_epcm(em->f, va).pt, SGX_PT_VA);

	/* A SECS with children: SGX_CHILD_PRESENT with ZF. */
	r = em_sregs(SGX_EREMOVE, 0, em->secs_pa, 0);
	r.rflags |= RFLAGS_ALU;
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_CHILD_PRESENT);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF | HW_RFLAGS_ZF);

	r = em_sregs(SGX_EREMOVE, 0, va, 0);
	r.rflags |= HW_RFLAGS_ZF;
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_SUCCESS);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF);
	assert_false(hwf_epcm(em->f, va).valid);

	hwf_secs_default(em->f->secs);
	hwf_ecreate_operands(em->f);
	r = em_sregs(SGX_ECREATE, hwf_la(em->f->pageinfo), secs, 0);
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_ECREATE);
	assert_int_equal(hwf_epcm(em->f, secs).pt, SGX_PT_SECS);

	/* EDBGRD's data comes back in RBX. */
	r = em_sregs(SGX_EDBGRD, 0, em_la(em, EM_RO) + 0x18, 0);
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_SUCCESS);
	assert_int_equal(r.gpr[VSGX_RBX], 0x0505050505050505ULL);

	/* An unknown leaf is #GP(0); RAX keeps the leaf. */
	r = em_sregs(0x3f, 0, 0, 0);
	assert_gp(em->f, em_encls(em, &r));
	assert_int_equal(r.gpr[VSGX_RAX], 0x3f);
}

static void test_encls_gp_without_paging(void **state)
{
	struct emenv *em = *state;
	uint64_t va = hwf_epc(em->f, EM_VA);
	struct vsgx_regs r = em_sregs(SGX_EPA, SGX_PT_VA, va, 0), before;

	r.cr0 &= ~VSGX_CR0_PG;
	before = r;
	assert_gp(em->f, em_encls(em, &r));
	assert_regs_equal(&r, &before);
	assert_false(hwf_epcm(em->f, va).valid);
	/* With paging the same leaf runs. */
	r.cr0 |= VSGX_CR0_PG;
	assert_int_equal(em_encls(em, &r), 0);
	assert_true(hwf_epcm(em->f, va).valid);
}

/* The #PF of a failed walk carries the callback's error code, with W for a write operand. */
static void test_encls_walk_error_code(void **state)
{
	struct emenv *em = *state;
	uint64_t secs = hwf_epc(em->f, EM_FREE), pageinfo;
	struct vsgx_regs r;

	hwf_secs_default(em->f->secs);
	hwf_ecreate_operands(em->f);
	pageinfo = hwf_la(em->f->pageinfo);

	/* PAGEINFO is read. */
	em->fail_page = pageinfo & SGX_PAGE_MASK;
	em->fail_pfec = X86_PF_PROT | X86_PF_USER;
	r = em_sregs(SGX_ECREATE, pageinfo, secs, 0);
	assert_pf(em->f, em_encls(em, &r), pageinfo);
	assert_int_equal(hw_cpu_fault(em->f->cpu)->error_code, X86_PF_PROT | X86_PF_USER);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_ECREATE);

	/* The EPC page is written. */
	em->fail_page = secs;
	r = em_sregs(SGX_ECREATE, pageinfo, secs + 0, 0);
	assert_pf(em->f, em_encls(em, &r), secs);
	assert_int_equal(hw_cpu_fault(em->f->cpu)->error_code,
			 X86_PF_PROT | X86_PF_USER | X86_PF_WRITE);

	/* A callback that says nothing: not present. */
	em->fail_pfec = 0;
	assert_pf(em->f, em_encls(em, &r), secs);
	assert_int_equal(hw_cpu_fault(em->f->cpu)->error_code, X86_PF_WRITE);
	em->fail_page = pageinfo & SGX_PAGE_MASK;
	assert_pf(em->f, em_encls(em, &r), pageinfo);
	assert_int_equal(hw_cpu_fault(em->f->cpu)->error_code, 0);

	em->fail_page = 0;
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_SUCCESS);
}

static void test_eenter_state(void **state)
{
	struct emenv *em = *state;
	struct vsgx_regs r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP), in;
	struct vsgx_enclave_range range = { 0, 0 };
	unsigned int changed = 0;

	r.rflags |= VSGX_RFLAGS_TF;
	memset(em->xsave, 0x3c, EM_XSAVE_LEN);
	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, &changed), 0);
	assert_int_equal(changed, VSGX_ENTERED);
	assert_int_equal(r.rip, HWF_ENCL_BASE + EM_CODE * SGX_PAGE_SIZE);
	assert_int_equal(r.gpr[VSGX_RCX], EM_NEXT_RIP);
	assert_int_equal(r.gpr[VSGX_RAX], 0);
	assert_int_equal(r.gpr[VSGX_RBX], em_la(em, EM_TCS));
	assert_int_equal(r.gpr[VSGX_RSP], OUT_RSP);
	assert_int_equal(r.gpr[VSGX_RBP], OUT_RBP);
	for (unsigned int i = VSGX_RSI; i < VSGX_NR_GPRS; i++)
		assert_int_equal(r.gpr[i], 0xa000 + i);
	assert_enclave_segment(&r.fs, HWF_ENCL_BASE + EM_FS * SGX_PAGE_SIZE);
	assert_enclave_segment(&r.gs, HWF_ENCL_BASE + EM_GS * SGX_PAGE_SIZE);
	assert_int_equal(r.xcr0, EM_XFRM);
	/* The TCS opts out of debugging: no single-step inside. */
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF);
	/* EENTER loads no XSAVE state. */
	assert_true(all_bytes(em->xsave, EM_XSAVE_LEN, 0x3c));
	assert_int_equal(em_frame_gpr(em, 0)->ursp, OUT_RSP);
	assert_int_equal(em_frame_gpr(em, 0)->urbp, OUT_RBP);
	assert_true(vsgx_cpu_enclave(em->f->cpu, &range));
	assert_int_equal(range.base, HWF_ENCL_BASE);
	assert_int_equal(range.size, HWF_ENCL_SIZE);
	assert_int_equal(em_tcs(em)->state, 1);
	assert_int_equal(hwf_enclave(em->f, em->secs_pa).threads_inside, 1);

	/* EEXIT: RIP = RBX, RCX = AEP, what the entry replaced comes back. */
	r.rip = HWF_ENCL_BASE + EM_CODE * SGX_PAGE_SIZE + 0x40;
	in = r;
	em_eexit(em, &r);
	assert_int_equal(r.rip, 0x402000);
	assert_int_equal(r.gpr[VSGX_RCX], EM_AEP);
	assert_int_equal(r.gpr[VSGX_RBX], 0x402000);
	assert_int_equal(r.gpr[VSGX_RDX], in.gpr[VSGX_RDX]);
	assert_memory_equal(&r.fs, &outside_fs, sizeof(outside_fs));
	assert_memory_equal(&r.gs, &outside_gs, sizeof(outside_gs));
	assert_int_equal(r.xcr0, EM_XCR0);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF | VSGX_RFLAGS_TF);
	assert_false(vsgx_cpu_enclave(em->f->cpu, &range));
	assert_int_equal(em_tcs(em)->state, 0);
	assert_int_equal(hwf_enclave(em->f, em->secs_pa).threads_inside, 0);
}

/* A TCS that opts into debugging keeps TF set across EENTER. */
static void test_eenter_dbgoptin_keeps_tf(void **state)
{
	struct emenv *em = *state;
	struct vsgx_regs r;

	em_edbgwr(em, em_la(em, EM_TCS) + offsetof(struct sgx_tcs, flags), SGX_TCS_DBGOPTIN);
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.rflags |= VSGX_RFLAGS_TF;
	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, NULL), 0);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF | VSGX_RFLAGS_TF);
	em_eexit(em, &r);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF | VSGX_RFLAGS_TF);
}

/* EENTER with a CPU state the enclave cannot run in: #GP(0), nothing changed, TCS free. */
static void eenter_gp(struct emenv *em, struct vsgx_regs *r)
{
	struct vsgx_regs before = *r;
	unsigned int changed = 0xdead;

	assert_gp(em->f, vsgx_enclu(em->f->cpu, r, &em->xs, &changed));
	assert_int_equal(changed, 0);
	assert_regs_equal(r, &before);
	assert_false(vsgx_cpu_enclave(em->f->cpu, NULL));
	assert_int_equal(em_tcs(em)->state, 0);
}

static void test_eenter_mode_checks(void **state)
{
	struct emenv *em = *state;
	struct vsgx_regs r, ok;

	/* A 64-bit enclave outside 64-bit mode: compatibility mode, legacy mode. */
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.cs_l = false;
	eenter_gp(em, &r);
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.efer &= ~VSGX_EFER_LMA;
	eenter_gp(em, &r);
	/* No OSFXSR. */
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.cr4 &= ~VSGX_CR4_OSFXSR;
	eenter_gp(em, &r);
	/* XFRM (x87|SSE|AVX) not within XCR0. */
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.xcr0 = SGX_XFRM_LEGACY | SGX_XFRM_PKRU;
	eenter_gp(em, &r);
	/* Without OSXSAVE XFRM must be x87|SSE exactly. */
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.cr4 &= ~VSGX_CR4_OSXSAVE;
	eenter_gp(em, &r);
	/* ENCLU's own checks: CR0.PG and CR0.NE. */
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.cr0 &= ~VSGX_CR0_NE;
	eenter_gp(em, &r);
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.cr0 &= ~VSGX_CR0_PG;
	eenter_gp(em, &r);

	/* The TCS was never taken: a good entry runs. */
	ok = em_enter(em);
	assert_int_equal(ok.xcr0, EM_XFRM);
	em_eexit(em, &ok);
}

/* An x87|SSE enclave runs without OSXSAVE, and XCR0 is not touched. */
static void test_eenter_legacy_without_osxsave(void **state)
{
	struct emenv *em;
	struct vsgx_regs r;

	(void)state;
	em = em_new(SGX_XFRM_LEGACY);
	r = em_regs(SGX_EENTER, em_la(em, EM_TCS), EM_AEP);
	r.cr4 &= ~VSGX_CR4_OSXSAVE;
	r.xcr0 = 0x7777;
	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, NULL), 0);
	assert_int_equal(r.xcr0, 0x7777);
	em_eexit(em, &r);
	assert_int_equal(r.xcr0, 0x7777);
	em_free(em);
}

/* The enclave's state at the moment of the exit: every GPR distinct. */
static void inside_state(struct vsgx_regs *r)
{
	for (unsigned int i = 0; i < VSGX_NR_GPRS; i++)
		r->gpr[i] = 0x1111000000000000ULL + 0x0101 * i;
	r->rip = HWF_ENCL_BASE + EM_CODE * SGX_PAGE_SIZE + 0x123;
	r->rflags = RFLAGS_1 | RFLAGS_IF | HW_RFLAGS_CF | HW_RFLAGS_ZF | RFLAGS_RF;
	/* The enclave moved its FS and GS bases (WRFSBASE, WRGSBASE). */
	r->fs.base = HWF_ENCL_BASE + EM_FS * SGX_PAGE_SIZE + 0x100;
	r->gs.base = HWF_ENCL_BASE + EM_GS * SGX_PAGE_SIZE + 0x200;
}

/*
 * The CPU's XSAVE image inside: x87 and SSE state that is not initial, AVX
 * upper halves, and PKRU, which the enclave's XFRM does not hold.
 */
static void inside_xsave(uint8_t *x)
{
	memset(x, 0, EM_XSAVE_LEN);
	x[XS_FCW] = 0x7f;
	x[XS_FCW + 1] = 0x02;
	x[2] = 0x12; /* FSW */
	x[4] = 0x80; /* FTW: ST7 valid */
	memset(x + 32, 0x21, 128);
	st32(x, XS_MXCSR, 0x1fa0);
	st32(x, XS_MXCSR_MASK, 0xffff);
	memset(x + XS_XMM, 0x5a, 256);
	memset(x + XS_AVX, 0x6b, 256);
	memset(x + XS_PKRU, 0x7c, 8);
	st64(x, XS_BV, SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_PKRU);
}

/* Enter, then exit on (why) with the inside state; returns the state before the exit. */
static struct vsgx_regs enter_and_aex(struct emenv *em, const struct hw_aex *why,
				      struct vsgx_regs *ret_after)
{
	struct vsgx_regs r = em_enter(em), in;
	unsigned int changed = 0;

	inside_state(&r);
	inside_xsave(em->xsave);
	in = r;
	assert_int_equal(vsgx_aex(em->f->cpu, &r, &em->xs, why, &changed), 0);
	assert_int_equal(changed, VSGX_EXITED | VSGX_XSAVE_CHANGED);
	*ret_after = r;
	return in;
}

static void test_aex_frame_and_synthetic_state(void **state)
{
	struct emenv *em = *state;
	const struct hw_aex ud = { .vector = X86_TRAP_UD };
	uint8_t want[EM_XSAVE_LEN];
	struct vsgx_regs in, r;
	const struct sgx_ssa_gpr *g = em_frame_gpr(em, 0);
	const uint8_t *fx = em_frame_xsave(em, 0);

	in = enter_and_aex(em, &ud, &r);

	/* The frame: every register as it was. */
	assert_int_equal(g->rax, in.gpr[VSGX_RAX]);
	assert_int_equal(g->rcx, in.gpr[VSGX_RCX]);
	assert_int_equal(g->rdx, in.gpr[VSGX_RDX]);
	assert_int_equal(g->rbx, in.gpr[VSGX_RBX]);
	assert_int_equal(g->rsp, in.gpr[VSGX_RSP]);
	assert_int_equal(g->rbp, in.gpr[VSGX_RBP]);
	assert_int_equal(g->rsi, in.gpr[VSGX_RSI]);
	assert_int_equal(g->rdi, in.gpr[VSGX_RDI]);
	assert_int_equal(g->r8, in.gpr[VSGX_R8]);
	assert_int_equal(g->r9, in.gpr[VSGX_R9]);
	assert_int_equal(g->r10, in.gpr[VSGX_R10]);
	assert_int_equal(g->r11, in.gpr[VSGX_R11]);
	assert_int_equal(g->r12, in.gpr[VSGX_R12]);
	assert_int_equal(g->r13, in.gpr[VSGX_R13]);
	assert_int_equal(g->r14, in.gpr[VSGX_R14]);
	assert_int_equal(g->r15, in.gpr[VSGX_R15]);
	assert_int_equal(g->rflags, in.rflags);
	assert_int_equal(g->rip, in.rip);
	assert_int_equal(g->fsbase, in.fs.base);
	assert_int_equal(g->gsbase, in.gs.base);
	assert_int_equal(g->ursp, OUT_RSP);
	assert_int_equal(g->urbp, OUT_RBP);
	/* EXITINFO: valid, hardware exception, #UD. */
	assert_int_equal(g->exitinfo, (1u << 31) | (3u << 8) | X86_TRAP_UD);

	/* The frame's XSAVE area: the enclave's components, XSTATE_BV within XFRM. */
	inside_xsave(want);
	assert_int_equal(ld64(fx, XS_BV), EM_XFRM);
	assert_memory_equal(fx, want, 160);
	assert_int_equal(ld32(fx, XS_MXCSR), 0x1fa0);
	assert_memory_equal(fx + XS_XMM, want + XS_XMM, 256);
	assert_memory_equal(fx + XS_AVX, want + XS_AVX, 256);
	assert_true(all_bytes(fx + XS_XCOMP_BV, 56, 0));
	assert_true(all_bytes(fx + XS_PKRU, 8, 0));
	assert_int_equal(em_tcs(em)->cssa, 1);
	assert_int_equal(em_tcs(em)->state, 0);

	/* The synthetic state. */
	assert_int_equal(r.gpr[VSGX_RAX], SGX_ERESUME);
	assert_int_equal(r.gpr[VSGX_RBX], em_la(em, EM_TCS));
	assert_int_equal(r.gpr[VSGX_RCX], EM_AEP);
	assert_int_equal(r.rip, EM_AEP);
	assert_int_equal(r.gpr[VSGX_RSP], OUT_RSP);
	assert_int_equal(r.gpr[VSGX_RBP], OUT_RBP);
	assert_int_equal(r.gpr[VSGX_RDX], 0);
	for (unsigned int i = VSGX_RSI; i < VSGX_NR_GPRS; i++)
		assert_int_equal(r.gpr[i], 0);
	assert_int_equal(r.rflags, RFLAGS_1 | RFLAGS_IF);
	assert_memory_equal(&r.fs, &outside_fs, sizeof(outside_fs));
	assert_memory_equal(&r.gs, &outside_gs, sizeof(outside_gs));
	assert_int_equal(r.xcr0, EM_XCR0);
	assert_false(vsgx_cpu_enclave(em->f->cpu, NULL));

	/* The image: XFRM's components initial, PKRU untouched. */
	assert_int_equal(ld16(em->xsave, XS_FCW), 0x37f);
	assert_true(all_bytes(em->xsave + 2, XS_MXCSR - 2, 0));
	assert_true(all_bytes(em->xsave + 32, 128, 0));
	assert_int_equal(ld32(em->xsave, XS_MXCSR), 0x1f80);
	assert_int_equal(ld32(em->xsave, XS_MXCSR_MASK), 0xffff);
	assert_true(all_bytes(em->xsave + XS_XMM, 256, 0));
	assert_true(all_bytes(em->xsave + XS_AVX, 256, 0));
	assert_int_equal(ld64(em->xsave, XS_BV), SGX_XFRM_PKRU);
	assert_true(all_bytes(em->xsave + XS_PKRU, 8, 0x7c));

	/* Outside enclave mode there is nothing to exit. */
	assert_int_equal(vsgx_aex(em->f->cpu, &r, &em->xs, &ud, NULL), -EINVAL);
}

static void test_aex_exitinfo(void **state)
{
	struct emenv *em = *state;
	const struct hw_aex pf = { .vector = X86_TRAP_PF,
				   .error_code = X86_PF_WRITE | X86_PF_USER,
				   .addr = HWF_ENCL_BASE + 0x9876 };
	const struct hw_aex irq = { .vector = 0x20, .is_interrupt = true };
	const struct sgx_exinfo *ex;
	struct vsgx_regs r;

	/* #PF with MISCSELECT.EXINFO: EXITINFO and the MISC region. */
	enter_and_aex(em, &pf, &r);
	assert_int_equal(em_frame_gpr(em, 0)->exitinfo, (1u << 31) | (3u << 8) | X86_TRAP_PF);
	ex = (const struct sgx_exinfo *)em_frame_gpr(em, 0) - 1;
	assert_int_equal(ex->maddr, pf.addr);
	assert_int_equal(ex->errcd, pf.error_code);
	assert_int_equal(vsgx_aex_cr2(pf.addr), HWF_ENCL_BASE + 0x9000);
	assert_int_equal(vsgx_aex_cr2(0xfff), 0);

	/* An interrupt from the second frame: no EXITINFO. */
	enter_and_aex(em, &irq, &r);
	assert_int_equal(em_tcs(em)->cssa, 2);
	assert_int_equal(em_frame_gpr(em, 1)->exitinfo, 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_ERESUME);
}

/* ERESUME from the AEX's frame: the registers and the enclave's XSAVE state come back. */
static void test_eresume_restores(void **state)
{
	struct emenv *em = *state;
	const struct hw_aex ud = { .vector = X86_TRAP_UD };
	uint8_t want[EM_XSAVE_LEN];
	struct vsgx_regs in, r;
	unsigned int changed = 0;

	in = enter_and_aex(em, &ud, &r);
	/* The handler ran on another stack and comes back at the AEP's ENCLU. */
	r.gpr[VSGX_RSP] = OUT_RSP - 0x800;
	r.gpr[VSGX_RBP] = OUT_RBP - 0x800;
	r.gpr[VSGX_RDX] = 0x77;
	r.rip = EM_AEP + 3;
	r.rflags |= VSGX_RFLAGS_TF;
	st64(em->xsave, XS_PKRU, 0x1122334455667788ULL);
	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, &changed), 0);
	assert_int_equal(changed, VSGX_ENTERED | VSGX_XSAVE_CHANGED);
	for (unsigned int i = 0; i < VSGX_NR_GPRS; i++)
		assert_int_equal(r.gpr[i], in.gpr[i]);
	assert_int_equal(r.rip, in.rip);
	assert_int_equal(r.rflags, in.rflags);
	assert_enclave_segment(&r.fs, in.fs.base);
	assert_enclave_segment(&r.gs, in.gs.base);
	assert_int_equal(r.xcr0, EM_XFRM);
	assert_int_equal(em_tcs(em)->cssa, 0);
	assert_int_equal(em_tcs(em)->state, 1);
	/* The outside stack of this entry, for the next exit. */
	assert_int_equal(em_frame_gpr(em, 0)->ursp, OUT_RSP - 0x800);
	assert_int_equal(em_frame_gpr(em, 0)->urbp, OUT_RBP - 0x800);

	/* x87, SSE and AVX as the exit found them; PKRU is the CPU's own. */
	inside_xsave(want);
	assert_memory_equal(em->xsave, want, 160);
	assert_int_equal(ld32(em->xsave, XS_MXCSR), 0x1fa0);
	assert_int_equal(ld32(em->xsave, XS_MXCSR_MASK), 0xffff);
	assert_memory_equal(em->xsave + XS_XMM, want + XS_XMM, 256);
	assert_memory_equal(em->xsave + XS_AVX, want + XS_AVX, 256);
	assert_int_equal(ld64(em->xsave, XS_BV), SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_PKRU);
	assert_int_equal(ld64(em->xsave, XS_PKRU), 0x1122334455667788ULL);

	/* EEXIT goes back to the state before the ERESUME. */
	em_eexit(em, &r);
	assert_int_equal(r.gpr[VSGX_RCX], EM_AEP);
	assert_memory_equal(&r.fs, &outside_fs, sizeof(outside_fs));
	assert_int_equal(r.xcr0, EM_XCR0);
	assert_int_equal(r.rflags & VSGX_RFLAGS_TF, VSGX_RFLAGS_TF);
}

/* Components XSTATE_BV marks as initial are restored initial; MXCSR always comes back. */
static void test_eresume_initial_components(void **state)
{
	struct emenv *em = *state;
	const struct hw_aex ud = { .vector = X86_TRAP_UD };
	uint64_t bv_la = em_la(em, EM_SSA) + XS_BV;
	struct vsgx_regs r;

	enter_and_aex(em, &ud, &r);
	em_edbgwr(em, bv_la, SGX_XFRM_X87);
	memset(em->xsave + XS_XMM, 0xee, 256);
	memset(em->xsave + XS_AVX, 0xee, 256);
	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, NULL), 0);
	assert_int_equal(ld16(em->xsave, XS_FCW), 0x027f);
	assert_int_equal(ld32(em->xsave, XS_MXCSR), 0x1fa0);
	assert_true(all_bytes(em->xsave + XS_XMM, 256, 0));
	assert_true(all_bytes(em->xsave + XS_AVX, 256, 0));
	assert_int_equal(ld64(em->xsave, XS_BV), SGX_XFRM_X87 | SGX_XFRM_PKRU);
	em_eexit(em, &r);
}

/*
 * ERESUME with a frame XRSTOR refuses: #GP(0), nothing changed, the thread
 * still outside with CSSA 1; once the frame is mended it resumes.
 */
static void eresume_refused(struct emenv *em, size_t off, uint64_t bad)
{
	const struct hw_aex ud = { .vector = X86_TRAP_UD };
	uint64_t la = em_la(em, EM_SSA) + off, good;
	struct vsgx_regs r, before, in;
	unsigned int changed = 0xdead;
	uint8_t image[EM_XSAVE_LEN];

	in = enter_and_aex(em, &ud, &r);
	good = ld64(em_frame_xsave(em, 0), off);
	em_edbgwr(em, la, bad);
	before = r;
	memcpy(image, em->xsave, sizeof(image));
	assert_gp(em->f, vsgx_enclu(em->f->cpu, &r, &em->xs, &changed));
	assert_int_equal(changed, 0);
	assert_regs_equal(&r, &before);
	assert_memory_equal(em->xsave, image, sizeof(image));
	assert_false(vsgx_cpu_enclave(em->f->cpu, NULL));
	assert_int_equal(em_tcs(em)->cssa, 1);
	assert_int_equal(em_tcs(em)->state, 0);

	em_edbgwr(em, la, good);
	assert_int_equal(vsgx_enclu(em->f->cpu, &r, &em->xs, &changed), 0);
	assert_int_equal(changed, VSGX_ENTERED | VSGX_XSAVE_CHANGED);
	assert_int_equal(r.rip, in.rip);
	assert_int_equal(em_tcs(em)->cssa, 0);
	em_eexit(em, &r);
}

static void test_eresume_xrstor_checks(void **state)
{
	struct emenv *em = *state;

	/* XSTATE_BV with PKRU, which XFRM lacks. */
	eresume_refused(em, XS_BV, EM_XFRM | SGX_XFRM_PKRU);
	/* XCOMP_BV nonzero: a compacted image. */
	eresume_refused(em, XS_XCOMP_BV, (1ULL << 63) | EM_XFRM);
	/* The header's reserved bytes that standard-form XRSTOR checks (header bytes 23:16). */
	eresume_refused(em, XS_HDR_RSVD, 1);
	eresume_refused(em, XS_HDR_RSVD, 1ULL << 63);
	/* A reserved MXCSR bit (above the model's MXCSR_MASK, 0xffff). */
	eresume_refused(em, XS_MXCSR, 0x11fa0);
}

/* The access check at TLB fill, inside the enclave. */
static void test_access_inside_elrange(void **state)
{
	struct emenv *em = *state;
	struct hw_cpu *cpu = em->f->cpu;
	unsigned int prot = 0;
	void *host = NULL;
	uint64_t la = em_la(em, EM_RW), v = 0;
	struct vsgx_regs r;

	assert_int_equal(
	    vsgx_enclave_access(cpu, la, em_pa(em, EM_RW), VSGX_ACCESS_READ, &prot, &host),
	    -EINVAL);
	r = em_enter(em);

	/* A read maps the page without W, whatever the EPCM allows. */
	assert_int_equal(vsgx_enclave_access(cpu, la + 0x10, em_pa(em, EM_RW) + 0x10,
					     VSGX_ACCESS_READ, &prot, &host),
			 0);
	assert_int_equal(prot, VSGX_PROT_READ);
	assert_ptr_equal(host, em_bytes(em, em_pa(em, EM_RW)));
	assert_int_equal(
	    vsgx_enclave_access(cpu, la, em_pa(em, EM_RW), VSGX_ACCESS_WRITE, &prot, &host), 0);
	assert_int_equal(prot, VSGX_PROT_READ | VSGX_PROT_WRITE);
	assert_ptr_equal(host, em_bytes(em, em_pa(em, EM_RW)));
	/* A store through the mapping is what enclave code then reads. */
	st64(host, 0x10, 0xfeedfacecafef00dULL);
	assert_int_equal(hw_enclave_read(cpu, la + 0x10, &v, sizeof(v)), 0);
	assert_int_equal(v, 0xfeedfacecafef00dULL);
	/* And the other way round. */
	v = 0x0123456789abcdefULL;
	assert_int_equal(hw_enclave_write(cpu, la + 0x20, &v, sizeof(v)), 0);
	assert_int_equal(ld64(host, 0x20), v);

	assert_int_equal(vsgx_enclave_access(cpu, em_la(em, EM_CODE), em_pa(em, EM_CODE),
					     VSGX_ACCESS_FETCH, &prot, &host),
			 0);
	assert_int_equal(prot, VSGX_PROT_READ | VSGX_PROT_EXEC);
	assert_ptr_equal(host, em_bytes(em, em_pa(em, EM_CODE)));
	assert_int_equal(vsgx_enclave_access(cpu, em_la(em, EM_RO) + 0xfff, em_pa(em, EM_RO),
					     VSGX_ACCESS_READ, &prot, &host),
			 0);
	assert_int_equal(prot, VSGX_PROT_READ);
	em_eexit(em, &r);
}

/* EAUG of ELRANGE page (page) at its EPC page, through the register file. */
static void em_eaug(struct emenv *em, unsigned int page)
{
	struct vsgx_regs r;

	memset(em->f->pageinfo, 0, sizeof(*em->f->pageinfo));
	em->f->pageinfo->linaddr = em_la(em, page);
	em->f->pageinfo->secs = em->secs_pa;
	r = em_sregs(SGX_EAUG, hwf_la(em->f->pageinfo), em_pa(em, page), 0);
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_EAUG);
	em->mapped[page] = true;
}

/* An access the EPCM refuses: #PF at (la) with exactly (pfec). */
static void access_pf(struct emenv *em, uint64_t la, uint64_t pa, enum vsgx_access access,
		      uint32_t pfec)
{
	unsigned int prot = 0;
	void *host = NULL;

	assert_pf(em->f, vsgx_enclave_access(em->f->cpu, la, pa, access, &prot, &host), la);
	assert_int_equal(hw_cpu_fault(em->f->cpu)->error_code, pfec);
}

static void test_access_refused(void **state)
{
	struct emenv *em = *state;
	uint64_t aug_la = em_la(em, EM_AUG), other_pa = hwf_epc(em->f, EM_OTHER_PAGE);
	struct sgx_secs other;
	struct vsgx_regs r;

	/* Another enclave with a page at the same linear address as EM_RW. */
	hwf_secs_default(&other);
	assert_int_equal(hwf_ecreate(em->f, &other, hwf_epc(em->f, EM_OTHER_SECS)), SGX_SUCCESS);
	assert_int_equal(hwf_eadd(em->f, hwf_epc(em->f, EM_OTHER_SECS), other_pa, em_la(em, EM_RW),
				  SECINFO_RWX, NULL),
			 SGX_SUCCESS);
	/* A PENDING page: EAUG'd, not yet accepted. */
	em_eaug(em, EM_AUG);

	r = em_enter(em);
	access_pf(em, em_la(em, EM_RW) + 8, other_pa, VSGX_ACCESS_WRITE, PFEC_WRITE);
	access_pf(em, em_la(em, EM_RW), other_pa, VSGX_ACCESS_READ, PFEC_READ);
	/* The right enclave's page at the wrong linear address. */
	access_pf(em, em_la(em, EM_GS), em_pa(em, EM_RW), VSGX_ACCESS_READ, PFEC_READ);
	access_pf(em, aug_la + 0x800, em_pa(em, EM_AUG), VSGX_ACCESS_READ, PFEC_READ);
	access_pf(em, aug_la, em_pa(em, EM_AUG), VSGX_ACCESS_WRITE, PFEC_WRITE);
	/* The TCS and SSA pages: only the SSA is a regular page. */
	access_pf(em, em_la(em, EM_TCS), em_pa(em, EM_TCS), VSGX_ACCESS_READ, PFEC_READ);
	access_pf(em, em_la(em, EM_TCS) + 0x10, em_pa(em, EM_TCS), VSGX_ACCESS_WRITE, PFEC_WRITE);
	/* Rights the EPCM does not give. */
	access_pf(em, em_la(em, EM_RO) + 4, em_pa(em, EM_RO), VSGX_ACCESS_WRITE, PFEC_WRITE);
	access_pf(em, em_la(em, EM_RW), em_pa(em, EM_RW), VSGX_ACCESS_FETCH, PFEC_FETCH);
	access_pf(em, em_la(em, EM_CODE), em_pa(em, EM_CODE), VSGX_ACCESS_WRITE, PFEC_WRITE);
	/* Inside ELRANGE, memory that is not EPC. */
	access_pf(em, em_la(em, EM_RW), 0x1000, VSGX_ACCESS_READ, PFEC_READ);
	access_pf(em, em_la(em, EM_CODE), 0x1000, VSGX_ACCESS_FETCH, PFEC_FETCH);
	/* Still inside, and the refusals changed nothing. */
	assert_true(vsgx_cpu_enclave(em->f->cpu, NULL));
	assert_true(hwf_epcm(em->f, em_pa(em, EM_AUG)).pending);
	em_eexit(em, &r);
}

/* EAUG'd memory is refused at fill until EACCEPT, through the register file, takes it. */
static void test_eaccept_grants_access(void **state)
{
	struct emenv *em = *state;
	uint64_t aug_la = em_la(em, EM_AUG), aug_pa = em_pa(em, EM_AUG);
	uint64_t si_la = em_la(em, EM_RW) + 0x100;
	unsigned int prot = 0, changed = 0xdead;
	struct sgx_secinfo si;
	void *host = NULL;
	struct vsgx_regs r, u;

	em_eaug(em, EM_AUG);
	r = em_enter(em);
	access_pf(em, aug_la, aug_pa, VSGX_ACCESS_WRITE, PFEC_WRITE);
	memset(&si, 0, sizeof(si));
	si.flags = SECINFO_RW | SGX_SECINFO_PENDING;
	assert_int_equal(hw_enclave_write(em->f->cpu, si_la, &si, sizeof(si)), 0);
	u = r;
	u.gpr[VSGX_RAX] = SGX_EACCEPT;
	u.gpr[VSGX_RBX] = si_la;
	u.gpr[VSGX_RCX] = aug_la;
	u.rflags |= RFLAGS_ALU;
	assert_int_equal(vsgx_enclu(em->f->cpu, &u, &em->xs, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(u.gpr[VSGX_RAX], SGX_SUCCESS);
	assert_int_equal(u.rflags, RFLAGS_1 | RFLAGS_IF);
	assert_int_equal(u.rip, r.rip);
	assert_int_equal(u.gpr[VSGX_RBX], si_la);
	assert_int_equal(u.gpr[VSGX_RCX], aug_la);
	assert_memory_equal(&u.fs, &r.fs, sizeof(r.fs));
	assert_int_equal(u.xcr0, EM_XFRM);
	/* The rights EACCEPT granted are seen at the next fill. */
	assert_int_equal(vsgx_enclave_access(em->f->cpu, aug_la + 0x18, aug_pa + 0x18,
					     VSGX_ACCESS_WRITE, &prot, &host),
			 0);
	assert_int_equal(prot, VSGX_PROT_READ | VSGX_PROT_WRITE);
	assert_ptr_equal(host, em_bytes(em, aug_pa));
	/* A second EACCEPT of the page fails with ZF. */
	u.gpr[VSGX_RAX] = SGX_EACCEPT;
	assert_int_equal(vsgx_enclu(em->f->cpu, &u, &em->xs, &changed), 0);
	assert_int_equal(u.gpr[VSGX_RAX], SGX_PAGE_ATTRIBUTES_MISMATCH);
	assert_int_equal(u.rflags, RFLAGS_1 | RFLAGS_IF | HW_RFLAGS_ZF);
	em_eexit(em, &r);
}

static void test_access_outside_elrange(void **state)
{
	struct emenv *em = *state;
	struct hw_cpu *cpu = em->f->cpu;
	const uint64_t end = HWF_ENCL_BASE + HWF_ENCL_SIZE;
	unsigned int prot = 0xdead;
	void *host = NULL;
	struct vsgx_regs r = em_enter(em);

	/* Data accesses outside ELRANGE are the emulator's ordinary ones, even to EPC. */
	assert_int_equal(vsgx_enclave_access(cpu, 0x401000, 0x5000, VSGX_ACCESS_READ, &prot, &host),
			 1);
	assert_int_equal(
	    vsgx_enclave_access(cpu, end, em_pa(em, EM_RW), VSGX_ACCESS_WRITE, &prot, &host), 1);
	assert_int_equal(
	    vsgx_enclave_access(cpu, HWF_ENCL_BASE - 1, 0x5fff, VSGX_ACCESS_WRITE, &prot, &host),
	    1);
	/* Code outside ELRANGE never runs in enclave mode. */
	assert_gp(em->f,
		  vsgx_enclave_access(cpu, 0x401000, 0x5000, VSGX_ACCESS_FETCH, &prot, &host));
	assert_gp(em->f, vsgx_enclave_access(cpu, end, em_pa(em, EM_CODE), VSGX_ACCESS_FETCH, &prot,
					     &host));
	em_eexit(em, &r);
	assert_int_equal(vsgx_enclave_access(cpu, 0x401000, 0x5000, VSGX_ACCESS_READ, &prot, &host),
			 -EINVAL);
}

static void test_epc_written_notices(void **state)
{
	struct emenv *em = *state;
	const struct hw_aex irq = { .vector = 0x20, .is_interrupt = true };
	uint64_t other_secs = hwf_epc(em->f, EM_OTHER_SECS),
		 other_pa = hwf_epc(em->f, EM_OTHER_PAGE);
	struct sgx_secs other;
	struct vsgx_regs r;
	uint64_t rip;

	vsgx_processor_set_epc_written(em->f->p, em_written, em);

	/* ECREATE and EADD into the caller's memory, announced once the bytes are there. */
	hwf_secs_default(&other);
	assert_int_equal(hwf_ecreate(em->f, &other, other_secs), SGX_SUCCESS);
	memset(em->f->page, 0x99, SGX_PAGE_SIZE);
	em->nr_notices = 0;
	assert_int_equal(hwf_eadd(em->f, other_secs, other_pa, HWF_ENCL_BASE, SECINFO_RW, NULL),
			 SGX_SUCCESS);
	assert_int_equal(em->nr_notices, 1);
	assert_int_equal(em->notices[0].pa, other_pa);
	assert_int_equal(em->notices[0].len, SGX_PAGE_SIZE);
	assert_int_equal(em->notices[0].first, 0x99);
	assert_true(all_bytes(em_bytes(em, other_pa), SGX_PAGE_SIZE, 0x99));

	/* EAUG zeroes a page that held data. */
	memset(em->f->pageinfo, 0, sizeof(*em->f->pageinfo));
	em->f->pageinfo->linaddr = em_la(em, EM_AUG);
	em->f->pageinfo->secs = em->secs_pa;
	assert_int_equal(hw_eremove(em->f->cpu, other_pa), SGX_SUCCESS);
	em->nr_notices = 0;
	r = em_sregs(SGX_EAUG, hwf_la(em->f->pageinfo), other_pa, 0);
	assert_int_equal(em_encls(em, &r), 0);
	assert_int_equal(r.gpr[VSGX_RAX], SGX_EAUG);
	assert_int_equal(em_noticed(em, other_pa), 1);
	assert_int_equal(em->notices[0].first, 0);
	assert_true(all_bytes(em_bytes(em, other_pa), SGX_PAGE_SIZE, 0));

	/* EDBGWR. */
	em->nr_notices = 0;
	em_edbgwr(em, em_la(em, EM_RO) + 8, 0x4242424242424242ULL);
	assert_int_equal(em->nr_notices, 1);
	assert_int_equal(em_noticed(em, em_pa(em, EM_RO)), 1);
	assert_int_equal(ld64(em_bytes(em, em_pa(em, EM_RO)), 8), 0x4242424242424242ULL);

	/* An exit's SSA frame. */
	r = em_enter(em);
	em->nr_notices = 0;
	inside_state(&r);
	rip = r.rip;
	assert_int_equal(vsgx_aex(em->f->cpu, &r, &em->xs, &irq, NULL), 0);
	assert_true(em_noticed(em, em_pa(em, EM_SSA)) >= 1);
	for (unsigned int i = 0; i < em->nr_notices; i++)
		assert_int_equal(em->notices[i].pa, em_pa(em, EM_SSA));
	assert_int_equal(em_frame_gpr(em, 0)->rip, rip);

	/* NULL stops the notices. */
	vsgx_processor_set_epc_written(em->f->p, NULL, NULL);
	em->nr_notices = 0;
	em_edbgwr(em, em_la(em, EM_RO) + 16, 1);
	assert_int_equal(em->nr_notices, 0);
}

/*
 * A reset zeroes in the caller's memory every page the model wrote and every
 * page the emulator was given to write, and says so page by page.
 */
static void test_reset_zeroes_written_pages(void **state)
{
	struct emenv *em = *state;
	struct hw_cpu *cpu = em->f->cpu;
	uint64_t zero_pa = em_pa(em, EM_ZERO);
	unsigned int prot = 0;
	void *host = NULL;
	struct vsgx_regs r;
	struct hw_stats st;

	/* EM_ZERO was added as zeros: the model holds nothing for it yet. */
	assert_true(all_bytes(em_bytes(em, zero_pa), SGX_PAGE_SIZE, 0));
	r = em_enter(em);
	assert_int_equal(
	    vsgx_enclave_access(cpu, em_la(em, EM_ZERO), zero_pa, VSGX_ACCESS_WRITE, &prot, &host),
	    0);
	assert_ptr_equal(host, em_bytes(em, zero_pa));
	memset(host, 0xab, SGX_PAGE_SIZE);
	em_eexit(em, &r);

	vsgx_processor_set_epc_written(em->f->p, em_written, em);
	em->nr_notices = 0;
	hw_processor_reset(em->f->p);
	for (unsigned int i = 0; i < EM_PAGES; i++) {
		if (em->mapped[i])
			assert_true(all_bytes(em_bytes(em, em_pa(em, i)), SGX_PAGE_SIZE, 0));
	}
	assert_true(all_bytes(em->epc, EM_EPC_SIZE, 0));
	assert_int_equal(em_noticed(em, zero_pa), 1);
	assert_int_equal(em_noticed(em, em_pa(em, EM_RW)), 1);
	assert_int_equal(em_noticed(em, em_pa(em, EM_TCS)), 1);
	assert_int_equal(em_noticed(em, em_pa(em, EM_SSA)), 1);
	/* Each notice came after its page was zeroed; pages never written get none. */
	for (unsigned int i = 0; i < em->nr_notices; i++)
		assert_int_equal(em->notices[i].first, 0);
	assert_int_equal(em_noticed(em, hwf_epc(em->f, EM_FREE)), 0);
	hw_processor_stats(em->f->p, &st);
	assert_int_equal(st.valid_pages, 0);
	assert_int_equal(st.materialized, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		EM_TEST(test_library_basics),
		EM_TEST(test_encls_registers),
		EM_TEST(test_encls_gp_without_paging),
		EM_TEST(test_encls_walk_error_code),
		EM_TEST(test_eenter_state),
		EM_TEST(test_eenter_dbgoptin_keeps_tf),
		EM_TEST(test_eenter_mode_checks),
		vector_test(test_eenter_legacy_without_osxsave),
		EM_TEST(test_aex_frame_and_synthetic_state),
		EM_TEST(test_aex_exitinfo),
		EM_TEST(test_eresume_restores),
		EM_TEST(test_eresume_initial_components),
		EM_TEST(test_eresume_xrstor_checks),
		EM_TEST(test_access_inside_elrange),
		EM_TEST(test_access_refused),
		EM_TEST(test_eaccept_grants_access),
		EM_TEST(test_access_outside_elrange),
		EM_TEST(test_epc_written_notices),
		EM_TEST(test_reset_zeroes_written_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
