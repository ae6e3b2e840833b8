/* SPDX-License-Identifier: MIT */
#include "vsgx/processor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"
#include "keys.h"
#include "vsgx/crypto.h"

/* CPUID encodes EPC addresses and sizes in 52 bits (EAX/ECX[31:12], EBX/EDX[19:0]). */
#define HW_EPC_ADDR_LIMIT (1ULL << 52)
/* ENCLAVESECS is a 32-bit EPCM index: at most 16 TiB of EPC. */
#define HW_MAX_PAGES (1ULL << 32)
/* XFRM bits whose XSAVE layout the model knows. */
#define HW_XFRM_KNOWN                                                                              \
	(SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_MPX | SGX_XFRM_AVX512 | SGX_XFRM_PKRU |         \
	 SGX_XFRM_AMX)

void hw_desc_init_default(struct hw_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->nr_sections = 1;
	d->sections[0].base = 0x80000000ULL;
	d->sections[0].size = 128ULL << 20;
	d->nr_cpus = 4;
	d->sgx2 = true;
	d->flc = true;
	d->feature_control = FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED;
	d->miscselect = SGX_MISC_EXINFO;
	d->attributes = SGX_ATTR_DEBUG | SGX_ATTR_MODE64BIT | SGX_ATTR_PROVISIONKEY |
			SGX_ATTR_EINITTOKENKEY | SGX_ATTR_KSS | SGX_ATTR_AEXNOTIFY;
	d->xfrm = SGX_XFRM_LEGACY | SGX_XFRM_AVX | SGX_XFRM_AVX512 | SGX_XFRM_PKRU;
	d->max_enclave_size_32 = 31;
	d->max_enclave_size_64 = 36;
	for (int i = 0; i < SGX_CPUSVN_SIZE; i++)
		d->cpusvn[i] = (uint8_t)(i < 2 ? 0x0e : 0x00);
	d->seed = 0x76736778; /* "vsgx" */
}

