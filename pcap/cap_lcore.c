/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cap_lcore.c - the capture engine's lcore side: the port callback that
 * filters and copies, and attach/detach of captures to ports.  Everything
 * here runs on the poll lcore that serves the port: no allocation (except
 * capture mbufs from the dedicated pool), no locks, no system calls.
 */
#include <errno.h>
#include <limits.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "cap_frame.h"
#include "cap_pcapng.h"
#include "cap_priv.h"
#include "vsw_drop.h"
#include "vsw_stat.h"

uint8_t
cap_drop_dir(int reason)
{
	switch (reason) {
	/* Decided on the frame the port handed in (counted on input). */
	case VSW_DROP_RUNT:
	case VSW_DROP_BAD_RNDIS:
	case VSW_DROP_LOOP:
	case VSW_DROP_NO_PORT:
	case VSW_DROP_SPOOF:
	case VSW_DROP_DHCP_GUARD:
	case VSW_DROP_ROUTER_GUARD:
		return CAP_PCAPNG_DIR_IN;
	/* Decided on a frame on its way to the port (counted on output). */
	case VSW_DROP_RING_FULL:
	case VSW_DROP_MTU:
	case VSW_DROP_NO_RXBUF:
	case VSW_DROP_FILTER:
	case VSW_DROP_LINK_DOWN:
	case VSW_DROP_TX_ERROR:
		return CAP_PCAPNG_DIR_OUT;
	default:
		/* NO_MBUF, VLAN, BANDWIDTH, STORM: either side. */
		return 0;
	}
}

/* Capture up to VSW_BURST_MAX frames of a burst for one tap. */
static void
cap_tap_chunk(struct cap_tap *t, struct rte_mbuf *const *pkts, uint16_t n,
	      uint8_t dir, uint8_t reason, uint64_t tsc)
{
	struct cap_capture *c = t->cap;
	struct rte_mbuf *out[VSW_BURST_MAX];
	unsigned int room, k = 0, enq;
	uint64_t filtered = 0, lost = 0;
	uint16_t i;

	room = UINT_MAX; /* read the ring only if a frame matches */
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		struct cap_meta *meta;
		struct rte_mbuf *copy;

		if (c->filter != NULL && !cap_filter_match(c->filter, m)) {
			filtered++;
			continue;
		}
		if (room == UINT_MAX) {
			/* SP ring: exact; MP ring: an estimate, the
			 * enqueue decides. */
			room = rte_ring_free_count(c->ring);
		}
		if (k >= room) {
			lost++;
			continue;
		}
		copy = cap_frame_clone(c->pool, m, c->snaplen);
		if (unlikely(copy == NULL)) {
			lost++;
			continue;
		}
		meta = cap_meta_of(copy);
		meta->tsc = tsc;
		meta->orig_len = cap_frame_len(m);
		meta->iface = t->iface;
		meta->dir = dir;
		meta->reason = reason;
		out[k++] = copy;
	}
	enq = k != 0 ? rte_ring_enqueue_burst(c->ring, (void **)out, k, NULL) :
		       0;
	if (unlikely(enq < k)) {
		rte_pktmbuf_free_bulk(&out[enq], k - enq);
		lost += k - enq;
	}
	vsw_stat_add(&t->seen, n);
	if (filtered != 0) {
		vsw_stat_add(&t->filtered, filtered);
	}
	if (lost != 0) {
		vsw_stat_add(&t->lost, lost);
	}
	if (enq != 0) {
		vsw_stat_add(&t->captured, enq);
	}
}

void
cap_port_fn(void *ctx, struct vsw_port *port, enum vsw_cap_point point,
	    struct rte_mbuf *const *pkts, uint16_t n, int drop_reason)
{
	uint64_t tsc = 0;
	struct cap_tap *t;
	uint8_t dir, reason = 0;

	RTE_SET_USED(port);
	switch (point) {
	case VSW_CAP_IN:
		dir = CAP_PCAPNG_DIR_IN;
		break;
	case VSW_CAP_OUT:
		dir = CAP_PCAPNG_DIR_OUT;
		break;
	case VSW_CAP_DROP:
	default:
		dir = cap_drop_dir(drop_reason);
		reason = drop_reason >= 0 && drop_reason < VSW_DROP_MAX ?
				 (uint8_t)(drop_reason + 1) :
				 0;
		break;
	}
	for (t = ctx; t != NULL; t = t->next) {
		struct cap_capture *c = t->cap;
		uint16_t done, chunk;

		if ((c->points & (1u << point)) == 0 ||
		    !__atomic_load_n(&c->active, __ATOMIC_RELAXED)) {
			continue;
		}
		if (tsc == 0) {
			tsc = rte_get_tsc_cycles();
		}
		for (done = 0; done < n; done += chunk) {
			chunk = RTE_MIN((uint16_t)(n - done),
					(uint16_t)VSW_BURST_MAX);
			cap_tap_chunk(t, pkts + done, chunk, dir, reason, tsc);
		}
	}
}

int
cap_attach(struct cap_capture *c, unsigned int iface, struct vsw_port *port)
{
	struct cap_tap *t, *it;

	if (c == NULL || port == NULL || iface >= c->n_ifaces) {
		return -EINVAL;
	}
	t = &c->taps[iface];
	if (t->port != NULL) {
		return -EALREADY;
	}
	if (port->capture != NULL && port->capture != cap_port_fn) {
		return -EBUSY;
	}
	for (it = port->capture != NULL ? port->capture_ctx : NULL; it != NULL;
	     it = it->next) {
		if (it->cap == c) {
			return -EEXIST;
		}
	}
	t->next = port->capture != NULL ? port->capture_ctx : NULL;
	__atomic_store_n(&t->port, port, __ATOMIC_RELAXED);
	__atomic_store_n(&t->gone, 0, __ATOMIC_RELAXED);
	port->capture_ctx = t;
	port->capture = cap_port_fn;
	return 0;
}

/* Unlink t from its port's list (t attached). */
static void
cap_unlink(struct cap_tap *t)
{
	struct vsw_port *port = t->port;
	struct cap_tap **pp = (struct cap_tap **)&port->capture_ctx;

	while (*pp != NULL && *pp != t) {
		pp = &(*pp)->next;
	}
	if (*pp == t) {
		*pp = t->next;
	}
	t->next = NULL;
	if (port->capture_ctx == NULL) {
		port->capture = NULL;
	}
	__atomic_store_n(&t->port, NULL, __ATOMIC_RELAXED);
}

int
cap_detach(struct cap_capture *c, unsigned int iface)
{
	struct cap_tap *t;

	if (c == NULL || iface >= c->n_ifaces) {
		return -EINVAL;
	}
	t = &c->taps[iface];
	if (t->port == NULL) {
		return -ENOENT;
	}
	cap_unlink(t);
	return 0;
}

void
cap_port_detach_all(struct vsw_port *port)
{
	struct cap_tap *t;

	if (port == NULL || port->capture != cap_port_fn) {
		return;
	}
	while ((t = port->capture_ctx) != NULL) {
		cap_unlink(t);
		/* Pairs with the relaxed load in the writer; the writer
		 * then ends the capture if every interface is gone. */
		__atomic_store_n(&t->gone, 1, __ATOMIC_RELAXED);
	}
}
