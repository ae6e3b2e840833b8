/* SPDX-License-Identifier: MIT */
/*
 * libvirt domain XML (formatdomain), read with libxml2: <name>, <memory>,
 * <vcpu>, <cpu> (its mode, SGX <feature>s and <numa> cells) and each
 * <memory model='sgx-epc'> device, which libvirt turns into a
 * memory-backend-epc with prealloc, host-nodes=<nodemask> and policy=bind
 * and an sgx-epc.N.memdev/node pair. Every other element does not bear on
 * SGX and is named in one note.
 */
#include "vsgx/vmm-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vmm-int.h"
#include "vsgx/vmm-cpuid.h"

struct lv_state {
	struct hw_processor *host;
	struct vm_config *vm;
	struct vm_diags *d;
	unsigned int nr_epc; /* <memory model='sgx-epc'> devices seen */
	char ignored[360];
};

static bool lv_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* An attribute's value (freed with the document's strings), or "" when absent. */
static void lv_attr(const xmlNode *n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	snprintf(buf, len, "%s", v ? (const char *)v : "");
	xmlFree(v);
}

static void lv_text(const xmlNode *n, char *buf, size_t len)
{
	xmlChar *v = xmlNodeGetContent(n);
	const char *s = v ? (const char *)v : "";
	size_t k;

	s += strspn(s, " \t\r\n");
	snprintf(buf, len, "%s", s);
	for (k = strlen(buf); k && strchr(" \t\r\n", buf[k - 1]); k--)
		buf[k - 1] = '\0';
	xmlFree(v);
}

static void lv_ignore(struct lv_state *st, const char *parent, const char *name)
{
	char what[80];
	size_t n = strlen(st->ignored);

	if (parent)
		snprintf(what, sizeof(what), "<%s><%s>", parent, name);
	else
		snprintf(what, sizeof(what), "%s", name);
	if (st->d->strict) {
		vm_diag_add(st->d, VM_DIAG_ERROR,
			    "%s is not modelled, and --strict refuses what vsgx does not model; "
			    "remove it",
			    what);
		return;
	}
	if (strstr(st->ignored, what))
		return;
	snprintf(st->ignored + n, sizeof(st->ignored) - n, "%s%s", n ? ", " : "", what);
}

/* libvirt's scaled integers: a unit attribute, KiB when there is none. */
static int lv_unit(const char *unit, uint64_t *ret)
{
	static const struct {
		const char *name;
		uint64_t scale;
	} units[] = {
		{ "b", 1 },
		{ "bytes", 1 },
		{ "KB", 1000ULL },
		{ "k", 1ULL << 10 },
		{ "KiB", 1ULL << 10 },
		{ "MB", 1000000ULL },
		{ "M", 1ULL << 20 },
		{ "MiB", 1ULL << 20 },
		{ "GB", 1000000000ULL },
		{ "G", 1ULL << 30 },
		{ "GiB", 1ULL << 30 },
		{ "TB", 1000000000000ULL },
		{ "T", 1ULL << 40 },
		{ "TiB", 1ULL << 40 },
		{ "P", 1ULL << 50 },
		{ "PiB", 1ULL << 50 },
		{ "E", 1ULL << 60 },
		{ "EiB", 1ULL << 60 },
	};

	if (!*unit)
		unit = "KiB";
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(unit, units[i].name)) {
			*ret = units[i].scale;
			return 0;
		}
	}
	return -EINVAL;
}

/* <ELEMENT unit='U'>N</ELEMENT> in bytes. */
static int lv_size(struct lv_state *st, const xmlNode *n, const char *what, uint64_t *ret)
{
	char unit[16], text[32];
	uint64_t scale, v;

	lv_attr(n, "unit", unit, sizeof(unit));
	lv_text(n, text, sizeof(text));
	if (lv_unit(unit, &scale)) {
		vm_diag_add(st->d, VM_DIAG_ERROR,
			    "%s: unknown unit '%s'; use b, KiB, MiB, GiB, TiB (or KB, MB, GB, TB)",
			    what, unit);
		return -EINVAL;
	}
	if (vm_parse_uint(text, UINT64_MAX / scale, &v)) {
		vm_diag_add(st->d, VM_DIAG_ERROR,
			    "%s: '%s' is not a size; write a whole number, e.g. <size "
			    "unit='MiB'>64</size>",
			    what, text);
		return -EINVAL;
	}
	*ret = v * scale;
	return 0;
}

