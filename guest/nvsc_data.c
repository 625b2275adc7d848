/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvsc_data.c - data path of the guest VSC: TX into send sections or
 * GPA-direct bounce pages, RX from transfer-page packets, completions,
 * interrupt masking.  Behaviour follows Linux netvsc.c / netvsc_drv.c /
 * rndis_filter.c (netvsc_send(), netvsc_receive(), rndis_filter_receive(),
 * netvsc_poll()); written from their description, not copied.
 *
 * Signalling (vmb_ring.c has the full contract):
 *  - G->H: every vmb_ring_write() says whether the host must be kicked
 *    (ring was empty and the host unmasked); only then is kick_fd written.
 *  - H->G: nvsc_poll() masks the host's interrupts while it drains;
 *    nvsc_arm() unmasks and re-checks before the caller sleeps.  After
 *    consuming packets, vmb_ring_read_commit() says whether the host is
 *    blocked on pending_send_sz and must be kicked.
 *  - When our G->H writes fail for lack of room (TX or RX completions),
 *    nvsc_arm() sets pending_send_sz so the host signals us once it has
 *    drained enough.
 *
 * The host is not trusted: every H->G packet is copied out of the ring
 * (vmb_ring_peek) and every RNDIS message out of the receive buffer
 * before it is parsed; ranges are checked against the receive buffer;
 * loops are bounded by what the copy holds.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "nvsc_priv.h"
#include "ofl_csum.h"
#include "ofl_parse.h"
#include "rndis_ppi.h"
#include "vmb_pkt.h"
#include "vmb_user.h"

/* --- ring writes --------------------------------------------------------- */

int
nvsc_ring_send(struct nvsc_dev *dev, const void *hdr, size_t hlen,
	       const void *payload, size_t plen)
{
	struct vmb_iov iov[2] = {
		{ .base = hdr, .len = hlen },
		{ .base = payload, .len = plen },
	};
	bool sig = false;
	int rc;

	if (dev->dead || !dev->chan_open) {
		return -ENOTCONN;
	}
	rc = vmb_ring_write(dev->io.tx, iov, plen != 0 ? 2 : 1, &sig);
	if (rc == -EAGAIN) {
		dev->tx_blocked = true;
		return -EAGAIN;
	}
	if (rc == -EBADMSG) {
		dev->dead = true;
		return -ENOTCONN;
	}
	if (rc < 0) {
		return rc;
	}
	dev->tx_blocked = false;
	if (dev->pending_set) {
		vmb_ring_clear_pending_send(dev->io.tx);
		dev->pending_set = false;
	}
	if (sig) {
		(void)vmb_user_signal(dev->io.kick_fd);
		dev->st.kicks++;
	}
	return 0;
}

int
nvsc_send_inband(struct nvsc_dev *dev, const void *msg, size_t len,
		 uint64_t tid, uint16_t flags)
{
	uint8_t hdr[VMB_PKT_DESC_SIZE];
	int n;

	n = vmb_pkt_enc_inband(hdr, sizeof(hdr), flags, tid, len);
	if (n < 0) {
		return n;
	}
	return nvsc_ring_send(dev, hdr, (size_t)n, msg, len);
}

int
nvsc_send_gpa(struct nvsc_dev *dev, uint64_t gpa, uint32_t bytes,
	      const void *msg, size_t len, uint64_t tid)
{
	struct vmb_gpa_buf r[NVSC_GPA_RANGES_MAX];
	uint64_t pfn[NVSC_GPA_RANGES_MAX];
	uint8_t hdr[VMB_GPA_RANGES_OFF + NVSC_GPA_RANGES_MAX * 16];
	uint32_t npages = (bytes + VMB_PAGE_SIZE - 1) / VMB_PAGE_SIZE;
	uint32_t i;
	int n;

	if (bytes == 0 || (gpa & (VMB_PAGE_SIZE - 1)) != 0) {
		return -EINVAL;
	}
	if (npages > NVSC_GPA_RANGES_MAX) {
		return -EMSGSIZE;
	}
	/* One page per range, as Linux page buffers (hv_page_buffer). */
	for (i = 0; i < npages; i++) {
		uint32_t done = i * VMB_PAGE_SIZE;

		pfn[i] = (gpa >> VMB_PAGE_SHIFT) + i;
		r[i].byte_offset = 0;
		r[i].byte_count = SN_MIN(VMB_PAGE_SIZE, bytes - done);
		r[i].pfn = &pfn[i];
	}
	n = vmb_pkt_enc_gpa(hdr, sizeof(hdr),
			    VMB_PKT_FLAG_COMPLETION_REQUESTED, tid, r, npages,
			    len);
	if (n < 0) {
		return n;
	}
	return nvsc_ring_send(dev, hdr, (size_t)n, msg, len);
}

/* --- RX completions ------------------------------------------------------ */

int
nvsc_rxq_init(struct nvsc_dev *dev, uint32_t cap)
{
	struct nvsc_rxcomp *q;
	uint32_t i;

	if (cap <= dev->rxq_cap) {
		return 0;
	}
	q = calloc(cap, sizeof(*q));
	if (q == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < dev->rxq_n; i++) {
		q[i] = dev->rxq[(dev->rxq_head + i) % dev->rxq_cap];
	}
	free(dev->rxq);
	dev->rxq = q;
	dev->rxq_cap = cap;
	dev->rxq_head = 0;
	return 0;
}

