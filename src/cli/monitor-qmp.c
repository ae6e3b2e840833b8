/* SPDX-License-Identifier: MIT */
/*
 * QMP for the monitor: the commands a QEMU client expects (query-sgx,
 * query-sgx-capabilities, query-memory-devices, query-status, system_reset,
 * stop, cont, system_wakeup, quit), answered from the monitor's VMs, and
 * QEMU's events (RESET, STOP, RESUME, SUSPEND, WAKEUP, SHUTDOWN) for what
 * any command did, typed at the prompt or sent over QMP. QEMU has one VM
 * per QMP socket; the monitor may have several: a VM is named by the
 * argument "vm", which may be left out when there is only one.
 */
#include "monitor-qmp.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "monitor-int.h"
#include "vsgx/qmp.h"

/* What QMP events are computed from: each VM's state and resets. */
struct qmp_seen {
	const struct vmm_vm *vm;
	enum vmm_vm_state state;
	uint64_t resets;
};

struct monitor_qmp {
	struct monitor *mon;
	struct qmp_config cfg;
	struct qmp_server *srv;
	pthread_t thread, main;
	pthread_mutex_t lock;  /* the monitor's state */
	struct qmp_seen *seen; /* each VM as the last look saw it */
	unsigned int nr_seen;
	unsigned int lines; /* QMP commands run as monitor lines */
	atomic_bool quit;   /* quit came over QMP */
	atomic_bool main_done;
};

/* ---------------------------------------------------------------------- */
/* Events                                                                 */
/* ---------------------------------------------------------------------- */

static void event_send(struct monitor_qmp *q, const char *name, const char *vm, const char *reason,
		       bool guest)
{
	struct json_object *data = json_object_new_object();

	if (reason) {
		json_object_object_add(data, "guest", json_object_new_boolean(guest));
		json_object_object_add(data, "reason", json_object_new_string(reason));
	}
	if (vm)
		json_object_object_add(data, "vm", json_object_new_string(vm));
	qmp_server_event(q->srv, name, data);
	json_object_put(data);
}

static const char *event_of_change(enum vmm_vm_state from, enum vmm_vm_state to)
{
	if (from == to)
		return NULL;
	if (to == VMM_VM_PAUSED)
		return "STOP";
	if (to == VMM_VM_SUSPENDED)
		return "SUSPEND";
	if (to == VMM_VM_OFF)
		return "SHUTDOWN";
	if (to == VMM_VM_RUNNING)
		return from == VMM_VM_SUSPENDED ? "WAKEUP" : "RESUME";
	return NULL;
}

/*
 * Locked: note each VM's state and resets, and what changed since the
 * last look into (ev), at most two events per VM.
 */
struct qmp_event {
	const char *name;
	char vm[64];
};

static unsigned int events_collect_locked(struct monitor_qmp *q, struct qmp_event *ev)
{
	struct monitor *mon = q->mon;
	struct qmp_seen *next = calloc(mon->nr_vms ? mon->nr_vms : 1, sizeof(*next));
	unsigned int n = 0;

	/* Without memory for the new look, keep the old one: the events come next time. */
	if (!next)
		return 0;
	for (unsigned int i = 0; i < mon->nr_vms; i++) {
		struct vmm_vm *vm = mon->vms[i].vm;
		struct qmp_seen now = { vm, vmm_vm_state(vm), 0 };
		struct vmm_vm_stats st;

		vmm_vm_stats(vm, &st);
		now.resets = st.resets;
		/* A VM stays where it was unless one before it was destroyed: look there first. */
		for (unsigned int k = 0; k < q->nr_seen; k++) {
			const struct qmp_seen *was = &q->seen[(i + k) % q->nr_seen];
			const char *name = event_of_change(was->state, now.state);

			if (was->vm != vm)
				continue;
			/* A sleep removes the EPC as a reset does, but is no reset. */
			if (now.resets > was->resets &&
			    (now.state == VMM_VM_RUNNING || now.state == VMM_VM_PAUSED)) {
				ev[n].name = "RESET";
				snprintf(ev[n++].vm, sizeof(ev->vm), "%s", vmm_vm_name(vm));
			}
			if (name) {
				ev[n].name = name;
				snprintf(ev[n++].vm, sizeof(ev->vm), "%s", vmm_vm_name(vm));
			}
			break;
		}
		next[i] = now;
	}
	free(q->seen);
	q->seen = next;
	q->nr_seen = mon->nr_vms;
	return n;
}

