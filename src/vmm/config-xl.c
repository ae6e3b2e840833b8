/* SPDX-License-Identifier: MIT */
/*
 * xl-style VM configs, read with the syntax of xl.cfg(5) as Xen's libxlu
 * parses it: KEY = VALUE settings separated by newlines or ';', '#'
 * comments to the end of a line (outside strings). A VALUE is a number
 * (decimal, octal with a leading 0, hex with 0x, as strtol base 0 reads
 * them), a "string" or 'string' that ends on its line (no escapes), or a
 * [list] of values separated by ',' that may span lines, with comments,
 * blank lines and a trailing ',' inside it. Lists may nest, as vnuma's do.
 *
 * The keys SGX needs follow the Xen SGX design: epc = MiB (v1), and its
 * later form sgx = "epc=MiB,lehash=HEX,lewr=0|1". SGX is HVM-only and xl's
 * default type on x86 is "pv", so EPC needs type = "hvm" (or the legacy
 * builder = "hvm"). How the EPC is handed out is epc_policy = "static" (the
 * default: the VM keeps it) or "balloon" (its guest's balloon driver gives
 * pages back and takes them again, up to epc_max = MiB, as maxmem bounds
 * memory) or "oversubscribe" (the VMM evicts and reloads its pages behind the guest's back,
 * holding at most epc_max = MiB of host EPC for it; epc_oversub = "extensions", the default, or
 * "trap" says how). Like xl, unknown keys are ignored, so a
 * full domain config (disk = [...], vif = [...]) parses; their values must still be well formed,
 * and KEY += VALUE is accepted for them.
 *
 * The tokenizer reads the text in place, without a line buffer; the text
 * is bounded to XL_TEXT_MAX, the size of the config files callers read.
 */
#include "vsgx/vmm-config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm-int.h"

#define XL_TEXT_MAX (1U << 20)
#define XL_MAX_MIB  (UINT64_MAX >> 20)

enum xl_kind {
	XL_END,
	XL_NEWLINE,
	XL_SEMI,
	XL_COMMA,
	XL_OPEN,
	XL_CLOSE,
	XL_EQ,
	XL_ADDEQ,
	XL_WORD,       /* a run of letters, digits, '_' and '.': a key or a number */
	XL_STRING,     /* s, n: the text between the quotes */
	XL_BAD_STRING, /* a quote without its closing quote on the same line */
	XL_JUNK,       /* any other character */
};

struct xl_token {
	enum xl_kind kind;
	const char *s;
	size_t n;
	unsigned int line;
};

/* A setting's value: a number or word, a string, or a (checked) list. */
struct xl_value {
	enum xl_kind kind; /* XL_WORD, XL_STRING or XL_OPEN for a list */
	const char *s;
	size_t n;
};

struct xl_state {
	struct hw_processor *host;
	struct vm_config *vm;
	struct vm_diags *d;
	const char *p;	     /* the next character to read */
	unsigned int line;   /* the line of *p, 1-based */
	unsigned int start;  /* the line the setting being read starts on */
	struct xl_token key; /* that setting's KEY */
	bool named, typed, hvm;
	uint64_t epc_mib; /* 0: none */
	bool epc_key;	  /* from "epc =" */
	bool sgx_key;	  /* sgx = "..." given */
	bool lehash, lewr_set, lewr, provision;
	uint64_t epc_max_mib; /* 0: not given */
	bool policy_set;
	enum vm_epc_policy policy;
	bool oversub_set; /* epc_oversub given */
	enum vm_epc_oversub oversub;
};

