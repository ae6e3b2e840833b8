/* SPDX-License-Identifier: MIT */
/*
 * QEMU's -object and -device: memory-backend-epc objects are read with
 * QEMU's own checks (backends/hostmem.c, backends/hostmem-epc.c); other
 * objects and devices do not bear on SGX and are only noted, except an
 * sgx-epc device, which QEMU refuses on -device as well.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config-qemu-int.h"

static bool qemu_id_valid(const char *id)
{
	if (!isalpha((unsigned char)*id) || strlen(id) >= VM_ID_MAX)
		return false;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("-._", *id))
			return false;
	return true;
}

struct qemu_backend *qemu_backend_find(struct qemu_state *st, const char *id)
{
	for (unsigned int i = 0; i < st->nr_backends; i++)
		if (!strcmp(st->backends[i].id, id))
			return &st->backends[i];
	return NULL;
}

/* host-nodes=N or N-M, repeatable */
static int qemu_host_nodes(struct qemu_state *st, const char *val, uint64_t *mask)
{
	uint64_t lo, hi;
	char buf[32], *dash;

	snprintf(buf, sizeof(buf), "%s", val ? val : "");
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (vm_parse_uint(buf, UINT32_MAX, &lo) || (dash && vm_parse_uint(dash, UINT32_MAX, &hi)))
		return qemu_err(st, "Parameter 'host-nodes' expects a node number or a range N-M");
	if (!dash)
		hi = lo;
	if (hi >= VM_MAX_NODES || lo > hi)
		return qemu_err(st, "Invalid host-nodes value: %llu; host nodes go from 0 to %d",
				(unsigned long long)(hi >= VM_MAX_NODES ? hi : lo),
				VM_MAX_NODES - 1);
	for (uint64_t n = lo; n <= hi; n++)
		*mask |= 1ULL << n;
	return 0;
}

static int qemu_policy(struct qemu_state *st, const char *val, enum vm_mem_policy *ret)
{
	for (int p = 0; p < VM_POLICY_MAX; p++) {
		if (val && !strcmp(val, vm_mem_policy_name(p))) {
			*ret = p;
			return 0;
		}
	}
	return qemu_err(st,
			"Parameter 'policy' does not accept value '%s'; use default, "
			"preferred, bind or interleave",
			val ? val : "");
}

/*
 * share=on is the EPC backend's default; share=off would map the vEPC
 * privately, which the kernel's sgx_vepc_mmap() refuses.
 */
static int qemu_share(struct qemu_state *st, const char *val)
{
	bool share = true;
	int r = qemu_bool(st, "share", val, &share);

	if (r || share)
		return r;
	return qemu_err(st, "share=off: /dev/sgx_vepc can only be mapped shared (sgx_vepc_mmap() "
			    "refuses a private mapping with EINVAL); remove share=off");
}

/* Properties every memory backend has that change nothing about the EPC. */
static const char *const backend_ignored[] = {
	"merge",
	"dump",
	"prealloc-threads",
	"prealloc-context",
	"reserve",
	"x-use-canonical-path-for-ramblock-id",
	NULL,
};

static const char *const backend_props[] = {
	"id",
	"size",
	"oversubscribe",
	"max-resident",
	"prealloc",
	"host-nodes",
	"policy",
	"share",
	"merge",
	"dump",
	"prealloc-threads",
	"prealloc-context",
	"reserve",
	"x-use-canonical-path-for-ramblock-id",
	NULL,
};

