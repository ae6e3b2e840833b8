/* SPDX-License-Identifier: MIT */
/* The monitor's internals, shared by monitor.c, monitor-exec.c and monitor-report.c only. */
#ifndef VSGX_CLI_MONITOR_INT_H
#define VSGX_CLI_MONITOR_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor.h"
#include "vsgx/guest.h"
#include "vsgx/vmm.h"

#define MON_MAX_WORDS  96
#define MON_WORD_MAX   512
#define MON_MSG_MAX    600
#define MON_DETAIL_MAX 8192 /* 'help' lists every command */

struct crypto_rsa_key;
struct mon_audit;

/* The fields of 'expect vm|node|host|enclave|guest', NULL-terminated (monitor-exec.c). */
extern const char *const mon_vm_fields[];
extern const char *const mon_epc_fields[];
extern const char *const mon_enclave_fields[];
extern const char *const mon_guest_fields[];
extern const char *const mon_owner_fields[];

/* A line split into words: arguments, then NAME=VALUE options, then "=> OUTCOME". */
struct mon_line {
	const char *name;
	unsigned int line;
	char buf[MONITOR_LINE_MAX];
	char *w[MON_MAX_WORDS];
	unsigned int col[MON_MAX_WORDS];
	unsigned int nw;
	const char *want; /* the outcome after "=>", or NULL */
	unsigned int want_col;
};

/* A VM the monitor runs, and the guest OS in it once booted. */
struct mon_vm {
	struct vmm_vm *vm;
	struct guest *guest;
	unsigned int slept;	   /* the sleep state it is in: 3, 4, 5, or 0 */
	bool boot_pending;	   /* reset while paused: the guest boots on resume */
	struct vmm_epc_reset last; /* what the last reset or sleep's remove-all passes did */
};

/* A host enclave the monitor made ('enclave create'). */
struct mon_encl {
	char name[64];
	struct host_encl *e;
};

struct monitor {
	struct monitor_opts o;
	struct vmm *m;
	struct mon_vm *vms; /* the VMs, in creation order but for destroys */
	unsigned int nr_vms, cap_vms;
	struct mon_encl *encls; /* host enclaves */
	unsigned int nr_encls, cap_encls;
	uint64_t encl_serial;	    /* places each host enclave's ELRANGE */
	struct crypto_rsa_key *key; /* the default signing key, loaded on first use */
	struct mon_audit *audit;    /* with --audit */
	unsigned int commands, checks;
	/* What the command running now says about itself. */
	char detail[MON_DETAIL_MAX];
	bool detail_json;      /* the detail is a QMP answer */
	char msg[MON_MSG_MAX]; /* why it failed */
	int err;	       /* its -errno, or 0 */
	bool mismatch;	       /* an expect found a difference (msg says which) */
	bool quit;	       /* 'quit' ran: no more lines */
};

/* A command: its words after the group and subcommand, the line for messages. */
struct mon_cmd {
	struct monitor *mon;
	const struct mon_line *l;
	unsigned int first; /* index of the first word after the command's name */
};

/* The words of a command that are not NAME=VALUE, and the option (name)'s value. */
unsigned int mon_nargs(const struct mon_cmd *c);
const char *mon_arg(const struct mon_cmd *c, unsigned int i);
const char *mon_opt(const struct mon_cmd *c, const char *name);

/* Record a failure of the running command: (err) and a message. Returns (err). */
int mon_fail(struct monitor *mon, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A path from a command: $VECTORS expanded, relative to the scenario's directory. */
int mon_path(struct monitor *mon, const char *word, char *buf, size_t len);

/* The machine, powered on with the default host if no 'host' command came first. */
int mon_machine(struct monitor *mon);

/* Whether a host of (d) is within the monitor's limits (monitor_opts.max_epc); else -EFBIG. */
int mon_host_within(struct monitor *mon, const struct hw_desc *d);

struct mon_vm *mon_vm_find(struct monitor *mon, const char *name);

/*
 * A balloon target: a size with a K, M, G or T suffix (KiB, MiB, ... also
 * accepted), a whole number of 4 KiB pages, or a bare number of pages.
 * Return: 0 with the pages in *ret, or -EINVAL with the reason in (why).
 */
int mon_balloon_target(const char *word, uint64_t *ret, char *why, size_t why_len);

/* Command groups (monitor-exec.c, monitor-report.c). */
int mon_exec_host(struct mon_cmd *c);
/* host poison NODE PAGE */
int mon_exec_host_poison(struct mon_cmd *c);
int mon_exec_vm(struct mon_cmd *c, const char *sub);
int mon_exec_guest(struct mon_cmd *c, const char *sub);
int mon_exec_expect(struct mon_cmd *c, const char *sub);
int mon_exec_info(struct mon_cmd *c, const char *sub);
int mon_exec_qmp(struct mon_cmd *c, const char *sub);

/* Compare the FIELD=VALUE words from word (from) on with (vals), in the order of (names). */
int mon_expect_fields(struct mon_cmd *c, const char *const *names, const char *const *vals,
		      unsigned int from);

/* EPC owners and host enclaves (monitor-owner.c). */
int mon_exec_owner(struct mon_cmd *c, const char *sub);
int mon_exec_enclave(struct mon_cmd *c, const char *sub);
int mon_expect_owner(struct mon_cmd *c);
int mon_info_owners(struct mon_cmd *c);
/* EPC pages the monitor's host enclaves hold: SECS, VA pages, resident pages. */
uint64_t mon_encl_pages(struct monitor *mon);
struct report_owner;
struct report_snapshot;
/*
 * The owners in tree order into (snap) (none unless an operator made one,
 * or (always)): the array to free(), NULL when out of memory.
 */
struct report_owner *mon_owners_snapshot(struct monitor *mon, struct report_snapshot *snap,
					 bool always);
/* Destroy the host enclaves and every owner but the root (the VMs are gone). */
void mon_owners_free(struct monitor *mon);

/*
 * QMP's query-sgx of (v) and query-sgx-capabilities of the machine (on):
 * 0 and the answer in *ret, or -ENODEV and QEMU's error in (desc).
 */
struct json_object;
int mon_qmp_sgx(struct mon_vm *v, struct json_object **ret, char *desc, size_t len);
int mon_qmp_sgx_capabilities(struct monitor *mon, struct json_object **ret, char *desc, size_t len);

/* JSON lines: a command's outcome, and the closing report. */
void mon_json_command(struct monitor *mon, const struct mon_line *l, const char *outcome);

#endif /* VSGX_CLI_MONITOR_INT_H */
