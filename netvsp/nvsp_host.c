/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_host.c - the host (netvsp) protocol engine of one synthetic NIC
 * (see nvsp_host.h for the contract and the receive-slot layout).
 *
 * Behaviour follows the public host side, microsoft/openvmm
 * vm/devices/net/netvsp/src/lib.rs (any-order setup after INIT, receive
 * slots 0..15 for control, transfer-page control replies with channel
 * type 1, 375 ranges per RX packet, a bounded TX completion backlog), and
 * what the Linux guest does and checks (drivers/net/hyperv/netvsc.c,
 * rndis_filter.c), from wire-facts.md sections 3-5, 8 and 9.  Facts, not
 * code.
 *
 * Layout of this file: helpers, completions (queue + ring), control
 * replies (queue + control slots), NVSP setup messages, guest TX
 * (SEND_RNDIS_PKT: gather, walk, PACKET / control), RX (slots, batches,
 * flush), poll, link, queries.
 *
 * Ownership: the engine owns its queues and scratch buffers; it borrows
 * the two rings, and it holds one GPADL reference per mapped buffer
 * (receive, send) from ops->gpadl_get() until revoke or destroy.  Guest
 * memory (sections, GPA pages, the receive buffer) is only touched during
 * a call; headers are copied into private buffers before they are
 * validated, frame bytes are handed to ops->tx_frame() as fragments.
 *
 * Deviations and limits, written down where they matter:
 *  - A G->H packet longer than PKT_BUF_SIZE is skipped and counted
 *    (bad-vmbus-pkt) without a completion: its descriptor cannot be read
 *    without copying it.  Linux packets are under 1 KiB.
 *  - A frame tx_frame() refuses is completed with SUCCESS (the switch's
 *    drop, counted tx-dropped); malformed guest input gets FAIL.
 *  - A control reply that finds the control queue full is dropped and the
 *    request completed with FAIL (ctl-dropped): reading the G->H ring must
 *    not stop for it, since the guest's completions that free control
 *    slots arrive on that ring.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "nvsp.h"
#include "nvsp_host.h"
#include "nvsp_rxbuf.h"
#include "rndis_msg.h"
#include "rndis_ppi.h"
#include "sn_wire.h"
#include "vmb_pkt.h"

/* Largest G->H packet copied out of the ring (descriptor .. payload). */
#define PKT_BUF_SIZE		16384u
/* Pieces (section + GPA page runs) one SEND_RNDIS_PKT may gather. */
#define MAX_CHUNKS		256u
/* Bytes of RNDIS data one SEND_RNDIS_PKT may describe. */
#define MAX_STREAM		(256u << 10)
/* RNDIS messages walked per SEND_RNDIS_PKT (Linux batches <= 8). */
#define MAX_MSGS_PER_PKT	64u
/* Control messages handled per SEND_RNDIS_PKT (Linux sends 1). */
#define MAX_CTL_PER_PKT		8u
/* Largest control message copied whole (RSS parameters: ~620 bytes). */
#define CTL_MSG_MAX		4096u
/* Largest PPI area copied (RNDIS_PPI_MAX elements of 16 bytes). */
#define PPI_AREA_MAX		(RNDIS_PPI_MAX * RNDIS_PPI_ELEM_LEN)
/* RNDIS PACKET header bytes (type .. reserved). */
#define RNDIS_PKT_HDR		((uint32_t)sizeof(struct rndis_wire_packet))
/* Receive slot: header reservation and the unused tail (OpenVMM). */
#define RX_HDR_SPACE		256u
#define RX_FOOTER		36u
/* Ethernet header, 802.1Q tag. */
#define ETH_HDR_LEN		14u
#define VLAN_TAG_LEN		4u
/* Largest TX frame with an LSO request (64 KiB super-packet + headers). */
#define TX_LSO_FRAME_MAX	(65536u + ETH_HDR_LEN + VLAN_TAG_LEN)
/* Largest contiguous piece asked of ops->gpa() at once. */
#define GPA_RUN_MAX		(1u << 20)
/* NVSP INIT_COMPLETE max_mdl_chain_len we report (informational). */
#define MAX_MDL_CHAIN		34u

/* A completion waiting for H->G ring space. */
struct nvsp_comp {
	uint64_t trans_id;		/* echoed request id */
	uint32_t len;			/* bytes in msg */
	uint8_t msg[NVSP_MSG_SIZE_V61];	/* encoded NVSP completion */
};

/* A control reply waiting for a control slot or ring space. */
struct nvsp_ctl {
	uint32_t len;			/* bytes in msg */
	bool delayed;			/* already counted as ctl-backlog */
	uint8_t msg[NVSP_RNDIS_REPLY_MAX]; /* RNDIS message */
};

/* One contiguous piece of a gathered RNDIS byte stream. */
struct chunk {
	const uint8_t *p;		/* host pointer into guest memory */
	uint32_t len;			/* bytes */
};

/*
 * Per-channel state.  A subchannel will be one more of these sharing the
 * device state of struct nvsp_host.
 */
struct nvsp_chan {
	struct nvsp_host *h;		/* owning device */
	struct vmb_ring *g2h;		/* guest -> host, we read; borrowed */
	struct vmb_ring *h2g;		/* host -> guest, we write; borrowed */
	struct nvsp_comp *cq;		/* [NVSP_HOST_COMPLETION_QUEUE] */
	uint32_t cq_head;		/* oldest queued completion */
	uint32_t cq_count;		/* queued completions */
	struct nvsp_rxbuf_batch rxb;	/* slots of the pending RX batch */
	uint32_t rx_n;			/* frames in the pending batch */
	uint64_t rx_bytes;		/* their frame bytes */
	struct vmb_xfer_range rx_ranges[NVSP_HOST_RX_BATCH_MAX]; /* ranges */
	bool sig_pending;		/* a write owes the guest a signal */
	bool send_pending;		/* we set pending_send_sz on h2g */
	uint8_t xfer_hdr[VMB_XFER_HDR_LEN(NVSP_HOST_RX_BATCH_MAX)]; /* enc */
	uint8_t pkt[PKT_BUF_SIZE];	/* private copy of one G->H packet */
};

struct nvsp_host {
	struct nvsp_host_ops ops;	/* owner's callbacks */
	void *ctx;			/* their context */
	uint32_t cfg_mtu;		/* port MTU: slot size, upper clamp */
	uint32_t max_rx_batch;		/* frames per RX packet */
	uint32_t version;		/* negotiated NVSP version, 0 = none */
	uint32_t msg_size;		/* NVSP size we pad to (28 / 40) */
	uint32_t mtu;			/* effective payload MTU */
	uint64_t ndis_caps;		/* SEND_NDIS_CONFIG capabilities */
	bool broken;			/* G->H ring corrupt: channel dead */
	/* Receive buffer. */
	bool rbuf_ok;			/* mapped and announced */
	uint32_t rbuf_gpadl;		/* its GPADL (we hold a reference) */
	uint16_t rbuf_id;		/* transfer page set id (0xCAFE) */
	uint8_t *rbuf;			/* host mapping */
	size_t rbuf_len;		/* mapping length */
	uint32_t slot_size;		/* bytes per slot */
	uint32_t nslots;		/* slots announced */
	struct nvsp_rxbuf *rb;		/* slot allocator; owned */
	/* Send buffer. */
	bool sbuf_ok;			/* mapped and announced */
	uint32_t sbuf_gpadl;		/* its GPADL (we hold a reference) */
	uint16_t sbuf_id;		/* buffer id */
	const uint8_t *sbuf;		/* host mapping */
	uint32_t nsections;		/* send sections (6144 bytes each) */
	/* RNDIS device and its reply queue. */
	struct nvsp_rndis_dev rndis;	/* the device */
	struct nvsp_ctl *ctlq;		/* [NVSP_HOST_CTL_QUEUE]; owned */
	uint32_t ctlq_head;		/* oldest queued reply */
	uint32_t ctlq_count;		/* queued replies */
	/* Link indications. */
	bool link_sent_once;		/* an indication was ever sent */
	uint64_t last_link_ns;		/* when the last one was queued */
	/* Scratch for one SEND_RNDIS_PKT. */
	struct chunk chunks[MAX_CHUNKS]; /* gathered pieces */
	uint32_t nchunks;		/* pieces in chunks */
	uint32_t stream_len;		/* their total bytes */
	struct nvsp_frag frags[MAX_CHUNKS]; /* frame fragments for tx_frame */
	uint8_t ppi[PPI_AREA_MAX];	/* copied PPI area */
	uint8_t ctl_msg[CTL_MSG_MAX];	/* copied control message */
	struct nvsp_host_stats stats;	/* counters */
	struct nvsp_chan chan;		/* the primary channel */
};

