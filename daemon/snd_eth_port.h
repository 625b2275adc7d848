/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_eth_port.h - the uplink of an external switch: a DPDK ethdev given as
 * EAL device arguments and hot-plugged at run time ("net_af_packet0,
 * iface=eth1", "net_af_xdp0,iface=eth1", a PCI address such as
 * "0000:03:00.0"), as a vsw_port.
 *
 * One rx and one tx queue (1024 descriptors), promiscuous, mbufs from the
 * caller's pool.  Frames received with an 802.1Q/802.1ad tag inside the
 * frame are handed to the switch as they are (the policy engine
 * classifies them); a tag the PMD stripped into metadata stays metadata.
 * Frames the switch sends with VLAN metadata (RTE_MBUF_F_TX_VLAN or
 * RTE_MBUF_F_RX_VLAN with vlan_tci) leave with the tag inserted in
 * software, on a private copy when the mbuf is shared.
 *
 * Link state: the PMD's link (rte_eth_link_get_nowait), and for the
 * kernel-backed PMDs (af_packet, af_xdp), whose ethdev link is a constant
 * "up at 10 Gb/s" from start to stop, also the kernel interface's
 * administrative and operational state.  The port's link_up follows both,
 * re-read on the lcore at most every SND_ETH_LINK_CHECK_MS.
 *
 * Threading: create, snd_eth_port_link/_info/_id run on the control thread
 * (the thread that owns EAL device hot-plug); they never touch state the
 * lcore writes.  The port ops run on the lcore that owns the port.
 * Destroy (ops->destroy or snd_eth_port_destroy) stops, closes and
 * hot-unplugs the device; it may run on the lcore but takes as long as the
 * device needs to stop (af_xdp: unloading its XDP program), so the
 * preferred sequence is vsw_switch_detach_port() on the lcore, then
 * snd_eth_port_destroy() on the control thread.
 *
 * Errors: every function that can fail returns 0 or -errno and, when given
 * a buffer, a one-line message fit for the CLI, e.g.
 * "uplink 'net_af_packet0,iface=nope': no such interface 'nope'".
 */
#ifndef SND_ETH_PORT_H
#define SND_ETH_PORT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

struct vsw_port;

/* Descriptors per queue. */
#define SND_ETH_RING_SIZE 1024
/* Longest devargs string accepted (EAL's own limit is larger). */
#define SND_ETH_DEVARGS_MAX 256
/* Period of the link re-check on the lcore, milliseconds. */
#define SND_ETH_LINK_CHECK_MS 100

struct snd_eth_cfg {
	const char *name;               /* port name in the switch, e.g.
					 * "uplink"; 1..VSW_PORT_NAME_MAX-1 */
	const char *devargs;            /* EAL device arguments (copied) */
	uint16_t mtu;                   /* L3 MTU; 0 = 1500 */
	struct rte_mempool *pool;       /* rx mbufs and private tx copies;
					 * borrowed, must outlive the port
					 * (af_xdp receives into a private
					 * pool, see snd_eth_port.c) */
};

/* What the control thread can learn about an uplink. */
struct snd_eth_info {
	uint16_t port_id;               /* ethdev port id */
	char driver[32];                /* PMD name, "net_af_packet" */
	char device[64];                /* EAL device name */
	struct rte_ether_addr mac;      /* the device's MAC */
	bool link_up;                   /* the combined state (below) */
	bool ethdev_link_up;            /* as the PMD reports it */
	uint32_t speed_mbps;            /* PMD's speed, 0 = unknown */
	uint16_t mtu;                   /* ethdev MTU */
	uint16_t max_mtu;               /* largest MTU the device takes */
	bool kernel;                    /* backed by a kernel interface */
	char ifname[IF_NAMESIZE];       /* that interface, "" if none */
	bool kernel_admin_up;           /* its IFF_UP */
	bool kernel_oper_up;            /* its IFF_RUNNING (carrier) */
	uint32_t kernel_mtu;            /* its MTU, 0 if unknown */
};

/*
 * Hot-plug the device named by cfg->devargs, configure and start it, and
 * wrap it in a port (control thread).  On success *out is the port, owned
 * by the caller until it is added to a switch (then by the switch, which
 * calls ops->destroy); its link_up already reflects the device.
 * cfg and the strings in it are borrowed for the call only.
 *
 * Returns 0, or -errno with a message in err (if err != NULL, errlen > 0),
 * leaving nothing probed behind:
 *   -EINVAL  bad cfg or devargs, missing iface=, MTU out of the device's
 *            range, pool buffers too small for the MTU;
 *   -ENODEV  no driver/bus for the devargs, or no such kernel interface;
 *   -EEXIST  a device of that name is already probed (each uplink needs
 *            its own vdev name: net_af_packet0, net_af_packet1, ...);
 *   -EIO or the PMD's error  probe, configure or start failed.
 */
int
snd_eth_port_create(const struct snd_eth_cfg *cfg, struct vsw_port **out,
		    char *err, size_t errlen);

/*
 * Stop, close and hot-unplug the device, free every mbuf the port holds
 * and the port itself (= ops->destroy).  For a port that is not attached
 * to a switch (never added, or detached); NULL is a no-op.  The same
 * devargs may be probed again afterwards.
 */
void
snd_eth_port_destroy(struct vsw_port *port);

/*
 * Current link state and speed (Mb/s, 0 if unknown), read now from the
 * PMD and, for kernel-backed devices, the kernel interface (control
 * thread; no waiting for autonegotiation).  Either out pointer may be
 * NULL.  Returns 0 or -EINVAL (port is not an uplink).
 */
int
snd_eth_port_link(const struct vsw_port *port, bool *up, uint32_t *speed);

/*
 * Fill *info (control thread).  Kernel state is read through rtnetlink
 * (libnl-route-3).  Returns 0, -EINVAL (not an uplink, NULL info), or the
 * ethdev's error.  A failed kernel read leaves the kernel_* fields zero.
 */
int
snd_eth_port_info(const struct vsw_port *port, struct snd_eth_info *info);

/* The ethdev port id (e.g. for rte_eth_stats_get), or -EINVAL. */
int
snd_eth_port_id(const struct vsw_port *port);

/* True if port is an uplink created by snd_eth_port_create(). */
bool
snd_eth_port_is(const struct vsw_port *port);

#endif /* SND_ETH_PORT_H */
