/* SPDX-License-Identifier: MIT */
/* Placeholder so the tree builds until the trace runner lands (helper-owned file). */
#include "cli.h"
int cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("trace is not built yet");
	return CLI_EXIT_USAGE;
}
