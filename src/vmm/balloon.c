/* SPDX-License-Identifier: MIT */
/*
 * EPC ballooning, the hypervisor's half: a ballooning VM's reservation,
 * the memory_op hypercall its guest's balloon driver makes, and the target
 * the user sets. A frame the guest gives back is EREMOVEd and its EPC page
 * goes to the host's free pool, where any VM's vEPC fault or increase can
 * take it: this is how EPC moves from one VM to another. The VM's EPC owner
 * is limited to its reservation, so a ballooned-out frame the guest touches
 * anyway fails its EPT violation (the VM stops, as Xen crashes a domain
 * that touches a gfn it gave away) instead of taking EPC it gave up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm-int.h"
#include "vsgx/vmm-balloon.h"

/* vEPC faults that answer -EAGAIN get the host's reclaimer this many times. */
#define BALLOON_FAULT_TRIES 8

static bool frame_find(const struct vmm_vm *vm, uint64_t gpa, unsigned int *ret_sec,
		       uint64_t *ret_index, uint64_t *ret_frame);
static uint64_t frame_gpa(const struct vmm_vm *vm, uint64_t frame);

static uint64_t vm_frames(const struct vmm_vm *vm)
{
	return vm_config_epc_size(&vm->cfg) / SGX_PAGE_SIZE;
}

static bool balloon_on(const struct vmm_vm *vm)
{
	return vm->cfg.epc_policy == VM_EPC_BALLOON && vm->balloon.out;
}

int vmm_balloon_init(struct vmm_vm *vm)
{
	struct vmm_balloon *b = &vm->balloon;
	uint64_t n = vm_frames(vm), start;

	if (vm->cfg.epc_policy != VM_EPC_BALLOON || !n)
		return 0;
	b->out = calloc(n, 1);
	if (!b->out)
		return -ENOMEM;
	start = vm->cfg.epc_start ? vm->cfg.epc_start / SGX_PAGE_SIZE : n;
	start = start < n ? start : n;
	/* A VM that starts below its maximum has its highest frames out, as Xen's above nr_pages.
	 */
	memset(b->out + start, 1, n - start);
	pthread_mutex_init(&b->lock, NULL);
	b->max = n;
	b->current = b->target = start;
	host_owner_set_limit(vm->owner, start);
	return 0;
}

int vmm_balloon_copy(struct vmm_vm *dst, const struct vmm_vm *src)
{
	if (!balloon_on(src) || !balloon_on(dst))
		return 0;
	memcpy(dst->balloon.out, src->balloon.out, src->balloon.max);
	/* A preallocated destination gives back what the source had given away. */
	for (uint64_t f = 0; f < src->balloon.max; f++) {
		uint64_t gpa = frame_gpa(dst, f), index, frame;
		unsigned int sec;

		if (src->balloon.out[f] && frame_find(dst, gpa, &sec, &index, &frame))
			host_vepc_remove_page(dst->sec[sec].vepc, vmm_host_cpu(dst->m), index,
					      NULL);
	}
	dst->balloon.current = src->balloon.current;
	dst->balloon.target = src->balloon.target;
	host_owner_set_limit(dst->owner, dst->balloon.current);
	return 0;
}

void vmm_balloon_free(struct vmm_vm *vm)
{
	if (vm->balloon.out)
		pthread_mutex_destroy(&vm->balloon.lock);
	free(vm->balloon.out);
	vm->balloon.out = NULL;
}

bool vmm_balloon_is_out(const struct vmm_vm *vm, unsigned int sec, uint64_t index)
{
	uint64_t first = 0;

	if (!balloon_on(vm))
		return false;
	for (unsigned int i = 0; i < sec; i++)
		first += vm->cfg.sections[i].size / SGX_PAGE_SIZE;
	return vm->balloon.out[first + index];
}

/* Frame (gpa) of the VM: its section, page in it, and index over all sections. */
static bool frame_find(const struct vmm_vm *vm, uint64_t gpa, unsigned int *ret_sec,
		       uint64_t *ret_index, uint64_t *ret_frame)
{
	uint64_t first = 0;

	if (gpa & ~SGX_PAGE_MASK)
		return false;
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		if (gpa - vm->sec[i].gpa < vm->sec[i].size) {
			*ret_sec = i;
			*ret_index = (gpa - vm->sec[i].gpa) / SGX_PAGE_SIZE;
			*ret_frame = first + *ret_index;
			return true;
		}
		first += vm->sec[i].size / SGX_PAGE_SIZE;
	}
	return false;
}

