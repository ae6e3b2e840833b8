/* SPDX-License-Identifier: MIT */
/*
 * XSAVE images in the standard (non-compacted) format, as an SSA frame holds
 * them: what an asynchronous exit saves, what ERESUME checks and restores.
 * Offsets are those CPUID leaf 0xD gives for the standard format; they are
 * architectural for every component the model knows.
 */
#include <string.h>

#include "hw.h"

#define XSAVE_LEGACY_SIZE 576 /* legacy region + XSAVE header */
#define XSAVE_MXCSR	  24
#define XSAVE_HEADER	  512
#define XSAVE_XCOMP_BV	  (XSAVE_HEADER + 8)
#define XSAVE_HDR_RSVD	  (XSAVE_HEADER + 16)

/* The model's MXCSR_MASK: every bit up to DAZ; the upper half is reserved. */
#define MXCSR_MASK    0xffffu
#define MXCSR_DEFAULT 0x1f80u
#define FCW_DEFAULT   0x037fu

/* Standard-format XSAVE offset and size of each component past SSE. */
static const struct {
	uint64_t bit;
	uint32_t offset, size;
} xsave_layout[] = {
	{ SGX_XFRM_AVX, 576, 256 },	   { SGX_XFRM_BNDREGS, 960, 64 },
	{ SGX_XFRM_BNDCSR, 1024, 64 },	   { SGX_XFRM_OPMASK, 1088, 64 },
	{ SGX_XFRM_ZMM_HI256, 1152, 512 }, { SGX_XFRM_HI16_ZMM, 1664, 1024 },
	{ SGX_XFRM_PKRU, 2688, 8 },	   { SGX_XFRM_TILECFG, 2752, 64 },
	{ SGX_XFRM_TILEDATA, 2816, 8192 },
};

#define NR_LAYOUT (sizeof(xsave_layout) / sizeof(xsave_layout[0]))

uint64_t hw_xsave_size(uint64_t xfrm)
{
	uint64_t size = XSAVE_LEGACY_SIZE;

	for (size_t i = 0; i < NR_LAYOUT; i++) {
		uint64_t end = xsave_layout[i].offset + xsave_layout[i].size;

		if ((xfrm & xsave_layout[i].bit) && end > size)
			size = end;
	}
	return size;
}

static uint64_t load64(const uint8_t *img, size_t off)
{
	uint64_t v;

	memcpy(&v, img + off, sizeof(v));
	return v;
}

static void store64(uint8_t *img, size_t off, uint64_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

/*
 * XRSTOR's #GP conditions for a standard-format image: header bytes 23:8
 * zero (XCOMP_BV, whose bit 63 would ask for the compacted form, and the
 * next 8 bytes; the rest of the header is not checked), no XSTATE_BV bit
 * outside the requested features, and no reserved MXCSR bit set (MXCSR is
 * loaded whenever SSE or AVX is requested, which XFRM always does).
 */
bool hw_xsave_valid(const uint8_t *img, uint64_t xfrm)
{
	uint32_t mxcsr;

	if (load64(img, XSAVE_XCOMP_BV) != 0)
		return false;
	if (load64(img, XSAVE_HEADER) & ~xfrm)
		return false;
	if (load64(img, XSAVE_HDR_RSVD) != 0)
		return false;
	memcpy(&mxcsr, img + XSAVE_MXCSR, sizeof(mxcsr));
	return (mxcsr & ~MXCSR_MASK) == 0;
}

/* The x87 and SSE state in their initial configuration (FINIT's, and MXCSR's default). */
static void legacy_init(uint8_t *img)
{
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT, mask;

	/* The legacy region's MXCSR_MASK field says what the CPU reports; keep it. */
	memcpy(&mask, img + XSAVE_MXCSR + 4, sizeof(mask));
	memset(img, 0, 512);
	memcpy(img, &fcw, sizeof(fcw));
	memcpy(img + XSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	memcpy(img + XSAVE_MXCSR + 4, &mask, sizeof(mask));
}

void hw_xsave_init(uint8_t *dst, uint64_t xfrm)
{
	/* XFRM always holds x87 and SSE: the legacy region is the enclave's. */
	legacy_init(dst);
	for (size_t i = 0; i < NR_LAYOUT; i++) {
		if (xfrm & xsave_layout[i].bit)
			memset(dst + xsave_layout[i].offset, 0, xsave_layout[i].size);
	}
	store64(dst, XSAVE_HEADER, load64(dst, XSAVE_HEADER) & ~xfrm);
}

void hw_xsave_merge(uint8_t *dst, const uint8_t *src, uint64_t xfrm)
{
	uint64_t bv = load64(src, XSAVE_HEADER) & xfrm;
	uint32_t mask;

	/* MXCSR comes with SSE whatever XSTATE_BV says; x87 follows bit 0. */
	memcpy(&mask, dst + XSAVE_MXCSR + 4, sizeof(mask));
	if (bv & SGX_XFRM_X87) {
		memcpy(dst, src, 160);
	} else {
		uint8_t init[512] = { 0 };
		uint16_t fcw = FCW_DEFAULT;

		memcpy(init, &fcw, sizeof(fcw));
		memcpy(dst, init, XSAVE_MXCSR);
		memcpy(dst + 32, init + 32, 128);
	}
	memcpy(dst + XSAVE_MXCSR, src + XSAVE_MXCSR, 4);
	memcpy(dst + XSAVE_MXCSR + 4, &mask, sizeof(mask));
	if (bv & SGX_XFRM_SSE)
		memcpy(dst + 160, src + 160, 256);
	else
		memset(dst + 160, 0, 256);
	for (size_t i = 0; i < NR_LAYOUT; i++) {
		size_t off = xsave_layout[i].offset, size = xsave_layout[i].size;

		if (!(xfrm & xsave_layout[i].bit))
			continue;
		if (bv & xsave_layout[i].bit)
			memcpy(dst + off, src + off, size);
		else
			memset(dst + off, 0, size);
	}
	store64(dst, XSAVE_HEADER, (load64(dst, XSAVE_HEADER) & ~xfrm) | bv);
}
