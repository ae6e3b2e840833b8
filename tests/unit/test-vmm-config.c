// SPDX-License-Identifier: MIT
/*
 * The hypervisor's configuration: the host description, xl-style configs and
 * QEMU-style options, each accepted config's exact contents, and every
 * refusal with its exact message.
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

#include "vsgx/vmm-config.h"
#include "vsgx/vmm-cpuid.h"

#define MIB	       (1ULL << 20)
#define INTEL_HASH_HEX "acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4"
#define ALL_SGX_FEATURES                                                                           \
	(VM_CPU(VM_CPU_SGX) | VM_CPU(VM_CPU_SGXLC) | VM_CPU(VM_CPU_SGX1) | VM_CPU(VM_CPU_SGX2) |   \
	 VM_CPU(VM_CPU_SGX_EXINFO) | VM_CPU(VM_CPU_SGX_DEBUG) | VM_CPU(VM_CPU_SGX_MODE64) |        \
	 VM_CPU(VM_CPU_SGX_PROVISIONKEY) | VM_CPU(VM_CPU_SGX_TOKENKEY) | VM_CPU(VM_CPU_SGX_KSS) |  \
	 VM_CPU(VM_CPU_SGX_AEXNOTIFY) | VM_CPU(VM_CPU_SGX_EDECCSSA))

struct fix {
	struct hw_processor *host;
	struct vm_config vm;
	char why[512];
};

static int host_up(void **state, const char *desc)
{
	static struct fix f;
	struct hw_desc d;

	memset(&f, 0, sizeof(f));
	if (desc)
		assert_int_equal(vm_host_parse(desc, &d, f.why, sizeof(f.why)), 0);
	else
		vm_host_default(&d);
	assert_int_equal(hw_processor_create(&d, &f.host), 0);
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return host_up(state, NULL);
}

static int teardown(void **state)
{
	struct fix *f = *state;

	hw_processor_destroy(f->host);
	return 0;
}

static void host_repower(struct fix *f, const struct hw_desc *d)
{
	hw_processor_destroy(f->host);
	assert_int_equal(hw_processor_create(d, &f->host), 0);
}

static int parse(struct fix *f, const char *text)
{
	f->why[0] = '\0';
	return vm_config_parse(f->host, text, &f->vm, f->why, sizeof(f->why));
}

/* As vsgx vm layout --strict reads it: the first error in (why). */
static int parse_strict(struct fix *f, const char *text, struct vm_diags *d)
{
	int r;

	vm_diags_init(d, true);
	r = vm_config_read(f->host, text, &f->vm, d);
	snprintf(f->why, sizeof(f->why), "%s", vm_diags_first_error(d));
	return r;
}

struct bad {
	const char *text, *why;
};

/* Each text must be refused with -EINVAL and exactly its message. */
static void assert_refused(struct fix *f, const struct bad *b, size_t n)
{
	struct vm_diags d;

	for (size_t i = 0; i < n; i++) {
		int r = parse_strict(f, b[i].text, &d);

		if (r != -EINVAL || strcmp(f->why, b[i].why))
			print_error("config: %s\nwant: %s\ngot %d: %s\n", b[i].text, b[i].why, r,
				    f->why);
		if (getenv("VSGX_TEST_LIST"))
			continue;
		assert_int_equal(r, -EINVAL);
		assert_string_equal(f->why, b[i].why);
	}
}

/* --- /host --- */

static void test_host_default(void **state)
{
	struct hw_desc d, p;
	char why[256];

	(void)state;
	vm_host_default(&d);
	assert_int_equal(d.nr_sections, 2);
	assert_int_equal(d.sections[0].base, 0x80000000ULL);
	assert_int_equal(d.sections[0].size, 128 * MIB);
	assert_int_equal(d.sections[0].node, 0);
	assert_int_equal(d.sections[1].base, 0x180000000ULL);
	assert_int_equal(d.sections[1].size, 128 * MIB);
	assert_int_equal(d.sections[1].node, 1);
	assert_int_equal(d.nr_cpus, 4);
	assert_true(d.sgx2);
	assert_true(d.flc);
	assert_int_equal(d.feature_control,
			 FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED | FEAT_CTL_SGX_LC_ENABLED);
	assert_int_equal(hw_desc_check(&d, why, sizeof(why)), 0);
	/* The empty description and the brief's example are the default. */
	assert_int_equal(vm_host_parse("", &p, why, sizeof(why)), 0);
	assert_memory_equal(&p, &d, sizeof(d));
	assert_int_equal(vm_host_parse("host epc=128M@0 epc=128M@1 cpus=4 sgx2=1 flc=1 "
				       "lehash-locked=0",
				       &p, why, sizeof(why)),
			 0);
	assert_memory_equal(&p, &d, sizeof(d));
}

static void test_host_parse(void **state)
{
	struct hw_desc d;
	char why[256];

	(void)state;
	assert_int_equal(vm_host_parse("# one socket\nhost epc=0x4000000 cpus=8\nsgx2=0 "
				       "lehash-locked=1 # locked by firmware\nepc=1G@3",
				       &d, why, sizeof(why)),
			 0);
	assert_int_equal(d.nr_sections, 2);
	assert_int_equal(d.sections[0].base, 0x80000000ULL);
	assert_int_equal(d.sections[0].size, 64 * MIB);
	assert_int_equal(d.sections[0].node, 0);
	assert_int_equal(d.sections[1].base, 0x180000000ULL);
	assert_int_equal(d.sections[1].size, 1ULL << 30);
	assert_int_equal(d.sections[1].node, 3);
	assert_int_equal(d.nr_cpus, 8);
	assert_false(d.sgx2);
	assert_true(d.flc);
	assert_int_equal(d.feature_control, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	/* Sockets as sold today: each section after the last, aligned to its size. */
	assert_int_equal(vm_host_parse("host epc=512G@0 epc=512G@1", &d, why, sizeof(why)), 0);
	assert_int_equal(d.sections[0].base, 512ULL << 30);
	assert_int_equal(d.sections[1].base, 1024ULL << 30);
	assert_int_equal(vm_host_parse("host epc=8G epc=8G epc=64M", &d, why, sizeof(why)), 0);
	assert_int_equal(d.sections[0].base, 8ULL << 30);
	assert_int_equal(d.sections[1].base, 16ULL << 30);
	assert_int_equal(d.sections[2].base, 24ULL << 30);
	/* No FLC: no SGX_LC, whatever lehash-locked says. */
	assert_int_equal(vm_host_parse("flc=0", &d, why, sizeof(why)), 0);
	assert_false(d.flc);
	assert_int_equal(d.feature_control, FEAT_CTL_LOCKED | FEAT_CTL_SGX_ENABLED);
	/* The oversubscription extensions: off unless asked for. */
	assert_false(d.oversub);
	assert_int_equal(vm_host_parse("oversub=1", &d, why, sizeof(why)), 0);
	assert_true(d.oversub);
}

static void test_host_errors(void **state)
{
	static const struct bad bad[] = {
		{ "epc=1M epc=1M epc=1M epc=1M epc=1M epc=1M epc=1M epc=1M epc=1M",
		  "host: more than 8 epc= sections; a processor has 1 to 8" },
		{ "epc=128M@x", "host: epc=128M@x: node 'x' is not a number from 0 to 63" },
		{ "epc=128M@64", "host: epc=128M@64: node '64' is not a number from 0 to 63" },
		{ "epc=0", "host: epc=0: the size must be a nonzero multiple of 4 KiB, e.g. "
			   "epc=128M@0" },
		{ "epc=6000", "host: epc=6000: the size must be a nonzero multiple of 4 KiB, e.g. "
			      "epc=128M@0" },
		{ "epc=12Q", "host: epc=12Q: the size must be a nonzero multiple of 4 KiB, e.g. "
			     "epc=128M@0" },
		{ "sgx2=2", "host: sgx2=2: expected sgx2=0 or sgx2=1" },
		{ "flc=yes", "host: flc=yes: expected flc=0 or flc=1" },
		{ "oversub=2", "host: oversub=2: expected oversub=0 or oversub=1" },
		{ "lehash-locked=", "host: lehash-locked=: expected lehash-locked=0 or "
				    "lehash-locked=1" },
		{ "cpus=0", "host: cpus=0: expected 1 to 256 CPUs" },
		{ "cpus=257", "host: cpus=257: expected 1 to 256 CPUs" },
		{ "epc", "host: 'epc' is not KEY=VALUE; keys: epc, cpus, sgx2, flc, oversub, "
			 "lehash-locked" },
		{ "host host", "host: 'host' is not KEY=VALUE; keys: epc, cpus, sgx2, flc, "
			       "oversub, lehash-locked" },
		{ "numa=2",
		  "host: unknown key 'numa'; keys: epc, cpus, sgx2, flc, oversub, lehash-locked" },
		{ "epc=1234567890123456789012345678901234567890123456789012345678901234567890",
		  "host: 'epc=12345678901234567890123456789012345678901234567890123456789...' "
		  "is too long" },
	};
	struct hw_desc d, before;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0x5a, sizeof(d));
		before = d;
		assert_int_equal(vm_host_parse(bad[i].text, &d, why, sizeof(why)), -EINVAL);
		assert_string_equal(why, bad[i].why);
		assert_memory_equal(&d, &before, sizeof(d)); /* untouched on failure */
	}
	/* (why) may be NULL. */
	assert_int_equal(vm_host_parse("cpus=0", &d, NULL, 0), -EINVAL);
}

