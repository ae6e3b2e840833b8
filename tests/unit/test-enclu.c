// SPDX-License-Identifier: MIT
/*
 * Enclave threads (SDM Vol. 3D ch. 38, EENTER, ERESUME, EEXIT, and the
 * asynchronous exit of ch. 36): TCS STATE and CSSA, SSA frames, the thread
 * count EREMOVE checks, enclave-mode accesses and the ENCLU register
 * interface.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "encl-fixture.h"
#include "hw.h"

static void test_eenter_eexit(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;

	assert_int_equal(ef_enter(ef, cpu), 0);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 1);
	/* The same TCS is now in use: a second entry on another CPU is #GP. */
	struct hw_cpu *cpu1 = hw_processor_cpu(ef->f->p, 1);
	assert_int_equal(hw_eenter(cpu1, ef_la(ef, EF_TCS), EF_AEP, NULL), HW_FAULT(X86_TRAP_GP));
	/* EREMOVE of a child while a thread is inside. */
	assert_int_equal(hw_eremove(cpu1, ef_pa(ef, EF_DATA)), SGX_ENCLAVE_ACT);
	ef_exit(ef, cpu);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 0);
	assert_int_equal(hw_eremove(cpu1, ef_pa(ef, EF_DATA)), SGX_SUCCESS);
}

static void test_enclave_access(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	uint8_t b[8];

	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, EF_DATA), b, 8), -EINVAL);
	ef_enter(ef, cpu);
	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, EF_DATA + 1) + 5, b, 8), 0);
	assert_int_equal(b[0], EF_DATA + 1);
	memset(b, 0x5a, sizeof(b));
	assert_int_equal(hw_enclave_write(cpu, ef_la(ef, EF_DATA) + 4092, b, 8), 0);
	/* The TCS is not a regular page: enclave code cannot touch it. */
	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, EF_TCS), b, 8), HW_FAULT(X86_TRAP_PF));
	assert_int_equal(hw_cpu_fault(cpu)->addr, ef_la(ef, EF_TCS));
	assert_int_equal(hw_cpu_fault(cpu)->error_code, X86_PF_PROT | X86_PF_SGX);
	ef_exit(ef, cpu);
}

#define GPR_LA(ef, frame)                                                                          \
	(ef_la((ef), EF_SSA + (frame)) + SGX_PAGE_SIZE - sizeof(struct sgx_ssa_gpr))

static struct sgx_ssa_gpr some_gpr(void)
{
	struct sgx_ssa_gpr g;

	memset(&g, 0, sizeof(g));
	g.rax = 0x1111;
	g.rbx = 0x2222;
	g.rcx = 0x3333;
	g.rdx = 0x4444;
	g.r15 = 0xf15;
	g.rflags = 0x202;
	g.rip = HWF_ENCL_BASE + 0x3123;
	return g;
}

/* Read SSA frame (frame)'s GPR area from inside, through a fresh entry. */
static struct sgx_ssa_gpr frame_read(struct efenv *ef, struct hw_cpu *cpu, unsigned int frame,
				     struct sgx_exinfo *ex)
{
	struct sgx_ssa_gpr g;

	assert_int_equal(hw_enclave_read(cpu, GPR_LA(ef, frame), &g, sizeof(g)), 0);
	if (ex)
		assert_int_equal(
		    hw_enclave_read(cpu, GPR_LA(ef, frame) - sizeof(*ex), ex, sizeof(*ex)), 0);
	return g;
}

static void test_eenter_operand_faults(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	uint64_t tcs = ef_la(ef, EF_TCS);

	assert_gp(ef->f, hw_eenter(cpu, tcs + 8, EF_AEP, NULL));
	/* Not mapped: a not-present #PF on the TCS address. */
	assert_pf(ef->f, hw_eenter(cpu, ef_la(ef, 12), EF_AEP, NULL), ef_la(ef, 12));
	assert_int_equal(hw_cpu_fault(cpu)->error_code, X86_PF_WRITE);
	/* Not in the EPC at all. */
	assert_pf(ef->f, hw_eenter(cpu, hwf_la(ef->f->host), EF_AEP, NULL), hwf_la(ef->f->host));
	assert_int_equal(hw_cpu_fault(cpu)->error_code, X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE);
	/* A regular page is no TCS. */
	assert_pf(ef->f, hw_eenter(cpu, ef_la(ef, EF_DATA), EF_AEP, NULL), ef_la(ef, EF_DATA));
	assert_int_equal(hw_cpu_fault(cpu)->error_code, X86_PF_PROT | X86_PF_SGX | X86_PF_WRITE);
	/* The TCS's EPC page through the wrong linear address (its physical one). */
	assert_pf(ef->f, hw_eenter(cpu, ef_pa(ef, EF_TCS), EF_AEP, NULL), ef_pa(ef, EF_TCS));
	/* A non-canonical AEP. */
	assert_gp(ef->f, hw_eenter(cpu, tcs, 0x0000800000000000ULL, NULL));
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 0);
}

