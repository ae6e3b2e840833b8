/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the monitor: any text is a session, each line checked
 * and run as `vsgx monitor` runs what it reads: hosts, VMs, guests,
 * enclaves, resets, sleeps, migrations, expectations. Nothing may
 * crash, leak or read outside what it owns, and every refusal says why.
 *
 * Runs stay small and fast: the monitor's limits (monitor_opts.max_epc,
 * max_ram) refuse a host or a VM beyond a few MiB of EPC with EFBIG, a
 * scenario without a 'host' line gets a small one, and files are only the
 * repository's vectors (a word naming a file has no '/' but after
 * $VECTORS/): /dev/zero or a FIFO is not a monitor bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-paths.h"
#include "monitor.h"

#define FUZZ_MAX_EPC   (16ULL << 20)
#define FUZZ_MAX_RAM   (1ULL << 30)
#define FUZZ_MAX_INPUT 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_host[] = "host epc=4M@0 epc=4M@1 cpus=4 sgx2=1 flc=1\n";

static bool fuzz_has_host(const char *text)
{
	for (const char *p = text; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		p += strspn(p, " \t");
		if (!strncmp(p, "host", 4) &&
		    (p[4] == ' ' || p[4] == '\t' || p[4] == '\n' || !p[4]))
			return true;
	}
	return false;
}

/*
 * Each line checked and run as the monitor runs what it reads, going on
 * after a failure (a scenario file would stop there): a fuzzed line that
 * fails does not hide the ones after it.
 */
static void fuzz_lines(struct monitor *mon, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char line[MONITOR_LINE_MAX];
	unsigned int n = 0;

	while (p < end && !monitor_has_quit(mon)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		monitor_line(mon, "fuzz", ++n, line);
		p = nl ? nl + 1 : end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_opts opts = { .vectors = VSGX_VECTORS_DIR,
				     .basedir = VSGX_VECTORS_DIR,
				     .max_epc = FUZZ_MAX_EPC,
				     .max_ram = FUZZ_MAX_RAM };
	size_t pre = sizeof(fuzz_host) - 1;
	struct monitor *mon;
	char *text;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	text = malloc(pre + size + 1);
	if (!text)
		return 0;
	memcpy(text + pre, data, size);
	text[pre + size] = '\0';
	if (!fuzz_paths_ok(text + pre, size))
		goto out;
	if (fuzz_has_host(text + pre)) {
		pre = 0;
		memmove(text, text + sizeof(fuzz_host) - 1, size + 1);
	} else {
		memcpy(text, fuzz_host, pre);
	}
	if (monitor_create(&opts, &mon))
		goto out;
	fuzz_lines(mon, text, pre + size);
	monitor_report(mon);
	monitor_free(mon);
out:
	free(text);
	return 0;
}