/* --- /xl --- */

static void test_xl_minimal(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "name = \"vm1\"\n"), 0);
	assert_string_equal(f->vm.name, "vm1");
	assert_int_equal(f->vm.memory, 128 * MIB);
	assert_int_equal(f->vm.vcpus, 1);
	assert_int_equal(f->vm.nr_nodes, 1);
	assert_int_equal(f->vm.nr_sections, 0);
	/* No EPC, no SGX. */
	assert_int_equal(f->vm.features, 0);
	assert_false(f->vm.provision);
	assert_false(f->vm.lewr);
}

static void test_xl_epc(void **state)
{
	struct fix *f = *state;

	/* The legacy builder = "hvm" makes an HVM guest as type = "hvm" does. */
	assert_int_equal(parse(f, "# Xen SGX design, v1\nname = 'vm1'\nmemory = 1024\nvcpus = 2\n"
				  "epc = 64 # MiB\ndisk = [ 'file:/img,xvda,w' ]\n"
				  "builder = \"hvm\"\nunknown_key = 7\n"),
			 0);
	assert_string_equal(f->vm.name, "vm1");
	assert_int_equal(f->vm.memory, 1024 * MIB);
	assert_int_equal(f->vm.vcpus, 2);
	assert_int_equal(f->vm.nr_sections, 1);
	assert_string_equal(f->vm.sections[0].memdev, "epc0");
	assert_int_equal(f->vm.sections[0].size, 64 * MIB);
	assert_int_equal(f->vm.sections[0].node, 0);
	assert_int_equal(f->vm.sections[0].host_nodes, 0);
	assert_int_equal(f->vm.sections[0].policy, VM_POLICY_DEFAULT);
	assert_false(f->vm.sections[0].prealloc);
	/* Every host feature but PROVISIONKEY, which xl grants only with provision=1. */
	assert_int_equal(f->vm.features, ALL_SGX_FEATURES & ~VM_CPU(VM_CPU_SGX_PROVISIONKEY));
	assert_false(f->vm.provision);
	assert_true(f->vm.lewr);
	assert_int_equal(f->vm.lehash[0], SGX_LEPUBKEYHASH_INTEL0);
	assert_int_equal(f->vm.lehash[1], SGX_LEPUBKEYHASH_INTEL1);
	assert_int_equal(f->vm.lehash[2], SGX_LEPUBKEYHASH_INTEL2);
	assert_int_equal(f->vm.lehash[3], SGX_LEPUBKEYHASH_INTEL3);
}

static void test_xl_sgx_string(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f,
			       "name=\"vm2\"\ntype=\"hvm\"\nsgx = \"epc=32,lehash=" INTEL_HASH_HEX
			       ",lewr=0,provision=1\"\n"),
			 0);
	assert_int_equal(f->vm.nr_sections, 1);
	assert_int_equal(f->vm.sections[0].size, 32 * MIB);
	assert_false(f->vm.lewr);
	assert_true(f->vm.provision);
	assert_int_equal(f->vm.features, ALL_SGX_FEATURES);
	/* The hex is the hash's bytes in order: Intel's hash gives the reset values. */
	assert_int_equal(f->vm.lehash[0], SGX_LEPUBKEYHASH_INTEL0);
	assert_int_equal(f->vm.lehash[3], SGX_LEPUBKEYHASH_INTEL3);
	assert_int_equal(
	    parse(f, "name=\"v\"\ntype='hvm'\nsgx = \"epc=8,lehash=000102030405060708090a0b"
		     "0c0d0e0f101112131415161718191A1B1C1D1E1F\""),
	    0);
	assert_int_equal(f->vm.lehash[0], 0x0706050403020100ULL);
	assert_int_equal(f->vm.lehash[1], 0x0f0e0d0c0b0a0908ULL);
	assert_int_equal(f->vm.lehash[2], 0x1716151413121110ULL);
	assert_int_equal(f->vm.lehash[3], 0x1f1e1d1c1b1a1918ULL);
	assert_true(f->vm.lewr);
	/* Empty options are skipped. */
	assert_int_equal(parse(f, "name='v'\ntype='hvm'\nsgx = ',epc=16,,lewr=0,'"), 0);
	assert_int_equal(f->vm.sections[0].size, 16 * MIB);
	assert_false(f->vm.lewr);
}

/* Settings end at a newline or ';'; '#' comments are cut outside strings. */
static void test_xl_semicolons(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "name=\"a;b#c\"; type=\"hvm\";memory = 512;; ;vcpus=3 # x;y\n"
				  "epc = 16;"),
			 0);
	assert_string_equal(f->vm.name, "a;b#c");
	assert_int_equal(f->vm.memory, 512 * MIB);
	assert_int_equal(f->vm.vcpus, 3);
	assert_int_equal(f->vm.nr_sections, 1);
	assert_int_equal(f->vm.sections[0].size, 16 * MIB);
	/* CRLF line ends, a comment at the very end without a newline; the last setting wins. */
	assert_int_equal(parse(f, "name = 'x'\r\nvcpus = 2\r\nvcpus = 4 # last"), 0);
	assert_string_equal(f->vm.name, "x");
	assert_int_equal(f->vm.vcpus, 4);
}

/* strtol base 0, as libxlu reads numbers: 0 prefix octal, 0x hex. */
static void test_xl_numbers(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "name = 'a'\nmemory = 010\nvcpus = 0x10\n"), 0);
	assert_int_equal(f->vm.memory, 8 * MIB);
	assert_int_equal(f->vm.vcpus, 16);
	assert_int_equal(parse(f, "name = 'a'\nmemory = 0x400\nvcpus = 0\n"), -EINVAL);
	assert_int_equal(parse(f, "name = 'a'\nmemory = 0x400\nvcpus = 00377 # 255\n"), 0);
	assert_int_equal(f->vm.memory, 1024 * MIB);
	assert_int_equal(f->vm.vcpus, 255);
	assert_int_equal(parse(f, "name = 'a'\ntype = 'hvm'\nmemory = 0X7FF\nepc = 0x20"), 0);
	assert_int_equal(f->vm.memory, 2047 * MIB);
	assert_int_equal(f->vm.sections[0].size, 32 * MIB);
	/* The largest number of MiB whose bytes fit in 64 bits. */
	assert_int_equal(parse(f, "name = 'a'\nmemory = 0xfffffffffff"), 0);
	assert_int_equal(f->vm.memory, 0xfffffffffffULL << 20);
}

/* Lists span lines, hold comments and a trailing ',', and nest (vnuma). */
static void test_xl_lists(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "name = \"vm1\"\n"
				  "disk = [ 'phy:/dev/vg/a,xvda,w',   # the root disk\n"
				  "         'file:/x.img,xvdb,r',\n"
				  "\n"
				  "         # a comment line inside the list\n"
				  "       ]\n"
				  "vif = [ \"mac=00:16:3e:00:00:01,bridge=xenbr0\" ]; cpus = []\n"
				  "vnuma = [ [ \"pnode=0\", \"size=512\", \"vcpus=0\" ],\n"
				  "          [ \"pnode=1\", \"size=512\", \"vcpus=1\", ], ]\n"
				  "pci = [\n"
				  "]\n"
				  "ioports = [ 0x3f8, 017 ]; type = 'hvm'\n"
				  "epc = 8\n"),
			 0);
	assert_string_equal(f->vm.name, "vm1");
	assert_int_equal(f->vm.nr_sections, 1);
	assert_int_equal(f->vm.sections[0].size, 8 * MIB);
}

/* KEY += VALUE appends in xl; fine for the keys vsgx ignores. */
static void test_xl_append(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "name = 'a'\ndisk = [ 'x' ]\ndisk += [ 'y' ]\nextra += ' q'"), 0);
	assert_string_equal(f->vm.name, "a");
}

