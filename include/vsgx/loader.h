/* SPDX-License-Identifier: MIT */
/*
 * Building an enclave from an SGXS stream the way an OS driver does: replay
 * its records as ECREATE, EADD and EEXTEND, with the SECS attributes a
 * SIGSTRUCT asks for, then EINIT. The leaves go through the caller's ENCLS
 * (a logical CPU of the host, or a guest's vCPU through its hypervisor).
 */
#ifndef VSGX_LOADER_H
#define VSGX_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/arch.h"

struct hw_regs;
struct sgxs;

#define LOADER_SCRATCH_PAGES 3

struct loader_env {
	/* ENCLS with the register interface of hw_encls(); its result as hw_encls() gives it. */
	int (*encls)(void *leaf_opaque, struct hw_regs *regs);
	void *leaf_opaque;
	/* LOADER_SCRATCH_PAGES of ordinary memory, page aligned, for operands. */
	void *scratch;
	uint64_t scratch_la; /* where (scratch) lies in the CPU's address space */
	/* Hand out a free EPC page. Return: 0 or -ENOSPC. */
	int (*epc_alloc)(void *opaque, uint64_t *ret_pa);
	void *opaque;
};

/* Where a build stopped, when a leaf did not succeed. */
struct loader_result {
	uint64_t secs_pa;
	uint64_t base;	  /* ELRANGE base chosen */
	size_t nr_pages;  /* EPC pages the enclave holds, SECS included */
	const char *leaf; /* the leaf that failed, or NULL */
	size_t record;	  /* index of the SGXS record it replayed */
	int result;	  /* its result: SGX code or HW_FAULT(vector) */
};

/*
 * A linear base for an enclave of (size): aligned to its size, canonical
 * and, for 32-bit enclaves, below 4 GiB.
 */
uint64_t loader_default_base(uint64_t size, bool mode64);

/*
 * The SECS an enclave signed by (sig) is created with: SIZE and SSAFRAMESIZE
 * from the stream, ATTRIBUTES, XFRM and MISCSELECT from the SIGSTRUCT.
 */
void loader_secs_init(struct sgx_secs *secs, const struct sgxs *s, const struct sgx_sigstruct *sig,
		      uint64_t base);

/*
 * Replay (s) with the SECS (secs). Return: 0 when every leaf succeeded, 1
 * when one did not (see ret->leaf, ret->record, ret->result), -ENOSPC when
 * EPC ran out, -ENOMEM.
 */
int loader_build(const struct loader_env *env, const struct sgxs *s, const struct sgx_secs *secs,
		 struct loader_result *ret);

/* EINIT of the enclave at (secs_pa) with (sig) and (token). Returns the leaf's result. */
int loader_einit(const struct loader_env *env, uint64_t secs_pa, const struct sgx_sigstruct *sig,
		 const struct sgx_einittoken *token);

#endif /* VSGX_LOADER_H */
