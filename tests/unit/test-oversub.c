// SPDX-License-Identifier: MIT
/*
 * The EPC Oversubscription Extensions (SDM Vol. 3D: ENCLV's EDECVIRTCHILD,
 * EINCVIRTCHILD, ESETCONTEXT; ENCLS's ERDINFO, ETRACKC, ELDBC, ELDUC):
 * enumeration (#UD where CPUID does not have them, ENCLV only in VMX root
 * operation), every outcome of each leaf's pseudocode with its exact code,
 * RFLAGS and fault, what ERDINFO writes, and VIRTCHILDCNT in a guest's
 * EREMOVE and EWB of a SECS. Conflicts are staged with hw_epcm_hold().
 *
 * The enclave needs no EINIT: SECS at EPC page 0, a regular RW page at
 * page 1 (ELRANGE base), a TCS at page 2, a VA page at page 3; page 9 stays
 * free. A second enclave's SECS is page 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw-fixture.h"

#define PG_SECS	 0
#define PG_REG	 1
#define PG_TCS	 2
#define PG_VA	 3
#define PG_SECS2 8
#define PG_FREE	 9

#define ALL_FLAGS                                                                                  \
	(HW_RFLAGS_CF | HW_RFLAGS_PF | HW_RFLAGS_AF | HW_RFLAGS_ZF | HW_RFLAGS_SF | HW_RFLAGS_OF)
#define PF_SGX_W (X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE)
#define PF_SGX_R (X86_PF_PROT | X86_PF_SGX)

struct ovenv {
	struct hwfix *f;
	struct hw_cpu *cpu;
	struct sgx_rdinfo *ri; /* 32-byte aligned */
	struct sgx_pcmd *pcmd; /* 128-byte aligned */
	uint8_t *blob;	       /* an encrypted page */
	uint64_t *ctx;	       /* ESETCONTEXT's operand */
	struct sgx_pageinfo *pi;
};

static uint64_t pg(const struct ovenv *v, unsigned int i)
{
	return hwf_epc(v->f, i);
}

static struct ovenv *ov_new(bool oversub)
{
	struct ovenv *v = calloc(1, sizeof(*v));
	struct hw_desc d;

	assert_non_null(v);
	hw_desc_init_default(&d);
	d.oversub = oversub;
	v->f = hwf_new(&d);
	v->cpu = v->f->cpu;
	v->ri = hwf_zalloc(32, sizeof(*v->ri));
	v->pcmd = hwf_zalloc(128, sizeof(*v->pcmd));
	v->blob = hwf_zalloc(SGX_PAGE_SIZE, SGX_PAGE_SIZE);
	v->ctx = hwf_zalloc(8, sizeof(*v->ctx));
	v->pi = hwf_zalloc(32, sizeof(*v->pi));
	hwf_ecreate_ok(v->f, pg(v, PG_SECS));
	assert_int_equal(hwf_eadd(v->f, pg(v, PG_SECS), pg(v, PG_REG), HWF_ENCL_BASE,
				  SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W, NULL),
			 SGX_SUCCESS);
	memset(v->f->page, 0, SGX_PAGE_SIZE);
	v->f->page[16] = 0; /* OSSA 0 */
	v->f->page[28] = 1; /* NSSA 1 */
	assert_int_equal(hwf_eadd(v->f, pg(v, PG_SECS), pg(v, PG_TCS),
				  HWF_ENCL_BASE + SGX_PAGE_SIZE, SGX_SECINFO_PT(SGX_PT_TCS), NULL),
			 SGX_SUCCESS);
	assert_int_equal(hw_epa(v->cpu, SGX_PT_VA, pg(v, PG_VA)), SGX_SUCCESS);
	hwf_ecreate_ok(v->f, pg(v, PG_SECS2));
	hw_cpu_set_vmx(v->cpu, HW_VMX_ROOT, false);
	return v;
}

static int ov_setup(void **state)
{
	*state = ov_new(true);
	return 0;
}