static void
rxq_push(struct nvsc_dev *dev, uint64_t tid, uint32_t status)
{
	struct nvsc_rxcomp *c;

	if (dev->rxq_n >= dev->rxq_cap) {
		/* Linux enq_receive_complete(): "Recv_comp full buf". */
		dev->st.rx_comp_overflow++;
		return;
	}
	c = &dev->rxq[(dev->rxq_head + dev->rxq_n) % dev->rxq_cap];
	c->tid = tid;
	c->status = status;
	dev->rxq_n++;
}

int
nvsc_rxq_flush(struct nvsc_dev *dev)
{
	uint8_t hdr[VMB_PKT_DESC_SIZE];
	uint8_t msg[NVSC_RX_COMP_LEN];
	int rc;

	while (dev->rxq_n != 0) {
		const struct nvsc_rxcomp *c = &dev->rxq[dev->rxq_head];

		rc = nvsc_msg_rx_comp(msg, sizeof(msg), c->status);
		if (rc < 0) {
			return rc;
		}
		rc = vmb_pkt_enc_comp(hdr, sizeof(hdr), c->tid, sizeof(msg));
		if (rc < 0) {
			return rc;
		}
		rc = nvsc_ring_send(dev, hdr, (size_t)rc, msg, sizeof(msg));
		if (rc == -EAGAIN) {
			dev->st.rx_comp_busy++;
			return -EAGAIN;
		}
		if (rc < 0) {
			return rc;
		}
		dev->rxq_head = (dev->rxq_head + 1) % dev->rxq_cap;
		dev->rxq_n--;
		dev->st.rx_comp_sent++;
	}
	return 0;
}

/* --- completions of our packets ------------------------------------------ */

static bool
slot_complete(struct nvsc_slot *s, uint32_t gen)
{
	if (!s->busy || (s->gen & NVSC_TID_GEN_MASK) != gen) {
		return false;
	}
	s->busy = false;
	return true;
}

static void
sec_put(struct nvsc_dev *dev, uint32_t idx)
{
	dev->sec_map[idx / 64] &= ~(UINT64_C(1) << (idx % 64));
	dev->sec_busy--;
}

static bool
sec_is_busy(const struct nvsc_dev *dev, uint32_t idx)
{
	return (dev->sec_map[idx / 64] >> (idx % 64)) & 1u;
}

static void
tx_complete(struct nvsc_dev *dev, uint64_t tid, uint32_t status)
{
	uint32_t tag = (uint32_t)(tid >> NVSC_TID_TAG_SHIFT);
	uint32_t gen = (uint32_t)(tid >> NVSC_TID_GEN_SHIFT) &
		       NVSC_TID_GEN_MASK;
	uint32_t idx = (uint32_t)tid;
	bool ok = false;

	switch (tag) {
	case NVSC_TID_SEC:
		if (idx < dev->sec_count && sec_is_busy(dev, idx) &&
		    (dev->sec_gen[idx] & NVSC_TID_GEN_MASK) == gen) {
			sec_put(dev, idx);
			ok = true;
		}
		break;
	case NVSC_TID_BNC:
		if (idx < dev->bnc_n && slot_complete(&dev->bnc[idx], gen)) {
			dev->bnc_busy--;
			ok = true;
		}
		break;
	case NVSC_TID_CTRL:
		ok = idx < NVSC_CTRL_SLOTS &&
		     slot_complete(&dev->ctrl[idx], gen);
		break;
	default:
		break;
	}
	if (!ok) {
		/* Linux: "Incorrect transaction id", dropped. */
		dev->st.comp_unknown++;
		return;
	}
	dev->st.tx_comp++;
	if (status != NVSP_STAT_SUCCESS) {
		dev->st.tx_comp_fail++;
	}
}

static void
handle_comp(struct nvsc_dev *dev, const struct vmb_pkt *p)
{
	struct nvsc_nvsp_wait *w = &dev->nw;
	uint32_t type;
	size_t min;

	if (p->payload_len < 4) {
		dev->st.comp_bad++;
		return;
	}
	type = sn_get_le32(p->payload);
	min = nvsc_comp_min_len(type);
	if (min == 0) {
		/* Linux: "Unknown send completion type". */
		dev->st.ctrl_comp_unexpected++;
		return;
	}
	if (p->payload_len < min) {
		/* Linux netvsc_send_completion() drops short completions. */
		dev->st.comp_bad++;
		return;
	}
	if (type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE) {
		tx_complete(dev, p->trans_id, sn_get_le32(p->payload + 4));
		return;
	}
	if (!w->waiting || w->type != type) {
		dev->st.ctrl_comp_unexpected++;
		return;
	}
	if (nvsp_decode(p->payload, p->payload_len, &w->msg) < 0) {
		dev->st.comp_bad++;
		return;
	}
	w->waiting = false;
	w->done = true;
}

/* --- host inband messages ------------------------------------------------ */

static void
handle_inband(struct nvsc_dev *dev, const struct vmb_pkt *p)
{
	struct nvsp_msg m;
	uint32_t i;

	dev->st.inband++;
	if (nvsp_decode(p->payload, p->payload_len, &m) < 0) {
		return;
	}
	if (m.type == NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE &&
	    m.send_table.count == NVSP_SEND_TABLE_SIZE) {
		for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++) {
			dev->send_table[i] = m.send_table.entries[i];
		}
	}
	/* VF association and the rest: nothing to do without a VF. */
}

/* --- receive ------------------------------------------------------------- */

static void
set_link(struct nvsc_dev *dev, bool up)
{
	if (dev->info.link_up != up) {
		dev->info.link_up = up;
		dev->st.link_changes++;
	}
}