static bool name_in(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

static int qemu_backend_unknown(struct qemu_state *st, const char *key)
{
	char hint[64];
	char what[80];

	if (name_in(key, backend_ignored)) {
		snprintf(what, sizeof(what), "memory-backend-epc %s", key);
		return qemu_ignore(st, what);
	}
	return qemu_err(st, "Property 'memory-backend-epc.%s' not found%s", key,
			vm_did_you_mean(key, strlen(key), backend_props, hint, sizeof(hint)));
}

/* oversubscribe=extensions|trap: vsgx's own, how the VMM evicts this EPC's pages. */
static int qemu_oversubscribe(struct qemu_state *st, struct qemu_backend *b, const char *val)
{
	static const char *const modes[] = { "extensions", "trap", NULL };
	char hint[64];

	for (unsigned int i = 0; val && modes[i]; i++) {
		if (!strcmp(val, modes[i])) {
			b->oversub = (enum vm_epc_oversub)i;
			b->oversub_set = true;
			return 0;
		}
	}
	return qemu_err(st,
			"Parameter 'oversubscribe' does not accept value '%s'%s; use extensions "
			"(the EPC Oversubscription Extensions) or trap (the VMM traps ENCLS)",
			val ? val : "",
			val ? vm_did_you_mean(val, strlen(val), modes, hint, sizeof(hint)) : "");
}

/* max-resident=SIZE: vsgx's own, the host EPC the section may hold at once. */
static int qemu_max_resident(struct qemu_state *st, struct qemu_backend *b, const char *val)
{
	int r = 0;

	if (!val || vm_parse_epc_size(val, 1, &b->max_resident))
		r = qemu_size(st, "max-resident", val, 1, &b->max_resident);
	if (r || b->max_resident)
		return r;
	return qemu_err(st, "max-resident=0: an oversubscribed section must hold a page at "
			    "least; give it a size, e.g. max-resident=4M");
}

static int qemu_backend_prop(struct qemu_state *st, struct qemu_backend *b, const char *key,
			     const char *val)
{
	if (!strcmp(key, "id")) {
		if (!val || !qemu_id_valid(val))
			return qemu_err(st, "Parameter 'id' expects an identifier; identifiers "
					    "consist of letters, digits, '-', '.', '_', starting "
					    "with a letter (at most 31)");
		snprintf(b->id, sizeof(b->id), "%s", val);
		return 0;
	}
	if (!strcmp(key, "size")) {
		if (val && !vm_parse_epc_size(val, 1, &b->size))
			return 0;
		return qemu_size(st, key, NULL, 1, &b->size);
	}
	if (!strcmp(key, "oversubscribe"))
		return qemu_oversubscribe(st, b, val);
	if (!strcmp(key, "max-resident"))
		return qemu_max_resident(st, b, val);
	if (!strcmp(key, "prealloc"))
		return qemu_bool(st, key, val, &b->prealloc);
	if (!strcmp(key, "host-nodes"))
		return qemu_host_nodes(st, val, &b->host_nodes);
	if (!strcmp(key, "policy"))
		return qemu_policy(st, val, &b->policy);
	if (!strcmp(key, "share"))
		return qemu_share(st, val);
	return qemu_backend_unknown(st, key);
}

/*
 * max-resident is the host EPC the section may hold at once: at most its
 * size and at least 1/VM_OVERSUB_RATIO_MAX of it (the VMM backs what it
 * evicts with its RAM, as xl's epc_max bounds epc), and only with
 * oversubscribe=.
 */
static int qemu_backend_oversub_check(struct qemu_state *st, struct qemu_backend *b)
{
	uint64_t max = b->max_resident;
	uint64_t mib = 1ULL << 20;

	if (max && !b->oversub_set)
		return qemu_err(st, "max-resident: only an oversubscribed backend holds less than "
				    "its size; add oversubscribe=extensions or oversubscribe=trap, "
				    "or remove max-resident");
	if (!b->oversub_set)
		return 0;
	if (!max)
		max = b->max_resident = b->size;
	if (b->prealloc)
		return qemu_err(st, "prealloc=on: an oversubscribed backend's pages come and go; "
				    "remove prealloc=on or oversubscribe=");
	if (max > b->size)
		return qemu_err(st,
				"max-resident (%llu KiB) is above size (%llu KiB): an "
				"oversubscribed section holds at most its size; make max-resident "
				"at most size",
				(unsigned long long)(max >> 10),
				(unsigned long long)(b->size >> 10));
	if (b->size / VM_OVERSUB_RATIO_MAX > max)
		return qemu_err(
		    st,
		    "size is more than %d times max-resident: the VMM backs evicted EPC "
		    "with its RAM up to %d times what the VM holds; raise max-resident "
		    "to at least %lluM or lower size",
		    VM_OVERSUB_RATIO_MAX, VM_OVERSUB_RATIO_MAX - 1,
		    (unsigned long long)((b->size + VM_OVERSUB_RATIO_MAX * mib - 1) /
					 (VM_OVERSUB_RATIO_MAX * mib)));
	/* Whole pages, as the section. */
	b->max_resident = (max + SGX_PAGE_SIZE - 1) & SGX_PAGE_MASK;
	return 0;
}

static int qemu_backend_check(struct qemu_state *st, struct qemu_backend *b)
{
	if (!b->id[0])
		return qemu_err(st, "Parameter 'id' is missing; name the backend, e.g. id=epc0");
	if (qemu_backend_find(st, b->id))
		return qemu_err(st,
				"attempt to add duplicate property '%s' to object (type "
				"'container'); give each object its own id",
				b->id);
	if (!b->size)
		return qemu_err(st, "can't create backend with size 0; give it a size, e.g. "
				    "size=64M");
	if (b->size > UINT64_MAX - (SGX_PAGE_SIZE - 1))
		return qemu_err(st, "size 0x%llx cannot be rounded up to 4 KiB pages",
				(unsigned long long)b->size);
	if (b->policy != VM_POLICY_DEFAULT && !b->host_nodes)
		return qemu_err(st, "host-nodes must be set for policy %s; add host-nodes=N",
				vm_mem_policy_name(b->policy));
	if (b->policy == VM_POLICY_DEFAULT && b->host_nodes)
		return qemu_err(st, "host-nodes must be empty for policy default, or you should "
				    "explicitly specify a policy other than default");
	if (qemu_backend_oversub_check(st, b))
		return -EINVAL;
	if (st->nr_backends == QEMU_MAX_BACKENDS)
		return qemu_err(st, "more than %d memory-backend-epc objects; remove unused ones",
				QEMU_MAX_BACKENDS);
	/* The vEPC is mapped in whole pages, as QEMU's RAM blocks are. */
	b->size = (b->size + SGX_PAGE_SIZE - 1) & SGX_PAGE_MASK;
	return 0;
}

static int qemu_backend_epc(struct qemu_state *st, char *p)
{
	struct qemu_backend b = { 0 };
	char *key = NULL, *val = NULL;
	int r = 0;

	/* Every property is checked, so a config shows all its mistakes at once. */
	while (qemu_next_kv(&p, &key, &val))
		if (qemu_backend_prop(st, &b, key, val))
			r = -EINVAL;
	if (!r)
		r = qemu_backend_check(st, &b);
	if (r)
		return r;
	st->backends[st->nr_backends++] = b;
	return 0;
}

/* Object types QEMU has that do not bear on SGX; any other is most likely a typo. */
static const char *const qemu_object_types[] = {
	"memory-backend-epc",
	"memory-backend-ram",
	"memory-backend-file",
	"memory-backend-memfd",
	"secret",
	"secret_keyring",
	"iothread",
	"rng-random",
	"rng-builtin",
	"rng-egd",
	"thread-context",
	"throttle-group",
	"tls-creds-x509",
	"tls-creds-psk",
	"tls-creds-anon",
	"tls-cipher-suites",
	"filter-buffer",
	"filter-mirror",
	"filter-redirector",
	"filter-dump",
	"filter-rewriter",
	"colo-compare",
	"cryptodev-backend-builtin",
	"cryptodev-vhost-user",
	"authz-simple",
	"authz-list",
	"authz-listfile",
	"authz-pam",
	"input-linux",
	"can-bus",
	"can-host-socketcan",
	"dbus-vmstate",
	"pr-manager-helper",
	"sev-guest",
	"sev-snp-guest",
	"tdx-guest",
	"main-loop",
	"acpi-generic-initiator",
	NULL,
};

static int qemu_object_kv(struct qemu_state *st, char *p)
{
	char *key = NULL, *val = NULL, hint[64], what[64];

	qemu_next_kv(&p, &key, &val);
	if (val && !strcmp(key, "qom-type"))
		key = val;
	else if (val)
		return qemu_err(st, "Parameter 'qom-type' is missing; start with the object type");
	if (!strcmp(key, "memory-backend-epc"))
		return qemu_backend_epc(st, p);
	if (!name_in(key, qemu_object_types))
		return qemu_err(
		    st, "invalid object type: %s%s; vsgx models memory-backend-epc", key,
		    vm_did_you_mean(key, strlen(key), qemu_object_types, hint, sizeof(hint)));
	snprintf(what, sizeof(what), "-object %s", key);
	return qemu_ignore(st, what);
}

/* -object TYPE,id=ID,...: also '{"qom-type":"TYPE","id":"ID",...}' */
int qemu_opt_object(struct qemu_state *st, char *arg)
{
	char buf[QEMU_ARG_MAX], err[160];

	if (*arg != '{')
		return qemu_object_kv(st, arg);
	if (qemu_json_to_opts(arg, "qom-type", buf, sizeof(buf), err, sizeof(err)))
		return qemu_err(st, "%s", err);
	return qemu_object_kv(st, buf);
}

/* -device DRIVER,...: also '{"driver":"DRIVER",...}' */
int qemu_opt_device(struct qemu_state *st, char *arg)
{
	char buf[QEMU_ARG_MAX], err[160], *driver = arg;
	size_t n;

	if (*arg == '{') {
		if (qemu_json_to_opts(arg, "driver", buf, sizeof(buf), err, sizeof(err)))
			return qemu_err(st, "%s", err);
		driver = buf;
	}
	n = strcspn(driver, ",");
	/* EPC is enumerated by CPUID, so it must exist before the vCPUs, unlike devices. */
	if (n == 7 && !strncmp(driver, "sgx-epc", 7))
		return qemu_err(st, "'sgx-epc' can't be created after vCPUs, e.g. via -device; use "
				    "-M sgx-epc.N.memdev=ID,sgx-epc.N.node=N");
	return qemu_ignore(st, "-device");
}