/* --- names and counters -------------------------------------------------- */

static const char *const err_names[NVSP_HOST_ERR_MAX] = {
#define NVSP_HOST_ERR_NAME_(sym, name, desc) [NVSP_HOST_ERR_##sym] = name,
	NVSP_HOST_ERRORS(NVSP_HOST_ERR_NAME_)
#undef NVSP_HOST_ERR_NAME_
};

static const char *const err_descs[NVSP_HOST_ERR_MAX] = {
#define NVSP_HOST_ERR_DESC_(sym, name, desc) [NVSP_HOST_ERR_##sym] = desc,
	NVSP_HOST_ERRORS(NVSP_HOST_ERR_DESC_)
#undef NVSP_HOST_ERR_DESC_
};

const char *
nvsp_host_err_name(enum nvsp_host_err e)
{
	return (unsigned int)e < NVSP_HOST_ERR_MAX ? err_names[e] : "unknown";
}

const char *
nvsp_host_err_desc(enum nvsp_host_err e)
{
	return (unsigned int)e < NVSP_HOST_ERR_MAX ? err_descs[e] : "unknown";
}

/* Count one event of kind e; log the 1st, 2nd, 4th, 8th ... of each. */
static void
count_err(struct nvsp_host *h, enum nvsp_host_err e)
{
	uint64_t n = ++h->stats.err[e];

	if (h->ops.log != NULL && (n & (n - 1)) == 0) {
		h->ops.log(h->ctx, e == NVSP_HOST_ERR_RING_CORRUPT ?
			   NVSP_LOG_ERR : NVSP_LOG_DEBUG,
			   "netvsp: %s: %s (%" PRIu64 " so far)",
			   err_names[e], err_descs[e], n);
	}
}

/* --- ring writes --------------------------------------------------------- */

/*
 * Write {hdr, payload} into the channel's H->G ring.  Returns 0, -EAGAIN
 * (no room), -EINVAL (larger than the ring can ever hold) or -EBADMSG (a
 * corrupt read index: the guest broke its own ring; counted, the message
 * is lost and the channel marked broken).
 */
static int
ring_write(struct nvsp_chan *ch, const void *hdr, size_t hlen,
	   const void *payload, size_t plen)
{
	struct vmb_iov iov[2] = {
		{ .base = hdr, .len = hlen },
		{ .base = payload, .len = plen },
	};
	bool sig = false;
	int rc;

	rc = vmb_ring_write(ch->h2g, iov, 2, &sig);
	if (rc == 0) {
		ch->sig_pending |= sig;
	} else if (rc == -EBADMSG) {
		/* The guest corrupted the read index of its own ring. */
		count_err(ch->h, NVSP_HOST_ERR_RING_CORRUPT);
		ch->h->broken = true;
	}
	return rc;
}

/* Signal the guest if a write or read since the last signal owes one. */
static void
signal_if_owed(struct nvsp_chan *ch)
{
	if (ch->sig_pending) {
		ch->sig_pending = false;
		ch->h->stats.signals++;
		ch->h->ops.signal_guest(ch->h->ctx);
	}
}

/* --- completions --------------------------------------------------------- */

static int
write_comp(struct nvsp_chan *ch, uint64_t trans_id, const uint8_t *msg,
	   uint32_t len)
{
	uint8_t hdr[VMB_PKT_DESC_SIZE];
	int rc;

	rc = vmb_pkt_enc_comp(hdr, sizeof(hdr), trans_id, len);
	if (rc < 0) {
		return rc;
	}
	rc = ring_write(ch, hdr, (size_t)rc, msg, len);
	if (rc == 0) {
		ch->h->stats.completions++;
	}
	return rc;
}

/* Write queued completions in order while the ring has room. */
static void
cq_flush(struct nvsp_chan *ch)
{
	while (ch->cq_count > 0) {
		struct nvsp_comp *c = &ch->cq[ch->cq_head];
		int rc = write_comp(ch, c->trans_id, c->msg, c->len);

		if (rc == -EAGAIN) {
			return;
		}
		/* Written, or lost to a corrupt ring (counted): next. */
		ch->cq_head = (ch->cq_head + 1) % NVSP_HOST_COMPLETION_QUEUE;
		ch->cq_count--;
	}
}

/*
 * Complete trans_id with the NVSP message msg[0, len): now if the ring
 * has room and nothing is queued before it, else queue it.  The poll loop
 * stops reading before the queue can overflow (each G->H packet makes at
 * most one completion); were it to overflow anyway, the completion would
 * be dropped and counted as backlog-stall.
 */
static void
complete_raw(struct nvsp_chan *ch, uint64_t trans_id, const uint8_t *msg,
	     uint32_t len)
{
	struct nvsp_comp *c;
	uint32_t tail;

	if (ch->cq_count == 0 &&
	    write_comp(ch, trans_id, msg, len) != -EAGAIN) {
		return;
	}
	if (ch->cq_count >= NVSP_HOST_COMPLETION_QUEUE ||
	    len > sizeof(c->msg)) {
		count_err(ch->h, NVSP_HOST_ERR_BACKLOG_STALL);
		return;
	}
	tail = (ch->cq_head + ch->cq_count) % NVSP_HOST_COMPLETION_QUEUE;
	c = &ch->cq[tail];
	c->trans_id = trans_id;
	c->len = len;
	memcpy(c->msg, msg, len);
	ch->cq_count++;
	count_err(ch->h, NVSP_HOST_ERR_COMPLETION_BACKLOG);
}

/* Encode m padded to the negotiated message size and complete with it. */
static void
complete_msg(struct nvsp_chan *ch, uint64_t trans_id,
	     const struct nvsp_msg *m)
{
	uint8_t buf[NVSP_MSG_SIZE_V61];
	int len;

	len = nvsp_encode(m, buf, sizeof(buf), ch->h->msg_size);
	if (len > 0) {
		complete_raw(ch, trans_id, buf, (uint32_t)len);
	}
}

/*
 * Complete request type req_type with status: the completion type the
 * protocol defines for it (INIT_COMPLETE, *_BUF_COMPLETE,
 * SEND_RNDIS_PKT_COMPLETE, SUBCHANNEL) with its other fields zero, or
 * for types without one {req_type, status}, so a waiting guest is never
 * left hanging.
 */
