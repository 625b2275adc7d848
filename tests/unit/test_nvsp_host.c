/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nvsp_host.c - the host (netvsp) protocol engine, its receive-slot
 * allocator and its RNDIS device, driven the way a Linux netvsc guest
 * drives a Hyper-V host.
 *
 * The "guest" here is this file: real VMBus rings in plain memory (the
 * vmb_ring codec on both sides), guest RAM = one malloc'd array that the
 * engine's ops->gpa / ops->gpadl_get translate into.  Every packet the
 * guest writes is what Linux sends, built with the codecs:
 *  - NVSP setup sequence, sizes and values: drivers/net/hyperv/netvsc.c
 *    netvsc_connect_vsp() / negotiate_nvsp_ver() / netvsc_init_buf()
 *    (40-byte messages, INIT min = max, NDIS config mtu 1514 with
 *    ieee8021q | sriov | teaming | rsc at 6.1, NDIS 6.30, receive buffer
 *    16 MiB id 0xCAFE, send buffer id 0) - wire-facts section 4;
 *  - RNDIS control requests as SEND_RNDIS_PKT channel_type 1 in GPA-direct
 *    pages, in rndis_filter_device_add() order, with the info buffers
 *    rndis_filter_query_device() puts in (an NDIS_OFFLOAD header for the
 *    HW caps, rev 3 size 156 at NVSP >= 5; an RSS caps header);
 *  - offload parameters as rndis_netdev_set_hwcaps() sets them from our
 *    caps (rev 3, size 28, csum TX+RX, LSOv2 on);
 *  - TX data as netvsc_xmit() lays it out (header, PPIs at offset 36,
 *    frame after), batched in a send section padded to 8 (pkt_align);
 *    the "cp_partial" shape (last header in the section, its frame in
 *    GPA ranges); RX completions as 8-byte SEND_RNDIS_PKT_COMPLETE.
 * Replies are checked against what Linux checks before it accepts them
 * (rndis_query_hwcaps, netvsc_init_buf, rndis_filter_query_device).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndis_obj.h"
#include "nvsp.h"
#include "nvsp_host.h"
#include "nvsp_rndis_dev.h"
#include "nvsp_rxbuf.h"
#include "rndis_msg.h"
#include "rndis_ppi.h"
#include "vmb_pkt.h"
#include "vmb_ring.h"

/* --- guest memory map ---------------------------------------------------- */

#define PAGE		4096u
#define GMEM_SIZE	(24u << 20)
#define RBUF_GPA	(1u << 20)
#define RBUF_LEN	(16u << 20)		/* Linux default */
#define SBUF_GPA	(18u << 20)
#define SBUF_LEN	(170u * 6144u)		/* Linux: ~1 MiB */
#define SCRATCH_GPA	(20u << 20)		/* RNDIS requests, TX pages */
#define GPADL_RBUF	0x1001u
#define GPADL_SBUF	0x1002u
#define GPADL_SMALL	0x1003u			/* tiny receive buffer */
#define SMALL_GPA	(22u << 20)
#define RING_PAGES	32u
#define SLOT_1500	1856u	/* align64(256 + 1500 + 14 + 4 + 36) */
#define NOW0		UINT64_C(1000000000000)
#define SEC		UINT64_C(1000000000)

static const uint8_t our_mac[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };
static const uint8_t peer_mac[6] = { 0x00, 0x15, 0x5d, 0x0a, 0x0b, 0x0c };

/* One frame tx_frame() received. */
struct tx_rec {
	uint8_t frame[2048];	/* first bytes of the frame */
	uint32_t len;		/* frame_len */
	unsigned int nfrags;	/* fragments it came in */
	struct nvsp_pktmeta m;	/* metadata */
};

#define TX_RECS 16

/* The test environment: guest side plus engine. */
struct env {
	uint8_t *gmem;			/* guest RAM */
	uint8_t *ring_mem[2];		/* G->H, H->G ring memory */
	struct vmb_ring g2h_host;	/* engine's reader view */
	struct vmb_ring g2h_guest;	/* guest's writer view */
	struct vmb_ring h2g_host;	/* engine's writer view */
	struct vmb_ring h2g_guest;	/* guest's reader view */
	struct nvsp_host *h;		/* engine */
	struct nvsp_host_cfg cfg;	/* its config */
	uint32_t small_len;		/* bytes of the GPADL_SMALL buffer */
	uint64_t rbuf_gpa;		/* guest address of the receive buf */
	int refs[3];			/* GPADL references held */
	unsigned int signals;		/* signal_guest() calls */
	unsigned int logs;		/* log() calls */
	unsigned int ntx;		/* tx_frame() calls */
	struct tx_rec tx[TX_RECS];	/* the first TX_RECS of them */
	int tx_ret;			/* what tx_frame() returns */
	uint64_t now;			/* clock */
	uint64_t tid;			/* next guest transaction id */
	uint32_t req_id;		/* next RNDIS request id */
	bool guest_signal_host;		/* a guest read owed us a signal */
};

/* One packet the guest read from the H->G ring. */
struct hpkt {
	uint16_t type;			/* VMB_PKT_* */
	uint16_t flags;			/* descriptor flags */
	uint64_t tid;			/* trans_id */
	uint8_t nvsp[64];		/* NVSP payload (first bytes) */
	uint32_t nvsp_len;		/* payload bytes */
	uint16_t pageset;		/* type 7 */
	uint32_t nranges;		/* type 7 */
	uint32_t r_off[NVSP_HOST_RX_BATCH_MAX];	/* range offsets */
	uint32_t r_len[NVSP_HOST_RX_BATCH_MAX];	/* range lengths */
};

static struct hpkt hp, hp2;

/* --- ops ----------------------------------------------------------------- */

static int
op_tx_frame(void *ctx, const struct nvsp_frag *frags, unsigned int nfrags,
	    uint32_t frame_len, const struct nvsp_pktmeta *m)
{
	struct env *e = ctx;
	uint32_t sum = 0, cp = 0;
	unsigned int i;

	assert_true(nfrags > 0);
	for (i = 0; i < nfrags; i++) {
		assert_non_null(frags[i].addr);
		assert_true(frags[i].len > 0);
		sum += frags[i].len;
	}
	assert_int_equal(sum, frame_len);
	if (e->ntx < TX_RECS) {
		struct tx_rec *r = &e->tx[e->ntx];

		for (i = 0; i < nfrags && cp < sizeof(r->frame); i++) {
			uint32_t k = frags[i].len;

			if (k > sizeof(r->frame) - cp) {
				k = sizeof(r->frame) - cp;
			}
			memcpy(r->frame + cp, frags[i].addr, k);
			cp += k;
		}
		r->len = frame_len;
		r->nfrags = nfrags;
		r->m = *m;
	}
	e->ntx++;
	return e->tx_ret;
}

static uint8_t *
op_gpadl_get(void *ctx, uint32_t gpadl, size_t *len)
{
	struct env *e = ctx;

	switch (gpadl) {
	case GPADL_RBUF:
		e->refs[0]++;
		*len = RBUF_LEN;
		return e->gmem + RBUF_GPA;
	case GPADL_SBUF:
		e->refs[1]++;
		*len = SBUF_LEN;
		return e->gmem + SBUF_GPA;
	case GPADL_SMALL:
		e->refs[2]++;
		*len = e->small_len;
		return e->gmem + SMALL_GPA;
	default:
		return NULL;
	}
}

static void
op_gpadl_put(void *ctx, uint32_t gpadl)
{
	struct env *e = ctx;

	switch (gpadl) {
	case GPADL_RBUF:
		e->refs[0]--;
		break;
	case GPADL_SBUF:
		e->refs[1]--;
		break;
	case GPADL_SMALL:
		e->refs[2]--;
		break;
	default:
		fail_msg("put of unknown gpadl %u", gpadl);
	}
}

static const uint8_t *
op_gpa(void *ctx, uint64_t gpa, uint32_t len)
{
	struct env *e = ctx;

	if (gpa > GMEM_SIZE || len > GMEM_SIZE - gpa) {
		return NULL;
	}
	return e->gmem + gpa;
}

static void
op_signal(void *ctx)
{
	((struct env *)ctx)->signals++;
}

static void
op_log(void *ctx, int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	((struct env *)ctx)->logs++;
}

static const struct nvsp_host_ops test_ops = {
	.tx_frame = op_tx_frame,
	.gpadl_get = op_gpadl_get,
	.gpadl_put = op_gpadl_put,
	.gpa = op_gpa,
	.signal_guest = op_signal,
	.log = op_log,
};

/* --- environment --------------------------------------------------------- */

static void
ring_setup(struct env *e, int i, uint32_t pages, struct vmb_ring *host,
	   struct vmb_ring *guest)
{
	size_t len = (size_t)(pages + 1) * PAGE;

	e->ring_mem[i] = aligned_alloc(PAGE, len);
	assert_non_null(e->ring_mem[i]);
	memset(e->ring_mem[i], 0, len);
	assert_int_equal(vmb_ring_init(guest, e->ring_mem[i], len), 0);
	vmb_ring_ctl_init(guest, VMB_RING_FEAT_PENDING_SEND_SZ);
	assert_int_equal(vmb_ring_init(host, e->ring_mem[i], len), 0);
}

static struct env *
env_new(uint32_t h2g_pages, const struct nvsp_host_cfg *cfg)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->gmem = calloc(1, GMEM_SIZE);
	assert_non_null(e->gmem);
	ring_setup(e, 0, RING_PAGES, &e->g2h_host, &e->g2h_guest);
	ring_setup(e, 1, h2g_pages, &e->h2g_host, &e->h2g_guest);
	if (cfg != NULL) {
		e->cfg = *cfg;
	} else {
		memcpy(e->cfg.mac, our_mac, 6);
		e->cfg.link_up = true;
		e->cfg.friendly_name = "synthnet test";
	}
	e->h = nvsp_host_create(&e->cfg, &e->g2h_host, &e->h2g_host,
				&test_ops, e);
	assert_non_null(e->h);
	e->now = NOW0;
	e->tid = 0x100;
	e->req_id = 1;
	e->rbuf_gpa = RBUF_GPA;
	return e;
}

static void
env_free(struct env *e)
{
	nvsp_host_destroy(e->h);
	assert_int_equal(e->refs[0], 0);
	assert_int_equal(e->refs[1], 0);
	assert_int_equal(e->refs[2], 0);
	free(e->ring_mem[0]);
	free(e->ring_mem[1]);
	free(e->gmem);
	free(e);
}

static int
setup(void **state)
{
	*state = env_new(RING_PAGES, NULL);
	return 0;
}

static int
setup_small_ring(void **state)
{
	*state = env_new(2, NULL);
	return 0;
}

static int
teardown(void **state)
{
	env_free(*state);
	return 0;
}

static uint64_t
err_count(struct env *e, enum nvsp_host_err k)
{
	struct nvsp_host_stats s;

	nvsp_host_get_stats(e->h, &s);
	return s.err[k];
}

static struct nvsp_host_stats
stats(struct env *e)
{
	struct nvsp_host_stats s;

	nvsp_host_get_stats(e->h, &s);
	return s;
}

static struct nvsp_host_info
info(struct env *e)
{
	struct nvsp_host_info i;

	nvsp_host_get_info(e->h, &i);
	return i;
}

static int
poll_host(struct env *e)
{
	return nvsp_host_poll(e->h, 4096, e->now);
}

/* --- guest side: writing G->H -------------------------------------------- */

static void
g_write(struct env *e, const void *hdr, size_t hlen, const void *pl,
	size_t plen)
{
	struct vmb_iov iov[2] = {
		{ .base = hdr, .len = hlen },
		{ .base = pl, .len = plen },
	};
	bool sig;

	assert_int_equal(vmb_ring_write(&e->g2h_guest, iov, 2, &sig), 0);
}

/* Raw inband packet with payload pl[0, plen). */
static void
g_inband_raw(struct env *e, uint16_t flags, uint64_t tid, const void *pl,
	     size_t plen)
{
	uint8_t hdr[16];

	assert_int_equal(vmb_pkt_enc_inband(hdr, sizeof(hdr), flags, tid,
					    plen), 16);
	g_write(e, hdr, 16, pl, plen);
}

/* NVSP message m, padded to 40 bytes like Linux. */
static void
g_nvsp(struct env *e, const struct nvsp_msg *m, uint16_t flags, uint64_t tid)
{
	uint8_t buf[64];
	int n = nvsp_encode(m, buf, sizeof(buf), NVSP_MSG_SIZE_V61);

	assert_true(n > 0);
	g_inband_raw(e, flags, tid, buf, (size_t)n);
}

/* One piece of a GPA-direct payload: gpa .. gpa + len. */
struct piece {
	uint64_t gpa;
	uint32_t len;
};

/* SEND_RNDIS_PKT in a GPA-direct packet with the given ranges. */
static void
g_rndis_gpa(struct env *e, uint32_t chan_type, uint32_t section,
	    uint32_t section_size, const struct piece *pc, unsigned int n,
	    uint64_t tid)
{
	static uint64_t pfns[8][64];
	struct vmb_gpa_buf r[8];
	uint8_t hdr[2048], pl[64];
	struct nvsp_msg m;
	unsigned int i, k;
	int hl, plen;

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		uint32_t off = (uint32_t)(pc[i].gpa % PAGE);
		uint32_t cnt = (off + pc[i].len + PAGE - 1) / PAGE;

		assert_true(cnt <= 64);
		for (k = 0; k < cnt; k++) {
			pfns[i][k] = pc[i].gpa / PAGE + k;
		}
		r[i].byte_count = pc[i].len;
		r[i].byte_offset = off;
		r[i].pfn = pfns[i];
	}
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = chan_type;
	m.rndis_pkt.section_index = section;
	m.rndis_pkt.section_size = section_size;
	plen = nvsp_encode(&m, pl, sizeof(pl), NVSP_MSG_SIZE_V61);
	assert_true(plen > 0);
	hl = vmb_pkt_enc_gpa(hdr, sizeof(hdr),
			     VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, r, n,
			     (size_t)plen);
	assert_true(hl > 0);
	g_write(e, hdr, (size_t)hl, pl, (size_t)plen);
}

