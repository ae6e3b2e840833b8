/* SPDX-License-Identifier: MIT */
/*
 * vsgx einit FILE.sgxs FILE.sig [--lehash HEX64 | --flc]
 *
 * Build the enclave on a freshly powered-on default processor, as an OS
 * driver would, and show what EINIT says about it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vsgx/loader.h"
#include "vsgx/encls.h"
#include "vsgx/processor.h"
#include "vsgx/sgxs.h"
#include "vsgx/sigstruct.h"

static const char einit_usage[] =
    "usage: vsgx einit FILE.sgxs FILE.sig [--lehash HEX64 | --flc]\n"
    "\n"
    "Replay FILE.sgxs as ECREATE/EADD/EEXTEND on a modelled processor (SECS\n"
    "attributes from FILE.sig), run EINIT with an all-zero EINITTOKEN, and print\n"
    "the result, MRENCLAVE and MRSIGNER. One of the files may be '-', standard input.\n"
    "\n"
    "  --flc          write the enclave's own MRSIGNER into IA32_SGXLEPUBKEYHASH0..3\n"
    "                 before EINIT, as Linux does on parts with flexible launch control\n"
    "  --lehash HEX64 write this 32-byte hash (64 hex digits) into the MSRs instead\n"
    "\n"
    "Without either, the MSRs keep their power-on value: the hash of Intel's\n"
    "launch enclave key. Exit status: 0 SGX_SUCCESS, 1 another SGX result,\n"
    "2 bad usage or a bad file.\n";

struct einit_opts {
	const char *sgxs_path;
	const char *sig_path;
	bool flc;
	bool lehash_set;
	uint8_t lehash[SGX_HASH_SIZE];
};

struct einit_job {
	struct sgxs *sgxs;
	struct sgx_sigstruct sig;
	struct hw_processor *proc;
	void *scratch;
	uint64_t next_pa, end_pa;
};

static int einit_parse(int argc, char **argv, struct einit_opts *o)
{
	static const struct option longopts[] = {
		{ "flc", no_argument, NULL, 'f' },
		{ "lehash", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->flc = true;
			break;
		case 'l':
			if (cli_parse_hex(optarg, o->lehash, sizeof(o->lehash))) {
				cli_error("--lehash takes 64 hex digits (a SHA-256), not '%s'",
					  optarg);
				return CLI_EXIT_USAGE;
			}
			o->lehash_set = true;
			break;
		case 'h':
			fputs(einit_usage, stdout);
			return -1;
		default:
			fputs(einit_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (o->flc && o->lehash_set) {
		cli_error("--flc and --lehash both set the LE hash MSRs; give one");
		return CLI_EXIT_USAGE;
	}
	if (argc - optind != 2) {
		cli_error("einit takes an SGXS file and a SIGSTRUCT file; see 'vsgx einit --help'");
		return CLI_EXIT_USAGE;
	}
	o->sgxs_path = argv[optind];
	o->sig_path = argv[optind + 1];
	if (!strcmp(o->sgxs_path, "-") && !strcmp(o->sig_path, "-")) {
		cli_error("einit: standard input ('-') can be FILE.sgxs or FILE.sig, not both; "
			  "name one of them by its path");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int einit_load(const struct einit_opts *o, struct einit_job *job)
{
	char why[256];
	int r;

	r = cli_sgxs_load(o->sgxs_path, &job->sgxs, why, sizeof(why));
	if (r) {
		cli_error("%s: %s", cli_input_name(o->sgxs_path), why);
		return CLI_EXIT_USAGE;
	}
	r = cli_sigstruct_load(o->sig_path, &job->sig, why, sizeof(why));
	if (r) {
		cli_error("%s: %s", cli_input_name(o->sig_path), why);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* A default processor with enough EPC for this enclave. */
