/* SPDX-License-Identifier: MIT */
/* Debugger access to debug enclaves: EDBGRD and EDBGWR. In progress (issue 3). */
#include "epcm.h"
#include "hw.h"

int hw_edbgrd(struct hw_cpu *cpu, uint64_t addr, uint64_t *data)
{
	(void)addr, (void)data;
	return hw_fault_gp(cpu);
}

int hw_edbgwr(struct hw_cpu *cpu, uint64_t addr, uint64_t data)
{
	(void)addr, (void)data;
	return hw_fault_gp(cpu);
}