/* SEND_RNDIS_PKT (data) naming a send section, inband. */
static void
g_rndis_section(struct env *e, uint32_t section, uint32_t size, uint64_t tid)
{
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = NVSP_CHANNEL_TYPE_DATA;
	m.rndis_pkt.section_index = section;
	m.rndis_pkt.section_size = size;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
}

/* The guest's RX completion: 8-byte SEND_RNDIS_PKT_COMPLETE (Linux). */
static void
g_rx_comp(struct env *e, uint64_t tid)
{
	uint8_t hdr[16], pl[8];

	sn_put_le32(pl, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	sn_put_le32(pl + 4, NVSP_STAT_SUCCESS);
	assert_int_equal(vmb_pkt_enc_comp(hdr, sizeof(hdr), tid, 8), 16);
	g_write(e, hdr, 16, pl, 8);
}

/* Complete an RX / control packet and let the engine take it now. */
static void
g_rx_comp_now(struct env *e, uint64_t tid)
{
	g_rx_comp(e, tid);
	assert_int_equal(nvsp_host_poll(e->h, 1, e->now), 1);
}

/* --- guest side: reading H->G -------------------------------------------- */

/* Next H->G packet into *o; returns 1, or 0 when the ring is empty. */
static int
g_next(struct env *e, struct hpkt *o)
{
	static uint8_t buf[8192];
	struct vmb_pkt p;
	size_t len;
	uint32_t i;
	int rc;

	rc = vmb_ring_peek(&e->h2g_guest, buf, sizeof(buf), &len);
	if (rc == -EAGAIN) {
		return 0;
	}
	assert_int_equal(rc, 0);
	e->guest_signal_host |= vmb_ring_read_commit(&e->h2g_guest);
	assert_int_equal(vmb_pkt_decode(buf, len, &p), 0);
	memset(o, 0, offsetof(struct hpkt, r_off));
	o->type = p.type;
	o->flags = p.flags;
	o->tid = p.trans_id;
	o->nvsp_len = p.payload_len;
	memcpy(o->nvsp, p.payload, p.payload_len < 64 ? p.payload_len : 64);
	if (p.type == VMB_PKT_DATA_USING_XFER_PAGES) {
		o->pageset = p.xfer_pageset_id;
		o->nranges = p.range_cnt;
		assert_true(p.range_cnt <= NVSP_HOST_RX_BATCH_MAX);
		for (i = 0; i < p.range_cnt; i++) {
			assert_int_equal(vmb_pkt_xfer_range(&p, i, &o->r_len[i],
							    &o->r_off[i]), 0);
		}
	}
	return 1;
}

/* Expect the next packet to be a completion for tid; return its NVSP. */
static struct nvsp_msg
g_expect_comp(struct env *e, uint64_t tid)
{
	struct nvsp_msg m;

	assert_int_equal(g_next(e, &hp), 1);
	assert_int_equal(hp.type, VMB_PKT_COMP);
	assert_int_equal(hp.tid, tid);
	assert_int_equal(nvsp_decode(hp.nvsp, hp.nvsp_len, &m), 0);
	return m;
}

/* Expect a SEND_RNDIS_PKT_COMPLETE for tid with status st. */
static void
g_expect_pkt_comp(struct env *e, uint64_t tid, uint32_t st)
{
	struct nvsp_msg m = g_expect_comp(e, tid);

	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	assert_int_equal(m.rndis_pkt_comp.status, st);
}

static void
g_expect_empty(struct env *e)
{
	assert_int_equal(g_next(e, &hp2), 0);
}

/*
 * Expect a control transfer-page packet: one range in a control slot,
 * NVSP SEND_RNDIS_PKT channel 1.  Copies the RNDIS message into out and
 * returns its length; leaves the slot with the guest (tid in *tid).
 */
static uint32_t
g_expect_ctl(struct env *e, uint8_t *out, uint32_t cap, uint64_t *tid)
{
	struct nvsp_msg m;

	assert_int_equal(g_next(e, &hp), 1);
	assert_int_equal(hp.type, VMB_PKT_DATA_USING_XFER_PAGES);
	assert_int_equal(hp.flags, VMB_PKT_FLAG_COMPLETION_REQUESTED);
	assert_int_equal(hp.pageset, NVSP_RECV_BUF_ID);
	assert_int_equal(hp.nranges, 1);
	assert_true(hp.nvsp_len >= 16);
	assert_int_equal(nvsp_decode(hp.nvsp, hp.nvsp_len, &m), 0);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	assert_int_equal(m.rndis_pkt.channel_type, NVSP_CHANNEL_TYPE_CONTROL);
	/* A control slot: one of the first 16. */
	assert_true(hp.r_off[0] < NVSP_HOST_CTL_SLOTS * info(e).recv_slot_size);
	assert_int_equal(hp.r_off[0] % info(e).recv_slot_size, 0);
	assert_true(hp.r_len[0] <= cap);
	memcpy(out, e->gmem + e->rbuf_gpa + hp.r_off[0], hp.r_len[0]);
	*tid = hp.tid;
	return hp.r_len[0];
}

/* --- guest side: RNDIS control round trips ------------------------------- */

/*
 * Send RNDIS control message msg like rndis_filter_send_request(): in
 * guest pages at gpa (may straddle a page: two ranges), GPA-direct,
 * channel type 1, no section.
 */
static uint64_t
g_ctl_send(struct env *e, const void *msg, uint32_t len, uint64_t gpa)
{
	struct piece pc[2];
	unsigned int n = 1;
	uint64_t tid = e->tid++;

	memcpy(e->gmem + gpa, msg, len);
	pc[0].gpa = gpa;
	pc[0].len = len;
	if (gpa % PAGE + len > PAGE) {
		pc[0].len = PAGE - (uint32_t)(gpa % PAGE);
		pc[1].gpa = gpa + pc[0].len;
		pc[1].len = len - pc[0].len;
		n = 2;
	}
	g_rndis_gpa(e, NVSP_CHANNEL_TYPE_CONTROL, NVSP_SECTION_INDEX_NONE, 0,
		    pc, n, tid);
	return tid;
}

/*
 * Full round trip: send, poll, expect SUCCESS and one reply (copied into
 * out), complete the reply's slot.  Returns the reply length.
 */
static uint32_t
ctl_rt(struct env *e, const void *msg, uint32_t len, uint8_t *out,
       uint32_t cap)
{
	uint64_t tid = g_ctl_send(e, msg, len, SCRATCH_GPA + 0x180);
	uint64_t rtid;
	uint32_t n;

	assert_int_equal(poll_host(e), 1);
	/* The completion is written at once, the reply when a control
	 * slot is taken at the end of the poll. */
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	n = g_expect_ctl(e, out, cap, &rtid);
	g_rx_comp_now(e, rtid);
	return n;
}

/* QUERY oid with optional info; decode the completion into *c. */
static uint32_t
query(struct env *e, uint32_t oid, const void *in, uint32_t inlen,
      struct rndis_msg *c, uint8_t *store)
{
	uint8_t req[1024];
	uint32_t id = e->req_id++;
	int n = rndis_encode_query(req, sizeof(req), id, oid, in, inlen);
	uint32_t rl;

	assert_true(n > 0);
	rl = ctl_rt(e, req, (uint32_t)n, store, 1024);
	assert_int_equal(rndis_decode(store, rl, c), (int)rl);
	assert_int_equal(c->type, RNDIS_MSG_QUERY_CMPLT);
	assert_int_equal(c->u.info_cmplt.req_id, id);
	return c->u.info_cmplt.status;
}

/* SET oid; returns the completion status. */
static uint32_t
set(struct env *e, uint32_t oid, const void *in, uint32_t inlen)
{
	uint8_t req[1024], rep[1024];
	uint32_t id = e->req_id++;
	int n = rndis_encode_set(req, sizeof(req), id, oid, in, inlen);
	struct rndis_msg c;
	uint32_t rl;

	assert_true(n > 0);
	rl = ctl_rt(e, req, (uint32_t)n, rep, sizeof(rep));
	assert_int_equal(rndis_decode(rep, rl, &c), (int)rl);
	assert_int_equal(c.type, RNDIS_MSG_SET_CMPLT);
	assert_int_equal(c.u.cmplt.req_id, id);
	return c.u.cmplt.status;
}

/* Read the next control packet (an indication); returns its status. */
static uint32_t
g_expect_indication(struct env *e, uint8_t *buf, uint32_t cap)
{
	struct rndis_msg c;
	uint64_t rtid;
	uint32_t n = g_expect_ctl(e, buf, cap, &rtid);

	assert_int_equal(rndis_decode(buf, n, &c), (int)n);
	assert_int_equal(c.type, RNDIS_MSG_INDICATE);
	g_rx_comp_now(e, rtid);
	return c.u.indicate.status;
}

/* --- guest side: the Linux init sequence --------------------------------- */

static void
nvsp_init_ok(struct env *e, uint32_t ver)
{
	struct nvsp_msg m;
	uint64_t tid = e->tid++;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG_TYPE_INIT;
	m.init.min_ver = ver;
	m.init.max_ver = ver;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.type, NVSP_MSG_TYPE_INIT_COMPLETE);
	assert_int_equal(m.init_comp.status, NVSP_STAT_SUCCESS);
	/* Linux drops INIT_COMPLETE shorter than 28 bytes. */
	assert_true(hp.nvsp_len >= NVSP_MSG_SIZE_V1);
}

/* NDIS config, NDIS version, buffers (Linux netvsc_connect_vsp()). */
static void
nvsp_setup(struct env *e, uint32_t rbuf_gpadl)
{
	struct nvsp_msg m;
	uint64_t tid;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	m.ndis_config.mtu = 1514;
	m.ndis_config.capabilities = NVSP_NDIS_CAP_IEEE8021Q |
		NVSP_NDIS_CAP_SRIOV | NVSP_NDIS_CAP_TEAMING |
		NVSP_NDIS_CAP_RSC;
	g_nvsp(e, &m, 0, e->tid++);

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_NDIS_VER;
	m.ndis_ver.major = 6;
	m.ndis_ver.minor = 30;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 2);
	g_expect_empty(e);	/* neither asks for a completion */

	e->rbuf_gpa = rbuf_gpadl == GPADL_SMALL ? SMALL_GPA : RBUF_GPA;
	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	m.recv_buf.gpadl = rbuf_gpadl;
	m.recv_buf.id = NVSP_RECV_BUF_ID;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	assert_int_equal(m.recv_buf_comp.status, NVSP_STAT_SUCCESS);
	/* Linux netvsc_init_buf(): 1 section, offset 0, size >= 68,
	 * size * count <= buffer length. */
	assert_int_equal(m.recv_buf_comp.num_sections, 1);
	assert_int_equal(m.recv_buf_comp.sections[0].offset, 0);
	assert_true(m.recv_buf_comp.sections[0].sub_alloc_size >= 68);
	assert_true((uint64_t)m.recv_buf_comp.sections[0].sub_alloc_size *
		    m.recv_buf_comp.sections[0].num_sub_allocs <=
		    (rbuf_gpadl == GPADL_RBUF ? RBUF_LEN : e->small_len));
	assert_int_equal(m.recv_buf_comp.sections[0].end_offset,
			 m.recv_buf_comp.sections[0].sub_alloc_size *
			 m.recv_buf_comp.sections[0].num_sub_allocs);

	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF;
	m.send_buf.gpadl = GPADL_SBUF;
	m.send_buf.id = NVSP_SEND_BUF_ID;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE);
	assert_int_equal(m.send_buf_comp.status, NVSP_STAT_SUCCESS);
	assert_int_equal(m.send_buf_comp.section_size, 6144);
}

static void
rndis_init_ok(struct env *e)
{
	struct rndis_init_req r = { .req_id = e->req_id++, .major = 1,
				    .minor = 0, .max_xfer_size = 0x4000 };
	uint8_t req[64], rep[256];
	struct rndis_msg c;
	uint32_t n;
	int len;

	len = rndis_encode_init_req(req, sizeof(req), &r);
	assert_int_equal(len, 24);
	n = ctl_rt(e, req, (uint32_t)len, rep, sizeof(rep));
	assert_int_equal(n, 52);
	assert_int_equal(rndis_decode(rep, n, &c), 52);
	assert_int_equal(c.type, RNDIS_MSG_INIT_CMPLT);
	assert_int_equal(c.u.init_cmplt.req_id, r.req_id);
	assert_int_equal(c.u.init_cmplt.status, RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.init_cmplt.major, 1);
	assert_int_equal(c.u.init_cmplt.minor, 0);
	assert_int_equal(c.u.init_cmplt.dev_flags, RNDIS_DF_CONNECTIONLESS);
	assert_int_equal(c.u.init_cmplt.medium, RNDIS_MEDIUM_802_3);
	assert_int_equal(c.u.init_cmplt.max_pkt_per_msg, 8);
	assert_int_equal(c.u.init_cmplt.max_xfer_size, 0xEFFFFFFFu);
	assert_int_equal(c.u.init_cmplt.pkt_align_factor, 3);
}