static uint64_t frame_gpa(const struct vmm_vm *vm, uint64_t frame)
{
	for (unsigned int i = 0; i < vm->cfg.nr_sections; i++) {
		uint64_t n = vm->sec[i].size / SGX_PAGE_SIZE;

		if (frame < n)
			return vm->sec[i].gpa + frame * SGX_PAGE_SIZE;
		frame -= n;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* One extent                                                             */
/* ---------------------------------------------------------------------- */

/* Give frame (gpa) back: EREMOVE, to the host's free pool, one page less reserved. */
static int frame_decrease(struct vmm_vm *vm, uint64_t gpa)
{
	struct vmm_balloon *b = &vm->balloon;
	uint64_t index, frame;
	unsigned int sec;
	int r;

	if (!frame_find(vm, gpa, &sec, &index, &frame) || b->out[frame])
		return -EINVAL;
	r = host_vepc_remove_page(vm->sec[sec].vepc, vmm_host_cpu(vm->m), index, NULL);
	if (r < 0)
		return r;
	b->out[frame] = 1;
	b->current--;
	b->decreased++;
	host_owner_set_limit(vm->owner, b->current);
	return 0;
}

/* Take frame (gpa) again: a host EPC page for it now, one page more reserved. */
static int frame_increase(struct vmm_vm *vm, uint64_t gpa)
{
	struct vmm_balloon *b = &vm->balloon;
	uint64_t index, frame, pa;
	unsigned int sec;
	int r = -EAGAIN;

	if (!frame_find(vm, gpa, &sec, &index, &frame) || !b->out[frame])
		return -EINVAL;
	host_owner_set_limit(vm->owner, b->current + 1);
	for (int tries = 0; r == -EAGAIN && tries < BALLOON_FAULT_TRIES; tries++) {
		r = host_vepc_fault(vm->sec[sec].vepc, index, &pa);
		if (r == -EAGAIN)
			host_reclaim(vm->m->host, vmm_host_cpu(vm->m), NULL, HOST_RECLAIM_BATCH);
	}
	if (r) {
		host_owner_set_limit(vm->owner, b->current);
		return r;
	}
	b->out[frame] = 0;
	b->current++;
	b->increased++;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The hypercall                                                          */
/* ---------------------------------------------------------------------- */

static int arg_read(struct vmm_vm *vm, uint64_t gpa, struct vmm_epc_reservation *ret)
{
	const void *p = vmm_vm_ram(vm, gpa, sizeof(*ret));

	if (!p)
		return -EFAULT;
	memcpy(ret, p, sizeof(*ret));
	/* Only EPC frames here: RAM is not ballooned through this call. */
	if (ret->mem_flags != VMM_MEMF_EPC || ret->extent_order || ret->domid != VMM_DOMID_SELF ||
	    ret->reserved[0] || ret->reserved[1] || ret->reserved[2])
		return -EINVAL;
	return 0;
}

/* The frame list: nr_extents uint64_t in one RAM range. */
static uint64_t *extents(struct vmm_vm *vm, const struct vmm_epc_reservation *a)
{
	if (a->nr_extents > UINT64_MAX / sizeof(uint64_t))
		return NULL;
	return vmm_vm_ram(vm, a->extent_start, a->nr_extents * sizeof(uint64_t));
}

static int64_t op_extents(struct vmm_vm *vm, const struct vmm_epc_reservation *a, bool increase)
{
	uint8_t *list = (uint8_t *)extents(vm, a);
	int64_t done = 0;

	if (!list && a->nr_extents)
		return -EFAULT;
	for (uint64_t i = 0; i < a->nr_extents; i++) {
		uint64_t gpa;

		memcpy(&gpa, list + i * sizeof(gpa), sizeof(gpa));
		if (increase ? frame_increase(vm, gpa) : frame_decrease(vm, gpa))
			break;
		done++;
	}
	return done;
}

static int64_t op_ballooned(struct vmm_vm *vm, const struct vmm_epc_reservation *a)
{
	uint8_t *list = (uint8_t *)extents(vm, a);
	int64_t n = 0;

	if (!list && a->nr_extents)
		return -EFAULT;
	if (!balloon_on(vm))
		return 0;
	for (uint64_t f = 0; f < vm->balloon.max && (uint64_t)n < a->nr_extents; f++) {
		uint64_t gpa = frame_gpa(vm, f);

		if (!vm->balloon.out[f] || gpa < a->first_frame)
			continue;
		memcpy(list + (uint64_t)n * sizeof(gpa), &gpa, sizeof(gpa));
		n++;
	}
	return n;
}

/* The commands that read or change the reservation, under its lock. */
static int64_t balloon_op_locked(struct vmm_vm *vm, uint64_t cmd,
				 const struct vmm_epc_reservation *a)
{
	int64_t r;

	pthread_mutex_lock(&vm->balloon.lock);
	if (cmd == VMM_EPCMEM_CURRENT_RESERVATION)
		r = (int64_t)vm->balloon.current;
	else if (cmd == VMM_EPCMEM_BALLOONED_FRAMES)
		r = op_ballooned(vm, a);
	else
		r = op_extents(vm, a, cmd == VMM_EPCMEM_INCREASE_RESERVATION);
	pthread_mutex_unlock(&vm->balloon.lock);
	return r;
}

int64_t vmm_vcpu_hypercall(struct vmm_vcpu *vcpu, uint64_t nr, uint64_t cmd, uint64_t arg)
{
	struct vmm_vm *vm = vmm_vcpu_vm(vcpu);
	struct vmm_epc_reservation a;
	int r;

	if (vm->state != VMM_VM_RUNNING)
		return -EAGAIN;
	if (nr != VMM_HYPERCALL_MEMORY_OP)
		return -ENOSYS;
	r = arg_read(vm, arg, &a);
	if (r)
		return r;
	switch (cmd) {
	case VMM_EPCMEM_MAXIMUM_RESERVATION:
		return (int64_t)vm_frames(vm);
	case VMM_EPCMEM_CURRENT_RESERVATION:
	case VMM_EPCMEM_BALLOONED_FRAMES:
		if (!balloon_on(vm))
			return cmd == VMM_EPCMEM_BALLOONED_FRAMES ? 0 : (int64_t)vm_frames(vm);
		break;
	case VMM_EPCMEM_INCREASE_RESERVATION:
	case VMM_EPCMEM_DECREASE_RESERVATION:
		if (!balloon_on(vm))
			return -EPERM;
		break;
	default:
		return -ENOSYS;
	}
	return balloon_op_locked(vm, cmd, &a);
}

/* ---------------------------------------------------------------------- */
/* The target                                                             */
/* ---------------------------------------------------------------------- */

void vmm_vm_balloon_query(struct vmm_vm *vm, struct vmm_balloon_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->policy = vm->cfg.epc_policy;
	ret->max = vm_frames(vm);
	ret->current = ret->target = ret->max;
	if (!balloon_on(vm))
		return;
	pthread_mutex_lock(&vm->balloon.lock);
	ret->current = vm->balloon.current;
	ret->target = vm->balloon.target;
	ret->decreased = vm->balloon.decreased;
	ret->increased = vm->balloon.increased;
	pthread_mutex_unlock(&vm->balloon.lock);
}

int vmm_vm_balloon_set_target(struct vmm_vm *vm, uint64_t pages, char *why, size_t why_len)
{
	struct vmm_balloon *b = &vm->balloon;
	struct host_epc_stats st;

	if (!balloon_on(vm))
		return vmm_why(why, why_len, -EPERM,
			       "VM '%s' has epc_policy \"static\": its %llu EPC pages are fixed; "
			       "create it with epc_policy=\"balloon\" to balloon it",
			       vm->name, (unsigned long long)vm_frames(vm));
	if (pages > b->max)
		return vmm_why(why, why_len, -EINVAL,
			       "a target of %llu pages is above VM '%s''s EPC of %llu pages "
			       "(its epc_max); give at most %llu",
			       (unsigned long long)pages, vm->name, (unsigned long long)b->max,
			       (unsigned long long)b->max);
	host_stats(vm->m->host, &st);
	pthread_mutex_lock(&b->lock);
	if (pages > b->current && pages - b->current > st.free) {
		uint64_t more = pages - b->current;

		pthread_mutex_unlock(&b->lock);
		return vmm_why(why, why_len, -ENOMEM,
			       "VM '%s' would take %llu more EPC pages and the host has %llu "
			       "free; balloon another VM down first",
			       vm->name, (unsigned long long)more, (unsigned long long)st.free);
	}
	b->target = pages;
	pthread_mutex_unlock(&b->lock);
	return 0;
}
