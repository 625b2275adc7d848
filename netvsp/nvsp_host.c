/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsp_host.c - the host (netvsp) protocol engine of one synthetic NIC
 * (see nvsp_host.h for the contract and the receive-slot layout): NVSP
 * negotiation, buffers, completions, control replies, G->H dispatch,
 * poll, link, queries.  The data path (guest TX, RX batches) is in
 * nvsp_host_data.c; the state both share is in nvsp_host_priv.h.
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
 * replies (queue + control slots), NVSP setup messages, G->H dispatch,
 * H->G flow control, poll, link, queries, create / destroy.
 *
 * Ownership: the engine owns its queues and scratch buffers; it borrows
 * the two rings, and it holds one GPADL reference per mapped buffer
 * (receive, send) from ops->gpadl_get() until revoke or destroy.  Guest
 * memory (sections, GPA pages, the receive buffer) is only touched during
 * a call; headers are copied into private buffers before they are
 * validated.
 *
 * Deviations and limits, written down where they matter (the data path's
 * are in nvsp_host_data.c):
 *  - A G->H packet longer than PKT_BUF_SIZE is skipped and counted
 *    (bad-vmbus-pkt) without a completion: its descriptor cannot be read
 *    without copying it.  Linux packets are under 1 KiB.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "nvsp.h"
#include "nvsp_host.h"
#include "nvsp_host_priv.h"
#include "nvsp_rxbuf.h"
#include "sn_wire.h"
#include "vmb_pkt.h"

/* NVSP INIT_COMPLETE max_mdl_chain_len we report (informational). */
#define MAX_MDL_CHAIN		34u

/* A completion waiting for H->G ring space. */
struct nvsp_comp {
	uint64_t trans_id;		/* echoed request id */
	uint32_t len;			/* bytes in msg */
	uint8_t msg[NVSP_MSG_SIZE_V61];	/* encoded NVSP completion */
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
void
nvsp_host_count_err(struct nvsp_host *h, enum nvsp_host_err e)
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
		nvsp_host_count_err(ch->h, NVSP_HOST_ERR_RING_CORRUPT);
		ch->h->broken = true;
	}
	return rc;
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
		nvsp_host_count_err(ch->h, NVSP_HOST_ERR_BACKLOG_STALL);
		return;
	}
	tail = (ch->cq_head + ch->cq_count) % NVSP_HOST_COMPLETION_QUEUE;
	c = &ch->cq[tail];
	c->trans_id = trans_id;
	c->len = len;
	memcpy(c->msg, msg, len);
	ch->cq_count++;
	nvsp_host_count_err(ch->h, NVSP_HOST_ERR_COMPLETION_BACKLOG);
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
void
nvsp_host_complete_status(struct nvsp_chan *ch, uint64_t trans_id,
			  uint32_t req_type, uint32_t status)
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
	nvsp_host_count_err(ch->h, e);
	if (always_completed(req_type) ||
	    (p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
		nvsp_host_complete_status(ch, p->trans_id, req_type,
					  NVSP_STAT_FAIL);
	}
}

/* --- control replies ----------------------------------------------------- */

/*
 * Write one transfer-page packet carrying SEND_RNDIS_PKT (channel_type)
 * with ranges[0, n) of the receive buffer, under trans_id.
 */
int
nvsp_host_write_xfer(struct nvsp_chan *ch, uint64_t trans_id,
		     uint32_t channel_type,
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

/*
 * Send queued control replies, each in its own control slot, in order.
 * Stops at the first that finds no free control slot or no ring space;
 * it stays queued for a later call.
 */
void
nvsp_host_ctl_flush(struct nvsp_host *h)
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
		memcpy(nvsp_host_slot_addr(h, slot), e->msg, e->len);
		nvsp_rxbuf_batch_init(&b);
		nvsp_rxbuf_batch_add(h->rb, &b, slot);
		id = nvsp_rxbuf_batch_id(h->rb, &b);
		r.byte_count = e->len;
		r.byte_offset = slot * h->slot_size;
		if (nvsp_host_write_xfer(ch, id, NVSP_CHANNEL_TYPE_CONTROL,
					 &r, 1) != 0) {
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
		nvsp_host_count_err(h, NVSP_HOST_ERR_CTL_BACKLOG);
	}
}

