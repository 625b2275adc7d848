/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_lcore.c - the poll loop of one synthnetd lcore (see snd_lcore.h).
 *
 * Mailbox contract (one control thread, one lcore):
 *   control: writes fn/arg, then seq_req + 1 (release), kicks cmd_fd,
 *            waits until seq_done == seq_req (acquire) and reads result.
 *   lcore:   each pass loads seq_req (acquire); when it differs from
 *            seq_done it runs fn, stores result, then seq_done = seq_req
 *            (release).
 * Calls are serialised by the control thread (call_lock), so there is never
 * more than one outstanding.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "cap_engine.h"
#include "snd_lcore.h"
#include "vmb_user.h"
#include "vsw_switch.h"

#define SND_LCORE_MAX_SWITCHES 64
#define SND_EPOLL_EVENTS 32

/*
 * epoll_event.data.u64 of a watched fd: the fd in the low 32 bits, and
 * SND_EV_EVENTFD when it is an eventfd (a kick), which the lcore drains
 * after waking.  Other fds (a TAP) are left for the port to read.
 */
#define SND_EV_EVENTFD (UINT64_C(1) << 32)

struct snd_lcore {
	unsigned int lcore_id;          /* EAL lcore running the loop */
	int epfd;                       /* wait fds of ports + cmd_fd */
	int cmd_fd;                     /* eventfd: mailbox kicked */
	bool running;                   /* loop launched (control thread) */
	uint32_t stop;                  /* control -> lcore: leave loop */

	/* mailbox (see contract above) */
	pthread_mutex_t call_lock;      /* serialises control callers */
	snd_lcore_fn fn;
	void *arg;
	int result;
	uint64_t seq_req;
	uint64_t seq_done;

	/* owned by the lcore */
	struct vsw_switch *sw[SND_LCORE_MAX_SWITCHES];
	unsigned int nsw;
	unsigned int n_unwakeable;      /* ports without a wait fd */

	/* informational counters (single writer: the lcore) */
	uint64_t passes;
	uint64_t sleeps;
};

uint64_t
snd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct snd_lcore *
snd_lcore_create(unsigned int lcore_id)
{
	struct snd_lcore *lc;
	struct epoll_event ev = { .events = EPOLLIN };

	lc = calloc(1, sizeof(*lc));
	if (lc == NULL) {
		return NULL;
	}
	lc->lcore_id = lcore_id;
	lc->epfd = epoll_create1(EPOLL_CLOEXEC);
	lc->cmd_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lc->epfd < 0 || lc->cmd_fd < 0) {
		goto fail;
	}
	ev.data.u64 = (uint64_t)(uint32_t)lc->cmd_fd | SND_EV_EVENTFD;
	if (epoll_ctl(lc->epfd, EPOLL_CTL_ADD, lc->cmd_fd, &ev) < 0) {
		goto fail;
	}
	pthread_mutex_init(&lc->call_lock, NULL);
	return lc;
fail:
	if (lc->epfd >= 0) {
		close(lc->epfd);
	}
	if (lc->cmd_fd >= 0) {
		close(lc->cmd_fd);
	}
	free(lc);
	return NULL;
}

static void
snd_lcore_run_mailbox(struct snd_lcore *lc)
{
	uint64_t req = __atomic_load_n(&lc->seq_req, __ATOMIC_ACQUIRE);

	if (req == lc->seq_done) {
		return;
	}
	lc->result = lc->fn(lc, lc->arg);
	/* pairs with the acquire load in snd_lcore_call() */
	__atomic_store_n(&lc->seq_done, req, __ATOMIC_RELEASE);
}

/* Drain the eventfds that woke us, so level-triggered epoll goes quiet. */
static void
snd_lcore_drain(const struct epoll_event *ev, int n)
{
	uint64_t v;
	int i;

	for (i = 0; i < n; i++) {
		if ((ev[i].data.u64 & SND_EV_EVENTFD) == 0) {
			continue;
		}
		if (read((int)(uint32_t)ev[i].data.u64, &v, sizeof(v)) < 0) {
			/* EAGAIN: someone else drained it; nothing to do */
		}
	}
}