static void
handle_indicate(struct nvsc_dev *dev, const struct rndis_msg *m)
{
	const struct rndis_indicate *ind = &m->u.indicate;

	dev->st.indicate++;
	switch (ind->status) {
	case RNDIS_STATUS_MEDIA_CONNECT:
		set_link(dev, true);
		break;
	case RNDIS_STATUS_MEDIA_DISCONNECT:
		set_link(dev, false);
		break;
	case RNDIS_STATUS_NETWORK_CHANGE:
		/* Linux bounces the carrier; the link stays up. */
		dev->st.link_changes++;
		break;
	case RNDIS_STATUS_LINK_SPEED_CHANGE:
		if (ind->buf_len >= 4) {
			dev->info.link_speed = sn_get_le32(ind->buf);
		}
		break;
	default:
		/* TASK_OFFLOAD_CURRENT_CONFIG and others: ignored (Linux). */
		break;
	}
}

static void
handle_answer(struct nvsc_dev *dev, const uint8_t *msg, uint32_t len)
{
	struct nvsc_rndis_wait *w = &dev->rw;
	uint32_t req_id = sn_get_le32(msg + RNDIS_HDR_LEN);

	if (!w->waiting || req_id != w->req_id) {
		dev->st.ctrl_unmatched++;
		return;
	}
	if (len > sizeof(w->resp)) {
		w->overflow = true;
		w->len = 0;
	} else {
		memcpy(w->resp, msg, len);
		w->len = len;
	}
	w->waiting = false;
	w->done = true;
	dev->st.ctrl_resp++;
}

static uint32_t
deliver(struct nvsc_dev *dev, nvsc_rx_cb cb, void *arg, const uint8_t *frame,
	uint32_t len, const struct nvsc_rxmeta *meta)
{
	if (cb == NULL) {
		cb = dev->def_cb;
		arg = dev->def_arg;
	}
	if (cb == NULL) {
		dev->st.rx_drop_no_cb++;
		return NVSP_STAT_SUCCESS;
	}
	dev->st.rx_packets++;
	dev->st.rx_bytes += len;
	cb(arg, frame, len, meta);
	return NVSP_STAT_SUCCESS;
}

/* RSC fragment (rndis_filter_receive_data() rules).  Returns a status. */
static uint32_t
rx_rsc(struct nvsc_dev *dev, const struct rndis_ppi_set *ps,
       const struct nvsc_rxmeta *meta, const uint8_t *data, uint32_t len,
       bool is_last, nvsc_rx_cb cb, void *arg)
{
	bool more = (ps->pktinfo_flags & RNDIS_PKTINFO_LAST_FRAG) == 0;
	struct nvsc_rxmeta m;
	uint32_t st;

	if (ps->pktinfo_flags & RNDIS_PKTINFO_1ST_FRAG) {
		dev->rsc_cnt = 0;
		dev->rsc_len = 0;
	} else if (dev->rsc_cnt == 0) {
		goto drop;
	}
	/* A fragment that wants more cannot end the transfer packet. */
	if (more && is_last) {
		goto drop;
	}
	if (dev->rsc_cnt >= NVSC_RSC_MAX ||
	    len > NVSC_RX_MAX_FRAME - dev->rsc_len) {
		goto drop;
	}
	if (dev->rsc_cnt == 0) {
		dev->rsc_meta = *meta;
	}
	memcpy(dev->rsc_buf + dev->rsc_len, data, len);
	dev->rsc_len += len;
	dev->rsc_cnt++;
	dev->st.rx_rsc_frags++;
	if (more) {
		return NVSP_STAT_SUCCESS;
	}
	m = dev->rsc_meta;
	m.flags |= NVSC_RX_RSC;
	m.rsc_frags = (uint16_t)dev->rsc_cnt;
	st = deliver(dev, cb, arg, dev->rsc_buf, dev->rsc_len, &m);
	dev->rsc_cnt = 0;
	dev->rsc_len = 0;
	return st;
drop:
	dev->st.rx_drop_rsc++;
	dev->rsc_cnt = 0;
	dev->rsc_len = 0;
	return NVSP_STAT_FAIL;
}

static uint32_t
rx_data(struct nvsc_dev *dev, const struct rndis_msg *m, bool is_last,
	nvsc_rx_cb cb, void *arg)
{
	const struct rndis_packet *pk = &m->u.packet;
	struct rndis_ppi_set ps;
	struct nvsc_rxmeta meta;

	memset(&ps, 0, sizeof(ps));
	memset(&meta, 0, sizeof(meta));
	if (pk->ppi_len != 0 &&
	    rndis_ppi_parse(pk->ppi, pk->ppi_len, &ps) < 0) {
		dev->st.rx_drop_ppi++;
		dev->rsc_cnt = 0;
		return NVSP_STAT_FAIL;
	}
	if (pk->data_len == 0) {
		dev->st.rx_drop_rndis++;
		dev->rsc_cnt = 0;
		return NVSP_STAT_FAIL;
	}
	if (ps.present & RNDIS_PPIF_VLAN) {
		meta.flags |= NVSC_RX_VLAN;
		meta.vlan_tci = rndis_vlan_info_to_tci(ps.vlan);
	}
	if (ps.present & RNDIS_PPIF_CSUM) {
		meta.flags |= NVSC_RX_CSUM;
		meta.csum_info = ps.csum;
	}
	if (ps.present & RNDIS_PPIF_HASH_VALUE) {
		meta.flags |= NVSC_RX_HASH;
		meta.hash = ps.hash_value;
	}
	if ((ps.present & RNDIS_PPIF_PKTINFO_ID) &&
	    (ps.pktinfo_flags & RNDIS_PKTINFO_SUBALLOC)) {
		return rx_rsc(dev, &ps, &meta, pk->data, pk->data_len, is_last,
			      cb, arg);
	}
	dev->rsc_cnt = 0;
	dev->rsc_len = 0;
	return deliver(dev, cb, arg, pk->data, pk->data_len, &meta);
}

