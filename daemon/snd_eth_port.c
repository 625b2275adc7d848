/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_eth_port.c - DPDK ethdev uplink as a vsw_port (see snd_eth_port.h).
 *
 * What the kernel-backed PMDs of DPDK 22.11 do, and what we do about it:
 *
 * - Link: af_packet and af_xdp have no link_update; their ethdev link is
 *   "up, 10 Gb/s" from start to stop whatever the interface does.  We AND
 *   it with the interface's IFF_UP and IFF_RUNNING (carrier; for a veth,
 *   the peer being up), read with one SIOCGIFFLAGS ioctl on the lcore at
 *   most every SND_ETH_LINK_CHECK_MS (libnl allocates per request and its
 *   sockets are not thread-safe; the control thread uses libnl).
 * - MTU: af_packet reports max_rx_pktlen 1518, so the ethdev refuses any
 *   MTU above 1500 (its ring frames are 2048 bytes); af_xdp allows up to
 *   3542 (a page minus overheads).  Their mtu_set changes the kernel
 *   interface's MTU.  We never shrink a kernel interface's MTU: if it is
 *   already >= the requested MTU we leave it.
 * - VLAN: the kernel moves a received tag into skb metadata; af_packet puts
 *   it back into the frame (always with TPID 0x8100, even for an 802.1ad
 *   tag) and leaves RTE_MBUF_F_RX_VLAN set without RX_VLAN_STRIPPED.  In
 *   this switch a VLAN flag means "the tag is metadata, not in the bytes",
 *   so rx_burst clears RX_VLAN when the tag is still in the frame.
 * - TX VLAN: af_packet's "VLAN insert offload" is rte_vlan_insert(), which
 *   fails on a shared mbuf and then drops it silently.  We never use the
 *   offload: tags are inserted here, in place when the mbuf is ours alone,
 *   else on a private copy.
 * - af_xdp hands 2048 mbufs to its fill ring at rx queue setup and never
 *   returns them (not on close, not when the setup fails), and it cannot
 *   reopen an interface it used before in the same process.  So an af_xdp
 *   port receives into a private pool that destroy frees wholesale, and a
 *   failed or repeated create never drains the caller's pool.  Freeing it
 *   is safe because no mbuf outlives the poll pass that received it: every
 *   other port kind copies (netvsc, TAP, af_packet, capture) before
 *   returning from tx_burst.
 * - A devargs whose vdev name is already probed makes rte_dev_probe()
 *   return 0 without creating anything, and a missing interface makes it
 *   return -1; both are checked before probing for a clear message.
 */
/* rte_devargs_reset() is experimental in 22.11; this file only. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pci.h>

#include "snd_eth_port.h"
#include "vsw_port.h"

/* Frame overhead over the MTU: Ethernet header + one VLAN tag. */
#define SND_ETH_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
/* af_xdp's private rx pool: fill ring (2048) + rx ring + bursts + caches. */
#define SND_ETH_XDP_POOL_SIZE 4095u
#define SND_ETH_XDP_POOL_CACHE 128u

struct snd_eth_port {
	struct vsw_port port;           /* must be first */
	uint16_t port_id;               /* ethdev port id */
	bool started;                   /* device started (teardown) */
	bool kernel;                    /* af_packet/af_xdp: kernel iface */
	bool promisc_restore;           /* we turned kernel promisc on */
	int ifindex;                    /* kernel interface, or 0 */
	char ifname[IF_NAMESIZE];       /* its name at create (lcore may
					 * refresh it on rename) */
	int ctl_fd;                     /* AF_INET socket for SIOCGIFFLAGS,
					 * in the netns of create; or -1 */
	struct rte_mempool *pool;       /* caller's: rx, private tx copies */
	struct rte_mempool *own_pool;   /* af_xdp: private rx pool, or NULL */
	uint64_t check_period;          /* TSC cycles between link checks */
	uint64_t next_check;            /* TSC of the next link check */
	char bus[32];                   /* EAL bus name, for hot-unplug */
	char devname[RTE_DEV_NAME_MAX_LEN]; /* EAL device name */
	char devargs[SND_ETH_DEVARGS_MAX]; /* as given, for messages */
};