/* Queue the indications the RNDIS device owes (offload config, link). */
static void
ctl_generate(struct nvsp_host *h, uint64_t now_ns)
{
	struct nvsp_ctl *e;
	int len;

	if (h->rndis.offload_ind_pending &&
	    (e = nvsp_host_ctlq_tail(h)) != NULL) {
		len = nvsp_rndis_dev_offload_indication(&h->rndis, e->msg,
							sizeof(e->msg));
		if (len > 0) {
			nvsp_host_ctlq_push(h, e, (uint32_t)len);
		}
	}
	if (!nvsp_rndis_dev_link_pending(&h->rndis)) {
		return;
	}
	if (h->link_sent_once &&
	    now_ns < h->last_link_ns + NVSP_HOST_LINK_SPACING_NS) {
		return;
	}
	e = nvsp_host_ctlq_tail(h);
	if (e == NULL) {
		return;
	}
	len = nvsp_rndis_dev_link_indication(&h->rndis, e->msg, sizeof(e->msg));
	if (len > 0) {
		nvsp_host_ctlq_push(h, e, (uint32_t)len);
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
		nvsp_host_count_err(h, NVSP_HOST_ERR_UNSUPPORTED_VERSION);
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
		nvsp_host_complete_status(ch, p->trans_id, m->type,
					  NVSP_STAT_SUCCESS);
	}
}

static void
do_ndis_ver(struct nvsp_chan *ch, const struct vmb_pkt *p,
	    const struct nvsp_msg *m)
{
	nvsp_rndis_dev_set_ndis_version(&ch->h->rndis, m->ndis_ver.major,
					m->ndis_ver.minor);
	if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
		nvsp_host_complete_status(ch, p->trans_id, m->type,
					  NVSP_STAT_SUCCESS);
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
		nvsp_host_complete_status(ch, p->trans_id, m->type,
					  NVSP_STAT_SUCCESS);
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
		nvsp_host_tx_rndis_pkt(ch, p, &m);
		break;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		do_subchannel(ch, p, &m);
		break;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		/* No VF is ever offered: synthetic it stays. */
		if ((p->flags & VMB_PKT_FLAG_COMPLETION_REQUESTED) != 0) {
			nvsp_host_complete_status(ch, p->trans_id, m.type,
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
			nvsp_host_count_err(h, NVSP_HOST_ERR_BAD_COMPLETION_ID);
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
		nvsp_host_ctl_flush(h);
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
	nvsp_host_ctl_flush(h);
	while (handled < budget) {
		if (ch->cq_count >= NVSP_HOST_COMPLETION_QUEUE) {
			nvsp_host_count_err(h, NVSP_HOST_ERR_BACKLOG_STALL);
			break;
		}
		rc = vmb_ring_peek(ch->g2h, ch->pkt, sizeof(ch->pkt), &len);
		if (rc == -EAGAIN) {
			break;
		}
		if (rc == -EMSGSIZE && vmb_ring_skip(ch->g2h) == 0) {
			nvsp_host_count_err(h, NVSP_HOST_ERR_BAD_VMBUS_PKT);
			handled++;
			continue;
		}
		if (rc != 0) {
			nvsp_host_count_err(h, NVSP_HOST_ERR_RING_CORRUPT);
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
	nvsp_host_ctl_flush(h);
	cq_flush(ch);
	update_pending_send(h);
	nvsp_host_signal_if_owed(ch);
	if (h->broken) {
		return -EPIPE;
	}
	return (int)handled;
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
	nvsp_host_ctl_flush(h);
	update_pending_send(h);
	nvsp_host_signal_if_owed(&h->chan);
}

void
nvsp_host_set_rx_any_unicast(struct nvsp_host *h, bool on)
{
	if (h != NULL) {
		h->rndis.any_unicast = on;
	}
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