/* Linux's offload parameters for our caps (rndis_netdev_set_hwcaps()). */
static int
linux_offload_params(uint8_t *buf, size_t cap)
{
	struct ndis_offload_params p;

	memset(&p, 0, sizeof(p));
	p.revision = NDIS_OFFLOAD_PARAMS_REV_3;
	p.size = NDIS_OFFLOAD_PARAMS_SIZE_FULL;	/* 28 at NVSP >= 5 */
	p.tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.udp4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.tcp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.udp6_csum = NDIS_OFFLOAD_PARAM_TX_RX;
	p.lsov2_ip4 = NDIS_OFFLOAD_SET_ON;
	p.lsov2_ip6 = NDIS_OFFLOAD_SET_ON;
	return ndis_offload_params_encode(&p, buf, cap);
}

static void
set_filter(struct env *e, uint32_t f)
{
	uint8_t v[4];

	sn_put_le32(v, f);
	assert_int_equal(set(e, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, v, 4),
			 RNDIS_STATUS_SUCCESS);
}

/* Whole sequence, quickly (the checked version is test_linux_init). */
static void
linux_init(struct env *e, uint32_t rbuf_gpadl)
{
	uint8_t buf[64], store[1024];
	struct rndis_msg c;
	int n;

	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_61);
	nvsp_setup(e, rbuf_gpadl);
	rndis_init_ok(e);
	n = linux_offload_params(buf, sizeof(buf));
	assert_int_equal(set(e, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
			     (uint32_t)n), RNDIS_STATUS_SUCCESS);
	assert_int_equal(poll_host(e), 0);
	assert_int_equal(g_expect_indication(e, store, sizeof(store)),
			 RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG);
	assert_int_equal(query(e, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	set_filter(e, 0x0D);
	g_expect_empty(e);
	assert_true(nvsp_host_rx_ready(e->h));
}

/* --- frames -------------------------------------------------------------- */

static void
make_frame(uint8_t *f, uint32_t len, const uint8_t *dst, uint32_t seq)
{
	uint32_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (i = 14; i < len; i++) {
		f[i] = (uint8_t)(seq * 7 + i);
	}
	if (len >= 18) {
		sn_put_le32(f + 14, seq);
	}
}

/*
 * A Linux TX RNDIS PACKET (header, PPIs, frame) at buf, padded to 8 when
 * pad is set (batched).  Returns its msg_len.
 */
static uint32_t
make_tx_pkt(uint8_t *buf, const struct rndis_ppi_set *ppis, uint32_t flen,
	    uint32_t seq, bool pad)
{
	int hl = rndis_packet_encode_hdr(buf, 512, ppis, flen);
	uint32_t len;

	assert_true(hl > 0);
	make_frame(buf + hl, flen, peer_mac, seq);
	len = (uint32_t)hl + flen;
	if (pad && len % 8 != 0) {
		uint32_t p = 8 - len % 8;

		memset(buf + len, 0, p);
		assert_int_equal(rndis_packet_add_padding(buf, p),
				 (int)(len + p));
		len += p;
	}
	return len;
}

/* Check an RX range holds an RNDIS PACKET carrying frame seq of len. */
static void
check_rx_range(struct env *e, uint32_t off, uint32_t count, uint32_t len,
	       uint32_t seq, struct rndis_ppi_set *ppis)
{
	static uint8_t copy[4096], want[4096];
	struct rndis_msg m;

	assert_true(count <= sizeof(copy));
	memcpy(copy, e->gmem + e->rbuf_gpa + off, count);
	assert_int_equal(rndis_decode(copy, count, &m), (int)count);
	assert_int_equal(m.type, RNDIS_MSG_PACKET);
	assert_int_equal(m.u.packet.data_len, len);
	/* Linux rndis_get_ppi(): PPIs at >= 36, inside the message. */
	assert_true(m.u.packet.ppi_len == 0 ||
		    m.u.packet.ppi_off >= RNDIS_PACKET_OFFSET_MIN);
	make_frame(want, len, our_mac, seq);
	assert_memory_equal(m.u.packet.data, want, len);
	if (ppis != NULL) {
		assert_true(rndis_ppi_parse(m.u.packet.ppi, m.u.packet.ppi_len,
					    ppis) >= 0);
	}
}

static int
rx_one(struct env *e, uint32_t len, const uint8_t *dst, uint32_t seq,
       const struct nvsp_pktmeta *m)
{
	static uint8_t f[9100];
	struct nvsp_frag fr = { .addr = f, .len = len };

	make_frame(f, len, dst, seq);
	return nvsp_host_rx_frame(e->h, &fr, 1, len, m);
}

/* ========================================================================= */
/* tests: initialisation                                                     */
/* ========================================================================= */

/* Every step of the Linux sequence with every reply checked. */
static void
test_linux_init(void **state)
{
	struct env *e = *state;
	uint8_t store[1024], buf[256];
	struct ndis_offload o;
	struct ndis_rss_caps rc;
	struct nvsp_host_info in;
	struct rndis_msg c;
	uint16_t name[32];
	int n, i;

	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(hp.nvsp_len, NVSP_MSG_SIZE_V61);
	nvsp_setup(e, GPADL_RBUF);
	in = info(e);
	assert_int_equal(in.nvsp_version, NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(in.ndis_major, 6);
	assert_int_equal(in.ndis_minor, 30);
	assert_int_equal(in.mtu, 1500);
	assert_int_equal(in.recv_slot_size, SLOT_1500);
	assert_int_equal(in.recv_slots, RBUF_LEN / SLOT_1500);
	assert_int_equal(in.send_sections, 170);
	assert_int_equal(e->refs[0], 1);
	assert_int_equal(e->refs[1], 1);
	assert_false(in.rx_ready);

	rndis_init_ok(e);
	assert_int_equal(info(e).rndis_state, NVSP_RNDIS_INITIALIZED);

	/* QUERY MAXIMUM_FRAME_SIZE: u32 = MTU (Linux clamps its MTU). */
	assert_int_equal(query(e, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.info_cmplt.info_len, 4);
	/* Linux: info_buf_offset >= sizeof(rndis_query_complete) = 16. */
	assert_true(c.u.info_cmplt.info_off >= 16);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 1500);

	/* QUERY 802_3_PERMANENT_ADDRESS: our MAC, 6 bytes. */
	assert_int_equal(query(e, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.info_cmplt.info_len, 6);
	assert_memory_equal(c.u.info_cmplt.info, our_mac, 6);

	/* QUERY FRIENDLY_NAME: UTF-16LE with its NUL, <= 512 bytes. */
	assert_int_equal(query(e, RNDIS_OID_GEN_FRIENDLY_NAME, NULL, 0, &c,
			       store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.info_cmplt.info_len, 2 * (13 + 1));
	for (i = 0; i < 14; i++) {
		name[i] = sn_get_le16(c.u.info_cmplt.info + 2 * i);
	}
	for (i = 0; i < 13; i++) {
		assert_int_equal(name[i], (uint16_t)"synthnet test"[i]);
	}
	assert_int_equal(name[13], 0);

	/* QUERY TCP_OFFLOAD_HARDWARE_CAPABILITIES with Linux's rev-3 header
	 * in the info buffer (rndis_query_hwcaps at NVSP >= 5). */
	memset(buf, 0, sizeof(buf));
	buf[0] = NDIS_OBJTYPE_OFFLOAD;
	buf[1] = NDIS_OFFLOAD_REV_3;
	sn_put_le16(buf + 2, NDIS_OFFLOAD_SIZE_REV_3);
	assert_int_equal(query(e, RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			       buf, NDIS_OFFLOAD_SIZE_REV_3, &c, store),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.info_cmplt.info_len, NDIS_OFFLOAD_SIZE_REV_3);
	assert_int_equal(ndis_offload_decode(c.u.info_cmplt.info,
					     c.u.info_cmplt.info_len, &o), 0);
	/* What rndis_query_hwcaps / rndis_netdev_set_hwcaps check. */
	assert_int_equal(c.u.info_cmplt.info[0], NDIS_OBJTYPE_OFFLOAD);
	assert_int_equal(o.revision, 3);
	assert_true(sn_get_le16(c.u.info_cmplt.info + 2) >=
		    NDIS_OFFLOAD_SIZE_REV_1);
	assert_int_equal(o.csum.ip4_tx_flags & NDIS_LINUX_TCP4_CSUM_REQ,
			 NDIS_LINUX_TCP4_CSUM_REQ);
	assert_true(o.csum.ip4_tx_flags & NDIS_CSUM4_UDP);
	assert_int_equal(o.csum.ip6_tx_flags & NDIS_LINUX_TCP6_CSUM_REQ,
			 NDIS_LINUX_TCP6_CSUM_REQ);
	assert_true(o.csum.ip6_tx_flags & NDIS_CSUM6_UDP);
	assert_true(o.csum.ip4_rx_flags & NDIS_CSUM4_TCP);
	assert_true(o.lsov2.ip4_encap & NDIS_ENCAP_IEEE_802_3);
	assert_int_equal(o.lsov2.ip4_max_size, 62780);
	assert_int_equal(o.lsov2.ip4_min_segs, 2);
	assert_true(o.lsov2.ip6_encap & NDIS_ENCAP_IEEE_802_3);
	assert_int_equal(o.lsov2.ip6_opts & NDIS_LINUX_LSO6_OPTS_REQ,
			 NDIS_LINUX_LSO6_OPTS_REQ);
	assert_int_equal(o.lsov1.encap, 0);
	assert_int_equal(o.rsc_ip4, 0);	/* no RSC: Linux keeps LRO off */
	assert_int_equal(o.csum.ip4_tx_flags & NDIS_CSUM4_IP, 0);

	/* SET TCP_OFFLOAD_PARAMETERS, then the current-config indication. */
	n = linux_offload_params(buf, sizeof(buf));
	assert_int_equal(n, 28);
	assert_int_equal(set(e, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
			     (uint32_t)n), RNDIS_STATUS_SUCCESS);
	assert_int_equal(poll_host(e), 0);
	assert_int_equal(g_expect_indication(e, store, sizeof(store)),
			 RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG);
	in = info(e);
	assert_int_equal(in.offload.tcp4_csum, NDIS_OFL_TX_RX);
	assert_int_equal(in.offload.udp6_csum, NDIS_OFL_TX_RX);
	assert_int_equal(in.offload.lsov2_ip4, 1);
	assert_int_equal(in.offload.lsov2_ip6, 1);
	assert_int_equal(in.offload.ip4_csum, 0);

	/* QUERY MEDIA_CONNECT_STATUS: 0 = connected. */
	assert_int_equal(query(e, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.info_cmplt.info_len, 4);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 0);

	/* QUERY LINK_SPEED (v5+): 10 Gb/s in 100 b/s units. */
	assert_int_equal(query(e, RNDIS_OID_GEN_LINK_SPEED, NULL, 0, &c,
			       store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 100000000u);

	/* QUERY RECEIVE_SCALE_CAPABILITIES with Linux's header. */
	memset(buf, 0, sizeof(buf));
	buf[0] = NDIS_OBJTYPE_RSS_CAPS;
	buf[1] = NDIS_RSS_CAPS_REV_2;
	sn_put_le16(buf + 2, 20);
	assert_int_equal(query(e, RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
			       buf, 20, &c, store), RNDIS_STATUS_SUCCESS);
	/* Linux's result buffer is sizeof(struct ndis_recv_scale_cap). */
	assert_true(c.u.info_cmplt.info_len <= 20);
	assert_int_equal(ndis_rss_caps_decode(c.u.info_cmplt.info,
					      c.u.info_cmplt.info_len, &rc), 0);
	assert_int_equal(rc.num_queues, 1);	/* < 2: Linux stops vRSS */
	assert_int_equal(rc.num_itab_entries, 128);

	/* Open: SET CURRENT_PACKET_FILTER 0x0D. */
	assert_false(nvsp_host_rx_ready(e->h) && info(e).packet_filter);
	set_filter(e, 0x0D);
	in = info(e);
	assert_int_equal(in.packet_filter, 0x0D);
	assert_true(in.rx_ready);
	g_expect_empty(e);

	/* Every control slot came back. */
	assert_int_equal(info(e).recv_slots_in_flight, 0);
	assert_int_equal(stats(e).ctl_msgs, 10);
	assert_int_equal(stats(e).ctl_replies, 11);
	for (i = 0; i < NVSP_HOST_ERR_MAX; i++) {
		if (i != NVSP_HOST_ERR_COMPLETION_BACKLOG) {
			assert_int_equal(stats(e).err[i], 0);
		}
	}
}

/* Versions we lack are answered FAIL (never silence); fallback works. */
static void
test_version_fallback(void **state)
{
	static const uint32_t bad[] = { 0x00070000, 0x00030000, 0x00010000,
					0 };
	struct env *e = *state;
	struct nvsp_msg m;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		uint64_t tid = e->tid++;

		memset(&m, 0, sizeof(m));
		m.type = NVSP_MSG_TYPE_INIT;
		m.init.min_ver = bad[i];
		m.init.max_ver = bad[i];
		g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
		assert_int_equal(poll_host(e), 1);
		m = g_expect_comp(e, tid);
		assert_int_equal(m.type, NVSP_MSG_TYPE_INIT_COMPLETE);
		assert_int_equal(m.init_comp.status, NVSP_STAT_FAIL);
		assert_true(hp.nvsp_len >= NVSP_MSG_SIZE_V1);
	}
	assert_int_equal(err_count(e, NVSP_HOST_ERR_UNSUPPORTED_VERSION), 4);
	assert_int_equal(info(e).nvsp_version, 0);

	/* A range picks the highest we support. */
	{
		uint64_t tid = e->tid++;

		memset(&m, 0, sizeof(m));
		m.type = NVSP_MSG_TYPE_INIT;
		m.init.min_ver = NVSP_PROTOCOL_VERSION_1;
		m.init.max_ver = 0x00070000;
		g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
		assert_int_equal(poll_host(e), 1);
		m = g_expect_comp(e, tid);
		assert_int_equal(m.init_comp.status, NVSP_STAT_SUCCESS);
		assert_int_equal(info(e).nvsp_version,
				 NVSP_PROTOCOL_VERSION_61);
	}
	/* Linux's ladder after a failure: v6 works (re-INIT before any
	 * buffer is allowed) and pads to 28 bytes from then on. */
	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_6);
	assert_int_equal(hp.nvsp_len, 32);	/* 28, padded to 8 by VMBus */
	assert_int_equal(info(e).nvsp_version, NVSP_PROTOCOL_VERSION_6);
	nvsp_setup(e, GPADL_RBUF);
	rndis_init_ok(e);
	/* After buffers, renegotiation is refused. */
	{
		uint64_t tid = e->tid++;

		memset(&m, 0, sizeof(m));
		m.type = NVSP_MSG_TYPE_INIT;
		m.init.min_ver = NVSP_PROTOCOL_VERSION_61;
		m.init.max_ver = NVSP_PROTOCOL_VERSION_61;
		g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
		assert_int_equal(poll_host(e), 1);
		m = g_expect_comp(e, tid);
		assert_int_equal(m.init_comp.status, NVSP_STAT_FAIL);
		assert_int_equal(info(e).nvsp_version,
				 NVSP_PROTOCOL_VERSION_6);
	}
}

/* Buffers and NDIS messages in another order than Linux's; v1 guest. */
static void
test_any_order_and_v1(void **state)
{
	struct env *e = *state;
	struct nvsp_msg m;
	uint64_t tid;

	/* Before INIT everything but INIT is refused. */
	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	m.recv_buf.gpadl = GPADL_RBUF;
	m.recv_buf.id = NVSP_RECV_BUF_ID;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.type, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	assert_int_equal(m.recv_buf_comp.status, NVSP_STAT_FAIL);
	assert_int_equal(e->refs[0], 0);

	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_1);
	/* Send buffer first, then the receive buffer, NDIS version last;
	 * v1 has no NDIS config (refused, counted). */
	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF;
	m.send_buf.gpadl = GPADL_SBUF;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.send_buf_comp.status, NVSP_STAT_SUCCESS);

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	m.ndis_config.mtu = 9014;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	g_expect_empty(e);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_NVSP), 2);

	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	m.recv_buf.gpadl = 0x9999;	/* unknown GPADL */
	m.recv_buf.id = NVSP_RECV_BUF_ID;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.recv_buf_comp.status, NVSP_STAT_FAIL);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_GPA), 1);

	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	m.recv_buf.gpadl = GPADL_RBUF;
	m.recv_buf.id = NVSP_RECV_BUF_ID;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.recv_buf_comp.status, NVSP_STAT_SUCCESS);
	/* A second receive buffer is refused and its reference returned. */
	tid = e->tid++;
	g_nvsp(e, &(struct nvsp_msg){ .type = NVSP_MSG1_TYPE_SEND_RECV_BUF,
		     .recv_buf = { .gpadl = GPADL_RBUF, .id = 1 } },
	       VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.recv_buf_comp.status, NVSP_STAT_FAIL);
	assert_int_equal(e->refs[0], 1);

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_NDIS_VER;
	m.ndis_ver.major = 6;
	m.ndis_ver.minor = 1;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	rndis_init_ok(e);
	set_filter(e, 0x0D);
	assert_true(nvsp_host_rx_ready(e->h));
	assert_int_equal(info(e).mtu, 1500);
}

