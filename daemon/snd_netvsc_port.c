/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_netvsc_port.c - netvsc guest channel as a vsw_port.
 *
 * Direction names follow the switch: rx_burst returns what the GUEST sent
 * (the engine's tx_frame callback copies each frame out of guest memory
 * into an mbuf chain); tx_burst hands frames to the engine, which copies
 * them into receive-buffer slots (nvsp_host_rx_frame) and batches them into
 * one transfer-page packet per flush.
 *
 * Everything here runs on the poll lcore except create (control thread,
 * before the port is attached) and destroy (lcore, or control thread when
 * the lcore is not running).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "nvsp_host.h"
#include "snd_lcore.h"
#include "snd_netvsc_port.h"
#include "vmb_host.h"
#include "vmb_map.h"
#include "vmb_ring.h"
#include "vmb_user.h"
#include "vsw_port.h"

/* Frames staged between the engine's tx_frame and rx_burst. */
#define SND_NV_STAGE 128
/* VMBus packets the engine may read per rx_burst (<= 8 frames each). */
#define SND_NV_POLL_BUDGET 8
/* Buffer pieces of one frame (an LSO super-packet is <= 33 segments). */
#define SND_NV_MAX_FRAGS 64
/* GPADLs a channel can hold references to (recv + send buffer + spare). */
#define SND_NV_MAX_GPADLS 8

struct snd_nv_gpadl {
	uint32_t handle;
	struct vmb_map_region *region;
};

struct snd_nv_port {
	struct vsw_port port;           /* must be first */
	struct nvsp_host *host;         /* protocol engine */
	struct vmb_host_channel ch;     /* rings + fds (borrowed) */
	struct rte_mempool *pool;       /* mbufs for guest frames */
	bool armed;                     /* interrupts unmasked for sleep */

	/* guest frames waiting for rx_burst: ring of SND_NV_STAGE */
	struct rte_mbuf *stage[SND_NV_STAGE];
	unsigned int stage_head;
	unsigned int stage_count;

	/* GPADL references the engine holds */
	struct snd_nv_gpadl gpadl[SND_NV_MAX_GPADLS];

	/* engine counters at the last flush, to turn into port counters */
	uint64_t last_rx_pkts;
	uint64_t last_rx_bytes;
	uint64_t last_ring_full;
};

static inline struct snd_nv_port *
snd_nv(struct vsw_port *port)
{
	return (struct snd_nv_port *)port;
}

/* ---- engine callbacks ---------------------------------------------- */

/* Copy a frame out of guest memory into a fresh mbuf chain. */
static struct rte_mbuf *
snd_nv_mbuf_from_frags(struct rte_mempool *pool, const struct nvsp_frag *f,
		       unsigned int nfrags, uint32_t len)
{
	struct rte_mbuf *head, *seg, *prev;
	unsigned int i = 0;
	uint32_t fo = 0, room, n;
	uint8_t *dst;

	head = rte_pktmbuf_alloc(pool);
	if (head == NULL) {
		return NULL;
	}
	seg = head;
	while (len > 0) {
		room = rte_pktmbuf_tailroom(seg);
		if (room == 0) {
			prev = seg;
			seg = rte_pktmbuf_alloc(pool);
			if (seg == NULL) {
				rte_pktmbuf_free(head);
				return NULL;
			}
			prev->next = seg;
			head->nb_segs++;
			continue;
		}
		while (i < nfrags && fo == f[i].len) {
			i++;
			fo = 0;
		}
		if (i == nfrags) {
			break;
		}
		n = RTE_MIN(RTE_MIN(room, len), f[i].len - fo);
		dst = rte_pktmbuf_mtod_offset(seg, uint8_t *, seg->data_len);
		memcpy(dst, f[i].addr + fo, n);
		seg->data_len += n;
		head->pkt_len += n;
		fo += n;
		len -= n;
	}
	return head;
}

static int
snd_nv_tx_frame(void *ctx, const struct nvsp_frag *frags, unsigned int nfrags,
		uint32_t frame_len, const struct nvsp_pktmeta *meta)
{
	struct snd_nv_port *p = ctx;
	struct rte_mbuf *m;
	unsigned int tail;

	if (p->stage_count == SND_NV_STAGE) {
		vsw_port_count_drop(&p->port, VSW_DROP_NO_MBUF, 1);
		return -ENOBUFS;
	}
	m = snd_nv_mbuf_from_frags(p->pool, frags, nfrags, frame_len);
	if (m == NULL) {
		vsw_port_count_drop(&p->port, VSW_DROP_NO_MBUF, 1);
		return -ENOMEM;
	}
	if (meta != NULL && (meta->flags & NVSP_META_VLAN) != 0) {
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = meta->vlan_tci;
	}
	tail = (p->stage_head + p->stage_count) % SND_NV_STAGE;
	p->stage[tail] = m;
	p->stage_count++;
	return 0;
}

