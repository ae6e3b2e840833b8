/* SPDX-License-Identifier: MIT */
/*
 * A series of snapshots, one after each command, and its reader from the
 * JSON lines of `vsgx run --json`.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "report-int.h"

/* A command's words in a label, cut at this many bytes. */
#define LABEL_MAX 160

int report_series_create(struct report_series **ret)
{
	struct report_series *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

static void sample_free(struct report_sample *smp)
{
	free(smp->label);
	free(smp->nodes);
	free(smp->vm_ids);
	free(smp->pages);
}

void report_series_free(struct report_series *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < s->nr; i++)
		sample_free(&s->samples[i]);
	for (unsigned int i = 0; i < s->nr_names; i++)
		free(s->names[i]);
	free(s->samples);
	free(s->names);
	free(s->file);
	free(s);
}

unsigned int report_series_len(const struct report_series *s)
{
	return s->nr;
}

const char *report_series_file(const struct report_series *s)
{
	return s->file ? s->file : "";
}

int report_sample_node(const struct report_sample *smp, unsigned int node)
{
	for (unsigned int i = 0; i < smp->nr_nodes; i++)
		if (smp->nodes[i].node == node)
			return (int)i;
	return -1;
}

/* Double the array at *p of (*cap) elements of (size) bytes when (nr) fills it. */
static int grow(void **p, unsigned int *cap, unsigned int nr, size_t size)
{
	unsigned int n = *cap ? *cap * 2 : 16;
	void *q;

	if (nr < *cap)
		return 0;
	if (n <= *cap)
		return -ENOMEM;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* The index of VM (name) among the series' names, added when new; -ENOMEM. */
static int series_name(struct report_series *s, const char *name)
{
	for (unsigned int i = 0; i < s->nr_names; i++)
		if (!strcmp(s->names[i], name))
			return (int)i;
	if (grow((void **)&s->names, &s->cap_names, s->nr_names, sizeof(*s->names)))
		return -ENOMEM;
	s->names[s->nr_names] = strdup(name);
	if (!s->names[s->nr_names])
		return -ENOMEM;
	return (int)s->nr_names++;
}

static int sample_fill(struct report_series *s, struct report_sample *smp,
		       const struct report_snapshot *snap)
{
	unsigned int n = snap->nr_nodes;

	smp->nr_nodes = n;
	smp->nr_vms = snap->nr_vms;
	smp->nodes = malloc((n ? n : 1) * sizeof(*smp->nodes));
	smp->vm_ids = malloc((snap->nr_vms ? snap->nr_vms : 1) * sizeof(*smp->vm_ids));
	smp->pages = malloc(((size_t)snap->nr_vms * n + 1) * sizeof(*smp->pages));
	if (!smp->nodes || !smp->vm_ids || !smp->pages)
		return -ENOMEM;
	memcpy(smp->nodes, snap->nodes, n * sizeof(*smp->nodes));
	for (unsigned int v = 0; v < snap->nr_vms; v++) {
		int id = series_name(s, snap->vms[v].name);

		if (id < 0)
			return id;
		smp->vm_ids[v] = (unsigned int)id;
		memcpy(&smp->pages[(size_t)v * n], snap->vms[v].pages, n * sizeof(*smp->pages));
	}
	return 0;
}

int report_series_add(struct report_series *s, unsigned int line, const char *label,
		      const struct report_snapshot *snap)
{
	struct report_sample *smp;
	int r;

	r = report_snapshot_check(snap, NULL, 0);
	if (r)
		return r;
	if (grow((void **)&s->samples, &s->cap, s->nr, sizeof(*s->samples)))
		return -ENOMEM;
	smp = &s->samples[s->nr];
	memset(smp, 0, sizeof(*smp));
	smp->line = line;
	smp->label = strndup(label ? label : "", LABEL_MAX);
	r = smp->label ? sample_fill(s, smp, snap) : -ENOMEM;
	if (r) {
		sample_free(smp);
		return r;
	}
	s->nr++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The reader of JSON lines                                            */

struct jsonl {
	const char *name;
	unsigned int line;
	struct report_series *s;
	struct report_vm *vms; /* REPORT_MAX_VMS, for each snapshot read */
	char *why;
	size_t why_len;
};

#define JSONL_HINT "vsgx plot reads the JSON lines of 'vsgx run --json FILE'"

/* The words of "command" joined by spaces, cut at LABEL_MAX. */
static int jsonl_label(struct jsonl *j, struct json_object *words, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!json_object_is_type(words, json_type_array))
		return report_why(j->why, j->why_len, -EINVAL,
				  "%s:%u: the command event has no \"command\" array of words",
				  j->name, j->line);
	for (size_t i = 0; i < json_object_array_length(words); i++) {
		struct json_object *w = json_object_array_get_idx(words, i);

		if (!json_object_is_type(w, json_type_string))
			return report_why(j->why, j->why_len, -EINVAL,
					  "%s:%u: \"command\"[%zu] is not a string", j->name,
					  j->line, i);
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
					      json_object_get_string(w));
	}
	return 0;
}