/*
 * One RNDIS message at src (len bytes of the receive buffer, shared with
 * the host): copy it out, decode the copy, dispatch.  Returns the NVSP
 * status for the transfer packet's completion (rndis_filter_receive()).
 */
static uint32_t
rx_rndis(struct nvsc_dev *dev, const uint8_t *src, uint32_t len, bool is_last,
	 nvsc_rx_cb cb, void *arg)
{
	uint8_t hdr[RNDIS_HDR_LEN];
	struct rndis_msg m;
	uint32_t msg_len;
	int rc;

	if (len < RNDIS_HDR_LEN) {
		dev->st.rx_drop_rndis++;
		return NVSP_STAT_FAIL;
	}
	memcpy(hdr, src, sizeof(hdr));
	msg_len = sn_get_le32(hdr + 4);
	if (msg_len < RNDIS_HDR_LEN || msg_len > len) {
		dev->st.rx_drop_rndis++;
		return NVSP_STAT_FAIL;
	}
	if (msg_len > NVSC_RX_COPY_MAX) {
		dev->st.rx_drop_too_big++;
		return NVSP_STAT_FAIL;
	}
	memcpy(dev->rx_copy, src, msg_len);
	rc = rndis_decode(dev->rx_copy, msg_len, &m);
	if (rc == -ENOTSUP) {
		dev->st.rx_drop_type++;
		return NVSP_STAT_FAIL;
	}
	if (rc < 0) {
		dev->st.rx_drop_rndis++;
		return NVSP_STAT_FAIL;
	}
	switch (m.type) {
	case RNDIS_MSG_PACKET:
		return rx_data(dev, &m, is_last, cb, arg);
	case RNDIS_MSG_INIT_CMPLT:
	case RNDIS_MSG_QUERY_CMPLT:
	case RNDIS_MSG_SET_CMPLT:
		handle_answer(dev, dev->rx_copy, msg_len);
		return NVSP_STAT_SUCCESS;
	case RNDIS_MSG_INDICATE:
		handle_indicate(dev, &m);
		return NVSP_STAT_SUCCESS;
	default:
		/* Linux: "unhandled rndis message". */
		dev->st.rx_drop_type++;
		return NVSP_STAT_FAIL;
	}
}

static void
handle_xfer(struct nvsc_dev *dev, const struct vmb_pkt *p, nvsc_rx_cb cb,
	    void *arg)
{
	uint32_t status = NVSP_STAT_SUCCESS;
	uint32_t i;

	dev->st.rx_xfer++;
	/*
	 * Linux netvsc_receive() drops these without a completion: a foreign
	 * page set or a payload that is not SEND_RNDIS_PKT.
	 */
	if (p->xfer_pageset_id != NVSP_RECV_BUF_ID) {
		dev->st.rx_drop_pageset++;
		return;
	}
	if (p->payload_len < 4 ||
	    sn_get_le32(p->payload) != NVSP_MSG1_TYPE_SEND_RNDIS_PKT) {
		dev->st.rx_drop_nvsp++;
		return;
	}
	/* range_cnt ranges lie inside our private copy (vmb_pkt_decode). */
	for (i = 0; i < p->range_cnt; i++) {
		uint32_t cnt;
		uint32_t off;

		if (vmb_pkt_xfer_range(p, i, &cnt, &off) < 0 ||
		    dev->rbuf.ptr == NULL ||
		    !sn_range_ok(off, cnt, dev->rbuf_len)) {
			dev->st.rx_drop_range++;
			dev->rsc_cnt = 0;
			status = NVSP_STAT_FAIL;
			continue;
		}
		if (rx_rndis(dev, (const uint8_t *)dev->rbuf.ptr + off, cnt,
			     i + 1 == p->range_cnt, cb, arg) !=
		    NVSP_STAT_SUCCESS) {
			dev->rsc_cnt = 0;
			status = NVSP_STAT_FAIL;
		}
	}
	rxq_push(dev, p->trans_id, status);
}

/* --- poll / arm ---------------------------------------------------------- */

static void
dispatch(struct nvsc_dev *dev, const uint8_t *buf, size_t len, nvsc_rx_cb cb,
	 void *arg)
{
	struct vmb_pkt p;
	int rc;

	rc = vmb_pkt_decode(buf, len, &p);
	if (rc < 0 && rc != -ENOTSUP) {
		dev->st.pkt_unknown++;
		return;
	}
	switch (p.type) {
	case VMB_PKT_COMP:
		handle_comp(dev, &p);
		break;
	case VMB_PKT_DATA_USING_XFER_PAGES:
		handle_xfer(dev, &p, cb, arg);
		break;
	case VMB_PKT_DATA_INBAND:
		handle_inband(dev, &p);
		break;
	default:
		dev->st.pkt_unknown++;
		break;
	}
}