/* xl's default type on x86 is "pv": EPC needs type = "hvm"; without EPC no type is fine. */
static void test_xl_type(void **state)
{
	static const struct bad bad[] = {
		{ "name = \"a\"\nepc = 64", "epc: SGX is only supported for HVM guests and xl's "
					    "default type is \"pv\"; set type = \"hvm\"" },
		{ "name = \"a\"\nsgx = \"epc=64\"", "epc: SGX is only supported for HVM guests "
						    "and xl's default type is \"pv\"; set type = "
						    "\"hvm\"" },
		{ "name = \"a\"\ntype = \"pv\"\nepc = 64", "epc: SGX is only supported for HVM "
							   "guests; set type = \"hvm\"" },
		{ "name = \"a\"\ntype = \"pvh\"\nepc = 64", "epc: SGX is only supported for HVM "
							    "guests; set type = \"hvm\"" },
		{ "name = \"a\"\ntype = \"hvm\"\nbuilder = \"generic\"\nepc = 64",
		  "epc: SGX is only supported for HVM guests; set type = \"hvm\"" },
		{ "name = \"a\"\ntype = hvm\nepc = 64", "line 2: type must be a string, e.g. type "
							"= \"hvm\"" },
		{ "name = \"a\"\nbuilder = [ 'hvm' ]", "line 2: builder must be a string, e.g. "
						       "builder = \"hvm\"" },
	};
	struct fix *f = *state;

	assert_refused(f, bad, sizeof(bad) / sizeof(bad[0]));
	/* No type and no EPC: a PV guest without SGX. */
	assert_int_equal(parse(f, "name = \"pv\"\nmemory = 256\n"), 0);
	assert_string_equal(f->vm.name, "pv");
	assert_int_equal(f->vm.memory, 256 * MIB);
	assert_int_equal(f->vm.nr_sections, 0);
	assert_int_equal(f->vm.features, 0);
	assert_int_equal(parse(f, "name = \"a\"\ntype = \"pv\"\n"), 0);
	assert_int_equal(f->vm.nr_sections, 0);
	assert_int_equal(parse(f, "name = \"a\"\ntype = \"pv\"\nbuilder = \"hvm\"\nepc = 64"), 0);
	assert_int_equal(f->vm.nr_sections, 1);
}

static void test_xl_syntax_errors(void **state)
{
	static const struct bad bad[] = {
		{ "name = \"a\"\nmemory 1024\n", "line 2: syntax error: expected KEY = VALUE (a "
						 "number, a \"string\" or a [list])" },
		{ "2x = 1", "line 1: syntax error: expected KEY = VALUE (a number, a \"string\" or "
			    "a [list])" },
		{ "a.b = 1",
		  "line 1: syntax error: expected KEY = VALUE (a number, a \"string\" or "
		  "a [list])" },
		{ "name =", "line 1: syntax error: expected KEY = VALUE (a number, a \"string\" or "
			    "a [list])" },
		{ "name =\n\"a\"", "line 1: syntax error: expected KEY = VALUE (a number, a "
				   "\"string\" or a [list])" },
		{ "name = \"a\"\n\n]", "line 3: syntax error: expected KEY = VALUE (a number, a "
				       "\"string\" or a [list])" },
		{ "memory = -1", "line 1: syntax error: expected KEY = VALUE (a number, a "
				 "\"string\" or a [list])" },
		{ "name = \"a\" type = \"hvm\"", "line 1: syntax error: expected ';' or a newline "
						 "after the value of name" },
		{ "name = \"a\"\nmemory = 1024 512", "line 2: syntax error: expected ';' or a "
						     "newline after the value of memory" },
		{ "name = \"a\nx", "line 1: unterminated string: end it with its opening quote on "
				   "the same line" },
		{ "name = \"a\"\nextra = 'console=hvc0", "line 2: unterminated string: end it "
							 "with its opening quote on the same "
							 "line" },
		{ "name = \"a\"b\"", "line 1: syntax error: expected ';' or a newline after the "
				     "value of name" },
		{ "name = \"a\"\ndisk = [ 'phy:/dev/vg/a,xvda,w',\n  'file:/x.img,xvdb,r'\n",
		  "line 2: unterminated list: disk = [ has no closing ']'" },
		{ "name = \"a\"\nvnuma = [ [ 'pnode=0' ],\n  [ 'pnode=1' ]\n# ]\n",
		  "line 2: unterminated list: vnuma = [ has no closing ']'" },
		{ "name = \"a\"\ndisk = [ 'a',\n  'b ]\nmemory = 8\n",
		  "line 2: unterminated string on line 3: end it with its opening quote on the "
		  "same line" },
		{ "disk = [ 'a' 'b' ]", "line 1: syntax error in disk = [...]: expected numbers, "
					"\"strings\" or [lists] separated by ','" },
		{ "disk = [ , ]", "line 1: syntax error in disk = [...]: expected numbers, "
				  "\"strings\" or [lists] separated by ','" },
		{ "disk = [ 'a',, 'b' ]", "line 1: syntax error in disk = [...]: expected numbers, "
					  "\"strings\" or [lists] separated by ','" },
		{ "disk = [ phy ]", "line 1: syntax error in disk = [...]: 'phy' is not a value; "
				    "is the list's ']' missing?" },
		{ "name = 'a'\ndisk = [ 'a',\n  'b'\nmemory = 8\n",
		  "line 2: syntax error in disk = [...] on line 4: 'memory' is not a value; is the "
		  "list's ']' missing?" },
		{ "vnuma = [ [ 1 ] [ 2 ] ]", "line 1: syntax error in vnuma = [...]: expected "
					     "numbers, \"strings\" or [lists] separated by ','" },
		{ "name = 'a'\ndisk = [ 'a',\n  'b';\n]",
		  "line 2: syntax error in disk = [...] on line 3: expected numbers, \"strings\" "
		  "or [lists] separated by ','" },
		{ "name = 'a'\ndisk = [ 'a' ] ]", "line 2: syntax error: expected ';' or a newline "
						  "after the value of disk" },
		{ "name = 'a'\nkernel = vmlinuz", "line 2: kernel = vmlinuz: not a number, a "
						  "\"string\" or a [list]; quote it" },
		{ "name = 'a'\nmemory += 8", "line 2: memory += is not supported; set it once with "
					     "memory =" },
		{ "name = 'a'\nname += 'b'", "line 2: name += is not supported; set it once with "
					     "name =" },
		{ "name = 'a'\nx + = 1", "line 2: syntax error: expected KEY = VALUE (a number, a "
					 "\"string\" or a [list])" },
	};
	struct fix *f = *state;

	assert_refused(f, bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_xl_errors(void **state)
{
	static const struct bad bad[] = {
		{ "name = vm1", "line 1: name must be a quoted, nonempty string of at most 63 "
				"characters" },
		{ "name = \"\"", "line 1: name must be a quoted, nonempty string of at most 63 "
				 "characters" },
		{ "name = [ 'a' ]", "line 1: name must be a quoted, nonempty string of at most 63 "
				    "characters" },
		{ "name = '0123456789012345678901234567890123456789012345678901234567890123'",
		  "line 1: name must be a quoted, nonempty string of at most 63 characters" },
		{ "memory = \"1024\"", "line 1: memory = 1024: expected a number of MiB from 1 to "
				       "17592186044415" },
		{ "memory = [ 1024 ]", "line 1: memory = [...]: expected a number of MiB from 1 to "
				       "17592186044415" },
		{ "memory = 0", "line 1: memory = 0: expected a number of MiB from 1 to "
				"17592186044415" },
		{ "memory = 0x100000000000", "line 1: memory = 0x100000000000: expected a number "
					     "of MiB from 1 to 17592186044415" },
		{ "memory = 9223372036854775807", "line 1: memory = 9223372036854775807: expected "
						  "a number of MiB from 1 to 17592186044415" },
		{ "memory = 9223372036854775808", "line 1: memory = 9223372036854775808: could not "
						  "be parsed as a number: Numerical result out of "
						  "range; expected a number of MiB from 1 to "
						  "17592186044415" },
		{ "name = 'a'\n\nmemory = 0x10000000000000000",
		  "line 3: memory = 0x10000000000000000: could not be parsed as a number: "
		  "Numerical result out of range; expected a number of MiB from 1 to "
		  "17592186044415" },
		{ "vcpus = 01000000000000000000000", "line 1: vcpus = 01000000000000000000000: "
						     "could not be parsed as a number: Numerical "
						     "result out of range; expected a number from "
						     "1 to 256" },
		{ "vcpus = 257", "line 1: vcpus = 257: expected a number from 1 to 256" },
		{ "vcpus = 0x101", "line 1: vcpus = 0x101: expected a number from 1 to 256" },
		{ "memory = 08", "line 1: memory = 08: not a valid number (decimal, octal with a "
				 "leading 0, hex with 0x); expected a number of MiB from 1 to "
				 "17592186044415" },
		{ "memory = 1024M", "line 1: memory = 1024M: not a valid number (decimal, octal "
				    "with a leading 0, hex with 0x); expected a number of MiB from "
				    "1 to 17592186044415" },
		{ "memory = 0x", "line 1: memory = 0x: not a valid number (decimal, octal with a "
				 "leading 0, hex with 0x); expected a number of MiB from 1 to "
				 "17592186044415" },
		{ "vcpus = 0x1g", "line 1: vcpus = 0x1g: not a valid number (decimal, octal with a "
				  "leading 0, hex with 0x); expected a number from 1 to 256" },
		{ "epc = 1.5", "line 1: epc = 1.5: not a valid number (decimal, octal with a "
			       "leading 0, hex with 0x); expected a number of MiB from 1 to "
			       "17592186044415" },
		{ "epc = 64\nsgx = \"epc=64\"", "line 2: the EPC size is given both by epc = and "
						"by sgx = \"epc=...\"; keep one" },
		{ "sgx = \"epc=64\"\nepc = 64", "line 2: the EPC size is given both by epc = and "
						"by sgx = \"epc=...\"; keep one" },
		{ "sgx = \"epc=0\"", "line 1: sgx: epc must be a nonzero number of MiB, e.g. "
				     "epc=64" },
		{ "sgx = \"epc=123456789012345678901234567890\"",
		  "line 1: sgx: epc must be a nonzero number of MiB, e.g. epc=64" },
		{ "sgx = \"epc=64,lehash=abc\"", "line 1: sgx: lehash must be exactly 64 hex "
						 "digits: the SHA-256 of the launch enclave "
						 "signer's modulus" },
		{ "sgx = \"lehash=" INTEL_HASH_HEX "0\"",
		  "line 1: sgx: lehash must be exactly 64 hex digits: the SHA-256 of the launch "
		  "enclave signer's modulus" },
		{ "sgx = "
		  "\"lehash=acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8dg\"",
		  "line 1: sgx: lehash must be exactly 64 hex digits: the SHA-256 of the launch "
		  "enclave signer's modulus" },
		{ "sgx = \"lewr=2\"", "line 1: sgx: lewr=2: expected lewr=0 or lewr=1" },
		{ "sgx = \"lewr=11\"", "line 1: sgx: lewr=11: expected lewr=0 or lewr=1" },
		{ "sgx = \"provision=on\"", "line 1: sgx: provision=on: expected provision=0 or "
					    "provision=1" },
		{ "sgx = \"epc=64,lewr\"", "line 1: sgx: unknown option 'lewr'; options: epc=MiB, "
					   "lehash=HEX, lewr=0|1, provision=0|1" },
		{ "sgx = \"size=64\"", "line 1: sgx: unknown option 'size'; options: epc=MiB, "
				       "lehash=HEX, lewr=0|1, provision=0|1" },
		{ "sgx = 64", "line 1: sgx must be a string, e.g. sgx = \"epc=64\"" },
		{ "memory = 1024", "Domain name must be specified: add name = \"...\"" },
		{ "", "Domain name must be specified: add name = \"...\"" },
		{ "name = \"a\"\nsgx = \"lewr=1\"", "sgx: no EPC; add epc=MiB, e.g. sgx = "
						    "\"epc=64\"" },
		{ "name = \"a\"\ntype = \"hvm\"\nepc = 512",
		  "not enough EPC on the host: the guest "
		  "needs 512 MiB, the host has 256 MiB; "
		  "make epc smaller" },
	};
	struct fix *f = *state;

	assert_refused(f, bad, sizeof(bad) / sizeof(bad[0]));
}

/* No line is too long now; the whole text is bounded by the 1 MiB callers read. */
static void test_xl_long_text(void **state)
{
	static const char head[] = "name = 'a' # ";
	size_t max = 1 << 20;
	struct fix *f = *state;
	char *text = malloc(max + 2);

	assert_non_null(text);
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, 'x', max - (sizeof(head) - 1));
	text[max] = '\0';
	assert_int_equal(parse(f, text), 0);
	assert_string_equal(f->vm.name, "a");
	text[max] = 'x';
	text[max + 1] = '\0';
	assert_int_equal(parse(f, text), -EINVAL);
	assert_string_equal(f->why, "config too long: an xl config is 1 MiB at most");
	free(text);
}

/* Launch control: what a host with a locked LE hash, or none, allows. */
static void test_xl_locked_host(void **state)
{
	static const struct bad bad[] = {
		{ "name = \"a\"\ntype = \"hvm\"\nsgx = \"epc=64,lehash=" INTEL_HASH_HEX "\"",
		  "sgx: lehash and lewr=1 need a host whose firmware left the IA32_SGXLEPUBKEYHASH "
		  "MSRs writable (flexible launch control, unlocked); remove them" },
		{ "name = \"a\"\ntype = \"hvm\"\nsgx = \"epc=64,lewr=1\"",
		  "sgx: lehash and lewr=1 need a host whose firmware left the IA32_SGXLEPUBKEYHASH "
		  "MSRs writable (flexible launch control, unlocked); remove them" },
	};
	struct fix *f = *state;
	struct hw_desc d;

	assert_int_equal(vm_host_parse("lehash-locked=1", &d, NULL, 0), 0);
	host_repower(f, &d);
	assert_refused(f, bad, 2);
	/* Without them the guest runs, without SGX_LC and without a writable hash. */
	assert_int_equal(parse(f, "name = \"a\"\ntype = \"hvm\"\nsgx = \"epc=64,lewr=0\""), 0);
	assert_int_equal(f->vm.features, ALL_SGX_FEATURES & ~VM_CPU(VM_CPU_SGXLC) &
					     ~VM_CPU(VM_CPU_SGX_PROVISIONKEY));
	assert_false(f->vm.lewr);
}

static void test_xl_no_provisionkey_host(void **state)
{
	static const struct bad bad[] = {
		{ "name = \"a\"\ntype = \"hvm\"\nsgx = \"epc=64,provision=1\"",
		  "sgx: provision=1 but the host cannot give guests PROVISIONKEY; remove it" },
	};
	struct fix *f = *state;
	struct hw_desc d;

	vm_host_default(&d);
	d.attributes &= ~SGX_ATTR_PROVISIONKEY;
	host_repower(f, &d);
	assert_refused(f, bad, 1);
}

/* --- /qemu --- */

static void test_qemu_defaults(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "-enable-kvm"), 0);
	assert_string_equal(f->vm.name, "");
	assert_int_equal(f->vm.memory, 128 * MIB);
	assert_int_equal(f->vm.vcpus, 1);
	assert_int_equal(f->vm.nr_nodes, 1);
	assert_int_equal(f->vm.nr_sections, 0);
	assert_int_equal(f->vm.features, 0);
}