/* NDIS config MTU: clamped to the port's MTU and to 576. */
static void
test_mtu_clamp(void **state)
{
	struct env *e = *state;
	struct nvsp_msg m;
	struct rndis_msg c;
	uint8_t store[1024];

	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_61);
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	m.ndis_config.mtu = 9014;	/* guest wants jumbo, port has 1500 */
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(info(e).mtu, 1500);
	m.ndis_config.mtu = 100;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(info(e).mtu, 576);
	m.ndis_config.mtu = 1214;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(info(e).mtu, 1200);
	nvsp_setup(e, GPADL_RBUF);	/* resends 1514 */
	rndis_init_ok(e);
	assert_int_equal(query(e, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 1500);
	assert_int_equal(query(e, RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 1514);
}

/* Jumbo port: slots sized from cfg.mtu; bad configs refused. */
static void
test_create_config(void **state)
{
	struct nvsp_host_cfg cfg;
	struct env *e;
	struct vmb_ring r1, r2;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, our_mac, 6);
	cfg.link_up = true;
	cfg.mtu = 9000;
	e = env_new(RING_PAGES, &cfg);
	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_61);
	nvsp_setup(e, GPADL_RBUF);
	/* align64(256 + 9000 + 18 + 36) */
	assert_int_equal(info(e).recv_slot_size, 9344);
	assert_int_equal(info(e).mtu, 1500);	/* guest said 1514 */
	env_free(e);

	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	cfg.mtu = 575;
	assert_null(nvsp_host_create(&cfg, &r1, &r2, &test_ops, NULL));
	cfg.mtu = 9001;
	assert_null(nvsp_host_create(&cfg, &r1, &r2, &test_ops, NULL));
	cfg.mtu = 0;
	cfg.max_rx_batch = 376;
	assert_null(nvsp_host_create(&cfg, &r1, &r2, &test_ops, NULL));
	cfg.max_rx_batch = 0;
	assert_null(nvsp_host_create(&cfg, NULL, &r2, &test_ops, NULL));
	{
		struct nvsp_host_ops o = test_ops;

		o.signal_guest = NULL;
		assert_null(nvsp_host_create(&cfg, &r1, &r2, &o, NULL));
	}
	nvsp_host_destroy(NULL);
}

/* ========================================================================= */
/* tests: guest TX                                                           */
/* ========================================================================= */

/* Three RNDIS packets batched in one send section (netvsc msd). */
static void
test_tx_section_batched(void **state)
{
	struct env *e = *state;
	uint8_t *sec;
	struct rndis_ppi_set p2;
	uint32_t off = 0;
	uint64_t tid, pkts0;
	uint8_t want[1600];

	linux_init(e, GPADL_RBUF);
	pkts0 = stats(e).tx_rndis_pkts;
	sec = e->gmem + SBUF_GPA + 7 * 6144;
	off += make_tx_pkt(sec + off, NULL, 60, 1, true);
	memset(&p2, 0, sizeof(p2));
	p2.present = RNDIS_PPIF_VLAN | RNDIS_PPIF_CSUM;
	p2.vlan = rndis_vlan_info_make(5, 0, 100);
	p2.csum = rndis_csum_tx_make(RNDIS_TXCSUM_IPV4 | RNDIS_TXCSUM_TCP, 34);
	off += make_tx_pkt(sec + off, &p2, 101, 2, true);
	off += make_tx_pkt(sec + off, NULL, 1514, 3, false);
	assert_true(off <= 6144);
	tid = e->tid++;
	g_rndis_section(e, 7, off, tid);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	g_expect_empty(e);

	assert_int_equal(e->ntx, 3);
	make_frame(want, 60, peer_mac, 1);
	assert_int_equal(e->tx[0].len, 60);
	assert_memory_equal(e->tx[0].frame, want, 60);
	assert_int_equal(e->tx[0].m.flags, 0);
	make_frame(want, 101, peer_mac, 2);
	assert_int_equal(e->tx[1].len, 101);
	assert_memory_equal(e->tx[1].frame, want, 101);
	assert_int_equal(e->tx[1].m.flags,
			 NVSP_META_VLAN | NVSP_META_CSUM_TX);
	assert_int_equal(e->tx[1].m.vlan_tci, (5 << 13) | 100);
	assert_int_equal(e->tx[1].m.csum, p2.csum);
	make_frame(want, 1514, peer_mac, 3);
	assert_int_equal(e->tx[2].len, 1514);
	assert_memory_equal(e->tx[2].frame, want, 1514);
	assert_int_equal(e->tx[2].nfrags, 1);
	assert_int_equal(stats(e).tx_packets, 3);
	assert_int_equal(stats(e).tx_bytes, 60 + 101 + 1514);
	assert_int_equal(stats(e).tx_rndis_pkts, pkts0 + 1);
}

/* GPA-direct: header straddling two non-adjacent pages, LSO frame. */
static void
test_tx_gpa_straddle(void **state)
{
	struct env *e = *state;
	uint8_t pkt[8192], want[8192];
	struct rndis_ppi_set ps;
	struct piece pc[4];
	uint64_t a = SCRATCH_GPA + 16 * PAGE, b = SCRATCH_GPA + 40 * PAGE;
	uint64_t f = SCRATCH_GPA + 60 * PAGE, g = SCRATCH_GPA + 90 * PAGE;
	uint32_t hl, flen = 5000;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	memset(&ps, 0, sizeof(ps));
	ps.present = RNDIS_PPIF_LSO | RNDIS_PPIF_CSUM;
	ps.lso = rndis_lso_v2_make(1448, 34, false);
	ps.csum = rndis_csum_tx_make(RNDIS_TXCSUM_IPV4 | RNDIS_TXCSUM_TCP, 34);
	hl = (uint32_t)rndis_packet_encode_hdr(pkt, sizeof(pkt), &ps, flen);
	assert_int_equal(hl, 44 + 32);
	make_frame(want, flen, peer_mac, 9);
	/* Header: 20 bytes at the end of page a, the rest at page b. */
	memcpy(e->gmem + a + PAGE - 20, pkt, 20);
	memcpy(e->gmem + b, pkt + 20, hl - 20);
	/* Frame: 3000 bytes from offset 1500 of page f (runs into f+1,
	 * adjacent: one fragment), then 2000 bytes at page g. */
	memcpy(e->gmem + f + 1500, want, 3000);
	memcpy(e->gmem + g + 8, want + 3000, 2000);
	pc[0] = (struct piece){ a + PAGE - 20, 20 };
	pc[1] = (struct piece){ b, hl - 20 };
	pc[2] = (struct piece){ f + 1500, 3000 };
	pc[3] = (struct piece){ g + 8, 2000 };
	tid = e->tid++;
	g_rndis_gpa(e, NVSP_CHANNEL_TYPE_DATA, NVSP_SECTION_INDEX_NONE, 0, pc,
		    4, tid);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	assert_int_equal(e->ntx, 1);
	assert_int_equal(e->tx[0].len, flen);
	assert_int_equal(e->tx[0].nfrags, 2);
	assert_memory_equal(e->tx[0].frame, want, sizeof(e->tx[0].frame));
	assert_int_equal(e->tx[0].m.flags, NVSP_META_LSO | NVSP_META_CSUM_TX);
	assert_int_equal(rndis_lso_mss(e->tx[0].m.lso), 1448);
	assert_true(rndis_lso_is_v2(e->tx[0].m.lso));
}

/*
 * Section plus GPA ranges (Linux cp_partial): the section holds a whole
 * packet and the header of a second; that one's frame is in GPA pages.
 */
static void
test_tx_section_plus_gpa(void **state)
{
	struct env *e = *state;
	uint8_t *sec = e->gmem + SBUF_GPA + 3 * 6144;
	uint8_t want[2000];
	struct piece pc;
	uint32_t off, hl;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	off = make_tx_pkt(sec, NULL, 200, 1, true);
	hl = (uint32_t)rndis_packet_encode_hdr(sec + off, 512, NULL, 1400);
	make_frame(want, 1400, peer_mac, 2);
	memcpy(e->gmem + SCRATCH_GPA + 5 * PAGE + 96, want, 1400);
	pc = (struct piece){ SCRATCH_GPA + 5 * PAGE + 96, 1400 };
	tid = e->tid++;
	g_rndis_gpa(e, NVSP_CHANNEL_TYPE_DATA, 3, off + hl, &pc, 1, tid);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	assert_int_equal(e->ntx, 2);
	assert_int_equal(e->tx[1].len, 1400);
	assert_memory_equal(e->tx[1].frame, want, 1400);
}

/* Completions echo exact ids, in order; tx_frame refusals still SUCCESS. */
static void
test_tx_completion_ids(void **state)
{
	struct env *e = *state;
	uint8_t *sec = e->gmem + SBUF_GPA;
	static const uint64_t ids[] = { 0, 1, UINT64_C(0xffffffffffffffff),
					UINT64_C(0x8000000000000001) };
	uint32_t len = make_tx_pkt(sec, NULL, 64, 1, false);
	unsigned int i;

	linux_init(e, GPADL_RBUF);
	for (i = 0; i < 4; i++) {
		g_rndis_section(e, 0, len, ids[i]);
	}
	e->tx_ret = -ENOBUFS;	/* the switch drops two of them */
	assert_int_equal(nvsp_host_poll(e->h, 2, e->now), 2);
	e->tx_ret = 0;
	assert_int_equal(poll_host(e), 2);
	for (i = 0; i < 4; i++) {
		g_expect_pkt_comp(e, ids[i], NVSP_STAT_SUCCESS);
	}
	g_expect_empty(e);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_TX_DROPPED), 2);
	assert_int_equal(stats(e).tx_packets, 2);
}

/*
 * Completions that do not fit wait in the queue (1024); when it is full
 * the engine stops reading; every packet is completed exactly once.
 */
