/* SPDX-License-Identifier: MIT */
/*
 * Debugger access to debug enclaves: EDBGRD and EDBGWR (SDM Vol. 3D ch. 38).
 * A debugger reads and writes 8 bytes of an enclave page through its EPC
 * physical address, whatever the page's EPCM permissions, as long as the
 * owning enclave was created with ATTRIBUTES.DEBUG. The model runs in 64-bit
 * mode only, so both leaves always move a quadword.
 */
#include <stddef.h>
#include <string.h>

#include "epcm.h"
#include "hw.h"

/*
 * SGX_TCS_LIMIT, the architectural size of a TCS: the fields up to GSLIMIT.
 * The SDM names the limit without a number; with no CET in the model the
 * architectural fields end where the reserved area starts.
 */
#define SGX_TCS_LIMIT offsetof(struct sgx_tcs, reserved)

/* The operand checks both leaves make before owning the entry. */
static int dbg_operand(struct hw_cpu *cpu, uint64_t addr, bool write, uint64_t *ret_idx)
{
	int r;

	r = hw_encls_check(cpu);
	if (r)
		return r;
	if ((addr & 7) || !hw_is_canonical(addr))
		return hw_fault_gp(cpu);
	return hw_op_epc(cpu, addr, write, ret_idx);
}

static bool dbg_type_ok(unsigned int pt, bool write)
{
	switch (pt) {
	case SGX_PT_REG:
	case SGX_PT_TCS:
	case SGX_PT_SS_FIRST:
	case SGX_PT_SS_REST:
		return true;
	case SGX_PT_VA:
		return !write;
	default:
		return false;
	}
}

/*
 * Whether the enclave owning child page (e) is a debug enclave. The child
 * is held, so its SECS cannot go (its child count pins it), and DEBUG never
 * changes after ECREATE; but EINIT may be setting INIT in the same word on
 * another CPU without this leaf holding the SECS (the SDM lets EDBGRD and
 * EDBGWR run concurrently with EINIT), hence the atomic load.
 */
static bool dbg_enclave_debug(struct hw_processor *p, const struct hw_epcm_entry *e)
{
	struct hw_enclave *encl = epcm_child_enclave(p, e);

	return __atomic_load_n(&encl->secs.attributes.flags, __ATOMIC_RELAXED) & SGX_ATTR_DEBUG;
}

/*
 * The EPCM checks both leaves make on the held entry, in the SDM's order.
 * Return: 0, SGX_PAGE_NOT_DEBUGGABLE or the fault.
 */
static int dbg_check(struct hw_cpu *cpu, const struct hw_epcm_entry *e, uint64_t addr, bool write)
{
	uint64_t off = addr & ~SGX_PAGE_MASK;

	if (!(e->flags & EPCM_VALID) || !dbg_type_ok(e->pt, write))
		return hw_fault_pf(cpu, addr, hw_pf_epcm(write));
	if (e->flags & (EPCM_PENDING | EPCM_MODIFIED))
		return SGX_PAGE_NOT_DEBUGGABLE;
	if (e->pt == SGX_PT_TCS) {
		/* A debugger may read the TCS, but write only FLAGS (to set DBGOPTIN). */
		if (write ? (off & ~7ULL) != offsetof(struct sgx_tcs, flags) : off >= SGX_TCS_LIMIT)
			return hw_fault_gp(cpu);
	}
	if (e->pt != SGX_PT_VA && !dbg_enclave_debug(cpu->proc, e))
		return hw_fault_gp(cpu);
	return 0;
}

/*
 * A VA slot's version is a secret of the paging protocol: a debugger learns
 * only whether the slot is in use (all ones) or free (zero).
 */
static uint64_t dbg_va_slot(uint64_t v)
{
	return (v & ~7ULL) ? ~0ULL : 0;
}

int hw_edbgrd(struct hw_cpu *cpu, uint64_t addr, uint64_t *data)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *e;
	uint64_t idx, v;
	int r;

	r = dbg_operand(cpu, addr, false, &idx);
	if (r)
		return r;
	e = epcm_entry(p, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = dbg_check(cpu, e, addr, false);
	if (!r)
		r = hw_poison_check(cpu, e, idx);
	if (!r) {
		memcpy(&v, epcm_contents(p, idx) + (addr & ~SGX_PAGE_MASK), sizeof(v));
		*data = e->pt == SGX_PT_VA ? dbg_va_slot(v) : v;
	}
	epcm_unlock(e);
	return r;
}

int hw_edbgwr(struct hw_cpu *cpu, uint64_t addr, uint64_t data)
{
	struct hw_processor *p = cpu->proc;
	struct hw_epcm_entry *e;
	uint64_t idx;
	int r;

	r = dbg_operand(cpu, addr, true, &idx);
	if (r)
		return r;
	e = epcm_entry(p, idx);
	if (!epcm_trylock(e))
		return hw_fault_gp(cpu);
	r = dbg_check(cpu, e, addr, true);
	if (!r)
		r = hw_poison_check(cpu, e, idx);
	/* Zeros into a page host memory never held change nothing: it stays unbacked. */
	if (!r && (data || (e->flags & EPCM_HELD))) {
		memcpy(epcm_materialize(p, idx) + (addr & ~SGX_PAGE_MASK), &data, sizeof(data));
		epcm_written(p, idx);
	}
	epcm_unlock(e);
	return r;
}