static void events_send(struct monitor_qmp *q, const struct qmp_event *ev, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!strcmp(ev[i].name, "RESET"))
			event_send(q, "RESET", ev[i].vm, "host-qmp-system-reset", false);
		else if (!strcmp(ev[i].name, "SHUTDOWN"))
			event_send(q, "SHUTDOWN", ev[i].vm, "guest-shutdown", true);
		else
			event_send(q, ev[i].name, ev[i].vm, NULL, false);
	}
}

static void qmp_lock(struct monitor_qmp *q)
{
	pthread_mutex_lock(&q->lock);
}

/* Unlock, then send the events of what was done: the server's lock is never taken under ours. */
static void qmp_unlock(struct monitor_qmp *q)
{
	struct qmp_event *ev = calloc(2 * (size_t)q->mon->nr_vms + 1, sizeof(*ev));
	unsigned int n = ev ? events_collect_locked(q, ev) : 0;

	pthread_mutex_unlock(&q->lock);
	events_send(q, ev, n);
	free(ev);
}

/* ---------------------------------------------------------------------- */
/* Commands                                                               */
/* ---------------------------------------------------------------------- */

static const char *const vm_arg[] = { "vm", NULL };

/* Locked: the VM "vm" names, or the only one. */
static struct mon_vm *cmd_vm_locked(struct monitor *mon, struct json_object *args, char *desc,
				    size_t len)
{
	struct json_object *name;
	struct mon_vm *v;

	if (qmp_args_check(args, vm_arg, desc, len))
		return NULL;
	if (!json_object_object_get_ex(args, "vm", &name)) {
		if (mon->nr_vms == 1)
			return &mon->vms[0];
		snprintf(desc, len, "Parameter 'vm' is missing: there %s",
			 mon->nr_vms ? "are several VMs" : "is no VM");
		return NULL;
	}
	if (!json_object_is_type(name, json_type_string)) {
		snprintf(desc, len, "Invalid parameter type for 'vm', expected: string");
		return NULL;
	}
	v = mon_vm_find(mon, json_object_get_string(name));
	if (!v)
		snprintf(desc, len, "no VM named '%s'", json_object_get_string(name));
	return v;
}

static int cmd_query_sgx(void *arg, struct json_object *args, struct json_object **ret, char *desc,
			 size_t len)
{
	struct monitor_qmp *q = arg;
	struct mon_vm *v;
	int r = -EINVAL;

	qmp_lock(q);
	v = cmd_vm_locked(q->mon, args, desc, len);
	if (v)
		r = mon_qmp_sgx(v, ret, desc, len);
	qmp_unlock(q);
	return r;
}

static int cmd_query_sgx_capabilities(void *arg, struct json_object *args, struct json_object **ret,
				      char *desc, size_t len)
{
	struct monitor_qmp *q = arg;
	int r = qmp_args_check(args, (const char *const[]){ NULL }, desc, len);

	if (r)
		return r;
	qmp_lock(q);
	r = mon_machine(q->mon);
	if (r)
		snprintf(desc, len, "%s", q->mon->msg);
	else
		r = mon_qmp_sgx_capabilities(q->mon, ret, desc, len);
	qmp_unlock(q);
	return r;
}

/* {"type": "sgx-epc", "data": {memaddr, size, node, memdev}}, per section. */
static struct json_object *epc_devices(const struct vmm_vm *vm)
{
	const struct vm_layout *l = vmm_vm_layout(vm);
	const struct vm_config *c = vmm_vm_config(vm);
	struct json_object *list = json_object_new_array();