static void
test_completion_backlog(void **state)
{
	struct env *e = *state;
	uint32_t len, total = 1300, got = 0;
	struct vmb_ring_ctl *ctl = (struct vmb_ring_ctl *)e->ring_mem[1];
	struct nvsp_host_stats s;
	int handled = 0, rc;
	uint32_t i;

	linux_init(e, GPADL_RBUF);
	s = stats(e);
	len = make_tx_pkt(e->gmem + SBUF_GPA, NULL, 60, 1, false);
	for (i = 0; i < total; i++) {
		g_rndis_section(e, 0, len, 0x10000 + i);
	}
	/* The 8 KiB H->G ring takes ~100 completions; 1024 more queue. */
	rc = nvsp_host_poll(e->h, 5000, e->now);
	assert_true(rc > 1024 && rc < (int)total);
	handled += rc;
	assert_int_equal(info(e).completions_queued, 1024);
	assert_true(err_count(e, NVSP_HOST_ERR_BACKLOG_STALL) >= 1);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_COMPLETION_BACKLOG), 1024);
	/* Blocked: it asked the guest for a signal when room appears. */
	assert_true(ctl->pending_send_sz != 0);
	assert_int_equal(nvsp_host_poll(e->h, 5000, e->now), 0);
	while (got < total) {
		while (g_next(e, &hp) == 1) {
			struct nvsp_msg m;

			assert_int_equal(hp.type, VMB_PKT_COMP);
			assert_int_equal(hp.tid, 0x10000 + got);
			assert_int_equal(nvsp_decode(hp.nvsp, hp.nvsp_len, &m),
					 0);
			assert_int_equal(m.rndis_pkt_comp.status,
					 NVSP_STAT_SUCCESS);
			got++;
		}
		rc = poll_host(e);
		assert_true(rc >= 0);
		handled += rc;
	}
	assert_true(e->guest_signal_host);	/* pending_send_sz honoured */
	assert_int_equal(handled, (int)total);
	assert_int_equal(got, total);
	g_expect_empty(e);
	assert_int_equal(info(e).completions_queued, 0);
	assert_int_equal(ctl->pending_send_sz, 0);
	assert_int_equal(stats(e).tx_packets, total);
	assert_int_equal(stats(e).tx_rndis_pkts, s.tx_rndis_pkts + total);
}

/* ========================================================================= */
/* tests: RX                                                                 */
/* ========================================================================= */

/* 500 frames: batches of 375 + 125, guest completions free the slots. */
static void
test_rx_batch_500(void **state)
{
	struct env *e = *state;
	struct nvsp_host_info in;
	struct nvsp_pktmeta m;
	struct rndis_ppi_set ps;
	uint64_t t1, t2, comps0;
	unsigned int sig0;
	uint32_t i, len;

	linux_init(e, GPADL_RBUF);
	in = info(e);
	sig0 = e->signals;
	memset(&m, 0, sizeof(m));
	m.flags = NVSP_META_VLAN | NVSP_META_CSUM_RX | NVSP_META_HASH;
	m.vlan_tci = (3 << 13) | 42;
	m.csum = RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_IP_OK;
	m.hash_value = 0x51ccc178;
	m.hash_info = RNDIS_HASH_FUNC_TOEPLITZ | RNDIS_HASH_TCP_IPV4;
	for (i = 0; i < 500; i++) {
		len = 60 + (i * 13) % 1455;
		assert_int_equal(rx_one(e, len, our_mac, i, i % 2 ? &m : NULL),
				 0);
	}
	/* The 375th frame flushed by itself; nothing signalled yet. */
	assert_int_equal(stats(e).rx_batches, 1);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
	assert_int_equal(e->signals, sig0 + 1);	/* once per flush */
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);	/* nothing pending */
	assert_int_equal(e->signals, sig0 + 1);

	assert_int_equal(g_next(e, &hp), 1);
	assert_int_equal(hp.type, VMB_PKT_DATA_USING_XFER_PAGES);
	assert_int_equal(hp.pageset, NVSP_RECV_BUF_ID);
	assert_int_equal(hp.nranges, 375);
	t1 = hp.tid;
	for (i = 0; i < 375; i++) {
		len = 60 + (i * 13) % 1455;
		assert_int_equal(hp.r_off[i] % in.recv_slot_size, 0);
		assert_true(hp.r_off[i] >= NVSP_HOST_CTL_SLOTS *
			    in.recv_slot_size);
		assert_true(hp.r_len[i] <= in.recv_slot_size - 36);
		check_rx_range(e, hp.r_off[i], hp.r_len[i], len, i,
			       i % 2 ? &ps : NULL);
		if (i % 2) {
			assert_int_equal(rndis_vlan_info_to_tci(ps.vlan),
					 m.vlan_tci);
			assert_int_equal(ps.csum, m.csum);
			assert_int_equal(ps.hash_value, m.hash_value);
			assert_int_equal(ps.hash_info, m.hash_info);
		}
	}
	{
		struct nvsp_msg nm;

		assert_int_equal(nvsp_decode(hp.nvsp, hp.nvsp_len, &nm), 0);
		assert_int_equal(nm.type, NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
		assert_int_equal(nm.rndis_pkt.channel_type,
				 NVSP_CHANNEL_TYPE_DATA);
	}
	assert_int_equal(g_next(e, &hp2), 1);
	assert_int_equal(hp2.nranges, 125);
	t2 = hp2.tid;
	assert_true(t1 != t2);
	for (i = 0; i < 125; i++) {
		len = 60 + ((i + 375) * 13) % 1455;
		check_rx_range(e, hp2.r_off[i], hp2.r_len[i], len, i + 375,
			       NULL);
	}
	g_expect_empty(e);
	in = info(e);
	assert_int_equal(in.recv_slots_in_flight, 500);
	assert_int_equal(stats(e).rx_packets, 500);

	comps0 = stats(e).rx_completions;
	g_rx_comp(e, t2);
	g_rx_comp(e, t1);
	g_rx_comp(e, t1);		/* duplicate: refused, counted */
	assert_int_equal(poll_host(e), 3);
	in = info(e);
	assert_int_equal(in.recv_slots_in_flight, 0);
	assert_int_equal(in.recv_slots_free,
			 in.recv_slots - NVSP_HOST_CTL_SLOTS);
	assert_int_equal(stats(e).rx_completions, comps0 + 2);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_COMPLETION_ID), 1);
	g_expect_empty(e);	/* completions are not answered */
}

/* Packet filter: 0 = nothing; each bit honoured. */
static void
test_rx_filter(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mc1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t mc2[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	struct env *e = *state;
	uint8_t list[12];

	linux_init(e, GPADL_RBUF);
	set_filter(e, 0);	/* Linux close */
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -EPERM);
	assert_int_equal(rx_one(e, 60, bcast, 1, NULL), -EPERM);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_FILTERED), 2);

	set_filter(e, 0x0D);	/* Linux open */
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), 0);
	assert_int_equal(rx_one(e, 60, peer_mac, 1, NULL), -EPERM);
	assert_int_equal(rx_one(e, 60, bcast, 1, NULL), 0);
	assert_int_equal(rx_one(e, 60, mc1, 1, NULL), 0);

	set_filter(e, RNDIS_FILTER_DIRECTED);
	assert_int_equal(rx_one(e, 60, bcast, 1, NULL), -EPERM);
	assert_int_equal(rx_one(e, 60, mc1, 1, NULL), -EPERM);

	memcpy(list, mc1, 6);
	memcpy(list + 6, mc2, 6);
	assert_int_equal(set(e, RNDIS_OID_802_3_MULTICAST_LIST, list, 6),
			 RNDIS_STATUS_SUCCESS);
	set_filter(e, RNDIS_FILTER_MULTICAST);
	assert_int_equal(rx_one(e, 60, mc1, 1, NULL), 0);
	assert_int_equal(rx_one(e, 60, mc2, 1, NULL), -EPERM);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -EPERM);
	/* Bad lists: not a multiple of 6, a unicast entry. */
	assert_int_equal(set(e, RNDIS_OID_802_3_MULTICAST_LIST, list, 7),
			 RNDIS_STATUS_INVALID_LENGTH);
	assert_int_equal(set(e, RNDIS_OID_802_3_MULTICAST_LIST, our_mac, 6),
			 RNDIS_STATUS_INVALID_DATA);

	set_filter(e, RNDIS_FILTER_PROMISCUOUS);
	assert_int_equal(rx_one(e, 60, peer_mac, 1, NULL), 0);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_FILTERED), 7);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
}

/* RX refusals: not ready, MTU, runt, bad fragments. */
static void
test_rx_refusals(void **state)
{
	struct env *e = *state;
	uint8_t f[1600];
	struct nvsp_frag fr[2];

	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -ENETDOWN);
	nvsp_init_ok(e, NVSP_PROTOCOL_VERSION_61);
	nvsp_setup(e, GPADL_RBUF);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -ENETDOWN);
	rndis_init_ok(e);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -EPERM);
	set_filter(e, 0x0D);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_NOT_READY), 2);

	assert_int_equal(rx_one(e, 1514, our_mac, 1, NULL), 0);
	assert_int_equal(rx_one(e, 1515, our_mac, 1, NULL), -EMSGSIZE);
	/* An 802.1Q tag in the frame earns 4 more bytes. */
	make_frame(f, 1518, our_mac, 1);
	f[12] = 0x81;
	f[13] = 0x00;
	fr[0] = (struct nvsp_frag){ f, 700 };
	fr[1] = (struct nvsp_frag){ f + 700, 818 };
	assert_int_equal(nvsp_host_rx_frame(e->h, fr, 2, 1518, NULL), 0);
	assert_int_equal(nvsp_host_rx_frame(e->h, fr, 2, 1519, NULL),
			 -EINVAL);	/* fragments do not add up */
	assert_int_equal(rx_one(e, 13, our_mac, 1, NULL), -EINVAL);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_MTU), 1);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
	assert_int_equal(g_next(e, &hp), 1);
	assert_int_equal(hp.nranges, 2);
	assert_memory_equal(e->gmem + RBUF_GPA + hp.r_off[1] + hp.r_len[1] -
			    1518, f, 1518);
}

/* H->G ring full: the batch is dropped, counted, its slots freed. */
static void
test_rx_ring_full(void **state)
{
	struct env *e = *state;
	struct nvsp_host_info in;
	uint32_t i, n, flushed = 0;
	int dropped = 0;

	linux_init(e, GPADL_RBUF);
	for (n = 0; n < 40 && dropped == 0; n++) {
		for (i = 0; i < 100; i++) {
			assert_int_equal(rx_one(e, 60, our_mac, i, NULL), 0);
		}
		dropped = nvsp_host_rx_flush(e->h);
		if (dropped == 0) {
			flushed++;
		}
	}
	assert_int_equal(dropped, 100);
	assert_true(flushed >= 5);	/* ~870 bytes each in 8 KiB */
	assert_int_equal(err_count(e, NVSP_HOST_ERR_RING_FULL), 100);
	in = info(e);
	assert_int_equal(in.recv_slots_in_flight, flushed * 100);
	assert_int_equal(in.recv_slots_free + in.recv_slots_in_flight,
			 in.recv_slots - NVSP_HOST_CTL_SLOTS);
	assert_int_equal(stats(e).rx_packets, flushed * 100);
	/* The guest drains and completes; all slots come back. */
	while (g_next(e, &hp) == 1) {
		assert_int_equal(hp.nranges, 100);
		g_rx_comp(e, hp.tid);
	}
	assert_int_equal(poll_host(e), (int)flushed);
	assert_int_equal(info(e).recv_slots_in_flight, 0);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), 0);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
}

/* No free slot: -ENOBUFS; control replies still flow (reserved slots). */
static void
test_rx_no_slot_ctl_still_works(void **state)
{
	struct env *e = *state;
	struct rndis_msg c;
	uint8_t store[1024];
	uint32_t i;

	e->small_len = 20 * SLOT_1500 + 100;	/* 16 control + 4 data */
	linux_init(e, GPADL_SMALL);
	assert_int_equal(info(e).recv_slots, 20);
	for (i = 0; i < 4; i++) {
		assert_int_equal(rx_one(e, 60, our_mac, i, NULL), 0);
	}
	assert_int_equal(rx_one(e, 60, our_mac, 4, NULL), -ENOBUFS);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_NO_RXBUF), 1);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
	assert_int_equal(g_next(e, &hp2), 1);
	assert_int_equal(hp2.nranges, 4);
	/* Data slots exhausted (with the guest): control still answered. */
	assert_int_equal(info(e).recv_slots_free, 0);
	assert_int_equal(query(e, RNDIS_OID_GEN_LINK_SPEED, NULL, 0, &c,
			       store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(rx_one(e, 60, our_mac, 4, NULL), -ENOBUFS);
	g_rx_comp(e, hp2.tid);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(rx_one(e, 60, our_mac, 4, NULL), 0);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
	assert_int_equal(e->refs[2], 1);
}

/* 17 control requests without completions: the 17th waits for a slot. */
static void
test_ctl_slots_exhausted(void **state)
{
	struct env *e = *state;
	uint64_t rt[17], tid[17];
	uint8_t req[16], rep[64];
	struct rndis_msg c;
	uint32_t i, n;

	linux_init(e, GPADL_RBUF);
	for (i = 0; i < 17; i++) {
		assert_int_equal(rndis_encode_keepalive(req, sizeof(req),
							 100 + i), 12);
		tid[i] = g_ctl_send(e, req, 12, SCRATCH_GPA + i * 64);
	}
	assert_int_equal(poll_host(e), 17);
	/* Each completion is followed by its reply while slots last. */
	for (i = 0; i < 17; i++) {
		g_expect_pkt_comp(e, tid[i], NVSP_STAT_SUCCESS);
		if (i == 16) {
			break;
		}
		n = g_expect_ctl(e, rep, sizeof(rep), &rt[i]);
		assert_int_equal(rndis_decode(rep, n, &c), 16);
		assert_int_equal(c.type, RNDIS_MSG_KEEPALIVE_CMPLT);
		assert_int_equal(c.u.cmplt.req_id, 100 + i);
	}
	g_expect_empty(e);
	assert_int_equal(info(e).ctl_queued, 1);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_CTL_BACKLOG), 1);
	g_rx_comp(e, rt[3]);
	assert_int_equal(poll_host(e), 1);
	n = g_expect_ctl(e, rep, sizeof(rep), &rt[16]);
	assert_int_equal(rndis_decode(rep, n, &c), 16);
	assert_int_equal(c.u.cmplt.req_id, 116);
	assert_int_equal(info(e).ctl_queued, 0);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_CTL_BACKLOG), 1);
}