static int xl_err(const struct xl_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "line N: ..." with N the line the bad setting starts on. */
static int xl_err(const struct xl_state *st, const char *fmt, ...)
{
	char msg[VM_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vm_diag_add(st->d, VM_DIAG_ERROR, "line %u: %s", st->start, msg);
	return -EINVAL;
}

/* An error of the whole config, with no line. */
static int xl_fail(const struct xl_state *st, const char *msg)
{
	vm_diag_add(st->d, VM_DIAG_ERROR, "%s", msg);
	return -EINVAL;
}

/* --- tokens --- */

static bool xl_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static enum xl_kind xl_punct(char c)
{
	switch (c) {
	case '\0':
		return XL_END;
	case '\n':
		return XL_NEWLINE;
	case ';':
		return XL_SEMI;
	case ',':
		return XL_COMMA;
	case '[':
		return XL_OPEN;
	case ']':
		return XL_CLOSE;
	case '=':
		return XL_EQ;
	default:
		return XL_JUNK;
	}
}

/* A string ends at the next quote of its kind; a newline or the end first is an error. */
static void xl_lex_string(struct xl_state *st, struct xl_token *t)
{
	const char *q = st->p, *end = q + 1 + strcspn(q + 1, *q == '"' ? "\"\n" : "'\n");

	t->s = q + 1;
	t->n = (size_t)(end - t->s);
	t->kind = *end == *q ? XL_STRING : XL_BAD_STRING;
	st->p = *end == *q ? end + 1 : end;
}

static void xl_next(struct xl_state *st, struct xl_token *t)
{
	const char *p = st->p + strspn(st->p, " \t\r");

	if (*p == '#')
		p += strcspn(p, "\n");
	t->line = st->line;
	t->s = p;
	st->p = p;
	if (*p == '"' || *p == '\'') {
		xl_lex_string(st, t);
		return;
	}
	if (xl_word_char(*p)) {
		t->kind = XL_WORD;
		while (xl_word_char(*st->p))
			st->p++;
		t->n = (size_t)(st->p - p);
		return;
	}
	if (p[0] == '+' && p[1] == '=') {
		t->kind = XL_ADDEQ;
		t->n = 2;
	} else {
		t->kind = xl_punct(*p);
		t->n = *p ? 1 : 0; /* the end stays the end */
	}
	st->p += t->n;
	if (t->kind == XL_NEWLINE)
		st->line++;
}

static bool xl_is(const struct xl_token *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->s, s, t->n);
}

static bool xl_is_key(const struct xl_token *t)
{
	if (t->kind != XL_WORD || !(isalpha((unsigned char)*t->s) || *t->s == '_'))
		return false;
	return !memchr(t->s, '.', t->n);
}

/* --- syntax: settings and lists --- */

static int xl_syntax_error(const struct xl_state *st)
{
	return xl_err(st,
		      "syntax error: expected KEY = VALUE (a number, a \"string\" or a [list])");
}

static int xl_unterminated_string(const struct xl_state *st, const struct xl_token *t)
{
	if (t->line == st->start)
		return xl_err(st, "unterminated string: end it with its opening quote on the same "
				  "line");
	return xl_err(st,
		      "unterminated string on line %u: end it with its opening quote on the same "
		      "line",
		      t->line);
}

static int xl_list_error(const struct xl_state *st, const struct xl_token *t)
{
	const struct xl_token *k = &st->key;
	char where[32] = "";

	if (t->kind == XL_BAD_STRING)
		return xl_unterminated_string(st, t);
	if (t->kind == XL_END)
		return xl_err(st, "unterminated list: %.*s = [ has no closing ']'", (int)k->n,
			      k->s);
	if (t->line != st->start)
		snprintf(where, sizeof(where), " on line %u", t->line);
	/* A key inside a list most likely follows a list whose ']' was forgotten. */
	if (xl_is_key(t))
		return xl_err(st,
			      "syntax error in %.*s = [...]%s: '%.*s' is not a value; is the "
			      "list's ']' missing?",
			      (int)k->n, k->s, where, (int)t->n, t->s);
	return xl_err(st,
		      "syntax error in %.*s = [...]%s: expected numbers, \"strings\" or [lists] "
		      "separated by ','",
		      (int)k->n, k->s, where);
}

/* A list item: a string or a number (a word starting with a digit). */
static bool xl_list_atom(const struct xl_token *t)
{
	return t->kind == XL_STRING || (t->kind == XL_WORD && isdigit((unsigned char)*t->s));
}

/*
 * Check a list from its '[' (already read) to its closing ']'. As in
 * libxlu's grammar, newlines (and so comments) may come anywhere inside,
 * an item is followed by ',' or ']', and a ',' may end the list. Nested
 * lists are counted rather than recursed into, so no input can exhaust
 * the stack. No key vsgx reads takes a list, so the items are not kept.
 */
static int xl_list(struct xl_state *st)
{
	unsigned int depth = 1;
	bool want_item = true; /* after '[' or ',': an item or ']' */
	struct xl_token t;

	while (depth) {
		xl_next(st, &t);
		if (t.kind == XL_NEWLINE)
			continue;
		if (t.kind == XL_CLOSE) {
			depth--;
			want_item = false;
		} else if (want_item && t.kind == XL_OPEN) {
			depth++;
		} else if (want_item && xl_list_atom(&t)) {
			want_item = false;
		} else if (!want_item && t.kind == XL_COMMA) {
			want_item = true;
		} else {
			return xl_list_error(st, &t);
		}
	}
	return 0;
}

static int xl_value(struct xl_state *st, struct xl_value *v)
{
	struct xl_token t;

	xl_next(st, &t);
	v->kind = t.kind;
	v->s = t.s;
	v->n = t.n;
	if (t.kind == XL_WORD || t.kind == XL_STRING)
		return 0;
	if (t.kind == XL_OPEN)
		return xl_list(st);
	if (t.kind == XL_BAD_STRING)
		return xl_unterminated_string(st, &t);
	return xl_syntax_error(st);
}

/* --- the keys vsgx reads --- */

/* How a value reads back in messages: strings without their quotes, as before. */
static int xl_value_len(const struct xl_value *v)
{
	return v->kind == XL_OPEN ? 5 : (int)v->n;
}

static const char *xl_value_text(const struct xl_value *v)
{
	return v->kind == XL_OPEN ? "[...]" : v->s;
}

static int xl_digit(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	if (isxdigit((unsigned char)c))
		return tolower((unsigned char)c) - 'a' + 10;
	return 99;
}

/*
 * A number as libxlu reads one, strtol with base 0: a leading 0 means
 * octal (so 010 is 8 and 08 is junk) and 0x hex. Past LLONG_MAX, xl's long
 * overflows. Return: 0, -EINVAL (junk) or -ERANGE.
 */
static int xl_strtonum(const char *s, size_t n, uint64_t *ret)
{
	unsigned int base = 10, d;
	uint64_t v = 0;
	size_t i = 0;

	if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (!n || i == n)
		return -EINVAL;
	for (; i < n; i++) {
		d = (unsigned int)xl_digit(s[i]);
		if (d >= base)
			return -EINVAL;
		if (v > ((uint64_t)LLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*ret = v;
	return 0;
}

static int xl_number(struct xl_state *st, const struct xl_value *v, uint64_t min, uint64_t max,
		     const char *unit, uint64_t *ret)
{
	const struct xl_token *k = &st->key;
	const char *why = "";
	int r = v->kind == XL_WORD ? xl_strtonum(v->s, v->n, ret) : 0;

	if (v->kind == XL_WORD && !r && *ret >= min && *ret <= max)
		return 0;
	if (r == -ERANGE)
		why = " could not be parsed as a number: Numerical result out of range;";
	else if (r == -EINVAL)
		why = " not a valid number (decimal, octal with a leading 0, hex with 0x);";
	return xl_err(st, "%.*s = %.*s:%s expected a number%s from %llu to %llu", (int)k->n, k->s,
		      xl_value_len(v), xl_value_text(v), why, unit, (unsigned long long)min,
		      (unsigned long long)max);
}

static int xl_epc_mib(struct xl_state *st, uint64_t mib, bool from_sgx)
{
	if ((from_sgx && st->epc_key) || (!from_sgx && st->sgx_key && st->epc_mib))
		return xl_err(st, "the EPC size is given both by epc = and by sgx = \"epc=...\"; "
				  "keep one");
	st->epc_mib = mib;
	st->epc_key = !from_sgx;
	return 0;
}

static int xl_lehash(struct xl_state *st, const char *hex, size_t n)
{
	uint8_t b[32];

	if (n != 64)
		goto err;
	for (int i = 0; i < 32; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]))
			goto err;
		b[i] = (uint8_t)(xl_digit(hex[2 * i]) << 4 | xl_digit(hex[2 * i + 1]));
	}
	/* The hash's bytes in order; MSR n holds bytes 8n..8n+7, little-endian. */
	for (int m = 0; m < 4; m++) {
		st->vm->lehash[m] = 0;
		for (int i = 7; i >= 0; i--)
			st->vm->lehash[m] = st->vm->lehash[m] << 8 | b[8 * m + i];
	}
	st->lehash = true;
	return 0;
err:
	return xl_err(st, "sgx: lehash must be exactly 64 hex digits: the SHA-256 of the launch "
			  "enclave signer's modulus");
}

static int xl_flag(struct xl_state *st, const char *key, const char *val, size_t n, bool *ret)
{
	if (n == 1 && (val[0] == '0' || val[0] == '1')) {
		*ret = val[0] == '1';
		return 0;
	}
	return xl_err(st, "sgx: %s=%.*s: expected %s=0 or %s=1", key, (int)n, val, key, key);
}

static bool xl_opt_is(const char *opt, size_t n, const char *name)
{
	return n == strlen(name) && !memcmp(opt, name, n);
}

static int xl_sgx_epc(struct xl_state *st, const char *val, size_t n)
{
	char buf[24];
	uint64_t mib;

	/* vm_parse_uint() needs a terminated string; a longer one is out of range anyway. */
	if (n >= sizeof(buf))
		goto err;
	memcpy(buf, val, n);
	buf[n] = '\0';
	if (vm_parse_uint(buf, XL_MAX_MIB, &mib) || !mib)
		goto err;
	return xl_epc_mib(st, mib, true);
err:
	return xl_err(st, "sgx: epc must be a nonzero number of MiB, e.g. epc=64");
}

/* One OPTION[=VALUE] of an sgx string, (n) characters at (opt). */
static int xl_sgx_option(struct xl_state *st, const char *opt, size_t n)
{
	const char *eq = memchr(opt, '=', n), *val = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - opt) : n, vlen = eq ? n - klen - 1 : 0;

	if (val && xl_opt_is(opt, klen, "epc"))
		return xl_sgx_epc(st, val, vlen);
	if (val && xl_opt_is(opt, klen, "lehash"))
		return xl_lehash(st, val, vlen);
	if (val && xl_opt_is(opt, klen, "lewr")) {
		st->lewr_set = true;
		return xl_flag(st, "lewr", val, vlen, &st->lewr);
	}
	if (val && xl_opt_is(opt, klen, "provision"))
		return xl_flag(st, "provision", val, vlen, &st->provision);
	return xl_err(st,
		      "sgx: unknown option '%.*s'; options: epc=MiB, lehash=HEX, lewr=0|1, "
		      "provision=0|1",
		      (int)klen, opt);
}