	for (unsigned int i = 0; i < l->nr_sections; i++) {
		struct json_object *d = json_object_new_object(), *o = json_object_new_object();
		char memdev[VM_ID_MAX + 16];

		snprintf(memdev, sizeof(memdev), "/objects/%s", c->sections[i].memdev);
		json_object_object_add(d, "memaddr",
				       json_object_new_int64((int64_t)l->sections[i].base));
		json_object_object_add(d, "size",
				       json_object_new_int64((int64_t)l->sections[i].size));
		json_object_object_add(d, "node", json_object_new_int64(l->sections[i].node));
		json_object_object_add(d, "memdev", json_object_new_string(memdev));
		json_object_object_add(o, "type", json_object_new_string("sgx-epc"));
		json_object_object_add(o, "data", d);
		json_object_array_add(list, o);
	}
	return list;
}

static int cmd_query_memory_devices(void *arg, struct json_object *args, struct json_object **ret,
				    char *desc, size_t len)
{
	struct monitor_qmp *q = arg;
	struct mon_vm *v;

	qmp_lock(q);
	v = cmd_vm_locked(q->mon, args, desc, len);
	if (v)
		*ret = epc_devices(v->vm);
	qmp_unlock(q);
	return v ? 0 : -EINVAL;
}

/* QEMU's RunState names. */
static const char *run_state(enum vmm_vm_state st)
{
	switch (st) {
	case VMM_VM_RUNNING:
		return "running";
	case VMM_VM_PAUSED:
		return "paused";
	case VMM_VM_SUSPENDED:
		return "suspended";
	case VMM_VM_OFF:
		return "shutdown";
	default:
		return "internal-error";
	}
}

static int cmd_query_status(void *arg, struct json_object *args, struct json_object **ret,
			    char *desc, size_t len)
{
	struct monitor_qmp *q = arg;
	struct mon_vm *v;

	qmp_lock(q);
	v = cmd_vm_locked(q->mon, args, desc, len);
	if (v) {
		enum vmm_vm_state st = vmm_vm_state(v->vm);

		*ret = json_object_new_object();
		json_object_object_add(*ret, "running",
				       json_object_new_boolean(st == VMM_VM_RUNNING));
		json_object_object_add(*ret, "status", json_object_new_string(run_state(st)));
	}
	qmp_unlock(q);
	return v ? 0 : -EINVAL;
}

/*
 * A command that acts: run as the monitor's own line ("vm reset NAME"), so
 * it is printed and counted as one typed at the prompt would be.
 */
static int cmd_as_line(struct monitor_qmp *q, struct json_object *args, const char *verb,
		       char *desc, size_t len)
{
	char text[MONITOR_LINE_MAX];
	struct mon_vm *v;
	int r = -EINVAL;

	qmp_lock(q);
	v = cmd_vm_locked(q->mon, args, desc, len);
	if (v) {
		snprintf(text, sizeof(text), "vm %s %s", verb, vmm_vm_name(v->vm));
		r = monitor_line(q->mon, "<qmp>", ++q->lines, text) ? -EINVAL : 0;
		if (r)
			snprintf(desc, len, "%s", q->mon->msg);
	}
	qmp_unlock(q);
	return r;
}

static int cmd_system_reset(void *arg, struct json_object *args, struct json_object **ret,
			    char *desc, size_t len)
{
	(void)ret;
	return cmd_as_line(arg, args, "reset", desc, len);
}

static int cmd_stop(void *arg, struct json_object *args, struct json_object **ret, char *desc,
		    size_t len)
{
	(void)ret;
	return cmd_as_line(arg, args, "pause", desc, len);
}

static int cmd_cont(void *arg, struct json_object *args, struct json_object **ret, char *desc,
		    size_t len)
{
	(void)ret;
	return cmd_as_line(arg, args, "resume", desc, len);
}

static int cmd_system_wakeup(void *arg, struct json_object *args, struct json_object **ret,
			     char *desc, size_t len)
{
	(void)ret;
	return cmd_as_line(arg, args, "wake", desc, len);
}