static int lv_uint(struct lv_state *st, const xmlNode *n, const char *what, uint64_t max,
		   uint64_t *ret)
{
	char text[32];

	lv_text(n, text, sizeof(text));
	if (!vm_parse_uint(text, max, ret))
		return 0;
	vm_diag_add(st->d, VM_DIAG_ERROR, "%s: '%s' is not a number from 0 to %llu", what, text,
		    (unsigned long long)max);
	return -EINVAL;
}

/* "0-1,3": the host nodes of a <nodemask>. */
static int lv_nodemask(struct lv_state *st, const xmlNode *n, uint64_t *ret)
{
	char text[128], *save = NULL, *tok, *dash;
	uint64_t lo, hi;

	lv_text(n, text, sizeof(text));
	*ret = 0;
	for (tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash++ = '\0';
		if (vm_parse_uint(tok, VM_MAX_NODES - 1, &lo) ||
		    (dash && vm_parse_uint(dash, VM_MAX_NODES - 1, &hi)) || (dash && hi < lo)) {
			vm_diag_add(st->d, VM_DIAG_ERROR,
				    "<nodemask>: expected host nodes from 0 to %d as N, N-M or a "
				    "comma list, e.g. 0-1",
				    VM_MAX_NODES - 1);
			return -EINVAL;
		}
		for (uint64_t i = lo; i <= (dash ? hi : lo); i++)
			*ret |= 1ULL << i;
	}
	return 0;
}

static int lv_epc_target(struct lv_state *st, const xmlNode *t, struct vm_epc_section *s,
			 bool *sized)
{
	char what[64];
	uint64_t node;
	int r = 0;

	for (const xmlNode *c = t->children; c; c = c->next) {
		if (lv_is(c, "size")) {
			snprintf(what, sizeof(what), "<memory model='sgx-epc'> #%u <size>",
				 st->nr_epc);
			r |= lv_size(st, c, what, &s->size);
			*sized = true;
		} else if (lv_is(c, "node")) {
			snprintf(what, sizeof(what), "<memory model='sgx-epc'> #%u <node>",
				 st->nr_epc);
			if (lv_uint(st, c, what, VM_MAX_NODES - 1, &node))
				r = -EINVAL;
			else
				s->node = (uint32_t)node;
		}
	}
	return r;
}

/* <memory model='sgx-epc'><source><nodemask/></source><target><size/><node/></target> */
static int lv_epc(struct lv_state *st, const xmlNode *m)
{
	struct vm_epc_section s = { .prealloc = true };
	bool sized = false;
	int r = 0;

	st->nr_epc++;
	snprintf(s.memdev, sizeof(s.memdev), "memepc%u", st->nr_epc - 1);
	for (const xmlNode *c = m->children; c; c = c->next) {
		if (lv_is(c, "target"))
			r |= lv_epc_target(st, c, &s, &sized);
		for (const xmlNode *g = c->children; lv_is(c, "source") && g; g = g->next)
			if (lv_is(g, "nodemask"))
				r |= lv_nodemask(st, g, &s.host_nodes);
	}
	s.policy = s.host_nodes ? VM_POLICY_BIND : VM_POLICY_DEFAULT;
	if (!sized) {
		vm_diag_add(st->d, VM_DIAG_ERROR,
			    "<memory model='sgx-epc'> #%u has no <target><size>; add e.g. <size "
			    "unit='MiB'>64</size>",
			    st->nr_epc);
		return -EINVAL;
	}
	if (!r && (!s.size || s.size > UINT64_MAX - SGX_PAGE_SIZE))
		r = -EINVAL,
		vm_diag_add(st->d, VM_DIAG_ERROR,
			    "<memory model='sgx-epc'> #%u: the size must be nonzero", st->nr_epc);
	if (!r && st->vm->nr_sections == VM_MAX_SECTIONS)
		r = -EINVAL,
		vm_diag_add(st->d, VM_DIAG_ERROR, "more than %d <memory model='sgx-epc'> devices",
			    VM_MAX_SECTIONS);
	if (r)
		return r;
	s.size = (s.size + SGX_PAGE_SIZE - 1) & SGX_PAGE_MASK;
	st->vm->sections[st->vm->nr_sections++] = s;
	return 0;
}