static int ov_teardown(void **state)
{
	struct ovenv *v = *state;

	hwf_free(v->f);
	free(v->ri);
	free(v->pcmd);
	free(v->blob);
	free(v->ctx);
	free(v->pi);
	free(v);
	return 0;
}

/* A leaf through the register interface, RFLAGS all set on entry; returns RFLAGS after. */
static uint64_t encls(struct ovenv *v, uint64_t leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx,
		      int want)
{
	struct hw_regs regs = { leaf, rbx, rcx, rdx, ALL_FLAGS | 0x202 };

	assert_int_equal(hw_encls(v->cpu, &regs), want);
	if (!hw_faulted(want))
		assert_int_equal(regs.rax, (uint64_t)want);
	return regs.rflags;
}

static uint64_t enclv(struct ovenv *v, uint64_t leaf, uint64_t rbx, uint64_t rcx, uint64_t rdx,
		      int want)
{
	struct hw_regs regs = { leaf, rbx, rcx, rdx, ALL_FLAGS | 0x202 };

	assert_int_equal(hw_enclv(v->cpu, &regs), want);
	if (!hw_faulted(want))
		assert_int_equal(regs.rax, (uint64_t)want);
	return regs.rflags;
}

static void assert_fault(struct ovenv *v, uint8_t vector, uint32_t ec, uint64_t addr)
{
	const struct hw_fault *f = hw_cpu_fault(v->cpu);

	assert_int_equal(f->vector, vector);
	assert_int_equal(f->error_code, ec);
	assert_int_equal(f->addr, addr);
}

static void hold(struct ovenv *v, unsigned int i)
{
	assert_int_equal(hw_epcm_hold(v->f->p, pg(v, i), true), 0);
}

static void let_go(struct ovenv *v, unsigned int i)
{
	assert_int_equal(hw_epcm_hold(v->f->p, pg(v, i), false), 0);
}

static uint64_t virtchildren(struct ovenv *v, unsigned int secs)
{
	return hwf_enclave(v->f, pg(v, secs)).virtchildren;
}

/* ---------------------------------------------------------------------- */
/* Enumeration                                                            */
/* ---------------------------------------------------------------------- */

static void test_cpuid(void **state)
{
	struct ovenv *v = *state, *off = ov_new(false);
	struct hw_cpuid_regs r;

	hw_cpuid(v->f->p, SGX_CPUID, 0, &r);
	assert_int_equal(r.eax & (CPUID_12_EAX_ENCLV | CPUID_12_EAX_ENCLS_C),
			 CPUID_12_EAX_ENCLV | CPUID_12_EAX_ENCLS_C);
	hw_cpuid(off->f->p, SGX_CPUID, 0, &r);
	assert_int_equal(r.eax & (CPUID_12_EAX_ENCLV | CPUID_12_EAX_ENCLS_C), 0);
	ov_teardown((void **)&off);
}

/*
 * The default part has no extensions: its ENCLS leaves are unsupported
 * leaves (#GP(0), as the SDM says), and ENCLV, an instruction it lacks, is
 * #UD even in VMX root operation.
 */
static void test_not_enumerated(void **state)
{
	struct ovenv *v = ov_new(false);
	struct hw_desc d;

	(void)state;
	hw_desc_init_default(&d);
	assert_false(d.oversub);
	for (unsigned int leaf = SGX_ERDINFO; leaf <= SGX_ELDUC; leaf++) {
		encls(v, leaf, hwf_la(v->ri), pg(v, PG_REG), 0, HW_FAULT(X86_TRAP_GP));
		assert_fault(v, X86_TRAP_GP, 0, 0);
	}
	for (unsigned int leaf = 0; leaf < 4; leaf++)
		enclv(v, leaf, pg(v, PG_REG), pg(v, PG_SECS), 0, HW_FAULT(X86_TRAP_UD));
	assert_int_equal(hw_eincvirtchild(v->cpu, pg(v, PG_REG), pg(v, PG_SECS)),
			 HW_FAULT(X86_TRAP_UD));
	assert_int_equal(hw_etrackc(v->cpu, pg(v, PG_REG)), HW_FAULT(X86_TRAP_GP));
	/* The next number past ELDUC is no leaf at all. */
	encls(v, SGX_ELDUC + 1, 0, 0, 0, HW_FAULT(X86_TRAP_GP));
	ov_teardown((void **)&v);
}

