/* SPDX-License-Identifier: MIT */
/*
 * Oversubscription without the EPC Oversubscription Extensions, as Xen's
 * SGX design describes it: the VMM traps every ENCLS of the guest and keeps
 * what the processor would otherwise tell it (ERDINFO) or count for it
 * (VIRTCHILDCNT), using SGX1 leaves only (EBLOCK, ETRACK, EWB, ELDU).
 *
 * What the VMM tracks, per frame, from the guest's leaves that succeeded:
 *   - its type: free (EREMOVE, EWB), SECS (ECREATE, ELDU/ELDB of a SECS),
 *     child (EADD, EAUG, ELDU/ELDB of a REG, TCS or TRIM page), VA (EPA);
 *   - a child's SECS (PAGEINFO.SECS of EADD, EAUG, ELDU/ELDB), and whether
 *     the guest blocked it (EBLOCK, ELDB: its own EWB is on the way);
 *   - a SECS's children as the guest sees them, and how many of them the
 *     VMM holds. The processor counts only the resident ones (without
 *     VIRTCHILDCNT a child the VMM wrote back is no child of the SECS any
 *     more), so the VMM never writes back a SECS with resident children,
 *     and before the guest's EREMOVE or EWB of a SECS it reloads one held
 *     child when every child it has is held: the leaf then finds a child
 *     present, as it would on a host with enough EPC.
 *
 * Evicting frame F: a free frame is given back; a VA page and a page the
 * guest blocked stay; a SECS goes only with no resident children; a child:
 * every vCPU inside its enclave is interrupted (an AEX), then EBLOCK,
 * ETRACK (of its SECS), EWB. Without the extensions a conflicting leaf is a
 * #GP, not a code: the VMM holds the VM's EPT lock for writing, so no vCPU
 * of the VM is in a leaf. Reloading: ELDU (its SECS's host address in
 * PAGEINFO.SECS for a child).
 *
 * A guest leaf whose operand is a frame the VMM holds (its page, the SECS
 * in its PAGEINFO) meets an EPT violation as in the extension path, and
 * runs again once the VMM reloaded the frame (and its SECS first).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oversub-int.h"

int ov_trap_init(struct vmm_oversub *ov)
{
	ov->trk = calloc(ov->nr_frames, sizeof(*ov->trk));
	return ov->trk ? 0 : -ENOMEM;
}

void ov_trap_reset(struct vmm_oversub *ov)
{
	memset(ov->trk, 0, ov->nr_frames * sizeof(*ov->trk));
}

void ov_trap_free(struct vmm_oversub *ov)
{
	free(ov->trk);
	ov->trk = NULL;
}

/* ---------------------------------------------------------------------- */
/* The guest's leaves                                                     */
/* ---------------------------------------------------------------------- */

/* A held child of SECS frame (sf), or false. */
static bool held_child(struct vmm_vm *vm, uint64_t sf, uint64_t *ret)
{
	struct vmm_oversub *ov = vm->ov;

	for (uint64_t f = 0; f < ov->nr_frames; f++) {
		if (ov->blob[f] && ov->blob[f]->pt != SGX_PT_SECS &&
		    ov->blob[f]->secs_frame == sf) {
			*ret = f;
			return true;
		}
	}
	return false;
}

bool vmm_oversub_trap_before(struct vmm_vcpu *vcpu, const struct vmm_trap_leaf *t)
{
	struct vmm_vm *vm = vcpu->vm;
	struct vmm_oversub *ov = vm->ov;
	uint64_t f, child;
	bool reload;

	if (!t->page_ok || !ov_gpa_frame(vm, t->page_gpa, &f))
		return false;
	if (t->leaf != SGX_EREMOVE && t->leaf != SGX_EWB)
		return false;
	/* (held) changes only under the EPT lock for writing, which we hold for reading. */
	pthread_mutex_lock(&ov->trk_lock);
	/* Every child it has is one the VMM holds: the processor would count none. */
	reload =
	    ov->trk[f].type == OV_SECS && ov->trk[f].held && ov->trk[f].children == ov->trk[f].held;
	pthread_mutex_unlock(&ov->trk_lock);
	if (!reload || !held_child(vm, f, &child))
		return false;
	vcpu->ov_need = VCPU_OV_RELOAD;
	vcpu->ov_gpa = ov_frame_gpa(vm, child);
	return true;
}

/* A child of SECS frame (sf) appears in (f). */
static void track_child(struct vmm_vm *vm, uint64_t f, const struct vmm_trap_leaf *t)
{
	struct vmm_oversub *ov = vm->ov;
	uint64_t sf;

	if (!t->secs_ok || !ov_gpa_frame(vm, t->secs_gpa, &sf))
		return;
	ov->trk[f] =
	    (struct ov_frame){ .type = OV_CHILD, .secs = sf, .blocked = t->leaf == SGX_ELDB };
	ov->trk[sf].children++;
}