static int xl_sgx(struct xl_state *st, const struct xl_value *v)
{
	const char *opt = v->s, *end = v->s + v->n, *comma;
	size_t n;
	int r;

	if (v->kind != XL_STRING)
		return xl_err(st, "sgx must be a string, e.g. sgx = \"epc=64\"");
	st->sgx_key = true;
	for (; opt < end; opt += n + 1) {
		comma = memchr(opt, ',', (size_t)(end - opt));
		n = (size_t)((comma ? comma : end) - opt);
		if (!n)
			continue; /* "epc=8,,lewr=0": empty options are skipped */
		r = xl_sgx_option(st, opt, n);
		if (r)
			return r;
	}
	return 0;
}

static int xl_name(struct xl_state *st, const struct xl_value *v)
{
	if (v->kind != XL_STRING || !v->n || v->n >= VM_NAME_MAX)
		return xl_err(st,
			      "name must be a quoted, nonempty string of at most 63 characters");
	snprintf(st->vm->name, VM_NAME_MAX, "%.*s", (int)v->n, v->s);
	st->named = true;
	return 0;
}

static int xl_type(struct xl_state *st, const struct xl_value *v)
{
	const struct xl_token *k = &st->key;

	if (v->kind != XL_STRING)
		return xl_err(st, "%.*s must be a string, e.g. %.*s = \"hvm\"", (int)k->n, k->s,
			      (int)k->n, k->s);
	st->typed = true;
	st->hvm = v->n == 3 && !memcmp(v->s, "hvm", 3);
	return 0;
}

