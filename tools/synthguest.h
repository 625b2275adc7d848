/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synthguest.h - pieces of the synthguest tool shared between its files:
 * the TAP side (synthguest_tap.c) used by the main loop (synthguest.c).
 */
#ifndef SYNTHGUEST_H
#define SYNTHGUEST_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvsc_dev.h"

/* Most --ip options. */
#define SG_MAX_IPS 8

/* A TAP interface, possibly inside another network namespace. */
struct nl_sock;

struct sg_tap {
	/** TAP file descriptor (non-blocking), -1 when closed. */
	int fd;
	/** Interface index inside its namespace. */
	int ifindex;
	/** Interface name. */
	char ifname[IFNAMSIZ];
	/** Carrier state last set. */
	bool carrier;
	/** rtnetlink socket in the TAP's namespace, for its promiscuity
	 * (NULL when it could not be opened). */
	struct nl_sock *nl;
};

/* What sg_tap_open() sets up. */
struct sg_tap_cfg {
	/** Network namespace name (/var/run/netns/NAME) or NULL. */
	const char *netns;
	/** Interface name. */
	const char *ifname;
	/** MAC address (6 bytes). */
	const uint8_t *mac;
	/** MTU. */
	uint32_t mtu;
	/** Addresses in CIDR form ("10.0.0.1/24", "fd00::1/64"). */
	const char *ips[SG_MAX_IPS];
	/** Entries in ips. */
	unsigned int nips;
	/** Initial carrier state. */
	bool carrier;
};

/*
 * Check that network namespace name exists and can be entered.  Returns
 * 0 or -errno (-ENOENT: no such namespace); msg gets a one-line reason.
 */
int
sg_netns_check(const char *name, char *msg, size_t msglen);

/*
 * Create the TAP (IFF_TAP | IFF_NO_PI, non-blocking) inside c->netns
 * (entered with setns() on this thread, left again before returning),
 * set MAC, MTU, addresses, carrier and bring it up through libnl.
 * Returns 0 or -errno with a one-line reason in msg.
 */
int
sg_tap_open(const struct sg_tap_cfg *c, struct sg_tap *t, char *msg,
	    size_t msglen);

/* Set the carrier (TUNSETCARRIER).  Returns 0 or -errno. */
int
sg_tap_set_carrier(struct sg_tap *t, bool on);

/*
 * 1 when the TAP is in promiscuous mode (tcpdump, a bridge: the kernel's
 * promiscuity count, which SIOCGIFFLAGS does not show), 0 when not, or
 * -errno.  One netlink round trip: call it now and then, not per frame.
 */
int
sg_tap_promisc(struct sg_tap *t);

/* Close the TAP: the kernel removes the (non-persistent) interface. */
void
sg_tap_close(struct sg_tap *t);

/*
 * Read one frame into buf (cap bytes).  An 802.1Q tag is removed from the
 * frame and returned in meta (NVSC_TX_VLAN), as Linux netvsc sends it
 * (PPI, not in the frame).  *frame points into buf.
 * Returns the frame length, 0 when nothing is queued, or -errno.
 */
int
sg_tap_read(struct sg_tap *t, uint8_t *buf, size_t cap,
	    const uint8_t **frame, struct nvsc_txmeta *meta);

/*
 * Write one received frame, re-inserting the 802.1Q tag from meta.
 * Returns 0, -EAGAIN (TAP queue full: frame dropped) or -errno.
 */
int
sg_tap_write(struct sg_tap *t, const uint8_t *frame, uint32_t len,
	     const struct nvsc_rxmeta *meta);

#endif /* SYNTHGUEST_H */