/* ENCLV: #UD outside VMX and in non-root operation; #GP for SGX off and unknown leaves. */
static void test_enclv_modes(void **state)
{
	struct ovenv *v = *state;
	struct hw_desc d;

	hw_cpu_set_vmx(v->cpu, HW_VMX_OFF, false);
	enclv(v, SGX_EINCVIRTCHILD, pg(v, PG_REG), pg(v, PG_SECS), 0, HW_FAULT(X86_TRAP_UD));
	hw_cpu_set_vmx(v->cpu, HW_VMX_NONROOT, true);
	enclv(v, SGX_EINCVIRTCHILD, pg(v, PG_REG), pg(v, PG_SECS), 0, HW_FAULT(X86_TRAP_UD));
	hw_cpu_set_vmx(v->cpu, HW_VMX_ROOT, false);
	enclv(v, SGX_ESETCONTEXT + 1, 0, 0, 0, HW_FAULT(X86_TRAP_GP));
	enclv(v, 0x100000000ULL | SGX_EINCVIRTCHILD, pg(v, PG_REG), pg(v, PG_SECS), 0, 0);
	assert_int_equal(virtchildren(v, PG_SECS), 1);
	/* A reset leaves VMX operation. */
	hw_processor_reset(v->f->p);
	enclv(v, SGX_ESETCONTEXT, 0, 0, 0, HW_FAULT(X86_TRAP_UD));

	/* Firmware that did not enable SGX: #GP(0) after the #UD checks. */
	hw_desc_init_default(&d);
	d.oversub = true;
	d.feature_control = FEAT_CTL_LOCKED;
	hwf_repower(v->f, &d);
	v->cpu = v->f->cpu;
	hw_cpu_set_vmx(v->cpu, HW_VMX_ROOT, false);
	enclv(v, SGX_EINCVIRTCHILD, 0, 0, 0, HW_FAULT(X86_TRAP_GP));
	encls(v, SGX_ERDINFO, 0, 0, 0, HW_FAULT(X86_TRAP_GP));
}

/* ---------------------------------------------------------------------- */
/* EINCVIRTCHILD / EDECVIRTCHILD                                          */
/* ---------------------------------------------------------------------- */

static void test_virtchild_counts(void **state)
{
	struct ovenv *v = *state;

	assert_int_equal(enclv(v, SGX_EINCVIRTCHILD, pg(v, PG_REG), pg(v, PG_SECS), 0, 0), 0x202);
	assert_int_equal(enclv(v, SGX_EINCVIRTCHILD, pg(v, PG_TCS), pg(v, PG_SECS), 0, 0), 0x202);
	/* The SECS itself names its own enclave. */
	assert_int_equal(hw_eincvirtchild(v->cpu, pg(v, PG_SECS), pg(v, PG_SECS)), 0);
	assert_int_equal(virtchildren(v, PG_SECS), 3);
	assert_int_equal(virtchildren(v, PG_SECS2), 0);
	assert_int_equal(enclv(v, SGX_EDECVIRTCHILD, pg(v, PG_REG), pg(v, PG_SECS), 0, 0), 0x202);
	assert_int_equal(hw_edecvirtchild(v->cpu, pg(v, PG_REG), pg(v, PG_SECS)), 0);
	assert_int_equal(hw_edecvirtchild(v->cpu, pg(v, PG_SECS), pg(v, PG_SECS)), 0);
	/* Underflow: SGX_INVALID_COUNTER with ZF, and the count stays at zero. */
	assert_int_equal(
	    enclv(v, SGX_EDECVIRTCHILD, pg(v, PG_REG), pg(v, PG_SECS), 0, SGX_INVALID_COUNTER),
	    0x202 | HW_RFLAGS_ZF);
	assert_int_equal(virtchildren(v, PG_SECS), 0);
}