int
nvsc_poll(struct nvsc_dev *dev, nvsc_rx_cb cb, void *arg, unsigned int budget)
{
	unsigned int n = 0;
	size_t plen;
	int rc;

	if (dev == NULL) {
		return -EINVAL;
	}
	if (dev->dead || !dev->chan_open) {
		return -ENOTCONN;
	}
	if (budget == 0) {
		budget = NVSC_POLL_BUDGET;
	}
	if (!dev->masked) {
		vmb_ring_mask(dev->io.rx);
		dev->masked = true;
	}
	if (dev->rxq_n != 0) {
		(void)nvsc_rxq_flush(dev);
	}
	while (n < budget) {
		rc = vmb_ring_peek(dev->io.rx, dev->pkt, dev->pkt_cap, &plen);
		if (rc == -EAGAIN) {
			break;
		}
		if (rc == -EMSGSIZE) {
			dev->st.pkt_oversize++;
			rc = vmb_ring_skip(dev->io.rx);
		} else if (rc == 0) {
			dispatch(dev, dev->pkt, plen, cb, arg);
		}
		if (rc < 0) {
			dev->dead = true;
			return -ENOTCONN;
		}
		n++;
	}
	if (n != 0 && vmb_ring_read_commit(dev->io.rx)) {
		/* The host waits for room in the H->G ring. */
		(void)vmb_user_signal(dev->io.kick_fd);
		dev->st.kicks++;
	}
	if (dev->rxq_n != 0) {
		rc = nvsc_rxq_flush(dev);
		if (rc < 0 && rc != -EAGAIN) {
			return rc;
		}
	}
	if (n == 0) {
		dev->st.polls_empty++;
	}
	return (int)n;
}

int
nvsc_wait_fd(const struct nvsc_dev *dev)
{
	return dev != NULL && dev->chan_open ? dev->io.intr_fd : -1;
}

bool
nvsc_arm(struct nvsc_dev *dev)
{
	bool work = false;

	if (dev == NULL || dev->dead || !dev->chan_open) {
		return true;	/* let the caller poll and see the error */
	}
	if (dev->rxq_n != 0 || dev->tx_blocked) {
		dev->pending_set = true;
		if (vmb_ring_set_pending_send(dev->io.tx,
					      NVSC_PENDING_SEND_BYTES) != 0) {
			work = true;	/* room already (or cannot ask) */
		}
	}
	if (dev->masked) {
		dev->masked = false;
		if (vmb_ring_unmask(dev->io.rx)) {
			work = true;
		}
	} else if (vmb_ring_read_avail(dev->io.rx) != 0) {
		work = true;
	}
	return work;
}

void
nvsc_intr_ack(struct nvsc_dev *dev)
{
	if (dev != NULL && dev->chan_open) {
		(void)vmb_user_drain(dev->io.intr_fd);
	}
}

int
nvsc_wait(struct nvsc_dev *dev, int timeout_ms)
{
	struct pollfd pfd;
	int rc;

	if (dev == NULL || !dev->chan_open) {
		return -EINVAL;
	}
	if (nvsc_arm(dev)) {
		return 1;
	}
	pfd.fd = dev->io.intr_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0) {
		return errno == EINTR ? 1 : -errno;
	}
	if (rc == 0) {
		return 0;
	}
	nvsc_intr_ack(dev);
	return 1;
}

unsigned int
nvsc_tx_inflight(const struct nvsc_dev *dev)
{
	unsigned int n;
	unsigned int i;

	if (dev == NULL) {
		return 0;
	}
	n = dev->sec_busy + dev->bnc_busy;
	for (i = 0; i < NVSC_CTRL_SLOTS; i++) {
		n += dev->ctrl[i].busy ? 1 : 0;
	}
	return n;
}

/* --- transmit ------------------------------------------------------------ */

/* How the copy of the frame must be touched before it goes out. */
enum tx_fix {
	TX_FIX_NONE = 0,	/* as is */
	TX_FIX_SEED,		/* L4 checksum field = pseudo-header sum */
	TX_FIX_LSO,		/* Linux LSO header preparation */
	TX_FIX_SW_CSUM,		/* offload not granted: checksum here */
};

/* What tx_plan() decided for one frame. */
struct tx_plan {
	struct rndis_ppi_set ppi;	/* PPIs to send */
	struct ofl_pkt pk;		/* parse of the frame (csum/LSO) */
	enum tx_fix fix;		/* change to apply to the copy */
	uint32_t hdr_len;		/* RNDIS header + PPIs */
	uint32_t msg_len;		/* hdr_len + frame */
};

static uint32_t
csum_grant_bit(const struct ofl_pkt *pk)
{
	bool v4 = pk->l3_type == OFL_L3_IPV4;
	bool tcp = pk->l4_proto == OFL_IPPROTO_TCP;

	if (v4) {
		return tcp ? NVSC_OFL_TCP4_CSUM : NVSC_OFL_UDP4_CSUM;
	}
	return tcp ? NVSC_OFL_TCP6_CSUM : NVSC_OFL_UDP6_CSUM;
}

