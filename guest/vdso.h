/* SPDX-License-Identifier: MIT */
/*
 * The guest programs' one look into the vDSO: a symbol's address, found
 * through the section headers of the image the kernel maps into every
 * process (getauxval(AT_SYSINFO_EHDR)).
 */
#ifndef VSGX_GUEST_VDSO_H
#define VSGX_GUEST_VDSO_H

#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

/* The address of a vDSO symbol, found through its section headers. */
static inline void *vdso_sym(const char *name)
{
	const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Shdr *sh;
	int i;

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return NULL;
	sh = (const void *)((const char *)eh + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *str;
		size_t j, n;

		if (sh[i].sh_type != SHT_DYNSYM || !sh[i].sh_entsize)
			continue;
		sym = (const void *)((const char *)eh + sh[i].sh_offset);
		str = (const char *)eh + sh[sh[i].sh_link].sh_offset;
		n = sh[i].sh_size / sh[i].sh_entsize;
		for (j = 0; j < n; j++)
			if (sym[j].st_name && sym[j].st_value &&
			    strcmp(str + sym[j].st_name, name) == 0)
				return (char *)eh + sym[j].st_value;
	}
	return NULL;
}

#endif