static void test_virtchild_faults(void **state)
{
	struct ovenv *v = *state;
	uint64_t reg = pg(v, PG_REG), secs = pg(v, PG_SECS);

	/* RBX not 4 KiB aligned. */
	enclv(v, SGX_EINCVIRTCHILD, reg + 8, secs, 0, HW_FAULT(X86_TRAP_GP));
	/* RBX, then RCX, outside the EPC. */
	enclv(v, SGX_EINCVIRTCHILD, hwf_la(v->f->host), secs, 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_W, hwf_la(v->f->host));
	enclv(v, SGX_EDECVIRTCHILD, reg, hwf_la(v->f->host), 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_R, hwf_la(v->f->host));
	/* RBX busy: a code with ZF. */
	hold(v, PG_REG);
	assert_int_equal(enclv(v, SGX_EINCVIRTCHILD, reg, secs, 0, SGX_EPC_PAGE_CONFLICT),
			 0x202 | HW_RFLAGS_ZF);
	let_go(v, PG_REG);
	/* RBX invalid, or of no enclave (VA). */
	enclv(v, SGX_EINCVIRTCHILD, pg(v, PG_FREE), secs, 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_W, pg(v, PG_FREE));
	enclv(v, SGX_EDECVIRTCHILD, pg(v, PG_VA), secs, 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_W, pg(v, PG_VA));
	/* RCX not the page's SECS: another SECS, a child page, an unaligned address. */
	enclv(v, SGX_EINCVIRTCHILD, reg, pg(v, PG_SECS2), 0, HW_FAULT(X86_TRAP_GP));
	enclv(v, SGX_EINCVIRTCHILD, reg, reg, 0, HW_FAULT(X86_TRAP_GP));
	enclv(v, SGX_EINCVIRTCHILD, reg, secs + 8, 0, HW_FAULT(X86_TRAP_GP));
	assert_int_equal(virtchildren(v, PG_SECS), 0);
}

/* ---------------------------------------------------------------------- */
/* ESETCONTEXT                                                            */
/* ---------------------------------------------------------------------- */

static void test_esetcontext(void **state)
{
	struct ovenv *v = *state;
	uint64_t secs = pg(v, PG_SECS);

	/* ECREATE put the SECS's own address there. */
	assert_int_equal(hwf_enclave(v->f, secs).context, secs);
	*v->ctx = 0x123456000ULL;
	assert_int_equal(enclv(v, SGX_ESETCONTEXT, 0, secs, hwf_la(v->ctx), 0), 0x202);
	assert_int_equal(hwf_enclave(v->f, secs).context, 0x123456000ULL);

	enclv(v, SGX_ESETCONTEXT, 0, secs + 0x10, hwf_la(v->ctx), HW_FAULT(X86_TRAP_GP));
	enclv(v, SGX_ESETCONTEXT, 0, hwf_la(v->f->host), hwf_la(v->ctx), HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_R, hwf_la(v->f->host));
	enclv(v, SGX_ESETCONTEXT, 0, secs, hwf_la(v->ctx) + 4, HW_FAULT(X86_TRAP_GP));
	hold(v, PG_SECS);
	assert_int_equal(enclv(v, SGX_ESETCONTEXT, 0, secs, hwf_la(v->ctx), SGX_EPC_PAGE_CONFLICT),
			 0x202 | HW_RFLAGS_ZF);
	let_go(v, PG_SECS);
	enclv(v, SGX_ESETCONTEXT, 0, pg(v, PG_FREE), hwf_la(v->ctx), HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_R, pg(v, PG_FREE));
	enclv(v, SGX_ESETCONTEXT, 0, pg(v, PG_REG), hwf_la(v->ctx), HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_R, pg(v, PG_REG));
	/* The context operand unmapped: #PF at it, read. */
	hwf_unmap(v->f, hwf_la(v->ctx));
	enclv(v, SGX_ESETCONTEXT, 0, secs, hwf_la(v->ctx), HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, 0, hwf_la(v->ctx));
	assert_int_equal(hwf_enclave(v->f, secs).context, 0x123456000ULL);
}

/* ---------------------------------------------------------------------- */
/* ERDINFO                                                                */
/* ---------------------------------------------------------------------- */