/* As QEMU: the answer, SHUTDOWN, and the end; the prompt is interrupted. */
static int cmd_quit(void *arg, struct json_object *args, struct json_object **ret, char *desc,
		    size_t len)
{
	struct monitor_qmp *q = arg;
	int r = qmp_args_check(args, (const char *const[]){ NULL }, desc, len);

	(void)ret;
	if (r)
		return r;
	qmp_lock(q);
	monitor_line(q->mon, "<qmp>", ++q->lines, "quit");
	qmp_unlock(q);
	atomic_store(&q->quit, true);
	event_send(q, "SHUTDOWN", NULL, "host-qmp-quit", false);
	qmp_server_stop(q->srv);
	return 0;
}

static const struct qmp_command commands[] = {
	{ "query-sgx", cmd_query_sgx },
	{ "query-sgx-capabilities", cmd_query_sgx_capabilities },
	{ "query-memory-devices", cmd_query_memory_devices },
	{ "query-status", cmd_query_status },
	{ "system_reset", cmd_system_reset },
	{ "stop", cmd_stop },
	{ "cont", cmd_cont },
	{ "system_wakeup", cmd_system_wakeup },
	{ "quit", cmd_quit },
	{ NULL, NULL },
};

/* ---------------------------------------------------------------------- */
/* The thread                                                             */
/* ---------------------------------------------------------------------- */

static void on_wake(int sig)
{
	(void)sig;
}

/*
 * Serve until quit; then interrupt the prompt's read until the main thread
 * is done with it (libedit retries a read interrupted once).
 */
static void *qmp_thread(void *arg)
{
	struct monitor_qmp *q = arg;

	qmp_server_run(q->srv);
	while (!atomic_load(&q->main_done)) {
		pthread_kill(q->main, SIGUSR1);
		usleep(20000);
	}
	return NULL;
}

int monitor_qmp_start(struct monitor *mon, const char *spec, struct monitor_qmp **ret)
{
	struct sigaction sa = { .sa_handler = on_wake }; /* no SA_RESTART: reads end */
	struct monitor_qmp *q;
	int r;

	if (strncmp(spec, "unix:", 5) || !spec[5]) {
		cli_error("--qmp %s: expected unix:PATH (a UNIX socket)", spec);
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->mon = mon;
	q->cfg = (struct qmp_config){ 0, 1, 0, "vsgx", commands, q, NULL };
	q->main = pthread_self();
	pthread_mutex_init(&q->lock, NULL);
	r = qmp_server_open(spec + 5, &q->cfg, &q->srv);
	if (r) {
		cli_error("--qmp %s: %s", spec, strerror(-r));
		goto err_free;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	r = -pthread_create(&q->thread, NULL, qmp_thread, q);
	if (r)
		goto err_srv;
	*ret = q;
	return 0;
err_srv:
	qmp_server_close(q->srv);
err_free:
	pthread_mutex_destroy(&q->lock);
	free(q);
	return r;
}

int monitor_qmp_line(struct monitor_qmp *q, struct monitor *mon, const char *name,
		     unsigned int line, const char *text)
{
	int r;

	if (!q)
		return monitor_line(mon, name, line, text);
	qmp_lock(q);
	r = monitor_line(mon, name, line, text);
	qmp_unlock(q);
	return r;
}

bool monitor_qmp_has_quit(struct monitor_qmp *q, struct monitor *mon)
{
	bool quit;

	if (!q)
		return monitor_has_quit(mon);
	pthread_mutex_lock(&q->lock);
	quit = monitor_has_quit(mon);
	pthread_mutex_unlock(&q->lock);
	return quit;
}

void monitor_qmp_stop(struct monitor_qmp *q, bool wait)
{
	if (!q)
		return;
	atomic_store(&q->main_done, true);
	if (!wait || monitor_qmp_has_quit(q, q->mon))
		qmp_server_stop(q->srv);
	else
		cli_error("standard input ended: QMP is served until a client sends quit");
	pthread_join(q->thread, NULL);
	qmp_server_close(q->srv);
	pthread_mutex_destroy(&q->lock);
	free(q->seen);
	free(q);
}
