/* SPDX-License-Identifier: MIT */
/* SGX2 dynamic memory: EAUG, EMODPR, EMODT, EACCEPT, EACCEPTCOPY, EMODPE. In progress (issue 3). */
#include "epcm.h"
#include "hw.h"

int hw_eaug(struct hw_cpu *cpu, uint64_t pageinfo, uint64_t epc)
{
	(void)pageinfo, (void)epc;
	return hw_fault_gp(cpu);
}

int hw_emodpr(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc)
{
	(void)secinfo, (void)epc;
	return hw_fault_gp(cpu);
}

int hw_emodt(struct hw_cpu *cpu, uint64_t secinfo, uint64_t epc)
{
	(void)secinfo, (void)epc;
	return hw_fault_gp(cpu);
}

int hw_eaccept(struct hw_cpu *cpu, uint64_t secinfo, uint64_t page)
{
	(void)secinfo, (void)page;
	return hw_fault_gp(cpu);
}

int hw_emodpe(struct hw_cpu *cpu, uint64_t secinfo, uint64_t page)
{
	(void)secinfo, (void)page;
	return hw_fault_gp(cpu);
}

int hw_eacceptcopy(struct hw_cpu *cpu, uint64_t secinfo, uint64_t dst, uint64_t src)
{
	(void)secinfo, (void)dst, (void)src;
	return hw_fault_gp(cpu);
}