static void rdinfo(struct ovenv *v, unsigned int page, uint64_t status, uint64_t flags,
		   uint64_t context)
{
	memset(v->ri, 0xee, sizeof(*v->ri));
	assert_int_equal(encls(v, SGX_ERDINFO, hwf_la(v->ri), pg(v, page), 0, 0), 0x202);
	assert_int_equal(v->ri->status, status);
	assert_int_equal(v->ri->flags, flags);
	assert_int_equal(v->ri->enclave_context, context);
	assert_int_equal(v->ri->reserved, 0);
}

static void test_erdinfo_pages(void **state)
{
	struct ovenv *v = *state;
	uint64_t secs = pg(v, PG_SECS);

	rdinfo(v, PG_REG, 0, SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W, secs);
	rdinfo(v, PG_TCS, 0, SGX_SECINFO_PT(SGX_PT_TCS), secs);
	rdinfo(v, PG_VA, 0, SGX_SECINFO_PT(SGX_PT_VA), 0);
	rdinfo(v, PG_SECS, SGX_RDINFO_CHILDPRESENT, SGX_SECINFO_PT(SGX_PT_SECS), secs);
	rdinfo(v, PG_SECS2, 0, SGX_SECINFO_PT(SGX_PT_SECS), pg(v, PG_SECS2));
	assert_int_equal(hw_eblock(v->cpu, pg(v, PG_REG)), SGX_SUCCESS);
	rdinfo(v, PG_REG, 0,
	       SGX_SECINFO_PT(SGX_PT_REG) | SGX_SECINFO_R | SGX_SECINFO_W | SGX_RDINFO_BLOCKED,
	       secs);
	/* A VMM's virtual children, and its own context value. */
	assert_int_equal(hw_eincvirtchild(v->cpu, pg(v, PG_SECS2), pg(v, PG_SECS2)), 0);
	*v->ctx = 0x7000;
	assert_int_equal(hw_esetcontext(v->cpu, pg(v, PG_SECS2), hwf_la(v->ctx)), 0);
	rdinfo(v, PG_SECS2, SGX_RDINFO_VIRTCHILDPRESENT, SGX_SECINFO_PT(SGX_PT_SECS), 0x7000);
	/* A guest under EPC virtualization sees them as children, and no SECS context. */
	hw_cpu_set_vmx(v->cpu, HW_VMX_NONROOT, true);
	rdinfo(v, PG_SECS2, SGX_RDINFO_CHILDPRESENT, SGX_SECINFO_PT(SGX_PT_SECS), 0);
	rdinfo(v, PG_SECS, SGX_RDINFO_CHILDPRESENT, SGX_SECINFO_PT(SGX_PT_SECS), 0);
	/* Without the VMCS control, a guest's view is the VMM's. */
	hw_cpu_set_vmx(v->cpu, HW_VMX_NONROOT, false);
	rdinfo(v, PG_SECS2, SGX_RDINFO_VIRTCHILDPRESENT, SGX_SECINFO_PT(SGX_PT_SECS), 0x7000);
}

static void test_erdinfo_outcomes(void **state)
{
	struct ovenv *v = *state;
	uint64_t ri = hwf_la(v->ri);

	memset(v->ri, 0xee, sizeof(*v->ri));
	/* Answers, not errors: CF=1, ZF=0; RDINFO untouched. */
	assert_int_equal(encls(v, SGX_ERDINFO, ri, hwf_la(v->f->host), 0, SGX_PG_NONEPC),
			 0x202 | HW_RFLAGS_CF);
	assert_int_equal(encls(v, SGX_ERDINFO, ri, pg(v, PG_FREE), 0, SGX_PG_INVLD),
			 0x202 | HW_RFLAGS_CF);
	hold(v, PG_REG);
	assert_int_equal(encls(v, SGX_ERDINFO, ri, pg(v, PG_REG), 0, SGX_EPC_PAGE_CONFLICT),
			 0x202 | HW_RFLAGS_ZF);
	let_go(v, PG_REG);
	assert_int_equal(v->ri->status, 0xeeeeeeeeeeeeeeeeULL);
	/* Faults. */
	encls(v, SGX_ERDINFO, ri + 16, pg(v, PG_REG), 0, HW_FAULT(X86_TRAP_GP));
	encls(v, SGX_ERDINFO, ri, pg(v, PG_REG) + 0x100, 0, HW_FAULT(X86_TRAP_GP));
	hwf_unmap(v->f, hwf_la(v->f->host));
	encls(v, SGX_ERDINFO, ri, hwf_la(v->f->host), 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, 0, hwf_la(v->f->host));
	hwf_unmap(v->f, ri);
	encls(v, SGX_ERDINFO, ri, pg(v, PG_REG), 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, X86_PF_WRITE, ri);
	/* An RDINFO in the EPC: the write is dropped, the leaf completes. */
	assert_int_equal(hw_erdinfo(v->cpu, pg(v, PG_FREE), pg(v, PG_REG)), SGX_SUCCESS);
}

