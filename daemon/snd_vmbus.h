/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_vmbus.h - synthnetd's vmbus-user server: accepts guest connections
 * on the vmbus socket and runs one vmb_host connection per guest on the
 * main thread.  Channels opened by a guest become netvsc ports on the
 * adapter's switch (snd_dp.h does the data-plane side).
 */
#ifndef SND_VMBUS_H
#define SND_VMBUS_H

#include <stdint.h>

#include "snd.h"

struct snd_nic;
struct vmb_host_conn;

/* One guest connection (main thread). */
struct snd_conn {
	struct snd_conn *next;          /* d->conns list */
	struct snd_daemon *d;           /* back-pointer */
	struct vmb_host_conn *conn;     /* protocol state; owns the socket */
	struct snd_ev ev;               /* epoll registration */
	uint64_t connected_ns;          /* accept time */
	char vm[64];                    /* VM name once it asked for offers */
};

/* Create the listening socket (parent directory made) and watch it. */
int
snd_vmbus_listen(struct snd_daemon *d);

/* The listening socket is readable: accept every pending connection. */
void
snd_vmbus_accept(struct snd_daemon *d);

/* A connection's socket is readable (or hung up). */
void
snd_vmbus_conn_event(struct snd_daemon *d, struct snd_conn *c);

/* The connection of the VM named vm, or NULL. */
struct snd_conn *
snd_vmbus_find_vm(struct snd_daemon *d, const char *vm);

/* Close every connection and the listening socket (daemon exit). */
void
snd_vmbus_shutdown(struct snd_daemon *d);

#endif /* SND_VMBUS_H */