static int xl_memory(struct xl_state *st, const struct xl_value *v)
{
	uint64_t n;
	int r = xl_number(st, v, 1, XL_MAX_MIB, " of MiB", &n);

	if (!r)
		st->vm->memory = n << 20;
	return r;
}

static int xl_vcpus(struct xl_state *st, const struct xl_value *v)
{
	uint64_t n;
	int r = xl_number(st, v, 1, HW_MAX_CPUS, "", &n);

	if (!r)
		st->vm->vcpus = (unsigned int)n;
	return r;
}

static int xl_epc(struct xl_state *st, const struct xl_value *v)
{
	uint64_t n;
	int r = xl_number(st, v, 1, XL_MAX_MIB, " of MiB", &n);

	return r ? r : xl_epc_mib(st, n, false);
}

static int xl_epc_max(struct xl_state *st, const struct xl_value *v)
{
	return xl_number(st, v, 1, XL_MAX_MIB, " of MiB", &st->epc_max_mib);
}

static int xl_epc_policy(struct xl_state *st, const struct xl_value *v)
{
	const char *const names[] = { "static", "balloon", "oversubscribe" };

	for (unsigned int i = 0; v->kind == XL_STRING && i < 3; i++) {
		if (v->n == strlen(names[i]) && !memcmp(v->s, names[i], v->n)) {
			st->policy = (enum vm_epc_policy)i;
			st->policy_set = true;
			return 0;
		}
	}
	return xl_err(st,
		      "epc_policy = %.*s: expected \"static\", \"balloon\" or \"oversubscribe\"",
		      xl_value_len(v), xl_value_text(v));
}