static int lv_devices(struct lv_state *st, const xmlNode *devs)
{
	char model[32];
	int r = 0;

	for (const xmlNode *c = devs->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		lv_attr(c, "model", model, sizeof(model));
		if (lv_is(c, "memory") && !strcmp(model, "sgx-epc"))
			r |= lv_epc(st, c);
		else
			lv_ignore(st, "devices", (const char *)c->name);
	}
	return r;
}

/* <cell id='N' .../>: ids 0..n-1, as QEMU wants them. */
static int lv_numa(struct lv_state *st, const xmlNode *numa)
{
	uint64_t seen = 0, id;
	char text[16];
	unsigned int n = 0;

	for (const xmlNode *c = numa->children; c; c = c->next) {
		if (!lv_is(c, "cell"))
			continue;
		lv_attr(c, "id", text, sizeof(text));
		if (vm_parse_uint(text, VM_MAX_NODES - 1, &id) || seen >> id & 1) {
			vm_diag_add(st->d, VM_DIAG_ERROR,
				    "<numa><cell id='%s'>: expected a new id from 0 to %d", text,
				    VM_MAX_NODES - 1);
			return -EINVAL;
		}
		seen |= 1ULL << id;
		n++;
	}
	if (n && seen != (n == 64 ? UINT64_MAX : (1ULL << n) - 1)) {
		vm_diag_add(st->d, VM_DIAG_ERROR, "<numa>: cell ids must go from 0 to %u", n - 1);
		return -EINVAL;
	}
	st->vm->nr_nodes = n ? n : 1;
	return 0;
}

/* <feature policy='require|force|optional|disable|forbid' name='sgx...'/> */
static int lv_feature(struct lv_state *st, const xmlNode *f, uint32_t host)
{
	char name[40], policy[16];
	bool on;

	lv_attr(f, "name", name, sizeof(name));
	lv_attr(f, "policy", policy, sizeof(policy));
	for (int i = 0; i < VM_CPU_FEATURE_MAX; i++) {
		if (strcmp(name, vm_cpu_feature_name(i)))
			continue;
		on = !*policy || !strcmp(policy, "require") || !strcmp(policy, "force") ||
		     (!strcmp(policy, "optional") && host & VM_CPU(i));
		if (on && !(host & VM_CPU(i))) {
			vm_diag_add(st->d, VM_DIAG_ERROR,
				    "<feature policy='%s' name='%s'/>: the host CPU does not have "
				    "it; features can only be removed from the host's",
				    policy, name);
			return -EINVAL;
		}
		st->vm->features =
		    on ? st->vm->features | VM_CPU(i) : st->vm->features & ~VM_CPU(i);
		return 0;
	}
	lv_ignore(st, "cpu", "feature> (not SGX");
	return 0;
}

static int lv_cpu(struct lv_state *st, const xmlNode *cpu)
{
	uint32_t host = vm_cpuid_host_features(st->host);
	char mode[32];
	int r = 0;

	lv_attr(cpu, "mode", mode, sizeof(mode));
	/* host-passthrough and maximum are -cpu host and -cpu max; a named model has no SGX. */
	st->vm->default_cpu = false;
	st->vm->features = !strcmp(mode, "host-passthrough") || !strcmp(mode, "maximum") ||
				   !strcmp(mode, "host-model")
			       ? host
			       : 0;
	for (const xmlNode *c = cpu->children; c; c = c->next) {
		if (lv_is(c, "feature"))
			r |= lv_feature(st, c, host);
		else if (lv_is(c, "numa"))
			r |= lv_numa(st, c);
	}
	return r;
}

