/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_netvsc_port.h - a switch port backed by a guest's netvsc channel:
 * the nvsp_host protocol engine on the channel's rings, with frames copied
 * between guest memory and DPDK mbufs.
 */
#ifndef SND_NETVSC_PORT_H
#define SND_NETVSC_PORT_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

struct vsw_port;
struct vmb_host_channel;

struct snd_netvsc_cfg {
	const char *name;               /* port name, e.g. "vm1/eth0" */
	struct rte_ether_addr mac;      /* the adapter's MAC */
	uint16_t mtu;                   /* L3 MTU offered to the guest */
	uint64_t link_speed_bps;        /* reported link speed */
	struct rte_mempool *pool;       /* mbufs for frames from the guest */
	bool link_down;                 /* start with the link down (the
					 * switch's uplink is down) */
};

/*
 * Create the port for an opened channel (control thread).  ch is copied;
 * the rings, fds and mappings it points at are borrowed and must stay
 * valid until the port is destroyed (vmb_host's channel_close contract:
 * the port is removed from its switch before channel_close returns).
 * Returns the port (ownership passes to the switch once added) or NULL.
 */
struct vsw_port *
snd_netvsc_port_create(const struct snd_netvsc_cfg *cfg,
		       const struct vmb_host_channel *ch);

/* True when port is a netvsc port. */
bool
snd_netvsc_port_is(const struct vsw_port *port);

/*
 * The guest's link (RNDIS MEDIA_CONNECT / MEDIA_DISCONNECT indication,
 * spaced as the engine requires).  On the port's lcore.
 */
void
snd_netvsc_port_set_link(struct vsw_port *port, bool up);

/* Deliver unicast for any MAC to the guest (MAC spoofing allowed).  On
 * the port's lcore, or before the port is attached. */
void
snd_netvsc_port_set_spoofing(struct vsw_port *port, bool on);

/*
 * Add the port's protocol error counters (indexed by enum nvsp_host_err,
 * names from nvsp_host_err_name()) into acc[0 .. NVSP_HOST_ERR_MAX).
 * Callable from the control thread: the counters are single-writer u64s
 * and a torn read only makes a value momentarily stale.
 */
void
snd_netvsc_port_errors(const struct vsw_port *port, uint64_t *acc);

#endif /* SND_NETVSC_PORT_H */