static int xl_epc_owner(struct xl_state *st, const struct xl_value *v)
{
	if (v->kind != XL_STRING || !v->n || v->n >= VM_NAME_MAX)
		return xl_err(st,
			      "epc_owner must be a quoted, nonempty owner name of at most %d "
			      "characters, e.g. epc_owner = \"tenant-a\"",
			      VM_NAME_MAX - 1);
	snprintf(st->vm->epc_owner, VM_NAME_MAX, "%.*s", (int)v->n, v->s);
	return 0;
}

static int xl_epc_oversub(struct xl_state *st, const struct xl_value *v)
{
	static const char *const modes[] = { "extensions", "trap", NULL };
	char hint[64];

	for (unsigned int i = 0; v->kind == XL_STRING && i < VM_OVERSUB_MODE_MAX; i++) {
		const char *name = vm_epc_oversub_name((enum vm_epc_oversub)i);

		if (v->n == strlen(name) && !memcmp(v->s, name, v->n)) {
			st->oversub = (enum vm_epc_oversub)i;
			st->oversub_set = true;
			return 0;
		}
	}
	return xl_err(
	    st, "epc_oversub = %.*s: expected \"extensions\" or \"trap\"%s", xl_value_len(v),
	    xl_value_text(v),
	    vm_did_you_mean(xl_value_text(v), (size_t)xl_value_len(v), modes, hint, sizeof(hint)));
}

static const struct xl_key {
	const char *name;
	int (*set)(struct xl_state *st, const struct xl_value *v);
} xl_keys[] = {
	{ "name", xl_name },
	{ "type", xl_type },
	{ "builder", xl_type },
	{ "memory", xl_memory },
	{ "vcpus", xl_vcpus },
	{ "epc", xl_epc },
	{ "sgx", xl_sgx },
	{ "epc_max", xl_epc_max },
	{ "epc_policy", xl_epc_policy },
	{ "epc_owner", xl_epc_owner },
	{ "epc_oversub", xl_epc_oversub },
};

static const struct xl_key *xl_key_find(const struct xl_token *k)
{
	for (size_t i = 0; i < sizeof(xl_keys) / sizeof(xl_keys[0]); i++)
		if (xl_is(k, xl_keys[i].name))
			return &xl_keys[i];
	return NULL;
}

