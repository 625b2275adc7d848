/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_vmbus.c - the vmbus-user server of synthnetd (main thread).
 *
 * Protocol work is vmb_host's; this file owns the sockets and their epoll
 * registrations, and routes vmb_host's callbacks to the data-plane glue
 * (snd_dp.c), which turns opened channels into switch ports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_log.h>

#include "snd_dp.h"
#include "snd_lcore.h"
#include "snd_vmbus.h"
#include "vmb_host.h"
#include "vmb_user.h"

static int
snd_vmbus_offers_for(void *ctx, const char *vm_name,
		     struct vmb_host_offer *offers, size_t max)
{
	struct snd_conn *c = ctx;

	return snd_dp_offers_for(c, vm_name, offers, max);
}

static int
snd_vmbus_channel_open(void *ctx, void *cookie, struct vmb_host_channel *ch)
{
	struct snd_conn *c = ctx;

	return snd_dp_channel_open(c, cookie, ch);
}

static void
snd_vmbus_channel_close(void *ctx, void *cookie)
{
	struct snd_conn *c = ctx;

	snd_dp_channel_close(c, cookie);
}

static void
snd_vmbus_channel_released(void *ctx, void *cookie)
{
	struct snd_conn *c = ctx;

	snd_dp_channel_released(c, cookie);
}

static void
snd_vmbus_disconnected(void *ctx, struct vmb_host_conn *conn, int reason)
{
	struct snd_conn *c = ctx;

	(void)conn;
	if (reason == -ECONNRESET) {
		/* EOF: the guest closed its socket */
		RTE_LOG(INFO, USER1, "vmbus: VM '%s' disconnected\n",
			c->vm[0] != '\0' ? c->vm : "-");
	} else {
		RTE_LOG(NOTICE, USER1, "vmbus: VM '%s' disconnected: %s\n",
			c->vm[0] != '\0' ? c->vm : "-", strerror(-reason));
	}
}

static void
snd_vmbus_log(void *ctx, struct vmb_host_conn *conn, const char *msg)
{
	(void)ctx;
	RTE_LOG(NOTICE, USER1, "vmbus: VM '%s': %s\n",
		vmb_host_conn_vm_name(conn), msg);
}

static const struct vmb_host_ops snd_vmbus_ops = {
	.offers_for = snd_vmbus_offers_for,
	.channel_open = snd_vmbus_channel_open,
	.channel_close = snd_vmbus_channel_close,
	.channel_released = snd_vmbus_channel_released,
	.disconnected = snd_vmbus_disconnected,
	.log = snd_vmbus_log,
};

/* mkdir -p of the socket's parent directory. */
static int
snd_mkdir_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		return -ENAMETOOLONG;
	}
	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
				return -errno;
			}
			*p = '/';
		}
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

int
snd_vmbus_listen(struct snd_daemon *d)
{
	int fd, ret;

	ret = snd_mkdir_parent(d->vmbus_path);
	if (ret < 0) {
		return ret;
	}
	fd = vmb_user_listen(d->vmbus_path, 64);
	if (fd < 0) {
		return fd;
	}
	d->vmbus_listen.kind = SND_EV_VMBUS_LISTEN;
	d->vmbus_listen.fd = fd;
	d->vmbus_listen.obj = NULL;
	ret = snd_watch(d, &d->vmbus_listen);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return 0;
}

void
snd_vmbus_accept(struct snd_daemon *d)
{
	struct snd_conn *c;
	int fd;

	for (;;) {
		fd = vmb_user_accept(d->vmbus_listen.fd);
		if (fd < 0) {
			if (fd != -EAGAIN) {
				RTE_LOG(WARNING, USER1, "vmbus: accept: %s\n",
					strerror(-fd));
			}
			return;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->d = d;
		c->conn = vmb_host_conn_create(fd, &snd_vmbus_ops, c);
		if (c->conn == NULL) {
			close(fd);
			free(c);
			continue;
		}
		c->ev.kind = SND_EV_VMBUS_CONN;
		c->ev.fd = fd;
		c->ev.obj = c;
		c->connected_ns = snd_now_ns();
		if (snd_watch(d, &c->ev) < 0) {
			vmb_host_conn_destroy(c->conn);
			free(c);
			continue;
		}
		c->next = d->conns;
		d->conns = c;
		d->nconns++;
	}
}

static void
snd_vmbus_conn_free(struct snd_daemon *d, struct snd_conn *c)
{
	struct snd_conn **pp;

	for (pp = &d->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			d->nconns--;
			break;
		}
	}
	snd_unwatch(d, &c->ev);
	/* closes every channel through the callbacks, then the socket */
	vmb_host_conn_destroy(c->conn);
	free(c);
}

void
snd_vmbus_conn_event(struct snd_daemon *d, struct snd_conn *c)
{
	int ret;

	/* bounded: handle() takes a burst per call; epoll is level-triggered */
	ret = vmb_host_conn_handle(c->conn);
	if (ret < 0) {
		snd_vmbus_conn_free(d, c);
	}
}

struct snd_conn *
snd_vmbus_find_vm(struct snd_daemon *d, const char *vm)
{
	struct snd_conn *c;

	for (c = d->conns; c != NULL; c = c->next) {
		if (strcmp(vmb_host_conn_vm_name(c->conn), vm) == 0) {
			return c;
		}
	}
	return NULL;
}

void
snd_vmbus_shutdown(struct snd_daemon *d)
{
	while (d->conns != NULL) {
		snd_vmbus_conn_free(d, d->conns);
	}
	if (d->vmbus_listen.fd > 0) {
		snd_unwatch(d, &d->vmbus_listen);
		close(d->vmbus_listen.fd);
		d->vmbus_listen.fd = -1;
		unlink(d->vmbus_path);
	}
}
