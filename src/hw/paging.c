/* SPDX-License-Identifier: MIT */
/* Paging: EBLOCK, ETRACK, EWB, ELDB and ELDU. In progress (issue 3). */
#include "epcm.h"
#include "hw.h"

int hw_eblock(struct hw_cpu *cpu, uint64_t epc)
{
	(void)epc;
	return hw_fault_gp(cpu);
}

int hw_etrack(struct hw_cpu *cpu, uint64_t secs)
{
	(void)secs;
	return hw_fault_gp(cpu);
}

int hw_ewb(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	(void)pageinfo, (void)epc, (void)va_slot;
	return hw_fault_gp(cpu);
}

int hw_eldb(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	(void)pageinfo, (void)epc, (void)va_slot;
	return hw_fault_gp(cpu);
}

int hw_eldu(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc, uint64_t va_slot)
{
	(void)pageinfo, (void)epc, (void)va_slot;
	return hw_fault_gp(cpu);
}
