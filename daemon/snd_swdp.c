/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_swdp.c - the data plane of a switch: the vsw_switch on its lcore,
 * and the ports Hyper-V's switch types add to the guests' ones:
 *   private   guests only;
 *   internal  guests + the host vNIC (TAP "vsw-NAME", configured through
 *             libnl: addresses, namespace);
 *   external  guests + the uplink (a DPDK ethdev from EAL devargs) and,
 *             with --allow-management-os, the host vNIC too.
 * The uplink and the host vNIC are trusted ports (many source MACs): the
 * uplink is VLAN-transparent (tags on the wire), the host vNIC untagged.
 * The uplink's link state reaches the guests as RNDIS media connect /
 * disconnect (snd_swdp_tick, on the main thread's timer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "snd_dp.h"
#include "snd_dp_priv.h"
#include "snd_eth_port.h"
#include "snd_lcore.h"
#include "snd_netvsc_port.h"
#include "snd_tap_port.h"

#define SND_UPLINK_PORT "uplink"
#define SND_HOST_PORT "host"
#define SND_HOST_MTU 1500

/* ---- lcore calls ---------------------------------------------------- */

struct snd_port_call {
	struct snd_swdp *sdp;
	struct vsw_port *port;
	int id;
	bool up;
	uint64_t age_ns;
	struct vsw_fdb *fdb;
};

static int
snd_call_add_switch(struct snd_lcore *lc, void *arg)
{
	return snd_lcore_add_switch(lc, arg);
}

static int
snd_call_del_switch(struct snd_lcore *lc, void *arg)
{
	return snd_lcore_del_switch(lc, arg);
}

static int
snd_call_add(struct snd_lcore *lc, void *arg)
{
	struct snd_port_call *c = arg;

	return snd_lcore_add_port(lc, c->sdp->vsw, c->port);
}

static int
snd_call_del(struct snd_lcore *lc, void *arg)
{
	struct snd_port_call *c = arg;

	return snd_lcore_del_port(lc, c->sdp->vsw, (uint16_t)c->id);
}

/* Tell every guest port of the switch the link state. */
static int
snd_call_guest_link(struct snd_lcore *lc, void *arg)
{
	struct snd_port_call *c = arg;
	struct vsw_port *port;
	unsigned int id;

	(void)lc;
	for (id = 0; id < VSW_MAX_PORTS; id++) {
		port = vsw_switch_port(c->sdp->vsw, (uint16_t)id);
		if (snd_netvsc_port_is(port)) {
			snd_netvsc_port_set_link(port, c->up);
		}
	}
	return 0;
}

static int
snd_call_fdb_age(struct snd_lcore *lc, void *arg)
{
	struct snd_port_call *c = arg;

	(void)lc;
	vsw_fdb_set_age(vsw_switch_fdb(c->sdp->vsw), c->age_ns);
	return 0;
}

static int
snd_call_fdb_swap(struct snd_lcore *lc, void *arg)
{
	struct snd_port_call *c = arg;

	(void)lc;
	c->fdb = vsw_switch_fdb_swap(c->sdp->vsw, c->fdb);
	return 0;
}

/* ---- ports ---------------------------------------------------------- */

int
snd_swdp_add_port(struct snd_swdp *sdp, struct vsw_port *port,
		  const struct vsw_policy_cfg *cfg, bool trusted, uint16_t mtu,
		  char *err, size_t errlen)
{
	struct vsw_policy_params params = {
		.trusted = trusted,
		.max_pkt_len = (uint32_t)mtu + 18,
		.socket_id = (int)rte_lcore_to_socket_id(snd_lcore_id(sdp->lc)),
	};
	struct snd_port_call c = { .sdp = sdp, .port = port };
	struct vsw_policy *pol;
	int ret;

	pol = vsw_policy_create(cfg, &params);
	if (pol == NULL) {
		snprintf(err, errlen, "cannot build the port policy: %s",
			 rte_strerror(rte_errno));
		port->ops->destroy(port);
		return -ENOMEM;
	}
	/* the port is not attached yet: any thread may install it */
	vsw_policy_free(vsw_policy_apply(port, pol));
	ret = snd_lcore_call(sdp->lc, snd_call_add, &c);
	if (ret < 0) {
		snprintf(err, errlen, "cannot attach port %s to switch %s: %s",
			 port->name, sdp->sw->name, strerror(-ret));
		vsw_policy_free(vsw_policy_apply(port, NULL));
		port->ops->destroy(port);
	}
	return ret;
}

void
snd_swdp_del_port(struct snd_swdp *sdp, int id)
{
	struct snd_port_call c = { .sdp = sdp, .id = id };

	snd_lcore_call(sdp->lc, snd_call_del, &c);
}

bool
snd_swdp_guest_link(const struct snd_swdp *sdp)
{
	return sdp->uplink == NULL || sdp->uplink_link;
}

static void
snd_swdp_tell_guests(struct snd_swdp *sdp, bool up)
{
	struct snd_port_call c = { .sdp = sdp, .up = up };

	sdp->uplink_link = up;
	snd_lcore_call(sdp->lc, snd_call_guest_link, &c);
}

static int
snd_uplink_open(struct snd_swdp *sdp, const char *devargs, char *err,
		size_t errlen)
{
	struct snd_eth_cfg ec = {
		.name = SND_UPLINK_PORT,
		.devargs = devargs,
		.mtu = SND_HOST_MTU,
		.pool = sdp->d->pool,
	};
	struct vsw_policy_cfg pc;
	struct vsw_port *port;
	uint32_t speed;
	bool up = false;
	int ret;

	ret = snd_eth_port_create(&ec, &port, err, errlen);
	if (ret < 0) {
		return ret;
	}
	vsw_policy_cfg_init(&pc);
	pc.vlan_mode = VSW_VLAN_TRANSPARENT;
	pc.mac_spoofing = true;
	ret = snd_swdp_add_port(sdp, port, &pc, true, SND_HOST_MTU, err,
				errlen);
	if (ret < 0) {
		return ret;
	}
	sdp->uplink = port;
	sdp->uplink_id = ret;
	snd_eth_port_link(port, &up, &speed);
	snd_swdp_tell_guests(sdp, up);
	RTE_LOG(INFO, USER1, "switch %s: uplink '%s' attached, link %s\n",
		sdp->sw->name, devargs, up ? "up" : "down");
	return 0;
}

static void
snd_uplink_close(struct snd_swdp *sdp)
{
	if (sdp->uplink == NULL) {
		return;
	}
	snd_swdp_del_port(sdp, sdp->uplink_id);
	sdp->uplink = NULL;
	snd_swdp_tell_guests(sdp, true);
}

static int
snd_host_open(struct snd_swdp *sdp, const struct snd_switch *sw,
	      const struct snd_switch_cfg *cfg, char *err, size_t errlen)
{
	char cidr[SND_HOST_IPS_MAX][SND_CIDR_STRLEN];
	const char *addrs[SND_HOST_IPS_MAX];
	struct snd_tap_cfg tc;
	struct vsw_policy_cfg pc;
	struct vsw_port *port;
	uint32_t i;
	int ret;

	memset(&tc, 0, sizeof(tc));
	for (i = 0; i < cfg->n_host_ips && i < SND_HOST_IPS_MAX; i++) {
		snd_cidr_format(&cfg->host_ips[i], cidr[i]);
		addrs[i] = cidr[i];
	}
	tc.ifname = sw->host_ifname;
	tc.port_name = SND_HOST_PORT;
	tc.mtu = SND_HOST_MTU;
	tc.addrs = addrs;
	tc.n_addrs = i;
	tc.netns = cfg->host_netns[0] != '\0' ? cfg->host_netns : NULL;
	tc.pool = sdp->d->pool;
	ret = snd_tap_port_create(&tc, &port, err, errlen);
	if (ret < 0) {
		return ret;
	}
	vsw_policy_cfg_init(&pc);
	pc.mac_spoofing = true;
	ret = snd_swdp_add_port(sdp, port, &pc, true, SND_HOST_MTU, err,
				errlen);
	if (ret < 0) {
		return ret;
	}
	sdp->host = port;
	sdp->host_id = ret;
	RTE_LOG(INFO, USER1, "switch %s: host vNIC %s%s%s\n", sw->name,
		sw->host_ifname, tc.netns ? " in netns " : "",
		tc.netns ? tc.netns : "");
	return 0;
}

static void
snd_host_close(struct snd_swdp *sdp)
{
	if (sdp->host == NULL) {
		return;
	}
	snd_swdp_del_port(sdp, sdp->host_id);
	sdp->host = NULL;
}

/* ---- model hooks ------------------------------------------------------ */

static enum vsw_switch_type
snd_vsw_type(enum snd_switch_type t)
{
	switch (t) {
	case SND_SWITCH_INTERNAL:
		return VSW_SWITCH_INTERNAL;
	case SND_SWITCH_EXTERNAL:
		return VSW_SWITCH_EXTERNAL;
	default:
		return VSW_SWITCH_PRIVATE;
	}
}

static void
snd_swdp_free(struct snd_swdp *sdp)
{
	snd_lcore_call(sdp->lc, snd_call_del_switch, sdp->vsw);
	sdp->d->nswitches[sdp->lc_index]--;
	free(sdp);
}

int
snd_swdp_create(void *ctx, struct snd_switch *sw, char *err, size_t errlen)
{
	struct snd_daemon *d = ctx;
	struct vsw_switch_cfg cfg = { .socket_id = SOCKET_ID_ANY };
	struct snd_swdp *sdp;
	unsigned int i, best = 0;
	int ret;

	/* the least loaded poll lcore serves the new switch */
	for (i = 1; i < d->nlcores; i++) {
		if (d->nswitches[i] < d->nswitches[best]) {
			best = i;
		}
	}
	sdp = calloc(1, sizeof(*sdp));
	if (sdp == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sdp->d = d;
	sdp->sw = sw;
	sdp->lc = d->lcores[best];
	sdp->lc_index = best;
	cfg.type = snd_vsw_type(sw->cfg.type);
	cfg.socket_id = (int)rte_lcore_to_socket_id(snd_lcore_id(sdp->lc));
	cfg.fdb_max_entries = sw->cfg.mac_limit;
	cfg.fdb_age_ns = (uint64_t)sw->cfg.mac_aging_s * 1000000000ull;
	sdp->vsw = vsw_switch_create(sw->name, &cfg);
	if (sdp->vsw == NULL) {
		free(sdp);
		snprintf(err, errlen, "cannot create the data-plane switch: %s",
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	ret = snd_lcore_call(sdp->lc, snd_call_add_switch, sdp->vsw);
	if (ret < 0) {
		vsw_switch_destroy(sdp->vsw);
		free(sdp);
		snprintf(err, errlen, "too many switches on the poll lcore");
		return ret;
	}
	d->nswitches[best]++;
	ret = 0;
	if (sw->cfg.type == SND_SWITCH_EXTERNAL) {
		ret = snd_uplink_open(sdp, sw->cfg.uplink, err, errlen);
	}
	if (ret == 0 && snd_switch_has_host_vnic(&sw->cfg)) {
		ret = snd_host_open(sdp, sw, &sw->cfg, err, errlen);
	}
	if (ret < 0) {
		snd_swdp_free(sdp); /* destroys the ports already added */
		return ret;
	}
	sw->dp = sdp;
	return 0;
}

void
snd_swdp_delete(void *ctx, struct snd_switch *sw)
{
	struct snd_swdp *sdp = sw->dp;

	(void)ctx;
	if (sdp == NULL) {
		return;
	}
	snd_swdp_free(sdp);
	sw->dp = NULL;
}

/* MAC table aging time and size limit. */
static int
snd_swdp_set_fdb(struct snd_swdp *sdp, const struct snd_switch_cfg *cfg,
		 uint32_t changed, char *err, size_t errlen)
{
	struct snd_port_call c = { .sdp = sdp };

	if (changed & SND_SWITCH_CHG_MAC_LIMIT) {
		c.fdb = vsw_switch_fdb_alloc(sdp->vsw, cfg->mac_limit,
			(int)rte_lcore_to_socket_id(snd_lcore_id(sdp->lc)));
		if (c.fdb == NULL) {
			snprintf(err, errlen, "cannot allocate a MAC table of "
				 "%u entries: %s", cfg->mac_limit,
				 rte_strerror(rte_errno));
			return -ENOMEM;
		}
		snd_lcore_call(sdp->lc, snd_call_fdb_swap, &c);
		vsw_switch_fdb_free(c.fdb);
	}
	if (changed & (SND_SWITCH_CHG_MAC_AGING | SND_SWITCH_CHG_MAC_LIMIT)) {
		c.age_ns = (uint64_t)cfg->mac_aging_s * 1000000000ull;
		snd_lcore_call(sdp->lc, snd_call_fdb_age, &c);
	}
	return 0;
}

int
snd_swdp_set(void *ctx, struct snd_switch *sw,
	     const struct snd_switch_cfg *cfg, uint32_t changed, char *err,
	     size_t errlen)
{
	struct snd_swdp *sdp = sw->dp;
	bool want_uplink = cfg->type == SND_SWITCH_EXTERNAL;
	bool want_host = snd_switch_has_host_vnic(cfg);
	bool new_uplink, new_host;
	int ret;

	(void)ctx;
	new_uplink = want_uplink &&
		     (sdp->uplink == NULL || (changed & SND_SWITCH_CHG_UPLINK));
	new_host = want_host &&
		   (sdp->host == NULL ||
		    (changed & (SND_SWITCH_CHG_HOST_IPS |
				SND_SWITCH_CHG_HOST_NETNS)));
	/*
	 * A replaced uplink must be closed before the new one is probed (the
	 * same device may be named again); if the new one fails the old one
	 * is re-opened, so a failed command leaves the switch as it was.
	 */
	if (new_uplink || !want_uplink) {
		snd_uplink_close(sdp);
	}
	if (new_uplink) {
		ret = snd_uplink_open(sdp, cfg->uplink, err, errlen);
		if (ret < 0) {
			if (sw->cfg.type == SND_SWITCH_EXTERNAL) {
				char e2[128];

				snd_uplink_open(sdp, sw->cfg.uplink, e2,
						sizeof(e2));
			}
			return ret;
		}
	}
	if (new_host || !want_host) {
		snd_host_close(sdp);
	}
	if (new_host) {
		ret = snd_host_open(sdp, sw, cfg, err, errlen);
		if (ret < 0) {
			if (snd_switch_has_host_vnic(&sw->cfg)) {
				char e2[128];

				snd_host_open(sdp, sw, &sw->cfg, e2,
					      sizeof(e2));
			}
			return ret;
		}
	}
	return snd_swdp_set_fdb(sdp, cfg, changed, err, errlen);
}

/* ---- timer ------------------------------------------------------------ */

void
snd_dp_tick(struct snd_daemon *d)
{
	struct snd_switch *sw = NULL;
	struct snd_swdp *sdp;
	uint32_t speed;
	bool up;

	while ((sw = snd_model_switch_next(d->model, sw)) != NULL) {
		sdp = sw->dp;
		if (sdp == NULL || sdp->uplink == NULL ||
		    snd_eth_port_link(sdp->uplink, &up, &speed) < 0 ||
		    up == sdp->uplink_link) {
			continue;
		}
		RTE_LOG(NOTICE, USER1, "switch %s: uplink link %s\n",
			sw->name, up ? "up" : "down");
		snd_swdp_tell_guests(sdp, up);
	}
}