/* ---------------------------------------------------------------------- */
/* ETRACKC                                                                */
/* ---------------------------------------------------------------------- */

static void test_etrackc(void **state)
{
	struct ovenv *v = *state;
	struct hw_cpu *cpu1 = hw_processor_cpu(v->f->p, 1);

	/* Through any page of the enclave, the SECS included. */
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_REG), 0, 0), 0x202);
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_SECS), 0, 0), 0x202);
	/* A thread inside at the last ETRACKC: the next cycle cannot start. */
	assert_int_equal(hw_cpu_enclave_enter_raw(cpu1, pg(v, PG_SECS)), 0);
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_TCS), 0, 0), 0x202);
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_TCS), 0, SGX_PREV_TRK_INCMPL),
			 0x202 | HW_RFLAGS_ZF);
	assert_int_equal(hw_etrack(v->cpu, pg(v, PG_SECS)), SGX_PREV_TRK_INCMPL);
	assert_int_equal(hw_cpu_enclave_exit_raw(cpu1), 0);
	assert_int_equal(hw_etrackc(v->cpu, pg(v, PG_REG)), SGX_SUCCESS);
	/* Pages of no enclave, invalid pages, busy pages and a busy SECS. */
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_VA), 0, SGX_TRACK_NOT_REQUIRED),
			 0x202 | HW_RFLAGS_CF);
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_FREE), 0, SGX_PG_INVLD),
			 0x202 | HW_RFLAGS_ZF);
	hold(v, PG_REG);
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_REG), 0, SGX_EPC_PAGE_CONFLICT),
			 0x202 | HW_RFLAGS_ZF);
	let_go(v, PG_REG);
	hold(v, PG_SECS);
	assert_int_equal(encls(v, SGX_ETRACKC, 0, pg(v, PG_REG), 0, SGX_EPC_PAGE_CONFLICT),
			 0x202 | HW_RFLAGS_ZF);
	/* ETRACK on the same busy SECS faults instead. */
	assert_int_equal(hw_etrack(v->cpu, pg(v, PG_SECS)), HW_FAULT(X86_TRAP_GP));
	let_go(v, PG_SECS);
	encls(v, SGX_ETRACKC, 0, pg(v, PG_REG) + 0x800, 0, HW_FAULT(X86_TRAP_GP));
	encls(v, SGX_ETRACKC, 0, hwf_la(v->f->host), 0, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_W, hwf_la(v->f->host));
}

/* ---------------------------------------------------------------------- */
/* ELDBC / ELDUC                                                          */
/* ---------------------------------------------------------------------- */

/* EBLOCK, ETRACKC, EWB of the regular page into VA slot 0: the VMM's eviction. */
static void evict_reg(struct ovenv *v)
{
	assert_int_equal(hw_eblock(v->cpu, pg(v, PG_REG)), SGX_SUCCESS);
	assert_int_equal(hw_etrackc(v->cpu, pg(v, PG_REG)), SGX_SUCCESS);
	memset(v->pi, 0, sizeof(*v->pi));
	v->pi->srcpge = hwf_la(v->blob);
	v->pi->secinfo = hwf_la(v->pcmd);
	assert_int_equal(hw_ewb(v->cpu, hwf_la(v->pi), pg(v, PG_REG), pg(v, PG_VA)), SGX_SUCCESS);
	assert_int_equal(hw_eincvirtchild(v->cpu, pg(v, PG_SECS), pg(v, PG_SECS)), 0);
}