static void
complete_status(struct nvsp_chan *ch, uint64_t trans_id, uint32_t req_type,
		uint32_t status)
{
	uint8_t buf[NVSP_MSG_SIZE_V61];
	struct nvsp_msg m;

	memset(&m, 0, sizeof(m));
	switch (req_type) {
	case NVSP_MSG_TYPE_INIT:
		m.type = NVSP_MSG_TYPE_INIT_COMPLETE;
		m.init_comp.status = status;
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
		m.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
		m.recv_buf_comp.status = status;
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		m.type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
		m.send_buf_comp.status = status;
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE;
		m.rndis_pkt_comp.status = status;
		break;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		m.type = NVSP_MSG5_TYPE_SUBCHANNEL;
		m.subchan_comp.status = status;
		break;
	default:
		memset(buf, 0, sizeof(buf));
		sn_put_le32(buf, req_type);
		sn_put_le32(buf + 4, status);
		complete_raw(ch, trans_id, buf, ch->h->msg_size);
		return;
	}
	complete_msg(ch, trans_id, &m);
}

/* True for request types whose protocol always expects a completion. */
static bool
always_completed(uint32_t type)
{
	return type == NVSP_MSG_TYPE_INIT ||
	       type == NVSP_MSG1_TYPE_SEND_RECV_BUF ||
	       type == NVSP_MSG1_TYPE_SEND_SEND_BUF ||
	       type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT ||
	       type == NVSP_MSG5_TYPE_SUBCHANNEL;
}

/*
 * A request of type req_type failed: count e and complete it with FAIL if
 * the protocol or the guest (COMPLETION_REQUESTED) wants a completion.
 */
static void
fail_request(struct nvsp_chan *ch, const struct vmb_pkt *p,
	     uint32_t req_type, enum nvsp_host_err e)
{
	count_err(ch->h, e);
	if (always_completed(req_type) ||
	    (p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
		complete_status(ch, p->trans_id, req_type, NVSP_STAT_FAIL);
	}
}

/* --- control replies ----------------------------------------------------- */

/* Next free control-queue entry, or NULL when the queue is full. */
static struct nvsp_ctl *
ctlq_tail(struct nvsp_host *h)
{
	struct nvsp_ctl *e;

	if (h->ctlq_count >= NVSP_HOST_CTL_QUEUE) {
		return NULL;
	}
	e = &h->ctlq[(h->ctlq_head + h->ctlq_count) % NVSP_HOST_CTL_QUEUE];
	e->len = 0;
	e->delayed = false;
	return e;
}

/* Commit the entry ctlq_tail() returned, holding len bytes. */
static void
ctlq_push(struct nvsp_host *h, struct nvsp_ctl *e, uint32_t len)
{
	e->len = len;
	h->ctlq_count++;
}

/*
 * Write one transfer-page packet carrying SEND_RNDIS_PKT (channel_type)
 * with ranges[0, n) of the receive buffer, under trans_id.
 */
static int
write_xfer(struct nvsp_chan *ch, uint64_t trans_id, uint32_t channel_type,
	   const struct vmb_xfer_range *ranges, uint32_t n)
{
	struct nvsp_host *h = ch->h;
	uint8_t payload[NVSP_MSG_SIZE_V61];
	struct nvsp_msg m;
	int plen, hlen;

	memset(&m, 0, sizeof(m));
	m.type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m.rndis_pkt.channel_type = channel_type;
	m.rndis_pkt.section_index = NVSP_SECTION_INDEX_NONE;
	m.rndis_pkt.section_size = 0;
	plen = nvsp_encode(&m, payload, sizeof(payload), h->msg_size);
	if (plen < 0) {
		return plen;
	}
	hlen = vmb_pkt_enc_xfer(ch->xfer_hdr, sizeof(ch->xfer_hdr),
				VMB_PKT_FLAG_COMPLETION_REQUESTED, trans_id,
				h->rbuf_id, 0, ranges, n, (size_t)plen);
	if (hlen < 0) {
		return hlen;
	}
	return ring_write(ch, ch->xfer_hdr, (size_t)hlen, payload,
			  (size_t)plen);
}

/* Host address of receive slot s. */
static inline uint8_t *
slot_addr(const struct nvsp_host *h, uint32_t s)
{
	return h->rbuf + (size_t)s * h->slot_size;
}

/*
 * Send queued control replies, each in its own control slot, in order.
 * Stops at the first that finds no free control slot or no ring space;
 * it stays queued for a later call.
 */
static void
ctl_flush(struct nvsp_host *h)
{
	struct nvsp_chan *ch = &h->chan;

	while (h->ctlq_count > 0 && h->rbuf_ok) {
		struct nvsp_ctl *e = &h->ctlq[h->ctlq_head];
		struct nvsp_rxbuf_batch b;
		struct vmb_xfer_range r;
		uint32_t slot;
		uint64_t id;

		if (nvsp_rxbuf_alloc_ctl(h->rb, &slot) != 0) {
			goto blocked;
		}
		memcpy(slot_addr(h, slot), e->msg, e->len);
		nvsp_rxbuf_batch_init(&b);
		nvsp_rxbuf_batch_add(h->rb, &b, slot);
		id = nvsp_rxbuf_batch_id(h->rb, &b);
		r.byte_count = e->len;
		r.byte_offset = slot * h->slot_size;
		if (write_xfer(ch, id, NVSP_CHANNEL_TYPE_CONTROL, &r, 1) != 0) {
			nvsp_rxbuf_batch_abort(h->rb, &b);
			goto blocked;
		}
		nvsp_rxbuf_batch_commit(h->rb, &b);
		h->stats.ctl_replies++;
		h->ctlq_head = (h->ctlq_head + 1) % NVSP_HOST_CTL_QUEUE;
		h->ctlq_count--;
	}
	return;
blocked:
	if (!h->ctlq[h->ctlq_head].delayed) {
		h->ctlq[h->ctlq_head].delayed = true;
		count_err(h, NVSP_HOST_ERR_CTL_BACKLOG);
	}
}

/* Queue the indications the RNDIS device owes (offload config, link). */
static void
ctl_generate(struct nvsp_host *h, uint64_t now_ns)
{
	struct nvsp_ctl *e;
	int len;

	if (h->rndis.offload_ind_pending && (e = ctlq_tail(h)) != NULL) {
		len = nvsp_rndis_dev_offload_indication(&h->rndis, e->msg,
							sizeof(e->msg));
		if (len > 0) {
			ctlq_push(h, e, (uint32_t)len);
		}
	}
	if (!nvsp_rndis_dev_link_pending(&h->rndis)) {
		return;
	}
	if (h->link_sent_once &&
	    now_ns < h->last_link_ns + NVSP_HOST_LINK_SPACING_NS) {
		return;
	}
	e = ctlq_tail(h);
	if (e == NULL) {
		return;
	}
	len = nvsp_rndis_dev_link_indication(&h->rndis, e->msg, sizeof(e->msg));
	if (len > 0) {
		ctlq_push(h, e, (uint32_t)len);
		h->link_sent_once = true;
		h->last_link_ns = now_ns;
		h->stats.link_indications++;
	}
}

/* --- NVSP setup messages ------------------------------------------------- */

/* Highest version we support in [min, max], 0 if none. */
static uint32_t
pick_version(uint32_t min, uint32_t max)
{
	static const uint32_t ours[] = {
		NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_6,
		NVSP_PROTOCOL_VERSION_5, NVSP_PROTOCOL_VERSION_4,
		NVSP_PROTOCOL_VERSION_2, NVSP_PROTOCOL_VERSION_1,
	};
	size_t i;

	for (i = 0; i < SN_ARRAY_SIZE(ours); i++) {
		if (ours[i] >= min && ours[i] <= max) {
			return ours[i];
		}
	}
	return 0;
}

static void
do_init(struct nvsp_chan *ch, const struct vmb_pkt *p,
	const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;
	struct nvsp_msg r;
	uint32_t v;

	/* Renegotiating under established buffers would strand them. */
	if (h->rbuf_ok || h->sbuf_ok) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	v = pick_version(m->init.min_ver, m->init.max_ver);
	memset(&r, 0, sizeof(r));
	r.type = NVSP_MSG_TYPE_INIT_COMPLETE;
	if (v == 0) {
		/* Answer, never stay silent: the guest tries the next one. */
		count_err(h, NVSP_HOST_ERR_UNSUPPORTED_VERSION);
		r.init_comp.status = NVSP_STAT_FAIL;
	} else {
		h->version = v;
		h->msg_size = (uint32_t)nvsp_msg_size(v);
		r.init_comp.max_mdl_chain_len = MAX_MDL_CHAIN;
		r.init_comp.status = NVSP_STAT_SUCCESS;
	}
	complete_msg(ch, p->trans_id, &r);
}

static void
do_ndis_config(struct nvsp_chan *ch, const struct vmb_pkt *p,
	       const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;
	uint32_t mtu;

	if (h->version < NVSP_PROTOCOL_VERSION_2) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	/* The guest's frame size, clamped to what this port allows. */
	mtu = m->ndis_config.mtu > ETH_HDR_LEN ?
	      m->ndis_config.mtu - ETH_HDR_LEN : 0;
	mtu = SN_MAX(mtu, NVSP_HOST_MTU_MIN);
	mtu = SN_MIN(mtu, h->cfg_mtu);
	h->mtu = mtu;
	h->ndis_caps = m->ndis_config.capabilities;
	nvsp_rndis_dev_set_mtu(&h->rndis, mtu);
	if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
		complete_status(ch, p->trans_id, m->type, NVSP_STAT_SUCCESS);
	}
}