static void test_qemu_sections(void **state)
{
	struct fix *f = *state;
	const struct vm_epc_section *s = f->vm.sections;

	assert_int_equal(
	    parse(f, "# two sections, one per guest node\n"
		     "-name guest=vm2 -m size=2G --smp cpus=3 -accel kvm,kernel-irqchip=split\n"
		     "-numa node,nodeid=0,cpus=0-1 -numa node,nodeid=1,cpus=2\n"
		     "-object memory-backend-epc,id=m0,size=64M,prealloc=on,host-nodes=0,"
		     "policy=bind\n"
		     "-object qom-type=memory-backend-epc,id=m.1,size=6000,host-nodes=0-1,"
		     "policy=interleave\n"
		     "-M q35,sgx-epc.0.memdev=m0,sgx-epc.0.node=1\n"
		     "-machine type=pc-q35-9.0,sgx-epc.1.memdev=m.1,sgx-epc.1.node=0\n"
		     "-cpu host,+sgx,sgx-kss=off,sgx-debug=on,-sgx2,+sgx2"),
	    0);
	assert_string_equal(f->vm.name, "vm2");
	assert_int_equal(f->vm.memory, 2048 * MIB);
	assert_int_equal(f->vm.vcpus, 3);
	assert_int_equal(f->vm.nr_nodes, 2);
	assert_int_equal(f->vm.nr_sections, 2);
	assert_string_equal(s[0].memdev, "m0");
	assert_int_equal(s[0].size, 64 * MIB);
	assert_int_equal(s[0].node, 1);
	assert_int_equal(s[0].host_nodes, 0x1);
	assert_int_equal(s[0].policy, VM_POLICY_BIND);
	assert_true(s[0].prealloc);
	assert_string_equal(s[1].memdev, "m.1");
	assert_int_equal(s[1].size, 8192); /* whole pages */
	assert_int_equal(s[1].node, 0);
	assert_int_equal(s[1].host_nodes, 0x3);
	assert_int_equal(s[1].policy, VM_POLICY_INTERLEAVE);
	assert_false(s[1].prealloc);
	assert_int_equal(f->vm.features, ALL_SGX_FEATURES & ~VM_CPU(VM_CPU_SGX_KSS));
	assert_true(f->vm.provision);
	assert_true(f->vm.lewr);
	assert_int_equal(vm_config_epc_size(&f->vm), 64 * MIB + 8192);
}