/* Arm every port; true if one of them already has work. */
static bool
snd_lcore_arm(struct snd_lcore *lc)
{
	bool pending = false;
	unsigned int i;

	for (i = 0; i < lc->nsw; i++) {
		pending |= vsw_switch_arm_wait(lc->sw[i]);
	}
	return pending;
}

static int
snd_lcore_loop(void *arg)
{
	struct snd_lcore *lc = arg;
	struct epoll_event ev[SND_EPOLL_EVENTS];
	unsigned int idle = 0;
	unsigned int i, work;
	uint64_t now;
	int n;

	while (!__atomic_load_n(&lc->stop, __ATOMIC_ACQUIRE)) {
		snd_lcore_run_mailbox(lc);
		now = snd_now_ns();
		work = 0;
		for (i = 0; i < lc->nsw; i++) {
			work += vsw_switch_poll(lc->sw[i], now);
		}
		lc->passes++;
		if (work != 0) {
			idle = 0;
			continue;
		}
		if (++idle < SND_IDLE_PASSES) {
			continue;
		}
		/*
		 * Sleep: arm notifications first, then re-check, so a frame
		 * that arrived in between is never stranded.
		 */
		if (snd_lcore_arm(lc) ||
		    __atomic_load_n(&lc->seq_req, __ATOMIC_ACQUIRE) !=
		    lc->seq_done) {
			idle = 0;
			continue;
		}
		lc->sleeps++;
		/* a port that cannot wake us (an ethdev uplink) is polled
		 * every millisecond instead */
		n = epoll_wait(lc->epfd, ev, SND_EPOLL_EVENTS,
			       lc->n_unwakeable != 0 ? SND_SHORT_SLEEP_MS :
			       SND_IDLE_SLEEP_MS);
		if (n > 0) {
			snd_lcore_drain(ev, n);
			idle = 0;
		} else {
			/* timeout: one pass for aging, then sleep again */
			idle = SND_IDLE_PASSES - 1;
		}
	}
	return 0;
}

unsigned int
snd_lcore_id(const struct snd_lcore *lc)
{
	return lc->lcore_id;
}

int
snd_lcore_start(struct snd_lcore *lc)
{
	int ret;

	__atomic_store_n(&lc->stop, 0, __ATOMIC_RELEASE);
	ret = rte_eal_remote_launch(snd_lcore_loop, lc, lc->lcore_id);
	if (ret != 0) {
		return ret;
	}
	lc->running = true;
	return 0;
}

int
snd_lcore_call(struct snd_lcore *lc, snd_lcore_fn fn, void *arg)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 20000 };
	uint64_t one = 1, req;
	int result;

	pthread_mutex_lock(&lc->call_lock);
	if (!lc->running) {
		result = fn(lc, arg);
		pthread_mutex_unlock(&lc->call_lock);
		return result;
	}
	lc->fn = fn;
	lc->arg = arg;
	req = lc->seq_done + 1;
	/* pairs with the acquire load in snd_lcore_run_mailbox() */
	__atomic_store_n(&lc->seq_req, req, __ATOMIC_RELEASE);
	if (write(lc->cmd_fd, &one, sizeof(one)) < 0) {
		/* counter full: the lcore is awake anyway */
	}
	while (__atomic_load_n(&lc->seq_done, __ATOMIC_ACQUIRE) != req) {
		nanosleep(&ts, NULL);
	}
	result = lc->result;
	pthread_mutex_unlock(&lc->call_lock);
	return result;
}

