/* SPDX-License-Identifier: MIT */
/*
 * The monitor at a terminal: libedit's line editing, a history kept across
 * sessions, and tab completion from the monitor's command table.
 */
#ifndef VSGX_CLI_MONITOR_PROMPT_H
#define VSGX_CLI_MONITOR_PROMPT_H

#include <stdbool.h>
#include <stdio.h>

#include "monitor.h"

struct monitor_prompt;

/*
 * Start editing lines for (mon), the prompt and the echo of what is typed on
 * (out); load the history ($XDG_STATE_HOME/vsgx/history, else
 * ~/.local/state/vsgx/history). Only one prompt at a time: libedit's
 * readline interface is global. Return: 0 or -ENOMEM.
 */
int monitor_prompt_open(struct monitor *mon, FILE *out, struct monitor_prompt **ret);

/*
 * The next line typed into (line), without its newline; false at the end
 * (Ctrl-D). Ctrl-C drops the line being typed and prompts again. A line too
 * long for the monitor sets *ret_err to MONITOR_SYNTAX and says why.
 */
bool monitor_prompt_read(struct monitor_prompt *p, char line[MONITOR_LINE_MAX], int *ret_err);

/* Save the history and stop; (p) may be NULL. */
void monitor_prompt_close(struct monitor_prompt *p);

#endif /* VSGX_CLI_MONITOR_PROMPT_H */
