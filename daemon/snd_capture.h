/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_capture.h - synthnetd's packet captures: the glue between the
 * control commands (`synthctl capture ...`, the capture hooks of
 * snd_model.h), the data plane (switch ports on poll lcores) and the
 * capture engine (pcap/cap_engine.h).
 *
 * One engine per daemon, created on the main thread after EAL (its writer
 * thread inherits the main thread's CPU affinity, not a poll lcore's) and
 * destroyed after the poll lcores have stopped.
 *
 * Where taps attach and detach (see also docs/capture.md):
 *  - capture start (main thread) resolves the target to the ports that
 *    exist now (an adapter's netvsc port while its channel is open; every
 *    port of a switch: guest ports, uplink, host vNIC; an external
 *    switch's uplink), creates the capture and attaches one tap per port
 *    with an lcore call (cap_attach() on the port's lcore).
 *  - A port that goes away is detached by the lcore itself:
 *    snd_lcore_del_port() and snd_lcore_detach_port() call
 *    cap_port_detach_all() before the port leaves its switch, whatever
 *    removes it (channel close, adapter remove, switch delete, uplink or
 *    host vNIC replaced, adapter moved to another switch).  A capture
 *    whose ports are all gone ends "port removed" with a complete file.
 *  - When a capture ends (stop, count, duration, ports gone, output
 *    error) the engine's writer thread signals an eventfd that the main
 *    epoll watches (SND_EV_CAPTURE); the main thread then detaches what
 *    is still attached (cap_detach() on each port's lcore), keeps a
 *    snapshot of the capture for `capture show` and frees the engine's
 *    capture.  The latest SND_CAPTURE_KEEP_ENDED ended captures are kept.
 *
 * Main thread only, except where a function says otherwise.
 */
#ifndef SND_CAPTURE_H
#define SND_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "snd.h"
#include "snd_model.h"

/* Captures running at once (the engine's limit). */
#define SND_CAPTURE_MAX_RUNNING 16u
/* Ended captures kept for `capture show`; older ones are forgotten. */
#define SND_CAPTURE_KEEP_ENDED 32u

/*
 * Create the capture engine and watch its end notifications on the main
 * epoll (d->epfd must exist).  Call after EAL initialisation, from the
 * main thread.  Returns 0, or -errno after printing why to stderr.
 */
int
snd_capture_init(struct snd_daemon *d);

/* The main epoll saw the end notification: finish ended captures. */
void
snd_capture_event(struct snd_daemon *d);

/*
 * End every capture (files completed), destroy the engine and forget
 * everything.  Call after the poll lcores have stopped.  Safe when
 * snd_capture_init() failed or was not called.
 */
void
snd_capture_fini(struct snd_daemon *d);

/* The capture hooks of struct snd_model_hooks; ctx is the daemon. */
int
snd_capture_start(void *ctx, const struct snd_capture_req *rq, uint32_t *id,
		  char *err, size_t errlen);
int
snd_capture_stop(void *ctx, uint32_t id, char *err, size_t errlen);
size_t
snd_capture_list(void *ctx, uint32_t *ids, size_t max);
int
snd_capture_info(void *ctx, uint32_t id, struct snd_capture_info *out,
		 struct snd_capture_iface *ifaces, size_t max_ifaces);

/* Captures running now (for `status`). */
unsigned int
snd_capture_running(const struct snd_daemon *d);

#endif /* SND_CAPTURE_H */