static uint64_t eld(struct ovenv *v, unsigned int leaf, unsigned int target, int want)
{
	v->pi->linaddr = HWF_ENCL_BASE;
	v->pi->srcpge = hwf_la(v->blob);
	v->pi->secinfo = hwf_la(v->pcmd);
	v->pi->secs = pg(v, PG_SECS);
	return encls(v, leaf, hwf_la(v->pi), pg(v, target), pg(v, PG_VA), want);
}

static void test_eldc_conflicts(void **state)
{
	struct ovenv *v = *state;
	static const unsigned int busy[] = { PG_FREE, PG_VA, PG_SECS };

	evict_reg(v);
	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		hold(v, busy[i]);
		/* ELDB/ELDU fault; ELDBC/ELDUC answer with a code and ZF. */
		eld(v, SGX_ELDB, PG_FREE, HW_FAULT(X86_TRAP_GP));
		eld(v, SGX_ELDU, PG_FREE, HW_FAULT(X86_TRAP_GP));
		assert_int_equal(eld(v, SGX_ELDBC, PG_FREE, SGX_EPC_PAGE_CONFLICT),
				 0x202 | HW_RFLAGS_ZF);
		assert_int_equal(eld(v, SGX_ELDUC, PG_FREE, SGX_EPC_PAGE_CONFLICT),
				 0x202 | HW_RFLAGS_ZF);
		let_go(v, busy[i]);
		assert_false(hwf_epcm(v->f, pg(v, PG_FREE)).valid);
	}
	/* Everything else is ELDB/ELDU's: a valid target #PF, a bad MAC a code. */
	eld(v, SGX_ELDUC, PG_TCS, HW_FAULT(X86_TRAP_PF));
	assert_fault(v, X86_TRAP_PF, PF_SGX_W, pg(v, PG_TCS));
	v->blob[0] ^= 1;
	assert_int_equal(eld(v, SGX_ELDUC, PG_FREE, SGX_MAC_COMPARE_FAIL), 0x202 | HW_RFLAGS_ZF);
	v->blob[0] ^= 1;
	v->pi->secs = pg(v, PG_SECS) + 8;
	assert_int_equal(hw_elduc(v->cpu, hwf_la(v->pi), pg(v, PG_FREE), pg(v, PG_VA)),
			 HW_FAULT(X86_TRAP_GP));
}

static void test_eldbc_elduc_load(void **state)
{
	struct ovenv *v = *state;
	struct hw_epcm_info i;

	evict_reg(v);
	assert_int_equal(eld(v, SGX_ELDBC, PG_FREE, 0), 0x202);
	i = hwf_epcm(v->f, pg(v, PG_FREE));
	assert_true(i.valid && i.blocked && i.r && i.w && !i.x);
	assert_int_equal(i.enclave_address, HWF_ENCL_BASE);
	assert_int_equal(enclv(v, SGX_EDECVIRTCHILD, pg(v, PG_FREE), pg(v, PG_SECS), 0, 0), 0x202);

	/* Out again, and back unblocked with ELDUC. */
	assert_int_equal(hw_etrackc(v->cpu, pg(v, PG_FREE)), SGX_SUCCESS);
	v->pi->linaddr = v->pi->secs = 0;
	assert_int_equal(hw_ewb(v->cpu, hwf_la(v->pi), pg(v, PG_FREE), pg(v, PG_VA)), SGX_SUCCESS);
	assert_int_equal(eld(v, SGX_ELDUC, PG_REG, 0), 0x202);
	i = hwf_epcm(v->f, pg(v, PG_REG));
	assert_true(i.valid && !i.blocked);
	assert_int_equal(hwf_enclave(v->f, pg(v, PG_SECS)).children, 2);
}