/* A guest that never completes control slots: replies past the queue
 * are dropped with FAIL, reading goes on, and recovery follows. */
static void
test_ctl_dropped(void **state)
{
	struct env *e = *state;
	uint64_t rt, tid[50], rts[16];
	uint8_t req[16], rep[64];
	uint32_t i, delivered = 0;

	linux_init(e, GPADL_RBUF);
	for (i = 0; i < 50; i++) {
		assert_int_equal(rndis_encode_keepalive(req, sizeof(req), i),
				 12);
		tid[i] = g_ctl_send(e, req, 12, SCRATCH_GPA + i * 64);
	}
	assert_int_equal(poll_host(e), 50);
	/* 16 replies in the control slots, 32 queued, 2 dropped. */
	for (i = 0; i < 50; i++) {
		g_expect_pkt_comp(e, tid[i], i < 48 ? NVSP_STAT_SUCCESS :
				  NVSP_STAT_FAIL);
		if (i < 16) {
			uint32_t n = g_expect_ctl(e, rep, sizeof(rep),
						  &rts[i]);

			assert_int_equal(n, 16);
		}
	}
	assert_int_equal(err_count(e, NVSP_HOST_ERR_CTL_DROPPED), 2);
	assert_int_equal(info(e).ctl_queued, 32);
	/* Now the guest completes; all 48 replies arrive, in order. */
	for (i = 0; i < 16; i++) {
		g_rx_comp(e, rts[i]);
	}
	delivered = 16;
	assert_int_equal(poll_host(e), 16);
	while (delivered < 48) {
		struct rndis_msg c;
		uint32_t n;

		assert_int_equal(g_next(e, &hp), 1);
		assert_int_equal(hp.type, VMB_PKT_DATA_USING_XFER_PAGES);
		rt = hp.tid;
		n = hp.r_len[0];
		memcpy(rep, e->gmem + RBUF_GPA + hp.r_off[0], n);
		assert_int_equal(rndis_decode(rep, n, &c), 16);
		assert_int_equal(c.u.cmplt.req_id, delivered);
		delivered++;
		g_rx_comp(e, rt);
		assert_int_equal(poll_host(e), 1);
	}
	g_expect_empty(e);
	assert_int_equal(info(e).ctl_queued, 0);
	assert_int_equal(info(e).recv_slots_in_flight, 0);
}

/* ========================================================================= */
/* tests: link, RNDIS device behaviour                                       */
/* ========================================================================= */

static void
test_link_indications(void **state)
{
	struct env *e = *state;
	uint8_t store[256], *sec = e->gmem + SBUF_GPA;
	struct rndis_msg c;
	uint32_t len;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	assert_int_equal(nvsp_host_next_deadline(e->h), 0);
	nvsp_host_set_link(e->h, false, e->now);
	/* Sent at once: no indication yet. */
	assert_int_equal(g_expect_indication(e, store, sizeof(store)),
			 RNDIS_STATUS_MEDIA_DISCONNECT);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -ENETDOWN);
	/* TX while down: dropped, counted, still completed SUCCESS. */
	len = make_tx_pkt(sec, NULL, 60, 1, false);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	assert_int_equal(e->ntx, 0);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_TX_LINK_DOWN), 1);

	/* Up again after 1 s: held until 2 s after the last one. */
	e->now += SEC;
	nvsp_host_set_link(e->h, true, e->now);
	g_expect_empty(e);
	assert_int_equal(nvsp_host_next_deadline(e->h), NOW0 + 2 * SEC);
	e->now += SEC / 2;
	assert_int_equal(poll_host(e), 0);
	g_expect_empty(e);
	/* A flap down and up again collapses into nothing new. */
	nvsp_host_set_link(e->h, false, e->now);
	nvsp_host_set_link(e->h, true, e->now);
	e->now = NOW0 + 2 * SEC;
	assert_int_equal(poll_host(e), 0);
	assert_int_equal(g_expect_indication(e, store, sizeof(store)),
			 RNDIS_STATUS_MEDIA_CONNECT);
	assert_int_equal(nvsp_host_next_deadline(e->h), 0);
	assert_int_equal(stats(e).link_indications, 2);
	/* Down then up within the window: the guest sees only "up" state,
	 * which it has: nothing more is sent. */
	nvsp_host_set_link(e->h, false, e->now + 1);
	nvsp_host_set_link(e->h, true, e->now + 2);
	e->now += 3 * SEC;
	assert_int_equal(poll_host(e), 0);
	g_expect_empty(e);
	assert_int_equal(query(e, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 0);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), 0);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);
}

/* Unknown OID, SUPPORTED_LIST, RSS, encapsulation, misc OIDs. */
static void
test_rndis_oids(void **state)
{
	struct env *e = *state;
	uint8_t store[1024], buf[700];
	struct ndis_rss_params rp;
	struct rndis_msg c;
	uint32_t i, n, nsup;
	const uint32_t *sup = nvsp_rndis_dev_supported_oids(&nsup);
	int len;

	linux_init(e, GPADL_RBUF);
	/* Unknown OID: NOT_SUPPORTED, transport SUCCESS, not malformed. */
	assert_int_equal(query(e, 0x00FF00FF, NULL, 0, &c, store),
			 RNDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(c.u.info_cmplt.info_len, 0);
	assert_int_equal(set(e, 0x00FF00FF, "x", 1),
			 RNDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_RNDIS), 0);

	assert_int_equal(query(e, RNDIS_OID_GEN_SUPPORTED_LIST, NULL, 0, &c,
			       store), RNDIS_STATUS_SUCCESS);
	n = c.u.info_cmplt.info_len / 4;
	assert_int_equal(n, nsup);
	for (i = 0; i < n; i++) {
		assert_int_equal(sn_get_le32(c.u.info_cmplt.info + 4 * i),
				 sup[i]);
	}
	/* Every listed OID answers something other than NOT_SUPPORTED. */
	for (i = 0; i < nsup; i++) {
		uint32_t st = query(e, sup[i], NULL, 0, &c, store);

		if (sup[i] == RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES ||
		    sup[i] == RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER ||
		    sup[i] == RNDIS_OID_TCP_OFFLOAD_PARAMETERS ||
		    sup[i] == RNDIS_OID_OFFLOAD_ENCAPSULATION ||
		    sup[i] == RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS) {
			continue;	/* set-only */
		}
		assert_int_equal(st, RNDIS_STATUS_SUCCESS);
	}
	assert_int_equal(query(e, RNDIS_OID_802_3_CURRENT_ADDRESS, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_memory_equal(c.u.info_cmplt.info, our_mac, 6);
	assert_int_equal(query(e, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, NULL, 0,
			       &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 0x0D);
	assert_int_equal(query(e, RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG, NULL,
			       0, &c, store), RNDIS_STATUS_SUCCESS);
	assert_int_equal(c.u.info_cmplt.info_len, NDIS_OFFLOAD_SIZE_REV_3);

	/* RSS as Linux sends it: DISABLE first, then the real table. */
	memset(&rp, 0, sizeof(rp));
	rp.flags = NDIS_RSS_FLAG_DISABLE_RSS;
	rp.hash_info = NDIS_HASH_INFO_LINUX;
	rp.n_entries = 128;
	for (i = 0; i < NDIS_RSS_KEY_SIZE; i++) {
		rp.key[i] = (uint8_t)i;
	}
	len = ndis_rss_params_encode(&rp, buf, sizeof(buf));
	assert_int_equal(len, NDIS_RSS_PARAMS_LEN(128));
	assert_int_equal(set(e, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, buf,
			     (uint32_t)len), RNDIS_STATUS_SUCCESS);
	assert_false(info(e).rss_enabled);
	rp.flags = 0;
	len = ndis_rss_params_encode(&rp, buf, sizeof(buf));
	assert_int_equal(set(e, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, buf,
			     (uint32_t)len), RNDIS_STATUS_SUCCESS);
	assert_true(info(e).rss_enabled);
	/* Entry >= queue count; table size change; truncated object. */
	rp.itab[5] = 1;
	len = ndis_rss_params_encode(&rp, buf, sizeof(buf));
	assert_int_equal(set(e, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, buf,
			     (uint32_t)len), RNDIS_STATUS_INVALID_DATA);
	rp.itab[5] = 0;
	rp.n_entries = 64;
	len = ndis_rss_params_encode(&rp, buf, sizeof(buf));
	assert_int_equal(set(e, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, buf,
			     (uint32_t)len), RNDIS_STATUS_INVALID_DATA);
	assert_int_equal(set(e, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, buf,
			     30), RNDIS_STATUS_INVALID_LENGTH);

	/* Offload params: LSOv1 refused; truncated; bad value. */
	{
		struct ndis_offload_params p;

		memset(&p, 0, sizeof(p));
		p.revision = 1;
		p.size = 20;
		p.lsov1 = NDIS_OFFLOAD_SET_ON;
		len = ndis_offload_params_encode(&p, buf, sizeof(buf));
		assert_int_equal(set(e, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
				     (uint32_t)len),
				 RNDIS_STATUS_NOT_SUPPORTED);
		assert_int_equal(set(e, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
				     3), RNDIS_STATUS_INVALID_LENGTH);
		p.lsov1 = 0;
		len = ndis_offload_params_encode(&p, buf, sizeof(buf));
		buf[5] = 9;	/* tcp4 checksum value out of range */
		assert_int_equal(set(e, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
				     (uint32_t)len),
				 RNDIS_STATUS_INVALID_DATA);
		/* Asking for IPv4 header checksum: masked away. */
		p.ip4_csum = NDIS_OFFLOAD_PARAM_TX_RX;
		p.tcp4_csum = NDIS_OFFLOAD_PARAM_TX;
		len = ndis_offload_params_encode(&p, buf, sizeof(buf));
		assert_int_equal(set(e, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
				     (uint32_t)len), RNDIS_STATUS_SUCCESS);
		assert_int_equal(info(e).offload.ip4_csum, 0);
		assert_int_equal(info(e).offload.tcp4_csum, NDIS_OFL_TX);
		assert_int_equal(poll_host(e), 0);
		assert_int_equal(g_expect_indication(e, store, sizeof(store)),
				 RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG);
	}
	/* Encapsulation object: accepted when well formed. */
	memset(buf, 0, 28);
	buf[0] = NDIS_OBJTYPE_OFFLOAD_ENCAP;
	buf[1] = 1;
	sn_put_le16(buf + 2, 28);
	assert_int_equal(set(e, RNDIS_OID_OFFLOAD_ENCAPSULATION, buf, 28),
			 RNDIS_STATUS_SUCCESS);
	buf[0] = 0x80;
	assert_int_equal(set(e, RNDIS_OID_OFFLOAD_ENCAPSULATION, buf, 28),
			 RNDIS_STATUS_INVALID_DATA);
	assert_int_equal(set(e, RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES, buf, 8),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(set(e, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, buf, 8),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(set(e, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, buf, 2),
			 RNDIS_STATUS_INVALID_LENGTH);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_RNDIS), 0);
}

/* KEEPALIVE, RESET, SET_EX, HALT, then INIT again. */
static void
test_rndis_keepalive_reset_halt(void **state)
{
	struct env *e = *state;
	uint8_t req[64], rep[256], store[1024];
	struct rndis_msg c;
	uint64_t tid;
	uint32_t n;

	linux_init(e, GPADL_RBUF);
	assert_int_equal(rndis_encode_keepalive(req, sizeof(req), 77), 12);
	n = ctl_rt(e, req, 12, rep, sizeof(rep));
	assert_int_equal(rndis_decode(rep, n, &c), 16);
	assert_int_equal(c.type, RNDIS_MSG_KEEPALIVE_CMPLT);
	assert_int_equal(c.u.cmplt.req_id, 77);
	assert_int_equal(c.u.cmplt.status, RNDIS_STATUS_SUCCESS);

	assert_int_equal(rndis_encode_reset(req, sizeof(req)), 12);
	n = ctl_rt(e, req, 12, rep, sizeof(rep));
	assert_int_equal(rndis_decode(rep, n, &c), 16);
	assert_int_equal(c.type, RNDIS_MSG_RESET_CMPLT);
	assert_int_equal(c.u.reset_cmplt.status, RNDIS_STATUS_SUCCESS);
	assert_int_equal(info(e).packet_filter, 0x0D);

	n = (uint32_t)rndis_encode_set_ex(req, sizeof(req), 78,
					  RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
					  "\x0d\0\0\0", 4);
	n = ctl_rt(e, req, n, rep, sizeof(rep));
	assert_int_equal(rndis_decode(rep, n, &c), (int)n);
	assert_int_equal(c.type, RNDIS_MSG_SET_EX_CMPLT);
	assert_int_equal(c.u.info_cmplt.status, RNDIS_STATUS_NOT_SUPPORTED);

	/* HALT: no reply, the device stops. */
	assert_int_equal(rndis_encode_halt(req, sizeof(req), 79), 12);
	tid = g_ctl_send(e, req, 12, SCRATCH_GPA + 0x40);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	g_expect_empty(e);
	assert_int_equal(info(e).rndis_state, NVSP_RNDIS_HALTED);
	assert_false(nvsp_host_rx_ready(e->h));
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -ENETDOWN);
	/* Requests while halted are refused, not ignored. */
	assert_int_equal(query(e, RNDIS_OID_GEN_LINK_SPEED, NULL, 0, &c,
			       store), RNDIS_STATUS_FAILURE);
	rndis_init_ok(e);
	set_filter(e, 0x0D);
	assert_true(nvsp_host_rx_ready(e->h));
}

/* REVOKE releases GPADL references; destroy releases the rest. */
static void
test_revoke_and_subchannel(void **state)
{
	struct env *e = *state;
	struct nvsp_msg m;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), 0);	/* pending */

	tid = e->tid++;
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG5_TYPE_SUBCHANNEL;
	m.subchan_req.op = NVSP_SUBCHANNEL_OP_ALLOCATE;
	m.subchan_req.num_subchannels = 3;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.type, NVSP_MSG5_TYPE_SUBCHANNEL);
	assert_int_equal(m.subchan_comp.status, NVSP_STAT_SUCCESS);
	assert_int_equal(m.subchan_comp.num_allocated, 0);

	/* Wrong id: refused. */
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_REVOKE_RECV_BUF;
	m.revoke_recv_buf.id = 0x1234;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_NVSP), 1);
	assert_int_equal(e->refs[0], 1);

	m.revoke_recv_buf.id = NVSP_RECV_BUF_ID;
	g_nvsp(e, &m, 0, e->tid++);
	assert_int_equal(poll_host(e), 1);
	g_expect_empty(e);
	assert_int_equal(e->refs[0], 0);
	assert_false(info(e).recv_buf);
	assert_int_equal(nvsp_host_rx_flush(e->h), 0);	/* dropped */
	assert_int_equal(rx_one(e, 60, our_mac, 1, NULL), -ENETDOWN);
	assert_int_equal(e->refs[1], 1);	/* destroy puts the send buf */
}

