/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd.h - synthnetd's process-wide state, owned by the main (control)
 * thread.  See docs/architecture.md for the threading model.
 */
#ifndef SND_H
#define SND_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

/* Poll lcores synthnetd drives (every EAL worker lcore, up to this). */
#define SND_MAX_LCORES 16

struct rte_mempool;
struct snd_lcore;
struct snd_model;
struct snd_conn;
struct snd_capture_ctx;

/* What the main thread's epoll entries point at. */
enum snd_ev_kind {
	SND_EV_SIGNAL,
	SND_EV_VMBUS_LISTEN,
	SND_EV_VMBUS_CONN,
	SND_EV_CTL_LISTEN,
	SND_EV_CTL_CLIENT,
	SND_EV_TIMER,
	SND_EV_CAPTURE,         /* a packet capture ended (snd_capture.h) */
};

struct snd_ev {
	enum snd_ev_kind kind;  /* dispatch key */
	int fd;                 /* the watched fd */
	void *obj;              /* kind-specific owner */
};

struct snd_daemon {
	struct rte_mempool *pool;       /* mbufs of every port */
	unsigned int pool_size;         /* mbufs in the pool */
	struct snd_lcore *lcores[SND_MAX_LCORES]; /* poll lcores */
	unsigned int nswitches[SND_MAX_LCORES]; /* switches per poll lcore */
	unsigned int nlcores;
	struct snd_model *model;        /* switches and adapters */
	int epfd;                       /* main thread's epoll */
	bool stop;                      /* SIGINT/SIGTERM seen */
	uint64_t start_ns;              /* for uptime */

	char vmbus_path[PATH_MAX];      /* vmbus-user listening socket */
	char ctl_path[PATH_MAX];        /* control socket */
	char state_dir[PATH_MAX];       /* config.json lives here; "" = none */
	struct snd_ev vmbus_listen;
	struct snd_ev ctl_listen;
	struct snd_ev sig;
	struct snd_ev timer;

	struct snd_conn *conns;         /* vmbus-user connections (list) */
	unsigned int nconns;
	void *ctl_server;               /* control-socket server state */
	struct snd_capture_ctx *capture; /* packet captures (snd_capture.h) */
};

/* Register/unregister an fd with the main epoll (EPOLLIN). */
int
snd_watch(struct snd_daemon *d, struct snd_ev *ev);
void
snd_unwatch(struct snd_daemon *d, struct snd_ev *ev);

#endif /* SND_H */