/* Checksum / LSO request: parse the frame and pick PPIs and the fix. */
static int
tx_plan_offload(struct nvsc_dev *dev, const uint8_t *frame, uint32_t len,
		const struct nvsc_txmeta *m, struct tx_plan *pl)
{
	struct ofl_pkt *pk = &pl->pk;
	bool v6;
	uint32_t flags;

	(void)ofl_parse(frame, len, pk);
	if (!(pk->flags & OFL_F_L3_OK) || !(pk->flags & OFL_F_L4_OK) ||
	    (pk->flags & (OFL_F_FRAGMENT | OFL_F_TRUNCATED)) ||
	    (pk->l3_type != OFL_L3_IPV4 && pk->l3_type != OFL_L3_IPV6) ||
	    (pk->l4_proto != OFL_IPPROTO_TCP &&
	     pk->l4_proto != OFL_IPPROTO_UDP) ||
	    pk->l4_off > RNDIS_LSO_THOFF_MAX) {
		return -EINVAL;
	}
	v6 = pk->l3_type == OFL_L3_IPV6;
	if (m->flags & NVSC_TX_LSO) {
		if (pk->l4_proto != OFL_IPPROTO_TCP || m->mss == 0 ||
		    !(dev->ofl.flags & (v6 ? NVSC_OFL_LSO6 : NVSC_OFL_LSO4))) {
			return -EINVAL;
		}
		/* netvsc_xmit(): LSO PPI only, no checksum PPI. */
		pl->ppi.present |= RNDIS_PPIF_LSO;
		pl->ppi.lso = rndis_lso_v2_make(m->mss, pk->l4_off, v6);
		pl->fix = TX_FIX_LSO;
		return 0;
	}
	if (!(dev->ofl.flags & csum_grant_bit(pk))) {
		/* skb_checksum_help(): done in software. */
		pl->fix = TX_FIX_SW_CSUM;
		return 0;
	}
	flags = v6 ? RNDIS_TXCSUM_IPV6 : RNDIS_TXCSUM_IPV4;
	flags |= pk->l4_proto == OFL_IPPROTO_TCP ? RNDIS_TXCSUM_TCP :
						   RNDIS_TXCSUM_UDP;
	pl->ppi.present |= RNDIS_PPIF_CSUM;
	pl->ppi.csum = rndis_csum_tx_make(flags, pk->l4_off);
	pl->fix = TX_FIX_SEED;
	return 0;
}

static int
tx_plan(struct nvsc_dev *dev, const void *frame, uint32_t len,
	const struct nvsc_txmeta *m, struct tx_plan *pl)
{
	uint32_t max = dev->info.mtu + NVSC_ETH_HLEN + 4;
	int rc;

	memset(pl, 0, sizeof(*pl));
	if (frame == NULL || len < NVSC_ETH_HLEN) {
		return -EINVAL;
	}
	if (m != NULL && (m->flags & ~(NVSC_TX_VLAN | NVSC_TX_CSUM |
				       NVSC_TX_LSO)) != 0) {
		return -EINVAL;
	}
	if (m != NULL && (m->flags & NVSC_TX_LSO)) {
		max = SN_MIN(dev->ofl.gso_max, NVSC_TX_MAX_FRAME);
	}
	if (len > max) {
		dev->st.tx_too_big++;
		return -EMSGSIZE;
	}
	if (m != NULL && (m->flags & NVSC_TX_VLAN)) {
		pl->ppi.present |= RNDIS_PPIF_VLAN;
		pl->ppi.vlan = rndis_vlan_info_from_tci(m->vlan_tci);
	}
	if (m != NULL && (m->flags & (NVSC_TX_CSUM | NVSC_TX_LSO))) {
		rc = tx_plan_offload(dev, frame, len, m, pl);
		if (rc < 0) {
			dev->st.tx_bad_meta++;
			return rc;
		}
	}
	pl->hdr_len = (uint32_t)sizeof(struct rndis_wire_packet) +
		      rndis_ppi_set_len(&pl->ppi);
	pl->msg_len = pl->hdr_len + len;
	return 0;
}

/* Store the folded, un-complemented sum (Linux ~csum_*_magic()). */
static void
put_seed(uint8_t *field, uint32_t sum)
{
	sn_put_be16(field, (uint16_t)~ofl_csum_fold(sum));
}

static uint32_t
pseudo(const struct ofl_pkt *pk, uint32_t l4_len)
{
	if (pk->l3_type == OFL_L3_IPV4) {
		return ofl_csum_pseudo4(pk->src_ip, pk->dst_ip, pk->l4_proto,
					l4_len);
	}
	return ofl_csum_pseudo6(pk->src_ip, pk->dst_ip, pk->l4_proto, l4_len);
}

/* Apply the plan's fix to the copy f (len bytes, parsed as pl->pk). */
static int
tx_fix(struct nvsc_dev *dev, uint8_t *f, uint32_t len,
       const struct tx_plan *pl)
{
	const struct ofl_pkt *pk = &pl->pk;
	uint32_t csum_off = pk->l4_off +
			    (pk->l4_proto == OFL_IPPROTO_TCP ? 16u : 6u);

	switch (pl->fix) {
	case TX_FIX_SEED:
		/* CHECKSUM_PARTIAL: pseudo-header with the L4 length. */
		put_seed(f + csum_off, pseudo(pk, pk->l4_len));
		return 0;
	case TX_FIX_LSO:
		if (pk->l3_type == OFL_L3_IPV4) {
			sn_put_be16(f + pk->l3_off + 2, 0);	/* tot_len */
			sn_put_be16(f + pk->l3_off + 10, 0);	/* check */
		} else {
			sn_put_be16(f + pk->l3_off + 4, 0);	/* payload */
		}
		put_seed(f + csum_off, pseudo(pk, 0));
		return 0;
	case TX_FIX_SW_CSUM:
		dev->st.tx_sw_csum++;
		return ofl_csum_fill(f, len, pk,
				     pk->l4_proto == OFL_IPPROTO_TCP ?
				     OFL_CSUM_TCP : OFL_CSUM_UDP);
	default:
		return 0;
	}
}

