/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_lcore.h - synthnetd's poll lcores.
 *
 * Each poll lcore serves a set of switches: one pass polls every port of
 * every switch it owns (vsw_switch_poll: bursts of <= 32, forward, flush).
 * After SND_IDLE_PASSES empty passes it re-arms the ports' notifications
 * and sleeps in epoll_wait on their wait fds (the guests' kick eventfds)
 * and on its own command eventfd, so an idle daemon uses no CPU.
 *
 * The control thread never touches a switch or a port an lcore owns.  It
 * asks the lcore to run a function on its behalf (snd_lcore_call) and waits
 * for it: adding and removing switches and ports, reading anything that is
 * not a counter.  Calls are rare control-path events; the data path itself
 * takes no locks.
 */
#ifndef SND_LCORE_H
#define SND_LCORE_H

#include <stdbool.h>
#include <stdint.h>

struct vsw_switch;
struct vsw_port;
struct snd_lcore;

/* Empty passes before an lcore arms notifications and sleeps. */
#define SND_IDLE_PASSES 2048
/* Longest sleep; bounds FDB aging and link-state latency when idle. */
#define SND_IDLE_SLEEP_MS 100
/* Sleep while a port without a wait fd (an ethdev uplink) is served. */
#define SND_SHORT_SLEEP_MS 1

/* A function run on the lcore; returns 0 or -errno, passed back. */
typedef int (*snd_lcore_fn)(struct snd_lcore *lc, void *arg);

/*
 * Create the state of the poll lcore `lcore_id` (not started).  Returns an
 * owned pointer or NULL (errno set).
 */
struct snd_lcore *
snd_lcore_create(unsigned int lcore_id);

/* The EAL lcore id the loop runs on. */
unsigned int
snd_lcore_id(const struct snd_lcore *lc);

/* Start the poll loop on its lcore (rte_eal_remote_launch).  0 or -errno. */
int
snd_lcore_start(struct snd_lcore *lc);

/*
 * Stop the loop and wait for the lcore to return.  Switches still attached
 * are destroyed (their ports with them).  Frees lc.  NULL is a no-op.
 */
void
snd_lcore_destroy(struct snd_lcore *lc);

/*
 * Run fn(lc, arg) on the lcore and wait for its result (control thread
 * only).  If the loop is not running (before start, after stop) fn runs
 * directly on the caller.  Returns fn's result.
 */
int
snd_lcore_call(struct snd_lcore *lc, snd_lcore_fn fn, void *arg);

/*
 * The following run ON the lcore (inside an snd_lcore_call function), or
 * on the control thread while the loop is not running.
 */

/* Serve sw from now on (takes ownership).  0 or -ENOSPC. */
int
snd_lcore_add_switch(struct snd_lcore *lc, struct vsw_switch *sw);

/* Stop serving sw and destroy it with its ports.  0 or -ENOENT. */
int
snd_lcore_del_switch(struct snd_lcore *lc, struct vsw_switch *sw);

/*
 * Attach port to sw (served by lc) and watch its wait fd.  Ownership of
 * port passes to the switch on success.  Returns the port id (>= 0) or
 * -errno.
 */
int
snd_lcore_add_port(struct snd_lcore *lc, struct vsw_switch *sw,
		   struct vsw_port *port);

/*
 * Remove port `id` from sw: final flush, forget its FDB entries, stop
 * watching its fd, destroy it.  0 or -ENOENT.
 */
int
snd_lcore_del_port(struct snd_lcore *lc, struct vsw_switch *sw, uint16_t id);

/*
 * Detach port `id` from sw without destroying it (staged frames flushed,
 * FDB entries forgotten, fd no longer watched), e.g. to attach it to
 * another switch.  Returns the port (owned by the caller) or NULL.
 */
struct vsw_port *
snd_lcore_detach_port(struct snd_lcore *lc, struct vsw_switch *sw,
		      uint16_t id);

/* Passes and sleeps so far (any thread; informational). */
void
snd_lcore_counters(const struct snd_lcore *lc, uint64_t *passes,
		   uint64_t *sleeps);

/* Monotonic time in ns, as the lcore passes it to the switch. */
uint64_t
snd_now_ns(void);

#endif /* SND_LCORE_H */