static int lv_top(struct lv_state *st, const xmlNode *c)
{
	char text[VM_NAME_MAX + 1];
	uint64_t v;

	if (lv_is(c, "name")) {
		lv_text(c, text, sizeof(text));
		if (!*text || strlen(text) >= VM_NAME_MAX) {
			vm_diag_add(st->d, VM_DIAG_ERROR, "<name> must have 1 to %d characters",
				    VM_NAME_MAX - 1);
			return -EINVAL;
		}
		snprintf(st->vm->name, VM_NAME_MAX, "%s", text);
		return 0;
	}
	if (lv_is(c, "memory"))
		return lv_size(st, c, "<memory>", &st->vm->memory);
	if (lv_is(c, "vcpu")) {
		if (lv_uint(st, c, "<vcpu>", HW_MAX_CPUS, &v))
			return -EINVAL;
		st->vm->vcpus = v ? (unsigned int)v : 1;
		return 0;
	}
	if (lv_is(c, "cpu"))
		return lv_cpu(st, c);
	if (lv_is(c, "devices"))
		return lv_devices(st, c);
	lv_ignore(st, "domain", (const char *)c->name);
	return 0;
}

static int lv_domain(struct lv_state *st, const xmlNode *root)
{
	char type[16];
	int r = 0;

	if (!lv_is(root, "domain")) {
		vm_diag_add(st->d, VM_DIAG_ERROR,
			    "not a libvirt domain: the root element is <%s>, not <domain>",
			    (const char *)root->name);
		return -EINVAL;
	}
	lv_attr(root, "type", type, sizeof(type));
	if (*type && strcmp(type, "kvm")) {
		char what[48];

		snprintf(what, sizeof(what), "<domain type='%.16s'> (run as kvm)", type);
		lv_ignore(st, NULL, what);
	}
	for (const xmlNode *c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			r |= lv_top(st, c);
	if (st->ignored[0])
		vm_diag_add(st->d, VM_DIAG_NOTE, "not modelled, accepted and ignored: %s",
			    st->ignored);
	return r;
}

static xmlDoc *lv_read(const char *text, struct vm_diags *d)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	size_t n = strlen(text);
	const xmlError *e;
	xmlDoc *doc;

	if (n > 1 << 20) {
		vm_diag_add(d, VM_DIAG_ERROR, "the XML is over 1 MiB");
		return NULL;
	}
	/* No DTD, no entities expanded, no network: the text is all there is. */
	doc = xmlReadMemory(text, (int)n, "domain.xml", NULL, opts);
	if (doc)
		return doc;
	e = xmlGetLastError();
	vm_diag_add(d, VM_DIAG_ERROR, "line %d: the XML does not parse: %.*s; fix the markup",
		    e ? e->line : 0, e && e->message ? (int)strcspn(e->message, "\n") : 7,
		    e && e->message ? e->message : "unknown");
	return NULL;
}

int vm_config_read_libvirt(struct hw_processor *host, const char *text, struct vm_config *ret,
			   struct vm_diags *d)
{
	struct lv_state st = { .host = host, .vm = ret, .d = d };
	xmlDoc *doc;
	int r;

	vm_config_init(ret, host);
	/* Without <cpu>, libvirt gives QEMU's default model, which has no SGX. */
	ret->features = 0;
	ret->default_cpu = true;
	doc = lv_read(text, d);
	if (!doc)
		return -EINVAL;
	r = lv_domain(&st, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	if (r || vm_diags_result(d))
		return -EINVAL;
	ret->provision = ret->features & VM_CPU(VM_CPU_SGX_PROVISIONKEY);
	ret->lewr = true;
	return vm_config_finish(host, ret, "libvirt", d);
}