static const struct vsw_port_ops snd_eth_ops;

static inline struct snd_eth_port *
snd_eth(struct vsw_port *port)
{
	return (struct snd_eth_port *)port;
}

static inline const struct snd_eth_port *
snd_eth_const(const struct vsw_port *port)
{
	return (const struct snd_eth_port *)port;
}

bool
snd_eth_port_is(const struct vsw_port *port)
{
	return port != NULL && port->ops == &snd_eth_ops;
}

/* printf into the caller's error buffer (if any); returns err_code. */
static int
__rte_format_printf(4, 5)
snd_eth_err(char *err, size_t errlen, int err_code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return err_code;
}

/* ---- kernel interface state ------------------------------------------ */

/*
 * Kernel link flags by ioctl (lcore and create).  Re-resolves the name
 * from the ifindex once if the interface was renamed.  Returns the flags
 * or -errno.
 */
static int
snd_eth_kernel_flags(struct snd_eth_port *p)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (ioctl(p->ctl_fd, SIOCGIFFLAGS, &ifr) == 0) {
		return ifr.ifr_flags & 0xffff;
	}
	if (errno != ENODEV) {
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = p->ifindex;
	if (ioctl(p->ctl_fd, SIOCGIFNAME, &ifr) < 0) {
		return -ENODEV;
	}
	memcpy(p->ifname, ifr.ifr_name, sizeof(p->ifname));
	p->ifname[sizeof(p->ifname) - 1] = '\0';
	if (ioctl(p->ctl_fd, SIOCGIFFLAGS, &ifr) < 0) {
		return -errno;
	}
	return ifr.ifr_flags & 0xffff;
}

/* Re-read the link (lcore, or control thread before the port is added). */
static void
snd_eth_check_link(struct snd_eth_port *p)
{
	struct rte_eth_link link;
	bool up;
	int flags;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(p->port_id, &link) < 0) {
		link.link_status = RTE_ETH_LINK_DOWN;
	}
	up = link.link_status == RTE_ETH_LINK_UP;
	if (up && p->kernel) {
		flags = snd_eth_kernel_flags(p);
		up = flags >= 0 && (flags & IFF_UP) != 0 &&
		     (flags & IFF_RUNNING) != 0;
	}
	p->port.link_up = up;
}

/* Kernel state through rtnetlink (control thread). */
static void
snd_eth_kernel_info(const struct snd_eth_port *p, struct snd_eth_info *info)
{
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	unsigned int flags;
	char *name;

	sk = nl_socket_alloc();
	if (sk == NULL) {
		return;
	}
	if (nl_connect(sk, NETLINK_ROUTE) < 0 ||
	    rtnl_link_get_kernel(sk, p->ifindex, NULL, &link) < 0) {
		nl_socket_free(sk);
		return;
	}
	flags = rtnl_link_get_flags(link);
	info->kernel_admin_up = (flags & IFF_UP) != 0;
	info->kernel_oper_up = (flags & IFF_RUNNING) != 0;
	info->kernel_mtu = rtnl_link_get_mtu(link);
	name = rtnl_link_get_name(link);
	if (name != NULL) {
		snprintf(info->ifname, sizeof(info->ifname), "%s", name);
	}
	rtnl_link_put(link);
	nl_socket_free(sk);
}

/* ---- port ops ------------------------------------------------------- */

static uint16_t
snd_eth_rx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct snd_eth_port *p = snd_eth(port);
	uint64_t now = rte_get_tsc_cycles();
	uint16_t i, nb;

	if (unlikely(now >= p->next_check)) {
		p->next_check = now + p->check_period;
		snd_eth_check_link(p);
	}
	nb = rte_eth_rx_burst(p->port_id, 0, pkts, n);
	for (i = 0; i < nb; i++) {
		/* tag still in the frame: not metadata for this switch */
		if ((pkts[i]->ol_flags & (RTE_MBUF_F_RX_VLAN |
					  RTE_MBUF_F_RX_VLAN_STRIPPED)) ==
		    RTE_MBUF_F_RX_VLAN) {
			pkts[i]->ol_flags &= ~RTE_MBUF_F_RX_VLAN;
		}
	}
	return nb;
}