static uint8_t *
snd_nv_gpadl_get(void *ctx, uint32_t handle, size_t *len)
{
	struct snd_nv_port *p = ctx;
	struct vmb_map_region *r;
	void *base = NULL;
	size_t l = 0;
	unsigned int i;

	for (i = 0; i < SND_NV_MAX_GPADLS; i++) {
		if (p->gpadl[i].region == NULL) {
			break;
		}
	}
	if (i == SND_NV_MAX_GPADLS) {
		return NULL;
	}
	r = vmb_host_gpadl_get(p->ch.conn, handle, &base, &l);
	if (r == NULL) {
		return NULL;
	}
	p->gpadl[i].handle = handle;
	p->gpadl[i].region = r;
	*len = l;
	return base;
}

static void
snd_nv_gpadl_put(void *ctx, uint32_t handle)
{
	struct snd_nv_port *p = ctx;
	unsigned int i;

	for (i = 0; i < SND_NV_MAX_GPADLS; i++) {
		if (p->gpadl[i].region != NULL &&
		    p->gpadl[i].handle == handle) {
			vmb_map_region_put(p->gpadl[i].region);
			p->gpadl[i].region = NULL;
			return;
		}
	}
}

static const uint8_t *
snd_nv_gpa(void *ctx, uint64_t gpa, uint32_t len)
{
	struct snd_nv_port *p = ctx;

	return vmb_map_gpa(p->ch.ram, gpa, len);
}

static void
snd_nv_signal_guest(void *ctx)
{
	struct snd_nv_port *p = ctx;

	vmb_user_signal(p->ch.intr_fd);
}

static const struct nvsp_host_ops snd_nv_host_ops = {
	.tx_frame = snd_nv_tx_frame,
	.gpadl_get = snd_nv_gpadl_get,
	.gpadl_put = snd_nv_gpadl_put,
	.gpa = snd_nv_gpa,
	.signal_guest = snd_nv_signal_guest,
};

/* ---- port ops ------------------------------------------------------ */

static uint16_t
snd_nv_rx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct snd_nv_port *p = snd_nv(port);
	uint16_t i;

	if (p->armed) {
		/* awake again: the guest need not signal while we poll */
		nvsp_host_disarm(p->host);
		p->armed = false;
	}
	if (p->stage_count < n) {
		nvsp_host_poll(p->host, SND_NV_POLL_BUDGET, snd_now_ns());
		port->link_up = nvsp_host_rx_ready(p->host);
	}
	for (i = 0; i < n && p->stage_count > 0; i++) {
		pkts[i] = p->stage[p->stage_head];
		p->stage_head = (p->stage_head + 1) % SND_NV_STAGE;
		p->stage_count--;
	}
	return i;
}

static enum vsw_drop_reason
snd_nv_drop_reason(int err)
{
	switch (err) {
	case -ENETDOWN:
		return VSW_DROP_LINK_DOWN;
	case -EPERM:
		return VSW_DROP_FILTER;
	case -EINVAL:
		return VSW_DROP_RUNT;
	case -ENOBUFS:
		return VSW_DROP_NO_RXBUF;
	case -EMSGSIZE:
		return VSW_DROP_MTU;
	default:
		return VSW_DROP_TX_ERROR;
	}
}

static uint16_t
snd_nv_tx_burst(struct vsw_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	struct snd_nv_port *p = snd_nv(port);
	struct nvsp_frag frags[SND_NV_MAX_FRAGS];
	struct nvsp_pktmeta meta;
	struct rte_mbuf *m, *seg;
	unsigned int nf;
	uint16_t i, sent = 0;
	int ret;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		nf = 0;
		for (seg = m; seg != NULL && nf < SND_NV_MAX_FRAGS;
		     seg = seg->next) {
			frags[nf].addr = rte_pktmbuf_mtod(seg, const uint8_t *);
			frags[nf].len = seg->data_len;
			nf++;
		}
		if (seg != NULL) {
			vsw_port_drop(port, m, VSW_DROP_TX_ERROR);
			continue;
		}
		memset(&meta, 0, sizeof(meta));
		if (m->ol_flags & (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_RX_VLAN)) {
			meta.flags |= NVSP_META_VLAN;
			meta.vlan_tci = m->vlan_tci;
		}
		ret = nvsp_host_rx_frame(p->host, frags, nf, m->pkt_len, &meta);
		if (ret < 0) {
			vsw_port_drop(port, m, snd_nv_drop_reason(ret));
			continue;
		}
		rte_pktmbuf_free(m);
		sent++;
	}
	return sent;
}

