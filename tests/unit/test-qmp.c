/* SPDX-License-Identifier: MIT */
/* The QMP session: greeting, negotiation, framing, dispatch, errors and events. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vsgx/qmp.h"

struct peer {
	char out[8192];
	size_t len;
};

static int peer_write(void *arg, const char *buf, size_t len)
{
	struct peer *p = arg;

	if (p->len + len >= sizeof(p->out))
		return -ENOSPC;
	memcpy(p->out + p->len, buf, len);
	p->len += len;
	p->out[p->len] = '\0';
	return 0;
}

static int echo_fn(void *arg, struct json_object *args, struct json_object **ret, char *desc,
		   size_t len)
{
	(void)arg;
	if (qmp_args_check(args, (const char *const[]){ "x", NULL }, desc, len))
		return -EINVAL;
	*ret = json_object_get(args);
	return 0;
}

static int fail_fn(void *arg, struct json_object *args, struct json_object **ret, char *desc,
		   size_t len)
{
	(void)arg, (void)args, (void)ret;
	snprintf(desc, len, "it failed");
	return -EIO;
}

static const struct qmp_command cmds[] = {
	{ "echo", echo_fn },
	{ "fail", fail_fn },
	{ NULL, NULL },
};

static const struct qmp_config cfg = { 0, 1, 2, "vsgx-test", cmds, NULL, peer_write };

struct fixture {
	struct peer peer;
	struct qmp_session *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || qmp_session_create(&cfg, &f->peer, &f->s))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	qmp_session_free(f->s);
	free(f);
	return 0;
}

/* Feed (in) and expect exactly (want) back; the output is then forgotten. */
static void expect_io(struct fixture *f, const char *in, const char *want)
{
	f->peer.len = 0;
	f->peer.out[0] = '\0';
	assert_int_equal(qmp_session_input(f->s, in, strlen(in)), 0);
	assert_string_equal(f->peer.out, want);
}

static void negotiate(struct fixture *f)
{
	expect_io(f, "{\"execute\": \"qmp_capabilities\"}\n", "{ \"return\": { } }\r\n");
}

static void test_greeting(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->peer.out,
			    "{ \"QMP\": { \"version\": { \"qemu\": { \"micro\": 2, \"minor\": 1, "
			    "\"major\": 0 }, \"package\": \"vsgx-test\" }, \"capabilities\": [ ] "
			    "} }\r\n");
	assert_false(qmp_session_ready(f->s));
}

static void test_before_capabilities(void **state)
{
	struct fixture *f = *state;

	expect_io(f, "{\"execute\": \"echo\"}",
		  "{ \"error\": { \"class\": \"CommandNotFound\", \"desc\": \"Expecting "
		  "capabilities negotiation with 'qmp_capabilities'\" } }\r\n");
	negotiate(f);
	assert_true(qmp_session_ready(f->s));
	expect_io(f, "{\"execute\": \"qmp_capabilities\"}",
		  "{ \"error\": { \"class\": \"CommandNotFound\", \"desc\": \"Capabilities "
		  "negotiation is already complete, command ignored\" } }\r\n");
}

static void test_dispatch(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	expect_io(f, "{\"execute\": \"echo\", \"arguments\": {\"x\": 1}, \"id\": \"a\"}",
		  "{ \"return\": { \"x\": 1 }, \"id\": \"a\" }\r\n");
	expect_io(f, "{\"execute\": \"echo\"}", "{ \"return\": { } }\r\n");
	expect_io(f, "{\"execute\": \"fail\", \"id\": 7}",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"it failed\" }, "
		  "\"id\": 7 }\r\n");
	expect_io(f, "{\"execute\": \"echo\", \"arguments\": {\"y\": 1}}",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"Parameter 'y' is "
		  "unexpected\" } }\r\n");
}

static void test_unknown_command(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	expect_io(f, "{\"execute\": \"frob\"}",
		  "{ \"error\": { \"class\": \"CommandNotFound\", \"desc\": \"The command frob "
		  "has not been found\" } }\r\n");
}

static void test_bad_requests(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	expect_io(f, "[1]",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"QMP input "
		  "must be a JSON object\" } }\r\n");
	expect_io(f, "{\"arguments\": {}}",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"QMP input lacks member "
		  "'execute'\" } }\r\n");
	expect_io(f, "{\"execute\": 1}",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"QMP input member "
		  "'execute' must be a string\" } }\r\n");
	expect_io(f, "{\"execute\": \"echo\", \"arguments\": []}",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"QMP input member "
		  "'arguments' must be an object\" } }\r\n");
	expect_io(f, "{\"execute\": \"echo\", \"foo\": 1}",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"QMP input member "
		  "'foo' is unexpected\" } }\r\n");
}

/* Bad JSON gets an error; the rest of its line is dropped; the next line runs. */
static void test_bad_json(void **state)
{
	struct fixture *f = *state;

	negotiate(f);
	f->peer.len = 0;
	expect_io(f, "{\"execute\": nope, \"x\": {\n{\"execute\": \"echo\"}\n",
		  "{ \"error\": { \"class\": \"GenericError\", \"desc\": \"JSON parse error, "
		  "null expected\" } }\r\n{ \"return\": { } }\r\n");
}

/* Objects split across reads, and several in one read. */
static void test_framing(void **state)
{
	struct fixture *f = *state;
	const char *req = "{\"execute\": \"qmp_capabilities\"}";

	for (size_t i = 0; i < strlen(req) - 1; i++)
		expect_io(f, (char[]){ req[i], '\0' }, "");
	expect_io(f, "}", "{ \"return\": { } }\r\n");
	expect_io(f, " \r\n{\"execute\":\"echo\",\"id\":1}{\"execute\":\"echo\",\"id\":2}\n",
		  "{ \"return\": { }, \"id\": 1 }\r\n{ \"return\": { }, \"id\": 2 }\r\n");
}

static void test_events(void **state)
{
	struct fixture *f = *state;
	struct json_object *data = json_object_new_object(), *ev, *v;

	f->peer.len = 0;
	assert_int_equal(qmp_session_event(f->s, "STOP", NULL), 0);
	assert_int_equal(f->peer.len, 0); /* not before negotiation */
	negotiate(f);
	json_object_object_add(data, "vm", json_object_new_string("a"));
	f->peer.len = 0;
	assert_int_equal(qmp_session_event(f->s, "RESET", data), 0);
	json_object_put(data);
	ev = json_tokener_parse(f->peer.out);
	assert_non_null(ev);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "event")), "RESET");
	v = json_object_object_get(ev, "timestamp");
	assert_true(json_object_get_int64(json_object_object_get(v, "seconds")) > 0);
	assert_true(json_object_object_get_ex(v, "microseconds", NULL));
	v = json_object_object_get(ev, "data");
	assert_string_equal(json_object_get_string(json_object_object_get(v, "vm")), "a");
	json_object_put(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_before_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