/*
 * The frame to send for m, which carries VLAN metadata: m itself with the
 * tag inserted in place when nobody else holds it, else a private copy
 * with the tag (and m's reference dropped).  The result has the tag in
 * its bytes and no VLAN flags.  Returns NULL with *why set when that is
 * impossible; m is then untouched and still the caller's to drop.
 */
static struct rte_mbuf *
snd_eth_tagged(struct snd_eth_port *p, struct rte_mbuf *m,
	       enum vsw_drop_reason *why)
{
	struct rte_mbuf *c = m;

	if (m->pkt_len < 2 * RTE_ETHER_ADDR_LEN) {
		*why = VSW_DROP_RUNT;
		return NULL;
	}
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	    rte_pktmbuf_headroom(m) < RTE_VLAN_HLEN ||
	    m->data_len < 2 * RTE_ETHER_ADDR_LEN) {
		/* shared with other ports (or awkward layout): copy */
		c = rte_pktmbuf_copy(m, p->pool, 0, UINT32_MAX);
		if (c == NULL) {
			*why = VSW_DROP_NO_MBUF;
			return NULL;
		}
	}
	/* vlan_tci holds the tag for RX_VLAN and TX_VLAN alike */
	if (rte_vlan_insert(&c) != 0) {
		if (c != m) {
			rte_pktmbuf_free(c);
		}
		*why = VSW_DROP_TX_ERROR;
		return NULL;
	}
	c->ol_flags &= ~(RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_RX_VLAN |
			 RTE_MBUF_F_RX_VLAN_STRIPPED);
	if (c != m) {
		rte_pktmbuf_free(m);
	}
	return c;
}

static uint16_t
snd_eth_tx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct snd_eth_port *p = snd_eth(port);
	struct rte_mbuf *out[VSW_BURST_MAX];
	uint32_t len[VSW_BURST_MAX];
	uint64_t bytes = 0;
	enum vsw_drop_reason why;
	struct rte_mbuf *m, *t;
	uint16_t i, k = 0, sent;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (k == RTE_DIM(out)) {
			/* contract: n <= VSW_BURST_MAX; never overflow */
			vsw_port_drop(port, m, VSW_DROP_TX_ERROR);
			continue;
		}
		if (m->ol_flags & (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_RX_VLAN)) {
			t = snd_eth_tagged(p, m, &why);
			if (t == NULL) {
				vsw_port_drop(port, m, why);
				continue;
			}
			m = t;
		}
		len[k] = m->pkt_len;
		out[k++] = m;
	}
	if (k == 0) {
		return 0;
	}
	sent = rte_eth_tx_burst(p->port_id, 0, out, k);
	for (i = 0; i < sent; i++) {
		bytes += len[i];
	}
	vsw_port_count_tx(port, sent, bytes);
	/* the device ring is full: what it did not take is dropped */
	vsw_port_drop_bulk(port, out + sent, k - sent, VSW_DROP_RING_FULL);
	return sent;
}

static void
snd_eth_teardown(struct snd_eth_port *p)
{
	int ret;

	if (p->started) {
		ret = rte_eth_dev_stop(p->port_id);
		if (ret < 0) {
			RTE_LOG(WARNING, USER1, "uplink '%s': stop: %s\n",
				p->devargs, rte_strerror(-ret));
		}
		p->started = false;
	}
	if (p->promisc_restore) {
		(void)rte_eth_promiscuous_disable(p->port_id);
	}
	(void)rte_eth_dev_close(p->port_id);
	ret = rte_eal_hotplug_remove(p->bus, p->devname);
	if (ret < 0) {
		RTE_LOG(WARNING, USER1, "uplink '%s': hot-unplug: %s\n",
			p->devargs, rte_strerror(-ret));
	}
	if (p->ctl_fd >= 0) {
		close(p->ctl_fd);
		p->ctl_fd = -1;
	}
	/* after close: the PMD's leaked fill-ring mbufs go with it */
	rte_mempool_free(p->own_pool);
	p->own_pool = NULL;
}