static int why_set(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int desc_check_section(const struct hw_desc *d, unsigned int i, char *why, size_t len)
{
	const struct hw_epc_section_desc *s = &d->sections[i];

	if (!s->size)
		return why_set(why, len, "EPC section %u is empty", i);
	if ((s->base | s->size) & ~SGX_PAGE_MASK)
		return why_set(why, len,
			       "EPC section %u (base 0x%llx, size 0x%llx) is not 4 KiB aligned", i,
			       (unsigned long long)s->base, (unsigned long long)s->size);
	if (s->base + s->size < s->base || s->base + s->size > HW_EPC_ADDR_LIMIT)
		return why_set(why, len,
			       "EPC section %u ends beyond the 52-bit physical address space", i);
	if ((uintptr_t)s->contents & ~(uintptr_t)SGX_PAGE_MASK)
		return why_set(why, len, "EPC section %u's contents are not 4 KiB aligned", i);
	if (s->node >= HW_MAX_NODES)
		return why_set(why, len, "EPC section %u is on node %u; nodes go up to %u", i,
			       s->node, HW_MAX_NODES - 1);
	for (unsigned int j = 0; j < i; j++) {
		const struct hw_epc_section_desc *o = &d->sections[j];

		if (s->base < o->base + o->size && o->base < s->base + s->size)
			return why_set(why, len, "EPC sections %u and %u overlap", j, i);
	}
	return 0;
}

static int desc_check_features(const struct hw_desc *d, char *why, size_t len)
{
	if ((d->xfrm & SGX_XFRM_LEGACY) != SGX_XFRM_LEGACY)
		return why_set(why, len, "XFRM 0x%llx lacks x87 and SSE (bits 0 and 1)",
			       (unsigned long long)d->xfrm);
	if (d->xfrm & ~HW_XFRM_KNOWN)
		return why_set(why, len, "XFRM 0x%llx has components the model does not know",
			       (unsigned long long)d->xfrm);
	if (d->attributes & SGX_ATTR_INIT)
		return why_set(why, len, "ATTRIBUTES.INIT cannot be a settable attribute");
	if (d->max_enclave_size_32 < 13 || d->max_enclave_size_32 > 32 ||
	    d->max_enclave_size_64 < 13 || d->max_enclave_size_64 > 63)
		return why_set(why, len, "maximum enclave sizes 2^%u / 2^%u are out of range",
			       d->max_enclave_size_32, d->max_enclave_size_64);
	if ((d->feature_control & FEAT_CTL_SGX_LC_ENABLED) && !d->flc)
		return why_set(why, len, "FEATURE_CONTROL.SGX_LC set on a part without FLC");
	return 0;
}

int hw_desc_check(const struct hw_desc *d, char *why, size_t why_len)
{
	uint64_t pages = 0;
	int r;

	if (d->nr_sections < 1 || d->nr_sections > SGX_MAX_EPC_SECTIONS)
		return why_set(why, why_len, "%u EPC sections; a processor has 1 to %u",
			       d->nr_sections, SGX_MAX_EPC_SECTIONS);
	for (unsigned int i = 0; i < d->nr_sections; i++) {
		r = desc_check_section(d, i, why, why_len);
		if (r)
			return r;
		pages += d->sections[i].size >> SGX_PAGE_SHIFT;
	}
	if (pages > HW_MAX_PAGES)
		return why_set(why, why_len, "%llu EPC pages; the model holds at most %llu",
			       (unsigned long long)pages, (unsigned long long)HW_MAX_PAGES);
	if (d->nr_cpus < 1 || d->nr_cpus > HW_MAX_CPUS)
		return why_set(why, why_len, "%u logical CPUs; a processor has 1 to %u", d->nr_cpus,
			       HW_MAX_CPUS);
	return desc_check_features(d, why, why_len);
}

static void processor_layout(struct hw_processor *p)
{
	uint64_t first = 0;

	p->nr_sections = p->desc.nr_sections;
	for (unsigned int i = 0; i < p->nr_sections; i++) {
		p->sections[i].base = p->desc.sections[i].base;
		p->sections[i].size = p->desc.sections[i].size;
		p->sections[i].node = p->desc.sections[i].node;
		p->sections[i].first = first;
		p->sections[i].pages = p->desc.sections[i].size >> SGX_PAGE_SHIFT;
		first += p->desc.sections[i].size >> SGX_PAGE_SHIFT;
	}
	p->nr_pages = first;
}

static void processor_power_on(struct hw_processor *p)
{

	for (unsigned int i = 0; i < p->desc.nr_cpus; i++) {
		struct hw_cpu *cpu = &p->cpus[i];

		memset(&cpu->fault, 0, sizeof(cpu->fault));
		cpu->pending_event = false;
		atomic_store(&cpu->feature_control, p->desc.feature_control);
		/* A reset takes every CPU out of enclave mode: the enclaves are gone. */
		cpu->inside = 0;
		cpu->tcs = 0;
		cpu->entry_epoch = 0;
		atomic_store(&cpu->track_slot, 0);
		cpu->aep = 0;
		cpu->gpr_idx = 0;
		/* A reset leaves VMX operation: the VMM must enter it again. */
		cpu->vmx = HW_VMX_OFF;
		cpu->epc_virt = false;
		hw_msr_power_on(cpu);
	}
	hw_keys_boot(p);
}

int hw_processor_create(const struct hw_desc *d, struct hw_processor **ret)
{
	struct hw_processor *p;
	int r;

	r = hw_desc_check(d, NULL, 0);
	if (r)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->desc = *d;
	processor_layout(p);
	/* Aligned: each CPU's tracking record is on a line of its own. */
	p->cpus = aligned_alloc(_Alignof(struct hw_cpu), d->nr_cpus * sizeof(*p->cpus));
	if (!p->cpus)
		goto err_free;
	memset(p->cpus, 0, d->nr_cpus * sizeof(*p->cpus));
	for (unsigned int i = 0; i < d->nr_cpus; i++) {
		p->cpus[i].proc = p;
		p->cpus[i].index = i;
		hw_cpu_set_addr_space(&p->cpus[i], NULL);
	}
	r = epcm_create(p);
	if (r)
		goto err_free;
	atomic_store(&p->next_eid, 1);
	atomic_store(&p->next_version, 1);
	hw_keys_power_on(p);
	processor_power_on(p);
	*ret = p;
	return 0;

err_free:
	free(p->cpus);
	free(p);
	return -ENOMEM;
}

void hw_processor_destroy(struct hw_processor *p)
{
	if (!p)
		return;
	epcm_destroy(p);
	for (unsigned int i = 0; i < p->desc.nr_cpus; i++) {
		crypto_gcm_free(p->cpus[i].gcm);
		hw_keys_cpu_free(&p->cpus[i]);
	}
	free(p->cpus);
	free(p);
}

void hw_processor_reset(struct hw_processor *p)
{
	epcm_clear(p);
	processor_power_on(p);
}

const struct hw_desc *hw_processor_desc(const struct hw_processor *p)
{
	return &p->desc;
}

unsigned int hw_processor_nr_cpus(const struct hw_processor *p)
{
	return p->desc.nr_cpus;
}

struct hw_cpu *hw_processor_cpu(struct hw_processor *p, unsigned int index)
{
	return index < p->desc.nr_cpus ? &p->cpus[index] : NULL;
}

struct hw_processor *hw_cpu_processor(const struct hw_cpu *cpu)
{
	return cpu->proc;
}

unsigned int hw_cpu_index(const struct hw_cpu *cpu)
{
	return cpu->index;
}

unsigned int hw_processor_nr_sections(const struct hw_processor *p)
{
	return p->nr_sections;
}

const struct hw_epc_section_desc *hw_processor_section(const struct hw_processor *p,
						       unsigned int index)
{
	return index < p->nr_sections ? &p->desc.sections[index] : NULL;
}

uint64_t hw_processor_nr_pages(const struct hw_processor *p)
{
	return p->nr_pages;
}

static void cpuid_epc_section(const struct hw_processor *p, unsigned int i, struct hw_cpuid_regs *r)
{
	const struct hw_section *s = &p->sections[i];

	r->eax = (uint32_t)(s->base & 0xfffff000u) | SGX_CPUID_EPC_SECTION;
	r->ebx = (uint32_t)(s->base >> 32) & 0xfffffu;
	r->ecx = (uint32_t)(s->size & 0xfffff000u) | SGX_CPUID_EPC_CONF_INTEGRITY;
	r->edx = (uint32_t)(s->size >> 32) & 0xfffffu;
}

static void cpuid_sgx(const struct hw_processor *p, uint32_t subleaf, struct hw_cpuid_regs *r)
{
	const struct hw_desc *d = &p->desc;

	/* Firmware enables SGX on every logical CPU; the first one speaks for all. */
	if (!(atomic_load(&p->cpus[0].feature_control) & FEAT_CTL_SGX_ENABLED))
		return;
	if (subleaf == 0) {
		r->eax = CPUID_12_EAX_SGX1 | (d->sgx2 ? CPUID_12_EAX_SGX2 : 0);
		/* AEX-Notify comes with EDECCSSA, which pops the frames it leaves. */
		if (d->attributes & SGX_ATTR_AEXNOTIFY)
			r->eax |= CPUID_12_EAX_EDECCSSA;
		/* The oversubscription extensions: ENCLV (bit 5) and ENCLS's (bit 6). */
		if (d->oversub)
			r->eax |= CPUID_12_EAX_ENCLV | CPUID_12_EAX_ENCLS_C;
		r->ebx = d->miscselect;
		r->edx = d->max_enclave_size_32 | (uint32_t)d->max_enclave_size_64 << 8;
	} else if (subleaf == 1) {
		r->eax = (uint32_t)d->attributes;
		r->ebx = (uint32_t)(d->attributes >> 32);
		r->ecx = (uint32_t)d->xfrm;
		r->edx = (uint32_t)(d->xfrm >> 32);
	} else if (subleaf - SGX_CPUID_EPC < p->nr_sections) {
		cpuid_epc_section(p, subleaf - SGX_CPUID_EPC, r);
	}
}

void hw_cpuid(struct hw_processor *p, uint32_t leaf, uint32_t subleaf, struct hw_cpuid_regs *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (leaf == 7 && subleaf == 0) {
		ret->ebx = CPUID_7_EBX_SGX;
		ret->ecx = p->desc.flc ? CPUID_7_ECX_SGX_LC : 0;
	} else if (leaf == SGX_CPUID) {
		cpuid_sgx(p, subleaf, ret);
	}
}

void hw_cpu_set_control(struct hw_cpu *cpu, bool mode64, uint64_t cr0, uint64_t cr4, uint64_t xcr0)
{
	cpu->ctl_set = true;
	cpu->mode64 = mode64;
	cpu->cr0 = cr0;
	cpu->cr4 = cr4;
	cpu->xcr0 = xcr0;
}

void hw_cpu_clear_control(struct hw_cpu *cpu)
{
	cpu->ctl_set = false;
}

int hw_epc_poison(struct hw_processor *p, uint64_t pa)
{
	struct hw_epcm_entry *e;
	uint64_t idx;

	if (!epcm_index(p, pa, &idx))
		return -EINVAL;
	e = epcm_entry(p, idx);
	/* Under the busy bit, as only a holder rewrites the busy byte's bits. */
	if (!epcm_trylock(e))
		return -EBUSY;
	epcm_poison(e);
	epcm_unlock(e);
	return 0;
}

int hw_epcm_query(struct hw_processor *p, uint64_t pa, struct hw_epcm_info *ret)
{
	const struct hw_epcm_entry *e;
	uint64_t idx;

	if (!epcm_index(p, pa, &idx))
		return -EINVAL;
	e = epcm_entry(p, idx);
	memset(ret, 0, sizeof(*ret));
	ret->poisoned = epcm_poisoned(e);
	ret->valid = e->flags & EPCM_VALID;
	if (!ret->valid)
		return 0;
	ret->r = e->flags & EPCM_R;
	ret->w = e->flags & EPCM_W;
	ret->x = e->flags & EPCM_X;
	ret->blocked = e->flags & EPCM_BLOCKED;
	ret->pending = e->flags & EPCM_PENDING;
	ret->modified = e->flags & EPCM_MODIFIED;
	ret->pr = e->flags & EPCM_PR;
	ret->pt = e->pt;
	if (epcm_is_child_type(e->pt)) {
		ret->enclave_address = epcm_linaddr(e);
		ret->secs_pa = epcm_pa(p, e->secs);
	}
	return 0;
}

int hw_enclave_query(struct hw_processor *p, uint64_t secs_pa, struct hw_enclave_info *ret)
{
	const struct hw_epcm_entry *e;
	const struct hw_enclave *encl;
	uint64_t idx;

	if (!epcm_index(p, secs_pa, &idx))
		return -EINVAL;
	e = epcm_entry(p, idx);
	if (!(e->flags & EPCM_VALID) || e->pt != SGX_PT_SECS)
		return -EINVAL;
	encl = epcm_enclave(e);
	memset(ret, 0, sizeof(*ret));
	ret->eid = encl->eid;
	ret->initialized = encl->secs.attributes.flags & SGX_ATTR_INIT;
	ret->children = atomic_load(&encl->children);
	ret->threads_inside = hw_track_inside(encl);
	ret->measurement_blocks = encl->mr_blocks;
	ret->attributes = encl->secs.attributes;
	memcpy(ret->mrenclave, encl->secs.mrenclave, sizeof(ret->mrenclave));
	memcpy(ret->mrsigner, encl->secs.mrsigner, sizeof(ret->mrsigner));
	ret->isv_prod_id = encl->secs.isv_prod_id;
	ret->isv_svn = encl->secs.isv_svn;
	ret->virtchildren = atomic_load(&encl->virtchildren);
	ret->context = atomic_load(&encl->context);
	return 0;
}

void hw_processor_stats(struct hw_processor *p, struct hw_stats *ret)
{
	ret->nr_pages = p->nr_pages;
	ret->valid_pages = atomic_load(&p->valid_pages);
	ret->materialized = atomic_load(&p->materialized);
	ret->enclaves = atomic_load(&p->enclaves);
	ret->epcm_entry_bytes = sizeof(struct hw_epcm_entry);
}
