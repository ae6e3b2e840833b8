/* SPDX-License-Identifier: MIT */
/* What the QEMU option reader's files share; not a public API. */
#ifndef VSGX_CONFIG_QEMU_INT_H
#define VSGX_CONFIG_QEMU_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm-int.h"

#define QEMU_ARG_MAX	  1024
#define QEMU_MAX_BACKENDS 16
#define QEMU_IGNORED_LEN  360

struct qemu_backend {
	char id[VM_ID_MAX];
	uint64_t size;
	uint64_t host_nodes;
	enum vm_mem_policy policy;
	bool prealloc;
	bool busy; /* used by an sgx-epc section */
	/* vsgx's own: oversubscribe=extensions|trap, max-resident=SIZE (docs/vm-config.md) */
	bool oversub_set;
	enum vm_epc_oversub oversub;
	uint64_t max_resident; /* bytes; 0: not given */
};

struct qemu_epc {
	bool memdev_set, node_set;
	char memdev[VM_ID_MAX];
	uint32_t node;
};

struct qemu_state {
	struct hw_processor *host;
	struct vm_config *vm;
	struct vm_diags *d;
	const char *opt, *arg; /* the option being parsed, for messages */
	unsigned int nr_backends;
	struct qemu_backend backends[QEMU_MAX_BACKENDS];
	unsigned int nr_epc; /* highest sgx-epc index + 1 */
	struct qemu_epc epc[VM_MAX_SECTIONS];
	uint64_t numa_nodes;
	bool sgx_requested;
	char ignored[QEMU_IGNORED_LEN]; /* "-S, -m slots, ...": what was not modelled */
};

/* Add "-opt arg: message" as an error. Return: -EINVAL. */
int qemu_err(struct qemu_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * (what) does not bear on SGX: list it in the one note of what was ignored,
 * or, with --strict, refuse it. Return: 0, or -EINVAL when strict.
 */
int qemu_ignore(struct qemu_state *st, const char *what);

/* Next KEY[=VALUE] of a comma-separated list; (*key) without '=' has (*val) NULL. */
bool qemu_next_kv(char **p, char **key, char **val);
int qemu_bool(struct qemu_state *st, const char *key, const char *val, bool *ret);
int qemu_size(struct qemu_state *st, const char *key, const char *val, uint64_t unit,
	      uint64_t *ret);

/* -object and -device, in their KEY=VALUE or JSON forms. */
int qemu_opt_object(struct qemu_state *st, char *arg);
int qemu_opt_device(struct qemu_state *st, char *arg);
struct qemu_backend *qemu_backend_find(struct qemu_state *st, const char *id);

/*
 * QEMU's JSON form of an option ({"qom-type":"T","k":v,...}, as libvirt
 * writes -object and -device) as its KEY=VALUE form "T,k=v,...": (type_key)
 * names the type ("qom-type" or "driver"), which goes first; a list repeats
 * its key (host-nodes=0,host-nodes=1); true/false are on/off.
 * Return: 0, or -EINVAL with the reason in (err).
 */
int qemu_json_to_opts(const char *json, const char *type_key, char *buf, size_t len, char *err,
		      size_t err_len);

#endif /* VSGX_CONFIG_QEMU_INT_H */