/* Frame (f) is invalid again. */
static void track_free(struct vmm_vm *vm, uint64_t f)
{
	struct vmm_oversub *ov = vm->ov;

	if (ov->trk[f].type == OV_CHILD && ov->trk[ov->trk[f].secs].children)
		ov->trk[ov->trk[f].secs].children--;
	memset(&ov->trk[f], 0, sizeof(ov->trk[f]));
}

static void track_loaded(struct vmm_vm *vm, uint64_t f, const struct vmm_trap_leaf *t)
{
	struct vmm_oversub *ov = vm->ov;

	switch (t->pt) {
	case SGX_PT_SECS:
		ov->trk[f] = (struct ov_frame){ .type = OV_SECS };
		break;
	case SGX_PT_VA:
		ov->trk[f] = (struct ov_frame){ .type = OV_VA };
		break;
	default:
		track_child(vm, f, t);
		break;
	}
}

void vmm_oversub_trap_after(struct vmm_vm *vm, const struct vmm_trap_leaf *t, int r)
{
	struct vmm_oversub *ov = vm->ov;
	uint64_t f;

	atomic_fetch_add(&ov->trapped, 1);
	/* EWB into an occupied slot wrote the page back all the same. */
	if (r == SGX_VA_SLOT_OCCUPIED && t->leaf == SGX_EWB)
		r = SGX_SUCCESS;
	if (r != SGX_SUCCESS || !t->page_ok || !ov_gpa_frame(vm, t->page_gpa, &f))
		return;
	pthread_mutex_lock(&ov->trk_lock);
	switch (t->leaf) {
	case SGX_ECREATE:
		ov->trk[f] = (struct ov_frame){ .type = OV_SECS };
		break;
	case SGX_EADD:
	case SGX_EAUG:
		track_child(vm, f, t);
		break;
	case SGX_ELDB:
	case SGX_ELDU:
		track_loaded(vm, f, t);
		break;
	case SGX_EPA:
		ov->trk[f] = (struct ov_frame){ .type = OV_VA };
		break;
	case SGX_EREMOVE:
	case SGX_EWB:
		track_free(vm, f);
		break;
	case SGX_EBLOCK:
		ov->trk[f].blocked = true;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&ov->trk_lock);
}

/* ---------------------------------------------------------------------- */
/* Eviction and reload                                                    */
/* ---------------------------------------------------------------------- */

/* EBLOCK, ETRACK of its SECS, EWB: child frame (f) at (pa) goes. 0, 1 (stays), -errno. */
static int evict_child(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa)
{
	struct vmm_oversub *ov = vm->ov;
	uint64_t sf = ov->trk[f].secs, secs_pa;
	struct vmm_blob *b;
	int r;

	/* A resident child's SECS is resident: the VMM reloads a SECS before its children. */
	if (!ov_frame_pa(vm, sf, &secs_pa) || ov_threads_inside(vm, secs_pa))
		return 1;
	b = ov_blob_new();
	if (!b)
		return -ENOMEM;
	if (hw_eblock(cpu, pa) != SGX_SUCCESS) {
		free(b);
		return 1;
	}
	r = hw_etrack(cpu, secs_pa);
	/* A cycle the guest started is over too: every thread it counted has left. */
	if (r == SGX_SUCCESS || r == SGX_PREV_TRK_INCMPL)
		r = ov_ewb(vm, cpu, b, f, pa);
	if (r != SGX_SUCCESS)
		return ov_write_back_failed(vm, b, f, r);
	ov_blob_keep(ov, f, b, sf);
	ov->trk[sf].held++;
	return 0;
}

int ov_trap_evict_page(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa)
{
	const struct ov_frame *fr = &vm->ov->trk[f];

	switch (fr->type) {
	case OV_FREE:
		return 2;
	case OV_SECS:
		/* The processor counts only resident children: the VMM counts the rest. */
		return fr->children > fr->held ? 1 : ov_evict_secs(vm, cpu, f, pa);
	case OV_CHILD:
		return fr->blocked ? 1 : evict_child(vm, cpu, f, pa);
	default:
		return 1;
	}
}

int ov_trap_reload(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa, uint64_t secs_pa)
{
	struct vmm_oversub *ov = vm->ov;
	struct vmm_blob *b = ov->blob[f];
	_Alignas(32) struct sgx_pageinfo pi;

	memset(&pi, 0, sizeof(pi));
	pi.linaddr = b->linaddr;
	pi.srcpge = (uint64_t)(uintptr_t)b->data;
	pi.secinfo = (uint64_t)(uintptr_t)&b->pcmd;
	pi.secs = secs_pa;
	if (hw_eldu(cpu, (uint64_t)(uintptr_t)&pi, pa, ov_va_slot(ov, f)) != SGX_SUCCESS)
		return -EIO;
	if (b->pt != SGX_PT_SECS)
		ov->trk[b->secs_frame].held--;
	return 0;
}
