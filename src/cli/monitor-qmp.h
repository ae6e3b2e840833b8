/* SPDX-License-Identifier: MIT */
/*
 * The monitor's QMP socket (`vsgx monitor --qmp unix:PATH`): QMP clients on
 * a thread of their own, the monitor's state behind one lock that the
 * prompt takes too, and QMP events for what any command did to a VM.
 */
#ifndef VSGX_CLI_MONITOR_QMP_H
#define VSGX_CLI_MONITOR_QMP_H

#include <stdbool.h>

#include "monitor.h"

struct monitor_qmp;

/*
 * Serve QMP for (mon) at (spec), "unix:PATH". Return: 0, -EINVAL for
 * another kind of address (with why on stderr), or the socket's -errno.
 */
int monitor_qmp_start(struct monitor *mon, const char *spec, struct monitor_qmp **ret);

/*
 * Run one line of the prompt, under the monitor's lock; then tell QMP
 * clients what it did to the VMs. (q) may be NULL. Return: as monitor_line().
 */
int monitor_qmp_line(struct monitor_qmp *q, struct monitor *mon, const char *name,
		     unsigned int line, const char *text);

/* Whether the session has ended, by 'quit' at the prompt or over QMP. */
bool monitor_qmp_has_quit(struct monitor_qmp *q, struct monitor *mon);

/*
 * The prompt has ended (its input, or 'quit'): serve QMP until a client
 * sends quit when (wait) is true, then stop; (q) may be NULL.
 */
void monitor_qmp_stop(struct monitor_qmp *q, bool wait);

#endif /* VSGX_CLI_MONITOR_QMP_H */
