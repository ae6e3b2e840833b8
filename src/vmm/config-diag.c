/* SPDX-License-Identifier: MIT */
/*
 * What reading a config says: errors, warnings and notes, collected so a
 * user sees every problem of a config at once; and the "did you mean" that
 * turns a typo into its fix.
 */
#include "vsgx/vmm-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm-int.h"

void vm_diags_init(struct vm_diags *d, bool strict)
{
	memset(d, 0, sizeof(*d));
	d->strict = strict;
}

void vm_diag_add(struct vm_diags *d, enum vm_diag_kind kind, const char *fmt, ...)
{
	struct vm_diag *item;
	va_list ap;

	bool promoted = d->strict && kind != VM_DIAG_ERROR;
	size_t n;

	if (promoted)
		kind = VM_DIAG_ERROR;
	d->count[kind]++;
	if (d->nr == VM_DIAG_MAX)
		return;
	item = &d->items[d->nr++];
	item->kind = kind;
	va_start(ap, fmt);
	vsnprintf(item->text, sizeof(item->text), fmt, ap);
	va_end(ap);
	n = strlen(item->text);
	if (promoted)
		snprintf(item->text + n, sizeof(item->text) - n, " [refused: --strict]");
}

const char *vm_diags_first_error(const struct vm_diags *d)
{
	for (unsigned int i = 0; i < d->nr; i++)
		if (d->items[i].kind == VM_DIAG_ERROR)
			return d->items[i].text;
	return "";
}

const char *vm_diag_kind_name(enum vm_diag_kind kind)
{
	static const char *const names[VM_DIAG_KIND_MAX] = { "note", "warning", "error" };

	return (unsigned int)kind < VM_DIAG_KIND_MAX ? names[kind] : "error";
}

int vm_diags_result(const struct vm_diags *d)
{
	return d->count[VM_DIAG_ERROR] ? -EINVAL : 0;
}

/*
 * Edit distance of (a) and (b) where swapping two neighbours is one edit
 * (-vcn for -vnc); both at most VM_SUGGEST_LEN, longer counts as far away.
 */
static unsigned int edit_distance(const char *a, size_t na, const char *b)
{
	unsigned int rows[3][VM_SUGGEST_LEN + 1], *prev2, *prev, *cur;
	size_t nb = strlen(b);

	if (na > VM_SUGGEST_LEN || nb > VM_SUGGEST_LEN)
		return VM_SUGGEST_LEN;
	for (size_t j = 0; j <= nb; j++)
		rows[0][j] = (unsigned int)j;
	for (size_t i = 1; i <= na; i++) {
		cur = rows[i % 3];
		prev = rows[(i - 1) % 3];
		prev2 = rows[(i + 1) % 3]; /* row i - 2 */
		cur[0] = (unsigned int)i;
		for (size_t j = 1; j <= nb; j++) {
			unsigned int best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return rows[na % 3][nb];
}

const char *vm_suggest(const char *word, size_t n, const char *const *names)
{
	/* A third of the word may be wrong, at least one letter, at most three. */
	unsigned int best = 1 + (unsigned int)(n / 3 > 2 ? 2 : n / 3), d;
	const char *pick = NULL;

	for (; *names; names++) {
		d = edit_distance(word, n, *names);
		if (d < best || (d == best && !pick && d <= 1)) {
			best = d;
			pick = *names;
		}
	}
	return pick;
}

const char *vm_did_you_mean(const char *word, size_t n, const char *const *names, char *buf,
			    size_t len)
{
	const char *s = vm_suggest(word, n, names);

	if (s)
		snprintf(buf, len, " (did you mean '%s'?)", s);
	else
		buf[0] = '\0';
	return buf;
}