static void
snd_nv_flush(struct vsw_port *port)
{
	struct snd_nv_port *p = snd_nv(port);
	struct nvsp_host_stats st;

	nvsp_host_rx_flush(p->host);
	nvsp_host_get_stats(p->host, &st);
	/* the engine knows what reached the guest's ring: mirror it */
	vsw_port_count_tx(port, st.rx_packets - p->last_rx_pkts,
			  st.rx_bytes - p->last_rx_bytes);
	vsw_port_count_drop(port, VSW_DROP_RING_FULL,
			    st.err[NVSP_HOST_ERR_RING_FULL] - p->last_ring_full);
	p->last_rx_pkts = st.rx_packets;
	p->last_rx_bytes = st.rx_bytes;
	p->last_ring_full = st.err[NVSP_HOST_ERR_RING_FULL];
}

static int
snd_nv_wait_fd(struct vsw_port *port)
{
	return snd_nv(port)->ch.kick_fd;
}

static bool
snd_nv_arm_wait(struct vsw_port *port)
{
	struct snd_nv_port *p = snd_nv(port);

	p->armed = true;
	return nvsp_host_arm(p->host) || p->stage_count > 0;
}

static void
snd_nv_destroy(struct vsw_port *port)
{
	struct snd_nv_port *p = snd_nv(port);
	unsigned int i;

	nvsp_host_destroy(p->host);
	while (p->stage_count > 0) {
		rte_pktmbuf_free(p->stage[p->stage_head]);
		p->stage_head = (p->stage_head + 1) % SND_NV_STAGE;
		p->stage_count--;
	}
	for (i = 0; i < SND_NV_MAX_GPADLS; i++) {
		if (p->gpadl[i].region != NULL) {
			vmb_map_region_put(p->gpadl[i].region);
		}
	}
	rte_free(p);
}

static const struct vsw_port_ops snd_nv_ops = {
	.kind = "netvsc",
	.rx_burst = snd_nv_rx_burst,
	.tx_burst = snd_nv_tx_burst,
	.flush = snd_nv_flush,
	.wait_fd = snd_nv_wait_fd,
	.arm_wait = snd_nv_arm_wait,
	.destroy = snd_nv_destroy,
};

struct vsw_port *
snd_netvsc_port_create(const struct snd_netvsc_cfg *cfg,
		       const struct vmb_host_channel *ch)
{
	struct nvsp_host_cfg hc;
	struct snd_nv_port *p;

	p = rte_zmalloc("snd_nv_port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		return NULL;
	}
	p->ch = *ch;
	p->pool = cfg->pool;
	if (vsw_port_init(&p->port, &snd_nv_ops, cfg->name, &cfg->mac,
			  cfg->mtu, p) < 0) {
		rte_free(p);
		return NULL;
	}
	memset(&hc, 0, sizeof(hc));
	memcpy(hc.mac, cfg->mac.addr_bytes, sizeof(hc.mac));
	hc.mtu = cfg->mtu;
	hc.link_speed = cfg->link_speed_bps;
	hc.link_up = !cfg->link_down;
	hc.friendly_name = p->port.name; /* lives as long as the engine */
	p->host = nvsp_host_create(&hc, ch->rx, ch->tx, &snd_nv_host_ops, p);
	if (p->host == NULL) {
		rte_free(p);
		return NULL;
	}
	return &p->port;
}

bool
snd_netvsc_port_is(const struct vsw_port *port)
{
	return port != NULL && port->ops == &snd_nv_ops;
}

void
snd_netvsc_port_set_link(struct vsw_port *port, bool up)
{
	nvsp_host_set_link(snd_nv(port)->host, up, snd_now_ns());
}

void
snd_netvsc_port_set_spoofing(struct vsw_port *port, bool on)
{
	nvsp_host_set_rx_any_unicast(snd_nv(port)->host, on);
}

void
snd_netvsc_port_errors(const struct vsw_port *port, uint64_t *acc)
{
	const struct snd_nv_port *p = (const struct snd_nv_port *)port;
	struct nvsp_host_stats st;
	unsigned int e;

	nvsp_host_get_stats(p->host, &st);
	for (e = 0; e < NVSP_HOST_ERR_MAX; e++) {
		acc[e] += st.err[e];
	}
}