static void test_qemu_restrict(void **state)
{
	struct fix *f = *state;

	assert_int_equal(parse(f, "-object memory-backend-epc,id=e,size=1M -M "
				  "sgx-epc.0.memdev=e,sgx-epc.0.node=0 -cpu "
				  "max,-sgxlc,-sgx-provisionkey,-sgx-exinfo"),
			 0);
	assert_int_equal(f->vm.features, ALL_SGX_FEATURES & ~(VM_CPU(VM_CPU_SGXLC) |
							      VM_CPU(VM_CPU_SGX_PROVISIONKEY) |
							      VM_CPU(VM_CPU_SGX_EXINFO)));
	assert_false(f->vm.provision);
	assert_false(f->vm.lewr);
	/* -sgx removes everything; a later -cpu starts again from the host's. */
	assert_int_equal(parse(f, "-object memory-backend-epc,id=e,size=1M -M "
				  "sgx-epc.0.memdev=e,sgx-epc.0.node=0 -cpu host,-sgx"),
			 0);
	assert_int_equal(f->vm.features, 0);
	assert_int_equal(parse(f, "-object memory-backend-epc,id=e,size=1M -M "
				  "sgx-epc.0.memdev=e,sgx-epc.0.node=0 -cpu host,-sgx -cpu host"),
			 0);
	assert_int_equal(f->vm.features, ALL_SGX_FEATURES);
	/* -m: MiB without a suffix, rounded up to 8 KiB as QEMU does. */
	assert_int_equal(parse(f, "-m 3"), 0);
	assert_int_equal(f->vm.memory, 3 * MIB);
	assert_int_equal(parse(f, "-m 10000b"), 0);
	assert_int_equal(f->vm.memory, 16384);
	assert_int_equal(parse(f, "-m 0x10"), 0);
	assert_int_equal(f->vm.memory, 16 * MIB);
}

#define EPC0 "-object memory-backend-epc,id=m0,size=64M "
#define SEC0 "-M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 "
#define SIZE_MSG                                                                                   \
	"Parameter 'size' expects a non-negative number below 2^64; optional suffix k, M, G, T, "  \
	"P or E means kilo-, mega-, giga-, tera-, peta- and exabytes, respectively"

