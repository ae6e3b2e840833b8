// SPDX-License-Identifier: MIT
/*
 * The trace library behind 'vsgx trace': every syntax error the parser can
 * report, with its exact line, column and message; then the runner's exact
 * output lines, outcomes, mismatch reports and counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace-int.h"
#include "trace.h"
#include "vsgx/encls.h"

/* A trace's text and the start of the one message it must be refused with. */
struct syntax_case {
	const char *text;
	const char *msg;
	size_t len; /* 0: strlen(text) */
};

static int parse_len(const char *text, size_t len, const char *vectors, struct trace **ret,
		     char *why, size_t why_len)
{
	struct trace_opts opts = { vectors, NULL, NULL, NULL };

	why[0] = '\0';
	return trace_parse("t", text, len, &opts, ret, why, why_len);
}

static int parse(const char *text, const char *vectors, struct trace **ret, char *why,
		 size_t why_len)
{
	return parse_len(text, strlen(text), vectors, ret, why, why_len);
}

static void check_syntax(const struct syntax_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct trace *t = (struct trace *)1;
		char why[512];
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		int r = parse_len(cases[i].text, len, "/vectors", &t, why, sizeof(why));

		if (r != -EINVAL || strncmp(why, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("trace:\n%s\nwant: %s\ngot (%d): %s", cases[i].text, cases[i].msg,
				 r, why);
		assert_null(t);
	}
}

#define CHECK_SYNTAX(cases) check_syntax(cases, sizeof(cases) / sizeof(cases[0]))

/* ====================================================================== */
/* Parser                                                                 */
/* ====================================================================== */

static void test_syntax_lines(void **state)
{
	static const struct syntax_case cases[] = {
		{ "frobnicate x", "t:1:1: unknown command 'frobnicate'" },
		{ "# comment\n\n  ecreate s\n  bogus", "t:4:3: unknown command 'bogus'" },
		{ "ecreate s =>", "t:1:11: '=>' needs an outcome after it" },
		{ "ecreate s =>ok", "t:1:11: put a space between '=>' and the outcome" },
		{ "ecreate s => ok ok", "t:1:17: 'ok' after the outcome: one outcome per line" },
		{ "ecreate s => frob",
		  "t:1:14: unknown outcome 'frob': expected ok, an SGX_* name" },
		{ "ecreate s => SGX_NOPE", "t:1:14: unknown outcome 'SGX_NOPE'" },
		{ "ecreate s => #PF(nope)", "t:1:18: unknown label 'nope'" },
		{ "ecreate s => #PF()", "t:1:14: unknown outcome '#PF()'" },
		{ "ecreate s => 0x100000000", "t:1:14: 0x100000000 is too large here" },
		{ "ecreate s\nexpect epcm s valid=1 => ok",
		  "t:2:23: expect checks fields; it takes no '=>'" },
		{ "ecreate s size=1 s2", "t:1:18: 's2': arguments come before OPTION=VALUE words" },
		{ "ecreate", "t:1:1: expected 'ecreate TARGET [OPTION=VALUE...]'" },
		{ "ecreate a b", "t:1:1: expected 'ecreate TARGET [OPTION=VALUE...]'" },
		{ "eextend s", "t:1:1: expected 'eextend SECS CHUNK [count=N]'" },
		{ "exit now", "t:1:1: expected 'exit'" },
		{ "epa v\neremove v x=1", "t:2:11: eremove takes no options" },
		{ "ecreate s\0x", "t:1:10: a NUL byte: a trace is text", 11 },
		{ "a\nb\n\0", "t:3:1: a NUL byte", 5 },
	};
	char many[64 * 4 + 32] = "ecreate s";

	(void)state;
	CHECK_SYNTAX(cases);
	for (int i = 0; i < 64; i++)
		strcat(many, " x=1");
	check_syntax(&(struct syntax_case){ many, "t:1:259: more than 64 words on one line" }, 1);
}

static void test_syntax_cpu_prefix(void **state)
{
	static const struct syntax_case cases[] = {
		{ "cpu 1", "t:1:1: expected 'cpu N COMMAND ...'" },
		{ "cpu x ecreate s", "t:1:5: expected a number (decimal or 0x-hex), not 'x'" },
		{ "cpu 4 ecreate s", "t:1:5: cpu 4: the processor has CPUs 0 to 3" },
		{ "processor cpus=2\ncpu 2 exit", "t:2:5: cpu 2: the processor has CPUs 0 to 1" },
		{ "cpu 0 processor", "t:1:7: processor takes no cpu prefix" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

static void test_syntax_numbers(void **state)
{
	static const struct syntax_case cases[] = {
		{ "wrmsr 0x8c x", "t:1:12: expected a number (decimal or 0x-hex), not 'x'" },
		{ "wrmsr 0x8c 0x", "t:1:12: expected a number (decimal or 0x-hex), not '0x'" },
		{ "wrmsr 0x8c 12a", "t:1:12: expected a number (decimal or 0x-hex), not '12a'" },
		{ "wrmsr 0x8c 0x1g", "t:1:12: expected a number" },
		{ "wrmsr 0x8c -1", "t:1:12: expected a number" },
		{ "wrmsr 0x8c 0x10000000000000000",
		  "t:1:12: 0x10000000000000000 is too large here" },
		{ "wrmsr 0x8c 18446744073709551616", "t:1:12: 18446744073709551616 is too large" },
		{ "rdmsr 0x100000000",
		  "t:1:7: 0x100000000 is too large here (at most 0xffffffff)" },
		{ "ecreate s ssa=0x100000000",
		  "t:1:15: 0x100000000 is too large here (at most 0xffffffff)" },
		{ "ecreate s isvsvn=65536", "t:1:18: 65536 is too large here (at most 0xffff)" },
		{ "epa v\neadd p secs=v linaddr=0 fill=256",
		  "t:2:30: 256 is too large here (at most 0xff)" },
		{ "ecreate s configid=00",
		  "t:1:20: expected 64 bytes as 128 hex digits, not '00'" },
		{ "ecreate s srcpge[0]=0",
		  "t:1:21: expected bytes as pairs of hex digits, not '0'" },
		{ "ecreate s srcpge[0]=0x01",
		  "t:1:21: '0x01' is not hex bytes (write them without 0x)" },
		{ "ecreate s srcpge[0]=01zz", "t:1:23: '01zz' is not hex bytes" },
		/* A '#' inside a word is part of it, not a comment. */
		{ "ecreate s srcpge[0]=ff#x", "t:1:23: 'ff#x' is not hex bytes" },
		{ "cpuid 0x12 0x100000000", "t:1:12: 0x100000000 is too large" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

static void test_syntax_labels(void **state)
{
	static const struct syntax_case cases[] = {
		{ "eremove p",
		  "t:1:9: unknown label 'p': create its page first, or bind it with p@ADDR" },
		{ "eextend s p", "t:1:9: unknown label 's'" },
		{ "ecreate s\neadd p secs=q linaddr=0", "t:2:13: unknown label 'q'" },
		{ "ecreate ram+", "t:1:13: expected a number (decimal or 0x-hex), not ''" },
		{ "ecreate 1abc", "t:1:9: expected a number" },
		{ "ecreate s-1", "t:1:9: expected an address (number, ram or a label) or a label "
				 "name, not 's-1'" },
		{ "ecreate 9@0x80000000", "t:1:9: expected a number" },
		{ "ecreate s@x", "t:1:11: expected a number (decimal or 0x-hex), not 'x'" },
		{ "ecreate -s@0x80000000", "t:1:9: bad label name '-s'" },
		{ "ecreate s@0x80000010",
		  "t:1:11: a label names an EPC page: 0x80000010 is not one" },
		{ "ecreate s@0x1000", "t:1:11: a label names an EPC page: 0x1000 is not one" },
		{ "ecreate s@0x88000000",
		  "t:1:11: a label names an EPC page: 0x88000000 is not one" },
		{ "ecreate s\nepa s@0x80001000",
		  "t:2:5: label 's' is already page 0x80000000 (line 1)" },
		{ "ecreate s@0x80001000\nepa v@0x80001000",
		  "t:2:7: page 0x80001000 is already label 's' (line 1)" },
		{ "ecreate s\nepa v@0x80000000",
		  "t:2:7: page 0x80000000 is already label 's' (line 1)" },
		{ "ecreate 0x1ffffffffffffffff", "t:1:9: 0x1ffffffffffffffff is too large here" },
		{ "ecreate 0xffffffffffffffff+1",
		  "t:1:9: address 0xffffffffffffffff+1 wraps around" },
		{ "ecreate ram\neremove ram@0x80000000", "t:2:9: bad label name 'ram'" },
		{ "processor epc=0x80000000+0x2000\nepa a\nepa b\nepa c",
		  "t:4:5: no EPC page left to give this label: the EPC is full" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

/* A page the allocator already passed cannot be bound again, even unlabelled. */
static void test_syntax_label_allocated(void **state)
{
	static const struct syntax_case cases[] = {
		{ "epa a\nepa b\neremove a\nepa c@0x80001000",
		  "t:4:7: page 0x80001000 is already label 'b' (line 2)" },
		{ "epa a\nepa b@0x80002000\nepa c\nepa d@0x80001000",
		  "t:4:7: page 0x80001000 is already label 'c' (line 3)" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

static void test_syntax_options(void **state)
{
	static const struct syntax_case cases[] = {
		{ "ecreate s sise=1", "t:1:11: ecreate has no option 'sise'" },
		{ "ecreate s =1", "t:1:11: '=1' has no option name before '='" },
		{ "ecreate s size=", "t:1:16: option 'size' needs a value after '='" },
		{ "ecreate s size=1 size=2", "t:1:18: option 'size' is given twice" },
		{ "ecreate s fill=1", "t:1:11: ecreate has no option 'fill'" },
		{ "ecreate s sig[0]=00", "t:1:11: ecreate has no structure 'sig' to patch" },
		{ "ecreate s srcpge[4096]=00", "t:1:18: 4096 is too large here (at most 0xfff)" },
		{ "ecreate s srcpge[]=00", "t:1:18: expected a number" },
		{ "ecreate s srcpge[4095]=0000",
		  "t:1:24: 2 bytes at offset 4095 run past the end of srcpge[4095] (4096 bytes)" },
		{ "ecreate s secinfo[60]=0000000000",
		  "t:1:23: 5 bytes at offset 60 run past the end of secinfo[60] (64 bytes)" },
		{ "ecreate s type=foo",
		  "t:1:16: unknown page type 'foo': secs, tcs, reg, va, trim" },
		{ "ecreate s type=256", "t:1:16: 256 is too large here (at most 0xff)" },
		{ "ecreate s perm=rr",
		  "t:1:17: perm is r, w and x at most once each, or none; not 'rr'" },
		{ "ecreate s perm=rwz", "t:1:18: perm is r, w and x" },
		{ "ecreate s perm=", "t:1:16: option 'perm' needs a value after '='" },
		{ "ecreate s\neadd p secs=s", "t:2:1: eadd needs secs=SECS and linaddr=ADDR" },
		{ "ecreate s\neadd p linaddr=0", "t:2:1: eadd needs secs=SECS and linaddr=ADDR" },
		{ "ecreate s\neadd p secs=s linaddr=x", "t:2:23: unknown label 'x'" },
		{ "ecreate s\neextend s s count=0", "t:2:19: count must be at least 1" },
		{ "ecreate s\neextend s s count=0x100001", "t:2:19: 0x100001 is too large" },
		{ "ecreate s\neinit s", "t:2:1: einit needs sig=FILE (its SECS was not built by" },
		{ "ecreate s\neinit s sig=/dev/null",
		  "t:2:13: /dev/null: 0 bytes; a SIGSTRUCT is exactly 1808 bytes" },
		{ "pending-event maybe", "t:1:15: pending-event takes on or off, not 'maybe'" },
		{ "encls x", "t:1:7: expected a number" },
		{ "encls 0 rbx=q", "t:1:13: unknown label 'q'" },
		{ "epa v rbx=x", "t:1:11: expected a number" },
		{ "sgxs 0x80000000 x.sgxs", "t:1:6: sgxs names its SECS page with a label" },
		{ "sgxs e+0x10 x.sgxs", "t:1:6: sgxs names its SECS page with a label" },
		{ "sgxs e $HOME/x.sgxs",
		  "t:1:8: unknown variable in '$HOME/x.sgxs': only $VECTORS" },
		{ "sgxs e $VECTORSX", "t:1:8: unknown variable in '$VECTORSX'" },
		{ "sgxs e /dev/null", "t:1:8: /dev/null: " },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

/* The commands of trace-leaves.c: memory, threads, paging, SGX2. */
static void test_syntax_leaves(void **state)
{
	static const struct syntax_case cases[] = {
		{ "map 0x7f0000000800 0x80000000",
		  "t:1:5: map needs a 4 KiB aligned linear address" },
		{ "map 0x10000000 0x80000000",
		  "t:1:5: 0x10000000 is the runner's RAM or EPC; map addresses" },
		{ "map 0x80001000 0x80000000", "t:1:5: 0x80001000 is the runner's RAM or EPC" },
		{ "map 0x7f0000000000 ram", "t:1:20: map needs an EPC page to map to" },
		{ "map 0x7f0000000000", "t:1:1: expected 'map LA PAGE'" },
		{ "unmap 0x7f0000000010", "t:1:7: unmap needs a 4 KiB aligned linear address" },
		{ "poke 0x1000 00", "t:1:6: poke works on the runner's RAM" },
		{ "poke ram+0xfffff 0000", "t:1:6: poke works on the runner's RAM" },
		{ "poke ram 0", "t:1:10: " },
		{ "peek ram 0", "t:1:10: peek needs a length of at least 1" },
		{ "peek ram 4097", "t:1:10: 4097 is too large here" },
		{ "peek ram 2 want=00", "t:1:17: want= has 1 byte, not 2" },
		{ "load 0x7f0000000000 1 wanted=00", "t:1:23: load has no option 'wanted'" },
		{ "ecreate s\newb s", "t:2:1: ewb needs va=SLOT, the VA slot's address" },
		{ "ecreate s\neldu s va=q", "t:2:11: unknown label 'q'" },
		{ "ecreate s\neaug p secs=s", "t:2:1: eaug needs secs=SECS and linaddr=ADDR" },
		{ "ecreate s\nemodpr s perm=q", "t:2:15: perm is r, w and x" },
		{ "ecreate s\neaccept 0x7f0000000000 perm=rw",
		  "t:2:1: eaccept needs secinfo=ADDR, an address inside the enclave" },
		{ "ecreate s\neaccept 0x7f0000000000 secinfo=0x7f0000001000 pending=2",
		  "t:2:55: 2 is too large here (at most 0x1)" },
		{ "aex vector=256", "t:1:12: 256 is too large here (at most 0xff)" },
		{ "eexit 0x400000", "t:1:1: expected 'eexit [target=X]'" },
		{ "eenter", "t:1:1: expected 'eenter TCS [aep=X]'" },
		{ "enclu x", "t:1:7: expected a number" },
		{ "edbgwr 0x80000000", "t:1:1: expected 'edbgwr ADDR VALUE'" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

/* The host-layer commands of trace-host.c. */
static void test_syntax_host(void **state)
{
	static const struct syntax_case cases[] = {
		{ "host begin", "t:1:6: 'host begin' is no command: expected 'host start|stop" },
		{ "host start now", "t:1:1: expected 'host start|stop|stats|alloc|reclaim" },
		{ "vepc open", "t:1:1: expected 'vepc open|fault|remove-all|ioctl|release|stats NAME" },
		{ "vepc open x", "t:1:1: vepc open needs pages=N" },
		{ "vepc open x pages=1\nvepc open x pages=1", "t:2:11: 'x' is opened already" },
		{ "vepc fault y 0",
		  "t:1:12: unknown instance or enclave 'y': open or load it first" },
		{ "vepc open x pages=1\nvepc fault x",
		  "t:2:1: expected an index or address after" },
		{ "vepc open x pages=1\nvepc release x 3", "t:2:16: '3' is one argument too many" },
		{ "vepc open x pages=1\nvepc ioctl x", "t:2:1: expected 'vepc ioctl NAME CMD [arg=N]'" },
		{ "vepc open x pages=1\nvepc remove-all x 3", "t:2:19: '3' is one argument too many" },
		{ "encl load e x.sgxs", "t:1:1: expected 'encl load NAME FILE.sgxs sig=FILE'" },
		{ "host stats node=64", "t:1:17: 64 is too large here (at most 0x3f)" },
		{ "host stats frees=1", "t:1:12: host has no option 'frees'" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

static void test_syntax_expect(void **state)
{
	static const struct syntax_case cases[] = {
		{ "expect", "t:1:1: expect needs epcm, enclave, msr or cpuid" },
		{ "expect page p valid=1",
		  "t:1:8: expect what? epcm, enclave, msr or cpuid, not 'page'" },
		{ "expect epcm", "t:1:8: expect epcm needs a page" },
		{ "expect enclave valid=1", "t:1:8: expect enclave needs a page" },
		{ "expect msr value=1", "t:1:8: expect msr needs an MSR number" },
		{ "expect cpuid", "t:1:8: expect cpuid needs a leaf" },
		{ "ecreate s\nexpect epcm s",
		  "t:2:1: expect needs at least one FIELD=VALUE to check" },
		{ "expect cpuid 7 0 1 eax=0", "t:1:18: expected FIELD=VALUE, not '1'" },
		{ "ecreate s\nexpect epcm s valid", "t:2:15: expected FIELD=VALUE, not 'valid'" },
		{ "ecreate s\nexpect epcm s vaild=1", "t:2:15: no field 'vaild' to expect here" },
		{ "ecreate s\nexpect epcm s valid=", "t:2:21: field 'valid' needs a value" },
		{ "ecreate s\nexpect epcm s valid=2", "t:2:21: 2 is too large here (at most 0x1)" },
		{ "ecreate s\nexpect epcm s valid=1 valid=1",
		  "t:2:23: field 'valid' is expected twice" },
		{ "ecreate s\nexpect epcm s pt=frob", "t:2:18: unknown page type 'frob'" },
		{ "ecreate s\nexpect epcm s perm=q", "t:2:20: perm is r, w and x" },
		{ "ecreate s\nexpect epcm s secs=q", "t:2:20: unknown label 'q'" },
		{ "ecreate s\nexpect enclave s mrenclave=00",
		  "t:2:28: expected 32 bytes as 64 hex digits" },
		{ "ecreate s\nexpect enclave s children=x", "t:2:27: expected a number" },
		{ "ecreate s\nexpect enclave s eax=1", "t:2:18: no field 'eax' to expect here" },
		{ "expect msr 0x3a eax=1", "t:1:17: no field 'eax' to expect here" },
		{ "expect msr 0x3a value=#UD", "t:1:23: expected a number" },
		{ "expect cpuid 7 value=1", "t:1:16: no field 'value' to expect here" },
		{ "expect epcm q valid=0", "t:1:13: unknown label 'q'" },
		{ "peek ram 4 want=@k", "t:1:17: '@k': no earlier peek or load has save=k" },
		{ "poke ram @k", "t:1:10: '@k': no earlier peek or load has save=k" },
		{ "peek ram 4 save=1k",
		  "t:1:17: save= takes a name (a letter, then letters, digits, _ or -), not '1k'" },
		{ "peek ram 4 save=k\npeek ram 4 want=@k differ=@k",
		  "t:2:27: peek takes want= or differ=, not both" },
		{ "peek ram 4 save=k\npeek ram 4 differ=00",
		  "t:2:19: differ= takes a saved value, @NAME" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

static void test_syntax_processor(void **state)
{
	static const struct syntax_case cases[] = {
		{ "processor frob=1", "t:1:11: processor has no option 'frob'" },
		{ "processor cpus", "t:1:11: option 'cpus' needs a value: cpus=VALUE" },
		{ "processor cpus=", "t:1:16: option 'cpus' needs a value after '='" },
		{ "processor cpus=1 cpus=2", "t:1:18: option 'cpus' is given twice" },
		{ "processor flc=2", "t:1:15: 2 is too large here (at most 0x1)" },
		{ "processor cpus=257", "t:1:16: 257 is too large here (at most 0x100)" },
		{ "processor cpus=0",
		  "t:1:1: no such processor: 0 logical CPUs; a processor has 1 to 256" },
		{ "processor epc=0x80000000", "t:1:15: epc is BASE+SIZE[@NODE], not '0x80000000'" },
		{ "processor epc=0x80000000@1+0x1000", "t:1:15: epc is BASE+SIZE[@NODE]" },
		{ "processor epc=0x80000000+x", "t:1:26: expected a number" },
		{ "processor epc=0x80000000+0x1000@64",
		  "t:1:33: 64 is too large here (at most 0x3f)" },
		{ "processor epc=0x80000000+0x1000 epc=0x80000000+0x1000",
		  "t:1:1: no such processor: EPC sections 0 and 1 overlap" },
		{ "processor epc=0x80000000+0x1001",
		  "t:1:1: no such processor: EPC section 0 (base" },
		{ "processor epc=0x1+0x1000 epc=0x2000+0x1000 epc=0x3000+0x1000 epc=0x4000+0x1000 "
		  "epc=0x5000+0x1000 epc=0x6000+0x1000 epc=0x7000+0x1000 epc=0x8000+0x1000 "
		  "epc=0x9000+0x1000",
		  "t:1:156: at most 8 EPC sections" },
		{ "processor epc=0x10000000+0x1000",
		  "t:1:1: EPC section 0 overlaps the runner's RAM at 0x10000000..0x100fffff" },
		{ "processor epc=0x8000000+0x10000000",
		  "t:1:1: EPC section 0 overlaps the runner's RAM" },
		{ "processor flc=0 feature_control=0x20000",
		  "t:1:1: no such processor: FEATURE_CONTROL.SGX_LC set on a part without FLC" },
		{ "processor xfrm=1", "t:1:1: no such processor: XFRM 0x1 lacks x87 and SSE" },
		{ "processor maxsize64=64", "t:1:21: 64 is too large here (at most 0x3f)" },
		{ "processor cpusvn=00", "t:1:18: expected 16 bytes as 32 hex digits, not '00'" },
		{ "processor\nprocessor",
		  "t:2:1: processor describes the part the trace runs on: it comes once" },
		{ "ecreate s\nprocessor cpus=1", "t:2:1: processor describes the part" },
	};

	(void)state;
	CHECK_SYNTAX(cases);
}

static void test_syntax_vectors_unset(void **state)
{
	struct trace *t;
	char why[256];

	(void)state;
	assert_int_equal(parse("sgxs e $VECTORS/synthetic.sgxs", NULL, &t, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why,
			    "t:1:8: $VECTORS is not set: pass --vectors DIR or set VSGX_VECTORS");
}

/* A file a trace names that cannot be read: its errno, with the position. */
static void test_syntax_unreadable_files(void **state)
{
	struct trace *t;
	char why[256];

	(void)state;
	assert_int_equal(
	    parse("ecreate s\neinit s sig=/nonexistent/x.sig", "/v", &t, why, sizeof(why)),
	    -ENOENT);
	assert_string_equal(why, "t:2:13: /nonexistent/x.sig: No such file or directory");
	assert_int_equal(parse("sgxs e $VECTORS/x.sgxs", "/nonexistent", &t, why, sizeof(why)),
			 -ENOENT);
	assert_string_equal(why, "t:1:8: /nonexistent/x.sgxs: No such file or directory");
	assert_null(t);
}

static void test_parse_accepts(void **state)
{
	static const char *const ok[] = {
		"",
		"\n\n# nothing\n   # indented comment\n",
		"ecreate s => ok # a comment right after",
		"ecreate s\t=>\tok\t#tabs",
		"ecreate s => #GP # a fault, then a comment",
		"ecreate s => #PF(s+0x10)",
		"ecreate s => #PF(0x1000)\r\neremove s => 13\r\n",
		"ecreate s => SGX_SUCCESS\nepa v => EBUSY",
		"epa v@0x80003000\nepa w\nexpect epcm v+0x10 valid=1",
		("processor flc sgx2=0 cpus=1 epc=0x200000000+0x1000@3 seed=7 "
		 "cpusvn=000102030405060708090a0b0c0d0e0f"),
		"processor flc=0\nexpect msr 0x8c value=#GP",
		"expect cpuid 0x12 edx=0x241f",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct trace *t = NULL;
		char why[256];
		int r = parse(ok[i], "/v", &t, why, sizeof(why));

		if (r)
			fail_msg("refused %s: %s", ok[i], why);
		trace_free(t);
	}
}

static void test_parse_counts_commands(void **state)
{
	struct trace *t;
	char why[256];

	(void)state;
	assert_int_equal(parse("# c\nprocessor cpus=1\n\necreate s\n\neremove s # x\n", "/v", &t,
			       why, sizeof(why)),
			 0);
	assert_int_equal(trace_nr_commands(t), 2);
	trace_free(t);
	trace_free(NULL);
}

/* ====================================================================== */
/* Runner                                                                 */
/* ====================================================================== */

struct run_out {
	char *out, *err;
	size_t out_len, err_len;
	struct trace_summary sum;
	int r;
};

static const char *vectors(void)
{
	const char *v = getenv("VSGX_VECTORS");

	return v && *v ? v : NULL;
}

static void need_vectors(void)
{
	char path[4096];

	if (!vectors()) {
		print_message("VSGX_VECTORS is not set\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/synthetic.sgxs", vectors());
	if (access(path, R_OK)) {
		print_message("no vectors in %s\n", vectors());
		skip();
	}
}

/* Parse (text), which must be well formed, and run it, capturing its output. */
static void run_text(const char *text, struct run_out *o)
{
	struct trace_opts opts = { vectors(), NULL, NULL, NULL };
	struct trace *t;
	char why[512];

	memset(o, 0, sizeof(*o));
	opts.out = open_memstream(&o->out, &o->out_len);
	opts.err = open_memstream(&o->err, &o->err_len);
	assert_non_null(opts.out);
	assert_non_null(opts.err);
	if (trace_parse("t", text, strlen(text), &opts, &t, why, sizeof(why)))
		fail_msg("parse: %s", why);
	o->r = trace_run(t, &opts, &o->sum);
	trace_free(t);
	fclose(opts.out);
	fclose(opts.err);
}

static void run_free(struct run_out *o)
{
	free(o->out);
	free(o->err);
}

/* Run (text); it must pass, print exactly (out) and run (commands) commands. */
static void run_expect_output(const char *text, const char *out, unsigned int commands,
			      unsigned int checked)
{
	struct run_out o;

	run_text(text, &o);
	if (o.r)
		fail_msg("run: %d: %s", o.r, o.err);
	assert_string_equal(o.out, out);
	assert_string_equal(o.err, "");
	assert_int_equal(o.sum.commands, commands);
	assert_int_equal(o.sum.checked, checked);
	run_free(&o);
}

/* Run (text); it must stop with a mismatch reported exactly as (err). */
static void run_expect_mismatch(const char *text, const char *err, unsigned int commands)
{
	struct run_out o;

	run_text(text, &o);
	assert_int_equal(o.r, TRACE_MISMATCH);
	assert_string_equal(o.err, err);
	assert_int_equal(o.sum.commands, commands);
	run_free(&o);
}

static void test_run_output_lines(void **state)
{
	(void)state;
	run_expect_output("processor epc=0x80000000+0x100000 cpus=2\n"
			  "ecreate   secs    size=0x4000   => ok   # spaces collapse\n"
			  "eadd p1 secs=secs linaddr=0x40000000 perm=rx\n"
			  "eadd p1 secs=secs linaddr=0x40001000 => #PF(p1)\n"
			  "eremove secs => SGX_CHILD_PRESENT\n"
			  "cpu 1 rdmsr 0x8c\n"
			  "wrmsr 0x3a 0 => #GP\n"
			  "cpuid 0x12 1\n"
			  "eextend secs p1 count=17\n"
			  "expect epcm p1 pt=reg perm=rx\n"
			  "enter 0x1000 => EINVAL\n"
			  "pending-event on\n"
			  "reset => ok\n",
			  "ecreate secs size=0x4000 -> ok\n"
			  "eadd p1 secs=secs linaddr=0x40000000 perm=rx -> ok\n"
			  "eadd p1 secs=secs linaddr=0x40001000 -> #PF(0x80001000)\n"
			  "eremove secs -> SGX_CHILD_PRESENT\n"
			  "cpu 1 rdmsr 0x8c -> ok (0xa6053e051270b7ac)\n"
			  "wrmsr 0x3a 0 -> #GP\n"
			  "cpuid 0x12 1 -> ok (eax=0x4b6 ebx=0x0 ecx=0x2e7 edx=0x0)\n"
			  "eextend secs p1 count=17 -> #PF(0x80002000) (at chunk 17 of 17)\n"
			  "expect epcm p1 pt=reg perm=rx -> ok\n"
			  "enter 0x1000 -> EINVAL\n"
			  "pending-event on -> ok\n"
			  "reset -> ok\n",
			  12, 8);
}

static void test_run_pf_detail_address(void **state)
{
	struct run_out o;

	(void)state;
	run_text("ecreate s\neextend s s+0x100 count=2\n", &o);
	assert_int_equal(o.r, 0);
	assert_non_null(
	    strstr(o.out, "eextend s s+0x100 count=2 -> #PF(0x80000100) (at chunk 1 of 2)\n"));
	run_free(&o);
}

static void test_run_mismatch_code(void **state)
{
	(void)state;
	run_expect_mismatch("ecreate s => ok\n"
			    "# the next line is wrong\n"
			    "eremove s => SGX_CHILD_PRESENT\n"
			    "ecreate t => ok\n",
			    "t:3: expected SGX_CHILD_PRESENT, got ok\n", 2);
	run_expect_mismatch("ecreate s => #GP\n", "t:1: expected #GP, got ok\n", 1);
	run_expect_mismatch("ecreate s\nepa v => 13\n", "t:2: expected SGX_CHILD_PRESENT, got ok\n",
			    2);
	run_expect_mismatch("ecreate s => 99\n", "t:1: expected 99, got ok\n", 1);
	run_expect_mismatch("ecreate 0x1000 => ok\n", "t:1: expected ok, got #PF(0x1000)\n", 1);
	run_expect_mismatch("exit => EBUSY\n", "t:1: expected EBUSY, got ENOENT\n", 1);
	run_expect_mismatch("enter 0x1000 => #GP\n", "t:1: expected #GP, got EINVAL\n", 1);
}

static void test_run_mismatch_pf_address(void **state)
{
	(void)state;
	run_expect_mismatch("ecreate 0x2000 => #PF(0x1000)\n",
			    "t:1: expected #PF(0x1000), got #PF(0x2000)\n", 1);
	run_expect_mismatch("ecreate s\necreate s => #PF(s+0x1)\n",
			    "t:2: expected #PF(0x80000001), got #PF(0x80000000)\n", 2);
	run_expect_mismatch("ecreate s rbx=ram+8 => #PF\n", "t:1: expected #PF, got #GP\n", 1);
	/* #PF without an address matches any. */
	run_expect_output("ecreate 0x2000 => #PF\necreate 0x3000 => #PF(0x3000)\n",
			  "ecreate 0x2000 -> #PF(0x2000)\necreate 0x3000 -> #PF(0x3000)\n", 2, 2);
}

static void test_run_mismatch_expect(void **state)
{
	(void)state;
	run_expect_mismatch("ecreate s\nexpect enclave s children=0 initialized=1\n",
			    "t:2: expected initialized=1, got initialized=0\n", 2);
	run_expect_mismatch("epa v\nexpect enclave v children=0\n",
			    "t:2: expected children=0, got children=(none)\n", 2);
	run_expect_mismatch("epa v\nexpect epcm v pt=reg\n", "t:2: expected pt=reg, got pt=va\n",
			    2);
	run_expect_mismatch("epa v\nexpect epcm v perm=r\n",
			    "t:2: expected perm=r, got perm=none\n", 2);
	run_expect_mismatch("epa v\nexpect epcm v secs=v\n",
			    "t:2: expected secs=0x80000000, got secs=0x0\n", 2);
	run_expect_mismatch("processor flc=0\nexpect msr 0x8c value=0\n",
			    "t:2: expected value=0x0, got value=#GP\n", 1);
	run_expect_mismatch("expect msr 0x8c value=#GP\n",
			    "t:1: expected value=#GP, got value=0xa6053e051270b7ac\n", 1);
	run_expect_mismatch("expect cpuid 0x12 0 eax=0x1\n",
			    "t:1: expected eax=0x1, got eax=0x803\n", 1);
	run_expect_mismatch(
	    "ecreate s\nexpect enclave s "
	    "mrenclave=00000000000000000000000000000000000000000000000000000000000000ff\n",
	    "t:2: expected "
	    "mrenclave=00000000000000000000000000000000000000000000000000000000000000ff, got "
	    "mrenclave=0000000000000000000000000000000000000000000000000000000000000000\n",
	    2);
}

/* Expect canonicalizes: any spelling of the same value matches. */
static void test_run_expect_spellings(void **state)
{
	(void)state;
	run_expect_output("ecreate s\neadd p secs=s linaddr=0x40001000 perm=xr\n"
			  "expect epcm p perm=rx pt=2 valid=0x1 linaddr=1073745920 secs=s+0\n"
			  "expect enclave s children=0x1 blocks=2 attributes=4 xfrm=3 eid=1\n"
			  "expect cpuid 7 ebx=4\n",
			  "ecreate s -> ok\n"
			  "eadd p secs=s linaddr=0x40001000 perm=xr -> ok\n"
			  "expect epcm p perm=rx pt=2 valid=0x1 linaddr=1073745920 secs=s+0 -> ok\n"
			  "expect enclave s children=0x1 blocks=2 attributes=4 xfrm=3 eid=1 -> ok\n"
			  "expect cpuid 7 ebx=4 -> ok\n",
			  5, 11);
}

/* Labels take pages in order, skipping pages bound explicitly. */
static void test_run_label_allocation(void **state)
{
	(void)state;
	run_expect_output("processor epc=0x80000000+0x3000 epc=0x90000000+0x1000\n"
			  "epa b@0x80001000\nepa a\nepa c\nepa d\n"
			  "ecreate a => #PF(0x80000000)\necreate c => #PF(0x80002000)\n"
			  "ecreate d => #PF(0x90000000)\n",
			  "epa b@0x80001000 -> ok\nepa a -> ok\nepa c -> ok\nepa d -> ok\n"
			  "ecreate a -> #PF(0x80000000)\necreate c -> #PF(0x80002000)\n"
			  "ecreate d -> #PF(0x90000000)\n",
			  7, 3);
}

/*
 * Operands go into RAM only when they fit there; elsewhere the leaf meets
 * what is there: nothing (#PF), or EPC, which reads as all ones (a PAGEINFO
 * whose pointers are all misaligned, a SECS image with reserved bits set).
 */
static void test_run_ram_window(void **state)
{
	(void)state;
	run_expect_output("ecreate s rbx=ram+0xfffe0 srcpge=ram+0xfe000 secinfo=ram+0xfff80 => ok\n"
			  "ecreate t rbx=ram+0x100000 => #PF(0x10100000)\n"
			  "ecreate t rbx=x@0x80002000 => #GP\n"
			  "ecreate t srcpge=0xfff000 => #PF(0xfff000)\n"
			  "ecreate t srcpge=s => #GP\n"
			  "expect epcm t valid=0\n",
			  "ecreate s rbx=ram+0xfffe0 srcpge=ram+0xfe000 secinfo=ram+0xfff80 -> ok\n"
			  "ecreate t rbx=ram+0x100000 -> #PF(0x10100000)\n"
			  "ecreate t rbx=x@0x80002000 -> #GP\n"
			  "ecreate t srcpge=0xfff000 -> #PF(0xfff000)\n"
			  "ecreate t srcpge=s -> #GP\n"
			  "expect epcm t valid=0 -> ok\n",
			  6, 6);
}

/* Structures placed over each other: later-built ones win, PAGEINFO last. */
static void test_run_overlapping_operands(void **state)
{
	(void)state;
	/* SECINFO inside the source page: the SECS image's byte 64.. is SECINFO. */
	run_expect_output(
	    "ecreate s secinfo=ram+0x40 => ok\n"
	    "ecreate t secinfo=ram+0x40 type=reg => #GP\n",
	    "ecreate s secinfo=ram+0x40 -> ok\necreate t secinfo=ram+0x40 type=reg -> #GP\n", 2, 2);
}

static void test_run_encls_detail(void **state)
{
	(void)state;
	run_expect_output("ecreate s\nepa v\nencls 3 rcx=s\nencls 3 rcx=v\nencls 0x14\n",
			  "ecreate s -> ok\nepa v -> ok\nencls 3 rcx=s -> ok (rax=0x0 rflags=0x0)\n"
			  "encls 3 rcx=v -> ok (rax=0x0 rflags=0x0)\nencls 0x14 -> #GP\n",
			  5, 0);
	run_expect_output("ecreate s\neadd p secs=s linaddr=0x40000000\nencls 3 rcx=s => 13\n",
			  "ecreate s -> ok\neadd p secs=s linaddr=0x40000000 -> ok\n"
			  "encls 3 rcx=s -> SGX_CHILD_PRESENT (rax=0xd rflags=0x40)\n",
			  3, 1);
}

/* The cpu prefix: per-CPU MSRs, events and enclave entry. */
/* Memory commands: RAM pokes and peeks, maps, and loads that need enclave mode. */
static void test_run_memory(void **state)
{
	(void)state;
	run_expect_output(
	    "poke ram+0x10 0102\npeek ram+0x10 3 want=010200\n"
	    "load 0x7f0000000000 1 => EINVAL\nstore 0x7f0000000000 00 => EINVAL\n"
	    "ecreate p\nmap 0x7f0000000000 p\nmap 0x7f0000000000 p\n"
	    "unmap 0x7f0000000000 => ok\nunmap 0x7f0000000000 => ENOENT\n"
	    "eenter 0x7f0000000000 => #PF(0x7f0000000000)\n"
	    "aex => EINVAL\neexit => #GP\n",
	    "poke ram+0x10 0102 -> ok\npeek ram+0x10 3 want=010200 -> ok (010200)\n"
	    "load 0x7f0000000000 1 -> EINVAL\nstore 0x7f0000000000 00 -> EINVAL\n"
	    "ecreate p -> ok\nmap 0x7f0000000000 p -> ok\nmap 0x7f0000000000 p -> ok\n"
	    "unmap 0x7f0000000000 -> ok\nunmap 0x7f0000000000 -> ENOENT\n"
	    "eenter 0x7f0000000000 -> #PF(0x7f0000000000)\n"
	    "aex -> EINVAL\neexit -> #GP\n",
	    12, 7);
}

/* Host commands without 'host start' answer ENODEV; stats mismatches are reported. */
static void test_run_host(void **state)
{
	(void)state;
	run_expect_output("processor epc=0x80000000+0x10000\nhost stats => ENODEV\nhost start\n"
			  "host start => EBUSY\nvepc open v pages=2\nvepc fault v 2 => EINVAL\n",
			  "host stats -> ENODEV (no host driver: 'host start' first)\n"
			  "host start -> ok\nhost start -> EBUSY\nvepc open v pages=2 -> ok (at "
			  "0x4000000000)\nvepc fault v 2 -> EINVAL\n",
			  5, 3);
	run_expect_mismatch("processor epc=0x80000000+0x10000\nhost start\nhost stats free=3\n",
			    "t:3: expected free=3, got free=16\n", 2);
	run_expect_mismatch("processor epc=0x80000000+0x10000\nhost start\nvepc open v pages=1\n"
			    "vepc remove-all v left=1\n",
			    "t:4: expected left=1, got left=0\n", 3);
}

static void test_run_peek_mismatch(void **state)
{
	(void)state;
	run_expect_mismatch("poke ram 01\npeek ram 1 want=02\npoke ram 03\n",
			    "t:2: 1 byte at 0x10000000 differs from want=\n", 2);
}

static void test_run_cpu_prefix(void **state)
{
	(void)state;
	run_expect_output("processor cpus=2\n"
			  "cpu 1 wrmsr 0x8c 7 => ok\n"
			  "expect msr 0x8c value=0xa6053e051270b7ac\n"
			  "cpu 1 expect msr 0x8c value=7\n"
			  "ecreate s\neadd p secs=s linaddr=0x40000000\n"
			  "cpu 1 enter s => ok\nenter s => ok\ncpu 1 enter s => EBUSY\n"
			  "expect enclave s threads=2\n"
			  "exit => ok\ncpu 1 exit => ok\nexit => ENOENT\n",
			  "cpu 1 wrmsr 0x8c 7 -> ok\n"
			  "expect msr 0x8c value=0xa6053e051270b7ac -> ok\n"
			  "cpu 1 expect msr 0x8c value=7 -> ok\n"
			  "ecreate s -> ok\neadd p secs=s linaddr=0x40000000 -> ok\n"
			  "cpu 1 enter s -> ok\nenter s -> ok\ncpu 1 enter s -> EBUSY\n"
			  "expect enclave s threads=2 -> ok\n"
			  "exit -> ok\ncpu 1 exit -> ok\nexit -> ENOENT\n",
			  12, 10);
}

static void test_run_quiet(void **state)
{
	struct trace_opts opts = { NULL, NULL, NULL, NULL };
	struct trace_summary sum;
	struct trace *t;
	char why[256];

	(void)state;
	assert_int_equal(
	    trace_parse("t", "ecreate s => ok\neremove s => ok\n", 32, &opts, &t, why, sizeof(why)),
	    0);
	assert_int_equal(trace_run(t, &opts, &sum), 0);
	assert_int_equal(sum.commands, 2);
	assert_int_equal(sum.checked, 2);
	/* A trace runs again from a fresh processor each time. */
	assert_int_equal(trace_run(t, &opts, NULL), 0);
	trace_free(t);
}

static void test_run_sgxs(void **state)
{
	struct run_out o;

	(void)state;
	need_vectors();
	run_expect_output(
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig => ok\n"
	    "expect enclave e1 children=4 blocks=245 attributes=0x4\n"
	    "expect epcm e1+0x4000 pt=reg perm=rw linaddr=0x10000003000 secs=e1\n"
	    "einit e1 => SGX_INVALID_EINITTOKEN\n"
	    "einit e1 token=mint => ok\n"
	    "expect enclave e1 initialized=1 "
	    "mrenclave=b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd\n",
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig -> ok (5 pages)\n"
	    "expect enclave e1 children=4 blocks=245 attributes=0x4 -> ok\n"
	    "expect epcm e1+0x4000 pt=reg perm=rw linaddr=0x10000003000 secs=e1 -> ok\n"
	    "einit e1 -> SGX_INVALID_EINITTOKEN\n"
	    "einit e1 token=mint -> ok\n"
	    "expect enclave e1 initialized=1 "
	    "mrenclave=b8c66d597154eaeb93d6d5c133bb7e8b711b8028b29ee36a503c052992976ccd"
	    " -> ok\n",
	    6, 12);
	/* A build that fails says where; its pages stay with their label. */
	run_text("sgxs e1 $VECTORS/synthetic.sgxs base=0x1000 => #GP\n"
		 "sgxs e2 $VECTORS/synthetic.sgxs => ok\n"
		 "expect epcm e2 valid=1\n",
		 &o);
	assert_int_equal(o.r, 0);
	assert_string_equal(
	    o.out, "sgxs e1 $VECTORS/synthetic.sgxs base=0x1000 -> #GP (ECREATE of record 0)\n"
		   "sgxs e2 $VECTORS/synthetic.sgxs -> ok (5 pages)\n"
		   "expect epcm e2 valid=1 -> ok\n");
	run_free(&o);
}

/* A minted token's MAC is made on the issuing CPU as EINIT runs; raw patches come after. */
static void test_run_token_mint(void **state)
{
	(void)state;
	need_vectors();
	run_expect_output(
	    "processor cpus=2\n"
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig\n"
	    "cpu 1 wrmsr 0x8c 0\n"
	    "einit e1 token=mint token[300]=00 => SGX_INVALID_EINITTOKEN\n"
	    "einit e1 token=mint token.mac=00000000000000000000000000000000 => ok\n",
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig -> ok (5 pages)\n"
	    "cpu 1 wrmsr 0x8c 0 -> ok\n"
	    "einit e1 token=mint token[300]=00 -> SGX_INVALID_EINITTOKEN\n"
	    "einit e1 token=mint token.mac=00000000000000000000000000000000 -> ok\n",
	    4, 2);
	run_expect_output(
	    "processor cpus=2\n"
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig\n"
	    "cpu 1 wrmsr 0x8c 0\n"
	    "cpu 1 einit e1 token=mint => ok\n",
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig -> ok (5 pages)\n"
	    "cpu 1 wrmsr 0x8c 0 -> ok\n"
	    "cpu 1 einit e1 token=mint -> ok\n",
	    3, 1);
}

/* einit without sig= takes the SIGSTRUCT of the sgxs that built its SECS. */
static void test_run_einit_default_sig(void **state)
{
	struct trace *t;
	char why[512];

	(void)state;
	need_vectors();
	run_expect_output(
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig\n"
	    "einit e1+0x10 => #GP\n"
	    "einit e1 sig=$VECTORS/test_enclave.sig => SGX_INVALID_MEASUREMENT\n"
	    "einit e1 => SGX_INVALID_EINITTOKEN\n",
	    "sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig -> ok (5 pages)\n"
	    "einit e1+0x10 -> #GP\n"
	    "einit e1 sig=$VECTORS/test_enclave.sig -> SGX_INVALID_MEASUREMENT\n"
	    "einit e1 -> SGX_INVALID_EINITTOKEN\n",
	    4, 3);
	assert_int_equal(
	    parse("sgxs e1 $VECTORS/synthetic.sgxs\neinit e1", vectors(), &t, why, sizeof(why)),
	    -EINVAL);
	assert_string_equal(why, "t:2:1: einit needs sig=FILE (its SECS was not built by 'sgxs ... "
				 "sig=FILE')");
	assert_int_equal(parse("sgxs e1 $VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig\n"
			       "einit e1 token=maybe",
			       vectors(), &t, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "t:2:16: token is zero or mint, not 'maybe'");
}

/* Relative paths start at the trace's directory: opts.basedir, or the file's. */
static void test_load_relative_paths(void **state)
{
	struct trace_opts opts = { NULL, NULL, NULL, NULL };
	char dir[] = "/tmp/test-trace-XXXXXX", path[4200], why[512];
	struct trace *t;
	FILE *f;

	(void)state;
	need_vectors();
	opts.basedir = vectors();
	assert_int_equal(trace_parse("t", "sgxs e synthetic.sgxs", 21, &opts, &t, why, sizeof(why)),
			 0);
	trace_free(t);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.trace", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("sgxs e missing.sgxs\n", f);
	fclose(f);
	opts.basedir = NULL;
	assert_int_equal(trace_load(path, &opts, &t, why, sizeof(why)), -ENOENT);
	snprintf(path, sizeof(path), "%s/a.trace:1:8: %s/missing.sgxs: No such file or directory",
		 dir, dir);
	assert_string_equal(why, path);
	snprintf(path, sizeof(path), "%s/a.trace", dir);
	unlink(path);
	rmdir(dir);
}

static void test_load_missing(void **state)
{
	struct trace_opts opts = { NULL, NULL, NULL, NULL };
	struct trace *t = (struct trace *)1;
	char why[256];

	(void)state;
	assert_int_equal(trace_load("/nonexistent/x.trace", &opts, &t, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "/nonexistent/x.trace: No such file or directory");
	/* A directory says so: it was once "Input/output error". */
	assert_int_equal(trace_load("/", &opts, &t, why, sizeof(why)), -EISDIR);
	assert_string_equal(why, "/: Is a directory");
}

static void test_outcome_names(void **state)
{
	struct trace_outcome o = { TRACE_CODE, 0, false, 0 };
	char buf[64];

	(void)state;
	trace_outcome_format(&o, buf, sizeof(buf));
	assert_string_equal(buf, "ok");
	o.value = SGX_INVALID_CPUSVN;
	trace_outcome_format(&o, buf, sizeof(buf));
	assert_string_equal(buf, "SGX_INVALID_CPUSVN");
	o.value = 99;
	trace_outcome_format(&o, buf, sizeof(buf));
	assert_string_equal(buf, "99");
	o = (struct trace_outcome){ TRACE_FAULT, X86_TRAP_PF, true, 0x1000 };
	trace_outcome_format(&o, buf, sizeof(buf));
	assert_string_equal(buf, "#PF(0x1000)");
	o.has_addr = false;
	trace_outcome_format(&o, buf, sizeof(buf));
	assert_string_equal(buf, "#PF");
	o = (struct trace_outcome){ TRACE_ERRNO, EBUSY, false, 0 };
	trace_outcome_format(&o, buf, sizeof(buf));
	assert_string_equal(buf, "EBUSY");

	assert_int_equal(trace_outcome_lookup("#UD", 3, &o), 0);
	assert_int_equal(o.kind, TRACE_FAULT);
	assert_int_equal(o.value, X86_TRAP_UD);
	assert_int_equal(trace_outcome_lookup("SGX_UNMASKED_EVENT", 18, &o), 0);
	assert_int_equal(o.kind, TRACE_CODE);
	assert_int_equal(o.value, SGX_UNMASKED_EVENT);
	assert_int_equal(trace_outcome_lookup("SGX_SUCCESSX", 12, &o), -EINVAL);
	assert_int_equal(trace_outcome_lookup("ok", 1, &o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_lines),
		cmocka_unit_test(test_syntax_cpu_prefix),
		cmocka_unit_test(test_syntax_numbers),
		cmocka_unit_test(test_syntax_labels),
		cmocka_unit_test(test_syntax_label_allocated),
		cmocka_unit_test(test_syntax_options),
		cmocka_unit_test(test_syntax_leaves),
		cmocka_unit_test(test_syntax_host),
		cmocka_unit_test(test_syntax_expect),
		cmocka_unit_test(test_syntax_processor),
		cmocka_unit_test(test_syntax_vectors_unset),
		cmocka_unit_test(test_syntax_unreadable_files),
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_counts_commands),
		cmocka_unit_test(test_run_output_lines),
		cmocka_unit_test(test_run_pf_detail_address),
		cmocka_unit_test(test_run_mismatch_code),
		cmocka_unit_test(test_run_mismatch_pf_address),
		cmocka_unit_test(test_run_mismatch_expect),
		cmocka_unit_test(test_run_expect_spellings),
		cmocka_unit_test(test_run_label_allocation),
		cmocka_unit_test(test_run_ram_window),
		cmocka_unit_test(test_run_overlapping_operands),
		cmocka_unit_test(test_run_encls_detail),
		cmocka_unit_test(test_run_memory),
		cmocka_unit_test(test_run_peek_mismatch),
		cmocka_unit_test(test_run_host),
		cmocka_unit_test(test_run_cpu_prefix),
		cmocka_unit_test(test_run_quiet),
		cmocka_unit_test(test_run_sgxs),
		cmocka_unit_test(test_run_token_mint),
		cmocka_unit_test(test_run_einit_default_sig),
		cmocka_unit_test(test_load_relative_paths),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_outcome_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
