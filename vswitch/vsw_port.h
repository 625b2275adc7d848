/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_port.h - a switch port: the provider interface every port kind
 * (netvsc guest channel, ethdev uplink, TAP host vNIC, emulated 21140)
 * implements, in the style of Open vSwitch's netdev-provider.h.
 *
 * Threading: a port belongs to the lcore that serves its switch.  Every ops
 * member is called on that lcore only, never concurrently, never from the
 * control thread.  The control thread may only read the counters in
 * vsw_port.stats (via vsw_port_stats_read()).
 *
 * Directions are named from the switch: "rx" is a frame the port hands to
 * the switch (what the guest/peer sent), "tx" a frame the switch hands to
 * the port (for the guest/peer to receive).
 *
 * Counters: the switch counts rx_packets/rx_bytes when frames enter it and
 * the drops it decides (LOOP, MTU, LINK_DOWN, ...); the port counts
 * tx_packets/tx_bytes (only it knows what reached the peer, use
 * vsw_port_count_tx()) and the drops it decides itself (RING_FULL,
 * NO_RXBUF, FILTER, BAD_RNDIS, ...; use vsw_port_drop()).
 */
#ifndef VSW_PORT_H
#define VSW_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vsw_drop.h"
#include "vsw_stat.h"

/* Largest burst any ops member is given or asked for. */
#define VSW_BURST_MAX 32
/* Port name buffer size, including the terminating NUL. */
#define VSW_PORT_NAME_MAX 64
/* Port id of a port that is not attached to a switch. */
#define VSW_PORT_ID_NONE UINT16_MAX
/* Default L3 MTU when vsw_port_init() is given 0. */
#define VSW_PORT_DEFAULT_MTU 1500

struct vsw_port;
struct vsw_switch;

/*
 * Per-port counters: single writer (the serving lcore), read from any
 * thread with vsw_port_stats_read().
 */
struct vsw_port_stats {
	uint64_t rx_packets;            /* frames the port gave the switch */
	uint64_t rx_bytes;              /* their bytes (pkt_len, no FCS) */
	uint64_t tx_packets;            /* frames delivered to the peer */
	uint64_t tx_bytes;              /* their bytes */
	uint64_t drops[VSW_DROP_MAX];   /* dropped frames, by reason */
};

/*
 * Policy hook (VLAN, MAC-spoofing/DHCP/router guards, meters, storm
 * control ...).  Filters a burst in place: keeps the accepted mbufs, in
 * order, at pkts[0 .. return), and drops every rejected one with
 * vsw_port_drop(port, m, reason).  n <= VSW_BURST_MAX.  May set
 * RTE_MBUF_F_RX_VLAN and vlan_tci on ingress to classify a frame into a
 * VLAN (the FDB key).  An egress hook may see mbufs shared with other
 * output ports (refcnt > 1): it must not write to them without making a
 * private copy first.
 */
typedef uint16_t (*vsw_port_hook_fn)(struct vsw_port *port,
				     struct rte_mbuf **pkts, uint16_t n);

/*
 * Capture points a packet capture can watch on a port (pcap/ attaches).
 * The callback runs on the port's lcore, must not keep or modify the
 * mbufs (it copies what it wants) and must not block.
 */
enum vsw_cap_point {
	VSW_CAP_IN = 0,   /* as the port handed it to the switch, before
			   * any ingress policy (what the guest sent) */
	VSW_CAP_OUT,      /* delivered to the port: after egress policy
			   * (VLAN handling), just before tx_burst */
	VSW_CAP_DROP,     /* dropped on this port; reason given */
};

typedef void (*vsw_capture_fn)(void *ctx, struct vsw_port *port,
			       enum vsw_cap_point point,
			       struct rte_mbuf *const *pkts, uint16_t n,
			       int drop_reason);

/*
 * Port provider operations.  rx_burst, tx_burst and destroy are mandatory;
 * the others may be NULL.  No member may call back into the switch
 * (add/remove ports, input) or block.
 */
