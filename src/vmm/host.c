/* SPDX-License-Identifier: MIT */
/* The host's processor from a one-line description (see <vsgx/vmm-config.h>). */
#include "vsgx/vmm-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm-int.h"

/*
 * Where section n goes: per-socket EPC, one socket every 4 GiB from 2 GiB,
 * as small parts have it; a section too large for that slot goes after the
 * one before it, at a multiple of its size rounded up to a power of two, as
 * firmware places the PRMRR that holds it (its base aligned to its size):
 * 512 GiB sockets at 512 GiB and 1 TiB.
 */
#define HOST_EPC_FIRST	0x80000000ULL
#define HOST_EPC_STRIDE (4ULL << 30)
#define HOST_WORD_MAX	64

static uint64_t host_pow2_at_least(uint64_t v)
{
	uint64_t p = SGX_PAGE_SIZE;

	while (p < v && p < (1ULL << 62))
		p <<= 1;
	return p;
}

static void host_set_sections_base(struct hw_desc *d)
{
	uint64_t end = 0;

	for (unsigned int i = 0; i < d->nr_sections; i++) {
		uint64_t align = host_pow2_at_least(d->sections[i].size);
		uint64_t base = HOST_EPC_FIRST + i * HOST_EPC_STRIDE;

		if (base < end)
			base = end;
		base = (base + align - 1) & ~(align - 1);
		d->sections[i].base = base;
		end = base + d->sections[i].size;
	}
}

static void host_set_feature_control(struct hw_desc *d, bool lehash_locked)
{
	d->feature_control = FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED;
	if (d->flc && !lehash_locked)
		d->feature_control |= FEAT_CTL_SGX_LC_ENABLED;
}

void vm_host_default(struct hw_desc *ret)
{
	hw_desc_init_default(ret);
	ret->nr_sections = 2;
	ret->sections[0].size = 128 * VM_MIB;
	ret->sections[0].node = 0;
	ret->sections[1].size = 128 * VM_MIB;
	ret->sections[1].node = 1;
	host_set_sections_base(ret);
	ret->nr_cpus = 4;
	ret->sgx2 = true;
	ret->flc = true;
	host_set_feature_control(ret, false);
}

uint64_t vm_host_epc_on(const struct hw_desc *d, uint64_t mask)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < d->nr_sections; i++)
		if (!mask || (mask >> d->sections[i].node & 1))
			sum += d->sections[i].size;
	return sum;
}

uint64_t vm_host_nodes(const struct hw_desc *d)
{
	uint64_t mask = 0;

	for (unsigned int i = 0; i < d->nr_sections; i++)
		mask |= 1ULL << d->sections[i].node;
	return mask;
}

/* epc=SIZE[@NODE] */
static int host_add_epc(struct hw_desc *d, bool *first, const char *val, char *why, size_t len)
{
	char size[HOST_WORD_MAX], *at;
	uint64_t bytes, node = 0;
	int r;

	if (*first) {
		d->nr_sections = 0;
		*first = false;
	}
	if (d->nr_sections == SGX_MAX_EPC_SECTIONS)
		return vm_why(why, len, "host: more than %d epc= sections; a processor has 1 to %d",
			      SGX_MAX_EPC_SECTIONS, SGX_MAX_EPC_SECTIONS);
	snprintf(size, sizeof(size), "%s", val);
	at = strchr(size, '@');
	if (at) {
		*at++ = '\0';
		if (vm_parse_uint(at, HW_MAX_NODES - 1, &node))
			return vm_why(why, len,
				      "host: epc=%s: node '%s' is not a number from 0 to %d", val,
				      at, HW_MAX_NODES - 1);
	}
	r = vm_parse_epc_size(size, 1, &bytes);
	/* 2^64 and more wraps nowhere: it is too large, not misaligned. */
	if (r == -ERANGE)
		return vm_why(why, len,
			      "host: epc=%s: the size is beyond the 52-bit physical address space, "
			      "e.g. epc=128M@0",
			      val);
	if (r || !bytes || bytes % SGX_PAGE_SIZE)
		return vm_why(
		    why, len,
		    "host: epc=%s: the size must be a nonzero multiple of 4 KiB, e.g. epc=128M@0",
		    val);
	d->sections[d->nr_sections].size = bytes;
	d->sections[d->nr_sections].node = (uint32_t)node;
	d->nr_sections++;
	return 0;
}

static int host_parse_bool(const char *key, const char *val, bool *ret, char *why, size_t len)
{
	if (!strcmp(val, "0") || !strcmp(val, "1")) {
		*ret = val[0] == '1';
		return 0;
	}
	return vm_why(why, len, "host: %s=%s: expected %s=0 or %s=1", key, val, key, key);
}

static int host_parse_word(struct hw_desc *d, bool *first, bool *locked, char *word, char *why,
			   size_t len)
{
	char *val = strchr(word, '=');
	uint64_t n;

	if (!val)
		return vm_why(why, len,
			      "host: '%s' is not KEY=VALUE; keys: epc, cpus, sgx2, flc, oversub, "
			      "lehash-locked",
			      word);
	*val++ = '\0';
	if (!strcmp(word, "epc"))
		return host_add_epc(d, first, val, why, len);
	if (!strcmp(word, "sgx2"))
		return host_parse_bool(word, val, &d->sgx2, why, len);
	if (!strcmp(word, "flc"))
		return host_parse_bool(word, val, &d->flc, why, len);
	if (!strcmp(word, "oversub"))
		return host_parse_bool(word, val, &d->oversub, why, len);
	if (!strcmp(word, "lehash-locked"))
		return host_parse_bool(word, val, locked, why, len);
	if (!strcmp(word, "cpus")) {
		if (vm_parse_uint(val, HW_MAX_CPUS, &n) || !n)
			return vm_why(why, len, "host: cpus=%s: expected 1 to %d CPUs", val,
				      HW_MAX_CPUS);
		d->nr_cpus = (unsigned int)n;
		return 0;
	}
	return vm_why(why, len,
		      "host: unknown key '%s'; keys: epc, cpus, sgx2, flc, oversub, lehash-locked",
		      word);
}

/* Copy the next word of (*p) into (word); false at the end of the text. */
static bool host_next_word(const char **p, char *word, size_t size, bool *too_long)
{
	const char *s = *p;
	size_t n = 0;

	for (;;) {
		s += strspn(s, " \t\r\n");
		if (*s != '#')
			break;
		s += strcspn(s, "\n");
	}
	if (!*s)
		return false;
	n = strcspn(s, " \t\r\n");
	*too_long = n >= size;
	snprintf(word, size, "%.*s", (int)n, s);
	*p = s + n;
	return true;
}

int vm_host_parse(const char *text, struct hw_desc *ret, char *why, size_t why_len)
{
	char word[HOST_WORD_MAX], reason[256];
	bool first = true, locked = false, too_long, any = false;
	struct hw_desc d;
	int r;

	vm_host_default(&d);
	while (host_next_word(&text, word, sizeof(word), &too_long)) {
		if (too_long)
			return vm_why(why, why_len, "host: '%s...' is too long", word);
		if (!any && !strcmp(word, "host")) {
			any = true;
			continue;
		}
		any = true;
		r = host_parse_word(&d, &first, &locked, word, why, why_len);
		if (r)
			return r;
	}
	host_set_sections_base(&d);
	host_set_feature_control(&d, locked);
	if (hw_desc_check(&d, reason, sizeof(reason)))
		return vm_why(why, why_len, "host: %s; check the epc= sizes", reason);
	*ret = d;
	return 0;
}
