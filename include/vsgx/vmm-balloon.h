/* SPDX-License-Identifier: MIT */
/*
 * EPC ballooning: the hypercall a guest's balloon driver uses to give EPC
 * pages back to the hypervisor and take them again, in the style of Xen's
 * XENMEM_decrease_reservation / XENMEM_increase_reservation with a flag
 * that says the extents are EPC frames, and the target a VMM sets per VM.
 *
 * The ABI (docs/POLICIES.md, "Balloon ABI"): hypercall VMM_HYPERCALL_MEMORY_OP
 * with a command and the guest-physical address of a struct
 * vmm_epc_reservation in guest RAM; its extent_start is the guest-physical
 * address of an array of nr_extents uint64_t guest-physical EPC frame
 * addresses, also in RAM. The result is the number of extents done (Xen's
 * convention: a short count says where the first refused extent was), or
 * -errno for a call the VMM refused whole.
 *
 * A VM with epc_policy "balloon" has a reservation: the frames of its EPC
 * sections that are not ballooned out. The VM's EPC owner is limited to it,
 * so a frame the guest gave away cannot be faulted in again behind the
 * VMM's back. Its sections' size (epc_max) is the maximum; a VM created
 * with a smaller epc starts with its highest frames ballooned out.
 */
#ifndef VSGX_VMM_BALLOON_H
#define VSGX_VMM_BALLOON_H

#include <stdint.h>

#include "vsgx/vmm-config.h"

struct vmm_vm;
struct vmm_vcpu;

/* Xen's __HYPERVISOR_memory_op. */
#define VMM_HYPERCALL_MEMORY_OP 12

/* Commands, numbered as Xen's XENMEM_* where Xen has them. */
#define VMM_EPCMEM_INCREASE_RESERVATION 0
#define VMM_EPCMEM_DECREASE_RESERVATION 1
#define VMM_EPCMEM_CURRENT_RESERVATION	3
#define VMM_EPCMEM_MAXIMUM_RESERVATION	4
/* vsgx's own: the ballooned-out frames at or above first_frame, for a booting guest. */
#define VMM_EPCMEM_BALLOONED_FRAMES 64

/* mem_flags: the extents are guest-physical EPC frames (required). */
#define VMM_MEMF_EPC (1u << 31)
/* Xen's DOMID_SELF: a guest may only change its own reservation. */
#define VMM_DOMID_SELF 0x7ff0

struct vmm_epc_reservation {
	uint64_t extent_start; /* guest-physical address of the frame list, in RAM */
	uint64_t nr_extents;
	uint32_t extent_order; /* 0: 4 KiB pages; nothing larger */
	uint32_t mem_flags;    /* VMM_MEMF_EPC */
	uint16_t domid;	       /* VMM_DOMID_SELF */
	uint16_t reserved[3];  /* 0 */
	uint64_t first_frame;  /* VMM_EPCMEM_BALLOONED_FRAMES: list from this frame on */
};
_Static_assert(sizeof(struct vmm_epc_reservation) == 40, "balloon ABI");

/*
 * The hypercall, made by the guest kernel on (vcpu): (cmd) and the
 * guest-physical address (arg) of its struct vmm_epc_reservation.
 *   DECREASE: each frame must be the VM's, not ballooned out, and unused by
 *     the guest: the VMM EREMOVEs it and gives its EPC page to the host's
 *     free pool (a frame never touched has none to give); the reservation
 *     drops by one per frame.
 *   INCREASE: each frame must be ballooned out; the VMM takes a host EPC
 *     page for it now (so the guest's next touch cannot fail) and the
 *     reservation grows by one, never past the VM's EPC.
 *   CURRENT / MAXIMUM: the reservation and the VM's EPC, in pages.
 *   BALLOONED_FRAMES: writes up to nr_extents ballooned-out frames at or
 *     above first_frame, in address order.
 * Return: extents done (DECREASE stops at a frame that is not the VM's, is
 * ballooned out already, or that EREMOVE refuses (a SECS with children, a
 * thread inside); INCREASE at one not ballooned out, or when the host has no
 * free EPC page), or a count of pages; -EINVAL (bad flags, order, domid or
 * reserved field), -EFAULT (the struct or list is not in guest RAM),
 * -EPERM (the VM's epc_policy is static: only the queries work), -ENOSYS
 * (unknown command or hypercall), -EAGAIN (the VM is not running).
 */
int64_t vmm_vcpu_hypercall(struct vmm_vcpu *vcpu, uint64_t nr, uint64_t cmd, uint64_t arg);

struct vmm_balloon_info {
	enum vm_epc_policy policy;
	uint64_t max;	    /* pages of EPC the guest sees */
	uint64_t current;   /* the reservation: pages not ballooned out */
	uint64_t target;    /* what the VMM asks the guest's driver for */
	uint64_t decreased; /* frames given back over the VM's life */
	uint64_t increased; /* frames taken again */
};
void vmm_vm_balloon_query(struct vmm_vm *vm, struct vmm_balloon_info *ret);

/*
 * Set the VM's balloon target to (pages), as xl mem-set writes memory/target
 * for the guest's driver to read; the guest then reaches it with the
 * hypercall (guest_balloon_update()). Nothing changes on failure.
 * Return: 0; -EPERM (epc_policy static), -EINVAL (above the VM's EPC),
 * -ENOMEM (growing needs more free EPC than the host has), with (why).
 */
int vmm_vm_balloon_set_target(struct vmm_vm *vm, uint64_t pages, char *why, size_t why_len);

#endif /* VSGX_VMM_BALLOON_H */