static void
do_ndis_ver(struct nvsp_chan *ch, const struct vmb_pkt *p,
	    const struct nvsp_msg *m)
{
	nvsp_rndis_dev_set_ndis_version(&ch->h->rndis, m->ndis_ver.major,
					m->ndis_ver.minor);
	if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
		complete_status(ch, p->trans_id, m->type, NVSP_STAT_SUCCESS);
	}
}

/* Slot size for the port MTU (see nvsp_host.h). */
static uint32_t
slot_size_for(uint32_t mtu)
{
	return SN_ALIGN_UP(RX_HDR_SPACE + mtu + ETH_HDR_LEN + VLAN_TAG_LEN +
			   RX_FOOTER, 64u);
}

static void
do_recv_buf(struct nvsp_chan *ch, const struct vmb_pkt *p,
	    const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;
	struct nvsp_msg r;
	uint8_t *base;
	size_t len = 0;
	uint64_t n;

	if (h->rbuf_ok) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	base = h->ops.gpadl_get(h->ctx, m->recv_buf.gpadl, &len);
	if (base == NULL) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_GPA);
		return;
	}
	n = SN_MIN(len, (size_t)NVSP_HOST_RECV_BUF_MAX) / h->slot_size;
	if (n <= NVSP_HOST_CTL_SLOTS ||
	    nvsp_rxbuf_configure(h->rb, (uint32_t)n,
				 NVSP_HOST_CTL_SLOTS) != 0) {
		h->ops.gpadl_put(h->ctx, m->recv_buf.gpadl);
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	h->rbuf_ok = true;
	h->rbuf_gpadl = m->recv_buf.gpadl;
	h->rbuf_id = m->recv_buf.id;
	h->rbuf = base;
	h->rbuf_len = len;
	h->nslots = (uint32_t)n;
	nvsp_rxbuf_batch_init(&ch->rxb);
	ch->rx_n = 0;
	ch->rx_bytes = 0;

	memset(&r, 0, sizeof(r));
	r.type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
	r.recv_buf_comp.status = NVSP_STAT_SUCCESS;
	r.recv_buf_comp.num_sections = 1;
	r.recv_buf_comp.sections[0].offset = 0;
	r.recv_buf_comp.sections[0].sub_alloc_size = h->slot_size;
	r.recv_buf_comp.sections[0].num_sub_allocs = h->nslots;
	r.recv_buf_comp.sections[0].end_offset = h->nslots * h->slot_size;
	complete_msg(ch, p->trans_id, &r);
}

static void
do_send_buf(struct nvsp_chan *ch, const struct vmb_pkt *p,
	    const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;
	struct nvsp_msg r;
	uint8_t *base;
	size_t len = 0;

	if (h->sbuf_ok) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	base = h->ops.gpadl_get(h->ctx, m->send_buf.gpadl, &len);
	if (base == NULL) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_GPA);
		return;
	}
	if (len < NVSP_HOST_SEND_SECTION_SIZE) {
		h->ops.gpadl_put(h->ctx, m->send_buf.gpadl);
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	h->sbuf_ok = true;
	h->sbuf_gpadl = m->send_buf.gpadl;
	h->sbuf_id = m->send_buf.id;
	h->sbuf = base;
	h->nsections = (uint32_t)SN_MIN(len / NVSP_HOST_SEND_SECTION_SIZE,
					(size_t)UINT32_MAX);

	memset(&r, 0, sizeof(r));
	r.type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
	r.send_buf_comp.status = NVSP_STAT_SUCCESS;
	r.send_buf_comp.section_size = NVSP_HOST_SEND_SECTION_SIZE;
	complete_msg(ch, p->trans_id, &r);
}

/* Forget the receive buffer: pending work dropped, reference returned. */
static void
release_recv_buf(struct nvsp_host *h)
{
	if (!h->rbuf_ok) {
		return;
	}
	nvsp_rxbuf_batch_init(&h->chan.rxb);
	h->chan.rx_n = 0;
	h->chan.rx_bytes = 0;
	nvsp_rxbuf_reset(h->rb);
	h->ctlq_count = 0;
	h->rbuf_ok = false;
	h->rbuf = NULL;
	h->nslots = 0;
	h->ops.gpadl_put(h->ctx, h->rbuf_gpadl);
}

static void
release_send_buf(struct nvsp_host *h)
{
	if (!h->sbuf_ok) {
		return;
	}
	h->sbuf_ok = false;
	h->sbuf = NULL;
	h->nsections = 0;
	h->ops.gpadl_put(h->ctx, h->sbuf_gpadl);
}

static void
do_revoke(struct nvsp_chan *ch, const struct vmb_pkt *p,
	  const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;

	if (m->type == NVSP_MSG1_TYPE_REVOKE_RECV_BUF) {
		if (!h->rbuf_ok || m->revoke_recv_buf.id != h->rbuf_id) {
			fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
			return;
		}
		release_recv_buf(h);
	} else {
		if (!h->sbuf_ok || m->revoke_send_buf.id != h->sbuf_id) {
			fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
			return;
		}
		release_send_buf(h);
	}
	if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
		complete_status(ch, p->trans_id, m->type, NVSP_STAT_SUCCESS);
	}
}

