/* SPDX-License-Identifier: MIT */
/*
 * A QMP session: QEMU's greeting, capabilities negotiation, JSON objects
 * framed out of a byte stream (json-c's incremental tokener), commands
 * dispatched from a table, and answers and errors worded as QEMU words them
 * (qapi/qmp-dispatch.c, monitor/qmp.c).
 */
#include "vsgx/qmp.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define DESC_MAX 512

struct qmp_session {
	const struct qmp_config *cfg;
	void *peer;
	struct json_tokener *tok;
	size_t pending; /* bytes of the object being read */
	bool skip_line; /* bad JSON: drop input up to the next newline */
	bool ready;	/* qmp_capabilities ran */
};

static const char *const class_names[QMP_ERROR_MAX] = {
	[QMP_ERROR_GENERIC] = "GenericError",
	[QMP_ERROR_COMMAND_NOT_FOUND] = "CommandNotFound",
};

struct json_object *qmp_error_new(enum qmp_error_class cls, const char *desc)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(class_names[cls]));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(o, "error", e);
	return o;
}

int qmp_args_check(struct json_object *args, const char *const *names, char *desc, size_t desc_len)
{
	json_object_object_foreach(args, key, val)
	{
		size_t i = 0;

		(void)val;
		while (names[i] && strcmp(names[i], key))
			i++;
		if (!names[i]) {
			snprintf(desc, desc_len, "Parameter '%s' is unexpected", key);
			return -EINVAL;
		}
	}
	return 0;
}

/* Write (o) as one line and drop it. */
static int session_send(struct qmp_session *s, struct json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED);
	size_t len = strlen(text);
	char *line = malloc(len + 2);
	int r = -ENOMEM;

	if (line) {
		memcpy(line, text, len);
		memcpy(line + len, "\r\n", 2);
		r = s->cfg->write(s->peer, line, len + 2);
		free(line);
	}
	json_object_put(o);
	return r;
}

/* {"QMP": {"version": {"qemu": {"micro", "minor", "major"}, "package"}, "capabilities": []}} */
static struct json_object *greeting_new(const struct qmp_config *cfg)
{
	struct json_object *o = json_object_new_object(), *q = json_object_new_object();
	struct json_object *v = json_object_new_object(), *n = json_object_new_object();

	json_object_object_add(n, "micro", json_object_new_int(cfg->micro));
	json_object_object_add(n, "minor", json_object_new_int(cfg->minor));
	json_object_object_add(n, "major", json_object_new_int(cfg->major));
	json_object_object_add(v, "qemu", n);
	json_object_object_add(v, "package", json_object_new_string(cfg->package));
	json_object_object_add(q, "version", v);
	json_object_object_add(q, "capabilities", json_object_new_array());
	json_object_object_add(o, "QMP", q);
	return o;
}