void
snd_lcore_destroy(struct snd_lcore *lc)
{
	unsigned int i;
	uint64_t one = 1;

	if (lc == NULL) {
		return;
	}
	if (lc->running) {
		__atomic_store_n(&lc->stop, 1, __ATOMIC_RELEASE);
		if (write(lc->cmd_fd, &one, sizeof(one)) < 0) {
			/* the loop checks stop every pass */
		}
		rte_eal_wait_lcore(lc->lcore_id);
		lc->running = false;
	}
	for (i = 0; i < lc->nsw; i++) {
		vsw_switch_destroy(lc->sw[i]);
	}
	close(lc->cmd_fd);
	close(lc->epfd);
	pthread_mutex_destroy(&lc->call_lock);
	free(lc);
}

int
snd_lcore_add_switch(struct snd_lcore *lc, struct vsw_switch *sw)
{
	if (lc->nsw == SND_LCORE_MAX_SWITCHES) {
		return -ENOSPC;
	}
	lc->sw[lc->nsw++] = sw;
	return 0;
}

int
snd_lcore_del_switch(struct snd_lcore *lc, struct vsw_switch *sw)
{
	unsigned int i, p;
	struct vsw_port *port;

	for (i = 0; i < lc->nsw; i++) {
		if (lc->sw[i] != sw) {
			continue;
		}
		for (p = 0; p < VSW_MAX_PORTS; p++) {
			port = vsw_switch_port(sw, p);
			if (port != NULL) {
				snd_lcore_del_port(lc, sw, p);
			}
		}
		vsw_switch_destroy(sw);
		lc->sw[i] = lc->sw[--lc->nsw];
		return 0;
	}
	return -ENOENT;
}

int
snd_lcore_add_port(struct snd_lcore *lc, struct vsw_switch *sw,
		   struct vsw_port *port)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = port->ops->wait_fd ? port->ops->wait_fd(port) : -1;
	int id;

	id = vsw_switch_add_port(sw, port);
	if (id < 0) {
		return id;
	}
	if (fd < 0) {
		lc->n_unwakeable++;
	} else {
		ev.data.u64 = (uint64_t)(uint32_t)fd |
			      (vmb_user_is_eventfd(fd) ? SND_EV_EVENTFD : 0);
		if (epoll_ctl(lc->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			int err = -errno;

			vsw_switch_detach_port(sw, (uint16_t)id);
			return err;
		}
	}
	return id;
}

/* Stop watching port's wait fd. */
static void
snd_lcore_unwatch(struct snd_lcore *lc, struct vsw_port *port)
{
	int fd = port->ops->wait_fd ? port->ops->wait_fd(port) : -1;

	if (fd >= 0) {
		epoll_ctl(lc->epfd, EPOLL_CTL_DEL, fd, NULL);
	} else {
		lc->n_unwakeable--;
	}
}

int
snd_lcore_del_port(struct snd_lcore *lc, struct vsw_switch *sw, uint16_t id)
{
	struct vsw_port *port = vsw_switch_port(sw, id);

	if (port == NULL) {
		return -ENOENT;
	}
	snd_lcore_unwatch(lc, port);
	/* every capture watching it ends its tap (file stays valid) */
	cap_port_detach_all(port);
	return vsw_switch_remove_port(sw, id);
}

struct vsw_port *
snd_lcore_detach_port(struct snd_lcore *lc, struct vsw_switch *sw,
		      uint16_t id)
{
	struct vsw_port *port = vsw_switch_port(sw, id);

	if (port == NULL) {
		return NULL;
	}
	snd_lcore_unwatch(lc, port);
	/* a port leaving its switch (a move) leaves its captures too: they
	 * watch that switch's ports (see snd_capture.h) */
	cap_port_detach_all(port);
	return vsw_switch_detach_port(sw, id);
}

void
snd_lcore_counters(const struct snd_lcore *lc, uint64_t *passes,
		   uint64_t *sleeps)
{
	*passes = __atomic_load_n(&lc->passes, __ATOMIC_RELAXED);
	*sleeps = __atomic_load_n(&lc->sleeps, __ATOMIC_RELAXED);
}