static void test_eenter_ssa_not_mapped(void **state)
{
	struct efenv *ef = *state;

	ef->mapped[EF_SSA] = false;
	assert_pf(ef->f, hw_eenter(ef->f->cpu, ef_la(ef, EF_TCS), EF_AEP, NULL), ef_la(ef, EF_SSA));
	assert_int_equal(hw_cpu_fault(ef->f->cpu)->error_code, X86_PF_WRITE);
	ef->mapped[EF_SSA] = true;
	assert_int_equal(ef_enter(ef, ef->f->cpu), 0);
}

static void test_eenter_inside_is_gp(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;

	ef_enter(ef, cpu);
	assert_gp(ef->f, hw_eenter(cpu, ef_la(ef, EF_TCS), EF_AEP, NULL));
	assert_gp(ef->f, hw_eresume(cpu, ef_la(ef, EF_TCS), EF_AEP, NULL));
	ef_exit(ef, cpu);
}

static void test_eexit_rules(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	uint64_t aep = 0;

	assert_gp(ef->f, hw_eexit(cpu, 0x400000, &aep));
	ef_enter(ef, cpu);
	assert_gp(ef->f, hw_eexit(cpu, 0x0000800000000000ULL, &aep));
	ef_exit(ef, cpu);
	/* A raw entry has no TCS to leave through. */
	assert_int_equal(hw_cpu_enclave_enter_raw(cpu, ef->secs_pa), 0);
	assert_gp(ef->f, hw_eexit(cpu, 0x400000, &aep));
	assert_int_equal(hw_cpu_enclave_exit_raw(cpu), 0);
}

static void test_aex_saves_frame_and_eresume_restores(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr(), got;
	struct hw_aex why = { .vector = X86_TRAP_PF, .error_code = 6, .addr = 0x10005008 };
	struct sgx_exinfo ex;

	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 0);
	/* The handler's entry sees CSSA 1 and the saved frame 0. */
	assert_int_equal(ef_enter(ef, cpu), 1);
	got = frame_read(ef, cpu, 0, &ex);
	assert_int_equal(got.rax, 0x1111);
	assert_int_equal(got.r15, 0xf15);
	assert_int_equal(got.rip, HWF_ENCL_BASE + 0x3123);
	assert_int_equal(got.exitinfo, (1u << 31) | (3u << 8) | X86_TRAP_PF);
	assert_int_equal(got.aexnotify, 0);
	assert_int_equal(ex.maddr, 0x10005008);
	assert_int_equal(ex.errcd, 6);
	ef_exit(ef, cpu);
	/* ERESUME pops the frame and hands its registers back. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(hw_eresume(cpu, ef_la(ef, EF_TCS), EF_AEP, &got), 0);
	assert_int_equal(got.rbx, 0x2222);
	assert_int_equal(got.rflags, 0x202);
	ef_exit(ef, cpu);
	assert_int_equal(ef_enter(ef, cpu), 0);
	ef_exit(ef, cpu);
}

static void test_aex_interrupt_has_no_exitinfo(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };

	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	assert_int_equal(ef_enter(ef, cpu), 1);
	assert_int_equal(frame_read(ef, cpu, 0, NULL).exitinfo, 0);
	ef_exit(ef, cpu);
}

static void test_aex_exitinfo_by_vector(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	static const struct {
		uint8_t vector;
		uint32_t exitinfo;
	} cases[] = {
		{ X86_TRAP_DE, (1u << 31) | (3u << 8) | X86_TRAP_DE },
		{ X86_TRAP_BP, (1u << 31) | (6u << 8) | X86_TRAP_BP },
		{ X86_TRAP_UD, (1u << 31) | (3u << 8) | X86_TRAP_UD },
		{ X86_TRAP_GP, (1u << 31) | (3u << 8) | X86_TRAP_GP },
		{ X86_TRAP_NM, 0 },
		{ 2 /* NMI */, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hw_aex why = { .vector = cases[i].vector };
		struct sgx_ssa_gpr got;

		ef_enter(ef, cpu);
		assert_int_equal(hw_aex(cpu, &g, &why), 0);
		assert_int_equal(ef_enter(ef, cpu), 1);
		got = frame_read(ef, cpu, 0, NULL);
		assert_int_equal(got.exitinfo, cases[i].exitinfo);
		ef_exit(ef, cpu);
		assert_int_equal(hw_eresume(cpu, ef_la(ef, EF_TCS), EF_AEP, NULL), 0);
		ef_exit(ef, cpu);
	}
}

