/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctlsock.h - synthnetd's control socket: the snctl server on the main
 * thread's epoll, dispatching each request to snd_ctl (the command table).
 */
#ifndef SND_CTLSOCK_H
#define SND_CTLSOCK_H

#include "snd.h"

/* Listen on d->ctl_path and watch the server's fd.  0 or -errno. */
int
snd_ctlsock_init(struct snd_daemon *d);

/* Do the pending work (accept, read, answer) without blocking. */
void
snd_ctlsock_process(struct snd_daemon *d);

/* epoll timeout for the nearest client deadline (-1: none). */
int
snd_ctlsock_timeout(struct snd_daemon *d);

/* Close the server and unlink the socket.  Safe when not initialised. */
void
snd_ctlsock_fini(struct snd_daemon *d);

#endif /* SND_CTLSOCK_H */