/* The keys of xl.cfg(5) besides those vsgx reads: xl takes them, vsgx ignores them. */
static const char *const xl_known_keys[] = {
	"name",
	"type",
	"builder",
	"memory",
	"vcpus",
	"epc",
	"sgx",
	"epc_max",
	"epc_policy",
	"epc_owner",
	"epc_oversub",
	"maxmem",
	"maxvcpus",
	"cpus",
	"cpus_soft",
	"cpu_weight",
	"cap",
	"pool",
	"disk",
	"vif",
	"vfb",
	"vtpm",
	"vdispl",
	"vsnd",
	"vkb",
	"p9",
	"pvcalls",
	"channel",
	"usbctrl",
	"usbdev",
	"pci",
	"pci_permissive",
	"pci_msitranslate",
	"pci_seize",
	"pci_power_mgmt",
	"rdm",
	"rdm_mem_boundary",
	"irqs",
	"iomem",
	"ioports",
	"dtdev",
	"vnuma",
	"on_poweroff",
	"on_reboot",
	"on_watchdog",
	"on_crash",
	"on_soft_reset",
	"kernel",
	"ramdisk",
	"cmdline",
	"root",
	"extra",
	"bootloader",
	"bootloader_args",
	"bootloader_restrict",
	"bootloader_user",
	"firmware",
	"bios",
	"boot",
	"serial",
	"vga",
	"videoram",
	"stdvga",
	"vnc",
	"vnclisten",
	"vncdisplay",
	"vncunused",
	"vncpasswd",
	"keymap",
	"sdl",
	"opengl",
	"display",
	"xauthority",
	"spice",
	"spicehost",
	"spiceport",
	"spicetls_port",
	"spicedisable_ticketing",
	"spicepasswd",
	"spiceagent_mouse",
	"spicevdagent",
	"spice_clipboard_sharing",
	"spiceusbredirection",
	"spice_image_compression",
	"spice_streaming_video",
	"nographic",
	"usb",
	"usbdevice",
	"usbversion",
	"soundhw",
	"acpi",
	"acpi_s3",
	"acpi_s4",
	"acpi_laptop_slate",
	"acpi_firmware",
	"apic",
	"pae",
	"hap",
	"nestedhvm",
	"nested_hvm",
	"viridian",
	"hpet",
	"timer_mode",
	"tsc_mode",
	"localtime",
	"rtc_timeoffset",
	"vpt_align",
	"uuid",
	"seclabel",
	"init_seclabel",
	"device_model_version",
	"device_model_override",
	"device_model_stubdomain_override",
	"device_model_stubdomain_seclabel",
	"device_model_args",
	"device_model_args_hvm",
	"device_model_args_pv",
	"device_model_user",
	"max_grant_frames",
	"max_maptrack_frames",
	"max_grant_version",
	"nomigrate",
	"driver_domain",
	"e820_host",
	"gfx_passthru",
	"xen_platform_pci",
	"altp2m",
	"altp2mhvm",
	"mca_caps",
	"shadow_memory",
	"cpuid",
	"gic_version",
	"vuart",
	"dm_restrict",
	"smbios",
	"mmio_hole",
	"hdtype",
	"ms_vm_genid",
	"vcpu_hard_affinity",
	"vcpu_soft_affinity",
	"max_event_channels",
	"tee",
	"passthrough",
	"claim_mode",
	"vpmu",
	"trap_unmapped_accesses",
	"vmtrace_buf_kb",
	"vif2",
	"cpupool",
	"device_tree",
	"llc_colors",
	"memflags",
	"suppress_vmdesc",
	"usbdevice_list",
	"xen_platform_pci_bar_uc",
	"vkb_device",
	"virtio_disk",
	"virtio",
	NULL,
};

/* xl ignores a key it does not know: a typo there changes the VM silently. */
static void xl_warn_unknown(const struct xl_state *st)
{
	const struct xl_token *k = &st->key;
	char name[VM_SUGGEST_LEN + 1], hint[64];

	snprintf(name, sizeof(name), "%.*s", (int)k->n, k->s);
	for (const char *const *p = xl_known_keys; *p; p++)
		if (xl_is(k, *p))
			return;
	vm_diag_add(st->d, VM_DIAG_WARNING,
		    "line %u: unknown key '%.*s'%s: xl ignores keys it does not know, so this "
		    "setting has no effect",
		    st->start, (int)k->n, k->s,
		    vm_did_you_mean(name, strlen(name), xl_known_keys, hint, sizeof(hint)));
}

static int xl_apply(struct xl_state *st, bool append, const struct xl_value *v)
{
	const struct xl_key *key = xl_key_find(&st->key);
	const struct xl_token *k = &st->key;

	/* KEY += VALUE appends in xl; vsgx takes it only for the keys it ignores. */
	if (key && append)
		return xl_err(st, "%.*s += is not supported; set it once with %.*s =", (int)k->n,
			      k->s, (int)k->n, k->s);
	if (key)
		return key->set(st, v);
	/* xl ignores keys it does not use; a bare word is no value in its syntax. */
	if (v->kind == XL_WORD && !isdigit((unsigned char)*v->s))
		return xl_err(st, "%.*s = %.*s: not a number, a \"string\" or a [list]; quote it",
			      (int)k->n, k->s, (int)v->n, v->s);
	xl_warn_unknown(st);
	return 0;
}