static void test_aex_pf_without_exinfo(void **state)
{
	struct efenv *ef = ef_new(NULL, SGX_ATTR_DEBUG, 0, 2);
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = X86_TRAP_PF, .error_code = 4, .addr = 0x1234 };
	struct sgx_exinfo ex;

	(void)state;
	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	assert_int_equal(ef_enter(ef, cpu), 1);
	/* Without MISCSELECT.EXINFO, #PF is not reported and no MISC region is written. */
	assert_int_equal(frame_read(ef, cpu, 0, &ex).exitinfo, 0);
	assert_int_equal(ex.maddr, 0);
	assert_int_equal(ex.errcd, 0);
	ef_exit(ef, cpu);
	ef_free(ef);
}

static void test_cssa_limits(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };
	uint64_t tcs = ef_la(ef, EF_TCS);

	/* Nothing to resume yet. */
	assert_gp(ef->f, hw_eresume(cpu, tcs, EF_AEP, NULL));
	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	assert_int_equal(ef_enter(ef, cpu), 1);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	/* CSSA == NSSA: no frame left for another entry, but resuming is fine. */
	assert_gp(ef->f, hw_eenter(cpu, tcs, EF_AEP, NULL));
	assert_int_equal(hw_eresume(cpu, tcs, EF_AEP, NULL), 0);
	ef_exit(ef, cpu);
	assert_int_equal(hw_eresume(cpu, tcs, EF_AEP, NULL), 0);
	ef_exit(ef, cpu);
	assert_gp(ef->f, hw_eresume(cpu, tcs, EF_AEP, NULL));
}

/*
 * EDECCSSA pops the frame an AEX left without resuming from it: inside with
 * CSSA 1 (entered again after an exit), it brings CSSA back to 0, after which
 * a second EDECCSSA is #GP and an exit and a fresh entry find frame 0 free.
 */
static void test_edeccssa(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };
	struct hw_regs regs = { .rax = SGX_EDECCSSA };

	/* Outside an enclave it is #GP like the other leaves that run inside. */
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	ef_enter(ef, cpu);
	/* Nothing to pop at CSSA 0. */
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	assert_int_equal(ef_enter(ef, cpu), 1);
	regs = (struct hw_regs){ .rax = SGX_EDECCSSA, .rflags = 0x2 };
	assert_int_equal(hw_enclu(cpu, &regs), 0);
	/* No register or flag is written. */
	assert_int_equal(regs.rax, SGX_EDECCSSA);
	assert_int_equal(regs.rflags, 0x2);
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	ef_exit(ef, cpu);
	/* Frame 0 is free again: EENTER gives CSSA 0 and ERESUME has nothing. */
	assert_int_equal(ef_enter(ef, cpu), 0);
	ef_exit(ef, cpu);
	assert_gp(ef->f, hw_eresume(cpu, ef_la(ef, EF_TCS), EF_AEP, NULL));
}

/* A part without AEX-Notify has no EDECCSSA: the leaf is unknown (#GP). */
static void test_edeccssa_not_enumerated(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct hw_regs regs = { .rax = SGX_EDECCSSA };
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };

	/* The part is fixed at power-on; only the model's own test may change it. */
	ef->f->p->desc.attributes &= ~SGX_ATTR_AEXNOTIFY;
	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	assert_int_equal(ef_enter(ef, cpu), 1);
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	ef_exit(ef, cpu);
	ef->f->p->desc.attributes |= SGX_ATTR_AEXNOTIFY;
}

static void test_aex_outside_is_einval(void **state)
{
	struct efenv *ef = *state;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };

	assert_int_equal(hw_aex(ef->f->cpu, &g, &why), -EINVAL);
	assert_int_equal(hw_cpu_enclave_enter_raw(ef->f->cpu, ef->secs_pa), 0);
	assert_int_equal(hw_aex(ef->f->cpu, &g, &why), -EINVAL);
	assert_int_equal(hw_cpu_enclave_exit_raw(ef->f->cpu), 0);
}