static void
snd_eth_destroy(struct vsw_port *port)
{
	struct snd_eth_port *p = snd_eth(port);

	snd_eth_teardown(p);
	rte_free(p);
}

static const struct vsw_port_ops snd_eth_ops = {
	.kind = "ethdev",
	.rx_burst = snd_eth_rx_burst,
	.tx_burst = snd_eth_tx_burst,
	.destroy = snd_eth_destroy,
};

/* ---- create ------------------------------------------------------- */

/* Kernel-backed vdev drivers whose iface= names a kernel interface. */
static bool
snd_eth_is_kernel_vdev(const char *devname)
{
	static const char *const prefixes[] = {
		"net_af_packet", "eth_af_packet", "net_af_xdp", "eth_af_xdp",
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(prefixes); i++) {
		if (strncmp(devname, prefixes[i], strlen(prefixes[i])) == 0) {
			return true;
		}
	}
	return false;
}

/* First ethdev port of EAL device `devname`, or -ENODEV. */
static int
snd_eth_find_port(const char *devname)
{
	struct rte_eth_dev_info info;
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		if (rte_eth_dev_info_get(pid, &info) != 0 ||
		    info.device == NULL) {
			continue;
		}
		if (strcmp(rte_dev_name(info.device), devname) == 0) {
			return pid;
		}
	}
	return -ENODEV;
}

/*
 * Parse devargs: EAL bus and device name (PCI names in their full
 * DDDD:BB:DD.F form), and check what can be checked before probing.
 */
static int
snd_eth_precheck(struct snd_eth_port *p, char *err, size_t errlen)
{
	struct rte_devargs da;
	struct rte_kvargs *kv;
	struct rte_pci_addr addr;
	const char *iface;
	int ret;

	memset(&da, 0, sizeof(da));
	ret = rte_devargs_parse(&da, p->devargs);
	if (ret < 0 || da.bus == NULL) {
		rte_devargs_reset(&da);
		return snd_eth_err(err, errlen, -ENODEV,
				   "uplink '%s': no DPDK driver or bus "
				   "recognises this device", p->devargs);
	}
	snprintf(p->bus, sizeof(p->bus), "%s", rte_bus_name(da.bus));
	snprintf(p->devname, sizeof(p->devname), "%s", da.name);
	if (strcmp(p->bus, "pci") == 0 &&
	    rte_pci_addr_parse(da.name, &addr) == 0) {
		rte_pci_device_name(&addr, p->devname, sizeof(p->devname));
	}
	ret = 0;
	if (snd_eth_is_kernel_vdev(p->devname)) {
		kv = rte_kvargs_parse(da.args, NULL);
		iface = kv != NULL ? rte_kvargs_get(kv, "iface") : NULL;
		if (iface == NULL || iface[0] == '\0') {
			ret = snd_eth_err(err, errlen, -EINVAL,
					  "uplink '%s': missing iface=",
					  p->devargs);
		} else if (if_nametoindex(iface) == 0) {
			ret = snd_eth_err(err, errlen, -ENODEV,
					  "uplink '%s': no such interface "
					  "'%s'", p->devargs, iface);
		}
		rte_kvargs_free(kv);
	}
	rte_devargs_reset(&da);
	if (ret == 0 && snd_eth_find_port(p->devname) >= 0) {
		ret = snd_eth_err(err, errlen, -EEXIST,
				  "uplink '%s': device '%s' is already in "
				  "use", p->devargs, p->devname);
	}
	return ret;
}

