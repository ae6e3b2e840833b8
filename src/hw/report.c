/* SPDX-License-Identifier: MIT */
/* Attestation and keys: EREPORT and EGETKEY. In progress (issue 3). */
#include "epcm.h"
#include "hw.h"

int hw_ereport(struct hw_cpu *cpu, uint64_t targetinfo, uint64_t reportdata, uint64_t report)
{
	(void)targetinfo, (void)reportdata, (void)report;
	return hw_fault_gp(cpu);
}

int hw_egetkey(struct hw_cpu *cpu, uint64_t keyrequest, uint64_t key)
{
	(void)keyrequest, (void)key;
	return hw_fault_gp(cpu);
}