/* ========================================================================= */
/* tests: malformed guest input                                              */
/* ========================================================================= */

/* A good TX still works after each malformed class. */
static void
tx_still_works(struct env *e)
{
	uint32_t len = make_tx_pkt(e->gmem + SBUF_GPA + 6144, NULL, 64, 5,
				   false);
	uint64_t tid = e->tid++;
	unsigned int before = e->ntx;

	g_rndis_section(e, 1, len, tid);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_SUCCESS);
	assert_int_equal(e->ntx, before + 1);
	g_expect_empty(e);
}

static void
expect_fail(struct env *e, uint64_t tid, enum nvsp_host_err k, uint64_t n)
{
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_FAIL);
	g_expect_empty(e);
	assert_int_equal(err_count(e, k), n);
	tx_still_works(e);
}

static void
test_bad_section(void **state)
{
	struct env *e = *state;
	uint32_t len;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	len = make_tx_pkt(e->gmem + SBUF_GPA, NULL, 64, 1, false);
	tid = e->tid++;
	g_rndis_section(e, 170, len, tid);	/* one past the last */
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_SECTION, 1);
	tid = e->tid++;
	g_rndis_section(e, 0, 6145, tid);	/* bigger than a section */
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_SECTION, 2);
	tid = e->tid++;
	g_rndis_section(e, 0xFFFFFFFE, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_SECTION, 3);
	tid = e->tid++;
	g_rndis_section(e, NVSP_SECTION_INDEX_NONE, len, tid); /* no data */
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, 1);
	assert_int_equal(e->ntx, 4);	/* only tx_still_works() frames */
}

static void
test_bad_gpa(void **state)
{
	struct env *e = *state;
	struct piece pc[2];
	uint32_t len;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	len = make_tx_pkt(e->gmem + SCRATCH_GPA, NULL, 64, 1, false);
	pc[0] = (struct piece){ (uint64_t)GMEM_SIZE + 8 * PAGE, len };
	tid = e->tid++;
	g_rndis_gpa(e, 0, NVSP_SECTION_INDEX_NONE, 0, pc, 1, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_GPA, 1);
	/* Huge PFN (address overflow). */
	pc[0] = (struct piece){ UINT64_C(0xFFFFFFFFFFFFF000), len };
	tid = e->tid++;
	g_rndis_gpa(e, 0, NVSP_SECTION_INDEX_NONE, 0, pc, 1, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_GPA, 2);
	/* First range fine, second outside RAM. */
	pc[0] = (struct piece){ SCRATCH_GPA, 20 };
	pc[1] = (struct piece){ (uint64_t)GMEM_SIZE - 10, len - 20 };
	tid = e->tid++;
	g_rndis_gpa(e, 0, NVSP_SECTION_INDEX_NONE, 0, pc, 2, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_GPA, 3);
	assert_int_equal(e->ntx, 3);
}

/* RNDIS msg_len / offsets that lie; PPI loops; bad frames. */
static void
test_bad_rndis(void **state)
{
	struct env *e = *state;
	uint8_t *s = e->gmem + SBUF_GPA;
	struct rndis_ppi_set ps;
	uint32_t len, k = 0;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	/* msg_len beyond the section size. */
	len = make_tx_pkt(s, NULL, 64, 1, false);
	sn_put_le32(s + 4, 5000);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* msg_len below the header. */
	sn_put_le32(s + 4, 4);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* PACKET shorter than its 44-byte header (truncated). */
	len = make_tx_pkt(s, NULL, 64, 1, false);
	sn_put_le32(s + 4, 20);
	tid = e->tid++;
	g_rndis_section(e, 0, 20, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* data_offset + data_len past msg_len. */
	len = make_tx_pkt(s, NULL, 64, 1, false);
	sn_put_le32(s + 12, 65);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* data_offset inside the header. */
	len = make_tx_pkt(s, NULL, 64, 1, false);
	sn_put_le32(s + 8, 8);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* PPI element of size 0 (would loop forever). */
	memset(&ps, 0, sizeof(ps));
	ps.present = RNDIS_PPIF_CSUM;
	ps.csum = 1;
	len = make_tx_pkt(s, &ps, 64, 1, false);
	sn_put_le32(s + 44, 0);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* PPI area overlapping the frame. */
	len = make_tx_pkt(s, &ps, 64, 1, false);
	sn_put_le32(s + 32, 40);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	/* Runt and oversize frames. */
	len = make_tx_pkt(s, NULL, 10, 1, false);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_FRAME, 1);
	len = make_tx_pkt(s, NULL, 1600, 1, false);
	tid = e->tid++;
	g_rndis_section(e, 0, len, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_FRAME, 2);
	/* Good packet, then garbage in the same section: first delivered,
	 * the packet as a whole FAILs. */
	len = make_tx_pkt(s, NULL, 64, 1, true);
	memset(s + len, 0xAB, 16);
	tid = e->tid++;
	g_rndis_section(e, 0, len + 16, tid);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_RNDIS, ++k);
	assert_int_equal(e->ntx, 10 + 1);
}

/* Malformed control messages: error reply, NVSP FAIL, counted. */
static void
test_bad_rndis_control(void **state)
{
	struct env *e = *state;
	uint8_t req[64], rep[256];
	struct rndis_msg c;
	uint64_t tid, rt;
	uint32_t n;
	int len;

	linux_init(e, GPADL_RBUF);
	/* QUERY whose info buffer points past the message. */
	len = rndis_encode_query(req, sizeof(req), 55,
				 RNDIS_OID_GEN_LINK_SPEED, "abcd", 4);
	sn_put_le32(req + 20, 200);
	tid = g_ctl_send(e, req, (uint32_t)len, SCRATCH_GPA);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_FAIL);
	n = g_expect_ctl(e, rep, sizeof(rep), &rt);
	assert_int_equal(rndis_decode(rep, n, &c), (int)n);
	assert_int_equal(c.type, RNDIS_MSG_QUERY_CMPLT);
	assert_int_equal(c.u.info_cmplt.req_id, 55);
	assert_int_equal(c.u.info_cmplt.status, RNDIS_STATUS_INVALID_DATA);
	g_rx_comp_now(e, rt);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_RNDIS), 1);

	/* Unknown message type: INDICATE_STATUS INVALID_DATA. */
	sn_put_le32(req, 0x55);
	sn_put_le32(req + 4, 12);
	sn_put_le32(req + 8, 56);
	tid = g_ctl_send(e, req, 12, SCRATCH_GPA + PAGE - 6); /* straddles */
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_FAIL);
	n = g_expect_ctl(e, rep, sizeof(rep), &rt);
	assert_int_equal(rndis_decode(rep, n, &c), (int)n);
	assert_int_equal(c.type, RNDIS_MSG_INDICATE);
	assert_int_equal(c.u.indicate.status, RNDIS_STATUS_INVALID_DATA);
	g_rx_comp_now(e, rt);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_RNDIS), 2);

	/* A completion message sent to us: no reply, FAIL. */
	sn_put_le32(req, RNDIS_MSG_KEEPALIVE_CMPLT);
	sn_put_le32(req + 4, 16);
	tid = g_ctl_send(e, req, 16, SCRATCH_GPA);
	assert_int_equal(poll_host(e), 1);
	g_expect_pkt_comp(e, tid, NVSP_STAT_FAIL);
	g_expect_empty(e);

	/* Control message longer than we copy: INVALID_DATA reply. */
	{
		static uint8_t big[6000];
		int bl = rndis_encode_set(big, sizeof(big), 57,
					  RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES,
					  big + 100, 5000);

		tid = g_ctl_send(e, big, (uint32_t)bl, SCRATCH_GPA + 8 * PAGE);
		assert_int_equal(poll_host(e), 1);
		g_expect_pkt_comp(e, tid, NVSP_STAT_FAIL);
		n = g_expect_ctl(e, rep, sizeof(rep), &rt);
		assert_int_equal(rndis_decode(rep, n, &c), 16);
		assert_int_equal(c.u.cmplt.req_id, 57);
		assert_int_equal(c.u.cmplt.status, RNDIS_STATUS_INVALID_DATA);
		g_rx_comp_now(e, rt);
	}
	/* Channel type 2: not a thing. */
	{
		struct piece pc = { SCRATCH_GPA, 12 };

		tid = e->tid++;
		g_rndis_gpa(e, 2, NVSP_SECTION_INDEX_NONE, 0, &pc, 1, tid);
		expect_fail(e, tid, NVSP_HOST_ERR_BAD_NVSP, 1);
	}
	/* Nine control messages in one packet: eight answered, FAIL. */
	{
		uint8_t many[9 * 12];
		uint32_t i;

		for (i = 0; i < 9; i++) {
			assert_int_equal(rndis_encode_keepalive(many + 12 * i,
								12, 200 + i),
					 12);
		}
		tid = g_ctl_send(e, many, sizeof(many), SCRATCH_GPA);
		assert_int_equal(poll_host(e), 1);
		g_expect_pkt_comp(e, tid, NVSP_STAT_FAIL);
		for (i = 0; i < 8; i++) {
			n = g_expect_ctl(e, rep, sizeof(rep), &rt);
			assert_int_equal(rndis_decode(rep, n, &c), 16);
			assert_int_equal(c.u.cmplt.req_id, 200 + i);
			g_rx_comp_now(e, rt);
		}
		g_expect_empty(e);
	}
	assert_int_equal(poll_host(e), 0);
	tx_still_works(e);
}

/* Unknown NVSP types, truncated messages, odd VMBus packets. */
static void
test_bad_nvsp_and_vmbus(void **state)
{
	struct env *e = *state;
	uint8_t pl[40];
	struct nvsp_msg m;
	uint64_t tid;

	linux_init(e, GPADL_RBUF);
	/* Unknown type, completion requested: {type, FAIL}. */
	memset(pl, 0, sizeof(pl));
	sn_put_le32(pl, 999);
	tid = e->tid++;
	g_inband_raw(e, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, pl, 40);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(g_next(e, &hp), 1);
	assert_int_equal(hp.type, VMB_PKT_COMP);
	assert_int_equal(hp.tid, tid);
	assert_int_equal(sn_get_le32(hp.nvsp), 999);
	assert_int_equal(sn_get_le32(hp.nvsp + 4), NVSP_STAT_FAIL);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_NVSP), 1);
	/* Without completion requested: counted, silent. */
	g_inband_raw(e, 0, e->tid++, pl, 40);
	assert_int_equal(poll_host(e), 1);
	g_expect_empty(e);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_NVSP), 2);

	/* Truncated SEND_RNDIS_PKT (8 bytes): 108 FAIL. */
	sn_put_le32(pl, NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	tid = e->tid++;
	g_inband_raw(e, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, pl, 8);
	expect_fail(e, tid, NVSP_HOST_ERR_BAD_NVSP, 3);
	/* Truncated INIT: INIT_COMPLETE FAIL. */
	sn_put_le32(pl, NVSP_MSG_TYPE_INIT);
	tid = e->tid++;
	g_inband_raw(e, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, pl, 8);
	assert_int_equal(poll_host(e), 1);
	m = g_expect_comp(e, tid);
	assert_int_equal(m.type, NVSP_MSG_TYPE_INIT_COMPLETE);
	assert_int_equal(m.init_comp.status, NVSP_STAT_FAIL);
	/* A host-to-guest message type sent to us. */
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
	tid = e->tid++;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, tid);
	assert_int_equal(poll_host(e), 1);
	assert_int_equal(g_next(e, &hp), 1);
	assert_int_equal(sn_get_le32(hp.nvsp + 4), NVSP_STAT_FAIL);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_NVSP), 5);

	/*
	 * A transfer-page packet from the guest: bad VMBus packet; the
	 * SEND_RNDIS_PKT inside still gets its 108 FAIL.
	 */
	{
		uint8_t hdr[64];
		struct vmb_xfer_range r = { 10, 0 };
		int hl = vmb_pkt_enc_xfer(hdr, sizeof(hdr), 0, 0x77, 0xCAFE,
					  0, &r, 1, 40);

		assert_true(hl > 0);
		memset(pl, 0, sizeof(pl));
		sn_put_le32(pl, NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
		g_write(e, hdr, (size_t)hl, pl, 40);
		assert_int_equal(poll_host(e), 1);
		g_expect_pkt_comp(e, 0x77, NVSP_STAT_FAIL);
		assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_VMBUS_PKT), 1);
		/* Garbage type inside, completion requested: {type, FAIL}. */
		hl = vmb_pkt_enc_xfer(hdr, sizeof(hdr),
				      VMB_PKT_FLAG_COMPLETION_REQUESTED, 0x78,
				      0xCAFE, 0, &r, 1, 40);
		sn_put_le32(pl, 0xABCD);
		g_write(e, hdr, (size_t)hl, pl, 40);
		assert_int_equal(poll_host(e), 1);
		assert_int_equal(g_next(e, &hp), 1);
		assert_int_equal(hp.type, VMB_PKT_COMP);
		assert_int_equal(hp.tid, 0x78);
		assert_int_equal(sn_get_le32(hp.nvsp), 0xABCD);
		assert_int_equal(sn_get_le32(hp.nvsp + 4), NVSP_STAT_FAIL);
		assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_VMBUS_PKT), 2);
	}
	/* Unknown completion ids. */
	g_rx_comp(e, 0x12345);
	g_rx_comp(e, 0);
	g_rx_comp(e, UINT64_C(0xFFFFFFFF00000000));
	assert_int_equal(poll_host(e), 3);
	g_expect_empty(e);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_COMPLETION_ID), 3);
	/* Oversized packet: skipped, counted. */
	{
		static uint8_t big[20000];

		memset(big, 0, sizeof(big));
		sn_put_le32(big, 999);
		g_inband_raw(e, 0, 1, big, sizeof(big));
		assert_int_equal(poll_host(e), 1);
		assert_int_equal(err_count(e, NVSP_HOST_ERR_BAD_VMBUS_PKT), 3);
	}
	tx_still_works(e);
	assert_true(e->logs > 0);
}