static int einit_power_on(struct einit_job *job)
{
	uint64_t need = (job->sgxs->nr_eadd + 1) * SGX_PAGE_SIZE;
	struct hw_desc d;
	int r;

	hw_desc_init_default(&d);
	if (d.sections[0].size < need)
		d.sections[0].size = (need + (1ULL << 20) - 1) & ~((1ULL << 20) - 1);
	r = hw_processor_create(&d, &job->proc);
	if (r) {
		cli_error("cannot model a processor for this enclave: %s", strerror(-r));
		return CLI_EXIT_USAGE;
	}
	job->next_pa = d.sections[0].base;
	job->end_pa = d.sections[0].base + d.sections[0].size;
	job->scratch = aligned_alloc(SGX_PAGE_SIZE, LOADER_SCRATCH_PAGES * SGX_PAGE_SIZE);
	if (!job->scratch) {
		cli_error("out of memory");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int einit_epc_alloc(void *opaque, uint64_t *ret_pa)
{
	struct einit_job *job = opaque;

	if (job->next_pa >= job->end_pa)
		return -ENOSPC;
	*ret_pa = job->next_pa;
	job->next_pa += SGX_PAGE_SIZE;
	return 0;
}

static void print_result(const char *leaf, int r, struct hw_cpu *cpu)
{
	const struct hw_fault *f = hw_cpu_fault(cpu);

	if (!hw_faulted(r))
		printf("%s: %s (%d)\n", leaf, hw_code_name(r), r);
	else if (f->vector == X86_TRAP_PF)
		printf("%s: %s at 0x%llx\n", leaf, hw_vector_name(f->vector),
		       (unsigned long long)f->addr);
	else
		printf("%s: %s\n", leaf, hw_vector_name(f->vector));
}

/* Put the LE hash into the MSRs of (cpu) as a kernel would before EINIT. */
static int einit_write_lehash(struct hw_cpu *cpu, const uint8_t hash[SGX_HASH_SIZE])
{
	for (int i = 0; i < 4; i++) {
		uint64_t v;
		int r;

		memcpy(&v, hash + 8 * i, sizeof(v));
		r = hw_msr_write(cpu, MSR_IA32_SGXLEPUBKEYHASH0 + i, v);
		if (r) {
			print_result("WRMSR IA32_SGXLEPUBKEYHASH", r, cpu);
			return CLI_EXIT_SGX;
		}
	}
	return 0;
}

static void print_identity(const uint8_t mrenclave[32], const uint8_t mrsigner[32])
{
	char hex[2 * SGX_HASH_SIZE + 1];

	cli_format_hex(mrenclave, SGX_HASH_SIZE, hex);
	printf("mrenclave %s\n", hex);
	cli_format_hex(mrsigner, SGX_HASH_SIZE, hex);
	printf("mrsigner  %s\n", hex);
}

static int einit_run(const struct einit_opts *o, struct einit_job *job)
{
	struct hw_cpu *cpu = hw_processor_cpu(job->proc, 0);
	struct loader_env env = {
		.encls = cli_encls,
		.leaf_opaque = cpu,
		.scratch = job->scratch,
		.scratch_la = (uintptr_t)job->scratch,
		.epc_alloc = einit_epc_alloc,
		.opaque = job,
	};
	uint8_t mrenclave[SGX_HASH_SIZE], mrsigner[SGX_HASH_SIZE];
	struct sgx_einittoken token;
	struct hw_enclave_info info;
	struct loader_result res;
	struct sgx_secs secs;
	int r;

	bool mode64 = job->sig.attributes.flags & SGX_ATTR_MODE64BIT;

	loader_secs_init(&secs, job->sgxs, &job->sig, loader_default_base(job->sgxs->size, mode64));
	r = loader_build(&env, job->sgxs, &secs, &res);
	if (r < 0) {
		cli_error("building the enclave failed: %s", strerror(-r));
		return CLI_EXIT_USAGE;
	}
	if (r > 0) {
		print_result(res.leaf, res.result, cpu);
		return CLI_EXIT_SGX;
	}
	if (sgxs_measure(job->sgxs, mrenclave) || sigstruct_mrsigner(&job->sig, mrsigner))
		return CLI_EXIT_USAGE;
	if (o->flc || o->lehash_set) {
		r = einit_write_lehash(cpu, o->flc ? mrsigner : o->lehash);
		if (r)
			return r;
	}
	memset(&token, 0, sizeof(token));
	r = loader_einit(&env, res.secs_pa, &job->sig, &token);
	print_result("EINIT", r, cpu);
	if (r == SGX_SUCCESS && !hw_enclave_query(job->proc, res.secs_pa, &info))
		print_identity(info.mrenclave, info.mrsigner);
	else
		print_identity(mrenclave, mrsigner);
	return r == SGX_SUCCESS ? CLI_EXIT_OK : CLI_EXIT_SGX;
}

int cmd_einit(int argc, char **argv)
{
	struct einit_job job = { 0 };
	struct einit_opts o;
	int r;

	r = einit_parse(argc, argv, &o);
	if (r)
		return r < 0 ? CLI_EXIT_OK : r;
	r = einit_load(&o, &job);
	if (!r)
		r = einit_power_on(&job);
	if (!r)
		r = einit_run(&o, &job);
	free(job.scratch);
	hw_processor_destroy(job.proc);
	sgxs_free(job.sgxs);
	return r;
}
