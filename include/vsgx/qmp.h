/* SPDX-License-Identifier: MIT */
/*
 * QMP, QEMU's machine protocol, as a module a program can link: a session
 * (the greeting, capabilities negotiation, framing of JSON objects in a byte
 * stream, dispatch to a table of commands, QEMU's error classes, events with
 * their timestamp) and a server of such sessions on a UNIX socket.
 *
 * A session knows nothing of where its bytes come from: the caller feeds it
 * input and it writes its answers through a callback, so it can be driven
 * from a socket, a pipe or a test.
 */
#ifndef VSGX_QMP_H
#define VSGX_QMP_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct qmp_session;
struct qmp_server;

/* QEMU's error classes that vsgx answers with. */
enum qmp_error_class {
	QMP_ERROR_GENERIC,	     /* "GenericError" */
	QMP_ERROR_COMMAND_NOT_FOUND, /* "CommandNotFound" */
	QMP_ERROR_MAX,
};

/*
 * A command: (fn) is called with the "arguments" object (never NULL: {} when
 * absent) and sets *ret to its answer (NULL stands for {}), or returns
 * -errno with the error's description written into (desc).
 */
struct qmp_command {
	const char *name;
	int (*fn)(void *arg, struct json_object *args, struct json_object **ret, char *desc,
		  size_t desc_len);
};

struct qmp_config {
	/* The version the greeting names (QEMU's {"qemu": {major, minor, micro}, "package"}). */
	int major, minor, micro;
	const char *package;
	/* The commands beyond qmp_capabilities, ended by a NULL name. */
	const struct qmp_command *commands;
	void *arg; /* what each command's function is called with */
	/* Write (len) bytes to the peer of a session; -errno ends the session. */
	int (*write)(void *peer, const char *buf, size_t len);
};

/* The longest input a session buffers for one JSON object (QEMU's limit is 64 MiB). */
#define QMP_INPUT_MAX (1u << 20)

/*
 * Start a session with (peer), what the write callback writes to: write the
 * greeting. The commands of (cfg) run only after qmp_capabilities, as in
 * QEMU. Return: 0, -ENOMEM, or the write callback's -errno.
 */
int qmp_session_create(const struct qmp_config *cfg, void *peer, struct qmp_session **ret);
void qmp_session_free(struct qmp_session *s);

/*
 * Feed (len) bytes from the peer. Each whole JSON object in them is run as
 * a command and answered; bad JSON is answered with a GenericError and the
 * rest of its line is dropped. A part of an object waits for the next call.
 * Return: 0, or the write callback's -errno (the session should end).
 */
int qmp_session_input(struct qmp_session *s, const char *buf, size_t len);

/* Whether qmp_capabilities has run: events go only to such sessions. */
bool qmp_session_ready(const struct qmp_session *s);

/*
 * Send the event (name) with (data) (NULL: none; a reference is taken, not
 * consumed) and the time now, if the session is ready.
 * Return: 0 or the write callback's -errno.
 */
int qmp_session_event(struct qmp_session *s, const char *name, struct json_object *data);

/* {"error": {"class": ..., "desc": ...}}, as QEMU answers a failed command. */
struct json_object *qmp_error_new(enum qmp_error_class cls, const char *desc);

/*
 * For a command's function: refuse a member of (args) not in (names)
 * (NULL-terminated) with QEMU's "Parameter 'x' is unexpected" in (desc).
 * Return: 0 or -EINVAL.
 */
int qmp_args_check(struct json_object *args, const char *const *names, char *desc, size_t desc_len);

/*
 * Listen on the UNIX socket (path), replacing a stale socket file; each
 * client that connects gets a session with (cfg)'s commands. (cfg) must
 * outlive the server; its write callback is the server's own.
 * Return: 0, -ENAMETOOLONG, -ENOMEM or the socket's -errno.
 */
int qmp_server_open(const char *path, const struct qmp_config *cfg, struct qmp_server **ret);

/*
 * Serve clients until qmp_server_stop(): meant for a thread of its own.
 * Commands run on this thread, one at a time. Return: 0 or -errno of poll().
 */
int qmp_server_run(struct qmp_server *srv);

/* Make qmp_server_run() return; safe from any thread. */
void qmp_server_stop(struct qmp_server *srv);

/*
 * Send an event to every ready client; safe from any thread, and from a
 * command's function (the event goes out before the command's answer).
 */
void qmp_server_event(struct qmp_server *srv, const char *name, struct json_object *data);

/* Close every client and the socket, and remove its file; (srv) may be NULL. */
void qmp_server_close(struct qmp_server *srv);

#endif /* VSGX_QMP_H */
