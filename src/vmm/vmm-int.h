/* SPDX-License-Identifier: MIT */
/* Helpers shared by the hypervisor's config front-ends; not a public API. */
#ifndef VSGX_VMM_INT_H
#define VSGX_VMM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsgx/vmm-config.h"

#define VM_KIB (1ULL << 10)
#define VM_MIB (1ULL << 20)
#define VM_GIB (1ULL << 30)

/* Write the formatted message to (why) when it is not NULL. Returns -EINVAL. */
int vm_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * QEMU's size syntax: a decimal (or 0x hex) number with an optional suffix
 * B, K, M, G, T, P or E (powers of 1024, either case); without a suffix the
 * number counts (unit)s. Return: 0, -EINVAL, or -ERANGE beyond 2^64 - 1.
 */
int vm_parse_size(const char *s, uint64_t unit, uint64_t *ret);

/* A whole decimal number up to (max). Return: 0, -EINVAL, -ERANGE. */
int vm_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/* Start a config with QEMU's and xl's defaults and every host feature. */
void vm_config_init(struct vm_config *vm, struct hw_processor *host);

/*
 * Checks both front-ends share, once the config is filled: sections against
 * guest and host NUMA nodes and the host's EPC, and the SGX features a guest
 * without EPC cannot have; then the warnings any kind of config can earn.
 * (tool) words remedies: "qemu", "xl", "libvirt" or "chv".
 */
int vm_config_finish(struct hw_processor *host, struct vm_config *vm, const char *tool,
		     struct vm_diags *d);

/* 0 when (d) holds no error, else -EINVAL. */
int vm_diags_result(const struct vm_diags *d);

#define VM_SUGGEST_LEN 40
/*
 * The name among the NULL-terminated (names) that (word), (n) characters,
 * is most likely a typo of, or NULL when none is close.
 */
const char *vm_suggest(const char *word, size_t n, const char *const *names);
/* " (did you mean 'NAME'?)" in (buf), or "" when nothing is close. */
const char *vm_did_you_mean(const char *word, size_t n, const char *const *names, char *buf,
			    size_t len);

/*
 * An EPC size: QEMU's syntax (vm_parse_size()) or a Kubernetes binary
 * quantity (64Mi, 512Ki, 1Gi), as container platforms write EPC sizes.
 */
int vm_parse_epc_size(const char *s, uint64_t unit, uint64_t *ret);

/* NAME=VALUE, as an environment setting before a command. */
bool vm_word_is_env(const char *word);
/* qemu-system-* (or qemu-kvm), with or without a directory. */
bool vm_word_is_qemu(const char *word);

/* Host EPC bytes on the nodes in (mask); all of it when (mask) is 0. */
uint64_t vm_host_epc_on(const struct hw_desc *d, uint64_t mask);
/* Bit n set for each host node n that has EPC. */
uint64_t vm_host_nodes(const struct hw_desc *d);

#endif /* VSGX_VMM_INT_H */
