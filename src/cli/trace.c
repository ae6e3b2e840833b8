/* SPDX-License-Identifier: MIT */
/* Placeholder so the tree builds until the trace runner lands (helper-owned file). */
#include "cli.h"
typedef int trace_placeholder;