/* A corrupt G->H ring index kills the channel, without reading junk. */
static void
test_ring_corrupt(void **state)
{
	struct env *e = *state;
	struct vmb_ring_ctl *ctl = (struct vmb_ring_ctl *)e->ring_mem[0];

	linux_init(e, GPADL_RBUF);
	ctl->write_index = 13;	/* not a multiple of 8 */
	assert_int_equal(poll_host(e), -EPIPE);
	assert_int_equal(poll_host(e), -EPIPE);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_RING_CORRUPT), 1);
	assert_true(nvsp_host_arm(e->h));
}

/* The guest corrupts the read index of the H->G ring it reads. */
static void
test_h2g_ring_corrupt(void **state)
{
	struct env *e = *state;
	struct vmb_ring_ctl *ctl = (struct vmb_ring_ctl *)e->ring_mem[1];
	struct nvsp_msg m;

	ctl->read_index = 0x7FFFFFF0;	/* outside the ring */
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG_TYPE_INIT;
	m.init.min_ver = m.init.max_ver = NVSP_PROTOCOL_VERSION_61;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, 1);
	assert_int_equal(poll_host(e), -EPIPE);
	assert_int_equal(err_count(e, NVSP_HOST_ERR_RING_CORRUPT), 1);
	assert_int_equal(e->signals, 0);
}

/* Sleep support: arm reports pending data; disarm masks. */
static void
test_arm_disarm(void **state)
{
	struct env *e = *state;
	struct vmb_ring_ctl *ctl = (struct vmb_ring_ctl *)e->ring_mem[0];
	struct nvsp_msg m;

	nvsp_host_disarm(e->h);
	assert_int_equal(ctl->interrupt_mask, 1);
	assert_false(nvsp_host_arm(e->h));
	assert_int_equal(ctl->interrupt_mask, 0);
	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG_TYPE_INIT;
	m.init.min_ver = m.init.max_ver = NVSP_PROTOCOL_VERSION_61;
	g_nvsp(e, &m, VMB_PKT_FLAG_COMPLETION_REQUESTED, 1);
	assert_true(nvsp_host_arm(e->h));
	assert_int_equal(poll_host(e), 1);
	assert_false(nvsp_host_arm(e->h));
	assert_int_equal(e->signals, 1);
}

/* ========================================================================= */
/* unit tests: slot allocator, RNDIS device                                  */
/* ========================================================================= */

static void
test_rxbuf(void **state)
{
	struct nvsp_rxbuf *rb = nvsp_rxbuf_create(32);
	struct nvsp_rxbuf_batch b;
	struct nvsp_rxbuf_counts c;
	uint32_t s, i;
	uint64_t id, id2;

	(void)state;
	assert_non_null(rb);
	assert_null(nvsp_rxbuf_create(0));
	assert_int_equal(nvsp_rxbuf_alloc_data(rb, &s), -ENOBUFS);
	assert_int_equal(nvsp_rxbuf_configure(rb, 20, 20), -EINVAL);
	assert_int_equal(nvsp_rxbuf_configure(rb, 33, 4), -EINVAL);
	assert_int_equal(nvsp_rxbuf_configure(rb, 20, 16), 0);
	nvsp_rxbuf_batch_init(&b);
	for (i = 0; i < 4; i++) {
		assert_int_equal(nvsp_rxbuf_alloc_data(rb, &s), 0);
		assert_true(s >= 16 && s < 20);
		nvsp_rxbuf_batch_add(rb, &b, s);
	}
	assert_int_equal(nvsp_rxbuf_alloc_data(rb, &s), -ENOBUFS);
	assert_int_equal(nvsp_rxbuf_alloc_ctl(rb, &s), 0);
	assert_int_equal(s, 0);
	id = nvsp_rxbuf_batch_id(rb, &b);
	assert_int_equal(nvsp_rxbuf_batch_commit(rb, &b), id);
	assert_int_equal(b.count, 0);
	nvsp_rxbuf_counts(rb, &c);
	assert_int_equal(c.in_flight, 4);
	assert_int_equal(c.batches, 1);
	assert_int_equal(c.free_ctl, 15);
	nvsp_rxbuf_free_pending(rb, s);
	nvsp_rxbuf_free_pending(rb, 17);	/* in flight: ignored */
	nvsp_rxbuf_counts(rb, &c);
	assert_int_equal(c.free_ctl, 16);
	assert_int_equal(c.in_flight, 4);
	/* Wrong generation, wrong head, then right, then duplicate. */
	assert_int_equal(nvsp_rxbuf_complete(rb, id + (UINT64_C(1) << 32)),
			 -ENOENT);
	assert_int_equal(nvsp_rxbuf_complete(rb, (id & ~0xFFFFFFFFull) | 19),
			 -ENOENT);
	assert_int_equal(nvsp_rxbuf_complete(rb, id), 4);
	assert_int_equal(nvsp_rxbuf_complete(rb, id), -ENOENT);
	nvsp_rxbuf_counts(rb, &c);
	assert_int_equal(c.free_data, 4);
	assert_int_equal(c.in_flight, 0);
	/* Abort frees; a reconfigure forgets batches in flight. */
	assert_int_equal(nvsp_rxbuf_alloc_data(rb, &s), 0);
	nvsp_rxbuf_batch_add(rb, &b, s);
	nvsp_rxbuf_batch_abort(rb, &b);
	nvsp_rxbuf_counts(rb, &c);
	assert_int_equal(c.free_data, 4);
	assert_int_equal(nvsp_rxbuf_alloc_data(rb, &s), 0);
	nvsp_rxbuf_batch_add(rb, &b, s);
	id2 = nvsp_rxbuf_batch_commit(rb, &b);
	assert_true(id2 >> 32 != id >> 32);
	assert_int_equal(nvsp_rxbuf_configure(rb, 24, 16), 0);
	assert_int_equal(nvsp_rxbuf_complete(rb, id2), -ENOENT);
	nvsp_rxbuf_reset(rb);
	assert_int_equal(nvsp_rxbuf_alloc_ctl(rb, &s), -ENOBUFS);
	nvsp_rxbuf_destroy(rb);
	nvsp_rxbuf_destroy(NULL);
}

static void
test_rndis_dev_direct(void **state)
{
	struct nvsp_rndis_dev dev;
	struct nvsp_rndis_cfg cfg;
	uint8_t req[256], rep[NVSP_RNDIS_REPLY_MAX], hw[4];
	struct rndis_msg c;
	size_t rl;
	int len;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, our_mac, 6);
	cfg.mtu = 1500;
	cfg.link_speed = 1000;
	/* "né" + U+1F600 (surrogate pair) + an invalid byte. */
	cfg.friendly_name = "n\xc3\xa9\xf0\x9f\x98\x80\xff";
	assert_int_equal(nvsp_rndis_dev_init(&dev, &cfg), 0);
	assert_int_equal(dev.name_len, 5);
	assert_int_equal(dev.name[1], 0x00E9);
	assert_int_equal(dev.name[2], 0xD83D);
	assert_int_equal(dev.name[3], 0xDE00);
	assert_int_equal(dev.name[4], 0xFFFD);
	cfg.friendly_name = NULL;
	assert_int_equal(nvsp_rndis_dev_init(&dev, &cfg), 0);
	assert_int_equal(dev.name_len, 15);	/* "Network Adapter" */
	cfg.mtu = 0;
	assert_int_equal(nvsp_rndis_dev_init(&dev, &cfg), -EINVAL);
	cfg.mtu = 1500;
	assert_int_equal(nvsp_rndis_dev_init(&dev, &cfg), 0);

	/* Small reply buffers are refused, PACKET is not control. */
	len = rndis_encode_keepalive(req, sizeof(req), 1);
	assert_int_equal(nvsp_rndis_dev_handle(&dev, req, (size_t)len, rep,
					       100, &rl), -EMSGSIZE);
	len = rndis_packet_encode_hdr(req, sizeof(req), NULL, 0);
	assert_int_equal(nvsp_rndis_dev_handle(&dev, req, (size_t)len, rep,
					       sizeof(rep), &rl), -EINVAL);

	/* Offload revision: NDIS 6.1 without a header gives rev 2. */
	nvsp_rndis_dev_set_ndis_version(&dev, 6, 1);
	len = rndis_encode_query(req, sizeof(req), 9,
				 RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
				 NULL, 0);
	assert_int_equal(nvsp_rndis_dev_handle(&dev, req, (size_t)len, rep,
					       sizeof(rep), &rl), 0);
	assert_int_equal(rndis_decode(rep, rl, &c), (int)rl);
	assert_int_equal(c.u.info_cmplt.info_len, NDIS_OFFLOAD_SIZE_REV_2);
	/* A rev-1 header in the request wins. */
	hw[0] = NDIS_OBJTYPE_OFFLOAD;
	hw[1] = 1;
	sn_put_le16(hw + 2, NDIS_OFFLOAD_SIZE_REV_1);
	len = rndis_encode_query(req, sizeof(req), 10,
				 RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
				 hw, 4);
	assert_int_equal(nvsp_rndis_dev_handle(&dev, req, (size_t)len, rep,
					       sizeof(rep), &rl), 0);
	assert_int_equal(rndis_decode(rep, rl, &c), (int)rl);
	assert_int_equal(c.u.info_cmplt.info_len, NDIS_OFFLOAD_SIZE_REV_1);
	/* Link speed in 100 b/s units; tiny speeds round down. */
	len = rndis_encode_query(req, sizeof(req), 11,
				 RNDIS_OID_GEN_LINK_SPEED, NULL, 0);
	assert_int_equal(nvsp_rndis_dev_handle(&dev, req, (size_t)len, rep,
					       sizeof(rep), &rl), 0);
	assert_int_equal(rndis_decode(rep, rl, &c), (int)rl);
	assert_int_equal(sn_get_le32(c.u.info_cmplt.info), 10);
	/* Truncated message (4 bytes): nothing to answer, -EBADMSG. */
	assert_int_equal(nvsp_rndis_dev_handle(&dev, req, 4, rep,
					       sizeof(rep), &rl), -EBADMSG);
	assert_int_equal(rl, 0);
	/* Link indication only when initialized and changed. */
	nvsp_rndis_dev_set_link(&dev, true);
	assert_false(nvsp_rndis_dev_link_pending(&dev));
	assert_int_equal(nvsp_rndis_dev_link_indication(&dev, rep,
							sizeof(rep)), 0);
	assert_int_equal(nvsp_rndis_dev_offload_indication(&dev, rep,
							   sizeof(rep)), 0);
	assert_string_equal(nvsp_rndis_state_name(NVSP_RNDIS_HALTED),
			    "halted");
	assert_string_equal(nvsp_host_err_name(NVSP_HOST_ERR_BAD_RNDIS),
			    "bad-rndis");
	assert_string_equal(nvsp_host_err_name(NVSP_HOST_ERR_MAX), "unknown");
	assert_non_null(nvsp_host_err_desc(NVSP_HOST_ERR_RING_FULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_init, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_version_fallback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_any_order_and_v1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mtu_clamp, setup,
						teardown),
		cmocka_unit_test(test_create_config),
		cmocka_unit_test_setup_teardown(test_tx_section_batched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_gpa_straddle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_section_plus_gpa,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_completion_ids, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_completion_backlog,
						setup_small_ring, teardown),
		cmocka_unit_test_setup_teardown(test_rx_batch_500, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_ring_full,
						setup_small_ring, teardown),
		cmocka_unit_test_setup_teardown(
			test_rx_no_slot_ctl_still_works, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_slots_exhausted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_indications, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rndis_oids, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_rndis_keepalive_reset_halt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_and_subchannel,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_section, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_gpa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rndis, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_rndis_control, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_nvsp_and_vmbus, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ring_corrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_h2g_ring_corrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_arm_disarm, setup,
						teardown),
		cmocka_unit_test(test_rxbuf),
		cmocka_unit_test(test_rndis_dev_direct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
