/* SPDX-License-Identifier: MIT */
/*
 * QEMU's JSON option syntax (-object '{"qom-type":...}'), which libvirt
 * generates, turned into the KEY=VALUE syntax the rest of the reader takes.
 * json-c parses; nothing here knows what the keys mean.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "config-qemu-int.h"

struct json_out {
	char *buf;
	size_t len, n;
	char *err;
	size_t err_len;
};

static int json_fail(struct json_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int json_fail(struct json_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->err, o->err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int json_put(struct json_out *o, const char *key, const char *val)
{
	int n;

	/* QEMU's KEY=VALUE syntax doubles a ',' in a value; vsgx reads none. */
	if (strchr(val, ','))
		return json_fail(o, "the value of \"%s\" has a ',', which vsgx does not read", key);
	n = snprintf(o->buf + o->n, o->len - o->n, "%s%s=%s", o->n ? "," : "", key, val);
	if (n < 0 || (size_t)n >= o->len - o->n)
		return json_fail(o, "the JSON object is longer than %s characters", "1023");
	o->n += (size_t)n;
	return 0;
}

static int json_scalar(struct json_out *o, const char *key, struct json_object *v)
{
	char num[32];

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_put(o, key, json_object_get_boolean(v) ? "on" : "off");
	case json_type_int:
		snprintf(num, sizeof(num), "%" PRId64, json_object_get_int64(v));
		if (json_object_get_int64(v) == INT64_MAX)
			snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(v));
		return json_put(o, key, num);
	case json_type_string:
		return json_put(o, key, json_object_get_string(v));
	default:
		return json_fail(o, "the value of \"%s\" is not a string, number or boolean", key);
	}
}

static int json_value(struct json_out *o, const char *key, struct json_object *v)
{
	int r = 0;

	if (json_object_get_type(v) != json_type_array)
		return json_scalar(o, key, v);
	for (size_t i = 0; !r && i < json_object_array_length(v); i++)
		r = json_scalar(o, key, json_object_array_get_idx(v, i));
	return r;
}

static int json_members(struct json_out *o, struct json_object *obj, const char *type_key)
{
	struct json_object *type;
	int r;

	if (!json_object_object_get_ex(obj, type_key, &type) ||
	    json_object_get_type(type) != json_type_string)
		return json_fail(o, "\"%s\" is missing; start with the type", type_key);
	r = json_put(o, type_key, json_object_get_string(type));
	/* The type goes first and bare, as in "memory-backend-epc,id=...". */
	if (!r)
		memmove(o->buf, o->buf + strlen(type_key) + 1, strlen(o->buf) - strlen(type_key));
	o->n = strlen(o->buf);
	json_object_object_foreach(obj, key, val)
	{
		if (!r && strcmp(key, type_key))
			r = json_value(o, key, val);
	}
	return r;
}

int qemu_json_to_opts(const char *json, const char *type_key, char *buf, size_t len, char *err,
		      size_t err_len)
{
	struct json_out o = { .buf = buf, .len = len, .err = err, .err_len = err_len };
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	int r;

	if (!tok)
		return json_fail(&o, "%s", "out of memory");
	buf[0] = '\0';
	obj = json_tokener_parse_ex(tok, json, (int)strlen(json));
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != strlen(json)) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		snprintf(err, err_len,
			 "JSON does not parse at character %zu (%s); check its quotes, braces and "
			 "commas",
			 json_tokener_get_parse_end(tok) + 1,
			 obj			      ? "text after the object"
			 : e == json_tokener_continue ? "it ends before its closing '}'"
						      : json_tokener_error_desc(e));
		json_object_put(obj);
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	if (json_object_get_type(obj) != json_type_object)
		r = json_fail(&o, "%s", "the JSON is not an object {...}");
	else
		r = json_members(&o, obj, type_key);
	json_object_put(obj);
	return r;
}
