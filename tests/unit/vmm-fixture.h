/* SPDX-License-Identifier: MIT */
/*
 * Shared by the tests/unit/test-vmm-*.c files: a host processor and a VM
 * config parsed for it. Include after <cmocka.h>.
 */
#ifndef VSGX_TEST_VMM_FIXTURE_H
#define VSGX_TEST_VMM_FIXTURE_H

#include <string.h>

#include "vsgx/vmm-config.h"
#include "vsgx/vmm-cpuid.h"
#include "vsgx/vmm-layout.h"
#include "vsgx/vmm-msr.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

struct vmfix {
	struct hw_processor *host;
	struct vm_config vm;
	struct vm_layout layout;
	char why[512];
};

static inline int vmf_setup(void **state)
{
	static struct vmfix f;
	struct hw_desc d;

	memset(&f, 0, sizeof(f));
	vm_host_default(&d);
	assert_int_equal(hw_processor_create(&d, &f.host), 0);
	*state = &f;
	return 0;
}

static inline int vmf_teardown(void **state)
{
	struct vmfix *f = *state;

	hw_processor_destroy(f->host);
	return 0;
}

/* Power on a host from (desc) instead of the default one. */
static inline void vmf_host(struct vmfix *f, const char *desc)
{
	struct hw_desc d;

	assert_int_equal(vm_host_parse(desc, &d, f->why, sizeof(f->why)), 0);
	hw_processor_destroy(f->host);
	assert_int_equal(hw_processor_create(&d, &f->host), 0);
}

/* Parse (text), which must be accepted, and lay the VM out. */
static inline void vmf_vm(struct vmfix *f, const char *text)
{
	int r = vm_config_parse(f->host, text, &f->vm, f->why, sizeof(f->why));

	if (r)
		print_error("refused: %s\n", f->why);
	assert_int_equal(r, 0);
	assert_int_equal(vm_layout_build(&f->vm, &f->layout, f->why, sizeof(f->why)), 0);
}

/* A test with a hierarchical name and a fresh default host. */
#define VMF_TEST(name, fn)                                                                         \
	{                                                                                          \
		name, fn, vmf_setup, vmf_teardown, NULL                                            \
	}
/* A test that needs no host. */
#define VMF_PLAIN(name, fn)                                                                        \
	{                                                                                          \
		name, fn, NULL, NULL, NULL                                                         \
	}

#endif /* VSGX_TEST_VMM_FIXTURE_H */
