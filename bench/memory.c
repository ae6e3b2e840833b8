/* SPDX-License-Identifier: MIT */
/*
 * bench-memory: host memory per EPC page, and the boot of a large EPC.
 *
 * Usage: bench-memory GIB-PER-NODE NODES [touch] [check MAX-BYTES-PER-PAGE] [boot MAX-SECONDS]
 *
 * Powers on a processor with NODES sections of GIB-PER-NODE GiB (one per
 * node), boots the host driver on it (sanitizing every page, on as many of
 * the processor's CPUs as the machine has), then gives one VM owner a vEPC
 * instance per node as large as the section and faults in every page, so
 * the VM holds all of the EPC; with "touch", EPA then writes every page's
 * EPCM entry (the worst case: every entry in use). It prints the resident
 * memory the process gained at each step, per EPC page, and the boot time.
 *
 * It fails (exit 1) when the VM's step left more than MAX-BYTES-PER-PAGE
 * resident per page, plus 64 KiB in all ("check"), or the boot took longer than MAX-SECONDS
 * ("boot"): make stress runs 512 GiB x 2 nodes with touch against 16 bytes
 * and 10 s (scripts/lean.sh); the tests run 4 GiB x 2 against 16 bytes (no
 * time: tests are not timed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsgx/encls.h"
#include "vsgx/host.h"
#include "vsgx/processor.h"

#include "bench-util.h"

#define MAX_NODES 8

/*
 * AddressSanitizer keeps a shadow byte for every 8 the program writes: in
 * such a build the bound is 9/8 of the one asked for.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SHADOW_FACTOR (9.0 / 8.0)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHADOW_FACTOR (9.0 / 8.0)
#endif
#endif
#ifndef SHADOW_FACTOR
#define SHADOW_FACTOR 1.0
#endif

static double per_page(long long rss, long long base, uint64_t pages)
{
	return (double)(rss - base) / (double)pages;
}

int main(int argc, char **argv)
{
	struct host_vepc *v[MAX_NODES];
	struct host_owner *vm;
	struct hw_processor *p;
	struct hw_desc d;
	struct host *h;
	uint64_t gib, nodes, pages, per_node;
	double t0, boot, bytes, max_bytes = 0, max_boot = 0;
	long long base, booted;
	bool touch = false, check = false, timed = false;
	int r;

	bench_name = "bench-memory";
	if (argc < 3) {
		fprintf(stderr, "usage: bench-memory GIB-PER-NODE NODES [touch] [check "
				"MAX-BYTES-PER-PAGE] [boot MAX-SECONDS]\n");
		return 2;
	}
	gib = strtoull(argv[1], NULL, 0);
	nodes = strtoull(argv[2], NULL, 0);
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "touch")) {
			touch = true;
		} else if (!strcmp(argv[i], "check") && i + 1 < argc) {
			check = true;
			max_bytes = strtod(argv[++i], NULL) * SHADOW_FACTOR;
		} else if (!strcmp(argv[i], "boot") && i + 1 < argc) {
			timed = true;
			max_boot = strtod(argv[++i], NULL);
		} else {
			fprintf(stderr, "bench-memory: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!gib || !nodes || nodes > MAX_NODES) {
		fprintf(stderr, "bench-memory: expected 1 GiB or more on 1 to %d nodes\n",
			MAX_NODES);
		return 2;
	}
	per_node = gib << 18;
	pages = per_node * nodes;

	hw_desc_init_default(&d);
	d.nr_sections = (unsigned int)nodes;
	for (unsigned int i = 0; i < nodes; i++) {
		/* 2 TiB apart: room for the largest section a socket has. */
		d.sections[i].base = (uint64_t)(i + 1) << 41;
		d.sections[i].size = gib << 30;
		d.sections[i].node = i;
		d.sections[i].contents = NULL;
	}
	if (d.nr_cpus < 2)
		d.nr_cpus = 2;
	base = bench_rss_bytes();
	r = hw_processor_create(&d, &p);
	if (r)
		bench_die("hw_processor_create", r, NULL);
	t0 = bench_now();
	r = host_create(p, hw_processor_cpu(p, 0), &h);
	if (r)
		bench_die("host_create", r, NULL);
	boot = bench_now() - t0;
	printf("EPC: %llu GiB x %llu nodes, %llu pages; EPCM entry %u bytes, host %u bytes a "
	       "page held at most\n",
	       (unsigned long long)gib, (unsigned long long)nodes, (unsigned long long)pages,
	       HW_EPCM_ENTRY_BYTES, HOST_EPC_PAGE_BYTES);
	booted = bench_rss_bytes();
	printf("boot (sanitization):  %8.3f s, %6.2f ns a page, %6.3f bytes a page resident "
	       "(%lld KiB: the process's own, mostly)\n",
	       boot, boot * 1e9 / (double)pages, per_page(booted, base, pages),
	       (booted - base) >> 10);

	r = host_owner_create(h, HOST_OWNER_VM, HOST_NO_LIMIT, &vm);
	if (r)
		bench_die("host_owner_create", r, NULL);
	t0 = bench_now();
	for (unsigned int n = 0; n < nodes; n++) {
		r = host_vepc_open(h, n, vm, &v[n]);
		if (!r)
			r = host_vepc_map(v[n], per_node);
		if (r)
			bench_die("host_vepc_open/map", r, NULL);
		for (uint64_t i = 0; i < per_node; i++) {
			uint64_t pa;

			r = host_vepc_fault(v[n], i, &pa);
			if (r)
				bench_die("host_vepc_fault", r, NULL);
			if (touch && (r = hw_epa(hw_processor_cpu(p, 0), SGX_PT_VA, pa)))
				bench_die("EPA", r, NULL);
		}
	}
	/* What holding the pages added, without the fixed cost of the process and boot. */
	bytes = per_page(bench_rss_bytes(), booted, pages);
	printf("a VM holds all%s: %8.3f s, %6.3f bytes a page more, %.2f GiB resident in all\n",
	       touch ? ", every EPCM entry written" : "", bench_now() - t0, bytes,
	       (double)bench_rss_bytes() / (1 << 30));

	t0 = bench_now();
	for (unsigned int n = 0; n < nodes; n++)
		if (host_vepc_release(v[n], hw_processor_cpu(p, 0)))
			bench_die("host_vepc_release (zombies)", 1, NULL);
	printf("VM released:          %8.3f s, %6.3f bytes a page resident\n", bench_now() - t0,
	       per_page(bench_rss_bytes(), booted, pages));
	host_owner_destroy(vm);
	host_destroy(h);
	hw_processor_destroy(p);

	r = 0;
	/* The bound, plus 64 KiB for the instances' and the owner's own structures. */
	if (check && bytes * (double)pages > max_bytes * (double)pages + 65536) {
		fprintf(stderr,
			"bench-memory: %.3f bytes a page resident, more than %.2f (and 64 KiB)\n",
			bytes, max_bytes);
		r = 1;
	}
	if (timed && boot > max_boot) {
		fprintf(stderr, "bench-memory: the boot took %.3f s, more than %.3f s\n", boot,
			max_boot);
		r = 1;
	}
	return r;
}