struct vsw_port_ops {
	/* Kind name for the CLI ("netvsc", "ethdev", "tap", "tulip"). */
	const char *kind;

	/*
	 * Receive up to n (<= VSW_BURST_MAX) frames the peer sent into
	 * pkts[0 .. return).  Ownership of the returned mbufs passes to the
	 * caller.  Each mbuf is one complete Ethernet frame without FCS
	 * (pkt_len = frame length; may be chained).  Returns 0 when idle.
	 * Frames the port itself rejects (malformed RNDIS, ...) are dropped
	 * and counted here and never returned.
	 */
	uint16_t (*rx_burst)(struct vsw_port *port, struct rte_mbuf **pkts,
			     uint16_t n);

	/*
	 * Send n (<= VSW_BURST_MAX) frames to the peer.  CONSUMES all n
	 * mbufs regardless of success: the caller must not touch pkts[i]
	 * (or read its length) after the call.  Every frame that cannot be
	 * delivered is freed and counted with a reason (vsw_port_drop());
	 * every delivered one is counted with vsw_port_count_tx().  The port
	 * may keep frames queued internally until flush().  mbufs may be
	 * shared with other ports (refcnt > 1): treat them as read-only.
	 * Returns the number accepted for delivery (informational).
	 */
	uint16_t (*tx_burst)(struct vsw_port *port, struct rte_mbuf **pkts,
			     uint16_t n);

	/*
	 * Push partial batches: make everything accepted by tx_burst so far
	 * visible to the peer (e.g. write the ring index and signal the
	 * guest once per pass rather than per frame).  Called at the end of
	 * each poll pass for every port that was given frames.  NULL: no
	 * batching.
	 */
	void (*flush)(struct vsw_port *port);

	/*
	 * A file descriptor that becomes readable when the port has work
	 * (e.g. a VMBus channel's event fd), for the lcore to sleep on, or
	 * -1 if the port cannot wake a sleeping lcore (then the lcore must
	 * keep polling it or sleep with a timeout).  Stable for the life of
	 * the port; the port keeps ownership.  NULL: same as -1.
	 */
	int (*wait_fd)(struct vsw_port *port);

	/*
	 * Prepare to sleep: re-enable peer notifications (e.g. clear the
	 * ring's interrupt mask), then re-check for work that arrived in
	 * between.  Returns true if work is already pending, in which case
	 * the lcore must poll again instead of sleeping.  NULL: the port
	 * never has hidden pending work (returns false).
	 */
	bool (*arm_wait)(struct vsw_port *port);

	/*
	 * Release the port and everything it owns, including the memory of
	 * *port itself if the provider allocated it, and any mbufs it still
	 * holds.  Called by the switch when the port is removed (or the
	 * switch destroyed), after a final flush.  Never called twice.
	 */
	void (*destroy)(struct vsw_port *port);
};

/*
 * A port.  The provider allocates it (usually embedded in its own state,
 * or with `priv` pointing at that state), initialises it with
 * vsw_port_init(), then hands it to vsw_switch_add_port().
 */
struct vsw_port {
	const struct vsw_port_ops *ops; /* provider operations */
	void *priv;                     /* provider state, opaque to switch */
	struct vsw_switch *sw;          /* switch attached to, or NULL */
	uint16_t id;                    /* id in sw, or VSW_PORT_ID_NONE */
	uint16_t mtu;                   /* L3 MTU; frames > mtu + 14 (+4 if
					 * 802.1Q/802.1ad tagged) are dropped
					 * on output with reason MTU */
	bool link_up;                   /* peer ready: the switch sends only
					 * to link-up ports; set by the
					 * provider on the lcore */
	struct rte_ether_addr mac;      /* the adapter's own MAC */
	char name[VSW_PORT_NAME_MAX];   /* unique within the switch */