/* Write RNDIS header, PPIs and frame at dst (cap bytes). */
static int
tx_write(struct nvsc_dev *dev, uint8_t *dst, size_t cap, const void *frame,
	 uint32_t len, const struct tx_plan *pl)
{
	int hl;

	if (cap < pl->msg_len) {
		return -EMSGSIZE;
	}
	hl = rndis_packet_encode_hdr(dst, cap, &pl->ppi, len);
	if (hl < 0) {
		return hl;
	}
	memcpy(dst + hl, frame, len);
	return tx_fix(dev, dst + hl, len, pl);
}

/* A free section, or -1.  Starts at the hint; at most one pass. */
static int
sec_get(struct nvsc_dev *dev)
{
	uint32_t words = (dev->sec_count + 63) / 64;
	uint32_t w = dev->sec_hint / 64;
	uint32_t k;

	if (dev->sec_busy >= dev->sec_count) {
		return -1;
	}
	for (k = 0; k <= words; k++, w = (w + 1) % words) {
		uint64_t free = ~dev->sec_map[w];
		uint32_t idx;

		if (free == 0) {
			continue;
		}
		idx = w * 64 + (uint32_t)__builtin_ctzll(free);
		if (idx >= dev->sec_count) {
			continue;
		}
		dev->sec_map[w] |= UINT64_C(1) << (idx % 64);
		dev->sec_busy++;
		dev->sec_gen[idx]++;
		dev->sec_hint = idx + 1 < dev->sec_count ? idx + 1 : 0;
		return (int)idx;
	}
	return -1;
}

/* Send section idx holding bytes bytes of RNDIS messages. */
static int
sec_send(struct nvsc_dev *dev, uint32_t idx, uint32_t bytes)
{
	uint8_t msg[NVSC_NVSP_MSG_LEN];
	int rc;

	rc = nvsc_msg_rndis_pkt(msg, sizeof(msg), NVSP_CHANNEL_TYPE_DATA, idx,
				bytes);
	if (rc < 0) {
		return rc;
	}
	rc = nvsc_send_inband(dev, msg, (size_t)rc,
			      nvsc_tid(NVSC_TID_SEC, dev->sec_gen[idx], idx),
			      VMB_PKT_FLAG_COMPLETION_REQUESTED);
	if (rc == -EAGAIN) {
		dev->st.tx_busy_ring++;
	}
	return rc;
}

static int
tx_section(struct nvsc_dev *dev, const void *frame, uint32_t len,
	   const struct tx_plan *pl)
{
	uint8_t *dst;
	int idx;
	int rc;

	idx = sec_get(dev);
	if (idx < 0) {
		dev->st.tx_busy_section++;
		return -EAGAIN;
	}
	dst = (uint8_t *)dev->sbuf.ptr + (size_t)idx * dev->sec_size;
	rc = tx_write(dev, dst, dev->sec_size, frame, len, pl);
	if (rc == 0) {
		rc = sec_send(dev, (uint32_t)idx, pl->msg_len);
	}
	if (rc < 0) {
		sec_put(dev, (uint32_t)idx);
		return rc;
	}
	dev->st.tx_section++;
	return 0;
}

static int
tx_bounce(struct nvsc_dev *dev, const void *frame, uint32_t len,
	  const struct tx_plan *pl)
{
	size_t slot_bytes = (size_t)NVSC_BOUNCE_PAGES * VMB_PAGE_SIZE;
	uint8_t msg[NVSC_NVSP_MSG_LEN];
	struct nvsc_slot *s = NULL;
	uint32_t i;
	int rc;

	for (i = 0; i < dev->bnc_n; i++) {
		if (!dev->bnc[i].busy) {
			s = &dev->bnc[i];
			break;
		}
	}
	if (s == NULL) {
		dev->st.tx_busy_bounce++;
		return -EAGAIN;
	}
	rc = tx_write(dev, (uint8_t *)dev->bnc_mem.ptr + i * slot_bytes,
		      slot_bytes, frame, len, pl);
	if (rc < 0) {
		return rc;
	}
	rc = nvsc_msg_rndis_pkt(msg, sizeof(msg), NVSP_CHANNEL_TYPE_DATA,
				NVSP_SECTION_INDEX_NONE, 0);
	if (rc < 0) {
		return rc;
	}
	s->gen++;
	rc = nvsc_send_gpa(dev, dev->bnc_mem.gpa + i * slot_bytes,
			   pl->msg_len, msg, (size_t)rc,
			   nvsc_tid(NVSC_TID_BNC, s->gen, i));
	if (rc < 0) {
		if (rc == -EAGAIN) {
			dev->st.tx_busy_ring++;
		}
		return rc;
	}
	s->busy = true;
	dev->bnc_busy++;
	dev->st.tx_gpa++;
	return 0;
}

/* Does a message of msg_len go into a section (netvsc_send())? */
static bool
fits_section(const struct nvsc_dev *dev, uint32_t msg_len)
{
	return dev->sec_count != 0 &&
	       (uint64_t)msg_len + dev->pkt_align < dev->sec_size;
}

static int
tx_one(struct nvsc_dev *dev, const void *frame, uint32_t len,
       const struct tx_plan *pl)
{
	int rc;

	if (fits_section(dev, pl->msg_len)) {
		rc = tx_section(dev, frame, len, pl);
	} else {
		rc = tx_bounce(dev, frame, len, pl);
	}
	if (rc == 0) {
		dev->st.tx_packets++;
		dev->st.tx_bytes += len;
	}
	return rc;
}