static void test_aex_notify(void **state)
{
	struct efenv *ef = ef_new(NULL, SGX_ATTR_DEBUG | SGX_ATTR_AEXNOTIFY, SGX_MISC_EXINFO, 2);
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };
	struct hw_regs regs = { .rax = SGX_ERESUME, .rbx = ef_la(ef, EF_TCS), .rcx = EF_AEP };

	(void)state;
	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	/* ERESUME of an AEX-Notify thread enters afresh, leaving frame 0 in place. */
	assert_int_equal(hw_enclu(cpu, &regs), 0);
	assert_int_equal(regs.rax, 1);
	assert_int_equal(frame_read(ef, cpu, 0, NULL).aexnotify, 1);
	assert_int_equal(frame_read(ef, cpu, 0, NULL).rax, 0x1111);
	ef_exit(ef, cpu);
	assert_int_equal(ef_enter(ef, cpu), 1);
	ef_exit(ef, cpu);
	ef_free(ef);
}

static void test_enclu_registers(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	struct sgx_ssa_gpr g = some_gpr();
	struct hw_aex why = { .vector = 0x20, .is_interrupt = true };
	struct hw_regs regs = { .rax = (1ULL << 32) | SGX_EENTER,
				.rbx = ef_la(ef, EF_TCS),
				.rcx = EF_AEP };

	assert_int_equal(hw_enclu(cpu, &regs), 0);
	assert_int_equal(regs.rax, 0);
	regs = (struct hw_regs){ .rax = SGX_EENTER, .rbx = ef_la(ef, EF_TCS), .rcx = EF_AEP };
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	regs = (struct hw_regs){ .rax = SGX_EDECCSSA };
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	regs = (struct hw_regs){ .rax = 0x20 };
	assert_gp(ef->f, hw_enclu(cpu, &regs));
	regs = (struct hw_regs){ .rax = SGX_EEXIT, .rbx = 0x400000 };
	assert_int_equal(hw_enclu(cpu, &regs), 0);
	assert_int_equal(regs.rcx, EF_AEP);
	/* Outside, the leaves that run inside are #GP. */
	for (unsigned int leaf = SGX_EREPORT; leaf <= SGX_EACCEPTCOPY; leaf++) {
		if (leaf == SGX_EENTER || leaf == SGX_ERESUME)
			continue;
		regs = (struct hw_regs){ .rax = leaf };
		assert_gp(ef->f, hw_enclu(cpu, &regs));
	}
	/* ERESUME hands back the frame's RAX..RDX and RFLAGS. */
	ef_enter(ef, cpu);
	assert_int_equal(hw_aex(cpu, &g, &why), 0);
	regs = (struct hw_regs){ .rax = SGX_ERESUME, .rbx = ef_la(ef, EF_TCS), .rcx = EF_AEP };
	assert_int_equal(hw_enclu(cpu, &regs), 0);
	assert_int_equal(regs.rax, 0x1111);
	assert_int_equal(regs.rbx, 0x2222);
	assert_int_equal(regs.rcx, 0x3333);
	assert_int_equal(regs.rdx, 0x4444);
	assert_int_equal(regs.rflags, 0x202);
	ef_exit(ef, cpu);
}

/* SGX2's ENCLU leaves on a part without SGX2: unsupported leaves, #GP(0) as the SDM says. */
static void test_sgx2_enclu_gp_without_sgx2(void **state)
{
	struct hw_desc d;
	struct efenv *ef;
	struct hw_regs regs;

	(void)state;
	hw_desc_init_default(&d);
	d.sgx2 = false;
	ef = ef_new(&d, SGX_ATTR_DEBUG, 0, 1);
	ef_enter(ef, ef->f->cpu);
	for (unsigned int leaf = SGX_EACCEPT; leaf <= SGX_EACCEPTCOPY; leaf++) {
		regs = (struct hw_regs){ .rax = leaf };
		assert_gp(ef->f, hw_enclu(ef->f->cpu, &regs));
	}
	ef_exit(ef, ef->f->cpu);
	ef_free(ef);
}

static void test_enclu_needs_sgx_enabled(void **state)
{
	struct hw_desc d;
	struct hwfix *f;
	struct hw_regs regs = { .rax = SGX_EENTER, .rbx = 0x10000000 };

	(void)state;
	hw_desc_init_default(&d);
	d.feature_control = FEAT_CTL_LOCKED;
	f = hwf_new(&d);
	assert_gp(f, hw_enclu(f->cpu, &regs));
	assert_gp(f, hw_eenter(f->cpu, 0x10000000, 0, NULL));
	hwf_free(f);
}