/* One setting, from its KEY (already read) to the newline or ';' that ends it. */
static int xl_setting(struct xl_state *st)
{
	struct xl_token op, end;
	struct xl_value v;

	st->start = st->key.line;
	if (!xl_is_key(&st->key)) {
		xl_syntax_error(st);
		return -EBADMSG;
	}
	xl_next(st, &op);
	if (op.kind != XL_EQ && op.kind != XL_ADDEQ) {
		xl_syntax_error(st);
		return -EBADMSG;
	}
	if (xl_value(st, &v))
		return -EBADMSG;
	xl_next(st, &end);
	if (end.kind != XL_NEWLINE && end.kind != XL_SEMI && end.kind != XL_END) {
		xl_err(st, "syntax error: expected ';' or a newline after the value of %.*s",
		       (int)st->key.n, st->key.s);
		return -EBADMSG;
	}
	return xl_apply(st, op.kind == XL_ADDEQ, &v);
}

/* --- the whole config --- */

static int xl_check_lc(const struct xl_state *st)
{
	bool host_lc = st->vm->features & VM_CPU(VM_CPU_SGXLC);

	int r = 0;

	if ((st->lehash || (st->lewr_set && st->lewr)) && !host_lc)
		r = xl_fail(
		    st, "sgx: lehash and lewr=1 need a host whose firmware left the "
			"IA32_SGXLEPUBKEYHASH MSRs writable (flexible launch control, unlocked); "
			"remove them");
	if (st->provision && !(st->vm->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY)))
		r = xl_fail(st, "sgx: provision=1 but the host cannot give guests "
				"PROVISIONKEY; remove it");
	return r;
}

/* SGX is HVM-only, and a config without a type is a PV guest in xl on x86. */
static int xl_check_hvm(const struct xl_state *st)
{
	if (!st->epc_mib || st->hvm)
		return 0;
	if (st->typed)
		return xl_fail(st, "epc: SGX is only supported for HVM guests; set type = \"hvm\"");
	return xl_fail(st, "epc: SGX is only supported for HVM guests and xl's default type is "
			   "\"pv\"; set type = \"hvm\"");
}

/*
 * Oversubscription: epc is the VM's EPC (what its CPUID reports), epc_max
 * the host EPC it may hold at once, at most epc and at least 1/8 of it (the
 * VMM backs what it evicts with its own RAM, and bounds that), on a part with
 * the EPC Oversubscription Extensions.
 */
static int xl_check_oversub(struct xl_state *st)
{
	uint64_t max = st->epc_max_mib ? st->epc_max_mib : st->epc_mib;
	char msg[VM_DIAG_LEN];

	if (!st->epc_mib)
		return xl_fail(st,
			       "epc_policy = \"oversubscribe\": the VM has no EPC; add epc = MiB");
	if (st->oversub == VM_OVERSUB_EXTENSIONS && !hw_processor_desc(st->host)->oversub)
		return xl_fail(st, "epc_policy = \"oversubscribe\" needs the EPC Oversubscription "
				   "Extensions (ENCLV, ELDBC/ELDUC, ETRACKC), which this host's "
				   "processor lacks; use a host with oversub=1, or epc_oversub = "
				   "\"trap\" (the VMM traps ENCLS), or epc_policy = \"static\" or "
				   "\"balloon\"");
	if (max > st->epc_mib)
		return xl_fail(st, "epc_max is above epc: an oversubscribed VM holds at most its "
				   "EPC; make epc_max at most epc");
	if (st->epc_mib > max * VM_OVERSUB_RATIO_MAX) {
		snprintf(msg, sizeof(msg),
			 "epc = %llu is more than %d times epc_max = %llu: the VMM backs evicted "
			 "EPC with its RAM up to %d times what the VM holds; raise epc_max to at "
			 "least %llu or lower epc",
			 (unsigned long long)st->epc_mib, VM_OVERSUB_RATIO_MAX,
			 (unsigned long long)max, VM_OVERSUB_RATIO_MAX - 1,
			 (unsigned long long)((st->epc_mib + VM_OVERSUB_RATIO_MAX - 1) /
					      VM_OVERSUB_RATIO_MAX));
		return xl_fail(st, msg);
	}
	return 0;
}