/* ---------------------------------------------------------------------- */
/* VIRTCHILDCNT in EREMOVE and EWB of a SECS                              */
/* ---------------------------------------------------------------------- */

static void test_secs_virtchildren(void **state)
{
	struct ovenv *v = *state;
	uint64_t secs2 = pg(v, PG_SECS2);

	assert_int_equal(hw_eincvirtchild(v->cpu, secs2, secs2), 0);
	/* The guest, under EPC virtualization: a virtual child is a child. */
	hw_cpu_set_vmx(v->cpu, HW_VMX_NONROOT, true);
	assert_int_equal(encls(v, SGX_EREMOVE, 0, secs2, 0, SGX_CHILD_PRESENT),
			 0x202 | HW_RFLAGS_ZF);
	memset(v->pi, 0, sizeof(*v->pi));
	v->pi->srcpge = hwf_la(v->blob);
	v->pi->secinfo = hwf_la(v->pcmd);
	assert_int_equal(hw_ewb(v->cpu, hwf_la(v->pi), secs2, pg(v, PG_VA)), SGX_CHILD_PRESENT);
	assert_true(hwf_epcm(v->f, secs2).valid);
	/* The VMM itself is not fooled: its EWB of the SECS goes through. */
	hw_cpu_set_vmx(v->cpu, HW_VMX_ROOT, false);
	assert_int_equal(hw_ewb(v->cpu, hwf_la(v->pi), secs2, pg(v, PG_VA)), SGX_SUCCESS);
	assert_false(hwf_epcm(v->f, secs2).valid);
	/* Reloaded, the SECS keeps its count and gets its new address as context. */
	memset(v->pi, 0, sizeof(*v->pi));
	v->pi->srcpge = hwf_la(v->blob);
	v->pi->secinfo = hwf_la(v->pcmd);
	assert_int_equal(hw_elduc(v->cpu, hwf_la(v->pi), pg(v, PG_FREE), pg(v, PG_VA)), 0);
	assert_int_equal(virtchildren(v, PG_FREE), 1);
	assert_int_equal(hwf_enclave(v->f, pg(v, PG_FREE)).context, pg(v, PG_FREE));
	/* A guest without the control, and the VMM, remove it. */
	hw_cpu_set_vmx(v->cpu, HW_VMX_NONROOT, false);
	assert_int_equal(hw_eremove(v->cpu, pg(v, PG_FREE)), SGX_SUCCESS);
}

static void test_epcm_hold(void **state)
{
	struct ovenv *v = *state;

	assert_int_equal(hw_epcm_hold(v->f->p, hwf_la(v->f->host), true), -EINVAL);
	assert_int_equal(hw_epcm_hold(v->f->p, pg(v, PG_REG), false), -ENOENT);
	hold(v, PG_REG);
	assert_int_equal(hw_epcm_hold(v->f->p, pg(v, PG_REG), true), -EBUSY);
	assert_int_equal(hw_eremove(v->cpu, pg(v, PG_REG)), HW_FAULT(X86_TRAP_GP));
	let_go(v, PG_REG);
	assert_string_equal(hw_enclv_leaf_name(SGX_ESETCONTEXT), "ESETCONTEXT");
	assert_string_equal(hw_enclv_leaf_name(SGX_EDECVIRTCHILD), "EDECVIRTCHILD");
	assert_null(hw_enclv_leaf_name(SGX_ENCLV_LEAF_MAX));
}

#define OV_TEST(fn) cmocka_unit_test_setup_teardown(fn, ov_setup, ov_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		OV_TEST(test_cpuid),
		cmocka_unit_test(test_not_enumerated),
		OV_TEST(test_enclv_modes),
		OV_TEST(test_virtchild_counts),
		OV_TEST(test_virtchild_faults),
		OV_TEST(test_esetcontext),
		OV_TEST(test_erdinfo_pages),
		OV_TEST(test_erdinfo_outcomes),
		OV_TEST(test_etrackc),
		OV_TEST(test_eldc_conflicts),
		OV_TEST(test_eldbc_elduc_load),
		OV_TEST(test_secs_virtchildren),
		OV_TEST(test_epcm_hold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