/* Largest MTU the ethdev layer will accept for this device. */
static uint32_t
snd_eth_max_mtu(const struct rte_eth_dev_info *info)
{
	uint32_t overhead, max = info->max_mtu;

	/* ethdev's rule: overhead from max_rx_pktlen and max_mtu */
	if (info->max_mtu != UINT16_MAX &&
	    info->max_rx_pktlen > info->max_mtu) {
		overhead = info->max_rx_pktlen - info->max_mtu;
	} else {
		overhead = RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	}
	if (info->max_rx_pktlen > overhead &&
	    info->max_rx_pktlen - overhead < max) {
		max = info->max_rx_pktlen - overhead;
	}
	return max;
}

/* The kernel interface's MTU (ioctl), or 0. */
static uint32_t
snd_eth_kernel_mtu(const struct snd_eth_port *p)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (ioctl(p->ctl_fd, SIOCGIFMTU, &ifr) < 0) {
		return 0;
	}
	return (uint32_t)ifr.ifr_mtu;
}

/* Kernel interface of a kernel-backed PMD; sets p->kernel. */
static int
snd_eth_bind_kernel(struct snd_eth_port *p, const struct rte_eth_dev_info *i,
		    char *err, size_t errlen)
{
	if (i->if_index == 0 || i->driver_name == NULL ||
	    (strcmp(i->driver_name, "net_af_packet") != 0 &&
	     strcmp(i->driver_name, "net_af_xdp") != 0)) {
		return 0;
	}
	p->ifindex = (int)i->if_index;
	if (if_indextoname(i->if_index, p->ifname) == NULL) {
		return snd_eth_err(err, errlen, -ENODEV,
				   "uplink '%s': kernel interface %u "
				   "vanished", p->devargs, i->if_index);
	}
	p->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->ctl_fd < 0) {
		return snd_eth_err(err, errlen, -errno,
				   "uplink '%s': socket: %s", p->devargs,
				   strerror(errno));
	}
	p->kernel = true;
	return 0;
}

/* af_xdp's private rx pool, shaped like the caller's. */
static int
snd_eth_own_pool(struct snd_eth_port *p)
{
	static unsigned int serial; /* control thread only */
	char name[RTE_MEMPOOL_NAMESIZE];
	uint16_t room = rte_pktmbuf_data_room_size(p->pool);
	int socket = rte_eth_dev_socket_id(p->port_id);

	snprintf(name, sizeof(name), "snd_xdp%u", serial++);
	p->own_pool = rte_pktmbuf_pool_create(name, SND_ETH_XDP_POOL_SIZE,
					      SND_ETH_XDP_POOL_CACHE, 0, room,
					      socket);
	return p->own_pool != NULL ? 0 : -rte_errno;
}