int qmp_session_create(const struct qmp_config *cfg, void *peer, struct qmp_session **ret)
{
	struct qmp_session *s = calloc(1, sizeof(*s));
	int r = -ENOMEM;

	if (!s)
		return -ENOMEM;
	s->cfg = cfg;
	s->peer = peer;
	s->tok = json_tokener_new();
	if (!s->tok)
		goto err_free;
	json_tokener_set_flags(s->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	r = session_send(s, greeting_new(cfg));
	if (r)
		goto err_tok;
	*ret = s;
	return 0;
err_tok:
	json_tokener_free(s->tok);
err_free:
	free(s);
	return r;
}

void qmp_session_free(struct qmp_session *s)
{
	if (!s)
		return;
	json_tokener_free(s->tok);
	free(s);
}

bool qmp_session_ready(const struct qmp_session *s)
{
	return s->ready;
}

int qmp_session_event(struct qmp_session *s, const char *name, struct json_object *data)
{
	struct json_object *o, *ts;
	struct timeval tv;

	if (!s->ready)
		return 0;
	gettimeofday(&tv, NULL);
	o = json_object_new_object();
	ts = json_object_new_object();
	json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(tv.tv_usec));
	json_object_object_add(o, "timestamp", ts);
	json_object_object_add(o, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(o, "data", json_object_get(data));
	return session_send(s, o);
}

/* ---------------------------------------------------------------------- */
/* Dispatch                                                               */
/* ---------------------------------------------------------------------- */

static const struct qmp_command *command_find(const struct qmp_session *s, const char *name)
{
	for (const struct qmp_command *c = s->cfg->commands; c && c->name; c++) {
		if (!strcmp(c->name, name))
			return c;
	}
	return NULL;
}

/*
 * The envelope QEMU takes: {"execute": NAME, "arguments": {...}, "id": ANY}.
 * Return: 0, or -EINVAL with QEMU's wording in (desc).
 */
static int request_check(struct json_object *req, char *desc, size_t len)
{
	struct json_object *v;

	if (!json_object_is_type(req, json_type_object))
		return snprintf(desc, len, "QMP input must be a JSON object"), -EINVAL;
	json_object_object_foreach(req, key, val)
	{
		(void)val;
		if (strcmp(key, "execute") && strcmp(key, "arguments") && strcmp(key, "id"))
			return snprintf(desc, len, "QMP input member '%s' is unexpected", key),
			       -EINVAL;
	}
	if (!json_object_object_get_ex(req, "execute", &v))
		return snprintf(desc, len, "QMP input lacks member 'execute'"), -EINVAL;
	if (!json_object_is_type(v, json_type_string))
		return snprintf(desc, len, "QMP input member 'execute' must be a string"), -EINVAL;
	if (json_object_object_get_ex(req, "arguments", &v) &&
	    !json_object_is_type(v, json_type_object))
		return snprintf(desc, len, "QMP input member 'arguments' must be an object"),
		       -EINVAL;
	return 0;
}

static struct json_object *capabilities_run(struct qmp_session *s, struct json_object *args)
{
	char desc[DESC_MAX];

	if (s->ready)
		return qmp_error_new(QMP_ERROR_COMMAND_NOT_FOUND,
				     "Capabilities negotiation is already complete, command "
				     "ignored");
	/* "enable": [] is all there is to enable: vsgx offers no capability. */
	if (qmp_args_check(args, (const char *const[]){ "enable", NULL }, desc, sizeof(desc)))
		return qmp_error_new(QMP_ERROR_GENERIC, desc);
	s->ready = true;
	return NULL;
}

/* Run a checked request; NULL stands for {"return": {}}. */
static struct json_object *request_run(struct qmp_session *s, const char *name,
				       struct json_object *args)
{
	const struct qmp_command *c;
	struct json_object *ret = NULL, *o;
	char desc[DESC_MAX] = "";

	if (!strcmp(name, "qmp_capabilities"))
		return capabilities_run(s, args);
	if (!s->ready)
		return qmp_error_new(QMP_ERROR_COMMAND_NOT_FOUND,
				     "Expecting capabilities negotiation with 'qmp_capabilities'");
	c = command_find(s, name);
	if (!c) {
		snprintf(desc, sizeof(desc), "The command %s has not been found", name);
		return qmp_error_new(QMP_ERROR_COMMAND_NOT_FOUND, desc);
	}
	if (c->fn(s->cfg->arg, args, &ret, desc, sizeof(desc)))
		return qmp_error_new(QMP_ERROR_GENERIC, desc[0] ? desc : "failed");
	o = json_object_new_object();
	json_object_object_add(o, "return", ret ? ret : json_object_new_object());
	return o;
}

static int request_answer(struct qmp_session *s, struct json_object *req)
{
	struct json_object *args = NULL, *ans, *id = NULL, *empty = NULL;
	char desc[DESC_MAX];

	if (request_check(req, desc, sizeof(desc))) {
		ans = qmp_error_new(QMP_ERROR_GENERIC, desc);
	} else {
		if (!json_object_object_get_ex(req, "arguments", &args))
			args = empty = json_object_new_object();
		ans = request_run(s, json_object_get_string(json_object_object_get(req, "execute")),
				  args);
		json_object_put(empty);
		if (!ans) {
			ans = json_object_new_object();
			json_object_object_add(ans, "return", json_object_new_object());
		}
	}
	if (json_object_is_type(req, json_type_object) && json_object_object_get_ex(req, "id", &id))
		json_object_object_add(ans, "id", json_object_get(id));
	return session_send(s, ans);
}

/* ---------------------------------------------------------------------- */
/* Framing                                                                */
/* ---------------------------------------------------------------------- */

/* Bad JSON: answer, forget the object begun, drop the rest of its line. */
static int input_bad(struct qmp_session *s, enum json_tokener_error e)
{
	char desc[DESC_MAX];

	snprintf(desc, sizeof(desc), "JSON parse error, %s", json_tokener_error_desc(e));
	json_tokener_reset(s->tok);
	s->pending = 0;
	s->skip_line = true;
	return session_send(s, qmp_error_new(QMP_ERROR_GENERIC, desc));
}

/* Blanks between objects are not the start of one. */
static size_t blanks(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", buf[i]) && buf[i])
		i++;
	return i;
}

int qmp_session_input(struct qmp_session *s, const char *buf, size_t len)
{
	while (len) {
		struct json_object *req;
		enum json_tokener_error e;
		size_t used;
		int r = 0;

		if (s->skip_line) {
			const char *nl = memchr(buf, '\n', len);

			used = nl ? (size_t)(nl - buf) + 1 : len;
			s->skip_line = !nl;
			buf += used, len -= used;
			continue;
		}
		if (!s->pending) {
			used = blanks(buf, len);
			buf += used, len -= used;
			if (!len)
				break;
		}
		req = json_tokener_parse_ex(s->tok, buf, (int)(len > INT32_MAX ? INT32_MAX : len));
		e = json_tokener_get_error(s->tok);
		used = json_tokener_get_parse_end(s->tok);
		if (e == json_tokener_continue) {
			s->pending += used;
			if (s->pending > QMP_INPUT_MAX)
				return input_bad(s, json_tokener_error_size);
			break;
		}
		if (e != json_tokener_success) {
			r = input_bad(s, e);
		} else {
			s->pending = 0;
			json_tokener_reset(s->tok);
			r = request_answer(s, req);
			json_object_put(req);
		}
		if (r)
			return r;
		if (e != json_tokener_success)
			continue;
		buf += used, len -= used;
	}
	return 0;
}