int
nvsc_tx(struct nvsc_dev *dev, const void *frame, uint32_t len,
	const struct nvsc_txmeta *meta)
{
	struct tx_plan pl;
	int rc;

	if (dev == NULL) {
		return -EINVAL;
	}
	if (dev->dead || !dev->chan_open) {
		return -ENOTCONN;
	}
	rc = tx_plan(dev, frame, len, meta, &pl);
	if (rc < 0) {
		return rc;
	}
	return tx_one(dev, frame, len, &pl);
}

/* A section being filled by nvsc_tx_burst(). */
struct tx_batch {
	int idx;		/* section, -1 when none open */
	uint32_t cur;		/* bytes written */
	uint32_t last_off;	/* offset of the last message */
	uint32_t cnt;		/* messages in it */
	uint64_t bytes;		/* frame bytes in it */
	unsigned int first;	/* index in bufs of its first frame */
};

/* Send the open section.  On failure its frames are not sent. */
static int
batch_flush(struct nvsc_dev *dev, struct tx_batch *b)
{
	int rc;

	if (b->idx < 0) {
		return 0;
	}
	rc = sec_send(dev, (uint32_t)b->idx, b->cur);
	if (rc < 0) {
		sec_put(dev, (uint32_t)b->idx);
	} else {
		dev->st.tx_packets += b->cnt;
		dev->st.tx_bytes += b->bytes;
		dev->st.tx_section += b->cnt;
		if (b->cnt > 1) {
			dev->st.tx_batched += b->cnt;
		}
	}
	b->idx = -1;
	return rc;
}

/* Room in the open section for a message of msg_len (netvsc_send()). */
static bool
batch_room(const struct nvsc_dev *dev, const struct tx_batch *b,
	   uint32_t msg_len)
{
	uint32_t pad = (dev->pkt_align - (b->cur & (dev->pkt_align - 1))) &
		       (dev->pkt_align - 1);

	return b->cnt < dev->max_pkt &&
	       (uint64_t)b->cur + pad + msg_len + dev->pkt_align <
		       dev->sec_size;
}

/* Open a section for frame i. */
static int
batch_open(struct nvsc_dev *dev, struct tx_batch *b, unsigned int i)
{
	b->idx = sec_get(dev);
	if (b->idx < 0) {
		dev->st.tx_busy_section++;
		return -EAGAIN;
	}
	b->cur = 0;
	b->cnt = 0;
	b->bytes = 0;
	b->first = i;
	return 0;
}

/* Append a frame to the open section (batch_room() said it fits). */
static int
batch_append(struct nvsc_dev *dev, struct tx_batch *b,
	     const struct nvsc_txbuf *f, const struct tx_plan *pl)
{
	uint8_t *sec = (uint8_t *)dev->sbuf.ptr +
		       (size_t)b->idx * dev->sec_size;
	uint32_t pad = (dev->pkt_align - (b->cur & (dev->pkt_align - 1))) &
		       (dev->pkt_align - 1);
	int rc;

	if (b->cnt != 0 && pad != 0) {
		/* Pad the previous message, as Linux does under xmit_more. */
		rc = rndis_packet_add_padding(sec + b->last_off, pad);
		if (rc < 0) {
			return rc;
		}
		memset(sec + b->cur, 0, pad);
		b->cur += pad;
	}
	rc = tx_write(dev, sec + b->cur, dev->sec_size - b->cur, f->data,
		      f->len, pl);
	if (rc < 0) {
		return rc;
	}
	b->last_off = b->cur;
	b->cur += pl->msg_len;
	b->cnt++;
	b->bytes += f->len;
	return 0;
}

unsigned int
nvsc_tx_burst(struct nvsc_dev *dev, const struct nvsc_txbuf *bufs,
	      unsigned int n, int *err)
{
	struct tx_batch b = { .idx = -1 };
	struct tx_plan pl;
	unsigned int i;
	int rc = 0;

	if (dev == NULL || (bufs == NULL && n != 0)) {
		rc = -EINVAL;
		n = 0;
	} else if (dev->dead || !dev->chan_open) {
		rc = -ENOTCONN;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		rc = tx_plan(dev, bufs[i].data, bufs[i].len, bufs[i].meta,
			     &pl);
		if (rc < 0) {
			break;
		}
		if (b.idx >= 0 && (!fits_section(dev, pl.msg_len) ||
				   !batch_room(dev, &b, pl.msg_len))) {
			/* Keep the order: the open section goes first. */
			rc = batch_flush(dev, &b);
			if (rc < 0) {
				i = b.first;
				break;
			}
		}
		if (!fits_section(dev, pl.msg_len)) {
			rc = tx_one(dev, bufs[i].data, bufs[i].len, &pl);
			if (rc < 0) {
				break;
			}
			continue;
		}
		if (b.idx < 0) {
			rc = batch_open(dev, &b, i);
			if (rc < 0) {
				break;
			}
		}
		rc = batch_append(dev, &b, &bufs[i], &pl);
		if (rc < 0) {
			break;
		}
	}
	if (b.idx >= 0 && b.cnt == 0) {
		/* Opened for a frame that failed: nothing in it. */
		sec_put(dev, (uint32_t)b.idx);
		b.idx = -1;
	}
	if (b.idx >= 0) {
		int frc = batch_flush(dev, &b);

		if (frc < 0) {
			i = b.first;
			rc = frc;
		}
	}
	if (i < n && err != NULL) {
		*err = rc;
	}
	return i;
}