static void
do_subchannel(struct nvsp_chan *ch, const struct vmb_pkt *p,
	      const struct nvsp_msg *m)
{
	struct nvsp_msg r;

	if (ch->h->version < NVSP_PROTOCOL_VERSION_5 ||
	    m->subchan_req.op != NVSP_SUBCHANNEL_OP_ALLOCATE) {
		fail_request(ch, p, m->type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	/* No subchannels yet: success with none allocated (Linux: 1 queue). */
	memset(&r, 0, sizeof(r));
	r.type = NVSP_MSG5_TYPE_SUBCHANNEL;
	r.subchan_comp.status = NVSP_STAT_SUCCESS;
	r.subchan_comp.num_allocated = 0;
	complete_msg(ch, p->trans_id, &r);
}

/*
 * The TX helpers below return a verdict: 0 when all went well, else
 * VERDICT(e), e being the counter to charge (and the packet FAILs).
 */
#define VERDICT(e)		((int)(e) + 1)
#define VERDICT_ERR(v)		((enum nvsp_host_err)((v) - 1))

/* --- guest TX: gathering the RNDIS byte stream --------------------------- */

/* Append a piece to the stream; false when over a cap. */
static bool
stream_add(struct nvsp_host *h, const uint8_t *ptr, uint32_t len)
{
	if (h->nchunks >= MAX_CHUNKS || len > MAX_STREAM - h->stream_len) {
		return false;
	}
	h->chunks[h->nchunks].p = ptr;
	h->chunks[h->nchunks].len = len;
	h->nchunks++;
	h->stream_len += len;
	return true;
}

/*
 * Map the GPA ranges of p into stream pieces (runs of consecutive PFNs
 * become one piece).  Returns 0 or a verdict.
 */
static int
stream_add_gpa(struct nvsp_host *h, const struct vmb_pkt *p)
{
	struct vmb_gpa_range r;
	struct vmb_gpa_iter it;
	int rc;

	if (vmb_gpa_iter_init(&it, p) != 0) {
		return VERDICT(NVSP_HOST_ERR_BAD_VMBUS_PKT);
	}
	while ((rc = vmb_gpa_range_next(&it, &r)) == 1) {
		uint32_t off = r.byte_offset, left = r.byte_count, i = 0;

		while (left > 0 && i < r.pfn_count) {
			uint64_t pfn = vmb_gpa_range_pfn(&r, i);
			uint32_t n = SN_MIN(VMB_PAGE_SIZE - off, left);
			const uint8_t *ptr;

			if (pfn > (UINT64_MAX >> VMB_PAGE_SHIFT) - 1) {
				return VERDICT(NVSP_HOST_ERR_BAD_GPA);
			}
			while (n < left && i + 1 < r.pfn_count &&
			       vmb_gpa_range_pfn(&r, i + 1) ==
			       vmb_gpa_range_pfn(&r, i) + 1 &&
			       n < GPA_RUN_MAX) {
				i++;
				n += SN_MIN(VMB_PAGE_SIZE, left - n);
			}
			ptr = h->ops.gpa(h->ctx, (pfn << VMB_PAGE_SHIFT) + off,
					 n);
			if (ptr == NULL || !stream_add(h, ptr, n)) {
				return VERDICT(NVSP_HOST_ERR_BAD_GPA);
			}
			left -= n;
			off = 0;
			i++;
		}
	}
	return rc == 0 ? 0 : VERDICT(NVSP_HOST_ERR_BAD_VMBUS_PKT);
}

/* Copy stream bytes [off, off + len) into dst; false if out of range. */
static bool
stream_copy(const struct nvsp_host *h, uint32_t off, uint32_t len,
	    uint8_t *dst)
{
	uint32_t i, pos = 0;

	if (!sn_range_ok(off, len, h->stream_len)) {
		return false;
	}
	for (i = 0; i < h->nchunks && len > 0; i++) {
		const struct chunk *c = &h->chunks[i];

		if (off < pos + c->len) {
			uint32_t in = off - pos;
			uint32_t n = SN_MIN(c->len - in, len);

			memcpy(dst, c->p + in, n);
			dst += n;
			off += n;
			len -= n;
		}
		pos += c->len;
	}
	return len == 0;
}

/* Fragments covering stream bytes [off, off + len); returns the count. */
static uint32_t
stream_frags(struct nvsp_host *h, uint32_t off, uint32_t len)
{
	uint32_t i, pos = 0, n = 0;

	for (i = 0; i < h->nchunks && len > 0; i++) {
		const struct chunk *c = &h->chunks[i];

		if (off < pos + c->len) {
			uint32_t in = off - pos;
			uint32_t k = SN_MIN(c->len - in, len);

			h->frags[n].addr = c->p + in;
			h->frags[n].len = k;
			n++;
			off += k;
			len -= k;
		}
		pos += c->len;
	}
	return n;
}

/* --- guest TX: one RNDIS PACKET ------------------------------------------ */

/* The PPIs a guest frame carries, as metadata for tx_frame. */
static void
meta_from_ppis(const struct rndis_ppi_set *s, struct nvsp_pktmeta *m)
{
	memset(m, 0, sizeof(*m));
	if (s->present & RNDIS_PPIF_CSUM) {
		m->flags |= NVSP_META_CSUM_TX;
		m->csum = s->csum;
	}
	if (s->present & RNDIS_PPIF_LSO) {
		m->flags |= NVSP_META_LSO;
		m->lso = s->lso;
	}
	if (s->present & RNDIS_PPIF_VLAN) {
		m->flags |= NVSP_META_VLAN;
		m->vlan_tci = rndis_vlan_info_to_tci(s->vlan);
	}
}

/*
 * Hand the PACKET at stream offset mo (mlen bytes, mlen >= 8) to
 * tx_frame.  Returns 0 (taken, or dropped by the switch / link) or a
 * verdict (the guest's packet FAILs).
 */
static int
tx_packet(struct nvsp_host *h, uint32_t mo, uint32_t mlen)
{
	uint8_t hdr[sizeof(struct rndis_wire_packet)];
	uint32_t doff, dlen, poff, plen, max;
	struct rndis_ppi_set ppis;
	struct nvsp_pktmeta meta;
	uint32_t nfrags;

	if (h->rndis.state != NVSP_RNDIS_INITIALIZED) {
		return VERDICT(NVSP_HOST_ERR_NOT_READY);
	}
	if (mlen < RNDIS_PKT_HDR || !stream_copy(h, mo, RNDIS_PKT_HDR, hdr)) {
		return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	}
	/* Offsets count from byte 8; validate the private copy. */
	doff = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  data_offset));
	dlen = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  data_len));
	poff = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  per_pkt_info_offset));
	plen = sn_get_le32(hdr + offsetof(struct rndis_wire_packet,
					  per_pkt_info_len));
	if (doff < RNDIS_PACKET_OFFSET_MIN ||
	    !sn_range_ok((uint64_t)RNDIS_HDR_LEN + doff, dlen, mlen)) {
		return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	}
	memset(&ppis, 0, sizeof(ppis));
	if (plen > 0) {
		if (poff < RNDIS_PACKET_OFFSET_MIN || plen > PPI_AREA_MAX ||
		    !sn_range_ok((uint64_t)RNDIS_HDR_LEN + poff, plen, mlen) ||
		    (poff < doff + dlen && doff < poff + plen) ||
		    !stream_copy(h, mo + RNDIS_HDR_LEN + poff, plen, h->ppi) ||
		    rndis_ppi_parse(h->ppi, plen, &ppis) < 0) {
			return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
		}
	}
	meta_from_ppis(&ppis, &meta);
	max = (meta.flags & NVSP_META_LSO) ? TX_LSO_FRAME_MAX :
	      h->mtu + ETH_HDR_LEN + VLAN_TAG_LEN;
	if (dlen < ETH_HDR_LEN || dlen > max) {
		return VERDICT(NVSP_HOST_ERR_BAD_FRAME);
	}
	if (!h->rndis.link_up) {
		count_err(h, NVSP_HOST_ERR_TX_LINK_DOWN);
		return 0;
	}
	nfrags = stream_frags(h, mo + RNDIS_HDR_LEN + doff, dlen);
	if (h->ops.tx_frame(h->ctx, h->frags, nfrags, dlen, &meta) < 0) {
		count_err(h, NVSP_HOST_ERR_TX_DROPPED);
		return 0;
	}
	h->stats.tx_packets++;
	h->stats.tx_bytes += dlen;
	return 0;
}

/*
 * Hand the control message at stream offset mo to the RNDIS device and
 * queue its reply.  Returns 0 or a verdict.
 */