static int jsonl_command(struct jsonl *j, struct json_object *o)
{
	struct json_object *epc, *line, *words = NULL, *file;
	struct report_snapshot snap;
	char label[LABEL_MAX + 1], why[256];
	int64_t n;
	int r;

	/* Commands before the host was powered on have nothing to plot. */
	if (!json_object_object_get_ex(o, "epc", &epc))
		return 0;
	if (!json_object_object_get_ex(o, "line", &line) ||
	    !json_object_is_type(line, json_type_int) || (n = json_object_get_int64(line)) < 1 ||
	    n > UINT32_MAX)
		return report_why(j->why, j->why_len, -EINVAL,
				  "%s:%u: the command event has no \"line\" (a scenario line "
				  "number, 1 or more)",
				  j->name, j->line);
	json_object_object_get_ex(o, "command", &words);
	r = jsonl_label(j, words, label, sizeof(label));
	if (r)
		return r;
	r = report_snapshot_from_json(epc, &snap, j->vms, REPORT_MAX_VMS, why, sizeof(why));
	if (r)
		return report_why(j->why, j->why_len, -EINVAL, "%s:%u: \"epc\": %s", j->name,
				  j->line, why);
	if (!j->s->file && json_object_object_get_ex(o, "file", &file) &&
	    json_object_is_type(file, json_type_string)) {
		j->s->file = strdup(json_object_get_string(file));
		if (!j->s->file)
			return -ENOMEM;
	}
	return report_series_add(j->s, (unsigned int)n, label, &snap);
}

/* Whether [p, end) holds only spaces, tabs and carriage returns. */
static bool blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

/* Parse one line, (len) bytes at (p), that is not blank; its object in *ret. */
static int jsonl_parse(struct jsonl *j, struct json_tokener *tok, const char *p, size_t len,
		       struct json_object **ret)
{
	enum json_tokener_error e;
	struct json_object *o;
	size_t skip = 0, end;

	while (p[skip] == ' ' || p[skip] == '\t')
		skip++;
	/* A top-level number or string is JSON but no event; json-c waits for more of a number. */
	if (p[skip] != '{')
		return report_why(j->why, j->why_len, -EINVAL,
				  "%s:%u: not a JSON object; " JSONL_HINT ", one object a line",
				  j->name, j->line);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, p, (int)len);
	e = json_tokener_get_error(tok);
	if (e == json_tokener_continue)
		return report_why(j->why, j->why_len, -EINVAL,
				  "%s:%u: the JSON object is cut short (a run that was stopped "
				  "while writing?)",
				  j->name, j->line);
	if (!o)
		return report_why(j->why, j->why_len, -EINVAL, "%s:%u:%zu: not JSON: %s", j->name,
				  j->line, json_tokener_get_parse_end(tok) + 1,
				  json_tokener_error_desc(e));
	end = json_tokener_get_parse_end(tok);
	if (!blank(p + end, p + len)) {
		json_object_put(o);
		return report_why(j->why, j->why_len, -EINVAL,
				  "%s:%u:%zu: text after the JSON object; " JSONL_HINT
				  ", one object a line",
				  j->name, j->line, end + 1);
	}
	*ret = o;
	return 0;
}

static int jsonl_line(struct jsonl *j, struct json_tokener *tok, const char *p, size_t len)
{
	struct json_object *o = NULL, *ev;
	int r;

	if (blank(p, p + len))
		return 0;
	if (len > INT32_MAX)
		return report_why(j->why, j->why_len, -EINVAL, "%s:%u: the line is too long",
				  j->name, j->line);
	r = jsonl_parse(j, tok, p, len, &o);
	if (r)
		return r;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "event", &ev) ||
	    !json_object_is_type(ev, json_type_string))
		r = report_why(
		    j->why, j->why_len, -EINVAL,
		    "%s:%u: a JSON object that is not an event (no \"event\" string); " JSONL_HINT,
		    j->name, j->line);
	else if (!strcmp(json_object_get_string(ev), "command"))
		r = jsonl_command(j, o);
	json_object_put(o);
	return r;
}

/* Whether the text has nothing but blanks and newlines. */
static bool blank_text(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\n' && !blank(text + i, text + i + 1))
			return false;
	return true;
}

static int jsonl_read(struct jsonl *j, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct json_tokener *tok = json_tokener_new();
	int r = 0;

	if (!tok)
		return -ENOMEM;
	while (!r && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		j->line++;
		r = jsonl_line(j, tok, p, (size_t)(e - p));
		p = nl ? nl + 1 : end;
	}
	json_tokener_free(tok);
	return r;
}

int report_series_read_jsonl(const char *text, size_t len, const char *name,
			     struct report_series **ret, char *why, size_t why_len)
{
	struct jsonl j = { name, 0, NULL, NULL, why, why_len };
	int r;

	r = report_series_create(&j.s);
	if (r)
		return r;
	j.vms = malloc(REPORT_MAX_VMS * sizeof(*j.vms));
	r = j.vms ? jsonl_read(&j, text, len) : -ENOMEM;
	free(j.vms);
	if (!r && !j.s->nr && blank_text(text, len))
		r = report_why(why, why_len, -EINVAL, "%s: empty; " JSONL_HINT, name);
	else if (!r && !j.s->nr)
		r = report_why(why, why_len, -EINVAL,
			       "%s: no command event carries EPC usage (\"epc\"); " JSONL_HINT
			       " with a host powered on",
			       name);
	if (r == -ENOMEM)
		report_why(why, why_len, r, "%s: out of memory", name);
	if (r) {
		report_series_free(j.s);
		return r;
	}
	*ret = j.s;
	return 0;
}
