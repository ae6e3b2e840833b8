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

int main(void)
{
	const struct CMUnitTest tests[] = {
		EF_TEST(test_eenter_eexit),
		EF_TEST(test_enclave_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
