/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_dp_priv.h - state shared by the data-plane glue files: snd_swdp.c
 * (switches: uplink, host vNIC, MAC table, link propagation) and snd_dp.c
 * (adapters and their channels).  Main thread only, except where a
 * function says it runs on an lcore.
 */
#ifndef SND_DP_PRIV_H
#define SND_DP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "nvsp_host.h"
#include "snd.h"
#include "snd_model.h"
#include "vsw_policy.h"
#include "vsw_switch.h"

/* snd_switch.dp: a data-plane switch, the lcore serving it, its ports. */
struct snd_swdp {
	struct snd_daemon *d;
	struct snd_switch *sw;          /* model switch (back-pointer) */
	struct vsw_switch *vsw;         /* owned by the lcore once added */
	struct snd_lcore *lc;           /* serving lcore */
	unsigned int lc_index;          /* its index in d->lcores */
	struct vsw_port *uplink;        /* external: the ethdev, or NULL */
	int uplink_id;                  /* its port id */
	bool uplink_link;               /* last link state told to guests */
	struct vsw_port *host;          /* the host vNIC (TAP), or NULL */
	int host_id;                    /* its port id */
};

/* snd_adapter.dp: an adapter's runtime state (see snd_dp.c). */
struct snd_nic {
	struct snd_daemon *d;
	struct snd_adapter *ad;         /* NULL once orphaned */
	struct snd_swdp *sdp;           /* the adapter's switch */
	struct snd_conn *conn;          /* connection the channel is offered
					 * on now (NULL: none) */
	unsigned int holders;           /* connections holding the nic as an
					 * offer's cookie (until released) */
	struct vsw_port *port;          /* open channel's port, or NULL */
	int port_id;                    /* its id in sdp->vsw, or -1 */
	bool was_open;                  /* opened at least once */
	struct vsw_port_stats base;     /* counters of closed ports */
	uint64_t err_base[NVSP_HOST_ERR_MAX]; /* their protocol errors */
};

/*
 * Attach port (owned; destroyed on failure) to sdp's switch with a policy
 * built from cfg, on sdp's lcore.  Returns the port id or -errno with a
 * message.
 */
int
snd_swdp_add_port(struct snd_swdp *sdp, struct vsw_port *port,
		  const struct vsw_policy_cfg *cfg, bool trusted, uint16_t mtu,
		  char *err, size_t errlen);

/* Remove (and destroy) port id of sdp's switch, on its lcore. */
void
snd_swdp_del_port(struct snd_swdp *sdp, int id);

/* The link state guests on sdp should see (false: uplink down). */
bool
snd_swdp_guest_link(const struct snd_swdp *sdp);

/* Model hooks for switches (snd_swdp.c). */
int
snd_swdp_create(void *ctx, struct snd_switch *sw, char *err, size_t errlen);
void
snd_swdp_delete(void *ctx, struct snd_switch *sw);
int
snd_swdp_set(void *ctx, struct snd_switch *sw,
	     const struct snd_switch_cfg *cfg, uint32_t changed, char *err,
	     size_t errlen);

#endif /* SND_DP_PRIV_H */