static void test_qemu_option_errors(void **state)
{
	static const struct bad bad[] = {
		{ "-m", "-m: requires an argument" },
		{ "-m 2X", "-m 2X: " SIZE_MSG },
		{ "-m 99999999999999999999", "-m 99999999999999999999: " SIZE_MSG },
		{ "-m 17179869184T", "-m 17179869184T: " SIZE_MSG },
		{ "-m 0", "-m 0: Invalid RAM size; give the guest some memory, e.g. -m 2G" },
		{ "-m 16E", "-m 16E: " SIZE_MSG },
		{ "-m 18446744073709551615b",
		  "-m 18446744073709551615b: Invalid RAM size; give the "
		  "guest some memory, e.g. -m 2G" },
		{ "-smp 0", "-smp 0: Invalid CPU topology: CPU topology parameters must be greater "
			    "than zero; use e.g. -smp 2" },
		{ "-smp 257", "-smp 257: Invalid SMP CPUs 257. vsgx models at most 256 vCPUs (its "
			      "processor has at most 256 logical CPUs); use -smp 256 or fewer" },
		{ "-smp two", "-smp two: Parameter 'cpus' expects a number" },
		{ "-name guest=", "-name guest=: the name must have 1 to 63 characters" },
		{ "-numa node,nodeid=64", "-numa node,nodeid=64: Parameter 'nodeid' expects a node "
					  "id below 64" },
		{ "-numa node,nodeid=0 -numa node,nodeid=0",
		  "-numa node,nodeid=0: Duplicate NUMA "
		  "nodeid: 0; give each -numa node its own nodeid" },
		{ "-numa node,nodeid=1",
		  "numa: Node ID missing: 0; number the -numa nodes from 0" },
		{ "-M pc", "-M pc: machine type 'pc' is not modelled: vsgx lays guests out as q35 "
			   "does; use -M q35" },
		{ "-M type=pc-i440fx-8.0", "-M type=pc-i440fx-8.0: machine type 'pc-i440fx-8.0' is "
					   "not modelled: vsgx lays guests out as q35 does; use -M "
					   "q35" },
		{ "-M microvm", "-M microvm: unsupported machine type \"microvm\"; use -M q35" },
		{ "-M sgx-epc.0.size=64M", "-M sgx-epc.0.size=64M: Parameter 'sgx-epc.0.size' is "
					   "unexpected; use sgx-epc.N.memdev and sgx-epc.N.node" },
		{ "-M sgx-epc.x.node=0", "-M sgx-epc.x.node=0: Parameter 'sgx-epc.x.node' is "
					 "unexpected; use sgx-epc.N.memdev and sgx-epc.N.node" },
		{ "-M sgx-epc.8.node=0", "-M sgx-epc.8.node=0: Parameter 'sgx-epc.8.node': at most "
					 "8 EPC sections, sgx-epc.0 to sgx-epc.7" },
		{ "-M sgx-epc.0.node=-1",
		  "-M sgx-epc.0.node=-1: Parameter 'sgx-epc.0.node' expects "
		  "uint32_t" },
		{ "-M q35,sgx-epc.0.node",
		  "-M q35,sgx-epc.0.node: Parameter 'sgx-epc.0.node' expects "
		  "uint32_t" },
	};

	assert_refused(*state, bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_qemu_object_errors(void **state)
{
	static const struct bad bad[] = {
		{ "-object id=m0,size=1M",
		  "-object id=m0,size=1M: Parameter 'qom-type' is missing; "
		  "start with the object type" },
		{ "-object memory-backend-epc,size=1M", "-object memory-backend-epc,size=1M: "
							"Parameter 'id' is missing; name the "
							"backend, e.g. id=epc0" },
		{ "-object memory-backend-epc,id=0m,size=1M",
		  "-object memory-backend-epc,id=0m,size=1M: Parameter 'id' expects an identifier; "
		  "identifiers consist of letters, digits, '-', '.', '_', starting with a letter "
		  "(at most 31)" },
		{ "-object memory-backend-epc,id=m/0,size=1M",
		  "-object memory-backend-epc,id=m/0,size=1M: Parameter 'id' expects an "
		  "identifier; identifiers consist of letters, digits, '-', '.', '_', starting "
		  "with a letter (at most 31)" },
		{ EPC0 EPC0, "-object memory-backend-epc,id=m0,size=64M: attempt to add duplicate "
			     "property 'm0' to object (type 'container'); give each object its "
			     "own id" },
		{ "-object memory-backend-epc,id=m0", "-object memory-backend-epc,id=m0: can't "
						      "create backend with size 0; give it a size, "
						      "e.g. size=64M" },
		{ "-object memory-backend-epc,id=m0,size=0", "-object "
							     "memory-backend-epc,id=m0,size=0: "
							     "can't create backend with size 0; "
							     "give it a size, e.g. size=64M" },
		{ "-object memory-backend-epc,id=m0,size=18446744073709551615",
		  "-object memory-backend-epc,id=m0,size=18446744073709551615: size "
		  "0xffffffffffffffff cannot be rounded up to 4 KiB pages" },
		{ "-object memory-backend-epc,id=m0,size=1M,prealloc=1",
		  "-object memory-backend-epc,id=m0,size=1M,prealloc=1: Parameter 'prealloc' "
		  "expects 'on' or 'off'" },
		{ "-object memory-backend-epc,id=m0,size=1M,policy=bind",
		  "-object memory-backend-epc,id=m0,size=1M,policy=bind: host-nodes must be set "
		  "for "
		  "policy bind; add host-nodes=N" },
		{ "-object memory-backend-epc,id=m0,size=1M,host-nodes=0",
		  "-object memory-backend-epc,id=m0,size=1M,host-nodes=0: host-nodes must be empty "
		  "for policy default, or you should explicitly specify a policy other than "
		  "default" },
		{ "-object memory-backend-epc,id=m0,size=1M,host-nodes=0,policy=strict",
		  "-object memory-backend-epc,id=m0,size=1M,host-nodes=0,policy=strict: Parameter "
		  "'policy' does not accept value 'strict'; use default, preferred, bind or "
		  "interleave" },
		{ "-object memory-backend-epc,id=m0,size=1M,host-nodes=a,policy=bind",
		  "-object memory-backend-epc,id=m0,size=1M,host-nodes=a,policy=bind: Parameter "
		  "'host-nodes' expects a node number or a range N-M" },
		{ "-object memory-backend-epc,id=m0,size=1M,host-nodes=64,policy=bind",
		  "-object memory-backend-epc,id=m0,size=1M,host-nodes=64,policy=bind: Invalid "
		  "host-nodes value: 64; host nodes go from 0 to 63" },
		{ "-object memory-backend-epc,id=m0,size=1M,host-nodes=3-1,policy=bind",
		  "-object memory-backend-epc,id=m0,size=1M,host-nodes=3-1,policy=bind: Invalid "
		  "host-nodes value: 3; host nodes go from 0 to 63" },
		{ "-object memory-backend-epc,id=m0,size=1M,share=off",
		  "-object memory-backend-epc,id=m0,size=1M,share=off: share=off: /dev/sgx_vepc "
		  "can only be mapped shared (sgx_vepc_mmap() refuses a private mapping with "
		  "EINVAL); remove share=off" },
	};

	assert_refused(*state, bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_qemu_too_many_and_too_long(void **state)
{
	struct fix *f = *state;
	char text[2048];
	size_t n = 0;

	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "-object memory-backend-epc,id=m%d,size=1M ", i);
	assert_int_equal(parse(f, text), -EINVAL);
	assert_string_equal(f->why, "-object memory-backend-epc,id=m16,size=1M: more than 16 "
				    "memory-backend-epc objects; remove unused ones");
	/* 65 nodes without ids. */
	for (n = 0; n < 65 * 11; n += 11)
		memcpy(text + n, "-numa node ", 11);
	text[n] = '\0';
	assert_int_equal(parse(f, text), -EINVAL);
	assert_string_equal(
	    f->why, "-numa node: Max number of NUMA nodes reached: 64; use fewer -numa nodes");
	text[64 * 11] = '\0';
	assert_int_equal(parse(f, text), 0);
	assert_int_equal(f->vm.nr_nodes, 64);
	/* One option argument of 1024 characters. */
	memcpy(text, "-name ", 6);
	memset(text + 6, 'n', 1024);
	text[6 + 1024] = '\0';
	assert_int_equal(parse(f, text), -EINVAL);
	assert_string_equal(f->why, "-name: argument longer than 1023 characters");
}

static void test_qemu_cpu_errors(void **state)
{
	static const struct bad bad[] = {
		{ "-cpu model=host", "-cpu model=host: the CPU model comes first, before "
				     "'model=host'; e.g. -cpu host,+sgx" },
		{ "-cpu host,sgx", "-cpu host,sgx: expected +FEATURE, -FEATURE or FEATURE=on|off, "
				   "not 'sgx'" },
		{ "-cpu host,sgx=maybe", "-cpu host,sgx=maybe: Parameter 'sgx' expects 'on' or "
					 "'off'" },
		{ "-cpu host,+sgx", "-cpu +sgx: the guest has no EPC; add -object "
				    "memory-backend-epc,id=epc0,size=64M -M "
				    "sgx-epc.0.memdev=epc0,sgx-epc.0.node=0" },
	};

	assert_refused(*state, bad, sizeof(bad) / sizeof(bad[0]));
}

#define STRICT_MSG " is not modelled, and --strict refuses what vsgx does not model; remove it"

/* What vsgx accepts with a note, --strict refuses; typos are refused either way. */
static void test_qemu_strict(void **state)
{
	static const struct bad bad[] = {
		{ "-vnc :0", "-vnc" STRICT_MSG },
		{ "-m 2G m", "m: invalid option (did you mean '-m'?)" },
		{ "-m 2G,maxmem=4G", "-m 2G,maxmem=4G: -m maxmem" STRICT_MSG },
		{ "-m 2G,maxmen=4G", "-m 2G,maxmen=4G: Invalid parameter 'maxmen' (did you mean "
				     "'maxmem'?)" },
		{ "-smp 2,sockets=2", "-smp 2,sockets=2: -smp sockets" STRICT_MSG },
		{ "-accel tcg", "-accel tcg: -accel tcg" STRICT_MSG },
		{ "-accel kvmx",
		  "-accel kvmx: invalid accelerator kvmx (did you mean 'kvm'?); vsgx "
		  "models KVM: use -accel kvm" },
		{ "-M q35,smm=off", "-M q35,smm=off: -M smm" STRICT_MSG },
		{ "-M q35,smn=off",
		  "-M q35,smn=off: Invalid parameter 'smn' (did you mean 'smm'?)" },
		{ "-object memory-backend-ram,id=r,size=1G",
		  "-object memory-backend-ram,id=r,size=1G: -object "
		  "memory-backend-ram" STRICT_MSG },
		{ "-object memory-backend-epx,id=r,size=1G",
		  "-object memory-backend-epx,id=r,size=1G: invalid object type: "
		  "memory-backend-epx "
		  "(did you mean 'memory-backend-epc'?); vsgx models memory-backend-epc" },
		{ "-cpu host,+vmx", "-cpu host,+vmx: -cpu vmx" STRICT_MSG },
		{ "-cpu host,+sgx-provisonkey",
		  "-cpu host,+sgx-provisonkey: Property 'host-x86_64-cpu.sgx-provisonkey' not "
		  "found "
		  "(did you mean 'sgx-provisionkey'?); the SGX features are sgx, sgxlc, sgx1, "
		  "sgx2, sgx-edeccssa, sgx-exinfo, sgx-debug, sgx-mode64, sgx-provisionkey, "
		  "sgx-tokenkey, sgx-kss, sgx-aex-notify" },
		{ "-smp 0", "-smp 0: Invalid CPU topology: CPU topology parameters must be greater "
			    "than zero; use e.g. -smp 2" },
		{ "-device sgx-epc,memdev=m0",
		  "-device sgx-epc,memdev=m0: 'sgx-epc' can't be created "
		  "after vCPUs, e.g. via -device; use -M "
		  "sgx-epc.N.memdev=ID,sgx-epc.N.node=N" },
		{ "-object '{\"qom-type\":\"memory-backend-epc\",\"id\":\"m0\"'",
		  "-object {\"qom-type\":\"memory-backend-epc\",\"id\":\"m0\": JSON does not parse "
		  "at character 43 (it ends before its closing '}'); check its quotes, braces and "
		  "commas" },
		{ EPC0 "-M sgx-epc.0.memdev=m0",
		  "sgx-epc.0 has no node: QEMU 7.0 and later refuse that (\"Parameter "
		  "'sgx-epc.0.node' is missing\"); vsgx puts it on guest node 0, as QEMU 6.2 did; "
		  "add sgx-epc.0.node=0 [refused: --strict]" },
	};

	assert_refused(*state, bad, sizeof(bad) / sizeof(bad[0]));
}

static void assert_diags(const struct vm_diags *d, const char *const *want, size_t n)
{
	for (size_t i = 0; i < d->nr; i++)
		print_message("# %s: %s\n", vm_diag_kind_name(d->items[i].kind), d->items[i].text);
	assert_int_equal(d->nr, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(d->items[i].text, want[i]);
}

static int read_cfg(struct fix *f, const char *text, struct vm_diags *d)
{
	vm_diags_init(d, false);
	return vm_config_read(f->host, text, &f->vm, d);
}

/* A command pasted from a shell script: continuations, env words, JSON, elisions. */
static void test_qemu_pasted(void **state)
{
	static const char *const want[] = {
		"'...' skipped: it stands for text left out where the command was copied from",
		"not modelled, accepted and ignored: -m slots, -smp sockets, -smp cores, -device, "
		"-S",
	};
	struct fix *f = *state;
	struct vm_diags d;

	assert_int_equal(
	    read_cfg(
		f,
		"# a script\nLC_ALL=C /usr/bin/qemu-system-x86_64 -m 2G,slots=2 \\\n"
		" -smp sockets=2,cores=2 -cpu host \\\n -device '{\"driver\":\"e1000\"}' -S \\\n"
		" -object '{\"qom-type\":\"memory-backend-epc\",\"id\":\"m0\",\"size\":"
		"67108864,\"prealloc\":true,\"host-nodes\":[0,1],\"policy\":\"bind\"}' \\\n"
		" -M sgx-epc.0.memdev=m0,sgx-epc.0.node=0 ...\n",
		&d),
	    0);
	assert_diags(&d, want, 2);
	assert_int_equal(f->vm.memory, 2048 * MIB);
	assert_int_equal(f->vm.vcpus, 4); /* sockets x cores, as QEMU counts them */
	assert_int_equal(f->vm.nr_sections, 1);
	assert_int_equal(f->vm.sections[0].size, 64 * MIB);
	assert_int_equal(f->vm.sections[0].host_nodes, 3);
	assert_int_equal(f->vm.sections[0].policy, VM_POLICY_BIND);
	assert_true(f->vm.sections[0].prealloc);
}

/* Every mistake of a config at once, in order. */
static void test_qemu_all_errors(void **state)
{
	static const char *const want[] = {
		"-m 2X: Parameter 'size' expects a non-negative number below 2^64; optional suffix "
		"k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta- and exabytes, "
		"respectively",
		"-vcn: invalid option (did you mean '-vnc'?)",
		("-object memory-backend-epc,id=m0,sise=1M: Property 'memory-backend-epc.sise' not "
		 "found (did you mean 'size'?)"),
	};
	struct fix *f = *state;
	struct vm_diags d;

	assert_int_equal(read_cfg(f, "-m 2X -vcn :0 -object memory-backend-epc,id=m0,sise=1M", &d),
			 -EINVAL);
	assert_diags(&d, want, 3);
}

/* Warnings leave the config accepted; the sizes of Kubernetes work for EPC. */
static void test_warnings(void **state)
{
	static const char *const tiny[] = {
		"EPC section 0 ('m0') is only 0x1000 bytes, less than 1 MiB (one enclave of a few "
		"pages); a size without a suffix counts bytes: write e.g. size=64M for 64 MiB",
		"the guest has 0x1000 bytes of EPC but its CPU has no SGX, so no enclave can use "
		"it; QEMU's default CPU model has none: add -cpu host",
	};
	static const char *const typo[] = {
		"line 2: unknown key 'memroy' (did you mean 'memory'?): xl ignores keys it does "
		"not "
		"know, so this setting has no effect",
	};
	static const char *const pref[] = {
		"memory-backend-epc 'm0' prefers host nodes 0x2, whose EPC (128 MiB) cannot hold "
		"its "
		"200 MiB: the rest will come from other nodes, away from its guest node 0; make it "
		"smaller or use policy=bind to be told",
	};
	struct fix *f = *state;
	struct vm_diags d;

	assert_int_equal(read_cfg(f, "-object memory-backend-epc,id=m0,size=64 " SEC0, &d), 0);
	assert_diags(&d, tiny, 2);
	assert_int_equal(read_cfg(f, "name = \"a\"\nmemroy = 64\n", &d), 0);
	assert_diags(&d, typo, 1);
	assert_int_equal(
	    read_cfg(f,
		     "-cpu host -object memory-backend-epc,id=m0,size=200Mi,host-nodes=1,"
		     "policy=preferred " SEC0,
		     &d),
	    0);
	assert_diags(&d, pref, 1);
	assert_int_equal(f->vm.sections[0].size, 200 * MIB);
	vm_diags_init(&d, true);
	assert_int_equal(vm_config_read(f->host, "name = \"a\"\nmemroy = 64\n", &f->vm, &d),
			 -EINVAL);
}

static void test_libvirt(void **state)
{
	static const char *const missing[] = {
		"<memory model='sgx-epc'> #2 has no <target><size>; add e.g. <size "
		"unit='MiB'>64</size>",
	};
	static const char *const notes[] = {
		"not modelled, accepted and ignored: <domain><os>, <devices><disk>",
	};
	struct fix *f = *state;
	struct vm_diags d;

	assert_int_equal(
	    read_cfg(
		f,
		"<domain type='kvm'><name>x</name><memory unit='GiB'>2</memory><vcpu>3</vcpu>"
		"<os/><cpu mode='host-passthrough'><feature policy='disable' name='sgx2'/>"
		"<numa><cell id='0'/><cell id='1'/></numa></cpu><devices><disk/>"
		"<memory model='sgx-epc'><source><nodemask>1</nodemask></source><target>"
		"<size unit='MiB'>32</size><node>1</node></target></memory></devices></domain>",
		&d),
	    0);
	assert_diags(&d, notes, 1);
	assert_string_equal(f->vm.name, "x");
	assert_int_equal(f->vm.memory, 2048 * MIB);
	assert_int_equal(f->vm.vcpus, 3);
	assert_int_equal(f->vm.nr_nodes, 2);
	assert_int_equal(f->vm.sections[0].size, 32 * MIB);
	assert_int_equal(f->vm.sections[0].node, 1);
	assert_int_equal(f->vm.sections[0].host_nodes, 2);
	assert_false(f->vm.features & VM_CPU(VM_CPU_SGX2));
	assert_true(f->vm.features & VM_CPU(VM_CPU_SGX));
	assert_int_equal(
	    read_cfg(f,
		     "<domain><name>x</name><cpu mode='host-passthrough'/><devices>"
		     "<memory model='sgx-epc'><target><size>64</size></target></memory>"
		     "<memory model='sgx-epc'><target><node>0</node></target></memory>"
		     "</devices></domain>",
		     &d),
	    -EINVAL);
	assert_diags(&d, missing, 1);
	assert_int_equal(read_cfg(f, "<domain><name>x</domain>", &d), -EINVAL);
	assert_int_equal(d.nr, 1);
	assert_non_null(strstr(d.items[0].text, "line 1: the XML does not parse: "));
}

static void test_chv(void **state)
{
	static const char *const bad[] = {
		"--sgx-epc size=64M: Error parsing --sgx-epc: 'id' field missing; name the "
		"section, "
		"e.g. id=epc0",
		"--numa guest_numa_id=1,sgx_epc_sections=[e9]: Unknown SGX EPC section 'e9'; "
		"define "
		"it first with --sgx-epc id=e9,size=64M",
	};
	struct fix *f = *state;
	struct vm_diags d;

	assert_int_equal(
	    read_cfg(f,
		     "cloud-hypervisor --cpus boot=2 --memory size=1G --sgx-epc "
		     "id=e0,size=64Mi,prefault=on id=e1,size=32M --numa guest_numa_id=0 "
		     "--numa guest_numa_id=1,sgx_epc_sections=[e1]",
		     &d),
	    0);
	assert_int_equal(d.nr, 0);
	assert_int_equal(f->vm.vcpus, 2);
	assert_int_equal(f->vm.nr_nodes, 2);
	assert_int_equal(f->vm.nr_sections, 2);
	assert_true(f->vm.sections[0].prealloc);
	assert_int_equal(f->vm.sections[1].node, 1);
	assert_int_equal(read_cfg(f,
				  "--sgx-epc size=64M --numa "
				  "guest_numa_id=1,sgx_epc_sections=[e9]",
				  &d),
			 -EINVAL);
	assert_diags(&d, bad, 2);
}

static void test_qemu_cpu_beyond_host(void **state)
{
	static const struct bad bad[] = {
		{ "-cpu host,+sgxlc", "-cpu host,+sgxlc: host doesn't support requested feature: "
				      "CPUID[eax=07h,ecx=00h].ECX.sgxlc [bit 30]; features can "
				      "only be removed from the host's, so drop +sgxlc" },
		{ "-cpu host,sgx2=on", "-cpu host,sgx2=on: host doesn't support requested feature: "
				       "CPUID[eax=12h,ecx=00h].EAX.sgx2 [bit 1]; features can only "
				       "be removed from the host's, so drop +sgx2" },
	};
	struct fix *f = *state;
	struct hw_desc d;

	assert_int_equal(vm_host_parse("lehash-locked=1 sgx2=0", &d, NULL, 0), 0);
	host_repower(f, &d);
	assert_refused(f, bad, 2);
	assert_int_equal(parse(f, EPC0 SEC0 "-cpu host"), 0);
	assert_int_equal(f->vm.features,
			 ALL_SGX_FEATURES & ~(VM_CPU(VM_CPU_SGXLC) | VM_CPU(VM_CPU_SGX2)));
	assert_false(f->vm.lewr);
}

static void test_qemu_section_errors(void **state)
{
	static const struct bad bad[] = {
		{ EPC0 "-M sgx-epc.0.node=0", "sgx-epc.0: 'memdev' property is not set; add "
					      "sgx-epc.0.memdev=ID naming a memory-backend-epc "
					      "object" },
		{ EPC0 "-M sgx-epc.0.memdev=,sgx-epc.0.node=0", "sgx-epc.0: 'memdev' property is "
								"not set; add "
								"sgx-epc.0.memdev=ID naming a "
								"memory-backend-epc object" },
		{ EPC0 SEC0 "-M sgx-epc.2.memdev=m0,sgx-epc.2.node=0",
		  "sgx-epc.1: 'memdev' property is not set; add sgx-epc.1.memdev=ID naming a "
		  "memory-backend-epc object" },
		{ EPC0 "-M sgx-epc.0.memdev=m9,sgx-epc.0.node=0",
		  "sgx-epc.0: Device 'm9' not found; create it with -object "
		  "memory-backend-epc,id=m9,size=64M" },
		{ EPC0 SEC0 "-M sgx-epc.1.memdev=m0,sgx-epc.1.node=0",
		  "sgx-epc.1: can't use already busy memdev: m0; give each sgx-epc section its own "
		  "memory-backend-epc" },
		{ EPC0 "-M sgx-epc.0.memdev=m0,sgx-epc.0.node=1",
		  "sgx-epc.0: Property 'node' has value '1', which exceeds the number of numa "
		  "nodes: 1; add -numa node,nodeid=1 or use a smaller sgx-epc.0.node" },
		{ "-numa node -numa node " EPC0 "-M sgx-epc.0.memdev=m0,sgx-epc.0.node=2",
		  "sgx-epc.0: Property 'node' has value '2', which exceeds the number of numa "
		  "nodes: 2; add -numa node,nodeid=2 or use a smaller sgx-epc.0.node" },
		{ "-object memory-backend-epc,id=m0,size=64M,host-nodes=5,policy=bind " SEC0,
		  "memory-backend-epc 'm0': cannot bind memory to host NUMA nodes: Invalid "
		  "argument; host node 5 has no EPC, so choose host-nodes among those that do" },
		{ "-object memory-backend-epc,id=m0,size=100M,host-nodes=1,policy=bind "
		  "-object memory-backend-epc,id=m1,size=100M,host-nodes=1,policy=bind " SEC0
		  "-M sgx-epc.1.memdev=m1,sgx-epc.1.node=0",
		  "memory-backend-epc 'm0', 'm1' bound to host nodes 0x2 need 200 MiB, but those "
		  "nodes have 128 MiB of EPC; make them smaller or bind to more host-nodes" },
		/* Each fits its own nodes; bound to overlapping sets, the three do not. */
		{ "-object memory-backend-epc,id=m0,size=100M,host-nodes=0,policy=bind "
		  "-object memory-backend-epc,id=m1,size=100M,host-nodes=0-1,policy=bind "
		  "-object memory-backend-epc,id=m2,size=100M,host-nodes=1,policy=bind " SEC0
		  "-M sgx-epc.1.memdev=m1,sgx-epc.1.node=0,sgx-epc.2.memdev=m2,sgx-epc.2.node=0",
		  "memory-backend-epc 'm0', 'm1', 'm2' bound to host nodes 0x3 need 300 MiB, but "
		  "those nodes have 256 MiB of EPC; make them smaller or bind to more host-nodes" },
		/* Sizes that add up past 2^64 are not a small sum. */
		{ "-object memory-backend-epc,id=m0,size=8E -object "
		  "memory-backend-epc,id=m1,size=8E "
		  "-object memory-backend-epc,id=m2,size=64M " SEC0
		  "-M sgx-epc.1.memdev=m1,sgx-epc.1.node=0,sgx-epc.2.memdev=m2,sgx-epc.2.node=0",
		  "not enough EPC on the host: the guest needs 16 EiB or more, the host has 256 "
		  "MiB; "
		  "make the memory-backend-epc sizes smaller" },
		{ "-object memory-backend-epc,id=m0,size=200M " SEC0
		  "-object memory-backend-epc,id=m1,size=60M -M "
		  "sgx-epc.1.memdev=m1,sgx-epc.1.node=0",
		  "not enough EPC on the host: the guest needs 260 MiB, the host has 256 MiB; make "
		  "the memory-backend-epc sizes smaller" },
		{ "-object memory-backend-epc,id=m0,size=6000 " SEC0
		  "-object memory-backend-epc,id=m1,size=256M -M "
		  "sgx-epc.1.memdev=m1,sgx-epc.1.node=0",
		  "not enough EPC on the host: the guest needs 0x10002000 bytes, the host has 256 "
		  "MiB; make the memory-backend-epc sizes smaller" },
	};
	struct fix *f = *state;

	assert_refused(f, bad, sizeof(bad) / sizeof(bad[0]));
	/* Bound to both nodes, 200 MiB fits; unused objects are fine, as in QEMU. */
	assert_int_equal(parse(f, "-object memory-backend-epc,id=m0,size=100M,host-nodes=0-1,"
				  "policy=bind -object memory-backend-epc,id=m1,size=100M,"
				  "host-nodes=1,host-nodes=0,policy=preferred " SEC0
				  "-M sgx-epc.1.memdev=m1,sgx-epc.1.node=0 " EPC0 "-name x"),
			 -EINVAL);
	assert_string_equal(f->why, "-object memory-backend-epc,id=m0,size=64M: attempt to add "
				    "duplicate property 'm0' to object (type 'container'); give "
				    "each object its own id");
	assert_int_equal(parse(f, "-object memory-backend-epc,id=m0,size=100M,host-nodes=0-1,"
				  "policy=bind -object memory-backend-epc,id=m1,size=100M,"
				  "host-nodes=1,host-nodes=0,policy=preferred " SEC0
				  "-M sgx-epc.1.memdev=m1,sgx-epc.1.node=0 "
				  "-object memory-backend-epc,id=unused,size=1G"),
			 0);
	assert_int_equal(f->vm.nr_sections, 2);
	assert_int_equal(f->vm.sections[1].host_nodes, 0x3);
}

static void test_args_split(void **state)
{
	char **argv;
	int argc;

	(void)state;
	assert_int_equal(vm_args_split("  -m\t2G\n# a comment -x\n-smp 2 #tail\n", &argc, &argv),
			 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "-m");
	assert_string_equal(argv[1], "2G");
	assert_string_equal(argv[2], "-smp");
	assert_string_equal(argv[3], "2");
	assert_null(argv[4]);
	vm_args_free(argv);
	assert_int_equal(vm_args_split("", &argc, &argv), 0);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	vm_args_free(argv);
	/* Quotes as a shell reads them: they keep blanks in and go. */
	assert_int_equal(vm_args_split("-name \"my vm\" -m '2'G x\"\"y", &argc, &argv), 0);
	assert_int_equal(argc, 5);
	assert_string_equal(argv[1], "my vm");
	assert_string_equal(argv[3], "2G");
	assert_string_equal(argv[4], "xy");
	vm_args_free(argv);
	assert_int_equal(vm_args_split("-name 'vm1", &argc, &argv), -EINVAL);
	vm_args_free(NULL);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vm_cpu_feature_name(VM_CPU_SGX), "sgx");
	assert_string_equal(vm_cpu_feature_name(VM_CPU_SGX_AEXNOTIFY), "sgx-aex-notify");
	assert_null(vm_cpu_feature_name(VM_CPU_FEATURE_MAX));
	assert_string_equal(vm_mem_policy_name(VM_POLICY_PREFERRED), "preferred");
	assert_null(vm_mem_policy_name(VM_POLICY_MAX));
}

#define T(name, fn)                                                                                \
	{                                                                                          \
		name, fn, setup, teardown, NULL                                                    \
	}
#define PLAIN(name, fn)                                                                            \
	{                                                                                          \
		name, fn, NULL, NULL, NULL                                                         \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PLAIN("/vmm/config/host/default", test_host_default),
		PLAIN("/vmm/config/host/parse", test_host_parse),
		PLAIN("/vmm/config/host/errors", test_host_errors),
		T("/vmm/config/xl/minimal", test_xl_minimal),
		T("/vmm/config/xl/epc", test_xl_epc),
		T("/vmm/config/xl/sgx_string", test_xl_sgx_string),
		T("/vmm/config/xl/semicolons", test_xl_semicolons),
		T("/vmm/config/xl/numbers", test_xl_numbers),
		T("/vmm/config/xl/lists", test_xl_lists),
		T("/vmm/config/xl/append", test_xl_append),
		T("/vmm/config/xl/type", test_xl_type),
		T("/vmm/config/xl/syntax_errors", test_xl_syntax_errors),
		T("/vmm/config/xl/errors", test_xl_errors),
		T("/vmm/config/xl/long_text", test_xl_long_text),
		T("/vmm/config/xl/locked_host", test_xl_locked_host),
		T("/vmm/config/xl/no_provisionkey_host", test_xl_no_provisionkey_host),
		T("/vmm/config/qemu/defaults", test_qemu_defaults),
		T("/vmm/config/qemu/sections", test_qemu_sections),
		T("/vmm/config/qemu/restrict", test_qemu_restrict),
		T("/vmm/config/qemu/option_errors", test_qemu_option_errors),
		T("/vmm/config/qemu/object_errors", test_qemu_object_errors),
		T("/vmm/config/qemu/too_many_and_too_long", test_qemu_too_many_and_too_long),
		T("/vmm/config/qemu/cpu_errors", test_qemu_cpu_errors),
		T("/vmm/config/qemu/cpu_beyond_host", test_qemu_cpu_beyond_host),
		T("/vmm/config/qemu/section_errors", test_qemu_section_errors),
		T("/vmm/config/qemu/strict", test_qemu_strict),
		T("/vmm/config/qemu/pasted", test_qemu_pasted),
		T("/vmm/config/qemu/all_errors", test_qemu_all_errors),
		T("/vmm/config/warnings", test_warnings),
		T("/vmm/config/libvirt", test_libvirt),
		T("/vmm/config/chv", test_chv),
		PLAIN("/vmm/config/args_split", test_args_split),
		PLAIN("/vmm/config/names", test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