/*
 * epc is what a ballooning VM starts with, epc_max what it may grow to (its
 * sections' size, what its CPUID reports), as memory and maxmem are for RAM.
 */
static int xl_check_policy(struct xl_state *st)
{
	/* epc_oversub alone says the VM is oversubscribed, and how. */
	if (st->oversub_set && !st->policy_set) {
		st->policy = VM_EPC_OVERSUBSCRIBE;
		st->policy_set = true;
	}
	if (st->oversub_set && st->policy != VM_EPC_OVERSUBSCRIBE)
		return xl_fail(st, "epc_oversub: only an oversubscribed VM has a way of evicting; "
				   "use epc_policy = \"oversubscribe\", or remove epc_oversub");
	if (st->policy_set && st->policy == VM_EPC_OVERSUBSCRIBE)
		return xl_check_oversub(st);
	if (st->epc_max_mib && st->policy != VM_EPC_BALLOON)
		return xl_fail(st, "epc_max: only a ballooning or oversubscribed VM has an EPC "
				   "maximum other than its epc; add epc_policy = \"balloon\" or "
				   "\"oversubscribe\", or remove epc_max");
	if (st->policy_set && st->policy == VM_EPC_BALLOON && !st->epc_mib)
		return xl_fail(st, "epc_policy = \"balloon\": the VM has no EPC; add epc = MiB");
	if (st->epc_max_mib && st->epc_max_mib < st->epc_mib)
		return xl_fail(st,
			       "epc_max is below epc: epc is the EPC the VM starts with, "
			       "epc_max the most it may balloon up to; make epc_max at least epc");
	return 0;
}

static int xl_finish(struct xl_state *st)
{
	struct vm_config *vm = st->vm;
	int r = 0;

	if (!st->named)
		r = xl_fail(st, "Domain name must be specified: add name = \"...\"");
	if (st->sgx_key && !st->epc_mib)
		r = xl_fail(st, "sgx: no EPC; add epc=MiB, e.g. sgx = \"epc=64\"");
	if (xl_check_hvm(st) || xl_check_policy(st))
		r = -EINVAL;
	if (xl_check_lc(st) || r || vm_diags_result(st->d))
		return -EINVAL;
	if (st->epc_mib) {
		vm->nr_sections = 1;
		snprintf(vm->sections[0].memdev, VM_ID_MAX, "epc0");
		vm->sections[0].size = st->epc_mib << 20;
		vm->epc_policy = st->policy;
		if (st->policy == VM_EPC_OVERSUBSCRIBE) {
			vm->epc_host_max = (st->epc_max_mib ? st->epc_max_mib : st->epc_mib) << 20;
			vm->epc_oversub = st->oversub;
		} else if (st->epc_max_mib > st->epc_mib) {
			vm->sections[0].size = st->epc_max_mib << 20;
			vm->epc_start = st->epc_mib << 20;
		}
	}
	vm->lewr = st->lewr_set ? st->lewr : true;
	vm->provision = st->provision;
	if (!vm->provision)
		vm->features &= ~VM_CPU(VM_CPU_SGX_PROVISIONKEY);
	return vm_config_finish(st->host, vm, "xl", st->d);
}

int vm_config_read_xl(struct hw_processor *host, const char *text, struct vm_config *ret,
		      struct vm_diags *d)
{
	struct xl_state st = { .host = host, .vm = ret, .d = d, .p = text, .line = 1 };
	int r;

	vm_config_init(ret, host);
	if (strnlen(text, XL_TEXT_MAX + 1) > XL_TEXT_MAX)
		return xl_fail(&st, "config too long: an xl config is 1 MiB at most");
	for (;;) {
		xl_next(&st, &st.key);
		if (st.key.kind == XL_END)
			break;
		if (st.key.kind == XL_NEWLINE || st.key.kind == XL_SEMI)
			continue;
		/* A bad value is reported and reading goes on; bad syntax ends it. */
		r = xl_setting(&st);
		if (r == -EBADMSG)
			return -EINVAL;
	}
	return xl_finish(&st);
}