static int
tx_control(struct nvsp_host *h, uint32_t mo, uint32_t mlen)
{
	/* Too long to copy whole: the device sees it truncated and
	 * answers INVALID_DATA when it can read the request id. */
	uint32_t n = SN_MIN(mlen, CTL_MSG_MAX);
	struct nvsp_ctl *e;
	size_t rlen = 0;
	int rc;

	h->stats.ctl_msgs++;
	if (!stream_copy(h, mo, n, h->ctl_msg)) {
		return VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	}
	e = ctlq_tail(h);
	if (e == NULL) {
		return VERDICT(NVSP_HOST_ERR_CTL_DROPPED);
	}
	rc = nvsp_rndis_dev_handle(&h->rndis, h->ctl_msg, n, e->msg,
				   sizeof(e->msg), &rlen);
	if (rlen > 0) {
		ctlq_push(h, e, (uint32_t)rlen);
	}
	return rc < 0 ? VERDICT(NVSP_HOST_ERR_BAD_RNDIS) : 0;
}

/*
 * Walk the RNDIS messages of the gathered stream (several may be batched
 * back to back, each msg_len covering its padding).  Returns the first
 * verdict, 0 when every message was fine.
 */
static int
tx_walk(struct nvsp_host *h)
{
	uint32_t off = 0, nmsg = 0, nctl = 0;
	const int bad = VERDICT(NVSP_HOST_ERR_BAD_RNDIS);
	int first = 0, rc;

	while (h->stream_len - off >= RNDIS_HDR_LEN) {
		uint8_t w[RNDIS_HDR_LEN];
		uint32_t type, mlen;

		if (nmsg == MAX_MSGS_PER_PKT) {
			return first ? first : bad;
		}
		(void)stream_copy(h, off, RNDIS_HDR_LEN, w);
		type = sn_get_le32(w);
		mlen = sn_get_le32(w + 4);
		if (mlen < RNDIS_HDR_LEN || mlen > h->stream_len - off) {
			return first ? first : bad;
		}
		if (type == RNDIS_MSG_PACKET) {
			rc = tx_packet(h, off, mlen);
		} else if (++nctl > MAX_CTL_PER_PKT) {
			rc = bad;
		} else {
			rc = tx_control(h, off, mlen);
		}
		if (rc != 0 && first == 0) {
			first = rc;
		}
		off += mlen;
		nmsg++;
	}
	/* Fewer than 8 trailing bytes: alignment padding, ignored. */
	if (nmsg == 0 && first == 0) {
		return bad;
	}
	return first;
}

/* SEND_RNDIS_PKT: gather section and/or GPA ranges, walk, complete once. */
static void
do_rndis_pkt(struct nvsp_chan *ch, const struct vmb_pkt *p,
	     const struct nvsp_msg *m)
{
	struct nvsp_host *h = ch->h;
	const struct nvsp_rndis_pkt *r = &m->rndis_pkt;
	int rc = 0;

	h->nchunks = 0;
	h->stream_len = 0;
	if (r->channel_type > NVSP_CHANNEL_TYPE_CONTROL) {
		rc = VERDICT(NVSP_HOST_ERR_BAD_NVSP);
	} else if (r->section_index != NVSP_SECTION_INDEX_NONE) {
		if (!h->sbuf_ok || r->section_index >= h->nsections ||
		    r->section_size > NVSP_HOST_SEND_SECTION_SIZE ||
		    r->section_size == 0) {
			rc = VERDICT(NVSP_HOST_ERR_BAD_SECTION);
		} else {
			(void)stream_add(h, h->sbuf + (size_t)r->section_index *
					 NVSP_HOST_SEND_SECTION_SIZE,
					 r->section_size);
		}
	}
	if (rc == 0 && p->type == VMB_PKT_DATA_USING_GPA_DIRECT) {
		rc = stream_add_gpa(h, p);
	}
	if (rc == 0) {
		rc = tx_walk(h);
	}
	h->stats.tx_rndis_pkts++;
	if (rc != 0) {
		count_err(h, VERDICT_ERR(rc));
	}
	complete_status(ch, p->trans_id, m->type,
			rc == 0 ? NVSP_STAT_SUCCESS : NVSP_STAT_FAIL);
	/* Replies go out now (after the completion): frees queue room. */
	ctl_flush(h);
}

/* --- G->H dispatch ------------------------------------------------------- */

/* True when message type t needs a negotiated version first. */
static bool
needs_version(uint32_t t)
{
	return t != NVSP_MSG_TYPE_INIT;
}

