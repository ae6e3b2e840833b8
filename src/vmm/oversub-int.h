/* SPDX-License-Identifier: MIT */
/*
 * Oversubscription's two ways, shared by oversub.c (the clock hand, the
 * blobs, the VA slots, the EPT lock, reloading), oversub-ext.c (with the EPC
 * Oversubscription Extensions) and oversub-trap.c (by trapping ENCLS).
 */
#ifndef VSGX_VMM_OVERSUB_INT_H
#define VSGX_VMM_OVERSUB_INT_H

#include "vm-int.h"

#define OV_SLOTS_PER_VA	    (SGX_PAGE_SIZE / 8)
#define OV_CONFLICT_RETRIES 64

/* A page written back: EWB's ciphertext, its PCMD and what reloading it needs. */
struct vmm_blob {
	uint8_t data[SGX_PAGE_SIZE];
	_Alignas(128) struct sgx_pcmd pcmd;
	uint64_t linaddr;
	uint64_t secs_frame; /* a child: its SECS's frame */
	uint8_t pt;
};

/*
 * What a VMM that traps ENCLS knows of a frame of its guest's EPC, from the
 * leaves it saw succeed: without ERDINFO it cannot ask the processor.
 */
enum ov_frame_type {
	OV_FREE,  /* invalid: never used, or EREMOVEd or written back by the guest */
	OV_SECS,  /* an enclave's SECS */
	OV_CHILD, /* a REG, TCS or TRIM page of the enclave whose SECS is (secs) */
	OV_VA,	  /* a version array page */
};

struct ov_frame {
	uint8_t type;	   /* enum ov_frame_type */
	bool blocked;	   /* a child the guest EBLOCKed and has not written back */
	uint64_t secs;	   /* a child: its SECS's frame */
	uint32_t children; /* a SECS: its children as the guest sees them */
	uint32_t held;	   /* a SECS: those of them the VMM holds as blobs */
};

struct vmm_oversub {
	enum vm_epc_oversub mode;
	pthread_rwlock_t ept; /* vCPU leaves hold it for reading, the VMM for writing */
	uint64_t nr_frames;
	struct vmm_blob **blob; /* per frame: NULL, or the page the VMM holds */
	unsigned int nr_va;
	uint64_t *va_pa; /* the VMM's VA pages */
	uint64_t hand;	 /* the clock hand: the next frame to consider */
	atomic_uint_fast64_t evicted, reloaded, freed, blobs, worst_stall, trapped;
	/*
	 * Trap mode: per frame, what the guest's leaves made of it. vCPUs
	 * change it after their leaves (with the EPT lock for reading, so under
	 * (trk_lock)); the VMM reads it with the EPT lock for writing.
	 */
	struct ov_frame *trk;
	pthread_mutex_t trk_lock;
};

/* Frame (f) -> section and page index; its guest-physical address; the frame at (gpa). */
struct vmm_section *ov_frame_sec(struct vmm_vm *vm, uint64_t f, uint64_t *ret_index);
uint64_t ov_frame_gpa(struct vmm_vm *vm, uint64_t f);
bool ov_gpa_frame(struct vmm_vm *vm, uint64_t gpa, uint64_t *ret);
/* The host physical address of a present frame. */
bool ov_frame_pa(struct vmm_vm *vm, uint64_t f, uint64_t *ret_pa);
/* Frame (f)'s own slot in the VMM's VA pages. */
uint64_t ov_va_slot(const struct vmm_oversub *ov, uint64_t f);
struct vmm_blob *ov_blob_new(void);
/*
 * Threads still inside the enclave of SECS (secs_pa) after an interrupt to
 * every vCPU inside: 0 when the VMM may write its pages back.
 */
uint32_t ov_threads_inside(struct vmm_vm *vm, uint64_t secs_pa);
/* EWB of the page at (pa) into (b) and frame (f)'s slot: an SGX code. */
int ov_ewb(struct vmm_vm *vm, struct hw_cpu *cpu, struct vmm_blob *b, uint64_t f, uint64_t pa);
/* Child frame (f)'s page went out into (b): keep the blob, with its SECS's frame (sf). */
void ov_blob_keep(struct vmm_oversub *ov, uint64_t f, struct vmm_blob *b, uint64_t sf);
/*
 * Child frame (f)'s page, blocked behind the guest's back, did not go out
 * (SGX code or fault (r)): the VM cannot go on. Frees (b); returns -EIO.
 */
int ov_write_back_failed(struct vmm_vm *vm, struct vmm_blob *b, uint64_t f, int r);
/* EWB of a SECS with no resident children into a new blob: 0 evicted, 1 it stays, -ENOMEM. */
int ov_evict_secs(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa);

/*
 * Each way's half. evict_page: what frame (f), unmapped from (pa), is, and
 * its write-back: 0 evicted (the blob is in ov->blob[f]), 1 it stays, 2 an
 * invalid page given back, -errno. reload: the leaves that bring blob (b)
 * back to (pa) (its SECS, a child's, at (secs_pa)): an SGX code or -errno.
 */
int ov_ext_evict_page(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa);
int ov_ext_reload(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa, uint64_t secs_pa);
int ov_trap_evict_page(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa);
int ov_trap_reload(struct vmm_vm *vm, struct hw_cpu *cpu, uint64_t f, uint64_t pa,
		   uint64_t secs_pa);
/* Trap mode's tracking: made at init, every frame free again at a reset. */
int ov_trap_init(struct vmm_oversub *ov);
void ov_trap_reset(struct vmm_oversub *ov);
void ov_trap_free(struct vmm_oversub *ov);

#endif /* VSGX_VMM_OVERSUB_INT_H */