/* Configure 1+1 queues with the MTU; start. */
static int
snd_eth_setup(struct snd_eth_port *p, uint16_t mtu, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_mempool *rx_pool;
	struct rte_eth_conf conf;
	uint32_t room, max_mtu;
	int ret, promisc;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret < 0) {
		return snd_eth_err(err, errlen, ret, "uplink '%s': device "
				   "info: %s", p->devargs, rte_strerror(-ret));
	}
	ret = snd_eth_bind_kernel(p, &info, err, errlen);
	if (ret < 0) {
		return ret;
	}
	max_mtu = snd_eth_max_mtu(&info);
	if (mtu < info.min_mtu || mtu > max_mtu) {
		return snd_eth_err(err, errlen, -EINVAL, "uplink '%s': MTU %u "
				   "not supported by %s (range %u..%u)",
				   p->devargs, mtu, info.driver_name,
				   info.min_mtu, max_mtu);
	}
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = mtu;
	room = rte_pktmbuf_data_room_size(p->pool) - RTE_PKTMBUF_HEADROOM;
	if ((uint32_t)mtu + SND_ETH_OVERHEAD > room) {
		if (!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
			return snd_eth_err(err, errlen, -EINVAL,
					   "uplink '%s': MTU %u frames do not "
					   "fit the %u-byte mbufs and %s "
					   "cannot scatter", p->devargs, mtu,
					   room, info.driver_name);
		}
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	ret = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
	if (ret < 0) {
		return snd_eth_err(err, errlen, ret, "uplink '%s': configure: "
				   "%s", p->devargs, rte_strerror(-ret));
	}
	rx_pool = p->pool;
	if (strcmp(info.driver_name, "net_af_xdp") == 0) {
		ret = snd_eth_own_pool(p);
		if (ret < 0) {
			return snd_eth_err(err, errlen, ret, "uplink '%s': "
					   "mbuf pool: %s", p->devargs,
					   rte_strerror(-ret));
		}
		rx_pool = p->own_pool;
	}
	ret = rte_eth_rx_queue_setup(p->port_id, 0, SND_ETH_RING_SIZE,
				     rte_eth_dev_socket_id(p->port_id), NULL,
				     rx_pool);
	if (ret < 0) {
		return snd_eth_err(err, errlen, ret, "uplink '%s': rx queue: "
				   "%s%s", p->devargs, rte_strerror(-ret),
				   p->own_pool != NULL ? " (af_xdp cannot "
				   "create its XSK socket; it cannot reopen an "
				   "interface it used before in this process)" :
				   "");
	}
	ret = rte_eth_tx_queue_setup(p->port_id, 0, SND_ETH_RING_SIZE,
				     rte_eth_dev_socket_id(p->port_id), NULL);
	if (ret < 0) {
		return snd_eth_err(err, errlen, ret, "uplink '%s': tx queue: "
				   "%s", p->devargs, rte_strerror(-ret));
	}
	/* never shrink a kernel interface's MTU; grow it if needed */
	if (!p->kernel || snd_eth_kernel_mtu(p) < mtu) {
		ret = rte_eth_dev_set_mtu(p->port_id, mtu);
		if (ret < 0 && ret != -ENOTSUP) {
			return snd_eth_err(err, errlen, ret, "uplink '%s': "
					   "MTU %u: %s", p->devargs, mtu,
					   rte_strerror(-ret));
		}
	}
	if (p->kernel) {
		promisc = snd_eth_kernel_flags(p);
		p->promisc_restore = promisc >= 0 &&
				     (promisc & IFF_PROMISC) == 0;
	} else {
		p->promisc_restore = true;
	}
	ret = rte_eth_promiscuous_enable(p->port_id);
	if (ret < 0 && ret != -ENOTSUP) {
		return snd_eth_err(err, errlen, ret, "uplink '%s': "
				   "promiscuous mode: %s", p->devargs,
				   rte_strerror(-ret));
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret < 0) {
		return snd_eth_err(err, errlen, ret, "uplink '%s': start: %s",
				   p->devargs, rte_strerror(-ret));
	}
	p->started = true;
	return 0;
}

int
snd_eth_port_create(const struct snd_eth_cfg *cfg, struct vsw_port **out,
		    char *err, size_t errlen)
{
	struct rte_ether_addr mac;
	struct snd_eth_port *p;
	int ret;

	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if (cfg == NULL || out == NULL || cfg->devargs == NULL ||
	    cfg->pool == NULL || cfg->name == NULL) {
		return snd_eth_err(err, errlen, -EINVAL,
				   "uplink: missing name, devargs or pool");
	}
	*out = NULL;
	if (cfg->devargs[0] == '\0' ||
	    strlen(cfg->devargs) >= SND_ETH_DEVARGS_MAX) {
		return snd_eth_err(err, errlen, -EINVAL, "uplink: device "
				   "arguments empty or longer than %d bytes",
				   SND_ETH_DEVARGS_MAX - 1);
	}
	p = rte_zmalloc("snd_eth_port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		return snd_eth_err(err, errlen, -ENOMEM, "uplink '%s': out "
				   "of memory", cfg->devargs);
	}
	p->ctl_fd = -1;
	p->pool = cfg->pool;
	snprintf(p->devargs, sizeof(p->devargs), "%s", cfg->devargs);
	ret = vsw_port_init(&p->port, &snd_eth_ops, cfg->name, NULL,
			    cfg->mtu, p);
	if (ret < 0) {
		rte_free(p);
		return snd_eth_err(err, errlen, ret, "uplink '%s': bad port "
				   "name '%s'", cfg->devargs, cfg->name);
	}
	ret = snd_eth_precheck(p, err, errlen);
	if (ret < 0) {
		rte_free(p);
		return ret;
	}
	ret = rte_dev_probe(p->devargs);
	if (ret < 0) {
		rte_free(p);
		return snd_eth_err(err, errlen, ret == -1 ? -EIO : ret,
				   "uplink '%s': the driver refused the "
				   "device (%s; see the daemon log)",
				   cfg->devargs,
				   ret == -1 ? "probe failed" :
				   rte_strerror(-ret));
	}
	ret = snd_eth_find_port(p->devname);
	if (ret < 0) {
		(void)rte_eal_hotplug_remove(p->bus, p->devname);
		rte_free(p);
		return snd_eth_err(err, errlen, -ENODEV, "uplink '%s': "
				   "probed, but no Ethernet port appeared",
				   cfg->devargs);
	}
	p->port_id = (uint16_t)ret;
	ret = snd_eth_setup(p, p->port.mtu, err, errlen);
	if (ret < 0) {
		snd_eth_teardown(p);
		rte_free(p);
		return ret;
	}
	if (rte_eth_macaddr_get(p->port_id, &mac) == 0) {
		p->port.mac = mac;
	}
	p->check_period = rte_get_tsc_hz() / (1000 / SND_ETH_LINK_CHECK_MS);
	p->next_check = rte_get_tsc_cycles() + p->check_period;
	snd_eth_check_link(p);
	*out = &p->port;
	return 0;
}