static void test_two_threads_two_tcs(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *c0 = ef->f->cpu, *c1 = hw_processor_cpu(ef->f->p, 1);

	ef_enter(ef, c0);
	/* One TCS, one thread: a second entry through it is #GP until the first leaves. */
	assert_int_equal(hw_eenter(c1, ef_la(ef, EF_TCS), EF_AEP, NULL), HW_FAULT(X86_TRAP_GP));
	assert_int_equal(hw_cpu_fault(c1)->vector, X86_TRAP_GP);
	ef_exit(ef, c0);
	ef_enter(ef, c1);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 1);
	/* A raw thread on another CPU counts too. */
	assert_int_equal(hw_cpu_enclave_enter_raw(c0, ef->secs_pa), 0);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 2);
	assert_int_equal(hw_cpu_enclave_exit_raw(c0), 0);
	ef_exit(ef, c1);
	assert_int_equal(hwf_enclave(ef->f, ef->secs_pa).threads_inside, 0);
}

static void test_access_outside_elrange(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	uint64_t v = 0x1122334455667788ULL, got = 0;

	ef_enter(ef, cpu);
	/* Ordinary memory outside ELRANGE is reachable from enclave mode. */
	assert_int_equal(hw_enclave_write(cpu, hwf_la(ef->f->host), &v, 8), 0);
	assert_int_equal(hw_enclave_read(cpu, hwf_la(ef->f->host), &got, 8), 0);
	assert_int_equal(got, v);
	/* EPC outside ELRANGE is an abort page: reads all ones, writes vanish. */
	assert_int_equal(hw_enclave_write(cpu, ef_pa(ef, EF_DATA), &v, 8), 0);
	assert_int_equal(hw_enclave_read(cpu, ef_pa(ef, EF_DATA), &got, 8), 0);
	assert_int_equal(got, ~0ULL);
	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, EF_DATA), &got, 8), 0);
	assert_int_equal(got, 0x0303030303030303ULL);
	/* Unmapped ELRANGE page: not present. */
	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, 12), &got, 8), HW_FAULT(X86_TRAP_PF));
	assert_int_equal(hw_cpu_fault(cpu)->error_code, 0);
	ef_exit(ef, cpu);
}

static void test_reset_leaves_enclave_mode(void **state)
{
	struct efenv *ef = *state;
	struct hw_cpu *cpu = ef->f->cpu;
	uint8_t b;

	ef_enter(ef, cpu);
	hw_processor_reset(ef->f->p);
	assert_gp(ef->f, hw_eexit(cpu, 0x400000, NULL));
	assert_int_equal(hw_enclave_read(cpu, ef_la(ef, EF_DATA), &b, 1), -EINVAL);
	assert_int_equal(hwf_stats(ef->f).valid_pages, 0);
	/* The TCS is gone with the EPC: the same linear address is no TCS any more. */
	assert_pf(ef->f, hw_eenter(cpu, ef_la(ef, EF_TCS), EF_AEP, NULL), ef_la(ef, EF_TCS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		EF_TEST(test_eenter_eexit),
		EF_TEST(test_enclave_access),
		EF_TEST(test_eenter_operand_faults),
		EF_TEST(test_eenter_ssa_not_mapped),
		EF_TEST(test_eenter_inside_is_gp),
		EF_TEST(test_eexit_rules),
		EF_TEST(test_aex_saves_frame_and_eresume_restores),
		EF_TEST(test_aex_interrupt_has_no_exitinfo),
		EF_TEST(test_aex_exitinfo_by_vector),
		EF_TEST(test_aex_pf_without_exinfo),
		EF_TEST(test_cssa_limits),
		EF_TEST(test_edeccssa),
		EF_TEST(test_edeccssa_not_enumerated),
		EF_TEST(test_aex_outside_is_einval),
		EF_TEST(test_aex_notify),
		EF_TEST(test_enclu_registers),
		EF_TEST(test_sgx2_enclu_gp_without_sgx2),
		EF_TEST(test_enclu_needs_sgx_enabled),
		EF_TEST(test_two_threads_two_tcs),
		EF_TEST(test_access_outside_elrange),
		EF_TEST(test_reset_leaves_enclave_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
