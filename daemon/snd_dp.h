/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_dp.h - glue between the configuration model (snd_model), the poll
 * lcore (snd_lcore) and the vmbus-user server (snd_vmbus): the model's
 * hooks create switches and adapters in the data plane; vmb_host's
 * callbacks turn opened channels into netvsc ports.  Main thread only.
 */
#ifndef SND_DP_H
#define SND_DP_H

#include <stddef.h>

#include "snd.h"

struct snd_conn;
struct snd_nic;
struct vmb_host_offer;
struct vmb_host_channel;

/* Create the model with the data-plane hooks (d->model). */
int
snd_dp_init(struct snd_daemon *d);

/* Delete every switch (and adapter) and the model. */
void
snd_dp_fini(struct snd_daemon *d);

/* Periodic work of the main thread: uplink link state to the guests. */
void
snd_dp_tick(struct snd_daemon *d);

/* vmb_host callbacks, per connection c (see vmb_host.h for contracts). */
int
snd_dp_offers_for(struct snd_conn *c, const char *vm,
		  struct vmb_host_offer *offers, size_t max);
int
snd_dp_channel_open(struct snd_conn *c, struct snd_nic *nic,
		    struct vmb_host_channel *ch);
void
snd_dp_channel_close(struct snd_conn *c, struct snd_nic *nic);
void
snd_dp_channel_released(struct snd_conn *c, struct snd_nic *nic);

#endif /* SND_DP_H */