static void
handle_nvsp(struct nvsp_chan *ch, const struct vmb_pkt *p)
{
	struct nvsp_host *h = ch->h;
	struct nvsp_msg m;
	uint32_t type = NVSP_MSG_TYPE_NONE;
	int rc;

	(void)nvsp_msg_type(p->payload, p->payload_len, &type);
	rc = nvsp_decode(p->payload, p->payload_len, &m);
	if (rc != 0) {
		fail_request(ch, p, type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	if (h->version == 0 && needs_version(m.type)) {
		fail_request(ch, p, m.type, NVSP_HOST_ERR_BAD_NVSP);
		return;
	}
	switch (m.type) {
	case NVSP_MSG_TYPE_INIT:
		do_init(ch, p, &m);
		break;
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		do_ndis_config(ch, p, &m);
		break;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		do_ndis_ver(ch, p, &m);
		break;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
		do_recv_buf(ch, p, &m);
		break;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		do_send_buf(ch, p, &m);
		break;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		do_revoke(ch, p, &m);
		break;
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		do_rndis_pkt(ch, p, &m);
		break;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		do_subchannel(ch, p, &m);
		break;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		/* No VF is ever offered: synthetic it stays. */
		if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
			complete_status(ch, p->trans_id, m.type,
					NVSP_STAT_SUCCESS);
		}
		break;
	default:
		/* Host-to-guest types, OID_QUERY_EX, ...: not for us. */
		fail_request(ch, p, m.type, NVSP_HOST_ERR_BAD_NVSP);
		break;
	}
}

/* One packet copied out of the G->H ring (len bytes in ch->pkt). */
static void
handle_pkt(struct nvsp_chan *ch, size_t len)
{
	struct nvsp_host *h = ch->h;
	uint32_t type = NVSP_MSG_TYPE_NONE;
	struct vmb_pkt p;
	size_t off;
	int rc;

	rc = vmb_pkt_decode(ch->pkt, len, &p);
	if (rc == 0 && p.type == VMB_PKT_COMP) {
		if (nvsp_rxbuf_complete(h->rb, p.trans_id) < 0) {
			count_err(h, NVSP_HOST_ERR_BAD_COMPLETION_ID);
		} else {
			h->stats.rx_completions++;
		}
		return;
	}
	if (rc == 0 && (p.type == VMB_PKT_DATA_INBAND ||
			p.type == VMB_PKT_DATA_USING_GPA_DIRECT)) {
		handle_nvsp(ch, &p);
		return;
	}
	/*
	 * Undecodable or unexpected type.  The descriptor itself was
	 * validated by vmb_ring_peek() (offset8 * 8 <= len), so its flags,
	 * id and payload offset are usable: answer the NVSP request inside
	 * the way its type wants, so the guest is not left waiting.
	 */
	p.flags = sn_get_le16(ch->pkt + offsetof(struct vmb_pkt_desc, flags));
	p.trans_id = sn_get_le64(ch->pkt +
				 offsetof(struct vmb_pkt_desc, trans_id));
	off = (size_t)sn_get_le16(ch->pkt +
				  offsetof(struct vmb_pkt_desc, offset8)) * 8;
	if (off <= len && len - off >= 4) {
		type = sn_get_le32(ch->pkt + off);
	}
	fail_request(ch, &p, type, NVSP_HOST_ERR_BAD_VMBUS_PKT);
}

/* --- H->G flow control --------------------------------------------------- */

/*
 * Work is waiting for H->G ring space: ask the guest to signal us when it
 * frees some (pending_send_sz); retry at once if the space is already
 * there.  Without waiting work, withdraw the request.
 */
static void
update_pending_send(struct nvsp_host *h)
{
	struct nvsp_chan *ch = &h->chan;
	uint32_t need = (uint32_t)vmb_ring_pkt_space(VMB_XFER_HDR_LEN(1) +
						     NVSP_MSG_SIZE_V61);
	int tries;

	for (tries = 0; tries < 4; tries++) {
		bool waiting = ch->cq_count > 0 ||
			       (h->ctlq_count > 0 && h->rbuf_ok);

		if (!waiting || vmb_ring_write_space(ch->h2g) >= need) {
			/* Nothing waits on ring space (maybe on slots). */
			break;
		}
		ch->send_pending = true;
		if (vmb_ring_set_pending_send(ch->h2g, need) != 1) {
			return;		/* the guest will signal us */
		}
		/* The guest made room meanwhile: withdraw and retry. */
		vmb_ring_clear_pending_send(ch->h2g);
		ch->send_pending = false;
		cq_flush(ch);
		ctl_flush(h);
	}
	if (ch->send_pending) {
		vmb_ring_clear_pending_send(ch->h2g);
		ch->send_pending = false;
	}
}

/* --- poll ---------------------------------------------------------------- */

int
nvsp_host_poll(struct nvsp_host *h, unsigned int budget, uint64_t now_ns)
{
	struct nvsp_chan *ch;
	unsigned int handled = 0;
	size_t len;
	int rc;

	if (h == NULL) {
		return -EINVAL;
	}
	ch = &h->chan;
	if (h->broken) {
		return -EPIPE;
	}
	cq_flush(ch);
	ctl_flush(h);
	while (handled < budget) {
		if (ch->cq_count >= NVSP_HOST_COMPLETION_QUEUE) {
			count_err(h, NVSP_HOST_ERR_BACKLOG_STALL);
			break;
		}
		rc = vmb_ring_peek(ch->g2h, ch->pkt, sizeof(ch->pkt), &len);
		if (rc == -EAGAIN) {
			break;
		}
		if (rc == -EMSGSIZE && vmb_ring_skip(ch->g2h) == 0) {
			count_err(h, NVSP_HOST_ERR_BAD_VMBUS_PKT);
			handled++;
			continue;
		}
		if (rc != 0) {
			count_err(h, NVSP_HOST_ERR_RING_CORRUPT);
			h->broken = true;
			break;
		}
		handled++;
		handle_pkt(ch, len);
	}
	if (handled > 0 && vmb_ring_read_commit(ch->g2h)) {
		ch->sig_pending = true;
	}
	ctl_generate(h, now_ns);
	ctl_flush(h);
	cq_flush(ch);
	update_pending_send(h);
	signal_if_owed(ch);
	if (h->broken) {
		return -EPIPE;
	}
	return (int)handled;
}

/* --- RX ------------------------------------------------------------------ */

bool
nvsp_host_rx_ready(const struct nvsp_host *h)
{
	return h != NULL && h->rbuf_ok && h->rndis.link_up &&
	       h->rndis.state == NVSP_RNDIS_INITIALIZED;
}

/* Write the pending data batch; returns the frames dropped. */
static int
rx_flush_chan(struct nvsp_chan *ch)
{
	struct nvsp_host *h = ch->h;
	uint32_t n = ch->rx_n;
	uint64_t id;

	if (n == 0) {
		return 0;
	}
	id = nvsp_rxbuf_batch_id(h->rb, &ch->rxb);
	if (write_xfer(ch, id, NVSP_CHANNEL_TYPE_DATA, ch->rx_ranges, n) == 0) {
		nvsp_rxbuf_batch_commit(h->rb, &ch->rxb);
		h->stats.rx_packets += n;
		h->stats.rx_bytes += ch->rx_bytes;
		h->stats.rx_batches++;
		n = 0;
	} else {
		nvsp_rxbuf_batch_abort(h->rb, &ch->rxb);
		h->stats.err[NVSP_HOST_ERR_RING_FULL] += n - 1;
		count_err(h, NVSP_HOST_ERR_RING_FULL);
	}
	ch->rx_n = 0;
	ch->rx_bytes = 0;
	return (int)n;
}

/* Copy the first n (<= len) bytes of a fragment list into dst. */
static void
frags_peek(const struct nvsp_frag *frags, unsigned int nfrags, uint8_t *dst,
	   uint32_t n)
{
	unsigned int i;

	for (i = 0; i < nfrags && n > 0; i++) {
		uint32_t k = SN_MIN(frags[i].len, n);

		memcpy(dst, frags[i].addr, k);
		dst += k;
		n -= k;
	}
}

/* PPIs for a received frame from its metadata. */
static void
ppis_from_meta(const struct nvsp_pktmeta *m, struct rndis_ppi_set *s)
{
	memset(s, 0, sizeof(*s));
	if (m == NULL) {
		return;
	}
	if (m->flags & NVSP_META_VLAN) {
		s->present |= RNDIS_PPIF_VLAN;
		s->vlan = rndis_vlan_info_from_tci(m->vlan_tci);
	}
	if (m->flags & NVSP_META_CSUM_RX) {
		s->present |= RNDIS_PPIF_CSUM;
		s->csum = m->csum;
	}
	if (m->flags & NVSP_META_HASH) {
		s->present |= RNDIS_PPIF_HASH_VALUE | RNDIS_PPIF_HASH_INFO;
		s->hash_value = m->hash_value;
		s->hash_info = m->hash_info;
	}
}

int
nvsp_host_rx_frame(struct nvsp_host *h, const struct nvsp_frag *frags,
		   unsigned int nfrags, uint32_t len,
		   const struct nvsp_pktmeta *m)
{
	uint8_t eth[ETH_HDR_LEN];
	struct rndis_ppi_set ppis;
	struct nvsp_chan *ch;
	uint64_t sum = 0;
	uint32_t slot, max, ethertype;
	unsigned int i;
	uint8_t *dst;
	int hl;

	if (h == NULL || (frags == NULL && nfrags > 0)) {
		return -EINVAL;
	}
	for (i = 0; i < nfrags; i++) {
		sum += frags[i].len;
	}
	if (sum != len || len < ETH_HDR_LEN) {
		return -EINVAL;
	}
	ch = &h->chan;
	if (!nvsp_host_rx_ready(h)) {
		count_err(h, NVSP_HOST_ERR_NOT_READY);
		return -ENETDOWN;
	}
	frags_peek(frags, nfrags, eth, ETH_HDR_LEN);
	ethertype = sn_get_be16(eth + 12);
	max = h->mtu + ETH_HDR_LEN +
	      (ethertype == 0x8100 || ethertype == 0x88A8 ? VLAN_TAG_LEN : 0);
	if (len > max) {
		count_err(h, NVSP_HOST_ERR_MTU);
		return -EMSGSIZE;
	}
	if (!nvsp_rndis_dev_rx_accept(&h->rndis, eth)) {
		count_err(h, NVSP_HOST_ERR_FILTERED);
		return -EPERM;
	}
	if (nvsp_rxbuf_alloc_data(h->rb, &slot) != 0) {
		count_err(h, NVSP_HOST_ERR_NO_RXBUF);
		return -ENOBUFS;
	}
	ppis_from_meta(m, &ppis);
	dst = slot_addr(h, slot);
	hl = rndis_packet_encode_hdr(dst, RX_HDR_SPACE, &ppis, len);
	if (hl < 0 || (uint64_t)hl + len > h->slot_size - RX_FOOTER) {
		nvsp_rxbuf_free_pending(h->rb, slot);	/* cannot happen */
		count_err(h, NVSP_HOST_ERR_MTU);
		return -EMSGSIZE;
	}
	dst += hl;
	for (i = 0; i < nfrags; i++) {
		memcpy(dst, frags[i].addr, frags[i].len);
		dst += frags[i].len;
	}
	nvsp_rxbuf_batch_add(h->rb, &ch->rxb, slot);
	ch->rx_ranges[ch->rx_n].byte_count = (uint32_t)hl + len;
	ch->rx_ranges[ch->rx_n].byte_offset = slot * h->slot_size;
	ch->rx_n++;
	ch->rx_bytes += len;
	if (ch->rx_n >= h->max_rx_batch) {
		(void)rx_flush_chan(ch);
	}
	return 0;
}

int
nvsp_host_rx_flush(struct nvsp_host *h)
{
	int dropped;

	if (h == NULL) {
		return 0;
	}
	dropped = rx_flush_chan(&h->chan);
	signal_if_owed(&h->chan);
	return dropped;
}

/* --- link ---------------------------------------------------------------- */

void
nvsp_host_set_link(struct nvsp_host *h, bool up, uint64_t now_ns)
{
	if (h == NULL) {
		return;
	}
	nvsp_rndis_dev_set_link(&h->rndis, up);
	ctl_generate(h, now_ns);
	ctl_flush(h);
	update_pending_send(h);
	signal_if_owed(&h->chan);
}

uint64_t
nvsp_host_next_deadline(const struct nvsp_host *h)
{
	if (h == NULL || !nvsp_rndis_dev_link_pending(&h->rndis)) {
		return 0;
	}
	return h->link_sent_once ?
	       h->last_link_ns + NVSP_HOST_LINK_SPACING_NS : 1;
}

/* --- sleep support ------------------------------------------------------- */

void
nvsp_host_disarm(struct nvsp_host *h)
{
	vmb_ring_mask(h->chan.g2h);
}

bool
nvsp_host_arm(struct nvsp_host *h)
{
	struct nvsp_chan *ch = &h->chan;
	bool data = vmb_ring_unmask(ch->g2h);
	uint32_t need = (uint32_t)vmb_ring_pkt_space(VMB_XFER_HDR_LEN(1) +
						     NVSP_MSG_SIZE_V61);
	bool backlog = (ch->cq_count > 0 || (h->ctlq_count > 0 && h->rbuf_ok))
		       && vmb_ring_write_space(ch->h2g) >= need;

	return data || backlog || h->broken;
}

/* --- queries ------------------------------------------------------------- */

void
nvsp_host_get_stats(const struct nvsp_host *h, struct nvsp_host_stats *out)
{
	*out = h->stats;
}

void
nvsp_host_get_info(const struct nvsp_host *h, struct nvsp_host_info *out)
{
	struct nvsp_rxbuf_counts c;

	memset(out, 0, sizeof(*out));
	nvsp_rxbuf_counts(h->rb, &c);
	out->nvsp_version = h->version;
	out->ndis_major = h->rndis.ndis_major;
	out->ndis_minor = h->rndis.ndis_minor;
	out->ndis_caps = h->ndis_caps;
	out->mtu = h->mtu;
	out->packet_filter = h->rndis.filter;
	out->rndis_state = h->rndis.state;
	out->link_up = h->rndis.link_up;
	out->rx_ready = nvsp_host_rx_ready(h);
	out->recv_buf = h->rbuf_ok;
	out->send_buf = h->sbuf_ok;
	out->recv_slot_size = h->slot_size;
	out->recv_slots = c.nslots;
	out->recv_slots_free = c.free_data;
	out->recv_slots_in_flight = c.in_flight;
	out->send_sections = h->nsections;
	out->completions_queued = h->chan.cq_count;
	out->ctl_queued = h->ctlq_count;
	out->offload = h->rndis.cur;
	out->rss_enabled = h->rndis.rss_enabled;
}

/* --- create / destroy ---------------------------------------------------- */

/* What the backend can offload (wire-facts: TCP/UDP csum v4/v6, LSOv2). */
static void
backend_caps(struct ndis_offload_config *c)
{
	memset(c, 0, sizeof(*c));
	c->tcp4_csum = NDIS_OFL_TX_RX;
	c->udp4_csum = NDIS_OFL_TX_RX;
	c->tcp6_csum = NDIS_OFL_TX_RX;
	c->udp6_csum = NDIS_OFL_TX_RX;
	c->lsov2_ip4 = 1;
	c->lsov2_ip6 = 1;
}

struct nvsp_host *
nvsp_host_create(const struct nvsp_host_cfg *cfg, struct vmb_ring *g2h,
		 struct vmb_ring *h2g, const struct nvsp_host_ops *ops,
		 void *ctx)
{
	struct nvsp_rndis_cfg rc;
	struct nvsp_host *h;
	uint32_t mtu, batch;

	if (cfg == NULL || g2h == NULL || h2g == NULL || ops == NULL ||
	    ops->tx_frame == NULL || ops->gpadl_get == NULL ||
	    ops->gpadl_put == NULL || ops->gpa == NULL ||
	    ops->signal_guest == NULL) {
		return NULL;
	}
	mtu = cfg->mtu != 0 ? cfg->mtu : NVSP_HOST_MTU_DEFAULT;
	batch = cfg->max_rx_batch != 0 ? cfg->max_rx_batch :
		NVSP_HOST_RX_BATCH_MAX;
	if (mtu < NVSP_HOST_MTU_MIN || mtu > NVSP_HOST_MTU_MAX ||
	    batch > NVSP_HOST_RX_BATCH_MAX) {
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return NULL;
	}
	h->ops = *ops;
	h->ctx = ctx;
	h->cfg_mtu = mtu;
	h->mtu = mtu;
	h->max_rx_batch = batch;
	h->msg_size = NVSP_MSG_SIZE_V1;
	h->slot_size = slot_size_for(mtu);
	h->chan.h = h;
	h->chan.g2h = g2h;
	h->chan.h2g = h2g;
	nvsp_rxbuf_batch_init(&h->chan.rxb);

	memset(&rc, 0, sizeof(rc));
	memcpy(rc.mac, cfg->mac, sizeof(rc.mac));
	rc.mtu = mtu;
	rc.link_speed = cfg->link_speed != 0 ? cfg->link_speed :
			NVSP_HOST_LINK_SPEED_DEFAULT;
	rc.link_up = cfg->link_up;
	rc.friendly_name = cfg->friendly_name;
	backend_caps(&rc.caps);
	if (nvsp_rndis_dev_init(&h->rndis, &rc) != 0) {
		goto fail;
	}
	h->rb = nvsp_rxbuf_create(NVSP_HOST_RECV_BUF_MAX / h->slot_size);
	if (h->rb == NULL) {
		goto fail;
	}
	h->chan.cq = calloc(NVSP_HOST_COMPLETION_QUEUE, sizeof(*h->chan.cq));
	if (h->chan.cq == NULL) {
		goto fail;
	}
	h->ctlq = calloc(NVSP_HOST_CTL_QUEUE, sizeof(*h->ctlq));
	if (h->ctlq == NULL) {
		goto fail;
	}
	return h;
fail:
	nvsp_host_destroy(h);
	return NULL;
}

void
nvsp_host_destroy(struct nvsp_host *h)
{
	if (h == NULL) {
		return;
	}
	if (h->rb != NULL) {
		release_recv_buf(h);
	}
	release_send_buf(h);
	free(h->ctlq);
	free(h->chan.cq);
	nvsp_rxbuf_destroy(h->rb);
	free(h);
}
