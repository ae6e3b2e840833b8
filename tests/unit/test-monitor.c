// SPDX-License-Identifier: MIT
/*
 * The monitor's language: every kind of line it refuses, with its exact
 * message, and outcomes, expectations, failures and reports of lines it runs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "monitor-int.h"
#include "monitor.h"
#include "vsgx/host.h"

struct syntax_case {
	const char *text;
	const char *msg;
};

static void test_syntax(void **state)
{
	static const struct syntax_case cases[] = {
		{ "frob", "s:1:1: unknown command 'frob': 'help' lists them" },
		{ "sytem_reset a",
		  "s:1:1: unknown command 'sytem_reset': did you mean 'system_reset'?" },
		{ "gust a boot", "s:1:1: unknown command 'gust': did you mean 'guest'?" },
		{ "vm", "s:1:1: 'vm' needs a subcommand: 'help vm' lists them" },
		{ "vm explode a", "s:1:4: unknown vm subcommand 'explode': 'help vm' lists them" },
		{ "vm rest a", "s:1:4: unknown vm subcommand 'rest': did you mean 'reset'?" },
		{ "guest a bot", "s:1:9: unknown guest subcommand 'bot': did you mean 'boot'?" },
		{ "info frob", "s:1:6: unknown info subcommand 'frob': 'help info' lists them" },
		{ "stop a b", "s:1:1: expected 'vm pause NAME'" },
		{ "quit now", "s:1:1: expected 'quit'" },
		{ "help a b c", "s:1:1: expected 'help [COMMAND [SUBCOMMAND]]'" },
		{ "vm create", "s:1:1: expected 'vm create NAME" },
		{ "vm reset", "s:1:1: expected 'vm reset NAME [nostop]'" },
		{ "vm reset a b c", "s:1:1: expected 'vm reset NAME [nostop]'" },
		{ "vm pause a force=1", "s:1:12: 'force=1' is no option of 'vm pause NAME'" },
		{ "vm suspend a", "s:1:1: expected 'vm suspend NAME s3|s4|s5'" },
		{ "guest a", "s:1:1: 'guest' needs a subcommand: 'help guest' lists them" },
		{ "guest a build e1 pages=", "s:1:18: 'pages=' is no option of 'guest NAME build" },
		{ "guest a enter e1 cpu=1", "s:1:18: 'cpu=1' is no option of 'guest NAME enter" },
		{ "guest a grow e1 pages=1 x",
		  "s:1:1: expected 'guest NAME grow ENCLAVE pages=N'" },
		{ "expect vm", "s:1:1: expected 'expect vm NAME FIELD=VALUE...'" },
		{ "expect enclave a",
		  "s:1:1: expected 'expect enclave VM ENCLAVE FIELD=VALUE...'" },
		/* Fields are no names: a line of fields only lacks the VM, node or enclave. */
		{ "expect vm state=running", "s:1:1: expected 'expect vm NAME FIELD=VALUE...'" },
		{ "expect guest epc-free=1", "s:1:1: expected 'expect guest VM FIELD=VALUE...'" },
		{ "expect node free=1", "s:1:1: expected 'expect node N FIELD=VALUE...'" },
		{ "expect enclave a state=alive",
		  "s:1:1: expected 'expect enclave VM ENCLAVE FIELD=VALUE...'" },
		{ "expect vm a state=", "s:1:13: 'state=' is no field of 'expect vm" },
		/* Fields and their values are checked before anything runs. */
		{ "expect host foo=1", "s:1:13: 'foo=1' is no field of 'expect host" },
		{ "expect node 0 total=abc", "s:1:15: 'total=abc': expected a number" },
		{ "expect enclave a e inside=-1", "s:1:20: 'inside=-1': expected a number" },
		{ "expect vm a state=bogus", "s:1:13: 'state=bogus': no vm is in that state" },
		{ "expect enclave a e state=running",
		  "s:1:20: 'state=running': no enclave is in that state" },
		{ "expect node x free=1", "s:1:13: 'x' is no NUMA node (0 to 63)" },
		{ "guest a build e1 pages=8 debug debug x",
		  "s:1:1: expected 'guest NAME build ENCLAVE" },
		{ "qmp query-sgx", "s:1:1: expected 'qmp query-sgx VM'" },
		{ "qmp query-foo",
		  "s:1:5: unknown qmp subcommand 'query-foo': 'help qmp' lists them" },
		{ "info sgx a b", "s:1:1: expected 'info sgx [VM]'" },
		{ "vm destroy a =>", "s:1:14: '=>' is followed by exactly one outcome" },
		{ "vm destroy a => ok ok", "s:1:14: '=>' is followed by exactly one outcome" },
		{ "vm destroy a => OK", "s:1:17: unknown outcome 'OK': ok, error, an errno name" },
	};
	struct monitor_opts o = { 0 };
	struct monitor *mon;
	char why[512];

	(void)state;
	assert_int_equal(monitor_create(&o, &mon), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = monitor_check_line(mon, "s", 1, cases[i].text, why, sizeof(why));

		if (r != MONITOR_SYNTAX || strncmp(why, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("line: %s\nwant: %s\ngot (%d): %s", cases[i].text, cases[i].msg, r,
				 why);
	}
	/* Accepted lines: blank, comments, and every command's shape. */
	static const char *const good[] = {
		"",
		"   # only a comment",
		"host epc=64M@0 cpus=2",
		"vm create a memory=128 epc=8",
		"vm create a qemu -m 128M",
		"vm reset a nostop => EBUSY",
		"guest a boot",
		"guest a build e pages=8 threads=2 debug",
		"guest a enter e thread=1 vcpu=0 # x",
		"expect node 0 free=1",
		"expect host total=1",
		"qmp query-sgx-capabilities",
		"guest a load e sgxs=x sig=y => SGX_INVALID_EINITTOKEN",
		"echo hello world",
		"system_reset",
		"stop a",
		"cont",
		"system_wakeup a",
		"q",
		"help",
		"help vm reset",
		"info",
		"info vms",
		"info status a",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (monitor_check_line(mon, "s", 1, good[i], why, sizeof(why)))
			fail_msg("refused: %s: %s", good[i], why);
	}
	monitor_free(mon);
}

struct run_out {
	char *out, *err;
	size_t out_len, err_len;
	int r;
};

static void run(const char *text, struct run_out *ro)
{
	FILE *out = open_memstream(&ro->out, &ro->out_len);
	FILE *err = open_memstream(&ro->err, &ro->err_len);
	struct monitor_opts o = { getenv("VSGX_VECTORS"), NULL, out, err, NULL, false };
	struct monitor *mon;

	assert_int_equal(monitor_create(&o, &mon), 0);
	ro->r = monitor_run_text(mon, "s", text, strlen(text));
	monitor_report(mon);
	monitor_free(mon);
	fclose(out);
	fclose(err);
}

static void run_free(struct run_out *ro)
{
	free(ro->out);
	free(ro->err);
}

static void test_outcomes(void **state)
{
	struct run_out ro;

	(void)state;
	run("host epc=16M@0 cpus=2\n"
	    "vm create a memory=128 epc=8\n"
	    "vm create a memory=128 epc=8 => EEXIST\n"
	    "vm destroy b => ENOENT\n"
	    "vm pause a\nvm pause a => EINVAL\nvm resume a\n"
	    "vm create b memory=128 epc=100 => EINVAL\n"
	    "guest a enter e1 => ENODEV\n"
	    "expect vm a state=running epc-configured=2048 epc-held=0 enclaves=0\n"
	    "expect node 0 total=4096 free=4096\n",
	    &ro);
	assert_int_equal(ro.r, MONITOR_OK);
	assert_string_equal(ro.err, "");
	assert_non_null(strstr(ro.out, "vm create a memory=128 epc=8 -> EEXIST (a VM named 'a' "
				       "exists already; destroy it or pick another name)\n"));
	assert_non_null(strstr(ro.out, "vm destroy b -> ENOENT (no VM named 'b': 'vm create b "
				       "...' first)\n"));
	assert_non_null(strstr(ro.out, "== report: 11 commands, 11 checks\n"));
	assert_non_null(strstr(ro.out, "vm a: running, EPC 8 MiB configured, 0 pages held, 0 "
				       "enclaves, 0 resets (0 failed)"));
	assert_non_null(strstr(ro.out, "node 0: EPC 4096 pages total, 4096 free, 0 used, 0 "
				       "zombie, 0 bad\n"));
	run_free(&ro);
}

static void test_failures_stop_the_run(void **state)
{
	struct run_out ro;

	(void)state;
	run("vm create a memory=128 epc=8\nexpect vm a epc-held=7\nvm destroy a\n", &ro);
	assert_int_equal(ro.r, MONITOR_FAILED);
	assert_string_equal(ro.err, "s:2: expected epc-held=7, got epc-held=0\n");
	assert_null(strstr(ro.out, "vm destroy a ->"));
	run_free(&ro);
	run("vm create a memory=128 epc=8\nvm destroy a => EBUSY\n", &ro);
	assert_int_equal(ro.r, MONITOR_FAILED);
	assert_string_equal(ro.err, "s:2: expected EBUSY, got ok\n");
	run_free(&ro);
	run("expect vm a state=running\n", &ro);
	assert_int_equal(ro.r, MONITOR_FAILED);
	assert_string_equal(ro.err, "s:1: expected ok, got ENOENT: no VM named 'a': 'vm create a "
				    "...' first\n");
	run_free(&ro);
	/* A misspelt field is refused before anything runs. */
	run("vm create a memory=128 epc=8\nexpect vm a flavour=1\n", &ro);
	assert_int_equal(ro.r, MONITOR_SYNTAX);
	assert_string_equal(ro.out, "");
	assert_string_equal(ro.err, "s:2:13: 'flavour=1' is no field of 'expect vm NAME "
				    "FIELD=VALUE...'\n");
	run_free(&ro);
	/* A second 'host' once the machine runs. */
	run("vm create a memory=128 epc=8\nhost cpus=2\n", &ro);
	assert_string_equal(ro.err, "s:2: expected ok, got EEXIST: the host is powered on "
				    "already: 'host' comes first, once\n");
	run_free(&ro);
}

static void test_syntax_runs_nothing(void **state)
{
	struct run_out ro;

	(void)state;
	run("vm create a memory=128 epc=8\nvm explode a\n", &ro);
	assert_int_equal(ro.r, MONITOR_SYNTAX);
	assert_string_equal(ro.out, "");
	assert_string_equal(ro.err,
			    "s:2:4: unknown vm subcommand 'explode': 'help vm' lists them\n");
	run_free(&ro);
}

static void test_qmp_and_info(void **state)
{
	struct run_out ro;

	(void)state;
	run("host epc=16M@0 epc=32M@1 cpus=2 sgx2=0\n"
	    "vm create a qemu -m 128M -object memory-backend-epc,id=m0,size=8M -M "
	    "sgx-epc.0.memdev=m0,sgx-epc.0.node=0 -cpu host,-sgxlc\n"
	    "vm create b memory=128\n"
	    "qmp query-sgx a\nqmp query-sgx b\nqmp query-sgx-capabilities\ninfo sgx a\n"
	    "info sgx b\n",
	    &ro);
	assert_int_equal(ro.r, MONITOR_OK);
	assert_non_null(strstr(ro.out, "qmp query-sgx a -> ok ({\"return\":{\"sgx\":true,\"sgx1\":"
				       "true,\"sgx2\":false,\"flc\":false,\"sections\":[{\"node\":"
				       "0,\"size\":8388608}]}})\n"));
	assert_non_null(strstr(ro.out, "qmp query-sgx b -> ok ({\"error\":{\"class\":"
				       "\"GenericError\",\"desc\":\"No EPC regions defined, SGX "
				       "not available\"}})\n"));
	assert_non_null(strstr(ro.out, "\"sections\":[{\"node\":0,\"size\":16777216},{\"node\":1,"
				       "\"size\":33554432}]"));
	assert_non_null(strstr(ro.out, "info sgx a -> ok\nSGX support: enabled\nSGX1 support: "
				       "enabled\nSGX2 support: disabled\nFLC support: disabled\n"
				       "NUMA node #0: size=8388608\ntotal size=8388608\n"));
	assert_non_null(
	    strstr(ro.out, "info sgx b -> ok\nNo EPC regions defined, SGX not available\n"));
	run_free(&ro);
}

static void test_help_and_info(void **state)
{
	struct run_out ro;

	(void)state;
	run("help vm reset\nhelp stop\nhelp expect node\ninfo\ninfo vms\ninfo status\n"
	    "vm create a memory=128 epc=8\nvm create b memory=128 epc=4\nvm pause b\n"
	    "info vms\ninfo status\ninfo status b\n",
	    &ro);
	assert_int_equal(ro.r, MONITOR_OK);
	assert_non_null(strstr(ro.out,
			       "help vm reset -> ok\n"
			       "vm reset NAME [nostop]\n"
			       "    reset a VM: its vEPC emptied by remove-all passes, its guest "
			       "booted again\n"
			       "    QEMU HMP's name: system_reset [NAME]\n"
			       "help stop -> ok\n"
			       "vm pause NAME\n"
			       "    stop a VM's vCPUs\n"
			       "    QEMU HMP's name: stop [NAME]\n"
			       "help expect node -> ok\n"
			       "expect node N FIELD=VALUE...\n"
			       "    check a NUMA node's EPC page counts\n"
			       "info -> ok\n"
			       "info sgx                    SGX as QEMU's HMP prints it, for the "
			       "host or a VM\n"
			       "info vms                    every VM: its state and EPC\n"
			       "info owners                 every EPC owner: current, max and "
			       "events, as a tree\n"
			       "info status                 a VM's run state as QEMU's HMP "
			       "prints it, or every VM's\n"
			       "info vms -> ok\n"
			       "no VMs: 'vm create NAME ...' makes one\n"
			       "info status -> ok\n"
			       "no VMs\n"));
	assert_non_null(strstr(ro.out, "info vms -> ok\n"
				       "a: running, EPC 2048 pages configured, 0 held, 0 enclaves\n"
				       "b: paused, EPC 1024 pages configured, 0 held, 0 enclaves\n"
				       "info status -> ok\n"
				       "VM a status: running\n"
				       "VM b status: paused\n"
				       "info status b -> ok\n"
				       "VM status: paused\n"));
	run_free(&ro);
}

/* 'help' lists every command, HMP names beside theirs, from the one table. */
static void test_help_lists_every_command(void **state)
{
	struct run_out ro;

	(void)state;
	run("help\n", &ro);
	assert_int_equal(ro.r, MONITOR_OK);
	assert_non_null(strstr(ro.out, "help -> ok\nhost                        power on the SGX "
				       "host"));
	assert_non_null(strstr(ro.out, "\nvm reset                    reset a VM: its vEPC emptied "
				       "by remove-all passes, its guest booted again (HMP: "
				       "system_reset)\n"));
	assert_non_null(strstr(ro.out, "\nguest NAME build            build and sign an enclave"));
	assert_non_null(strstr(ro.out, "\nquit                        end the session; the report "
				       "follows (HMP: q)\n'help COMMAND' gives"));
	run_free(&ro);
}

/* HMP's names: the same command, on the only VM when none is named. */
static void test_hmp_aliases(void **state)
{
	struct run_out ro;

	(void)state;
	run("vm create a memory=128 epc=8\nstop\nexpect vm a state=paused\ncont\n"
	    "system_reset => ok\nstop a\ncont a\nvm create b memory=128 epc=4\n"
	    "stop => EINVAL\nquit\necho not run\n",
	    &ro);
	assert_int_equal(ro.r, MONITOR_OK);
	assert_non_null(strstr(ro.out, "stop -> ok\nexpect vm a state=paused -> ok\ncont -> ok\n"
				       "system_reset -> ok (remove-all pass 1: epc.0 left 0)\n"));
	assert_non_null(strstr(ro.out, "stop -> EINVAL (which VM? there are several: 'stop "
				       "NAME')\nquit -> ok\n== report"));
	assert_null(strstr(ro.out, "not run"));
	run_free(&ro);
}

struct words {
	char buf[1024];
};

static void words_add(const char *word, void *arg)
{
	struct words *w = arg;

	strncat(w->buf, word, sizeof(w->buf) - strlen(w->buf) - 2);
	strcat(w->buf, " ");
}

static const char *complete(struct monitor *mon, const char *text, struct words *w)
{
	w->buf[0] = '\0';
	monitor_complete(mon, text, words_add, w);
	return w->buf;
}

static void test_complete(void **state)
{
	static const char scenario[] = "vm create alpha memory=128 epc=8\n"
				       "vm create beta memory=128 epc=8\n"
				       "guest alpha boot\n";
	static const char enclave[] = "guest alpha build e1 pages=8\n";
	struct monitor_opts o = { getenv("VSGX_VECTORS"), NULL, NULL, stderr, NULL, false };
	struct monitor *mon;
	struct words w;

	(void)state;
	assert_int_equal(monitor_create(&o, &mon), 0);
	assert_string_equal(
	    complete(mon, "", &w),
	    "host vm system_reset stop cont system_wakeup guest owner enclave expect "
	    "info qmp "
	    "echo help quit q ");
	assert_string_equal(complete(mon, "s", &w), "system_reset stop system_wakeup ");
	assert_string_equal(complete(mon, "vm re", &w), "reset resume ");
	assert_string_equal(complete(mon, "vm b", &w), "balloon ");
	assert_string_equal(complete(mon, "info ", &w), "sgx vms owners status ");
	assert_string_equal(complete(mon, "help gu", &w), "guest ");
	assert_string_equal(complete(mon, "help guest ", &w),
			    "boot load build enter exit grow trim evict verify destroy reboot ");
	/* Names come from the running monitor: none before any VM. */
	assert_string_equal(complete(mon, "vm reset ", &w), "");
	assert_string_equal(complete(mon, "expect node ", &w), "");
	assert_int_equal(monitor_run_text(mon, "s", scenario, strlen(scenario)), MONITOR_OK);
	/* Enclaves are signed with the key in the vectors. */
	if (o.vectors && o.vectors[0])
		assert_int_equal(monitor_run_text(mon, "s", enclave, strlen(enclave)), MONITOR_OK);
	assert_string_equal(complete(mon, "vm reset ", &w), "alpha beta ");
	assert_string_equal(complete(mon, "vm reset b", &w), "beta ");
	assert_string_equal(complete(mon, "vm reset alpha ", &w), "nostop ");
	assert_string_equal(complete(mon, "stop ", &w), "alpha beta ");
	assert_string_equal(complete(mon, "vm create ", &w), "");
	assert_string_equal(complete(mon, "vm suspend alpha s", &w), "s3 s4 s5 ");
	assert_string_equal(complete(mon, "guest ", &w), "alpha beta ");
	assert_string_equal(complete(mon, "guest alpha e", &w), "enter exit evict ");
	assert_string_equal(complete(mon, "guest alpha enter ", &w),
			    o.vectors && o.vectors[0] ? "e1 " : "");
	assert_string_equal(complete(mon, "guest alpha enter e1 ", &w), "thread= vcpu= ");
	assert_string_equal(complete(mon, "guest alpha enter e1 thread=1 ", &w), "vcpu= ");
	assert_string_equal(complete(mon, "guest alpha enter e1 vcpu=", &w), "");
	assert_string_equal(complete(mon, "guest alpha reboot ", &w), "clean unclean ");
	assert_string_equal(complete(mon, "guest alpha build e2 pages=8 d", &w), "debug ");
	assert_string_equal(complete(mon, "expect enclave alpha ", &w),
			    o.vectors && o.vectors[0] ? "e1 " : "");
	assert_string_equal(complete(mon, "expect vm alpha st", &w), "state= ");
	assert_string_equal(complete(mon, "expect node ", &w), "0 1 ");
	assert_string_equal(complete(mon, "frob ", &w), "");
	monitor_free(mon);
}

/*
 * --audit: silent while the layers agree (a guest's enclave lost after S3 is
 * no finding), and a page taken behind the VMs' back fails the next command
 * with the numbers.
 */
static void test_audit(void **state)
{
	static const char ok[] = "host epc=4M@0 cpus=1\n"
				 "vm create a memory=128 epc=2\n"
				 "guest a boot\n"
				 "guest a build e1 pages=8\n"
				 "guest a enter e1\n"
				 "vm suspend a s3\n"
				 "vm wake a\n"
				 "guest a exit e1 => EIO\n";
	char *out = NULL, *err = NULL;
	size_t out_len, err_len;
	FILE *fo = open_memstream(&out, &out_len), *fe = open_memstream(&err, &err_len);
	struct monitor_opts o = {
		.vectors = getenv("VSGX_VECTORS"), .out = fo, .err = fe, .audit = true
	};
	struct monitor *mon;
	uint64_t pa;

	(void)state;
	if (!o.vectors || !o.vectors[0])
		skip();
	assert_int_equal(monitor_create(&o, &mon), 0);
	assert_int_equal(monitor_run_text(mon, "s", ok, strlen(ok)), MONITOR_OK);
	fflush(fe);
	assert_string_equal(err, "");
	assert_int_equal(host_page_alloc(vmm_host(mon->m), 0, &pa), 0);
	assert_int_equal(monitor_line(mon, "s", 9, "info vms"), MONITOR_FAILED);
	fflush(fe);
	assert_string_equal(err,
			    "s:9: audit: the host counts 513 EPC pages used, its 1 VM (and the "
			    "VMM's VA pages) hold 512\n");
	assert_int_equal(host_page_free(vmm_host(mon->m), pa), 0);
	monitor_free(mon);
	fclose(fo);
	fclose(fe);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_failures_stop_the_run),
		cmocka_unit_test(test_syntax_runs_nothing),
		cmocka_unit_test(test_qmp_and_info),
		cmocka_unit_test(test_help_and_info),
		cmocka_unit_test(test_help_lists_every_command),
		cmocka_unit_test(test_hmp_aliases),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_audit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