	/*
	 * Policy hooks (NULL = none).  ingress: run on every burst the
	 * port gives the switch, before learning and forwarding.  egress:
	 * run on every batch staged for this port, just before tx_burst.
	 * Set on the lcore only.
	 */
	vsw_port_hook_fn ingress;       /* ingress policy, or NULL */
	vsw_port_hook_fn egress;        /* egress policy, or NULL */
	void *policy;                   /* state for the hooks */

	/* Capture (NULL = none); set on the lcore only. */
	vsw_capture_fn capture;         /* called at every capture point */
	void *capture_ctx;              /* its state */

	/* Counters, on their own cache line (the control thread reads). */
	struct vsw_port_stats stats __rte_cache_aligned;
};

/*
 * Initialise a port before vsw_switch_add_port().  Zeroes *port, copies
 * name (must be 1..VSW_PORT_NAME_MAX-1 bytes) and mac (NULL = zero), sets
 * mtu (0 = VSW_PORT_DEFAULT_MTU), link down, no hooks, detached.  ops and
 * priv are borrowed and must outlive the port.
 * Returns 0, or -EINVAL (NULL port/ops/name, missing mandatory op, bad
 * name length).
 */
int
vsw_port_init(struct vsw_port *port, const struct vsw_port_ops *ops,
	      const char *name, const struct rte_ether_addr *mac,
	      uint16_t mtu, void *priv);

/* Copy the counters; callable from any thread. */
void
vsw_port_stats_read(const struct vsw_port *port, struct vsw_port_stats *out);

/* Count n frames dropped for `reason` (no mbuf to free). */
static inline void
vsw_port_count_drop(struct vsw_port *port, enum vsw_drop_reason reason,
		    uint64_t n)
{
	RTE_ASSERT((unsigned int)reason < VSW_DROP_MAX);
	vsw_stat_add(&port->stats.drops[reason], n);
}

/* Show frames to the port's capture, if one is attached. */
static inline void
vsw_port_capture(struct vsw_port *port, enum vsw_cap_point point,
		 struct rte_mbuf *const *pkts, uint16_t n, int reason)
{
	if (unlikely(port->capture != NULL) && n != 0) {
		port->capture(port->capture_ctx, port, point, pkts, n, reason);
	}
}

/* Count one drop for `reason` and free m (consumes m). */
static inline void
vsw_port_drop(struct vsw_port *port, struct rte_mbuf *m,
	      enum vsw_drop_reason reason)
{
	vsw_port_count_drop(port, reason, 1);
	vsw_port_capture(port, VSW_CAP_DROP, &m, 1, (int)reason);
	rte_pktmbuf_free(m);
}

/* Count n drops for `reason` and free pkts[0 .. n) (consumes them). */
static inline void
vsw_port_drop_bulk(struct vsw_port *port, struct rte_mbuf **pkts,
		   unsigned int n, enum vsw_drop_reason reason)
{
	if (n == 0) {
		return;
	}
	vsw_port_count_drop(port, reason, n);
	vsw_port_capture(port, VSW_CAP_DROP, pkts, (uint16_t)n, (int)reason);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Provider side of tx_burst: count frames delivered to the peer. */
static inline void
vsw_port_count_tx(struct vsw_port *port, uint64_t packets, uint64_t bytes)
{
	vsw_stat_add(&port->stats.tx_packets, packets);
	vsw_stat_add(&port->stats.tx_bytes, bytes);
}

/* Switch side: count frames received from the port. */
static inline void
vsw_port_count_rx(struct vsw_port *port, uint64_t packets, uint64_t bytes)
{
	vsw_stat_add(&port->stats.rx_packets, packets);
	vsw_stat_add(&port->stats.rx_bytes, bytes);
}

/* Sum of drops over all reasons (any thread). */
uint64_t
vsw_port_drops_total(const struct vsw_port *port);

#endif /* VSW_PORT_H */