void
snd_eth_port_destroy(struct vsw_port *port)
{
	if (port == NULL) {
		return;
	}
	RTE_ASSERT(snd_eth_port_is(port));
	snd_eth_destroy(port);
}

int
snd_eth_port_link(const struct vsw_port *port, bool *up, uint32_t *speed)
{
	const struct snd_eth_port *p;
	struct snd_eth_info info;
	int ret;

	if (!snd_eth_port_is(port)) {
		return -EINVAL;
	}
	p = snd_eth_const(port);
	ret = snd_eth_port_info(&p->port, &info);
	if (ret < 0) {
		return ret;
	}
	if (up != NULL) {
		*up = info.link_up;
	}
	if (speed != NULL) {
		*speed = info.link_up ? info.speed_mbps : 0;
	}
	return 0;
}

int
snd_eth_port_info(const struct vsw_port *port, struct snd_eth_info *info)
{
	const struct snd_eth_port *p;
	struct rte_eth_dev_info di;
	struct rte_eth_link link;
	int ret;

	if (!snd_eth_port_is(port) || info == NULL) {
		return -EINVAL;
	}
	p = snd_eth_const(port);
	memset(info, 0, sizeof(*info));
	info->port_id = p->port_id;
	ret = rte_eth_dev_info_get(p->port_id, &di);
	if (ret < 0) {
		return ret;
	}
	snprintf(info->driver, sizeof(info->driver), "%s",
		 di.driver_name != NULL ? di.driver_name : "");
	snprintf(info->device, sizeof(info->device), "%s", p->devname);
	info->max_mtu = (uint16_t)snd_eth_max_mtu(&di);
	(void)rte_eth_macaddr_get(p->port_id, &info->mac);
	(void)rte_eth_dev_get_mtu(p->port_id, &info->mtu);
	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(p->port_id, &link) == 0) {
		info->ethdev_link_up = link.link_status == RTE_ETH_LINK_UP;
		if (link.link_speed != RTE_ETH_SPEED_NUM_UNKNOWN) {
			info->speed_mbps = link.link_speed;
		}
	}
	info->link_up = info->ethdev_link_up;
	info->kernel = p->kernel;
	if (p->kernel) {
		snd_eth_kernel_info(p, info);
		info->link_up = info->link_up && info->kernel_admin_up &&
				info->kernel_oper_up;
	}
	return 0;
}

int
snd_eth_port_id(const struct vsw_port *port)
{
	if (!snd_eth_port_is(port)) {
		return -EINVAL;
	}
	return snd_eth_const(port)->port_id;
}
