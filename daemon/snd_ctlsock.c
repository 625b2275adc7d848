/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_ctlsock.c - the control socket of synthnetd (see snd_ctlsock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "snctl_proto.h"
#include "snd_ctl.h"
#include "snd_ctlsock.h"

static unsigned int
snd_ctlsock_handler(void *ctx, const struct snctl_req *req,
		    const struct snctl_peer *peer, struct snctl_out *out)
{
	struct snd_daemon *d = ctx;

	return snd_ctl_handle(d->model, req, peer, out);
}

static void
snd_ctlsock_log(void *ctx, const char *msg)
{
	(void)ctx;
	RTE_LOG(NOTICE, USER1, "control: %s\n", msg);
}

int
snd_ctlsock_init(struct snd_daemon *d)
{
	struct snctl_server_cfg cfg;
	struct snctl_server *srv;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	cfg.path = d->ctl_path;
	cfg.handler = snd_ctlsock_handler;
	cfg.log = snd_ctlsock_log;
	cfg.ctx = d;
	srv = snctl_server_create(&cfg);
	if (srv == NULL) {
		ret = -errno;
		fprintf(stderr, "synthnetd: cannot listen on %s: %s%s\n",
			d->ctl_path, strerror(errno),
			errno == EADDRINUSE ?
			" (is another synthnetd running?)" : "");
		return ret;
	}
	d->ctl_server = srv;
	d->ctl_listen.kind = SND_EV_CTL_LISTEN;
	d->ctl_listen.fd = snctl_server_fd(srv);
	d->ctl_listen.obj = srv;
	return snd_watch(d, &d->ctl_listen);
}

void
snd_ctlsock_process(struct snd_daemon *d)
{
	if (d->ctl_server != NULL) {
		snctl_server_process(d->ctl_server);
	}
}

int
snd_ctlsock_timeout(struct snd_daemon *d)
{
	if (d->ctl_server == NULL) {
		return -1;
	}
	return snctl_server_timeout(d->ctl_server);
}

void
snd_ctlsock_fini(struct snd_daemon *d)
{
	if (d->ctl_server == NULL) {
		return;
	}
	snd_unwatch(d, &d->ctl_listen);
	snctl_server_destroy(d->ctl_server);
	d->ctl_server = NULL;
}
