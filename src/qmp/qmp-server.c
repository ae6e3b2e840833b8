/* SPDX-License-Identifier: MIT */
/*
 * QMP sessions served on a UNIX socket, as QEMU's -qmp unix:PATH,server
 * does: any number of clients, each with its own greeting and negotiation,
 * served by one poll() loop; events go to every client that negotiated.
 */
#include "vsgx/qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define QMP_MAX_CLIENTS 16

struct qmp_client {
	int fd;
	struct qmp_session *s;
};

struct qmp_server {
	struct qmp_config cfg; /* the caller's, with the server's write */
	char *path;
	int fd;
	int stop[2]; /* a pipe: a byte in it ends qmp_server_run() */
	/* Recursive: a command's function may send an event while its client is served. */
	pthread_mutex_t lock;
	struct qmp_client *clients[QMP_MAX_CLIENTS]; /* each the peer of its session */
	unsigned int nr;
};

static int client_write(void *peer, const char *buf, size_t len)
{
	struct qmp_client *c = peer;

	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n, len -= (size_t)n;
	}
	return 0;
}

/* A socket at (path): a stale file there from an earlier run is replaced. */
static int server_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int qmp_server_open(const char *path, const struct qmp_config *cfg, struct qmp_server **ret)
{
	struct qmp_server *srv = calloc(1, sizeof(*srv));
	pthread_mutexattr_t attr;
	int r = -ENOMEM;

	if (!srv)
		return -ENOMEM;
	srv->cfg = *cfg;
	srv->cfg.write = client_write;
	srv->path = strdup(path);
	if (!srv->path)
		goto err_free;
	srv->fd = server_listen(path);
	if (srv->fd < 0) {
		r = srv->fd;
		goto err_path;
	}
	if (pipe2(srv->stop, O_CLOEXEC)) {
		r = -errno;
		goto err_fd;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&srv->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	*ret = srv;
	return 0;
err_fd:
	close(srv->fd);
	unlink(path);
err_path:
	free(srv->path);
err_free:
	free(srv);
	return r;
}

/* Locked: a new client, greeted; one too many is closed at once. */
static void server_accept_locked(struct qmp_server *srv)
{
	int fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC);
	struct qmp_client *c;

	if (fd < 0)
		return;
	c = srv->nr < QMP_MAX_CLIENTS ? malloc(sizeof(*c)) : NULL;
	if (!c)
		goto err_fd;
	c->fd = fd;
	if (qmp_session_create(&srv->cfg, c, &c->s))
		goto err_client;
	srv->clients[srv->nr++] = c;
	return;
err_client:
	free(c);
err_fd:
	close(fd);
}

static void client_drop_locked(struct qmp_server *srv, unsigned int i)
{
	qmp_session_free(srv->clients[i]->s);
	close(srv->clients[i]->fd);
	free(srv->clients[i]);
	srv->clients[i] = srv->clients[--srv->nr];
}

/* Locked: what client (i) sent; false when it is gone. */
static bool client_serve_locked(struct qmp_server *srv, unsigned int i)
{
	char buf[4096];
	ssize_t n = recv(srv->clients[i]->fd, buf, sizeof(buf), 0);

	if (n < 0 && errno == EINTR)
		return true;
	return n > 0 && !qmp_session_input(srv->clients[i]->s, buf, (size_t)n);
}

int qmp_server_run(struct qmp_server *srv)
{
	for (;;) {
		struct pollfd p[QMP_MAX_CLIENTS + 2];
		unsigned int nr;

		pthread_mutex_lock(&srv->lock);
		nr = srv->nr;
		for (unsigned int i = 0; i < nr; i++)
			p[i] = (struct pollfd){ .fd = srv->clients[i]->fd, .events = POLLIN };
		pthread_mutex_unlock(&srv->lock);
		p[nr] = (struct pollfd){ .fd = srv->fd, .events = POLLIN };
		p[nr + 1] = (struct pollfd){ .fd = srv->stop[0], .events = POLLIN };
		if (poll(p, nr + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[nr + 1].revents)
			return 0;
		pthread_mutex_lock(&srv->lock);
		/* From the last, so that dropping a client moves none still to be served. */
		for (unsigned int i = nr; i-- > 0;) {
			if (p[i].revents && !client_serve_locked(srv, i))
				client_drop_locked(srv, i);
		}
		if (p[nr].revents)
			server_accept_locked(srv);
		pthread_mutex_unlock(&srv->lock);
	}
}

void qmp_server_stop(struct qmp_server *srv)
{
	ssize_t n = write(srv->stop[1], "", 1);

	(void)n;
}

void qmp_server_event(struct qmp_server *srv, const char *name, struct json_object *data)
{
	pthread_mutex_lock(&srv->lock);
	for (unsigned int i = 0; i < srv->nr; i++)
		qmp_session_event(srv->clients[i]->s, name, data);
	pthread_mutex_unlock(&srv->lock);
}

void qmp_server_close(struct qmp_server *srv)
{
	if (!srv)
		return;
	while (srv->nr)
		client_drop_locked(srv, srv->nr - 1);
	close(srv->fd);
	unlink(srv->path);
	close(srv->stop[0]);
	close(srv->stop[1]);
	pthread_mutex_destroy(&srv->lock);
	free(srv->path);
	free(srv);
}
