/* SPDX-License-Identifier: MIT */
/*
 * The monitor's accounting audit (`vsgx run --audit`, `vsgx monitor
 * --audit`): after every command, the EPC pages of every NUMA node add up,
 * the VMs hold what the host says they hold, no guest leaked a page, and no
 * enclave was found lost unless its VM's EPC was taken since it was built.
 */
#ifndef VSGX_CLI_MONITOR_AUDIT_H
#define VSGX_CLI_MONITOR_AUDIT_H

#include <stddef.h>

struct monitor;
struct mon_audit;

/* Return: 0, or -ENOMEM. */
int mon_audit_create(struct mon_audit **ret);
/* Accepts NULL. */
void mon_audit_free(struct mon_audit *a);

/*
 * Check (mon) after a command. Return: 0, or -EPROTO with the first rule
 * broken in (why): what, on which node or VM, with the numbers.
 */
int mon_audit_check(struct mon_audit *a, struct monitor *mon, char *why, size_t why_len);

#endif /* VSGX_CLI_MONITOR_AUDIT_H */
