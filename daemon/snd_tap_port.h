/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_tap_port.h - the host vNIC of a switch (Hyper-V's management OS
 * vNIC): a Linux TAP netdev that synthnetd creates, optionally inside
 * another network namespace, configures through rtnetlink (libnl-route-3:
 * MAC, MTU, IPv4/IPv6 addresses, up/down) and removes again, as a
 * vsw_port.
 *
 * Data path: the TAP is opened IFF_TAP | IFF_NO_PI (no virtio-net header:
 * no offloads, so the kernel hands us plain frames), nonblocking.  rx_burst
 * read()s one frame per syscall and tx_burst writev()s one frame per
 * syscall: a TAP has no shared ring, so these syscalls are the price of a
 * host vNIC (the kernel copies every frame in both directions).  Frames up
 * to SND_TAP_FRAME_MAX bytes are read into mbuf chains from the caller's
 * pool; VLAN tags the kernel sends (VLAN devices stacked on the TAP) are in
 * the frame bytes.  Frames the switch sends with VLAN metadata
 * (RTE_MBUF_F_TX_VLAN or RTE_MBUF_F_RX_VLAN with vlan_tci) are written
 * with the 802.1Q tag spliced in by the iovec, never by touching the
 * (possibly shared) mbuf.
 *
 * Link: the port's link_up follows the netdev's administrative state
 * (IFF_UP) and its mtu the netdev's MTU (capped at SND_TAP_MTU_MAX), both
 * re-read on the lcore at most every SND_TAP_CHECK_MS with one ioctl each,
 * so "ip link set vsw-x down" in the namespace works like
 * snd_tap_port_set_link().
 *
 * Threading: create, set_mtu, set_link and ifindex run on the control
 * thread and touch only the kernel and fields fixed at create, so they may
 * be called while an lcore owns the port.  They must not race with
 * destroy.  The port ops run on the owning lcore.  Destroy (ops->destroy
 * or snd_tap_port_destroy) closes the TAP, which removes the netdev and
 * its addresses; it may run on the lcore or, after vsw_switch_detach_port,
 * on the control thread.
 *
 * Errors: 0 or -errno, plus a one-line message for the CLI in the caller's
 * buffer (err may be NULL), e.g. "host vNIC 'vsw-lab': no such network
 * namespace 'lab'".
 */
#ifndef SND_TAP_PORT_H
#define SND_TAP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

struct vsw_port;

/* Largest MTU we configure (frames of 9014 bytes + one VLAN tag). */
#define SND_TAP_MTU_MAX 9000
/* Smallest MTU (IPv4's minimum; IPv6 addresses need 1280). */
#define SND_TAP_MTU_MIN 68
/* Largest frame rx_burst reads: MTU max + Ethernet header + VLAN tag. */
#define SND_TAP_FRAME_MAX (SND_TAP_MTU_MAX + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
/* Most addresses a host vNIC is created with. */
#define SND_TAP_ADDRS_MAX 16
/* Period of the admin-state/MTU re-check on the lcore, milliseconds. */
#define SND_TAP_CHECK_MS 100

struct snd_tap_cfg {
	const char *ifname;             /* netdev name, 1..15 bytes, no '/',
					 * ':', '%' or blanks; e.g. "vsw-lab" */
	const char *port_name;          /* port name in the switch; NULL =
					 * ifname */
	struct rte_ether_addr mac;      /* all-zero: random, locally
					 * administered unicast */
	uint16_t mtu;                   /* 0 = 1500; else 68..9000 */
	const char *const *addrs;       /* n_addrs CIDRs: "10.0.0.1/24",
					 * "fd00::1/64" (no prefix = /32,
					 * /128); may be NULL if n_addrs 0 */
	unsigned int n_addrs;           /* 0..SND_TAP_ADDRS_MAX */
	const char *netns;              /* target namespace: a name under
					 * /run/netns ("ip netns add"), an
					 * absolute path (/proc/PID/ns/net),
					 * or NULL = the caller's */
	bool start_down;                /* leave the netdev down (default:
					 * bring it up) */
	struct rte_mempool *pool;       /* rx mbufs; borrowed, must outlive
					 * the port; data room >= 600 */
};

/*
 * Create the TAP in the target namespace (opened there from a short-lived
 * helper thread that setns()es, so the netdev never exists in the
 * caller's namespace and the caller's thread never changes namespace),
 * set MAC and MTU, add the addresses, bring it up, and wrap it in a port
 * (control thread).  On success *out is the port, owned by the caller
 * until added to a switch; link_up and mtu already reflect the netdev.
 * cfg and its strings are borrowed for the call only.
 *
 * Returns 0, or -errno with a message, leaving no netdev behind:
 *   -EINVAL  bad name, MAC (multicast), MTU, address or pool;
 *   -ENOENT  no such network namespace;
 *   -EEXIST  a netdev of that name already exists in the namespace;
 *   -EPERM / -EACCES  not allowed (needs CAP_NET_ADMIN, CAP_SYS_ADMIN for
 *            another namespace);
 *   others   from the kernel (netlink, /dev/net/tun).
 */
int
snd_tap_port_create(const struct snd_tap_cfg *cfg, struct vsw_port **out,
		    char *err, size_t errlen);

/*
 * Set the netdev's MTU (control thread); the port's mtu follows within
 * SND_TAP_CHECK_MS.  Returns 0, -EINVAL (not a TAP port), -ERANGE (outside
 * SND_TAP_MTU_MIN..SND_TAP_MTU_MAX), or the kernel's error.
 */
int
snd_tap_port_set_mtu(struct vsw_port *port, uint16_t mtu, char *err,
		     size_t errlen);

/*
 * Bring the netdev up or down (control thread); the port's link_up
 * follows within SND_TAP_CHECK_MS.  Returns 0, -EINVAL, or the kernel's
 * error.
 */
int
snd_tap_port_set_link(struct vsw_port *port, bool up, char *err,
		      size_t errlen);

/* The netdev's ifindex in its namespace, or -EINVAL. */
int
snd_tap_port_ifindex(const struct vsw_port *port);

/*
 * Close the TAP (the kernel removes the netdev), free every mbuf the port
 * holds and the port (= ops->destroy).  For a port not attached to a
 * switch; NULL is a no-op.
 */
void
snd_tap_port_destroy(struct vsw_port *port);

/* True if port was created by snd_tap_port_create(). */
bool
snd_tap_port_is(const struct vsw_port *port);

#endif /* SND_TAP_PORT_H */
